#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run inside one fresh root by scripts/ci-fresh-roots.sh: the demo, the tests
# and the package test, one after the other as a new user would, then one
# line "N passed, N failed, N skipped" summing the three (the demo counts as
# one test; test.sh and tests/package-test.sh print their own summary).
set -uo pipefail
cd "$(dirname "$0")/.."
p=0 f=0 s=0
add() {   # step-name log
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
  if [ -z "$line" ]; then
    echo "$1: no summary line: counted as one failure"; f=$((f + 1)); return
  fi
  echo "$1: $line"
  set -- $line
  p=$((p + $1)) f=$((f + $3))
  [ "${6:-}" = skipped ] && s=$((s + $5))
  return 0
}
step() {  # name command...: runs it, its output to /tmp/ci-NAME.log and here
  local name=$1; shift
  local t0=$SECONDS
  echo "--- $name"
  "$@" 2>&1 | tee "/tmp/ci-$name.log"
  local rc=${PIPESTATUS[0]}
  echo "--- $name: exit $rc, $((SECONDS - t0)) s"
  return "$rc"
}

if step demo scripts/demo.sh >/dev/null; then
  echo "demo: ok"; p=$((p + 1))
else
  cat /tmp/ci-demo.log; echo "demo: FAILED"; f=$((f + 1))
fi
step test scripts/test.sh
add test /tmp/ci-test.log
step package tests/package-test.sh
add package /tmp/ci-package.log
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
