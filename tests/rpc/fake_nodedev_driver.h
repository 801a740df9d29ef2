/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake node-device driver of the virtccwd tests: how often its read
 * functions were called (vccw_nodedev_list, vccw_nodedev_lookup), so the
 * cache tests can show that queries do not reach the driver. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_driver.h"

extern guint fake_nodedev_list_calls;
extern guint fake_nodedev_lookup_calls;

/* Another program wrote the online of ccw device @name (chccwdev): its
 * <state> (libvirt 11.3) changes and nothing else, as on a real host,
 * where no uevent follows. false when there is no such ccw device. */
bool fake_nodedev_set_ccw_state(VccwNodeDevDriver *drv, const char *name, VccwCcwState state);
