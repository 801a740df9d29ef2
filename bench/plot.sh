#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Draw the scaling figures (SVG) from bench/results/*.tsv with gnuplot
# (Debian: gnuplot-nox; not needed by the build or the tests, so not in
# scripts/install-deps.sh):
#
#   bench/plot.sh [RESULTS_DIR] [OUT_DIR]     (defaults: bench/results, docs/figures)
#
#   nodedev-css.svg         `nodedev-list --cap css`: CPU time against
#                           subchannels, log-log: virtccw (CLI and library,
#                           name-only), the name-only floor, the object floor
#                           and the CLI when it read whole objects
#   nodedev-mdev-types.svg  `nodedev-list --cap mdev_types` against
#                           `mdevctl types`, with both floors
#   domain-size.svg         domain XML to argv (bench_argv): time and time per
#                           device against the number of CCW devices
#   domain-prepare.svg      domain-prepare/-release CPU time against hostdevs:
#                           managed='no', managed='yes' needing host changes
#                           (the journal appending records) and before that
#                           (a rewrite of the whole journal per step)
# Sources: names-N.tsv (bench/run-names-bench.sh), objects.tsv (the object
# listings and mdevctl, bench/run-nodedev-bench.sh), argv.tsv (bench_argv),
# prepare.tsv, prepare-managed.tsv, prepare-managed-before.tsv
# (bench/bench_prepare.py).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
res=${1:-$here/bench/results}
out=${2:-$here/docs/figures}
command -v gnuplot >/dev/null || { echo "plot.sh needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "x y" rows, sorted by x: series FILE LAYOUT WORKLOAD COLUMN-NAME
series() {
    local layout=$2 workload=$3 col=$4
    awk -F'\t' -v l="$layout" -v w="$workload" -v c="$col" '
        FNR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
        $2 == l && $3 == w && $idx[c] != "-" { print $1, $idx[c] }' $1 | sort -n
}
names=$(ls "$res"/names-*.tsv 2>/dev/null | tr '\n' ' ')
[ -n "$names" ] || { echo "no $res/names-*.tsv (bench/run-names-bench.sh)" >&2; exit 1; }

for w in css mdev_types; do
    series "$names" mix "$w" virtccw_ms > "$tmp/$w.cli"
    series "$names" mix "$w" library_ms > "$tmp/$w.lib"
    series "$names" mix "$w" floor_ms > "$tmp/$w.floor"
    series "$names" mix "$w" floor_process_ms > "$tmp/$w.floorp"
    series "$res/objects.tsv" mix "$w" floor_ms > "$tmp/$w.ofloor"
    series "$res/objects.tsv" mix "$w" virtccw_ms > "$tmp/$w.ocli"
    series "$res/objects.tsv" mix "$w" mdevctl_ms > "$tmp/$w.mdevctl"
done

common='set terminal svg size 760,500 dynamic enhanced font "sans,12" background "white"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key top left box opaque
set xlabel "subchannels"
set ylabel "CPU ms (user + sys), best of k (bench/README.md)"
set format x "%.0s%c"
set xrange [1000:400000]
set style line 1 lc rgb "#1f77b4" lw 2 pt 7
set style line 2 lc rgb "#1f77b4" lw 2 dt 2 pt 6
set style line 3 lc rgb "#2ca02c" lw 2 pt 5
set style line 4 lc rgb "#2ca02c" lw 2 dt 2 pt 4
set style line 5 lc rgb "#7f7f7f" lw 2 pt 9
set style line 6 lc rgb "#d62728" lw 2 pt 11
set style line 7 lc rgb "#ff7f0e" lw 2 pt 13'

gnuplot <<GP
$common
set output "$out/nodedev-css.svg"
set title "nodedev-list --cap css (LPAR mix, warm cache)"
plot "$tmp/css.cli" w lp ls 1 t "virtccw CLI, name-only", \
     "$tmp/css.lib" w lp ls 2 t "virtccw library, name-only", \
     "$tmp/css.floorp" w lp ls 3 t "name-only floor, as a process", \
     "$tmp/css.floor" w lp ls 4 t "name-only floor, in-process", \
     "$tmp/css.ocli" w lp ls 6 t "virtccw CLI reading whole objects (before)", \
     "$tmp/css.ofloor" w lp ls 5 t "object floor (whole objects)"
GP

gnuplot <<GP
$common
set output "$out/nodedev-mdev-types.svg"
set title "nodedev-list --cap mdev\\\\_types vs mdevctl types (LPAR mix)"
plot "$tmp/mdev_types.cli" w lp ls 1 t "virtccw CLI, name-only", \
     "$tmp/mdev_types.floorp" w lp ls 3 t "name-only floor, as a process", \
     "$tmp/mdev_types.floor" w lp ls 4 t "name-only floor, in-process", \
     "$tmp/mdev_types.ofloor" w lp ls 5 t "object floor (whole objects)", \
     "$tmp/mdev_types.mdevctl" w lp ls 7 t "mdevctl 1.2.0 types"
GP

if [ -s "$res/argv.tsv" ]; then
    awk -F'\t' 'NR > 1 { print $1, $3, $4 }' "$res/argv.tsv" | sort -n > "$tmp/argv"
    gnuplot <<GP
set terminal svg size 760,500 dynamic enhanced font "sans,12" background "white"
set output "$out/domain-size.svg"
set title "domain XML to QEMU argv (bench\\\\_argv): time against CCW devices"
set logscale x
set logscale y
set grid xtics ytics lc rgb "#dddddd"
set key top left box opaque
set xlabel "CCW devices in the domain"
set ylabel "pipeline ms (schema, parse, addresses, validation, argv)"
set y2label "us per device"
set y2tics
set ytics nomirror
set y2range [0:*]
set format x "%.0s%c"
plot "$tmp/argv" u 1:2 w lp lc rgb "#1f77b4" lw 2 pt 7 t "pipeline ms (log)", \
     "$tmp/argv" u 1:3 axes x1y2 w lp lc rgb "#d62728" lw 2 pt 5 t "us per device (linear, right)"
GP
fi
if [ -s "$res/prepare-managed.tsv" ]; then
    awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$res/prepare-managed.tsv" | sort -n > "$tmp/pm"
    awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$res/prepare-managed-before.tsv" 2>/dev/null | sort -n > "$tmp/pmb"
    awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$res/prepare-managed-small.tsv" 2>/dev/null | sort -n > "$tmp/pms"
    awk -F'\t' 'NR > 1 { print $1, $2 }' "$res/prepare.tsv" 2>/dev/null | sort -n > "$tmp/pn"
    gnuplot <<GP
set terminal svg size 760,500 dynamic enhanced font "sans,12" background "white"
set output "$out/domain-prepare.svg"
set title "domain-prepare / domain-release against hostdevs (CPU of virtccw)"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key bottom right box opaque font ",10"
set xlabel "vfio-ccw hostdevs in the domain"
set ylabel "CPU seconds (user + sys)"
set format x "%.0s%c"
set xrange [100:100000]
set yrange [0.1:200]
plot "$tmp/pm" u 1:2 w lp lc rgb "#1f77b4" lw 2 pt 7 t "prepare, managed='yes' (72,379 subchannels)", \
     "$tmp/pm" u 1:3 w lp lc rgb "#1f77b4" lw 2 dt 2 pt 6 t "release, managed='yes' (72,379 subchannels)", \
     "$tmp/pms" u 1:2 w lp lc rgb "#17becf" lw 2 pt 7 t "prepare, managed='yes' (2,271 subchannels)", \
     "$tmp/pms" u 1:3 w lp lc rgb "#17becf" lw 2 dt 2 pt 6 t "release, managed='yes' (2,271 subchannels)", \
     "$tmp/pmb" u 1:2 w lp lc rgb "#d62728" lw 2 pt 5 t "before: prepare (journal rewritten per step)", \
     "$tmp/pmb" u 1:3 w lp lc rgb "#d62728" lw 2 dt 2 pt 4 t "before: release", \
     "$tmp/pn" u 1:2 w lp lc rgb "#2ca02c" lw 2 pt 9 t "prepare, managed='no' (static host)"
GP
fi
ls -l "$out"
