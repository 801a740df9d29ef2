/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: g_autoptr(json_object) for every user of json-c in the tree.
 *
 * json-c has no cleanup function of its own; it is defined once, here
 * (header only: src/util itself does not link json-c, its includers do).
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

#ifndef VCCW_JSON_AUTOPTR_DEFINED
# define VCCW_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif
