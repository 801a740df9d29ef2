/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the fast path for reading mdevctl definitions.
 *
 * Almost every file in /etc/mdevctl.d is exactly what mdevctl 1.2.0 (or
 * virtccw) wrote for a definition without attributes:
 *
 *   {\n  "mdev_type": "<type>",\n  "start": "auto"|"manual",\n  "attrs": []\n}
 *
 * Recognising those bytes costs a few memcmp()s; the general reader
 * (strict validation, then json-c's tokener with its per-call locale
 * switch, then the conversion) costs about 1.7 us per file, a quarter of
 * a definitions listing. Anything else, including a type that needs an
 * escape or is not ASCII, goes to the general reader, which gives the
 * same definition for these bytes (tests/fuzz/fuzz_mdevctl_json.c checks
 * that on every input).
 */
#include "mdevctl_canonical.h"
#include "vccw_host.h"

#include <limits.h>
#include <string.h>

static const char canon_head[] = "{\n  \"mdev_type\": \"";
static const char canon_start[] = "\",\n  \"start\": \"";
static const char canon_tail[] = "\",\n  \"attrs\": []\n}";

/* The start values mdevctl writes, with what they mean. */
static const struct {
    const char *text;
    VccwMdevStart start;
} canon_starts[] = {
    { "auto", VCCW_MDEV_START_AUTO },
    { "manual", VCCW_MDEV_START_MANUAL },
};

#define LITERAL_LEN(s) (sizeof(s) - 1)

/* Characters of a type that need neither an escape nor UTF-8 decoding;
 * '/' is left to the general reader's file-name check. */
static bool
canon_type_char_ok(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/';
}

VccwMdevctlDef *
vccw_mdevctl_def_from_canonical(const char *json, size_t len, const char *parent,
                                const unsigned char *uuid)
{
    g_autoptr(VccwMdevctlDef) def = NULL;
    const char *p = json;
    const char *end = json + len;
    const char *type;
    size_t type_len;

    if (!json || len < LITERAL_LEN(canon_head) + LITERAL_LEN(canon_start) +
                       LITERAL_LEN(canon_tail) + 1)
        return NULL;
    if (memcmp(p, canon_head, LITERAL_LEN(canon_head)) != 0)
        return NULL;
    p += LITERAL_LEN(canon_head);
    type = p;
    while (p < end && canon_type_char_ok((unsigned char)*p))
        p++;
    type_len = (size_t)(p - type);
    if (type_len == 0 || type_len > NAME_MAX ||
        (size_t)(end - p) < LITERAL_LEN(canon_start) ||
        memcmp(p, canon_start, LITERAL_LEN(canon_start)) != 0)
        return NULL;
    p += LITERAL_LEN(canon_start);

    def = vccw_mdevctl_def_new();
    for (size_t i = 0; i < G_N_ELEMENTS(canon_starts); i++) {
        size_t n = strlen(canon_starts[i].text);

        if ((size_t)(end - p) == n + LITERAL_LEN(canon_tail) &&
            memcmp(p, canon_starts[i].text, n) == 0 &&
            memcmp(p + n, canon_tail, LITERAL_LEN(canon_tail)) == 0) {
            def->mdev_type = g_strndup(type, type_len);
            def->start = canon_starts[i].start;
            break;
        }
    }
    if (!def->mdev_type || !vccw_path_component_is_safe(def->mdev_type))
        return NULL;
    def->parent = g_strdup(parent);
    if (uuid)
        memcpy(def->uuid, uuid, VCCW_UUID_BUFLEN);
    return g_steal_pointer(&def);
}

bool
vccw_mdevctl_canonical_agrees(const char *json, size_t len)
{
    static const unsigned char uuid[VCCW_UUID_BUFLEN] = { 0xd0, 0x69 };
    g_autoptr(VccwMdevctlDef) fast = vccw_mdevctl_def_from_canonical(json, len, "0.0.0052",
                                                                    uuid);
    g_autoptr(VccwMdevctlDef) general = NULL;

    if (!fast)
        return true;
    general = vccw_mdevctl_def_from_json_general(json, len, "0.0.0052", uuid, NULL);
    return general && vccw_mdevctl_def_equal(fast, general);
}
