#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The reboot scenario (tests/kernel/reboot.sh) on the simulated host alone,
# for both kernel flavours: boot 1 on a fresh virtccw-simhost, boot 2 on a
# fresh one over the same --backing etc/; the second boot must reach the
# first's state. (tests/kernel/run.sh runs the same against real kernels
# and compares the transcripts.)
#   tests/reboot-simhost.sh VIRTCCW VIRTCCWD SIMHOST OUTDIR
# Needs /dev/fuse (fails without it). Ends with "N passed, N failed".
set -uo pipefail
VIRTCCW=$(readlink -f "$1"); VIRTCCWD=$(readlink -f "$2"); SIMHOST=$(readlink -f "$3"); OUT=$4
KDIR=$(cd "$(dirname "$0")/kernel" && pwd)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
NP=0; NF=0
pass() { NP=$((NP + 1)); echo "PASS: $*"; }
fail() { NF=$((NF + 1)); echo "FAIL: $*"; }
finish() { echo "$NP passed, $NF failed"; [ "$NF" = 0 ]; exit; }

[ -c /dev/fuse ] || { fail "no /dev/fuse: the simulated host cannot mount"; finish; }
cc -O2 -Wall -Wextra -Werror -o "$OUT/vccw-ktest" "$KDIR/helper.c" || { fail "building vccw-ktest"; finish; }
last_summary() { awk '/^  summary:$/{b=""; on=1; next} on && /^    /{b=b $0 "\n"; next} {on=0} END{printf "%s", b}' "$1"; }

for series in 6.1 6.12; do
	mnt=$OUT/mnt-$series; back=$OUT/back-$series
	rm -rf "$back"; mkdir -p "$mnt" "$back"
	for phase in 1 2; do
		fusermount3 -u "$mnt" 2>/dev/null
		if ! "$SIMHOST" --layout qemu --kernel "$series" --subchannels 6 --backing "$back" "$mnt" \
			>"$OUT/simhost-$series-$phase.log" 2>&1; then
			fail "simhost $series: virtccw-simhost did not mount (boot $phase)"; continue 2
		fi
		ROOT=$mnt VIRTCCW=$VIRTCCW VIRTCCWD=$VIRTCCWD KTEST=$OUT/vccw-ktest KERNEL_SERIES=$series PHASE=$phase \
			SCENARIO_TMP=$OUT/tmp-$series timeout 600 sh "$KDIR/reboot.sh" > "$OUT/sim-$series-reboot$phase.txt" \
			2>"$OUT/sim-$series-reboot$phase.err"
		rc=$?
		fusermount3 -u "$mnt"
		f=$OUT/sim-$series-reboot$phase.txt
		n=$(grep -c '^CHECK ok: ' "$f"); nf=$(grep -c '^CHECK FAIL: ' "$f")
		if [ $rc = 0 ] && [ "$nf" = 0 ] && [ "$n" -gt 0 ] && tail -1 "$f" | grep -q '^reboot scenario: '; then
			pass "simhost $series boot $phase: $n scenario checks"
		else
			grep '^CHECK FAIL: ' "$f" | sed 's/^/    /'
			fail "simhost $series boot $phase: exit $rc, $nf of $((n + nf)) checks failed (see $f)"
		fi
	done
	s1=$(last_summary "$OUT/sim-$series-reboot1.txt"); s2=$(last_summary "$OUT/sim-$series-reboot2.txt")
	if [ -n "$s1" ] && [ "$s1" = "$s2" ]; then
		pass "simhost $series: the second boot reached the first boot's state"
	else
		diff <(echo "$s1") <(echo "$s2") | sed 's/^/    /'
		fail "simhost $series: the second boot did not reach the first boot's state"
	fi
done
finish
