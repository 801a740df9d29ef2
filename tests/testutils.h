/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: what the C test runners share.
 *
 * Every runner reports in TAP on stdout (meson: protocol 'tap'), one line
 * per case, so a runner's hundreds of cases are seen one by one:
 *   ok N - NAME                  passed
 *   not ok N - NAME              failed, followed by "# " lines saying why
 *   ok N - NAME # SKIP WHY       not run (scripts/test.sh counts it as a
 *                                failure under CI=true)
 * and ends with the plan "1..N" and "# N passed, N failed, N skipped".
 * Anything else a runner prints goes through vccw_test_diag() (stdout,
 * "# " lines) or to stderr, so the TAP stream stays clean.
 *
 * One switch for golden files: VIRTCCW_TEST_REGENERATE=1 makes
 * vccw_test_compare_file() write what it got where that differs from (or
 * is missing in) the expected file, for a human to review with git diff.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Whether VIRTCCW_TEST_REGENERATE=1 asks to rewrite expected files. */
bool vccw_test_regenerate(void);

/* One case: "ok" when @ok, else "not ok" with @fmt (may be NULL) as the
 * reason. Returns @ok. */
bool vccw_test_check(bool ok, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* vccw_test_check() the other way round, for a reason already at hand
 * (an error's message, a diff): the case is named by the printf-formatted
 * @fmt and, when it fails, @detail (may be NULL) says why. Returns @ok. */
bool vccw_test_check_detail(bool ok, const char *detail, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Shorthands of vccw_test_check(). */
void vccw_test_pass(const char *name);
void vccw_test_fail(const char *name, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* A case that could not run here, and why. */
void vccw_test_skip(const char *name, const char *why);

/* Run @fn as one case: it passes when it returns (g_assert_*() inside it
 * abort the runner, which meson then reports with the cases so far). */
void vccw_test_run(const char *name, void (*fn)(void));

/* Comment lines ("# " before each line of the text). */
void vccw_test_diag(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Golden file: one case @name passing when @actual equals the content of
 * @path; otherwise a line diff (expected -, actual +) in the report, or,
 * under VIRTCCW_TEST_REGENERATE=1, @path rewritten and the case passed. */
bool vccw_test_compare_file(const char *name, const char *path, const char *actual);

/* The diff vccw_test_compare_file() shows, as "# " lines. */
void vccw_test_diff(const char *expected, const char *actual);

/* Cases so far that failed. */
unsigned int vccw_test_failures(void);

/* Print the plan and the summary; the runner's exit status: 1 when a case
 * failed, else 0. With no case at all the plan is "1..0" (meson's SKIP,
 * a failure under CI=true), never a silent pass. */
int vccw_test_done(void);
