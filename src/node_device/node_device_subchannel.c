/* virtccw: binding subchannels to vfio_ccw and giving them back.
 *
 * The sequence is driverctl's (see docs/formatnode-ccw.rst), then a check
 * that the kernel did bind; on any failure the subchannel is put back
 * exactly as it was (override and driver). Refused up front, with the
 * reason: non-I/O subchannels, QDIO devices (vfio_ccw cannot drive them),
 * an online ccw device (it is in use by the host) unless forced.
 */
#include "node_device_ccw.h"
#include "vccw_sysfs.h"
#include "vccw_error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define VFIO_CCW "vfio_ccw"
#define IO_SUBCHANNEL "io_subchannel"

/* Control-unit types of QDIO devices (OSA, HiperSockets, zFCP): their
 * subchannels cannot be driven by vfio_ccw. */
static const char *const qdio_cutypes[] = { "1731/01", "1731/02", "1731/03", "1731/05",
                                            "1732/01", "1732/03", NULL };

typedef struct {
    char *subch;              /* 0.0.0313 */
    char *dir;                /* <root>/sys/bus/css/devices/0.0.0313 */
    char *driver;             /* current driver, NULL when unbound */
    char *override;           /* current driver_override, NULL for "(null)" */
} SubchState;

static void
subch_state_clear(SubchState *st)
{
    g_free(st->subch);
    g_free(st->dir);
    g_free(st->driver);
    g_free(st->override);
}

/* The driver the kernel bound: the last component of the `driver` link,
 * which must lead to <...>/bus/css/drivers/NAME. A link elsewhere (a
 * hostile or broken root: /etc, a device directory) names no driver; a
 * command that went on would change nothing and still report success. */
static bool
subch_read_driver(int fd, SubchState *st, GError **err)
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
        st->driver = g_steal_pointer(&base);
        return true;
    }
    vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                   "subchannel %s: its driver link points to '%s', not to a driver of the css bus (%s/NAME): refusing to change it, nothing was done",
                   st->subch, target, vccw_host_dir_abs(VCCW_HOST_DIR_CSS_DRIVERS));
    return false;
}

static bool
subch_read_state(const VccwHost *host, const char *subch, SubchState *st, GError **err)
{
    char buf[256];
    int fd;

    st->subch = g_strdup(subch);
    if (!(st->dir = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, subch, NULL, err)))
        return false;
    if ((fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vccw_error_set_errno(err, errno, "cannot open subchannel %s", subch);
        return false;
    }
    if (!subch_read_driver(fd, st, err)) {
        close(fd);
        return false;
    }
    if (vccw_sysfs_read_at(fd, "driver_override", buf, sizeof(buf)) >= 0 &&
        !g_str_equal(buf, "(null)") && buf[0])
        st->override = g_strdup(buf);
    close(fd);
    return true;
}

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

static char *
attr_path(const SubchState *st, const char *attr)
{
    return g_build_filename(st->dir, attr, NULL);
}

static char *
driver_attr(const VccwHost *host, const char *driver, const char *attr, GError **err)
{
    g_autofree char *dir = vccw_host_path(host, VCCW_HOST_DIR_CSS_DRIVERS, driver, NULL, err);
    return dir ? g_build_filename(dir, attr, NULL) : NULL;
}

static bool
subch_unbind(const VccwHost *host, const SubchState *st, const char *driver, GError **err)
{
    g_autofree char *path = driver_attr(host, driver, "unbind", err);
    g_autofree char *val = g_strdup_printf("%s\n", st->subch);

    return path && host_write(host, path, val, err);
}

static bool
subch_probe(const VccwHost *host, const SubchState *st, GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_CSS_BUS, "drivers_probe", NULL, err);
    g_autofree char *val = g_strdup_printf("%s\n", st->subch);

    return path && host_write(host, path, val, err);
}

static bool
subch_set_override(const VccwHost *host, const SubchState *st, const char *driver,
                   GError **err)
{
    g_autofree char *path = attr_path(st, "driver_override");
    g_autofree char *val = g_strdup_printf("%s\n", driver ? driver : "");

    return host_write(host, path, val, err);
}

static char *
subch_current_driver(const SubchState *st)
{
    g_autofree char *link = attr_path(st, "driver");
    char buf[256];
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);

    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return g_path_get_basename(buf);
}

/* Put the subchannel back to @orig: override, then driver. Best effort:
 * errors are appended to @why so the caller can report everything. */
static void
subch_restore(const VccwHost *host, const SubchState *orig, GString *why)
{
    g_autoptr(GError) e = NULL;
    g_autofree char *now = subch_current_driver(orig);

    if (now && g_strcmp0(now, orig->driver) != 0 && !subch_unbind(host, orig, now, &e))
        g_string_append_printf(why, "; rollback: %s", e->message);
    g_clear_error(&e);
    if (!subch_set_override(host, orig, orig->override, &e))
        g_string_append_printf(why, "; rollback: %s", e->message);
    g_clear_error(&e);
    g_free(now);
    now = subch_current_driver(orig);
    if (orig->driver && !now) {
        g_autofree char *bind = driver_attr(host, orig->driver, "bind", &e);
        g_autofree char *val = g_strdup_printf("%s\n", orig->subch);
        if (!bind || !host_write(host, bind, val, &e)) {
            g_clear_error(&e);
            if (!subch_probe(host, orig, &e))
                g_string_append_printf(why, "; rollback: %s", e->message);
        }
    }
}

/* The ccw device on the subchannel (dev_busid), and whether it is online
 * and QDIO. */
static bool
subch_check_device(const VccwHost *host, const SubchState *st, unsigned int flags,
                   GError **err)
{
    char busid[64], type[16], buf[64];
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
    return g_file_set_contents(path, val, -1, err);
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

bool
vccw_nodedev_detach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                    GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *subch = NULL;
    g_autofree char *now = NULL;
    SubchState st = { 0 };
    GError *step_err = NULL;
    bool ok = false;

    if (!subch_from_name(drv, name, &subch, err))
        return false;
    if (!subch_read_state(host, subch, &st, err))
        goto out;
    if (g_strcmp0(st.driver, VFIO_CCW) == 0) {
        ok = !(flags & VCCW_DETACH_PERSISTENT) || driverctl_persist(host, subch, VFIO_CCW, err);
        goto out;
    }
    if (!subch_check_device(host, &st, flags, err) || !ensure_vfio_ccw(host, err))
        goto out;

    /* driverctl's order: override, unbind, probe; then verify */
    if (!subch_set_override(host, &st, VFIO_CCW, &step_err) ||
        (st.driver && !subch_unbind(host, &st, st.driver, &step_err)) ||
        !subch_probe(host, &st, &step_err))
        goto rollback;
    now = subch_current_driver(&st);
    if (g_strcmp0(now, VFIO_CCW) != 0) {
        vccw_error_set(&step_err, VCCW_ERR_OPERATION_FAILED,
                       "subchannel %s did not bind to vfio_ccw (driver now: %s)",
                       subch, now ? now : "none");
        goto rollback;
    }
    if ((flags & VCCW_DETACH_PERSISTENT) && !driverctl_persist(host, subch, VFIO_CCW, &step_err))
        goto rollback;
    ok = true;
    goto out;

 rollback: {
        GString *why = g_string_new(step_err->message);
        subch_restore(host, &st, why);
        g_set_error_literal(err, VCCW_ERROR, step_err->code, why->str);
        g_string_free(why, TRUE);
        g_clear_error(&step_err);
    }
 out:
    subch_state_clear(&st);
    return ok;
}

/* The kernel registers the ccw device of a re-probed subchannel
 * asynchronously (observed on 6.1 and 6.12); wait a bounded time so that
 * the caller finds it, as after driverctl's unset-override. */
static void
wait_for_ccw_device(const VccwHost *host, const SubchState *st)
{
    char busid[64];
    g_autofree char *p_busid = attr_path(st, "dev_busid");
    g_autofree char *dev = NULL;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    g_autofree char *content = NULL;

    if (!g_file_get_contents(p_busid, &content, NULL, NULL))
        return;
    g_strlcpy(busid, g_strchomp(content), sizeof(busid));
    if (g_str_equal(busid, "none") || !vccw_path_component_is_safe(busid) ||
        !(dev = vccw_host_path(host, VCCW_HOST_DIR_CCW_DEVICES, busid, NULL, NULL)))
        return;
    while (!g_file_test(dev, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline)
        g_usleep(10000);
}

static bool
subch_has_mdevs(const SubchState *st, GString *names)
{
    g_autoptr(GDir) dir = g_dir_open(st->dir, 0, NULL);
    const char *ent;

    while (dir && (ent = g_dir_read_name(dir))) {
        if (vccw_uuid_is_canonical(ent)) {
            if (names->len)
                g_string_append(names, ", ");
            g_string_append(names, ent);
        }
    }
    return names->len > 0;
}

bool
vccw_nodedev_reattach(VccwNodeDevDriver *drv, const char *name, unsigned int flags,
                      GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *subch = NULL;
    g_autofree char *now = NULL;
    g_autoptr(GString) mdevs = g_string_new(NULL);
    SubchState st = { 0 };
    GError *step_err = NULL;
    bool ok = false;

    if (!subch_from_name(drv, name, &subch, err))
        return false;
    if (!subch_read_state(host, subch, &st, err))
        goto out;
    if (g_strcmp0(st.driver, VFIO_CCW) != 0 && !st.override) {
        ok = !(flags & VCCW_DETACH_PERSISTENT) || driverctl_persist(host, subch, NULL, err);
        goto out;
    }
    /* Unbinding would remove the mdevs, and block while one is in use. */
    if (subch_has_mdevs(&st, mdevs)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                       "subchannel %s still has mediated devices (%s): destroy them first",
                       subch, mdevs->str);
        goto out;
    }
    if ((st.driver && !subch_unbind(host, &st, st.driver, &step_err)) ||
        !subch_set_override(host, &st, NULL, &step_err) ||
        !subch_probe(host, &st, &step_err))
        goto rollback;
    now = subch_current_driver(&st);
    if (g_strcmp0(now, IO_SUBCHANNEL) != 0) {
        vccw_error_set(&step_err, VCCW_ERR_OPERATION_FAILED,
                       "subchannel %s did not go back to io_subchannel (driver now: %s)",
                       subch, now ? now : "none");
        goto rollback;
    }
    if (!driverctl_persist(host, subch, NULL, &step_err))
        goto rollback;
    wait_for_ccw_device(host, &st);
    ok = true;
    goto out;

 rollback: {
        GString *why = g_string_new(step_err->message);
        subch_restore(host, &st, why);
        g_set_error_literal(err, VCCW_ERROR, step_err->code, why->str);
        g_string_free(why, TRUE);
        g_clear_error(&step_err);
    }
 out:
    subch_state_clear(&st);
    return ok;
}

bool
vccw_nodedev_apply_persistent_override(VccwNodeDevDriver *drv, const char *subch,
                                       bool *applied, GError **err)
{
    const VccwHost *host = vccw_nodedev_driver_host(drv);
    g_autofree char *canon = NULL, *file = NULL, *path = NULL, *name = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GError) read_err = NULL;
    SubchState st = { 0 };
    VccwCcwId id;
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
    if (!subch_read_state(host, subch, &st, err)) {
        subch_state_clear(&st);
        return false;
    }
    /* already there (the rule ran before, or driverctl did it) */
    if (g_strcmp0(st.driver, VFIO_CCW) == 0) {
        subch_state_clear(&st);
        return true;
    }
    subch_state_clear(&st);
    name = vccw_nodedev_name_css(&id);
    ok = vccw_nodedev_detach(drv, name, VCCW_DETACH_FORCE, err);
    *applied = ok;
    return ok;
}
