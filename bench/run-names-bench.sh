#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Name-only listings (`virtccw nodedev-list`, every --cap, --all,
# --inactive, --tree): the library and the CLI against the name-only floor
# (bench/names_floor.c) on host trees of different layouts. Writes one TSV
# per size into bench/results/ (names-N.tsv) and prints the rows.
#
#   bench/run-names-bench.sh [-b BUILDDIR] [-k K] [-s "20000 262144"]
#                            [-l "mix allvfio fewvfio gaps ssids"] [-o DIR]
#                            [-w WORKLOADS] [-W WORKLOADS-FOR-OTHER-LAYOUTS]
#
# -w limits the workloads (css,ccw,mdev,mdev-all,mdev_types,all,all-all,
# inactive,tree); -W limits them on every layout but the first.
#
# Layouts (bench/gen_host_tree): mix = the LPAR mix (1 in 8 on vfio_ccw),
# allvfio = every non-QDIO I/O subchannel on vfio_ccw, fewvfio = 1 in 256,
# gaps = the mix with runs of 64 subchannels missing in every 256,
# ssids = the mix spread over 4 subchannel sets (262,144 always fills 4,
# so it is left out there). As root the trees live on a private tmpfs.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build-plain
runs=5
sizes="20000 262144"
layouts="mix allvfio fewvfio gaps ssids"
outdir=$here/bench/results
wl= wl_other=

while [ $# -gt 0 ]; do
    case $1 in
        -b) build=$(cd "$2" && pwd); shift 2 ;;
        -k) runs=$2; shift 2 ;;
        -s) sizes=$2; shift 2 ;;
        -l) layouts=$2; shift 2 ;;
        -o) outdir=$2; shift 2 ;;
        -w) wl=$2; shift 2 ;;
        -W) wl_other=$2; shift 2 ;;
        *) echo "usage: $0 [-b BUILDDIR] [-k K] [-s SIZES] [-l LAYOUTS] [-o DIR]" >&2; exit 2 ;;
    esac
done
gen=$build/bench/gen_host_tree
bench=$build/bench/bench_nodedev
floor=$build/bench/bench_names_floor
virtccw=$build/tools/virtccw
for b in "$gen" "$bench" "$floor" "$virtccw"; do
    [ -x "$b" ] || { echo "missing $b" >&2; exit 1; }
done
mkdir -p "$outdir"

mounted= work=
cleanup() {
    [ -n "$work" ] || return 0
    rm -rf "$work"/t 2>/dev/null || true
    [ -n "$mounted" ] && umount "$work" 2>/dev/null || true
    rmdir "$work" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
if [ "$(id -u)" = 0 ] && work=$(mktemp -d /tmp/names-bench.XXXXXX) &&
   mount -t tmpfs -o "size=80%,nr_inodes=0,mode=755" names-bench "$work" 2>/dev/null; then
    mounted=1
else
    [ -n "$work" ] && rmdir "$work" 2>/dev/null
    work=$(mktemp -d /dev/shm/names-bench.XXXXXX)
fi
echo "# $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), best of $runs"

for n in $sizes; do
    tsv=$outdir/names-$n.tsv
    printf 'subchannels\tlayout\tworkload\titems\tlibrary_ms\tfloor_ms\tvirtccw_ms\tfloor_process_ms\tlibrary_wall_ms\tfloor_wall_ms\tvirtccw_wall_ms\tfloor_process_wall_ms\toutput\n' > "$tsv"
    first=1
    for layout in $layouts; do
        w=$wl
        [ -z "$first" ] && [ -n "$wl_other" ] && w=$wl_other
        first=
        case $layout in
            mix) opts= ;;
            allvfio) opts="--vfio-every 1" ;;
            fewvfio) opts="--vfio-every 256" ;;
            gaps) opts="--gaps 64" ;;
            ssids) [ "$n" -gt 65536 ] && continue; opts="--ssids 4" ;;
            *) echo "unknown layout $layout" >&2; exit 2 ;;
        esac
        rm -rf "$work/t"
        # shellcheck disable=SC2086
        stats=$("$gen" -n "$n" $opts "$work/t" | head -1)
        echo "## $n $layout: $stats"
        "$bench" --names -k "$runs" ${w:+--workloads "$w"} --cli "$virtccw" --floor-cli "$floor" --label "$layout" "$work/t" |
            tee -a /dev/stderr | awk -F'\t' -v n="$n" '$1 == "NAMES" { OFS = "\t"; $1 = n; print }' >> "$tsv"
        rm -rf "$work/t"
    done
done
