/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: the libvirt release followed, and its XML behaviours. */
#include "libvirt_release.h"
#include "vccw_error.h"

#include <stdio.h>

VCCW_ENUM_IMPL(vccw_libvirt_release, VCCW_LIBVIRT_LAST, "9.0", "11.3")

/* MAJOR, MINOR of each release, for mapping other versions onto them. */
static const unsigned int release_version[VCCW_LIBVIRT_LAST][2] = {
    [VCCW_LIBVIRT_9_0] = { 9, 0 },
    [VCCW_LIBVIRT_11_3] = { 11, 3 },
};

static const VccwConfBehaviour conf_behaviour[VCCW_LIBVIRT_LAST] = {
    [VCCW_LIBVIRT_9_0] = {
        .hostdev_caps_type_enum = false,
        .ccw_list_offline = false,
    },
    [VCCW_LIBVIRT_11_3] = {
        .hostdev_caps_type_enum = true,
        .ccw_list_offline = true,
    },
};

static VccwLibvirtRelease current = VCCW_LIBVIRT_RELEASE_DEFAULT;

void
vccw_libvirt_release_set(VccwLibvirtRelease rel)
{
    g_return_if_fail(rel < VCCW_LIBVIRT_LAST);
    current = rel;
}

VccwLibvirtRelease
vccw_libvirt_release_get(void)
{
    return current;
}

VccwLibvirtRelease
vccw_libvirt_release_for_version(unsigned int major, unsigned int minor)
{
    VccwLibvirtRelease best = 0;

    for (int r = 0; r < VCCW_LIBVIRT_LAST; r++) {
        const unsigned int *v = release_version[r];
        if (major > v[0] || (major == v[0] && minor >= v[1]))
            best = r;
    }
    return best;
}

VccwLibvirtRelease
vccw_libvirt_release_nodedev_api(void)
{
    return vccw_libvirt_release_for_version(VCCW_LIBVIRT_NODEDEV_API_VERSION / 1000000,
                                            VCCW_LIBVIRT_NODEDEV_API_VERSION / 1000 % 1000);
}

int
vccw_libvirt_release_parse(const char *str)
{
    unsigned int major, minor, micro;
    int end = 0;
    int rel;

    if (!str)
        return -1;
    /* sscanf's %u would take signs and blanks */
    for (const char *p = str; *p; p++) {
        if (!g_ascii_isdigit(*p) && *p != '.')
            return -1;
    }
    if ((rel = vccw_libvirt_release_from_string(str)) >= 0)
        return rel;
    if (sscanf(str, "%u.%u%n", &major, &minor, &end) == 2 && str[end] == '\0')
        return vccw_libvirt_release_for_version(major, minor);
    end = 0;
    if (sscanf(str, "%u.%u.%u%n", &major, &minor, &micro, &end) == 3 && str[end] == '\0')
        return vccw_libvirt_release_for_version(major, minor);
    return -1;
}

const VccwConfBehaviour *
vccw_conf_behaviour(void)
{
    return &conf_behaviour[current];
}

bool
vccw_libvirt_release_asked(const char *option, int *rel, GError **err)
{
    const char *env = g_getenv("VIRTCCW_LIBVIRT_VERSION");
    const char *given = option ? option : (env && *env ? env : NULL);

    *rel = -1;
    if (!given)
        return true;
    if ((*rel = vccw_libvirt_release_parse(given)) < 0) {
        vccw_error_set(err, VCCW_ERR_ARGUMENT,
                       "unknown libvirt version '%s'%s (expected MAJOR.MINOR, e.g. 9.0 or 11.3)",
                       given, option ? "" : " in VIRTCCW_LIBVIRT_VERSION");
        return false;
    }
    return true;
}
