/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: the server: listeners, client I/O (framing, flow control, one
 * request at a time per client), keepalive, and the main loop. The change
 * sources that feed the device cache and the events are
 * rpc_server_sources.c.
 */
#include "rpc_server.h"
#include "rpc_server_priv.h"
#include "rpc_devcache.h"
#include "rpc_events.h"
#include "rpc_message.h"
#include "rpc_procs.h"
#include "rpc_watch.h"
#include "vccw_error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Stop reading a client's requests while this much output waits. */
#define OUT_PAUSE_BYTES (1u << 20)
/* Drop a client that lets this much output (events) pile up. */
#define OUT_DROP_BYTES ((size_t)VCCW_RPC_MESSAGE_MAX * 2)
#define READ_CHUNK 65536
/* Messages handled per wakeup of one client, so others get their turn. */
#define MESSAGES_PER_WAKEUP 8

typedef struct {
    VccwRpcServer *srv;
    int fd;
    bool readonly;
    char *path;         /* to unlink at the end, NULL for inherited fds */
    guint watch;
} Listener;

static void client_close(Client *c);

/* ------------------------------------------------------------------ */
/* clients */

static gint64
now_s(void)
{
    return g_get_monotonic_time() / G_USEC_PER_SEC;
}

static void
client_free(Client *c)
{
    GBytes *b;

    while ((b = g_queue_pop_head(&c->out)))
        g_bytes_unref(b);
    if (c->in)
        g_byte_array_unref(c->in);
    if (c->pending)
        g_byte_array_unref(c->pending);
    vccw_rpc_conn_clear(&c->conn);
    g_free(c);
}

static gboolean
client_free_idle(gpointer opaque)
{
    client_free(opaque);
    return G_SOURCE_REMOVE;
}

static void
client_close(Client *c)
{
    VccwRpcServer *srv = c->srv;
    bool had_callbacks = c->conn.callbacks && c->conn.callbacks->len;

    if (c->dead)
        return;
    c->dead = true;
    g_debug("client %u (uid %d pid %d) disconnected", c->id, (int)c->uid, (int)c->pid);
    if (c->source) {
        g_source_destroy(&c->source->src);
        g_source_unref(&c->source->src);
        c->source = NULL;
    }
    close(c->fd);
    c->fd = -1;
    srv->clients = g_list_remove(srv->clients, c);
    srv->nclients--;
    g_idle_add(client_free_idle, c);
    if (had_callbacks) {
        g_array_set_size(c->conn.callbacks, 0);
        vccw_rpc_srv_callbacks_changed(srv);
    }
}

static void
client_update_events(Client *c)
{
    GIOCondition cond = 0;

    if (c->dead)
        return;
    if (!c->closing && c->out_bytes < OUT_PAUSE_BYTES)
        cond |= G_IO_IN;
    if (!g_queue_is_empty(&c->out))
        cond |= G_IO_OUT;
    /* a change costs GLib a wakeup and one more loop iteration: only when
     * needed (a reply sent at once leaves it as it was) */
    if (cond != c->polled) {
        g_source_modify_unix_fd(&c->source->src, c->source->tag, cond);
        c->polled = cond;
    }
    /* input kept from an earlier wakeup: come back for it without waiting
     * for the socket */
    if ((cond & G_IO_IN) && c->pending && c->pending->len && !c->ready_set) {
        g_source_set_ready_time(&c->source->src, 0);
        c->ready_set = true;
    }
}

/* Send what the socket takes now. */
static void
client_send(Client *c)
{
    GBytes *head;

    while (!c->dead && (head = g_queue_peek_head(&c->out))) {
        gsize size;
        const guint8 *data = g_bytes_get_data(head, &size);
        ssize_t n = send(c->fd, data + c->out_off, size - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_debug("client %u: send: %s", c->id, g_strerror(errno));
                client_close(c);
            }
            return;
        }
        c->out_off += (size_t)n;
        c->out_bytes -= (size_t)n;
        if (c->out_off == size) {
            g_bytes_unref(g_queue_pop_head(&c->out));
            c->out_off = 0;
        }
    }
    if (!c->dead && c->closing && g_queue_is_empty(&c->out))
        client_close(c);
}

void
vccw_rpc_srv_client_queue(Client *c, GBytes *msg)
{
    if (!msg)
        return;
    if (c->dead) {
        g_bytes_unref(msg);
        return;
    }
    c->out_bytes += g_bytes_get_size(msg);
    g_queue_push_tail(&c->out, msg);
    if (c->out_bytes > OUT_DROP_BYTES) {
        g_message("client %u (pid %d) does not read its messages; dropping it",
                  c->id, (int)c->pid);
        client_close(c);
        return;
    }
    client_send(c);
    client_update_events(c);
}

/* A whole message is in c->in. */
static void
client_handle(Client *c)
{
    VccwRpcServer *srv = c->srv;
    VccwRpcResult res;

    vccw_rpc_dispatch(&srv->ctx, &c->conn, c->in->data, c->in->len, &res);
    if (c->in->len > VCCW_RPC_MESSAGE_INITIAL) {
        /* do not keep a big message's buffer around */
        g_byte_array_unref(c->in);
        c->in = g_byte_array_new();
    } else {
        g_byte_array_set_size(c->in, 0);
    }
    c->lenhave = 0;
    c->want = 0;
    if (res.disconnect)
        c->closing = true;
    if (res.reply)
        vccw_rpc_srv_client_queue(c, res.reply);
    else if (c->closing)
        client_send(c);
    if (res.callbacks_changed)
        vccw_rpc_srv_callbacks_changed(srv);
    if (res.changed)
        vccw_rpc_srv_flush(srv);
    else
        vccw_rpc_srv_flush_soon(srv);     /* a failed changing call marks too */
    vccw_rpc_srv_deliver(srv);    /* also events a lookup found on its way */
}

static bool
client_can_take(const Client *c, int handled)
{
    return !c->dead && !c->closing && handled < MESSAGES_PER_WAKEUP &&
           c->out_bytes < OUT_PAUSE_BYTES;
}

/* Feed received bytes to the message reader, handling each whole message;
 * returns how many were taken (fewer when the client may take no more
 * now). */
static size_t
client_feed(Client *c, const guint8 *data, size_t len, int *handled)
{
    size_t off = 0;

    while (off < len && client_can_take(c, *handled)) {
        if (c->lenhave < VCCW_RPC_LEN_SIZE) {
            g_autoptr(GError) err = NULL;
            size_t k = MIN(VCCW_RPC_LEN_SIZE - c->lenhave, len - off);

            memcpy(c->lenbuf + c->lenhave, data + off, k);
            c->lenhave += k;
            off += k;
            if (c->lenhave < VCCW_RPC_LEN_SIZE)
                break;
            if (!vccw_rpc_length_decode(c->lenbuf, &c->want, &err)) {
                g_message("client %u (pid %d): %s; disconnecting", c->id, (int)c->pid,
                          err->message);
                client_close(c);
                return len;
            }
            g_byte_array_append(c->in, c->lenbuf, VCCW_RPC_LEN_SIZE);
        } else {
            size_t k = MIN((size_t)c->want - c->in->len, len - off);

            g_byte_array_append(c->in, data + off, (guint)k);
            off += k;
        }
        if (c->in->len == c->want) {
            client_handle(c);
            (*handled)++;
        }
    }
    return off;
}

/* Read what is there (one recv() per wakeup unless it filled the buffer),
 * handling at most a few whole messages; what is left waits in
 * c->pending. */
static void
client_read(Client *c)
{
    guint8 buf[READ_CHUNK];
    int handled = 0;

    if (c->pending && c->pending->len) {
        size_t used = client_feed(c, c->pending->data, c->pending->len, &handled);

        if (c->dead)
            return;
        g_byte_array_remove_range(c->pending, 0, (guint)used);
        if (c->pending->len)
            return;     /* client_update_events() brings us back */
    }
    while (client_can_take(c, handled)) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        size_t used;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_debug("client %u: recv: %s", c->id, g_strerror(errno));
                client_close(c);
            }
            return;
        }
        if (n == 0) {
            if (c->lenhave || c->in->len)
                g_debug("client %u: connection closed in the middle of a message", c->id);
            client_close(c);
            return;
        }
        c->last_rx = now_s();
        c->pings = 0;
        used = client_feed(c, buf, (size_t)n, &handled);
        if (c->dead)
            return;
        if (used < (size_t)n) {
            if (!c->closing) {
                if (!c->pending)
                    c->pending = g_byte_array_new();
                g_byte_array_append(c->pending, buf + used, (guint)((size_t)n - used));
            }
            return;
        }
        if ((size_t)n < sizeof(buf))
            return;     /* drained: the poll says when there is more */
    }
}

static gboolean
client_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    ClientSource *cs = (ClientSource *)src;
    Client *c = cs->c;
    GIOCondition rev = g_source_query_unix_fd(src, cs->tag);
    bool kept = c->pending && c->pending->len;

    if (c->ready_set) {
        g_source_set_ready_time(src, -1);
        c->ready_set = false;
    }
    if (rev & G_IO_OUT)
        client_send(c);
    if (!c->dead && ((rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) || kept))
        client_read(c);
    if (!c->dead && (rev & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) && !(rev & G_IO_IN))
        client_close(c);
    if (!c->dead)
        client_update_events(c);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs client_source_funcs = {
    .dispatch = client_dispatch,
};

static void
client_new(VccwRpcServer *srv, int fd, bool readonly)
{
    Client *c = g_new0(Client, 1);
    struct ucred cred = { 0 };
    socklen_t clen = sizeof(cred);

    c->srv = srv;
    c->id = ++srv->next_id;
    c->fd = fd;
    c->in = g_byte_array_new();
    c->last_rx = now_s();
    g_queue_init(&c->out);
    vccw_rpc_conn_init(&c->conn, readonly);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
        c->uid = cred.uid;
        c->pid = cred.pid;
    } else {
        c->uid = (uid_t)-1;
        c->pid = -1;
    }
    if (!readonly && c->uid != 0 && c->uid != geteuid()) {
        g_message("client %u: uid %d may not use the read-write socket", c->id, (int)c->uid);
        c->conn.denied = true;
    }
    c->source = (ClientSource *)g_source_new(&client_source_funcs, sizeof(ClientSource));
    c->source->c = c;
    c->source->tag = g_source_add_unix_fd(&c->source->src, fd, G_IO_IN);
    c->polled = G_IO_IN;
    /* GLib takes a non-recursive source's fds out of the poll set while it
     * dispatches and puts them back after, waking the loop each time (two
     * eventfd writes and an extra poll per call); ours never recurses */
    g_source_set_can_recurse(&c->source->src, TRUE);
    g_source_attach(&c->source->src, NULL);
    srv->clients = g_list_prepend(srv->clients, c);
    srv->nclients++;
    g_debug("client %u (uid %d pid %d) connected%s", c->id, (int)c->uid, (int)c->pid,
            readonly ? " read-only" : "");
}

/* ------------------------------------------------------------------ */
/* listening */

static gboolean
listener_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    Listener *l = opaque;
    VccwRpcServer *srv = l->srv;

    for (int i = 0; i < 64; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                g_warning("accept: %s", g_strerror(errno));
            break;
        }
        if (srv->nclients >= srv->max_clients) {
            g_message("too many clients (%u); refusing a connection", srv->nclients);
            close(cfd);
            continue;
        }
        client_new(srv, cfd, l->readonly);
    }
    return G_SOURCE_CONTINUE;
}

static void
listener_free(gpointer opaque)
{
    Listener *l = opaque;

    if (l->watch)
        g_source_remove(l->watch);
    if (l->fd >= 0)
        close(l->fd);
    if (l->path)
        unlink(l->path);
    g_free(l->path);
    g_free(l);
}

bool
vccw_rpc_server_listen_fd(VccwRpcServer *srv, int fd, bool readonly, GError **err)
{
    Listener *l;
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        vccw_error_set_errno(err, errno, "cannot use socket %d", fd);
        return false;
    }
    l = g_new0(Listener, 1);
    l->srv = srv;
    l->fd = fd;
    l->readonly = readonly;
    l->watch = g_unix_fd_add(fd, G_IO_IN, listener_cb, l);
    g_ptr_array_add(srv->listeners, l);
    return true;
}

bool
vccw_rpc_server_listen_unix(VccwRpcServer *srv, const char *path, bool readonly,
                            mode_t mode, GError **err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_path_get_dirname(path);
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "socket path '%s' is too long", path);
        return false;
    }
    strcpy(addr.sun_path, path);
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        vccw_error_set_errno(err, errno, "cannot create directory '%s'", dir);
        return false;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            vccw_error_set(err, VCCW_ERR_SYSTEM, "'%s' exists and is not a socket", path);
            return false;
        }
        /* a stale socket of an earlier run, unless someone answers */
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
            bool alive = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
            close(fd);
            if (alive) {
                vccw_error_set(err, VCCW_ERR_SYSTEM,
                               "'%s' is in use by a running daemon", path);
                return false;
            }
        }
        unlink(path);
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        vccw_error_set_errno(err, errno, "cannot create socket");
        return false;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        chmod(path, mode) < 0 || listen(fd, SOMAXCONN) < 0) {
        int saved = errno;
        vccw_error_set_errno(err, saved, "cannot listen on '%s'", path);
        close(fd);
        return false;
    }
    if (!vccw_rpc_server_listen_fd(srv, fd, readonly, err)) {
        close(fd);
        unlink(path);
        return false;
    }
    ((Listener *)g_ptr_array_index(srv->listeners, srv->listeners->len - 1))->path =
        g_strdup(path);
    g_message("listening on %s%s", path, readonly ? " (read-only)" : "");
    return true;
}

/* ------------------------------------------------------------------ */
/* keepalive */

static gboolean
tick_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    gint64 now = now_s();
    GList *l = srv->clients;

    if (!srv->ka_interval)
        return G_SOURCE_CONTINUE;
    while (l) {
        Client *c = l->data;

        l = l->next;
        if (!c->conn.keepalive || c->closing)
            continue;
        if (now - c->last_rx < (gint64)srv->ka_interval * (c->pings + 1))
            continue;
        if (c->pings >= srv->ka_count) {
            g_message("client %u (pid %d) did not answer %u keepalive pings; dropping it",
                      c->id, (int)c->pid, c->pings);
            client_close(c);
            continue;
        }
        {
            VccwRpcHeader ping = {
                .prog = VCCW_RPC_KEEPALIVE_PROGRAM,
                .vers = VCCW_RPC_KEEPALIVE_VERSION,
                .proc = VCCW_RPC_KEEPALIVE_PING,
                .type = VCCW_RPC_MESSAGE,
            };
            c->pings++;
            vccw_rpc_srv_client_queue(c, vccw_rpc_message_empty(&ping));
        }
    }
    return G_SOURCE_CONTINUE;
}

void
vccw_rpc_server_set_keepalive(VccwRpcServer *srv, guint interval, guint count)
{
    srv->ka_interval = interval;
    srv->ka_count = count;
}

/* ------------------------------------------------------------------ */

VccwRpcServer *
vccw_rpc_server_new(VccwNodeDevDriver *drv)
{
    VccwRpcServer *srv = g_new0(VccwRpcServer, 1);

    srv->ctx.drv = drv;
    srv->ctx.hostname = g_strdup(g_get_host_name());
    srv->ctx.lib_version = VCCW_RPC_LIBVIRT_VERSION;
    srv->ctx.hv_version = 0;
    srv->loop = g_main_loop_new(NULL, FALSE);
    srv->listeners = g_ptr_array_new_with_free_func(listener_free);
    srv->max_clients = 1024;
    srv->ka_interval = 5;
    srv->ka_count = 5;
    srv->uevent_fd = -1;
    srv->cache = vccw_rpc_devcache_new(drv);
    srv->ctx.cache = srv->cache;
    srv->pending = vccw_rpc_events_new_array();
    vccw_rpc_devcache_set_event_func(srv->cache, vccw_rpc_srv_events_cb, srv);
    srv->tick = g_timeout_add_seconds(1, tick_cb, srv);
    return srv;
}

void
vccw_rpc_server_free(VccwRpcServer *srv)
{
    if (!srv)
        return;
    while (srv->clients)
        client_close(srv->clients->data);
    g_ptr_array_unref(srv->listeners);
    if (srv->tick)
        g_source_remove(srv->tick);
    if (srv->poll_timer)
        g_source_remove(srv->poll_timer);
    if (srv->flush_timer)
        g_source_remove(srv->flush_timer);
    if (srv->uevent_watch)
        g_source_remove(srv->uevent_watch);
    if (srv->uevent_fd >= 0)
        close(srv->uevent_fd);
    if (srv->log_timer)
        g_source_remove(srv->log_timer);
    vccw_rpc_log_tail_free(srv->log);
    if (srv->dirwatch_watch)
        g_source_remove(srv->dirwatch_watch);
    vccw_rpc_dir_watch_free(srv->dirwatch);
    /* free the closed clients now */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    vccw_rpc_devcache_free(srv->cache);
    g_array_unref(srv->pending);
    g_main_loop_unref(srv->loop);
    g_free(srv->ctx.hostname);
    g_free(srv);
}

void
vccw_rpc_server_set_max_clients(VccwRpcServer *srv, guint max)
{
    srv->max_clients = max ? max : 1;
}

void
vccw_rpc_server_set_versions(VccwRpcServer *srv, guint64 hv_version, guint64 lib_version)
{
    srv->ctx.hv_version = hv_version;
    srv->ctx.lib_version = lib_version;
}

static gboolean
quit_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    g_message("shutting down");
    g_main_loop_quit(srv->loop);
    return G_SOURCE_CONTINUE;
}

void
vccw_rpc_server_run(VccwRpcServer *srv)
{
    guint term = g_unix_signal_add(SIGTERM, quit_cb, srv);
    guint intr = g_unix_signal_add(SIGINT, quit_cb, srv);

    signal(SIGPIPE, SIG_IGN);
    g_main_loop_run(srv->loop);
    g_source_remove(term);
    g_source_remove(intr);
}

void
vccw_rpc_server_quit(VccwRpcServer *srv)
{
    g_main_loop_quit(srv->loop);
}

guint
vccw_rpc_server_client_count(const VccwRpcServer *srv)
{
    return srv->nclients;
}
