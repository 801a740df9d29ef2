#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Which libvirt release the CLI follows: --libvirt-version, then
# $VIRTCCW_LIBVIRT_VERSION, then the installed libvirt (a fake virtqemud
# first in PATH here), then the fallback (11.3). The expected output of
# every row is a reference output libvirt itself made:
# tests/qemuxml2argvdata/NAME.args (9.0) or libvirt-11.3/NAME.args.
# usage: libvirt-release-cli.sh VIRTCCW CAPSDIR DATADIR
set -uo pipefail
virtccw=$1 capsdir=$2 data=$3
case_name=ccw-disk-raw    # differs between the releases in -m and -blockdev
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# fake installed libvirt: a virtqemud answering --version with $1
fake() {
  mkdir -p "$tmp/fake-$1"
  printf '#!/bin/sh\necho "/usr/sbin/virtqemud (libvirt) %s"\n' "$1" > "$tmp/fake-$1/virtqemud"
  chmod +x "$tmp/fake-$1/virtqemud"
  echo "$tmp/fake-$1"
}

# The release a host without libvirt in PATH falls back to: the daemon in
# /usr/sbin or /sbin if one is there (the search looks there too), else 11.3.
nolibvirt=11.3
for d in virtqemud libvirtd; do
  for dir in /usr/sbin /sbin; do
    if [ "$nolibvirt" = 11.3 ] && [ -x "$dir/$d" ]; then
      v=$("$dir/$d" --version | awk '{print $NF}')
      case $v in 9.*|10.*|11.[012].*|[0-8].*) nolibvirt=9.0 ;; esac
      break 2
    fi
  done
done

# row: NAME EXPECTED-RELEASE PATH-PREFIX ENV-VALUE OPTION...
row() {
  local name=$1 rel=$2 path=$3 envval=$4
  shift 4
  local caps=caps_10.0.0_s390x.json exp=$data/libvirt-11.3/$case_name.args
  if [ "$rel" = 9.0 ]; then caps=caps_7.2.0_s390x.json exp=$data/$case_name.args; fi
  env -u VIRTCCW_LIBVIRT_VERSION ${envval:+VIRTCCW_LIBVIRT_VERSION=$envval} \
      PATH="$path" "$virtccw" "$@" --emulator-caps "$capsdir/$caps" \
      domxml-to-native qemu-argv "$data/$case_name.xml" > "$tmp/out" 2>&1
  if cmp -s "$tmp/out" "$exp"; then
    echo "ok - $name (libvirt $rel)"; pass=$((pass + 1))
  else
    echo "not ok - $name: expected libvirt $rel's $exp"; diff "$exp" "$tmp/out" | head -5
    fail=$((fail + 1))
  fi
}
bin=$(dirname "$(command -v env)")
row "option 11.3"                11.3 "$bin" ""   --libvirt-version 11.3
row "option 9.0"                 9.0  "$bin" ""   --libvirt-version 9.0
row "option 11.3.0"              11.3 "$bin" ""   --libvirt-version 11.3.0
row "env 11.3"                   11.3 "$bin" 11.3
row "env 9.0"                    9.0  "$bin" 9.0
row "option beats env"           11.3 "$bin" 9.0  --libvirt-version 11.3
row "env beats installed"        9.0  "$(fake 11.3.0):$bin" 9.0
row "installed 11.3.0"           11.3 "$(fake 11.3.0):$bin" ""
row "installed 9.0.0"            9.0  "$(fake 9.0.0):$bin" ""
row "installed 10.0.0 acts 9.0"  9.0  "$(fake 10.0.0):$bin" ""
row "installed 11.10.0 acts 11.3" 11.3 "$(fake 11.10.0):$bin" ""
row "none in PATH"               "$nolibvirt" "$tmp/empty:/nonexistent" ""

# refused values: a wrong command line (2) or a wrong variable (1)
"$virtccw" --libvirt-version 8 domxml-to-native qemu-argv "$data/$case_name.xml" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q "unknown libvirt version '8'" "$tmp/err"; then
  echo "ok - bad option refused"; pass=$((pass + 1))
else
  echo "not ok - bad option: rc=$rc $(cat "$tmp/err")"; fail=$((fail + 1))
fi
VIRTCCW_LIBVIRT_VERSION=latest "$virtccw" --emulator-caps "$capsdir/caps_10.0.0_s390x.json" \
  domxml-to-native qemu-argv "$data/$case_name.xml" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "unknown libvirt version 'latest' in VIRTCCW_LIBVIRT_VERSION" "$tmp/err"; then
  echo "ok - bad variable refused"; pass=$((pass + 1))
else
  echo "not ok - bad variable: rc=$rc $(cat "$tmp/err")"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
