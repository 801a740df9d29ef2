/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of src/util and the CCW address set: table-driven. */
#include <stdbool.h>
#include <string.h>
#include <glib.h>
#include <unistd.h>

#include "domain_addr.h"
#include "libvirt_release.h"
#include "vccw_error.h"
#include "vccw_host.h"
#include "vccw_number.h"
#include "vccw_uuid.h"
#include "testutils.h"

static void
test_uint_parse(void)
{
    static const struct { const char *in; bool ok; unsigned int val; } cases[] = {
        { "10", true, 10 }, { "010", true, 8 }, { "0x10", true, 16 }, { "0X1f", true, 31 },
        { "0", true, 0 }, { "4294967295", true, 4294967295u }, { "4294967296", false, 0 },
        { "-1", false, 0 }, { " -1", false, 0 }, { "", false, 0 }, { "0xzz", false, 0 },
        { "12abc", false, 0 }, { "08", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned int v = 0;
        g_assert_cmpint(vccw_parse_uint(cases[i].in, 0, &v), ==, cases[i].ok);
        if (cases[i].ok)
            g_assert_cmpuint(v, ==, cases[i].val);
    }
}

static void
test_uuid(void)
{
    static const struct { const char *in; bool ok; const char *canon; } cases[] = {
        { "90c6c135-ad44-41d0-b1b7-bae47de48627", true, "90c6c135-ad44-41d0-b1b7-bae47de48627" },
        { "90C6C135-AD44-41D0-B1B7-BAE47DE48627", true, "90c6c135-ad44-41d0-b1b7-bae47de48627" },
        { "90c6c135ad4441d0b1b7bae47de48627", true, "90c6c135-ad44-41d0-b1b7-bae47de48627" },
        { "90c6c135-ad44-41d0-b1b7-bae47de4862", false, NULL },
        { "90c6c135-ad44-41d0-b1b7-bae47de48627x", false, NULL },
        { "../../etc/passwd", false, NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned char u[VCCW_UUID_BUFLEN];
        char out[VCCW_UUID_STRING_BUFLEN];
        g_assert_cmpint(vccw_uuid_parse(cases[i].in, u), ==, cases[i].ok);
        if (cases[i].ok) {
            vccw_uuid_format(u, out);
            g_assert_cmpstr(out, ==, cases[i].canon);
        }
    }
    g_assert_true(vccw_uuid_is_canonical("90c6c135-ad44-41d0-b1b7-bae47de48627"));
    g_assert_false(vccw_uuid_is_canonical("90c6c135ad4441d0b1b7bae47de48627"));
}

static void
test_host_paths(void)
{
    g_autofree char *dir = g_dir_make_tmp("vccw-host-XXXXXX", NULL);
    g_autoptr(VccwHost) host = vccw_host_new(dir, NULL);
    static const char *const bad[] = { "..", ".", "a/b", "", "../x" };
    g_autoptr(GError) err = NULL;
    g_autofree char *ok = vccw_host_path(host, VCCW_HOST_DIR_CSS_DEVICES, "0.0.0313",
                                         "driver_override", &err);
    g_autofree char *want = g_strconcat(dir, "/sys/bus/css/devices/0.0.0313/driver_override", NULL);

    g_assert_no_error(err);
    g_assert_cmpstr(ok, ==, want);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) e = NULL;
        g_autofree char *p = vccw_host_path(host, VCCW_HOST_DIR_MDEV_DEVICES, bad[i], NULL, &e);
        g_assert_null(p);
        g_assert_error(e, VCCW_ERROR, VCCW_ERR_ARGUMENT);
    }
    g_assert_null(vccw_host_new("relative/root", NULL));
    /* a symlink pointing out of the root is refused for writing */
    {
        g_autofree char *link = g_build_filename(dir, "escape", NULL);
        g_autofree char *target = g_build_filename(link, "attr", NULL);
        g_autoptr(GError) e = NULL;
        g_assert_cmpint(symlink("/tmp", link), ==, 0);
        g_assert_false(vccw_host_check_inside(host, target, &e));
        g_assert_nonnull(e);
    }
    {
        g_autofree char *inside = g_build_filename(dir, "attr", NULL);
        g_assert_true(vccw_host_check_inside(host, inside, NULL));
    }
}

/* Assignment takes the lowest free devno and is linear: all 65,536
 * devnos of 0xfe.0 can be handed out, the next one fails with libvirt's
 * message, and explicit reservations are skipped. */
static void
test_ccw_exhaustion(void)
{
    g_autoptr(VccwCcwAddrSet) set = vccw_ccw_addr_set_new();
    VccwCcwAddr a = { .cssid = 0xfe, .ssid = 0, .devno = 5, .assigned = true };
    g_autoptr(GError) err = NULL;

    g_assert_true(vccw_ccw_addr_set_reserve(set, &a, NULL));
    g_assert_false(vccw_ccw_addr_set_reserve(set, &a, &err));
    g_assert_cmpstr(err->message, ==, "XML error: The CCW devno 'fe.0.0005' is in use already");
    g_clear_error(&err);
    for (unsigned int i = 0; i < 65535; i++) {
        VccwCcwAddr got = { 0 };
        g_assert_true(vccw_ccw_addr_set_assign(set, &got, NULL));
        g_assert_cmpuint(got.devno, ==, i < 5 ? i : i + 1);
    }
    {
        VccwCcwAddr got = { 0 };
        g_assert_false(vccw_ccw_addr_set_assign(set, &got, &err));
        g_assert_cmpstr(err->message, ==, "internal error: There are no more free CCW devnos.");
    }
}

/* libvirt versions map onto the newest known release not newer than them */
static void
test_libvirt_release(void)
{
    static const struct {
        const char *str;
        int rel;
    } cases[] = {
        { "9.0", VCCW_LIBVIRT_9_0 }, { "11.3", VCCW_LIBVIRT_11_3 },
        { "9.0.0", VCCW_LIBVIRT_9_0 }, { "11.3.0", VCCW_LIBVIRT_11_3 },
        { "10.0.0", VCCW_LIBVIRT_9_0 }, { "11.2", VCCW_LIBVIRT_9_0 },
        { "11.10.0", VCCW_LIBVIRT_11_3 }, { "12.0", VCCW_LIBVIRT_11_3 },
        { "8.0.0", VCCW_LIBVIRT_9_0 },
        { "", -1 }, { "11", -1 }, { "11.3.0.1", -1 }, { "-1.0", -1 },
        { " 9.0", -1 }, { "9.0x", -1 }, { "latest", -1 }, { NULL, -1 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(vccw_libvirt_release_parse(cases[i].str), ==, cases[i].rel);
    g_assert_cmpstr(vccw_libvirt_release_to_string(VCCW_LIBVIRT_11_3), ==, "11.3");
    /* the node-device API virtccwd answers is a known release's, exactly */
    g_assert_cmpint(vccw_libvirt_release_nodedev_api(), ==, VCCW_LIBVIRT_11_3);
    g_assert_cmpint(VCCW_LIBVIRT_NODEDEV_API_VERSION, ==, 11003000);
    g_assert_cmpint(vccw_libvirt_release_get(), ==, VCCW_LIBVIRT_RELEASE_DEFAULT);
    vccw_libvirt_release_set(VCCW_LIBVIRT_11_3);
    g_assert_true(vccw_conf_behaviour()->hostdev_caps_type_enum);
    g_assert_true(vccw_conf_behaviour()->ccw_list_offline);
    vccw_libvirt_release_set(VCCW_LIBVIRT_9_0);
    g_assert_false(vccw_conf_behaviour()->hostdev_caps_type_enum);
    g_assert_false(vccw_conf_behaviour()->ccw_list_offline);
}

int
main(void)
{
    vccw_test_run("/util/uint-parse", test_uint_parse);
    vccw_test_run("/util/uuid", test_uuid);
    vccw_test_run("/util/host-paths", test_host_paths);
    vccw_test_run("/conf/ccw-exhaustion", test_ccw_exhaustion);
    vccw_test_run("/conf/libvirt-release", test_libvirt_release);
    return vccw_test_done();
}
