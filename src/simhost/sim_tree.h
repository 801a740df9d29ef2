/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the sysfs / dev tree of the simulated host.
 *
 * Every node is a (kind, x, y) triple that fits in a 64-bit inode number:
 * x is a subchannel index, an mdev serial or a group id, y a driver, bus
 * or module id. Nothing is materialised: lookups parse names, listings
 * enumerate the model, contents are formatted when read. No FUSE here.
 */
#pragma once

#include "sim_model.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef enum {
    SIM_K_ROOT = 0,
    SIM_K_SYS, SIM_K_DEV, SIM_K_ETC, SIM_K_RUN,
    SIM_K_CTL_DIR, SIM_K_CTL, SIM_K_CTL_EVENTS, SIM_K_CTL_EVENTS_BASE,
    SIM_K_SYS_BUS, SIM_K_SYS_DEVICES, SIM_K_SYS_CLASS, SIM_K_SYS_KERNEL, SIM_K_SYS_MODULE,
    SIM_K_BUS, SIM_K_BUS_DEVICES, SIM_K_BUS_DRIVERS, SIM_K_BUS_AUTOPROBE, SIM_K_BUS_PROBE,
    SIM_K_BUS_UEVENT, SIM_K_BUS_DEVLINK,
    SIM_K_DRV, SIM_K_DRV_BIND, SIM_K_DRV_UNBIND, SIM_K_DRV_UEVENT, SIM_K_DRV_MODULE, SIM_K_DRV_LINK,
    SIM_K_CSS0, SIM_K_CSS0_DEFUNCT, SIM_K_CSS0_REAL_CSSID, SIM_K_CSS0_RESCAN, SIM_K_CSS0_UEVENT,
    SIM_K_SCH, SIM_K_SCH_CHPIDS, SIM_K_SCH_DEV_BUSID, SIM_K_SCH_DRIVER, SIM_K_SCH_OVERRIDE,
    SIM_K_SCH_LOGGING, SIM_K_SCH_MODALIAS, SIM_K_SCH_PIM, SIM_K_SCH_SUBSYSTEM, SIM_K_SCH_TYPE,
    SIM_K_SCH_UEVENT, SIM_K_SCH_VPM, SIM_K_SCH_MTYPES, SIM_K_SCH_PARENT, SIM_K_SCH_PARENT_UEVENT,
    SIM_K_MTYPE, SIM_K_MTYPE_AVAIL, SIM_K_MTYPE_CREATE, SIM_K_MTYPE_API, SIM_K_MTYPE_DEVICES,
    SIM_K_MTYPE_NAME, SIM_K_MTYPE_DEVLINK,
    SIM_K_CCW, SIM_K_CCW_AVAIL, SIM_K_CCW_CMB, SIM_K_CCW_CUTYPE, SIM_K_CCW_DEVTYPE,
    SIM_K_CCW_DRIVER, SIM_K_CCW_MODALIAS, SIM_K_CCW_ONLINE, SIM_K_CCW_SUBSYSTEM, SIM_K_CCW_UEVENT,
    SIM_K_MDEV, SIM_K_MDEV_DRIVER, SIM_K_MDEV_IOMMU, SIM_K_MDEV_MTYPE, SIM_K_MDEV_REMOVE,
    SIM_K_MDEV_SUBSYSTEM, SIM_K_MDEV_UEVENT, SIM_K_MDEV_VFIODEV,
    SIM_K_VFIODEV, SIM_K_VFIODEV_DEVICE, SIM_K_VFIODEV_SUBSYSTEM, SIM_K_VFIODEV_UEVENT,
    SIM_K_CLASS_MDEV_BUS, SIM_K_CLASS_LINK, SIM_K_CLASS_VFIODEV,
    SIM_K_IOMMU_GROUPS, SIM_K_GROUP, SIM_K_GROUP_DEVICES, SIM_K_GROUP_NAME, SIM_K_GROUP_RESV,
    SIM_K_GROUP_TYPE, SIM_K_GROUP_DEVLINK,
    SIM_K_MODULE,
    SIM_K_DEV_VFIO, SIM_K_DEV_VFIO_CONTAINER, SIM_K_DEV_GROUP,
    /* ccwgroup devices (x: group index; sim_layout.h) */
    SIM_K_CCW_GROUPDEV, SIM_K_DRV_GROUP, SIM_K_QETH_ROOT, SIM_K_QETH_ROOT_UEVENT,
    SIM_K_CG, SIM_K_CG_ONLINE, SIM_K_CG_SUBSYSTEM, SIM_K_CG_DRIVER, SIM_K_CG_CDEV,
    SIM_K_CG_CARD_TYPE, SIM_K_CG_UNGROUP, SIM_K_CG_CHPID, SIM_K_CG_STATE, SIM_K_CG_LAYER2,
    SIM_K_CG_UEVENT,
    SIM_K_LAST,
    SIM_K_PASSTHROUGH = 0xfe,  /* reserved for the FUSE adaptor's etc/ and run/ */
} SimKind;

typedef struct {
    uint8_t kind;
    uint32_t x;
    uint32_t y;   /* < 2^24 */
} SimNode;

#define SIM_ROOT_INO UINT64_C(1)

uint64_t sim_node_ino(SimNode n);
SimNode sim_node_from_ino(uint64_t ino);
SimNode sim_node_root(void);

bool sim_tree_exists(const SimModel *m, SimNode n);
/* The name is stable for as long as its parent exists: the kernel may
 * cache the directory entry. */
bool sim_tree_is_stable(SimNode n);
/* st_mode, st_size, st_nlink, st_ino; -ENOENT when gone */
int sim_tree_stat(const SimModel *m, SimNode n, struct stat *st);

int sim_tree_lookup(const SimModel *m, SimNode dir, const char *name, SimNode *out);

/* Listing with a resumable cookie: 0 starts, the returned *next continues.
 * Returns 1 with an entry, 0 at the end, -errno. "." and ".." included. */
int sim_tree_readdir(const SimModel *m, SimNode dir, uint64_t cookie,
                     char name[256], SimNode *child, uint64_t *next);

/* A symlink inode's target never changes (the kernel may cache it). */
int sim_tree_readlink(const SimModel *m, SimNode n, GString *out);

/* open(2) access check and side effects (/dev/vfio/<group>).
 * @handle is what sim_tree_release needs back. */
int sim_tree_open(SimModel *m, SimNode n, int accmode, uint64_t *handle);
void sim_tree_release(SimModel *m, SimNode n, uint64_t handle);

/* The file's whole content (-errno for attributes whose read fails). */
int sim_tree_read(const SimModel *m, SimNode n, GString *out);
/* At most @size bytes of the content from @off: what FUSE's read asks.
 * The event log is served as a slice (its cost does not grow with its
 * length); other files are small and read whole. */
int sim_tree_read_at(const SimModel *m, SimNode n, uint64_t off, size_t size, GString *out);
/* Whether a read(2) of @n would block in the kernel now (6.1: a
 * subchannel's driver_override while its vfio_ccw unbind is blocked):
 * true and the wait key after whose completion sim_tree_read answers. */
bool sim_tree_read_blocks(const SimModel *m, SimNode n, uint64_t *wait);
/* write(2): byte count, -errno or SIM_PENDING (see sim_model.h). */
ssize_t sim_tree_write(SimModel *m, SimNode n, const char *buf, size_t len, uint64_t *wait);

/* Walk @path (absolute, within the tree) like the kernel: symlinks are
 * followed, also the last one when @follow. For tests and tools. */
int sim_tree_resolve(const SimModel *m, const char *path, bool follow, SimNode *out);

/* Convenience for tests: resolve + open + write/read + release.
 * sim_tree_read_path returns SIM_PENDING (and nothing in @out) when the
 * read would block (sim_tree_read_blocks). */
ssize_t sim_tree_write_path(SimModel *m, const char *path, const char *buf, size_t len,
                            uint64_t *wait);
int sim_tree_read_path(SimModel *m, const char *path, GString *out);
