/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_number.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

/* strtoull accepts "-1" and wraps it; libvirt refuses any '-' for the
 * unsigned parsers, so we look for it first. */
static bool
has_minus(const char *str)
{
    while (g_ascii_isspace(*str))
        str++;
    return *str == '-';
}

bool
vccw_parse_ullong(const char *str, int base, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long val;

    if (!str || *str == '\0' || has_minus(str))
        return false;
    errno = 0;
    val = strtoull(str, &end, base);
    if (errno != 0 || end == str || *end != '\0')
        return false;
    *out = val;
    return true;
}

bool
vccw_parse_uint(const char *str, int base, unsigned int *out)
{
    unsigned long long val;

    if (!vccw_parse_ullong(str, base, &val) || val > UINT_MAX)
        return false;
    *out = (unsigned int)val;
    return true;
}

bool
vccw_parse_int(const char *str, int base, int *out)
{
    char *end = NULL;
    long long val;

    if (!str || *str == '\0')
        return false;
    errno = 0;
    val = strtoll(str, &end, base);
    if (errno != 0 || end == str || *end != '\0' || val < INT_MIN || val > INT_MAX)
        return false;
    *out = (int)val;
    return true;
}
