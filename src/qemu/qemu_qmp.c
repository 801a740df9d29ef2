/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: synchronous QMP client (see qemu_qmp.h). */
#include "qemu_qmp.h"

#include "vccw_error.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

/* Events nobody waits for must not grow without bound. */
#define VCCW_QMP_MAX_QUEUED_EVENTS 1024
/* Pause between connect attempts while QEMU is still starting. */
#define VCCW_QMP_CONNECT_RETRY_US (20 * 1000)

struct _VccwQmp {
    int fd;
    unsigned int timeout_ms;
    GByteArray *rbuf;           /* received bytes not yet parsed */
    GQueue events;              /* json_object *, oldest first */
    json_object *greeting;
    char *last_error_class;
    guint64 next_id;
    bool closed;
};

static gint64
vccw_qmp_deadline(unsigned int timeout_ms)
{
    return g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

/* Milliseconds left until @deadline for poll(), 0 once it passed. */
static int
vccw_qmp_remaining_ms(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    if (left <= 0)
        return 0;
    /* round up so that we never spin with a 0 ms poll before the end */
    return (int)MIN((left + 999) / 1000, G_MAXINT);
}

static void
vccw_qmp_set_error_class(VccwQmp *qmp, const char *cls)
{
    g_free(qmp->last_error_class);
    qmp->last_error_class = g_strdup(cls);
}

static bool
vccw_qmp_write_all(VccwQmp *qmp, const char *buf, size_t len, gint64 deadline,
                   GError **err)
{
    while (len > 0) {
        struct pollfd pfd = { .fd = qmp->fd, .events = POLLOUT };
        ssize_t n;
        int rc = poll(&pfd, 1, vccw_qmp_remaining_ms(deadline));

        if (rc < 0) {
            if (errno == EINTR)
                continue;
            vccw_error_set_errno(err, errno, "cannot wait for QEMU monitor");
            return false;
        }
        if (rc == 0) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "timed out writing to QEMU monitor");
            return false;
        }
        /* MSG_NOSIGNAL: a QEMU that went away must give EPIPE, not kill us */
        n = send(qmp->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            vccw_error_set_errno(err, errno, "cannot write to QEMU monitor");
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Take one complete line out of the receive buffer, if there is one. */
static char *
vccw_qmp_take_line(VccwQmp *qmp)
{
    guint8 *nl;
    size_t len;
    char *line;

    /* an empty GByteArray has no data pointer at all */
    if (qmp->rbuf->len == 0)
        return NULL;
    nl = memchr(qmp->rbuf->data, '\n', qmp->rbuf->len);
    if (!nl)
        return NULL;
    len = (size_t)(nl - qmp->rbuf->data);
    line = g_strndup((const char *)qmp->rbuf->data, len);
    g_byte_array_remove_range(qmp->rbuf, 0, (guint)len + 1);
    return line;
}

/* Read the next QMP message (any kind) before @deadline; @what names
 * what we are waiting for in the timeout message. */
static json_object *
vccw_qmp_read_message(VccwQmp *qmp, gint64 deadline, const char *what,
                      GError **err)
{
    for (;;) {
        g_autofree char *line = vccw_qmp_take_line(qmp);
        guint8 buf[65536];
        struct pollfd pfd = { .fd = qmp->fd, .events = POLLIN };
        ssize_t n;
        int rc;

        if (line) {
            enum json_tokener_error jerr = json_tokener_success;
            json_object *msg;

            g_strstrip(line);
            if (!*line)
                continue;
            msg = json_tokener_parse_verbose(line, &jerr);
            if (!msg || !json_object_is_type(msg, json_type_object)) {
                json_object_put(msg);
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "cannot parse QEMU monitor message: %s",
                               msg ? "not a JSON object"
                                   : json_tokener_error_desc(jerr));
                return NULL;
            }
            return msg;
        }
        if (qmp->closed) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "End of file from qemu monitor");
            return NULL;
        }
        if (qmp->rbuf->len > VCCW_QMP_MAX_MESSAGE) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "QEMU monitor message exceeds %d bytes",
                           VCCW_QMP_MAX_MESSAGE);
            return NULL;
        }

        rc = poll(&pfd, 1, vccw_qmp_remaining_ms(deadline));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            vccw_error_set_errno(err, errno, "cannot wait for QEMU monitor");
            return NULL;
        }
        if (rc == 0) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "timed out waiting for %s", what);
            return NULL;
        }
        n = recv(qmp->fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            vccw_error_set_errno(err, errno, "cannot read from QEMU monitor");
            return NULL;
        }
        if (n == 0) {
            /* keep what is buffered: a final unterminated line is not a
             * message, so EOF is reported on the next round */
            qmp->closed = true;
            continue;
        }
        g_byte_array_append(qmp->rbuf, buf, (guint)n);
    }
}

static void
vccw_qmp_json_unref(gpointer obj)
{
    json_object_put(obj);
}

static void
vccw_qmp_queue_event(VccwQmp *qmp, json_object *ev)
{
    if (g_queue_get_length(&qmp->events) >= VCCW_QMP_MAX_QUEUED_EVENTS)
        json_object_put(g_queue_pop_head(&qmp->events));
    g_queue_push_tail(&qmp->events, ev);
}

static bool
vccw_qmp_handshake(VccwQmp *qmp, GError **err)
{
    gint64 deadline = vccw_qmp_deadline(qmp->timeout_ms);
    g_autoptr(json_object) msg = NULL;
    g_autoptr(json_object) ret = NULL;
    json_object *qmpobj = NULL;

    if (!(msg = vccw_qmp_read_message(qmp, deadline, "QMP greeting", err)))
        return false;
    if (!json_object_object_get_ex(msg, "QMP", &qmpobj) ||
        !json_object_is_type(qmpobj, json_type_object)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "QEMU monitor did not send a QMP greeting");
        return false;
    }
    qmp->greeting = json_object_get(qmpobj);

    if (!(ret = vccw_qmp_execute(qmp, "qmp_capabilities", NULL, err)))
        return false;
    return true;
}

VccwQmp *
vccw_qmp_new_from_fd(int fd, unsigned int timeout_ms, GError **err)
{
    g_autoptr(VccwQmp) qmp = g_new0(VccwQmp, 1);

    qmp->fd = fd;
    qmp->timeout_ms = timeout_ms ? timeout_ms : VCCW_QMP_DEFAULT_TIMEOUT_MS;
    qmp->rbuf = g_byte_array_new();
    g_queue_init(&qmp->events);

    if (!vccw_qmp_handshake(qmp, err))
        return NULL;
    return g_steal_pointer(&qmp);
}

VccwQmp *
vccw_qmp_connect(const char *path, unsigned int timeout_ms,
                 VccwQmpAliveFunc alive, gpointer alive_data, GError **err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline;

    if (!timeout_ms)
        timeout_ms = VCCW_QMP_DEFAULT_TIMEOUT_MS;
    deadline = vccw_qmp_deadline(timeout_ms);

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Monitor path %s too big for destination", path);
        return NULL;
    }
    strcpy(addr.sun_path, path);

    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int saved;

        if (fd < 0) {
            vccw_error_set_errno(err, errno, "failed to create socket");
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return vccw_qmp_new_from_fd(fd, timeout_ms, err);
        saved = errno;
        close(fd);

        /* the socket appears (ENOENT) and starts listening (ECONNREFUSED)
         * some time after QEMU was started: keep trying until the end */
        if (saved != ENOENT && saved != ECONNREFUSED && saved != EAGAIN) {
            vccw_error_set_errno(err, saved,
                                 "failed to connect to monitor socket %s", path);
            return NULL;
        }
        if (alive && !alive(alive_data)) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "process exited while connecting to monitor");
            return NULL;
        }
        if (g_get_monotonic_time() >= deadline) {
            vccw_error_set_errno(err, saved,
                                 "monitor socket did not show up: %s", path);
            return NULL;
        }
        g_usleep(VCCW_QMP_CONNECT_RETRY_US);
    }
}

void
vccw_qmp_free(VccwQmp *qmp)
{
    if (!qmp)
        return;
    if (qmp->fd >= 0)
        close(qmp->fd);
    g_byte_array_unref(qmp->rbuf);
    g_queue_clear_full(&qmp->events, vccw_qmp_json_unref);
    json_object_put(qmp->greeting);
    g_free(qmp->last_error_class);
    g_free(qmp);
}

void
vccw_qmp_set_timeout(VccwQmp *qmp, unsigned int timeout_ms)
{
    qmp->timeout_ms = timeout_ms ? timeout_ms : VCCW_QMP_DEFAULT_TIMEOUT_MS;
}

json_object *
vccw_qmp_greeting(const VccwQmp *qmp)
{
    return qmp->greeting;
}

const char *
vccw_qmp_last_error_class(const VccwQmp *qmp)
{
    return qmp->last_error_class;
}

bool
vccw_qmp_is_closed(const VccwQmp *qmp)
{
    return qmp->closed && qmp->rbuf->len == 0;
}

/* The reply for @id has come: turn it into a return value or an error. */
static json_object *
vccw_qmp_reply_result(VccwQmp *qmp, const char *command, json_object *reply,
                      GError **err)
{
    json_object *ret = NULL;
    json_object *error = NULL;

    if (json_object_object_get_ex(reply, "return", &ret)) {
        vccw_qmp_set_error_class(qmp, NULL);
        return json_object_get(ret);
    }
    if (json_object_object_get_ex(reply, "error", &error) &&
        json_object_is_type(error, json_type_object)) {
        json_object *cls = NULL;
        json_object *desc = NULL;

        json_object_object_get_ex(error, "class", &cls);
        json_object_object_get_ex(error, "desc", &desc);
        vccw_qmp_set_error_class(qmp, cls ? json_object_get_string(cls) : NULL);
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "unable to execute QEMU command '%s': %s", command,
                       desc ? json_object_get_string(desc) : "unknown error");
        return NULL;
    }
    vccw_error_set(err, VCCW_ERR_INTERNAL,
                   "QEMU monitor reply to '%s' has neither return nor error",
                   command);
    return NULL;
}

json_object *
vccw_qmp_execute(VccwQmp *qmp, const char *command, json_object *args,
                 GError **err)
{
    gint64 deadline = vccw_qmp_deadline(qmp->timeout_ms);
    g_autoptr(json_object) cmd = json_object_new_object();
    g_autofree char *id = g_strdup_printf("virtccw-%" G_GUINT64_FORMAT,
                                          ++qmp->next_id);
    g_autofree char *wire = NULL;
    g_autofree char *what = NULL;

    vccw_qmp_set_error_class(qmp, NULL);
    json_object_object_add(cmd, "execute", json_object_new_string(command));
    if (args)
        json_object_object_add(cmd, "arguments", json_object_get(args));
    json_object_object_add(cmd, "id", json_object_new_string(id));

    wire = g_strdup_printf("%s\r\n",
                           json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN));
    if (!vccw_qmp_write_all(qmp, wire, strlen(wire), deadline, err))
        return NULL;

    what = g_strdup_printf("reply to QEMU command '%s'", command);
    for (;;) {
        g_autoptr(json_object) msg = NULL;
        json_object *msgid = NULL;

        if (!(msg = vccw_qmp_read_message(qmp, deadline, what, err)))
            return NULL;
        if (json_object_object_get_ex(msg, "event", NULL)) {
            vccw_qmp_queue_event(qmp, g_steal_pointer(&msg));
            continue;
        }
        /* replies to commands that timed out earlier carry stale ids */
        if (!json_object_object_get_ex(msg, "id", &msgid) ||
            g_strcmp0(json_object_get_string(msgid), id) != 0)
            continue;
        return vccw_qmp_reply_result(qmp, command, msg, err);
    }
}

static json_object *
vccw_qmp_take_queued_event(VccwQmp *qmp, const char *event)
{
    for (GList *l = qmp->events.head; l; l = l->next) {
        json_object *name = NULL;

        if (json_object_object_get_ex(l->data, "event", &name) &&
            g_strcmp0(json_object_get_string(name), event) == 0) {
            json_object *ev = l->data;

            g_queue_delete_link(&qmp->events, l);
            return ev;
        }
    }
    return NULL;
}

json_object *
vccw_qmp_wait_event(VccwQmp *qmp, const char *event, unsigned int timeout_ms,
                    GError **err)
{
    return vccw_qmp_wait_event_until(qmp, event,
                                     vccw_qmp_deadline(timeout_ms ? timeout_ms : qmp->timeout_ms),
                                     err);
}

json_object *
vccw_qmp_wait_event_until(VccwQmp *qmp, const char *event, gint64 deadline,
                          GError **err)
{
    json_object *ev = vccw_qmp_take_queued_event(qmp, event);
    g_autofree char *what = g_strdup_printf("QEMU event '%s'", event);

    while (!ev) {
        g_autoptr(json_object) msg = NULL;
        json_object *name = NULL;

        if (!(msg = vccw_qmp_read_message(qmp, deadline, what, err)))
            return NULL;
        if (!json_object_object_get_ex(msg, "event", &name))
            continue;   /* a late reply to a command that timed out */
        if (g_strcmp0(json_object_get_string(name), event) == 0)
            ev = g_steal_pointer(&msg);
        else
            vccw_qmp_queue_event(qmp, g_steal_pointer(&msg));
    }
    return ev;
}
