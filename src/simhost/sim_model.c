/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: host state and kernel rules (see sim_model.h).
 *
 * The rules are those of kernel-sysfs.md; where the spec is silent the
 * behaviour follows the kernel sources (drivers/base/bus.c bind_store,
 * unbind_store, drivers_probe_store; drivers/base/driver.c
 * driver_set_override; drivers/s390/cio/css.c css_bus_match;
 * drivers/vfio/mdev/mdev_sysfs.c create_store/remove_store;
 * drivers/s390/cio/vfio_ccw_drv.c, which refuses QDIO subchannels). */
#include "sim_model.h"

#include "vccw_error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event log is kept in two segments of SIM_EVENTS_SEGMENT lines, the
 * previous and the current one: appending never moves what is kept (a
 * full current segment becomes the previous one, the older is dropped
 * whole), so readers can follow it by offset and reads can be served as
 * slices, at a cost independent of the length. */
#define SIM_EVENTS_SEGMENT 10000

enum {
    SCH_F_CCW_ONLINE = 1 << 0,
    SCH_F_UNBINDING = 1 << 1,
    SCH_F_CCW_GONE = 1 << 2,   /* (unused: ccw presence follows the driver) */
};

struct _SimModel {
    SimLayout layout;
    uint8_t *drv;          /* SimDriver per subchannel */
    uint8_t *flags;        /* SCH_F_* per subchannel */
    GHashTable *overrides; /* idx -> char* */
    GHashTable *by_uuid;   /* uuid -> SimMdev* (owns) */
    GTree *by_serial;      /* serial -> SimMdev* */
    GHashTable *by_sch;    /* idx -> SimMdev* */
    GPtrArray *groups;     /* group id -> SimMdev* or NULL */
    GPtrArray *vfio_devs;  /* vfio-dev index -> SimMdev* or NULL */
    uint32_t next_serial;
    bool vfio_loaded;
    SimCompleteFn hook;
    void *hook_opaque;
    GString *ev_prev;      /* the previous segment, whole lines */
    GString *ev_cur;       /* the current one */
    uint32_t ev_cur_lines;
    uint64_t ev_base;      /* absolute offset of ev_prev's first byte */
    uint8_t *cg_state;     /* CG_* per ccwgroup device (sim_layout.h) */
};

/* ccwgroup device states; zero is the boot state */
enum { CG_ONLINE = 0, CG_OFFLINE = 1, CG_UNGROUPED = 2 };

static gint
sim_cmp_u32(gconstpointer a, gconstpointer b, gpointer data)
{
    uint32_t x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
    (void)data;
    return x < y ? -1 : x > y ? 1 : 0;
}

static void
sim_event(SimModel *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
sim_event(SimModel *m, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(m->ev_cur, fmt, ap);
    va_end(ap);
    g_string_append_c(m->ev_cur, '\n');
    if (++m->ev_cur_lines >= SIM_EVENTS_SEGMENT) {
        GString *old = m->ev_prev;

        m->ev_base += old->len;
        g_string_truncate(old, 0);
        m->ev_prev = m->ev_cur;
        m->ev_cur = old;
        m->ev_cur_lines = 0;
    }
}

char *
sim_model_events(const SimModel *m)
{
    GString *s = g_string_sized_new(m->ev_prev->len + m->ev_cur->len + 1);

    g_string_append_len(s, m->ev_prev->str, (gssize)m->ev_prev->len);
    g_string_append_len(s, m->ev_cur->str, (gssize)m->ev_cur->len);
    return g_string_free(s, FALSE);
}

void
sim_model_events_read(const SimModel *m, uint64_t off, size_t size, GString *out)
{
    const GString *seg[2] = { m->ev_prev, m->ev_cur };

    g_string_truncate(out, 0);
    for (int i = 0; i < 2 && out->len < size; i++) {
        if (off >= seg[i]->len) {
            off -= seg[i]->len;
            continue;
        }
        g_string_append_len(out, seg[i]->str + off,
                            (gssize)MIN(size - out->len, seg[i]->len - off));
        off = 0;
    }
}

uint64_t
sim_model_events_base(const SimModel *m)
{
    return m->ev_base;
}

void
sim_model_clear_events(SimModel *m)
{
    m->ev_base += m->ev_prev->len + m->ev_cur->len;
    g_string_truncate(m->ev_prev, 0);
    g_string_truncate(m->ev_cur, 0);
    m->ev_cur_lines = 0;
}

static void
sim_sch_name(const SimModel *m, uint32_t idx, char buf[SIM_NAME_BUFLEN])
{
    sim_layout_sch_name(&m->layout, idx, buf);
}

SimModel *
sim_model_new(const SimLayout *layout, bool vfio_ccw_loaded)
{
    SimModel *m = g_new0(SimModel, 1);

    m->layout = *layout;
    m->drv = g_malloc0(layout->n);
    m->flags = g_malloc0(layout->n);
    for (uint32_t i = 0; i < layout->n; i++) {
        SimSchInfo info;

        sim_layout_sch_info(layout, i, &info);
        if (info.st == 0) {
            m->drv[i] = SIM_DRV_IO_SUBCHANNEL;
            if (info.online_at_boot)
                m->flags[i] |= SCH_F_CCW_ONLINE;
        }
    }
    m->overrides = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    m->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    m->by_serial = g_tree_new_full(sim_cmp_u32, NULL, NULL, NULL);
    m->by_sch = g_hash_table_new(g_direct_hash, g_direct_equal);
    m->groups = g_ptr_array_new();
    m->vfio_devs = g_ptr_array_new();
    m->next_serial = 1;
    m->vfio_loaded = vfio_ccw_loaded;
    m->ev_prev = g_string_new(NULL);
    m->ev_cur = g_string_new(NULL);
    m->cg_state = g_malloc0(sim_layout_ccwgroup_count(layout) + 1);
    return m;
}

void
sim_model_free(SimModel *m)
{
    if (!m)
        return;
    g_free(m->drv);
    g_free(m->flags);
    g_hash_table_destroy(m->overrides);
    g_tree_destroy(m->by_serial);
    g_hash_table_destroy(m->by_sch);
    g_hash_table_destroy(m->by_uuid);
    g_ptr_array_free(m->groups, TRUE);
    g_ptr_array_free(m->vfio_devs, TRUE);
    g_string_free(m->ev_prev, TRUE);
    g_string_free(m->ev_cur, TRUE);
    g_free(m->cg_state);
    g_free(m);
}

void
sim_model_set_complete_hook(SimModel *m, SimCompleteFn fn, void *opaque)
{
    m->hook = fn;
    m->hook_opaque = opaque;
}

const SimLayout *
sim_model_layout(const SimModel *m)
{
    return &m->layout;
}

/* --- queries --- */

SimDriver
sim_model_sch_driver(const SimModel *m, uint32_t idx)
{
    return idx < m->layout.n ? (SimDriver)m->drv[idx] : SIM_DRV_NONE;
}

bool
sim_model_sch_unbinding(const SimModel *m, uint32_t idx)
{
    return idx < m->layout.n && (m->flags[idx] & SCH_F_UNBINDING);
}

bool
sim_model_override_read_blocks(const SimModel *m, uint32_t idx, uint64_t *wait)
{
    /* 6.1's css driver_override_show() takes the device lock, which a
     * blocked vfio_ccw unbind holds (device_release_driver()); 6.12 uses
     * the driver core's driver_override, guarded by a spinlock of its own. */
    if (m->layout.kernel != SIM_KERNEL_6_1 || !sim_model_sch_unbinding(m, idx))
        return false;
    *wait = SIM_WAIT_SCH(idx);
    return true;
}

const char *
sim_model_sch_override(const SimModel *m, uint32_t idx)
{
    return g_hash_table_lookup(m->overrides, GUINT_TO_POINTER(idx));
}

bool
sim_model_ccw_present(const SimModel *m, uint32_t idx)
{
    SimSchInfo info;

    if (idx >= m->layout.n || m->drv[idx] != SIM_DRV_IO_SUBCHANNEL)
        return false;
    sim_layout_sch_info(&m->layout, idx, &info);
    return info.dev != SIM_DEV_NONE;
}

bool
sim_model_ccw_online(const SimModel *m, uint32_t idx)
{
    return sim_model_ccw_present(m, idx) && (m->flags[idx] & SCH_F_CCW_ONLINE);
}

unsigned
sim_model_available_instances(const SimModel *m, uint32_t idx)
{
    return sim_model_mdev_of_sch(m, idx) ? 0 : 1;
}

bool
sim_model_vfio_loaded(const SimModel *m)
{
    return m->vfio_loaded;
}

const SimMdev *
sim_model_mdev_by_serial(const SimModel *m, uint32_t serial)
{
    return g_tree_lookup(m->by_serial, GUINT_TO_POINTER(serial));
}

const SimMdev *
sim_model_mdev_by_uuid(const SimModel *m, const char *uuid)
{
    return g_hash_table_lookup(m->by_uuid, uuid);
}

const SimMdev *
sim_model_mdev_of_sch(const SimModel *m, uint32_t idx)
{
    return g_hash_table_lookup(m->by_sch, GUINT_TO_POINTER(idx));
}

const SimMdev *
sim_model_mdev_of_group(const SimModel *m, uint32_t group)
{
    if (group >= m->groups->len)
        return NULL;
    return g_ptr_array_index(m->groups, group);
}

const SimMdev *
sim_model_mdev_next(const SimModel *m, uint32_t from)
{
    GTreeNode *n = g_tree_lower_bound(m->by_serial, GUINT_TO_POINTER(from));

    return n ? g_tree_node_value(n) : NULL;
}

int64_t
sim_model_group_next(const SimModel *m, uint32_t from)
{
    for (uint32_t g = from; g < m->groups->len; g++) {
        if (g_ptr_array_index(m->groups, g))
            return g;
    }
    return -1;
}

unsigned
sim_model_mdev_count(const SimModel *m)
{
    return g_hash_table_size(m->by_uuid);
}

/* --- helpers reproducing kernel parsing --- */

/* sysfs hands the store a NUL-terminated copy of what was written. */
static char *
sim_buf_cstr(const char *buf, size_t len)
{
    return g_strndup(buf, len);
}

/* bus_find_device_by_name(): sysfs_streq(dev_name, buf) */
static bool
sim_find_sch(const SimModel *m, const char *buf, size_t len, uint32_t *idx)
{
    g_autofree char *s = sim_buf_cstr(buf, len);
    size_t l = strlen(s);

    if (l > 0 && s[l - 1] == '\n')
        s[l - 1] = '\0';
    return sim_layout_sch_from_name(&m->layout, s, idx);
}

bool
sim_kstrtoul(const char *s, unsigned long *val)
{
    unsigned base = 10;
    unsigned long v = 0;
    const char *p = s;
    bool any = false;

    if (*p == '+')
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    for (; *p; p++) {
        unsigned d;

        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (*p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (*p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (d >= base)
            break;
        if (v > (ULONG_MAX - d) / base)
            return false; /* ERANGE */
        v = v * base + d;
        any = true;
    }
    if (!any)
        return false;
    if (*p == '\n')
        p++;
    if (*p)
        return false;
    *val = v;
    return true;
}

bool
sim_uuid_parse(const char *s, char out[SIM_UUID_BUFLEN])
{
    for (int i = 0; i < 36; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!isxdigit((unsigned char)c)) {
            return false;
        }
        out[i] = (char)tolower((unsigned char)c);
    }
    out[36] = '\0';
    return true;
}

/* css_bus_match(): the override names the driver (if set), and the driver
 * handles this subchannel type (both css drivers take I/O subchannels). */
static bool
sim_match(const SimModel *m, SimDriver drv, uint32_t idx)
{
    const char *ovr = sim_model_sch_override(m, idx);
    SimSchInfo info;

    if (drv == SIM_DRV_VFIO_CCW && !m->vfio_loaded)
        return false;
    if (ovr && strcmp(ovr, sim_driver_name(drv)) != 0)
        return false;
    sim_layout_sch_info(&m->layout, idx, &info);
    return info.st == 0;
}

/* The driver's probe: vfio_ccw refuses QDIO subchannels with -ENODEV. */
static int
sim_probe(const SimModel *m, SimDriver drv, uint32_t idx)
{
    SimSchInfo info;

    sim_layout_sch_info(&m->layout, idx, &info);
    if (drv == SIM_DRV_VFIO_CCW && info.qdio)
        return -ENODEV;
    return 0;
}

static void
sim_ccw_ids(const SimSchInfo *info, char *buf, size_t size, bool with_modalias)
{
    char alias[64];

    sim_ccw_modalias(info, alias, sizeof(alias));
    snprintf(buf, size, "CU_TYPE=%04X CU_MODEL=%02X DEV_TYPE=%04X DEV_MODEL=%02X%s%s",
             info->cu_type, info->cu_model, info->dev_type, info->dev_model,
             with_modalias ? " MODALIAS=" : "", with_modalias ? alias : "");
}

static void
sim_do_bind(SimModel *m, SimDriver drv, uint32_t idx)
{
    char name[SIM_NAME_BUFLEN], dev[SIM_NAME_BUFLEN];
    SimSchInfo info;

    sim_layout_sch_info(&m->layout, idx, &info);
    sim_sch_name(m, idx, name);
    m->drv[idx] = (uint8_t)drv;
    if (drv == SIM_DRV_VFIO_CCW) {
        sim_event(m, "UEVENT: change@/devices/css0/%s SUBSYSTEM=css MDEV_STATE=registered DRIVER=vfio_ccw ST=%u MODALIAS=css:t%X",
                  name, info.st, info.st);
        sim_event(m, "UEVENT: bind@/devices/css0/%s SUBSYSTEM=css DRIVER=vfio_ccw ST=%u MODALIAS=css:t%X",
                  name, info.st, info.st);
        sim_event(m, "KMSG: vfio_ccw %s: MDEV: Registered", name);
        return;
    }
    sim_event(m, "UEVENT: bind@/devices/css0/%s SUBSYSTEM=css DRIVER=io_subchannel ST=%u MODALIAS=css:t%X",
              name, info.st, info.st);
    if (info.dev != SIM_DEV_NONE) {
        char ids[160];

        /* A new ccw device: virtio sets itself online, DASD and QDIO
         * devices come back offline (nothing runs chccwdev here). */
        if (info.auto_online)
            m->flags[idx] |= SCH_F_CCW_ONLINE;
        else
            m->flags[idx] &= (uint8_t)~SCH_F_CCW_ONLINE;
        sim_layout_ccw_name(&m->layout, idx, dev);
        sim_ccw_ids(&info, ids, sizeof(ids), true);
        sim_event(m, "UEVENT: add@/devices/css0/%s/%s SUBSYSTEM=ccw %s", name, dev, ids);
        sim_event(m, "UEVENT: bind@/devices/css0/%s/%s SUBSYSTEM=ccw DRIVER=%s %s",
                  name, dev, sim_driver_name(info.ccw_driver), ids);
    }
}

static uint32_t
sim_ida_alloc(GPtrArray *arr, gpointer owner)
{
    for (uint32_t i = 0; i < arr->len; i++) {
        if (!g_ptr_array_index(arr, i)) {
            g_ptr_array_index(arr, i) = owner;
            return i;
        }
    }
    g_ptr_array_add(arr, owner);
    return arr->len - 1;
}

static void
sim_ida_free(GPtrArray *arr, uint32_t id)
{
    if (id < arr->len)
        g_ptr_array_index(arr, id) = NULL;
    while (arr->len > 0 && !g_ptr_array_index(arr, arr->len - 1))
        g_ptr_array_set_size(arr, arr->len - 1);
}

static void
sim_vfio_dev_removed(SimModel *m, const SimMdev *md)
{
    char name[SIM_NAME_BUFLEN];

    sim_sch_name(m, md->sch, name);
    sim_event(m, "UEVENT: remove@/devices/css0/%s/%s/vfio-dev/vfio%u SUBSYSTEM=vfio-dev",
              name, md->uuid, md->vfio_dev);
}

/* A remove (or the parent's unbind) of @md starts while its group is
 * open: vfio_unregister_group_dev() blocks until it is released. On 6.12
 * it deletes the vfio-dev device first (vfio_device_del(): its remove
 * uevent goes out now, and vfio-dev/ is gone while blocked); on 6.1 that
 * happens only on release. */
static void
sim_mdev_block(SimModel *m, SimMdev *md)
{
    md->removing = true;
    if (m->layout.kernel == SIM_KERNEL_6_12)
        sim_vfio_dev_removed(m, md);
    sim_event(m, "KMSG: vfio_ccw_mdev %s: No device request channel registered, blocked until released by user",
              md->uuid);
}

/* Tear down @md completely (the remove no longer blocks). */
static void
sim_mdev_destroy(SimModel *m, SimMdev *md)
{
    char name[SIM_NAME_BUFLEN];
    uint32_t serial = md->serial, sch = md->sch;
    bool was_removing = md->removing;

    sim_sch_name(m, sch, name);
    /* (6.12: sent when the remove started blocking, see sim_mdev_block) */
    if (!(was_removing && m->layout.kernel == SIM_KERNEL_6_12))
        sim_vfio_dev_removed(m, md);
    sim_event(m, "UEVENT: remove@/devices/virtual/vfio/%u SUBSYSTEM=vfio MAJOR=248 MINOR=%u DEVNAME=vfio/%u",
              md->group, md->group, md->group);
    sim_event(m, "UEVENT: unbind@/devices/css0/%s/%s SUBSYSTEM=mdev", name, md->uuid);
    sim_event(m, "UEVENT: remove@/devices/css0/%s/%s SUBSYSTEM=mdev", name, md->uuid);
    sim_event(m, "KMSG: vfio_ccw_mdev %s: Removing from iommu group %u", md->uuid, md->group);
    sim_ida_free(m->groups, md->group);
    sim_ida_free(m->vfio_devs, md->vfio_dev);
    g_tree_remove(m->by_serial, GUINT_TO_POINTER(serial));
    g_hash_table_remove(m->by_sch, GUINT_TO_POINTER(sch));
    g_hash_table_remove(m->by_uuid, md->uuid); /* frees md */
    if (was_removing && m->hook)
        m->hook(m->hook_opaque, SIM_WAIT_MDEV(serial));
}

static void
sim_finish_vfio_unbind(SimModel *m, uint32_t idx)
{
    char name[SIM_NAME_BUFLEN];
    bool waited = m->flags[idx] & SCH_F_UNBINDING;
    SimSchInfo info;

    sim_layout_sch_info(&m->layout, idx, &info);
    sim_sch_name(m, idx, name);
    m->drv[idx] = SIM_DRV_NONE;
    m->flags[idx] &= (uint8_t)~SCH_F_UNBINDING;
    sim_event(m, "UEVENT: change@/devices/css0/%s SUBSYSTEM=css MDEV_STATE=unregistered DRIVER=vfio_ccw ST=%u MODALIAS=css:t%X",
              name, info.st, info.st);
    sim_event(m, "UEVENT: unbind@/devices/css0/%s SUBSYSTEM=css ST=%u", name, info.st);
    if (waited && m->hook)
        m->hook(m->hook_opaque, SIM_WAIT_SCH(idx));
}

/* Start unbinding @idx from vfio_ccw; false when it must wait for an
 * open mdev to be released. */
static bool
sim_vfio_unbind_start(SimModel *m, uint32_t idx)
{
    char name[SIM_NAME_BUFLEN];
    SimMdev *md = (SimMdev *)sim_model_mdev_of_sch(m, idx);

    sim_sch_name(m, idx, name);
    sim_event(m, "KMSG: vfio_ccw %s: MDEV: Unregistering", name);
    if (md && (md->open || md->removing)) {
        if (!md->removing)
            sim_mdev_block(m, md);
        m->flags[idx] |= SCH_F_UNBINDING;
        return false;
    }
    if (md)
        sim_mdev_destroy(m, md);
    sim_finish_vfio_unbind(m, idx);
    return true;
}

static void
sim_io_unbind(SimModel *m, uint32_t idx)
{
    char name[SIM_NAME_BUFLEN], dev[SIM_NAME_BUFLEN];
    SimSchInfo info;

    sim_layout_sch_info(&m->layout, idx, &info);
    sim_sch_name(m, idx, name);
    if (info.dev != SIM_DEV_NONE) {
        char ids[160];

        sim_layout_ccw_name(&m->layout, idx, dev);
        sim_ccw_ids(&info, ids, sizeof(ids), false);
        sim_event(m, "UEVENT: unbind@/devices/css0/%s/%s SUBSYSTEM=ccw %s", name, dev, ids);
        sim_ccw_ids(&info, ids, sizeof(ids), true);
        sim_event(m, "UEVENT: remove@/devices/css0/%s/%s SUBSYSTEM=ccw %s", name, dev, ids);
    }
    m->drv[idx] = SIM_DRV_NONE;
    m->flags[idx] &= (uint8_t)~SCH_F_CCW_ONLINE;
    sim_event(m, "UEVENT: unbind@/devices/css0/%s SUBSYSTEM=css ST=%u", name, info.st);
}

/* --- writes --- */

ssize_t
sim_model_bind(SimModel *m, SimDriver drv, const char *buf, size_t len)
{
    uint32_t idx;
    int rc;

    if (drv != SIM_DRV_IO_SUBCHANNEL && drv != SIM_DRV_VFIO_CCW)
        return -ENODEV;
    if (!sim_find_sch(m, buf, len, &idx) || !sim_match(m, drv, idx))
        return -ENODEV;
    if (m->drv[idx] != SIM_DRV_NONE)
        return -EBUSY;
    if ((rc = sim_probe(m, drv, idx)) < 0)
        return rc;
    sim_do_bind(m, drv, idx);
    return (ssize_t)len;
}

ssize_t
sim_model_unbind(SimModel *m, SimDriver drv, const char *buf, size_t len, uint64_t *wait)
{
    uint32_t idx;

    if (!sim_find_sch(m, buf, len, &idx) || m->drv[idx] != drv)
        return -ENODEV;
    if (drv == SIM_DRV_IO_SUBCHANNEL) {
        sim_io_unbind(m, idx);
        return (ssize_t)len;
    }
    if (m->flags[idx] & SCH_F_UNBINDING) {
        /* the kernel waits for the device lock held by the first unbind */
        *wait = SIM_WAIT_SCH(idx);
        return SIM_PENDING;
    }
    if (!sim_vfio_unbind_start(m, idx)) {
        *wait = SIM_WAIT_SCH(idx);
        return SIM_PENDING;
    }
    return (ssize_t)len;
}

ssize_t
sim_model_drivers_probe(SimModel *m, const char *buf, size_t len)
{
    static const SimDriver order[] = { SIM_DRV_IO_SUBCHANNEL, SIM_DRV_VFIO_CCW };
    uint32_t idx;

    if (!sim_find_sch(m, buf, len, &idx))
        return -ENODEV;
    if (m->drv[idx] != SIM_DRV_NONE)
        return (ssize_t)len;
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        if (sim_match(m, order[i], idx) && sim_probe(m, order[i], idx) == 0) {
            sim_do_bind(m, order[i], idx);
            break;
        }
    }
    return (ssize_t)len;
}

ssize_t
sim_model_set_override(SimModel *m, uint32_t idx, const char *buf, size_t len)
{
    g_autofree char *s = NULL;
    char *nl;

    if (idx >= m->layout.n)
        return -ENODEV;
    if (len >= SIM_PAGE_SIZE - 1)
        return -EINVAL;
    s = sim_buf_cstr(buf, len);
    if ((nl = strchr(s, '\n')))
        *nl = '\0';
    if (!*s)
        g_hash_table_remove(m->overrides, GUINT_TO_POINTER(idx));
    else
        g_hash_table_replace(m->overrides, GUINT_TO_POINTER(idx), g_steal_pointer(&s));
    return (ssize_t)len;
}

ssize_t
sim_model_create(SimModel *m, uint32_t idx, const char *buf, size_t len)
{
    g_autofree char *s = NULL;
    char uuid[SIM_UUID_BUFLEN], name[SIM_NAME_BUFLEN];
    SimMdev *md;

    if (idx >= m->layout.n || m->drv[idx] != SIM_DRV_VFIO_CCW)
        return -ENODEV;
    if (len < 36 || len > 37)
        return -EINVAL;
    s = sim_buf_cstr(buf, len);
    if (!sim_uuid_parse(s, uuid))
        return -EINVAL;
    if (g_hash_table_contains(m->by_uuid, uuid))
        return -EEXIST;
    if (sim_model_available_instances(m, idx) == 0)
        return -EUSERS;

    md = g_new0(SimMdev, 1);
    md->serial = m->next_serial++;
    if (m->next_serial == 0)
        m->next_serial = 1;
    md->sch = idx;
    memcpy(md->uuid, uuid, sizeof(uuid));
    md->group = sim_ida_alloc(m->groups, md);
    md->vfio_dev = sim_ida_alloc(m->vfio_devs, md);
    g_hash_table_insert(m->by_uuid, md->uuid, md);
    g_tree_insert(m->by_serial, GUINT_TO_POINTER(md->serial), md);
    g_hash_table_insert(m->by_sch, GUINT_TO_POINTER(idx), md);

    sim_sch_name(m, idx, name);
    sim_event(m, "UEVENT: add@/devices/css0/%s/%s SUBSYSTEM=mdev", name, md->uuid);
    sim_event(m, "UEVENT: add@/devices/virtual/vfio/%u SUBSYSTEM=vfio MAJOR=248 MINOR=%u DEVNAME=vfio/%u",
              md->group, md->group, md->group);
    sim_event(m, "UEVENT: add@/devices/css0/%s/%s/vfio-dev/vfio%u SUBSYSTEM=vfio-dev",
              name, md->uuid, md->vfio_dev);
    sim_event(m, "UEVENT: bind@/devices/css0/%s/%s SUBSYSTEM=mdev DRIVER=vfio_ccw_mdev", name, md->uuid);
    sim_event(m, "KMSG: vfio_ccw_mdev %s: Adding to iommu group %u", md->uuid, md->group);
    return (ssize_t)len;
}

ssize_t
sim_model_remove(SimModel *m, uint32_t serial, const char *buf, size_t len, uint64_t *wait)
{
    SimMdev *md = (SimMdev *)sim_model_mdev_by_serial(m, serial);
    g_autofree char *s = sim_buf_cstr(buf, len);
    unsigned long val;

    if (!md)
        return -ENODEV;
    if (!sim_kstrtoul(s, &val))
        return -EINVAL;
    if (val == 0 || md->removing)
        return (ssize_t)len;
    if (md->open) {
        sim_mdev_block(m, md);
        *wait = SIM_WAIT_MDEV(serial);
        return SIM_PENDING;
    }
    sim_mdev_destroy(m, md);
    return (ssize_t)len;
}

ssize_t
sim_model_set_online(SimModel *m, uint32_t idx, const char *buf, size_t len)
{
    g_autofree char *s = sim_buf_cstr(buf, len);
    unsigned long val;

    if (!sim_model_ccw_present(m, idx))
        return -ENODEV;
    /* drivers/s390/cio/device.c online_store(): "force" or a hex number */
    if (strncmp(s, "force\n", len) == 0 && len > 0) {
        val = 1;
    } else {
        char *end = NULL;

        errno = 0;
        val = strtoul(s, &end, 16);
        if (errno || end == s || !(*end == '\0' || (*end == '\n' && end[1] == '\0')) || s[0] == '-')
            return -EINVAL;
    }
    if (val == 0) {
        m->flags[idx] &= (uint8_t)~SCH_F_CCW_ONLINE;
    } else if (val == 1) {
        if (m->flags[idx] & SCH_F_CCW_ONLINE)
            return -EINVAL; /* ccw_device_set_online(): already online */
        m->flags[idx] |= SCH_F_CCW_ONLINE;
    } else {
        return -EINVAL;
    }
    return (ssize_t)len;
}

/* ---- ccwgroup devices ---- */

bool
sim_model_ccwgroup_exists(const SimModel *m, uint32_t g)
{
    return m->layout.kind == SIM_LAYOUT_LPAR && g < sim_layout_ccwgroup_count(&m->layout) &&
           m->cg_state[g] != CG_UNGROUPED;
}

bool
sim_model_ccwgroup_online(const SimModel *m, uint32_t g)
{
    return sim_model_ccwgroup_exists(m, g) && m->cg_state[g] == CG_ONLINE;
}

/* qeth's set_online/set_offline set the three ccw devices on- or offline */
static void
sim_ccwgroup_members_online(SimModel *m, uint32_t g, bool online)
{
    SimCcwGroupInfo gi;

    sim_layout_ccwgroup_info(&m->layout, g, &gi);
    for (unsigned i = 0; i < SIM_CCWGROUP_MEMBERS; i++) {
        if (online)
            m->flags[gi.members[i]] |= SCH_F_CCW_ONLINE;
        else
            m->flags[gi.members[i]] &= (uint8_t)~SCH_F_CCW_ONLINE;
    }
}

ssize_t
sim_model_ccwgroup_set_online(SimModel *m, uint32_t g, const char *buf, size_t len)
{
    g_autofree char *s = sim_buf_cstr(buf, len);
    unsigned long val;

    if (!sim_model_ccwgroup_exists(m, g))
        return -ENODEV;
    if (!sim_kstrtoul(s, &val) || val > 1)
        return -EINVAL;
    /* ccwgroup_set_online/offline(): -EINVAL when already in that state */
    if ((val == 1) == (m->cg_state[g] == CG_ONLINE))
        return -EINVAL;
    m->cg_state[g] = val == 1 ? CG_ONLINE : CG_OFFLINE;
    sim_ccwgroup_members_online(m, g, val == 1);
    return (ssize_t)len;
}

ssize_t
sim_model_ccwgroup_ungroup(SimModel *m, uint32_t g, const char *buf, size_t len)
{
    char name[SIM_NAME_BUFLEN];
    SimCcwGroupInfo gi;

    if (!sim_model_ccwgroup_exists(m, g))
        return -ENODEV;
    if (m->cg_state[g] != CG_OFFLINE)
        return -EINVAL;
    m->cg_state[g] = CG_UNGROUPED;
    sim_layout_ccwgroup_name(&m->layout, g, name);
    sim_layout_ccwgroup_info(&m->layout, g, &gi);
    sim_event(m, "UEVENT: unbind@/devices/qeth/%s SUBSYSTEM=ccwgroup DEVTYPE=%s", name, gi.devtype);
    sim_event(m, "UEVENT: remove@/devices/qeth/%s SUBSYSTEM=ccwgroup DEVTYPE=%s", name, gi.devtype);
    (void)buf;
    return (ssize_t)len;
}

ssize_t
sim_model_ccwgroup_group(SimModel *m, const char *buf, size_t len)
{
    g_autofree char *s = sim_buf_cstr(buf, len);
    g_auto(GStrv) ids = NULL;
    SimCcwGroupInfo gi;
    char name[SIM_NAME_BUFLEN];
    uint32_t g, idx;
    unsigned member;
    size_t n;

    if (len && s[strlen(s) - 1] == '\n')
        s[strlen(s) - 1] = '\0';
    ids = g_strsplit(s, ",", -1);
    if (g_strv_length(ids) != SIM_CCWGROUP_MEMBERS ||
        !sim_layout_ccw_from_name(&m->layout, ids[0], &idx) ||
        !sim_layout_ccwgroup_of_sch(&m->layout, idx, &g, &member) || member != 0 ||
        sim_model_ccwgroup_exists(m, g))
        return -EINVAL;
    sim_layout_ccwgroup_info(&m->layout, g, &gi);
    for (n = 0; n < SIM_CCWGROUP_MEMBERS; n++) {
        char dev[SIM_NAME_BUFLEN];

        sim_layout_ccw_name(&m->layout, gi.members[n], dev);
        if (!g_str_equal(dev, ids[n]) || !sim_model_ccw_present(m, gi.members[n]))
            return -EINVAL;
    }
    m->cg_state[g] = CG_OFFLINE;
    sim_ccwgroup_members_online(m, g, false);
    sim_layout_ccwgroup_name(&m->layout, g, name);
    sim_event(m, "UEVENT: add@/devices/qeth/%s SUBSYSTEM=ccwgroup DEVTYPE=%s", name, gi.devtype);
    sim_event(m, "UEVENT: bind@/devices/qeth/%s SUBSYSTEM=ccwgroup DEVTYPE=%s DRIVER=qeth",
              name, gi.devtype);
    return (ssize_t)len;
}

int
sim_model_group_open(SimModel *m, uint32_t group)
{
    SimMdev *md = (SimMdev *)sim_model_mdev_of_group(m, group);

    if (!md)
        return -ENODEV;
    if (md->open)
        return -EBUSY;
    md->open = true;
    return 0;
}

void
sim_model_group_release(SimModel *m, uint32_t group)
{
    SimMdev *md = (SimMdev *)sim_model_mdev_of_group(m, group);
    uint32_t sch;

    if (!md || !md->open)
        return;
    md->open = false;
    if (!md->removing)
        return;
    sch = md->sch;
    sim_mdev_destroy(m, md);
    if (m->flags[sch] & SCH_F_UNBINDING)
        sim_finish_vfio_unbind(m, sch);
}

int
sim_model_modprobe_vfio_ccw(SimModel *m)
{
    if (m->vfio_loaded)
        return 0;
    m->vfio_loaded = true;
    sim_event(m, "UEVENT: add@/bus/mdev/drivers/vfio_ccw_mdev SUBSYSTEM=drivers");
    /* driver_register() -> driver_attach(): every unbound subchannel the
     * new driver matches and probes successfully. */
    for (uint32_t i = 0; i < m->layout.n; i++) {
        if (m->drv[i] == SIM_DRV_NONE && sim_match(m, SIM_DRV_VFIO_CCW, i) &&
            sim_probe(m, SIM_DRV_VFIO_CCW, i) == 0)
            sim_do_bind(m, SIM_DRV_VFIO_CCW, i);
    }
    sim_event(m, "UEVENT: add@/bus/css/drivers/vfio_ccw SUBSYSTEM=drivers");
    sim_event(m, "UEVENT: add@/module/vfio_ccw SUBSYSTEM=module");
    return 0;
}

int
sim_model_rmmod_vfio_ccw(SimModel *m)
{
    GHashTableIter it;
    gpointer v;

    if (!m->vfio_loaded)
        return -ENOENT;
    g_hash_table_iter_init(&it, m->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        if (((SimMdev *)v)->open)
            return -EAGAIN;
    }
    for (uint32_t i = 0; i < m->layout.n; i++) {
        if (m->drv[i] == SIM_DRV_VFIO_CCW) {
            bool done = sim_vfio_unbind_start(m, i);
            g_assert(done);
        }
    }
    m->vfio_loaded = false;
    sim_event(m, "UEVENT: remove@/bus/css/drivers/vfio_ccw SUBSYSTEM=drivers");
    sim_event(m, "UEVENT: remove@/bus/mdev/drivers/vfio_ccw_mdev SUBSYSTEM=drivers");
    sim_event(m, "UEVENT: remove@/module/vfio_ccw SUBSYSTEM=module");
    return 0;
}

/* --- persistence ---
 * Text, one fact per line, only what differs from boot:
 *   vfio_ccw loaded|unloaded
 *   driver <sch> none|io_subchannel|vfio_ccw
 *   online <sch> 0|1
 *   override <sch> <name>
 *   mdev <sch> <uuid>
 */
char *
sim_model_save(const SimModel *m)
{
    GString *s = g_string_new(NULL);
    char name[SIM_NAME_BUFLEN];

    g_string_append_printf(s, "vfio_ccw %s\n", m->vfio_loaded ? "loaded" : "unloaded");
    for (uint32_t i = 0; i < m->layout.n; i++) {
        SimSchInfo info;
        const char *ovr = sim_model_sch_override(m, i);
        SimDriver boot;

        sim_layout_sch_info(&m->layout, i, &info);
        boot = info.st == 0 ? SIM_DRV_IO_SUBCHANNEL : SIM_DRV_NONE;
        sim_sch_name(m, i, name);
        if (ovr)
            g_string_append_printf(s, "override %s %s\n", name, ovr);
        if (m->drv[i] != boot)
            g_string_append_printf(s, "driver %s %s\n", name,
                                   m->drv[i] == SIM_DRV_NONE ? "none" : sim_driver_name(m->drv[i]));
        if (sim_model_ccw_present(m, i) &&
            sim_model_ccw_online(m, i) != info.online_at_boot)
            g_string_append_printf(s, "online %s %d\n", name, sim_model_ccw_online(m, i));
    }
    for (uint32_t g = 0; g < sim_layout_ccwgroup_count(&m->layout); g++) {
        if (m->cg_state[g] == CG_ONLINE)
            continue;
        sim_layout_ccwgroup_name(&m->layout, g, name);
        g_string_append_printf(s, "ccwgroup %s %s\n", name,
                               m->cg_state[g] == CG_OFFLINE ? "offline" : "ungrouped");
    }
    for (const SimMdev *md = sim_model_mdev_next(m, 0); md; md = sim_model_mdev_next(m, md->serial + 1)) {
        sim_sch_name(m, md->sch, name);
        g_string_append_printf(s, "mdev %s %s\n", name, md->uuid);
    }
    return g_string_free(s, FALSE);
}

bool
sim_model_load(SimModel *m, const char *text, GError **err)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (size_t n = 0; lines[n]; n++) {
        g_auto(GStrv) w = NULL;
        uint32_t idx = 0;
        bool ok = true;

        if (!*lines[n] || lines[n][0] == '#')
            continue;
        w = g_strsplit(lines[n], " ", 3);
        if (g_strv_length(w) < 2) {
            ok = false;
        } else if (g_str_equal(w[0], "vfio_ccw")) {
            m->vfio_loaded = g_str_equal(w[1], "loaded");
        } else if (g_str_equal(w[0], "ccwgroup")) {
            uint32_t g;

            ok = g_strv_length(w) == 3 && sim_layout_ccwgroup_from_name(&m->layout, w[1], &g) &&
                 (g_str_equal(w[2], "offline") || g_str_equal(w[2], "ungrouped"));
            if (ok) {
                m->cg_state[g] = g_str_equal(w[2], "offline") ? CG_OFFLINE : CG_UNGROUPED;
                sim_ccwgroup_members_online(m, g, false);
            }
        } else if (g_strv_length(w) != 3 || !sim_layout_sch_from_name(&m->layout, w[1], &idx)) {
            ok = false;
        } else if (g_str_equal(w[0], "override")) {
            g_hash_table_replace(m->overrides, GUINT_TO_POINTER(idx), g_strdup(w[2]));
        } else if (g_str_equal(w[0], "driver")) {
            if (g_str_equal(w[2], "none"))
                m->drv[idx] = SIM_DRV_NONE;
            else if (g_str_equal(w[2], "io_subchannel"))
                m->drv[idx] = SIM_DRV_IO_SUBCHANNEL;
            else if (g_str_equal(w[2], "vfio_ccw"))
                m->drv[idx] = SIM_DRV_VFIO_CCW;
            else
                ok = false;
        } else if (g_str_equal(w[0], "online")) {
            if (g_str_equal(w[2], "1"))
                m->flags[idx] |= SCH_F_CCW_ONLINE;
            else
                m->flags[idx] &= (uint8_t)~SCH_F_CCW_ONLINE;
        } else if (g_str_equal(w[0], "mdev")) {
            ok = sim_model_create(m, idx, w[2], strlen(w[2])) >= 0;
        } else {
            ok = false;
        }
        if (!ok) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT, "state line %zu: '%s' is not valid here",
                           n + 1, lines[n]);
            return false;
        }
    }
    return true;
}

void
sim_model_sch_synth_uevent(SimModel *m, uint32_t idx, const char *action)
{
    char name[SIM_NAME_BUFLEN];
    SimSchInfo info;
    SimDriver drv = (SimDriver)m->drv[idx];

    sim_layout_sch_info(&m->layout, idx, &info);
    sim_sch_name(m, idx, name);
    /* kobject_synth_uevent() without arguments adds SYNTH_UUID=0 (after
     * SUBSYSTEM, as every extra variable); dev_uevent() then DRIVER,
     * before the bus's own variables */
    if (drv != SIM_DRV_NONE)
        sim_event(m, "UEVENT: %s@/devices/css0/%s SUBSYSTEM=css SYNTH_UUID=0 DRIVER=%s ST=%u MODALIAS=css:t%X",
                  action, name, sim_driver_name(drv), info.st, info.st);
    else
        sim_event(m, "UEVENT: %s@/devices/css0/%s SUBSYSTEM=css SYNTH_UUID=0 ST=%u MODALIAS=css:t%X",
                  action, name, info.st, info.st);
}

void
sim_model_ccw_synth_uevent(SimModel *m, uint32_t idx, const char *action)
{
    char name[SIM_NAME_BUFLEN], dev[SIM_NAME_BUFLEN], ids[160];
    SimSchInfo info;

    if (!sim_model_ccw_present(m, idx))
        return;
    sim_layout_sch_info(&m->layout, idx, &info);
    sim_sch_name(m, idx, name);
    sim_layout_ccw_name(&m->layout, idx, dev);
    sim_ccw_ids(&info, ids, sizeof(ids), true);
    sim_event(m, "UEVENT: %s@/devices/css0/%s/%s SUBSYSTEM=ccw SYNTH_UUID=0 DRIVER=%s %s",
              action, name, dev, sim_driver_name(info.ccw_driver), ids);
}
