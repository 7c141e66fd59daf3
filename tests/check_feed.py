#!/usr/bin/python3
"""Check `gremiumctl ics` with parsers that are not libical.

Usage: check_feed.py GREMIUMCTL CONFIG

- bytes: CRLF only, no line over 75 octets, every line valid UTF-8, and a
  second render gives the same bytes;
- content: METHOD:PUBLISH, no ATTENDEE, one VTIMEZONE named exactly like
  X-WR-TIMEZONE;
- the VTIMEZONE (turned into a tzinfo by python-icalendar, independent of
  libical) gives the zoneinfo offset on every day of every year it can
  represent (icalendar's to_tz() stops at 2038);
- expanding the feed with recurring_ical_events over two years gives the
  same meetings (UID, UTC start and end) as `gremiumctl preview --format tsv`
  over the same days, from the first meeting and from today.
"""
import datetime
import subprocess
import sys

import icalendar
import pytz
import recurring_ical_events

UTC = pytz.utc
DAYS = 730


def fail(msg):
    sys.exit("check_feed: FAIL: " + msg)


def run(*args):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout


def check_bytes(feed):
    if not feed.endswith(b"\r\n"):
        fail("feed does not end in CRLF")
    for n, line in enumerate(feed[:-2].split(b"\r\n"), 1):
        if b"\r" in line or b"\n" in line:
            fail("line %d: bare CR or LF" % n)
        if len(line) > 75:
            fail("line %d: %d octets" % (n, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d: folded inside a UTF-8 sequence: %r" % (n, line))


def check_vtimezone(cal, first_year):
    zones = cal.walk("VTIMEZONE")
    tzid = str(cal["X-WR-TIMEZONE"])
    if len(zones) != 1 or str(zones[0]["TZID"]) != tzid:
        fail("want one VTIMEZONE %s, got %s" % (tzid, [str(z["TZID"]) for z in zones]))
    ours, ref = zones[0].to_tz(), pytz.timezone(tzid)
    day = datetime.datetime(first_year, 1, 1, 12, 0)
    while day.year < 2038:
        a, b = ours.localize(day).utcoffset(), ref.localize(day).utcoffset()
        if a != b:
            fail("VTIMEZONE says %s on %s, zoneinfo %s" % (a, day, b))
        day += datetime.timedelta(days=1)
    return ours


# Both sides keep the meetings that start in [start, end): preview also lists
# a meeting moved out of its window, recurring_ical_events one still running.
def from_feed(cal, start, end):
    got = set()
    for ev in recurring_ical_events.of(cal).between(start, end):
        begin = ev["DTSTART"].dt.astimezone(UTC)
        if str(ev.get("STATUS", "CONFIRMED")) == "CANCELLED" or not start <= begin < end:
            continue
        got.add((str(ev["UID"]), begin, ev["DTEND"].dt.astimezone(UTC)))
    return got


def from_preview(ctl, conf, start, end):
    out = run(ctl, "-c", conf, "preview", "--format", "tsv",
              "--from", start.strftime("%Y-%m-%d"), "--days", str(DAYS))
    got = set()
    for line in out.decode("utf-8").splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        if f[2] in ("cancelled", "skipped"):
            continue
        parse = lambda s: UTC.localize(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
        if start <= parse(f[0]) < end:
            got.add((f[4], parse(f[0]), parse(f[1])))
    return got


def compare(cal, ctl, conf, tz, day):
    start = tz.localize(datetime.datetime(day.year, day.month, day.day))
    end = tz.normalize(start + datetime.timedelta(days=DAYS))
    end = tz.localize(datetime.datetime(end.year, end.month, end.day))
    feed, preview = from_feed(cal, start, end), from_preview(ctl, conf, start, end)
    if feed != preview:
        fail("from %s: only in feed %s, only in preview %s"
             % (day, sorted(feed - preview), sorted(preview - feed)))
    if not feed:
        fail("from %s: no meetings at all" % day)
    return len(feed)


def check_local_times(cal, ours):
    """Every DTSTART/RECURRENCE-ID/EXDATE, read with our VTIMEZONE, is the
    instant zoneinfo gives (years before 2038, see to_tz())."""
    for ev in cal.walk("VEVENT"):
        for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if key in ev:
                dt = ev[key].dt
                if dt.year < 2038 and ours.localize(dt.replace(tzinfo=None)) != dt:
                    fail("%s %s: VTIMEZONE and zoneinfo disagree" % (key, dt))


def main():
    ctl, conf = sys.argv[1], sys.argv[2]
    feed = run(ctl, "-c", conf, "ics")
    if run(ctl, "-c", conf, "ics") != feed:
        fail("second render differs")
    check_bytes(feed)
    cal = icalendar.Calendar.from_ical(feed)
    if str(cal["METHOD"]) != "PUBLISH":
        fail("METHOD is %s" % cal["METHOD"])
    if b"ATTENDEE" in feed or "ATTENDEE" in str(cal.walk("VEVENT")):
        fail("the public feed has an ATTENDEE")
    starts = [ev["DTSTART"].dt for ev in cal.walk("VEVENT")]
    first = min(starts)
    ours = check_vtimezone(cal, first.year)
    check_local_times(cal, ours)
    tz = pytz.timezone(str(cal["X-WR-TIMEZONE"]))
    n = compare(cal, ctl, conf, tz, first.date())
    today = datetime.datetime.now(tz).date()
    m = compare(cal, ctl, conf, tz, today)
    print("check_feed: ok (%d and %d meetings match, %d VEVENTs)" % (n, m, len(starts)))


if __name__ == "__main__":
    main()
