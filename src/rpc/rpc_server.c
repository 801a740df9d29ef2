#include "rpc_server.h"
#include "rpc_events.h"
#include "rpc_message.h"
#include "rpc_procs.h"

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
#define UEVENT_DEBOUNCE_MS 200

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
    VccwRpcConn conn;
    bool dead;          /* closed; freed from an idle callback */

    guint8 lenbuf[VCCW_RPC_LEN_SIZE];
    size_t lenhave;
    GByteArray *in;     /* the message being read, length word included */
    guint32 want;

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
    guint uevent_timer;
    VccwRpcEvents *events;
    gint64 last_refresh_end;    /* monotonic us */
    gint64 last_refresh_cost;   /* us */
};

static void client_close(Client *c);
static void server_refresh_events(VccwRpcServer *srv);
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
    g_source_modify_unix_fd(&c->source->src, c->source->tag, cond);
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
        server_refresh_events(srv);
}

/* Read what is there, handling at most a few whole messages. */
static void
client_read(Client *c)
{
    guint8 buf[READ_CHUNK];
    int handled = 0;

    while (!c->dead && !c->closing && handled < MESSAGES_PER_WAKEUP &&
           c->out_bytes < OUT_PAUSE_BYTES) {
        bool in_length = c->lenhave < VCCW_RPC_LEN_SIZE;
        size_t room = in_length ? VCCW_RPC_LEN_SIZE - c->lenhave
                                : MIN(sizeof(buf), (size_t)c->want - c->in->len);
        ssize_t n = recv(c->fd, in_length ? c->lenbuf + c->lenhave : buf, room,
                         MSG_DONTWAIT);

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
        if (in_length) {
            g_autoptr(GError) err = NULL;

            c->lenhave += (size_t)n;
            if (c->lenhave < VCCW_RPC_LEN_SIZE)
                continue;
            if (!vccw_rpc_length_decode(c->lenbuf, &c->want, &err)) {
                g_message("client %u (pid %d): %s; disconnecting", c->id, (int)c->pid,
                          err->message);
                client_close(c);
                return;
            }
            g_byte_array_append(c->in, c->lenbuf, VCCW_RPC_LEN_SIZE);
        } else {
            g_byte_array_append(c->in, buf, (guint)n);
        }
        if (c->in->len == c->want) {
            client_handle(c);
            handled++;
        }
    }
}

static gboolean
client_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    ClientSource *cs = (ClientSource *)src;
    Client *c = cs->c;
    GIOCondition rev = g_source_query_unix_fd(src, cs->tag);

    if (rev & G_IO_OUT)
        client_send(c);
    if (!c->dead && (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
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
/* events */

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

static GPtrArray *
list_all_devices(VccwRpcServer *srv)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *defs = vccw_nodedev_list(srv->ctx.drv, VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
                                        NULL, &err);

    if (!defs)
        g_warning("cannot list node devices for events: %s", err->message);
    return defs;
}

static void
server_callbacks_changed(VccwRpcServer *srv)
{
    if (!any_callbacks(srv)) {
        vccw_rpc_events_reset(srv->events);
        return;
    }
    if (!vccw_rpc_events_valid(srv->events)) {
        g_autoptr(GPtrArray) defs = list_all_devices(srv);
        if (defs)
            g_array_unref(vccw_rpc_events_update(srv->events, defs));
    }
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
server_refresh_events(VccwRpcServer *srv)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(GArray) evs = NULL;
    gint64 start;

    if (!any_callbacks(srv)) {
        vccw_rpc_events_reset(srv->events);
        return;
    }
    start = g_get_monotonic_time();
    defs = list_all_devices(srv);
    srv->last_refresh_end = g_get_monotonic_time();
    srv->last_refresh_cost = srv->last_refresh_end - start;
    if (!defs)
        return;
    evs = vccw_rpc_events_update(srv->events, defs);
    for (guint i = 0; i < evs->len; i++) {
        const VccwRpcEvent *ev = &g_array_index(evs, VccwRpcEvent, i);
        g_debug("event: %s %s %d", ev->name,
                ev->event_id == VCCW_NODEDEV_EVENT_ID_LIFECYCLE ? "lifecycle" : "update",
                ev->event);
        deliver(srv, ev);
    }
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
    server_refresh_events(srv);
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
uevent_settled_cb(gpointer opaque)
{
    VccwRpcServer *srv = opaque;

    srv->uevent_timer = 0;
    server_refresh_events(srv);
    return G_SOURCE_REMOVE;
}

static bool
uevent_is_ours(const char *buf, size_t len)
{
    static const char *const subsystems[] = {
        "SUBSYSTEM=css", "SUBSYSTEM=ccw", "SUBSYSTEM=mdev", "SUBSYSTEM=vfio",
        "SUBSYSTEM=mdev_bus",
    };

    for (size_t off = 0; off < len; off += strnlen(buf + off, len - off) + 1)
        for (size_t i = 0; i < G_N_ELEMENTS(subsystems); i++)
            if (strncmp(buf + off, subsystems[i], len - off) == 0 &&
                strnlen(buf + off, len - off) == strlen(subsystems[i]))
                return true;
    return false;
}

static gboolean
uevent_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    VccwRpcServer *srv = opaque;
    char buf[8192];
    bool ours = false;
    ssize_t n;

    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
        ours |= uevent_is_ours(buf, (size_t)n);
    if (ours && !srv->uevent_timer)
        srv->uevent_timer = g_timeout_add(UEVENT_DEBOUNCE_MS, uevent_settled_cb, srv);
    return G_SOURCE_CONTINUE;
}

bool
vccw_rpc_server_watch_uevents(VccwRpcServer *srv, GError **err)
{
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    NETLINK_KOBJECT_UEVENT);

    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
                    "cannot listen to kernel uevents: %s", g_strerror(saved));
        if (fd >= 0)
            close(fd);
        return false;
    }
    srv->uevent_fd = fd;
    srv->uevent_watch = g_unix_fd_add(fd, G_IO_IN, uevent_cb, srv);
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
    srv->ctx.lib_version = 9000000;
    srv->ctx.hv_version = 0;
    srv->loop = g_main_loop_new(NULL, FALSE);
    srv->listeners = g_ptr_array_new_with_free_func(listener_free);
    srv->max_clients = 1024;
    srv->ka_interval = 5;
    srv->ka_count = 5;
    srv->uevent_fd = -1;
    srv->events = vccw_rpc_events_new();
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
    if (srv->uevent_timer)
        g_source_remove(srv->uevent_timer);
    if (srv->uevent_watch)
        g_source_remove(srv->uevent_watch);
    if (srv->uevent_fd >= 0)
        close(srv->uevent_fd);
    /* free the closed clients now */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    vccw_rpc_events_free(srv->events);
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
