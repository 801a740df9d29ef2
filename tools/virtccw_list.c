/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw CLI: nodedev-list, names only, as virsh prints them.
 *
 * It runs in the virtccw binary itself, which links no XML code (see
 * virtccw.c): a listing then costs a process start of about 1 ms less
 * than with libxml2, ICU and libstdc++ loaded, most of what a short
 * listing takes. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "node_device_driver.h"
#include "vccw_error.h"
#include "virtccw_cli.h"
#include "virtccw_nodedev_session.h"

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* virsh's --cap names */
static const struct {
    const char *name;
    unsigned int flag;
} cap_flags[] = {
    { "system", VCCW_LIST_CAP_SYSTEM },
    { "css", VCCW_LIST_CAP_CSS_DEV },
    { "ccw", VCCW_LIST_CAP_CCW_DEV },
    { "mdev", VCCW_LIST_CAP_MDEV },
    { "mdev_types", VCCW_LIST_CAP_MDEV_TYPES },
    { "ccwgroup", VCCW_LIST_CAP_CCWGROUP_DEV },            /* virsh 11.1+ */
    { "ccwgroup_member", VCCW_LIST_CAP_CCWGROUP_MEMBER },  /* virsh 11.1+ */
};

static bool
parse_caps(const char *list, unsigned int *flags, GError **err)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);

    for (size_t i = 0; names[i]; i++) {
        bool found = false;
        for (size_t c = 0; c < G_N_ELEMENTS(cap_flags); c++) {
            if (g_str_equal(names[i], cap_flags[c].name)) {
                *flags |= cap_flags[c].flag;
                found = true;
            }
        }
        if (!found) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "unknown capability '%s' (known: system, css, ccw, mdev, mdev_types, ccwgroup, ccwgroup_member)",
                           names[i]);
            return false;
        }
    }
    return true;
}

/* The subtree under @parent: children in list order, from @kids (parent
 * name -> GPtrArray of VccwNodeDevName*), so printing is linear in the
 * number of devices. */
static void
print_tree(GHashTable *kids, const char *parent, const char *prefix)
{
    GPtrArray *mine = g_hash_table_lookup(kids, parent);

    for (guint i = 0; mine && i < mine->len; i++) {
        const VccwNodeDevName *d = g_ptr_array_index(mine, i);
        bool last = i + 1 == mine->len;
        g_autofree char *sub = g_strconcat(prefix, last ? "    " : "  | ", NULL);
        printf("%s  |\n%s  +- %s\n", prefix, prefix, d->name);
        print_tree(kids, d->name, sub);
    }
}

int
cli_nodedev_list(const GlobalOpts *opts, int argc, char **argv)
{
    g_autoptr(GHashTable) o = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) pos = g_ptr_array_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) devs = NULL;
    unsigned int flags = 0;
    const char *cap;
    GError *err = NULL;
    CliNodedevSession s;

    if (!cli_parse_args(argc, argv, STRV("--tree", "--all", "--inactive"), STRV("--cap"), o, pos) ||
        pos->len)
        return cli_usage_error("nodedev-list", "[--cap LIST] [--tree] [--all|--inactive]");
    if ((cap = g_hash_table_lookup(o, "--cap")) && !parse_caps(cap, &flags, &err))
        return cli_fail(err);
    if (g_hash_table_contains(o, "--all"))
        flags |= VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE;
    else if (g_hash_table_contains(o, "--inactive"))
        flags |= VCCW_LIST_INACTIVE;
    if (!cli_nodedev_session_open(opts, &s, &err))
        return cli_fail(err);
    /* names only: the listing reads what decides that a device is listed */
    devs = vccw_nodedev_list_names(s.drv, flags, warnings, &err);
    cli_nodedev_session_close(&s);
    cli_print_warnings(warnings);
    if (!devs)
        return cli_fail(err);
    if (g_hash_table_contains(o, "--tree")) {
        g_autoptr(GHashTable) kids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify)g_ptr_array_unref);
        for (guint i = 0; i < devs->len; i++) {
            VccwNodeDevName *d = g_ptr_array_index(devs, i);
            GPtrArray *list;

            if (!d->parent)
                continue;
            if (!(list = g_hash_table_lookup(kids, d->parent))) {
                list = g_ptr_array_new();
                g_hash_table_insert(kids, (char *)d->parent, list);
            }
            g_ptr_array_add(list, d);
        }
        printf("computer\n");
        print_tree(kids, "computer", "");
        printf("\n");
        return EXIT_OK;
    }
    for (guint i = 0; i < devs->len; i++)
        puts(((VccwNodeDevName *)g_ptr_array_index(devs, i))->name);
    printf("\n");
    return EXIT_OK;
}
