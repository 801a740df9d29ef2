/* virtccw: internals shared by the node-device driver's files. */
#pragma once

#include "node_device_driver.h"

const VccwHost *vccw_nodedev_driver_host(const VccwNodeDevDriver *drv);

/* A subchannel by id. With @require_listed, only one libvirt would list
 * (bound to io_subchannel or vfio_ccw); otherwise any existing one. */
VccwNodeDevDef *vccw_nodedev_lookup_css(VccwNodeDevDriver *drv, const VccwCcwId *id,
                                        bool require_listed, GError **err);

/* Active mdevs merged with the mdevctl store's definitions. */
GPtrArray *vccw_nodedev_list_mdevs(VccwNodeDevDriver *drv, GPtrArray *warnings);

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
