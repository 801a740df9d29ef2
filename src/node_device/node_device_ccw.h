/* virtccw: internals shared by the node-device driver's files. */
#pragma once

#include "node_device_driver.h"

#include <stdbool.h>

const VccwHost *vccw_nodedev_driver_host(const VccwNodeDevDriver *drv);

/* A subchannel by id. With @require_listed, only one libvirt would list
 * (bound to io_subchannel or vfio_ccw); otherwise any existing one. */
VccwNodeDevDef *vccw_nodedev_lookup_css(VccwNodeDevDriver *drv, const VccwCcwId *id,
                                        bool require_listed, GError **err);

/* Active mdevs merged with the mdevctl store's definitions. */
GPtrArray *vccw_nodedev_list_mdevs(VccwNodeDevDriver *drv, GPtrArray *warnings);
