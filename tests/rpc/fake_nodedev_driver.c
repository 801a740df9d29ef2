/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake of the node-device driver API (node_device_driver.h) for the
 * virtccwd tests: an in-memory s390 host with
 *
 *   computer
 *   css_0_0_0052  vfio_ccw, mdev type vfio_ccw-io (1 instance free)
 *   css_0_0_0053  vfio_ccw, one active transient mdev 11111111-...
 *   css_0_0_0054  vfio_ccw, one defined (inactive) mdev 22222222-...
 *   css_0_0_fffe  io_subchannel with ccw_0_0_5000 online
 *   css_0_0_fffd  io_subchannel, no device (for detach)
 *
 * create/define/destroy/undefine/start/autostart/detach/reattach behave
 * like libvirt 9.0 with mdevctl, with libvirt's error texts. The XML
 * comes from the real formatter and parser (src/conf/node_device_conf.c).
 *
 * VIRTCCWD_FAKE_EXTRA_CSS=N adds N more io_subchannel css devices
 * (css_0_1_0000 ...) to test big lists. The read functions count their
 * calls (fake_nodedev_driver.h).
 */
#include "fake_nodedev_driver.h"
#include "node_device_driver.h"
#include "node_device_update.h"
#include "vccw_error.h"

#include <stdbool.h>
#include <string.h>

#define MDEV_TYPE_ID "vfio_ccw-io"
#define MDEV_TYPE_NAME "I/O subchannel (Non-QDIO)"
#define MDEV_TYPE_API "vfio-ccw"

guint fake_nodedev_list_calls;
guint fake_nodedev_lookup_calls;

struct _VccwNodeDevDriver {
    GPtrArray *devs;     /* VccwNodeDevDef*, owned, any order */
};

static VccwNodeDevDef *
def_copy(const VccwNodeDevDef *src)
{
    VccwNodeDevDef *d = vccw_nodedev_def_new(src->type);

    d->name = g_strdup(src->name);
    d->sysfs_path = g_strdup(src->sysfs_path);
    d->parent = g_strdup(src->parent);
    d->driver = g_strdup(src->driver);
    d->id = src->id;
    d->ccw_state = src->ccw_state;
    d->has_channel_dev_addr = src->has_channel_dev_addr;
    d->channel_dev_addr = src->channel_dev_addr;
    if (src->mdev_types) {
        if (!d->mdev_types)
            d->mdev_types = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_type_free);
        for (guint i = 0; i < src->mdev_types->len; i++) {
            const VccwMdevType *t = g_ptr_array_index(src->mdev_types, i);
            g_ptr_array_add(d->mdev_types,
                            vccw_mdev_type_new(t->id, t->name, t->device_api, t->available));
        }
    }
    d->mdev_type = g_strdup(src->mdev_type);
    d->defined_mdev_type = g_strdup(src->defined_mdev_type);
    memcpy(d->uuid, src->uuid, sizeof(d->uuid));
    d->has_uuid = src->has_uuid;
    d->parent_addr = g_strdup(src->parent_addr);
    d->iommu_group = src->iommu_group;
    d->start = src->start;
    if (src->attrs) {
        if (!d->attrs)
            d->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_attr_free);
        for (guint i = 0; i < src->attrs->len; i++) {
            const VccwMdevAttr *a = g_ptr_array_index(src->attrs, i);
            g_ptr_array_add(d->attrs, vccw_mdev_attr_new(a->name, a->value));
        }
    }
    d->active = src->active;
    d->persistent = src->persistent;
    return d;
}

static VccwNodeDevDef *
find(VccwNodeDevDriver *drv, const char *name)
{
    for (guint i = 0; i < drv->devs->len; i++) {
        VccwNodeDevDef *d = g_ptr_array_index(drv->devs, i);
        if (g_str_equal(d->name, name))
            return d;
    }
    return NULL;
}

static VccwNodeDevDef *
find_or_fail(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find(drv, name);

    if (!d)
        vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE,
                       "no node device with matching name '%s'", name);
    return d;
}

static VccwNodeDevDef *
find_mdev_uuid(VccwNodeDevDriver *drv, const unsigned char *uuid)
{
    for (guint i = 0; i < drv->devs->len; i++) {
        VccwNodeDevDef *d = g_ptr_array_index(drv->devs, i);
        if (d->type == VCCW_NODEDEV_CAP_MDEV && memcmp(d->uuid, uuid, VCCW_UUID_BUFLEN) == 0)
            return d;
    }
    return NULL;
}

static VccwMdevType *
io_type(VccwNodeDevDef *css)
{
    for (guint i = 0; css->mdev_types && i < css->mdev_types->len; i++) {
        VccwMdevType *t = g_ptr_array_index(css->mdev_types, i);
        if (g_str_equal(t->id, MDEV_TYPE_ID))
            return t;
    }
    return NULL;
}

static VccwNodeDevDef *
add_css(VccwNodeDevDriver *drv, unsigned int ssid, unsigned int devno, const char *driver,
        int free_instances)
{
    VccwNodeDevDef *d = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CSS);

    d->id = (VccwCcwId){ 0, ssid, devno };
    d->name = vccw_nodedev_name_css(&d->id);
    d->sysfs_path = g_strdup_printf("/sys/devices/css0/0.%x.%04x", ssid, devno);
    d->parent = g_strdup("computer");
    d->driver = g_strdup(driver);
    d->active = true;
    if (free_instances >= 0)
        g_ptr_array_add(d->mdev_types, vccw_mdev_type_new(MDEV_TYPE_ID, MDEV_TYPE_NAME,
                                                          MDEV_TYPE_API,
                                                          (unsigned int)free_instances));
    g_ptr_array_add(drv->devs, d);
    return d;
}

static VccwNodeDevDef *
add_mdev(VccwNodeDevDriver *drv, const char *uuidstr, VccwNodeDevDef *parent,
         bool active, bool persistent)
{
    VccwNodeDevDef *d = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_MDEV);
    char canon[VCCW_UUID_STRING_BUFLEN];

    g_assert(vccw_uuid_parse(uuidstr, d->uuid));
    d->has_uuid = true;
    vccw_uuid_format(d->uuid, canon);
    d->parent_addr = vccw_ccw_id_format(&parent->id);
    d->name = vccw_nodedev_name_mdev(d->uuid, d->parent_addr);
    d->parent = g_strdup(parent->name);
    d->mdev_type = g_strdup(MDEV_TYPE_ID);
    d->active = active;
    d->persistent = persistent;
    if (active) {
        d->sysfs_path = g_strdup_printf("%s/%s", parent->sysfs_path, canon);
        d->driver = g_strdup("vfio_mdev");
        d->iommu_group = 0;
        io_type(parent)->available--;
    }
    g_ptr_array_add(drv->devs, d);
    return d;
}

VccwNodeDevDriver *
vccw_nodedev_driver_new(const VccwHost *host, GError **err)
{
    VccwNodeDevDriver *drv = g_new0(VccwNodeDevDriver, 1);
    VccwNodeDevDef *computer, *io, *p53, *p54, *ccw;
    const char *extra = g_getenv("VIRTCCWD_FAKE_EXTRA_CSS");

    drv->devs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);
    computer = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_SYSTEM);
    computer->name = g_strdup("computer");
    computer->active = true;
    g_ptr_array_add(drv->devs, computer);

    add_css(drv, 0, 0x0052, "vfio_ccw", 1);
    p53 = add_css(drv, 0, 0x0053, "vfio_ccw", 1);
    p54 = add_css(drv, 0, 0x0054, "vfio_ccw", 1);
    io = add_css(drv, 0, 0xfffe, "io_subchannel", -1);
    io->has_channel_dev_addr = true;
    io->channel_dev_addr = (VccwCcwId){ 0, 0, 0x5000 };
    add_css(drv, 0, 0xfffd, "io_subchannel", -1);

    ccw = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CCW);
    ccw->id = (VccwCcwId){ 0, 0, 0x5000 };
    ccw->name = vccw_nodedev_name_ccw(&ccw->id);
    ccw->sysfs_path = g_strdup("/sys/devices/css0/0.0.fffe/0.0.5000");
    ccw->parent = g_strdup(io->name);
    ccw->driver = g_strdup("dasd-eckd");
    ccw->active = true;
    g_ptr_array_add(drv->devs, ccw);

    add_mdev(drv, "11111111-1111-4111-8111-111111111111", p53, true, false);
    add_mdev(drv, "22222222-2222-4222-8222-222222222222", p54, false, true);

    if (extra) {
        guint64 n = g_ascii_strtoull(extra, NULL, 10);
        for (guint64 i = 0; i < n && i < 3 * 65536; i++)
            add_css(drv, 1 + (unsigned int)(i / 65536), (unsigned int)(i % 65536),
                    "io_subchannel", -1);
    }
    return drv;
}

void
vccw_nodedev_driver_free(VccwNodeDevDriver *drv)
{
    if (!drv)
        return;
    g_ptr_array_unref(drv->devs);
    g_free(drv);
}

static bool
matches(const VccwNodeDevDef *d, unsigned int flags)
{
    const unsigned int caps = flags & 0x0fffffffu;   /* every capability bit */
    bool active = d->type != VCCW_NODEDEV_CAP_MDEV || d->active;

    if (caps && !vccw_nodedev_cap_matches(d, caps))
        return false;
    if (!(flags & (VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE)))
        flags |= VCCW_LIST_ACTIVE;
    if (active && !(flags & VCCW_LIST_ACTIVE))
        return false;
    if (!active && !(flags & VCCW_LIST_INACTIVE))
        return false;
    if ((flags & VCCW_LIST_PERSISTENT) && !(flags & VCCW_LIST_TRANSIENT) && !d->persistent)
        return false;
    if ((flags & VCCW_LIST_TRANSIENT) && !(flags & VCCW_LIST_PERSISTENT) && d->persistent)
        return false;
    return true;
}

static gint
cmp_name(gconstpointer a, gconstpointer b)
{
    const VccwNodeDevDef *x = *(VccwNodeDevDef *const *)a;
    const VccwNodeDevDef *y = *(VccwNodeDevDef *const *)b;

    return strcmp(x->name, y->name);
}

GPtrArray *
vccw_nodedev_list(VccwNodeDevDriver *drv, unsigned int flags, GPtrArray *warnings,
                  GError **err)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);

    fake_nodedev_list_calls++;
    for (guint i = 0; i < drv->devs->len; i++) {
        const VccwNodeDevDef *d = g_ptr_array_index(drv->devs, i);
        if (matches(d, flags))
            g_ptr_array_add(out, def_copy(d));
    }
    g_ptr_array_sort(out, cmp_name);
    return out;
}

VccwNodeDevDef *
vccw_nodedev_lookup(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_or_fail(drv, name, err);

    fake_nodedev_lookup_calls++;
    return d ? def_copy(d) : NULL;
}

GPtrArray *
vccw_nodedev_list_mdevs_of_uuid(VccwNodeDevDriver *drv, const unsigned char *uuid,
                                GPtrArray *warnings)
{
    VccwNodeDevDef *d = find_mdev_uuid(drv, uuid);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_nodedev_def_free);

    (void)warnings;
    fake_nodedev_lookup_calls++;
    if (d)
        g_ptr_array_add(out, def_copy(d));
    return out;
}

VccwNodeDevDef *
vccw_nodedev_lookup_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                         const char *parent_addr, GError **err)
{
    VccwNodeDevDef *d = find_mdev_uuid(drv, uuid);
    char s[VCCW_UUID_STRING_BUFLEN];

    if (d && (!parent_addr || g_strcmp0(d->parent_addr, parent_addr) == 0))
        return def_copy(d);
    vccw_uuid_format(uuid, s);
    vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE, "no node device for mediated device '%s'", s);
    return NULL;
}

/* Checks shared by create and define; returns the parent. */
static VccwNodeDevDef *
check_new_mdev(VccwNodeDevDriver *drv, VccwNodeDevDef *def, GError **err)
{
    VccwNodeDevDef *parent = def->parent ? find(drv, def->parent) : NULL;

    if (!parent || parent->type != VCCW_NODEDEV_CAP_CSS || !io_type(parent)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "invalid parent device '%s'",
                       def->parent ? def->parent : "");
        return NULL;
    }
    if (g_strcmp0(def->mdev_type, MDEV_TYPE_ID) != 0) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Unable to create mediated device: type '%s' not supported by '%s'",
                       def->mdev_type, parent->name);
        return NULL;
    }
    if (!def->has_uuid) {
        g_autofree char *u = g_uuid_string_random();
        vccw_uuid_parse(u, def->uuid);
        def->has_uuid = true;
    }
    return parent;
}

VccwNodeDevDef *
vccw_nodedev_create_xml(VccwNodeDevDriver *drv, const char *xml, size_t len, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    VccwNodeDevDef *parent, *old, *d;
    char uuidstr[VCCW_UUID_STRING_BUFLEN];

    if (!(def = vccw_nodedev_def_parse(xml, len, NULL, VCCW_NODEDEV_PARSE_CREATE, err)))
        return NULL;
    if (!(parent = check_new_mdev(drv, def, err)))
        return NULL;
    vccw_uuid_format(def->uuid, uuidstr);
    if ((old = find_mdev_uuid(drv, def->uuid)) && old->active) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Unable to create mediated device: mediated device '%s' already exists",
                       uuidstr);
        return NULL;
    }
    if (old) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "mediated device '%s' is defined; start it with nodedev-start",
                       uuidstr);
        return NULL;
    }
    if (io_type(parent)->available == 0) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Unable to create mediated device: no instance of type '%s' "
                       "left on '%s'", MDEV_TYPE_ID, parent->name);
        return NULL;
    }
    d = add_mdev(drv, uuidstr, parent, true, false);
    return def_copy(d);
}

/* What `mdevctl modify --defined --jsonfile` changes: type, start, attrs. */
static void
set_definition(VccwNodeDevDef *d, const VccwNodeDevDef *src)
{
    g_clear_pointer(&d->defined_mdev_type, g_free);
    if (!d->active) {
        g_free(d->mdev_type);
        d->mdev_type = g_strdup(src->mdev_type);
    } else if (g_strcmp0(d->mdev_type, src->mdev_type) != 0)
        d->defined_mdev_type = g_strdup(src->mdev_type);
    d->start = src->start;
    g_ptr_array_set_size(d->attrs, 0);
    for (guint i = 0; src->attrs && i < src->attrs->len; i++) {
        const VccwMdevAttr *a = g_ptr_array_index(src->attrs, i);
        g_ptr_array_add(d->attrs, vccw_mdev_attr_new(a->name, a->value));
    }
}

bool
vccw_nodedev_update(VccwNodeDevDriver *drv, const char *name, const char *xml, size_t len,
                    unsigned int flags, GError **err)
{
    VccwNodeDevDef *d = find_or_fail(drv, name, err);
    g_autoptr(VccwNodeDevDef) new_def = NULL;

    if (!d || !(new_def = vccw_nodedev_update_prepare(drv, d, xml, len, &flags, err)))
        return false;
    if (flags & VCCW_UPDATE_AFFECT_LIVE)
        return vccw_nodedev_update_live(d, new_def, flags, err);
    set_definition(d, new_def);
    return true;
}

VccwNodeDevDef *
vccw_nodedev_define_xml(VccwNodeDevDriver *drv, const char *xml, size_t len, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    VccwNodeDevDef *parent, *old, *d;
    char uuidstr[VCCW_UUID_STRING_BUFLEN];

    if (!(def = vccw_nodedev_def_parse(xml, len, NULL, VCCW_NODEDEV_PARSE_DEFINE, err)))
        return NULL;
    if (!(parent = check_new_mdev(drv, def, err)))
        return NULL;
    vccw_uuid_format(def->uuid, uuidstr);
    if ((old = find_mdev_uuid(drv, def->uuid))) {
        /* libvirt 10.1+: defining it again updates the definition */
        old->persistent = true;
        set_definition(old, def);
        return def_copy(old);
    }
    d = add_mdev(drv, uuidstr, parent, false, true);
    d->start = def->start;
    return def_copy(d);
}

static VccwNodeDevDef *
find_mdev_or_fail(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_or_fail(drv, name, err);

    if (d && d->type != VCCW_NODEDEV_CAP_MDEV) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "device '%s' is not a mediated device", name);
        return NULL;
    }
    return d;
}

bool
vccw_nodedev_destroy(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_mdev_or_fail(drv, name, err);

    if (!d)
        return false;
    if (!d->active) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Device '%s' is not active", name);
        return false;
    }
    io_type(find(drv, d->parent))->available++;
    if (!d->persistent) {
        g_ptr_array_remove(drv->devs, d);
        return true;
    }
    d->active = false;
    g_clear_pointer(&d->sysfs_path, g_free);
    g_clear_pointer(&d->driver, g_free);
    d->iommu_group = -1;
    return true;
}

bool
vccw_nodedev_undefine(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_mdev_or_fail(drv, name, err);

    if (!d)
        return false;
    if (!d->persistent) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Node device '%s' is not defined",
                       name);
        return false;
    }
    if (!d->active) {
        g_ptr_array_remove(drv->devs, d);
        return true;
    }
    d->persistent = false;
    d->start = VCCW_MDEV_START_MANUAL;
    return true;
}

bool
vccw_nodedev_start(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_mdev_or_fail(drv, name, err);
    VccwNodeDevDef *parent;
    char uuidstr[VCCW_UUID_STRING_BUFLEN];

    if (!d)
        return false;
    if (d->active) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "Device '%s' is already active",
                       name);
        return false;
    }
    parent = find(drv, d->parent);
    if (!parent || !io_type(parent) || io_type(parent)->available == 0) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "Unable to start mediated device '%s'", name);
        return false;
    }
    vccw_uuid_format(d->uuid, uuidstr);
    d->active = true;
    d->sysfs_path = g_strdup_printf("%s/%s", parent->sysfs_path, uuidstr);
    d->driver = g_strdup("vfio_mdev");
    d->iommu_group = 0;
    io_type(parent)->available--;
    return true;
}

bool
vccw_nodedev_get_autostart(VccwNodeDevDriver *drv, const char *name, bool *autostart,
                           GError **err)
{
    VccwNodeDevDef *d = find_or_fail(drv, name, err);

    if (!d)
        return false;
    *autostart = d->type == VCCW_NODEDEV_CAP_MDEV && d->persistent &&
                 d->start == VCCW_MDEV_START_AUTO;
    return true;
}

bool
vccw_nodedev_set_autostart(VccwNodeDevDriver *drv, const char *name, bool autostart,
                           GError **err)
{
    VccwNodeDevDef *d = find_mdev_or_fail(drv, name, err);

    if (!d)
        return false;
    if (!d->persistent) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "cannot set autostart for transient device");
        return false;
    }
    d->start = autostart ? VCCW_MDEV_START_AUTO : VCCW_MDEV_START_MANUAL;
    return true;
}

bool
vccw_nodedev_autostart_all(VccwNodeDevDriver *drv, GPtrArray *warnings, GError **err)
{
    for (guint i = 0; i < drv->devs->len; i++) {
        VccwNodeDevDef *d = g_ptr_array_index(drv->devs, i);
        g_autoptr(GError) e = NULL;

        if (d->type == VCCW_NODEDEV_CAP_MDEV && d->persistent && !d->active &&
            d->start == VCCW_MDEV_START_AUTO && !vccw_nodedev_start(drv, d->name, &e) &&
            warnings)
            g_ptr_array_add(warnings, g_strdup(e->message));
    }
    return true;
}

static VccwNodeDevDef *
find_css_or_fail(VccwNodeDevDriver *drv, const char *name, GError **err)
{
    VccwNodeDevDef *d = find_or_fail(drv, name, err);

    if (d && d->type != VCCW_NODEDEV_CAP_CSS) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "device '%s' is not a subchannel", name);
        return NULL;
    }
    return d;
}

bool
vccw_nodedev_detach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                    GError **err)
{
    VccwNodeDevDef *d = find_css_or_fail(drv, name, err);

    if (!d)
        return false;
    if (g_strcmp0(d->driver, "vfio_ccw") == 0)
        return true;
    for (guint i = 0; i < drv->devs->len; i++) {
        VccwNodeDevDef *c = g_ptr_array_index(drv->devs, i);
        if (c->type == VCCW_NODEDEV_CAP_CCW && g_strcmp0(c->parent, d->name) == 0) {
            if (!(flags & VCCW_DETACH_FORCE)) {
                vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                               "subchannel '%s' has the online device '%s'", name, c->name);
                return false;
            }
            g_ptr_array_remove_index(drv->devs, i);
            break;
        }
    }
    g_free(d->driver);
    d->driver = g_strdup("vfio_ccw");
    g_ptr_array_add(d->mdev_types, vccw_mdev_type_new(MDEV_TYPE_ID, MDEV_TYPE_NAME,
                                                      MDEV_TYPE_API, 1));
    return true;
}

bool
vccw_nodedev_reattach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                      GError **err)
{
    VccwNodeDevDef *d = find_css_or_fail(drv, name, err);

    if (!d)
        return false;
    if (g_strcmp0(d->driver, "io_subchannel") == 0)
        return true;
    for (guint i = 0; i < drv->devs->len; i++) {
        VccwNodeDevDef *m = g_ptr_array_index(drv->devs, i);
        if (m->type == VCCW_NODEDEV_CAP_MDEV && m->active &&
            g_strcmp0(m->parent, d->name) == 0) {
            vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                           "subchannel '%s' is in use by mediated device '%s'", name, m->name);
            return false;
        }
    }
    g_free(d->driver);
    d->driver = g_strdup("io_subchannel");
    g_ptr_array_set_size(d->mdev_types, 0);
    return true;
}

bool
fake_nodedev_set_ccw_state(VccwNodeDevDriver *drv, const char *name, VccwCcwState state)
{
    VccwNodeDevDef *d = find(drv, name);

    if (!d || d->type != VCCW_NODEDEV_CAP_CCW)
        return false;
    d->ccw_state = state;
    return true;
}
