/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd protocol tests, data-driven:
 *
 *  - rpcdata/xdr-cases.txt: XDR decoding (and re-encoding) of hex input;
 *  - rpcdata/rpc-nodedev-session.txt: the real capture of virsh talking to
 *    libvirtd 9.0. Every message is parsed and checked against its
 *    annotation (header, error fields); error bodies are re-encoded from
 *    a virtccw GError and must give libvirt's bytes; the client's calls
 *    are dispatched (against the fake driver) and, where the answer does
 *    not depend on the host, our reply must equal libvirtd's byte for byte;
 *  - access rules, error replies, keepalive and event messages.
 *
 * Every check is one TAP line (tests/testutils.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_error.h"
#include "rpc_message.h"
#include "rpc_procs.h"
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

static GByteArray *
hex_decode(const char *hex)
{
    GByteArray *b = g_byte_array_new();
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        int v;
        if (g_ascii_isspace(*p))
            continue;
        if ((v = g_ascii_xdigit_value(*p)) < 0) {
            g_byte_array_unref(b);
            return NULL;
        }
        if (hi < 0) {
            hi = v;
        } else {
            guint8 byte = (guint8)(hi << 4 | v);
            g_byte_array_append(b, &byte, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        g_byte_array_unref(b);
        return NULL;
    }
    return b;
}

static char *
hex_encode(const guint8 *data, size_t len)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < len; i++)
        g_string_append_printf(s, "%02x", data[i]);
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ */
/* XDR cases */

static char *
xdr_run(const char *layout, const guint8 *data, size_t len, char **reencoded)
{
    VccwXdrDec dec;
    VccwXdrEnc enc;
    GString *out = g_string_new(NULL);
    bool ok = true;
    GBytes *b;

    vccw_xdr_dec_init(&dec, data, len);
    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    for (const char *c = layout; *c && ok; c++) {
        guint32 u;
        gint32 i;
        guint64 h;
        gint64 hs;
        bool bo;
        g_autofree char *s = NULL;
        g_autofree guint8 *op = NULL;
        size_t oplen;
        g_auto(GStrv) list = NULL;

        if (out->len)
            g_string_append_c(out, ' ');
        switch (*c) {
        case 'u':
            if ((ok = vccw_xdr_get_u32(&dec, &u))) {
                g_string_append_printf(out, "%u", u);
                vccw_xdr_put_u32(&enc, u);
            }
            break;
        case 'i':
            if ((ok = vccw_xdr_get_i32(&dec, &i))) {
                g_string_append_printf(out, "%d", i);
                vccw_xdr_put_i32(&enc, i);
            }
            break;
        case 'h':
            if ((ok = vccw_xdr_get_u64(&dec, &h))) {
                g_string_append_printf(out, "%" G_GUINT64_FORMAT, h);
                vccw_xdr_put_u64(&enc, h);
            }
            break;
        case 'H':
            if ((ok = vccw_xdr_get_i64(&dec, &hs))) {
                g_string_append_printf(out, "%" G_GINT64_FORMAT, hs);
                vccw_xdr_put_i64(&enc, hs);
            }
            break;
        case 'b':
            if ((ok = vccw_xdr_get_bool(&dec, &bo))) {
                g_string_append(out, bo ? "true" : "false");
                vccw_xdr_put_bool(&enc, bo);
            }
            break;
        case 'S':
            if ((ok = vccw_xdr_get_string(&dec, VCCW_RPC_STRING_MAX, &s))) {
                g_string_append_printf(out, "\"%s\"", s);
                vccw_xdr_put_string(&enc, VCCW_RPC_STRING_MAX, s);
            }
            break;
        case 's':
            if ((ok = vccw_xdr_get_opt_string(&dec, VCCW_RPC_STRING_MAX, &s))) {
                if (s)
                    g_string_append_printf(out, "\"%s\"", s);
                else
                    g_string_append(out, "NULL");
                vccw_xdr_put_opt_string(&enc, VCCW_RPC_STRING_MAX, s);
            }
            break;
        case 'o':
            if ((ok = vccw_xdr_get_opaque(&dec, 16, &op, &oplen))) {
                g_autofree char *hx = hex_encode(op, oplen);
                g_string_append_printf(out, "<%s>", hx);
                vccw_xdr_put_opaque(&enc, 16, op, oplen);
            }
            break;
        case 'L':
            if ((ok = vccw_xdr_get_string_array(&dec, 4, 8, &list))) {
                g_autofree char *j = g_strjoinv(",", list);
                g_string_append_printf(out, "[%s]", j);
                vccw_xdr_put_array_len(&enc, 4, g_strv_length(list));
                for (char **p = list; *p; p++)
                    vccw_xdr_put_string(&enc, 8, *p);
            }
            break;
        default:
            ok = false;
        }
    }
    if (ok)
        ok = vccw_xdr_dec_finish(&dec);
    vccw_xdr_dec_clear(&dec);
    b = vccw_xdr_enc_steal(&enc);
    vccw_xdr_enc_clear(&enc);
    if (b) {
        gsize n;
        const guint8 *d = g_bytes_get_data(b, &n);
        *reencoded = hex_encode(d, n);
        g_bytes_unref(b);
    }
    if (!ok) {
        g_string_free(out, TRUE);
        return g_strdup("error");
    }
    return g_string_free(out, FALSE);
}

static void
test_xdr_cases(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "xdr-cases.txt", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) err = NULL;
    int n = 0;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        check(false, "read %s: %s", path, err->message);
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = NULL;
        g_autoptr(GByteArray) in = NULL;
        g_autofree char *got = NULL, *re = NULL, *inhex = NULL;
        char *line = g_strstrip(*l);

        if (!*line || *line == '#')
            continue;
        f = g_strsplit(line, "|", 3);
        if (g_strv_length(f) != 3 || !(in = hex_decode(f[1]))) {
            check(false, "xdr-cases.txt: bad line '%s'", line);
            continue;
        }
        g_strstrip(f[0]);
        g_strstrip(f[2]);
        got = xdr_run(f[0], in->data, in->len, &re);
        check(g_str_equal(got, f[2]), "xdr %s | %s: got %s, want %s", f[0], f[1], got, f[2]);
        inhex = hex_encode(in->data, in->len);
        if (!g_str_equal(f[2], "error"))
            check(re && g_str_equal(re, inhex), "xdr %s | %s: re-encoded as %s", f[0], f[1],
                  re ? re : "(nothing)");
        n++;
    }
    check(n > 20, "xdr-cases.txt has cases (%d)", n);
}

/* ------------------------------------------------------------------ */
/* The capture */

typedef struct {
    bool to_server;
    GByteArray *bytes;
    char *annotation;   /* "## msg ..." line */
    char *detail;       /* "##   ..." line after it, or NULL */
} CapMsg;

static void
capmsg_free(gpointer p)
{
    CapMsg *m = p;

    g_byte_array_unref(m->bytes);
    g_free(m->annotation);
    g_free(m->detail);
    g_free(m);
}

/* Sessions: arrays of CapMsg in capture order. */
static GPtrArray *
capture_load(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GPtrArray *sessions = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    GPtrArray *cur = NULL;
    CapMsg *m = NULL;
    g_autoptr(GRegex) chunk = g_regex_new("^[<>] \\S+ \\S+\\s+chunk of \\d+ bytes \\((client|server)->", 0, 0, NULL);
    g_autoptr(GRegex) hexline = g_regex_new("^    [0-9a-f]{4}  ((?:[0-9a-f]{2} ?)+)", 0, 0, NULL);

    if (!g_file_get_contents(path, &text, NULL, err))
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_autoptr(GMatchInfo) mi = NULL;
        g_autoptr(GMatchInfo) mi2 = NULL;

        if (g_str_has_prefix(*l, "# SESSION")) {
            cur = g_ptr_array_new_with_free_func(capmsg_free);
            g_ptr_array_add(sessions, cur);
            m = NULL;
        } else if (cur && g_regex_match(chunk, *l, 0, &mi)) {
            g_autofree char *who = g_match_info_fetch(mi, 1);
            m = g_new0(CapMsg, 1);
            m->to_server = g_str_equal(who, "client");
            m->bytes = g_byte_array_new();
            g_ptr_array_add(cur, m);
        } else if (m && g_regex_match(hexline, *l, 0, &mi2)) {
            g_autofree char *hx = g_match_info_fetch(mi2, 1);
            g_autoptr(GByteArray) b = hex_decode(hx);
            if (b)
                g_byte_array_append(m->bytes, b->data, b->len);
        } else if (m && g_str_has_prefix(*l, "  ## msg ")) {
            m->annotation = g_strdup(g_strstrip(*l));
        } else if (m && m->annotation && !m->detail && g_str_has_prefix(*l, "  ##   ")) {
            m->detail = g_strdup(g_strstrip(*l));
        }
    }
    return sessions;
}

static char *
ann_field(const char *ann, const char *key)
{
    g_autofree char *pat = g_strdup_printf("\\b%s=([^ (]+)", key);
    g_autoptr(GRegex) re = g_regex_new(pat, 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;

    if (!g_regex_match(re, ann, 0, &mi))
        return NULL;
    return g_match_info_fetch(mi, 1);
}

/* A quoted value after key= in the detail line ('...' or "..."), or
 * "None". */
static char *
detail_str(const char *detail, const char *key)
{
    g_autofree char *pat = g_strdup_printf("\\b%s=(?:'([^']*)'|\"([^\"]*)\"|(None))", key);
    g_autoptr(GRegex) re = g_regex_new(pat, 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;
    char *v;

    if (!g_regex_match(re, detail, 0, &mi))
        return NULL;
    for (int i = 1; i <= 3; i++) {
        v = g_match_info_fetch(mi, i);
        if (v && *v)
            return v;
        g_free(v);
    }
    return g_strdup("");
}

static bool
bytes_equal(GBytes *b, const GByteArray *want)
{
    gsize n;
    const guint8 *d;

    if (!b)
        return false;
    d = g_bytes_get_data(b, &n);
    return n == want->len && memcmp(d, want->data, n) == 0;
}

static void
check_header(const CapMsg *m, const VccwRpcHeader *h, const char *where)
{
    g_autofree char *len = ann_field(m->annotation, "len");
    g_autofree char *prog = ann_field(m->annotation, "prog");
    g_autofree char *proc = ann_field(m->annotation, "proc");
    g_autofree char *type = ann_field(m->annotation, "type");
    g_autofree char *serial = ann_field(m->annotation, "serial");
    g_autofree char *status = ann_field(m->annotation, "status");

    check(len && g_ascii_strtoull(len, NULL, 10) == m->bytes->len, "%s: length", where);
    check(prog && g_ascii_strtoull(prog, NULL, 16) == h->prog, "%s: prog", where);
    check(proc && g_ascii_strtoll(proc, NULL, 10) == h->proc, "%s: proc", where);
    check(type && g_ascii_strtoull(type, NULL, 10) == h->type, "%s: type", where);
    check(serial && g_ascii_strtoull(serial, NULL, 10) == h->serial, "%s: serial", where);
    check(status && g_ascii_strtoull(status, NULL, 10) == h->status, "%s: status", where);
    check(h->vers == 1, "%s: vers", where);
}

static void
check_error_reply(const CapMsg *m, const VccwRpcHeader *h, const guint8 *body,
                  size_t body_len, const char *where)
{
    VccwXdrDec dec;
    VccwRpcError e = { 0 };
    bool ok;
    g_autofree char *code = ann_field(m->detail, "code");
    g_autofree char *domain = ann_field(m->detail, "domain");
    g_autofree char *level = ann_field(m->detail, "level");
    g_autofree char *message = detail_str(m->detail, "message");
    g_autofree char *str1 = detail_str(m->detail, "str1");
    g_autofree char *str2 = detail_str(m->detail, "str2");
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GBytes) re = NULL;
    VccwRpcError mine = { 0 };
    int vcode = -1;

    vccw_xdr_dec_init(&dec, body, body_len);
    ok = vccw_rpc_error_decode(&dec, &e) && vccw_xdr_dec_finish(&dec);
    vccw_xdr_dec_clear(&dec);
    check(ok, "%s: error body decodes", where);
    if (!ok)
        return;
    check(code && e.code == atoi(code), "%s: code %d", where, e.code);
    check(domain && e.domain == atoi(domain), "%s: domain %d", where, e.domain);
    check(level && e.level == atoi(level), "%s: level", where);
    check(message && g_strcmp0(e.message, message) == 0, "%s: message '%s'", where, e.message);
    check(str1 && g_strcmp0(e.str1, str1) == 0, "%s: str1 '%s'", where, e.str1);
    check(str2 && g_strcmp0(e.str2, str2) == 0, "%s: str2 '%s'", where, e.str2);
    check(e.str3 == NULL && e.int1 == -1 && e.int2 == -1, "%s: str3/int1/int2", where);

    /* the same body from our own error: VccwErrorCode -> libvirt code */
    for (int c = 0; c < VCCW_ERR_LAST; c++)
        if (vccw_rpc_error_code_for(c) == e.code &&
            g_str_has_prefix(e.message, vccw_error_prefix(c)) && *vccw_error_prefix(c))
            vcode = c;
    check(vcode >= 0, "%s: a virtccw error code maps to %d", where, e.code);
    if (vcode >= 0) {
        gerr = g_error_new_literal(VCCW_ERROR, vcode, e.message);
        vccw_rpc_error_from_gerror(&mine, gerr, VCCW_VIR_FROM_NODEDEV);
        {
            VccwRpcHeader call = *h;
            call.type = VCCW_RPC_CALL;
            call.status = VCCW_RPC_OK;
            re = vccw_rpc_error_reply(&call, &mine);
        }
        check(bytes_equal(re, m->bytes), "%s: our error reply equals libvirtd's bytes", where);
        vccw_rpc_error_clear(&mine);
    }
    vccw_rpc_error_clear(&e);
}

/* Procedures whose replies do not depend on the host's devices, plus
 * lookups of "computer", which every host has. */
static bool
host_independent(const VccwRpcHeader *h, const CapMsg *call)
{
    switch (h->proc) {
    case VCCW_PROC_AUTH_LIST:
    case VCCW_PROC_CONNECT_SUPPORTS_FEATURE:
    case VCCW_PROC_CONNECT_OPEN:
    case VCCW_PROC_CONNECT_CLOSE:
    case VCCW_PROC_CONNECT_REGISTER_CLOSE_CALLBACK:
    case VCCW_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK:
        return true;
    case VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME:
    case VCCW_PROC_NODE_DEVICE_GET_XML_DESC:
        return g_strstr_len((const char *)call->bytes->data, call->bytes->len,
                            "computer") != NULL;
    default:
        return false;
    }
}

static void
test_capture(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "rpc-nodedev-session.txt", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) sessions = capture_load(path, &err);
    int compared = 0, nmsgs = 0;

    check(sessions != NULL, "load the capture: %s", err ? err->message : "");
    if (!sessions)
        return;
    check(sessions->len == 2, "capture has 2 sessions (%u)", sessions->len);
    for (guint s = 0; s < sessions->len; s++) {
        GPtrArray *msgs = g_ptr_array_index(sessions, s);
        g_autoptr(VccwNodeDevDriver) drv = vccw_nodedev_driver_new(NULL, NULL);
        VccwRpcContext ctx = { .drv = drv, .hostname = (char *)"test",
                               .lib_version = VCCW_RPC_LIBVIRT_VERSION };
        VccwRpcConn conn;

        vccw_rpc_conn_init(&conn, false);
        for (guint i = 0; i < msgs->len; i++) {
            CapMsg *m = g_ptr_array_index(msgs, i);
            g_autofree char *where = g_strdup_printf("session %u %s", s + 1,
                                                     m->annotation ? m->annotation + 3 : "?");
            VccwRpcHeader h;
            const guint8 *body;
            size_t body_len;
            g_autoptr(GError) perr = NULL;
            bool ok;

            nmsgs++;
            ok = vccw_rpc_message_parse(m->bytes->data, m->bytes->len, &h, &body,
                                        &body_len, &perr);
            check(ok, "%s: parses (%s)", where, perr ? perr->message : "");
            if (!ok || !m->annotation)
                continue;
            check_header(m, &h, where);
            if (h.type == VCCW_RPC_REPLY && h.status == VCCW_RPC_ERROR && m->detail)
                check_error_reply(m, &h, body, body_len, where);
            if (m->to_server && h.type == VCCW_RPC_CALL) {
                VccwRpcResult res;
                CapMsg *reply = i + 1 < msgs->len ? g_ptr_array_index(msgs, i + 1) : NULL;

                vccw_rpc_dispatch(&ctx, &conn, m->bytes->data, m->bytes->len, &res);
                check(res.reply != NULL, "%s: we reply", where);
                if (res.reply && reply && !reply->to_server) {
                    VccwRpcHeader rh, wh;
                    const guint8 *rb, *wb;
                    size_t rl, wl;

                    ok = vccw_rpc_message_parse(g_bytes_get_data(res.reply, NULL),
                                                g_bytes_get_size(res.reply), &rh, &rb, &rl,
                                                NULL) &&
                         vccw_rpc_message_parse(reply->bytes->data, reply->bytes->len,
                                                &wh, &wb, &wl, NULL);
                    check(ok && rh.proc == wh.proc && rh.serial == wh.serial &&
                          rh.type == VCCW_RPC_REPLY, "%s: reply header echoes the call", where);
                    if (host_independent(&h, m)) {
                        compared++;
                        check(bytes_equal(res.reply, reply->bytes),
                              "%s: our reply equals libvirtd's bytes", where);
                    }
                }
                g_clear_pointer(&res.reply, g_bytes_unref);
                if (res.disconnect) {
                    vccw_rpc_conn_clear(&conn);
                    vccw_rpc_conn_init(&conn, false);
                }
            }
        }
        vccw_rpc_conn_clear(&conn);
    }
    check(nmsgs == 48, "capture has 48 messages (%d)", nmsgs);
    check(compared >= 14, "replies compared byte for byte (%d)", compared);
}

/* ------------------------------------------------------------------ */
/* Dispatch rules */

typedef struct {
    VccwNodeDevDriver *drv;
    VccwRpcContext ctx;
    VccwRpcConn conn;
    guint32 serial;
} Session;

static void
session_init(Session *s, bool ro_socket)
{
    s->drv = vccw_nodedev_driver_new(NULL, NULL);
    s->ctx = (VccwRpcContext){ .drv = s->drv, .hostname = (char *)"test",
                               .lib_version = VCCW_RPC_LIBVIRT_VERSION, .hv_version = 1000 };
    vccw_rpc_conn_init(&s->conn, ro_socket);
    s->serial = 0;
}

static void
session_clear(Session *s)
{
    vccw_rpc_conn_clear(&s->conn);
    vccw_nodedev_driver_free(s->drv);
}

typedef struct {
    VccwRpcHeader h;
    GBytes *msg;
    const guint8 *body;
    size_t body_len;
    VccwRpcError e;     /* for errors */
    bool disconnect;
    bool changed;
} Reply;

static void
reply_clear(Reply *r)
{
    g_clear_pointer(&r->msg, g_bytes_unref);
    vccw_rpc_error_clear(&r->e);
}

/* Send a call built from @layout and values (strings then numbers). */
static void
call_raw(Session *s, guint32 prog, guint32 type, gint32 proc, const guint8 *body,
         size_t len, Reply *r)
{
    VccwXdrEnc enc;
    VccwRpcHeader h = { prog, 1, proc, type, s->serial++, 0 };
    g_autoptr(GBytes) msg = NULL;
    VccwRpcResult res;

    memset(r, 0, sizeof(*r));
    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    vccw_rpc_message_begin(&enc, &h);
    vccw_xdr_put_opaque_fixed(&enc, body, len);
    msg = vccw_rpc_message_finish(&enc);
    vccw_xdr_enc_clear(&enc);
    vccw_rpc_dispatch(&s->ctx, &s->conn, g_bytes_get_data(msg, NULL), g_bytes_get_size(msg),
                      &res);
    r->msg = res.reply;
    r->disconnect = res.disconnect;
    r->changed = res.changed;
    if (r->msg &&
        vccw_rpc_message_parse(g_bytes_get_data(r->msg, NULL), g_bytes_get_size(r->msg), &r->h,
                               &r->body, &r->body_len, NULL) &&
        r->h.status == VCCW_RPC_ERROR) {
        VccwXdrDec dec;
        vccw_xdr_dec_init(&dec, r->body, r->body_len);
        vccw_rpc_error_decode(&dec, &r->e);
        vccw_xdr_dec_clear(&dec);
    }
}

/* Build the body: 'S' string, 's' optional string (NULL allowed), 'i'/'u' int. */
static void
call(Session *s, gint32 proc, Reply *r, const char *layout, ...)
{
    VccwXdrEnc enc;
    va_list ap;
    g_autoptr(GBytes) body = NULL;

    vccw_xdr_enc_init(&enc, VCCW_RPC_MESSAGE_MAX);
    va_start(ap, layout);
    for (const char *c = layout; *c; c++) {
        if (*c == 'S')
            vccw_xdr_put_string(&enc, VCCW_RPC_STRING_MAX, va_arg(ap, const char *));
        else if (*c == 's')
            vccw_xdr_put_opt_string(&enc, VCCW_RPC_STRING_MAX, va_arg(ap, const char *));
        else
            vccw_xdr_put_u32(&enc, va_arg(ap, guint32));
    }
    va_end(ap);
    body = vccw_xdr_enc_steal(&enc);
    vccw_xdr_enc_clear(&enc);
    call_raw(s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL, proc,
             g_bytes_get_data(body, NULL), g_bytes_get_size(body), r);
}

static bool
reply_ok(const Reply *r)
{
    return r->msg && r->h.type == VCCW_RPC_REPLY && r->h.status == VCCW_RPC_OK;
}

static bool
reply_err(const Reply *r, gint32 code)
{
    return r->msg && r->h.status == VCCW_RPC_ERROR && r->e.code == code;
}

/* Decode a reply body: strings array then count ("Lu") etc. */
static GStrv
reply_names(const Reply *r, guint32 *count)
{
    VccwXdrDec dec;
    char **names = NULL;

    vccw_xdr_dec_init(&dec, r->body, r->body_len);
    if (!vccw_xdr_get_string_array(&dec, 65536, VCCW_RPC_STRING_MAX, &names) ||
        (count && !vccw_xdr_get_u32(&dec, count)) || !vccw_xdr_dec_finish(&dec)) {
        g_strfreev(names);
        names = NULL;
    }
    vccw_xdr_dec_clear(&dec);
    return names;
}

static gint64
reply_int(const Reply *r)
{
    VccwXdrDec dec;
    gint32 v = -12345;

    vccw_xdr_dec_init(&dec, r->body, r->body_len);
    if (!vccw_xdr_get_i32(&dec, &v) || !vccw_xdr_dec_finish(&dec))
        v = -12345;
    vccw_xdr_dec_clear(&dec);
    return v;
}

static char *
reply_string(const Reply *r, bool optional)
{
    VccwXdrDec dec;
    char *v = NULL;
    bool ok;

    vccw_xdr_dec_init(&dec, r->body, r->body_len);
    ok = optional ? vccw_xdr_get_opt_string(&dec, VCCW_RPC_STRING_MAX, &v)
                  : vccw_xdr_get_string(&dec, VCCW_RPC_STRING_MAX, &v);
    if (!ok || !vccw_xdr_dec_finish(&dec))
        g_clear_pointer(&v, g_free);
    vccw_xdr_dec_clear(&dec);
    return v;
}

static const char *MDEV_XML =
    "<device>\n"
    "  <parent>css_0_0_0052</parent>\n"
    "  <capability type='mdev'>\n"
    "    <type id='vfio_ccw-io'/>\n"
    "    <uuid>90c6c135-ad44-41d0-b1b7-bae47de48627</uuid>\n"
    "  </capability>\n"
    "</device>\n";
#define MDEV_NAME "mdev_90c6c135_ad44_41d0_b1b7_bae47de48627_0_0_0052"

static void
test_dispatch(void)
{
    Session s;
    Reply r;
    g_auto(GStrv) names = NULL;
    guint32 count = 0;
    g_autofree char *str = NULL;

    session_init(&s, false);

    /* before CONNECT_OPEN */
    call(&s, VCCW_PROC_NODE_NUM_OF_DEVICES, &r, "su", NULL, 0);
    check(reply_err(&r, VCCW_VIR_ERR_INTERNAL_ERROR) &&
          g_strcmp0(r.e.message, "internal error: connection not open") == 0,
          "calls before open: 'connection not open' (%s)", r.e.message);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_OPEN, &r, "su", "nodedev:///system", 0);
    check(reply_ok(&r) && r.body_len == 0, "open");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_OPEN, &r, "su", "nodedev:///system", 0);
    check(reply_err(&r, VCCW_VIR_ERR_INTERNAL_ERROR), "second open refused");
    reply_clear(&r);

    /* connection facts */
    call(&s, VCCW_PROC_CONNECT_GET_URI, &r, "");
    str = reply_string(&r, false);
    check(g_strcmp0(str, "nodedev:///system") == 0, "get uri: %s", str);
    g_clear_pointer(&str, g_free);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_GET_TYPE, &r, "");
    str = reply_string(&r, false);
    check(g_strcmp0(str, "nodedev") == 0, "get type: %s", str);
    g_clear_pointer(&str, g_free);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_GET_LIB_VERSION, &r, "");
    check(reply_ok(&r) && r.body_len == 8 && r.body[4] == 0x00 && r.body[5] == 0xa7 &&
          r.body[6] == 0xe4 && r.body[7] == 0x78, "lib version 11003000 (libvirt 11.3.0)");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_IS_SECURE, &r, "");
    check(reply_int(&r) == 1, "is secure");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_SUPPORTS_FEATURE, &r, "i", 8);
    check(reply_int(&r) == 0, "fd passing not offered");
    reply_clear(&r);

    /* lists */
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 1, 0x80000000u);
    names = reply_names(&r, &count);
    check(names && count == 8 && g_strv_length(names) == 8,
          "list all active: 8 devices (%u)", count);
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 0, 0u);
    names = reply_names(&r, &count);
    check(names && count == 9 && g_strv_length(names) == 0,
          "list all, no results: count 9, no names (%u)", count);
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 1, 0xc0010000u);
    names = reply_names(&r, &count);
    check(names && count == 5, "--cap css --all: 5 (%u)", count);
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 1, 0x40004000u);
    names = reply_names(&r, &count);
    check(names && count == 1 && g_str_has_prefix(names[0], "mdev_22222222"),
          "mdev inactive: the defined one");
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    /* libvirt 11.1's CCWGROUP_DEV: accepted, no group on the fake host */
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 1, 0x00400000u);
    names = reply_names(&r, &count);
    check(names && count == 0, "ccwgroup list flag accepted, nothing listed");
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_LIST_ALL_NODE_DEVICES, &r, "iu", 1, 0x01000000u);
    check(reply_err(&r, VCCW_VIR_ERR_INVALID_ARG) &&
          g_strcmp0(r.e.message, "invalid argument: unsupported flags (0x1000000) in "
                    "function nodeConnectListAllNodeDevices") == 0,
          "unknown list flag refused: %s", r.e.message);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_NUM_OF_DEVICES, &r, "su", "mdev_types", 0);
    check(reply_int(&r) == 3, "num of devices mdev_types: 3");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_LIST_DEVICES, &r, "siu", "mdev_types", 2, 0);
    names = reply_names(&r, NULL);
    check(names && g_strv_length(names) == 2 && g_str_equal(names[0], "css_0_0_0052"),
          "list devices mdev_types, maxnames 2");
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_LIST_DEVICES, &r, "siu", "pci", 100, 0);
    names = reply_names(&r, NULL);
    check(names && g_strv_length(names) == 0, "list devices pci: none");
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_LIST_DEVICES, &r, "siu", NULL, 70000, 0);
    check(reply_err(&r, VCCW_VIR_ERR_RPC), "maxnames over the limit refused");
    reply_clear(&r);

    /* one device */
    call(&s, VCCW_PROC_NODE_DEVICE_GET_PARENT, &r, "S", "ccw_0_0_5000");
    str = reply_string(&r, true);
    check(g_strcmp0(str, "css_0_0_fffe") == 0, "parent of ccw: %s", str);
    g_clear_pointer(&str, g_free);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_GET_PARENT, &r, "S", "computer");
    check(reply_ok(&r) && r.body_len == 4 && r.body[3] == 0, "computer has no parent");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_LIST_CAPS, &r, "Si", "css_0_0_0052", 10);
    names = reply_names(&r, NULL);
    check(names && g_strv_length(names) == 2 && g_str_equal(names[0], "css") &&
          g_str_equal(names[1], "mdev_types"), "caps of css: css, mdev_types");
    g_clear_pointer(&names, g_strfreev);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_NUM_OF_CAPS, &r, "S", "ccw_0_0_5000");
    check(reply_int(&r) == 1, "num of caps of ccw: 1");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, &r, "S", "css_0_0_9999");
    check(reply_err(&r, VCCW_VIR_ERR_NO_NODE_DEVICE) && r.e.domain == VCCW_VIR_FROM_NODEDEV &&
          g_strcmp0(r.e.message, "Node device not found: no node device with matching "
                    "name 'css_0_0_9999'") == 0, "unknown device: %s", r.e.message);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, &r, "Su", "css_0_0_0052", 2);
    check(reply_err(&r, VCCW_VIR_ERR_INVALID_ARG), "xml flags other than inactive refused");
    reply_clear(&r);

    /* lifecycle */
    call(&s, VCCW_PROC_NODE_DEVICE_DEFINE_XML, &r, "Su", MDEV_XML, 0);
    str = reply_string(&r, false);
    check(g_strcmp0(str, MDEV_NAME) == 0 && r.changed, "define: %s", str);
    g_clear_pointer(&str, g_free);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_IS_ACTIVE, &r, "S", MDEV_NAME);
    check(reply_int(&r) == 0, "defined: not active");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_IS_PERSISTENT, &r, "S", MDEV_NAME);
    check(reply_int(&r) == 1, "defined: persistent");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_SET_AUTOSTART, &r, "Si", MDEV_NAME, 1);
    check(reply_ok(&r), "set autostart");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_GET_AUTOSTART, &r, "S", MDEV_NAME);
    check(reply_int(&r) == 1, "get autostart");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_CREATE, &r, "Su", MDEV_NAME, 0);
    check(reply_ok(&r), "start the defined mdev");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_CREATE, &r, "Su", MDEV_NAME, 0);
    check(reply_err(&r, VCCW_VIR_ERR_OPERATION_INVALID), "start twice: %s", r.e.message);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_DESTROY, &r, "S", MDEV_NAME);
    check(reply_ok(&r), "destroy");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_UNDEFINE, &r, "Su", MDEV_NAME, 0);
    check(reply_ok(&r), "undefine");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, &r, "S", MDEV_NAME);
    check(reply_err(&r, VCCW_VIR_ERR_NO_NODE_DEVICE), "gone after undefine");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_CREATE_XML, &r, "Su", "<device>", 0);
    check(reply_err(&r, VCCW_VIR_ERR_XML_ERROR), "bad XML: %s", r.e.message);
    reply_clear(&r);
    /* virNodeDeviceUpdate (libvirt 10.1+) on the fake's defined mdev */
#define UPD_NAME "mdev_22222222_2222_4222_8222_222222222222_0_0_0054"
#define UPD_XML(parent, uuid, extra) \
    "<device><name>" UPD_NAME "</name><parent>" parent "</parent>" \
    "<capability type='mdev'><type id='vfio_ccw-io'/><uuid>" uuid "</uuid>" extra \
    "</capability></device>"
    {
        static const struct {
            const char *name, *xml;
            guint32 flags;
            gint32 code;        /* 0: success */
            const char *message;
        } cases[] = {
            { "css_0_0_0052", UPD_XML("css_0_0_0052", "22222222-2222-4222-8222-222222222222", ""),
              0, VCCW_VIR_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: Unsupported device type" },
            { UPD_NAME, UPD_XML("css_0_0_0054", "22222222-2222-4222-8222-222222222222", ""), 4,
              VCCW_VIR_ERR_INVALID_ARG, "invalid argument: unsupported flags (0x4) in function nodeDeviceUpdate" },
            { UPD_NAME, UPD_XML("css_0_0_0054", "22222222-2222-4222-8222-222222222222", ""), 1,
              VCCW_VIR_ERR_OPERATION_INVALID, "Requested operation is not valid: node device is not active" },
            { UPD_NAME, UPD_XML("css_0_0_0054", "33333333-2222-4222-8222-222222222222", ""), 0,
              VCCW_VIR_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: Cannot update device '" UPD_NAME
              ", uuid mismatch (current uuid '22222222-2222-4222-8222-222222222222')" },
            { UPD_NAME, UPD_XML("css_0_0_0052", "22222222-2222-4222-8222-222222222222", ""), 2,
              VCCW_VIR_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: Cannot update device '" UPD_NAME
              "', parent address mismatch (current parent address '0.0.0054')" },
            { UPD_NAME, UPD_XML("css_0_0_0054", "22222222-2222-4222-8222-222222222222",
                                "<start type='auto'/><attr name='a' value='b'/>"), 0, 0, NULL },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
            call(&s, VCCW_PROC_NODE_DEVICE_UPDATE, &r, "SSu", cases[i].name, cases[i].xml,
                 cases[i].flags);
            if (!cases[i].code)
                check(reply_ok(&r), "update %zu: %s", i, r.e.message ? r.e.message : "ok");
            else
                check(reply_err(&r, cases[i].code) && g_strcmp0(r.e.message, cases[i].message) == 0,
                      "update %zu: %s", i, r.e.message);
            reply_clear(&r);
        }
        call(&s, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, &r, "Su", UPD_NAME, 1);
        str = reply_string(&r, false);
        check(str && strstr(str, "<attr name='a' value='b'/>"), "inactive XML after update: %s", str);
        g_clear_pointer(&str, g_free);
        reply_clear(&r);
        call(&s, VCCW_PROC_NODE_DEVICE_GET_AUTOSTART, &r, "S", UPD_NAME);
        check(reply_int(&r) == 1, "autostart after update");
        reply_clear(&r);
        call(&s, VCCW_PROC_NODE_DEVICE_GET_XML_DESC, &r, "Su", "css_0_0_0052", 1);
        check(reply_err(&r, VCCW_VIR_ERR_OPERATION_INVALID) &&
              g_strcmp0(r.e.message, "Requested operation is not valid: node device "
                        "'css_0_0_0052' is not persistent") == 0,
              "inactive XML of a device without definition: %s", r.e.message);
        reply_clear(&r);
    }
    call(&s, VCCW_PROC_NODE_DEVICE_DETACH_FLAGS, &r, "Ssu", "css_0_0_fffd", "vfio", 0);
    check(reply_ok(&r), "detach fffd to vfio_ccw");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_DETACH_FLAGS, &r, "Ssu", "css_0_0_fffd", "kvm", 0);
    check(reply_err(&r, VCCW_VIR_ERR_INVALID_ARG), "detach with driver kvm refused");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_RE_ATTACH, &r, "S", "css_0_0_fffd");
    check(reply_ok(&r), "re-attach fffd");
    reply_clear(&r);

    /* events */
    call(&s, VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, &r, "is", 0, NULL);
    check(reply_int(&r) == 1, "register lifecycle callback: id 1");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, &r, "is", 7, NULL);
    check(reply_err(&r, VCCW_VIR_ERR_INTERNAL_ERROR), "unknown event id refused");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY, &r, "i", 1);
    check(reply_ok(&r), "deregister");
    reply_clear(&r);
    call(&s, VCCW_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY, &r, "i", 1);
    check(reply_err(&r, VCCW_VIR_ERR_RPC), "deregister twice refused");
    reply_clear(&r);

    /* malformed */
    {
        static const guint8 trailing[] = { 0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0 };
        static const guint8 truncated[] = { 0, 0, 0, 9, 0x61, 0x62, 0x63, 0x64 };
        call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL,
                 VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, trailing, sizeof(trailing), &r);
        check(reply_err(&r, VCCW_VIR_ERR_RPC) &&
              g_strcmp0(r.e.message, "Unable to decode message payload") == 0,
              "trailing bytes: decode error");
        reply_clear(&r);
        call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL,
                 VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, truncated, sizeof(truncated), &r);
        check(reply_err(&r, VCCW_VIR_ERR_RPC), "truncated args: decode error");
        reply_clear(&r);
    }
    call_raw(&s, 0x12345678, VCCW_RPC_CALL, 1, NULL, 0, &r);
    check(reply_err(&r, VCCW_VIR_ERR_RPC) && r.h.prog == 0x12345678 && !r.disconnect,
          "wrong program: error reply (%s)", r.e.message);
    reply_clear(&r);
    call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL, 37, NULL, 0, &r);
    check(reply_err(&r, VCCW_VIR_ERR_NO_SUPPORT) && r.e.domain == 0 &&
          g_str_has_prefix(r.e.message, "this function is not supported by the connection "
                           "driver: "), "list domains: not supported (%s)", r.e.message);
    reply_clear(&r);
    call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL, 100000, NULL, 0, &r);
    check(reply_err(&r, VCCW_VIR_ERR_RPC), "procedure 100000: unknown procedure");
    reply_clear(&r);
    call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_REPLY, 1, NULL, 0, &r);
    check(!r.msg && r.disconnect, "a reply from the client: disconnect");
    reply_clear(&r);
    call_raw(&s, VCCW_RPC_REMOTE_PROGRAM, VCCW_RPC_CALL_WITH_FDS, 1, NULL, 0, &r);
    check(reply_err(&r, VCCW_VIR_ERR_RPC), "call with fds refused");
    reply_clear(&r);

    /* keepalive: PING -> PONG, exact bytes */
    {
        static const guint8 pong[] = {
            0, 0, 0, 0x1c, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0, 0, 2,
            0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
        };
        GByteArray want = { (guint8 *)pong, sizeof(pong) };
        s.serial = 0;
        call_raw(&s, VCCW_RPC_KEEPALIVE_PROGRAM, VCCW_RPC_MESSAGE,
                 VCCW_RPC_KEEPALIVE_PING, NULL, 0, &r);
        check(bytes_equal(r.msg, &want), "keepalive PING gets PONG");
        reply_clear(&r);
        call_raw(&s, VCCW_RPC_KEEPALIVE_PROGRAM, VCCW_RPC_MESSAGE,
                 VCCW_RPC_KEEPALIVE_PONG, NULL, 0, &r);
        check(!r.msg && !r.disconnect, "keepalive PONG: no answer");
        reply_clear(&r);
    }

    call(&s, VCCW_PROC_CONNECT_CLOSE, &r, "");
    check(reply_ok(&r) && r.disconnect, "close");
    reply_clear(&r);
    session_clear(&s);

    /* read-only socket */
    session_init(&s, true);
    call(&s, VCCW_PROC_CONNECT_OPEN, &r, "su", NULL, 0);
    check(reply_ok(&r), "ro: open");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_LOOKUP_BY_NAME, &r, "S", "css_0_0_0052");
    check(reply_ok(&r), "ro: lookup works");
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_CREATE_XML, &r, "Su", MDEV_XML, 0);
    check(reply_err(&r, VCCW_VIR_ERR_OPERATION_DENIED) &&
          g_strcmp0(r.e.message, "operation forbidden: read only access prevents "
                    "virNodeDeviceCreateXML") == 0, "ro: create refused (%s)", r.e.message);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_DETTACH, &r, "S", "css_0_0_fffd");
    check(reply_err(&r, VCCW_VIR_ERR_OPERATION_DENIED), "ro: detach refused");
    reply_clear(&r);
    session_clear(&s);

    /* read-only by open flag */
    session_init(&s, false);
    call(&s, VCCW_PROC_CONNECT_OPEN, &r, "su", "nodedev:///system", 1);
    reply_clear(&r);
    call(&s, VCCW_PROC_NODE_DEVICE_DESTROY, &r, "S", "css_0_0_0052");
    check(reply_err(&r, VCCW_VIR_ERR_OPERATION_DENIED), "VIR_CONNECT_RO: destroy refused");
    reply_clear(&r);
    session_clear(&s);

    /* refused peer */
    session_init(&s, false);
    s.conn.denied = true;
    call(&s, VCCW_PROC_AUTH_LIST, &r, "");
    check(reply_err(&r, VCCW_VIR_ERR_AUTH_FAILED) && r.disconnect, "refused peer: error, close");
    reply_clear(&r);
    session_clear(&s);
}

static void
test_events(void)
{
    /* remote_node_device_event_lifecycle_msg {callbackID 3, dev "ab", event 2, detail 0} */
    static const guint8 want_lc[] = {
        0, 0, 0, 0x30, 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0x01, 0x78,
        0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 3, 0, 0, 0, 2, 0x61, 0x62, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
    };
    GByteArray want = { (guint8 *)want_lc, sizeof(want_lc) };
    g_autoptr(GBytes) lc = vccw_rpc_event_lifecycle_msg(3, "ab", 2, 0);
    g_autoptr(GBytes) up = vccw_rpc_event_update_msg(3, "ab");

    check(bytes_equal(lc, &want), "lifecycle event message bytes");
    check(up && g_bytes_get_size(up) == 28 + 12, "update event message size");
}

static void
test_limits(void)
{
    guint32 len;
    static const guint8 small[4] = { 0, 0, 0, 27 };
    static const guint8 ok[4] = { 0, 0, 0, 28 };
    static const guint8 max[4] = { 0x02, 0, 0, 0 };
    static const guint8 over[4] = { 0x02, 0, 0, 1 };

    check(!vccw_rpc_length_decode(small, &len, NULL), "length 27 refused");
    check(vccw_rpc_length_decode(ok, &len, NULL) && len == 28, "length 28 accepted");
    check(vccw_rpc_length_decode(max, &len, NULL) && len == 33554432, "length 32 MiB accepted");
    check(!vccw_rpc_length_decode(over, &len, NULL), "length 32 MiB + 1 refused");
    {
        VccwXdrEnc enc;
        vccw_xdr_enc_init(&enc, 8);
        check(vccw_xdr_put_u64(&enc, 1) && !vccw_xdr_put_u32(&enc, 1) &&
              !vccw_xdr_enc_ok(&enc), "encoder refuses to pass its maximum");
        vccw_xdr_enc_clear(&enc);
    }
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s RPCDATA-DIR\n", argv[0]);
        return 2;
    }
    test_xdr_cases(argv[1]);
    test_limits();
    test_capture(argv[1]);
    test_dispatch();
    test_events();
    return vccw_test_done();
}
