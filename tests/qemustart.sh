#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real QEMU accepts what virtccw generates: turn every successful case of
# tests/qemuxml2argvdata into argv with virtccw itself (with the case's
# capabilities file when it names one), then start Debian's
# qemu-system-s390x on each (tests/qemustarttest.c says how).
# The libvirt release followed is the one paired with the installed QEMU:
# libvirt 11.3 (and QEMU 10.0's capabilities, libvirt-11.3/ expectations)
# with QEMU 10 or newer, as on Debian 13; libvirt 9.0 with older ones.
# usage: qemustart.sh VIRTCCW QEMUSTARTTEST CAPSDIR DATADIR
set -euo pipefail
virtccw=$1 starttest=$2 capsdir=$3 data=$4
if ! command -v qemu-system-s390x >/dev/null; then
  # a missing prerequisite fails in CI, and skips elsewhere
  [ "${CI:-}" = true ] && { echo "FAIL: no qemu-system-s390x (CI=true)"; exit 1; }
  echo "SKIP: no qemu-system-s390x"; exit 77
fi
qmajor=$(qemu-system-s390x --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
if [ "${qmajor:-0}" -ge 10 ]; then
  release=11.3 default_caps=caps_10.0.0_s390x.json expected=$data/libvirt-11.3
else
  release=9.0 default_caps=caps_7.2.0_s390x.json expected=$data
fi
echo "# qemu-system-s390x $qmajor.x: following libvirt $release"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for xml in "$data"/*.xml; do
  name=$(basename "$xml" .xml)
  case $name in *.virtccw) continue ;; esac
  [ -e "$expected/$name.virtccw.err" ] && continue
  [ -e "$data/$name.virtccw.err" ] && continue
  [ -e "$expected/$name.args" ] || [ -e "$expected/$name.virtccw.args" ] || continue
  caps=$default_caps
  [ -e "$data/$name.caps" ] && caps=$(cat "$data/$name.caps")
  # only s390x guests: the start test runs qemu-system-s390x
  grep -q "qemu-system-s390x" "$xml" || continue
  "$virtccw" --libvirt-version "$release" --emulator-caps "$capsdir/$caps" \
    domxml-to-native qemu-argv "$xml" > "$out/$name.args"
done
exec "$starttest" -j 2 "$out"
