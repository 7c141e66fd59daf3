#!/bin/sh
# End-to-end: delivery faults (tests/faultsmtpd.py on 127.0.0.1).
# 1. run-once, again and again with --now advancing past the retry times,
#    against a server that answers 451 to some recipients (once, or
#    always), drops the connection after the data of others, answers 550
#    to one and is slow for some: in the end every deliverable mail arrived
#    exactly once (by Message-ID), the 550 and the always-451 recipients are
#    failed (the latter after retry_for_hours), and `status` names them with
#    the server's answer.
# 2. gremiumd killed with SIGKILL mid-send and started again: every mail
#    arrives; duplicates only of those in flight, i.e. taken by the server
#    and not yet recorded: the transport starts no new mail while 3 per
#    connection wait to be recorded, so at most 4 per connection
#    (tr_recorded() in transport.h), 16 with delivery.connections = 4.
#    Stopped with SIGTERM mid-send instead: it exits 0 after the mails
#    being sent, leaves nothing `sending`, and after a restart every mail
#    has arrived exactly once.
# 3. gremiumd reloaded twice mid-send: every mail arrives, nothing stays
#    `sending`.
# 4. The connections wait for their final replies at the same time: a
#    server that answers the first 4 messages' data only once all 4 have
#    arrived gets every mail at the first try (libcurl blocks while it
#    waits for that reply, so one thread driving all sessions would have
#    had one message waiting at a time, and 451s).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

$PY -c 'import aiosmtpd' 2>/dev/null || { echo "e2e_faults: no aiosmtpd, skipping"; exit 77; }

server_pids=""
daemon_pid=""
stop_all() {
	[ -z "$daemon_pid" ] || kill -9 "$daemon_pid" 2>/dev/null || true
	for p in $server_pids; do kill "$p" 2>/dev/null || true; done
	for p in $server_pids; do wait "$p" 2>/dev/null || true; done
}
cleanup_hooks="$cleanup_hooks stop_all"

# start_server NAME [ARGS...]: sets port (in this shell, so stop_all sees the pid)
start_server() {
	name=$1
	shift
	port=$(free_port)
	$PY "$top_srcdir/tests/faultsmtpd.py" --port "$port" --outdir "$WORK/$name" "$@" \
		>"$WORK/$name.log" 2>&1 &
	server_pids="$server_pids $!"
	wait_ready "$name"
}

# config DIR PORT MEMBERS... : the example with these members and delivery
# over plain SMTP to 127.0.0.1:PORT, in DIR/gremiumd.conf
config() {
	dir=$1 port=$2
	shift 2
	mkdir -p "$dir"
	sed -e '/^members = (/,/^);/d' -e '/^delivery = {/,/^};/d' "$top_srcdir/etc/gremiumd.conf" \
		> "$dir/gremiumd.conf"
	{
		echo 'members = ('
		sep=""
		for m in "$@"; do
			printf '%s  { name = "Mitglied %s"; email = "%s@faults.example"; group = "kgst"; }' \
				"$sep" "$m" "$m"
			sep=",
"
		done
		printf '\n);\n'
		cat <<EOT
delivery = {
  transport = "smtp";
  smtp_url = "smtp://127.0.0.1:$port";
  starttls = "off";
  connections = 4;
  timeout = 10;
  retry_for_hours = 1;
};
EOT
	} >> "$dir/gremiumd.conf"
	"$GREMIUMCTL" -c "$dir/gremiumd.conf" check >/dev/null || fail "the test config does not check"
}

# ---- 1. faults, run-once with advancing --now ----
start_server faults
members=""
for i in 01 02 03 04 05; do members="$members tempfail$i drop$i"; done
for i in 01 02 03; do members="$members slow$i"; done
members="$members reject01 never01"
i=1
while [ $i -le 25 ]; do members="$members member$i"; i=$((i + 1)); done
# shellcheck disable=SC2086
config "$WORK/run" "$port" $members
[ "$(echo $members | wc -w)" -eq 40 ] || fail "test setup: not 40 members"

# 09:00 plans and sends; the later runs only retry (nothing else is due
# until 30 December); 11:00 is past retry_for_hours for never01.
last=""
for now in 09:00 09:10 09:20 09:30 09:40 09:50 11:00 12:00; do
	set +e
	"$GREMIUMCTL" -c "$WORK/run/gremiumd.conf" run-once --now "2026-11-28T$now" \
		>"$WORK/run-$now.out" 2>&1
	rc=$?
	set -e
	last=$now
	[ $rc -eq 0 ] && break
	[ $rc -eq 75 ] || fail "run-once at $now exited $rc: $(cat "$WORK/run-$now.out")"
done
[ $rc -eq 0 ] || fail "mail still queued after the run at $last"
[ "$last" = 11:00 ] || fail "never01 should be given up at 11:00, not at $last"
grep -q '^planned 160 messages$' "$WORK/run-09:00.out" || fail "run 1: $(cat "$WORK/run-09:00.out")"
grep -q 'tempfail01@faults.example: temporary failure, retrying later: 451 4.3.0 ' "$WORK/run-09:00.out" ||
	fail "no 451 reported: $(cat "$WORK/run-09:00.out")"
grep -q 'drop01@faults.example: temporary failure, retrying later: ' "$WORK/run-09:00.out" ||
	fail "the dropped connection was not a temporary failure: $(cat "$WORK/run-09:00.out")"
grep -q 'never01@faults.example: failed (retry time over): 451 ' "$WORK/run-11:00.out" ||
	fail "never01 not given up: $(cat "$WORK/run-11:00.out")"
$PY "$top_srcdir/tests/check_faults.py" "$WORK/run/var/state.db" "$WORK/faults/received" --done \
	--failed reject01@faults.example --failed never01@faults.example ||
	fail "what arrived does not match the outbox"
# a lost connection: the same message (same Message-ID) went again
$PY - "$WORK/run/var/state.db" <<'EOT' || fail "dropped messages were not retried as they were"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i in range(1, 6):
    rows = db.execute("SELECT attempts, status FROM outbox WHERE recipient = ?",
                      ("drop%02d@faults.example" % i,)).fetchall()
    # four invitations: the moved meeting is an object of its own (issue 12)
    assert sorted(rows) == [(1, "sent"), (1, "sent"), (1, "sent"), (2, "sent")], rows
EOT
"$GREMIUMCTL" -c "$WORK/run/gremiumd.conf" status > "$WORK/status"
[ "$(head -n 1 "$WORK/status")" = "152 sent, 0 queued, 8 failed" ] || fail "status: $(cat "$WORK/status")"
[ "$(grep -c '^failed: reject01@faults.example (invitation.*): 550 5.1.1 <reject01@faults.example>: Recipient address rejected (fault test)$' "$WORK/status")" -eq 4 ] ||
	fail "status does not name the refused address with the answer: $(cat "$WORK/status")"
grep -q '^failed: never01@faults.example (invitation.*): 451 4.3.0 Try again later (fault test)$' "$WORK/status" ||
	fail "status does not name the given-up address: $(cat "$WORK/status")"

# ---- helpers of the daemon cases (2, 2b, 3) ----
# names PREFIX N: "PREFIX1 ... PREFIXN"
names() {
	n=1 list=""
	while [ $n -le "$2" ]; do list="$list $1$n"; n=$((n + 1)); done
	echo "$list"
}
count() { wc -l < "$received" 2>/dev/null || echo 0; }
# start_daemon NAME LOG: gremiumd on $WORK/NAME, stderr into $WORK/LOG
start_daemon() {
	"$GREMIUMD" -c "$WORK/$1/gremiumd.conf" 2>"$WORK/$2" &
	daemon_pid=$!
}
# wait_arrivals N LOG: until N mails have arrived (at most 30 s)
wait_arrivals() {
	n=0
	while [ "$(count)" -lt "$1" ]; do
		n=$((n + 1))
		[ $n -le 600 ] || fail "gremiumd sent too little in 30 s: $(tail -n 5 "$WORK/$2")"
		sleep 0.05
	done
}
# check NAME [ARGS...]: tests/check_faults.py on $WORK/NAME's state
check() {
	name=$1
	shift
	$PY "$top_srcdir/tests/check_faults.py" "$WORK/$name/var/state.db" "$received" "$@"
}
# wait_check NAME [ARGS...]: until check passes (at most 30 s; the final
# check after stop_daemon says what is wrong)
wait_check() {
	n=0
	until check "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -le 600 ] || break
		sleep 0.05
	done
}
# stop_daemon LOG: SIGTERM, and it must exit 0
stop_daemon() {
	kill "$daemon_pid"
	wait "$daemon_pid" || fail "gremiumd did not stop cleanly: $(tail -n 5 "$WORK/$1")"
	daemon_pid=""
}

# ---- 2. gremiumd killed mid-send ----
# the most deliveries the smtp transport takes at once (transport.h)
in_flight=$((4 * 4))
start_server slow --delay 0.02
# shellcheck disable=SC2046
config "$WORK/kill" "$port" $(names m 300)
received=$WORK/slow/received
start_daemon kill gremiumd-1.log
wait_arrivals 100 gremiumd-1.log
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
before=$(count)
total=$($PY -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM outbox").fetchone()[0])' \
	"$WORK/kill/var/state.db")
[ "$before" -lt "$total" ] || fail "killed too late: all $total mails had arrived"
start_daemon kill gremiumd-2.log
wait_check kill --done --max-dup $in_flight
stop_daemon gremiumd-2.log
check kill --done --max-dup $in_flight || fail "after kill -9 and restart (killed at $before of $total arrivals)"

# ---- 2b. SIGTERM mid-send: the mails being sent finish, the queued ones
# go back to the outbox; after a restart every mail has arrived exactly once
start_server term --delay 0.02
# shellcheck disable=SC2046
config "$WORK/term" "$port" $(names t 300)
received=$WORK/term/received
start_daemon term gremiumd-t1.log
wait_arrivals 100 gremiumd-t1.log
stop_daemon gremiumd-t1.log
sending=$($PY -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM outbox WHERE status = '"'sending'"'").fetchone()[0])' \
	"$WORK/term/var/state.db")
[ "$sending" -eq 0 ] || fail "$sending entries left sending after SIGTERM"
check term >/dev/null || fail "after SIGTERM: $(check term)"
start_daemon term gremiumd-t2.log
wait_check term --done
stop_daemon gremiumd-t2.log
check term --done || fail "after SIGTERM and restart: not every mail exactly once"

# ---- 3. reloads (SIGHUP) mid-send: a new transport and sender take over ----
start_server hup --delay 0.02
# shellcheck disable=SC2046
config "$WORK/hup" "$port" $(names h 150)
received=$WORK/hup/received
start_daemon hup gremiumd-3.log
wait_arrivals 50 gremiumd-3.log
kill -HUP "$daemon_pid"
sleep 0.3
kill -HUP "$daemon_pid"
wait_check hup --done --max-dup $((2 * in_flight))
stop_daemon gremiumd-3.log
grep -q 'configuration reloaded' "$WORK/gremiumd-3.log" || fail "no reload: $(cat "$WORK/gremiumd-3.log")"
# at most the mails in flight at each of the two reloads go twice
check hup --done --max-dup $((2 * in_flight)) || fail "after reloads mid-send"

# ---- 4. four sessions wait for their final reply at once ----
start_server hold --hold 4
# shellcheck disable=SC2086
config "$WORK/hold" "$port" h1 h2 h3 h4 h5 h6 h7 h8
received=$WORK/hold/received
"$GREMIUMCTL" -c "$WORK/hold/gremiumd.conf" run-once --now 2027-01-01T09:00 > "$WORK/hold.out" 2>&1 ||
	fail "run-once against the holding server: $(cat "$WORK/hold.out")"
grep -q ', to retry 0, failed 0 (smtp)$' "$WORK/hold.out" || fail "not all sent at once: $(cat "$WORK/hold.out")"
check hold --done || fail "after the holding server"
echo "e2e_faults: ok (killed at $before of $total)"
