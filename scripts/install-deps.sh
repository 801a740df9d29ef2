#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages virtccw builds, tests and demos with, on
# Debian 12 (bookworm) or Debian 13 (trixie): everything any test uses,
# so that under CI=true no test lacks a prerequisite.
# Idempotent: installs only what is missing. Needs root (or sudo).
#
# libvirt's daemon (for the hook test, tests/hostdev, group libvirt) is
# installed but never left running: the installation runs under a
# policy-rc.d that forbids starting services; the test starts its own
# libvirtd in a private mount namespace and stops it.
set -euo pipefail

# what both releases call alike
packages=(
  meson ninja-build pkg-config gcc clang llvm
  libglib2.0-dev libjson-c-dev libxml2-dev libxml2-utils
  libfuse3-dev fuse3 util-linux python3
  qemu-system-x86
  mdevctl libvirt-clients python3-libvirt
  libvirt-daemon libvirt-daemon-driver-qemu
  iwyu liburing-dev
)
# Debian packaging: debian/, tests/package-test.sh
packages+=(debhelper dpkg-dev lintian)

# what differs: the clang runtime (libFuzzer, sanitizers) is versioned like
# Debian's default clang; Debian 12 has qemu-system-s390x in qemu-system-misc,
# Debian 13 in its own package; Debian 12 keeps libvirtd's configuration
# (/etc/libvirt/qemu.conf, /etc/libvirt/hooks/) in libvirt-daemon-system,
# Debian 13 in libvirt-daemon and libvirt-daemon-driver-qemu, and has its
# node-device driver (tests/rpc/libvirtd-coexist.sh) in a package of its own.
. /etc/os-release
case "${VERSION_CODENAME:-}:${VERSION_ID:-}" in
  bookworm:*|*:12)  packages+=(libclang-rt-14-dev qemu-system-misc libvirt-daemon-system) ;;
  trixie:*|*:13)    packages+=(libclang-rt-19-dev qemu-system-s390x libvirt-daemon-driver-nodedev) ;;
  *) echo "install-deps: ${PRETTY_NAME:-this system} is not Debian 12 or 13;" \
          "install by hand the equivalents of: ${packages[*]}" >&2
     exit 1 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# libvirt 11.3's node-device schema for the ccwgroup checks
# (tests/nodedev-vs-libvirt.md, section 4): Debian 13 installs it; on Debian 12
# fetch Debian 13's into the user's cache (never into the tree)
if ! grep -qs ccwgroup /usr/share/libvirt/schemas/nodedev.rng; then
  "$(dirname "$0")/fetch-libvirt-schemas.sh" >/dev/null ||
    echo "warning: could not fetch libvirt 11.3's schemas (scripts/fetch-libvirt-schemas.sh)" >&2
fi
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq

# No service starts during this installation (libvirtd, virtlogd, ...).
# A policy-rc.d the system already has is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# virtccw install-deps.sh: no service starts while it installs\nexit 101\n' |
    $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
rc=0
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ "$own_policy" = 0 ] || $SUDO rm -f "$policy"
exit $rc
