# Shared by the end-to-end tests with a real Thunderbird (e2e_thunderbird.sh,
# e2e_agenda_thunderbird.sh); sourced after lib.sh.  The member Jürgen
# Müller reads the committee's mails in Thunderbird under Xvfb, driven over
# Marionette by tests/thunderbird.py; gremiumd serves the feed.
for c in thunderbird Xvfb curl; do
	command -v $c > /dev/null || { echo "$(basename "$0"): no $c, skipped"; exit 77; }
done
$PY -c 'import aiosmtpd, icalendar' 2>/dev/null || { echo "$(basename "$0"): no aiosmtpd/icalendar, skipped"; exit 77; }

TB="$PY $top_srcdir/tests/thunderbird.py"
member=juergen.mueller@landkreis-musterstadt.example
member_name="Jürgen Müller"

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

# tb_config NOTE: the example config with a weekly series that began five
# weeks ago (relative to today), the meeting of day 10 moved to day 11
# 14:00 with NOTE, two dated meetings (day -20 and day 30) and the feed on
# a free port; sets conf, feed_url, outbox, and today, cancelled (day 24)
# and dN (day N from today) for N in 3 5 10 11 16 17 24.
tb_config() {
	conf=$(example_config)
	$PY - "$conf" "$1" <<'PYEOF'
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
    for k in (3, 5, 10, 11, 16, 17, 24):
        f.write("d%d=%s\n" % (k, d(k)))
PYEOF
	. "$WORK/dates"
	feed_port=$(free_port)
	sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$feed_port\";|" "$conf"
	grep -q "127.0.0.1:$feed_port" "$conf" || fail "test setup: no 'listen = \"\";' line in the example"
	"$GREMIUMCTL" -c "$conf" check > /dev/null || fail "the test's config does not check"
	outbox=$WORK/etc/var/outbox/new
	feed_url=http://127.0.0.1:$feed_port/kommunalgremium.ics
}

# new_mails TAG KIND...: the member's mails of these kinds with a calendar
# part, not listed before, in the order they were written (maildir names
# start with seconds and microseconds), into $WORK/TAG.list; with
# E2E_ORDER=newest-first the newest first
new_mails() {
	tag=$1
	shift
	$PY - "$outbox" "$member" "$WORK/seen" "$@" > "$WORK/$tag.list" <<'PYEOF'
import email, os, re, sys
outbox, member, seen_path = sys.argv[1:4]
kinds = sys.argv[4:]
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
    if (member in str(msg["To"]) and msg["X-Gremium-Kind"] in kinds and
            any(p.get_content_type() == "text/calendar" for p in msg.walk())):
        out.append(path)
with open(seen_path, "a") as f:
    f.write("".join(p + "\n" for p in out))
print("\n".join(out))
PYEOF
	[ -s "$WORK/$tag.list" ] || fail "$tag: no calendar mail ($*) for $member"
	if [ "${E2E_ORDER:-}" = newest-first ]; then
		tac "$WORK/$tag.list" > "$WORK/$tag.rev" && mv "$WORK/$tag.rev" "$WORK/$tag.list"
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

# start_thunderbird: the member's outgoing server (receives Thunderbird's
# REPLYs in $WORK/smtp), a fresh profile, Xvfb, Thunderbird; sets mport
start_thunderbird() {
	smtp_port=$(free_port)
	$PY "$top_srcdir/tests/smtpd.py" --plain --port "$smtp_port" --outdir "$WORK/smtp" \
		> "$WORK/smtp.log" 2>&1 &
	pids="$pids $!"
	wait_ready smtp
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
	timeout 90 $TB ready "$mport" > "$WORK/ready.json" ||
		fail "Thunderbird not ready: $(tail -20 "$WORK/thunderbird.log")"
}

# tb_imip TAG: every mail of $WORK/TAG.list through the invitation bar
tb_imip() {
	n=0
	while read -r f; do
		n=$((n + 1))
		timeout 90 $TB imip "$mport" "$f" > "$WORK/$1.imip.$n.json" ||
			fail "$1: Thunderbird on $f: $(cat "$WORK/$1.imip.$n.json")"
	done < "$WORK/$1.list"
}
