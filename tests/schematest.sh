#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# schematest.sh - check src/conf/schemas/domain-ccw.rng against the domain XML corpus.
#
# Usage: tests/schematest.sh [-v] [PEER_DIR]
#   PEER_DIR  libvirt peer corpus (holds tests/qemuxmlconfdata, ...); default:
#             ../shared/peer/libvirt beside the source tree.  A missing default
#             directory is skipped; a missing directory given here is an error.
#   -v        print xmllint's messages for every rejected file
#
# Every domain XML of the corpus must validate, except the files named in
# tests/schema-expected-invalid.txt, which must be rejected.  The corpus:
#   tests/qemuxml2argvdata/*.xml, tests/qemuxml2xmloutdata{,/libvirt-*}/*.xml, tests/schemadata/*.xml
#   PEER_DIR/tests/{qemuxmlconfdata,qemuxml2argvdata,qemuxml2xmloutdata}/*.xml
# Prints one line per file and then "N passed, N failed".
# Exit status: 0 all as expected, 1 some file not as expected, 2 usage error,
# 77 xmllint missing (meson's "skipped").
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
schema=${VIRTCCW_SCHEMA:-$top/src/conf/schemas/domain-ccw.rng}
expect_file=$here/schema-expected-invalid.txt

verbose=0
peer=
peer_given=0
while [ $# -gt 0 ]; do
    case $1 in
        -v) verbose=1 ;;
        -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "schematest.sh: unknown option '$1'" >&2; exit 2 ;;
        *)  [ -n "$peer" ] && { echo "schematest.sh: more than one PEER_DIR" >&2; exit 2; }
            peer=$1; peer_given=1 ;;
    esac
    shift
done
[ -n "$peer" ] || peer=$top/../shared/peer/libvirt
[ -d "$peer" ] && peer=$(cd "$peer" && pwd)

if ! command -v xmllint >/dev/null 2>&1; then
    # a missing prerequisite fails under CI=true (install-deps.sh installs it)
    if [ "${CI:-}" = true ]; then
        echo "FAIL: prerequisite missing under CI=true: xmllint (Debian: libxml2-utils)"
        exit 1
    fi
    echo "schematest.sh: xmllint not found (Debian: libxml2-utils); skipping" >&2
    exit 77
fi
if [ ! -r "$schema" ]; then
    echo "schematest.sh: cannot read schema $schema" >&2
    exit 2
fi

# Expected-invalid basenames: "NAME.xml  # reason"; blank lines and comments ignored.
declare -A expect_invalid=()
declare -A expect_seen=()
if [ -r "$expect_file" ]; then
    while read -r name _; do
        case $name in ''|'#'*) continue ;; esac
        expect_invalid[$name]=1
    done < "$expect_file"
fi

files=()
# (qemuxml2xmloutdata/libvirt-R/: what other libvirt releases formatted)
for d in "$here/qemuxml2argvdata" "$here/qemuxml2xmloutdata" "$here"/qemuxml2xmloutdata/libvirt-* \
         "$here/schemadata"; do
    for f in "$d"/*.xml; do [ -e "$f" ] && files+=("$f"); done
done
if [ -d "$peer/tests" ]; then
    for d in qemuxmlconfdata qemuxml2argvdata qemuxml2xmloutdata; do
        for f in "$peer/tests/$d"/*.xml; do [ -e "$f" ] && files+=("$f"); done
    done
elif [ "$peer_given" = 1 ]; then
    echo "schematest.sh: peer corpus '$peer' has no tests/ directory" >&2
    exit 2
elif [ "${CI:-}" = true ]; then
    echo "FAIL: prerequisite missing under CI=true: peer corpus $peer"
    exit 1
else
    echo "SKIP peer corpus (not found: $peer)"
fi

# Print a path relative to the source tree, or to the peer directory.
show() {
    case $1 in
        "$peer"/*) printf 'peer:%s' "${1#"$peer"/}" ;;
        "$top"/*) printf '%s' "${1#"$top"/}" ;;
        *) printf '%s' "$1" ;;
    esac
}

pass=0
fail=0
errs=$(mktemp)
batch=$(mktemp)
trap 'rm -f "$errs" "$batch"' EXIT
# One xmllint run compiles the schema once and reports "FILE validates" or
# "FILE fails to validate" for each file; rejected files are re-run alone for
# their messages.
if [ ${#files[@]} -gt 0 ]; then
    xmllint --noout --relaxng "$schema" "${files[@]}" >/dev/null 2>"$batch"
fi
declare -A ok=()
while IFS= read -r line; do
    case $line in *' validates') ok[${line% validates}]=1 ;; esac
done < "$batch"

for f in "${files[@]}"; do
    base=$(basename "$f")
    if [ -n "${ok[$f]:-}" ]; then
        valid=1
    else
        valid=0
        xmllint --noout --relaxng "$schema" "$f" >/dev/null 2>"$errs"
    fi
    if [ -n "${expect_invalid[$base]:-}" ]; then
        expect_seen[$base]=1
        if [ $valid = 0 ]; then
            echo "PASS $(show "$f") (rejected, as expected)"
            pass=$((pass + 1))
        else
            echo "FAIL $(show "$f") (expected to be rejected, but validates)"
            fail=$((fail + 1))
        fi
    elif [ $valid = 1 ]; then
        echo "PASS $(show "$f")"
        pass=$((pass + 1))
    else
        msg=$(grep -v 'fails to validate$' "$errs" | head -n 1)
        echo "FAIL $(show "$f") (rejected: $msg)"
        fail=$((fail + 1))
    fi
    if [ $verbose = 1 ] && [ $valid = 0 ]; then
        sed 's/^/    /' "$errs"
    fi
done

# Names in the list that matched no file: the list has gone stale.
for name in "${!expect_invalid[@]}"; do
    [ -n "${expect_seen[$name]:-}" ] || echo "NOTE $name is listed in $(show "$expect_file") but was not found"
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
