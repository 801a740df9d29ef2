/* virtccw: the command-line front end.
 *
 * Commands are a table (name, usage, handler); each handler returns an
 * exit status: 0 success, 1 the input was refused, 2 the command line
 * was wrong.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "qemu_capabilities.h"
#include "qemu_command.h"
#include "qemu_domain.h"
#include "domain_format.h"
#include "vccw_error.h"
#include "virtccw_config.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

typedef struct {
    char *caps_file;   /* --emulator-caps */
    char *cache_dir;   /* --caps-cache */
} GlobalOpts;

static int
fail(GError *err)
{
    fprintf(stderr, "error: %s\n", err->message);
    g_error_free(err);
    return EXIT_REFUSED;
}

static bool
read_input(const char *path, char **data, size_t *len, GError **err)
{
    g_autoptr(GError) gerr = NULL;

    if (g_str_equal(path, "-")) {
        GString *buf = g_string_new(NULL);
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
            g_string_append_len(buf, chunk, n);
        *len = buf->len;
        *data = g_string_free(buf, FALSE);
        return true;
    }
    if (!g_file_get_contents(path, data, len, &gerr)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "cannot read '%s': %s",
                       path, gerr->message);
        return false;
    }
    return true;
}

/* The emulator's capabilities: a recorded file, or a probe of the
 * emulator the domain names (through the cache). */
static VccwQemuCaps *
get_caps(const GlobalOpts *opts, const char *xml, size_t len, const char *url, GError **err)
{
    g_autoptr(VccwDomainDef) def = NULL;
    g_autofree char *emulator = NULL;

    if (opts->caps_file)
        return vccw_qemu_caps_load_file(opts->caps_file, err);
    if (!(def = vccw_domain_load_parse_only(xml, len, url, err)))
        return NULL;
    if (def->emulator)
        emulator = g_strdup(def->emulator);
    else
        emulator = g_strdup_printf("/usr/bin/qemu-system-%s", def->arch ? def->arch : "s390x");
    return vccw_qemu_caps_cache_lookup(emulator, opts->cache_dir, err);
}

static VccwDomainDef *
load_domain(const GlobalOpts *opts, const char *path, VccwQemuCaps **caps_out, GError **err)
{
    g_autofree char *xml = NULL;
    size_t len = 0;
    g_autoptr(VccwQemuCaps) caps = NULL;
    VccwDomainDef *def;

    if (!read_input(path, &xml, &len, err))
        return NULL;
    if (!(caps = get_caps(opts, xml, len, path, err)))
        return NULL;
    if (!(def = vccw_qemu_domain_load(xml, len, path, caps, err)))
        return NULL;
    if (caps_out)
        *caps_out = g_steal_pointer(&caps);
    return def;
}

static int
cmd_domxml_to_native(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwQemuCaps) caps = NULL;
    g_autoptr(VccwDomainDef) def = NULL;
    g_autoptr(VccwQemuCommand) cmd = NULL;
    g_autofree char *line = NULL;
    GError *err = NULL;

    if (argc != 2 || !g_str_equal(argv[0], "qemu-argv")) {
        fprintf(stderr, "usage: virtccw domxml-to-native qemu-argv FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[1], &caps, &err)))
        return fail(err);
    if (!(cmd = vccw_qemu_build_command(def, caps, &err)))
        return fail(err);
    line = vccw_qemu_command_to_string(cmd);
    printf("%s\n", line);
    return EXIT_OK;
}

static int
cmd_domxml_normalize(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    GError *err = NULL;

    if (argc != 1) {
        fprintf(stderr, "usage: virtccw domxml-normalize FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[0], NULL, &err)))
        return fail(err);
    xml = vccw_domain_def_format(def);
    fputs(xml, stdout);
    return EXIT_OK;
}

static int
cmd_validate(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(VccwDomainDef) def = NULL;
    GError *err = NULL;

    if (argc != 1) {
        fprintf(stderr, "usage: virtccw validate FILE\n");
        return EXIT_USAGE;
    }
    if (!(def = load_domain(opts, argv[0], NULL, &err)))
        return fail(err);
    printf("%s validates\n", argv[0]);
    return EXIT_OK;
}

typedef struct {
    const char *name;
    const char *args;
    const char *help;
    int (*run)(const GlobalOpts *opts, int argc, char **argv);
} Command;

static const Command commands[] = {
    { "domxml-to-native", "qemu-argv FILE",
      "print the QEMU command line for a domain (one line, shell-quoted)",
      cmd_domxml_to_native },
    { "domxml-normalize", "FILE",
      "print the domain XML with defaults and addresses filled in",
      cmd_domxml_normalize },
    { "validate", "FILE", "check a domain against the schema and the rules",
      cmd_validate },
};

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: virtccw [OPTIONS] COMMAND [ARGS]\n\n"
            "Options:\n"
            "  --emulator-caps FILE  use recorded QEMU capabilities instead of probing\n"
            "  --caps-cache DIR      where probed capabilities are cached\n"
            "                        (default $XDG_CACHE_HOME/virtccw/qemucaps)\n"
            "  --help, --version\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %s %s\n      %s\n", commands[i].name, commands[i].args,
                commands[i].help);
    fprintf(out, "\nFILE may be '-' for standard input. See virtccw(1).\n");
}

int
main(int argc, char **argv)
{
    GlobalOpts opts = { 0 };
    int i = 1;
    int rc;

    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i];
        char **slot = g_str_equal(opt, "--emulator-caps") ? &opts.caps_file :
                      g_str_equal(opt, "--caps-cache") ? &opts.cache_dir : NULL;
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
    for (size_t c = 0; c < G_N_ELEMENTS(commands); c++) {
        if (g_str_equal(argv[i], commands[c].name)) {
            rc = commands[c].run(&opts, argc - i - 1, argv + i + 1);
            g_free(opts.caps_file);
            g_free(opts.cache_dir);
            return rc;
        }
    }
    fprintf(stderr, "virtccw: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
