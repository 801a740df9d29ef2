/* virtccw: the crash-safe journal of a domain's host-device changes.
 * See qemu_hostdev_journal.h for the protocol. */
#include "qemu_hostdev_journal.h"
#include "node_device_conf.h"
#include "vccw_enum.h"
#include "vccw_error.h"
#include "vccw_json.h"          /* g_autoptr(json_object) */
#include "vccw_subchannel.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define JOURNAL_VERSION 1
#define JOURNAL_SUBDIR "hostdev"
#define JOURNAL_SUFFIX ".json"
#define JOURNAL_TMP_SUFFIX ".json.tmp"
/* a claim takes 100-400 bytes: room for 4 subchannel sets of 65,536 */
#define JOURNAL_MAX_SIZE (256 * 1024 * 1024)
#define VFIO_CCW "vfio_ccw"

VCCW_ENUM_DECL(vccw_hd_act_kind);
VCCW_ENUM_IMPL(vccw_hd_act_kind, VCCW_HD_ACT_LAST, "bind-subchannel", "start-mdev")
VCCW_ENUM_DECL(vccw_hd_act_state);
VCCW_ENUM_IMPL(vccw_hd_act_state, VCCW_HD_ACT_STATE_LAST, "pending", "done", "undoing")
VCCW_ENUM_DECL(vccw_hd_txn_kind);
VCCW_ENUM_IMPL(vccw_hd_txn_kind, VCCW_HD_TXN_LAST, "none", "prepare", "release")

/* ---- fault injection ---------------------------------------------------- */

void
vccw_hd_crash_point(const char *what)
{
    static unsigned long count;
    static long crash_at = -1;
    static int trace = -1;

    if (crash_at < 0) {
        const char *env = g_getenv("VIRTCCW_TEST_CRASH_AFTER_STEP");
        char *end = NULL;
        long v = env ? strtol(env, &end, 10) : 0;

        crash_at = env && end && *end == '\0' && v > 0 ? v : 0;
        trace = g_getenv("VIRTCCW_TEST_TRACE_STEPS") != NULL;
    }
    count++;
    if (trace)
        fprintf(stderr, "virtccw: step %lu: %s\n", count, what);
    if (crash_at > 0 && count == (unsigned long)crash_at) {
        fflush(stderr);
        _exit(137);
    }
}

/* ---- directories and the lock ------------------------------------------ */

/* mkdir @path (one level) after checking that its parent resolves inside
 * the root; an existing directory is fine. */
static bool
mkdir_inside(const VccwHost *host, const char *path, GError **err)
{
    if (!vccw_host_check_inside(host, path, err))
        return false;
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        vccw_error_set_errno(err, errno, "cannot create directory '%s'", path);
        return false;
    }
    return true;
}

/* <root>/run, <root>/run/virtccw and, with @sub, <root>/run/virtccw/@sub */
static char *
run_dir(const VccwHost *host, const char *sub, GError **err)
{
    g_autofree char *dir = vccw_host_path(host, VCCW_HOST_DIR_RUN, sub, NULL, err);
    g_autofree char *parent = NULL;
    g_autofree char *grandparent = NULL;

    if (!dir)
        return NULL;
    parent = sub ? g_path_get_dirname(dir) : NULL;
    grandparent = g_path_get_dirname(sub ? parent : dir);
    if (!mkdir_inside(host, grandparent, err) ||
        (parent && !mkdir_inside(host, parent, err)) ||
        !mkdir_inside(host, dir, err))
        return NULL;
    return g_steal_pointer(&dir);
}

/* Only the lock holder writes journals: a temp file found by a new holder
 * was left by a writer that died between writing and renaming it (the
 * journal itself is still the previous, complete version). */
static void
remove_stale_temps(const VccwHost *host)
{
    g_autofree char *dir = run_dir(host, JOURNAL_SUBDIR, NULL);
    g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, JOURNAL_TMP_SUFFIX)) {
            g_autofree char *p = g_build_filename(dir, ent, NULL);
            if (vccw_host_check_inside(host, p, NULL))
                unlink(p);
        }
    }
}

struct _VccwHdLock {
    int fd;
};

VccwHdLock *
vccw_hd_lock_acquire(const VccwHost *host, unsigned int timeout_ms, GError **err)
{
    g_autofree char *dir = run_dir(host, NULL, err);
    g_autofree char *path = NULL;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    VccwHdLock *lock;
    int fd;

    if (!dir)
        return NULL;
    path = g_build_filename(dir, "hostdev.lock", NULL);
    if (!vccw_host_check_inside(host, path, err))
        return NULL;
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        vccw_error_set_errno(err, errno, "cannot open lock file '%s'", path);
        return NULL;
    }
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            vccw_error_set_errno(err, errno, "cannot lock '%s'", path);
            close(fd);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            vccw_error_set(err, VCCW_ERR_OPERATION_TIMEOUT,
                           "cannot acquire the host device lock '%s' within %u s: another virtccw is preparing or releasing host devices",
                           path, timeout_ms / 1000);
            close(fd);
            return NULL;
        }
        g_usleep(10 * 1000);
    }
    lock = g_new0(VccwHdLock, 1);
    lock->fd = fd;
    remove_stale_temps(host);
    return lock;
}

void
vccw_hd_lock_release(VccwHdLock *lock)
{
    if (!lock)
        return;
    flock(lock->fd, LOCK_UN);
    close(lock->fd);
    g_free(lock);
}

/* ---- objects ------------------------------------------------------------- */

VccwHdAction *
vccw_hd_action_new(VccwHdActKind kind, const char *subch)
{
    VccwHdAction *a = g_new0(VccwHdAction, 1);

    a->kind = kind;
    a->state = VCCW_HD_ACT_PENDING;
    a->subch = g_strdup(subch);
    return a;
}

void
vccw_hd_action_free(VccwHdAction *a)
{
    if (!a)
        return;
    g_free(a->subch);
    g_free(a->orig_driver);
    g_free(a->orig_override);
    g_free(a->mdev_type);
    g_free(a);
}

VccwHdClaim *
vccw_hd_claim_new(const char *uuid, bool managed)
{
    VccwHdClaim *c = g_new0(VccwHdClaim, 1);

    g_strlcpy(c->uuid, uuid, sizeof(c->uuid));
    c->managed = managed;
    c->actions = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_hd_action_free);
    return c;
}

void
vccw_hd_claim_free(VccwHdClaim *c)
{
    if (!c)
        return;
    g_ptr_array_unref(c->actions);
    g_free(c);
}

void
vccw_hd_journal_free(VccwHdJournal *j)
{
    if (!j)
        return;
    g_free(j->domain);
    g_free(j->path);
    g_ptr_array_unref(j->txn_uuids);
    g_ptr_array_unref(j->claims);
    if (j->claim_index)
        g_hash_table_unref(j->claim_index);
    g_free(j);
}

/* The index is a cache of @claims: rebuilt whenever its size says that
 * claims were added or removed behind its back. */
static GHashTable *
claim_index(const VccwHdJournal *j)
{
    VccwHdJournal *mj = (VccwHdJournal *)j;

    if (mj->claim_index && g_hash_table_size(mj->claim_index) == j->claims->len)
        return mj->claim_index;
    if (!mj->claim_index)
        mj->claim_index = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_remove_all(mj->claim_index);
    for (guint i = 0; i < j->claims->len; i++) {
        VccwHdClaim *c = g_ptr_array_index(j->claims, i);
        g_hash_table_insert(mj->claim_index, c->uuid, c);
    }
    return mj->claim_index;
}

VccwHdClaim *
vccw_hd_journal_find_claim(const VccwHdJournal *j, const char *uuid)
{
    char lower[VCCW_UUID_STRING_BUFLEN];
    size_t i;

    for (i = 0; uuid[i] && i + 1 < sizeof(lower); i++)
        lower[i] = g_ascii_tolower(uuid[i]);
    if (uuid[i])
        return NULL;   /* longer than any uuid */
    lower[i] = '\0';
    return g_hash_table_lookup(claim_index(j), lower);
}

void
vccw_hd_journal_add_claim(VccwHdJournal *j, VccwHdClaim *c)
{
    GHashTable *index = claim_index(j);

    g_ptr_array_add(j->claims, c);
    g_hash_table_insert(index, c->uuid, c);
}

/* Drop the claim at @i from @j->claims and the index. */
static void
remove_claim(VccwHdJournal *j, guint i)
{
    VccwHdClaim *c = g_ptr_array_index(j->claims, i);
    GHashTable *index = claim_index(j);

    g_hash_table_remove(index, c->uuid);
    g_ptr_array_remove_index(j->claims, i);
}

bool
vccw_hd_domain_name_ok(const char *name, GError **err)
{
    g_autofree char *file = name ? g_strconcat(name, JOURNAL_TMP_SUFFIX, NULL) : NULL;

    if (!name || !*name || !vccw_path_component_is_safe(name) ||
        !vccw_path_component_is_safe(file)) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "domain name '%s' cannot name a journal file (empty, '.', '..', '/' or too long)",
                       name ? name : "");
        return false;
    }
    return true;
}

/* ---- JSON form ----------------------------------------------------------- */

static void
jset_str(json_object *o, const char *key, const char *val)
{
    json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

static char *
journal_to_json(const VccwHdJournal *j)
{
    g_autoptr(json_object) root = json_object_new_object();
    json_object *claims = json_object_new_array();

    json_object_object_add(root, "version", json_object_new_int(JOURNAL_VERSION));
    jset_str(root, "domain", j->domain);
    if (j->txn != VCCW_HD_TXN_NONE) {
        json_object *txn = json_object_new_object();
        json_object *uuids = json_object_new_array();

        jset_str(txn, "kind", vccw_hd_txn_kind_to_string(j->txn));
        for (guint i = 0; i < j->txn_uuids->len; i++)
            json_object_array_add(uuids, json_object_new_string(g_ptr_array_index(j->txn_uuids, i)));
        json_object_object_add(txn, "uuids", uuids);
        json_object_object_add(root, "transaction", txn);
    } else {
        json_object_object_add(root, "transaction", NULL);
    }
    for (guint i = 0; i < j->claims->len; i++) {
        const VccwHdClaim *c = g_ptr_array_index(j->claims, i);
        json_object *co = json_object_new_object();
        json_object *acts = json_object_new_array();

        jset_str(co, "uuid", c->uuid);
        json_object_object_add(co, "managed", json_object_new_boolean(c->managed));
        for (guint k = 0; k < c->actions->len; k++) {
            const VccwHdAction *a = g_ptr_array_index(c->actions, k);
            json_object *ao = json_object_new_object();

            jset_str(ao, "kind", vccw_hd_act_kind_to_string(a->kind));
            jset_str(ao, "state", vccw_hd_act_state_to_string(a->state));
            jset_str(ao, "subchannel", a->subch);
            if (a->kind == VCCW_HD_ACT_BIND_SUBCH) {
                jset_str(ao, "orig_driver", a->orig_driver);
                jset_str(ao, "orig_override", a->orig_override);
            } else {
                jset_str(ao, "mdev_type", a->mdev_type);
            }
            json_object_array_add(acts, ao);
        }
        json_object_object_add(co, "actions", acts);
        json_object_array_add(claims, co);
    }
    json_object_object_add(root, "claims", claims);
    return g_strdup_printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                         JSON_C_TO_STRING_SPACED |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Optional string member: absent or null reads as NULL; anything but a
 * string is an error. */
static bool
jget_str(json_object *o, const char *key, bool required, const char **out)
{
    json_object *v = NULL;

    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return !required;
    if (!json_object_is_type(v, json_type_string))
        return false;
    *out = json_object_get_string(v);
    return true;
}

static bool
subch_id_ok(const char *s)
{
    VccwCcwId id;
    return s && vccw_ccw_id_parse(s, &id);
}

/* Driver and type names come from a file on disk: they name paths we
 * write to, so they must be plain names. */
static bool
name_ok(const char *s)
{
    return !s || vccw_path_component_is_safe(s);
}

static VccwHdAction *
action_from_json(json_object *ao)
{
    const char *kind, *state, *subch, *drv, *ovr, *type;
    VccwHdAction *a;
    int k, st;

    if (!json_object_is_type(ao, json_type_object) ||
        !jget_str(ao, "kind", true, &kind) || !jget_str(ao, "state", true, &state) ||
        !jget_str(ao, "subchannel", true, &subch) ||
        !jget_str(ao, "orig_driver", false, &drv) || !jget_str(ao, "orig_override", false, &ovr) ||
        !jget_str(ao, "mdev_type", false, &type))
        return NULL;
    if ((k = vccw_hd_act_kind_from_string(kind)) < 0 ||
        (st = vccw_hd_act_state_from_string(state)) < 0 || !subch_id_ok(subch) ||
        !name_ok(drv) || !name_ok(ovr) || !name_ok(type) ||
        (k == VCCW_HD_ACT_START_MDEV && !type))
        return NULL;
    a = vccw_hd_action_new(k, subch);
    a->state = st;
    a->orig_driver = g_strdup(drv);
    a->orig_override = g_strdup(ovr);
    a->mdev_type = g_strdup(type);
    return a;
}

static bool
journal_from_json(VccwHdJournal *j, const char *text, size_t len, GError **err)
{
    g_autoptr(json_object) root = NULL;
    json_object *txn = NULL, *claims = NULL, *v = NULL;
    json_tokener *tok = json_tokener_new();
    const char *dom;

    root = json_tokener_parse_ex(tok, text, (int)len);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
        g_clear_pointer(&root, json_object_put);
    for (size_t end = root ? json_tokener_get_parse_end(tok) : len; end < len; end++) {
        if (!g_ascii_isspace(text[end])) {
            g_clear_pointer(&root, json_object_put);   /* trailing junk */
            break;
        }
    }
    json_tokener_free(tok);
    if (!root || !json_object_is_type(root, json_type_object))
        goto bad;
    if (!json_object_object_get_ex(root, "version", &v) || json_object_get_int(v) != JOURNAL_VERSION)
        goto bad;
    if (!jget_str(root, "domain", true, &dom) || g_strcmp0(dom, j->domain) != 0)
        goto bad;
    if (json_object_object_get_ex(root, "transaction", &txn) && txn) {
        json_object *uuids = NULL;
        const char *kind;
        int k;

        if (!json_object_is_type(txn, json_type_object) || !jget_str(txn, "kind", true, &kind) ||
            (k = vccw_hd_txn_kind_from_string(kind)) <= VCCW_HD_TXN_NONE ||
            !json_object_object_get_ex(txn, "uuids", &uuids) ||
            !json_object_is_type(uuids, json_type_array))
            goto bad;
        j->txn = k;
        for (size_t i = 0; i < json_object_array_length(uuids); i++) {
            json_object *u = json_object_array_get_idx(uuids, i);
            if (!json_object_is_type(u, json_type_string) ||
                !vccw_uuid_is_canonical(json_object_get_string(u)))
                goto bad;
            g_ptr_array_add(j->txn_uuids, g_ascii_strdown(json_object_get_string(u), -1));
        }
    }
    if (!json_object_object_get_ex(root, "claims", &claims) ||
        !json_object_is_type(claims, json_type_array))
        goto bad;
    for (size_t i = 0; i < json_object_array_length(claims); i++) {
        json_object *co = json_object_array_get_idx(claims, i), *acts = NULL, *m = NULL;
        g_autofree char *lower = NULL;
        const char *uuid;
        VccwHdClaim *c;

        if (!json_object_is_type(co, json_type_object) || !jget_str(co, "uuid", true, &uuid) ||
            !vccw_uuid_is_canonical(uuid) ||
            !json_object_object_get_ex(co, "managed", &m) || !json_object_is_type(m, json_type_boolean) ||
            !json_object_object_get_ex(co, "actions", &acts) ||
            !json_object_is_type(acts, json_type_array))
            goto bad;
        lower = g_ascii_strdown(uuid, -1);
        if (vccw_hd_journal_find_claim(j, lower))
            goto bad;
        c = vccw_hd_claim_new(lower, json_object_get_boolean(m));
        vccw_hd_journal_add_claim(j, c);
        for (size_t k = 0; k < json_object_array_length(acts); k++) {
            VccwHdAction *a = action_from_json(json_object_array_get_idx(acts, k));
            if (!a)
                goto bad;
            g_ptr_array_add(c->actions, a);
        }
    }
    return true;

 bad:
    vccw_error_set(err, VCCW_ERR_INTERNAL,
                   "host device journal '%s' is corrupt: fix or remove it by hand after checking the host (virtccw nodedev-list)",
                   j->path);
    return false;
}

static char *
journal_path(const VccwHost *host, const char *domain, GError **err)
{
    g_autofree char *file = NULL;

    if (!vccw_hd_domain_name_ok(domain, err))
        return NULL;
    file = g_strconcat(domain, JOURNAL_SUFFIX, NULL);
    return vccw_host_path(host, VCCW_HOST_DIR_RUN, JOURNAL_SUBDIR, file, err);
}

VccwHdJournal *
vccw_hd_journal_load(const VccwHost *host, const char *domain, GError **err)
{
    g_autoptr(VccwHdJournal) j = g_new0(VccwHdJournal, 1);
    g_autofree char *dir = NULL;
    g_autofree char *text = NULL;
    struct stat st;
    ssize_t n;
    int fd;

    j->host = host;
    j->domain = g_strdup(domain);
    j->txn_uuids = g_ptr_array_new_with_free_func(g_free);
    j->claims = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_hd_claim_free);
    if (!(j->path = journal_path(host, domain, err)) || !(dir = run_dir(host, JOURNAL_SUBDIR, err)))
        return NULL;
    if (!vccw_host_check_inside(host, j->path, err))
        return NULL;
    if ((fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        if (errno == ENOENT)
            return g_steal_pointer(&j);
        vccw_error_set_errno(err, errno, "cannot open host device journal '%s'", j->path);
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > JOURNAL_MAX_SIZE) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "host device journal '%s' is not a regular file of at most %d bytes",
                       j->path, JOURNAL_MAX_SIZE);
        close(fd);
        return NULL;
    }
    text = g_malloc((size_t)st.st_size + 1);
    n = read(fd, text, (size_t)st.st_size);
    close(fd);
    if (n != st.st_size) {
        vccw_error_set_errno(err, n < 0 ? errno : EIO, "cannot read host device journal '%s'", j->path);
        return NULL;
    }
    text[n] = '\0';
    if (!journal_from_json(j, text, (size_t)n, err))
        return NULL;
    return g_steal_pointer(&j);
}

static bool
fsync_dir_of(const char *path, GError **err)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        vccw_error_set_errno(err, errno, "cannot open '%s'", dir);
        return false;
    }
    /* some filesystems (FUSE without fsyncdir) cannot: then the rename is
     * as durable as it gets there */
    if (fsync(fd) < 0 && errno != EINVAL && errno != ENOSYS && errno != EROFS) {
        vccw_error_set_errno(err, errno, "cannot sync '%s'", dir);
        close(fd);
        return false;
    }
    close(fd);
    return true;
}

static bool
write_durably(const VccwHost *host, const char *path, const char *data, GError **err)
{
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    size_t len = strlen(data), off = 0;
    int fd;

    if (!vccw_host_check_inside(host, tmp, err))
        return false;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        vccw_error_set_errno(err, errno, "cannot create '%s'", tmp);
        return false;
    }
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vccw_error_set_errno(err, n < 0 ? errno : EIO, "cannot write '%s'", tmp);
            close(fd);
            unlink(tmp);
            return false;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 && errno != EINVAL && errno != ENOSYS) {
        vccw_error_set_errno(err, errno, "cannot sync '%s'", tmp);
        close(fd);
        unlink(tmp);
        return false;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        vccw_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
        unlink(tmp);
        return false;
    }
    return fsync_dir_of(path, err);
}

bool
vccw_hd_journal_commit(VccwHdJournal *j, GError **err)
{
    if (!vccw_host_check_inside(j->host, j->path, err))
        return false;
    if (j->claims->len == 0 && j->txn == VCCW_HD_TXN_NONE) {
        if (unlink(j->path) < 0 && errno != ENOENT) {
            vccw_error_set_errno(err, errno, "cannot remove host device journal '%s'", j->path);
            return false;
        }
        if (!fsync_dir_of(j->path, err))
            return false;
    } else {
        g_autofree char *text = journal_to_json(j);
        if (!write_durably(j->host, j->path, text, err))
            return false;
    }
    vccw_hd_crash_point("journal");
    return true;
}

/* g_ptr_array_sort hands pointers to the elements */
static gint
cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
vccw_hd_journal_list(const VccwHost *host, GError **err)
{
    g_autofree char *dir = run_dir(host, JOURNAL_SUBDIR, err);
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) e = NULL;
    const char *ent;

    if (!dir)
        return NULL;
    if (!(d = g_dir_open(dir, 0, &e))) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "%s", e->message);
        return NULL;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, JOURNAL_SUFFIX) && strlen(ent) > strlen(JOURNAL_SUFFIX))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - strlen(JOURNAL_SUFFIX)));
    }
    g_ptr_array_sort(names, cmp_str_ptr);
    return g_steal_pointer(&names);
}

/* ---- host state and undo primitives --------------------------------------- */

bool
vccw_hd_subch_restore(const VccwHost *host, const char *subch, const char *orig_driver,
                      const char *orig_override, bool *changed, GError **err)
{
    /* the journal keeps the saved state; putting it back is the host
     * primitive's job (idempotent, so an interrupted undo is finished) */
    const VccwSubchState orig = { .driver = (char *)orig_driver,
                                  .override = (char *)orig_override };

    return vccw_subch_restore(host, subch, &orig, changed, err);
}

bool
vccw_hd_mdev_stop(VccwNodeDevDriver *drv, const char *uuid, const char *parent, bool *changed,
                  GError **err)
{
    unsigned char raw[VCCW_UUID_BUFLEN];
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autoptr(GError) e = NULL;

    *changed = false;
    if (!vccw_uuid_parse(uuid, raw)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "Invalid uuid '%s'", uuid);
        return false;
    }
    def = vccw_nodedev_lookup_mdev(drv, raw, parent, &e);
    if (!def || !def->active)
        return true;   /* already gone */
    if (!vccw_nodedev_destroy(drv, def->name, err))
        return false;
    *changed = true;
    return true;
}

/* ---- undo and recovery ------------------------------------------------------ */

static bool
undo_action(VccwHdJournal *j, VccwNodeDevDriver *drv, const VccwHdClaim *c,
            const VccwHdAction *a, GPtrArray *report, GError **err)
{
    bool changed = false;
    bool ok;

    switch (a->kind) {
    case VCCW_HD_ACT_BIND_SUBCH:
        ok = vccw_hd_subch_restore(j->host, a->subch, a->orig_driver, a->orig_override,
                                   &changed, err);
        if (ok && changed && report)
            g_ptr_array_add(report, g_strdup_printf("subchannel %s given back to %s", a->subch,
                                                    a->orig_driver ? a->orig_driver : "no driver"));
        break;
    case VCCW_HD_ACT_START_MDEV:
        ok = vccw_hd_mdev_stop(drv, c->uuid, a->subch, &changed, err);
        if (ok && changed && report)
            g_ptr_array_add(report, g_strdup_printf("mediated device %s stopped", c->uuid));
        break;
    default:
        g_assert_not_reached();
    }
    if (ok && changed)
        vccw_hd_crash_point("undo");
    return ok;
}

bool
vccw_hd_journal_undo(VccwHdJournal *j, VccwNodeDevDriver *drv, GPtrArray *uuids,
                     GPtrArray *report, GError **err)
{
    g_autoptr(GHashTable) wanted = NULL;
    bool dropped = false;   /* claims dropped since the last commit */

    if (uuids) {
        wanted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint i = 0; i < uuids->len; i++)
            g_hash_table_add(wanted, g_ascii_strdown(g_ptr_array_index(uuids, i), -1));
    }
    for (guint ci = j->claims->len; ci-- > 0;) {
        VccwHdClaim *c = g_ptr_array_index(j->claims, ci);

        if (wanted && !g_hash_table_contains(wanted, c->uuid))
            continue;
        for (guint ai = c->actions->len; ai-- > 0;) {
            VccwHdAction *a = g_ptr_array_index(c->actions, ai);

            if (a->state != VCCW_HD_ACT_UNDOING) {
                a->state = VCCW_HD_ACT_UNDOING;
                if (!vccw_hd_journal_commit(j, err))
                    return false;
                dropped = false;
            }
            if (!undo_action(j, drv, c, a, report, err))
                return false;
            g_ptr_array_remove_index(c->actions, ai);
            if (!vccw_hd_journal_commit(j, err))
                return false;
            dropped = false;
        }
        /* A claim without host changes left needs no commit of its own:
         * should the process die before the next commit, the journal
         * still lists it, without actions, in the same transaction, and
         * recovery drops it. One commit per claim made releasing N
         * managed='no' hostdevs quadratic (N rewrites of an O(N) file). */
        remove_claim(j, ci);
        dropped = true;
    }
    return !dropped || vccw_hd_journal_commit(j, err);
}

bool
vccw_hd_journal_recover(VccwHdJournal *j, VccwNodeDevDriver *drv, GPtrArray *report,
                        bool *recovered, GError **err)
{
    *recovered = false;
    if (j->txn == VCCW_HD_TXN_NONE)
        return true;
    if (report)
        g_ptr_array_add(report, g_strdup_printf("domain %s: %s interrupted, %s", j->domain,
                                                j->txn == VCCW_HD_TXN_PREPARE ? "prepare" : "release",
                                                j->txn == VCCW_HD_TXN_PREPARE ? "rolling back"
                                                                              : "finishing"));
    if (!vccw_hd_journal_undo(j, drv, j->txn_uuids, report, err))
        return false;
    j->txn = VCCW_HD_TXN_NONE;
    g_ptr_array_set_size(j->txn_uuids, 0);
    if (!vccw_hd_journal_commit(j, err))
        return false;
    *recovered = true;
    return true;
}
