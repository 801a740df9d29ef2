/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_events.h"
#include "rpc_procs.h"

#include <stdbool.h>
#include <string.h>

GArray *
vccw_rpc_events_new_array(void)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(VccwRpcEvent));

    g_array_set_clear_func(out, (GDestroyNotify)vccw_rpc_event_clear);
    return out;
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

static bool
is_active(const VccwNodeDevDef *def)
{
    return def && (def->type != VCCW_NODEDEV_CAP_MDEV || def->active);
}

static bool
is_persistent(const VccwNodeDevDef *def)
{
    return def && def->persistent;
}

void
vccw_rpc_events_diff(GArray *out, const char *name, const VccwNodeDevDef *old,
                     const VccwNodeDevDef *cur)
{
    bool was_active = is_active(old), was_persistent = is_persistent(old);
    bool now_active = is_active(cur), now_persistent = is_persistent(cur);
    size_t before = out->len;

    if (!was_persistent && now_persistent)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_DEFINED);
    if (!was_active && now_active)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_CREATED);
    if (was_active && !now_active)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_DELETED);
    if (was_persistent && !now_persistent)
        add_event(out, name, VCCW_NODEDEV_EVENT_ID_LIFECYCLE, VCCW_NODEDEV_EVENT_UNDEFINED);
    if (out->len == before && old && cur) {
        g_autofree char *a = vccw_nodedev_def_format(old, VCCW_NODEDEV_FORMAT_START);
        g_autofree char *b = vccw_nodedev_def_format(cur, VCCW_NODEDEV_FORMAT_START);
        /* the definition's type of an active mdev shows only here */
        unsigned int inact = VCCW_NODEDEV_FORMAT_START | VCCW_NODEDEV_FORMAT_INACTIVE;
        g_autofree char *ai = vccw_nodedev_def_format(old, inact);
        g_autofree char *bi = vccw_nodedev_def_format(cur, inact);

        if (g_strcmp0(a, b) != 0 || g_strcmp0(ai, bi) != 0)
            add_event(out, name, VCCW_NODEDEV_EVENT_ID_UPDATE, 0);
    }
}
