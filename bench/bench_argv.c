/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccw benchmark: domain XML -> QEMU argv for guests with 10 to 65,536
 * CCW devices (a whole subchannel set; half vfio-ccw hostdevs, half virtio
 * disks, every other one with an explicit address).
 *
 * Prints, per size: the CPU time of the whole pipeline (schema, parse,
 * defaults, address assignment, validation, argv), its cost per device,
 * the growth against the previous size, and the ratio against a floor:
 * libxml2 merely parsing the same document, which any implementation
 * (libvirt's included) must pay.
 *
 * usage: bench_argv CAPS_FILE [REPEAT] [--tsv FILE]
 *        bench_argv CAPS_FILE --check   (correctness only, for the test
 *        suite: every size loads, devnos are unique, one -device each, and
 *        a big guest refuses a mistake as a small one does)
 * --tsv writes "devices xml_bytes pipeline_ms per_device_us" rows
 * (bench/results/argv.tsv, plotted by bench/).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <libxml/parser.h>
#include <string.h>

#include "qemu_command.h"
#include "qemu_domain.h"

static char *
make_guest_with(unsigned int ndev, const char *extra)
{
    GString *s = g_string_new(NULL);

    g_string_append(s, "<domain type='qemu'>\n  <name>bench</name>\n"
                       "  <uuid>6c2b8f5e-0d4a-4b8e-9a57-3f1c2e7d9b10</uuid>\n"
                       "  <memory unit='MiB'>1024</memory>\n  <vcpu>2</vcpu>\n"
                       "  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>\n"
                       "  <devices>\n    <emulator>/usr/bin/qemu-system-s390x</emulator>\n");
    for (unsigned int i = 0; i < ndev; i++) {
        /* explicit addresses from the top of the range, the rest assigned */
        g_autofree char *addr = i % 2
            ? g_strdup_printf("<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x%04x'/>",
                              0xffff - i)
            : g_strdup("");
        if (i % 4 < 2)
            g_string_append_printf(s,
                "    <hostdev mode='subsystem' type='mdev' model='vfio-ccw'>"
                "<source><address uuid='%08x-0000-4000-8000-%012x'/></source>%s</hostdev>\n",
                i, i, addr);
        else {
            g_autofree char *name = NULL;
            unsigned int n = i, len = 0;
            char buf[8];
            /* vda, vdb, ..., vdz, vdaa, ... */
            do { buf[len++] = (char)('a' + n % 26); n = n / 26; } while (n-- > 0 && len < 7);
            name = g_strnfill(len, 'a');
            for (unsigned int k = 0; k < len; k++)
                name[k] = buf[len - 1 - k];
            g_string_append_printf(s,
                "    <disk type='file' device='disk'><source file='/img/%u.raw'/>"
                "<target dev='vd%s' bus='virtio'/>%s</disk>\n", i, name, addr);
        }
    }
    if (extra)
        g_string_append(s, extra);
    g_string_append(s, "  </devices>\n</domain>\n");
    return g_string_free(s, FALSE);
}

static char *
make_guest(unsigned int ndev)
{
    return make_guest_with(ndev, NULL);
}

/* Every device got a distinct devno and its own -device. */
static bool
check_guest(const VccwDomainDef *def, const VccwQemuCommand *cmd, unsigned int ndev)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    unsigned int devices = 0;

    for (size_t c = 0; c < VCCW_DEV_LAST; c++) {
        for (guint i = 0; i < def->devs[c]->len; i++) {
            const VccwDevice *dev = vccw_domain_dev(def, c, i);
            if (dev->info.addr.type != VCCW_ADDR_CCW)
                continue;
            const VccwCcwAddr *a = &dev->info.addr.u.ccw;
            guint key = (a->cssid << 18 | a->ssid << 16 | a->devno) + 1;

            if (!g_hash_table_add(seen, GUINT_TO_POINTER(key))) {
                printf("not ok - %u devices: devno 0x%04x used twice\n", ndev,
                       dev->info.addr.u.ccw.devno);
                return false;
            }
        }
    }
    for (guint i = 0; i < cmd->argv->len; i++)
        devices += g_str_equal(g_ptr_array_index(cmd->argv, i), "-device");
    /* the guest's devices plus the default memballoon */
    if (g_hash_table_size(seen) != ndev + 1 || devices != ndev + 1) {
        printf("not ok - %u devices: %u addresses, %u -device options\n", ndev,
               g_hash_table_size(seen), devices);
        return false;
    }
    printf("ok - %u devices load, distinct devnos, one -device each\n", ndev);
    return true;
}

/* The error text without line numbers, which differ with the size. */
static char *
strip_lines(const char *msg)
{
    g_autoptr(GRegex) re = g_regex_new("line [0-9]+", 0, 0, NULL);

    return g_regex_replace_literal(re, msg, -1, 0, "line N", 0, NULL);
}

/* A guest of 1,000 devices (its schema validation goes by chunks) refuses
 * each mistake with the message a guest of 10 gets (one pass). */
static bool
check_refusals(const VccwQemuCaps *caps)
{
    static const char *const mistakes[] = {
        "    <emulator>/usr/bin/qemu-system-s390x</emulator>\n",
        "    <watchdog model='diag288'/>\n    <watchdog model='diag288'/>\n",
        "    <memballoon model='virtio'/>\n    <memballoon model='none'/>\n",
        "    <vsock model='virtio'><cid auto='yes'/></vsock>\n    <vsock model='virtio'><cid auto='yes'/></vsock>\n",
        "    <hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source><address uuid='ffffffff-0000-4000-8000-000000000000'/></source><rom bar='maybe'/></hostdev>\n",
        "    <disk type='file' device='disk'><source file='/x'/><target dev='vdzzz' bus='virtio'/><address type='ccw' cssid='0xfe' ssid='0x0'/></disk>\n",
        "    text\n",
    };
    bool ok = true;

    for (size_t m = 0; m < G_N_ELEMENTS(mistakes); m++) {
        g_autofree char *msg[2] = { NULL, NULL };

        for (int big = 0; big < 2; big++) {
            g_autofree char *xml = make_guest_with(big ? 1000 : 10, mistakes[m]);
            g_autoptr(GError) err = NULL;
            g_autoptr(VccwDomainDef) def = vccw_qemu_domain_load(xml, strlen(xml), "bench", caps, &err);

            msg[big] = def ? g_strdup("(accepted)") : strip_lines(err->message);
        }
        if (!g_str_equal(msg[0], msg[1]) || g_str_equal(msg[0], "(accepted)")) {
            printf("not ok - mistake %zu: 10 devices: %s; 1,000 devices: %s\n", m, msg[0], msg[1]);
            ok = false;
        } else {
            printf("ok - mistake %zu refused alike at 10 and 1,000 devices: %s\n", m, msg[0]);
        }
        g_free(msg[0]);
        g_free(msg[1]);
        msg[0] = msg[1] = NULL;
    }
    return ok;
}

/* CPU time of this process: the machine runs other jobs, which disturb
 * wall time far more than the CPU time of a single-threaded run. */
static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    /* 65,535 devices and the default memballoon fill a subchannel set */
    static const unsigned int sizes[] = { 10, 1000, 10000, 20000, 40000, 65535 };
    static const unsigned int check_sizes[] = { 10, 1000, 10000, 65535 };
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwQemuCaps) caps = NULL;
    bool check = argc > 2 && g_str_equal(argv[2], "--check");
    int repeat = 3;
    const char *tsv_path = NULL;
    FILE *tsv = NULL;
    const unsigned int *run = check ? check_sizes : sizes;
    size_t nrun = check ? G_N_ELEMENTS(check_sizes) : G_N_ELEMENTS(sizes);
    double prev_per_dev = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CAPS_FILE [REPEAT] [--tsv FILE] | CAPS_FILE --check\n", argv[0]);
        return 2;
    }
    for (int a = 2; !check && a < argc; a++) {
        if (g_str_equal(argv[a], "--tsv") && a + 1 < argc)
            tsv_path = argv[++a];
        else if ((repeat = atoi(argv[a])) < 1) {
            fprintf(stderr, "usage: %s CAPS_FILE [REPEAT] [--tsv FILE]\n", argv[0]);
            return 2;
        }
    }
    if (check)
        repeat = 1;
    if (!(caps = vccw_qemu_caps_load_file(argv[1], &err))) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    if (tsv_path && !(tsv = fopen(tsv_path, "w"))) {
        perror(tsv_path);
        return 1;
    }
    if (tsv)
        fprintf(tsv, "devices\txml_bytes\tpipeline_ms\tper_device_us\n");
    if (!check)
        printf("%8s %10s %12s %12s %10s %12s\n", "devices", "bytes", "pipeline ms",
           "us/device", "growth", "x libxml2");
    for (size_t s = 0; s < nrun; s++) {
        g_autofree char *xml = make_guest(run[s]);
        size_t len = strlen(xml);
        double best = 1e9, floor_best = 1e9;
        size_t argc_out = 0;

        for (int r = 0; r < repeat; r++) {
            double t0 = now();
            xmlDocPtr doc = xmlReadMemory(xml, (int)len, "bench", NULL, XML_PARSE_NONET);
            double t1 = now();
            xmlFreeDoc(doc);
            if (t1 - t0 < floor_best)
                floor_best = t1 - t0;
        }
        for (int r = 0; r < repeat; r++) {
            double t0 = now(), t1;
            g_autoptr(VccwDomainDef) def = vccw_qemu_domain_load(xml, len, "bench", caps, &err);
            g_autoptr(VccwQemuCommand) cmd = NULL;
            g_autofree char *line = NULL;
            if (!def || !(cmd = vccw_qemu_build_command(def, caps, &err))) {
                fprintf(stderr, "%u devices: %s\n", run[s], err->message);
                return 1;
            }
            line = vccw_qemu_command_to_string(cmd);
            t1 = now();
            argc_out = cmd->argv->len;
            if (check && !check_guest(def, cmd, run[s]))
                return 1;
            if (t1 - t0 < best)
                best = t1 - t0;
        }
        if (!check) {
            double per_dev = best * 1e6 / run[s];
            g_autofree char *growth = prev_per_dev > 0
                ? g_strdup_printf("%.2fx", per_dev / prev_per_dev) : g_strdup("-");
            printf("%8u %10zu %12.2f %12.2f %10s %12.1f   (argv %zu words)\n",
                   run[s], len, best * 1e3, per_dev, growth, best / floor_best, argc_out);
            fflush(stdout);
            if (tsv)
                fprintf(tsv, "%u\t%zu\t%.2f\t%.2f\n", run[s], len, best * 1e3, per_dev);
            prev_per_dev = per_dev;
        }
    }
    if (tsv && fclose(tsv) != 0) {
        perror(tsv_path);
        return 1;
    }
    if (check) {
        if (!check_refusals(caps))
            return 1;
        printf("%zu passed, 0 failed\n", nrun + 7);
    } else {
        printf("growth = cost per device relative to the previous size (1.00x = linear)\n");
    }
    return 0;
}
