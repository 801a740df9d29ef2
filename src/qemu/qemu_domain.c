/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qemu_domain.h"
#include "qemu_ccw_hostdev.h"
#include "qemu_release.h"
#include "domain_addr.h"
#include "domain_parse.h"
#include "domain_postparse.h"
#include "domain_schema.h"
#include "domain_validate.h"
#include "vccw_error.h"

#include <stdbool.h>

VccwDomainDef *
vccw_domain_load_parse_only(const char *xml, size_t len, const char *url, GError **err)
{
    xmlDocPtr doc = vccw_domain_xml_read(xml, len, url, err);
    g_autoptr(GError) schema_err = NULL;
    VccwDomainDef *def;

    if (!doc)
        return NULL;
    /* The schema is checked first. When it refuses the document, the
     * parser still runs: libvirt users expect libvirt's precise message
     * for a bad value, and only when the parser has nothing to say is
     * the schema's complaint reported. */
    vccw_domain_schema_validate(doc, &schema_err);
    def = vccw_domain_def_parse_node(xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (def && schema_err) {
        g_propagate_error(err, g_steal_pointer(&schema_err));
        g_clear_pointer(&def, vccw_domain_def_free);
    }
    return def;
}

/* libvirt's qemuValidateDomainDeviceDefAddress for CCW on other machines */
static bool
validate_ccw_on_machine(const VccwDomainDef *def, GError **err)
{
    if (vccw_domain_is_s390_ccw(def))
        return true;
    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        for (guint i = 0; i < def->devs[c]->len; i++) {
            const VccwDevice *dev = vccw_domain_dev(def, c, i);
            if (dev->info.addr.type == VCCW_ADDR_CCW &&
                vccw_qemu_behaviour()->ccw_addr_error_names_machine) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "CCW addresses are not supported by machine type '%s'",
                               def->machine);
                return false;
            }
            if (dev->info.addr.type == VCCW_ADDR_CCW) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "cannot use CCW address type for device '%s' using machine type '%s'",
                               dev->info.alias ? dev->info.alias : "<null>",
                               def->machine);
                return false;
            }
        }
    }
    return true;
}

static bool
resolve_machine(VccwDomainDef *def, const VccwQemuCaps *caps, GError **err)
{
    const char *canon;

    if (!def->machine) {
        const char *dflt = vccw_qemu_caps_machine_default(caps);
        if (!dflt) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "no machine type given and emulator '%s' has no default machine",
                           def->emulator);
            return false;
        }
        def->machine = g_strdup(dflt);
    }
    if ((canon = vccw_qemu_caps_machine_canonical(caps, def->machine)) &&
        !g_str_equal(canon, def->machine)) {
        g_free(def->machine);
        def->machine = g_strdup(canon);
    }
    return true;
}

static bool
validate_for_qemu(const VccwDomainDef *def, const VccwQemuCaps *caps, GError **err)
{
    if (!vccw_qemu_caps_machine_canonical(caps, def->machine)) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "Emulator '%s' does not support machine type '%s'",
                       def->emulator, def->machine);
        return false;
    }
    if (!validate_ccw_on_machine(def, err))
        return false;
    for (guint i = 0; i < vccw_domain_ndevs(def, VCCW_DEV_HOSTDEV); i++) {
        if (!vccw_qemu_hostdev_validate(vccw_domain_dev(def, VCCW_DEV_HOSTDEV, i), caps, err))
            return false;
    }
    return true;
}

VccwDomainDef *
vccw_qemu_domain_load(const char *xml, size_t len, const char *url,
                      const VccwQemuCaps *caps, GError **err)
{
    g_autoptr(VccwDomainDef) def = vccw_domain_load_parse_only(xml, len, url, err);

    if (!def)
        return NULL;
    if (!def->emulator)
        def->emulator = g_strdup(vccw_qemu_caps_binary(caps));
    if (!def->arch)
        def->arch = g_strdup(vccw_qemu_caps_arch(caps));
    if (!vccw_domain_def_validate_parsed(def, err) ||
        !resolve_machine(def, caps, err) ||
        !vccw_domain_def_postparse(def, err))
        return NULL;
    if (vccw_domain_is_s390_ccw(def) && !vccw_domain_assign_ccw_addresses(def, err))
        return NULL;
    if (!vccw_domain_def_validate(def, err) || !validate_for_qemu(def, caps, err))
        return NULL;
    return g_steal_pointer(&def);
}
