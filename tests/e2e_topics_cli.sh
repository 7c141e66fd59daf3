#!/bin/sh
# End-to-end: the chair's commands on the example config (DESIGN.md, phase
# 2): topics, topic add|withdraw|move|order, inbox [--held], inbox accept,
# with their human and --json output (checked by tests/check_chair_json.py
# with Python's json module).  A bad WHEN, ID, position or member gives a
# clear error and the documented exit code, and changes nothing (the
# topics and inbox tables and the change counter compared before and
# after).  Inbox rows are put in with the sqlite3 shell, as the mailbox
# pass would record them.
# shellcheck disable=SC1111 # the German quotes „…“ in titles are meant
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
db="$WORK/etc/var/state.db"
tz=Europe/Berlin
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
json() { what=$1; shift; ctl "$what" "$@" --json | $PY "$top_srcdir/tests/check_chair_json.py" "$what" "$tz"; }
sql() { sqlite3 -batch "$db" "$@"; }
# what a failing command must leave as it was
snapshot() { sql "SELECT * FROM topics ORDER BY id; SELECT * FROM inbox ORDER BY id; SELECT * FROM meta;"; }
# expect_error CODE PATTERN CMD...: exit CODE, PATTERN on stderr, nothing changed
expect_error() {
	code=$1 pattern=$2
	shift 2
	before=$(snapshot)
	expect_exit "$code" ctl "$@" 2> "$WORK/err" > "$WORK/out"
	grep -q -- "$pattern" "$WORK/err" || fail "'$*': stderr lacks '$pattern': $(cat "$WORK/err")"
	[ "$(wc -l < "$WORK/err")" -le 2 ] || fail "'$*': more than a clear error: $(cat "$WORK/err")"
	[ ! -s "$WORK/out" ] || fail "'$*' printed: $(cat "$WORK/out")"
	[ "$(snapshot)" = "$before" ] || fail "'$*' changed the state"
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: got
$1
expected
$2"; }

# ---- --help, and no state yet ----
for cmd in topics topic inbox; do
	"$GREMIUMCTL" -c /nonexistent/gremiumd.conf "$cmd" --help > "$WORK/help" ||
		fail "$cmd --help exited $?"
	grep -q "^Usage: gremiumctl \[-c FILE\] $cmd " "$WORK/help" || fail "$cmd --help: $(cat "$WORK/help")"
done
expect_exit 66 ctl topics 2> "$WORK/err"
grep -q "state database .*state.db: No such file" "$WORK/err" || fail "topics without state: $(cat "$WORK/err")"
expect_exit 66 ctl inbox 2> /dev/null
expect_exit 66 ctl topic add --meeting 2027-01-20T14:00 --title T 2> /dev/null
[ ! -e "$db" ] || fail "a command without state created one"

# the state as the service makes it
ctl run-once --now 2026-11-30T10:00 > /dev/null 2>&1 || fail "run-once"
expect_eq "$(ctl topics)" "no topics" "topics of an empty state"
expect_eq "$(ctl topics --json)" "[]" "topics --json of an empty state"
expect_eq "$(ctl inbox)" "no mail" "inbox of an empty state"
expect_eq "$(ctl inbox --held --json)" "[]" "inbox --json of an empty state"

# ---- topic add ----
# the member's address with its domain in capitals; a text with what JSON escapes
text='Zeile "eins"
Zeile 2 \ mit Backslash	und Tab'
out=$(ctl topic add --meeting 2027-01-20T14:00 --title "Breitbandausbau" \
	--member juergen.mueller@LANDKREIS-MUSTERSTADT.example --text "$text")
expect_eq "$out" "topic 1 added: TOP 1 of 2027-01-20T14:00 (online)" "topic add"
ctl topic add --meeting 2027-01-20T14:00 --title "Haushalt 2027" > /dev/null
ctl topic add --meeting 2027-01-20T14:00 --title "Öffentliche Räume – „Test“" \
	--member kaethe.weiss@kreis-beispielheim.example > /dev/null
out=$(ctl topic add --meeting 2027-03-17T10:00 --title "Präsenz: Berlin")
expect_eq "$out" "topic 4 added: TOP 1 of 2027-03-17T10:00 (praesenz)" "topic add praesenz"

expect_eq "$(json topics)" "1|2027-01-20T14:00|online|1|Breitbandausbau|Zeile \"eins\"\\nZeile 2 \\\\ mit Backslash	und Tab|juergen.mueller@landkreis-musterstadt.example|Landkreis Musterstadt|chair|active
2|2027-01-20T14:00|online|2|Haushalt 2027|-|-|-|chair|active
3|2027-01-20T14:00|online|3|Öffentliche Räume – „Test“|-|kaethe.weiss@kreis-beispielheim.example|Kreis Beispielheim|chair|active
4|2027-03-17T10:00|praesenz|1|Präsenz: Berlin|-|-|-|chair|active" "topics --json after add"
# the text exactly as given, through JSON
ctl topics --json | $PY -c 'import json,sys; t=json.load(sys.stdin); sys.stdout.write(t[0]["text"])' > "$WORK/text"
printf '%s' "$text" | cmp -s - "$WORK/text" || fail "text changed on its way: $(cat "$WORK/text")"
# received: now, on the committee's clock
ctl topics --json | $PY -c '
import datetime, json, sys
t = json.load(sys.stdin)
for o in t:
    d = datetime.datetime.fromisoformat(o["received"])
    age = datetime.datetime.now(datetime.timezone.utc) - d
    assert datetime.timedelta(0) <= age < datetime.timedelta(hours=1), (o["received"], age)
' || fail "received is not the time of adding"

# the human listing: one line per topic, columns aligned (in characters)
ctl topics > "$WORK/table"
$PY - "$WORK/table" << 'EOF' || fail "topics table: $(cat "$WORK/table")"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head = lines[0]
assert head.split() == ["MEETING", "TOP", "ID", "TITLE", "MEMBER", "ORGANISATION", "RECEIVED", "SOURCE"], head
assert len(lines) == 5, lines
title, member, source = head.index("TITLE"), head.index("MEMBER"), head.index("SOURCE")
want = [("Breitbandausbau", "Jürgen Müller", "chair"), ("Haushalt 2027", "-", "chair"),
        ("Öffentliche Räume – „Test“", "Käthe Weiß", "chair"), ("Präsenz: Berlin", "-", "chair")]
for line, (t, m, s) in zip(lines[1:], want):
    assert line[title:].startswith(t + "  "), (line, t)
    assert line[member:].startswith(m + "  "), (line, m)
    assert line[source:] == s, (line, s)
assert lines[1].startswith("2027-01-20T14:00    1   1  "), lines[1]
EOF
# one meeting
expect_eq "$(json topics --meeting 2027-03-17T10:00 | cut -d'|' -f1,2)" "4|2027-03-17T10:00" "topics --meeting"

# ---- withdraw, order, move ----
expect_eq "$(ctl topic withdraw 2)" "topic 2 withdrawn from 2027-01-20T14:00" "withdraw"
expect_eq "$(ctl topic order 3 1)" "topic 3 ordered: TOP 1 of 2027-01-20T14:00" "order"
expect_eq "$(ctl topic move 1 --to 2027-03-17T10:00)" "topic 1 moved: TOP 2 of 2027-03-17T10:00" "move"
expect_eq "$(json topics | cut -d'|' -f1-5,10)" "3|2027-01-20T14:00|online|1|Öffentliche Räume – „Test“|active
2|2027-01-20T14:00|online|-|Haushalt 2027|withdrawn
4|2027-03-17T10:00|praesenz|1|Präsenz: Berlin|active
1|2027-03-17T10:00|praesenz|2|Breitbandausbau|active" "topics after withdraw, order, move"
ctl topics | grep -q "^2027-01-20T14:00    -   2  Haushalt 2027 .* chair (withdrawn)$" ||
	fail "withdrawn topic in the table: $(ctl topics)"
ctl topic add --meeting 2027-03-17T10:00 --title "Drei" > /dev/null
expect_eq "$(ctl topic order 5 1)" "topic 5 ordered: TOP 1 of 2027-03-17T10:00" "order to the top"
expect_eq "$(ctl topic order 5 3)" "topic 5 ordered: TOP 3 of 2027-03-17T10:00" "order to the end"
expect_eq "$(json topics --meeting 2027-03-17T10:00 | cut -d'|' -f1,4)" "4|1
1|2
5|3" "order 5 1, order 5 3"
# the daemon notices the edits: the change counter moved
[ "$(sql "SELECT value FROM meta WHERE key = 'changes'")" -gt 0 ] || fail "change counter did not move"

# ---- bad input: a clear error, nothing changed ----
expect_error 65 "no meeting at 2027-01-13T10:00 (moved to 2027-01-20T14:00); the nearest: .*2027-01-20T14:00" \
	topic add --meeting 2027-01-13T10:00 --title T
expect_error 65 "no meeting at 2026-12-09T10:00 (cancelled: Weihnachtspause); the nearest: 2026-10-14T10:00, 2026-11-11T10:00, 2027-01-20T14:00, 2027-02-10T10:00, 2027-03-17T10:00" \
	topic add --meeting 2026-12-09T10:00 --title T
expect_error 65 "no meeting at 2027-03-10T10:00 (skipped: praesenz meets that month)" \
	topic add --meeting 2027-03-10T10:00 --title T
expect_error 65 "no meeting at 2027-02-10T11:00; the nearest" topic add --meeting 2027-02-10T11:00 --title T
expect_error 65 "YYYY-MM-DDTHH:MM, got 'tomorrow'" topic add --meeting tomorrow --title T
expect_error 65 "YYYY-MM-DDTHH:MM, got '2027-02-10T10:00:00'" topic add --meeting 2027-02-10T10:00:00 --title T
expect_error 65 "nobody@example.org is not the address of a member" \
	topic add --meeting 2027-02-10T10:00 --title T --member nobody@example.org
expect_error 65 "the title must have 1..200 bytes" topic add --meeting 2027-02-10T10:00 --title ""
expect_error 65 "the title must be UTF-8 text on one line" topic add --meeting 2027-02-10T10:00 --title "a
b"
expect_error 65 "the title must have" topic add --meeting 2027-02-10T10:00 \
	--title "$($PY -c 'print("x" * 201)')"
expect_error 64 "wants --meeting WHEN --title TEXT" topic add --meeting 2027-02-10T10:00
expect_error 64 "bad option '--to'" topic add --meeting 2027-02-10T10:00 --title T --to x
expect_error 65 "topic 99 does not exist" topic withdraw 99
expect_error 65 "topic 2 is already withdrawn" topic withdraw 2
expect_error 64 "ID wants a number (as listed), got 'abc'" topic withdraw abc
expect_error 64 "wants one ID" topic withdraw
expect_error 65 "position 4 is outside 1..3 of 2027-03-17T10:00" topic order 5 4
expect_error 64 "N wants a number" topic order 5 0
expect_error 65 "topic 2 is withdrawn" topic order 2 1
expect_error 65 "topic 77 does not exist" topic order 77 1
expect_error 65 "no meeting at 2026-12-09T10:00 (cancelled" topic move 3 --to 2026-12-09T10:00
expect_error 65 "topic 99 does not exist" topic move 99 --to 2027-02-10T10:00
expect_error 65 "topic 2 is withdrawn" topic move 2 --to 2027-02-10T10:00
expect_error 64 "wants ID --to WHEN" topic move 3
expect_error 64 "wants add, withdraw, move or order, got 'frob'" topic frob
expect_error 64 "unexpected argument 'extra'" topics extra
expect_error 65 "no meeting at 2027-02-11T10:00" topics --meeting 2027-02-11T10:00

# ---- inbox: rows as the mailbox pass records them ----
# 1: a stranger, held; 2: an auto-reply (summer time: +02:00); 3: a member's
# reply without a subject, held; 4: a subject with quotes, a backslash, a
# newline and a control character
sql "INSERT INTO inbox (source_id, message_id, sender, subject, received, class, outcome, text, held) VALUES
 ('imap:7:1', 'a1@mua.example', 'fremd@example.org', 'AW: Re: Vorschlag Digitalisierung', 1764500000, 'stranger', 'held for the chair', 'Bitte aufnehmen.', 1),
 ('imap:7:2', NULL, 'kaethe.weiss@kreis-beispielheim.example', 'Automatische Antwort: Themen', 1751356800, 'auto', 'not answered: auto-reply', NULL, 0),
 ('imap:7:3', 'a3@mua.example', 'juergen.mueller@landkreis-musterstadt.example', NULL, 1764500200, 'reply', 'held for the chair', 'Erste Zeile' || char(10) || 'zweite', 1),
 ('maildir:4.x', 'a4@mua.example', 'x@example.org', 'Zitat \"so\" \\ und' || char(10) || 'mehr' || char(1), 1764500300, 'invalid', 'not answered: invalid', NULL, 0);"
expect_eq "$($PY "$top_srcdir/tests/check_chair_json.py" inbox "$tz" --received << EOF
$(ctl inbox --json)
EOF
)" "1|a1@mua.example|fremd@example.org|AW: Re: Vorschlag Digitalisierung|2025-11-30T11:53:20+01:00|stranger|held for the chair
2|-|kaethe.weiss@kreis-beispielheim.example|Automatische Antwort: Themen|2025-07-01T10:00:00+02:00|auto|not answered: auto-reply
3|a3@mua.example|juergen.mueller@landkreis-musterstadt.example|-|2025-11-30T11:56:40+01:00|reply|held for the chair
4|a4@mua.example|x@example.org|Zitat \"so\" \\\\ und\\nmehr$(printf '\001')|2025-11-30T11:58:20+01:00|invalid|not answered: invalid" "inbox --json"
expect_eq "$(json inbox --held | cut -d'|' -f1)" "1
3" "inbox --held --json"
ctl inbox > "$WORK/table"
[ "$(wc -l < "$WORK/table")" -eq 5 ] || fail "inbox table: one line per mail: $(cat "$WORK/table")"
grep -q "^ 4  2025-11-30 11:58  x@example.org  *invalid  *Zitat \"so\" \\\\ und?mehr?  *not answered: invalid$" "$WORK/table" ||
	fail "inbox table row 4: $(cat "$WORK/table")"
grep -q "^ID  RECEIVED          FROM  .*CLASS  .*SUBJECT  .*OUTCOME$" "$WORK/table" || fail "inbox head: $(cat "$WORK/table")"
expect_eq "$(ctl inbox --held | cut -c1-3)" "ID 
 1 
 3 " "inbox --held"

# ---- inbox accept ----
expect_eq "$(ctl inbox accept 1 --meeting 2027-02-10T10:00)" \
	"inbox 1 accepted: topic 6, TOP 1 of 2027-02-10T10:00 (online)" "inbox accept --meeting"
expect_eq "$(json topics --meeting 2027-02-10T10:00)" \
	"6|2027-02-10T10:00|online|1|Vorschlag Digitalisierung|Bitte aufnehmen.|fremd@example.org|-|mail|active" \
	"the accepted stranger's topic"
ctl topics --json | $PY -c '
import json, sys
t = [o for o in json.load(sys.stdin) if o["id"] == 6][0]
assert t["received"] == "2025-11-30T11:53:20+01:00", t
' || fail "the accepted topic keeps the time the mail came"
expect_eq "$(json inbox | sed -n 1p | cut -d'|' -f1,6)" "1|topic 6 for 2027-02-10T10:00 (accepted by the chair)" "outcome of inbox 1"
expect_eq "$(json inbox --held | cut -d'|' -f1)" "3" "held after accept"

expect_error 65 "inbox 1 is not held for the chair (stranger: topic 6 for 2027-02-10T10:00" inbox accept 1
expect_error 65 "inbox 2 is not held" inbox accept 2
expect_error 65 "inbox row 99 does not exist" inbox accept 99
expect_error 64 "ID wants a number" inbox accept x
expect_error 65 "no meeting at 2026-12-09T10:00 (cancelled" inbox accept 3 --meeting 2026-12-09T10:00
expect_error 64 "wants \[--held\] \[--json\], or accept ID" inbox accept
expect_error 64 "wants \[--held\] \[--json\], or accept ID" inbox --meeting 2027-02-10T10:00
expect_error 64 "bad option '--bogus'" inbox --bogus

# without --meeting: the next meeting whose topics deadline (7 days before
# at 09:00, Europe/Berlin) has not passed, taken from preview's schedule
next_open() {
	ctl preview --from "$(date +%Y-%m-%d)" --days 200 --format tsv | $PY -c '
import datetime, sys, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Berlin")
now = datetime.datetime.now(datetime.timezone.utc)
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if line.startswith("#") or f[2] not in ("confirmed", "moved"):
        continue
    start = datetime.datetime.fromisoformat(f[5]).replace(tzinfo=tz)
    deadline = min(start, (start - datetime.timedelta(days=7)).replace(hour=9, minute=0))
    if deadline >= now:
        print(f[5])
        break
'
}
want1=$(next_open)
out=$(ctl inbox accept 3)
want2=$(next_open)
meeting=$(json topics | grep '|juergen.mueller@' | grep '|mail|' | cut -d'|' -f2)
[ -n "$want1" ] || fail "no meeting open for topics in preview's schedule"
[ "$meeting" = "$want1" ] || [ "$meeting" = "$want2" ] ||
	fail "inbox accept 3 went to '$meeting', the next meeting open for topics is '$want1'"
echo "$out" | grep -q "^inbox 3 accepted: topic 7, TOP [0-9]* of $meeting (online\|praesenz)$" || fail "accept: $out"
expect_eq "$(json topics | grep '^7|' | cut -d'|' -f5-10)" \
	"Erste Zeile|Erste Zeile\\nzweite|juergen.mueller@landkreis-musterstadt.example|Landkreis Musterstadt|mail|active" \
	"a member's held reply: title from the text, the member's organisation"
expect_eq "$(ctl inbox --held)" "no mail" "nothing held"
# a long subject: the title is cut at 200 bytes, between characters
sql "INSERT INTO inbox (source_id, sender, subject, received, class, outcome, held) VALUES
 ('imap:7:5', 'y@example.org', 'Re: x' || replace(hex(zeroblob(150)), '00', 'ä'), 1764500400, 'stranger', 'held for the chair', 1)"
out=$(ctl inbox accept 5 --meeting 2027-02-10T10:00)
expect_eq "$(json topics --meeting 2027-02-10T10:00 | grep '|y@example.org|' | cut -d'|' -f5)" \
	"x$($PY -c 'print("ä" * 99)')" "the title of a long subject, cut inside a character"

# ---- while a sender (gremiumd, run-once) holds the state ----
# the chair's commands do not take the sender's lock
flock -n "$db.lock" "$GREMIUMCTL" -c "$conf" topic add --meeting 2027-02-10T10:00 --title "Während" > "$WORK/out" ||
	fail "topic add next to a sender: $(cat "$WORK/out")"
grep -q "^topic 9 added: TOP 3 of 2027-02-10T10:00" "$WORK/out" || fail "topic add next to a sender: $(cat "$WORK/out")"

# a user who may read the config but not write the state: 77 and the
# cause, before anything is done (root may write anything: drop to nobody;
# another user loses access by mode 0444)
before=$(snapshot)
chmod 0755 "$WORK" "$WORK/etc" "$WORK/etc/var"
chmod 0644 "$conf" "$db"
if [ "$(id -u)" -eq 0 ]; then
	as_other() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as_other() { "$@"; }
	chmod 0444 "$db"
fi
for args in "topic withdraw 9" "topic order 9 1" "inbox accept 3" \
	"topic add --meeting 2027-02-10T10:00 --title T" "topic move 9 --to 2027-03-17T10:00"; do
	# shellcheck disable=SC2086 # the words of args are the arguments
	expect_exit 77 as_other "$GREMIUMCTL" -c "$conf" $args 2> "$WORK/err"
	grep -q "^gremiumctl: ${args%% [0-9-]*}: state database $db: Permission denied" "$WORK/err" ||
		fail "$args as another user: $(cat "$WORK/err")"
done
chmod 0700 "$WORK/etc/var"
chmod 0600 "$db"
[ "$(snapshot)" = "$before" ] || fail "a user who may not write changed the state"
# a member's alias (the example's j.mueller@) names the member: the topic
# records the member's email, name and organisation
ctl topic add --meeting 2027-02-10T10:00 --title "Alias" --member j.mueller@KREIS-MUSTERSTADT.example > /dev/null
expect_eq "$(json topics | grep '|Alias|' | cut -d'|' -f7,8)" \
	"juergen.mueller@landkreis-musterstadt.example|Landkreis Musterstadt" "topic add --member ALIAS"
ctl topics | grep -q "  Alias  *Jürgen Müller  *Landkreis Musterstadt " || fail "alias in the table: $(ctl topics)"
echo "e2e_topics_cli: ok"
