/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: inode table for the plain directories (etc/, run/)
 * that the FUSE adaptor passes through to a real scratch directory.
 * Nodes are named by their path relative to the backing directory and
 * counted like the kernel counts lookups. No FUSE here. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _SimPt SimPt;

SimPt *sim_pt_new(void);
void sim_pt_free(SimPt *pt);

bool sim_pt_is_pt_ino(uint64_t ino);
/* The node for @relpath ("etc/mdevctl.d/x"), created if needed, its
 * lookup count raised by one. */
uint64_t sim_pt_ref(SimPt *pt, const char *relpath);
/* Permanent node (etc/, run/). */
uint64_t sim_pt_pin(SimPt *pt, const char *relpath);
void sim_pt_forget(SimPt *pt, uint64_t ino, uint64_t nlookup);
/* NULL when unknown */
const char *sim_pt_path(SimPt *pt, uint64_t ino);
/* After rename(2): @from and everything below it now lives at @to. */
void sim_pt_renamed(SimPt *pt, const char *from, const char *to);
unsigned sim_pt_count(const SimPt *pt);
/* After unlink(2)/rmdir(2): the name no longer leads to the node. */
void sim_pt_unlinked(SimPt *pt, const char *path);
