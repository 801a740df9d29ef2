/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node-device lifecycle events from a device's old and new state.
 *
 * A device that became active is CREATED, one that stopped is DELETED,
 * one that became persistent is DEFINED, one that stopped being so
 * UNDEFINED; any other change of its XML (with <start>, so autostart
 * changes count) is an UPDATE. The device cache (rpc_devcache.h) calls
 * this for every device it re-read, with the state before and after.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_conf.h"

typedef struct {
    char *name;
    gint32 event_id;     /* VCCW_NODEDEV_EVENT_ID_LIFECYCLE or _UPDATE */
    gint32 event;        /* lifecycle: VCCW_NODEDEV_EVENT_CREATED ... */
} VccwRpcEvent;

/* An empty array of VccwRpcEvent that frees the names. */
GArray *vccw_rpc_events_new_array(void);

/* Append the events of device @name going from @old (NULL: absent) to
 * @cur (NULL: gone) to @out, in libvirt's order (defined, created,
 * deleted, undefined). */
void vccw_rpc_events_diff(GArray *out, const char *name, const VccwNodeDevDef *old,
                          const VccwNodeDevDef *cur);

void vccw_rpc_event_clear(VccwRpcEvent *e);
