/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "domain_addr.h"
#include "vccw_error.h"

#define DEVNOS (VCCW_CCW_MAX_DEVNO + 1)
#define SUBSETS ((VCCW_CCW_MAX_CSSID + 1) * (VCCW_CCW_MAX_SSID + 1))

struct _VccwCcwAddrSet {
    /* one bitmap of DEVNOS bits per (cssid, ssid), allocated on first use */
    guint64 *used[SUBSETS];
    unsigned int next;   /* no devno below this is free in 0xfe.0 */
};

VccwCcwAddrSet *
vccw_ccw_addr_set_new(void)
{
    return g_new0(VccwCcwAddrSet, 1);
}

void
vccw_ccw_addr_set_free(VccwCcwAddrSet *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < SUBSETS; i++)
        g_free(set->used[i]);
    g_free(set);
}

static guint64 *
bitmap_for(VccwCcwAddrSet *set, unsigned int cssid, unsigned int ssid)
{
    size_t idx = (size_t)cssid * (VCCW_CCW_MAX_SSID + 1) + ssid;

    if (!set->used[idx])
        set->used[idx] = g_new0(guint64, DEVNOS / 64);
    return set->used[idx];
}

bool
vccw_ccw_addr_set_reserve(VccwCcwAddrSet *set, const VccwCcwAddr *addr, GError **err)
{
    guint64 *bits = bitmap_for(set, addr->cssid, addr->ssid);
    guint64 mask = G_GUINT64_CONSTANT(1) << (addr->devno % 64);

    if (bits[addr->devno / 64] & mask) {
        g_autofree char *str = vccw_ccw_addr_qemu_string(addr);
        vccw_error_set(err, VCCW_ERR_XML, "The CCW devno '%s' is in use already", str);
        return false;
    }
    bits[addr->devno / 64] |= mask;
    return true;
}

bool
vccw_ccw_addr_set_assign(VccwCcwAddrSet *set, VccwCcwAddr *addr, GError **err)
{
    guint64 *bits = bitmap_for(set, VCCW_CCW_DEFAULT_CSSID, 0);

    while (set->next < DEVNOS) {
        unsigned int word = set->next / 64;
        if (bits[word] == G_MAXUINT64) {
            set->next = (word + 1) * 64;   /* skip a full word at once */
            continue;
        }
        if (!(bits[word] & (G_GUINT64_CONSTANT(1) << (set->next % 64)))) {
            addr->cssid = VCCW_CCW_DEFAULT_CSSID;
            addr->ssid = 0;
            addr->devno = set->next;
            addr->assigned = true;
            bits[word] |= G_GUINT64_CONSTANT(1) << (set->next % 64);
            set->next++;
            return true;
        }
        set->next++;
    }
    vccw_error_set(err, VCCW_ERR_INTERNAL, "There are no more free CCW devnos.");
    return false;
}

bool
vccw_device_wants_ccw(const VccwDevice *dev)
{
    switch (dev->cls) {
    case VCCW_DEV_DISK:
        return dev->u.disk.bus == VCCW_DISK_BUS_VIRTIO;
    case VCCW_DEV_NET:
        return !dev->u.net.model || g_str_equal(dev->u.net.model, "virtio");
    case VCCW_DEV_HOSTDEV:
        return dev->u.hostdev.type == VCCW_HOSTDEV_TYPE_MDEV &&
               dev->u.hostdev.model == VCCW_HOSTDEV_MODEL_VFIO_CCW;
    case VCCW_DEV_CONTROLLER:
        return dev->u.controller.type == VCCW_CTRL_VIRTIO_SERIAL ||
               dev->u.controller.type == VCCW_CTRL_SCSI;
    case VCCW_DEV_INPUT:
    case VCCW_DEV_FS:
    case VCCW_DEV_RNG:
    case VCCW_DEV_VSOCK:
        return true;
    case VCCW_DEV_MEMBALLOON:
        return g_str_equal(dev->u.balloon.model, "virtio");
    case VCCW_DEV_SERIAL:
    case VCCW_DEV_CHANNEL:
    case VCCW_DEV_CONSOLE:
    case VCCW_DEV_WATCHDOG:
    case VCCW_DEV_AUDIO:
    case VCCW_DEV_PANIC:
    case VCCW_DEV_LAST:
        break;
    }
    return false;
}

bool
vccw_domain_assign_ccw_addresses(VccwDomainDef *def, GError **err)
{
    g_autoptr(VccwCcwAddrSet) set = vccw_ccw_addr_set_new();

    /* Class order is the enum order: libvirt's iteration order. */
    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        for (guint i = 0; i < def->devs[c]->len; i++) {
            VccwDevice *dev = vccw_domain_dev(def, c, i);
            VccwDeviceAddress *addr = &dev->info.addr;
            if (addr->type == VCCW_ADDR_CCW && addr->u.ccw.assigned &&
                !vccw_ccw_addr_set_reserve(set, &addr->u.ccw, err))
                return false;
        }
    }
    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        for (guint i = 0; i < def->devs[c]->len; i++) {
            VccwDevice *dev = vccw_domain_dev(def, c, i);
            VccwDeviceAddress *addr = &dev->info.addr;
            if (!vccw_device_wants_ccw(dev))
                continue;
            if (addr->type == VCCW_ADDR_NONE ||
                (addr->type == VCCW_ADDR_CCW && !addr->u.ccw.assigned)) {
                addr->type = VCCW_ADDR_CCW;
                if (!vccw_ccw_addr_set_assign(set, &addr->u.ccw, err))
                    return false;
            }
        }
    }
    return true;
}
