/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: where virtccwd learns that devices changed behind its back,
 * besides kernel uevents on netlink (rpc_server.c):
 *
 *  - VccwRpcLogTail follows an append-only log that may be trimmed at
 *    its head, like a simulated host's DIR/.simhost/events (the newest
 *    10,000 to 20,000 lines; src/simhost/README.md). Each read fetches only
 *    what follows the last line seen (one pread), and checks that this
 *    last line is still where it was; when it is not (the log was trimmed
 *    or cleared), it says that lines may have been lost. When PATH-base
 *    exists (DIR/.simhost/events-base), it holds the absolute offset of
 *    the log's first byte: the tail then follows a trimmed log by its
 *    offsets, and only lines dropped before they were read are lost.
 *  - VccwRpcDirWatch watches a directory and its subdirectories (one
 *    level) with inotify: the mdevctl store, /etc/mdevctl.d/<parent>/<uuid>,
 *    where definitions change without any uevent. A directory that does
 *    not exist yet is waited for in its parent.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _VccwRpcLogTail VccwRpcLogTail;

/* Start at the current end of @path (what is there is history). */
VccwRpcLogTail *vccw_rpc_log_tail_new(const char *path, GError **err);
void vccw_rpc_log_tail_free(VccwRpcLogTail *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwRpcLogTail, vccw_rpc_log_tail_free)
/* The complete lines (char*, without the newline) added since the last
 * read. *@lost is set when lines may have been missed; the tail then
 * starts again at the current end. NULL (and @err) when the file cannot
 * be read. */
GPtrArray *vccw_rpc_log_tail_read(VccwRpcLogTail *t, bool *lost, GError **err);

typedef struct _VccwRpcDirWatch VccwRpcDirWatch;

/* Subdirectories named in @skip (NULL-terminated, may be NULL) are not
 * watched (mdevctl's scripts.d). */
VccwRpcDirWatch *vccw_rpc_dir_watch_new(const char *dir, const char *const *skip,
                                        GError **err);
void vccw_rpc_dir_watch_free(VccwRpcDirWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwRpcDirWatch, vccw_rpc_dir_watch_free)
/* The inotify descriptor (non-blocking), to poll for input. */
int vccw_rpc_dir_watch_fd(const VccwRpcDirWatch *w);
/* Consume what is queued; true when anything under the directory (or the
 * directory itself) changed, or events were lost. @files (may be NULL,
 * free func g_free) gets the name of each file that changed in a watched
 * subdirectory, and NULL for a change no file name tells (a subdirectory,
 * the directory itself, lost events). */
bool vccw_rpc_dir_watch_read(VccwRpcDirWatch *w, GPtrArray *files);
