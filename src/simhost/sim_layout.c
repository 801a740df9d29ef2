/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw-simhost: the generated host layout (see sim_layout.h). */
#include "sim_layout.h"

#include "vccw_error.h"

#include <stdio.h>
#include <string.h>

static const char *const sim_driver_names[SIM_DRV_LAST] = {
    [SIM_DRV_NONE] = "",
    [SIM_DRV_IO_SUBCHANNEL] = "io_subchannel",
    [SIM_DRV_VFIO_CCW] = "vfio_ccw",
    [SIM_DRV_VFIO_CCW_MDEV] = "vfio_ccw_mdev",
    [SIM_DRV_DASD_ECKD] = "dasd-eckd",
    [SIM_DRV_QETH] = "qeth",
    [SIM_DRV_ZFCP] = "zfcp",
    [SIM_DRV_VIRTIO_CCW] = "virtio_ccw",
    [SIM_DRV_QETH_GROUP] = "qeth",
};

const char *
sim_driver_name(SimDriver drv)
{
    if ((int)drv < 0 || drv >= SIM_DRV_LAST)
        return "";
    return sim_driver_names[drv];
}

bool
sim_layout_init(SimLayout *layout, SimLayoutKind kind, SimKernel kernel,
                uint32_t n, uint32_t nssid, GError **err)
{
    memset(layout, 0, sizeof(*layout));
    if (n < 1 || n > SIM_MAX_SUBCHANNELS) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "number of subchannels must be 1..%u, not %u",
                       SIM_MAX_SUBCHANNELS, n);
        return false;
    }
    if (nssid == 0)
        nssid = (n + SIM_SCH_PER_SSID - 1) / SIM_SCH_PER_SSID;
    if (nssid > SIM_MAX_SSIDS) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "number of subchannel sets must be 1..%u, not %u",
                       SIM_MAX_SSIDS, nssid);
        return false;
    }
    if ((n + nssid - 1) / nssid > SIM_SCH_PER_SSID) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "%u subchannels do not fit in %u subchannel set(s)", n, nssid);
        return false;
    }
    layout->kind = kind;
    layout->kernel = kernel;
    layout->n = n;
    layout->nssid = nssid;
    layout->per_ssid = (n + nssid - 1) / nssid;
    return true;
}

static void
sim_set_ids(SimSchInfo *info, SimDevKind dev)
{
    info->dev = dev;
    switch (dev) {
    case SIM_DEV_DASD:
        info->cu_type = 0x3990; info->cu_model = 0xe9;
        info->dev_type = 0x3390; info->dev_model = 0x0c;
        info->ccw_driver = SIM_DRV_DASD_ECKD;
        break;
    case SIM_DEV_OSA:
        info->cu_type = 0x1731; info->cu_model = 0x01;
        info->dev_type = 0x1732; info->dev_model = 0x01;
        info->ccw_driver = SIM_DRV_QETH;
        info->qdio = true;
        break;
    case SIM_DEV_ZFCP:
        info->cu_type = 0x1731; info->cu_model = 0x03;
        info->dev_type = 0x1732; info->dev_model = 0x03;
        info->ccw_driver = SIM_DRV_ZFCP;
        info->qdio = true;
        break;
    case SIM_DEV_VIRTIO_NET:
    case SIM_DEV_VIRTIO_BLK:
    case SIM_DEV_VIRTIO_04:
        info->cu_type = 0x3832;
        info->cu_model = dev == SIM_DEV_VIRTIO_NET ? 0x01 :
                         dev == SIM_DEV_VIRTIO_BLK ? 0x02 : 0x04;
        info->dev_type = 0; info->dev_model = 0;
        info->ccw_driver = SIM_DRV_VIRTIO_CCW;
        info->auto_online = true;
        break;
    case SIM_DEV_NONE:
    case SIM_DEV_LAST:
        info->ccw_driver = SIM_DRV_NONE;
        break;
    }
}

void
sim_layout_sch_info(const SimLayout *layout, uint32_t idx, SimSchInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->idx = idx;
    info->ssid = (uint8_t)(idx / layout->per_ssid);
    info->schno = (uint16_t)(idx % layout->per_ssid);

    if (layout->kind == SIM_LAYOUT_QEMU) {
        /* kernel-evidence/: 0.0.0000 carries 0.0.0005 (3832/04),
         * 0.0.0001 carries 0.0.0006 (3832/02); synthetic paths. */
        info->st = 0;
        info->devno = (uint16_t)(info->schno + 5);
        sim_set_ids(info, info->schno % 2 == 0 ? SIM_DEV_VIRTIO_04 : SIM_DEV_VIRTIO_BLK);
        info->online_at_boot = true;
        info->pim = 0x80; info->pam = 0x80; info->pom = 0xff;
        return;
    }

    switch (info->schno % 32) {
    case 31:
        /* CHSC subchannel: no device, no driver. */
        info->st = 1;
        sim_set_ids(info, SIM_DEV_NONE);
        info->pim = 0; info->pam = 0; info->pom = 0;
        return;
    case 29:
        sim_set_ids(info, SIM_DEV_OSA);
        info->online_at_boot = true;
        break;
    case 30:
        sim_set_ids(info, SIM_DEV_ZFCP);
        info->online_at_boot = true;
        break;
    default:
        sim_set_ids(info, SIM_DEV_DASD);
        info->online_at_boot = (info->schno % 8) != 7;
        break;
    }
    info->st = 0;
    info->devno = (uint16_t)(info->schno + 0x1000);
    /* four paths per device, the chpid group changing every 256 devices */
    for (unsigned i = 0; i < 4; i++)
        info->chpids[i] = (uint8_t)(0x40 + ((info->schno >> 8) % 16) * 4 + i);
    info->pim = 0xf0; info->pam = 0xf0; info->pom = 0xff;
}

void
sim_layout_sch_name(const SimLayout *layout, uint32_t idx, char buf[SIM_NAME_BUFLEN])
{
    snprintf(buf, SIM_NAME_BUFLEN, "0.%x.%04x",
             (unsigned)(idx / layout->per_ssid), (unsigned)(idx % layout->per_ssid));
}

void
sim_layout_ccw_name(const SimLayout *layout, uint32_t idx, char buf[SIM_NAME_BUFLEN])
{
    SimSchInfo info;

    sim_layout_sch_info(layout, idx, &info);
    snprintf(buf, SIM_NAME_BUFLEN, "0.%x.%04x", (unsigned)info.ssid, (unsigned)info.devno);
}

static int
sim_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool
sim_parse_busid(const char *name, unsigned *ssid, unsigned *num)
{
    unsigned v = 0;

    if (strlen(name) != 8 || name[0] != '0' || name[1] != '.' || name[3] != '.')
        return false;
    if (name[2] < '0' || name[2] > '3')
        return false;
    for (int i = 4; i < 8; i++) {
        int h = sim_hexval(name[i]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    *ssid = (unsigned)(name[2] - '0');
    *num = v;
    return true;
}

bool
sim_layout_sch_from_name(const SimLayout *layout, const char *name, uint32_t *idx)
{
    unsigned ssid, num;
    uint64_t i;

    if (!sim_parse_busid(name, &ssid, &num))
        return false;
    if (ssid >= layout->nssid || num >= layout->per_ssid)
        return false;
    i = (uint64_t)ssid * layout->per_ssid + num;
    if (i >= layout->n)
        return false;
    *idx = (uint32_t)i;
    return true;
}

bool
sim_layout_ccw_from_name(const SimLayout *layout, const char *name, uint32_t *idx)
{
    unsigned ssid, devno, schno;
    uint64_t i;
    SimSchInfo info;

    if (!sim_parse_busid(name, &ssid, &devno))
        return false;
    if (layout->kind == SIM_LAYOUT_QEMU)
        schno = (devno - 5) & 0xffff;
    else
        schno = (devno - 0x1000) & 0xffff;
    if (ssid >= layout->nssid || schno >= layout->per_ssid)
        return false;
    i = (uint64_t)ssid * layout->per_ssid + schno;
    if (i >= layout->n)
        return false;
    sim_layout_sch_info(layout, (uint32_t)i, &info);
    if (info.dev == SIM_DEV_NONE || info.devno != devno)
        return false;
    *idx = (uint32_t)i;
    return true;
}

void
sim_ccw_modalias(const SimSchInfo *info, char *buf, size_t size)
{
    if (info->dev_type)
        snprintf(buf, size, "ccw:t%04Xm%02Xdt%04Xdm%02X",
                 info->cu_type, info->cu_model, info->dev_type, info->dev_model);
    else
        snprintf(buf, size, "ccw:t%04Xm%02Xdtdm", info->cu_type, info->cu_model);
}

/* ---- ccwgroup devices ---- */

#define OSA_SLOT 29      /* schno % 32 of the OSA devices */
#define GROUP_SPAN 96    /* three 32-blocks per group */

/* Groups in subchannel set @ssid: whole triples of OSA devices that exist. */
static uint32_t
groups_in_ssid(const SimLayout *layout, uint32_t ssid)
{
    uint64_t first = (uint64_t)ssid * layout->per_ssid;
    uint64_t end = MIN(first + layout->per_ssid, (uint64_t)layout->n);
    uint64_t count = end - first;   /* subchannels of this set */

    if (layout->kind != SIM_LAYOUT_LPAR || end <= first)
        return 0;
    /* group j needs schno GROUP_SPAN * j + 2 * 32 + OSA_SLOT */
    if (count < 2 * 32 + OSA_SLOT + 1)
        return 0;
    return (uint32_t)((count - (2 * 32 + OSA_SLOT + 1)) / GROUP_SPAN + 1);
}

uint32_t
sim_layout_ccwgroup_count(const SimLayout *layout)
{
    uint32_t total = 0;

    for (uint32_t s = 0; s < layout->nssid; s++)
        total += groups_in_ssid(layout, s);
    return total;
}

void
sim_layout_ccwgroup_info(const SimLayout *layout, uint32_t g, SimCcwGroupInfo *info)
{
    uint32_t s = 0, j = g;
    SimSchInfo sch;

    memset(info, 0, sizeof(*info));
    while (s < layout->nssid && j >= groups_in_ssid(layout, s))
        j -= groups_in_ssid(layout, s++);
    for (unsigned m = 0; m < SIM_CCWGROUP_MEMBERS; m++)
        info->members[m] = s * layout->per_ssid + GROUP_SPAN * j + 32 * m + OSA_SLOT;
    sim_layout_sch_info(layout, info->members[0], &sch);
    /* qeth keeps the device type qeth_generic for the cards whose layer
     * the user chooses (OSD), and sets its discipline's type for those
     * with an enforced one (OSM: layer 2; qeth_core_probe_device): every
     * third group is an OSM card */
    info->layer2 = true;
    info->devtype = g % 3 == 2 ? "qeth_layer2" : "qeth_generic";
    info->card_type = g % 3 == 2 ? "OSM_1000" : "OSD_1000";
    info->chpid = sch.chpids[0];
}

bool
sim_layout_ccwgroup_of_sch(const SimLayout *layout, uint32_t idx, uint32_t *g, unsigned *member)
{
    uint32_t s = idx / layout->per_ssid, schno = idx % layout->per_ssid, j, before = 0;

    if (layout->kind != SIM_LAYOUT_LPAR || idx >= layout->n || schno % 32 != OSA_SLOT)
        return false;
    j = schno / GROUP_SPAN;
    if (j >= groups_in_ssid(layout, s))
        return false;
    for (uint32_t t = 0; t < s; t++)
        before += groups_in_ssid(layout, t);
    *g = before + j;
    *member = (schno % GROUP_SPAN) / 32;
    return true;
}

void
sim_layout_ccwgroup_name(const SimLayout *layout, uint32_t g, char buf[SIM_NAME_BUFLEN])
{
    SimCcwGroupInfo info;

    sim_layout_ccwgroup_info(layout, g, &info);
    sim_layout_ccw_name(layout, info.members[0], buf);
}

bool
sim_layout_ccwgroup_from_name(const SimLayout *layout, const char *name, uint32_t *g)
{
    uint32_t idx;
    unsigned member;

    return sim_layout_ccw_from_name(layout, name, &idx) &&
           sim_layout_ccwgroup_of_sch(layout, idx, g, &member) && member == 0;
}
