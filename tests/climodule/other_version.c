/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A commands module of another virtccw build: the virtccw binary must
 * refuse it (GlobalOpts has no stable layout) and say so. */
#include <stdio.h>

#include "virtccw_cli.h"

static void
usage(FILE *out)
{
    fputs("other usage\n", out);
}

static int
run(const GlobalOpts *opts, const char *command, int argc, char **argv)
{
    (void)opts; (void)command; (void)argc; (void)argv;
    return 0;
}

__attribute__((visibility("default"))) const VccwCliModule virtccw_cli_module = {
    .version = "0.0-other",
    .usage = usage,
    .run = run,
};
