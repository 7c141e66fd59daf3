#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fault-injecting SMTP server for tests/e2e_faults.sh (/usr/bin/python3).

Plain SMTP on 127.0.0.1:PORT (no TLS: the test config uses starttls = "off",
which gremiumd allows for loopback only).  What it does to a recipient
depends on the address's local part:

  tempfail*  451 to the first RCPT TO for the address, then accepted
  never*     451 to every RCPT TO (the sender must give up in time)
  drop*      the connection is closed after the message data, before the
             reply, the first time for the address (a connection lost
             mid-message: the client cannot know whether it arrived)
  reject*    550 to every RCPT TO
  slow*      each RCPT TO answered after 0.3 s
anything else is accepted; --delay SECONDS delays every DATA reply (a slow
server, so that a test can kill its client mid-send).  --hold N answers
the data of the first N messages only once all N have arrived, i.e. once N
sessions wait for their final reply at the same time; after HOLD_SECONDS
without that, it answers 451 instead (a client that waits for one
session's reply before it sends on the others cannot pass).

Each accepted message appends "RECIPIENT<TAB>MESSAGE-ID" to OUTDIR/received
(one line per recipient, flushed at once).  Creates OUTDIR/ready once it
listens; runs until SIGTERM.
"""
import argparse
import asyncio
import collections
import email.errors
import email.parser
import email.policy
import os
import signal
import threading

from aiosmtpd.controller import Controller

SLOW_RCPT = 0.3
HOLD_SECONDS = 10


class Handler:
    def __init__(self, outdir, delay, hold):
        self.log = open(os.path.join(outdir, "received"), "a", encoding="utf-8")
        self.delay = delay
        self.hold = hold
        self.held = 0
        self.together = None
        self.rcpt_seen = collections.Counter()
        self.dropped = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        self.rcpt_seen[address] += 1
        if local.startswith("slow"):
            await asyncio.sleep(SLOW_RCPT)
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected (fault test)" % address
        if local.startswith("never") or (local.startswith("tempfail") and self.rcpt_seen[address] == 1):
            return "451 4.3.0 Try again later (fault test)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def wait_for_the_others(self):
        """True once the first self.hold messages have all arrived."""
        if self.together is None:
            self.together = asyncio.Event()
        self.held += 1
        if self.held == self.hold:
            self.together.set()
        try:
            await asyncio.wait_for(self.together.wait(), HOLD_SECONDS)
            return True
        except asyncio.TimeoutError:
            return False

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.held < self.hold and not await self.wait_for_the_others():
            return "451 4.3.0 held alone: no other session sent its data (fault test)"
        drops = [r for r in envelope.rcpt_tos
                 if r.split("@")[0].startswith("drop") and r not in self.dropped]
        if drops:
            self.dropped.update(drops)
            # no reply: the message is not taken
            server.transport.abort()
            return "421 4.4.2 dropped (fault test)"
        msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
            envelope.original_content)
        mid = str(msg["Message-ID"]).strip()
        # a message cut short (e.g. an abandoned transfer ended with ".")
        # lacks its closing MIME boundary: log it under a name no outbox
        # entry has, so that check_faults.py reports it
        whole = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if any(isinstance(d, (email.errors.CloseBoundaryNotFoundDefect,
                              email.errors.StartBoundaryNotFoundDefect))
               for part in whole.walk() for d in part.defects):
            mid = "TRUNCATED:" + mid
        for r in envelope.rcpt_tos:
            self.log.write("%s\t%s\n" % (r, mid))
        self.log.flush()
        return "250 2.0.0 Ok: queued"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--hold", type=int, default=0)
    a = ap.parse_args()

    os.makedirs(a.outdir, exist_ok=True)
    controller = Controller(Handler(a.outdir, a.delay, a.hold), hostname="127.0.0.1", port=a.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    open(os.path.join(a.outdir, "ready"), "w").close()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
