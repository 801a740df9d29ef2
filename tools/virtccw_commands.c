/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the commands module (virtccw-commands.so), loaded by the
 * virtccw binary for every command but nodedev-list (see virtccw.c).
 *
 * Commands are tables (name, usage, handler) in virtccw_domain.c,
 * virtccw_nodedev.c, virtccw_hostdev.c and virtccw_udev.c; each handler
 * returns an exit status: 0 success, 1 the input or operation was
 * refused, 2 the command line was wrong.
 */
#include <stdio.h>
#include <glib.h>

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

static int
run(const GlobalOpts *opts, const char *command, int argc, char **argv)
{
    for (size_t t = 0; t < G_N_ELEMENTS(command_tables); t++) {
        for (size_t c = 0; c < *command_tables[t].len; c++) {
            const Command *cmd = &command_tables[t].cmds[c];
            if (g_str_equal(command, cmd->name))
                return cmd->run(opts, argc, argv);
        }
    }
    return -1;
}

/* the module's one exported symbol (the build hides every other one) */
__attribute__((visibility("default"))) const VccwCliModule virtccw_cli_module = {
    .version = VIRTCCW_VERSION,
    .usage = usage,
    .run = run,
};
