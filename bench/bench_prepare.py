#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Domain operations against the number of vfio-ccw hostdevs (issue 15).

usage: bench_prepare.py -b BUILDDIR [-s "1000 5000 ..."] [-k 3] [--tree DIR]
                        [--tsv bench/results/prepare.tsv]
       bench_prepare.py --managed -b BUILDDIR [--simhost-build DIR] [-s ...] [-k 1]
                        [--tsv bench/results/prepare-managed.tsv]

A static host tree (bench/gen_host_tree, every non-QDIO I/O subchannel on
vfio_ccw, so about 45 % of the subchannels carry an active mdev and 68 %
a definition) gives the active mdevs; a domain of N managed='no' hostdevs
names the first N of them. Per N, as processes, best of K rounds, CPU
seconds (user + sys of the child: this 2-CPU machine runs other jobs,
which disturb wall time far more):

  validate         virtccw --emulator-caps CAPS validate FILE
  domain-prepare   virtccw --root TREE domain-prepare FILE (claims N mdevs;
                   checks that each exists with the right device API, that no
                   other domain holds it, journals the claims)
  domain-release   virtccw --root TREE domain-release big
  hook             virtccw --root TREE hook qemu big prepare begin < FILE
                   (then 'release end' to undo it, not timed)

Writes bench/results/prepare.tsv ("devices seconds": domain-prepare) and a
Markdown table of all four on stdout. Without --tree the tree is generated
in /dev/shm (about 21 KB of memory per subchannel; as root on a tmpfs of
its own, since /dev/shm's 3 M inodes do not suffice) and removed at the end.

--managed: N managed='yes' hostdevs that each need both host changes (bind
the parent subchannel to vfio_ccw, start the defined mdev), so that every
hostdev takes four journal steps (pending and done, twice) and its release
four more. A static tree cannot do that (writing its sysfs files changes
nothing), so the host is the simulated one (virtccw-simhost, FUSE, lpar
layout, from --simhost-build, default BUILDDIR) with etc/ and run/ on
/dev/shm (the journal lives in /run, a tmpfs on a real host): N DASDs set
offline (a subchannel with an online device is not given to vfio_ccw)
and an mdev defined (mdevctl's store, start manual) on each. Per N the
CPU time of virtccw itself (the FUSE daemon's is not counted) for

  domain-prepare   virtccw --root HOST domain-prepare FILE
  domain-release   virtccw --root HOST domain-release big (stops the mdevs,
                   gives the subchannels back: the host is as before)

and the size of the journal after prepare. Writes "devices seconds
release_seconds journal_bytes" to --tsv (default
bench/results/prepare-managed.tsv).
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.join(HERE, '..', 'tests', 'qemucapsdata', 'caps_7.2.0_s390x.json')


def domain_xml(uuids):
    out = ["<domain type='kvm'>", "  <name>big</name>", "  <memory unit='MiB'>1024</memory>",
           "  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>", "  <devices>",
           "    <emulator>/usr/bin/qemu-system-s390x</emulator>"]
    out += ["    <hostdev mode='subsystem' type='mdev' model='vfio-ccw' managed='no'>"
            "<source><address uuid='%s'/></source></hostdev>" % u for u in uuids]
    out += ["  </devices>", "</domain>", ""]
    return "\n".join(out)


def domain_xml_managed(uuids):
    return domain_xml(uuids).replace("managed='no'", "managed='yes'")


def timed(argv, stdin=None):
    """CPU seconds (user + sys) and wall seconds of one child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(stdin) if stdin else open(os.devnull) as f:
        p = subprocess.run(argv, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit('%s: exit %d: %s' % (' '.join(argv), p.returncode, p.stderr.decode()[-500:]))
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), wall


def main_managed(a):
    virtccw = os.path.abspath(os.path.join(a.build, 'tools', 'virtccw'))
    simhost = os.path.abspath(os.path.join(a.simhost_build or a.build, 'src', 'simhost',
                                           'virtccw-simhost'))
    sizes = [int(x) for x in a.sizes.split()]
    tsv = a.tsv or os.path.join(HERE, 'results', 'prepare-managed.tsv')
    tmp = tempfile.mkdtemp(prefix='vccw-prepare-m-', dir='/dev/shm')
    root = os.path.join(tmp, 'root')
    backing = os.path.join(tmp, 'backing')
    os.mkdir(root)
    os.mkdir(backing)
    # lpar layout: 29 DASDs per 32 subchannels
    nsch = (max(sizes) * 32 + 28) // 29 + 64
    mounted = False
    try:
        t0 = time.monotonic()
        subprocess.run([simhost, '--subchannels', str(nsch), '--backing', backing, root], check=True)
        mounted = True
        css = os.path.join(root, 'sys/bus/css/devices')
        parents = []
        for sch in sorted(os.listdir(css)):
            if len(parents) == max(sizes):
                break
            busid = open(os.path.join(css, sch, 'dev_busid')).read().strip()
            if busid == 'none':
                continue
            ccw = os.path.join(root, 'sys/bus/ccw/devices', busid)
            if not open(os.path.join(ccw, 'cutype')).read().startswith('3990'):
                continue
            if open(os.path.join(ccw, 'online')).read().strip() == '1':
                with open(os.path.join(ccw, 'online'), 'w') as f:
                    f.write('0')
            parents.append(sch)
        if len(parents) < max(sizes):
            sys.exit('the host has %d DASDs, fewer than %d' % (len(parents), max(sizes)))
        uuids = []
        for i, sch in enumerate(parents):
            u = '%08x-aaaa-4bbb-8ccc-%012x' % (i, i)
            d = os.path.join(root, 'etc/mdevctl.d', sch)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, u), 'w') as f:
                f.write('{\n  "mdev_type": "vfio_ccw-io",\n  "start": "manual"\n}')
            uuids.append(u)
        print('simulated host of %d subchannels, %d offline DASDs with a defined mdev: %.1f s'
              % (nsch, len(parents), time.monotonic() - t0), file=sys.stderr)
        rows = []
        journal = os.path.join(root, 'run/virtccw/hostdev/big.json')
        for n in sizes:
            f = os.path.join(tmp, 'd%d.xml' % n)
            with open(f, 'w') as fh:
                fh.write(domain_xml_managed(uuids[:n]))
            best = {}
            size = 0
            for _ in range(a.rounds):
                cpu, wall = timed([virtccw, '--root', root, 'domain-prepare', f])
                size = os.path.getsize(journal)
                best['domain-prepare'] = min(best.get('domain-prepare', (cpu, wall)), (cpu, wall))
                cpu, wall = timed([virtccw, '--root', root, 'domain-release', 'big'])
                best['domain-release'] = min(best.get('domain-release', (cpu, wall)), (cpu, wall))
                if os.path.exists(journal):
                    sys.exit('release left the journal behind')
            rows.append((n, best, size))
            print('%6d  prepare %.3f s (wall %.1f)  release %.3f s (wall %.1f)  journal %d bytes'
                  % (n, best['domain-prepare'][0], best['domain-prepare'][1],
                     best['domain-release'][0], best['domain-release'][1], size), file=sys.stderr)
        os.makedirs(os.path.dirname(tsv), exist_ok=True)
        with open(tsv, 'w') as fh:
            fh.write('devices\tseconds\trelease_seconds\tjournal_bytes\n')
            for n, best, size in rows:
                fh.write('%d\t%.3f\t%.3f\t%d\n' % (n, best['domain-prepare'][0],
                                                   best['domain-release'][0], size))
        print('| hostdevs | domain-prepare | per hostdev | growth | domain-release | per hostdev | growth | journal |')
        print('|---:|---:|---:|---:|---:|---:|---:|---:|')
        prev = None
        for n, best, size in rows:
            p = best['domain-prepare'][0] / n * 1e6
            r = best['domain-release'][0] / n * 1e6
            g = ('-', '-') if prev is None else ('%.2fx' % (p / prev[0]), '%.2fx' % (r / prev[1]))
            prev = (p, r)
            print('| {:,} | {:.2f} s | {:.0f} us | {} | {:.2f} s | {:.0f} us | {} | {:,} B |'.format(
                n, best['domain-prepare'][0], p, g[0], best['domain-release'][0], r, g[1], size))
    finally:
        if mounted:
            subprocess.run(['fusermount3', '-u', root])
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-b', '--build', required=True)
    ap.add_argument('-s', '--sizes', default='1000 5000 10000 20000 40000 65535')
    ap.add_argument('-k', '--rounds', type=int, default=None)
    ap.add_argument('--tree')
    ap.add_argument('--tsv')
    ap.add_argument('--managed', action='store_true')
    ap.add_argument('--simhost-build')
    a = ap.parse_args()
    if a.managed:
        a.rounds = a.rounds or 1
        return main_managed(a)
    a.rounds = a.rounds or 3
    a.tsv = a.tsv or os.path.join(HERE, 'results', 'prepare.tsv')
    virtccw = os.path.abspath(os.path.join(a.build, 'tools', 'virtccw'))
    gen = os.path.abspath(os.path.join(a.build, 'bench', 'gen_host_tree'))
    sizes = [int(x) for x in a.sizes.split()]
    tmp = mounted = None
    tree = os.path.abspath(a.tree) if a.tree else None
    try:
        if not tree:
            tmp = tempfile.mkdtemp(prefix='vccw-prepare-', dir='/dev/shm')
            tree = os.path.join(tmp, 'root')
            # /dev/shm allows 3 M inodes, fewer than this tree: as root, a
            # tmpfs of our own without that bound (as run-nodedev-bench.sh)
            if os.geteuid() == 0 and subprocess.run(
                    ['mount', '-t', 'tmpfs', '-o', 'nr_inodes=0,size=50%', 'vccw-prepare', tmp]).returncode == 0:
                mounted = tmp
            # active mdevs are about 0.45 per subchannel on this layout
            n = int(max(sizes) / 0.44) + 2048
            print('generating a tree of %d subchannels in %s' % (n, tree), file=sys.stderr)
            subprocess.run([gen, '-n', str(n), '--vfio-every', '1', tree], check=True,
                           stdout=subprocess.DEVNULL)
        active = sorted(os.listdir(os.path.join(tree, 'sys/bus/mdev/devices')))
        if len(active) < max(sizes):
            sys.exit('the tree has %d active mdevs, fewer than %d' % (len(active), max(sizes)))
        work = tempfile.mkdtemp(prefix='vccw-prepare-xml-')
        rows = []
        for n in sizes:
            f = os.path.join(work, 'd%d.xml' % n)
            with open(f, 'w') as fh:
                fh.write(domain_xml(active[:n]))
            best = {}
            for _ in range(a.rounds):
                ops = [
                    ('validate', [virtccw, '--emulator-caps', CAPS, 'validate', f], None),
                    ('domain-prepare', [virtccw, '--root', tree, 'domain-prepare', f], None),
                    ('domain-release', [virtccw, '--root', tree, 'domain-release', 'big'], None),
                    ('hook', [virtccw, '--root', tree, 'hook', 'qemu', 'big', 'prepare', 'begin'], f),
                ]
                for name, argv, stdin in ops:
                    cpu, wall = timed(argv, stdin)
                    if name not in best or cpu < best[name][0]:
                        best[name] = (cpu, wall)
                timed([virtccw, '--root', tree, 'hook', 'qemu', 'big', 'release', 'end'], f)
            rows.append((n, best))
            print('%6d %s' % (n, '  '.join('%s %.3f s' % (k, v[0]) for k, v in best.items())),
                  file=sys.stderr)
        os.makedirs(os.path.dirname(a.tsv), exist_ok=True)
        with open(a.tsv, 'w') as fh:
            fh.write('devices\tseconds\n')
            for n, best in rows:
                fh.write('%d\t%.3f\n' % (n, best['domain-prepare'][0]))
        names = ['validate', 'domain-prepare', 'domain-release', 'hook']
        print('| hostdevs | ' + ' | '.join(names) + ' | prepare per hostdev | growth |')
        print('|---:|' + '---:|' * (len(names) + 2))
        prev = None
        for n, best in rows:
            per = best['domain-prepare'][0] / n * 1e6
            growth = '-' if prev is None else '%.2fx' % (per / prev)
            prev = per
            print('| {:,} | '.format(n) + ' | '.join('%.3f s' % best[k][0] for k in names) +
                  ' | %.1f us | %s |' % (per, growth))
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if mounted:
            subprocess.run(['umount', mounted])
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
