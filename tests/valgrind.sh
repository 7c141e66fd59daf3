#!/bin/sh
# Run gremiumctl's CLI paths on the example config under valgrind and fail
# on any memory error or definite/indirect leak.  Usage: valgrind.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc"
cp "$top/etc/gremiumd.conf" "$work/etc/"
conf=$work/etc/gremiumd.conf
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=99"
rc=0
run() {
	set +e
	$vg "$@" >/dev/null 2>"$work/vg.log"
	r=$?
	set -e
	if [ $r -eq 99 ]; then
		echo "valgrind: errors in: $*" >&2
		cat "$work/vg.log" >&2
		rc=1
	else
		echo "valgrind: clean: ${*#"$build"/src/}"
	fi
}
run "$build/src/gremiumctl" -c "$conf" check
run "$build/src/gremiumctl" --help
run "$build/src/gremiumctl" -c "$conf" preview --from 2026-11-01 --days 400
run "$build/src/gremiumctl" -c "$conf" ics -o "$work/feed.ics"
# the sender's event loop, claims and outcomes (maildir: the example's transport)
run "$build/src/gremiumctl" -c "$conf" run-once --now 2026-11-28T09:00
run "$build/src/gremiumctl" -c "$conf" run-once --now 2026-12-30T09:00
run "$build/src/gremiumctl" -c "$conf" status
run "$build/src/gremiumctl" -c "$conf" send-test --to test@example.org --kind invitation
run "$build/src/gremiumctl" -c "$conf" send-test --to test@example.org --kind topic-call
printf 'committee = { nme = "x"; };\n' > "$work/bad.conf"
run "$build/src/gremiumctl" -c "$work/bad.conf" check
exit $rc
