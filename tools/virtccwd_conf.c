/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: reading its configuration file (see virtccwd_conf.h). */
#include "virtccwd_conf.h"
#include "vccw_error.h"

#include <limits.h>
#include <string.h>

#define CONF_MAX_BYTES (1024 * 1024)

void
vccwd_conf_init(VccwdConf *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->unix_sock_ro_perms = -1;
    conf->unix_sock_rw_perms = -1;
    conf->max_clients = -1;
    conf->keepalive_interval = -1;
    conf->keepalive_count = -1;
    conf->log_level = -1;
}

void
vccwd_conf_clear(VccwdConf *conf)
{
    g_free(conf->unix_sock_dir);
    vccwd_conf_init(conf);
}

typedef enum { VAL_STRING, VAL_INT, VAL_LIST } ValType;

typedef struct {
    ValType type;
    char *str;      /* VAL_STRING */
    gint64 num;     /* VAL_INT */
} Value;

static bool
syntax_error(GError **err, const char *path, int line, const char *why)
{
    vccw_error_set(err, VCCW_ERR_SYSTEM, "configuration file syntax error: %s:%d: %s",
                   path, line, why);
    return false;
}

/* One value at *@p (after '='); advances *@p past it. Lists are skipped
 * whole (no setting virtccwd reads is a list). */
static bool
parse_value(const char **p, Value *v, const char *path, int line, GError **err)
{
    const char *s = *p;

    if (*s == '"' || *s == '\'') {
        char quote = *s++;
        const char *end = strchr(s, quote);
        if (!end)
            return syntax_error(err, path, line, "unterminated string");
        v->type = VAL_STRING;
        v->str = g_strndup(s, (gsize)(end - s));
        *p = end + 1;
        return true;
    }
    if (*s == '[') {
        int depth = 0;
        for (; *s; s++) {
            if (*s == '"' || *s == '\'') {
                const char *end = strchr(s + 1, *s);
                if (!end)
                    return syntax_error(err, path, line, "unterminated string");
                s = end;
            } else if (*s == '[') {
                depth++;
            } else if (*s == ']' && --depth == 0) {
                break;
            }
        }
        if (*s != ']')
            return syntax_error(err, path, line, "expecting a separator in list");
        v->type = VAL_LIST;
        *p = s + 1;
        return true;
    }
    if (*s == '-' || g_ascii_isdigit(*s)) {
        char *end;
        v->type = VAL_INT;
        v->num = g_ascii_strtoll(s, &end, 10);
        if (end == s)
            return syntax_error(err, path, line, "invalid number");
        *p = end;
        return true;
    }
    return syntax_error(err, path, line, "expecting a value");
}

static bool
want_int(const char *name, const Value *v, gint64 min, gint64 max, int *out, GError **err)
{
    if (v->type != VAL_INT || v->num < min || v->num > max) {
        vccw_error_set(err, VCCW_ERR_SYSTEM,
                       "%s: expected an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                       name, min, max);
        return false;
    }
    *out = (int)v->num;
    return true;
}

static bool
want_perms(const char *name, const Value *v, int *out, GError **err)
{
    char *end;
    guint64 mode;

    if (v->type != VAL_STRING || !*v->str ||
        ((mode = g_ascii_strtoull(v->str, &end, 8)), *end) || mode > 07777) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "%s: expected an octal mode such as \"0666\"",
                       name);
        return false;
    }
    *out = (int)mode;
    return true;
}

static bool
apply(VccwdConf *conf, const char *name, const Value *v, GError **err)
{
    if (g_str_equal(name, "unix_sock_dir")) {
        if (v->type != VAL_STRING || !*v->str) {
            vccw_error_set(err, VCCW_ERR_SYSTEM, "%s: expected a directory name", name);
            return false;
        }
        g_free(conf->unix_sock_dir);
        conf->unix_sock_dir = g_strdup(v->str);
        return true;
    }
    if (g_str_equal(name, "unix_sock_ro_perms"))
        return want_perms(name, v, &conf->unix_sock_ro_perms, err);
    if (g_str_equal(name, "unix_sock_rw_perms"))
        return want_perms(name, v, &conf->unix_sock_rw_perms, err);
    if (g_str_equal(name, "max_clients"))
        return want_int(name, v, 1, 65536, &conf->max_clients, err);
    if (g_str_equal(name, "keepalive_interval"))
        return want_int(name, v, -1, INT_MAX, &conf->keepalive_interval, err);
    if (g_str_equal(name, "keepalive_count"))
        return want_int(name, v, 0, INT_MAX, &conf->keepalive_count, err);
    if (g_str_equal(name, "log_level"))
        return want_int(name, v, 1, 4, &conf->log_level, err);
    return true;   /* libvirt's daemons ignore what they do not know */
}

bool
vccwd_conf_load(VccwdConf *conf, const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) ferr = NULL;
    g_auto(GStrv) lines = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, &ferr)) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "Failed to open file '%s': %s", path,
                       ferr->message);
        return false;
    }
    if (len > CONF_MAX_BYTES || strlen(text) != len) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "%s: not a configuration file (too big or binary)",
                       path);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        const char *p = lines[i];
        const char *name_end;
        g_autofree char *name = NULL;
        Value v = { 0 };
        bool ok;

        while (g_ascii_isspace(*p))
            p++;
        if (!*p || *p == '#')
            continue;
        for (name_end = p; g_ascii_isalnum(*name_end) || *name_end == '_'; name_end++)
            ;
        if (name_end == p)
            return syntax_error(err, path, i + 1, "expecting a name");
        name = g_strndup(p, (gsize)(name_end - p));
        for (p = name_end; *p == ' ' || *p == '\t'; p++)
            ;
        if (*p++ != '=')
            return syntax_error(err, path, i + 1, "expecting an assignment");
        while (*p == ' ' || *p == '\t')
            p++;
        if (!parse_value(&p, &v, path, i + 1, err))
            return false;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == ';')
            p++;
        if (*p && *p != '#') {
            g_free(v.str);
            return syntax_error(err, path, i + 1, "expecting a separator");
        }
        ok = apply(conf, name, &v, err);
        g_free(v.str);
        if (!ok) {
            g_prefix_error(err, "%s:%d: ", path, i + 1);
            return false;
        }
    }
    return true;
}
