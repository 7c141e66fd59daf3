#!/usr/bin/python3
"""Helpers of e2e_topics.sh (run by /usr/bin/python3).

calls MAILDIR OCCURRENCE: one line "ADDRESS MESSAGE-ID SUBJECT" per call for topics
  (X-Gremium-Kind: topic-call) for the meeting OCCURRENCE that the delivery
  maildir holds, read with Python's mailbox and email packages.
make FIXTURE OUT MESSAGE-ID REFERENCE [FROM [SUBJECT]]: FIXTURE (a mail as
  a client wrote it) with its Message-ID set, In-Reply-To and References set
  to REFERENCE ("-": both removed, a mail to topics_address without a
  reference), with FROM another From address, with SUBJECT another subject
  ("-": keep either).  The rest of the bytes
  stay as the client wrote them.
"""
import email
import email.header
import email.policy
import mailbox
import re
import sys


def calls(maildir, occurrence):
    for key, msg in mailbox.Maildir(maildir, factory=None, create=False).items():
        m = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
        if m["X-Gremium-Kind"] == "topic-call" and m["X-Gremium-Occurrence"] == occurrence:
            print(m["To"].addresses[0].addr_spec, str(m["Message-ID"]).strip().strip("<>"),
                  m["Subject"])


def make(fixture, out, message_id, reference, sender="-", subject="-"):
    sender = None if sender == "-" else sender
    data = open(fixture, "rb").read()
    sep = re.search(rb"\r?\n\r?\n", data)
    head, body = data[:sep.start()], data[sep.start():]
    nl = b"\r\n" if b"\r\n" in head else b"\n"
    fields, cur = [], None
    for line in head.split(nl):
        if line[:1] in (b" ", b"\t") and cur is not None:
            fields[-1] += nl + line
        else:
            fields.append(line)
            cur = line
    drop = (b"message-id", b"in-reply-to", b"references")
    if sender:
        drop += (b"from",)
    if subject != "-":
        drop += (b"subject",)
    kept = [f for f in fields if f.split(b":", 1)[0].strip().lower() not in drop]
    kept.append(b"Message-ID: <" + message_id.encode() + b">")
    if reference != "-":
        kept.append(b"In-Reply-To: <" + reference.encode() + b">")
        kept.append(b"References: <" + reference.encode() + b">")
    if sender:
        kept.append(b"From: " + sender.encode())
    if subject != "-":
        kept.append(b"Subject: " + email.header.Header(subject, "utf-8").encode().encode())
    open(out, "wb").write(nl.join(kept) + body)


if __name__ == "__main__":
    if sys.argv[1] == "calls":
        calls(sys.argv[2], sys.argv[3])
    else:
        make(*sys.argv[2:])
