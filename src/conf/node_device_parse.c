/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: node-device XML in. Parsing follows libvirt's rules and error
 * texts for nodedev-create / nodedev-define and for whole dumpxml
 * documents, and refuses by name every element, attribute and capability
 * we do not model.
 */
#include "node_device_conf.h"
#include "vccw_error.h"
#include "vccw_number.h"
#include "vccw_xml.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>

/* Bound on the size of a node-device document: real ones are well
 * under 4 KiB, even a css device with every mdev type. */
#define VCCW_NODEDEV_XML_MAX (1024 * 1024)

/* libvirt's name for the document when it was given as a string. */
#define VCCW_NODEDEV_XML_URL "(node_device_definition)"

/* libvirt's "name" of a device being created or defined. */
#define NEW_DEVICE_NAME "new device"

/* libvirt's capability types (virNodeDevCap), in its enum order: the
 * index appears in one of its error texts. 9.0 ends at "vpd"; 11.1 adds
 * the last two. */
static const char *const libvirt_cap_types[] = {
    "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target",
    "scsi", "storage", "fc_host", "vports", "scsi_generic", "drm",
    "mdev_types", "mdev", "ccw", "css", "vdpa", "ap_card", "ap_queue",
    "ap_matrix", "vpd", "ccwgroup", "ccwgroup_member",
};

/* ------------------------------------------------------------------ */
/* Reading the document, with libvirt's error text for malformed XML */

typedef struct {
    char *message;      /* first fatal error, formatted like libvirt */
} ReadState;

/* libvirt's catchXMLError: "FILE:LINE: MESSAGE" followed by the line
 * of the input where the parser stopped and a pointer to the column. */
static void
read_error(void *data, xmlErrorPtr error)
{
    xmlParserCtxtPtr ctxt = data;
    ReadState *state = ctxt->_private;
    const xmlChar *cur, *base;
    g_autoptr(GString) context = NULL;
    g_autoptr(GString) pointer = NULL;
    size_t col;

    if (!state || state->message || !error || error->level != XML_ERR_FATAL ||
        !error->message || !ctxt->input || !ctxt->input->cur || !ctxt->input->base)
        return;

    cur = ctxt->input->cur;
    base = ctxt->input->base;
    while (cur > base && (*cur == '\n' || *cur == '\r'))
        cur--;
    while (cur > base && *cur != '\n' && *cur != '\r')
        cur--;
    if (*cur == '\n' || *cur == '\r')
        cur++;
    col = (size_t)(ctxt->input->cur - cur);

    context = g_string_new(NULL);
    while (*cur && *cur != '\n' && *cur != '\r' &&
           (!ctxt->input->end || cur < ctxt->input->end))
        g_string_append_c(context, (char)*cur++);
    pointer = g_string_new(NULL);
    for (size_t n = 0; n < col && n < context->len; n++)
        g_string_append_c(pointer, context->str[n] == '\t' ? '\t' : '-');
    g_string_append_c(pointer, '^');

    state->message = g_strdup_printf("%s:%d: %s%s\n%s",
                                     error->file ? error->file : VCCW_NODEDEV_XML_URL,
                                     xmlSAX2GetLineNumber(ctxt), error->message,
                                     context->str, pointer->str);
}

static xmlDocPtr
read_document(const char *xml, size_t len, const char *url, GError **err)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    ReadState state = { NULL };

    if (!xml) {
        vccw_error_set(err, VCCW_ERR_XML, "failed to parse xml document '%s'", url);
        return NULL;
    }
    if (len > VCCW_NODEDEV_XML_MAX) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "%s: node device XML is larger than %d bytes", url,
                       VCCW_NODEDEV_XML_MAX);
        return NULL;
    }
    if (!(ctxt = xmlNewParserCtxt())) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "%s", "cannot create an XML parser");
        return NULL;
    }
    ctxt->_private = &state;
    ctxt->sax->serror = read_error;
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, url, NULL, XML_PARSE_NONET);
    xmlFreeParserCtxt(ctxt);

    if (!doc) {
        if (state.message)
            g_set_error_literal(err, VCCW_ERROR, VCCW_ERR_XML, state.message);
        else
            vccw_error_set(err, VCCW_ERR_XML, "failed to parse xml document '%s'", url);
        g_free(state.message);
        return NULL;
    }
    g_free(state.message);
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        vccw_error_set(err, VCCW_ERR_XML, "failed to parse xml document '%s'", url);
        return NULL;
    }
    return doc;
}

/* ------------------------------------------------------------------ */
/* Parsing */

typedef struct {
    VccwNodeDevParseMode mode;
    const char *devname;      /* libvirt's name in messages */
} ParseCtx;

static const char *const no_names[] = { NULL };

/* Element children (or attributes) we do not model are refused by name;
 * so are repeated elements that may appear once. */
static bool
check_element(xmlNodePtr node, const char *const *children, const char *const *attrs,
              const char *const *singletons, GError **err)
{
    if (!vccw_xml_check_attrs(node, attrs ? attrs : no_names, err) ||
        !vccw_xml_check_children(node, children ? children : no_names, err))
        return false;
    for (size_t i = 0; singletons && singletons[i]; i++) {
        unsigned int seen = 0;

        VCCW_XML_FOREACH_CHILD(node, cur) {
            if (xmlStrEqual(cur->name, (const xmlChar *)singletons[i]) && ++seen > 1) {
                vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                               "element <%s> in <%s> (line %ld) may appear only once",
                               singletons[i], (const char *)node->name,
                               (long)xmlGetLineNo(cur));
                return false;
            }
        }
    }
    return true;
}

/* A leaf element: no attributes, no element children. */
static bool
check_leaf(xmlNodePtr node, GError **err)
{
    return check_element(node, NULL, NULL, NULL, err);
}

/* libvirt's virXPathString("string(./NAME[1])"): the text of the first
 * NAME child, NULL when there is none or it is empty. *@node_out gets
 * the element (NULL when absent). */
static char *
child_text(xmlNodePtr parent, const char *name, xmlNodePtr *node_out, GError **err,
           bool *failed)
{
    xmlNodePtr node = vccw_xml_child(parent, name);
    char *text;

    *failed = false;
    if (node_out)
        *node_out = node;
    if (!node)
        return NULL;
    if (!check_leaf(node, err)) {
        *failed = true;
        return NULL;
    }
    text = vccw_xml_text(node);
    if (*text == '\0') {
        g_free(text);
        return NULL;
    }
    return text;
}

/* An attribute value, NULL when absent or empty (libvirt's XPath view). */
static char *
prop_nonempty(xmlNodePtr node, const char *name)
{
    char *val = vccw_xml_prop(node, name);

    if (val && *val == '\0') {
        g_free(val);
        return NULL;
    }
    return val;
}

/* <cssid>, <ssid>, <devno> as libvirt's virNodeDevCCWDeviceAddressParseXML
 * reads them (cssid and ssid as C integers, devno as hex), plus the
 * ranges of libvirt's schema, which its parser does not check. The
 * caller has checked which children @node may have. */
static bool
parse_ccw_fields(xmlNodePtr node, const ParseCtx *pc, VccwCcwId *id, GError **err)
{
    static const char *const fields[] = { "cssid", "ssid", "devno" };
    static const unsigned int max[] = { 0xfe, 3, 0xffff };
    static const int base[] = { 0, 0, 16 };
    unsigned int *out[] = { &id->cssid, &id->ssid, &id->devno };

    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        bool failed;
        g_autofree char *text = child_text(node, fields[i], NULL, err, &failed);
        unsigned int val;

        if (failed)
            return false;
        if (!text) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "missing %s value for '%s'", fields[i], pc->devname);
            return false;
        }
        if (!vccw_parse_uint(text, base[i], &val) || val > max[i]) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "invalid %s value '%s' for '%s'", fields[i], text, pc->devname);
            return false;
        }
        *out[i] = val;
    }
    return true;
}

static const char *const ccw_fields[] = { "cssid", "ssid", "devno", NULL };
static const char *const type_attr[] = { "type", NULL };

/* Nested capabilities we do not model (libvirt has only mdev_types for
 * css and, since 11.1, ccwgroup_member for ccw). */
static bool
refuse_nested_capability(xmlNodePtr cur, const char *outer, GError **err)
{
    g_autofree char *type = vccw_xml_prop(cur, "type");

    if (!type) {
        vccw_error_set(err, VCCW_ERR_XML, "%s", "Missing capability type");
        return false;
    }
    vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                   "capability type '%s' in <capability type='%s'> (line %ld) is not supported by virtccw",
                   type, outer, (long)xmlGetLineNo(cur));
    return false;
}

/* <state> of a ccw or ccwgroup device (libvirt 11.1+); absent: unknown. */
static bool
parse_ccw_state(xmlNodePtr node, const ParseCtx *pc, VccwCcwState *state, GError **err)
{
    bool failed;
    g_autofree char *text = child_text(node, "state", NULL, err, &failed);
    int val;

    *state = VCCW_CCW_STATE_LAST;
    if (failed)
        return false;
    if (!text)
        return true;
    if ((val = vccw_ccw_state_from_string(text)) < 0) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "unknown state '%s' for '%s'",
                       text, pc->devname);
        return false;
    }
    *state = (VccwCcwState)val;
    return true;
}

static bool
parse_ccw(xmlNodePtr node, const ParseCtx *pc, VccwNodeDevDef *def, GError **err)
{
    static const char *const children[] = {
        "state", "cssid", "ssid", "devno", "capability", NULL
    };
    static const char *const member_children[] = { "group_device", NULL };
    g_autofree char *type = NULL;
    xmlNodePtr cap;
    bool failed;

    /* libvirt's order: the state, the address, nested capabilities */
    if (!check_element(node, children, type_attr, children, err) ||
        !parse_ccw_state(node, pc, &def->ccw_state, err) ||
        !parse_ccw_fields(node, pc, &def->id, err))
        return false;
    if (!(cap = vccw_xml_child(node, "capability")))
        return true;
    type = vccw_xml_prop(cap, "type");
    if (!type || !g_str_equal(type, "ccwgroup_member"))
        return refuse_nested_capability(cap, "ccw", err);
    if (!check_element(cap, member_children, type_attr, member_children, err))
        return false;
    def->group_device = child_text(cap, "group_device", NULL, err, &failed);
    if (failed)
        return false;
    if (!def->group_device) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "missing group_device value for '%s'",
                       pc->devname);
        return false;
    }
    return true;
}

/* <members> of a ccwgroup device. */
static bool
parse_ccwgroup_members(xmlNodePtr node, const ParseCtx *pc, GPtrArray *members, GError **err)
{
    static const char *const children[] = { "ccw_device", NULL };
    static const char *const attrs[] = { "ref", NULL };

    if (!check_element(node, children, NULL, NULL, err))
        return false;
    VCCW_XML_FOREACH_CHILD(node, cur) {
        g_autofree char *ref = NULL;
        g_autofree char *device = NULL;

        if (!check_element(cur, NULL, attrs, NULL, err))
            return false;
        if (!(ref = vccw_xml_prop(cur, "ref"))) {
            vccw_error_set(err, VCCW_ERR_XML,
                           "Missing ref property on ccw_device in members for '%s'",
                           pc->devname);
            return false;
        }
        device = vccw_xml_text(cur);
        if (*device == '\0') {
            /* libvirt keeps an empty name; a member without one names nothing */
            vccw_error_set(err, VCCW_ERR_XML,
                           "Missing data in ccw_device with ref '%s' in members for '%s'",
                           ref, pc->devname);
            return false;
        }
        g_ptr_array_add(members, vccw_ccwgroup_member_new(ref, device));
    }
    return true;
}

static bool
parse_ccwgroup(xmlNodePtr node, const ParseCtx *pc, VccwNodeDevDef *def, GError **err)
{
    static const char *const children[] = {
        "state", "cssid", "ssid", "devno", "members", "capability", NULL
    };
    static const char *const qeth_children[] = { "card_type", "chpid", NULL };
    xmlNodePtr members, cap;
    bool failed;
    int val;

    if (!check_element(node, children, type_attr, children, err) ||
        !parse_ccw_state(node, pc, &def->ccw_state, err) ||
        !parse_ccw_fields(node, pc, &def->id, err))
        return false;
    if ((members = vccw_xml_child(node, "members")) &&
        !parse_ccwgroup_members(members, pc, def->members, err))
        return false;
    if (!(cap = vccw_xml_child(node, "capability"))) {
        /* libvirt would print it as a qeth_generic group of "(null)" */
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "ccwgroup device '%s' has no <capability> (qeth_generic, qeth_layer2, qeth_layer3)",
                       pc->devname);
        return false;
    }
    if (vccw_xml_prop_enum(cap, "type", vccw_ccwgroup_type_from_string,
                           VCCW_XML_PROP_REQUIRED, &val, err) < 0)
        return false;
    def->group_type = (VccwCcwGroupType)val;
    if (!check_element(cap, qeth_children, type_attr, qeth_children, err))
        return false;
    def->card_type = child_text(cap, "card_type", NULL, err, &failed);
    if (failed)
        return false;
    def->chpid = child_text(cap, "chpid", NULL, err, &failed);
    return !failed;
}

/* <capability type='mdev_types'> inside a css capability. */
static bool
parse_mdev_types(xmlNodePtr node, GPtrArray *types, GError **err)
{
    static const char *const children[] = { "type", NULL };
    static const char *const type_children[] = { "name", "deviceAPI", "availableInstances", NULL };
    static const char *const type_attrs[] = { "id", NULL };

    if (!check_element(node, children, type_attr, NULL, err))
        return false;

    VCCW_XML_FOREACH_CHILD(node, cur) {
        g_autofree char *id = NULL;
        g_autofree char *api = NULL;
        g_autofree char *avail = NULL;
        g_autofree char *name = NULL;
        unsigned int available;
        bool failed;

        if (!check_element(cur, type_children, type_attrs, type_children, err))
            return false;
        if (!(id = prop_nonempty(cur, "id"))) {
            vccw_error_set(err, VCCW_ERR_XML, "%s",
                           "missing 'id' attribute for mediated device's <type> element");
            return false;
        }
        if (!(api = child_text(cur, "deviceAPI", NULL, err, &failed))) {
            if (!failed)
                vccw_error_set(err, VCCW_ERR_XML,
                               "missing device API for mediated device type '%s'", id);
            return false;
        }
        avail = child_text(cur, "availableInstances", NULL, err, &failed);
        if (failed)
            return false;
        if (!avail || !vccw_parse_uint(avail, 10, &available)) {
            vccw_error_set(err, VCCW_ERR_XML,
                           "missing number of available instances for mediated device type '%s'",
                           id);
            return false;
        }
        name = child_text(cur, "name", NULL, err, &failed);
        if (failed)
            return false;
        g_ptr_array_add(types, vccw_mdev_type_new(id, name, api, available));
    }
    return true;
}

static bool
parse_css(xmlNodePtr node, const ParseCtx *pc, VccwNodeDevDef *def, GError **err)
{
    static const char *const children[] = {
        "cssid", "ssid", "devno", "channel_dev_addr", "capability", NULL
    };
    static const char *const singletons[] = {
        "cssid", "ssid", "devno", "channel_dev_addr", NULL
    };
    xmlNodePtr chan;

    if (!check_element(node, children, type_attr, singletons, err))
        return false;
    /* libvirt's order: the address, nested capabilities, channel_dev_addr */
    if (!parse_ccw_fields(node, pc, &def->id, err))
        return false;

    VCCW_XML_FOREACH_CHILD(node, cur) {
        g_autofree char *type = NULL;

        if (!xmlStrEqual(cur->name, (const xmlChar *)"capability"))
            continue;
        type = vccw_xml_prop(cur, "type");
        if (!type || !g_str_equal(type, "mdev_types"))
            return refuse_nested_capability(cur, "css", err);
        if (!parse_mdev_types(cur, def->mdev_types, err))
            return false;
    }

    if ((chan = vccw_xml_child(node, "channel_dev_addr"))) {
        if (!check_element(chan, ccw_fields, NULL, ccw_fields, err) ||
            !parse_ccw_fields(chan, pc, &def->channel_dev_addr, err))
            return false;
        def->has_channel_dev_addr = true;
    }
    return true;
}

static bool
parse_system(xmlNodePtr node, const ParseCtx *pc, VccwNodeDevDef *def, GError **err)
{
    static const char *const children[] = { "hardware", "firmware", NULL };
    static const char *const hardware_children[] = { "uuid", NULL };
    xmlNodePtr hardware, firmware;
    g_autofree char *uuid = NULL;
    bool failed = false;

    if (!check_element(node, children, type_attr, children, err))
        return false;
    if ((hardware = vccw_xml_child(node, "hardware"))) {
        if (!check_element(hardware, hardware_children, NULL, hardware_children, err))
            return false;
        uuid = child_text(hardware, "uuid", NULL, err, &failed);
        if (failed)
            return false;
    }
    if (!uuid) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "no system UUID supplied for '%s'", pc->devname);
        return false;
    }
    if (!vccw_uuid_parse(uuid, def->uuid)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "malformed uuid element for '%s'", pc->devname);
        return false;
    }
    def->has_uuid = true;
    if ((firmware = vccw_xml_child(node, "firmware")) && !check_leaf(firmware, err))
        return false;
    return true;
}

static bool
parse_mdev(xmlNodePtr node, const ParseCtx *pc, VccwNodeDevDef *def, GError **err)
{
    static const char *const children[] = {
        "type", "uuid", "start", "parent_addr", "iommuGroup", "attr", NULL
    };
    static const char *const singletons[] = {
        "type", "uuid", "start", "parent_addr", "iommuGroup", NULL
    };
    xmlNodePtr type, start, group;
    g_autofree char *uuid = NULL;
    bool failed;

    if (!check_element(node, children, type_attr, singletons, err))
        return false;

    if ((type = vccw_xml_child(node, "type")) &&
        !check_element(type, NULL, (const char *const[]){ "id", NULL }, NULL, err))
        return false;
    if (!type || !(def->mdev_type = prop_nonempty(type, "id"))) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "missing type id attribute for '%s'", pc->devname);
        return false;
    }

    uuid = child_text(node, "uuid", NULL, err, &failed);
    if (failed)
        return false;
    if (uuid) {
        if (!vccw_uuid_parse(uuid, def->uuid)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "Invalid uuid '%s' for new mdev device", uuid);
            return false;
        }
        def->has_uuid = true;
    }

    if ((group = vccw_xml_child(node, "iommuGroup"))) {
        g_autofree char *number = NULL;
        unsigned int val;

        if (!check_element(group, NULL, (const char *const[]){ "number", NULL }, NULL, err))
            return false;
        if ((number = prop_nonempty(group, "number")) &&
            (!vccw_parse_uint(number, 10, &val) || val > INT_MAX)) {
            vccw_error_set(err, VCCW_ERR_INTERNAL,
                           "invalid iommuGroup number attribute for '%s'", pc->devname);
            return false;
        }
        if (number)
            def->iommu_group = (int)val;
    }

    VCCW_XML_FOREACH_CHILD(node, cur) {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (!xmlStrEqual(cur->name, (const xmlChar *)"attr"))
            continue;
        if (!check_element(cur, NULL, (const char *const[]){ "name", "value", NULL }, NULL, err))
            return false;
        name = prop_nonempty(cur, "name");
        value = prop_nonempty(cur, "value");
        if (!name || !value) {
            /* libvirt 9.0 reports this and then goes on without the attr;
             * we refuse it rather than drop it silently */
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s",
                           "mdev attribute missing name or value");
            return false;
        }
        g_ptr_array_add(def->attrs, vccw_mdev_attr_new(name, value));
    }

    /* <start> is libvirt 10's; 9.0 ignores it. We read and check it. */
    if ((start = vccw_xml_child(node, "start"))) {
        int val;

        if (!check_element(start, NULL, (const char *const[]){ "type", NULL }, NULL, err))
            return false;
        if (vccw_xml_prop_enum(start, "type", vccw_mdev_start_from_string,
                               VCCW_XML_PROP_REQUIRED, &val, err) < 0)
            return false;
        def->start = (VccwMdevStart)val;
        if (pc->mode == VCCW_NODEDEV_PARSE_EXISTING)
            def->persistent = true;
    }

    def->parent_addr = child_text(node, "parent_addr", NULL, err, &failed);
    if (failed)
        return false;
    return true;
}

static VccwNodeDevDef *
parse_device(xmlNodePtr root, VccwNodeDevParseMode mode, GError **err)
{
    static const char *const children[] = {
        "name", "path", "parent", "driver", "capability", NULL
    };
    static const char *const singletons[] = { "name", "path", "parent", "driver", NULL };
    g_autoptr(VccwNodeDevDef) def = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    g_autofree char *parent = NULL;
    g_autofree char *driver = NULL;
    g_autofree char *captype = NULL;
    xmlNodePtr cap = NULL, node;
    ParseCtx pc = { mode, NEW_DEVICE_NAME };
    int libvirt_type;
    bool failed;
    bool ok;

    if (!xmlStrEqual(root->name, (const xmlChar *)"device")) {
        vccw_error_set(err, VCCW_ERR_XML, "expecting root element of 'device', not '%s'",
                       (const char *)root->name);
        return NULL;
    }
    if (!check_element(root, children, NULL, singletons, err))
        return NULL;

    name = child_text(root, "name", NULL, err, &failed);
    if (failed)
        return NULL;
    if (mode == VCCW_NODEDEV_PARSE_EXISTING) {
        if (!name) {
            g_set_error_literal(err, VCCW_ERROR, VCCW_ERR_NO_NAME, "missing name information");
            return NULL;
        }
        pc.devname = name;
    }
    path = child_text(root, "path", NULL, err, &failed);
    if (failed)
        return NULL;
    parent = child_text(root, "parent", NULL, err, &failed);
    if (failed)
        return NULL;
    if ((node = vccw_xml_child(root, "driver"))) {
        static const char *const driver_children[] = { "name", NULL };

        if (!check_element(node, driver_children, NULL, driver_children, err))
            return NULL;
        driver = child_text(node, "name", NULL, err, &failed);
        if (failed)
            return NULL;
    }

    VCCW_XML_FOREACH_CHILD(root, cur) {
        if (!xmlStrEqual(cur->name, (const xmlChar *)"capability"))
            continue;
        if (cap) {
            vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                           "a second <capability> in <device> (line %ld) is not supported by virtccw",
                           (long)xmlGetLineNo(cur));
            return NULL;
        }
        cap = cur;
    }
    if (!cap) {
        vccw_error_set(err, VCCW_ERR_INTERNAL, "no device capabilities for '%s'", pc.devname);
        return NULL;
    }
    if (!(captype = vccw_xml_prop(cap, "type"))) {
        vccw_error_set(err, VCCW_ERR_XML, "%s",
                       "Missing required attribute 'type' in element 'capability'");
        return NULL;
    }
    libvirt_type = vccw_enum_from_string(libvirt_cap_types, G_N_ELEMENTS(libvirt_cap_types),
                                         captype);
    if (libvirt_type < 0) {
        vccw_error_set(err, VCCW_ERR_XML,
                       "Invalid value for attribute 'type' in element 'capability': '%s'.",
                       captype);
        return NULL;
    }

    if (g_str_equal(captype, "system")) {
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_SYSTEM);
        ok = parse_system(cap, &pc, def, err);
    } else if (g_str_equal(captype, "css")) {
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CSS);
        ok = parse_css(cap, &pc, def, err);
    } else if (g_str_equal(captype, "ccw")) {
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CCW);
        ok = parse_ccw(cap, &pc, def, err);
    } else if (g_str_equal(captype, "mdev")) {
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_MDEV);
        ok = parse_mdev(cap, &pc, def, err);
    } else if (g_str_equal(captype, "ccwgroup")) {
        def = vccw_nodedev_def_new(VCCW_NODEDEV_CAP_CCWGROUP);
        ok = parse_ccwgroup(cap, &pc, def, err);
    } else if (g_str_equal(captype, "mdev_types") || g_str_equal(captype, "fc_host") ||
               g_str_equal(captype, "ccwgroup_member") ||
               g_str_equal(captype, "vports") || g_str_equal(captype, "scsi_generic") ||
               g_str_equal(captype, "vdpa") || g_str_equal(captype, "vpd")) {
        /* libvirt knows these names but cannot parse them at top level */
        vccw_error_set(err, VCCW_ERR_INTERNAL, "unknown capability type '%d' for '%s'",
                       libvirt_type, pc.devname);
        return NULL;
    } else if (mode != VCCW_NODEDEV_PARSE_EXISTING) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", "Unsupported device type");
        return NULL;
    } else {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED,
                       "capability type '%s' (line %ld) is not supported by virtccw",
                       captype, (long)xmlGetLineNo(cap));
        return NULL;
    }
    if (!ok)
        return NULL;

    if (mode == VCCW_NODEDEV_PARSE_EXISTING) {
        def->name = g_steal_pointer(&name);
        def->sysfs_path = g_steal_pointer(&path);
        def->parent = g_steal_pointer(&parent);
        def->driver = g_steal_pointer(&driver);
        def->active = def->type != VCCW_NODEDEV_CAP_MDEV || def->sysfs_path != NULL;
        return g_steal_pointer(&def);
    }

    /* nodedev-create / nodedev-define: libvirt's validation, then its
     * driver's check of the device type; the name, path and driver the
     * user may have written are ignored, as libvirt does */
    if (def->type == VCCW_NODEDEV_CAP_MDEV && !parent) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", "missing parent device");
        return NULL;
    }
    if (def->type != VCCW_NODEDEV_CAP_MDEV) {
        vccw_error_set(err, VCCW_ERR_CONFIG_UNSUPPORTED, "%s", "Unsupported device type");
        return NULL;
    }
    def->parent = g_steal_pointer(&parent);
    def->persistent = mode == VCCW_NODEDEV_PARSE_DEFINE;
    def->active = false;
    return g_steal_pointer(&def);
}

VccwNodeDevDef *
vccw_nodedev_def_parse(const char *xml, size_t len, const char *url,
                       VccwNodeDevParseMode mode, GError **err)
{
    xmlDocPtr doc;
    VccwNodeDevDef *def;

    if (!url)
        url = VCCW_NODEDEV_XML_URL;
    if (!(doc = read_document(xml, len, url, err)))
        return NULL;
    def = parse_device(xmlDocGetRootElement(doc), mode, err);
    xmlFreeDoc(doc);
    return def;
}
