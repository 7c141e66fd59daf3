#!/bin/sh
# mkroot.sh CACHEDIR: print the path of a Debian 12 root for the system test,
# made once with debootstrap and kept as a tarball in CACHEDIR, keyed by the
# package list and the mirror (a change of either makes a new one).
# The mirror is the one apt on this machine uses (MIRROR= overrides).
set -eu
cache=${1:?usage: mkroot.sh CACHEDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"

if [ -z "${MIRROR:-}" ]; then
	MIRROR=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$MIRROR" ] || MIRROR=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
	[ -n "$MIRROR" ] || { echo "mkroot: no Debian mirror found in /etc/apt (set MIRROR=)" >&2; exit 1; }
fi

# What the test needs in the container; the package's own dependencies come
# from debian/control so that `dpkg -i` of the built .deb works offline.
pkgs=$(grep -v '^#' "$here/packages" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
key=$(printf '%s\n%s\n' "$MIRROR" "$pkgs" | sha256sum | cut -c1-16)
tarball="$cache/bookworm-$key.tar"

if [ ! -s "$tarball" ]; then
	tmp="$cache/root.$$"
	rm -rf "$tmp"
	start=$(date +%s)
	echo "mkroot: debootstrap bookworm from $MIRROR" >&2
	if ! debootstrap --variant=minbase --include="$pkgs" bookworm "$tmp" "$MIRROR" >"$cache/debootstrap.log" 2>&1; then
		tail -n 30 "$cache/debootstrap.log" >&2
		rm -rf "$tmp"
		exit 1
	fi
	rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*_Packages
	tar -C "$tmp" -cf "$tarball.new" .
	mv "$tarball.new" "$tarball"
	rm -rf "$tmp"
	echo "mkroot: debootstrap took $(( $(date +%s) - start )) s" >&2
fi
echo "$tarball"
