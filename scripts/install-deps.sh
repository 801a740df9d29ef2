#!/usr/bin/env bash
# Install the Debian 12 packages virtccw builds, tests and demos with.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev
  libglib2.0-dev libjson-c-dev libxml2-dev libxml2-utils
  libfuse3-dev fuse3
  qemu-system-misc qemu-system-x86
  mdevctl libvirt-clients python3-libvirt
)
# Debian packaging: debian/, tests/package-test.sh
packages+=(debhelper dpkg-dev lintian)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
