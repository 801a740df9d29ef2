/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the program of virtccw's udev rule (data/85-virtccw.rules).
 *
 * udev runs "virtccw udev-event [--no-bind] [--no-start]" for css
 * subchannel events with the uevent in the environment (ACTION, SUBSYSTEM,
 * DEVPATH, MDEV_STATE, ...). What it does, for subchannel S:
 *   add:                        apply /etc/driverctl.d/css-S (bind to
 *                               vfio_ccw), then start the start=auto
 *                               mdevs of S if S is registered already
 *                               (kernels without the change uevent);
 *   change, MDEV_STATE=registered: start the start=auto mdevs of S.
 * Everything else is ignored (exit 0). Both steps are no-ops when already
 * done, so a repeated event changes nothing and tries nothing. The rule
 * passes --no-bind when driverctl's own rule is installed (driverctl
 * applies its overrides itself) and --no-start when /usr/sbin/mdevctl
 * exists (mdevctl's own rule can then run). The work is the node-device
 * driver's (vccw_nodedev_apply_persistent_override,
 * vccw_nodedev_autostart_parent), as for nodedev-detach and autostart.
 *
 * Output: one line per change or failure on stderr, also to syslog (udev
 * keeps a RUN program's output at debug level only). Exit 1 when
 * something failed, 2 on a wrong command line.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "virtccw.h"
#include "node_device_driver.h"
#include "vccw_error.h"

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void G_GNUC_PRINTF(2, 3)
say(int prio, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "virtccw udev-event: %s\n", msg);
    syslog(prio, "%s", msg);
}

/* The subchannel the event is about: the last component of DEVPATH
 * (/devices/css0/0.0.0313), or KERNEL when udev names it. */
static const char *
event_subchannel(void)
{
    const char *devpath = g_getenv("DEVPATH");
    const char *kernel = g_getenv("KERNEL");
    const char *slash;

    if (kernel && *kernel)
        return kernel;
    if (!devpath || !(slash = strrchr(devpath, '/')))
        return NULL;
    return slash + 1;
}

static int
cmd_udev_event(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(GHashTable) o = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) pos = g_ptr_array_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(VccwHost) host = NULL;
    g_autoptr(VccwNodeDevDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    const char *action = g_getenv("ACTION");
    const char *subsystem = g_getenv("SUBSYSTEM");
    const char *state = g_getenv("MDEV_STATE");
    const char *subch = event_subchannel();
    bool add, registered_event, bind, start, registered = false, applied = false;
    int rc = EXIT_OK;

    if (!cli_parse_args(argc, argv, STRV("--bind", "--no-bind", "--start", "--no-start"), NULL, o, pos) || pos->len)
        return cli_usage_error("udev-event", "[--bind|--no-bind] [--start|--no-start]  (uevent in the environment)");
    add = g_strcmp0(action, "add") == 0;
    registered_event = g_strcmp0(action, "change") == 0 && g_strcmp0(state, "registered") == 0;
    if (g_strcmp0(subsystem, "css") != 0 || !(add || registered_event) || !subch)
        return EXIT_OK;
    bind = add && !g_hash_table_contains(o, "--no-bind");
    start = !g_hash_table_contains(o, "--no-start");
    if (!bind && !start)
        return EXIT_OK;

    openlog("virtccw", LOG_PID, LOG_DAEMON);
    if (!(host = vccw_host_new(opts->root, &err)) ||
        !(drv = vccw_nodedev_driver_new(host, &err))) {
        say(LOG_ERR, "%s", err->message);
        return EXIT_REFUSED;
    }
    if (bind) {
        if (!vccw_nodedev_apply_persistent_override(drv, subch, &applied, &err)) {
            say(LOG_ERR, "subchannel %s: persistent binding not applied: %s", subch, err->message);
            g_clear_error(&err);
            rc = EXIT_REFUSED;
        } else if (applied) {
            say(LOG_INFO, "subchannel %s bound to vfio_ccw (persistent override)", subch);
        }
    }
    if (start) {
        if (!vccw_nodedev_autostart_parent(drv, subch, &registered, started, warnings, &err)) {
            say(LOG_ERR, "subchannel %s: autostart: %s", subch, err->message);
            rc = EXIT_REFUSED;
        }
        for (guint i = 0; i < started->len; i++)
            say(LOG_INFO, "mdev %s started on %s (start=auto)",
                (const char *)g_ptr_array_index(started, i), subch);
        for (guint i = 0; i < warnings->len; i++) {
            say(LOG_ERR, "%s", (const char *)g_ptr_array_index(warnings, i));
            rc = EXIT_REFUSED;
        }
    }
    closelog();
    return rc;
}

const Command cli_udev_commands[] = {
    { "udev-event", "[--bind|--no-bind] [--start|--no-start]",
      "the udev rule's program (uevent in the environment): apply a subchannel's persistent vfio_ccw binding on 'add', start its start=auto mdevs once it is registered",
      cmd_udev_event },
};
const size_t cli_udev_commands_len = G_N_ELEMENTS(cli_udev_commands);
