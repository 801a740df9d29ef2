#!/usr/bin/env python3
# gen-inputs.py - writes the virtccw reference-corpus inputs tests/qemuxml2argvdata/NAME.xml.
#
# The .xml inputs are checked in and are the source of truth; this script only documents how
# they were made and lets new cases be added consistently.  It OVERWRITES every input it knows.
# Usage: tests/libvirt-reference/gen-inputs.py tests/qemuxml2argvdata
# Afterwards run regen-reference.sh (on Debian 12 with libvirt 9.0) to refresh the outputs.
import os, sys, uuid

OUT = sys.argv[1]
NS = uuid.UUID('6f1c2a9e-0d4b-4c1e-9a51-3f0e2b7c8d10')
M1 = '90c6c135-ad44-41d0-b1b7-bae47de48627'
M2 = 'e60ffd51-eb66-4a4b-8ab8-6a1bd5eb1b2f'
M3 = '3a7c1e55-1b2f-4c9d-8e3a-5f6b7c8d9e01'
M4 = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e'

cases = []

def case(name, devices='', *, memory="<memory unit='KiB'>524288</memory>",
         current=True, vcpu="<vcpu placement='static'>1</vcpu>",
         arch='s390x', machine='s390-ccw-virtio', emulator='/usr/bin/qemu-system-s390x',
         osextra='', lifecycle=True, extra=''):
    u = str(uuid.uuid5(NS, name))
    L = ["<domain type='qemu'>", f"  <name>{name}</name>", f"  <uuid>{u}</uuid>",
         f"  {memory}"]
    if current is True:
        L.append("  <currentMemory unit='KiB'>524288</currentMemory>")
    elif current:
        L.append(f"  {current}")
    L.append(f"  {vcpu}")
    L.append("  <os>")
    mach = f" machine='{machine}'" if machine else ''
    L.append(f"    <type arch='{arch}'{mach}>hvm</type>")
    for l in osextra.strip('\n').splitlines() if osextra else []:
        L.append("    " + l)
    L.append("  </os>")
    if extra:
        for l in extra.strip('\n').splitlines():
            L.append("  " + l)
    if lifecycle:
        L += ["  <clock offset='utc'/>", "  <on_poweroff>destroy</on_poweroff>",
              "  <on_reboot>restart</on_reboot>", "  <on_crash>destroy</on_crash>"]
    L.append("  <devices>")
    L.append(f"    <emulator>{emulator}</emulator>")
    for l in devices.strip('\n').splitlines() if devices else []:
        L.append("    " + l)
    L.append("  </devices>")
    L.append("</domain>")
    cases.append((name, "\n".join(L) + "\n"))

def hd(uuid_=M1, model='vfio-ccw', boot='', addr='', alias='', attrs='', extra=''):
    L = [f"<hostdev mode='subsystem' type='mdev'{attrs} model='{model}'>",
         "  <source>", f"    <address uuid='{uuid_}'/>" if uuid_ is not None else "    <address/>",
         "  </source>"]
    if boot: L.append(f"  {boot}")
    if alias: L.append(f"  <alias name='{alias}'/>")
    if extra: L.append(f"  {extra}")
    if addr: L.append(f"  {addr}")
    L.append("</hostdev>")
    return "\n".join(L) + "\n"

def ccw(c, s, d):
    return f"<address type='ccw' cssid='{c}' ssid='{s}' devno='{d}'/>"

def disk(file, dev, fmt='qcow2', typ='file', boot='', addr='', ro=False, bus='virtio'):
    src = f"<source file='{file}'/>" if typ == 'file' else f"<source dev='{file}'/>"
    L = [f"<disk type='{typ}' device='disk'>", f"  <driver name='qemu' type='{fmt}'/>",
         f"  {src}", f"  <target dev='{dev}' bus='{bus}'/>"]
    if ro: L.append("  <readonly/>")
    if boot: L.append(f"  {boot}")
    if addr: L.append(f"  {addr}")
    L.append("</disk>")
    return "\n".join(L) + "\n"

def net_user(mac='52:54:00:3a:5c:01', addr=''):
    L = ["<interface type='user'>", f"  <mac address='{mac}'/>", "  <model type='virtio'/>"]
    if addr: L.append(f"  {addr}")
    L.append("</interface>")
    return "\n".join(L) + "\n"

# ---------------------------------------------------------------- OK cases
case('s390-minimal', lifecycle=False, current=False)
case('ccw-hostdev-basic', hd())
case('ccw-hostdev-boot', hd(boot="<boot order='1'/>"))
case('ccw-hostdev-boot-loadparm', hd(boot="<boot order='1' loadparm='2'/>"))
case('ccw-hostdev-boot-loadparm-max', hd(boot="<boot order='1' loadparm='AB.c 1z9'/>"))
case('ccw-hostdev-explicit-address', hd(addr=ccw('0xfe', '0x0', '0x0005')))
case('ccw-hostdev-empty-address', hd(addr="<address type='ccw'/>"))
case('ccw-hostdev-multi-mixed',
     hd(M1) + hd(M2, addr=ccw('0xfe', '0x0', '0x0001')) + hd(M3, addr="<address type='ccw'/>")
     + hd(M4, addr=ccw('0xfe', '0x0', '0x0003')))
case('ccw-hostdev-alias', hd(alias='ua-mydasd'))
case('ccw-hostdev-alias-nonua', hd(alias='mydasd'))
case('ccw-hostdev-alias-multi', hd(M1, alias='ua-dasd1') + hd(M2) + hd(M3, alias='ua-dasd3'))
case('ccw-hostdev-managed-yes', hd(attrs=" managed='yes'"))
case('ccw-hostdev-managed-no', hd(attrs=" managed='no'"))
case('ccw-hostdev-uuid-upper', hd(M1.upper()))
case('ccw-hostdev-uuid-nodash', hd(M1.replace('-', '')))
case('ccw-hostdev-devno-decimal', hd(addr=ccw('0xfe', '0x0', '10')))
case('ccw-hostdev-devno-octal', hd(addr=ccw('0xfe', '0x0', '010')))
case('ccw-hostdev-devno-max', hd(addr=ccw('0xfe', '0x3', '0xffff')))
case('ccw-hostdev-devno-upper-hex', hd(addr=ccw('0xFE', '0x0', '0xABCD')))
case('ccw-hostdev-cssid-decimal', hd(addr=ccw('254', '0', '0x0002')))
case('ccw-hostdev-ssid-3', hd(addr=ccw('0xfe', '3', '0x0000')))
case('ccw-hostdev-cssid-0', hd(addr=ccw('0x0', '0x0', '0x0007')))
case('ccw-hostdev-cssid-1', hd(addr=ccw('0x1', '0x0', '0x0007')))
case('ccw-hostdev-ssid1-plus-assigned',
     hd(M1, addr=ccw('0xfe', '0x1', '0x0000')) + hd(M2) + hd(M3))
case('ccw-hostdev-display-off', hd(attrs=" display='off'"))
case('ccw-hostdev-display-on', hd(attrs=" display='on'"))
case('ccw-hostdev-ramfb-on', hd(attrs=" ramfb='on'"))
case('ccw-class-order',
     disk('/var/lib/libvirt/images/a.qcow2', 'vda') + disk('/var/lib/libvirt/images/b.qcow2', 'vdb')
     + net_user() + hd())
case('ccw-class-order-reversed',
     hd() + net_user() + disk('/var/lib/libvirt/images/a.qcow2', 'vda')
     + disk('/var/lib/libvirt/images/b.qcow2', 'vdb'))
FULL_TAIL = """<controller type='scsi' index='0' model='virtio-scsi'/>
<controller type='virtio-serial' index='0'/>
<filesystem type='mount' accessmode='passthrough'>
  <source dir='/srv/share'/>
  <target dir='share0'/>
</filesystem>
<channel type='unix'>
  <target type='virtio' name='org.qemu.guest_agent.0'/>
</channel>
<console type='pty'>
  <target type='sclp'/>
</console>
<input type='keyboard' bus='virtio'/>
<input type='mouse' bus='virtio'/>
<input type='tablet' bus='virtio'/>
<watchdog model='diag288' action='poweroff'/>
<memballoon model='virtio'/>
<rng model='virtio'>
  <backend model='random'>/dev/urandom</backend>
</rng>
<vsock model='virtio'>
  <cid auto='no' address='3'/>
</vsock>
"""
case('ccw-class-order-full',
     hd(M1) + FULL_TAIL + disk('/var/lib/libvirt/images/a.qcow2', 'vda') + net_user() + hd(M2)
     + disk('/var/lib/libvirt/images/b.raw', 'vdb', fmt='raw'))
case('ccw-controller-virtio-serial', "<controller type='virtio-serial' index='0'/>\n" + hd())
case('ccw-channel-guest-agent', """<channel type='unix'>
  <target type='virtio' name='org.qemu.guest_agent.0'/>
</channel>
""" + hd())
case('ccw-controller-scsi', """<disk type='file' device='disk'>
  <driver name='qemu' type='raw'/>
  <source file='/var/lib/libvirt/images/s.raw'/>
  <target dev='sda' bus='scsi'/>
</disk>
<controller type='scsi' index='0' model='virtio-scsi'/>
""" + hd())
case('ccw-console-sclp', "<console type='pty'>\n  <target type='sclp'/>\n</console>\n" + hd())
case('ccw-console-sclplm', "<console type='pty'>\n  <target type='sclplm'/>\n</console>\n" + hd())
case('ccw-console-virtio', "<console type='pty'>\n  <target type='virtio'/>\n</console>\n" + hd())
case('ccw-console-default', "<console type='pty'/>\n" + hd())
case('ccw-serial-pty', "<serial type='pty'/>\n" + hd())
case('ccw-serial-sclp', """<serial type='pty'>
  <target type='sclp-serial'>
    <model name='sclpconsole'/>
  </target>
</serial>
""" + hd())
case('ccw-input-virtio', "<input type='keyboard' bus='virtio'/>\n<input type='mouse' bus='virtio'/>\n<input type='tablet' bus='virtio'/>\n" + hd())
case('ccw-filesystem-9p', """<filesystem type='mount' accessmode='mapped'>
  <driver type='path'/>
  <source dir='/srv/share'/>
  <target dir='share0'/>
</filesystem>
""" + hd())
case('ccw-watchdog-diag288', "<watchdog model='diag288' action='reset'/>\n" + hd())
case('ccw-memballoon-none', hd() + "<memballoon model='none'/>\n")
case('ccw-memballoon-address', hd() + "<memballoon model='virtio'>\n  " + ccw('0xfe', '0x0', '0x0000') + "\n</memballoon>\n")
case('ccw-memballoon-stats', hd() + "<memballoon model='virtio' autodeflate='on'>\n  <stats period='10'/>\n</memballoon>\n")
case('ccw-rng-virtio', hd() + "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>\n")
case('ccw-vsock', hd() + "<vsock model='virtio'>\n  <cid auto='no' address='3'/>\n</vsock>\n")
case('ccw-disk-qcow2', disk('/var/lib/libvirt/images/guest.qcow2', 'vda'))
case('ccw-disk-raw', disk('/var/lib/libvirt/images/guest.img', 'vda', fmt='raw'))
case('ccw-disk-block', disk('/dev/dasda', 'vda', fmt='raw', typ='block'))
case('ccw-disk-readonly', disk('/var/lib/libvirt/images/ro.img', 'vda', fmt='raw', ro=True))
case('ccw-disk-explicit-address', disk('/var/lib/libvirt/images/guest.qcow2', 'vda', addr=ccw('0xfe', '0x0', '0x0000')) + hd())
case('ccw-disk-boot-hostdev-boot',
     disk('/var/lib/libvirt/images/guest.qcow2', 'vda', boot="<boot order='2'/>") + hd(boot="<boot order='1'/>"))
case('ccw-disk-boot-loadparm',
     disk('/var/lib/libvirt/images/guest.qcow2', 'vda', boot="<boot order='1' loadparm='SYS1'/>"))
case('ccw-net-user', net_user() + hd())
case('ccw-net-ethernet', """<interface type='ethernet'>
  <mac address='52:54:00:3a:5c:02'/>
  <target dev='tap0' managed='no'/>
  <model type='virtio'/>
</interface>
""" + hd())
case('s390-kernel-initrd-cmdline', hd(),
     osextra="<kernel>/boot/vmlinuz-s390x</kernel>\n<initrd>/boot/initrd-s390x.img</initrd>\n<cmdline>console=ttysclp0 root=/dev/vda1</cmdline>")
case('s390-cmdline-special-chars', hd(),
     osextra="<kernel>/boot/vmlinuz s390x</kernel>\n<cmdline>a='b c' x=\"$y\" z=1;2 &amp; #~*?[%</cmdline>")
case('s390-os-boot-hd', disk('/var/lib/libvirt/images/guest.qcow2', 'vda') + hd(), osextra="<boot dev='hd'/>")
case('s390-vcpu-4', hd(), vcpu="<vcpu placement='static'>4</vcpu>")
case('s390-vcpu-current', hd(), vcpu="<vcpu placement='static' current='2'>4</vcpu>")
case('s390-memory-mib', hd(), memory="<memory unit='MiB'>1024</memory>", current="<currentMemory unit='MiB'>768</currentMemory>")
case('s390-memory-gib', hd(), memory="<memory unit='GiB'>2</memory>", current=False)
case('s390-memory-bytes-odd', hd(), memory="<memory unit='b'>1000000000</memory>", current=False)
case('s390-lifecycle', hd(), lifecycle=False,
     extra="<clock offset='utc'/>\n<on_poweroff>destroy</on_poweroff>\n<on_reboot>destroy</on_reboot>\n<on_crash>preserve</on_crash>")
case('s390-machine-explicit', hd(), machine='s390-ccw-virtio-7.2')
case('s390-machine-older', hd(), machine='s390-ccw-virtio-6.0')
case('s390-machine-omitted', hd(), machine=None)
# QEMU 10.0 no longer has machine types this old (libvirt 11.3 refuses it)
case('s390-machine-2.5', hd(), machine='s390-ccw-virtio-2.5')
case('ccw-vfio-ap', hd(M2, model='vfio-ap'))
case('ccw-vfio-ap-and-ccw', hd(M2, model='vfio-ap') + hd(M1))
case('ccw-vfio-pci-mdev', hd(M3, model='vfio-pci', attrs=" display='off'"))
case('ccw-vfio-pci-mdev-nodisplay', hd(M3, model='vfio-pci'))

case('ccw-loadparm-hostdev1-disk2',
     disk('/var/lib/libvirt/images/guest.qcow2', 'vda', boot="<boot order='2' loadparm='DSK2'/>")
     + hd(boot="<boot order='1' loadparm='HD1'/>"))
case('ccw-loadparm-disk1-hostdev2',
     disk('/var/lib/libvirt/images/guest.qcow2', 'vda', boot="<boot order='1' loadparm='dsk1'/>")
     + hd(boot="<boot order='2' loadparm='HD2'/>"))
case('ccw-hostdev-boot-order-3', hd(M1, boot="<boot order='3'/>") + hd(M2, boot="<boot order='5'/>"))
case('ccw-hostdev-same-devno-other-ssid',
     hd(M1, addr=ccw('0xfe', '0x0', '0x0001')) + hd(M2, addr=ccw('0xfe', '0x1', '0x0001')) + hd(M3))
case('ccw-hostdev-same-devno-other-cssid',
     hd(M1, addr=ccw('0x0', '0x0', '0x0000')) + hd(M2, addr=ccw('0xfe', '0x0', '0x0000')) + hd(M3))
case('ccw-vfio-pci-mdev-pci-address', hd(M3, model='vfio-pci',
     addr="<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>"))

# ---------------------------------------------------------------- error cases
case('ccw-err-cssid-ff', hd(addr=ccw('0xff', '0x0', '0x0001')))
case('ccw-err-cssid-255', hd(addr=ccw('255', '0x0', '0x0001')))
case('ccw-err-ssid-4', hd(addr=ccw('0xfe', '0x4', '0x0001')))
case('ccw-err-devno-10000', hd(addr=ccw('0xfe', '0x0', '0x10000')))
case('ccw-err-devno-nonnumber', hd(addr=ccw('0xfe', '0x0', '0xzz')))
case('ccw-err-devno-negative', hd(addr=ccw('0xfe', '0x0', '-1')))
case('ccw-err-partial-devno-only', hd(addr="<address type='ccw' devno='0x0001'/>"))
case('ccw-err-partial-no-devno', hd(addr="<address type='ccw' cssid='0xfe' ssid='0x0'/>"))
case('ccw-err-duplicate-address',
     hd(M1, addr=ccw('0xfe', '0x0', '0x0001')) + hd(M2, addr=ccw('0xfe', '0x0', '0x0001')))
case('ccw-err-duplicate-address-disk',
     disk('/var/lib/libvirt/images/guest.qcow2', 'vda', addr=ccw('0xfe', '0x0', '0x0002'))
     + hd(M1, addr=ccw('0xfe', '0x0', '0x0002')))
case('ccw-err-duplicate-mdev', hd(M1) + hd(M1))
case('ccw-err-duplicate-mdev-case', hd(M1) + hd(M1.upper()))
case('ccw-err-vfio-ccw-pci-address', hd(addr="<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>"))
case('ccw-err-vfio-pci-ccw-address', hd(M3, model='vfio-pci', addr=ccw('0xfe', '0x0', '0x0001')))
case('ccw-vfio-ap-ccw-address', hd(M2, model='vfio-ap', addr=ccw('0xfe', '0x0', '0x0001')))
case('ccw-err-bad-model', hd(model='vfio-foo'))
case('ccw-err-missing-model', hd().replace(" model='vfio-ccw'", ''))
case('ccw-err-bad-uuid', hd('xyz'))
case('ccw-err-missing-uuid', hd(None))
case('ccw-err-boot-with-os-boot', hd(boot="<boot order='1'/>"), osextra="<boot dev='hd'/>")
case('ccw-err-rom', hd(extra="<rom bar='off'/>"))
case('ccw-err-duplicate-boot-order', hd(M1, boot="<boot order='1'/>") + hd(M2, boot="<boot order='1'/>"))
case('ccw-err-loadparm-too-long', hd(boot="<boot order='1' loadparm='123456789'/>"))
case('ccw-err-loadparm-invalid-chars', hd(boot="<boot order='1' loadparm='a_b'/>"))
case('ccw-err-duplicate-alias', hd(M1, alias='ua-x') + hd(M2, alias='ua-x'))
case('ccw-err-mdev-type-scsi-source', """<hostdev mode='subsystem' type='mdev' model='vfio-ccw'>
  <source>
    <adapter name='scsi_host0'/>
  </source>
</hostdev>
""")
case('ccw-err-x86-ccw-address', disk('/var/lib/libvirt/images/guest.qcow2', 'vda', addr=ccw('0xfe', '0x0', '0x0001')),
     arch='x86_64', machine='pc', emulator='/usr/bin/qemu-system-x86_64')
case('ccw-err-x86-vfio-ccw', hd(), arch='x86_64', machine='pc', emulator='/usr/bin/qemu-system-x86_64')
case('s390-err-unknown-machine', hd(), machine='s390-ccw-bogus')
# the error text changed between 9.0 and 11.x
case('ccw-err-hostdev-caps-mdev', f"""<hostdev mode='capabilities' type='mdev'>
  <source>
    <address uuid='{M1}'/>
  </source>
</hostdev>
""")
case('s390-err-machine-pc', hd(), machine='pc')

os.makedirs(OUT, exist_ok=True)
names = set()
for n, x in cases:
    assert n not in names, n
    names.add(n)
    with open(os.path.join(OUT, n + '.xml'), 'w') as f:
        f.write(x)
print(len(cases))
