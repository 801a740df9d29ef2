/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: mount a simulated s390 host (sysfs css / vfio_ccw /
 * mdev, /dev/vfio, writable etc/ and run/) at DIR. See
 * src/simhost/README.md. */
#include "sim_fuse.h"
#include "sim_layout.h"
#include "sim_model.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
rm_rf(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;

    if (d) {
        while ((name = g_dir_read_name(d))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                rm_rf(child);
            else
                g_unlink(child);
        }
    }
    return g_rmdir(path);
}

static bool
prepare_backing(const char *dir, GError **err)
{
    static const char *const subdirs[] = {
        "etc", "etc/mdevctl.d", "etc/mdevctl.d/scripts.d", "etc/mdevctl.d/scripts.d/callouts",
        "etc/mdevctl.d/scripts.d/notifiers", "etc/driverctl.d", "run",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        g_autofree char *p = g_build_filename(dir, subdirs[i], NULL);

        if (g_mkdir_with_parents(p, 0755) < 0) {
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "cannot create '%s': %s", p, g_strerror(errno));
            return false;
        }
    }
    return true;
}

int
main(int argc, char **argv)
{
    gint subchannels = 64, ssids = 0;
    gboolean foreground = FALSE, debug = FALSE, no_vfio = FALSE;
    g_autofree char *state = NULL, *backing = NULL, *layout_s = NULL, *kernel_s = NULL;
    g_auto(GStrv) rest = NULL;
    GOptionEntry entries[] = {
        { "subchannels", 'n', 0, G_OPTION_ARG_INT, &subchannels,
          "number of subchannels (1..262144, default 64)", "N" },
        { "ssids", 0, 0, G_OPTION_ARG_INT, &ssids,
          "spread them over K subchannel sets (1..4; default: as few as needed)", "K" },
        { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_s,
          "lpar (default: DASD, QDIO, CHSC) or qemu (the kernel-evidence guest)", "KIND" },
        { "kernel", 0, 0, G_OPTION_ARG_STRING, &kernel_s,
          "6.1 (default) or 6.12 behaviour", "VER" },
        { "no-vfio-ccw", 0, 0, G_OPTION_ARG_NONE, &no_vfio,
          "start with vfio_ccw not loaded (load it via .simhost/ctl)", NULL },
        { "state", 0, 0, G_OPTION_ARG_FILENAME, &state,
          "load the host state from FILE if it exists, save it there on exit", "FILE" },
        { "backing", 0, 0, G_OPTION_ARG_FILENAME, &backing,
          "keep etc/ and run/ in DIR (default: a temporary directory, removed on exit)", "DIR" },
        { "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
          "do not daemonise", NULL },
        { "debug", 'd', 0, G_OPTION_ARG_NONE, &debug,
          "libfuse debug output (implies --foreground)", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "DIR" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DIR - mount a simulated s390 host");
    g_autoptr(GError) err = NULL;
    g_autoptr(SimModel) model = NULL;
    g_autofree char *tmpdir = NULL;
    SimLayoutKind kind = SIM_LAYOUT_LPAR;
    SimKernel kernel = SIM_KERNEL_6_1;
    SimFuseOptions fo;
    SimLayout layout;
    int ret;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Stop it with SIGTERM or 'fusermount3 -u DIR'. Without --foreground the\n"
        "command returns once DIR is mounted and usable.\n"
        "Control file DIR/.simhost/ctl: 'modprobe vfio_ccw', 'rmmod vfio_ccw',\n"
        "'clear-events'; DIR/.simhost/events: kernel log and uevents.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "virtccw-simhost: %s\n", err->message);
        return 2;
    }
    if (!rest || g_strv_length(rest) != 1) {
        fprintf(stderr, "virtccw-simhost: expected exactly one mount directory\n");
        return 2;
    }
    if (layout_s && g_str_equal(layout_s, "qemu"))
        kind = SIM_LAYOUT_QEMU;
    else if (layout_s && !g_str_equal(layout_s, "lpar")) {
        fprintf(stderr, "virtccw-simhost: unknown layout '%s'\n", layout_s);
        return 2;
    }
    if (kernel_s && g_str_equal(kernel_s, "6.12"))
        kernel = SIM_KERNEL_6_12;
    else if (kernel_s && !g_str_equal(kernel_s, "6.1")) {
        fprintf(stderr, "virtccw-simhost: unknown kernel '%s' (6.1 or 6.12)\n", kernel_s);
        return 2;
    }
    if (subchannels < 1 || ssids < 0 ||
        !sim_layout_init(&layout, kind, kernel, (uint32_t)subchannels, (uint32_t)ssids, &err)) {
        fprintf(stderr, "virtccw-simhost: %s\n",
                err ? err->message : "number of subchannels must be positive");
        return 2;
    }
    model = sim_model_new(&layout, !no_vfio);
    if (state && g_file_test(state, G_FILE_TEST_EXISTS)) {
        g_autofree char *text = NULL;

        if (!g_file_get_contents(state, &text, NULL, &err) || !sim_model_load(model, text, &err)) {
            fprintf(stderr, "virtccw-simhost: %s: %s\n", state, err->message);
            return 1;
        }
    }
    if (!backing) {
        tmpdir = g_dir_make_tmp("virtccw-simhost-XXXXXX", &err);
        if (!tmpdir) {
            fprintf(stderr, "virtccw-simhost: %s\n", err->message);
            return 1;
        }
    }
    if (!prepare_backing(backing ? backing : tmpdir, &err)) {
        fprintf(stderr, "virtccw-simhost: %s\n", err->message);
        return 1;
    }
    if (state && !g_path_is_absolute(state)) {
        g_autofree char *cwd = g_get_current_dir();
        char *abs = g_build_filename(cwd, state, NULL);

        g_free(state);
        state = abs;
    }
    memset(&fo, 0, sizeof(fo));
    fo.mountpoint = rest[0];
    fo.backing = backing ? backing : tmpdir;
    fo.foreground = foreground || debug;
    fo.debug = debug;
    ret = sim_fuse_run(model, &fo, &err);
    if (ret < 0)
        fprintf(stderr, "virtccw-simhost: %s\n", err->message);
    if (state) {
        g_autofree char *text = sim_model_save(model);
        g_autoptr(GError) serr = NULL;

        if (!g_file_set_contents(state, text, -1, &serr)) {
            fprintf(stderr, "virtccw-simhost: %s\n", serr->message);
            ret = -1;
        }
    }
    if (tmpdir)
        rm_rf(tmpdir);
    return ret < 0 ? 1 : 0;
}
