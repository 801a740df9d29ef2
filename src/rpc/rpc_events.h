/* virtccw: node-device lifecycle events from successive device lists.
 *
 * The daemon keeps the last list it saw (name, active, persistent and a
 * hash of the XML) and compares each new one with it: a device that
 * became active is CREATED, one that stopped is DELETED, one that became
 * persistent is DEFINED, one that stopped being so UNDEFINED; any other
 * change of its XML is an UPDATE. Fresh lists are taken after every
 * changing call, on kernel uevents and on an optional timer, and only
 * while some client listens.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_driver.h"

typedef struct {
    char *name;
    gint32 event_id;     /* VCCW_NODEDEV_EVENT_ID_LIFECYCLE or _UPDATE */
    gint32 event;        /* lifecycle: VCCW_NODEDEV_EVENT_CREATED ... */
} VccwRpcEvent;

typedef struct _VccwRpcEvents VccwRpcEvents;

VccwRpcEvents *vccw_rpc_events_new(void);
void vccw_rpc_events_free(VccwRpcEvents *ev);
/* Forget the last list: the next update only records. */
void vccw_rpc_events_reset(VccwRpcEvents *ev);
bool vccw_rpc_events_valid(const VccwRpcEvents *ev);

/* Compare @defs (VccwNodeDevDef*, every device, active or not) with the
 * last list and remember them; returns the events (VccwRpcEvent) in a
 * stable order (by name, and per device in libvirt's order). */
GArray *vccw_rpc_events_update(VccwRpcEvents *ev, GPtrArray *defs);

void vccw_rpc_event_clear(VccwRpcEvent *e);
