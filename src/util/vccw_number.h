/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: number parsing with libvirt's rules (C integer syntax, base 0:
 * "10" is ten, "010" is eight, "0x10" is sixteen). */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Whole string must be a non-negative integer fitting unsigned int. */
bool vccw_parse_uint(const char *str, int base, unsigned int *out);

/* Whole string must be a non-negative integer fitting unsigned long long. */
bool vccw_parse_ullong(const char *str, int base, unsigned long long *out);

/* Any integer fitting int (may be negative). */
bool vccw_parse_int(const char *str, int base, int *out);
