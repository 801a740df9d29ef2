/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: host primitives for mediated devices, keyed by UUID (the
 * canonical lower-case string) and parent bus id ("0.0.0313").
 *
 * Creating (write `create`, then wait, bounded, for the device to
 * appear), setting an attribute, removing (bounded: the kernel's remove
 * blocks while a user holds the device) and libvirt's device API check
 * (virMediatedDeviceCheckModel; libvirt keeps these in
 * src/util/virmdev.c). The node-device driver and the host-device manager
 * go through these: nothing else writes an mdev's sysfs files. Which
 * parents and types may be used is the callers' business.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_host.h"

#define VCCW_MDEV_APPEAR_TIMEOUT_MS 5000
#define VCCW_MDEV_REMOVE_TIMEOUT_MS 10000

/* <root>/sys/bus/mdev/devices/@uuid (the name checked). */
char *vccw_mdev_dir(const VccwHost *host, const char *uuid, GError **err);

/* Does the mdev @uuid exist (active) now? */
bool vccw_mdev_exists(const VccwHost *host, const char *uuid);

/* Create mdev @uuid of @type on @parent and wait, at most
 * VCCW_MDEV_APPEAR_TIMEOUT_MS, for it to appear. The kernel's errno is
 * told in words (EEXIST, EUSERS, ...). An mdev already there is refused. */
bool vccw_mdev_create(const VccwHost *host, const char *parent, const char *type,
                      const char *uuid, GError **err);

/* Write @value to attribute @name of mdev @uuid. */
bool vccw_mdev_set_attr(const VccwHost *host, const char *uuid, const char *name,
                        const char *value, GError **err);

/* Remove mdev @uuid, waiting at most VCCW_MDEV_REMOVE_TIMEOUT_MS (then
 * "Timed out during operation": its user holds it, the kernel waits).
 * @shown names the device in messages. */
bool vccw_mdev_remove(const VccwHost *host, const char *uuid, const char *shown,
                      GError **err);

/* Wait at most @timeout_ms for @path to exist (@present) or to be gone. */
bool vccw_mdev_wait_path(const char *path, bool present, unsigned int timeout_ms);

/* libvirt's device API check of active mdev @uuid (its
 * mdev_type/device_api) against @api: "device not found" without the
 * device, libvirt's texts for an unknown or another API. */
bool vccw_mdev_check_api(const VccwHost *host, const char *uuid, const char *api,
                         GError **err);

/* The same check before mdev @uuid is created, on @type of @parent: only
 * when the parent offers the type already (a parent not yet on vfio_ccw
 * is checked once the mdev exists). */
bool vccw_mdev_check_type_api(const VccwHost *host, const char *parent, const char *type,
                              const char *uuid, const char *api, GError **err);
