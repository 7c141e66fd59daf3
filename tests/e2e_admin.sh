#!/bin/sh
# End-to-end: gremiumctl and gremiumd as an admin meets them (issue 14).
# 1. Every subcommand takes --help (usage, exit 0, no config needed); the
#    man pages pass `mandoc -T lint` and render with `man -l` without
#    warnings.
# 2. A state database that is missing or that the user may not read is an
#    error naming the path and the cause: `status` and `preview` exit 66
#    (missing) or 77 (permission denied: as nobody, or mode 000 when the
#    test does not run as root), never
#    "0 sent" or every invitation "due now"; `preview --fresh` plans as if
#    nothing had been sent.
# 3. Config errors under the journal ($JOURNAL_STREAM names stderr, as for
#    the unit's ExecStartPre) carry the priority prefix <3>; on a terminal
#    or file they don't.
# 4. delivery.password_credential: found in $CREDENTIALS_DIRECTORY (the
#    service) or in /etc/credstore (the admin's shell); `check` says
#    FILE:LINE and exits 78 when the secret cannot be read.
# 5. gremiumd logs a retry time in ISO 8601 with its UTC offset, and that
#    instant is the retry's (it lies after the failure, in the backoff).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)

# ---- 1. --help everywhere, man pages ----
for cmd in check preview ics send-test run-once status fetch attendance; do
	"$GREMIUMCTL" -c /nonexistent/gremiumd.conf "$cmd" --help > "$WORK/help" ||
		fail "$cmd --help exited $?"
	grep -q "^Usage: gremiumctl \[-c FILE\] $cmd" "$WORK/help" || fail "$cmd --help: $(cat "$WORK/help")"
	"$GREMIUMCTL" "$cmd" -h | grep -q "^Usage: gremiumctl \[-c FILE\] $cmd" || fail "$cmd -h"
	# gremiumctl(1) shows the same usage as the tag of the command, on one
	# line (a tag broken across lines renders as "preview [--from" alone)
	if command -v man > /dev/null; then
		usage=$(sed -n 's/^Usage: gremiumctl \[-c FILE\] //p' "$WORK/help")
		MANWIDTH=100 man -l "$top_srcdir/man/gremiumctl.1" 2> /dev/null |
			awk -v u="       $usage" '$0 == u || index($0, u " ") == 1 { found = 1 } END { exit !found }' ||
			fail "gremiumctl(1) has no tag line '$usage'"
	fi
done
"$GREMIUMCTL" -c /nonexistent/gremiumd.conf send-test --to a@example.org --help > /dev/null ||
	fail "--help after other options"
"$GREMIUMCTL" --help | grep -q "COMMAND --help" || fail "gremiumctl --help does not mention COMMAND --help"
"$GREMIUMD" --help | grep -q '^Usage: gremiumd' || fail "gremiumd --help"
command -v mandoc > /dev/null || fail "mandoc is missing (scripts/install-deps installs it)"
for page in "$top_srcdir"/man/*.[158]; do
	mandoc -T lint -W warning "$page" > "$WORK/lint" 2>&1 || fail "mandoc -T lint $page: $(cat "$WORK/lint")"
	[ ! -s "$WORK/lint" ] || fail "mandoc -T lint $page: $(cat "$WORK/lint")"
	if command -v man > /dev/null; then
		MANWIDTH=80 man --warnings -l "$page" > "$WORK/page" 2> "$WORK/warn" || fail "man -l $page failed"
		[ ! -s "$WORK/warn" ] || fail "man -l $page warns: $(cat "$WORK/warn")"
		[ -s "$WORK/page" ] || fail "man -l $page rendered nothing"
	fi
done

# ---- 2. missing and unreadable state ----
sed -i 's|^state = "var/state.db";|state = "private/state.db";|' "$conf"
grep -q '^state = "private/state.db";' "$conf" || fail "test setup: no state line in the example"
state=$WORK/etc/private/state.db
expect_exit 66 "$GREMIUMCTL" -c "$conf" status 2> "$WORK/err"
grep -q "^gremiumctl: status: state database $state: No such file or directory" "$WORK/err" ||
	fail "status, missing state: $(cat "$WORK/err")"
[ ! -e "$state" ] || fail "status created the state database"
expect_exit 66 "$GREMIUMCTL" -c "$conf" preview > "$WORK/out" 2> "$WORK/err"
grep -q "^gremiumctl: preview: state database $state: No such file or directory" "$WORK/err" ||
	fail "preview, missing state: $(cat "$WORK/err")"
[ ! -s "$WORK/out" ] || fail "preview printed a plan without a state: $(cat "$WORK/out")"
"$GREMIUMCTL" -c "$conf" preview --fresh --from 2026-11-01 --days 30 > "$WORK/out" || fail "preview --fresh"
grep -q 'due now *invitation' "$WORK/out" || fail "preview --fresh: $(cat "$WORK/out")"
# run-once creates it; then status and preview read it
"$GREMIUMCTL" -c "$conf" run-once --now 2026-11-28T09:00 > /dev/null || fail "run-once"
"$GREMIUMCTL" -c "$conf" status > "$WORK/out" || fail "status with a state"
grep -q '^[1-9][0-9]* sent, 0 queued, 0 failed$' "$WORK/out" || fail "status: $(cat "$WORK/out")"
"$GREMIUMCTL" -c "$conf" preview --from 2026-11-28 --days 30 > "$WORK/out" || fail "preview with a state"
grep -q 'due now *invitation' "$WORK/out" && fail "preview announces sent invitations again: $(cat "$WORK/out")"
# as a user who may read the config but not the state (the service's
# private state directory, 0700): 77 and the cause
chmod 0755 "$WORK" "$WORK/etc"
chmod 0644 "$conf"
chmod 0700 "$WORK/etc/private"
# root may read anything: drop to nobody; another user loses access by mode 000
if [ "$(id -u)" -eq 0 ]; then
	as_other() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as_other() { "$@"; }
	chmod 0000 "$WORK/etc/private"
fi
as_other "$GREMIUMCTL" -c "$conf" check > /dev/null || fail "nobody cannot even check the config"
expect_exit 77 as_other "$GREMIUMCTL" -c "$conf" status 2> "$WORK/err"
grep -q "^gremiumctl: status: state database $state: Permission denied" "$WORK/err" ||
	fail "status as another user: $(cat "$WORK/err")"
expect_exit 77 as_other "$GREMIUMCTL" -c "$conf" preview > "$WORK/out" 2> "$WORK/err"
grep -q "^gremiumctl: preview: state database $state: Permission denied" "$WORK/err" ||
	fail "preview as another user: $(cat "$WORK/err")"
chmod 0700 "$WORK/etc/private"

# ---- 3. priority prefixes under the journal ----
cp "$conf" "$WORK/etc/broken.conf"
printf '\nbogus_key = 1;\n' >> "$WORK/etc/broken.conf"
: > "$WORK/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal") \
	expect_exit 78 "$GREMIUMCTL" -c "$WORK/etc/broken.conf" check 2>> "$WORK/journal"
grep -q "^<3>$WORK/etc/broken.conf:[0-9]*: bogus_key" "$WORK/journal" ||
	fail "no <3> before the config error under the journal: $(cat "$WORK/journal")"
grep -v -q '^<[0-7]>' "$WORK/journal" && fail "a line without priority: $(cat "$WORK/journal")"
expect_exit 78 "$GREMIUMCTL" -c "$WORK/etc/broken.conf" check 2> "$WORK/plain"
grep -q "^$WORK/etc/broken.conf:[0-9]*: bogus_key" "$WORK/plain" || fail "plain stderr: $(cat "$WORK/plain")"
# another stream's JOURNAL_STREAM (inherited by a child writing elsewhere): no prefix
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal") \
	expect_exit 78 "$GREMIUMCTL" -c "$WORK/etc/broken.conf" check 2> "$WORK/plain"
grep -q '^<3>' "$WORK/plain" && fail "prefix on a stream that is not the journal"

# ---- 4. the SMTP password as a systemd credential ----
name=gremiumd-e2e-$$.smtp-password
[ ! -e "/etc/credstore/$name" ] && [ ! -e "/run/credstore/$name" ] || fail "test setup: $name exists"
sed '/^delivery = {/,/^};/d' "$conf" > "$WORK/etc/cred.conf"
cat >> "$WORK/etc/cred.conf" <<EOT
delivery = {
  transport = "smtp";
  smtp_url = "smtp://127.0.0.1:25";
  starttls = "off";
  username = "gremiumd";
  password_credential = "$name";
};
EOT
line=$(grep -n 'password_credential' "$WORK/etc/cred.conf" | cut -d: -f1)
# the admin's shell: looked for in /etc/credstore (where LoadCredential=NAME finds it)
expect_exit 78 env -u CREDENTIALS_DIRECTORY "$GREMIUMCTL" -c "$WORK/etc/cred.conf" check 2> "$WORK/err"
grep -q "^$WORK/etc/cred.conf:$line: delivery.password_credential: cannot read credential \"$name\" at /etc/credstore/$name: No such file or directory$" "$WORK/err" ||
	fail "check without the credential: $(cat "$WORK/err")"
# the service: $CREDENTIALS_DIRECTORY
mkdir -p "$WORK/creds"
printf 'secret\n' > "$WORK/creds/$name"
CREDENTIALS_DIRECTORY=$WORK/creds "$GREMIUMCTL" -c "$WORK/etc/cred.conf" check > /dev/null ||
	fail "check with the credential in \$CREDENTIALS_DIRECTORY"
chmod 000 "$WORK/creds/$name"
expect_exit 78 as_other env CREDENTIALS_DIRECTORY="$WORK/creds" "$GREMIUMCTL" -c "$WORK/etc/cred.conf" check 2> "$WORK/err"
grep -q "^$WORK/etc/cred.conf:$line: delivery.password_credential: cannot read credential \"$name\" at $WORK/creds/$name: Permission denied$" "$WORK/err" ||
	fail "check with an unreadable credential: $(cat "$WORK/err")"
# both keys: an error
sed "s|^  password_credential = .*|&\n  password_file = \"/etc/passwd\";|" "$WORK/etc/cred.conf" > "$WORK/etc/both.conf"
expect_exit 78 "$GREMIUMCTL" -c "$WORK/etc/both.conf" check 2> "$WORK/err"
grep -q 'password_file and password_credential exclude each other' "$WORK/err" || fail "both keys: $(cat "$WORK/err")"

# ---- 5. retry times with their offset ----
if $PY -c 'import aiosmtpd' 2>/dev/null; then
	port=$(free_port)
	$PY "$top_srcdir/tests/faultsmtpd.py" --port "$port" --outdir "$WORK/smtp" > "$WORK/smtp.log" 2>&1 &
	server=$!
	daemon=
	stop_all() { [ -z "$daemon" ] || kill "$daemon" 2>/dev/null; kill "$server" 2>/dev/null; }
	cleanup_hooks="stop_all"
	wait_ready smtp
	sed -e '/^members = (/,/^);/d' -e '/^delivery = {/,/^};/d' "$conf" > "$WORK/etc/retry.conf"
	cat >> "$WORK/etc/retry.conf" <<EOT
members = ( { name = "Mitglied"; email = "tempfail01@faults.example"; group = "kgst"; } );
delivery = { transport = "smtp"; smtp_url = "smtp://127.0.0.1:$port"; starttls = "off"; };
EOT
	sed -i 's|^state = .*|state = "retry.db";|' "$WORK/etc/retry.conf"
	"$GREMIUMD" -c "$WORK/etc/retry.conf" 2> "$WORK/retry.log" &
	daemon=$!
	i=0
	until grep -q 'temporary failure, retrying at' "$WORK/retry.log"; do
		i=$((i + 1)); [ $i -le 300 ] || fail "no retry logged: $(cat "$WORK/retry.log")"; sleep 0.1
	done
	$PY - "$WORK/retry.log" <<'EOF' || fail "retry time: $(grep retrying "$WORK/retry.log")"
import datetime, re, sys
line = next(l for l in open(sys.argv[1]) if "retrying at" in l)
m = re.match(r"<4>(?:invitation|update) to tempfail01@faults\.example: temporary failure, retrying at "
             r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d): 451 ", line)
if not m:
    sys.exit("not ISO 8601 with offset: " + line)
at = datetime.datetime.fromisoformat(m.group(1))
now = datetime.datetime.now(datetime.timezone.utc)
# the first retry comes after the failure and within the first backoff
if not (now - datetime.timedelta(minutes=1) < at < now + datetime.timedelta(hours=1)):
    sys.exit("the logged instant %s is not a retry time after %s" % (at, now))
EOF
	kill "$daemon"
	wait "$daemon" || fail "gremiumd exited $? on SIGTERM"
	daemon=
fi
echo "e2e_admin: ok"
