#!/usr/bin/python3
"""Checks of the system test on the container's virtual maildirs
(/var/mail/vhosts/DOMAIN/USER/new/), read from the host.

  mailcheck.py count VHOSTS ADDRESSES [--each K] [--max-extra E]
      mails per mailbox of each address in the file ADDRESSES (one a line;
      mailbox VHOSTS/DOMAIN/USER): prints "M mailboxes, T mails, min A,
      max B, extra X" (extra = T - M*K); fails unless each has at least K
      mails (default 1) and extra <= E (default 0).
  mailcheck.py itip [--sequence S] [--contains TEXT] [--method METHOD]
                    [--list LISTFILE] FILE...
      each FILE is a mail with a text/calendar part of METHOD (default
      REQUEST) whose VEVENTs all have SEQUENCE S (if given) and that
      contains TEXT (if given).  LISTFILE: more FILEs, one a line.
"""
import argparse
import email
import email.policy
import os
import sys


def mailboxes(vhosts, addresses):
    out = {}
    with open(addresses) as f:
        for addr in f.read().split():
            user, domain = addr.rsplit("@", 1)
            box = os.path.join(vhosts, domain, user)
            out[addr] = sum(len(os.listdir(os.path.join(box, d)))
                            for d in ("new", "cur") if os.path.isdir(os.path.join(box, d)))
    return out


def count(a):
    boxes = mailboxes(a.vhosts, a.addresses)
    total = sum(boxes.values())
    extra = total - len(boxes) * a.each
    lo = min(boxes.values()) if boxes else 0
    hi = max(boxes.values()) if boxes else 0
    print("%d mailboxes, %d mails, min %d, max %d, extra %d" % (len(boxes), total, lo, hi, extra))
    bad = []
    short = [u for u, n in boxes.items() if n < a.each]
    if short:
        bad.append("%d mailboxes with fewer than %d mails, e.g. %s" % (len(short), a.each, short[:5]))
    if extra > a.max_extra:
        bad.append("%d mails more than %d per mailbox, at most %d allowed" % (extra, a.each, a.max_extra))
    for b in bad:
        print("mailcheck: " + b, file=sys.stderr)
    return 1 if bad else 0


def unfold(text):
    return text.replace("\r\n ", "").replace("\n ", "")


def itip(a):
    bad = 0
    if a.list:
        with open(a.list) as f:
            a.files += f.read().split()
    for path in a.files:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        cals = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        if not cals:
            print("mailcheck: %s: no text/calendar part" % path, file=sys.stderr)
            bad += 1
            continue
        ics = unfold(cals[0].get_content())
        problems = []
        if "METHOD:%s" % a.method not in ics:
            problems.append("not METHOD:%s" % a.method)
        if a.sequence is not None:
            seqs = [l.split(":", 1)[1].strip() for l in ics.splitlines() if l.startswith("SEQUENCE:")]
            if not seqs or any(s != str(a.sequence) for s in seqs):
                problems.append("SEQUENCE %s, expected %d" % (seqs, a.sequence))
        if a.contains and a.contains not in ics:
            problems.append("no %r" % a.contains)
        if problems:
            print("mailcheck: %s (%s): %s" % (path, msg["Subject"], "; ".join(problems)), file=sys.stderr)
            bad += 1
    print("%d mails checked, %d bad" % (len(a.files), bad))
    return 1 if bad or not a.files else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("count")
    c.add_argument("vhosts")
    c.add_argument("addresses")
    c.add_argument("--each", type=int, default=1)
    c.add_argument("--max-extra", type=int, default=0)
    i = sub.add_parser("itip")
    i.add_argument("--sequence", type=int)
    i.add_argument("--contains")
    i.add_argument("--method", default="REQUEST")
    i.add_argument("--list")
    i.add_argument("files", nargs="*")
    a = p.parse_args()
    return count(a) if a.cmd == "count" else itip(a)


if __name__ == "__main__":
    sys.exit(main())
