/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: enum <-> string tables.
 *
 * VCCW_ENUM_DECL(name) declares name_to_string()/name_from_string();
 * VCCW_ENUM_IMPL(name, last, "a", "b", ...) defines them over a table
 * whose size the compiler checks against the enum's _LAST value.
 */
#pragma once

#include <glib.h>

int vccw_enum_from_string(const char *const *table, size_t n, const char *str);
const char *vccw_enum_to_string(const char *const *table, size_t n, int val);

#define VCCW_ENUM_DECL(name) \
    const char *name##_to_string(int val); \
    int name##_from_string(const char *str)

#define VCCW_ENUM_IMPL(name, last, ...) \
    static const char *const name##_table[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##_table) == (last)); \
    const char *name##_to_string(int val) \
    { return vccw_enum_to_string(name##_table, G_N_ELEMENTS(name##_table), val); } \
    int name##_from_string(const char *str) \
    { return vccw_enum_from_string(name##_table, G_N_ELEMENTS(name##_table), str); }
