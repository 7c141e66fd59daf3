#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the hand-made iMIP answer fixtures of tests/fixtures/replies/.

The shapes follow what the clients are documented to send (RFC 5546 §3.2.3
REPLY, §3.2.7 COUNTER):
  outlook-*  Outlook/Exchange ("PRODID:Microsoft Exchange Server 2010"): no
             ORGANIZER (nextcloud/server#53949, #58904; cyrus-imapd#4169),
             Windows zone names with their VTIMEZONE, COMMENT;LANGUAGE=de-DE,
             base64 text/calendar, German subjects "Zugesagt:", "Abgelehnt:",
             "Mit Vorbehalt:"
  gmail-*    Google Calendar ("-//Google Inc//Google Calendar 70.9054//EN"):
             times in UTC (RECURRENCE-ID ...Z), X-RESPONSE-COMMENT on the
             ATTENDEE, X-NUM-GUESTS, text/calendar plus an invite.ics
  apple-*    Apple Calendar ("-//Apple Inc.//macOS 14.2//EN"): TZID
             Europe/Berlin with its VTIMEZONE, ATTENDEE with EMAIL=, an .ics
             attachment (iCal-*.ics) with method=REPLY, REQUEST-STATUS
each for the series and for one occurrence (2027-02-10T10:00 of the example
config's "online" series), accepted, declined, tentative and delegated;
plus forged.eml (From one member, ATTENDEE another), unknown-uid.eml and
counter.eml (a proposed new time).  The member of each file is a fixed one
of the example config; e2e_attendance.sh rewrites addresses and UIDs.

Run: /usr/bin/python3 tests/make_reply_fixtures.py tests/fixtures/replies
"""
import base64
import os
import sys

UID = "online@fitko.example"
ORGANIZER = "kommunalgremium@fitko.example"
SUMMARY = "Kommunalgremium – Online-Sitzung"
OCC = {"outlook": ";TZID=W. Europe Standard Time:20270210T100000",
       "gmail": ":20270210T090000Z",
       "apple": ";TZID=Europe/Berlin:20270210T100000"}
MEMBER = {"outlook": ("Jürgen Müller", "juergen.mueller@landkreis-musterstadt.example"),
          "gmail": ("Özlem Yıldız", "oezlem.yildiz@markt-bergdorf.example"),
          "apple": ("Dörte Hansen-Lüders", "doerte.hansen@hansestadt-nordhafen.example")}
DEPUTY = "vertretung@kommune-beispiel.example"
COMMENT = "komme 30 min später"

VTZ_WINDOWS = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""

VTZ_BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:MESZ
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:MEZ
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
"""

SUBJECT = {
    "outlook": {"ACCEPTED": "Zugesagt", "DECLINED": "Abgelehnt", "TENTATIVE": "Mit Vorbehalt",
                "DELEGATED": "Delegiert"},
    "gmail": {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentatively Accepted",
              "DELEGATED": "Delegated"},
    "apple": {"ACCEPTED": "Angenommen", "DECLINED": "Abgelehnt", "TENTATIVE": "Vielleicht",
              "DELEGATED": "Delegiert"},
}


def fold(text):
    """RFC 5545 §3.1: lines of at most 75 octets, CRLF."""
    out = []
    for line in text.strip("\n").split("\n"):
        b = line.encode()
        first = True
        while len(b) > (75 if first else 74):
            cut = 75 if first else 74
            while (b[cut] & 0xC0) == 0x80:
                cut -= 1
            out.append((b"" if first else b" ") + b[:cut])
            b = b[cut:]
            first = False
        out.append((b"" if first else b" ") + b)
    return b"\r\n".join(out) + b"\r\n"


def attendee(client, name, addr, partstat):
    deputy = ';DELEGATED-TO="mailto:%s"' % DEPUTY if partstat == "DELEGATED" else ""
    if client == "outlook":
        return "ATTENDEE;PARTSTAT=%s%s;CN=%s:mailto:%s" % (partstat, deputy, name, addr)
    if client == "gmail":
        comment = ';X-RESPONSE-COMMENT="%s"' % COMMENT if partstat != "DELEGATED" else ""
        return ("ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=%s%s;CN=%s;"
                "X-NUM-GUESTS=0%s:mailto:%s" % (partstat, deputy, name, comment, addr))
    return ('ATTENDEE;CN="%s";CUTYPE=INDIVIDUAL;EMAIL="%s";PARTSTAT=%s%s:mailto:%s'
            % (name, addr, partstat, deputy, addr))


def calendar(client, method, partstat, occurrence, name, addr, uid=UID, dtstamp="20261201T081500Z"):
    rid = "RECURRENCE-ID" + OCC[client] + "\n" if occurrence else ""
    att = attendee(client, name, addr, partstat)
    if client == "outlook":
        start = "DTSTART;TZID=W. Europe Standard Time:%s\nDTEND;TZID=W. Europe Standard Time:%s\n"
        times = start % (("20270210T140000", "20270210T160000") if method == "COUNTER" else
                         ("20270210T100000", "20270210T120000") if occurrence else
                         ("20260114T100000", "20260114T120000"))
        return ("BEGIN:VCALENDAR\nMETHOD:%s\nPRODID:Microsoft Exchange Server 2010\nVERSION:2.0\n"
                % method + VTZ_WINDOWS + "BEGIN:VEVENT\n" + att + "\n"
                "COMMENT;LANGUAGE=de-DE:%s\\n\n" % COMMENT +
                "SUMMARY;LANGUAGE=de-DE:%s: %s\n" % (SUBJECT[client].get(partstat, "Neuer Zeitvorschlag"), SUMMARY) +
                times + "UID:%s\n" % uid + rid +
                "CLASS:PUBLIC\nPRIORITY:5\nDTSTAMP:%s\nTRANSP:OPAQUE\nSTATUS:CONFIRMED\n" % dtstamp +
                "SEQUENCE:0\nLOCATION;LANGUAGE=de-DE:Videokonferenz\n"
                "X-MICROSOFT-CDO-APPT-SEQUENCE:0\nX-MICROSOFT-CDO-OWNERAPPTID:-1386523401\n"
                "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\nX-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\n"
                "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE\nX-MICROSOFT-CDO-IMPORTANCE:1\n"
                "X-MICROSOFT-CDO-INSTTYPE:%d\nX-MICROSOFT-DONOTFORWARDMEETING:FALSE\n"
                "X-MICROSOFT-DISALLOW-COUNTER:FALSE\nEND:VEVENT\nEND:VCALENDAR\n"
                % (3 if occurrence else 1))
    if client == "gmail":
        times = ("DTSTART:20270210T090000Z\nDTEND:20270210T110000Z\n" if occurrence else
                 "DTSTART:20260114T090000Z\nDTEND:20260114T110000Z\n")
        return ("BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\n"
                "VERSION:2.0\nCALSCALE:GREGORIAN\nMETHOD:%s\nBEGIN:VEVENT\n" % method + times +
                "DTSTAMP:%s\nORGANIZER;CN=Kommunalgremium:mailto:%s\nUID:%s\n" % (dtstamp, ORGANIZER, uid) +
                rid + att + "\nCREATED:20261128T080000Z\nLAST-MODIFIED:%s\n" % dtstamp +
                "LOCATION:Videokonferenz\nSEQUENCE:0\nSTATUS:CONFIRMED\nSUMMARY:%s\n" % SUMMARY +
                "TRANSP:OPAQUE\nEND:VEVENT\nEND:VCALENDAR\n")
    times = ("DTSTART;TZID=Europe/Berlin:20270210T100000\nDTEND;TZID=Europe/Berlin:20270210T120000\n"
             if occurrence else
             "DTSTART;TZID=Europe/Berlin:20260114T100000\nDTEND;TZID=Europe/Berlin:20260114T120000\n")
    return ("BEGIN:VCALENDAR\nMETHOD:%s\nVERSION:2.0\nPRODID:-//Apple Inc.//macOS 14.2//EN\n" % method +
            VTZ_BERLIN + "BEGIN:VEVENT\n" + att + "\n" + times.split("\n")[1] + "\n" +
            "DTSTAMP:%s\n" % dtstamp + times.split("\n")[0] + "\n" +
            'ORGANIZER;CN=Kommunalgremium;EMAIL="%s":mailto:%s\n' % (ORGANIZER, ORGANIZER) +
            rid + "REQUEST-STATUS:2.0;Success\nSEQUENCE:0\nSUMMARY:%s\nUID:%s\n" % (SUMMARY, uid) +
            "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\nEND:VEVENT\nEND:VCALENDAR\n")


def mail(client, name, addr, subject, method, ics, msgid):
    """The message around the calendar text, as the client wraps it."""
    from email.header import Header
    head = ("From: %s <%s>\r\nTo: Kommunalgremium <%s>\r\nSubject: %s\r\n"
            "Date: Tue, 1 Dec 2026 09:15:00 +0100\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            % (Header(name, "utf-8").encode(), addr, ORGANIZER, Header(subject, "utf-8").encode(), msgid))
    text = ("%s hat die Einladung beantwortet: %s\r\n" % (name, subject)).encode()
    b = "----=_Part_%s" % abs(hash(msgid)) if False else "----=_NextPart_000_0001_01DB4A3C.5E1F2A30"
    if client == "outlook":
        head = head.replace("MIME-Version", "Thread-Topic: %s\r\nX-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\nMIME-Version"
                            % Header(SUMMARY, "utf-8").encode())
        body = ("Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n"
                "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" % (b, b)).encode()
        body += base64.encodebytes(text).replace(b"\n", b"\r\n")
        body += ("\r\n--%s\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=%s\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n" % (b, method)).encode()
        body += base64.encodebytes(ics).replace(b"\n", b"\r\n")
        body += ("\r\n--%s--\r\n" % b).encode()
    elif client == "gmail":
        b = "000000000000a1b2c3062b4d5e6f"
        body = ("Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n"
                "Content-Type: multipart/alternative; boundary=\"%sx\"\r\n\r\n--%sx\r\n"
                "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" % (b, b, b, b)).encode() + text
        body += ("\r\n--%sx\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=%s\r\n"
                 "Content-Transfer-Encoding: 7bit\r\n\r\n" % (b, method)).encode() + ics
        body += ("\r\n--%sx--\r\n\r\n--%s\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
                 "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n" % (b, b)).encode()
        body += base64.encodebytes(ics).replace(b"\n", b"\r\n") + ("\r\n--%s--\r\n" % b).encode()
    else:
        b = "Apple-Mail=_5B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9"
        body = ("Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n"
                "Content-Transfer-Encoding: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                % (b, b)).encode() + text
        body += ("\r\n--%s\r\nContent-Disposition: attachment; filename=iCal-20261201-091500.ics\r\n"
                 "Content-Type: text/calendar; method=%s; name=iCal-20261201-091500.ics\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n" % (b, method)).encode()
        import quopri
        body += quopri.encodestring(ics) + ("\r\n--%s--\r\n" % b).encode()
    return head.encode() + body


def write(outdir, fname, client, method, partstat, occurrence, sender=None, attendee_of=None,
          uid=UID):
    name, addr = MEMBER[client]
    aname, aaddr = attendee_of or (name, addr)
    sname, saddr = sender or (name, addr)
    ics = fold(calendar(client, method, partstat, occurrence, aname, aaddr, uid))
    subject = "%s: %s" % (SUBJECT[client].get(partstat) if method == "REPLY" else
                          "Neuer Zeitvorschlag", SUMMARY)
    msgid = "%s@%s" % (fname.replace(".eml", ""), saddr.split("@")[1])
    with open(os.path.join(outdir, fname), "wb") as f:
        f.write(mail(client, sname, saddr, subject, method, ics, msgid))


def main():
    outdir = sys.argv[1]
    for client in ("outlook", "gmail", "apple"):
        for scope in ("series", "occurrence"):
            for ps in ("ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"):
                write(outdir, "%s-%s-%s.eml" % (client, scope, ps.lower()), client, "REPLY", ps,
                      scope == "occurrence")
    lars = ("Lars Nußbaum", "lars.nussbaum@dataport-beispiel.example")
    write(outdir, "forged.eml", "outlook", "REPLY", "DECLINED", False, sender=lars)
    write(outdir, "unknown-uid.eml", "gmail", "REPLY", "ACCEPTED", False,
          uid="040000008200E00074C5B7101A82E0080000000010B2C3D4E5F6@elsewhere.example")
    write(outdir, "counter.eml", "outlook", "COUNTER", "TENTATIVE", True)


if __name__ == "__main__":
    main()
