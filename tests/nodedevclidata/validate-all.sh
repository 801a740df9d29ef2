# Every device's XML (active, and inactive for persistent ones: libvirt
# 10.1+ refuses --inactive for the others) must validate against Debian 12's
# libvirt 9.0 nodedev schema (what virt-xml-validate FILE nodedev uses),
# checked with one xmllint run. Sourced by scenario sh lines; an argument
# narrows the devices to those of virtccw nodedev-list --cap ARG.
# Documents with libvirt 11.1+ content (ccwgroup devices, the ccwgroup_member
# capability of their ccw members, the <state> of ccw devices listed as
# libvirt 11.3 lists them), which 9.0's schema does not know, are
# validated against libvirt 11.3's schema instead (Debian 13's, fetched by
# scripts/fetch-libvirt-schemas.sh; $VIRTCCW_LIBVIRT11_SCHEMAS overrides):
# a host with such devices cannot pass without it.
rng=/usr/share/libvirt/schemas/nodedev.rng
rng11=${VIRTCCW_LIBVIRT11_SCHEMAS:-${XDG_CACHE_HOME:-$HOME/.cache}/virtccw-libvirt/trixie/schemas}/nodedev.rng
# Debian 13 installs 11.3's schema itself
[ -z "${VIRTCCW_LIBVIRT11_SCHEMAS:-}" ] && [ ! -r "$rng11" ] && grep -qs ccwgroup "$rng" && rng11=$rng
[ -r "$rng" ] && command -v xmllint >/dev/null || { echo "libvirt's nodedev schema missing"; exit 0; }
dir=$(mktemp -d); mkdir "$dir/9" "$dir/11"; n=0 n11=0
for dev in $("$VIRTCCW" --root "$ROOT" nodedev-list --all ${1:+--cap "$1"} 2>/dev/null); do
  for inactive in "" --inactive; do
    if ! "$VIRTCCW" --root "$ROOT" nodedev-dumpxml $inactive "$dev" > "$dir/$dev$inactive.xml" 2>/dev/null &&
       [ -n "$inactive" ]; then
      rm -f "$dir/$dev$inactive.xml"; continue
    fi
    if grep -q -e "type='ccwgroup" -e "<state>" "$dir/$dev$inactive.xml"; then
      mv "$dir/$dev$inactive.xml" "$dir/11/"; n11=$((n11 + 1))
    else
      mv "$dir/$dev$inactive.xml" "$dir/9/"; n=$((n + 1))
    fi
  done
done
bad=0
# (none when every document is 11.3's: ccw devices with <state>)
if [ "$n" -gt 0 ] && ! xmllint --noout --relaxng "$rng" "$dir"/9/*.xml > "$dir/log" 2>&1; then
  grep -v ' validates$' "$dir/log"; bad=1
fi
if [ "$n11" -gt 0 ]; then
  if [ ! -r "$rng11" ]; then
    echo "libvirt 11.3's nodedev schema missing ($rng11): run scripts/fetch-libvirt-schemas.sh"; bad=1
  elif ! xmllint --noout --relaxng "$rng11" "$dir"/11/*.xml > "$dir/log" 2>&1; then
    grep -v ' validates$' "$dir/log"; bad=1
  fi
fi
if [ "$bad" = 0 ] && [ "$n11" = 0 ]; then
  echo "$n documents validate"
elif [ "$bad" = 0 ]; then
  echo "$n documents validate against libvirt 9.0's schema, $n11 (ccwgroup, <state>) against libvirt 11.3's"
fi
rm -rf "$dir"
