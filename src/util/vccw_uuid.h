/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: UUIDs as libvirt reads and writes them. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define VCCW_UUID_BUFLEN 16
#define VCCW_UUID_STRING_BUFLEN 37

/* Parse like libvirt: 32 hex digits, '-' and ' ' allowed between byte
 * pairs, trailing whitespace allowed. Returns false on anything else. */
bool vccw_uuid_parse(const char *str, unsigned char uuid[VCCW_UUID_BUFLEN]);

/* Canonical lower-case 8-4-4-4-12 form into @out. */
void vccw_uuid_format(const unsigned char uuid[VCCW_UUID_BUFLEN],
                      char out[VCCW_UUID_STRING_BUFLEN]);

/* Strict form used for sysfs names: exactly 8-4-4-4-12 hex. */
bool vccw_uuid_is_canonical(const char *str);
