#!/usr/bin/python3
"""A stand-in for systemd's notification socket (sd_notify(3)).

Binds a unix datagram socket at argv[1] and appends every datagram it
receives to argv[2], one message per line ("READY=1|STATUS=..."), flushing
after each, until it is killed or argv[3] seconds (default 120) pass.
"""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(0.5)
deadline = time.monotonic() + limit
with open(out, "a", encoding="utf-8") as f:
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        f.write(data.decode("utf-8", "replace").replace("\n", "|") + "\n")
        f.flush()
