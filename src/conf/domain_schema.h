/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: RelaxNG validation of domain XML against
 * src/conf/schemas/domain-ccw.rng. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

/* Where the schema is read from: $VIRTCCW_SCHEMA_DIR, else the source
 * tree when running uninstalled, else the installed data directory. */
char *vccw_schema_path(const char *name);

/* Validate @doc; on failure @err names the first offending line. */
bool vccw_domain_schema_validate(xmlDocPtr doc, GError **err);
