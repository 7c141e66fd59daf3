#!/bin/sh
# The systemd unit: it parses, and its hardening stays at an exposure of
# 1.5 or lower in `systemd-analyze security --offline=true`.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

unit=$top_builddir/systemd/gremiumd.service
[ -f "$unit" ] || fail "$unit was not built"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/install-deps installs systemd)"
for key in Type=notify ExecReload= WatchdogSec= Restart=on-failure DynamicUser=yes \
	StateDirectory= ConfigurationDirectory= 'LoadCredential=gremiumd.smtp-password$' \
	'ExecStartPre=.*gremiumctl .* check$'; do
	grep -q "^$key" "$unit" || fail "the unit lacks $key"
done
# gremiumd.socket: enabled with the service as its comment says (sockets.target),
# installed by `make install` (nothing to copy by hand), one stream socket that
# gremiumd accepts on itself
socket=$top_srcdir/systemd/gremiumd.socket
for key in 'ListenStream=127.0.0.1:8080$' 'Accept=no$' 'WantedBy=sockets.target$'; do
	grep -q "^$key" "$socket" || fail "gremiumd.socket lacks $key"
done
grep -q 'systemctl enable --now gremiumd.socket gremiumd.service' "$socket" || fail "gremiumd.socket: no enable command"
grep -q 'cp gremiumd.socket' "$socket" && fail "gremiumd.socket still says to copy it"
grep -q '^dist_systemdsystemunit_DATA = systemd/gremiumd.socket' "$top_srcdir/Makefile.am" ||
	fail "make install does not install gremiumd.socket"
systemd-analyze security --offline=true --no-pager "$unit" > "$WORK/security" 2>&1 ||
	fail "systemd-analyze failed: $(tail -n 5 "$WORK/security")"
level=$(sed -n 's/.*Overall exposure level for gremiumd.service: \([0-9.]*\).*/\1/p' "$WORK/security")
[ -n "$level" ] || fail "no exposure level in: $(tail -n 3 "$WORK/security")"
awk -v l="$level" 'BEGIN { exit !(l <= 1.5) }' || fail "exposure $level is above 1.5"
echo "e2e_unit: exposure $level"

# The template gremiumd@.service: one instance per committee, its own config,
# state directory and credential, and the same hardening as gremiumd.service.
tmpl=$top_builddir/systemd/gremiumd@.service
[ -f "$tmpl" ] || fail "$tmpl was not built"
for key in 'ExecStartPre=.*/gremiumd/%i.conf check' 'ExecStart=.*-c .*/gremiumd/%i.conf$' \
	'StateDirectory=gremiumd-%i$' 'LoadCredential=gremiumd-%i.smtp-password$'; do
	grep -q "^$key" "$tmpl" || fail "the template lacks $key"
done
hardening() { sed -n '/^# Hardening/,/^\[Install\]/p' "$1" | grep -v -e '^#' -e '^$'; }
hardening "$unit" > "$WORK/h1"
hardening "$tmpl" > "$WORK/h2"
[ -s "$WORK/h1" ] && cmp -s "$WORK/h1" "$WORK/h2" ||
	fail "the hardening of gremiumd@.service differs from gremiumd.service's: $(diff "$WORK/h1" "$WORK/h2")"
cp "$tmpl" "$WORK/gremiumd@test.service"
systemd-analyze security --offline=true --no-pager "$WORK/gremiumd@test.service" > "$WORK/security@" 2>&1 ||
	fail "systemd-analyze failed on the template: $(tail -n 5 "$WORK/security@")"
level=$(sed -n 's/.*Overall exposure level for gremiumd@test.service: \([0-9.]*\).*/\1/p' "$WORK/security@")
[ -n "$level" ] || fail "no exposure level for the template in: $(tail -n 3 "$WORK/security@")"
awk -v l="$level" 'BEGIN { exit !(l <= 1.5) }' || fail "the template's exposure $level is above 1.5"
echo "e2e_unit: gremiumd@.service exposure $level"
