/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: one error type for the whole project.
 *
 * Every error carries a code whose prefix reproduces libvirt's wording
 * ("XML error: ", "internal error: ", ...), so that messages compare
 * byte-for-byte with what libvirt 9.0 prints for the same mistake.
 */
#pragma once

#include <glib.h>

#define VCCW_ERROR (vccw_error_quark())
GQuark vccw_error_quark(void);

typedef enum {
    VCCW_ERR_INTERNAL,             /* "internal error: " */
    VCCW_ERR_XML,                  /* "XML error: " */
    VCCW_ERR_CONFIG_UNSUPPORTED,   /* "unsupported configuration: " */
    VCCW_ERR_NO_DEVICE,            /* "device not found: " */
    VCCW_ERR_OPERATION_INVALID,    /* "Requested operation is not valid: " */
    VCCW_ERR_OPERATION_FAILED,     /* "operation failed: " */
    VCCW_ERR_SYSTEM,               /* no prefix: message already names errno */
    VCCW_ERR_SCHEMA,               /* "XML document failed to validate against schema: " */
    VCCW_ERR_ARGUMENT,             /* "invalid argument: " */
    VCCW_ERR_OVERFLOW,             /* "value too large: " */
    VCCW_ERR_NO_NAME,              /* "missing name information " */
    VCCW_ERR_NO_NODE_DEVICE,       /* "Node device not found: " */
    VCCW_ERR_OPERATION_TIMEOUT,    /* "Timed out during operation: " */
    VCCW_ERR_LAST
} VccwErrorCode;

/* Set @err (if non-NULL) to @code with the libvirt prefix for @code. */
void vccw_error_set(GError **err, VccwErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Like vccw_error_set, appending ": <strerror(errnum)>". */
void vccw_error_set_errno(GError **err, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* A rollback after a failure failed too: append the printf-formatted
 * @fmt (say what was rolled back and why it failed) to the first error
 * *@err, keeping its domain and code, so the caller reports both. Nothing
 * when @err or *@err is NULL: a caller that passes no error still gets
 * the rollback done; only the text is not built. */
void vccw_error_append(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The prefix text of @code ("" for codes without one). */
const char *vccw_error_prefix(VccwErrorCode code);
