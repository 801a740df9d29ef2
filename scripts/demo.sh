#!/usr/bin/env bash
# The virtccw demo: build, then turn a sample s390x guest with two
# vfio-ccw DASD passthroughs into its normalized XML and QEMU command line
# (using the capabilities of Debian's qemu-system-s390x, probed once).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/install-deps.sh"
[ -d build-plain ] || meson setup build-plain -Dwerror=true >/dev/null
ninja -C build-plain >/dev/null

guest=docs/examples/s390x-dasd-guest.xml
virtccw=build-plain/tools/virtccw
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

echo "== $guest"
cat "$guest"
echo
echo "== virtccw validate"
"$virtccw" --caps-cache "$cache" validate "$guest"
echo
echo "== virtccw domxml-normalize (defaults and CCW addresses filled in)"
"$virtccw" --caps-cache "$cache" domxml-normalize "$guest"
echo
echo "== virtccw domxml-to-native qemu-argv"
"$virtccw" --caps-cache "$cache" domxml-to-native qemu-argv "$guest"
echo
echo "== a mistake: two hostdevs on one CCW address"
sed "0,/devno='0x0001'/s//devno='0x0002'/" "$guest" > "$cache/bad.xml"
"$virtccw" --caps-cache "$cache" validate "$cache/bad.xml" || echo "(exit status $?)"
