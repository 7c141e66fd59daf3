#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A test SMTP server for tests/e2e_smtp.sh (run by /usr/bin/python3).

Listens on 127.0.0.1:PORT with STARTTLS required (certificate and key
given; --smtps: TLS from the start instead) and AUTH (one user and
password, only over TLS); --plain: neither TLS nor AUTH (a mail client's
outgoing server in tests/e2e_thunderbird.sh).  Writes each
message it accepts to OUTDIR/N.eml and its envelope to OUTDIR/N.env
("MAIL FROM" then each "RCPT TO" on its own line).  --tempfail answers every
RCPT TO with a 451, --reject with a 550.  Creates OUTDIR/ready once it accepts connections;
runs until SIGTERM.
"""
import argparse
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, outdir, tempfail, reject):
        self.outdir = outdir
        self.tempfail = tempfail
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.tempfail:
            return "451 4.3.0 Mailbox temporarily unavailable (test)"
        if self.reject:
            return "550 5.1.1 No such user (test)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        return "250 2.0.0 Ok: queued as test%d" % self.count


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticator


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--plain", action="store_true", help="no TLS, no AUTH")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--tempfail", action="store_true")
    ap.add_argument("--reject", action="store_true", help="answer RCPT TO with 550")
    ap.add_argument("--smtps", action="store_true", help="TLS from the start (port 465 style)")
    a = ap.parse_args()
    if not a.plain and not (a.cert and a.key and a.user and a.password):
        ap.error("--cert, --key, --user and --password are required without --plain")

    os.makedirs(a.outdir, exist_ok=True)
    if a.plain:
        opts = {}
    else:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        opts = {"ssl_context": ctx} if a.smtps else {"tls_context": ctx, "require_starttls": True}
        opts.update(auth_require_tls=True,
                    authenticator=make_authenticator(a.user, a.password))
    controller = Controller(
        Handler(a.outdir, a.tempfail, a.reject), hostname="127.0.0.1", port=a.port, **opts)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    open(os.path.join(a.outdir, "ready"), "w").close()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
