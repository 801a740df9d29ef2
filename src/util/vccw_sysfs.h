/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: small, bounded sysfs accessors relative to directory fds.
 *
 * sysfs attributes are tiny; every read is one openat + one read + close,
 * capped at VCCW_SYSFS_ATTR_MAX bytes, and every name is checked before
 * it is used, so nothing outside the host root is touched.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#define VCCW_SYSFS_ATTR_MAX 4096

/* Read @dir/@name into @buf (NUL-terminated, trailing newline removed).
 * Returns the length or -errno (then @buf is ""). */
ssize_t vccw_sysfs_read_at(int dirfd, const char *name, char *buf, size_t bufsize);

/* The last path component of the symlink @dir/@name into @buf; -errno on
 * failure (-ENOENT when absent, e.g. an unbound driver link). */
ssize_t vccw_sysfs_link_base_at(int dirfd, const char *name, char *buf, size_t bufsize);

/* The full target of the symlink @dir/@name. */
ssize_t vccw_sysfs_link_at(int dirfd, const char *name, char *buf, size_t bufsize);

/* Write @value to the attribute at @path (one write(2) call, as echo
 * does). Returns 0 or -errno of open/write. */
int vccw_sysfs_write(const char *path, const char *value);

/* Entries of a directory (no "." or ".."), sorted; NULL + errno text on
 * failure. */
GPtrArray *vccw_sysfs_list_dir(const char *path, GError **err);
