/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: mdevctl definitions written as mdevctl writes them (serde_json's
 * to_string_pretty(), see the facts at the top of mdevctl_store.c): one
 * definition file, and the "mdevctl list --dumpjson" document.
 */
#include "mdevctl_store.h"
#include "mdevctl_store_priv.h"
#include "vccw_uuid.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Writing JSON like serde_json's pretty printer                       */

static void
json_put_string(GString *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* a run of characters written as they are, in one append */
        size_t run = 0;

        while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > 0) {
            g_string_append_len(out, (const char *)p, (gssize)run);
            p += run - 1;
            continue;
        }
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (*p < 0x20) {
                g_string_append(out, "\\u00");
                g_string_append_c(out, hex[*p >> 4]);
                g_string_append_c(out, hex[*p & 0xf]);
            } else {
                g_string_append_c(out, (char)*p);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void
json_indent(GString *out, unsigned int level)
{
    g_string_append_c(out, '\n');
    for (unsigned int i = 0; i < level; i++)
        g_string_append(out, "  ");
}

/* The object {"mdev_type", "start", "attrs"}, opened at the current
 * position, its fields at @level + 1. */
static void
json_put_def(GString *out, const VccwMdevctlDef *def, unsigned int level)
{
    g_string_append_c(out, '{');
    json_indent(out, level + 1);
    g_string_append(out, "\"mdev_type\": ");
    json_put_string(out, def->mdev_type ? def->mdev_type : "");
    g_string_append_c(out, ',');
    json_indent(out, level + 1);
    g_string_append(out, "\"start\": ");
    json_put_string(out, def->start == VCCW_MDEV_START_AUTO ? "auto" : "manual");
    g_string_append_c(out, ',');
    json_indent(out, level + 1);
    g_string_append(out, "\"attrs\": [");
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *attr = g_ptr_array_index(def->attrs, i);

        if (i > 0)
            g_string_append_c(out, ',');
        json_indent(out, level + 2);
        g_string_append_c(out, '{');
        json_indent(out, level + 3);
        json_put_string(out, attr->name ? attr->name : "");
        g_string_append(out, ": ");
        json_put_string(out, attr->value ? attr->value : "");
        json_indent(out, level + 2);
        g_string_append_c(out, '}');
    }
    if (def->attrs && def->attrs->len > 0)
        json_indent(out, level + 1);
    g_string_append_c(out, ']');
    json_indent(out, level);
    g_string_append_c(out, '}');
}

char *
vccw_mdevctl_def_to_json(const VccwMdevctlDef *def)
{
    GString *out;

    g_return_val_if_fail(def != NULL, NULL);
    out = g_string_sized_new(128);
    json_put_def(out, def, 0);
    return g_string_free(out, FALSE);
}

char *
vccw_mdevctl_list_to_json(GPtrArray *defs)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    GString *out;
    const char *cur = NULL;

    for (guint i = 0; defs && i < defs->len; i++)
        g_ptr_array_add(sorted, g_ptr_array_index(defs, i));
    if (sorted->len == 0)
        return g_strdup("[]");
    /* mdevctl groups devices in a BTreeMap by parent and sorts each
     * group by uuid; a stable sort keeps equal entries as given */
    g_ptr_array_sort(sorted, mdevctl_def_cmp);

    out = g_string_sized_new(256 * sorted->len);
    g_string_append(out, "[");
    json_indent(out, 1);
    g_string_append(out, "{");
    for (guint i = 0; i < sorted->len; i++) {
        const VccwMdevctlDef *def = g_ptr_array_index(sorted, i);
        const char *parent = def->parent ? def->parent : "";
        char uuidstr[VCCW_UUID_STRING_BUFLEN];

        if (!cur || !g_str_equal(cur, parent)) {
            if (cur) {
                json_indent(out, 2);
                g_string_append(out, "],");
            }
            json_indent(out, 2);
            json_put_string(out, parent);
            g_string_append(out, ": [");
            cur = parent;
        } else {
            g_string_append_c(out, ',');
        }
        json_indent(out, 3);
        g_string_append_c(out, '{');
        json_indent(out, 4);
        vccw_uuid_format(def->uuid, uuidstr);
        json_put_string(out, uuidstr);
        g_string_append(out, ": ");
        json_put_def(out, def, 4);
        json_indent(out, 3);
        g_string_append_c(out, '}');
    }
    json_indent(out, 2);
    g_string_append_c(out, ']');
    json_indent(out, 1);
    g_string_append_c(out, '}');
    json_indent(out, 0);
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}
