/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nullerrtest: a failure is undone also when the caller passes no error
 * (GError **err == NULL), and reported as before when it passes one.
 *
 *   nullerrtest CAPS-FILE
 *
 * On a scratch host root, two tables; each row runs twice, with and
 * without an error. TAP output.
 *  - mdev attributes (node device create): a thread plays the kernel
 *    (it makes the device appear when `create` is written); one row per
 *    way an attribute can fail.
 *  - live attach of a managed vfio-ccw hostdev (vccw_qemu_attach_device)
 *    that QEMU refuses: a fake QMP peer on a socketpair answers, and the
 *    kernel is played inside the library's sysfs writes (the test links
 *    with -Wl,--wrap=vccw_sysfs_write); one row per way giving the host
 *    device back can end. CAPS-FILE is the QEMU capabilities file used.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "node_device_driver.h"
#include "qemu_capabilities.h"
#include "hostdev_prepare.h"
#include "qemu_hotplug.h"
#include "qemu_qmp.h"
#include "vccw_error.h"
#include "vccw_host.h"
#include "testutils.h"
#include "vccw_sysfs.h"
#include "vccw_uuid.h"

#define PARENT "0.0.0003"
#define UUID "90c6c135-ad44-41d0-b1b7-bae47de48627"

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

/* What vfio_ccw registers for a subchannel it binds: the mdev types. */
static void
make_types(const char *root)
{
    const char *types = "sys/devices/css0/" PARENT "/mdev_supported_types/vfio_ccw-io";
    g_autofree char *p = NULL;

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
}

/* A subchannel on @driver (offering vfio_ccw-io when that is vfio_ccw),
 * no mdev yet. */
static void
make_subchannel(const char *root, const char *driver)
{
    g_autofree char *link = g_strdup_printf("../../../bus/css/drivers/%s", driver);

    put(root, "sys/devices/css0/" PARENT "/type", "0\n");
    put(root, "sys/devices/css0/" PARENT "/dev_busid", "none\n");
    put(root, "sys/devices/css0/" PARENT "/driver_override", "(null)\n");
    link_to(root, "sys/devices/css0/" PARENT "/driver", link);
    link_to(root, "sys/bus/css/devices/" PARENT, "../../../devices/css0/" PARENT);
    if (g_str_equal(driver, "vfio_ccw"))
        make_types(root);
    put(root, "sys/bus/mdev/devices/.keep", "");
}

static void
make_host(const char *root)
{
    make_subchannel(root, "vfio_ccw");
    put(root, "sys/bus/css/drivers/vfio_ccw/bind", "");
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
        vccw_test_check_detail(false, err->message, "%s", name);
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
    vccw_test_check_detail(def == NULL, NULL, "%s: refused", name);
    vccw_test_check_detail(g_strcmp0(removed, "1") == 0, removed ? removed : "remove not written",
                           "%s: the device is removed again", name);
    if (with_error)
        vccw_test_check_detail(err && strstr(err->message, cases[i].message),
                               err ? err->message : "no error", "%s: the error says why", name);
    rm = g_strdup_printf("rm -rf '%s'", root);
    if (system(rm) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
}

/* ---- live attach that QEMU refuses -------------------------------------------- */

#define DOMAIN "hot"
#define SUBCH "sys/devices/css0/" PARENT
#define REFUSAL "vfio: error getting device from host: No such file or directory"
#define REFUSED "internal error: unable to execute QEMU command 'device_add': " REFUSAL

/* The kernel of the attach rows. The library's sysfs writes come here
 * first (-Wl,--wrap=vccw_sysfs_write), and a write takes effect before it
 * returns, as in sysfs: the library reads the result at once (the driver
 * link right after drivers_probe, the subchannel's mdevs right before
 * unbinding it), which a thread polling the files would race. Inert while
 * .root is NULL (the attribute rows, whose kernel is the thread above). */
static struct {
    const char *root;
    const char *refuse;   /* a write to a path ending so fails with EBUSY */
} hk;

int __real_vccw_sysfs_write(const char *path, const char *value);
int __wrap_vccw_sysfs_write(const char *path, const char *value);

static char *
read_link(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    return g_file_read_link(path, NULL);
}

static bool
exists(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static void
remove_path(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", path);

    if (system(rm) != 0)
        fprintf(stderr, "cannot remove %s\n", path);
}

static int
kernel_bind(const char *driver)
{
    g_autofree char *link = g_strdup_printf("../../../bus/css/drivers/%s", driver);

    if (exists(hk.root, SUBCH "/driver"))
        return -EBUSY;
    link_to(hk.root, SUBCH "/driver", link);
    if (g_str_equal(driver, "vfio_ccw"))
        make_types(hk.root);
    return 0;
}

static int
kernel_unbind(const char *driver)
{
    g_autofree char *now = read_link(hk.root, SUBCH "/driver");
    g_autofree char *base = now ? g_path_get_basename(now) : NULL;

    if (g_strcmp0(base, driver) != 0)
        return -ENODEV;
    remove_path(hk.root, SUBCH "/driver");
    if (g_str_equal(driver, "vfio_ccw")) {
        /* the mdevs go with their parent's driver (the library never
         * unbinds while there are any) */
        remove_path(hk.root, SUBCH "/" UUID);
        remove_path(hk.root, SUBCH "/mdev_supported_types");
        remove_path(hk.root, "sys/class/mdev_bus/" PARENT);
    }
    return 0;
}

/* @rel with the bus links resolved, as the kernel sees the file. */
static char *
canonical(const char *rel)
{
    static const char *const links[][2] = {
        { "sys/bus/css/devices/" PARENT, SUBCH },
        { "sys/bus/mdev/devices/" UUID, SUBCH "/" UUID },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        size_t n = strlen(links[i][0]);
        if (strncmp(rel, links[i][0], n) == 0 && (rel[n] == '/' || !rel[n]))
            return g_strconcat(links[i][1], rel + n, NULL);
    }
    return g_strdup(rel);
}

int
__wrap_vccw_sysfs_write(const char *path, const char *value)
{
    g_autofree char *rel = NULL;
    char drv[64];
    int rc;

    if (!hk.root || !g_str_has_prefix(path, hk.root))
        return __real_vccw_sysfs_write(path, value);
    rel = canonical(path + strlen(hk.root) + 1);
    if (hk.refuse && g_str_has_suffix(rel, hk.refuse))
        return -EBUSY;
    if (g_str_equal(rel, SUBCH "/driver_override"))   /* an empty line shows as "(null)" */
        return __real_vccw_sysfs_write(path, value[0] && value[0] != '\n' ? value : "(null)\n");
    if ((rc = __real_vccw_sysfs_write(path, value)) < 0)
        return rc;
    if (g_str_equal(rel, "sys/bus/css/drivers_probe")) {
        g_autofree char *over = NULL;
        g_autofree char *p = g_build_filename(hk.root, SUBCH "/driver_override", NULL);

        g_file_get_contents(p, &over, NULL, NULL);
        g_strchomp(over);
        if (exists(hk.root, SUBCH "/driver"))
            return 0;
        return kernel_bind(over && over[0] && !g_str_equal(over, "(null)") ? over : "io_subchannel");
    }
    if (sscanf(rel, "sys/bus/css/drivers/%63[^/]/bind", drv) == 1 && g_str_has_suffix(rel, "/bind"))
        return kernel_bind(drv);
    if (sscanf(rel, "sys/bus/css/drivers/%63[^/]/unbind", drv) == 1 && g_str_has_suffix(rel, "/unbind"))
        return kernel_unbind(drv);
    if (g_str_equal(rel, SUBCH "/mdev_supported_types/vfio_ccw-io/create")) {
        if (!g_str_has_prefix(value, UUID) || exists(hk.root, SUBCH "/" UUID))
            return -EINVAL;
        put(hk.root, SUBCH "/" UUID "/remove", "");
        link_to(hk.root, SUBCH "/" UUID "/mdev_type", "../mdev_supported_types/vfio_ccw-io");
        link_to(hk.root, "sys/bus/mdev/devices/" UUID, "../../../devices/css0/" PARENT "/" UUID);
        put(hk.root, SUBCH "/mdev_supported_types/vfio_ccw-io/available_instances", "0\n");
        return 0;
    }
    if (g_str_equal(rel, SUBCH "/" UUID "/remove")) {
        remove_path(hk.root, "sys/bus/mdev/devices/" UUID);
        remove_path(hk.root, SUBCH "/" UUID);
        put(hk.root, SUBCH "/mdev_supported_types/vfio_ccw-io/available_instances", "1\n");
    }
    return 0;
}

/* A subchannel on io_subchannel, with a mediated device defined on it in
 * mdevctl's store: attaching it binds the subchannel and starts the mdev. */
static void
make_attach_host(const char *root)
{
    make_subchannel(root, "io_subchannel");
    for (const char *const *f = (const char *const[]){ "io_subchannel/bind", "io_subchannel/unbind",
                                                       "vfio_ccw/bind", "vfio_ccw/unbind", NULL };
         *f; f++) {
        g_autofree char *rel = g_strdup_printf("sys/bus/css/drivers/%s", *f);
        put(root, rel, "");
    }
    put(root, "sys/bus/css/drivers_probe", "");
    put(root, "sys/class/mdev_bus/.keep", "");   /* the class is there before any parent */
    put(root, "etc/mdevctl.d/" PARENT "/" UUID,
        "{\n  \"mdev_type\": \"vfio_ccw-io\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}\n");
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Everything under sys/ and etc/: links with their targets, files with
 * their contents but for the write-only attributes (what they hold is
 * only the last write). */
static void
snapshot_dir(const char *root, const char *rel, GString *out)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    while (d && (ent = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(ent));
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *sub = g_build_filename(rel, name, NULL);
        g_autofree char *abs = g_build_filename(root, sub, NULL);
        g_autofree char *target = g_file_read_link(abs, NULL);
        g_autofree char *content = NULL;

        if (target) {
            g_string_append_printf(out, "%s -> %s\n", sub, target);
        } else if (g_file_test(abs, G_FILE_TEST_IS_DIR)) {
            g_string_append_printf(out, "%s/\n", sub);
            snapshot_dir(root, sub, out);
        } else if (g_strv_contains((const char *const[]){ "bind", "unbind", "drivers_probe",
                                                           "create", "remove", NULL }, name)) {
            g_string_append_printf(out, "%s (write-only)\n", sub);
        } else {
            g_file_get_contents(abs, &content, NULL, NULL);
            g_string_append_printf(out, "%s = %s\n", sub, content ? content : "(unreadable)");
        }
    }
}

/* The first line where two snapshots differ, for the test's output. */
static char *
first_difference(const char *a, const char *b)
{
    g_auto(GStrv) la = g_strsplit(a, "\n", -1);
    g_auto(GStrv) lb = g_strsplit(b, "\n", -1);
    guint i = 0;

    while (la[i] && lb[i] && g_str_equal(la[i], lb[i]))
        i++;
    if (!la[i] && !lb[i])
        return NULL;
    return g_strdup_printf("before '%s', now '%s'", la[i] ? la[i] : "(end)", lb[i] ? lb[i] : "(end)");
}

static char *
snapshot(const char *root)
{
    GString *out = g_string_new(NULL);

    snapshot_dir(root, "sys", out);
    snapshot_dir(root, "etc", out);
    return g_string_free(out, FALSE);
}

/* The QEMU side: a QMP peer on one end of a socketpair that answers
 * what attach asks, and refuses device_add as QEMU does when the host
 * device cannot be opened. */
typedef struct {
    int fd;
    GPtrArray *log;   /* the commands, in order */
} FakeQemu;

static void
qmp_send(int fd, json_object *msg)
{
    g_autofree char *wire = g_strdup_printf("%s\r\n",
                                            json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
    size_t off = 0, len = strlen(wire);

    while (off < len) {
        ssize_t n = send(fd, wire + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        off += (size_t)n;
    }
}

static json_object *
qmp_error(const char *cls, const char *desc)
{
    json_object *e = json_object_new_object();
    json_object *reply = json_object_new_object();

    json_object_object_add(e, "class", json_object_new_string(cls));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(reply, "error", e);
    return reply;
}

static json_object *
qmp_answer(const char *cmd, json_object *args)
{
    json_object *reply = json_object_new_object();
    json_object *path = NULL;

    if (g_str_equal(cmd, "qmp_capabilities") || g_str_equal(cmd, "object-add")) {
        json_object_object_add(reply, "return", json_object_new_object());
    } else if (g_str_equal(cmd, "qom-list") && args &&
               json_object_object_get_ex(args, "path", &path) &&
               (g_str_equal(json_object_get_string(path), "/machine/peripheral") ||
                g_str_equal(json_object_get_string(path), "/machine/peripheral-anon"))) {
        /* no devices: the containers' own property only */
        json_object *list = json_object_new_array();
        json_object *prop = json_object_new_object();

        json_object_object_add(prop, "name", json_object_new_string("type"));
        json_object_object_add(prop, "type", json_object_new_string("string"));
        json_object_array_add(list, prop);
        json_object_object_add(reply, "return", list);
    } else if (g_str_equal(cmd, "device_add")) {
        json_object_put(reply);
        reply = qmp_error("GenericError", REFUSAL);
    } else {
        g_autofree char *desc = g_strdup_printf("The command %s has not been found", cmd);
        json_object_put(reply);
        reply = qmp_error("CommandNotFound", desc);
    }
    return reply;
}

static gpointer
qemu_thread(gpointer data)
{
    FakeQemu *q = data;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(json_object) greeting =
        json_tokener_parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
                           " \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}");
    char chunk[4096];
    ssize_t n;

    qmp_send(q->fd, greeting);
    while ((n = read(q->fd, chunk, sizeof(chunk))) > 0) {
        char *nl;

        g_string_append_len(buf, chunk, n);
        while ((nl = strchr(buf->str, '\n'))) {
            g_autofree char *line = g_strndup(buf->str, nl - buf->str);
            g_autoptr(json_object) msg = json_tokener_parse(line);
            g_autoptr(json_object) reply = NULL;
            json_object *cmd = NULL, *args = NULL, *id = NULL;

            g_string_erase(buf, 0, nl - buf->str + 1);
            if (!msg || !json_object_object_get_ex(msg, "execute", &cmd))
                continue;
            json_object_object_get_ex(msg, "arguments", &args);
            g_ptr_array_add(q->log, g_strdup(json_object_get_string(cmd)));
            reply = qmp_answer(json_object_get_string(cmd), args);
            if (json_object_object_get_ex(msg, "id", &id))
                json_object_object_add(reply, "id", json_object_get(id));
            qmp_send(q->fd, reply);
        }
    }
    close(q->fd);
    return NULL;
}

static const char attach_dom[] =
    "<domain type='qemu'><name>" DOMAIN "</name>"
    "<uuid>5d5b0a3c-0b4e-4d49-9a9b-1f6a0e6b7c11</uuid>"
    "<memory unit='KiB'>262144</memory><vcpu>1</vcpu>"
    "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>"
    "<devices><emulator>/usr/bin/qemu-system-s390x</emulator>"
    "<console type='pty'><target type='sclp' port='0'/></console></devices></domain>";

static const char attach_dev[] =
    "<hostdev mode='subsystem' type='mdev' model='vfio-ccw' managed='yes'>"
    "<source><address uuid='" UUID "'/></source></hostdev>";

static const struct {
    const char *name;
    const char *refuse;      /* the write the kernel refuses while the host device is given back */
    const char *why;         /* in the error after the refusal, when giving back fails */
} attach_cases[] = {
    { "attach refused by QEMU, host device given back", NULL, NULL },
    { "attach refused by QEMU, removing the mdev fails too", "/" UUID "/remove",
      "cannot remove 'mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0003': " },
    { "attach refused by QEMU, unbinding the subchannel fails too", "/vfio_ccw/unbind",
      "cannot write '" PARENT "' to " },
};

static void
run_attach_case(const VccwQemuCaps *caps, guint i, bool with_error)
{
    g_autofree char *root = g_dir_make_tmp("nullerrtest-XXXXXX", NULL);
    g_autofree char *name = g_strdup_printf("%s, %s", attach_cases[i].name,
                                            with_error ? "with an error" : "error NULL");
    g_autofree char *before = NULL, *after = NULL, *diff = NULL;
    g_autofree char *claim = NULL, *journal = NULL, *rm = NULL;
    g_autoptr(VccwHost) host = NULL;
    g_autoptr(VccwHostdevMgr) mgr = NULL;
    g_autoptr(VccwQmp) qmp = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
    VccwHotplugResult res = { 0 };
    unsigned char raw[VCCW_UUID_BUFLEN];
    FakeQemu q = { .log = log };
    GThread *thread;
    int sv[2];
    bool ok;

    make_attach_host(root);
    if (!(host = vccw_host_new(root, &err)) || !(mgr = vccw_hostdev_mgr_new(host, &err)) ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        vccw_test_check_detail(false, err ? err->message : g_strerror(errno), "%s", name);
        return;
    }
    before = snapshot(root);
    q.fd = sv[1];
    thread = g_thread_new("qemu", qemu_thread, &q);
    if (!(qmp = vccw_qmp_new_from_fd(sv[0], 5000, &err))) {
        vccw_test_check_detail(false, err->message, "%s: QMP handshake", name);
        shutdown(sv[1], SHUT_RDWR);
        g_thread_join(thread);
        return;
    }
    hk.root = root;
    hk.refuse = attach_cases[i].refuse;
    ok = vccw_qemu_attach_device(qmp, mgr, caps, attach_dom, strlen(attach_dom), attach_dev,
                                 strlen(attach_dev), &res, with_error ? report : NULL,
                                 with_error ? &err : NULL);
    hk.refuse = NULL;
    g_clear_pointer(&qmp, vccw_qmp_free);   /* the peer sees EOF */
    g_thread_join(thread);

    vccw_test_check_detail(!ok && !res.id && !res.devno && !res.driver, NULL, "%s: refused", name);
    vccw_test_check_detail(log->len > 0 &&
                           g_str_equal(g_ptr_array_index(log, log->len - 1), "device_add"),
                           log->len ? (const char *)g_ptr_array_index(log, log->len - 1)
                                    : "nothing asked",
                           "%s: QEMU was asked device_add last", name);
    if (vccw_uuid_parse(UUID, raw))
        claim = vccw_hostdev_claimed_by(mgr, raw, NULL);
    journal = g_build_filename(root, "run/virtccw/hostdev/" DOMAIN ".json", NULL);
    if (!attach_cases[i].refuse) {
        after = snapshot(root);
        diff = first_difference(before, after);
        vccw_test_check_detail(!diff, diff, "%s: the host is back as it was", name);
        vccw_test_check_detail(!claim && !g_file_test(journal, G_FILE_TEST_EXISTS), claim,
                               "%s: no claim left in the journal", name);
        if (with_error) {
            vccw_test_check_detail(err && g_str_equal(err->message, REFUSED),
                                   err ? err->message : "no error",
                                   "%s: the error is QEMU's refusal", name);
            vccw_test_check_detail(report->len > 0 &&
                                   g_str_equal(g_ptr_array_index(report, report->len - 1),
                                               "QEMU refused the device: the host is back as it was"),
                                   report->len
                                       ? (const char *)g_ptr_array_index(report, report->len - 1)
                                       : NULL,
                                   "%s: the report says the host is back", name);
        }
    } else {
        g_autoptr(GError) rerr = NULL;

        /* the release stays pending in the journal, for recover */
        vccw_test_check_detail(g_strcmp0(claim, DOMAIN) == 0, claim ? claim : "no claim",
                               "%s: the claim stays for recover", name);
        if (with_error)
            vccw_test_check_detail(err && g_str_has_prefix(err->message, REFUSED) &&
                                   strstr(err->message,
                                          "; giving the host device back failed too: ") &&
                                   strstr(err->message, attach_cases[i].why),
                                   err ? err->message : "no error",
                                   "%s: the error says QEMU refused and why giving back failed", name);
        vccw_test_check_detail(vccw_hostdev_recover(mgr, DOMAIN, NULL, &rerr),
                               rerr ? rerr->message : NULL,
                               "%s: recover finishes the release once the kernel lets it", name);
        after = snapshot(root);
        diff = first_difference(before, after);
        vccw_test_check_detail(!diff, diff, "%s: then the host is back as it was", name);
    }
    hk.root = NULL;
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
    vccw_test_check_detail(err == NULL, NULL, "vccw_error_append: no first error, nothing made");
    vccw_error_set(&err, VCCW_ERR_OPERATION_FAILED, "first");
    vccw_error_append(&err, "; rollback: %s", "second");
    vccw_test_check_detail(err && err->domain == VCCW_ERROR &&
                           err->code == VCCW_ERR_OPERATION_FAILED &&
                           g_str_equal(err->message, "operation failed: first; rollback: second"),
                           err ? err->message : NULL,
                           "vccw_error_append: the rollback's failure follows the first error");
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwQemuCaps) caps = NULL;

    if (argc != 2) {
        fprintf(stderr, "usage: nullerrtest CAPS-FILE\n");
        return 2;
    }
    test_error_append();
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        run_case(i, true);
        run_case(i, false);
    }
    if (!(caps = vccw_qemu_caps_load_file(argv[1], &err))) {
        vccw_test_check_detail(false, err->message, "QEMU capabilities %s", argv[1]);
    } else {
        for (guint i = 0; i < G_N_ELEMENTS(attach_cases); i++) {
            run_attach_case(caps, i, true);
            run_attach_case(caps, i, false);
        }
    }
    return vccw_test_done();
}
