#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check a year of `gremiumctl run-once` (tests/e2e_run_once.sh) against the
delivery rules of DESIGN.md, computed here independently of gremiumd's
planner, and parse every mail with Python's email package and icalendar.

Usage: check_year.py MAILDIR OCCURRENCES.tsv RUNS.txt MEMBERS.txt
  OCCURRENCES.tsv  `gremiumctl preview --format tsv` over the whole year
  RUNS.txt         one "YYYY-MM-DD" per line: the days run-once ran at 09:00
  MEMBERS.txt      "EMAIL FIRST_DAY LAST_DAY" per member: the days the
                   member was in the config (LAST_DAY "-" = to the end)
Rules: send_time 09:00, call for topics 21 days before with a deadline 7
days before, reminders 7 and 1 days before; no mail for cancelled or
skipped meetings; a late call for topics only before its deadline, of
late reminders only the latest, nothing after the meeting; a member who
leaves gets a CANCEL of each calendar object still ahead, then nothing.
A moved meeting of a recurring series goes to each member as a REQUEST of
its own (kind update, X-Gremium-Occurrence its new start) right after the
series invitation (issue 12).  The agenda (issue 15) goes out the day after
the deadline (6 days before), once, late while the meeting is ahead; it and
the reminders from that day on carry a REQUEST of that meeting whose
DESCRIPTION holds the agenda ("Tagesordnung:"), as the text does.
The chair's report (issue 16) goes to the chair (CHAIR, default the
example's organizer, kommunalgremium@fitko.example) 3 days before each
meeting that takes place (quorum.report_days_before's default), once, at
the first run from then on while the meeting is ahead; text only.

Usage, fifth argument: CHAIR  the chair's address (optional)
"""
import collections
import datetime as dt
import email
import email.policy
import email.utils
import os
import sys

import icalendar

DAY = dt.timedelta(days=1)


def fail(msg):
    sys.exit("check_year: " + msg)


def read_occurrences(path):
    occ = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        start_utc, end_utc, status, series, uid, local, original = line.rstrip("\n").split("\t")
        start = dt.datetime.fromisoformat(local)
        length = (dt.datetime.fromisoformat(end_utc.rstrip("Z")) -
                  dt.datetime.fromisoformat(start_utc.rstrip("Z")))
        occ.append(dict(status=status, series=series, uid=uid, start=start,
                        end=start + length))
    return occ


def expected(occ, runs, members):
    """Multiset of (recipient, kind, occurrence, day sent)."""
    want = collections.Counter()
    at9 = lambda d: dt.datetime.combine(d, dt.time(9, 0))
    for email_, joined, left in members:
        member_runs = [d for d in runs if joined <= d and (left is None or d <= left)]
        if not member_runs:
            continue
        start = member_runs[0]
        # invitations: every object with a meeting still ahead at joining
        objects = {}
        for o in occ:
            if o["status"] in ("confirmed", "moved"):
                objects.setdefault(o["uid"], []).append(o)
        for uid, os_ in objects.items():
            if any(o["end"] > at9(start) for o in os_):
                want[(email_, "invitation", dated_occ(os_), start)] += 1
            for o in os_:
                if (o["status"] == "moved" and dated_occ(os_) is None and
                        o["end"] > at9(start)):
                    want[(email_, "update", o["start"].strftime("%Y-%m-%dT%H:%M"), start)] += 1
        if left is not None:
            gone = left + DAY
            for uid, os_ in objects.items():
                if any(o["end"] > at9(gone) for o in os_):
                    want[(email_, "cancellation", dated_occ(os_), gone)] += 1
        for o in occ:
            if o["status"] not in ("confirmed", "moved"):
                continue
            notify(want, email_, o, member_runs)
    return want


def chair_reports(want, occ, runs, chair):
    """One report per meeting that takes place, 3 days before at 09:00,
    sent at the first run from then on while the meeting is ahead."""
    at9 = lambda d: dt.datetime.combine(d, dt.time(9, 0))
    for o in occ:
        if o["status"] not in ("confirmed", "moved"):
            continue
        due = o["start"].date() - 3 * DAY
        sent = [d for d in sorted(runs) if d >= due and at9(d) < o["start"]]
        if sent:
            want[(chair, "chair-report", o["start"].strftime("%Y-%m-%dT%H:%M"), sent[0])] += 1


def dated_occ(os_):
    """X-Gremium-Occurrence of an invitation or a whole-object CANCEL: the
    meeting's start for a meeting of a dated series (its UID is
    "<series>-YYYYMMDD.<committee>@domain"), none for a recurring series
    ("<series>.<committee>@domain")."""
    o = os_[0]
    if o["uid"].split("@")[0].split(".")[0] != o["series"]:
        return o["start"].strftime("%Y-%m-%dT%H:%M")
    return None


def notify(want, email_, o, member_runs):
    at9 = lambda d: dt.datetime.combine(d, dt.time(9, 0))
    start = o["start"]
    key = start.strftime("%Y-%m-%dT%H:%M")
    first = member_runs[0]
    runs = set(member_runs)
    # call for topics
    nominal = start.date() - 21 * DAY
    deadline = at9(start.date() - 7 * DAY)
    if nominal in runs:
        want[(email_, "topic-call", key, nominal)] += 1
    elif nominal < first and at9(first) < deadline and first in runs:
        want[(email_, "topic-call", key, first)] += 1
    # reminders: on their day; when missed, only the latest one, and only
    # while the meeting is ahead
    late = []
    for k in (7, 1):
        day = start.date() - k * DAY
        if day in runs:
            want[(email_, "reminder", key, day)] += 1
        elif day < first and at9(first) < start:
            late.append(k)
    if late:
        want[(email_, "reminder", key, first)] += 1
    # the agenda (issue 15): the day after the deadline (6 days before),
    # once; late while the meeting is ahead
    day = start.date() - (7 - 1) * DAY
    if day in runs:
        want[(email_, "agenda", key, day)] += 1
    elif day < first and at9(first) < start:
        want[(email_, "agenda", key, first)] += 1


def read_mail(maildir):
    got = collections.Counter()
    for name in sorted(os.listdir(os.path.join(maildir, "new"))):
        raw = open(os.path.join(maildir, "new", name), "rb").read()
        for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
            if b"\n" in line or b"\r" in line or len(line) > 998:
                fail("%s line %d: bare CR/LF or over 998 octets" % (name, n))
        m = email.message_from_bytes(raw, policy=email.policy.default)
        for part in m.walk():
            if part.defects:
                fail("%s: %s: defects %r" % (name, part.get_content_type(), part.defects))
        kind = str(m["X-Gremium-Kind"])
        to = m["To"].addresses
        if len(to) != 1:
            fail("%s: To: %r" % (name, m["To"]))
        check_parts(name, m, kind, to[0].addr_spec)
        occ = m["X-Gremium-Occurrence"]
        day = email.utils.parsedate_to_datetime(str(m["Date"])).date()
        got[(to[0].addr_spec, kind, str(occ) if occ else None, day)] += 1
    return got


def carries_agenda(m, kind):
    """An agenda, or a reminder sent on or after its meeting's agenda day."""
    if kind == "agenda":
        return True
    if kind != "reminder":
        return False
    start = dt.datetime.fromisoformat(str(m["X-Gremium-Occurrence"]))
    sent = email.utils.parsedate_to_datetime(str(m["Date"]))
    return sent.date() >= start.date() - 6 * DAY


def check_agenda(name, m, ics):
    """One VEVENT of that meeting with the agenda in its DESCRIPTION, the
    same agenda in the text."""
    evs = list(ics.walk("VEVENT"))
    if len(evs) != 1 or "Tagesordnung:" not in str(evs[0].get("DESCRIPTION", "")):
        fail("%s: agenda calendar part %r" % (name, [str(e.get("DESCRIPTION")) for e in evs]))
    when = str(m["X-Gremium-Occurrence"]).replace("-", "").replace(":", "") + "00"
    if evs[0]["DTSTART"].to_ical().decode() != when:
        fail("%s: DTSTART %s for %s" % (name, evs[0]["DTSTART"].to_ical(), when))
    text = [p for p in m.walk() if p.get_content_type() == "text/plain"][0].get_content()
    if "Tagesordnung:" not in text:
        fail("%s: no agenda in the text" % name)


def check_parts(name, m, kind, addr):
    types = [p.get_content_type() for p in m.walk()]
    if kind in ("invitation", "update", "cancellation") or carries_agenda(m, kind):
        method = "CANCEL" if kind == "cancellation" else "REQUEST"
        if types != ["multipart/mixed", "multipart/alternative", "text/plain",
                     "text/calendar", "application/ics"]:
            fail("%s: MIME tree %r" % (name, types))
        cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"][0]
        if cal.get_param("method") != method:
            fail("%s: method=%r" % (name, cal.get_param("method")))
        ics = icalendar.Calendar.from_ical(cal.get_content())
        if str(ics["METHOD"]) != method:
            fail("%s: METHOD %r" % (name, ics["METHOD"]))
        attendees = [str(a) for ev in ics.walk("VEVENT") for a in
                     (ev.get("ATTENDEE") if isinstance(ev.get("ATTENDEE"), list)
                      else [ev.get("ATTENDEE")]) if a]
        if not attendees or any(a.lower() != "mailto:" + addr.lower() for a in attendees):
            fail("%s: ATTENDEE %r for %s" % (name, attendees, addr))
        if carries_agenda(m, kind):
            check_agenda(name, m, ics)
    elif types != ["text/plain"]:
        fail("%s: a %s must be text/plain only, is %r" % (name, kind, types))
    if kind == "topic-call" and not m["Reply-To"]:
        fail("%s: call for topics without Reply-To" % name)


def main():
    maildir, tsv, runs_file, members_file = sys.argv[1:5]
    occ = read_occurrences(tsv)
    runs = [dt.date.fromisoformat(l.strip()) for l in open(runs_file) if l.strip()]
    members = []
    for line in open(members_file):
        addr, joined, left = line.split()
        members.append((addr, dt.date.fromisoformat(joined),
                        None if left == "-" else dt.date.fromisoformat(left)))
    want = expected(occ, runs, members)
    chair_reports(want, occ, runs,
                  sys.argv[5] if len(sys.argv) > 5 else "kommunalgremium@fitko.example")
    got = read_mail(maildir)
    missing = want - got
    extra = got - want
    for k in sorted(missing, key=str)[:20]:
        print("missing:", k, file=sys.stderr)
    for k in sorted(extra, key=str)[:20]:
        print("unexpected:", k, file=sys.stderr)
    if missing or extra:
        fail("%d missing, %d unexpected of %d expected mails" %
             (sum(missing.values()), sum(extra.values()), sum(want.values())))
    kinds = collections.Counter(k[1] for k in got.elements())
    print("check_year: %d mails as expected: %s" % (sum(got.values()),
          ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items()))))


if __name__ == "__main__":
    main()
