/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the unix-socket server of virtccwd (GLib main loop).
 *
 * Clients on the read-write socket must be root or the daemon's own user
 * (SO_PEERCRED); the read-only socket serves everyone and refuses every
 * changing call. Each client has a bounded input buffer (one message of
 * at most 32 MiB) and output queue; a client that sends a malformed
 * length is dropped, other bad messages get an error reply. Keepalive
 * PINGs go to clients that asked for the feature, and node-device events
 * to clients that registered callbacks.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "node_device_driver.h"
#include "rpc_devcache.h"

typedef struct _VccwRpcServer VccwRpcServer;

/* @drv is borrowed and must outlive the server. */
VccwRpcServer *vccw_rpc_server_new(VccwNodeDevDriver *drv);
void vccw_rpc_server_free(VccwRpcServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwRpcServer, vccw_rpc_server_free)

/* Bind a socket at @path (its directory is created; a stale socket is
 * replaced) with permissions @mode; removed again when the server is
 * freed. */
bool vccw_rpc_server_listen_unix(VccwRpcServer *srv, const char *path, bool readonly,
                                 mode_t mode, GError **err);
/* An already listening socket (systemd socket activation). */
bool vccw_rpc_server_listen_fd(VccwRpcServer *srv, int fd, bool readonly, GError **err);

void vccw_rpc_server_set_max_clients(VccwRpcServer *srv, guint max);
/* Ping a keepalive client after @interval seconds of silence; drop it
 * after @count unanswered pings. 0 disables. */
void vccw_rpc_server_set_keepalive(VccwRpcServer *srv, guint interval, guint count);
/* The server keeps every device in memory (rpc_devcache.h) and re-reads
 * only what the sources below name. */
/* Read every device now (a full scan; otherwise done by the first query). */
void vccw_rpc_server_load_devices(VccwRpcServer *srv);
/* Re-read every device every @seconds, taking at most a tenth of the time
 * (0: never; for hosts without any source below). */
void vccw_rpc_server_set_poll_interval(VccwRpcServer *srv, guint seconds);
/* Kernel uevents on netlink (the real host). */
bool vccw_rpc_server_watch_uevents(VccwRpcServer *srv, GError **err);
/* A simulated host's event log (DIR/.simhost/events), read every
 * @interval_ms (0: 500). */
bool vccw_rpc_server_watch_event_log(VccwRpcServer *srv, const char *path, guint interval_ms,
                                     GError **err);
/* The mdevctl store directory (inotify): definitions change without
 * uevents. */
bool vccw_rpc_server_watch_mdev_store(VccwRpcServer *srv, const char *dir, GError **err);
VccwRpcDevCache *vccw_rpc_server_cache(VccwRpcServer *srv);
/* Versions and host name reported to clients. */
void vccw_rpc_server_set_versions(VccwRpcServer *srv, guint64 hv_version,
                                  guint64 lib_version);

/* Run until SIGTERM/SIGINT or vccw_rpc_server_quit(). */
void vccw_rpc_server_run(VccwRpcServer *srv);
void vccw_rpc_server_quit(VccwRpcServer *srv);

guint vccw_rpc_server_client_count(const VccwRpcServer *srv);
