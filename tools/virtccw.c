/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the command-line front end.
 *
 * This binary parses the global options, runs nodedev-list itself and
 * loads the commands module (virtccw-commands.so) for everything else.
 * Why two parts: the module links the XML code, and so libxml2, which
 * brings ICU and libstdc++; loading them costs about 1 ms at every start
 * (measured in bench/README.md), more than listing the mdevs of a
 * 20,000-subchannel host takes. The name-only listing needs none of it,
 * so this binary links only util, the node-device model and the
 * node-device driver (meson drops the libraries it does not use).
 *
 * The module is looked up beside the binary first (the build tree:
 * tools/virtccw and tools/virtccw-commands.so), then in VIRTCCW_MODULEDIR
 * (an installed virtccw). It must come from the same build: GlobalOpts
 * crosses the boundary, so a module of another version is refused.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libvirt_release.h"
#include "virtccw_cli.h"
#include "virtccw_config.h"

#define MODULE_FILE "virtccw-commands.so"

static const char short_usage[] = "usage: virtccw [OPTIONS] COMMAND [ARGS]\n";

/* The module's path: beside this binary if there is one, else the
 * installed one. */
static char *
module_path(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);

    if (self) {
        g_autofree char *dir = g_path_get_dirname(self);
        g_autofree char *beside = g_build_filename(dir, MODULE_FILE, NULL);

        if (g_file_test(beside, G_FILE_TEST_IS_REGULAR))
            return g_steal_pointer(&beside);
    }
    return g_build_filename(VIRTCCW_MODULEDIR, MODULE_FILE, NULL);
}

/* Load the commands module, or say on stderr why not. Never unloaded:
 * the process ends when its command does. */
static const VccwCliModule *
load_module(void)
{
    g_autofree char *path = module_path();
    const VccwCliModule *mod;
    void *handle;

    if (!(handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
        fprintf(stderr, "virtccw: cannot load the commands module: %s\n", dlerror());
        return NULL;
    }
    if (!(mod = dlsym(handle, VIRTCCW_CLI_MODULE_SYMBOL))) {
        fprintf(stderr, "virtccw: '%s' is not a virtccw commands module (no symbol %s)\n",
                path, VIRTCCW_CLI_MODULE_SYMBOL);
        return NULL;
    }
    if (!mod->version || strcmp(mod->version, VIRTCCW_VERSION) != 0) {
        fprintf(stderr, "virtccw: the commands module '%s' is of virtccw %s, this is virtccw %s\n",
                path, mod->version ? mod->version : "(unknown)", VIRTCCW_VERSION);
        return NULL;
    }
    return mod;
}

/* The usage text is the module's (it has the command tables). */
static void
usage(FILE *out)
{
    const VccwCliModule *mod = load_module();

    if (mod)
        mod->usage(out);
    else
        fputs(short_usage, out);
}

static void
global_opts_clear(GlobalOpts *opts)
{
    g_clear_pointer(&opts->caps_file, g_free);
    g_clear_pointer(&opts->cache_dir, g_free);
    g_clear_pointer(&opts->root, g_free);
    g_clear_pointer(&opts->libvirt_version, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(GlobalOpts, global_opts_clear)

int
main(int argc, char **argv)
{
    /* freed on every return, the refusals of a bad command line too */
    g_auto(GlobalOpts) opts = { 0 };
    const VccwCliModule *mod;
    int i = 1;
    int rc;

    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i];
        char **slot = g_str_equal(opt, "--emulator-caps") ? &opts.caps_file :
                      g_str_equal(opt, "--caps-cache") ? &opts.cache_dir :
                      g_str_equal(opt, "--root") ? &opts.root :
                      g_str_equal(opt, "--libvirt-version") ? &opts.libvirt_version : NULL;
        if (g_str_equal(opt, "--help")) {
            usage(stdout);
            return EXIT_OK;
        }
        if (g_str_equal(opt, "--version")) {
            printf("virtccw %s\n", VIRTCCW_VERSION);
            return EXIT_OK;
        }
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "virtccw: %s '%s'\n",
                    slot ? "missing value for option" : "unknown option", opt);
            usage(stderr);
            return EXIT_USAGE;
        }
        g_free(*slot);
        *slot = g_strdup(argv[++i]);
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (opts.libvirt_version && vccw_libvirt_release_parse(opts.libvirt_version) < 0) {
        fprintf(stderr, "virtccw: unknown libvirt version '%s' (expected MAJOR.MINOR, e.g. 9.0 or 11.3)\n",
                opts.libvirt_version);
        return EXIT_USAGE;
    }
    if (!opts.root && g_getenv("VIRTCCW_ROOT"))
        opts.root = g_strdup(g_getenv("VIRTCCW_ROOT"));
    if (g_str_equal(argv[i], "nodedev-list"))
        return cli_nodedev_list(&opts, argc - i - 1, argv + i + 1);
    if (!(mod = load_module()))
        return EXIT_REFUSED;
    if ((rc = mod->run(&opts, argv[i], argc - i - 1, argv + i + 1)) >= 0)
        return rc;
    fprintf(stderr, "virtccw: unknown command '%s'\n", argv[i]);
    mod->usage(stderr);
    return EXIT_USAGE;
}
