#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare what an SMTP server received (faultsmtpd.py's "received" file)
with the outbox of a state database, for tests/e2e_faults.sh.

  check_faults.py DB RECEIVED [--max-dup N] [--failed ADDRESS]... [--done]

Every outbox entry marked sent arrived (its Message-ID, to its recipient),
every arrival belongs to an outbox entry, each arrived exactly once (or up
to N surplus arrivals in all with --max-dup, e.g. the mails in flight when
the sender was killed).  With --failed, exactly those addresses' entries are
failed, and nothing of theirs arrived.  With --done, nothing is queued or
being sent any more.  Exit 0, or 1 with the reason on stderr.
"""
import argparse
import collections
import sqlite3
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("received")
    ap.add_argument("--max-dup", type=int, default=0)
    ap.add_argument("--failed", action="append", default=[])
    ap.add_argument("--done", action="store_true")
    a = ap.parse_args()

    got = collections.Counter()
    with open(a.received, encoding="utf-8") as f:
        for line in f:
            rcpt, mid = line.rstrip("\n").split("\t")
            got[(rcpt, mid.strip("<>"))] += 1
    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    rows = db.execute("SELECT recipient, message_id, status FROM outbox").fetchall()
    problems = []
    sent = {(r, m) for r, m, s in rows if s == "sent"}
    known = {(r, m) for r, m, _ in rows}
    for pair in sorted(sent - set(got)):
        problems.append("marked sent, never arrived: %s %s" % pair)
    for pair in sorted(set(got) - known):
        problems.append("arrived, not in the outbox: %s %s" % pair)
    surplus = sum(n - 1 for n in got.values())
    if surplus > a.max_dup:
        problems.append("%d duplicate arrivals (at most %d allowed): %s" % (
            surplus, a.max_dup, sorted(p for p, n in got.items() if n > 1)[:10]))
    failed = {r for r, _, s in rows if s == "failed"}
    if a.failed and failed != set(a.failed):
        problems.append("failed: %s, expected %s" % (sorted(failed), sorted(a.failed)))
    for pair in got:
        if pair[0] in a.failed:
            problems.append("arrived for a failed address: %s %s" % pair)
    pending = [r for r in rows if r[2] in ("queued", "sending")]
    if a.done and pending:
        problems.append("%d entries still queued, e.g. %s" % (len(pending), pending[:3]))
    for p in problems:
        print("check_faults: " + p, file=sys.stderr)
    if not problems:
        print("check_faults: %d entries, %d arrivals, %d duplicates" % (len(rows), sum(got.values()), surplus))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
