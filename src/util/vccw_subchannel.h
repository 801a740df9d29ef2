/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: host primitives for css subchannels, keyed by bus id ("0.0.0313").
 *
 * Reading a subchannel's state (driver, driver_override), the kernel's
 * writes (driver_override, unbind, bind, drivers_probe) with the kernel's
 * errors, putting a saved state back, and waiting for the kernel. The
 * node-device driver, the host-device manager and journal recovery all go
 * through these (libvirt keeps the like in src/util/virpci.c): nothing
 * else writes a subchannel's sysfs files. Policy (which subchannels may
 * be bound, driverctl's files, rollback on failure) is the callers'.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "vccw_host.h"

#define VCCW_SUBCH_DRIVER_VFIO_CCW "vfio_ccw"
#define VCCW_SUBCH_DRIVER_IO "io_subchannel"

typedef struct {
    char *driver;     /* the css driver bound; NULL when unbound */
    char *override;   /* driver_override; NULL when unset ("(null)") */
} VccwSubchState;

void vccw_subch_state_clear(VccwSubchState *st);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VccwSubchState, vccw_subch_state_clear)

/* <root>/sys/bus/css/devices/@busid (the name checked). */
char *vccw_subch_dir(const VccwHost *host, const char *busid, GError **err);

/* The state of @busid now. A `driver` link must lead to
 * <...>/bus/css/drivers/NAME: one that leads elsewhere (a hostile or
 * broken root) names no driver, and is refused, since a caller that went
 * on would change nothing and still report success. No link: unbound. */
bool vccw_subch_read_state(const VccwHost *host, const char *busid, VccwSubchState *st,
                           GError **err);

/* The last component of @busid's `driver` link as it is, unchecked
 * (NULL: unbound): what a caller verifying a bind reports. */
char *vccw_subch_current_driver(const VccwHost *host, const char *busid);

/* One write each, as the kernel documents them; errors carry the
 * kernel's errno ("cannot write '0.0.0313' to '<path>': ..."). Every path
 * is checked to stay inside the root first. */
bool vccw_subch_set_override(const VccwHost *host, const char *busid, const char *driver,
                             GError **err);   /* @driver NULL: clear it */
bool vccw_subch_unbind(const VccwHost *host, const char *busid, const char *driver,
                       GError **err);
bool vccw_subch_bind(const VccwHost *host, const char *busid, const char *driver,
                     GError **err);
bool vccw_subch_probe(const VccwHost *host, const char *busid, GError **err);

/* The mdevs living on @busid, appended to @names ("uuid, uuid"); whether
 * there is any. */
bool vccw_subch_list_mdevs(const VccwHost *host, const char *busid, GString *names);

/* Put @busid back to @orig: driver and driver_override. Writes only what
 * differs from the present state, so it is idempotent (an interrupted
 * restore is finished, never repeated); refuses to unbind vfio_ccw while
 * mdevs live on it (that would remove them, and block while one is in
 * use); checks the result. *@changed tells whether anything was written. */
bool vccw_subch_restore(const VccwHost *host, const char *busid, const VccwSubchState *orig,
                        bool *changed, GError **err);

/* The kernel registers the ccw device of a re-probed subchannel
 * asynchronously (observed on 6.1 and 6.12): wait at most @timeout_ms for
 * it, so that a caller finds it. No device (dev_busid "none"): no wait. */
void vccw_subch_wait_ccw_device(const VccwHost *host, const char *busid,
                                unsigned int timeout_ms);
