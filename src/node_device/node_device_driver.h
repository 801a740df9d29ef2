/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the node-device driver API, shared by the CLI and virtccwd.
 *
 * Names are libvirt node-device names (css_0_0_0052, ccw_0_0_5000,
 * mdev_<uuid>_0_0_0052, ccwgroup_0_0_bd00, computer). Errors use libvirt's texts where
 * libvirt has one for the same situation. The real implementation is
 * node_device_ccw.c (sysfs under a VccwHost root + the mdevctl store).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "node_device_conf.h"
#include "vccw_host.h"

/* libvirt's virConnectListAllNodeDeviceFlags bit values (the ones that
 * matter on s390); other capability bits select nothing here. */
#define VCCW_LIST_CAP_SYSTEM      (1u << 0)
#define VCCW_LIST_CAP_MDEV_TYPES  (1u << 13)
#define VCCW_LIST_CAP_MDEV        (1u << 14)
#define VCCW_LIST_CAP_CCW_DEV     (1u << 15)
#define VCCW_LIST_CAP_CSS_DEV     (1u << 16)
#define VCCW_LIST_CAP_CCWGROUP_DEV    (1u << 22)   /* libvirt 11.1+ */
#define VCCW_LIST_CAP_CCWGROUP_MEMBER (1u << 23)   /* libvirt 11.1+ */
/* The capability bits that select something on s390. */
#define VCCW_LIST_CAPS_S390 (VCCW_LIST_CAP_SYSTEM | VCCW_LIST_CAP_MDEV_TYPES | \
                             VCCW_LIST_CAP_MDEV | VCCW_LIST_CAP_CCW_DEV | \
                             VCCW_LIST_CAP_CSS_DEV | VCCW_LIST_CAP_CCWGROUP_DEV | \
                             VCCW_LIST_CAP_CCWGROUP_MEMBER)
#define VCCW_LIST_PERSISTENT      (1u << 28)
#define VCCW_LIST_TRANSIENT       (1u << 29)
#define VCCW_LIST_INACTIVE        (1u << 30)
#define VCCW_LIST_ACTIVE          (1u << 31)

/* Whether @def is in the state @flags asks for (VCCW_LIST_ACTIVE,
 * INACTIVE, PERSISTENT, TRANSIENT; no active/inactive flag: active only,
 * like libvirt). Shared by the driver and virtccwd's cache, which must
 * answer the same. */
static inline bool
vccw_nodedev_state_matches_as(bool active, bool persistent, unsigned int flags)
{
    unsigned int state = flags & (VCCW_LIST_ACTIVE | VCCW_LIST_INACTIVE);
    unsigned int pers = flags & (VCCW_LIST_PERSISTENT | VCCW_LIST_TRANSIENT);

    if (state == 0)
        state = VCCW_LIST_ACTIVE;
    if (!((active && (state & VCCW_LIST_ACTIVE)) || (!active && (state & VCCW_LIST_INACTIVE))))
        return false;
    if (pers && !((persistent && (pers & VCCW_LIST_PERSISTENT)) ||
                  (!persistent && (pers & VCCW_LIST_TRANSIENT))))
        return false;
    return true;
}

/* Devices other than mdevs are active and not persistent. */
static inline bool
vccw_nodedev_state_matches(const VccwNodeDevDef *def, unsigned int flags)
{
    return vccw_nodedev_state_matches_as(def->type != VCCW_NODEDEV_CAP_MDEV || def->active,
                                         def->type == VCCW_NODEDEV_CAP_MDEV && def->persistent,
                                         flags);
}

/* Whether @def has one of the capabilities in @want (VCCW_LIST_CAP_*
 * bits), as libvirt's virNodeDeviceObjHasCap counts nested ones: a css
 * device with mdev types is "mdev_types", a ccw device in a group
 * "ccwgroup_member". Shared by the driver and virtccwd's cache. */
static inline bool
vccw_nodedev_cap_matches(const VccwNodeDevDef *def, unsigned int want)
{
    switch (def->type) {
    case VCCW_NODEDEV_CAP_SYSTEM:
        return want & VCCW_LIST_CAP_SYSTEM;
    case VCCW_NODEDEV_CAP_CSS:
        return (want & VCCW_LIST_CAP_CSS_DEV) ||
               ((want & VCCW_LIST_CAP_MDEV_TYPES) && def->mdev_types && def->mdev_types->len);
    case VCCW_NODEDEV_CAP_CCW:
        return (want & VCCW_LIST_CAP_CCW_DEV) ||
               ((want & VCCW_LIST_CAP_CCWGROUP_MEMBER) && def->group_device);
    case VCCW_NODEDEV_CAP_CCWGROUP:
        return want & VCCW_LIST_CAP_CCWGROUP_DEV;
    case VCCW_NODEDEV_CAP_MDEV:
        return want & VCCW_LIST_CAP_MDEV;
    default:
        return false;
    }
}

typedef struct _VccwNodeDevDriver VccwNodeDevDriver;

/* @host is borrowed and must outlive the driver. */
VccwNodeDevDriver *vccw_nodedev_driver_new(const VccwHost *host, GError **err);
void vccw_nodedev_driver_free(VccwNodeDevDriver *drv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwNodeDevDriver, vccw_nodedev_driver_free)

/* Many mdev lookups in a row (a domain's hostdevs): with @on, lookups find
 * mdevctl definitions through one index of the store's file names read
 * now (vccw_mdevctl_store_index) instead of opening every parent
 * directory of the store each time (O(parents) per lookup); @on false
 * drops it. Definitions written meanwhile, by anyone, are not seen. */
bool vccw_nodedev_driver_batch_lookups(VccwNodeDevDriver *drv, bool on, GError **err);

/* Devices matching @flags (0: all active ones, like libvirt), sorted by
 * name; of VccwNodeDevDef*. Devices whose sysfs entries are broken are
 * skipped and described in @warnings (char*, may be NULL). */
GPtrArray *vccw_nodedev_list(VccwNodeDevDriver *drv, unsigned int flags,
                             GPtrArray *warnings, GError **err);

/* One entry of a name-only listing: one allocation (g_free), the
 * parent's name inside it. */
typedef struct {
    const char *parent;   /* node-device name of the parent; NULL for computer */
    char name[];
} VccwNodeDevName;

/* The names of the devices vccw_nodedev_list() returns for @flags, in the
 * same order, with their parents (for a tree), reading only what decides
 * that a device is listed: no device objects (bench/README.md says what
 * each capability reads). Entries skipped because they are broken are
 * described in @warnings as by vccw_nodedev_list(); attributes that a
 * name does not depend on (dev_busid, type names, iommu groups, drivers)
 * are not read, so nothing is said about them; nor are the mdevctl
 * definitions read when the state filter does not depend on them (active
 * devices only, the default). Of VccwNodeDevName*. */
GPtrArray *vccw_nodedev_list_names(VccwNodeDevDriver *drv, unsigned int flags,
                                   GPtrArray *warnings, GError **err);

/* VCCW_ERR_NO_NODE_DEVICE: "Node device not found: no node device with
 * matching name '%s'" (libvirt's code 53, domain 22) */
VccwNodeDevDef *vccw_nodedev_lookup(VccwNodeDevDriver *drv, const char *name,
                                    GError **err);
/* The same, with what is wrong with the device's attributes (a
 * subchannel's dev_busid or mdev types, which listings do not read) in
 * @warnings (char*). */
VccwNodeDevDef *vccw_nodedev_lookup_warn(VccwNodeDevDriver *drv, const char *name,
                                         GPtrArray *warnings, GError **err);
/* The mdev with @uuid, active or defined (parent may narrow it). */
VccwNodeDevDef *vccw_nodedev_lookup_mdev(VccwNodeDevDriver *drv,
                                         const unsigned char *uuid,
                                         const char *parent_addr, GError **err);

/* Every entry of one mdev UUID (active, defined; any parent), reading that
 * mdev and its definitions only. NULL when a definition file of that UUID
 * cannot be read: vccw_nodedev_list() skips such a file with a warning, so
 * list instead. */
GPtrArray *vccw_nodedev_list_mdevs_of_uuid(VccwNodeDevDriver *drv, const unsigned char *uuid,
                                           GPtrArray *warnings);

/* mdev lifecycle. create_xml starts a transient mdev and waits (bounded)
 * until it appears; define_xml writes the mdevctl definition, or, for an
 * mdev already defined with that UUID and parent, rewrites it (libvirt
 * 10.1+: `mdevctl modify --defined`). */
VccwNodeDevDef *vccw_nodedev_create_xml(VccwNodeDevDriver *drv, const char *xml,
                                        size_t len, GError **err);
VccwNodeDevDef *vccw_nodedev_define_xml(VccwNodeDevDriver *drv, const char *xml,
                                        size_t len, GError **err);
/* libvirt 10.1+'s virNodeDeviceUpdate of an mdev (flags: node_device_update.h,
 * VCCW_UPDATE_AFFECT_*): CONFIG rewrites its mdevctl definition as
 * `mdevctl modify --defined --jsonfile` does (type, start, attrs; never
 * the UUID or parent); LIVE fails as mdevctl does for vfio_ccw. */
bool vccw_nodedev_update(VccwNodeDevDriver *drv, const char *name, const char *xml,
                         size_t len, unsigned int flags, GError **err);
/* Stop an active mdev: refuses when its /dev/vfio group is open (EBUSY),
 * never blocks on the kernel's remove. */
bool vccw_nodedev_destroy(VccwNodeDevDriver *drv, const char *name, GError **err);
/* The same by address, for undoing a start: the mdev @uuid on subchannel
 * @parent_addr (NULL: any) is stopped if it is active (@changed says
 * whether it was); one that is gone already is no error. */
bool vccw_nodedev_stop_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                            const char *parent_addr, bool *changed, GError **err);
bool vccw_nodedev_undefine(VccwNodeDevDriver *drv, const char *name, GError **err);
/* Start a defined mdev. */
bool vccw_nodedev_start(VccwNodeDevDriver *drv, const char *name, GError **err);
/* The same by address: the mdev @uuid defined under subchannel
 * @parent_addr ("0.0.0313"; NULL: any). */
bool vccw_nodedev_start_mdev(VccwNodeDevDriver *drv, const unsigned char *uuid,
                             const char *parent_addr, GError **err);
bool vccw_nodedev_get_autostart(VccwNodeDevDriver *drv, const char *name,
                                bool *autostart, GError **err);
bool vccw_nodedev_set_autostart(VccwNodeDevDriver *drv, const char *name,
                                bool autostart, GError **err);
/* Start every defined mdev with start='auto' whose parent is ready. */
bool vccw_nodedev_autostart_all(VccwNodeDevDriver *drv, GPtrArray *warnings,
                                GError **err);
/* The same, counting what went wrong: @skipped the entries the listing
 * skipped (a definition that cannot be read or parsed, a broken sysfs
 * entry: each also in @warnings), @failed the mdevs that did not start. */
bool vccw_nodedev_autostart_all_counted(VccwNodeDevDriver *drv, GPtrArray *warnings,
                                        guint *skipped, guint *failed, GError **err);

/* Boot time, per parent (the udev rule's program, virtccw udev-event):
 * start the start='auto' definitions of subchannel @parent_addr
 * ("0.0.0313") that are not active. A parent not registered with
 * vfio_ccw (yet) is no error: nothing is tried, *registered is false
 * (its MDEV_STATE=registered uevent comes later). An mdev already active
 * is skipped, so a second event for the same parent starts nothing.
 * Each mdev started is added to @started (char* UUIDs), each failure to
 * @warnings; false only when the parent or the store cannot be read. */
bool vccw_nodedev_autostart_parent(VccwNodeDevDriver *drv, const char *parent_addr,
                                   bool *registered, GPtrArray *started,
                                   GPtrArray *warnings, GError **err);

/* Subchannels: bind to vfio_ccw (detach from the host) and give back. */
typedef enum {
    VCCW_DETACH_PERSISTENT = 1 << 0,   /* also write /etc/driverctl.d/css-<id> */
    VCCW_DETACH_FORCE = 1 << 1,        /* even when the ccw device is online */
} VccwDetachFlags;
bool vccw_nodedev_detach(VccwNodeDevDriver *drv, const char *name,
                         unsigned int flags, GError **err);
/* The same by address: subchannel @subch ("0.0.0313"). */
bool vccw_nodedev_detach_subch(VccwNodeDevDriver *drv, const char *subch,
                               unsigned int flags, GError **err);
/* Apply the persistent override driverctl keeps for @subch ("0.0.0313")
 * in /etc/driverctl.d/css-<subch> (what driverctl's load-override does at
 * boot): "vfio_ccw" binds it with vccw_nodedev_detach_subch (forced: the admin
 * asked for it persistently; QDIO and non-I/O subchannels are still
 * refused). *applied tells whether anything changed; no file is no error.
 * Another driver in the file is refused (virtccw binds vfio_ccw only). */
bool vccw_nodedev_apply_persistent_override(VccwNodeDevDriver *drv, const char *subch,
                                            bool *applied, GError **err);
bool vccw_nodedev_reattach(VccwNodeDevDriver *drv, const char *name,
                           unsigned int flags, GError **err);
