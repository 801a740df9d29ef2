/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: QEMU device properties of mediated-device hostdevs
 * (vfio-ccw, vfio-ap) in libvirt's key order. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "domain_conf.h"
#include "qemu_capabilities.h"

/* Absolute sysfs path QEMU is given: /sys/bus/mdev/devices/<uuid>. */
char *vccw_qemu_mdev_sysfsdev(const VccwHostdevDef *hd);

/* -device properties for hostdev @dev with id @id; NULL + @err when the
 * emulator cannot do it (libvirt's texts). */
json_object *vccw_qemu_hostdev_props(const VccwDevice *dev, const char *id,
                                     const VccwQemuCaps *caps, GError **err);

/* Emulator support check for one hostdev (used at validation time). */
bool vccw_qemu_hostdev_validate(const VccwDevice *dev, const VccwQemuCaps *caps,
                                GError **err);
