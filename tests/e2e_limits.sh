#!/bin/sh
# End-to-end (issue 13.3): whatever `check` accepts, the renderer renders.
# A config with every string at its longest accepted length (addresses of
# 254 bytes, a 253-byte domain, ids of 64, names, summaries, locations and
# notes of 4096, unbreakable words among them; tests/limits_config.py)
# passes check, and run-once renders every mail kind from it: invitations
# and a call for topics, a reminder, updates (a location changed) and
# cancellations (a member removed), plus send-test and the feed.  Every
# mail is parsed back with Python's email package and icalendar, every
# line is at most 998 octets.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

mkdir -p "$WORK/etc"
conf=$WORK/etc/gremiumd.conf
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
stage() {
	$PY "$top_srcdir/tests/limits_config.py" "$conf" "$1"
	ctl check > /dev/null || fail "stage $1: check refused the config at the limits"
}
run() {
	ctl run-once --now "$1" > "$WORK/out" 2>&1 || fail "run-once at $1: $(cat "$WORK/out")"
	grep -q "failed 0 (maildir)$" "$WORK/out" || fail "run-once at $1: $(cat "$WORK/out")"
}

stage 1
run 2027-01-01T09:00     # invitations, and the call for topics (deadline 01-06)
run 2027-01-12T09:00     # the reminder, a day before
stage 2
run 2027-01-12T09:30     # updates: the online series' location changed
stage 3
run 2027-01-12T10:00     # cancellations: the second member is gone
long_to=$($PY -c 'print("x" * 64 + "@" + ".".join(["d" * 63] * 3 + ["d" * 61])[-189:])')
for kind in invitation reminder topic-call; do
	ctl send-test --to "$long_to" --kind "$kind" > /dev/null 2>&1 || fail "send-test --kind $kind"
done
ctl ics > "$WORK/feed.ics" || fail "ics"

$PY - "$WORK/etc/var/outbox/new" "$WORK/feed.ics" <<'PYEOF'
import email, email.policy, os, sys
import icalendar

folder, feed = sys.argv[1], sys.argv[2]
kinds = {}
for name in sorted(os.listdir(folder)):
    raw = open(os.path.join(folder, name), "rb").read()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 998, "%s: a line of %d octets" % (name, len(line))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    kind = str(msg["X-Gremium-Kind"])
    kinds[kind] = kinds.get(kind, 0) + 1
    to = msg["To"].addresses[0].addr_spec
    assert len(to) == 254, "%s: To: %s" % (name, to)
    assert len(msg["From"].addresses[0].addr_spec) == 254
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            events = [c for c in cal.walk("VEVENT")]
            assert events, name
            assert len(str(events[0]["UID"])) > 253, name
        elif part.get_content_type() == "text/plain":
            assert part.get_content().strip(), name
want = {"invitation", "update", "cancellation", "topic-call", "reminder"}
missing = want - set(kinds)
assert not missing, "no %s among %s" % (missing, kinds)
cal = icalendar.Calendar.from_ical(open(feed, "rb").read())
assert len(cal.walk("VEVENT")) >= 2
print("e2e_limits: kinds rendered:", ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
PYEOF
echo "e2e_limits: ok"
