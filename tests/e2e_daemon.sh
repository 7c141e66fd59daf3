#!/bin/sh
# End-to-end: gremiumd under a NOTIFY_SOCKET made by the test.
# READY=1 and WATCHDOG=1 arrive; SIGHUP with a broken config keeps the old
# one running (STATUS= keeps the counts and adds the problem), also with
# `@include "/"` or a FIFO as a file it reads; SIGHUP with a good one sends
# RELOADING=1 and READY=1 and rewrites the feed; a feed address that cannot
# be bound on reload shows in STATUS= too, both problems at once as well,
# until fixed; SIGTERM sends STOPPING=1 and exits 0.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
sock=$WORK/notify.sock
msgs=$WORK/notify.log
: > "$msgs"
$PY "$top_srcdir/tests/notify_listener.py" "$sock" "$msgs" 120 &
listener=$!
stop_listener() { kill "$listener" 2>/dev/null; }
cleanup_hooks="stop_listener"

wait_for_socket() {
	i=0
	while [ ! -S "$sock" ]; do
		i=$((i + 1)); [ $i -le 100 ] || fail "notify socket never appeared"; sleep 0.1
	done
}
wait_for_socket

"$GREMIUMCTL" -c "$conf" preview --fresh --days 1 > "$WORK/preview"
NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 "$GREMIUMD" -c "$conf" 2> "$WORK/daemon.log" &
daemon=$!
stop_daemon() { kill "$daemon" 2>/dev/null; stop_listener; }
cleanup_hooks="stop_daemon"

wait_for 'READY=1' "$msgs"
wait_for 'WATCHDOG=1' "$msgs"
# At start it plans and sends what preview says is due now (invitations of
# every future object to every member, and any notification due today).
outbox=$WORK/etc/var/outbox/new
count_mail() { ls "$outbox" 2>/dev/null | wc -l; }
due=$(awk '$1 == "due" && $2 == "now" { n += $4 } END { print n + 0 }' "$WORK/preview")
[ "$due" -ge 14 ] || fail "preview promised only $due mails: $(cat "$WORK/preview")"
wait_for "outbox 0 queued, $due sent" "$msgs"
# while it sent, STATUS= showed the progress
grep -q "^STATUS=sending: [0-9]*/$due sent, [0-9]*/s, ETA " "$msgs" ||
	fail "no progress in STATUS=: $(grep STATUS= "$msgs")"
[ "$(count_mail)" -eq "$due" ] || fail "expected $due mails in the maildir, found $(count_mail)"
grep -q '^<6>sent invitation to ' "$WORK/daemon.log" || fail "no 'sent' log lines"
feed=$WORK/etc/var/kommunalgremium.ics
[ -s "$feed" ] || fail "no feed file written at start"
grep -q '^<6>' "$WORK/daemon.log" || fail "log lines lack sd-daemon priority prefixes"

# A broken config: rejected, old config keeps running.
cp "$conf" "$WORK/good.conf"
printf '\nbogus_key = 1;\n' >> "$conf"
: > "$msgs"
kill -HUP "$daemon"
wait_for 'config rejected' "$msgs"
grep -q 'RELOADING=1' "$msgs" || fail "no RELOADING=1 before the rejected reload"
kill -0 "$daemon" || fail "daemon died on a broken config"
grep -q '^<3>.*bogus_key' "$WORK/daemon.log" || fail "the config problem was not logged: $(cat "$WORK/daemon.log")"
# STATUS= keeps the counts and the next action (ISO 8601 with its offset)
# and adds the problem with its FILE:LINE
iso='[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'
grep -q "^STATUS=14 members; outbox 0 queued, $due sent, 0 failed; next action $iso; config rejected: $conf:[0-9]*: bogus_key" "$msgs" ||
	fail "STATUS= after a rejected reload: $(grep STATUS= "$msgs")"

# Issue 13 (points 2, 6): a reload never ends or hangs the daemon.  SIGHUP
# with `@include "/"` (libconfig's scanner called exit(2) on it), a FIFO as
# password_file, a FIFO among the templates: each rejected, logged, the
# daemon alive, the feed of the old config unchanged.
# reject WHAT WANT-IN-LOG
reject() {
	: > "$msgs"
	kill -HUP "$daemon"
	wait_for 'config rejected' "$msgs"
	kill -0 "$daemon" || fail "$1: the daemon died"
	grep -q "^<3>.*$2" "$WORK/daemon.log" || fail "$1: '$2' not logged: $(cat "$WORK/daemon.log")"
	[ "$(cksum < "$feed")" = "$feed_sum" ] || fail "$1: the feed changed"
}
feed_sum=$(cksum < "$feed")
{ cat "$WORK/good.conf"; printf '@include "/"\n'; } > "$conf"
reject '@include of a folder' 'gremiumd.conf:[0-9]*: @include is not supported'
mkfifo "$WORK/etc/pw"
sed -e 's|^  # password_credential = "gremiumd.smtp-password";|  password_file = "pw";|' \
	"$WORK/good.conf" > "$conf"
grep -q '^  password_file = "pw";' "$conf" || fail "test setup: no password_file line in the example"
reject 'FIFO as password_file' 'delivery.password_file: .*not a regular file'
mkdir "$WORK/etc/templates"
mkfifo "$WORK/etc/templates/reminder.de.txt"
sed -e 's|^# templates = "templates";|templates = "templates";|' "$WORK/good.conf" > "$conf"
grep -q '^templates = "templates";' "$conf" || fail "test setup: no templates line in the example"
reject 'FIFO as a template' 'reminder.de.txt.*not a regular file'

# A good config with a changed meeting: reloaded, feed rewritten.
sed -e 's/Videokonferenz/Videokonferenz (neuer Raum)/' "$WORK/good.conf" > "$conf"
grep -q 'neuer Raum' "$conf" || fail "test setup: the example has no 'Videokonferenz' location"
before=$(cksum < "$feed")
updates_before=$(grep -l '^X-Gremium-Kind: update' "$outbox"/* | wc -l)
: > "$msgs"
kill -HUP "$daemon"
wait_for 'READY=1' "$msgs"
grep -q 'RELOADING=1' "$msgs" || fail "no RELOADING=1"
wait_for 'neuer Raum' "$feed"
[ "$(cksum < "$feed")" != "$before" ] || fail "feed unchanged after reload"
# ... and each member gets one update of the online series and one of the
# moved January meeting (an object of its own, in the same room), each
# saying what changed: 28 mails.
wait_for "outbox 0 queued, $((due + 28)) sent" "$msgs"
[ "$(count_mail)" -eq $((due + 28)) ] || fail "expected 28 updates, maildir has $(count_mail) mails"
# the problem is solved: STATUS= no longer names it
grep "^STATUS=14 members" "$msgs" | tail -n 1 | grep -q 'rejected' && fail "STATUS= still says rejected: $(grep STATUS= "$msgs")"
[ "$(grep -l '^X-Gremium-Kind: update' "$outbox"/* | wc -l)" -eq $((updates_before + 28)) ] || fail "not 28 updates"
[ "$(grep -l 'Neuer Ort: Videokonferenz (neuer Raum)' "$outbox"/* | wc -l)" -eq 28 ] ||
	fail "the update does not say what changed"

# A feed address that cannot be bound on reload: logged, and STATUS= says
# so next to the counts until a reload fixes it.
port=$(free_port)
$PY -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close(); time.sleep(120)' "$port" "$WORK/held" &
holder=$!
stop_daemon() { kill "$daemon" "$holder" 2>/dev/null; stop_listener; }
i=0; while [ ! -e "$WORK/held" ]; do i=$((i + 1)); [ $i -le 100 ] || fail "port holder"; sleep 0.1; done
sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$port\";|" "$conf"
grep -q "listen = \"127.0.0.1:$port\"" "$conf" || fail "test setup: no 'listen = \"\";' line in the example"
: > "$msgs"
kill -HUP "$daemon"
wait_for "feed not served: cannot listen on 127.0.0.1:$port" "$msgs"
grep -q "^STATUS=14 members; outbox 0 queued, $((due + 28)) sent, 0 failed; next action $iso; feed not served: cannot listen on 127.0.0.1:$port: Address already in use" "$msgs" ||
	fail "STATUS= with an unbound feed: $(grep STATUS= "$msgs")"
grep -q "^<3>feed: cannot listen on 127.0.0.1:$port" "$WORK/daemon.log" || fail "the bind failure was not logged"
# both problems at once: a broken config on top
printf '\nbogus_key = 1;\n' >> "$conf"
: > "$msgs"
kill -HUP "$daemon"
wait_for 'config rejected' "$msgs"
grep -q "; config rejected: $conf:[0-9]*: bogus_key.*; feed not served: cannot listen on 127.0.0.1:$port" "$msgs" ||
	fail "STATUS= does not show both problems: $(grep STATUS= "$msgs")"
# the port is free again and the config fixed: both problems gone
kill "$holder"
wait "$holder" 2>/dev/null || true
sed -i '/^bogus_key = 1;$/d' "$conf"
: > "$msgs"
kill -HUP "$daemon"
wait_for '^STATUS=14 members' "$msgs"
grep '^STATUS=14 members' "$msgs" | grep -q 'rejected\|not served' && fail "problems still shown: $(grep STATUS= "$msgs")"
grep -q "^<6>feed served at http://127.0.0.1:$port" "$WORK/daemon.log" || fail "the feed did not start after the fix"

: > "$msgs"
kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
[ $rc -eq 0 ] || fail "gremiumd exited $rc on SIGTERM"
wait_for 'STOPPING=1' "$msgs"
echo "e2e_daemon: ok"
