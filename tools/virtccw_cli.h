/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: what the virtccw binary and its commands module share.
 *
 * The virtccw binary runs nodedev-list itself and loads the commands
 * module (virtccw-commands.so) for every other command: the module links
 * the XML, QEMU and host-device code, and with it libxml2, whose start
 * (ICU, libstdc++) costs more than a short listing (see virtccw.c).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

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

/* What the commands module exports, under the name
 * VIRTCCW_CLI_MODULE_SYMBOL. @version is the module's VIRTCCW_VERSION:
 * the binary refuses a module of another build, since GlobalOpts has no
 * stable layout. */
typedef struct {
    const char *version;
    /* the whole usage text, options and every command */
    void (*usage)(FILE *out);
    /* run @command; -1 when there is no such command */
    int (*run)(const GlobalOpts *opts, const char *command, int argc, char **argv);
} VccwCliModule;
#define VIRTCCW_CLI_MODULE_SYMBOL "virtccw_cli_module"

/* Print "error: MESSAGE" and free @err; returns EXIT_REFUSED. */
int cli_fail(GError *err);
int cli_usage_error(const char *name, const char *args);
/* Read FILE ('-' for stdin) fully. */
bool cli_read_input(const char *path, char **data, size_t *len, GError **err);

/* Split argv into options (--x, with values for those in @with_value)
 * and positional arguments; false on an unknown option. */
bool cli_parse_args(int argc, char **argv, const char *const *flags,
                    const char *const *with_value, GHashTable *opts,
                    GPtrArray *positional);

/* nodedev-list (virtccw_list.c) */
int cli_nodedev_list(const GlobalOpts *opts, int argc, char **argv);
