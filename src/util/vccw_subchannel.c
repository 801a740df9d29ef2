/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: host primitives for css subchannels. See vccw_subchannel.h. */
#include "vccw_subchannel.h"
#include "vccw_error.h"
#include "vccw_sysfs.h"
#include "vccw_uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

void
vccw_subch_state_clear(VccwSubchState *st)
{
    g_clear_pointer(&st->driver, g_free);
    g_clear_pointer(&st->override, g_free);
}

char *
vccw_subch_dir(const VccwHost *host, const char *busid, GError **err)
{
    return vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, busid, NULL, err);
}

/* The driver of the `driver` link of @fd, checked (see the header). */
static bool
read_driver(int fd, const char *busid, char **driver, GError **err)
{
    char target[PATH_MAX];
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    ssize_t n = vccw_sysfs_link_at(fd, "driver", target, sizeof(target));

    if (n < 0)
        return true;   /* no link: unbound */
    dir = g_path_get_dirname(target);
    base = g_path_get_basename(target);
    if ((g_str_equal(dir, "bus/css/drivers") || g_str_has_suffix(dir, "/bus/css/drivers")) &&
        vccw_path_component_is_safe(base)) {
        *driver = g_steal_pointer(&base);
        return true;
    }
    vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                   "subchannel %s: its driver link points to '%s', not to a driver of the css bus (%s/NAME): refusing to change it, nothing was done",
                   busid, target, vccw_host_dir_abs(VCCW_HOST_DIR_CSS_DRIVERS));
    return false;
}

bool
vccw_subch_read_state(const VccwHost *host, const char *busid, VccwSubchState *st,
                      GError **err)
{
    g_autofree char *dir = vccw_subch_dir(host, busid, err);
    char buf[256];
    int fd;

    st->driver = st->override = NULL;
    if (!dir)
        return false;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vccw_error_set_errno(err, errno, "cannot open subchannel %s", busid);
        return false;
    }
    if (!read_driver(fd, busid, &st->driver, err)) {
        close(fd);
        return false;
    }
    if (vccw_sysfs_read_at(fd, "driver_override", buf, sizeof(buf)) >= 0 &&
        !g_str_equal(buf, "(null)") && buf[0])
        st->override = g_strdup(buf);
    close(fd);
    return true;
}

char *
vccw_subch_current_driver(const VccwHost *host, const char *busid)
{
    g_autofree char *link = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, busid, "driver", NULL);
    char buf[256];
    ssize_t n;

    if (!link || (n = readlink(link, buf, sizeof(buf) - 1)) < 0)
        return NULL;
    buf[n] = '\0';
    return g_path_get_basename(buf);
}

/* The one place a subchannel's sysfs files are written. */
static bool
host_write(const VccwHost *host, const char *path, const char *value, GError **err)
{
    int rc;

    if (!vccw_host_check_inside(host, path, err))
        return false;
    if ((rc = vccw_sysfs_write(path, value)) < 0) {
        g_autofree char *shown = g_strdup(value);
        g_strchomp(shown);
        vccw_error_set_errno(err, -rc, "cannot write '%s' to '%s'", shown, path);
        return false;
    }
    return true;
}

/* Write "@busid\n" to the css driver @driver's @attr (bind, unbind). */
static bool
driver_write(const VccwHost *host, const char *busid, const char *driver, const char *attr,
             GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_CSS_DRIVERS, driver, attr, err);
    g_autofree char *val = g_strdup_printf("%s\n", busid);

    return path && host_write(host, path, val, err);
}

bool
vccw_subch_unbind(const VccwHost *host, const char *busid, const char *driver, GError **err)
{
    return driver_write(host, busid, driver, "unbind", err);
}

bool
vccw_subch_bind(const VccwHost *host, const char *busid, const char *driver, GError **err)
{
    return driver_write(host, busid, driver, "bind", err);
}

bool
vccw_subch_probe(const VccwHost *host, const char *busid, GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_CSS_BUS, "drivers_probe", NULL, err);
    g_autofree char *val = g_strdup_printf("%s\n", busid);

    return path && host_write(host, path, val, err);
}

bool
vccw_subch_set_override(const VccwHost *host, const char *busid, const char *driver,
                        GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, busid,
                                           "driver_override", err);
    /* an empty line clears it, as driverctl's unset-override writes */
    g_autofree char *val = g_strdup_printf("%s\n", driver ? driver : "");

    return path && host_write(host, path, val, err);
}

bool
vccw_subch_list_mdevs(const VccwHost *host, const char *busid, GString *names)
{
    g_autofree char *dir = vccw_subch_dir(host, busid, NULL);
    g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        if (vccw_uuid_is_canonical(ent))
            g_string_append_printf(names, "%s%s", names->len ? ", " : "", ent);
    }
    return names->len > 0;
}

static bool
state_equal(const VccwSubchState *a, const VccwSubchState *b)
{
    return g_strcmp0(a->driver, b->driver) == 0 && g_strcmp0(a->override, b->override) == 0;
}

bool
vccw_subch_restore(const VccwHost *host, const char *busid, const VccwSubchState *orig,
                   bool *changed, GError **err)
{
    VccwSubchState now = { 0 };
    g_autoptr(GString) mdevs = g_string_new(NULL);
    bool ok = false;

    *changed = false;
    if (!vccw_subch_read_state(host, busid, &now, err))
        return false;
    if (state_equal(&now, orig)) {
        vccw_subch_state_clear(&now);
        return true;
    }
    if (now.driver && g_strcmp0(now.driver, orig->driver) != 0) {
        /* unbinding from vfio_ccw removes the mdevs on it, and blocks
         * while one is in use: never do that behind a user's back */
        if (g_str_equal(now.driver, VCCW_SUBCH_DRIVER_VFIO_CCW) &&
            vccw_subch_list_mdevs(host, busid, mdevs)) {
            vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                           "cannot give subchannel %s back to %s: it still has mediated devices (%s)",
                           busid, orig->driver ? orig->driver : "no driver", mdevs->str);
            goto out;
        }
        if (!vccw_subch_unbind(host, busid, now.driver, err))
            goto out;
        *changed = true;
    }
    if (g_strcmp0(now.override, orig->override) != 0) {
        if (!vccw_subch_set_override(host, busid, orig->override, err))
            goto out;
        *changed = true;
    }
    vccw_subch_state_clear(&now);
    if (!vccw_subch_read_state(host, busid, &now, err))
        goto out;
    if (orig->driver && !now.driver) {
        g_autoptr(GError) bind_err = NULL;

        /* the driver itself first; the bus's probe finds it otherwise */
        if (!vccw_subch_bind(host, busid, orig->driver, &bind_err) &&
            !vccw_subch_probe(host, busid, err))
            goto out;
        *changed = true;
        vccw_subch_state_clear(&now);
        if (!vccw_subch_read_state(host, busid, &now, err))
            goto out;
    }
    if (!state_equal(&now, orig)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "subchannel %s did not go back to driver %s with override %s (now: driver %s, override %s)",
                       busid, orig->driver ? orig->driver : "(none)",
                       orig->override ? orig->override : "(null)",
                       now.driver ? now.driver : "(none)", now.override ? now.override : "(null)");
        goto out;
    }
    ok = true;
 out:
    vccw_subch_state_clear(&now);
    return ok;
}

void
vccw_subch_wait_ccw_device(const VccwHost *host, const char *busid, unsigned int timeout_ms)
{
    g_autofree char *p_busid = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, busid,
                                              "dev_busid", NULL);
    g_autofree char *content = NULL;
    g_autofree char *dev = NULL;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    char ccw[64];

    if (!p_busid || !g_file_get_contents(p_busid, &content, NULL, NULL))
        return;
    g_strlcpy(ccw, g_strchomp(content), sizeof(ccw));
    if (g_str_equal(ccw, "none") || !vccw_path_component_is_safe(ccw) ||
        !(dev = vccw_host_path(host, VCCW_HOST_DIR_CCW_DEVICES, ccw, NULL, NULL)))
        return;
    while (!g_file_test(dev, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline)
        g_usleep(10000);
}
