#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Data-driven CLI scenarios on a simulated s390 host.
#
# Each tests/nodedevclidata/NAME.scn runs on a fresh virtccw-simhost root
# (NAME.args, when present, holds the simhost options; default -n 40).
# A line is either
#   virtccw ARGS...      run the CLI with --root on the simulated host
#   sh COMMAND           run a shell command ($ROOT is the host root)
#   # comment / blank    ignored
# and the transcript (each line, its stdout+stderr, its exit status) must
# equal NAME.out. VIRTCCW_TEST_REGENERATE=1 rewrites NAME.out for review.
# A scenario with NAME.setup runs on a plain directory tree that this
# script builds instead (for roots a kernel would never show, e.g. junk
# and dangling links); $VIRTCCW names the CLI in sh lines.
#
# usage: nodedev-cli-test.sh VIRTCCW SIMHOST DATADIR
set -uo pipefail
virtccw=$(realpath "$1") simhost=$(realpath "$2") data=$(realpath "$3")
if ! [ -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
  # a missing prerequisite fails under CI=true (install-deps.sh installs fuse3)
  [ "${CI:-}" = true ] && { echo "FAIL: prerequisite missing under CI=true: /dev/fuse or fusermount3"; exit 1; }
  echo "SKIP: no FUSE"; exit 77
fi

# node-device output follows the release virtccwd serves (11.3) unless a
# scenario line asks for another one (--libvirt-version, the variable): none
# inherited, so the caller's environment changes no expected output
unset VIRTCCW_LIBVIRT_VERSION
passed=0 failed=0
work=$(mktemp -d)
cleanup() { mountpoint -q "$work/root" 2>/dev/null && fusermount3 -u "$work/root"; rm -rf "$work"; }
trap cleanup EXIT

run_scenario() {
  local scn=$1 name out args
  name=$(basename "$scn" .scn)
  out=$work/$name.out
  args="-n 40"
  [ -e "$data/$name.args" ] && args=$(cat "$data/$name.args")
  rm -rf "$work/root"; mkdir -p "$work/root"
  export ROOT=$work/root VIRTCCW=$virtccw
  if [ -e "$data/$name.setup" ]; then
    if ! bash "$data/$name.setup" > "$work/setup.log" 2>&1; then
      echo "not ok - $name: setup failed"; cat "$work/setup.log"; failed=$((failed + 1)); return
    fi
  # shellcheck disable=SC2086
  elif ! "$simhost" $args "$work/root" >"$work/simhost.log" 2>&1; then
    echo "not ok - $name: simhost did not start"; cat "$work/simhost.log"; failed=$((failed + 1)); return
  fi
  : > "$out"
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in ''|'#'*) continue ;; esac
    printf '$ %s\n' "$line" >> "$out"
    case $line in
      virtccw\ *) (cd "$data" && eval "\"$virtccw\" --root \"$ROOT\" ${line#virtccw }") >> "$out" 2>&1 ;;
      sh\ *) (cd "$data" && timeout 120 bash -c "${line#sh }") >> "$out" 2>&1 ;;
      *) echo "bad scenario line: $line" >> "$out"; false ;;
    esac
    echo "[rc=$?]" >> "$out"
  done < "$scn"
  if mountpoint -q "$ROOT"; then
    fusermount3 -u "$ROOT" || sleep 1
    fusermount3 -u "$ROOT" 2>/dev/null
  fi
  # the root path differs per run
  sed -i "s#$work/root#ROOT#g" "$out"
  if [ "${VIRTCCW_TEST_REGENERATE:-0}" = 1 ]; then
    cp "$out" "$data/$name.out"
  fi
  if diff -u "$data/$name.out" "$out" > "$work/diff"; then
    echo "ok - $name"; passed=$((passed + 1))
  else
    echo "not ok - $name"; sed 's/^/# /' "$work/diff"; failed=$((failed + 1))
  fi
}

for scn in "$data"/*.scn; do
  run_scenario "$scn"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
