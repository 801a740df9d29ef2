#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run libvirt's own vfio-ccw test data (../shared/peer/libvirt) through virtccw.

The peer files come from libvirt releases newer than 9.0 and from libvirt's
test harness (fake paths, fake capabilities). What is compared, and which
differences are expected, is listed once in PEER_CASES and EXPECTED below
and explained in tests/virtccw-vs-libvirt.md.

usage: peertest.py VIRTCCW CAPS_FILE [PEER_DIR]   (exit 77: no peer corpus)
"""
import json
import os
import re
import shlex
import subprocess
import sys

# input -> (kind, expected file), paths relative to PEER_DIR/tests
PEER_CASES = [
    ("qemuxml2argvdata/hostdev-subsys-mdev-vfio-ccw.xml",
     "args", "qemuxml2argvdata/hostdev-subsys-mdev-vfio-ccw.s390x-latest.args"),
    ("qemuxml2argvdata/hostdev-subsys-mdev-vfio-ccw-invalid-address.xml",
     "err", "qemuxml2argvdata/hostdev-subsys-mdev-vfio-ccw-invalid-address.s390x-latest.err"),
    ("qemuxmlconfdata/hostdev-subsys-mdev-vfio-ccw-boot.xml",
     "args", "qemuxmlconfdata/hostdev-subsys-mdev-vfio-ccw-boot.s390x-latest.args"),
    ("qemuxmlconfdata/hostdev-subsys-mdev-vfio-ccw-boot.xml",
     "xml-no-cpu-audio", "qemuxml2xmloutdata/hostdev-subsys-mdev-vfio-ccw-boot.s390x-latest.xml"),
    ("qemuxmlconfdata/hostdev-subsys-mdev-vfio-ccw-duplicate-address.xml",
     "err", "qemuxml2argvdata/hostdev-subsys-mdev-vfio-ccw-duplicate-address.err"),
    ("qemuxmlconfdata/machine-loadparm-hostdev.xml",
     "args", "qemuxmlconfdata/machine-loadparm-hostdev.s390x-latest.args"),
    ("qemuxmlconfdata/s390x-ccw-minimal.xml",
     "xml", "qemuxmlconfdata/s390x-ccw-minimal.s390x-latest.xml"),
]

# Differences between libvirt 9.0 (what virtccw reproduces) and the newer
# libvirt that wrote the peer files; each is applied to the expectation.
EXPECTED = {
    # libvirt >= 9.x passes a hostdev's loadparm to QEMU; 9.0 does not
    "vfio-ccw loadparm key": lambda dev: {k: v for k, v in dev.items()
                                          if not (dev.get("driver") == "vfio-ccw" and k == "loadparm")},
}


def devices(argv_text):
    """The -device values of an argv file, each as an ordered dict."""
    words = shlex.split(argv_text.replace("\\\n", " "))
    out = []
    for i, w in enumerate(words[:-1]):
        if w != "-device":
            continue
        val = words[i + 1]
        if val.startswith("{"):
            out.append(json.loads(val))
        else:  # old comma syntax: driver,key=value,...
            parts = val.split(",")
            d = {"driver": parts[0]}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                d[k] = v
            out.append(d)
    return out


def normalize_values(dev):
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in dev.items()}


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    virtccw, caps = sys.argv[1], sys.argv[2]
    peer = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peer", "libvirt")
    ci = os.environ.get("CI") == "true"
    if not os.path.isdir(os.path.join(peer, "tests")):
        # a missing prerequisite: skip, except under CI=true (fail)
        print(f"{'FAIL' if ci else 'SKIP'}: no peer corpus at {peer}")
        return 1 if ci else 77
    passed = failed = 0
    for inp, kind, expected in PEER_CASES:
        inp_path = os.path.join(peer, "tests", inp)
        exp_path = os.path.join(peer, "tests", expected)
        if not os.path.exists(inp_path) or not os.path.exists(exp_path):
            if ci:
                print(f"not ok - {inp} {kind}: missing in the corpus {peer}")
                failed += 1
            else:
                print(f"ok - {inp} {kind} # SKIP missing in this corpus")
            continue
        cmd = [virtccw, "--emulator-caps", caps]
        cmd += ["domxml-normalize", inp_path] if kind.startswith("xml") else ["domxml-to-native", "qemu-argv", inp_path]
        r = subprocess.run(cmd, capture_output=True, text=True)
        want = open(exp_path).read()
        ok = False
        detail = ""
        if kind == "err":
            got = r.stderr.strip().removeprefix("error: ")
            ok = r.returncode == 1 and got == want.strip()
            detail = f"want {want.strip()!r}, got {got!r}"
        elif r.returncode != 0:
            detail = r.stderr.strip()
        elif kind == "args":
            want_devs = [EXPECTED["vfio-ccw loadparm key"](d) for d in devices(want)]
            got_devs = devices(r.stdout)
            ok = [normalize_values(d) for d in got_devs] == [normalize_values(d) for d in want_devs]
            # JSON expectations also fix the key order
            if ok and want.find("-device '{") >= 0:
                ok = [list(d) for d in got_devs] == [list(d) for d in want_devs]
            detail = f"want {want_devs}\n#   got {got_devs}"
        else:
            # libvirt's test capabilities know no machine aliases
            got = re.sub(r"machine='s390-ccw-virtio-7\.2'", "machine='s390-ccw-virtio'", r.stdout)
            if kind == "xml-no-cpu-audio":
                # this libvirt test formats without the default CPU and audio
                # that libvirt 9.0's define adds (tests/qemuxml2xmloutdata/)
                got = re.sub(r"  <cpu .*?</cpu>\n", "", got, flags=re.S)
                got = re.sub(r"    <audio id='1' type='none'/>\n", "", got)
            ok = got == want
            detail = f"want:\n{want}\n#   got:\n{got}"
        if ok:
            passed += 1
            print(f"ok - {inp} {kind}")
        else:
            failed += 1
            print(f"not ok - {inp} {kind}\n#   {detail}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
