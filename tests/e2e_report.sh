#!/bin/sh
# End-to-end (issue 16): the chair's report, the request to answer and a
# deputy's invitation.  The example config with an inbound maildir and
# quorum.min_present = 3; members' answers are put into the state with the
# sqlite3 CLI (as wip-answers' fetch records them: table answers), one
# member's address bounces (its invitation row failed with "bounced: ...",
# as a DSN records it); `gremiumctl run-once --now` at simulated times.
# tests/check_report.py checks every mail with Python's email package and
# icalendar: one report per meeting to the chair (the January meeting,
# moved, quorum not reached; February reached by a deputy), with the
# answers, names, groups, organisations, the deputy, the comment, the
# bounced member and the agenda; one request to answer per member without
# an answer and meeting (the occurrence's answer beats the series'); the
# deputy gets exactly the February meeting's invitation (RECURRENCE-ID
# under the series' UID, ATTENDEE lines with DELEGATED-FROM/-TO) and its
# agenda, once.  Then an admin's chair-report.de.txt: `check` refuses a
# typo in it, and the next report is rendered from it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v sqlite3 > /dev/null || { echo "e2e_report: no sqlite3 CLI, skipped"; exit 77; }
conf=$(example_config)
cat >> "$conf" <<'CONF'
inbound = { source = "maildir"; maildir = "var/inbox"; };
quorum = { min_present = 3; report_days_before = 3; };
CONF
mkdir -p "$WORK/etc/var/inbox/new" "$WORK/etc/var/inbox/cur" "$WORK/etc/var/inbox/tmp"
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
ctl check > "$WORK/check" 2>&1 || fail "check: $(cat "$WORK/check")"
run() {
	ctl run-once --now "$1" > "$WORK/run.$1" 2>&1 || fail "run-once $1: $(cat "$WORK/run.$1")"
	if [ $# -gt 1 ]; then
		grep -q "^planned $2 messages\?$" "$WORK/run.$1" ||
			fail "run-once $1: expected $2: $(cat "$WORK/run.$1")"
	fi
}
db=$WORK/etc/var/state.db
outbox=$WORK/etc/var/outbox/new
series=online.kommunalgremium@fitko.example
moved=online+moved-20270113.kommunalgremium@fitko.example
mueller=juergen.mueller@landkreis-musterstadt.example
weiss=kaethe.weiss@kreis-beispielheim.example
schroeder=bjoern.schroeder@landkreis-oberau.example

# the invitations
run 2026-12-01T09:00
ctl preview --from 2027-02-05 --days 3 > "$WORK/preview" || fail "preview"
grep -q "chair-report  *for .* online, to the chair (kommunalgremium@fitko.example)" "$WORK/preview" ||
	fail "preview lists no chair's report: $(cat "$WORK/preview")"
grep -q "answer-reminder for .* online, to 14 members" "$WORK/preview" ||
	fail "preview lists no answer reminder: $(cat "$WORK/preview")"

# answers as the inbound pass records them; the rest of the members say nothing
members=$($PY -c '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(" ".join(re.findall(r"email = \"([^\"]+)\"", text.split("members = (")[1].split(");")[0])))' "$conf")
set -- $members
m4=$4 m5=$5 m6=$6
answer() {
	sqlite3 "$db" "INSERT INTO answers (member, uid, occurrence, answer, deputy, comment, dtstamp, received)
	               VALUES ('$1', '$2', '$3', '$4', $5, $6, 1796000000, 1796000000);" ||
		fail "sqlite3: answer $*"
}
# February 10 (a meeting of the series): Müller accepted the series; Weiß
# accepted the series but declined February; Schröder sends a deputy to
# February, with a comment; the 4th member is tentative for the series,
# the 5th accepted February only.  3 present: the quorum (3) is reached.
answer "$mueller" "$series" "" accepted NULL NULL
answer "$weiss" "$series" "" accepted NULL NULL
answer "$weiss" "$series" 2027-02-10T10:00 declined NULL "'Terminkonflikt im Kreistag'"
answer "$schroeder" "$series" 2027-02-10T10:00 delegated "'vertretung@landkreis-oberau.example'" \
	"'Frau Lange vertritt mich'"
answer "$m4" "$series" "" tentative NULL NULL
answer "$m5" "$series" 2027-02-10T10:00 accepted NULL NULL
# January 20 (moved: an object of its own): only Müller answered it
answer "$mueller" "$moved" "" accepted NULL "'komme 30 min später'"
# the 6th member's invitation bounced for good
sqlite3 "$db" "UPDATE outbox SET status = 'failed', last_answer = 'bounced: 5.1.1 user unknown'
               WHERE recipient = '$m6' AND kind = 'invitation';" || fail "sqlite3: bounce"

# the deputy's invitation right away (the agenda is not out yet), once
run 2026-12-02T09:00 1
run 2026-12-02T09:00 0
# January 20: requests to answer Jan 15 (13 members), the report Jan 17
run 2027-01-15T09:00
run 2027-01-17T09:00
# February 10: the agenda (Feb 4) and the requests to answer (Feb 5) go
# late together; the deputy's agenda with them; the report Feb 7, once
run 2027-02-05T09:00
run 2027-02-07T09:00
run 2027-02-07T09:00 0
run 2027-02-09T09:00

cat > "$WORK/expect.json" <<JSON
{"chair": "kommunalgremium@fitko.example",
 "members": $($PY -c 'import json,sys; print(json.dumps(sys.argv[1:]))' $members),
 "deputy": "vertretung@landkreis-oberau.example", "delegator": "$schroeder",
 "series_uid": "$series",
 "meetings": {
  "2027-01-20T14:00": {"quorum": "Beschlussfähigkeit NICHT erreicht – Zusagen: 1 (Mitglieder oder Vertretungen), nötig: 3.",
                       "answered": ["$mueller"],
                       "lines": ["- Jürgen Müller (Landkreise, Landkreis Musterstadt) – „komme 30 min später“"]},
  "2027-02-10T10:00": {"quorum": "Beschlussfähigkeit erreicht – Zusagen: 3 (Mitglieder oder Vertretungen), nötig: 3.",
                       "answered": ["$mueller", "$weiss", "$schroeder", "$m4", "$m5"],
                       "lines": ["- Käthe Weiß (Landkreise, Kreis Beispielheim) – „Terminkonflikt im Kreistag“",
                                 "- Björn Schröder (Landkreise, Landkreis Oberau): vertreten durch vertretung@landkreis-oberau.example – „Frau Lange vertritt mich“"]}
 },
 "bounced": "$m6"}
JSON
$PY "$top_srcdir/tests/check_report.py" "$outbox" "$WORK/expect.json" "$conf" || fail "the mails of issue 16"
# ---- an admin's chair-report.de.txt: check renders it, the service uses it ----
sed -i 's|^# templates = "templates";|templates = "templates";|' "$conf"
grep -q '^templates = "templates";' "$conf" || fail "test setup: no '# templates' line in the example"
mkdir -p "$WORK/etc/templates"
printf 'Stand {date}\n\n{quorum}\n{bounced}\n{attendence}\n' > "$WORK/etc/templates/chair-report.de.txt"
expect_exit 78 ctl check 2> "$WORK/check.err"
grep -q "chair-report.de.txt:5: unknown placeholder {attendence}" "$WORK/check.err" ||
	fail "check of a bad chair-report override: $(cat "$WORK/check.err")"
printf 'Stand {date}\n\nEIGENER BERICHT\n{quorum}\n{bounced}\n{attendance}\n' > "$WORK/etc/templates/chair-report.de.txt"
ctl check > "$WORK/check" 2>&1 || fail "check with a chair-report override: $(cat "$WORK/check")"
rm -f "$outbox"/*
# the in-person meeting of March 17 (the online one is skipped that month)
run 2027-03-14T09:00
n=$(grep -l '^X-Gremium-Kind: chair-report' "$outbox"/* | wc -l)
[ "$n" -eq 1 ] || fail "$n reports for March 17, expected 1"
$PY - "$(grep -l '^X-Gremium-Kind: chair-report' "$outbox"/*)" <<'PYEOF' || fail "the override's report"
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m["Subject"] == "[Kommunalgremium] Stand Mittwoch, 17. März 2027", m["Subject"]
body = m.get_body(preferencelist=("plain",)).get_content()
assert body.startswith("EIGENER BERICHT\nBeschlussfähigkeit NICHT erreicht – Zusagen: 0 "), body
assert "Nicht zustellbar" in body and "Keine Antwort:" in body, body
PYEOF

echo "e2e_report: ok"
