/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the command-line behaviours of each libvirt release, and
 * finding the installed libvirt's release. */
#include "qemu_release.h"
#include "vccw_error.h"

#include <string.h>

static const VccwQemuBehaviour qemu_behaviour[VCCW_LIBVIRT_LAST] = {
    [VCCW_LIBVIRT_9_0] = {
        .memory_size_kib = false,
        .raw_storage_node_only = false,
        .device_loadparm = false,
        .channel_dir_prefix = "/var/lib/libvirt/qemu/channel/target/domain--1-",
        .tap_fd = "27",
        .ccw_addr_error_names_machine = false,
    },
    [VCCW_LIBVIRT_11_3] = {
        .memory_size_kib = true,
        .raw_storage_node_only = true,
        .device_loadparm = true,
        .channel_dir_prefix = "/run/libvirt/qemu/channel/-1-",
        .tap_fd = "24",
        .ccw_addr_error_names_machine = true,
    },
};

const VccwQemuBehaviour *
vccw_qemu_behaviour(void)
{
    return &qemu_behaviour[vccw_libvirt_release_get()];
}

bool
vccw_qemu_device_loadparm(const VccwQemuCaps *caps)
{
    return vccw_qemu_behaviour()->device_loadparm &&
           vccw_qemu_caps_device_has_prop(caps, "vfio-ccw", "loadparm");
}

/* The program @name in $PATH or in the sbin directories a user's PATH
 * often lacks. */
static char *
find_program(const char *name)
{
    static const char *const sbin[] = { "/usr/sbin", "/sbin" };
    char *path = g_find_program_in_path(name);

    for (size_t i = 0; !path && i < G_N_ELEMENTS(sbin); i++) {
        g_autofree char *p = g_build_filename(sbin[i], name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
            path = g_steal_pointer(&p);
    }
    return path;
}

/* "libvirtd (libvirt) 9.0.0", "/usr/sbin/virtqemud (libvirt) 11.3.0",
 * "9.0.0": the last word. */
static char *
version_word(const char *out)
{
    g_autofree char *line = g_strndup(out, strcspn(out, "\n"));
    const char *sp = strrchr(line, ' ');

    return g_strdup(g_strstrip(sp ? (char *)sp + 1 : line));
}

int
vccw_libvirt_release_detect(char **found_version)
{
    /* the daemon builds the command line; the client's version is the
     * same package's on a host that has only virsh */
    static const char *const programs[] = { "virtqemud", "libvirtd", "virsh" };

    for (size_t i = 0; i < G_N_ELEMENTS(programs); i++) {
        g_autofree char *path = find_program(programs[i]);
        g_autofree char *out = NULL;
        g_autofree char *ver = NULL;
        const char *argv[] = { NULL, "--version", NULL };
        int status = 0;
        int rel;

        if (!path)
            continue;
        argv[0] = path;
        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, &out, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL))
            continue;
        ver = version_word(out);
        if ((rel = vccw_libvirt_release_parse(ver)) < 0)
            continue;
        if (found_version)
            *found_version = g_steal_pointer(&ver);
        return rel;
    }
    return -1;
}

bool
vccw_libvirt_release_choose(const char *option, VccwLibvirtRelease *rel, GError **err)
{
    int r;

    if (!vccw_libvirt_release_asked(option, &r, err))
        return false;
    if (r < 0)
        r = vccw_libvirt_release_detect(NULL);
    *rel = r >= 0 ? (VccwLibvirtRelease)r : VCCW_LIBVIRT_RELEASE_FALLBACK;
    return true;
}
