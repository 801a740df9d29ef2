/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the helpers every command shares (in the virtccw binary
 * and in the commands module alike). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "vccw_error.h"
#include "virtccw_cli.h"

int
cli_fail(GError *err)
{
    fprintf(stderr, "error: %s\n", err->message);
    g_error_free(err);
    return EXIT_REFUSED;
}

int
cli_usage_error(const char *name, const char *args)
{
    fprintf(stderr, "usage: virtccw %s %s\n", name, args);
    return EXIT_USAGE;
}

bool
cli_read_input(const char *path, char **data, size_t *len, GError **err)
{
    g_autoptr(GError) gerr = NULL;

    if (g_str_equal(path, "-")) {
        GString *buf = g_string_new(NULL);
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
            g_string_append_len(buf, chunk, n);
        *len = buf->len;
        *data = g_string_free(buf, FALSE);
        return true;
    }
    if (!g_file_get_contents(path, data, len, &gerr)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot read '%s': %s",
                       path, gerr->message);
        return false;
    }
    return true;
}

bool
cli_parse_args(int argc, char **argv, const char *const *flags,
               const char *const *with_value, GHashTable *opts, GPtrArray *positional)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (g_str_has_prefix(a, "--") && a[2]) {
            if (flags && g_strv_contains(flags, a)) {
                g_hash_table_insert(opts, g_strdup(a), g_strdup(""));
            } else if (with_value && g_strv_contains(with_value, a) && i + 1 < argc) {
                g_hash_table_insert(opts, g_strdup(a), g_strdup(argv[++i]));
            } else {
                fprintf(stderr, "virtccw: unknown or incomplete option '%s'\n", a);
                return false;
            }
        } else {
            g_ptr_array_add(positional, (char *)a);
        }
    }
    return true;
}
