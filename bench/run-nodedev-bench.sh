#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Node-device speed: generate static host trees (bench/gen_host_tree) of
# 2,000, 20,000 and 262,144 subchannels on tmpfs, time virtccw against the
# floor, io_uring batching and mdevctl 1.2.0 (bench/bench_nodedev), count
# syscalls per device (strace -c), print a Markdown summary. See
# bench/README.md.
#
#   bench/run-nodedev-bench.sh [-b BUILDDIR] [-k K] [-s "2000 20000 262144"]
#                              [-a 20000] [--cli-sample N] [--no-strace] [--keep DIR]
#
# -a N adds a tree of N subchannels where every non-QDIO I/O subchannel is
# a vfio_ccw parent (gen_host_tree --vfio-every 1: mdevctl's own speed
# anchors have as many parents as subchannels); 0 leaves it out.
#
# Needs root for the private tmpfs and for mdevctl's mount namespace
# (unshare -m, ROOT/sys and ROOT/etc/mdevctl.d bind-mounted on /sys and
# /etc/mdevctl.d: mdevctl 1.2.0 has no root option). Without root it uses
# /dev/shm and skips mdevctl. Warm cache only: the trees are in memory.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build-plain
runs=5
sizes="2000 20000 262144"
allvfio=20000
cli_sample=100
do_strace=1
keep=

while [ $# -gt 0 ]; do
    case $1 in
        -b) build=$(cd "$2" && pwd); shift 2 ;;
        -k) runs=$2; shift 2 ;;
        -s) sizes=$2; shift 2 ;;
        -a) allvfio=$2; shift 2 ;;
        --cli-sample) cli_sample=$2; shift 2 ;;
        --no-strace) do_strace=; shift ;;
        --keep) keep=$2; shift 2 ;;
        *) echo "usage: $0 [-b BUILDDIR] [-k K] [-s SIZES] [-a N] [--cli-sample N] [--no-strace] [--keep DIR]" >&2
           exit 2 ;;
    esac
done

gen=$build/bench/gen_host_tree
bench=$build/bench/bench_nodedev
virtccw=$build/tools/virtccw
for b in "$gen" "$bench" "$virtccw"; do
    [ -x "$b" ] || { echo "missing $b (build with: meson setup BUILDDIR && ninja -C BUILDDIR)" >&2; exit 1; }
done

mem_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# tmpfs + slab cost of a tree, measured at 20,000: ~21 KB per subchannel
need_kb() { echo $(( $1 * 24 )); }

mounted=
work=
cleanup() {
    if [ -n "$work" ] && [ -z "$keep" ]; then
        rm -rf "$work"/h* 2>/dev/null || true
        [ -n "$mounted" ] && umount "$work" 2>/dev/null || true
        rmdir "$work" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

if [ -n "$keep" ]; then
    work=$keep
    mkdir -p "$work"
elif [ "$(id -u)" = 0 ] && work=$(mktemp -d /tmp/nodedev-bench.XXXXXX) &&
     mount -t tmpfs -o "size=$(( $(mem_kb MemAvailable) * 8 / 10 ))k,nr_inodes=0,mode=755" \
         nodedev-bench "$work" 2>/dev/null; then
    mounted=1
else
    [ -n "$work" ] && rmdir "$work" 2>/dev/null
    work=$(mktemp -d /dev/shm/nodedev-bench.XXXXXX)
fi
echo "# trees under $work ($( [ -n "$mounted" ] && echo "private tmpfs" || echo tmpfs))"

mdevctl_bin=$(command -v mdevctl || true)
ns=
if [ "$(id -u)" = 0 ] && [ -n "$mdevctl_bin" ] && [ -d /etc/mdevctl.d ] && command -v unshare >/dev/null; then
    ns=1
    echo "# $("$mdevctl_bin" --version 2>/dev/null | head -1) in a private mount namespace"
else
    echo "# mdevctl skipped (needs root, mdevctl and /etc/mdevctl.d)"
fi
echo "# $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"

rows=$(mktemp)
costs=$(mktemp)
sysc=$(mktemp)
trap 'rm -f "$rows" "$costs" "$sysc"; cleanup' EXIT INT TERM

trees=$sizes
[ "$allvfio" != 0 ] && trees="$trees ${allvfio}v"
for spec in $trees; do
    n=${spec%v}
    vfio_every=8
    label=$n
    if [ "$spec" != "$n" ]; then
        vfio_every=1
        label="$n all-vfio"
    fi
    tree=$work/h$spec
    avail=$(mem_kb MemAvailable)
    if [ "$avail" -lt $(( $(need_kb "$n") * 3 / 2 )) ]; then
        echo "# $n subchannels: skipped, needs ~$(( $(need_kb "$n") / 1024 )) MB, $(( avail / 1024 )) MB available"
        continue
    fi
    if [ ! -d "$tree/sys" ]; then
        s0=$(mem_kb Shmem); l0=$(mem_kb Slab)
        t0=$(date +%s.%N)
        stats=$("$gen" -n "$n" --vfio-every "$vfio_every" "$tree" | tr '\n' ' ')
        t1=$(date +%s.%N)
        s1=$(mem_kb Shmem); l1=$(mem_kb Slab)
        names=$(echo "$stats" | sed -n 's/.* names \([0-9]*\).*/\1/p')
        inodes=$(echo "$stats" | sed -n 's/.* inodes \([0-9]*\).*/\1/p')
        mix=$(echo "$stats" | sed -n 's/.*vfio_ccw \([0-9]*\) active-mdevs \([0-9]*\) definitions \([0-9]*\).*/\1 \2 \3/p')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n' "$label" "$mix" "$names" "$inodes" \
            $(( (s1 - s0) / 1024 )) $(( (l1 - l0) / 1024 )) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >> "$costs"
        echo "# generated $tree: $stats"
    fi
    echo "## $label subchannels"
    sample=$cli_sample
    if [ -n "$ns" ]; then
        unshare -m --propagation private /bin/sh -c '
            mount --bind "$1/sys" /sys && mount --bind "$1/etc/mdevctl.d" /etc/mdevctl.d &&
            exec "$2" -k "$3" --cli "$4" --cli-sample "$5" --mdevctl "$6" --label "$7" "$1"' \
            sh "$tree" "$bench" "$runs" "$virtccw" "$sample" "$mdevctl_bin" "$label"
    else
        "$bench" -k "$runs" --cli "$virtccw" --cli-sample "$sample" --label "$label" "$tree"
    fi | tee -a /dev/stderr | grep '^ROW' >> "$rows" || true   # -a: stderr may be our own output file

    # where the time goes: syscalls per produced item, ours vs the floor
    if [ -n "$do_strace" ] && command -v strace >/dev/null && [ "$n" -le 20000 ] && [ "$spec" = "$n" ]; then
        for w in css ccw mdev mdev_types defs dump; do
            for impl in ours floor; do
                strace -c -o "$sysc.out" "$bench" --only "$w" --impl "$impl" "$tree" > "$sysc.items"
                items=$(sed -n 's/.*: \([0-9]*\) items/\1/p' "$sysc.items")
                # syscalls, leaving out the process's own start (execve, mmap, ...)
                # strace -c columns: % time, seconds, usecs/call, calls, [errors,] syscall
                calls=$(awk '$NF ~ /^(openat|read|close|readlinkat|getdents64|newfstatat|fcntl|statx|lseek|io_uring_enter)$/ { s += $4 } END { print s + 0 }' "$sysc.out")
                top=$(awk '$NF ~ /^(openat|read|close|readlinkat|getdents64|newfstatat|fcntl)$/ { printf "%s %s, ", $NF, $4 }' "$sysc.out" | sed 's/, $//')
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$w" "$impl" "$items" "$calls" "$top" >> "$sysc"
            done
        done
    fi
    [ -n "$keep" ] || rm -rf "$tree"
done

echo
echo "### Tree cost (tmpfs; identical attribute files are hard links, see bench/README.md)"
echo
echo "| subchannels | vfio_ccw / active mdevs / definitions | names | inodes | tmpfs pages MB | slab MB | generation s |"
echo "|---:|---|---:|---:|---:|---:|---:|"
awk -F'\t' '{ split($2, m, " "); printf "| %s | %s / %s / %s | %s | %s | %s | %s | %s |\n", $1, m[1], m[2], m[3], $3, $4, $5, $6, $7 }' "$costs"

echo
echo "### Times: CPU ms (user+sys), best of $runs, warm cache"
echo
echo "| subchannels | workload | items | ours | floor | ours/floor | close_range | io_uring | io_uring/floor | ours CLI | mdevctl | mdevctl/ours CLI |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -F'\t' '
function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
{
    # ROW label workload items, CPU and wall ms of: ours floor closerange io_uring cli mdevctl, sample
    cli = $13; if ($17 + 0 > 0) cli = "~" $13
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $7, r($5, $7),
           $9, $11, r($11, $7), cli, $15, r($15, $13)
}' "$rows"

if [ -s "$sysc" ]; then
    echo
    echo "### Syscalls per item (strace -c, process start left out)"
    echo
    echo "| subchannels | workload | items | ours calls | floor calls | ours per item | floor per item | ours: by syscall |"
    echo "|---:|---|---:|---:|---:|---:|---:|---|"
    awk -F'\t' '
    $3 == "ours" { key = $1 "\t" $2; items[key] = $4; ours[key] = $5; top[key] = $6; order[++n] = key }
    $3 == "floor" { floor[$1 "\t" $2] = $5 }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, p, "\t")
            printf "| %s | %s | %s | %s | %s | %.2f | %.2f | %s |\n", p[1], p[2], items[k], ours[k], floor[k],
                   ours[k] / (items[k] ? items[k] : 1), floor[k] / (items[k] ? items[k] : 1), top[k]
        }
    }' "$sysc"
fi
