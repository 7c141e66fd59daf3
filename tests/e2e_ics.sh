#!/bin/sh
# End-to-end: `gremiumctl ics` and `gremiumctl preview` on the example
# config.  The feed is checked by python-icalendar and recurring_ical_events
# (tests/check_feed.py) against preview's UTC instants; -o writes the same
# bytes atomically, into existing folders only; bad arguments exit 64.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)

$PY "$top_srcdir/tests/check_feed.py" "$GREMIUMCTL" "$conf" || fail "check_feed.py"

# -o: same bytes as stdout, no temporary left over; missing folders are
# not created (exit 73, nothing left behind)
"$GREMIUMCTL" -c "$conf" ics > "$WORK/stdout.ics"
expect_exit 73 "$GREMIUMCTL" -c "$conf" ics -o "$WORK/feed/sub/kg.ics"
[ ! -e "$WORK/feed" ] || fail "ics -o created folders: $(find "$WORK/feed")"
mkdir -p "$WORK/feed/sub"
"$GREMIUMCTL" -c "$conf" ics -o "$WORK/feed/sub/kg.ics"
cmp -s "$WORK/stdout.ics" "$WORK/feed/sub/kg.ics" || fail "ics -o differs from stdout"
[ "$(ls -A "$WORK/feed/sub")" = "kg.ics" ] || fail "ics -o left: $(ls -A "$WORK/feed/sub")"
"$GREMIUMCTL" -c "$conf" ics --output "$WORK/feed/sub/kg.ics"
cmp -s "$WORK/stdout.ics" "$WORK/feed/sub/kg.ics" || fail "ics -o twice differs"

# the example's exceptions, as preview shows them
out=$("$GREMIUMCTL" -c "$conf" preview --fresh --from 2026-12-01 --days 60)
echo "$out" | grep -q '09\.12\.2026 10:00 .*cancelled (Weihnachtspause)' || fail "preview cancel: $out"
echo "$out" | grep -q '20\.01\.2027 14:00 .*moved from Mi 13\.01\.2027 10:00' || fail "preview move: $out"
out=$("$GREMIUMCTL" -c "$conf" preview --from 2027-03-01 --days 31 --format tsv)
echo "$out" | grep -q "^2027-03-10T09:00:00Z	.*	skipped	online	" || fail "preview skip: $out"
echo "$out" | grep -q "^2027-03-17T09:00:00Z	2027-03-17T" || fail "preview praesenz: $out"
"$GREMIUMCTL" -c "$conf" preview --fresh > /dev/null || fail "preview with defaults"

expect_exit 64 "$GREMIUMCTL" -c "$conf" preview --from 2026-02-30
expect_exit 64 "$GREMIUMCTL" -c "$conf" preview --days 0
expect_exit 64 "$GREMIUMCTL" -c "$conf" preview --days 12x
expect_exit 64 "$GREMIUMCTL" -c "$conf" preview --format xml
expect_exit 64 "$GREMIUMCTL" -c "$conf" preview --bogus
expect_exit 64 "$GREMIUMCTL" -c "$conf" preview extra
expect_exit 64 "$GREMIUMCTL" -c "$conf" ics extra
expect_exit 64 "$GREMIUMCTL" -c "$conf" ics -x
set +e
"$GREMIUMCTL" -c "$conf" preview --days 0 2> "$WORK/err"
set -e
[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "usage error is not one line: $(cat "$WORK/err")"
grep -q '^gremiumctl: preview: ' "$WORK/err" || fail "usage error: $(cat "$WORK/err")"
echo "e2e_ics: ok"
