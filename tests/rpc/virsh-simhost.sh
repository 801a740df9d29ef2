#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end with the REAL node-device driver: virtccwd on a simulated s390
# host (virtccw-simhost, FUSE), driven by Debian's virsh; changes made
# behind the daemon's back (the virtccw CLI) arrive as events.
#
#   virsh-simhost.sh VIRTCCWD SIMHOST VIRTCCW
#
# Prints "N passed, N failed" last; exit 77 without virsh or FUSE
# (1 under CI=true).
set -u
daemon=$(realpath "$1") simhost=$(realpath "$2") virtccw=$(realpath "$3")
# a missing prerequisite: skip (77), but fail under CI=true, where
# scripts/install-deps.sh should have installed it
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: prerequisite missing under CI=true: $*"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
command -v virsh >/dev/null || skip "virsh not installed (Debian: libvirt-clients)"
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v fusermount3 >/dev/null || skip "fusermount3 not installed (Debian: fuse3)"

tmp=$(mktemp -d)
dpid=
cleanup() {
  [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
  mountpoint -q "$tmp/root" 2>/dev/null && fusermount3 -u "$tmp/root"
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir -p "$tmp/root"
"$simhost" -n 40 "$tmp/root" > "$tmp/simhost.log" 2>&1 || { cat "$tmp/simhost.log"; exit 1; }
# the simulated run/ holds no sockets: put them beside it
# no poll: changes behind the daemon's back come from the simulated host's
# event log (its uevents) and inotify on the mdevctl store
"$daemon" --root "$tmp/root" --socket "$tmp/sock" --socket-ro "$tmp/sock-ro" \
  --verbose > "$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do [ -S "$tmp/sock-ro" ] && break; sleep 0.05; done
U="nodedev+unix:///system?socket=$tmp/sock"

expect() {  # NAME WANT virsh-args
  local name=$1 want=$2; shift 2
  local got
  got=$(timeout 60 virsh "$@" 2>&1)
  if [ "$got" == "$want" ]; then ok; else bad "$name"; diff <(echo "$want") <(echo "$got") | head -20; fi
}
count() {  # NAME N virsh-args
  local name=$1 want=$2; shift 2
  local n
  n=$(timeout 60 virsh -q "$@" 2>&1 | grep -c .)
  if [ "$n" == "$want" ]; then ok; else bad "$name: $n, want $want"; fi
}

# 40 subchannels, one of them CHSC (not listed, like libvirt)
count "css devices" 39 -c "$U" nodedev-list --cap css --all
count "nothing bound to vfio_ccw" 0 -c "$U" nodedev-list --cap mdev_types
expect "detach" "Device css_0_0_0007 detached" -c "$U" nodedev-detach css_0_0_0007
expect "mdev_types after detach" "css_0_0_0007" -c "$U" nodedev-list --cap mdev_types
if timeout 30 virsh -c "$U" nodedev-dumpxml css_0_0_0007 > "$tmp/css.xml" &&
   grep -q "<availableInstances>1</availableInstances>" "$tmp/css.xml" &&
   { ! command -v virt-xml-validate >/dev/null || virt-xml-validate "$tmp/css.xml" nodedev >/dev/null 2>&1; }
then ok; else bad "dumpxml css_0_0_0007"; cat "$tmp/css.xml"; fi

timeout 60 virsh -c "$U" nodedev-event --event lifecycle --loop --timeout 10 > "$tmp/events" 2>&1 &
evpid=$!
sleep 1
M=mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0007
cat > "$tmp/mdev.xml" <<'EOF'
<device>
  <parent>css_0_0_0007</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>90c6c135-ad44-41d0-b1b7-bae47de48627</uuid>
  </capability>
</device>
EOF
expect "define" "Node device '$M' defined from '$tmp/mdev.xml'" -c "$U" nodedev-define "$tmp/mdev.xml"
expect "autostart" "Device $M marked as autostarted" -c "$U" nodedev-autostart "$M"
expect "start" "Device $M started" -c "$U" nodedev-start "$M"
expect "info" "Name:           $M
Parent:         css_0_0_0007
Active:         yes
Persistent:     yes
Autostart:      yes" -c "$U" nodedev-info "$M"
expect "list --cap mdev" "$M" -c "$U" nodedev-list --cap mdev
expect "destroy" "Destroyed node device '$M'" -c "$U" nodedev-destroy "$M"
expect "undefine" "Undefined node device '$M'" -c "$U" nodedev-undefine "$M"
expect "create" "Node device $M created from $tmp/mdev.xml" -c "$U" nodedev-create "$tmp/mdev.xml"
expect "destroy transient" "Destroyed node device '$M'" -c "$U" nodedev-destroy "$M"
# behind the daemon's back: the CLI on the same host
"$virtccw" --root "$tmp/root" nodedev-create "$tmp/mdev.xml" > /dev/null 2>&1 || bad "CLI create"
wait "$evpid"
want="event 'lifecycle' for node device $M: Defined
event 'lifecycle' for node device $M: Created
event 'lifecycle' for node device $M: Deleted
event 'lifecycle' for node device $M: Undefined
event 'lifecycle' for node device $M: Created
event 'lifecycle' for node device $M: Deleted
event 'lifecycle' for node device $M: Created
event loop timed out
events received: 7"
if [ "$(grep -v '^$' "$tmp/events")" == "$want" ]; then ok; else
  bad "events (the last from the CLI)"; diff <(echo "$want") <(grep -v '^$' "$tmp/events"); fi
expect "destroy the CLI's mdev" "Destroyed node device '$M'" -c "$U" nodedev-destroy "$M"

# behind the daemon's back again: a definition and its removal (only the
# mdevctl store changes: inotify), an mdev queried right after the CLI made
# it (before its uevent is read, the lookup finds it)
timeout 60 virsh -c "$U" nodedev-event --event lifecycle --loop --timeout 8 > "$tmp/events2" 2>&1 &
evpid=$!
sleep 1
M2=mdev_5a4a1e2c_3a8d_4b8e_9c61_0f1e2d3c4b5a_0_0_0007
sed 's/90c6c135-ad44-41d0-b1b7-bae47de48627/5a4a1e2c-3a8d-4b8e-9c61-0f1e2d3c4b5a/' "$tmp/mdev.xml" > "$tmp/mdev2.xml"
"$virtccw" --root "$tmp/root" nodedev-define "$tmp/mdev.xml" > /dev/null 2>&1 || bad "CLI define"
sleep 1.5
"$virtccw" --root "$tmp/root" nodedev-undefine "$M" > /dev/null 2>&1 || bad "CLI undefine"
sleep 1.5
"$virtccw" --root "$tmp/root" nodedev-create "$tmp/mdev2.xml" > /dev/null 2>&1 || bad "CLI create 2"
if timeout 30 virsh -c "$U" nodedev-dumpxml "$M2" > "$tmp/m2.xml" 2>&1 &&
   grep -q "<parent>css_0_0_0007</parent>" "$tmp/m2.xml"; then ok; else
  bad "dumpxml right after the CLI created it"; cat "$tmp/m2.xml"; fi
sleep 1
expect "destroy the CLI's second mdev" "Destroyed node device '$M2'" -c "$U" nodedev-destroy "$M2"
wait "$evpid"
want="event 'lifecycle' for node device $M: Defined
event 'lifecycle' for node device $M: Undefined
event 'lifecycle' for node device $M2: Created
event 'lifecycle' for node device $M2: Deleted
event loop timed out
events received: 4"
if [ "$(grep -v '^$' "$tmp/events2")" == "$want" ]; then ok; else
  bad "events of the CLI's definitions"; diff <(echo "$want") <(grep -v '^$' "$tmp/events2"); fi
# the device tree was read in full once, at start
n=$(grep -c "full read" "$tmp/daemon.log")
if [ "$n" == 1 ]; then ok; else bad "full reads of the device tree: $n, want 1"; fi
expect "reattach" "Device css_0_0_0007 re-attached" -c "$U" nodedev-reattach css_0_0_0007
expect "unknown device" "error: Could not find matching device 'css_0_0_9999'
error: Node device not found: no node device with matching name 'css_0_0_9999'" \
  -c "$U" nodedev-dumpxml css_0_0_9999

kill "$dpid"; wait "$dpid"; dpid=
if ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error|CRITICAL|WARNING" "$tmp/daemon.log"; then ok; else
  bad "sanitizer reports or warnings"; grep -E -A20 "AddressSanitizer|LeakSanitizer|runtime error|CRITICAL|WARNING" "$tmp/daemon.log" | head -60; fi

echo "$pass passed, $fail failed"
[ "$fail" == 0 ]
