/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the crash-safe journal of host changes made for a domain's
 * vfio-ccw host devices.
 *
 * One file per domain, <root>/run/virtccw/hostdev/<domain>.json, holds
 *  - the domain's claims: the mdevs it holds (no other domain may prepare
 *    them while the file lists them), and for each claim
 *  - the host changes made for it, in order (bind a subchannel to
 *    vfio_ccw, start a defined mdev), each with what is needed to undo it;
 *  - the transaction under way, if any: a prepare (to be rolled back when
 *    it was interrupted) or a release (to be finished).
 *
 * Protocol: every host change is recorded as PENDING and made durable
 * (a record appended to the file and synced; or the whole file rewritten:
 * temp file, fsync, rename, fsync of the directory) BEFORE the change,
 * and marked DONE after it; an undo is recorded as UNDOING before
 * and the action dropped after. Every undo is idempotent against the
 * host's actual state (a subchannel already back where it was, an mdev
 * already gone: nothing is written), so an interrupted undo is finished,
 * never repeated. Recovery (vccw_hd_journal_recover) undoes, in reverse
 * order, everything of the interrupted transaction: the host ends exactly
 * as before an interrupted prepare, or exactly as after an interrupted
 * release (which is the same thing).
 *
 * All of it runs under one host-wide lock (flock on
 * <root>/run/virtccw/hostdev.lock), so journals are never written
 * concurrently and a journal with a transaction seen under the lock
 * belongs to a process that died.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_driver.h"
#include "vccw_host.h"
#include "vccw_uuid.h"

/* ---- the host-wide lock ----------------------------------------------- */

typedef struct _VccwHdLock VccwHdLock;

#define VCCW_HD_LOCK_TIMEOUT_MS 60000

/* Take the lock, waiting at most @timeout_ms ("Timed out during
 * operation: ..." after that). Creates <root>/run/virtccw/ as needed. */
VccwHdLock *vccw_hd_lock_acquire(const VccwHost *host, unsigned int timeout_ms,
                                 GError **err);
void vccw_hd_lock_release(VccwHdLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwHdLock, vccw_hd_lock_release)

/* ---- the journal ------------------------------------------------------ */

typedef enum {
    VCCW_HD_ACT_BIND_SUBCH,   /* bound a subchannel to vfio_ccw */
    VCCW_HD_ACT_START_MDEV,   /* started a defined (mdevctl) mdev */
    VCCW_HD_ACT_LAST
} VccwHdActKind;

typedef enum {
    VCCW_HD_ACT_PENDING,      /* recorded; the change may or may not have happened */
    VCCW_HD_ACT_DONE,         /* the change happened */
    VCCW_HD_ACT_UNDOING,      /* undo recorded; it may or may not have happened */
    VCCW_HD_ACT_STATE_LAST
} VccwHdActState;

typedef struct {
    VccwHdActKind kind;
    VccwHdActState state;
    char *subch;              /* "0.0.0313": the subchannel bound, or the mdev's parent */
    char *orig_driver;        /* bind: driver before (NULL: none) */
    char *orig_override;      /* bind: driver_override before (NULL: unset) */
    char *mdev_type;          /* start: "vfio_ccw-io" */
} VccwHdAction;

typedef struct {
    char uuid[VCCW_UUID_STRING_BUFLEN];   /* canonical, lower case */
    bool managed;
    GPtrArray *actions;       /* of VccwHdAction*, in the order done */
} VccwHdClaim;

typedef enum {
    VCCW_HD_TXN_NONE,
    VCCW_HD_TXN_PREPARE,
    VCCW_HD_TXN_RELEASE,
    VCCW_HD_TXN_LAST
} VccwHdTxnKind;

typedef struct {
    const VccwHost *host;     /* borrowed */
    char *domain;
    char *path;               /* <root>/run/virtccw/hostdev/<domain>.json */
    VccwHdTxnKind txn;
    GPtrArray *txn_uuids;     /* char*: the claims the transaction covers */
    GPtrArray *claims;        /* of VccwHdClaim*, in the order prepared */
    GHashTable *claim_index;  /* private: lower-case uuid -> claim of @claims */
    /* private: the file as this process last wrote or read it (see
     * "The file" in hostdev_journal.c) */
    bool on_disk;             /* the file exists and holds the state above */
    bool must_compact;        /* the next durable step rewrites the file */
    bool has_fd;              /* @fd is open on the file for appending records */
    int fd;
    gint64 snap_len;          /* bytes of the snapshot at the file's start */
    gint64 file_len;          /* bytes of snapshot + whole records */
    gint64 disk_len;          /* bytes on disk (more after a torn record) */
} VccwHdJournal;

void vccw_hd_journal_free(VccwHdJournal *j);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwHdJournal, vccw_hd_journal_free)

/* Is @name usable as a domain name for a journal file? */
bool vccw_hd_domain_name_ok(const char *name, GError **err);

/* The journal of @domain; an empty one (no claims) when there is no file.
 * A file that cannot be parsed is an error, never silently dropped. */
VccwHdJournal *vccw_hd_journal_load(const VccwHost *host, const char *domain,
                                    GError **err);

/* Make the journal's current content durable by rewriting the whole file
 * (temp + fsync + rename + fsync of the directory: a compaction), or
 * remove the file when there is nothing left (no claims, no
 * transaction). For a transaction's start and end, and for changes made
 * to the fields directly; single steps append a record instead
 * (vccw_hd_journal_add_action, _set_state). A crash point follows. */
bool vccw_hd_journal_commit(VccwHdJournal *j, GError **err);

/* Append @a (owned; normally PENDING) to the actions of @c, a claim of
 * @j, and make that durable before the host change it announces: one
 * record appended to the file and synced, or a compaction when the
 * records would outgrow the snapshot. A crash point follows. */
bool vccw_hd_journal_add_action(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a,
                                GError **err);

/* Set the state of @a, an action of @c, durably in the same way. */
bool vccw_hd_journal_set_state(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a,
                               VccwHdActState state, GError **err);

/* The names of the domains that have a journal, sorted. */
GPtrArray *vccw_hd_journal_list(const VccwHost *host, GError **err);

/* The claim of @uuid (any case), or NULL: a hash lookup, so that a
 * domain with tens of thousands of hostdevs stays linear. */
VccwHdClaim *vccw_hd_journal_find_claim(const VccwHdJournal *j, const char *uuid);
/* Append @c (owned) to @j->claims and to the lookup index. Claims added
 * to @j->claims directly are found too (the index is rebuilt when its
 * size differs), at the cost of a rebuild. */
void vccw_hd_journal_add_claim(VccwHdJournal *j, VccwHdClaim *c);
VccwHdClaim *vccw_hd_claim_new(const char *uuid, bool managed);
VccwHdAction *vccw_hd_action_new(VccwHdActKind kind, const char *subch);
void vccw_hd_claim_free(VccwHdClaim *c);
void vccw_hd_action_free(VccwHdAction *a);

/* Undo, in reverse order, every action of the claims whose uuid is in
 * @uuids (NULL: all claims), and drop those claims; every step is
 * journaled and committed. Stops at the first undo that fails (the
 * journal then still describes what is left). @report (may be NULL)
 * receives one line per host change undone. */
bool vccw_hd_journal_undo(VccwHdJournal *j, VccwNodeDevDriver *drv,
                          GPtrArray *uuids, GPtrArray *report, GError **err);

/* Finish the interrupted transaction, if any: undo its claims (a prepare
 * is rolled back, a release completed) and clear it. *@recovered tells
 * whether there was one. */
bool vccw_hd_journal_recover(VccwHdJournal *j, VccwNodeDevDriver *drv,
                             GPtrArray *report, bool *recovered, GError **err);

/* ---- host changes the journal knows how to undo ------------------------ */

/* Put subchannel @subch back to driver @orig_driver (NULL: unbound) and
 * driver_override @orig_override (NULL: unset): vccw_subch_restore(),
 * which writes only what differs from the present state and refuses while
 * mdevs live on the subchannel. */
bool vccw_hd_subch_restore(const VccwHost *host, const char *subch,
                           const char *orig_driver, const char *orig_override,
                           bool *changed, GError **err);

/* ---- fault injection ---------------------------------------------------- */

/* Called right after every journal commit and every host change. With
 * VIRTCCW_TEST_CRASH_AFTER_STEP=N in the environment, the N-th call ends
 * the process at once with _exit(137), as kill -9 would; without it,
 * nothing happens. VIRTCCW_TEST_TRACE_STEPS=1 prints each step to stderr. */
void vccw_hd_crash_point(const char *what);
