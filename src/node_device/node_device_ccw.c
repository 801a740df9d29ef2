/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node devices read from sysfs (and the mdevctl store) under a
 * host root.
 *
 * Enumeration reads each file at most once and only the files the output
 * needs: a subchannel costs one readlink (its driver) and one read
 * (dev_busid); only subchannels on vfio_ccw have their mdev types read.
 * A broken entry (missing attribute, junk, dangling link) is reported in
 * the warnings and skipped; the rest is listed.
 */
#include "node_device_ccw.h"
#include "vccw_sysfs.h"
#include "libvirt_release.h"
#include "mdevctl_store.h"
#include "vccw_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct _VccwNodeDevDriver {
    const VccwHost *host;
    GHashTable *store_index;   /* vccw_nodedev_driver_batch_lookups */
};

/* Drivers whose subchannels libvirt lists as css devices. */
static const char *const css_listed_drivers[] = { "io_subchannel", "vfio_ccw", NULL };

bool
vccw_nodedev_css_driver_listed(const char *driver)
{
    return g_strv_contains(css_listed_drivers, driver);
}

VccwNodeDevDriver *
vccw_nodedev_driver_new(const VccwHost *host, GError **err)
{
    VccwNodeDevDriver *drv = g_new0(VccwNodeDevDriver, 1);

    drv->host = host;
    return drv;
}

void
vccw_nodedev_driver_free(VccwNodeDevDriver *drv)
{
    if (drv && drv->store_index)
        g_hash_table_unref(drv->store_index);
    g_free(drv);
}

bool
vccw_nodedev_driver_batch_lookups(VccwNodeDevDriver *drv, bool on, GError **err)
{
    g_clear_pointer(&drv->store_index, g_hash_table_unref);
    return !on || (drv->store_index = vccw_mdevctl_store_index(drv->host, err)) != NULL;
}

const VccwHost *
vccw_nodedev_driver_host(const VccwNodeDevDriver *drv)
{
    return drv->host;
}

void
vccw_nodedev_warn(GPtrArray *warnings, const char *fmt, ...)
{
    va_list ap;

    if (!warnings)
        return;
    va_start(ap, fmt);
    g_ptr_array_add(warnings, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

int
vccw_nodedev_open_dir(const VccwHost *host, VccwHostDir dir, const char *name, GError **err)
{
    g_autofree char *path = vccw_host_path(host, dir, name, NULL, err);
    int fd;

    if (!path)
        return -1;
    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vccw_error_set_errno(err, errno, "cannot open '%s'", path);
        return -1;
    }
    return fd;
}

void
vccw_nodedev_read_dir(int dfd, VccwNodeDevReadEntry read_entry, GPtrArray *out,
                      GPtrArray *warnings)
{
    DIR *dir = fdopendir(dfd);
    struct dirent *ent;

    if (!dir) {
        close(dfd);
        return;
    }
    while ((ent = readdir(dir))) {
        VccwNodeDevDef *def;

        if (ent->d_name[0] == '.')
            continue;
        if ((def = read_entry(dfd, ent->d_name, warnings)))
            g_ptr_array_add(out, def);
    }
    closedir(dir);
}

/* ---- css ------------------------------------------------------------ */

/* The subchannel directory is @dirfd/@prefix: its own fd and "", or
 * sys/bus/css/devices and "0.0.0052/" when listing (which saves an open
 * and a close per subchannel; see bench/README.md). */
#define CSS_PATH(buf, prefix, attr) \
    (snprintf((buf), sizeof(buf), "%s%s", (prefix), (attr)) < (int)sizeof(buf) ? (buf) : "")

/* readdir() without fdopendir()'s fcntl and fstat: getdents64() itself
 * (entries with d_ino 0 skipped, as glibc's readdir() does) */
typedef struct {
    int fd;
    ssize_t pos, len;
    union { struct dirent64 align; char buf[4096]; } u;
} DentScan;

static const struct dirent64 *
dent_next(DentScan *d)
{
    const struct dirent64 *ent;

    do {
        if (d->pos >= d->len) {
            d->len = getdents64(d->fd, d->u.buf, sizeof(d->u.buf));
            d->pos = 0;
            if (d->len <= 0)
                return NULL;
        }
        ent = (const struct dirent64 *)(const void *)(d->u.buf + d->pos);
        d->pos += ent->d_reclen;
    } while (ent->d_ino == 0);
    return ent;
}

/* The mdev types of a subchannel bound to vfio_ccw, into @types; with
 * @types NULL only counted (a name-only listing: a type counts when its
 * device_api and available_instances are good; its name is not read). */
static guint
scan_mdev_types(int dirfd, const char *prefix, const char *subch, GPtrArray *types,
                GPtrArray *warnings)
{
    guint count = 0;
    char path[NAME_MAX + 32];
    int tfd = openat(dirfd, CSS_PATH(path, prefix, "mdev_supported_types"),
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DentScan dir = { .fd = tfd };
    const struct dirent64 *ent;

    if (tfd < 0)
        return 0;
    while ((ent = dent_next(&dir))) {
        char name[256] = "", api[64], avail[32];
        g_autofree char *p_api = NULL, *p_avail = NULL, *p_name = NULL;
        unsigned long n;
        char *end;

        if (ent->d_name[0] == '.' || !vccw_path_component_is_safe(ent->d_name))
            continue;
        p_api = g_strdup_printf("%s/device_api", ent->d_name);
        p_avail = g_strdup_printf("%s/available_instances", ent->d_name);
        p_name = types ? g_strdup_printf("%s/name", ent->d_name) : NULL;
        if (vccw_sysfs_read_at(tfd, p_api, api, sizeof(api)) < 0 ||
            vccw_sysfs_read_at(tfd, p_avail, avail, sizeof(avail)) < 0) {
            vccw_nodedev_warn(warnings, "subchannel %s: mdev type '%s' lacks device_api or available_instances",
                 subch, ent->d_name);
            continue;
        }
        n = strtoul(avail, &end, 10);
        if (*avail == '\0' || *end != '\0' || n > G_MAXUINT) {
            vccw_nodedev_warn(warnings, "subchannel %s: mdev type '%s': bad available_instances '%s'",
                 subch, ent->d_name, avail);
            continue;
        }
        count++;
        if (!types)
            continue;
        vccw_sysfs_read_at(tfd, p_name, name, sizeof(name));   /* optional */
        g_ptr_array_add(types, vccw_mdev_type_new(ent->d_name, name[0] ? name : NULL,
                                                  api, (unsigned int)n));
    }
    close(tfd);
    return count;
}

static GPtrArray *
read_mdev_types(int dirfd, const char *prefix, const char *subch, GPtrArray *warnings)
{
    GPtrArray *types = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_type_free);

    scan_mdev_types(dirfd, prefix, subch, types, warnings);
    return types;
}

guint
vccw_nodedev_count_mdev_types(int dirfd, const char *prefix, const char *subch,
                              GPtrArray *warnings)
{
    return scan_mdev_types(dirfd, prefix, subch, NULL, warnings);
}

/* Fill a css device from the subchannel directory @dirfd/@prefix; NULL
 * when the subchannel is not one libvirt lists (other driver, unbound).
 * *driver_err: 0, or the -errno of reading the driver link. */
static VccwNodeDevDef *
read_css(const VccwCcwId *id, const char *subch, int dirfd, const char *prefix,
         bool want_types, GPtrArray *warnings, int *driver_err)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    char driver[256], busid[64], path[NAME_MAX + 32];
    VccwCcwId dev;
    ssize_t r;

    r = vccw_sysfs_link_base_at(dirfd, CSS_PATH(path, prefix, "driver"), driver, sizeof(driver));
    *driver_err = r < 0 ? (int)r : 0;
    if (r < 0 || !vccw_nodedev_css_driver_listed(driver))
        return NULL;
    def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CSS);
    def->id = *id;
    def->name = vccw_nodedev_name_css(id);
    def->parent = g_strdup("computer");
    def->driver = g_strdup(driver);
    def->sysfs_path = g_strconcat(vccw_host_dir_abs(VCCW_HOST_DIR_CSS_ROOT), "/", subch, NULL);
    if (vccw_sysfs_read_at(dirfd, CSS_PATH(path, prefix, "dev_busid"), busid, sizeof(busid)) < 0) {
        vccw_nodedev_warn(warnings, "subchannel %s: cannot read dev_busid", subch);
    } else if (!g_str_equal(busid, "none")) {
        if (vccw_ccw_id_parse(busid, &dev)) {
            def->has_channel_dev_addr = true;
            def->channel_dev_addr = dev;
        } else {
            vccw_nodedev_warn(warnings, "subchannel %s: bad dev_busid '%s'", subch, busid);
        }
    }
    if (want_types && g_str_equal(driver, "vfio_ccw"))
        g_ptr_array_extend_and_steal(def->mdev_types,
                                     read_mdev_types(dirfd, prefix, subch, warnings));
    return g_steal_pointer(&def);
}

/* The css devices, or with only_with_types those with mdev types. Those
 * are the vfio_ccw parents, so they are enumerated from the mdev parent
 * class (sys/class/mdev_bus), as mdevctl does: O(parents) instead of
 * O(subchannels); its entries that are no subchannel ids (PCI, vfio_ap's
 * matrix) belong to other drivers and are skipped silently, and a host
 * without the class has no mdev parents. */
static void
list_css(VccwNodeDevDriver *drv, unsigned int flags, GPtrArray *out,
         GPtrArray *warnings, bool want_all_caps)
{
    g_autoptr(GError) err = NULL;
    bool only_with_types = (flags & VCCW_LIST_CAP_MDEV_TYPES) && !(flags & VCCW_LIST_CAP_CSS_DEV);
    VccwHostDir from = only_with_types ? VCCW_HOST_DIR_MDEV_BUS_CLASS : VCCW_HOST_DIR_CSS_DEVICES;
    int dfd = vccw_nodedev_open_dir(drv->host, from, NULL, &err);
    DIR *dir;
    struct dirent *ent;

    if (dfd < 0) {
        if (!g_error_matches(err, VCCW_ERROR, VCCW_ERR_SYSTEM) || !strstr(err->message, "No such"))
            vccw_nodedev_warn(warnings, "%s", err->message);
        return;
    }
    if (!(dir = fdopendir(dfd))) {
        close(dfd);
        return;
    }
    while ((ent = readdir(dir))) {
        VccwCcwId id;
        int subfd, driver_err;
        char prefix[NAME_MAX + 2];
        VccwNodeDevDef *def;

        if (ent->d_name[0] == '.')
            continue;
        if (!vccw_ccw_id_parse(ent->d_name, &id)) {
            if (from == VCCW_HOST_DIR_CSS_DEVICES)
                vccw_nodedev_warn(warnings, "ignoring '%s' in %s: not a subchannel id", ent->d_name,
                     vccw_host_dir_abs(from));
            continue;
        }
        /* Paths through the bus link, no open of the subchannel itself;
         * only when its driver link cannot be read is it opened, to warn
         * about an entry that is no directory as before (dangling link). */
        snprintf(prefix, sizeof(prefix), "%s/", ent->d_name);
        def = read_css(&id, ent->d_name, dfd, prefix, true, warnings, &driver_err);
        if (!def && driver_err < 0) {
            if ((subfd = openat(dfd, ent->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                vccw_nodedev_warn(warnings, "subchannel %s: %s", ent->d_name, g_strerror(errno));
                continue;
            }
            close(subfd);
        }
        if (!def)
            continue;
        if (only_with_types && (!def->mdev_types || def->mdev_types->len == 0)) {
            vccw_nodedev_def_free(def);
            continue;
        }
        g_ptr_array_add(out, def);
    }
    closedir(dir);
    (void)want_all_caps;
}

/* ---- ccw -------------------------------------------------------------- */

/* libvirt's udevCCWGetState on the "online" attribute @dfd/@path: a
 * number (base 0, the whole text) 0 or 1 is that state, a larger one
 * leaves the state unknown (VCCW_CCW_STATE_LAST); an attribute that cannot
 * be read counts as 0, as udev's missing attribute does. Returns false for
 * a negative number or junk, which libvirt refuses. */
bool
vccw_nodedev_read_ccw_online(int dfd, const char *path, VccwCcwState *state)
{
    char buf[32];
    char *end;
    long v;

    *state = VCCW_CCW_STATE_OFFLINE;
    if (vccw_sysfs_read_at(dfd, path, buf, sizeof(buf)) < 0)
        return true;
    errno = 0;
    v = strtol(buf, &end, 0);
    if (errno || end == buf || *end || v < 0 || v > G_MAXINT)
        return false;
    if (v == 1)
        *state = VCCW_CCW_STATE_ONLINE;
    else if (v > 1)
        *state = VCCW_CCW_STATE_LAST;
    return true;
}

/* What decides that a ccw device is listed: a device number, its online
 * state (libvirt 9.0: "1" only; 11.3: any state, *@state set), and a link
 * into its subchannel (*@parent: that subchannel's bus id). Shared by the
 * object listing and the name-only one. */
bool
vccw_nodedev_probe_ccw(int dfd, const char *name, GPtrArray *warnings, VccwCcwId *id,
                       VccwCcwId *pid, char **parent, VccwCcwState *state)
{
    char online[16], link[PATH_MAX];
    g_autofree char *p_online = g_strdup_printf("%s/online", name);
    g_autofree char *parent_dir = NULL;
    g_autofree char *base = NULL;

    if (!vccw_ccw_id_parse(name, id)) {
        vccw_nodedev_warn(warnings, "ignoring '%s' in %s: not a device number", name,
             vccw_host_dir_abs(VCCW_HOST_DIR_CCW_DEVICES));
        return false;
    }
    if (vccw_conf_behaviour()->ccw_list_offline) {
        if (!vccw_nodedev_read_ccw_online(dfd, p_online, state)) {
            vccw_nodedev_warn(warnings, "ccw device %s: bad online value", name);
            return false;
        }
        /* libvirt reads a missing "online" as offline, but only of a
         * device udev reported; an entry that leads nowhere (a dangling
         * link, never made by a kernel) is no device. Checked only for
         * offline ones, so an online device costs no extra syscall. */
        if (*state == VCCW_CCW_STATE_OFFLINE && faccessat(dfd, name, F_OK, 0) < 0) {
            vccw_nodedev_warn(warnings, "ccw device %s: cannot read online", name);
            return false;
        }
    } else {
        /* 9.0 prints no <state> */
        *state = VCCW_CCW_STATE_LAST;
        if (vccw_sysfs_read_at(dfd, p_online, online, sizeof(online)) < 0) {
            vccw_nodedev_warn(warnings, "ccw device %s: cannot read online", name);
            return false;
        }
        if (!g_str_equal(online, "1"))
            return false;
    }
    /* ../../../devices/css0/0.0.0000/0.0.0005: the parent subchannel */
    if (vccw_sysfs_link_at(dfd, name, link, sizeof(link)) < 0) {
        vccw_nodedev_warn(warnings, "ccw device %s: not a link to its subchannel", name);
        return false;
    }
    parent_dir = g_path_get_dirname(link);
    base = g_path_get_basename(parent_dir);
    if (!vccw_ccw_id_parse(base, pid)) {
        vccw_nodedev_warn(warnings, "ccw device %s: parent '%s' is not a subchannel", name, base);
        return false;
    }
    *parent = g_steal_pointer(&base);
    return true;
}

static VccwNodeDevDef *
read_ccw(int dfd, const char *name, GPtrArray *warnings)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autofree char *parent = NULL;
    VccwCcwId id, pid;
    VccwCcwState state;

    if (!vccw_nodedev_probe_ccw(dfd, name, warnings, &id, &pid, &parent, &state))
        return NULL;
    def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CCW);
    def->id = id;
    def->ccw_state = state;
    def->name = vccw_nodedev_name_ccw(&id);
    def->parent = vccw_nodedev_name_css(&pid);
    def->sysfs_path = g_strconcat(vccw_host_dir_abs(VCCW_HOST_DIR_CSS_ROOT), "/", parent, "/",
                                  name, NULL);
    {
        char driver[256];
        g_autofree char *p_drv = g_strdup_printf("%s/driver", name);
        if (vccw_sysfs_link_base_at(dfd, p_drv, driver, sizeof(driver)) >= 0)
            def->driver = g_strdup(driver);
    }
    vccw_nodedev_ccw_read_group(dfd, name, def);   /* libvirt 11.1+: ccwgroup_member */
    return g_steal_pointer(&def);
}

static void
list_ccw(VccwNodeDevDriver *drv, GPtrArray *out, GPtrArray *warnings)
{
    int dfd = vccw_nodedev_open_dir(drv->host, VCCW_HOST_DIR_CCW_DEVICES, NULL, NULL);

    if (dfd >= 0)
        vccw_nodedev_read_dir(dfd, read_ccw, out, warnings);
}

/* ---- mdev --------------------------------------------------------------- */

/* What decides that an active mdev is listed: a UUID for a name, a link
 * into a subchannel (@parent: its bus id), an mdev_type link (@type: its
 * last component). Shared by the object listing and the name-only one. */
bool
vccw_nodedev_probe_active_mdev(int dfd, const char *name, GPtrArray *warnings,
                               unsigned char *uuid, VccwCcwId *pid, char *parent,
                               size_t parent_size, char *type, size_t type_size)
{
    char link[PATH_MAX], path[NAME_MAX + 16];
    const char *base;
    char *slash;

    if (!vccw_uuid_is_canonical(name) || !vccw_uuid_parse(name, uuid)) {
        vccw_nodedev_warn(warnings, "ignoring '%s' in %s: not a UUID", name,
             vccw_host_dir_abs(VCCW_HOST_DIR_MDEV_DEVICES));
        return false;
    }
    if (vccw_sysfs_link_at(dfd, name, link, sizeof(link)) < 0) {
        vccw_nodedev_warn(warnings, "mdev %s: not a link to its device", name);
        return false;
    }
    /* the parent is the link target's second-last component
     * (".../css0/0.0.0004/<uuid>"), cut out in place */
    base = "";
    if ((slash = strrchr(link, '/'))) {
        *slash = '\0';
        base = (slash = strrchr(link, '/')) ? slash + 1 : link;
    }
    if (!vccw_ccw_id_parse(base, pid)) {
        /* not a vfio-ccw mdev (another bus): not ours to list */
        return false;
    }
    g_strlcpy(parent, base, parent_size);   /* a bus id: short */
    snprintf(path, sizeof(path), "%s/mdev_type", name);
    if (vccw_sysfs_link_base_at(dfd, path, type, type_size) < 0) {
        vccw_nodedev_warn(warnings, "mdev %s: no mdev_type link", name);
        return false;
    }
    return true;
}

static VccwNodeDevDef *
read_active_mdev(int dfd, const char *name, GPtrArray *warnings)
{
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_MDEV);
    char type[256], group[32], path[NAME_MAX + 16], parent[32];
    char *end;
    VccwCcwId pid;
    long g;

    if (!vccw_nodedev_probe_active_mdev(dfd, name, warnings, def->uuid, &pid, parent,
                                        sizeof(parent), type, sizeof(type)))
        return NULL;
    def->has_uuid = true;
    def->iommu_group = -1;
    snprintf(path, sizeof(path), "%s/iommu_group", name);
    if (vccw_sysfs_link_base_at(dfd, path, group, sizeof(group)) >= 0) {
        g = strtol(group, &end, 10);
        if (*end == '\0' && g >= 0 && g <= G_MAXINT)
            def->iommu_group = (int)g;
    }
    def->mdev_type = g_strdup(type);
    def->parent_addr = g_strdup(parent);
    def->parent = vccw_nodedev_name_css(&pid);
    def->name = vccw_nodedev_name_mdev(def->uuid, parent);
    def->sysfs_path = g_strconcat(vccw_host_dir_abs(VCCW_HOST_DIR_CSS_ROOT), "/", parent, "/",
                                  name, NULL);
    def->driver = g_strdup("vfio_ccw_mdev");
    def->active = true;
    return g_steal_pointer(&def);
}

static VccwNodeDevDef *
mdev_from_store(const VccwMdevctlDef *m)
{
    VccwNodeDevDef *def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_MDEV);
    VccwCcwId pid;

    memcpy(def->uuid, m->uuid, VCCW_UUID_BUFLEN);
    def->has_uuid = true;
    def->mdev_type = g_strdup(m->mdev_type);
    def->parent_addr = g_strdup(m->parent);
    if (vccw_ccw_id_parse(m->parent, &pid))
        def->parent = vccw_nodedev_name_css(&pid);
    def->name = vccw_nodedev_name_mdev(m->uuid, m->parent);
    def->iommu_group = -1;
    def->start = m->start;
    def->persistent = true;
    for (guint i = 0; m->attrs && i < m->attrs->len; i++) {
        const VccwMdevAttr *a = g_ptr_array_index(m->attrs, i);
        VccwMdevAttr *copy = g_new0(VccwMdevAttr, 1);
        copy->name = g_strdup(a->name);
        copy->value = g_strdup(a->value);
        g_ptr_array_add(def->attrs, copy);
    }
    return def;
}

/* Add the definitions of the store to @out: into the active mdev of the
 * same name (@by_name) or as inactive ones. */
static void
merge_definitions(GPtrArray *out, GHashTable *by_name, GPtrArray *defined)
{
    for (guint i = 0; i < defined->len; i++) {
        const VccwMdevctlDef *m = g_ptr_array_index(defined, i);
        g_autoptr(VccwNodeDevDef) def = mdev_from_store(m);
        VccwNodeDevDef *active = g_hash_table_lookup(by_name, def->name);

        if (active) {
            active->persistent = true;
            active->start = def->start;
            if (g_strcmp0(active->mdev_type, def->mdev_type) != 0)
                active->defined_mdev_type = g_steal_pointer(&def->mdev_type);
            g_ptr_array_extend_and_steal(active->attrs, g_steal_pointer(&def->attrs));
            def->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_attr_free);
            continue;
        }
        g_ptr_array_add(out, g_steal_pointer(&def));
    }
}

/* Active mdevs from sysfs merged with the definitions of the store. */
GPtrArray *
vccw_nodedev_list_mdevs(VccwNodeDevDriver *drv, GPtrArray *warnings)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);
    g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) defined = NULL;
    int dfd = vccw_nodedev_open_dir(drv->host, VCCW_HOST_DIR_MDEV_DEVICES, NULL, NULL);

    if (dfd >= 0)
        vccw_nodedev_read_dir(dfd, read_active_mdev, out, warnings);
    for (guint i = 0; i < out->len; i++) {
        VccwNodeDevDef *def = g_ptr_array_index(out, i);

        g_hash_table_insert(by_name, def->name, def);
    }
    if (!(defined = vccw_mdevctl_store_list(drv->host, warnings, &err))) {
        vccw_nodedev_warn(warnings, "%s", err->message);
        return out;
    }
    merge_definitions(out, by_name, defined);
    return out;
}

/* The entries of one UUID (under @parent_addr, or any) without listing
 * every mdev: its sysfs entry, if any, and its definitions. NULL when the
 * store holds a file of that UUID that cannot be read or parsed: the
 * caller then lists them all, which skips such a file with a warning. */
static GPtrArray *
mdevs_of_uuid(VccwNodeDevDriver *drv, const unsigned char *uuid, const char *parent_addr,
              GPtrArray *warnings)
{
    g_autoptr(GPtrArray) defined = drv->store_index
        ? vccw_mdevctl_store_find_indexed(drv->host, drv->store_index, uuid, parent_addr, NULL)
        : vccw_mdevctl_store_find(drv->host, uuid, parent_addr, NULL);
    g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *out;
    char str[VCCW_UUID_STRING_BUFLEN];
    struct stat st;
    int dfd;

    if (!defined)
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);
    vccw_uuid_format(uuid, str);
    if ((dfd = vccw_nodedev_open_dir(drv->host, VCCW_HOST_DIR_MDEV_DEVICES, NULL, NULL)) >= 0) {
        VccwNodeDevDef *def;

        if (fstatat(dfd, str, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            (def = read_active_mdev(dfd, str, warnings))) {
            g_ptr_array_add(out, def);
            g_hash_table_insert(by_name, def->name, def);
        }
        close(dfd);
    }
    merge_definitions(out, by_name, defined);
    return out;
}

GPtrArray *
vccw_nodedev_list_mdevs_of_uuid(VccwNodeDevDriver *drv, const unsigned char *uuid,
                                GPtrArray *warnings)
{
    return mdevs_of_uuid(drv, uuid, NULL, warnings);
}

/* ---- the list ----------------------------------------------------------- */

static VccwNodeDevDef *
computer_def(void)
{
    VccwNodeDevDef *def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_SYSTEM);

    def->name = g_strdup("computer");
    return def;
}

static gint
compare_defs(gconstpointer a, gconstpointer b)
{
    return strcmp((*(VccwNodeDevDef *const *)a)->name, (*(VccwNodeDevDef *const *)b)->name);
}

GPtrArray *
vccw_nodedev_list(VccwNodeDevDriver *drv, unsigned int flags, GPtrArray *warnings,
                  GError **err)
{
    const unsigned int caps = VCCW_LIST_CAPS_S390;
    unsigned int want = flags & caps;
    unsigned int other_caps = flags & 0x0fffffffu & ~caps;
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);

    if (want == 0 && other_caps)
        return out;   /* only capabilities s390 does not have were asked for */
    if (want == 0)
        want = caps;
    if (want & VCCW_LIST_CAP_SYSTEM)
        g_ptr_array_add(all, computer_def());
    if (want & (VCCW_LIST_CAP_CSS_DEV | VCCW_LIST_CAP_MDEV_TYPES))
        list_css(drv, want, all, warnings, true);
    if (want & (VCCW_LIST_CAP_CCW_DEV | VCCW_LIST_CAP_CCWGROUP_MEMBER))
        list_ccw(drv, all, warnings);
    if (want & VCCW_LIST_CAP_CCWGROUP_DEV)
        vccw_nodedev_list_ccwgroups(drv, all, warnings);
    if (want & VCCW_LIST_CAP_MDEV) {
        g_autoptr(GPtrArray) mdevs = vccw_nodedev_list_mdevs(drv, warnings);
        g_ptr_array_extend_and_steal(all, g_steal_pointer(&mdevs));
    }
    for (guint i = 0; i < all->len; i++) {
        VccwNodeDevDef *def = g_ptr_array_index(all, i);
        if (vccw_nodedev_cap_matches(def, want) && vccw_nodedev_state_matches(def, flags)) {
            g_ptr_array_add(out, def);
            all->pdata[i] = NULL;
        }
    }
    g_ptr_array_sort(out, compare_defs);
    (void)err;
    return out;
}

/* ---- lookup --------------------------------------------------------------- */

static void
not_found(GError **err, const char *name)
{
    vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'", name);
}

/* @warnings: what is wrong with its attributes (dev_busid, mdev types),
 * or NULL */
static VccwNodeDevDef *
lookup_css(VccwNodeDevDriver *drv, const VccwCcwId *id, bool require_listed,
           GPtrArray *warnings, GError **err)
{
    g_autofree char *subch = vccw_ccw_id_format(id);
    g_autofree char *name = vccw_nodedev_name_css(id);
    int subfd = vccw_nodedev_open_dir(drv->host, VCCW_HOST_DIR_CSS_DEVICES, subch, NULL);
    VccwNodeDevDef *def;
    int driver_err;

    if (subfd < 0) {
        not_found(err, name);
        return NULL;
    }
    def = read_css(id, subch, subfd, "", true, warnings, &driver_err);
    if (!def && !require_listed) {
        /* unbound or on another driver: still a subchannel we can name */
        char driver[256];
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CSS);
        def->id = *id;
        def->name = g_strdup(name);
        def->parent = g_strdup("computer");
        def->sysfs_path = g_strdup_printf("%s/%s", vccw_host_dir_abs(VCCW_HOST_DIR_CSS_ROOT), subch);
        if (vccw_sysfs_link_base_at(subfd, "driver", driver, sizeof(driver)) >= 0)
            def->driver = g_strdup(driver);
    }
    close(subfd);
    if (!def)
        not_found(err, name);
    return def;
}

VccwNodeDevDef *
vccw_nodedev_lookup_css(VccwNodeDevDriver *drv, const VccwCcwId *id, bool require_listed,
                        GError **err)
{
    return lookup_css(drv, id, require_listed, NULL, err);
}

/* Listings read names only (node_device_list_names.c), so what is wrong
 * with a subchannel's attributes is said where they are read and shown:
 * here, for nodedev-dumpxml. Other names have nothing beyond "not found". */
VccwNodeDevDef *
vccw_nodedev_lookup_warn(VccwNodeDevDriver *drv, const char *name, GPtrArray *warnings,
                         GError **err)
{
    VccwCcwId id;

    if (name && vccw_nodedev_parse_bus_name(name, "css_", &id))
        return lookup_css(drv, &id, true, warnings, err);
    return vccw_nodedev_lookup(drv, name, err);
}

/* The mdev @uuid (under @parent_addr, or any; an active one wins over a
 * definition under another parent), or NULL. Reads that one mdev only. */
static VccwNodeDevDef *
find_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid, const char *parent_addr)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) mdevs = mdevs_of_uuid(drv, uuid, parent_addr, warnings);
    VccwNodeDevDef *found = NULL;
    guint found_idx = 0;

    if (!mdevs)
        mdevs = vccw_nodedev_list_mdevs(drv, warnings);
    for (guint i = 0; i < mdevs->len; i++) {
        VccwNodeDevDef *def = g_ptr_array_index(mdevs, i);
        if (memcmp(def->uuid, uuid, VCCW_UUID_BUFLEN) != 0)
            continue;
        if (parent_addr && g_strcmp0(def->parent_addr, parent_addr) != 0)
            continue;
        if (!found || (def->active && !found->active)) {
            found = def;
            found_idx = i;
        }
    }
    if (found)
        mdevs->pdata[found_idx] = NULL;
    return found;
}

VccwNodeDevDef *
vccw_nodedev_lookup(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwCcwId id;

    if (!name) {
        not_found(err, "(null)");
        return NULL;
    }
    if (g_str_equal(name, "computer"))
        return computer_def();
    if (vccw_nodedev_parse_bus_name(name, "css_", &id))
        return vccw_nodedev_lookup_css(drv, &id, true, err);
    if (vccw_nodedev_parse_bus_name(name, "ccwgroup_", &id))
        return vccw_nodedev_lookup_ccwgroup(drv, &id, name, err);
    if (vccw_nodedev_parse_bus_name(name, "ccw_", &id)) {
        g_autofree char *dev = vccw_ccw_id_format(&id);
        g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
        int dfd = vccw_nodedev_open_dir(drv->host, VCCW_HOST_DIR_CCW_DEVICES, NULL, NULL);
        VccwNodeDevDef *def = dfd >= 0 ? read_ccw(dfd, dev, warnings) : NULL;
        if (dfd >= 0)
            close(dfd);
        if (!def)
            not_found(err, name);
        return def;
    }
    if (g_str_has_prefix(name, "mdev_")) {
        unsigned char uuid[VCCW_UUID_BUFLEN];
        g_autofree char *parent = NULL;
        VccwNodeDevDef *def;

        if (vccw_nodedev_parse_mdev_name(name, uuid, &parent)) {
            def = find_mdev(drv, uuid, parent);
            if (def && g_str_equal(def->name, name))
                return def;
            vccw_nodedev_def_free(def);
        } else {
            g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
            g_autoptr(GPtrArray) mdevs = vccw_nodedev_list_mdevs(drv, warnings);

            for (guint i = 0; i < mdevs->len; i++) {
                def = g_ptr_array_index(mdevs, i);
                if (g_str_equal(def->name, name)) {
                    mdevs->pdata[i] = NULL;
                    return def;
                }
            }
        }
    }
    not_found(err, name);
    return NULL;
}

VccwNodeDevDef *
vccw_nodedev_lookup_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                         const char *parent_addr, GError **err)
{
    VccwNodeDevDef *found = find_mdev(drv, uuid, parent_addr);
    char str[VCCW_UUID_STRING_BUFLEN];

    if (!found) {
        vccw_uuid_format(uuid, str);
        vccw_error_set(err, VCCW_ERR_NO_DEVICE, "mediated device '%s' not found", str);
    }
    return found;
}

