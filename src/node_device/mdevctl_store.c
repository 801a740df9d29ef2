/* virtccw: mdevctl's persistent definitions, in mdevctl 1.2.0's format.
 *
 * Facts this file reproduces (mdevctl 1.2.0, src/mdev.rs and src/main.rs,
 * checked against Debian's binary by tests/mdevctl-interop.sh):
 *
 *  - a definition is /etc/mdevctl.d/<parent>/<uuid>, written with
 *    serde_json's to_string_pretty() ("preserve_order" feature): 2-space
 *    indent, '"key": value', empty arrays as "[]", keys mdev_type, start,
 *    attrs, no trailing newline.  Strings escape '"', '\\', \b \f \n \r \t
 *    and other control characters as \u00xx (lower-case hex); '/', DEL and
 *    non-ASCII are written as they are.  json-c's pretty printer differs
 *    ("\/", empty arrays over two lines), so the text is generated here.
 *  - reading: the file must be valid UTF-8 JSON (serde_json: no comments,
 *    no single quotes, no NaN, no trailing commas, numbers within f64's
 *    range, nesting below 128, nothing but whitespace after the value);
 *    "mdev_type" and "start" must be present and not null, "start" other
 *    than the string "auto" means manual, "attrs" is absent, null or an
 *    array of objects with exactly one field each; other keys are ignored.
 *    Where mdevctl panics (a non-string mdev_type or attribute value) this
 *    is an error for that file only.  We are stricter in two places: a
 *    string holding U+0000 and an mdev_type that cannot be a sysfs file name
 *    are refused.
 *  - listing: parents in byte order, then UUIDs in byte order; mdevctl
 *    ignores entries that are not directories (parents) or regular files
 *    (definitions) without following symlinks, and names that are not
 *    UUIDs.  Here parents that are not ccw subchannel ids (vfio_ap's
 *    "matrix", PCI addresses, scripts.d) are ignored silently: they belong
 *    to other drivers.  Odd entries under a subchannel directory and
 *    unreadable or corrupt files become warnings.
 *
 * JSON is first checked by a small strict validator (below) and only then
 * handed to json-c, which on its own accepts more than serde_json does.
 */
#include "mdevctl_store.h"
#include "mdevctl_canonical.h"
#include "vccw_error.h"
#include "vccw_uuid.h"

#include <json-c/json.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MDEVCTL_SCRIPTS_DIR "scripts.d"
/* serde_json fails when entering the 128th nested array or object */
#define MDEVCTL_JSON_MAX_DEPTH 127

/* ------------------------------------------------------------------ */
/* Names                                                               */

/* The kernel's subchannel names, "%x.%x.%04x" (vccw_ccw_id_parse). */
bool
vccw_mdevctl_parent_is_valid(const char *parent)
{
    VccwCcwId id;

    return parent && vccw_ccw_id_parse(parent, &id);
}

/* A definition's file name: the canonical lower-case form mdevctl writes. */
static bool
mdevctl_uuid_name_parse(const char *name, unsigned char uuid[VCCW_UUID_BUFLEN])
{
    if (!vccw_uuid_is_canonical(name))
        return false;
    for (const char *c = name; *c; c++) {
        if (g_ascii_isupper(*c))
            return false;
    }
    return vccw_uuid_parse(name, uuid);
}

/* An mdev type must be usable as one sysfs file name. */
static bool
mdevctl_type_is_valid(const char *type)
{
    return type && vccw_path_component_is_safe(type);
}

/* ------------------------------------------------------------------ */
/* Definitions                                                         */

VccwMdevctlDef *
vccw_mdevctl_def_new(void)
{
    VccwMdevctlDef *def = g_new0(VccwMdevctlDef, 1);

    def->start = VCCW_MDEV_START_MANUAL;
    def->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdev_attr_free);
    return def;
}

void
vccw_mdevctl_def_free(VccwMdevctlDef *def)
{
    if (!def)
        return;
    g_free(def->parent);
    g_free(def->mdev_type);
    if (def->attrs)
        g_ptr_array_unref(def->attrs);
    g_free(def);
}

bool
vccw_mdevctl_def_equal(const VccwMdevctlDef *a, const VccwMdevctlDef *b)
{
    guint na = a->attrs ? a->attrs->len : 0, nb = b->attrs ? b->attrs->len : 0;

    if (g_strcmp0(a->parent, b->parent) || g_strcmp0(a->mdev_type, b->mdev_type) ||
        a->start != b->start || memcmp(a->uuid, b->uuid, VCCW_UUID_BUFLEN) || na != nb)
        return false;
    for (guint i = 0; i < na; i++) {
        const VccwMdevAttr *x = g_ptr_array_index(a->attrs, i);
        const VccwMdevAttr *y = g_ptr_array_index(b->attrs, i);

        if (g_strcmp0(x->name, y->name) || g_strcmp0(x->value, y->value))
            return false;
    }
    return true;
}

void
vccw_mdevctl_def_add_attr(VccwMdevctlDef *def, const char *name, const char *value)
{
    g_ptr_array_add(def->attrs, vccw_mdev_attr_new(name, value));
}

/* ------------------------------------------------------------------ */
/* Writing JSON like serde_json's pretty printer                       */

static void
json_put_string(GString *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* a run of characters written as they are, in one append */
        size_t run = 0;

        while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > 0) {
            g_string_append_len(out, (const char *)p, (gssize)run);
            p += run - 1;
            continue;
        }
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (*p < 0x20) {
                g_string_append(out, "\\u00");
                g_string_append_c(out, hex[*p >> 4]);
                g_string_append_c(out, hex[*p & 0xf]);
            } else {
                g_string_append_c(out, (char)*p);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void
json_indent(GString *out, unsigned int level)
{
    g_string_append_c(out, '\n');
    for (unsigned int i = 0; i < level; i++)
        g_string_append(out, "  ");
}

/* The object {"mdev_type", "start", "attrs"}, opened at the current
 * position, its fields at @level + 1. */
static void
json_put_def(GString *out, const VccwMdevctlDef *def, unsigned int level)
{
    g_string_append_c(out, '{');
    json_indent(out, level + 1);
    g_string_append(out, "\"mdev_type\": ");
    json_put_string(out, def->mdev_type ? def->mdev_type : "");
    g_string_append_c(out, ',');
    json_indent(out, level + 1);
    g_string_append(out, "\"start\": ");
    json_put_string(out, def->start == VCCW_MDEV_START_AUTO ? "auto" : "manual");
    g_string_append_c(out, ',');
    json_indent(out, level + 1);
    g_string_append(out, "\"attrs\": [");
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *attr = g_ptr_array_index(def->attrs, i);

        if (i > 0)
            g_string_append_c(out, ',');
        json_indent(out, level + 2);
        g_string_append_c(out, '{');
        json_indent(out, level + 3);
        json_put_string(out, attr->name ? attr->name : "");
        g_string_append(out, ": ");
        json_put_string(out, attr->value ? attr->value : "");
        json_indent(out, level + 2);
        g_string_append_c(out, '}');
    }
    if (def->attrs && def->attrs->len > 0)
        json_indent(out, level + 1);
    g_string_append_c(out, ']');
    json_indent(out, level);
    g_string_append_c(out, '}');
}

char *
vccw_mdevctl_def_to_json(const VccwMdevctlDef *def)
{
    GString *out;

    g_return_val_if_fail(def != NULL, NULL);
    out = g_string_sized_new(128);
    json_put_def(out, def, 0);
    return g_string_free(out, FALSE);
}

static gint
mdevctl_def_cmp(gconstpointer a, gconstpointer b)
{
    const VccwMdevctlDef *da = *(const VccwMdevctlDef *const *)a;
    const VccwMdevctlDef *db = *(const VccwMdevctlDef *const *)b;
    int r = strcmp(da->parent ? da->parent : "", db->parent ? db->parent : "");

    return r ? r : memcmp(da->uuid, db->uuid, VCCW_UUID_BUFLEN);
}

char *
vccw_mdevctl_list_to_json(GPtrArray *defs)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    GString *out;
    const char *cur = NULL;

    for (guint i = 0; defs && i < defs->len; i++)
        g_ptr_array_add(sorted, g_ptr_array_index(defs, i));
    if (sorted->len == 0)
        return g_strdup("[]");
    /* mdevctl groups devices in a BTreeMap by parent and sorts each
     * group by uuid; a stable sort keeps equal entries as given */
    g_ptr_array_sort(sorted, mdevctl_def_cmp);

    out = g_string_sized_new(256 * sorted->len);
    g_string_append(out, "[");
    json_indent(out, 1);
    g_string_append(out, "{");
    for (guint i = 0; i < sorted->len; i++) {
        const VccwMdevctlDef *def = g_ptr_array_index(sorted, i);
        const char *parent = def->parent ? def->parent : "";
        char uuidstr[VCCW_UUID_STRING_BUFLEN];

        if (!cur || !g_str_equal(cur, parent)) {
            if (cur) {
                json_indent(out, 2);
                g_string_append(out, "],");
            }
            json_indent(out, 2);
            json_put_string(out, parent);
            g_string_append(out, ": [");
            cur = parent;
        } else {
            g_string_append_c(out, ',');
        }
        json_indent(out, 3);
        g_string_append_c(out, '{');
        json_indent(out, 4);
        vccw_uuid_format(def->uuid, uuidstr);
        json_put_string(out, uuidstr);
        g_string_append(out, ": ");
        json_put_def(out, def, 4);
        json_indent(out, 3);
        g_string_append_c(out, '}');
    }
    json_indent(out, 2);
    g_string_append_c(out, ']');
    json_indent(out, 1);
    g_string_append_c(out, '}');
    json_indent(out, 0);
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

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

/* ------------------------------------------------------------------ */
/* The store                                                           */

static void
mdevctl_warn(GPtrArray *warnings, const char *parent, const char *name,
             const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
mdevctl_warn(GPtrArray *warnings, const char *parent, const char *name,
             const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!warnings)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(warnings,
                    g_strdup_printf("skipping %s/%s%s%s: %s",
                                    vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                    parent, name ? "/" : "", name ? name : "", msg));
}

/* An error message without the class prefix ("internal error: "). */
static const char *
mdevctl_error_text(const GError *error)
{
    const char *prefix = "";

    if (error->domain == VCCW_ERROR)
        prefix = vccw_error_prefix((VccwErrorCode)error->code);
    if (g_str_has_prefix(error->message, prefix))
        return error->message + strlen(prefix);
    return error->message;
}

/* Read a regular file (not through a symlink, never blocking on a FIFO)
 * of at most @max bytes. @known_regular: the directory entry said DT_REG,
 * so the fstat() is saved (this is the hot path of a listing: one
 * openat, one read, one close per definition). A short read of a regular
 * file is its end. On failure *why is a static description, or it is
 * NULL and errno tells. */
static char *
mdevctl_read_file(int dirfd, const char *name, size_t max, bool known_regular,
                  size_t *len, const char **why)
{
    g_autofree char *buf = NULL;
    size_t have = 0, cap = 4096;
    int fd, saved;

    *why = NULL;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP)
            *why = "a symbolic link, not a definition file";
        return NULL;
    }
    if (!known_regular) {
        struct stat st;

        if (fstat(fd, &st) < 0)
            goto syserror;
        if (!S_ISREG(st.st_mode)) {
            *why = "not a regular file";
            goto error;
        }
        if ((unsigned long long)st.st_size > max) {
            *why = "larger than " G_STRINGIFY(VCCW_MDEVCTL_DEF_MAX_BYTES) " bytes";
            goto error;
        }
        if (st.st_size > 0)
            cap = (size_t)st.st_size + 1;
    }
    buf = g_malloc(cap + 1);
    for (;;) {
        ssize_t r;

        if (have == cap) {
            if (cap > max)
                break;
            cap = MIN(cap * 2, max + 1);
            buf = g_realloc(buf, cap + 1);
        }
        r = read(fd, buf + have, cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EISDIR || errno == EAGAIN) {
                /* swapped for a directory or a FIFO since readdir */
                *why = "not a regular file";
                goto error;
            }
            goto syserror;
        }
        if (r == 0)
            break;
        have += (size_t)r;
        if (have < cap)
            break;
    }
    if (have > max) {
        *why = "larger than " G_STRINGIFY(VCCW_MDEVCTL_DEF_MAX_BYTES) " bytes";
        goto error;
    }
    close(fd);
    buf[have] = '\0';
    *len = have;
    return g_steal_pointer(&buf);

 syserror:
    saved = errno;
    close(fd);
    errno = saved;
    return NULL;
 error:
    close(fd);
    return NULL;
}

/* Load <dirfd>/<name>: VCCW_ERR_INTERNAL for its content,
 * VCCW_ERR_OPERATION_FAILED for what it is, VCCW_ERR_SYSTEM for I/O. */
static VccwMdevctlDef *
mdevctl_load(int dirfd, const char *parent, const char *name, bool known_regular,
             const unsigned char *uuid, GError **err)
{
    g_autofree char *buf = NULL;
    const char *why = NULL;
    size_t len = 0;

    buf = mdevctl_read_file(dirfd, name, VCCW_MDEVCTL_DEF_MAX_BYTES, known_regular,
                            &len, &why);
    if (!buf) {
        if (why)
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "%s", why);
        else
            vccw_error_set_errno(err, errno, "cannot read %s/%s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 parent, name);
        return NULL;
    }
    return vccw_mdevctl_def_from_json(buf, len, parent, uuid, err);
}

/* Directory entries straight from getdents64(): no fstat()/fcntl() of
 * fdopendir(), one buffer for the whole listing. */
typedef struct {
    int fd;
    char *buf;
    size_t size;
    size_t pos;
    size_t len;
} MdevctlDirScan;

typedef struct {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} MdevctlDirent64;

/* The next entry; NULL at the end, or with errno set on error. */
static const MdevctlDirent64 *
mdevctl_dir_next(MdevctlDirScan *d)
{
    const MdevctlDirent64 *ent;

    if (d->pos >= d->len) {
        ssize_t r;

        do {
            r = getdents64(d->fd, d->buf, d->size);
        } while (r < 0 && errno == EINTR);
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return NULL;
        }
        d->len = (size_t)r;
        d->pos = 0;
    }
    ent = (const MdevctlDirent64 *)(const void *)(d->buf + d->pos);
    d->pos += ent->d_reclen;
    return ent;
}

static void
mdevctl_dir_start(MdevctlDirScan *d, int fd)
{
    d->fd = fd;
    d->pos = d->len = 0;
}

/* DT_* of an entry, asking the file system only when it did not say. */
static int
mdevctl_entry_type(int dirfd, const MdevctlDirent64 *ent)
{
    struct stat st;

    if (ent->d_type != DT_UNKNOWN)
        return ent->d_type;
    if (fstatat(dirfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return DT_UNKNOWN;
    if (S_ISDIR(st.st_mode))
        return DT_DIR;
    if (S_ISREG(st.st_mode))
        return DT_REG;
    if (S_ISLNK(st.st_mode))
        return DT_LNK;
    return DT_FIFO;  /* any other kind: not a definition */
}

/* Open the config dir for reading; -1 and *missing when it is absent,
 * -1 and @err on other failures. */
static int
mdevctl_open_config(const VccwHost *host, bool *missing, GError **err)
{
    g_autofree char *path = vccw_host_path(host, VCCW_HOST_DIR_MDEVCTL_CONFIG,
                                           NULL, NULL, err);
    int fd;

    *missing = false;
    if (!path)
        return -1;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            *missing = true;
        else
            vccw_error_set_errno(err, errno, "cannot open %s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
    }
    return fd;
}

static gint
mdevctl_str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The subchannel directories of the store, sorted. */
static GPtrArray *
mdevctl_list_parents(MdevctlDirScan *d, int cfgfd, GPtrArray *warnings, GError **err)
{
    g_autoptr(GPtrArray) parents = g_ptr_array_new_with_free_func(g_free);
    const MdevctlDirent64 *ent;

    mdevctl_dir_start(d, cfgfd);
    while ((ent = mdevctl_dir_next(d))) {
        if (!vccw_mdevctl_parent_is_valid(ent->d_name))
            continue;  /* ".", "..", scripts.d, other drivers' parents */
        if (mdevctl_entry_type(cfgfd, ent) != DT_DIR) {
            mdevctl_warn(warnings, ent->d_name, NULL, "not a directory");
            continue;
        }
        g_ptr_array_add(parents, g_strdup(ent->d_name));
    }
    if (errno) {
        vccw_error_set_errno(err, errno, "cannot read %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return NULL;
    }
    g_ptr_array_sort(parents, mdevctl_str_cmp);
    return g_steal_pointer(&parents);
}

#define MDEVCTL_DIRBUF_SIZE 32768

GPtrArray *
vccw_mdevctl_store_list(const VccwHost *host, GPtrArray *warnings, GError **err)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vccw_mdevctl_def_free);
    g_autoptr(GPtrArray) parents = NULL;
    g_autofree char *dirbuf = g_malloc(MDEVCTL_DIRBUF_SIZE);
    MdevctlDirScan d = { .buf = dirbuf, .size = MDEVCTL_DIRBUF_SIZE };
    bool missing;
    int cfgfd;

    if ((cfgfd = mdevctl_open_config(host, &missing, err)) < 0)
        return missing ? g_steal_pointer(&defs) : NULL;
    if (!(parents = mdevctl_list_parents(&d, cfgfd, warnings, err))) {
        close(cfgfd);
        return NULL;
    }
    for (guint i = 0; i < parents->len; i++) {
        const char *parent = g_ptr_array_index(parents, i);
        int pfd = openat(cfgfd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const MdevctlDirent64 *ent;

        if (pfd < 0) {
            mdevctl_warn(warnings, parent, NULL, "%s", g_strerror(errno));
            continue;
        }
        mdevctl_dir_start(&d, pfd);
        while ((ent = mdevctl_dir_next(&d))) {
            unsigned char uuid[VCCW_UUID_BUFLEN];
            g_autoptr(GError) lerr = NULL;
            VccwMdevctlDef *def;
            int type;

            if (ent->d_name[0] == '.')
                continue;  /* ".", "..", our in-flight temporary files */
            if (!mdevctl_uuid_name_parse(ent->d_name, uuid)) {
                mdevctl_warn(warnings, parent, ent->d_name,
                             "file name is not a lower-case UUID");
                continue;
            }
            type = mdevctl_entry_type(pfd, ent);
            if (type == DT_LNK) {
                mdevctl_warn(warnings, parent, ent->d_name,
                             "a symbolic link, not a definition file");
                continue;
            }
            if (type != DT_REG && type != DT_UNKNOWN) {
                mdevctl_warn(warnings, parent, ent->d_name, "not a regular file");
                continue;
            }
            def = mdevctl_load(pfd, parent, ent->d_name, type == DT_REG, uuid, &lerr);
            if (!def) {
                mdevctl_warn(warnings, parent, ent->d_name, "%s", mdevctl_error_text(lerr));
                continue;
            }
            g_ptr_array_add(defs, def);
        }
        if (errno)
            mdevctl_warn(warnings, parent, NULL, "%s", g_strerror(errno));
        close(pfd);
    }
    close(cfgfd);
    g_ptr_array_sort(defs, mdevctl_def_cmp);
    return g_steal_pointer(&defs);
}

/* The definitions named @name (the uuid's string) under each of @parents. */
static GPtrArray *
mdevctl_find_under(int cfgfd, GPtrArray *parents, const char *name,
                   const unsigned char *uuid, GError **err)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vccw_mdevctl_def_free);

    for (guint i = 0; parents && i < parents->len; i++) {
        const char *p = g_ptr_array_index(parents, i);
        int pfd = openat(cfgfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autoptr(GError) lerr = NULL;
        g_autofree char *buf = NULL;
        const char *why = NULL;
        VccwMdevctlDef *def;
        size_t len = 0;
        int saved;

        if (pfd < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                continue;
            vccw_error_set_errno(err, errno, "cannot open %s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), p);
            return NULL;
        }
        buf = mdevctl_read_file(pfd, name, VCCW_MDEVCTL_DEF_MAX_BYTES, false, &len, &why);
        saved = errno;
        close(pfd);
        if (!buf && !why && saved == ENOENT)
            continue;
        if (!buf) {
            if (why)
                vccw_error_set(&lerr, VCCW_ERR_OPERATION_FAILED, "%s", why);
            else
                vccw_error_set(&lerr, VCCW_ERR_SYSTEM, "%s", g_strerror(saved));
            def = NULL;
        } else {
            def = vccw_mdevctl_def_from_json(buf, len, p, uuid, &lerr);
        }
        if (!def) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "mdevctl definition %s/%s/%s: %s",
                           vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), p, name,
                           mdevctl_error_text(lerr));
            return NULL;
        }
        g_ptr_array_add(defs, def);
    }
    return g_steal_pointer(&defs);
}

/* The store's parents for @uuid: @parent alone, @index's list, or all. */
static GPtrArray *
mdevctl_find(const VccwHost *host, GHashTable *index, const unsigned char *uuid,
             const char *parent, GError **err)
{
    g_autoptr(GPtrArray) parents = NULL;
    char name[VCCW_UUID_STRING_BUFLEN];
    GPtrArray *defs;
    bool missing;
    int cfgfd;

    if (parent && !vccw_mdevctl_parent_is_valid(parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'", parent);
        return NULL;
    }
    vccw_uuid_format(uuid, name);
    if (!parent && index && !g_hash_table_contains(index, name))
        return g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdevctl_def_free);
    if ((cfgfd = mdevctl_open_config(host, &missing, err)) < 0)
        return missing ? g_ptr_array_new_with_free_func((GDestroyNotify)vccw_mdevctl_def_free)
                       : NULL;
    if (parent) {
        parents = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(parents, g_strdup(parent));
    } else if (index) {
        parents = g_ptr_array_ref(g_hash_table_lookup(index, name));
    } else {
        g_autofree char *dirbuf = g_malloc(MDEVCTL_DIRBUF_SIZE);
        MdevctlDirScan d = { .buf = dirbuf, .size = MDEVCTL_DIRBUF_SIZE };

        if (!(parents = mdevctl_list_parents(&d, cfgfd, NULL, err))) {
            close(cfgfd);
            return NULL;
        }
    }
    defs = mdevctl_find_under(cfgfd, parents, name, uuid, err);
    close(cfgfd);
    return defs;
}

GPtrArray *
vccw_mdevctl_store_find(const VccwHost *host, const unsigned char *uuid,
                        const char *parent, GError **err)
{
    return mdevctl_find(host, NULL, uuid, parent, err);
}

GPtrArray *
vccw_mdevctl_store_find_indexed(const VccwHost *host, GHashTable *index,
                                const unsigned char *uuid, const char *parent, GError **err)
{
    return mdevctl_find(host, index, uuid, parent, err);
}

GHashTable *
vccw_mdevctl_store_index(const VccwHost *host, GError **err)
{
    g_autoptr(GHashTable) index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GPtrArray) parents = NULL;
    g_autofree char *dirbuf = g_malloc(MDEVCTL_DIRBUF_SIZE);
    MdevctlDirScan d = { .buf = dirbuf, .size = MDEVCTL_DIRBUF_SIZE };
    bool missing;
    int cfgfd;

    if ((cfgfd = mdevctl_open_config(host, &missing, err)) < 0)
        return missing ? g_steal_pointer(&index) : NULL;
    if (!(parents = mdevctl_list_parents(&d, cfgfd, NULL, err))) {
        close(cfgfd);
        return NULL;
    }
    for (guint i = 0; i < parents->len; i++) {
        const char *p = g_ptr_array_index(parents, i);
        int pfd = openat(cfgfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const MdevctlDirent64 *ent;

        if (pfd < 0)
            continue;   /* gone, or no directory: find skips it alike */
        mdevctl_dir_start(&d, pfd);
        while ((ent = mdevctl_dir_next(&d))) {
            GPtrArray *list;
            char canon[VCCW_UUID_STRING_BUFLEN];
            unsigned char raw[VCCW_UUID_BUFLEN];

            /* only names find would open: the uuid's canonical string */
            if (!vccw_uuid_parse(ent->d_name, raw))
                continue;
            vccw_uuid_format(raw, canon);
            if (!g_str_equal(canon, ent->d_name))
                continue;
            if (!(list = g_hash_table_lookup(index, canon))) {
                list = g_ptr_array_new_with_free_func(g_free);
                g_hash_table_insert(index, g_strdup(canon), list);
            }
            g_ptr_array_add(list, g_strdup(p));
        }
        close(pfd);
    }
    close(cfgfd);
    return g_steal_pointer(&index);
}

/* Open (creating when @create) @name under @dirfd as a directory, never
 * through a symlink. Returns -1 with errno set. */
static int
mdevctl_open_subdir(int dirfd, const char *name, bool create)
{
    if (create && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
        return -1;
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The config dir, reached from the host root one component at a time so
 * that no symlink inside the root can lead a write outside it. */
static int
mdevctl_open_config_for_write(const VccwHost *host, bool create, GError **err)
{
    const char *abs = vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG);
    g_auto(GStrv) parts = g_strsplit(abs, "/", -1);
    int fd = open(vccw_host_root(host), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        vccw_error_set_errno(err, errno, "cannot open host root %s", vccw_host_root(host));
        return -1;
    }
    for (size_t i = 0; parts[i]; i++) {
        int next;

        if (!parts[i][0])
            continue;
        next = mdevctl_open_subdir(fd, parts[i], create);
        if (next < 0) {
            int saved = errno;
            close(fd);
            vccw_error_set_errno(err, saved, "cannot %s %s",
                                 create ? "create" : "open", abs);
            errno = saved;
            return -1;
        }
        close(fd);
        fd = next;
    }
    return fd;
}

static bool
mdevctl_ensure_scripts(int cfgfd, GError **err)
{
    static const char *const subdirs[] = { "callouts", "notifiers" };
    int sfd = mdevctl_open_subdir(cfgfd, MDEVCTL_SCRIPTS_DIR, true);

    if (sfd < 0) {
        vccw_error_set_errno(err, errno, "cannot create %s/" MDEVCTL_SCRIPTS_DIR,
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        int fd = mdevctl_open_subdir(sfd, subdirs[i], true);

        if (fd < 0) {
            vccw_error_set_errno(err, errno, "cannot create %s/" MDEVCTL_SCRIPTS_DIR "/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 subdirs[i]);
            close(sfd);
            return false;
        }
        close(fd);
    }
    close(sfd);
    return true;
}

bool
vccw_mdevctl_store_init(const VccwHost *host, GError **err)
{
    int cfgfd = mdevctl_open_config_for_write(host, true, err);
    bool ok;

    if (cfgfd < 0)
        return false;
    ok = mdevctl_ensure_scripts(cfgfd, err);
    close(cfgfd);
    return ok;
}

static bool
mdevctl_string_ok(const char *s)
{
    return s && g_utf8_validate(s, -1, NULL);
}

static bool
mdevctl_def_check(const VccwMdevctlDef *def, GError **err)
{
    if (!vccw_mdevctl_parent_is_valid(def->parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'",
                       def->parent ? def->parent : "");
        return false;
    }
    if (!mdevctl_type_is_valid(def->mdev_type) || !mdevctl_string_ok(def->mdev_type)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid mdev type '%s'",
                       def->mdev_type ? def->mdev_type : "");
        return false;
    }
    for (guint i = 0; def->attrs && i < def->attrs->len; i++) {
        const VccwMdevAttr *attr = g_ptr_array_index(def->attrs, i);

        if (!mdevctl_string_ok(attr->name) || !mdevctl_string_ok(attr->value)) {
            vccw_error_set(err, VCCW_ERR_ARGUMENT,
                           "mdev attribute %u: name and value must be UTF-8 strings", i);
            return false;
        }
    }
    return true;
}

static bool
mdevctl_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t r = write(fd, buf, len);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        buf += r;
        len -= (size_t)r;
    }
    return true;
}

bool
vccw_mdevctl_store_write(const VccwHost *host, const VccwMdevctlDef *def, GError **err)
{
    g_autofree char *text = NULL;
    g_autofree char *tmp = NULL;
    char name[VCCW_UUID_STRING_BUFLEN];
    int cfgfd = -1, pfd = -1, fd = -1;
    bool ok = false;

    if (!mdevctl_def_check(def, err))
        return false;
    vccw_uuid_format(def->uuid, name);
    text = vccw_mdevctl_def_to_json(def);
    if (strlen(text) > VCCW_MDEVCTL_DEF_MAX_BYTES) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "mdevctl definition of %s larger than %d bytes",
                       name, VCCW_MDEVCTL_DEF_MAX_BYTES);
        return false;
    }
    if ((cfgfd = mdevctl_open_config_for_write(host, true, err)) < 0)
        return false;
    if (!mdevctl_ensure_scripts(cfgfd, err))
        goto cleanup;
    if ((pfd = mdevctl_open_subdir(cfgfd, def->parent, true)) < 0) {
        vccw_error_set_errno(err, errno, "cannot create %s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), def->parent);
        goto cleanup;
    }
    for (int attempt = 0; fd < 0; attempt++) {
        g_free(tmp);
        tmp = g_strdup_printf(".%s.%08x.tmp", name, g_random_int());
        fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && (errno != EEXIST || attempt >= 100)) {
            vccw_error_set_errno(err, errno, "cannot create %s/%s/%s",
                                 vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                                 def->parent, tmp);
            g_clear_pointer(&tmp, g_free);
            goto cleanup;
        }
    }
    if (!mdevctl_write_all(fd, text, strlen(text)) || fsync(fd) < 0) {
        vccw_error_set_errno(err, errno, "cannot write %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp);
        goto cleanup;
    }
    if (close(fd) < 0) {
        fd = -1;
        vccw_error_set_errno(err, errno, "cannot write %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp);
        goto cleanup;
    }
    fd = -1;
    if (renameat(pfd, tmp, pfd, name) < 0) {
        vccw_error_set_errno(err, errno, "cannot rename %s/%s/%s to %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG),
                             def->parent, tmp, name);
        goto cleanup;
    }
    g_clear_pointer(&tmp, g_free);
    (void)fsync(pfd);
    ok = true;

 cleanup:
    if (fd >= 0)
        close(fd);
    if (tmp && pfd >= 0)
        unlinkat(pfd, tmp, 0);
    if (pfd >= 0)
        close(pfd);
    close(cfgfd);
    return ok;
}

bool
vccw_mdevctl_store_remove(const VccwHost *host, const char *parent,
                          const unsigned char *uuid, GError **err)
{
    char name[VCCW_UUID_STRING_BUFLEN];
    int cfgfd, pfd;
    struct stat st;

    if (!vccw_mdevctl_parent_is_valid(parent)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT, "invalid parent device '%s'",
                       parent ? parent : "");
        return false;
    }
    vccw_uuid_format(uuid, name);
    if ((cfgfd = mdevctl_open_config_for_write(host, false, NULL)) < 0) {
        if (errno == ENOENT)
            goto missing;
        vccw_error_set_errno(err, errno, "cannot open %s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG));
        return false;
    }
    pfd = mdevctl_open_subdir(cfgfd, parent, false);
    close(cfgfd);
    if (pfd < 0) {
        if (errno == ENOENT)
            goto missing;
        vccw_error_set_errno(err, errno, "cannot open %s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), parent);
        return false;
    }
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        (S_ISDIR(st.st_mode) && (errno = EISDIR)) ||
        unlinkat(pfd, name, 0) < 0) {
        int saved = errno;

        close(pfd);
        if (saved == ENOENT)
            goto missing;
        vccw_error_set_errno(err, saved, "cannot remove %s/%s/%s",
                             vccw_host_dir_abs(VCCW_HOST_DIR_MDEVCTL_CONFIG), parent, name);
        return false;
    }
    (void)fsync(pfd);
    close(pfd);
    return true;

 missing:
    vccw_error_set(err, VCCW_ERR_NO_DEVICE, "no mdevctl definition of %s on %s",
                   name, parent);
    return false;
}
