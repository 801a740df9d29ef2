#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end with the REAL node-device driver: virtccwd on a simulated s390
# host (virtccw-simhost, FUSE), driven by Debian's virsh; changes made
# behind the daemon's back (the virtccw CLI) arrive as events; the CLI's
# node-device answers, with no option, equal the daemon's.
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
# the CLI's default release, not the caller's (virtccwd ignores the variable)
unset VIRTCCW_LIBVIRT_VERSION
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

# --- ccw devices as libvirt 11.3 lists them (virtccwd follows the release
# whose API it answers, for virsh 9.0 as for 11.3): offline ones too (every
# eighth DASD of the simulated LPAR: 0.0.100f, 0.0.1017, 0.0.1027; 0.0.1007
# is gone with its detached subchannel), with <state>; the CLI, by default,
# says the same (it follows the release virtccwd serves)
C=("$virtccw" --root "$tmp/root")
count "nodedev-list --cap ccw: 38, offline ones too" 38 -c "$U" nodedev-list --cap ccw
expect "nodedev-list --cap ccw as the CLI's" "$("${C[@]}" nodedev-list --cap ccw)" \
  -c "$U" nodedev-list --cap ccw
expect_grep() {  # NAME REGEX virsh-args
  local name=$1 re=$2; shift 2
  if timeout 60 virsh "$@" 2>&1 | grep -Eq -- "$re"; then ok; else bad "$name: no /$re/"; fi
}
expect_grep "an offline ccw device in the tree" '\+- ccw_0_0_100f$' -c "$U" nodedev-list --tree
expect "dumpxml of an offline ccw device as the CLI's" \
  "$("${C[@]}" nodedev-dumpxml ccw_0_0_100f)" -c "$U" nodedev-dumpxml ccw_0_0_100f
expect_grep "dumpxml: offline" '^    <state>offline</state>$' -c "$U" nodedev-dumpxml ccw_0_0_100f
expect_grep "dumpxml: online" '^    <state>online</state>$' -c "$U" nodedev-dumpxml ccw_0_0_1000

# set offline and online behind the daemon's back (chccwdev): the kernel
# sends no uevent, so virtccwd, like libvirt 11.3's udev backend, keeps the
# state it read until a uevent names the device (udevadm trigger -c
# change); then an UPDATE event
timeout 60 virsh -c "$U" nodedev-event --event update --loop --timeout 8 > "$tmp/events3" 2>&1 &
evpid=$!
sleep 1
CCW=$tmp/root/sys/bus/ccw/devices/0.0.1000
state_is() {  # STATE: ccw_0_0_1000's <state> in virtccwd's XML, within 5 s
  for _ in $(seq 50); do
    timeout 30 virsh -c "$U" nodedev-dumpxml ccw_0_0_1000 2>&1 | grep -q "<state>$1</state>" && return 0
    sleep 0.1
  done
  return 1
}
echo 0 > "$CCW/online"
sleep 1   # the event log is read every half second: nothing in it
if state_is online; then ok; else bad "set offline without a uevent: still online"; fi
echo change > "$CCW/uevent"
if state_is offline; then ok; else bad "offline after udevadm trigger"; fi
count "still listed offline" 38 -c "$U" nodedev-list --cap ccw
echo 1 > "$CCW/online"
echo change > "$CCW/uevent"
if state_is online; then ok; else bad "online again after udevadm trigger"; fi
wait "$evpid"
want="event 'update' for node device ccw_0_0_1000
event 'update' for node device ccw_0_0_1000
event loop timed out
events received: 2"
if [ "$(grep -v -e '^$' -e 'references were leaked' "$tmp/events3")" == "$want" ]; then ok; else
  bad "update events of the on- and offline ccw device"; cat "$tmp/events3"; fi

# a subchannel detached and reattached (its DASD set offline first, as
# detach asks): the DASD comes back offline (nothing runs chccwdev here),
# listed, as libvirt 11.3 lists it (9.0 would not)
timeout 60 virsh -c "$U" nodedev-event --event lifecycle --loop --timeout 5 > "$tmp/events4" 2>&1 &
evpid=$!
sleep 1
echo 0 > "$tmp/root/sys/bus/ccw/devices/0.0.1001/online"
expect "detach 0001" "Device css_0_0_0001 detached" -c "$U" nodedev-detach css_0_0_0001
expect "reattach 0001" "Device css_0_0_0001 re-attached" -c "$U" nodedev-reattach css_0_0_0001
expect_grep "reattached DASD: offline" '^    <state>offline</state>$' -c "$U" nodedev-dumpxml ccw_0_0_1001
wait "$evpid"
want="event 'lifecycle' for node device ccw_0_0_1001: Deleted
event 'lifecycle' for node device ccw_0_0_1001: Created
event loop timed out
events received: 2"
if [ "$(grep -v -e '^$' -e 'references were leaked' "$tmp/events4")" == "$want" ]; then ok; else
  bad "lifecycle events of the detached and reattached DASD"; cat "$tmp/events4"; fi

expect "reattach" "Device css_0_0_0007 re-attached" -c "$U" nodedev-reattach css_0_0_0007
expect "unknown device" "error: Could not find matching device 'css_0_0_9999'
error: Node device not found: no node device with matching name 'css_0_0_9999'" \
  -c "$U" nodedev-dumpxml css_0_0_9999

kill "$dpid"; wait "$dpid"; dpid=
if ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error|CRITICAL|WARNING" "$tmp/daemon.log"; then ok; else
  bad "sanitizer reports or warnings"; grep -E -A20 "AddressSanitizer|LeakSanitizer|runtime error|CRITICAL|WARNING" "$tmp/daemon.log" | head -60; fi

echo "$pass passed, $fail failed"
[ "$fail" == 0 ]
