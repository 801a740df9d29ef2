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

VccwMdevctlDef *vccw_mdevctl_def_new(void);
void vccw_mdevctl_def_free(VccwMdevctlDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwMdevctlDef, vccw_mdevctl_def_free)

/* The file's content: pretty JSON, 2-space indent, keys mdev_type, start,
 * attrs, no trailing newline (as mdevctl writes it). */
char *vccw_mdevctl_def_to_json(const VccwMdevctlDef *def);
/* Parse one file's content; @parent and @uuid come from its path.
 * "start" other than "auto" reads as manual, like mdevctl. */
VccwMdevctlDef *vccw_mdevctl_def_from_json(const char *json, size_t len,
                                           const char *parent,
                                           const unsigned char *uuid, GError **err);

/* Every definition in the store, sorted by parent then uuid. A file that
 * cannot be read or parsed is skipped and described in @warnings (char*),
 * never fatal for the rest. A missing store is an empty list. */
GPtrArray *vccw_mdevctl_store_list(const VccwHost *host, GPtrArray *warnings,
                                   GError **err);
/* The definitions of @uuid (0, 1 or, under two parents, 2), parent may
 * restrict the search. */
GPtrArray *vccw_mdevctl_store_find(const VccwHost *host, const unsigned char *uuid,
                                   const char *parent, GError **err);
/* Write atomically (temp file + rename), creating <parent>/ and the
 * scripts.d/callouts and scripts.d/notifiers dirs mdevctl needs. */
bool vccw_mdevctl_store_write(const VccwHost *host, const VccwMdevctlDef *def,
                              GError **err);
bool vccw_mdevctl_store_remove(const VccwHost *host, const char *parent,
                               const unsigned char *uuid, GError **err);

/* `mdevctl list --dumpjson` documents, both ways (libvirt parses these). */
char *vccw_mdevctl_list_to_json(GPtrArray *defs);
GPtrArray *vccw_mdevctl_list_from_json(const char *json, size_t len, GError **err);
