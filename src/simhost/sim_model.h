/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the state of the simulated host and the kernel's rules
 * for changing it (kernel-sysfs.md). Plain C, no FUSE: every operation
 * takes the bytes a process wrote to the sysfs file and returns what the
 * write(2) would: the byte count, or -errno.
 *
 * Operations that block in the kernel (removing an mdev, or unbinding its
 * parent, while the VFIO group is open) return SIM_PENDING and a wait key;
 * the model calls the completion hook with that key once the group is
 * released, and the blocked write then returns its byte count. A read
 * that waits for the same lock (sim_model_override_read_blocks) is done
 * once that key completes.
 */
#pragma once

#include "sim_layout.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_PENDING (-10000)
#define SIM_UUID_BUFLEN 37
#define SIM_PAGE_SIZE 4096

/* Wait keys */
#define SIM_WAIT_MDEV(serial) ((UINT64_C(1) << 32) | (uint64_t)(serial))
#define SIM_WAIT_SCH(idx) ((UINT64_C(2) << 32) | (uint64_t)(idx))

typedef struct _SimModel SimModel;

typedef struct {
    uint32_t serial;            /* never reused: identifies this mdev in inode numbers */
    uint32_t sch;               /* parent subchannel index */
    char uuid[SIM_UUID_BUFLEN]; /* lower case */
    uint32_t group;             /* iommu group id, /dev/vfio/<group> */
    uint32_t vfio_dev;          /* vfio-dev/vfio<N> */
    bool removing;              /* remove started, blocked until the group is released */
    bool open;                  /* /dev/vfio/<group> held open */
} SimMdev;

typedef void (*SimCompleteFn)(void *opaque, uint64_t wait_key);

SimModel *sim_model_new(const SimLayout *layout, bool vfio_ccw_loaded);
void sim_model_free(SimModel *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimModel, sim_model_free)

void sim_model_set_complete_hook(SimModel *m, SimCompleteFn fn, void *opaque);
const SimLayout *sim_model_layout(const SimModel *m);

/* --- queries --- */
SimDriver sim_model_sch_driver(const SimModel *m, uint32_t idx);
/* Unbind from vfio_ccw started and blocked on an open mdev: the driver
 * link is already gone, mdev_supported_types still there. */
bool sim_model_sch_unbinding(const SimModel *m, uint32_t idx);
/* A read of the subchannel's driver_override waits, like the kernel,
 * until the blocked vfio_ccw unbind completes (6.1 only: its show takes
 * the device lock the unbinding writer holds): true and the wait key
 * whose completion releases it; false when the read answers now. */
bool sim_model_override_read_blocks(const SimModel *m, uint32_t idx, uint64_t *wait);
/* NULL when unset */
const char *sim_model_sch_override(const SimModel *m, uint32_t idx);
bool sim_model_ccw_present(const SimModel *m, uint32_t idx);
bool sim_model_ccw_online(const SimModel *m, uint32_t idx);
unsigned sim_model_available_instances(const SimModel *m, uint32_t idx);
bool sim_model_vfio_loaded(const SimModel *m);

const SimMdev *sim_model_mdev_by_serial(const SimModel *m, uint32_t serial);
const SimMdev *sim_model_mdev_by_uuid(const SimModel *m, const char *uuid);
const SimMdev *sim_model_mdev_of_sch(const SimModel *m, uint32_t idx);
const SimMdev *sim_model_mdev_of_group(const SimModel *m, uint32_t group);
/* The mdev with the smallest serial >= @from, or NULL. */
const SimMdev *sim_model_mdev_next(const SimModel *m, uint32_t from);
/* The smallest group id >= @from in use, or -1. */
int64_t sim_model_group_next(const SimModel *m, uint32_t from);
unsigned sim_model_mdev_count(const SimModel *m);

/* --- writes (kernel semantics; @buf need not be NUL-terminated) --- */
ssize_t sim_model_bind(SimModel *m, SimDriver drv, const char *buf, size_t len);
ssize_t sim_model_unbind(SimModel *m, SimDriver drv, const char *buf, size_t len,
                         uint64_t *wait);
ssize_t sim_model_drivers_probe(SimModel *m, const char *buf, size_t len);
ssize_t sim_model_set_override(SimModel *m, uint32_t idx, const char *buf, size_t len);
ssize_t sim_model_create(SimModel *m, uint32_t idx, const char *buf, size_t len);
ssize_t sim_model_remove(SimModel *m, uint32_t serial, const char *buf, size_t len,
                         uint64_t *wait);
ssize_t sim_model_set_online(SimModel *m, uint32_t idx, const char *buf, size_t len);

/* ccwgroup devices (sim_layout.h: the fixed triples of OSA devices).
 * Each starts grouped and online; drivers/s390/cio/ccwgroup.c's rules:
 * "online" takes kstrtoul 0 or 1 (1 when online, 0 when offline: EINVAL),
 * the members go on- and offline with the group (no uevents); "ungroup"
 * only when offline (EINVAL otherwise), then the group is gone
 * (unbind + remove uevents) and its members stay offline; qeth's "group"
 * takes "a,b,c" and regroups, offline, a triple of the layout that is
 * ungrouped (add + bind uevents); any other list is EINVAL (the real
 * kernel would group any three free OSA devices of one card). */
bool sim_model_ccwgroup_exists(const SimModel *m, uint32_t g);
bool sim_model_ccwgroup_online(const SimModel *m, uint32_t g);
ssize_t sim_model_ccwgroup_set_online(SimModel *m, uint32_t g, const char *buf, size_t len);
ssize_t sim_model_ccwgroup_ungroup(SimModel *m, uint32_t g, const char *buf, size_t len);
ssize_t sim_model_ccwgroup_group(SimModel *m, const char *buf, size_t len);

/* open(2)/close(2) of /dev/vfio/<group>: -EBUSY when already open. */
int sim_model_group_open(SimModel *m, uint32_t group);
void sim_model_group_release(SimModel *m, uint32_t group);

/* modprobe / rmmod vfio_ccw: 0 or -errno (-EAGAIN while an mdev is open). */
int sim_model_modprobe_vfio_ccw(SimModel *m);
/* A write of ACTION to a subchannel's uevent file (udevadm trigger):
 * the kernel sends that uevent again, with SYNTH_UUID=0 and the device's
 * current variables (DRIVER when bound, ST, MODALIAS). Arguments after the
 * action (a UUID, SYNTH_ARG_ variables) are not simulated. */
void sim_model_sch_synth_uevent(SimModel *m, uint32_t idx, const char *action);
/* The same for the ccw device on subchannel @idx (DRIVER, then ccw's
 * CU_TYPE ... MODALIAS). Writing a ccw device's online emits no uevent
 * (drivers/s390/cio/device.c online_store), so a trigger is how udev, and
 * libvirt's node-device driver, learn its new state. */
void sim_model_ccw_synth_uevent(SimModel *m, uint32_t idx, const char *action);
int sim_model_rmmod_vfio_ccw(SimModel *m);

/* Kernel log and uevents, "KMSG: ..." / "UEVENT: ..." lines as in
 * kernel-evidence/: the newest 10,000 to 20,000 lines (two segments of
 * 10,000; when the newer fills up, the older is dropped whole). */
char *sim_model_events(const SimModel *m);
/* At most @size bytes of the log from @off (0: its first kept byte), in
 * time proportional to @size. */
void sim_model_events_read(const SimModel *m, uint64_t off, size_t size, GString *out);
/* The absolute offset (bytes logged since the host started) of the log's
 * first kept byte: grows by a segment when one is dropped, to the end at a
 * clear. A reader at absolute offset A reads the log from A - base. */
uint64_t sim_model_events_base(const SimModel *m);
void sim_model_clear_events(SimModel *m);

/* The kernel's kstrtoul(buf, 0, &val) on a sysfs write (one trailing
 * newline allowed). Exposed for tests. */
bool sim_kstrtoul(const char *s, unsigned long *val);
/* guid_parse(): exactly 8-4-4-4-12 hex digits at the start of @s;
 * writes the lower-case form to @out. */
bool sim_uuid_parse(const char *s, char out[SIM_UUID_BUFLEN]);

/* --- persistence (--state FILE) --- */
char *sim_model_save(const SimModel *m);
bool sim_model_load(SimModel *m, const char *text, GError **err);
