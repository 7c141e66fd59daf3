#!/bin/sh
# End-to-end: socket activation as with gremiumd.socket (tests/check_socket.py
# plays systemd: it owns the listening socket and passes it to each gremiumd
# it starts).  The first request, sent before gremiumd runs, gets the feed
# (no 503); requests across a reload, stop/start and a restart are all
# answered 200 (none refused or reset); after every stop the socket still
# listens (gremiumd never shut it down), so systemd would keep
# gremiumd.socket active.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
# feed.listen is set, and the passed socket must win over it
sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$(free_port)\";|" "$conf"
grep -q 'listen = "127.0.0.1:[0-9]*"' "$conf" || fail "test setup: no 'listen = \"\";' line in the example"
mkdir -p "$WORK/logs"
$PY "$top_srcdir/tests/check_socket.py" "$GREMIUMD" "$conf" /kommunalgremium.ics "$WORK/logs" ||
	fail "socket activation: $(tail -n 5 "$WORK"/logs/gremiumd-*.log)"
