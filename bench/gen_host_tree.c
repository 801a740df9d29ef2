/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gen_host_tree: write a STATIC host root (plain directories, files and
 * symlinks) with the layout of virtccw-simhost, for benchmarks where the
 * FUSE round trips of the simulated host would dominate.
 *
 *   gen_host_tree [-n N] [--ssids K] [--vfio-every V] [--gaps G] [--kernel 6.1|6.12] DIR
 *
 * The tree is not a copy of the generator's rules: it is the simulated
 * host itself (src/simhost: sim_layout + sim_model + sim_tree), driven to
 * a realistic state through the model's own kernel operations and then
 * walked node by node, so names, modes, symlink targets and contents are
 * exactly what the FUSE host would show.
 *
 * State: every V-th I/O subchannel that is not QDIO (schno % V == 2) is
 * bound to vfio_ccw the way driverctl does it (override, unbind, probe);
 * counting those parents k = 0, 1, 2, ...:
 *   k % 4 == 0  active mdev, defined in etc/mdevctl.d with start auto
 *   k % 4 == 1  active mdev, transient (no definition)
 *   k % 4 == 2  defined (manual), not started
 *   k % 4 == 3  defined (auto), not started
 * Everything else stays as the simulated host boots: DASD on
 * io_subchannel (one in eight offline), OSA/zFCP QDIO, CHSC unbound.
 *
 * Other layouts for the name-only listings: --vfio-every 1 (every non-QDIO
 * I/O subchannel on vfio_ccw), a large V (few on vfio_ccw), --ssids K
 * (spread over K subchannel sets: 0.0.xxxx, 0.1.xxxx, ...) and --gaps G
 * (runs of G subchannels missing in every 4G, as on an LPAR whose I/O
 * configuration defines devices in blocks).
 *
 * Space: on tmpfs every non-empty file costs a 4 KiB page, and a full
 * sysfs has ~15 non-empty attributes per subchannel (60 KiB, 16 GB at
 * 262,144). Files with the same name, mode and content (type "0",
 * online "1", the same uevent, ...) are therefore hard links to one inode;
 * only dev_busid (one per subchannel) and the mdev-specific files are
 * unique. Reading a hard link costs what reading its own file would (path
 * walk, open, page-cache read). Directories get u+w so that a non-root
 * user can remove the tree; write-only attributes are empty files of mode
 * 0200 (root may read them: empty).
 */
#include "sim_layout.h"
#include "sim_model.h"
#include "sim_tree.h"
#include "mdevctl_store.h"
#include "vccw_uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    SimModel *m;
    int rootfd;
    GHashTable *gap_sch, *gap_ccw;   /* bus ids left out (--gaps), or NULL */
    GHashTable *dedup;   /* "name\1mode\1content" -> path of the first copy */
    guint64 dirs, links, files, hardlinks, bytes, pages;
} Gen;

static void G_GNUC_NORETURN
die(const char *what, const char *path)
{
    fprintf(stderr, "gen_host_tree: %s %s: %s\n", what, path, g_strerror(errno));
    exit(1);
}

static void
put_file(Gen *g, int dirfd, const char *rel, const char *name, mode_t mode,
         const char *content, size_t len)
{
    g_autofree char *key = g_strdup_printf("%s\1%o\1%.*s", name, (unsigned)mode, (int)len, content);
    const char *first = g_hash_table_lookup(g->dedup, key);
    int fd;

    if (first) {
        if (linkat(g->rootfd, first, dirfd, name, 0) < 0)
            die("cannot link", rel);
        g->hardlinks++;
        return;
    }
    if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
        die("cannot create", rel);
    if (len && write(fd, content, len) != (ssize_t)len)
        die("cannot write", rel);
    if (close(fd) < 0)
        die("cannot close", rel);
    if (fchmodat(dirfd, name, mode, 0) < 0)   /* past the umask */
        die("cannot chmod", rel);
    g_hash_table_insert(g->dedup, g_steal_pointer(&key), g_strdup(rel));
    g->files++;
    g->bytes += len;
    g->pages += len ? (len + 4095) / 4096 : 0;
}

/* --gaps: a left-out subchannel has no entry anywhere: not under css0,
 * not on the css bus or its drivers; its ccw device not on the ccw bus
 * or its drivers. (Subchannel ids and device numbers overlap, so each
 * set is matched only where its kind of name lives.) */
static bool
in_gap(const Gen *g, const char *rel, const char *name)
{
    if (!g->gap_sch)
        return false;
    if ((g_str_has_suffix(rel, "/css0") || g_str_equal(rel, "sys/bus/css/devices") ||
         g_str_has_prefix(rel, "sys/bus/css/drivers/")) &&
        g_hash_table_contains(g->gap_sch, name))
        return true;
    return (g_str_equal(rel, "sys/bus/ccw/devices") || g_str_has_prefix(rel, "sys/bus/ccw/drivers/")) &&
           g_hash_table_contains(g->gap_ccw, name);
}

/* Write the children of @dir (already created, open as @dirfd, at @rel). */
static void
materialize(Gen *g, SimNode dir, int dirfd, GString *rel)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    uint64_t cookie = 0, next;
    char name[256];
    SimNode child;
    int r;

    while ((r = sim_tree_readdir(g->m, dir, cookie, name, &child, &next)) == 1) {
        size_t mark = rel->len;
        struct stat st;

        cookie = next;
        if (g_str_equal(name, ".") || g_str_equal(name, ".."))
            continue;
        if (in_gap(g, rel->str, name))
            continue;
        if (dir.kind == SIM_K_ROOT && !g_str_equal(name, "sys") && !g_str_equal(name, "dev"))
            continue;   /* etc/ and run/ are ours, .simhost/ is the FUSE host's */
        if (sim_tree_stat(g->m, child, &st) < 0)
            continue;
        if (rel->len)
            g_string_append_c(rel, '/');
        g_string_append(rel, name);
        if (S_ISDIR(st.st_mode)) {
            int fd;

            if (mkdirat(dirfd, name, 0755) < 0)
                die("cannot create", rel->str);
            if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                die("cannot open", rel->str);
            materialize(g, child, fd, rel);
            if (fchmod(fd, (st.st_mode & 07777) | 0200) < 0)
                die("cannot chmod", rel->str);
            close(fd);
            g->dirs++;
        } else if (S_ISLNK(st.st_mode)) {
            if (sim_tree_readlink(g->m, child, buf) < 0 || symlinkat(buf->str, dirfd, name) < 0)
                die("cannot create symlink", rel->str);
            g->links++;
        } else {
            g_string_truncate(buf, 0);
            if (!(st.st_mode & 0444) || sim_tree_read(g->m, child, buf) < 0)
                g_string_truncate(buf, 0);   /* write-only, or a read error (real_cssid) */
            put_file(g, dirfd, rel->str, name, st.st_mode & 07777, buf->str, buf->len);
        }
        g_string_truncate(rel, mark);
    }
    if (r < 0) {
        errno = -r;
        die("cannot list", rel->str);
    }
}

static void
mkdir_p(int rootfd, const char *rel)
{
    g_autofree char *copy = g_strdup(rel);

    for (char *p = copy; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdirat(rootfd, copy, 0755) < 0 && errno != EEXIST)
                die("cannot create", copy);
            *p = c;
            if (!c)
                break;
        }
    }
}

/* A fixed, random-looking version-4 UUID per subchannel index. */
static void
bench_uuid(uint32_t idx, unsigned char uuid[VCCW_UUID_BUFLEN])
{
    uint64_t x = 0x9e3779b97f4a7c15ull * (idx + 1);

    for (int i = 0; i < 16; i += 8) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        memcpy(uuid + i, &z, 8);
    }
    uuid[6] = (unsigned char)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (unsigned char)((uuid[8] & 0x3f) | 0x80);
}

static void
write_definition(Gen *g, const char *parent, const unsigned char *uuid, VccwMdevStart start,
                 guint64 *ndefs)
{
    g_autoptr(VccwMdevctlDef) def = vccw_mdevctl_def_new();
    g_autofree char *dir = g_strdup_printf("etc/mdevctl.d/%s", parent);
    g_autofree char *text = NULL;
    char name[VCCW_UUID_STRING_BUFLEN];
    int dfd, fd;

    def->parent = g_strdup(parent);
    memcpy(def->uuid, uuid, VCCW_UUID_BUFLEN);
    def->mdev_type = g_strdup("vfio_ccw-io");
    def->start = start;
    text = vccw_mdevctl_def_to_json(def);   /* mdevctl's exact bytes */
    vccw_uuid_format(uuid, name);
    mkdir_p(g->rootfd, dir);
    if ((dfd = openat(g->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        die("cannot open", dir);
    if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        die("cannot create definition in", dir);
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
        die("cannot write definition in", dir);
    close(dfd);
    g->bytes += strlen(text);
    g->pages++;
    (*ndefs)++;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    gint n = 2000, ssids = 0, vfio_every = 8, gaps = 0;
    g_autofree char *kernel_s = NULL;
    g_auto(GStrv) rest = NULL;
    GOptionEntry entries[] = {
        { "subchannels", 'n', 0, G_OPTION_ARG_INT, &n, "subchannels (1..262144, default 2000)", "N" },
        { "ssids", 0, 0, G_OPTION_ARG_INT, &ssids, "subchannel sets (default: as few as needed)", "K" },
        { "vfio-every", 0, 0, G_OPTION_ARG_INT, &vfio_every,
          "bind every V-th non-QDIO I/O subchannel to vfio_ccw (default 8; 0: none)", "V" },
        { "kernel", 0, 0, G_OPTION_ARG_STRING, &kernel_s, "6.1 (default) or 6.12", "VER" },
        { "gaps", 0, 0, G_OPTION_ARG_INT, &gaps,
          "leave out runs of G subchannels (and their devices) in every 4G, vfio_ccw ones kept", "G" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "DIR" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DIR - write a static simulated host root");
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) rel = g_string_new(NULL);
    static const char *const etc_dirs[] = {
        "etc/mdevctl.d/scripts.d/callouts", "etc/mdevctl.d/scripts.d/notifiers",
        "etc/driverctl.d", "run",
    };
    guint64 nvfio = 0, nactive = 0, ndefs = 0;
    SimLayout layout;
    Gen g = { 0 };
    double t0 = now();

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "gen_host_tree: %s\n", err->message);
        return 2;
    }
    if (!rest || g_strv_length(rest) != 1 || n < 1 || ssids < 0 || vfio_every < 0 || gaps < 0) {
        fprintf(stderr, "usage: gen_host_tree [-n N] [--ssids K] [--vfio-every V] [--gaps G] "
                "[--kernel VER] DIR\n");
        return 2;
    }
    if (!sim_layout_init(&layout, SIM_LAYOUT_LPAR,
                         kernel_s && g_str_equal(kernel_s, "6.12") ? SIM_KERNEL_6_12 : SIM_KERNEL_6_1,
                         (uint32_t)n, (uint32_t)ssids, &err)) {
        fprintf(stderr, "gen_host_tree: %s\n", err->message);
        return 2;
    }
    if (mkdir(rest[0], 0755) < 0 && errno != EEXIST)
        die("cannot create", rest[0]);
    if ((g.rootfd = open(rest[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        die("cannot open", rest[0]);
    if (faccessat(g.rootfd, "sys", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        fprintf(stderr, "gen_host_tree: %s/sys exists; use an empty directory\n", rest[0]);
        return 1;
    }
    g.m = sim_model_new(&layout, true);
    g.dedup = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (size_t i = 0; i < G_N_ELEMENTS(etc_dirs); i++)
        mkdir_p(g.rootfd, etc_dirs[i]);

    /* Drive the model like an administrator would. */
    for (uint32_t idx = 0; vfio_every > 0 && idx < layout.n; idx++) {
        char sch[SIM_NAME_BUFLEN];
        unsigned char uuid[VCCW_UUID_BUFLEN];
        char ustr[VCCW_UUID_STRING_BUFLEN];
        SimSchInfo info;
        uint64_t wait = 0;
        unsigned k;

        sim_layout_sch_info(&layout, idx, &info);
        if (info.st != 0 || info.qdio || info.schno % (unsigned)vfio_every != 2 % (unsigned)vfio_every)
            continue;
        sim_layout_sch_name(&layout, idx, sch);
        if (sim_model_set_override(g.m, idx, "vfio_ccw\n", 9) < 0 ||
            sim_model_unbind(g.m, SIM_DRV_IO_SUBCHANNEL, sch, strlen(sch), &wait) < 0 ||
            sim_model_drivers_probe(g.m, sch, strlen(sch)) < 0 ||
            sim_model_sch_driver(g.m, idx) != SIM_DRV_VFIO_CCW) {
            fprintf(stderr, "gen_host_tree: cannot bind %s to vfio_ccw\n", sch);
            return 1;
        }
        k = (unsigned)nvfio++;
        bench_uuid(idx, uuid);
        vccw_uuid_format(uuid, ustr);
        if (k % 4 <= 1) {
            if (sim_model_create(g.m, idx, ustr, strlen(ustr)) < 0) {
                fprintf(stderr, "gen_host_tree: cannot create mdev %s on %s\n", ustr, sch);
                return 1;
            }
            nactive++;
        }
        if (k % 4 != 1)
            write_definition(&g, sch, uuid, k % 4 == 2 ? VCCW_MDEV_START_MANUAL : VCCW_MDEV_START_AUTO,
                             &ndefs);
    }
    sim_model_clear_events(g.m);
    /* gaps in the numbering: schno % 4G in [G, 2G) left out, unless bound
     * to vfio_ccw (their mdevs and definitions stay consistent) */
    guint64 ngap = 0;
    if (gaps > 0) {
        g.gap_sch = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g.gap_ccw = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (uint32_t idx = 0; idx < layout.n; idx++) {
            char name[SIM_NAME_BUFLEN];
            SimSchInfo info;

            sim_layout_sch_info(&layout, idx, &info);
            if (info.schno % (4u * (unsigned)gaps) / (unsigned)gaps != 1 ||
                sim_model_sch_driver(g.m, idx) == SIM_DRV_VFIO_CCW)
                continue;
            sim_layout_sch_name(&layout, idx, name);
            g_hash_table_add(g.gap_sch, g_strdup(name));
            if (info.dev != SIM_DEV_NONE) {
                sim_layout_ccw_name(&layout, idx, name);
                g_hash_table_add(g.gap_ccw, g_strdup(name));
            }
            ngap++;
        }
    }

    materialize(&g, sim_node_root(), g.rootfd, rel);
    close(g.rootfd);
    printf("subchannels %" G_GUINT64_FORMAT " ssids %u vfio_ccw %" G_GUINT64_FORMAT
           " active-mdevs %" G_GUINT64_FORMAT " definitions %" G_GUINT64_FORMAT "\n",
           (guint64)layout.n - ngap, layout.nssid, nvfio, nactive, ndefs);
    printf("dirs %" G_GUINT64_FORMAT " symlinks %" G_GUINT64_FORMAT " files %" G_GUINT64_FORMAT
           " hardlinks %" G_GUINT64_FORMAT " names %" G_GUINT64_FORMAT " inodes %" G_GUINT64_FORMAT
           " content-bytes %" G_GUINT64_FORMAT " data-pages %" G_GUINT64_FORMAT " seconds %.1f\n",
           g.dirs, g.links, g.files, g.hardlinks, g.dirs + g.links + g.files + g.hardlinks + ndefs,
           g.dirs + g.links + g.files + ndefs, g.bytes, g.pages, now() - t0);
    g_hash_table_destroy(g.dedup);
    if (g.gap_sch) {
        g_hash_table_destroy(g.gap_sch);
        g_hash_table_destroy(g.gap_ccw);
    }
    sim_model_free(g.m);
    return 0;
}
