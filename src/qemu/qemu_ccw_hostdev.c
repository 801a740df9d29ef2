/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qemu_ccw_hostdev.h"
#include "qemu_release.h"
#include "vccw_error.h"
#include "vccw_host.h"

/* QEMU device type per mdev model; vfio-pci mdevs are validated but not
 * placed on a PCI bus by virtccw (see docs/formatdomain-ccw.rst). */
static const char *const mdev_qemu_driver[VCCW_HOSTDEV_MODEL_LAST] = {
    [VCCW_HOSTDEV_MODEL_VFIO_PCI] = "vfio-pci",
    [VCCW_HOSTDEV_MODEL_VFIO_CCW] = "vfio-ccw",
    [VCCW_HOSTDEV_MODEL_VFIO_AP] = "vfio-ap",
};

/* libvirt's message when the emulator lacks the device type. */
static const char *const mdev_unsupported_msg[VCCW_HOSTDEV_MODEL_LAST] = {
    [VCCW_HOSTDEV_MODEL_VFIO_PCI] = "VFIO PCI device assignment is not supported by this version of qemu",
    [VCCW_HOSTDEV_MODEL_VFIO_CCW] = "VFIO CCW device assignment is not supported by this version of QEMU",
    [VCCW_HOSTDEV_MODEL_VFIO_AP] = "VFIO AP device assignment is not supported by this version of QEMU",
};

char *
vccw_qemu_mdev_sysfsdev(const VccwHostdevDef *hd)
{
    char uuid[VCCW_UUID_STRING_BUFLEN];

    vccw_uuid_format(hd->uuid, uuid);
    return g_strdup_printf("%s/%s", vccw_host_dir_abs(VCCW_HOST_DIR_MDEV_DEVICES), uuid);
}

bool
vccw_qemu_hostdev_validate(const VccwDevice *dev, const VccwQemuCaps *caps, GError **err)
{
    const VccwHostdevDef *hd = &dev->u.hostdev;

    if (hd->type != VCCW_HOSTDEV_TYPE_MDEV)
        return true;
    if (!vccw_qemu_caps_has_device(caps, mdev_qemu_driver[hd->model])) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", mdev_unsupported_msg[hd->model]);
        return false;
    }
    return true;
}

json_object *
vccw_qemu_hostdev_props(const VccwDevice *dev, const char *id,
                        const VccwQemuCaps *caps, GError **err)
{
    const VccwHostdevDef *hd = &dev->u.hostdev;
    g_autofree char *sysfsdev = NULL;
    json_object *props;

    if (hd->type != VCCW_HOSTDEV_TYPE_MDEV || hd->model == VCCW_HOSTDEV_MODEL_VFIO_PCI) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "virtccw does not build command lines for %s host devices (hostdev '%s'): use libvirt for PCI passthrough",
                       hd->type == VCCW_HOSTDEV_TYPE_MDEV ? "vfio-pci mediated" : "PCI", id);
        return NULL;
    }
    if (!vccw_qemu_hostdev_validate(dev, caps, err))
        return NULL;

    sysfsdev = vccw_qemu_mdev_sysfsdev(hd);
    props = json_object_new_object();
    /* key order: driver, id, sysfsdev, display, ramfb, bootindex, loadparm, devno */
    json_object_object_add(props, "driver", json_object_new_string(mdev_qemu_driver[hd->model]));
    json_object_object_add(props, "id", json_object_new_string(id));
    json_object_object_add(props, "sysfsdev", json_object_new_string(sysfsdev));
    if (hd->display)
        json_object_object_add(props, "display",
                               json_object_new_string(vccw_tristate_switch_to_string(hd->display)));
    if (hd->ramfb)
        json_object_object_add(props, "ramfb",
                               json_object_new_boolean(hd->ramfb == VCCW_TRISTATE_YES));
    if (dev->info.boot_order)
        json_object_object_add(props, "bootindex", json_object_new_int((int)dev->info.boot_order));
    /* libvirt 9.0 does not pass a hostdev's loadparm to QEMU (only a
     * boot disk's reaches -machine); 11.x does (qemu_release.h) */
    if (dev->info.boot_order && dev->info.loadparm && vccw_qemu_device_loadparm(caps))
        json_object_object_add(props, "loadparm", json_object_new_string(dev->info.loadparm));
    if (dev->info.addr.type == VCCW_ADDR_CCW) {
        g_autofree char *devno = vccw_ccw_addr_qemu_string(&dev->info.addr.u.ccw);
        json_object_object_add(props, "devno", json_object_new_string(devno));
    }
    return props;
}
