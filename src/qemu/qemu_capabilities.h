/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: what a QEMU binary can do, probed once over QMP.
 *
 * A VccwQemuCaps is filled either by probing a real emulator
 * (qemu -machine none -nodefaults -qmp ...: query-version,
 * query-machines, qom-list-types, device-list-properties, query-qmp-schema)
 * or by loading a recorded capabilities file (JSON, see
 * tests/qemucapsdata/). Probe results are cached on disk keyed on the
 * binary (path, size, mtime, ctime, inode), so a second use of the same
 * binary costs one stat() and one small file read.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _VccwQemuCaps VccwQemuCaps;

/* Boolean capabilities derived from the probe the way libvirt derives its
 * QEMU_CAPS_* flags; the string table in qemu_capabilities.c names them in
 * the recorded file. */
typedef enum {
    VCCW_QEMU_CAPS_DEVICE_JSON,      /* -device takes JSON (libvirt QEMU_CAPS_DEVICE_JSON) */
    VCCW_QEMU_CAPS_OBJECT_JSON,      /* -object takes JSON */
    VCCW_QEMU_CAPS_AUDIODEV_JSON,    /* -audiodev takes JSON */
    VCCW_QEMU_CAPS_BLOCKDEV,         /* -blockdev instead of -drive */
    VCCW_QEMU_CAPS_MACHINE_MEMORY_BACKEND, /* machine property memory-backend */
    VCCW_QEMU_CAPS_ACCEL_OPTION,     /* separate -accel option */
    VCCW_QEMU_CAPS_NETDEV_JSON,      /* -netdev takes JSON (libvirt QEMU_CAPS_NETDEV_JSON) */
    VCCW_QEMU_CAPS_DEVICE_VFIO_CCW,  /* -device vfio-ccw (libvirt QEMU_CAPS_DEVICE_VFIO_CCW) */
    VCCW_QEMU_CAPS_VIRTIO_CCW,       /* virtio-*-ccw devices (libvirt QEMU_CAPS_VIRTIO_CCW) */
    VCCW_QEMU_CAPS_LOADPARM,         /* -machine loadparm= (libvirt QEMU_CAPS_LOADPARM) */
    VCCW_QEMU_CAPS_DEVICE_SCLPCONSOLE,   /* libvirt QEMU_CAPS_DEVICE_SCLPCONSOLE */
    VCCW_QEMU_CAPS_DEVICE_SCLPLMCONSOLE, /* libvirt QEMU_CAPS_DEVICE_SCLPLMCONSOLE */
    VCCW_QEMU_CAPS_LAST
} VccwQemuCapsFlag;

VccwQemuCaps *vccw_qemu_caps_load_file(const char *path, GError **err);
bool vccw_qemu_caps_save_file(const VccwQemuCaps *caps, const char *path,
                              GError **err);

/* Start @binary, talk QMP, fill the caps. Takes about a second. */
VccwQemuCaps *vccw_qemu_caps_probe(const char *binary, GError **err);

/* Probe through the on-disk cache in @cache_dir (NULL: the default,
 * $XDG_CACHE_HOME/virtccw/qemucaps). */
VccwQemuCaps *vccw_qemu_caps_cache_lookup(const char *binary,
                                          const char *cache_dir,
                                          GError **err);

void vccw_qemu_caps_free(VccwQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwQemuCaps, vccw_qemu_caps_free)

const char *vccw_qemu_caps_binary(const VccwQemuCaps *caps);
/* QEMU's target arch as libvirt names it: "s390x", "x86_64". */
const char *vccw_qemu_caps_arch(const VccwQemuCaps *caps);
/* major * 1000000 + minor * 1000 + micro, e.g. 7002000 */
unsigned int vccw_qemu_caps_version(const VccwQemuCaps *caps);

bool vccw_qemu_caps_has(const VccwQemuCaps *caps, VccwQemuCapsFlag flag);
bool vccw_qemu_caps_has_device(const VccwQemuCaps *caps, const char *type);
bool vccw_qemu_caps_device_has_prop(const VccwQemuCaps *caps,
                                    const char *type, const char *prop);

/* The canonical machine name for @name (an alias such as
 * "s390-ccw-virtio" resolves to "s390-ccw-virtio-7.2"; a canonical name
 * returns itself); NULL when QEMU knows no such machine. */
const char *vccw_qemu_caps_machine_canonical(const VccwQemuCaps *caps,
                                             const char *name);
/* The machine QEMU uses when none is given (NULL if none is default). */
const char *vccw_qemu_caps_machine_default(const VccwQemuCaps *caps);

/* The machine's default RAM backend id as query-machines reports it
 * ("s390.ram"), resolving aliases; NULL if QEMU reports none. libvirt 9.0
 * puts memory-backend=<id> on -machine (and a memory-backend-ram object
 * with that id) exactly when this is non-NULL and the domain has no NUMA
 * nodes. */
const char *vccw_qemu_caps_machine_default_ram_id(const VccwQemuCaps *caps,
                                                  const char *name);
/* True if QEMU marks machine @name (or its alias) deprecated. */
bool vccw_qemu_caps_machine_is_deprecated(const VccwQemuCaps *caps,
                                          const char *name);

/* QEMU's package string ("Debian 1:7.2+dfsg-7+deb12u18+b3"), may be "". */
const char *vccw_qemu_caps_package(const VccwQemuCaps *caps);

/* True when @caps came out of the on-disk cache (or a file) rather than a
 * fresh probe; lets tests see cache hits. */
bool vccw_qemu_caps_from_cache(const VccwQemuCaps *caps);

/* A human-readable multi-line summary (virtccw-qemucaps show). */
char *vccw_qemu_caps_format_summary(const VccwQemuCaps *caps);

const char *vccw_qemu_caps_flag_to_string(int flag);
int vccw_qemu_caps_flag_from_string(const char *str);
