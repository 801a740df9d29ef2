#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The libvirt 10.1+/11.x node-device API end to end: Debian 13's own virsh
# 11.3 and python3-libvirt 11.3, unchanged, against the REAL virtccwd on a
# simulated s390 host: every virsh node-device command, nodedev-update
# with --config/--live/--current, nodedev-define of a defined mdev (an
# update), dumpxml --inactive, the persistent/transient filters, the
# UPDATE event, getLibVersion.
#
#   virsh11-e2e.sh VIRTCCWD SIMHOST [RUNNER.py]
#
# Which client is checked depends on what is installed, and the test says
# so on its first line:
# - virsh >= 10.1 (Debian 13: 11.3): everything above.
# - virsh 9.0 (Debian 12) has no nodedev-update, no --persistent and
#   --transient, no dumpxml --inactive: the same server is checked through
#   what 9.0 can send (define of a defined mdev updates it, getLibVersion,
#   the list flags via python3-libvirt 9.0's listAllDevices, the UPDATE
#   event), so the Debian 12 run of the suite still covers the server side.
# - no virsh, or a Debian 13 root whose virsh or python3-libvirt is older
#   than 10.1: a missing prerequisite. Under CI=true that FAILS (the
#   project's rule), otherwise exit 77 (skipped).
# Prints "N passed, N failed" last.
set -u
daemon=$(realpath "$1") simhost=$(realpath "$2")
runner=${3:-$(dirname "$(realpath "$0")")/virsh11_python.py}

missing() {
  echo "missing prerequisite: $*"
  if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
  exit 77
}
ver_num() { awk -F. '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'; }
. /etc/os-release 2>/dev/null
distro="${ID:-unknown} ${VERSION_ID:-?}"
command -v virsh >/dev/null || missing "virsh (libvirt-clients) on $distro"
py=/usr/bin/python3   # the distribution's, where python3-libvirt is
[ -x "$py" ] || py=python3
vv=$(virsh --version) pv=$("$py" -c 'import libvirt; print(libvirt.getVersion())' 2>/dev/null)
[ -n "$pv" ] || missing "python3-libvirt on $distro"
new_client=0
[ "$(echo "$vv" | ver_num)" -ge 10001000 ] && [ "$pv" -ge 10001000 ] && new_client=1
if [ "${ID:-}" = debian ] && [ "${VERSION_ID:-0}" -ge 13 ] && [ $new_client = 0 ]; then
  missing "virsh and python3-libvirt >= 10.1 on $distro (have virsh $vv, python3-libvirt $pv)"
fi
[ -c /dev/fuse ] && command -v fusermount3 >/dev/null || missing "FUSE (/dev/fuse, fusermount3)"
if [ $new_client = 1 ]; then
  echo "# $distro: virsh $vv, python3-libvirt $pv: the libvirt 11 node-device API"
else
  echo "# $distro: virsh $vv, python3-libvirt $pv: libvirt 9.0 clients; nodedev-update," \
       "--persistent/--transient, dumpxml --inactive need virsh 10.1+ (checked in Debian 13)"
fi

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
"$daemon" --root "$tmp/root" --socket "$tmp/sock" --socket-ro "$tmp/sock-ro" \
  > "$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do [ -S "$tmp/sock-ro" ] && break; sleep 0.05; done
U="nodedev+unix:///system?socket=$tmp/sock"
export LC_ALL=C.UTF-8

expect() {  # NAME WANT virsh-args
  local name=$1 want=$2; shift 2
  local got
  got=$(timeout 60 virsh "$@" 2>&1 | sed '/^$/d')
  if [ "$got" == "$want" ]; then ok; else bad "$name"; diff <(echo "$want") <(echo "$got") | head -20; fi
}
contains() {  # NAME STRING virsh-args
  local name=$1 want=$2; shift 2
  if timeout 60 virsh "$@" > "$tmp/out" 2>&1 && grep -qF -- "$want" "$tmp/out"; then ok; else
    bad "$name: no '$want' in"; cat "$tmp/out"; fi
}

M=mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0007
T=mdev_5a4a1e2c_3a8d_4b8e_9c61_0f1e2d3c4b5a_0_0_000f
cat > "$tmp/def.xml" <<'EOF'
<device>
  <parent>css_0_0_0007</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>90c6c135-ad44-41d0-b1b7-bae47de48627</uuid>
  </capability>
</device>
EOF
sed "s|<uuid>|<start type='auto'/>\n    <uuid>|" "$tmp/def.xml" > "$tmp/def-auto.xml"
cat > "$tmp/transient.xml" <<'EOF'
<device>
  <parent>css_0_0_000f</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>5a4a1e2c-3a8d-4b8e-9c61-0f1e2d3c4b5a</uuid>
  </capability>
</device>
EOF
# nodedev-update takes a whole device, with its name (as dumpxml prints it)
upd() {  # FILE START TYPE [UUID]
  cat > "$1" <<EOF
<device>
  <name>$M</name>
  <parent>css_0_0_0007</parent>
  <capability type='mdev'>
    <type id='$3'/>
    <uuid>${4:-90c6c135-ad44-41d0-b1b7-bae47de48627}</uuid>
${2:+    <attr name='note' value='$2'/>
}  </capability>
</device>
EOF
}
# (no <start>: libvirt 11.3's schema has none, and its update writes
# "manual"; attributes are what may change on a vfio_ccw mdev's definition)
upd "$tmp/upd-manual.xml" "" vfio_ccw-io
upd "$tmp/upd-attr.xml" x vfio_ccw-io
upd "$tmp/upd-auto.xml" "" vfio_ccw-io
upd "$tmp/upd-type.xml" "" vfio_ccw-other
upd "$tmp/upd-uuid.xml" "" vfio_ccw-io 11111111-1111-4111-8111-111111111111
STORE=$tmp/root/etc/mdevctl.d/0.0.0007/90c6c135-ad44-41d0-b1b7-bae47de48627

timeout 60 virsh -c "$U" nodedev-event --event lifecycle --loop --timeout 14 > "$tmp/events" 2>&1 &
evpid=$!
timeout 60 virsh -c "$U" nodedev-event --event update --loop --timeout 14 > "$tmp/events-upd" 2>&1 &
evpid2=$!
sleep 1

# commands every virsh has
expect "detach 0007" "Device css_0_0_0007 detached" -c "$U" nodedev-detach css_0_0_0007
expect "detach 000f" "Device css_0_0_000f detached" -c "$U" nodedev-detach css_0_0_000f
expect "define" "Node device '$M' defined from '$tmp/def.xml'" -c "$U" nodedev-define "$tmp/def.xml"
# defined again with the same parent and UUID: libvirt 10.1+ updates it
expect "define again updates" "Node device '$M' defined from '$tmp/def-auto.xml'" \
  -c "$U" nodedev-define "$tmp/def-auto.xml"
if grep -q '"start": "auto"' "$STORE"; then ok; else bad "define again: store"; cat "$STORE"; fi
expect "info after the second define" "Name:           $M
Parent:         css_0_0_0007
Active:         no
Persistent:     yes
Autostart:      yes" -c "$U" nodedev-info "$M"
expect "create transient" "Node device $T created from $tmp/transient.xml" \
  -c "$U" nodedev-create "$tmp/transient.xml"
expect "reset" "error: Failed to reset device css_0_0_000f
error: this function is not supported by the connection driver: virNodeDeviceReset" \
  -c "$U" nodedev-reset css_0_0_000f
expect "list --cap mdev --all" "$T
$M" -c "$U" nodedev-list --cap mdev --all

if [ $new_client = 1 ]; then
  expect "list --persistent" "$M" -c "$U" nodedev-list --cap mdev --all --persistent
  expect "list --transient" "$T" -c "$U" nodedev-list --cap mdev --all --transient
  expect "list --inactive --persistent" "$M" -c "$U" nodedev-list --inactive --persistent
  contains "dumpxml --inactive" "<parent_addr>0.0.0007</parent_addr>" -c "$U" nodedev-dumpxml --inactive "$M"
  expect "dumpxml --inactive of a transient device" \
    "error: Requested operation is not valid: node device '$T' is not persistent" \
    -c "$U" nodedev-dumpxml --inactive "$T"
  expect "dumpxml --inactive of a css device" \
    "error: Requested operation is not valid: node device 'css_0_0_0007' is not persistent" \
    -c "$U" nodedev-dumpxml --inactive css_0_0_0007
  # nodedev-update: inactive, so --current is --config
  expect "update --current (inactive: config)" "Updated node device $M persistent config" \
    -c "$U" nodedev-update "$M" "$tmp/upd-manual.xml"
  if grep -q '"start": "manual"' "$STORE"; then ok; else bad "update: store"; cat "$STORE"; fi
  expect "update --config with an attribute" "Updated node device $M persistent config" \
    -c "$U" nodedev-update "$M" "$tmp/upd-attr.xml" --config
  contains "dumpxml --inactive shows it" "<attr name='note' value='x'/>" -c "$U" nodedev-dumpxml --inactive "$M"
  expect "update --live of an inactive device" \
    "error: Failed to update node device $M from '$tmp/upd-auto.xml'
error: Requested operation is not valid: node device is not active" \
    -c "$U" nodedev-update "$M" "$tmp/upd-auto.xml" --live
  expect "update --current --live" \
    "error: Options --current and --live are mutually exclusive" \
    -c "$U" nodedev-update "$M" "$tmp/upd-auto.xml" --current --live
  expect "update: the UUID may not change" \
    "error: Failed to update node device $M from '$tmp/upd-uuid.xml'
error: unsupported configuration: Cannot update device '$M, uuid mismatch (current uuid '90c6c135-ad44-41d0-b1b7-bae47de48627')" \
    -c "$U" nodedev-update "$M" "$tmp/upd-uuid.xml"
  expect "update a transient device's config" \
    "error: Failed to update node device $T from '$tmp/upd-auto.xml'
error: Requested operation is not valid: transient node devices do not have any persistent config" \
    -c "$U" nodedev-update "$T" "$tmp/upd-auto.xml" --config
  expect "update --config" "Updated node device $M persistent config" \
    -c "$U" nodedev-update "$M" "$tmp/upd-auto.xml" --config
  expect "start" "Device $M started" -c "$U" nodedev-start "$M"
  # active: --current is --live, which mdevctl cannot do for vfio_ccw
  expect "update --current (active: live)" \
    "error: Failed to update node device $M from '$tmp/upd-auto.xml'
error: internal error: Unable to modify mediated device: Error: No callout script with version support found that supports live modify" \
    -c "$U" nodedev-update "$M" "$tmp/upd-auto.xml"
  expect "update --live: the type of a live device may not change" \
    "error: Failed to update node device $M from '$tmp/upd-type.xml'
error: unsupported configuration: Cannot update device '$M', type mismatch (current type 'vfio_ccw-io')" \
    -c "$U" nodedev-update "$M" "$tmp/upd-type.xml" --live
  expect "update --config of an active device's type" "Updated node device $M persistent config" \
    -c "$U" nodedev-update "$M" "$tmp/upd-type.xml" --config
  contains "dumpxml --inactive shows the defined type" "<type id='vfio_ccw-other'/>" \
    -c "$U" nodedev-dumpxml --inactive "$M"
  contains "dumpxml shows the live type" "<type id='vfio_ccw-io'/>" -c "$U" nodedev-dumpxml "$M"
  expect "update --config back" "Updated node device $M persistent config" \
    -c "$U" nodedev-update "$M" "$tmp/upd-auto.xml" --config
  want_updates=6
else
  expect "start" "Device $M started" -c "$U" nodedev-start "$M"
  # virsh 9.0 has no nodedev-update: the server's update comes from define
  expect "define of an active defined mdev updates it" \
    "Node device '$M' defined from '$tmp/def.xml'" -c "$U" nodedev-define "$tmp/def.xml"
  expect "define again: back to auto" "Node device '$M' defined from '$tmp/def-auto.xml'" \
    -c "$U" nodedev-define "$tmp/def-auto.xml"
  want_updates=4
fi
expect "autostart --disable" "Device $M unmarked as autostarted" -c "$U" nodedev-autostart --disable "$M"
expect "list --cap mdev (active)" "$T
$M" -c "$U" nodedev-list --cap mdev
expect "destroy" "Destroyed node device '$M'" -c "$U" nodedev-destroy "$M"
expect "destroy transient" "Destroyed node device '$T'" -c "$U" nodedev-destroy "$T"
expect "undefine" "Undefined node device '$M'" -c "$U" nodedev-undefine "$M"
expect "reattach 000f" "Device css_0_0_000f re-attached" -c "$U" nodedev-reattach css_0_0_000f
expect "reattach 0007" "Device css_0_0_0007 re-attached" -c "$U" nodedev-reattach css_0_0_0007
wait "$evpid" "$evpid2"
cat "$tmp/events-upd" >> "$tmp/events"
# the UPDATE events: define-again and each successful update/autostart change
n=$(grep -c "event 'update' for node device $M" "$tmp/events")
if [ "$n" = "$want_updates" ]; then ok; else bad "update events: $n, want $want_updates"; cat "$tmp/events"; fi
for ev in Defined Created Deleted Undefined; do
  if grep -q "event 'lifecycle' for node device $M: $ev" "$tmp/events"; then ok; else
    bad "no $ev event"; cat "$tmp/events"; fi
done

# python3-libvirt: the calls an OpenStack-like client makes, and the 11.x ones
if "$py" "$runner" "$U" "$new_client" > "$tmp/py.log" 2>&1; then ok; else bad "python3-libvirt"; fi
cat "$tmp/py.log"

kill "$dpid"; wait "$dpid"; dpid=
if ! grep -qE "CRITICAL|WARNING|AddressSanitizer|runtime error" "$tmp/daemon.log"; then ok; else
  bad "daemon warnings"; grep -E -A5 "CRITICAL|WARNING|AddressSanitizer|runtime error" "$tmp/daemon.log" | head -30; fi
echo "$pass passed, $fail failed"
[ "$fail" == 0 ]
