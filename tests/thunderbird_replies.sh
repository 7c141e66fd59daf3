#!/bin/sh
# Make the Thunderbird fixtures of tests/fixtures/replies: REPLYs that
# Debian's Thunderbird itself sends (headless under Xvfb, driven by
# tests/thunderbird.py).  Not part of `make check` (the fixtures are
# committed); run by hand after a Thunderbird upgrade:
#
#   tests/thunderbird_replies.sh [OUTDIR]     (default tests/fixtures/replies)
#
# Käthe Weiß (a member of the example config) takes her invitation of the
# "online" series from `gremiumctl run-once` in the invitation bar
# (Accept: the series accepted), then changes her answer in her calendar:
# the series declined, tentative, delegated; the meeting of 2027-02-10
# accepted, declined, tentative, delegated.  Each REPLY Thunderbird sends to
# the test SMTP server is kept as thunderbird-SCOPE-ANSWER.eml.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
out=${1:-$top_srcdir/tests/fixtures/replies}
: "${GREMIUMCTL:=$top_srcdir/build/src/gremiumctl}"
TB="$PY $top_srcdir/tests/thunderbird.py"
member=kaethe.weiss@kreis-beispielheim.example
deputy=vertretung@kommune-beispiel.example
FEB=20270210T090000Z

xvfb= tb= smtpd=
stop_all() {
	[ -z "$tb" ] || kill "$tb" 2>/dev/null || true
	sleep 1
	[ -z "$xvfb" ] || kill "$xvfb" 2>/dev/null || true
	[ -z "$smtpd" ] || kill "$smtpd" 2>/dev/null || true
}
cleanup_hooks="stop_all"

mkdir -p "$WORK/etc"
cp "$top_srcdir/etc/gremiumd.conf" "$WORK/etc/gremiumd.conf"
"$GREMIUMCTL" -c "$WORK/etc/gremiumd.conf" run-once --now 2026-11-28T09:00 > "$WORK/run.out" ||
	fail "run-once: $(cat "$WORK/run.out")"
invitation=$(grep -l "^To: .*$member" "$WORK"/etc/var/outbox/new/* | xargs grep -l '^X-Gremium-Kind: invitation' |
	xargs grep -l 'RRULE' | head -n 1)
[ -n "$invitation" ] || fail "no invitation of the series to $member"
uid=$($PY "$top_srcdir/tests/reply_mail.py" uids "$WORK/etc/var/outbox" | awk -F'\t' '$2 == "rrule" { print $1 }')

smtp_port=$(free_port)
$PY "$top_srcdir/tests/smtpd.py" --plain --port "$smtp_port" --outdir "$WORK/smtp" > "$WORK/smtp.log" 2>&1 &
smtpd=$!
wait_ready smtp
mport=$(free_port)
mkdir -p "$WORK/profile"
$TB profile "$WORK/profile" --marionette-port "$mport" --smtp-port "$smtp_port" \
	--feed-url "http://127.0.0.1:9/feed.ics" --email "$member" --name "Käthe Weiß"
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3> "$WORK/display" > "$WORK/xvfb.log" 2>&1 &
xvfb=$!
i=0
while [ ! -s "$WORK/display" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
[ -s "$WORK/display" ] || fail "Xvfb did not start"
DISPLAY=:$(tr -d '\n ' < "$WORK/display") HOME=$WORK MOZ_CRASHREPORTER_DISABLE=1 thunderbird \
	--profile "$WORK/profile" --no-remote --marionette --remote-allow-system-access \
	> "$WORK/thunderbird.log" 2>&1 &
tb=$!
timeout 90 $TB ready "$mport" > "$WORK/ready.json" || fail "Thunderbird not ready"

n=0
# keep NAME: wait for Thunderbird's next REPLY (bounded, 30 s) and keep it
keep() {
	n=$((n + 1))
	i=0
	while [ ! -e "$WORK/smtp/$n.eml" ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
	[ -e "$WORK/smtp/$n.eml" ] || fail "no REPLY for $1: $(tail -5 "$WORK/thunderbird.log")"
	grep -q 'METHOD:REPLY' "$WORK/smtp/$n.eml" || fail "$1: not a REPLY"
	cp "$WORK/smtp/$n.eml" "$out/thunderbird-$1.eml"
	echo "thunderbird_replies: $1"
}
answer() {
	timeout 90 $TB answer "$mport" "$member" "$uid" "$@" > "$WORK/answer.json" ||
		fail "answer $*: $(cat "$WORK/answer.json")"
}
timeout 90 $TB imip "$mport" "$invitation" > "$WORK/imip.json" || fail "imip: $(cat "$WORK/imip.json")"
keep series-accepted
answer "" DECLINED && keep series-declined
answer "" TENTATIVE && keep series-tentative
answer "" DELEGATED "$deputy" && keep series-delegated
answer $FEB ACCEPTED && keep occurrence-accepted
answer $FEB DECLINED && keep occurrence-declined
answer $FEB TENTATIVE && keep occurrence-tentative
answer $FEB DELEGATED "$deputy" && keep occurrence-delegated
