# Every device's XML (active, and inactive for persistent ones: libvirt
# 10.1+ refuses --inactive for the others) must validate against Debian's
# libvirt 9.0 nodedev schema (what virt-xml-validate FILE nodedev uses),
# checked with one xmllint run. Sourced by scenario sh lines.
rng=/usr/share/libvirt/schemas/nodedev.rng
[ -r "$rng" ] && command -v xmllint >/dev/null || { echo "libvirt's nodedev schema missing"; exit 0; }
dir=$(mktemp -d); n=0
for dev in $("$VIRTCCW" --root "$ROOT" nodedev-list --all 2>/dev/null); do
  "$VIRTCCW" --root "$ROOT" nodedev-dumpxml "$dev" > "$dir/$dev.xml" 2>/dev/null
  n=$((n + 1))
  if "$VIRTCCW" --root "$ROOT" nodedev-dumpxml --inactive "$dev" > "$dir/$dev-inactive.xml" 2>/dev/null; then
    n=$((n + 1))
  else
    rm -f "$dir/$dev-inactive.xml"
  fi
done
if xmllint --noout --relaxng "$rng" "$dir"/*.xml > "$dir/log" 2>&1; then
  echo "$n documents validate"
else
  grep -v ' validates$' "$dir/log"
fi
rm -rf "$dir"
