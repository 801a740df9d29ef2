#!/usr/bin/env python3
"""Domain operations against the number of vfio-ccw hostdevs (issue 15).

usage: bench_prepare.py -b BUILDDIR [-s "1000 5000 ..."] [-k 3] [--tree DIR]
                        [--tsv bench/results/prepare.tsv]

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-b', '--build', required=True)
    ap.add_argument('-s', '--sizes', default='1000 5000 10000 20000 40000 65535')
    ap.add_argument('-k', '--rounds', type=int, default=3)
    ap.add_argument('--tree')
    ap.add_argument('--tsv', default=os.path.join(HERE, 'results', 'prepare.tsv'))
    a = ap.parse_args()
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
