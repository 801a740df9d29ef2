/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: virtccwd's in-memory copy of the node-device tree.
 *
 * Every device the driver lists (computer, css, ccw, mdev: active and
 * defined) is kept with its definition and, once asked for, its XML
 * (active and inactive form), so that listing, lookup and XML cost no
 * sysfs access at all. The copy is kept current by invalidation:
 *
 *  - a kernel uevent (netlink, or a simulated host's event log) names a
 *    device path; /devices/css0/0.0.0052 marks css_0_0_0052 for
 *    re-reading, a ccw device below it (or anything below that, like a
 *    DASD's block device) also ccw_<devno>, an mdev below it that mdev's
 *    UUID (and the parent, whose available instances changed); a ccwgroup
 *    device (qeth, lcs, ctcm: its ccw devices go on- and offline without
 *    uevents) the ccw devices. A ccw device set on- or offline by itself
 *    sends no uevent either (the kernel's online_store calls none): its
 *    <state> (libvirt 11.3) stays the one read last, as in libvirt's udev
 *    backend, until a uevent names it (udevadm trigger) or something
 *    below it, or the poll;
 *  - a change of the mdevctl store (inotify) marks the UUID of each
 *    definition file that changed, the mdev set for anything else;
 *  - a changing call of the daemon's own marks the devices it touched;
 *  - module/driver events of vfio_ccw, a lost uevent (netlink overflow,
 *    a trimmed event log) or the optional poll mark everything.
 *
 * Marked devices are re-read (one driver lookup each; the mdevs of one
 * UUID for a marked UUID; one mdev listing for the mdev set) before the
 * next query and by the owner's timers. A
 * re-read compares the old and new definition of each device and hands
 * the lifecycle/update events to the event function, ordered by name.
 * A lookup of a name the cache does not hold asks the driver once (a
 * device made behind the daemon's back whose uevent is not processed
 * yet), and keeps what it finds.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_driver.h"
#include "rpc_events.h"

typedef struct _VccwRpcDevCache VccwRpcDevCache;

/* Called with each batch of events (non-empty), only while listening. */
typedef void (*VccwRpcDevCacheEventFunc)(GArray *events, gpointer opaque);

/* @drv is borrowed. The cache starts empty and marked for a full read. */
VccwRpcDevCache *vccw_rpc_devcache_new(VccwNodeDevDriver *drv);
void vccw_rpc_devcache_free(VccwRpcDevCache *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwRpcDevCache, vccw_rpc_devcache_free)

void vccw_rpc_devcache_set_event_func(VccwRpcDevCache *c, VccwRpcDevCacheEventFunc fn,
                                      gpointer opaque);
/* Events are computed only while someone listens. Starting to listen
 * first brings the cache up to date (without events). */
void vccw_rpc_devcache_set_listening(VccwRpcDevCache *c, bool listening);

/* ---- queries (each first re-reads what is marked) ---- */

/* Devices matching libvirt list @flags (as vccw_nodedev_list()), sorted
 * by name; borrowed VccwNodeDevDef*, valid until the next call into the
 * cache. */
GPtrArray *vccw_rpc_devcache_list(VccwRpcDevCache *c, unsigned int flags);
/* The device @name, borrowed like above; NULL + the driver's error
 * (VCCW_ERR_NO_NODE_DEVICE) when there is none. */
const VccwNodeDevDef *vccw_rpc_devcache_lookup(VccwRpcDevCache *c, const char *name,
                                               GError **err);
/* Its XML, vccw_nodedev_def_format(def, @inactive ? INACTIVE : 0),
 * formatted once per version of the device. */
const char *vccw_rpc_devcache_xml(VccwRpcDevCache *c, const char *name, bool inactive,
                                  GError **err);

/* ---- invalidation ---- */

/* Re-read device @name (css_, ccw_, mdev_ names). */
void vccw_rpc_devcache_mark(VccwRpcDevCache *c, const char *name);
/* Re-read every mdev (active and defined). */
void vccw_rpc_devcache_mark_mdevs(VccwRpcDevCache *c);
/* Re-read the mdevs of one UUID (a definition file of that name changed);
 * false when @uuid is no UUID (then nothing is marked). */
bool vccw_rpc_devcache_mark_mdev_uuid(VccwRpcDevCache *c, const char *uuid);
/* Re-read everything (a full sysfs scan). */
void vccw_rpc_devcache_mark_all(VccwRpcDevCache *c);
/* A changing call named @name: mark it and the devices it may have
 * changed with it (an mdev's UUID and parent, a subchannel's ccw device);
 * NULL (a failed create or define: no name) marks the mdev set. */
void vccw_rpc_devcache_mark_call(VccwRpcDevCache *c, const char *name);
/* A kernel uevent: @action (add, remove, bind, unbind, change, move...),
 * @devpath (/devices/css0/0.0.0052/...) and @subsystem (may be NULL).
 * Returns whether it marked anything. */
bool vccw_rpc_devcache_mark_uevent(VccwRpcDevCache *c, const char *action,
                                   const char *devpath, const char *subsystem);
bool vccw_rpc_devcache_pending(const VccwRpcDevCache *c);

/* Re-read what is marked now, handing the events to the event function. */
void vccw_rpc_devcache_flush(VccwRpcDevCache *c);

/* ---- uevent messages ---- */

/* A netlink kernel uevent ("add@/devices/...\0ACTION=add\0DEVPATH=...\0
 * SUBSYSTEM=...\0..."); messages of udev (libudev header) are ignored. */
bool vccw_rpc_devcache_netlink_uevent(VccwRpcDevCache *c, const char *buf, size_t len);
/* A line of a simulated host's event log: "UEVENT: add@/devices/... SUBSYSTEM=mdev ...";
 * other lines (KMSG) are ignored. */
bool vccw_rpc_devcache_log_uevent(VccwRpcDevCache *c, const char *line);

/* ---- counters, for tests and the bench ---- */
typedef struct {
    guint64 full_reads;     /* full driver listings */
    guint64 mdev_reads;     /* listings of the mdev set */
    guint64 mdev_uuid_reads; /* re-reads of one mdev UUID (its uevents) */
    guint64 ccw_reads;      /* listings of the ccw devices (ccwgroup changes) */
    guint64 device_reads;   /* single-device driver lookups (marks and misses) */
    guint64 misses;         /* lookups of names the cache did not hold */
    guint64 devices;        /* devices held now */
} VccwRpcDevCacheStats;
void vccw_rpc_devcache_get_stats(const VccwRpcDevCache *c, VccwRpcDevCacheStats *st);
