/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: formatting a domain definition as libvirt's inactive XML. */
#pragma once

#include "domain_conf.h"

/* The whole document, ending in "</domain>\n". */
char *vccw_domain_def_format(const VccwDomainDef *def);
