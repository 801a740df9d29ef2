/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the defaults libvirt fills in on define, for what we model.
 *
 * Each rule below was observed from libvirt 9.0 (`virsh define` +
 * `dumpxml --inactive`, see tests/qemuxml2xmloutdata/): the implicit
 * memballoon, pci-root and virtio-serial controllers, the sclp console,
 * audio, panic, the default CPU for TCG, and <boot dev='hd'/>.
 */
#include "domain_postparse.h"
#include "vccw_error.h"

#include <string.h>

static VccwDevice *
find_controller(const VccwDomainDef *def, VccwControllerType type)
{
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_CONTROLLER); i++) {
        VccwDevice *dev = vccw_domain_dev(def, VCCW_DEV_CONTROLLER, i);
        if (dev->u.controller.type == type)
            return dev;
    }
    return NULL;
}

static void
add_controller(VccwDomainDef *def, VccwControllerType type, const char *model)
{
    VccwDevice *dev = vccw_device_new(VCCW_DEV_CONTROLLER);

    dev->u.controller.type = type;
    dev->u.controller.model = g_strdup(model);
    vccw_domain_def_add_device(def, dev);
}

static bool
chr_is_virtio(const VccwDevice *dev)
{
    return dev->u.chr.target_type && g_str_equal(dev->u.chr.target_type, "virtio");
}

static bool
needs_virtio_serial(const VccwDomainDef *def)
{
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_CHANNEL); i++) {
        if (chr_is_virtio(vccw_domain_dev(def, VCCW_DEV_CHANNEL, i)))
            return true;
    }
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_CONSOLE); i++) {
        if (chr_is_virtio(vccw_domain_dev(def, VCCW_DEV_CONSOLE, i)))
            return true;
    }
    return false;
}

/* s390: a console without a target type (or the first one of type
 * 'serial') is backed by an sclp serial; a serial gets a mirroring
 * console, as libvirt does. */
static void
postparse_s390_consoles(VccwDomainDef *def)
{
    guint nserials = vccw_domain_ndevs(def, VCCW_DEV_SERIAL);

    for (guint i = 0; i < nserials; i++) {
        VccwChrDef *chr = &vccw_domain_dev(def, VCCW_DEV_SERIAL, i)->u.chr;
        if (!chr->target_type)
            chr->target_type = g_strdup("sclp-serial");
        if (chr->target_port < 0)
            chr->target_port = (int)i;
        if (!chr->target_model && g_str_equal(chr->target_type, "sclp-serial"))
            chr->target_model = g_strdup("sclpconsole");
    }

    if (vccw_domain_ndevs(def, VCCW_DEV_CONSOLE) > 0) {
        VccwDevice *con = vccw_domain_dev(def, VCCW_DEV_CONSOLE, 0);
        VccwChrDef *chr = &con->u.chr;

        if ((!chr->target_type || g_str_equal(chr->target_type, "serial")) &&
            nserials == 0) {
            /* The console becomes serial0, and a console mirrors it. */
            VccwDevice *serial = vccw_device_new(VCCW_DEV_SERIAL);
            serial->u.chr.type = chr->type;
            serial->u.chr.source_path = g_strdup(chr->source_path);
            serial->u.chr.source_mode = g_strdup(chr->source_mode);
            serial->u.chr.target_type = g_strdup("sclp-serial");
            serial->u.chr.target_port = 0;
            serial->u.chr.target_model = g_strdup("sclpconsole");
            vccw_domain_def_add_device(def, serial);
            nserials = 1;
            g_free(chr->target_type);
            chr->target_type = g_strdup("serial");
        } else if (!chr->target_type) {
            chr->target_type = g_strdup("serial");
        }
    } else if (nserials > 0) {
        VccwDevice *con = vccw_device_new(VCCW_DEV_CONSOLE);
        VccwChrDef *src = &vccw_domain_dev(def, VCCW_DEV_SERIAL, 0)->u.chr;

        con->u.chr.type = src->type;
        con->u.chr.source_path = g_strdup(src->source_path);
        con->u.chr.source_mode = g_strdup(src->source_mode);
        con->u.chr.target_type = g_strdup("serial");
        g_ptr_array_insert(def->devs[VCCW_DEV_CONSOLE], 0, con);
    }

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_CONSOLE); i++) {
        VccwChrDef *chr = &vccw_domain_dev(def, VCCW_DEV_CONSOLE, i)->u.chr;
        if (chr->target_port < 0)
            chr->target_port = (int)i;
    }
}

/* Channels on virtio-serial get controller 0, bus 0, port 1, 2, ... */
static void
postparse_channel_ports(VccwDomainDef *def)
{
    unsigned int next_port = 1;

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_CHANNEL); i++) {
        VccwDevice *dev = vccw_domain_dev(def, VCCW_DEV_CHANNEL, i);
        VccwDeviceAddress *addr = &dev->info.addr;

        if (!chr_is_virtio(dev))
            continue;
        if (addr->type == VCCW_ADDR_VIRTIO_SERIAL) {
            if (addr->u.vserial.port >= next_port)
                next_port = addr->u.vserial.port + 1;
            continue;
        }
        addr->type = VCCW_ADDR_VIRTIO_SERIAL;
        addr->u.vserial.controller = 0;
        addr->u.vserial.bus = 0;
        addr->u.vserial.port = next_port++;
    }
}

/* libvirt keeps disks sorted by bus (its enum puts scsi before virtio),
 * then by the index in the target name (vda < vdb < vdaa). */
static unsigned int
disk_sort_key(const VccwDevice *dev)
{
    const char *suffix = dev->u.disk.target_dev + 2;
    unsigned int idx = 0;

    for (const char *p = suffix; *p >= 'a' && *p <= 'z' && idx < (1u << 24); p++)
        idx = (p == suffix ? 0 : (idx + 1) * 26) + (unsigned int)(*p - 'a');
    return (dev->u.disk.bus == VCCW_DISK_BUS_SCSI ? 0u : 1u << 28) | idx;
}

static gint
disk_compare(gconstpointer a, gconstpointer b)
{
    unsigned int ka = disk_sort_key(*(VccwDevice *const *)a);
    unsigned int kb = disk_sort_key(*(VccwDevice *const *)b);

    return ka < kb ? -1 : ka > kb;
}

static void
set_default(char **slot, const char *value)
{
    if (!*slot)
        *slot = g_strdup(value);
}

bool
vccw_domain_def_postparse(VccwDomainDef *def, GError **err)
{
    bool s390 = vccw_domain_is_s390_ccw(def);

    if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
        def->current_memory_kib = def->memory_kib;
    set_default(&def->vcpu_placement, "static");
    /* g_ptr_array_sort is stable: equal names keep document order */
    g_ptr_array_sort(def->devs[VCCW_DEV_DISK], disk_compare);
    set_default(&def->clock_offset, "utc");
    set_default(&def->on_poweroff, "destroy");
    set_default(&def->on_reboot, "restart");
    set_default(&def->on_crash, "destroy");

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_HOSTDEV); i++) {
        VccwHostdevDef *hd = &vccw_domain_dev(def, VCCW_DEV_HOSTDEV, i)->u.hostdev;
        /* libvirt writes managed='no' for mdevs that do not say */
        if (hd->type == VCCW_HOSTDEV_TYPE_MDEV && hd->managed == VCCW_TRISTATE_ABSENT)
            hd->managed = VCCW_TRISTATE_NO;
    }

    if (!s390)
        return true;

    /* Per-device boot and kernel boot both leave os/boot alone. */
    if (def->boot_devs->len == 0) {
        bool per_device = false;
        for (size_t c = 0; c < VCCW_DEV_LAST && !per_device; c++) {
            for (guint i = 0; i < def->devs[c]->len; i++) {
                if (vccw_domain_dev(def, c, i)->info.boot_order) {
                    per_device = true;
                    break;
                }
            }
        }
        if (!per_device) {
            VccwBootDev hd = VCCW_BOOT_HD;
            g_array_append_val(def->boot_devs, hd);
        }
    }

    if (!def->cpu && def->virt_type == VCCW_VIRT_QEMU) {
        def->cpu = g_new0(VccwCpuDef, 1);
        def->cpu->mode = g_strdup("custom");
        def->cpu->match = g_strdup("exact");
        def->cpu->check = g_strdup("none");
        def->cpu->model = g_strdup("qemu");
        def->cpu->fallback = g_strdup("forbid");
    }

    if (!find_controller(def, VCCW_CTRL_PCI))
        add_controller(def, VCCW_CTRL_PCI, "pci-root");

    postparse_s390_consoles(def);
    if (needs_virtio_serial(def) && !find_controller(def, VCCW_CTRL_VIRTIO_SERIAL))
        add_controller(def, VCCW_CTRL_VIRTIO_SERIAL, NULL);
    postparse_channel_ports(def);

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_DISK); i++) {
        VccwDevice *dev = vccw_domain_dev(def, VCCW_DEV_DISK, i);
        /* scsi disks sit on controller 0; the unit comes from the name
         * (sda -> 0, sdb -> 1), as libvirt derives it */
        if (dev->u.disk.bus == VCCW_DISK_BUS_SCSI && dev->info.addr.type == VCCW_ADDR_NONE) {
            const char *suffix = dev->u.disk.target_dev + 2;
            unsigned int unit = 0;
            for (const char *p = suffix; *p >= 'a' && *p <= 'z'; p++)
                unit = (p == suffix ? 0 : (unit + 1) * 26) + (unsigned int)(*p - 'a');
            dev->info.addr.type = VCCW_ADDR_DRIVE;
            dev->info.addr.u.drive.unit = unit;
        }
    }

    if (vccw_domain_ndevs(def, VCCW_DEV_AUDIO) == 0) {
        VccwDevice *audio = vccw_device_new(VCCW_DEV_AUDIO);
        audio->u.audio.id = 1;
        audio->u.audio.type = g_strdup("none");
        vccw_domain_def_add_device(def, audio);
    }
    if (vccw_domain_ndevs(def, VCCW_DEV_MEMBALLOON) == 0) {
        VccwDevice *balloon = vccw_device_new(VCCW_DEV_MEMBALLOON);
        balloon->u.balloon.model = g_strdup("virtio");
        vccw_domain_def_add_device(def, balloon);
    }
    if (vccw_domain_ndevs(def, VCCW_DEV_PANIC) == 0) {
        VccwDevice *panic = vccw_device_new(VCCW_DEV_PANIC);
        panic->u.panic.model = g_strdup("s390");
        vccw_domain_def_add_device(def, panic);
    }
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_PANIC); i++)
        set_default(&vccw_domain_dev(def, VCCW_DEV_PANIC, i)->u.panic.model, "s390");
    (void)err;
    return true;
}
