#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check the agenda mails of tests/e2e_agenda.sh (issue 15) with Python's
email package and icalendar, independently of gremiumd.

Usage: check_agenda.py MAILDIR EXPECT.json
  EXPECT.json  {"members": [EMAIL, ...],
                "meetings": {WHEN: {"uid": UID, "rid": bool, "topics":
                             [[TITLE, NAME or null, ORGANISATION or null], ...]}},
                "reminders": [WHEN, ...]}   (reminders that must carry it)
Per member and meeting exactly one agenda mail; no agenda for any other
meeting.  Each: To the member; text/plain with the TOPs in order (or "keine
Themen"); a text/calendar part METHOD:REQUEST (method= equal) with one
VEVENT of that meeting (UID, RECURRENCE-ID for a meeting of the series,
DTSTART its start) whose DESCRIPTION holds the same agenda, the member's
ATTENDEE only, and the SEQUENCE of the member's last invitation or update
of that UID (a minor update).  Reminders listed carry it likewise.
"""
import collections
import email
import email.policy
import json
import os
import sys

import icalendar


def fail(msg):
    sys.exit("check_agenda: " + msg)


def agenda_lines(topics):
    if not topics:
        return ["Tagesordnung:", "Zu dieser Sitzung sind keine Themen eingegangen."]
    out = ["Tagesordnung:"]
    for i, (title, name, org) in enumerate(topics, 1):
        by = ", ".join(x for x in (name, org) if x)
        out.append("TOP %d: %s%s" % (i, title, " (eingebracht von %s)" % by if by else ""))
    return out


def calendar(name, m):
    parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
    if len(parts) != 1:
        fail("%s: %d text/calendar parts" % (name, len(parts)))
    if parts[0].get_param("method") != "REQUEST":
        fail("%s: method=%r" % (name, parts[0].get_param("method")))
    cal = icalendar.Calendar.from_ical(parts[0].get_content())
    if str(cal["METHOD"]) != "REQUEST":
        fail("%s: METHOD %r" % (name, cal["METHOD"]))
    return cal


def main():
    maildir, expect_path = sys.argv[1:3]
    want = json.load(open(expect_path, encoding="utf-8"))
    mails = []
    for fn in sorted(os.listdir(maildir)):
        raw = open(os.path.join(maildir, fn), "rb").read()
        mails.append((fn, email.message_from_bytes(raw, policy=email.policy.default)))
    # SEQUENCE each member holds per UID: from the last invitation/update
    held = {}
    for fn, m in sorted(mails, key=lambda x: x[0]):
        if str(m["X-Gremium-Kind"]) in ("invitation", "update"):
            for ev in calendar(fn, m).walk("VEVENT"):
                held[(m["To"].addresses[0].addr_spec, str(ev["UID"]))] = int(ev.get("SEQUENCE", 0))
    count = collections.Counter()
    reminders = collections.Counter()
    for fn, m in mails:
        kind = str(m["X-Gremium-Kind"])
        when = str(m["X-Gremium-Occurrence"]) if m["X-Gremium-Occurrence"] else None
        if kind not in ("agenda", "reminder"):
            continue
        addr = m["To"].addresses[0].addr_spec
        if kind == "reminder" and when not in want["reminders"]:
            if any(p.get_content_type() == "text/calendar" for p in m.walk()):
                # a reminder before its agenda carries none
                texts = [p.get_content() for p in m.walk() if p.get_content_type() == "text/plain"]
                if any("TOP 1:" in t for t in texts):
                    fail("%s: a reminder with an agenda not expected" % fn)
            continue
        if kind == "agenda":
            if when not in want["meetings"]:
                fail("%s: an agenda for %s, which should have none" % (fn, when))
            count[(addr, when)] += 1
        else:
            reminders[(addr, when)] += 1
        meet = want["meetings"][when]
        lines = agenda_lines(meet["topics"])
        text = [p for p in m.walk() if p.get_content_type() == "text/plain"][0].get_content()
        if "\n".join(lines) not in text.replace("\r\n", "\n"):
            fail("%s: the text lacks the agenda %r:\n%s" % (fn, lines, text))
        evs = list(calendar(fn, m).walk("VEVENT"))
        if len(evs) != 1:
            fail("%s: %d VEVENTs" % (fn, len(evs)))
        ev = evs[0]
        if str(ev["UID"]) != meet["uid"]:
            fail("%s: UID %s, expected %s" % (fn, ev["UID"], meet["uid"]))
        start = ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M")
        if start != when or str(ev["DTSTART"].params.get("TZID")) != "Europe/Berlin":
            fail("%s: DTSTART %s %r" % (fn, start, ev["DTSTART"].params))
        rid = ev.get("RECURRENCE-ID")
        if bool(rid) != meet["rid"] or (rid and rid.dt.strftime("%Y-%m-%dT%H:%M") != when):
            fail("%s: RECURRENCE-ID %r" % (fn, rid and rid.to_ical()))
        desc = str(ev.get("DESCRIPTION", ""))
        if "\n".join(lines) not in desc:
            fail("%s: DESCRIPTION lacks the agenda:\n%s" % (fn, desc))
        atts = ev.get("ATTENDEE")
        atts = atts if isinstance(atts, list) else [atts]
        if [str(a).lower() for a in atts] != ["mailto:" + addr.lower()]:
            fail("%s: ATTENDEE %r" % (fn, atts))
        seq = int(ev.get("SEQUENCE", 0))
        if seq != held.get((addr, meet["uid"]), -1):
            fail("%s: SEQUENCE %d, the member holds %r" % (fn, seq, held.get((addr, meet["uid"]))))
    for when in want["meetings"]:
        for addr in want["members"]:
            if count[(addr, when)] != 1:
                fail("%d agenda mails to %s for %s, expected 1" % (count[(addr, when)], addr, when))
    for when in want["reminders"]:
        for addr in want["members"]:
            if reminders[(addr, when)] != 1:
                fail("%d reminders with the agenda to %s for %s" % (reminders[(addr, when)], addr, when))
    print("check_agenda: %d agenda mails (%d meetings x %d members), %d reminders with it, as expected"
          % (sum(count.values()), len(want["meetings"]), len(want["members"]), sum(reminders.values())))


if __name__ == "__main__":
    main()
