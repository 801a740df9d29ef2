/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rpc_message.h"

G_DEFINE_QUARK(virtccw-rpc-error-quark, vccw_rpc_error)

bool
vccw_rpc_length_decode(const guint8 buf[4], guint32 *len, GError **err)
{
    guint32 n = ((guint32)buf[0] << 24) | ((guint32)buf[1] << 16) |
                ((guint32)buf[2] << 8) | buf[3];

    if (n < VCCW_RPC_HEADER_SIZE) {
        g_set_error(err, VCCW_RPC_ERROR_DOMAIN, VCCW_RPC_ERR_LENGTH,
                    "message length %u is below the header size %u",
                    n, VCCW_RPC_HEADER_SIZE);
        return false;
    }
    if (n > VCCW_RPC_MESSAGE_MAX) {
        g_set_error(err, VCCW_RPC_ERROR_DOMAIN, VCCW_RPC_ERR_LENGTH,
                    "message length %u exceeds the limit of %u bytes",
                    n, VCCW_RPC_MESSAGE_MAX);
        return false;
    }
    *len = n;
    return true;
}

bool
vccw_rpc_message_parse(const guint8 *data, size_t len, VccwRpcHeader *hdr,
                       const guint8 **body, size_t *body_len, GError **err)
{
    VccwXdrDec dec;
    guint32 n;
    bool ok;

    if (len < VCCW_RPC_LEN_SIZE) {
        g_set_error(err, VCCW_RPC_ERROR_DOMAIN, VCCW_RPC_ERR_LENGTH,
                    "message of %zu bytes has no length word", len);
        return false;
    }
    if (!vccw_rpc_length_decode(data, &n, err))
        return false;
    if (n != len) {
        g_set_error(err, VCCW_RPC_ERROR_DOMAIN, VCCW_RPC_ERR_LENGTH,
                    "message length word %u does not match its %zu bytes", n, len);
        return false;
    }
    vccw_xdr_dec_init(&dec, data + VCCW_RPC_LEN_SIZE, len - VCCW_RPC_LEN_SIZE);
    ok = vccw_xdr_get_u32(&dec, &hdr->prog) &&
         vccw_xdr_get_u32(&dec, &hdr->vers) &&
         vccw_xdr_get_i32(&dec, &hdr->proc) &&
         vccw_xdr_get_u32(&dec, &hdr->type) &&
         vccw_xdr_get_u32(&dec, &hdr->serial) &&
         vccw_xdr_get_u32(&dec, &hdr->status);
    if (!ok) {
        g_set_error(err, VCCW_RPC_ERROR_DOMAIN, VCCW_RPC_ERR_HEADER,
                    "Unable to decode message header: %s", dec.error);
        vccw_xdr_dec_clear(&dec);
        return false;
    }
    *body = data + VCCW_RPC_HEADER_SIZE;
    *body_len = len - VCCW_RPC_HEADER_SIZE;
    vccw_xdr_dec_clear(&dec);
    return true;
}

bool
vccw_rpc_message_begin(VccwXdrEnc *enc, const VccwRpcHeader *hdr)
{
    return vccw_xdr_put_u32(enc, 0) &&
           vccw_xdr_put_u32(enc, hdr->prog) &&
           vccw_xdr_put_u32(enc, hdr->vers) &&
           vccw_xdr_put_i32(enc, hdr->proc) &&
           vccw_xdr_put_u32(enc, hdr->type) &&
           vccw_xdr_put_u32(enc, hdr->serial) &&
           vccw_xdr_put_u32(enc, hdr->status);
}

GBytes *
vccw_rpc_message_finish(VccwXdrEnc *enc)
{
    size_t len = vccw_xdr_enc_len(enc);

    if (!vccw_xdr_enc_ok(enc) || len < VCCW_RPC_HEADER_SIZE || len > VCCW_RPC_MESSAGE_MAX)
        return NULL;
    if (!vccw_xdr_patch_u32(enc, 0, (guint32)len))
        return NULL;
    return vccw_xdr_enc_steal(enc);
}

GBytes *
vccw_rpc_message_empty(const VccwRpcHeader *hdr)
{
    VccwXdrEnc enc;
    GBytes *b;

    vccw_xdr_enc_init(&enc, VCCW_RPC_HEADER_SIZE);
    vccw_rpc_message_begin(&enc, hdr);
    b = vccw_rpc_message_finish(&enc);
    vccw_xdr_enc_clear(&enc);
    return b;
}

const char *
vccw_rpc_type_name(guint32 type)
{
    static const char *const names[] = {
        "call", "reply", "message", "stream", "call-with-fds", "reply-with-fds",
        "stream-hole",
    };

    return type < G_N_ELEMENTS(names) ? names[type] : "unknown";
}
