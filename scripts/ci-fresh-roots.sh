#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What CI runs: the README's two commands (scripts/demo.sh, scripts/test.sh)
# and the package test, each in a fresh Debian 12 root and a fresh Debian 13
# root made by scripts/fresh-root.sh, so that nothing installed on this
# machine by hand can hide a missing install step. Ends with one line
# "N passed, N failed, N skipped", the sum over both roots.
#
#   scripts/ci-fresh-roots.sh                 both roots
#   scripts/ci-fresh-roots.sh trixie          one root
#
# What runs where (CI has 90 minutes on 2 CPUs):
#   both roots   demo, every suite of scripts/test.sh in the normal and the
#                ASan+UBSan builds, the package test (tests/package-test.sh)
#   bookworm     the real-kernel suite (Debian's s390x 6.1 and 6.12 kernels
#                under TCG; their downloads are cached, not their results)
#   trixie       the bounded libFuzzer run (FUZZ_SECONDS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

dists=("$@")
[ ${#dists[@]} -gt 0 ] || dists=(bookworm trixie)
logdir=${CI_LOG_DIR:-$top/ci-logs}
mkdir -p "$logdir"

declare -A root_env=(
  [bookworm]="VIRTCCW_KERNEL_SUITE=1 FUZZ_SECONDS=0"
  [trixie]="VIRTCCW_KERNEL_SUITE=0 FUZZ_SECONDS=${FUZZ_SECONDS:-120}"
)

total_p=0 total_f=0 total_s=0
report=()

count() {   # log -> adds its last summary line to the totals
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then
    echo "no summary line in $1: counted as one failure"
    total_f=$((total_f + 1)); return
  fi
  set -- $line
  total_p=$((total_p + $1)) total_f=$((total_f + $3))
  [ "${6:-}" = skipped ] && total_s=$((total_s + $5))
  return 0
}

for dist in "${dists[@]}"; do
  log="$logdir/$dist.log"
  start=$(date +%s)
  echo "=== $dist: fresh root, ${root_env[$dist]}"
  # One root per distribution: the demo, the tests and the package test run
  # in it one after the other, as a new user would run them.
  FRESH_ROOT_PASS="FUZZ_SECONDS VIRTCCW_KERNEL_SUITE" \
  env ${root_env[$dist]} CI=true scripts/fresh-root.sh "$dist" scripts/ci-in-root.sh > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  # the root's failures in full, the rest in the log (kept by CI_LOG_DIR)
  grep -E 'FAIL|ERROR|error:|^not ok|^ +left: |^---|^(demo|test|package):|passed, ' "$log" | tail -120
  count "$log"
  report+=("$dist: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1) in ${secs} s (exit $rc)")
done

echo
printf '%s\n' "${report[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
