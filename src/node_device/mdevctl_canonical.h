/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the fast path for reading mdevctl definitions (internal). */
#pragma once

#include "mdevctl_store.h"

#include <stdbool.h>

/* The definition in @json when it is byte for byte what mdevctl writes
 * for a definition without attributes and a plain ASCII type; NULL
 * otherwise (no error: the caller then uses the general reader, which
 * gives the same result for these bytes). */
VccwMdevctlDef *vccw_mdevctl_def_from_canonical(const char *json, size_t len,
                                                const char *parent,
                                                const unsigned char *uuid);

/* The general reader alone (vccw_mdevctl_def_from_json without the fast
 * path). */
VccwMdevctlDef *vccw_mdevctl_def_from_json_general(const char *json, size_t len,
                                                   const char *parent,
                                                   const unsigned char *uuid,
                                                   GError **err);

/* For tests: false when the fast path answers for @json and the general
 * reader does not give the same definition. */
bool vccw_mdevctl_canonical_agrees(const char *json, size_t len);
