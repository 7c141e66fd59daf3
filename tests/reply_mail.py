#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tests/e2e_attendance.sh's helper: a fixture of tests/fixtures/replies
made into the answer of a member to what gremiumd actually sent.

  uids OUTBOX                 the UID of each calendar object sent (one per
                              line, with its SUMMARY and whether it recurs)
  make FIXTURE OUT MESSAGE-ID [OLD=NEW ...] [DTSTAMP=VALUE]
                              the fixture with each OLD replaced by NEW in its
                              headers and calendar text (addresses, UID),
                              DTSTAMP set, a new Message-ID; the calendar
                              part keeps its transfer encoding, its lines are
                              folded again (RFC 5545 §3.1)

Standard library only (Python's email package).
"""
import base64
import email
import mailbox
import quopri
import re
import sys


def fold(text):
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        b = line.encode()
        first = True
        while len(b) > 75:
            cut = 75 if first else 74
            while (b[cut] & 0xC0) == 0x80:
                cut -= 1
            out.append((b"" if first else b" ") + b[:cut])
            b = b[cut:]
            first = False
        out.append((b"" if first else b" ") + b)
    return b"\r\n".join(out)


def cmd_uids(outbox):
    seen = set()
    for key, msg in mailbox.Maildir(outbox, create=False).items():
        for part in msg.walk():
            if part.get_content_type() != "text/calendar":
                continue
            text = part.get_payload(decode=True).decode()
            text = re.sub(r"\r?\n[ \t]", "", text)
            for ev in re.findall(r"BEGIN:VEVENT(.*?)END:VEVENT", text, re.S):
                uid = re.search(r"^UID:(.*)$", ev, re.M).group(1).strip()
                rec = "rrule" if re.search(r"^RRULE", ev, re.M) else "single"
                summary = re.search(r"^SUMMARY[^:]*:(.*)$", ev, re.M).group(1).strip()
                if uid not in seen:
                    seen.add(uid)
                    print("%s\t%s\t%s" % (uid, rec, summary))


def cmd_make(fixture, out, msgid, subs):
    with open(fixture, "rb") as f:
        msg = email.message_from_bytes(f.read())
    dtstamp = None
    pairs = []
    for s in subs:
        old, new = s.split("=", 1)
        if old == "DTSTAMP":
            dtstamp = new
        else:
            pairs.append((old, new))
    for name in ("From", "To", "Subject"):
        v = msg[name]
        if v is not None:
            for old, new in pairs:
                v = v.replace(old, new)
            msg.replace_header(name, v)
    msg.replace_header("Message-ID", "<%s>" % msgid)
    for part in msg.walk():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        text = part.get_payload(decode=True).decode()
        text = re.sub(r"\r?\n[ \t]", "", text)
        for old, new in pairs:
            text = text.replace(old, new)
        if dtstamp:
            text = re.sub(r"^DTSTAMP:.*$", "DTSTAMP:" + dtstamp, text, flags=re.M)
        raw = fold(text.rstrip("\r\n")) + b"\r\n"
        cte = (part.get("Content-Transfer-Encoding") or "").lower()
        if cte == "base64":
            part.set_payload(base64.encodebytes(raw).decode().replace("\n", "\r\n"))
        elif cte == "quoted-printable":
            part.set_payload(quopri.encodestring(raw).decode())
        else:
            part.set_payload(raw.decode("ascii", "surrogateescape"))
    with open(out, "wb") as f:
        f.write(msg.as_bytes())


def main():
    if sys.argv[1] == "uids":
        cmd_uids(sys.argv[2])
    elif sys.argv[1] == "make":
        cmd_make(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        sys.exit("usage: reply_mail.py uids OUTBOX | make FIXTURE OUT MESSAGE-ID [OLD=NEW...]")


if __name__ == "__main__":
    main()
