/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: node-device XML, parsed as nodedev-create,
 * nodedev-define and whole dumpxml documents, then every way of
 * formatting what parsed. Seed it with the .xml files of
 * tests/nodedevxml2xmldata. Any crash, leak or sanitizer report is a
 * bug, and so is a whole document whose formatted output does not
 * parse back to the same output: errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "node_device_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned int format_flags[] = {
    0,
    VCCW_NODEDEV_FORMAT_INACTIVE,
    VCCW_NODEDEV_FORMAT_START,
    VCCW_NODEDEV_FORMAT_INACTIVE | VCCW_NODEDEV_FORMAT_START,
};

static void
one_mode(const uint8_t *data, size_t size, VccwNodeDevParseMode mode)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwNodeDevDef) def = vccw_nodedev_def_parse((const char *)data, size, "fuzz",
                                                           mode, &err);

    if (!def) {
        if (!err || !err->message)
            abort();   /* every failure says why */
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(format_flags); i++) {
        g_autofree char *xml = vccw_nodedev_def_format(def, format_flags[i]);
        g_autoptr(GError) err2 = NULL;
        g_autoptr(VccwNodeDevDef) again = NULL;
        g_autofree char *xml2 = NULL;

        if (!xml)
            abort();
        if (mode != VCCW_NODEDEV_PARSE_EXISTING)
            continue;   /* no <name> yet: not a whole document */
        if (!(again = vccw_nodedev_def_parse(xml, strlen(xml), "fuzz-out",
                                             VCCW_NODEDEV_PARSE_EXISTING, &err2)))
            abort();   /* our own output must parse */
        xml2 = vccw_nodedev_def_format(again, format_flags[i]);
        if (!xml2 || strcmp(xml, xml2) != 0)
            abort();   /* and format the same */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_mode(data, size, VCCW_NODEDEV_PARSE_CREATE);
    one_mode(data, size, VCCW_NODEDEV_PARSE_DEFINE);
    one_mode(data, size, VCCW_NODEDEV_PARSE_EXISTING);
    return 0;
}
