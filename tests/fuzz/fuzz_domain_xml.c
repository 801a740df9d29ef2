/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the whole domain pipeline (schema, parse, defaults,
 * addresses, validation, command line, formatting) on arbitrary bytes.
 * Any crash, leak or sanitizer report is a bug; errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "domain_format.h"
#include "libvirt_release.h"
#include "qemu_command.h"
#include "qemu_domain.h"

static VccwQemuCaps *caps;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = g_getenv("VIRTCCW_FUZZ_CAPS");
    g_autoptr(GError) err = NULL;

    if (!path)
        path = VIRTCCW_FUZZ_CAPS_DEFAULT;
    if (!(caps = vccw_qemu_caps_load_file(path, &err)))
        g_error("cannot load %s: %s", path, err->message);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwDomainDef) def = vccw_qemu_domain_load((const char *)data, size,
                                                         "fuzz", caps, &err);
    g_autoptr(VccwQemuCommand) cmd = NULL;

    if (!def)
        return 0;
    g_free(vccw_domain_def_format(def));
    g_clear_error(&err);
    if ((cmd = vccw_qemu_build_command(def, caps, &err)))
        g_free(vccw_qemu_command_to_string(cmd));
    g_clear_pointer(&cmd, vccw_qemu_command_free);
    g_clear_error(&err);
    /* the same definition under every other libvirt release's behaviours */
    for (int r = 0; r < VCCW_LIBVIRT_LAST; r++) {
        if (r == VCCW_LIBVIRT_RELEASE_DEFAULT)
            continue;
        vccw_libvirt_release_set(r);
        if ((cmd = vccw_qemu_build_command(def, caps, &err)))
            g_free(vccw_qemu_command_to_string(cmd));
        g_clear_pointer(&cmd, vccw_qemu_command_free);
        g_clear_error(&err);
    }
    vccw_libvirt_release_set(VCCW_LIBVIRT_RELEASE_DEFAULT);
    return 0;
}
