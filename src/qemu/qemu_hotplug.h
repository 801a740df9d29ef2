/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: live attach and detach of devices over QMP.
 *
 * Attach: the device XML is put into the running domain's definition and
 * the result goes through the same load pipeline (schema, parse,
 * defaults, validation) and the same command-line builder as a domain
 * start; what the new device adds to the command line (its -object and
 * -device arguments, nothing else) is sent as object-add and device_add,
 * so hotplug and command line never disagree. The device gets a free CCW
 * address against both the domain's devices (as assigned at start) and
 * what QEMU reports (dev_id of every device under /machine/peripheral
 * and /machine/peripheral-anon), and a free id. A vfio-ccw hostdev is
 * prepared on the host first (hostdev_prepare.h), and the host is
 * rolled back when QEMU refuses the device.
 *
 * Detach: the device is found in QEMU (a hostdev by its sysfsdev, any
 * device by its CCW address or <alias>), device_del is sent, and
 * DEVICE_DELETED awaited for a bounded time; only then are its backend
 * objects deleted and a hostdev released on the host.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu_capabilities.h"
#include "hostdev_prepare.h"
#include "qemu_qmp.h"

#define VCCW_HOTPLUG_DEFAULT_TIMEOUT_MS 10000

typedef struct {
    char *id;            /* QEMU device id */
    char *devno;         /* "fe.0.0003" */
    char *driver;        /* "vfio-ccw", "virtio-rng-ccw" */
} VccwHotplugResult;

void vccw_hotplug_result_clear(VccwHotplugResult *res);

/* Attach @dev_xml (one device element) to the running domain defined by
 * @dom_xml, whose QEMU answers on @qmp. @mgr may be NULL when the device
 * needs no host preparation (anything but a vfio-ccw hostdev). */
bool vccw_qemu_attach_device(VccwQmp *qmp, VccwHostdevMgr *mgr, const VccwQemuCaps *caps,
                             const char *dom_xml, size_t dom_len,
                             const char *dev_xml, size_t dev_len,
                             VccwHotplugResult *res, GPtrArray *report, GError **err);

/* Detach the device @dev_xml describes from the running domain; wait at
 * most @timeout_ms for QEMU to report it deleted. */
bool vccw_qemu_detach_device(VccwQmp *qmp, VccwHostdevMgr *mgr,
                             const char *dom_xml, size_t dom_len,
                             const char *dev_xml, size_t dev_len, unsigned int timeout_ms,
                             VccwHotplugResult *res, GPtrArray *report, GError **err);
