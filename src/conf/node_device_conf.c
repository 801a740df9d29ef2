/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node devices (css subchannels, ccw devices, mdevs, ccwgroup
 * devices, the root "computer"): the model, libvirt's device names and
 * ccw ids. Formatting is in node_device_format.c, parsing (the only part
 * that needs libxml2) in node_device_parse.c: the name-only listing of
 * `virtccw nodedev-list` links this file alone, so that it does not load
 * libxml2 (and the ICU and C++ libraries it brings) at start.
 * See docs/formatnode-ccw.rst and tests/nodedev-vs-libvirt.md.
 */
#include "node_device_conf.h"

#include <string.h>

VCCW_ENUM_IMPL(vccw_nodedev_cap, VCCW_NODEDEV_CAP_LAST,
               "system", "css", "ccw", "mdev", "ccwgroup", "mdev_types")
VCCW_ENUM_IMPL(vccw_ccw_state, VCCW_CCW_STATE_LAST,
               "offline", "online")
VCCW_ENUM_IMPL(vccw_ccwgroup_type, VCCW_CCWGROUP_TYPE_LAST,
               "qeth_generic", "qeth_layer2", "qeth_layer3")
VCCW_ENUM_IMPL(vccw_mdev_start, VCCW_MDEV_START_LAST,
               "manual", "auto")

/* ------------------------------------------------------------------ */
/* Constructors */

VccwNodeDevDef *
vccw_nodedev_def_new(VccwNodeDevCapType type)
{
    VccwNodeDevDef *def = g_new0(VccwNodeDevDef, 1);

    def->type = type;
    def->iommu_group = -1;
    def->start = VCCW_MDEV_START_MANUAL;
    def->ccw_state = VCCW_CCW_STATE_LAST;
    if (type == VCCW_NODEDEV_CAP_CCWGROUP)
        def->members = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_ccwgroup_member_free);
    if (type == VCCW_NODEDEV_CAP_CSS)
        def->mdev_types = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_type_free);
    if (type == VCCW_NODEDEV_CAP_MDEV)
        def->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_attr_free);
    return def;
}

void
vccw_nodedev_def_free(VccwNodeDevDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->sysfs_path);
    g_free(def->parent);
    g_free(def->driver);
    if (def->mdev_types)
        g_ptr_array_unref(def->mdev_types);
    g_free(def->mdev_type);
    g_free(def->defined_mdev_type);
    g_free(def->parent_addr);
    if (def->attrs)
        g_ptr_array_unref(def->attrs);
    g_free(def->group_device);
    if (def->members)
        g_ptr_array_unref(def->members);
    g_free(def->card_type);
    g_free(def->chpid);
    g_free(def);
}

VccwMdevType *
vccw_mdev_type_new(const char *id, const char *name, const char *device_api,
                   unsigned int available)
{
    VccwMdevType *type = g_new0(VccwMdevType, 1);

    type->id = g_strdup(id);
    type->name = g_strdup(name);
    type->device_api = g_strdup(device_api);
    type->available = available;
    return type;
}

void
vccw_mdev_type_free(VccwMdevType *type)
{
    if (!type)
        return;
    g_free(type->id);
    g_free(type->name);
    g_free(type->device_api);
    g_free(type);
}

VccwMdevAttr *
vccw_mdev_attr_new(const char *name, const char *value)
{
    VccwMdevAttr *attr = g_new0(VccwMdevAttr, 1);

    attr->name = g_strdup(name);
    attr->value = g_strdup(value);
    return attr;
}

void
vccw_mdev_attr_free(VccwMdevAttr *attr)
{
    if (!attr)
        return;
    g_free(attr->name);
    g_free(attr->value);
    g_free(attr);
}

VccwCcwGroupMember *
vccw_ccwgroup_member_new(const char *ref, const char *device)
{
    VccwCcwGroupMember *member = g_new0(VccwCcwGroupMember, 1);

    member->ref = g_strdup(ref);
    member->device = g_strdup(device);
    return member;
}

void
vccw_ccwgroup_member_free(VccwCcwGroupMember *member)
{
    if (!member)
        return;
    g_free(member->ref);
    g_free(member->device);
    g_free(member);
}

/* ------------------------------------------------------------------ */
/* Names and bus ids */

/* libvirt's udevGenerateDeviceName: every non-alphanumeric becomes '_'. */
static char *
sanitize_name(char *name)
{
    for (char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p))
            *p = '_';
    }
    return name;
}

/* "<prefix>_%x_%x_%04x", built by hand: listings name every device. */
size_t
vccw_nodedev_format_bus_name(char buf[VCCW_NODEDEV_BUS_NAME_BUFLEN], const char *prefix,
                             const VccwCcwId *id)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned int parts[] = { id->cssid, id->ssid, id->devno };
    const unsigned int min_digits[] = { 1, 1, 4 };
    /* the three parts take at most 3 x 9 bytes, the NUL one more */
    size_t n = g_strlcpy(buf, prefix, VCCW_NODEDEV_BUS_NAME_BUFLEN - 28);

    n = MIN(n, VCCW_NODEDEV_BUS_NAME_BUFLEN - 29);
    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        char digits[8];
        size_t nd = 0;
        unsigned int v = parts[i];

        do {
            digits[nd++] = hex[v & 0xf];
            v >>= 4;
        } while ((v || nd < min_digits[i]) && nd < sizeof(digits));
        buf[n++] = '_';
        while (nd)
            buf[n++] = digits[--nd];
    }
    buf[n] = '\0';
    return n;
}

static char *
bus_name(const char *prefix, const VccwCcwId *id)
{
    char buf[VCCW_NODEDEV_BUS_NAME_BUFLEN];
    size_t n = vccw_nodedev_format_bus_name(buf, prefix, id);

    return g_strndup(buf, n);
}

char *
vccw_nodedev_name_css(const VccwCcwId *id)
{
    return bus_name("css", id);
}

char *
vccw_nodedev_name_ccw(const VccwCcwId *id)
{
    return bus_name("ccw", id);
}

char *
vccw_nodedev_name_ccwgroup(const VccwCcwId *id)
{
    return bus_name("ccwgroup", id);
}

char *
vccw_nodedev_name_mdev(const unsigned char *uuid, const char *parent_addr)
{
    char uuidstr[VCCW_UUID_STRING_BUFLEN];

    vccw_uuid_format(uuid, uuidstr);
    return sanitize_name(g_strconcat("mdev_", uuidstr, parent_addr ? "_" : "",
                                     parent_addr ? parent_addr : "", NULL));
}

bool
vccw_nodedev_parse_bus_name(const char *name, const char *prefix, VccwCcwId *id)
{
    g_autofree char *dotted = NULL;
    size_t plen = strlen(prefix);

    if (strncmp(name, prefix, plen) != 0)
        return false;
    dotted = g_strdup(name + plen);
    g_strdelimit(dotted, "_", '.');
    return vccw_ccw_id_parse(dotted, id);
}

bool
vccw_nodedev_parse_mdev_name(const char *name, unsigned char *uuid, char **parent)
{
    static const char prefix[] = "mdev_";
    char str[VCCW_UUID_STRING_BUFLEN];
    const char *rest;
    VccwCcwId id;

    *parent = NULL;
    if (strncmp(name, prefix, strlen(prefix)) != 0)
        return false;
    rest = name + strlen(prefix);
    if (strlen(rest) < VCCW_UUID_STRING_BUFLEN - 1)
        return false;
    memcpy(str, rest, VCCW_UUID_STRING_BUFLEN - 1);
    str[VCCW_UUID_STRING_BUFLEN - 1] = '\0';
    for (size_t i = 8; i <= 23; i += 5) {
        if (str[i] != '_')
            return false;
        str[i] = '-';
    }
    if (!vccw_uuid_is_canonical(str) || !vccw_uuid_parse(str, uuid))
        return false;
    rest += VCCW_UUID_STRING_BUFLEN - 1;
    if (*rest == '\0')
        return true;
    if (*rest != '_' || !vccw_nodedev_parse_bus_name(rest + 1, "", &id))
        return false;
    *parent = vccw_ccw_id_format(&id);
    return true;
}

/* Lower-case hex digits only, between @min and @max of them; no leading
 * zero unless the number is 0 (when @canonical). */
static const char *
parse_hex_field(const char *p, size_t min, size_t max, bool canonical,
                unsigned int *out)
{
    size_t n = 0;
    unsigned int val = 0;

    while (n < max && ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'f'))) {
        val = (val << 4) | (unsigned int)g_ascii_xdigit_value(p[n]);
        n++;
    }
    if (n < min)
        return NULL;
    if (canonical && n > 1 && p[0] == '0')
        return NULL;
    *out = val;
    return p + n;
}

bool
vccw_ccw_id_parse(const char *str, VccwCcwId *id)
{
    VccwCcwId tmp;
    const char *p = str;

    /* the kernel's "%x.%x.%04x" */
    if (!p || !(p = parse_hex_field(p, 1, 2, true, &tmp.cssid)) || *p++ != '.')
        return false;
    if (!(p = parse_hex_field(p, 1, 1, true, &tmp.ssid)) || *p++ != '.')
        return false;
    if (!(p = parse_hex_field(p, 4, 4, false, &tmp.devno)) || *p != '\0')
        return false;
    if (tmp.ssid > 3)
        return false;
    *id = tmp;
    return true;
}

char *
vccw_ccw_id_format(const VccwCcwId *id)
{
    return g_strdup_printf("%x.%x.%04x", id->cssid, id->ssid, id->devno);
}
