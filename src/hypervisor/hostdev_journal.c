/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the crash-safe journal of a domain's host-device changes.
 * See hostdev_journal.h for the protocol.
 *
 * The file: a snapshot, the JSON document of version 1 (as it always was:
 * journals written by earlier versions are snapshots without records),
 * then, one per line, records of the single steps taken since:
 *
 *   {"op": "add", "uuid": U, "action": {...}}      an action appended to claim U
 *   {"op": "state", "uuid": U, "index": I, "state": S}
 *   {"op": "remove", "uuid": U, "index": I}
 *
 * A step appends its record and syncs the file (fdatasync), so each step
 * costs the size of its record, not of the whole journal: rewriting the
 * file twice per host change made preparing or releasing N managed
 * hostdevs write O(N^2) bytes. The reader replays the records over the
 * snapshot. A last line without its newline is a record whose write was
 * cut short: never synced, so the change it announced was never made; it
 * is ignored (and cut off before the next append). Any other line that is
 * not a valid record makes the journal corrupt.
 *
 * The file is rewritten whole (compacted: temp file, fsync, rename) at a
 * transaction's start and end (vccw_hd_journal_commit), and before an
 * append that would make the records longer than the snapshot (or than
 * JOURNAL_COMPACT_MIN): the records never exceed the live state by more
 * than a constant factor, each byte rewritten is paid for by a byte
 * appended before, and the file stays within twice the snapshot. Claims
 * dropped by an undo are not recorded: until the next compaction the
 * file still lists them, without actions, in the same transaction, and
 * recovery drops them (see vccw_hd_journal_undo). Records refer to claims
 * by uuid and to actions by position, and only claims of the snapshot
 * have records, so replaying is one hash lookup per record. */
#include "hostdev_journal.h"
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
/* a claim takes 100-400 bytes: room for 4 subchannel sets of 65,536
 * (snapshot and records together: compaction keeps the records within
 * the snapshot's size) */
#define JOURNAL_MAX_SIZE (256 * 1024 * 1024)
/* below this, records are appended whatever the snapshot's size: a
 * small journal is not rewritten at every other step */
#define JOURNAL_COMPACT_MIN (64 * 1024)

VCCW_ENUM_DECL(vccw_hd_act_kind);
VCCW_ENUM_IMPL(vccw_hd_act_kind, VCCW_HD_ACT_LAST, "bind-subchannel", "start-mdev")
VCCW_ENUM_DECL(vccw_hd_act_state);
VCCW_ENUM_IMPL(vccw_hd_act_state, VCCW_HD_ACT_STATE_LAST, "pending", "done", "undoing")
VCCW_ENUM_DECL(vccw_hd_txn_kind);
VCCW_ENUM_IMPL(vccw_hd_txn_kind, VCCW_HD_TXN_LAST, "none", "prepare", "release")

/* the records appended after the snapshot */
typedef enum {
    REC_ADD,
    REC_STATE,
    REC_REMOVE,
    REC_LAST
} RecOp;
VCCW_ENUM_DECL(vccw_hd_rec_op);
VCCW_ENUM_IMPL(vccw_hd_rec_op, REC_LAST, "add", "state", "remove")

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
    if (j->has_fd)
        close(j->fd);
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
    /* records name claims of the file's snapshot only: a new claim gets
     * there with the next step, which therefore rewrites the file */
    j->must_compact = true;
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

/* One action as the snapshot and the "add" record write it. */
static json_object *
action_to_json(const VccwHdAction *a)
{
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
    return ao;
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
        for (guint k = 0; k < c->actions->len; k++)
            json_object_array_add(acts, action_to_json(g_ptr_array_index(c->actions, k)));
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

/* The claim a record names ("uuid"), or NULL. */
static VccwHdClaim *
record_claim(const VccwHdJournal *j, json_object *rec)
{
    const char *uuid;

    if (!jget_str(rec, "uuid", true, &uuid) || !vccw_uuid_is_canonical(uuid))
        return NULL;
    return vccw_hd_journal_find_claim(j, uuid);
}

/* The action a record names ("index" into @c's actions), or -1. */
static gint64
record_index(const VccwHdClaim *c, json_object *rec)
{
    json_object *v = NULL;
    gint64 i;

    if (!json_object_object_get_ex(rec, "index", &v) || !json_object_is_type(v, json_type_int))
        return -1;
    i = json_object_get_int64(v);
    return i >= 0 && i < c->actions->len ? i : -1;
}

/* Apply one record line (@len bytes, no newline) to @j. */
static bool
record_apply(VccwHdJournal *j, const char *line, size_t len)
{
    g_autoptr(json_object) rec = NULL;
    json_tokener *tok = json_tokener_new();
    json_object *ao = NULL;
    const char *op, *state;
    VccwHdClaim *c;
    VccwHdAction *a;
    size_t end;
    gint64 i;
    int st;

    rec = json_tokener_parse_ex(tok, line, (int)len);
    end = rec && json_tokener_get_error(tok) == json_tokener_success
        ? json_tokener_get_parse_end(tok) : 0;
    json_tokener_free(tok);
    if (!rec || !json_object_is_type(rec, json_type_object))
        return false;
    for (; end < len; end++) {
        if (!g_ascii_isspace(line[end]))
            return false;   /* two records on one line, or junk */
    }
    if (!jget_str(rec, "op", true, &op) || !(c = record_claim(j, rec)))
        return false;
    switch (vccw_hd_rec_op_from_string(op)) {
    case REC_ADD:
        if (!json_object_object_get_ex(rec, "action", &ao) || !(a = action_from_json(ao)))
            return false;
        g_ptr_array_add(c->actions, a);
        return true;
    case REC_STATE:
        if ((i = record_index(c, rec)) < 0 || !jget_str(rec, "state", true, &state) ||
            (st = vccw_hd_act_state_from_string(state)) < 0)
            return false;
        ((VccwHdAction *)g_ptr_array_index(c->actions, i))->state = st;
        return true;
    case REC_REMOVE:
        if ((i = record_index(c, rec)) < 0)
            return false;
        g_ptr_array_remove_index(c->actions, (guint)i);
        return true;
    default:
        return false;
    }
}

/* Replay the records in @text[@start, @len) (@start: just after the
 * snapshot). Sets how much of the file is good (a torn last record is
 * not) and whether records may be appended to it as it is. */
static bool
records_replay(VccwHdJournal *j, const char *text, size_t start, size_t len)
{
    size_t pos = start;

    j->snap_len = (gint64)start;
    if (start < len && text[start] == '\n') {
        j->snap_len = (gint64)++pos;
        while (pos < len) {
            const char *nl = memchr(text + pos, '\n', len - pos);
            size_t k;

            if (!nl)
                break;   /* torn: cut short before its newline, never synced */
            for (k = pos; text + k < nl && g_ascii_isspace(text[k]); k++)
                ;
            if (text + k < nl && !record_apply(j, text + pos, (size_t)(nl - text) - pos))
                return false;
            pos = (size_t)(nl - text) + 1;
        }
    } else {
        /* a snapshot without its newline (written by hand, or by an older
         * version): white space only may follow, and the next step
         * rewrites the file rather than append to it */
        for (; pos < len; pos++) {
            if (!g_ascii_isspace(text[pos]))
                return false;   /* trailing junk */
        }
        j->must_compact = true;
    }
    j->file_len = (gint64)pos;
    j->disk_len = (gint64)len;
    return true;
}

static bool
journal_from_json(VccwHdJournal *j, const char *text, size_t len, GError **err)
{
    g_autoptr(json_object) root = NULL;
    json_object *txn = NULL, *claims = NULL, *v = NULL;
    json_tokener *tok = json_tokener_new();
    const char *dom;
    size_t end = len;

    root = json_tokener_parse_ex(tok, text, (int)len);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
        g_clear_pointer(&root, json_object_put);
    else
        end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    /* json-c also takes the white space after the document: the records
     * start on the line after its closing brace */
    while (root && end > 0 && g_ascii_isspace(text[end - 1]))
        end--;
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
    if (!records_replay(j, text, end, len))
        goto bad;
    j->on_disk = true;
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

static void
close_append_fd(VccwHdJournal *j)
{
    if (j->has_fd)
        close(j->fd);
    j->has_fd = false;
}

bool
vccw_hd_journal_commit(VccwHdJournal *j, GError **err)
{
    /* the rename replaces the file: records go to the new one */
    close_append_fd(j);
    /* until this succeeds, the file may lag behind memory: no record may
     * be appended to it */
    j->must_compact = true;
    if (!vccw_host_check_inside(j->host, j->path, err))
        return false;
    if (j->claims->len == 0 && j->txn == VCCW_HD_TXN_NONE) {
        if (unlink(j->path) < 0 && errno != ENOENT) {
            vccw_error_set_errno(err, errno, "cannot remove host device journal '%s'", j->path);
            return false;
        }
        if (!fsync_dir_of(j->path, err))
            return false;
        j->on_disk = false;
        j->snap_len = j->file_len = j->disk_len = 0;
    } else {
        g_autofree char *text = journal_to_json(j);
        if (!write_durably(j->host, j->path, text, err))
            return false;
        j->on_disk = true;
        j->snap_len = j->file_len = j->disk_len = (gint64)strlen(text);
    }
    j->must_compact = false;
    vccw_hd_crash_point("journal");
    return true;
}

/* Write all of @data at @off. */
static bool
pwrite_all(int fd, const char *data, size_t len, off_t off)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = pwrite(fd, data + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

/* Make one step durable: @rec (taken) appended as a line and synced, or
 * the whole file rewritten when that is due (no file, a file not in our
 * form, a failed append, or records about to outgrow the snapshot). The
 * step is already applied to @j. */
static bool
journal_record(VccwHdJournal *j, json_object *rec, GError **err)
{
    g_autoptr(json_object) owned = rec;
    g_autofree char *line = NULL;
    size_t len;

    line = g_strdup_printf("%s\n", json_object_to_json_string_ext(owned, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    len = strlen(line);
    if (!j->on_disk || j->must_compact ||
        j->file_len - j->snap_len + (gint64)len > MAX(j->snap_len, JOURNAL_COMPACT_MIN) ||
        j->file_len + (gint64)len > JOURNAL_MAX_SIZE)
        return vccw_hd_journal_commit(j, err);
    if (!vccw_host_check_inside(j->host, j->path, err))
        return false;
    if (!j->has_fd) {
        int fd = open(j->path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0) {
            vccw_error_set_errno(err, errno, "cannot open host device journal '%s'", j->path);
            j->must_compact = true;
            return false;
        }
        j->fd = fd;
        j->has_fd = true;
    }
    /* a torn record at the end (a write cut short by a crash) goes first:
     * the new record must start a line of its own */
    if (j->disk_len != j->file_len) {
        if (ftruncate(j->fd, j->file_len) < 0) {
            vccw_error_set_errno(err, errno, "cannot truncate host device journal '%s'", j->path);
            j->must_compact = true;
            return false;
        }
        j->disk_len = j->file_len;
    }
    if (!pwrite_all(j->fd, line, len, (off_t)j->file_len) ||
        (fdatasync(j->fd) < 0 && errno != EINVAL && errno != ENOSYS)) {
        vccw_error_set_errno(err, errno, "cannot append to host device journal '%s'", j->path);
        /* what reached the file is unknown: rewrite it whole next time */
        j->must_compact = true;
        return false;
    }
    j->file_len += (gint64)len;
    j->disk_len = j->file_len;
    vccw_hd_crash_point("journal");
    return true;
}

/* A record naming claim @c; op "add"/"state"/"remove". */
static json_object *
record_new(RecOp op, const VccwHdClaim *c)
{
    json_object *rec = json_object_new_object();

    jset_str(rec, "op", vccw_hd_rec_op_to_string(op));
    jset_str(rec, "uuid", c->uuid);
    return rec;
}

static gint64
action_index(const VccwHdClaim *c, const VccwHdAction *a)
{
    /* the action of a step is nearly always the last one */
    for (guint i = c->actions->len; i-- > 0;) {
        if (g_ptr_array_index(c->actions, i) == a)
            return i;
    }
    return -1;
}

bool
vccw_hd_journal_add_action(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a, GError **err)
{
    json_object *rec = record_new(REC_ADD, c);

    g_ptr_array_add(c->actions, a);
    json_object_object_add(rec, "action", action_to_json(a));
    return journal_record(j, rec, err);
}

bool
vccw_hd_journal_set_state(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a,
                          VccwHdActState state, GError **err)
{
    gint64 i = action_index(c, a);
    json_object *rec;

    g_return_val_if_fail(i >= 0, false);
    a->state = state;
    rec = record_new(REC_STATE, c);
    json_object_object_add(rec, "index", json_object_new_int64(i));
    jset_str(rec, "state", vccw_hd_act_state_to_string(state));
    return journal_record(j, rec, err);
}

/* Drop action @i of @c (its undo is done), durably. */
static bool
journal_remove_action(VccwHdJournal *j, VccwHdClaim *c, guint i, GError **err)
{
    json_object *rec = record_new(REC_REMOVE, c);

    g_ptr_array_remove_index(c->actions, i);
    json_object_object_add(rec, "index", json_object_new_int64(i));
    return journal_record(j, rec, err);
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

/* ---- undo and recovery ------------------------------------------------------ */

static bool
undo_action(VccwHdJournal *j, VccwNodeDevDriver *drv, const VccwHdClaim *c,
            const VccwHdAction *a, GPtrArray *report, GError **err)
{
    unsigned char raw[VCCW_UUID_BUFLEN];
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
        if (!vccw_uuid_parse(c->uuid, raw)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL, "Invalid uuid '%s'", c->uuid);
            return false;
        }
        ok = vccw_nodedev_stop_mdev(drv, raw, a->subch, &changed, err);
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
    bool dropped = false;   /* claims dropped (never recorded on their own) */

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

            if (a->state != VCCW_HD_ACT_UNDOING &&
                !vccw_hd_journal_set_state(j, c, a, VCCW_HD_ACT_UNDOING, err))
                return false;
            if (!undo_action(j, drv, c, a, report, err))
                return false;
            if (!journal_remove_action(j, c, ai, err))
                return false;
        }
        /* A claim without host changes left needs no record of its own:
         * should the process die before the compaction below, the
         * journal still lists it, without actions, in the same
         * transaction, and recovery drops it. One commit per claim made
         * releasing N managed='no' hostdevs quadratic (N rewrites of an
         * O(N) file). */
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
