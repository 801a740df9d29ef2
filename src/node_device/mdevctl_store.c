/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: mdevctl's persistent definitions, in mdevctl 1.2.0's format.
 *
 * Facts this file reproduces (mdevctl 1.2.0, src/mdev.rs and src/main.rs,
 * checked against Debian's binary by tests/mdevctl-interop.sh):
 *
 *  - a definition is /etc/mdevctl.d/<parent>/<uuid>, written with
 *    serde_json's to_string_pretty() ("preserve_order" feature): 2-space
 *    indent, '"key": value', empty arrays as "[]", keys mdev_type, start,
 *    attrs, no trailing newline.  Strings escape '"', '\\', \b \f \n \r \t
 *    and other control characters as \u00xx (lower-case hex); '/', DEL and
 *    non-ASCII are written as they are.  json-c's pretty printer differs
 *    ("\/", empty arrays over two lines), so the text is generated here.
 *  - reading: the file must be valid UTF-8 JSON (serde_json: no comments,
 *    no single quotes, no NaN, no trailing commas, numbers within f64's
 *    range, nesting below 128, nothing but whitespace after the value);
 *    "mdev_type" and "start" must be present and not null, "start" other
 *    than the string "auto" means manual, "attrs" is absent, null or an
 *    array of objects with exactly one field each; other keys are ignored.
 *    Where mdevctl panics (a non-string mdev_type or attribute value) this
 *    is an error for that file only.  We are stricter in two places: a
 *    string holding U+0000 and an mdev_type that cannot be a sysfs file name
 *    are refused.
 *  - listing: parents in byte order, then UUIDs in byte order; mdevctl
 *    ignores entries that are not directories (parents) or regular files
 *    (definitions) without following symlinks, and names that are not
 *    UUIDs.  Here parents that are not ccw subchannel ids (vfio_ap's
 *    "matrix", PCI addresses, scripts.d) are ignored silently: they belong
 *    to other drivers.  Odd entries under a subchannel directory and
 *    unreadable or corrupt files become warnings.
 *
 * This file is the store on disk (directory iteration, reading and writing
 * the files); the model is mdevctl_def.c, the JSON writer
 * mdevctl_json_write.c and the strict reader mdevctl_json_read.c.
 */
#include "mdevctl_store.h"
#include "mdevctl_store_priv.h"
#include "vccw_error.h"
#include "vccw_uuid.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MDEVCTL_SCRIPTS_DIR "scripts.d"

/* ------------------------------------------------------------------ */
/* The store                                                           */

static void
mdevctl_warn(GPtrArray *warnings, const char *parent, const char *name,
             const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
mdevctl_warn(GPtrArray *warnings, const char *parent, const char *name,
             const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!warnings)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(warnings,
                    g_strdup_printf("skipping %s/%s%s%s: %s",
                                    vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                    parent, name ? "/" : "", name ? name : "", msg));
}

/* An error message without the class prefix ("internal error: "). */
static const char *
mdevctl_error_text(const GError *error)
{
    const char *prefix = "";

    if (error->domain == VCCW_ERROR)
        prefix = vccw_error_prefix((VccwErrorCode)error->code);
    if (g_str_has_prefix(error->message, prefix))
        return error->message + strlen(prefix);
    return error->message;
}

/* Read a regular file (not through a symlink, never blocking on a FIFO)
 * of at most @max bytes. @known_regular: the directory entry said DT_REG,
 * so the fstat() is saved (this is the hot path of a listing: one
 * openat, one read, one close per definition). A short read of a regular
 * file is its end. On failure *why is a static description, or it is
 * NULL and errno tells. */
static char *
mdevctl_read_file(int dirfd, const char *name, size_t max, bool known_regular,
                  size_t *len, const char **why)
{
    g_autofree char *buf = NULL;
    size_t have = 0, cap = 4096;
    int fd, saved;

    *why = NULL;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP)
            *why = "a symbolic link, not a definition file";
        return NULL;
    }
    if (!known_regular) {
        struct stat st;

        if (fstat(fd, &st) < 0)
            goto syserror;
        if (!S_ISREG(st.st_mode)) {
            *why = "not a regular file";
            goto error;
        }
        if ((unsigned long long)st.st_size > max) {
            *why = "larger than " G_STRINGIFY(VCCW_MDEVCTL_DEF_MAX_BYTES) " bytes";
            goto error;
        }
        if (st.st_size > 0)
            cap = (size_t)st.st_size + 1;
    }
    buf = g_malloc(cap + 1);
    for (;;) {
        ssize_t r;

        if (have == cap) {
            if (cap > max)
                break;
            cap = MIN(cap * 2, max + 1);
            buf = g_realloc(buf, cap + 1);
        }
        r = read(fd, buf + have, cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EISDIR || errno == EAGAIN) {
                /* swapped for a directory or a FIFO since readdir */
                *why = "not a regular file";
                goto error;
            }
            goto syserror;
        }
        if (r == 0)
            break;
        have += (size_t)r;
        if (have < cap)
            break;
    }
    if (have > max) {
        *why = "larger than " G_STRINGIFY(VCCW_MDEVCTL_DEF_MAX_BYTES) " bytes";
        goto error;
    }
    close(fd);
    buf[have] = '\0';
    *len = have;
    return g_steal_pointer(&buf);

 syserror:
    saved = errno;
    close(fd);
    errno = saved;
    return NULL;
 error:
    close(fd);
    return NULL;
}

/* Load <dirfd>/<name>: VCCW_ERR_INTERNAL for its content,
 * VCCW_ERR_OPERATION_FAILED for what it is, VCCW_ERR_SYSTEM for I/O. */
static VccwMdevctlDef *
mdevctl_load(int dirfd, const char *parent, const char *name, bool known_regular,
             const unsigned char *uuid, GError **err)
{
    g_autofree char *buf = NULL;
    const char *why = NULL;
    size_t len = 0;

    buf = mdevctl_read_file(dirfd, name, VCCW_MDEVCTL_DEF_MAX_BYTES, known_regular,
                            &len, &why);
    if (!buf) {
        if (why)
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "%s", why);
        else
            vccw_error_set_errno(err, errno, "cannot read %s/%s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 parent, name);
        return NULL;
    }
    return vccw_mdevctl_def_from_json(buf, len, parent, uuid, err);
}

/* Directory entries straight from getdents64(): no fstat()/fcntl() of
 * fdopendir(), one buffer for the whole listing. */
typedef struct {
    int fd;
    char *buf;
    size_t size;
    size_t pos;
    size_t len;
} MdevctlDirScan;

typedef struct {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} MdevctlDirent64;

/* The next entry; NULL at the end, or with errno set on error. */
static const MdevctlDirent64 *
mdevctl_dir_next(MdevctlDirScan *d)
{
    const MdevctlDirent64 *ent;

    if (d->pos >= d->len) {
        ssize_t r;

        do {
            r = getdents64(d->fd, d->buf, d->size);
        } while (r < 0 && errno == EINTR);
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return NULL;
        }
        d->len = (size_t)r;
        d->pos = 0;
    }
    ent = (const MdevctlDirent64 *)(const void *)(d->buf + d->pos);
    d->pos += ent->d_reclen;
    return ent;
}

static void
mdevctl_dir_start(MdevctlDirScan *d, int fd)
{
    d->fd = fd;
    d->pos = d->len = 0;
}

/* DT_* of an entry, asking the file system only when it did not say. */
static int
mdevctl_entry_type(int dirfd, const MdevctlDirent64 *ent)
{
    struct stat st;

    if (ent->d_type != DT_UNKNOWN)
        return ent->d_type;
    if (fstatat(dirfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return DT_UNKNOWN;
    if (S_ISDIR(st.st_mode))
        return DT_DIR;
    if (S_ISREG(st.st_mode))
        return DT_REG;
    if (S_ISLNK(st.st_mode))
        return DT_LNK;
    return DT_FIFO;  /* any other kind: not a definition */
}

/* Open the config dir for reading; -1 and *missing when it is absent,
 * -1 and @err on other failures. */
static int
mdevctl_open_config(const VccwHost *host, bool *missing, GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_MDEVCTL_CONFIG,
                                           NULL, NULL, err);
    int fd;

    *missing = false;
    if (!path)
        return -1;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            *missing = true;
        else
            vccw_error_set_errno(err, errno, "cannot open %s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
    }
    return fd;
}

static gint
mdevctl_str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The subchannel directories of the store, sorted. */
static GPtrArray *
mdevctl_list_parents(MdevctlDirScan *d, int cfgfd, GPtrArray *warnings, GError **err)
{
    g_autoptr(GPtrArray) parents = g_ptr_array_new_with_free_func(g_free);
    const MdevctlDirent64 *ent;

    mdevctl_dir_start(d, cfgfd);
    while ((ent = mdevctl_dir_next(d))) {
        if (!vccw_mdevctl_parent_is_valid(ent->d_name))
            continue;  /* ".", "..", scripts.d, other drivers' parents */
        if (mdevctl_entry_type(cfgfd, ent) != DT_DIR) {
            mdevctl_warn(warnings, ent->d_name, NULL, "not a directory");
            continue;
        }
        g_ptr_array_add(parents, g_strdup(ent->d_name));
    }
    if (errno) {
        vccw_error_set_errno(err, errno, "cannot read %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return NULL;
    }
    g_ptr_array_sort(parents, mdevctl_str_cmp);
    return g_steal_pointer(&parents);
}

#define MDEVCTL_DIRBUF_SIZE 32768

/* Called for each entry of each subchannel directory (names starting
 * with '.' excepted: ".", "..", our in-flight temporary files). */
typedef void (*MdevctlEntryFunc)(int pfd, const char *parent, const MdevctlDirent64 *ent,
                                 void *opaque);

/* The one walk over the store that listing and indexing share: parents
 * in byte order, then each parent's entries as the directory gives them.
 * A parent that cannot be opened or read is a warning (when @warnings is
 * given) and otherwise skipped. Returns false with @err when the config
 * dir itself cannot be read; true, having called nothing, when it is
 * absent. */
static bool
mdevctl_store_walk(const VccwHost *host, GPtrArray *warnings, MdevctlEntryFunc fn,
                   void *opaque, GError **err)
{
    g_autoptr(GPtrArray) parents = NULL;
    g_autofree char *dirbuf = g_malloc(MDEVCTL_DIRBUF_SIZE);
    MdevctlDirScan d = { .buf = dirbuf, .size = MDEVCTL_DIRBUF_SIZE };
    bool missing;
    int cfgfd;

    if ((cfgfd = mdevctl_open_config(host, &missing, err)) < 0)
        return missing;
    if (!(parents = mdevctl_list_parents(&d, cfgfd, warnings, err))) {
        close(cfgfd);
        return false;
    }
    for (guint i = 0; i < parents->len; i++) {
        const char *parent = g_ptr_array_index(parents, i);
        int pfd = openat(cfgfd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const MdevctlDirent64 *ent;

        if (pfd < 0) {
            /* gone, or no directory: find skips it alike */
            mdevctl_warn(warnings, parent, NULL, "%s", g_strerror(errno));
            continue;
        }
        mdevctl_dir_start(&d, pfd);
        while ((ent = mdevctl_dir_next(&d))) {
            if (ent->d_name[0] == '.')
                continue;
            fn(pfd, parent, ent, opaque);
        }
        if (errno)
            mdevctl_warn(warnings, parent, NULL, "%s", g_strerror(errno));
        close(pfd);
    }
    close(cfgfd);
    return true;
}

typedef struct {
    GPtrArray *defs;
    GPtrArray *warnings;
} MdevctlListData;

static void
mdevctl_list_entry(int pfd, const char *parent, const MdevctlDirent64 *ent, void *opaque)
{
    MdevctlListData *data = opaque;
    GPtrArray *warnings = data->warnings;
    unsigned char uuid[VCCW_UUID_BUFLEN];
    g_autoptr(GError) lerr = NULL;
    VccwMdevctlDef *def;
    int type;

    if (!mdevctl_uuid_name_parse(ent->d_name, uuid)) {
        mdevctl_warn(warnings, parent, ent->d_name,
                     "file name is not a lower-case UUID");
        return;
    }
    type = mdevctl_entry_type(pfd, ent);
    if (type == DT_LNK) {
        mdevctl_warn(warnings, parent, ent->d_name,
                     "a symbolic link, not a definition file");
        return;
    }
    if (type != DT_REG && type != DT_UNKNOWN) {
        mdevctl_warn(warnings, parent, ent->d_name, "not a regular file");
        return;
    }
    def = mdevctl_load(pfd, parent, ent->d_name, type == DT_REG, uuid, &lerr);
    if (!def) {
        mdevctl_warn(warnings, parent, ent->d_name, "%s", mdevctl_error_text(lerr));
        return;
    }
    g_ptr_array_add(data->defs, def);
}

GPtrArray *
vccw_mdevctl_store_list(const VccwHost *host, GPtrArray *warnings, GError **err)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vccw_mdevctl_def_free);
    MdevctlListData data = { .defs = defs, .warnings = warnings };

    if (!mdevctl_store_walk(host, warnings, mdevctl_list_entry, &data, err))
        return NULL;
    g_ptr_array_sort(defs, mdevctl_def_cmp);
    return g_steal_pointer(&defs);
}

/* The definitions named @name (the uuid's string) under each of @parents. */
static GPtrArray *
mdevctl_find_under(int cfgfd, GPtrArray *parents, const char *name,
                   const unsigned char *uuid, GError **err)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vccw_mdevctl_def_free);

    for (guint i = 0; parents && i < parents->len; i++) {
        const char *p = g_ptr_array_index(parents, i);
        int pfd = openat(cfgfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autoptr(GError) lerr = NULL;
        g_autofree char *buf = NULL;
        const char *why = NULL;
        VccwMdevctlDef *def;
        size_t len = 0;
        int saved;

        if (pfd < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                continue;
            vccw_error_set_errno(err, errno, "cannot open %s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), p);
            return NULL;
        }
        buf = mdevctl_read_file(pfd, name, VCCW_MDEVCTL_DEF_MAX_BYTES, false, &len, &why);
        saved = errno;
        close(pfd);
        if (!buf && !why && saved == ENOENT)
            continue;
        if (!buf) {
            if (why)
                vccw_error_set(&lerr, VCCW_ERR_OPERATION_FAILED, "%s", why);
            else
                vccw_error_set(&lerr, VCCW_ERR_SYSTEM, "%s", g_strerror(saved));
            def = NULL;
        } else {
            def = vccw_mdevctl_def_from_json(buf, len, p, uuid, &lerr);
        }
        if (!def) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "mdevctl definition %s/%s/%s: %s",
                           vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), p, name,
                           mdevctl_error_text(lerr));
            return NULL;
        }
        g_ptr_array_add(defs, def);
    }
    return g_steal_pointer(&defs);
}

/* The store's parents for @uuid: @parent alone, @index's list, or all. */
static GPtrArray *
mdevctl_find(const VccwHost *host, GHashTable *index, const unsigned char *uuid,
             const char *parent, GError **err)
{
    g_autoptr(GPtrArray) parents = NULL;
    char name[VCCW_UUID_STRING_BUFLEN];
    GPtrArray *defs;
    bool missing;
    int cfgfd;

    if (parent && !vccw_mdevctl_parent_is_valid(parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'", parent);
        return NULL;
    }
    vccw_uuid_format(uuid, name);
    if (!parent && index && !g_hash_table_contains(index, name))
        return g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdevctl_def_free);
    if ((cfgfd = mdevctl_open_config(host, &missing, err)) < 0)
        return missing ? g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdevctl_def_free)
                       : NULL;
    if (parent) {
        parents = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(parents, g_strdup(parent));
    } else if (index) {
        parents = g_ptr_array_ref(g_hash_table_lookup(index, name));
    } else {
        g_autofree char *dirbuf = g_malloc(MDEVCTL_DIRBUF_SIZE);
        MdevctlDirScan d = { .buf = dirbuf, .size = MDEVCTL_DIRBUF_SIZE };

        if (!(parents = mdevctl_list_parents(&d, cfgfd, NULL, err))) {
            close(cfgfd);
            return NULL;
        }
    }
    defs = mdevctl_find_under(cfgfd, parents, name, uuid, err);
    close(cfgfd);
    return defs;
}

GPtrArray *
vccw_mdevctl_store_find(const VccwHost *host, const unsigned char *uuid,
                        const char *parent, GError **err)
{
    return mdevctl_find(host, NULL, uuid, parent, err);
}

GPtrArray *
vccw_mdevctl_store_find_indexed(const VccwHost *host, GHashTable *index,
                                const unsigned char *uuid, const char *parent, GError **err)
{
    return mdevctl_find(host, index, uuid, parent, err);
}

/* Only names find would open: the uuid's canonical string. */
static void
mdevctl_index_entry(int pfd, const char *parent, const MdevctlDirent64 *ent, void *opaque)
{
    GHashTable *index = opaque;
    GPtrArray *list;
    char canon[VCCW_UUID_STRING_BUFLEN];
    unsigned char raw[VCCW_UUID_BUFLEN];

    if (!vccw_uuid_parse(ent->d_name, raw))
        return;
    vccw_uuid_format(raw, canon);
    if (!g_str_equal(canon, ent->d_name))
        return;
    if (!(list = g_hash_table_lookup(index, canon))) {
        list = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(index, g_strdup(canon), list);
    }
    g_ptr_array_add(list, g_strdup(parent));
}

GHashTable *
vccw_mdevctl_store_index(const VccwHost *host, GError **err)
{
    g_autoptr(GHashTable) index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify)g_ptr_array_unref);

    /* no warnings: the index only narrows find's search */
    if (!mdevctl_store_walk(host, NULL, mdevctl_index_entry, index, err))
        return NULL;
    return g_steal_pointer(&index);
}

/* Open (creating when @create) @name under @dirfd as a directory, never
 * through a symlink. Returns -1 with errno set. */
static int
mdevctl_open_subdir(int dirfd, const char *name, bool create)
{
    if (create && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
        return -1;
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The config dir, reached from the host root one component at a time so
 * that no symlink inside the root can lead a write outside it. */
static int
mdevctl_open_config_for_write(const VccwHost *host, bool create, GError **err)
{
    const char *abs = vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG);
    g_auto(GStrv) parts = g_strsplit(abs, "/", -1);
    int fd = open(vccw_host_root(host), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        vccw_error_set_errno(err, errno, "cannot open host root %s", vccw_host_root(host));
        return -1;
    }
    for (size_t i = 0; parts[i]; i++) {
        int next;

        if (!parts[i][0])
            continue;
        next = mdevctl_open_subdir(fd, parts[i], create);
        if (next < 0) {
            int saved = errno;
            close(fd);
            vccw_error_set_errno(err, saved, "cannot %s %s",
                                 create ? "create" : "open", abs);
            errno = saved;
            return -1;
        }
        close(fd);
        fd = next;
    }
    return fd;
}

static bool
mdevctl_ensure_scripts(int cfgfd, GError **err)
{
    static const char *const subdirs[] = { "callouts", "notifiers" };
    int sfd = mdevctl_open_subdir(cfgfd, MDEVCTL_SCRIPTS_DIR, true);

    if (sfd < 0) {
        vccw_error_set_errno(err, errno, "cannot create %s/" MDEVCTL_SCRIPTS_DIR,
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        int fd = mdevctl_open_subdir(sfd, subdirs[i], true);

        if (fd < 0) {
            vccw_error_set_errno(err, errno, "cannot create %s/" MDEVCTL_SCRIPTS_DIR "/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 subdirs[i]);
            close(sfd);
            return false;
        }
        close(fd);
    }
    close(sfd);
    return true;
}

bool
vccw_mdevctl_store_init(const VccwHost *host, GError **err)
{
    int cfgfd = mdevctl_open_config_for_write(host, true, err);
    bool ok;

    if (cfgfd < 0)
        return false;
    ok = mdevctl_ensure_scripts(cfgfd, err);
    close(cfgfd);
    return ok;
}

static bool
mdevctl_string_ok(const char *s)
{
    return s && g_utf8_validate(s, -1, NULL);
}

static bool
mdevctl_def_check(const VccwMdevctlDef *def, GError **err)
{
    if (!vccw_mdevctl_parent_is_valid(def->parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'",
                       def->parent ? def->parent : "");
        return false;
    }
    if (!mdevctl_type_is_valid(def->mdev_type) || !mdevctl_string_ok(def->mdev_type)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid mdev type '%s'",
                       def->mdev_type ? def->mdev_type : "");
        return false;
    }
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *attr = g_ptr_array_index(def->attrs, i);

        if (!mdevctl_string_ok(attr->name) || !mdevctl_string_ok(attr->value)) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "mdev attribute %u: name and value must be UTF-8 strings", i);
            return false;
        }
    }
    return true;
}

static bool
mdevctl_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t r = write(fd, buf, len);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        buf += r;
        len -= (size_t)r;
    }
    return true;
}

bool
vccw_mdevctl_store_write(const VccwHost *host, const VccwMdevctlDef *def, GError **err)
{
    g_autofree char *text = NULL;
    g_autofree char *tmp = NULL;
    char name[VCCW_UUID_STRING_BUFLEN];
    int cfgfd = -1, pfd = -1, fd = -1;
    bool ok = false;

    if (!mdevctl_def_check(def, err))
        return false;
    vccw_uuid_format(def->uuid, name);
    text = vccw_mdevctl_def_to_json(def);
    if (strlen(text) > VCCW_MDEVCTL_DEF_MAX_BYTES) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "mdevctl definition of %s larger than %d bytes",
                       name, VCCW_MDEVCTL_DEF_MAX_BYTES);
        return false;
    }
    if ((cfgfd = mdevctl_open_config_for_write(host, true, err)) < 0)
        return false;
    if (!mdevctl_ensure_scripts(cfgfd, err))
        goto cleanup;
    if ((pfd = mdevctl_open_subdir(cfgfd, def->parent, true)) < 0) {
        vccw_error_set_errno(err, errno, "cannot create %s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), def->parent);
        goto cleanup;
    }
    for (int attempt = 0; fd < 0; attempt++) {
        g_free(tmp);
        tmp = g_strdup_printf(".%s.%08x.tmp", name, g_random_int());
        fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && (errno != EEXIST || attempt >= 100)) {
            vccw_error_set_errno(err, errno, "cannot create %s/%s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 def->parent, tmp);
            g_clear_pointer(&tmp, g_free);
            goto cleanup;
        }
    }
    if (!mdevctl_write_all(fd, text, strlen(text)) || fsync(fd) < 0) {
        vccw_error_set_errno(err, errno, "cannot write %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp);
        goto cleanup;
    }
    if (close(fd) < 0) {
        fd = -1;
        vccw_error_set_errno(err, errno, "cannot write %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp);
        goto cleanup;
    }
    fd = -1;
    if (renameat(pfd, tmp, pfd, name) < 0) {
        vccw_error_set_errno(err, errno, "cannot rename %s/%s/%s to %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp, name);
        goto cleanup;
    }
    g_clear_pointer(&tmp, g_free);
    (void)fsync(pfd);
    ok = true;

 cleanup:
    if (fd >= 0)
        close(fd);
    if (tmp && pfd >= 0)
        unlinkat(pfd, tmp, 0);
    if (pfd >= 0)
        close(pfd);
    close(cfgfd);
    return ok;
}

bool
vccw_mdevctl_store_remove(const VccwHost *host, const char *parent,
                          const unsigned char *uuid, GError **err)
{
    char name[VCCW_UUID_STRING_BUFLEN];
    int cfgfd, pfd;
    struct stat st;

    if (!vccw_mdevctl_parent_is_valid(parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'",
                       parent ? parent : "");
        return false;
    }
    vccw_uuid_format(uuid, name);
    if ((cfgfd = mdevctl_open_config_for_write(host, false, NULL)) < 0) {
        if (errno == ENOENT)
            goto missing;
        vccw_error_set_errno(err, errno, "cannot open %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return false;
    }
    pfd = mdevctl_open_subdir(cfgfd, parent, false);
    close(cfgfd);
    if (pfd < 0) {
        if (errno == ENOENT)
            goto missing;
        vccw_error_set_errno(err, errno, "cannot open %s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), parent);
        return false;
    }
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        (S_ISDIR(st.st_mode) && (errno = EISDIR)) ||
        unlinkat(pfd, name, 0) < 0) {
        int saved = errno;

        close(pfd);
        if (saved == ENOENT)
            goto missing;
        vccw_error_set_errno(err, saved, "cannot remove %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), parent, name);
        return false;
    }
    (void)fsync(pfd);
    close(pfd);
    return true;

 missing:
    vccw_error_set(err, VCCW_ERR_NO_DEVICE, "no mdevctl definition of %s on %s",
                   name, parent);
    return false;
}
