/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake node-device driver of the virtccwd tests: how often its read
 * functions were called (vccw_nodedev_list, vccw_nodedev_lookup), so the
 * cache tests can show that queries do not reach the driver. */
#pragma once

#include <glib.h>

extern guint fake_nodedev_list_calls;
extern guint fake_nodedev_lookup_calls;
