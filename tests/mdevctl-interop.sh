#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mdevctl-interop.sh - our mdevctl store against Debian's real mdevctl (1.2.0 in
# Debian 12, 1.4.0 in Debian 13; what differs between them is listed below).
#
# Usage: tests/mdevctl-interop.sh MDEVCTLTEST DATADIR
#   MDEVCTLTEST  the built tests/mdevctltest (its "helper" subcommands read and
#                write the store with our code)
#   DATADIR      tests/mdevctldata
#
# mdevctl 1.2.0 has no root option (1.3 has MDEVCTL_ENV_ROOT), so every mdevctl call runs in a private
# mount namespace (unshare -m, or -rm when not root) where the scratch root's
# etc/mdevctl.d is bind-mounted on /etc/mdevctl.d and its sys on /sys.
# (a) definitions we write are listed by mdevctl: `list --defined --dumpjson`
#     equals our own listing byte for byte, single-device dumps equal our
#     files, and mdevctl re-writing our files (modify without changes)
#     leaves them byte-identical;
# (b) definitions mdevctl writes (define, define --jsonfile, modify) are read
#     back by us byte for byte; every def-*.in.json defined by mdevctl gives
#     exactly def-*.out.json; mdevctl refuses every bad-*.json and accepts
#     every reject-*.json, which we skip with the warning in its .err file.
# Prints "N passed, N failed" last. Exit status: 0 ok, 1 failures, 2 usage,
# 77 (meson's skip) when mdevctl or mount namespaces are unavailable
# (1 under CI=true).
set -u

if [ $# -ne 2 ]; then
    sed -n '2,21s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
tst=$1
data=$2
MDEVCTL=${MDEVCTL:-/usr/bin/mdevctl}

# A missing prerequisite skips the test, except under CI=true where
# scripts/install-deps.sh should have provided it: there it fails.
skip() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL: prerequisite missing under CI=true: $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

if [ ! -x "$MDEVCTL" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y mdevctl >/dev/null 2>&1
    fi
    [ -x "$MDEVCTL" ] || skip "mdevctl not installed ($MDEVCTL)"
fi
version=$("$MDEVCTL" --version 2>/dev/null)
echo "using $version"
# Which mdevctl does what (the checks below follow the version found):
#   1.2.0 (Debian 12): `modify` without a change re-writes the file as it is.
#     `list --dumpjson` ends its JSON with a newline; `list` (text) ends
#     with an empty line.
#   1.3.0+ (Debian 13: 1.4.0): `modify` needs a change (--auto, --manual,
#     --addattr, --delattr or --jsonfile); it has --defined, --live and
#     --jsonfile, which libvirt 10.1+ uses for nodedev-update and for
#     nodedev-define of a defined mdev (`modify --defined --jsonfile`).
#     `list --dumpjson` prints its JSON without a final newline; `list`
#     (text) has no empty line at the end.
# The definition files both write are the same bytes.
ver=${version##* }
ver_major=${ver%%.*} ver_rest=${ver#*.}
ver_minor=${ver_rest%%.*}
if [ "${ver_major:-0}" -gt 1 ] || { [ "${ver_major:-0}" = 1 ] && [ "${ver_minor:-0}" -ge 3 ]; }; then
    modify_has_jsonfile=1
else
    modify_has_jsonfile=0
fi
# dumpjson: mdevctl's JSON listing, ending in a newline whatever the version
# (1.3+ leaves it out), so that it compares with our listing and files
dumpjson() {
    mdc list --defined --dumpjson "$@" || return
    [ "$modify_has_jsonfile" = 0 ] || echo
}
[ -d /etc/mdevctl.d ] || skip "/etc/mdevctl.d missing: no mount point for the store"
command -v unshare >/dev/null || skip "unshare not found"
command -v python3 >/dev/null || skip "python3 not found"

if [ "$(id -u)" = 0 ]; then
    ns_opts="-m --propagation private"
else
    ns_opts="-r -m --propagation private"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mdevctl-interop-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
mkdir -p "$root/etc" "$root/sys/bus/mdev/devices" "$root/sys/class/mdev_bus"

# mdevctl inside the namespace; stdout and stderr as mdevctl's, exit status too
mdc() {
    # shellcheck disable=SC2086,SC2016
    unshare $ns_opts sh -c '
        r=$1; shift
        mount --bind "$r/etc/mdevctl.d" /etc/mdevctl.d || exit 125
        mount --bind "$r/sys" /sys || exit 125
        exec "$@"' sh "$root" "$MDEVCTL" "$@"
}

helper() {
    "$tst" helper "$@"
}

# can we bind-mount in a private mount namespace at all?
# shellcheck disable=SC2086,SC2016
out=$(unshare $ns_opts sh -c 'mount --bind "$1" /etc/mdevctl.d && echo yes' sh "$root/etc" 2>&1)
[ "$out" = yes ] || skip "private mount namespaces not permitted: $out"

helper init "$root" || { echo "FAIL helper init"; exit 1; }
out=$(mdc list --defined --dumpjson 2>&1)
rc=$?
if [ $rc != 0 ] || [ "$out" != "[]" ]; then
    echo "FAIL mdevctl on the empty store we created (exit $rc): $out"
    exit 1
fi

# a minimal fake sysfs parent, as mdevctl types would see it
for p in 0.0.0052 0.0.0300; do
    t=$root/sys/class/mdev_bus/$p/mdev_supported_types/vfio_ccw-io
    mkdir -p "$t/devices"
    echo 1 > "$t/available_instances"
    echo vfio-ccw > "$t/device_api"
    echo "I/O subchannel (Non-QDIO)" > "$t/name"
done

passed=0
failed=0
ok() {
    passed=$((passed + 1))
}
fail() {
    failed=$((failed + 1))
    echo "FAIL $*"
}
# same NAME FILE1 FILE2: byte comparison
same() {
    if cmp -s "$2" "$3"; then
        ok
    else
        fail "$1"
        diff -u "$3" "$2" | head -40
    fi
}

uuid_n() {
    printf '%08x-%04x-4%03x-8%03x-%012x\n' $((0x10000000 * ($1 % 15) + $1)) "$1" "$1" "$1" "$1"
}

###########################################################################
# (a) we write, mdevctl reads

echo "== (a) definitions written by virtccw, listed by mdevctl"
bs=\\
helper write "$root" 0.0.0052 "$(uuid_n 3)" vfio_ccw-io auto || fail "write 1"
helper write "$root" 0.0.0052 "$(uuid_n 1)" vfio_ccw-io manual a=1 b=2 a=3 || fail "write 2"
helper write "$root" 0.0.0051 "$(uuid_n 2)" vfio_ccw-io auto || fail "write 3"
helper write "$root" 0.1.abcd "$(uuid_n 3)" vfio_ccw-io manual \
    "quote\"d=back${bs}slash/and/slash" "ctl=$(printf 'x\001\037\b\f\r\t\177y')" \
    "nl=$(printf 'a\nb')" "uni=é 𝄞 $(printf '\342\200\250')" "=" "k=" || fail "write 4"
helper write "$root" 0.0.0100 "$(uuid_n 14)" vfio_ccw-io auto || fail "write 5"
helper write "$root" fe.3.ffff "$(uuid_n 5)" vfio_ccw-io auto x=y || fail "write 6"
n=100
for f in "$data"/def-*.in.json; do
    n=$((n + 1))
    helper write-json "$root" 0.0.0200 "$(uuid_n $n)" "$f" || fail "write-json $f"
done

helper list "$root" > "$scratch/ours.json" 2> "$scratch/ours.err"
dumpjson > "$scratch/theirs.json" 2> "$scratch/theirs.err"
same "list --defined --dumpjson equals ours" "$scratch/theirs.json" "$scratch/ours.json"
[ -s "$scratch/ours.err" ] && fail "our listing warned: $(cat "$scratch/ours.err")"

# the text listing: sorted by parent then uuid, as our JSON says
mdc list --defined > "$scratch/theirs.txt"
python3 - "$scratch/ours.json" "$modify_has_jsonfile" > "$scratch/ours.txt" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for parents in doc:
    for parent, devs in parents.items():
        for dev in devs:
            for uuid, d in dev.items():
                print(uuid, parent, d["mdev_type"], d["start"])
if sys.argv[2] == "0":
    print()  # mdevctl 1.2's println after the text that ends in a newline
PY
same "list --defined (text) order" "$scratch/theirs.txt" "$scratch/ours.txt"

# every file: mdevctl's single-device dump and mdevctl re-writing it
for dir in "$root"/etc/mdevctl.d/*.*.*; do
    p=${dir##*/}
    for file in "$dir"/*; do
        u=${file##*/}
        dumpjson --uuid "$u" --parent "$p" > "$scratch/one.json"
        printf '%s\n' "$(cat "$file")" > "$scratch/file.json"
        same "mdevctl dump of $p/$u" "$scratch/one.json" "$scratch/file.json"
        cp "$file" "$scratch/before"
        if [ "$modify_has_jsonfile" = 1 ]; then
            # 1.3+: the file itself as the new definition, as libvirt
            # 10.1+ sends it for nodedev-update --config
            set -- modify --uuid "$u" --parent "$p" --defined --jsonfile "$scratch/before"
        else
            # 1.2: no change given, mdevctl re-writes what it read
            set -- modify --uuid "$u" --parent "$p"
        fi
        if mdc "$@" 2> "$scratch/err"; then
            same "mdevctl $ver re-writes $p/$u identically ($*)" "$file" "$scratch/before"
        else
            fail "mdevctl $ver $* of $p/$u: $(cat "$scratch/err")"
        fi
    done
done

# removal with our code
u9=$(uuid_n 9)
helper write "$root" 0.0.0052 "$u9" vfio_ccw-io auto || fail "write 9"
if [ "$(mdc list --defined | grep -c "^$u9 ")" = 1 ]; then ok; else fail "mdevctl does not see $u9"; fi
helper remove "$root" 0.0.0052 "$u9" || fail "remove $u9"
if [ "$(mdc list --defined | grep -c "^$u9 ")" = 0 ]; then ok; else fail "mdevctl still sees $u9"; fi

###########################################################################
# (b) mdevctl writes, we read

echo "== (b) definitions written by mdevctl, read by virtccw"
u1=$(uuid_n 201)
u2=$(uuid_n 202)
mdc define --parent 0.0.0300 --uuid "$u1" --type vfio_ccw-io --auto || fail "mdevctl define u1"
mdc define --parent 0.0.0300 --uuid "$u2" --type vfio_ccw-io || fail "mdevctl define u2"
mdc modify --uuid "$u2" --addattr=zeta --value=1 || fail "mdevctl modify addattr"
mdc modify --uuid "$u2" --addattr=alpha --value='q"\/é' || fail "mdevctl modify addattr 2"
mdc modify --uuid "$u2" --addattr=first --value=0 --index=0 || fail "mdevctl modify index"
mdc modify --uuid "$u1" --manual || fail "mdevctl modify manual"
mdc modify --uuid "$u1" --auto || fail "mdevctl modify auto"
# the same uuid under a second parent
mdc define --parent 0.0.0052 --uuid "$u1" --type vfio_ccw-io || fail "mdevctl define u1 twice"

# mdevctl --jsonfile: every def-*.in.json becomes exactly def-*.out.json
n=300
for f in "$data"/def-*.in.json; do
    n=$((n + 1))
    u=$(uuid_n $n)
    name=${f##*/}
    if mdc define --parent 0.0.0300 --uuid "$u" --jsonfile "$f" 2> "$scratch/err"; then
        same "mdevctl define --jsonfile $name = ${name%.in.json}.out.json" \
            "$root/etc/mdevctl.d/0.0.0300/$u" "${f%.in.json}.out.json"
    else
        fail "mdevctl define --jsonfile $name: $(cat "$scratch/err")"
    fi
done

if [ "$modify_has_jsonfile" = 1 ]; then
    # 1.3+: `modify --defined --jsonfile` replaces a stored definition, as
    # libvirt 10.1+ does for nodedev-update --config and for nodedev-define
    # of a defined mdev; each def-*.in.json gives def-*.out.json again
    u3=$(uuid_n 203)
    mdc define --parent 0.0.0300 --uuid "$u3" --type vfio_ccw-io || fail "mdevctl define u3"
    for f in "$data"/def-*.in.json; do
        name=${f##*/}
        if mdc modify --parent 0.0.0300 --uuid "$u3" --defined --jsonfile "$f" 2> "$scratch/err"; then
            same "mdevctl $ver modify --defined --jsonfile $name = ${name%.in.json}.out.json" \
                "$root/etc/mdevctl.d/0.0.0300/$u3" "${f%.in.json}.out.json"
        else
            fail "mdevctl $ver modify --defined --jsonfile $name: $(cat "$scratch/err")"
        fi
    done
    mdc modify --uuid "$u3" --defined --addattr=late --value=9 || fail "mdevctl modify --defined --addattr"
    mdc modify --uuid "$u3" --defined --manual || fail "mdevctl modify --defined --manual"
else
    echo "mdevctl $ver: modify has no --defined/--jsonfile (mdevctl 1.3+); not checked"
fi

for dir in "$root"/etc/mdevctl.d/*.*.*; do
    p=${dir##*/}
    for file in "$dir"/*; do
        u=${file##*/}
        if helper show "$root" "$p" "$u" > "$scratch/show.json" 2> "$scratch/err"; then
            same "we re-emit mdevctl's $p/$u identically" "$scratch/show.json" "$file"
        else
            fail "we cannot read $p/$u: $(cat "$scratch/err")"
        fi
    done
done
helper list "$root" > "$scratch/ours.json" 2> "$scratch/ours.err"
dumpjson > "$scratch/theirs.json"
same "whole store: our list equals mdevctl's" "$scratch/ours.json" "$scratch/theirs.json"
[ -s "$scratch/ours.err" ] && fail "our listing warned: $(cat "$scratch/ours.err")"

# bad-*.json: mdevctl refuses them too (error or panic), nothing is written
n=500
for f in "$data"/bad-*.json; do
    n=$((n + 1))
    u=$(uuid_n $n)
    name=${f##*/}
    mdc define --parent 0.0.0400 --uuid "$u" --jsonfile "$f" >/dev/null 2> "$scratch/err"
    rc=$?
    if [ $rc != 0 ] && [ ! -e "$root/etc/mdevctl.d/0.0.0400/$u" ]; then
        ok
    else
        fail "mdevctl accepts $name (exit $rc)"
    fi
done

# reject-*.json: mdevctl takes them, we skip them with the .err text
n=600
for f in "$data"/reject-*.json; do
    n=$((n + 1))
    u=$(uuid_n $n)
    name=${f##*/}
    if mdc define --parent 0.0.0400 --uuid "$u" --jsonfile "$f" 2> "$scratch/err"; then
        ok
        helper list "$root" > /dev/null 2> "$scratch/ours.err"
        # mdevctl re-formatted the file: byte offsets differ from the .err
        want="warning: skipping /etc/mdevctl.d/0.0.0400/$u: $(sed 's/^internal error: //; s/at byte [0-9]*: //' "${f%.json}.err")"
        if sed 's/at byte [0-9]*: //' "$scratch/ours.err" | grep -qxF "$want"; then
            ok
        else
            fail "our warning for $name: $(cat "$scratch/ours.err")"
        fi
        mdc undefine --uuid "$u" || fail "mdevctl undefine $u"
    else
        fail "mdevctl refuses $name: $(cat "$scratch/err")"
    fi
done

# undefine by mdevctl: gone for us too
mdc undefine --uuid "$u2" || fail "mdevctl undefine u2"
if helper show "$root" 0.0.0300 "$u2" > /dev/null 2>&1; then
    fail "$u2 still listed after mdevctl undefine"
else
    ok
fi
helper list "$root" > "$scratch/ours.json"
dumpjson > "$scratch/theirs.json"
same "after undefine: our list equals mdevctl's" "$scratch/ours.json" "$scratch/theirs.json"

# an empty store: both print []
rm -rf "$root"/etc/mdevctl.d/*.*.*
helper list "$root" > "$scratch/ours.json"
dumpjson > "$scratch/theirs.json"
same "empty store: []" "$scratch/ours.json" "$scratch/theirs.json"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
