/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: mdevctl's JSON, as one definition file and as a
 * `mdevctl list --dumpjson` document. Errors are fine; a crash, leak or
 * sanitizer report is a bug, and so is anything we accept that does not
 * read back to the same definitions and bytes once written, and so is a
 * fast-path answer (mdevctl_canonical.c) the general reader disagrees
 * with. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "mdevctl_store.h"
#include "mdevctl_canonical.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_uuid[VCCW_UUID_BUFLEN] = { 0xd0, 0x69, 0xd0, 0x19 };

static void
fuzz_def(const char *json, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwMdevctlDef) def = vccw_mdevctl_def_from_json(json, size, "0.0.0052",
                                                               fuzz_uuid, &err);
    g_autoptr(VccwMdevctlDef) again = NULL;
    g_autofree char *text = NULL, *text2 = NULL;

    if (!def) {
        if (!err)
            abort();
        return;
    }
    text = vccw_mdevctl_def_to_json(def);
    again = vccw_mdevctl_def_from_json(text, strlen(text), "0.0.0052", fuzz_uuid, &err);
    if (!again || !vccw_mdevctl_def_equal(def, again))
        abort();
    text2 = vccw_mdevctl_def_to_json(again);
    if (strcmp(text, text2) != 0)
        abort();
}

static void
fuzz_list(const char *json, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) defs = vccw_mdevctl_list_from_json(json, size, &err);
    g_autoptr(GPtrArray) again = NULL;
    g_autofree char *text = NULL, *text2 = NULL;

    if (!defs) {
        if (!err)
            abort();
        return;
    }
    text = vccw_mdevctl_list_to_json(defs);
    again = vccw_mdevctl_list_from_json(text, strlen(text), &err);
    if (!again || again->len != defs->len)
        abort();
    text2 = vccw_mdevctl_list_to_json(again);
    if (strcmp(text, text2) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so that reading past @size is caught */
    g_autofree char *copy = g_memdup2(data, size);

    /* where the fast path answers, the general reader must agree */
    if (!vccw_mdevctl_canonical_agrees(copy, size))
        abort();
    fuzz_def(copy, size);
    fuzz_list(copy, size);
    return 0;
}
