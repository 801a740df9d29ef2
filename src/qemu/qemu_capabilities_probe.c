/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: QEMU capabilities: asking a QEMU binary for the facts (a
 * short-lived "-machine none" process queried over QMP) and caching the
 * answer per binary, keyed on what identifies one build of it.
 * The facts, their derived flags and their file are qemu_capabilities.c.
 */
#include "qemu_capabilities.h"
#include "qemu_capabilities_priv.h"

#include "qemu_qmp.h"
#include "vccw_error.h"
#include "virtccw_config.h"

#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VCCW_QEMU_CAPS_PROBE_TIMEOUT_MS 20000
#define VCCW_QEMU_CAPS_EXIT_TIMEOUT_MS 5000

/* Devices whose properties are recorded (when QEMU has them). */
static const char *const vccw_qemu_caps_prop_devices[] = {
    "vfio-ccw",
    "virtio-blk-ccw",
    "virtio-net-ccw",
    "virtio-balloon-ccw",
    "virtio-serial-ccw",
    "virtio-scsi-ccw",
    "virtio-rng-ccw",
    "vhost-vsock-ccw",
    "diag288",
    "sclpconsole",
    "sclplmconsole",
    "virtual-css-bridge",
};

static const char *const vccw_qemu_caps_schema_queries[] = {
    VCCW_SCHEMA_DEVICE_JSON,
    VCCW_SCHEMA_OBJECT_JSON,
    VCCW_SCHEMA_NETDEV_JSON,
    VCCW_SCHEMA_BLOCKDEV,
};

/* ------------------------------------------------------------------ */
/* QAPI schema questions                                               */

/* name -> entry (borrowed from the query-qmp-schema reply) */
static GHashTable *
vccw_schema_index(json_object *reply)
{
    GHashTable *idx = g_hash_table_new(g_str_hash, g_str_equal);
    size_t n = json_object_is_type(reply, json_type_array) ?
               json_object_array_length(reply) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(reply, i);
        json_object *name = NULL;

        if (json_object_object_get_ex(ent, "name", &name) &&
            json_object_is_type(name, json_type_string))
            g_hash_table_insert(idx, (gpointer)json_object_get_string(name), ent);
    }
    return idx;
}

static const char *
vccw_json_str(json_object *obj, const char *key)
{
    json_object *v = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool
vccw_json_array_has_string(json_object *arr, const char *str)
{
    size_t n = json_object_is_type(arr, json_type_array) ?
               json_object_array_length(arr) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);

        if (json_object_is_type(v, json_type_string) &&
            strcmp(json_object_get_string(v), str) == 0)
            return true;
    }
    return false;
}

/* Follow a type reference; arrays stand for their element type. */
static json_object *
vccw_schema_resolve(GHashTable *idx, const char *name)
{
    json_object *ent = name ? g_hash_table_lookup(idx, name) : NULL;

    for (int depth = 0; ent && depth < 8; depth++) {
        if (g_strcmp0(vccw_json_str(ent, "meta-type"), "array") != 0)
            return ent;
        ent = g_hash_table_lookup(idx, vccw_json_str(ent, "element-type") ?: "");
    }
    return ent;
}

static json_object *
vccw_schema_step(GHashTable *idx, json_object *cur, const char *step)
{
    json_object *arr = NULL;
    size_t n;

    switch (step[0]) {
    case '$':   /* feature of the current entity */
        json_object_object_get_ex(cur, "features", &arr);
        return vccw_json_array_has_string(arr, step + 1) ? cur : NULL;

    case '^':   /* value of the current enum */
        if (g_strcmp0(vccw_json_str(cur, "meta-type"), "enum") != 0)
            return NULL;
        json_object_object_get_ex(cur, "values", &arr);
        return vccw_json_array_has_string(arr, step + 1) ? cur : NULL;

    case '+':   /* variant of the current union, by discriminator value */
        json_object_object_get_ex(cur, "variants", &arr);
        n = arr && json_object_is_type(arr, json_type_array) ?
            json_object_array_length(arr) : 0;
        for (size_t i = 0; i < n; i++) {
            json_object *v = json_object_array_get_idx(arr, i);

            if (g_strcmp0(vccw_json_str(v, "case"), step + 1) == 0)
                return vccw_schema_resolve(idx, vccw_json_str(v, "type"));
        }
        return NULL;

    default:
        break;
    }

    if (strcmp(step, "arg-type") == 0 || strcmp(step, "ret-type") == 0)
        return vccw_schema_resolve(idx, vccw_json_str(cur, step));

    /* a member; "*name" additionally demands that it be optional */
    {
        bool want_optional = step[0] == '*';
        const char *member = want_optional ? step + 1 : step;

        json_object_object_get_ex(cur, "members", &arr);
        n = arr && json_object_is_type(arr, json_type_array) ?
            json_object_array_length(arr) : 0;
        for (size_t i = 0; i < n; i++) {
            json_object *m = json_object_array_get_idx(arr, i);

            if (g_strcmp0(vccw_json_str(m, "name"), member) != 0)
                continue;
            /* introspection marks optional members with "default": null */
            if (want_optional && !json_object_object_get_ex(m, "default", NULL))
                return NULL;
            return vccw_schema_resolve(idx, vccw_json_str(m, "type"));
        }
    }
    return NULL;
}

static bool
vccw_schema_path_exists(GHashTable *idx, const char *query)
{
    g_auto(GStrv) steps = g_strsplit(query, "/", 0);
    json_object *cur;

    if (!steps[0])
        return false;
    cur = g_hash_table_lookup(idx, steps[0]);
    for (size_t i = 1; cur && steps[i]; i++)
        cur = vccw_schema_step(idx, cur, steps[i]);
    return cur != NULL;
}

/* ------------------------------------------------------------------ */
/* probing over QMP                                                    */

static const char *
vccw_qemu_arch_from_target(const char *target)
{
    /* QEMU's SysEmuTarget spelling -> libvirt's arch names */
    if (strcmp(target, "i386") == 0)
        return "i686";
    if (strcmp(target, "arm") == 0)
        return "armv7l";
    return target;
}

static gint
vccw_qemu_machine_cmp(gconstpointer a, gconstpointer b)
{
    const VccwQemuMachine *ma = *(VccwQemuMachine *const *)a;
    const VccwQemuMachine *mb = *(VccwQemuMachine *const *)b;

    return strcmp(ma->name, mb->name);
}

static gint
vccw_qemu_prop_cmp(gconstpointer a, gconstpointer b)
{
    const VccwQemuProp *pa = *(VccwQemuProp *const *)a;
    const VccwQemuProp *pb = *(VccwQemuProp *const *)b;

    return strcmp(pa->name, pb->name);
}

static bool
vccw_json_bool(json_object *obj, const char *key)
{
    json_object *v = NULL;

    return json_object_object_get_ex(obj, key, &v) &&
           json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

static bool
vccw_qemu_probe_version(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "query-version", NULL, err);
    json_object *qemu = NULL;
    json_object *v = NULL;
    int part[3] = { 0 };
    static const char *const keys[3] = { "major", "minor", "micro" };

    if (!ret)
        return false;
    if (!json_object_object_get_ex(ret, "qemu", &qemu)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "query-version reply lacks 'qemu'");
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (!json_object_object_get_ex(qemu, keys[i], &v) ||
            !json_object_is_type(v, json_type_int) ||
            (part[i] = json_object_get_int(v)) < 0 || part[i] > 999) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "query-version reply has malformed '%s'", keys[i]);
            return false;
        }
    }
    caps->version = (unsigned int)(part[0] * 1000000 + part[1] * 1000 + part[2]);
    g_free(caps->package);
    caps->package = g_strdup(vccw_json_str(ret, "package") ?: "");
    return true;
}

static bool
vccw_qemu_probe_arch(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "query-target", NULL, err);
    const char *arch;

    if (!ret)
        return false;
    if (!(arch = vccw_json_str(ret, "arch"))) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "query-target reply lacks 'arch'");
        return false;
    }
    caps->arch = g_strdup(vccw_qemu_arch_from_target(arch));
    return true;
}

static bool
vccw_qemu_probe_machines(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "query-machines", NULL, err);
    size_t n;

    if (!ret)
        return false;
    n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(ret, i);
        json_object *cpumax = NULL;
        VccwQemuMachine *m;

        if (!vccw_json_str(ent, "name"))
            continue;
        m = g_new0(VccwQemuMachine, 1);
        m->name = g_strdup(vccw_json_str(ent, "name"));
        m->alias = g_strdup(vccw_json_str(ent, "alias"));
        m->default_ram_id = g_strdup(vccw_json_str(ent, "default-ram-id"));
        m->is_default = vccw_json_bool(ent, "is-default");
        m->deprecated = vccw_json_bool(ent, "deprecated");
        if (json_object_object_get_ex(ent, "cpu-max", &cpumax))
            m->cpu_max = json_object_get_int64(cpumax);
        g_ptr_array_add(caps->machines, m);
    }
    /* QEMU lists machines in hash order; sort for stable recorded files */
    g_ptr_array_sort(caps->machines, vccw_qemu_machine_cmp);
    return true;
}

static bool
vccw_qemu_probe_devices(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) args = json_object_new_object();
    g_autoptr(json_object) ret = NULL;
    size_t n;

    json_object_object_add(args, "implements", json_object_new_string("device"));
    json_object_object_add(args, "abstract", json_object_new_boolean(0));
    if (!(ret = vccw_qmp_execute(qmp, "qom-list-types", args, err)))
        return false;
    n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = vccw_json_str(json_object_array_get_idx(ret, i), "name");

        if (name)
            g_hash_table_add(caps->devices, g_strdup(name));
    }
    return true;
}

static bool
vccw_qemu_probe_device_props(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    for (size_t d = 0; d < G_N_ELEMENTS(vccw_qemu_caps_prop_devices); d++) {
        const char *type = vccw_qemu_caps_prop_devices[d];
        g_autoptr(json_object) args = NULL;
        g_autoptr(json_object) ret = NULL;
        GPtrArray *props;
        size_t n;

        if (!vccw_qemu_caps_has_device(caps, type))
            continue;
        args = json_object_new_object();
        json_object_object_add(args, "typename", json_object_new_string(type));
        if (!(ret = vccw_qmp_execute(qmp, "device-list-properties", args, err)))
            return false;

        props = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_qemu_prop_free);
        n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        for (size_t i = 0; i < n; i++) {
            json_object *ent = json_object_array_get_idx(ret, i);
            VccwQemuProp *p;

            if (!vccw_json_str(ent, "name"))
                continue;
            p = g_new0(VccwQemuProp, 1);
            p->name = g_strdup(vccw_json_str(ent, "name"));
            p->type = g_strdup(vccw_json_str(ent, "type") ?: "");
            g_ptr_array_add(props, p);
        }
        g_ptr_array_sort(props, vccw_qemu_prop_cmp);
        g_hash_table_insert(caps->device_props, g_strdup(type), props);
    }
    return true;
}

static bool
vccw_qemu_probe_cmdline_opts(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "query-command-line-options",
                                                  NULL, err);
    size_t n;

    if (!ret)
        return false;
    n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *opt = vccw_json_str(json_object_array_get_idx(ret, i), "option");

        if (opt && *opt)
            g_hash_table_add(caps->cmdline_opts, g_strdup(opt));
    }
    return true;
}

static bool
vccw_qemu_probe_schema(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "query-qmp-schema", NULL, err);
    g_autoptr(GHashTable) idx = NULL;

    if (!ret)
        return false;
    /* the schema itself (~200 KiB) is not kept: only the answers */
    idx = vccw_schema_index(ret);
    for (size_t i = 0; i < G_N_ELEMENTS(vccw_qemu_caps_schema_queries); i++) {
        const char *q = vccw_qemu_caps_schema_queries[i];

        g_hash_table_insert(caps->schema, g_strdup(q),
                            GINT_TO_POINTER(vccw_schema_path_exists(idx, q)));
    }
    return true;
}

static bool
vccw_qemu_probe_qmp(VccwQemuCaps *caps, VccwQmp *qmp, GError **err)
{
    return vccw_qemu_probe_version(caps, qmp, err) &&
           vccw_qemu_probe_arch(caps, qmp, err) &&
           vccw_qemu_probe_machines(caps, qmp, err) &&
           vccw_qemu_probe_devices(caps, qmp, err) &&
           vccw_qemu_probe_device_props(caps, qmp, err) &&
           vccw_qemu_probe_cmdline_opts(caps, qmp, err) &&
           vccw_qemu_probe_schema(caps, qmp, err);
}

/* ------------------------------------------------------------------ */
/* the probe process                                                   */

typedef struct {
    GPid pid;
    bool reaped;
    int status;
} VccwProbeChild;

static void
vccw_probe_child_setup(gpointer data)
{
    /* never leave a QEMU behind if we die mid-probe */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static bool
vccw_probe_child_alive(gpointer data)
{
    VccwProbeChild *c = data;

    if (c->reaped)
        return false;
    if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->reaped = true;
    return !c->reaped;
}

/* Wait up to @timeout_ms for exit, then SIGKILL; always reaps. */
static void
vccw_probe_child_finish(VccwProbeChild *c, unsigned int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (vccw_probe_child_alive(c) && g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    if (!c->reaped) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
            ;
        c->reaped = true;
    }
}

/* First lines of QEMU's own output, for error messages. */
static char *
vccw_probe_read_log(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return g_strdup("");
    if (len > 2048)
        data[2048] = '\0';
    return g_strstrip(g_steal_pointer(&data));
}

static void
vccw_probe_cleanup_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);

        g_unlink(p);
    }
    g_rmdir(dir);
}

static bool
vccw_qemu_binary_stat(const char *binary, VccwQemuBinaryStat *st, GError **err)
{
    struct stat sb;

    if (stat(binary, &sb) < 0) {
        vccw_error_set_errno(err, errno, "Cannot check QEMU binary %s", binary);
        return false;
    }
    st->size = (gint64)sb.st_size;
    st->mtime = (gint64)sb.st_mtim.tv_sec;
    st->mtime_nsec = (gint64)sb.st_mtim.tv_nsec;
    st->ctime = (gint64)sb.st_ctim.tv_sec;
    st->ctime_nsec = (gint64)sb.st_ctim.tv_nsec;
    st->inode = (gint64)sb.st_ino;
    return true;
}

VccwQemuCaps *
vccw_qemu_caps_probe(const char *binary, GError **err)
{
    g_autoptr(VccwQemuCaps) caps = vccw_qemu_caps_new(binary);
    g_autofree char *tmpdir = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *qmparg = NULL;
    g_autofree char *logpath = NULL;
    g_autofree char *envpath = NULL;
    g_autoptr(VccwQmp) qmp = NULL;
    g_autoptr(GError) local = NULL;
    VccwProbeChild child = { 0 };
    int logfd;
    bool ok;

    if (!vccw_qemu_binary_stat(binary, &caps->stat, err))
        return NULL;
    if (access(binary, X_OK) < 0) {
        vccw_error_set_errno(err, errno, "QEMU binary %s is not executable", binary);
        return NULL;
    }

    if (!(tmpdir = g_dir_make_tmp("virtccw-qemucaps-XXXXXX", &local))) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "cannot create probe directory: %s",
                       local->message);
        return NULL;
    }
    sock = g_build_filename(tmpdir, "qmp.sock", NULL);
    logpath = g_build_filename(tmpdir, "qemu.log", NULL);
    qmparg = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    /* nothing from our environment may change what QEMU reports */
    envpath = g_strdup_printf("PATH=%s", g_getenv("PATH") ?: "/usr/bin:/bin");

    logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0) {
        vccw_error_set_errno(err, errno, "cannot create %s", logpath);
        vccw_probe_cleanup_dir(tmpdir);
        return NULL;
    }

    {
        const char *argv[] = {
            binary, "-S", "-no-user-config", "-nodefaults", "-display", "none",
            "-machine", "none,accel=tcg", "-qmp", qmparg, NULL
        };
        const char *envp[] = { envpath, NULL };

        ok = g_spawn_async_with_pipes_and_fds(tmpdir, argv, envp,
                                              G_SPAWN_DO_NOT_REAP_CHILD |
                                              G_SPAWN_STDIN_FROM_DEV_NULL,
                                              vccw_probe_child_setup, NULL,
                                              -1, logfd, logfd, NULL, NULL, 0,
                                              &child.pid, NULL, NULL, NULL, &local);
    }
    close(logfd);
    if (!ok) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "Failed to start QEMU binary %s: %s",
                       binary, local->message);
        vccw_probe_cleanup_dir(tmpdir);
        return NULL;
    }

    qmp = vccw_qmp_connect(sock, VCCW_QEMU_CAPS_PROBE_TIMEOUT_MS,
                           vccw_probe_child_alive, &child, &local);
    if (qmp)
        ok = vccw_qemu_probe_qmp(caps, qmp, &local);
    else
        ok = false;

    if (qmp) {
        g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "quit", NULL, NULL);

        (void)ret;
    }
    vccw_probe_child_finish(&child, VCCW_QEMU_CAPS_EXIT_TIMEOUT_MS);

    if (!ok) {
        g_autofree char *log = vccw_probe_read_log(logpath);

        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Failed to probe QEMU binary %s with QMP: %s%s%s", binary,
                       local->message, *log ? ": " : "", log);
        vccw_probe_cleanup_dir(tmpdir);
        return NULL;
    }
    vccw_probe_cleanup_dir(tmpdir);

    vccw_qemu_caps_derive(caps);
    return g_steal_pointer(&caps);
}

/* ------------------------------------------------------------------ */
/* the cache                                                           */

static char *
vccw_qemu_caps_cache_file(const char *binary, const char *cache_dir)
{
    /* one file per binary path; the name must not depend on the content */
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = g_strdup_printf("%s.json", sum);

    return g_build_filename(cache_dir, name, NULL);
}

static bool
vccw_qemu_caps_cache_valid(const VccwQemuCaps *caps, const char *producer,
                           const char *binary, const VccwQemuBinaryStat *st)
{
    /* another virtccw may derive differently: trust only our own files */
    return g_strcmp0(producer, VIRTCCW_VERSION) == 0 &&
           strcmp(caps->binary, binary) == 0 &&
           memcmp(&caps->stat, st, sizeof(*st)) == 0;
}

VccwQemuCaps *
vccw_qemu_caps_cache_lookup(const char *binary, const char *cache_dir, GError **err)
{
    g_autofree char *defdir = NULL;
    g_autofree char *file = NULL;
    VccwQemuBinaryStat st = { 0 };
    VccwQemuCaps *caps;

    if (!cache_dir)
        cache_dir = defdir = g_build_filename(g_get_user_cache_dir(), "virtccw",
                                              "qemucaps", NULL);
    if (!vccw_qemu_binary_stat(binary, &st, err))
        return NULL;
    file = vccw_qemu_caps_cache_file(binary, cache_dir);

    if (g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
        g_autofree char *producer = NULL;
        g_autoptr(GError) local = NULL;
        g_autoptr(VccwQemuCaps) cached = vccw_qemu_caps_load_file_full(file, &producer,
                                                                       &local);

        if (cached && vccw_qemu_caps_cache_valid(cached, producer, binary, &st))
            return g_steal_pointer(&cached);
        /* stale or damaged: fall through, probe and overwrite */
        g_debug("QEMU capabilities cache %s not used: %s", file,
                local ? local->message : "outdated");
    }

    if (!(caps = vccw_qemu_caps_probe(binary, err)))
        return NULL;

    /* failing to cache only costs time next run; the probe result stands */
    if (g_mkdir_with_parents(cache_dir, 0700) < 0) {
        g_debug("cannot create QEMU capabilities cache %s: %s", cache_dir,
                g_strerror(errno));
    } else {
        g_autoptr(GError) local = NULL;

        if (!vccw_qemu_caps_save_file(caps, file, &local))
            g_debug("%s", local->message);
    }
    return caps;
}

