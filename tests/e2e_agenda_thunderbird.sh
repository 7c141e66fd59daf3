#!/bin/sh
# End-to-end with a real client (issue 15): the agenda in Thunderbird's
# calendar.  Debian's Thunderbird under Xvfb, driven over Marionette by
# tests/thunderbird.py as in e2e_thunderbird.sh.  The member accepts the
# series ("Accept all"), the chair adds topics, and the agenda mails (and
# the reminders that carry the agenda) go through the invitation bar's
# main button.  Asserted, from Thunderbird's own calendar:
#  a. the agenda mail is a minor update ("Update", REQUEST:UPDATE-MINOR):
#     the meeting shows the agenda in its DESCRIPTION and stays ACCEPTED
#     (not NEEDS-ACTION), for a meeting of the series (RECURRENCE-ID) and
#     for the moved meeting (an object of its own);
#  b. every other meeting is untouched (the series' DESCRIPTION, ACCEPTED);
#  c. a later series update (a new room, SEQUENCE+1, "Accept all"): what
#     happens to the agenda is recorded in the log (Thunderbird replaces
#     the series with what the update carries); the next reminder, which
#     carries the agenda at the new SEQUENCE, puts it back, still ACCEPTED.
#  d. all of it whatever order the member reads the mails in: the first
#     run's mails (the invitations with the late agenda of the first
#     meeting) and each later run's, oldest first and newest first.
# Dates are relative to today; run-once --now steps through the days.
if [ -z "${E2E_ORDER:-}" ]; then
	for order in oldest-first newest-first; do
		echo "e2e_agenda_thunderbird: the member reads $order"
		E2E_ORDER=$order sh "$0" || exit $?
	done
	exit 0
fi
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/thunderbird_lib.sh"

tb_config "Verschoben"
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
run_at() {
	ctl run-once --now "$1" > "$WORK/run.$1" || fail "run-once --now $1: $(cat "$WORK/run.$1")"
}

# ---- stage 1: invitations, accepted ----
ctl run-once > "$WORK/run1" || fail "run-once: $(cat "$WORK/run1")"
new_mails invite invitation update agenda reminder
start_daemon
start_thunderbird
window_from=$(date -u -d "$d5 - 70 days" +%Y%m%dT000000Z)
window_to=$(date -u -d "$d5 + 90 days" +%Y%m%dT000000Z)
occurrences() {
	timeout 90 $TB occurrences "$mport" "$member" "$window_from" "$window_to" > "$WORK/$1.occ.json" ||
		fail "occurrences: $(cat "$WORK/$1.occ.json")"
}
tb_imip invite
occurrences invite

# ---- stage 2: topics, the agenda mails of the day after the deadline ----
stop_daemon
ctl topic add --meeting "${d17}T10:00" --title "Haushalt 2027" --member "$member" > /dev/null ||
	fail "topic add"
ctl topic add --meeting "${d17}T10:00" --title "Bericht des Vorsitzes" > /dev/null || fail "topic add"
ctl topic add --meeting "${d11}T14:00" --title "OZG-Nachnutzung" --member "$member" > /dev/null ||
	fail "topic add (moved meeting)"
run_at "${d11}T09:00"
new_mails agenda agenda reminder
start_daemon
tb_imip agenda
occurrences agenda

# ---- stage 3: a series update, then the next reminder ----
stop_daemon
sed -i 's|location = "Videokonferenz";|location = "Videokonferenz, Raum 2";|' "$conf"
grep -q 'Videokonferenz, Raum 2' "$conf" || fail "test setup: config edit failed"
run_at "${d11}T10:00"
new_mails update update
tb_imip update
occurrences update
run_at "${d16}T09:00"
new_mails reminder reminder
tb_imip reminder
occurrences reminder
start_daemon
timeout 30 $TB quit "$mport" > /dev/null || true

$PY - "$WORK" "$member" "$d3" "$d11" "$d17" <<'PYEOF' || fail "the agenda as Thunderbird shows it"
import glob, json, sys
work, member, d3, d11, d17 = sys.argv[1:6]
fails = []
def check(cond, msg):
    if not cond:
        fails.append(msg)
def occ(tag):
    return json.load(open("%s/%s.occ.json" % (work, tag), encoding="utf-8"))
def at(tag, day, hhmm):
    want = day.replace("-", "") + "T" + hhmm
    for o in occ(tag):
        if o["start"] == want:
            return o
    raise SystemExit("%s: no occurrence %s" % (tag, want))
agenda17 = "Tagesordnung:\nTOP 1: Haushalt 2027 (eingebracht von Jürgen Müller, Landkreis Musterstadt)\nTOP 2: Bericht des Vorsitzes"
agenda11 = "Tagesordnung:\nTOP 1: OZG-Nachnutzung (eingebracht von Jürgen Müller, Landkreis Musterstadt)"
# stage 1: everything accepted
for o in occ("invite"):
    check(o["partstat"] == "ACCEPTED", "invite: %s is %s" % (o["start"], o["partstat"]))
# a: the agenda mails (and reminders with it) are minor updates; a second
# mail of the same run about the same meeting (agenda and reminder: same
# DTSTAMP, same content) is "already processed"
done = set()
for tag in ("agenda", "reminder"):
    for n in range(1, len(glob.glob("%s/%s.imip.*.json" % (work, tag))) + 1):
        r = json.load(open("%s/%s.imip.%d.json" % (work, tag, n), encoding="utf-8"))
        meeting = (r["items"][0]["uid"], r["items"][0]["rid"]) if r["items"] else None
        check("Tagesordnung:" in (r["view"] or {}).get("description", ""),
              "%s: the event box shows %r" % (r["file"], r["view"]))
        if "already been processed" in (r["bar"] or "") and (tag, meeting) in done:
            continue
        check(r["action"] == "REQUEST:UPDATE-MINOR" and r["clicked"] == "imipUpdateButton" and
              r.get("result") == "The event has been updated.",
              "%s: bar %r action %r clicked %r result %r" % (r["file"], r["bar"], r["action"],
                                                           r["clicked"], r.get("result")))
        done.add((tag, meeting))
o = at("agenda", d17, "100000")
check(agenda17 in (o["description"] or ""), "agenda: %s DESCRIPTION %r" % (d17, o["description"]))
check(o["partstat"] == "ACCEPTED", "agenda: %s is %s" % (d17, o["partstat"]))
o = at("agenda", d11, "140000")
check(agenda11 in (o["description"] or ""), "agenda: moved %s DESCRIPTION %r" % (d11, o["description"]))
check(o["partstat"] == "ACCEPTED", "agenda: moved %s is %s" % (d11, o["partstat"]))
# the meeting of the first run (its agenda late, in the invitations' run)
o = at("agenda", d3, "100000")
check((o["description"] or "").startswith("Tagesordnung:\nZu dieser Sitzung sind keine Themen"),
      "agenda: %s DESCRIPTION %r" % (d3, o["description"]))
check(o["partstat"] == "ACCEPTED", "agenda: %s is %s" % (d3, o["partstat"]))
# b: the others untouched
before = {o["start"]: o for o in occ("invite")}
for o in occ("agenda"):
    if o["start"] in (d17.replace("-", "") + "T100000", d11.replace("-", "") + "T140000",
                      d3.replace("-", "") + "T100000"):
        continue
    b = before.get(o["start"])
    check(b is not None and o["description"] == b["description"] and o["partstat"] == "ACCEPTED",
          "agenda: %s changed: %r %s" % (o["start"], o["description"], o["partstat"]))
# c: after the series update, then the reminder
o = at("update", d17, "100000")
print("after the series update (Accept all): %s DESCRIPTION %s, %s" %
      (d17, "keeps the agenda" if agenda17 in (o["description"] or "") else "without the agenda",
       o["partstat"]))
check(o["partstat"] == "ACCEPTED", "update: %s is %s" % (d17, o["partstat"]))
# the moved meeting's own update carries its agenda
o = at("update", d11, "140000")
check(agenda11 in (o["description"] or ""), "update: moved %s DESCRIPTION %r" % (d11, o["description"]))
check(o["partstat"] == "ACCEPTED", "update: moved %s is %s" % (d11, o["partstat"]))
o = at("reminder", d17, "100000")
check(agenda17 in (o["description"] or ""), "reminder: %s DESCRIPTION %r" % (d17, o["description"]))
check(o["partstat"] == "ACCEPTED", "reminder: %s is %s" % (d17, o["partstat"]))
check(o["location"] == "Videokonferenz, Raum 2", "reminder: %s location %r" % (d17, o["location"]))
for o in occ("reminder"):
    check(o["partstat"] == "ACCEPTED", "reminder: %s is %s" % (o["start"], o["partstat"]))
if fails:
    raise SystemExit("\n".join(fails))
print("Thunderbird: the agenda in the meetings' DESCRIPTION, every meeting ACCEPTED")
PYEOF
echo "e2e_agenda_thunderbird: ok"
