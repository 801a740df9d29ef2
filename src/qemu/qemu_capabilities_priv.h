/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: what the two halves of the QEMU capabilities share: the
 * object's layout, its life, and the derivation of flags from facts
 * (qemu_capabilities.c), used by the probe and its cache
 * (qemu_capabilities_probe.c). Nothing else includes this header; the
 * public API is qemu_capabilities.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu_capabilities.h"

/* QAPI schema questions, in libvirt's virQEMUQAPISchemaPathExists syntax:
 * "cmd/arg-type/member", "+variant", "$feature", "^enum-value". */
#define VCCW_SCHEMA_DEVICE_JSON "device_add/$json-cli-hotplug"
#define VCCW_SCHEMA_OBJECT_JSON "object-add/arg-type/qom-type/^secret"
#define VCCW_SCHEMA_NETDEV_JSON "netdev_add/arg-type/+dgram"
#define VCCW_SCHEMA_BLOCKDEV "blockdev-add/arg-type/+file/$dynamic-auto-read-only"

typedef struct {
    char *name;
    char *alias;            /* NULL if none */
    bool is_default;
    bool deprecated;
    char *default_ram_id;   /* NULL if none */
    gint64 cpu_max;
} VccwQemuMachine;

typedef struct {
    char *name;
    char *type;
} VccwQemuProp;

/* What identifies one build of a binary; a change means probe again. */
typedef struct {
    gint64 size;
    gint64 mtime;
    gint64 mtime_nsec;
    gint64 ctime;
    gint64 ctime_nsec;
    gint64 inode;
} VccwQemuBinaryStat;

struct _VccwQemuCaps {
    char *binary;
    VccwQemuBinaryStat stat;
    unsigned int version;
    char *package;
    char *arch;
    GPtrArray *machines;        /* VccwQemuMachine *, sorted by name */
    GHashTable *devices;        /* set of device type names */
    GHashTable *device_props;   /* type -> GPtrArray of VccwQemuProp * */
    GHashTable *cmdline_opts;   /* set of -option names */
    GHashTable *schema;         /* query -> GINT_TO_POINTER(0/1) */
    bool flags[VCCW_QEMU_CAPS_LAST];
    bool from_cache;
};

VccwQemuCaps *vccw_qemu_caps_new(const char *binary);
void vccw_qemu_machine_free(VccwQemuMachine *m);
void vccw_qemu_prop_free(VccwQemuProp *p);

/* (Re)compute caps->flags from the facts: one place, one rule per flag. */
void vccw_qemu_caps_derive(VccwQemuCaps *caps);

/* Load a recorded file; *producer (when given) is the virtccw version
 * that wrote it, so the cache trusts only its own files. */
VccwQemuCaps *vccw_qemu_caps_load_file_full(const char *path, char **producer,
                                            GError **err);
