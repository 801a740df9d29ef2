/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the domain commands and the helpers all commands share. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "qemu_capabilities.h"
#include "qemu_command.h"
#include "qemu_domain.h"
#include "qemu_release.h"
#include "domain_format.h"
#include "vccw_error.h"
#include "virtccw.h"

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
cli_choose_libvirt_release(const GlobalOpts *opts, GError **err)
{
    VccwLibvirtRelease rel;

    if (!vccw_libvirt_release_choose(opts->libvirt_version, &rel, err))
        return false;
    vccw_libvirt_release_set(rel);
    return true;
}

/* The emulator's capabilities: a recorded file, or a probe of the
 * emulator the domain names (through the cache). */
VccwQemuCaps *
cli_domain_caps(const GlobalOpts *opts, const char *xml, size_t len, const char *url, GError **err)
{
    g_autoptr(VccwDomainDef) def = NULL;
    g_autofree char *emulator = NULL;

    if (opts->caps_file)
        return vccw_qemu_caps_load_file(opts->caps_file, err);
    if (!(def = vccw_domain_load_parse_only(xml, len, url, err)))
        return NULL;
    if (def->emulator)
        emulator = g_strdup(def->emulator);
    else
        emulator = g_strdup_printf("/usr/bin/qemu-system-%s", def->arch ? def->arch : "s390x");
    return vccw_qemu_caps_cache_lookup(emulator, opts->cache_dir, err);
}

static VccwDomainDef *
load_domain(const GlobalOpts *opts, const char *path, VccwQemuCaps **caps_out, GError **err)
{
    g_autofree char *xml = NULL;
    size_t len = 0;
    g_autoptr(VccwQemuCaps) caps = NULL;
    VccwDomainDef *def;

    if (!cli_choose_libvirt_release(opts, err) ||
        !cli_read_input(path, &xml, &len, err))
        return NULL;
    if (!(caps = cli_domain_caps(opts, xml, len, path, err)))
        return NULL;
    if (!(def = vccw_qemu_domain_load(xml, len, path, caps, err)))
        return NULL;
    if (caps_out)
        *caps_out = g_steal_pointer(&caps);
    return def;
}

static int
cmd_domxml_to_native(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwQemuCaps) caps = NULL;
    g_autoptr(VccwDomainDef) def = NULL;
    g_autoptr(VccwQemuCommand) cmd = NULL;
    g_autofree char *line = NULL;
    GError *err = NULL;

    if (argc != 2 || !g_str_equal(argv[0], "qemu-argv")) {
        fprintf(stderr, "usage: virtccw domxml-to-native qemu-argv FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[1], &caps, &err)))
        return cli_fail(err);
    if (!(cmd = vccw_qemu_build_command(def, caps, &err)))
        return cli_fail(err);
    line = vccw_qemu_command_to_string(cmd);
    printf("%s\n", line);
    return EXIT_OK;
}

static int
cmd_domxml_normalize(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    GError *err = NULL;

    if (argc != 1) {
        fprintf(stderr, "usage: virtccw domxml-normalize FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[0], NULL, &err)))
        return cli_fail(err);
    xml = vccw_domain_def_format(def);
    fputs(xml, stdout);
    return EXIT_OK;
}

static int
cmd_validate(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwDomainDef) def = NULL;
    GError *err = NULL;

    if (argc != 1) {
        fprintf(stderr, "usage: virtccw validate FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[0], NULL, &err)))
        return cli_fail(err);
    printf("%s validates\n", argv[0]);
    return EXIT_OK;
}

const Command cli_domain_commands[] = {
    { "domxml-to-native", "qemu-argv FILE",
      "print the QEMU command line for a domain (one line, shell-quoted)",
      cmd_domxml_to_native },
    { "domxml-normalize", "FILE",
      "print the domain XML with defaults and addresses filled in",
      cmd_domxml_normalize },
    { "validate", "FILE", "check a domain against the schema and the rules",
      cmd_validate },
};
const size_t cli_domain_commands_len = G_N_ELEMENTS(cli_domain_commands);

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
