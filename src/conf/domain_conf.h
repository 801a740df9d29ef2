/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the in-memory domain definition.
 *
 * Only what virtccw models is here; the parser refuses every other element
 * by name, so nothing a user wrote is silently dropped. Devices are kept
 * per class (VccwDevClass) in document order within a class; the three
 * orders libvirt uses (CCW address assignment, XML formatting, QEMU argv)
 * are tables in domain_conf.c, not code paths.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_enum.h"
#include "vccw_uuid.h"

/* ---- addresses ------------------------------------------------------ */

/* All of libvirt's address type names, so that we can name an unsupported
 * one in an error ("Unsupported address type 'pci' ..."). */
typedef enum {
    VCCW_ADDR_NONE,
    VCCW_ADDR_PCI,
    VCCW_ADDR_DRIVE,
    VCCW_ADDR_VIRTIO_SERIAL,
    VCCW_ADDR_CCID,
    VCCW_ADDR_USB,
    VCCW_ADDR_SPAPRVIO,
    VCCW_ADDR_VIRTIO_S390,
    VCCW_ADDR_CCW,
    VCCW_ADDR_VIRTIO_MMIO,
    VCCW_ADDR_ISA,
    VCCW_ADDR_DIMM,
    VCCW_ADDR_UNASSIGNED,
    VCCW_ADDR_LAST
} VccwAddrType;
VCCW_ENUM_DECL(vccw_addr_type);

#define VCCW_CCW_MAX_CSSID 0xfe
#define VCCW_CCW_MAX_SSID 3
#define VCCW_CCW_MAX_DEVNO 0xffff
#define VCCW_CCW_DEFAULT_CSSID 0xfe

typedef struct {
    unsigned int cssid;
    unsigned int ssid;
    unsigned int devno;
    bool assigned;      /* all three known (given or assigned) */
} VccwCcwAddr;

typedef struct {
    unsigned int domain, bus, slot, function;
    int multifunction;  /* VccwTristate */
} VccwPciAddr;

typedef struct {
    unsigned int controller, bus, target, unit;
} VccwDriveAddr;

typedef struct {
    unsigned int controller, bus, port;
} VccwVirtioSerialAddr;

typedef struct {
    VccwAddrType type;
    union {
        VccwCcwAddr ccw;
        VccwPciAddr pci;
        VccwDriveAddr drive;
        VccwVirtioSerialAddr vserial;
    } u;
} VccwDeviceAddress;

/* ---- common device info --------------------------------------------- */

typedef enum {
    VCCW_TRISTATE_ABSENT,
    VCCW_TRISTATE_YES,
    VCCW_TRISTATE_NO,
    VCCW_TRISTATE_LAST
} VccwTristate;
VCCW_ENUM_DECL(vccw_tristate_bool);   /* "", "yes", "no" */
VCCW_ENUM_DECL(vccw_tristate_switch); /* "", "on", "off" */

typedef struct {
    char *alias;             /* user alias, always "ua-..." */
    unsigned int boot_order; /* 0: none */
    char *loadparm;          /* <boot loadparm=''>, upper-cased */
    VccwDeviceAddress addr;
} VccwDeviceInfo;

/* Device classes. Their numeric order is libvirt's CCW address
 * assignment order (virDomainDeviceInfoIterate). */
typedef enum {
    VCCW_DEV_DISK,
    VCCW_DEV_NET,
    VCCW_DEV_HOSTDEV,
    VCCW_DEV_CONTROLLER,
    VCCW_DEV_SERIAL,
    VCCW_DEV_CHANNEL,
    VCCW_DEV_CONSOLE,
    VCCW_DEV_INPUT,
    VCCW_DEV_FS,
    VCCW_DEV_WATCHDOG,
    VCCW_DEV_MEMBALLOON,
    VCCW_DEV_RNG,
    VCCW_DEV_VSOCK,
    VCCW_DEV_AUDIO,
    VCCW_DEV_PANIC,
    VCCW_DEV_LAST
} VccwDevClass;
VCCW_ENUM_DECL(vccw_dev_class);  /* element names: "disk", "interface", ... */

/* ---- device kinds ----------------------------------------------------- */

typedef enum { VCCW_DISK_TYPE_FILE, VCCW_DISK_TYPE_BLOCK, VCCW_DISK_TYPE_LAST } VccwDiskType;
VCCW_ENUM_DECL(vccw_disk_type);
typedef enum { VCCW_DISK_DEVICE_DISK, VCCW_DISK_DEVICE_CDROM, VCCW_DISK_DEVICE_LUN,
               VCCW_DISK_DEVICE_LAST } VccwDiskDevice;
VCCW_ENUM_DECL(vccw_disk_device);
typedef enum { VCCW_DISK_BUS_VIRTIO, VCCW_DISK_BUS_SCSI, VCCW_DISK_BUS_LAST } VccwDiskBus;
VCCW_ENUM_DECL(vccw_disk_bus);

typedef struct {
    VccwDiskType type;
    VccwDiskDevice device;
    char *driver_name;   /* "qemu" */
    char *format;        /* driver type: raw, qcow2, ... */
    char *cache;
    char *io;
    char *source;        /* file or dev */
    char *target_dev;    /* vda */
    VccwDiskBus bus;
    bool readonly;
    bool shareable;
    char *serial;
} VccwDiskDef;

typedef enum { VCCW_NET_USER, VCCW_NET_NETWORK, VCCW_NET_BRIDGE, VCCW_NET_ETHERNET,
               VCCW_NET_LAST } VccwNetType;
VCCW_ENUM_DECL(vccw_net_type);

typedef struct {
    VccwNetType type;
    unsigned char mac[6];
    bool mac_set;
    char *source;        /* network or bridge name */
    char *model;         /* virtio */
    char *target_dev;
} VccwNetDef;

typedef enum { VCCW_HOSTDEV_MODEL_VFIO_PCI, VCCW_HOSTDEV_MODEL_VFIO_CCW,
               VCCW_HOSTDEV_MODEL_VFIO_AP, VCCW_HOSTDEV_MODEL_LAST } VccwHostdevModel;
VCCW_ENUM_DECL(vccw_hostdev_model);
typedef enum { VCCW_HOSTDEV_TYPE_USB, VCCW_HOSTDEV_TYPE_PCI, VCCW_HOSTDEV_TYPE_SCSI,
               VCCW_HOSTDEV_TYPE_SCSI_HOST, VCCW_HOSTDEV_TYPE_MDEV,
               VCCW_HOSTDEV_TYPE_LAST } VccwHostdevType;
VCCW_ENUM_DECL(vccw_hostdev_type);

typedef struct {
    VccwHostdevType type;     /* mdev or pci */
    VccwTristate managed;
    VccwHostdevModel model;   /* mdev only */
    unsigned char uuid[VCCW_UUID_BUFLEN];
    VccwTristate display;     /* "on"/"off" */
    VccwTristate ramfb;
    bool has_rom;
    VccwPciAddr pci_source;   /* type='pci' */
} VccwHostdevDef;

typedef enum { VCCW_CTRL_VIRTIO_SERIAL, VCCW_CTRL_SCSI, VCCW_CTRL_PCI,
               VCCW_CTRL_LAST } VccwControllerType;
VCCW_ENUM_DECL(vccw_controller_type);

typedef struct {
    VccwControllerType type;
    unsigned int index;
    char *model;         /* virtio-scsi, pci-root */
    int ports;           /* -1: unset */
    int vectors;         /* -1: unset */
} VccwControllerDef;

/* Character devices: serial, console, channel. */
typedef enum { VCCW_CHR_PTY, VCCW_CHR_UNIX, VCCW_CHR_FILE, VCCW_CHR_NULL,
               VCCW_CHR_LAST } VccwChrType;
VCCW_ENUM_DECL(vccw_chr_type);

typedef struct {
    VccwChrType type;
    char *source_path;     /* unix/file */
    char *source_mode;     /* unix: bind/connect */
    char *target_type;     /* sclp, sclplm, virtio, serial, sclp-serial */
    int target_port;       /* -1: unset */
    char *target_name;     /* channel name */
    char *target_model;    /* <model name='sclpconsole'/> */
} VccwChrDef;

typedef enum { VCCW_INPUT_MOUSE, VCCW_INPUT_TABLET, VCCW_INPUT_KBD,
               VCCW_INPUT_LAST } VccwInputType;
VCCW_ENUM_DECL(vccw_input_type);

typedef struct {
    VccwInputType type;
    char *bus;             /* virtio */
} VccwInputDef;

typedef struct {
    char *accessmode;      /* passthrough, mapped, squash */
    char *driver_type;     /* path (9p) or virtiofs */
    char *source_dir;
    char *target_dir;
    bool readonly;
} VccwFsDef;

typedef struct {
    char *model;           /* diag288 */
    char *action;          /* reset, poweroff, ... */
} VccwWatchdogDef;

typedef struct {
    char *model;           /* virtio, none */
    VccwTristate autodeflate;
    VccwTristate free_page_reporting;
    int stats_period;      /* -1: unset */
} VccwMemballoonDef;

typedef struct {
    char *model;           /* virtio */
    char *backend_model;   /* random */
    char *backend_file;    /* /dev/urandom */
} VccwRngDef;

typedef struct {
    char *model;           /* virtio */
    VccwTristate cid_auto;
    unsigned int cid;      /* 0: unset */
} VccwVsockDef;

typedef struct {
    unsigned int id;
    char *type;            /* none */
} VccwAudioDef;

typedef struct {
    char *model;           /* s390 */
} VccwPanicDef;

typedef struct {
    VccwDevClass cls;
    VccwDeviceInfo info;
    union {
        VccwDiskDef disk;
        VccwNetDef net;
        VccwHostdevDef hostdev;
        VccwControllerDef controller;
        VccwChrDef chr;
        VccwInputDef input;
        VccwFsDef fs;
        VccwWatchdogDef watchdog;
        VccwMemballoonDef balloon;
        VccwRngDef rng;
        VccwVsockDef vsock;
        VccwAudioDef audio;
        VccwPanicDef panic;
    } u;
} VccwDevice;

void vccw_device_free(VccwDevice *dev);
VccwDevice *vccw_device_new(VccwDevClass cls);

/* ---- the domain ------------------------------------------------------- */

typedef enum { VCCW_VIRT_QEMU, VCCW_VIRT_KVM, VCCW_VIRT_LAST } VccwVirtType;
VCCW_ENUM_DECL(vccw_virt_type);

typedef enum { VCCW_BOOT_FD, VCCW_BOOT_CDROM, VCCW_BOOT_HD, VCCW_BOOT_NET,
               VCCW_BOOT_LAST } VccwBootDev;
VCCW_ENUM_DECL(vccw_boot_dev);

typedef struct {
    char *mode;            /* custom, host-model, host-passthrough */
    char *match;           /* exact, ... */
    char *check;           /* none, partial, full */
    char *model;
    char *fallback;        /* allow, forbid */
} VccwCpuDef;

typedef struct {
    VccwVirtType virt_type;
    char *name;
    unsigned char uuid[VCCW_UUID_BUFLEN];
    char *title;
    char *description;

    unsigned long long memory_kib;
    unsigned long long current_memory_kib;  /* 0: same as memory */

    unsigned int vcpus;
    unsigned int vcpus_current;             /* 0: same as vcpus */
    char *vcpu_placement;

    char *os_type;         /* hvm */
    char *arch;
    char *machine;
    char *kernel;
    char *initrd;
    char *cmdline;
    GArray *boot_devs;     /* of VccwBootDev */

    VccwCpuDef *cpu;       /* NULL: none given */
    char *clock_offset;
    char *on_poweroff;
    char *on_reboot;
    char *on_crash;

    char *emulator;
    GPtrArray *devs[VCCW_DEV_LAST];   /* of VccwDevice*, per class */
} VccwDomainDef;

VccwDomainDef *vccw_domain_def_new(void);
void vccw_domain_def_free(VccwDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwDomainDef, vccw_domain_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwDevice, vccw_device_free)

void vccw_domain_def_add_device(VccwDomainDef *def, VccwDevice *dev);

static inline guint
vccw_domain_ndevs(const VccwDomainDef *def, VccwDevClass cls)
{
    return def->devs[cls]->len;
}

static inline VccwDevice *
vccw_domain_dev(const VccwDomainDef *def, VccwDevClass cls, guint i)
{
    return g_ptr_array_index(def->devs[cls], i);
}

bool vccw_domain_is_s390_ccw(const VccwDomainDef *def);

/* "fe.0.0001": the QEMU devno string, also used in libvirt's errors. */
char *vccw_ccw_addr_qemu_string(const VccwCcwAddr *addr);

/* Ordering tables: which classes, in which order, for each pass. */
extern const VccwDevClass vccw_format_order[];
extern const size_t vccw_format_order_len;
