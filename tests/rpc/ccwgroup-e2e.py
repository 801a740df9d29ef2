#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ccwgroup devices (libvirt 11.1+) through Debian's python3-libvirt against
virtccwd with the REAL node-device driver on a simulated LPAR.

    ccwgroup-e2e.py VIRTCCWD SIMHOST VIRTCCW

python3-libvirt 9.0 (Debian 12) has no VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCWGROUP_*
constants but passes the integer through, as 11.3's does: listAllDevices(1 << 22)
must list the qeth groups, 1 << 23 their members, and each answer must equal the
CLI's on the same host (both follow libvirt 11.3 by default); a group
ungrouped and regrouped behind the daemon's back (the simulated kernel's uevents)
must leave and come back, its members listed while it is offline (libvirt
10.5+ lists offline ccw devices); a ccw device set offline keeps its state until
a trigger, as with libvirt 11.3's udev backend; the old listing calls by
capability name (virNodeListDevices) agree with listAllDevices. Prints "N passed, N failed" last; exits 77 without
python3-libvirt or FUSE (a failure when CI=true).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

CAP_CCWGROUP_DEV = 1 << 22       # libvirt-nodedev.h, Since: 11.1.0
CAP_CCWGROUP_MEMBER = 1 << 23
CAP_CCW_DEV = 1 << 15


def skip(why):
    print(why)
    sys.exit(1 if os.environ.get("CI") == "true" else 77)


try:
    import libvirt
except ImportError:
    skip("python3-libvirt not installed: skipping")

if not os.path.exists("/dev/fuse") or not shutil.which("fusermount3"):
    skip("no FUSE: skipping")

daemon, simhost, virtccw = (os.path.realpath(a) for a in sys.argv[1:4])
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


# The CLI's default release, not the caller's: the answers must agree with
# virtccwd's as they are, with no option asking for them.
cli_env = dict(os.environ)
cli_env.pop("VIRTCCW_LIBVIRT_VERSION", None)


def cli(root, *args):
    return subprocess.run([virtccw, "--root", root] + list(args), env=cli_env,
                          check=True, capture_output=True, text=True).stdout


tmp = tempfile.mkdtemp()
root = os.path.join(tmp, "root")
os.mkdir(root)
proc = None
try:
    # 200 subchannels: two qeth groups (sim_layout.h), 0.0.101d and 0.0.107d
    subprocess.run([simhost, "-n", "200", root], check=True)
    sock = os.path.join(tmp, "sock")
    proc = subprocess.Popen([daemon, "--foreground", "--root", root, "--socket", sock,
                             "--socket-ro", sock + "-ro"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(sock + "-ro"):
            break
        time.sleep(0.05)
    conn = libvirt.open("nodedev+unix:///system?socket=" + sock)

    groups = sorted(d.name() for d in conn.listAllDevices(CAP_CCWGROUP_DEV))
    check(groups == ["ccwgroup_0_0_101d", "ccwgroup_0_0_107d"], "listAllDevices(1 << 22): %s" % groups)
    check(groups == cli(root, "nodedev-list", "--cap", "ccwgroup").split(), "same as the CLI")
    members = sorted(d.name() for d in conn.listAllDevices(CAP_CCWGROUP_MEMBER))
    check(members == ["ccw_0_0_101d", "ccw_0_0_103d", "ccw_0_0_105d",
                      "ccw_0_0_107d", "ccw_0_0_109d", "ccw_0_0_10bd"],
          "listAllDevices(1 << 23): %s" % members)
    both = sorted(d.name() for d in conn.listAllDevices(CAP_CCWGROUP_DEV | CAP_CCWGROUP_MEMBER))
    check(both == sorted(groups + members), "both flags: %s" % both)
    ccws = [d.name() for d in conn.listAllDevices(CAP_CCW_DEV)]
    check(set(members) < set(ccws), "members are ccw devices")
    # the old calls by capability name (virNodeListDevices, virNodeNumOfDevices)
    check(sorted(conn.listDevices("ccwgroup", 0)) == groups, "listDevices('ccwgroup')")
    check(conn.numOfDevices("ccwgroup_member", 0) == len(members), "numOfDevices('ccwgroup_member')")
    dev = conn.nodeDeviceLookupByName("ccwgroup_0_0_101d")
    check(dev.listCaps() == ["ccwgroup"], "group caps: %s" % dev.listCaps())
    check(dev.parent() == "computer", "group parent: %s" % dev.parent())
    xml = dev.XMLDesc(0)
    check(xml == cli(root, "nodedev-dumpxml", "ccwgroup_0_0_101d"), "group XML as the CLI's")
    check("<ccw_device ref='cdev1'>ccw_0_0_103d</ccw_device>" in xml and
          "<capability type='qeth_generic'>" in xml, "group XML content")
    member = conn.nodeDeviceLookupByName("ccw_0_0_105d")
    check(member.listCaps() == ["ccw", "ccwgroup_member"], "member caps: %s" % member.listCaps())
    check("<group_device>ccwgroup_0_0_101d</group_device>" in member.XMLDesc(0), "member XML")
    # a group has no definition: libvirt 10.1+ refuses its inactive XML
    try:
        dev.XMLDesc(1)
        check(False, "inactive group XML refused")
    except libvirt.libvirtError as e:
        check("is not persistent" in str(e), "inactive group XML refused: %s" % e)
    # the distribution's virsh: 11.1+ asks by flag (--cap ccwgroup), 9.0
    # does not know the name
    if shutil.which("virsh"):
        ver = subprocess.run(["virsh", "--version"], capture_output=True, text=True).stdout.strip()
        major_minor = tuple(int(x) for x in ver.split(".")[:2]) if ver else (0, 0)
        r = subprocess.run(["virsh", "-c", "nodedev+unix:///system?socket=" + sock, "-q",
                            "nodedev-list", "--cap", "ccwgroup"], capture_output=True, text=True)
        if major_minor >= (11, 1):
            check(r.stdout.split() == groups, "virsh %s nodedev-list --cap ccwgroup: %r" % (ver, r.stdout))
            r = subprocess.run(["virsh", "-c", "nodedev+unix:///system?socket=" + sock, "-q",
                                "nodedev-list", "--cap", "ccwgroup_member"], capture_output=True, text=True)
            check(r.stdout.split() == members, "virsh %s --cap ccwgroup_member: %r" % (ver, r.stdout))
        else:
            check(r.returncode != 0 and "Invalid capability type" in r.stderr,
                  "virsh %s refuses --cap ccwgroup itself: %r" % (ver, r.stderr))

    # behind the daemon's back: set offline (no uevent, as on a real kernel:
    # the daemon, like libvirt's udev backend, keeps the state it read),
    # ungroup (uevents: the group and its members' capability go), regroup
    def write(path, text):
        with open(os.path.join(root, path), "w") as f:
            f.write(text)

    def wait_for(fn, what):
        for _ in range(100):
            if fn():
                check(True, what)
                return
            time.sleep(0.1)
        check(False, what)

    def names(flags):
        return sorted(d.name() for d in conn.listAllDevices(flags))

    write("sys/devices/qeth/0.0.107d/online", "0")
    write("sys/devices/qeth/0.0.107d/ungroup", "1")
    wait_for(lambda: names(CAP_CCWGROUP_DEV) == ["ccwgroup_0_0_101d"], "ungrouped: gone")
    wait_for(lambda: names(CAP_CCWGROUP_MEMBER) == members[:3], "ungrouped: no members of it")
    write("sys/bus/ccwgroup/drivers/qeth/group", "0.0.107d,0.0.109d,0.0.10bd")
    wait_for(lambda: names(CAP_CCWGROUP_DEV) == groups, "regrouped: back")
    check("<state>offline</state>" in conn.nodeDeviceLookupByName("ccwgroup_0_0_107d").XMLDesc(0),
          "regrouped: offline")
    # the members of the offline group: listed (libvirt 10.5+), offline
    wait_for(lambda: names(CAP_CCWGROUP_MEMBER) == members, "offline group's members listed")
    xml = conn.nodeDeviceLookupByName("ccw_0_0_109d").XMLDesc(0)
    check("<state>offline</state>" in xml and
          "<group_device>ccwgroup_0_0_107d</group_device>" in xml, "offline member XML")
    check(xml == cli(root, "nodedev-dumpxml", "ccw_0_0_109d"), "offline member XML as the CLI's")
    check(names(CAP_CCWGROUP_MEMBER) == cli(root, "nodedev-list", "--cap",
                                             "ccwgroup_member").split(),
          "members as the CLI's")

    # every ccw device, offline ones too, alike through the new and the old
    # listing calls (virsh 9.0 and python's listDevices use the old ones)
    ccws = names(CAP_CCW_DEV)
    check(ccws == sorted(conn.listDevices("ccw", 0)), "listDevices('ccw') == listAllDevices")
    check(conn.numOfDevices("ccw", 0) == len(ccws), "numOfDevices('ccw')")
    check(ccws == cli(root, "nodedev-list", "--cap", "ccw").split(), "ccw devices as the CLI's")
    offline = [n for n in ccws if "<state>offline</state>" in
               conn.nodeDeviceLookupByName(n).XMLDesc(0)]
    # 200 subchannels: the 25 at schno % 8 == 7 less the 6 CHSC ones
    # (schno % 32 == 31) are offline DASDs, and the regrouped group's 3
    # members
    check(len(offline) == 22, "offline ccw devices listed: %d" % len(offline))

    # chccwdev -d behind the daemon's back: no uevent, the state stays (as
    # libvirt 11.3's); udevadm trigger -c change brings it
    dasd = conn.nodeDeviceLookupByName("ccw_0_0_1000")
    write("sys/bus/ccw/devices/0.0.1000/online", "0")
    time.sleep(1)   # the daemon reads the event log every half second
    check("<state>online</state>" in dasd.XMLDesc(0), "set offline, no uevent: still online")
    write("sys/bus/ccw/devices/0.0.1000/uevent", "change")
    wait_for(lambda: "<state>offline</state>" in dasd.XMLDesc(0), "offline after the trigger")
    check("ccw_0_0_1000" in conn.listDevices("ccw", 0), "offline: still listed")
    write("sys/bus/ccw/devices/0.0.1000/online", "1")
    write("sys/bus/ccw/devices/0.0.1000/uevent", "change")
    wait_for(lambda: "<state>online</state>" in dasd.XMLDesc(0), "online after the trigger")
    try:
        conn.listAllDevices(1 << 24)
        check(False, "1 << 24 accepted")
    except libvirt.libvirtError as e:
        check("unsupported flags (0x1000000)" in str(e), "1 << 24 refused: %s" % e)
    conn.close()
finally:
    if proc:
        proc.terminate()
        proc.wait(timeout=30)
    subprocess.run(["fusermount3", "-u", root], stderr=subprocess.DEVNULL)
    shutil.rmtree(tmp, ignore_errors=True)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
