#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The reboot scenario (issue 13): the host comes back after a reboot with
# no client and no manual step. POSIX sh, for the s390x guest (busybox) and
# the simulated host alike; tests/kernel/run.sh runs it twice per host:
#
#   PHASE=1  (first boot) persistent bindings (nodedev-detach --persistent:
#            /etc/driverctl.d) and mdev definitions (/etc/mdevctl.d), one
#            with start=auto; prints the state reached ("summary").
#   PHASE=2  (second boot, from the /etc of the first and nothing else)
#            the subchannels' add uevents (coldplug, as udevadm trigger
#            does at boot) and everything they cause reach the program of
#            virtccw's udev rule (virtccw udev-event) through
#            "vccw-ktest udev-run", which matches them as the rule does;
#            the state reached must be the first boot's summary. virtccwd
#            runs meanwhile and must see it all as events. A second
#            coldplug must change and try nothing.
#
# Environment: ROOT, VIRTCCW, VIRTCCWD, KTEST, KERNEL_SERIES as for
# scenario.sh; PHASE. The events reach the program from the kernel
# (netlink) in the guest and from ROOT/.simhost/events on the simulated
# host. Output is compared between the real kernel and the simulation.
export LC_ALL=C
R=${ROOT%/}
T=${SCENARIO_TMP:-/tmp/vccw-reboot}
rm -rf "$T"; mkdir -p "$T" && cd "$T" || exit 1

NP=0; NF=0
ok() { NP=$((NP + 1)); echo "CHECK ok: $*"; }
bad() { NF=$((NF + 1)); echo "CHECK FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
step() { echo; echo "### $*"; }
{
	[ -n "$R" ] && echo "s|$R||g"
	echo 's|/dev/vfio/[0-9][0-9]*|/dev/vfio/N|g'
	echo 's|/vfio/[0-9][0-9]*|/vfio/N|g'
	echo 's|vfio/[0-9][0-9]*|vfio/N|g'
	echo 's|vfio[0-9][0-9]*|vfioN|g'
	echo 's|MINOR=[0-9][0-9]*|MINOR=N|g'
	echo 's|iommu group [0-9][0-9]*|iommu group N|g'
} > norm.sed
norm() { sed -f norm.sed -e "s/^/$1/"; }
vc() {
	echo "\$ virtccw $*"
	"$VIRTCCW" ${R:+--root "$R"} "$@" > out.txt 2>&1
	RC=$?
	norm '  | ' < out.txt
	echo "  exit $RC"
}
sysw() { printf '$ write %s <- "%s": ' "$1" "$2"; "$KTEST" write "$R$1" "$2"; }
rd() { eval "$1=?"; { read -r "$1" < "$2"; } 2>/dev/null; }
drv() {   # BUS NAME DEVDIR -> DRV
	DRV=none
	for x in "$R/sys/bus/$1/drivers"/*; do
		if [ -e "$x/$2" ]; then DRV=${x##*/}; return; fi
	done
	[ -e "$3/driver" ] && DRV=unknown
}

# summary: what must be the same after the reboot (subchannels' drivers
# and overrides, active mdevs, the stores)
summary() {
	echo "  summary:"
	for d in "$R"/sys/bus/css/devices/*; do
		s=${d##*/}; drv css "$s" "$d"; rd ovr "$d/driver_override"
		echo "    sch $s driver=$DRV override=$ovr"
	done
	for m in "$R"/sys/bus/mdev/devices/*; do
		[ -e "$m" ] || [ -L "$m" ] || continue
		u=${m##*/}; p=?
		for d in "$R"/sys/bus/css/devices/*; do [ -e "$d/$u" ] && p=${d##*/}; done
		echo "    mdev $u parent=$p active"
	done
	for f in "$R"/etc/mdevctl.d/*/* "$R"/etc/driverctl.d/*; do
		[ -f "$f" ] || continue
		echo "    ${f#"$R"}: $(tr -d ' \n' < "$f")"
	done
}
state() {
	echo "  state:"
	for d in "$R"/sys/bus/css/devices/*; do
		s=${d##*/}; drv css "$s" "$d"; sdrv=$DRV
		rd busid "$d/dev_busid"; c=$R/sys/bus/ccw/devices/$busid
		if [ -e "$c" ]; then rd online "$c/online"; ccw="ccw $busid online=$online"; else ccw="ccw $busid absent"; fi
		echo "    sch $s driver=$sdrv $ccw"
	done
	n=0
	for f in "$R"/dev/vfio/*; do case ${f##*/} in vfio|'*') ;; *) n=$((n + 1));; esac; done
	echo "    /dev/vfio groups: $n"
}

U1=7e270a25-e163-4922-af60-757fc8ed48c6
U2=11111111-2222-3333-4444-555555555555
U3=5c6a4f9b-0d1e-4a2b-9c3d-7e8f90a1b2c3
mdevxml() {   # FILE PARENT UUID START
	cat > "$1" <<EOF
<device>
  <parent>$2</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>$3</uuid>
    <start type='$4'/>
  </capability>
</device>
EOF
}

echo "reboot scenario, boot $PHASE: kernel ${KERNEL_SERIES:-?}"
if [ "$PHASE" = 1 ]; then
	step "persistent bindings and definitions"
	sysw /sys/bus/ccw/devices/0.0.0006/online 0
	vc nodedev-detach --persistent css_0_0_0001
	check "0.0.0001 detached persistently" test $RC = 0
	vc nodedev-detach --persistent --force css_0_0_0003
	check "0.0.0003 detached persistently" test $RC = 0
	mdevxml m1.xml css_0_0_0001 $U1 auto
	vc nodedev-define m1.xml
	mdevxml m2.xml css_0_0_0003 $U2 manual
	vc nodedev-define m2.xml
	# a start=auto definition whose parent has no persistent binding: it
	# must stay down at boot, without a failed attempt
	mdevxml m3.xml css_0_0_0005 $U3 auto
	vc nodedev-define m3.xml
	vc nodedev-start mdev_7e270a25_e163_4922_af60_757fc8ed48c6_0_0_0001
	check "the autostart mdev runs" test -e "$R/sys/bus/mdev/devices/$U1"
	state
	step "the state a reboot must bring back"
	summary
	echo
	echo "reboot scenario: $NP checks passed, $NF failed"
	exit 0
fi

# ---------------------------------------------------------------- boot 2
step "after the reboot, before any uevent reached virtccw"
state
summary
check "every subchannel on io_subchannel" \
	test "$(for d in "$R"/sys/bus/css/devices/*; do drv css "${d##*/}" "$d"; echo $DRV; done | sort -u)" = io_subchannel

if [ -n "${VIRTCCWD:-}" ]; then
	"$VIRTCCWD" ${R:+--root "$R"} --socket "$T/d.sock" --no-socket-ro --no-autostart \
		--foreground >virtccwd.log 2>&1 &
	DPID=$!
	i=0; while [ ! -S d.sock ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	check "virtccwd listens (without autostart of its own)" test -S d.sock
	"$KTEST" nodedev-events "$T/d.sock" "$T/nev.txt" "$T/nev.ready" 300 &
	EPID=$!
	i=0; while [ ! -e nev.ready ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	check "an event client is registered" test -e nev.ready
fi

if [ -n "$R" ]; then SOURCE=$R/.simhost/events; else SOURCE=netlink; fi
"$KTEST" udev-run "${R:-/}" "$SOURCE" "$T/udev.log" "$VIRTCCW" 2>udev-run.err &
UPID=$!
i=0; while [ ! -e udev.log.ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
: >> udev.log

# settle: until the rule's program is idle: none running (udev.log.busy)
# and no new uevent for 2 s (TCG is slow), at most about 240 s
settle() {
	i=0; a=$(wc -c < udev.log)
	while [ $i -lt 120 ]; do
		sleep 2; b=$(wc -c < udev.log)
		[ "$a" = "$b" ] && [ ! -e udev.log.busy ] && return 0
		a=$b; i=$((i + 1))
	done
	echo "udev-run did not settle"
}
# shown: the rule's runs (their order across devices is not reproducible:
# sorted) and the uevents of interest, sorted likewise
NL=0
show_runs() {
	n=$(wc -l < udev.log)
	sed -n "$((NL + 1)),${n}p" udev.log > new.log
	NL=$n
	echo "  runs of the rule's program:"
	grep '^RUN ' new.log | sort | norm '    '
	echo "  uevents:"
	grep '^UEVENT: ' new.log | grep -v -E '/virtio[0-9]|SUBSYSTEM=(block|bdi|virtio)( |$)' |
		sed 's/^UEVENT: //' | norm '    ' | sort
}

step "coldplug: every subchannel's add uevent again (udevadm trigger --action=add)"
for d in "$R"/sys/bus/css/devices/*; do "$KTEST" write "$d/uevent" add > /dev/null; done
settle
show_runs
state
summary
check "0.0.0001 bound to vfio_ccw at boot (persistent binding)" test -e "$R/sys/bus/css/drivers/vfio_ccw/0.0.0001"
check "0.0.0003 bound to vfio_ccw at boot (persistent binding)" test -e "$R/sys/bus/css/drivers/vfio_ccw/0.0.0003"
check "0.0.0005 left on io_subchannel (no persistent binding)" test -e "$R/sys/bus/css/drivers/io_subchannel/0.0.0005"
check "$U1 (start=auto) started" test -e "$R/sys/bus/mdev/devices/$U1"
check "$U2 (start=manual) not started" test ! -e "$R/sys/bus/mdev/devices/$U2"
check "$U3 (start=auto, parent not bound) not started" test ! -e "$R/sys/bus/mdev/devices/$U3"
check "started once" test "$(grep -c "mdev $U1 started" udev.log)" = 1
check "no failed attempt" test "$(grep '^RUN ' udev.log | grep -c -v ': exit 0:')" = 0

if [ -n "${VIRTCCWD:-}" ]; then
	i=0
	while ! grep -qx "mdev_7e270a25_e163_4922_af60_757fc8ed48c6_0_0_0001 created" nev.txt 2>/dev/null &&
		[ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	for e in "ccw_0_0_0006 deleted" "ccw_0_0_0008 deleted" \
		"mdev_7e270a25_e163_4922_af60_757fc8ed48c6_0_0_0001 created"; do
		check "virtccwd event: $e" grep -qx "$e" nev.txt
	done
	sleep 1
	kill $EPID $DPID 2>/dev/null; wait $EPID $DPID 2>/dev/null
	echo "  virtccwd's events (sorted):"
	sort nev.txt | sed 's/^/  | /'
fi

step "coldplug again (a second udevadm trigger): nothing to do"
for d in "$R"/sys/bus/css/devices/*; do "$KTEST" write "$d/uevent" add > /dev/null; done
settle
show_runs
check "the second coldplug started nothing and failed nothing" \
	test "$(grep '^RUN ' new.log | grep -c -v ': exit 0: *$')" = 0
summary
kill $UPID 2>/dev/null; wait $UPID 2>/dev/null
echo
echo "reboot scenario: $NP checks passed, $NF failed"
