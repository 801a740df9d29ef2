#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test of virtccw-simhost through a real FUSE mount.
# usage: simhost_fuse_test.sh PATH/TO/virtccw-simhost
# Exit 0 pass, 1 fail, 77 skip (no usable /dev/fuse; 1 under CI=true).
set -u
SIMHOST=$1
T=$(mktemp -d /tmp/simhost-test.XXXXXX)
M=$T/root
U=7e270a25-e163-4922-af60-757fc8ed48c6
U2=11111111-2222-3333-4444-555555555555
HOLDER=
FGPID=

cleanup() {
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
    [ -n "$FGPID" ] && kill "$FGPID" 2>/dev/null
    for d in "$M" "$T/root2" "$T/root3"; do
        grep -q " $d fuse" /proc/mounts 2>/dev/null && fusermount3 -u -z "$d" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
mounted() { grep -q " $1 fuse" /proc/mounts; }

# wr EXPECT PATH VALUE: EXPECT is ok or the strerror text of the errno
wr() {
    out=$( (printf '%s' "$3" > "$2") 2>&1 ); rc=$?
    if [ "$1" = ok ]; then
        [ $rc -eq 0 ] || fail "write '$3' > $2: $out"
    else
        [ $rc -ne 0 ] && printf '%s' "$out" | grep -q "$1" || fail "write '$3' > $2: expected '$1', got rc=$rc '$out'"
    fi
}
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
waitfor() { # waitfor SECONDS CMD...: poll until CMD succeeds
    n=$(($1 * 10)); shift
    while ! "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}

# a missing prerequisite: skip (77), but fail under CI=true
skip() {
    if [ "${CI:-}" = true ]; then echo "FAIL: prerequisite missing under CI=true: $*"; exit 1; fi
    echo "SKIP: $*"; exit 77
}
[ -c /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no /dev/fuse or fusermount3 (Debian: fuse3)"
mkdir -p "$M"
if ! "$SIMHOST" --subchannels 64 "$M" 2>"$T/err"; then
    cat "$T/err" >&2
    grep -q 'cannot mount\|fuse' "$T/err" && skip "FUSE mount impossible here"
    fail "virtccw-simhost did not start"
fi
# no sleep: the command returns only once the mount is usable
mounted "$M" || fail "not mounted after the command returned"
pass "mounted (daemonised)"

S=$M/sys/bus/css/devices/0.0.0000
TY=$S/mdev_supported_types/vfio_ccw-io
eq "$(ls "$M/sys/bus/css/devices" | wc -l)" 64 "subchannel count"
eq "$(cat "$S/type")" 0 type
eq "$(cat "$S/dev_busid")" 0.0.1000 dev_busid
eq "$(cat "$S/driver_override")" "(null)" driver_override
eq "$(readlink "$S/driver")" ../../../bus/css/drivers/io_subchannel "driver link"
eq "$(cat "$M/sys/bus/ccw/devices/0.0.1000/online")" 1 online
eq "$(cat "$M/sys/bus/css/devices/0.0.001f/dev_busid")" none "CHSC dev_busid"
ls "$M/etc/mdevctl.d" "$M/etc/driverctl.d" "$M/run" >/dev/null || fail "etc/run missing"
pass "baseline attributes"

# a ccw device set offline and online: no uevent (online_store() sends
# none); a write to its uevent file (udevadm trigger) sends one
C=$M/sys/bus/ccw/devices/0.0.1007
n0=$(grep -c '^UEVENT:' "$M/.simhost/events")
wr ok "$C/online" "1
"
eq "$(cat "$C/online")" 1 "0.0.1007 set online"
wr ok "$C/online" "0
"
eq "$(cat "$C/online")" 0 "0.0.1007 set offline"
eq "$(grep -c '^UEVENT:' "$M/.simhost/events")" "$n0" "no uevent for online writes"
wr ok "$C/uevent" "change
"
eq "$(tail -1 "$M/.simhost/events")" "UEVENT: change@/devices/css0/0.0.0007/0.0.1007 SUBSYSTEM=ccw SYNTH_UUID=0 DRIVER=dasd-eckd CU_TYPE=3990 CU_MODEL=E9 DEV_TYPE=3390 DEV_MODEL=0C MODALIAS=ccw:t3990mE9dt3390dm0C" "ccw device trigger"
pass "ccw online writes: no uevent; a trigger sends one"

# driverctl's sequence (with the driver symlink for unbind)
wr ok "$S/driver/unbind" "0.0.0000
"
wr ok "$S/driver_override" "vfio_ccw
"
wr ok "$M/sys/bus/css/drivers_probe" "0.0.0000
"
eq "$(readlink "$S/driver")" ../../../bus/css/drivers/vfio_ccw "bound to vfio_ccw"
[ ! -e "$M/sys/bus/ccw/devices/0.0.1000" ] || fail "ccw device still there"
eq "$(cat "$TY/available_instances")" 1 available_instances
eq "$(cat "$TY/name")" "I/O subchannel (Non-QDIO)" name
[ ! -e "$TY/description" ] || fail "description exists"
eq "$(ls "$M/sys/class/mdev_bus")" 0.0.0000 "class/mdev_bus"
wr "Device or resource busy" "$M/sys/bus/css/drivers/vfio_ccw/bind" 0.0.0000
wr "No such device" "$M/sys/bus/css/drivers/vfio_ccw/bind" 0.0.ffff
pass "bind sequence"

# QDIO is refused
wr ok "$M/sys/bus/css/devices/0.0.001d/driver_override" vfio_ccw
wr ok "$M/sys/bus/css/drivers/io_subchannel/unbind" 0.0.001d
wr "No such device" "$M/sys/bus/css/drivers/vfio_ccw/bind" 0.0.001d
[ ! -e "$M/sys/bus/css/devices/0.0.001d/driver" ] || fail "QDIO subchannel bound"
pass "QDIO refused"

# create
wr "Invalid argument" "$TY/create" not-a-uuid
wr ok "$TY/create" "$U
"
eq "$(cat "$TY/available_instances")" 0 "available_instances after create"
eq "$(ls "$M/sys/bus/mdev/devices")" "$U" "mdev list"
eq "$(readlink "$M/sys/bus/mdev/devices/$U")" "../../../devices/css0/0.0.0000/$U" "mdev link"
eq "$(readlink "$M/sys/bus/mdev/devices/$U/mdev_type")" ../mdev_supported_types/vfio_ccw-io mdev_type
eq "$(readlink "$M/sys/bus/mdev/devices/$U/iommu_group")" ../../../../kernel/iommu_groups/0 iommu_group
eq "$(cat "$M/sys/bus/mdev/devices/$U/iommu_group/name")" vfio-noiommu "group name"
eq "$(basename "$(readlink -f "$M/sys/bus/mdev/devices/$U/mdev_type")")" vfio_ccw-io "mdev_type resolves"
eq "$(ls "$M/dev/vfio" | tr '\n' ' ')" "0 vfio " "dev/vfio"
wr "Too many users" "$TY/create" "$U2"
wr "File exists" "$TY/create" "$U"
pass "create"

# in use: the group is exclusive, remove blocks until it is released
mkfifo "$T/go"
sh -c 'exec 3< "$1" || exit 1; echo held; read x < "$2"' _ "$M/dev/vfio/0" "$T/go" > "$T/held" &
HOLDER=$!
waitfor 5 grep -q held "$T/held" || fail "holder could not open /dev/vfio/0"
if (exec 4< "$M/dev/vfio/0") 2>"$T/busy"; then fail "second open of the group succeeded"; fi
grep -q "Device or resource busy" "$T/busy" || fail "second open: $(cat "$T/busy")"
sh -c 'printf 1 > "$1"; echo "rc=$?"' _ "$M/sys/bus/mdev/devices/$U/remove" > "$T/rm.out" 2>&1 &
RM=$!
sleep 0.5
[ ! -s "$T/rm.out" ] || fail "remove did not block: $(cat "$T/rm.out")"
[ ! -e "$M/sys/bus/mdev/devices/$U" ] || fail "bus link still there while blocked"
[ -d "$M/sys/devices/css0/0.0.0000/$U" ] || fail "leftover device dir missing while blocked"
[ -e "$M/dev/vfio/0" ] || fail "/dev/vfio/0 gone while blocked"
eq "$(cat "$TY/available_instances")" 0 "available_instances while blocked"
wr "File exists" "$TY/create" "$U"
wr "Too many users" "$TY/create" "$U2"
pass "remove blocks while the group is open"
echo go > "$T/go"
wait "$HOLDER"; HOLDER=
waitfor 5 grep -q rc= "$T/rm.out" || fail "remove still blocked after release"
wait "$RM"
eq "$(cat "$T/rm.out")" rc=0 "remove result"
[ ! -e "$M/sys/devices/css0/0.0.0000/$U" ] || fail "mdev still there"
[ ! -e "$M/dev/vfio/0" ] || fail "/dev/vfio/0 still there"
eq "$(cat "$TY/available_instances")" 1 "available_instances after remove"
pass "remove completes on release"

# 6.1 (the default): unbinding the parent blocks likewise, and a read of
# its driver_override waits for the unbind (the device lock); other
# attributes answer; the vfio-dev remove uevent comes on release
wr ok "$TY/create" "$U"
echo clear-events > "$M/.simhost/ctl"
rm -f "$T/go"; mkfifo "$T/go"
sh -c 'exec 3< "$1" || exit 1; echo held; read x < "$2"' _ "$M/dev/vfio/0" "$T/go" > "$T/held" &
HOLDER=$!
waitfor 5 grep -q held "$T/held" || fail "holder could not open /dev/vfio/0"
sh -c 'printf 0.0.0000 > "$1"; echo "rc=$?"' _ "$M/sys/bus/css/drivers/vfio_ccw/unbind" > "$T/unb.out" 2>&1 &
UNB=$!
waitfor 5 sh -c "! test -L '$S/driver'" || fail "driver link still there after the unbind started"
sh -c 'cat "$1"; echo "rc=$?"' _ "$S/driver_override" > "$T/ovr.out" 2>&1 &
OVR=$!
sleep 0.5
[ ! -s "$T/unb.out" ] || fail "unbind did not block: $(cat "$T/unb.out")"
[ ! -s "$T/ovr.out" ] || fail "driver_override read did not block (6.1): $(cat "$T/ovr.out")"
eq "$(cat "$S/dev_busid")" 0.0.1000 "dev_busid while the unbind blocks"
eq "$(cat "$M/sys/bus/css/devices/0.0.0001/driver_override")" "(null)" "another subchannel's driver_override"
grep -q "^UEVENT: remove@.*/vfio-dev/" "$M/.simhost/events" && fail "6.1: vfio-dev remove uevent before release"
pass "6.1: unbind blocks, and so does a read of its driver_override"
echo go > "$T/go"
wait "$HOLDER"; HOLDER=
waitfor 5 grep -q rc= "$T/unb.out" || fail "unbind still blocked after release"
waitfor 5 grep -q rc= "$T/ovr.out" || fail "driver_override read still blocked after release"
wait "$UNB" "$OVR"
eq "$(cat "$T/unb.out")" rc=0 "unbind result"
eq "$(tr '\n' ' ' < "$T/ovr.out")" "vfio_ccw rc=0 " "driver_override read answered late"
grep -q "^UEVENT: remove@/devices/css0/0.0.0000/$U/vfio-dev/vfio0 " "$M/.simhost/events" ||
    fail "6.1: no vfio-dev remove uevent after release"
[ ! -e "$S/driver" ] || fail "still bound after the unbind"
wr ok "$M/sys/bus/css/drivers/vfio_ccw/bind" 0.0.0000
pass "6.1: both answer on release"

# plain remove, then give the subchannel back
wr ok "$TY/create" "$U"
wr ok "$M/sys/bus/mdev/devices/$U/remove" 0
[ -e "$M/sys/bus/mdev/devices/$U" ] || fail "remove 0 removed"
wr "Invalid argument" "$M/sys/bus/mdev/devices/$U/remove" abc
wr ok "$M/sys/bus/mdev/devices/$U/remove" 1
[ ! -e "$M/sys/bus/mdev/devices/$U" ] || fail "mdev not removed"
wr "No such file or directory" "$M/sys/bus/mdev/devices/$U/remove" 1
wr ok "$M/sys/bus/css/drivers/vfio_ccw/unbind" 0.0.0000
wr ok "$S/driver_override" "
"
wr ok "$M/sys/bus/css/drivers_probe" 0.0.0000
eq "$(readlink "$S/driver")" ../../../bus/css/drivers/io_subchannel "back on io_subchannel"
[ -d "$M/sys/bus/ccw/devices/0.0.1000" ] || fail "ccw device not back"
pass "remove and reattach"

# etc/ and run/ are ordinary writable directories
mkdir -p "$M/etc/mdevctl.d/0.0.0000"
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "auto",\n  "attrs": []\n}' > "$M/etc/mdevctl.d/0.0.0000/$U"
eq "$(wc -c < "$M/etc/mdevctl.d/0.0.0000/$U")" 66 "definition size"
printf 'vfio_ccw\n' > "$M/etc/driverctl.d/css-0.0.0000.tmp"
mv "$M/etc/driverctl.d/css-0.0.0000.tmp" "$M/etc/driverctl.d/css-0.0.0000"
eq "$(cat "$M/etc/driverctl.d/css-0.0.0000")" vfio_ccw "driverctl file"
rm "$M/etc/driverctl.d/css-0.0.0000"
if (printf x > "$M/sys/bus/css/newfile") 2>/dev/null; then fail "created a file in sys"; fi
pass "etc/ and run/ pass through"

# The event log at its bound (issue 15): two segments of 10,000 lines, the
# older dropped whole; kept bytes never move (events-base + offset is where
# a reader finds them again); reads cost the same at any length.
C=$M/.simhost/ctl E=$M/.simhost/events
echo clear-events > "$C"
b0=$(cat "$E-base")
for ((i = 0; i < 3600; i++)); do echo 'rmmod vfio_ccw' > "$C"; echo 'modprobe vfio_ccw' > "$C"; done
n=$(wc -l < "$E")
[ "$n" -ge 10000 ] && [ "$n" -le 20000 ] || fail "event log at its bound: $n lines"
b1=$(cat "$E-base")
[ "$b1" -gt "$b0" ] || fail "events-base did not move past a dropped segment ($b0 -> $b1)"
size=$(wc -c < "$E")
last=$(tail -c 100 "$E" | od -An -c)
echo 'rmmod vfio_ccw' > "$C"
off=$((b1 + size - 100 - $(cat "$E-base")))
[ "$off" -ge 0 ] || fail "a segment was dropped by one more event"
eq "$(dd if="$E" bs=100 iflag=skip_bytes skip="$off" count=1 2>/dev/null | od -An -c)" "$last" \
    "event log: kept bytes stay at their offset as the log grows"
echo 'modprobe vfio_ccw' > "$C"
cmp -s <(dd if="$E" bs=4096 2>/dev/null) <(cat "$E") || fail "event log: 4 KiB reads differ from one read"
TIMEFORMAT=%R
t=$( { time wc -l < "$E" > /dev/null; } 2>&1 )
awk -v t="$t" 'BEGIN { exit !(t < 1.0) }' || fail "event log: wc -l of $n lines took $t s"
pass "event log at its bound: $n lines, base $b1, kept bytes do not move, wc -l in $t s"

fusermount3 -u "$M" || fail "fusermount3 -u"
waitfor 5 sh -c "! grep -q ' $M fuse' /proc/mounts" || fail "still mounted"
pass "unmounted with fusermount3 -u"

# 6.12: a blocked remove sends the vfio-dev remove uevent at once, and a
# blocked parent unbind does not hold up reads of driver_override
M3=$T/root3
mkdir -p "$M3"
"$SIMHOST" --kernel 6.12 --subchannels 4 "$M3" 2>"$T/err3" || fail "6.12 instance did not start: $(cat "$T/err3")"
S3=$M3/sys/bus/css/devices/0.0.0000
wr ok "$S3/driver_override" vfio_ccw
wr ok "$M3/sys/bus/css/drivers/io_subchannel/unbind" 0.0.0000
wr ok "$M3/sys/bus/css/drivers_probe" 0.0.0000
wr ok "$S3/mdev_supported_types/vfio_ccw-io/create" "$U"
echo clear-events > "$M3/.simhost/ctl"
rm -f "$T/go"; mkfifo "$T/go"
sh -c 'exec 3< "$1" || exit 1; echo held; read x < "$2"' _ "$M3/dev/vfio/0" "$T/go" > "$T/held" &
HOLDER=$!
waitfor 5 grep -q held "$T/held" || fail "6.12: holder could not open /dev/vfio/0"
sh -c 'printf 0.0.0000 > "$1"; echo "rc=$?"' _ "$M3/sys/bus/css/drivers/vfio_ccw/unbind" > "$T/unb.out" 2>&1 &
UNB=$!
waitfor 5 grep -q "^UEVENT: remove@/devices/css0/0.0.0000/$U/vfio-dev/vfio0 " "$M3/.simhost/events" ||
    fail "6.12: no vfio-dev remove uevent while the unbind blocks"
[ ! -s "$T/unb.out" ] || fail "6.12: unbind did not block: $(cat "$T/unb.out")"
eq "$(timeout 5 cat "$S3/driver_override")" vfio_ccw "6.12: driver_override while the unbind blocks"
echo go > "$T/go"
wait "$HOLDER"; HOLDER=
waitfor 5 grep -q rc= "$T/unb.out" || fail "6.12: unbind still blocked after release"
wait "$UNB"
eq "$(cat "$T/unb.out")" rc=0 "6.12: unbind result"
eq "$(grep -c "^UEVENT: remove@.*/vfio-dev/" "$M3/.simhost/events")" 1 "6.12: vfio-dev remove uevents"
fusermount3 -u "$M3" || fail "fusermount3 -u (6.12)"
pass "6.12: vfio-dev remove uevent at once, driver_override answers"

# --foreground, stopped with SIGTERM
mkdir -p "$T/root2"
"$SIMHOST" --foreground --subchannels 262144 "$T/root2" 2>"$T/err2" &
FGPID=$!
waitfor 10 mounted "$T/root2" || fail "foreground instance did not mount: $(cat "$T/err2")"
eq "$(ls "$T/root2/sys/bus/css/devices" | wc -l)" 262144 "262144 subchannels listed"
eq "$(cat "$T/root2/sys/bus/css/devices/0.3.ffff/type")" 1 "last subchannel"
kill -TERM "$FGPID"
waitfor 5 sh -c "! kill -0 $FGPID 2>/dev/null" || fail "SIGTERM did not stop it"
wait "$FGPID" 2>/dev/null; FGPID=
mounted "$T/root2" && fail "still mounted after SIGTERM"
pass "SIGTERM stops a foreground instance"
echo "PASS"
