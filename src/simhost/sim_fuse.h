/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the FUSE (libfuse3 low-level) adaptor that serves the
 * tree of sim_tree.h at a mount point, with etc/ and run/ passed through
 * to a real scratch directory. */
#pragma once

#include "sim_model.h"

#include <glib.h>
#include <stdbool.h>

typedef struct {
    const char *mountpoint;
    const char *backing;    /* existing directory holding etc/ and run/ */
    bool foreground;        /* else daemonise once the mount is ready */
    bool debug;             /* libfuse -d */
} SimFuseOptions;

/* Mount, serve until unmounted or SIGTERM/SIGINT/SIGHUP, unmount.
 * Returns 0, or -1 with @err set. */
int sim_fuse_run(SimModel *model, const SimFuseOptions *opts, GError **err);
