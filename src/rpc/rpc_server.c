#include "rpc_server.h"
#include "rpc_devcache.h"
#include "rpc_events.h"
#include "rpc_message.h"
#include "rpc_procs.h"
#include "rpc_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <linux/netlink.h>
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
/* Re-read what uevents named this long after the first of a burst. */
#define UEVENT_DEBOUNCE_MS 100
/* netlink receive buffer: a burst (vfio_ccw unloaded on a big host) must
 * not overflow it; an overflow costs a full re-read */
#define UEVENT_RCVBUF (16 * 1024 * 1024)

typedef struct {
    VccwRpcServer *srv;
    int fd;
    bool readonly;
    char *path;         /* to unlink at the end, NULL for inherited fds */
    guint watch;
} Listener;

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

static void client_close(Client *c);
static void server_flush(VccwRpcServer *srv);
static void server_flush_soon(VccwRpcServer *srv);
static void server_deliver(VccwRpcServer *srv);
static void server_callbacks_changed(VccwRpcServer *srv);

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
        server_callbacks_changed(srv);
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

static void
client_queue(Client *c, GBytes *msg)
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
        client_queue(c, res.reply);
    else if (c->closing)
        client_send(c);
    if (res.callbacks_changed)
        server_callbacks_changed(srv);
    if (res.changed)
        server_flush(srv);
    else
        server_flush_soon(srv);     /* a failed changing call marks too */
    server_deliver(srv);    /* also events a lookup found on its way */
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
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot use socket %d: %s", fd, g_strerror(errno));
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
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                    "socket path '%s' is too long", path);
        return false;
    }
    strcpy(addr.sun_path, path);
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create directory '%s': %s", dir, g_strerror(errno));
        return false;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "'%s' exists and is not a socket", path);
            return false;
        }
        /* a stale socket of an earlier run, unless someone answers */
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
            bool alive = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
            close(fd);
            if (alive) {
                g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                            "'%s' is in use by a running daemon", path);
                return false;
            }
        }
        unlink(path);
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create socket: %s", g_strerror(errno));
        return false;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        chmod(path, mode) < 0 || listen(fd, SOMAXCONN) < 0) {
        int saved = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
                    "cannot listen on '%s': %s", path, g_strerror(saved));
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
static void
events_cb(GArray *events, gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    for (guint i = 0; i < events->len; i++) {
        VccwRpcEvent *ev = &g_array_index(events, VccwRpcEvent, i);
        VccwRpcEvent copy = { g_steal_pointer(&ev->name), ev->event_id, ev->event };

        g_array_append_val(srv->pending, copy);
    }
}

static void
server_callbacks_changed(VccwRpcServer *srv)
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
            client_queue(c, g_ptr_array_index(msgs, i));
    }
}

static void
server_deliver(VccwRpcServer *srv)
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
static void
server_flush(VccwRpcServer *srv)
{
    if (srv->flush_timer) {
        g_source_remove(srv->flush_timer);
        srv->flush_timer = 0;
    }
    vccw_rpc_devcache_flush(srv->cache);
    server_deliver(srv);
}

static gboolean
flush_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    srv->flush_timer = 0;
    server_flush(srv);
    return G_SOURCE_REMOVE;
}

/* Something was marked: re-read it soon (a burst of uevents at once);
 * a query before that re-reads it first. */
static void
server_flush_soon(VccwRpcServer *srv)
{
    if (vccw_rpc_devcache_pending(srv->cache) && !srv->flush_timer)
        srv->flush_timer = g_timeout_add(UEVENT_DEBOUNCE_MS, flush_cb, srv);
}

void
vccw_rpc_server_load_devices(VccwRpcServer *srv)
{
    vccw_rpc_devcache_mark_all(srv->cache);
    server_flush(srv);
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
    server_flush(srv);
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
    server_flush_soon(srv);
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
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
                    "cannot listen to kernel uevents: %s", g_strerror(saved));
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
    server_flush_soon(srv);
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
        server_flush_soon(srv);
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
            client_queue(c, vccw_rpc_message_empty(&ping));
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
    vccw_rpc_devcache_set_event_func(srv->cache, events_cb, srv);
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
