/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench_nodedev: node-device enumeration speed on a host root.
 *
 *   bench_nodedev [-k K] [--cli VIRTCCW] [--mdevctl MDEVCTL] [--cli-sample N]
 *                 [--label L] ROOT
 *   bench_nodedev --only WORKLOAD --impl ours|floor|batched|check [-k K] ROOT
 *                 (K runs, default 1, nothing timed: for strace -c / perf;
 *                 check: do the batched reads give the floor's facts?)
 *
 * For each workload it times, best of K, warm cache:
 *   ours     the library, in this process (vccw_nodedev_list & co.)
 *   floor    a minimal C loop making only the syscalls the same output
 *            needs (plain syscalls, paths relative to one directory fd)
 *   batched  the floor's work with the per-device reads batched through
 *            io_uring (open/read/close chains on direct descriptors) and
 *            `uevent` read instead of the driver link; only where it helps
 *   cli      `virtccw --root ROOT ...` as a process (stdout to /dev/null);
 *            for defs (no virtccw command prints mdevctl's document) this
 *            program doing only the library call, as a process
 *   mdevctl  mdevctl 1.2.0 where the work is the same (`types`,
 *            `list --defined --dumpjson`); it has no root option, so this
 *            program must run in a private mount namespace where ROOT/sys
 *            and ROOT/etc/mdevctl.d are bind-mounted on /sys and
 *            /etc/mdevctl.d (bench/run-nodedev-bench.sh does that)
 * Times are CPU (user+sys, CLOCK_PROCESS_CPUTIME_ID or the child's
 * rusage) and wall (CLOCK_MONOTONIC), each the best of K runs; ratios use
 * CPU time, which a busy machine disturbs less. ours, floor and batched
 * run in fresh processes (this program with --only ... --emit, timing
 * itself inside, process start not included), K rounds, interleaved.
 *
 * Workloads: css, ccw, mdev (--all: active + defined), mdev_types,
 * defs (all definitions as mdevctl's `list --defined --dumpjson`
 * document), dump (every device's XML: one listing, then formatting each).
 *
 *   bench_nodedev --names [-k K] --cli VIRTCCW --floor-cli BENCH_NAMES_FLOOR
 *                 [--label L] [--workloads LIST] ROOT
 *   bench_nodedev --only names:WORKLOAD --impl ours|floor [-k K] [--emit] ROOT
 *
 * The name-only listings (`nodedev-list` with each --cap, --all,
 * --inactive, --tree; names_floor.h): the library
 * (vccw_nodedev_list_names) against the name-only floor in-process, and
 * `virtccw nodedev-list` against bench_names_floor as processes, whose
 * outputs must be byte-identical.
 */
#include "node_device_driver.h"
#include "mdevctl_store.h"
#include "libvirt_release.h"
#include "names_floor.h"
#include "vccw_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LIBURING
#include <liburing.h>
#include <liburing/io_uring.h>   /* IORING_* and the ring structures */
#include <linux/fs.h>            /* what iwyu traces the open flags of the sqes to */
#endif

extern char **environ;

/* ---- timing --------------------------------------------------------------- */

typedef struct {
    double wall, cpu;   /* seconds, best of K */
    long items;         /* devices (or definitions) produced */
    bool valid;
} Timing;

static double
clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef long (*WorkFn)(const char *root, void *opaque);

static Timing
time_best(int k, WorkFn fn, const char *root, void *opaque)
{
    Timing t = { .wall = 1e99, .cpu = 1e99, .valid = true };

    for (int i = 0; i < k; i++) {
        double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        long items = fn(root, opaque);
        double c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w1 = clock_s(CLOCK_MONOTONIC);

        t.wall = MIN(t.wall, w1 - w0);
        t.cpu = MIN(t.cpu, c1 - c0);
        t.items = items;
    }
    return t;
}

/* Run @argv with stdout to @out_fd (or /dev/null); wall and CPU of the child. */
static bool
spawn_timed(char *const *argv, int out_fd, double *wall, double *cpu)
{
    posix_spawn_file_actions_t fa;
    struct rusage ru;
    pid_t pid;
    int status;
    double w0;

    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    w0 = clock_s(CLOCK_MONOTONIC);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return false;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (wait4(pid, &status, 0, &ru) < 0)
        return false;
    *wall = clock_s(CLOCK_MONOTONIC) - w0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Processes per round for a name-only process pair whose best CPU times
 * so far are @a and @b (1e99 before the first round): 20 once both are
 * known to take under 5 ms. Such a process is about as short as the
 * hypervisor's time slices here: one round of k can land wholly in a
 * stolen slice (a best of 15 of 1.1 ms where 2,000 runs give 0.71), so
 * the short ones get more chances; the pair always gets the same count. */
static int
short_process_reps(double a, double b)
{
    return MAX(a, b) < 5e-3 ? 20 : 1;
}

static Timing
spawn_best(int k, char *const *argv)
{
    Timing t = { .wall = 1e99, .cpu = 1e99, .valid = true };

    for (int i = 0; i < k; i++) {
        double w, c;

        if (!spawn_timed(argv, -1, &w, &c)) {
            fprintf(stderr, "bench_nodedev: %s failed\n", argv[0]);
            t.valid = false;
            return t;
        }
        t.wall = MIN(t.wall, w);
        t.cpu = MIN(t.cpu, c);
    }
    return t;
}

/* ---- ours: the library ----------------------------------------------------- */

static long
ours_list(const char *root, void *opaque)
{
    unsigned int flags = GPOINTER_TO_UINT(opaque);
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = vccw_host_new(root, &err);
    g_autoptr(VccwNodeDevDriver) drv = host ? vccw_nodedev_driver_new(host, &err) : NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) devs = drv ? vccw_nodedev_list(drv, flags, warnings, &err) : NULL;

    if (!devs) {
        fprintf(stderr, "bench_nodedev: %s\n", err ? err->message : "?");
        exit(1);
    }
    return (long)devs->len;
}

static GString *ours_defs_json;   /* the last document, compared with mdevctl's */

static long
ours_defs(const char *root, void *opaque)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = vccw_host_new(root, &err);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) defs = host ? vccw_mdevctl_store_list(host, warnings, &err) : NULL;
    g_autofree char *json = NULL;

    if (!defs) {
        fprintf(stderr, "bench_nodedev: %s\n", err ? err->message : "?");
        exit(1);
    }
    json = vccw_mdevctl_list_to_json(defs);
    if (ours_defs_json)
        g_string_assign(ours_defs_json, json);
    return (long)defs->len;
}

static long
ours_dump(const char *root, void *opaque)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = vccw_host_new(root, &err);
    g_autoptr(VccwNodeDevDriver) drv = host ? vccw_nodedev_driver_new(host, &err) : NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) devs = drv ? vccw_nodedev_list(drv, VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE,
                                                        warnings, &err) : NULL;
    size_t bytes = 0;

    if (!devs) {
        fprintf(stderr, "bench_nodedev: %s\n", err ? err->message : "?");
        exit(1);
    }
    for (guint i = 0; i < devs->len; i++) {
        g_autofree char *xml = vccw_nodedev_def_format(g_ptr_array_index(devs, i), 0);
        bytes += strlen(xml);
    }
    (void)opaque;
    return bytes ? (long)devs->len : 0;
}

/* ---- name-only listings ------------------------------------------------------ */

static unsigned int
names_flags(NamesWorkload w)
{
    switch (w) {
    case NF_CSS: return VCCW_LIST_CAP_CSS_DEV;
    case NF_CCW: return VCCW_LIST_CAP_CCW_DEV;
    case NF_MDEV: return VCCW_LIST_CAP_MDEV;
    case NF_MDEV_ALL: return VCCW_LIST_CAP_MDEV | VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE;
    case NF_TYPES: return VCCW_LIST_CAP_MDEV_TYPES;
    case NF_ALL_ALL: return VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE;
    case NF_INACTIVE: return VCCW_LIST_INACTIVE;
    default: return 0;
    }
}

static long
ours_names(const char *root, void *opaque)
{
    unsigned int flags = names_flags((NamesWorkload)GPOINTER_TO_UINT(opaque));
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = vccw_host_new(root, &err);
    g_autoptr(VccwNodeDevDriver) drv = host ? vccw_nodedev_driver_new(host, &err) : NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) names = drv ? vccw_nodedev_list_names(drv, flags, warnings, &err) : NULL;

    if (!names) {
        fprintf(stderr, "bench_nodedev: %s\n", err ? err->message : "?");
        exit(1);
    }
    return (long)names->len;
}

static long
floor_names(const char *root, void *opaque)
{
    return names_floor(root, (NamesWorkload)GPOINTER_TO_UINT(opaque), NULL);
}

/* ---- the floor: plain syscalls, nothing else ------------------------------- */

typedef struct {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} Dirent64;

typedef struct {
    int fd;
    size_t pos, len;
    char buf[65536];
} Dents;

static const char *
dents_next(Dents *d)
{
    for (;;) {
        const Dirent64 *e;

        if (d->pos >= d->len) {
            ssize_t r = getdents64(d->fd, d->buf, sizeof(d->buf));
            if (r <= 0)
                return NULL;
            d->len = (size_t)r;
            d->pos = 0;
        }
        e = (const Dirent64 *)(const void *)(d->buf + d->pos);
        d->pos += e->d_reclen;
        if (e->d_name[0] != '.')
            return e->d_name;
    }
}

static int
open_under(const char *root, const char *rel)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* openat + read + close; the newline stripped */
static ssize_t
read_small(int dfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = '\0';
    return n;
}

static const char *
link_base(int dfd, const char *path, char *buf, size_t size)
{
    ssize_t n;
    char *slash;

    /* (never true here; without it gcc 14 with -fsanitize=address,undefined
     * and -O2 warns "argument 3 is null" on the inlined readlinkat) */
    if (!buf || size == 0)
        return NULL;
    n = readlinkat(dfd, path, buf, size - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    return slash ? slash + 1 : buf;
}

/* What the floor keeps of a device: enough to print its XML. */
typedef struct {
    char kind;              /* 's' css, 'c' ccw, 'm' mdev */
    char name[16];          /* bus id / parent */
    char driver[16];
    char busid[16];
    char parent[16];
    char uuid[40];
    char type[32];
    char group[16];
    char start[8];
    int ntypes;
    char tname[32], tapi[16], tavail[8];
    bool active;
} FloorDev;

typedef struct {
    FloorDev *v;
    size_t n, cap;
    GString *out;   /* dump: the XML */
} FloorOut;

/* One array of results kept from run to run (growing it while listing
 * 262,144 subchannels would copy ~100 MB, which is not syscall work). */
static FloorDev *floor_pool;
static size_t floor_pool_cap;

static FloorOut
floor_out_take(void)
{
    FloorOut o = { .v = floor_pool, .cap = floor_pool_cap };

    floor_pool = NULL;
    floor_pool_cap = 0;
    return o;
}

static void
floor_out_give_back(FloorOut *o)
{
    if (o->cap > floor_pool_cap) {
        g_free(floor_pool);
        floor_pool = o->v;
        floor_pool_cap = o->cap;
    } else {
        g_free(o->v);
    }
    if (o->out)
        g_string_free(o->out, TRUE);
    memset(o, 0, sizeof(*o));
}

static FloorDev *
floor_add(FloorOut *o)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 4096;
        o->v = g_realloc(o->v, o->cap * sizeof(*o->v));
    }
    memset(&o->v[o->n], 0, sizeof(o->v[0]));
    return &o->v[o->n++];
}

/* mdev_types keeps the css devices that have types. */
static void
keep_with_types(FloorOut *o, size_t from)
{
    size_t j = from;

    for (size_t i = from; i < o->n; i++)
        if (o->v[i].ntypes)
            o->v[j++] = o->v[i];
    o->n = j;
}

/* css: readdir; per subchannel readlink driver, read dev_busid (listed
 * ones); for vfio_ccw ones list the types and read their three files.
 * @types_only (mdev_types): the same per parent, enumerating only the
 * mdev parent class sys/class/mdev_bus as virtccw (and mdevctl) do. */
static void
floor_css(const char *root, FloorOut *o, bool types_only)
{
    size_t first = o->n;

    static Dents d, td;
    char path[512], link[4096];
    const char *name;

    if ((d.fd = open_under(root, types_only ? "sys/class/mdev_bus" : "sys/bus/css/devices")) < 0)
        return;
    d.pos = d.len = 0;
    while ((name = dents_next(&d))) {
        const char *drv;
        bool vfio;
        FloorDev *f;

        snprintf(path, sizeof(path), "%s/driver", name);
        if (!(drv = link_base(d.fd, path, link, sizeof(link))))
            continue;
        vfio = strcmp(drv, "vfio_ccw") == 0;
        if (!vfio && strcmp(drv, "io_subchannel") != 0)
            continue;
        f = floor_add(o);
        f->kind = 's';
        g_strlcpy(f->name, name, sizeof(f->name));
        g_strlcpy(f->driver, drv, sizeof(f->driver));
        snprintf(path, sizeof(path), "%s/dev_busid", name);
        read_small(d.fd, path, f->busid, sizeof(f->busid));
        if (vfio) {
            const char *t;

            snprintf(path, sizeof(path), "%s/mdev_supported_types", name);
            if ((td.fd = openat(d.fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                continue;
            td.pos = td.len = 0;
            while ((t = dents_next(&td))) {
                snprintf(path, sizeof(path), "%s/device_api", t);
                read_small(td.fd, path, f->tapi, sizeof(f->tapi));
                snprintf(path, sizeof(path), "%s/available_instances", t);
                read_small(td.fd, path, f->tavail, sizeof(f->tavail));
                snprintf(path, sizeof(path), "%s/name", t);
                read_small(td.fd, path, f->tname, sizeof(f->tname));
                f->ntypes++;
            }
            close(td.fd);
        }
    }
    close(d.fd);
    if (types_only)
        keep_with_types(o, first);
}

/* ccw: readdir; per device read online; online ones: readlink the device
 * (its parent subchannel) and its driver. */
static void
floor_ccw(const char *root, FloorOut *o)
{
    static Dents d;
    char path[512], link[4096], online[8];
    const char *name;

    if ((d.fd = open_under(root, "sys/bus/ccw/devices")) < 0)
        return;
    d.pos = d.len = 0;
    while ((name = dents_next(&d))) {
        FloorDev *f;
        const char *drv;
        char *slash;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/online", name);
        if (read_small(d.fd, path, online, sizeof(online)) != 1 || online[0] != '1')
            continue;
        if ((n = readlinkat(d.fd, name, link, sizeof(link) - 1)) < 0)
            continue;
        link[n] = '\0';
        f = floor_add(o);
        f->kind = 'c';
        g_strlcpy(f->name, name, sizeof(f->name));
        if ((slash = strrchr(link, '/'))) {
            *slash = '\0';
            g_strlcpy(f->parent, strrchr(link, '/') ? strrchr(link, '/') + 1 : link,
                      sizeof(f->parent));
        }
        snprintf(path, sizeof(path), "%s/driver", name);
        if ((drv = link_base(d.fd, path, link, sizeof(link))))
            g_strlcpy(f->driver, drv, sizeof(f->driver));
    }
    close(d.fd);
}

/* one definition's file: "mdev_type" and "start" (no JSON parser: a floor) */
static void
floor_def_fields(const char *json, FloorDev *f)
{
    const char *p;

    if ((p = strstr(json, "\"mdev_type\": \""))) {
        p += 14;
        g_strlcpy(f->type, p, MIN(sizeof(f->type), (size_t)(strchr(p, '"') - p + 1)));
    }
    g_strlcpy(f->start, strstr(json, "\"start\": \"auto\"") ? "auto" : "manual", sizeof(f->start));
}

static bool
looks_like_parent(const char *s)
{
    return strlen(s) == 8 && s[1] == '.' && s[3] == '.';
}

/* the store: readdir etc/mdevctl.d, each parent dir, read each file */
static void
floor_store(const char *root, FloorOut *o)
{
    static Dents d, pd;
    char json[4096];
    const char *parent, *name;

    if ((d.fd = open_under(root, "etc/mdevctl.d")) < 0)
        return;
    d.pos = d.len = 0;
    while ((parent = dents_next(&d))) {
        if (!looks_like_parent(parent))
            continue;
        if ((pd.fd = openat(d.fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            continue;
        pd.pos = pd.len = 0;
        while ((name = dents_next(&pd))) {
            FloorDev *f;

            if (read_small(pd.fd, name, json, sizeof(json)) < 0)
                continue;
            f = floor_add(o);
            f->kind = 'm';
            g_strlcpy(f->parent, parent, sizeof(f->parent));
            g_strlcpy(f->uuid, name, sizeof(f->uuid));
            floor_def_fields(json, f);
        }
        close(pd.fd);
    }
    close(d.fd);
}

/* active mdevs: readdir; per mdev readlink itself (parent), its mdev_type
 * and iommu_group */
static void
floor_mdev_active(const char *root, FloorOut *o)
{
    static Dents d;
    char path[512], link[4096];
    const char *name, *b;

    if ((d.fd = open_under(root, "sys/bus/mdev/devices")) < 0)
        return;
    d.pos = d.len = 0;
    while ((name = dents_next(&d))) {
        FloorDev *f;
        char *slash;
        ssize_t n;

        if ((n = readlinkat(d.fd, name, link, sizeof(link) - 1)) < 0)
            continue;
        link[n] = '\0';
        f = floor_add(o);
        f->kind = 'm';
        f->active = true;
        g_strlcpy(f->uuid, name, sizeof(f->uuid));
        if ((slash = strrchr(link, '/'))) {
            *slash = '\0';
            g_strlcpy(f->parent, strrchr(link, '/') ? strrchr(link, '/') + 1 : link,
                      sizeof(f->parent));
        }
        snprintf(path, sizeof(path), "%s/mdev_type", name);
        if ((b = link_base(d.fd, path, link, sizeof(link))))
            g_strlcpy(f->type, b, sizeof(f->type));
        snprintf(path, sizeof(path), "%s/iommu_group", name);
        if ((b = link_base(d.fd, path, link, sizeof(link))))
            g_strlcpy(f->group, b, sizeof(f->group));
    }
    close(d.fd);
}

static int
floor_cmp_def(const void *a, const void *b)
{
    const FloorDev *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);

    return c ? c : strcmp(x->uuid, y->uuid);
}

/* active + defined, merged by (uuid, parent) */
static void
floor_mdev_all(const char *root, FloorOut *o)
{
    FloorOut defs = { 0 };
    size_t nactive;

    floor_mdev_active(root, o);
    nactive = o->n;
    floor_store(root, &defs);
    qsort(o->v, nactive, sizeof(FloorDev), floor_cmp_def);
    for (size_t i = 0; i < defs.n; i++) {
        FloorDev *hit = bsearch(&defs.v[i], o->v, nactive, sizeof(FloorDev), floor_cmp_def);

        if (hit)
            g_strlcpy(hit->start, defs.v[i].start, sizeof(hit->start));
        else
            *floor_add(o) = defs.v[i];
    }
    g_free(defs.v);
}

typedef enum { W_CSS, W_CCW, W_MDEV, W_TYPES, W_DEFS, W_DUMP, W_LAST } Workload;
static const char *const workload_names[W_LAST] = {
    "css", "ccw", "mdev", "mdev_types", "defs", "dump",
};

static void
busid_xml(GString *s, const char *tag, const char *id)
{
    /* "0.0.1000" -> <cssid>0x0</cssid><ssid>0x0</ssid><devno>0x1000</devno> */
    g_string_append_printf(s, "%s<cssid>0x%c</cssid>\n%s<ssid>0x%c</ssid>\n%s<devno>0x%s</devno>\n",
                           tag, id[0], tag, id[2], tag, id + 4);
}

/* The XML of every device, with the same elements as ours (a floor: no
 * escaping, nothing general). */
static void
floor_format(FloorOut *o)
{
    GString *s = o->out;

    g_string_append(s, "<device>\n  <name>computer</name>\n</device>\n");
    for (size_t i = 0; i < o->n; i++) {
        const FloorDev *f = &o->v[i];

        if (f->kind == 's') {
            g_string_append_printf(s, "<device>\n  <name>css_%c_%c_%s</name>\n"
                                   "  <path>/sys/devices/css0/%s</path>\n  <parent>computer</parent>\n"
                                   "  <driver>\n    <name>%s</name>\n  </driver>\n"
                                   "  <capability type='css'>\n",
                                   f->name[0], f->name[2], f->name + 4, f->name, f->driver);
            busid_xml(s, "    ", f->name);
            if (strcmp(f->busid, "none") != 0) {
                g_string_append(s, "    <channel_dev_addr>\n");
                busid_xml(s, "      ", f->busid);
                g_string_append(s, "    </channel_dev_addr>\n");
            }
            if (f->ntypes)
                g_string_append_printf(s, "    <capability type='mdev_types'>\n"
                                       "      <type id='vfio_ccw-io'>\n        <name>%s</name>\n"
                                       "        <deviceAPI>%s</deviceAPI>\n"
                                       "        <availableInstances>%s</availableInstances>\n"
                                       "      </type>\n    </capability>\n",
                                       f->tname, f->tapi, f->tavail);
            g_string_append(s, "  </capability>\n</device>\n");
        } else if (f->kind == 'c') {
            g_string_append_printf(s, "<device>\n  <name>ccw_%c_%c_%s</name>\n"
                                   "  <path>/sys/devices/css0/%s/%s</path>\n"
                                   "  <parent>css_%c_%c_%s</parent>\n"
                                   "  <driver>\n    <name>%s</name>\n  </driver>\n"
                                   "  <capability type='ccw'>\n",
                                   f->name[0], f->name[2], f->name + 4, f->parent, f->name,
                                   f->parent[0], f->parent[2], f->parent + 4, f->driver);
            busid_xml(s, "    ", f->name);
            g_string_append(s, "  </capability>\n</device>\n");
        } else {
            char uu[40];

            g_strlcpy(uu, f->uuid, sizeof(uu));
            g_strdelimit(uu, "-", '_');
            g_string_append_printf(s, "<device>\n  <name>mdev_%s_%c_%c_%s</name>\n", uu,
                                   f->parent[0], f->parent[2], f->parent + 4);
            if (f->active)
                g_string_append_printf(s, "  <path>/sys/devices/css0/%s/%s</path>\n", f->parent, f->uuid);
            g_string_append_printf(s, "  <parent>css_%c_%c_%s</parent>\n", f->parent[0], f->parent[2],
                                   f->parent + 4);
            if (f->active)
                g_string_append(s, "  <driver>\n    <name>vfio_ccw_mdev</name>\n  </driver>\n");
            g_string_append_printf(s, "  <capability type='mdev'>\n    <type id='%s'/>\n", f->type);
            if (f->start[0])
                g_string_append_printf(s, "    <start type='%s'/>\n", f->start);
            g_string_append_printf(s, "    <uuid>%s</uuid>\n    <parent_addr>%s</parent_addr>\n",
                                   f->uuid, f->parent);
            if (f->group[0])
                g_string_append_printf(s, "    <iommuGroup number='%s'/>\n", f->group);
            g_string_append(s, "  </capability>\n</device>\n");
        }
    }
}

/* mdevctl's `list --defined --dumpjson` document (sorted by parent, uuid) */
static void
floor_defs_json(FloorOut *o)
{
    GString *s = o->out;

    qsort(o->v, o->n, sizeof(FloorDev), floor_cmp_def);
    g_string_append(s, o->n ? "[\n  {\n" : "[]");
    for (size_t i = 0; i < o->n; i++) {
        const FloorDev *f = &o->v[i];
        bool first = i == 0 || strcmp(o->v[i - 1].parent, f->parent) != 0;
        bool last = i + 1 == o->n || strcmp(o->v[i + 1].parent, f->parent) != 0;

        if (first)
            g_string_append_printf(s, "%s    \"%s\": [\n", i ? ",\n" : "", f->parent);
        g_string_append_printf(s, "      {\n        \"%s\": {\n          \"mdev_type\": \"%s\",\n"
                               "          \"start\": \"%s\",\n          \"attrs\": []\n        }\n      }%s\n",
                               f->uuid, f->type, f->start, last ? "" : ",");
        if (last)
            g_string_append(s, "    ]");
    }
    if (o->n)
        g_string_append(s, "\n  }\n]");
}

static long
floor_run(const char *root, void *opaque)
{
    Workload w = GPOINTER_TO_UINT(opaque);
    FloorOut o = floor_out_take();
    long n;

    switch (w) {
    case W_CSS: floor_css(root, &o, false); break;
    case W_TYPES: floor_css(root, &o, true); break;
    case W_CCW: floor_ccw(root, &o); break;
    case W_MDEV: floor_mdev_all(root, &o); break;
    case W_DEFS:
        floor_store(root, &o);
        o.out = g_string_sized_new(o.n * 200 + 64);
        floor_defs_json(&o);
        break;
    case W_DUMP:
        floor_css(root, &o, false);
        floor_ccw(root, &o);
        floor_mdev_all(root, &o);
        o.out = g_string_sized_new(o.n * 600 + 64);
        floor_format(&o);
        o.n++;   /* computer */
        break;
    case W_LAST: break;
    }
    n = (long)o.n;
    floor_out_give_back(&o);
    return n;
}

/* ---- batched: fewer syscalls for the same reads ---------------------------------
 *
 * The floor's per-file cost is open + read + close. Two ways to batch them:
 *   closerange  plain syscalls: open and read a batch of files, then close
 *               the whole batch (contiguous descriptors) with one
 *               close_range(2): 2 syscalls per file instead of 3
 *   io_uring    open (direct descriptor) -> read -> close chains, 1024 per
 *               io_uring_enter(): no syscall per file at all
 * readlink has no io_uring operation; those stay plain syscalls. */

typedef struct {
    int dfd;
    char path[80];   /* relative to dfd */
    char buf[120];
    int res;         /* bytes read or -errno */
} ReadReq;

typedef void (*BatchReader)(ReadReq *r, size_t n);

/* request arrays kept from run to run, like the floor's results */
static GArray *
batch_reqs(void)
{
    static GArray *a;

    if (!a)
        a = g_array_new(FALSE, FALSE, sizeof(ReadReq));
    g_array_set_size(a, 0);
    return a;
}

static GArray *
batch_owner(void)
{
    static GArray *a;

    if (!a)
        a = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_array_set_size(a, 0);
    return a;
}

/* a new request at the end of @a, filled in place */
static ReadReq *
batch_add(GArray *a, int dfd)
{
    ReadReq *q;

    g_array_set_size(a, a->len + 1);
    q = &g_array_index(a, ReadReq, a->len - 1);
    q->dfd = dfd;
    return q;
}

static void
batch_strip(ReadReq *q)
{
    int len = q->res > 0 ? q->res : 0;

    while (len > 0 && q->buf[len - 1] == '\n')
        len--;
    q->buf[len] = '\0';
}

#define CR_BATCH 512

/* open + read each, close each run of consecutive descriptors with one
 * close_range() (descriptors are allocated lowest first, so a batch is
 * one or a few runs) */
static void
cr_read_all(ReadReq *r, size_t n)
{
    for (size_t base = 0; base < n; base += CR_BATCH) {
        size_t cnt = MIN((size_t)CR_BATCH, n - base);
        int lo = -1, hi = -1;

        for (size_t i = 0; i < cnt; i++) {
            ReadReq *q = &r[base + i];
            int fd = openat(q->dfd, q->path, O_RDONLY | O_CLOEXEC);

            if (fd < 0) {
                q->res = -errno;
                continue;
            }
            if (lo >= 0 && fd != hi + 1) {
                close_range((unsigned)lo, (unsigned)hi, 0);
                lo = -1;
            }
            if (lo < 0)
                lo = fd;
            hi = fd;
            q->res = (int)read(fd, q->buf, sizeof(q->buf) - 1);
            batch_strip(q);
        }
        if (lo >= 0)
            close_range((unsigned)lo, (unsigned)hi, 0);
    }
}

#ifdef HAVE_LIBURING
#define URING_SLOTS 1024   /* direct descriptors = files in flight */
#define URING_ENTRIES 4096

static struct io_uring ring;
static bool ring_ok;

static bool
uring_init(void)
{
    struct io_uring_params p = { .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN };

    if (ring_ok)
        return true;
    if (io_uring_queue_init_params(URING_ENTRIES, &ring, &p) < 0)
        return false;
    if (io_uring_register_files_sparse(&ring, URING_SLOTS) < 0) {
        io_uring_queue_exit(&ring);
        return false;
    }
    return ring_ok = true;
}

/* Read every request: openat (direct descriptor, slot i) -> read (fixed
 * file) -> close (direct), URING_SLOTS chains per io_uring_enter(). The
 * open is soft-linked (a failure cancels the rest), the read hard-linked
 * (a short read, which is every read here, would otherwise cancel the
 * close). Every request posts one CQE: 3 per chain. */
static void
uring_read_all(ReadReq *r, size_t n)
{
    for (size_t base = 0; base < n; base += URING_SLOTS) {
        size_t cnt = MIN((size_t)URING_SLOTS, n - base);
        size_t want = 3 * cnt, seen = 0;
        struct io_uring_cqe *cqe;
        unsigned head, got;

        for (size_t i = 0; i < cnt; i++) {
            ReadReq *q = &r[base + i];
            struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

            /* no O_CLOEXEC: direct descriptors are no fds (EINVAL) */
            io_uring_prep_openat_direct(sqe, q->dfd, q->path, O_RDONLY, 0, (unsigned)i);
            sqe->flags |= IOSQE_IO_LINK;
            sqe->user_data = 0;
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_read(sqe, (int)i, q->buf, sizeof(q->buf) - 1, 0);
            sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
            sqe->user_data = base + i + 1;
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_close_direct(sqe, (unsigned)i);
            sqe->user_data = 0;
            q->res = -ECANCELED;
        }
        io_uring_submit_and_wait(&ring, (unsigned)want);
        while (seen < want) {
            got = 0;
            io_uring_for_each_cqe(&ring, head, cqe) {
                if (cqe->user_data)
                    r[cqe->user_data - 1].res = cqe->res;
                got++;
            }
            io_uring_cq_advance(&ring, got);
            seen += got;
            if (seen < want && io_uring_wait_cqe_nr(&ring, &cqe, 1) < 0)
                break;
        }
        for (size_t i = 0; i < cnt; i++)
            batch_strip(&r[base + i]);
    }
}

#endif

static bool
uring_available(void)
{
#ifdef HAVE_LIBURING
    return uring_init();
#else
    return false;
#endif
}

static void
uring_reader(ReadReq *r, size_t n)
{
#ifdef HAVE_LIBURING
    uring_read_all(r, n);
#else
    (void)r; (void)n;
#endif
}

/* css / mdev_types: readdir and readlink of each driver link as in the
 * floor (io_uring has no readlink; reading `uevent` for DRIVER= instead
 * costs a whole open/read/close: slower), then the listed subchannels'
 * dev_busid and the vfio_ccw ones' type files, batched. */
static void
batched_css(const char *root, FloorOut *o, bool types_only, BatchReader reader)
{
    static Dents d, td;
    GArray *reqs = batch_reqs(), *owner = batch_owner();
    char path[512], link[4096];
    const char *name;
    size_t first = o->n;

    if ((d.fd = open_under(root, types_only ? "sys/class/mdev_bus" : "sys/bus/css/devices")) < 0)
        return;
    d.pos = d.len = 0;
    while ((name = dents_next(&d))) {
        const char *drv;
        bool vfio;
        FloorDev *f;
        size_t idx;

        snprintf(path, sizeof(path), "%s/driver", name);
        if (!(drv = link_base(d.fd, path, link, sizeof(link))))
            continue;
        vfio = strcmp(drv, "vfio_ccw") == 0;
        if (!vfio && strcmp(drv, "io_subchannel") != 0)
            continue;
        idx = o->n;
        f = floor_add(o);
        f->kind = 's';
        g_strlcpy(f->name, name, sizeof(f->name));
        g_strlcpy(f->driver, drv, sizeof(f->driver));
        snprintf(batch_add(reqs, d.fd)->path, sizeof(((ReadReq *)0)->path), "%s/dev_busid", name);
        g_array_append_val(owner, idx);
        if (vfio) {
            const char *t;

            snprintf(path, sizeof(path), "%s/mdev_supported_types", name);
            if ((td.fd = openat(d.fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                continue;
            td.pos = td.len = 0;
            while ((t = dents_next(&td))) {
                static const char *const files[] = { "device_api", "available_instances", "name" };
                for (int j = 0; j < 3; j++) {
                    snprintf(batch_add(reqs, d.fd)->path, sizeof(((ReadReq *)0)->path),
                             "%s/mdev_supported_types/%s/%s", name, t, files[j]);
                    g_array_append_val(owner, idx);
                }
                f->ntypes++;
            }
            close(td.fd);
        }
    }
    reader((ReadReq *)(void *)reqs->data, reqs->len);
    for (guint i = 0; i < reqs->len; i++) {
        ReadReq *q = &g_array_index(reqs, ReadReq, i);
        FloorDev *f = &o->v[g_array_index(owner, size_t, i)];
        const char *leaf = strrchr(q->path, '/') + 1;

        if (g_str_equal(leaf, "dev_busid"))
            g_strlcpy(f->busid, q->buf, sizeof(f->busid));
        else if (g_str_equal(leaf, "device_api"))
            g_strlcpy(f->tapi, q->buf, sizeof(f->tapi));
        else if (g_str_equal(leaf, "available_instances"))
            g_strlcpy(f->tavail, q->buf, sizeof(f->tavail));
        else
            g_strlcpy(f->tname, q->buf, sizeof(f->tname));
    }
    close(d.fd);
    if (types_only)
        keep_with_types(o, first);
}

/* ccw: every device's online, batched; then the online ones' readlinks */
static void
batched_ccw(const char *root, FloorOut *o, BatchReader reader)
{
    static Dents d;
    GArray *reqs = batch_reqs();
    char path[512], link[4096];
    const char *name, *drv;

    if ((d.fd = open_under(root, "sys/bus/ccw/devices")) < 0)
        return;
    d.pos = d.len = 0;
    while ((name = dents_next(&d)))
        snprintf(batch_add(reqs, d.fd)->path, sizeof(((ReadReq *)0)->path), "%s/online", name);
    reader((ReadReq *)(void *)reqs->data, reqs->len);
    for (guint i = 0; i < reqs->len; i++) {
        ReadReq *q = &g_array_index(reqs, ReadReq, i);
        FloorDev *f;
        char *slash;
        ssize_t n;

        if (q->res < 1 || q->buf[0] != '1' || q->buf[1])
            continue;
        *strrchr(q->path, '/') = '\0';   /* the device's name */
        if ((n = readlinkat(d.fd, q->path, link, sizeof(link) - 1)) < 0)
            continue;
        link[n] = '\0';
        f = floor_add(o);
        f->kind = 'c';
        g_strlcpy(f->name, q->path, sizeof(f->name));
        if ((slash = strrchr(link, '/'))) {
            *slash = '\0';
            g_strlcpy(f->parent, strrchr(link, '/') ? strrchr(link, '/') + 1 : link,
                      sizeof(f->parent));
        }
        snprintf(path, sizeof(path), "%s/driver", q->path);
        if ((drv = link_base(d.fd, path, link, sizeof(link))))
            g_strlcpy(f->driver, drv, sizeof(f->driver));
    }
    close(d.fd);
}

/* the store: the directories with getdents64, every file in one batch */
static void
batched_store(const char *root, FloorOut *o, BatchReader reader)
{
    static Dents d, pd;
    GArray *reqs = batch_reqs();
    const char *parent, *name;

    if ((d.fd = open_under(root, "etc/mdevctl.d")) < 0)
        return;
    d.pos = d.len = 0;
    while ((parent = dents_next(&d))) {
        if (!looks_like_parent(parent))
            continue;
        if ((pd.fd = openat(d.fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            continue;
        pd.pos = pd.len = 0;
        while ((name = dents_next(&pd)))
            snprintf(batch_add(reqs, d.fd)->path, sizeof(((ReadReq *)0)->path), "%s/%s", parent, name);
        close(pd.fd);
    }
    reader((ReadReq *)(void *)reqs->data, reqs->len);
    for (guint i = 0; i < reqs->len; i++) {
        ReadReq *q = &g_array_index(reqs, ReadReq, i);
        FloorDev *f;

        if (q->res <= 0)
            continue;
        f = floor_add(o);
        f->kind = 'm';
        g_strlcpy(f->parent, q->path, 9);
        g_strlcpy(f->uuid, q->path + 9, sizeof(f->uuid));
        floor_def_fields(q->buf, f);
    }
    close(d.fd);
}

/* active mdevs (readlinks only: as the floor) merged with the batched store */
static void
batched_mdev_all(const char *root, FloorOut *o, BatchReader reader)
{
    FloorOut defs = { 0 };
    size_t nactive;

    floor_mdev_active(root, o);
    nactive = o->n;
    batched_store(root, &defs, reader);
    qsort(o->v, nactive, sizeof(FloorDev), floor_cmp_def);
    for (size_t i = 0; i < defs.n; i++) {
        FloorDev *hit = bsearch(&defs.v[i], o->v, nactive, sizeof(FloorDev), floor_cmp_def);

        if (hit)
            g_strlcpy(hit->start, defs.v[i].start, sizeof(hit->start));
        else
            *floor_add(o) = defs.v[i];
    }
    g_free(defs.v);
}

static int
floor_cmp_name(const void *a, const void *b)
{
    const FloorDev *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : floor_cmp_def(a, b);
}

/* the facts of one workload, by the floor or a batched reader */
static void
facts(const char *root, Workload w, BatchReader reader, FloorOut *o)
{
    switch (w) {
    case W_CSS:
    case W_TYPES:
        if (reader)
            batched_css(root, o, w == W_TYPES, reader);
        else
            floor_css(root, o, w == W_TYPES);
        break;
    case W_CCW:
        if (reader)
            batched_ccw(root, o, reader);
        else
            floor_ccw(root, o);
        break;
    case W_MDEV:
        if (reader)
            batched_mdev_all(root, o, reader);
        else
            floor_mdev_all(root, o);
        break;
    case W_DEFS:
        if (reader)
            batched_store(root, o, reader);
        else
            floor_store(root, o);
        break;
    case W_DUMP:
        facts(root, W_CSS, reader, o);
        facts(root, W_CCW, reader, o);
        facts(root, W_MDEV, reader, o);
        break;
    case W_LAST:
        break;
    }
}

/* --impl check: the batched reads give the floor's facts */
static bool
batched_check(const char *root, Workload w)
{
    static const struct { const char *name; BatchReader reader; } readers[] = {
        { "closerange", cr_read_all }, { "io_uring", uring_reader },
    };
    bool same = true;

    for (size_t i = 0; i < G_N_ELEMENTS(readers); i++) {
        FloorOut a = { 0 }, b = { 0 };
        bool ok;

        if (readers[i].reader == uring_reader && !uring_available())
            continue;
        facts(root, w, NULL, &a);
        facts(root, w, readers[i].reader, &b);
        qsort(a.v, a.n, sizeof(FloorDev), floor_cmp_name);
        qsort(b.v, b.n, sizeof(FloorDev), floor_cmp_name);
        ok = a.n == b.n && memcmp(a.v, b.v, a.n * sizeof(FloorDev)) == 0;
        printf("%s: floor %zu, %s %zu: %s\n", workload_names[w], a.n, readers[i].name, b.n,
               ok ? "same facts" : "DIFFERENT");
        same = same && ok;
        g_free(a.v);
        g_free(b.v);
    }
    return same;
}

static long
batched_run_with(const char *root, Workload w, BatchReader reader)
{
    FloorOut o = floor_out_take();
    long n;

    facts(root, w, reader, &o);
    if (w == W_DEFS) {
        o.out = g_string_sized_new(o.n * 200 + 64);
        floor_defs_json(&o);
    } else if (w == W_DUMP) {
        o.out = g_string_sized_new(o.n * 600 + 64);
        floor_format(&o);
        o.n++;   /* computer */
    }
    n = (long)o.n;
    floor_out_give_back(&o);
    return n;
}

static long
uring_run(const char *root, void *opaque)
{
    return batched_run_with(root, GPOINTER_TO_UINT(opaque), uring_reader);
}

static long
closerange_run(const char *root, void *opaque)
{
    return batched_run_with(root, GPOINTER_TO_UINT(opaque), cr_read_all);
}

/* ---- main --------------------------------------------------------------------- */

static unsigned int
workload_flags(Workload w)
{
    switch (w) {
    case W_CSS: return VCCW_LIST_CAP_CSS_DEV;
    case W_CCW: return VCCW_LIST_CAP_CCW_DEV;
    case W_MDEV: return VCCW_LIST_CAP_MDEV | VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE;
    case W_TYPES: return VCCW_LIST_CAP_MDEV_TYPES;
    default: return 0;
    }
}

/* The CLI loop: one `virtccw nodedev-dumpxml NAME` per device; on big
 * trees an evenly spaced sample, scaled to all devices. */
static Timing
time_cli_dump(const char *cli, const char *root, int sample, long *sampled)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = vccw_host_new(root, &err);
    g_autoptr(VccwNodeDevDriver) drv = vccw_nodedev_driver_new(host, &err);
    g_autoptr(GPtrArray) devs = vccw_nodedev_list(drv, VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE, NULL, &err);
    Timing t = { .valid = true };
    guint step = devs->len > (guint)sample ? (devs->len + (guint)sample - 1) / (guint)sample : 1;
    long n = 0;

    for (guint i = 0; i < devs->len; i += step) {
        VccwNodeDevDef *d = g_ptr_array_index(devs, i);
        char *argv[] = { (char *)cli, (char *)"--root", (char *)root, (char *)"nodedev-dumpxml",
                         d->name, NULL };
        double w, c;

        if (!spawn_timed(argv, -1, &w, &c)) {
            fprintf(stderr, "bench_nodedev: nodedev-dumpxml %s failed\n", d->name);
            t.valid = false;
            return t;
        }
        t.wall += w;
        t.cpu += c;
        n++;
    }
    *sampled = n;
    t.wall *= (double)devs->len / (double)n;
    t.cpu *= (double)devs->len / (double)n;
    t.items = devs->len;
    return t;
}

/* Run @argv once, its stdout into @out. */
static bool
mdevctl_output(char *const *argv, GString *out)
{
    char tmpl[] = "/tmp/bench-mdevctl-XXXXXX";
    int fd = mkstemp(tmpl);
    double w, c;
    g_autofree char *text = NULL;
    bool ok;

    if (fd < 0)
        return false;
    unlink(tmpl);
    ok = spawn_timed(argv, fd, &w, &c);
    if (ok) {
        off_t size = lseek(fd, 0, SEEK_END);
        text = g_malloc((size_t)size + 1);
        ok = pread(fd, text, (size_t)size, 0) == size;
        text[ok ? size : 0] = '\0';
        g_string_assign(out, text);
    }
    close(fd);
    return ok;
}

/* The function (and its argument) of an implementation of @w. */
static bool
impl_fn(Workload w, const char *impl, WorkFn *fn, void **opaque)
{
    *opaque = GUINT_TO_POINTER(w);
    if (g_str_equal(impl, "ours")) {
        *fn = w == W_DEFS ? ours_defs : w == W_DUMP ? ours_dump : ours_list;
        *opaque = w == W_DEFS || w == W_DUMP ? NULL : GUINT_TO_POINTER(workload_flags(w));
        return true;
    }
    if (g_str_equal(impl, "floor")) {
        *fn = floor_run;
        return true;
    }
    if (g_str_equal(impl, "closerange")) {
        *fn = closerange_run;
        return true;
    }
    if (g_str_equal(impl, "io_uring") && uring_available()) {
        *fn = uring_run;
        return true;
    }
    return false;
}

/* `bench_nodedev --only W --impl I -k K --emit ROOT`: best of K in a
 * fresh process */
static Timing
child_timing(const char *self, Workload w, const char *impl, int k, const char *root)
{
    g_autofree char *ks = g_strdup_printf("%d", k);
    char *argv[] = { (char *)self, (char *)"--only", (char *)workload_names[w], (char *)"--impl",
                     (char *)impl, (char *)"-k", ks, (char *)"--emit", (char *)root, NULL };
    g_autoptr(GString) out = g_string_new(NULL);
    Timing t = { 0 };

    if (mdevctl_output(argv, out) &&
        sscanf(out->str, "TIMING %lf %lf %ld", &t.cpu, &t.wall, &t.items) == 3)
        t.valid = true;
    else
        fprintf(stderr, "bench_nodedev: %s %s failed\n", workload_names[w], impl);
    return t;
}

static void
best_of(Timing *acc, Timing t)
{
    acc->valid = t.valid;
    acc->items = t.items;
    acc->cpu = MIN(acc->cpu, t.cpu);
    acc->wall = MIN(acc->wall, t.wall);
}

static void
fmt_ms(char *buf, size_t size, const Timing *t, bool cpu)
{
    if (!t->valid)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f", (cpu ? t->cpu : t->wall) * 1e3);
}

static void
fmt_ratio(char *buf, size_t size, const Timing *a, const Timing *b)
{
    if (!a->valid || !b->valid || b->cpu <= 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", a->cpu / b->cpu);
}

static int
names_workload(const char *id)
{
    for (int w = 0; w < NF_LAST; w++)
        if (g_str_equal(id, names_workload_ids[w]))
            return w;
    return -1;
}

/* `bench_nodedev --only names:W --impl I -k K --emit ROOT` */
static Timing
names_child(const char *self, NamesWorkload w, const char *impl, int k, const char *root)
{
    g_autofree char *ks = g_strdup_printf("%d", k);
    g_autofree char *only = g_strconcat("names:", names_workload_ids[w], NULL);
    char *argv[] = { (char *)self, (char *)"--only", only, (char *)"--impl", (char *)impl,
                     (char *)"-k", ks, (char *)"--emit", (char *)root, NULL };
    g_autoptr(GString) out = g_string_new(NULL);
    Timing t = { 0 };

    if (mdevctl_output(argv, out) &&
        sscanf(out->str, "TIMING %lf %lf %ld", &t.cpu, &t.wall, &t.items) == 3)
        t.valid = true;
    else
        fprintf(stderr, "bench_nodedev: names %s %s failed\n", names_workload_ids[w], impl);
    return t;
}

/* The name-only table: per workload the library and the floor in fresh
 * processes (best of 2 each, K rounds, interleaved), then virtccw and
 * bench_names_floor as processes (K rounds, interleaved), whose outputs
 * must be the same bytes. Prints one NAMES row per workload (TSV). */
static bool
names_table(const char *self, int k, const char *cli, const char *floor_cli, const char *label,
            char **wanted, const char *root)
{
    bool ok = true;

    printf("# %s: name-only listings, CPU ms (user+sys), best of %d, warm cache; wall in brackets\n",
           label, k);
    printf("%-10s %7s %16s %16s %5s %16s %16s %5s %s\n", "workload", "items", "library", "floor",
           "l/f", "virtccw", "floor-proc", "v/fp", "output");
    {
        /* process start alone: virtccw listing only "computer" (nothing
         * read) against the floor program doing nothing */
        char *v[] = { (char *)cli, (char *)"--root", (char *)root, (char *)"nodedev-list", (char *)"--cap",
                      (char *)"system", NULL };
        char *f[] = { (char *)floor_cli, (char *)root, (char *)"start", NULL };
        Timing tv = { .wall = 1e99, .cpu = 1e99 }, tf = tv;

        for (int r = 0; r < k; r++) {
            int reps = short_process_reps(tv.cpu, tf.cpu);

            best_of(&tv, spawn_best(reps, v));
            best_of(&tf, spawn_best(reps, f));
        }
        printf("%-10s %7d %16s %16s %5s %9.1f [%5.0f] %9.1f [%5.0f] %5.2f\n", "start", 1, "-", "-", "-",
               tv.cpu * 1e3, tv.wall * 1e3, tf.cpu * 1e3, tf.wall * 1e3, tv.cpu / tf.cpu);
        printf("NAMES\t%s\tstart\t1\t-\t-\t%.3f\t%.3f\t-\t-\t%.3f\t%.3f\tsame\n", label,
               tv.cpu * 1e3, tf.cpu * 1e3, tv.wall * 1e3, tf.wall * 1e3);
    }
    for (int wi = 0; wi < NF_LAST; wi++) {
        NamesWorkload w = (NamesWorkload)wi;
        Timing lib = { .wall = 1e99, .cpu = 1e99 }, flo = lib, cli_t = lib, fp = lib;
        GPtrArray *cargs = g_ptr_array_new();
        g_autoptr(GString) out_v = g_string_new(NULL);
        g_autoptr(GString) out_f = g_string_new(NULL);
        char *fargs[] = { (char *)floor_cli, (char *)root, (char *)names_workload_ids[w], NULL };
        bool same;

        if (wanted && !g_strv_contains((const char *const *)wanted, names_workload_ids[w])) {
            g_ptr_array_free(cargs, TRUE);
            continue;
        }
        g_ptr_array_add(cargs, (char *)cli);
        g_ptr_array_add(cargs, (char *)"--root");
        g_ptr_array_add(cargs, (char *)root);
        g_ptr_array_add(cargs, (char *)"nodedev-list");
        for (const char *const *a = names_workload_args[w]; *a; a++)
            g_ptr_array_add(cargs, (char *)*a);
        g_ptr_array_add(cargs, NULL);
        for (int r = 0; r < k; r++) {
            int reps = short_process_reps(cli_t.cpu, fp.cpu);

            /* each child the best of 2, or of 1 when few rounds are asked
             * for (262,144 subchannels on a shared machine) */
            best_of(&lib, names_child(self, w, "ours", k >= 3 ? 2 : 1, root));
            best_of(&flo, names_child(self, w, "floor", k >= 3 ? 2 : 1, root));
            best_of(&cli_t, spawn_best(reps, (char *const *)cargs->pdata));
            best_of(&fp, spawn_best(reps, fargs));
        }
        same = mdevctl_output((char *const *)cargs->pdata, out_v) && mdevctl_output(fargs, out_f) &&
               g_string_equal(out_v, out_f);
        ok = ok && same && lib.items == flo.items;
        printf("%-10s %7ld %9.1f [%5.0f] %9.1f [%5.0f] %5.2f %9.1f [%5.0f] %9.1f [%5.0f] %5.2f %s%s\n",
               names_workload_ids[w], lib.items, lib.cpu * 1e3, lib.wall * 1e3, flo.cpu * 1e3,
               flo.wall * 1e3, lib.cpu / flo.cpu, cli_t.cpu * 1e3, cli_t.wall * 1e3, fp.cpu * 1e3,
               fp.wall * 1e3, cli_t.cpu / fp.cpu, same ? "same" : "DIFFERENT",
               lib.items == flo.items ? "" : " ITEMS-MISMATCH");
        /* label workload items; CPU ms of library floor virtccw floor-proc; the
         * same as wall ms; output identical */
        printf("NAMES\t%s\t%s\t%ld\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n",
               label, names_workload_ids[w], lib.items, lib.cpu * 1e3, flo.cpu * 1e3,
               cli_t.cpu * 1e3, fp.cpu * 1e3, lib.wall * 1e3, flo.wall * 1e3, cli_t.wall * 1e3,
               fp.wall * 1e3, same ? "same" : "different");
        fflush(stdout);
        g_ptr_array_free(cargs, TRUE);
    }
    return ok;
}

int
main(int argc, char **argv)
{
    gint k = 0, cli_sample = 300;
    g_autofree char *cli = NULL, *mdevctl = NULL, *only = NULL, *impl = NULL, *label = NULL;
    g_autofree char *workloads = NULL;
    gboolean emit = FALSE, names_mode = FALSE;
    g_autofree char *floor_cli = NULL;
    char self[4096] = "";
    long n = -1;
    g_auto(GStrv) wanted = NULL;
    g_auto(GStrv) rest = NULL;
    GOptionEntry entries[] = {
        { "runs", 'k', 0, G_OPTION_ARG_INT, &k, "best of K runs (default 5)", "K" },
        { "cli", 0, 0, G_OPTION_ARG_FILENAME, &cli, "the virtccw binary: also time the CLI", "PATH" },
        { "mdevctl", 0, 0, G_OPTION_ARG_FILENAME, &mdevctl,
          "also time mdevctl (only in a mount namespace with ROOT's sys and etc/mdevctl.d bound)", "PATH" },
        { "cli-sample", 0, 0, G_OPTION_ARG_INT, &cli_sample,
          "dumpxml CLI loop: at most N processes, scaled to all devices (default 300)", "N" },
        { "label", 0, 0, G_OPTION_ARG_STRING, &label, "tree label for the output", "L" },
        { "workloads", 'w', 0, G_OPTION_ARG_STRING, &workloads,
          "comma-separated subset of css,ccw,mdev,mdev_types,defs,dump (default: all)", "LIST" },
        { "only", 0, 0, G_OPTION_ARG_STRING, &only, "run one workload once (for strace -c)", "W" },
        { "impl", 0, 0, G_OPTION_ARG_STRING, &impl,
          "with --only: ours, floor, closerange, io_uring, check", "I" },
        { "names", 0, 0, G_OPTION_ARG_NONE, &names_mode,
          "time the name-only listings (needs --cli and --floor-cli)", NULL },
        { "floor-cli", 0, 0, G_OPTION_ARG_FILENAME, &floor_cli,
          "bench_names_floor: the name-only floor as a process", "PATH" },
        { "emit", 0, 0, G_OPTION_ARG_NONE, &emit,
          "with --only: time it, best of K, and print TIMING cpu wall items", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "ROOT" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("ROOT - node-device enumeration speed");
    g_autoptr(GError) err = NULL;
    const char *root;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || !rest || g_strv_length(rest) != 1 ||
        k < 0 || cli_sample < 1) {
        fprintf(stderr, "usage: bench_nodedev [-k K] [--cli PATH] [--mdevctl PATH] ROOT\n");
        return 2;
    }
    root = rest[0];
    if (k == 0)
        k = only ? 1 : 5;
    if (!label)
        label = g_path_get_basename(root);

    /* name-only listings: the library follows the release nodedev-list and
     * virtccwd follow by default (libvirt 11.3: offline ccw devices are
     * listed), as names_floor.c does; the object listings and their floor
     * keep the library's default */
    if ((only && g_str_has_prefix(only, "names:")) || names_mode)
        vccw_libvirt_release_set(vccw_libvirt_release_nodedev_api());
    if (only && g_str_has_prefix(only, "names:")) {
        int w = names_workload(only + 6);
        WorkFn fn = impl && g_str_equal(impl, "floor") ? floor_names : ours_names;

        if (w < 0) {
            fprintf(stderr, "bench_nodedev: unknown workload '%s'\n", only);
            return 2;
        }
        if (emit) {
            Timing t = time_best(k, fn, root, GUINT_TO_POINTER(w));
            printf("TIMING %.9f %.9f %ld\n", t.cpu, t.wall, t.items);
            return 0;
        }
        for (int r = 0; r < k; r++)
            n = fn(root, GUINT_TO_POINTER(w));
        printf("%s %s: %ld items\n", only, impl ? impl : "ours", n);
        return n < 0;
    }
    if (only) {
        Workload w = W_LAST;
        WorkFn fn = NULL;
        void *opaque = NULL;

        for (int i = 0; i < W_LAST; i++)
            if (g_str_equal(only, workload_names[i]))
                w = (Workload)i;
        if (w == W_LAST) {
            fprintf(stderr, "bench_nodedev: unknown workload '%s'\n", only);
            return 2;
        }
        if (impl && g_str_equal(impl, "check"))
            return batched_check(root, w) ? 0 : 1;
        if (!impl_fn(w, impl ? impl : "ours", &fn, &opaque)) {
            fprintf(stderr, "bench_nodedev: no implementation '%s' of %s\n", impl, only);
            return 2;
        }
        if (emit) {
            Timing t = time_best(k, fn, root, opaque);
            printf("TIMING %.9f %.9f %ld\n", t.cpu, t.wall, t.items);
            return 0;
        }
        /* -k K runs it K times, untimed (for strace -c or a profiler) */
        for (int r = 0; r < k; r++)
            n = fn(root, opaque);
        printf("%s %s: %ld items\n", only, impl ? impl : "ours", n);
        return n < 0;
    }

    if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0) {
        fprintf(stderr, "bench_nodedev: cannot find myself: %s\n", g_strerror(errno));
        return 1;
    }
    if (workloads)
        wanted = g_strsplit(workloads, ",", -1);
    if (names_mode) {
        if (!cli || !floor_cli) {
            fprintf(stderr, "bench_nodedev: --names needs --cli and --floor-cli\n");
            return 2;
        }
        return names_table(self, k, cli, floor_cli, label, wanted, root) ? 0 : 1;
    }
    ours_defs_json = g_string_new(NULL);
    printf("# %s: CPU ms (user+sys), best of %d, warm cache; wall ms in brackets\n", label, k);
    printf("%-10s %7s %16s %16s %5s %16s %5s %16s %5s %16s %16s %5s\n", "workload", "items", "ours",
           "floor", "o/f", "closerange", "c/f", "io_uring", "u/f", "ours-cli", "mdevctl", "m/cli");
    for (int wi = 0; wi < W_LAST; wi++) {
        Workload w = (Workload)wi;
        Timing ours, floor_t, cr, ur, clit = { 0 }, mdev = { 0 };
        char o1[16], o2[16], f1[16], f2[16], b1[16], b2[16], u1[16], u2[16];
        char c1[16], c2[16], m1[16], m2[16];
        char r_of[16], r_bf[16], r_uf[16], r_mc[16];
        char col_o[40], col_f[40], col_b[40], col_u[40], col_c[40], col_m[40];
        bool uring = uring_available();
        long sampled = 0;

        if (wanted && !g_strv_contains((const char *const *)wanted, workload_names[w]))
            continue;
        /* K rounds of fresh processes (a heap left fragmented by an
         * earlier workload slows the next one), each the best of 2 runs,
         * interleaved so that a burst of load elsewhere hits all of them */
        ours = floor_t = cr = ur = (Timing){ .wall = 1e99, .cpu = 1e99 };
        for (int r = 0; r < k; r++) {
            best_of(&ours, child_timing(self, w, "ours", 2, root));
            best_of(&floor_t, child_timing(self, w, "floor", 2, root));
            best_of(&cr, child_timing(self, w, "closerange", 2, root));
            if (uring)
                best_of(&ur, child_timing(self, w, "io_uring", 2, root));
        }
        if (!uring)
            ur = (Timing){ 0 };
        if (cli && w == W_DUMP) {
            clit = time_cli_dump(cli, root, cli_sample, &sampled);
        } else if (cli && w == W_DEFS) {
            /* no virtccw command prints this document: this program,
             * doing only the library call, as a process */
            char *args[] = { self, (char *)"--only", (char *)"defs", (char *)"--impl",
                             (char *)"ours", (char *)root, NULL };

            clit = spawn_best(k, args);
        } else if (cli) {
            char *args[] = { cli, (char *)"--root", (char *)root, (char *)"nodedev-list",
                             (char *)"--cap", (char *)workload_names[w],
                             w == W_MDEV ? (char *)"--all" : NULL, NULL };
            clit = spawn_best(k, args);
        }
        if (mdevctl && (w == W_TYPES || w == W_DEFS)) {
            char *types[] = { mdevctl, (char *)"types", NULL };
            char *defs[] = { mdevctl, (char *)"list", (char *)"--defined", (char *)"--dumpjson", NULL };
            char *const *args = w == W_TYPES ? types : defs;
            g_autoptr(GString) out = g_string_new(NULL);

            mdev = spawn_best(k, args);
            if (mdev.valid && mdevctl_output(args, out)) {
                if (w == W_DEFS) {
                    ours_defs(root, NULL);   /* ours_defs_json, untimed */
                    g_string_append_c(ours_defs_json, '\n');
                    printf("# defs: mdevctl's document and ours are %s (%zu bytes)\n",
                           g_str_equal(out->str, ours_defs_json->str) ? "IDENTICAL" : "DIFFERENT",
                           out->len);
                } else {
                    long parents = 0;
                    for (const char *p = out->str; (p = strstr(p, "  vfio_ccw-io\n")); p++)
                        parents++;
                    printf("# mdev_types: mdevctl lists %ld types, ours %ld css devices with types\n",
                           parents, ours.items);
                }
            }
        }
        if (floor_t.items != ours.items || cr.items != ours.items || (ur.valid && ur.items != ours.items))
            printf("# %s: MISMATCH: ours %ld, floor %ld, closerange %ld, io_uring %ld items\n",
                   workload_names[w], ours.items, floor_t.items, cr.items, ur.items);
        fmt_ms(o1, sizeof(o1), &ours, true); fmt_ms(o2, sizeof(o2), &ours, false);
        fmt_ms(f1, sizeof(f1), &floor_t, true); fmt_ms(f2, sizeof(f2), &floor_t, false);
        fmt_ms(b1, sizeof(b1), &cr, true); fmt_ms(b2, sizeof(b2), &cr, false);
        fmt_ms(u1, sizeof(u1), &ur, true); fmt_ms(u2, sizeof(u2), &ur, false);
        fmt_ms(c1, sizeof(c1), &clit, true); fmt_ms(c2, sizeof(c2), &clit, false);
        fmt_ms(m1, sizeof(m1), &mdev, true); fmt_ms(m2, sizeof(m2), &mdev, false);
        fmt_ratio(r_of, sizeof(r_of), &ours, &floor_t);
        fmt_ratio(r_bf, sizeof(r_bf), &cr, &floor_t);
        fmt_ratio(r_uf, sizeof(r_uf), &ur, &floor_t);
        fmt_ratio(r_mc, sizeof(r_mc), &mdev, &clit);
        snprintf(col_o, sizeof(col_o), "%s [%s]", o1, o2);
        snprintf(col_f, sizeof(col_f), "%s [%s]", f1, f2);
        snprintf(col_b, sizeof(col_b), "%s [%s]", b1, b2);
        snprintf(col_u, sizeof(col_u), "%s [%s]", u1, u2);
        snprintf(col_c, sizeof(col_c), "%s%s [%s]", sampled ? "~" : "", c1, c2);
        snprintf(col_m, sizeof(col_m), "%s [%s]", m1, m2);
        printf("%-10s %7ld %16s %16s %5s %16s %5s %16s %5s %16s %16s %5s\n", workload_names[w],
               ours.items, col_o, col_f, r_of, col_b, r_bf, ur.valid ? col_u : "-", r_uf,
               cli ? col_c : "-", mdev.valid ? col_m : "-", r_mc);
        /* one machine-readable line per row for run-nodedev-bench.sh:
         * label workload items, then CPU and wall ms of ours floor
         * closerange io_uring cli mdevctl, then the CLI loop's sample size */
        printf("ROW\t%s\t%s\t%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%ld\n", label,
               workload_names[w], ours.items, o1, o2, f1, f2, b1, b2, u1, u2, c1, c2, m1, m2, sampled);
        fflush(stdout);
    }
    return 0;
}
