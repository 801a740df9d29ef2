/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the sysfs / dev tree (see sim_tree.h). */
#include "sim_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

enum { T_DIR, T_REG, T_LNK };

enum {
    F_STABLE = 1 << 0,   /* exists exactly when its parent does */
    F_FIXED_Y = 1 << 1,  /* y comes from the table, not the parent */
};

typedef enum { BUS_CSS, BUS_CCW, BUS_MDEV, BUS_CCWGROUP, BUS_LAST } SimBus;
typedef enum { MOD_VFIO, MOD_VFIO_IOMMU_TYPE1, MOD_MDEV, MOD_VFIO_CCW, MOD_LAST } SimModule;


typedef struct {
    uint8_t kind;
    uint8_t parent;
    const char *name;   /* NULL: dynamic name */
    uint8_t type;
    uint16_t perm;
    uint8_t flags;
    uint32_t y;
} KindInfo;

/* Static children are listed in this order. One row per kind, except
 * kinds that appear under several fixed names (bus, module). */
static const KindInfo kinds[] = {
    { SIM_K_ROOT, SIM_K_ROOT, "", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SYS, SIM_K_ROOT, "sys", T_DIR, 0555, F_STABLE, 0 },
    { SIM_K_DEV, SIM_K_ROOT, "dev", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_ETC, SIM_K_ROOT, "etc", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_RUN, SIM_K_ROOT, "run", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CTL_DIR, SIM_K_ROOT, ".simhost", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CTL, SIM_K_CTL_DIR, "ctl", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_CTL_EVENTS, SIM_K_CTL_DIR, "events", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CTL_EVENTS_BASE, SIM_K_CTL_DIR, "events-base", T_REG, 0444, F_STABLE, 0 },

    { SIM_K_SYS_BUS, SIM_K_SYS, "bus", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SYS_CLASS, SIM_K_SYS, "class", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SYS_DEVICES, SIM_K_SYS, "devices", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SYS_KERNEL, SIM_K_SYS, "kernel", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SYS_MODULE, SIM_K_SYS, "module", T_DIR, 0755, F_STABLE, 0 },

    { SIM_K_BUS, SIM_K_SYS_BUS, "ccw", T_DIR, 0755, F_STABLE | F_FIXED_Y, BUS_CCW },
    { SIM_K_BUS, SIM_K_SYS_BUS, "ccwgroup", T_DIR, 0755, F_FIXED_Y, BUS_CCWGROUP },
    { SIM_K_BUS, SIM_K_SYS_BUS, "css", T_DIR, 0755, F_STABLE | F_FIXED_Y, BUS_CSS },
    { SIM_K_BUS, SIM_K_SYS_BUS, "mdev", T_DIR, 0755, F_STABLE | F_FIXED_Y, BUS_MDEV },
    { SIM_K_BUS_DEVICES, SIM_K_BUS, "devices", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_BUS_DRIVERS, SIM_K_BUS, "drivers", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_BUS_AUTOPROBE, SIM_K_BUS, "drivers_autoprobe", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_BUS_PROBE, SIM_K_BUS, "drivers_probe", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_BUS_UEVENT, SIM_K_BUS, "uevent", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_BUS_DEVLINK, SIM_K_BUS_DEVICES, NULL, T_LNK, 0777, 0, 0 },

    { SIM_K_DRV, SIM_K_BUS_DRIVERS, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_DRV_BIND, SIM_K_DRV, "bind", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_DRV_GROUP, SIM_K_DRV, "group", T_REG, 0200, 0, 0 },
    { SIM_K_DRV_MODULE, SIM_K_DRV, "module", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_DRV_UEVENT, SIM_K_DRV, "uevent", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_DRV_UNBIND, SIM_K_DRV, "unbind", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_DRV_LINK, SIM_K_DRV, NULL, T_LNK, 0777, 0, 0 },

    { SIM_K_CSS0, SIM_K_SYS_DEVICES, "css0", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CSS0_DEFUNCT, SIM_K_CSS0, "defunct", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CSS0_REAL_CSSID, SIM_K_CSS0, "real_cssid", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CSS0_RESCAN, SIM_K_CSS0, "rescan", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_CSS0_UEVENT, SIM_K_CSS0, "uevent", T_REG, 0644, F_STABLE, 0 },

    { SIM_K_SCH, SIM_K_CSS0, NULL, T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_SCH_CHPIDS, SIM_K_SCH, "chpids", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_SCH_DEV_BUSID, SIM_K_SCH, "dev_busid", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_SCH_DRIVER, SIM_K_SCH, "driver", T_LNK, 0777, 0, 0 },
    { SIM_K_SCH_OVERRIDE, SIM_K_SCH, "driver_override", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_SCH_LOGGING, SIM_K_SCH, "logging", T_REG, 0200, 0, 0 },
    { SIM_K_SCH_MTYPES, SIM_K_SCH, "mdev_supported_types", T_DIR, 0755, 0, 0 },
    { SIM_K_SCH_MODALIAS, SIM_K_SCH, "modalias", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_SCH_PARENT, SIM_K_SCH, "parent", T_DIR, 0755, 0, 0 },
    { SIM_K_SCH_PIM, SIM_K_SCH, "pimpampom", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_SCH_SUBSYSTEM, SIM_K_SCH, "subsystem", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_SCH_TYPE, SIM_K_SCH, "type", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_SCH_UEVENT, SIM_K_SCH, "uevent", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_SCH_VPM, SIM_K_SCH, "vpm", T_REG, 0444, 0, 0 },
    { SIM_K_SCH_PARENT_UEVENT, SIM_K_SCH_PARENT, "uevent", T_REG, 0644, F_STABLE, 0 },

    { SIM_K_MTYPE, SIM_K_SCH_MTYPES, "vfio_ccw-io", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_MTYPE_AVAIL, SIM_K_MTYPE, "available_instances", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_MTYPE_CREATE, SIM_K_MTYPE, "create", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_MTYPE_API, SIM_K_MTYPE, "device_api", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_MTYPE_DEVICES, SIM_K_MTYPE, "devices", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_MTYPE_NAME, SIM_K_MTYPE, "name", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_MTYPE_DEVLINK, SIM_K_MTYPE_DEVICES, NULL, T_LNK, 0777, 0, 0 },

    { SIM_K_CCW, SIM_K_SCH, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_CCW_AVAIL, SIM_K_CCW, "availability", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CCW_CMB, SIM_K_CCW, "cmb_enable", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CCW_CUTYPE, SIM_K_CCW, "cutype", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CCW_DEVTYPE, SIM_K_CCW, "devtype", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CCW_DRIVER, SIM_K_CCW, "driver", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_CCW_MODALIAS, SIM_K_CCW, "modalias", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CCW_ONLINE, SIM_K_CCW, "online", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CCW_SUBSYSTEM, SIM_K_CCW, "subsystem", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_CCW_UEVENT, SIM_K_CCW, "uevent", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CCW_GROUPDEV, SIM_K_CCW, "group_device", T_LNK, 0777, 0, 0 },

    /* /sys/devices/qeth/<group>: the group's entries in the order kernfs
     * lists them (by its name hash), which libvirt keeps for cdevN */
    { SIM_K_QETH_ROOT, SIM_K_SYS_DEVICES, "qeth", T_DIR, 0755, 0, 0 },
    { SIM_K_QETH_ROOT_UEVENT, SIM_K_QETH_ROOT, "uevent", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CG, SIM_K_QETH_ROOT, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_CG_ONLINE, SIM_K_CG, "online", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CG_SUBSYSTEM, SIM_K_CG, "subsystem", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_CG_DRIVER, SIM_K_CG, "driver", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_CG_CDEV, SIM_K_CG, "cdev1", T_LNK, 0777, F_STABLE | F_FIXED_Y, 1 },
    { SIM_K_CG_CARD_TYPE, SIM_K_CG, "card_type", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CG_UNGROUP, SIM_K_CG, "ungroup", T_REG, 0200, F_STABLE, 0 },
    { SIM_K_CG_CHPID, SIM_K_CG, "chpid", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CG_STATE, SIM_K_CG, "state", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_CG_CDEV, SIM_K_CG, "cdev2", T_LNK, 0777, F_STABLE | F_FIXED_Y, 2 },
    { SIM_K_CG_LAYER2, SIM_K_CG, "layer2", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CG_UEVENT, SIM_K_CG, "uevent", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_CG_CDEV, SIM_K_CG, "cdev0", T_LNK, 0777, F_STABLE | F_FIXED_Y, 0 },

    { SIM_K_MDEV, SIM_K_SCH, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_MDEV_DRIVER, SIM_K_MDEV, "driver", T_LNK, 0777, 0, 0 },
    { SIM_K_MDEV_IOMMU, SIM_K_MDEV, "iommu_group", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_MDEV_MTYPE, SIM_K_MDEV, "mdev_type", T_LNK, 0777, 0, 0 },
    { SIM_K_MDEV_REMOVE, SIM_K_MDEV, "remove", T_REG, 0200, 0, 0 },
    { SIM_K_MDEV_SUBSYSTEM, SIM_K_MDEV, "subsystem", T_LNK, 0777, 0, 0 },
    { SIM_K_MDEV_UEVENT, SIM_K_MDEV, "uevent", T_REG, 0644, 0, 0 },
    { SIM_K_MDEV_VFIODEV, SIM_K_MDEV, "vfio-dev", T_DIR, 0755, 0, 0 },
    { SIM_K_VFIODEV, SIM_K_MDEV_VFIODEV, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_VFIODEV_DEVICE, SIM_K_VFIODEV, "device", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_VFIODEV_SUBSYSTEM, SIM_K_VFIODEV, "subsystem", T_LNK, 0777, F_STABLE, 0 },
    { SIM_K_VFIODEV_UEVENT, SIM_K_VFIODEV, "uevent", T_REG, 0644, F_STABLE, 0 },

    { SIM_K_CLASS_MDEV_BUS, SIM_K_SYS_CLASS, "mdev_bus", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CLASS_VFIODEV, SIM_K_SYS_CLASS, "vfio-dev", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_CLASS_LINK, SIM_K_CLASS_MDEV_BUS, NULL, T_LNK, 0777, 0, 0 },

    { SIM_K_IOMMU_GROUPS, SIM_K_SYS_KERNEL, "iommu_groups", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_GROUP, SIM_K_IOMMU_GROUPS, NULL, T_DIR, 0755, 0, 0 },
    { SIM_K_GROUP_DEVICES, SIM_K_GROUP, "devices", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_GROUP_NAME, SIM_K_GROUP, "name", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_GROUP_RESV, SIM_K_GROUP, "reserved_regions", T_REG, 0444, F_STABLE, 0 },
    { SIM_K_GROUP_TYPE, SIM_K_GROUP, "type", T_REG, 0644, F_STABLE, 0 },
    { SIM_K_GROUP_DEVLINK, SIM_K_GROUP_DEVICES, NULL, T_LNK, 0777, 0, 0 },

    { SIM_K_MODULE, SIM_K_SYS_MODULE, "mdev", T_DIR, 0755, F_FIXED_Y, MOD_MDEV },
    { SIM_K_MODULE, SIM_K_SYS_MODULE, "vfio", T_DIR, 0755, F_FIXED_Y, MOD_VFIO },
    { SIM_K_MODULE, SIM_K_SYS_MODULE, "vfio_ccw", T_DIR, 0755, F_FIXED_Y, MOD_VFIO_CCW },
    { SIM_K_MODULE, SIM_K_SYS_MODULE, "vfio_iommu_type1", T_DIR, 0755, F_FIXED_Y, MOD_VFIO_IOMMU_TYPE1 },

    { SIM_K_DEV_VFIO, SIM_K_DEV, "vfio", T_DIR, 0755, F_STABLE, 0 },
    { SIM_K_DEV_VFIO_CONTAINER, SIM_K_DEV_VFIO, "vfio", T_REG, 0666, F_STABLE, 0 },
    { SIM_K_DEV_GROUP, SIM_K_DEV_VFIO, NULL, T_REG, 0600, 0, 0 },
};

static SimNode
static_child(const SimModel *m, const KindInfo *ki, SimNode dir)
{
    SimNode c = { ki->kind, dir.x, (ki->flags & F_FIXED_Y) ? ki->y : dir.y };

    if (c.kind == SIM_K_SCH_DRIVER)
        c.y = sim_model_sch_driver(m, c.x);
    return c;
}

static const KindInfo *
kind_info(uint8_t kind)
{
    static const KindInfo *by_kind[SIM_K_LAST];

    if (kind >= SIM_K_LAST)
        return NULL;
    if (!by_kind[SIM_K_ROOT]) {
        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
            if (!by_kind[kinds[i].kind])
                by_kind[kinds[i].kind] = &kinds[i];
        }
    }
    return by_kind[kind];
}

uint64_t
sim_node_ino(SimNode n)
{
    if (n.kind == SIM_K_ROOT)
        return SIM_ROOT_INO;
    return ((uint64_t)n.kind << 56) | ((uint64_t)n.x << 24) | (n.y & 0xffffff);
}

SimNode
sim_node_from_ino(uint64_t ino)
{
    SimNode n;

    if (ino == SIM_ROOT_INO)
        return sim_node_root();
    n.kind = (uint8_t)(ino >> 56);
    n.x = (uint32_t)(ino >> 24);
    n.y = (uint32_t)(ino & 0xffffff);
    return n;
}

SimNode
sim_node_root(void)
{
    return (SimNode){ SIM_K_ROOT, 0, 0 };
}

static SimNode
mk(uint8_t kind, uint32_t x, uint32_t y)
{
    return (SimNode){ kind, x, y };
}

/* ---- what exists ---- */

static SimBus
driver_bus(SimDriver d)
{
    switch (d) {
    case SIM_DRV_IO_SUBCHANNEL:
    case SIM_DRV_VFIO_CCW:
        return BUS_CSS;
    case SIM_DRV_VFIO_CCW_MDEV:
        return BUS_MDEV;
    case SIM_DRV_QETH_GROUP:
        return BUS_CCWGROUP;
    default:
        return BUS_CCW;
    }
}

static bool
driver_exists(const SimModel *m, uint32_t d)
{
    const SimLayout *l = sim_model_layout(m);

    switch ((SimDriver)d) {
    case SIM_DRV_IO_SUBCHANNEL:
        return true;
    case SIM_DRV_VFIO_CCW:
    case SIM_DRV_VFIO_CCW_MDEV:
        return sim_model_vfio_loaded(m);
    case SIM_DRV_DASD_ECKD:
    case SIM_DRV_QETH:
    case SIM_DRV_ZFCP:
    case SIM_DRV_QETH_GROUP:
        return l->kind == SIM_LAYOUT_LPAR;
    case SIM_DRV_VIRTIO_CCW:
        return l->kind == SIM_LAYOUT_QEMU;
    default:
        return false;
    }
}

static bool
sch_valid(const SimModel *m, uint32_t x)
{
    return x < sim_model_layout(m)->n;
}

static bool
sch_vfio(const SimModel *m, uint32_t x)
{
    return sch_valid(m, x) && sim_model_sch_driver(m, x) == SIM_DRV_VFIO_CCW;
}

static bool
sch_vfio_registered(const SimModel *m, uint32_t x)
{
    return sch_vfio(m, x) && !sim_model_sch_unbinding(m, x);
}

static const SimMdev *
mdev_active(const SimModel *m, uint32_t serial)
{
    const SimMdev *md = sim_model_mdev_by_serial(m, serial);

    return md && !md->removing ? md : NULL;
}

static bool
vfiodev_exists(const SimModel *m, uint32_t serial)
{
    const SimMdev *md = sim_model_mdev_by_serial(m, serial);

    /* 6.1 keeps vfio-dev/ while a remove is blocked, 6.12 drops it first */
    return md && (!md->removing || sim_model_layout(m)->kernel == SIM_KERNEL_6_1);
}

static bool
ccw_driver_has(const SimModel *m, uint32_t drv, uint32_t idx)
{
    SimSchInfo info;

    if (!sim_model_ccw_present(m, idx))
        return false;
    sim_layout_sch_info(sim_model_layout(m), idx, &info);
    return info.ccw_driver == drv;
}

/* ccwgroup devices: only in the LPAR layout (the qeth module loaded) */
static bool
lpar(const SimModel *m)
{
    return sim_model_layout(m)->kind == SIM_LAYOUT_LPAR;
}

static bool
group_valid(const SimModel *m, uint32_t g)
{
    return sim_model_ccwgroup_exists(m, g);
}

static bool
in_group(const SimModel *m, uint32_t idx)
{
    uint32_t g;
    unsigned member;

    return sim_model_ccw_present(m, idx) &&
           sim_layout_ccwgroup_of_sch(sim_model_layout(m), idx, &g, &member) &&
           sim_model_ccwgroup_exists(m, g);
}

static bool
drv_link_exists(const SimModel *m, uint32_t drv, uint32_t x)
{
    switch ((SimDriver)drv) {
    case SIM_DRV_QETH_GROUP:
        return group_valid(m, x);
    case SIM_DRV_IO_SUBCHANNEL:
        return sch_valid(m, x) && sim_model_sch_driver(m, x) == SIM_DRV_IO_SUBCHANNEL;
    case SIM_DRV_VFIO_CCW:
        return sch_vfio_registered(m, x);
    case SIM_DRV_VFIO_CCW_MDEV:
        return mdev_active(m, x) != NULL;
    default:
        return ccw_driver_has(m, drv, x);
    }
}

bool
sim_tree_exists(const SimModel *m, SimNode n)
{
    switch ((SimKind)n.kind) {
    case SIM_K_ROOT: case SIM_K_SYS: case SIM_K_DEV: case SIM_K_ETC: case SIM_K_RUN:
    case SIM_K_CTL_DIR: case SIM_K_CTL: case SIM_K_CTL_EVENTS: case SIM_K_CTL_EVENTS_BASE:
    case SIM_K_SYS_BUS: case SIM_K_SYS_DEVICES: case SIM_K_SYS_CLASS:
    case SIM_K_SYS_KERNEL: case SIM_K_SYS_MODULE:
    case SIM_K_CSS0: case SIM_K_CSS0_DEFUNCT: case SIM_K_CSS0_REAL_CSSID:
    case SIM_K_CSS0_RESCAN: case SIM_K_CSS0_UEVENT:
    case SIM_K_CLASS_MDEV_BUS: case SIM_K_CLASS_VFIODEV: case SIM_K_IOMMU_GROUPS:
    case SIM_K_DEV_VFIO: case SIM_K_DEV_VFIO_CONTAINER:
        return n.x == 0 && n.y == 0;
    case SIM_K_BUS: case SIM_K_BUS_DEVICES: case SIM_K_BUS_DRIVERS:
    case SIM_K_BUS_AUTOPROBE: case SIM_K_BUS_PROBE: case SIM_K_BUS_UEVENT:
        return n.x == 0 && n.y < BUS_LAST && (n.y != BUS_CCWGROUP || lpar(m));
    case SIM_K_BUS_DEVLINK:
        if (n.y == BUS_CSS)
            return sch_valid(m, n.x);
        if (n.y == BUS_CCW)
            return sim_model_ccw_present(m, n.x);
        if (n.y == BUS_MDEV)
            return mdev_active(m, n.x) != NULL;
        if (n.y == BUS_CCWGROUP)
            return group_valid(m, n.x);
        return false;
    case SIM_K_DRV_GROUP:
        return n.x == 0 && n.y == SIM_DRV_QETH_GROUP && driver_exists(m, n.y);
    case SIM_K_CCW_GROUPDEV:
        return n.y == 0 && in_group(m, n.x);
    case SIM_K_QETH_ROOT: case SIM_K_QETH_ROOT_UEVENT:
        return n.x == 0 && n.y == 0 && lpar(m);
    case SIM_K_CG: case SIM_K_CG_ONLINE: case SIM_K_CG_SUBSYSTEM: case SIM_K_CG_DRIVER:
    case SIM_K_CG_CARD_TYPE: case SIM_K_CG_UNGROUP: case SIM_K_CG_CHPID: case SIM_K_CG_STATE:
    case SIM_K_CG_LAYER2: case SIM_K_CG_UEVENT:
        return n.y == 0 && group_valid(m, n.x);
    case SIM_K_CG_CDEV:
        return n.y < SIM_CCWGROUP_MEMBERS && group_valid(m, n.x);
    case SIM_K_DRV: case SIM_K_DRV_BIND: case SIM_K_DRV_UNBIND: case SIM_K_DRV_UEVENT:
        return n.x == 0 && driver_exists(m, n.y);
    case SIM_K_DRV_MODULE:
        return n.x == 0 && driver_exists(m, n.y) &&
               (n.y == SIM_DRV_VFIO_CCW || n.y == SIM_DRV_VFIO_CCW_MDEV);
    case SIM_K_DRV_LINK:
        return driver_exists(m, n.y) && drv_link_exists(m, n.y, n.x);

    case SIM_K_SCH: case SIM_K_SCH_CHPIDS: case SIM_K_SCH_DEV_BUSID: case SIM_K_SCH_OVERRIDE:
    case SIM_K_SCH_MODALIAS: case SIM_K_SCH_PIM: case SIM_K_SCH_SUBSYSTEM: case SIM_K_SCH_TYPE:
    case SIM_K_SCH_UEVENT:
        return n.y == 0 && sch_valid(m, n.x);
    case SIM_K_SCH_DRIVER:
        /* y is the driver: a symlink inode never changes its target */
        return sch_valid(m, n.x) && n.y != SIM_DRV_NONE && sim_model_sch_driver(m, n.x) == n.y &&
               !sim_model_sch_unbinding(m, n.x);
    case SIM_K_SCH_LOGGING: case SIM_K_SCH_VPM:
        return n.y == 0 && sch_valid(m, n.x) &&
               sim_model_sch_driver(m, n.x) == SIM_DRV_IO_SUBCHANNEL;
    case SIM_K_SCH_MTYPES: case SIM_K_MTYPE: case SIM_K_MTYPE_AVAIL: case SIM_K_MTYPE_CREATE:
    case SIM_K_MTYPE_API: case SIM_K_MTYPE_DEVICES: case SIM_K_MTYPE_NAME:
        return n.y == 0 && sch_vfio(m, n.x);
    case SIM_K_SCH_PARENT: case SIM_K_SCH_PARENT_UEVENT:
        return n.y == 0 && sch_vfio(m, n.x) &&
               sim_model_layout(m)->kernel == SIM_KERNEL_6_12;
    case SIM_K_MTYPE_DEVLINK:
        return mdev_active(m, n.x) != NULL;

    case SIM_K_CCW: case SIM_K_CCW_AVAIL: case SIM_K_CCW_CMB: case SIM_K_CCW_CUTYPE:
    case SIM_K_CCW_DEVTYPE: case SIM_K_CCW_DRIVER: case SIM_K_CCW_MODALIAS: case SIM_K_CCW_ONLINE:
    case SIM_K_CCW_SUBSYSTEM: case SIM_K_CCW_UEVENT:
        return n.y == 0 && sim_model_ccw_present(m, n.x);

    case SIM_K_MDEV: case SIM_K_MDEV_IOMMU:
        return n.y == 0 && sim_model_mdev_by_serial(m, n.x) != NULL;
    case SIM_K_MDEV_DRIVER: case SIM_K_MDEV_MTYPE: case SIM_K_MDEV_REMOVE:
    case SIM_K_MDEV_SUBSYSTEM: case SIM_K_MDEV_UEVENT:
        return n.y == 0 && mdev_active(m, n.x) != NULL;
    case SIM_K_MDEV_VFIODEV: case SIM_K_VFIODEV: case SIM_K_VFIODEV_DEVICE:
    case SIM_K_VFIODEV_SUBSYSTEM: case SIM_K_VFIODEV_UEVENT:
        return n.y == 0 && vfiodev_exists(m, n.x);

    case SIM_K_CLASS_LINK:
        return n.y == 0 && sch_vfio_registered(m, n.x);

    case SIM_K_GROUP: case SIM_K_GROUP_DEVICES: case SIM_K_GROUP_NAME: case SIM_K_GROUP_RESV:
    case SIM_K_GROUP_TYPE: case SIM_K_DEV_GROUP:
        return n.y == 0 && sim_model_mdev_of_group(m, n.x) != NULL;
    case SIM_K_GROUP_DEVLINK:
        return n.y == 0 && sim_model_mdev_by_serial(m, n.x) != NULL;

    case SIM_K_MODULE:
        if (n.x != 0 || n.y >= MOD_LAST)
            return false;
        return n.y != MOD_VFIO_CCW || sim_model_vfio_loaded(m);
    case SIM_K_LAST:
    case SIM_K_PASSTHROUGH:
        break;
    }
    return false;
}

bool
sim_tree_is_stable(SimNode n)
{
    const KindInfo *ki = kind_info(n.kind);

    if (!ki)
        return false;
    if (n.kind == SIM_K_BUS_DEVLINK)
        return n.y == BUS_CSS;
    if (n.kind == SIM_K_DRV)
        return n.y == SIM_DRV_IO_SUBCHANNEL;
    if (n.kind == SIM_K_MODULE)
        return n.y != MOD_VFIO_CCW;
    return ki->flags & F_STABLE;
}

int
sim_tree_stat(const SimModel *m, SimNode n, struct stat *st)
{
    const KindInfo *ki = kind_info(n.kind);

    if (!ki || !sim_tree_exists(m, n))
        return -ENOENT;
    memset(st, 0, sizeof(*st));
    st->st_ino = sim_node_ino(n);
    switch (ki->type) {
    case T_DIR:
        st->st_mode = S_IFDIR | ki->perm;
        st->st_nlink = 2;
        break;
    case T_REG:
        st->st_mode = S_IFREG | ki->perm;
        st->st_nlink = 1;
        /* sysfs attributes claim a page; device nodes are empty */
        st->st_size = (n.kind == SIM_K_DEV_GROUP || n.kind == SIM_K_DEV_VFIO_CONTAINER) ? 0 : SIM_PAGE_SIZE;
        break;
    default:
        st->st_mode = S_IFLNK | 0777;
        st->st_nlink = 1;
        break;
    }
    st->st_blksize = SIM_PAGE_SIZE;
    return 0;
}

/* ---- names ---- */

static bool
parse_uint_canonical(const char *s, uint32_t *out)
{
    uint64_t v = 0;

    if (!*s || (s[0] == '0' && s[1]))
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static void
sch_name(const SimModel *m, uint32_t idx, char *buf)
{
    sim_layout_sch_name(sim_model_layout(m), idx, buf);
}

static void
ccw_name(const SimModel *m, uint32_t idx, char *buf)
{
    sim_layout_ccw_name(sim_model_layout(m), idx, buf);
}

static SimDriver
driver_by_name(const char *name, SimBus bus)
{
    for (int d = SIM_DRV_NONE + 1; d < SIM_DRV_LAST; d++) {
        if (driver_bus(d) == bus && g_str_equal(sim_driver_name(d), name))
            return d;
    }
    return SIM_DRV_NONE;
}

static bool
lookup_dynamic(const SimModel *m, SimNode dir, const char *name, SimNode *out)
{
    const SimLayout *l = sim_model_layout(m);
    const SimMdev *md;
    uint32_t idx;

    switch ((SimKind)dir.kind) {
    case SIM_K_BUS_DEVICES:
        if (dir.y == BUS_CSS && sim_layout_sch_from_name(l, name, &idx)) {
            *out = mk(SIM_K_BUS_DEVLINK, idx, BUS_CSS);
            return true;
        }
        if (dir.y == BUS_CCW && sim_layout_ccw_from_name(l, name, &idx)) {
            *out = mk(SIM_K_BUS_DEVLINK, idx, BUS_CCW);
            return true;
        }
        if (dir.y == BUS_MDEV && (md = sim_model_mdev_by_uuid(m, name))) {
            *out = mk(SIM_K_BUS_DEVLINK, md->serial, BUS_MDEV);
            return true;
        }
        if (dir.y == BUS_CCWGROUP && sim_layout_ccwgroup_from_name(l, name, &idx)) {
            *out = mk(SIM_K_BUS_DEVLINK, idx, BUS_CCWGROUP);
            return true;
        }
        return false;
    case SIM_K_QETH_ROOT:
        if (!sim_layout_ccwgroup_from_name(l, name, &idx))
            return false;
        *out = mk(SIM_K_CG, idx, 0);
        return true;
    case SIM_K_BUS_DRIVERS: {
        SimDriver d = driver_by_name(name, (SimBus)dir.y);

        if (d == SIM_DRV_NONE)
            return false;
        *out = mk(SIM_K_DRV, 0, d);
        return true;
    }
    case SIM_K_DRV:
        if (dir.y == SIM_DRV_QETH_GROUP) {
            if (!sim_layout_ccwgroup_from_name(l, name, &idx))
                return false;
            *out = mk(SIM_K_DRV_LINK, idx, dir.y);
            return true;
        }
        if (dir.y == SIM_DRV_VFIO_CCW_MDEV) {
            if (!(md = sim_model_mdev_by_uuid(m, name)))
                return false;
            *out = mk(SIM_K_DRV_LINK, md->serial, dir.y);
            return true;
        }
        if (driver_bus(dir.y) == BUS_CSS ? sim_layout_sch_from_name(l, name, &idx)
                                         : sim_layout_ccw_from_name(l, name, &idx)) {
            *out = mk(SIM_K_DRV_LINK, idx, dir.y);
            return true;
        }
        return false;
    case SIM_K_CSS0:
        if (!sim_layout_sch_from_name(l, name, &idx))
            return false;
        *out = mk(SIM_K_SCH, idx, 0);
        return true;
    case SIM_K_SCH:
        if (sim_layout_ccw_from_name(l, name, &idx) && idx == dir.x) {
            *out = mk(SIM_K_CCW, idx, 0);
            return true;
        }
        if ((md = sim_model_mdev_by_uuid(m, name)) && md->sch == dir.x) {
            *out = mk(SIM_K_MDEV, md->serial, 0);
            return true;
        }
        return false;
    case SIM_K_MTYPE_DEVICES:
    case SIM_K_GROUP_DEVICES:
        if (!(md = sim_model_mdev_by_uuid(m, name)))
            return false;
        if (dir.kind == SIM_K_MTYPE_DEVICES ? md->sch != dir.x : md->group != dir.x)
            return false;
        *out = mk(dir.kind == SIM_K_MTYPE_DEVICES ? SIM_K_MTYPE_DEVLINK : SIM_K_GROUP_DEVLINK,
                  md->serial, 0);
        return true;
    case SIM_K_MDEV_VFIODEV:
        if (!(md = sim_model_mdev_by_serial(m, dir.x)) || !g_str_has_prefix(name, "vfio") ||
            !parse_uint_canonical(name + 4, &idx) || idx != md->vfio_dev)
            return false;
        *out = mk(SIM_K_VFIODEV, md->serial, 0);
        return true;
    case SIM_K_CLASS_MDEV_BUS:
        if (!sim_layout_sch_from_name(l, name, &idx))
            return false;
        *out = mk(SIM_K_CLASS_LINK, idx, 0);
        return true;
    case SIM_K_IOMMU_GROUPS:
    case SIM_K_DEV_VFIO:
        if (!parse_uint_canonical(name, &idx))
            return false;
        *out = mk(dir.kind == SIM_K_IOMMU_GROUPS ? SIM_K_GROUP : SIM_K_DEV_GROUP, idx, 0);
        return true;
    default:
        return false;
    }
}

int
sim_tree_lookup(const SimModel *m, SimNode dir, const char *name, SimNode *out)
{
    const KindInfo *dk = kind_info(dir.kind);

    if (!dk || !sim_tree_exists(m, dir))
        return -ENOENT;
    if (dk->type != T_DIR)
        return -ENOTDIR;
    if (g_str_equal(name, "."))  {
        *out = dir;
        return 0;
    }
    for (size_t i = 1; i < G_N_ELEMENTS(kinds); i++) {
        const KindInfo *ki = &kinds[i];

        if (ki->parent != dir.kind || !ki->name || !g_str_equal(ki->name, name))
            continue;
        *out = static_child(m, ki, dir);
        return sim_tree_exists(m, *out) ? 0 : -ENOENT;
    }
    if (!lookup_dynamic(m, dir, name, out) || !sim_tree_exists(m, *out))
        return -ENOENT;
    return 0;
}

/* ---- listing ---- */

#define COOKIE_DYN (UINT64_C(1) << 40)

/* 1 + the first existing ccwgroup device at or after @pos, 0: none */
static uint64_t
next_group(const SimModel *m, uint64_t pos)
{
    uint32_t count = sim_layout_ccwgroup_count(sim_model_layout(m));

    for (uint64_t g = pos; g < count; g++) {
        if (group_valid(m, (uint32_t)g))
            return g + 1;
    }
    return 0;
}

/* The next dynamic child of @dir at or after @pos. */
static bool
next_dynamic(const SimModel *m, SimNode dir, uint64_t pos, char *name, SimNode *child,
             uint64_t *next)
{
    const SimLayout *l = sim_model_layout(m);
    const SimMdev *md;
    uint32_t n = l->n;

    switch ((SimKind)dir.kind) {
    case SIM_K_QETH_ROOT:
        if (!(pos = next_group(m, pos)))
            return false;
        sim_layout_ccwgroup_name(l, (uint32_t)(pos - 1), name);
        *child = mk(SIM_K_CG, (uint32_t)(pos - 1), 0);
        *next = pos;
        return true;
    case SIM_K_BUS_DEVICES:
        if (dir.y == BUS_CCWGROUP) {
            if (!(pos = next_group(m, pos)))
                return false;
            sim_layout_ccwgroup_name(l, (uint32_t)(pos - 1), name);
            *child = mk(SIM_K_BUS_DEVLINK, (uint32_t)(pos - 1), BUS_CCWGROUP);
            *next = pos;
            return true;
        }
        if (dir.y == BUS_MDEV) {
            for (md = sim_model_mdev_next(m, (uint32_t)MIN(pos, UINT32_MAX)); md;
                 md = sim_model_mdev_next(m, md->serial + 1)) {
                if (md->removing)
                    continue;
                strcpy(name, md->uuid);
                *child = mk(SIM_K_BUS_DEVLINK, md->serial, BUS_MDEV);
                *next = (uint64_t)md->serial + 1;
                return true;
            }
            return false;
        }
        for (uint64_t i = pos; i < n; i++) {
            if (dir.y == BUS_CCW && !sim_model_ccw_present(m, (uint32_t)i))
                continue;
            if (dir.y == BUS_CCW)
                ccw_name(m, (uint32_t)i, name);
            else
                sch_name(m, (uint32_t)i, name);
            *child = mk(SIM_K_BUS_DEVLINK, (uint32_t)i, dir.y);
            *next = i + 1;
            return true;
        }
        return false;
    case SIM_K_BUS_DRIVERS:
        for (uint64_t d = MAX(pos, 1); d < SIM_DRV_LAST; d++) {
            if (driver_bus((SimDriver)d) != dir.y || !driver_exists(m, (uint32_t)d))
                continue;
            strcpy(name, sim_driver_name((SimDriver)d));
            *child = mk(SIM_K_DRV, 0, (uint32_t)d);
            *next = d + 1;
            return true;
        }
        return false;
    case SIM_K_DRV:
        if (dir.y == SIM_DRV_QETH_GROUP) {
            if (!(pos = next_group(m, pos)))
                return false;
            sim_layout_ccwgroup_name(l, (uint32_t)(pos - 1), name);
            *child = mk(SIM_K_DRV_LINK, (uint32_t)(pos - 1), dir.y);
            *next = pos;
            return true;
        }
        if (dir.y == SIM_DRV_VFIO_CCW_MDEV) {
            for (md = sim_model_mdev_next(m, (uint32_t)MIN(pos, UINT32_MAX)); md;
                 md = sim_model_mdev_next(m, md->serial + 1)) {
                if (md->removing)
                    continue;
                strcpy(name, md->uuid);
                *child = mk(SIM_K_DRV_LINK, md->serial, dir.y);
                *next = (uint64_t)md->serial + 1;
                return true;
            }
            return false;
        }
        for (uint64_t i = pos; i < n; i++) {
            if (!drv_link_exists(m, dir.y, (uint32_t)i))
                continue;
            if (driver_bus(dir.y) == BUS_CSS)
                sch_name(m, (uint32_t)i, name);
            else
                ccw_name(m, (uint32_t)i, name);
            *child = mk(SIM_K_DRV_LINK, (uint32_t)i, dir.y);
            *next = i + 1;
            return true;
        }
        return false;
    case SIM_K_CSS0:
    case SIM_K_CLASS_MDEV_BUS:
        for (uint64_t i = pos; i < n; i++) {
            if (dir.kind == SIM_K_CLASS_MDEV_BUS && !sch_vfio_registered(m, (uint32_t)i))
                continue;
            sch_name(m, (uint32_t)i, name);
            *child = mk(dir.kind == SIM_K_CSS0 ? SIM_K_SCH : SIM_K_CLASS_LINK, (uint32_t)i, 0);
            *next = i + 1;
            return true;
        }
        return false;
    case SIM_K_SCH:
        if (pos == 0 && sim_model_ccw_present(m, dir.x)) {
            ccw_name(m, dir.x, name);
            *child = mk(SIM_K_CCW, dir.x, 0);
            *next = 1;
            return true;
        }
        if (pos <= 1 && (md = sim_model_mdev_of_sch(m, dir.x))) {
            strcpy(name, md->uuid);
            *child = mk(SIM_K_MDEV, md->serial, 0);
            *next = 2;
            return true;
        }
        return false;
    case SIM_K_MTYPE_DEVICES:
        if (pos == 0 && (md = sim_model_mdev_of_sch(m, dir.x)) && !md->removing) {
            strcpy(name, md->uuid);
            *child = mk(SIM_K_MTYPE_DEVLINK, md->serial, 0);
            *next = 1;
            return true;
        }
        return false;
    case SIM_K_GROUP_DEVICES:
        if (pos == 0 && (md = sim_model_mdev_of_group(m, dir.x))) {
            strcpy(name, md->uuid);
            *child = mk(SIM_K_GROUP_DEVLINK, md->serial, 0);
            *next = 1;
            return true;
        }
        return false;
    case SIM_K_MDEV_VFIODEV:
        if (pos == 0 && (md = sim_model_mdev_by_serial(m, dir.x))) {
            snprintf(name, 256, "vfio%u", md->vfio_dev);
            *child = mk(SIM_K_VFIODEV, md->serial, 0);
            *next = 1;
            return true;
        }
        return false;
    case SIM_K_IOMMU_GROUPS:
    case SIM_K_DEV_VFIO: {
        int64_t g = pos > UINT32_MAX ? -1 : sim_model_group_next(m, (uint32_t)pos);

        if (g < 0)
            return false;
        snprintf(name, 256, "%u", (unsigned)g);
        *child = mk(dir.kind == SIM_K_IOMMU_GROUPS ? SIM_K_GROUP : SIM_K_DEV_GROUP, (uint32_t)g, 0);
        *next = (uint64_t)g + 1;
        return true;
    }
    default:
        return false;
    }
}

int
sim_tree_readdir(const SimModel *m, SimNode dir, uint64_t cookie,
                 char name[256], SimNode *child, uint64_t *next)
{
    const KindInfo *dk = kind_info(dir.kind);

    if (!dk || !sim_tree_exists(m, dir))
        return -ENOENT;
    if (dk->type != T_DIR)
        return -ENOTDIR;
    if (cookie == 0) {
        strcpy(name, ".");
        *child = dir;
        *next = 1;
        return 1;
    }
    if (cookie == 1) {
        strcpy(name, "..");
        *child = sim_node_root();
        *next = 2;
        return 1;
    }
    if (cookie < COOKIE_DYN) {
        for (uint64_t i = cookie - 2 + 1; i < G_N_ELEMENTS(kinds); i++) {
            const KindInfo *ki = &kinds[i];
            SimNode c;

            if (ki->parent != dir.kind || !ki->name)
                continue;
            c = static_child(m, ki, dir);
            if (!sim_tree_exists(m, c))
                continue;
            g_strlcpy(name, ki->name, 256);
            *child = c;
            *next = i + 2;
            return 1;
        }
        cookie = COOKIE_DYN;
    }
    if (next_dynamic(m, dir, cookie - COOKIE_DYN, name, child, next)) {
        *next += COOKIE_DYN;
        return 1;
    }
    return 0;
}

/* ---- links ---- */

int
sim_tree_readlink(const SimModel *m, SimNode n, GString *out)
{
    char sch[SIM_NAME_BUFLEN], dev[SIM_NAME_BUFLEN];
    const SimMdev *md = NULL;
    SimSchInfo info;

    if (!sim_tree_exists(m, n))
        return -ENOENT;
    g_string_truncate(out, 0);
    switch ((SimKind)n.kind) {
    case SIM_K_BUS_DEVLINK:
    case SIM_K_DRV_LINK: {
        const char *up = n.kind == SIM_K_BUS_DEVLINK ? "../../.." : "../../../..";
        SimBus bus = n.kind == SIM_K_BUS_DEVLINK ? (SimBus)n.y : driver_bus(n.y);

        if (bus == BUS_CCWGROUP) {
            sim_layout_ccwgroup_name(sim_model_layout(m), n.x, dev);
            g_string_printf(out, "%s/devices/qeth/%s", up, dev);
        } else if (bus == BUS_MDEV) {
            md = sim_model_mdev_by_serial(m, n.x);
            sch_name(m, md->sch, sch);
            g_string_printf(out, "%s/devices/css0/%s/%s", up, sch, md->uuid);
        } else if (bus == BUS_CCW) {
            sch_name(m, n.x, sch);
            ccw_name(m, n.x, dev);
            g_string_printf(out, "%s/devices/css0/%s/%s", up, sch, dev);
        } else {
            sch_name(m, n.x, sch);
            g_string_printf(out, "%s/devices/css0/%s", up, sch);
        }
        return 0;
    }
    case SIM_K_DRV_MODULE:
        g_string_assign(out, "../../../../module/vfio_ccw");
        return 0;
    case SIM_K_SCH_DRIVER:
        g_string_printf(out, "../../../bus/css/drivers/%s", sim_driver_name(n.y));
        return 0;
    case SIM_K_SCH_SUBSYSTEM:
        g_string_assign(out, "../../../bus/css");
        return 0;
    case SIM_K_CCW_DRIVER:
        sim_layout_sch_info(sim_model_layout(m), n.x, &info);
        g_string_printf(out, "../../../../bus/ccw/drivers/%s", sim_driver_name(info.ccw_driver));
        return 0;
    case SIM_K_CCW_SUBSYSTEM:
        g_string_assign(out, "../../../../bus/ccw");
        return 0;
    case SIM_K_CCW_GROUPDEV: {
        uint32_t g;
        unsigned member;

        sim_layout_ccwgroup_of_sch(sim_model_layout(m), n.x, &g, &member);
        sim_layout_ccwgroup_name(sim_model_layout(m), g, dev);
        g_string_printf(out, "../../../qeth/%s", dev);
        return 0;
    }
    case SIM_K_CG_CDEV: {
        SimCcwGroupInfo gi;

        sim_layout_ccwgroup_info(sim_model_layout(m), n.x, &gi);
        sch_name(m, gi.members[n.y], sch);
        ccw_name(m, gi.members[n.y], dev);
        g_string_printf(out, "../../css0/%s/%s", sch, dev);
        return 0;
    }
    case SIM_K_CG_DRIVER:
        g_string_assign(out, "../../../bus/ccwgroup/drivers/qeth");
        return 0;
    case SIM_K_CG_SUBSYSTEM:
        g_string_assign(out, "../../../bus/ccwgroup");
        return 0;
    case SIM_K_MTYPE_DEVLINK:
    case SIM_K_VFIODEV_DEVICE:
        md = sim_model_mdev_by_serial(m, n.x);
        g_string_printf(out, "../../../%s", md->uuid);
        return 0;
    case SIM_K_MDEV_DRIVER:
        g_string_assign(out, "../../../../bus/mdev/drivers/vfio_ccw_mdev");
        return 0;
    case SIM_K_MDEV_IOMMU:
        md = sim_model_mdev_by_serial(m, n.x);
        g_string_printf(out, "../../../../kernel/iommu_groups/%u", md->group);
        return 0;
    case SIM_K_MDEV_MTYPE:
        g_string_assign(out, "../mdev_supported_types/vfio_ccw-io");
        return 0;
    case SIM_K_MDEV_SUBSYSTEM:
        g_string_assign(out, "../../../../bus/mdev");
        return 0;
    case SIM_K_VFIODEV_SUBSYSTEM:
        g_string_assign(out, "../../../../../../class/vfio-dev");
        return 0;
    case SIM_K_CLASS_LINK:
        sch_name(m, n.x, sch);
        g_string_printf(out, "../../devices/css0/%s", sch);
        return 0;
    case SIM_K_GROUP_DEVLINK:
        md = sim_model_mdev_by_serial(m, n.x);
        sch_name(m, md->sch, sch);
        g_string_printf(out, "../../../../devices/css0/%s/%s", sch, md->uuid);
        return 0;
    default:
        return -EINVAL;
    }
}

/* ---- open / read / write ---- */

int
sim_tree_open(SimModel *m, SimNode n, int accmode, uint64_t *handle)
{
    const KindInfo *ki = kind_info(n.kind);
    bool rd = accmode == O_RDONLY || accmode == O_RDWR;
    bool wr = accmode == O_WRONLY || accmode == O_RDWR;
    int rc;

    *handle = 0;
    if (!ki || !sim_tree_exists(m, n))
        return -ENOENT;
    if (ki->type == T_DIR)
        return wr ? -EISDIR : 0;
    if (ki->type == T_LNK)
        return -ELOOP;
    /* kernfs_fop_open(): no show -> no read, no store -> no write, root or not */
    if ((rd && !(ki->perm & 0444)) || (wr && !(ki->perm & 0222)))
        return -EACCES;
    if (n.kind == SIM_K_DEV_GROUP) {
        const SimMdev *md = sim_model_mdev_of_group(m, n.x);

        if ((rc = sim_model_group_open(m, n.x)) < 0)
            return rc;
        *handle = md->serial;
    }
    return 0;
}

void
sim_tree_release(SimModel *m, SimNode n, uint64_t handle)
{
    if (n.kind == SIM_K_DEV_GROUP && handle) {
        const SimMdev *md = sim_model_mdev_of_group(m, n.x);

        if (md && md->serial == handle)
            sim_model_group_release(m, n.x);
    }
}

int
sim_tree_read_at(const SimModel *m, SimNode n, uint64_t off, size_t size, GString *out)
{
    int rc;

    if (n.kind == SIM_K_CTL_EVENTS && sim_tree_exists(m, n)) {
        sim_model_events_read(m, off, size, out);
        return 0;
    }
    if ((rc = sim_tree_read(m, n, out)) < 0)
        return rc;
    if (off >= out->len) {
        g_string_truncate(out, 0);
    } else {
        g_string_erase(out, 0, (gssize)off);
        g_string_truncate(out, MIN(size, out->len));
    }
    return 0;
}

int
sim_tree_read(const SimModel *m, SimNode n, GString *out)
{
    const SimLayout *l = sim_model_layout(m);
    char name[SIM_NAME_BUFLEN], alias[64];
    SimSchInfo info;
    const char *s;

    if (!sim_tree_exists(m, n))
        return -ENODEV;
    g_string_truncate(out, 0);
    switch ((SimKind)n.kind) {
    case SIM_K_CTL_EVENTS: {
        g_autofree char *ev = sim_model_events(m);

        g_string_assign(out, ev);
        return 0;
    }
    case SIM_K_CTL_EVENTS_BASE:
        g_string_printf(out, "%" G_GUINT64_FORMAT "\n", (guint64)sim_model_events_base(m));
        return 0;
    case SIM_K_BUS_AUTOPROBE:
        g_string_assign(out, "1\n");
        return 0;
    case SIM_K_CSS0_REAL_CSSID:
        return -EINVAL;   /* observed: "cat: read error: Invalid argument" */
    case SIM_K_CSS0_UEVENT: case SIM_K_SCH_PARENT_UEVENT: case SIM_K_VFIODEV_UEVENT:
    case SIM_K_GROUP_RESV: case SIM_K_DEV_GROUP: case SIM_K_DEV_VFIO_CONTAINER:
        return 0;
    case SIM_K_SCH_CHPIDS:
        sim_layout_sch_info(l, n.x, &info);
        for (int i = 0; i < 8; i++)
            g_string_append_printf(out, "%02x ", info.chpids[i]);
        g_string_append_c(out, '\n');
        return 0;
    case SIM_K_SCH_DEV_BUSID:
        sim_layout_sch_info(l, n.x, &info);
        if (info.st == 0)
            ccw_name(m, n.x, name);
        g_string_printf(out, "%s\n", info.st == 0 ? name : "none");
        return 0;
    case SIM_K_SCH_OVERRIDE:
        s = sim_model_sch_override(m, n.x);
        g_string_printf(out, "%s\n", s ? s : "(null)");
        return 0;
    case SIM_K_SCH_MODALIAS:
        sim_layout_sch_info(l, n.x, &info);
        g_string_printf(out, "css:t%01X\n", info.st);
        return 0;
    case SIM_K_SCH_PIM:
        sim_layout_sch_info(l, n.x, &info);
        g_string_printf(out, "%02x %02x %02x\n", info.pim, info.pam, info.pom);
        return 0;
    case SIM_K_SCH_TYPE:
        sim_layout_sch_info(l, n.x, &info);
        g_string_printf(out, "%01x\n", info.st);
        return 0;
    case SIM_K_SCH_UEVENT: {
        SimDriver d = sim_model_sch_driver(m, n.x);

        sim_layout_sch_info(l, n.x, &info);
        if (d != SIM_DRV_NONE)
            g_string_printf(out, "DRIVER=%s\n", sim_driver_name(d));
        g_string_append_printf(out, "ST=%01X\nMODALIAS=css:t%01X\n", info.st, info.st);
        return 0;
    }
    case SIM_K_SCH_VPM:
        sim_layout_sch_info(l, n.x, &info);
        g_string_printf(out, "%02x\n", info.pim & info.pam & info.pom);
        return 0;
    case SIM_K_MTYPE_AVAIL:
        g_string_printf(out, "%u\n", sim_model_available_instances(m, n.x));
        return 0;
    case SIM_K_MTYPE_API:
        g_string_assign(out, "vfio-ccw\n");
        return 0;
    case SIM_K_MTYPE_NAME:
        g_string_assign(out, "I/O subchannel (Non-QDIO)\n");
        return 0;
    case SIM_K_CCW_AVAIL:
        g_string_assign(out, "good\n");
        return 0;
    case SIM_K_CCW_CMB:
        g_string_assign(out, "0\n");
        return 0;
    case SIM_K_CCW_CUTYPE:
        sim_layout_sch_info(l, n.x, &info);
        g_string_printf(out, "%04x/%02x\n", info.cu_type, info.cu_model);
        return 0;
    case SIM_K_CCW_DEVTYPE:
        sim_layout_sch_info(l, n.x, &info);
        if (info.dev_type)
            g_string_printf(out, "%04x/%02x\n", info.dev_type, info.dev_model);
        else
            g_string_assign(out, "n/a\n");
        return 0;
    case SIM_K_CCW_MODALIAS:
        sim_layout_sch_info(l, n.x, &info);
        sim_ccw_modalias(&info, alias, sizeof(alias));
        g_string_printf(out, "%s\n", alias);
        return 0;
    case SIM_K_CCW_ONLINE:
        g_string_printf(out, "%d\n", sim_model_ccw_online(m, n.x) ? 1 : 0);
        return 0;
    case SIM_K_CCW_UEVENT:
        sim_layout_sch_info(l, n.x, &info);
        sim_ccw_modalias(&info, alias, sizeof(alias));
        g_string_printf(out, "DRIVER=%s\nCU_TYPE=%04X\nCU_MODEL=%02X\nDEV_TYPE=%04X\nDEV_MODEL=%02X\nMODALIAS=%s\n",
                        sim_driver_name(info.ccw_driver), info.cu_type, info.cu_model,
                        info.dev_type, info.dev_model, alias);
        return 0;
    case SIM_K_MDEV_UEVENT:
        g_string_assign(out, "DRIVER=vfio_ccw_mdev\n");
        return 0;
    case SIM_K_QETH_ROOT_UEVENT:
        return 0;
    case SIM_K_CG_ONLINE:
        g_string_printf(out, "%d\n", sim_model_ccwgroup_online(m, n.x) ? 1 : 0);
        return 0;
    case SIM_K_CG_CARD_TYPE:
    case SIM_K_CG_CHPID:
    case SIM_K_CG_LAYER2:
    case SIM_K_CG_UEVENT: {
        SimCcwGroupInfo gi;

        sim_layout_ccwgroup_info(l, n.x, &gi);
        if (n.kind == SIM_K_CG_CARD_TYPE)
            g_string_printf(out, "%s\n", gi.card_type);
        else if (n.kind == SIM_K_CG_CHPID)
            g_string_printf(out, "%02X\n", gi.chpid);
        else if (n.kind == SIM_K_CG_LAYER2)
            g_string_printf(out, "%d\n", gi.layer2 ? 1 : 0);
        else
            g_string_printf(out, "DRIVER=qeth\nDEVTYPE=%s\n", gi.devtype);
        return 0;
    }
    case SIM_K_CG_STATE:
        g_string_assign(out, sim_model_ccwgroup_online(m, n.x) ? "UP (LAN ONLINE)\n" : "DOWN\n");
        return 0;
    case SIM_K_GROUP_NAME:
        g_string_assign(out, "vfio-noiommu\n");
        return 0;
    case SIM_K_GROUP_TYPE:
        g_string_assign(out, "unknown\n");
        return 0;
    default:
        return -EACCES;
    }
}

bool
sim_tree_read_blocks(const SimModel *m, SimNode n, uint64_t *wait)
{
    return n.kind == SIM_K_SCH_OVERRIDE && sim_tree_exists(m, n) &&
           sim_model_override_read_blocks(m, n.x, wait);
}

/* kobject uevent_store(): an action name, optionally followed by arguments */
static ssize_t
uevent_write(SimModel *m, SimNode n, const char *buf, size_t len)
{
    static const char *const actions[] = {
        "add", "remove", "change", "move", "online", "offline", "bind", "unbind",
    };
    g_autofree char *s = g_strndup(buf, len);
    size_t l = strcspn(s, " \n");

    for (size_t i = 0; i < G_N_ELEMENTS(actions); i++) {
        if (strlen(actions[i]) == l && strncmp(actions[i], s, l) == 0) {
            /* subchannels and ccw devices send the event again
             * (coldplug, `udevadm trigger`); other objects' synthetic
             * events are not simulated */
            if (n.kind == SIM_K_SCH_UEVENT)
                sim_model_sch_synth_uevent(m, n.x, actions[i]);
            else if (n.kind == SIM_K_CCW_UEVENT)
                sim_model_ccw_synth_uevent(m, n.x, actions[i]);
            return (ssize_t)len;
        }
    }
    return -EINVAL;
}

static ssize_t
ctl_write(SimModel *m, const char *buf, size_t len)
{
    g_autofree char *s = g_strstrip(g_strndup(buf, len));
    int rc;

    if (g_str_equal(s, "modprobe vfio_ccw"))
        rc = sim_model_modprobe_vfio_ccw(m);
    else if (g_str_equal(s, "rmmod vfio_ccw"))
        rc = sim_model_rmmod_vfio_ccw(m);
    else if (g_str_equal(s, "clear-events"))
        rc = (sim_model_clear_events(m), 0);
    else
        rc = -EINVAL;
    return rc < 0 ? rc : (ssize_t)len;
}

ssize_t
sim_tree_write(SimModel *m, SimNode n, const char *buf, size_t len, uint64_t *wait)
{
    const SimMdev *md;
    uint32_t idx;

    if (!sim_tree_exists(m, n))
        return -ENODEV;
    if (n.kind == SIM_K_CTL)
        return ctl_write(m, buf, len);
    /* sysfs_kf_write(): nothing reaches the store for a zero-length
     * write; kernfs hands it at most a page */
    if (len == 0)
        return 0;
    if (len > SIM_PAGE_SIZE)
        len = SIM_PAGE_SIZE;
    switch ((SimKind)n.kind) {
    case SIM_K_BUS_AUTOPROBE: {
        g_autofree char *s = g_strndup(buf, len);
        return (s[0] == '0' || s[0] == '1' || s[0] == 'y' || s[0] == 'n') ? (ssize_t)len : -EINVAL;
    }
    case SIM_K_BUS_PROBE:
        if (n.y == BUS_CCWGROUP)
            return -EOPNOTSUPP;   /* not simulated */
        if (n.y == BUS_CSS)
            return sim_model_drivers_probe(m, buf, len);
        if (n.y == BUS_CCW) {
            g_autofree char *s = g_strndup(buf, len);
            size_t l = strlen(s);

            if (l && s[l - 1] == '\n')
                s[l - 1] = '\0';
            if (!sim_layout_ccw_from_name(sim_model_layout(m), s, &idx) ||
                !sim_model_ccw_present(m, idx))
                return -ENODEV;
            return (ssize_t)len;
        } else {
            g_autofree char *s = g_strndup(buf, len);
            size_t l = strlen(s);

            if (l && s[l - 1] == '\n')
                s[l - 1] = '\0';
            return sim_model_mdev_by_uuid(m, s) ? (ssize_t)len : -ENODEV;
        }
    case SIM_K_BUS_UEVENT: case SIM_K_DRV_UEVENT: case SIM_K_CSS0_UEVENT: case SIM_K_SCH_UEVENT:
    case SIM_K_SCH_PARENT_UEVENT: case SIM_K_CCW_UEVENT: case SIM_K_MDEV_UEVENT:
    case SIM_K_VFIODEV_UEVENT: case SIM_K_QETH_ROOT_UEVENT: case SIM_K_CG_UEVENT:
        return uevent_write(m, n, buf, len);
    case SIM_K_DRV_GROUP:
        return sim_model_ccwgroup_group(m, buf, len);
    case SIM_K_CG_ONLINE:
        return sim_model_ccwgroup_set_online(m, n.x, buf, len);
    case SIM_K_CG_UNGROUP:
        return sim_model_ccwgroup_ungroup(m, n.x, buf, len);
    case SIM_K_CG_LAYER2:
        return -EOPNOTSUPP;   /* changing the layer: not simulated */
    case SIM_K_DRV_BIND:
        if (n.y == SIM_DRV_IO_SUBCHANNEL || n.y == SIM_DRV_VFIO_CCW)
            return sim_model_bind(m, n.y, buf, len);
        return -EOPNOTSUPP;   /* ccw and mdev drivers: not simulated */
    case SIM_K_DRV_UNBIND:
        if (n.y == SIM_DRV_IO_SUBCHANNEL || n.y == SIM_DRV_VFIO_CCW)
            return sim_model_unbind(m, n.y, buf, len, wait);
        return -EOPNOTSUPP;
    case SIM_K_CSS0_RESCAN:
    case SIM_K_SCH_LOGGING:
        return (ssize_t)len;
    case SIM_K_SCH_OVERRIDE:
        return sim_model_set_override(m, n.x, buf, len);
    case SIM_K_MTYPE_CREATE:
        return sim_model_create(m, n.x, buf, len);
    case SIM_K_CCW_ONLINE:
        return sim_model_set_online(m, n.x, buf, len);
    case SIM_K_CCW_CMB: {
        g_autofree char *s = g_strndup(buf, len);
        unsigned long v;
        return sim_kstrtoul(s, &v) && v <= 1 ? (ssize_t)len : -EINVAL;
    }
    case SIM_K_CCW_AVAIL:
        return -EINVAL;
    case SIM_K_MDEV_REMOVE:
        md = sim_model_mdev_by_serial(m, n.x);
        return sim_model_remove(m, md->serial, buf, len, wait);
    case SIM_K_GROUP_TYPE:
        return -EINVAL;
    case SIM_K_DEV_GROUP:
    case SIM_K_DEV_VFIO_CONTAINER:
        return -EINVAL;
    default:
        return -EACCES;
    }
}

/* ---- path walking (tests, tools) ---- */

int
sim_tree_resolve(const SimModel *m, const char *path, bool follow, SimNode *out)
{
    GPtrArray *stack = g_ptr_array_new_with_free_func(g_free);
    GQueue parts = G_QUEUE_INIT;
    g_auto(GStrv) comps = g_strsplit(path, "/", -1);
    int links = 0, rc = 0;

    g_ptr_array_add(stack, g_memdup2(&(SimNode){ SIM_K_ROOT, 0, 0 }, sizeof(SimNode)));
    for (size_t i = 0; comps[i]; i++) {
        if (*comps[i])
            g_queue_push_tail(&parts, g_strdup(comps[i]));
    }
    while (!g_queue_is_empty(&parts)) {
        g_autofree char *c = g_queue_pop_head(&parts);
        SimNode *cur = g_ptr_array_index(stack, stack->len - 1);
        SimNode child;
        struct stat st;

        if (g_str_equal(c, "."))
            continue;
        if (g_str_equal(c, "..")) {
            if (stack->len > 1)
                g_ptr_array_remove_index(stack, stack->len - 1);
            continue;
        }
        if ((rc = sim_tree_lookup(m, *cur, c, &child)) < 0)
            break;
        sim_tree_stat(m, child, &st);
        if (S_ISLNK(st.st_mode) && (follow || !g_queue_is_empty(&parts))) {
            g_autoptr(GString) target = g_string_new(NULL);
            g_auto(GStrv) tc = NULL;

            if (++links > 40) {
                rc = -ELOOP;
                break;
            }
            sim_tree_readlink(m, child, target);
            tc = g_strsplit(target->str, "/", -1);
            for (gint j = (gint)g_strv_length(tc) - 1; j >= 0; j--) {
                if (*tc[j])
                    g_queue_push_head(&parts, g_strdup(tc[j]));
            }
            continue;
        }
        g_ptr_array_add(stack, g_memdup2(&child, sizeof(child)));
    }
    if (rc == 0)
        *out = *(SimNode *)g_ptr_array_index(stack, stack->len - 1);
    g_queue_clear_full(&parts, g_free);
    g_ptr_array_free(stack, TRUE);
    return rc;
}

ssize_t
sim_tree_write_path(SimModel *m, const char *path, const char *buf, size_t len, uint64_t *wait)
{
    SimNode n;
    uint64_t h;
    ssize_t rc;

    if ((rc = sim_tree_resolve(m, path, true, &n)) < 0)
        return rc;
    if ((rc = sim_tree_open(m, n, O_WRONLY, &h)) < 0)
        return rc;
    rc = sim_tree_write(m, n, buf, len, wait);
    sim_tree_release(m, n, h);
    return rc;
}

int
sim_tree_read_path(SimModel *m, const char *path, GString *out)
{
    SimNode n;
    uint64_t h, wait;
    int rc;

    if ((rc = sim_tree_resolve(m, path, true, &n)) < 0)
        return rc;
    if ((rc = sim_tree_open(m, n, O_RDONLY, &h)) < 0)
        return rc;
    g_string_truncate(out, 0);
    rc = sim_tree_read_blocks(m, n, &wait) ? SIM_PENDING : sim_tree_read(m, n, out);
    sim_tree_release(m, n, h);
    return rc;
}
