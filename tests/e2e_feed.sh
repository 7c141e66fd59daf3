#!/bin/sh
# End-to-end: the subscription feed over HTTP from the real gremiumd, with
# the curl CLI and raw sockets: headers, both kinds of 304, HEAD without a
# body, 405, 404, a garbage request, 100 half-open connections that do not
# starve a normal client, SIGHUP with a changed meeting (new ETag and body,
# never an error while reloading), with a changed feed.listen, and on a
# socket passed as by systemd (systemd-socket-activate, when installed).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v curl > /dev/null || { echo "e2e_feed: no curl, skipped"; exit 77; }

conf=$(example_config)
port=$(free_port)
sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$port\";|" "$conf"
grep -q "listen = \"127.0.0.1:$port\"" "$conf" || fail "test setup: no 'listen = \"\";' line in the example"
path=/kommunalgremium.ics
url=http://127.0.0.1:$port$path
feed=$WORK/etc/var/kommunalgremium.ics

"$GREMIUMD" -c "$conf" 2> "$WORK/daemon.log" &
daemon=$!
holder=
stop_all() {
	[ -z "$holder" ] || kill "$holder" 2>/dev/null
	kill "$daemon" 2>/dev/null
}
cleanup_hooks="stop_all"

# raw REQUEST: send REQUEST (printf escapes) on one connection, print the
# answer until the server closes (bounded by 5 s).
raw() {
	$PY - "$port" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
EOF
}
# code [CURL ARGS...]: the status code of a request to $url
code() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$@" "$url"; }
# hdr NAME FILE: the value of header NAME in a curl -D dump
hdr() { tr -d '\r' < "$2" | sed -n "s/^$1: //Ip" | head -n 1; }

# gremiumd serves at once the feed of the recorded state, then plans and
# rewrites it (SEQUENCE, LAST-MODIFIED): wait until both have settled
i=0
until curl -s -o "$WORK/first" --max-time 1 "$url" && cmp -s "$WORK/first" "$feed"; do
	i=$((i + 1)); [ $i -le 300 ] || fail "server never answered with the feed file: $(cat "$WORK/daemon.log")"; sleep 0.1
done

# 200 with the feed file's bytes and the validators
curl -sS --max-time 5 -D "$WORK/h" -o "$WORK/body" "$url" || fail "GET failed"
head -n 1 "$WORK/h" | grep -q ' 200' || fail "GET: $(head -n 1 "$WORK/h")"
[ "$(hdr Content-Type "$WORK/h")" = "text/calendar; charset=utf-8" ] || fail "Content-Type: $(cat "$WORK/h")"
etag=$(hdr ETag "$WORK/h")
case $etag in \"*\") ;; *) fail "no strong ETag: '$etag'" ;; esac
lm=$(hdr Last-Modified "$WORK/h")
echo "$lm" | grep -Eq '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' || fail "Last-Modified: '$lm'"
[ -n "$(hdr Cache-Control "$WORK/h")" ] || fail "no Cache-Control"
cmp -s "$WORK/body" "$feed" || fail "served bytes differ from the feed file"
grep -q '^BEGIN:VCALENDAR' "$WORK/body" || fail "body is no calendar"

# both kinds of 304; If-None-Match wins over If-Modified-Since (RFC 7232 §6)
[ "$(code -H "If-None-Match: $etag")" = 304 ] || fail "If-None-Match: no 304"
[ "$(code -H "If-None-Match: \"x\", W/$etag")" = 304 ] || fail "If-None-Match list: no 304"
[ "$(code -H "If-Modified-Since: $lm")" = 304 ] || fail "If-Modified-Since: no 304"
[ "$(code -H 'If-None-Match: "x"' -H "If-Modified-Since: $lm")" = 200 ] || fail "If-None-Match must decide"
[ "$(code -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT')" = 200 ] || fail "old If-Modified-Since: no 200"

# HEAD: the 200's Content-Length, no body on the wire
raw "HEAD $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" > "$WORK/head"
head -n 1 "$WORK/head" | grep -q ' 200' || fail "HEAD: $(head -n 1 "$WORK/head")"
[ "$(hdr Content-Length "$WORK/head")" = "$(wc -c < "$feed" | tr -d ' ')" ] || fail "HEAD Content-Length"
[ "$($PY -c 'import sys; d=sys.stdin.buffer.read(); print(len(d.split(b"\r\n\r\n", 1)[1]))' < "$WORK/head")" = 0 ] ||
	fail "HEAD sent a body"

# 405 with Allow for other methods, 404 elsewhere, 400 for garbage
for m in POST PUT DELETE PATCH; do
	curl -s --max-time 5 -D "$WORK/h" -o /dev/null -X "$m" --data-binary x "$url" || true
	head -n 1 "$WORK/h" | grep -q ' 405' || fail "$m: $(head -n 1 "$WORK/h")"
	[ "$(hdr Allow "$WORK/h")" = "GET, HEAD" ] || fail "$m: no 'Allow: GET, HEAD'"
done
[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404 ] || fail "no 404"
raw 'BLAH\x01 /\x7f\r\n\r\n' | head -n 1 | grep -q ' 400' || fail "garbage: no 400"

# 100 half-open connections from another client address (127.0.0.2: one
# address may hold only 64) send part of a request and stall.  A normal
# client is still served promptly, and the server closes the stalled ones
# after its idle timeout (10 s).
$PY - "$port" "$WORK/holder" <<'EOF' &
import socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
conns = []
for _ in range(100):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /kommunalgremium.ics HTTP/1.1\r\nHost: x\r\n")
        conns.append(s)
    except OSError:
        s.close()
with open(out + ".ready", "w") as f:
    f.write("%d\n" % len(conns))
deadline, open_ = time.time() + 20, list(conns)
for s in conns:
    s.setblocking(False)
while open_ and time.time() < deadline:
    for s in list(open_):
        try:
            if s.recv(4096) == b"":
                open_.remove(s)
        except BlockingIOError:
            pass
        except OSError:
            open_.remove(s)
    time.sleep(0.2)
with open(out, "w") as f:
    f.write("%d\n" % len(open_))
EOF
holder=$!
i=0
while [ ! -s "$WORK/holder.ready" ]; do
	i=$((i + 1)); [ $i -le 100 ] || fail "half-open clients never connected"; sleep 0.1
done
t=$(curl -s -o /dev/null --max-time 3 -w '%{http_code} %{time_total}' "$url") || fail "normal request failed under 100 half-open connections"
echo "$t" | awk '$1 != 200 || $2 > 1.0 { exit 1 }' || fail "normal request under 100 half-open connections: $t"
echo "e2e_feed: $(cat "$WORK/holder.ready") of 100 half-open connections accepted, normal request: $t s"
wait "$holder" || fail "half-open holder failed"
holder=
[ "$(cat "$WORK/holder")" = 0 ] || fail "$(cat "$WORK/holder") stalled connections still open after 20 s"

# SIGHUP with a changed meeting: new ETag and body, and no request during
# the reloads gets anything but 200
sed -e 's/Videokonferenz/Videokonferenz (neuer Raum)/' "$conf" > "$WORK/new.conf"
grep -q 'neuer Raum' "$WORK/new.conf" || fail "test setup: the example has no 'Videokonferenz' location"
$PY - "$port" "$path" "$WORK/statuses" <<'EOF' &
import http.client, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
bad, deadline = [], time.time() + 3
while time.time() < deadline:
    conn.request("GET", sys.argv[2])
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        bad.append(r.status)
open(sys.argv[3], "w").write(" ".join(map(str, bad)))
EOF
poller=$!
sleep 0.5
kill -HUP "$daemon"
sleep 0.5
cp "$WORK/new.conf" "$conf"
kill -HUP "$daemon"
wait "$poller" || fail "poller failed during reload"
[ -z "$(cat "$WORK/statuses")" ] || fail "answers other than 200 during reload: $(cat "$WORK/statuses")"
i=0
while :; do
	curl -s --max-time 5 -D "$WORK/h" -o "$WORK/body" "$url" || fail "GET after reload failed"
	[ "$(hdr ETag "$WORK/h")" = "$etag" ] || break
	i=$((i + 1)); [ $i -le 50 ] || fail "ETag unchanged after SIGHUP"; sleep 0.1
done
grep -q 'neuer Raum' "$WORK/body" || fail "body unchanged after SIGHUP"
[ "$(code -H "If-None-Match: $etag")" = 200 ] || fail "the old ETag still matches"
[ "$(code -H "If-None-Match: $(hdr ETag "$WORK/h")")" = 304 ] || fail "the new ETag does not match"

# SIGHUP with a changed feed.listen: the server moves
port2=$(free_port)
sed -i "s|listen = \"127.0.0.1:$port\";|listen = \"127.0.0.1:$port2\";|" "$conf"
kill -HUP "$daemon"
i=0
until [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$port2$path")" = 200 ]; do
	i=$((i + 1)); [ $i -le 50 ] || fail "no server on the new address: $(cat "$WORK/daemon.log")"; sleep 0.1
done
curl -s -o /dev/null --max-time 1 "$url" && fail "the old address still answers"
grep -q 'feed.listen changed' "$WORK/daemon.log" || fail "the address change was not logged"

kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
[ $rc -eq 0 ] || fail "gremiumd exited $rc on SIGTERM"

# Socket activation (gremiumd.socket): the passed socket wins over feed.listen.
if command -v systemd-socket-activate > /dev/null; then
	port3=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$port3" "$GREMIUMD" -c "$conf" 2> "$WORK/activated.log" &
	daemon=$!
	i=0
	until [ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$port3$path")" = 200 ]; do
		i=$((i + 1)); [ $i -le 50 ] || fail "no feed on the passed socket: $(cat "$WORK/activated.log")"; sleep 0.1
	done
	grep -q 'socket from systemd' "$WORK/activated.log" || fail "passed socket not used: $(cat "$WORK/activated.log")"
	grep -q 'overridden by the socket' "$WORK/activated.log" || fail "feed.listen override not logged"
	kill -TERM "$daemon"
	wait "$daemon" || fail "socket-activated gremiumd exited $? on SIGTERM"
fi
echo "e2e_feed: ok"
