/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: libvirt's remote_error, the body of every error reply.
 *
 * {int code; int domain; string? message; int level; domain? dom;
 *  string? str1, str2, str3; int int1, int2; network? net}
 *
 * The message is the full text a client prints after "error: "
 * ("Node device not found: no node device with matching name 'x'"),
 * str1 the format with its libvirt prefix ("Node device not found: %s"),
 * str2 the detail. virtccw errors (VccwErrorCode) map through a table to
 * libvirt's virErrorNumber values.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "xdr.h"

/* libvirt's virErrorNumber values used here (include/libvirt/virterror.h) */
enum {
    VCCW_VIR_ERR_INTERNAL_ERROR = 1,
    VCCW_VIR_ERR_NO_SUPPORT = 3,
    VCCW_VIR_ERR_NO_CONNECT = 5,
    VCCW_VIR_ERR_INVALID_ARG = 8,
    VCCW_VIR_ERR_OPERATION_FAILED = 9,
    VCCW_VIR_ERR_NO_NAME = 21,
    VCCW_VIR_ERR_XML_ERROR = 27,
    VCCW_VIR_ERR_OPERATION_DENIED = 29,
    VCCW_VIR_ERR_SYSTEM_ERROR = 38,
    VCCW_VIR_ERR_RPC = 39,
    VCCW_VIR_ERR_AUTH_FAILED = 45,
    VCCW_VIR_ERR_NO_NODE_DEVICE = 53,
    VCCW_VIR_ERR_OPERATION_INVALID = 55,
    VCCW_VIR_ERR_CONFIG_UNSUPPORTED = 67,
    VCCW_VIR_ERR_OPERATION_TIMEOUT = 68,
    VCCW_VIR_ERR_OVERFLOW = 82,
    VCCW_VIR_ERR_OPERATION_UNSUPPORTED = 84,
    VCCW_VIR_ERR_XML_INVALID_SCHEMA = 92,
    VCCW_VIR_ERR_DEVICE_MISSING = 99,
};

/* virErrorDomain values */
enum {
    VCCW_VIR_FROM_NONE = 0,
    VCCW_VIR_FROM_RPC = 7,
    VCCW_VIR_FROM_REMOTE = 13,
    VCCW_VIR_FROM_NODEDEV = 22,
    VCCW_VIR_FROM_AUTH = 46,
};

#define VCCW_VIR_ERR_LEVEL_ERROR 2

typedef struct {
    gint32 code;
    gint32 domain;
    char *message;
    gint32 level;
    char *str1;
    char *str2;
    char *str3;
    gint32 int1;
    gint32 int2;
} VccwRpcError;

void vccw_rpc_error_clear(VccwRpcError *e);

/* libvirt's code for one of our error codes (VCCW_VIR_ERR_INTERNAL_ERROR
 * for unknown ones). */
gint32 vccw_rpc_error_code_for(int vccw_code);

/* From a GError raised by virtccw code (VCCW_ERROR domain; anything else
 * becomes an internal error). @vir_domain is the libvirt error domain
 * (VCCW_VIR_FROM_NODEDEV for the node-device driver). */
void vccw_rpc_error_from_gerror(VccwRpcError *e, const GError *err, gint32 vir_domain);

/* A libvirt error raised here: @code is a virErrorNumber whose libvirt
 * wording ("this function is not supported by the connection driver: %s")
 * this module knows; @detail goes into %s. */
void vccw_rpc_error_set(VccwRpcError *e, gint32 code, gint32 vir_domain,
                        const char *fmt, ...) G_GNUC_PRINTF(4, 5);

bool vccw_rpc_error_encode(VccwXdrEnc *enc, const VccwRpcError *e);
/* For tests and clients: decodes (and ignores) the unused dom and net. */
bool vccw_rpc_error_decode(VccwXdrDec *dec, VccwRpcError *e);
