/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: what the command files share. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "qemu_capabilities.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2,
       EXIT_SKIPPED = 3   /* autostart: nothing failed, something was skipped */ };

typedef struct {
    char *caps_file;   /* --emulator-caps */
    char *cache_dir;   /* --caps-cache */
    char *root;        /* --root or $VIRTCCW_ROOT: the host root */
    char *libvirt_version; /* --libvirt-version: the libvirt release to follow */
} GlobalOpts;

typedef struct {
    const char *name;
    const char *args;
    const char *help;
    int (*run)(const GlobalOpts *opts, int argc, char **argv);
} Command;

/* Print "error: MESSAGE" and free @err; returns EXIT_REFUSED. */
int cli_fail(GError *err);
int cli_usage_error(const char *name, const char *args);
/* Select the libvirt release the domain code follows (--libvirt-version,
 * $VIRTCCW_LIBVIRT_VERSION, the installed libvirt, the fallback); only
 * commands that build XML or a command line need it. */
bool cli_choose_libvirt_release(const GlobalOpts *opts, GError **err);
/* The capabilities of the emulator of the domain @xml (its <emulator>, or
 * qemu-system-<arch>), from --emulator-caps or the cache; the libvirt
 * release must be chosen first (cli_choose_libvirt_release). */
VccwQemuCaps *cli_domain_caps(const GlobalOpts *opts, const char *xml, size_t len,
                              const char *url, GError **err);
/* Read FILE ('-' for stdin) fully. */
bool cli_read_input(const char *path, char **data, size_t *len, GError **err);

/* Split argv into options (--x, with values for those in @with_value)
 * and positional arguments; false on an unknown option. */
bool cli_parse_args(int argc, char **argv, const char *const *flags,
                    const char *const *with_value, GHashTable *opts,
                    GPtrArray *positional);

extern const Command cli_domain_commands[];
extern const size_t cli_domain_commands_len;
extern const Command cli_nodedev_commands[];
extern const size_t cli_nodedev_commands_len;
extern const Command cli_hostdev_commands[];
extern const size_t cli_hostdev_commands_len;
extern const Command cli_udev_commands[];
extern const size_t cli_udev_commands_len;
