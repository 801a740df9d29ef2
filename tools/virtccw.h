/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: what the command files of the commands module share. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "qemu_capabilities.h"
#include "virtccw_cli.h"

/* Select the libvirt release the domain code follows (--libvirt-version,
 * $VIRTCCW_LIBVIRT_VERSION, the installed libvirt, the fallback); only
 * commands that build XML or a command line need it. */
bool cli_choose_libvirt_release(const GlobalOpts *opts, GError **err);
/* The capabilities of the emulator of the domain @xml (its <emulator>, or
 * qemu-system-<arch>), from --emulator-caps or the cache; the libvirt
 * release must be chosen first (cli_choose_libvirt_release). */
VccwQemuCaps *cli_domain_caps(const GlobalOpts *opts, const char *xml, size_t len,
                              const char *url, GError **err);
extern const Command cli_domain_commands[];
extern const size_t cli_domain_commands_len;
extern const Command cli_nodedev_commands[];
extern const size_t cli_nodedev_commands_len;
extern const Command cli_hostdev_commands[];
extern const size_t cli_hostdev_commands_len;
extern const Command cli_udev_commands[];
extern const size_t cli_udev_commands_len;
