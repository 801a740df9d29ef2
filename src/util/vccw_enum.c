/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_enum.h"

#include <string.h>

int
vccw_enum_from_string(const char *const *table, size_t n, const char *str)
{
    if (!str)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (table[i] && strcmp(table[i], str) == 0)
            return (int)i;
    }
    return -1;
}

const char *
vccw_enum_to_string(const char *const *table, size_t n, int val)
{
    if (val < 0 || (size_t)val >= n)
        return NULL;
    return table[val];
}
