/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node-device XML out. Reproduces `virsh nodedev-dumpxml` of
 * the libvirt release followed, byte for byte, for what we model (element
 * order, hex widths, indentation, the mdev <iommuGroup> that libvirt
 * always prints).
 */
#include "node_device_conf.h"

#include <glib.h>

/* ------------------------------------------------------------------ */
/* Formatting */

/* libvirt's virBufferEscapeString: the five XML specials, newline,
 * carriage return and tab as character references (so that they
 * survive attribute-value normalization), other control characters
 * dropped. */
static void
escape(GString *out, const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '\'': g_string_append(out, "&apos;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\n': g_string_append(out, "&#xA;"); break;
        case '\r': g_string_append(out, "&#xD;"); break;
        case '\t': g_string_append(out, "&#x9;"); break;
        default:
            if (*p >= 0x20)
                g_string_append_c(out, (char)*p);
            break;
        }
    }
}

static void
indent(GString *out, int level)
{
    for (int i = 0; i < level; i++)
        g_string_append(out, "  ");
}

/* <name>text</name>, nothing when @text is NULL (as libvirt). */
static void
text_elem(GString *out, int level, const char *name, const char *text)
{
    if (!text)
        return;
    indent(out, level);
    g_string_append_printf(out, "<%s>", name);
    escape(out, text);
    g_string_append_printf(out, "</%s>\n", name);
}

static void
format_ccw_id(GString *out, int level, const VccwCcwId *id)
{
    indent(out, level);
    g_string_append_printf(out, "<cssid>0x%x</cssid>\n", id->cssid);
    indent(out, level);
    g_string_append_printf(out, "<ssid>0x%x</ssid>\n", id->ssid);
    indent(out, level);
    g_string_append_printf(out, "<devno>0x%04x</devno>\n", id->devno);
}

static void
format_mdev_types(GString *out, int level, const GPtrArray *types)
{
    if (!types || types->len == 0)
        return;
    indent(out, level);
    g_string_append(out, "<capability type='mdev_types'>\n");
    for (guint i = 0; i < types->len; i++) {
        const VccwMdevType *type = g_ptr_array_index(types, i);

        indent(out, level + 1);
        g_string_append(out, "<type id='");
        escape(out, type->id ? type->id : "");
        g_string_append(out, "'>\n");
        text_elem(out, level + 2, "name", type->name);
        text_elem(out, level + 2, "deviceAPI", type->device_api);
        indent(out, level + 2);
        g_string_append_printf(out, "<availableInstances>%u</availableInstances>\n",
                               type->available);
        indent(out, level + 1);
        g_string_append(out, "</type>\n");
    }
    indent(out, level);
    g_string_append(out, "</capability>\n");
}

static void
format_system(GString *out, int level, const VccwNodeDevDef *def)
{
    static const unsigned char zero_uuid[VCCW_UUID_BUFLEN];
    char uuidstr[VCCW_UUID_STRING_BUFLEN];

    /* no DMI on s390: libvirt knows no product, vendor or firmware and
     * prints the hardware UUID it has (all zeros unless we set one) */
    vccw_uuid_format(def->has_uuid ? def->uuid : zero_uuid, uuidstr);
    indent(out, level);
    g_string_append(out, "<hardware>\n");
    indent(out, level + 1);
    g_string_append_printf(out, "<uuid>%s</uuid>\n", uuidstr);
    indent(out, level);
    g_string_append(out, "</hardware>\n");
    indent(out, level);
    g_string_append(out, "<firmware>\n");
    indent(out, level);
    g_string_append(out, "</firmware>\n");
}

static void
format_mdev(GString *out, int level, const VccwNodeDevDef *def, unsigned int flags)
{
    /* libvirt 10.1+: the inactive XML is the definition's (defined_config) */
    const char *type = (flags & VCCW_NODEDEV_FORMAT_INACTIVE) && def->defined_mdev_type ?
                       def->defined_mdev_type : def->mdev_type;

    if (type) {
        indent(out, level);
        g_string_append(out, "<type id='");
        escape(out, type);
        g_string_append(out, "'/>\n");
    }
    if (def->has_uuid) {
        char uuidstr[VCCW_UUID_STRING_BUFLEN];

        vccw_uuid_format(def->uuid, uuidstr);
        indent(out, level);
        g_string_append_printf(out, "<uuid>%s</uuid>\n", uuidstr);
    }
    if ((flags & VCCW_NODEDEV_FORMAT_START) && def->persistent) {
        indent(out, level);
        g_string_append_printf(out, "<start type='%s'/>\n",
                               vccw_mdev_start_to_string(def->start) ?
                               vccw_mdev_start_to_string(def->start) : "manual");
    }
    text_elem(out, level, "parent_addr", def->parent_addr);
    /* libvirt prints the group even when it does not know it (0) */
    indent(out, level);
    g_string_append_printf(out, "<iommuGroup number='%d'/>\n",
                           def->iommu_group >= 0 ? def->iommu_group : 0);
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *attr = g_ptr_array_index(def->attrs, i);

        indent(out, level);
        g_string_append(out, "<attr name='");
        escape(out, attr->name ? attr->name : "");
        g_string_append(out, "' value='");
        escape(out, attr->value ? attr->value : "");
        g_string_append(out, "'/>\n");
    }
}

/* libvirt 11.1+: <state> when it is known */
static void
format_ccw_state(GString *out, int level, VccwCcwState state)
{
    const char *str = vccw_ccw_state_to_string(state);

    if (!str)
        return;
    indent(out, level);
    g_string_append_printf(out, "<state>%s</state>\n", str);
}

static void
format_ccw(GString *out, int level, const VccwNodeDevDef *def)
{
    format_ccw_state(out, level, def->ccw_state);
    format_ccw_id(out, level, &def->id);
    if (def->group_device) {
        indent(out, level);
        g_string_append(out, "<capability type='ccwgroup_member'>\n");
        text_elem(out, level + 1, "group_device", def->group_device);
        indent(out, level);
        g_string_append(out, "</capability>\n");
    }
}

/* libvirt's virNodeDeviceCapCCWGroupDefFormat; a card type or CHPID it
 * could not read it prints as "(null)" (its printf of NULL), and so do we. */
static void
format_ccwgroup(GString *out, int level, const VccwNodeDevDef *def)
{
    const char *type = vccw_ccwgroup_type_to_string(def->group_type);

    format_ccw_state(out, level, def->ccw_state);
    format_ccw_id(out, level, &def->id);
    if (def->members && def->members->len) {
        indent(out, level);
        g_string_append(out, "<members>\n");
        for (guint i = 0; i < def->members->len; i++) {
            const VccwCcwGroupMember *m = g_ptr_array_index(def->members, i);

            indent(out, level + 1);
            g_string_append(out, "<ccw_device ref='");
            escape(out, m->ref ? m->ref : "");
            g_string_append(out, "'>");
            escape(out, m->device ? m->device : "");
            g_string_append(out, "</ccw_device>\n");
        }
        indent(out, level);
        g_string_append(out, "</members>\n");
    }
    indent(out, level);
    g_string_append_printf(out, "<capability type='%s'>\n", type ? type : "qeth_generic");
    text_elem(out, level + 1, "card_type", def->card_type ? def->card_type : "(null)");
    text_elem(out, level + 1, "chpid", def->chpid ? def->chpid : "(null)");
    indent(out, level);
    g_string_append(out, "</capability>\n");
}

char *
vccw_nodedev_def_format(const VccwNodeDevDef *def, unsigned int flags)
{
    GString *out;
    const char *type;

    g_return_val_if_fail(def != NULL, NULL);
    g_return_val_if_fail(def->type != VCCW_NODEDEV_CAP_MDEV_TYPES, NULL);
    g_return_val_if_fail((type = vccw_nodedev_cap_to_string(def->type)) != NULL, NULL);

    out = g_string_sized_new(512);
    g_string_append(out, "<device>\n");
    text_elem(out, 1, "name", def->name);
    if (!(flags & VCCW_NODEDEV_FORMAT_INACTIVE))
        text_elem(out, 1, "path", def->sysfs_path);
    text_elem(out, 1, "parent", def->parent);
    if (def->driver && !(flags & VCCW_NODEDEV_FORMAT_INACTIVE)) {
        g_string_append(out, "  <driver>\n");
        text_elem(out, 2, "name", def->driver);
        g_string_append(out, "  </driver>\n");
    }
    g_string_append_printf(out, "  <capability type='%s'>\n", type);
    switch (def->type) {
    case VCCW_NODEDEV_CAP_SYSTEM:
        format_system(out, 2, def);
        break;
    case VCCW_NODEDEV_CAP_CSS:
        format_ccw_id(out, 2, &def->id);
        if (def->has_channel_dev_addr) {
            g_string_append(out, "    <channel_dev_addr>\n");
            format_ccw_id(out, 3, &def->channel_dev_addr);
            g_string_append(out, "    </channel_dev_addr>\n");
        }
        format_mdev_types(out, 2, def->mdev_types);
        break;
    case VCCW_NODEDEV_CAP_CCW:
        format_ccw(out, 2, def);
        break;
    case VCCW_NODEDEV_CAP_CCWGROUP:
        format_ccwgroup(out, 2, def);
        break;
    case VCCW_NODEDEV_CAP_MDEV:
        format_mdev(out, 2, def, flags);
        break;
    case VCCW_NODEDEV_CAP_MDEV_TYPES:
    case VCCW_NODEDEV_CAP_LAST:
        break;
    }
    g_string_append(out, "  </capability>\n");
    g_string_append(out, "</device>\n");
    return g_string_free(out, FALSE);
}
