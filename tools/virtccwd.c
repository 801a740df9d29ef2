/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: libvirt's node-device daemon (virtnodedevd) for s390 hosts.
 *
 * Serves libvirt's remote protocol for the node-device API on a unix
 * socket, backed by virtccw's node-device driver (css, ccw and mdev
 * devices under a host root). See virtccwd(8).
 */
#include "virtccw_config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "libvirt_release.h"
#include "node_device_driver.h"
#include "rpc_procs.h"
#include "rpc_server.h"
#include "vccw_error.h"
#include "vccw_host.h"
#include "virtccwd_conf.h"

static char *opt_root;
static char *opt_socket;
static char *opt_socket_ro;
static char *opt_config;
static char *opt_pid_file;
static gboolean opt_no_socket_ro;
static gboolean opt_libvirt_sockets;
static gboolean opt_daemon;
static gboolean opt_foreground;
static gboolean opt_verbose;
static gboolean opt_version;
static gboolean opt_no_autostart;
static gboolean opt_no_uevents;
static gint opt_timeout;
static gint opt_max_clients = -1;      /* -1: the config file's, else 1024 */
static gint opt_ka_interval = -2;      /* -2: the config file's, else 5 */
static gint opt_ka_count = -1;         /* -1: the config file's, else 5 */
static gint opt_poll = -1;

/* The options of libvirt's daemons (virtnodedevd, libvirtd) first, with
 * their letters and meaning: foreground unless -d, -f names the config. */
static GOptionEntry entries[] = {
    { "daemon", 'd', 0, G_OPTION_ARG_NONE, &opt_daemon,
      "run as a daemon (detach); the default is the foreground", NULL },
    { "config", 'f', 0, G_OPTION_ARG_FILENAME, &opt_config,
      "configuration file (virtnodedevd.conf format; default: none)", "FILE" },
    { "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &opt_pid_file,
      "write the daemon's process id to FILE (default: none)", "FILE" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
      "exit after SECS seconds without a client (default 0: never)", "SECS" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "debug messages", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "print the version", NULL },
    { "root", 'r', 0, G_OPTION_ARG_FILENAME, &opt_root,
      "host root directory (default /)", "DIR" },
    { "socket", 's', 0, G_OPTION_ARG_FILENAME, &opt_socket,
      "read-write socket (default ROOT/run/virtccw/virtccwd-sock)", "PATH" },
    { "socket-ro", 0, 0, G_OPTION_ARG_FILENAME, &opt_socket_ro,
      "read-only socket (default ROOT/run/virtccw/virtccwd-sock-ro)", "PATH" },
    { "no-socket-ro", 0, 0, G_OPTION_ARG_NONE, &opt_no_socket_ro,
      "do not open a read-only socket", NULL },
    { "libvirt-sockets", 0, 0, G_OPTION_ARG_NONE, &opt_libvirt_sockets,
      "listen where libvirt's clients look for virtnodedevd "
      "(ROOT/run/libvirt/virtnodedevd-sock and -sock-ro)", NULL },
    /* virtccwd before 0.2 detached by default and took --foreground (and
     * -f) to stay; --foreground is still accepted and changes nothing */
    { "foreground", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_foreground,
      "(the default; accepted for old scripts)", NULL },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &opt_max_clients,
      "connections served at once (default 1024, or max_clients of the config)", "N" },
    { "keepalive-interval", 0, 0, G_OPTION_ARG_INT, &opt_ka_interval,
      "seconds of silence before a keepalive ping, 0 disables (default 5)", "SEC" },
    { "keepalive-count", 0, 0, G_OPTION_ARG_INT, &opt_ka_count,
      "unanswered pings before a client is dropped (default 5)", "N" },
    { "poll-interval", 0, 0, G_OPTION_ARG_INT, &opt_poll,
      "also re-read every device every SEC seconds (default: 0 where uevents tell: "
      "the real host, a simulated one; 2 for other roots)", "SEC" },
    { "no-uevents", 0, 0, G_OPTION_ARG_NONE, &opt_no_uevents,
      "do not listen to kernel uevents (or a simulated host's event log)", NULL },
    { "no-autostart", 0, 0, G_OPTION_ARG_NONE, &opt_no_autostart,
      "do not start mdevs marked autostart at startup", NULL },
    G_OPTION_ENTRY_NULL,
};

/* libvirt's encoding: major * 1000000 + minor * 1000 + micro */
static guint64
version_number(const char *v)
{
    guint64 n[3] = { 0, 0, 0 };
    char **parts = g_strsplit(v, ".", 3);

    for (int i = 0; i < 3 && parts[i]; i++)
        n[i] = g_ascii_strtoull(parts[i], NULL, 10);
    g_strfreev(parts);
    return n[0] * 1000000 + n[1] * 1000 + n[2];
}

static void
notify_systemd(const char *state)
{
    const char *path = g_getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t len;
    int fd;

    if (!path || !*path || strlen(path) >= sizeof(addr.sun_path))
        return;
    strcpy(addr.sun_path, path);
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0';
    len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
               (socklen_t)len) < 0)
        g_debug("sd_notify: %s", g_strerror(errno));
    close(fd);
}

/* Sockets handed over by systemd (LISTEN_FDS); read-only ones are those
 * whose path ends in "-ro". Returns how many were taken, -1 on error. */
static int
listen_activated(VccwRpcServer *srv, GError **err)
{
    const char *pid = g_getenv("LISTEN_PID");
    const char *fds = g_getenv("LISTEN_FDS");
    int n;

    if (!pid || !fds || g_ascii_strtoll(pid, NULL, 10) != getpid())
        return 0;
    n = (int)g_ascii_strtoll(fds, NULL, 10);
    for (int i = 0; i < n; i++) {
        int fd = 3 + i;
        struct sockaddr_un addr = { 0 };
        socklen_t alen = sizeof(addr);
        bool ro = false;

        if (getsockname(fd, (struct sockaddr *)&addr, &alen) == 0 &&
            addr.sun_family == AF_UNIX && addr.sun_path[0])
            ro = g_str_has_suffix(addr.sun_path, "-ro");
        /* one socket unit gives every socket one mode: open up the -ro one */
        if (ro && chmod(addr.sun_path, 0666) < 0)
            g_message("cannot make %s world-accessible: %s", addr.sun_path,
                      g_strerror(errno));
        if (!vccw_rpc_server_listen_fd(srv, fd, ro, err))
            return -1;
        g_message("listening on socket %d from systemd%s", fd, ro ? " (read-only)" : "");
    }
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    return n;
}

/* Detach: the parent waits until the child listens (or fails) and exits
 * with its status. Returns the fd the child reports on, -1 in foreground. */
static int
daemonize(void)
{
    int pipefd[2];
    pid_t pid;
    char status = 1;

    if (pipe(pipefd) < 0) {
        fprintf(stderr, "virtccwd: pipe: %s\n", g_strerror(errno));
        exit(1);
    }
    if ((pid = fork()) < 0) {
        fprintf(stderr, "virtccwd: fork: %s\n", g_strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        close(pipefd[1]);
        if (read(pipefd[0], &status, 1) != 1)
            status = 1;
        _exit(status);
    }
    close(pipefd[0]);
    setsid();
    if (chdir("/") < 0)
        g_debug("chdir /: %s", g_strerror(errno));
    return pipefd[1];
}

static void
report_ready(int fd, char status)
{
    if (fd < 0)
        return;
    if (write(fd, &status, 1) != 1)
        g_debug("cannot report the start-up status");
    close(fd);
}

static void
detach_stdio(void)
{
    FILE *f;

    if (!(f = freopen("/dev/null", "r", stdin)) || !(f = freopen("/dev/null", "w", stdout)))
        g_debug("cannot redirect stdio to /dev/null");
}

/* libvirt's virPidFileAcquirePath: create, lock (so a second daemon with
 * the same file refuses to start), write "PID\n"; the fd stays open and
 * locked for the daemon's life. */
static int
acquire_pid_file(const char *path, GError **err)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    g_autofree char *pid = g_strdup_printf("%lld\n", (long long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0 || fcntl(fd, F_SETLK, &lk) < 0 || ftruncate(fd, 0) < 0 ||
        write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        vccw_error_set(err, VCCW_ERR_SYSTEM, "Failed to acquire pid file '%s': %s", path,
                       g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    VccwRpcServer *srv;
    guint limit;     /* seconds */
    guint idle;
} IdleTimeout;

/* -t/--timeout: like libvirt's daemons, exit after that many seconds
 * without a connected client. */
static gboolean
idle_tick(gpointer data)
{
    IdleTimeout *t = data;

    if (vccw_rpc_server_client_count(t->srv) > 0) {
        t->idle = 0;
        return G_SOURCE_CONTINUE;
    }
    if (++t->idle < t->limit)
        return G_SOURCE_CONTINUE;
    g_message("no client for %u s (--timeout): exiting", t->limit);
    vccw_rpc_server_quit(t->srv);
    return G_SOURCE_REMOVE;
}

/* The config file's settings where the command line gave none. */
static bool
apply_config(VccwdConf *conf, GError **err)
{
    if (opt_config && !vccwd_conf_load(conf, opt_config, err))
        return false;
    if (opt_max_clients == -1)
        opt_max_clients = conf->max_clients >= 1 ? conf->max_clients : 1024;
    if (opt_ka_interval == -2)   /* libvirt: -1 disables, we spell that 0 */
        opt_ka_interval = conf->keepalive_interval >= 0 ? conf->keepalive_interval :
                          conf->keepalive_interval == -1 ? 0 : 5;
    if (opt_ka_count == -1)
        opt_ka_count = conf->keepalive_count >= 0 ? conf->keepalive_count : 5;
    if (conf->log_level == 1)
        opt_verbose = TRUE;
    return true;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) octx = g_option_context_new("- libvirt node-device daemon for s390 vfio-ccw");
    g_autoptr(GError) err = NULL;
    g_autoptr(VccwHost) host = NULL;
    g_autoptr(VccwNodeDevDriver) drv = NULL;
    g_autoptr(VccwRpcServer) srv = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *sock_ro = NULL;
    g_auto(VccwdConf) conf = { 0 };
    IdleTimeout idle = { 0 };
    int ready_fd = -1;
    int pid_fd = -1;
    int activated;

    g_option_context_add_main_entries(octx, entries, NULL);
    g_option_context_set_description(octx,
        "Clients: virsh -c 'nodedev+unix:///system?socket=PATH' nodedev-list");
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        fprintf(stderr, "virtccwd: %s\n", err->message);
        return 2;
    }
    if (argc > 1) {
        fprintf(stderr, "virtccwd: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    if (opt_version) {
        printf("virtccwd %s\n", VIRTCCW_VERSION);
        return 0;
    }
    if ((opt_max_clients < 1 && opt_max_clients != -1) ||
        (opt_ka_interval < 0 && opt_ka_interval != -2) ||
        (opt_ka_count < 0 && opt_ka_count != -1) || opt_poll < -1 || opt_timeout < 0) {
        fprintf(stderr, "virtccwd: numeric options must not be negative\n");
        return 2;
    }
    vccwd_conf_init(&conf);
    if (!apply_config(&conf, &err)) {
        fprintf(stderr, "virtccwd: %s\n", err->message);
        return 1;
    }
    if (opt_verbose)
        g_log_set_debug_enabled(TRUE);
    (void)opt_foreground;   /* the default now */

    if (opt_daemon)
        ready_fd = daemonize();
    if (opt_pid_file && (pid_fd = acquire_pid_file(opt_pid_file, &err)) < 0)
        goto fail;

    /* Node devices as the libvirt release whose API getLibVersion
     * announces (11.3: offline ccw devices listed, with <state>), for every
     * client, whatever libvirt is installed and whatever
     * $VIRTCCW_LIBVIRT_VERSION says: one server, one release (virtccwd(8)).
     * Set before the first listing, the cache's included. */
    vccw_libvirt_release_set(vccw_libvirt_release_nodedev_api());

    if (!(host = vccw_host_new(opt_root, &err)))
        goto fail;
    if (!(drv = vccw_nodedev_driver_new(host, &err)))
        goto fail;

    srv = vccw_rpc_server_new(drv);
    vccw_rpc_server_set_max_clients(srv, (guint)opt_max_clients);
    vccw_rpc_server_set_keepalive(srv, (guint)opt_ka_interval, (guint)opt_ka_count);
    vccw_rpc_server_set_versions(srv, version_number(VIRTCCW_VERSION),
                               VCCW_RPC_LIBVIRT_VERSION);

    if ((activated = listen_activated(srv, &err)) < 0)
        goto fail;
    if (!activated) {
        const char *root = vccw_host_root(host);
        const char *dir = opt_libvirt_sockets ? "run/libvirt" : "run/virtccw";
        const char *base = opt_libvirt_sockets ? "virtnodedevd-sock" : "virtccwd-sock";

        /* unix_sock_dir of the config file, as virtnodedevd.conf's */
        if (opt_socket)
            sock = g_strdup(opt_socket);
        else if (conf.unix_sock_dir)
            sock = g_build_filename(conf.unix_sock_dir, base, NULL);
        else
            sock = g_build_filename(root, dir, base, NULL);
        if (opt_socket_ro)
            sock_ro = g_strdup(opt_socket_ro);
        else if (!opt_socket)
            sock_ro = g_strdup_printf("%s-ro", sock);
        if (!vccw_rpc_server_listen_unix(srv, sock, false,
                                         conf.unix_sock_rw_perms >= 0 ?
                                         (mode_t)conf.unix_sock_rw_perms : 0600, &err))
            goto fail;
        if (sock_ro && !opt_no_socket_ro &&
            !vccw_rpc_server_listen_unix(srv, sock_ro, true,
                                         conf.unix_sock_ro_perms >= 0 ?
                                         (mode_t)conf.unix_sock_ro_perms : 0666, &err))
            goto fail;
    }

    /* where changes made behind our back show: kernel uevents (netlink on
     * the real host, the event log of a simulated one) and the mdevctl
     * store; without uevents, a bounded poll */
    {
        g_autoptr(GError) uerr = NULL;
        g_autofree char *store = NULL;
        g_autofree char *log = g_build_filename(vccw_host_root(host), ".simhost", "events", NULL);
        bool uevents = false;

        if (!opt_no_uevents && g_str_equal(vccw_host_root(host), "/"))
            uevents = vccw_rpc_server_watch_uevents(srv, &uerr);
        else if (!opt_no_uevents && g_file_test(log, G_FILE_TEST_IS_REGULAR))
            uevents = vccw_rpc_server_watch_event_log(srv, log, 0, &uerr);
        if (uerr)
            g_message("%s; device changes are seen from own calls and a poll", uerr->message);
        g_clear_error(&uerr);
        if (opt_poll < 0)
            opt_poll = uevents ? 0 : 2;
        if ((store = vccw_host_path(host, VCCW_HOST_DIR_MDEVCTL_CONFIG, NULL, NULL, &uerr)) &&
            !vccw_rpc_server_watch_mdev_store(srv, store, &uerr))
            g_message("%s; mdev definitions made by others are seen%s", uerr->message,
                      opt_poll ? " by the poll" : " on the next uevent");
    }
    vccw_rpc_server_set_poll_interval(srv, (guint)opt_poll);

    if (!opt_no_autostart) {
        g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GError) aerr = NULL;

        if (!vccw_nodedev_autostart_all(drv, warnings, &aerr))
            g_warning("autostart: %s", aerr->message);
        for (guint i = 0; i < warnings->len; i++)
            g_warning("autostart: %s", (const char *)g_ptr_array_index(warnings, i));
    }

    /* the device tree in memory before the first client */
    vccw_rpc_server_load_devices(srv);

    if (ready_fd >= 0)
        detach_stdio();
    report_ready(ready_fd, 0);
    notify_systemd("READY=1");
    if (opt_timeout > 0) {
        idle.srv = srv;
        idle.limit = (guint)opt_timeout;
        g_timeout_add_seconds(1, idle_tick, &idle);
    }
    vccw_rpc_server_run(srv);
    notify_systemd("STOPPING=1");
    if (pid_fd >= 0) {
        unlink(opt_pid_file);
        close(pid_fd);
    }
    return 0;

 fail:
    fprintf(stderr, "virtccwd: %s\n", err->message);
    report_ready(ready_fd, 1);
    if (pid_fd >= 0) {
        unlink(opt_pid_file);
        close(pid_fd);
    }
    return 1;
}
