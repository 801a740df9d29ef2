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

bool
vccw_domain_schema_validate(xmlDocPtr doc, GError **err)
{
    xmlRelaxNGPtr schema = schema_get(err);
    xmlRelaxNGValidCtxtPtr vctxt;
    SchemaErrors errs = { g_string_new(NULL) };
    int rc;

    if (!schema) {
        g_string_free(errs.first, TRUE);
        return false;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, (xmlStructuredErrorFunc)schema_error, &errs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (rc != 0) {
        vccw_error_set(err, VCCW_ERR_SCHEMA, "%s",
                       errs.first->len ? errs.first->str : "document is not valid");
        g_string_free(errs.first, TRUE);
        return false;
    }
    g_string_free(errs.first, TRUE);
    return true;
}
