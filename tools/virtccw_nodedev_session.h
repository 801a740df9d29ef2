/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the node-device driver over the host root chosen with
 * --root / $VIRTCCW_ROOT, following the libvirt release chosen for node
 * devices. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "node_device_driver.h"
#include "vccw_host.h"
#include "virtccw_cli.h"

typedef struct {
    VccwHost *host;
    VccwNodeDevDriver *drv;
} CliNodedevSession;

bool cli_nodedev_session_open(const GlobalOpts *opts, CliNodedevSession *s, GError **err);
void cli_nodedev_session_close(CliNodedevSession *s);
/* "warning: ..." on stderr, sorted: directory order differs between
 * filesystems. */
void cli_print_warnings(GPtrArray *warnings);
