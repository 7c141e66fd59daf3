#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What calendar clients get (issue 12), checked with Python's email package,
icalendar and recurring_ical_events, independently of libical.

Usage:
  check_calendar.py mails MAILDIR COMMITTEE_ID [--move-reason TEXT] [--cancel-reason TEXT]
      every invitation, update and cancellation: no REQUEST has an override
      VEVENT (RECURRENCE-ID); a moved meeting is an object of its own (UID
      <series>+moved-YYYYMMDD.<committee>@..., one VEVENT without RRULE at
      the moved time, the reason and the regular date it replaces in
      DESCRIPTION and text) and every series REQUEST to that member after
      its invitation has an EXDATE for that regular date; per member and
      UID the SEQUENCE rises from mail to mail; DESCRIPTION has what members must read (reason, access link,
      topics address, who uses invitations and who the feed); a CANCEL has
      the reason as COMMENT and in DESCRIPTION, and its text promises no
      "marked as cancelled"; UIDs and Message-IDs carry the committee id.
  check_calendar.py feed FEED.ics MAILDIR
      per UID the feed's SEQUENCE is the highest the mails carried (a moved
      meeting is a UID of its own, as in the invitations; the series has an
      EXDATE for it); no RECURRENCE-ID of a moved meeting; LAST-MODIFIED on
      every VEVENT (UTC); no ATTENDEE.
  check_calendar.py history FEED.ics UID CUT OLD NEW
      every meeting of UID (expanded) starting before CUT (YYYY-MM-DD) has
      LOCATION OLD, every later one NEW.
  check_calendar.py distinct MAILDIR_A MAILDIR_B
      no UID and no Message-ID of one maildir appears in the other.
  check_calendar.py uids MAILDIR PATTERN
      every calendar mail's UID matches the regular expression PATTERN.
"""
import collections
import datetime
import email
import email.policy
import os
import re
import sys

import icalendar
import recurring_ical_events


def fail(msg):
    sys.exit("check_calendar: FAIL: " + msg)


def mails(maildir):
    """(name, message, kind, calendar or None, text) of each mail, by name."""
    out = []
    folder = os.path.join(maildir, "new")
    for name in sorted(os.listdir(folder)):
        m = email.message_from_bytes(open(os.path.join(folder, name), "rb").read(),
                                     policy=email.policy.default)
        cal = text = None
        for part in m.walk():
            if part.get_content_type() == "text/calendar":
                cal = icalendar.Calendar.from_ical(part.get_content())
            elif part.get_content_type() == "text/plain":
                text = part.get_content()
        out.append((name, m, str(m["X-Gremium-Kind"]), cal, text))
    return out


def unfolded(v):
    return str(v).replace("\r\n ", "") if v is not None else ""


MOVED = re.compile(r"^(?P<series>.+)\+moved-(?P<date>\d{8})(?P<rest>\..+)$")


def series_of(uid):
    """(series UID, regular date YYYYMMDD) of a moved meeting's UID, or None."""
    m = MOVED.match(uid)
    return (m["series"] + m["rest"], m["date"]) if m else None


def exdates(ev):
    """The local starts (YYYYMMDD) of ev's EXDATEs."""
    out = set()
    props = ev.get("EXDATE", [])
    for p in props if isinstance(props, list) else [props]:
        out.update(d.dt.strftime("%Y%m%d") for d in p.dts)
    return out


def rid(ev):
    r = ev.get("RECURRENCE-ID")
    return r.dt.strftime("%Y-%m-%dT%H:%M") if r else None


def check_mails(maildir, committee, move_reason, cancel_reason):
    last_seq = {}  # (recipient, uid) -> SEQUENCE of the last mail
    series_exdates = {}  # (recipient, series uid) -> EXDATEs of its last REQUEST
    moved = []  # (name, recipient, series uid, regular date) of each moved REQUEST
    counts = collections.Counter()
    for name, m, kind, cal, text in mails(maildir):
        if not re.search(r"\.%s\." % re.escape(committee), str(m["Message-ID"])):
            fail("%s: Message-ID %s without the committee id" % (name, m["Message-ID"]))
        if cal is None:
            continue
        to = m["To"].addresses[0].addr_spec
        evs = list(cal.walk("VEVENT"))
        for ev in evs:
            if not str(ev["UID"]).endswith(".%s@fitko.example" % committee):
                fail("%s: UID %s without the committee id" % (name, ev["UID"]))
        uid, seq = str(evs[0]["UID"]), int(evs[0]["SEQUENCE"])
        if (to, uid) in last_seq and seq <= last_seq[(to, uid)]:
            fail("%s: SEQUENCE %d not above the last one's %d" % (name, seq, last_seq[(to, uid)]))
        last_seq[(to, uid)] = seq
        desc = unfolded(evs[0].get("DESCRIPTION"))
        if kind in ("invitation", "update"):
            for need in ("themen@fitko.example", "Mitglieder des Gremiums",
                         "nicht zusätzlich"):
                if need not in desc:
                    fail("%s: DESCRIPTION lacks %r: %r" % (name, need, desc))
            if len(evs) != 1 or rid(evs[0]):
                fail("%s: a REQUEST with %d VEVENTs / an override" % (name, len(evs)))
        if kind in ("invitation", "update") and "RRULE" in evs[0]:
            series_exdates[(to, uid)] = exdates(evs[0])
            if kind == "invitation":
                if "Zugang: https://" not in desc:
                    fail("%s: no access link in DESCRIPTION: %r" % (name, desc))
                counts["series invitation"] += 1
        elif kind in ("invitation", "update") and series_of(uid):
            if "RRULE" in evs[0] or "EXDATE" in evs[0]:
                fail("%s: a moved meeting must be one VEVENT without RRULE" % name)
            if move_reason and (move_reason not in desc or move_reason not in text):
                fail("%s: the reason %r is not in DESCRIPTION and text" % (name, move_reason))
            if "verschoben" not in desc or "verschoben" not in text:
                fail("%s: DESCRIPTION and text do not say which meeting it replaces" % name)
            if evs[0]["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M") != str(m["X-Gremium-Occurrence"]):
                fail("%s: DTSTART %s, X-Gremium-Occurrence %s" % (name, evs[0]["DTSTART"].dt,
                                                                m["X-Gremium-Occurrence"]))
            moved.append((name, to) + series_of(uid))
            counts["moved meeting " + kind] += 1
        elif kind == "cancellation":
            if str(cal["METHOD"]) != "CANCEL":
                fail("%s: METHOD %s" % (name, cal["METHOD"]))
            if "gekennzeichnet" in text or "marked as cancelled" in text:
                fail("%s: the text promises what clients do not do" % name)
            if "Löschen" not in text or "Löschen" not in desc:
                fail("%s: the text and DESCRIPTION do not name the Delete button" % name)
            if cancel_reason and rid(evs[0]):
                if str(evs[0].get("COMMENT")) != cancel_reason:
                    fail("%s: COMMENT %r" % (name, evs[0].get("COMMENT")))
                if cancel_reason not in desc or cancel_reason not in text:
                    fail("%s: the reason is not in DESCRIPTION and text" % name)
                counts["cancellation with reason"] += 1
    for name, to, series, date in moved:
        if date not in series_exdates.get((to, series), set()):
            fail("%s: the series %s sent to %s has no EXDATE for %s" % (name, series, to, date))
    print("check_calendar: mails ok: %s" % dict(counts))


def highest(maildir):
    """Highest SEQUENCE per UID."""
    per_uid = {}
    for _, _, _, cal, _ in mails(maildir):
        for ev in cal.walk("VEVENT") if cal else []:
            uid, seq = str(ev["UID"]), int(ev["SEQUENCE"])
            per_uid[uid] = max(seq, per_uid.get(uid, -1))
    return per_uid


def check_feed(path, maildir):
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    per_uid = highest(maildir)
    masters = {str(ev["UID"]): ev for ev in cal.walk("VEVENT")
               if "RRULE" in ev and not rid(ev)}
    n = moves = 0
    for ev in cal.walk("VEVENT"):
        uid, seq = str(ev["UID"]), int(ev.get("SEQUENCE", -1))
        if "ATTENDEE" in ev:
            fail("ATTENDEE in the feed")
        lm = ev.get("LAST-MODIFIED")
        if lm is None or lm.dt.utcoffset() != datetime.timedelta(0):
            fail("%s: LAST-MODIFIED %r" % (uid, lm))
        if series_of(uid):
            series, date = series_of(uid)
            if rid(ev) or "RRULE" in ev:
                fail("%s: a moved meeting with RECURRENCE-ID or RRULE" % uid)
            if series not in masters or date not in exdates(masters[series]):
                fail("%s: the series %s has no EXDATE for it" % (uid, series))
            moves += 1
        want = per_uid.get(uid)
        if want is not None and seq != want:
            fail("%s %s: feed SEQUENCE %d, the invitations' %d" % (uid, rid(ev) or "", seq, want))
        n += want is not None
    if n == 0:
        fail("no VEVENT of the feed was in the mails")
    print("check_calendar: feed ok: %d VEVENTs with the invitations' SEQUENCE, %d moved "
          "meetings of their own" % (n, moves))


def check_history(path, uid, cut, old, new):
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    cut = datetime.date.fromisoformat(cut)
    seen = collections.Counter()
    for ev in recurring_ical_events.of(cal).between(datetime.date(2025, 1, 1),
                                                    datetime.date(2029, 1, 1)):
        if str(ev["UID"]) != uid:
            continue
        want = old if ev["DTSTART"].dt.date() < cut else new
        if str(ev.get("LOCATION")) != want:
            fail("%s: LOCATION %r, want %r" % (ev["DTSTART"].dt, ev.get("LOCATION"), want))
        seen[want] += 1
    if not seen[old] or not seen[new]:
        fail("want meetings before and after %s: %r" % (cut, dict(seen)))
    print("check_calendar: history ok: %d meetings at %r before %s, %d at %r after" %
          (seen[old], old, cut, seen[new], new))


def ids(maildir):
    uids, mids = set(), set()
    for _, m, _, cal, _ in mails(maildir):
        mids.add(str(m["Message-ID"]))
        for ev in cal.walk("VEVENT") if cal else []:
            uids.add(str(ev["UID"]))
    return uids, mids


def check_distinct(a, b):
    (ua, ma), (ub, mb) = ids(a), ids(b)
    if not ua or not ub:
        fail("no calendar mails")
    if ua & ub or ma & mb:
        fail("shared UIDs %r / Message-IDs %r" % (sorted(ua & ub), sorted(ma & mb)[:3]))
    print("check_calendar: distinct: %d and %d UIDs, none shared" % (len(ua), len(ub)))


def check_uids(maildir, pattern):
    uids, _ = ids(maildir)
    bad = [u for u in uids if not re.fullmatch(pattern, u)]
    if not uids or bad:
        fail("UIDs %r do not match %s" % (bad or uids, pattern))
    print("check_calendar: uids ok: %s" % sorted(uids))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "mails":
        opts = dict(zip(args[2::2], args[3::2]))
        check_mails(args[0], args[1], opts.get("--move-reason"), opts.get("--cancel-reason"))
    elif cmd == "feed":
        check_feed(*args)
    elif cmd == "history":
        check_history(*args)
    elif cmd == "distinct":
        check_distinct(*args)
    elif cmd == "uids":
        check_uids(*args)
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
