/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench_names_floor ROOT WORKLOAD: the name-only floor as a process
 * (names_floor.h): prints what `virtccw --root ROOT nodedev-list ...`
 * prints for WORKLOAD (css, ccw, mdev, mdev-all, mdev_types, all,
 * all-all, inactive, tree), making only the syscalls that output needs;
 * "start" does nothing (process start alone).
 * Plain libc: it starts as fast as a C program can. */
#include "names_floor.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_names_floor ROOT WORKLOAD\n");
        return 2;
    }
    if (strcmp(argv[2], "start") == 0)
        return 0;   /* process start alone, beside `virtccw nodedev-list --cap system` */
    for (int w = 0; w < NF_LAST; w++)
        if (strcmp(argv[2], names_workload_ids[w]) == 0)
            return names_floor(argv[1], (NamesWorkload)w, stdout) < 0;
    fprintf(stderr, "bench_names_floor: unknown workload '%s'\n", argv[2]);
    return 2;
}
