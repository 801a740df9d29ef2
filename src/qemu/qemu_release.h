/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: how libvirt releases differ in the QEMU command line they
 * build, and which release the installed libvirt is.
 *
 * One row per release (see src/conf/libvirt_release.h for the releases
 * and the process-wide selection); qemu_command.c asks the selected row.
 * Differences that come from QEMU itself (machine types QEMU 10.0 no
 * longer has, the machine an alias resolves to) are not here: they
 * follow from the emulator's capabilities (tests/qemucapsdata/).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "libvirt_release.h"
#include "qemu_capabilities.h"

typedef struct {
    /* -m: 9.0 writes MiB ("-m 512"); 11.x the KiB size ("-m size=524288k"). */
    bool memory_size_kib;
    /* A raw disk image: 9.0 gives a protocol node (libvirt-N-storage) and
     * a raw format node (libvirt-N-format) on top; 11.x gives the
     * protocol node alone ("read-only" on it, no auto-read-only/discard),
     * and the device's drive names it. */
    bool raw_storage_node_only;
    /* The loadparm of a boot device (<boot order loadparm>): 9.0 passes
     * only the boot-order-1 disk's, as -machine ...,loadparm=; 11.x puts
     * each disk's and vfio-ccw hostdev's on its own -device ("loadparm"
     * after "bootindex") and none on -machine, when QEMU's ccw devices
     * have the property (QEMU 9.1+; vfio-ccw's is what the capabilities
     * record). */
    bool device_loadparm;
    /* Where a unix channel without a path gets its socket: the directory,
     * to which the short domain name is appended. */
    const char *channel_dir_prefix;
    /* The descriptor number domxml-to-native shows for an interface's
     * tap device: the reference daemon's next free descriptor (27 for
     * 9.0, 24 for 11.3 in the reference runs; another daemon may say
     * another number). */
    const char *tap_fd;
    /* A CCW address on a machine without CCW: 9.0 names the device
     * ("cannot use CCW address type for device '...' using machine type
     * '...'"); 11.x only the machine ("CCW addresses are not supported by
     * machine type '...'"). */
    bool ccw_addr_error_names_machine;
} VccwQemuBehaviour;

const VccwQemuBehaviour *vccw_qemu_behaviour(void);

/* Whether boot devices get a per-device loadparm: the release does it
 * and the emulator's vfio-ccw has the property. */
bool vccw_qemu_device_loadparm(const VccwQemuCaps *caps);

/* The release the libvirt installed on this host behaves as: the first
 * of virtqemud, libvirtd, virsh found in $PATH (or /usr/sbin, /sbin)
 * answers `--version`, mapped by vccw_libvirt_release_for_version().
 * Returns -1 when none is installed or none answers a version. */
int vccw_libvirt_release_detect(char **found_version);

/* Followed by the CLI when no libvirt is installed: the newest known
 * release, what a host that installs libvirt today gets (Debian 13). */
#define VCCW_LIBVIRT_RELEASE_FALLBACK VCCW_LIBVIRT_11_3

/* The release to follow: @option (--libvirt-version) if given, else
 * $VIRTCCW_LIBVIRT_VERSION, else the installed libvirt's, else
 * VCCW_LIBVIRT_RELEASE_FALLBACK. An unknown @option or variable value is
 * an error. */
bool vccw_libvirt_release_choose(const char *option, VccwLibvirtRelease *rel,
                                 GError **err);
