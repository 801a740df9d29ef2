/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: mdevctl's persistent definitions (/etc/mdevctl.d/<parent>/<uuid>)
 * read and written in mdevctl 1.2.0's exact format, under a host root. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_conf.h"
#include "vccw_host.h"

typedef struct {
    char *parent;                        /* "0.0.0052" */
    unsigned char uuid[VCCW_UUID_BUFLEN];
    char *mdev_type;                     /* "vfio_ccw-io" */
    VccwMdevStart start;
    GPtrArray *attrs;                    /* of VccwMdevAttr*, order kept */
} VccwMdevctlDef;

/* Bounds: one definition file, one `mdevctl list --dumpjson` document. */
#define VCCW_MDEVCTL_DEF_MAX_BYTES 1048576
#define VCCW_MDEVCTL_LIST_MAX_BYTES 536870912

VccwMdevctlDef *vccw_mdevctl_def_new(void);
void vccw_mdevctl_def_free(VccwMdevctlDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwMdevctlDef, vccw_mdevctl_def_free)
/* Same parent, uuid, type, start and attributes (in order). */
bool vccw_mdevctl_def_equal(const VccwMdevctlDef *a, const VccwMdevctlDef *b);
/* Append a copy of name=value to def->attrs. */
void vccw_mdevctl_def_add_attr(VccwMdevctlDef *def, const char *name, const char *value);

/* A store directory name: a subchannel id as the kernel spells it,
 * "%x.%x.%04x", e.g. "0.0.0052" (vccw_ccw_id_parse). */
bool vccw_mdevctl_parent_is_valid(const char *parent);

/* The file's content: pretty JSON, 2-space indent, keys mdev_type, start,
 * attrs, no trailing newline (as mdevctl writes it). */
char *vccw_mdevctl_def_to_json(const VccwMdevctlDef *def);
/* Parse one file's content; @parent and @uuid come from its path.
 * "start" other than "auto" reads as manual, like mdevctl. Accepts what
 * mdevctl 1.2.0 (serde_json) accepts, except a U+0000 in a string and an
 * mdev_type that is not a file name; errors are VCCW_ERR_INTERNAL,
 * "invalid mdevctl definition: <why>" (invalid JSON names the byte). */
VccwMdevctlDef *vccw_mdevctl_def_from_json(const char *json, size_t len,
                                           const char *parent,
                                           const unsigned char *uuid, GError **err);

/* Every definition in the store, sorted by parent then uuid. A file that
 * cannot be read or parsed is skipped and described in @warnings (char*),
 * never fatal for the rest. A missing store is an empty list. Directories
 * that are not subchannel ids (scripts.d, vfio_ap's "matrix", PCI parents)
 * belong to others and are ignored silently; warnings read
 * "skipping /etc/mdevctl.d/<parent>/<uuid>: <reason>". */
GPtrArray *vccw_mdevctl_store_list(const VccwHost *host, GPtrArray *warnings,
                                   GError **err);
/* The definitions of @uuid (0, 1 or, under two parents, 2), parent may
 * restrict the search. A corrupt file of that uuid is an error here
 * (VCCW_ERR_OPERATION_FAILED, naming the file and why). */
GPtrArray *vccw_mdevctl_store_find(const VccwHost *host, const unsigned char *uuid,
                                   const char *parent, GError **err);
/* For many lookups in a row (a domain's hostdevs): the store's file names,
 * canonical uuid string -> GPtrArray of parent names (sorted), read with
 * one directory scan per parent and no file opened. A store without a
 * given uuid costs nothing more; with it, find_indexed opens only the
 * files listed. Files written later are not in it. */
GHashTable *vccw_mdevctl_store_index(const VccwHost *host, GError **err);
/* vccw_mdevctl_store_find, looking only where @index says. */
GPtrArray *vccw_mdevctl_store_find_indexed(const VccwHost *host, GHashTable *index,
                                           const unsigned char *uuid, const char *parent,
                                           GError **err);
/* Create etc/mdevctl.d and its scripts.d/callouts and scripts.d/notifiers
 * (mdevctl refuses to run without them). */
bool vccw_mdevctl_store_init(const VccwHost *host, GError **err);
/* Write atomically (temp file + rename), creating <parent>/ and the
 * scripts.d/callouts and scripts.d/notifiers dirs mdevctl needs. */
bool vccw_mdevctl_store_write(const VccwHost *host, const VccwMdevctlDef *def,
                              GError **err);
/* VCCW_ERR_NO_DEVICE when there is no such definition. */
bool vccw_mdevctl_store_remove(const VccwHost *host, const char *parent,
                               const unsigned char *uuid, GError **err);

/* `mdevctl list --dumpjson` documents, both ways (libvirt parses these).
 * to_json sorts like mdevctl (parent, then uuid) and returns exactly what
 * serde_json prints, without the newline mdevctl's println adds; "[]" for
 * none. from_json accepts any parent name (mdevctl lists PCI and vfio_ap
 * parents too) and libvirt's lenient UUID forms; any error fails it all. */
char *vccw_mdevctl_list_to_json(GPtrArray *defs);
GPtrArray *vccw_mdevctl_list_from_json(const char *json, size_t len, GError **err);
