/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: mdevctl definitions read as strictly as mdevctl reads them (see
 * the facts at the top of mdevctl_store.c): a small validator refuses what
 * serde_json refuses, and only then json-c builds the objects, since on
 * its own it accepts more. The usual file takes a shortcut without a JSON
 * parser (mdevctl_canonical.c).
 */
#include "mdevctl_store.h"
#include "mdevctl_canonical.h"
#include "mdevctl_store_priv.h"
#include "vccw_error.h"
#include "vccw_uuid.h"

#include <json-c/json.h>

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* serde_json fails when entering the 128th nested array or object */
#define MDEVCTL_JSON_MAX_DEPTH 127

/* ------------------------------------------------------------------ */
/* Strict JSON validation (what serde_json accepts)                    */

typedef struct {
    const char *buf;
    size_t len;
    size_t pos;
    unsigned int depth;
    const char *msg;
    size_t errpos;
} JsonCheck;

static bool json_check_value(JsonCheck *c);

static bool
json_check_fail(JsonCheck *c, const char *msg)
{
    if (!c->msg) {
        c->msg = msg;
        c->errpos = c->pos;
    }
    return false;
}

static int
json_check_peek(const JsonCheck *c)
{
    return c->pos < c->len ? (unsigned char)c->buf[c->pos] : -1;
}

static void
json_check_ws(JsonCheck *c)
{
    while (c->pos < c->len) {
        char ch = c->buf[c->pos];

        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->pos++;
    }
}

/* Four hex digits at pos; advances past them. */
static bool
json_check_hex4(JsonCheck *c, unsigned int *cp)
{
    *cp = 0;
    if (c->len - c->pos < 4)
        return json_check_fail(c, "EOF in \\u escape");
    for (int i = 0; i < 4; i++) {
        char ch = c->buf[c->pos];

        if (!g_ascii_isxdigit(ch))
            return json_check_fail(c, "invalid \\u escape");
        *cp = (*cp << 4) | (unsigned int)g_ascii_xdigit_value(ch);
        c->pos++;
    }
    return true;
}

static bool
json_check_string(JsonCheck *c)
{
    c->pos++;  /* '"' */
    for (;;) {
        int ch = json_check_peek(c);
        unsigned int cp;

        if (ch < 0)
            return json_check_fail(c, "EOF while parsing a string");
        if (ch == '"') {
            c->pos++;
            return true;
        }
        if (ch < 0x20)
            return json_check_fail(c, "control character in a string");
        if (ch != '\\') {
            c->pos++;
            continue;
        }
        c->pos++;
        switch (json_check_peek(c)) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            c->pos++;
            break;
        case 'u':
            c->pos++;
            if (!json_check_hex4(c, &cp))
                return false;
            if (cp == 0)
                return json_check_fail(c, "NUL character (\\u0000) in a string");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return json_check_fail(c, "lone trailing surrogate in \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (c->len - c->pos < 2 || c->buf[c->pos] != '\\' ||
                    c->buf[c->pos + 1] != 'u')
                    return json_check_fail(c, "lone leading surrogate in \\u escape");
                c->pos += 2;
                if (!json_check_hex4(c, &cp))
                    return false;
                if (cp < 0xdc00 || cp > 0xdfff)
                    return json_check_fail(c, "lone leading surrogate in \\u escape");
            }
            break;
        case -1:
            return json_check_fail(c, "EOF while parsing a string");
        default:
            return json_check_fail(c, "invalid escape");
        }
    }
}

static bool
json_check_digits(JsonCheck *c)
{
    size_t start = c->pos;

    while (c->pos < c->len && g_ascii_isdigit(c->buf[c->pos]))
        c->pos++;
    return c->pos > start;
}

static bool
json_check_number(JsonCheck *c)
{
    size_t start = c->pos;
    g_autofree char *text = NULL;
    double val;

    if (json_check_peek(c) == '-')
        c->pos++;
    if (json_check_peek(c) == '0') {
        c->pos++;
        if (g_ascii_isdigit(json_check_peek(c)))
            return json_check_fail(c, "invalid number");
    } else if (!json_check_digits(c))
        return json_check_fail(c, "invalid number");
    if (json_check_peek(c) == '.') {
        c->pos++;
        if (!json_check_digits(c))
            return json_check_fail(c, "invalid number");
    }
    if (json_check_peek(c) == 'e' || json_check_peek(c) == 'E') {
        c->pos++;
        if (json_check_peek(c) == '+' || json_check_peek(c) == '-')
            c->pos++;
        if (!json_check_digits(c))
            return json_check_fail(c, "invalid number");
    }
    text = g_strndup(c->buf + start, c->pos - start);
    val = g_ascii_strtod(text, NULL);
    if (isinf(val)) {
        c->pos = start;
        return json_check_fail(c, "number out of range");
    }
    return true;
}

static bool
json_check_literal(JsonCheck *c, const char *word)
{
    size_t n = strlen(word);

    if (c->len - c->pos < n || memcmp(c->buf + c->pos, word, n) != 0)
        return json_check_fail(c, "expected value");
    c->pos += n;
    return true;
}

/* '[' or '{' at pos */
static bool
json_check_container(JsonCheck *c, char close)
{
    bool first = true;

    if (++c->depth > MDEVCTL_JSON_MAX_DEPTH)
        return json_check_fail(c, "recursion limit exceeded");
    c->pos++;
    json_check_ws(c);
    if (json_check_peek(c) == close) {
        c->pos++;
        c->depth--;
        return true;
    }
    for (;;) {
        json_check_ws(c);
        if (close == '}') {
            if (json_check_peek(c) < 0)
                return json_check_fail(c, "EOF while parsing an object");
            if (!first && json_check_peek(c) == '}')
                return json_check_fail(c, "trailing comma");
            if (json_check_peek(c) != '"')
                return json_check_fail(c, "key must be a string");
            if (!json_check_string(c))
                return false;
            json_check_ws(c);
            if (json_check_peek(c) != ':')
                return json_check_fail(c, "expected ':'");
            c->pos++;
            json_check_ws(c);
        }
        if (json_check_peek(c) < 0)
            return json_check_fail(c, close == '}' ? "EOF while parsing an object" :
                                                    "EOF while parsing a list");
        if (!first && close == ']' && json_check_peek(c) == ']')
            return json_check_fail(c, "trailing comma");
        if (!json_check_value(c))
            return false;
        first = false;
        json_check_ws(c);
        if (json_check_peek(c) == ',') {
            c->pos++;
            continue;
        }
        if (json_check_peek(c) == close) {
            c->pos++;
            c->depth--;
            return true;
        }
        if (json_check_peek(c) < 0)
            return json_check_fail(c, close == '}' ? "EOF while parsing an object" :
                                                    "EOF while parsing a list");
        return json_check_fail(c, close == '}' ? "expected ',' or '}'" :
                                                "expected ',' or ']'");
    }
}

static bool
json_check_value(JsonCheck *c)
{
    int ch = json_check_peek(c);

    switch (ch) {
    case -1: return json_check_fail(c, "EOF while parsing a value");
    case '{': return json_check_container(c, '}');
    case '[': return json_check_container(c, ']');
    case '"': return json_check_string(c);
    case 't': return json_check_literal(c, "true");
    case 'f': return json_check_literal(c, "false");
    case 'n': return json_check_literal(c, "null");
    default:
        if (ch == '-' || g_ascii_isdigit(ch))
            return json_check_number(c);
        return json_check_fail(c, "expected value");
    }
}

/* Parse @json strictly; the error names the byte offset. */
static json_object *
mdevctl_json_parse(const char *json, size_t len, const char *what, GError **err)
{
    JsonCheck c = { .buf = json, .len = len };
    const char *bad = NULL;
    json_tokener *tok;
    json_object *obj;

    if (!g_utf8_validate_len(json, len, &bad)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: %s at byte %zu", what,
                       *bad ? "invalid UTF-8" : "NUL character", (size_t)(bad - json));
        return NULL;
    }
    json_check_ws(&c);
    if (json_check_value(&c)) {
        json_check_ws(&c);
        if (c.pos < c.len)
            json_check_fail(&c, "trailing characters");
    }
    if (c.msg) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: invalid JSON at byte %zu: %s",
                       what, c.errpos, c.msg);
        return NULL;
    }
    if (len > INT_MAX) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: too large", what);
        return NULL;
    }
    tok = json_tokener_new_ex(MDEVCTL_JSON_MAX_DEPTH + 2);
    if (!tok) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "cannot allocate a JSON parser");
        return NULL;
    }
    /* No JSON_TOKENER_STRICT: the check above is the strictness (RFC 8259,
     * as mdevctl's serde reads it), the same with every json-c. json-c's
     * strict mode is not: its header warns it may tighten from one release
     * to the next, and json-c 0.18 (Debian 13) refuses there what 0.16
     * (Debian 12) took and mdevctl writes: raw UTF-8 in strings ("invalid
     * string sequence": bytes >= 0x80 taken for control characters) and
     * integers beyond 64 bits ("number expected"). */
    obj = json_tokener_parse_ex(tok, json, (int)len);
    if (!obj && json_tokener_get_error(tok) == json_tokener_continue) {
        /* a bare number at the very end needs a terminator */
        obj = json_tokener_parse_ex(tok, "", 1);
    }
    if (!obj && json_tokener_get_error(tok) != json_tokener_success) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: %s", what,
                       json_tokener_error_desc(json_tokener_get_error(tok)));
    } else if (!obj) {
        /* the document is "null" */
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: the document is null", what);
    }
    json_tokener_free(tok);
    return obj;
}

/* ------------------------------------------------------------------ */
/* Reading definitions                                                 */

/* The properties object of one definition; @where prefixes messages
 * (e.g. "mdevctl definition"). */
static VccwMdevctlDef *
mdevctl_def_from_object(json_object *obj, const char *where, const char *parent,
                        const unsigned char *uuid, GError **err)
{
    g_autoptr(VccwMdevctlDef) def = vccw_mdevctl_def_new();
    json_object *type = NULL;
    json_object *start = NULL;
    json_object *attrs = NULL;

    if (!json_object_is_type(obj, json_type_object)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: not a JSON object", where);
        return NULL;
    }
    if (!json_object_object_get_ex(obj, "mdev_type", &type) || !type) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: missing 'mdev_type'", where);
        return NULL;
    }
    if (!json_object_object_get_ex(obj, "start", &start) || !start) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: missing 'start'", where);
        return NULL;
    }
    if (!json_object_is_type(type, json_type_string)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: 'mdev_type' is not a string",
                       where);
        return NULL;
    }
    if (!mdevctl_type_is_valid(json_object_get_string(type))) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: invalid 'mdev_type' '%s'",
                       where, json_object_get_string(type));
        return NULL;
    }
    def->mdev_type = g_strdup(json_object_get_string(type));
    /* mdevctl: anything but the string "auto" is manual */
    def->start = json_object_is_type(start, json_type_string) &&
                 g_str_equal(json_object_get_string(start), "auto") ?
                 VCCW_MDEV_START_AUTO : VCCW_MDEV_START_MANUAL;

    if (json_object_object_get_ex(obj, "attrs", &attrs) && attrs) {
        size_t n;

        if (!json_object_is_type(attrs, json_type_array)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid %s: 'attrs' is not an array",
                           where);
            return NULL;
        }
        n = json_object_array_length(attrs);
        for (size_t i = 0; i < n; i++) {
            json_object *attr = json_object_array_get_idx(attrs, i);
            struct json_object_iterator it;
            json_object *val;
            const char *name;

            if (!json_object_is_type(attr, json_type_object)) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid %s: attribute %zu is not an object", where, i);
                return NULL;
            }
            if (json_object_object_length(attr) != 1) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid %s: attribute %zu has %d fields, not 1",
                               where, i, json_object_object_length(attr));
                return NULL;
            }
            it = json_object_iter_begin(attr);
            name = json_object_iter_peek_name(&it);
            val = json_object_iter_peek_value(&it);
            if (!json_object_is_type(val, json_type_string)) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid %s: attribute %zu ('%s') is not a string",
                               where, i, name);
                return NULL;
            }
            vccw_mdevctl_def_add_attr(def, name, json_object_get_string(val));
        }
    }
    def->parent = g_strdup(parent);
    if (uuid)
        memcpy(def->uuid, uuid, VCCW_UUID_BUFLEN);
    return g_steal_pointer(&def);
}

VccwMdevctlDef *
vccw_mdevctl_def_from_json(const char *json, size_t len, const char *parent,
                           const unsigned char *uuid, GError **err)
{
    VccwMdevctlDef *def = vccw_mdevctl_def_from_canonical(json, len, parent, uuid);

    if (def)
        return def;
    return vccw_mdevctl_def_from_json_general(json, len, parent, uuid, err);
}

VccwMdevctlDef *
vccw_mdevctl_def_from_json_general(const char *json, size_t len, const char *parent,
                                   const unsigned char *uuid, GError **err)
{
    json_object *obj;
    VccwMdevctlDef *def;

    if (!json)
        len = 0;
    if (len > VCCW_MDEVCTL_DEF_MAX_BYTES) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "invalid mdevctl definition: larger than %d bytes",
                       VCCW_MDEVCTL_DEF_MAX_BYTES);
        return NULL;
    }
    if (!(obj = mdevctl_json_parse(json ? json : "", len, "mdevctl definition", err)))
        return NULL;
    def = mdevctl_def_from_object(obj, "mdevctl definition", parent, uuid, err);
    json_object_put(obj);
    return def;
}

/* ------------------------------------------------------------------ */
/* mdevctl list --dumpjson                                             */

GPtrArray *
vccw_mdevctl_list_from_json(const char *json, size_t len, GError **err)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vccw_mdevctl_def_free);
    json_object *top;
    size_t n;

    if (!json)
        len = 0;
    if (len > VCCW_MDEVCTL_LIST_MAX_BYTES) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid mdevctl list: larger than %d bytes",
                       VCCW_MDEVCTL_LIST_MAX_BYTES);
        return NULL;
    }
    if (!(top = mdevctl_json_parse(json ? json : "", len, "mdevctl list", err)))
        return NULL;
    if (!json_object_is_type(top, json_type_array)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "invalid mdevctl list: not a JSON array");
        goto error;
    }
    n = json_object_array_length(top);
    for (size_t i = 0; i < n; i++) {
        json_object *parents = json_object_array_get_idx(top, i);

        if (!json_object_is_type(parents, json_type_object)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "invalid mdevctl list: element %zu is not an object", i);
            goto error;
        }
        json_object_object_foreach(parents, parent, children) {
            size_t nchildren;

            if (!parent[0]) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid mdevctl list: empty parent name");
                goto error;
            }
            if (!json_object_is_type(children, json_type_array)) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid mdevctl list: devices of '%s' are not an array",
                               parent);
                goto error;
            }
            nchildren = json_object_array_length(children);
            for (size_t j = 0; j < nchildren; j++) {
                json_object *child = json_object_array_get_idx(children, j);
                unsigned char uuid[VCCW_UUID_BUFLEN];
                g_autofree char *where = NULL;
                struct json_object_iterator it;
                const char *uuidstr;
                VccwMdevctlDef *def;

                if (!json_object_is_type(child, json_type_object) ||
                    json_object_object_length(child) != 1) {
                    vccw_error_set(err, VCCW_ERR_INTERNAL,
                                   "invalid mdevctl list: device %zu of '%s' is not "
                                   "an object with a single uuid key", j, parent);
                    goto error;
                }
                it = json_object_iter_begin(child);
                uuidstr = json_object_iter_peek_name(&it);
                if (!vccw_uuid_parse(uuidstr, uuid)) {
                    vccw_error_set(err, VCCW_ERR_INTERNAL,
                                   "invalid mdevctl list: invalid uuid '%s' under '%s'",
                                   uuidstr, parent);
                    goto error;
                }
                where = g_strdup_printf("mdevctl list: device %s of '%s'", uuidstr, parent);
                def = mdevctl_def_from_object(json_object_iter_peek_value(&it), where,
                                              parent, uuid, err);
                if (!def)
                    goto error;
                g_ptr_array_add(defs, def);
            }
        }
    }
    json_object_put(top);
    return g_steal_pointer(&defs);

 error:
    json_object_put(top);
    return NULL;
}
