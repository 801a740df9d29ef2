/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: what the C test runners share (see testutils.h). */
#include "testutils.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int tests_run, tests_failed, tests_skipped;

/* Lines of context around a change in a diff. */
#define DIFF_CONTEXT 3
/* Beyond this many cells the LCS table costs too much: the diff shows
 * the first differing line alone. */
#define DIFF_MAX_CELLS (4u * 1000u * 1000u)

bool
vccw_test_regenerate(void)
{
    return g_strcmp0(g_getenv("VIRTCCW_TEST_REGENERATE"), "1") == 0;
}

/* A case name on one TAP line: a newline would end the line and a '#'
 * would start a directive. */
static char *
tap_name(const char *name)
{
    char *s = g_strdup(name ? name : "");

    for (char *c = s; *c; c++) {
        if (*c == '\n' || *c == '\r')
            *c = ' ';
        else if (*c == '#')
            *c = '_';
    }
    return s;
}

static void
diag_text(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (guint i = 0; lines[i]; i++) {
        /* the empty piece after a final newline is not a line */
        if (!lines[i + 1] && !*lines[i] && i > 0)
            break;
        printf("# %s\n", lines[i]);
    }
}

void
vccw_test_diag(const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    diag_text(text);
    fflush(stdout);
}

static bool
report(bool ok, const char *name, const char *directive, const char *why)
{
    g_autofree char *n = tap_name(name);

    tests_run++;
    if (!ok)
        tests_failed++;
    printf("%s %u - %s%s\n", ok ? "ok" : "not ok", tests_run, n, directive ? directive : "");
    if (!ok && why && *why)
        diag_text(why);
    fflush(stdout);
    return ok;
}

bool
vccw_test_check(bool ok, const char *name, const char *fmt, ...)
{
    g_autofree char *why = NULL;

    if (!ok && fmt) {
        va_list ap;

        va_start(ap, fmt);
        why = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    return report(ok, name, NULL, why);
}

bool
vccw_test_check_detail(bool ok, const char *detail, const char *fmt, ...)
{
    g_autofree char *name = NULL;
    va_list ap;

    va_start(ap, fmt);
    name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return report(ok, name, NULL, detail);
}

void
vccw_test_pass(const char *name)
{
    report(true, name, NULL, NULL);
}

void
vccw_test_fail(const char *name, const char *fmt, ...)
{
    g_autofree char *why = NULL;
    va_list ap;

    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    report(false, name, NULL, why);
}

void
vccw_test_skip(const char *name, const char *why)
{
    g_autofree char *w = tap_name(why);
    g_autofree char *directive = g_strdup_printf(" # SKIP %s", w);

    tests_skipped++;
    report(true, name, directive, NULL);
}

void
vccw_test_run(const char *name, void (*fn)(void))
{
    fn();
    vccw_test_pass(name);
}

/* @text as lines, without the empty piece a final newline leaves;
 * *final_newline says whether there was one. */
static GStrv
split_lines(const char *text, bool *final_newline, guint *n)
{
    GStrv lines = g_strsplit(text, "\n", -1);
    guint len = g_strv_length(lines);

    *final_newline = len > 0 && !*lines[len - 1] && *text;
    if (*final_newline || !*text) {
        g_free(lines[len - 1]);
        lines[--len] = NULL;
    }
    *n = len;
    return lines;
}

void
vccw_test_diff(const char *expected, const char *actual)
{
    bool enl, anl;
    guint n, m;
    g_auto(GStrv) a = split_lines(expected, &enl, &n);
    g_auto(GStrv) b = split_lines(actual, &anl, &m);
    g_autofree guint *lcs = NULL;
    g_autoptr(GString) ops = g_string_new(NULL);     /* ' ', '-', '+' per line */
    g_autofree gboolean *show = NULL;
    guint i = 0, j = 0, ai = 0, bi = 0;
    bool skipping = false;

    printf("# --- expected\n# +++ actual\n");
    if ((guint64)(n + 1) * (m + 1) > DIFF_MAX_CELLS) {
        while (i < n && i < m && g_str_equal(a[i], b[i]))
            i++;
        printf("# (too long for a full diff) first difference at line %u:\n", i + 1);
        printf("# -%s\n# +%s\n", i < n ? a[i] : "(end)", i < m ? b[i] : "(end)");
        return;
    }
    /* lcs[i][j]: longest common subsequence of a[i..] and b[j..] */
    lcs = g_new0(guint, (gsize)(n + 1) * (m + 1));
#define LCS(x, y) lcs[(gsize)(x) * (m + 1) + (y)]
    for (guint x = n; x-- > 0;) {
        for (guint y = m; y-- > 0;)
            LCS(x, y) = g_str_equal(a[x], b[y]) ? LCS(x + 1, y + 1) + 1
                                                : MAX(LCS(x + 1, y), LCS(x, y + 1));
    }
    while (i < n || j < m) {
        if (i < n && j < m && g_str_equal(a[i], b[j])) {
            g_string_append_c(ops, ' ');
            i++, j++;
        } else if (i < n && (j == m || LCS(i + 1, j) >= LCS(i, j + 1))) {
            g_string_append_c(ops, '-');    /* what was expected first */
            i++;
        } else {
            g_string_append_c(ops, '+');
            j++;
        }
    }
#undef LCS
    /* only changes and their context */
    show = g_new0(gboolean, ops->len + 1);
    for (gsize k = 0; k < ops->len; k++) {
        if (ops->str[k] == ' ')
            continue;
        for (gsize c = k > DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
             c < ops->len && c <= k + DIFF_CONTEXT; c++)
            show[c] = TRUE;
    }
    for (gsize k = 0; k < ops->len; k++) {
        char op = ops->str[k];
        const char *line = op == '+' ? b[bi] : a[ai];

        if (show[k]) {
            if (skipping)
                printf("# @@ expected line %u, actual line %u @@\n", ai + 1, bi + 1);
            skipping = false;
            printf("# %c%s\n", op, line);
        } else {
            skipping = true;
        }
        if (op != '+')
            ai++;
        if (op != '-')
            bi++;
    }
    if (enl != anl)
        printf("# (the expected text %s a final newline, the actual text %s)\n",
               enl ? "ends with" : "lacks", anl ? "ends with one" : "lacks it");
}

bool
vccw_test_compare_file(const char *name, const char *path, const char *actual)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (g_file_get_contents(path, &expected, NULL, &err) && g_str_equal(expected, actual)) {
        vccw_test_pass(name);
        return true;
    }
    if (vccw_test_regenerate()) {
        g_autoptr(GError) werr = NULL;
        g_autofree char *what = NULL;

        if (!g_file_set_contents(path, actual, -1, &werr)) {
            vccw_test_fail(name, "cannot regenerate %s: %s", path, werr->message);
            return false;
        }
        what = g_strdup_printf("%s (regenerated %s)", name, path);
        vccw_test_pass(what);
        return true;
    }
    report(false, name, NULL, NULL);
    if (!expected) {
        vccw_test_diag("expected file %s: %s", path, err->message);
        vccw_test_diag("actual:\n%s", actual);
    } else {
        vccw_test_diag("expected file %s differs:", path);
        vccw_test_diff(expected, actual);
    }
    fflush(stdout);
    return false;
}

unsigned int
vccw_test_failures(void)
{
    return tests_failed;
}

int
vccw_test_done(void)
{
    if (!tests_run) {
        /* no case ran: meson's SKIP, never a silent pass */
        printf("1..0 # SKIP no test case ran\n");
        return 0;
    }
    printf("1..%u\n", tests_run);
    printf("# %u passed, %u failed, %u skipped\n",
           tests_run - tests_failed - tests_skipped, tests_failed, tests_skipped);
    fflush(stdout);
    return tests_failed ? 1 : 0;
}
