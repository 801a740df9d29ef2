/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_devcache.h"
#include "vccw_error.h"
#include "vccw_uuid.h"

#include <string.h>

typedef struct {
    VccwNodeDevDef *def;    /* owned */
    char *xml[2];           /* formatted on demand: [0] active, [1] inactive */
} Entry;

/* device types held, in name order of their prefixes (ccw_ < ccwgroup_ <
 * computer < css_ < mdev_); the list is checked and sorted again if not */
static const VccwNodeDevCapType type_order[] = {
    VCCW_NODEDEV_CAP_CCW, VCCW_NODEDEV_CAP_CCWGROUP, VCCW_NODEDEV_CAP_SYSTEM,
    VCCW_NODEDEV_CAP_CSS, VCCW_NODEDEV_CAP_MDEV,
};
#define NTYPES VCCW_NODEDEV_CAP_MDEV_TYPES

struct _VccwRpcDevCache {
    VccwNodeDevDriver *drv;
    GHashTable *by_name;        /* def->name (borrowed) -> Entry* (owned) */
    GTree *order[NTYPES];       /* per type: def->name -> Entry* (borrowed) */

    bool need_full;
    bool need_mdevs;
    bool need_ccws;             /* every ccw device (a ccwgroup changed) */
    GHashTable *marked;         /* names (owned) to re-read */
    GHashTable *marked_mdevs;   /* mdev UUIDs (owned strings) to re-read */

    bool listening;
    VccwRpcDevCacheEventFunc event_fn;
    gpointer event_opaque;
    /* during an update: name (owned) -> the old definition (owned, NULL:
     * absent), for the events; NULL when nobody listens */
    GHashTable *olds;

    VccwRpcDevCacheStats stats;
};

static int
name_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    return strcmp(a, b);
}

static void
entry_free(gpointer opaque)
{
    Entry *e = opaque;

    vccw_nodedev_def_free(e->def);
    g_free(e->xml[0]);
    g_free(e->xml[1]);
    g_free(e);
}

static void
olds_value_free(gpointer def)
{
    vccw_nodedev_def_free(def);
}

VccwRpcDevCache *
vccw_rpc_devcache_new(VccwNodeDevDriver *drv)
{
    VccwRpcDevCache *c = g_new0(VccwRpcDevCache, 1);

    c->drv = drv;
    c->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
    for (size_t i = 0; i < NTYPES; i++)
        c->order[i] = g_tree_new_full(name_cmp, NULL, NULL, NULL);
    c->marked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->marked_mdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->need_full = true;
    return c;
}

void
vccw_rpc_devcache_free(VccwRpcDevCache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NTYPES; i++)
        g_tree_destroy(c->order[i]);
    g_hash_table_unref(c->by_name);
    g_hash_table_unref(c->marked);
    g_hash_table_unref(c->marked_mdevs);
    if (c->olds)
        g_hash_table_unref(c->olds);
    g_free(c);
}

void
vccw_rpc_devcache_set_event_func(VccwRpcDevCache *c, VccwRpcDevCacheEventFunc fn,
                                 gpointer opaque)
{
    c->event_fn = fn;
    c->event_opaque = opaque;
}

void
vccw_rpc_devcache_set_listening(VccwRpcDevCache *c, bool listening)
{
    if (listening && !c->listening)
        vccw_rpc_devcache_flush(c);    /* what happened before is nobody's news */
    c->listening = listening;
}

void
vccw_rpc_devcache_get_stats(const VccwRpcDevCache *c, VccwRpcDevCacheStats *st)
{
    *st = c->stats;
    st->devices = g_hash_table_size(c->by_name);
}

/* ------------------------------------------------------------------ */
/* changing the content */

static GTree *
tree_of(VccwRpcDevCache *c, const VccwNodeDevDef *def)
{
    return c->order[(size_t)def->type < NTYPES ? def->type : VCCW_NODEDEV_CAP_SYSTEM];
}

static void
begin_update(VccwRpcDevCache *c)
{
    if (c->listening && c->event_fn && !c->olds)
        c->olds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, olds_value_free);
}

/* Put @def (owned; NULL: remove) in place of the device @name. */
static void
set_device(VccwRpcDevCache *c, const char *name, VccwNodeDevDef *def)
{
    Entry *e = g_hash_table_lookup(c->by_name, name);
    VccwNodeDevDef *old = NULL;
    g_autofree char *key = g_strdup(name);   /* @name may be the old def's */

    if (e) {
        g_tree_remove(tree_of(c, e->def), e->def->name);
        old = g_steal_pointer(&e->def);
        g_hash_table_remove(c->by_name, name);  /* frees e, not old */
    }
    if (c->olds && !g_hash_table_contains(c->olds, key))
        g_hash_table_insert(c->olds, g_strdup(key), g_steal_pointer(&old));
    vccw_nodedev_def_free(old);
    if (def) {
        e = g_new0(Entry, 1);
        e->def = def;
        g_hash_table_insert(c->by_name, def->name, e);
        g_tree_insert(tree_of(c, def), def->name, e);
    }
}

static gint
cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Compute and hand out the events of the update. */
static void
end_update(VccwRpcDevCache *c)
{
    g_autoptr(GHashTable) olds = g_steal_pointer(&c->olds);
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GArray) events = NULL;
    GHashTableIter it;
    gpointer key;

    if (!olds || !g_hash_table_size(olds))
        return;
    names = g_ptr_array_new();
    g_hash_table_iter_init(&it, olds);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(names, key);
    g_ptr_array_sort(names, cmp_str_ptr);
    events = vccw_rpc_events_new_array();
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        Entry *e = g_hash_table_lookup(c->by_name, name);

        vccw_rpc_events_diff(events, name, g_hash_table_lookup(olds, name), e ? e->def : NULL);
    }
    if (events->len && c->event_fn)
        c->event_fn(events, c->event_opaque);
}

static void
log_warnings(GPtrArray *warnings)
{
    for (guint i = 0; warnings && i < warnings->len; i++)
        g_debug("%s", (const char *)g_ptr_array_index(warnings, i));
}

/* Replace every device of the types in @types (a bit per
 * VccwNodeDevCapType) with the driver's list for @list_flags. */
static void
reload(VccwRpcDevCache *c, unsigned int list_flags, unsigned int types)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) defs = vccw_nodedev_list(c->drv, list_flags, warnings, &err);
    g_autoptr(GHashTable) gone = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter it;
    gpointer key, value;

    log_warnings(warnings);
    if (!defs) {
        g_warning("cannot list node devices: %s", err ? err->message : "unknown error");
        return;
    }
    g_hash_table_iter_init(&it, c->by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const Entry *e = value;
        if (types & (1u << e->def->type))
            g_hash_table_add(gone, g_strdup(key));
    }
    for (guint i = 0; i < defs->len; i++) {
        VccwNodeDevDef *def = g_ptr_array_index(defs, i);

        if (!def->name || !(types & (1u << def->type)))
            continue;
        g_hash_table_remove(gone, def->name);
        defs->pdata[i] = NULL;
        set_device(c, def->name, def);
    }
    g_hash_table_iter_init(&it, gone);
    while (g_hash_table_iter_next(&it, &key, NULL))
        set_device(c, key, NULL);
}

/* Re-read the mdevs of one UUID (an mdev uevent names it): replace the
 * cached entries of that UUID; the whole mdev set when the driver cannot
 * read that UUID alone (a corrupt definition file). */
static void
reread_mdev_uuid(VccwRpcDevCache *c, const char *uuidstr)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func(g_free);
    unsigned char uuid[VCCW_UUID_BUFLEN];
    GHashTableIter it;
    gpointer key, value;

    if (!vccw_uuid_parse(uuidstr, uuid))
        return;
    c->stats.mdev_uuid_reads++;
    defs = vccw_nodedev_list_mdevs_of_uuid(c->drv, uuid, warnings);
    log_warnings(warnings);
    if (!defs) {
        c->stats.mdev_reads++;
        reload(c, VCCW_LIST_CAP_MDEV | VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
               1u << VCCW_NODEDEV_CAP_MDEV);
        return;
    }
    g_hash_table_iter_init(&it, c->by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const Entry *e = value;

        if (e->def->type == VCCW_NODEDEV_CAP_MDEV && e->def->has_uuid &&
            memcmp(e->def->uuid, uuid, VCCW_UUID_BUFLEN) == 0)
            g_ptr_array_add(old, g_strdup(key));
    }
    for (guint i = 0; i < defs->len; i++) {
        VccwNodeDevDef *def = g_ptr_array_index(defs, i);

        if (!def->name || def->type != VCCW_NODEDEV_CAP_MDEV)
            continue;
        for (guint j = 0; j < old->len; j++) {
            if (g_str_equal(g_ptr_array_index(old, j), def->name)) {
                g_ptr_array_remove_index_fast(old, j);
                break;
            }
        }
        defs->pdata[i] = NULL;
        set_device(c, def->name, def);
    }
    for (guint j = 0; j < old->len; j++)
        set_device(c, g_ptr_array_index(old, j), NULL);
}

/* Re-read one css or ccw device; a subchannel takes its ccw devices (old
 * and new) along. */
static void
reread(VccwRpcDevCache *c, const char *name, GHashTable *done)
{
    g_autoptr(GError) err = NULL;
    VccwNodeDevDef *def;
    const Entry *e;
    g_autofree char *old_ccw = NULL;
    g_autofree char *new_ccw = NULL;

    if (g_hash_table_contains(done, name))
        return;
    g_hash_table_add(done, g_strdup(name));
    c->stats.device_reads++;
    def = vccw_nodedev_lookup(c->drv, name, &err);
    if (!def && !g_error_matches(err, VCCW_ERROR, VCCW_ERR_NO_NODE_DEVICE)) {
        g_message("cannot read node device %s: %s", name, err ? err->message : "?");
        return;
    }
    e = g_hash_table_lookup(c->by_name, name);
    if (e && e->def->type == VCCW_NODEDEV_CAP_CSS && e->def->has_channel_dev_addr)
        old_ccw = vccw_nodedev_name_ccw(&e->def->channel_dev_addr);
    if (def && def->type == VCCW_NODEDEV_CAP_CSS && def->has_channel_dev_addr)
        new_ccw = vccw_nodedev_name_ccw(&def->channel_dev_addr);
    if (!e && !def)
        return;
    set_device(c, name, def);
    if (old_ccw)
        reread(c, old_ccw, done);
    if (new_ccw)
        reread(c, new_ccw, done);
}

bool
vccw_rpc_devcache_pending(const VccwRpcDevCache *c)
{
    return c->need_full || c->need_mdevs || c->need_ccws || g_hash_table_size(c->marked) ||
           g_hash_table_size(c->marked_mdevs);
}

/* The marks of @set, leaving it empty: re-reads may mark again. */
static GHashTable *
take_marks(GHashTable **set)
{
    GHashTable *old = *set;

    *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return old;
}

void
vccw_rpc_devcache_flush(VccwRpcDevCache *c)
{
    if (!vccw_rpc_devcache_pending(c))
        return;
    begin_update(c);
    if (c->need_full) {
        gint64 start = g_get_monotonic_time();

        c->need_full = c->need_mdevs = c->need_ccws = false;
        g_hash_table_remove_all(c->marked);
        g_hash_table_remove_all(c->marked_mdevs);
        c->stats.full_reads++;
        reload(c, VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE, (1u << NTYPES) - 1);
        g_debug("device cache: full read, %u devices, %.1f ms", g_hash_table_size(c->by_name),
                (double)(g_get_monotonic_time() - start) / 1000.0);
    }
    if (c->need_mdevs) {
        c->need_mdevs = false;
        g_hash_table_remove_all(c->marked_mdevs);
        c->stats.mdev_reads++;
        reload(c, VCCW_LIST_CAP_MDEV | VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
               1u << VCCW_NODEDEV_CAP_MDEV);
        g_debug("device cache: re-read the mdevs");
    }
    if (g_hash_table_size(c->marked_mdevs)) {
        g_autoptr(GHashTable) uuids = take_marks(&c->marked_mdevs);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, uuids);
        while (g_hash_table_iter_next(&it, &key, NULL))
            reread_mdev_uuid(c, key);
        g_debug("device cache: re-read %u mdev UUIDs", g_hash_table_size(uuids));
    }
    if (c->need_ccws) {
        c->need_ccws = false;
        c->stats.ccw_reads++;
        reload(c, VCCW_LIST_CAP_CCW_DEV | VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
               1u << VCCW_NODEDEV_CAP_CCW);
        g_debug("device cache: re-read the ccw devices");
    }
    if (g_hash_table_size(c->marked)) {
        g_autoptr(GHashTable) marked = take_marks(&c->marked);
        g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, marked);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_ptr_array_add(names, key);
        g_ptr_array_sort(names, cmp_str_ptr);
        for (guint i = 0; i < names->len; i++)
            reread(c, g_ptr_array_index(names, i), done);
        g_debug("device cache: re-read %u devices", g_hash_table_size(done));
    }
    end_update(c);
}

/* ------------------------------------------------------------------ */
/* marks */

/* An mdev by name: its UUID (with @parent_too, also the subchannel in
 * the name); the mdev set for a name of any other form. */
static void
mark_mdev_name(VccwRpcDevCache *c, const char *name, bool parent_too)
{
    unsigned char uuid[VCCW_UUID_BUFLEN];
    char str[VCCW_UUID_STRING_BUFLEN];
    g_autofree char *parent = NULL;
    VccwCcwId id;

    if (!vccw_nodedev_parse_mdev_name(name, uuid, &parent)) {
        c->need_mdevs = true;
        return;
    }
    vccw_uuid_format(uuid, str);
    vccw_rpc_devcache_mark_mdev_uuid(c, str);
    if (parent_too && parent && vccw_ccw_id_parse(parent, &id))
        g_hash_table_add(c->marked, vccw_nodedev_name_css(&id));
}

void
vccw_rpc_devcache_mark(VccwRpcDevCache *c, const char *name)
{
    VccwCcwId id;

    if (!name)
        return;
    if (g_str_has_prefix(name, "mdev_"))
        mark_mdev_name(c, name, false);
    else if (vccw_nodedev_parse_bus_name(name, "css_", &id) ||
             vccw_nodedev_parse_bus_name(name, "ccw_", &id) ||
             vccw_nodedev_parse_bus_name(name, "ccwgroup_", &id))
        g_hash_table_add(c->marked, g_strdup(name));
}

void
vccw_rpc_devcache_mark_mdevs(VccwRpcDevCache *c)
{
    c->need_mdevs = true;
}

bool
vccw_rpc_devcache_mark_mdev_uuid(VccwRpcDevCache *c, const char *uuid)
{
    if (!vccw_uuid_is_canonical(uuid))
        return false;
    g_hash_table_add(c->marked_mdevs, g_ascii_strdown(uuid, -1));
    return true;
}

void
vccw_rpc_devcache_mark_all(VccwRpcDevCache *c)
{
    c->need_full = true;
}

void
vccw_rpc_devcache_mark_call(VccwRpcDevCache *c, const char *name)
{
    const Entry *e = name ? g_hash_table_lookup(c->by_name, name) : NULL;

    if (!name) {
        c->need_mdevs = true;   /* a failed create or define: which UUID? */
        return;
    }
    /* an mdev call changes that mdev (its UUID) and the parent named in
     * it; a subchannel's detach or reattach no mdev (reattach refuses
     * while one exists) */
    if (g_str_has_prefix(name, "mdev_"))
        mark_mdev_name(c, name, true);
    else
        vccw_rpc_devcache_mark(c, name);
    if (e && e->def->parent)
        vccw_rpc_devcache_mark(c, e->def->parent);
}

bool
vccw_rpc_devcache_mark_uevent(VccwRpcDevCache *c, const char *action,
                              const char *devpath, const char *subsystem)
{
    static const char css0[] = "/devices/css0/";
    g_auto(GStrv) comps = NULL;
    VccwCcwId sch, dev;

    if (!devpath)
        return false;
    if (subsystem && (g_str_equal(subsystem, "module") || g_str_equal(subsystem, "drivers"))) {
        /* vfio_ccw (un)loaded: subchannels change drivers, mdevs vanish */
        if (g_str_equal(devpath, "/module/vfio_ccw") ||
            g_str_equal(devpath, "/bus/css/drivers/vfio_ccw") ||
            g_str_equal(devpath, "/bus/mdev/drivers/vfio_ccw_mdev")) {
            c->need_full = true;
            return true;
        }
        return false;
    }
    if (!g_str_has_prefix(devpath, css0)) {
        /* an OSA (qeth), LCS or CTC group (/devices/qeth/0.0.f500) or
         * something below it (its net/eth0): the group itself, and its ccw
         * devices, which go on- or offline with it (and get or lose their
         * group_device link) without uevents of their own */
        g_auto(GStrv) parts = g_strsplit(devpath, "/", 5);
        VccwCcwId gid;

        if (g_strv_length(parts) >= 4 && g_str_equal(parts[1], "devices") &&
            vccw_ccw_id_parse(parts[3], &gid)) {
            g_autofree char *group = vccw_nodedev_name_ccwgroup(&gid);

            vccw_rpc_devcache_mark(c, group);
            c->need_ccws = true;
            return true;
        }
        if (subsystem && g_str_equal(subsystem, "ccwgroup")) {
            c->need_ccws = true;
            return true;
        }
        return false;
    }
    comps = g_strsplit(devpath + strlen(css0), "/", 3);
    if (!comps[0] || !vccw_ccw_id_parse(comps[0], &sch))
        return false;   /* chp0.40, defunct, ... */
    {
        g_autofree char *css = vccw_nodedev_name_css(&sch);
        vccw_rpc_devcache_mark(c, css);
    }
    if (comps[1]) {
        if (vccw_ccw_id_parse(comps[1], &dev)) {
            /* the ccw device, or something below it (block, net, scsi host
             * of a DASD/OSA/zFCP going on- or offline) */
            g_autofree char *ccw = vccw_nodedev_name_ccw(&dev);
            vccw_rpc_devcache_mark(c, ccw);
        } else {
            /* an mdev (or below it): that UUID alone */
            vccw_rpc_devcache_mark_mdev_uuid(c, comps[1]);
        }
    }
    (void)action;
    return true;
}

bool
vccw_rpc_devcache_netlink_uevent(VccwRpcDevCache *c, const char *buf, size_t len)
{
    const char *action = NULL, *devpath = NULL, *subsystem = NULL;
    g_autofree char *head_action = NULL;
    size_t off;

    if (len == 0 || (len >= 8 && memcmp(buf, "libudev", 8) == 0))
        return false;
    /* the header "ACTION@DEVPATH", then KEY=VALUE strings */
    off = strnlen(buf, len);
    if (off == len)
        return false;   /* unterminated */
    {
        const char *at = memchr(buf, '@', off);
        if (!at)
            return false;
        head_action = g_strndup(buf, (gsize)(at - buf));
        devpath = at + 1;
    }
    action = head_action;
    for (off = off + 1; off < len;) {
        const char *kv = buf + off;
        size_t n = strnlen(kv, len - off);

        if (n == len - off)
            break;      /* unterminated tail */
        if (g_str_has_prefix(kv, "ACTION="))
            action = kv + 7;
        else if (g_str_has_prefix(kv, "DEVPATH="))
            devpath = kv + 8;
        else if (g_str_has_prefix(kv, "SUBSYSTEM="))
            subsystem = kv + 10;
        off += n + 1;
    }
    return vccw_rpc_devcache_mark_uevent(c, action, devpath, subsystem);
}

bool
vccw_rpc_devcache_log_uevent(VccwRpcDevCache *c, const char *line)
{
    g_auto(GStrv) words = NULL;
    g_autofree char *action = NULL;
    const char *devpath = NULL, *subsystem = NULL;
    char *at;

    if (!g_str_has_prefix(line, "UEVENT: "))
        return false;
    words = g_strsplit(line + 8, " ", -1);
    if (!words[0] || !(at = strchr(words[0], '@')))
        return false;
    action = g_strndup(words[0], (gsize)(at - words[0]));
    devpath = at + 1;
    for (size_t i = 1; words[i]; i++)
        if (g_str_has_prefix(words[i], "SUBSYSTEM="))
            subsystem = words[i] + 10;
    return vccw_rpc_devcache_mark_uevent(c, action, devpath, subsystem);
}

/* ------------------------------------------------------------------ */
/* queries */

typedef struct {
    GPtrArray *out;
    unsigned int flags;
    unsigned int want;
} ListCtx;

static gboolean
list_one(gpointer key, gpointer value, gpointer opaque)
{
    ListCtx *lc = opaque;
    const Entry *e = value;

    if (vccw_nodedev_cap_matches(e->def, lc->want) && vccw_nodedev_state_matches(e->def, lc->flags))
        g_ptr_array_add(lc->out, e->def);
    return FALSE;
}

static gint
cmp_def_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const VccwNodeDevDef *const *)a)->name,
                  (*(const VccwNodeDevDef *const *)b)->name);
}

GPtrArray *
vccw_rpc_devcache_list(VccwRpcDevCache *c, unsigned int flags)
{
    const unsigned int caps = VCCW_LIST_CAPS_S390;
    ListCtx lc = { g_ptr_array_new(), flags, flags & caps };
    unsigned int other_caps = flags & 0x0fffffffu & ~caps;

    vccw_rpc_devcache_flush(c);
    if (lc.want == 0 && other_caps)
        return lc.out;      /* only capabilities s390 does not have */
    if (lc.want == 0)
        lc.want = caps;
    for (size_t i = 0; i < G_N_ELEMENTS(type_order); i++) {
        VccwNodeDevCapType t = type_order[i];
        bool needed = (t == VCCW_NODEDEV_CAP_SYSTEM && (lc.want & VCCW_LIST_CAP_SYSTEM)) ||
                      (t == VCCW_NODEDEV_CAP_CSS &&
                       (lc.want & (VCCW_LIST_CAP_CSS_DEV | VCCW_LIST_CAP_MDEV_TYPES))) ||
                      (t == VCCW_NODEDEV_CAP_CCW &&
                       (lc.want & (VCCW_LIST_CAP_CCW_DEV | VCCW_LIST_CAP_CCWGROUP_MEMBER))) ||
                      (t == VCCW_NODEDEV_CAP_CCWGROUP && (lc.want & VCCW_LIST_CAP_CCWGROUP_DEV)) ||
                      (t == VCCW_NODEDEV_CAP_MDEV && (lc.want & VCCW_LIST_CAP_MDEV));
        if (needed)
            g_tree_foreach(c->order[t], list_one, &lc);
    }
    for (guint i = 1; i < lc.out->len; i++) {
        if (cmp_def_ptr(&lc.out->pdata[i - 1], &lc.out->pdata[i]) > 0) {
            g_ptr_array_sort(lc.out, cmp_def_ptr);
            break;
        }
    }
    return lc.out;
}

static Entry *
lookup_entry(VccwRpcDevCache *c, const char *name, GError **err)
{
    Entry *e;
    VccwNodeDevDef *def;

    if (!name) {
        vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'",
                       "(null)");
        return NULL;
    }
    vccw_rpc_devcache_flush(c);
    if ((e = g_hash_table_lookup(c->by_name, name)))
        return e;
    /* not (yet) known: made behind our back, its uevent still on the way? */
    c->stats.misses++;
    c->stats.device_reads++;
    if (!(def = vccw_nodedev_lookup(c->drv, name, err)))
        return NULL;
    if (!def->name || !g_str_equal(def->name, name)) {
        /* the driver answered for another name: do not keep it */
        vccw_error_set(err, VCCW_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'",
                       name);
        vccw_nodedev_def_free(def);
        return NULL;
    }
    begin_update(c);
    set_device(c, name, def);
    end_update(c);
    return g_hash_table_lookup(c->by_name, name);
}

const VccwNodeDevDef *
vccw_rpc_devcache_lookup(VccwRpcDevCache *c, const char *name, GError **err)
{
    const Entry *e = lookup_entry(c, name, err);

    return e ? e->def : NULL;
}

const char *
vccw_rpc_devcache_xml(VccwRpcDevCache *c, const char *name, bool inactive, GError **err)
{
    Entry *e = lookup_entry(c, name, err);
    int i = inactive ? 1 : 0;

    if (!e)
        return NULL;
    if (!e->xml[i])
        e->xml[i] = vccw_nodedev_def_format(e->def, inactive ? VCCW_NODEDEV_FORMAT_INACTIVE : 0);
    if (!e->xml[i])
        vccw_error_set(err, VCCW_ERR_INTERNAL, "cannot format node device '%s'", name);
    return e->xml[i];
}
