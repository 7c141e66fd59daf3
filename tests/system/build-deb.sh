#!/bin/sh
# build-deb.sh OUTDIR: build the Debian package of this tree (tracked and
# untracked, not ignored, files as they are now) with
# `dpkg-buildpackage -us -uc -b` in a copy under OUTDIR, run lintian on the
# .deb and the .changes (any error or warning fails), print the .deb's path.
set -eu
out=${1:?usage: build-deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
rm -rf "$out" && mkdir -p "$out/gremiumd-$version"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) |
	tar -C "$out/gremiumd-$version" -xf -
(cd "$out/gremiumd-$version" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) ||
	{ tail -n 40 "$out/build.log" >&2; echo "build-deb: dpkg-buildpackage failed ($out/build.log)" >&2; exit 1; }
arch=$(dpkg --print-architecture)
deb=$out/gremiumd_${version}_$arch.deb
changes=$out/gremiumd_${version}_$arch.changes
[ -f "$deb" ] || { echo "build-deb: no $deb" >&2; exit 1; }
lintian --fail-on error,warning "$deb" "$changes" >"$out/lintian.log" 2>&1 ||
	{ cat "$out/lintian.log" >&2; echo "build-deb: lintian reports errors or warnings" >&2; exit 1; }
echo "$deb"
