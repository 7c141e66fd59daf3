#!/bin/sh
# End-to-end: gremiumd under a NOTIFY_SOCKET made by the test.
# READY=1 and WATCHDOG=1 arrive; SIGHUP with a broken config keeps the old
# one running (STATUS says so); SIGHUP with a good one sends RELOADING=1 and
# READY=1 and rewrites the feed; SIGTERM sends STOPPING=1 and exits 0.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
sock=$WORK/notify.sock
msgs=$WORK/notify.log
: > "$msgs"
$PY "$top_srcdir/tests/notify_listener.py" "$sock" "$msgs" 120 &
listener=$!
stop_listener() { kill "$listener" 2>/dev/null; }
cleanup_hooks="stop_listener"

# wait_for PATTERN FILE [SECONDS]: poll (bounded) until grep finds PATTERN.
wait_for() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $((${3:-10} * 10)) ] || fail "timed out waiting for '$1' in $2: $(cat "$2")"
		sleep 0.1
	done
}
wait_for_socket() {
	i=0
	while [ ! -S "$sock" ]; do
		i=$((i + 1)); [ $i -le 100 ] || fail "notify socket never appeared"; sleep 0.1
	done
}
wait_for_socket

"$GREMIUMCTL" -c "$conf" preview --days 1 > "$WORK/preview"
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
wait_for 'reload rejected' "$msgs"
grep -q 'RELOADING=1' "$msgs" || fail "no RELOADING=1 before the rejected reload"
kill -0 "$daemon" || fail "daemon died on a broken config"
grep -q '^<3>.*bogus_key' "$WORK/daemon.log" || fail "the config problem was not logged: $(cat "$WORK/daemon.log")"

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
# ... and each member gets one update of the online series, saying what
# changed, and the moved January meeting again (the series update replaces
# the whole event in their clients): 28 mails.
wait_for "outbox 0 queued, $((due + 28)) sent" "$msgs"
[ "$(count_mail)" -eq $((due + 28)) ] || fail "expected 28 updates, maildir has $(count_mail) mails"
[ "$(grep -l '^X-Gremium-Kind: update' "$outbox"/* | wc -l)" -eq $((updates_before + 28)) ] || fail "not 28 updates"
[ "$(grep -l 'Neuer Ort: Videokonferenz (neuer Raum)' "$outbox"/* | wc -l)" -eq 14 ] ||
	fail "the update does not say what changed"

: > "$msgs"
kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
[ $rc -eq 0 ] || fail "gremiumd exited $rc on SIGTERM"
wait_for 'STOPPING=1' "$msgs"
echo "e2e_daemon: ok"
