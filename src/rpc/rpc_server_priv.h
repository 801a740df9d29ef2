/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: what the server's two halves share: the server and client
 * objects, and the calls between client I/O (rpc_server.c) and the change
 * sources and event delivery (rpc_server_sources.c). Nothing else
 * includes this header; the public API is rpc_server.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc_devcache.h"
#include "rpc_message.h"
#include "rpc_procs.h"
#include "rpc_server.h"
#include "rpc_watch.h"

typedef struct _Client Client;

typedef struct {
    GSource src;
    Client *c;
    gpointer tag;
} ClientSource;

struct _Client {
    VccwRpcServer *srv;
    guint id;
    int fd;
    uid_t uid;
    pid_t pid;
    ClientSource *source;
    GIOCondition polled;    /* what source polls for now */
    VccwRpcConn conn;
    bool dead;          /* closed; freed from an idle callback */

    guint8 lenbuf[VCCW_RPC_LEN_SIZE];
    size_t lenhave;
    GByteArray *in;     /* the message being read, length word included */
    guint32 want;
    GByteArray *pending;    /* received bytes not fed yet (a wakeup's limit) */
    bool ready_set;         /* the source's ready time is set for them */

    GQueue out;         /* of GBytes */
    size_t out_off;     /* bytes of the head already sent */
    size_t out_bytes;

    bool closing;       /* close once the output is sent */
    gint64 last_rx;     /* monotonic seconds */
    guint pings;
};

struct _VccwRpcServer {
    VccwRpcContext ctx;
    GMainLoop *loop;
    GPtrArray *listeners;   /* Listener* */
    GList *clients;         /* Client*, live ones */
    guint nclients;
    guint max_clients;
    guint next_id;
    guint ka_interval;
    guint ka_count;
    guint tick;
    guint poll_interval;
    guint poll_timer;
    int uevent_fd;
    guint uevent_watch;
    guint flush_timer;
    VccwRpcLogTail *log;        /* a simulated host's event log */
    guint log_timer;
    VccwRpcDirWatch *dirwatch;  /* the mdevctl store */
    guint dirwatch_watch;
    VccwRpcDevCache *cache;
    GArray *pending;            /* VccwRpcEvent, to deliver */
    gint64 last_refresh_end;    /* monotonic us */
    gint64 last_refresh_cost;   /* us */
};


/* Queue @msg (taken) for @c; drops a client whose output piles up. */
void vccw_rpc_srv_client_queue(Client *c, GBytes *msg);

/* The cache's event function: keep them until the current reply is out. */
void vccw_rpc_srv_events_cb(GArray *events, gpointer opaque);
/* A client registered or dropped an event callback. */
void vccw_rpc_srv_callbacks_changed(VccwRpcServer *srv);
/* Send the pending events to the clients that asked for them. */
void vccw_rpc_srv_deliver(VccwRpcServer *srv);
/* Re-read what is marked, and tell the listeners. */
void vccw_rpc_srv_flush(VccwRpcServer *srv);
/* Something was marked: re-read it soon. */
void vccw_rpc_srv_flush_soon(VccwRpcServer *srv);
