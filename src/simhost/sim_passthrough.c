/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: passthrough inode table (see sim_passthrough.h). */
#include "sim_passthrough.h"

#include "sim_tree.h"

#include <string.h>

typedef struct {
    uint64_t ino;
    char *path;
    uint64_t nlookup;
    bool pinned;
} PtNode;

struct _SimPt {
    GHashTable *by_ino;   /* uint64 ino -> PtNode* (owns) */
    GHashTable *by_path;  /* path -> PtNode* */
    uint64_t next_id;
};

static void
pt_node_free(gpointer p)
{
    PtNode *n = p;

    g_free(n->path);
    g_free(n);
}

SimPt *
sim_pt_new(void)
{
    SimPt *pt = g_new0(SimPt, 1);

    pt->by_ino = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, pt_node_free);
    pt->by_path = g_hash_table_new(g_str_hash, g_str_equal);
    pt->next_id = 1;
    return pt;
}

void
sim_pt_free(SimPt *pt)
{
    if (!pt)
        return;
    g_hash_table_destroy(pt->by_path);
    g_hash_table_destroy(pt->by_ino);
    g_free(pt);
}

bool
sim_pt_is_pt_ino(uint64_t ino)
{
    return (ino >> 56) == SIM_K_PASSTHROUGH;
}

uint64_t
sim_pt_ref(SimPt *pt, const char *relpath)
{
    PtNode *n = g_hash_table_lookup(pt->by_path, relpath);

    if (!n) {
        n = g_new0(PtNode, 1);
        n->ino = ((uint64_t)SIM_K_PASSTHROUGH << 56) | pt->next_id++;
        n->path = g_strdup(relpath);
        g_hash_table_insert(pt->by_ino, &n->ino, n);
        g_hash_table_insert(pt->by_path, n->path, n);
    }
    n->nlookup++;
    return n->ino;
}

uint64_t
sim_pt_pin(SimPt *pt, const char *relpath)
{
    uint64_t ino = sim_pt_ref(pt, relpath);
    PtNode *n = g_hash_table_lookup(pt->by_ino, &ino);

    n->pinned = true;
    return ino;
}

void
sim_pt_forget(SimPt *pt, uint64_t ino, uint64_t nlookup)
{
    PtNode *n = g_hash_table_lookup(pt->by_ino, &ino);

    if (!n)
        return;
    n->nlookup = nlookup >= n->nlookup ? 0 : n->nlookup - nlookup;
    if (n->nlookup == 0 && !n->pinned) {
        if (g_hash_table_lookup(pt->by_path, n->path) == n)
            g_hash_table_remove(pt->by_path, n->path);
        g_hash_table_remove(pt->by_ino, &ino);
    }
}

const char *
sim_pt_path(SimPt *pt, uint64_t ino)
{
    PtNode *n = g_hash_table_lookup(pt->by_ino, &ino);

    return n ? n->path : NULL;
}

void
sim_pt_renamed(SimPt *pt, const char *from, const char *to)
{
    g_autoptr(GPtrArray) moved = g_ptr_array_new();
    size_t fl = strlen(from);
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, pt->by_ino);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        PtNode *n = v;

        if (strncmp(n->path, from, fl) == 0 && (n->path[fl] == '\0' || n->path[fl] == '/'))
            g_ptr_array_add(moved, n);
    }
    /* a node already at the destination was replaced by the rename */
    for (guint i = 0; i < moved->len; i++)
        g_hash_table_remove(pt->by_path, ((PtNode *)moved->pdata[i])->path);
    for (guint i = 0; i < moved->len; i++) {
        PtNode *n = moved->pdata[i];
        char *np = g_strconcat(to, n->path + fl, NULL);
        PtNode *old = g_hash_table_lookup(pt->by_path, np);

        if (old)
            g_hash_table_remove(pt->by_path, old->path);  /* stays reachable by ino */
        g_free(n->path);
        n->path = np;
        g_hash_table_insert(pt->by_path, n->path, n);
    }
}

unsigned
sim_pt_count(const SimPt *pt)
{
    return g_hash_table_size(pt->by_ino);
}

void
sim_pt_unlinked(SimPt *pt, const char *path)
{
    g_hash_table_remove(pt->by_path, path);
}
