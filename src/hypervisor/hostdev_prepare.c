/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: prepare and release of a domain's vfio-ccw host devices.
 * See hostdev_prepare.h; the journal protocol is in
 * hostdev_journal.h. */
#include "hostdev_prepare.h"
#include "hostdev_journal.h"
#include "domain_parse.h"
#include "mdevctl_store.h"
#include "vccw_error.h"
#include "vccw_mdev.h"
#include "vccw_subchannel.h"
#include "vccw_xml.h"

#include <string.h>

#define DEVICE_API_CCW "vfio-ccw"

struct _VccwHostdevMgr {
    const VccwHost *host;
    VccwNodeDevDriver *drv;
    unsigned int lock_timeout_ms;
};

VccwHostdevMgr *
vccw_hostdev_mgr_new(const VccwHost *host, GError **err)
{
    g_autoptr(VccwHostdevMgr) mgr = g_new0(VccwHostdevMgr, 1);

    mgr->host = host;
    mgr->lock_timeout_ms = VCCW_HD_LOCK_TIMEOUT_MS;
    if (!(mgr->drv = vccw_nodedev_driver_new(host, err)))
        return NULL;
    return g_steal_pointer(&mgr);
}

void
vccw_hostdev_mgr_free(VccwHostdevMgr *mgr)
{
    if (!mgr)
        return;
    vccw_nodedev_driver_free(mgr->drv);
    g_free(mgr);
}

VccwNodeDevDriver *
vccw_hostdev_mgr_nodedev(VccwHostdevMgr *mgr)
{
    return mgr->drv;
}

void
vccw_hostdev_mgr_set_lock_timeout(VccwHostdevMgr *mgr, unsigned int timeout_ms)
{
    mgr->lock_timeout_ms = timeout_ms;
}

/* ---- which hostdevs ------------------------------------------------------- */

bool
vccw_hostdev_spec_from_device(const VccwDevice *dev, VccwHostdevSpec *spec)
{
    const VccwHostdevDef *hd = &dev->u.hostdev;

    if (dev->cls != VCCW_DEV_HOSTDEV || hd->type != VCCW_HOSTDEV_TYPE_MDEV ||
        hd->model != VCCW_HOSTDEV_MODEL_VFIO_CCW)
        return false;
    memcpy(spec->uuid, hd->uuid, VCCW_UUID_BUFLEN);
    spec->managed = hd->managed == VCCW_TRISTATE_YES;
    return true;
}

GArray *
vccw_hostdev_specs_from_def(const VccwDomainDef *def)
{
    GArray *specs = g_array_new(FALSE, TRUE, sizeof(VccwHostdevSpec));

    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_HOSTDEV); i++) {
        VccwHostdevSpec spec;
        if (vccw_hostdev_spec_from_device(vccw_domain_dev(def, VCCW_DEV_HOSTDEV, i), &spec))
            g_array_append_val(specs, spec);
    }
    return specs;
}

bool
vccw_hostdev_specs_from_xml(const char *xml, size_t len, char **name, GArray **specs,
                            GError **err)
{
    xmlDocPtr doc = vccw_domain_xml_read(xml, len, "domain", err);
    g_autoptr(GArray) out = NULL;
    xmlNodePtr root, devices, name_node;
    bool ok = false;

    if (!doc)
        return false;
    root = xmlDocGetRootElement(doc);
    if (!xmlStrEqual(root->name, BAD_CAST "domain")) {
        vccw_error_set(err, VCCW_ERR_XML, "expected a <domain> document, not <%s>", root->name);
        goto out;
    }
    if (!(name_node = vccw_xml_child(root, "name"))) {
        vccw_error_set(err, VCCW_ERR_NO_NAME, "%s", "in domain XML");
        goto out;
    }
    out = g_array_new(FALSE, TRUE, sizeof(VccwHostdevSpec));
    if ((devices = vccw_xml_child(root, "devices"))) {
        VCCW_XML_FOREACH_CHILD(devices, cur) {
            g_autofree char *mode = NULL, *type = NULL, *model = NULL, *managed = NULL;
            g_autofree char *uuid = NULL;
            xmlNodePtr src, addr;
            VccwHostdevSpec spec;

            if (!xmlStrEqual(cur->name, BAD_CAST "hostdev"))
                continue;
            mode = vccw_xml_prop(cur, "mode");
            type = vccw_xml_prop(cur, "type");
            model = vccw_xml_prop(cur, "model");
            if ((mode && !g_str_equal(mode, "subsystem")) || g_strcmp0(type, "mdev") != 0 ||
                g_strcmp0(model, "vfio-ccw") != 0)
                continue;
            src = vccw_xml_child(cur, "source");
            addr = src ? vccw_xml_child(src, "address") : NULL;
            if (!addr) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "Missing <address> element");
                goto out;
            }
            if (!(uuid = vccw_xml_prop(addr, "uuid"))) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "Missing 'uuid' attribute for element <address>");
                goto out;
            }
            if (!vccw_uuid_parse(uuid, spec.uuid)) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "Cannot parse uuid attribute of element <address>");
                goto out;
            }
            managed = vccw_xml_prop(cur, "managed");
            spec.managed = g_strcmp0(managed, "yes") == 0;
            g_array_append_val(out, spec);
        }
    }
    *name = vccw_xml_text(name_node);
    g_strstrip(*name);
    *specs = g_steal_pointer(&out);
    ok = true;
 out:
    xmlFreeDoc(doc);
    return ok;
}

/* ---- checks ----------------------------------------------------------------- */

static char *
mdev_shown_path(const char *uuid)
{
    return g_strdup_printf("%s/%s", vccw_host_dir_abs(VCCW_HOST_DIR_MDEV_DEVICES), uuid);
}

/* One hostdev being prepared. */
typedef struct {
    VccwHostdevSpec spec;
    char uuid[VCCW_UUID_STRING_BUFLEN];
    VccwNodeDevDef *mdev;
} Item;

static void
item_clear(gpointer p)
{
    Item *it = p;
    vccw_nodedev_def_free(it->mdev);
}

/* Loop 1 of libvirt's virHostdevPrepareMediatedDevices: the device exists
 * and has the right API. */
static bool
check_exists(VccwHostdevMgr *mgr, Item *it, GError **err)
{
    g_autoptr(GError) e = NULL;

    if (!(it->mdev = vccw_nodedev_lookup_mdev(mgr->drv, it->spec.uuid, NULL, &e)) ||
        (!it->mdev->active && !it->spec.managed)) {
        g_autoptr(GPtrArray) defs = NULL;
        g_autoptr(GError) why = NULL;

        /* A definition of this uuid that cannot be read or parsed is
         * skipped by the lookup (as by the listing, with a warning): say
         * which file and what is wrong, not merely "not found". Only on
         * this error path, where one scan of the store costs nothing. */
        if (!it->mdev && !(defs = vccw_mdevctl_store_find(mgr->host, it->spec.uuid, NULL, &why))) {
            const char *prefix = vccw_error_prefix((VccwErrorCode)why->code);
            const char *text = g_str_has_prefix(why->message, prefix)
                ? why->message + strlen(prefix) : why->message;

            vccw_error_set(err, VCCW_ERR_NO_DEVICE, "mediated device '%s' not found: %s",
                           it->uuid, text);
            return false;
        }
        vccw_error_set(err, VCCW_ERR_NO_DEVICE, "mediated device '%s' not found", it->uuid);
        return false;
    }
    if (it->mdev->active)
        return vccw_mdev_check_api(mgr->host, it->uuid, DEVICE_API_CCW, err);
    /* before starting a defined mdev: the device API of its type on the
     * parent, when the parent already offers the type */
    return vccw_mdev_check_type_api(mgr->host, it->mdev->parent_addr, it->mdev->mdev_type,
                                    it->uuid, DEVICE_API_CCW, err);
}

/* Loop 2: no other domain holds it. */
static bool
check_claims(VccwHostdevMgr *mgr, const char *domain, GArray *items, GError **err)
{
    g_autoptr(GPtrArray) names = vccw_hd_journal_list(mgr->host, err);

    if (!names)
        return false;
    for (guint n = 0; n < names->len; n++) {
        const char *other = g_ptr_array_index(names, n);
        g_autoptr(VccwHdJournal) j = NULL;

        if (g_str_equal(other, domain))
            continue;
        if (!(j = vccw_hd_journal_load(mgr->host, other, err)))
            return false;
        for (guint i = 0; i < items->len; i++) {
            const Item *it = &g_array_index(items, Item, i);
            if (vccw_hd_journal_find_claim(j, it->uuid)) {
                g_autofree char *shown = mdev_shown_path(it->uuid);
                vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                               "mediated device %s is in use by driver %s, domain %s",
                               shown, VCCW_HOSTDEV_DRIVER_NAME, other);
                return false;
            }
        }
    }
    return true;
}

/* ---- host changes ---------------------------------------------------------- */

/* Record @a (PENDING) in @c and make it durable before the change: one
 * record appended to the journal, not the whole journal rewritten (that
 * made N managed hostdevs write O(N^2) bytes). */
static bool
journal_begin(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a, GError **err)
{
    return vccw_hd_journal_add_action(j, c, a, err);
}

static bool
journal_done(VccwHdJournal *j, VccwHdClaim *c, VccwHdAction *a, const char *what,
             GError **err)
{
    vccw_hd_crash_point(what);
    return vccw_hd_journal_set_state(j, c, a, VCCW_HD_ACT_DONE, err);
}

/* Loop 3, for one managed hostdev: parent on vfio_ccw, mdev started. */
static bool
make_ready(VccwHostdevMgr *mgr, VccwHdJournal *j, Item *it, GPtrArray *report, GError **err)
{
    VccwHdClaim *c = vccw_hd_journal_find_claim(j, it->uuid);
    const VccwNodeDevDef *m = it->mdev;
    g_auto(VccwSubchState) orig = { 0 };
    VccwHdAction *a;

    if (m->active || !it->spec.managed)
        return true;
    if (!m->parent_addr || !m->parent || !m->mdev_type) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "mediated device '%s' has no parent or type",
                       it->uuid);
        return false;
    }
    if (!vccw_subch_read_state(mgr->host, m->parent_addr, &orig, err))
        return false;
    if (g_strcmp0(orig.driver, VCCW_SUBCH_DRIVER_VFIO_CCW) != 0) {
        a = vccw_hd_action_new(VCCW_HD_ACT_BIND_SUBCH, m->parent_addr);
        a->orig_driver = g_strdup(orig.driver);
        a->orig_override = g_strdup(orig.override);
        if (!journal_begin(j, c, a, err) ||
            !vccw_nodedev_detach_subch(mgr->drv, m->parent_addr, 0, err) ||
            !journal_done(j, c, a, "bind", err))
            return false;
        if (report)
            g_ptr_array_add(report, g_strdup_printf("subchannel %s bound to vfio_ccw (was %s)",
                                                    m->parent_addr,
                                                    orig.driver ? orig.driver : "unbound"));
    }
    a = vccw_hd_action_new(VCCW_HD_ACT_START_MDEV, m->parent_addr);
    a->mdev_type = g_strdup(m->mdev_type);
    if (!journal_begin(j, c, a, err) ||
        !vccw_nodedev_start_mdev(mgr->drv, it->spec.uuid, m->parent_addr, err) ||
        !journal_done(j, c, a, "start", err))
        return false;
    if (report)
        g_ptr_array_add(report, g_strdup_printf("mediated device %s started on %s", it->uuid,
                                                m->parent_addr));
    return vccw_mdev_check_api(mgr->host, it->uuid, DEVICE_API_CCW, err);
}

/* Roll back what the transaction of @j did; append to @err on failure. */
static void
rollback(VccwHostdevMgr *mgr, VccwHdJournal *j, GError **err)
{
    g_autoptr(GError) e = NULL;

    if (vccw_hd_journal_undo(j, mgr->drv, j->txn_uuids, NULL, &e)) {
        j->txn = VCCW_HD_TXN_NONE;
        g_ptr_array_set_size(j->txn_uuids, 0);
        if (vccw_hd_journal_commit(j, &e))
            return;
    }
    vccw_error_append(err, "; rolling back failed too: %s (the journal %s keeps what is left: 'virtccw recover %s' finishes it)",
                      e->message, j->path, j->domain);
}

static bool
recover_locked(VccwHostdevMgr *mgr, VccwHdJournal *j, GPtrArray *report, GError **err)
{
    bool recovered;
    g_autoptr(GError) e = NULL;

    if (vccw_hd_journal_recover(j, mgr->drv, report, &recovered, &e))
        return true;
    vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                   "cannot finish the interrupted %s of domain %s: %s",
                   j->txn == VCCW_HD_TXN_PREPARE ? "prepare" : "release", j->domain, e->message);
    return false;
}

static bool prepare_locked(VccwHostdevMgr *mgr, const char *domain,
                           const VccwHostdevSpec *specs, guint n, GPtrArray *report,
                           GError **err);

bool
vccw_hostdev_prepare(VccwHostdevMgr *mgr, const char *domain, const VccwHostdevSpec *specs,
                     guint n, GPtrArray *report, GError **err)
{
    bool ok;

    /* one index of the mdevctl store for all the lookups: each would
     * otherwise open every parent directory of the store */
    if (n > 1 && !vccw_nodedev_driver_batch_lookups(mgr->drv, true, err))
        return false;
    ok = prepare_locked(mgr, domain, specs, n, report, err);
    vccw_nodedev_driver_batch_lookups(mgr->drv, false, NULL);
    return ok;
}

static bool
prepare_locked(VccwHostdevMgr *mgr, const char *domain, const VccwHostdevSpec *specs,
               guint n, GPtrArray *report, GError **err)
{
    g_autoptr(VccwHdLock) lock = NULL;
    g_autoptr(VccwHdJournal) j = NULL;
    g_autoptr(GArray) items = g_array_new(FALSE, TRUE, sizeof(Item));
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                                       (GDestroyNotify)g_bytes_unref, NULL);

    g_array_set_clear_func(items, item_clear);
    if (!vccw_hd_domain_name_ok(domain, err) ||
        !(lock = vccw_hd_lock_acquire(mgr->host, mgr->lock_timeout_ms, err)) ||
        !(j = vccw_hd_journal_load(mgr->host, domain, err)) ||
        !recover_locked(mgr, j, report, err))
        return false;

    for (guint i = 0; i < n; i++) {
        Item it = { .spec = specs[i] };

        vccw_uuid_format(specs[i].uuid, it.uuid);
        /* a set, not a scan of the items: 40,000 hostdevs took 5 s */
        if (!g_hash_table_add(seen, g_bytes_new(specs[i].uuid, VCCW_UUID_BUFLEN))) {
            vccw_error_set(err, VCCW_ERR_XML, "Hostdev already exists in the domain configuration");
            return false;
        }
        if (vccw_hd_journal_find_claim(j, it.uuid)) {
            g_autoptr(VccwNodeDevDef) m = vccw_nodedev_lookup_mdev(mgr->drv, specs[i].uuid, NULL, NULL);

            if (!m || !m->active) {
                vccw_error_set(err, VCCW_ERR_OPERATION_INVALID,
                               "mediated device %s is held by domain %s but is no longer active: release the domain (virtccw domain-release %s) and prepare it again",
                               it.uuid, domain, domain);
                return false;
            }
            if (report)
                g_ptr_array_add(report, g_strdup_printf("mediated device %s: already prepared for domain %s",
                                                        it.uuid, domain));
            continue;
        }
        g_array_append_val(items, it);
    }
    if (items->len == 0)
        return true;

    /* libvirt's order: every device exists with the right API, then none
     * is in use, then (our addition) the host changes */
    for (guint i = 0; i < items->len; i++) {
        if (!check_exists(mgr, &g_array_index(items, Item, i), err))
            return false;
    }
    if (!check_claims(mgr, domain, items, err))
        return false;

    j->txn = VCCW_HD_TXN_PREPARE;
    for (guint i = 0; i < items->len; i++) {
        const Item *it = &g_array_index(items, Item, i);
        g_ptr_array_add(j->txn_uuids, g_strdup(it->uuid));
        vccw_hd_journal_add_claim(j, vccw_hd_claim_new(it->uuid, it->spec.managed));
    }
    if (!vccw_hd_journal_commit(j, err)) {
        rollback(mgr, j, err);
        return false;
    }
    for (guint i = 0; i < items->len; i++) {
        Item *it = &g_array_index(items, Item, i);
        if (!make_ready(mgr, j, it, report, err)) {
            rollback(mgr, j, err);
            return false;
        }
        if (report)
            g_ptr_array_add(report, g_strdup_printf("mediated device %s claimed for domain %s%s",
                                                    it->uuid, domain,
                                                    it->spec.managed ? "" : " (managed='no': host unchanged)"));
    }
    j->txn = VCCW_HD_TXN_NONE;
    g_ptr_array_set_size(j->txn_uuids, 0);
    if (!vccw_hd_journal_commit(j, err)) {
        j->txn = VCCW_HD_TXN_PREPARE;
        rollback(mgr, j, err);
        return false;
    }
    return true;
}

bool
vccw_hostdev_release(VccwHostdevMgr *mgr, const char *domain, const unsigned char *uuid,
                     GPtrArray *report, GError **err)
{
    g_autoptr(VccwHdLock) lock = NULL;
    g_autoptr(VccwHdJournal) j = NULL;
    g_autoptr(GError) e = NULL;
    char str[VCCW_UUID_STRING_BUFLEN];

    if (!vccw_hd_domain_name_ok(domain, err) ||
        !(lock = vccw_hd_lock_acquire(mgr->host, mgr->lock_timeout_ms, err)) ||
        !(j = vccw_hd_journal_load(mgr->host, domain, err)) ||
        !recover_locked(mgr, j, report, err))
        return false;
    if (uuid) {
        vccw_uuid_format(uuid, str);
        if (!vccw_hd_journal_find_claim(j, str)) {
            if (report)
                g_ptr_array_add(report, g_strdup_printf("mediated device %s: not prepared for domain %s, nothing to release",
                                                        str, domain));
            return true;
        }
        g_ptr_array_add(j->txn_uuids, g_strdup(str));
    } else {
        for (guint i = 0; i < j->claims->len; i++)
            g_ptr_array_add(j->txn_uuids,
                            g_strdup(((VccwHdClaim *)g_ptr_array_index(j->claims, i))->uuid));
    }
    if (j->txn_uuids->len == 0) {
        if (report)
            g_ptr_array_add(report, g_strdup_printf("domain %s: nothing to release", domain));
        return true;
    }
    j->txn = VCCW_HD_TXN_RELEASE;
    if (!vccw_hd_journal_commit(j, err))
        return false;
    if (!vccw_hd_journal_undo(j, mgr->drv, j->txn_uuids, report, &e)) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "cannot release the host devices of domain %s: %s (the release stays pending in %s; retry it, or 'virtccw recover %s')",
                       domain, e->message, j->path, domain);
        return false;
    }
    for (guint i = 0; report && i < j->txn_uuids->len; i++)
        g_ptr_array_add(report, g_strdup_printf("mediated device %s released by domain %s",
                                                (char *)g_ptr_array_index(j->txn_uuids, i), domain));
    j->txn = VCCW_HD_TXN_NONE;
    g_ptr_array_set_size(j->txn_uuids, 0);
    return vccw_hd_journal_commit(j, err);
}

bool
vccw_hostdev_recover(VccwHostdevMgr *mgr, const char *domain, GPtrArray *report, GError **err)
{
    g_autoptr(VccwHdLock) lock = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GString) failures = g_string_new(NULL);

    if ((domain && !vccw_hd_domain_name_ok(domain, err)) ||
        !(lock = vccw_hd_lock_acquire(mgr->host, mgr->lock_timeout_ms, err)))
        return false;
    if (domain) {
        names = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(names, g_strdup(domain));
    } else if (!(names = vccw_hd_journal_list(mgr->host, err))) {
        return false;
    }
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autoptr(VccwHdJournal) j = NULL;
        g_autoptr(GError) e = NULL;

        if (!(j = vccw_hd_journal_load(mgr->host, name, &e)) ||
            !recover_locked(mgr, j, report, &e))
            g_string_append_printf(failures, "%s%s", failures->len ? "; " : "", e->message);
    }
    if (failures->len) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED, "%s", failures->str);
        return false;
    }
    return true;
}

char *
vccw_hostdev_claimed_by(VccwHostdevMgr *mgr, const unsigned char *uuid, GError **err)
{
    g_autoptr(VccwHdLock) lock = NULL;
    g_autoptr(GPtrArray) names = NULL;
    char str[VCCW_UUID_STRING_BUFLEN];

    vccw_uuid_format(uuid, str);
    if (!(lock = vccw_hd_lock_acquire(mgr->host, mgr->lock_timeout_ms, err)) ||
        !(names = vccw_hd_journal_list(mgr->host, err)))
        return NULL;
    for (guint i = 0; i < names->len; i++) {
        g_autoptr(VccwHdJournal) j = vccw_hd_journal_load(mgr->host, g_ptr_array_index(names, i), NULL);
        if (j && vccw_hd_journal_find_claim(j, str))
            return g_strdup(j->domain);
    }
    return NULL;
}
