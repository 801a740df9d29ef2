#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd-analyze verify on virtccw's units (data/), and udevadm verify on
# its udev rule where udevadm has it (systemd 254+, Debian 13; Debian 12's
# 252 has none: there tests/package-test.sh in a Debian 13 root checks it).
#   tests/units-verify.sh SRCDIR VIRTCCWD
# The units name /usr/sbin/virtccwd and man:virtccwd(8): verified here with
# the program path pointed at the build (VIRTCCWD) and the man page from
# docs/; the installed units are verified as they are by package-test.sh.
# Ends with "N passed, N failed".
set -u
SRC=$1; VIRTCCWD=$(readlink -f "$2")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
NP=0; NF=0
pass() { NP=$((NP + 1)); echo "PASS: $*"; }
fail() { NF=$((NF + 1)); echo "FAIL: $*"; }

if ! command -v systemd-analyze >/dev/null; then
	fail "systemd-analyze not found (package systemd)"
else
	mkdir -p "$T/units" "$T/man/man8"
	cp "$SRC/data/virtccwd.socket" "$T/units/"
	sed "s|^ExecStart=/usr/sbin/virtccwd|ExecStart=$VIRTCCWD|" "$SRC/data/virtccwd.service" > "$T/units/virtccwd.service"
	cp "$SRC/docs/virtccwd.8" "$T/man/man8/"
	if MANPATH=$T/man systemd-analyze verify "$T/units/virtccwd.socket" "$T/units/virtccwd.service" \
		> "$T/out" 2>&1 && [ ! -s "$T/out" ]; then
		pass "systemd-analyze verify virtccwd.socket virtccwd.service"
	else
		sed 's/^/    /' "$T/out"
		fail "systemd-analyze verify virtccwd.socket virtccwd.service"
	fi
	# the drop-in, on the socket
	mkdir -p "$T/units/virtccwd.socket.d"
	cp "$SRC/data/virtccwd-libvirt-sockets.conf" "$T/units/virtccwd.socket.d/libvirt-sockets.conf"
	if MANPATH=$T/man SYSTEMD_UNIT_PATH=$T/units: systemd-analyze verify "$T/units/virtccwd.socket" \
		> "$T/out" 2>&1 && [ ! -s "$T/out" ]; then
		pass "systemd-analyze verify virtccwd.socket with virtccwd-libvirt-sockets.conf"
	else
		sed 's/^/    /' "$T/out"
		fail "systemd-analyze verify virtccwd.socket with virtccwd-libvirt-sockets.conf"
	fi
fi
if udevadm verify --help >/dev/null 2>&1; then
	if udevadm verify "$SRC/data/85-virtccw.rules" > "$T/out" 2>&1; then
		pass "udevadm verify 85-virtccw.rules"
	else
		sed 's/^/    /' "$T/out"
		fail "udevadm verify 85-virtccw.rules"
	fi
else
	echo "(udevadm $(udevadm --version 2>/dev/null) has no verify; Debian 13's package test checks the rule)"
fi
echo "$NP passed, $NF failed"
[ "$NF" = 0 ]
