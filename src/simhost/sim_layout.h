/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the generated host layout.
 *
 * Everything static about a simulated subchannel (its id, type, device
 * number, control-unit type, chpids, ...) is computed on demand from its
 * index, so a host of 262,144 subchannels costs nothing until it is
 * looked at. See README.md for the scheme.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_SSIDS 4
#define SIM_SCH_PER_SSID 65536
#define SIM_MAX_SUBCHANNELS (SIM_MAX_SSIDS * SIM_SCH_PER_SSID)
#define SIM_NAME_BUFLEN 16  /* "0.3.ffff" and NUL, with room to spare */

typedef enum {
    SIM_LAYOUT_LPAR,   /* DASD, QDIO and CHSC subchannels, see README.md */
    SIM_LAYOUT_QEMU,   /* the guest of kernel-evidence/: virtio devices 0.0.0005, 0.0.0006, ... */
    SIM_LAYOUT_LAST
} SimLayoutKind;

typedef enum {
    SIM_KERNEL_6_1,
    SIM_KERNEL_6_12,
    SIM_KERNEL_LAST
} SimKernel;

/* Drivers a subchannel or ccw device can be bound to. */
typedef enum {
    SIM_DRV_NONE,
    SIM_DRV_IO_SUBCHANNEL,   /* css */
    SIM_DRV_VFIO_CCW,        /* css */
    SIM_DRV_VFIO_CCW_MDEV,   /* mdev */
    SIM_DRV_DASD_ECKD,       /* ccw */
    SIM_DRV_QETH,            /* ccw */
    SIM_DRV_ZFCP,            /* ccw */
    SIM_DRV_VIRTIO_CCW,      /* ccw */
    SIM_DRV_QETH_GROUP,      /* ccwgroup: qeth's group driver, also named "qeth" */
    SIM_DRV_LAST
} SimDriver;

const char *sim_driver_name(SimDriver drv);

typedef enum {
    SIM_DEV_NONE,        /* no ccw device (CHSC subchannel) */
    SIM_DEV_DASD,        /* 3990/e9 control unit, 3390/0c device */
    SIM_DEV_OSA,         /* QDIO: 1731/01, 1732/01 (qeth) */
    SIM_DEV_ZFCP,        /* QDIO: 1731/03, 1732/03 (zfcp) */
    SIM_DEV_VIRTIO_NET,  /* 3832/01 */
    SIM_DEV_VIRTIO_BLK,  /* 3832/02 */
    SIM_DEV_VIRTIO_04,   /* 3832/04, the transcripts' first device */
    SIM_DEV_LAST
} SimDevKind;

typedef struct {
    SimLayoutKind kind;
    SimKernel kernel;
    uint32_t n;          /* subchannels */
    uint32_t nssid;      /* subchannel sets used, 1..4 */
    uint32_t per_ssid;   /* ceil(n / nssid) */
} SimLayout;

typedef struct {
    uint32_t idx;
    uint8_t ssid;
    uint16_t schno;
    uint8_t st;              /* 0 I/O, 1 CHSC */
    SimDevKind dev;
    uint16_t devno;          /* meaningful when dev != SIM_DEV_NONE */
    bool qdio;
    bool online_at_boot;
    bool auto_online;        /* the ccw driver sets the device online on probe (virtio) */
    SimDriver ccw_driver;
    uint16_t cu_type;
    uint8_t cu_model;
    uint16_t dev_type;       /* 0: "n/a" */
    uint8_t dev_model;
    uint8_t chpids[8];
    uint8_t pim, pam, pom;
} SimSchInfo;

/* Fill @layout; false (with @err) when the numbers are out of range.
 * @nssid 0 means "as few as needed": ceil(n / 65536). */
bool sim_layout_init(SimLayout *layout, SimLayoutKind kind, SimKernel kernel,
                     uint32_t n, uint32_t nssid, GError **err);

void sim_layout_sch_info(const SimLayout *layout, uint32_t idx, SimSchInfo *info);

/* "0.X.YYYY" of subchannel @idx. */
void sim_layout_sch_name(const SimLayout *layout, uint32_t idx, char buf[SIM_NAME_BUFLEN]);
/* "0.X.YYYY" of the ccw device on subchannel @idx (its dev_busid). */
void sim_layout_ccw_name(const SimLayout *layout, uint32_t idx, char buf[SIM_NAME_BUFLEN]);

/* Exact name (as the kernel spells it: lower-case hex, no newline) to index. */
bool sim_layout_sch_from_name(const SimLayout *layout, const char *name, uint32_t *idx);
bool sim_layout_ccw_from_name(const SimLayout *layout, const char *name, uint32_t *idx);

/* Parse a bus id "0.X.YYYY" (strict). */
bool sim_parse_busid(const char *name, unsigned *ssid, unsigned *num);

/* ccwgroup devices (drivers/s390/cio/ccwgroup.c). The LPAR layout groups
 * its OSA devices (schno % 32 == 29) by three, as a qeth device: group j
 * of a subchannel set takes the OSA devices of the 32-blocks 3j, 3j+1,
 * 3j+2 (read, write, data), is named after the first (0.0.101d), lives
 * at /sys/devices/qeth/<name>, and is online from boot. Hosts under 94
 * subchannels have none, so the smaller layouts are as before. */
#define SIM_CCWGROUP_MEMBERS 3
typedef struct {
    uint32_t members[SIM_CCWGROUP_MEMBERS];   /* subchannel indices, cdev0.. */
    const char *devtype;     /* qeth_generic / qeth_layer2 (uevent DEVTYPE) */
    const char *card_type;   /* qeth card_type */
    uint8_t chpid;           /* the read device's first CHPID */
    bool layer2;
} SimCcwGroupInfo;

uint32_t sim_layout_ccwgroup_count(const SimLayout *layout);
void sim_layout_ccwgroup_info(const SimLayout *layout, uint32_t g, SimCcwGroupInfo *info);
/* The group a subchannel's ccw device belongs to (and as which cdevN). */
bool sim_layout_ccwgroup_of_sch(const SimLayout *layout, uint32_t idx, uint32_t *g,
                                unsigned *member);
/* Its name (its first member's bus id) and the reverse. */
void sim_layout_ccwgroup_name(const SimLayout *layout, uint32_t g, char buf[SIM_NAME_BUFLEN]);
bool sim_layout_ccwgroup_from_name(const SimLayout *layout, const char *name, uint32_t *g);

/* "ccw:t3990mE9dt3390dm0C" (drivers/s390/cio/device.c snprint_alias) */
void sim_ccw_modalias(const SimSchInfo *info, char *buf, size_t size);
