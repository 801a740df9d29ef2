/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: ccwgroup node devices (libvirt 11.1+), read from sysfs under
 * the host root.
 *
 * A ccwgroup device is a network device made of grouped ccw devices
 * (qeth: read, write and data device; lcs and ctcm: two). The kernel
 * shows it as sys/bus/ccwgroup/devices/<first member> -> ../../../devices/
 * <driver's root>/<first member>, with links cdev0, cdev1, ... to its
 * members, whose own "group_device" link points back (drivers/s390/cio/
 * ccwgroup.c). libvirt 11.1+ lists a group only when its udev DEVTYPE is a
 * qeth one (qeth_generic, qeth_layer2, qeth_layer3): lcs and ctcm groups
 * (DEVTYPE lcs, ctcm) are no node devices, although their members carry
 * ccwgroup_member. We
 * read what libvirt's udev backend reads: DEVTYPE and DRIVER from the
 * device's uevent file, "online", qeth's card_type and chpid, the cdevN
 * links in the order the directory lists them (libvirt keeps that order,
 * so the same host gives the same XML).
 */
#include "node_device_ccw.h"
#include "vccw_sysfs.h"
#include "vccw_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libvirt's node-device name of a sysfs directory: PREFIX_ + its base
 * name with every non-alphanumeric as '_' (virCCWGroupDeviceDevNodeName). */
static char *
devnode_name(const char *prefix, const char *base)
{
    char *name = g_strconcat(prefix, "_", base, NULL);

    for (char *p = name + strlen(prefix) + 1; *p; p++) {
        if (!g_ascii_isalnum(*p))
            *p = '_';
    }
    return name;
}

/* The link @dirfd/@link exists and leads to something that exists. */
static bool
link_resolves(int dirfd, const char *link)
{
    return faccessat(dirfd, link, F_OK, 0) == 0;
}

/* The ccw drivers of the group drivers: ccwgroup_create_dev() groups only
 * devices bound to its driver's ccw driver, so no other device can have a
 * group_device link, and listings skip the look for it (a FUSE round trip
 * per device on the simulated host). */
static const char *const group_ccw_drivers[] = { "qeth", "lcs", "ctcm", "claw", NULL };

void
vccw_nodedev_ccw_read_group(int dfd, const char *name, VccwNodeDevDef *def)
{
    char base[NAME_MAX + 1];
    char path[NAME_MAX + 32];

    g_clear_pointer(&def->group_device, g_free);
    if (!def->driver || !g_strv_contains(group_ccw_drivers, def->driver))
        return;
    if (snprintf(path, sizeof(path), "%s/group_device", name) >= (int)sizeof(path))
        return;
    if (vccw_sysfs_link_base_at(dfd, path, base, sizeof(base)) < 0 || !link_resolves(dfd, path))
        return;
    def->group_device = devnode_name("ccwgroup", base);
}

/* "/sys/bus/ccwgroup/devices" + "../../../devices/qeth/0.0.bd00" ->
 * "/sys/devices/qeth/0.0.bd00": the path udev (and libvirt) names. */
static char *
resolve_link_path(const char *dir, const char *target)
{
    g_auto(GStrv) parts = NULL;
    g_autoptr(GPtrArray) stack = g_ptr_array_new();
    g_autofree char *joined = NULL;
    GString *out;

    if (target[0] == '/')
        return g_strdup(target);
    joined = g_strconcat(dir, "/", target, NULL);
    parts = g_strsplit(joined, "/", -1);
    for (size_t i = 0; parts[i]; i++) {
        if (!*parts[i] || g_str_equal(parts[i], "."))
            continue;
        if (g_str_equal(parts[i], "..")) {
            if (stack->len)
                g_ptr_array_remove_index(stack, stack->len - 1);
            continue;
        }
        g_ptr_array_add(stack, parts[i]);
    }
    out = g_string_new(NULL);
    for (guint i = 0; i < stack->len; i++)
        g_string_append_printf(out, "/%s", (const char *)g_ptr_array_index(stack, i));
    return g_string_free(out, FALSE);
}

/* KEY=VALUE of a uevent file's content, NULL when absent. */
static char *
uevent_value(const char *uevent, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(uevent, "\n", -1);
    size_t klen = strlen(key);

    for (size_t i = 0; lines[i]; i++) {
        if (strncmp(lines[i], key, klen) == 0 && lines[i][klen] == '=')
            return g_strdup(lines[i] + klen + 1);
    }
    return NULL;
}

/* libvirt ignores udevCCWGetState's failure for a group: junk or a
 * negative number leaves the group's zeroed state, offline. */
static VccwCcwState
read_state(int gfd)
{
    VccwCcwState state;

    if (!vccw_nodedev_read_ccw_online(gfd, "online", &state))
        return VCCW_CCW_STATE_OFFLINE;
    return state;
}

/* A text attribute as libvirt's udevGetStringSysfsAttr: NULL when
 * missing or empty, control characters dropped. */
static char *
read_text(int gfd, const char *attr)
{
    char buf[256];
    GString *out;

    if (vccw_sysfs_read_at(gfd, attr, buf, sizeof(buf)) < 0 || !buf[0])
        return NULL;
    out = g_string_new(NULL);
    for (const char *p = buf; *p; p++) {
        if (!g_ascii_iscntrl(*p))
            g_string_append_c(out, *p);
    }
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

/* The cdevN links of the group directory @gfd, in listing order. */
static bool
read_members(int gfd, GPtrArray *members)
{
    int fd = openat(gfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir;
    struct dirent *ent;

    if (fd < 0)
        return false;
    if (!(dir = fdopendir(fd))) {
        close(fd);
        return false;
    }
    while ((ent = readdir(dir))) {
        char base[NAME_MAX + 1];
        g_autofree char *device = NULL;

        if (!g_str_has_prefix(ent->d_name, "cdev"))
            continue;
        if (vccw_sysfs_link_base_at(gfd, ent->d_name, base, sizeof(base)) < 0 ||
            !link_resolves(gfd, ent->d_name))
            continue;
        device = devnode_name("ccw", base);
        g_ptr_array_add(members, vccw_ccwgroup_member_new(ent->d_name, device));
    }
    closedir(dir);
    return members->len > 0;
}

/* The group @name of the bus directory @dfd; NULL when libvirt would not
 * list it (no qeth device type, no members) or it cannot be read. */
static VccwNodeDevDef *
read_group(int dfd, const char *name, GPtrArray *warnings)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autofree char *devtype = NULL;
    g_autofree char *driver = NULL;
    char uevent[VCCW_SYSFS_ATTR_MAX], link[PATH_MAX];
    int type, gfd;
    VccwCcwId id;

    if (!vccw_ccw_id_parse(name, &id)) {
        vccw_nodedev_warn(warnings, "ignoring '%s' in %s: not a device number", name,
             vccw_host_dir_abs(VCCW_HOST_DIR_CCWGROUP_DEVICES));
        return NULL;
    }
    if (vccw_sysfs_link_at(dfd, name, link, sizeof(link)) < 0) {
        vccw_nodedev_warn(warnings, "ccwgroup device %s: not a link to its device", name);
        return NULL;
    }
    if ((gfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vccw_nodedev_warn(warnings, "ccwgroup device %s: %s", name, g_strerror(errno));
        return NULL;
    }
    if (vccw_sysfs_read_at(gfd, "uevent", uevent, sizeof(uevent)) < 0)
        uevent[0] = '\0';
    devtype = uevent_value(uevent, "DEVTYPE");
    /* lcs, ctcm (DEVTYPE lcs, ctcm): libvirt does not know them */
    if (!devtype || (type = vccw_ccwgroup_type_from_string(devtype)) < 0) {
        close(gfd);
        return NULL;
    }
    def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CCWGROUP);
    if (!read_members(gfd, def->members)) {
        /* libvirt: "Groups without a member must not exist" */
        vccw_nodedev_warn(warnings, "ccwgroup device %s: no member devices", name);
        close(gfd);
        return NULL;
    }
    def->id = id;
    def->name = devnode_name("ccwgroup", name);
    def->sysfs_path = resolve_link_path(vccw_host_dir_abs(VCCW_HOST_DIR_CCWGROUP_DEVICES), link);
    def->parent = g_strdup("computer");
    if ((driver = uevent_value(uevent, "DRIVER")) && *driver)
        def->driver = g_steal_pointer(&driver);
    def->group_type = (VccwCcwGroupType)type;
    def->ccw_state = read_state(gfd);
    def->card_type = read_text(gfd, "card_type");
    def->chpid = read_text(gfd, "chpid");
    close(gfd);
    return g_steal_pointer(&def);
}

void
vccw_nodedev_list_ccwgroups(VccwNodeDevDriver *drv, GPtrArray *out, GPtrArray *warnings)
{
    int dfd = vccw_nodedev_open_dir(vccw_nodedev_driver_host(drv),
                                    VCCW_HOST_DIR_CCWGROUP_DEVICES, NULL, NULL);

    /* no ccwgroup bus (no qeth/lcs/ctcm module loaded): no groups */
    if (dfd >= 0)
        vccw_nodedev_read_dir(dfd, read_group, out, warnings);
}

VccwNodeDevDef *
vccw_nodedev_lookup_ccwgroup(VccwNodeDevDriver *drv, const VccwCcwId *id, const char *name,
                             GError **err)
{
    g_autofree char *bus_id = vccw_ccw_id_format(id);
    VccwNodeDevDef *def = NULL;
    int dfd = vccw_nodedev_open_dir(vccw_nodedev_driver_host(drv),
                                    VCCW_HOST_DIR_CCWGROUP_DEVICES, NULL, NULL);

    if (dfd >= 0) {
        def = read_group(dfd, bus_id, NULL);
        close(dfd);
    }
    if (def && !g_str_equal(def->name, name))
        g_clear_pointer(&def, vccw_nodedev_def_free);
    if (!def)
        vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'",
                       name);
    return def;
}
