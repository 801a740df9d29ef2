/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: hypervisor-independent validation of a domain definition,
 * with libvirt's error texts (and a few stricter checks of our own,
 * listed in docs/formatdomain-ccw.rst). */
#pragma once

#include "domain_conf.h"

#include <stdbool.h>

/* Checks libvirt makes while parsing, before defaults are filled in. */
bool vccw_domain_def_validate_parsed(const VccwDomainDef *def, GError **err);

/* Checks libvirt makes after post-parse and address assignment. */
bool vccw_domain_def_validate(const VccwDomainDef *def, GError **err);
