#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virtccwd beside the distribution's monolithic libvirtd (Debian 12 and 13
# ship no virtnodedevd): both on one (simulated) host agree.
# - an mdev defined through virtccwd is listed by libvirtd's
#   `virsh -c qemu:///system nodedev-list --cap mdev --inactive`
#   (libvirtd reads it with `mdevctl list --defined`);
# - one defined through libvirtd (which runs `mdevctl define`) reaches
#   virtccwd's clients as a lifecycle event (inotify on the mdevctl store).
#
#   libvirtd-coexist.sh VIRTCCWD SIMHOST VIRTCCW     (as root)
#
# How one host is shown to both: in a private mount namespace the simulated
# host's sys and etc/mdevctl.d are bound over /sys and /etc/mdevctl.d, so
# libudev (libvirtd's node-device driver) and mdevctl see the simulated
# s390 host; virtccwd reads the same tree through --root. Nothing outside
# the namespace changes. Needs libvirtd with its nodedev and qemu drivers,
# virsh, mdevctl, FUSE, unshare, root; a missing one fails under CI=true.
set -u
daemon=$(realpath "$1") simhost=$(realpath "$2") virtccw=$(realpath "$3")

missing() {
  echo "missing prerequisite: $*"
  if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
  exit 77
}
[ "$(id -u)" = 0 ] || missing "root (private mount namespace, bind mounts over /sys)"
for p in libvirtd virsh mdevctl unshare fusermount3; do
  command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null ||
    missing "$p"
done
[ -c /dev/fuse ] || missing "/dev/fuse"

if [ -z "${VCCW_COEXIST_INNER:-}" ]; then
  # in a chroot "/" is no mount point and --propagation private fails;
  # there the mounts are copied with their own propagation, checked below
  unshare --mount --propagation private true 2>/dev/null && prop=private || prop=unchanged
  exec env VCCW_COEXIST_INNER=1 unshare --mount --propagation $prop "$0" "$@"
fi
# never let the binds below reach the host's mount namespace
# (in a chroot whose directory is no mount point, findmnt cannot name the
# mount holding /etc: then it is the one the chroot was made private in)
for m in /sys /etc; do
  p=$(findmnt -n -o PROPAGATION --target "$m" 2>/dev/null)
  case $p in private|private,*|slave|slave,*) ;;
    '') [ "$m" = /etc ] || missing "a private mount namespace ($m: unknown propagation)" ;;
    *) missing "a private mount namespace ($m propagation is '$p')" ;; esac
done

export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
tmp=$(mktemp -d)
pids=()
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  umount /run/udev 2>/dev/null; umount /etc/mdevctl.d 2>/dev/null; umount /sys 2>/dev/null
  mountpoint -q "$tmp/root" && fusermount3 -u "$tmp/root"
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/root" "$tmp/lsock"
"$simhost" -n 40 "$tmp/root" > "$tmp/simhost.log" 2>&1 || { cat "$tmp/simhost.log"; exit 1; }
"$virtccw" --root "$tmp/root" nodedev-detach css_0_0_0007 > /dev/null || bad "bind 0.0.0007 to vfio_ccw"
mkdir -p "$tmp/root/etc/mdevctl.d/scripts.d/callouts" "$tmp/root/etc/mdevctl.d/scripts.d/notifiers"
mkdir -p /etc/mdevctl.d
mount --bind "$tmp/root/sys" /sys && mount --bind "$tmp/root/etc/mdevctl.d" /etc/mdevctl.d ||
  { bad "bind the simulated host over /sys and /etc/mdevctl.d"; exit 1; }
# libvirt enumerates only devices udev has initialized (its database in
# /run/udev/data); no udevd runs here, so a private one says so for the
# simulated devices. And libudev (systemd 252+) refuses a /sys that is not
# sysfs ("the syspath ... is outside of sysfs, refusing") unless
# SYSTEMD_DEVICE_VERIFY_SYSFS=0, which libvirtd gets below.
mkdir -p /run/udev && mount -t tmpfs tmpfs /run/udev && mkdir -p /run/udev/data ||
  { bad "a private /run/udev"; exit 1; }
for sub in css ccw mdev; do
  for d in /sys/bus/$sub/devices/*; do
    [ -e "$d" ] && printf 'I:1\n' > "/run/udev/data/+$sub:${d##*/}"
  done
done
if mdevctl types 2>/dev/null | grep -q 'vfio_ccw-io'; then ok "mdevctl $(mdevctl --version 2>/dev/null | tail -1) sees the simulated host's mdev types"
else bad "mdevctl does not see the simulated host"; mdevctl types; fi

"$daemon" --root "$tmp/root" --socket "$tmp/vsock" --no-socket-ro > "$tmp/virtccwd.log" 2>&1 &
pids+=($!)
cat > "$tmp/libvirtd.conf" <<EOF
unix_sock_dir = "$tmp/lsock"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$tmp/libvirtd.log"
EOF
SYSTEMD_DEVICE_VERIFY_SYSFS=0 libvirtd -f "$tmp/libvirtd.conf" -p "$tmp/libvirtd.pid" > "$tmp/libvirtd.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [ -S "$tmp/lsock/libvirt-sock" ] && [ -S "$tmp/vsock" ] && break; sleep 0.1; done
L="qemu+unix:///system?socket=$tmp/lsock/libvirt-sock"
V="nodedev+unix:///system?socket=$tmp/vsock"
lv=$(virsh -c "$L" version --daemon 2>/dev/null | sed -n 's/^Running against daemon: //p')
echo "# libvirtd $lv ($L), virtccwd ($V)"

# wait_for DESC CMD...: up to 30 s
wait_for() {
  local desc=$1; shift
  for _ in $(seq 60); do "$@" > /dev/null 2>&1 && { ok "$desc"; return 0; }; sleep 0.5; done
  bad "$desc"; return 1
}
has_dev() { local uri=$1 dev=$2; shift 2; virsh -c "$uri" nodedev-list "$@" | grep -qx "$dev"; }

wait_for "libvirtd lists the simulated subchannel css_0_0_0007 (udev)" \
  has_dev "$L" css_0_0_0007 --cap css
A=mdev_1c0a1e11_7d2b_4c5e_9f10_aa0b0c0d0e01_0_0_0007
B=mdev_2c0a1e22_7d2b_4c5e_9f10_aa0b0c0d0e02_0_0_0007
mk() { printf "<device>\n  <parent>css_0_0_0007</parent>\n  <capability type='mdev'>\n    <type id='vfio_ccw-io'/>\n    <uuid>%s</uuid>\n  </capability>\n</device>\n" "$2" > "$1"; }
mk "$tmp/a.xml" 1c0a1e11-7d2b-4c5e-9f10-aa0b0c0d0e01
mk "$tmp/b.xml" 2c0a1e22-7d2b-4c5e-9f10-aa0b0c0d0e02

timeout 60 virsh -c "$V" nodedev-event --event lifecycle --loop --timeout 25 > "$tmp/events" 2>&1 &
evpid=$!
sleep 1
if virsh -c "$V" nodedev-define "$tmp/a.xml" > "$tmp/out" 2>&1; then ok "defined $A through virtccwd"
else bad "define through virtccwd"; cat "$tmp/out"; fi
wait_for "libvirtd's nodedev-list --cap mdev --inactive lists $A" has_dev "$L" "$A" --cap mdev --inactive
if virsh -c "$L" nodedev-define "$tmp/b.xml" > "$tmp/out" 2>&1; then ok "defined $B through libvirtd (mdevctl define)"
else bad "define through libvirtd"; cat "$tmp/out"; fi
wait_for "virtccwd lists $B" has_dev "$V" "$B" --cap mdev --inactive
wait "$evpid"
if grep -q "event 'lifecycle' for node device $B: Defined" "$tmp/events"; then
  ok "libvirtd's definition reached virtccwd's client as a Defined event"
else bad "no Defined event for $B"; cat "$tmp/events"; fi
if [ "$(cat "$tmp/root/etc/mdevctl.d/0.0.0007/2c0a1e22-7d2b-4c5e-9f10-aa0b0c0d0e02" 2>/dev/null)" == \
     "$(cat "$tmp/root/etc/mdevctl.d/0.0.0007/1c0a1e11-7d2b-4c5e-9f10-aa0b0c0d0e01" 2>/dev/null)" ]; then
  ok "mdevctl (via libvirtd) and virtccw wrote the same definition bytes"
else bad "the two definitions differ"; fi
# the same calls answered alike: libvirtd 11.3 (with mdevctl 1.4) and
# virtccwd, on the same definition ($B, inactive): errors byte for byte,
# then a successful update, whose file each writes the same
same() {  # DESC virsh-args (with @ for the URI)
  local desc=$1; shift
  local a b
  a=$(timeout 60 virsh -c "$L" "$@" 2>&1); b=$(timeout 60 virsh -c "$V" "$@" 2>&1)
  if [ "$a" == "$b" ]; then ok "same answer: $desc"; else
    bad "different answers: $desc"; diff <(echo "$a") <(echo "$b") | sed 's/^/#   /'; fi
}
upd() {  # FILE NAME PARENT UUID [ATTR-VALUE]   (no <start>: libvirt 11.3's schema has none)
  { echo "<device>"; echo "  <name>$2</name>"; echo "  <parent>$3</parent>"
    echo "  <capability type='mdev'>"; echo "    <type id='vfio_ccw-io'/>"; echo "    <uuid>$4</uuid>"
    [ -n "${5:-}" ] && echo "    <attr name='a' value='$5'/>"
    echo "  </capability>"; echo "</device>"; } > "$1"
}
UB=2c0a1e22-7d2b-4c5e-9f10-aa0b0c0d0e02
upd "$tmp/u-auto.xml" "$B" css_0_0_0007 $UB x
upd "$tmp/u-uuid.xml" "$B" css_0_0_0007 1c0a1e11-7d2b-4c5e-9f10-aa0b0c0d0e01
upd "$tmp/u-parent.xml" "$B" css_0_0_000f $UB
upd "$tmp/u-noparent.xml" "$B" css_0_0_9999 $UB
sed '/<name>/d' "$tmp/u-auto.xml" > "$tmp/u-noname.xml"
same "update, another UUID" nodedev-update "$B" "$tmp/u-uuid.xml"
same "update, another parent" nodedev-update "$B" "$tmp/u-parent.xml"
same "update, an unknown parent" nodedev-update "$B" "$tmp/u-noparent.xml"
# (no <name>: libvirt's schema check reports it with libxml2's RelaxNG
# texts, virtccw's parser with libvirt's "missing name information")
same "update --live of an inactive device" nodedev-update "$B" "$tmp/u-auto.xml" --live
same "dumpxml --inactive of a css device" nodedev-dumpxml --inactive css_0_0_0007
# (not asked of libvirtd: `nodedev-update css_0_0_0007 FILE` leaves it
# silent and answering nothing more here; virtccwd says "Unsupported
# device type", as libvirt's code means to)
same "dumpxml --inactive of a defined mdev" nodedev-dumpxml --inactive "$B"
same "dumpxml of a defined mdev" nodedev-dumpxml "$B"
same "info of a defined mdev" nodedev-info "$B"
cp "$tmp/root/etc/mdevctl.d/0.0.0007/$UB" "$tmp/before"
virsh -c "$L" nodedev-update "$B" "$tmp/u-auto.xml" --config > "$tmp/l.out" 2>&1
cp "$tmp/root/etc/mdevctl.d/0.0.0007/$UB" "$tmp/by-libvirtd"
cp "$tmp/before" "$tmp/root/etc/mdevctl.d/0.0.0007/$UB"
virsh -c "$V" nodedev-update "$B" "$tmp/u-auto.xml" --config > "$tmp/v.out" 2>&1
if cmp -s "$tmp/l.out" "$tmp/v.out"; then ok "same answer: update --config"; else
  bad "different answers: update --config"; diff "$tmp/l.out" "$tmp/v.out" | sed 's/^/#   /'; fi
if cmp -s "$tmp/by-libvirtd" "$tmp/root/etc/mdevctl.d/0.0.0007/$UB"; then
  ok "update --config: the same definition file (mdevctl modify --defined)"
else bad "update --config: the files differ"; diff "$tmp/by-libvirtd" "$tmp/root/etc/mdevctl.d/0.0.0007/$UB"; fi
# ccw devices, which libvirtd reads from udev as its release does, and
# virtccwd as libvirt 11.3, whatever libvirtd is installed. libvirtd 10.5+
# (Debian 13's 11.3): the same answers, offline devices (every eighth DASD)
# included, and neither notices a device set offline (no uevent; no udevd
# runs here to hand libvirtd a trigger). libvirtd 9.0 (Debian 12): online
# ones only, without <state>, as virtccw's CLI prints following 9.0.
ver_num() { awk -F. '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'; }
if [ "$(echo "$lv" | ver_num)" -ge 10005000 ]; then
  same "nodedev-list --cap ccw (offline ones too)" nodedev-list --cap ccw
  same "dumpxml of an offline ccw device" nodedev-dumpxml ccw_0_0_100f
  same "dumpxml of an online ccw device" nodedev-dumpxml ccw_0_0_1000
  echo 0 > /sys/bus/ccw/devices/0.0.1000/online
  sleep 1
  same "set offline behind both (no uevent): the state each read" nodedev-dumpxml ccw_0_0_1000
  echo 1 > /sys/bus/ccw/devices/0.0.1000/online
else
  for args in "nodedev-list --cap ccw" "nodedev-dumpxml ccw_0_0_1000"; do
    # shellcheck disable=SC2086
    a=$(timeout 60 virsh -c "$L" $args 2>&1); b=$("$virtccw" --root "$tmp/root" --libvirt-version 9.0 $args 2>&1)
    if [ "$a" == "$b" ]; then ok "libvirtd $lv: $args as virtccw following 9.0"; else
      bad "libvirtd $lv: $args differs from virtccw following 9.0"; diff <(echo "$a") <(echo "$b") | sed 's/^/#   /'; fi
  done
  a=$(virsh -c "$V" nodedev-list --cap ccw | grep -c .)
  b=$(virsh -c "$L" nodedev-list --cap ccw | grep -c .)
  if [ "$a" -gt "$b" ]; then ok "virtccwd lists offline ccw devices too ($a), libvirtd $lv not ($b)"; else
    bad "virtccwd lists $a ccw devices, libvirtd $lv $b"; fi
fi
# each removes the other's
virsh -c "$L" nodedev-undefine "$A" > /dev/null 2>&1 && ok "libvirtd undefines virtccwd's $A" ||
  bad "libvirtd undefines $A"
virsh -c "$V" nodedev-undefine "$B" > /dev/null 2>&1 && ok "virtccwd undefines libvirtd's $B" ||
  bad "virtccwd undefines $B"
wait_for "libvirtd no longer lists $B" bash -c "! virsh -c '$L' nodedev-list --cap mdev --inactive | grep -qx $B"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
