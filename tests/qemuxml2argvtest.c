/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the data-driven domain test runner.
 *
 * For every NAME.xml in DATADIR (tests/qemuxml2argvdata) it loads the
 * domain with the recorded capabilities of the emulator the XML names and
 * compares:
 *   - the command line with NAME.args, or the error with NAME.err
 *     (both made by libvirt 9.0, see tests/libvirt-reference/);
 *   - the normalized XML with OUTDIR/NAME.xml, or the error with
 *     OUTDIR/NAME.err.
 * Where virtccw deliberately differs from libvirt, NAME.virtccw.args /
 * NAME.virtccw.err / OUTDIR/NAME.virtccw.xml / .virtccw.err hold our
 * expectation and tests/virtccw-vs-libvirt.md says why.
 *
 * With RELEASE (a libvirt release other than 9.0, e.g. 11.3) the runner
 * follows that release and compares with the expected files in
 * DATADIR/libvirt-RELEASE/ and OUTDIR/libvirt-RELEASE/ (made by that
 * libvirt with its QEMU), using the capabilities of that QEMU.
 *
 * VIRTCCW_TEST_REGENERATE=1 rewrites the expected files that differ
 * (the .virtccw.* override when one exists) for a human to review with
 * `git diff`. An override beside the input serves every release: to give
 * one release its own, create the file in libvirt-RELEASE/ first.
 *
 * usage: qemuxml2argvtest CAPSDIR DATADIR OUTDIR [RELEASE]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "domain_format.h"
#include "qemu_command.h"
#include "qemu_domain.h"
#include "qemu_release.h"
#include "testutils.h"

/* Recorded capabilities of the QEMU each reference libvirt ran with, per
 * emulator binary name; the first of a release is its default. */
static const struct {
    VccwLibvirtRelease release;
    const char *emulator;
    const char *file;
} caps_files[] = {
    { VCCW_LIBVIRT_9_0, "qemu-system-s390x", "caps_7.2.0_s390x.json" },
    { VCCW_LIBVIRT_9_0, "qemu-system-x86_64", "caps_7.2.0_x86_64.json" },
    { VCCW_LIBVIRT_11_3, "qemu-system-s390x", "caps_10.0.0_s390x.json" },
    { VCCW_LIBVIRT_11_3, "qemu-system-x86_64", "caps_10.0.0_x86_64.json" },
};

static VccwLibvirtRelease release = VCCW_LIBVIRT_9_0;

/* NAME.caps, when present, names the capabilities file to use (e.g. an
 * emulator without JSON -device); a release's own libvirt-R/NAME.caps
 * first. Otherwise the emulator's name decides. */
static VccwQemuCaps *
caps_for(const char *capsdir, const char *case_base, const char *rel_base,
         const char *xml, size_t len, GHashTable *cache)
{
    g_autoptr(VccwDomainDef) def = vccw_domain_load_parse_only(xml, len, "test", NULL);
    g_autofree char *override_path = g_strdup_printf("%s.caps", case_base);
    g_autofree char *rel_override_path = g_strdup_printf("%s.caps", rel_base);
    g_autofree char *override = NULL;
    const char *file = NULL;
    VccwQemuCaps *caps;

    if (g_file_get_contents(rel_override_path, &override, NULL, NULL) ||
        g_file_get_contents(override_path, &override, NULL, NULL)) {
        g_strstrip(override);
        file = override;
    } else {
        g_autofree char *base = def && def->emulator ? g_path_get_basename(def->emulator)
                                                     : NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(caps_files); i++) {
            if (caps_files[i].release != release)
                continue;
            if (!file || (base && g_str_equal(base, caps_files[i].emulator)))
                file = caps_files[i].file;
            if (base && g_str_equal(base, caps_files[i].emulator))
                break;
        }
    }
    if (!(caps = g_hash_table_lookup(cache, file))) {
        g_autofree char *path = g_build_filename(capsdir, file, NULL);
        g_autoptr(GError) err = NULL;
        if (!(caps = vccw_qemu_caps_load_file(path, &err)))
            g_error("cannot load %s: %s", path, err->message);
        g_hash_table_insert(cache, g_strdup(file), caps);
    }
    return caps;
}

/* BASE.virtccw.KIND if BASE has a virtccw override of either kind. */
static char *
override_path(const char *base, const char *kind, const char *other_kind)
{
    g_autofree char *override = g_strdup_printf("%s.virtccw.%s", base, kind);
    g_autofree char *other = g_strdup_printf("%s.virtccw.%s", base, other_kind);

    if (g_file_test(override, G_FILE_TEST_EXISTS) || g_file_test(other, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&override);
    return NULL;
}

/* Compare @actual (success output or error text) with the expected file
 * pair BASE{.virtccw,}{.SUCCESS_EXT,.err}. A release other than 9.0 has
 * BASE in its libvirt-R/ directory; where that has no virtccw override,
 * the one beside the input (@top_base, virtccw's own choice for every
 * release) applies. */
static void
check(const char *name, const char *what, const char *base, const char *top_base,
      const char *success_ext, const char *actual, bool is_error)
{
    const char *kind = is_error ? "err" : success_ext;
    const char *other_kind = is_error ? success_ext : "err";
    g_autofree char *plain = g_strdup_printf("%s.%s", base, kind);
    g_autofree char *override = override_path(base, kind, other_kind);
    const char *path = plain;
    g_autofree char *what_name = NULL;

    if (!override && !g_str_equal(base, top_base))
        override = override_path(top_base, kind, other_kind);
    if (override)
        path = override;
    what_name = g_strdup_printf("%s %s", name, what);
    vccw_test_compare_file(what_name, path, actual);
}

/* The directory of a release's expected files: DIR for 9.0, else
 * DIR/libvirt-RELEASE. */
static char *
expected_dir(const char *dir)
{
    if (release == VCCW_LIBVIRT_9_0)
        return g_strdup(dir);
    return g_strdup_printf("%s/libvirt-%s", dir, vccw_libvirt_release_to_string(release));
}

static void
run_case(const char *capsdir, const char *datadir, const char *outdir,
         const char *name, GHashTable *cache)
{
    g_autofree char *xmlpath = g_strdup_printf("%s/%s.xml", datadir, name);
    g_autofree char *argdir = expected_dir(datadir);
    g_autofree char *xoutdir = expected_dir(outdir);
    g_autofree char *inbase = g_strdup_printf("%s/%s", datadir, name);
    g_autofree char *argbase = g_strdup_printf("%s/%s", argdir, name);
    g_autofree char *outbase = g_strdup_printf("%s/%s", xoutdir, name);
    g_autofree char *top_outbase = g_strdup_printf("%s/%s", outdir, name);
    g_autofree char *xml = NULL;
    size_t len = 0;
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwDomainDef) def = NULL;
    VccwQemuCaps *caps;

    if (!g_file_get_contents(xmlpath, &xml, &len, NULL)) {
        vccw_test_fail(name, "cannot read %s", xmlpath);
        return;
    }
    caps = caps_for(capsdir, inbase, argbase, xml, len, cache);
    def = vccw_qemu_domain_load(xml, len, xmlpath, caps, &err);
    if (!def) {
        g_autofree char *msg = g_strdup_printf("%s\n", err->message);
        check(name, "xml", outbase, top_outbase, "xml", msg, true);
        check(name, "argv", argbase, inbase, "args", msg, true);
        return;
    }
    {
        g_autofree char *out = vccw_domain_def_format(def);
        check(name, "xml", outbase, top_outbase, "xml", out, false);
    }
    {
        g_autoptr(VccwQemuCommand) cmd = vccw_qemu_build_command(def, caps, &err);
        g_autofree char *line = NULL;
        g_autofree char *text = NULL;
        if (!cmd) {
            text = g_strdup_printf("%s\n", err->message);
            check(name, "argv", argbase, inbase, "args", text, true);
            return;
        }
        line = vccw_qemu_command_to_string(cmd);
        text = g_strdup_printf("%s\n", line);
        check(name, "argv", argbase, inbase, "args", text, false);
    }
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autoptr(GHashTable) cache = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = NULL;
    const char *entry;
    const char *only = g_getenv("VIRTCCW_TEST_ONLY");

    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s CAPSDIR DATADIR OUTDIR [RELEASE]\n", argv[0]);
        return 2;
    }
    if (argc == 5) {
        int r = vccw_libvirt_release_from_string(argv[4]);
        if (r < 0) {
            fprintf(stderr, "unknown libvirt release '%s'\n", argv[4]);
            return 2;
        }
        release = r;
    }
    vccw_libvirt_release_set(release);
    vccw_test_diag("libvirt %s", vccw_libvirt_release_to_string(release));
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify)vccw_qemu_caps_free);
    if (!(dir = g_dir_open(argv[2], 0, NULL))) {
        fprintf(stderr, "cannot open %s\n", argv[2]);
        return 2;
    }
    while ((entry = g_dir_read_name(dir))) {
        if (g_str_has_suffix(entry, ".xml") && !strstr(entry, ".virtccw."))
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 4));
    }
    qsort(names->pdata, names->len, sizeof(char *), compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        if (only && !strstr(name, only))
            continue;
        run_case(argv[1], argv[2], argv[3], name, cache);
    }
    return vccw_test_done();
}
