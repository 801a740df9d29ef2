/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: what the pieces of the mdevctl store share (the model,
 * mdevctl_def.c; the JSON writer and reader; the store on disk) and
 * nothing else includes. The public API is mdevctl_store.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_uuid.h"

/* A definition's file name: the canonical lower-case form mdevctl writes. */
bool mdevctl_uuid_name_parse(const char *name, unsigned char uuid[VCCW_UUID_BUFLEN]);

/* An mdev type must be usable as one sysfs file name. */
bool mdevctl_type_is_valid(const char *type);

/* mdevctl's order of definitions: by parent, then by uuid (for
 * g_ptr_array_sort over VccwMdevctlDef pointers). */
gint mdevctl_def_cmp(gconstpointer a, gconstpointer b);
