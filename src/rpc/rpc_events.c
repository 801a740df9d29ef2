#include "rpc_events.h"
#include "rpc_procs.h"

#include <string.h>

typedef struct {
    bool active;
    bool persistent;
    guint xml_hash;
} DevState;

struct _VccwRpcEvents {
    GHashTable *devs;   /* name -> DevState* */
    bool valid;
};

VccwRpcEvents *
vccw_rpc_events_new(void)
{
    VccwRpcEvents *ev = g_new0(VccwRpcEvents, 1);

    ev->devs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return ev;
}

void
vccw_rpc_events_free(VccwRpcEvents *ev)
{
    if (!ev)
        return;
    g_hash_table_unref(ev->devs);
    g_free(ev);
}

void
vccw_rpc_events_reset(VccwRpcEvents *ev)
{
    g_hash_table_remove_all(ev->devs);
    ev->valid = false;
}

bool
vccw_rpc_events_valid(const VccwRpcEvents *ev)
{
    return ev->valid;
}

void
vccw_rpc_event_clear(VccwRpcEvent *e)
{
    g_clear_pointer(&e->name, g_free);
}

static void
add_event(GArray *out, const char *name, gint32 event_id, gint32 event)
{
    VccwRpcEvent e = { g_strdup(name), event_id, event };

    g_array_append_val(out, e);
}

static DevState
state_of(const VccwNodeDevDef *def)
{
    DevState st;
    /* with <start>, so that autostart changes are updates too */
    g_autofree char *xml = vccw_nodedev_def_format(def, VCCW_NODEDEV_FORMAT_START);

    st.active = def->type != VCCW_NODEDEV_CAP_MDEV || def->active;
    st.persistent = def->persistent;
    st.xml_hash = xml ? g_str_hash(xml) : 0;
    return st;
}

/* Events for one device going from @old (NULL: absent) to @cur (NULL: gone). */
static void
diff_one(GArray *out, const char *name, const DevState *old, const DevState *cur)
{
    bool was_active = old && old->active, was_persistent = old && old->persistent;
    bool is_active = cur && cur->active, is_persistent = cur && cur->persistent;
    size_t before = out->len;

    if (!was_persistent && is_persistent)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_DEFINED);
    if (!was_active && is_active)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_CREATED);
    if (was_active && !is_active)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_DELETED);
    if (was_persistent && !is_persistent)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_UNDEFINED);
    if (out->len == before && old && cur && old->xml_hash != cur->xml_hash)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_UPDATE, 0);
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GArray *
vccw_rpc_events_update(VccwRpcEvents *ev, GPtrArray *defs)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(VccwRpcEvent));
    g_autoptr(GHashTable) next = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_array_set_clear_func(out, (GDestroyNotify)vccw_rpc_event_clear);
    for (guint i = 0; i < defs->len; i++) {
        const VccwNodeDevDef *def = g_ptr_array_index(defs, i);
        DevState *st;

        if (!def->name || g_hash_table_contains(next, def->name))
            continue;
        st = g_new(DevState, 1);
        *st = state_of(def);
        g_hash_table_insert(next, g_strdup(def->name), st);
    }
    if (ev->valid) {
        /* every name in either list, sorted, for a stable event order */
        g_hash_table_iter_init(&it, next);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_ptr_array_add(names, key);
        g_hash_table_iter_init(&it, ev->devs);
        while (g_hash_table_iter_next(&it, &key, NULL))
            if (!g_hash_table_contains(next, key))
                g_ptr_array_add(names, key);
        g_ptr_array_sort(names, cmp_str);
        for (guint i = 0; i < names->len; i++) {
            const char *name = g_ptr_array_index(names, i);
            diff_one(out, name, g_hash_table_lookup(ev->devs, name),
                     g_hash_table_lookup(next, name));
        }
    }
    g_hash_table_unref(ev->devs);
    ev->devs = g_steal_pointer(&next);
    ev->valid = true;
    return out;
}
