/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the QEMU command line for a domain, as libvirt 9.0 builds it
 * (`virsh domxml-to-native qemu-argv`). */
#pragma once

#include <glib.h>

#include "domain_conf.h"
#include "qemu_capabilities.h"

/* The environment assignments and argv, in order. */
typedef struct {
    GPtrArray *env;   /* "NAME=value" */
    GPtrArray *argv;  /* argv[0] is the emulator */
} VccwQemuCommand;

void vccw_qemu_command_free(VccwQemuCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwQemuCommand, vccw_qemu_command_free)

/* @def must have gone through vccw_qemu_domain_prepare(). */
VccwQemuCommand *vccw_qemu_build_command(const VccwDomainDef *def,
                                         const VccwQemuCaps *caps,
                                         GError **err);

/* One line, shell-quoted, env first: what virsh prints (without "\n"). */
char *vccw_qemu_command_to_string(const VccwQemuCommand *cmd);

/* Quote @str for a POSIX shell only where needed, as libvirt does. */
void vccw_shell_quote(GString *buf, const char *str);
