/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: building the QEMU command line.
 *
 * The sequence of options and the key order inside every -device follow
 * libvirt 9.0 with QEMU 7.2, or libvirt 11.3 with QEMU 10.0, byte for byte
 * (tests/qemuxml2argvdata/ and its libvirt-11.3/ hold libvirt's own
 * output); where the releases differ, the behaviour table of the release
 * followed (qemu_release.h) decides. Paths libvirt would create for a
 * running domain (monitor socket, master key, channel sockets) are named
 * the way `virsh domxml-to-native` names them for domain id -1.
 */
#include "qemu_command.h"
#include "qemu_ccw_hostdev.h"
#include "qemu_release.h"
#include "vccw_error.h"

#include <stdbool.h>
#include <string.h>

#define LIBVIRT_QEMU_DIR "/var/lib/libvirt/qemu"
#define ENV_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct {
    const VccwDomainDef *def;
    const VccwQemuCaps *caps;
    const VccwQemuBehaviour *rel;  /* the libvirt release followed */
    GPtrArray *argv;
    char *domain_dir;     /* /var/lib/libvirt/qemu/domain--1-<short name> */
    char *short_name;
} Builder;

static void
add(Builder *b, const char *arg)
{
    g_ptr_array_add(b->argv, g_strdup(arg));
}

static void G_GNUC_PRINTF(2, 3)
addf(Builder *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(b->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* QEMU option values double their commas. */
static char *
comma_escape(const char *str)
{
    GString *out = g_string_new(NULL);

    for (const char *p = str; *p; p++) {
        if (*p == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

static void
jadd_str(json_object *o, const char *key, const char *val)
{
    if (val)
        json_object_object_add(o, key, json_object_new_string(val));
}

static void
jadd_int(json_object *o, const char *key, long long val)
{
    json_object_object_add(o, key, json_object_new_int64(val));
}

static void
jadd_bool(json_object *o, const char *key, bool val)
{
    json_object_object_add(o, key, json_object_new_boolean(val));
}

static void
jadd_devno(json_object *o, const VccwDevice *dev)
{
    if (dev->info.addr.type == VCCW_ADDR_CCW && dev->info.addr.u.ccw.assigned) {
        g_autofree char *devno = vccw_ccw_addr_qemu_string(&dev->info.addr.u.ccw);
        jadd_str(o, "devno", devno);
    }
}

static void
jadd_bootindex(json_object *o, const VccwDevice *dev)
{
    if (dev->info.boot_order)
        jadd_int(o, "bootindex", dev->info.boot_order);
}

/* The comma syntax older QEMUs take: driver first, bootindex last. */
static char *
props_to_comma(json_object *props)
{
    GString *out = g_string_new(NULL);
    json_object *boot = NULL;

    g_string_append(out, json_object_get_string(json_object_object_get(props, "driver")));
    json_object_object_foreach(props, key, val) {
        g_autofree char *esc = NULL;
        if (g_str_equal(key, "driver"))
            continue;
        if (g_str_equal(key, "bootindex")) {
            boot = val;
            continue;
        }
        esc = comma_escape(json_object_get_type(val) == json_type_boolean
                           ? (json_object_get_boolean(val) ? "on" : "off")
                           : json_object_get_string(val));
        g_string_append_printf(out, ",%s=%s", key, esc);
    }
    if (boot)
        g_string_append_printf(out, ",bootindex=%s", json_object_get_string(boot));
    return g_string_free(out, FALSE);
}

static const char *
json_plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                             JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* -device with @props (consumed). */
static void
add_device(Builder *b, json_object *props)
{
    add(b, "-device");
    if (vccw_qemu_caps_has(b->caps, VCCW_QEMU_CAPS_DEVICE_JSON)) {
        add(b, json_plain(props));
    } else {
        g_autofree char *s = props_to_comma(props);
        add(b, s);
    }
    json_object_put(props);
}

/* -object with @props (consumed); the first key is qom-type. */
static void
add_object(Builder *b, json_object *props)
{
    add(b, "-object");
    if (vccw_qemu_caps_has(b->caps, VCCW_QEMU_CAPS_OBJECT_JSON)) {
        add(b, json_plain(props));
    } else {
        GString *s = g_string_new(json_object_get_string(json_object_object_get(props, "qom-type")));
        json_object_object_foreach(props, key, val) {
            if (!g_str_equal(key, "qom-type"))
                g_string_append_printf(s, ",%s=%s", key, json_object_get_string(val));
        }
        g_ptr_array_add(b->argv, g_string_free(s, FALSE));
    }
    json_object_put(props);
}

static json_object *
new_props(const char *driver)
{
    json_object *o = json_object_new_object();
    jadd_str(o, "driver", driver);
    return o;
}

static char *
device_id(const VccwDevice *dev, const char *prefix, unsigned int n)
{
    if (dev->info.alias)
        return g_strdup(dev->info.alias);
    return g_strdup_printf("%s%u", prefix, n);
}

/* ---- the fixed head of the command line ----------------------------- */

static void
build_head(Builder *b)
{
    const VccwDomainDef *def = b->def;
    char uuid[VCCW_UUID_STRING_BUFLEN];
    g_autofree char *name = comma_escape(def->name);
    g_autofree char *key = g_strdup_printf("%s/master-key.aes", b->domain_dir);
    unsigned long long mib = (def->memory_kib + 1023) / 1024;
    unsigned int cur = def->vcpus_current ? def->vcpus_current : def->vcpus;
    GString *machine = g_string_new(def->machine);
    json_object *o;

    add(b, def->emulator);
    add(b, "-name");
    addf(b, "guest=%s,debug-threads=on", name);
    add(b, "-S");
    o = json_object_new_object();
    jadd_str(o, "qom-type", "secret");
    jadd_str(o, "id", "masterKey0");
    jadd_str(o, "format", "raw");
    jadd_str(o, "file", key);
    add_object(b, o);

    g_string_append(machine, ",usb=off,dump-guest-core=off");
    if (vccw_qemu_caps_has(b->caps, VCCW_QEMU_CAPS_MACHINE_MEMORY_BACKEND))
        g_string_append(machine, ",memory-backend=s390.ram");
    /* the loadparm of the boot disk is the machine's, unless every boot
     * device carries its own */
    for (guint i = 0; !vccw_qemu_device_loadparm(b->caps) &&
                      i < vccw_domain_ndevs(def, VCCW_DEV_DISK); i++) {
        const VccwDevice *d = vccw_domain_dev(def, VCCW_DEV_DISK, i);
        if (d->info.boot_order == 1 && d->info.loadparm) {
            g_autofree char *lp = comma_escape(d->info.loadparm);
            g_string_append_printf(machine, ",loadparm=%s", lp);
        }
    }
    add(b, "-machine");
    g_ptr_array_add(b->argv, g_string_free(machine, FALSE));
    add(b, "-accel");
    add(b, def->virt_type == VCCW_VIRT_KVM ? "kvm" : "tcg");
    if (def->cpu && def->cpu->model) {
        add(b, "-cpu");
        add(b, def->cpu->model);
    }
    add(b, "-m");
    if (b->rel->memory_size_kib)
        addf(b, "size=%lluk", mib * 1024);
    else
        addf(b, "%llu", mib);
    o = json_object_new_object();
    jadd_str(o, "qom-type", "memory-backend-ram");
    jadd_str(o, "id", "s390.ram");
    jadd_int(o, "size", (long long)(mib * 1024 * 1024));
    add_object(b, o);
    add(b, "-overcommit");
    add(b, "mem-lock=off");
    add(b, "-smp");
    if (cur != def->vcpus)
        addf(b, "%u,maxcpus=%u,sockets=%u,cores=1,threads=1", cur, def->vcpus, def->vcpus);
    else
        addf(b, "%u,sockets=%u,cores=1,threads=1", cur, def->vcpus);
    vccw_uuid_format(def->uuid, uuid);
    add(b, "-uuid");
    add(b, uuid);
    add(b, "-display");
    add(b, "none");
    add(b, "-no-user-config");
    add(b, "-nodefaults");
    add(b, "-chardev");
    addf(b, "socket,id=charmonitor,path=%s/monitor.sock,server=on,wait=off", b->domain_dir);
    add(b, "-mon");
    add(b, "chardev=charmonitor,id=monitor,mode=control");
    add(b, "-rtc");
    addf(b, "base=%s", def->clock_offset ? def->clock_offset : "utc");
    /* lifecycle actions go over QMP (set-action) at start, as in libvirt */
    add(b, "-no-shutdown");
    add(b, "-boot");
    add(b, "strict=on");
    if (def->kernel) {
        add(b, "-kernel");
        add(b, def->kernel);
    }
    if (def->initrd) {
        add(b, "-initrd");
        add(b, def->initrd);
    }
    if (def->cmdline) {
        add(b, "-append");
        add(b, def->cmdline);
    }
}

/* ---- devices ---------------------------------------------------------- */

static bool
build_controllers(Builder *b, GError **err)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_CONTROLLER); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_CONTROLLER, i);
        const VccwControllerDef *c = &dev->u.controller;
        g_autofree char *id = NULL;
        json_object *o;

        if (c->type == VCCW_CTRL_PCI)
            continue;   /* pci-root is implicit in the machine */
        if (c->type == VCCW_CTRL_SCSI) {
            if (c->model && !g_str_equal(c->model, "virtio-scsi")) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "SCSI controller model '%s' is not supported on s390 (use virtio-scsi)",
                               c->model);
                return false;
            }
            id = dev->info.alias ? g_strdup(dev->info.alias) : g_strdup_printf("scsi%u", c->index);
            o = new_props("virtio-scsi-ccw");
        } else {
            id = dev->info.alias ? g_strdup(dev->info.alias)
                                 : g_strdup_printf("virtio-serial%u", c->index);
            o = new_props("virtio-serial-ccw");
        }
        jadd_str(o, "id", id);
        if (c->ports >= 0)
            jadd_int(o, "max_ports", c->ports);
        if (c->vectors >= 0)
            jadd_int(o, "vectors", c->vectors);
        jadd_devno(o, dev);
        add_device(b, o);
    }
    return true;
}

/* Which disk gets bootindex 1 from <os><boot dev='hd'/>: the first one. */
static unsigned int
disk_bootindex(const Builder *b, guint i, const VccwDevice *dev)
{
    const VccwDomainDef *def = b->def;

    if (dev->info.boot_order)
        return dev->info.boot_order;
    if (i == 0 && def->boot_devs->len > 0 &&
        g_array_index(def->boot_devs, VccwBootDev, 0) == VCCW_BOOT_HD)
        return 1;
    return 0;
}

static unsigned int
disk_name_index(const char *name)
{
    unsigned int idx = 0;
    const char *p = name + 2;  /* after "vd" / "sd" */

    for (const char *q = p; *q >= 'a' && *q <= 'z'; q++)
        idx = (q == p ? 0 : (idx + 1) * 26) + (unsigned int)(*q - 'a');
    return idx;
}

static void
build_disks(Builder *b)
{
    guint n = vccw_domain_ndevs(b->def, VCCW_DEV_DISK);

    for (guint i = 0; i < n; i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_DISK, i);
        const VccwDiskDef *d = &dev->u.disk;
        unsigned int node = n - i;   /* libvirt numbers node names backwards */
        g_autofree char *storage = g_strdup_printf("libvirt-%u-storage", node);
        g_autofree char *format = g_strdup_printf("libvirt-%u-format", node);
        g_autofree char *id = NULL;
        unsigned int boot = disk_bootindex(b, i, dev);
        /* a raw image needs no format layer; newer libvirt leaves it out */
        bool single = b->rel->raw_storage_node_only &&
                      (!d->format || g_str_equal(d->format, "raw"));
        const char *top = single ? storage : format;
        json_object *o;

        o = json_object_new_object();
        jadd_str(o, "driver", d->type == VCCW_DISK_TYPE_BLOCK ? "host_device" : "file");
        jadd_str(o, "filename", d->source);
        jadd_str(o, "node-name", storage);
        if (single) {
            jadd_bool(o, "read-only", d->readonly);
        } else {
            jadd_bool(o, "auto-read-only", true);
            jadd_str(o, "discard", "unmap");
        }
        add(b, "-blockdev");
        add(b, json_plain(o));
        json_object_put(o);

        if (!single) {
            o = json_object_new_object();
            jadd_str(o, "node-name", format);
            jadd_bool(o, "read-only", d->readonly);
            jadd_str(o, "driver", d->format ? d->format : "raw");
            jadd_str(o, "file", storage);
            add(b, "-blockdev");
            add(b, json_plain(o));
            json_object_put(o);
        }

        if (d->bus == VCCW_DISK_BUS_VIRTIO) {
            id = device_id(dev, "virtio-disk", disk_name_index(d->target_dev));
            o = new_props("virtio-blk-ccw");
            jadd_devno(o, dev);
            jadd_str(o, "drive", top);
            jadd_str(o, "id", id);
        } else {
            const VccwDriveAddr *a = &dev->info.addr.u.drive;
            g_autofree char *bus = g_strdup_printf("scsi%u.0", a->controller);
            g_autofree char *devid = g_strdup_printf("drive-scsi%u-%u-%u-%u", a->controller,
                                                     a->bus, a->target, a->unit);
            id = dev->info.alias ? g_strdup(dev->info.alias)
                                 : g_strdup_printf("scsi%u-%u-%u-%u", a->controller,
                                                   a->bus, a->target, a->unit);
            o = new_props(d->device == VCCW_DISK_DEVICE_CDROM ? "scsi-cd" : "scsi-hd");
            jadd_str(o, "bus", bus);
            jadd_int(o, "channel", a->bus);
            jadd_int(o, "scsi-id", a->target);
            jadd_int(o, "lun", a->unit);
            jadd_str(o, "device_id", devid);
            jadd_str(o, "drive", top);
            jadd_str(o, "id", id);
        }
        if (boot)
            jadd_int(o, "bootindex", boot);
        if (boot && dev->info.loadparm && vccw_qemu_device_loadparm(b->caps))
            jadd_str(o, "loadparm", dev->info.loadparm);
        if (d->serial)
            jadd_str(o, "serial", d->serial);
        add_device(b, o);
    }
}

static void
build_filesystems(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_FS); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_FS, i);
        const VccwFsDef *f = &dev->u.fs;
        g_autofree char *id = device_id(dev, "fs", i);
        g_autofree char *fsdev = g_strdup_printf("fsdev-%s", id);
        g_autofree char *path = comma_escape(f->source_dir);
        json_object *o;

        add(b, "-fsdev");
        addf(b, "local,security_model=%s,id=%s,path=%s%s",
             f->accessmode ? f->accessmode : "passthrough", fsdev, path,
             f->readonly ? ",readonly=on" : "");
        o = new_props("virtio-9p-ccw");
        jadd_str(o, "id", id);
        jadd_str(o, "fsdev", fsdev);
        jadd_str(o, "mount_tag", f->target_dir);
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

static void
build_nets(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_NET); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_NET, i);
        const VccwNetDef *n = &dev->u.net;
        g_autofree char *id = device_id(dev, "net", i);
        g_autofree char *netdev = g_strdup_printf("host%s", id);
        g_autofree char *mac = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                                               n->mac[0], n->mac[1], n->mac[2],
                                               n->mac[3], n->mac[4], n->mac[5]);
        json_object *o = json_object_new_object();

        /* domxml-to-native stands every interface in for a tap device
         * whose fd libvirt would pass; the number is the reference
         * daemon's (qemu_release.c). */
        jadd_str(o, "type", "tap");
        jadd_str(o, "fd", b->rel->tap_fd);
        jadd_str(o, "id", netdev);
        add(b, "-netdev");
        add(b, json_plain(o));
        json_object_put(o);

        o = new_props("virtio-net-ccw");
        jadd_str(o, "netdev", netdev);
        jadd_str(o, "id", id);
        jadd_str(o, "mac", mac);
        jadd_bootindex(o, dev);
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

static char *
chardev_backend(Builder *b, const VccwChrDef *chr, const char *id, const char *name)
{
    g_autofree char *path = NULL;

    switch (chr->type) {
    case VCCW_CHR_PTY:
        return g_strdup_printf("pty,id=%s", id);
    case VCCW_CHR_NULL:
        return g_strdup_printf("null,id=%s", id);
    case VCCW_CHR_FILE:
        path = comma_escape(chr->source_path ? chr->source_path : "");
        return g_strdup_printf("file,id=%s,path=%s", id, path);
    case VCCW_CHR_UNIX:
    case VCCW_CHR_LAST:
        break;
    }
    if (chr->source_path)
        path = comma_escape(chr->source_path);
    else
        path = g_strdup_printf("%s%s/%s", b->rel->channel_dir_prefix,
                               b->short_name, name ? name : id);
    if (chr->source_mode && g_str_equal(chr->source_mode, "connect"))
        return g_strdup_printf("socket,id=%s,path=%s", id, path);
    return g_strdup_printf("socket,id=%s,path=%s,server=on,wait=off", id, path);
}

static bool
build_chr(Builder *b, VccwDevClass cls, GError **err)
{
    const char *prefix = vccw_dev_class_to_string(cls);

    for (guint i = 0; i < vccw_domain_ndevs(b->def, cls); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, cls, i);
        const VccwChrDef *chr = &dev->u.chr;
        const char *tt = chr->target_type ? chr->target_type : "";
        g_autofree char *id = device_id(dev, prefix, i);
        g_autofree char *charid = g_strdup_printf("char%s", id);
        g_autofree char *backend = NULL;
        const char *driver;
        json_object *o;

        /* the console mirroring serial0 is that serial: no device */
        if (cls == VCCW_DEV_CONSOLE && g_str_equal(tt, "serial"))
            continue;
        if (g_str_equal(tt, "sclp-serial"))
            driver = chr->target_model && g_str_equal(chr->target_model, "sclplmconsole")
                     ? "sclplmconsole" : "sclpconsole";
        else if (g_str_equal(tt, "sclp"))
            driver = "sclpconsole";
        else if (g_str_equal(tt, "sclplm"))
            driver = "sclplmconsole";
        else if (g_str_equal(tt, "virtio"))
            driver = cls == VCCW_DEV_CHANNEL ? "virtserialport" : "virtconsole";
        else {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "<%s> target type '%s' is not supported on s390-ccw machines",
                           prefix, tt);
            return false;
        }
        backend = chardev_backend(b, chr, charid, chr->target_name);
        add(b, "-chardev");
        add(b, backend);
        o = new_props(driver);
        if (g_str_equal(driver, "virtserialport") || g_str_equal(driver, "virtconsole")) {
            if (dev->info.addr.type == VCCW_ADDR_VIRTIO_SERIAL) {
                g_autofree char *bus = g_strdup_printf("virtio-serial%u.%u",
                                                       dev->info.addr.u.vserial.controller,
                                                       dev->info.addr.u.vserial.bus);
                jadd_str(o, "bus", bus);
                jadd_int(o, "nr", dev->info.addr.u.vserial.port);
            }
        }
        jadd_str(o, "chardev", charid);
        jadd_str(o, "id", id);
        jadd_str(o, "name", chr->target_name);
        add_device(b, o);
    }
    return true;
}

static void
build_inputs(Builder *b)
{
    static const char *const drivers[VCCW_INPUT_LAST] = {
        [VCCW_INPUT_MOUSE] = "virtio-mouse-ccw",
        [VCCW_INPUT_TABLET] = "virtio-tablet-ccw",
        [VCCW_INPUT_KBD] = "virtio-keyboard-ccw",
    };

    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_INPUT); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_INPUT, i);
        g_autofree char *id = device_id(dev, "input", i);
        json_object *o = new_props(drivers[dev->u.input.type]);

        jadd_str(o, "id", id);
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

static void
build_audio(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_AUDIO); i++) {
        const VccwAudioDef *a = &vccw_domain_dev(b->def, VCCW_DEV_AUDIO, i)->u.audio;
        g_autofree char *id = g_strdup_printf("audio%u", a->id);

        add(b, "-audiodev");
        if (vccw_qemu_caps_has(b->caps, VCCW_QEMU_CAPS_AUDIODEV_JSON)) {
            json_object *o = json_object_new_object();
            jadd_str(o, "id", id);
            jadd_str(o, "driver", a->type);
            add(b, json_plain(o));
            json_object_put(o);
        } else {
            addf(b, "id=%s,driver=%s", id, a->type);
        }
    }
}

static void
build_watchdogs(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_WATCHDOG); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_WATCHDOG, i);
        const char *action = dev->u.watchdog.action ? dev->u.watchdog.action : "reset";
        g_autofree char *id = device_id(dev, "watchdog", i);
        json_object *o = new_props(dev->u.watchdog.model);

        jadd_str(o, "id", id);
        add_device(b, o);
        add(b, "-watchdog-action");
        /* QEMU has no "dump": libvirt dumps on "pause" itself */
        add(b, g_str_equal(action, "dump") ? "pause" : action);
    }
}

static bool
build_hostdevs(Builder *b, GError **err)
{
    unsigned int next = 0;

    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_HOSTDEV); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_HOSTDEV, i);
        g_autofree char *id = dev->info.alias ? g_strdup(dev->info.alias)
                                              : g_strdup_printf("hostdev%u", next++);
        json_object *o = vccw_qemu_hostdev_props(dev, id, b->caps, err);

        if (!o)
            return false;
        add_device(b, o);
    }
    return true;
}

static void
build_memballoon(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_MEMBALLOON); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_MEMBALLOON, i);
        const VccwMemballoonDef *m = &dev->u.balloon;
        g_autofree char *id = device_id(dev, "balloon", i);
        json_object *o;

        if (!g_str_equal(m->model, "virtio"))
            continue;
        o = new_props("virtio-balloon-ccw");
        jadd_str(o, "id", id);
        if (m->autodeflate)
            jadd_bool(o, "deflate-on-oom", m->autodeflate == VCCW_TRISTATE_YES);
        if (m->free_page_reporting)
            jadd_bool(o, "free-page-reporting", m->free_page_reporting == VCCW_TRISTATE_YES);
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

static void
build_rngs(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_RNG); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_RNG, i);
        g_autofree char *id = device_id(dev, "rng", i);
        g_autofree char *obj = g_strdup_printf("obj%s", id);
        json_object *o = json_object_new_object();

        jadd_str(o, "qom-type", "rng-random");
        jadd_str(o, "id", obj);
        jadd_str(o, "filename", dev->u.rng.backend_file ? dev->u.rng.backend_file
                                                         : "/dev/urandom");
        add_object(b, o);
        o = new_props("virtio-rng-ccw");
        jadd_str(o, "rng", obj);
        jadd_str(o, "id", id);
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

static void
build_vsocks(Builder *b)
{
    for (guint i = 0; i < vccw_domain_ndevs(b->def, VCCW_DEV_VSOCK); i++) {
        const VccwDevice *dev = vccw_domain_dev(b->def, VCCW_DEV_VSOCK, i);
        g_autofree char *id = device_id(dev, "vsock", i);
        json_object *o = new_props("vhost-vsock-ccw");

        jadd_str(o, "id", id);
        jadd_int(o, "guest-cid", dev->u.vsock.cid);
        /* domxml-to-native opens no /dev/vhost-vsock */
        jadd_str(o, "vhostfd", "-1");
        jadd_devno(o, dev);
        add_device(b, o);
    }
}

VccwQemuCommand *
vccw_qemu_build_command(const VccwDomainDef *def, const VccwQemuCaps *caps, GError **err)
{
    g_autoptr(VccwQemuCommand) cmd = g_new0(VccwQemuCommand, 1);
    Builder b = { .def = def, .caps = caps, .rel = vccw_qemu_behaviour() };
    bool ok;

    cmd->env = g_ptr_array_new_with_free_func(g_free);
    cmd->argv = g_ptr_array_new_with_free_func(g_free);
    b.argv = cmd->argv;
    /* libvirt's short name: id, then at most 20 bytes of the name */
    b.short_name = g_strndup(def->name, 20);
    b.domain_dir = g_strdup_printf(LIBVIRT_QEMU_DIR "/domain--1-%s", b.short_name);

    g_ptr_array_add(cmd->env, g_strdup("LC_ALL=C"));
    g_ptr_array_add(cmd->env, g_strdup("PATH=" ENV_PATH));
    g_ptr_array_add(cmd->env, g_strdup_printf("HOME=%s", b.domain_dir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_DATA_HOME=%s/.local/share", b.domain_dir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CACHE_HOME=%s/.cache", b.domain_dir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CONFIG_HOME=%s/.config", b.domain_dir));

    build_head(&b);
    ok = build_controllers(&b, err);
    if (ok) {
        build_disks(&b);
        build_filesystems(&b);
        build_nets(&b);
        ok = build_chr(&b, VCCW_DEV_SERIAL, err) &&
             build_chr(&b, VCCW_DEV_CHANNEL, err) &&
             build_chr(&b, VCCW_DEV_CONSOLE, err);
    }
    if (ok) {
        build_inputs(&b);
        build_audio(&b);
        build_watchdogs(&b);
        ok = build_hostdevs(&b, err);
    }
    if (ok) {
        build_memballoon(&b);
        build_rngs(&b);
        add(&b, "-sandbox");
        add(&b, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        build_vsocks(&b);
        add(&b, "-msg");
        add(&b, "timestamp=on");
    }
    g_free(b.short_name);
    g_free(b.domain_dir);
    if (!ok)
        return NULL;
    return g_steal_pointer(&cmd);
}

void
vccw_qemu_command_free(VccwQemuCommand *cmd)
{
    if (!cmd)
        return;
    if (cmd->env)
        g_ptr_array_unref(cmd->env);
    if (cmd->argv)
        g_ptr_array_unref(cmd->argv);
    g_free(cmd);
}

void
vccw_shell_quote(GString *buf, const char *str)
{
    /* characters that make libvirt quote an argument */
    static const char special[] = "|&;()<>[]{}~*?`\"'\\$ \t\n#";

    if (*str == '\0') {
        g_string_append(buf, "''");
        return;
    }
    if (str[strcspn(str, special)] == '\0') {
        g_string_append(buf, str);
        return;
    }
    g_string_append_c(buf, '\'');
    for (const char *p = str; *p; p++) {
        if (*p == '\'')
            g_string_append(buf, "'\\''");
        else
            g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '\'');
}

char *
vccw_qemu_command_to_string(const VccwQemuCommand *cmd)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < cmd->env->len; i++) {
        const char *kv = g_ptr_array_index(cmd->env, i);
        const char *eq = strchr(kv, '=');
        g_string_append_len(out, kv, eq - kv + 1);
        vccw_shell_quote(out, eq + 1);
        g_string_append_c(out, ' ');
    }
    for (guint i = 0; i < cmd->argv->len; i++) {
        if (i)
            g_string_append_c(out, ' ');
        vccw_shell_quote(out, g_ptr_array_index(cmd->argv, i));
    }
    return g_string_free(out, FALSE);
}
