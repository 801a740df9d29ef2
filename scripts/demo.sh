#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The virtccw demo: build, then turn a sample s390x guest with two
# vfio-ccw DASD passthroughs into its normalized XML and QEMU command line
# (using the capabilities of Debian's qemu-system-s390x, probed once).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# VIRTCCW_DEMO_BINDIR=/usr/bin: the installed programs (the Debian
# package's test), nothing built or installed here.
if [ -n "${VIRTCCW_DEMO_BINDIR:-}" ]; then
  virtccw=$VIRTCCW_DEMO_BINDIR/virtccw
  simhost=$VIRTCCW_DEMO_BINDIR/virtccw-simhost
else
  "$top/scripts/install-deps.sh"
  [ -d build-plain ] || meson setup build-plain -Dwerror=true -Dliburing=disabled >/dev/null   # as scripts/test.sh
  ninja -C build-plain >/dev/null
  virtccw=build-plain/tools/virtccw
  simhost=build-plain/src/simhost/virtccw-simhost
fi

guest=docs/examples/s390x-dasd-guest.xml
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
sed "s#<alias name='ua-dasd-data'/>#&<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0002'/>#" "$guest" > "$cache/bad.xml"
"$virtccw" --caps-cache "$cache" validate "$cache/bad.xml" || echo "(exit status $?)"

# ---- the host side, on a simulated s390 host (FUSE) -------------------------
root=$cache/host
mkdir -p "$root"
if [ -c /dev/fuse ] && "$simhost" -n 64 "$root"; then
  trap 'fusermount3 -u "$root" 2>/dev/null; rm -rf "$cache"' EXIT
  v() { echo "\$ virtccw $*"; "$virtccw" --root "$root" "$@" || echo "(exit status $?)"; }
  echo
  echo "== a simulated LPAR with 64 subchannels at $root"
  v nodedev-list --cap css,ccw --tree | head -12
  echo "..."
  v nodedev-detach css_0_0_0003
  v nodedev-detach --force --persistent css_0_0_0003
  v nodedev-detach css_0_0_001d
  cat > "$cache/mdev.xml" <<XML
<device>
  <parent>css_0_0_0003</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>90c6c135-ad44-41d0-b1b7-bae47de48627</uuid>
  </capability>
</device>
XML
  v nodedev-define "$cache/mdev.xml"
  v nodedev-autostart mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0003
  echo "(mdevctl's definition: $(tr -d '\n ' < "$root/etc/mdevctl.d/0.0.0003/90c6c135-ad44-41d0-b1b7-bae47de48627"))"
  v autostart
  v nodedev-dumpxml mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0003
  v nodedev-reattach css_0_0_0003
  v nodedev-destroy mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0003
  v nodedev-reattach --persistent css_0_0_0003

  echo
  echo "== declarative: the guest's two DASDs from nothing but the domain XML"
  sed 's/0_0_0003/0_0_0007/; s/90c6c135-ad44-41d0-b1b7-bae47de48627/e60ffd51-eb66-4a4b-8ab8-6a1bd5eb1b2f/' \
      "$cache/mdev.xml" > "$cache/mdev2.xml"
  v nodedev-define "$cache/mdev2.xml"
  v nodedev-list --cap mdev --all
  echo "(both mdevs are only defined; their subchannels are on io_subchannel)"
  # the DASDs are online in the host; take them offline as an admin would
  echo 0 > "$root/sys/bus/ccw/devices/0.0.1003/online"
  echo 0 > "$root/sys/bus/ccw/devices/0.0.1007/online"
  v domain-prepare "$guest"
  v nodedev-list --cap mdev
  v hostdev-claims
  v domain-release "$guest"
  v nodedev-list --cap mdev_types
  echo "(back exactly as before: subchannels on io_subchannel, mdevs defined only)"
elif [ "${CI:-}" = true ]; then
  # in CI the whole demo runs: FUSE (fuse3, /dev/fuse) is a prerequisite
  echo "demo: no FUSE here (/dev/fuse, fuse3): the simulated host part cannot run" >&2
  exit 1
else
  echo "(no FUSE here: skipping the simulated host part)"
fi
