#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check one received invitation (tests/e2e_smtp.sh) with independent
parsers: Python's email package and icalendar.

Usage: check_imip.py FILE.eml TO_ADDRESS TO_NAME ORGANIZER
Exits non-zero with a message on the first problem.
"""
import email
import email.policy
import re
import sys

import icalendar


def fail(msg):
    sys.exit("check_imip: " + msg)


def main():
    path, to_addr, to_name, organizer = sys.argv[1:5]
    raw = open(path, "rb").read()
    for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d: bare CR or LF" % n)
        if len(line) > 998:
            fail("line %d: %d octets" % (n, len(line)))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    for part in m.walk():
        if part.defects:
            fail("%s: defects %r" % (part.get_content_type(), part.defects))

    to = m["To"].addresses
    if len(to) != 1 or to[0].addr_spec != to_addr or to[0].display_name != to_name:
        fail("To: %r" % (m["To"],))
    if m["From"].addresses[0].addr_spec != organizer:
        fail("From: %r" % (m["From"],))
    for name, want in (("Auto-Submitted", "auto-generated"),
                       ("X-Gremium-Kind", "invitation"),
                       ("MIME-Version", "1.0")):
        if str(m[name]) != want:
            fail("%s: %r" % (name, m[name]))
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", str(m["X-Gremium-Occurrence"])):
        fail("X-Gremium-Occurrence: %r" % m["X-Gremium-Occurrence"])
    if not re.fullmatch(r".* <[a-z0-9-]+\.[a-z0-9.-]+>", str(m["List-Id"])):
        fail("List-Id: %r" % m["List-Id"])
    if not str(m["Subject"]).startswith("["):
        fail("Subject: %r" % m["Subject"])

    # multipart/mixed { multipart/alternative { text/plain, text/calendar }, application/ics }
    if m.get_content_type() != "multipart/mixed":
        fail("root is %s" % m.get_content_type())
    top = m.get_payload()
    if [p.get_content_type() for p in top] != ["multipart/alternative", "application/ics"]:
        fail("mixed holds %r" % [p.get_content_type() for p in top])
    alt = top[0].get_payload()
    if [p.get_content_type() for p in alt] != ["text/plain", "text/calendar"]:
        fail("alternative holds %r" % [p.get_content_type() for p in alt])
    cal, att = alt[1], top[1]
    if cal.get_param("method") != "REQUEST" or cal.get_param("charset") != "UTF-8":
        fail("calendar Content-Type: %s" % cal["Content-Type"])
    if cal["Content-Transfer-Encoding"] != "quoted-printable":
        fail("calendar encoding %s" % cal["Content-Transfer-Encoding"])
    if att.get_filename() != "invite.ics" or att.get_content_disposition() != "attachment":
        fail("attachment %s / %s" % (att["Content-Type"], att["Content-Disposition"]))

    text = cal.get_content()
    if att.get_content().decode("utf-8").replace("\r\n", "\n") != text.replace("\r\n", "\n"):
        fail("attachment differs from the calendar part")
    c = icalendar.Calendar.from_ical(text)
    if str(c["METHOD"]) != "REQUEST":
        fail("METHOD %s" % c["METHOD"])
    events = list(c.walk("VEVENT"))
    if not events:
        fail("no VEVENT")
    for ev in events:
        attendees = ev.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        if [str(a).lower() for a in attendees] != ["mailto:" + to_addr.lower()]:
            fail("ATTENDEE %r" % attendees)
        if str(ev["ORGANIZER"]).lower() != "mailto:" + organizer.lower():
            fail("ORGANIZER %s" % ev["ORGANIZER"])
        if not re.fullmatch(r"[A-Za-z0-9_.-]+@[a-z0-9.-]+", str(ev.get("UID", ""))):
            fail("UID %r" % ev.get("UID"))
        # issue 12: what members must read is in DESCRIPTION (Thunderbird
        # shows the calendar part, not the text)
        if not str(ev.get("DESCRIPTION", "")).strip():
            fail("VEVENT without DESCRIPTION")
    # issue 12: "Accept all" answers only the master, and a REQUEST of one
    # occurrence depends on the order the member reads the mails in: no
    # REQUEST carries a RECURRENCE-ID (a moved meeting is an object of its
    # own, the series has an EXDATE for it)
    if any("RECURRENCE-ID" in ev for ev in events):
        fail("a REQUEST with an override VEVENT (RECURRENCE-ID)")
    for ev in events:
        if "+moved-" in str(ev["UID"]) and ("RRULE" in ev or "EXDATE" in ev):
            fail("a moved meeting's REQUEST with RRULE or EXDATE")
    print("check_imip: ok (%d VEVENT)" % len(events))


if __name__ == "__main__":
    main()
