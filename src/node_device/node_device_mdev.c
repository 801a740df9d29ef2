/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: mediated device lifecycle on vfio_ccw subchannels.
 *
 * Before creating, the parent, its type and its available instances are
 * checked (mdevctl only finds out from the kernel's errno). After writing
 * to `create` we wait, bounded, for the device to appear. Destroy checks
 * "in use" first, as libvirt does, by opening /dev/vfio/<group>: EBUSY
 * means a user (QEMU) holds it. The kernel's remove blocks while a user
 * holds the device; we never wait on it unbounded.
 */
#include "node_device_ccw.h"
#include "vccw_mdev.h"
#include "vccw_sysfs.h"
#include "node_device_update.h"
#include "mdevctl_store.h"
#include "vccw_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define VFIO_CCW "vfio_ccw"
#define VFIO_CCW_TYPE "vfio_ccw-io"

/* The parent subchannel of @parent_name (css_...), bound to vfio_ccw and
 * offering @type with an instance left. */
static bool
check_parent(VccwNodeDevDriver *drv, const char *parent_name, const char *type,
             bool need_instance, char **parent_addr, GError **err)
{
    g_autoptr(GError) lookup_err = NULL;
    g_autoptr(VccwNodeDevDef) parent = NULL;
    g_autofree char *addr = NULL;
    const VccwMdevType *t = NULL;

    if (!parent_name) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "missing parent device");
        return false;
    }
    if (!(parent = vccw_nodedev_lookup(drv, parent_name, &lookup_err)) ||
        parent->type != VCCW_NODEDEV_CAP_CSS) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "invalid parent device '%s'", parent_name);
        return false;
    }
    addr = vccw_ccw_id_format(&parent->id);
    /* A definition may come before the binding (driverctl binds at boot,
     * then autostart runs): an I/O subchannel not yet on vfio_ccw can
     * only ever offer vfio_ccw's one type. */
    if (!need_instance && g_strcmp0(parent->driver, VFIO_CCW) != 0) {
        if (!g_str_equal(type, VFIO_CCW_TYPE)) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "Parent %s does not support mdev type %s", addr, type);
            return false;
        }
        *parent_addr = g_steal_pointer(&addr);
        return true;
    }
    if (g_strcmp0(parent->driver, VFIO_CCW) != 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "Parent %s is not currently registered for mdev support (bind it to vfio_ccw: virtccw nodedev-detach %s)",
                       addr, parent_name);
        return false;
    }
    for (guint i = 0; parent->mdev_types && i < parent->mdev_types->len; i++) {
        const VccwMdevType *cand = g_ptr_array_index(parent->mdev_types, i);
        if (g_str_equal(cand->id, type))
            t = cand;
    }
    if (!t) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Parent %s does not support mdev type %s", addr, type);
        return false;
    }
    if (need_instance && t->available == 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "No available instances of %s on %s", type, addr);
        return false;
    }
    *parent_addr = g_steal_pointer(&addr);
    return true;
}

/* Create the mdev, set its attributes, and remove it again should one
 * of them fail: on failure nothing is left behind. */
static bool
mdev_start(VccwNodeDevDriver *drv, const char *parent_addr, const char *type,
           const unsigned char *uuid, GPtrArray *attrs, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    char str[VCCW_UUID_STRING_BUFLEN];

    vccw_uuid_format(uuid, str);
    if (!vccw_mdev_create(host, parent_addr, type, str, err))
        return false;
    for (guint i = 0; attrs && i < attrs->len; i++) {
        const VccwMdevAttr *a = g_ptr_array_index(attrs, i);
        g_autoptr(GError) e = NULL;   /* ours: a caller may pass no error */
        g_autoptr(GError) undo_err = NULL;

        if (vccw_mdev_set_attr(host, str, a->name, a->value, &e))
            continue;
        /* undo the creation; the first error is the one reported */
        if (!vccw_mdev_remove(host, str, str, &undo_err))
            vccw_error_append(&e, "; removing the device again failed too: %s",
                              undo_err->message);
        g_propagate_error(err, g_steal_pointer(&e));
        return false;
    }
    return true;
}

VccwNodeDevDef *
vccw_nodedev_create_xml(VccwNodeDevDriver *drv, const char *xml, size_t len, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_def_parse(xml, len, NULL,
                                                           VCCW_NODEDEV_PARSE_CREATE, err);
    g_autofree char *parent_addr = NULL;

    if (!def)
        return NULL;
    if (!check_parent(drv, def->parent, def->mdev_type, true, &parent_addr, err))
        return NULL;
    if (!def->has_uuid) {
        g_autofree char *u = g_uuid_string_random();
        vccw_uuid_parse(u, def->uuid);
        def->has_uuid = true;
    }
    if (!mdev_start(drv, parent_addr, def->mdev_type, def->uuid, def->attrs, err))
        return NULL;
    return vccw_nodedev_lookup_mdev(drv, def->uuid, parent_addr, err);
}

/* The mdevctl definition of @def (type, start, attrs) under @parent_addr. */
static VccwMdevctlDef *
mdevctl_def_of(const VccwNodeDevDef *def, const char *parent_addr)
{
    VccwMdevctlDef *m = vccw_mdevctl_def_new();

    m->parent = g_strdup(parent_addr);
    memcpy(m->uuid, def->uuid, VCCW_UUID_BUFLEN);
    m->mdev_type = g_strdup(def->mdev_type);
    m->start = def->start;
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *a = g_ptr_array_index(def->attrs, i);
        vccw_mdevctl_def_add_attr(m, a->name, a->value);
    }
    return m;
}

VccwNodeDevDef *
vccw_nodedev_define_xml(VccwNodeDevDriver *drv, const char *xml, size_t len, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_def_parse(xml, len, NULL,
                                                           VCCW_NODEDEV_PARSE_DEFINE, err);
    g_autoptr(VccwMdevctlDef) m = NULL;
    g_autoptr(GPtrArray) existing = NULL;
    g_autofree char *parent_addr = NULL;

    if (!def)
        return NULL;
    /* unlike mdevctl, refuse definitions that could never start */
    if (!check_parent(drv, def->parent, def->mdev_type, false, &parent_addr, err))
        return NULL;
    if (!def->has_uuid) {
        g_autofree char *u = g_uuid_string_random();
        vccw_uuid_parse(u, def->uuid);
        def->has_uuid = true;
    }
    if (!(existing = vccw_mdevctl_store_find(host, def->uuid, parent_addr, err)))
        return NULL;
    /* Already defined with this UUID and parent: libvirt 10.1+ updates the
     * definition (`mdevctl modify --defined`, which replaces type, start
     * and attrs); 9.0 said "Device ... already defined". Writing the same
     * file either way is what both do to the store. */
    m = mdevctl_def_of(def, parent_addr);
    if (!vccw_mdevctl_store_write(host, m, err))
        return NULL;
    return vccw_nodedev_lookup_mdev(drv, def->uuid, parent_addr, err);
}

bool
vccw_nodedev_update(VccwNodeDevDriver *drv, const char *name, const char *xml, size_t len,
                    unsigned int flags, GError **err)
{
    g_autoptr(VccwNodeDevDef) cur = vccw_nodedev_lookup(drv, name, err);
    g_autoptr(VccwNodeDevDef) new_def = NULL;
    g_autoptr(VccwMdevctlDef) m = NULL;

    if (!cur)
        return false;
    if (!(new_def = vccw_nodedev_update_prepare(drv, cur, xml, len, &flags, err)))
        return false;
    if (flags & VCCW_UPDATE_AFFECT_LIVE)
        return vccw_nodedev_update_live(cur, new_def, flags, err);
    /* `mdevctl modify --defined --jsonfile`: the document replaces the
     * definition's type, start and attrs */
    m = mdevctl_def_of(new_def, cur->parent_addr);
    return vccw_mdevctl_store_write(vccw_nodedev_driver_host(drv), m, err);
}

static VccwNodeDevDef *
lookup_mdev_by_name(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *def = vccw_nodedev_lookup(drv, name, err);

    if (def && def->type != VCCW_NODEDEV_CAP_MDEV) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "device '%s' is not a mediated device", name);
        vccw_nodedev_def_free(def);
        return NULL;
    }
    return def;
}

/* Is the mdev's VFIO group held open by someone (QEMU)? */
static bool
mdev_in_use(const VccwHost *host, const VccwNodeDevDef *def, GError **err)
{
    g_autofree char *group = NULL;
    g_autofree char *path = NULL;
    int fd;

    if (def->iommu_group < 0)
        return false;
    group = g_strdup_printf("%d", def->iommu_group);
    if (!(path = vccw_host_path(host, VCCW_HOST_DIR_VFIO_DEV, group, NULL, err)))
        return true;
    if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0) {
        if (errno == EBUSY) {
            vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                           "Unable to destroy '%s': device in use", def->name);
            return true;
        }
        return false;   /* no group node: nobody can hold it */
    }
    close(fd);
    return false;
}

/* Remove the active mdev @def (named @name in messages) unless in use. */
static bool
destroy_def(VccwNodeDevDriver *drv, const VccwNodeDevDef *def, const char *name, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    char str[VCCW_UUID_STRING_BUFLEN];

    if (mdev_in_use(host, def, err))
        return false;
    vccw_uuid_format(def->uuid, str);
    return vccw_mdev_remove(host, str, name, err);
}

bool
vccw_nodedev_destroy(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = lookup_mdev_by_name(drv, name, err);

    if (!def)
        return false;
    if (!def->active) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Device '%s' is not active", name);
        return false;
    }
    return destroy_def(drv, def, name, err);
}

bool
vccw_nodedev_stop_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                       const char *parent_addr, bool *changed, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_lookup_mdev(drv, uuid, parent_addr, NULL);

    *changed = false;
    if (!def || !def->active)
        return true;   /* already gone */
    if (!destroy_def(drv, def, def->name, err))
        return false;
    *changed = true;
    return true;
}

bool
vccw_nodedev_undefine(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = lookup_mdev_by_name(drv, name, err);

    if (!def)
        return false;
    if (!def->persistent) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Node device '%s' is not defined", name);
        return false;
    }
    return vccw_mdevctl_store_remove(vccw_nodedev_driver_host(drv), def->parent_addr,
                                     def->uuid, err);
}

static bool
start_def(VccwNodeDevDriver *drv, const VccwNodeDevDef *def, const char *name, GError **err)
{
    g_autofree char *parent_addr = NULL;

    if (def->active) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Device '%s' is already active", name);
        return false;
    }
    if (!check_parent(drv, def->parent, def->mdev_type, true, &parent_addr, err))
        return false;
    return mdev_start(drv, parent_addr, def->mdev_type, def->uuid, def->attrs, err);
}

bool
vccw_nodedev_start(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = lookup_mdev_by_name(drv, name, err);

    return def && start_def(drv, def, name, err);
}

bool
vccw_nodedev_start_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                        const char *parent_addr, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_lookup_mdev(drv, uuid, parent_addr, err);

    return def && start_def(drv, def, def->name, err);
}

bool
vccw_nodedev_get_autostart(VccwNodeDevDriver *drv, const char *name, bool *autostart,
                           GError **err)
{
    g_autoptr(VccwNodeDevDef) def = lookup_mdev_by_name(drv, name, err);

    if (!def)
        return false;
    *autostart = def->persistent && def->start == VCCW_MDEV_START_AUTO;
    return true;
}

bool
vccw_nodedev_set_autostart(VccwNodeDevDriver *drv, const char *name, bool autostart,
                           GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autoptr(VccwNodeDevDef) def = lookup_mdev_by_name(drv, name, err);
    g_autoptr(GPtrArray) found = NULL;
    VccwMdevctlDef *m;

    if (!def)
        return false;
    if (!def->persistent) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "cannot set autostart for transient device '%s'", name);
        return false;
    }
    if (!(found = vccw_mdevctl_store_find(host, def->uuid, def->parent_addr, err)))
        return false;
    if (found->len == 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Node device '%s' is not defined", name);
        return false;
    }
    m = g_ptr_array_index(found, 0);
    m->start = autostart ? VCCW_MDEV_START_AUTO : VCCW_MDEV_START_MANUAL;
    return vccw_mdevctl_store_write(host, m, err);
}

bool
vccw_nodedev_autostart_all_counted(VccwNodeDevDriver *drv, GPtrArray *warnings,
                                   guint *skipped, guint *failed, GError **err)
{
    g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) mdevs = vccw_nodedev_list_mdevs(drv, listed);

    *skipped = listed->len;
    *failed = 0;
    for (guint i = 0; warnings && i < listed->len; i++)
        g_ptr_array_add(warnings, g_strdup(g_ptr_array_index(listed, i)));
    for (guint i = 0; i < mdevs->len; i++) {
        const VccwNodeDevDef *def = g_ptr_array_index(mdevs, i);
        g_autoptr(GError) e = NULL;

        if (def->active || !def->persistent || def->start != VCCW_MDEV_START_AUTO)
            continue;
        if (!vccw_nodedev_start(drv, def->name, &e)) {
            char str[VCCW_UUID_STRING_BUFLEN];

            /* started meanwhile by someone else (the udev rule's program
             * at boot): what was wanted happened */
            vccw_uuid_format(def->uuid, str);
            if (vccw_mdev_exists(vccw_nodedev_driver_host(drv), str))
                continue;
            (*failed)++;
            if (warnings)
                g_ptr_array_add(warnings, g_strdup_printf("%s: %s", def->name, e->message));
        }
    }
    (void)err;
    return true;
}

/* Is subchannel @parent_addr registered with vfio_ccw for mdevs (the
 * state the MDEV_STATE=registered uevent announces)? */
static bool
parent_registered(const VccwHost *host, const char *parent_addr)
{
    g_autofree char *types = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, parent_addr,
                                            "mdev_supported_types", NULL);

    return types && g_file_test(types, G_FILE_TEST_IS_DIR);
}

bool
vccw_nodedev_autostart_parent(VccwNodeDevDriver *drv, const char *parent_addr,
                              bool *registered, GPtrArray *started, GPtrArray *warnings,
                              GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) list_err = NULL;

    *registered = false;
    if (!parent_addr || !vccw_mdevctl_parent_is_valid(parent_addr)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid subchannel id '%s'",
                       parent_addr ? parent_addr : "");
        return false;
    }
    if (!(dir = vccw_host_path(host, VCCW_HOST_DIR_MDEVCTL_CONFIG, parent_addr, NULL, err)))
        return false;
    *registered = parent_registered(host, parent_addr);
    /* not registered: its registered uevent will come; trying now would
     * only fail (mdevctl's add-event fallback tries and fails on every
     * subchannel at boot) */
    if (!*registered)
        return true;
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return true;   /* nothing defined on this parent */
    if (!(names = vccw_sysfs_list_dir(dir, &list_err))) {
        g_propagate_error(err, g_steal_pointer(&list_err));
        return false;
    }
    for (guint i = 0; i < names->len; i++) {
        const char *ent = g_ptr_array_index(names, i);
        unsigned char uuid[VCCW_UUID_BUFLEN];
        g_autoptr(GPtrArray) found = NULL;
        g_autoptr(GError) e = NULL;
        g_autofree char *dev = NULL;
        const VccwMdevctlDef *m;

        if (!vccw_uuid_is_canonical(ent) || !vccw_uuid_parse(ent, uuid))
            continue;   /* mdevctl's temporary files and the like */
        if (!(found = vccw_mdevctl_store_find(host, uuid, parent_addr, &e))) {
            g_ptr_array_add(warnings, g_strdup(e->message));
            continue;
        }
        if (found->len == 0)
            continue;
        m = g_ptr_array_index(found, 0);
        if (m->start != VCCW_MDEV_START_AUTO)
            continue;
        if (!(dev = vccw_mdev_dir(host, ent, &e))) {
            g_ptr_array_add(warnings, g_strdup(e->message));
            continue;
        }
        if (g_file_test(dev, G_FILE_TEST_EXISTS))
            continue;   /* active: started before (by us or anyone) */
        if (mdev_start(drv, parent_addr, m->mdev_type, m->uuid, m->attrs, &e)) {
            g_ptr_array_add(started, g_strdup(ent));
            continue;
        }
        /* someone else (mdevctl's own rule) started it meanwhile */
        if (g_file_test(dev, G_FILE_TEST_EXISTS))
            continue;
        g_ptr_array_add(warnings, g_strdup_printf("mdev %s on %s: %s", ent, parent_addr,
                                                  e->message));
    }
    return true;
}

bool
vccw_nodedev_autostart_all(VccwNodeDevDriver *drv, GPtrArray *warnings, GError **err)
{
    guint skipped, failed;

    return vccw_nodedev_autostart_all_counted(drv, warnings, &skipped, &failed, err);
}
