/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: host primitives for mediated devices. See vccw_mdev.h. */
#include "vccw_mdev.h"
#include "vccw_error.h"
#include "vccw_sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

char *
vccw_mdev_dir(const VccwHost *host, const char *uuid, GError **err)
{
    return vccw_host_path(host, VCCW_HOST_DIR_MDEV_DEVICES, uuid, NULL, err);
}

bool
vccw_mdev_exists(const VccwHost *host, const char *uuid)
{
    g_autofree char *dev = vccw_mdev_dir(host, uuid, NULL);

    return dev && g_file_test(dev, G_FILE_TEST_EXISTS);
}

bool
vccw_mdev_wait_path(const char *path, bool present, unsigned int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    for (;;) {
        if (g_file_test(path, G_FILE_TEST_EXISTS) == present)
            return true;
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(5000);
    }
}

/* What the kernel's errno of a write to `create` means (mdevctl only
 * prints the errno). */
static const char *
create_errno_text(int e)
{
    switch (e) {
    case EEXIST: return "a mediated device with this UUID already exists";
    case EUSERS: return "no available instances left on the parent";
    case EINVAL: return "the kernel refused the UUID";
    case ENODEV: return "the parent is not registered for mdev support";
    default: return g_strerror(e);
    }
}

bool
vccw_mdev_create(const VccwHost *host, const char *parent, const char *type, const char *uuid,
                 GError **err)
{
    g_autofree char *types = NULL, *create = NULL, *dev = NULL;
    int rc;

    if (!(types = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, parent,
                                 "mdev_supported_types", err)) ||
        !vccw_path_component_is_safe(type) ||
        !(dev = vccw_mdev_dir(host, uuid, err))) {
        if (err && !*err)
            vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid mdev type '%s'", type);
        return false;
    }
    if (g_file_test(dev, G_FILE_TEST_EXISTS)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID, "mediated device %s already exists", uuid);
        return false;
    }
    create = g_build_filename(types, type, "create", NULL);
    if (!vccw_host_check_inside(host, create, err))
        return false;
    if ((rc = vccw_sysfs_write(create, uuid)) < 0) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "cannot create mediated device %s on %s: %s", uuid, parent,
                       create_errno_text(-rc));
        return false;
    }
    if (!vccw_mdev_wait_path(dev, true, VCCW_MDEV_APPEAR_TIMEOUT_MS)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_TIMEOUT,
                       "mediated device %s did not appear in %s within %d ms",
                       uuid, vccw_host_dir_abs(VCCW_HOST_DIR_MDEV_DEVICES),
                       VCCW_MDEV_APPEAR_TIMEOUT_MS);
        return false;
    }
    return true;
}

bool
vccw_mdev_set_attr(const VccwHost *host, const char *uuid, const char *name, const char *value,
                   GError **err)
{
    g_autofree char *dev = NULL, *path = NULL;
    int rc;

    if (!vccw_path_component_is_safe(name)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid attribute name '%s'", name);
        return false;
    }
    if (!(dev = vccw_mdev_dir(host, uuid, err)))
        return false;
    path = g_build_filename(dev, name, NULL);
    if (!vccw_host_check_inside(host, path, err))
        return false;
    if ((rc = vccw_sysfs_write(path, value)) < 0) {
        vccw_error_set_errno(err, -rc, "cannot set attribute '%s' of mediated device %s",
                             name, uuid);
        return false;
    }
    return true;
}

/* ---- bounded remove ------------------------------------------------------ */

typedef struct {
    char *path;
    int rc;
    bool done;
    GMutex lock;
    GCond cond;
    gint refs;
} RemoveJob;

static void
remove_job_unref(RemoveJob *job)
{
    if (!g_atomic_int_dec_and_test(&job->refs))
        return;
    g_free(job->path);
    g_mutex_clear(&job->lock);
    g_cond_clear(&job->cond);
    g_free(job);
}

static gpointer
remove_thread(gpointer data)
{
    RemoveJob *job = data;
    int rc = vccw_sysfs_write(job->path, "1");

    g_mutex_lock(&job->lock);
    job->rc = rc;
    job->done = true;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
    remove_job_unref(job);
    return NULL;
}

bool
vccw_mdev_remove(const VccwHost *host, const char *uuid, const char *shown, GError **err)
{
    g_autofree char *dev = vccw_mdev_dir(host, uuid, err);
    g_autofree char *path = NULL;
    gint64 deadline = g_get_monotonic_time() + (gint64)VCCW_MDEV_REMOVE_TIMEOUT_MS * 1000;
    RemoveJob *job;
    bool done;
    int rc;

    if (!dev)
        return false;
    path = g_build_filename(dev, "remove", NULL);
    if (!vccw_host_check_inside(host, path, err))
        return false;
    /* the write goes to a thread of its own: the kernel blocks it while a
     * user holds the device, and we never wait on that unbounded */
    job = g_new0(RemoveJob, 1);
    job->path = g_steal_pointer(&path);
    job->refs = 2;
    g_mutex_init(&job->lock);
    g_cond_init(&job->cond);
    g_thread_unref(g_thread_new("mdev-remove", remove_thread, job));
    g_mutex_lock(&job->lock);
    while (!job->done && g_cond_wait_until(&job->cond, &job->lock, deadline))
        ;
    done = job->done;
    rc = job->rc;
    g_mutex_unlock(&job->lock);
    remove_job_unref(job);
    if (!done) {
        vccw_error_set(err, VCCW_ERR_OPERATION_TIMEOUT,
                       "removing '%s' did not finish within %d s: the device is in use and the kernel waits for its user to release it",
                       shown, VCCW_MDEV_REMOVE_TIMEOUT_MS / 1000);
        return false;
    }
    if (rc < 0) {
        vccw_error_set_errno(err, -rc, "cannot remove '%s'", shown);
        return false;
    }
    return true;
}

/* ---- device API ------------------------------------------------------------ */

static const char *const known_apis[] = { "vfio-pci", "vfio-ccw", "vfio-ap", NULL };

/* libvirt's virMediatedDeviceCheckModel, on the device_api read from
 * @dirfd/@attr; @shown is the mdev's path as the host names it. */
static bool
check_api_at(int dirfd, const char *attr, const char *shown, const char *want, GError **err)
{
    char api[128];
    ssize_t rc = vccw_sysfs_read_at(dirfd, attr, api, sizeof(api));

    if (rc < 0) {
        vccw_error_set_errno(err, (int)-rc, "failed to read '%s/mdev_type/device_api'", shown);
        return false;
    }
    if (!g_strv_contains(known_apis, api)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "device API '%s' not supported yet", api);
        return false;
    }
    if (!g_str_equal(api, want)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "invalid device API '%s' for device %s: device only supports '%s'",
                       want, shown, api);
        return false;
    }
    return true;
}

static char *
shown_path(const char *uuid)
{
    return g_strdup_printf("%s/%s", vccw_host_dir_abs(VCCW_HOST_DIR_MDEV_DEVICES), uuid);
}

bool
vccw_mdev_check_api(const VccwHost *host, const char *uuid, const char *api, GError **err)
{
    g_autofree char *dir = vccw_mdev_dir(host, uuid, err);
    g_autofree char *shown = shown_path(uuid);
    bool ok;
    int fd;

    if (!dir)
        return false;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vccw_error_set(err, VCCW_ERR_NO_DEVICE, "mediated device '%s' not found", uuid);
        return false;
    }
    ok = check_api_at(fd, "mdev_type/device_api", shown, api, err);
    close(fd);
    return ok;
}

bool
vccw_mdev_check_type_api(const VccwHost *host, const char *parent, const char *type,
                         const char *uuid, const char *api, GError **err)
{
    g_autofree char *dir = NULL;
    g_autofree char *attr = NULL;
    g_autofree char *shown = shown_path(uuid);
    bool ok = true;
    int fd;

    if (!parent || !type || !vccw_path_component_is_safe(type))
        return true;
    if (!(dir = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, parent,
                               "mdev_supported_types", NULL)))
        return true;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return true;   /* parent not on vfio_ccw yet: checked once started */
    attr = g_strdup_printf("%s/device_api", type);
    if (faccessat(fd, attr, F_OK, 0) == 0)
        ok = check_api_at(fd, attr, shown, api, err);
    close(fd);
    return ok;
}
