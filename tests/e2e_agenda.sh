#!/bin/sh
# End-to-end (issue 15): the agenda.  The chair puts topics into the state
# with `gremiumctl topic add` (and orders and withdraws them); `gremiumctl
# run-once --now` at simulated times sends each member exactly one agenda
# per meeting, the day after the topics deadline at send_time: for the
# moved January meeting (an object of its own), late for February (the
# service was down on its day; the 1-day reminder goes with it and carries
# it too), for the in-person meeting of March without topics ("keine
# Themen"), none for the cancelled December meeting.  tests/check_agenda.py
# checks every mail with Python's email package and icalendar: the TOPs in
# order in the text and in the DESCRIPTION of the one VEVENT of that
# meeting (RECURRENCE-ID under the series' UID, or the meeting's own UID),
# at the SEQUENCE the member holds.  The feed: no agenda by default;
# with feed.agenda = true the titles (and no names) in that meeting's
# DESCRIPTION.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
run() {
	ctl run-once --now "$1" > "$WORK/run.$1" || fail "run-once $1: $(cat "$WORK/run.$1")"
	grep -q "^planned $2 messages\?$" "$WORK/run.$1" || fail "run-once $1: expected $2: $(cat "$WORK/run.$1")"
}
outbox=$WORK/etc/var/outbox/new
agendas() { grep -l '^X-Gremium-Kind: agenda' "$outbox"/* 2>/dev/null | wc -l; }
mueller=juergen.mueller@landkreis-musterstadt.example
krueger=sabine.krueger@stadt-musterburg.example
weiss=kaethe.weiss@kreis-beispielheim.example

# the invitations (series, the moved January meeting, two in-person ones)
run 2026-12-01T09:00 56
# the cancelled December 9 meeting: no agenda on its day (Dec 3)
run 2026-12-03T09:00 0
# preview lists the agendas to come
ctl preview --from 2027-01-05 --days 40 > "$WORK/preview" || fail "preview"
grep -q '^  Do 14.01.2027 09:00  agenda  *for Mi 20.01.2027 14:00 online, to 14 members$' "$WORK/preview" ||
	fail "preview: $(cat "$WORK/preview")"
grep -q '^  Do 04.02.2027 09:00  agenda  *for Mi 10.02.2027 10:00 online, to 14 members$' "$WORK/preview" ||
	fail "preview: $(cat "$WORK/preview")"

# topics: February in the chair's order, one withdrawn; one for January
ctl topic add --meeting 2027-02-10T10:00 --title "Haushalt 2027" --member "$mueller" > "$WORK/t1" ||
	fail "topic add: $(cat "$WORK/t1")"
ctl topic add --meeting 2027-02-10T10:00 --title "Bericht des Vorsitzes" > /dev/null || fail "topic add (chair)"
ctl topic add --meeting 2027-02-10T10:00 --title "Zurückgezogenes Thema" --member "$weiss" > /dev/null ||
	fail "topic add"
ctl topic add --meeting 2027-02-10T10:00 --title "Digitale Bauanträge" --member "$krueger" > /dev/null ||
	fail "topic add"
ctl topic add --meeting 2027-01-20T14:00 --title "OZG-Nachnutzung" --member "$weiss" > /dev/null ||
	fail "topic add (moved meeting)"
ctl topics --meeting 2027-02-10T10:00 --json > "$WORK/topics.json" || fail "topics --json"
id() {
	$PY -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1])) if t["title"] == sys.argv[2]][0])' \
		"$WORK/topics.json" "$1"
}
ctl topic withdraw "$(id "Zurückgezogenes Thema")" > /dev/null || fail "topic withdraw"
ctl topic order "$(id "Digitale Bauanträge")" 1 > /dev/null || fail "topic order"

# January 20 (moved; deadline Jan 13): the 7-day reminder without it,
# nothing a minute before Jan 14 09:00, then the agenda; once
run 2027-01-13T09:00 14
run 2027-01-14T08:59 0
[ "$(agendas)" -eq 0 ] || fail "an agenda before its time"
run 2027-01-14T09:00 14
run 2027-01-14T09:00 0
[ "$(agendas)" -eq 14 ] || fail "$(agendas) agenda mails for January, expected 14"
# February 10 (deadline Feb 3): down from before Feb 4 until Feb 9 12:00:
# the agenda late, with the 1-day reminder (the 7-day one superseded),
# and the chair's report (issue 16, due Feb 7)
run 2027-02-09T12:00 29
run 2027-02-09T12:00 0
# the admin's own agenda text: `check` renders it with the longest
# agenda (five times is too much), and the mails use it
mkdir -p "$WORK/etc/templates"
sed -i 's|^# templates = "templates";|templates = "templates";|' "$conf"
grep -q '^templates = "templates";' "$conf" || fail "test setup: no templates line in the example"
printf 'Zu lang\n\n{agenda}\n{agenda}\n{agenda}\n{agenda}\n{agenda}\n' > "$WORK/etc/templates/agenda.de.txt"
expect_exit 78 "$GREMIUMCTL" -c "$conf" check 2> "$WORK/check.err"
grep -q "agenda.de.txt:1: renders to more than 256 KiB with the longest values of the configuration ({agenda} of [0-9]* bytes, 5 times)$" \
	"$WORK/check.err" || fail "check: $(cat "$WORK/check.err")"
printf 'Agenda der Sitzung am {date}\n\n{agenda}\n\nEnde der Tagesordnung.\n' > "$WORK/etc/templates/agenda.de.txt"
ctl check > /dev/null || fail "check with the agenda template"
# March 17, in person, no topics (deadline Mar 10): the agenda says so;
# the 7-day reminder (due Mar 10) goes late with it and carries it
run 2027-03-11T09:00 28
[ "$(grep -l '^Ende der Tagesordnung\.' "$outbox"/* | wc -l)" -eq 14 ] ||
	fail "the admin's agenda text is not in the March agendas"

cat > "$WORK/expect.json" <<JSON
{"members": $($PY -c '
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps(re.findall(r"email = \"([^\"]+)\"", text.split("members = (")[1].split(");")[0])))' "$conf"),
 "meetings": {
  "2027-01-20T14:00": {"uid": "online+moved-20270113.kommunalgremium@fitko.example", "rid": false,
                       "topics": [["OZG-Nachnutzung", "Käthe Weiß", "Kreis Beispielheim"]]},
  "2027-02-10T10:00": {"uid": "online.kommunalgremium@fitko.example", "rid": true,
                       "topics": [["Digitale Bauanträge", "Sabine Krüger", "Stadt Musterburg"],
                                  ["Haushalt 2027", "Jürgen Müller", "Landkreis Musterstadt"],
                                  ["Bericht des Vorsitzes", null, null]]},
  "2027-03-17T10:00": {"uid": "praesenz-20270317.kommunalgremium@fitko.example", "rid": false, "topics": []}
 },
 "reminders": ["2027-02-10T10:00", "2027-03-17T10:00"]}
JSON
$PY "$top_srcdir/tests/check_agenda.py" "$outbox" "$WORK/expect.json" || fail "the agenda mails"

# ---- the feed: no agenda by default; with feed.agenda the titles ----
ctl ics -o "$WORK/off.ics" || fail "ics"
sed -i 's|^  agenda = false;|  agenda = true;|' "$conf"
grep -q '^  agenda = true;' "$conf" || fail "test setup: no 'agenda = false;' line in the example's feed"
ctl check > /dev/null || fail "feed.agenda = true does not check"
ctl ics -o "$WORK/on.ics" || fail "ics with feed.agenda"
$PY - "$WORK/off.ics" "$WORK/on.ics" <<'PYEOF' || fail "the feed's agenda"
import sys, icalendar
off, on = (icalendar.Calendar.from_ical(open(p, "rb").read()) for p in sys.argv[1:3])
titles = ["Digitale Bauanträge", "Haushalt 2027", "Bericht des Vorsitzes", "OZG-Nachnutzung"]
raw_off = open(sys.argv[1], encoding="utf-8").read()
for t in titles + ["TOP 1"]:
    assert t not in raw_off.replace("\r\n ", ""), "feed.agenda off shows %r" % t
def desc(cal, uid, rid):
    for ev in cal.walk("VEVENT"):
        r = ev.get("RECURRENCE-ID")
        if str(ev["UID"]) == uid and (r.dt.strftime("%Y-%m-%dT%H:%M") if r else None) == rid:
            return str(ev.get("DESCRIPTION", ""))
    raise AssertionError("no VEVENT %s %s" % (uid, rid))
d = desc(on, "online.kommunalgremium@fitko.example", "2027-02-10T10:00")
assert d.startswith("Tagesordnung:\nTOP 1: Digitale Bauanträge\nTOP 2: Haushalt 2027\n"
                    "TOP 3: Bericht des Vorsitzes\n\nMonatliche Sitzung"), d
d = desc(on, "online+moved-20270113.kommunalgremium@fitko.example", None)
assert d.startswith("Tagesordnung:\nTOP 1: OZG-Nachnutzung\n\n"), d
d = desc(on, "praesenz-20270317.kommunalgremium@fitko.example", None)
assert d.startswith("Tagesordnung:\nZu dieser Sitzung sind keine Themen eingegangen."), d
raw_on = open(sys.argv[2], encoding="utf-8").read().replace("\r\n ", "")
for name in ("Müller", "Krüger", "Weiß", "eingebracht", "ATTENDEE"):
    assert name not in raw_on, "the public feed names %r" % name
# the other meetings: no override, the series' text
assert "Zurückgezogenes Thema" not in raw_on
print("feed: no agenda by default; with feed.agenda the titles of 3 meetings")
PYEOF
echo "e2e_agenda: ok"
