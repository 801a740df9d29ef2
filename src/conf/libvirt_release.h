/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: which libvirt release's behaviour the domain and node-device
 * code follows.
 *
 * virtccw reproduces libvirt's normalized XML and QEMU command line byte
 * for byte, and those change between releases. Every such change is one
 * field of a behaviour table keyed by release: this file has the XML
 * side (VccwConfBehaviour), src/qemu/qemu_release.h the command-line
 * side. Code asks the table of the selected release, never compares
 * release numbers.
 *
 * The selection is process-wide: a program follows one release at a
 * time (the CLI's domain commands choose it from --libvirt-version,
 * $VIRTCCW_LIBVIRT_VERSION or the installed libvirt, see qemu_release.h;
 * its node-device commands from the first two, else the node-device API
 * release below, as virtccwd always does; see virtccw(1)).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_enum.h"

/* The releases virtccw has reference outputs for (tests/libvirt-reference/). */
typedef enum {
    VCCW_LIBVIRT_9_0,    /* Debian 12: libvirt 9.0.0 with QEMU 7.2 */
    VCCW_LIBVIRT_11_3,   /* Debian 13: libvirt 11.3.0 with QEMU 10.0 */
    VCCW_LIBVIRT_LAST
} VccwLibvirtRelease;
/* "9.0", "11.3" */
VCCW_ENUM_DECL(vccw_libvirt_release);

/* The library's selection until a program sets one: libvirt 9.0, the
 * release the library's callers and tests were written against. The
 * CLI always sets one (qemu_release.h: vccw_libvirt_release_choose). */
#define VCCW_LIBVIRT_RELEASE_DEFAULT VCCW_LIBVIRT_9_0

/* The libvirt release whose node-device API virtccwd answers, in
 * libvirt's version encoding (MAJOR * 1000000 + MINOR * 1000 + MICRO):
 * 11.3.0 (virNodeDeviceUpdate, define that updates, XML_INACTIVE for
 * definitions). virtccwd announces it (getLibVersion, rpc_procs.h) and
 * lists node devices as it; the CLI's node-device commands follow it too
 * unless told otherwise, so that `virtccw nodedev-*` and
 * `virsh -c virtccw:///system nodedev-*` answer alike on one host. Kept
 * here, not in src/rpc, so both tools take it from the one place below
 * the layers that use it. */
#define VCCW_LIBVIRT_NODEDEV_API_VERSION 11003000

/* The release a user asked for: @option (--libvirt-version) if given,
 * else $VIRTCCW_LIBVIRT_VERSION if set and not empty. True with *@rel -1
 * when neither asks for one; false (an error naming the value and where
 * it came from) for an unknown one. */
bool vccw_libvirt_release_asked(const char *option, int *rel, GError **err);

/* The release followed from now on (process-wide). */
void vccw_libvirt_release_set(VccwLibvirtRelease rel);
VccwLibvirtRelease vccw_libvirt_release_get(void);

/* The release followed for a libvirt of version @major.@minor: the newest
 * known release not newer than it (10.0 is followed as 9.0: there are no
 * reference outputs of the releases in between), or the oldest one for
 * anything older. */
VccwLibvirtRelease vccw_libvirt_release_for_version(unsigned int major, unsigned int minor);

/* Parse "9.0", "11.3", "11.3.0", "10.1.0": a known release name, or any
 * MAJOR.MINOR[.MICRO] mapped through vccw_libvirt_release_for_version().
 * Returns -1 for anything else. */
int vccw_libvirt_release_parse(const char *str);

/* The release VCCW_LIBVIRT_NODEDEV_API_VERSION is followed as (11.3). */
VccwLibvirtRelease vccw_libvirt_release_nodedev_api(void);

/* How the XML side differs between releases. */
typedef struct {
    /* <hostdev mode='capabilities' type='T'> with a T that is no
     * capabilities type: 9.0 parses the type as a subsystem source
     * ("unsupported configuration: unknown host device source address
     * type 'T'"); 11.x parses it as an enum of capabilities types ("XML
     * error: Invalid value for attribute 'type' in element 'hostdev': 'T'."). */
    bool hostdev_caps_type_enum;
    /* ccw node devices (node_device_udev.c's udevProcessCCW): 9.0 lists a
     * ccw device only when its "online" is 1 and prints no <state>; 11.3
     * (since 10.5, udevCCWGetState) lists every ccw device and prints
     * <state>offline</state> or <state>online</state> before its address
     * ("online" 0 or 1; none for another number). Offline ones matter:
     * the members of an offline ccwgroup, devices another LPAR uses. */
    bool ccw_list_offline;
} VccwConfBehaviour;

const VccwConfBehaviour *vccw_conf_behaviour(void);
