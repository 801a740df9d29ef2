/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: a small synchronous QMP client.
 *
 * One VccwQmp is one connection to a QEMU monitor socket. Everything
 * blocks, but never longer than the connection's timeout: each wait is
 * bounded by poll() against a deadline, and each message by a size cap, so
 * a wedged or hostile QEMU cannot hang or exhaust the caller.
 *
 * Used by the capability probe (qemu_capabilities.c), the real-QEMU start
 * test, and later by hotplug (execute device_add, wait for DEVICE_DELETED).
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "vccw_json.h"   /* g_autoptr(json_object) */

typedef struct _VccwQmp VccwQmp;

/* Default bound on every wait (connect, each command, each event). */
#define VCCW_QMP_DEFAULT_TIMEOUT_MS 30000
/* Largest single QMP message accepted; query-qmp-schema is ~200 KiB. */
#define VCCW_QMP_MAX_MESSAGE (16 * 1024 * 1024)

/* Called between connect attempts; returning false stops waiting (e.g.
 * the QEMU process that should create the socket has already exited). */
typedef bool (*VccwQmpAliveFunc)(gpointer data);

/* Connect to the UNIX socket at @path, retrying while it does not exist
 * yet or refuses connections, for at most @timeout_ms; then read the
 * greeting and negotiate capabilities (qmp_capabilities). */
VccwQmp *vccw_qmp_connect(const char *path, unsigned int timeout_ms,
                          VccwQmpAliveFunc alive, gpointer alive_data,
                          GError **err);

/* Same handshake over an already connected stream socket; takes @fd
 * (closed on failure too). */
VccwQmp *vccw_qmp_new_from_fd(int fd, unsigned int timeout_ms, GError **err);

void vccw_qmp_free(VccwQmp *qmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwQmp, vccw_qmp_free)

void vccw_qmp_set_timeout(VccwQmp *qmp, unsigned int timeout_ms);

/* The greeting's "QMP" object (borrowed; valid until vccw_qmp_free). */
json_object *vccw_qmp_greeting(const VccwQmp *qmp);

/* Run @command with @args (a JSON object or NULL; borrowed, not consumed)
 * and return a new reference to the reply's "return" value. A QMP error
 * reply becomes "internal error: unable to execute QEMU command '<cmd>':
 * <desc>" (libvirt's wording); its class is then vccw_qmp_last_error_class().
 * Events that arrive meanwhile are queued for vccw_qmp_wait_event(). */
json_object *vccw_qmp_execute(VccwQmp *qmp, const char *command,
                              json_object *args, GError **err);

/* "GenericError", "DeviceNotFound", ... of the last error reply; NULL if
 * the last command succeeded or failed for another reason (I/O, timeout). */
const char *vccw_qmp_last_error_class(const VccwQmp *qmp);

/* Wait at most @timeout_ms for an event named @event (queued ones first)
 * and return a new reference to the whole event object ({"event": ...,
 * "data": ..., "timestamp": ...}). Other events stay queued. */
json_object *vccw_qmp_wait_event(VccwQmp *qmp, const char *event,
                                 unsigned int timeout_ms, GError **err);

/* The same, until @deadline (g_get_monotonic_time()'s clock). A caller
 * that waits in a loop passes its own deadline: a timeout converted back
 * to milliseconds could end before it, and a timeout error with time
 * left would look like the monitor's failure. On a timeout the deadline
 * has passed. */
json_object *vccw_qmp_wait_event_until(VccwQmp *qmp, const char *event,
                                       gint64 deadline, GError **err);

/* True once the peer closed the connection (e.g. after "quit"). */
bool vccw_qmp_is_closed(const VccwQmp *qmp);
