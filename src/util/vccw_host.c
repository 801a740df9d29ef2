/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_host.h"
#include "vccw_error.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct _VccwHost {
    char *root;  /* without trailing '/'; "" for the real host */
};

static const char *const vccw_host_dirs[VCCW_HOST_DIR_LAST] = {
    [VCCW_HOST_DIR_CSS_DEVICES] = "/sys/bus/css/devices",
    [VCCW_HOST_DIR_CSS_DRIVERS] = "/sys/bus/css/drivers",
    [VCCW_HOST_DIR_CCW_DEVICES] = "/sys/bus/ccw/devices",
    [VCCW_HOST_DIR_MDEV_DEVICES] = "/sys/bus/mdev/devices",
    [VCCW_HOST_DIR_MDEVCTL_CONFIG] = "/etc/mdevctl.d",
    [VCCW_HOST_DIR_VFIO_DEV] = "/dev/vfio",
    [VCCW_HOST_DIR_RUN] = "/run/virtccw",
    [VCCW_HOST_DIR_CSS_ROOT] = "/sys/devices/css0",
    [VCCW_HOST_DIR_CSS_BUS] = "/sys/bus/css",
    [VCCW_HOST_DIR_MDEV_BUS_CLASS] = "/sys/class/mdev_bus",
    [VCCW_HOST_DIR_MODULES] = "/sys/module",
    [VCCW_HOST_DIR_IOMMU_GROUPS] = "/sys/kernel/iommu_groups",
    [VCCW_HOST_DIR_DRIVERCTL_CONFIG] = "/etc/driverctl.d",
    [VCCW_HOST_DIR_CCWGROUP_DEVICES] = "/sys/bus/ccwgroup/devices",
};

VccwHost *
vccw_host_new(const char *root, GError **err)
{
    g_autofree char *r = NULL;
    VccwHost *host;

    if (!root || g_str_equal(root, "") || g_str_equal(root, "/")) {
        r = g_strdup("");
    } else {
        if (!g_path_is_absolute(root)) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "host root '%s' must be an absolute path", root);
            return NULL;
        }
        if (!g_file_test(root, G_FILE_TEST_IS_DIR)) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "host root '%s' is not a directory", root);
            return NULL;
        }
        r = g_strdup(root);
        for (size_t n = strlen(r); n > 1 && r[n - 1] == '/'; n--)
            r[n - 1] = '\0';
    }
    host = g_new0(VccwHost, 1);
    host->root = g_steal_pointer(&r);
    return host;
}

void
vccw_host_free(VccwHost *host)
{
    if (!host)
        return;
    g_free(host->root);
    g_free(host);
}

const char *
vccw_host_root(const VccwHost *host)
{
    return host->root[0] ? host->root : "/";
}

const char *
vccw_host_dir_abs(VccwHostDir dir)
{
    g_return_val_if_fail(dir < VCCW_HOST_DIR_LAST, NULL);
    return vccw_host_dirs[dir];
}

bool
vccw_path_component_is_safe(const char *name)
{
    size_t len;

    if (!name)
        return false;
    len = strnlen(name, NAME_MAX + 1);
    if (len == 0 || len > NAME_MAX)
        return false;
    if (strchr(name, '/'))
        return false;
    return !g_str_equal(name, ".") && !g_str_equal(name, "..");
}

char *
vccw_host_path(const VccwHost *host, VccwHostDir dir,
               const char *name, const char *attr, GError **err)
{
    const char *parts[] = { name, attr };

    g_return_val_if_fail(dir < VCCW_HOST_DIR_LAST, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (parts[i] && !vccw_path_component_is_safe(parts[i])) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "refusing unsafe name '%s' under %s",
                           parts[i], vccw_host_dirs[dir]);
            return NULL;
        }
    }
    return g_strconcat(host->root, vccw_host_dirs[dir],
                       name ? "/" : "", name ? name : "",
                       attr ? "/" : "", attr ? attr : "", NULL);
}

bool
vccw_host_check_inside(const VccwHost *host, const char *path, GError **err)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *real_root = NULL;
    char *real_dir;
    size_t rlen;
    bool inside;

    if (!host->root[0])
        return true;   /* the real host: everything is inside "/" */
    if (!(real_root = realpath(host->root, NULL)) || !(real_dir = realpath(dir, NULL))) {
        vccw_error_set_errno(err, errno, "cannot resolve '%s'", path);
        return false;
    }
    rlen = strlen(real_root);
    inside = strncmp(real_dir, real_root, rlen) == 0 &&
             (real_dir[rlen] == '/' || real_dir[rlen] == '\0') &&
             vccw_path_component_is_safe(base);
    free(real_dir);
    if (!inside)
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "refusing to write '%s': it resolves outside the host root '%s'",
                       path, host->root);
    return inside;
}
