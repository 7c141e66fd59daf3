#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Socket activation as systemd does it, across the service's lifecycle.

Usage: check_socket.py GREMIUMD CONFIG FEED_PATH LOGDIR

Like systemd with gremiumd.socket, this launcher owns the listening socket
(127.0.0.1, a free port) and hands it to each gremiumd it starts as fd 3
(LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES; sd_listen_fds(3)), with a
NOTIFY_SOCKET of its own to see READY=1.  Meanwhile a client thread GETs
the feed over and over, a new connection each time.  The sequence:

  1. a request sent before any gremiumd runs (it waits in the kernel's
     queue, as the request that makes systemd start the service);
  2. start, reload (SIGHUP), stop (SIGTERM) then start, restart (SIGTERM
     and start at once), stop;
  3. after each stop: the launcher's socket still listens
     (SO_ACCEPTCONN) and a client can still connect to it.

Every request must be answered 200 with the calendar: no refused
connection, no reset, no 503.  Each phase waits (bounded by counts, not by
time) until the client has made requests in it.  Prints the counts and
exits 0, or prints what went wrong and exits 1.
"""
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import threading

GREMIUMD, CONFIG, PATH, LOGDIR = sys.argv[1:5]
REQUESTS_PER_PHASE = 20
WAIT_STEPS = 600          # x 0.05 s: bound on every wait below
TIMEOUT = 30              # per request: a queued request waits for the next start

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(128)
port = listener.getsockname()[1]

notify_path = os.path.join(LOGDIR, "notify.sock")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.05)

failures = []
results = {"ok": 0}
lock = threading.Lock()
stop_client = threading.Event()


def get():
    """One GET on a new connection: 'ok' or what went wrong."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        c.request("GET", PATH, headers={"Connection": "close"})
        r = c.getresponse()
        body = r.read()
        c.close()
    except OSError as e:  # refused, reset, timeout
        return "%s: %s" % (type(e).__name__, e)
    except http.client.HTTPException as e:
        return "%s: %s" % (type(e).__name__, e)
    if r.status != 200:
        return "HTTP %d" % r.status
    if not body.startswith(b"BEGIN:VCALENDAR"):
        return "200 without the calendar"
    return "ok"


def record(outcome, phase):
    with lock:
        if outcome == "ok":
            results["ok"] += 1
            results[phase] = results.get(phase, 0) + 1
        else:
            failures.append("%s: %s" % (phase, outcome))


phase = ["first request"]


def client():
    while not stop_client.is_set():
        record(get(), phase[0])


def wait_requests(name):
    """Wait (bounded) until the client made REQUESTS_PER_PHASE in phase name."""
    for _ in range(WAIT_STEPS):
        with lock:
            if results.get(name, 0) >= REQUESTS_PER_PHASE or failures:
                return
        stop_client.wait(0.05)
    failures.append("%s: only %d requests answered" % (name, results.get(name, 0)))


def wait_notify(what):
    for _ in range(WAIT_STEPS):
        try:
            msg = notify.recv(65536).decode()
        except socket.timeout:
            continue
        if what in msg.split("\n"):
            return
    raise SystemExit("FAIL: no %s from gremiumd" % what)


n_started = [0]


def start():
    n_started[0] += 1
    log = open(os.path.join(LOGDIR, "gremiumd-%d.log" % n_started[0]), "w")

    def as_systemd():
        # systemd's socket as fd 3, for this process only
        if listener.fileno() == 3:
            os.set_inheritable(3, True)
        else:
            os.dup2(listener.fileno(), 3)  # inheritable
        os.environ["LISTEN_FDS"] = "1"
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.environ["LISTEN_FDNAMES"] = "gremiumd.socket"
        os.environ["NOTIFY_SOCKET"] = notify_path

    p = subprocess.Popen([GREMIUMD, "-c", CONFIG], stderr=log, close_fds=False,
                         preexec_fn=as_systemd)
    log.close()
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=60)
    if rc != 0:
        failures.append("gremiumd exited %d on SIGTERM" % rc)
    still_listening("after stop %d" % n_started[0])


def still_listening(when, accept=False):
    """The launcher's socket must still listen: no shutdown() happened.
    accept: also take the probe from the queue (only with no other client:
    accept() takes the oldest connection, which may be the client's)."""
    if listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) != 1:
        failures.append("%s: the socket no longer listens (SO_ACCEPTCONN 0)" % when)
    s = socket.socket()
    try:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        # and the launcher can still accept it, as systemd would on POLLIN
        if not accept:
            pass
        elif not select.select([listener], [], [], 5)[0]:
            failures.append("%s: the socket does not become readable" % when)
        else:
            listener.accept()[0].close()
    except OSError as e:
        failures.append("%s: connecting to or accepting on the socket: %s" % (when, e))
    finally:
        s.close()


# 1. The request that wakes the service, sent before it runs: 200, not 503.
first = []
t = threading.Thread(target=lambda: first.append(get()))
t.start()
proc = start()
t.join()
record(first[0], "first request")
wait_notify("READY=1")

t = threading.Thread(target=client)
t.start()
try:
    for name in ("running", "reload", "stop/start", "restart"):
        phase[0] = name
        if name == "reload":
            proc.send_signal(signal.SIGHUP)
            wait_notify("READY=1")
        elif name == "stop/start":
            stop(proc)
            # the client keeps sending while nothing runs: queued, not refused
            proc = start()
            wait_notify("READY=1")
        elif name == "restart":
            stop(proc)
            proc = start()
            wait_notify("READY=1")
        wait_requests(name)
        if failures:
            break
    phase[0] = "stopped"
    stop(proc)
finally:
    stop_client.set()
    # the client may be waiting in the queue of a socket no gremiumd serves
    # now: one more start answers it
    if t.is_alive():
        proc = start()
        t.join(TIMEOUT + 5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

# the launcher's socket outlived every gremiumd; its queue still accepts
still_listening("at the end", accept=True)
for n in range(1, n_started[0] + 1):
    with open(os.path.join(LOGDIR, "gremiumd-%d.log" % n)) as f:
        log = f.read()
    if "socket from systemd" not in log:
        failures.append("gremiumd #%d did not use the passed socket: %s" % (n, log[-500:]))
if failures:
    print("FAIL: %d failures, first: %s" % (len(failures), "; ".join(failures[:5])))
    sys.exit(1)
print("check_socket: %d requests answered 200 across %d starts, a reload, stops and a restart; "
      "the socket kept listening" % (results["ok"], n_started[0]))
