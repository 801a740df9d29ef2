#!/bin/bash
# regen-reference.sh - regenerate virtccw's libvirt reference outputs.
#
# Runs a private libvirtd (libvirt 9.0 on Debian 12 with QEMU 7.2, or libvirt 11.3 on
# Debian 13 with QEMU 10.0; qemu-system-s390x and qemu-system-x86_64 installed) and, for
# every tests/qemuxml2argvdata/NAME.xml, records:
#   ARGV/NAME.args   stdout of `virsh domxml-to-native qemu-argv`, byte-exact
#   ARGV/NAME.err    or the error reason (text after "error: "), one line
#   XOUT/NAME.xml    `virsh define` + `virsh dumpxml --inactive`
#   XOUT/NAME.err    or the define error reason, one line
# where ARGV/XOUT are tests/qemuxml2argvdata and tests/qemuxml2xmloutdata for libvirt 9.0,
# and their subdirectories libvirt-MAJOR.MINOR/ (e.g. libvirt-11.3/) for any other release
# (the release is what the daemon answers to `virsh version --daemon`).
# Not run by CI; needs root (the private daemon runs as root but without systemd).
#
# Usage: tests/libvirt-reference/regen-reference.sh [NAME...]   (default: all inputs)
# Env:   LVREF_DIR   work dir for the private daemon (default /tmp/lvref)
#        LVREF_KEEP=1 leave the daemon running afterwards
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
IN="$TOP/tests/qemuxml2argvdata"
XOUT="$TOP/tests/qemuxml2xmloutdata"
D=${LVREF_DIR:-/tmp/lvref}
URI="qemu+unix:///system?socket=$D/sock/libvirt-sock"
# Plain virsh prints the API's string plus one "\n" (and a blank line after other
# commands); -q drops that extra newline.  The .args files are plain virsh's stdout; the
# dumpxml outputs use -q so that they end with exactly one "</domain>\n".
VIRSH=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root virsh -c "$URI")
VIRSHQ=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root virsh -q -c "$URI")

mkdir -p "$D/sock"

start_daemon() {
    if [ -f "$D/libvirtd.pid" ] && kill -0 "$(cat "$D/libvirtd.pid")" 2>/dev/null; then
        STARTED=0
        return
    fi
    cat > "$D/libvirtd.conf" <<CONF
unix_sock_dir = "$D/sock"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$D/libvirtd.log"
CONF
    # The daemon's environment leaks into the argv (PATH=...), hence env -i.
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
        libvirtd -d -f "$D/libvirtd.conf" -p "$D/libvirtd.pid" || exit 1
    STARTED=1
    # The first connection waits for the capability probe of every qemu-system-* (~25 s).
    for _ in $(seq 1 120); do
        "${VIRSH[@]}" version >/dev/null 2>&1 && return
        sleep 1
    done
    echo "libvirtd did not come up" >&2
    exit 1
}

# virsh prints "error: Failed to ...\nerror: REASON"; keep the last "error: " line's text.
reason() {
    grep '^error: ' "$1" | tail -n 1 | sed 's/^error: //'
}

# <name> of the domain in an input file.
domname() {
    sed -n 's:^  <name>\(.*\)</name>$:\1:p' "$1" | head -n 1
}

start_daemon

# The daemon's release decides where the outputs go: 9.0's at the top, others beside.
REL=$("${VIRSH[@]}" version --daemon | sed -n 's/^Running against daemon: \([0-9]*\.[0-9]*\)\..*/\1/p')
[ -n "$REL" ] || { echo "cannot read the daemon's release" >&2; exit 1; }
if [ "$REL" = 9.0 ]; then
    OUT=$IN
else
    OUT=$IN/libvirt-$REL
    XOUT=$XOUT/libvirt-$REL
fi
mkdir -p "$OUT" "$XOUT"
echo "libvirt $REL: outputs in $OUT and $XOUT"

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$IN"/*.xml; do names+=("$(basename "$f" .xml)"); done
fi

tmp=$(mktemp -d)
for n in "${names[@]}"; do
    x="$IN/$n.xml"
    # a case with NAME.caps runs against capabilities no real QEMU has
    # (tests/virtccw-vs-libvirt.md): libvirt's output would not compare
    if [ -e "$IN/$n.caps" ]; then
        printf '%-45s skipped (has %s.caps)\n' "$n" "$n"
        continue
    fi
    rm -f "$OUT/$n.args" "$OUT/$n.err" "$XOUT/$n.xml" "$XOUT/$n.err"

    if "${VIRSH[@]}" domxml-to-native qemu-argv --xml "$x" >"$tmp/out" 2>"$tmp/err"; then
        cp "$tmp/out" "$OUT/$n.args"
        r1=OK
    else
        reason "$tmp/err" >"$OUT/$n.err"
        r1=ERR
    fi

    dn=$(domname "$x")
    "${VIRSH[@]}" undefine --nvram "$dn" >/dev/null 2>&1
    if "${VIRSH[@]}" define "$x" >/dev/null 2>"$tmp/err"; then
        "${VIRSHQ[@]}" dumpxml --inactive "$dn" >"$XOUT/$n.xml"
        "${VIRSH[@]}" undefine --nvram "$dn" >/dev/null 2>&1 ||
            "${VIRSH[@]}" undefine "$dn" >/dev/null
        r2=OK
    else
        reason "$tmp/err" >"$XOUT/$n.err"
        r2=ERR
    fi
    printf '%-45s argv:%-3s define:%s\n' "$n" "$r1" "$r2"
done
rm -rf "$tmp"

if [ "$STARTED" = 1 ] && [ "${LVREF_KEEP:-0}" != 1 ]; then
    kill "$(cat "$D/libvirtd.pid")"
fi
