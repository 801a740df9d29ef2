/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: virtccwd's message decoder and dispatcher on arbitrary
 * bytes. The input is a stream as a client would send it: length words,
 * headers, bodies. Every whole message goes through the framing checks,
 * the header decoder, the argument decoders of the procedure table and
 * the handlers (against the fake node-device driver of tests/rpc); the
 * replies are decoded again. The first byte chooses the connection's
 * state (opened, read-only socket). Any crash, leak or sanitizer report
 * is a bug; error replies and disconnects are fine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "rpc_error.h"
#include "rpc_message.h"
#include "rpc_procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(GBytes *reply)
{
    VccwRpcHeader h;
    const guint8 *body;
    size_t len;

    if (!vccw_rpc_message_parse(g_bytes_get_data(reply, NULL), g_bytes_get_size(reply),
                                &h, &body, &len, NULL))
        abort();    /* we must never send what we cannot read */
    if (h.status == VCCW_RPC_ERROR) {
        VccwXdrDec dec;
        VccwRpcError e;

        vccw_xdr_dec_init(&dec, body, len);
        if (!vccw_rpc_error_decode(&dec, &e) || !vccw_xdr_dec_finish(&dec))
            abort();
        vccw_rpc_error_clear(&e);
        vccw_xdr_dec_clear(&dec);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VccwNodeDevDriver *drv;
    VccwRpcContext ctx = { .hostname = (char *)"fuzz", .lib_version = 9000000 };
    VccwRpcConn conn;
    size_t off = 1;
    int messages = 0;

    if (size < 1)
        return 0;
    drv = vccw_nodedev_driver_new(NULL, NULL);
    ctx.drv = drv;
    vccw_rpc_conn_init(&conn, data[0] & 1);
    conn.opened = data[0] & 2;

    /* also the error decoder, straight on the input */
    {
        VccwXdrDec dec;
        VccwRpcError e;

        vccw_xdr_dec_init(&dec, data + 1, size - 1);
        if (vccw_rpc_error_decode(&dec, &e))
            vccw_rpc_error_clear(&e);
        vccw_xdr_dec_clear(&dec);
    }

    while (size - off >= VCCW_RPC_LEN_SIZE && messages++ < 64) {
        guint32 len;
        VccwRpcResult res;

        if (!vccw_rpc_length_decode(data + off, &len, NULL))
            break;          /* the server disconnects here */
        if (len > size - off)
            break;          /* truncated: the server would wait */
        vccw_rpc_dispatch(&ctx, &conn, data + off, len, &res);
        if (res.reply) {
            check_reply(res.reply);
            g_bytes_unref(res.reply);
        }
        off += len;
        if (res.disconnect)
            break;
    }
    vccw_rpc_conn_clear(&conn);
    vccw_nodedev_driver_free(drv);
    return 0;
}
