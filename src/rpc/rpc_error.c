/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_error.h"
#include "rpc_message.h"
#include "vccw_error.h"

#include <string.h>

/* Our error codes -> libvirt's virErrorNumber. The message prefixes
 * already match libvirt's wording for the number (vccw_error.c). */
static const gint32 vccw_to_vir_code[VCCW_ERR_LAST] = {
    [VCCW_ERR_INTERNAL] = VCCW_VIR_ERR_INTERNAL_ERROR,
    [VCCW_ERR_XML] = VCCW_VIR_ERR_XML_ERROR,
    [VCCW_ERR_CONFIG_UNSUPPORTED] = VCCW_VIR_ERR_CONFIG_UNSUPPORTED,
    [VCCW_ERR_NO_DEVICE] = VCCW_VIR_ERR_DEVICE_MISSING,
    [VCCW_ERR_OPERATION_INVALID] = VCCW_VIR_ERR_OPERATION_INVALID,
    [VCCW_ERR_OPERATION_FAILED] = VCCW_VIR_ERR_OPERATION_FAILED,
    [VCCW_ERR_SYSTEM] = VCCW_VIR_ERR_SYSTEM_ERROR,
    [VCCW_ERR_SCHEMA] = VCCW_VIR_ERR_XML_INVALID_SCHEMA,
    [VCCW_ERR_ARGUMENT] = VCCW_VIR_ERR_INVALID_ARG,
    [VCCW_ERR_OVERFLOW] = VCCW_VIR_ERR_OVERFLOW,
    [VCCW_ERR_NO_NAME] = VCCW_VIR_ERR_NO_NAME,
    [VCCW_ERR_NO_NODE_DEVICE] = VCCW_VIR_ERR_NO_NODE_DEVICE,
    [VCCW_ERR_OPERATION_TIMEOUT] = VCCW_VIR_ERR_OPERATION_TIMEOUT,
};

/* libvirt 9.0's message formats (virErrorMsg with info) for the codes
 * this daemon raises itself. */
static const struct {
    gint32 code;
    const char *fmt;
} vir_formats[] = {
    { VCCW_VIR_ERR_INTERNAL_ERROR, "internal error: %s" },
    { VCCW_VIR_ERR_NO_SUPPORT, "this function is not supported by the connection driver: %s" },
    { VCCW_VIR_ERR_NO_CONNECT, "no connection driver available for %s" },
    { VCCW_VIR_ERR_INVALID_ARG, "invalid argument: %s" },
    { VCCW_VIR_ERR_OPERATION_FAILED, "operation failed: %s" },
    { VCCW_VIR_ERR_OPERATION_DENIED, "operation forbidden: %s" },
    { VCCW_VIR_ERR_SYSTEM_ERROR, "%s" },
    { VCCW_VIR_ERR_RPC, "%s" },
    { VCCW_VIR_ERR_AUTH_FAILED, "authentication failed: %s" },
    { VCCW_VIR_ERR_NO_NODE_DEVICE, "Node device not found: %s" },
    { VCCW_VIR_ERR_OPERATION_INVALID, "Requested operation is not valid: %s" },
    { VCCW_VIR_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: %s" },
    { VCCW_VIR_ERR_OPERATION_UNSUPPORTED, "Operation not supported: %s" },
};

void
vccw_rpc_error_clear(VccwRpcError *e)
{
    g_clear_pointer(&e->message, g_free);
    g_clear_pointer(&e->str1, g_free);
    g_clear_pointer(&e->str2, g_free);
    g_clear_pointer(&e->str3, g_free);
}

gint32
vccw_rpc_error_code_for(int vccw_code)
{
    if (vccw_code < 0 || vccw_code >= VCCW_ERR_LAST || !vccw_to_vir_code[vccw_code])
        return VCCW_VIR_ERR_INTERNAL_ERROR;
    return vccw_to_vir_code[vccw_code];
}

static void
error_fill(VccwRpcError *e, gint32 code, gint32 vir_domain, char *message,
           char *str1, char *str2)
{
    vccw_rpc_error_clear(e);
    e->code = code;
    e->domain = vir_domain;
    e->level = VCCW_VIR_ERR_LEVEL_ERROR;
    e->message = message;
    e->str1 = str1;
    e->str2 = str2;
    e->str3 = NULL;
    e->int1 = -1;
    e->int2 = -1;
}

void
vccw_rpc_error_from_gerror(VccwRpcError *e, const GError *err, gint32 vir_domain)
{
    int vcode = VCCW_ERR_INTERNAL;
    const char *prefix;
    const char *msg = err && err->message ? err->message : "unknown error";

    if (err && err->domain == VCCW_ERROR)
        vcode = err->code;
    else if (err) {
        /* not ours: libvirt would say "internal error: ..." */
        vccw_rpc_error_set(e, VCCW_VIR_ERR_INTERNAL_ERROR, vir_domain, "%s", msg);
        return;
    }
    prefix = vccw_error_prefix(vcode);
    if (*prefix && g_str_has_prefix(msg, prefix)) {
        error_fill(e, vccw_rpc_error_code_for(vcode), vir_domain, g_strdup(msg),
                   g_strdup_printf("%s%%s", prefix), g_strdup(msg + strlen(prefix)));
    } else {
        error_fill(e, vccw_rpc_error_code_for(vcode), vir_domain, g_strdup(msg),
                   g_strdup("%s"), g_strdup(msg));
    }
}

void
vccw_rpc_error_set(VccwRpcError *e, gint32 code, gint32 vir_domain, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *detail = NULL;
    const char *vfmt = "%s";

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < G_N_ELEMENTS(vir_formats); i++) {
        if (vir_formats[i].code == code) {
            vfmt = vir_formats[i].fmt;
            break;
        }
    }
    /* vfmt holds exactly one %s: build the message without printf on it */
    {
        const char *at = strstr(vfmt, "%s");
        GString *m = g_string_new_len(vfmt, at - vfmt);

        g_string_append(m, detail);
        g_string_append(m, at + 2);
        error_fill(e, code, vir_domain, g_string_free(m, FALSE), g_strdup(vfmt),
                   g_steal_pointer(&detail));
    }
}

bool
vccw_rpc_error_encode(VccwXdrEnc *enc, const VccwRpcError *e)
{
    return vccw_xdr_put_i32(enc, e->code) &&
           vccw_xdr_put_i32(enc, e->domain) &&
           vccw_xdr_put_opt_string(enc, VCCW_RPC_STRING_MAX, e->message) &&
           vccw_xdr_put_i32(enc, e->level) &&
           vccw_xdr_put_optional(enc, false) &&            /* dom */
           vccw_xdr_put_opt_string(enc, VCCW_RPC_STRING_MAX, e->str1) &&
           vccw_xdr_put_opt_string(enc, VCCW_RPC_STRING_MAX, e->str2) &&
           vccw_xdr_put_opt_string(enc, VCCW_RPC_STRING_MAX, e->str3) &&
           vccw_xdr_put_i32(enc, e->int1) &&
           vccw_xdr_put_i32(enc, e->int2) &&
           vccw_xdr_put_optional(enc, false);              /* net */
}

/* remote_nonnull_domain {string name; opaque uuid[16]; int id} or
 * remote_nonnull_network {string name; opaque uuid[16]} */
static bool
skip_optional_object(VccwXdrDec *dec, bool has_id)
{
    bool present;
    g_autofree char *name = NULL;
    guint8 uuid[16];
    gint32 id;

    if (!vccw_xdr_get_optional(dec, &present))
        return false;
    if (!present)
        return true;
    return vccw_xdr_get_string(dec, VCCW_RPC_STRING_MAX, &name) &&
           vccw_xdr_get_opaque_fixed(dec, uuid, sizeof(uuid)) &&
           (!has_id || vccw_xdr_get_i32(dec, &id));
}

bool
vccw_rpc_error_decode(VccwXdrDec *dec, VccwRpcError *e)
{
    memset(e, 0, sizeof(*e));
    if (vccw_xdr_get_i32(dec, &e->code) &&
        vccw_xdr_get_i32(dec, &e->domain) &&
        vccw_xdr_get_opt_string(dec, VCCW_RPC_STRING_MAX, &e->message) &&
        vccw_xdr_get_i32(dec, &e->level) &&
        skip_optional_object(dec, true) &&
        vccw_xdr_get_opt_string(dec, VCCW_RPC_STRING_MAX, &e->str1) &&
        vccw_xdr_get_opt_string(dec, VCCW_RPC_STRING_MAX, &e->str2) &&
        vccw_xdr_get_opt_string(dec, VCCW_RPC_STRING_MAX, &e->str3) &&
        vccw_xdr_get_i32(dec, &e->int1) &&
        vccw_xdr_get_i32(dec, &e->int2) &&
        skip_optional_object(dec, false))
        return true;
    vccw_rpc_error_clear(e);
    return false;
}
