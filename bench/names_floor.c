/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The name-only floor (names_floor.h): per workload only the syscalls that
 * decide whether a device is listed, paths relative to one directory fd,
 * getdents64 with a 64 KiB buffer, names built by hand, one qsort, no
 * validation (kernel-made names are taken as they are).
 *
 *   css         readdir sys/bus/css/devices; readlinkat <sch>/driver
 *   mdev_types  readdir sys/class/mdev_bus; readlinkat <sch>/driver; per
 *               vfio_ccw parent open+getdents+close of mdev_supported_types
 *               and open+read+close of each type's device_api and
 *               available_instances (what makes a type count)
 *   ccw         readdir sys/bus/ccw/devices; open+read+close <dev>/online;
 *               per device online or offline (libvirt 11.3's listing, the
 *               CLI's default) one readlinkat <dev> (its subchannel:
 *               virtccw lists a ccw device only under a subchannel)
 *   mdev        readdir sys/bus/mdev/devices; readlinkat <uuid> (parent)
 *               and <uuid>/mdev_type (an mdev without one is not listed)
 *   ccwgroup    (in the listings of every capability) readdir
 *               sys/bus/ccwgroup/devices; per group open+read+close of its
 *               uevent (a qeth DEVTYPE); per qeth group open+getdents+close
 *               of its directory and faccessat of one cdevN member link
 *   definitions readdir etc/mdevctl.d, per parent open+getdents+close, per
 *               file open+read+close (an unreadable one is not listed)
 */
#include "names_floor.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

const char *const names_workload_ids[NF_LAST] = {
    "css", "ccw", "mdev", "mdev-all", "mdev_types", "all", "all-all", "inactive", "tree",
};

static const char *const a_css[] = { "--cap", "css", NULL };
static const char *const a_ccw[] = { "--cap", "ccw", NULL };
static const char *const a_mdev[] = { "--cap", "mdev", NULL };
static const char *const a_mdev_all[] = { "--cap", "mdev", "--all", NULL };
static const char *const a_types[] = { "--cap", "mdev_types", NULL };
static const char *const a_all[] = { NULL };
static const char *const a_all_all[] = { "--all", NULL };
static const char *const a_inactive[] = { "--inactive", NULL };
static const char *const a_tree[] = { "--tree", NULL };
const char *const *const names_workload_args[NF_LAST] = {
    a_css, a_ccw, a_mdev, a_mdev_all, a_types, a_all, a_all_all, a_inactive, a_tree,
};

typedef struct {
    char name[64];
    char parent[16];
} Ent;

typedef struct {
    Ent *v;
    size_t n, cap;
} Ents;

static Ent *
ent_add(Ents *e)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4096;
        e->v = realloc(e->v, e->cap * sizeof(Ent));
        if (!e->v)
            abort();
    }
    return &e->v[e->n++];
}

typedef struct {
    int fd;
    size_t pos, len;
    char buf[65536];
} Dents;

static const char *
dents_next(Dents *d)
{
    for (;;) {
        const struct dirent64 *e;

        if (d->pos >= d->len) {
            ssize_t r = getdents64(d->fd, d->buf, sizeof(d->buf));
            if (r <= 0)
                return NULL;
            d->len = (size_t)r;
            d->pos = 0;
        }
        e = (const struct dirent64 *)(const void *)(d->buf + d->pos);
        d->pos += e->d_reclen;
        if (e->d_name[0] != '.')
            return e->d_name;
    }
}

static bool
dents_open(Dents *d, int rootfd, const char *rel)
{
    d->pos = d->len = 0;
    return (d->fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0;
}

/* "<prefix>" + "0.0.0052" with '.' as '_' */
static void
bus_name(char *dst, const char *prefix, const char *id)
{
    size_t p = strlen(prefix);

    memcpy(dst, prefix, p);
    for (; *id; id++)
        dst[p++] = *id == '.' ? '_' : *id;
    dst[p] = '\0';
}

/* "mdev_<uuid>_<parent>" with '-' and '.' as '_' */
static void
mdev_name(char *dst, const char *uuid, const char *parent)
{
    size_t p = 5;

    memcpy(dst, "mdev_", 5);
    for (; *uuid; uuid++)
        dst[p++] = *uuid == '-' ? '_' : *uuid;
    dst[p++] = '_';
    for (; *parent; parent++)
        dst[p++] = *parent == '.' ? '_' : *parent;
    dst[p] = '\0';
}

static const char *
link_base(int dfd, const char *path, char *buf, size_t size)
{
    ssize_t n = readlinkat(dfd, path, buf, size - 1);
    char *slash;

    if (n < 0)
        return NULL;
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    return slash ? slash + 1 : buf;
}

static bool
read_ok(int dfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return true;
}

/* the link's second-last component: "../../devices/css0/0.0.0004/<x>" */
static const char *
link_parent(char *link)
{
    char *slash = strrchr(link, '/');

    if (!slash)
        return "";
    *slash = '\0';
    slash = strrchr(link, '/');
    return slash ? slash + 1 : link;
}

static void
floor_css(int rootfd, bool types_only, Ents *out)
{
    static Dents d, td;
    char path[512], link[4096], buf[64];
    const char *name, *drv, *t;

    if (!dents_open(&d, rootfd, types_only ? "sys/class/mdev_bus" : "sys/bus/css/devices"))
        return;
    while ((name = dents_next(&d))) {
        size_t len = strlen(name);
        bool has = false;

        memcpy(path, name, len);
        memcpy(path + len, "/driver", 8);
        if (!(drv = link_base(d.fd, path, link, sizeof(link))))
            continue;
        if (types_only) {
            if (strcmp(drv, "vfio_ccw") != 0)
                continue;
            memcpy(path + len, "/mdev_supported_types", 22);
            if (!dents_open(&td, d.fd, path))
                continue;
            while ((t = dents_next(&td))) {
                char tp[300];
                snprintf(tp, sizeof(tp), "%s/device_api", t);
                if (!read_ok(td.fd, tp, buf, sizeof(buf)))
                    continue;
                snprintf(tp, sizeof(tp), "%s/available_instances", t);
                if (read_ok(td.fd, tp, buf, sizeof(buf)))
                    has = true;
            }
            close(td.fd);
            if (!has)
                continue;
        } else if (strcmp(drv, "io_subchannel") != 0 && strcmp(drv, "vfio_ccw") != 0) {
            continue;
        }
        Ent *e = ent_add(out);
        bus_name(e->name, "css_", name);
        memcpy(e->parent, "computer", 9);
    }
    close(d.fd);
}

static void
floor_ccw(int rootfd, Ents *out)
{
    static Dents d;
    char path[512], link[4096], online[8];
    const char *name;

    if (!dents_open(&d, rootfd, "sys/bus/ccw/devices"))
        return;
    while ((name = dents_next(&d))) {
        size_t len = strlen(name);
        ssize_t n;

        memcpy(path, name, len);
        memcpy(path + len, "/online", 8);
        /* libvirt 11.3's rule, what nodedev-list follows by default: an
         * offline device is listed too (a kernel writes only 0 or 1) */
        if (!read_ok(d.fd, path, online, sizeof(online)) ||
            (online[0] != '1' && online[0] != '0'))
            continue;
        if ((n = readlinkat(d.fd, name, link, sizeof(link) - 1)) < 0)
            continue;
        link[n] = '\0';
        Ent *e = ent_add(out);
        bus_name(e->name, "ccw_", name);
        bus_name(e->parent, "css_", link_parent(link));
    }
    close(d.fd);
}

/* ccwgroup (libvirt 11.1+, listed with the computer's children): a group
 * whose uevent names a qeth device type and which has a member link that
 * resolves; lcs and ctcm groups are not listed */
static bool
qeth_devtype(const char *uevent)
{
    const char *t = strstr(uevent, "DEVTYPE=qeth_");

    if (!t || (t != uevent && t[-1] != '\n'))
        return false;
    t += strlen("DEVTYPE=qeth_");
    return !strncmp(t, "generic\n", 8) || !strncmp(t, "layer2\n", 7) || !strncmp(t, "layer3\n", 7);
}

static void
floor_ccwgroup(int rootfd, Ents *out)
{
    static Dents d, gd;
    char path[512], uevent[4096];
    const char *name, *m;

    if (!dents_open(&d, rootfd, "sys/bus/ccwgroup/devices"))
        return;
    while ((name = dents_next(&d))) {
        size_t len = strlen(name);
        bool member = false;

        memcpy(path, name, len);
        memcpy(path + len, "/uevent", 8);
        if (!read_ok(d.fd, path, uevent, sizeof(uevent)) || !qeth_devtype(uevent))
            continue;
        if (!dents_open(&gd, d.fd, name))
            continue;
        while (!member && (m = dents_next(&gd)))
            member = !strncmp(m, "cdev", 4) && faccessat(gd.fd, m, F_OK, 0) == 0;
        close(gd.fd);
        if (!member)
            continue;
        Ent *e = ent_add(out);
        bus_name(e->name, "ccwgroup_", name);
        memcpy(e->parent, "computer", 9);
    }
    close(d.fd);
}

static void
floor_mdev_active(int rootfd, Ents *out)
{
    static Dents d;
    char path[512], link[4096], type[4096];
    const char *name;

    if (!dents_open(&d, rootfd, "sys/bus/mdev/devices"))
        return;
    while ((name = dents_next(&d))) {
        size_t len = strlen(name);
        const char *parent;
        ssize_t n;

        if ((n = readlinkat(d.fd, name, link, sizeof(link) - 1)) < 0)
            continue;
        link[n] = '\0';
        memcpy(path, name, len);
        memcpy(path + len, "/mdev_type", 11);
        if (readlinkat(d.fd, path, type, sizeof(type)) < 0)
            continue;
        parent = link_parent(link);
        Ent *e = ent_add(out);
        mdev_name(e->name, name, parent);
        bus_name(e->parent, "css_", parent);
    }
    close(d.fd);
}

static void
floor_store(int rootfd, Ents *out)
{
    static Dents d, pd;
    char json[4096];
    const char *parent, *name;

    if (!dents_open(&d, rootfd, "etc/mdevctl.d"))
        return;
    while ((parent = dents_next(&d))) {
        if (strlen(parent) != 8 || parent[1] != '.' || parent[3] != '.')
            continue;   /* scripts.d and others' parents */
        if (!dents_open(&pd, d.fd, parent))
            continue;
        while ((name = dents_next(&pd))) {
            if (!read_ok(pd.fd, name, json, sizeof(json)))
                continue;
            Ent *e = ent_add(out);
            mdev_name(e->name, name, parent);
            bus_name(e->parent, "css_", parent);
        }
        close(pd.fd);
    }
    close(d.fd);
}

static int
cmp_ent(const void *a, const void *b)
{
    return strcmp(((const Ent *)a)->name, ((const Ent *)b)->name);
}

/* the active mdevs, then the definitions: with @defined the union (the
 * definitions not active appended), else those not active only */
static void
floor_mdev_merged(int rootfd, bool with_active, Ents *out)
{
    Ents act = { 0 }, defs = { 0 };

    floor_mdev_active(rootfd, &act);
    floor_store(rootfd, &defs);
    qsort(act.v, act.n, sizeof(Ent), cmp_ent);
    for (size_t i = 0; i < defs.n; i++)
        if (!bsearch(&defs.v[i], act.v, act.n, sizeof(Ent), cmp_ent))
            *ent_add(out) = defs.v[i];
    for (size_t i = 0; with_active && i < act.n; i++)
        *ent_add(out) = act.v[i];
    free(act.v);
    free(defs.v);
}

static int
cmp_parent_name(const void *a, const void *b)
{
    const Ent *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);

    return c ? c : strcmp(x->name, y->name);
}

/* virtccw's --tree: the css devices under computer, each with its
 * children (ccw, mdev) in name order */
static void
print_tree(Ents *all, FILE *out)
{
    Ents css = { 0 }, kids = { 0 };
    size_t k = 0;

    for (size_t i = 0; i < all->n; i++)
        if (strcmp(all->v[i].parent, "computer") == 0)
            *ent_add(&css) = all->v[i];
        else if (all->v[i].parent[0])
            *ent_add(&kids) = all->v[i];
    qsort(kids.v, kids.n, sizeof(Ent), cmp_parent_name);
    fputs("computer\n", out);
    for (size_t i = 0; i < css.n; i++) {
        const char *sub = i + 1 == css.n ? "    " : "  | ";
        fprintf(out, "  |\n  +- %s\n", css.v[i].name);
        while (k < kids.n && strcmp(kids.v[k].parent, css.v[i].name) < 0)
            k++;
        for (; k < kids.n && strcmp(kids.v[k].parent, css.v[i].name) == 0; k++)
            fprintf(out, "%s  |\n%s  +- %s\n", sub, sub, kids.v[k].name);
    }
    fputs("\n", out);
    free(css.v);
    free(kids.v);
}

long
names_floor(const char *root, NamesWorkload w, FILE *out)
{
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    Ents e = { 0 };
    long n;

    if (rootfd < 0)
        return -1;
    if (w == NF_ALL || w == NF_ALL_ALL || w == NF_TREE) {
        Ent *c = ent_add(&e);
        memcpy(c->name, "computer", 9);
        c->parent[0] = '\0';
    }
    if (w == NF_CSS || w == NF_ALL || w == NF_ALL_ALL || w == NF_TREE)
        floor_css(rootfd, false, &e);
    if (w == NF_TYPES)
        floor_css(rootfd, true, &e);
    if (w == NF_CCW || w == NF_ALL || w == NF_ALL_ALL || w == NF_TREE)
        floor_ccw(rootfd, &e);
    if (w == NF_ALL || w == NF_ALL_ALL || w == NF_TREE)
        floor_ccwgroup(rootfd, &e);
    if (w == NF_MDEV || w == NF_ALL || w == NF_TREE)
        floor_mdev_active(rootfd, &e);
    if (w == NF_MDEV_ALL || w == NF_ALL_ALL)
        floor_mdev_merged(rootfd, true, &e);
    if (w == NF_INACTIVE)
        floor_mdev_merged(rootfd, false, &e);
    close(rootfd);
    qsort(e.v, e.n, sizeof(Ent), cmp_ent);
    if (out && w == NF_TREE) {
        print_tree(&e, out);
    } else if (out) {
        for (size_t i = 0; i < e.n; i++)
            fputs(e.v[i].name, out), fputc('\n', out);
        fputc('\n', out);
    }
    n = (long)e.n;
    free(e.v);
    return n;
}
