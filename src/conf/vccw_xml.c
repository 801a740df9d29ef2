/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_xml.h"
#include "vccw_error.h"
#include "vccw_number.h"
#include "domain_conf.h"

#include <string.h>

char *
vccw_xml_prop(xmlNodePtr node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

char *
vccw_xml_text(xmlNodePtr node)
{
    xmlChar *val = xmlNodeGetContent(node);
    char *ret = g_strdup(val ? (const char *)val : "");

    xmlFree(val);
    return ret;
}

xmlNodePtr
vccw_xml_next_element(xmlNodePtr node)
{
    while (node && node->type != XML_ELEMENT_NODE)
        node = node->next;
    return node;
}

xmlNodePtr
vccw_xml_child(xmlNodePtr node, const char *name)
{
    VCCW_XML_FOREACH_CHILD(node, cur) {
        if (xmlStrEqual(cur->name, (const xmlChar *)name))
            return cur;
    }
    return NULL;
}

static bool
name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++) {
        if (strcmp(list[i], name) == 0)
            return true;
    }
    return false;
}

bool
vccw_xml_check_children(xmlNodePtr node, const char *const *allowed, GError **err)
{
    VCCW_XML_FOREACH_CHILD(node, cur) {
        if (!name_in((const char *)cur->name, allowed)) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "element <%s> in <%s> (line %ld) is not supported by virtccw",
                           (const char *)cur->name, (const char *)node->name,
                           (long)xmlGetLineNo(cur));
            return false;
        }
    }
    return true;
}

bool
vccw_xml_check_attrs(xmlNodePtr node, const char *const *allowed, GError **err)
{
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        if (!name_in((const char *)a->name, allowed)) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "attribute '%s' of element <%s> (line %ld) is not supported by virtccw",
                           (const char *)a->name, (const char *)node->name,
                           (long)xmlGetLineNo(node));
            return false;
        }
    }
    return true;
}

static int
prop_missing(xmlNodePtr node, const char *name, VccwXmlPropFlags flags, GError **err)
{
    if (flags & VCCW_XML_PROP_REQUIRED) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Missing required attribute '%s' in element '%s'",
                       name, (const char *)node->name);
        return -1;
    }
    return 0;
}

int
vccw_xml_prop_uint(xmlNodePtr node, const char *name, int base,
                   VccwXmlPropFlags flags, unsigned int *out, GError **err)
{
    g_autofree char *val = vccw_xml_prop(node, name);

    if (!val)
        return prop_missing(node, name, flags, err);
    if (!vccw_parse_uint(val, base, out)) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute '%s' in element '%s': '%s'. Expected non-negative integer value",
                       name, (const char *)node->name, val);
        return -1;
    }
    if ((flags & VCCW_XML_PROP_NONZERO) && *out == 0) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute '%s' in element '%s': Zero is not permitted",
                       name, (const char *)node->name);
        return -1;
    }
    return 1;
}

int
vccw_xml_prop_int(xmlNodePtr node, const char *name, int base,
                  VccwXmlPropFlags flags, int *out, GError **err)
{
    g_autofree char *val = vccw_xml_prop(node, name);

    if (!val)
        return prop_missing(node, name, flags, err);
    if (!vccw_parse_int(val, base, out)) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute '%s' in element '%s': '%s'. Expected integer value",
                       name, (const char *)node->name, val);
        return -1;
    }
    return 1;
}

int
vccw_xml_prop_enum(xmlNodePtr node, const char *name,
                   int (*from_string)(const char *),
                   VccwXmlPropFlags flags, int *out, GError **err)
{
    g_autofree char *val = vccw_xml_prop(node, name);
    int v;

    if (!val)
        return prop_missing(node, name, flags, err);
    v = from_string(val);
    /* index 0 of a tristate table is the "absent" value, never valid text */
    if (v < 0 || ((flags & VCCW_XML_PROP_NONZERO) && v == 0)) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute '%s' in element '%s': '%s'.",
                       name, (const char *)node->name, val);
        return -1;
    }
    *out = v;
    return 1;
}

int
vccw_xml_prop_tristate_bool(xmlNodePtr node, const char *name, int *out, GError **err)
{
    *out = VCCW_TRISTATE_ABSENT;
    return vccw_xml_prop_enum(node, name, vccw_tristate_bool_from_string,
                              VCCW_XML_PROP_NONZERO, out, err);
}

int
vccw_xml_prop_tristate_switch(xmlNodePtr node, const char *name, int *out, GError **err)
{
    *out = VCCW_TRISTATE_ABSENT;
    return vccw_xml_prop_enum(node, name, vccw_tristate_switch_from_string,
                              VCCW_XML_PROP_NONZERO, out, err);
}

int
vccw_xml_prop_oneof(xmlNodePtr node, const char *name, const char *const *values,
                    VccwXmlPropFlags flags, char **out, GError **err)
{
    g_autofree char *val = vccw_xml_prop(node, name);

    if (!val)
        return prop_missing(node, name, flags, err);
    if (!name_in(val, values)) {
        g_autofree char *list = g_strjoinv("', '", (char **)values);
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "value '%s' of attribute '%s' in element <%s> is not supported by virtccw (supported: '%s')",
                       val, name, (const char *)node->name, list);
        return -1;
    }
    *out = g_steal_pointer(&val);
    return 1;
}

void
vccw_xml_escape(GString *buf, const char *str)
{
    for (const char *p = str; *p; p++) {
        switch (*p) {
        case '<': g_string_append(buf, "&lt;"); break;
        case '>': g_string_append(buf, "&gt;"); break;
        case '&': g_string_append(buf, "&amp;"); break;
        case '\'': g_string_append(buf, "&apos;"); break;
        case '"': g_string_append(buf, "&quot;"); break;
        default: g_string_append_c(buf, *p); break;
        }
    }
}
