/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: the change sources that keep the device cache true and feed
 * the events (kernel uevents on netlink, a simulated host's event log,
 * inotify on the mdevctl store, the periodic re-read), and the delivery
 * of the cache's events to the clients that registered for them.
 * Client I/O, listeners and keepalive are rpc_server.c.
 */
#include "rpc_server.h"
#include "rpc_server_priv.h"
#include "rpc_devcache.h"
#include "rpc_events.h"
#include "rpc_watch.h"
#include "vccw_error.h"

#include <errno.h>
#include <glib-unix.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* Re-read what uevents named this long after the first of a burst. */
#define UEVENT_DEBOUNCE_MS 100
/* netlink receive buffer: a burst (vfio_ccw unloaded on a big host) must
 * not overflow it; an overflow costs a full re-read */
#define UEVENT_RCVBUF (16 * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* events and the device cache */

static bool
any_callbacks(VccwRpcServer *srv)
{
    for (GList *l = srv->clients; l; l = l->next) {
        Client *c = l->data;
        if (c->conn.callbacks->len)
            return true;
    }
    return false;
}

/* The cache's event function: keep them until the current reply is out. */
void
vccw_rpc_srv_events_cb(GArray *events, gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    for (guint i = 0; i < events->len; i++) {
        VccwRpcEvent *ev = &g_array_index(events, VccwRpcEvent, i);
        VccwRpcEvent copy = { g_steal_pointer(&ev->name), ev->event_id, ev->event };

        g_array_append_val(srv->pending, copy);
    }
}

void
vccw_rpc_srv_callbacks_changed(VccwRpcServer *srv)
{
    bool listening = any_callbacks(srv);

    vccw_rpc_devcache_set_listening(srv->cache, listening);
    if (!listening)
        g_array_set_size(srv->pending, 0);
}

static void
deliver(VccwRpcServer *srv, const VccwRpcEvent *ev)
{
    GList *l = srv->clients;

    while (l) {
        Client *c = l->data;
        g_autoptr(GPtrArray) msgs = g_ptr_array_new();

        l = l->next;    /* c may be dropped below */
        for (guint i = 0; i < c->conn.callbacks->len; i++) {
            const VccwRpcCallback *cb = &g_array_index(c->conn.callbacks, VccwRpcCallback, i);

            if (cb->event_id != ev->event_id || (cb->dev && !g_str_equal(cb->dev, ev->name)))
                continue;
            g_ptr_array_add(msgs, ev->event_id == VCCW_NODEDEV_EVENT_ID_LIFECYCLE ?
                            vccw_rpc_event_lifecycle_msg(cb->id, ev->name, ev->event, 0) :
                            vccw_rpc_event_update_msg(cb->id, ev->name));
        }
        for (guint i = 0; i < msgs->len; i++)
            vccw_rpc_srv_client_queue(c, g_ptr_array_index(msgs, i));
    }
}

void
vccw_rpc_srv_deliver(VccwRpcServer *srv)
{
    g_autoptr(GArray) evs = NULL;

    if (!srv->pending->len)
        return;
    evs = g_steal_pointer(&srv->pending);
    srv->pending = vccw_rpc_events_new_array();
    for (guint i = 0; i < evs->len; i++) {
        const VccwRpcEvent *ev = &g_array_index(evs, VccwRpcEvent, i);
        g_debug("event: %s %s %d", ev->name,
                ev->event_id == VCCW_NODEDEV_EVENT_ID_LIFECYCLE ? "lifecycle" : "update",
                ev->event);
        deliver(srv, ev);
    }
}

/* Re-read what is marked, and tell the listeners. */
void
vccw_rpc_srv_flush(VccwRpcServer *srv)
{
    if (srv->flush_timer) {
        g_source_remove(srv->flush_timer);
        srv->flush_timer = 0;
    }
    vccw_rpc_devcache_flush(srv->cache);
    vccw_rpc_srv_deliver(srv);
}

static gboolean
flush_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    srv->flush_timer = 0;
    vccw_rpc_srv_flush(srv);
    return G_SOURCE_REMOVE;
}

/* Something was marked: re-read it soon (a burst of uevents at once);
 * a query before that re-reads it first. */
void
vccw_rpc_srv_flush_soon(VccwRpcServer *srv)
{
    if (vccw_rpc_devcache_pending(srv->cache) && !srv->flush_timer)
        srv->flush_timer = g_timeout_add(UEVENT_DEBOUNCE_MS, flush_cb, srv);
}

void
vccw_rpc_server_load_devices(VccwRpcServer *srv)
{
    vccw_rpc_devcache_mark_all(srv->cache);
    vccw_rpc_srv_flush(srv);
}

VccwRpcDevCache *
vccw_rpc_server_cache(VccwRpcServer *srv)
{
    return srv->cache;
}

static gboolean
poll_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    gint64 now = g_get_monotonic_time();

    /* a host where listing is slow (huge, or simulated over FUSE) is not
     * listed more than a tenth of the time */
    if (now - srv->last_refresh_end < srv->last_refresh_cost * 9)
        return G_SOURCE_CONTINUE;
    vccw_rpc_devcache_mark_all(srv->cache);
    vccw_rpc_srv_flush(srv);
    srv->last_refresh_end = g_get_monotonic_time();
    srv->last_refresh_cost = srv->last_refresh_end - now;
    return G_SOURCE_CONTINUE;
}

void
vccw_rpc_server_set_poll_interval(VccwRpcServer *srv, guint seconds)
{
    if (srv->poll_timer)
        g_source_remove(srv->poll_timer);
    srv->poll_timer = 0;
    srv->poll_interval = seconds;
    if (seconds)
        srv->poll_timer = g_timeout_add_seconds(seconds, poll_cb, srv);
}

static gboolean
uevent_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    char buf[8192];
    ssize_t n;

    for (;;) {
        n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            vccw_rpc_devcache_netlink_uevent(srv->cache, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == ENOBUFS) {
            g_message("kernel uevents were lost; re-reading every device");
            vccw_rpc_devcache_mark_all(srv->cache);
            continue;
        }
        break;
    }
    vccw_rpc_srv_flush_soon(srv);
    return G_SOURCE_CONTINUE;
}

bool
vccw_rpc_server_watch_uevents(VccwRpcServer *srv, GError **err)
{
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    NETLINK_KOBJECT_UEVENT);
    int size = UEVENT_RCVBUF;

    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        vccw_error_set_errno(err, saved, "cannot listen to kernel uevents");
        if (fd >= 0)
            close(fd);
        return false;
    }
    /* beyond rmem_max needs CAP_NET_ADMIN; the plain one is capped */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
        g_debug("uevent socket buffer: %s", g_strerror(errno));
    srv->uevent_fd = fd;
    srv->uevent_watch = g_unix_fd_add(fd, G_IO_IN, uevent_cb, srv);
    return true;
}

static gboolean
log_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) lines = NULL;
    bool lost = false;

    if (!(lines = vccw_rpc_log_tail_read(srv->log, &lost, &err))) {
        g_debug("%s", err->message);
        return G_SOURCE_CONTINUE;
    }
    if (lost) {
        g_debug("the host's event log was trimmed or cleared; re-reading every device");
        vccw_rpc_devcache_mark_all(srv->cache);
    }
    for (guint i = 0; i < lines->len; i++)
        vccw_rpc_devcache_log_uevent(srv->cache, g_ptr_array_index(lines, i));
    vccw_rpc_srv_flush_soon(srv);
    return G_SOURCE_CONTINUE;
}

bool
vccw_rpc_server_watch_event_log(VccwRpcServer *srv, const char *path, guint interval_ms,
                                GError **err)
{
    VccwRpcLogTail *t = vccw_rpc_log_tail_new(path, err);

    if (!t)
        return false;
    if (srv->log_timer)
        g_source_remove(srv->log_timer);
    vccw_rpc_log_tail_free(srv->log);
    srv->log = t;
    srv->log_timer = g_timeout_add(interval_ms ? interval_ms : 500, log_cb, srv);
    return true;
}

static gboolean
dirwatch_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    if (vccw_rpc_dir_watch_read(srv->dirwatch, files)) {
        /* a definition file names its mdev's UUID; anything else (a parent
         * directory, lost events) may change any mdev */
        for (guint i = 0; i < files->len; i++) {
            const char *f = g_ptr_array_index(files, i);

            if (!f)
                vccw_rpc_devcache_mark_mdevs(srv->cache);
            else
                vccw_rpc_devcache_mark_mdev_uuid(srv->cache, f);
        }
        vccw_rpc_srv_flush_soon(srv);
    }
    return G_SOURCE_CONTINUE;
}

bool
vccw_rpc_server_watch_mdev_store(VccwRpcServer *srv, const char *dir, GError **err)
{
    static const char *const skip[] = { "scripts.d", NULL };
    VccwRpcDirWatch *w = vccw_rpc_dir_watch_new(dir, skip, err);

    if (!w)
        return false;
    if (srv->dirwatch_watch)
        g_source_remove(srv->dirwatch_watch);
    vccw_rpc_dir_watch_free(srv->dirwatch);
    srv->dirwatch = w;
    srv->dirwatch_watch = g_unix_fd_add(vccw_rpc_dir_watch_fd(w), G_IO_IN, dirwatch_cb, srv);
    return true;
}

