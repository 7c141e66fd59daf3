#!/bin/sh
# End-to-end (issue 12): what calendar clients get from run-once on the
# example, checked by tests/check_calendar.py (email + icalendar +
# recurring_ical_events, not libical):
# - series invitations without override VEVENTs but an EXDATE for the moved
#   January meeting, which is an object of its own (own UID and SEQUENCE,
#   one VEVENT), everything a member must read in DESCRIPTION, a
#   cancellation's reason in COMMENT;
# - the feed (`gremiumctl ics`) with the invitations' SEQUENCE and with
#   LAST-MODIFIED;
# - history: a location change on 2027-03-01 leaves the meetings before it
#   as they were, in the feed;
# - a second committee with the same series ids and domain: other UIDs and
#   Message-IDs;
# - a state database of the old UID form keeps its UIDs;
# - gremiumd's own feed (HTTP and feed.file) is `gremiumctl ics`'s, with the
#   SEQUENCE its first plan recorded.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
check() { $PY "$top_srcdir/tests/check_calendar.py" "$@"; }
outbox=$WORK/etc/var/outbox
move_reason="Verschoben wegen der Sitzung des IT-Planungsrats"
cancel_reason="Entfällt mangels Themen"

# ---- 1. invitations, the moved meeting's own object, a cancellation ----
ctl run-once --now 2026-11-28T09:00 > "$WORK/out" || fail "run-once: $(cat "$WORK/out")"
grep -q '^planned 56 messages$' "$WORK/out" || fail "first run: $(cat "$WORK/out")"
# the admin cancels the February meeting, with a reason
$PY - "$conf" "$cancel_reason" <<'PYEOF'
import sys
path, note = sys.argv[1:3]
text = open(path, encoding="utf-8").read()
text = text.replace("exceptions = (",
                    'exceptions = (\n  { series = "online"; date = "2027-02-10"; cancel = true; note = "%s"; },' % note, 1)
open(path, "w", encoding="utf-8").write(text)
PYEOF
ctl check > /dev/null || fail "the config with the cancellation does not check"
ctl run-once --now 2026-12-01T09:00 > "$WORK/out" || fail "run-once: $(cat "$WORK/out")"
grep -q '^planned 14 messages$' "$WORK/out" || fail "cancellation run: $(cat "$WORK/out")"
check mails "$outbox" kommunalgremium --move-reason "$move_reason" \
	--cancel-reason "$cancel_reason" || fail "the mails"

# ---- 2. the feed: the invitations' SEQUENCE, LAST-MODIFIED ----
ctl ics -o "$WORK/feed1.ics" || fail "ics"
check feed "$WORK/feed1.ics" "$outbox" || fail "the feed after the first runs"
# stable between changes: the same bytes again
ctl ics -o "$WORK/feed1b.ics" || fail "ics"
cmp -s "$WORK/feed1.ics" "$WORK/feed1b.ics" || fail "the feed changed without a change"

# ---- 3. history: the room changes from 1 March 2027 on ----
sed -i 's/location = "Videokonferenz";/location = "Rathaus Bonn, Saal 2";/' "$conf"
grep -q 'Rathaus Bonn' "$conf" || fail "test setup: no online location in the example"
ctl run-once --now 2027-03-01T09:00 > "$WORK/out" || fail "run-once: $(cat "$WORK/out")"
ctl ics -o "$WORK/feed2.ics" || fail "ics"
check history "$WORK/feed2.ics" online.kommunalgremium@fitko.example 2027-03-01 \
	"Videokonferenz" "Rathaus Bonn, Saal 2" || fail "the past was rewritten"
check feed "$WORK/feed2.ics" "$outbox" || fail "the feed after the change"

# ---- 4. a second committee of the same organisation ----
mkdir -p "$WORK/ag"
sed -e 's/kommunalgremium@fitko.example/ag-digital@fitko.example/' "$top_srcdir/etc/gremiumd.conf" \
	> "$WORK/ag/gremiumd.conf"
"$GREMIUMCTL" -c "$WORK/ag/gremiumd.conf" run-once --now 2026-11-28T09:00 > "$WORK/out" ||
	fail "run-once of the second committee: $(cat "$WORK/out")"
check distinct "$outbox" "$WORK/ag/var/outbox" || fail "two committees share UIDs"
check uids "$WORK/ag/var/outbox" '[a-z0-9+-]+\.ag-digital@fitko\.example' || fail "second committee's UIDs"

# ---- 5. an old database (UIDs "<series>@<domain>", schema 3) ----
mkdir -p "$WORK/old/var"
cp "$top_srcdir/etc/gremiumd.conf" "$WORK/old/gremiumd.conf"
"$GREMIUMCTL" -c "$WORK/old/gremiumd.conf" run-once --now 2026-11-28T09:00 > /dev/null ||
	fail "run-once for the old database"
rm -rf "$WORK/old/var/outbox"
# what gremiumd before committee.id recorded: the same rows under the old UIDs
$PY - "$WORK/old/var/state.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for table in ("sent_objects", "notices", "outbox"):
    db.execute("UPDATE %s SET uid = replace(uid, '.kommunalgremium@', '@')" % table)
db.execute("DROP TABLE sent_occurrences")
# before moved meetings were objects of their own
for table in ("sent_objects", "outbox"):
    db.execute("DELETE FROM %s WHERE uid LIKE '%%+moved-%%'" % table)
db.execute("DROP TABLE object_versions")
# schema 6 (issue 16): the answers; schema 5 (issue 15): the inbox and the topics
for table in ("answers", "topics", "inbox", "meta"):
    db.execute("DROP TABLE %s" % table)
db.execute("PRAGMA user_version = 3")
db.commit()
assert db.execute("SELECT count(*) FROM sent_objects WHERE uid LIKE '%.kommunalgremium@%'").fetchone()[0] == 0
PYEOF
# the room changes: the update goes to the UIDs the members hold; the moved
# meeting, new as an object of its own, gets the UID with the committee id
sed -i 's/location = "Videokonferenz";/location = "Rathaus Bonn, Saal 2";/' "$WORK/old/gremiumd.conf"
"$GREMIUMCTL" -c "$WORK/old/gremiumd.conf" run-once --now 2026-12-01T09:00 > "$WORK/out" ||
	fail "run-once on the old database: $(cat "$WORK/out")"
grep -q '^planned [1-9][0-9]* messages$' "$WORK/out" || fail "old database: $(cat "$WORK/out")"
check uids "$WORK/old/var/outbox" '(online|praesenz-2027[0-9]{4})@fitko\.example|online\+moved-20270113\.kommunalgremium@fitko\.example' ||
	fail "the old database lost its UIDs"
"$GREMIUMCTL" -c "$WORK/old/gremiumd.conf" ics | grep -q '^UID:online@fitko.example' ||
	fail "the feed of the old database has other UIDs"
"$GREMIUMCTL" -c "$WORK/old/gremiumd.conf" preview --format tsv --from 2027-01-01 --days 60 |
	grep -q "	online@fitko.example	" || fail "preview of the old database shows other UIDs"

# ---- 6. gremiumd's feed: the SEQUENCE its first plan recorded ----
if command -v curl > /dev/null; then
	mkdir -p "$WORK/d"
	port=$(free_port)
	sed "s|^  listen = \"\";|  listen = \"127.0.0.1:$port\";|" "$top_srcdir/etc/gremiumd.conf" > "$WORK/d/gremiumd.conf"
	"$GREMIUMD" -c "$WORK/d/gremiumd.conf" 2> "$WORK/d/daemon.log" &
	daemon=$!
	stop_daemon() { kill "$daemon" 2>/dev/null || true; }
	cleanup_hooks="stop_daemon"
	i=0
	# the feed is served at once from the recorded state (none yet:
	# SEQUENCE 0 everywhere, LAST-MODIFIED the config's); the first plan
	# records every invitation at SEQUENCE 0 and rewrites the feed, which
	# is the same then: wait for the 56 mails, then compare
	i=0
	while [ "$(ls "$WORK/d/var/outbox/new" 2>/dev/null | wc -l)" -lt 56 ]; do
		i=$((i + 1)); [ $i -le 300 ] || fail "gremiumd did not deliver 56 mails"; sleep 0.1
	done
	"$GREMIUMCTL" -c "$WORK/d/gremiumd.conf" ics -o "$WORK/d/ics.ics" || fail "ics next to gremiumd"
	i=0
	until curl -sf -o "$WORK/d/served.ics" --max-time 1 "http://127.0.0.1:$port/kommunalgremium.ics" &&
		cmp -s "$WORK/d/served.ics" "$WORK/d/ics.ics" &&
		cmp -s "$WORK/d/served.ics" "$WORK/d/var/kommunalgremium.ics"; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "gremiumd serves another feed than ics writes (or feed.file differs): $(cat "$WORK/d/daemon.log")"
		sleep 0.1
	done
	grep -q '^UID:online+moved-20270113.kommunalgremium@fitko.example' "$WORK/d/served.ics" ||
		fail "gremiumd's feed lacks the moved meeting's own object"
	check feed "$WORK/d/served.ics" "$WORK/d/var/outbox" || fail "gremiumd's feed"
	stop_daemon
	wait "$daemon" || fail "gremiumd did not stop cleanly"
fi
echo "e2e_calendar: ok"
