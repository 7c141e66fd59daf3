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

for c in thunderbird Xvfb curl; do
	command -v $c > /dev/null || { echo "e2e_thunderbird: no $c, skipped"; exit 77; }
done
$PY -c 'import aiosmtpd, icalendar' 2>/dev/null || { echo "e2e_thunderbird: no aiosmtpd/icalendar, skipped"; exit 77; }

TB="$PY $top_srcdir/tests/thunderbird.py"
member=juergen.mueller@landkreis-musterstadt.example
member_name="Jürgen Müller"
moved_note="Verschoben wegen der Sitzung des IT-Planungsrats"
cancel_note="Entfällt mangels Themen"
old_room="Videokonferenz"
new_room="Videokonferenz, Raum 2"

t0=$(date +%s)
step() { echo "e2e_thunderbird: +$(($(date +%s) - t0)) s: $*"; }

pids=""
xvfb=
tb=
stop_all() {
	# Thunderbird first (it holds the X display), then the servers
	if [ -n "$tb" ]; then
		kill "$tb" 2>/dev/null || true
		i=0
		while kill -0 "$tb" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
		kill -KILL "$tb" 2>/dev/null || true
	fi
	[ -z "$xvfb" ] || kill "$xvfb" 2>/dev/null || true
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	# E2E_KEEP=DIR keeps a copy of the scratch folder (profile, mails, JSON)
	[ -z "${E2E_KEEP:-}" ] || { rm -rf "$E2E_KEEP"; cp -r "$WORK" "$E2E_KEEP"; }
}
cleanup_hooks="stop_all"

# ---- the committee: the example's members, series relative to today ----
conf=$(example_config)
$PY - "$conf" "$moved_note" <<'EOF'
import datetime, re, sys, zoneinfo
path, moved_note = sys.argv[1:3]
today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).date()
d = lambda n: today + datetime.timedelta(days=n)
first = d(3) - datetime.timedelta(weeks=5)
wd = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()]
text = open(path, encoding="utf-8").read()
series = '''series = (
  { id = "online"; summary = "Kommunalgremium – Online-Sitzung";
    description = "Wöchentliche Sitzung des Kommunalgremiums.";
    rrule = "FREQ=WEEKLY;BYDAY=%s"; start = "%sT10:00"; duration = 120;
    location = "Videokonferenz"; url = "https://video.fitko.example/kommunalgremium"; },
  { id = "praesenz"; summary = "Kommunalgremium – Präsenzsitzung";
    dates = [ "%sT10:00", "%sT10:00" ]; duration = 360;
    location = "Bundesministerium des Innern, Alt-Moabit 140, 10557 Berlin"; }
);
exceptions = (
  { series = "online"; date = "%s"; move_to = "%sT14:00"; note = "%s"; }
);
''' % (wd, first, d(-20), d(30), d(10), d(11), moved_note)
text, n = re.subn(r"^series = \(.*?^\);\n.*?^exceptions = \(.*?^\);\n", series, text,
                  flags=re.S | re.M)
assert n == 1, "series/exceptions not found in the example"
open(path, "w", encoding="utf-8").write(text)
with open(path.rsplit("/", 2)[0] + "/dates", "w") as f:
    f.write("today=%s\ncancelled=%s\n" % (today, d(24)))
EOF
. "$WORK/dates"
feed_port=$(free_port)
sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$feed_port\";|" "$conf"
grep -q "127.0.0.1:$feed_port" "$conf" || fail "test setup: no 'listen = \"\";' line in the example"
"$GREMIUMCTL" -c "$conf" check > /dev/null || fail "the test's config does not check"
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
outbox=$WORK/etc/var/outbox/new
feed_url=http://127.0.0.1:$feed_port/kommunalgremium.ics

# new_mails TAG: the member's invitations, updates and cancellations not
# listed before, in the order they were written (maildir names start with
# seconds and microseconds)
new_mails() {
	$PY - "$outbox" "$member" "$WORK/seen" > "$WORK/$1.list" <<'EOF'
import email, os, re, sys
outbox, member, seen_path = sys.argv[1:4]
seen = set(open(seen_path).read().split()) if os.path.exists(seen_path) else set()
def key(name):
    m = re.match(r"(\d+)\.M(\d+)P\d+Q(\d+)", name)
    return tuple(map(int, m.groups())) if m else (0, 0, 0)
out = []
for name in sorted(os.listdir(outbox), key=key):
    path = os.path.join(outbox, name)
    if path in seen:
        continue
    msg = email.message_from_binary_file(open(path, "rb"))
    if member in str(msg["To"]) and msg["X-Gremium-Kind"] in ("invitation", "update", "cancellation"):
        out.append(path)
with open(seen_path, "a") as f:
    f.write("".join(p + "\n" for p in out))
print("\n".join(out))
EOF
	[ -s "$WORK/$1.list" ] || fail "$1: no calendar mail for $member"
	# E2E_ORDER=newest-first: the member reads the newest mail first
	if [ "$E2E_ORDER" = newest-first ]; then
		tac "$WORK/$1.list" > "$WORK/$1.rev" && mv "$WORK/$1.rev" "$WORK/$1.list"
	fi
}

# start_daemon: gremiumd serving the feed (the state database is shared
# with run-once; it is stopped while run-once works)
daemon=
start_daemon() {
	"$GREMIUMD" -c "$conf" 2>> "$WORK/daemon.log" &
	daemon=$!
	pids="$pids $daemon"
	i=0
	until curl -s -o /dev/null --max-time 1 "$feed_url"; do
		i=$((i + 1)); [ $i -le 100 ] || fail "no feed: $(cat "$WORK/daemon.log")"; sleep 0.1
	done
}
stop_daemon() {
	kill -TERM "$daemon"
	wait "$daemon" || fail "gremiumd exited $? on SIGTERM"
}

# ---- stage 1: invitations ----
step "stage 1: run-once"
# E2E_OLD_GREMIUMCTL/E2E_OLD_GREMIUMD: stage 1 by an earlier build (upgrade check, by hand)
"${E2E_OLD_GREMIUMCTL:-$GREMIUMCTL}" -c "$conf" run-once > "$WORK/run1" || fail "run-once: $(cat "$WORK/run1")"
new_mails stage1
GREMIUMD_NOW=$GREMIUMD
GREMIUMD=${E2E_OLD_GREMIUMD:-$GREMIUMD}
start_daemon
GREMIUMD=$GREMIUMD_NOW

# the member's outgoing server: receives Thunderbird's REPLYs
smtp_port=$(free_port)
$PY "$top_srcdir/tests/smtpd.py" --plain --port "$smtp_port" --outdir "$WORK/smtp" \
	> "$WORK/smtp.log" 2>&1 &
pids="$pids $!"
wait_ready smtp

# Thunderbird under Xvfb, a fresh profile
mport=$(free_port)
mkdir -p "$WORK/profile"
$TB profile "$WORK/profile" --marionette-port "$mport" --smtp-port "$smtp_port" \
	--feed-url "$feed_url" --email "$member" --name "$member_name"
# Xvfb picks a free display and writes its number once it accepts clients
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3> "$WORK/display" > "$WORK/xvfb.log" 2>&1 &
xvfb=$!
i=0
while [ ! -s "$WORK/display" ] && kill -0 "$xvfb" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1)); sleep 0.1
done
display=
[ -s "$WORK/display" ] && display=:$(tr -d '\n ' < "$WORK/display")
[ -n "$display" ] || fail "Xvfb did not start: $(cat "$WORK/xvfb.log")"
DISPLAY=$display HOME=$WORK MOZ_CRASHREPORTER_DISABLE=1 thunderbird --profile "$WORK/profile" \
	--no-remote --marionette --remote-allow-system-access > "$WORK/thunderbird.log" 2>&1 &
tb=$!
step "Thunderbird starts"
timeout 90 $TB ready "$mport" > "$WORK/ready.json" || fail "Thunderbird not ready: $(tail -20 "$WORK/thunderbird.log")"

# tb_imip TAG: every mail of $WORK/TAG.list through the invitation bar
tb_imip() {
	n=0
	while read -r f; do
		n=$((n + 1))
		timeout 90 $TB imip "$mport" "$f" > "$WORK/$1.imip.$n.json" ||
			fail "$1: Thunderbird on $f: $(cat "$WORK/$1.imip.$n.json")"
	done < "$WORK/$1.list"
}
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
new_mails stage2
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
