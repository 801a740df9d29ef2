#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build virtccw and run every test: the normal build (-Werror), an
# ASan+UBSan build, and a time-bounded libFuzzer run. Ends with one line
# "N passed, N failed, N skipped" over all of them.
#
#   scripts/test.sh              everything
#   FUZZ_SECONDS=30 scripts/test.sh
#
# Parts that are not run at all when asked (a CI root that leaves them to
# another root), and said so on a line of their own, never counted as
# passed or skipped:
#   FUZZ_SECONDS=0           no fuzzing
#   VIRTCCW_KERNEL_SUITE=0   no real-kernel suite (meson suite "kernel")
#   VIRTCCW_INCLUDE_CHECK=0  no include-what-you-use check
# Under CI=true a test that skips (meson's SKIP, exit 77) counts as failed:
# its prerequisite is missing, and scripts/install-deps.sh should have
# installed it.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
KERNEL_SUITE=${VIRTCCW_KERNEL_SUITE:-1}
INCLUDE_CHECK=${VIRTCCW_INCLUDE_CHECK:-1}
not_run=()
[ "$KERNEL_SUITE" != 0 ] || not_run+=("real-kernel suite (VIRTCCW_KERNEL_SUITE=0)")
[ "$FUZZ_SECONDS" -gt 0 ] || not_run+=("fuzzing (FUZZ_SECONDS=0)")
[ "$INCLUDE_CHECK" != 0 ] || not_run+=("include check (VIRTCCW_INCLUDE_CHECK=0)")

"$top/scripts/install-deps.sh" || { echo "dependency installation failed"; exit 1; }

status=0
logs=()
build_failed=0   # a build that fails runs no test: one failure each

run_build() {   # name, meson options...
  local dir="build-$1"; shift
  # an existing directory (the demo's, an earlier run's) gets this build's
  # options too: the plain build must really be the one without liburing
  if [ -d "$dir" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi || { echo "meson setup $dir failed"; status=1; build_failed=$((build_failed + 1)); return; }
  ninja -C "$dir" >/dev/null ||
    { ninja -C "$dir"; echo "build $dir failed"; status=1; build_failed=$((build_failed + 1)); return; }
  local no_suite=()
  [ "$KERNEL_SUITE" != 0 ] || no_suite=(--no-suite kernel)
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${no_suite[@]}" || status=1
  logs+=("$dir/meson-logs/testlog.json")
}

# The optional dependency (liburing) is off in one build and on in the
# other: whether it is installed must not decide whether the tree compiles.
run_build plain -Dwerror=true -Dliburing=disabled
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dliburing=enabled

# Every file includes what it uses (include-what-you-use over the plain
# build; only missing includes count, see scripts/check-includes.sh).
include_result=skip
if [ "$INCLUDE_CHECK" != 0 ]; then
  if [ -f build-plain/compile_commands.json ] && scripts/check-includes.sh build-plain; then
    include_result=pass
  else
    include_result=fail; status=1
  fi
fi

# libFuzzer targets, each seeded with its test corpus, sharing FUZZ_SECONDS.
fuzz_targets=(
  "fuzz_domain_xml:tests/qemuxml2argvdata"
  "fuzz_nodedev_xml:tests/nodedevxml2xmldata"
  "fuzz_mdevctl_json:tests/mdevctldata"
  "fuzz_rpc_message:tests/fuzz/rpc-corpus"
)
fuzz_result=skip
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  per=$(( FUZZ_SECONDS / ${#fuzz_targets[@]} )); [ "$per" -gt 0 ] || per=1
  fuzz_result=pass
  # the whole tree is built here: clang -Werror catches what gcc lets by
  if ! { [ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Dwerror=true >/dev/null; } ||
     ! ninja -C build-fuzz >/dev/null; then
    ninja -C build-fuzz 2>&1 | grep -E 'error|FAILED|undefined' | head -20
    fuzz_result=fail
  fi
  for entry in "${fuzz_targets[@]}"; do
    [ "$fuzz_result" = fail ] && break
    target=${entry%%:*} seeds=${entry#*:}
    if ! ninja -C build-fuzz "tests/fuzz/$target" >/dev/null; then
      fuzz_result=fail; break
    fi
    corpus=$(mktemp -d)
    find "$seeds" -type f -exec cp {} "$corpus/" \; 2>/dev/null
    if "build-fuzz/tests/fuzz/$target" -max_total_time="$per" -max_len=65536 \
         -rss_limit_mb=2048 "$corpus" > "build-fuzz/$target.log" 2>&1; then
      echo "$target: $(ls "$corpus" | wc -l) corpus entries, no crash in ${per}s"
    else
      fuzz_result=fail
      tail -40 "build-fuzz/$target.log"
    fi
    rm -rf "$corpus"
  done
  [ "$fuzz_result" = fail ] && status=1
fi

for what in "${not_run[@]}"; do
  echo "not run in this root: $what"
done
CI=${CI:-} python3 - "$fuzz_result" "$include_result" "$build_failed" "${logs[@]}" <<'PY' || status=1
import json, os, re, subprocess, sys
# A TAP test (meson's protocol 'tap': the C runners, tests/testutils.h)
# counts each of its "ok"/"not ok" lines; "ok ... # SKIP" is a skip and
# "not ok ... # TODO" a known failure (passed). Another data-driven runner
# prints "N passed, N failed" for its cases; a test without either counts
# as one. A test that did not end well without a failed case of its own
# (a crash, a wrong plan) is one failure more. Under CI=true a skip, of a
# whole test or of a TAP case, is a failure (its prerequisite is
# missing), named here.
fuzz, includes, logs = sys.argv[1], sys.argv[2], sys.argv[4:]
ci = os.environ.get("CI") == "true"
p = s = 0
f = int(sys.argv[3])   # builds that failed
tap_line = re.compile(r"^(not ok|ok)\b([^#\n]*)(?:#\s*(SKIP|TODO)\b(.*))?", re.I | re.M)

def tap_tests(builddir):
    try:
        out = subprocess.run(["meson", "introspect", builddir, "--tests"],
                             capture_output=True, text=True, check=True).stdout
        return {t["name"] for t in json.loads(out) if t.get("protocol") == "tap"}
    except (OSError, subprocess.CalledProcessError, ValueError):
        return set()

for log in logs:
    tap = tap_tests(os.path.dirname(os.path.dirname(log)))
    for line in open(log):
        t = json.loads(line)
        r = t.get("result")
        out = t.get("stdout") or ""
        name = t.get("name", "").split(" / ")[-1]
        counts = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
        cases = tap_line.findall(out) if name in tap else []
        if r == "SKIP" and ci:
            f += 1
            why = out.strip().splitlines()[-1:] or ["?"]
            print(f"FAIL (skipped under CI=true): {t.get('name')}: {why[0]}")
        elif r == "SKIP":
            s += 1
        elif cases:
            bad = 0
            for res, desc, directive, why in cases:
                directive = directive.upper()
                if res.lower() == "ok" and directive == "SKIP":
                    if ci:
                        bad += 1
                        print(f"FAIL (skipped under CI=true): {t.get('name')}: {desc.strip()}: {why.strip()}")
                    else:
                        s += 1
                elif res.lower() == "ok" or directive == "TODO":
                    p += 1
                else:
                    bad += 1
            f += bad
            if r not in ("OK", "EXPECTEDFAIL") and bad == 0:
                f += 1
        elif counts:
            p += int(counts[-1][0]); f += int(counts[-1][1])
            if r not in ("OK", "EXPECTEDFAIL") and int(counts[-1][1]) == 0:
                f += 1
        elif r in ("OK", "EXPECTEDFAIL"):
            p += 1
        else:
            f += 1
# fuzzing and the include check: one test each, when run at all
for r in (fuzz, includes):
    if r == "pass": p += 1
    elif r == "fail": f += 1
print(f"{p} passed, {f} failed, {s} skipped")
sys.exit(1 if f else 0)
PY
exit $status
