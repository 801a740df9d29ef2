#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The virtccw binary and its commands module (tools/virtccw.c):
# - the binary does not load libxml2 (nor ICU, libstdc++): that is the
#   point of the split, a short nodedev-list starts about 1 ms sooner;
# - nodedev-list works without the module, every other command needs it
#   and says which file it could not load;
# - a module of another build is refused, by name and version;
# - GLib and json-c: with -Dcli_static (LINK = static) the binary needs
#   neither libglib-2.0.so nor libjson-c.so and exports none of their
#   symbols (the module's must bind to its own shared copies); with
#   LINK = shared it needs both .so.
# usage: cli-module-test.sh VIRTCCW COMMANDS_MODULE OTHER_VERSION_MODULE LINK
set -u
virtccw=$1 module=$2 other=$3 link=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
check() {   # check NAME CONDITION-STATUS DETAIL
  n=$((n + 1))
  if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "# $3"; failed=$((failed + 1)); fi
}

needed=$(readelf -d "$virtccw" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed" in
  *" libxml2"*|*" libicu"*|*" libstdc++"*) r=1 ;;
  *) r=0 ;;
esac
check "virtccw loads no libxml2, ICU or libstdc++ at start" $r "NEEDED: $needed"
case "$link: $needed" in
  "shared:"*" libglib-2.0"*" libjson-c"*|"shared:"*" libjson-c"*" libglib-2.0"*) r=0 ;;
  "static:"*" libglib-2.0"*|"static:"*" libjson-c"*) r=1 ;;
  "static:"*" libc.so"*) r=0 ;;   # (readelf did read the binary)
  *) r=1 ;;
esac
check "GLib and json-c linked $link (readelf: the binary's libraries)" $r "NEEDED: $needed"
if [ "$link" = static ]; then
  exported=$(readelf --dyn-syms -W "$virtccw" |
    awk '$7 != "UND" && $8 ~ /^(g_|json_|lh_|array_list_|printbuf_)/ { print $8 }' | head -5 | tr '\n' ' ')
  [ -z "$exported" ]; check "the binary exports none of its static GLib's and json-c's symbols" $? "exported: $exported"
fi

# the binary alone, no module beside it (and none installed where this
# build would look, unless a virtccw of this version is installed)
mkdir -p "$tmp/alone" "$tmp/root"
cp "$virtccw" "$tmp/alone/virtccw"
out=$("$tmp/alone/virtccw" --root "$tmp/root" nodedev-list 2>&1); r=$?
[ $r = 0 ] && [ "$out" = "computer" ]; check "nodedev-list runs without the module" $? "exit $r: $out"
out=$("$tmp/alone/virtccw" --root "$tmp/root" nodedev-dumpxml computer 2>&1); r=$?
if [ $r = 0 ]; then
  check "without the module beside it, a command loads the installed one" 0 ""
else
  [ $r = 1 ] && [[ "$out" == "virtccw: cannot load the commands module: "*virtccw-commands.so* ]]
  check "without the module: exit 1, naming the file it could not load" $? "exit $r: $out"
fi

# the module beside the binary
mkdir -p "$tmp/both"
cp "$virtccw" "$module" "$tmp/both/"
out=$("$tmp/both/virtccw" --root "$tmp/root" nodedev-dumpxml computer 2>&1); r=$?
[ $r = 0 ] && [[ "$out" == *"<name>computer</name>"* ]]; check "the module beside the binary runs the other commands" $? "exit $r: $out"
out=$("$tmp/both/virtccw" --help 2>&1); r=$?
[ $r = 0 ] && [[ "$out" == *"nodedev-list [--cap LIST]"* ]] && [[ "$out" == *"domxml-to-native"* ]]
check "--help lists every command, nodedev-list among them" $? "exit $r: $out"
out=$("$tmp/both/virtccw" no-such-command 2>&1); r=$?
[ $r = 2 ] && [[ "$out" == "virtccw: unknown command 'no-such-command'"* ]]
check "an unknown command: exit 2, usage" $? "exit $r: $out"

# a module of another build
mkdir -p "$tmp/other"
cp "$virtccw" "$tmp/other/"
cp "$other" "$tmp/other/virtccw-commands.so"
out=$("$tmp/other/virtccw" --root "$tmp/root" nodedev-dumpxml computer 2>&1); r=$?
[ $r = 1 ] && [[ "$out" == *"is of virtccw 0.0-other, this is virtccw "* ]]
check "a module of another version is refused, by version" $? "exit $r: $out"
out=$("$tmp/other/virtccw" --root "$tmp/root" nodedev-list 2>&1); r=$?
[ $r = 0 ]; check "nodedev-list does not need any module" $? "exit $r: $out"

# not a module at all
mkdir -p "$tmp/junk"
cp "$virtccw" "$tmp/junk/"
echo "not ELF" > "$tmp/junk/virtccw-commands.so"
out=$("$tmp/junk/virtccw" validate x.xml 2>&1); r=$?
[ $r = 1 ] && [[ "$out" == "virtccw: cannot load the commands module: "* ]]
check "a file that is not a shared object: exit 1, the loader's reason" $? "exit $r: $out"

echo "1..$n"
[ $failed = 0 ]
