/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the simulated host: model + tree, no FUSE.
 * One test per row of kernel-sysfs.md's error table (named row_*),
 * plus the blocking remove/unbind, id allocation and scale. */
#include "sim_model.h"
#include "sim_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define CSS "/sys/bus/css"
#define SCH0 "/sys/bus/css/devices/0.0.0000"
#define TYPE0 SCH0 "/mdev_supported_types/vfio_ccw-io"
#define U1 "7e270a25-e163-4922-af60-757fc8ed48c6"
#define U2 "11111111-2222-3333-4444-555555555555"

typedef struct {
    SimModel *m;
    GArray *completed;   /* wait keys reported by the model */
} Fx;

static void
on_complete(void *opaque, uint64_t key)
{
    Fx *fx = opaque;

    g_array_append_val(fx->completed, key);
}

static void
fx_setup_layout(Fx *fx, SimLayoutKind kind, SimKernel kernel, uint32_t n, uint32_t nssid)
{
    SimLayout l;
    g_autoptr(GError) err = NULL;

    g_assert_true(sim_layout_init(&l, kind, kernel, n, nssid, &err));
    g_assert_no_error(err);
    fx->m = sim_model_new(&l, true);
    fx->completed = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    sim_model_set_complete_hook(fx->m, on_complete, fx);
}

/* data: the kernel, "6.1" (also NULL) or "6.12" */
static void
fx_setup(Fx *fx, gconstpointer data)
{
    SimKernel k = data && g_str_equal(data, "6.12") ? SIM_KERNEL_6_12 : SIM_KERNEL_6_1;

    fx_setup_layout(fx, SIM_LAYOUT_QEMU, k, 2, 0);
}

static void
fx_teardown(Fx *fx, gconstpointer data)
{
    (void)data;
    sim_model_free(fx->m);
    g_array_free(fx->completed, TRUE);
}

static ssize_t
wr(Fx *fx, const char *path, const char *s)
{
    uint64_t wait = 0;

    return sim_tree_write_path(fx->m, path, s, strlen(s), &wait);
}

static ssize_t
wr_wait(Fx *fx, const char *path, const char *s, uint64_t *wait)
{
    return sim_tree_write_path(fx->m, path, s, strlen(s), wait);
}

/* content without the trailing newline, or "ERR:<errno>" */
static char *
rd(Fx *fx, const char *path)
{
    g_autoptr(GString) s = g_string_new(NULL);
    int rc = sim_tree_read_path(fx->m, path, s);

    if (rc < 0)
        return g_strdup_printf("ERR:%d", -rc);
    if (s->len && s->str[s->len - 1] == '\n')
        g_string_truncate(s, s->len - 1);
    return g_strdup(s->str);
}

static bool
exists(Fx *fx, const char *path)
{
    SimNode n;

    return sim_tree_resolve(fx->m, path, false, &n) == 0;
}

static char *
link_of(Fx *fx, const char *path)
{
    g_autoptr(GString) s = g_string_new(NULL);
    SimNode n;

    if (sim_tree_resolve(fx->m, path, false, &n) < 0 || sim_tree_readlink(fx->m, n, s) < 0)
        return g_strdup("(none)");
    return g_strdup(s->str);
}

static gint
cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names in a directory, sorted, space-separated, without . and .. */
static char *
ls(Fx *fx, const char *path)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new(NULL);
    SimNode dir, child;
    uint64_t cookie = 0, next;
    char name[256];

    if (sim_tree_resolve(fx->m, path, true, &dir) < 0)
        return g_string_free(out, FALSE);
    while (sim_tree_readdir(fx->m, dir, cookie, name, &child, &next) == 1) {
        if (!g_str_equal(name, ".") && !g_str_equal(name, ".."))
            g_ptr_array_add(names, g_strdup(name));
        cookie = next;
    }
    g_ptr_array_sort(names, cmp_strp);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(out, "%s%s", i ? " " : "", (char *)names->pdata[i]);
    return g_string_free(out, FALSE);
}

#define assert_str(expr, want) do { g_autofree char *_s = (expr); g_assert_cmpstr(_s, ==, want); } while (0)

/* the driverctl-style sequence: override, unbind io_subchannel, probe */
static void
to_vfio(Fx *fx, const char *sch)
{
    g_autofree char *ovr = g_strdup_printf(CSS "/devices/%s/driver_override", sch);

    g_assert_cmpint(wr(fx, ovr, "vfio_ccw\n"), ==, 9);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", sch), ==, (ssize_t)strlen(sch));
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", sch), ==, (ssize_t)strlen(sch));
}

/* ---- baseline ---- */

static void
test_baseline(Fx *fx, gconstpointer d)
{
    (void)d;
    assert_str(rd(fx, SCH0 "/type"), "0");
    assert_str(rd(fx, SCH0 "/modalias"), "css:t0");
    assert_str(rd(fx, SCH0 "/dev_busid"), "0.0.0005");
    assert_str(rd(fx, SCH0 "/chpids"), "00 00 00 00 00 00 00 00 ");
    assert_str(rd(fx, SCH0 "/pimpampom"), "80 80 ff");
    assert_str(rd(fx, SCH0 "/driver_override"), "(null)");
    assert_str(rd(fx, SCH0 "/uevent"), "DRIVER=io_subchannel\nST=0\nMODALIAS=css:t0");
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/io_subchannel");
    assert_str(link_of(fx, CSS "/devices/0.0.0000"), "../../../devices/css0/0.0.0000");
    assert_str(ls(fx, SCH0), "0.0.0005 chpids dev_busid driver driver_override logging modalias pimpampom subsystem type uevent vpm");
    assert_str(ls(fx, "/sys/bus/css"), "devices drivers drivers_autoprobe drivers_probe uevent");
    assert_str(ls(fx, "/sys/bus/css/drivers/vfio_ccw"), "bind module uevent unbind");
    assert_str(ls(fx, "/sys/devices/css0"), "0.0.0000 0.0.0001 defunct real_cssid rescan uevent");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0005/online"), "1");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0005/cutype"), "3832/04");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0005/devtype"), "n/a");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0005/modalias"), "ccw:t3832m04dtdm");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0006/uevent"),
               "DRIVER=virtio_ccw\nCU_TYPE=3832\nCU_MODEL=02\nDEV_TYPE=0000\nDEV_MODEL=00\nMODALIAS=ccw:t3832m02dtdm");
    assert_str(rd(fx, "/sys/devices/css0/real_cssid"), "ERR:22");
    g_assert_false(exists(fx, SCH0 "/mdev_supported_types"));
    /* write-only and read-only attributes refuse the other direction */
    {
        SimNode n;
        uint64_t h;

        g_assert_cmpint(sim_tree_resolve(fx->m, CSS "/drivers_probe", true, &n), ==, 0);
        g_assert_cmpint(sim_tree_open(fx->m, n, O_RDONLY, &h), ==, -EACCES);
        g_assert_cmpint(sim_tree_resolve(fx->m, SCH0 "/type", true, &n), ==, 0);
        g_assert_cmpint(sim_tree_open(fx->m, n, O_WRONLY, &h), ==, -EACCES);
    }
}

/* ---- the error table of kernel-sysfs.md ---- */

static void
row_bind_busy(Fx *fx, gconstpointer d)
{
    (void)d;
    /* bind to vfio_ccw while bound to io_subchannel */
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, -EBUSY);
    to_vfio(fx, "0.0.0000");
    /* bind again while on vfio_ccw */
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, -EBUSY);
}

static void
row_nonexistent(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.ffff"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.ffff\n"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.ffff"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.ffff\n"), ==, -ENODEV);
    /* names are exact: upper case, two newlines, spaces do not match */
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.000A"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000\n\n"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", " 0.0.0000"), ==, -ENODEV);
}

static void
row_unbind_wrong(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, -ENODEV);
    g_assert_false(exists(fx, SCH0 "/driver"));
    g_assert_false(exists(fx, "/sys/bus/ccw/devices/0.0.0005"));
    assert_str(ls(fx, SCH0), "chpids dev_busid driver_override modalias pimpampom subsystem type uevent");
    assert_str(rd(fx, SCH0 "/uevent"), "ST=0\nMODALIAS=css:t0");
}

static void
row_bind_not_override(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "vfio_ccw"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/bind", "0.0.0000"), ==, -ENODEV);
    g_assert_false(exists(fx, SCH0 "/driver"));
    /* a bogus override */
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "nosuchdriver"), ==, 12);
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/bind", "0.0.0000"), ==, -ENODEV);
}

static void
row_probe_while_bound(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "vfio_ccw"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/io_subchannel");
}

static void
row_probe_no_driver(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "nosuchdriver"), ==, 12);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    g_assert_false(exists(fx, SCH0 "/driver"));
    /* override vfio_ccw with the module unloaded */
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "vfio_ccw"), ==, 8);
    g_assert_cmpint(wr(fx, "/.simhost/ctl", "rmmod vfio_ccw"), >, 0);
    g_assert_false(exists(fx, CSS "/drivers/vfio_ccw"));
    g_assert_false(exists(fx, "/sys/module/vfio_ccw"));
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    g_assert_false(exists(fx, SCH0 "/driver"));
    /* loading it binds the subchannel at once */
    g_assert_cmpint(wr(fx, "/.simhost/ctl", "modprobe vfio_ccw"), >, 0);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/vfio_ccw");
    /* the other subchannel (no override, still on io_subchannel) is untouched */
    assert_str(link_of(fx, CSS "/devices/0.0.0001/driver"), "../../../bus/css/drivers/io_subchannel");
}

static void
row_override_while_bound(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "vfio_ccw"), ==, 8);
    assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/io_subchannel");
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "vfio_ccw\n"), ==, 9);
    assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
    /* takes effect on the next probe */
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/vfio_ccw");
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "io_subchannel"), ==, 13);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/vfio_ccw");
}

static void
row_override_zero_length(Fx *fx, gconstpointer d)
{
    (void)d;
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "nosuchdriver"), ==, 12);
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", ""), ==, 0);
    assert_str(rd(fx, SCH0 "/driver_override"), "nosuchdriver");
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "\n"), ==, 1);
    assert_str(rd(fx, SCH0 "/driver_override"), "(null)");
    /* a page or more is refused */
    {
        g_autofree char *big = g_strnfill(SIM_PAGE_SIZE - 1, 'a');
        g_assert_cmpint(wr(fx, SCH0 "/driver_override", big), ==, -EINVAL);
    }
}

static void
row_create_einval(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", "not-a-uuid"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, TYPE0 "/create", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1 "xx"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, TYPE0 "/create", "7e270a25e1634922af60757fc8ed48c6"), ==, -EINVAL);
    g_assert_cmpuint(sim_model_mdev_count(fx->m), ==, 0);
    assert_str(rd(fx, TYPE0 "/available_instances"), "1");
}

static void
row_create_newline(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    assert_str(ls(fx, TYPE0), "available_instances create device_api devices name");
    assert_str(rd(fx, TYPE0 "/name"), "I/O subchannel (Non-QDIO)");
    assert_str(rd(fx, TYPE0 "/device_api"), "vfio-ccw");
    g_assert_false(exists(fx, TYPE0 "/description"));
    g_assert_cmpint(wr(fx, TYPE0 "/create", U2 "\n"), ==, 37);
    g_assert_true(exists(fx, "/sys/bus/mdev/devices/" U2));
    assert_str(rd(fx, TYPE0 "/available_instances"), "0");
    assert_str(ls(fx, TYPE0 "/devices"), U2);
    assert_str(link_of(fx, TYPE0 "/devices/" U2), "../../../" U2);
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U2), "../../../devices/css0/0.0.0000/" U2);
    assert_str(ls(fx, "/sys/bus/mdev/devices/" U2),
               "driver iommu_group mdev_type remove subsystem uevent vfio-dev");
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U2 "/mdev_type"), "../mdev_supported_types/vfio_ccw-io");
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U2 "/iommu_group"), "../../../../kernel/iommu_groups/0");
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U2 "/driver"), "../../../../bus/mdev/drivers/vfio_ccw_mdev");
    assert_str(rd(fx, "/sys/bus/mdev/devices/" U2 "/uevent"), "DRIVER=vfio_ccw_mdev");
    assert_str(ls(fx, "/sys/bus/mdev/devices/" U2 "/vfio-dev"), "vfio0");
    assert_str(ls(fx, "/dev/vfio"), "0 vfio");
    assert_str(rd(fx, "/sys/kernel/iommu_groups/0/name"), "vfio-noiommu");
    assert_str(rd(fx, "/sys/kernel/iommu_groups/0/type"), "unknown");
    assert_str(ls(fx, "/sys/kernel/iommu_groups/0/devices"), U2);
    assert_str(ls(fx, "/sys/class/mdev_bus"), "0.0.0000");
    /* the 37th byte may be anything (create_store takes 36 or 37 bytes) */
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U2 "/remove", "1"), ==, 1);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1 "x"), ==, 37);
}

static void
row_create_eusers(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U2), ==, -EUSERS);
    g_assert_cmpuint(sim_model_mdev_count(fx->m), ==, 1);
}

static void
row_create_eexist(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    to_vfio(fx, "0.0.0001");
    g_assert_cmpint(wr(fx, CSS "/devices/0.0.0001/mdev_supported_types/vfio_ccw-io/create", U2), ==, 36);
    /* same UUID on the other parent */
    g_assert_cmpint(wr(fx, TYPE0 "/create", U2), ==, -EEXIST);
    /* upper case is accepted and named in lower case; duplicate in upper case */
    g_assert_cmpint(wr(fx, TYPE0 "/create", "7E270A25-E163-4922-AF60-757FC8ED48C6"), ==, 36);
    assert_str(ls(fx, "/sys/bus/mdev/devices"), U2 " " U1);
    g_assert_cmpint(wr(fx, TYPE0 "/create", "7E270A25-E163-4922-AF60-757FC8ED48C6"), ==, -EEXIST);
    /* each mdev its own group, allocated in order */
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U2 "/iommu_group"), "../../../../kernel/iommu_groups/0");
    assert_str(link_of(fx, "/sys/bus/mdev/devices/" U1 "/iommu_group"), "../../../../kernel/iommu_groups/1");
    assert_str(ls(fx, "/sys/bus/mdev/devices/" U1 "/vfio-dev"), "vfio1");
    assert_str(ls(fx, "/dev/vfio"), "0 1 vfio");
}

static void
row_remove_values(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "0"), ==, 1);
    g_assert_true(exists(fx, "/sys/bus/mdev/devices/" U1));
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "abc"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "-1"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1\n"), ==, 2);
    g_assert_false(exists(fx, "/sys/bus/mdev/devices/" U1));
    assert_str(ls(fx, "/dev/vfio"), "vfio");
    assert_str(rd(fx, TYPE0 "/available_instances"), "1");
    /* write to remove of a gone mdev: ENOENT at open */
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1"), ==, -ENOENT);
    /* kstrtoul base 0 */
    {
        unsigned long v;

        g_assert_true(sim_kstrtoul("0x1f\n", &v) && v == 31);
        g_assert_true(sim_kstrtoul("010", &v) && v == 8);
        g_assert_true(sim_kstrtoul("+1", &v) && v == 1);
        g_assert_false(sim_kstrtoul("1\n\n", &v));
        g_assert_false(sim_kstrtoul("08", &v));
        g_assert_false(sim_kstrtoul("", &v));
        g_assert_false(sim_kstrtoul(" 1", &v));
        g_assert_false(sim_kstrtoul("99999999999999999999999", &v));
    }
}

static void
row_rmmod_eagain(Fx *fx, gconstpointer d)
{
    SimNode g;
    uint64_t h;

    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);
    g_assert_cmpint(wr(fx, "/.simhost/ctl", "rmmod vfio_ccw"), ==, -EAGAIN);
    sim_tree_release(fx->m, g, h);
    /* not in use: rmmod removes the mdev and leaves the subchannel unbound */
    g_assert_cmpint(wr(fx, "/.simhost/ctl", "rmmod vfio_ccw"), >, 0);
    g_assert_cmpuint(sim_model_mdev_count(fx->m), ==, 0);
    g_assert_false(exists(fx, SCH0 "/driver"));
    assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
}

/* ---- in use: remove and unbind block ---- */

static void
test_group_in_use(Fx *fx, gconstpointer d)
{
    SimNode g;
    uint64_t h, h2;

    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h2), ==, -EBUSY);
    sim_tree_release(fx->m, g, h);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDONLY, &h2), ==, 0);
    sim_tree_release(fx->m, g, h2);
}

static void
test_blocking_remove(Fx *fx, gconstpointer d)
{
    SimNode g;
    uint64_t h, wait = 0;
    const char *kernel = d;

    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);

    g_assert_cmpint(wr_wait(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1", &wait), ==, SIM_PENDING);
    g_assert_cmpuint(wait, ==, SIM_WAIT_MDEV(sim_model_mdev_by_uuid(fx->m, U1)->serial));
    g_assert_cmpuint(fx->completed->len, ==, 0);
    /* while blocked */
    g_assert_false(exists(fx, "/sys/bus/mdev/devices/" U1));
    assert_str(ls(fx, "/sys/bus/mdev/devices"), "");
    assert_str(ls(fx, TYPE0 "/devices"), "");
    g_assert_true(exists(fx, "/sys/devices/css0/0.0.0000/" U1));
    assert_str(ls(fx, "/sys/devices/css0/0.0.0000/" U1),
               g_str_equal(kernel, "6.1") ? "iommu_group vfio-dev" : "iommu_group");
    assert_str(link_of(fx, "/sys/devices/css0/0.0.0000/" U1 "/iommu_group"), "../../../../kernel/iommu_groups/0");
    g_assert_false(exists(fx, "/sys/devices/css0/0.0.0000/" U1 "/remove"));
    g_assert_false(exists(fx, "/sys/devices/css0/0.0.0000/" U1 "/mdev_type"));
    assert_str(ls(fx, "/dev/vfio"), "0 vfio");
    assert_str(rd(fx, TYPE0 "/available_instances"), "0");
    g_assert_cmpint(wr(fx, "/sys/devices/css0/0.0.0000/" U1 "/remove", "1"), ==, -ENOENT);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, -EEXIST);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U2), ==, -EUSERS);
    /* release: the remove completes */
    sim_tree_release(fx->m, g, h);
    g_assert_cmpuint(fx->completed->len, ==, 1);
    g_assert_cmpuint(g_array_index(fx->completed, uint64_t, 0), ==, wait);
    g_assert_false(exists(fx, "/sys/devices/css0/0.0.0000/" U1));
    assert_str(ls(fx, "/dev/vfio"), "vfio");
    assert_str(rd(fx, TYPE0 "/available_instances"), "1");
}

static void
test_blocking_unbind(Fx *fx, gconstpointer d)
{
    SimNode g;
    uint64_t h, wait = 0, wait2 = 0;

    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);
    g_assert_cmpint(wr_wait(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000", &wait), ==, SIM_PENDING);
    g_assert_cmpuint(wait, ==, SIM_WAIT_SCH(0));
    /* observed while the parent unbind is blocked */
    g_assert_false(exists(fx, SCH0 "/driver"));
    assert_str(ls(fx, SCH0), U1 " chpids dev_busid driver_override mdev_supported_types modalias pimpampom subsystem type uevent");
    assert_str(ls(fx, TYPE0), "available_instances create device_api devices name");
    assert_str(ls(fx, "/sys/bus/mdev/devices"), "");
    assert_str(ls(fx, "/sys/class/mdev_bus"), "");
    assert_str(ls(fx, "/sys/devices/css0/0.0.0000/" U1), "iommu_group vfio-dev");
    assert_str(rd(fx, TYPE0 "/available_instances"), "0");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U2), ==, -EUSERS);
    /* a second unbind waits for the first */
    g_assert_cmpint(wr_wait(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000", &wait2), ==, SIM_PENDING);
    g_assert_cmpuint(wait2, ==, wait);
    sim_tree_release(fx->m, g, h);
    g_assert_cmpuint(fx->completed->len, ==, 2);  /* the mdev, then the subchannel */
    g_assert_cmpuint(g_array_index(fx->completed, uint64_t, 1), ==, SIM_WAIT_SCH(0));
    g_assert_cmpuint(sim_model_mdev_count(fx->m), ==, 0);
    g_assert_false(exists(fx, SCH0 "/driver"));
    g_assert_false(exists(fx, SCH0 "/mdev_supported_types"));
}

/* 6.1: a read of driver_override waits for the device lock that the
 * blocked vfio_ccw unbind holds; 6.12 answers at once. */
static void
test_override_read_blocks(Fx *fx, gconstpointer d)
{
    bool k61 = !g_str_equal(d, "6.12");
    g_autoptr(GString) s = g_string_new(NULL);
    SimNode g, ovr;
    uint64_t h, wait = 0, rwait = 0;

    to_vfio(fx, "0.0.0000");
    to_vfio(fx, "0.0.0001");
    g_assert_cmpint(sim_tree_resolve(fx->m, SCH0 "/driver_override", true, &ovr), ==, 0);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);

    /* a blocked mdev remove holds no lock of the parent's */
    g_assert_cmpint(wr_wait(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1", &wait), ==, SIM_PENDING);
    g_assert_false(sim_tree_read_blocks(fx->m, ovr, &rwait));
    assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
    /* the parent's unbind, waiting for the same release */
    g_assert_cmpint(wr_wait(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000", &wait), ==, SIM_PENDING);
    g_assert_cmpuint(wait, ==, SIM_WAIT_SCH(0));
    if (k61) {
        g_assert_true(sim_tree_read_blocks(fx->m, ovr, &rwait));
        g_assert_cmpuint(rwait, ==, SIM_WAIT_SCH(0));
        g_assert_cmpint(sim_tree_read_path(fx->m, SCH0 "/driver_override", s), ==, SIM_PENDING);
        g_assert_cmpuint(s->len, ==, 0);
    } else {
        g_assert_false(sim_tree_read_blocks(fx->m, ovr, &rwait));
        assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
    }
    /* only driver_override, only this subchannel */
    assert_str(rd(fx, SCH0 "/dev_busid"), "0.0.0005");
    assert_str(rd(fx, SCH0 "/type"), "0");
    assert_str(rd(fx, CSS "/devices/0.0.0001/driver_override"), "vfio_ccw");
    g_assert_cmpint(wr(fx, CSS "/devices/0.0.0001/driver_override", "\n"), ==, 1);
    assert_str(rd(fx, CSS "/devices/0.0.0001/driver_override"), "(null)");

    /* release: the remove, then the unbind complete; the read answers */
    sim_tree_release(fx->m, g, h);
    g_assert_cmpuint(fx->completed->len, ==, 2);
    g_assert_cmpuint(g_array_index(fx->completed, uint64_t, 1), ==, SIM_WAIT_SCH(0));
    g_assert_false(sim_tree_read_blocks(fx->m, ovr, &rwait));
    assert_str(rd(fx, SCH0 "/driver_override"), "vfio_ccw");
    g_assert_false(exists(fx, SCH0 "/driver"));
}

/* The uevents and kernel messages of a remove / parent unbind that block
 * on an open mdev: 6.12 sends the vfio-dev remove uevent when it starts
 * blocking, 6.1 on release with the others (tests/kernel transcripts). */
#define EV_VFIODEV "UEVENT: remove@/devices/css0/0.0.0000/" U1 "/vfio-dev/vfio0 SUBSYSTEM=vfio-dev\n"
#define EV_BLOCKED "KMSG: vfio_ccw_mdev " U1 ": No device request channel registered, blocked until released by user\n"
#define EV_GONE \
    "UEVENT: remove@/devices/virtual/vfio/0 SUBSYSTEM=vfio MAJOR=248 MINOR=0 DEVNAME=vfio/0\n" \
    "UEVENT: unbind@/devices/css0/0.0.0000/" U1 " SUBSYSTEM=mdev\n" \
    "UEVENT: remove@/devices/css0/0.0.0000/" U1 " SUBSYSTEM=mdev\n" \
    "KMSG: vfio_ccw_mdev " U1 ": Removing from iommu group 0\n"
#define EV_UNBOUND \
    "UEVENT: change@/devices/css0/0.0.0000 SUBSYSTEM=css MDEV_STATE=unregistered DRIVER=vfio_ccw ST=0 MODALIAS=css:t0\n" \
    "UEVENT: unbind@/devices/css0/0.0.0000 SUBSYSTEM=css ST=0\n"

static char *
take_events(Fx *fx)
{
    char *ev = sim_model_events(fx->m);

    sim_model_clear_events(fx->m);
    return ev;
}

static void
test_blocked_events(Fx *fx, gconstpointer d)
{
    bool k612 = g_str_equal(d, "6.12");
    SimNode g;
    uint64_t h, wait = 0;

    to_vfio(fx, "0.0.0000");

    /* remove */
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);
    sim_model_clear_events(fx->m);
    g_assert_cmpint(wr_wait(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1", &wait), ==, SIM_PENDING);
    assert_str(take_events(fx), k612 ? EV_VFIODEV EV_BLOCKED : EV_BLOCKED);
    sim_tree_release(fx->m, g, h);
    assert_str(take_events(fx), k612 ? EV_GONE : EV_VFIODEV EV_GONE);

    /* the parent's unbind */
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(sim_tree_resolve(fx->m, "/dev/vfio/0", true, &g), ==, 0);
    g_assert_cmpint(sim_tree_open(fx->m, g, O_RDWR, &h), ==, 0);
    sim_model_clear_events(fx->m);
    g_assert_cmpint(wr_wait(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000", &wait), ==, SIM_PENDING);
    assert_str(take_events(fx), k612 ? "KMSG: vfio_ccw 0.0.0000: MDEV: Unregistering\n" EV_VFIODEV EV_BLOCKED
                                     : "KMSG: vfio_ccw 0.0.0000: MDEV: Unregistering\n" EV_BLOCKED);
    sim_tree_release(fx->m, g, h);
    assert_str(take_events(fx), k612 ? EV_GONE EV_UNBOUND : EV_VFIODEV EV_GONE EV_UNBOUND);

    /* not blocked: the same on both */
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    sim_model_clear_events(fx->m);
    g_assert_cmpint(wr(fx, "/sys/bus/mdev/devices/" U1 "/remove", "1"), ==, 1);
    assert_str(take_events(fx), EV_VFIODEV EV_GONE);
}

/* ---- unbind, reload, probe ---- */

static void
test_unbind_probe(Fx *fx, gconstpointer d)
{
    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    /* unbind from vfio_ccw removes its mdevs and leaves it unbound */
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpuint(sim_model_mdev_count(fx->m), ==, 0);
    g_assert_false(exists(fx, SCH0 "/driver"));
    g_assert_false(exists(fx, SCH0 "/mdev_supported_types"));
    g_assert_false(exists(fx, "/sys/class/mdev_bus/0.0.0000"));
    /* bind again via vfio_ccw/bind: the mdev is not recreated */
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, 8);
    assert_str(rd(fx, TYPE0 "/available_instances"), "1");
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/unbind", "0.0.0000"), ==, 8);
    /* clear the override, probe: back on io_subchannel, device online */
    g_assert_cmpint(wr(fx, SCH0 "/driver_override", "\n"), ==, 1);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/io_subchannel");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.0005/online"), "1");
    /* direct bind without an override once unbound */
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.0000"), ==, 8);
    assert_str(link_of(fx, SCH0 "/driver"), "../../../bus/css/drivers/vfio_ccw");
}

static void
test_events(Fx *fx, gconstpointer d)
{
    g_autofree char *ev = NULL;

    (void)d;
    sim_model_clear_events(fx->m);
    to_vfio(fx, "0.0.0000");
    ev = sim_model_events(fx->m);
    g_assert_cmpstr(ev, ==,
        "UEVENT: unbind@/devices/css0/0.0.0000/0.0.0005 SUBSYSTEM=ccw CU_TYPE=3832 CU_MODEL=04 DEV_TYPE=0000 DEV_MODEL=00\n"
        "UEVENT: remove@/devices/css0/0.0.0000/0.0.0005 SUBSYSTEM=ccw CU_TYPE=3832 CU_MODEL=04 DEV_TYPE=0000 DEV_MODEL=00 MODALIAS=ccw:t3832m04dtdm\n"
        "UEVENT: unbind@/devices/css0/0.0.0000 SUBSYSTEM=css ST=0\n"
        "UEVENT: change@/devices/css0/0.0.0000 SUBSYSTEM=css MDEV_STATE=registered DRIVER=vfio_ccw ST=0 MODALIAS=css:t0\n"
        "UEVENT: bind@/devices/css0/0.0.0000 SUBSYSTEM=css DRIVER=vfio_ccw ST=0 MODALIAS=css:t0\n"
        "KMSG: vfio_ccw 0.0.0000: MDEV: Registered\n");
}

/* The event log past its bound (issue 15): appending never moves a kept
 * byte (a reader follows the log by offset: events-base + offset), the
 * oldest segment goes whole, the newest 10,000-20,000 lines stay, and a
 * slice read gives what the whole log has at that offset. The former log
 * dropped one line per append at its bound: every kept byte moved. */
static void
test_events_bound(Fx *fx, gconstpointer d)
{
    g_autoptr(GString) before = g_string_new(NULL), after = g_string_new(NULL);
    uint64_t base0, rotations = 0;
    g_autofree char *full = NULL;
    guint lines = 0;

    (void)d;
    sim_model_clear_events(fx->m);
    base0 = sim_model_events_base(fx->m);
    for (int cycle = 0; cycle < 6000; cycle++) {
        uint64_t base = sim_model_events_base(fx->m);
        uint64_t end;

        /* the last 64 bytes now, at their absolute offset */
        sim_model_events_read(fx->m, 0, G_MAXSIZE, after);   /* cheap below 2 segments */
        end = base + after->len;
        g_string_assign(before, after->str + (after->len > 64 ? after->len - 64 : 0));
        g_assert_cmpint(sim_model_rmmod_vfio_ccw(fx->m), ==, 0);
        g_assert_cmpint(sim_model_modprobe_vfio_ccw(fx->m), ==, 0);
        if (sim_model_events_base(fx->m) != base)
            rotations++;
        /* the same bytes at the same absolute offset, unless dropped */
        if (end - before->len >= sim_model_events_base(fx->m)) {
            sim_model_events_read(fx->m, end - before->len - sim_model_events_base(fx->m),
                                  before->len, after);
            g_assert_cmpstr(after->str, ==, before->str);
        }
    }
    full = sim_model_events(fx->m);
    for (const char *p = full; *p; p++)
        lines += *p == '\n';
    g_assert_cmpuint(rotations, >=, 2);
    g_assert_cmpuint(lines, >=, 10000);
    g_assert_cmpuint(lines, <=, 20000);
    /* the newest line is the last one logged (modprobe's last) */
    g_assert_true(g_str_has_suffix(full, "UEVENT: add@/module/vfio_ccw SUBSYSTEM=module\n"));
    g_assert_cmpuint(sim_model_events_base(fx->m) - base0, >, 0);
    /* slices anywhere equal the whole log there */
    for (size_t off = 0; off < strlen(full); off += 4093) {
        g_autoptr(GString) sl = g_string_new(NULL);

        sim_model_events_read(fx->m, off, 4096, sl);
        g_assert_cmpint(memcmp(sl->str, full + off, sl->len), ==, 0);
        g_assert_cmpuint(sl->len, ==, MIN(4096, strlen(full) - off));
    }
    /* a clear drops everything: the base moves to the end */
    {
        uint64_t end = sim_model_events_base(fx->m) + strlen(full);

        sim_model_clear_events(fx->m);
        g_assert_cmpuint(sim_model_events_base(fx->m), ==, end);
    }
}

/* ---- the LPAR layout ---- */

static void
lpar_setup(Fx *fx, gconstpointer data)
{
    (void)data;
    fx_setup_layout(fx, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, 64, 4);
}

static void
test_lpar_kinds(Fx *fx, gconstpointer d)
{
    (void)d;
    /* 16 per ssid: 0.0.0000-0.0.000f, 0.1.0000-..., devno = schno + 0x1000 */
    assert_str(rd(fx, CSS "/devices/0.1.0003/dev_busid"), "0.1.1003");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.3.100f/cutype"), "3990/e9");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.3.100f/devtype"), "3390/0c");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.1007/online"), "0");
    assert_str(link_of(fx, "/sys/bus/ccw/devices/0.0.1000/driver"), "../../../../bus/ccw/drivers/dasd-eckd");
    g_assert_false(exists(fx, CSS "/devices/0.0.0010"));
    g_assert_false(exists(fx, CSS "/devices/0.4.0000"));

    sim_model_free(fx->m);
    g_array_free(fx->completed, TRUE);
    fx_setup_layout(fx, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, 64, 0);
    /* QDIO (OSA at schno%32==29, zFCP at 30): vfio_ccw refuses them */
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.101d/cutype"), "1731/01");
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.101e/cutype"), "1731/03");
    g_assert_cmpint(wr(fx, CSS "/devices/0.0.001d/driver_override", "vfio_ccw"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.001d"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.001d"), ==, 8);
    g_assert_false(exists(fx, CSS "/devices/0.0.001d/driver"));
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.001d"), ==, -ENODEV);
    /* CHSC subchannel (schno%32==31): type 1, no device, no driver */
    assert_str(rd(fx, CSS "/devices/0.0.001f/type"), "1");
    assert_str(rd(fx, CSS "/devices/0.0.001f/modalias"), "css:t1");
    assert_str(rd(fx, CSS "/devices/0.0.001f/dev_busid"), "none");
    g_assert_false(exists(fx, CSS "/devices/0.0.001f/driver"));
    g_assert_cmpint(wr(fx, CSS "/drivers/vfio_ccw/bind", "0.0.001f"), ==, -ENODEV);
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/bind", "0.0.001f"), ==, -ENODEV);
    /* DASD comes back offline after a re-probe */
    g_assert_cmpint(wr(fx, CSS "/drivers/io_subchannel/unbind", "0.0.0000"), ==, 8);
    g_assert_cmpint(wr(fx, CSS "/drivers_probe", "0.0.0000"), ==, 8);
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.1000/online"), "0");
    g_assert_cmpint(wr(fx, "/sys/bus/ccw/devices/0.0.1000/online", "1"), ==, 1);
    g_assert_cmpint(wr(fx, "/sys/bus/ccw/devices/0.0.1000/online", "2"), ==, -EINVAL);
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.1000/online"), "1");
}

/* ccwgroup devices: the layout's qeth groups, drivers/s390/cio/ccwgroup.c's rules */
static void
test_ccwgroup(Fx *fx, gconstpointer d)
{
    g_autofree char *saved = NULL;
    g_autoptr(GError) err = NULL;
    SimLayout l;
    SimModel *again;

    (void)d;
    sim_model_free(fx->m);
    g_array_free(fx->completed, TRUE);
    fx_setup_layout(fx, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, 64, 0);
    g_assert_false(exists(fx, "/sys/bus/ccwgroup/devices/0.0.101d"));   /* < 94 subchannels */
    g_assert_cmpuint(sim_layout_ccwgroup_count(sim_model_layout(fx->m)), ==, 0);
    sim_model_free(fx->m);
    g_array_free(fx->completed, TRUE);
    fx_setup_layout(fx, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, 300, 0);
    g_assert_cmpuint(sim_layout_ccwgroup_count(sim_model_layout(fx->m)), ==, 3);
    assert_str(link_of(fx, "/sys/bus/ccwgroup/devices/0.0.101d"), "../../../devices/qeth/0.0.101d");
    assert_str(link_of(fx, "/sys/devices/qeth/0.0.101d/cdev2"), "../../css0/0.0.005d/0.0.105d");
    assert_str(link_of(fx, "/sys/bus/ccw/devices/0.0.103d/group_device"), "../../../qeth/0.0.101d");
    g_assert_false(exists(fx, "/sys/bus/ccw/devices/0.0.1000/group_device"));
    g_assert_false(exists(fx, "/sys/devices/qeth/0.0.103d"));
    assert_str(rd(fx, "/sys/devices/qeth/0.0.101d/uevent"), "DRIVER=qeth\nDEVTYPE=qeth_generic");
    assert_str(rd(fx, "/sys/devices/qeth/0.0.10dd/uevent"), "DRIVER=qeth\nDEVTYPE=qeth_layer2");
    assert_str(rd(fx, "/sys/devices/qeth/0.0.10dd/card_type"), "OSM_1000");
    assert_str(rd(fx, "/sys/devices/qeth/0.0.101d/chpid"), "40");
    assert_str(rd(fx, "/sys/devices/qeth/0.0.101d/online"), "1");
    /* online: kstrtoul 0/1, the same state again is EINVAL; members follow */
    g_assert_cmpint(wr(fx, "/sys/devices/qeth/0.0.101d/online", "1"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/devices/qeth/0.0.101d/online", "2"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/devices/qeth/0.0.101d/ungroup", "1"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/devices/qeth/0.0.101d/online", "0x0\n"), ==, 4);
    assert_str(rd(fx, "/sys/bus/ccw/devices/0.0.105d/online"), "0");
    assert_str(rd(fx, "/sys/devices/qeth/0.0.101d/state"), "DOWN");
    /* ungroup when offline: gone, with the members' links */
    g_assert_cmpint(wr(fx, "/sys/devices/qeth/0.0.101d/ungroup", "1"), ==, 1);
    g_assert_false(exists(fx, "/sys/bus/ccwgroup/devices/0.0.101d"));
    g_assert_false(exists(fx, "/sys/bus/ccw/devices/0.0.103d/group_device"));
    assert_str(rd(fx, "/sys/bus/ccwgroup/drivers/qeth/0.0.107d/online"), "1");
    /* group: only the layout's triple, complete, in order */
    g_assert_cmpint(wr(fx, "/sys/bus/ccwgroup/drivers/qeth/group", "0.0.101d,0.0.103d"), ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/bus/ccwgroup/drivers/qeth/group", "0.0.103d,0.0.101d,0.0.105d"),
                    ==, -EINVAL);
    g_assert_cmpint(wr(fx, "/sys/bus/ccwgroup/drivers/qeth/group", "0.0.107d,0.0.109d,0.0.10bd"),
                    ==, -EINVAL);   /* already grouped */
    saved = sim_model_save(fx->m);
    g_assert_nonnull(strstr(saved, "ccwgroup 0.0.101d ungrouped\n"));
    g_assert_cmpint(wr(fx, "/sys/bus/ccwgroup/drivers/qeth/group", "0.0.101d,0.0.103d,0.0.105d\n"),
                    ==, 27);
    assert_str(rd(fx, "/sys/devices/qeth/0.0.101d/online"), "0");
    {
        g_autofree char *ev = sim_model_events(fx->m);
        g_assert_nonnull(strstr(ev, "UEVENT: remove@/devices/qeth/0.0.101d SUBSYSTEM=ccwgroup"));
        g_assert_nonnull(strstr(ev, "UEVENT: add@/devices/qeth/0.0.101d SUBSYSTEM=ccwgroup"));
    }
    /* the saved state comes back */
    g_assert_true(sim_layout_init(&l, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, 300, 0, &err));
    again = sim_model_new(&l, true);
    g_assert_true(sim_model_load(again, saved, &err));
    g_assert_false(sim_model_ccwgroup_exists(again, 0));
    g_assert_true(sim_model_ccwgroup_online(again, 1));
    sim_model_free(again);
}

static void
test_state_roundtrip(Fx *fx, gconstpointer d)
{
    g_autofree char *saved = NULL, *again = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(SimModel) m2 = NULL;

    (void)d;
    to_vfio(fx, "0.0.0000");
    g_assert_cmpint(wr(fx, TYPE0 "/create", U1), ==, 36);
    g_assert_cmpint(wr(fx, CSS "/devices/0.0.0001/driver_override", "foo"), ==, 3);
    saved = sim_model_save(fx->m);
    m2 = sim_model_new(sim_model_layout(fx->m), true);
    g_assert_true(sim_model_load(m2, saved, &err));
    g_assert_no_error(err);
    again = sim_model_save(m2);
    g_assert_cmpstr(saved, ==, again);
    g_assert_false(sim_model_load(m2, "driver 0.0.9999 vfio_ccw\n", &err));
    g_assert_nonnull(err);
}

/* ---- scale: 262,144 subchannels, listed lazily ---- */

static void
test_scale(void)
{
    Fx fx;
    SimNode dir, child;
    uint64_t cookie = 0, next;
    char name[256], last[256] = "";
    unsigned count = 0;
    gint64 t0 = g_get_monotonic_time();

    fx_setup_layout(&fx, SIM_LAYOUT_LPAR, SIM_KERNEL_6_1, SIM_MAX_SUBCHANNELS, 0);
    g_assert_cmpint(sim_tree_resolve(fx.m, CSS "/devices", true, &dir), ==, 0);
    while (sim_tree_readdir(fx.m, dir, cookie, name, &child, &next) == 1) {
        count++;
        g_strlcpy(last, name, sizeof(last));
        cookie = next;
    }
    g_assert_cmpuint(count, ==, SIM_MAX_SUBCHANNELS + 2);
    g_assert_cmpstr(last, ==, "0.3.ffff");
    assert_str(rd(&fx, CSS "/devices/0.3.ffff/type"), "1");
    assert_str(rd(&fx, CSS "/devices/0.3.fffe/dev_busid"), "0.3.0ffe");
    g_test_message("262144 entries listed in %.3f s", (double)(g_get_monotonic_time() - t0) / 1e6);
    fx_teardown(&fx, NULL);
}

#define T(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    T("/simhost/baseline", test_baseline);
    T("/simhost/row/bind-busy", row_bind_busy);
    T("/simhost/row/bind-probe-nonexistent", row_nonexistent);
    T("/simhost/row/unbind-wrong-or-twice", row_unbind_wrong);
    T("/simhost/row/bind-not-named-by-override", row_bind_not_override);
    T("/simhost/row/probe-while-bound", row_probe_while_bound);
    T("/simhost/row/probe-override-no-driver", row_probe_no_driver);
    T("/simhost/row/override-while-bound", row_override_while_bound);
    T("/simhost/row/override-zero-length", row_override_zero_length);
    T("/simhost/row/create-einval", row_create_einval);
    T("/simhost/row/create-newline", row_create_newline);
    T("/simhost/row/create-eusers", row_create_eusers);
    T("/simhost/row/create-eexist", row_create_eexist);
    T("/simhost/row/remove-0-abc-gone", row_remove_values);
    T("/simhost/row/rmmod-eagain", row_rmmod_eagain);
    T("/simhost/group-in-use", test_group_in_use);
    g_test_add("/simhost/blocking-remove/6.1", Fx, "6.1", fx_setup, test_blocking_remove, fx_teardown);
    g_test_add("/simhost/blocking-remove/6.12", Fx, "6.12", fx_setup, test_blocking_remove, fx_teardown);
    T("/simhost/blocking-unbind", test_blocking_unbind);
    g_test_add("/simhost/override-read-blocks/6.1", Fx, "6.1", fx_setup, test_override_read_blocks, fx_teardown);
    g_test_add("/simhost/override-read-blocks/6.12", Fx, "6.12", fx_setup, test_override_read_blocks, fx_teardown);
    g_test_add("/simhost/blocked-events/6.1", Fx, "6.1", fx_setup, test_blocked_events, fx_teardown);
    g_test_add("/simhost/blocked-events/6.12", Fx, "6.12", fx_setup, test_blocked_events, fx_teardown);
    T("/simhost/unbind-probe", test_unbind_probe);
    T("/simhost/events", test_events);
    T("/simhost/events-bound", test_events_bound);
    g_test_add("/simhost/lpar-kinds", Fx, NULL, lpar_setup, test_lpar_kinds, fx_teardown);
    g_test_add("/simhost/ccwgroup", Fx, NULL, lpar_setup, test_ccwgroup, fx_teardown);
    T("/simhost/state-roundtrip", test_state_roundtrip);
    g_test_add_func("/simhost/scale-262144", test_scale);
    return g_test_run();
}
