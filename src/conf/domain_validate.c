/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "domain_validate.h"
#include "vccw_error.h"

#include <string.h>

#define FOREACH_DEVICE(def, dev) \
    for (size_t c_ = 0; c_ < VCCW_DEV_LAST; c_++) \
        for (guint i_ = 0; i_ < (def)->devs[c_]->len; i_++) \
            for (VccwDevice *dev = vccw_domain_dev((def), c_, i_); dev; dev = NULL)

bool
vccw_domain_def_validate_parsed(const VccwDomainDef *def, GError **err)
{
    if (def->boot_devs->len > 0) {
        FOREACH_DEVICE(def, dev) {
            if (dev->info.boot_order) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "per-device boot elements cannot be used together with os/boot elements");
                return false;
            }
        }
    }
    return true;
}

static bool
validate_unique_mdevs(const VccwDomainDef *def, GError **err)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                                       (GDestroyNotify)g_bytes_unref, NULL);

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_HOSTDEV); i++) {
        const VccwHostdevDef *hd = &vccw_domain_dev(def, VCCW_DEV_HOSTDEV, i)->u.hostdev;
        GBytes *key;

        if (hd->type != VCCW_HOSTDEV_TYPE_MDEV)
            continue;
        key = g_bytes_new(hd->uuid, VCCW_UUID_BUFLEN);
        if (!g_hash_table_add(seen, key)) {
            vccw_error_set(err, VCCW_ERR_XML,
                           "Hostdev already exists in the domain configuration");
            return false;
        }
    }
    return true;
}

static bool
validate_unique_aliases_and_boot(const VccwDomainDef *def, GError **err)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) orders = g_hash_table_new(g_direct_hash, g_direct_equal);

    FOREACH_DEVICE(def, dev) {
        const VccwDeviceInfo *info = &dev->info;

        if (info->alias && !g_hash_table_add(aliases, info->alias)) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "non unique alias detected: %s", info->alias);
            return false;
        }
        if (info->boot_order &&
            !g_hash_table_add(orders, GUINT_TO_POINTER(info->boot_order))) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "boot order '%u' used for more than one device",
                           info->boot_order);
            return false;
        }
    }
    return true;
}

static bool
validate_hostdev(const VccwDomainDef *def, const VccwDevice *dev, GError **err)
{
    const VccwHostdevDef *hd = &dev->u.hostdev;
    char uuid[VCCW_UUID_STRING_BUFLEN];

    if (hd->has_rom && hd->type != VCCW_HOSTDEV_TYPE_PCI) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "ROM tuning is only supported for PCI devices");
        return false;
    }
    if (hd->type != VCCW_HOSTDEV_TYPE_MDEV)
        return true;
    vccw_uuid_format(hd->uuid, uuid);

    /* Stricter than libvirt, which passes these on to QEMU where they
     * cannot work: a channel-attached device has no display. */
    if (hd->model == VCCW_HOSTDEV_MODEL_VFIO_CCW &&
        (hd->display != VCCW_TRISTATE_ABSENT || hd->ramfb != VCCW_TRISTATE_ABSENT)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "attribute '%s' of <hostdev> for vfio-ccw mediated device '%s' is not supported: a vfio-ccw device has no display",
                       hd->display != VCCW_TRISTATE_ABSENT ? "display" : "ramfb", uuid);
        return false;
    }
    /* libvirt places vfio-pci mdevs of s390 guests on zPCI, which virtccw
     * does not model: refuse rather than produce a different guest. */
    if (hd->model == VCCW_HOSTDEV_MODEL_VFIO_PCI && vccw_domain_is_s390_ccw(def)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "vfio-pci mediated device '%s' on an s390-ccw machine needs zPCI addressing, which virtccw does not support",
                       uuid);
        return false;
    }
    /* Stricter than libvirt, which drops the address without a word. */
    if (hd->model == VCCW_HOSTDEV_MODEL_VFIO_AP && dev->info.addr.type != VCCW_ADDR_NONE) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "<address type='%s'> on vfio-ap mediated device '%s' is not supported: a vfio-ap device takes no address",
                       vccw_addr_type_to_string(dev->info.addr.type), uuid);
        return false;
    }
    return true;
}

bool
vccw_domain_def_validate(const VccwDomainDef *def, GError **err)
{
    if (!validate_unique_mdevs(def, err) || !validate_unique_aliases_and_boot(def, err))
        return false;
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_HOSTDEV); i++) {
        if (!validate_hostdev(def, vccw_domain_dev(def, VCCW_DEV_HOSTDEV, i), err))
            return false;
    }
    return true;
}
