#!/usr/bin/env bash
# Real QEMU accepts what virtccw generates: turn every successful case of
# tests/qemuxml2argvdata into argv with virtccw itself (with the case's
# capabilities file when it names one), then start Debian's
# qemu-system-s390x on each (tests/qemustarttest.c says how).
# usage: qemustart.sh VIRTCCW QEMUSTARTTEST CAPSDIR DATADIR
set -euo pipefail
virtccw=$1 starttest=$2 capsdir=$3 data=$4
command -v qemu-system-s390x >/dev/null || { echo "SKIP: no qemu-system-s390x"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for xml in "$data"/*.xml; do
  name=$(basename "$xml" .xml)
  case $name in *.virtccw) continue ;; esac
  [ -e "$data/$name.virtccw.err" ] && continue
  [ -e "$data/$name.args" ] || [ -e "$data/$name.virtccw.args" ] || continue
  caps=caps_7.2.0_s390x.json
  [ -e "$data/$name.caps" ] && caps=$(cat "$data/$name.caps")
  # only s390x guests: the start test runs qemu-system-s390x
  grep -q "qemu-system-s390x" "$xml" || continue
  "$virtccw" --emulator-caps "$capsdir/$caps" domxml-to-native qemu-argv "$xml" > "$out/$name.args"
done
exec "$starttest" -j 2 "$out"
