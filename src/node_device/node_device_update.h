/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: libvirt 10.1+'s virNodeDeviceUpdate, the checks before any
 * change (what may change and what may not).
 *
 * Kept apart from the code that writes the mdevctl store so that the
 * daemon's tests, which run against a fake driver, get the very same
 * checks and error texts (tests/rpc/fake_nodedev_driver.c links this).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_driver.h"

/* libvirt's virNodeDeviceUpdateFlags */
#define VCCW_UPDATE_AFFECT_CURRENT 0u
#define VCCW_UPDATE_AFFECT_LIVE    (1u << 0)
#define VCCW_UPDATE_AFFECT_CONFIG  (1u << 1)

/* Parse @xml as libvirt's nodeDeviceUpdate does (a whole device with a
 * <name>, its parent resolved to the parent's address as libvirt's
 * post-parse callback does), then, in libvirt's order: the device types
 * ("Unsupported device type"), the modification impact (CURRENT becomes
 * LIVE for an active device and CONFIG for an inactive one; LIVE needs an
 * active device and CONFIG a persistent one), and what may not change:
 * the UUID, the parent address, and on a live device the type. On success
 * *@flags is explicit and the parsed device is returned. */
VccwNodeDevDef *vccw_nodedev_update_prepare(VccwNodeDevDriver *drv,
                                            const VccwNodeDevDef *cur,
                                            const char *xml, size_t len,
                                            unsigned int *flags, GError **err);

/* `mdevctl modify --live [--defined] --jsonfile`, which libvirt runs for
 * AFFECT_LIVE: mdevctl changes a running mdev only through a vendor
 * callout script that supports live modify, and vfio_ccw has none, so
 * after mdevctl's own checks this fails as mdevctl 1.3+ does, in
 * libvirt's words. virtccw runs no callout scripts. Always false. */
bool vccw_nodedev_update_live(const VccwNodeDevDef *cur, const VccwNodeDevDef *new_def,
                              unsigned int flags, GError **err);

/* libvirt's wrapper of a failed `mdevctl modify`: "Unable to modify
 * mediated device: <mdevctl's standard error>". */
void vccw_nodedev_update_mdevctl_error(GError **err, const char *mdevctl_msg);
