#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fill a maildir's new/ with N mixed mails for bench/letter.sh.

  letter_maildir.py DIR N FIXTURE...

Mail i is fixture i mod len(FIXTURES) (replies of every client, an
out-of-office, a bounce, a non-member, broken MIME, garbage), with its own
Message-ID, a From of one of 50 senders and a numbered Subject, so that no
two mails are the same bytes.  Files are written once, in order; prints N.
"""
import os
import re
import sys

HEADER_END = re.compile(rb"\r?\n\r?\n")


def vary(data, i):
    m = HEADER_END.search(data)
    if not m or not re.match(rb"[!-9;-~]+:", data):
        return data                      # not a mail: as it is
    head, body = data[:m.start()], data[m.start():]
    head = re.sub(rb"(?im)^(Message-I[Dd]:\s*<)[^@>]*", rb"\g<1>bench%d" % i, head, count=1)
    head = re.sub(rb"(?im)^(From:.*<)[^@>]*@", rb"\g<1>sender%d@" % (i % 50), head, count=1)
    head = re.sub(rb"(?im)^(Subject:[^\r\n]*)", rb"\g<1> #%d" % i, head, count=1)
    return head + body


def main():
    folder, n, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    blobs = []
    for path in sorted(fixtures):
        with open(path, "rb") as f:
            blobs.append(f.read())
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for i in range(n):
        name = os.path.join(folder, "new", "1797235200.M%dP1.bench" % i)
        with open(name, "wb") as f:
            f.write(vary(blobs[i % len(blobs)], i))
    print(n)


if __name__ == "__main__":
    main()
