/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: libvirt remote-protocol procedures for node devices.
 *
 * One table maps each procedure number to its argument layout, its
 * handler, its return layout and its access rules; vccw_rpc_dispatch()
 * turns one received message into at most one reply. No socket I/O
 * happens here, so tests and the fuzzer drive it directly.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "libvirt_release.h"
#include "node_device_driver.h"
#include "rpc_devcache.h"
#include "rpc_error.h"
#include "rpc_message.h"

/* Procedure numbers (libvirt's remote_protocol.x, enum remote_procedure). */
enum {
    VCCW_PROC_CONNECT_OPEN = 1,
    VCCW_PROC_CONNECT_CLOSE = 2,
    VCCW_PROC_CONNECT_GET_TYPE = 3,
    VCCW_PROC_CONNECT_GET_VERSION = 4,
    VCCW_PROC_CONNECT_GET_HOSTNAME = 59,
    VCCW_PROC_CONNECT_SUPPORTS_FEATURE = 60,
    VCCW_PROC_AUTH_LIST = 66,
    VCCW_PROC_CONNECT_GET_URI = 110,
    VCCW_PROC_NODE_NUM_OF_DEVICES = 111,
    VCCW_PROC_NODE_LIST_DEVICES = 112,
    VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME = 113,
    VCCW_PROC_NODE_DEVICE_GET_XML_DESC = 114,
    VCCW_PROC_NODE_DEVICE_GET_PARENT = 115,
    VCCW_PROC_NODE_DEVICE_NUM_OF_CAPS = 116,
    VCCW_PROC_NODE_DEVICE_LIST_CAPS = 117,
    VCCW_PROC_NODE_DEVICE_DETTACH = 118,
    VCCW_PROC_NODE_DEVICE_RE_ATTACH = 119,
    VCCW_PROC_NODE_DEVICE_RESET = 120,
    VCCW_PROC_NODE_DEVICE_CREATE_XML = 123,
    VCCW_PROC_NODE_DEVICE_DESTROY = 124,
    VCCW_PROC_CONNECT_IS_SECURE = 149,
    VCCW_PROC_CONNECT_GET_LIB_VERSION = 157,
    VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES = 285,
    VCCW_PROC_NODE_DEVICE_DETACH_FLAGS = 301,
    VCCW_PROC_CONNECT_REGISTER_CLOSE_CALLBACK = 360,
    VCCW_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
    VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY = 374,
    VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY = 375,
    VCCW_PROC_NODE_DEVICE_EVENT_LIFECYCLE = 376,
    VCCW_PROC_NODE_DEVICE_EVENT_UPDATE = 377,
    VCCW_PROC_NODE_DEVICE_DEFINE_XML = 428,
    VCCW_PROC_NODE_DEVICE_UNDEFINE = 429,
    VCCW_PROC_NODE_DEVICE_CREATE = 430,
    VCCW_PROC_NODE_DEVICE_GET_AUTOSTART = 433,
    VCCW_PROC_NODE_DEVICE_SET_AUTOSTART = 434,
    VCCW_PROC_NODE_DEVICE_IS_PERSISTENT = 435,
    VCCW_PROC_NODE_DEVICE_IS_ACTIVE = 436,
    VCCW_PROC_NODE_DEVICE_UPDATE = 447,
};
/* Procedure numbers above this are unknown to libvirt 9.0-10.x clients and
 * get "unknown procedure"; the others we lack get VIR_ERR_NO_SUPPORT. */
#define VCCW_PROC_LAST_KNOWN 460

/* CONNECT_GET_LIB_VERSION: the libvirt release whose node-device API
 * virtccwd implements (libvirt_release.h: 11.3.0). Clients gate features
 * on it. */
#define VCCW_RPC_LIBVIRT_VERSION VCCW_LIBVIRT_NODEDEV_API_VERSION

/* virConnectNodeDeviceEventID and virNodeDeviceEventLifecycleType */
enum {
    VCCW_NODEDEV_EVENT_ID_LIFECYCLE = 0,
    VCCW_NODEDEV_EVENT_ID_UPDATE = 1,
    VCCW_NODEDEV_EVENT_ID_LAST,
};
enum {
    VCCW_NODEDEV_EVENT_CREATED = 0,
    VCCW_NODEDEV_EVENT_DELETED = 1,
    VCCW_NODEDEV_EVENT_DEFINED = 2,
    VCCW_NODEDEV_EVENT_UNDEFINED = 3,
};

/* virDrvFeature values answered by CONNECT_SUPPORTS_FEATURE */
#define VCCW_FEATURE_PROGRAM_KEEPALIVE 10
#define VCCW_FEATURE_REMOTE_EVENT_CALLBACK 14
#define VCCW_FEATURE_REMOTE_CLOSE_CALLBACK 15

#define VCCW_RPC_MAX_CALLBACKS 1024

typedef struct {
    gint32 id;
    gint32 event_id;
    char *dev;          /* only events of this device, NULL: all */
} VccwRpcCallback;

/* Daemon-wide state shared by every connection. */
typedef struct {
    VccwNodeDevDriver *drv;
    /* NULL: every query asks the driver; else listing, lookup and XML come
     * from the cache, and changing calls mark what they touched in it */
    VccwRpcDevCache *cache;
    char *hostname;
    guint64 hv_version;     /* CONNECT_GET_VERSION */
    guint64 lib_version;    /* CONNECT_GET_LIB_VERSION */
} VccwRpcContext;

/* One client connection's protocol state. */
typedef struct {
    bool socket_readonly;   /* came in on the read-only socket */
    bool denied;            /* peer credentials refused: every call fails */
    bool opened;
    bool readonly;          /* socket_readonly or VIR_CONNECT_RO at open */
    bool keepalive;         /* the client asked for the keepalive feature */
    bool close_callback;
    char *uri;
    GArray *callbacks;      /* of VccwRpcCallback */
    gint32 next_callback_id;
} VccwRpcConn;

void vccw_rpc_conn_init(VccwRpcConn *conn, bool socket_readonly);
void vccw_rpc_conn_clear(VccwRpcConn *conn);

typedef struct {
    GBytes *reply;          /* to send, or NULL */
    bool disconnect;        /* close after sending @reply */
    bool changed;           /* devices may have changed: refresh events */
    bool callbacks_changed; /* event callbacks were (un)registered */
} VccwRpcResult;

/* Handle one whole message (length word included). */
void vccw_rpc_dispatch(VccwRpcContext *ctx, VccwRpcConn *conn,
                       const guint8 *msg, size_t len, VccwRpcResult *res);

/* The table, for tests: the name of @proc (NULL when not served). */
const char *vccw_rpc_proc_name(gint32 proc);

/* An error reply to @call_hdr (used by the server for refused clients). */
GBytes *vccw_rpc_error_reply(const VccwRpcHeader *call_hdr, const VccwRpcError *e);

/* Event messages (type MESSAGE, serial 0). */
GBytes *vccw_rpc_event_lifecycle_msg(gint32 callback_id, const char *dev,
                                     gint32 event, gint32 detail);
GBytes *vccw_rpc_event_update_msg(gint32 callback_id, const char *dev);
