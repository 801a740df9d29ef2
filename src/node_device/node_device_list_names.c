/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: name-only listings (`nodedev-list`): the names and parents of
 * the devices vccw_nodedev_list() returns, without building any device
 * object. What decides that a device is listed is read, nothing else:
 *
 *   css         readdir sys/bus/css/devices; per subchannel one readlinkat
 *               of <sch>/driver (io_subchannel or vfio_ccw)
 *   mdev_types  readdir sys/class/mdev_bus; per parent its driver link and
 *               the device_api + available_instances of each type (a
 *               parent without a good type is not listed)
 *   ccw         readdir sys/bus/ccw/devices; per device its online file
 *               (libvirt 9.0 lists online devices only, 11.3 all of them)
 *               and its own link (the subchannel it hangs under)
 *   mdev        readdir sys/bus/mdev/devices; per mdev its link (parent)
 *               and its mdev_type link; the mdevctl definitions only when
 *               the state filter needs them (--all, --inactive, persistent
 *               or transient)
 *
 * The checks themselves are node_device_ccw.c's (vccw_nodedev_probe_*), so
 * both listings list the same devices and warn alike about what they skip.
 * A state filter that no device of a capability can match (--inactive for
 * css) reads nothing of it. Capabilities this file does not know (added
 * to vccw_nodedev_list() later) are listed through it, as objects.
 */
#include "node_device_ccw.h"
#include "vccw_sysfs.h"
#include "mdevctl_store.h"
#include "vccw_error.h"
#include "vccw_host.h"
#include "vccw_uuid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* the capability bits of libvirt's list flags (below the state bits) */
#define CAP_BITS 0x0fffffffu
#define NAMES_CAPS (VCCW_LIST_CAP_SYSTEM | VCCW_LIST_CAP_MDEV_TYPES | VCCW_LIST_CAP_MDEV | \
                    VCCW_LIST_CAP_CCW_DEV | VCCW_LIST_CAP_CSS_DEV)

/* readdir() by getdents64() with a 64 KiB buffer: 20,000 subchannels in
 * about 10 calls, no fdopendir() fcntl + fstat */
typedef struct {
    int fd;
    ssize_t pos, len;
    union { struct dirent64 align; char buf[65536]; } *u;
} Dents;

/* A directory that cannot be opened is an empty list; with @warnings
 * (css, as the object listing) said unless it is missing. */
static bool
dents_open(Dents *d, const VccwHost *host, VccwHostDir dir, GPtrArray *warnings)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = vccw_host_path(host, dir, NULL, NULL, &err);

    d->pos = d->len = 0;
    d->u = NULL;
    d->fd = path ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (path && d->fd < 0)
        vccw_error_set_errno(&err, errno, "cannot open '%s'", path);
    if (d->fd < 0) {
        if (!g_error_matches(err, VCCW_ERROR, VCCW_ERR_SYSTEM) || !strstr(err->message, "No such"))
            vccw_nodedev_warn(warnings, "%s", err->message);
        return false;
    }
    d->u = g_malloc(sizeof(*d->u));
    return true;
}

static const char *
dents_next(Dents *d)
{
    const struct dirent64 *ent;

    for (;;) {
        if (d->pos >= d->len) {
            d->len = getdents64(d->fd, d->u->buf, sizeof(d->u->buf));
            d->pos = 0;
            if (d->len <= 0)
                return NULL;
        }
        ent = (const struct dirent64 *)(const void *)(d->u->buf + d->pos);
        d->pos += ent->d_reclen;
        if (ent->d_ino != 0 && ent->d_name[0] != '.')
            return ent->d_name;
    }
}

static void
dents_close(Dents *d)
{
    if (d->fd >= 0)
        close(d->fd);
    g_free(d->u);
}

/* One entry: name and parent in one allocation. */
static VccwNodeDevName *
entry_new(const char *name, size_t nlen, const char *parent, size_t plen)
{
    VccwNodeDevName *e = g_malloc(sizeof(*e) + nlen + 1 + (parent ? plen + 1 : 0));
    char *p = e->name + nlen + 1;

    memcpy(e->name, name, nlen);
    e->name[nlen] = '\0';
    e->parent = NULL;
    if (parent) {
        memcpy(p, parent, plen);
        p[plen] = '\0';
        e->parent = p;
    }
    return e;
}

/* "mdev_<uuid>_<parent bus id>" with every non-alphanumeric as '_', as
 * vccw_nodedev_name_mdev() names it; the length, 0 when it does not fit */
static size_t
mdev_name(char *buf, size_t size, const unsigned char *uuid, const char *parent_addr)
{
    char str[VCCW_UUID_STRING_BUFLEN];
    int n;

    vccw_uuid_format(uuid, str);
    n = snprintf(buf, size, "mdev_%s%s%s", str, parent_addr ? "_" : "",
                 parent_addr ? parent_addr : "");

    if (n < 0 || (size_t)n >= size)
        return 0;
    for (char *p = buf; *p; p++)
        if (!g_ascii_isalnum(*p))
            *p = '_';
    return (size_t)n;
}

/* ---- css and mdev_types ----------------------------------------------------- */

/* As list_css() in node_device_ccw.c: the subchannels on a listed driver,
 * or with @only_with_types the vfio_ccw parents of sys/class/mdev_bus that
 * have a good mdev type. */
static void
names_css(const VccwHost *host, bool only_with_types, GPtrArray *out, GPtrArray *warnings)
{
    VccwHostDir from = only_with_types ? VCCW_HOST_DIR_MDEV_BUS_CLASS : VCCW_HOST_DIR_CSS_DEVICES;
    Dents d;
    const char *ent;

    if (!dents_open(&d, host, from, warnings))
        return;
    while ((ent = dents_next(&d))) {
        char path[NAME_MAX + 16], driver[256], name[VCCW_NODEDEV_BUS_NAME_BUFLEN];
        VccwCcwId id;
        ssize_t r;
        size_t len;

        if (!vccw_ccw_id_parse(ent, &id)) {
            if (from == VCCW_HOST_DIR_CSS_DEVICES)
                vccw_nodedev_warn(warnings, "ignoring '%s' in %s: not a subchannel id", ent,
                     vccw_host_dir_abs(from));
            continue;
        }
        len = strlen(ent);
        memcpy(path, ent, len);
        memcpy(path + len, "/driver", sizeof("/driver"));
        r = vccw_sysfs_link_base_at(d.fd, path, driver, sizeof(driver));
        if (r < 0) {
            /* unbound, or no subchannel directory at all: the warning the
             * object listing gives (from the same failed open) */
            int fd = openat(d.fd, ent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0)
                vccw_nodedev_warn(warnings, "subchannel %s: %s", ent, g_strerror(errno));
            else
                close(fd);
            continue;
        }
        if (!vccw_nodedev_css_driver_listed(driver))
            continue;
        if (only_with_types) {
            path[len] = '/';
            path[len + 1] = '\0';
            if (!g_str_equal(driver, "vfio_ccw") ||
                vccw_nodedev_count_mdev_types(d.fd, path, ent, warnings) == 0)
                continue;
        }
        len = vccw_nodedev_format_bus_name(name, "css", &id);
        g_ptr_array_add(out, entry_new(name, len, "computer", strlen("computer")));
    }
    dents_close(&d);
}

/* ---- ccw --------------------------------------------------------------------- */

static void
names_ccw(const VccwHost *host, GPtrArray *out, GPtrArray *warnings)
{
    Dents d;
    const char *ent;

    if (!dents_open(&d, host, VCCW_HOST_DIR_CCW_DEVICES, NULL))
        return;
    while ((ent = dents_next(&d))) {
        g_autofree char *parent_addr = NULL;
        char name[VCCW_NODEDEV_BUS_NAME_BUFLEN], parent[VCCW_NODEDEV_BUS_NAME_BUFLEN];
        VccwCcwId id, pid;
        size_t nlen, plen;
        VccwCcwState state;

        if (!vccw_nodedev_probe_ccw(d.fd, ent, warnings, &id, &pid, &parent_addr, &state))
            continue;
        nlen = vccw_nodedev_format_bus_name(name, "ccw", &id);
        plen = vccw_nodedev_format_bus_name(parent, "css", &pid);
        g_ptr_array_add(out, entry_new(name, nlen, parent, plen));
    }
    dents_close(&d);
}

/* ---- mdev -------------------------------------------------------------------- */

/* Active mdevs (sysfs), and the definitions when the state filter depends
 * on them, merged by name as vccw_nodedev_list_mdevs() merges them. */
static void
names_mdev(const VccwHost *host, unsigned int flags, GPtrArray *out, GPtrArray *warnings)
{
    unsigned int state = flags & (VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE);
    bool want_store = (state & VCCW_LIST_INACTIVE) ||
                      (flags & (VCCW_LIST_PERSISTENT | VCCW_LIST_TRANSIENT));
    g_autoptr(GPtrArray) active = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) persistent = NULL;   /* names of active ones with a definition */
    g_autoptr(GHashTable) by_name = NULL;
    g_autoptr(GPtrArray) defined = NULL;
    g_autoptr(GError) err = NULL;
    Dents d;
    const char *ent;

    if (dents_open(&d, host, VCCW_HOST_DIR_MDEV_DEVICES, NULL)) {
        while ((ent = dents_next(&d))) {
            unsigned char uuid[VCCW_UUID_BUFLEN];
            char parent_addr[32], type[256], name[128], parent[VCCW_NODEDEV_BUS_NAME_BUFLEN];
            VccwCcwId pid;
            size_t nlen, plen;

            if (!vccw_nodedev_probe_active_mdev(d.fd, ent, warnings, uuid, &pid, parent_addr,
                                                sizeof(parent_addr), type, sizeof(type)) ||
                !(nlen = mdev_name(name, sizeof(name), uuid, parent_addr)))
                continue;
            plen = vccw_nodedev_format_bus_name(parent, "css", &pid);
            g_ptr_array_add(active, entry_new(name, nlen, parent, plen));
        }
        dents_close(&d);
    }
    if (!want_store) {
        /* active, whether persistent or not */
        g_ptr_array_extend_and_steal(out, g_steal_pointer(&active));
        return;
    }
    by_name = g_hash_table_new(g_str_hash, g_str_equal);
    persistent = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < active->len; i++) {
        VccwNodeDevName *e = g_ptr_array_index(active, i);
        g_hash_table_insert(by_name, e->name, e);
    }
    if (!(defined = vccw_mdevctl_store_list(host, warnings, &err)))
        vccw_nodedev_warn(warnings, "%s", err->message);
    for (guint i = 0; defined && i < defined->len; i++) {
        const VccwMdevctlDef *m = g_ptr_array_index(defined, i);
        char name[128], parent[VCCW_NODEDEV_BUS_NAME_BUFLEN];
        VccwNodeDevName *hit;
        VccwCcwId pid;
        size_t nlen, plen = 0;
        bool has_parent;

        if (!(nlen = mdev_name(name, sizeof(name), m->uuid, m->parent)))
            continue;
        if ((hit = g_hash_table_lookup(by_name, name))) {
            g_hash_table_add(persistent, hit);
            continue;
        }
        /* defined, not active */
        if ((has_parent = vccw_ccw_id_parse(m->parent, &pid)))
            plen = vccw_nodedev_format_bus_name(parent, "css", &pid);
        if (vccw_nodedev_state_matches_as(false, true, flags))
            g_ptr_array_add(out, entry_new(name, nlen, has_parent ? parent : NULL, plen));
    }
    for (guint i = 0; i < active->len; i++) {
        VccwNodeDevName *e = g_ptr_array_index(active, i);

        if (vccw_nodedev_state_matches_as(true, g_hash_table_contains(persistent, e), flags)) {
            g_ptr_array_add(out, e);
            active->pdata[i] = NULL;
        }
    }
}

/* ---- the list ---------------------------------------------------------------- */

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp((*(VccwNodeDevName *const *)a)->name, (*(VccwNodeDevName *const *)b)->name);
}

GPtrArray *
vccw_nodedev_list_names(VccwNodeDevDriver *drv, unsigned int flags, GPtrArray *warnings,
                        GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    unsigned int asked = flags & CAP_BITS;
    unsigned int want = (asked ? asked : CAP_BITS) & NAMES_CAPS;
    unsigned int others = (asked ? asked : CAP_BITS) & ~NAMES_CAPS;
    /* css, ccw, the computer: always active, never persistent */
    bool fixed_match = vccw_nodedev_state_matches_as(true, false, flags);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    if (fixed_match && (want & VCCW_LIST_CAP_SYSTEM))
        g_ptr_array_add(out, entry_new("computer", strlen("computer"), NULL, 0));
    if (fixed_match && (want & (VCCW_LIST_CAP_CSS_DEV | VCCW_LIST_CAP_MDEV_TYPES)))
        names_css(host, !(want & VCCW_LIST_CAP_CSS_DEV), out, warnings);
    if (fixed_match && (want & VCCW_LIST_CAP_CCW_DEV))
        names_ccw(host, out, warnings);
    if (want & VCCW_LIST_CAP_MDEV)
        names_mdev(host, flags, out, warnings);
    /* ccwgroup members are ccw devices: listed above when ccw is asked */
    if (want & VCCW_LIST_CAP_CCW_DEV)
        others &= ~VCCW_LIST_CAP_CCWGROUP_MEMBER;
    /* the only others s390 has are ccwgroups and their members, which like
     * css and ccw devices are always active and never persistent: an
     * --inactive or --persistent listing reads none of their objects */
    others &= VCCW_LIST_CAPS_S390;
    if (!fixed_match)
        others &= ~(VCCW_LIST_CAP_CCWGROUP_DEV | VCCW_LIST_CAP_CCWGROUP_MEMBER);
    if (others) {
        /* capabilities added to the object listing since: through it */
        g_autoptr(GPtrArray) defs = vccw_nodedev_list(drv, (flags & ~CAP_BITS) | others,
                                                      warnings, err);
        if (!defs) {
            g_ptr_array_unref(out);
            return NULL;
        }
        for (guint i = 0; i < defs->len; i++) {
            const VccwNodeDevDef *def = g_ptr_array_index(defs, i);
            g_ptr_array_add(out, entry_new(def->name, strlen(def->name), def->parent,
                                           def->parent ? strlen(def->parent) : 0));
        }
    }
    g_ptr_array_sort(out, compare_names);
    return out;
}
