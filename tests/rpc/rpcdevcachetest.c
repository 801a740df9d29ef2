/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd's device cache (src/rpc/rpc_devcache.c) and its change sources
 * (src/rpc/rpc_watch.c), against the fake node-device driver:
 *
 *  - differential: the same calls (every list flag, every query on every
 *    device and on unknown names, every changing call, errors included)
 *    dispatched once straight to the driver and once through the cache
 *    must give byte-identical replies;
 *  - queries through a warm cache call the driver's read functions zero
 *    times; an unknown name costs one lookup;
 *  - changes behind the daemon's back: uevents (netlink and event-log
 *    form) re-read exactly the devices they name and give the lifecycle
 *    and update events; a lookup finds a device whose uevent is still on
 *    its way; module events, lost events and the own calls' marks; a
 *    ccw device's <state> changed without a uevent, then triggered;
 *  - the log tail (appends, partial lines, trimming, clearing) and the
 *    inotify directory watch (subdirectories, skipped ones, a directory
 *    that appears later).
 *
 * Every check is one TAP line (tests/testutils.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_nodedev_driver.h"
#include "rpc_devcache.h"
#include "rpc_message.h"
#include "rpc_procs.h"
#include "rpc_watch.h"
#include "testutils.h"
#include "vccw_error.h"
#include "xdr.h"

static void G_GNUC_PRINTF(2, 3)
check(bool ok, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *what = NULL;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vccw_test_check(ok, what, NULL);
}

/* ------------------------------------------------------------------ */
/* sessions */

typedef struct {
    VccwNodeDevDriver *drv;
    VccwRpcDevCache *cache;
    VccwRpcContext ctx;
    VccwRpcConn conn;
    guint32 serial;
} Session;

static void
session_init(Session *s, bool cached)
{
    memset(s, 0, sizeof(*s));
    s->drv = vccw_nodedev_driver_new(NULL, NULL);
    if (cached)
        s->cache = vccw_rpc_devcache_new(s->drv);
    s->ctx = (VccwRpcContext){ .drv = s->drv, .cache = s->cache, .hostname = (char *)"test",
                               .lib_version = 9000000, .hv_version = 1000 };
    vccw_rpc_conn_init(&s->conn, false);
}

static void
session_clear(Session *s)
{
    vccw_rpc_conn_clear(&s->conn);
    vccw_rpc_devcache_free(s->cache);
    vccw_nodedev_driver_free(s->drv);
}

/* A call: 'S' string, 's' optional string, 'i'/'u' 32-bit number. */
static GBytes *
build(gint32 proc, guint32 serial, const char *layout, va_list ap)
{
    VccwXdrEnc enc;
    VccwRpcHeader h = { VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_REMOTE_VERSION, proc,
                        VCCW_RPC_CALL, serial, VCCW_RPC_OK };
    GBytes *msg;

    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    vccw_rpc_message_begin(&enc, &h);
    for (const char *c = layout; *c; c++) {
        if (*c == 'S')
            vccw_xdr_put_string(&enc, VCCW_RPC_STRING_MAX, va_arg(ap, const char *));
        else if (*c == 's')
            vccw_xdr_put_opt_string(&enc, VCCW_RPC_STRING_MAX, va_arg(ap, const char *));
        else
            vccw_xdr_put_u32(&enc, va_arg(ap, guint32));
    }
    msg = vccw_rpc_message_finish(&enc);
    vccw_xdr_enc_clear(&enc);
    return msg;
}

static GBytes *
call_one(Session *s, gint32 proc, const char *layout, va_list ap)
{
    g_autoptr(GBytes) msg = build(proc, s->serial++, layout, ap);
    VccwRpcResult res;

    vccw_rpc_dispatch(&s->ctx, &s->conn, g_bytes_get_data(msg, NULL), g_bytes_get_size(msg),
                      &res);
    if (s->cache && res.changed)
        vccw_rpc_devcache_flush(s->cache);   /* what the server does */
    return res.reply;
}

static GBytes *
call(Session *s, gint32 proc, const char *layout, ...)
{
    va_list ap;
    GBytes *r;

    va_start(ap, layout);
    r = call_one(s, proc, layout, ap);
    va_end(ap);
    return r;
}

static Session plain, cached;
static guint compared, differed;

/* The same call on both sessions; the replies must be the same bytes. */
static void
both(const char *what, gint32 proc, const char *layout, ...)
{
    va_list ap, ap2;
    g_autoptr(GBytes) a = NULL;
    g_autoptr(GBytes) b = NULL;

    cached.serial = plain.serial;
    va_start(ap, layout);
    va_copy(ap2, ap);
    a = call_one(&plain, proc, layout, ap);
    b = call_one(&cached, proc, layout, ap2);
    va_end(ap2);
    va_end(ap);
    compared++;
    if (!a || !b || !g_bytes_equal(a, b)) {
        differed++;
        if (differed <= 10) {
            vccw_test_diag("differs: %s", what);
            if (g_getenv("RPCDEVCACHE_DEBUG") && a && b) {
                vccw_test_diag("%zu vs %zu", g_bytes_get_size(a), g_bytes_get_size(b));
                for (gsize k = 0; k < MIN(g_bytes_get_size(a), g_bytes_get_size(b)); k++)
                    if (((const guint8 *)g_bytes_get_data(a, NULL))[k] !=
                        ((const guint8 *)g_bytes_get_data(b, NULL))[k]) {
                        vccw_test_diag("first difference at byte %zu", (size_t)k);
                        break;
                    }
            }
        }
    }
}

/* Names in a LIST_ALL reply. */
static GStrv
reply_names(GBytes *reply)
{
    VccwRpcHeader h;
    const guint8 *body;
    size_t len;
    VccwXdrDec dec;
    char **names = NULL;

    if (!reply || !vccw_rpc_message_parse(g_bytes_get_data(reply, NULL), g_bytes_get_size(reply),
                                          &h, &body, &len, NULL) || h.status != VCCW_RPC_OK)
        return NULL;
    vccw_xdr_dec_init(&dec, body, len);
    if (!vccw_xdr_get_string_array(&dec, 65536, VCCW_RPC_STRING_MAX, &names)) {
        g_strfreev(names);
        names = NULL;
    }
    vccw_xdr_dec_clear(&dec);
    return names;
}

static GStrv
all_names(Session *s)
{
    g_autoptr(GBytes) r = call(s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "iu", 1,
                               VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE);
    return reply_names(r);
}

static const char *const cap_names[] = {
    NULL, "system", "css", "ccw", "mdev", "mdev_types", "pci", "ap_matrix", "bogus",
};
static const char *const unknown_names[] = {
    "css_0_0_9999", "ccw_0_0_9999", "css_0_0_52", "mdev_nothing", "computer2", "",
};

/* Every query, on every device and on some that do not exist. */
static void
sweep(const char *when, bool with_unknown)
{
    g_auto(GStrv) names = all_names(&plain);
    static const guint32 states[] = {
        0, VCCW_LIST_ACTIVE, VCCW_LIST_INACTIVE, VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
        VCCW_LIST_PERSISTENT, VCCW_LIST_TRANSIENT, VCCW_LIST_INACTIVE | VCCW_LIST_PERSISTENT,
        VCCW_LIST_ACTIVE | VCCW_LIST_TRANSIENT, VCCW_LIST_PERSISTENT | VCCW_LIST_TRANSIENT,
    };

    for (guint bit = 0; bit <= 22; bit++) {
        guint32 cap = bit < 22 ? 1u << bit : 0;
        for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
            g_autofree char *what = g_strdup_printf("%s: list-all 0x%x", when, cap | states[i]);
            both(what, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "iu", 1, cap | states[i]);
            both(what, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "iu", 0, cap | states[i]);
        }
    }
    both(when, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "iu", 1,
         VCCW_LIST_CAP_CSS_DEV | VCCW_LIST_CAP_MDEV | VCCW_LIST_INACTIVE);
    both(when, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, "iu", 1,
         VCCW_LIST_CAP_MDEV_TYPES | VCCW_LIST_CAP_CCW_DEV | VCCW_LIST_ACTIVE);
    for (size_t i = 0; i < G_N_ELEMENTS(cap_names); i++) {
        g_autofree char *what = g_strdup_printf("%s: list %s", when, cap_names[i]);
        both(what, VCCW_PROC_NODE_NUM_OF_DEVICES, "su", cap_names[i], 0);
        both(what, VCCW_PROC_NODE_LIST_DEVICES, "siu", cap_names[i], 1000, 0);
        both(what, VCCW_PROC_NODE_LIST_DEVICES, "siu", cap_names[i], 2, 0);
        both(what, VCCW_PROC_NODE_LIST_DEVICES, "siu", cap_names[i], 0, 0);
    }
    for (guint i = 0; names && names[i]; i++) {
        const char *n = names[i];
        g_autofree char *what = g_strdup_printf("%s: %s", when, n);

        both(what, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", n, 0);
        both(what, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", n, 1);
        both(what, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", n, 2);
        both(what, VCCW_PROC_NODE_DEVICE_GET_PARENT, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_NUM_OF_CAPS, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_LIST_CAPS, "Si", n, 10);
        both(what, VCCW_PROC_NODE_DEVICE_LIST_CAPS, "Si", n, 1);
        both(what, VCCW_PROC_NODE_DEVICE_IS_ACTIVE, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_IS_PERSISTENT, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_GET_AUTOSTART, "S", n);
    }
    for (size_t i = 0; with_unknown && i < G_N_ELEMENTS(unknown_names); i++) {
        const char *n = unknown_names[i];
        g_autofree char *what = g_strdup_printf("%s: unknown %s", when, n);

        both(what, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", n, 0);
        both(what, VCCW_PROC_NODE_DEVICE_GET_PARENT, "S", n);
        both(what, VCCW_PROC_NODE_DEVICE_LIST_CAPS, "Si", n, 10);
        both(what, VCCW_PROC_NODE_DEVICE_IS_ACTIVE, "S", n);
    }
}

#define MDEV_XML(uuid, parent) \
    "<device><parent>" parent "</parent><capability type='mdev'>" \
    "<type id='vfio_ccw-io'/><uuid>" uuid "</uuid></capability></device>"
#define UUID_A "90c6c135-ad44-41d0-b1b7-bae47de48627"
#define UUID_B "5a4a1e2c-3a8d-4b8e-9c61-0f1e2d3c4b5a"
#define NAME_A "mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0052"
#define NAME_B "mdev_5a4a1e2c_3a8d_4b8e_9c61_0f1e2d3c4b5a_0_0_0052"
#define M53 "mdev_11111111_1111_4111_8111_111111111111_0_0_0053"
#define M54 "mdev_22222222_2222_4222_8222_222222222222_0_0_0054"

static void
test_differential(void)
{
    session_init(&plain, false);
    session_init(&cached, true);
    both("open", VCCW_PROC_CONNECT_OPEN, "su", "nodedev:///system", 0);
    sweep("start", true);

    both("create", VCCW_PROC_NODE_DEVICE_CREATE_XML, "Su", MDEV_XML(UUID_A, "css_0_0_0052"), 0);
    sweep("after create", false);
    both("create again", VCCW_PROC_NODE_DEVICE_CREATE_XML, "Su",
         MDEV_XML(UUID_A, "css_0_0_0052"), 0);
    both("create, bad parent", VCCW_PROC_NODE_DEVICE_CREATE_XML, "Su",
         MDEV_XML(UUID_B, "css_0_0_9999"), 0);
    both("destroy", VCCW_PROC_NODE_DEVICE_DESTROY, "S", NAME_A);
    sweep("after destroy", false);
    both("define", VCCW_PROC_NODE_DEVICE_DEFINE_XML, "Su", MDEV_XML(UUID_B, "css_0_0_0052"), 0);
    sweep("after define", false);
    both("autostart", VCCW_PROC_NODE_DEVICE_SET_AUTOSTART, "Si", NAME_B, 1);
    both("get autostart", VCCW_PROC_NODE_DEVICE_GET_AUTOSTART, "S", NAME_B);
    both("start", VCCW_PROC_NODE_DEVICE_CREATE, "Su", NAME_B, 0);
    sweep("after start", false);
    both("start again", VCCW_PROC_NODE_DEVICE_CREATE, "Su", NAME_B, 0);
    both("undefine active", VCCW_PROC_NODE_DEVICE_UNDEFINE, "Su", NAME_B, 0);
    sweep("after undefine of an active one", false);
    both("destroy", VCCW_PROC_NODE_DEVICE_DESTROY, "S", NAME_B);
    both("start M54", VCCW_PROC_NODE_DEVICE_CREATE, "Su", M54, 0);
    both("destroy M53", VCCW_PROC_NODE_DEVICE_DESTROY, "S", M53);
    sweep("after M53/M54", false);
    both("detach online", VCCW_PROC_NODE_DEVICE_DETTACH, "S", "css_0_0_fffe");
    both("detach fffd", VCCW_PROC_NODE_DEVICE_DETTACH, "S", "css_0_0_fffd");
    sweep("after detach fffd", false);
    both("detach force", VCCW_PROC_NODE_DEVICE_DETACH_FLAGS, "Ssu", "css_0_0_fffe", "vfio", 2);
    sweep("after detach fffe", false);
    both("reattach fffe", VCCW_PROC_NODE_DEVICE_RE_ATTACH, "S", "css_0_0_fffe");
    both("reattach 0053", VCCW_PROC_NODE_DEVICE_RE_ATTACH, "S", "css_0_0_0053");
    both("detach unknown", VCCW_PROC_NODE_DEVICE_DETTACH, "S", "css_0_0_9999");
    both("undefine unknown", VCCW_PROC_NODE_DEVICE_UNDEFINE, "Su", NAME_A, 0);
    sweep("end", true);
    check(differed == 0 && compared > 1000,
          "cached and uncached replies are the same bytes (%u of %u differ)", differed, compared);
}

/* Queries through the warm cache do not reach the driver. */
static void
test_no_driver_reads(void)
{
    guint lists = fake_nodedev_list_calls, lookups = fake_nodedev_lookup_calls;
    g_auto(GStrv) names = all_names(&cached);
    guint n = 0;

    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < G_N_ELEMENTS(cap_names); i++, n++)
            g_bytes_unref(call(&cached, VCCW_PROC_NODE_LIST_DEVICES, "siu", cap_names[i], 1000, 0));
        for (guint i = 0; names && names[i]; i++, n += 4) {
            g_bytes_unref(call(&cached, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, "S", names[i]));
            g_bytes_unref(call(&cached, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", names[i], 0));
            g_bytes_unref(call(&cached, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, "Su", names[i], 1));
            g_bytes_unref(call(&cached, VCCW_PROC_NODE_DEVICE_LIST_CAPS, "Si", names[i], 10));
        }
    }
    check(fake_nodedev_list_calls == lists && fake_nodedev_lookup_calls == lookups,
          "%u queries on a warm cache: %u driver lists, %u driver lookups", n,
          fake_nodedev_list_calls - lists, fake_nodedev_lookup_calls - lookups);
    {
        g_bytes_unref(call(&cached, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, "S", "css_0_0_9999"));
        check(fake_nodedev_lookup_calls == lookups + 1 && fake_nodedev_list_calls == lists,
              "an unknown name costs one driver lookup (%u)", fake_nodedev_lookup_calls - lookups);
    }
    session_clear(&plain);
    session_clear(&cached);
}

/* ------------------------------------------------------------------ */
/* changes behind the daemon's back */

static GArray *got;     /* VccwRpcEvent */

static void
collect(GArray *events, gpointer opaque)
{
    for (guint i = 0; i < events->len; i++) {
        VccwRpcEvent *e = &g_array_index(events, VccwRpcEvent, i);
        VccwRpcEvent copy = { g_strdup(e->name), e->event_id, e->event };
        g_array_append_val(got, copy);
    }
}

/* The events since the last call, as "name:L<event>" / "name:U", joined by spaces. */
static char *
events_text(void)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; i < got->len; i++) {
        const VccwRpcEvent *e = &g_array_index(got, VccwRpcEvent, i);
        if (s->len)
            g_string_append_c(s, ' ');
        if (e->event_id == VCCW_NODEDEV_EVENT_ID_LIFECYCLE)
            g_string_append_printf(s, "%s:L%d", e->name, e->event);
        else
            g_string_append_printf(s, "%s:U", e->name);
    }
    g_array_set_size(got, 0);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static bool
listed(VccwRpcDevCache *c, unsigned int flags, const char *name)
{
    g_autoptr(GPtrArray) defs = vccw_rpc_devcache_list(c, flags);

    for (guint i = 0; i < defs->len; i++)
        if (g_str_equal(((const VccwNodeDevDef *)g_ptr_array_index(defs, i))->name, name))
            return true;
    return false;
}

static void
expect_events(const char *what, const char *want)
{
    g_autofree char *have = events_text();

    check(g_str_equal(have, want), "%s: events '%s' (want '%s')", what, have, want);
}

/* A netlink message: header, then KEY=VALUE strings. */
static GByteArray *
netlink_msg(const char *action, const char *devpath, const char *subsystem)
{
    GByteArray *b = g_byte_array_new();
    g_autofree char *head = g_strdup_printf("%s@%s", action, devpath);
    g_autofree char *a = g_strdup_printf("ACTION=%s", action);
    g_autofree char *d = g_strdup_printf("DEVPATH=%s", devpath);
    g_autofree char *s = g_strdup_printf("SUBSYSTEM=%s", subsystem);
    const char *parts[] = { head, a, d, s, "SEQNUM=1234" };

    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
        g_byte_array_append(b, (const guint8 *)parts[i], (guint)strlen(parts[i]) + 1);
    return b;
}

static void
test_behind_the_back(void)
{
    g_autoptr(VccwNodeDevDriver) drv = vccw_nodedev_driver_new(NULL, NULL);
    g_autoptr(VccwRpcDevCache) c = vccw_rpc_devcache_new(drv);
    g_autoptr(GError) err = NULL;
    VccwRpcDevCacheStats st, st2;
    VccwNodeDevDef *def;
    const VccwNodeDevDef *cdef;
    bool ok;

    got = vccw_rpc_events_new_array();
    vccw_rpc_devcache_set_event_func(c, collect, NULL);
    vccw_rpc_devcache_set_listening(c, true);
    expect_events("first load", "");
    vccw_rpc_devcache_get_stats(c, &st);
    check(st.full_reads == 1 && st.devices == 9, "one full read, 9 devices (%" G_GUINT64_FORMAT
          ", %" G_GUINT64_FORMAT ")", st.full_reads, st.devices);

    /* an mdev appears (another program): stale until its uevent */
    def = vccw_nodedev_create_xml(drv, MDEV_XML(UUID_A, "css_0_0_0052"),
                                  strlen(MDEV_XML(UUID_A, "css_0_0_0052")), &err);
    check(def != NULL, "create behind the back");
    vccw_nodedev_def_free(def);
    check(!listed(c, VCCW_LIST_CAP_MDEV, NAME_A), "not seen before its uevent");
    {
        g_autoptr(GByteArray) m = netlink_msg("add", "/devices/css0/0.0.0052/" UUID_A, "mdev");
        g_autoptr(GByteArray) v = netlink_msg("add", "/devices/virtual/vfio/0", "vfio");
        check(vccw_rpc_devcache_netlink_uevent(c, (const char *)m->data, m->len),
              "mdev add uevent marks");
        check(!vccw_rpc_devcache_netlink_uevent(c, (const char *)v->data, v->len),
              "vfio uevent marks nothing");
    }
    check(vccw_rpc_devcache_pending(c), "pending after the uevent");
    check(listed(c, VCCW_LIST_CAP_MDEV, NAME_A), "seen after its uevent");
    expect_events("mdev add", "css_0_0_0052:U " NAME_A ":L0");
    vccw_rpc_devcache_get_stats(c, &st2);
    check(st2.full_reads == st.full_reads && st2.mdev_reads == st.mdev_reads &&
          st2.mdev_uuid_reads == st.mdev_uuid_reads + 1 &&
          st2.device_reads == st.device_reads + 1,
          "the uevent re-read that mdev's UUID and one subchannel, not the mdev set (%"
          G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT ")",
          st2.full_reads - st.full_reads, st2.mdev_reads - st.mdev_reads,
          st2.mdev_uuid_reads - st.mdev_uuid_reads, st2.device_reads - st.device_reads);

    /* the same from the event log of a simulated host */
    ok = vccw_nodedev_destroy(drv, NAME_A, &err);
    check(ok, "destroy behind the back");
    check(vccw_rpc_devcache_log_uevent(c, "UEVENT: remove@/devices/css0/0.0.0052/" UUID_A
                                          " SUBSYSTEM=mdev"), "log line marks");
    check(!vccw_rpc_devcache_log_uevent(c, "KMSG: vfio_ccw_mdev " UUID_A ": Removing"),
          "kernel messages mark nothing");
    check(!vccw_rpc_devcache_log_uevent(c, "UEVENT: add@/devices/css0/chp0.40 SUBSYSTEM=css"),
          "channel paths mark nothing");
    vccw_rpc_devcache_flush(c);
    expect_events("mdev remove", "css_0_0_0052:U " NAME_A ":L1");
    check(!listed(c, VCCW_LIST_CAP_MDEV | VCCW_LIST_INACTIVE, NAME_A), "gone after remove");

    /* a lookup finds a device whose uevent has not come yet */
    def = vccw_nodedev_define_xml(drv, MDEV_XML(UUID_B, "css_0_0_0052"),
                                  strlen(MDEV_XML(UUID_B, "css_0_0_0052")), &err);
    check(def != NULL, "define behind the back");
    vccw_nodedev_def_free(def);
    cdef = vccw_rpc_devcache_lookup(c, NAME_B, &err);
    check(cdef && cdef->persistent && !cdef->active, "lookup of a device not yet seen");
    expect_events("found by lookup", NAME_B ":L2");
    check(listed(c, VCCW_LIST_CAP_MDEV | VCCW_LIST_INACTIVE, NAME_B), "then listed");
    vccw_rpc_devcache_get_stats(c, &st);
    check(st.misses == 1, "one miss (%" G_GUINT64_FORMAT ")", st.misses);
    check(vccw_rpc_devcache_lookup(c, "css_0_0_9999", &err) == NULL &&
          g_error_matches(err, VCCW_ERROR, VCCW_ERR_NO_NODE_DEVICE),
          "unknown device: the driver's error");
    g_clear_error(&err);
    expect_events("unknown device", "");

    /* the store changed (inotify says only that): the mdev set is re-read */
    ok = vccw_nodedev_set_autostart(drv, NAME_B, true, &err);
    check(ok, "autostart behind the back");
    vccw_rpc_devcache_mark_mdevs(c);
    vccw_rpc_devcache_flush(c);
    expect_events("autostart", NAME_B ":U");
    /* a definition file changed (inotify names it): that UUID alone */
    ok = vccw_nodedev_set_autostart(drv, NAME_B, false, &err);
    check(ok, "autostart off behind the back");
    check(!vccw_rpc_devcache_mark_mdev_uuid(c, "not-a-uuid"), "a file that is no UUID");
    check(vccw_rpc_devcache_mark_mdev_uuid(c, UUID_B), "a definition file marks its UUID");
    vccw_rpc_devcache_get_stats(c, &st);
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st2);
    expect_events("autostart off", NAME_B ":U");
    check(st2.mdev_uuid_reads == st.mdev_uuid_reads + 1 && st2.mdev_reads == st.mdev_reads,
          "re-read one UUID, not the mdev set");

    /* a subchannel bound to vfio_ccw: its online ccw device goes */
    ok = vccw_nodedev_detach(drv, "css_0_0_fffe", VCCW_DETACH_FORCE, &err);
    check(ok, "detach behind the back");
    check(vccw_rpc_devcache_mark_uevent(c, "unbind", "/devices/css0/0.0.fffe", "css"),
          "css unbind marks");
    vccw_rpc_devcache_flush(c);
    expect_events("detach", "ccw_0_0_5000:L1 css_0_0_fffe:U");
    check(listed(c, VCCW_LIST_CAP_MDEV_TYPES, "css_0_0_fffe"), "now has mdev types");
    ok = vccw_nodedev_reattach(drv, "css_0_0_fffe", 0, &err);
    check(ok, "reattach behind the back");
    vccw_rpc_devcache_mark_uevent(c, "bind", "/devices/css0/0.0.fffe", "css");
    vccw_rpc_devcache_flush(c);
    expect_events("reattach", "css_0_0_fffe:U");

    /* a DASD going offline shows as a block device below the ccw device */
    check(vccw_rpc_devcache_mark_uevent(c, "remove",
                                        "/devices/css0/0.0.fffe/0.0.5000/block/dasda", "block"),
          "block uevent below a ccw device marks");
    vccw_rpc_devcache_get_stats(c, &st);
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st2);
    check(st2.device_reads - st.device_reads == 2 && st2.mdev_reads == st.mdev_reads,
          "re-read the subchannel and the ccw device (%" G_GUINT64_FORMAT ")",
          st2.device_reads - st.device_reads);
    expect_events("nothing changed", "");

    /* an OSA group going online: the group (a node device since libvirt
     * 11.1) and its ccw devices, no uevent of their own */
    guint64 reads_before = st2.device_reads;
    check(vccw_rpc_devcache_mark_uevent(c, "add", "/devices/qeth/0.0.f500/net/encf500", "net"),
          "a net device of a ccwgroup marks");
    check(!vccw_rpc_devcache_mark_uevent(c, "add", "/devices/virtual/net/lo", "net"),
          "other net devices mark nothing");
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st);
    check(st.ccw_reads == 1 && st.full_reads == st2.full_reads, "the ccw devices re-read");
    check(st.device_reads == reads_before + 1, "the group ccwgroup_0_0_f500 re-read");
    check(vccw_rpc_devcache_mark_uevent(c, "change", "/devices/qeth/0.0.f500", "ccwgroup"),
          "a ccwgroup uevent marks");
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st);
    check(st.ccw_reads == 2, "the ccw devices re-read again");
    expect_events("ccwgroup", "");

    /* vfio_ccw unloaded: everything */
    check(vccw_rpc_devcache_mark_uevent(c, "remove", "/module/vfio_ccw", "module"),
          "module uevent marks");
    check(!vccw_rpc_devcache_mark_uevent(c, "add", "/module/dasd_mod", "module"),
          "other modules mark nothing");
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st2);
    check(st2.full_reads == st.full_reads + 1, "a full re-read");

    /* own calls */
    ok = vccw_nodedev_undefine(drv, NAME_B, &err);
    check(ok, "undefine");
    vccw_rpc_devcache_get_stats(c, &st);
    vccw_rpc_devcache_mark_call(c, NAME_B);
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st2);
    expect_events("own undefine", NAME_B ":L3");
    check(st2.mdev_uuid_reads == st.mdev_uuid_reads + 1 && st2.mdev_reads == st.mdev_reads,
          "an mdev call re-reads its UUID, not the mdev set");
    /* a failed create names no device: the mdev set */
    vccw_rpc_devcache_mark_call(c, NULL);
    vccw_rpc_devcache_flush(c);
    vccw_rpc_devcache_get_stats(c, &st);
    check(st.mdev_reads == st2.mdev_reads + 1, "a call without a name re-reads the mdev set");
    expect_events("failed create", "");

    /* nobody listens: no events, the content still follows */
    vccw_rpc_devcache_set_listening(c, false);
    def = vccw_nodedev_create_xml(drv, MDEV_XML(UUID_A, "css_0_0_0052"),
                                  strlen(MDEV_XML(UUID_A, "css_0_0_0052")), &err);
    vccw_nodedev_def_free(def);
    vccw_rpc_devcache_mark_call(c, NAME_A);
    check(listed(c, VCCW_LIST_CAP_MDEV, NAME_A), "listed without listeners");
    expect_events("no listeners", "");
    {
        const char *x1 = vccw_rpc_devcache_xml(c, "css_0_0_0052", false, &err);
        const char *x2 = vccw_rpc_devcache_xml(c, "css_0_0_0052", false, &err);
        const char *x3 = vccw_rpc_devcache_xml(c, "css_0_0_0052", true, &err);
        check(x1 && x1 == x2 && x3 && x3 != x1 && strstr(x1, "<availableInstances>0<") &&
              !strstr(x3, "<path>"), "XML is formatted once per version and form");
    }
    g_array_unref(got);
}

/* A ccw device set on- or offline (libvirt 11.3's <state>): the kernel
 * sends no uevent, so the cache, like libvirt's udev backend, keeps what
 * it read until a uevent names the device (udevadm trigger, netlink or a
 * simulated host's log) or something below it; then an UPDATE event, and
 * the device stays listed either way. */
static void
test_ccw_state(void)
{
    g_autoptr(VccwNodeDevDriver) drv = vccw_nodedev_driver_new(NULL, NULL);
    g_autoptr(VccwRpcDevCache) c = NULL;
    g_autoptr(GError) err = NULL;
    const char *xml;

    g_assert(fake_nodedev_set_ccw_state(drv, "ccw_0_0_5000", VCCW_CCW_STATE_ONLINE));
    check(!fake_nodedev_set_ccw_state(drv, "css_0_0_fffe", VCCW_CCW_STATE_ONLINE),
          "the fake sets ccw devices only");
    c = vccw_rpc_devcache_new(drv);
    got = vccw_rpc_events_new_array();
    vccw_rpc_devcache_set_event_func(c, collect, NULL);
    vccw_rpc_devcache_set_listening(c, true);
    xml = vccw_rpc_devcache_xml(c, "ccw_0_0_5000", false, &err);
    check(xml && strstr(xml, "<state>online</state>"), "online at start");

    g_assert(fake_nodedev_set_ccw_state(drv, "ccw_0_0_5000", VCCW_CCW_STATE_OFFLINE));
    check(!vccw_rpc_devcache_pending(c), "no uevent: nothing marked");
    xml = vccw_rpc_devcache_xml(c, "ccw_0_0_5000", false, &err);
    check(xml && strstr(xml, "<state>online</state>"), "still online, as libvirt 11.3 says");
    expect_events("offline without a uevent", "");

    /* udevadm trigger -c change, as netlink brings it */
    {
        g_autoptr(GByteArray) m = netlink_msg("change", "/devices/css0/0.0.fffe/0.0.5000", "ccw");

        check(vccw_rpc_devcache_netlink_uevent(c, (const char *)m->data, m->len),
              "a ccw change uevent marks");
    }
    xml = vccw_rpc_devcache_xml(c, "ccw_0_0_5000", false, &err);
    check(xml && strstr(xml, "<state>offline</state>"), "offline after the trigger");
    check(listed(c, VCCW_LIST_CAP_CCW_DEV, "ccw_0_0_5000"), "offline and listed");
    expect_events("trigger", "ccw_0_0_5000:U");

    /* the same from a simulated host's log (its trigger's line) */
    g_assert(fake_nodedev_set_ccw_state(drv, "ccw_0_0_5000", VCCW_CCW_STATE_ONLINE));
    check(vccw_rpc_devcache_log_uevent(c, "UEVENT: change@/devices/css0/0.0.fffe/0.0.5000 "
                                          "SUBSYSTEM=ccw SYNTH_UUID=0 DRIVER=dasd-eckd "
                                          "CU_TYPE=3990 CU_MODEL=E9 DEV_TYPE=3390 DEV_MODEL=0C "
                                          "MODALIAS=ccw:t3990mE9dt3390dm0C"),
          "the simulated host's trigger marks");
    vccw_rpc_devcache_flush(c);
    expect_events("online by the log", "ccw_0_0_5000:U");
    xml = vccw_rpc_devcache_xml(c, "ccw_0_0_5000", false, &err);
    check(xml && strstr(xml, "<state>online</state>"), "online again");

    /* a DASD's block device going with it: virtccwd re-reads the ccw
     * device too (libvirt would only add or remove the block device) */
    g_assert(fake_nodedev_set_ccw_state(drv, "ccw_0_0_5000", VCCW_CCW_STATE_OFFLINE));
    check(vccw_rpc_devcache_mark_uevent(c, "remove",
                                        "/devices/css0/0.0.fffe/0.0.5000/block/dasda", "block"),
          "the block device's uevent marks");
    vccw_rpc_devcache_flush(c);
    expect_events("offline with the block device", "ccw_0_0_5000:U");
    /* no change, no event */
    vccw_rpc_devcache_mark_uevent(c, "change", "/devices/css0/0.0.fffe/0.0.5000", "ccw");
    vccw_rpc_devcache_flush(c);
    expect_events("a trigger without a change", "");
    g_array_unref(got);
}

/* ------------------------------------------------------------------ */
/* the log tail and the directory watch */

static void
append(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");

    g_assert(f);
    fputs(text, f);
    fclose(f);
}

static char *
joined(GPtrArray *lines)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; lines && i < lines->len; i++)
        g_string_append_printf(s, "%s|", (const char *)g_ptr_array_index(lines, i));
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
test_log_tail(const char *tmp)
{
    g_autofree char *path = g_build_filename(tmp, "events", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwRpcLogTail) t = NULL;
    bool lost;

    g_assert(g_file_set_contents(path, "old 1\nold 2\n", -1, NULL));
    t = vccw_rpc_log_tail_new(path, &err);
    check(t != NULL, "tail opens");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(l && !lost && g_str_equal(j, ""), "history is skipped ('%s')", j);
    }
    append(path, "new 1\nnew 2\npart");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(!lost && g_str_equal(j, "new 1|new 2|"), "new lines, not the partial one ('%s')", j);
    }
    append(path, "ial\nold 2\n");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(!lost && g_str_equal(j, "partial|old 2|"), "the rest and a repeated line ('%s')", j);
    }
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l && l->len == 0 && !lost, "nothing new");
    }
    /* trimmed at the head (the simulated host keeps the newest lines) */
    g_assert(g_file_set_contents(path, "new 2\npartial\nold 2\nnewer\n", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l && lost && l->len == 0, "trimmed: lines may be lost");
    }
    append(path, "after\n");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(!lost && g_str_equal(j, "after|"), "continues after a trim ('%s')", j);
    }
    g_assert(g_file_set_contents(path, "", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l && lost, "cleared: lines may be lost");
    }
    append(path, "one\n");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(!lost && g_str_equal(j, "one|"), "continues after a clear ('%s')", j);
    }
    unlink(path);
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l == NULL && err, "a vanished log is an error");
    }
    g_clear_error(&err);
    /* an empty log (a fresh simulated host) */
    g_assert(g_file_set_contents(path, "", -1, NULL));
    {
        g_autoptr(VccwRpcLogTail) e = vccw_rpc_log_tail_new(path, &err);
        g_autoptr(GPtrArray) l1 = e ? vccw_rpc_log_tail_read(e, &lost, &err) : NULL;
        g_autoptr(GPtrArray) l2 = NULL;
        g_autofree char *j = NULL;

        check(l1 && l1->len == 0 && !lost, "empty log: nothing");
        append(path, "first\n");
        l2 = e ? vccw_rpc_log_tail_read(e, &lost, &err) : NULL;
        j = joined(l2);
        check(!lost && g_str_equal(j, "first|"), "empty log: then its first line ('%s')", j);
    }
    unlink(path);
}

/* A log with PATH-base (a simulated host's events-base, issue 15): a
 * dropped segment moves the base, and the tail goes on by offsets instead
 * of reporting loss (which made virtccwd re-read every device). */
static void
test_log_tail_base(const char *tmp)
{
    g_autofree char *path = g_build_filename(tmp, "seglog", NULL);
    g_autofree char *base = g_build_filename(tmp, "seglog-base", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwRpcLogTail) t = NULL;
    bool lost;

    g_assert(g_file_set_contents(path, "a1\na2\n", -1, NULL));
    g_assert(g_file_set_contents(base, "0\n", -1, NULL));
    t = vccw_rpc_log_tail_new(path, &err);
    check(t != NULL, "base: tail opens");
    if (!t)
        return;
    append(path, "b1\nb2\n");
    /* the segment "a1\na2\n" (6 bytes) is dropped */
    g_assert(g_file_set_contents(path, "b1\nb2\nc1\n", -1, NULL));
    g_assert(g_file_set_contents(base, "6\n", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(l && !lost && g_str_equal(j, "b1|b2|c1|"), "base: a dropped segment read past is no loss ('%s')", j);
    }
    /* its last line dropped too, nothing unread: still no loss */
    g_assert(g_file_set_contents(path, "d1\n", -1, NULL));
    g_assert(g_file_set_contents(base, "15\n", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(l && !lost && g_str_equal(j, "d1|"), "base: the last line read dropped, nothing unread ('%s')", j);
    }
    /* a clear after everything was read */
    g_assert(g_file_set_contents(path, "", -1, NULL));
    g_assert(g_file_set_contents(base, "18\n", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l && l->len == 0 && !lost, "base: a clear of what was read is no loss");
    }
    /* lines dropped before they were read: lost, then on from the end */
    g_assert(g_file_set_contents(path, "f1\n", -1, NULL));
    g_assert(g_file_set_contents(base, "21\n", -1, NULL));
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        check(l && lost && l->len == 0, "base: unread lines dropped are a loss");
    }
    append(path, "f2\n");
    {
        g_autoptr(GPtrArray) l = vccw_rpc_log_tail_read(t, &lost, &err);
        g_autofree char *j = joined(l);
        check(l && !lost && g_str_equal(j, "f2|"), "base: continues after a loss ('%s')", j);
    }
    unlink(path);
    unlink(base);
}

static void
test_dir_watch(const char *tmp)
{
    static const char *const skip[] = { "scripts.d", NULL };
    g_autofree char *dir = g_build_filename(tmp, "mdevctl.d", NULL);
    g_autofree char *sub = g_build_filename(dir, "0.0.0052", NULL);
    g_autofree char *scripts = g_build_filename(dir, "scripts.d", NULL);
    g_autofree char *file = g_build_filename(sub, UUID_A, NULL);
    g_autofree char *tmpfile = g_build_filename(sub, ".tmp", NULL);
    g_autofree char *script = g_build_filename(scripts, "x", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwRpcDirWatch) w = vccw_rpc_dir_watch_new(dir, skip, &err);

    check(w != NULL, "watch a directory that does not exist yet (%s)", err ? err->message : "");
    if (!w)
        return;
    check(!vccw_rpc_dir_watch_read(w, NULL), "nothing at first");
    g_assert(mkdir(dir, 0755) == 0);
    check(vccw_rpc_dir_watch_read(w, NULL), "the directory appears");
    g_assert(mkdir(sub, 0755) == 0 && mkdir(scripts, 0755) == 0);
    check(vccw_rpc_dir_watch_read(w, NULL), "a parent directory appears");
    g_assert(g_file_set_contents(script, "#!/bin/sh\n", -1, NULL));
    check(!vccw_rpc_dir_watch_read(w, NULL), "scripts.d is not watched");
    /* the store writes a temporary file and renames it: the file names
     * come along (the UUID tells the cache which mdev to re-read) */
    g_assert(g_file_set_contents(tmpfile, "{}", -1, NULL) && rename(tmpfile, file) == 0);
    {
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
        bool uuid_named = false, unnamed = false;

        check(vccw_rpc_dir_watch_read(w, files), "a definition appears");
        for (guint i = 0; i < files->len; i++) {
            const char *f = g_ptr_array_index(files, i);
            uuid_named |= f && g_str_equal(f, UUID_A);
            unnamed |= !f;
        }
        check(uuid_named && !unnamed, "a definition's change names its file (%u names)",
              files->len);
    }
    check(!vccw_rpc_dir_watch_read(w, NULL), "read once");
    g_assert(unlink(file) == 0);
    check(vccw_rpc_dir_watch_read(w, NULL), "a definition goes");
    g_assert(rmdir(sub) == 0);
    {
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

        check(vccw_rpc_dir_watch_read(w, files), "a parent directory goes");
        check(files->len > 0 && g_ptr_array_find(files, NULL, NULL),
              "a parent directory's change names no file");
    }
    g_assert(unlink(script) == 0 && rmdir(scripts) == 0 && rmdir(dir) == 0);
    check(vccw_rpc_dir_watch_read(w, NULL), "the directory goes");
    g_assert(mkdir(dir, 0755) == 0 && mkdir(sub, 0755) == 0);
    check(vccw_rpc_dir_watch_read(w, NULL), "and comes back");
    g_assert(g_file_set_contents(file, "{}", -1, NULL));
    check(vccw_rpc_dir_watch_read(w, NULL), "watched again after it came back");
    unlink(file);
    rmdir(sub);
    rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_autofree char *tmp = g_dir_make_tmp("rpcdevcache-XXXXXX", NULL);

    g_assert(tmp);
    test_differential();
    test_no_driver_reads();
    test_behind_the_back();
    test_ccw_state();
    test_log_tail(tmp);
    test_log_tail_base(tmp);
    test_dir_watch(tmp);
    rmdir(tmp);
    return vccw_test_done();
}
