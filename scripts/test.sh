#!/usr/bin/env bash
# Build virtccw and run every test: the normal build (-Werror), an
# ASan+UBSan build, and a time-bounded libFuzzer run. Ends with one line
# "N passed, N failed, N skipped" over all of them.
#
#   scripts/test.sh              everything
#   FUZZ_SECONDS=30 scripts/test.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FUZZ_SECONDS=${FUZZ_SECONDS:-120}

"$top/scripts/install-deps.sh" || { echo "dependency installation failed"; exit 1; }

status=0
logs=()

run_build() {   # name, meson options...
  local dir="build-$1"; shift
  if [ ! -d "$dir" ]; then
    meson setup "$dir" "$@" >/dev/null || { echo "meson setup $dir failed"; status=1; return; }
  fi
  ninja -C "$dir" >/dev/null || { ninja -C "$dir"; echo "build $dir failed"; status=1; return; }
  meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
  logs+=("$dir/meson-logs/testlog.json")
}

run_build plain -Dwerror=true
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

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
    ninja -C build-fuzz 2>&1 | grep -E 'error|FAILED' | head -20
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

python3 - "$fuzz_result" "${logs[@]}" <<'PY'
import json, re, sys
# Each data-driven runner prints "N passed, N failed" for its cases; a
# test without such a line counts as one.
fuzz, logs = sys.argv[1], sys.argv[2:]
p = f = s = 0
for log in logs:
    for line in open(log):
        t = json.loads(line)
        r = t.get("result")
        counts = re.findall(r"^(\d+) passed, (\d+) failed", t.get("stdout") or "", re.M)
        if r == "SKIP":
            s += 1
        elif counts:
            p += int(counts[-1][0]); f += int(counts[-1][1])
            if r not in ("OK", "EXPECTEDFAIL") and int(counts[-1][1]) == 0:
                f += 1
        elif r in ("OK", "EXPECTEDFAIL"):
            p += 1
        else:
            f += 1
if fuzz == "pass": p += 1
elif fuzz == "fail": f += 1
else: s += 1
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $status
