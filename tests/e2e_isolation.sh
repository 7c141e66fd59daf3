#!/bin/sh
# End-to-end: one recipient whose mail cannot be rendered stops no other.
#
# The trigger does not come from the config (which `check` validates) but
# from the recorded state, the input gremiumd does not vet: a former
# member's rows whose address is 260 octets (past RFC 5321's 254), as a
# database restored from elsewhere or written by another tool may hold.
# gremiumd owes that recipient a CANCEL of each meeting still ahead, and
# cannot render one.  Through a real SMTP server on 127.0.0.1
# (tests/smtpd.py) and a stand-in notification socket
# (tests/notify_listener.py):
#   - gremiumd sends a new member's invitations in the same plan, logs each
#     failure once at priority 3, counts them in STATUS=; a reload (a new
#     plan) logs nothing again;
#   - `gremiumctl status` lists them as "cannot render: REASON";
#   - `run-once` at the next call for topics sends it to every member,
#     says the old failures are still there, and exits 0.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

$PY -c 'import aiosmtpd' 2>/dev/null || { echo "e2e_isolation: no aiosmtpd, skipping"; exit 77; }


# ---- an SMTP server (loopback, no TLS: starttls = "off") ----
port=$(free_port)
$PY "$top_srcdir/tests/smtpd.py" --plain --port "$port" --outdir "$WORK/smtp" \
	>"$WORK/smtp.log" 2>&1 &
smtpd=$!
listener=""
daemon=""
stop_all() {
	[ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true
	[ -z "$listener" ] || kill "$listener" 2>/dev/null || true
	kill "$smtpd" 2>/dev/null || true
	wait "$smtpd" 2>/dev/null || true
}
cleanup_hooks="stop_all"
wait_ready smtp
# received KIND [ADDRESS]: how many mails of KIND the server took (for
# ADDRESS).  Counted by kind: notifications due at the real date of the run
# may come too.
received() {
	n=0
	for eml in $(grep -l "^X-Gremium-Kind: $1" "$WORK"/smtp/*.eml 2>/dev/null); do
		if [ -z "${2:-}" ] || grep -qx -- "$2" "${eml%.eml}.env"; then n=$((n + 1)); fi
	done
	echo $n
}

# ---- the config: the example, delivering to that server ----
conf=$(example_config)
sed -i '/^delivery = {/,/^};/d' "$conf"
cat >> "$conf" <<EOT
delivery = {
  transport = "smtp";
  smtp_url = "smtp://127.0.0.1:$port";
  starttls = "off";
  timeout = 10;
};
EOT
"$GREMIUMCTL" -c "$conf" check >/dev/null || fail "the test config does not check"
state=$WORK/etc/var/state.db
members=$(grep -c '{ name = ".*email = "' "$conf")
former=$(grep -m1 '{ name = ".*email = "' "$conf" | sed 's/.*email = "\([^"]*\)".*/\1/')
[ "$members" -ge 2 ] && [ -n "$former" ] || fail "no members in $conf"

# ---- everyone is invited ----
expect_exit 0 "$GREMIUMCTL" -c "$conf" run-once > "$WORK/first.out" 2> "$WORK/first.err"
objects=$(received invitation "$former")
[ "$objects" -ge 1 ] || fail "no invitation to $former: $(cat "$WORK/first.out" "$WORK/first.err")"

# ---- the state holds a former member with a 260-octet address ----
long=$($PY -c 'print("a" * 250 + "@x.example")')
$PY - "$state" "$former" "$long" <<'EOT'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in db.execute("PRAGMA table_info(sent_objects)")]
sel = ", ".join("?" if c == "recipient" else "'Ehemaliges Mitglied'" if c == "name" else c
                for c in cols)
n = db.execute("INSERT INTO sent_objects (%s) SELECT %s FROM sent_objects WHERE recipient = ?"
               % (", ".join(cols), sel), (sys.argv[3], sys.argv[2])).rowcount
db.commit()
assert n > 0, "no rows copied"
EOT
# ... and a new member joins
newcomer=neu@kreis.example
sed -i "0,/{ name = \".*email = \"/s//{ name = \"Neues Mitglied\"; email = \"$newcomer\"; group = \"kgst\"; },\n&/" "$conf"
"$GREMIUMCTL" -c "$conf" check >/dev/null || fail "the config with the newcomer does not check"

# ---- gremiumd: the newcomer's invitations go out, the CANCELs fail alone ----
sock=$WORK/notify.sock
msgs=$WORK/notify.log
: > "$msgs"
$PY "$top_srcdir/tests/notify_listener.py" "$sock" "$msgs" 120 &
listener=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1)); [ $i -le 100 ] || fail "notify socket never appeared"; sleep 0.1
done
NOTIFY_SOCKET=$sock "$GREMIUMD" -c "$conf" 2> "$WORK/daemon.log" &
daemon=$!
wait_for 'READY=1' "$msgs"
wait_for "outbox 0 queued, [0-9]* sent, $objects failed ($objects cannot be rendered)" "$msgs"
[ "$(received invitation "$newcomer")" -eq "$objects" ] ||
	fail "the newcomer got $(received invitation "$newcomer") invitations, expected $objects"
! grep -qx -- "$long" "$WORK"/smtp/*.env || fail "a mail reached the unrenderable address"
logged() { grep -c "^<3>$long (cancellation.*): cannot render: the recipient's address is 260 octets long, at most 254 fit (RFC 5321)$" "$WORK/daemon.log" || true; }
[ "$(logged)" -eq "$objects" ] ||
	fail "expected $objects priority-3 lines about the failure: $(cat "$WORK/daemon.log")"

# a reload plans again: the same failures, not logged again
: > "$msgs"
kill -HUP "$daemon"
wait_for 'READY=1' "$msgs"
wait_for "($objects cannot be rendered)" "$msgs"
[ "$(logged)" -eq "$objects" ] || fail "the failures were logged again: $(cat "$WORK/daemon.log")"
kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
daemon=""
[ $rc -eq 0 ] || fail "gremiumd exited $rc on SIGTERM"

# ---- status lists them ----
"$GREMIUMCTL" -c "$conf" status > "$WORK/status"
grep -q "^[0-9]* sent, 0 queued, $objects failed$" "$WORK/status" ||
	fail "status counts: $(cat "$WORK/status")"
[ "$(grep -c "^failed: $long (cancellation.*): cannot render: the recipient's address is 260 octets long" "$WORK/status")" -eq "$objects" ] ||
	fail "status does not list the failures: $(cat "$WORK/status")"

# ---- run-once at the next call for topics: every member gets it ----
when=$("$GREMIUMCTL" -c "$conf" preview --days 90 |
	awk '$4 == "topic-call" { split($2, d, "."); print d[3] "-" d[2] "-" d[1] "T" $3; exit }')
[ -n "$when" ] || fail "no call for topics in the next 90 days"
calls=$(received topic-call)
expect_exit 0 "$GREMIUMCTL" -c "$conf" run-once --now "$when" > "$WORK/topics.out" 2> "$WORK/topics.err"
[ "$(received topic-call)" -eq $((calls + members + 1)) ] ||
	fail "$(($(received topic-call) - calls)) calls for topics, expected $((members + 1)): $(cat "$WORK/topics.out" "$WORK/topics.err")"
grep -q "$objects messages\? still cannot be rendered" "$WORK/topics.err" ||
	fail "run-once does not mention the old failures: $(cat "$WORK/topics.err")"
grep -q "failed $objects " "$WORK/topics.out" || fail "run-once does not count them: $(cat "$WORK/topics.out")"
echo "e2e_isolation: ok ($objects unrenderable, $((members + 1)) calls for topics)"
