#!/bin/sh
# End-to-end: `gremiumctl check` on the example config and on broken ones,
# and the CLI contract (--help, --version, usage errors).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)

out=$("$GREMIUMCTL" -c "$conf" check)
echo "$out" | grep -q '^configuration OK: 14 members, 2 series$' || fail "check said: $out"

"$GREMIUMCTL" --help | grep -q 'Usage: gremiumctl' || fail "--help"
"$GREMIUMCTL" --version | grep -q '^gremiumctl [0-9]' || fail "--version"
"$GREMIUMD" --version | grep -q '^gremiumd [0-9]' || fail "gremiumd --version"
expect_exit 64 "$GREMIUMCTL" -c "$conf" no-such-command
expect_exit 64 "$GREMIUMCTL" -c "$conf"
expect_exit 64 "$GREMIUMCTL" --bogus check
expect_exit 66 "$GREMIUMCTL" -c "$WORK/missing.conf" check

# A typo'd key, an impossible date and a syntax error: exit 78, FILE:LINE.
sed -e 's/^\([[:space:]]*\)timezone = /\1time_zone = /' "$conf" > "$WORK/typo.conf"
set +e
"$GREMIUMCTL" -c "$WORK/typo.conf" check 2> "$WORK/err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "typo: exit $rc"
grep -q "^$WORK/typo.conf:[0-9][0-9]*: .*time_zone" "$WORK/err" || fail "typo: $(cat "$WORK/err")"

printf 'committee = {\n  name = "x"\n' > "$WORK/syntax.conf"
set +e
"$GREMIUMCTL" -c "$WORK/syntax.conf" check 2> "$WORK/err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "syntax: exit $rc"
grep -q "^$WORK/syntax.conf:[0-9][0-9]*: " "$WORK/err" || fail "syntax: $(cat "$WORK/err")"
# Typical admin mistakes on the example: exit 78 and exactly these lines.
# expect_problem NAME SED-SCRIPT EXPECTED-STDERR (FILE stands for the path)
expect_problem() {
	sed -e "$2" "$conf" > "$WORK/$1.conf"
	cmp -s "$conf" "$WORK/$1.conf" && fail "$1: the edit did not apply"
	set +e
	"$GREMIUMCTL" -c "$WORK/$1.conf" check > /dev/null 2> "$WORK/$1.err"
	rc=$?
	set -e
	[ "$rc" -eq 78 ] || fail "$1: exit $rc"
	printf '%s\n' "$3" | sed -e "s|^FILE:|$WORK/$1.conf:|" > "$WORK/$1.want"
	diff -u "$WORK/$1.want" "$WORK/$1.err" >&2 || fail "$1: unexpected messages"
}
expect_problem typo_once 's/^\([[:space:]]*\)timezone = /\1time_zone = /' \
	"FILE:33: committee.time_zone: unknown setting (did you mean 'timezone'?)"
expect_problem group_name '0,/group = "staedte"/s//group = "städte"/' \
	'FILE:83: members[3].group: unknown group "städte" (not in groups)'
expect_problem not_a_meeting 's/date = "2027-01-13"/date = "2027-02-03"/' \
	'FILE:160: exceptions[1].date: series "online" has no meeting on 2027-02-03'
expect_problem duplicate_member 's/kaethe.weiss@kreis-beispielheim.example/Juergen.Mueller@landkreis-musterstadt.example/' \
	'FILE:77: members[1].email: "Juergen.Mueller@landkreis-musterstadt.example" is already the address of members[0]'
expect_problem plain_smtp 's/transport = "maildir";/transport = "smtp";/; s|# smtp_url = "smtps://mail.fitko.example:465";|smtp_url = "smtp://mail.fitko.example:587";|; s/# starttls = "required";/starttls = "off";/' \
	'FILE:200: delivery.starttls: "off" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not "mail.fitko.example"'
expect_problem injection 's/summary = "Kommunalgremium – Online-Sitzung";/summary = "Online\\r\\nBcc: all@evil.example";/' \
	'FILE:130: series[0].summary: contains a control character (no line breaks or tabs: it ends up in a mail header or calendar property)'
# Several problems at once: all of them, sorted by line.
expect_problem three 's|^  maildir = "var/outbox";|  maildir = "var/outbox"; timeout = 0;|; s/send_time = "09:00";/send_time = "9 Uhr";/; s/language = "de";/language = "deutsch";/' \
"FILE:35: committee.language: \"deutsch\" is not a supported language (de or en)
FILE:168: notifications.send_time: \"9 Uhr\" is not a time of day HH:MM (e.g. \"09:00\")
FILE:192: delivery.timeout: 0 is out of range (1..600)"

# Issue 13: what the adversarial probe found, at the command line.
expect_problem plain_smtp_by_name 's/transport = "maildir";/transport = "smtp";/; s|# smtp_url = "smtps://mail.fitko.example:465";|smtp_url = "smtp://127.0.0.1.attacker.example:25";|; s/# starttls = "required";/starttls = "off";/' \
	'FILE:200: delivery.starttls: "off" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not "127.0.0.1.attacker.example"'
# @include of a folder: libconfig's scanner called exit(2); now 78, FILE:LINE
state_line=$(grep -n '^state = ' "$top_srcdir/etc/gremiumd.conf" | cut -d: -f1)
expect_problem include 's|^state = |@include "/"\nstate = |' \
	"FILE:$state_line: @include is not supported: keep the configuration in one file"
expect_problem nul_escape 's/name = "FITKO (Vorsitz)"/name = "FITKO\\x00Bcc: all@evil.example"/' \
	'FILE:40: "\x00" in a string: a NUL character would cut it there'
expect_problem overflow 's/reminders_days_before = \[ 7, 1 \];/reminders_days_before = [ 7, 99999999999999999999 ];/' \
	'FILE:175: 99999999999999999999: too large a number (at most 2147483647)'
expect_problem listen_999 's/^  listen = "";/  listen = "999.1.1.1:8080";/' \
	'FILE:230: feed.listen: "999.1.1.1:8080" is not host:port (e.g. "127.0.0.1:8080" or "[::1]:8080")'
expect_problem state_root 's|^state = "var/state.db";|state = "/";|' \
	"FILE:$state_line: state: \"/\" is a folder: a file name is needed here"
# A byte order mark (Windows editors) is no syntax error.
printf '\357\273\277' | cat - "$conf" > "$WORK/bom.conf"
"$GREMIUMCTL" -c "$WORK/bom.conf" check | grep -q '^configuration OK' || fail "UTF-8 BOM refused"

# 50,000 reminders: one line, not 3.39 million (count lines, not time).
awk '/reminders_days_before = \[ 7, 1 \];/ { printf "  reminders_days_before = [ 1"; for (i = 1; i < 50000; i++) printf ", 1"; print " ];"; next } { print }' \
	"$conf" > "$WORK/many.conf"
set +e
"$GREMIUMCTL" -c "$WORK/many.conf" check 2> "$WORK/many.err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "50,000 reminders: exit $rc"
[ "$(wc -l < "$WORK/many.err")" -eq 1 ] || fail "50,000 reminders: $(wc -l < "$WORK/many.err") lines"
grep -q "^$WORK/many.conf:175: notifications.reminders_days_before: 50000 entries, more than the 366 allowed" "$WORK/many.err" \
	|| fail "50,000 reminders: $(head -c 300 "$WORK/many.err")"

# FIFOs (they hung run-once): check says what is wrong, run-once ends.  The
# timeout only bounds a hang of a broken build; no time is asserted.
mkfifo "$WORK/etc/pw" "$WORK/fifo.conf"
sed -e 's/transport = "maildir";/transport = "smtp";/; s|# smtp_url = "smtps://mail.fitko.example:465";|smtp_url = "smtps://127.0.0.1:1";|; s/# username = "gremiumd";/username = "gremiumd";/; s|# password_credential = "gremiumd.smtp-password";|password_file = "pw";|' \
	"$conf" > "$WORK/etc/fifo_pw.conf"
grep -q '^  password_file = "pw";' "$WORK/etc/fifo_pw.conf" || fail "test setup: no password_file line"
set +e
timeout 120 "$GREMIUMCTL" -c "$WORK/etc/fifo_pw.conf" check 2> "$WORK/fifo.err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "FIFO password_file: check exit $rc"
grep -q "^$WORK/etc/fifo_pw.conf:[0-9]*: delivery.password_file: \"$WORK/etc/pw\" not a regular file (a FIFO, device or socket)" "$WORK/fifo.err" \
	|| fail "FIFO password_file: $(cat "$WORK/fifo.err")"
set +e
timeout 120 "$GREMIUMCTL" -c "$WORK/fifo.conf" check 2> "$WORK/fifo.err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "FIFO as config: exit $rc"
grep -q "fifo.conf: cannot read: not a regular file" "$WORK/fifo.err" || fail "FIFO as config: $(cat "$WORK/fifo.err")"
# a FIFO that appears after check: run-once still ends, saying why
sed -e 's|password_file = "pw";|password_file = "pw2";|' "$WORK/etc/fifo_pw.conf" > "$WORK/etc/fifo_pw2.conf"
echo secret > "$WORK/etc/pw2"
"$GREMIUMCTL" -c "$WORK/etc/fifo_pw2.conf" check > /dev/null || fail "a readable password file: check should pass"
rm "$WORK/etc/pw2"
mkfifo "$WORK/etc/pw2"
set +e
timeout 120 "$GREMIUMCTL" -c "$WORK/etc/fifo_pw2.conf" run-once --now 2027-01-01T09:00 > /dev/null 2> "$WORK/fifo.err"
rc=$?
set -e
[ "$rc" -ne 124 ] || fail "run-once hung on a FIFO password_file"
[ "$rc" -ne 0 ] || fail "run-once succeeded with a FIFO password_file"
grep -q 'password_file.*not a regular file' "$WORK/fifo.err" || fail "run-once: $(cat "$WORK/fifo.err")"

# A relative config path works from another folder, and paths resolve
# against the config's folder, not the working one.
(cd "$WORK" && "$GREMIUMCTL" -c etc/gremiumd.conf check) | grep -q '^configuration OK: 14 members, 2 series$' \
	|| fail "relative -c path"

echo "e2e_check: ok"

# The inbound mailbox's password must be readable as well (the service
# reads it on every pass): a missing file fails check with FILE:LINE.
sed -e '/^# inbound = {/,/^# };/ s/^# //' -e 's|^  password_credential = "gremiumd.imap-password";|  password_file = "imap-pw";|' \
	"$(example_config)" > "$WORK/etc/inbound.conf"
grep -q '^  password_file = "imap-pw";' "$WORK/etc/inbound.conf" || fail "test setup: the example's inbound block did not uncomment"
expect_exit 78 "$GREMIUMCTL" -c "$WORK/etc/inbound.conf" check 2> "$WORK/inbound.err"
grep -q "^$WORK/etc/inbound.conf:[0-9]*: inbound.password_file: cannot read $WORK/etc/imap-pw: No such file or directory" "$WORK/inbound.err" \
	|| fail "inbound password: $(cat "$WORK/inbound.err")"
printf 'geheim\n' > "$WORK/etc/imap-pw"
"$GREMIUMCTL" -c "$WORK/etc/inbound.conf" check > /dev/null 2> "$WORK/inbound.err" || fail "a readable inbound password: $(cat "$WORK/inbound.err")"
