/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the model of mdevctl's definitions (one mdev's parent, uuid,
 * type, start policy and attributes) and the names mdevctl accepts.
 * The JSON writer is mdevctl_json_write.c, the reader mdevctl_json_read.c,
 * the store on disk mdevctl_store.c; the facts they follow are listed at
 * the top of mdevctl_store.c.
 */
#include "mdevctl_store.h"
#include "mdevctl_store_priv.h"
#include "node_device_conf.h"
#include "vccw_host.h"
#include "vccw_uuid.h"

#include <stdbool.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Names                                                               */

/* The kernel's subchannel names, "%x.%x.%04x" (vccw_ccw_id_parse). */
bool
vccw_mdevctl_parent_is_valid(const char *parent)
{
    VccwCcwId id;

    return parent && vccw_ccw_id_parse(parent, &id);
}

/* A definition's file name: the canonical lower-case form mdevctl writes. */
bool
mdevctl_uuid_name_parse(const char *name, unsigned char uuid[VCCW_UUID_BUFLEN])
{
    if (!vccw_uuid_is_canonical(name))
        return false;
    for (const char *c = name; *c; c++) {
        if (g_ascii_isupper(*c))
            return false;
    }
    return vccw_uuid_parse(name, uuid);
}

/* An mdev type must be usable as one sysfs file name. */
bool
mdevctl_type_is_valid(const char *type)
{
    return type && vccw_path_component_is_safe(type);
}

/* ------------------------------------------------------------------ */
/* Definitions                                                         */

VccwMdevctlDef *
vccw_mdevctl_def_new(void)
{
    VccwMdevctlDef *def = g_new0(VccwMdevctlDef, 1);

    def->start = VCCW_MDEV_START_MANUAL;
    def->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_attr_free);
    return def;
}

void
vccw_mdevctl_def_free(VccwMdevctlDef *def)
{
    if (!def)
        return;
    g_free(def->parent);
    g_free(def->mdev_type);
    if (def->attrs)
        g_ptr_array_unref(def->attrs);
    g_free(def);
}

bool
vccw_mdevctl_def_equal(const VccwMdevctlDef *a, const VccwMdevctlDef *b)
{
    guint na = a->attrs ? a->attrs->len : 0, nb = b->attrs ? b->attrs->len : 0;

    if (g_strcmp0(a->parent, b->parent) || g_strcmp0(a->mdev_type, b->mdev_type) ||
        a->start != b->start || memcmp(a->uuid, b->uuid, VCCW_UUID_BUFLEN) || na != nb)
        return false;
    for (guint i = 0; i < na; i++) {
        const VccwMdevAttr *x = g_ptr_array_index(a->attrs, i);
        const VccwMdevAttr *y = g_ptr_array_index(b->attrs, i);

        if (g_strcmp0(x->name, y->name) || g_strcmp0(x->value, y->value))
            return false;
    }
    return true;
}

void
vccw_mdevctl_def_add_attr(VccwMdevctlDef *def, const char *name, const char *value)
{
    g_ptr_array_add(def->attrs, vccw_mdev_attr_new(name, value));
}

gint
mdevctl_def_cmp(gconstpointer a, gconstpointer b)
{
    const VccwMdevctlDef *da = *(const VccwMdevctlDef *const *)a;
    const VccwMdevctlDef *db = *(const VccwMdevctlDef *const *)b;
    int r = strcmp(da->parent ? da->parent : "", db->parent ? db->parent : "");

    return r ? r : memcmp(da->uuid, db->uuid, VCCW_UUID_BUFLEN);
}

