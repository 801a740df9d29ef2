/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_sysfs.h"
#include "vccw_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

ssize_t
vccw_sysfs_read_at(int dirfd, const char *name, char *buf, size_t bufsize)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n;

    /* empty on failure too: callers name the value in their messages */
    if (bufsize > 0)
        buf[0] = '\0';
    if (fd < 0 && errno == ELOOP)   /* attributes are never links; refuse */
        return -ELOOP;
    if (fd < 0)
        return -errno;
    n = read(fd, buf, bufsize - 1);
    if (n < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    close(fd);
    while (n > 0 && (buf[n - 1] == '\n'))
        n--;
    buf[n] = '\0';
    return n;
}

ssize_t
vccw_sysfs_link_at(int dirfd, const char *name, char *buf, size_t bufsize)
{
    ssize_t n = readlinkat(dirfd, name, buf, bufsize - 1);

    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return n;
}

ssize_t
vccw_sysfs_link_base_at(int dirfd, const char *name, char *buf, size_t bufsize)
{
    /* the target may be long even when its last component is short */
    char target[PATH_MAX];
    ssize_t n = vccw_sysfs_link_at(dirfd, name, target, sizeof(target));
    const char *base;
    size_t len;

    if (n < 0)
        return n;
    base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    len = strlen(base);
    if (len >= bufsize)
        return -ENAMETOOLONG;
    memcpy(buf, base, len + 1);
    return (ssize_t)len;
}

int
vccw_sysfs_write(const char *path, const char *value)
{
    /* O_TRUNC as the shell's "echo >" does: sysfs ignores it, plain files need it */
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    size_t len = strlen(value);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = write(fd, value, len);
    if (n < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (close(fd) < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

static gint
compare_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
vccw_sysfs_list_dir(const char *path, GError **err)
{
    DIR *dir = opendir(path);
    GPtrArray *names;
    struct dirent *ent;

    if (!dir) {
        vccw_error_set_errno(err, errno, "cannot open directory '%s'", path);
        return NULL;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((ent = readdir(dir))) {
        if (g_str_equal(ent->d_name, ".") || g_str_equal(ent->d_name, ".."))
            continue;
        g_ptr_array_add(names, g_strdup(ent->d_name));
    }
    closedir(dir);
    g_ptr_array_sort(names, compare_str);
    return names;
}
