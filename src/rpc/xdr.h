/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: a bounded XDR (RFC 4506) encoder and decoder over byte buffers.
 *
 * Hand-written for libvirt's remote protocol: big-endian 4-byte units,
 * strings and opaques padded to 4, optional data as a 4-byte flag, arrays
 * as a count. Every read checks the remaining input and the caller's
 * maximum before allocating; every write checks the encoder's maximum.
 * Errors are sticky: after the first failure every call fails and the
 * error says where.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const guint8 *data;
    size_t len;
    size_t pos;
    char *error;        /* first failure, NULL while all is well */
} VccwXdrDec;

typedef struct {
    GByteArray *buf;    /* owned */
    size_t max;         /* the buffer never grows past this many bytes */
    char *error;
} VccwXdrEnc;

/* Decoder over @data (borrowed). */
void vccw_xdr_dec_init(VccwXdrDec *dec, const void *data, size_t len);
void vccw_xdr_dec_clear(VccwXdrDec *dec);
bool vccw_xdr_dec_ok(const VccwXdrDec *dec);
size_t vccw_xdr_dec_remaining(const VccwXdrDec *dec);
/* Fails unless every byte was consumed. */
bool vccw_xdr_dec_finish(VccwXdrDec *dec);

bool vccw_xdr_get_u32(VccwXdrDec *dec, guint32 *v);
bool vccw_xdr_get_i32(VccwXdrDec *dec, gint32 *v);
bool vccw_xdr_get_u64(VccwXdrDec *dec, guint64 *v);   /* unsigned hyper */
bool vccw_xdr_get_i64(VccwXdrDec *dec, gint64 *v);    /* hyper */
/* XDR bool: exactly 0 or 1. */
bool vccw_xdr_get_bool(VccwXdrDec *dec, bool *v);
/* string<max>: NUL-terminated copy in *out; NUL bytes inside are refused. */
bool vccw_xdr_get_string(VccwXdrDec *dec, guint32 max, char **out);
/* string<max> *: *out is NULL when absent. */
bool vccw_xdr_get_opt_string(VccwXdrDec *dec, guint32 max, char **out);
/* opaque[n] */
bool vccw_xdr_get_opaque_fixed(VccwXdrDec *dec, void *out, size_t n);
/* opaque<max>: newly allocated copy, *out_len bytes. */
bool vccw_xdr_get_opaque(VccwXdrDec *dec, guint32 max, guint8 **out, size_t *out_len);
/* The 4-byte "present" flag of optional data (0 or 1). */
bool vccw_xdr_get_optional(VccwXdrDec *dec, bool *present);
/* The count of a variable array: at most @max elements, and at most as
 * many as the remaining input could hold at @min_elem_size bytes each. */
bool vccw_xdr_get_array_len(VccwXdrDec *dec, guint32 max, size_t min_elem_size,
                            guint32 *count);
/* string<max> names<max_count>: a NULL-terminated vector. */
bool vccw_xdr_get_string_array(VccwXdrDec *dec, guint32 max_count, guint32 max_len,
                               char ***out);

/* Encoder that refuses to grow past @max bytes. */
void vccw_xdr_enc_init(VccwXdrEnc *enc, size_t max);
void vccw_xdr_enc_clear(VccwXdrEnc *enc);
bool vccw_xdr_enc_ok(const VccwXdrEnc *enc);
size_t vccw_xdr_enc_len(const VccwXdrEnc *enc);
/* Hands the bytes over and resets the encoder (NULL after a failure). */
GBytes *vccw_xdr_enc_steal(VccwXdrEnc *enc);

bool vccw_xdr_put_u32(VccwXdrEnc *enc, guint32 v);
bool vccw_xdr_put_i32(VccwXdrEnc *enc, gint32 v);
bool vccw_xdr_put_u64(VccwXdrEnc *enc, guint64 v);
bool vccw_xdr_put_i64(VccwXdrEnc *enc, gint64 v);
bool vccw_xdr_put_bool(VccwXdrEnc *enc, bool v);
bool vccw_xdr_put_string(VccwXdrEnc *enc, guint32 max, const char *s);
/* NULL: absent. */
bool vccw_xdr_put_opt_string(VccwXdrEnc *enc, guint32 max, const char *s);
bool vccw_xdr_put_opaque_fixed(VccwXdrEnc *enc, const void *data, size_t n);
bool vccw_xdr_put_opaque(VccwXdrEnc *enc, guint32 max, const void *data, size_t n);
bool vccw_xdr_put_optional(VccwXdrEnc *enc, bool present);
bool vccw_xdr_put_array_len(VccwXdrEnc *enc, guint32 max, size_t count);
/* Overwrite 4 bytes already written at @offset (message length). */
bool vccw_xdr_patch_u32(VccwXdrEnc *enc, size_t offset, guint32 v);
