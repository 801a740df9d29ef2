/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qemucapstest: QEMU capabilities files, derivation, cache, QMP client.
 *
 *   qemucapstest [DATADIR]   (default: <srcdir>/tests/qemucapsdata)
 *
 * The recorded files are loaded and checked against what libvirt 9.0
 * decides for the same QEMU 7.2. The probing tests need
 * /usr/bin/qemu-system-s390x; without it they are reported as TAP skips
 * (failures under CI=true, where the binary must be there).
 */
#include "qemu_capabilities.h"
#include "qemu_qmp.h"
#include "testutils.h"
#include "virtccw_config.h"

#include <glib/gstdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define S390X_BINARY "/usr/bin/qemu-system-s390x"

static const char *datadir;
static bool probe_skipped;

static VccwQemuCaps *
load_data(const char *name)
{
    g_autofree char *path = g_build_filename(datadir, name, NULL);
    g_autoptr(GError) err = NULL;
    VccwQemuCaps *caps = vccw_qemu_caps_load_file(path, &err);

    g_assert_no_error(err);
    g_assert_nonnull(caps);
    return caps;
}

static void
test_s390x_load(void)
{
    g_autoptr(VccwQemuCaps) caps = load_data("caps_7.2.0_s390x.json");
    static const VccwQemuCapsFlag expected[] = {
        VCCW_QEMU_CAPS_DEVICE_JSON, VCCW_QEMU_CAPS_OBJECT_JSON,
        VCCW_QEMU_CAPS_AUDIODEV_JSON, VCCW_QEMU_CAPS_BLOCKDEV,
        VCCW_QEMU_CAPS_MACHINE_MEMORY_BACKEND, VCCW_QEMU_CAPS_ACCEL_OPTION,
        VCCW_QEMU_CAPS_NETDEV_JSON, VCCW_QEMU_CAPS_DEVICE_VFIO_CCW,
        VCCW_QEMU_CAPS_VIRTIO_CCW, VCCW_QEMU_CAPS_LOADPARM,
        VCCW_QEMU_CAPS_DEVICE_SCLPCONSOLE, VCCW_QEMU_CAPS_DEVICE_SCLPLMCONSOLE,
    };

    g_assert_cmpstr(vccw_qemu_caps_binary(caps), ==, S390X_BINARY);
    g_assert_cmpstr(vccw_qemu_caps_arch(caps), ==, "s390x");
    /* Debian's 7.2 reports micro 22 (7.2.22); only 7.2 matters */
    g_assert_cmpuint(vccw_qemu_caps_version(caps) / 1000, ==, 7002);
    g_assert_true(vccw_qemu_caps_from_cache(caps));

    /* every flag libvirt 9.0 sets for this QEMU (its capabilities cache
     * lists device.json+hotplug, object.qapified, netdev.json, vfio-ccw,
     * virtio-ccw, loadparm, s390-sclp, sclplmconsole) */
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        if (!vccw_qemu_caps_has(caps, expected[i]))
            g_error("flag %s missing", vccw_qemu_caps_flag_to_string(expected[i]));
    }
    g_assert_false(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_LAST));

    for (const char *const *d = (const char *const[]){
             "vfio-ccw", "virtio-blk-ccw", "virtio-net-ccw", "virtio-balloon-ccw",
             "virtio-serial-ccw", "virtio-scsi-ccw", "virtio-rng-ccw",
             "vhost-vsock-ccw", "diag288", "sclpconsole", "sclplmconsole", NULL };
         *d; d++) {
        if (!vccw_qemu_caps_has_device(caps, *d))
            g_error("device %s missing", *d);
    }
    g_assert_false(vccw_qemu_caps_has_device(caps, "vfio-pci-nohotplug-foo"));
    g_assert_false(vccw_qemu_caps_has_device(caps, "virtio-blk-pci-foo"));

    /* qemu-system-s390x -device vfio-ccw,help (7.2) */
    for (const char *const *p = (const char *const[]){
             "sysfsdev", "devno", "bootindex", "force-orb-pfch", "dev_id", "subch_id", NULL };
         *p; p++) {
        if (!vccw_qemu_caps_device_has_prop(caps, "vfio-ccw", *p))
            g_error("vfio-ccw property %s missing", *p);
    }
    /* per-device loadparm came after 7.2: it goes on -machine */
    g_assert_false(vccw_qemu_caps_device_has_prop(caps, "vfio-ccw", "loadparm"));
    g_assert_true(vccw_qemu_caps_device_has_prop(caps, "virtio-blk-ccw", "devno"));
    g_assert_true(vccw_qemu_caps_device_has_prop(caps, "virtio-blk-ccw", "bootindex"));
    g_assert_true(vccw_qemu_caps_device_has_prop(caps, "sclpconsole", "chardev"));
    g_assert_false(vccw_qemu_caps_device_has_prop(caps, "no-such-device", "devno"));

    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(caps, "s390-ccw-virtio"), ==,
                    "s390-ccw-virtio-7.2");
    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(caps, "s390-ccw-virtio-7.2"), ==,
                    "s390-ccw-virtio-7.2");
    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(caps, "s390-ccw-virtio-6.0"), ==,
                    "s390-ccw-virtio-6.0");
    g_assert_null(vccw_qemu_caps_machine_canonical(caps, "pc"));
    g_assert_null(vccw_qemu_caps_machine_canonical(caps, "s390-ccw-virtio-9.9"));
    g_assert_cmpstr(vccw_qemu_caps_machine_default(caps), ==, "s390-ccw-virtio-7.2");
    g_assert_cmpstr(vccw_qemu_caps_machine_default_ram_id(caps, "s390-ccw-virtio"), ==,
                    "s390.ram");
    g_assert_cmpstr(vccw_qemu_caps_machine_default_ram_id(caps, "s390-ccw-virtio-6.0"), ==,
                    "s390.ram");
    g_assert_null(vccw_qemu_caps_machine_default_ram_id(caps, "nope"));
    g_assert_false(vccw_qemu_caps_machine_is_deprecated(caps, "s390-ccw-virtio"));
}

static void
test_x86_64_load(void)
{
    g_autoptr(VccwQemuCaps) caps = load_data("caps_7.2.0_x86_64.json");

    g_assert_cmpstr(vccw_qemu_caps_binary(caps), ==, "/usr/bin/qemu-system-x86_64");
    g_assert_cmpstr(vccw_qemu_caps_arch(caps), ==, "x86_64");
    g_assert_cmpuint(vccw_qemu_caps_version(caps) / 1000, ==, 7002);

    /* no channel subsystem on x86: libvirt's "VFIO CCW device assignment
     * is not supported by this version of QEMU" comes from this */
    g_assert_false(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_DEVICE_VFIO_CCW));
    g_assert_false(vccw_qemu_caps_has_device(caps, "vfio-ccw"));
    g_assert_false(vccw_qemu_caps_device_has_prop(caps, "vfio-ccw", "sysfsdev"));
    g_assert_false(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_VIRTIO_CCW));
    g_assert_false(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_LOADPARM));
    g_assert_false(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_DEVICE_SCLPCONSOLE));

    g_assert_true(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_DEVICE_JSON));
    g_assert_true(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_OBJECT_JSON));
    g_assert_true(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_BLOCKDEV));
    g_assert_true(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_ACCEL_OPTION));
    g_assert_true(vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_MACHINE_MEMORY_BACKEND));
    g_assert_true(vccw_qemu_caps_has_device(caps, "vfio-pci"));

    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(caps, "pc"), ==, "pc-i440fx-7.2");
    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(caps, "q35"), ==, "pc-q35-7.2");
    g_assert_null(vccw_qemu_caps_machine_canonical(caps, "s390-ccw-virtio"));
    g_assert_cmpstr(vccw_qemu_caps_machine_default(caps), ==, "pc-i440fx-7.2");
    g_assert_cmpstr(vccw_qemu_caps_machine_default_ram_id(caps, "q35"), ==, "pc.ram");
}

static void
test_flag_names(void)
{
    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++) {
        const char *name = vccw_qemu_caps_flag_to_string(f);

        g_assert_nonnull(name);
        g_assert_cmpint(vccw_qemu_caps_flag_from_string(name), ==, f);
    }
    /* libvirt 9.0's own names where it has the flag */
    g_assert_cmpstr(vccw_qemu_caps_flag_to_string(VCCW_QEMU_CAPS_DEVICE_JSON), ==,
                    "device.json+hotplug");
    g_assert_cmpstr(vccw_qemu_caps_flag_to_string(VCCW_QEMU_CAPS_OBJECT_JSON), ==,
                    "object.qapified");
    g_assert_cmpint(vccw_qemu_caps_flag_from_string("device.json"), <, 0);
    g_assert_cmpint(vccw_qemu_caps_flag_from_string(""), <, 0);
    g_assert_null(vccw_qemu_caps_flag_to_string(VCCW_QEMU_CAPS_LAST));
}

static void
test_roundtrip(void)
{
    g_autoptr(VccwQemuCaps) caps = load_data("caps_7.2.0_s390x.json");
    g_autoptr(VccwQemuCaps) again = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("qemucapstest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "copy.json", NULL);
    g_autofree char *orig_path = g_build_filename(datadir, "caps_7.2.0_s390x.json", NULL);
    g_autofree char *orig = NULL;
    g_autofree char *copy = NULL;

    g_assert_true(vccw_qemu_caps_save_file(caps, path, &err));
    g_assert_no_error(err);
    again = vccw_qemu_caps_load_file(path, &err);
    g_assert_no_error(err);

    /* writing is deterministic: the copy is byte-identical */
    g_assert_true(g_file_get_contents(orig_path, &orig, NULL, NULL));
    g_assert_true(g_file_get_contents(path, &copy, NULL, NULL));
    g_assert_cmpstr(orig, ==, copy);

    g_unlink(path);
    g_rmdir(dir);
}

/* Each damaged variant must be refused with a message naming the fault. */
static void
test_invalid_files(void)
{
    g_autofree char *orig_path = g_build_filename(datadir, "caps_7.2.0_s390x.json", NULL);
    g_autofree char *orig = NULL;
    g_autofree char *dir = g_dir_make_tmp("qemucapstest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "bad.json", NULL);
    struct {
        const char *from;
        const char *to;
        const char *msg;
    } cases[] = {
        { "\"format\":1", "\"format\":99", "format 99 is not 1" },
        { "\"vfio-ap\",\n    \"vfio-ccw\",", "\"vfio-ap\",",
          "flag 'vfio-ccw' is set but the recorded facts say unset" },
        { "\"loadparm\",", "\"loadparm\",\"bogus\",", "unknown flag 'bogus'" },
        { "\"arch\":\"s390x\"", "\"arch\":7", "'arch' must be a string" },
        { "\"machines\":[", "\"machinez\":[", "missing 'machines'" },
        { NULL, "[1, 2]", "not a JSON object" },
        { NULL, "{\"format\": 1,", "unexpected end of data" },
        { "\"schema\":{", "\"schema\":{\"x\":1,", "schema answer 'x' must be a boolean" },
    };

    g_assert_true(g_file_get_contents(orig_path, &orig, NULL, NULL));
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *at = cases[i].from ? strstr(orig, cases[i].from) : NULL;
        g_autofree char *bad = NULL;
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwQemuCaps) caps = NULL;

        /* no "from": the whole file is "to" */
        if (!cases[i].from)
            bad = g_strdup(cases[i].to);
        else if (!at)
            g_error("test data lacks '%s'", cases[i].from);
        else
            bad = g_strdup_printf("%.*s%s%s", (int)(at - orig), orig, cases[i].to,
                                  at + strlen(cases[i].from));
        g_assert_true(g_file_set_contents(path, bad, -1, NULL));
        caps = vccw_qemu_caps_load_file(path, &err);
        g_assert_null(caps);
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(err->message,
                                       "internal error: invalid QEMU capabilities file '"));
        if (!strstr(err->message, cases[i].msg))
            g_error("case %zu: '%s' lacks '%s'", i, err->message, cases[i].msg);
    }
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_probe_missing_binary(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwQemuCaps) caps = vccw_qemu_caps_probe("/nonexistent/qemu-system-s390x", &err);

    g_assert_null(caps);
    g_assert_cmpstr(err->message, ==,
                    "Cannot check QEMU binary /nonexistent/qemu-system-s390x: "
                    "No such file or directory");
}

/* A binary that exits at once must fail fast, not wait for the timeout. */
static void
test_probe_not_qemu(void)
{
    g_autoptr(GError) err = NULL;
    gint64 start = g_get_monotonic_time();
    g_autoptr(VccwQemuCaps) caps = vccw_qemu_caps_probe("/bin/true", &err);

    g_assert_null(caps);
    g_assert_true(g_str_has_prefix(err->message,
                                   "internal error: Failed to probe QEMU binary /bin/true with QMP: "));
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
}

static bool
have_qemu(void)
{
    if (g_file_test(S390X_BINARY, G_FILE_TEST_IS_EXECUTABLE))
        return true;
    /* under CI=true nothing is skipped: install-deps.sh installs QEMU */
    if (g_strcmp0(g_getenv("CI"), "true") == 0)
        g_error("prerequisite missing under CI=true: " S390X_BINARY " is not installed");
    probe_skipped = true;
    return false;
}

/* A live probe agrees with the recorded file of its QEMU release on
 * everything but the version (a Debian point release may bump the micro
 * number): caps_7.2.0_s390x.json for Debian 12's QEMU 7.2,
 * caps_10.0.0_s390x.json for Debian 13's QEMU 10.0 (whose default machine
 * is s390-ccw-virtio-10.0, and which no longer has s390-ccw-virtio-2.5). */
static void
test_probe_matches_recorded(void)
{
    g_autoptr(VccwQemuCaps) rec = NULL;
    g_autoptr(VccwQemuCaps) live = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    unsigned int ver;

    if (!have_qemu())
        return;
    live = vccw_qemu_caps_probe(S390X_BINARY, &err);
    g_assert_no_error(err);
    ver = vccw_qemu_caps_version(live);
    name = g_strdup_printf("caps_%u.%u.0_s390x.json", ver / 1000000, ver / 1000 % 1000);
    path = g_build_filename(datadir, name, NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        g_error("no recording %s for the installed QEMU %u.%u.%u", path,
                ver / 1000000, ver / 1000 % 1000, ver % 1000);
    rec = load_data(name);
    g_assert_false(vccw_qemu_caps_from_cache(live));
    g_assert_cmpstr(vccw_qemu_caps_arch(live), ==, vccw_qemu_caps_arch(rec));
    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++) {
        if (vccw_qemu_caps_has(live, f) != vccw_qemu_caps_has(rec, f))
            g_error("flag %s differs from the recording", vccw_qemu_caps_flag_to_string(f));
    }
    g_assert_cmpstr(vccw_qemu_caps_machine_canonical(live, "s390-ccw-virtio"), ==,
                    vccw_qemu_caps_machine_canonical(rec, "s390-ccw-virtio"));
}

static char *
only_file_in(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name = d ? g_dir_read_name(d) : NULL;
    char *path;

    g_assert_nonnull(name);
    path = g_build_filename(dir, name, NULL);
    g_assert_null(g_dir_read_name(d));
    return path;
}

static void
test_cache(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *cachedir = NULL;
    g_autofree char *file = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwQemuCaps) first = NULL;
    g_autoptr(VccwQemuCaps) second = NULL;
    g_autoptr(VccwQemuCaps) third = NULL;
    g_autoptr(VccwQemuCaps) fourth = NULL;
    char *at;

    if (!have_qemu())
        return;
    dir = g_dir_make_tmp("qemucapstest-XXXXXX", NULL);
    /* the cache directory is created on demand */
    cachedir = g_build_filename(dir, "sub", "qemucaps", NULL);

    first = vccw_qemu_caps_cache_lookup(S390X_BINARY, cachedir, &err);
    g_assert_no_error(err);
    g_assert_false(vccw_qemu_caps_from_cache(first));
    file = only_file_in(cachedir);

    second = vccw_qemu_caps_cache_lookup(S390X_BINARY, cachedir, &err);
    g_assert_no_error(err);
    g_assert_true(vccw_qemu_caps_from_cache(second));
    g_assert_cmpuint(vccw_qemu_caps_version(second), ==, vccw_qemu_caps_version(first));
    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++)
        g_assert_cmpint(vccw_qemu_caps_has(first, f), ==, vccw_qemu_caps_has(second, f));

    /* the binary "changed" (another mtime): probe again and rewrite */
    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    g_assert_nonnull(at = strstr(text, "\"mtime\":"));
    for (at += strlen("\"mtime\":"); g_ascii_isdigit(*at); at++)
        *at = '2';
    g_assert_true(g_file_set_contents(file, text, -1, NULL));
    third = vccw_qemu_caps_cache_lookup(S390X_BINARY, cachedir, &err);
    g_assert_no_error(err);
    g_assert_false(vccw_qemu_caps_from_cache(third));

    /* a damaged cache file is not an error either */
    g_assert_true(g_file_set_contents(file, "garbage", -1, NULL));
    fourth = vccw_qemu_caps_cache_lookup(S390X_BINARY, cachedir, &err);
    g_assert_no_error(err);
    g_assert_false(vccw_qemu_caps_from_cache(fourth));
    g_clear_pointer(&fourth, vccw_qemu_caps_free);
    fourth = vccw_qemu_caps_cache_lookup(S390X_BINARY, cachedir, &err);
    g_assert_no_error(err);
    g_assert_true(vccw_qemu_caps_from_cache(fourth));

    g_unlink(file);
    g_clear_pointer(&file, g_free);
    g_rmdir(cachedir);
    file = g_path_get_dirname(cachedir);
    g_rmdir(file);
    g_rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* the QMP client against a scripted fake monitor                     */

static void
fake_send(int fd, const char *line)
{
    g_autofree char *msg = g_strdup_printf("%s\r\n", line);

    g_assert_cmpint(send(fd, msg, strlen(msg), MSG_NOSIGNAL), ==, (ssize_t)strlen(msg));
}

static gpointer
fake_monitor(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    g_autoptr(GString) buf = g_string_new(NULL);
    char c;

    fake_send(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                  "\"major\": 7}}, \"capabilities\": [\"oob\"]}}");
    while (recv(fd, &c, 1, 0) == 1) {
        g_autoptr(json_object) cmd = NULL;
        g_autofree char *reply = NULL;
        const char *name;
        const char *id;

        if (c != '\n') {
            g_string_append_c(buf, c);
            continue;
        }
        cmd = json_tokener_parse(buf->str);
        g_string_truncate(buf, 0);
        g_assert_nonnull(cmd);
        name = json_object_get_string(json_object_object_get(cmd, "execute"));
        id = json_object_get_string(json_object_object_get(cmd, "id"));

        if (g_str_equal(name, "query-status")) {
            /* an event first: the client must queue it, not lose it */
            fake_send(fd, "{\"event\": \"STOP\", \"data\": {}}");
            reply = g_strdup_printf("{\"return\": {\"status\": \"prelaunch\", "
                                    "\"running\": false}, \"id\": \"%s\"}", id);
        } else if (g_str_equal(name, "device_del")) {
            reply = g_strdup_printf("{\"id\": \"%s\", \"error\": {\"class\": "
                                    "\"DeviceNotFound\", \"desc\": \"Device 'x' not "
                                    "found\"}}", id);
        } else if (g_str_equal(name, "stall")) {
            continue;
        } else if (g_str_equal(name, "quit")) {
            fake_send(fd, "{\"return\": {}, \"id\": \"virtccw-stale\"}");
            reply = g_strdup_printf("{\"return\": {}, \"id\": \"%s\"}", id);
            fake_send(fd, reply);
            fake_send(fd, "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false}}");
            break;
        } else {
            reply = g_strdup_printf("{\"return\": {}, \"id\": \"%s\"}", id);
        }
        fake_send(fd, reply);
    }
    close(fd);
    return NULL;
}

static void
test_qmp_client(void)
{
    int sv[2];
    GThread *thread;
    g_autoptr(VccwQmp) qmp = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autoptr(json_object) ev = NULL;
    g_autoptr(json_object) args = json_object_new_object();
    json_object *v = NULL;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    thread = g_thread_new("fake-monitor", fake_monitor, GINT_TO_POINTER(sv[1]));

    qmp = vccw_qmp_new_from_fd(sv[0], 2000, &err);
    g_assert_no_error(err);
    g_assert_true(json_object_object_get_ex(vccw_qmp_greeting(qmp), "version", NULL));

    ret = vccw_qmp_execute(qmp, "query-status", NULL, &err);
    g_assert_no_error(err);
    g_assert_true(json_object_object_get_ex(ret, "status", &v));
    g_assert_cmpstr(json_object_get_string(v), ==, "prelaunch");

    json_object_object_add(args, "id", json_object_new_string("x"));
    g_assert_null(vccw_qmp_execute(qmp, "device_del", args, &err));
    g_assert_cmpstr(err->message, ==, "internal error: unable to execute QEMU command "
                                      "'device_del': Device 'x' not found");
    g_assert_cmpstr(vccw_qmp_last_error_class(qmp), ==, "DeviceNotFound");
    g_clear_error(&err);

    /* bounded waits: a command QEMU never answers times out */
    vccw_qmp_set_timeout(qmp, 200);
    g_assert_null(vccw_qmp_execute(qmp, "stall", NULL, &err));
    g_assert_cmpstr(err->message, ==, "operation failed: timed out waiting for reply "
                                      "to QEMU command 'stall'");
    g_assert_null(vccw_qmp_last_error_class(qmp));
    g_clear_error(&err);
    vccw_qmp_set_timeout(qmp, 2000);

    /* the STOP event that came before the query-status reply was kept */
    ev = vccw_qmp_wait_event(qmp, "STOP", 100, &err);
    g_assert_no_error(err);
    g_assert_nonnull(ev);
    g_clear_pointer(&ev, json_object_put);

    /* a wait until a deadline that ends in a timeout ends after it (a
     * detach tells a timeout from a monitor failure by the clock) */
    for (gint64 us = 0; us < 20000; us += 1377) {
        gint64 deadline = g_get_monotonic_time() + us;

        g_assert_null(vccw_qmp_wait_event_until(qmp, "NEVER", deadline, &err));
        g_assert_cmpint(g_get_monotonic_time(), >=, deadline);
        g_assert_true(g_str_has_prefix(err->message, "operation failed: timed out waiting for"));
        g_clear_error(&err);
    }

    g_clear_pointer(&ret, json_object_put);
    ret = vccw_qmp_execute(qmp, "quit", NULL, &err);
    g_assert_no_error(err);
    ev = vccw_qmp_wait_event(qmp, "SHUTDOWN", 2000, &err);
    g_assert_no_error(err);
    g_clear_pointer(&ev, json_object_put);

    /* after the peer closed: EOF, promptly */
    g_assert_null(vccw_qmp_wait_event(qmp, "NEVER", 2000, &err));
    g_assert_cmpstr(err->message, ==, "operation failed: End of file from qemu monitor");
    g_assert_true(vccw_qmp_is_closed(qmp));
    g_thread_join(thread);
}

static void
test_qmp_connect_missing(void)
{
    g_autoptr(GError) err = NULL;
    gint64 start = g_get_monotonic_time();

    g_assert_null(vccw_qmp_connect("/nonexistent/dir/qmp.sock", 300, NULL, NULL, &err));
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(err->message, "monitor socket did not show up"));
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
}

/* One case; a probing case without QEMU is a skip, not a pass. */
static void
run(const char *name, void (*fn)(void))
{
    probe_skipped = false;
    fn();
    if (probe_skipped)
        vccw_test_skip(name, S390X_BINARY " is not installed");
    else
        vccw_test_pass(name);
}

int
main(int argc, char **argv)
{
    datadir = argc > 1 ? argv[1] : VIRTCCW_SRCDIR "/tests/qemucapsdata";

    run("/qemucaps/s390x/load", test_s390x_load);
    run("/qemucaps/x86_64/load", test_x86_64_load);
    run("/qemucaps/flag-names", test_flag_names);
    run("/qemucaps/file/roundtrip", test_roundtrip);
    run("/qemucaps/file/invalid", test_invalid_files);
    run("/qemucaps/probe/missing-binary", test_probe_missing_binary);
    run("/qemucaps/probe/not-qemu", test_probe_not_qemu);
    run("/qemucaps/probe/matches-recorded", test_probe_matches_recorded);
    run("/qemucaps/cache", test_cache);
    run("/qmp/client", test_qmp_client);
    run("/qmp/connect-missing", test_qmp_connect_missing);

    return vccw_test_done();
}
