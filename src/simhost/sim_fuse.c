/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: FUSE low-level adaptor (see sim_fuse.h).
 *
 * Single-threaded: nothing here ever blocks. A write that blocks in the
 * kernel (mdev remove or parent unbind while the VFIO group is open) is
 * answered later, from the release of /dev/vfio/<group>; so is a read
 * that waits for the lock such a write holds (6.1: driver_override),
 * which is done only then.
 *
 * Caching: attributes never change for a given inode number, so the
 * kernel may keep them; directory entries whose existence can change
 * (driver links, ccw devices, mdevs, groups, ...) get a zero entry
 * timeout, stable ones (subchannels and their fixed attributes) an hour.
 * Negative lookups are never cached. */
#define FUSE_USE_VERSION 34
#include "sim_fuse.h"

#include "sim_passthrough.h"
#include "sim_tree.h"
#include "vccw_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SIM_STABLE_TIMEOUT 3600.0
#define SIM_PT_TIMEOUT 1.0

typedef struct {
    SimModel *model;
    SimPt *pt;
    int bfd;                 /* backing directory */
    uint64_t etc_ino, run_ino;
    GHashTable *pending;     /* wait key -> GSList of Pending* */
    time_t start;
} SimFs;

typedef struct {
    fuse_req_t req;
    size_t len;           /* write: the byte count to answer */
    bool read;            /* read: done on completion */
    fuse_ino_t ino;
    off_t off;
} Pending;

typedef struct {
    DIR *dp;
    off_t offset;
    struct dirent *entry;
} PtDir;

static SimFs *
fs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

/* ---- completion of blocked writes and reads ---- */

static void sim_fs_add_pending(SimFs *fs, uint64_t key, Pending *p);

/* read(2) of a tree file: the content now, or later when it would block */
static void
tree_read(SimFs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off)
{
    g_autoptr(GString) s = g_string_new(NULL);
    SimNode n = sim_node_from_ino(ino);
    uint64_t wait = 0;
    int rc;

    if (sim_tree_read_blocks(fs->model, n, &wait)) {
        Pending *p = g_new0(Pending, 1);

        p->req = req;
        p->read = true;
        p->ino = ino;
        p->len = size;
        p->off = off;
        sim_fs_add_pending(fs, wait, p);
        return;
    }
    if (off < 0) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    if ((rc = sim_tree_read_at(fs->model, n, (uint64_t)off, size, s)) < 0) {
        fuse_reply_err(req, -rc);
        return;
    }
    fuse_reply_buf(req, s->str, s->len);
}

static void
sim_fs_complete(void *opaque, uint64_t key)
{
    SimFs *fs = opaque;
    GSList *list = NULL;

    if (!g_hash_table_steal_extended(fs->pending, &key, NULL, (gpointer *)&list))
        return;
    list = g_slist_reverse(list);
    for (GSList *l = list; l; l = l->next) {
        Pending *p = l->data;

        if (p->read)
            tree_read(fs, p->req, p->ino, p->len, p->off);
        else
            fuse_reply_write(p->req, p->len);
        g_free(p);
    }
    g_slist_free(list);
}

static void
sim_fs_add_pending(SimFs *fs, uint64_t key, Pending *p)
{
    GSList *list = g_hash_table_lookup(fs->pending, &key);
    uint64_t *k;

    if (list) {
        gpointer oldkey = NULL;

        g_hash_table_steal_extended(fs->pending, &key, &oldkey, NULL);
        g_free(oldkey);
    }
    k = g_new(uint64_t, 1);
    *k = key;
    g_hash_table_insert(fs->pending, k, g_slist_prepend(list, p));
}

/* ---- helpers ---- */

static void
tree_attr(SimFs *fs, SimNode n, struct stat *st)
{
    sim_tree_stat(fs->model, n, st);
    st->st_atime = st->st_mtime = st->st_ctime = fs->start;
}

static bool
is_pt(SimFs *fs, fuse_ino_t ino)
{
    (void)fs;
    return sim_pt_is_pt_ino(ino);
}

static char *
pt_child(SimFs *fs, fuse_ino_t parent, const char *name)
{
    const char *p = sim_pt_path(fs->pt, parent);

    if (!p || !*name || strchr(name, '/') || g_str_equal(name, ".") || g_str_equal(name, ".."))
        return NULL;
    return g_strconcat(p, "/", name, NULL);
}

static void
pt_reply_entry(fuse_req_t req, SimFs *fs, const char *path)
{
    struct fuse_entry_param e;

    memset(&e, 0, sizeof(e));
    if (fstatat(fs->bfd, path, &e.attr, AT_SYMLINK_NOFOLLOW) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    e.ino = sim_pt_ref(fs->pt, path);
    e.attr.st_ino = e.ino;
    e.attr_timeout = SIM_PT_TIMEOUT;
    e.entry_timeout = SIM_PT_TIMEOUT;
    if (fuse_reply_entry(req, &e) != 0)
        sim_pt_forget(fs->pt, e.ino, 1);
}

/* files created by other users belong to them */
static void
pt_chown_creator(fuse_req_t req, SimFs *fs, const char *path)
{
    const struct fuse_ctx *ctx = fuse_req_ctx(req);

    if (ctx->uid != 0 || ctx->gid != 0) {
        if (fchownat(fs->bfd, path, ctx->uid, ctx->gid, AT_SYMLINK_NOFOLLOW) < 0)
            g_debug("chown %s: %s", path, g_strerror(errno));
    }
}

/* ---- operations ---- */

static void
op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    /* symlink inodes never change their target (see sim_tree.h) */
    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
}

static void
op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    SimFs *fs = fs_of(req);
    struct fuse_entry_param e;
    SimNode n;
    int rc;

    if (is_pt(fs, parent)) {
        g_autofree char *path = pt_child(fs, parent, name);

        if (!path) {
            fuse_reply_err(req, ENOENT);
            return;
        }
        pt_reply_entry(req, fs, path);
        return;
    }
    if ((rc = sim_tree_lookup(fs->model, sim_node_from_ino(parent), name, &n)) < 0) {
        fuse_reply_err(req, -rc);
        return;
    }
    if (n.kind == SIM_K_ETC || n.kind == SIM_K_RUN) {
        pt_reply_entry(req, fs, n.kind == SIM_K_ETC ? "etc" : "run");
        return;
    }
    memset(&e, 0, sizeof(e));
    e.ino = sim_node_ino(n);
    tree_attr(fs, n, &e.attr);
    e.attr_timeout = SIM_STABLE_TIMEOUT;
    e.entry_timeout = sim_tree_is_stable(n) ? SIM_STABLE_TIMEOUT : 0.0;
    fuse_reply_entry(req, &e);
}

static void
op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    SimFs *fs = fs_of(req);

    if (is_pt(fs, ino))
        sim_pt_forget(fs->pt, ino, nlookup);
    fuse_reply_none(req);
}

static void
op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    SimFs *fs = fs_of(req);

    for (size_t i = 0; i < count; i++) {
        if (is_pt(fs, forgets[i].ino))
            sim_pt_forget(fs->pt, forgets[i].ino, forgets[i].nlookup);
    }
    fuse_reply_none(req);
}

static void
op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    struct stat st;

    if (is_pt(fs, ino)) {
        const char *path = sim_pt_path(fs->pt, ino);
        int rc = fi ? fstat((int)fi->fh, &st) : path ? fstatat(fs->bfd, path, &st, AT_SYMLINK_NOFOLLOW) : (errno = ENOENT, -1);

        if (rc < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        st.st_ino = ino;
        fuse_reply_attr(req, &st, SIM_PT_TIMEOUT);
        return;
    }
    if (!sim_tree_exists(fs->model, sim_node_from_ino(ino))) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    tree_attr(fs, sim_node_from_ino(ino), &st);
    fuse_reply_attr(req, &st, SIM_STABLE_TIMEOUT);
}

static void
op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
           struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    const char *path;
    int rc = 0;

    if (!is_pt(fs, ino)) {
        /* sysfs accepts and ignores O_TRUNC; we ignore mode/owner/time changes too */
        op_getattr(req, ino, NULL);
        return;
    }
    if (!(path = sim_pt_path(fs->pt, ino))) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (rc == 0 && (to_set & FUSE_SET_ATTR_MODE))
        rc = fi ? fchmod((int)fi->fh, attr->st_mode) : fchmodat(fs->bfd, path, attr->st_mode, 0);
    if (rc == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
        uid_t u = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
        gid_t g = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

        rc = fchownat(fs->bfd, path, u, g, AT_SYMLINK_NOFOLLOW);
    }
    if (rc == 0 && (to_set & FUSE_SET_ATTR_SIZE)) {
        if (fi) {
            rc = ftruncate((int)fi->fh, attr->st_size);
        } else {
            int fd = openat(fs->bfd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

            rc = fd < 0 ? -1 : ftruncate(fd, attr->st_size);
            if (fd >= 0) {
                int e = errno;
                close(fd);
                errno = e;
            }
        }
    }
    if (rc == 0 && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
        struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

        if (to_set & FUSE_SET_ATTR_ATIME_NOW)
            ts[0].tv_nsec = UTIME_NOW;
        else if (to_set & FUSE_SET_ATTR_ATIME)
            ts[0] = attr->st_atim;
        if (to_set & FUSE_SET_ATTR_MTIME_NOW)
            ts[1].tv_nsec = UTIME_NOW;
        else if (to_set & FUSE_SET_ATTR_MTIME)
            ts[1] = attr->st_mtim;
        rc = utimensat(fs->bfd, path, ts, AT_SYMLINK_NOFOLLOW);
    }
    if (rc < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    op_getattr(req, ino, fi);
}

static void
op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    SimFs *fs = fs_of(req);
    g_autoptr(GString) s = g_string_new(NULL);
    int rc;

    if (is_pt(fs, ino)) {
        const char *path = sim_pt_path(fs->pt, ino);
        char buf[PATH_MAX + 1];
        ssize_t l = path ? readlinkat(fs->bfd, path, buf, PATH_MAX) : (errno = ENOENT, -1);

        if (l < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        buf[l] = '\0';
        fuse_reply_readlink(req, buf);
        return;
    }
    if ((rc = sim_tree_readlink(fs->model, sim_node_from_ino(ino), s)) < 0) {
        fuse_reply_err(req, -rc);
        return;
    }
    fuse_reply_readlink(req, s->str);
}

/* Creating or removing names: only below etc/ and run/. sysfs answers
 * EACCES to create and EPERM to the rest. */
static bool
pt_parent_or_fail(fuse_req_t req, SimFs *fs, fuse_ino_t parent, const char *name, int tree_err,
                  char **path)
{
    if (!is_pt(fs, parent)) {
        fuse_reply_err(req, tree_err);
        return false;
    }
    if (!(*path = pt_child(fs, parent, name))) {
        fuse_reply_err(req, EINVAL);
        return false;
    }
    return true;
}

static void
op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    SimFs *fs = fs_of(req);
    g_autofree char *path = NULL;

    if (!pt_parent_or_fail(req, fs, parent, name, EACCES, &path))
        return;
    if (!S_ISREG(mode) && !S_ISFIFO(mode)) {
        fuse_reply_err(req, EPERM);
        return;
    }
    if (mknodat(fs->bfd, path, mode, rdev) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    pt_chown_creator(req, fs, path);
    pt_reply_entry(req, fs, path);
}

static void
op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    SimFs *fs = fs_of(req);
    g_autofree char *path = NULL;

    if (!pt_parent_or_fail(req, fs, parent, name, EPERM, &path))
        return;
    if (mkdirat(fs->bfd, path, mode) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    pt_chown_creator(req, fs, path);
    pt_reply_entry(req, fs, path);
}

static void
op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    SimFs *fs = fs_of(req);
    g_autofree char *path = NULL;

    if (!pt_parent_or_fail(req, fs, parent, name, EPERM, &path))
        return;
    if (symlinkat(link, fs->bfd, path) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    pt_chown_creator(req, fs, path);
    pt_reply_entry(req, fs, path);
}

static void
op_unlink_common(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
    SimFs *fs = fs_of(req);
    g_autofree char *path = NULL;

    if (!pt_parent_or_fail(req, fs, parent, name, EPERM, &path))
        return;
    if (unlinkat(fs->bfd, path, flags) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    sim_pt_unlinked(fs->pt, path);
    fuse_reply_err(req, 0);
}

static void
op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    op_unlink_common(req, parent, name, 0);
}

static void
op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    op_unlink_common(req, parent, name, AT_REMOVEDIR);
}

static void
op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
          const char *newname, unsigned int flags)
{
    SimFs *fs = fs_of(req);
    g_autofree char *from = NULL, *to = NULL;

    if (is_pt(fs, parent) != is_pt(fs, newparent)) {
        fuse_reply_err(req, EXDEV);
        return;
    }
    if (!pt_parent_or_fail(req, fs, parent, name, EPERM, &from))
        return;
    if (!(to = pt_child(fs, newparent, newname))) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    if (renameat2(fs->bfd, from, fs->bfd, to, flags) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    sim_pt_renamed(fs->pt, from, to);
    fuse_reply_err(req, 0);
}

static void
op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
    SimFs *fs = fs_of(req);
    g_autofree char *to = NULL;
    const char *from;

    if (!is_pt(fs, ino)) {
        fuse_reply_err(req, is_pt(fs, newparent) ? EXDEV : EPERM);
        return;
    }
    if (!pt_parent_or_fail(req, fs, newparent, newname, EXDEV, &to))
        return;
    if (!(from = sim_pt_path(fs->pt, ino))) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (linkat(fs->bfd, from, fs->bfd, to, 0) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    pt_reply_entry(req, fs, to);
}

static void
op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
          struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    g_autofree char *path = NULL;
    struct fuse_entry_param e;
    int fd;

    if (!pt_parent_or_fail(req, fs, parent, name, EACCES, &path))
        return;
    fd = openat(fs->bfd, path, (fi->flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) & ~O_NOCTTY, mode);
    if (fd < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    pt_chown_creator(req, fs, path);
    memset(&e, 0, sizeof(e));
    if (fstat(fd, &e.attr) < 0) {
        int err = errno;

        close(fd);
        fuse_reply_err(req, err);
        return;
    }
    e.ino = sim_pt_ref(fs->pt, path);
    e.attr.st_ino = e.ino;
    e.attr_timeout = SIM_PT_TIMEOUT;
    e.entry_timeout = SIM_PT_TIMEOUT;
    fi->fh = (uint64_t)fd;
    if (fuse_reply_create(req, &e, fi) != 0) {
        close(fd);
        sim_pt_forget(fs->pt, e.ino, 1);
    }
}

static void
op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    SimNode n;
    uint64_t h;
    int rc;

    if (is_pt(fs, ino)) {
        const char *path = sim_pt_path(fs->pt, ino);
        int fd;

        if (!path) {
            fuse_reply_err(req, ENOENT);
            return;
        }
        fd = openat(fs->bfd, path, (fi->flags | O_NOFOLLOW | O_CLOEXEC) & ~(O_CREAT | O_EXCL | O_NOCTTY));
        if (fd < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        fi->fh = (uint64_t)fd;
        if (fuse_reply_open(req, fi) != 0)
            close(fd);
        return;
    }
    n = sim_node_from_ino(ino);
    if ((rc = sim_tree_open(fs->model, n, fi->flags & O_ACCMODE, &h)) < 0) {
        fuse_reply_err(req, -rc);
        return;
    }
    fi->fh = h;
    fi->direct_io = 1;     /* sizes are fake, contents change: no page cache */
    fi->keep_cache = 0;
    if (fuse_reply_open(req, fi) != 0)
        sim_tree_release(fs->model, n, h);
}

static void
op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);

    if (is_pt(fs, ino)) {
        g_autofree char *buf = g_malloc(size ? size : 1);
        ssize_t r = pread((int)fi->fh, buf, size, off);

        if (r < 0)
            fuse_reply_err(req, errno);
        else
            fuse_reply_buf(req, buf, (size_t)r);
        return;
    }
    tree_read(fs, req, ino, size, off);
}

static void
op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
         struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    uint64_t wait = 0;
    ssize_t r;

    if (is_pt(fs, ino)) {
        r = pwrite((int)fi->fh, buf, size, off);
        if (r < 0)
            fuse_reply_err(req, errno);
        else
            fuse_reply_write(req, (size_t)r);
        return;
    }
    r = sim_tree_write(fs->model, sim_node_from_ino(ino), buf, size, &wait);
    if (r == SIM_PENDING) {
        Pending *p = g_new0(Pending, 1);

        p->req = req;
        p->len = size;
        sim_fs_add_pending(fs, wait, p);
    } else if (r < 0)
        fuse_reply_err(req, (int)-r);
    else
        fuse_reply_write(req, (size_t)r);
}

static void
op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);

    if (is_pt(fs, ino))
        close((int)fi->fh);
    else
        sim_tree_release(fs->model, sim_node_from_ino(ino), fi->fh);
    fuse_reply_err(req, 0);
}

static void
op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);
    int rc = 0;

    if (is_pt(fs, ino))
        rc = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
    fuse_reply_err(req, rc < 0 ? errno : 0);
}

static void
op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);

    if (is_pt(fs, ino)) {
        const char *path = sim_pt_path(fs->pt, ino);
        PtDir *d;
        int fd;

        if (!path) {
            fuse_reply_err(req, ENOENT);
            return;
        }
        fd = openat(fs->bfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        d = g_new0(PtDir, 1);
        if (!(d->dp = fdopendir(fd))) {
            int err = errno;

            close(fd);
            g_free(d);
            fuse_reply_err(req, err);
            return;
        }
        fi->fh = (uint64_t)(uintptr_t)d;
        fuse_reply_open(req, fi);
        return;
    }
    if (!sim_tree_exists(fs->model, sim_node_from_ino(ino))) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    fi->fh = 0;
    fuse_reply_open(req, fi);
}

static void
pt_readdir(fuse_req_t req, SimFs *fs, size_t size, off_t off, struct fuse_file_info *fi,
           bool plus)
{
    PtDir *d = (PtDir *)(uintptr_t)fi->fh;
    g_autofree char *buf = g_malloc0(size);
    size_t pos = 0;

    (void)fs;
    if (off != d->offset) {
        seekdir(d->dp, off);
        d->entry = NULL;
        d->offset = off;
    }
    for (;;) {
        struct fuse_entry_param e;
        size_t need;

        if (!d->entry) {
            errno = 0;
            d->entry = readdir(d->dp);
            if (!d->entry) {
                if (errno && pos == 0) {
                    fuse_reply_err(req, errno);
                    return;
                }
                break;
            }
        }
        /* readdirplus without a lookup: ino 0 gives the kernel names only */
        memset(&e, 0, sizeof(e));
        e.attr.st_ino = d->entry->d_ino;
        e.attr.st_mode = (mode_t)(d->entry->d_type << 12);
        if (plus)
            need = fuse_add_direntry_plus(req, buf + pos, size - pos, d->entry->d_name, &e,
                                          d->entry->d_off);
        else
            need = fuse_add_direntry(req, buf + pos, size - pos, d->entry->d_name, &e.attr,
                                     d->entry->d_off);
        if (need > size - pos)
            break;
        pos += need;
        d->offset = d->entry->d_off;
        d->entry = NULL;
    }
    fuse_reply_buf(req, buf, pos);
}

static void
do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi,
           bool plus)
{
    SimFs *fs = fs_of(req);
    g_autofree char *buf = NULL;
    SimNode dir = sim_node_from_ino(ino);
    uint64_t cookie = (uint64_t)off;
    size_t pos = 0;

    if (is_pt(fs, ino)) {
        pt_readdir(req, fs, size, off, fi, plus);
        return;
    }
    buf = g_malloc0(size);
    for (;;) {
        char name[256];
        SimNode child;
        uint64_t next;
        struct fuse_entry_param e;
        size_t need;
        bool pt_ref = false;
        int rc = sim_tree_readdir(fs->model, dir, cookie, name, &child, &next);

        if (rc < 0 && pos == 0) {
            fuse_reply_err(req, -rc);
            return;
        }
        if (rc <= 0)
            break;
        memset(&e, 0, sizeof(e));
        if (g_str_equal(name, ".") || g_str_equal(name, "..")) {
            e.attr.st_ino = sim_node_ino(child);
            e.attr.st_mode = S_IFDIR;
        } else if (child.kind == SIM_K_ETC || child.kind == SIM_K_RUN) {
            const char *top = child.kind == SIM_K_ETC ? "etc" : "run";

            e.attr.st_mode = S_IFDIR;
            e.attr.st_ino = child.kind == SIM_K_ETC ? fs->etc_ino : fs->run_ino;
            if (plus && fstatat(fs->bfd, top, &e.attr, AT_SYMLINK_NOFOLLOW) == 0) {
                e.ino = sim_pt_ref(fs->pt, top);
                e.attr.st_ino = e.ino;
                e.attr_timeout = e.entry_timeout = SIM_PT_TIMEOUT;
                pt_ref = true;
            }
        } else {
            e.ino = sim_node_ino(child);
            tree_attr(fs, child, &e.attr);
            e.attr_timeout = SIM_STABLE_TIMEOUT;
            e.entry_timeout = sim_tree_is_stable(child) ? SIM_STABLE_TIMEOUT : 0.0;
        }
        if (plus)
            need = fuse_add_direntry_plus(req, buf + pos, size - pos, name, &e, (off_t)next);
        else
            need = fuse_add_direntry(req, buf + pos, size - pos, name, &e.attr, (off_t)next);
        if (need > size - pos) {
            if (pt_ref)
                sim_pt_forget(fs->pt, e.ino, 1);
            break;
        }
        pos += need;
        cookie = next;
    }
    fuse_reply_buf(req, buf, pos);
}

static void
op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, false);
}

static void
op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, true);
}

static void
op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    SimFs *fs = fs_of(req);

    if (is_pt(fs, ino) && fi->fh) {
        PtDir *d = (PtDir *)(uintptr_t)fi->fh;

        closedir(d->dp);
        g_free(d);
    }
    fuse_reply_err(req, 0);
}

static void
op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    SimFs *fs = fs_of(req);
    struct statvfs sv;

    if (is_pt(fs, ino)) {
        if (fstatvfs(fs->bfd, &sv) < 0) {
            fuse_reply_err(req, errno);
            return;
        }
    } else {
        memset(&sv, 0, sizeof(sv));
        sv.f_bsize = SIM_PAGE_SIZE;
        sv.f_frsize = SIM_PAGE_SIZE;
        sv.f_namemax = 255;
    }
    fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops sim_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .symlink = op_symlink,
    .rename = op_rename,
    .link = op_link,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .release = op_release,
    .fsync = op_fsync,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_releasedir,
    .statfs = op_statfs,
    .create = op_create,
};

static void
pending_free(gpointer p)
{
    GSList *list = p;

    for (GSList *l = list; l; l = l->next) {
        Pending *pe = l->data;

        fuse_reply_err(pe->req, EINTR);
        g_free(pe);
    }
    g_slist_free(list);
}

int
sim_fuse_run(SimModel *model, const SimFuseOptions *opts, GError **err)
{
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    struct fuse_session *se = NULL;
    g_autofree char *mopts = NULL;
    SimFs fs;
    int ret = -1;

    memset(&fs, 0, sizeof(fs));
    fs.model = model;
    fs.start = time(NULL);
    fs.pt = sim_pt_new();
    fs.pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, pending_free);
    fs.bfd = open(opts->backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs.bfd < 0) {
        vccw_error_set_errno(err, errno, "cannot open '%s'", opts->backing);
        goto out;
    }
    fs.etc_ino = sim_pt_pin(fs.pt, "etc");
    fs.run_ino = sim_pt_pin(fs.pt, "run");
    sim_model_set_complete_hook(model, sim_fs_complete, &fs);

    mopts = g_strdup_printf("fsname=virtccw-simhost,subtype=virtccw-simhost,default_permissions%s",
                            geteuid() == 0 ? ",allow_other" : "");
    if (fuse_opt_add_arg(&args, "virtccw-simhost") != 0 ||
        fuse_opt_add_arg(&args, "-o") != 0 || fuse_opt_add_arg(&args, mopts) != 0 ||
        (opts->debug && fuse_opt_add_arg(&args, "-d") != 0)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (!(se = fuse_session_new(&args, &sim_ops, sizeof(sim_ops), &fs))) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot create the FUSE session");
        goto out;
    }
    if (fuse_set_signal_handlers(se) != 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot install signal handlers");
        goto out_destroy;
    }
    if (fuse_session_mount(se, opts->mountpoint) != 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "cannot mount on '%s' (is /dev/fuse usable?)", opts->mountpoint);
        goto out_signals;
    }
    /* the mount is ready: only now may the caller's command return */
    if (fuse_daemonize(opts->foreground) != 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot daemonize");
        goto out_unmount;
    }
    ret = fuse_session_loop(se) < 0 ? -1 : 0;
    if (ret < 0)
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "FUSE session loop failed");

out_unmount:
    fuse_session_unmount(se);
out_signals:
    fuse_remove_signal_handlers(se);
out_destroy:
    sim_model_set_complete_hook(model, NULL, NULL);
    g_hash_table_remove_all(fs.pending);
    fuse_session_destroy(se);
out:
    fuse_opt_free_args(&args);
    if (fs.pending)
        g_hash_table_destroy(fs.pending);
    sim_pt_free(fs.pt);
    if (fs.bfd >= 0)
        close(fs.bfd);
    return ret;
}
