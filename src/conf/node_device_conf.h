/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node devices (css subchannels, ccw devices, mdevs) in libvirt's
 * node-device XML.
 *
 * A VccwNodeDevDef is what `virsh nodedev-dumpxml` shows for one device;
 * it is filled from sysfs and the mdevctl store by src/node_device/, or
 * parsed from user XML for nodedev-create / nodedev-define. Formatting
 * follows libvirt (names, element order, hex formats) so that the output
 * validates against libvirt's own nodedev schema.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_enum.h"
#include "vccw_uuid.h"

typedef enum {
    VCCW_NODEDEV_CAP_SYSTEM,      /* "system": the root device "computer" */
    VCCW_NODEDEV_CAP_CSS,         /* "css" */
    VCCW_NODEDEV_CAP_CCW,         /* "ccw" */
    VCCW_NODEDEV_CAP_MDEV,        /* "mdev" */
    VCCW_NODEDEV_CAP_CCWGROUP,    /* "ccwgroup" (libvirt 11.1+): a qeth group device */
    VCCW_NODEDEV_CAP_MDEV_TYPES,  /* "mdev_types": only a nested capability */
    VCCW_NODEDEV_CAP_LAST
} VccwNodeDevCapType;
VCCW_ENUM_DECL(vccw_nodedev_cap);

/* A subchannel or device number: cssid.ssid.devno. */
typedef struct {
    unsigned int cssid;
    unsigned int ssid;
    unsigned int devno;
} VccwCcwId;

/* One supported mdev type of a parent (<capability type='mdev_types'>). */
typedef struct {
    char *id;                 /* vfio_ccw-io */
    char *name;               /* "I/O subchannel (Non-QDIO)", may be NULL */
    char *device_api;         /* vfio-ccw */
    unsigned int available;   /* availableInstances */
} VccwMdevType;

typedef struct {
    char *name;
    char *value;
} VccwMdevAttr;

/* <state> of a ccw or ccwgroup device (libvirt 11.1+, from "online");
 * VCCW_CCW_STATE_LAST: unknown, not printed. */
typedef enum {
    VCCW_CCW_STATE_OFFLINE,
    VCCW_CCW_STATE_ONLINE,
    VCCW_CCW_STATE_LAST
} VccwCcwState;
VCCW_ENUM_DECL(vccw_ccw_state);   /* "offline", "online" */

/* The nested capability of a ccwgroup device: the kernel's device type
 * (DEVTYPE) of a qeth group; libvirt knows no other kind of group. */
typedef enum {
    VCCW_CCWGROUP_QETH_GENERIC,
    VCCW_CCWGROUP_QETH_LAYER2,
    VCCW_CCWGROUP_QETH_LAYER3,
    VCCW_CCWGROUP_TYPE_LAST
} VccwCcwGroupType;
VCCW_ENUM_DECL(vccw_ccwgroup_type);   /* "qeth_generic", "qeth_layer2", "qeth_layer3" */

/* One <ccw_device ref='cdev1'>ccw_0_0_bd01</ccw_device> of a group. */
typedef struct {
    char *ref;                /* the link's name in the group's directory: cdev0, ... */
    char *device;             /* the member's node-device name */
} VccwCcwGroupMember;

typedef enum {
    VCCW_MDEV_START_MANUAL,
    VCCW_MDEV_START_AUTO,
    VCCW_MDEV_START_LAST
} VccwMdevStart;
VCCW_ENUM_DECL(vccw_mdev_start);   /* "manual", "auto" */

typedef struct {
    char *name;               /* css_0_0_0052, ccw_0_0_5000, mdev_<uuid>_0_0_0052, computer */
    char *sysfs_path;         /* /sys/devices/css0/0.0.0052 (as the host names it); NULL
                                 for defined-but-inactive mdevs */
    char *parent;             /* node-device name of the parent, NULL for computer */
    char *driver;             /* bound driver name, NULL when unbound */
    VccwNodeDevCapType type;

    /* css, ccw */
    VccwCcwId id;
    bool has_channel_dev_addr;        /* css: dev_busid was not "none" */
    VccwCcwId channel_dev_addr;
    GPtrArray *mdev_types;            /* css: of VccwMdevType*, NULL or empty: none */

    /* mdev */
    char *mdev_type;                  /* vfio_ccw-io */
    char *defined_mdev_type;          /* active and persistent: the definition's type
                                         when it differs from the live one (after
                                         nodedev-update --config); NULL: the same */
    unsigned char uuid[VCCW_UUID_BUFLEN];
    bool has_uuid;
    char *parent_addr;                /* 0.0.0052 */
    int iommu_group;                  /* -1: unknown (inactive) */
    VccwMdevStart start;
    GPtrArray *attrs;                 /* of VccwMdevAttr*, order kept */
    bool active;                      /* exists in sysfs */
    bool persistent;                  /* defined in the mdevctl store */

    /* ccw, ccwgroup (libvirt 11.1+) */
    VccwCcwState ccw_state;           /* VCCW_CCW_STATE_LAST: no <state> */
    char *group_device;               /* ccw: <capability type='ccwgroup_member'>'s
                                         group, NULL when not a member */
    /* ccwgroup: the address (id) is the group's name, its first member's */
    GPtrArray *members;               /* of VccwCcwGroupMember*, in the kernel's
                                         listing order (as libvirt) */
    VccwCcwGroupType group_type;
    char *card_type;                  /* qeth: OSD_10GIG, ... */
    char *chpid;                      /* qeth: "BD" */
} VccwNodeDevDef;

VccwNodeDevDef *vccw_nodedev_def_new(VccwNodeDevCapType type);
void vccw_nodedev_def_free(VccwNodeDevDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwNodeDevDef, vccw_nodedev_def_free)

VccwMdevType *vccw_mdev_type_new(const char *id, const char *name,
                                 const char *device_api, unsigned int available);
void vccw_mdev_type_free(VccwMdevType *type);
VccwMdevAttr *vccw_mdev_attr_new(const char *name, const char *value);
void vccw_mdev_attr_free(VccwMdevAttr *attr);
VccwCcwGroupMember *vccw_ccwgroup_member_new(const char *ref, const char *device);
void vccw_ccwgroup_member_free(VccwCcwGroupMember *member);

/* libvirt's node-device names; non-alphanumerics become '_'. */
char *vccw_nodedev_name_css(const VccwCcwId *id);            /* css_0_0_0052 */
char *vccw_nodedev_name_ccw(const VccwCcwId *id);            /* ccw_0_0_5000 */
char *vccw_nodedev_name_ccwgroup(const VccwCcwId *id);       /* ccwgroup_0_0_bd00 */
char *vccw_nodedev_name_mdev(const unsigned char *uuid, const char *parent_addr);
/* The other way: "css_0_0_0052" with @prefix "css_" -> 0.0.0052. */
/* "<prefix>_%x_%x_%04x" (css_0_0_0313) into @buf, without printf: a
 * listing names every device. Returns the length. */
#define VCCW_NODEDEV_BUS_NAME_BUFLEN 64
size_t vccw_nodedev_format_bus_name(char buf[VCCW_NODEDEV_BUS_NAME_BUFLEN], const char *prefix,
                                    const VccwCcwId *id);
bool vccw_nodedev_parse_bus_name(const char *name, const char *prefix, VccwCcwId *id);
/* "mdev_<uuid, '_' for '-'>[_<parent, '_' for '.'>]" -> the UUID and the
 * parent ("0.0.0052", NULL without one); false for any other form. */
bool vccw_nodedev_parse_mdev_name(const char *name, unsigned char *uuid, char **parent);
/* "0.0.0052" <-> VccwCcwId; strict: x.x.xxxx, lower-case hex. */
bool vccw_ccw_id_parse(const char *str, VccwCcwId *id);
char *vccw_ccw_id_format(const VccwCcwId *id);

typedef enum {
    VCCW_NODEDEV_FORMAT_INACTIVE = 1 << 0,  /* dumpxml --inactive: no <path> etc.;
                                               an mdev shows its definition's type */
    /* libvirt 10+: <start type='auto|manual'/> after <uuid> for persistent
     * mdevs. Off by default because Debian 12's libvirt 9.0 neither prints
     * it nor accepts it in its nodedev schema (docs/formatnode-ccw.rst). */
    VCCW_NODEDEV_FORMAT_START = 1 << 1,
} VccwNodeDevFormatFlags;

/* The <device> document, ending in "</device>\n". Without
 * VCCW_NODEDEV_FORMAT_INACTIVE it is what libvirt 9.0's
 * `virsh nodedev-dumpxml` prints; INACTIVE drops <path> and <driver>.
 * The mdev <iommuGroup> is always printed, number 0 when unknown, as
 * libvirt does. Allocation: vccw_nodedev_def_new() creates mdev_types
 * for css, attrs for mdev and members for ccwgroup; other types leave
 * them NULL. ccw and ccwgroup devices are printed as libvirt 11.1+ does
 * (<state> when known, the ccwgroup_member capability of a group's
 * member); with neither set a ccw device is libvirt 9.0's. */
char *vccw_nodedev_def_format(const VccwNodeDevDef *def, unsigned int flags);

typedef enum {
    VCCW_NODEDEV_PARSE_CREATE,   /* nodedev-create: transient mdev */
    VCCW_NODEDEV_PARSE_DEFINE,   /* nodedev-define: persistent mdev */
    VCCW_NODEDEV_PARSE_EXISTING, /* a full device as dumpxml prints it (tests) */
} VccwNodeDevParseMode;

/* Parse user XML; errors are libvirt's texts for the same mistakes
 * ("missing parent device", "missing type id attribute for 'new device'",
 * "Invalid uuid 'xyz' for new mdev device", "Unsupported device type").
 * @url names the document in XML syntax errors; NULL gives libvirt's
 * "(node_device_definition)". Documents over 1 MiB are refused.
 * CREATE/DEFINE accept only an mdev with a parent; they ignore <name>,
 * <path> and <driver> (def->name stays NULL: the driver names the
 * device), set persistent for DEFINE, and check nothing against the host
 * (libvirt's "invalid parent device '%s'" is the driver's). EXISTING
 * keeps everything it reads; an mdev with <start> counts as persistent,
 * one with <path> as active. */
VccwNodeDevDef *vccw_nodedev_def_parse(const char *xml, size_t len, const char *url,
                                       VccwNodeDevParseMode mode, GError **err);
