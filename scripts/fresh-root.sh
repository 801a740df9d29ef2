#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run a command in a fresh Debian root, as a new user's machine would be.
#
#   scripts/fresh-root.sh DIST CMD...        DIST: bookworm (Debian 12) | trixie (Debian 13)
#
# The root is unpacked from a base made by mmdebstrap (--variant=apt: Debian's
# essential packages and apt, nothing of ours), cached per distribution and
# week in $VIRTCCW_CACHE/roots. Into it go: a copy of this checkout's source
# (tracked and untracked files that git does not ignore) at /src/virtccw, and
# ../shared read-only at /src/shared. Shared with the host, because they are
# downloads keyed by version: apt's .deb archive and the kernel suite's cache
# (~/.cache/virtccw-kernel). Installed packages are never shared: whatever the
# command needs, the project's own scripts install in the root.
#
# CMD runs with bash -c in /src/virtccw as root, with a clean environment
# (PATH, HOME, TERM, CI and the variables in FRESH_ROOT_PASS), in private
# mount and pid namespaces: proc, sys, dev (rbind) and tmpfs /run, /tmp. When
# CMD ends, every process it left is ended with the pid namespace, and the
# root is deleted. Exit status: CMD's.
#
# FRESH_ROOT_DIR=DIR keeps the root in DIR across calls (made on first use,
# packages stay installed, the source is synced each time): for iteration
# only, never in CI.
set -euo pipefail

usage() { echo "usage: $0 bookworm|trixie CMD..." >&2; exit 2; }
[ $# -ge 2 ] || usage
dist=$1; shift
case "$dist" in bookworm|trixie) ;; *) usage ;; esac
cmd="$*"

top=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$top/../shared" 2>/dev/null && pwd) || shared=
cache=${VIRTCCW_CACHE:-$HOME/.cache}
[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (mounts, chroot)" >&2; exit 1; }

need() {   # tool package
  command -v "$1" >/dev/null 2>&1 && return
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
}
need mmdebstrap mmdebstrap
need rsync rsync

# The base: one tarball per distribution and ISO week, so a stale mirror
# snapshot does not live for ever.
mkdir -p "$cache/roots" "$cache/virtccw-kernel"
base="$cache/roots/$dist-$(date +%G-W%V).tar"
if [ ! -s "$base" ]; then
  echo "fresh-root: mmdebstrap $dist (once a week)" >&2
  rm -f "$cache/roots/$dist"-*.tar
  mmdebstrap --quiet --variant=apt --format=tar \
    --include=ca-certificates "$dist" "$base.tmp" ||
    { rm -f "$base.tmp"; echo "fresh-root: mmdebstrap $dist failed" >&2; exit 1; }
  mv "$base.tmp" "$base"
fi

if [ -n "${FRESH_ROOT_DIR:-}" ]; then
  root=$FRESH_ROOT_DIR; keep=1
else
  root=$(mktemp -d "${TMPDIR:-/var/tmp}/virtccw-root-$dist.XXXXXX"); keep=0
fi
cleanup() { [ "$keep" = 1 ] || rm -rf --one-file-system "$root"; }
trap cleanup EXIT
if [ ! -e "$root/etc/debian_version" ]; then
  mkdir -p "$root"
  tar -C "$root" -xf "$base"
fi

# apt's downloads: hard links in from the host's archive, new ones back out
# afterwards (a copy each, not a shared directory: roots running side by side
# would fight over apt's archive lock).
archives=/var/cache/apt/archives
mkdir -p "$root$archives/partial"
find "$archives" -maxdepth 1 -name '*.deb' -exec cp -l -n -t "$root$archives/" {} + 2>/dev/null ||
  find "$archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$root$archives/" {} +
save_debs() {
  find "$root$archives" -maxdepth 1 -name '*.deb' -newer "$root/src/.synced" \
    -exec cp -n -t "$archives/" {} + 2>/dev/null || true
}

# The source: what git would commit, as it is in the work tree now.
mkdir -p "$root/src/virtccw" "$root/src/shared"
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
  rsync -a --delete --from0 --files-from=- "$top/" "$root/src/virtccw/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
touch "$root/src/.synced"

env_pass=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
          HOME=/root TERM=dumb LANG=C.UTF-8 "CI=${CI:-}")
for v in ${FRESH_ROOT_PASS:-}; do env_pass+=("$v=${!v:-}"); done

# Inside the new namespaces: mounts, then chroot. The pid namespace's init is
# this shell; when it exits, everything started inside is killed.
inner=$(cat <<'EOF'
set -e
root=$1 shared=$2 cache=$3; shift 3
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"; mount --make-rslave "$root/dev"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root/root/.cache/virtccw-kernel"
mount --bind "$cache/virtccw-kernel" "$root/root/.cache/virtccw-kernel"
if [ -n "$shared" ]; then
  mount --bind "$shared" "$root/src/shared"
  mount -o remount,bind,ro "$root/src/shared"
fi
# apt inside keeps its downloads in the shared archive
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > "$root/etc/apt/apt.conf.d/01keep-debs"
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
chroot "$root" /usr/bin/env -i "$@"
EOF
)
set +e
unshare --mount --pid --fork --propagation private \
  bash -c "$inner" inner "$root" "$shared" "$cache" \
  "${env_pass[@]}" /bin/bash -c "cd /src/virtccw && $cmd"
rc=$?
save_debs
exit $rc
