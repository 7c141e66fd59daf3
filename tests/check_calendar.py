#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What calendar clients get (issue 12), checked with Python's email package,
icalendar and recurring_ical_events, independently of libical.

Usage:
  check_calendar.py mails MAILDIR COMMITTEE_ID [--move-reason TEXT] [--cancel-reason TEXT]
      every invitation, update and cancellation: a series REQUEST has no
      override VEVENT; a moved occurrence goes in a REQUEST of its own (one
      VEVENT, RECURRENCE-ID, SEQUENCE above the series invitation's to that
      member); DESCRIPTION has what members must read (reason, access link,
      topics address, who uses invitations and who the feed); a CANCEL has
      the reason as COMMENT and in DESCRIPTION, and its text promises no
      "marked as cancelled"; UIDs and Message-IDs carry the committee id.
  check_calendar.py feed FEED.ics MAILDIR
      per UID the feed's SEQUENCE is the highest the mails carried, per moved
      occurrence the highest of its own REQUESTs; LAST-MODIFIED on every
      VEVENT (UTC); no ATTENDEE.
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


def rid(ev):
    r = ev.get("RECURRENCE-ID")
    return r.dt.strftime("%Y-%m-%dT%H:%M") if r else None


def check_mails(maildir, committee, move_reason, cancel_reason):
    series_seq = {}  # (recipient, uid) -> SEQUENCE of the series invitation
    updates = []
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
        desc = unfolded(evs[0].get("DESCRIPTION"))
        if kind in ("invitation", "update"):
            for need in ("themen@fitko.example", "Mitglieder des Gremiums",
                         "nicht zusätzlich"):
                if need not in desc:
                    fail("%s: DESCRIPTION lacks %r: %r" % (name, need, desc))
        if kind == "invitation" and "RRULE" in evs[0]:
            if len(evs) != 1 or any(rid(e) for e in evs):
                fail("%s: series invitation with %d VEVENTs / an override" % (name, len(evs)))
            if "Zugang: https://" not in desc:
                fail("%s: no access link in DESCRIPTION: %r" % (name, desc))
            series_seq[(to, str(evs[0]["UID"]))] = int(evs[0]["SEQUENCE"])
            counts["series invitation"] += 1
        elif kind == "update" and rid(evs[0]):
            if len(evs) != 1 or "RRULE" in evs[0]:
                fail("%s: an occurrence's REQUEST must be one VEVENT without RRULE" % name)
            updates.append((name, to, str(evs[0]["UID"]), int(evs[0]["SEQUENCE"])))
            if move_reason and (move_reason not in desc or move_reason not in text):
                fail("%s: the reason %r is not in DESCRIPTION and text" % (name, move_reason))
            if evs[0]["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M") != str(m["X-Gremium-Occurrence"]):
                fail("%s: DTSTART %s, X-Gremium-Occurrence %s" % (name, evs[0]["DTSTART"].dt,
                                                                m["X-Gremium-Occurrence"]))
            counts["occurrence update"] += 1
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
    for name, to, uid, seq in updates:
        if (to, uid) in series_seq and seq <= series_seq[(to, uid)]:
            fail("%s: SEQUENCE %d not above the series invitation's %d" %
                 (name, seq, series_seq[(to, uid)]))
    print("check_calendar: mails ok: %s" % dict(counts))


def highest(maildir):
    """Highest SEQUENCE per UID, and per (UID, RECURRENCE-ID) of REQUESTs."""
    per_uid, per_occ = {}, {}
    for _, _, _, cal, _ in mails(maildir):
        for ev in cal.walk("VEVENT") if cal else []:
            uid, seq = str(ev["UID"]), int(ev["SEQUENCE"])
            per_uid[uid] = max(seq, per_uid.get(uid, -1))
            if rid(ev) and str(cal["METHOD"]) == "REQUEST":
                per_occ[(uid, rid(ev))] = max(seq, per_occ.get((uid, rid(ev)), -1))
    return per_uid, per_occ


def check_feed(path, maildir):
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    per_uid, per_occ = highest(maildir)
    n = 0
    for ev in cal.walk("VEVENT"):
        uid, seq = str(ev["UID"]), int(ev.get("SEQUENCE", -1))
        if "ATTENDEE" in ev:
            fail("ATTENDEE in the feed")
        lm = ev.get("LAST-MODIFIED")
        if lm is None or lm.dt.utcoffset() != datetime.timedelta(0):
            fail("%s: LAST-MODIFIED %r" % (uid, lm))
        # a moved occurrence: its own REQUESTs; else the UID's highest
        want = per_occ.get((uid, rid(ev)), per_uid.get(uid))
        if want is not None and seq != want:
            fail("%s %s: feed SEQUENCE %d, the invitations' %d" % (uid, rid(ev) or "", seq, want))
        n += want is not None
    if n == 0:
        fail("no VEVENT of the feed was in the mails")
    print("check_calendar: feed ok: %d VEVENTs with the invitations' SEQUENCE" % n)


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
