/* nullerrtest: a failure is undone also when the caller passes no error
 * (GError **err == NULL), and reported as before when it passes one.
 *
 *   nullerrtest
 *
 * The mdev attribute case on a scratch host root, with a thread that
 * plays the kernel (it makes the device appear when `create` is
 * written). One table row per way an attribute can fail; each row runs
 * twice, with and without an error. TAP output.
 */
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node_device_driver.h"
#include "vccw_error.h"
#include "vccw_host.h"

#define PARENT "0.0.0003"
#define UUID "90c6c135-ad44-41d0-b1b7-bae47de48627"

static int ntest, nfailed;

static void G_GNUC_PRINTF(3, 4)
check(bool ok, const char *detail, const char *fmt, ...)
{
    g_autofree char *name = NULL;
    va_list ap;

    va_start(ap, fmt);
    name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ntest++;
    if (!ok)
        nfailed++;
    printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", ntest, name, detail ? ": " : "",
           detail ? detail : "");
}

static void
put(const char *root, const char *rel, const char *content)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_mkdir_with_parents(dir, 0755);
    g_file_set_contents(path, content, -1, NULL);
}

static void
link_to(const char *root, const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_mkdir_with_parents(dir, 0755);
    if (symlink(target, path) < 0)
        perror(path);
}

/* A subchannel on vfio_ccw offering vfio_ccw-io, no mdev yet. */
static void
make_host(const char *root)
{
    const char *types = "sys/devices/css0/" PARENT "/mdev_supported_types/vfio_ccw-io";
    g_autofree char *p = NULL;

    put(root, "sys/devices/css0/" PARENT "/type", "0\n");
    put(root, "sys/devices/css0/" PARENT "/dev_busid", "none\n");
    put(root, "sys/devices/css0/" PARENT "/driver_override", "(null)\n");
    link_to(root, "sys/devices/css0/" PARENT "/driver", "../../../bus/css/drivers/vfio_ccw");
    link_to(root, "sys/bus/css/devices/" PARENT, "../../../devices/css0/" PARENT);
    put(root, "sys/bus/css/drivers/vfio_ccw/bind", "");
    link_to(root, "sys/class/mdev_bus/" PARENT, "../../devices/css0/" PARENT);
    p = g_strdup_printf("%s/name", types);
    put(root, p, "I/O subchannel (Non-QDIO)\n");
    g_free(p);
    p = g_strdup_printf("%s/device_api", types);
    put(root, p, "vfio-ccw\n");
    g_free(p);
    p = g_strdup_printf("%s/available_instances", types);
    put(root, p, "1\n");
    g_free(p);
    p = g_strdup_printf("%s/create", types);
    put(root, p, "");
    put(root, "sys/bus/mdev/devices/.keep", "");
    put(root, "etc/mdevctl.d/.keep", "");
}

typedef struct {
    const char *root;
    const char *bad_attr;    /* made a directory: writing it fails */
    gint stop;
} Kernel;

/* The kernel's part: a UUID written to `create` makes the device. */
static gpointer
kernel_thread(gpointer data)
{
    Kernel *k = data;
    g_autofree char *create = g_build_filename(k->root, "sys/devices/css0/" PARENT,
                                               "mdev_supported_types/vfio_ccw-io/create", NULL);

    while (!g_atomic_int_get(&k->stop)) {
        g_autofree char *content = NULL;

        if (g_file_get_contents(create, &content, NULL, NULL) && g_str_has_prefix(content, UUID)) {
            const char *dev = "sys/devices/css0/" PARENT "/" UUID;
            g_autofree char *bad = g_strdup_printf("%s/%s", dev, k->bad_attr);
            g_autofree char *bad_abs = g_build_filename(k->root, bad, NULL);

            put(k->root, "sys/devices/css0/" PARENT "/" UUID "/remove", "");
            put(k->root, "sys/devices/css0/" PARENT "/" UUID "/x_first", "");
            g_mkdir(bad_abs, 0755);   /* a directory: writing it fails */
            link_to(k->root, "sys/devices/css0/" PARENT "/" UUID "/mdev_type",
                    "../mdev_supported_types/vfio_ccw-io");
            link_to(k->root, "sys/bus/mdev/devices/" UUID, "../../../devices/css0/" PARENT "/" UUID);
            g_file_set_contents(create, "", 0, NULL);
        }
        g_usleep(1000);
    }
    return NULL;
}

static const struct {
    const char *name;
    const char *attr;        /* the attribute in the XML */
    const char *bad_attr;    /* what the kernel makes unwritable */
    const char *message;     /* part of the error, when there is one */
} cases[] = {
    { "an attribute the kernel refuses", "assign_adapter", "assign_adapter",
      "cannot set attribute 'assign_adapter' of mediated device " UUID },
    { "a later attribute the kernel refuses", "x_second", "x_second",
      "cannot set attribute 'x_second' of mediated device " UUID },
};

static void
run_case(guint i, bool with_error)
{
    g_autofree char *root = g_dir_make_tmp("nullerrtest-XXXXXX", NULL);
    g_autofree char *name = g_strdup_printf("%s, %s", cases[i].name,
                                            with_error ? "with an error" : "error NULL");
    g_autofree char *xml = NULL;
    g_autofree char *removed = NULL;
    g_autofree char *remove = NULL;
    g_autofree char *rm = NULL;
    g_autoptr(VccwHost) host = NULL;
    g_autoptr(VccwNodeDevDriver) drv = NULL;
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autoptr(GError) err = NULL;
    Kernel k = { .root = root, .bad_attr = cases[i].bad_attr };
    GThread *thread;

    make_host(root);
    if (!(host = vccw_host_new(root, &err)) || !(drv = vccw_nodedev_driver_new(host, &err))) {
        check(false, err->message, "%s", name);
        return;
    }
    xml = g_strdup_printf("<device><parent>css_0_0_0003</parent><capability type='mdev'>"
                          "<type id='vfio_ccw-io'/><uuid>%s</uuid>"
                          "%s<attr name='%s' value='1'/></capability></device>",
                          UUID, g_str_equal(cases[i].attr, "x_second")
                                ? "<attr name='x_first' value='1'/>" : "",
                          cases[i].attr);
    thread = g_thread_new("kernel", kernel_thread, &k);
    def = vccw_nodedev_create_xml(drv, xml, strlen(xml), with_error ? &err : NULL);
    g_atomic_int_set(&k.stop, 1);
    g_thread_join(thread);

    remove = g_build_filename(root, "sys/devices/css0/" PARENT "/" UUID "/remove", NULL);
    g_file_get_contents(remove, &removed, NULL, NULL);
    check(def == NULL, NULL, "%s: refused", name);
    check(g_strcmp0(removed, "1") == 0, removed ? removed : "remove not written",
          "%s: the device is removed again", name);
    if (with_error)
        check(err && strstr(err->message, cases[i].message), err ? err->message : "no error",
              "%s: the error says why", name);
    rm = g_strdup_printf("rm -rf '%s'", root);
    if (system(rm) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
}

static void
test_error_append(void)
{
    g_autoptr(GError) err = NULL;

    vccw_error_append(NULL, "; ignored %d", 1);
    vccw_error_append(&err, "; ignored %d", 2);
    check(err == NULL, NULL, "vccw_error_append: no first error, nothing made");
    vccw_error_set(&err, VCCW_ERR_OPERATION_FAILED, "first");
    vccw_error_append(&err, "; rollback: %s", "second");
    check(err && err->domain == VCCW_ERROR && err->code == VCCW_ERR_OPERATION_FAILED &&
          g_str_equal(err->message, "operation failed: first; rollback: second"),
          err ? err->message : NULL,
          "vccw_error_append: the rollback's failure follows the first error");
}

int
main(void)
{
    test_error_append();
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        run_case(i, true);
        run_case(i, false);
    }
    printf("1..%d\n", ntest);
    return nfailed ? 1 : 0;
}
