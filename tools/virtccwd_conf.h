/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtccwd: its configuration file (-f/--config FILE), in the format of
 * libvirt's daemon configs (virtnodedevd.conf): `name = value` lines,
 * values "strings", integers or [lists], '#' comments.
 *
 * The settings of virtnodedevd.conf that mean something for virtccwd are
 * read; any other setting is accepted and ignored, as libvirt's daemons
 * ignore settings they do not know, so that one file serves both.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
    char *unix_sock_dir;        /* NULL: not set */
    int unix_sock_ro_perms;     /* -1: not set, else a mode */
    int unix_sock_rw_perms;
    int max_clients;            /* -1: not set */
    int keepalive_interval;
    int keepalive_count;
    int log_level;              /* libvirt's 1 debug .. 4 error; -1: not set */
} VccwdConf;

void vccwd_conf_init(VccwdConf *conf);
void vccwd_conf_clear(VccwdConf *conf);

/* Read @path into @conf. Errors read like libvirt's: "configuration
 * file syntax error: PATH:LINE: WHY", or name the setting and its value. */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VccwdConf, vccwd_conf_clear)

bool vccwd_conf_load(VccwdConf *conf, const char *path, GError **err);
