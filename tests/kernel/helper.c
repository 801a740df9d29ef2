/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vccw-ktest: the scenario's two helpers, for the real kernel and the
 * simulated host alike (tests/kernel/scenario.sh).
 *
 *   vccw-ktest hold ROOT UUID READYFILE SECONDS
 *     Hold the VFIO group of mdev UUID open, as QEMU does, so that
 *     virtccw must find the mdev in use. Under host root ROOT ("" or "/"
 *     for the real host): resolves ROOT/sys/bus/mdev/devices/UUID/iommu_group,
 *     opens ROOT/dev/vfio/<group>, and where that is a real VFIO group also
 *     attaches it to a container and opens the device
 *     (VFIO_GROUP_GET_DEVICE_FD), which is what makes a remove block.
 *     Writes READYFILE once it holds the group, then waits for SIGTERM
 *     (at most SECONDS) and closes everything.
 *
 *   vccw-ktest write FILE STRING
 *     One write(2) of STRING ("\n" stands for a newline) to FILE; prints
 *     "ok" or the errno's name, of open(2) or write(2).
 *
 *   vccw-ktest uevents FILE
 *     Append the kernel's uevents (NETLINK_KOBJECT_UEVENT) to FILE, one a
 *     line, as "UEVENT: action@devpath KEY=VALUE..." without SEQNUM, in
 *     virtccw-simhost's .simhost/events format. Runs until killed.
 *
 *   vccw-ktest udev-run ROOT SOURCE LOG VIRTCCW
 *     Stand-in for systemd-udevd with virtccw's rule (data/85-virtccw.rules)
 *     where there is no udevd (the initramfs, the simulated host): takes
 *     every uevent from SOURCE ("netlink": the kernel's; or a file polled
 *     for new lines: a simulated host's .simhost/events), matches it as
 *     the rule does, and runs "VIRTCCW udev-event --[no-]bind --[no-]start"
 *     with the uevent's variables as its environment, as udev runs RUN
 *     programs: one at a time, each to its end. The rule's TEST paths are
 *     taken under ROOT ("" for the real host; VIRTCCW_ROOT is set to ROOT
 *     otherwise). LOG gets one line per uevent ("UEVENT: ...") and per run
 *     ("RUN <subchannel> <action> <args>: exit N: <output, lines joined by
 *     ' / '>"); LOG.ready once it listens, LOG.busy while a program
 *     runs. Runs until killed.
 *
 *   vccw-ktest nodedev-events SOCKET FILE READYFILE SECONDS
 *     A minimal libvirt remote-protocol client of virtccwd on unix socket
 *     SOCKET: virConnectOpen, virConnectNodeDeviceEventRegisterAny for
 *     lifecycle events, then append each event to FILE as "NAME EVENT"
 *     (created, deleted, defined, undefined). Writes READYFILE once
 *     registered; runs until SIGTERM, at most SECONDS.
 *
 * stdout is the same on every host; details go to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/vfio.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char *
errno_name(int e)
{
    switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(EAGAIN) E(ENOMEM) E(EACCES)
    E(EFAULT) E(EBUSY) E(EEXIST) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENOSPC)
    E(EROFS) E(ERANGE) E(ENOSYS) E(EUSERS) E(EOPNOTSUPP) E(EALREADY) E(EINPROGRESS)
    E(ENOTCONN)
#undef E
    }
    return "E?";
}

static int
do_write(const char *file, const char *str)
{
    char buf[4096];
    size_t n = 0;
    ssize_t r;
    int fd;

    for (const char *s = str; *s && n < sizeof(buf); s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            buf[n++] = '\n';
            s++;
        } else {
            buf[n++] = *s;
        }
    }
    if ((fd = open(file, O_WRONLY)) < 0) {
        printf("open: %s\n", errno_name(errno));
        return 1;
    }
    r = write(fd, buf, n);
    if (r < 0)
        printf("write: %s\n", errno_name(errno));
    else
        printf("ok\n");
    close(fd);
    return r < 0;
}

static int
do_hold(const char *rootarg, const char *uuid, const char *readyfile, int secs)
{
    char path[PATH_MAX + 64], link[256];
    const char *root = strcmp(rootarg, "/") == 0 ? "" : rootarg, *group;
    int container = -1, grp, dev = -1;
    ssize_t n;
    FILE *ready;
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);

    snprintf(path, sizeof(path), "%s/sys/bus/mdev/devices/%s/iommu_group", root, uuid);
    if ((n = readlink(path, link, sizeof(link) - 1)) < 0) {
        fprintf(stderr, "vccw-ktest: %s: %s\n", path, strerror(errno));
        printf("hold: no iommu group for %s\n", uuid);
        return 1;
    }
    link[n] = '\0';
    group = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
    snprintf(path, sizeof(path), "%s/dev/vfio/%s", root, group);
    if ((grp = open(path, O_RDWR)) < 0) {
        fprintf(stderr, "vccw-ktest: %s: %s\n", path, strerror(errno));
        printf("hold: cannot open the group of %s: %s\n", uuid, errno_name(errno));
        return 1;
    }
    fprintf(stderr, "vccw-ktest: opened %s\n", path);

    /* A container and the device fd: only a real VFIO group has them. */
    snprintf(path, sizeof(path), "%s/dev/vfio/vfio", root);
    if ((container = open(path, O_RDWR)) < 0) {
        fprintf(stderr, "vccw-ktest: %s: %s\n", path, strerror(errno));
    } else if (ioctl(grp, VFIO_GROUP_SET_CONTAINER, &container) < 0) {
        fprintf(stderr, "vccw-ktest: VFIO_GROUP_SET_CONTAINER: %s\n", strerror(errno));
    } else if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 &&
               ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) {
        fprintf(stderr, "vccw-ktest: VFIO_SET_IOMMU: %s\n", strerror(errno));
    } else if ((dev = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, uuid)) < 0) {
        fprintf(stderr, "vccw-ktest: VFIO_GROUP_GET_DEVICE_FD: %s\n", strerror(errno));
    } else {
        struct vfio_device_info info = { .argsz = sizeof(info) };
        if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info) == 0)
            fprintf(stderr, "vccw-ktest: device fd open, ccw=%d regions=%u irqs=%u\n",
                    !!(info.flags & VFIO_DEVICE_FLAGS_CCW), info.num_regions, info.num_irqs);
    }

    printf("hold: holding the VFIO group of %s\n", uuid);
    fflush(stdout);
    if ((ready = fopen(readyfile, "w"))) {
        fprintf(ready, "%d\n", (int)getpid());
        fclose(ready);
    }
    alarm(secs > 0 ? (unsigned)secs : 60);
    while (!stop)
        pause();
    if (dev >= 0)
        close(dev);
    close(grp);
    if (container >= 0)
        close(container);
    fprintf(stderr, "vccw-ktest: released %s\n", uuid);
    return 0;
}

static int
do_uevents(const char *file)
{
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
    char buf[8192];
    int sock = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
    FILE *out = fopen(file, "a");

    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || !out) {
        perror("vccw-ktest uevents");
        return 1;
    }
    for (;;) {
        ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

        if (n <= 0)
            continue;
        buf[n] = '\0';
        fprintf(out, "UEVENT: %s", buf);
        for (ssize_t i = (ssize_t)strlen(buf) + 1; i < n; i += (ssize_t)strlen(buf + i) + 1) {
            if (strncmp(buf + i, "SEQNUM=", 7) && strncmp(buf + i, "ACTION=", 7) &&
                strncmp(buf + i, "DEVPATH=", 8))
                fprintf(out, " %s", buf + i);
        }
        fputc('\n', out);
        fflush(out);
    }
}

/* ---- udev-run: virtccw's udev rule without udevd ---- */

static const char *udev_root = "";
/* LOG.busy exists while a program runs: the scenario waits for it to go */
static char udev_busy[PATH_MAX];

/* TEST=="PATH" of the rule, under the root */
static int
rule_test(const char *fmt, const char *arg)
{
    char rel[PATH_MAX], path[PATH_MAX];
    struct stat st;

    snprintf(rel, sizeof(rel), fmt, arg);
    snprintf(path, sizeof(path), "%s%s", udev_root, rel);
    return stat(path, &st) == 0;
}

/* One uevent as "action@devpath KEY=VALUE..." (ACTION, DEVPATH and SEQNUM
 * not among the variables): data/85-virtccw.rules, step by step. */
static void
udev_event(const char *line, const char *virtccw, FILE *log)
{
    char copy[8192], *vars[128], *p, *save = NULL;
    char action[64], devpath[1024], env_action[80], env_devpath[1100], env_root[PATH_MAX + 16];
    const char *subsystem = "", *mdev_state = "", *kernel;
    const char *bind, *start;
    char *envp[140], *argv[5];
    int nv = 0, ne = 0, pfd[2], status;
    pid_t pid;

    fprintf(log, "UEVENT: %s\n", line);
    fflush(log);
    snprintf(copy, sizeof(copy), "%s", line);
    p = strtok_r(copy, " ", &save);
    if (!p || sscanf(p, "%63[^@]@%1023s", action, devpath) != 2)
        return;
    while ((p = strtok_r(NULL, " ", &save)) && nv < 128) {
        vars[nv++] = p;
        if (strncmp(p, "SUBSYSTEM=", 10) == 0)
            subsystem = p + 10;
        else if (strncmp(p, "MDEV_STATE=", 11) == 0)
            mdev_state = p + 11;
    }
    kernel = strrchr(devpath, '/') ? strrchr(devpath, '/') + 1 : devpath;
    /* SUBSYSTEM!="css", GOTO="virtccw_end" and the three matches */
    if (strcmp(subsystem, "css") != 0)
        return;
    if (!((strcmp(action, "add") == 0 &&
           (rule_test("/etc/driverctl.d/css-%s", kernel) || rule_test("/etc/mdevctl.d/%s", kernel))) ||
          (strcmp(action, "change") == 0 && strcmp(mdev_state, "registered") == 0 &&
           rule_test("/etc/mdevctl.d/%s", kernel))))
        return;
    bind = rule_test("%s/usr/lib/udev/rules.d/05-driverctl.rules", "") ||
           rule_test("%s/lib/udev/rules.d/05-driverctl.rules", "") ? "--no-bind" : "--bind";
    start = rule_test("%s/usr/sbin/mdevctl", "") ||
            rule_test("%s/etc/udev/rules.d/60-mdevctl.rules", "") ? "--no-start" : "--start";
    snprintf(env_action, sizeof(env_action), "ACTION=%s", action);
    snprintf(env_devpath, sizeof(env_devpath), "DEVPATH=%s", devpath);
    envp[ne++] = env_action;
    envp[ne++] = env_devpath;
    for (int i = 0; i < nv; i++)
        envp[ne++] = vars[i];
    envp[ne++] = (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    if (udev_root[0]) {
        snprintf(env_root, sizeof(env_root), "VIRTCCW_ROOT=%s", udev_root);
        envp[ne++] = env_root;
    }
    envp[ne] = NULL;
    argv[0] = (char *)virtccw;
    argv[1] = (char *)"udev-event";
    argv[2] = (char *)bind;
    argv[3] = (char *)start;
    argv[4] = NULL;
    close(open(udev_busy, O_WRONLY | O_CREAT, 0644));
    if (pipe(pfd) < 0 || (pid = fork()) < 0) {
        unlink(udev_busy);
        fprintf(log, "RUN %s %s %s %s: cannot start: %s\n", kernel, action, bind, start, strerror(errno));
        return;
    }
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[1]);
        execve(virtccw, argv, envp);
        _exit(127);
    }
    close(pfd[1]);
    {
        char out[16384];
        size_t len = 0;
        ssize_t n;

        while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
            len += (size_t)n;
        out[len] = '\0';
        close(pfd[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        while (len && out[len - 1] == '\n')
            out[--len] = '\0';
        for (size_t i = 0; i < len; i++)
            if (out[i] == '\n')
                out[i] = '\x01';
        fprintf(log, "RUN %s %s %s %s: exit %d:", kernel, action, bind, start,
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        for (char *l = out, *e; *l; l = e ? e + 1 : l + strlen(l)) {
            e = strchr(l, '\x01');
            if (e)
                *e = '\0';
            fprintf(log, "%s %s", l == out ? "" : " /", l);
            if (!e)
                break;
        }
        fputc('\n', log);
        fflush(log);
        unlink(udev_busy);
    }
}

static int
do_udev_run(const char *root, const char *source, const char *logfile, const char *virtccw)
{
    char ready[PATH_MAX];
    FILE *log = fopen(logfile, "a");

    udev_root = strcmp(root, "/") == 0 ? "" : root;
    if (!log) {
        perror("vccw-ktest udev-run");
        return 1;
    }
    snprintf(ready, sizeof(ready), "%s.ready", logfile);
    snprintf(udev_busy, sizeof(udev_busy), "%s.busy", logfile);
    if (strcmp(source, "netlink") == 0) {
        struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
        int sock = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
        int rcvbuf = 4 << 20;
        char buf[8192], line[8192];

        setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
        if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            perror("vccw-ktest udev-run");
            return 1;
        }
        close(open(ready, O_WRONLY | O_CREAT, 0644));
        for (;;) {
            ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);
            size_t l;

            if (n <= 0)
                continue;
            buf[n] = '\0';
            l = (size_t)snprintf(line, sizeof(line), "%s", buf);
            for (ssize_t i = (ssize_t)strlen(buf) + 1; i < n; i += (ssize_t)strlen(buf + i) + 1) {
                if (strncmp(buf + i, "SEQNUM=", 7) && strncmp(buf + i, "ACTION=", 7) &&
                    strncmp(buf + i, "DEVPATH=", 8) && l < sizeof(line))
                    l += (size_t)snprintf(line + l, sizeof(line) - l, " %s", buf + i);
            }
            udev_event(line, virtccw, log);
        }
    }
    /* a file: poll for lines past those seen (it may be cleared) */
    close(open(ready, O_WRONLY | O_CREAT, 0644));
    for (long seen = 0;;) {
        FILE *f = fopen(source, "r");
        char line[8192];
        long n = 0;

        while (f && fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = '\0';
            if (++n > seen && strncmp(line, "UEVENT: ", 8) == 0)
                udev_event(line + 8, virtccw, log);
        }
        if (f)
            fclose(f);
        seen = n < seen ? 0 : n;
        usleep(50000);
    }
}

/* ---- nodedev-events: libvirt's remote protocol, just enough of it ---- */

enum {
    RPC_PROGRAM = 0x20008086, RPC_VERSION = 1,
    RPC_CALL = 0, RPC_REPLY = 1, RPC_MESSAGE = 2,
    PROC_CONNECT_OPEN = 1, PROC_EVENT_REGISTER_ANY = 374, PROC_EVENT_LIFECYCLE = 376,
    MSG_MAX = 65536,
};

static const char *const lifecycle_names[] = { "created", "deleted", "defined", "undefined" };

static void
put32(unsigned char *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

static uint32_t
get32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return ntohl(v);
}

static int
read_full(int fd, unsigned char *buf, size_t n)
{
    size_t have = 0;

    while (have < n) {
        ssize_t r = read(fd, buf + have, n - have);

        if (r < 0 && errno == EINTR && !stop)
            continue;
        if (r <= 0)
            return -1;
        have += (size_t)r;
    }
    return 0;
}

/* One message into @buf (header at buf + 4); its length, or -1. */
static long
read_msg(int fd, unsigned char *buf)
{
    uint32_t len;

    if (read_full(fd, buf, 4) < 0)
        return -1;
    len = get32(buf);
    if (len < 28 || len > MSG_MAX || read_full(fd, buf + 4, len - 4) < 0)
        return -1;
    return (long)len;
}

/* A call with the 4-byte words @args; 0 when its reply says OK. */
static int
call(int fd, uint32_t proc, uint32_t serial, const uint32_t *args, size_t nargs)
{
    unsigned char buf[MSG_MAX];
    size_t len = 28 + 4 * nargs;
    const uint32_t head[] = { (uint32_t)len, RPC_PROGRAM, RPC_VERSION, proc, RPC_CALL, serial, 0 };
    long n;

    for (size_t i = 0; i < 7; i++)
        put32(buf + 4 * i, head[i]);
    for (size_t i = 0; i < nargs; i++)
        put32(buf + 28 + 4 * i, args[i]);
    if (write(fd, buf, len) != (ssize_t)len)
        return -1;
    while ((n = read_msg(fd, buf)) > 0) {
        if (get32(buf + 4) != RPC_PROGRAM || get32(buf + 16) != RPC_REPLY ||
            get32(buf + 20) != serial)
            continue;   /* keepalive or an event before the reply */
        return get32(buf + 24) == 0 ? 0 : -1;
    }
    return -1;
}

static int
do_nodedev_events(const char *sockpath, const char *file, const char *readyfile, int secs)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    const uint32_t open_args[] = { 0 /* no name */, 0 /* flags */ };
    const uint32_t reg_args[] = { 0 /* lifecycle */, 0 /* any device */ };
    unsigned char buf[MSG_MAX];
    struct sigaction sa;
    FILE *out, *ready;
    long n;
    int fd;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    alarm(secs > 0 ? (unsigned)secs : 60);
    if (strlen(sockpath) >= sizeof(addr.sun_path) ||
        (fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
        printf("nodedev-events: bad socket\n");
        return 1;
    }
    strcpy(addr.sun_path, sockpath);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        printf("nodedev-events: cannot connect: %s\n", errno_name(errno));
        return 1;
    }
    if (call(fd, PROC_CONNECT_OPEN, 1, open_args, 2) < 0 ||
        call(fd, PROC_EVENT_REGISTER_ANY, 2, reg_args, 2) < 0) {
        printf("nodedev-events: open or register refused\n");
        return 1;
    }
    if (!(out = fopen(file, "a")) || !(ready = fopen(readyfile, "w"))) {
        perror("vccw-ktest nodedev-events");
        return 1;
    }
    fclose(ready);
    /* body: callbackID, name (length, bytes padded to 4), event, detail */
    while (!stop && (n = read_msg(fd, buf)) > 0) {
        const unsigned char *body = buf + 28;
        uint32_t namelen, event;

        if (get32(buf + 4) != RPC_PROGRAM || get32(buf + 12) != PROC_EVENT_LIFECYCLE ||
            get32(buf + 16) != RPC_MESSAGE || n < 28 + 8)
            continue;
        namelen = get32(body + 4);
        if (namelen > (uint32_t)(n - 28 - 8) || 8 + ((namelen + 3) & ~3u) + 8 > (uint32_t)(n - 28))
            continue;
        event = get32(body + 8 + ((namelen + 3) & ~3u));
        fprintf(out, "%.*s %s\n", (int)namelen, (const char *)body + 8,
                event < 4 ? lifecycle_names[event] : "?");
        fflush(out);
    }
    fclose(out);
    close(fd);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "hold") == 0)
        return do_hold(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return do_write(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "uevents") == 0)
        return do_uevents(argv[2]);
    if (argc == 6 && strcmp(argv[1], "udev-run") == 0)
        return do_udev_run(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 6 && strcmp(argv[1], "nodedev-events") == 0)
        return do_nodedev_events(argv[2], argv[3], argv[4], atoi(argv[5]));
    fprintf(stderr, "usage: vccw-ktest hold ROOT UUID READYFILE SECONDS\n"
                    "       vccw-ktest write FILE STRING\n"
                    "       vccw-ktest uevents FILE\n"
                    "       vccw-ktest udev-run ROOT SOURCE LOG VIRTCCW\n"
                    "       vccw-ktest nodedev-events SOCKET FILE READYFILE SECONDS\n");
    return 2;
}
