/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: small helpers over libxml2 for the parsers, each producing
 * libvirt's error text for the same mistake. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

/* Attribute value (g_free it) or NULL when absent. */
char *vccw_xml_prop(xmlNodePtr node, const char *name);

/* Text content of @node (g_free it). */
char *vccw_xml_text(xmlNodePtr node);

/* First element child named @name, or NULL. */
xmlNodePtr vccw_xml_child(xmlNodePtr node, const char *name);

/* Next element sibling (starting from @node itself when @self). */
xmlNodePtr vccw_xml_next_element(xmlNodePtr node);
#define VCCW_XML_FOREACH_CHILD(parent, cur) \
    for (xmlNodePtr cur = vccw_xml_next_element((parent)->children); cur; \
         cur = vccw_xml_next_element(cur->next))

/* Refuse element children and attributes not listed (NULL-terminated),
 * naming the first offender: nothing we do not model passes silently. */
bool vccw_xml_check_children(xmlNodePtr node, const char *const *allowed,
                             GError **err);
bool vccw_xml_check_attrs(xmlNodePtr node, const char *const *allowed,
                          GError **err);
/* Refuse non-whitespace text directly inside an element that has none. */

typedef enum {
    VCCW_XML_PROP_OPTIONAL = 0,
    VCCW_XML_PROP_REQUIRED = 1 << 0,
    VCCW_XML_PROP_NONZERO = 1 << 1,
} VccwXmlPropFlags;

/* 1: parsed, 0: absent (optional), -1: error. Numbers use base @base. */
int vccw_xml_prop_uint(xmlNodePtr node, const char *name, int base,
                       VccwXmlPropFlags flags, unsigned int *out, GError **err);
int vccw_xml_prop_int(xmlNodePtr node, const char *name, int base,
                      VccwXmlPropFlags flags, int *out, GError **err);
/* Enum through a from_string function; the error names the value. */
int vccw_xml_prop_enum(xmlNodePtr node, const char *name,
                       int (*from_string)(const char *),
                       VccwXmlPropFlags flags, int *out, GError **err);
/* Tristates "yes"/"no" and "on"/"off". */
int vccw_xml_prop_tristate_bool(xmlNodePtr node, const char *name,
                                int *out, GError **err);
int vccw_xml_prop_tristate_switch(xmlNodePtr node, const char *name,
                                  int *out, GError **err);
/* A string attribute restricted to a fixed set. */
int vccw_xml_prop_oneof(xmlNodePtr node, const char *name,
                        const char *const *values, VccwXmlPropFlags flags,
                        char **out, GError **err);

/* Escape @str for an attribute value or text node into @buf. */
void vccw_xml_escape(GString *buf, const char *str);
