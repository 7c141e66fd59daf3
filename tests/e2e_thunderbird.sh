#!/bin/sh
# End-to-end with a real client: Debian's Thunderbird, under Xvfb with a
# fresh profile, driven over Marionette (tests/thunderbird.py).  The member
# Jürgen Müller gets the invitations of `gremiumctl run-once` (maildir) and
# handles each as the invitation bar's main button does (Accept / Accept all,
# Update, Delete); his REPLYs go to a test SMTP server; the feed is served by
# gremiumd over HTTP and subscribed as a cached ics calendar.  Dates are
# relative to today (the daemon renders the feed at the real time): a weekly
# series that began five weeks ago, one meeting moved, one cancelled.
# Asserted (issue 12):
#  a. the reason of a moved and of a cancelled meeting is in the event as
#     Thunderbird parsed it (DESCRIPTION; for a CANCEL also COMMENT);
#  b. one Accept of the series (plus the mails of the dated meetings and of
#     the moved meeting, an object of its own) leaves every occurrence
#     ACCEPTED in Thunderbird's calendar and in its REPLYs, and the calendar
#     is the feed's (the moved meeting at its new time only);
#  c. the feed's SEQUENCE as Thunderbird cached it equals the invitations'
#     (per UID the highest its mails carried);
#  d. after a location change, the past meetings in the cached feed are
#     unchanged (and the coming ones changed);
#  e. two committees with the same series ids and domain: distinct UIDs and
#     Message-IDs (without Thunderbird).
#  f. all of it whatever order the member reads the mails in: the test runs
#     twice, handling each run's mails oldest first and newest first (the
#     mails of one run share their Date, so a client may show them in
#     either order); E2E_ORDER=oldest-first|newest-first runs one pass.
if [ -z "${E2E_ORDER:-}" ]; then
	for order in oldest-first newest-first; do
		echo "e2e_thunderbird: the member reads $order"
		E2E_ORDER=$order sh "$0" || exit $?
	done
	exit 0
fi
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/thunderbird_lib.sh"

moved_note="Verschoben wegen der Sitzung des IT-Planungsrats"
cancel_note="Entfällt mangels Themen"
old_room="Videokonferenz"
new_room="Videokonferenz, Raum 2"

t0=$(date +%s)
step() { echo "e2e_thunderbird: +$(($(date +%s) - t0)) s: $*"; }

# ---- the committee: the example's members, series relative to today ----
tb_config "$moved_note"
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }

# ---- stage 1: invitations ----
step "stage 1: run-once"
# E2E_OLD_GREMIUMCTL/E2E_OLD_GREMIUMD: stage 1 by an earlier build (upgrade check, by hand)
"${E2E_OLD_GREMIUMCTL:-$GREMIUMCTL}" -c "$conf" run-once > "$WORK/run1" || fail "run-once: $(cat "$WORK/run1")"
new_mails stage1 invitation update cancellation
GREMIUMD_NOW=$GREMIUMD
GREMIUMD=${E2E_OLD_GREMIUMD:-$GREMIUMD}
start_daemon
GREMIUMD=$GREMIUMD_NOW

step "Thunderbird starts"
start_thunderbird

# wait_replies N: until the SMTP server has N messages (bounded, 30 s; a
# missing REPLY is then reported by the check)
wait_replies() {
	i=0
	while [ "$(ls "$WORK/smtp" | grep -c '\.eml$')" -lt "$1" ] && [ $i -lt 300 ]; do
		i=$((i + 1)); sleep 0.1
	done
}
window_from=$(date -u -d "$today - 60 days" +%Y%m%dT000000Z)
window_to=$(date -u -d "$today + 90 days" +%Y%m%dT000000Z)

step "Thunderbird takes the invitations"
tb_imip stage1
timeout 90 $TB occurrences "$mport" "$member" "$window_from" "$window_to" > "$WORK/stage1.occ.json" ||
	fail "occurrences: $(cat "$WORK/stage1.occ.json")"
wait_replies "$(cat "$WORK"/stage1.imip.*.json | grep -c '"clicked": "imipAccept')"
step "Thunderbird reloads the feed"
timeout 90 $TB refresh "$mport" "$window_from" "$window_to" > "$WORK/stage1.feed.json" ||
	fail "feed refresh: $(cat "$WORK/stage1.feed.json")"

# snapshot TAG: the feed's cache as Thunderbird wrote it (it keeps the
# database locked: a copy of it and its write-ahead log is read)
snapshot() {
	mkdir -p "$WORK/$1.cache"
	cp "$WORK/profile/calendar-data/cache.sqlite" "$WORK/$1.cache/"
	[ ! -e "$WORK/profile/calendar-data/cache.sqlite-wal" ] ||
		cp "$WORK/profile/calendar-data/cache.sqlite-wal" "$WORK/$1.cache/"
}
snapshot stage1

# check WHAT ARGS...: tests/check_thunderbird.py; a failing check is recorded
# and the test goes on (every part is reported), failing at the end
check() {
	what=$1; shift
	$PY "$top_srcdir/tests/check_thunderbird.py" "$@" || echo "$what" >> "$WORK/failed"
}
check "stage 1 (invitations) as Thunderbird saw it" stage1 "$WORK" "$member" "$moved_note"

# ---- stage 2: the room changes, a coming meeting is cancelled ----
step "stage 2: config change, run-once"
stop_daemon
sed -i "s|location = \"$old_room\";|location = \"$new_room\";|" "$conf"
sed -i "s|^exceptions = (|exceptions = (\n  { series = \"online\"; date = \"$cancelled\"; cancel = true; note = \"$cancel_note\"; },|" "$conf"
grep -q "$new_room" "$conf" && grep -q "$cancel_note" "$conf" || fail "test setup: config edit failed"
ctl check > /dev/null || fail "the changed config does not check"
ctl run-once > "$WORK/run2" || fail "run-once: $(cat "$WORK/run2")"
new_mails stage2 invitation update cancellation
start_daemon
replies=$(ls "$WORK/smtp" | grep -c '\.eml$')
step "Thunderbird takes the updates"
tb_imip stage2
timeout 90 $TB occurrences "$mport" "$member" "$window_from" "$window_to" > "$WORK/stage2.occ.json" ||
	fail "occurrences: $(cat "$WORK/stage2.occ.json")"
wait_replies "$((replies + $(cat "$WORK"/stage2.imip.*.json | grep -c '"clicked": "imipAccept')))"
step "Thunderbird reloads the feed"
timeout 90 $TB refresh "$mport" "$window_from" "$window_to" > "$WORK/stage2.feed.json" ||
	fail "feed refresh: $(cat "$WORK/stage2.feed.json")"
snapshot stage2
check "stage 2 (room changed, meeting cancelled) as Thunderbird saw it" \
	stage2 "$WORK" "$member" "$cancel_note" "$new_room" "$cancelled"
timeout 30 $TB quit "$mport" > /dev/null || true

# ---- e: a second committee with the same series ids and domain ----
step "a second committee"
mkdir -p "$WORK/other"
sed -e 's|Kommunalgremium des IT-Planungsrats|Digitalgremium des IT-Planungsrats|' \
	-e 's|short_name = "Kommunalgremium";|short_name = "Digitalgremium";|' \
	-e 's|kommunalgremium@fitko.example|digitalgremium@fitko.example|' \
	-e 's|listen = "127.0.0.1:[0-9]*";|listen = "";|' "$conf" > "$WORK/other/gremiumd.conf"
"$GREMIUMCTL" -c "$WORK/other/gremiumd.conf" check > /dev/null || fail "the second committee does not check"
"$GREMIUMCTL" -c "$WORK/other/gremiumd.conf" run-once > "$WORK/run3" || fail "run-once: $(cat "$WORK/run3")"
check "two committees with the same series ids and domain" \
	committees "$WORK/etc/var/outbox/new" "$WORK/other/var/outbox/new"
[ ! -e "$WORK/failed" ] || fail "$(tr '\n' ';' < "$WORK/failed")"
echo "e2e_thunderbird: ok"
