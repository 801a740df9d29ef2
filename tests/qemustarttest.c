/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qemustarttest: start the real QEMU with generated command lines.
 *
 *   qemustarttest [--qemu BINARY] [--timeout SEC] [-j N] [-v] [--xfail GLOB]... PATH...
 *
 * Each PATH is an .args file (one shell-quoted line as printed by
 * `virsh domxml-to-native qemu-argv`: NAME=value environment first, then
 * the binary, then its arguments; backslash-newline continuations as in
 * libvirt's own test data are fine too) or a directory of them.
 *
 * Per file: the environment assignments are dropped, host paths that
 * cannot exist here (monitor socket, master key, disk images, chardev
 * sockets, 9p shares, kernels, tap fds) are swapped for scratch files in a
 * temporary directory, and QEMU runs with the result. Its own -S keeps the
 * guest from running:
 *  - while the command line has passthrough devices (vfio-ccw, also
 *    vfio-ap and vfio-pci mdevs), QEMU must exit non-zero with an error on
 *    the first of them that names its sysfsdev path or vfio: QEMU handles
 *    -device in order, so everything before it was accepted. That device
 *    is dropped and QEMU runs again;
 *  - once none is left, QMP (our client, on the swapped-in monitor socket)
 *    must report status "prelaunch"; then "quit" must end QEMU with 0.
 * So every option of the file is shown to be acceptable to this QEMU, up
 * to the host devices that only a real s390 host has.
 *
 * TAP on stdout. Exit 0 when all ran ones passed, 1 on a failure, 77
 * (meson's SKIP) when nothing could run (no files, no QEMU binary).
 * Under CI=true a case that cannot run (its QEMU binary missing) is a
 * failure, and so is having nothing to run: scripts/install-deps.sh
 * installs what the cases need.
 */
#include "qemu_qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS_FILE (1024 * 1024)
#define MAX_LOG_SHOWN 4096
/* sparse scratch disk images */
#define SCRATCH_DISK_SIZE "64M"
#define SCRATCH_DISK_BYTES (64 * 1024 * 1024)

static char *opt_qemu;
static int opt_timeout = 20;
static int opt_jobs;
static gboolean opt_verbose;
static char **opt_xfail;

typedef enum {
    RESULT_PASS,
    RESULT_FAIL,
    RESULT_SKIP,
} ResultKind;

typedef struct {
    char *path;
    ResultKind result;
    char *detail;
    char *argv_shown;     /* the rewritten command line */
    char *log;            /* QEMU's output, when it matters */
} StartCase;

/* A -device that needs something of the host that cannot exist here: a
 * passthrough device (vfio-ccw, vfio-ap, vfio-pci mdev) or a vhost device
 * without its /dev node. */
typedef struct {
    char *driver;
    char *host;               /* sysfsdev, PCI host address or /dev node */
    const char *keyword;      /* the error may say this instead of @host */
    char *value;              /* the -device argument exactly as given */
} HostDev;

static void
hostdev_free(HostDev *hd)
{
    g_free(hd->driver);
    g_free(hd->host);
    g_free(hd->value);
    g_free(hd);
}

/* One run's scratch directory and rewritten command line. */
typedef struct {
    char *tmpdir;
    char *qmp_sock;
    GPtrArray *argv;          /* char *, without the final NULL */
    GPtrArray *hostdevs;      /* HostDev *, in command-line order */
    bool has_monitor;
    guint nscratch;
} StartPlan;

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static void
start_plan_free(StartPlan *plan)
{
    g_free(plan->tmpdir);
    g_free(plan->qmp_sock);
    if (plan->argv)
        g_ptr_array_unref(plan->argv);
    if (plan->hostdevs)
        g_ptr_array_unref(plan->hostdevs);
    g_free(plan);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StartPlan, start_plan_free)

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            remove_tree(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

static bool
is_env_assignment(const char *arg)
{
    const char *p = arg;

    if (!g_ascii_isalpha(*p) && *p != '_')
        return false;
    while (g_ascii_isalnum(*p) || *p == '_')
        p++;
    return *p == '=';
}

/* A new path in the scratch directory, derived from @hint. */
static char *
scratch_path(StartPlan *plan, const char *hint, const char *suffix)
{
    g_autofree char *base = g_path_get_basename(hint && *hint ? hint : "x");
    g_autofree char *name = NULL;

    g_strcanon(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '_');
    /* a counter keeps names unique and short (socket paths are limited) */
    name = g_strdup_printf("%u-%.40s%s", plan->nscratch++, base, suffix);
    return g_build_filename(plan->tmpdir, name, NULL);
}

/* A file of @size zero bytes; sparse, so a 64 MiB disk costs nothing. */
static void
make_sparse(const char *path, gsize size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        g_printerr("# cannot create %s: %s\n", path, g_strerror(errno));
    if (fd >= 0)
        close(fd);
}

static char *
scratch_file(StartPlan *plan, const char *hint, const char *suffix, gsize size)
{
    char *path = scratch_path(plan, hint, suffix);

    make_sparse(path, size);
    return path;
}

static bool
path_missing(const char *path)
{
    return path && g_path_is_absolute(path) && !g_file_test(path, G_FILE_TEST_EXISTS);
}

/* ------------------------------------------------------------------ */
/* QEMU's key=value,key=value syntax (",," is a literal comma)         */

static GPtrArray *
keyval_split(const char *str)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = str; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',') {
            g_ptr_array_add(parts, g_string_free(g_steal_pointer(&cur), FALSE));
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(parts, g_string_free(cur, FALSE));
    return parts;
}

static char *
keyval_join(GPtrArray *parts)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < parts->len; i++) {
        const char *p = g_ptr_array_index(parts, i);

        if (i)
            g_string_append_c(out, ',');
        for (; *p; p++) {
            if (*p == ',')
                g_string_append_c(out, ',');
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

static int
keyval_find(GPtrArray *parts, const char *key)
{
    size_t klen = strlen(key);

    for (guint i = 0; i < parts->len; i++) {
        const char *p = g_ptr_array_index(parts, i);

        if (strncmp(p, key, klen) == 0 && p[klen] == '=')
            return (int)i;
    }
    return -1;
}

static const char *
keyval_get(GPtrArray *parts, const char *key)
{
    int i = keyval_find(parts, key);

    return i < 0 ? NULL : (const char *)g_ptr_array_index(parts, i) + strlen(key) + 1;
}

static void
keyval_set(GPtrArray *parts, const char *key, const char *value)
{
    int i = keyval_find(parts, key);
    char *kv = g_strdup_printf("%s=%s", key, value);

    if (i < 0) {
        g_ptr_array_add(parts, kv);
    } else {
        g_free(parts->pdata[i]);
        parts->pdata[i] = kv;
    }
}

static void
keyval_remove(GPtrArray *parts, const char *key)
{
    int i = keyval_find(parts, key);

    if (i >= 0)
        g_ptr_array_remove_index(parts, (guint)i);
}

static char *
json_plain(json_object *obj)
{
    return g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
}

static const char *
json_get_str(json_object *obj, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* ------------------------------------------------------------------ */
/* rewriting, one option kind per function                             */

/* The monitor becomes our QMP socket; other sockets and files move into
 * the scratch directory (their directories under /var/lib/libvirt do not
 * exist here, and fd= refers to descriptors libvirt would have passed). */
static char *
rewrite_chardev(StartPlan *plan, const char *value)
{
    g_autoptr(GPtrArray) parts = keyval_split(value);
    const char *backend = g_ptr_array_index(parts, 0);
    const char *id = keyval_get(parts, "id");

    if (g_strcmp0(id, "charmonitor") == 0) {
        plan->has_monitor = true;
        return g_strdup_printf("socket,id=charmonitor,path=%s,server=on,wait=off",
                               plan->qmp_sock);
    }
    if (g_str_equal(backend, "socket") &&
        (keyval_get(parts, "fd") || path_missing(keyval_get(parts, "path")))) {
        g_autofree char *sock = scratch_path(plan, id, ".sock");

        keyval_remove(parts, "fd");
        keyval_set(parts, "path", sock);
    } else if ((g_str_equal(backend, "file") || g_str_equal(backend, "pipe")) &&
               keyval_get(parts, "path")) {
        g_autofree char *out = scratch_path(plan, id, ".out");

        keyval_set(parts, "path", out);
    }
    if (keyval_get(parts, "logfile")) {
        g_autofree char *log = scratch_path(plan, id, ".log");

        keyval_set(parts, "logfile", log);
    }
    return keyval_join(parts);
}

/* -object: the master key (and any other file an object reads) must exist. */
static char *
rewrite_object(StartPlan *plan, const char *value)
{
    static const char *const file_keys[] = { "file", "filename", "mem-path" };

    if (value[0] == '{') {
        g_autoptr(json_object) obj = json_tokener_parse(value);

        if (!obj)
            return g_strdup(value);
        for (size_t k = 0; k < G_N_ELEMENTS(file_keys); k++) {
            const char *path = json_get_str(obj, file_keys[k]);

            if (path_missing(path)) {
                g_autofree char *repl = scratch_file(plan, json_get_str(obj, "id"), ".data", 32);

                json_object_object_add(obj, file_keys[k], json_object_new_string(repl));
            }
        }
        return json_plain(obj);
    } else {
        g_autoptr(GPtrArray) parts = keyval_split(value);

        for (size_t k = 0; k < G_N_ELEMENTS(file_keys); k++) {
            if (path_missing(keyval_get(parts, file_keys[k]))) {
                g_autofree char *repl = scratch_file(plan, keyval_get(parts, "id"), ".data", 32);

                keyval_set(parts, file_keys[k], repl);
            }
        }
        return keyval_join(parts);
    }
}

static void
json_unref(gpointer obj)
{
    json_object_put(obj);
}

static bool
make_qcow2(const char *path)
{
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path,
                           SCRATCH_DISK_SIZE, NULL };
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL))
        return false;
    return g_spawn_check_wait_status(status, NULL);
}

/* -blockdev: protocol nodes get a scratch image in the format their format
 * node expects (qcow2 via qemu-img; raw if qemu-img is missing, with the
 * format node switched to raw). Host block devices (/dev/dasda) become
 * plain files, which need driver "file". Needs all -blockdev values at
 * once, so it works on the argv in place. */
static void
rewrite_blockdevs(StartPlan *plan)
{
    GPtrArray *argv = plan->argv;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(json_unref);
    g_autoptr(GArray) where = g_array_new(FALSE, FALSE, sizeof(guint));

    for (guint i = 0; i + 1 < argv->len; i++) {
        json_object *obj;

        if (g_strcmp0(g_ptr_array_index(argv, i), "-blockdev") != 0)
            continue;
        if (!(obj = json_tokener_parse(g_ptr_array_index(argv, i + 1))))
            continue;
        g_ptr_array_add(nodes, obj);
        i++;
        g_array_append_val(where, i);
    }

    for (guint n = 0; n < nodes->len; n++) {
        json_object *node = g_ptr_array_index(nodes, n);
        const char *driver = json_get_str(node, "driver");
        const char *filename = json_get_str(node, "filename");
        const char *nodename = json_get_str(node, "node-name");
        json_object *format = NULL;
        g_autofree char *image = NULL;

        if (!driver || !filename ||
            !(g_str_equal(driver, "file") || g_str_equal(driver, "host_device") ||
              g_str_equal(driver, "host_cdrom")))
            continue;
        if (g_str_equal(driver, "file") && !path_missing(filename))
            continue;

        for (guint m = 0; nodename && m < nodes->len; m++) {
            if (g_strcmp0(json_get_str(g_ptr_array_index(nodes, m), "file"), nodename) == 0)
                format = g_ptr_array_index(nodes, m);
        }

        image = scratch_path(plan, nodename, ".img");
        if (format && g_strcmp0(json_get_str(format, "driver"), "qcow2") == 0 &&
            !make_qcow2(image))
            json_object_object_add(format, "driver", json_object_new_string("raw"));
        if (!g_file_test(image, G_FILE_TEST_EXISTS))
            make_sparse(image, SCRATCH_DISK_BYTES);
        json_object_object_add(node, "driver", json_object_new_string("file"));
        json_object_object_add(node, "filename", json_object_new_string(image));
    }

    for (guint n = 0; n < nodes->len; n++) {
        guint at = g_array_index(where, guint, n);

        g_free(argv->pdata[at]);
        argv->pdata[at] = json_plain(g_ptr_array_index(nodes, n));
    }
}

/* -netdev with descriptors libvirt would have opened (tap fd=27): a user
 * (slirp) backend with the same id exercises the same front end. */
static char *
rewrite_netdev(StartPlan *plan, const char *value)
{
    static const char *const fd_keys[] = { "fd", "fds", "vhostfd", "vhostfds" };

    if (value[0] == '{') {
        g_autoptr(json_object) obj = json_tokener_parse(value);
        json_object *user;

        if (!obj)
            return g_strdup(value);
        for (size_t k = 0; k < G_N_ELEMENTS(fd_keys); k++) {
            if (json_object_object_get_ex(obj, fd_keys[k], NULL)) {
                g_autoptr(json_object) repl = json_object_new_object();

                json_object_object_add(repl, "type", json_object_new_string("user"));
                if ((user = json_object_object_get(obj, "id")))
                    json_object_object_add(repl, "id", json_object_get(user));
                return json_plain(repl);
            }
        }
        return json_plain(obj);
    } else {
        g_autoptr(GPtrArray) parts = keyval_split(value);

        for (size_t k = 0; k < G_N_ELEMENTS(fd_keys); k++) {
            if (keyval_get(parts, fd_keys[k]))
                return g_strdup_printf("user,id=%s", keyval_get(parts, "id") ?: "net0");
        }
        return keyval_join(parts);
    }
}

/* -fsdev local,path=/srv/share: the shared directory must exist. */
static char *
rewrite_fsdev(StartPlan *plan, const char *value)
{
    g_autoptr(GPtrArray) parts = keyval_split(value);

    if (path_missing(keyval_get(parts, "path"))) {
        g_autofree char *dir = scratch_path(plan, keyval_get(parts, "id"), ".dir");

        g_mkdir(dir, 0700);
        keyval_set(parts, "path", dir);
    }
    return keyval_join(parts);
}

/* -kernel, -initrd, ...: a blob of zeros loads as a raw image. */
static char *
rewrite_file_arg(StartPlan *plan, const char *value)
{
    if (!path_missing(value))
        return g_strdup(value);
    return scratch_file(plan, value, "", 64 * 1024);
}

static void
add_hostdev(StartPlan *plan, const char *driver, const char *host,
            const char *keyword, const char *value)
{
    HostDev *hd = g_new0(HostDev, 1);

    hd->driver = g_strdup(driver);
    hd->host = g_strdup(host);
    hd->keyword = keyword;
    hd->value = g_strdup(value);
    g_ptr_array_add(plan->hostdevs, hd);
}

/* vhost devices get the descriptor of their /dev node from libvirt
 * (domxml-to-native shows "vhostfd":"-1"); without it QEMU opens the node
 * itself, which works where the node exists. */
static const char *
vhost_node(const char *driver)
{
    if (g_str_has_prefix(driver, "vhost-vsock"))
        return "/dev/vhost-vsock";
    if (g_str_has_prefix(driver, "vhost-scsi"))
        return "/dev/vhost-scsi";
    return "/dev/vhost-net";
}

/* Note passthrough devices; strip vhostfd. Returns the value to use. */
static char *
rewrite_device(StartPlan *plan, const char *value)
{
    g_autoptr(json_object) obj = value[0] == '{' ? json_tokener_parse(value) : NULL;
    g_autoptr(GPtrArray) parts = obj ? NULL : keyval_split(value);
    const char *driver;
    const char *host;
    g_autofree char *out = NULL;
    bool vhostfd;

    if (obj) {
        driver = json_get_str(obj, "driver");
        host = json_get_str(obj, "sysfsdev") ?: json_get_str(obj, "host");
        vhostfd = json_object_object_get_ex(obj, "vhostfd", NULL);
        if (vhostfd)
            json_object_object_del(obj, "vhostfd");
        out = json_plain(obj);
    } else {
        driver = keyval_get(parts, "driver") ?: g_ptr_array_index(parts, 0);
        host = keyval_get(parts, "sysfsdev") ?: keyval_get(parts, "host");
        vhostfd = keyval_get(parts, "vhostfd") != NULL;
        if (vhostfd)
            keyval_remove(parts, "vhostfd");
        out = keyval_join(parts);
    }
    if (!driver)
        return g_steal_pointer(&out);

    if (host && g_str_has_prefix(driver, "vfio-"))
        add_hostdev(plan, driver, host, "vfio", out);
    else if (vhostfd && access(vhost_node(driver), R_OK | W_OK) < 0)
        add_hostdev(plan, driver, vhost_node(driver), "vhost", out);
    return g_steal_pointer(&out);
}

static StartPlan *
make_plan(char **args, GError **err)
{
    g_autoptr(StartPlan) plan = g_new0(StartPlan, 1);
    char **a = args;

    while (*a && is_env_assignment(*a))
        a++;
    if (!*a) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no binary after the environment");
        return NULL;
    }
    if (!(plan->tmpdir = g_dir_make_tmp("qemustart-XXXXXX", err)))
        return NULL;
    plan->qmp_sock = g_build_filename(plan->tmpdir, "qmp.sock", NULL);
    plan->argv = g_ptr_array_new_with_free_func(g_free);
    plan->hostdevs = g_ptr_array_new_with_free_func((GDestroyNotify)hostdev_free);

    g_ptr_array_add(plan->argv, g_strdup(opt_qemu ? opt_qemu : *a));
    for (a++; *a; a++) {
        const char *opt = *a;
        const char *val = a[1];
        char *repl = NULL;

        g_ptr_array_add(plan->argv, g_strdup(opt));
        if (!val)
            break;
        if (g_str_equal(opt, "-chardev"))
            repl = rewrite_chardev(plan, val);
        else if (g_str_equal(opt, "-object"))
            repl = rewrite_object(plan, val);
        else if (g_str_equal(opt, "-netdev"))
            repl = rewrite_netdev(plan, val);
        else if (g_str_equal(opt, "-fsdev"))
            repl = rewrite_fsdev(plan, val);
        else if (g_str_equal(opt, "-kernel") || g_str_equal(opt, "-initrd") ||
                 g_str_equal(opt, "-bios") || g_str_equal(opt, "-dtb"))
            repl = rewrite_file_arg(plan, val);
        else if (g_str_equal(opt, "-pidfile"))
            repl = g_build_filename(plan->tmpdir, "qemu.pid", NULL);
        else if (g_str_equal(opt, "-D"))
            repl = g_build_filename(plan->tmpdir, "qemu-debug.log", NULL);
        else if (g_str_equal(opt, "-device"))
            repl = rewrite_device(plan, val);

        if (repl) {
            g_ptr_array_add(plan->argv, repl);
            a++;
        }
    }
    rewrite_blockdevs(plan);

    if (!plan->has_monitor) {
        g_ptr_array_add(plan->argv, g_strdup("-qmp"));
        g_ptr_array_add(plan->argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                                    plan->qmp_sock));
    }
    return g_steal_pointer(&plan);
}

/* ------------------------------------------------------------------ */
/* running QEMU                                                        */

typedef struct {
    GPid pid;
    bool reaped;
    int status;
} Child;

static void
child_setup(gpointer data)
{
    /* a killed test must not leave QEMUs behind */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static bool
child_alive(gpointer data)
{
    Child *c = data;

    if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->reaped = true;
    return !c->reaped;
}

/* Wait for exit up to @timeout_ms; false (and SIGKILL) if it did not. */
static bool
child_wait(Child *c, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (child_alive(c) && g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    if (c->reaped)
        return true;
    kill(c->pid, SIGKILL);
    while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
        ;
    c->reaped = true;
    return false;
}

static char *
read_log(const char *tmpdir)
{
    g_autofree char *path = g_build_filename(tmpdir, "qemu.log", NULL);
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return g_strdup("");
    if (len > MAX_LOG_SHOWN)
        data[MAX_LOG_SHOWN] = '\0';
    return g_strstrip(data);
}

static void
update_log(StartCase *sc, StartPlan *plan)
{
    g_free(sc->log);
    sc->log = read_log(plan->tmpdir);
}

static char *
describe_status(int status)
{
    if (WIFEXITED(status))
        return g_strdup_printf("exit code %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return g_strdup_printf("signal %d", WTERMSIG(status));
    return g_strdup_printf("status 0x%x", status);
}

static void
set_result(StartCase *sc, ResultKind kind, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
set_result(StartCase *sc, ResultKind kind, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_free(sc->detail);
    sc->detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sc->result = kind;
}

/* QEMU's complaints about the option itself, as opposed to the host:
 * those mean the command line is wrong, whatever the host has. */
static bool
is_option_error(const char *reason)
{
    return g_str_has_prefix(reason, "Property '") ||
           g_str_has_prefix(reason, "Parameter '") ||
           g_str_has_prefix(reason, "Invalid parameter") ||
           strstr(reason, "is not a valid device model name") != NULL;
}

/* A passthrough device has no host device here: QEMU must name that
 * -device in its error and exit non-zero. QEMU handles -device options in
 * order, so this also shows that every option and device before it was
 * accepted. Returns the index of the rejected device in plan->hostdevs,
 * -1 (with the case failed) otherwise; @why gets QEMU's reason. */
static int
expect_hostdev_failure(StartCase *sc, StartPlan *plan, Child *child, char **why)
{
    g_autofree char *status = NULL;
    g_auto(GStrv) lines = NULL;

    if (!child_wait(child, opt_timeout * 1000)) {
        set_result(sc, RESULT_FAIL, "QEMU still running after %d s although %s has no "
                   "host device", opt_timeout,
                   ((HostDev *)g_ptr_array_index(plan->hostdevs, 0))->driver);
        return -1;
    }
    update_log(sc, plan);
    status = describe_status(child->status);
    if (WIFEXITED(child->status) && WEXITSTATUS(child->status) == 0) {
        set_result(sc, RESULT_FAIL, "QEMU exited with 0 despite a missing host device");
        return -1;
    }
    lines = g_strsplit(sc->log, "\n", 0);
    for (char **l = lines; *l; l++) {
        for (guint i = 0; i < plan->hostdevs->len; i++) {
            HostDev *hd = g_ptr_array_index(plan->hostdevs, i);
            g_autofree char *where = g_strdup_printf("-device %s: ", hd->value);
            const char *at = strstr(*l, where);
            g_autofree char *reason = NULL;

            if (!at)
                continue;
            reason = g_strdup(at + strlen(where));
            if (is_option_error(reason)) {
                set_result(sc, RESULT_FAIL, "QEMU does not take these %s options (%s): %s",
                           hd->driver, status, reason);
                return -1;
            }
            if (!strstr(reason, hd->host) && !strstr(reason, hd->keyword)) {
                set_result(sc, RESULT_FAIL, "QEMU rejected %s (%s) but neither for "
                           "%s nor %s: %s", hd->driver, status, hd->host, hd->keyword,
                           reason);
                return -1;
            }
            *why = g_steal_pointer(&reason);
            return (int)i;
        }
    }
    set_result(sc, RESULT_FAIL, "QEMU failed (%s) before any passthrough device", status);
    return -1;
}

/* Drop a rejected device from the command line for the next round. */
static void
drop_hostdev(StartPlan *plan, guint idx)
{
    HostDev *hd = g_ptr_array_index(plan->hostdevs, idx);

    for (guint i = 0; i + 1 < plan->argv->len; i++) {
        if (g_str_equal(g_ptr_array_index(plan->argv, i), "-device") &&
            g_str_equal(g_ptr_array_index(plan->argv, i + 1), hd->value)) {
            g_ptr_array_remove_range(plan->argv, i, 2);
            break;
        }
    }
    g_ptr_array_remove_index(plan->hostdevs, idx);
}

/* Everything else must come up paused before the guest runs, then quit. */
static void
expect_prelaunch(StartCase *sc, StartPlan *plan, Child *child)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwQmp) qmp = NULL;
    g_autoptr(json_object) status = NULL;
    g_autoptr(json_object) quit = NULL;
    g_autofree char *state = NULL;
    g_autofree char *exitdesc = NULL;
    json_object *v = NULL;
    bool running = true;

    qmp = vccw_qmp_connect(plan->qmp_sock, (unsigned int)opt_timeout * 1000,
                           child_alive, child, &err);
    if (!qmp) {
        child_wait(child, 1000);
        update_log(sc, plan);
        set_result(sc, RESULT_FAIL, "no QMP: %s", err->message);
        return;
    }
    if (!(status = vccw_qmp_execute(qmp, "query-status", NULL, &err))) {
        set_result(sc, RESULT_FAIL, "query-status: %s", err->message);
        child_wait(child, 0);
        return;
    }
    if (json_object_object_get_ex(status, "status", &v))
        state = g_strdup(json_object_get_string(v));
    if (json_object_object_get_ex(status, "running", &v))
        running = json_object_get_boolean(v);

    quit = vccw_qmp_execute(qmp, "quit", NULL, &err);
    /* QEMU may hang up before the reply: only the exit status counts */
    g_clear_error(&err);
    g_clear_pointer(&qmp, vccw_qmp_free);
    if (!child_wait(child, opt_timeout * 1000)) {
        set_result(sc, RESULT_FAIL, "QEMU did not exit within %d s of quit", opt_timeout);
        return;
    }
    update_log(sc, plan);
    exitdesc = describe_status(child->status);

    if (running || (g_strcmp0(state, "prelaunch") != 0 && g_strcmp0(state, "paused") != 0))
        set_result(sc, RESULT_FAIL, "query-status said status '%s', running %s",
                   state ? state : "?", running ? "true" : "false");
    else if (!WIFEXITED(child->status) || WEXITSTATUS(child->status) != 0)
        set_result(sc, RESULT_FAIL, "quit ended QEMU with %s", exitdesc);
    else
        set_result(sc, RESULT_PASS, "status %s, quit: %s", state, exitdesc);
}

static bool
spawn_qemu(StartCase *sc, StartPlan *plan, Child *child)
{
    g_autofree char *logpath = g_build_filename(plan->tmpdir, "qemu.log", NULL);
    g_autofree char *envhome = g_strdup_printf("HOME=%s", plan->tmpdir);
    g_autofree const char **argv = g_new0(const char *, plan->argv->len + 1);
    /* libvirt's own start environment, minus its host directories */
    const char *envp[] = { "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", envhome, NULL };
    g_autoptr(GError) err = NULL;
    int logfd;
    bool ok;

    memcpy(argv, plan->argv->pdata, plan->argv->len * sizeof(*argv));
    logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0) {
        set_result(sc, RESULT_FAIL, "cannot create %s: %s", logpath, g_strerror(errno));
        return false;
    }
    *child = (Child){ 0 };
    ok = g_spawn_async_with_pipes_and_fds(plan->tmpdir, argv, envp,
                                          G_SPAWN_DO_NOT_REAP_CHILD |
                                          G_SPAWN_STDIN_FROM_DEV_NULL,
                                          child_setup, NULL, -1, logfd, logfd,
                                          NULL, NULL, 0, &child->pid,
                                          NULL, NULL, NULL, &err);
    close(logfd);
    if (!ok)
        set_result(sc, RESULT_FAIL, "cannot start QEMU: %s", err->message);
    return ok;
}

static char *
shell_join(GPtrArray *argv)
{
    GString *shown = g_string_new(NULL);

    for (guint i = 0; i < argv->len; i++) {
        g_autofree char *quoted = g_shell_quote(g_ptr_array_index(argv, i));

        g_string_append_printf(shown, "%s%s", i ? " " : "", quoted);
    }
    return g_string_free(shown, FALSE);
}

/* Run QEMU until every passthrough device was rejected for its missing
 * host device, one per round, and the rest reached prelaunch. */
static void
run_case(gpointer data, gpointer user_data)
{
    StartCase *sc = data;
    g_autofree char *text = NULL;
    g_auto(GStrv) args = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(StartPlan) plan = NULL;
    g_autoptr(GString) rejected = g_string_new(NULL);
    gsize len = 0;

    if (!g_file_get_contents(sc->path, &text, &len, &err) ||
        len > MAX_ARGS_FILE ||
        !g_shell_parse_argv(text, NULL, &args, &err) ||
        !(plan = make_plan(args, &err))) {
        set_result(sc, RESULT_FAIL, "cannot use %s: %s", sc->path,
                   err ? err->message : "file too big");
        return;
    }
    sc->argv_shown = shell_join(plan->argv);

    if (!g_file_test(g_ptr_array_index(plan->argv, 0), G_FILE_TEST_IS_EXECUTABLE)) {
        set_result(sc, RESULT_SKIP, "%s is not installed",
                   (char *)g_ptr_array_index(plan->argv, 0));
        remove_tree(plan->tmpdir);
        return;
    }

    for (;;) {
        Child child;

        if (!spawn_qemu(sc, plan, &child))
            break;
        if (plan->hostdevs->len) {
            g_autofree char *why = NULL;
            int idx = expect_hostdev_failure(sc, plan, &child, &why);

            if (idx < 0)
                break;
            g_string_append_printf(rejected, "%s rejected (%s); ",
                                   ((HostDev *)g_ptr_array_index(plan->hostdevs, idx))->driver,
                                   why);
            drop_hostdev(plan, (guint)idx);
            continue;
        }
        expect_prelaunch(sc, plan, &child);
        if (sc->result == RESULT_PASS && rejected->len) {
            g_autofree char *detail = g_steal_pointer(&sc->detail);

            set_result(sc, RESULT_PASS, "%swithout them: %s", rejected->str, detail);
        }
        break;
    }
    remove_tree(plan->tmpdir);
}

/* ------------------------------------------------------------------ */

static gint
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
collect(GPtrArray *cases, const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (g_str_has_suffix(name, ".args"))
                g_ptr_array_add(names, g_build_filename(path, name, NULL));
        }
        g_ptr_array_sort(names, cmp_strptr);
        for (guint i = 0; i < names->len; i++)
            collect(cases, g_ptr_array_index(names, i));
        return;
    }
    {
        StartCase *sc = g_new0(StartCase, 1);

        sc->path = g_strdup(path);
        sc->result = RESULT_FAIL;
        sc->detail = g_strdup("not run");
        g_ptr_array_add(cases, sc);
    }
}

static void
start_case_free(StartCase *sc)
{
    g_free(sc->path);
    g_free(sc->detail);
    g_free(sc->argv_shown);
    g_free(sc->log);
    g_free(sc);
}

static bool
is_xfail(const char *name)
{
    for (char **x = opt_xfail; x && *x; x++) {
        if (g_pattern_match_simple(*x, name))
            return true;
    }
    return false;
}

static void
print_comment(const char *label, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", 0);

    for (char **l = lines; *l; l++)
        printf("#   %s%s\n", l == lines ? label : "", *l);
}

int
main(int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &opt_qemu,
          "run this binary instead of the one in the file", "BINARY" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout,
          "seconds to wait for each QEMU (default 20)", "SEC" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
          "QEMUs at once (default: CPUs, at most 8)", "N" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
          "show every rewritten command line", NULL },
        { "xfail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_xfail,
          "files (glob on the name) known to fail; passing is then an error", "GLOB" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("PATH... - start QEMU with .args files");
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func((GDestroyNotify)start_case_free);
    GThreadPool *pool;
    guint npass = 0, nfail = 0, nskip = 0, nxfail = 0;
    bool ci = g_strcmp0(g_getenv("CI"), "true") == 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_printerr("qemustarttest: %s\n", err->message);
        return 2;
    }
    if (opt_timeout <= 0)
        opt_timeout = 20;
    if (opt_jobs <= 0)
        opt_jobs = (int)MIN(g_get_num_processors(), 8u);

    for (int i = 1; i < argc; i++)
        collect(cases, argv[i]);
    if (cases->len == 0) {
        printf("1..0 # %s no .args files\n", ci ? "FAIL (CI=true):" : "SKIP");
        return ci ? 1 : 77;
    }

    /* exclusive threads live until the pool is freed, so the children's
     * PR_SET_PDEATHSIG (tied to the spawning thread) cannot fire early */
    pool = g_thread_pool_new(run_case, NULL, opt_jobs, TRUE, NULL);
    for (guint i = 0; i < cases->len; i++)
        g_thread_pool_push(pool, g_ptr_array_index(cases, i), NULL);
    g_thread_pool_free(pool, FALSE, TRUE);

    printf("1..%u\n", cases->len);
    for (guint i = 0; i < cases->len; i++) {
        StartCase *sc = g_ptr_array_index(cases, i);
        g_autofree char *name = g_path_get_basename(sc->path);

        if (is_xfail(name) && sc->result == RESULT_FAIL) {
            nxfail++;
            printf("not ok %u - %s: %s # TODO known failure\n", i + 1, name, sc->detail);
            continue;
        }
        if (is_xfail(name) && sc->result == RESULT_PASS) {
            nfail++;
            printf("not ok %u - %s: passed although listed with --xfail: %s\n",
                   i + 1, name, sc->detail);
            continue;
        }
        switch (sc->result) {
        case RESULT_PASS:
            npass++;
            printf("ok %u - %s: %s\n", i + 1, name, sc->detail);
            break;
        case RESULT_SKIP:
            if (ci) {
                nfail++;
                printf("not ok %u - %s: prerequisite missing under CI=true: %s\n",
                       i + 1, name, sc->detail);
                break;
            }
            nskip++;
            printf("ok %u - %s # SKIP %s\n", i + 1, name, sc->detail);
            break;
        case RESULT_FAIL:
            nfail++;
            printf("not ok %u - %s: %s\n", i + 1, name, sc->detail);
            break;
        }
        if (sc->result == RESULT_FAIL || opt_verbose) {
            if (sc->argv_shown)
                print_comment("argv: ", sc->argv_shown);
            if (sc->log && *sc->log)
                print_comment("qemu: ", sc->log);
        }
    }
    printf("# %u passed, %u failed, %u known failures, %u skipped\n",
           npass, nfail, nxfail, nskip);
    fflush(stdout);

    if (nfail)
        return 1;
    return npass || nxfail ? 0 : 77;
}
