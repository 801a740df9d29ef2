# Every device's XML (active and inactive) must validate against Debian's
# libvirt 9.0 nodedev schema (what virt-xml-validate FILE nodedev uses),
# checked with one xmllint run. Sourced by scenario sh lines.
rng=/usr/share/libvirt/schemas/nodedev.rng
[ -r "$rng" ] && command -v xmllint >/dev/null || { echo "libvirt's nodedev schema missing"; exit 0; }
dir=$(mktemp -d); n=0
for dev in $("$VIRTCCW" --root "$ROOT" nodedev-list --all 2>/dev/null); do
  "$VIRTCCW" --root "$ROOT" nodedev-dumpxml "$dev" > "$dir/$dev.xml" 2>/dev/null
  "$VIRTCCW" --root "$ROOT" nodedev-dumpxml --inactive "$dev" > "$dir/$dev-inactive.xml" 2>/dev/null
  n=$((n + 2))
done
if xmllint --noout --relaxng "$rng" "$dir"/*.xml > "$dir/log" 2>&1; then
  echo "$n documents validate"
else
  grep -v ' validates$' "$dir/log"
fi
rm -rf "$dir"
