#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every source, script, build, unit and documentation file says its
# licence in an SPDX line (meson.build and debian/copyright declare
# LGPL-2.1-or-later; COPYING has the text).
#
#   spdx-check.sh SRCDIR
#
# Walks the directory, not git's index, so that it also runs in an
# unpacked source package. Not checked, because a comment would change
# what they are: test data and reference outputs (compared byte for byte),
# the fuzz corpora, recorded results and figures, the example domain, the
# licence text itself and Debian's changelog/copyright/source format.
# Ends with "N passed, N failed".
set -uo pipefail
src=${1:?usage: spdx-check.sh SRCDIR}
cd "$src" || exit 1
pass=0 fail=0
while IFS= read -r -d '' f; do
  f=${f#./}
  case "$f" in
    tests/*data/*|tests/libvirt-reference/*|tests/fuzz/*corpus*/*|bench/results/*|\
    docs/figures/*|docs/examples/*.xml|COPYING|debian/changelog|debian/copyright|\
    debian/source/*|tests/schema-expected-invalid.txt) continue ;;
    # what a package build leaves in debian/
    debian/files|debian/*.substvars|debian/*.log|debian/*.debhelper|debian/debhelper-build-stamp) continue ;;
  esac
  if grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' "$f"; then
    pass=$((pass + 1))
  else
    echo "FAIL: $f has no SPDX-License-Identifier line"
    fail=$((fail + 1))
  fi
done < <(find . \( -name .git -o -name 'build*' -o -name 'obj-*' -o -name ci-logs -o -name .pc \
                   -o -path ./debian/virtccw -o -path ./debian/.debhelper \) -prune -o \
              -type f ! -name '*~' ! -name '*.orig' ! -name '*.rej' -print0)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
