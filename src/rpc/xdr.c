/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "xdr.h"

#include <string.h>

#define XDR_UNIT 4
#define XDR_PAD(n) ((XDR_UNIT - ((n) % XDR_UNIT)) % XDR_UNIT)

static bool G_GNUC_PRINTF(2, 3)
dec_fail(VccwXdrDec *dec, const char *fmt, ...)
{
    va_list ap;

    if (dec->error)
        return false;
    va_start(ap, fmt);
    dec->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return false;
}

static bool G_GNUC_PRINTF(2, 3)
enc_fail(VccwXdrEnc *enc, const char *fmt, ...)
{
    va_list ap;

    if (enc->error)
        return false;
    va_start(ap, fmt);
    enc->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return false;
}

void
vccw_xdr_dec_init(VccwXdrDec *dec, const void *data, size_t len)
{
    dec->data = data;
    dec->len = data ? len : 0;
    dec->pos = 0;
    dec->error = NULL;
}

void
vccw_xdr_dec_clear(VccwXdrDec *dec)
{
    g_clear_pointer(&dec->error, g_free);
}

bool
vccw_xdr_dec_ok(const VccwXdrDec *dec)
{
    return dec->error == NULL;
}

size_t
vccw_xdr_dec_remaining(const VccwXdrDec *dec)
{
    return dec->len - dec->pos;
}

bool
vccw_xdr_dec_finish(VccwXdrDec *dec)
{
    if (dec->error)
        return false;
    if (dec->pos != dec->len)
        return dec_fail(dec, "%zu unexpected bytes after the data at offset %zu",
                        dec->len - dec->pos, dec->pos);
    return true;
}

/* A view of the next @n bytes (plus padding), or NULL. */
static const guint8 *
dec_take(VccwXdrDec *dec, size_t n, const char *what)
{
    const guint8 *p;
    size_t total = n + XDR_PAD(n);

    if (dec->error)
        return NULL;
    if (total < n || total > dec->len - dec->pos) {
        dec_fail(dec, "truncated %s at offset %zu: %zu bytes needed, %zu left",
                 what, dec->pos, total, dec->len - dec->pos);
        return NULL;
    }
    p = dec->data + dec->pos;
    dec->pos += total;
    return p;
}

bool
vccw_xdr_get_u32(VccwXdrDec *dec, guint32 *v)
{
    const guint8 *p = dec_take(dec, 4, "integer");

    if (!p)
        return false;
    *v = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
    return true;
}

bool
vccw_xdr_get_i32(VccwXdrDec *dec, gint32 *v)
{
    guint32 u;

    if (!vccw_xdr_get_u32(dec, &u))
        return false;
    *v = (gint32)u;
    return true;
}

bool
vccw_xdr_get_u64(VccwXdrDec *dec, guint64 *v)
{
    guint32 hi, lo;

    if (!vccw_xdr_get_u32(dec, &hi) || !vccw_xdr_get_u32(dec, &lo))
        return false;
    *v = ((guint64)hi << 32) | lo;
    return true;
}

bool
vccw_xdr_get_i64(VccwXdrDec *dec, gint64 *v)
{
    guint64 u;

    if (!vccw_xdr_get_u64(dec, &u))
        return false;
    *v = (gint64)u;
    return true;
}

bool
vccw_xdr_get_bool(VccwXdrDec *dec, bool *v)
{
    guint32 u;
    size_t at = dec->pos;

    if (!vccw_xdr_get_u32(dec, &u))
        return false;
    if (u > 1)
        return dec_fail(dec, "invalid boolean %u at offset %zu", u, at);
    *v = u == 1;
    return true;
}

bool
vccw_xdr_get_optional(VccwXdrDec *dec, bool *present)
{
    guint32 u;
    size_t at = dec->pos;

    if (!vccw_xdr_get_u32(dec, &u))
        return false;
    if (u > 1)
        return dec_fail(dec, "invalid optional-data flag %u at offset %zu", u, at);
    *present = u == 1;
    return true;
}

bool
vccw_xdr_get_string(VccwXdrDec *dec, guint32 max, char **out)
{
    guint32 n;
    size_t at = dec->pos;
    const guint8 *p;

    *out = NULL;
    if (!vccw_xdr_get_u32(dec, &n))
        return false;
    if (n > max)
        return dec_fail(dec, "string of %u bytes at offset %zu exceeds the limit of %u",
                        n, at, max);
    if (!(p = dec_take(dec, n, "string")))
        return false;
    if (memchr(p, '\0', n))
        return dec_fail(dec, "string at offset %zu contains a NUL byte", at);
    *out = g_strndup((const char *)p, n);
    return true;
}

bool
vccw_xdr_get_opt_string(VccwXdrDec *dec, guint32 max, char **out)
{
    bool present;

    *out = NULL;
    if (!vccw_xdr_get_optional(dec, &present))
        return false;
    if (!present)
        return true;
    return vccw_xdr_get_string(dec, max, out);
}

bool
vccw_xdr_get_opaque_fixed(VccwXdrDec *dec, void *out, size_t n)
{
    const guint8 *p = dec_take(dec, n, "opaque");

    if (!p)
        return false;
    memcpy(out, p, n);
    return true;
}

bool
vccw_xdr_get_opaque(VccwXdrDec *dec, guint32 max, guint8 **out, size_t *out_len)
{
    guint32 n;
    size_t at = dec->pos;
    const guint8 *p;

    *out = NULL;
    *out_len = 0;
    if (!vccw_xdr_get_u32(dec, &n))
        return false;
    if (n > max)
        return dec_fail(dec, "opaque of %u bytes at offset %zu exceeds the limit of %u",
                        n, at, max);
    if (!(p = dec_take(dec, n, "opaque")))
        return false;
    *out = g_memdup2(p, n);
    *out_len = n;
    return true;
}

bool
vccw_xdr_get_array_len(VccwXdrDec *dec, guint32 max, size_t min_elem_size,
                       guint32 *count)
{
    guint32 n;
    size_t at = dec->pos;

    if (!vccw_xdr_get_u32(dec, &n))
        return false;
    if (n > max)
        return dec_fail(dec, "array of %u elements at offset %zu exceeds the limit of %u",
                        n, at, max);
    if (min_elem_size && n > vccw_xdr_dec_remaining(dec) / min_elem_size)
        return dec_fail(dec, "truncated array of %u elements at offset %zu", n, at);
    *count = n;
    return true;
}

bool
vccw_xdr_get_string_array(VccwXdrDec *dec, guint32 max_count, guint32 max_len,
                          char ***out)
{
    guint32 n;
    g_autoptr(GPtrArray) arr = NULL;

    *out = NULL;
    if (!vccw_xdr_get_array_len(dec, max_count, 4, &n))
        return false;
    arr = g_ptr_array_new_full(n + 1, g_free);
    for (guint32 i = 0; i < n; i++) {
        char *s;
        if (!vccw_xdr_get_string(dec, max_len, &s))
            return false;
        g_ptr_array_add(arr, s);
    }
    g_ptr_array_add(arr, NULL);
    g_ptr_array_set_free_func(arr, NULL);
    *out = (char **)g_ptr_array_free(g_steal_pointer(&arr), FALSE);
    return true;
}

/* ------------------------------------------------------------------ */

void
vccw_xdr_enc_init(VccwXdrEnc *enc, size_t max)
{
    enc->buf = g_byte_array_sized_new(256);
    enc->max = max;
    enc->error = NULL;
}

void
vccw_xdr_enc_clear(VccwXdrEnc *enc)
{
    if (enc->buf)
        g_byte_array_unref(enc->buf);
    enc->buf = NULL;
    g_clear_pointer(&enc->error, g_free);
}

bool
vccw_xdr_enc_ok(const VccwXdrEnc *enc)
{
    return enc->error == NULL;
}

size_t
vccw_xdr_enc_len(const VccwXdrEnc *enc)
{
    return enc->buf ? enc->buf->len : 0;
}

GBytes *
vccw_xdr_enc_steal(VccwXdrEnc *enc)
{
    GBytes *b = NULL;

    if (!enc->error && enc->buf)
        b = g_byte_array_free_to_bytes(enc->buf);
    else if (enc->buf)
        g_byte_array_unref(enc->buf);
    enc->buf = g_byte_array_sized_new(256);
    g_clear_pointer(&enc->error, g_free);
    return b;
}

static bool
enc_append(VccwXdrEnc *enc, const void *data, size_t n, const char *what)
{
    static const guint8 zeros[XDR_UNIT];
    size_t pad = XDR_PAD(n);

    if (enc->error)
        return false;
    if (n > enc->max || n + pad > enc->max - enc->buf->len)
        return enc_fail(enc, "%s of %zu bytes would exceed the message limit of %zu bytes",
                        what, n, enc->max);
    if (n)
        g_byte_array_append(enc->buf, data, (guint)n);
    if (pad)
        g_byte_array_append(enc->buf, zeros, (guint)pad);
    return true;
}

bool
vccw_xdr_put_u32(VccwXdrEnc *enc, guint32 v)
{
    guint8 b[4] = { (guint8)(v >> 24), (guint8)(v >> 16), (guint8)(v >> 8), (guint8)v };

    return enc_append(enc, b, 4, "integer");
}

bool
vccw_xdr_put_i32(VccwXdrEnc *enc, gint32 v)
{
    return vccw_xdr_put_u32(enc, (guint32)v);
}

bool
vccw_xdr_put_u64(VccwXdrEnc *enc, guint64 v)
{
    return vccw_xdr_put_u32(enc, (guint32)(v >> 32)) &&
           vccw_xdr_put_u32(enc, (guint32)v);
}

bool
vccw_xdr_put_i64(VccwXdrEnc *enc, gint64 v)
{
    return vccw_xdr_put_u64(enc, (guint64)v);
}

bool
vccw_xdr_put_bool(VccwXdrEnc *enc, bool v)
{
    return vccw_xdr_put_u32(enc, v ? 1 : 0);
}

bool
vccw_xdr_put_optional(VccwXdrEnc *enc, bool present)
{
    return vccw_xdr_put_u32(enc, present ? 1 : 0);
}

bool
vccw_xdr_put_string(VccwXdrEnc *enc, guint32 max, const char *s)
{
    size_t n;

    if (enc->error)
        return false;
    if (!s)
        return enc_fail(enc, "missing string");
    n = strlen(s);
    if (n > max)
        return enc_fail(enc, "string of %zu bytes exceeds the limit of %u", n, max);
    return vccw_xdr_put_u32(enc, (guint32)n) && enc_append(enc, s, n, "string");
}

bool
vccw_xdr_put_opt_string(VccwXdrEnc *enc, guint32 max, const char *s)
{
    if (!vccw_xdr_put_optional(enc, s != NULL))
        return false;
    return !s || vccw_xdr_put_string(enc, max, s);
}

bool
vccw_xdr_put_opaque_fixed(VccwXdrEnc *enc, const void *data, size_t n)
{
    return enc_append(enc, data, n, "opaque");
}

bool
vccw_xdr_put_opaque(VccwXdrEnc *enc, guint32 max, const void *data, size_t n)
{
    if (enc->error)
        return false;
    if (n > max)
        return enc_fail(enc, "opaque of %zu bytes exceeds the limit of %u", n, max);
    return vccw_xdr_put_u32(enc, (guint32)n) && enc_append(enc, data, n, "opaque");
}

bool
vccw_xdr_put_array_len(VccwXdrEnc *enc, guint32 max, size_t count)
{
    if (enc->error)
        return false;
    if (count > max)
        return enc_fail(enc, "array of %zu elements exceeds the limit of %u", count, max);
    return vccw_xdr_put_u32(enc, (guint32)count);
}

bool
vccw_xdr_patch_u32(VccwXdrEnc *enc, size_t offset, guint32 v)
{
    if (enc->error)
        return false;
    if (offset > enc->buf->len || enc->buf->len - offset < 4)
        return enc_fail(enc, "patch at offset %zu outside the data", offset);
    enc->buf->data[offset] = (guint8)(v >> 24);
    enc->buf->data[offset + 1] = (guint8)(v >> 16);
    enc->buf->data[offset + 2] = (guint8)(v >> 8);
    enc->buf->data[offset + 3] = (guint8)v;
    return true;
}
