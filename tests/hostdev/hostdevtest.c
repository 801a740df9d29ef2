/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostdevtest: the host-device journal and the domain readers, on a
 * scratch directory as host root (nothing here needs sysfs behaviour:
 * that is hostdev_test.py's job, on the simulated host).
 *
 *   hostdevtest
 *
 * TAP: one line per check (tests/testutils.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostdev_journal.h"
#include "hostdev_prepare.h"
#include "testutils.h"
#include "vccw_error.h"

static char *
journal_file(const char *root, const char *dom)
{
    return g_strdup_printf("%s/run/virtccw/hostdev/%s.json", root, dom);
}

static void
test_roundtrip(const VccwHost *host, const char *root)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "dom1", &err);
    g_autoptr(VccwHdJournal) k = NULL;
    g_autofree char *path = journal_file(root, "dom1");
    VccwHdClaim *c;
    VccwHdAction *a;

    vccw_test_check_detail(j && j->claims->len == 0 && j->txn == VCCW_HD_TXN_NONE,
                           err ? err->message : NULL, "no file: an empty journal");
    if (!j)
        return;
    j->txn = VCCW_HD_TXN_PREPARE;
    g_ptr_array_add(j->txn_uuids, g_strdup("90c6c135-ad44-41d0-b1b7-bae47de48627"));
    c = vccw_hd_claim_new("90c6c135-ad44-41d0-b1b7-bae47de48627", true);
    a = vccw_hd_action_new(VCCW_HD_ACT_BIND_SUBCH, "0.0.0313");
    a->orig_driver = g_strdup("io_subchannel");
    a->state = VCCW_HD_ACT_DONE;
    g_ptr_array_add(c->actions, a);
    a = vccw_hd_action_new(VCCW_HD_ACT_START_MDEV, "0.0.0313");
    a->mdev_type = g_strdup("vfio_ccw-io");
    g_ptr_array_add(c->actions, a);
    g_ptr_array_add(j->claims, c);
    g_ptr_array_add(j->claims, vccw_hd_claim_new("00000000-0000-0000-0000-000000000001", false));
    vccw_test_check_detail(vccw_hd_journal_commit(j, &err) &&
                           g_file_test(path, G_FILE_TEST_IS_REGULAR), err ? err->message : NULL,
                           "commit writes the file");
    g_clear_error(&err);
    k = vccw_hd_journal_load(host, "dom1", &err);
    vccw_test_check_detail(k && k->txn == VCCW_HD_TXN_PREPARE && k->txn_uuids->len == 1 &&
                           k->claims->len == 2, err ? err->message : NULL,
                           "load: transaction and claims back");
    if (k && k->claims->len == 2) {
        const VccwHdClaim *kc = g_ptr_array_index(k->claims, 0);
        const VccwHdAction *b0 = kc->actions->len == 2 ? g_ptr_array_index(kc->actions, 0) : NULL;
        const VccwHdAction *b1 = kc->actions->len == 2 ? g_ptr_array_index(kc->actions, 1) : NULL;

        vccw_test_check_detail(kc->managed && b0 && b1 && b0->kind == VCCW_HD_ACT_BIND_SUBCH &&
                               b0->state == VCCW_HD_ACT_DONE &&
                               g_strcmp0(b0->orig_driver, "io_subchannel") == 0 &&
                               !b0->orig_override && b1->kind == VCCW_HD_ACT_START_MDEV &&
                               b1->state == VCCW_HD_ACT_PENDING &&
                               g_strcmp0(b1->mdev_type, "vfio_ccw-io") == 0 &&
                               g_str_equal(b1->subch, "0.0.0313"), NULL,
                               "load: actions back, in order, with their undo data");
        vccw_test_check_detail(vccw_hd_journal_find_claim(k, "90C6C135-AD44-41D0-B1B7-BAE47DE48627") != NULL,
                               NULL, "claims are found whatever the case of the uuid");
    }
    g_ptr_array_set_size(j->claims, 0);
    j->txn = VCCW_HD_TXN_NONE;
    vccw_test_check_detail(vccw_hd_journal_commit(j, &err) && !g_file_test(path, G_FILE_TEST_EXISTS),
                           err ? err->message : NULL, "nothing left: the file is removed");
}

/* Journal files are input: every field that names a path must be a plain
 * name, and anything odd is an error, never a guess. */
static void
test_hostile(const VccwHost *host, const char *root)
{
    static const struct {
        const char *name;
        const char *json;
    } cases[] = {
        { "not JSON", "{\"version\": 1," },
        { "not an object", "[1, 2]" },
        { "other version", "{\"version\": 2, \"domain\": \"h\", \"claims\": []}" },
        { "other domain", "{\"version\": 1, \"domain\": \"x\", \"claims\": []}" },
        { "claims missing", "{\"version\": 1, \"domain\": \"h\"}" },
        { "uuid with a path", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"../../etc/passwd\", \"managed\": true, \"actions\": []}]}" },
        { "managed not a boolean", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": \"yes\", \"actions\": []}]}" },
        { "duplicate claim", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": []}, {\"uuid\": \"90C6C135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": []}]}" },
        { "subchannel with a path", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"bind-subchannel\", \"state\": \"done\", \"subchannel\": \"../../../etc\"}]}]}" },
        { "driver with a path", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"bind-subchannel\", \"state\": \"done\", \"subchannel\": \"0.0.0313\", \"orig_driver\": \"../../x\"}]}]}" },
        { "driver '..'", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"bind-subchannel\", \"state\": \"done\", \"subchannel\": \"0.0.0313\", \"orig_driver\": \"..\"}]}]}" },
        { "unknown action", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"format-disk\", \"state\": \"done\", \"subchannel\": \"0.0.0313\"}]}]}" },
        { "unknown state", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"bind-subchannel\", \"state\": \"maybe\", \"subchannel\": \"0.0.0313\"}]}]}" },
        { "start without a type", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"start-mdev\", \"state\": \"done\", \"subchannel\": \"0.0.0313\"}]}]}" },
        { "type with a path", "{\"version\": 1, \"domain\": \"h\", \"claims\": [{\"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"managed\": true, \"actions\": [{\"kind\": \"start-mdev\", \"state\": \"done\", \"subchannel\": \"0.0.0313\", \"mdev_type\": \"a/../../b\"}]}]}" },
        { "transaction 'none'", "{\"version\": 1, \"domain\": \"h\", \"transaction\": {\"kind\": \"none\", \"uuids\": []}, \"claims\": []}" },
        { "transaction uuid not canonical", "{\"version\": 1, \"domain\": \"h\", \"transaction\": {\"kind\": \"release\", \"uuids\": [\"90c6c135ad4441d0b1b7bae47de48627\"]}, \"claims\": []}" },
        { "string where an array is due", "{\"version\": 1, \"domain\": \"h\", \"claims\": \"all\"}" },
        { "trailing junk", "{\"version\": 1, \"domain\": \"h\", \"claims\": []} {" },
    };
    g_autofree char *path = journal_file(root, "h");
    g_autofree char *big = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwHdJournal) j = NULL;
        g_autofree char *name = g_strdup_printf("hostile journal: %s", cases[i].name);

        g_file_set_contents(path, cases[i].json, -1, NULL);
        j = vccw_hd_journal_load(host, "h", &err);
        vccw_test_check_detail(!j && err && strstr(err->message, "is corrupt") &&
                               strstr(err->message, path),
                               j ? "accepted" : err ? err->message : "no error", "%s", name);
    }
    /* the bound leaves room for 262,144 claims (4 subchannel sets); past
     * it the file is refused before being read (sparse: costs no disk) */
    big = g_strnfill(16, ' ');
    g_file_set_contents(path, big, -1, NULL);
    if (truncate(path, 256 * 1024 * 1024 + 1) == 0) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "h", &err);
        vccw_test_check_detail(!j && err && strstr(err->message, "at most"),
                               err ? err->message : "accepted",
                               "hostile journal: 256 MiB + 1 refused");
    }
    g_unlink(path);
    if (symlink("/etc/passwd", path) == 0) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "h", &err);
        vccw_test_check_detail(!j && err, err ? err->message : "accepted",
                               "hostile journal: a symlink is not followed");
        g_unlink(path);
    }
}

static void
test_names(const VccwHost *host)
{
    static const char *const bad[] = { "", ".", "..", "a/b", "/abs", NULL };
    static const char *const good[] = { "guest-1", "with space", "\xc3\xbcnicode", ".hidden", "x.json", NULL };
    g_autofree char *longname = g_strnfill(250, 'n');

    for (size_t i = 0; bad[i]; i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *name = g_strdup_printf("domain name '%s' refused", bad[i]);
        vccw_test_check_detail(!vccw_hd_domain_name_ok(bad[i], &err) && err, NULL, "%s", name);
    }
    vccw_test_check_detail(!vccw_hd_domain_name_ok(longname, NULL), NULL,
                           "domain name too long for a journal file refused");
    for (size_t i = 0; good[i]; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwHdJournal) j = NULL;
        g_autofree char *name = g_strdup_printf("domain name '%s' accepted", good[i]);
        j = vccw_hd_journal_load(host, good[i], &err);
        vccw_test_check_detail(j != NULL, err ? err->message : NULL, "%s", name);
    }
}

static void
test_list(const VccwHost *host, const char *root)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = NULL;
    const char *files[] = { "b.json", "a.json", "a.json.tmp", ".json", "notes.txt" };

    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_strdup_printf("%s/run/virtccw/hostdev/%s", root, files[i]);
        g_file_set_contents(p, "{}", -1, NULL);
    }
    names = vccw_hd_journal_list(host, &err);
    vccw_test_check_detail(names && names->len == 2 &&
                           g_str_equal(g_ptr_array_index(names, 0), "a") &&
                           g_str_equal(g_ptr_array_index(names, 1), "b"), err ? err->message : NULL,
                           "journal list: *.json only, sorted, temp files ignored");
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_strdup_printf("%s/run/virtccw/hostdev/%s", root, files[i]);
        g_unlink(p);
    }
}

static void
test_lock(const VccwHost *host)
{
    g_autoptr(GError) err = NULL;
    VccwHdLock *l1 = vccw_hd_lock_acquire(host, 1000, &err);
    VccwHdLock *l2;
    gint64 t0;

    vccw_test_check_detail(l1 != NULL, err ? err->message : NULL, "lock: acquired");
    t0 = g_get_monotonic_time();
    l2 = vccw_hd_lock_acquire(host, 200, &err);
    vccw_test_check_detail(!l2 && g_error_matches(err, VCCW_ERROR, VCCW_ERR_OPERATION_TIMEOUT) &&
                           g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC,
                           err ? err->message : NULL,
                           "lock: a second holder waits, bounded, then fails");
    g_clear_error(&err);
    vccw_hd_lock_release(l1);
    l2 = vccw_hd_lock_acquire(host, 200, &err);
    vccw_test_check_detail(l2 != NULL, err ? err->message : NULL, "lock: free again after release");
    vccw_hd_lock_release(l2);
}

static const char hook_xml[] =
    "<domain type='kvm' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>web01</name>\n"
    "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
    "  <sysinfo type='smbios'><system><entry name='vendor'>x</entry></system></sysinfo>\n"
    "  <devices>\n"
    "    <graphics type='vnc'/>\n"
    "    <hostdev mode='subsystem' type='mdev' managed='yes' model='vfio-ccw'>\n"
    "      <source><address uuid='90C6C135-AD44-41D0-B1B7-BAE47DE48627'/></source>\n"
    "      <alias name='hostdev0'/>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='mdev' model='vfio-ap'>\n"
    "      <source><address uuid='00000000-0000-0000-0000-00000000000a'/></source>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <source><address domain='0' bus='0' slot='1' function='0'/></source>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ccw'>\n"
    "      <source><address uuid='00000000-0000-0000-0000-00000000000b'/></source>\n"
    "    </hostdev>\n"
    "    <hostdev type='mdev' model='vfio-ccw'>\n"
    "      <source><address uuid='00000000-0000-0000-0000-00000000000c'/></source>\n"
    "    </hostdev>\n"
    "  </devices>\n"
    "  <qemu:commandline><qemu:arg value='-S'/></qemu:commandline>\n"
    "</domain>\n";

static void
test_lenient(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autofree char *name = NULL;
    static const struct {
        const char *xml;
        const char *msg;
    } bad[] = {
        { "<domain><devices/></domain>", "missing name information" },
        { "<domain><name>x</name><devices><hostdev type='mdev' model='vfio-ccw'><source>"
          "<address uuid='1234'/></source></hostdev></devices></domain>",
          "internal error: Cannot parse uuid attribute of element <address>" },
        { "<domain><name>x</name><devices><hostdev type='mdev' model='vfio-ccw'><source>"
          "<address/></source></hostdev></devices></domain>",
          "unsupported configuration: Missing 'uuid' attribute for element <address>" },
        { "<network><name>x</name></network>", "expected a <domain> document" },
        { "<domain><name>x</name>", "XML error: " },
    };

    vccw_test_check_detail(vccw_hostdev_specs_from_xml(hook_xml, strlen(hook_xml), &name, &specs, &err) &&
                           g_str_equal(name, "web01") && specs->len == 3, err ? err->message : NULL,
                           "libvirt's XML: name and the three vfio-ccw mdevs (not vfio-ap, not PCI)");
    if (specs && specs->len == 3) {
        const VccwHostdevSpec *s = (const VccwHostdevSpec *)specs->data;
        char u[VCCW_UUID_STRING_BUFLEN];
        vccw_uuid_format(s[0].uuid, u);
        vccw_test_check_detail(g_str_equal(u, "90c6c135-ad44-41d0-b1b7-bae47de48627") &&
                               s[0].managed &&
                               !s[1].managed && !s[2].managed, u,
                               "libvirt's XML: uuids lower-cased, managed only when 'yes'");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) e = NULL;
        g_autoptr(GArray) sp = NULL;
        g_autofree char *n = NULL;
        g_autofree char *label = g_strdup_printf("lenient reader refuses: %s", bad[i].msg);
        vccw_test_check_detail(!vccw_hostdev_specs_from_xml(bad[i].xml, strlen(bad[i].xml), &n, &sp, &e) && e &&
                               strstr(e->message, bad[i].msg), e ? e->message : "accepted",
                               "%s", label);
    }
}

static void
test_crash_point_inert(void)
{
    /* without the variable, any number of crash points is harmless */
    g_unsetenv("VIRTCCW_TEST_CRASH_AFTER_STEP");
    for (int i = 0; i < 1000; i++)
        vccw_hd_crash_point("test");
    vccw_test_check_detail(true, NULL,
                           "crash points are inert without VIRTCCW_TEST_CRASH_AFTER_STEP");
}

/* A domain with 65,536 hostdevs (one subchannel set's devnos): its journal
 * is written, loaded (duplicates checked), searched and undone in linear
 * time. Quadratic code (a scan per claim, a commit of the whole file per
 * claim dropped) took minutes to hours here; linear code takes a second. */
static void
test_big(const VccwHost *host)
{
    const guint n = 65536;
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "big", &err);
    g_autoptr(VccwHdJournal) k = NULL;
    gint64 t0 = g_get_monotonic_time();
    guint found = 0;
    double secs;

    vccw_test_check_detail(j != NULL, err ? err->message : NULL, "big journal: empty one");
    if (!j)
        return;
    j->txn = VCCW_HD_TXN_RELEASE;
    for (guint i = 0; i < n; i++) {
        g_autofree char *u = g_strdup_printf("%08x-0000-4000-8000-%012x", i, i);
        g_ptr_array_add(j->txn_uuids, g_strdup(u));
        vccw_hd_journal_add_claim(j, vccw_hd_claim_new(u, false));
    }
    vccw_test_check_detail(vccw_hd_journal_commit(j, &err), err ? err->message : NULL,
                           "big journal: 65,536 claims written");
    g_clear_error(&err);
    k = vccw_hd_journal_load(host, "big", &err);
    vccw_test_check_detail(k && k->claims->len == n, err ? err->message : NULL,
                           "big journal: loaded back");
    if (!k || k->claims->len != n)
        return;
    for (guint i = 0; i < n; i++) {
        g_autofree char *u = g_strdup_printf("%08X-0000-4000-8000-%012X", i, i);
        found += vccw_hd_journal_find_claim(k, u) != NULL;
    }
    vccw_test_check_detail(found == n &&
                           !vccw_hd_journal_find_claim(k, "ffffffff-0000-4000-8000-000000000000"),
                           NULL, "big journal: every claim found, in any case, and no other");
    vccw_test_check_detail(vccw_hd_journal_undo(k, NULL, k->txn_uuids, NULL, &err) &&
                           k->claims->len == 0, err ? err->message : NULL,
                           "big journal: every claim undone");
    k->txn = VCCW_HD_TXN_NONE;
    g_ptr_array_set_size(k->txn_uuids, 0);
    vccw_test_check_detail(vccw_hd_journal_commit(k, &err), err ? err->message : NULL,
                           "big journal: removed");
    secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    {
        g_autofree char *why = g_strdup_printf("took %.1f s", secs);
        vccw_test_check_detail(secs < 30, why,
                               "big journal: write, load, find, undo in linear time (< 30 s)");
    }
}

static gint64
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (gint64)st.st_size : -1;
}

static void
append_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* One step is one record appended (the file grows by a line, it is not
 * rewritten); the reader replays records; a record cut short by a crash
 * (no newline) is ignored and cut off before the next one; any other bad
 * line makes the journal corrupt. */
static void
test_records(const VccwHost *host, const char *root)
{
    static const char u1[] = "90c6c135-ad44-41d0-b1b7-bae47de48627";
    static const char u2[] = "00000000-0000-0000-0000-000000000001";
    static const struct {
        const char *name;
        const char *line;
    } bad[] = {
        { "not JSON", "{\"op\": \"add\", \n" },
        { "unknown op", "{\"op\": \"format\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\"}\n" },
        { "unknown claim", "{\"op\": \"state\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48628\", \"index\": 0, \"state\": \"done\"}\n" },
        { "index out of range", "{\"op\": \"remove\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"index\": 2}\n" },
        { "negative index", "{\"op\": \"remove\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"index\": -1}\n" },
        { "unknown state", "{\"op\": \"state\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"index\": 0, \"state\": \"maybe\"}\n" },
        { "action with a path", "{\"op\": \"add\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"action\": {\"kind\": \"bind-subchannel\", \"state\": \"done\", \"subchannel\": \"0.0.0313\", \"orig_driver\": \"../x\"}}\n" },
        { "two records on a line", "{\"op\": \"remove\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"index\": 0} {\"op\": \"remove\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\", \"index\": 0}\n" },
        { "an array", "[]\n" },
    };
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "rec", &err);
    g_autoptr(VccwHdJournal) k = NULL;
    g_autofree char *path = journal_file(root, "rec");
    g_autofree char *good = NULL;
    VccwHdClaim *c;
    VccwHdAction *a;
    gint64 size0, size1;

    if (!j)
        return;
    j->txn = VCCW_HD_TXN_PREPARE;
    g_ptr_array_add(j->txn_uuids, g_strdup(u1));
    vccw_hd_journal_add_claim(j, vccw_hd_claim_new(u1, true));
    vccw_hd_journal_add_claim(j, vccw_hd_claim_new(u2, false));
    vccw_test_check_detail(vccw_hd_journal_commit(j, &err), err ? err->message : NULL,
                           "records: transaction start written whole");
    size0 = file_size(path);
    c = vccw_hd_journal_find_claim(j, u1);
    a = vccw_hd_action_new(VCCW_HD_ACT_BIND_SUBCH, "0.0.0313");
    a->orig_driver = g_strdup("io_subchannel");
    vccw_test_check_detail(vccw_hd_journal_add_action(j, c, a, &err) &&
                           vccw_hd_journal_set_state(j, c, a, VCCW_HD_ACT_DONE, &err),
                           err ? err->message : NULL, "records: two steps");
    size1 = file_size(path);
    vccw_test_check_detail(size1 > size0 && size1 - size0 < 400, NULL,
                           "records: each step appends one line");
    k = vccw_hd_journal_load(host, "rec", &err);
    {
        const VccwHdClaim *kc = k ? vccw_hd_journal_find_claim(k, u1) : NULL;
        const VccwHdAction *ka = kc && kc->actions->len == 1 ? g_ptr_array_index(kc->actions, 0) : NULL;
        vccw_test_check_detail(k && k->txn == VCCW_HD_TXN_PREPARE && k->claims->len == 2 && ka &&
                               ka->kind == VCCW_HD_ACT_BIND_SUBCH &&
                               ka->state == VCCW_HD_ACT_DONE &&
                               g_strcmp0(ka->orig_driver, "io_subchannel") == 0 &&
                               !ka->orig_override, err ? err->message : NULL,
                               "records: replayed over the snapshot");
    }
    g_clear_pointer(&k, vccw_hd_journal_free);
    g_file_get_contents(path, &good, NULL, NULL);

    /* a crash in the middle of an append: the record never synced */
    append_text(path, "{\"op\": \"state\", \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de4");
    k = vccw_hd_journal_load(host, "rec", &err);
    vccw_test_check_detail(k &&
                           ((VccwHdAction *)g_ptr_array_index(vccw_hd_journal_find_claim(k, u1)->actions, 0))->state == VCCW_HD_ACT_DONE,
                           err ? err->message : NULL, "records: a torn last record is ignored");
    if (k) {
        VccwHdClaim *kc = vccw_hd_journal_find_claim(k, u1);
        VccwHdAction *b = vccw_hd_action_new(VCCW_HD_ACT_START_MDEV, "0.0.0313");
        b->mdev_type = g_strdup("vfio_ccw-io");
        vccw_test_check_detail(vccw_hd_journal_add_action(k, kc, b, &err), err ? err->message : NULL,
                               "records: a step after a torn record");
        g_clear_pointer(&k, vccw_hd_journal_free);
        k = vccw_hd_journal_load(host, "rec", &err);
        vccw_test_check_detail(k && vccw_hd_journal_find_claim(k, u1)->actions->len == 2,
                               err ? err->message : NULL,
                               "records: the torn record was cut off, the new one follows");
        g_clear_pointer(&k, vccw_hd_journal_free);
    }
    g_clear_error(&err);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *name = g_strdup_printf("records: corrupt record (%s) refused", bad[i].name);
        g_autoptr(GError) e = NULL;
        g_autoptr(VccwHdJournal) x = NULL;

        g_file_set_contents(path, good, -1, NULL);
        append_text(path, bad[i].line);
        x = vccw_hd_journal_load(host, "rec", &e);
        vccw_test_check_detail(!x && e && strstr(e->message, "is corrupt"),
                               x ? "accepted" : e ? e->message : NULL, "%s", name);
    }
    g_file_set_contents(path, good, -1, NULL);
    j->txn = VCCW_HD_TXN_NONE;
    g_ptr_array_set_size(j->claims, 0);
    vccw_test_check_detail(vccw_hd_journal_commit(j, &err) && !g_file_test(path, G_FILE_TEST_EXISTS),
                           err ? err->message : NULL, "records: nothing left, file removed");
}

/* Journals on disk from earlier versions are snapshots without records,
 * pretty JSON with a newline (as they wrote them) or without (by hand). */
static void
test_old_format(const VccwHost *host, const char *root)
{
    static const char *const endings[] = { "\n", "", "\n\n  \n" };
    g_autofree char *path = journal_file(root, "old");

    for (size_t i = 0; i < G_N_ELEMENTS(endings); i++) {
        g_autofree char *text = g_strdup_printf(
            "{\n  \"version\": 1,\n  \"domain\": \"old\",\n  \"transaction\": {\n    \"kind\": \"prepare\",\n"
            "    \"uuids\": [\n      \"90c6c135-ad44-41d0-b1b7-bae47de48627\"\n    ]\n  },\n  \"claims\": [\n"
            "    {\n      \"uuid\": \"90c6c135-ad44-41d0-b1b7-bae47de48627\",\n      \"managed\": true,\n"
            "      \"actions\": [\n        {\n          \"kind\": \"bind-subchannel\",\n          \"state\": \"pending\",\n"
            "          \"subchannel\": \"0.0.0313\",\n          \"orig_driver\": \"io_subchannel\",\n"
            "          \"orig_override\": null\n        }\n      ]\n    }\n  ]\n}%s", endings[i]);
        g_autofree char *name = g_strdup_printf("old format (ending %zu): read", i);
        g_autofree char *name2 = g_strdup_printf("old format (ending %zu): a step after it reads back", i);
        g_autoptr(GError) err = NULL;
        g_autoptr(VccwHdJournal) j = NULL;
        g_autoptr(VccwHdJournal) k = NULL;
        VccwHdClaim *c;

        g_file_set_contents(path, text, -1, NULL);
        j = vccw_hd_journal_load(host, "old", &err);
        c = j ? vccw_hd_journal_find_claim(j, "90c6c135-ad44-41d0-b1b7-bae47de48627") : NULL;
        vccw_test_check_detail(c && j->txn == VCCW_HD_TXN_PREPARE && c->actions->len == 1 &&
                               ((VccwHdAction *)g_ptr_array_index(c->actions, 0))->state == VCCW_HD_ACT_PENDING,
                               err ? err->message : NULL, "%s", name);
        if (!c)
            continue;
        vccw_test_check_detail(vccw_hd_journal_set_state(j, c, g_ptr_array_index(c->actions, 0), VCCW_HD_ACT_UNDOING, &err) &&
                               (k = vccw_hd_journal_load(host, "old", &err)) &&
                               ((VccwHdAction *)g_ptr_array_index(vccw_hd_journal_find_claim(k, "90c6c135-ad44-41d0-b1b7-bae47de48627")->actions, 0))->state == VCCW_HD_ACT_UNDOING,
                               err ? err->message : NULL, "%s", name2);
    }
    g_unlink(path);
}

/* N managed hostdevs, four steps each (pending and done, twice): the file
 * is rewritten a few times, not at every step, the bytes written are a
 * small multiple of the final size (O(N), where a rewrite per step wrote
 * O(N^2)), and the file never holds more than twice its snapshot. A hard
 * link keeps the previous inode, so a rewrite (rename) shows as a new one. */
static void
test_linear_steps(const VccwHost *host, const char *root)
{
    const guint n = 500;
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(host, "lin", &err);
    g_autoptr(VccwHdJournal) k = NULL;
    g_autofree char *path = journal_file(root, "lin");
    g_autofree char *probe = g_strdup_printf("%s/lin.probe", root);
    guint rewrites = 0, done = 0;
    gint64 written, prev, final;
    bool ok = true, within = true;
    struct stat st, sp;

    if (!j)
        return;
    j->txn = VCCW_HD_TXN_PREPARE;
    for (guint i = 0; i < n; i++) {
        g_autofree char *u = g_strdup_printf("%08x-0000-4000-8000-%012x", i, i);
        g_ptr_array_add(j->txn_uuids, g_strdup(u));
        vccw_hd_journal_add_claim(j, vccw_hd_claim_new(u, true));
    }
    ok = vccw_hd_journal_commit(j, &err);
    written = prev = file_size(path);
    for (guint i = 0; ok && i < n; i++) {
        VccwHdClaim *c = g_ptr_array_index(j->claims, i);
        g_autofree char *sch = g_strdup_printf("0.0.%04x", i);

        for (int step = 0; ok && step < 4; step++) {
            VccwHdAction *a;
            gint64 now;

            g_unlink(probe);
            if (link(path, probe) < 0)
                ok = false;
            if (step % 2 == 0) {
                a = vccw_hd_action_new(step ? VCCW_HD_ACT_START_MDEV : VCCW_HD_ACT_BIND_SUBCH, sch);
                if (step)
                    a->mdev_type = g_strdup("vfio_ccw-io");
                ok = ok && vccw_hd_journal_add_action(j, c, a, &err);
            } else {
                a = g_ptr_array_index(c->actions, c->actions->len - 1);
                ok = ok && vccw_hd_journal_set_state(j, c, a, VCCW_HD_ACT_DONE, &err);
            }
            now = file_size(path);
            if (ok && stat(path, &st) == 0 && stat(probe, &sp) == 0 && st.st_ino != sp.st_ino) {
                rewrites++;
                written += now;
            } else {
                written += now - prev;
            }
            /* the records stay within the snapshot (or 64 KiB) */
            within = within && now <= 2 * MAX(j->snap_len, 64 * 1024) + 512;
            prev = now;
        }
    }
    g_unlink(probe);
    final = file_size(path);
    {
        g_autofree char *why = g_strdup_printf("%u rewrites, %" G_GINT64_FORMAT " bytes written, final %" G_GINT64_FORMAT,
                                               rewrites, written, final);
        vccw_test_check_detail(ok && rewrites <= 12 && written <= 8 * final && within,
                               err ? err->message : why,
                               "2,000 steps: few rewrites, O(N) bytes written, file within twice its snapshot");
    }
    k = vccw_hd_journal_load(host, "lin", &err);
    for (guint i = 0; k && i < k->claims->len; i++) {
        const VccwHdClaim *c = g_ptr_array_index(k->claims, i);
        done += c->actions->len == 2 &&
                ((VccwHdAction *)g_ptr_array_index(c->actions, 0))->state == VCCW_HD_ACT_DONE &&
                ((VccwHdAction *)g_ptr_array_index(c->actions, 1))->state == VCCW_HD_ACT_DONE;
    }
    vccw_test_check_detail(done == n, err ? err->message : NULL, "2,000 steps: every one read back");
    g_unlink(path);
}

int
main(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *root = g_dir_make_tmp("hostdevtest-XXXXXX", &err);
    g_autoptr(VccwHost) host = NULL;
    g_autofree char *cmd = NULL;

    if (!root || !(host = vccw_host_new(root, &err))) {
        fprintf(stderr, "hostdevtest: %s\n", err->message);
        return 1;
    }
    test_crash_point_inert();
    test_roundtrip(host, root);
    test_hostile(host, root);
    test_names(host);
    test_list(host, root);
    test_lock(host);
    test_lenient();
    test_big(host);
    test_records(host, root);
    test_old_format(host, root);
    test_linear_steps(host, root);
    cmd = g_strdup_printf("rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "hostdevtest: cannot remove %s\n", root);
    return vccw_test_done();
}
