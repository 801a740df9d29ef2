#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end: Debian's real virsh (libvirt 9.0 client) against virtccwd
# built with the fake node-device driver, over libvirt's own URI for a
# node-device daemon: nodedev+unix:///system?socket=PATH.
#
#   virsh-e2e.sh VIRTCCWD
#
# Prints "N passed, N failed" last; exit 77 (skip) without virsh
# (1 under CI=true).
set -u
daemon=$1
# a missing prerequisite: skip (77), but fail under CI=true, where
# scripts/install-deps.sh should have installed it
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: prerequisite missing under CI=true: $*"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
command -v virsh >/dev/null || skip "virsh not installed (Debian: libvirt-clients)"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# start_daemon NAME [env...] -- [options...]: socket $tmp/NAME/sock
start_daemon() {
  local name=$1; shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$tmp/$name/root"
  env "${envs[@]}" "$daemon" --root "$tmp/$name/root" \
    --socket "$tmp/$name/sock" --socket-ro "$tmp/$name/sock-ro" "$@" \
    > "$tmp/$name/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -S "$tmp/$name/sock-ro" ] && return 0; sleep 0.05; done
  echo "daemon $name did not start:"; cat "$tmp/$name/log"; exit 1
}

U="nodedev+unix:///system?socket=$tmp/main/sock"
RO="nodedev+unix:///system?socket=$tmp/main/sock-ro"

# expect NAME WANT-FILE-OR-STRING virsh-args...: stdout+stderr must equal WANT
expect() {
  local name=$1 want=$2; shift 2
  local got
  got=$(timeout 30 virsh "$@" 2>&1)
  if [ "$got" == "$want" ]; then ok; else
    bad "$name"; diff <(echo "$want") <(echo "$got") | head -20
  fi
}
# expect_grep NAME REGEX virsh-args...
expect_grep() {
  local name=$1 re=$2; shift 2
  local got
  got=$(timeout 30 virsh "$@" 2>&1)
  if grep -Eq -- "$re" <<<"$got"; then ok; else bad "$name: /$re/ not in: $got"; fi
}

start_daemon main -- --keepalive-interval 1 --keepalive-count 3

M53=mdev_11111111_1111_4111_8111_111111111111_0_0_0053
M54=mdev_22222222_2222_4222_8222_222222222222_0_0_0054
NEW=mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0052

# --- listing (flags as in the capture: 0x80000000, 0x80004000, 0xc0010000)
expect "nodedev-list" "ccw_0_0_5000
computer
css_0_0_0052
css_0_0_0053
css_0_0_0054
css_0_0_fffd
css_0_0_fffe
$M53" -c "$U" nodedev-list
expect "nodedev-list --cap mdev" "$M53" -c "$U" nodedev-list --cap mdev
expect "nodedev-list --cap css --all" "css_0_0_0052
css_0_0_0053
css_0_0_0054
css_0_0_fffd
css_0_0_fffe" -c "$U" nodedev-list --cap css --all
expect "nodedev-list --cap mdev --inactive" "$M54" -c "$U" nodedev-list --cap mdev --inactive
expect "nodedev-list --cap mdev_types" "css_0_0_0052
css_0_0_0053
css_0_0_0054" -c "$U" nodedev-list --cap mdev_types
expect "nodedev-list --cap ccw" "ccw_0_0_5000" -c "$U" nodedev-list --cap ccw
expect "nodedev-list --cap pci" "" -c "$U" nodedev-list --cap pci
expect_grep "nodedev-list --tree" '^      \+- ccw_0_0_5000' -c "$U" nodedev-list --tree

# --- one device
for dev in css_0_0_0052 css_0_0_fffe ccw_0_0_5000 "$M53" computer; do
  timeout 30 virsh -c "$U" nodedev-dumpxml "$dev" > "$tmp/$dev.xml" 2>&1
  if grep -q "^  <name>$dev</name>$" "$tmp/$dev.xml"; then ok; else
    bad "nodedev-dumpxml $dev"; cat "$tmp/$dev.xml"; fi
  # libvirt 9.0's own schema accepts what we serve
  if command -v virt-xml-validate >/dev/null; then
    if virt-xml-validate "$tmp/$dev.xml" nodedev >/dev/null 2>&1; then ok; else
      bad "virt-xml-validate nodedev $dev"; virt-xml-validate "$tmp/$dev.xml" nodedev; fi
  fi
done
expect "nodedev-info mdev" "Name:           $M53
Parent:         css_0_0_0053
Active:         yes
Persistent:     no
Autostart:      no" -c "$U" nodedev-info "$M53"
expect "nodedev-info css" "Name:           css_0_0_0052
Parent:         computer
Active:         yes
Persistent:     no
Autostart:      no" -c "$U" nodedev-info css_0_0_0052
expect "nodedev-dumpxml unknown" "error: Could not find matching device 'css_0_0_9999'
error: Node device not found: no node device with matching name 'css_0_0_9999'" \
  -c "$U" nodedev-dumpxml css_0_0_9999

# --- events, listened to during the lifecycle below
timeout 60 virsh -c "$U" nodedev-event --event lifecycle --loop --timeout 8 \
  > "$tmp/events" 2>&1 &
evpid=$!
timeout 60 virsh -c "$U" nodedev-event --event update --device css_0_0_0052 --timeout 8 \
  > "$tmp/event-one" 2>&1 &
evpid1=$!
timeout 60 virsh -c "$U" nodedev-event --event update --loop --timeout 8 \
  > "$tmp/updates" 2>&1 &
evpid2=$!
sleep 1.5

# --- lifecycle (the mdev of the capture's nodedev/mdev-ccw.xml)
cat > "$tmp/mdev.xml" <<'EOF'
<device>
  <parent>css_0_0_0052</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>90c6c135-ad44-41d0-b1b7-bae47de48627</uuid>
  </capability>
</device>
EOF
sed 's/css_0_0_0052/css_0_0_9999/' "$tmp/mdev.xml" > "$tmp/mdev-badparent.xml"
expect "nodedev-define" "Node device '$NEW' defined from '$tmp/mdev.xml'" \
  -c "$U" nodedev-define "$tmp/mdev.xml"
expect "nodedev-autostart" "Device $NEW marked as autostarted" -c "$U" nodedev-autostart "$NEW"
expect "nodedev-start" "Device $NEW started" -c "$U" nodedev-start "$NEW"
expect "nodedev-info after start" "Name:           $NEW
Parent:         css_0_0_0052
Active:         yes
Persistent:     yes
Autostart:      yes" -c "$U" nodedev-info "$NEW"
expect "nodedev-list --cap mdev after start" "$M53
$NEW" -c "$U" nodedev-list --cap mdev
expect "nodedev-autostart --disable" "Device $NEW unmarked as autostarted" \
  -c "$U" nodedev-autostart --disable "$NEW"
expect "nodedev-destroy" "Destroyed node device '$NEW'" -c "$U" nodedev-destroy "$NEW"
expect "nodedev-undefine" "Undefined node device '$NEW'" -c "$U" nodedev-undefine "$NEW"
expect "nodedev-create" "Node device $NEW created from $tmp/mdev.xml" \
  -c "$U" nodedev-create "$tmp/mdev.xml"
expect_grep "nodedev-create twice" "already exists" -c "$U" nodedev-create "$tmp/mdev.xml"
expect "nodedev-destroy transient" "Destroyed node device '$NEW'" -c "$U" nodedev-destroy "$NEW"
expect "nodedev-create bad parent (libvirt's text)" \
  "error: Failed to create node device from $tmp/mdev-badparent.xml
error: unsupported configuration: invalid parent device 'css_0_0_9999'" \
  -c "$U" nodedev-create "$tmp/mdev-badparent.xml"
expect "nodedev-define bad parent (libvirt's text)" \
  "error: Failed to define node device from '$tmp/mdev-badparent.xml'
error: unsupported configuration: invalid parent device 'css_0_0_9999'" \
  -c "$U" nodedev-define "$tmp/mdev-badparent.xml"

wait "$evpid" "$evpid1" "$evpid2"
want_events="event 'lifecycle' for node device $NEW: Defined
event 'lifecycle' for node device $NEW: Created
event 'lifecycle' for node device $NEW: Deleted
event 'lifecycle' for node device $NEW: Undefined
event 'lifecycle' for node device $NEW: Created
event 'lifecycle' for node device $NEW: Deleted
event loop timed out
events received: 6"
if [ "$(grep -v '^$' "$tmp/events")" == "$want_events" ]; then ok; else
  bad "nodedev-event --loop"; diff <(echo "$want_events") <(grep -v '^$' "$tmp/events"); fi
# (virsh 9.0 may add "One or more references were leaked after disconnect"
# when a second event is still queued in the client as it exits)
if [ "$(grep -v -e '^$' -e 'references were leaked' "$tmp/event-one")" == "event 'update' for node device css_0_0_0052
events received: 1" ]; then ok; else
  bad "nodedev-event --device (one event)"; cat "$tmp/event-one"; fi
if grep -q "event 'update' for node device $NEW" "$tmp/updates" &&
   grep -q "event 'update' for node device css_0_0_0052" "$tmp/updates"; then ok; else
  bad "nodedev-event --event update"; cat "$tmp/updates"; fi
# the event listeners saw keepalive pings every second (daemon option) and
# answered them, or the daemon would have dropped them
if ! grep -q "keepalive" "$tmp/main/log"; then ok; else bad "keepalive drop"; grep keepalive "$tmp/main/log"; fi

# --- subchannel binding (PCI-style detach / re-attach on css devices)
expect "nodedev-detach" "Device css_0_0_fffd detached" -c "$U" nodedev-detach css_0_0_fffd
expect_grep "detached: vfio_ccw" "<name>vfio_ccw</name>" -c "$U" nodedev-dumpxml css_0_0_fffd
expect "nodedev-reattach" "Device css_0_0_fffd re-attached" -c "$U" nodedev-reattach css_0_0_fffd
expect "nodedev-detach --driver vfio" "Device css_0_0_fffd detached" \
  -c "$U" nodedev-detach css_0_0_fffd --driver vfio
expect_grep "nodedev-detach of a busy subchannel" "online device" \
  -c "$U" nodedev-detach css_0_0_fffe
expect_grep "nodedev-reset: not supported" "not supported by the connection driver: virNodeDeviceReset" \
  -c "$U" nodedev-reset css_0_0_fffd

# --- read-only socket
expect_grep "ro socket: list" "^css_0_0_0052" -r -c "$RO" nodedev-list
expect_grep "ro socket, rw open: create refused by the daemon" \
  "operation forbidden: read only access prevents virNodeDeviceCreateXML" \
  -c "$RO" nodedev-create "$tmp/mdev.xml"
expect_grep "ro socket: detach refused" "operation forbidden" -c "$RO" nodedev-detach css_0_0_fffd
expect_grep "rw socket, -r: create refused" "operation forbidden" -r -c "$U" nodedev-create "$tmp/mdev.xml"

# --- connection calls
expect_grep "uri" "^nodedev\+unix:///system\?socket=" -c "$U" uri
expect_grep "version" "Running hypervisor: nodedev" -c "$U" version
expect_grep "hostname" "." -c "$U" hostname
expect_grep "domain calls: not supported" "not supported by the connection driver" -c "$U" list

# --- qemu+unix works too (any URI is accepted at open)
expect_grep "qemu+unix URI" "^computer" -c "qemu+unix:///system?socket=$tmp/main/sock" nodedev-list

# --- lists at and over the client's limit (65536 node devices)
start_daemon big VIRTCCWD_FAKE_EXTRA_CSS=65527 --
n=$(timeout 120 virsh -q -c "nodedev+unix:///system?socket=$tmp/big/sock" nodedev-list --all | grep -c .)
if [ "$n" == 65536 ]; then ok; else bad "65536 devices listed ($n)"; fi
start_daemon huge VIRTCCWD_FAKE_EXTRA_CSS=70000 --
expect "over the limit: a clear error" "error: Failed to list node devices
error: Too many node devices '70009' for limit '65536'" \
  -c "nodedev+unix:///system?socket=$tmp/huge/sock" nodedev-list --all

# stop the daemons (SIGTERM: a clean exit) and look for sanitizer reports
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=()
if ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$tmp"/*/log; then ok; else
  bad "sanitizer reports"; grep -E -A20 "AddressSanitizer|LeakSanitizer|runtime error" "$tmp"/*/log | head -60; fi

echo "$pass passed, $fail failed"
[ "$fail" == 0 ]
