#!/bin/sh
# End-to-end: `gremiumctl check` loads the templates folder and test-renders
# every text the config can send, with the functions the service uses: a
# missing folder, an unknown placeholder, invalid UTF-8 and a text that
# renders past the 256 KiB cap fail check (exit 78) with messages naming
# the template file, and gremiumd refuses them the same way; a good
# override passes.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

conf=$(example_config)
sed -i 's|^# templates = "templates";|templates = "templates";|' "$conf"
grep -q '^templates = "templates";' "$conf" || fail "the edit did not apply"
tdir=$WORK/etc/templates

# check_fails NAME PATTERN: check exits 78 and stderr has a line matching PATTERN
check_fails() {
	set +e
	"$GREMIUMCTL" -c "$conf" check > /dev/null 2> "$WORK/$1.err"
	rc=$?
	set -e
	[ "$rc" -eq 78 ] || fail "$1: exit $rc: $(cat "$WORK/$1.err")"
	grep -q "$2" "$WORK/$1.err" || fail "$1: $(cat "$WORK/$1.err")"
	! grep -q "Cannot allocate memory" "$WORK/$1.err" || fail "$1: $(cat "$WORK/$1.err")"
}

check_fails missing "^$tdir: cannot open the templates folder: No such file or directory$"

mkdir "$tdir"
out=$("$GREMIUMCTL" -c "$conf" check) || fail "empty folder: $out"

printf 'Erinnerung: {summary}\n\nHallo {member_name},\n{summry}\n' > "$tdir/reminder.de.txt"
check_fails unknown "^$tdir/reminder.de.txt:4: unknown placeholder {summry}$"

printf 'Erinnerung\n\n\377\376 kaputt\n' > "$tdir/reminder.de.txt"
check_fails utf8 "^$tdir/reminder.de.txt:1: not a UTF-8 text file$"

# 62 KB of {description}: within the 64 KiB file cap, but with the
# example's description (99 bytes) it renders to about 470 KB
$PY - "$tdir/reminder.de.txt" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Erinnerung\n\n")
    while f.tell() < 62 * 1024:
        f.write("{description} {description} {description} {description}\n")
PYEOF
check_fails too_big "^$tdir/reminder.de.txt:1: renders to more than 256 KiB with the longest values of the configuration ({description} of [0-9]* bytes, [0-9]* times)$"
# gremiumd loads them the same way: it does not start (and a reload with
# them would keep the old setup); the timeout only bounds a broken build
set +e
timeout 60 "$GREMIUMD" -c "$conf" > /dev/null 2> "$WORK/daemon.err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "gremiumd with a text past the cap: exit $rc: $(cat "$WORK/daemon.err")"
grep -q "reminder.de.txt:1: renders to more than 256 KiB" "$WORK/daemon.err" ||
	fail "gremiumd: $(cat "$WORK/daemon.err")"

printf 'Erinnerung: {summary}\n\nHallo {member_name},\n{description}\n' > "$tdir/reminder.de.txt"
out=$("$GREMIUMCTL" -c "$conf" check) || fail "good override: $out"
echo "e2e_check_templates: ok"
