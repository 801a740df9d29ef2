/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: CCW address bookkeeping and assignment.
 *
 * Explicit addresses are reserved first (in device-class order), then
 * every device that needs one gets cssid 0xfe, ssid 0 and the lowest free
 * devno. Bitmaps per (cssid, ssid) and a moving cursor make assignment
 * linear in the number of devices.
 */
#pragma once

#include "domain_conf.h"

#include <stdbool.h>

typedef struct _VccwCcwAddrSet VccwCcwAddrSet;

VccwCcwAddrSet *vccw_ccw_addr_set_new(void);
void vccw_ccw_addr_set_free(VccwCcwAddrSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VccwCcwAddrSet, vccw_ccw_addr_set_free)

/* "XML error: The CCW devno 'fe.0.0001' is in use already" on clash. */
bool vccw_ccw_addr_set_reserve(VccwCcwAddrSet *set, const VccwCcwAddr *addr,
                               GError **err);
/* Lowest free devno in 0xfe.0; "There are no more free CCW devnos." */
bool vccw_ccw_addr_set_assign(VccwCcwAddrSet *set, VccwCcwAddr *addr, GError **err);

/* Does @dev sit on the CCW bus of an s390-ccw machine? */
bool vccw_device_wants_ccw(const VccwDevice *dev);

/* Reserve the explicit addresses of @def and assign the rest. */
bool vccw_domain_assign_ccw_addresses(VccwDomainDef *def, GError **err);
