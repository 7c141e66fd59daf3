#!/bin/sh
# End-to-end: a year of daily `gremiumctl run-once --now DAYT09:00` on the
# example config into a maildir, with a config change in May (a member
# leaves, one joins).  Every mail must be the one the delivery rules ask
# for, on the right day, exactly once (tests/check_year.py computes the
# expectation independently and parses each mail with Python's email
# package and icalendar).  Also: exit codes, status, a second run is a no-op.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
first=2026-11-28
change=2027-05-03   # the first day with the changed member list
last=2027-11-27
leaver=stefan.duerr@kgst-beispiel.example
joiner=neu.mitglied@kreis-neustadt.example

ctl preview --format tsv --from "$first" --days 400 > "$WORK/occ.tsv"
: > "$WORK/runs.txt"

# preview lists the mails the planner will send, with their send times
ctl preview --fresh --from "$first" --days 40 > "$WORK/preview"
# the moved January meeting is an object of its own: 14 x 4 (issue 12)
grep -q '^  due now  *invitation  *56 messages$' "$WORK/preview" || fail "preview: $(cat "$WORK/preview")"
grep -q '^  due now  *update' "$WORK/preview" && fail "preview: $(cat "$WORK/preview")"
grep -q '30.12.2026 09:00  topic-call  *for Mi 20.01.2027 14:00 online, to 14 members$' "$WORK/preview" ||
	fail "preview lacks the call for topics: $(cat "$WORK/preview")"

# The first run: invitations to everyone; a second run at the same instant
# plans and sends nothing.
ctl run-once --now "${first}T09:00" > "$WORK/out" || fail "first run-once failed"
grep -q '^planned 56 messages$' "$WORK/out" || fail "first run: $(cat "$WORK/out")"
grep -q '^sent 56, to retry 0, failed 0 (maildir)$' "$WORK/out" || fail "first run: $(cat "$WORK/out")"
ctl run-once --now "${first}T09:00" > "$WORK/out" || fail "second run-once failed"
grep -q '^planned 0 messages$' "$WORK/out" || fail "second run planned again: $(cat "$WORK/out")"
[ "$(ctl status)" = "56 sent, 0 queued, 0 failed" ] || fail "status: $(ctl status)"
ctl preview --from "$first" --days 40 | grep -q 'due now' && fail "preview still lists mails due now"
expect_exit 64 "$GREMIUMCTL" -c "$conf" run-once --now "2027-02-30T09:00"
expect_exit 64 "$GREMIUMCTL" -c "$conf" run-once --later
echo "$first" >> "$WORK/runs.txt"

day=$first
i=0
while [ "$day" != "$last" ] && [ $i -lt 400 ]; do
	i=$((i + 1))
	day=$(date -u -d "$day + 1 day" +%Y-%m-%d)
	if [ "$day" = "$change" ]; then
		# Stefan Dürr leaves, a new member joins
		$PY - "$conf" "$leaver" "$joiner" <<'PYEOF'
import re, sys
path, leaver, joiner = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
new = '{ name = "Nora Neumann"; email = "%s"; group = "gemeinden"; }' % joiner
text, n = re.subn(r'\{ name = "Stefan Dürr";[^}]*\}', new, text)
assert n == 1, "leaver not found"
open(path, "w", encoding="utf-8").write(text)
PYEOF
		ctl check > /dev/null || fail "changed config does not check"
	fi
	ctl run-once --now "${day}T09:00" > "$WORK/out" || fail "run-once on $day: $(cat "$WORK/out")"
	echo "$day" >> "$WORK/runs.txt"
done

# who was a member when
sed -n 's/.*email = "\([^"]*@[^"]*\)";.*/\1/p' "$top_srcdir/etc/gremiumd.conf" |
	grep -v -e '^kommunalgremium@' -e '^themen@' > "$WORK/emails"
[ "$(wc -l < "$WORK/emails")" -eq 14 ] || fail "expected 14 member addresses in the example"
while read -r e; do
	if [ "$e" = "$leaver" ]; then
		echo "$e $first $(date -u -d "$change - 1 day" +%Y-%m-%d)"
	else
		echo "$e $first -"
	fi
done < "$WORK/emails" > "$WORK/members.txt"
echo "$joiner $change -" >> "$WORK/members.txt"

$PY "$top_srcdir/tests/check_year.py" "$WORK/etc/var/outbox" "$WORK/occ.tsv" \
	"$WORK/runs.txt" "$WORK/members.txt" || fail "the year's mails differ from the rules"
ctl status | grep -q ' 0 queued, 0 failed$' || fail "status at the end: $(ctl status)"
echo "e2e_run_once: ok"
