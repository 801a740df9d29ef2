/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the checks of libvirt 10.1+'s virNodeDeviceUpdate (see
 * node_device_update.h). Error texts are libvirt 11.3's, typos included:
 * clients and scripts compare them. */
#include "node_device_update.h"
#include "vccw_error.h"
#include "vccw_uuid.h"

#include <string.h>

/* libvirt's nodeDeviceDefPostParse + nodeDeviceDefValidateMdev: the
 * parent must be a known device with an address, which replaces any
 * <parent_addr> of the document. */
static bool
resolve_parent(VccwNodeDevDriver *drv, VccwNodeDevDef *def, GError **err)
{
    g_autoptr(VccwNodeDevDef) parent = NULL;
    g_autoptr(GError) lookup_err = NULL;

    if (!def->parent) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", "missing parent device");
        return false;
    }
    if (!(parent = vccw_nodedev_lookup(drv, def->parent, &lookup_err))) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "invalid parent device '%s'",
                       def->parent);
        return false;
    }
    g_clear_pointer(&def->parent_addr, g_free);
    if (parent->type != VCCW_NODEDEV_CAP_CSS) {
        /* libvirt: VIR_ERR_PARSE_FAILED, whose text has no prefix */
        vccw_error_set(err, VCCW_ERR_SYSTEM, "Unable to find address for parent device '%s'",
                       def->parent);
        return false;
    }
    def->parent_addr = vccw_ccw_id_format(&parent->id);
    return true;
}

/* libvirt's virNodeDeviceObjUpdateModificationImpact */
static bool
modification_impact(const VccwNodeDevDef *cur, unsigned int *flags, GError **err)
{
    if ((*flags & (VCCW_UPDATE_AFFECT_LIVE | VCCW_UPDATE_AFFECT_CONFIG)) ==
        VCCW_UPDATE_AFFECT_CURRENT)
        *flags |= cur->active ? VCCW_UPDATE_AFFECT_LIVE : VCCW_UPDATE_AFFECT_CONFIG;
    if (!cur->active && (*flags & VCCW_UPDATE_AFFECT_LIVE)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "%s", "node device is not active");
        return false;
    }
    if (!cur->persistent && (*flags & VCCW_UPDATE_AFFECT_CONFIG)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "%s",
                       "transient node devices do not have any persistent config");
        return false;
    }
    return true;
}

/* libvirt's nodeDeviceDefValidateUpdate */
static bool
validate_update(const VccwNodeDevDef *cur, const VccwNodeDevDef *new_def, bool live,
                GError **err)
{
    char uuid[VCCW_UUID_STRING_BUFLEN];

    vccw_uuid_format(cur->uuid, uuid);
    if (!new_def->has_uuid || memcmp(cur->uuid, new_def->uuid, VCCW_UUID_BUFLEN) != 0) {
        /* sic: libvirt's text lacks the quote after the name */
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Cannot update device '%s, uuid mismatch (current uuid '%s')",
                       cur->name, uuid);
        return false;
    }
    if (live && g_strcmp0(cur->mdev_type, new_def->mdev_type) != 0) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Cannot update device '%s', type mismatch (current type '%s')",
                       cur->name, cur->mdev_type ? cur->mdev_type : "(null)");
        return false;
    }
    if (g_strcmp0(cur->parent_addr, new_def->parent_addr) != 0) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Cannot update device '%s', parent address mismatch (current parent address '%s')",
                       cur->name, cur->parent_addr ? cur->parent_addr : "(null)");
        return false;
    }
    return true;
}

VccwNodeDevDef *
vccw_nodedev_update_prepare(VccwNodeDevDriver *drv, const VccwNodeDevDef *cur,
                            const char *xml, size_t len, unsigned int *flags, GError **err)
{
    g_autoptr(VccwNodeDevDef) new_def = vccw_nodedev_def_parse(xml, len, NULL,
                                                               VCCW_NODEDEV_PARSE_EXISTING, err);

    if (!new_def)
        return NULL;
    if (new_def->type == VCCW_NODEDEV_CAP_MDEV && !resolve_parent(drv, new_def, err))
        return NULL;
    if (cur->type != VCCW_NODEDEV_CAP_MDEV || new_def->type != VCCW_NODEDEV_CAP_MDEV) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", "Unsupported device type");
        return NULL;
    }
    if (!modification_impact(cur, flags, err) ||
        !validate_update(cur, new_def, (*flags & VCCW_UPDATE_AFFECT_LIVE) != 0, err))
        return NULL;
    return g_steal_pointer(&new_def);
}

void
vccw_nodedev_update_mdevctl_error(GError **err, const char *mdevctl_msg)
{
    /* mdevctl prints "Error: <why>" and a newline on standard error, and
     * libvirt passes that on unchanged */
    vccw_error_set(err, VCCW_ERR_INTERNAL, "Unable to modify mediated device: Error: %s\n",
                   mdevctl_msg);
}

bool
vccw_nodedev_update_live(const VccwNodeDevDef *cur, const VccwNodeDevDef *new_def,
                         unsigned int flags, GError **err)
{
    /* mdevctl's modify_command, in its order; libvirt has already made
     * sure that the device is active and its type and parent unchanged */
    if ((flags & VCCW_UPDATE_AFFECT_CONFIG) && cur->defined_mdev_type &&
        g_strcmp0(cur->defined_mdev_type, new_def->mdev_type) != 0) {
        vccw_nodedev_update_mdevctl_error(err, "'type' of active and defined mdev does not match");
        return false;
    }
    vccw_nodedev_update_mdevctl_error(err, "No callout script with version support found that supports live modify");
    return false;
}
