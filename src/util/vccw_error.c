/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_error.h"

#include <string.h>

G_DEFINE_QUARK(virtccw-error-quark, vccw_error)

/* Indexed by VccwErrorCode: libvirt's own wording for each class. */
static const char *const vccw_error_prefixes[VCCW_ERR_LAST] = {
    [VCCW_ERR_INTERNAL] = "internal error: ",
    [VCCW_ERR_XML] = "XML error: ",
    [VCCW_ERR_CONFIG_UNSUPPORTED] = "unsupported configuration: ",
    [VCCW_ERR_NO_DEVICE] = "device not found: ",
    [VCCW_ERR_OPERATION_INVALID] = "Requested operation is not valid: ",
    [VCCW_ERR_OPERATION_FAILED] = "operation failed: ",
    [VCCW_ERR_SYSTEM] = "",
    [VCCW_ERR_SCHEMA] = "XML document failed to validate against schema: ",
    [VCCW_ERR_ARGUMENT] = "invalid argument: ",
    [VCCW_ERR_OVERFLOW] = "value too large: ",
    [VCCW_ERR_NO_NAME] = "missing name information ",
    [VCCW_ERR_NO_NODE_DEVICE] = "Node device not found: ",
    [VCCW_ERR_OPERATION_TIMEOUT] = "Timed out during operation: ",
};

const char *
vccw_error_prefix(VccwErrorCode code)
{
    if ((int)code < 0 || code >= VCCW_ERR_LAST)
        return "";
    return vccw_error_prefixes[code];
}

void
vccw_error_set(GError **err, VccwErrorCode code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!err)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, VCCW_ERROR, code, "%s%s", vccw_error_prefix(code), msg);
}

void
vccw_error_set_errno(GError **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!err)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, VCCW_ERROR, VCCW_ERR_SYSTEM, "%s: %s", msg, g_strerror(errnum));
}

void
vccw_error_append(GError **err, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *tail = NULL;
    char *joined;

    if (!err || !*err)
        return;
    va_start(ap, fmt);
    tail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* as g_prefix_error does: the message is the error's own to replace */
    joined = g_strconcat((*err)->message, tail, NULL);
    g_free((*err)->message);
    (*err)->message = joined;
}
