/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: live attach/detach over QMP. See qemu_hotplug.h. */
#include "qemu_hotplug.h"
#include "qemu_command.h"
#include "qemu_domain.h"
#include "domain_addr.h"
#include "domain_parse.h"
#include "vccw_error.h"
#include "vccw_number.h"
#include "vccw_xml.h"

#include <stdio.h>
#include <string.h>

#define PERIPHERAL "/machine/peripheral"
#define PERIPHERAL_ANON "/machine/peripheral-anon"

void
vccw_hotplug_result_clear(VccwHotplugResult *res)
{
    g_clear_pointer(&res->id, g_free);
    g_clear_pointer(&res->devno, g_free);
    g_clear_pointer(&res->driver, g_free);
}

/* ---- what QEMU has ----------------------------------------------------------- */

typedef struct {
    char *path;       /* /machine/peripheral/rng0 */
    char *id;         /* rng0, NULL for anonymous devices */
    char *type;       /* virtio-rng-ccw */
    char *devno;      /* fe.0.0001, NULL when not a CCW device */
} QemuDev;

static void
qemu_dev_free(QemuDev *d)
{
    g_free(d->path);
    g_free(d->id);
    g_free(d->type);
    g_free(d->devno);
    g_free(d);
}

static json_object *
qmp_args(const char *k1, const char *v1, const char *k2, const char *v2)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, k1, json_object_new_string(v1));
    if (k2)
        json_object_object_add(o, k2, json_object_new_string(v2));
    return o;
}

/* qom-get of a string property; NULL when absent or not a string. */
static char *
qom_get_str(VccwQmp *qmp, const char *path, const char *prop)
{
    g_autoptr(json_object) args = qmp_args("path", path, "property", prop);
    g_autoptr(json_object) ret = vccw_qmp_execute(qmp, "qom-get", args, NULL);

    if (!ret || !json_object_is_type(ret, json_type_string))
        return NULL;
    return g_strdup(json_object_get_string(ret));
}

/* Every user-created device, with its CCW devno when it has one. */
static GPtrArray *
qemu_devices(VccwQmp *qmp, GError **err)
{
    static const char *const bases[] = { PERIPHERAL, PERIPHERAL_ANON };
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_dev_free);

    for (size_t b = 0; b < G_N_ELEMENTS(bases); b++) {
        g_autoptr(json_object) args = qmp_args("path", bases[b], NULL, NULL);
        g_autoptr(GError) e = NULL;
        g_autoptr(json_object) list = vccw_qmp_execute(qmp, "qom-list", args, &e);

        if (!list) {
            if (vccw_qmp_last_error_class(qmp))
                continue;   /* no such container: no devices there */
            g_propagate_error(err, g_steal_pointer(&e));
            return NULL;
        }
        for (size_t i = 0; json_object_is_type(list, json_type_array) &&
                           i < json_object_array_length(list); i++) {
            json_object *ent = json_object_array_get_idx(list, i), *jn = NULL, *jt = NULL;
            const char *name, *type;
            QemuDev *d;

            if (!json_object_object_get_ex(ent, "name", &jn) ||
                !json_object_object_get_ex(ent, "type", &jt))
                continue;
            name = json_object_get_string(jn);
            type = json_object_get_string(jt);
            if (!g_str_has_prefix(type, "child<") || !g_str_has_suffix(type, ">"))
                continue;
            d = g_new0(QemuDev, 1);
            d->path = g_strdup_printf("%s/%s", bases[b], name);
            d->id = b == 0 ? g_strdup(name) : NULL;
            d->type = g_strndup(type + 6, strlen(type) - 7);
            d->devno = qom_get_str(qmp, d->path, "dev_id");
            if (d->devno && !strchr(d->devno, '.'))
                g_clear_pointer(&d->devno, g_free);   /* "<unset>" */
            g_ptr_array_add(out, d);
        }
    }
    return g_steal_pointer(&out);
}

static bool
parse_qemu_devno(const char *s, VccwCcwAddr *addr)
{
    unsigned int c, ss, d;
    char tail;

    if (!s || sscanf(s, "%x.%x.%x%c", &c, &ss, &d, &tail) != 3 ||
        c > VCCW_CCW_MAX_CSSID || ss > VCCW_CCW_MAX_SSID || d > VCCW_CCW_MAX_DEVNO)
        return false;
    addr->cssid = c;
    addr->ssid = ss;
    addr->devno = d;
    addr->assigned = true;
    return true;
}

static bool
qemu_id_used(GPtrArray *qdevs, const char *id)
{
    for (guint i = 0; i < qdevs->len; i++) {
        const QemuDev *d = g_ptr_array_index(qdevs, i);
        if (g_strcmp0(d->id, id) == 0)
            return true;
    }
    return false;
}

/* ---- the device inside the domain ---------------------------------------------- */

/* @dom_xml with the root element of @dev_xml appended to <devices>;
 * *@cls is the device's class. */
static char *
insert_device(const char *dom_xml, size_t dom_len, const char *dev_xml, size_t dev_len,
              VccwDevClass *cls, GError **err)
{
    xmlDocPtr dom = NULL, dev = NULL;
    xmlNodePtr droot, devices, copy;
    xmlChar *mem = NULL;
    char *out = NULL;
    int size = 0, c;

    if (!(dom = vccw_domain_xml_read(dom_xml, dom_len, "domain", err)) ||
        !(dev = vccw_domain_xml_read(dev_xml, dev_len, "device", err)))
        goto cleanup;
    droot = xmlDocGetRootElement(dev);
    if ((c = vccw_dev_class_from_string((const char *)droot->name)) < 0) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "unknown device type '%s'", droot->name);
        goto cleanup;
    }
    *cls = c;
    if (!(devices = vccw_xml_child(xmlDocGetRootElement(dom), "devices")))
        devices = xmlNewChild(xmlDocGetRootElement(dom), NULL, BAD_CAST "devices", NULL);
    copy = xmlDocCopyNode(droot, dom, 1);
    xmlAddChild(devices, copy);
    xmlDocDumpMemory(dom, &mem, &size);
    out = g_strndup((const char *)mem, (gsize)size);
    xmlFree(mem);
 cleanup:
    if (dom)
        xmlFreeDoc(dom);
    if (dev)
        xmlFreeDoc(dev);
    return out;
}

/* One option of a command line: "-device" and its value. */
typedef struct {
    const char *opt;
    const char *val;   /* NULL for options without a value */
} Opt;

static GArray *
argv_options(const VccwQemuCommand *cmd)
{
    GArray *opts = g_array_new(FALSE, TRUE, sizeof(Opt));
    GPtrArray *a = cmd->argv;

    for (guint i = 1; i < a->len; i++) {
        Opt o = { .opt = g_ptr_array_index(a, i) };
        if (i + 1 < a->len && ((const char *)g_ptr_array_index(a, i + 1))[0] != '-')
            o.val = g_ptr_array_index(a, ++i);
        g_array_append_val(opts, o);
    }
    return opts;
}

static bool
opt_equal(const Opt *a, const Opt *b)
{
    return g_str_equal(a->opt, b->opt) && g_strcmp0(a->val, b->val) == 0;
}

/* The options @with has beyond @base, which must be @base with options
 * inserted; false when anything else differs. */
static bool
argv_added(const VccwQemuCommand *base, const VccwQemuCommand *with, GArray *added,
           GError **err)
{
    g_autoptr(GArray) a = argv_options(base);
    g_autoptr(GArray) b = argv_options(with);
    guint i = 0, j = 0;

    while (j < b->len) {
        const Opt *ob = &g_array_index(b, Opt, j);
        if (i < a->len && opt_equal(&g_array_index(a, Opt, i), ob)) {
            i++;
        } else {
            g_array_append_val(added, *ob);
        }
        j++;
    }
    if (i != a->len) {
        const Opt *oa = &g_array_index(a, Opt, i);
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "hot-plugging this device would change the existing command line (%s %s): not supported",
                       oa->opt, oa->val ? oa->val : "");
        return false;
    }
    return true;
}

/* The -device and -object options the new device brings, as QMP
 * arguments; false when it needs anything else. */
static bool
hotplug_plan(const VccwQemuCommand *base, const VccwQemuCommand *with, GPtrArray *objects,
             json_object **device, GError **err)
{
    g_autoptr(GArray) added = g_array_new(FALSE, TRUE, sizeof(Opt));

    *device = NULL;
    if (!argv_added(base, with, added, err))
        return false;
    for (guint i = 0; i < added->len; i++) {
        const Opt *o = &g_array_index(added, Opt, i);
        json_object *props = NULL;
        bool is_dev = g_str_equal(o->opt, "-device"), is_obj = g_str_equal(o->opt, "-object");

        if ((is_dev || is_obj) && o->val && o->val[0] == '{')
            props = json_tokener_parse(o->val);
        if (!props || !json_object_is_type(props, json_type_object) || (is_dev && *device)) {
            if (props)
                json_object_put(props);
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "hot-plugging this device needs '%s %s', which cannot be hot-plugged",
                           o->opt, o->val ? o->val : "");
            g_clear_pointer(device, json_object_put);
            return false;
        }
        if (is_dev)
            *device = props;
        else
            g_ptr_array_add(objects, props);
    }
    if (!*device) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "this device has no QEMU device of its own to hot-plug");
        return false;
    }
    return true;
}

static void
json_unref(gpointer o)
{
    json_object_put(o);
}

static const char *
jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
           ? json_object_get_string(v) : NULL;
}

static char *
strip_index(const char *id)
{
    size_t n = strlen(id);
    while (n > 0 && g_ascii_isdigit(id[n - 1]))
        n--;
    return g_strndup(id, n);
}

static void
qmp_object_del(VccwQmp *qmp, const char *id)
{
    g_autoptr(json_object) args = qmp_args("id", id, NULL, NULL);

    /* best effort while rolling back: the reply does not matter */
    json_object_put(vccw_qmp_execute(qmp, "object-del", args, NULL));
}

bool
vccw_qemu_attach_device(VccwQmp *qmp, VccwHostdevMgr *mgr, const VccwQemuCaps *caps,
                        const char *dom_xml, size_t dom_len,
                        const char *dev_xml, size_t dev_len,
                        VccwHotplugResult *res, GPtrArray *report, GError **err)
{
    g_autoptr(VccwDomainDef) base = NULL, with = NULL, parsed = NULL;
    g_autoptr(VccwQemuCommand) cmd_base = NULL, cmd_with = NULL;
    g_autoptr(GPtrArray) qdevs = NULL;
    g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func(json_unref);
    g_autoptr(GPtrArray) added_objs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(json_object) device = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autoptr(VccwCcwAddrSet) set = vccw_ccw_addr_set_new();
    g_autofree char *synthetic = NULL;
    g_autofree char *claimed_before = NULL;
    VccwDevClass cls = VCCW_DEV_LAST;
    VccwDevice *newdev, *pdev;
    VccwHostdevSpec spec;
    bool hostdev, prepared = false;
    guint nbase;

    memset(res, 0, sizeof(*res));
    if (!vccw_qemu_caps_has(caps, VCCW_QEMU_CAPS_DEVICE_JSON)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "hot-plug needs a QEMU whose -device takes JSON (QEMU 6.2 or later)");
        return false;
    }
    /* the running domain as started, and the domain with the device */
    if (!(base = vccw_qemu_domain_load(dom_xml, dom_len, "domain", caps, err)) ||
        !(synthetic = insert_device(dom_xml, dom_len, dev_xml, dev_len, &cls, err)) ||
        !(parsed = vccw_domain_load_parse_only(synthetic, strlen(synthetic), "device", err)) ||
        !(with = vccw_qemu_domain_load(synthetic, strlen(synthetic), "device", caps, err)))
        return false;
    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        if (vccw_domain_ndevs(with, c) != vccw_domain_ndevs(base, c) + (c == cls)) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "adding this %s changes the domain's other %s devices: not supported live",
                           vccw_dev_class_to_string(cls), vccw_dev_class_to_string(c));
            return false;
        }
    }
    nbase = vccw_domain_ndevs(base, cls);
    newdev = vccw_domain_dev(with, cls, nbase);
    pdev = vccw_domain_dev(parsed, cls, vccw_domain_ndevs(parsed, cls) - 1);
    if (!vccw_device_wants_ccw(newdev)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "this %s device does not sit on the CCW bus: virtccw hot-plugs CCW devices only",
                       vccw_dev_class_to_string(cls));
        return false;
    }

    memcpy(with->uuid, base->uuid, VCCW_UUID_BUFLEN);   /* generated when absent */

    /* every address in use: the domain's (as assigned at start) and QEMU's */
    if (!(qdevs = qemu_devices(qmp, err)))
        return false;
    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        for (guint i = 0; i < vccw_domain_ndevs(base, c); i++) {
            const VccwDevice *d = vccw_domain_dev(base, c, i);
            if (d->info.addr.type == VCCW_ADDR_CCW && d->info.addr.u.ccw.assigned)
                vccw_ccw_addr_set_reserve(set, &d->info.addr.u.ccw, NULL);
            /* the others keep what they had at start (and what was
             * generated for them: addresses, MACs) */
            vccw_domain_dev(with, c, i)->info.addr = d->info.addr;
            if (c == VCCW_DEV_NET)
                memcpy(vccw_domain_dev(with, c, i)->u.net.mac, d->u.net.mac, sizeof(d->u.net.mac));
        }
    }
    for (guint i = 0; i < qdevs->len; i++) {
        const QemuDev *q = g_ptr_array_index(qdevs, i);
        VccwCcwAddr a;
        if (parse_qemu_devno(q->devno, &a))
            vccw_ccw_addr_set_reserve(set, &a, NULL);
    }
    if (pdev->info.addr.type == VCCW_ADDR_CCW && pdev->info.addr.u.ccw.assigned) {
        newdev->info.addr = pdev->info.addr;
        if (!vccw_ccw_addr_set_reserve(set, &newdev->info.addr.u.ccw, err))
            return false;
    } else {
        newdev->info.addr.type = VCCW_ADDR_CCW;
        memset(&newdev->info.addr.u.ccw, 0, sizeof(newdev->info.addr.u.ccw));
        if (!vccw_ccw_addr_set_assign(set, &newdev->info.addr.u.ccw, err))
            return false;
    }

    /* the id the command line would give it, unless QEMU has it already */
    if (!(cmd_base = vccw_qemu_build_command(base, caps, err)) ||
        !(cmd_with = vccw_qemu_build_command(with, caps, err)) ||
        !hotplug_plan(cmd_base, cmd_with, objects, &device, err))
        return false;
    if (jstr(device, "id") && qemu_id_used(qdevs, jstr(device, "id"))) {
        g_autofree char *prefix = NULL;
        unsigned int n = 0;

        if (newdev->info.alias) {
            vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                           "a device with alias '%s' already exists in the running domain",
                           newdev->info.alias);
            return false;
        }
        prefix = strip_index(jstr(device, "id"));
        do {
            g_free(newdev->info.alias);
            newdev->info.alias = g_strdup_printf("%s%u", prefix, n++);
        } while (qemu_id_used(qdevs, newdev->info.alias));
        g_ptr_array_set_size(objects, 0);
        g_clear_pointer(&device, json_object_put);
        g_clear_pointer(&cmd_with, vccw_qemu_command_free);
        if (!(cmd_with = vccw_qemu_build_command(with, caps, err)) ||
            !hotplug_plan(cmd_base, cmd_with, objects, &device, err))
            return false;
    }
    res->id = g_strdup(jstr(device, "id"));
    res->driver = g_strdup(jstr(device, "driver"));
    res->devno = vccw_ccw_addr_qemu_string(&newdev->info.addr.u.ccw);

    /* the host first */
    hostdev = vccw_hostdev_spec_from_device(newdev, &spec);
    if (hostdev) {
        if (!mgr) {
            vccw_error_set(err, VCCW_ERR_INTERNAL, "no host to prepare the hostdev on");
            return false;
        }
        claimed_before = vccw_hostdev_claimed_by(mgr, spec.uuid, NULL);
        if (!vccw_hostdev_prepare(mgr, with->name, &spec, 1, report, err))
            return false;
        prepared = !claimed_before;
    }

    /* then QEMU: backends, then the device */
    for (guint i = 0; i < objects->len; i++) {
        json_object *o = g_ptr_array_index(objects, i);
        g_autoptr(json_object) r = vccw_qmp_execute(qmp, "object-add", o, err);
        if (!r)
            goto rollback;
        g_ptr_array_add(added_objs, g_strdup(jstr(o, "id")));
    }
    if (!(ret = vccw_qmp_execute(qmp, "device_add", device, err)))
        goto rollback;
    if (report)
        g_ptr_array_add(report, g_strdup_printf("device %s (%s) added at %s", res->id, res->driver,
                                                res->devno));
    return true;

 rollback:
    for (guint i = added_objs->len; i-- > 0;)
        qmp_object_del(qmp, g_ptr_array_index(added_objs, i));
    if (prepared) {
        g_autoptr(GError) e = NULL;
        if (!vccw_hostdev_release(mgr, with->name, spec.uuid, report, &e))
            vccw_error_append(err, "; giving the host device back failed too: %s", e->message);
        else if (report)
            g_ptr_array_add(report, g_strdup("QEMU refused the device: the host is back as it was"));
    }
    vccw_hotplug_result_clear(res);
    return false;
}

/* ---- detach -------------------------------------------------------------------- */

typedef struct {
    VccwDevClass cls;
    bool has_uuid;
    char uuid[VCCW_UUID_STRING_BUFLEN];
    bool has_addr;
    VccwCcwAddr addr;
    char *alias;
} DevKey;

static bool
parse_dev_key(const char *xml, size_t len, DevKey *key, GError **err)
{
    xmlDocPtr doc = vccw_domain_xml_read(xml, len, "device", err);
    xmlNodePtr root, addr, alias;
    bool ok = false;
    int c;

    if (!doc)
        return false;
    root = xmlDocGetRootElement(doc);
    if ((c = vccw_dev_class_from_string((const char *)root->name)) < 0) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "unknown device type '%s'", root->name);
        goto out;
    }
    key->cls = c;
    if (c == VCCW_DEV_HOSTDEV) {
        xmlNodePtr src = vccw_xml_child(root, "source");
        xmlNodePtr sa = src ? vccw_xml_child(src, "address") : NULL;
        g_autofree char *uuid = sa ? vccw_xml_prop(sa, "uuid") : NULL;
        unsigned char raw[VCCW_UUID_BUFLEN];

        if (uuid) {
            if (!vccw_uuid_parse(uuid, raw)) {
                vccw_error_set(err, VCCW_ERR_INTERNAL, "Cannot parse uuid attribute of element <address>");
                goto out;
            }
            vccw_uuid_format(raw, key->uuid);
            key->has_uuid = true;
        }
    }
    for (xmlNodePtr cur = vccw_xml_next_element(root->children); cur;
         cur = vccw_xml_next_element(cur->next)) {
        g_autofree char *type = NULL;

        if (!xmlStrEqual(cur->name, BAD_CAST "address"))
            continue;
        addr = cur;
        type = vccw_xml_prop(addr, "type");
        if (g_strcmp0(type, "ccw") == 0) {
            g_autofree char *cs = vccw_xml_prop(addr, "cssid");
            g_autofree char *ss = vccw_xml_prop(addr, "ssid");
            g_autofree char *dn = vccw_xml_prop(addr, "devno");
            if (cs && ss && dn) {
                if (!vccw_parse_uint(cs, 0, &key->addr.cssid) ||
                    !vccw_parse_uint(ss, 0, &key->addr.ssid) ||
                    !vccw_parse_uint(dn, 0, &key->addr.devno) ||
                    key->addr.cssid > VCCW_CCW_MAX_CSSID || key->addr.ssid > VCCW_CCW_MAX_SSID ||
                    key->addr.devno > VCCW_CCW_MAX_DEVNO) {
                    vccw_error_set(err, VCCW_ERR_INTERNAL,
                                   "Invalid specification for virtio ccw address: cssid='%s' ssid='%s' devno='%s'",
                                   cs, ss, dn);
                    goto out;
                }
                key->addr.assigned = key->has_addr = true;
            }
        }
    }
    if ((alias = vccw_xml_child(root, "alias")))
        key->alias = vccw_xml_prop(alias, "name");
    if (!key->has_uuid && !key->has_addr && !key->alias) {
        vccw_error_set(err, VCCW_ERR_OPERATION_FAILED,
                       "cannot tell which %s to detach: give its CCW <address>, its <alias name=...>%s",
                       root->name, c == VCCW_DEV_HOSTDEV ? " or its mdev uuid" : "");
        goto out;
    }
    ok = true;
 out:
    xmlFreeDoc(doc);
    return ok;
}

static QemuDev *
find_qemu_device(VccwQmp *qmp, GPtrArray *qdevs, const DevKey *key)
{
    g_autofree char *want_devno = key->has_addr ? vccw_ccw_addr_qemu_string(&key->addr) : NULL;

    for (guint i = 0; i < qdevs->len; i++) {
        QemuDev *d = g_ptr_array_index(qdevs, i);

        if (key->alias && g_strcmp0(d->id, key->alias) != 0)
            continue;
        if (want_devno && g_strcmp0(d->devno, want_devno) != 0)
            continue;
        if (key->has_uuid) {
            g_autofree char *sysfsdev = NULL;
            if (!g_str_equal(d->type, "vfio-ccw"))
                continue;
            sysfsdev = qom_get_str(qmp, d->path, "sysfsdev");
            if (!sysfsdev || !g_str_has_suffix(sysfsdev, key->uuid) ||
                g_ascii_strcasecmp(sysfsdev + strlen(sysfsdev) - strlen(key->uuid), key->uuid) != 0)
                continue;
        }
        return d;
    }
    return NULL;
}

/* The objects a device links to that were created for it ("obj" + id,
 * libvirt's naming): deleted once the device is gone. */
static GPtrArray *
device_own_objects(VccwQmp *qmp, const QemuDev *d)
{
    g_autoptr(json_object) args = qmp_args("path", d->path, NULL, NULL);
    g_autoptr(json_object) props = vccw_qmp_execute(qmp, "qom-list", args, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *own = d->id ? g_strdup_printf("/objects/obj%s", d->id) : NULL;

    for (size_t i = 0; own && props && json_object_is_type(props, json_type_array) &&
                       i < json_object_array_length(props); i++) {
        json_object *p = json_object_array_get_idx(props, i);
        const char *name = jstr(p, "name"), *type = jstr(p, "type");
        g_autofree char *target = NULL;

        if (!name || !type || !g_str_has_prefix(type, "link<") || g_str_equal(name, "parent_bus"))
            continue;
        target = qom_get_str(qmp, d->path, name);
        if (target && g_str_equal(target, own))
            g_ptr_array_add(out, g_strdup(own + strlen("/objects/")));
    }
    return out;
}

static bool
wait_deleted(VccwQmp *qmp, const QemuDev *d, unsigned int timeout_ms, GError **err)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    for (;;) {
        g_autoptr(GError) e = NULL;
        g_autoptr(json_object) ev = NULL;
        json_object *data = NULL;

        if (g_get_monotonic_time() >= deadline ||
            !(ev = vccw_qmp_wait_event_until(qmp, "DEVICE_DELETED", deadline, &e))) {
            /* an error before the deadline is the monitor's (EOF, junk) */
            if (e && g_get_monotonic_time() < deadline) {
                g_propagate_error(err, g_steal_pointer(&e));
                return false;
            }
            vccw_error_set(err, VCCW_ERR_OPERATION_TIMEOUT,
                           "device '%s' was not removed by QEMU within %u ms: it stays assigned to the guest, the host is unchanged",
                           d->id ? d->id : d->path, timeout_ms);
            return false;
        }
        if (json_object_object_get_ex(ev, "data", &data) &&
            ((d->id && g_strcmp0(jstr(data, "device"), d->id) == 0) ||
             g_strcmp0(jstr(data, "path"), d->path) == 0))
            return true;
    }
}

bool
vccw_qemu_detach_device(VccwQmp *qmp, VccwHostdevMgr *mgr,
                        const char *dom_xml, size_t dom_len,
                        const char *dev_xml, size_t dev_len, unsigned int timeout_ms,
                        VccwHotplugResult *res, GPtrArray *report, GError **err)
{
    DevKey key = { 0 };
    g_autofree char *name = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GPtrArray) qdevs = NULL;
    g_autoptr(GPtrArray) objs = NULL;
    g_autoptr(json_object) args = NULL;
    g_autoptr(json_object) ret = NULL;
    QemuDev *d;
    bool ok = false;

    memset(res, 0, sizeof(*res));
    if (!vccw_hostdev_specs_from_xml(dom_xml, dom_len, &name, &specs, err) ||
        !parse_dev_key(dev_xml, dev_len, &key, err))
        goto out;
    if (!(qdevs = qemu_devices(qmp, err)))
        goto out;
    if (!(d = find_qemu_device(qmp, qdevs, &key))) {
        g_autofree char *holder = NULL;
        unsigned char raw[VCCW_UUID_BUFLEN];

        /* an attach that stopped between the host and QEMU: nothing in
         * QEMU to remove, but the host is still prepared for it */
        if (key.has_uuid && mgr && vccw_uuid_parse(key.uuid, raw) &&
            (holder = vccw_hostdev_claimed_by(mgr, raw, NULL)) && g_str_equal(holder, name)) {
            if (report)
                g_ptr_array_add(report, g_strdup_printf("mediated device %s is not in the running domain; releasing what was prepared for it",
                                                        key.uuid));
            ok = vccw_hostdev_release(mgr, name, raw, report, err);
            goto out;
        }
        if (key.has_uuid)
            vccw_error_set(err, VCCW_ERR_NO_DEVICE, "mediated device '%s' not found in the running domain",
                           key.uuid);
        else
            vccw_error_set(err, VCCW_ERR_NO_DEVICE, "no matching %s in the running domain",
                           vccw_dev_class_to_string(key.cls));
        goto out;
    }
    res->id = g_strdup(d->id ? d->id : d->path);
    res->driver = g_strdup(d->type);
    res->devno = g_strdup(d->devno);
    objs = device_own_objects(qmp, d);
    args = qmp_args("id", d->id ? d->id : d->path, NULL, NULL);
    if (!(ret = vccw_qmp_execute(qmp, "device_del", args, err)) ||
        !wait_deleted(qmp, d, timeout_ms, err))
        goto out;
    if (report)
        g_ptr_array_add(report, g_strdup_printf("device %s (%s) removed from %s", res->id, d->type,
                                                d->devno ? d->devno : "?"));
    for (guint i = 0; i < objs->len; i++)
        qmp_object_del(qmp, g_ptr_array_index(objs, i));
    if (key.has_uuid) {
        unsigned char raw[VCCW_UUID_BUFLEN];
        vccw_uuid_parse(key.uuid, raw);
        if (!mgr) {
            vccw_error_set(err, VCCW_ERR_INTERNAL, "no host to release the hostdev on");
            goto out;
        }
        if (!vccw_hostdev_release(mgr, name, raw, report, err))
            goto out;
    }
    ok = true;
 out:
    g_free(key.alias);
    if (!ok)
        vccw_hotplug_result_clear(res);
    return ok;
}
