/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "domain_conf.h"

#include <string.h>

VCCW_ENUM_IMPL(vccw_addr_type, VCCW_ADDR_LAST,
               "none", "pci", "drive", "virtio-serial", "ccid", "usb",
               "spapr-vio", "virtio-s390", "ccw", "virtio-mmio", "isa",
               "dimm", "unassigned")

VCCW_ENUM_IMPL(vccw_tristate_bool, VCCW_TRISTATE_LAST, "", "yes", "no")
VCCW_ENUM_IMPL(vccw_tristate_switch, VCCW_TRISTATE_LAST, "", "on", "off")

VCCW_ENUM_IMPL(vccw_dev_class, VCCW_DEV_LAST,
               "disk", "interface", "hostdev", "controller", "serial",
               "channel", "console", "input", "filesystem", "watchdog",
               "memballoon", "rng", "vsock", "audio", "panic")

VCCW_ENUM_IMPL(vccw_disk_type, VCCW_DISK_TYPE_LAST, "file", "block")
VCCW_ENUM_IMPL(vccw_disk_device, VCCW_DISK_DEVICE_LAST, "disk", "cdrom", "lun")
VCCW_ENUM_IMPL(vccw_disk_bus, VCCW_DISK_BUS_LAST, "virtio", "scsi")
VCCW_ENUM_IMPL(vccw_net_type, VCCW_NET_LAST, "user", "network", "bridge", "ethernet")
VCCW_ENUM_IMPL(vccw_hostdev_model, VCCW_HOSTDEV_MODEL_LAST,
               "vfio-pci", "vfio-ccw", "vfio-ap")
VCCW_ENUM_IMPL(vccw_hostdev_type, VCCW_HOSTDEV_TYPE_LAST,
               "usb", "pci", "scsi", "scsi_host", "mdev")
VCCW_ENUM_IMPL(vccw_controller_type, VCCW_CTRL_LAST, "virtio-serial", "scsi", "pci")
VCCW_ENUM_IMPL(vccw_chr_type, VCCW_CHR_LAST, "pty", "unix", "file", "null")
VCCW_ENUM_IMPL(vccw_input_type, VCCW_INPUT_LAST, "mouse", "tablet", "keyboard")
VCCW_ENUM_IMPL(vccw_virt_type, VCCW_VIRT_LAST, "qemu", "kvm")
VCCW_ENUM_IMPL(vccw_boot_dev, VCCW_BOOT_LAST, "fd", "cdrom", "hd", "network")

/* The order of <devices> children in libvirt's formatted XML. */
const VccwDevClass vccw_format_order[] = {
    VCCW_DEV_DISK, VCCW_DEV_CONTROLLER, VCCW_DEV_FS, VCCW_DEV_NET,
    VCCW_DEV_SERIAL, VCCW_DEV_CONSOLE, VCCW_DEV_CHANNEL, VCCW_DEV_INPUT,
    VCCW_DEV_AUDIO, VCCW_DEV_HOSTDEV, VCCW_DEV_WATCHDOG, VCCW_DEV_MEMBALLOON,
    VCCW_DEV_RNG, VCCW_DEV_PANIC, VCCW_DEV_VSOCK,
};
const size_t vccw_format_order_len = G_N_ELEMENTS(vccw_format_order);
G_STATIC_ASSERT(G_N_ELEMENTS(vccw_format_order) == VCCW_DEV_LAST);

VccwDevice *
vccw_device_new(VccwDevClass cls)
{
    VccwDevice *dev = g_new0(VccwDevice, 1);

    dev->cls = cls;
    switch (cls) {
    case VCCW_DEV_CONTROLLER:
        dev->u.controller.ports = -1;
        dev->u.controller.vectors = -1;
        break;
    case VCCW_DEV_SERIAL:
    case VCCW_DEV_CONSOLE:
    case VCCW_DEV_CHANNEL:
        dev->u.chr.target_port = -1;
        break;
    case VCCW_DEV_MEMBALLOON:
        dev->u.balloon.stats_period = -1;
        break;
    default:
        break;
    }
    return dev;
}

static void
vccw_chr_clear(VccwChrDef *chr)
{
    g_free(chr->source_path);
    g_free(chr->source_mode);
    g_free(chr->target_type);
    g_free(chr->target_name);
    g_free(chr->target_model);
}

void
vccw_device_free(VccwDevice *dev)
{
    if (!dev)
        return;
    g_free(dev->info.alias);
    g_free(dev->info.loadparm);
    switch (dev->cls) {
    case VCCW_DEV_DISK:
        g_free(dev->u.disk.driver_name);
        g_free(dev->u.disk.format);
        g_free(dev->u.disk.cache);
        g_free(dev->u.disk.io);
        g_free(dev->u.disk.source);
        g_free(dev->u.disk.target_dev);
        g_free(dev->u.disk.serial);
        break;
    case VCCW_DEV_NET:
        g_free(dev->u.net.source);
        g_free(dev->u.net.model);
        g_free(dev->u.net.target_dev);
        break;
    case VCCW_DEV_CONTROLLER:
        g_free(dev->u.controller.model);
        break;
    case VCCW_DEV_SERIAL:
    case VCCW_DEV_CONSOLE:
    case VCCW_DEV_CHANNEL:
        vccw_chr_clear(&dev->u.chr);
        break;
    case VCCW_DEV_INPUT:
        g_free(dev->u.input.bus);
        break;
    case VCCW_DEV_FS:
        g_free(dev->u.fs.accessmode);
        g_free(dev->u.fs.driver_type);
        g_free(dev->u.fs.source_dir);
        g_free(dev->u.fs.target_dir);
        break;
    case VCCW_DEV_WATCHDOG:
        g_free(dev->u.watchdog.model);
        g_free(dev->u.watchdog.action);
        break;
    case VCCW_DEV_MEMBALLOON:
        g_free(dev->u.balloon.model);
        break;
    case VCCW_DEV_RNG:
        g_free(dev->u.rng.model);
        g_free(dev->u.rng.backend_model);
        g_free(dev->u.rng.backend_file);
        break;
    case VCCW_DEV_VSOCK:
        g_free(dev->u.vsock.model);
        break;
    case VCCW_DEV_AUDIO:
        g_free(dev->u.audio.type);
        break;
    case VCCW_DEV_PANIC:
        g_free(dev->u.panic.model);
        break;
    case VCCW_DEV_HOSTDEV:
    case VCCW_DEV_LAST:
        break;
    }
    g_free(dev);
}

VccwDomainDef *
vccw_domain_def_new(void)
{
    VccwDomainDef *def = g_new0(VccwDomainDef, 1);

    for (size_t i = 0; i < VCCW_DEV_LAST; i++)
        def->devs[i] = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_device_free);
    def->boot_devs = g_array_new(FALSE, FALSE, sizeof(VccwBootDev));
    return def;
}

void
vccw_domain_def_free(VccwDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->vcpu_placement);
    g_free(def->os_type);
    g_free(def->arch);
    g_free(def->machine);
    g_free(def->kernel);
    g_free(def->initrd);
    g_free(def->cmdline);
    g_array_unref(def->boot_devs);
    if (def->cpu) {
        g_free(def->cpu->mode);
        g_free(def->cpu->match);
        g_free(def->cpu->check);
        g_free(def->cpu->model);
        g_free(def->cpu->fallback);
        g_free(def->cpu);
    }
    g_free(def->clock_offset);
    g_free(def->on_poweroff);
    g_free(def->on_reboot);
    g_free(def->on_crash);
    g_free(def->emulator);
    for (size_t i = 0; i < VCCW_DEV_LAST; i++)
        g_ptr_array_unref(def->devs[i]);
    g_free(def);
}

void
vccw_domain_def_add_device(VccwDomainDef *def, VccwDevice *dev)
{
    g_ptr_array_add(def->devs[dev->cls], dev);
}

bool
vccw_domain_is_s390_ccw(const VccwDomainDef *def)
{
    return def->machine && g_str_has_prefix(def->machine, "s390-ccw");
}

char *
vccw_ccw_addr_qemu_string(const VccwCcwAddr *addr)
{
    return g_strdup_printf("%x.%x.%04x", addr->cssid, addr->ssid, addr->devno);
}
