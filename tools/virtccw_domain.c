/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the domain commands. */
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
