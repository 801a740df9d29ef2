/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: VccwDomainDef -> domain XML, as `virsh dumpxml --inactive`
 * prints it for what we model (element and attribute order included). */
#include "domain_format.h"
#include "vccw_xml.h"

#include <stdbool.h>
#include <string.h>

/* An element under construction: attributes, then either children
 * (nested elements), text, or nothing (self-closing). */
typedef struct {
    GString *attrs;
    GString *body;
} Elem;

static void
elem_init(Elem *e)
{
    e->attrs = g_string_new(NULL);
    e->body = g_string_new(NULL);
}

static void
attr(Elem *e, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(e->attrs, " %s='", name);
    vccw_xml_escape(e->attrs, value);
    g_string_append_c(e->attrs, '\'');
}

static void G_GNUC_PRINTF(3, 4)
attrf(Elem *e, const char *name, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *val = NULL;

    va_start(ap, fmt);
    val = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    attr(e, name, val);
}

static void
indent(GString *out, int level)
{
    for (int i = 0; i < level; i++)
        g_string_append(out, "  ");
}

/* Emit @e as <name .../> or with its body, and release it. */
static void
elem_emit(GString *out, int level, const char *name, Elem *e, bool body_is_text)
{
    indent(out, level);
    g_string_append_printf(out, "<%s%s", name, e->attrs->str);
    if (e->body->len == 0) {
        g_string_append(out, "/>\n");
    } else if (body_is_text) {
        g_string_append_printf(out, ">%s</%s>\n", e->body->str, name);
    } else {
        g_string_append_printf(out, ">\n%s", e->body->str);
        indent(out, level);
        g_string_append_printf(out, "</%s>\n", name);
    }
    g_string_free(e->attrs, TRUE);
    g_string_free(e->body, TRUE);
}

static void
text_elem(GString *out, int level, const char *name, const char *text)
{
    Elem e;

    if (!text)
        return;
    elem_init(&e);
    vccw_xml_escape(e.body, text);
    if (e.body->len == 0) {
        indent(out, level);
        g_string_append_printf(out, "<%s></%s>\n", name, name);
        g_string_free(e.attrs, TRUE);
        g_string_free(e.body, TRUE);
        return;
    }
    elem_emit(out, level, name, &e, true);
}

static void
simple_elem(GString *out, int level, const char *name,
            const char *a1, const char *v1, const char *a2, const char *v2)
{
    Elem e;

    elem_init(&e);
    attr(&e, a1, v1);
    if (a2)
        attr(&e, a2, v2);
    elem_emit(out, level, name, &e, false);
}

static void
format_address(GString *out, int level, const VccwDeviceAddress *addr)
{
    Elem e;

    if (addr->type == VCCW_ADDR_NONE)
        return;
    elem_init(&e);
    attr(&e, "type", vccw_addr_type_to_string(addr->type));
    switch (addr->type) {
    case VCCW_ADDR_CCW:
        if (addr->u.ccw.assigned) {
            attrf(&e, "cssid", "0x%x", addr->u.ccw.cssid);
            attrf(&e, "ssid", "0x%x", addr->u.ccw.ssid);
            attrf(&e, "devno", "0x%04x", addr->u.ccw.devno);
        }
        break;
    case VCCW_ADDR_PCI:
        attrf(&e, "domain", "0x%04x", addr->u.pci.domain);
        attrf(&e, "bus", "0x%02x", addr->u.pci.bus);
        attrf(&e, "slot", "0x%02x", addr->u.pci.slot);
        attrf(&e, "function", "0x%x", addr->u.pci.function);
        if (addr->u.pci.multifunction)
            attr(&e, "multifunction", vccw_tristate_switch_to_string(addr->u.pci.multifunction));
        break;
    case VCCW_ADDR_DRIVE:
        attrf(&e, "controller", "%u", addr->u.drive.controller);
        attrf(&e, "bus", "%u", addr->u.drive.bus);
        attrf(&e, "target", "%u", addr->u.drive.target);
        attrf(&e, "unit", "%u", addr->u.drive.unit);
        break;
    case VCCW_ADDR_VIRTIO_SERIAL:
        attrf(&e, "controller", "%u", addr->u.vserial.controller);
        attrf(&e, "bus", "%u", addr->u.vserial.bus);
        attrf(&e, "port", "%u", addr->u.vserial.port);
        break;
    default:
        break;
    }
    elem_emit(out, level, "address", &e, false);
}

static void
format_boot(GString *out, int level, const VccwDeviceInfo *info)
{
    g_autofree char *order = NULL;

    if (!info->boot_order)
        return;
    order = g_strdup_printf("%u", info->boot_order);
    simple_elem(out, level, "boot", "order", order, "loadparm", info->loadparm);
}

static void
format_alias(GString *out, int level, const VccwDeviceInfo *info)
{
    if (info->alias)
        simple_elem(out, level, "alias", "name", info->alias, NULL, NULL);
}

/* ---- devices: each fills the element's attributes and body ---------- */

static void
format_disk(Elem *e, int l, const VccwDevice *dev)
{
    const VccwDiskDef *d = &dev->u.disk;
    Elem drv;

    attr(e, "type", vccw_disk_type_to_string(d->type));
    attr(e, "device", vccw_disk_device_to_string(d->device));
    elem_init(&drv);
    attr(&drv, "name", d->driver_name);
    attr(&drv, "type", d->format);
    attr(&drv, "cache", d->cache);
    attr(&drv, "io", d->io);
    if (drv.attrs->len)
        elem_emit(e->body, l, "driver", &drv, false);
    else {
        g_string_free(drv.attrs, TRUE);
        g_string_free(drv.body, TRUE);
    }
    if (d->source)
        simple_elem(e->body, l, "source",
                    d->type == VCCW_DISK_TYPE_FILE ? "file" : "dev", d->source, NULL, NULL);
    simple_elem(e->body, l, "target", "dev", d->target_dev,
                "bus", vccw_disk_bus_to_string(d->bus));
    format_boot(e->body, l, &dev->info);
    if (d->readonly)
        simple_elem(e->body, l, "readonly", NULL, NULL, NULL, NULL);
    if (d->shareable)
        simple_elem(e->body, l, "shareable", NULL, NULL, NULL, NULL);
    text_elem(e->body, l, "serial", d->serial);
}

static void
format_net(Elem *e, int l, const VccwDevice *dev)
{
    const VccwNetDef *n = &dev->u.net;

    attr(e, "type", vccw_net_type_to_string(n->type));
    if (n->mac_set) {
        g_autofree char *mac = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                                               n->mac[0], n->mac[1], n->mac[2],
                                               n->mac[3], n->mac[4], n->mac[5]);
        simple_elem(e->body, l, "mac", "address", mac, NULL, NULL);
    }
    if (n->source)
        simple_elem(e->body, l, "source",
                    n->type == VCCW_NET_BRIDGE ? "bridge" : "network", n->source, NULL, NULL);
    if (n->target_dev)
        simple_elem(e->body, l, "target", "dev", n->target_dev,
                    n->type == VCCW_NET_ETHERNET ? "managed" : NULL, "no");
    if (n->model)
        simple_elem(e->body, l, "model", "type", n->model, NULL, NULL);
    format_boot(e->body, l, &dev->info);
}

static void
format_hostdev(Elem *e, int l, const VccwDevice *dev)
{
    const VccwHostdevDef *h = &dev->u.hostdev;
    Elem src;

    attr(e, "mode", "subsystem");
    attr(e, "type", vccw_hostdev_type_to_string(h->type));
    if (h->managed)
        attr(e, "managed", vccw_tristate_bool_to_string(h->managed));
    elem_init(&src);
    if (h->type == VCCW_HOSTDEV_TYPE_MDEV) {
        char uuid[VCCW_UUID_STRING_BUFLEN];
        attr(e, "model", vccw_hostdev_model_to_string(h->model));
        if (h->display)
            attr(e, "display", vccw_tristate_switch_to_string(h->display));
        if (h->ramfb)
            attr(e, "ramfb", vccw_tristate_switch_to_string(h->ramfb));
        vccw_uuid_format(h->uuid, uuid);
        simple_elem(src.body, l + 1, "address", "uuid", uuid, NULL, NULL);
    } else {
        Elem a;
        elem_init(&a);
        attrf(&a, "domain", "0x%04x", h->pci_source.domain);
        attrf(&a, "bus", "0x%02x", h->pci_source.bus);
        attrf(&a, "slot", "0x%02x", h->pci_source.slot);
        attrf(&a, "function", "0x%x", h->pci_source.function);
        elem_emit(src.body, l + 1, "address", &a, false);
    }
    elem_emit(e->body, l, "source", &src, false);
    format_boot(e->body, l, &dev->info);
}

static void
format_controller(Elem *e, int l, const VccwDevice *dev)
{
    const VccwControllerDef *c = &dev->u.controller;

    attr(e, "type", vccw_controller_type_to_string(c->type));
    attrf(e, "index", "%u", c->index);
    attr(e, "model", c->model);
    if (c->ports >= 0)
        attrf(e, "ports", "%d", c->ports);
    if (c->vectors >= 0)
        attrf(e, "vectors", "%d", c->vectors);
}

static void
format_chr(Elem *e, int l, const VccwDevice *dev)
{
    const VccwChrDef *c = &dev->u.chr;
    Elem tgt;

    attr(e, "type", vccw_chr_type_to_string(c->type));
    if (c->source_path || c->source_mode)
        simple_elem(e->body, l, "source", "mode", c->source_mode, "path", c->source_path);
    elem_init(&tgt);
    attr(&tgt, "type", c->target_type);
    if (c->target_port >= 0)
        attrf(&tgt, "port", "%d", c->target_port);
    attr(&tgt, "name", c->target_name);
    if (c->target_model)
        simple_elem(tgt.body, l + 1, "model", "name", c->target_model, NULL, NULL);
    elem_emit(e->body, l, "target", &tgt, false);
}

static void
format_input(Elem *e, int l, const VccwDevice *dev)
{
    attr(e, "type", vccw_input_type_to_string(dev->u.input.type));
    attr(e, "bus", dev->u.input.bus);
}

static void
format_fs(Elem *e, int l, const VccwDevice *dev)
{
    const VccwFsDef *f = &dev->u.fs;

    attr(e, "type", "mount");
    attr(e, "accessmode", f->accessmode ? f->accessmode : "passthrough");
    if (f->driver_type)
        simple_elem(e->body, l, "driver", "type", f->driver_type, NULL, NULL);
    simple_elem(e->body, l, "source", "dir", f->source_dir, NULL, NULL);
    simple_elem(e->body, l, "target", "dir", f->target_dir, NULL, NULL);
    if (f->readonly)
        simple_elem(e->body, l, "readonly", NULL, NULL, NULL, NULL);
}

static void
format_watchdog(Elem *e, int l, const VccwDevice *dev)
{
    attr(e, "model", dev->u.watchdog.model);
    attr(e, "action", dev->u.watchdog.action ? dev->u.watchdog.action : "reset");
}

static void
format_memballoon(Elem *e, int l, const VccwDevice *dev)
{
    const VccwMemballoonDef *b = &dev->u.balloon;

    attr(e, "model", b->model);
    if (b->autodeflate)
        attr(e, "autodeflate", vccw_tristate_switch_to_string(b->autodeflate));
    if (b->free_page_reporting)
        attr(e, "freePageReporting", vccw_tristate_switch_to_string(b->free_page_reporting));
    if (b->stats_period >= 0) {
        g_autofree char *p = g_strdup_printf("%d", b->stats_period);
        simple_elem(e->body, l, "stats", "period", p, NULL, NULL);
    }
}

static void
format_rng(Elem *e, int l, const VccwDevice *dev)
{
    const VccwRngDef *r = &dev->u.rng;
    Elem be;

    attr(e, "model", r->model);
    elem_init(&be);
    attr(&be, "model", r->backend_model);
    if (r->backend_file)
        vccw_xml_escape(be.body, r->backend_file);
    elem_emit(e->body, l, "backend", &be, true);
}

static void
format_vsock(Elem *e, int l, const VccwDevice *dev)
{
    const VccwVsockDef *v = &dev->u.vsock;

    attr(e, "model", v->model ? v->model : "virtio");
    if (v->cid_auto || v->cid) {
        Elem cid;
        elem_init(&cid);
        if (v->cid_auto)
            attr(&cid, "auto", vccw_tristate_bool_to_string(v->cid_auto));
        if (v->cid)
            attrf(&cid, "address", "%u", v->cid);
        elem_emit(e->body, l, "cid", &cid, false);
    }
}

static void
format_audio(Elem *e, int l, const VccwDevice *dev)
{
    attrf(e, "id", "%u", dev->u.audio.id);
    attr(e, "type", dev->u.audio.type);
}

static void
format_panic(Elem *e, int l, const VccwDevice *dev)
{
    attr(e, "model", dev->u.panic.model);
}

typedef void (*DeviceFormatter)(Elem *e, int level, const VccwDevice *dev);

static const DeviceFormatter device_formatters[VCCW_DEV_LAST] = {
    [VCCW_DEV_DISK] = format_disk,
    [VCCW_DEV_NET] = format_net,
    [VCCW_DEV_HOSTDEV] = format_hostdev,
    [VCCW_DEV_CONTROLLER] = format_controller,
    [VCCW_DEV_SERIAL] = format_chr,
    [VCCW_DEV_CHANNEL] = format_chr,
    [VCCW_DEV_CONSOLE] = format_chr,
    [VCCW_DEV_INPUT] = format_input,
    [VCCW_DEV_FS] = format_fs,
    [VCCW_DEV_WATCHDOG] = format_watchdog,
    [VCCW_DEV_MEMBALLOON] = format_memballoon,
    [VCCW_DEV_RNG] = format_rng,
    [VCCW_DEV_VSOCK] = format_vsock,
    [VCCW_DEV_AUDIO] = format_audio,
    [VCCW_DEV_PANIC] = format_panic,
};

static void
format_device(GString *out, int level, const VccwDevice *dev)
{
    Elem e;

    elem_init(&e);
    /* each formatter places <boot> itself: its position varies */
    device_formatters[dev->cls](&e, level + 1, dev);
    format_alias(e.body, level + 1, &dev->info);
    format_address(e.body, level + 1, &dev->info.addr);
    elem_emit(out, level, vccw_dev_class_to_string(dev->cls), &e, false);
}

static void
format_os(GString *out, const VccwDomainDef *def)
{
    Elem os, type;

    elem_init(&os);
    elem_init(&type);
    attr(&type, "arch", def->arch);
    attr(&type, "machine", def->machine);
    vccw_xml_escape(type.body, def->os_type ? def->os_type : "hvm");
    elem_emit(os.body, 2, "type", &type, true);
    text_elem(os.body, 2, "kernel", def->kernel);
    text_elem(os.body, 2, "initrd", def->initrd);
    text_elem(os.body, 2, "cmdline", def->cmdline);
    for (guint i = 0; i < def->boot_devs->len; i++)
        simple_elem(os.body, 2, "boot", "dev",
                    vccw_boot_dev_to_string(g_array_index(def->boot_devs, VccwBootDev, i)),
                    NULL, NULL);
    elem_emit(out, 1, "os", &os, false);
}

static void
format_cpu(GString *out, const VccwCpuDef *cpu)
{
    Elem e;

    elem_init(&e);
    attr(&e, "mode", cpu->mode);
    attr(&e, "match", cpu->match);
    attr(&e, "check", cpu->check);
    if (cpu->model) {
        Elem m;
        elem_init(&m);
        attr(&m, "fallback", cpu->fallback);
        vccw_xml_escape(m.body, cpu->model);
        elem_emit(e.body, 2, "model", &m, true);
    }
    elem_emit(out, 1, "cpu", &e, false);
}

char *
vccw_domain_def_format(const VccwDomainDef *def)
{
    GString *out = g_string_new(NULL);
    char uuid[VCCW_UUID_STRING_BUFLEN];
    g_autofree char *mem = g_strdup_printf("%llu", def->memory_kib);
    g_autofree char *cur = g_strdup_printf("%llu", def->current_memory_kib);
    Elem e;

    g_string_append_printf(out, "<domain type='%s'>\n", vccw_virt_type_to_string(def->virt_type));
    text_elem(out, 1, "name", def->name);
    vccw_uuid_format(def->uuid, uuid);
    text_elem(out, 1, "uuid", uuid);
    text_elem(out, 1, "title", def->title);
    text_elem(out, 1, "description", def->description);

    elem_init(&e);
    attr(&e, "unit", "KiB");
    g_string_append(e.body, mem);
    elem_emit(out, 1, "memory", &e, true);
    elem_init(&e);
    attr(&e, "unit", "KiB");
    g_string_append(e.body, cur);
    elem_emit(out, 1, "currentMemory", &e, true);

    elem_init(&e);
    attr(&e, "placement", def->vcpu_placement);
    if (def->vcpus_current && def->vcpus_current != def->vcpus)
        attrf(&e, "current", "%u", def->vcpus_current);
    g_string_append_printf(e.body, "%u", def->vcpus);
    elem_emit(out, 1, "vcpu", &e, true);

    format_os(out, def);
    if (def->cpu)
        format_cpu(out, def->cpu);
    simple_elem(out, 1, "clock", "offset", def->clock_offset, NULL, NULL);
    text_elem(out, 1, "on_poweroff", def->on_poweroff);
    text_elem(out, 1, "on_reboot", def->on_reboot);
    text_elem(out, 1, "on_crash", def->on_crash);

    g_string_append(out, "  <devices>\n");
    text_elem(out, 2, "emulator", def->emulator);
    for (size_t o = 0; o < vccw_format_order_len; o++) {
        VccwDevClass cls = vccw_format_order[o];
        for (guint i = 0; i < vccw_domain_ndevs(def, cls); i++) {
            format_device(out, 2, vccw_domain_dev(def, cls, i));
        }
    }
    g_string_append(out, "  </devices>\n</domain>\n");
    return g_string_free(out, FALSE);
}
