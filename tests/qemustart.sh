#!/usr/bin/env bash
# Real QEMU accepts what virtccw generates: turn every successful case of
# tests/qemuxml2argvdata into argv with virtccw itself, then start Debian's
# qemu-system-s390x on each (tests/qemustarttest.c says how).
# usage: qemustart.sh VIRTCCW QEMUSTARTTEST CAPS DATADIR
set -euo pipefail
virtccw=$1 starttest=$2 caps=$3 data=$4
command -v qemu-system-s390x >/dev/null || { echo "SKIP: no qemu-system-s390x"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for args in "$data"/*.args; do
  name=$(basename "$args" .args)
  [ -e "$data/$name.virtccw.err" ] && continue
  "$virtccw" --emulator-caps "$caps" domxml-to-native qemu-argv "$data/$name.xml" > "$out/$name.args"
done
exec "$starttest" -j 2 "$out"
