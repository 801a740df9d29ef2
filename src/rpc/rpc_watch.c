/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_watch.h"
#include "vccw_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/types.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* the tail of a log */

struct _VccwRpcLogTail {
    char *path;
    char *base_path;    /* PATH-base: absolute offset of the log's first byte */
    guint64 offset;     /* absolute offset consumed; always just after a newline (or 0) */
    char *last;         /* the last consumed line with its newline, "" at 0 */
};

/* Everything from @off to the end of the file. */
static GByteArray *
read_from(const char *path, guint64 off, GError **err)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        int saved = errno;
        vccw_error_set_errno(err, saved, "cannot open '%s'", path);
        return NULL;
    }
    for (;;) {
        guint8 buf[65536];
        ssize_t n = pread(fd, buf, sizeof(buf), (off_t)(off + data->len));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            vccw_error_set_errno(err, saved, "cannot read '%s'", path);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        g_byte_array_append(data, buf, (guint)n);
    }
    close(fd);
    return g_steal_pointer(&data);
}

/* The absolute offset of the log's first byte: PATH-base, 0 without it
 * (a plain log, trimmed or not: then only the last line tells). */
static guint64
read_base(const VccwRpcLogTail *t)
{
    g_autofree char *text = NULL;
    guint64 v = 0;

    if (g_file_get_contents(t->base_path, &text, NULL, NULL) &&
        !g_ascii_string_to_unsigned(g_strchomp(text), 10, 0, G_MAXUINT64, &v, NULL))
        v = 0;
    return v;
}

/* Consume the complete lines of @data (which starts at t->offset). */
static GPtrArray *
take_lines(VccwRpcLogTail *t, const guint8 *data, size_t len)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n')
            continue;
        g_ptr_array_add(lines, g_strndup((const char *)data + start, i - start));
        g_free(t->last);
        t->last = g_strndup((const char *)data + start, i + 1 - start);
        start = i + 1;
    }
    t->offset += start;
    return lines;
}

/* A base that changes while the log is read means it was trimmed or
 * cleared meanwhile: read again (a few times at most). */
#define BASE_RETRIES 3

static bool
tail_resync(VccwRpcLogTail *t, GError **err)
{
    for (int attempt = 0;; attempt++) {
        guint64 base = read_base(t);
        g_autoptr(GByteArray) data = read_from(t->path, 0, err);

        if (!data)
            return false;
        if (read_base(t) != base && attempt < BASE_RETRIES)
            continue;
        t->offset = base;
        g_free(t->last);
        t->last = g_strdup("");
        if (data->len)
            g_ptr_array_unref(take_lines(t, data->data, data->len));
        return true;
    }
}

VccwRpcLogTail *
vccw_rpc_log_tail_new(const char *path, GError **err)
{
    g_autoptr(VccwRpcLogTail) t = g_new0(VccwRpcLogTail, 1);

    t->path = g_strdup(path);
    t->base_path = g_strconcat(path, "-base", NULL);
    if (!tail_resync(t, err))
        return NULL;
    return g_steal_pointer(&t);
}

void
vccw_rpc_log_tail_free(VccwRpcLogTail *t)
{
    if (!t)
        return;
    g_free(t->path);
    g_free(t->base_path);
    g_free(t->last);
    g_free(t);
}

GPtrArray *
vccw_rpc_log_tail_read(VccwRpcLogTail *t, bool *lost, GError **err)
{
    *lost = false;
    for (int attempt = 0;; attempt++) {
        size_t alen = strlen(t->last);
        guint64 base = read_base(t);
        g_autoptr(GByteArray) data = NULL;
        bool verify;
        guint64 start;

        if (t->offset < base) {
            /* lines dropped (trimmed or cleared) before they were read */
            *lost = true;
            return tail_resync(t, err) ? g_ptr_array_new_with_free_func(g_free) : NULL;
        }
        start = t->offset - base;
        /* the last line read, when it is still kept, must be where it was */
        verify = start >= alen;
        if (!(data = read_from(t->path, verify ? start - alen : start, err)))
            return NULL;
        if (read_base(t) != base && attempt < BASE_RETRIES)
            continue;
        if (verify && (data->len < alen || (alen && memcmp(data->data, t->last, alen) != 0))) {
            /* trimmed at the head or cleared: the last line moved */
            *lost = true;
            return tail_resync(t, err) ? g_ptr_array_new_with_free_func(g_free) : NULL;
        }
        if (!verify)
            alen = 0;
        if (data->len == alen)
            return g_ptr_array_new_with_free_func(g_free);     /* nothing new */
        return take_lines(t, data->data + alen, data->len - alen);
    }
}

/* ------------------------------------------------------------------ */
/* inotify on a directory tree */

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | \
                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define SUB_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | \
                  IN_ATTRIB | IN_ONLYDIR)
#define PARENT_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)

struct _VccwRpcDirWatch {
    int fd;
    char *dir;
    char *base;             /* the last component of dir */
    char *parent;
    char **skip;
    int dir_wd;             /* -1 while the directory does not exist */
    int parent_wd;          /* watching for it to appear, else -1 */
    GHashTable *subs;       /* wd -> NULL */
};

static bool
skipped(const VccwRpcDirWatch *w, const char *name)
{
    return name[0] == '.' || (w->skip && g_strv_contains((const char *const *)w->skip, name));
}

static void
watch_sub(VccwRpcDirWatch *w, const char *name)
{
    g_autofree char *path = NULL;
    int wd;

    if (skipped(w, name))
        return;
    path = g_build_filename(w->dir, name, NULL);
    if ((wd = inotify_add_watch(w->fd, path, SUB_MASK)) >= 0)
        g_hash_table_add(w->subs, GINT_TO_POINTER(wd));
}

static void
unwatch_all(VccwRpcDirWatch *w)
{
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, w->subs);
    while (g_hash_table_iter_next(&it, &key, NULL))
        inotify_rm_watch(w->fd, GPOINTER_TO_INT(key));
    g_hash_table_remove_all(w->subs);
    if (w->dir_wd >= 0)
        inotify_rm_watch(w->fd, w->dir_wd);
    if (w->parent_wd >= 0)
        inotify_rm_watch(w->fd, w->parent_wd);
    w->dir_wd = w->parent_wd = -1;
}

/* (Re)establish the watches: the directory and its subdirectories, or
 * the parent while it is missing. */
static bool
watch_setup(VccwRpcDirWatch *w, GError **err)
{
    DIR *d;
    struct dirent *ent;

    unwatch_all(w);
    if ((w->dir_wd = inotify_add_watch(w->fd, w->dir, DIR_MASK)) < 0) {
        int saved = errno;

        if ((saved == ENOENT || saved == ENOTDIR) &&
            (w->parent_wd = inotify_add_watch(w->fd, w->parent, PARENT_MASK)) >= 0)
            return true;
        vccw_error_set_errno(err, saved, "cannot watch '%s'", w->dir);
        return false;
    }
    if (!(d = opendir(w->dir)))
        return true;
    while ((ent = readdir(d))) {
        if (ent->d_type == DT_DIR || ent->d_type == DT_UNKNOWN)
            watch_sub(w, ent->d_name);  /* IN_ONLYDIR refuses non-directories */
    }
    closedir(d);
    return true;
}

VccwRpcDirWatch *
vccw_rpc_dir_watch_new(const char *dir, const char *const *skip, GError **err)
{
    g_autoptr(VccwRpcDirWatch) w = g_new0(VccwRpcDirWatch, 1);

    w->dir_wd = w->parent_wd = -1;
    w->dir = g_strdup(dir);
    w->base = g_path_get_basename(dir);
    w->parent = g_path_get_dirname(dir);
    w->skip = g_strdupv((char **)skip);
    w->subs = g_hash_table_new(g_direct_hash, g_direct_equal);
    if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
        int saved = errno;
        vccw_error_set_errno(err, saved, "inotify");
        return NULL;
    }
    if (!watch_setup(w, err))
        return NULL;
    return g_steal_pointer(&w);
}

void
vccw_rpc_dir_watch_free(VccwRpcDirWatch *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    g_hash_table_unref(w->subs);
    g_free(w->dir);
    g_free(w->base);
    g_free(w->parent);
    g_strfreev(w->skip);
    g_free(w);
}

int
vccw_rpc_dir_watch_fd(const VccwRpcDirWatch *w)
{
    return w->fd;
}

bool
vccw_rpc_dir_watch_read(VccwRpcDirWatch *w, GPtrArray *files)
{
    bool changed = false, resetup = false;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;

    while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            const char *name = ev->len ? ev->name : "";
            bool hit = false;       /* this event changed something */
            bool named = false;     /* ... a file of a subdirectory, by name */

            p += sizeof(struct inotify_event) + ev->len;

            if (ev->mask & IN_Q_OVERFLOW) {
                hit = resetup = true;
            } else if (ev->wd == w->parent_wd) {
                if (g_str_equal(name, w->base))
                    hit = resetup = true;
            } else if (ev->wd == w->dir_wd) {
                if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                    hit = resetup = true;
                } else if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                    watch_sub(w, name);
                    hit = !skipped(w, name);
                } else if (!*name || !skipped(w, name)) {
                    hit = true;
                }
            } else if (g_hash_table_contains(w->subs, GINT_TO_POINTER(ev->wd))) {
                if (ev->mask & IN_IGNORED) {
                    g_hash_table_remove(w->subs, GINT_TO_POINTER(ev->wd));
                } else {
                    hit = true;
                    named = *name && !(ev->mask & IN_ISDIR);
                }
            }
            if (hit && files)
                g_ptr_array_add(files, named ? g_strdup(name) : NULL);
            changed |= hit;
        }
    }
    if (resetup) {
        g_autoptr(GError) err = NULL;
        if (!watch_setup(w, &err))
            g_message("%s", err->message);
    }
    return changed;
}
