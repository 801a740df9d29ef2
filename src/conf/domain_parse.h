/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: parsing domain XML into a VccwDomainDef. */
#pragma once

#include <libxml/tree.h>

#include "domain_conf.h"

/* Read a document from memory, refusing oversized or malformed input. */
xmlDocPtr vccw_domain_xml_read(const char *xml, size_t len, const char *url,
                               GError **err);

/* The <domain> element @root -> def, without post-parse defaults. */
VccwDomainDef *vccw_domain_def_parse_node(xmlNodePtr root, GError **err);
