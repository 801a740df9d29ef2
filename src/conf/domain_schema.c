/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "domain_schema.h"
#include "vccw_error.h"
#include "virtccw_config.h"

#include <string.h>
#include <libxml/relaxng.h>

char *
vccw_schema_path(const char *name)
{
    const char *env = g_getenv("VIRTCCW_SCHEMA_DIR");
    g_autofree char *src = g_build_filename(VIRTCCW_SRCDIR, "src", "conf", "schemas", name, NULL);

    if (env && *env)
        return g_build_filename(env, name, NULL);
    if (g_file_test(src, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&src);
    return g_build_filename(VIRTCCW_DATADIR, "schemas", name, NULL);
}

typedef struct {
    GString *first;   /* first error message only: later ones are noise */
} SchemaErrors;

static void
schema_error(void *opaque, const xmlError *xerr)
{
    SchemaErrors *errs = opaque;

    if (errs->first->len == 0 && xerr && xerr->message) {
        g_string_append_printf(errs->first, "line %d: %s", xerr->line, xerr->message);
        g_strchomp(errs->first->str);
        errs->first->len = strlen(errs->first->str);
    }
}

/* The compiled schema is kept for the life of the process: compiling it
 * costs far more than validating one document. */
static xmlRelaxNGPtr
schema_get(GError **err)
{
    static xmlRelaxNGPtr schema;
    static char *failure;
    g_autofree char *path = NULL;
    xmlRelaxNGParserCtxtPtr pctxt;

    if (schema)
        return schema;
    if (failure) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "%s", failure);
        return NULL;
    }
    path = vccw_schema_path("domain-ccw.rng");
    pctxt = xmlRelaxNGNewParserCtxt(path);
    schema = pctxt ? xmlRelaxNGParse(pctxt) : NULL;
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!schema) {
        failure = g_strdup_printf("cannot load RelaxNG schema '%s'", path);
        vccw_error_set(err, VCCW_ERR_INTERNAL, "%s", failure);
    }
    return schema;
}

/* One validation of the whole document; the first error in @err. */
static bool
validate_doc(xmlRelaxNGPtr schema, xmlDocPtr doc, GError **err)
{
    xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(schema);
    SchemaErrors errs = { g_string_new(NULL) };
    int rc;

    xmlRelaxNGSetValidStructuredErrors(vctxt, (xmlStructuredErrorFunc)schema_error, &errs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (rc != 0)
        vccw_error_set(err, VCCW_ERR_SCHEMA, "%s",
                       errs.first->len ? errs.first->str : "document is not valid");
    g_string_free(errs.first, TRUE);
    return rc == 0;
}

/* Make @nodes[0..n) the whole child list of @parent, in that order. */
static void
set_children(xmlNodePtr parent, xmlNodePtr *nodes, size_t n)
{
    parent->children = n ? nodes[0] : NULL;
    parent->last = n ? nodes[n - 1] : NULL;
    for (size_t i = 0; i < n; i++) {
        nodes[i]->prev = i ? nodes[i - 1] : NULL;
        nodes[i]->next = i + 1 < n ? nodes[i + 1] : NULL;
    }
}

/* libxml2 (2.9 to 2.13) validates content it cannot compile into an
 * automaton, such as <devices>' interleave, by keeping one state per
 * prefix of a zeroOrMore and comparing each new state with all earlier
 * ones: quadratic in the number of children (65,536 hostdevs: 6.5 s).
 * A big <devices> is therefore validated in chunks of CHUNK children, each
 * chunk together with the first two children of every element name (the
 * "pins"). This is exact because every branch of the devices interleave
 * is optional or zeroOrMore with its own element names (kept so in the
 * schema): a set of children is valid iff each child matches its branch
 * and no optional branch occurs twice, and the pins bring any second
 * <emulator>, <watchdog>, ... into every chunk. Errors keep their line
 * numbers (nodes keep theirs). */
#define CHUNK 128

static bool
validate_devices_chunked(xmlRelaxNGPtr schema, xmlDocPtr doc, xmlNodePtr devices,
                         GError **err)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    g_autoptr(GPtrArray) rest = g_ptr_array_new();
    g_autoptr(GPtrArray) pins = g_ptr_array_new();
    g_autoptr(GPtrArray) chunk = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    bool ok = true;

    for (xmlNodePtr c = devices->children; c; c = c->next)
        g_ptr_array_add(all, c);
    for (guint i = 0; i < all->len; i++) {
        xmlNodePtr c = g_ptr_array_index(all, i);
        guint count;

        if (c->type != XML_ELEMENT_NODE) {
            /* blank text is ignored by the schema; other nodes are spread */
            if (c->type != XML_TEXT_NODE || !xmlIsBlankNode(c))
                g_ptr_array_add(rest, c);
            continue;
        }
        count = GPOINTER_TO_UINT(g_hash_table_lookup(seen, c->name));
        g_hash_table_insert(seen, (gpointer)c->name, GUINT_TO_POINTER(count + 1));
        g_ptr_array_add(count < 2 ? pins : rest, c);
    }
    /* many element names: not a domain of this schema; one pass tells */
    if (pins->len > CHUNK)
        return validate_doc(schema, doc, err);
    for (guint start = 0; ok && (start == 0 || start < rest->len); start += CHUNK) {
        g_ptr_array_set_size(chunk, 0);
        for (guint i = 0; i < pins->len; i++)
            g_ptr_array_add(chunk, g_ptr_array_index(pins, i));
        for (guint r = start; r < MIN(start + CHUNK, rest->len); r++)
            g_ptr_array_add(chunk, g_ptr_array_index(rest, r));
        set_children(devices, (xmlNodePtr *)chunk->pdata, chunk->len);
        ok = validate_doc(schema, doc, err);
    }
    set_children(devices, (xmlNodePtr *)all->pdata, all->len);
    return ok;
}

bool
vccw_domain_schema_validate(xmlDocPtr doc, GError **err)
{
    xmlRelaxNGPtr schema = schema_get(err);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    size_t n = 0;

    if (!schema)
        return false;
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "devices")) {
            n = xmlChildElementCount(c);
            if (n > 2 * CHUNK)
                return validate_devices_chunked(schema, doc, c, err);
            break;
        }
    }
    return validate_doc(schema, doc, err);
}
