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
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
