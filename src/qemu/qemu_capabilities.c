/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw: QEMU capabilities: the facts, the flags derived from them, and
 * their file (record, load).
 *
 * A VccwQemuCaps holds raw facts from QEMU (version, arch, machines,
 * device types, a few devices' properties, command-line options and the
 * answers to a handful of QAPI schema questions) plus boolean flags
 * derived from them. Only the facts are the truth: the flags are derived
 * again whenever facts are loaded, and a recorded file whose "flags" list
 * disagrees with the derivation is rejected, so a change to a rule shows
 * up as a failing test instead of stale data.
 *
 * Asking a QEMU binary for the facts (the probe process) and the cache of
 * its answers are qemu_capabilities_probe.c.
 */
#include "qemu_capabilities.h"
#include "qemu_capabilities_priv.h"

#include "qemu_qmp.h"
#include "vccw_enum.h"
#include "vccw_error.h"
#include "virtccw_config.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bump when the file layout or a derivation rule changes: cached files of
 * another format are probed again. */
#define VCCW_QEMU_CAPS_FORMAT 1

#define VCCW_QEMU_CAPS_MAX_FILE (8 * 1024 * 1024)

/* The names in the recorded file. Where libvirt 9.0 has the same flag its
 * own name is used (see /var/cache/libvirt/qemu/capabilities/ *.xml). */
VCCW_ENUM_IMPL(vccw_qemu_caps_flag, VCCW_QEMU_CAPS_LAST,
               "device.json+hotplug",
               "object.qapified",
               "audiodev.json",
               "blockdev",
               "machine.memory-backend",
               "accel",
               "netdev.json",
               "vfio-ccw",
               "virtio-ccw",
               "loadparm",
               "s390-sclp",
               "sclplmconsole")

/* ------------------------------------------------------------------ */
/* object life                                                         */

void
vccw_qemu_machine_free(VccwQemuMachine *m)
{
    g_free(m->name);
    g_free(m->alias);
    g_free(m->default_ram_id);
    g_free(m);
}

void
vccw_qemu_prop_free(VccwQemuProp *p)
{
    g_free(p->name);
    g_free(p->type);
    g_free(p);
}

VccwQemuCaps *
vccw_qemu_caps_new(const char *binary)
{
    VccwQemuCaps *caps = g_new0(VccwQemuCaps, 1);

    caps->binary = g_strdup(binary);
    caps->package = g_strdup("");
    caps->machines = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_qemu_machine_free);
    caps->devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    caps->device_props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)g_ptr_array_unref);
    caps->cmdline_opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    caps->schema = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return caps;
}

void
vccw_qemu_caps_free(VccwQemuCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->binary);
    g_free(caps->package);
    g_free(caps->arch);
    g_ptr_array_unref(caps->machines);
    g_hash_table_unref(caps->devices);
    g_hash_table_unref(caps->device_props);
    g_hash_table_unref(caps->cmdline_opts);
    g_hash_table_unref(caps->schema);
    g_free(caps);
}

/* ------------------------------------------------------------------ */
/* accessors                                                           */

const char *
vccw_qemu_caps_binary(const VccwQemuCaps *caps)
{
    return caps->binary;
}

const char *
vccw_qemu_caps_arch(const VccwQemuCaps *caps)
{
    return caps->arch;
}

unsigned int
vccw_qemu_caps_version(const VccwQemuCaps *caps)
{
    return caps->version;
}

const char *
vccw_qemu_caps_package(const VccwQemuCaps *caps)
{
    return caps->package;
}

bool
vccw_qemu_caps_from_cache(const VccwQemuCaps *caps)
{
    return caps->from_cache;
}

bool
vccw_qemu_caps_has(const VccwQemuCaps *caps, VccwQemuCapsFlag flag)
{
    if ((int)flag < 0 || flag >= VCCW_QEMU_CAPS_LAST)
        return false;
    return caps->flags[flag];
}

bool
vccw_qemu_caps_has_device(const VccwQemuCaps *caps, const char *type)
{
    return g_hash_table_contains(caps->devices, type);
}

bool
vccw_qemu_caps_device_has_prop(const VccwQemuCaps *caps, const char *type,
                               const char *prop)
{
    GPtrArray *props = g_hash_table_lookup(caps->device_props, type);

    for (guint i = 0; props && i < props->len; i++) {
        const VccwQemuProp *p = g_ptr_array_index(props, i);

        if (strcmp(p->name, prop) == 0)
            return true;
    }
    return false;
}

static const VccwQemuMachine *
vccw_qemu_caps_find_machine(const VccwQemuCaps *caps, const char *name)
{
    if (!name)
        return NULL;
    /* canonical names win over aliases, as in QEMU's own lookup */
    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (strcmp(m->name, name) == 0)
            return m;
    }
    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->alias && strcmp(m->alias, name) == 0)
            return m;
    }
    return NULL;
}

const char *
vccw_qemu_caps_machine_canonical(const VccwQemuCaps *caps, const char *name)
{
    const VccwQemuMachine *m = vccw_qemu_caps_find_machine(caps, name);

    return m ? m->name : NULL;
}

const char *
vccw_qemu_caps_machine_default(const VccwQemuCaps *caps)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->is_default)
            return m->name;
    }
    return NULL;
}

const char *
vccw_qemu_caps_machine_default_ram_id(const VccwQemuCaps *caps, const char *name)
{
    const VccwQemuMachine *m = vccw_qemu_caps_find_machine(caps, name);

    return m ? m->default_ram_id : NULL;
}

bool
vccw_qemu_caps_machine_is_deprecated(const VccwQemuCaps *caps, const char *name)
{
    const VccwQemuMachine *m = vccw_qemu_caps_find_machine(caps, name);

    return m && m->deprecated;
}

/* ------------------------------------------------------------------ */
/* derivation: one place, one rule per flag                            */

static bool
vccw_qemu_caps_schema_has(const VccwQemuCaps *caps, const char *query)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(caps->schema, query)) != 0;
}

static bool
vccw_qemu_caps_any_default_ram_id(const VccwQemuCaps *caps)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);

        /* "none" (the probe's own machine) has one too but runs no guest */
        if (m->default_ram_id && strcmp(m->name, "none") != 0)
            return true;
    }
    return false;
}

void
vccw_qemu_caps_derive(VccwQemuCaps *caps)
{
    bool *f = caps->flags;
    bool s390 = g_strcmp0(caps->arch, "s390x") == 0 ||
                g_strcmp0(caps->arch, "s390") == 0;

    memset(caps->flags, 0, sizeof(caps->flags));

    /* libvirt 9.0 virQEMUCapsQMPSchemaQueries: "device_add/$json-cli-hotplug"
     * sets QEMU_CAPS_DEVICE_JSON ("device.json+hotplug"); plain json-cli
     * (QEMU 6.2) is not enough because hot-unplug was broken there. */
    f[VCCW_QEMU_CAPS_DEVICE_JSON] = vccw_qemu_caps_schema_has(caps, VCCW_SCHEMA_DEVICE_JSON);

    /* libvirt 9.0: "object-add/arg-type/qom-type/^secret" sets
     * QEMU_CAPS_OBJECT_JSON (named "object.qapified"): -object was QAPIfied
     * in QEMU 6.0 together with the enum of object types. */
    f[VCCW_QEMU_CAPS_OBJECT_JSON] = vccw_qemu_caps_schema_has(caps, VCCW_SCHEMA_OBJECT_JSON);

    /* libvirt 9.0: "netdev_add/arg-type/+dgram" sets QEMU_CAPS_NETDEV_JSON;
     * JSON -netdev came in QEMU 7.2 together with the dgram backend. */
    f[VCCW_QEMU_CAPS_NETDEV_JSON] = vccw_qemu_caps_schema_has(caps, VCCW_SCHEMA_NETDEV_JSON);

    /* libvirt 9.0 has no flag: qemuBuildAudioCommandLineArg always writes
     * -audiodev as JSON because -audiodev was QAPI-parsed from its start
     * (QEMU 4.0) and libvirt 9.0 needs QEMU >= 4.2 anyway. We keep the flag
     * true exactly for the QEMUs that have -audiodev at all. */
    f[VCCW_QEMU_CAPS_AUDIODEV_JSON] = caps->version >= 4000000;

    /* libvirt <= 8.6 set QEMU_CAPS_BLOCKDEV from the schema feature
     * blockdev-add +file $dynamic-auto-read-only (QEMU 4.2) plus two
     * witnesses of the same release; libvirt 8.7 raised its minimum to
     * QEMU 4.2 and retired the flag, so 9.0 always uses -blockdev. Same
     * answer for every QEMU libvirt 9.0 accepts. */
    f[VCCW_QEMU_CAPS_BLOCKDEV] = caps->version >= 4002000 &&
                                 vccw_qemu_caps_schema_has(caps, VCCW_SCHEMA_BLOCKDEV);

    /* libvirt 9.0 has no flag either: qemuBuildMachineCommandLine adds
     * memory-backend=<default-ram-id> when query-machines reports a
     * default-ram-id for the machine (QEMU 5.2+) and the domain has no NUMA
     * nodes. The per-machine answer is vccw_qemu_caps_machine_default_ram_id;
     * this flag says whether any machine has one. */
    f[VCCW_QEMU_CAPS_MACHINE_MEMORY_BACKEND] = vccw_qemu_caps_any_default_ram_id(caps);

    /* libvirt 9.0 emits "-accel <type>" unconditionally (qemuBuildAccel-
     * CommandLine) since every QEMU it supports has the option. We check
     * the option really exists: query-command-line-options lists "accel". */
    f[VCCW_QEMU_CAPS_ACCEL_OPTION] = g_hash_table_contains(caps->cmdline_opts, "accel");

    /* libvirt 9.0 virQEMUCapsObjectTypes: a device type present in
     * qom-list-types sets the flag. (libvirt <= 8.x also required the
     * virtual-css-bridge property cssid-unrestricted, QEMU 2.12+; that
     * check was retired with the minimum version bump.) */
    f[VCCW_QEMU_CAPS_DEVICE_VFIO_CCW] = vccw_qemu_caps_has_device(caps, "vfio-ccw");
    f[VCCW_QEMU_CAPS_VIRTIO_CCW] = vccw_qemu_caps_has_device(caps, "virtio-blk-ccw");
    f[VCCW_QEMU_CAPS_DEVICE_SCLPCONSOLE] = vccw_qemu_caps_has_device(caps, "sclpconsole");
    f[VCCW_QEMU_CAPS_DEVICE_SCLPLMCONSOLE] = vccw_qemu_caps_has_device(caps, "sclplmconsole");

    /* libvirt 9.0 virQEMUCapsInitQMPBasicArch: set for every s390 QEMU. */
    f[VCCW_QEMU_CAPS_LOADPARM] = s390;
}

/* ------------------------------------------------------------------ */
/* the file                                                            */

static int
vccw_strptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set of strings as a sorted JSON array, for stable files. */
static json_object *
vccw_json_string_set(GHashTable *set)
{
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(set, &n);
    json_object *arr = json_object_new_array();

    qsort(keys, n, sizeof(*keys), vccw_strptr_cmp);
    for (guint i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(keys[i]));
    return arr;
}

static json_object *
vccw_qemu_caps_to_json(const VccwQemuCaps *caps)
{
    json_object *root = json_object_new_object();
    json_object *st = json_object_new_object();
    json_object *ver = json_object_new_object();
    json_object *flags = json_object_new_array();
    json_object *machines = json_object_new_array();
    json_object *props = json_object_new_object();
    json_object *schema = json_object_new_object();
    guint nq = 0;
    g_autofree gpointer *queries = g_hash_table_get_keys_as_array(caps->schema, &nq);

    json_object_object_add(root, "format", json_object_new_int(VCCW_QEMU_CAPS_FORMAT));
    json_object_object_add(root, "virtccw-version", json_object_new_string(VIRTCCW_VERSION));
    json_object_object_add(root, "binary", json_object_new_string(caps->binary));

    json_object_object_add(st, "size", json_object_new_int64(caps->stat.size));
    json_object_object_add(st, "mtime", json_object_new_int64(caps->stat.mtime));
    json_object_object_add(st, "mtime-nsec", json_object_new_int64(caps->stat.mtime_nsec));
    json_object_object_add(st, "ctime", json_object_new_int64(caps->stat.ctime));
    json_object_object_add(st, "ctime-nsec", json_object_new_int64(caps->stat.ctime_nsec));
    json_object_object_add(st, "inode", json_object_new_int64(caps->stat.inode));
    json_object_object_add(root, "binary-stat", st);

    json_object_object_add(ver, "major", json_object_new_int((int)(caps->version / 1000000)));
    json_object_object_add(ver, "minor", json_object_new_int((int)(caps->version / 1000 % 1000)));
    json_object_object_add(ver, "micro", json_object_new_int((int)(caps->version % 1000)));
    json_object_object_add(ver, "package", json_object_new_string(caps->package));
    json_object_object_add(root, "version", ver);
    json_object_object_add(root, "arch", json_object_new_string(caps->arch));

    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++) {
        if (caps->flags[f])
            json_object_array_add(flags, json_object_new_string(vccw_qemu_caps_flag_to_string(f)));
    }
    json_object_object_add(root, "flags", flags);

    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(m->name));
        if (m->alias)
            json_object_object_add(o, "alias", json_object_new_string(m->alias));
        json_object_object_add(o, "default", json_object_new_boolean(m->is_default));
        json_object_object_add(o, "deprecated", json_object_new_boolean(m->deprecated));
        if (m->default_ram_id)
            json_object_object_add(o, "default-ram-id",
                                   json_object_new_string(m->default_ram_id));
        json_object_object_add(o, "cpu-max", json_object_new_int64(m->cpu_max));
        json_object_array_add(machines, o);
    }
    json_object_object_add(root, "machines", machines);
    json_object_object_add(root, "devices", vccw_json_string_set(caps->devices));

    {
        guint nt = 0;
        g_autofree gpointer *types = g_hash_table_get_keys_as_array(caps->device_props, &nt);

        qsort(types, nt, sizeof(*types), vccw_strptr_cmp);
        for (guint t = 0; t < nt; t++) {
            GPtrArray *list = g_hash_table_lookup(caps->device_props, types[t]);
            json_object *arr = json_object_new_array();

            for (guint i = 0; i < list->len; i++) {
                const VccwQemuProp *p = g_ptr_array_index(list, i);
                json_object *o = json_object_new_object();

                json_object_object_add(o, "name", json_object_new_string(p->name));
                json_object_object_add(o, "type", json_object_new_string(p->type));
                json_object_array_add(arr, o);
            }
            json_object_object_add(props, types[t], arr);
        }
    }
    json_object_object_add(root, "device-props", props);
    json_object_object_add(root, "command-line-options",
                           vccw_json_string_set(caps->cmdline_opts));

    qsort(queries, nq, sizeof(*queries), vccw_strptr_cmp);
    for (guint i = 0; i < nq; i++) {
        bool yes = vccw_qemu_caps_schema_has(caps, queries[i]);

        json_object_object_add(schema, queries[i], json_object_new_boolean(yes));
    }
    json_object_object_add(root, "schema", schema);
    return root;
}

/* The file's layout is ours, not json-c's: json-c's pretty printer
 * changed between releases (0.16, Debian 12, writes an empty array as
 * "[\n    ]"; 0.18, Debian 13, as "[]"), and the file must be the same
 * bytes whichever json-c virtccw is built with. Two-space indent, one
 * member or element per line, "key":value, empty containers as "[]" and
 * "{}". Scalars are json-c's plain output, which both releases agree on. */
static void
caps_json_write(GString *out, json_object *obj, unsigned int depth)
{
    bool first = true;

    switch (json_object_get_type(obj)) {
    case json_type_object:
        if (json_object_object_length(obj) == 0) {
            g_string_append(out, "{}");
            return;
        }
        g_string_append_c(out, '{');
        json_object_object_foreach(obj, key, val) {
            g_autoptr(json_object) name = json_object_new_string(key);

            g_string_append(out, first ? "\n" : ",\n");
            first = false;
            g_string_append_printf(out, "%*s%s:", (int)(depth + 1) * 2, "",
                                   json_object_to_json_string_ext(name,
                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
            caps_json_write(out, val, depth + 1);
        }
        g_string_append_printf(out, "\n%*s}", (int)depth * 2, "");
        return;
    case json_type_array:
        if (json_object_array_length(obj) == 0) {
            g_string_append(out, "[]");
            return;
        }
        g_string_append_c(out, '[');
        for (size_t i = 0; i < json_object_array_length(obj); i++) {
            g_string_append(out, i ? ",\n" : "\n");
            g_string_append_printf(out, "%*s", (int)(depth + 1) * 2, "");
            caps_json_write(out, json_object_array_get_idx(obj, i), depth + 1);
        }
        g_string_append_printf(out, "\n%*s]", (int)depth * 2, "");
        return;
    default:
        g_string_append(out, json_object_to_json_string_ext(obj,
            JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return;
    }
}

bool
vccw_qemu_caps_save_file(const VccwQemuCaps *caps, const char *path, GError **err)
{
    g_autoptr(json_object) root = vccw_qemu_caps_to_json(caps);
    g_autoptr(GString) layout = g_string_new(NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;

    caps_json_write(layout, root, 0);
    g_string_append_c(layout, '\n');
    text = g_string_free(g_steal_pointer(&layout), FALSE);

    /* atomic replace: a concurrent reader sees the old or the new file */
    if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                  0644, &local)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "cannot write QEMU capabilities file: %s", local->message);
        return false;
    }
    return true;
}

/* Loading: every member is checked, errors name the file and the member. */
typedef struct {
    const char *path;
    GError **err;
} VccwCapsReader;

static bool G_GNUC_PRINTF(2, 3)
vccw_caps_invalid(VccwCapsReader *r, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vccw_error_set(r->err, VCCW_ERR_INTERNAL,
                   "invalid QEMU capabilities file '%s': %s", r->path, msg);
    return false;
}

/* Fetch @key of @type; absent optional members give *out = NULL. */
static bool
vccw_caps_member(VccwCapsReader *r, json_object *obj, const char *key,
                 json_type type, bool required, json_object **out)
{
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, out) || !*out) {
        *out = NULL;
        return required ? vccw_caps_invalid(r, "missing '%s'", key) : true;
    }
    /* json-c keeps integers and doubles apart; we only store integers */
    if (!json_object_is_type(*out, type)) {
        *out = NULL;
        return vccw_caps_invalid(r, "'%s' must be a %s", key, json_type_to_name(type));
    }
    return true;
}

static bool
vccw_caps_read_int(VccwCapsReader *r, json_object *obj, const char *key,
                   bool required, gint64 *out)
{
    json_object *v;

    if (!vccw_caps_member(r, obj, key, json_type_int, required, &v))
        return false;
    if (v)
        *out = json_object_get_int64(v);
    return true;
}

static bool
vccw_caps_read_string_set(VccwCapsReader *r, json_object *root, const char *key,
                          GHashTable *set)
{
    json_object *arr;

    if (!vccw_caps_member(r, root, key, json_type_array, true, &arr))
        return false;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);

        if (!json_object_is_type(v, json_type_string))
            return vccw_caps_invalid(r, "'%s' must hold strings", key);
        g_hash_table_add(set, g_strdup(json_object_get_string(v)));
    }
    return true;
}

static bool
vccw_caps_read_version(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *ver;
    json_object *pkg;
    gint64 part[3] = { 0 };
    static const char *const keys[3] = { "major", "minor", "micro" };

    if (!vccw_caps_member(r, root, "version", json_type_object, true, &ver))
        return false;
    for (int i = 0; i < 3; i++) {
        if (!vccw_caps_read_int(r, ver, keys[i], true, &part[i]))
            return false;
        if (part[i] < 0 || part[i] > 999)
            return vccw_caps_invalid(r, "version '%s' out of range", keys[i]);
    }
    caps->version = (unsigned int)(part[0] * 1000000 + part[1] * 1000 + part[2]);
    if (!vccw_caps_member(r, ver, "package", json_type_string, false, &pkg))
        return false;
    g_free(caps->package);
    caps->package = g_strdup(pkg ? json_object_get_string(pkg) : "");
    return true;
}

static bool
vccw_caps_read_stat(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *st;

    if (!vccw_caps_member(r, root, "binary-stat", json_type_object, false, &st))
        return false;
    if (!st)
        return true;
    return vccw_caps_read_int(r, st, "size", true, &caps->stat.size) &&
           vccw_caps_read_int(r, st, "mtime", true, &caps->stat.mtime) &&
           vccw_caps_read_int(r, st, "mtime-nsec", true, &caps->stat.mtime_nsec) &&
           vccw_caps_read_int(r, st, "ctime", true, &caps->stat.ctime) &&
           vccw_caps_read_int(r, st, "ctime-nsec", true, &caps->stat.ctime_nsec) &&
           vccw_caps_read_int(r, st, "inode", true, &caps->stat.inode);
}

static bool
vccw_caps_read_machines(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *arr;

    if (!vccw_caps_member(r, root, "machines", json_type_array, true, &arr))
        return false;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        json_object *name, *alias, *def, *depr, *ramid;
        VccwQemuMachine *m;

        if (!json_object_is_type(o, json_type_object))
            return vccw_caps_invalid(r, "'machines' must hold objects");
        if (!vccw_caps_member(r, o, "name", json_type_string, true, &name) ||
            !vccw_caps_member(r, o, "alias", json_type_string, false, &alias) ||
            !vccw_caps_member(r, o, "default", json_type_boolean, false, &def) ||
            !vccw_caps_member(r, o, "deprecated", json_type_boolean, false, &depr) ||
            !vccw_caps_member(r, o, "default-ram-id", json_type_string, false, &ramid))
            return false;
        m = g_new0(VccwQemuMachine, 1);
        g_ptr_array_add(caps->machines, m);
        m->name = g_strdup(json_object_get_string(name));
        m->alias = alias ? g_strdup(json_object_get_string(alias)) : NULL;
        m->is_default = def && json_object_get_boolean(def);
        m->deprecated = depr && json_object_get_boolean(depr);
        m->default_ram_id = ramid ? g_strdup(json_object_get_string(ramid)) : NULL;
        if (!vccw_caps_read_int(r, o, "cpu-max", false, &m->cpu_max))
            return false;
    }
    return true;
}

static bool
vccw_caps_read_props(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *obj;

    if (!vccw_caps_member(r, root, "device-props", json_type_object, true, &obj))
        return false;
    json_object_object_foreach(obj, type, arr) {
        GPtrArray *list;

        if (!json_object_is_type(arr, json_type_array))
            return vccw_caps_invalid(r, "properties of '%s' must be an array", type);
        list = g_ptr_array_new_with_free_func((GDestroyNotify)vccw_qemu_prop_free);
        g_hash_table_insert(caps->device_props, g_strdup(type), list);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            json_object *name, *ptype;
            VccwQemuProp *p;

            if (!json_object_is_type(o, json_type_object))
                return vccw_caps_invalid(r, "properties of '%s' must be objects", type);
            if (!vccw_caps_member(r, o, "name", json_type_string, true, &name) ||
                !vccw_caps_member(r, o, "type", json_type_string, false, &ptype))
                return false;
            p = g_new0(VccwQemuProp, 1);
            p->name = g_strdup(json_object_get_string(name));
            p->type = g_strdup(ptype ? json_object_get_string(ptype) : "");
            g_ptr_array_add(list, p);
        }
    }
    return true;
}

static bool
vccw_caps_read_schema(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *obj;

    if (!vccw_caps_member(r, root, "schema", json_type_object, true, &obj))
        return false;
    json_object_object_foreach(obj, query, val) {
        if (!json_object_is_type(val, json_type_boolean))
            return vccw_caps_invalid(r, "schema answer '%s' must be a boolean", query);
        g_hash_table_insert(caps->schema, g_strdup(query),
                            GINT_TO_POINTER(json_object_get_boolean(val) ? 1 : 0));
    }
    return true;
}

/* The recorded flags must be exactly what the facts derive today. */
static bool
vccw_caps_check_flags(VccwCapsReader *r, VccwQemuCaps *caps, json_object *root)
{
    json_object *arr;
    bool recorded[VCCW_QEMU_CAPS_LAST] = { false };

    if (!vccw_caps_member(r, root, "flags", json_type_array, false, &arr))
        return false;
    if (!arr)
        return true;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        int f;

        if (!json_object_is_type(v, json_type_string))
            return vccw_caps_invalid(r, "'flags' must hold strings");
        if ((f = vccw_qemu_caps_flag_from_string(json_object_get_string(v))) < 0)
            return vccw_caps_invalid(r, "unknown flag '%s'", json_object_get_string(v));
        recorded[f] = true;
    }
    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++) {
        if (recorded[f] != caps->flags[f])
            return vccw_caps_invalid(r, "flag '%s' is %s but the recorded facts say %s; "
                                     "record the file again",
                                     vccw_qemu_caps_flag_to_string(f),
                                     recorded[f] ? "set" : "unset",
                                     caps->flags[f] ? "set" : "unset");
    }
    return true;
}

/* @producer: if non-NULL, receives the virtccw version that wrote it. */
VccwQemuCaps *
vccw_qemu_caps_load_file_full(const char *path, char **producer, GError **err)
{
    VccwCapsReader r = { .path = path, .err = err };
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_autoptr(json_object) root = NULL;
    g_autoptr(VccwQemuCaps) caps = NULL;
    enum json_tokener_error jerr = json_tokener_success;
    json_object *v;
    gint64 format = 0;

    if (!g_file_get_contents(path, &text, &len, &local)) {
        vccw_error_set(err, VCCW_ERR_INTERNAL,
                       "cannot read QEMU capabilities file: %s", local->message);
        return NULL;
    }
    if (len > VCCW_QEMU_CAPS_MAX_FILE || strlen(text) != len) {
        vccw_caps_invalid(&r, "too big or not text");
        return NULL;
    }
    root = json_tokener_parse_verbose(text, &jerr);
    if (!root || !json_object_is_type(root, json_type_object)) {
        vccw_caps_invalid(&r, "%s", root ? "not a JSON object" : json_tokener_error_desc(jerr));
        return NULL;
    }
    if (!vccw_caps_read_int(&r, root, "format", true, &format))
        return NULL;
    if (format != VCCW_QEMU_CAPS_FORMAT) {
        vccw_caps_invalid(&r, "format %" G_GINT64_FORMAT " is not %d",
                          format, VCCW_QEMU_CAPS_FORMAT);
        return NULL;
    }
    if (!vccw_caps_member(&r, root, "binary", json_type_string, true, &v))
        return NULL;
    caps = vccw_qemu_caps_new(json_object_get_string(v));
    if (!vccw_caps_member(&r, root, "arch", json_type_string, true, &v))
        return NULL;
    caps->arch = g_strdup(json_object_get_string(v));

    if (!vccw_caps_read_stat(&r, caps, root) ||
        !vccw_caps_read_version(&r, caps, root) ||
        !vccw_caps_read_machines(&r, caps, root) ||
        !vccw_caps_read_string_set(&r, root, "devices", caps->devices) ||
        !vccw_caps_read_props(&r, caps, root) ||
        !vccw_caps_read_string_set(&r, root, "command-line-options", caps->cmdline_opts) ||
        !vccw_caps_read_schema(&r, caps, root))
        return NULL;

    vccw_qemu_caps_derive(caps);
    if (!vccw_caps_check_flags(&r, caps, root))
        return NULL;

    if (producer) {
        if (!vccw_caps_member(&r, root, "virtccw-version", json_type_string, false, &v))
            return NULL;
        *producer = g_strdup(v ? json_object_get_string(v) : "");
    }
    caps->from_cache = true;
    return g_steal_pointer(&caps);
}

VccwQemuCaps *
vccw_qemu_caps_load_file(const char *path, GError **err)
{
    return vccw_qemu_caps_load_file_full(path, NULL, err);
}

/* ------------------------------------------------------------------ */
/* summary                                                             */

char *
vccw_qemu_caps_format_summary(const VccwQemuCaps *caps)
{
    GString *out = g_string_new(NULL);
    const char *def = vccw_qemu_caps_machine_default(caps);
    GPtrArray *vfio = g_hash_table_lookup(caps->device_props, "vfio-ccw");

    g_string_append_printf(out, "binary:   %s\n", caps->binary);
    g_string_append_printf(out, "version:  %u.%u.%u%s%s%s\n", caps->version / 1000000,
                           caps->version / 1000 % 1000, caps->version % 1000,
                           *caps->package ? " (" : "", caps->package,
                           *caps->package ? ")" : "");
    g_string_append_printf(out, "arch:     %s\n", caps->arch);
    g_string_append_printf(out, "machines: %u, default %s\n", caps->machines->len,
                           def ? def : "(none)");
    for (guint i = 0; i < caps->machines->len; i++) {
        const VccwQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->alias)
            g_string_append_printf(out, "  alias %s -> %s\n", m->alias, m->name);
    }
    g_string_append_printf(out, "devices:  %u\n", g_hash_table_size(caps->devices));
    g_string_append(out, "flags:   ");
    for (int f = 0; f < VCCW_QEMU_CAPS_LAST; f++) {
        if (caps->flags[f])
            g_string_append_printf(out, " %s", vccw_qemu_caps_flag_to_string(f));
    }
    g_string_append_c(out, '\n');
    if (vfio) {
        g_string_append(out, "vfio-ccw:");
        for (guint i = 0; i < vfio->len; i++)
            g_string_append_printf(out, " %s", ((VccwQemuProp *)g_ptr_array_index(vfio, i))->name);
        g_string_append_c(out, '\n');
    } else {
        g_string_append(out, "vfio-ccw: not supported\n");
    }
    return g_string_free(out, FALSE);
}
