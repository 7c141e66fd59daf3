#!/bin/sh
# End-to-end: gremiumd reads the committee's mailbox (maildir source) at
# start and every inbound.poll_seconds, confirms a member's topic at once,
# holds a stranger's mail; picks up `gremiumctl topic add` without a
# restart (the store's change counter); a mailbox that fails (IMAPS to a
# closed port, after SIGHUP) is logged at err and shown in STATUS=, and the
# next good config clears it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
FIX=$top_srcdir/tests/fixtures/inbound
inbox=$WORK/etc/var/inbox
mkdir -p "$inbox/new" "$inbox/cur" "$inbox/tmp"
printf 'inbound = { source = "maildir"; maildir = "var/inbox"; poll_seconds = 10; };\n' >> "$conf"
cp "$conf" "$WORK/good.conf"
"$GREMIUMCTL" -c "$conf" check > "$WORK/check.out" 2>&1 || fail "check: $(cat "$WORK/check.out")"

sock=$WORK/notify.sock
msgs=$WORK/notify.log
: > "$msgs"
$PY "$top_srcdir/tests/notify_listener.py" "$sock" "$msgs" 180 &
listener=$!
stop_listener() { kill "$listener" 2>/dev/null; }
cleanup_hooks="stop_listener"
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1)); [ $i -le 100 ] || fail "notify socket never appeared"; sleep 0.1
done

# a member's topic without a reference waits in the mailbox before the start
$PY "$top_srcdir/tests/topics_mail.py" make "$FIX/thunderbird-reply.eml" "$inbox/new/1.M1.test" \
	first.daemon@members.example -
NOTIFY_SOCKET=$sock "$GREMIUMD" -c "$conf" 2> "$WORK/daemon.log" &
daemon=$!
stop_daemon() { kill "$daemon" 2>/dev/null; stop_listener; }
cleanup_hooks="stop_daemon"
wait_for 'READY=1' "$msgs"
wait_for '^<6>inbound: inbox 1: maildir:1.M1.test from kaethe.weiss@kreis-beispielheim.example: topic: topic 1 for ' "$WORK/daemon.log" 30
outbox=$WORK/etc/var/outbox/new
wait_for '^<6>sent topic-confirmation to kaethe.weiss@kreis-beispielheim.example' "$WORK/daemon.log" 30
[ "$(grep -l '^X-Gremium-Kind: topic-confirmation' "$outbox"/* | wc -l)" -eq 1 ] ||
	fail "not one confirmation in $outbox"
[ -e "$inbox/new/1.M1.test" ] && fail "the processed mail stayed in new/"

# the next poll takes a stranger's mail: held, never answered
$PY "$top_srcdir/tests/topics_mail.py" make "$FIX/non-member.eml" "$inbox/new/2.M2.test" \
	second.daemon@elsewhere.example -
wait_for '^<6>inbound: inbox 2: .*: stranger: held for the chair' "$WORK/daemon.log" 40
"$GREMIUMCTL" -c "$conf" inbox --held --json | grep -q '"class": "stranger"' ||
	fail "inbox --held: $("$GREMIUMCTL" -c "$conf" inbox --held --json)"

# the chair adds a topic while gremiumd runs: it notices and plans again
"$GREMIUMCTL" -c "$conf" topic add --meeting 2027-01-20T14:00 --title "Haushalt 2027" > "$WORK/add.out" ||
	fail "topic add: $(cat "$WORK/add.out")"
wait_for '^<6>topics or inbox changed (gremiumctl), planning again' "$WORK/daemon.log" 20
"$GREMIUMCTL" -c "$conf" topics --meeting 2027-01-20T14:00 --json > "$WORK/topics.json"
$PY - "$WORK/topics.json" <<'PYEOF' || fail "topics: $(cat "$WORK/topics.json")"
import json, sys
t = json.load(open(sys.argv[1]))
assert [x["source"] for x in t] == ["mail", "chair"], t
assert [x["position"] for x in t] == [1, 2] and t[1]["title"] == "Haushalt 2027", t
PYEOF

# a mailbox that cannot be reached: logged with the reason, in STATUS=
port=$(free_port)
sed -i "s|^inbound = .*|inbound = { source = \"imap\"; imap_url = \"imaps://127.0.0.1:$port/INBOX\"; username = \"x\"; password_file = \"$WORK/etc/pw\"; poll_seconds = 10; timeout = 5; };|" "$conf"
printf 'secret\n' > "$WORK/etc/pw"
: > "$msgs"
kill -HUP "$daemon"
wait_for '^<3>inbound: reading the mailbox failed, trying again in 10 s: ' "$WORK/daemon.log" 30
wait_for '^STATUS=.*; mailbox: ' "$msgs" 30
kill -0 "$daemon" || fail "gremiumd died on a mailbox failure"
# the next poll tries again
n1=$(grep -c 'reading the mailbox failed' "$WORK/daemon.log")
i=0
while [ "$(grep -c 'reading the mailbox failed' "$WORK/daemon.log")" -le "$n1" ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "no second attempt"; sleep 0.1
done
# back to the maildir: the problem leaves STATUS=
cp "$WORK/good.conf" "$conf"
: > "$msgs"
kill -HUP "$daemon"
wait_for 'configuration reloaded' "$WORK/daemon.log"
wait_for '^READY=1' "$msgs"
i=0
while grep 'STATUS=' "$msgs" | tail -n 1 | grep -q 'mailbox:'; do
	i=$((i + 1)); [ $i -le 300 ] || fail "STATUS= keeps the mailbox problem: $(tail -n 3 "$msgs")"; sleep 0.1
done
kill -TERM "$daemon"
wait "$daemon" || fail "gremiumd exited $?"
cleanup_hooks="stop_listener"
echo ok
