#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package, as an admin gets it (issue 13): build it with
# dpkg-buildpackage, check it with lintian, install it with apt, use it
# (the demo and the boot-time udev program against the simulated host,
# with the installed binaries), remove it, purge it, and check that
# nothing of virtccw is left while the admin's /etc/mdevctl.d and
# /etc/driverctl.d are untouched.
#
#   scripts/fresh-root.sh bookworm tests/package-test.sh
#   scripts/fresh-root.sh trixie tests/package-test.sh
#
# Runs as root in a fresh, disposable root (it installs packages and
# writes to /etc); refuses to run elsewhere unless VIRTCCW_PACKAGE_TEST_HOST=1.
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
# Missing prerequisites (FUSE, apt) are failures, never skips.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
NP=0; NF=0
pass() { NP=$((NP + 1)); echo "PASS: $*"; }
fail() { NF=$((NF + 1)); echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
finish() { echo "$NP passed, $NF failed"; [ "$NF" = 0 ]; exit; }
die() { fail "$*"; finish; }

[ "$(id -u)" = 0 ] || die "must run as root (in a fresh root: scripts/fresh-root.sh DIST $0)"
if [ ! -e /src/virtccw ] && [ "${VIRTCCW_PACKAGE_TEST_HOST:-}" != 1 ]; then
	die "not in a fresh root (scripts/fresh-root.sh); set VIRTCCW_PACKAGE_TEST_HOST=1 to run here anyway"
fi
. /etc/os-release
DIST=${VERSION_CODENAME:-unknown}
W=$(mktemp -d /tmp/vccw-pkg.XXXXXX)
LOG=$W/log; mkdir -p "$LOG"
echo "package test on Debian $VERSION_ID ($DIST), work dir $W"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- build
apt-get update -qq >"$LOG/apt-update.log" 2>&1 || die "apt-get update (see $LOG/apt-update.log)"
apt-get install -y -qq --no-install-recommends dpkg-dev lintian build-essential \
	>"$LOG/apt-tools.log" 2>&1 || die "installing dpkg-dev, lintian (see $LOG/apt-tools.log)"
# the build (and so the .deb) happens in a copy: the source stays clean
mkdir -p "$W/src/virtccw"
(cd "$SRC" && tar --exclude='./build*' --exclude='./obj-*' --exclude=./.git -cf - .) |
	tar -xf - -C "$W/src/virtccw" || die "copying the source"
(cd "$W/src/virtccw" && apt-get build-dep -y -qq ./) >"$LOG/apt-build-dep.log" 2>&1 ||
	die "apt-get build-dep (see $LOG/apt-build-dep.log)"
pass "build dependencies from debian/control installed"
# The package's own build-time tests run as on a Debian buildd: without
# CI=true, so the peer corpus beside the checkout (../shared, which a
# source package does not carry) is optional there; CI runs it in test.sh.
(cd "$W/src/virtccw" && env -u CI dpkg-buildpackage -us -uc -b) >"$LOG/build.log" 2>&1 ||
	{ tail -30 "$LOG/build.log"; die "dpkg-buildpackage -us -uc -b (see $LOG/build.log)"; }
DEB=$(ls "$W"/src/virtccw_*.deb 2>/dev/null | grep -v dbgsym | head -1)
[ -n "$DEB" ] || die "dpkg-buildpackage made no virtccw_*.deb"
pass "dpkg-buildpackage -us -uc -b: ${DEB##*/}"

# ---------------------------------------------------------------- lintian
lintian --tag-display-limit 0 "$DEB" >"$LOG/lintian.txt" 2>&1
nerr=$(grep -c '^E: ' "$LOG/lintian.txt")
echo "lintian ($(lintian --version)):"; sed 's/^/    /' "$LOG/lintian.txt"
check "lintian: no errors ($nerr)" test "$nerr" = 0
# the binary links GLib's and json-c's archives (debian/rules): the
# sources it took
BU=$(dpkg-deb -f "$DEB" Built-Using)
# (dpkg sorts the field; each entry is "SOURCE (= VERSION)")
bu_ok=0
for src in glib2.0 pcre2 json-c; do
	echo ", $BU," | grep -Eq ", ${src//./\\.} \(= [^)]+\)," || bu_ok=1
done
check "Built-Using names GLib, pcre2 and json-c at their versions ($BU)" test "$bu_ok" = 0

# ---------------------------------------------------------------- install
# The admin's own files, which the package must never touch.
mkdir -p /etc/mdevctl.d/0.0.0003 /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers \
	/etc/driverctl.d /etc/libvirt/hooks
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "auto",\n  "attrs": []\n}' \
	> /etc/mdevctl.d/0.0.0003/90c6c135-ad44-41d0-b1b7-bae47de48627
printf 'vfio_ccw\n' > /etc/driverctl.d/css-0.0.0003
printf '#!/bin/sh\n# the admin'"'"'s own hook\nexit 0\n' > /etc/libvirt/hooks/qemu
chmod 755 /etc/libvirt/hooks/qemu
snap_admin() { (cd /etc && find mdevctl.d driverctl.d libvirt/hooks/qemu -printf '%p %m %s\n' | sort &&
	find mdevctl.d driverctl.d libvirt/hooks/qemu -type f -exec md5sum {} + | sort); }
snap_admin > "$W/admin.before"
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /src -o -path "$W" -o -path /tmp \
	-o -path /var/cache/apt -o -path /var/lib/apt/lists \) -prune -o -print 2>/dev/null | sort > "$W/files.before"

cp "$DEB" "$W/"
(cd "$W" && apt-get install -y -qq "./${DEB##*/}") >"$LOG/apt-install.log" 2>&1 ||
	{ cat "$LOG/apt-install.log"; die "apt install ./${DEB##*/}"; }
pass "apt install ./${DEB##*/}"
for f in /usr/bin/virtccw /usr/sbin/virtccwd /usr/bin/virtccw-simhost /usr/bin/virtccw-qemucaps; do
	check "installed: $f" test -x "$f"
done
needed=$(readelf -d /usr/bin/virtccw | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "the installed virtccw links GLib and json-c static (NEEDED: $needed)" \
	sh -c "echo '$needed' | grep -q 'libc\.so' && ! echo '$needed' | grep -Eq 'libglib|libjson-c'"
MODULE=$(dpkg -L virtccw | grep '/virtccw/virtccw-commands\.so$')
check "installed: virtccw's commands module ($MODULE), and virtccw loads it" \
	sh -c "test -f '$MODULE' && virtccw --help | grep -q domxml-to-native"
check "installed: the libvirt hook /etc/libvirt/hooks/qemu.d/virtccw (executable)" \
	test -x /etc/libvirt/hooks/qemu.d/virtccw
check "the hook is a conffile" grep -qx ' */etc/libvirt/hooks/qemu.d/virtccw [0-9a-f]*' \
	<(dpkg-query -W -f='${Conffiles}\n' virtccw)
RULES=$(dpkg -L virtccw | grep '/udev/rules.d/85-virtccw.rules$')
check "installed: the udev rule ($RULES)" test -f "$RULES"
UNITDIR=$(dirname "$(dpkg -L virtccw | grep '/systemd/system/virtccwd.service$')")
check "installed: virtccwd.service, virtccwd.socket ($UNITDIR)" test -f "$UNITDIR/virtccwd.socket"
for m in virtccw.1 virtccwd.8; do
	check "installed: man page $m" test -n "$(dpkg -L virtccw | grep "/usr/share/man/.*/$m.gz$")"
done
check "installed: docs/install.rst in /usr/share/doc/virtccw" \
	test -e /usr/share/doc/virtccw/install.rst -o -e /usr/share/doc/virtccw/install.rst.gz
check "installed: schemas in /usr/share/virtccw" test -n "$(dpkg -L virtccw | grep '^/usr/share/virtccw/.*\.rng$')"
check "virtccwd.socket enabled on install (as Debian's libvirt does with its sockets)" \
	test -L /etc/systemd/system/sockets.target.wants/virtccwd.socket
check "virtccwd.service not enabled (it starts on the first client)" \
	test ! -e /etc/systemd/system/multi-user.target.wants/virtccwd.service
check "the admin's /etc/libvirt/hooks/qemu untouched" \
	grep -q "the admin's own hook" /etc/libvirt/hooks/qemu

# ---------------------------------------------------------------- units, rules
apt-get install -y -qq --no-install-recommends systemd udev fuse3 >"$LOG/apt-systemd.log" 2>&1 ||
	fail "installing systemd, udev, fuse3 (see $LOG/apt-systemd.log)"
if systemd-analyze verify "$UNITDIR/virtccwd.socket" "$UNITDIR/virtccwd.service" >"$LOG/verify.txt" 2>&1 &&
	! grep -v '^$' "$LOG/verify.txt" | grep -q .; then
	pass "systemd-analyze verify virtccwd.socket virtccwd.service: no complaints"
else
	sed 's/^/    /' "$LOG/verify.txt"
	fail "systemd-analyze verify virtccwd.socket virtccwd.service"
fi
if udevadm verify --help >/dev/null 2>&1; then
	if udevadm verify "$RULES" >"$LOG/udev-verify.txt" 2>&1; then
		pass "udevadm verify $RULES: $(tail -1 "$LOG/udev-verify.txt")"
	else
		sed 's/^/    /' "$LOG/udev-verify.txt"
		fail "udevadm verify $RULES"
	fi
else
	echo "(udevadm $(udevadm --version) has no verify: Debian 13's systemd 254+ checks the rules)"
fi

# ---------------------------------------------------------------- use it
case $DIST in
bookworm) QEMU=qemu-system-misc;;
*) QEMU=qemu-system-s390x;;
esac
apt-get install -y -qq --no-install-recommends $QEMU >"$LOG/apt-qemu.log" 2>&1 ||
	fail "installing $QEMU (see $LOG/apt-qemu.log)"
check "/dev/fuse is there (the simulated host needs it)" test -c /dev/fuse
if (cd "$SRC" && VIRTCCW_DEMO_BINDIR=/usr/bin scripts/demo.sh) >"$LOG/demo.txt" 2>&1 &&
	! grep -q 'no FUSE here' "$LOG/demo.txt" && grep -q "domain-prepare" "$LOG/demo.txt"; then
	pass "the demo with the installed binaries ($(wc -l < "$LOG/demo.txt") lines, simulated host included)"
else
	tail -30 "$LOG/demo.txt" | sed 's/^/    /'
	fail "the demo with the installed binaries (see $LOG/demo.txt)"
fi

# The boot story, with the installed program, on a simulated host whose
# /etc holds a persistent binding and a start=auto definition: the add
# uevent of the subchannel (coldplug), then the change uevent the binding
# causes, delivered as the installed rule passes them.
SIM=$W/sim; mkdir -p "$SIM/mnt" "$SIM/back/etc/mdevctl.d/0.0.0001" "$SIM/back/etc/driverctl.d"
printf 'vfio_ccw\n' > "$SIM/back/etc/driverctl.d/css-0.0.0001"
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "auto",\n  "attrs": []\n}' \
	> "$SIM/back/etc/mdevctl.d/0.0.0001/7e270a25-e163-4922-af60-757fc8ed48c6"
if virtccw-simhost --layout qemu --subchannels 6 --backing "$SIM/back" "$SIM/mnt"; then
	ev() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin VIRTCCW_ROOT="$SIM/mnt" "$@"; }
	# driverctl's and mdevctl's rules in charge: the rule passes these
	ev ACTION=add SUBSYSTEM=css DEVPATH=/devices/css0/0.0.0001 virtccw udev-event --no-bind --no-start \
		>"$LOG/udev-event-no.txt" 2>&1
	check "udev-event --no-bind --no-start: exit 0, nothing done" \
		test $? = 0 -a ! -s "$LOG/udev-event-no.txt" -a \
		"$(basename "$(readlink "$SIM/mnt/sys/bus/css/devices/0.0.0001/driver")")" = io_subchannel
	ev ACTION=add SUBSYSTEM=css DEVPATH=/devices/css0/0.0.0001/../../../etc virtccw udev-event --bind --start \
		>"$LOG/udev-event-bad.txt" 2>&1
	check "udev-event refuses a name that is no subchannel id" \
		test $? = 1 -a -n "$(grep "invalid subchannel id 'etc'" "$LOG/udev-event-bad.txt")"
	ev ACTION=add SUBSYSTEM=css DEVPATH=/devices/css0/0.0.0001 virtccw udev-event --bind --start \
		>"$LOG/udev-event.txt" 2>&1
	check "udev-event (add): exit 0" test $? = 0
	ev ACTION=change MDEV_STATE=registered SUBSYSTEM=css DEVPATH=/devices/css0/0.0.0001 \
		virtccw udev-event --bind --start >>"$LOG/udev-event.txt" 2>&1
	check "udev-event (change, registered): exit 0" test $? = 0
	sed 's/^/    /' "$LOG/udev-event.txt"
	check "subchannel 0.0.0001 bound to vfio_ccw from /etc/driverctl.d" \
		test "$(basename "$(readlink "$SIM/mnt/sys/bus/css/devices/0.0.0001/driver")")" = vfio_ccw
	check "the start=auto mdev started, once" \
		test "$(grep -c 'started on' "$LOG/udev-event.txt")" = 1 -a -e "$SIM/mnt/sys/bus/mdev/devices/7e270a25-e163-4922-af60-757fc8ed48c6"
	fusermount3 -u "$SIM/mnt"
else
	fail "virtccw-simhost did not mount"
fi

# ---------------------------------------------------------------- remove
apt-get remove -y -qq virtccw >"$LOG/apt-remove.log" 2>&1 || fail "apt-get remove virtccw (see $LOG/apt-remove.log)"
check "removed: /usr/bin/virtccw gone" test ! -e /usr/bin/virtccw
check "removed: the udev rule gone" test ! -e "$RULES"
check "removed: state config-files" test "$(dpkg-query -W -f='${db:Status-Status}' virtccw 2>/dev/null)" = config-files
# the kept conffile must not stop guests from starting
echo '<domain/>' | /etc/libvirt/hooks/qemu.d/virtccw guest prepare begin - >"$LOG/hook-after-remove.txt" 2>&1
check "removed: the kept hook is inert (exit 0, no output)" \
	test $? = 0 -a ! -s "$LOG/hook-after-remove.txt"

# ---------------------------------------------------------------- purge
apt-get purge -y -qq virtccw >"$LOG/apt-purge.log" 2>&1 || fail "apt-get purge virtccw (see $LOG/apt-purge.log)"
check "purged: dpkg knows no virtccw" test -z "$(dpkg-query -W -f='${db:Status-Status}' virtccw 2>/dev/null)"
# (packages installed for the test itself add files too: only virtccw's
# count. Not ours: the kernel suite's cache fresh-root.sh binds in, and
# man-db's cache of formatted pages, which "man virtccwd" (systemd-analyze
# verify checks the unit's Documentation=) fills and man-db cleans itself.)
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /src -o -path "$W" -o -path /tmp \
	-o -path /var/cache/apt -o -path /var/lib/apt/lists \) -prune -o -print 2>/dev/null | sort > "$W/files.after"
comm -13 "$W/files.before" "$W/files.after" | grep -i virtccw > "$W/left.txt"
# (and anything named virtccw anywhere, also where the snapshots do not
# look, unless it was there before the package came: the schemas and
# kernels test.sh fetched into ~/.cache belong to the tests, not to it)
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /src -o -path "$W" -o -path /tmp \
	-o -path /root/.cache/virtccw-kernel \) -prune -o -iname '*virtccw*' -print 2>/dev/null |
	sort | comm -23 - "$W/files.before" >> "$W/left.txt"
sed -i -e '\#^/var/cache/apt/archives/#d' -e '\#^/var/cache/man/#d' -e '\#^/root/.cache/virtccw-kernel#d' "$W/left.txt"
[ -e /run/virtccw ] && echo /run/virtccw >> "$W/left.txt"
if [ -s "$W/left.txt" ]; then
	sort -u "$W/left.txt" | sed 's/^/    left: /'
	fail "purged: something of virtccw is left"
else
	pass "purged: nothing of virtccw left (files, conffile hook, units, enablement links, /run/virtccw)"
fi
snap_admin > "$W/admin.after"
if diff -u "$W/admin.before" "$W/admin.after"; then
	pass "purged: /etc/mdevctl.d, /etc/driverctl.d and the admin's /etc/libvirt/hooks/qemu untouched"
else
	fail "purged: the admin's files changed"
fi
rm -rf "$W/src"
finish
