#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virtccwd starts like libvirt's daemons (virtnodedevd, libvirtd): in the
# foreground unless -d, -f/--config FILE, -p/--pid-file, -t/--timeout,
# -v/--verbose, -V/--version; --foreground stays accepted (a no-op).
#
#   daemon-options.sh VIRTCCWD
set -uo pipefail
daemon=$(realpath "$1")
tmp=$(mktemp -d)
passed=0 failed=0
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -s "$tmp/pid" ] && kill "$(cat "$tmp/pid")" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok - $1"; passed=$((passed + 1)); }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }
# bounded waits: 20 s, for a machine busy with other jobs (they return as
# soon as the condition holds)
wait_for() { for _ in $(seq 400); do eval "$1" && return 0; sleep 0.05; done; return 1; }
mkdir -p "$tmp/root"
base=(--root "$tmp/root" --no-autostart)

# -V / --version
out=$("$daemon" -V); rc=$?
check "-V prints the version ($out)" test $rc = 0 -a -n "$out"
check "--version as -V" test "$("$daemon" --version)" = "$out"

# the foreground is the default: the process we started is the daemon
"$daemon" "${base[@]}" --socket "$tmp/fg" > "$tmp/fg.log" 2>&1 &
fg=$!; pids+=("$fg")
check "foreground by default: listens" wait_for "[ -S '$tmp/fg' ]"
check "foreground by default: still our child" kill -0 "$fg"
kill "$fg"; wait "$fg" 2>/dev/null
check "SIGTERM ends it" bash -c "! kill -0 $fg 2>/dev/null"

# --foreground: accepted, no effect
"$daemon" "${base[@]}" --foreground --socket "$tmp/fg2" > "$tmp/fg2.log" 2>&1 &
fg2=$!; pids+=("$fg2")
check "--foreground accepted (old scripts)" wait_for "[ -S '$tmp/fg2' ]"
kill "$fg2"; wait "$fg2" 2>/dev/null

# -d detaches once listening; -p writes the daemon's pid, locked
"$daemon" "${base[@]}" -d -p "$tmp/pid" --socket "$tmp/d"; rc=$?
check "-d returns 0 once the daemon listens" test $rc = 0 -a -S "$tmp/d"
dpid=$(cat "$tmp/pid" 2>/dev/null)
check "-p names the detached daemon ($dpid)" kill -0 "${dpid:-0}"
"$daemon" "${base[@]}" -p "$tmp/pid" --socket "$tmp/d2" > "$tmp/d2.log" 2>&1; rc=$?
check "a second daemon on the same pid file refuses" \
  grep -q "Failed to acquire pid file '$tmp/pid'" "$tmp/d2.log"
check "... with status 1" test $rc = 1
kill "$dpid" 2>/dev/null
check "the pid file goes with the daemon" wait_for "[ ! -e '$tmp/pid' ]"

# -t: exit after SECS without a client
start=$SECONDS
timeout 20 "$daemon" "${base[@]}" -t 1 --socket "$tmp/t" > "$tmp/t.log" 2>&1; rc=$?
check "-t 1 exits by itself when idle (status $rc, $((SECONDS - start)) s)" test $rc = 0

# -f/--config FILE: virtnodedevd.conf's settings; others are ignored
cat > "$tmp/conf" <<EOF
# a virtnodedevd.conf
unix_sock_dir = "$tmp/sockdir"
unix_sock_ro_perms = "0660"
unix_sock_rw_perms = "0600"
max_clients = 7
keepalive_interval = -1
log_filters = "1:util 2:rpc"
log_outputs = "3:stderr"
admin_unix_sock_dir = [ "ignored", "too" ]
EOF
mkdir -p "$tmp/sockdir"
"$daemon" "${base[@]}" -f "$tmp/conf" > "$tmp/f.log" 2>&1 &
fp=$!; pids+=("$fp")
check "-f: unix_sock_dir places the sockets" wait_for "[ -S '$tmp/sockdir/virtccwd-sock-ro' ]"
check "-f: unix_sock_ro_perms" test "$(stat -c %a "$tmp/sockdir/virtccwd-sock-ro" 2>/dev/null)" = 660
check "-f: unix_sock_rw_perms" test "$(stat -c %a "$tmp/sockdir/virtccwd-sock" 2>/dev/null)" = 600
kill "$fp"; wait "$fp" 2>/dev/null
"$daemon" "${base[@]}" --config "$tmp/nope" --socket "$tmp/x" > "$tmp/nope.log" 2>&1; rc=$?
check "--config of a missing file: status 1" test $rc = 1
check "... naming it" grep -q "Failed to open file '$tmp/nope'" "$tmp/nope.log"
printf 'max_clients = \n' > "$tmp/bad.conf"
"$daemon" "${base[@]}" -f "$tmp/bad.conf" --socket "$tmp/x" > "$tmp/bad.log" 2>&1
check "a syntax error names file and line" \
  grep -q "configuration file syntax error: $tmp/bad.conf:1: expecting a value" "$tmp/bad.log"
printf 'max_clients = "many"\n' > "$tmp/bad2.conf"
"$daemon" "${base[@]}" -f "$tmp/bad2.conf" --socket "$tmp/x" > "$tmp/bad2.log" 2>&1
check "a wrong value names file, line and setting" \
  grep -q "$tmp/bad2.conf:1: max_clients: expected an integer" "$tmp/bad2.log"
"$daemon" "${base[@]}" -f > /dev/null 2>&1; rc=$?
check "-f without FILE (the old 'foreground') is a usage error, status 2" test $rc = 2

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
