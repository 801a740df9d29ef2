/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_procs.h"
#include "node_device_update.h"
#include "vccw_error.h"

#include <string.h>

/* Arguments and return values are described by a layout string, one
 * character per field, decoded in order into VccwRpcValues:
 *   'S' string (remote_nonnull_string, also remote_nonnull_node_device)
 *   's' optional string (remote_string, remote_node_device)
 *   'i' int   'u' unsigned int   'h' unsigned hyper
 *   'L' array of strings (names<>, or remote_nonnull_node_device devices<>)
 *   'A' array of ints (remote_auth_type types<>)
 * Strings land in s[] and numbers in n[], each in order of appearance. */
#define VALUES_MAX 4

typedef struct {
    char *s[VALUES_MAX];
    gint64 n[VALUES_MAX];
    GPtrArray *list;        /* of char*, for 'L' */
    GArray *ints;           /* of gint32, for 'A' */
} VccwRpcValues;

typedef struct {
    VccwRpcContext *ctx;
    VccwRpcConn *conn;
    VccwRpcError *err;
    VccwRpcResult *res;
    const struct _VccwRpcProc *proc;
} VccwRpcCall;

typedef bool (*VccwRpcHandler)(VccwRpcCall *call, const VccwRpcValues *args,
                               VccwRpcValues *ret);

enum {
    PROC_NO_OPEN = 1 << 0,  /* allowed before CONNECT_OPEN */
    PROC_WRITE = 1 << 1,    /* refused on read-only connections */
    PROC_CHANGES = 1 << 2,  /* may change devices: refresh events after */
};

typedef struct _VccwRpcProc {
    gint32 proc;
    const char *api;        /* the libvirt API, for error texts */
    const char *args;
    const char *ret;
    guint32 list_max;       /* for 'L'/'A' in ret */
    unsigned int flags;
    VccwRpcHandler handler;
} VccwRpcProc;

static void
values_clear(VccwRpcValues *v)
{
    for (size_t i = 0; i < VALUES_MAX; i++)
        g_clear_pointer(&v->s[i], g_free);
    g_clear_pointer(&v->list, g_ptr_array_unref);
    g_clear_pointer(&v->ints, g_array_unref);
}

static bool
values_decode(VccwXdrDec *dec, const char *layout, VccwRpcValues *v)
{
    size_t si = 0, ni = 0;

    for (const char *c = layout; *c; c++) {
        gint32 i32;
        guint32 u32;
        guint64 u64;

        switch (*c) {
        case 'S':
            if (!vccw_xdr_get_string(dec, VCCW_RPC_STRING_MAX, &v->s[si++]))
                return false;
            break;
        case 's':
            if (!vccw_xdr_get_opt_string(dec, VCCW_RPC_STRING_MAX, &v->s[si++]))
                return false;
            break;
        case 'i':
            if (!vccw_xdr_get_i32(dec, &i32))
                return false;
            v->n[ni++] = i32;
            break;
        case 'u':
            if (!vccw_xdr_get_u32(dec, &u32))
                return false;
            v->n[ni++] = u32;
            break;
        case 'h':
            if (!vccw_xdr_get_u64(dec, &u64))
                return false;
            v->n[ni++] = (gint64)u64;
            break;
        default:
            g_assert_not_reached();
        }
    }
    return vccw_xdr_dec_finish(dec);
}

static bool
values_encode(VccwXdrEnc *enc, const char *layout, guint32 list_max,
              const VccwRpcValues *v)
{
    size_t si = 0, ni = 0;

    for (const char *c = layout; *c; c++) {
        switch (*c) {
        case 'S':
            if (!vccw_xdr_put_string(enc, VCCW_RPC_STRING_MAX, v->s[si++]))
                return false;
            break;
        case 's':
            if (!vccw_xdr_put_opt_string(enc, VCCW_RPC_STRING_MAX, v->s[si++]))
                return false;
            break;
        case 'i':
            if (!vccw_xdr_put_i32(enc, (gint32)v->n[ni++]))
                return false;
            break;
        case 'u':
            if (!vccw_xdr_put_u32(enc, (guint32)v->n[ni++]))
                return false;
            break;
        case 'h':
            if (!vccw_xdr_put_u64(enc, (guint64)v->n[ni++]))
                return false;
            break;
        case 'L': {
            guint n = v->list ? v->list->len : 0;
            if (!vccw_xdr_put_array_len(enc, list_max, n))
                return false;
            for (guint i = 0; i < n; i++)
                if (!vccw_xdr_put_string(enc, VCCW_RPC_STRING_MAX,
                                         g_ptr_array_index(v->list, i)))
                    return false;
            break;
        }
        case 'A': {
            guint n = v->ints ? v->ints->len : 0;
            if (!vccw_xdr_put_array_len(enc, list_max, n))
                return false;
            for (guint i = 0; i < n; i++)
                if (!vccw_xdr_put_i32(enc, g_array_index(v->ints, gint32, i)))
                    return false;
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* helpers */

static bool
fail_gerror(VccwRpcCall *call, GError *err)
{
    vccw_rpc_error_from_gerror(call->err, err, VCCW_VIR_FROM_NODEDEV);
    g_error_free(err);
    return false;
}

static bool
check_flags(VccwRpcCall *call, gint64 flags, guint32 allowed, const char *func)
{
    if ((guint64)flags & ~(guint64)allowed) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INVALID_ARG, VCCW_VIR_FROM_NODEDEV,
                           "unsupported flags (0x%" G_GINT64_MODIFIER "x) in function %s",
                           (gint64)((guint64)flags & ~(guint64)allowed), func);
        return false;
    }
    return true;
}

/* The device @name, from the cache (borrowed) or the driver (then also
 * in *@owned, for the caller to free). */
static const VccwNodeDevDef *
lookup(VccwRpcCall *call, const char *name, VccwNodeDevDef **owned)
{
    GError *err = NULL;
    const VccwNodeDevDef *def;

    *owned = NULL;
    if (call->ctx->cache)
        def = vccw_rpc_devcache_lookup(call->ctx->cache, name, &err);
    else
        def = *owned = vccw_nodedev_lookup(call->ctx->drv, name, &err);
    if (!def)
        fail_gerror(call, err);
    return def;
}

/* A device's capability names, as virNodeDeviceListCaps gives them. */
static GPtrArray *
def_caps(const VccwNodeDevDef *def)
{
    GPtrArray *caps = g_ptr_array_new_with_free_func(g_free);
    const char *type = vccw_nodedev_cap_to_string(def->type);

    g_ptr_array_add(caps, g_strdup(type ? type : "system"));
    if (def->type == VCCW_NODEDEV_CAP_CSS && def->mdev_types && def->mdev_types->len)
        g_ptr_array_add(caps, g_strdup("mdev_types"));
    /* libvirt 11.1+: a ccw device in a group */
    if (def->type == VCCW_NODEDEV_CAP_CCW && def->group_device)
        g_ptr_array_add(caps, g_strdup("ccwgroup_member"));
    return caps;
}

static bool
def_is_active(const VccwNodeDevDef *def)
{
    return def->type != VCCW_NODEDEV_CAP_MDEV || def->active;
}

/* libvirt's virConnectListAllNodeDeviceFlags, every bit it defines
 * (11.1 added CCWGROUP_DEV 1 << 22 and CCWGROUP_MEMBER 1 << 23) */
#define LIST_CAPS_ALL ((1u << 24) - 1)
#define LIST_STATE_ALL (VCCW_LIST_PERSISTENT | VCCW_LIST_TRANSIENT | \
                        VCCW_LIST_INACTIVE | VCCW_LIST_ACTIVE)

/* libvirt's capability names, in virNodeDevCapType order from "system" to
 * "ccwgroup_member" (11.1+): the list flag of name i is 1 << i. */
static const char *const cap_names[] = {
    "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target",
    "scsi", "storage", "fc_host", "vports", "scsi_generic", "drm",
    "mdev_types", "mdev", "ccw", "css", "vdpa", "ap_card", "ap_queue",
    "ap_matrix", "vpd", "ccwgroup", "ccwgroup_member",
};

/* Names of the devices matching @flags; NULL on error. */
static GPtrArray *
list_names(VccwRpcCall *call, unsigned int flags, gint64 limit)
{
    GError *err = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) defs = NULL;
    GPtrArray *names;

    /* libvirt: without a state filter, active and inactive devices */
    if (!(flags & (VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE)))
        flags |= VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE;
    if (call->ctx->cache) {
        defs = vccw_rpc_devcache_list(call->ctx->cache, flags);     /* borrowed defs */
    } else if (!(defs = vccw_nodedev_list(call->ctx->drv, flags, warnings, &err))) {
        fail_gerror(call, err);
        return NULL;
    }
    for (guint i = 0; i < warnings->len; i++)
        g_debug("%s", (const char *)g_ptr_array_index(warnings, i));
    names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < defs->len && (limit < 0 || (gint64)i < limit); i++) {
        const VccwNodeDevDef *def = g_ptr_array_index(defs, i);
        g_ptr_array_add(names, g_strdup(def->name));
    }
    return names;
}

/* NODE_NUM_OF_DEVICES / NODE_LIST_DEVICES: active devices with @cap. */
static GPtrArray *
list_by_cap(VccwRpcCall *call, const char *cap, gint64 limit)
{
    unsigned int flags = VCCW_LIST_ACTIVE;

    if (cap) {
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(cap_names); i++)
            if (g_str_equal(cap, cap_names[i]))
                break;
        if (i == G_N_ELEMENTS(cap_names))
            return g_ptr_array_new_with_free_func(g_free);   /* matches nothing */
        flags |= 1u << i;
    }
    return list_names(call, flags, limit);
}

/* ------------------------------------------------------------------ */
/* connection procedures */

static bool
proc_connect_open(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    VccwRpcConn *conn = call->conn;
    const char *name = args->s[0];
    gint64 flags = args->n[0];

    if (conn->opened) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INTERNAL_ERROR, VCCW_VIR_FROM_RPC,
                           "connection already open");
        return false;
    }
    /* VIR_CONNECT_RO 1, VIR_CONNECT_NO_ALIASES 2 */
    if (!check_flags(call, flags, 0x3, "virConnectOpen"))
        return false;
    conn->opened = true;
    conn->readonly = conn->socket_readonly || (flags & 1);
    g_free(conn->uri);
    conn->uri = g_strdup(name && *name ? name : "nodedev:///system");
    return true;
}

static bool
proc_connect_close(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    call->conn->opened = false;
    call->res->disconnect = true;
    return true;
}

static bool
proc_get_type(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->s[0] = g_strdup("nodedev");
    return true;
}

static bool
proc_get_version(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->n[0] = (gint64)call->ctx->hv_version;
    return true;
}

static bool
proc_get_lib_version(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->n[0] = (gint64)call->ctx->lib_version;
    return true;
}

static bool
proc_get_hostname(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->s[0] = g_strdup(call->ctx->hostname ? call->ctx->hostname : g_get_host_name());
    return true;
}

static bool
proc_get_uri(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->s[0] = g_strdup(call->conn->uri);
    return true;
}

static bool
proc_is_secure(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    ret->n[0] = 1;   /* a local unix socket */
    return true;
}

static bool
proc_supports_feature(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    switch (args->n[0]) {
    case VCCW_FEATURE_PROGRAM_KEEPALIVE:
        call->conn->keepalive = true;
        ret->n[0] = 1;
        break;
    case VCCW_FEATURE_REMOTE_EVENT_CALLBACK:
    case VCCW_FEATURE_REMOTE_CLOSE_CALLBACK:
        ret->n[0] = 1;
        break;
    default:
        ret->n[0] = 0;
        break;
    }
    return true;
}

static bool
proc_auth_list(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    gint32 none = 0;

    ret->ints = g_array_new(FALSE, FALSE, sizeof(gint32));
    g_array_append_val(ret->ints, none);
    return true;
}

static bool
proc_close_callback(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    call->conn->close_callback =
        call->proc->proc == VCCW_PROC_CONNECT_REGISTER_CLOSE_CALLBACK;
    return true;
}

/* ------------------------------------------------------------------ */
/* listing and lookup */

static bool
proc_num_of_devices(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(GPtrArray) names = NULL;

    if (!check_flags(call, args->n[0], 0, "nodeNumOfDevices"))
        return false;
    if (!(names = list_by_cap(call, args->s[0], -1)))
        return false;
    ret->n[0] = names->len;
    return true;
}

static bool
proc_list_devices(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    gint64 maxnames = args->n[0];

    if (maxnames > VCCW_RPC_NODE_DEVICE_LIST_MAX) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "maxnames > REMOTE_NODE_DEVICE_LIST_MAX");
        return false;
    }
    if (maxnames < 0) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INVALID_ARG, VCCW_VIR_FROM_NODEDEV,
                           "maxnames in virNodeListDevices must be greater than or equal to 0");
        return false;
    }
    if (!check_flags(call, args->n[1], 0, "nodeListDevices"))
        return false;
    return (ret->list = list_by_cap(call, args->s[0], maxnames)) != NULL;
}

static bool
proc_list_all(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(GPtrArray) names = NULL;

    if (!check_flags(call, args->n[1], LIST_CAPS_ALL | LIST_STATE_ALL,
                     "nodeConnectListAllNodeDevices"))
        return false;
    if (!(names = list_names(call, (unsigned int)args->n[1], -1)))
        return false;
    if (args->n[0] && names->len > VCCW_RPC_NODE_DEVICE_LIST_MAX) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "Too many node devices '%u' for limit '%u'",
                           names->len, VCCW_RPC_NODE_DEVICE_LIST_MAX);
        return false;
    }
    ret->n[0] = names->len;
    if (args->n[0])   /* need_results */
        ret->list = g_steal_pointer(&names);
    return true;
}

static bool
proc_lookup_by_name(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def = lookup(call, args->s[0], &owned);

    if (!def)
        return false;
    ret->s[0] = g_strdup(def->name);
    return true;
}

static bool
proc_get_xml_desc(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def;

    /* VIR_NODE_DEVICE_XML_INACTIVE = 1 */
    if (!check_flags(call, args->n[0], 1, "nodeDeviceGetXMLDesc"))
        return false;
    if (args->n[0] & 1) {
        /* libvirt 10.1+: the inactive XML is a definition's, and only
         * persistent devices have one */
        if (!(def = lookup(call, args->s[0], &owned)))
            return false;
        if (!def->persistent) {
            vccw_rpc_error_set(call->err, VCCW_VIR_ERR_OPERATION_INVALID, VCCW_VIR_FROM_NODEDEV,
                               "node device '%s' is not persistent", def->name);
            return false;
        }
        g_clear_pointer(&owned, vccw_nodedev_def_free);
    }
    if (call->ctx->cache) {
        GError *err = NULL;
        const char *xml = vccw_rpc_devcache_xml(call->ctx->cache, args->s[0],
                                                (args->n[0] & 1) != 0, &err);
        if (!xml)
            return fail_gerror(call, err);
        ret->s[0] = g_strdup(xml);
        return true;
    }
    if (!(def = lookup(call, args->s[0], &owned)))
        return false;
    ret->s[0] = vccw_nodedev_def_format(def, (args->n[0] & 1) ?
                                        VCCW_NODEDEV_FORMAT_INACTIVE : 0);
    if (!ret->s[0]) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INTERNAL_ERROR, VCCW_VIR_FROM_NODEDEV,
                           "cannot format node device '%s'", args->s[0]);
        return false;
    }
    return true;
}

static bool
proc_get_parent(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def = lookup(call, args->s[0], &owned);

    if (!def)
        return false;
    ret->s[0] = g_strdup(def->parent);
    return true;
}

static bool
proc_num_of_caps(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def = lookup(call, args->s[0], &owned);
    g_autoptr(GPtrArray) caps = NULL;

    if (!def)
        return false;
    caps = def_caps(def);
    ret->n[0] = caps->len;
    return true;
}

static bool
proc_list_caps(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def;
    gint64 maxnames = args->n[0];

    if (maxnames > VCCW_RPC_NODE_DEVICE_CAPS_LIST_MAX) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "maxnames > REMOTE_NODE_DEVICE_CAPS_LIST_MAX");
        return false;
    }
    if (maxnames < 0) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INVALID_ARG, VCCW_VIR_FROM_NODEDEV,
                           "maxnames in virNodeDeviceListCaps must be greater than or equal to 0");
        return false;
    }
    if (!(def = lookup(call, args->s[0], &owned)))
        return false;
    ret->list = def_caps(def);
    if ((gint64)ret->list->len > maxnames)
        g_ptr_array_set_size(ret->list, (guint)maxnames);
    return true;
}

static bool
proc_is_active(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def = lookup(call, args->s[0], &owned);

    if (!def)
        return false;
    ret->n[0] = def_is_active(def);
    return true;
}

static bool
proc_is_persistent(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    g_autoptr(VccwNodeDevDef) owned = NULL;
    const VccwNodeDevDef *def = lookup(call, args->s[0], &owned);

    if (!def)
        return false;
    ret->n[0] = def->persistent;
    return true;
}

/* ------------------------------------------------------------------ */
/* changes */

typedef VccwNodeDevDef *(*XmlFunc)(VccwNodeDevDriver *, const char *, size_t, GError **);

static bool
xml_call(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret,
         XmlFunc fn, const char *func)
{
    GError *err = NULL;
    g_autoptr(VccwNodeDevDef) def = NULL;

    /* VIR_NODE_DEVICE_CREATE_XML_VALIDATE / DEFINE_XML_VALIDATE = 1: our
     * parser checks the document in any case */
    if (!check_flags(call, args->n[0], 1, func))
        return false;
    if (!(def = fn(call->ctx->drv, args->s[0], strlen(args->s[0]), &err)))
        return fail_gerror(call, err);
    ret->s[0] = g_strdup(def->name);
    return true;
}

static bool
proc_create_xml(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    return xml_call(call, args, ret, vccw_nodedev_create_xml, "nodeDeviceCreateXML");
}

static bool
proc_define_xml(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    return xml_call(call, args, ret, vccw_nodedev_define_xml, "nodeDeviceDefineXML");
}

typedef bool (*NameFunc)(VccwNodeDevDriver *, const char *, GError **);

static bool
name_call(VccwRpcCall *call, const char *name, NameFunc fn)
{
    GError *err = NULL;

    if (!fn(call->ctx->drv, name, &err))
        return fail_gerror(call, err);
    return true;
}

static bool
proc_destroy(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    return name_call(call, args->s[0], vccw_nodedev_destroy);
}

static bool
proc_undefine(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    if (!check_flags(call, args->n[0], 0, "nodeDeviceUndefine"))
        return false;
    return name_call(call, args->s[0], vccw_nodedev_undefine);
}

static bool
proc_create(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    if (!check_flags(call, args->n[0], 0, "nodeDeviceCreate"))
        return false;
    return name_call(call, args->s[0], vccw_nodedev_start);
}

static bool
proc_get_autostart(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    GError *err = NULL;
    bool autostart = false;

    if (!vccw_nodedev_get_autostart(call->ctx->drv, args->s[0], &autostart, &err))
        return fail_gerror(call, err);
    ret->n[0] = autostart;
    return true;
}

static bool
proc_set_autostart(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    GError *err = NULL;

    if (!vccw_nodedev_set_autostart(call->ctx->drv, args->s[0], args->n[0] != 0, &err))
        return fail_gerror(call, err);
    return true;
}

static bool
proc_update(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    GError *err = NULL;

    if (!check_flags(call, args->n[0], VCCW_UPDATE_AFFECT_LIVE | VCCW_UPDATE_AFFECT_CONFIG,
                     "nodeDeviceUpdate"))
        return false;
    if (!vccw_nodedev_update(call->ctx->drv, args->s[0], args->s[1], strlen(args->s[1]),
                             (unsigned int)args->n[0], &err))
        return fail_gerror(call, err);
    return true;
}

static bool
proc_detach(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    GError *err = NULL;
    const char *driver = NULL;
    unsigned int flags = 0;

    if (call->proc->proc == VCCW_PROC_NODE_DEVICE_DETACH_FLAGS) {
        driver = args->s[1];
        /* libvirt defines no flags; ours: persistent 1, force 2 */
        if (!check_flags(call, args->n[0], VCCW_DETACH_PERSISTENT | VCCW_DETACH_FORCE,
                         "nodeDeviceDetachFlags"))
            return false;
        flags = (unsigned int)args->n[0];
    }
    if (driver && *driver && !g_str_equal(driver, "vfio") &&
        !g_str_equal(driver, "vfio_ccw") && !g_str_equal(driver, "vfio-ccw")) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INVALID_ARG, VCCW_VIR_FROM_NODEDEV,
                           "unknown driver name '%s'", driver);
        return false;
    }
    if (!vccw_nodedev_detach(call->ctx->drv, args->s[0], flags, &err))
        return fail_gerror(call, err);
    return true;
}

static bool
proc_reattach(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    GError *err = NULL;

    if (!vccw_nodedev_reattach(call->ctx->drv, args->s[0], 0, &err))
        return fail_gerror(call, err);
    return true;
}

/* ------------------------------------------------------------------ */
/* events */

static bool
proc_event_register(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    VccwRpcConn *conn = call->conn;
    VccwRpcCallback cb;

    if (args->n[0] < 0 || args->n[0] >= VCCW_NODEDEV_EVENT_ID_LAST) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_INTERNAL_ERROR, VCCW_VIR_FROM_RPC,
                           "unsupported node device event ID %d", (int)args->n[0]);
        return false;
    }
    if (conn->callbacks->len >= VCCW_RPC_MAX_CALLBACKS) {
        vccw_rpc_error_set(call->err, VCCW_VIR_ERR_OPERATION_FAILED, VCCW_VIR_FROM_RPC,
                           "too many event callbacks (%u) on this connection",
                           VCCW_RPC_MAX_CALLBACKS);
        return false;
    }
    cb.id = conn->next_callback_id++;
    cb.event_id = (gint32)args->n[0];
    cb.dev = g_strdup(args->s[0]);
    g_array_append_val(conn->callbacks, cb);
    ret->n[0] = cb.id;
    call->res->callbacks_changed = true;
    return true;
}

static bool
proc_event_deregister(VccwRpcCall *call, const VccwRpcValues *args, VccwRpcValues *ret)
{
    VccwRpcConn *conn = call->conn;

    for (guint i = 0; i < conn->callbacks->len; i++) {
        VccwRpcCallback *cb = &g_array_index(conn->callbacks, VccwRpcCallback, i);
        if (cb->id == args->n[0]) {
            g_free(cb->dev);
            g_array_remove_index(conn->callbacks, i);
            call->res->callbacks_changed = true;
            return true;
        }
    }
    vccw_rpc_error_set(call->err, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                       "node device event callback %d not registered", (int)args->n[0]);
    return false;
}

/* ------------------------------------------------------------------ */

#define LIST_MAX VCCW_RPC_NODE_DEVICE_LIST_MAX
#define CAPS_MAX VCCW_RPC_NODE_DEVICE_CAPS_LIST_MAX

static const VccwRpcProc procs[] = {
    { VCCW_PROC_CONNECT_OPEN, "virConnectOpen", "su", "", 0, PROC_NO_OPEN, proc_connect_open },
    { VCCW_PROC_CONNECT_CLOSE, "virConnectClose", "", "", 0, PROC_NO_OPEN, proc_connect_close },
    { VCCW_PROC_CONNECT_GET_TYPE, "virConnectGetType", "", "S", 0, 0, proc_get_type },
    { VCCW_PROC_CONNECT_GET_VERSION, "virConnectGetVersion", "", "h", 0, 0, proc_get_version },
    { VCCW_PROC_CONNECT_GET_HOSTNAME, "virConnectGetHostname", "", "S", 0, 0, proc_get_hostname },
    { VCCW_PROC_CONNECT_SUPPORTS_FEATURE, "virConnectSupportsFeature", "i", "i", 0,
      PROC_NO_OPEN, proc_supports_feature },
    { VCCW_PROC_AUTH_LIST, "virConnectAuthList", "", "A", VCCW_RPC_AUTH_TYPE_LIST_MAX,
      PROC_NO_OPEN, proc_auth_list },
    { VCCW_PROC_CONNECT_GET_URI, "virConnectGetURI", "", "S", 0, 0, proc_get_uri },
    { VCCW_PROC_NODE_NUM_OF_DEVICES, "virNodeNumOfDevices", "su", "i", 0, 0,
      proc_num_of_devices },
    { VCCW_PROC_NODE_LIST_DEVICES, "virNodeListDevices", "siu", "L", LIST_MAX, 0,
      proc_list_devices },
    { VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, "virNodeDeviceLookupByName", "S", "S", 0, 0,
      proc_lookup_by_name },
    { VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "virNodeDeviceGetXMLDesc", "Su", "S", 0, 0,
      proc_get_xml_desc },
    { VCCW_PROC_NODE_DEVICE_GET_PARENT, "virNodeDeviceGetParent", "S", "s", 0, 0,
      proc_get_parent },
    { VCCW_PROC_NODE_DEVICE_NUM_OF_CAPS, "virNodeDeviceNumOfCaps", "S", "i", 0, 0,
      proc_num_of_caps },
    { VCCW_PROC_NODE_DEVICE_LIST_CAPS, "virNodeDeviceListCaps", "Si", "L", CAPS_MAX, 0,
      proc_list_caps },
    { VCCW_PROC_NODE_DEVICE_DETTACH, "virNodeDeviceDettach", "S", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_detach },
    { VCCW_PROC_NODE_DEVICE_RE_ATTACH, "virNodeDeviceReAttach", "S", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_reattach },
    { VCCW_PROC_NODE_DEVICE_CREATE_XML, "virNodeDeviceCreateXML", "Su", "S", 0,
      PROC_WRITE | PROC_CHANGES, proc_create_xml },
    { VCCW_PROC_NODE_DEVICE_DESTROY, "virNodeDeviceDestroy", "S", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_destroy },
    { VCCW_PROC_CONNECT_IS_SECURE, "virConnectIsSecure", "", "i", 0, 0, proc_is_secure },
    { VCCW_PROC_CONNECT_GET_LIB_VERSION, "virConnectGetLibVersion", "", "h", 0, 0,
      proc_get_lib_version },
    { VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "virConnectListAllNodeDevices", "iu", "Lu",
      LIST_MAX, 0, proc_list_all },
    { VCCW_PROC_NODE_DEVICE_DETACH_FLAGS, "virNodeDeviceDetachFlags", "Ssu", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_detach },
    { VCCW_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, "virConnectRegisterCloseCallback", "", "", 0,
      0, proc_close_callback },
    { VCCW_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, "virConnectUnregisterCloseCallback", "", "",
      0, 0, proc_close_callback },
    { VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, "virConnectNodeDeviceEventRegisterAny",
      "is", "i", 0, 0, proc_event_register },
    { VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
      "virConnectNodeDeviceEventDeregisterAny", "i", "", 0, 0, proc_event_deregister },
    { VCCW_PROC_NODE_DEVICE_DEFINE_XML, "virNodeDeviceDefineXML", "Su", "S", 0,
      PROC_WRITE | PROC_CHANGES, proc_define_xml },
    { VCCW_PROC_NODE_DEVICE_UNDEFINE, "virNodeDeviceUndefine", "Su", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_undefine },
    { VCCW_PROC_NODE_DEVICE_CREATE, "virNodeDeviceCreate", "Su", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_create },
    { VCCW_PROC_NODE_DEVICE_GET_AUTOSTART, "virNodeDeviceGetAutostart", "S", "i", 0, 0,
      proc_get_autostart },
    { VCCW_PROC_NODE_DEVICE_SET_AUTOSTART, "virNodeDeviceSetAutostart", "Si", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_set_autostart },
    { VCCW_PROC_NODE_DEVICE_IS_PERSISTENT, "virNodeDeviceIsPersistent", "S", "i", 0, 0,
      proc_is_persistent },
    { VCCW_PROC_NODE_DEVICE_IS_ACTIVE, "virNodeDeviceIsActive", "S", "i", 0, 0,
      proc_is_active },
    { VCCW_PROC_NODE_DEVICE_UPDATE, "virNodeDeviceUpdate", "SSu", "", 0,
      PROC_WRITE | PROC_CHANGES, proc_update },
};

/* Names of some procedures we do not serve, for the "not supported"
 * message (libvirt names the API there). */
static const struct {
    gint32 proc;
    const char *api;
} unserved_names[] = {
    { 5, "virConnectGetMaxVcpus" }, { 6, "virNodeGetInfo" },
    { 7, "virConnectGetCapabilities" }, { 21, "virConnectListDefinedDomains" },
    { 23, "virDomainLookupByName" }, { 25, "virConnectNumOfDefinedDomains" },
    { 37, "virConnectListDomains" }, { 51, "virConnectNumOfDomains" },
    { 102, "virNodeGetFreeMemory" }, { 120, "virNodeDeviceReset" },
    { 122, "virNodeGetSecurityModel" }, { 273, "virConnectListAllDomains" },
    { 306, "virNodeDeviceLookupSCSIHostByWWN" }, { 340, "virConnectGetDomainCapabilities" },
};

static const VccwRpcProc *
proc_find(gint32 proc)
{
    for (size_t i = 0; i < G_N_ELEMENTS(procs); i++)
        if (procs[i].proc == proc)
            return &procs[i];
    return NULL;
}

const char *
vccw_rpc_proc_name(gint32 proc)
{
    const VccwRpcProc *p = proc_find(proc);

    return p ? p->api : NULL;
}

/* ------------------------------------------------------------------ */

void
vccw_rpc_conn_init(VccwRpcConn *conn, bool socket_readonly)
{
    memset(conn, 0, sizeof(*conn));
    conn->socket_readonly = socket_readonly;
    conn->readonly = socket_readonly;
    conn->callbacks = g_array_new(FALSE, FALSE, sizeof(VccwRpcCallback));
    conn->next_callback_id = 1;
}

void
vccw_rpc_conn_clear(VccwRpcConn *conn)
{
    if (conn->callbacks) {
        for (guint i = 0; i < conn->callbacks->len; i++)
            g_free(g_array_index(conn->callbacks, VccwRpcCallback, i).dev);
        g_array_unref(conn->callbacks);
    }
    g_free(conn->uri);
    memset(conn, 0, sizeof(*conn));
}

static VccwRpcHeader
reply_header(const VccwRpcHeader *call, guint32 status)
{
    VccwRpcHeader h = *call;

    h.type = VCCW_RPC_REPLY;
    h.status = status;
    return h;
}

GBytes *
vccw_rpc_error_reply(const VccwRpcHeader *call_hdr, const VccwRpcError *e)
{
    VccwXdrEnc enc;
    VccwRpcHeader h = reply_header(call_hdr, VCCW_RPC_ERROR);
    GBytes *b = NULL;

    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    if (vccw_rpc_message_begin(&enc, &h) && vccw_rpc_error_encode(&enc, e))
        b = vccw_rpc_message_finish(&enc);
    vccw_xdr_enc_clear(&enc);
    if (!b) {
        /* a message too long to send: say so briefly */
        VccwRpcError small = { 0 };
        vccw_rpc_error_set(&small, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "error message too large to send");
        vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
        if (vccw_rpc_message_begin(&enc, &h) && vccw_rpc_error_encode(&enc, &small))
            b = vccw_rpc_message_finish(&enc);
        vccw_xdr_enc_clear(&enc);
        vccw_rpc_error_clear(&small);
    }
    return b;
}

static void
reply_error(VccwRpcResult *res, const VccwRpcHeader *hdr, VccwRpcError *e)
{
    res->reply = vccw_rpc_error_reply(hdr, e);
    vccw_rpc_error_clear(e);
}

static void
dispatch_keepalive(const VccwRpcHeader *hdr, VccwRpcResult *res)
{
    if (hdr->vers == VCCW_RPC_KEEPALIVE_VERSION && hdr->type == VCCW_RPC_MESSAGE &&
        hdr->proc == VCCW_RPC_KEEPALIVE_PING) {
        VccwRpcHeader pong = {
            .prog = VCCW_RPC_KEEPALIVE_PROGRAM,
            .vers = VCCW_RPC_KEEPALIVE_VERSION,
            .proc = VCCW_RPC_KEEPALIVE_PONG,
            .type = VCCW_RPC_MESSAGE,
            .serial = 0,
            .status = VCCW_RPC_OK,
        };
        res->reply = vccw_rpc_message_empty(&pong);
    }
    /* PONG and anything else of this program: nothing to answer */
}

void
vccw_rpc_dispatch(VccwRpcContext *ctx, VccwRpcConn *conn,
                  const guint8 *msg, size_t len, VccwRpcResult *res)
{
    g_autoptr(GError) gerr = NULL;
    VccwRpcHeader hdr;
    const guint8 *body;
    size_t body_len;
    VccwRpcError e = { 0 };
    const VccwRpcProc *proc;
    VccwRpcValues args = { 0 }, ret = { 0 };
    VccwRpcCall call = { ctx, conn, &e, res, NULL };
    VccwXdrDec dec;
    VccwXdrEnc enc;
    bool ok;

    memset(res, 0, sizeof(*res));
    if (!vccw_rpc_message_parse(msg, len, &hdr, &body, &body_len, &gerr)) {
        g_debug("dropping client: %s", gerr->message);
        res->disconnect = true;
        return;
    }
    if (hdr.prog == VCCW_RPC_KEEPALIVE_PROGRAM) {
        dispatch_keepalive(&hdr, res);
        return;
    }
    if (hdr.type != VCCW_RPC_CALL && hdr.type != VCCW_RPC_CALL_WITH_FDS) {
        /* nothing a client may send us besides calls: no way to answer */
        g_debug("dropping client: unexpected message type %u", hdr.type);
        res->disconnect = true;
        return;
    }
    if (hdr.prog != VCCW_RPC_REMOTE_PROGRAM || hdr.vers != VCCW_RPC_REMOTE_VERSION) {
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "cannot find program %u version %u", hdr.prog, hdr.vers);
        reply_error(res, &hdr, &e);
        return;
    }
    if (hdr.type == VCCW_RPC_CALL_WITH_FDS) {
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "file descriptor passing is not supported by this server");
        reply_error(res, &hdr, &e);
        return;
    }
    if (hdr.status != VCCW_RPC_OK) {
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "Unexpected message status %u", hdr.status);
        reply_error(res, &hdr, &e);
        return;
    }
    if (conn->denied) {
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_AUTH_FAILED, VCCW_VIR_FROM_RPC,
                           "access denied: only root and the daemon's user may use "
                           "the read-write socket");
        reply_error(res, &hdr, &e);
        res->disconnect = true;
        return;
    }
    proc = proc_find(hdr.proc);
    g_debug("call %d %s serial %u", hdr.proc, proc ? proc->api : "(not served)", hdr.serial);
    if (!proc) {
        const char *api = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(unserved_names); i++)
            if (unserved_names[i].proc == hdr.proc)
                api = unserved_names[i].api;
        if (api)
            vccw_rpc_error_set(&e, VCCW_VIR_ERR_NO_SUPPORT, VCCW_VIR_FROM_NONE, "%s", api);
        else if (hdr.proc > 0 && hdr.proc <= VCCW_PROC_LAST_KNOWN)
            vccw_rpc_error_set(&e, VCCW_VIR_ERR_NO_SUPPORT, VCCW_VIR_FROM_NONE,
                               "remote procedure %d", hdr.proc);
        else
            vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                               "unknown procedure: %d", hdr.proc);
        reply_error(res, &hdr, &e);
        return;
    }
    call.proc = proc;
    if (!(proc->flags & PROC_NO_OPEN) && !conn->opened) {
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_INTERNAL_ERROR, VCCW_VIR_FROM_RPC,
                           "connection not open");
        reply_error(res, &hdr, &e);
        return;
    }
    vccw_xdr_dec_init(&dec, body, body_len);
    ok = values_decode(&dec, proc->args, &args);
    vccw_xdr_dec_clear(&dec);
    if (!ok) {
        values_clear(&args);
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "Unable to decode message payload");
        reply_error(res, &hdr, &e);
        return;
    }
    if ((proc->flags & PROC_WRITE) && conn->readonly) {
        values_clear(&args);
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_OPERATION_DENIED, VCCW_VIR_FROM_NODEDEV,
                           "read only access prevents %s", proc->api);
        reply_error(res, &hdr, &e);
        return;
    }

    ok = proc->handler(&call, &args, &ret);
    if ((proc->flags & PROC_CHANGES) && ctx->cache) {
        /* even a failed call may have changed something (a rollback that
         * did not get everything back): re-read what it touched */
        bool by_xml = proc->proc == VCCW_PROC_NODE_DEVICE_CREATE_XML ||
                      proc->proc == VCCW_PROC_NODE_DEVICE_DEFINE_XML;
        vccw_rpc_devcache_mark_call(ctx->cache, by_xml ? (ok ? ret.s[0] : NULL) : args.s[0]);
    }
    values_clear(&args);
    if (ok && (proc->flags & PROC_CHANGES))
        res->changed = true;
    if (!ok) {
        values_clear(&ret);
        if (!e.message)
            vccw_rpc_error_set(&e, VCCW_VIR_ERR_INTERNAL_ERROR, VCCW_VIR_FROM_RPC,
                               "%s failed", proc->api);
        reply_error(res, &hdr, &e);
        return;
    }

    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    {
        VccwRpcHeader rh = reply_header(&hdr, VCCW_RPC_OK);
        if (vccw_rpc_message_begin(&enc, &rh) &&
            values_encode(&enc, proc->ret, proc->list_max, &ret))
            res->reply = vccw_rpc_message_finish(&enc);
    }
    values_clear(&ret);
    if (!res->reply) {
        g_debug("cannot encode reply to %s: %s", proc->api,
                enc.error ? enc.error : "unknown");
        vccw_rpc_error_set(&e, VCCW_VIR_ERR_RPC, VCCW_VIR_FROM_RPC,
                           "Unable to encode message payload: %s",
                           enc.error ? enc.error : "reply too large");
        reply_error(res, &hdr, &e);
    }
    vccw_xdr_enc_clear(&enc);
}

/* ------------------------------------------------------------------ */

static GBytes *
event_msg(gint32 proc, gint32 callback_id, const char *dev, bool lifecycle,
          gint32 event, gint32 detail)
{
    VccwRpcHeader h = {
        .prog = VCCW_RPC_REMOTE_PROGRAM,
        .vers = VCCW_RPC_REMOTE_VERSION,
        .proc = proc,
        .type = VCCW_RPC_MESSAGE,
        .serial = 0,
        .status = VCCW_RPC_OK,
    };
    VccwXdrEnc enc;
    GBytes *b = NULL;

    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    if (vccw_rpc_message_begin(&enc, &h) &&
        vccw_xdr_put_i32(&enc, callback_id) &&
        vccw_xdr_put_string(&enc, VCCW_RPC_STRING_MAX, dev) &&
        (!lifecycle || (vccw_xdr_put_i32(&enc, event) && vccw_xdr_put_i32(&enc, detail))))
        b = vccw_rpc_message_finish(&enc);
    vccw_xdr_enc_clear(&enc);
    return b;
}

GBytes *
vccw_rpc_event_lifecycle_msg(gint32 callback_id, const char *dev, gint32 event, gint32 detail)
{
    return event_msg(VCCW_PROC_NODE_DEVICE_EVENT_LIFECYCLE, callback_id, dev, true,
                     event, detail);
}

GBytes *
vccw_rpc_event_update_msg(gint32 callback_id, const char *dev)
{
    return event_msg(VCCW_PROC_NODE_DEVICE_EVENT_UPDATE, callback_id, dev, false, 0, 0);
}
