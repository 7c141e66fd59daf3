# Shared helpers for the end-to-end tests (sourced, POSIX sh).
# Each test gets its own scratch folder, removed at exit.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${GREMIUMCTL:=$top_builddir/src/gremiumctl}"
: "${GREMIUMD:=$top_builddir/src/gremiumd}"
# Debian's python3-* modules import only under the system interpreter.
PY=/usr/bin/python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gremium-e2e.XXXXXX")
cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do "$h" || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Copy the example config (and nothing else) into $WORK/etc.
example_config() {
	mkdir -p "$WORK/etc"
	cp "$top_srcdir/etc/gremiumd.conf" "$WORK/etc/gremiumd.conf"
	echo "$WORK/etc/gremiumd.conf"
}

# A free TCP port on 127.0.0.1.
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# expect_exit CODE CMD...: run CMD, fail unless it exits with CODE.
expect_exit() {
	want=$1; shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want"
}

# wait_ready NAME: wait (bounded, 10 s) for a test server's $WORK/NAME/ready;
# on timeout fail with its log, $WORK/NAME.log.
wait_ready() {
	i=0
	while [ ! -e "$WORK/$1/ready" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "server $1 did not start: $(cat "$WORK/$1.log")"
		sleep 0.1
	done
}

# wait_for PATTERN FILE [SECONDS]: poll (bounded, default 20 s) until grep
# finds PATTERN in FILE; on timeout fail with FILE's content.
wait_for() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $((${3:-20} * 10)) ] || fail "timed out waiting for '$1' in $2: $(cat "$2")"
		sleep 0.1
	done
}
