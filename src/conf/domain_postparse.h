/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: libvirt's define-time defaults for what virtccw models. */
#pragma once

#include "domain_conf.h"

#include <stdbool.h>

/* Fill in defaults and implicit devices. Needs def->machine already
 * canonical (the emulator layer resolves aliases first). */
bool vccw_domain_def_postparse(VccwDomainDef *def, GError **err);
