#!/bin/bash
# check-libvirt.sh - compare our expected node-device results with libvirt 9.0.
#
# Needs Debian 12's virsh (libvirt-clients 9.0) and xmllint; no daemon, no root:
# it uses libvirt's "test" driver, which parses node devices with libvirt's own
# parser (whole documents from a test:///FILE config; nodedev-create XML from
# test:///default) and formats them with libvirt's own formatter.
#
# For every tests/nodedevxml2xmldata/NAME.xml:
#   whole documents  libvirt's `nodedev-dumpxml` must equal out/NAME.xml once
#                    <driver> and <parent_addr> are dropped from ours (libvirt's
#                    parser never reads them), or libvirt's error out/NAME.err
#   create-/define-  libvirt's `nodedev-create` error must equal out/NAME.err; where
#                    libvirt's parser accepts the XML, the test driver can only answer
#                    "Device is not a fibre channel HBA" (the checks after parsing,
#                    "missing parent device" and "Unsupported device type", belong
#                    to the real node-device driver and are taken from its source)
# Cases listed in VIRTCCW_ONLY differ on purpose (tests/nodedev-vs-libvirt.md).
# Not run by CI. Usage: check-libvirt.sh [NAME...]
set -u

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Deliberately stricter than libvirt 9.0 (it accepts these, or ignores the part).
VIRTCCW_ONLY=$(echo err_capability_pci err_ccw_nested_capability err_css_nested_unknown \
  err_css_cssid_range err_css_ssid_range err_css_devno_range err_devnode \
  err_mdev_attr_no_value err_mdev_start_bogus err_mdev_start_no_type err_mdev_unknown_child \
  err_parent_wwnn err_system_vendor err_two_capabilities err_two_names \
  mdev_attr_escape create-scsi-host define-start-bogus)
# libvirt 11.1+ content (ccwgroup devices, ccwgroup_member, <state>): 9.0 refuses
# or ignores it; these follow libvirt 11.3's parser (docs/formatnode-ccw.rst).
VIRTCCW_ONLY="$VIRTCCW_ONLY $(cd "$here" && ls ccwgroup_*.xml ccw_member.xml ccw_offline*.xml err_ccwgroup_*.xml \
  err_ccw_bad_state.xml create-ccwgroup.xml 2>/dev/null | sed 's/\.xml$//' | tr '\n' ' ')"
# Whole documents whose error comes from reading the document: a test:///FILE
# config would report its own file, so they go through nodedev-create, which
# reads them the same way.
VIA_CREATE=$(echo err_malformed err_root_domain)

command -v virsh >/dev/null && command -v xmllint >/dev/null || {
    echo "check-libvirt.sh: needs virsh (libvirt-clients) and xmllint" >&2; exit 77; }

strip_ours() {
    sed -e '/^  <driver>$/,/^  <\/driver>$/d' -e '/<parent_addr>/d' "$1"
}

# The last "error: " line of virsh's stderr without the prefix, and any lines
# after it (libvirt's XML syntax errors have two more).
lasterr() {
    awk '/^error: /{buf=substr($0, 8); next} buf!=""{buf=buf "\n" $0} END{printf "%s", buf}'
}

pass=0 fail=0 skip=0
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$here" && ls *.xml | sed 's/\.xml$//'))
for name in "${names[@]}"; do
    in=$here/$name.xml
    case " $VIRTCCW_ONLY " in *" $name "*) echo "skip  $name (virtccw differs on purpose)"; skip=$((skip+1)); continue ;; esac
    kind=$name
    case " $VIA_CREATE " in *" $name "*) kind=create-$name ;; esac
    case $kind in
    create-*|define-*)
        got=$(virsh -c test:///default nodedev-create "$in" 2>&1 | lasterr)
        if [ "$got" = "internal error: Device is not a fibre channel HBA" ]; then
            if [ -f "$out/$name.def" ] || grep -qx -e 'unsupported configuration: missing parent device' \
                 -e 'unsupported configuration: Unsupported device type' "$out/$name.err" 2>/dev/null; then
                echo "ok    $name (parsed by libvirt; the rest is the real driver's)"; pass=$((pass+1))
            else
                echo "FAIL  $name: libvirt parses it, we say: $(cat "$out/$name.err")"; fail=$((fail+1))
            fi
            continue
        fi
        if [ -f "$out/$name.err" ] && [ "$(cat "$out/$name.err")" = "$got" ]; then
            echo "ok    $name"; pass=$((pass+1))
        else
            echo "FAIL  $name: libvirt: $got"; fail=$((fail+1))
        fi
        ;;
    *)
        devname=$(xmllint --xpath 'string(/device/name)' "$in" 2>/dev/null)
        { echo "<node>"; cat "$in"; echo "</node>"; } > "$tmp/node.xml"
        res=$(virsh -q -c "test://$tmp/node.xml" nodedev-dumpxml "${devname:-x}" 2>&1)
        if [ -f "$out/$name.err" ]; then
            got=$(printf '%s\n' "$res" | lasterr)
            if [ "$(cat "$out/$name.err")" = "$got" ]; then
                echo "ok    $name"; pass=$((pass+1))
            else
                echo "FAIL  $name: libvirt: ${got:-$res}"; fail=$((fail+1))
            fi
        elif [ "$res" = "$(strip_ours "$out/$name.xml")" ]; then
            echo "ok    $name"; pass=$((pass+1))
        else
            echo "FAIL  $name:"; diff <(printf '%s\n' "$res") <(strip_ours "$out/$name.xml"); fail=$((fail+1))
        fi
        ;;
    esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
