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

int
main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "hold") == 0)
        return do_hold(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return do_write(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "uevents") == 0)
        return do_uevents(argv[2]);
    fprintf(stderr, "usage: vccw-ktest hold ROOT UUID READYFILE SECONDS\n"
                    "       vccw-ktest write FILE STRING\n"
                    "       vccw-ktest uevents FILE\n");
    return 2;
}
