#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtccwd speed: what OpenStack Nova does in its periodic poll, against
virtccwd (device tree in memory) and the alternatives, on static host trees.

  bench/bench_virtccwd.py --build BUILDDIR [--sizes 2000,20000] [--rounds N]
                          [--trees DIR] [--no-libvirtd] [--no-mdevctl]

For each host size a static tree is written by bench/gen_host_tree (the
simulated host's own layout and state, every 8th I/O subchannel on
vfio_ccw, mdevs active and defined); then:

  virtccwd   the daemon on that root (--poll-interval 0: a static tree never
             changes; on the real host uevents tell), driven by Debian's
             python3-libvirt exactly as Nova's libvirt driver does it:
             listDevices('mdev_types', 0), then for every parent
             nodeDeviceLookupByName(name).XMLDesc(0);
  CLI        re-scanning sysfs for every poll: `virtccw --root DIR
             nodedev-list --cap mdev_types` and `virtccw --root DIR
             nodedev-dumpxml NAME` for each parent (a process each); also the
             listing process alone (the scan without the per-parent XML);
  mdevctl    mdevctl 1.2.0 `types` on the same tree, in a private mount
             namespace with the tree's sys and etc/mdevctl.d bound on /sys
             and /etc/mdevctl.d (mdevctl 1.2.0 has no root option);
  libvirtd   Debian's libvirtd 9.0, a private instance on this machine's real
             devices (PCI, net, ...: it has no s390 ones), for the latency of
             one nodeDeviceLookupByName + XMLDesc pair, compared with the same
             pair on virtccwd; also the round trip of a call that does nothing
             (getLibVersion), the floor of any libvirt daemon.

Medians of --rounds runs (the CLI poll at 20,000 subchannels runs fewer
times: it takes seconds). Needs root for mount namespaces and libvirtd;
parts that cannot run are reported as skipped. Not a test: nothing here
passes or fails.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import libvirt
except ImportError:
    sys.exit("python3-libvirt is needed (apt-get install python3-libvirt); run with /usr/bin/python3")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def ms(x):
    return "%.1f ms" % (x * 1e3) if x == x else "skipped"


def us(x):
    return "%.1f us" % (x * 1e6) if x == x else "skipped"


def ratio(a, b):
    return "%.1fx" % (a / b) if a == a and b == b and b > 0 else "-"


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


# ---------------------------------------------------------------- virtccwd

class Daemon:
    def __init__(self, exe, root, tmp):
        self.sock = os.path.join(tmp, "sock")
        self.log = open(os.path.join(tmp, "virtccwd.log"), "w")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [exe, "--root", root, "--socket", self.sock,
             "--socket-ro", self.sock + "-ro", "--poll-interval", "0", "--no-autostart"],
            stdout=self.log, stderr=subprocess.STDOUT)
        while not os.path.exists(self.sock + "-ro"):
            if self.proc.poll() is not None:
                raise RuntimeError("virtccwd did not start; see %s" % self.log.name)
            time.sleep(0.01)
        self.conn = libvirt.open("nodedev+unix:///system?socket=" + self.sock)
        self.conn.listDevices("mdev_types", 0)    # served once the tree is read
        self.start_time = time.perf_counter() - t0

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()


def nova_poll(conn):
    """Nova's libvirt driver: _get_mdev_capable_devices()."""
    names = conn.listDevices("mdev_types", 0)
    xmls = [conn.nodeDeviceLookupByName(n).XMLDesc(0) for n in names]
    return names, xmls


def cpu_of(pid):
    """CPU time of a process so far (schedstat: nanoseconds on a CPU)."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0]) / 1e9


def time_nova(conn, rounds, pid):
    """Wall time of a poll, and the CPU time it cost the daemon and the
    client (python3-libvirt)."""
    times, dcpu, ccpu = [], [], []
    for _ in range(rounds):
        c0, p0 = cpu_of(pid), time.process_time()
        t = time.perf_counter()
        names, _ = nova_poll(conn)
        times.append(time.perf_counter() - t)
        dcpu.append(cpu_of(pid) - c0)
        ccpu.append(time.process_time() - p0)
    return median(times), len(names), median(dcpu), median(ccpu)


def time_pairs(conn, name, n):
    """Per-call latency: nodeDeviceLookupByName + XMLDesc of one device."""
    batches = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            conn.nodeDeviceLookupByName(name).XMLDesc(0)
        batches.append((time.perf_counter() - t) / n)
    return median(batches)


def time_noop(conn, n):
    batches = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            conn.getLibVersion()
        batches.append((time.perf_counter() - t) / n)
    return median(batches)


# --------------------------------------------------------------------- CLI

def time_cli(virtccw, root, rounds):
    lists, polls = [], []
    xmls = {}
    for _ in range(rounds):
        t = time.perf_counter()
        out = subprocess.run([virtccw, "--root", root, "nodedev-list", "--cap", "mdev_types"],
                             check=True, capture_output=True, text=True).stdout
        lists.append(time.perf_counter() - t)
        for n in out.split():
            xmls[n] = subprocess.run([virtccw, "--root", root, "nodedev-dumpxml", n],
                                     check=True, capture_output=True, text=True).stdout
        polls.append(time.perf_counter() - t)
    return median(polls), median(lists), xmls


# ----------------------------------------------------------------- mdevctl

def inner_mdevctl(mdevctl, rounds):
    """Run inside the namespace: time `mdevctl types`, print JSON."""
    times, parents = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        out = subprocess.run([mdevctl, "types"], check=True, capture_output=True,
                             text=True).stdout
        times.append(time.perf_counter() - t)
        parents = sum(1 for line in out.splitlines() if line and not line[0].isspace())
    print(json.dumps({"times": times, "parents": parents}))


def time_mdevctl(mdevctl, root, rounds):
    if not os.path.exists(mdevctl):
        return float("nan"), 0, "mdevctl not installed"
    if os.geteuid() != 0:
        return float("nan"), 0, "needs root (mount namespace)"
    script = ('mount --bind "$1/etc/mdevctl.d" /etc/mdevctl.d && mount --bind "$1/sys" /sys '
              '&& exec "$2" "$3" --inner-mdevctl "$4" --rounds "$5"')
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        root, sys.executable, os.path.abspath(__file__), mdevctl, str(rounds)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return float("nan"), 0, "failed: " + r.stderr.strip()[-200:]
    d = json.loads(r.stdout)
    return median(d["times"]), d["parents"], ""


# ---------------------------------------------------------------- libvirtd

class Libvirtd:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "libvirtd")
        os.makedirs(os.path.join(self.dir, "sock"))
        conf = os.path.join(self.dir, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('unix_sock_dir = "%s/sock"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "3:file:%s/libvirtd.log"\n' % (self.dir, self.dir))
        self.pidfile = os.path.join(self.dir, "libvirtd.pid")
        subprocess.run(["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
                        "HOME=/root", "libvirtd", "-d", "-f", conf, "-p", self.pidfile],
                       check=True)
        sock = os.path.join(self.dir, "sock", "libvirt-sock")
        deadline = time.time() + 120
        while True:
            try:
                self.conn = libvirt.open("qemu+unix:///system?socket=" + sock)
                break
            except libvirt.libvirtError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self):
        self.conn.close()
        try:
            with open(self.pidfile) as f:
                pid = int(f.read())
            os.kill(pid, signal.SIGTERM)
            for _ in range(300):
                os.kill(pid, 0)
                time.sleep(0.1)
        except (OSError, ValueError):
            pass


# ------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", help="meson build directory")
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--trees", help="keep the generated trees here (default: a temporary dir)")
    ap.add_argument("--no-libvirtd", action="store_true")
    ap.add_argument("--no-mdevctl", action="store_true")
    ap.add_argument("--mdevctl", default="/usr/bin/mdevctl")
    ap.add_argument("--pairs", type=int, default=2000, help="calls per latency batch")
    ap.add_argument("--inner-mdevctl", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.inner_mdevctl:
        return inner_mdevctl(a.inner_mdevctl, a.rounds)
    if not a.build:
        ap.error("--build BUILDDIR is needed")
    exe = {k: os.path.join(a.build, p) for k, p in
           (("virtccwd", "tools/virtccwd"), ("virtccw", "tools/virtccw"),
            ("gen", "bench/gen_host_tree"))}
    for k, p in exe.items():
        if not os.access(p, os.X_OK):
            sys.exit("missing %s (build it first)" % p)

    tmp = tempfile.mkdtemp(prefix="bench-virtccwd-")
    trees = a.trees or tmp
    rows, lat = [], None
    print("# load average at start: %s, %d CPUs" % (loadavg(), os.cpu_count()))
    try:
        for size in [int(s) for s in a.sizes.split(",")]:
            root = os.path.join(trees, "h%d" % size)
            if not os.path.isdir(os.path.join(root, "sys")):
                subprocess.run([exe["gen"], "-n", str(size), root], check=True,
                               stdout=subprocess.DEVNULL)
            dtmp = tempfile.mkdtemp(dir=tmp)
            d = Daemon(exe["virtccwd"], root, dtmp)
            try:
                nova_poll(d.conn)     # the first poll formats the XML once
                poll, parents, dcpu, ccpu = time_nova(d.conn, a.rounds, d.proc.pid)
                names, xmls = nova_poll(d.conn)
                if lat is None and names:
                    lat = {"dev": names[0], "ours": time_pairs(d.conn, names[0], a.pairs),
                           "ours_noop": time_noop(d.conn, a.pairs)}
                start, rss = d.start_time, d.rss_kb()
            finally:
                d.stop()
            cli_rounds = max(1, min(a.rounds, 3 if size <= 5000 else 2))
            cli_poll, cli_list, cli_xmls = time_cli(exe["virtccw"], root, cli_rounds)
            # the cache must say what a fresh scan says
            if sorted(cli_xmls) != sorted(names):
                print("# WARNING: the CLI lists %d parents, virtccwd %d" % (len(cli_xmls),
                                                                          len(names)))
            else:
                same = sum(1 for n, x in zip(names, xmls) if cli_xmls[n].strip() == x.strip())
                print("# %d subchannels: the XML of %d of %d parents is the CLI's, byte for byte"
                      % (size, same, len(names)))
            if a.no_mdevctl:
                mdc, mdc_parents, why = float("nan"), 0, "not asked for"
            else:
                mdc, mdc_parents, why = time_mdevctl(a.mdevctl, root, a.rounds)
            if why:
                print("# mdevctl skipped: %s" % why)
            elif mdc_parents != parents:
                print("# WARNING: mdevctl types lists %d parents, virtccwd %d" % (mdc_parents,
                                                                                 parents))
            rows.append(dict(size=size, parents=parents, poll=poll, cli_poll=cli_poll,
                             cli_list=cli_list, mdc=mdc, start=start, rss=rss, dcpu=dcpu,
                             ccpu=ccpu))
            print("# %d subchannels done (load %s)" % (size, loadavg()), flush=True)

        if lat is not None and not a.no_libvirtd:
            if os.geteuid() != 0 or not shutil.which("libvirtd"):
                print("# libvirtd skipped: needs root and libvirt-daemon-system")
            else:
                lv = Libvirtd(tmp)
                try:
                    devs = lv.conn.listDevices(None, 0)
                    dev = next((n for n in devs if n.startswith("pci_")), "computer")
                    lat.update(theirs=time_pairs(lv.conn, dev, a.pairs),
                               theirs_noop=time_noop(lv.conn, a.pairs), theirs_dev=dev)
                finally:
                    lv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("Nova's periodic poll (listDevices('mdev_types') + lookup and XMLDesc of every "
          "parent), medians:")
    print()
    print("| subchannels | parents | virtccwd | CLI re-scan poll | x | CLI list alone | x "
          "| mdevctl types | x |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| {:,} | {:,} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["size"], r["parents"], ms(r["poll"]), ms(r["cli_poll"]),
            ratio(r["cli_poll"], r["poll"]), ms(r["cli_list"]), ratio(r["cli_list"], r["poll"]),
            ms(r["mdc"]), ratio(r["mdc"], r["poll"])))
    print()
    print("Where a poll's time goes (2 calls per parent, 1 round trip each), and what "
          "the host pays:")
    print()
    print("| subchannels | poll | per parent | virtccwd CPU | client CPU (python3-libvirt) "
          "| virtccwd CPU vs mdevctl types | vs CLI list alone | virtccwd start (tree read) "
          "| RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| {:,} | {} | {} | {} | {} | {} | {} | {} | {:.1f} MB |".format(
            r["size"], ms(r["poll"]), us(r["poll"] / r["parents"]) if r["parents"] else "-",
            ms(r["dcpu"]), ms(r["ccpu"]), ratio(r["mdc"], r["dcpu"]),
            ratio(r["cli_list"], r["dcpu"]), ms(r["start"]), r["rss"] / 1024))
    if lat:
        print()
        print("Per call (python3-libvirt, median of 5 batches of %d):" % a.pairs)
        print()
        print("| | virtccwd (%s) | libvirtd 9.0 (%s) | libvirtd / virtccwd |" % (
            lat["dev"], lat.get("theirs_dev", "skipped")))
        print("|---|---:|---:|---:|")
        print("| nodeDeviceLookupByName + XMLDesc | {} | {} | {} |".format(
            us(lat["ours"]), us(lat.get("theirs", float("nan"))),
            ratio(lat.get("theirs", float("nan")), lat["ours"])))
        print("| getLibVersion (no work: the round trip) | {} | {} | {} |".format(
            us(lat["ours_noop"]), us(lat.get("theirs_noop", float("nan"))),
            ratio(lat.get("theirs_noop", float("nan")), lat["ours_noop"])))
    print()
    print("# load average at end: %s" % loadavg())


if __name__ == "__main__":
    main()
