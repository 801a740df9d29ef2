/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: from domain XML text to a definition ready for QEMU, in
 * libvirt's order of checks: schema, parse, emulator machine, defaults,
 * CCW addresses, validation. */
#pragma once

#include "domain_conf.h"
#include "qemu_capabilities.h"

/* Parse, fill in and validate @xml (@len bytes; @url names it in errors)
 * for the emulator described by @caps. The result is what
 * `virsh define` would store. */
VccwDomainDef *vccw_qemu_domain_load(const char *xml, size_t len, const char *url,
                                     const VccwQemuCaps *caps, GError **err);

/* Only the emulator-independent part: schema and parse. Used by the
 * fuzzer and to learn the emulator before caps are known. */
VccwDomainDef *vccw_domain_load_parse_only(const char *xml, size_t len,
                                           const char *url, GError **err);
