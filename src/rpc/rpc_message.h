/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: libvirt RPC message framing.
 *
 * A message is a 4-byte big-endian length that counts itself, a header
 * of six 4-byte words (prog, vers, proc, type, serial, status) and the
 * XDR body. Limits are libvirt 9.0's.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "xdr.h"

#define VCCW_RPC_REMOTE_PROGRAM      0x20008086u
#define VCCW_RPC_REMOTE_VERSION      1u
#define VCCW_RPC_KEEPALIVE_PROGRAM   0x6b656570u
#define VCCW_RPC_KEEPALIVE_VERSION   1u
#define VCCW_RPC_KEEPALIVE_PING      1
#define VCCW_RPC_KEEPALIVE_PONG      2

#define VCCW_RPC_LEN_SIZE            4u
#define VCCW_RPC_HEADER_SIZE         28u        /* with the length word */
#define VCCW_RPC_MESSAGE_MAX         33554432u  /* 32 MiB, whole message */
#define VCCW_RPC_MESSAGE_INITIAL     65536u
#define VCCW_RPC_STRING_MAX          4194304u   /* remote_nonnull_string */
#define VCCW_RPC_NODE_DEVICE_LIST_MAX 65536u    /* 16384 before libvirt 7.x */
#define VCCW_RPC_NODE_DEVICE_CAPS_LIST_MAX 65536u
#define VCCW_RPC_AUTH_TYPE_LIST_MAX  20u

typedef enum {
    VCCW_RPC_CALL = 0,
    VCCW_RPC_REPLY = 1,
    VCCW_RPC_MESSAGE = 2,
    VCCW_RPC_STREAM = 3,
    VCCW_RPC_CALL_WITH_FDS = 4,
    VCCW_RPC_REPLY_WITH_FDS = 5,
    VCCW_RPC_STREAM_HOLE = 6,
} VccwRpcType;

typedef enum {
    VCCW_RPC_OK = 0,
    VCCW_RPC_ERROR = 1,
    VCCW_RPC_CONTINUE = 2,
} VccwRpcStatus;

typedef struct {
    guint32 prog;
    guint32 vers;
    gint32 proc;
    guint32 type;
    guint32 serial;
    guint32 status;
} VccwRpcHeader;

#define VCCW_RPC_ERROR_DOMAIN (vccw_rpc_error_quark())
GQuark vccw_rpc_error_quark(void);
typedef enum {
    VCCW_RPC_ERR_LENGTH,     /* the length word is impossible: disconnect */
    VCCW_RPC_ERR_HEADER,     /* the header cannot be read */
} VccwRpcFrameError;

/* The length word of a message (first 4 bytes): between the header size
 * and VCCW_RPC_MESSAGE_MAX, or an error. */
bool vccw_rpc_length_decode(const guint8 buf[4], guint32 *len, GError **err);

/* One whole message (length word included). On success @body points into
 * @data after the header. */
bool vccw_rpc_message_parse(const guint8 *data, size_t len, VccwRpcHeader *hdr,
                            const guint8 **body, size_t *body_len, GError **err);

/* Start a message: writes a placeholder length and @hdr into @enc (which
 * should be empty and limited to VCCW_RPC_MESSAGE_MAX). */
bool vccw_rpc_message_begin(VccwXdrEnc *enc, const VccwRpcHeader *hdr);
/* Patch the length word: the message as bytes, or NULL when the encoder
 * failed (too large, ...). */
GBytes *vccw_rpc_message_finish(VccwXdrEnc *enc);

/* A message with an empty body (replies without ret, keepalive). */
GBytes *vccw_rpc_message_empty(const VccwRpcHeader *hdr);

const char *vccw_rpc_type_name(guint32 type);
