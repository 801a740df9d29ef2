/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: domain XML -> VccwDomainDef.
 *
 * Each element has a parse function and a list of the children and
 * attributes we model; anything else is refused by name. Error texts follow
 * libvirt 9.0 for the mistakes libvirt itself reports (see
 * docs/formatdomain-ccw.rst), checked in libvirt's order so that a document
 * with several problems reports the same first one.
 */
#include "domain_parse.h"
#include "libvirt_release.h"
#include "vccw_error.h"
#include "vccw_number.h"
#include "vccw_xml.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Upper bound for an input document: libvirt refuses larger ones too. */
#define VCCW_DOMAIN_XML_MAX (10 * 1024 * 1024)

/* ---- addresses and common device info ------------------------------ */

static bool
parse_ccw_address(xmlNodePtr node, VccwCcwAddr *ccw, GError **err)
{
    static const char *const names[] = { "cssid", "ssid", "devno" };
    unsigned int *vals[] = { &ccw->cssid, &ccw->ssid, &ccw->devno };
    int present = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        int rc = vccw_xml_prop_uint(node, names[i], 0, VCCW_XML_PROP_OPTIONAL,
                                    vals[i], err);
        if (rc < 0)
            return false;
        present += rc;
    }
    if (present == 3) {
        if (ccw->cssid > VCCW_CCW_MAX_CSSID || ccw->ssid > VCCW_CCW_MAX_SSID ||
            ccw->devno > VCCW_CCW_MAX_DEVNO) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "Invalid specification for virtio ccw address: cssid='0x%x' ssid='0x%x' devno='0x%04x'",
                           ccw->cssid, ccw->ssid, ccw->devno);
            return false;
        }
        ccw->assigned = true;
    } else if (present > 0) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Invalid partial specification for virtio ccw address");
        return false;
    }
    return true;
}

static bool
parse_uint_attrs(xmlNodePtr node, const char *const *names,
                 unsigned int *const *vals, GError **err)
{
    for (size_t i = 0; names[i]; i++) {
        if (vccw_xml_prop_uint(node, names[i], 0, VCCW_XML_PROP_OPTIONAL,
                               vals[i], err) < 0)
            return false;
    }
    return true;
}

static bool
parse_address(xmlNodePtr node, VccwDeviceAddress *addr, GError **err)
{
    g_autofree char *type = vccw_xml_prop(node, "type");
    int t;

    if (!type) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "No type specified for device address");
        return false;
    }
    if ((t = vccw_addr_type_from_string(type)) < 0) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "unknown address type '%s'", type);
        return false;
    }
    addr->type = t;
    switch (addr->type) {
    case VCCW_ADDR_CCW:
        if (!vccw_xml_check_attrs(node, STRV("type", "cssid", "ssid", "devno"), err))
            return false;
        return parse_ccw_address(node, &addr->u.ccw, err);
    case VCCW_ADDR_PCI: {
        VccwPciAddr *pci = &addr->u.pci;
        int mf = 0;
        if (!vccw_xml_check_attrs(node, STRV("type", "domain", "bus", "slot",
                                             "function", "multifunction"), err))
            return false;
        if (!parse_uint_attrs(node, STRV("domain", "bus", "slot", "function"),
                              (unsigned int *const[]){ &pci->domain, &pci->bus,
                                                       &pci->slot, &pci->function },
                              err))
            return false;
        if (vccw_xml_prop_tristate_switch(node, "multifunction", &mf, err) < 0)
            return false;
        pci->multifunction = mf;
        return true;
    }
    case VCCW_ADDR_DRIVE: {
        VccwDriveAddr *d = &addr->u.drive;
        if (!vccw_xml_check_attrs(node, STRV("type", "controller", "bus", "target", "unit"), err))
            return false;
        return parse_uint_attrs(node, STRV("controller", "bus", "target", "unit"),
                                (unsigned int *const[]){ &d->controller, &d->bus,
                                                         &d->target, &d->unit },
                                err);
    }
    case VCCW_ADDR_VIRTIO_SERIAL: {
        VccwVirtioSerialAddr *v = &addr->u.vserial;
        if (!vccw_xml_check_attrs(node, STRV("type", "controller", "bus", "port"), err))
            return false;
        return parse_uint_attrs(node, STRV("controller", "bus", "port"),
                                (unsigned int *const[]){ &v->controller, &v->bus, &v->port },
                                err);
    }
    case VCCW_ADDR_NONE:
        return true;
    default:
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "address type '%s' (line %ld) is not supported by virtccw",
                       type, (long)xmlGetLineNo(node));
        return false;
    }
}

static bool
loadparm_char_ok(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == ' ';
}

static bool
parse_boot(xmlNodePtr node, VccwDeviceInfo *info, GError **err)
{
    g_autofree char *loadparm = NULL;

    if (!vccw_xml_check_attrs(node, STRV("order", "loadparm"), err))
        return false;
    if (vccw_xml_prop_uint(node, "order", 10,
                           VCCW_XML_PROP_REQUIRED | VCCW_XML_PROP_NONZERO,
                           &info->boot_order, err) < 0)
        return false;
    if ((loadparm = vccw_xml_prop(node, "loadparm"))) {
        size_t len;
        char *up = g_ascii_strup(loadparm, -1);

        g_free(loadparm);
        loadparm = up;
        len = strlen(loadparm);
        if (len < 1 || len > 8) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "loadparm value '%s' must be between 1 and 8 characters",
                           loadparm);
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            if (!loadparm_char_ok(loadparm[i])) {
                vccw_error_set(err, VCCW_ERR_INTERNAL,
                               "invalid loadparm value '%s', expecting chars in set of [a-zA-Z0-9.] and blank spaces",
                               loadparm);
                return false;
            }
        }
        info->loadparm = g_steal_pointer(&loadparm);
    }
    return true;
}

typedef enum {
    INFO_BOOT = 1 << 0,   /* <boot> allowed */
    INFO_ROM = 1 << 1,    /* <rom> allowed (recorded for validation) */
} InfoFlags;

/* <alias>, <boot>, <rom>, <address> of any device. */
static bool
parse_device_info(xmlNodePtr node, VccwDevice *dev, InfoFlags flags, GError **err)
{
    xmlNodePtr cur;

    if ((cur = vccw_xml_child(node, "alias"))) {
        g_autofree char *name = vccw_xml_prop(cur, "name");
        if (!vccw_xml_check_attrs(cur, STRV("name"), err))
            return false;
        /* Like libvirt on define: only user aliases ("ua-") are kept;
         * others are names libvirt would assign itself at start. */
        if (name && g_str_has_prefix(name, "ua-"))
            dev->info.alias = g_steal_pointer(&name);
    }
    if ((flags & INFO_BOOT) && (cur = vccw_xml_child(node, "boot"))) {
        if (!parse_boot(cur, &dev->info, err))
            return false;
    }
    if ((flags & INFO_ROM) && vccw_xml_child(node, "rom"))
        dev->u.hostdev.has_rom = true;
    if ((cur = vccw_xml_child(node, "address"))) {
        if (!parse_address(cur, &dev->info.addr, err))
            return false;
    }
    return true;
}

/* ---- devices ------------------------------------------------------- */

static char *
prop_of_child(xmlNodePtr node, const char *child, const char *attr)
{
    xmlNodePtr c = vccw_xml_child(node, child);
    return c ? vccw_xml_prop(c, attr) : NULL;
}

static bool
parse_disk(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwDiskDef *disk = &dev->u.disk;
    xmlNodePtr cur;
    int v = 0;

    if (!vccw_xml_check_attrs(node, STRV("type", "device"), err) ||
        !vccw_xml_check_children(node, STRV("driver", "source", "target", "readonly",
                                            "shareable", "serial", "boot", "alias",
                                            "address"), err))
        return false;
    if (vccw_xml_prop_enum(node, "type", vccw_disk_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    disk->type = v;
    v = VCCW_DISK_DEVICE_DISK;
    if (vccw_xml_prop_enum(node, "device", vccw_disk_device_from_string,
                           VCCW_XML_PROP_OPTIONAL, &v, err) < 0)
        return false;
    disk->device = v;
    if ((cur = vccw_xml_child(node, "driver"))) {
        if (!vccw_xml_check_attrs(cur, STRV("name", "type", "cache", "io"), err))
            return false;
        disk->driver_name = vccw_xml_prop(cur, "name");
        disk->format = vccw_xml_prop(cur, "type");
        disk->cache = vccw_xml_prop(cur, "cache");
        disk->io = vccw_xml_prop(cur, "io");
    }
    if ((cur = vccw_xml_child(node, "source"))) {
        const char *attr = disk->type == VCCW_DISK_TYPE_FILE ? "file" : "dev";
        if (!vccw_xml_check_attrs(cur, (const char *const[]){ attr, NULL }, err))
            return false;
        disk->source = vccw_xml_prop(cur, attr);
    }
    if (!(cur = vccw_xml_child(node, "target"))) {
        vccw_error_set(err, VCCW_ERR_XML, "missing target information for device %s",
                       disk->source ? disk->source : "<null>");
        return false;
    }
    if (!vccw_xml_check_attrs(cur, STRV("dev", "bus"), err))
        return false;
    if (!(disk->target_dev = vccw_xml_prop(cur, "dev"))) {
        vccw_error_set(err, VCCW_ERR_XML, "missing target information for device %s",
                       disk->source ? disk->source : "<null>");
        return false;
    }
    {
        g_autofree char *bus = vccw_xml_prop(cur, "bus");
        int b;
        if (!bus)  /* libvirt derives the bus from the name's prefix */
            b = g_str_has_prefix(disk->target_dev, "sd") ? VCCW_DISK_BUS_SCSI
                                                          : VCCW_DISK_BUS_VIRTIO;
        else if ((b = vccw_disk_bus_from_string(bus)) < 0) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "disk bus '%s' of disk '%s' is not supported by virtccw (supported: virtio, scsi)",
                           bus, disk->target_dev);
            return false;
        }
        disk->bus = b;
    }
    disk->readonly = vccw_xml_child(node, "readonly") != NULL;
    disk->shareable = vccw_xml_child(node, "shareable") != NULL;
    if ((cur = vccw_xml_child(node, "serial")))
        disk->serial = vccw_xml_text(cur);
    return parse_device_info(node, dev, INFO_BOOT, err);
}

static bool
parse_mac(const char *str, unsigned char mac[6])
{
    unsigned int b[6];
    char tail;

    if (sscanf(str, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &tail) != 6)
        return false;
    for (size_t i = 0; i < 6; i++)
        mac[i] = (unsigned char)b[i];
    return true;
}

static bool
parse_interface(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwNetDef *net = &dev->u.net;
    xmlNodePtr cur;
    int v;

    if (!vccw_xml_check_attrs(node, STRV("type"), err) ||
        !vccw_xml_check_children(node, STRV("mac", "source", "model", "target",
                                            "boot", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_enum(node, "type", vccw_net_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    net->type = v;
    if ((cur = vccw_xml_child(node, "mac"))) {
        g_autofree char *addr = vccw_xml_prop(cur, "address");
        if (!vccw_xml_check_attrs(cur, STRV("address"), err))
            return false;
        if (addr && !parse_mac(addr, net->mac)) {
            vccw_error_set(err, VCCW_ERR_XML, "unable to parse mac address '%s'", addr);
            return false;
        }
        net->mac_set = addr != NULL;
    }
    if ((cur = vccw_xml_child(node, "source"))) {
        const char *attr = net->type == VCCW_NET_BRIDGE ? "bridge" : "network";
        if (!vccw_xml_check_attrs(cur, (const char *const[]){ attr, NULL }, err))
            return false;
        net->source = vccw_xml_prop(cur, attr);
    }
    net->model = prop_of_child(node, "model", "type");
    net->target_dev = prop_of_child(node, "target", "dev");
    return parse_device_info(node, dev, INFO_BOOT, err);
}

/* libvirt's capabilities hostdev types (virDomainHostdevCapsType). */
static const char *const hostdev_caps_types[] = { "storage", "misc", "net", NULL };

/* <hostdev mode='capabilities'> with a type that is none of them: refused
 * with the text of the libvirt release followed (libvirt_release.h). */
static bool
parse_hostdev_caps_type(xmlNodePtr node, GError **err)
{
    g_autofree char *type = vccw_xml_prop(node, "type");

    if (!type || g_strv_contains(hostdev_caps_types, type))
        return true;
    if (vccw_conf_behaviour()->hostdev_caps_type_enum)
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute 'type' in element 'hostdev': '%s'.", type);
    else
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "unknown host device source address type '%s'", type);
    return false;
}

static bool
parse_hostdev_mdev_source(xmlNodePtr node, VccwHostdevDef *hd, GError **err)
{
    xmlNodePtr src = vccw_xml_child(node, "source");
    xmlNodePtr addr = src ? vccw_xml_child(src, "address") : NULL;
    g_autofree char *uuid = NULL;

    if (!addr) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "Missing <address> element");
        return false;
    }
    if (!(uuid = vccw_xml_prop(addr, "uuid"))) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Missing 'uuid' attribute for element <address>");
        return false;
    }
    if (!vccw_uuid_parse(uuid, hd->uuid)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "Cannot parse uuid attribute of element <address>");
        return false;
    }
    return vccw_xml_check_children(src, STRV("address"), err) &&
           vccw_xml_check_attrs(addr, STRV("uuid"), err);
}

static bool
parse_hostdev_pci_source(xmlNodePtr node, VccwHostdevDef *hd, GError **err)
{
    xmlNodePtr src = vccw_xml_child(node, "source");
    xmlNodePtr addr = src ? vccw_xml_child(src, "address") : NULL;

    if (!addr) {
        vccw_error_set(err, VCCW_ERR_XML, "PCI host devices must use 'pci' address type");
        return false;
    }
    return vccw_xml_check_attrs(addr, STRV("domain", "bus", "slot", "function"), err) &&
           parse_uint_attrs(addr, STRV("domain", "bus", "slot", "function"),
                            (unsigned int *const[]){ &hd->pci_source.domain,
                                                     &hd->pci_source.bus,
                                                     &hd->pci_source.slot,
                                                     &hd->pci_source.function },
                            err);
}

static bool
parse_hostdev(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwHostdevDef *hd = &dev->u.hostdev;
    g_autofree char *mode = vccw_xml_prop(node, "mode");
    int v = 0;

    if (!vccw_xml_check_attrs(node, STRV("mode", "type", "managed", "model",
                                         "display", "ramfb"), err) ||
        !vccw_xml_check_children(node, STRV("source", "boot", "rom", "alias",
                                            "address"), err))
        return false;
    if (mode && g_str_equal(mode, "capabilities") &&
        !parse_hostdev_caps_type(node, err))
        return false;
    if (mode && !g_str_equal(mode, "subsystem")) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "hostdev mode '%s' is not supported by virtccw (only 'subsystem')",
                       mode);
        return false;
    }
    if (vccw_xml_prop_enum(node, "type", vccw_hostdev_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    hd->type = v;
    if (hd->type != VCCW_HOSTDEV_TYPE_MDEV && hd->type != VCCW_HOSTDEV_TYPE_PCI) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "hostdev type '%s' is not supported by virtccw (supported: mdev, pci)",
                       vccw_hostdev_type_to_string(hd->type));
        return false;
    }
    if (vccw_xml_prop_tristate_bool(node, "managed", &v, err) < 0)
        return false;
    hd->managed = v;

    if (hd->type == VCCW_HOSTDEV_TYPE_MDEV) {
        if (vccw_xml_prop_enum(node, "model", vccw_hostdev_model_from_string,
                               VCCW_XML_PROP_REQUIRED, &v, err) < 0)
            return false;
        hd->model = v;
        if (vccw_xml_prop_tristate_switch(node, "display", &v, err) < 0)
            return false;
        hd->display = v;
        if (vccw_xml_prop_tristate_switch(node, "ramfb", &v, err) < 0)
            return false;
        hd->ramfb = v;
        if (!parse_hostdev_mdev_source(node, hd, err))
            return false;
    } else if (!parse_hostdev_pci_source(node, hd, err)) {
        return false;
    }

    if (!parse_device_info(node, dev, INFO_BOOT | INFO_ROM, err))
        return false;

    if (hd->type == VCCW_HOSTDEV_TYPE_MDEV) {
        VccwAddrType at = dev->info.addr.type;
        bool ok = true;

        if (hd->model == VCCW_HOSTDEV_MODEL_VFIO_CCW)
            ok = at == VCCW_ADDR_NONE || at == VCCW_ADDR_CCW;
        else if (hd->model == VCCW_HOSTDEV_MODEL_VFIO_PCI)
            ok = at == VCCW_ADDR_NONE || at == VCCW_ADDR_PCI;
        if (!ok) {
            vccw_error_set(err, VCCW_ERR_XML,
                           "Unsupported address type '%s' with mediated device model '%s'",
                           vccw_addr_type_to_string(at),
                           vccw_hostdev_model_to_string(hd->model));
            return false;
        }
    }
    return true;
}

static bool
parse_controller(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwControllerDef *c = &dev->u.controller;
    xmlNodePtr drv;
    int v;

    if (!vccw_xml_check_attrs(node, STRV("type", "index", "model", "ports", "vectors"), err) ||
        !vccw_xml_check_children(node, STRV("driver", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_enum(node, "type", vccw_controller_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    c->type = v;
    if (vccw_xml_prop_uint(node, "index", 10, VCCW_XML_PROP_OPTIONAL, &c->index, err) < 0)
        return false;
    c->model = vccw_xml_prop(node, "model");
    if (vccw_xml_prop_int(node, "ports", 10, VCCW_XML_PROP_OPTIONAL, &c->ports, err) < 0 ||
        vccw_xml_prop_int(node, "vectors", 10, VCCW_XML_PROP_OPTIONAL, &c->vectors, err) < 0)
        return false;
    if ((drv = vccw_xml_child(node, "driver")) &&
        !vccw_xml_check_attrs(drv, STRV("__none__"), err))
        return false;
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_chr(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwChrDef *chr = &dev->u.chr;
    xmlNodePtr cur;
    int v = VCCW_CHR_PTY;

    if (!vccw_xml_check_attrs(node, STRV("type"), err) ||
        !vccw_xml_check_children(node, STRV("source", "target", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_enum(node, "type", vccw_chr_type_from_string,
                           VCCW_XML_PROP_OPTIONAL, &v, err) < 0)
        return false;
    chr->type = v;
    if ((cur = vccw_xml_child(node, "source"))) {
        if (!vccw_xml_check_attrs(cur, STRV("path", "mode"), err))
            return false;
        chr->source_path = vccw_xml_prop(cur, "path");
        chr->source_mode = vccw_xml_prop(cur, "mode");
    }
    if ((cur = vccw_xml_child(node, "target"))) {
        xmlNodePtr model;
        if (!vccw_xml_check_attrs(cur, STRV("type", "port", "name"), err) ||
            !vccw_xml_check_children(cur, STRV("model"), err))
            return false;
        chr->target_type = vccw_xml_prop(cur, "type");
        chr->target_name = vccw_xml_prop(cur, "name");
        if (vccw_xml_prop_int(cur, "port", 10, VCCW_XML_PROP_OPTIONAL,
                              &chr->target_port, err) < 0)
            return false;
        if ((model = vccw_xml_child(cur, "model")))
            chr->target_model = vccw_xml_prop(model, "name");
    }
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_input(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    int v;

    if (!vccw_xml_check_attrs(node, STRV("type", "bus"), err) ||
        !vccw_xml_check_children(node, STRV("alias", "address"), err))
        return false;
    if (vccw_xml_prop_enum(node, "type", vccw_input_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    dev->u.input.type = v;
    if (vccw_xml_prop_oneof(node, "bus", STRV("virtio"), VCCW_XML_PROP_REQUIRED,
                            &dev->u.input.bus, err) < 0)
        return false;
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_filesystem(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwFsDef *fs = &dev->u.fs;
    g_autofree char *type = vccw_xml_prop(node, "type");

    if (!vccw_xml_check_attrs(node, STRV("type", "accessmode"), err) ||
        !vccw_xml_check_children(node, STRV("driver", "source", "target", "readonly",
                                            "alias", "address"), err))
        return false;
    if (type && !g_str_equal(type, "mount")) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "filesystem type '%s' is not supported by virtccw (only 'mount')", type);
        return false;
    }
    fs->accessmode = vccw_xml_prop(node, "accessmode");
    fs->driver_type = prop_of_child(node, "driver", "type");
    fs->source_dir = prop_of_child(node, "source", "dir");
    fs->target_dir = prop_of_child(node, "target", "dir");
    fs->readonly = vccw_xml_child(node, "readonly") != NULL;
    if (!fs->source_dir) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "missing source element in filesystem device");
        return false;
    }
    if (!fs->target_dir) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "missing target element in filesystem device");
        return false;
    }
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_watchdog(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    if (!vccw_xml_check_attrs(node, STRV("model", "action"), err) ||
        !vccw_xml_check_children(node, STRV("alias", "address"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "model", STRV("diag288"), VCCW_XML_PROP_REQUIRED,
                            &dev->u.watchdog.model, err) < 0 ||
        vccw_xml_prop_oneof(node, "action", STRV("reset", "shutdown", "poweroff",
                                                 "pause", "none", "dump", "inject-nmi"),
                            VCCW_XML_PROP_OPTIONAL, &dev->u.watchdog.action, err) < 0)
        return false;
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_memballoon(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwMemballoonDef *b = &dev->u.balloon;
    xmlNodePtr stats;
    int v;

    if (!vccw_xml_check_attrs(node, STRV("model", "autodeflate", "freePageReporting"), err) ||
        !vccw_xml_check_children(node, STRV("stats", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "model", STRV("virtio", "none"), VCCW_XML_PROP_REQUIRED,
                            &b->model, err) < 0)
        return false;
    if (vccw_xml_prop_tristate_switch(node, "autodeflate", &v, err) < 0)
        return false;
    b->autodeflate = v;
    if (vccw_xml_prop_tristate_switch(node, "freePageReporting", &v, err) < 0)
        return false;
    b->free_page_reporting = v;
    if ((stats = vccw_xml_child(node, "stats")) &&
        vccw_xml_prop_int(stats, "period", 10, VCCW_XML_PROP_REQUIRED,
                          &b->stats_period, err) < 0)
        return false;
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_rng(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwRngDef *rng = &dev->u.rng;
    xmlNodePtr be;

    if (!vccw_xml_check_attrs(node, STRV("model"), err) ||
        !vccw_xml_check_children(node, STRV("backend", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "model", STRV("virtio"), VCCW_XML_PROP_REQUIRED,
                            &rng->model, err) < 0)
        return false;
    if (!(be = vccw_xml_child(node, "backend"))) {
        vccw_error_set(err, VCCW_ERR_XML, "missing RNG device backend");
        return false;
    }
    if (vccw_xml_prop_oneof(be, "model", STRV("random"), VCCW_XML_PROP_REQUIRED,
                            &rng->backend_model, err) < 0)
        return false;
    rng->backend_file = vccw_xml_text(be);
    if (!*rng->backend_file)
        g_clear_pointer(&rng->backend_file, g_free);
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_vsock(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    VccwVsockDef *vs = &dev->u.vsock;
    xmlNodePtr cid;
    int v;

    if (!vccw_xml_check_attrs(node, STRV("model"), err) ||
        !vccw_xml_check_children(node, STRV("cid", "alias", "address"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "model", STRV("virtio"), VCCW_XML_PROP_OPTIONAL,
                            &vs->model, err) < 0)
        return false;
    if ((cid = vccw_xml_child(node, "cid"))) {
        if (vccw_xml_prop_tristate_bool(cid, "auto", &v, err) < 0 ||
            vccw_xml_prop_uint(cid, "address", 10, VCCW_XML_PROP_OPTIONAL, &vs->cid, err) < 0)
            return false;
        vs->cid_auto = v;
    }
    return parse_device_info(node, dev, 0, err);
}

static bool
parse_audio(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    if (!vccw_xml_check_attrs(node, STRV("id", "type"), err) ||
        !vccw_xml_check_children(node, STRV("__none__"), err))
        return false;
    if (vccw_xml_prop_uint(node, "id", 10, VCCW_XML_PROP_OPTIONAL, &dev->u.audio.id, err) < 0 ||
        vccw_xml_prop_oneof(node, "type", STRV("none"), VCCW_XML_PROP_REQUIRED,
                            &dev->u.audio.type, err) < 0)
        return false;
    return true;
}

static bool
parse_panic(xmlNodePtr node, VccwDevice *dev, GError **err)
{
    if (!vccw_xml_check_attrs(node, STRV("model"), err) ||
        !vccw_xml_check_children(node, STRV("alias", "address"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "model", STRV("s390"), VCCW_XML_PROP_OPTIONAL,
                            &dev->u.panic.model, err) < 0)
        return false;
    return parse_device_info(node, dev, 0, err);
}

typedef bool (*DeviceParser)(xmlNodePtr node, VccwDevice *dev, GError **err);

/* Indexed by VccwDevClass; the element name is vccw_dev_class_to_string(). */
static const DeviceParser device_parsers[VCCW_DEV_LAST] = {
    [VCCW_DEV_DISK] = parse_disk,
    [VCCW_DEV_NET] = parse_interface,
    [VCCW_DEV_HOSTDEV] = parse_hostdev,
    [VCCW_DEV_CONTROLLER] = parse_controller,
    [VCCW_DEV_SERIAL] = parse_chr,
    [VCCW_DEV_CHANNEL] = parse_chr,
    [VCCW_DEV_CONSOLE] = parse_chr,
    [VCCW_DEV_INPUT] = parse_input,
    [VCCW_DEV_FS] = parse_filesystem,
    [VCCW_DEV_WATCHDOG] = parse_watchdog,
    [VCCW_DEV_MEMBALLOON] = parse_memballoon,
    [VCCW_DEV_RNG] = parse_rng,
    [VCCW_DEV_VSOCK] = parse_vsock,
    [VCCW_DEV_AUDIO] = parse_audio,
    [VCCW_DEV_PANIC] = parse_panic,
};

static bool
parse_devices(xmlNodePtr node, VccwDomainDef *def, GError **err)
{
    VCCW_XML_FOREACH_CHILD(node, cur) {
        const char *name = (const char *)cur->name;
        g_autoptr(VccwDevice) dev = NULL;
        int cls;

        if (g_str_equal(name, "emulator")) {
            g_free(def->emulator);
            def->emulator = vccw_xml_text(cur);
            continue;
        }
        if ((cls = vccw_dev_class_from_string(name)) < 0) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "element <%s> in <devices> (line %ld) is not supported by virtccw",
                           name, (long)xmlGetLineNo(cur));
            return false;
        }
        dev = vccw_device_new(cls);
        if (!device_parsers[cls](cur, dev, err))
            return false;
        vccw_domain_def_add_device(def, g_steal_pointer(&dev));
    }
    return true;
}

/* ---- top level ----------------------------------------------------- */

/* libvirt's size units: "KiB" (default), "k", "KB" (1000), "MiB", ... */
static bool
scale_to_kib(const char *what, const char *value, const char *unit,
             unsigned long long *out, GError **err)
{
    static const char powers[] = "kmgtpe";
    unsigned long long n, scale = 1;
    g_autofree char *u = g_ascii_strdown(unit ? unit : "kib", -1);
    const char *p;

    if (!vccw_parse_ullong(value, 10, &n)) {
        vccw_error_set(err, VCCW_ERR_XML, "Invalid value '%s' for element or attribute '%s'",
                       value, what);
        return false;
    }
    if (g_str_equal(u, "b") || g_str_equal(u, "byte") || g_str_equal(u, "bytes")) {
        scale = 1;
    } else if (u[0] && (p = strchr(powers, u[0]))) {
        unsigned long long base;
        if (u[1] == '\0' || g_str_equal(u + 1, "ib"))
            base = 1024;
        else if (g_str_equal(u + 1, "b"))
            base = 1000;
        else
            goto bad_unit;
        for (long i = 0; i <= p - powers; i++)
            scale *= base;
    } else {
        goto bad_unit;
    }
    if (n > G_MAXUINT64 / scale) {
        vccw_error_set(err, VCCW_ERR_OVERFLOW,
                       "%s%s", value, unit ? unit : "");
        return false;
    }
    *out = (n * scale + 1023) / 1024;
    return true;

 bad_unit:
    vccw_error_set(err, VCCW_ERR_ARGUMENT, "unknown suffix '%s'", unit);
    return false;
}

static bool
parse_memory(xmlNodePtr node, const char *what, unsigned long long *out, GError **err)
{
    g_autofree char *unit = vccw_xml_prop(node, "unit");
    g_autofree char *text = vccw_xml_text(node);

    if (!vccw_xml_check_attrs(node, STRV("unit"), err))
        return false;
    g_strstrip(text);
    return scale_to_kib(what, text, unit, out, err);
}

static bool
parse_vcpu(xmlNodePtr node, VccwDomainDef *def, GError **err)
{
    g_autofree char *text = vccw_xml_text(node);

    if (!vccw_xml_check_attrs(node, STRV("placement", "current"), err))
        return false;
    g_strstrip(text);
    if (!vccw_parse_uint(text, 10, &def->vcpus) || def->vcpus == 0) {
        vccw_error_set(err, VCCW_ERR_XML, "maximum vcpus count must be an integer");
        return false;
    }
    if (vccw_xml_prop_uint(node, "current", 10, VCCW_XML_PROP_OPTIONAL,
                           &def->vcpus_current, err) < 0)
        return false;
    if (vccw_xml_prop_oneof(node, "placement", STRV("static", "auto"),
                            VCCW_XML_PROP_OPTIONAL, &def->vcpu_placement, err) < 0)
        return false;
    return true;
}

static bool
parse_os(xmlNodePtr node, VccwDomainDef *def, GError **err)
{
    xmlNodePtr type;

    if (!vccw_xml_check_attrs(node, STRV("__none__"), err) ||
        !vccw_xml_check_children(node, STRV("type", "kernel", "initrd", "cmdline", "boot"), err))
        return false;
    if (!(type = vccw_xml_child(node, "type"))) {
        vccw_error_set(err, VCCW_ERR_XML, "an os <type> must be specified");
        return false;
    }
    if (!vccw_xml_check_attrs(type, STRV("arch", "machine"), err))
        return false;
    def->os_type = vccw_xml_text(type);
    def->arch = vccw_xml_prop(type, "arch");
    def->machine = vccw_xml_prop(type, "machine");
    VCCW_XML_FOREACH_CHILD(node, cur) {
        const char *name = (const char *)cur->name;
        char **slot = g_str_equal(name, "kernel") ? &def->kernel :
                      g_str_equal(name, "initrd") ? &def->initrd :
                      g_str_equal(name, "cmdline") ? &def->cmdline : NULL;
        if (slot) {
            g_free(*slot);
            *slot = vccw_xml_text(cur);
        } else if (g_str_equal(name, "boot")) {
            int dev;
            if (vccw_xml_prop_enum(cur, "dev", vccw_boot_dev_from_string,
                                   VCCW_XML_PROP_REQUIRED, &dev, err) < 0)
                return false;
            g_array_append_val(def->boot_devs, dev);
        }
    }
    return true;
}

static bool
parse_cpu(xmlNodePtr node, VccwDomainDef *def, GError **err)
{
    xmlNodePtr model;
    VccwCpuDef *cpu = def->cpu = g_new0(VccwCpuDef, 1);

    if (!vccw_xml_check_attrs(node, STRV("mode", "match", "check"), err) ||
        !vccw_xml_check_children(node, STRV("model"), err))
        return false;
    if (vccw_xml_prop_oneof(node, "mode", STRV("custom", "host-model", "host-passthrough",
                                               "maximum"),
                            VCCW_XML_PROP_OPTIONAL, &cpu->mode, err) < 0 ||
        vccw_xml_prop_oneof(node, "match", STRV("minimum", "exact", "strict"),
                            VCCW_XML_PROP_OPTIONAL, &cpu->match, err) < 0 ||
        vccw_xml_prop_oneof(node, "check", STRV("none", "partial", "full"),
                            VCCW_XML_PROP_OPTIONAL, &cpu->check, err) < 0)
        return false;
    if ((model = vccw_xml_child(node, "model"))) {
        if (!vccw_xml_check_attrs(model, STRV("fallback"), err) ||
            vccw_xml_prop_oneof(model, "fallback", STRV("allow", "forbid"),
                                VCCW_XML_PROP_OPTIONAL, &cpu->fallback, err) < 0)
            return false;
        cpu->model = vccw_xml_text(model);
    }
    return true;
}

static bool
parse_lifecycle(xmlNodePtr node, char **out, GError **err)
{
    static const char *const actions[] = {
        "destroy", "restart", "rename-restart", "preserve",
        "coredump-destroy", "coredump-restart", NULL
    };
    g_autofree char *text = vccw_xml_text(node);

    g_strstrip(text);
    if (!g_strv_contains(actions, text)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "invalid %s value: '%s'", (const char *)node->name, text);
        return false;
    }
    g_free(*out);
    *out = g_steal_pointer(&text);
    return true;
}

static bool
parse_domain_node(xmlNodePtr root, VccwDomainDef *def, GError **err)
{
    xmlNodePtr cur;
    int v;

    if (!xmlStrEqual(root->name, (const xmlChar *)"domain")) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "unexpected root element <%s>, expecting <domain>",
                       (const char *)root->name);
        return false;
    }
    if (!vccw_xml_check_attrs(root, STRV("type", "id"), err) ||
        !vccw_xml_check_children(root, STRV("name", "uuid", "title", "description",
                                            "memory", "currentMemory", "vcpu", "os",
                                            "cpu", "clock", "on_poweroff", "on_reboot",
                                            "on_crash", "devices"), err))
        return false;
    if (vccw_xml_prop_enum(root, "type", vccw_virt_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &v, err) < 0)
        return false;
    def->virt_type = v;

    if (!(cur = vccw_xml_child(root, "name"))) {
        vccw_error_set(err, VCCW_ERR_NO_NAME, "in domain");
        return false;
    }
    def->name = vccw_xml_text(cur);
    if ((cur = vccw_xml_child(root, "uuid"))) {
        g_autofree char *text = vccw_xml_text(cur);
        if (!vccw_uuid_parse(text, def->uuid)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL, "malformed uuid element");
            return false;
        }
    } else {
        /* libvirt generates one too */
        for (size_t i = 0; i < VCCW_UUID_BUFLEN; i++)
            def->uuid[i] = (unsigned char)g_random_int_range(0, 256);
        def->uuid[6] = (def->uuid[6] & 0x0f) | 0x40;
        def->uuid[8] = (def->uuid[8] & 0x3f) | 0x80;
    }
    if ((cur = vccw_xml_child(root, "title")))
        def->title = vccw_xml_text(cur);
    if ((cur = vccw_xml_child(root, "description")))
        def->description = vccw_xml_text(cur);

    if (!(cur = vccw_xml_child(root, "memory"))) {
        vccw_error_set(err, VCCW_ERR_XML, "missing element memory");
        return false;
    }
    if (!parse_memory(cur, "./memory[1]", &def->memory_kib, err))
        return false;
    if ((cur = vccw_xml_child(root, "currentMemory")) &&
        !parse_memory(cur, "./currentMemory[1]", &def->current_memory_kib, err))
        return false;
    if ((cur = vccw_xml_child(root, "vcpu"))) {
        if (!parse_vcpu(cur, def, err))
            return false;
    } else {
        def->vcpus = 1;
    }
    if (!(cur = vccw_xml_child(root, "os"))) {
        vccw_error_set(err, VCCW_ERR_XML, "an os <type> must be specified");
        return false;
    }
    if (!parse_os(cur, def, err))
        return false;
    if ((cur = vccw_xml_child(root, "cpu")) && !parse_cpu(cur, def, err))
        return false;
    if ((cur = vccw_xml_child(root, "clock"))) {
        if (!vccw_xml_check_attrs(cur, STRV("offset"), err) ||
            !vccw_xml_check_children(cur, STRV("__none__"), err) ||
            vccw_xml_prop_oneof(cur, "offset", STRV("utc", "localtime"),
                                VCCW_XML_PROP_OPTIONAL, &def->clock_offset, err) < 0)
            return false;
    }
    {
        static const char *const names[] = { "on_poweroff", "on_reboot", "on_crash" };
        char **slots[] = { &def->on_poweroff, &def->on_reboot, &def->on_crash };
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            if ((cur = vccw_xml_child(root, names[i])) &&
                !parse_lifecycle(cur, slots[i], err))
                return false;
        }
    }
    if ((cur = vccw_xml_child(root, "devices")) && !parse_devices(cur, def, err))
        return false;
    return true;
}

static void
xml_error_silence(void *ctx, const char *msg, ...)
{
}

xmlDocPtr
vccw_domain_xml_read(const char *xml, size_t len, const char *url, GError **err)
{
    xmlDocPtr doc;
    const xmlError *xerr;

    if (len > VCCW_DOMAIN_XML_MAX) {
        vccw_error_set(err, VCCW_ERR_XML, "%s: document larger than %d bytes",
                       url, VCCW_DOMAIN_XML_MAX);
        return NULL;
    }
    xmlSetGenericErrorFunc(NULL, xml_error_silence);
    xmlResetLastError();
    doc = xmlReadMemory(xml, (int)len, url, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        xerr = xmlGetLastError();
        vccw_error_set(err, VCCW_ERR_XML, "%s:%d: %s", url,
                       xerr ? xerr->line : 0,
                       xerr && xerr->message ? g_strchomp(xerr->message) : "malformed XML");
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        vccw_error_set(err, VCCW_ERR_XML, "%s: missing root element", url);
        return NULL;
    }
    return doc;
}

VccwDomainDef *
vccw_domain_def_parse_node(xmlNodePtr root, GError **err)
{
    g_autoptr(VccwDomainDef) def = vccw_domain_def_new();

    if (!parse_domain_node(root, def, err))
        return NULL;
    return g_steal_pointer(&def);
}
