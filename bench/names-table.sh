#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Markdown tables of the name-only listings from bench/results/names-N.tsv
# (bench/run-names-bench.sh): per size, layout and workload the library
# against the floor in-process, virtccw against the floor as a process.
#   bench/names-table.sh [RESULTS_DIR]
set -euo pipefail
res=${1:-$(cd "$(dirname "$0")" && pwd)/results}
echo "| subchannels | layout | workload | items | library | floor | library / floor | virtccw CLI | floor process | CLI / floor process |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
for f in $(ls "$res"/names-*.tsv | sort -t- -k2 -n); do
    awk -F'\t' '
    function c(n,    s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
    function ms(x) { return x == "-" ? "-" : (x >= 1000 ? c(x + 0.5) : sprintf("%.1f", x)) }
    function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
    NR > 1 {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c($1), $2, $3, c($4), ms($5), ms($6),
               r($5, $6), ms($7), ms($8), r($7, $8)
    }' "$f"
done
