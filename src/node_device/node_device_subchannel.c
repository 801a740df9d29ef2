/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: binding subchannels to vfio_ccw and giving them back.
 *
 * The sequence is driverctl's (see docs/formatnode-ccw.rst), then a check
 * that the kernel did bind; on any failure the subchannel is put back
 * exactly as it was (override and driver). Refused up front, with the
 * reason: non-I/O subchannels, QDIO devices (vfio_ccw cannot drive them),
 * an online ccw device (it is in use by the host) unless forced.
 */
#include "node_device_ccw.h"
#include "vccw_error.h"
#include "vccw_subchannel.h"
#include "vccw_sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define VFIO_CCW VCCW_SUBCH_DRIVER_VFIO_CCW
#define IO_SUBCHANNEL VCCW_SUBCH_DRIVER_IO
/* the kernel registers a re-probed subchannel's ccw device asynchronously */
#define CCW_DEVICE_TIMEOUT_MS 5000

/* Control-unit types of QDIO devices (OSA, HiperSockets, zFCP): their
 * subchannels cannot be driven by vfio_ccw. */
static const char *const qdio_cutypes[] = { "1731/01", "1731/02", "1731/03", "1731/05",
                                            "1732/01", "1732/03", NULL };

typedef struct {
    char *subch;              /* 0.0.0313 */
    char *dir;                /* <root>/sys/bus/css/devices/0.0.0313 */
    VccwSubchState orig;      /* driver and driver_override before */
} SubchState;

static void
subch_state_clear(SubchState *st)
{
    g_free(st->subch);
    g_free(st->dir);
    vccw_subch_state_clear(&st->orig);
}

static bool
subch_read_state(const VccwHost *host, const char *subch, SubchState *st, GError **err)
{
    st->subch = g_strdup(subch);
    return (st->dir = vccw_subch_dir(host, subch, err)) &&
           vccw_subch_read_state(host, subch, &st->orig, err);
}

/* Put the subchannel back as it was; a failure of that is added to the
 * first error @step_err, which goes to @err (taking its ownership). */
static void
subch_rollback(const VccwHost *host, const SubchState *st, GError *step_err, GError **err)
{
    g_autoptr(GError) e = NULL;
    bool changed;

    if (!vccw_subch_restore(host, st->subch, &st->orig, &changed, &e))
        vccw_error_append(&step_err, "; rollback: %s", e->message);
    g_propagate_error(err, step_err);
}

/* The ccw device on the subchannel (dev_busid), and whether it is online
 * and QDIO. */
static bool
subch_check_device(const VccwHost *host, const SubchState *st, unsigned int flags,
                   GError **err)
{
    char busid[64] = "", type[16] = "", buf[64] = "";
    int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    g_autofree char *p_online = NULL, *p_cutype = NULL;
    bool ok = true;

    if (fd < 0) {
        vccw_error_set_errno(err, errno, "cannot open subchannel %s", st->subch);
        return false;
    }
    if (vccw_sysfs_read_at(fd, "type", type, sizeof(type)) < 0 || !g_str_equal(type, "0")) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "subchannel %s is not an I/O subchannel (type %s): only I/O subchannels can be assigned with vfio_ccw",
                       st->subch, type[0] ? type : "unknown");
        close(fd);
        return false;
    }
    if (vccw_sysfs_read_at(fd, "dev_busid", busid, sizeof(busid)) < 0 || g_str_equal(busid, "none")) {
        close(fd);
        return true;   /* no device, nothing in use */
    }
    p_online = g_strdup_printf("%s/online", busid);
    p_cutype = g_strdup_printf("%s/cutype", busid);
    if (vccw_sysfs_read_at(fd, p_cutype, buf, sizeof(buf)) >= 0 &&
        g_strv_contains(qdio_cutypes, buf)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "subchannel %s holds QDIO device %s (control unit %s): vfio_ccw cannot drive QDIO devices",
                       st->subch, busid, buf);
        ok = false;
    } else if (!(flags & VCCW_DETACH_FORCE) &&
               vccw_sysfs_read_at(fd, p_online, buf, sizeof(buf)) >= 0 &&
               g_str_equal(buf, "1")) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "subchannel %s holds ccw device %s, which is online in the host: set it offline first (chccwdev -d %s) or force",
                       st->subch, busid, busid);
        ok = false;
    }
    close(fd);
    (void)host;
    return ok;
}

static bool
driver_loaded(const VccwHost *host, const char *driver, GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_CSS_DRIVERS, driver, NULL, err);

    return path && g_file_test(path, G_FILE_TEST_IS_DIR);
}

/* modprobe only on the real host; a simulated host has its drivers. */
static bool
ensure_vfio_ccw(const VccwHost *host, GError **err)
{
    if (driver_loaded(host, VFIO_CCW, NULL))
        return true;
    if (g_str_equal(vccw_host_root(host), "/")) {
        const char *argv[] = { "modprobe", "-q", VFIO_CCW, NULL };
        gint status = 0;
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, NULL);
        if (driver_loaded(host, VFIO_CCW, NULL))
            return true;
    }
    vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                   "the vfio_ccw driver is not loaded and could not be loaded (modprobe vfio_ccw)");
    return false;
}

static bool
driverctl_persist(const VccwHost *host, const char *subch, const char *driver, GError **err)
{
    g_autofree char *dir = vccw_host_path(host, VCCW_HOST_DIR_DRIVERCTL_CONFIG, NULL, NULL, err);
    g_autofree char *file = g_strdup_printf("css-%s", subch);
    g_autofree char *path = NULL;
    g_autofree char *val = NULL;
    g_autoptr(GError) write_err = NULL;

    if (!dir || !(path = vccw_host_path(host, VCCW_HOST_DIR_DRIVERCTL_CONFIG, file, NULL, err)))
        return false;
    if (!driver)
        return unlink(path) == 0 || errno == ENOENT ||
               (vccw_error_set_errno(err, errno, "cannot remove '%s'", path), false);
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        vccw_error_set_errno(err, errno, "cannot create '%s'", dir);
        return false;
    }
    val = g_strdup_printf("%s\n", driver);
    /* glib's G_FILE_ERROR into the project's domain, as every error */
    if (!g_file_set_contents(path, val, -1, &write_err)) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "%s", write_err->message);
        return false;
    }
    return true;
}

static bool
subch_from_name(VccwNodeDevDriver *drv, const char *name, char **subch, GError **err)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    VccwCcwId id;

    /* any existing subchannel, also unbound or on another driver, so
     * that the refusal can say why */
    if (name && vccw_nodedev_parse_bus_name(name, "css_", &id))
        def = vccw_nodedev_lookup_css(drv, &id, false, err);
    else
        def = vccw_nodedev_lookup(drv, name, err);

    if (!def)
        return false;
    if (def->type != VCCW_NODEDEV_CAP_CSS) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "device '%s' is not a css subchannel: only subchannels (css_*) can be detached",
                       name);
        return false;
    }
    *subch = vccw_ccw_id_format(&def->id);
    return true;
}

/* Bind @subch (found to exist) to vfio_ccw. */
/* The kernel's probe decides where a subchannel goes: check that it went
 * where it should (@what: "bind to vfio_ccw"). */
static bool
expect_driver(const VccwHost *host, const char *subch, const char *want, const char *what,
              GError **err)
{
    g_autofree char *now = vccw_subch_current_driver(host, subch);

    if (g_strcmp0(now, want) == 0)
        return true;
    vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "subchannel %s did not %s (driver now: %s)",
                   subch, what, now ? now : "none");
    return false;
}

static bool
detach_subch(VccwNodeDevDriver *drv, const char *subch, unsigned int flags, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    SubchState st = { 0 };
    GError *step_err = NULL;
    bool ok = false;

    if (!subch_read_state(host, subch, &st, err))
        goto out;
    if (g_strcmp0(st.orig.driver, VFIO_CCW) == 0) {
        ok = !(flags & VCCW_DETACH_PERSISTENT) || driverctl_persist(host, subch, VFIO_CCW, err);
        goto out;
    }
    if (!subch_check_device(host, &st, flags, err) || !ensure_vfio_ccw(host, err))
        goto out;

    /* driverctl's order: override, unbind, probe; then verify */
    if (!vccw_subch_set_override(host, subch, VFIO_CCW, &step_err) ||
        (st.orig.driver && !vccw_subch_unbind(host, subch, st.orig.driver, &step_err)) ||
        !vccw_subch_probe(host, subch, &step_err))
        goto rollback;
    if (!expect_driver(host, subch, VFIO_CCW, "bind to vfio_ccw", &step_err))
        goto rollback;
    if ((flags & VCCW_DETACH_PERSISTENT) && !driverctl_persist(host, subch, VFIO_CCW, &step_err))
        goto rollback;
    ok = true;
    goto out;

 rollback:
    subch_rollback(host, &st, step_err, err);
 out:
    subch_state_clear(&st);
    return ok;
}

bool
vccw_nodedev_detach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                    GError **err)
{
    g_autofree char *subch = NULL;

    return subch_from_name(drv, name, &subch, err) && detach_subch(drv, subch, flags, err);
}

bool
vccw_nodedev_detach_subch(VccwNodeDevDriver *drv, const char *subch, unsigned int flags,
                          GError **err)
{
    g_autoptr(VccwNodeDevDef) def = NULL;
    VccwCcwId id;

    if (!subch || !vccw_ccw_id_parse(subch, &id)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid subchannel id '%s'", subch ? subch : "");
        return false;
    }
    /* the checks a lookup by name makes: an existing subchannel */
    if (!(def = vccw_nodedev_lookup_css(drv, &id, false, err)))
        return false;
    return detach_subch(drv, subch, flags, err);
}

bool
vccw_nodedev_reattach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                      GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *subch = NULL;
    g_autoptr(GString) mdevs = g_string_new(NULL);
    SubchState st = { 0 };
    GError *step_err = NULL;
    bool ok = false;

    if (!subch_from_name(drv, name, &subch, err))
        return false;
    if (!subch_read_state(host, subch, &st, err))
        goto out;
    if (g_strcmp0(st.orig.driver, VFIO_CCW) != 0 && !st.orig.override) {
        ok = !(flags & VCCW_DETACH_PERSISTENT) || driverctl_persist(host, subch, NULL, err);
        goto out;
    }
    /* Unbinding would remove the mdevs, and block while one is in use. */
    if (vccw_subch_list_mdevs(host, subch, mdevs)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "subchannel %s still has mediated devices (%s): destroy them first",
                       subch, mdevs->str);
        goto out;
    }
    if ((st.orig.driver && !vccw_subch_unbind(host, subch, st.orig.driver, &step_err)) ||
        !vccw_subch_set_override(host, subch, NULL, &step_err) ||
        !vccw_subch_probe(host, subch, &step_err))
        goto rollback;
    if (!expect_driver(host, subch, IO_SUBCHANNEL, "go back to io_subchannel", &step_err))
        goto rollback;
    if (!driverctl_persist(host, subch, NULL, &step_err))
        goto rollback;
    /* as after driverctl's unset-override: the caller finds the device */
    vccw_subch_wait_ccw_device(host, subch, CCW_DEVICE_TIMEOUT_MS);
    ok = true;
    goto out;

 rollback:
    subch_rollback(host, &st, step_err, err);
 out:
    subch_state_clear(&st);
    return ok;
}

bool
vccw_nodedev_apply_persistent_override(VccwNodeDevDriver *drv, const char *subch,
                                       bool *applied, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *canon = NULL, *file = NULL, *path = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GError) read_err = NULL;
    VccwSubchState st = { 0 };
    VccwCcwId id;
    bool bound;
    bool ok;

    *applied = false;
    /* the name comes from a uevent: only a subchannel id as the kernel
     * spells it can name a file of driverctl's */
    if (!subch || !vccw_ccw_id_parse(subch, &id) ||
        !g_str_equal((canon = vccw_ccw_id_format(&id)), subch)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid subchannel id '%s'", subch ? subch : "");
        return false;
    }
    file = g_strdup_printf("css-%s", subch);
    if (!(path = vccw_host_path(host, VCCW_HOST_DIR_DRIVERCTL_CONFIG, file, NULL, err)))
        return false;
    if (!g_file_get_contents(path, &content, NULL, &read_err)) {
        if (g_error_matches(read_err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot read '%s': %s", path,
                       read_err->message);
        return false;
    }
    g_strstrip(content);
    if (!g_str_equal(content, VFIO_CCW)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "'%s' names driver '%s': virtccw applies vfio_ccw overrides only (driverctl applies others)",
                       path, content);
        return false;
    }
    if (!vccw_subch_read_state(host, subch, &st, err)) {
        vccw_subch_state_clear(&st);
        return false;
    }
    /* already there (the rule ran before, or driverctl did it) */
    bound = g_strcmp0(st.driver, VFIO_CCW) == 0;
    vccw_subch_state_clear(&st);
    if (bound)
        return true;
    ok = vccw_nodedev_detach_subch(drv, subch, VCCW_DETACH_FORCE, err);
    *applied = ok;
    return ok;
}
