/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: the node-device driver a node-device command works on,
 * shared by nodedev-list (in the virtccw binary itself) and the other
 * node-device commands (in the commands module). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libvirt_release.h"
#include "virtccw_nodedev_session.h"

/* The libvirt release node-device output follows: one asked for with
 * --libvirt-version or $VIRTCCW_LIBVIRT_VERSION; otherwise the one whose
 * node-device API virtccwd serves (11.3, libvirt_release.h), whatever
 * libvirt is installed, so that virtccw and virsh over virtccwd list the
 * same devices on one host. The installed libvirt is not asked, unlike
 * for the domain commands: virsh's node devices come from virtccwd, not
 * from that libvirt. */
static bool
choose_release(const GlobalOpts *opts, GError **err)
{
    int rel;

    if (!vccw_libvirt_release_asked(opts->libvirt_version, &rel, err))
        return false;
    vccw_libvirt_release_set(rel >= 0 ? (VccwLibvirtRelease)rel
                                      : vccw_libvirt_release_nodedev_api());
    return true;
}

bool
cli_nodedev_session_open(const GlobalOpts *opts, CliNodedevSession *s, GError **err)
{
    if (!choose_release(opts, err))
        return false;
    if (!(s->host = vccw_host_new(opts->root, err)))
        return false;
    if (!(s->drv = vccw_nodedev_driver_new(s->host, err))) {
        vccw_host_free(s->host);
        return false;
    }
    return true;
}

void
cli_nodedev_session_close(CliNodedevSession *s)
{
    vccw_nodedev_driver_free(s->drv);
    vccw_host_free(s->host);
}

static gint
compare_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted: directory order differs between filesystems. */
void
cli_print_warnings(GPtrArray *warnings)
{
    g_ptr_array_sort(warnings, compare_str);
    for (guint i = 0; i < warnings->len; i++)
        fprintf(stderr, "warning: %s\n", (const char *)g_ptr_array_index(warnings, i));
}
