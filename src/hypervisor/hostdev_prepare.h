/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: making the host ready for a domain's vfio-ccw host devices and
 * giving it back (libvirt's qemuHostdevPrepareDomainDevices and
 * qemuHostdevReAttachDomainDevices for mdevs, plus what libvirt leaves to
 * the admin).
 *
 * Prepare, per vfio-ccw hostdev, in libvirt's order of checks:
 *  1. the mdev must exist, active in sysfs or defined in the mdevctl
 *     store ("device not found: mediated device '<uuid>' not found");
 *     with managed='no' only an active one counts, as in libvirt;
 *  2. its device_api must be vfio-ccw ("internal error: invalid device
 *     API 'vfio-ccw' for device /sys/bus/mdev/devices/<uuid>: device only
 *     supports '<api>'");
 *  3. no other domain may hold it ("Requested operation is not valid:
 *     mediated device /sys/bus/mdev/devices/<uuid> is in use by driver
 *     QEMU, domain <name>");
 *  then, for managed='yes' only, the host changes: bind the parent
 *  subchannel to vfio_ccw when it is not, start the mdev when it is only
 *  defined (and check its device_api once it exists).
 * managed='no' changes nothing on the host: it only checks and claims.
 *
 * Claims and changes are journaled (hostdev_journal.h) under the
 * host-wide lock, so two domains never get one mdev even when prepared
 * concurrently, and a failure or a crash at any point is undone exactly.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "domain_conf.h"
#include "node_device_driver.h"
#include "vccw_host.h"

/* libvirt's driver name in "in use by driver %s" */
#define VCCW_HOSTDEV_DRIVER_NAME "QEMU"

typedef struct {
    unsigned char uuid[VCCW_UUID_BUFLEN];
    bool managed;
} VccwHostdevSpec;

typedef struct _VccwHostdevMgr VccwHostdevMgr;

/* @host is borrowed and must outlive the manager. */
VccwHostdevMgr *vccw_hostdev_mgr_new(const VccwHost *host, GError **err);
void vccw_hostdev_mgr_free(VccwHostdevMgr *mgr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwHostdevMgr, vccw_hostdev_mgr_free)

VccwNodeDevDriver *vccw_hostdev_mgr_nodedev(VccwHostdevMgr *mgr);

/* How long to wait for the host-wide lock (default VCCW_HD_LOCK_TIMEOUT_MS). */
void vccw_hostdev_mgr_set_lock_timeout(VccwHostdevMgr *mgr, unsigned int timeout_ms);

/* The vfio-ccw mdev hostdevs of @def, in document order (of VccwHostdevSpec). */
GArray *vccw_hostdev_specs_from_def(const VccwDomainDef *def);

/* The spec of one device (false when it is not a vfio-ccw mdev hostdev). */
bool vccw_hostdev_spec_from_device(const VccwDevice *dev, VccwHostdevSpec *spec);

/* Leniently read a domain XML as libvirt hands it to hooks (with elements
 * virtccw does not model): the name and the vfio-ccw mdev hostdevs. */
bool vccw_hostdev_specs_from_xml(const char *xml, size_t len, char **name, GArray **specs,
                                 GError **err);

/* Prepare @n hostdevs for @domain. Hostdevs the domain already holds are
 * left as they are (prepare is idempotent); an interrupted earlier
 * prepare or release of @domain is finished first. On failure everything
 * this call did is undone, in reverse order. @report (may be NULL) gets
 * one line per host change or claim. */
bool vccw_hostdev_prepare(VccwHostdevMgr *mgr, const char *domain,
                          const VccwHostdevSpec *specs, guint n,
                          GPtrArray *report, GError **err);

/* Undo exactly what prepare did for @domain (for the mdev @uuid only, or
 * all with NULL): stop the mdevs it started, give back the subchannels it
 * bound to the driver and override they had, drop the claims. Nothing
 * prepared is not an error. */
bool vccw_hostdev_release(VccwHostdevMgr *mgr, const char *domain,
                          const unsigned char *uuid, GPtrArray *report, GError **err);

/* Finish every interrupted prepare (rolled back) or release (completed),
 * of @domain or, with NULL, of all domains. */
bool vccw_hostdev_recover(VccwHostdevMgr *mgr, const char *domain, GPtrArray *report,
                          GError **err);

/* The domain holding mdev @uuid, or NULL (for status output and tests). */
char *vccw_hostdev_claimed_by(VccwHostdevMgr *mgr, const unsigned char *uuid, GError **err);
