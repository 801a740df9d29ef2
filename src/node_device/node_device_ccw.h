/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: internals shared by the node-device driver's files. */
#pragma once

#include "node_device_driver.h"
#include "vccw_host.h"

#include <stdbool.h>

const VccwHost *vccw_nodedev_driver_host(const VccwNodeDevDriver *drv);

/* A subchannel by id. With @require_listed, only one libvirt would list
 * (bound to io_subchannel or vfio_ccw); otherwise any existing one. */
VccwNodeDevDef *vccw_nodedev_lookup_css(VccwNodeDevDriver *drv, const VccwCcwId *id,
                                        bool require_listed, GError **err);

/* The directory @dir/@name (@name may be NULL) of the host, opened for
 * *at() calls; -1 with @err set when it cannot be. */
int vccw_nodedev_open_dir(const VccwHost *host, VccwHostDir dir, const char *name,
                          GError **err);

/* Reads one entry @name of a bus directory (@dfd): the device, or NULL
 * when it is not listed (a warning in @warnings says why, where due). */
typedef VccwNodeDevDef *(*VccwNodeDevReadEntry)(int dfd, const char *name,
                                                GPtrArray *warnings);

/* The devices of the bus directory @dfd (taken and closed), in the order
 * the directory lists them: every entry but the dot ones goes through
 * @read_entry, what it returns is added to @out. Shared by the ccw,
 * ccwgroup and mdev listings. */
void vccw_nodedev_read_dir(int dfd, VccwNodeDevReadEntry read_entry, GPtrArray *out,
                           GPtrArray *warnings);

/* Add a printf-formatted warning to @warnings (may be NULL: then nothing):
 * a broken entry is described and skipped, never fatal to a listing. */
void vccw_nodedev_warn(GPtrArray *warnings, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Active mdevs merged with the mdevctl store's definitions. */
GPtrArray *vccw_nodedev_list_mdevs(VccwNodeDevDriver *drv, GPtrArray *warnings);

/* The checks that decide whether a device is listed, shared by the object
 * listing (node_device_ccw.c) and the name-only one
 * (node_device_list_names.c), so that both list the same devices and warn
 * alike about what they skip. */
bool vccw_nodedev_css_driver_listed(const char *driver);
/* Good mdev types of the subchannel @dirfd/@prefix (bound to vfio_ccw). */
guint vccw_nodedev_count_mdev_types(int dirfd, const char *prefix, const char *subch,
                                    GPtrArray *warnings);
/* @name in sys/bus/ccw/devices (@dfd); *@parent: its subchannel's bus id;
 * *@state: its <state> (VCCW_CCW_STATE_LAST when the release prints none).
 * Offline devices are listed only when the followed release lists them
 * (VccwConfBehaviour.ccw_list_offline). */
bool vccw_nodedev_probe_ccw(int dfd, const char *name, GPtrArray *warnings, VccwCcwId *id,
                            VccwCcwId *pid, char **parent, VccwCcwState *state);
/* The "online" attribute @dfd/@path as libvirt 11.3's udevCCWGetState
 * reads it (ccw and ccwgroup devices): false for junk or a negative
 * number, *@state offline when it cannot be read. */
bool vccw_nodedev_read_ccw_online(int dfd, const char *path, VccwCcwState *state);
/* @name in sys/bus/mdev/devices (@dfd). */
bool vccw_nodedev_probe_active_mdev(int dfd, const char *name, GPtrArray *warnings,
                                    unsigned char *uuid, VccwCcwId *pid, char *parent,
                                    size_t parent_size, char *type, size_t type_size);

/* node_device_ccwgroup.c: ccwgroup devices (libvirt 11.1+). */
/* Append the listed groups (qeth ones, as libvirt) to @out. */
void vccw_nodedev_list_ccwgroups(VccwNodeDevDriver *drv, GPtrArray *out, GPtrArray *warnings);
/* The group named ccwgroup_<id>; NULL + "no node device" otherwise. */
VccwNodeDevDef *vccw_nodedev_lookup_ccwgroup(VccwNodeDevDriver *drv, const VccwCcwId *id,
                                             const char *name, GError **err);
/* The ccwgroup_member sub-capability of the ccw device @dfd/@name (its
 * group_device link), into def->group_device; looked for only when
 * def->driver is the ccw driver of a group driver (qeth, lcs, ctcm). */
void vccw_nodedev_ccw_read_group(int dfd, const char *name, VccwNodeDevDef *def);
