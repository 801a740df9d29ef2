#!/usr/bin/env bash
# regen-in-root.sh - regenerate the reference outputs of one libvirt release in a
# fresh Debian root (scripts/fresh-root.sh), and bring them back into this tree.
#
#   tests/libvirt-reference/regen-in-root.sh bookworm [NAME...]   libvirt 9.0 / QEMU 7.2
#   tests/libvirt-reference/regen-in-root.sh trixie [NAME...]     libvirt 11.3 / QEMU 10.0
#
# Inside the root: Debian's libvirt daemon, virsh and QEMU are installed, then
# regen-reference.sh runs (its log goes to standard error), and for trixie the
# QEMU capabilities are recorded with tools/virtccw-qemucaps. The outputs come
# back as a tar stream on standard output, unpacked here over tests/. Review
# with `git status` and `git diff`. Needs root (fresh-root.sh does); not run by CI.
# FRESH_ROOT_DIR=DIR (see fresh-root.sh) keeps the root for the next run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 bookworm|trixie [NAME...]" >&2; exit 2; }
dist=$1; shift
names=
[ $# -eq 0 ] || names=$(printf ' %q' "$@")
case $dist in
  bookworm) qemu=qemu-system-misc rel= caps= ;;
  trixie)   qemu=qemu-system-s390x rel=libvirt-11.3 caps=10.0.0 ;;
  *) echo "usage: $0 bookworm|trixie [NAME...]" >&2; exit 2 ;;
esac
pkgs="libvirt-daemon-system libvirt-clients $qemu qemu-system-x86"
[ -n "$caps" ] && pkgs="$pkgs meson ninja-build pkg-config gcc libglib2.0-dev libjson-c-dev libxml2-dev libfuse3-dev"

# everything but the tar stream goes to standard error
inner="set -e; exec 3>&1 1>&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
tests/libvirt-reference/regen-reference.sh $names
out=(qemuxml2argvdata qemuxml2xmloutdata)
if [ -n '$rel' ]; then out=(qemuxml2argvdata/$rel qemuxml2xmloutdata/$rel); fi
if [ -n '$caps' ]; then
  meson setup /tmp/b >/dev/null && ninja -C /tmp/b tools/virtccw-qemucaps >/dev/null
  /tmp/b/tools/virtccw-qemucaps record /usr/bin/qemu-system-s390x tests/qemucapsdata/caps_${caps}_s390x.json
  /tmp/b/tools/virtccw-qemucaps record /usr/bin/qemu-system-x86_64 tests/qemucapsdata/caps_${caps}_x86_64.json
  out+=(qemucapsdata/caps_${caps}_s390x.json qemucapsdata/caps_${caps}_x86_64.json)
fi
tar -C tests -cf - \"\${out[@]}\" >&3"
"$top/scripts/fresh-root.sh" "$dist" "$inner" | tar -C "$top/tests" -xf -
echo "outputs unpacked under $top/tests; review with git status / git diff" >&2
