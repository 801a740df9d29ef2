#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fetch-libvirt-schemas.sh - put Debian 13's libvirt RelaxNG schemas (libvirt
# 11.3, package libvirt-common) where tests/nodedevxml2xmltest looks for them.
#
# The schemas are LGPL; they are read and validated against at test time and
# never copied into the tree. apt-get runs with a private configuration and
# state under the cache directory: the host's apt sources are not touched.
#
# usage: scripts/fetch-libvirt-schemas.sh [DEST]
#   DEST default: ${XDG_CACHE_HOME:-$HOME/.cache}/virtccw-libvirt/trixie
#   (the schemas end up in DEST/schemas; DEST/VERSION names the package)
set -euo pipefail
dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/virtccw-libvirt/trixie}
if [ -f "$dest/schemas/nodedev.rng" ] && [ -z "${FORCE:-}" ]; then
    echo "libvirt schemas already in $dest/schemas ($(cat "$dest/VERSION" 2>/dev/null))"
    exit 0
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo "fetch-libvirt-schemas.sh: $keyring missing (debian-archive-keyring)" >&2; exit 1; }
apt=$dest/apt
mkdir -p "$apt"/etc/apt/{sources.list.d,preferences.d,apt.conf.d} "$apt"/state/lists/partial \
         "$apt"/cache/archives/partial "$apt"/dl
echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" > "$apt/etc/apt/sources.list"
touch "$apt/state/status"
opts=(-o "Dir::Etc=$apt/etc/apt" -o "Dir::State=$apt/state" -o "Dir::State::status=$apt/state/status"
      -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root -qq)
apt-get "${opts[@]}" update
rm -f "$apt"/dl/*.deb
(cd "$apt/dl" && apt-get "${opts[@]}" download libvirt-common)
deb=$(ls "$apt"/dl/libvirt-common_*.deb)
rm -rf "$apt/x" "$dest/schemas"
dpkg-deb -x "$deb" "$apt/x"
mkdir -p "$dest"
cp -r "$apt/x/usr/share/libvirt/schemas" "$dest/schemas"
basename "$deb" .deb > "$dest/VERSION"
rm -rf "$apt/x" "$apt/dl"
echo "libvirt schemas of $(cat "$dest/VERSION") in $dest/schemas"
