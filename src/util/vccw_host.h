/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the host object.
 *
 * Every file virtccw touches under /sys, /etc, /dev or /run is reached
 * through a VccwHost, which owns the root directory those paths live
 * under ("/" on a real host, a scratch directory for tests and for the
 * simulated host). Nothing else in the tree spells "/sys".
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _VccwHost VccwHost;

/* Well-known host directories, relative to the root. */
typedef enum {
    VCCW_HOST_DIR_CSS_DEVICES,     /* sys/bus/css/devices */
    VCCW_HOST_DIR_CSS_DRIVERS,     /* sys/bus/css/drivers */
    VCCW_HOST_DIR_CCW_DEVICES,     /* sys/bus/ccw/devices */
    VCCW_HOST_DIR_MDEV_DEVICES,    /* sys/bus/mdev/devices */
    VCCW_HOST_DIR_MDEVCTL_CONFIG,  /* etc/mdevctl.d */
    VCCW_HOST_DIR_VFIO_DEV,        /* dev/vfio */
    VCCW_HOST_DIR_RUN,             /* run/virtccw */
    VCCW_HOST_DIR_CSS_ROOT,        /* sys/devices/css0 */
    VCCW_HOST_DIR_CSS_BUS,         /* sys/bus/css (drivers_probe) */
    VCCW_HOST_DIR_MDEV_BUS_CLASS,  /* sys/class/mdev_bus */
    VCCW_HOST_DIR_MODULES,         /* sys/module */
    VCCW_HOST_DIR_IOMMU_GROUPS,    /* sys/kernel/iommu_groups */
    VCCW_HOST_DIR_DRIVERCTL_CONFIG,/* etc/driverctl.d */
    VCCW_HOST_DIR_CCWGROUP_DEVICES,/* sys/bus/ccwgroup/devices */
    VCCW_HOST_DIR_LAST
} VccwHostDir;

/* @root: NULL or "/" for the real host. Must be an existing directory. */
VccwHost *vccw_host_new(const char *root, GError **err);
void vccw_host_free(VccwHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwHost, vccw_host_free)

const char *vccw_host_root(const VccwHost *host);

/* The absolute path of @dir as the host's own programs (QEMU, the kernel)
 * name it, without our root: "/sys/bus/mdev/devices". */
const char *vccw_host_dir_abs(VccwHostDir dir);

/* A file name we may append to a directory: non-empty, at most NAME_MAX
 * bytes, no '/', no NUL, not "." or "..". */
bool vccw_path_component_is_safe(const char *name);

/* Does @path, with every symlink resolved, stay inside the root? Checked
 * before every write, since sysfs entries are symlinks a hostile tree
 * could point anywhere. */
bool vccw_host_check_inside(const VccwHost *host, const char *path, GError **err);

/* <root>/<dir>[/<name>[/<attr>]]; @name and @attr are checked with
 * vccw_path_component_is_safe() first, so the result never leaves @dir. */
char *vccw_host_path(const VccwHost *host, VccwHostDir dir,
                     const char *name, const char *attr, GError **err);
