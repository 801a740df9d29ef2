/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the command-line front end.
 *
 * Commands are tables (name, usage, handler) in virtccw_domain.c and
 * virtccw_nodedev.c; each handler returns an exit status: 0 success,
 * 1 the input or operation was refused, 2 the command line was wrong.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libvirt_release.h"
#include "virtccw.h"
#include "virtccw_config.h"

static const struct {
    const Command *cmds;
    const size_t *len;
} command_tables[] = {
    { cli_domain_commands, &cli_domain_commands_len },
    { cli_nodedev_commands, &cli_nodedev_commands_len },
    { cli_hostdev_commands, &cli_hostdev_commands_len },
    { cli_udev_commands, &cli_udev_commands_len },
};

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: virtccw [OPTIONS] COMMAND [ARGS]\n\n"
            "Options:\n"
            "  --emulator-caps FILE  use recorded QEMU capabilities instead of probing\n"
            "  --caps-cache DIR      where probed capabilities are cached\n"
            "                        (default $XDG_CACHE_HOME/virtccw/qemucaps)\n"
            "  --root DIR            the host root for /sys, /etc, /dev, /run\n"
            "                        (default $VIRTCCW_ROOT or /)\n"
            "  --libvirt-version V   follow libvirt release V (9.0 or 11.3) in domain XML\n"
            "                        and command lines (default $VIRTCCW_LIBVIRT_VERSION,\n"
            "                        else the installed libvirt's, else 11.3) and in\n"
            "                        node devices (default $VIRTCCW_LIBVIRT_VERSION, else\n"
            "                        11.3, the release virtccwd serves)\n"
            "  --help, --version\n\nCommands:\n");
    for (size_t t = 0; t < G_N_ELEMENTS(command_tables); t++) {
        for (size_t i = 0; i < *command_tables[t].len; i++) {
            const Command *c = &command_tables[t].cmds[i];
            fprintf(out, "  %s %s\n      %s\n", c->name, c->args, c->help);
        }
    }
    fprintf(out, "\nFILE may be '-' for standard input. See virtccw(1).\n");
}

static void
global_opts_clear(GlobalOpts *opts)
{
    g_clear_pointer(&opts->caps_file, g_free);
    g_clear_pointer(&opts->cache_dir, g_free);
    g_clear_pointer(&opts->root, g_free);
    g_clear_pointer(&opts->libvirt_version, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(GlobalOpts, global_opts_clear)

int
main(int argc, char **argv)
{
    /* freed on every return, the refusals of a bad command line too */
    g_auto(GlobalOpts) opts = { 0 };
    int i = 1;

    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i];
        char **slot = g_str_equal(opt, "--emulator-caps") ? &opts.caps_file :
                      g_str_equal(opt, "--caps-cache") ? &opts.cache_dir :
                      g_str_equal(opt, "--root") ? &opts.root :
                      g_str_equal(opt, "--libvirt-version") ? &opts.libvirt_version : NULL;
        if (g_str_equal(opt, "--help")) {
            usage(stdout);
            return EXIT_OK;
        }
        if (g_str_equal(opt, "--version")) {
            printf("virtccw %s\n", VIRTCCW_VERSION);
            return EXIT_OK;
        }
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "virtccw: %s '%s'\n",
                    slot ? "missing value for option" : "unknown option", opt);
            usage(stderr);
            return EXIT_USAGE;
        }
        g_free(*slot);
        *slot = g_strdup(argv[++i]);
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (opts.libvirt_version && vccw_libvirt_release_parse(opts.libvirt_version) < 0) {
        fprintf(stderr, "virtccw: unknown libvirt version '%s' (expected MAJOR.MINOR, e.g. 9.0 or 11.3)\n",
                opts.libvirt_version);
        return EXIT_USAGE;
    }
    if (!opts.root && g_getenv("VIRTCCW_ROOT"))
        opts.root = g_strdup(g_getenv("VIRTCCW_ROOT"));
    for (size_t t = 0; t < G_N_ELEMENTS(command_tables); t++) {
        for (size_t c = 0; c < *command_tables[t].len; c++) {
            const Command *cmd = &command_tables[t].cmds[c];
            if (g_str_equal(argv[i], cmd->name))
                return cmd->run(&opts, argc - i - 1, argv + i + 1);
        }
    }
    fprintf(stderr, "virtccw: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
