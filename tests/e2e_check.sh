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
echo "e2e_check: ok"
