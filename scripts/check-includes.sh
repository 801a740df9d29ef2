#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every file includes the system headers it uses: include-what-you-use
# (Debian: iwyu) over every file of a build's compile_commands.json, and
# a failure for each header it says is missing.
#
#   scripts/check-includes.sh BUILDDIR
#
# Why: a file that gets <stdint.h> or <stdlib.h> only through another
# library's header compiles where that library's version (or an optional
# dependency such as liburing) brings it in, and breaks elsewhere.
#
# Only missing includes count (never "should remove"). Checked are the
# headers of the C library, POSIX and Linux (<...>). Not checked, because
# they are included on purpose through one header:
#   - glib's own sub-headers (<glib/gtypes.h>, ...): <glib.h> is the one
#     glib supports; the file must include <glib.h> itself or through one
#     of ours ("..." headers are the project's umbrella convention);
#   - <stddef.h> and <stdarg.h>: <glib.h>, which every file uses, includes
#     them for its own API (gsize is size_t, g_logv takes a va_list);
#   - "..." headers (the project's, json-c's, libxml2's, fuse's): iwyu
#     names their internal files, the project includes their public ones.
# glibc's internal <bits/...> headers map to the public header that owns
# them. Ends with "N passed, N failed" over the files checked.
set -uo pipefail
build=${1:?usage: check-includes.sh BUILDDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v iwyu_tool >/dev/null ||
  { echo "FAIL: iwyu_tool not found (Debian: iwyu; scripts/install-deps.sh installs it)"; exit 1; }
[ -f "$build/compile_commands.json" ] ||
  { echo "FAIL: $build/compile_commands.json missing (run meson setup first)"; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# -Wno-unknown-warning-option: gcc's flags in the database, read by clang
iwyu_tool -p "$build" -j "$(nproc)" -- -Xiwyu --no_fwd_decls -Xiwyu --no_comments \
  -Wno-unknown-warning-option > "$out" 2>&1

python3 - "$out" "$build" "$top" <<'PY'
import os, re, sys
out, build, top = sys.argv[1:]
text = open(out).read()
# glibc internals -> the public header that provides them
BITS = {
    "bits/struct_stat.h": "sys/stat.h", "bits/stat.h": "sys/stat.h",
    "bits/types/struct_timespec.h": "time.h", "bits/types/time_t.h": "time.h",
    "bits/types/struct_iovec.h": "sys/uio.h", "bits/socket.h": "sys/socket.h",
    "bits/fcntl-linux.h": "fcntl.h", "bits/mman-linux.h": "sys/mman.h",
    "bits/stdint-uintn.h": "stdint.h", "bits/stdint-intn.h": "stdint.h",
    "bits/getopt_core.h": "unistd.h", "bits/poll.h": "poll.h",
    "bits/types/struct_FILE.h": "stdio.h", "bits/types/FILE.h": "stdio.h",
    "bits/signum-generic.h": "signal.h", "bits/sigaction.h": "signal.h",
    "bits/types/sigset_t.h": "signal.h", "bits/epoll.h": "sys/epoll.h",
    "bits/sockaddr.h": "sys/socket.h", "bits/dirent.h": "dirent.h",
    "bits/inotify.h": "sys/inotify.h", "bits/types/struct_timeval.h": "sys/time.h",
    "bits/errno.h": "errno.h", "bits/local_lim.h": "limits.h",
    "linux/limits.h": "limits.h", "asm-generic/errno-base.h": "errno.h",
    "asm-generic/errno.h": "errno.h", "bits/types/struct_rusage.h": "sys/resource.h",
    "bits/resource.h": "sys/resource.h", "bits/types/struct_tm.h": "time.h",
    "bits/types/clock_t.h": "time.h", "bits/waitflags.h": "sys/wait.h",
}
errors = [l for l in text.splitlines() if re.search(r"\b(fatal )?error:", l)]
checked = failed = 0
problems = []
for block in re.split(r"\n---\n|\n\n(?=\()", text):
    m = re.search(r"^(\S+) should add these lines:\n(.*?)\n\1 should remove", block, re.S | re.M)
    if not m:
        continue
    path = os.path.abspath(os.path.join(build, m.group(1)))
    if not path.startswith(top + os.sep):
        continue                  # a system header iwyu looked at
    checked += 1
    try:
        have = set(re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', open(path).read(), re.M))
    except OSError:
        continue
    missing = []
    for h in re.findall(r"^#include <([^>]+)>", m.group(2), re.M):
        h = BITS.get(h, h)
        if h.startswith("bits/") or h.startswith("asm/") or h.startswith("asm-generic/"):
            missing.append(h + " (glibc internal: include its public header)")
            continue
        if h.startswith("glib/") or h in ("glib.h", "stddef.h", "stdarg.h"):
            # through <glib.h> directly, or through one of ours
            continue
        if h not in have:
            missing.append("<%s>" % h)
    if missing:
        failed += 1
        problems.append("%s: missing %s" % (os.path.relpath(path, top), ", ".join(sorted(set(missing)))))
# files iwyu found correct
checked += len(re.findall(r"has correct #includes", text))
for p in problems:
    print("FAIL: " + p)
for e in errors[:20]:
    print("iwyu: " + e)
if errors:
    failed += 1
print("%d passed, %d failed" % (checked - len(problems), failed))
sys.exit(1 if failed else 0)
PY
