#!/bin/sh
# The system test (issue 14): gremiumd deployed as a sysadmin would.
#
# Builds the Debian package of this tree (lintian-clean), boots a Debian 12
# root made with debootstrap (cached, tests/system/mkroot.sh) with
# `systemd-nspawn --boot` and drives it through its PID 1's namespaces with
# nsenter (there is no machined on these hosts).  Inside: the package, a real
# Postfix (submission on 587, STARTTLS from a private CA, SASL through
# Dovecot) delivering into one maildir per member.  Then, each a check:
# enable, the mails per mailbox, a reload with a change (SEQUENCE 1), a broken
# reload, a start with a broken config, a Postfix outage, socket activation
# across restart/reload/stop/start, check/preview/send-test/status as the
# README says, two committees at once (gremiumd@a, gremiumd@b), kill -9 while
# sending to 9,000 members, SIGTERM while sending them 9,000 cancellations.
# The checks are in steps.sh; every wait is bounded.
#
# Needs root, debootstrap, systemd-container (scripts/install-deps).
# GREMIUMD_SYSTEST_CACHE: where the root's tarball is kept
# (default /var/cache/gremiumd-systest).  Ends with "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
cache=${GREMIUMD_SYSTEST_CACHE:-/var/cache/gremiumd-systest}
t0=$(date +%s)
passed=0
failed=0

say() { printf '%s [%4ds] %s\n' "system" "$(( $(date +%s) - t0 ))" "$*"; }
ok() { passed=$((passed + 1)); say "ok: $*"; }
bad() { failed=$((failed + 1)); say "FAIL: $*"; }
die() { failed=$((failed + 1)); say "FATAL: $*"; finish 1; }

[ "$(id -u)" -eq 0 ] || { echo "system test: needs root" >&2; exit 1; }
for tool in debootstrap systemd-nspawn nsenter dpkg-buildpackage lintian; do
	command -v $tool >/dev/null || { echo "system test: $tool missing (scripts/install-deps)" >&2; exit 1; }
done

# The container's root and its 9,000 maildirs live in a tmpfs: unpacked and
# removed in seconds (on disk, removing them took minutes).
WORK=$(mktemp -d /var/tmp/gremiumd-systest.XXXXXX)
mount -t tmpfs -o size=6g,mode=0700 gremiumd-systest "$WORK" || { rmdir "$WORK"; exit 1; }
ROOT=$WORK/root
nspawn=
finish() {
	finishing=1
	if [ "$1" -ne 0 ] && [ -n "${pid1:-}" ] && kill -0 "$nspawn" 2>/dev/null; then
		say "warnings and errors of the container's gremiumd units (last 40):"
		journal -u 'gremiumd*' -p warning | tail -n 40
	fi
	if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
		kill -TERM "$nspawn" 2>/dev/null || true
		i=0
		while kill -0 "$nspawn" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$nspawn" 2>/dev/null || true
	fi
	umount "$WORK" && rmdir "$WORK"
	say "total $(( $(date +%s) - t0 )) s"
	echo "$passed passed, $failed failed"
	exit "$1"
}
trap 'finish 1' INT TERM
trap 'st=$?; [ -z "${finishing:-}" ] && finish $st' EXIT

# c CMD...: run CMD inside the container (all its namespaces, its root).
c() { nsenter -t "$pid1" -a "$@"; }
# wait_until SECONDS 'SCRIPT': poll SCRIPT (eval'd here) each 0.5 s, bounded.
wait_until() {
	n=$(($1 * 2))
	while ! eval "$2" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.5
	done
}
# status CONF: gremiumctl status as root, first line ("N sent, M queued, K failed").
status() { c gremiumctl -c "$1" status 2>&1 | head -n 1; }
field() { # field WORD LINE: the number before WORD in LINE
	printf '%s\n' "$2" | sed -n "s/.*\\b\\([0-9][0-9]*\\) $1.*/\\1/p"
}
# drained CONF: nothing queued in gremiumd's outbox and Postfix's queue empty.
drained() {
	s=$(status "$1")
	[ "$(field queued "$s")" = 0 ] && c postqueue -p 2>/dev/null | grep -q 'Mail queue is empty'
}
unit_status() { c systemctl show -P StatusText "$1"; }
# vmail_map: a maildir for every address in $WORK/*.addresses (Postfix's
# virtual(8) allows no regexp substitution, so the map lists them all).
vmail_map() {
	cat "$WORK"/*.addresses | sort -u | awk -F@ '{ print $0, $2 "/" $1 "/" }' > "$ROOT/etc/postfix/vmailbox"
	c postfix reload >/dev/null 2>&1
}
mails() { find "$ROOT/var/mail/vhosts" -path '*/new/*' -type f 2>/dev/null | sort; }
journal() { c journalctl --no-pager -o short-iso-precise "$@" 2>/dev/null; }

# ---- the package -----------------------------------------------------------
say "building the Debian package"
deb=$(DEB_BUILD_OPTIONS=nocheck sh "$here/build-deb.sh" "$WORK/deb") || die "the package did not build lintian-clean"
ok "dpkg-buildpackage built $(basename "$deb"); lintian: no error, no warning"

# ---- the container ---------------------------------------------------------
tb=$(date +%s)
tarball=$(sh "$here/mkroot.sh" "$cache") || die "debootstrap failed"
say "root ready in $(( $(date +%s) - tb )) s ($(basename "$tarball"))"
mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$tarball"
echo gremiumd-systest > "$ROOT/etc/hostname"
mkdir -p "$ROOT/root/systest"
cp "$deb" "$ROOT/root/systest/gremiumd.deb"
cp "$here/setup-mail.sh" "$ROOT/root/systest/setup-mail.sh"
systemd-nspawn --boot --keep-unit --register=no --private-network --console=read-only \
	-D "$ROOT" </dev/null >"$WORK/console.log" 2>&1 &
nspawn=$!
pid1=
# The container's PID 1 is nspawn's child once it runs systemd.
wait_until 60 "[ \"\$(ps -o comm= -p \"\$(pgrep -P $nspawn | head -n 1)\")\" = systemd ]" ||
	die "nspawn did not boot systemd: $(tail -n 20 "$WORK/console.log")"
pid1=$(pgrep -P "$nspawn" | head -n 1)
wait_until 60 "c test -S /run/systemd/private" || die "systemd in the container has no bus: $(tail -n 20 "$WORK/console.log")"
state=$(c systemctl is-system-running --wait 2>&1 || true)
[ "$state" = running ] || die "the container is '$state': $(c systemctl --failed --no-legend 2>&1)"
ok "booted Debian 12 with systemd-nspawn (PID 1 on the host: $pid1)"

# ---- install ---------------------------------------------------------------
c dpkg -i /root/systest/gremiumd.deb >"$WORK/dpkg.log" 2>&1 || die "dpkg -i failed: $(cat "$WORK/dpkg.log")"
if grep -q 'installed disabled' "$WORK/dpkg.log" &&
	[ "$(c systemctl is-enabled gremiumd.service)" = disabled ] &&
	[ "$(c systemctl is-enabled gremiumd.socket)" = disabled ] &&
	! c systemctl is-active -q gremiumd.service; then
	ok "installed; service and socket disabled and stopped, and dpkg said so"
else
	bad "after dpkg -i: service $(c systemctl is-enabled gremiumd.service), socket $(c systemctl is-enabled gremiumd.socket); output: $(cat "$WORK/dpkg.log")"
fi
c dpkg-query -W -f='${Conffiles}\n' gremiumd | grep -q '/etc/gremiumd/gremiumd.conf' &&
	ok "/etc/gremiumd/gremiumd.conf is a conffile" || bad "/etc/gremiumd/gremiumd.conf is no conffile"
c sh /root/systest/setup-mail.sh >"$WORK/setup.log" 2>&1 || die "mail setup failed: $(tail -n 20 "$WORK/setup.log")"

printf 'probe@probe.example\nadmin@admin.example\n' > "$WORK/extra.addresses"
vmail_map || die "postfix reload failed"
# A mail through the submission port proves the relay (STARTTLS, private CA, SASL).
printf 'From: probe@systest.example\r\nTo: probe@probe.example\r\nSubject: probe\r\n\r\nprobe\r\n' > "$ROOT/root/systest/probe.eml"
if c curl -sS --url smtp://localhost:587 --ssl-reqd --cacert /etc/gremiumd/ca.pem \
	--user gremiumd:systest-secret --mail-from probe@systest.example --mail-rcpt probe@probe.example \
	-T /root/systest/probe.eml >"$WORK/probe.log" 2>&1 &&
	wait_until 60 "ls $ROOT/var/mail/vhosts/probe.example/probe/new/* "; then
	ok "Postfix relays on 587 (STARTTLS, private CA, SASL through Dovecot) into the maildirs"
else
	die "the Postfix relay does not work: $(cat "$WORK/probe.log"); $(c journalctl -u postfix@- -n 20 --no-pager)"
fi

. "$here/steps.sh"

[ "$failed" -eq 0 ] && finish 0 || finish 1
