/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vccw_uuid.h"

#include <stdio.h>
#include <string.h>

bool
vccw_uuid_parse(const char *str, unsigned char uuid[VCCW_UUID_BUFLEN])
{
    const char *cur = str;
    size_t i = 0;

    if (!str)
        return false;
    while (g_ascii_isspace(*cur))
        cur++;
    while (i < VCCW_UUID_BUFLEN) {
        if (*cur == '\0')
            return false;
        if (*cur == '-' || *cur == ' ') {
            cur++;
            continue;
        }
        if (!g_ascii_isxdigit(cur[0]) || !g_ascii_isxdigit(cur[1]))
            return false;
        uuid[i++] = (unsigned char)((g_ascii_xdigit_value(cur[0]) << 4) |
                                    g_ascii_xdigit_value(cur[1]));
        cur += 2;
    }
    while (*cur) {
        if (!g_ascii_isspace(*cur))
            return false;
        cur++;
    }
    return true;
}

void
vccw_uuid_format(const unsigned char uuid[VCCW_UUID_BUFLEN],
                 char out[VCCW_UUID_STRING_BUFLEN])
{
    /* by hand, not snprintf: listings name every mdev with it */
    static const char hex[] = "0123456789abcdef";
    char *p = out;

    for (size_t i = 0; i < VCCW_UUID_BUFLEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xf];
    }
    *p = '\0';
}

bool
vccw_uuid_is_canonical(const char *str)
{
    static const size_t dashes[] = { 8, 13, 18, 23 };
    size_t d = 0;

    if (!str || strlen(str) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (d < G_N_ELEMENTS(dashes) && i == dashes[d]) {
            if (str[i] != '-')
                return false;
            d++;
        } else if (!g_ascii_isxdigit(str[i])) {
            return false;
        }
    }
    return true;
}
