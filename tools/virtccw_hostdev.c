/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: host preparation for a domain's vfio-ccw host devices
 * (declarative, journaled), the libvirt hook, and live attach/detach. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virtccw.h"
#include "qemu_capabilities.h"
#include "qemu_domain.h"
#include "hostdev_journal.h"
#include "hostdev_prepare.h"
#include "qemu_hotplug.h"
#include "qemu_qmp.h"
#include "vccw_error.h"

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The commands of this file, for tools/virtccw.c's command table. */
extern const Command cli_hostdev_commands[];
extern const size_t cli_hostdev_commands_len;

typedef struct {
    VccwHost *host;
    VccwHostdevMgr *mgr;
} Session;

static bool
session_open(const GlobalOpts *opts, Session *s, GError **err)
{
    memset(s, 0, sizeof(*s));
    if (!(s->host = vccw_host_new(opts->root, err)))
        return false;
    if (!(s->mgr = vccw_hostdev_mgr_new(s->host, err))) {
        vccw_host_free(s->host);
        return false;
    }
    return true;
}

static void
session_close(Session *s)
{
    vccw_hostdev_mgr_free(s->mgr);
    vccw_host_free(s->host);
}

static void
print_report(FILE *out, GPtrArray *report)
{
    for (guint i = 0; i < report->len; i++)
        fprintf(out, "%s\n", (const char *)g_ptr_array_index(report, i));
}

/* ---- domain-prepare / domain-release / recover ---------------------------- */

static int
cmd_prepare(const GlobalOpts *opts, int argc, char **argv)
{
    g_autofree char *xml = NULL;
    g_autoptr(VccwDomainDef) def = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    size_t len = 0;
    GError *err = NULL;
    Session s;
    bool ok;

    if (argc != 1)
        return cli_usage_error("domain-prepare", "FILE");
    if (!cli_read_input(argv[0], &xml, &len, &err) ||
        !(def = vccw_domain_load_parse_only(xml, len, argv[0], &err)))
        return cli_fail(err);
    specs = vccw_hostdev_specs_from_def(def);
    if (!session_open(opts, &s, &err))
        return cli_fail(err);
    ok = vccw_hostdev_prepare(s.mgr, def->name, (const VccwHostdevSpec *)specs->data,
                              specs->len, report, &err);
    session_close(&s);
    print_report(stdout, report);
    if (!ok)
        return cli_fail(err);
    printf("Domain '%s' prepared (%u vfio-ccw host device%s)\n\n", def->name, specs->len,
           specs->len == 1 ? "" : "s");
    return EXIT_OK;
}

/* FILE (a path, '-', or an existing file) or a domain NAME. */
static bool
domain_name_of(const char *arg, char **name, GError **err)
{
    g_autofree char *xml = NULL;
    g_autoptr(GArray) specs = NULL;
    size_t len = 0;

    if (!g_str_equal(arg, "-") && !strchr(arg, '/') && !g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
        *name = g_strdup(arg);
        return true;
    }
    return cli_read_input(arg, &xml, &len, err) &&
           vccw_hostdev_specs_from_xml(xml, len, name, &specs, err);
}

static int
cmd_release(const GlobalOpts *opts, int argc, char **argv)
{
    g_autofree char *name = NULL;
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    GError *err = NULL;
    Session s;
    bool ok;

    if (argc != 1)
        return cli_usage_error("domain-release", "FILE|NAME");
    if (!domain_name_of(argv[0], &name, &err) || !session_open(opts, &s, &err))
        return cli_fail(err);
    ok = vccw_hostdev_release(s.mgr, name, NULL, report, &err);
    session_close(&s);
    print_report(stdout, report);
    if (!ok)
        return cli_fail(err);
    printf("Domain '%s' released\n\n", name);
    return EXIT_OK;
}

static int
cmd_recover(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    GError *err = NULL;
    Session s;
    bool ok;

    if (argc > 1)
        return cli_usage_error("recover", "[NAME]");
    if (!session_open(opts, &s, &err))
        return cli_fail(err);
    ok = vccw_hostdev_recover(s.mgr, argc ? argv[0] : NULL, report, &err);
    session_close(&s);
    print_report(stdout, report);
    if (!ok)
        return cli_fail(err);
    if (report->len == 0)
        printf("Nothing to recover\n");
    printf("\n");
    return EXIT_OK;
}

static int
cmd_claims(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(GPtrArray) names = NULL;
    GError *err = NULL;
    Session s;

    if (argc != 0)
        return cli_usage_error("hostdev-claims", "");
    if (!session_open(opts, &s, &err))
        return cli_fail(err);
    if (!(names = vccw_hd_journal_list(s.host, &err))) {
        session_close(&s);
        return cli_fail(err);
    }
    printf(" %-20s %-36s %-8s %s\n", "Domain", "Mediated device", "Managed", "Host changes");
    printf("%s\n", "-------------------------------------------------------------------------------------");
    for (guint i = 0; i < names->len; i++) {
        g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(s.host, g_ptr_array_index(names, i), &err);

        if (!j) {
            fprintf(stderr, "warning: %s\n", err->message);
            g_clear_error(&err);
            continue;
        }
        for (guint c = 0; c < j->claims->len; c++) {
            const VccwHdClaim *cl = g_ptr_array_index(j->claims, c);
            g_autoptr(GString) acts = g_string_new(NULL);

            for (guint a = 0; a < cl->actions->len; a++) {
                const VccwHdAction *ac = g_ptr_array_index(cl->actions, a);
                g_string_append_printf(acts, "%s%s %s", acts->len ? ", " : "",
                                       ac->kind == VCCW_HD_ACT_BIND_SUBCH ? "bound" : "started",
                                       ac->subch);
            }
            printf(" %-20s %-36s %-8s %s%s\n", j->domain, cl->uuid, cl->managed ? "yes" : "no",
                   acts->len ? acts->str : "-",
                   j->txn != VCCW_HD_TXN_NONE ? " (interrupted: run 'virtccw recover')" : "");
        }
    }
    printf("\n");
    session_close(&s);
    return EXIT_OK;
}

/* ---- the libvirt hook ----------------------------------------------------------- */

/* libvirt runs each script in /etc/libvirt/hooks/qemu.d/ as "SCRIPT NAME OP SUBOP EXTRA"
 * with the domain XML on stdin, and fails the operation (showing the
 * script's stderr) when it exits non-zero. */
static int
cmd_hook(const GlobalOpts *opts, int argc, char **argv)
{
    g_autofree char *xml = NULL;
    g_autofree char *xml_name = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    const char *name, *op, *subop;
    size_t len = 0;
    GError *err = NULL;
    Session s;
    bool prepare, release, ok;

    if (argc < 4 || argc > 5 || !g_str_equal(argv[0], "qemu"))
        return cli_usage_error("hook", "qemu NAME OP SUBOP [EXTRA]  (domain XML on stdin)");
    name = argv[1];
    op = argv[2];
    subop = argv[3];
    /* always drain stdin: libvirt writes the whole XML to us */
    if (!cli_read_input("-", &xml, &len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        g_error_free(err);
        return EXIT_REFUSED;
    }
    prepare = g_str_equal(op, "prepare") && g_str_equal(subop, "begin");
    release = g_str_equal(op, "release") && g_str_equal(subop, "end");
    if (!prepare && !release)
        return EXIT_OK;
    if (prepare && !vccw_hostdev_specs_from_xml(xml, len, &xml_name, &specs, &err))
        goto fail;
    if (!session_open(opts, &s, &err))
        goto fail;
    ok = prepare ? vccw_hostdev_prepare(s.mgr, name, (const VccwHostdevSpec *)specs->data,
                                        specs->len, report, &err)
                 : vccw_hostdev_release(s.mgr, name, NULL, report, &err);
    session_close(&s);
    if (ok)
        return EXIT_OK;
 fail:
    /* libvirt shows this text in its own error ("Hook script execution
     * failed: ... unexpected exit status 1: <our stderr>") */
    fprintf(stderr, "%s\n", err->message);
    g_error_free(err);
    return EXIT_REFUSED;
}

/* ---- attach-device / detach-device ------------------------------------------------ */

typedef struct {
    char *socket;
    unsigned int timeout_ms;
    const char *dom_file;
    const char *dev_file;
} HotplugArgs;

static bool
hotplug_args(int argc, char **argv, HotplugArgs *ha, GError **err)
{
    g_autoptr(GHashTable) o = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) pos = g_ptr_array_new();
    const char *t;

    if (!cli_parse_args(argc, argv, NULL, STRV("--qmp", "--timeout"), o, pos) ||
        pos->len != 2 || !g_hash_table_contains(o, "--qmp"))
        return false;
    ha->socket = g_strdup(g_hash_table_lookup(o, "--qmp"));
    ha->timeout_ms = VCCW_HOTPLUG_DEFAULT_TIMEOUT_MS;
    if ((t = g_hash_table_lookup(o, "--timeout"))) {
        guint64 v;
        if (!g_ascii_string_to_unsigned(t, 10, 1, 3600 * 1000, &v, NULL)) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT, "bad --timeout '%s' (milliseconds)", t);
            return false;
        }
        ha->timeout_ms = (unsigned int)v;
    }
    ha->dom_file = g_ptr_array_index(pos, 0);
    ha->dev_file = g_ptr_array_index(pos, 1);
    return true;
}

static int
run_hotplug(const GlobalOpts *opts, int argc, char **argv, bool attach)
{
    const char *cmd = attach ? "attach-device" : "detach-device";
    HotplugArgs ha = { 0 };
    g_autofree char *dom = NULL, *dev = NULL, *sock = NULL;
    g_autoptr(VccwQemuCaps) caps = NULL;
    g_autoptr(VccwQmp) qmp = NULL;
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    VccwHotplugResult res = { 0 };
    size_t dom_len = 0, dev_len = 0;
    GError *err = NULL;
    Session s;
    bool ok;

    if (!hotplug_args(argc, argv, &ha, &err)) {
        if (err)
            return cli_fail(err);
        return cli_usage_error(cmd, "--qmp SOCKET [--timeout MS] DOMAIN-FILE DEVICE-FILE");
    }
    sock = ha.socket;
    if (!cli_read_input(ha.dom_file, &dom, &dom_len, &err) ||
        !cli_read_input(ha.dev_file, &dev, &dev_len, &err))
        return cli_fail(err);
    /* the devices' command line depends on the libvirt release followed */
    if (attach && (!cli_choose_libvirt_release(opts, &err) ||
                   !(caps = cli_domain_caps(opts, dom, dom_len, ha.dom_file, &err))))
        return cli_fail(err);
    if (!(qmp = vccw_qmp_connect(ha.socket, ha.timeout_ms, NULL, NULL, &err)))
        return cli_fail(err);
    if (!session_open(opts, &s, &err))
        return cli_fail(err);
    ok = attach ? vccw_qemu_attach_device(qmp, s.mgr, caps, dom, dom_len, dev, dev_len, &res,
                                          report, &err)
                : vccw_qemu_detach_device(qmp, s.mgr, dom, dom_len, dev, dev_len, ha.timeout_ms,
                                          &res, report, &err);
    session_close(&s);
    print_report(stdout, report);
    if (!ok)
        return cli_fail(err);
    printf("Device %s successfully\n\n", attach ? "attached" : "detached");
    vccw_hotplug_result_clear(&res);
    return EXIT_OK;
}

static int
cmd_attach(const GlobalOpts *opts, int argc, char **argv)
{
    return run_hotplug(opts, argc, argv, true);
}

static int
cmd_detach(const GlobalOpts *opts, int argc, char **argv)
{
    return run_hotplug(opts, argc, argv, false);
}

const Command cli_hostdev_commands[] = {
    { "domain-prepare", "FILE",
      "make the host ready for a domain's vfio-ccw host devices (managed='yes': bind, start)",
      cmd_prepare },
    { "domain-release", "FILE|NAME",
      "undo exactly what domain-prepare did for a domain", cmd_release },
    { "recover", "[NAME]",
      "finish interrupted prepares (rolled back) and releases (completed)", cmd_recover },
    { "hostdev-claims", "", "list the mediated devices claimed by domains", cmd_claims },
    { "hook", "qemu NAME OP SUBOP [EXTRA]",
      "libvirt hook (/etc/libvirt/hooks/qemu.d/virtccw): prepare on 'prepare begin', release on 'release end'",
      cmd_hook },
    { "attach-device", "--qmp SOCKET [--timeout MS] DOMAIN-FILE DEVICE-FILE",
      "hot-plug a device into a running domain (prepares a vfio-ccw hostdev first)", cmd_attach },
    { "detach-device", "--qmp SOCKET [--timeout MS] DOMAIN-FILE DEVICE-FILE",
      "hot-unplug a device, wait for QEMU, then release its host device", cmd_detach },
};
const size_t cli_hostdev_commands_len = G_N_ELEMENTS(cli_hostdev_commands);
