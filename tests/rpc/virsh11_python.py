#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""python3-libvirt against virtccwd on a simulated host (virsh11-e2e.sh).

    virsh11_python.py URI NEW_CLIENT

NEW_CLIENT 1: python3-libvirt >= 10.1 (Debian 13: 11.3), whose
virNodeDevice.update() and the XML_INACTIVE / PERSISTENT / TRANSIENT
flags are checked too; 0: python3-libvirt 9.0 (Debian 12), the calls it
has. Prints one line per check; exit status 1 if any failed.
"""
import sys

import libvirt

URI, NEW = sys.argv[1], sys.argv[2] == "1"
UUID = "d6c3b0e2-7c4e-4a53-9f0c-51a2b1c0e7a4"
NAME = "mdev_" + UUID.replace("-", "_") + "_0_0_0017"
DEF_XML = f"""<device>
  <parent>css_0_0_0017</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>{UUID}</uuid>
  </capability>
</device>"""
failed = 0


def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1


def error_of(fn):
    try:
        fn()
    except libvirt.libvirtError as e:
        return e.get_error_message()
    return None


libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(URI)
check(conn.getLibVersion() == 11003000, "getLibVersion is 11003000 (libvirt 11.3.0)")
check(conn.getType() == "nodedev", "getType")
css = conn.nodeDeviceLookupByName("css_0_0_0017")
css.dettach()
check("mdev_types" in css.listCaps(), "css_0_0_0017 offers mdev types once on vfio_ccw")
dev = conn.nodeDeviceDefineXML(DEF_XML, 0)
check(dev.name() == NAME, "nodeDeviceDefineXML: " + dev.name())
check(dev.isPersistent() == 1 and dev.isActive() == 0, "defined, inactive")
# defining it again updates the definition (libvirt 10.1+)
dev = conn.nodeDeviceDefineXML(DEF_XML.replace("<uuid>", "<start type='auto'/><uuid>"), 0)
check(dev.autostart() == 1, "defined again with <start type='auto'/>: autostart")

F = libvirt
# python3-libvirt 9.0 lacks some names; the values are the same on the wire
PERSISTENT = getattr(F, "VIR_CONNECT_LIST_NODE_DEVICES_PERSISTENT", 1 << 28)
TRANSIENT = getattr(F, "VIR_CONNECT_LIST_NODE_DEVICES_TRANSIENT", 1 << 29)
mdevs = F.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV
names = lambda flags: sorted(d.name() for d in conn.listAllDevices(flags))
check(names(mdevs | F.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE) == [NAME], "list inactive mdevs")
check(names(mdevs | F.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE) == [], "list active mdevs")
check(names(mdevs | PERSISTENT |
            F.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE) == [NAME], "list persistent")
check(names(mdevs | TRANSIENT |
            F.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE) == [], "list transient")
check(conn.listDevices("mdev", 0) == [], "listDevices('mdev'): active only")
check(conn.numOfDevices("mdev", 0) == 0, "numOfDevices('mdev')")
err = error_of(lambda: conn.listAllDevices(1 << 27))
check(err == "invalid argument: unsupported flags (0x8000000) in function "
             "nodeConnectListAllNodeDevices", f"an undefined list flag: {err}")

if NEW:
    xml = dev.XMLDesc(F.VIR_NODE_DEVICE_XML_INACTIVE)
    check("<parent_addr>0.0.0017</parent_addr>" in xml and "<path>" not in xml,
          "XMLDesc(XML_INACTIVE)")
    err = error_of(lambda: css.XMLDesc(F.VIR_NODE_DEVICE_XML_INACTIVE))
    check(err == "Requested operation is not valid: node device 'css_0_0_0017' is not persistent",
          f"XMLDesc(XML_INACTIVE) of a css device: {err}")
    new = xml.replace("</capability>", "<attr name='a' value='b'/></capability>")
    dev.update(new, F.VIR_NODE_DEVICE_UPDATE_AFFECT_CONFIG)
    check("<attr name='a' value='b'/>" in dev.XMLDesc(F.VIR_NODE_DEVICE_XML_INACTIVE),
          "update(AFFECT_CONFIG): the attribute is in the definition")
    check(dev.autostart() == 0, "update writes start manual (libvirt's XML has no <start>)")
    dev.update(xml, F.VIR_NODE_DEVICE_UPDATE_AFFECT_CURRENT)
    check("<attr " not in dev.XMLDesc(0), "update(AFFECT_CURRENT) of an inactive device: config")
    err = error_of(lambda: dev.update(xml, 4))
    check(err == "invalid argument: unsupported flags (0x4) in function nodeDeviceUpdate",
          f"update with an undefined flag: {err}")
    err = error_of(lambda: dev.update(xml, F.VIR_NODE_DEVICE_UPDATE_AFFECT_LIVE))
    check(err == "Requested operation is not valid: node device is not active",
          f"update(AFFECT_LIVE) of an inactive device: {err}")
    err = error_of(lambda: dev.update(xml.replace("css_0_0_0017", "css_0_0_0009"),
                                      F.VIR_NODE_DEVICE_UPDATE_AFFECT_CONFIG))
    check(err == f"unsupported configuration: Cannot update device '{NAME}', parent address "
                 "mismatch (current parent address '0.0.0017')", f"another parent: {err}")
dev.create(0)
check(dev.isActive() == 1, "create(): started")
dev.setAutostart(0)
check(dev.autostart() == 0, "setAutostart(0)")
dev.destroy()
dev.undefine()
check(error_of(lambda: conn.nodeDeviceLookupByName(NAME)) is not None, "gone after undefine")
css.reAttach()
conn.close()
sys.exit(1 if failed else 0)
