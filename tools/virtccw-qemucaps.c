/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-qemucaps: record and inspect QEMU capabilities files.
 *
 *   virtccw-qemucaps record BINARY OUTFILE   probe BINARY, write OUTFILE
 *   virtccw-qemucaps show FILE               summarize a recorded file
 *   virtccw-qemucaps probe BINARY [CACHEDIR] probe through the cache
 *
 * tests/qemucapsdata/ is made with "record"; the files are facts about
 * one QEMU build, so re-record them when the installed QEMU changes.
 */
#include "qemu_capabilities.h"

#include <stdio.h>
#include <string.h>

static int
usage(FILE *out)
{
    fprintf(out,
            "usage: virtccw-qemucaps record BINARY OUTFILE\n"
            "       virtccw-qemucaps show FILE\n"
            "       virtccw-qemucaps probe BINARY [CACHEDIR]\n");
    return out == stdout ? 0 : 2;
}

static int
report(const VccwQemuCaps *caps, const char *extra)
{
    g_autofree char *summary = vccw_qemu_caps_format_summary(caps);

    fputs(summary, stdout);
    if (extra)
        printf("%s\n", extra);
    return 0;
}

static int
fail(GError *err)
{
    fprintf(stderr, "virtccw-qemucaps: %s\n", err->message);
    g_error_free(err);
    return 1;
}

int
main(int argc, char **argv)
{
    GError *err = NULL;
    g_autoptr(VccwQemuCaps) caps = NULL;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage(stdout);

    if (argc == 4 && strcmp(argv[1], "record") == 0) {
        if (!(caps = vccw_qemu_caps_probe(argv[2], &err)) ||
            !vccw_qemu_caps_save_file(caps, argv[3], &err))
            return fail(err);
        printf("recorded %s into %s\n", argv[2], argv[3]);
        return report(caps, NULL);
    }
    if (argc == 3 && strcmp(argv[1], "show") == 0) {
        if (!(caps = vccw_qemu_caps_load_file(argv[2], &err)))
            return fail(err);
        return report(caps, NULL);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "probe") == 0) {
        if (!(caps = vccw_qemu_caps_cache_lookup(argv[2], argc == 4 ? argv[3] : NULL, &err)))
            return fail(err);
        return report(caps, vccw_qemu_caps_from_cache(caps) ? "cache:    hit"
                                                            : "cache:    miss (probed)");
    }
    return usage(stderr);
}
