/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The name-only floor: the fewest syscalls that print what `virtccw
 * nodedev-list` prints (bench/README.md, "Name-only listings"). Plain C and
 * libc, no glib, so that as a process (bench_names_floor) it also starts
 * as fast as a C program can. */
#pragma once

#include <stdio.h>

typedef enum {
    NF_CSS,          /* --cap css */
    NF_CCW,          /* --cap ccw */
    NF_MDEV,         /* --cap mdev (active) */
    NF_MDEV_ALL,     /* --cap mdev --all */
    NF_TYPES,        /* --cap mdev_types */
    NF_ALL,          /* (no option): every active device */
    NF_ALL_ALL,      /* --all */
    NF_INACTIVE,     /* --inactive */
    NF_TREE,         /* --tree */
    NF_LAST
} NamesWorkload;

extern const char *const names_workload_ids[NF_LAST];
/* the virtccw nodedev-list arguments of each, NULL-terminated */
extern const char *const *const names_workload_args[NF_LAST];

/* List the names of @w under @root, sorted; print them as virtccw does to
 * @out unless NULL. The number of devices, -1 when @root is unusable. */
long names_floor(const char *root, NamesWorkload w, FILE *out);
