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
	'FILE:77: members[3].group: unknown group "städte" (not in groups)'
expect_problem not_a_meeting 's/date = "2027-01-13"/date = "2027-02-03"/' \
	'FILE:154: exceptions[1].date: series "online" has no meeting on 2027-02-03'
expect_problem duplicate_member 's/kaethe.weiss@kreis-beispielheim.example/Juergen.Mueller@landkreis-musterstadt.example/' \
	'FILE:71: members[1].email: "Juergen.Mueller@landkreis-musterstadt.example" is already the address of members[0]'
expect_problem plain_smtp 's/transport = "maildir";/transport = "smtp";/; s|# smtp_url = "smtps://mail.fitko.example:465";|smtp_url = "smtp://mail.fitko.example:587";|; s/# starttls = "required";/starttls = "off";/' \
	'FILE:187: delivery.starttls: "off" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not "mail.fitko.example"'
expect_problem injection 's/summary = "Kommunalgremium – Online-Sitzung";/summary = "Online\\r\\nBcc: all@evil.example";/' \
	'FILE:124: series[0].summary: contains a control character (no line breaks or tabs: it ends up in a mail header or calendar property)'
# Several problems at once: all of them, sorted by line.
expect_problem three 's|^  maildir = "var/outbox";|  maildir = "var/outbox"; timeout = 0;|; s/send_time = "09:00";/send_time = "9 Uhr";/; s/language = "de";/language = "deutsch";/' \
"FILE:35: committee.language: \"deutsch\" is not a supported language (de or en)
FILE:162: notifications.send_time: \"9 Uhr\" is not a time of day HH:MM (e.g. \"09:00\")
FILE:179: delivery.timeout: 0 is out of range (1..600)"

# A relative config path works from another folder, and paths resolve
# against the config's folder, not the working one.
(cd "$WORK" && "$GREMIUMCTL" -c etc/gremiumd.conf check) | grep -q '^configuration OK: 14 members, 2 series$' \
	|| fail "relative -c path"

echo "e2e_check: ok"
