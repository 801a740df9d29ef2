/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: node-device commands, in virsh's words and output. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "virtccw.h"
#include "node_device_driver.h"
#include "node_device_update.h"
#include "vccw_error.h"
#include "virtccw_nodedev_session.h"

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Commands taking one NAME and optional flags. */
typedef struct {
    GHashTable *opts;
    const char *name;
} NameArgs;

static bool
name_args(int argc, char **argv, const char *const *flags, NameArgs *na)
{
    g_autoptr(GPtrArray) pos = g_ptr_array_new();

    na->opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!cli_parse_args(argc, argv, flags, NULL, na->opts, pos) || pos->len != 1)
        return false;
    na->name = g_ptr_array_index(pos, 0);
    return true;
}

static int
cmd_dumpxml(const GlobalOpts *opts, int argc, char **argv)
{
    NameArgs na;
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *xml = NULL;
    GError *err = NULL;
    CliNodedevSession s;

    if (!name_args(argc, argv, STRV("--inactive"), &na))
        return cli_usage_error("nodedev-dumpxml", "[--inactive] NAME");
    if (!cli_nodedev_session_open(opts, &s, &err)) {
        g_hash_table_unref(na.opts);
        return cli_fail(err);
    }
    def = vccw_nodedev_lookup_warn(s.drv, na.name, warnings, &err);
    cli_nodedev_session_close(&s);
    cli_print_warnings(warnings);
    if (!def) {
        g_hash_table_unref(na.opts);
        return cli_fail(err);
    }
    if (g_hash_table_contains(na.opts, "--inactive") && !def->persistent) {
        /* libvirt 10.1+: the inactive XML is a definition's */
        g_hash_table_unref(na.opts);
        vccw_error_set(&err, VCCW_ERR_OPERATION_INVALID, "node device '%s' is not persistent",
                       def->name);
        return cli_fail(err);
    }
    xml = vccw_nodedev_def_format(def, g_hash_table_contains(na.opts, "--inactive")
                                       ? VCCW_NODEDEV_FORMAT_INACTIVE : 0);
    g_hash_table_unref(na.opts);
    fputs(xml, stdout);
    return EXIT_OK;
}

static int
cmd_info(const GlobalOpts *opts, int argc, char **argv)
{
    NameArgs na;
    g_autoptr(VccwNodeDevDef) def = NULL;
    GError *err = NULL;
    CliNodedevSession s;
    bool mdev;

    if (!name_args(argc, argv, NULL, &na))
        return cli_usage_error("nodedev-info", "NAME");
    g_hash_table_unref(na.opts);
    if (!cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    def = vccw_nodedev_lookup(s.drv, na.name, &err);
    cli_nodedev_session_close(&s);
    if (!def)
        return cli_fail(err);
    mdev = def->type == VCCW_NODEDEV_CAP_MDEV;
    printf("%-15s %s\n", "Name:", def->name);
    printf("%-15s %s\n", "Parent:", def->parent ? def->parent : "");
    printf("%-15s %s\n", "Active:", !mdev || def->active ? "yes" : "no");
    printf("%-15s %s\n", "Persistent:", mdev && def->persistent ? "yes" : "no");
    printf("%-15s %s\n\n", "Autostart:",
           mdev && def->persistent && def->start == VCCW_MDEV_START_AUTO ? "yes" : "no");
    return EXIT_OK;
}

/* nodedev-create / nodedev-define FILE */
static int
xml_command(const GlobalOpts *opts, int argc, char **argv, const char *cmd, bool define)
{
    g_autofree char *xml = NULL;
    g_autoptr(VccwNodeDevDef) def = NULL;
    size_t len = 0;
    GError *err = NULL;
    CliNodedevSession s;

    if (argc != 1)
        return cli_usage_error(cmd, "FILE");
    if (!cli_read_input(argv[0], &xml, &len, &err) || !cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    def = define ? vccw_nodedev_define_xml(s.drv, xml, len, &err)
                 : vccw_nodedev_create_xml(s.drv, xml, len, &err);
    cli_nodedev_session_close(&s);
    if (!def)
        return cli_fail(err);
    printf("Node device %s %s from %s\n\n", def->name, define ? "defined" : "created", argv[0]);
    return EXIT_OK;
}

static int
cmd_create(const GlobalOpts *opts, int argc, char **argv)
{
    return xml_command(opts, argc, argv, "nodedev-create", false);
}

static int
cmd_define(const GlobalOpts *opts, int argc, char **argv)
{
    return xml_command(opts, argc, argv, "nodedev-define", true);
}

/* nodedev-update NAME FILE [--live] [--config] [--current], as virsh 10.1+ */
static int
cmd_update(const GlobalOpts *opts, int argc, char **argv)
{
    static const char usage[] = "NAME FILE [--live] [--config] [--current]";
    g_autoptr(GHashTable) o = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) pos = g_ptr_array_new();
    g_autofree char *xml = NULL;
    unsigned int flags = VCCW_UPDATE_AFFECT_CURRENT;
    const char *name, *file;
    size_t len = 0;
    GError *err = NULL;
    CliNodedevSession s;
    bool ok;

    if (!cli_parse_args(argc, argv, STRV("--live", "--config", "--current"), NULL, o, pos) ||
        pos->len != 2)
        return cli_usage_error("nodedev-update", usage);
    for (const char *const *x = STRV("--live", "--config"); *x; x++) {
        if (g_hash_table_contains(o, "--current") && g_hash_table_contains(o, *x)) {
            fprintf(stderr, "error: Options --current and %s are mutually exclusive\n", *x);
            return EXIT_USAGE;
        }
    }
    if (g_hash_table_contains(o, "--live"))
        flags |= VCCW_UPDATE_AFFECT_LIVE;
    if (g_hash_table_contains(o, "--config"))
        flags |= VCCW_UPDATE_AFFECT_CONFIG;
    name = g_ptr_array_index(pos, 0);
    file = g_ptr_array_index(pos, 1);
    if (!cli_read_input(file, &xml, &len, &err) || !cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    ok = vccw_nodedev_update(s.drv, name, xml, len, flags, &err);
    cli_nodedev_session_close(&s);
    if (!ok)
        return cli_fail(err);
    printf("Updated node device %s\n", name);
    return EXIT_OK;
}

/* The commands acting on one NAME, as a table. */
typedef enum { OP_DESTROY, OP_UNDEFINE, OP_START, OP_AUTOSTART, OP_DETACH, OP_REATTACH } NameOp;

static const struct {
    const char *cmd;
    NameOp op;
    const char *const *flags;
    const char *usage;
    const char *done;    /* printf with the name */
} name_ops[] = {
    { "nodedev-destroy", OP_DESTROY, NULL, "NAME", "Destroyed node device '%s'" },
    { "nodedev-undefine", OP_UNDEFINE, NULL, "NAME", "Undefined node device '%s'" },
    { "nodedev-start", OP_START, NULL, "NAME", "Device %s started" },
    { "nodedev-autostart", OP_AUTOSTART, STRV("--disable"), "[--disable] NAME", NULL },
    { "nodedev-detach", OP_DETACH, STRV("--persistent", "--force"), "[--persistent] [--force] NAME",
      "Device %s detached" },
    { "nodedev-reattach", OP_REATTACH, STRV("--persistent"), "[--persistent] NAME",
      "Device %s re-attached" },
};

static int
run_name_op(const GlobalOpts *opts, size_t idx, int argc, char **argv)
{
    NameArgs na;
    GError *err = NULL;
    CliNodedevSession s;
    bool ok = false, disable;
    unsigned int flags = 0;

    if (!name_args(argc, argv, name_ops[idx].flags, &na))
        return cli_usage_error(name_ops[idx].cmd, name_ops[idx].usage);
    disable = g_hash_table_contains(na.opts, "--disable");
    if (g_hash_table_contains(na.opts, "--persistent"))
        flags |= VCCW_DETACH_PERSISTENT;
    if (g_hash_table_contains(na.opts, "--force"))
        flags |= VCCW_DETACH_FORCE;
    g_hash_table_unref(na.opts);
    if (!cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    switch (name_ops[idx].op) {
    case OP_DESTROY: ok = vccw_nodedev_destroy(s.drv, na.name, &err); break;
    case OP_UNDEFINE: ok = vccw_nodedev_undefine(s.drv, na.name, &err); break;
    case OP_START: ok = vccw_nodedev_start(s.drv, na.name, &err); break;
    case OP_AUTOSTART: ok = vccw_nodedev_set_autostart(s.drv, na.name, !disable, &err); break;
    case OP_DETACH: ok = vccw_nodedev_detach(s.drv, na.name, flags, &err); break;
    case OP_REATTACH: ok = vccw_nodedev_reattach(s.drv, na.name, flags, &err); break;
    }
    cli_nodedev_session_close(&s);
    if (!ok)
        return cli_fail(err);
    if (name_ops[idx].op == OP_AUTOSTART)
        printf(disable ? "Device %s unmarked as autostarted\n\n"
                       : "Device %s marked as autostarted\n\n", na.name);
    else {
        printf(name_ops[idx].done, na.name);
        printf("\n\n");
    }
    return EXIT_OK;
}

#define NAME_OP(i) \
    static int cmd_name_op_##i(const GlobalOpts *o, int c, char **v) { return run_name_op(o, i, c, v); }
NAME_OP(0) NAME_OP(1) NAME_OP(2) NAME_OP(3) NAME_OP(4) NAME_OP(5)
G_STATIC_ASSERT(G_N_ELEMENTS(name_ops) == 6);

static int
cmd_autostart_all(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    guint skipped = 0, failed = 0;
    GError *err = NULL;
    CliNodedevSession s;
    bool ok;

    if (argc != 0)
        return cli_usage_error("autostart", "");
    if (!cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    ok = vccw_nodedev_autostart_all_counted(s.drv, warnings, &skipped, &failed, &err);
    cli_nodedev_session_close(&s);
    cli_print_warnings(warnings);
    if (!ok)
        return cli_fail(err);
    /* a boot script must tell "an mdev did not start" (1) from "every
     * readable definition started, some entries were skipped" (3) */
    return failed ? EXIT_REFUSED : skipped ? EXIT_SKIPPED : EXIT_OK;
}

const Command cli_nodedev_commands[] = {
    { "nodedev-list", "[--cap LIST] [--tree] [--all|--inactive]",
      "list node devices (css, ccw, mdev, mdev_types)", cli_nodedev_list },
    { "nodedev-dumpxml", "[--inactive] NAME", "print a node device's XML", cmd_dumpxml },
    { "nodedev-info", "NAME", "print a node device's state", cmd_info },
    { "nodedev-create", "FILE", "create a transient mdev from node-device XML", cmd_create },
    { "nodedev-define", "FILE", "define a persistent mdev (mdevctl's store)", cmd_define },
    { "nodedev-update", "NAME FILE [--live] [--config] [--current]",
      "change an mdev's definition (libvirt 10.1+; --live fails as mdevctl does)", cmd_update },
    { "nodedev-destroy", "NAME", "stop an mdev (refused while in use)", cmd_name_op_0 },
    { "nodedev-undefine", "NAME", "remove an mdev's definition", cmd_name_op_1 },
    { "nodedev-start", "NAME", "start a defined mdev", cmd_name_op_2 },
    { "nodedev-autostart", "[--disable] NAME", "start a defined mdev at boot", cmd_name_op_3 },
    { "nodedev-detach", "[--persistent] [--force] NAME",
      "bind a subchannel to vfio_ccw (--persistent: driverctl override)", cmd_name_op_4 },
    { "nodedev-reattach", "[--persistent] NAME",
      "give a subchannel back to io_subchannel", cmd_name_op_5 },
    { "autostart", "", "start every defined mdev marked autostart (boot time)",
      cmd_autostart_all },
};
const size_t cli_nodedev_commands_len = G_N_ELEMENTS(cli_nodedev_commands);
