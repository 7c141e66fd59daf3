#!/bin/sh
# Run gremiumctl's CLI paths on the example config under valgrind and fail
# on any memory error or definite/indirect leak.  Usage: valgrind.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc"
cp "$top/etc/gremiumd.conf" "$work/etc/"
conf=$work/etc/gremiumd.conf
# tests/valgrind.supp: libconfig's own leak after some syntax errors
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=99 --suppressions=$top/tests/valgrind.supp"
rc=0
run() {
	set +e
	$vg "$@" >"$work/vg.out" 2>"$work/vg.log"
	r=$?
	set -e
	if [ $r -eq 99 ]; then
		echo "valgrind: errors in: $*" >&2
		cat "$work/vg.log" >&2
		rc=1
	else
		echo "valgrind: clean: ${*#"$build"/src/}"
	fi
}
run "$build/src/gremiumctl" -c "$conf" check
run "$build/src/gremiumctl" --help
run "$build/src/gremiumctl" -c "$conf" preview --from 2026-11-01 --days 400 --fresh
run "$build/src/gremiumctl" -c "$conf" ics -o "$work/feed.ics"
# the sender's event loop, claims and outcomes (maildir: the example's transport)
run "$build/src/gremiumctl" -c "$conf" run-once --now 2026-11-28T09:00
run "$build/src/gremiumctl" -c "$conf" run-once --now 2026-12-30T09:00
run "$build/src/gremiumctl" -c "$conf" status
# the mailbox (maildir source): parse, decide, record, confirm; the chair's commands
mkdir -p "$work/etc/var/inbox/new" "$work/etc/var/inbox/cur" "$work/etc/var/inbox/tmp"
for f in thunderbird-reply outlook-web-html non-member postfix-bounce garbage; do
	cp "$top/tests/fixtures/inbound/$f.eml" "$work/etc/var/inbox/new/$f.M1.vg"
done
cp "$conf" "$work/etc/inbound.conf"
echo 'inbound = { source = "maildir"; maildir = "var/inbox"; };' >> "$work/etc/inbound.conf"
run "$build/src/gremiumctl" -c "$work/etc/inbound.conf" run-once --now 2027-01-05T09:00
run "$build/src/gremiumctl" -c "$work/etc/inbound.conf" inbox --json
run "$build/src/gremiumctl" -c "$work/etc/inbound.conf" topics --json
run "$build/src/gremiumctl" -c "$work/etc/inbound.conf" topic add --meeting 2027-01-20T14:00 --title Haushalt
run "$build/src/gremiumctl" -c "$work/etc/inbound.conf" topic order 2 1
run "$build/src/gremiumctl" -c "$conf" send-test --to test@example.org --kind invitation
run "$build/src/gremiumctl" -c "$conf" send-test --to test@example.org --kind topic-call
# the chair's commands (issue 15): edits, listings, a held mail accepted
run "$build/src/gremiumctl" -c "$conf" topic add --meeting 2027-01-20T14:00 --title "Thema" \
	--member kaethe.weiss@kreis-beispielheim.example --text "Text"
run "$build/src/gremiumctl" -c "$conf" topic add --meeting 2027-01-20T14:00 --title "Zwei"
run "$build/src/gremiumctl" -c "$conf" topic order 2 1
run "$build/src/gremiumctl" -c "$conf" topic move 1 --to 2027-02-10T10:00
run "$build/src/gremiumctl" -c "$conf" topic move 1 --to 2026-12-09T10:00
run "$build/src/gremiumctl" -c "$conf" topic withdraw 2
run "$build/src/gremiumctl" -c "$conf" topics --json
run "$build/src/gremiumctl" -c "$conf" topics --meeting 2027-01-20T14:00
sqlite3 "$work/etc/var/state.db" "INSERT INTO inbox (source_id, sender, subject, received, class,
	outcome, text, held) VALUES ('vg:1', 'x@example.org', 'Re: Thema', 1764500000, 'stranger',
	'held for the chair', 'Text', 1)"
run "$build/src/gremiumctl" -c "$conf" inbox --json
run "$build/src/gremiumctl" -c "$conf" inbox accept 1
run "$build/src/gremiumctl" -c "$conf" inbox
# the agenda (issue 15): agenda mails and reminders with their calendar
# part, then the feed with the agenda's titles
run "$build/src/gremiumctl" -c "$conf" run-once --now 2027-01-14T09:00
run "$build/src/gremiumctl" -c "$conf" run-once --now 2027-01-19T09:00
sed -i 's|^  agenda = false;|  agenda = true;|' "$conf"
run "$build/src/gremiumctl" -c "$conf" ics -o "$work/feed-agenda.ics"
grep -q "TOP 1:" "$work/feed-agenda.ics" || { echo "valgrind: no agenda in the feed" >&2; rc=1; }
# the SMTP sender (a thread per connection, libcurl multi handles) and a plan
# large enough for the render threads and the chunked commits: 30 members
# (90 invitations, 30 updates of the moved meeting) into Postfix's smtp-sink
sink=/usr/sbin/smtp-sink
if [ -x "$sink" ]; then
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	user=
	[ "$(id -u)" -ne 0 ] || user="-u nobody"
	# shellcheck disable=SC2086
	"$sink" $user 127.0.0.1:"$port" 100 &
	sink_pid=$!
	trap 'kill $sink_pid 2>/dev/null || true; rm -rf "$work"' EXIT
	mkdir -p "$work/smtp"
	{
		sed -e '/^members = (/,/^);/d' -e '/^delivery = {/,/^};/d' -e 's|^state = .*|state = "state.db";|' "$conf"
		echo 'members = ('
		i=1
		while [ $i -le 30 ]; do
			[ $i -eq 1 ] || echo ','
			printf '  { name = "Mitglied %d"; email = "m%d@vg.example"; group = "kgst"; }' $i $i
			i=$((i + 1))
		done
		printf '\n);\ndelivery = { transport = "smtp"; smtp_url = "smtp://127.0.0.1:%s"; starttls = "off"; };\n' "$port"
	} > "$work/smtp/gremiumd.conf"
	sleep 0.5
	run "$build/src/gremiumctl" -c "$work/smtp/gremiumd.conf" run-once --now 2026-11-28T09:00
	grep -q 'sent 120, to retry 0, failed 0' "$work/vg.out" 2>/dev/null ||
		{ echo "valgrind: run-once over smtp did not send 120 mails" >&2; rc=1; }
else
	echo "valgrind: no smtp-sink (postfix), skipping the SMTP sender" >&2
fi
printf 'committee = { nme = "x"; };\n' > "$work/bad.conf"
run "$build/src/gremiumctl" -c "$work/bad.conf" check
# a syntax error after a string: libconfig leaks (tests/valgrind.supp)
printf '"abc" = 1;\n' > "$work/syntax.conf"
run "$build/src/gremiumctl" -c "$work/syntax.conf" check
printf 'a = { "" x };\n' > "$work/syntax.conf"
run "$build/src/gremiumctl" -c "$work/syntax.conf" check
exit $rc
