#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What OpenStack Nova does with node devices, through Debian's python3-libvirt
(libvirt 9.0), against virtccwd built with the fake node-device driver.

    nova-e2e.py VIRTCCWD

Prints "N passed, N failed" last; exits 77 (skip) without python3-libvirt
(1 under CI=true).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

try:
    import libvirt
except ImportError:
    # a missing prerequisite fails under CI=true (install-deps.sh installs it)
    if os.environ.get("CI") == "true":
        print("FAIL: prerequisite missing under CI=true: python3-libvirt not installed")
        sys.exit(1)
    print("python3-libvirt not installed: skipping")
    sys.exit(77)

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def expect_error(fn, code, domain, text, what):
    try:
        fn()
    except libvirt.libvirtError as e:
        check(e.get_error_code() == code and e.get_error_domain() == domain and
              text in str(e), "%s: %s (code %d domain %d)" %
              (what, e, e.get_error_code(), e.get_error_domain()))
        return
    check(False, what + ": no error")


MDEV_XML = """<device>
  <parent>{parent}</parent>
  <capability type='mdev'>
    <type id='vfio_ccw-io'/>
    <uuid>{uuid}</uuid>
  </capability>
</device>
"""


def mdev_name(uuid, parent_addr):
    return "mdev_%s_%s" % (uuid.replace("-", "_"), parent_addr.replace(".", "_"))


def main():
    daemon = sys.argv[1]
    tmp = tempfile.mkdtemp()
    os.mkdir(tmp + "/root")
    sock = tmp + "/sock"
    proc = subprocess.Popen([daemon, "--root", tmp + "/root",
                             "--socket", sock, "--socket-ro", sock + "-ro"],
                            stderr=open(tmp + "/log", "w"))
    try:
        for _ in range(100):
            if os.path.exists(sock + "-ro"):
                break
            time.sleep(0.05)
        run(sock)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run(sock):
    libvirt.registerErrorHandler(lambda opaque, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()

    uri = "nodedev+unix:///system?socket=" + sock
    conn = libvirt.open(uri)
    check(conn.getURI() == uri, "getURI " + conn.getURI())
    check(conn.getLibVersion() == 11003000, "getLibVersion (libvirt 11.3.0)")
    check(conn.isSecure() == 1, "isSecure")
    check(conn.isAlive() == 1, "isAlive")
    check(conn.getType() == "nodedev", "getType " + conn.getType())

    events = []
    cb = conn.nodeDeviceEventRegisterAny(
        None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
        lambda c, dev, event, detail, opaque: events.append((dev.name(), event)), None)

    # Nova's _get_mdev_capable_devices: listDevices('mdev_types') + XML
    parents = conn.listDevices("mdev_types", 0)
    check(parents == ["css_0_0_0052", "css_0_0_0053", "css_0_0_0054"],
          "listDevices('mdev_types') %s" % parents)
    types = {}
    for name in parents:
        x = ET.fromstring(conn.nodeDeviceLookupByName(name).XMLDesc(0))
        for t in x.findall("./capability/capability[@type='mdev_types']/type"):
            types[(name, t.get("id"))] = int(t.findtext("availableInstances"))
    check(types == {("css_0_0_0052", "vfio_ccw-io"): 1, ("css_0_0_0053", "vfio_ccw-io"): 0,
                    ("css_0_0_0054", "vfio_ccw-io"): 1}, "mdev types %s" % types)

    # Nova's _get_mediated_devices: listDevices('mdev') + XML
    mdevs = conn.listDevices("mdev", 0)
    check(mdevs == [mdev_name("11111111-1111-4111-8111-111111111111", "0.0.0053")],
          "listDevices('mdev') %s" % mdevs)
    x = ET.fromstring(conn.nodeDeviceLookupByName(mdevs[0]).XMLDesc(0))
    check(x.findtext("./capability[@type='mdev']/uuid") ==
          "11111111-1111-4111-8111-111111111111", "mdev uuid in XML")
    check(x.findtext("parent") == "css_0_0_0053", "mdev parent in XML")
    check(conn.numOfDevices("mdev", 0) == 1, "numOfDevices('mdev')")
    check(conn.numOfDevices(None, 0) == 8, "numOfDevices(None) %d" % conn.numOfDevices(None, 0))

    # Nova's _get_all_assigned... / persistent mdevs: listAllDevices(MDEV|INACTIVE)
    flags = (libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV |
             libvirt.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE)
    inactive = [d.name() for d in conn.listAllDevices(flags)]
    check(inactive == [mdev_name("22222222-2222-4222-8222-222222222222", "0.0.0054")],
          "listAllDevices(MDEV|INACTIVE) %s" % inactive)
    all_devs = conn.listAllDevices(0)
    check(len(all_devs) == 9, "listAllDevices(0): active and inactive (%d)" % len(all_devs))
    pers = conn.listAllDevices(getattr(libvirt, "VIR_CONNECT_LIST_NODE_DEVICES_PERSISTENT", 1 << 28))
    check([d.name() for d in pers] == inactive, "listAllDevices(PERSISTENT)")

    # Nova's _create_mdev (libvirt >= 7.3): nodeDeviceDefineXML, setAutostart, create
    uuid = "90c6c135-ad44-41d0-b1b7-bae47de48627"
    name = mdev_name(uuid, "0.0.0052")
    dev = conn.nodeDeviceDefineXML(MDEV_XML.format(parent="css_0_0_0052", uuid=uuid), 0)
    check(dev.name() == name, "nodeDeviceDefineXML -> " + dev.name())
    check(dev.isPersistent() == 1 and dev.isActive() == 0, "defined: persistent, inactive")
    dev.setAutostart(1)
    check(dev.autostart() == 1, "setAutostart(1)")
    dev.create(0)
    check(dev.isActive() == 1, "create(): active")
    check(dev.parent() == "css_0_0_0052", "parent()")
    check(dev.listCaps() == ["mdev"] and dev.numOfCaps() == 1, "listCaps %s" % dev.listCaps())
    x = ET.fromstring(dev.XMLDesc(0))
    check(x.findtext("path") is not None, "active XML has <path>")
    x = ET.fromstring(dev.XMLDesc(getattr(libvirt, "VIR_NODE_DEVICE_XML_INACTIVE", 1)))
    check(x.findtext("path") is None, "XMLDesc(INACTIVE) has no <path>")
    types = ET.fromstring(conn.nodeDeviceLookupByName("css_0_0_0052").XMLDesc(0))
    check(types.findtext(".//availableInstances") == "0", "instance used up")
    expect_error(lambda: conn.nodeDeviceCreateXML(
        MDEV_XML.format(parent="css_0_0_0052", uuid="12345678-1234-4234-8234-123456789abc"), 0),
        libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_FROM_NODEDEV, "no instance",
        "create on a full parent")
    dev.destroy()
    check(dev.isActive() == 0 and dev.isPersistent() == 1, "destroy: defined stays")
    dev.undefine(0)
    expect_error(lambda: conn.nodeDeviceLookupByName(name), libvirt.VIR_ERR_NO_NODE_DEVICE,
                 libvirt.VIR_FROM_NODEDEV,
                 "Node device not found: no node device with matching name '%s'" % name,
                 "lookup after undefine")

    # older Nova: nodeDeviceCreateXML (transient)
    dev = conn.nodeDeviceCreateXML(MDEV_XML.format(parent="css_0_0_0052", uuid=uuid), 0)
    check(dev.name() == name and dev.isActive() == 1 and dev.isPersistent() == 0,
          "nodeDeviceCreateXML: active, transient")
    expect_error(lambda: dev.setAutostart(1), libvirt.VIR_ERR_OPERATION_INVALID,
                 libvirt.VIR_FROM_NODEDEV, "transient", "autostart of a transient mdev")
    dev.destroy()
    expect_error(lambda: conn.nodeDeviceLookupByName(name), libvirt.VIR_ERR_NO_NODE_DEVICE,
                 libvirt.VIR_FROM_NODEDEV, name, "transient gone after destroy")

    # libvirt's texts for bad input
    expect_error(lambda: conn.nodeDeviceDefineXML(
        MDEV_XML.format(parent="css_0_0_0052", uuid=uuid).replace(
            "css_0_0_0052", "css_0_0_9999"), 0),
        libvirt.VIR_ERR_CONFIG_UNSUPPORTED, libvirt.VIR_FROM_NODEDEV,
        "unsupported configuration: invalid parent device 'css_0_0_9999'", "bad parent")
    expect_error(lambda: conn.nodeDeviceCreateXML("<device>", 0),
                 libvirt.VIR_ERR_XML_ERROR, libvirt.VIR_FROM_NODEDEV, "Premature end of data",
                 "malformed XML")
    expect_error(lambda: conn.listAllDevices(1 << 25), libvirt.VIR_ERR_INVALID_ARG,
                 libvirt.VIR_FROM_NODEDEV, "unsupported flags", "unknown flag")
    expect_error(lambda: conn.listAllDomains(0), libvirt.VIR_ERR_NO_SUPPORT, 0,
                 "virConnectListAllDomains", "domain API")

    # subchannel binding as virNodeDeviceDettach / ReAttach
    css = conn.nodeDeviceLookupByName("css_0_0_fffd")
    css.dettach()
    check("vfio_ccw" in css.XMLDesc(0), "dettach: bound to vfio_ccw")
    css.reAttach()
    check("io_subchannel" in css.XMLDesc(0), "reAttach: io_subchannel")
    css.detachFlags("vfio", 0)
    check("vfio_ccw" in css.XMLDesc(0), "detachFlags('vfio')")

    # events seen by the callback
    deadline = time.time() + 5
    want = [(name, libvirt.VIR_NODE_DEVICE_EVENT_DEFINED),
            (name, libvirt.VIR_NODE_DEVICE_EVENT_CREATED),
            (name, libvirt.VIR_NODE_DEVICE_EVENT_DELETED),
            (name, libvirt.VIR_NODE_DEVICE_EVENT_UNDEFINED),
            (name, libvirt.VIR_NODE_DEVICE_EVENT_CREATED),
            (name, libvirt.VIR_NODE_DEVICE_EVENT_DELETED)]
    while time.time() < deadline and len(events) < len(want):
        time.sleep(0.05)
    check(events == want, "lifecycle events %s" % events)
    conn.nodeDeviceEventDeregisterAny(cb)

    # read-only socket
    ro = libvirt.openReadOnly("nodedev+unix:///system?socket=" + sock + "-ro")
    check(len(ro.listAllDevices(0)) == 9, "read-only: list")
    expect_error(lambda: ro.nodeDeviceCreateXML(
        MDEV_XML.format(parent="css_0_0_0052", uuid=uuid), 0),
        libvirt.VIR_ERR_OPERATION_DENIED, libvirt.VIR_FROM_NODEDEV, "read only",
        "read-only: create refused")
    rw_on_ro = libvirt.open("nodedev+unix:///system?socket=" + sock + "-ro")
    expect_error(lambda: rw_on_ro.nodeDeviceCreateXML(
        MDEV_XML.format(parent="css_0_0_0052", uuid=uuid), 0),
        libvirt.VIR_ERR_OPERATION_DENIED, libvirt.VIR_FROM_NODEDEV,
        "read only access prevents virNodeDeviceCreateXML",
        "read-only socket, read-write open: the daemon refuses")
    rw_on_ro.close()
    ro.close()

    # a close callback and a clean close
    conn.registerCloseCallback(lambda c, reason, opaque: None, None)
    conn.unregisterCloseCallback()
    check(conn.close() >= 0, "close")
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
