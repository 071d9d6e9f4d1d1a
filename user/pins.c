// SPDX-License-Identifier: GPL-2.0
/*
 * The pin directory and the bpffs under it (pins.h).
 *
 * Pins on anything but a bpffs die with the process, so the pin
 * directory's parent must be one.  A fresh Debian machine has the empty
 * sysfs directory /sys/fs/bpf and nothing mounted on it; `attach` mounts
 * the bpffs itself then, as bpftool and tc do.  It never mounts over a
 * directory that holds files: that would hide them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "audit.h"
#include "autoselctl.h"
#include "pins.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC	0xcafe4a11
#endif

const char *as_pin_dir(void)
{
	const char *e = getenv("AUTOSEL_PIN_DIR");

	return e && *e ? e : AS_PIN_DIR_DEFAULT;
}

const char *as_pin_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s/%s", as_pin_dir(), what);
	return buf;
}

/* The directory the pin directory lives in: "/a/b/autosel" -> "/a/b". */
static void pin_parent(char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", as_pin_dir());
	slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

bool as_pins_on_bpffs(void)
{
	char parent[PATH_MAX];

	pin_parent(parent, sizeof(parent));
	return on_bpffs(parent);
}

/* mkdir -p, 0700 for what it creates (pin parents hold nothing else). */
static int mkdirs(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

/* 1 if dir has an entry besides . and .., 0 if not, -1 if unreadable. */
static int has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while (!n && (e = readdir(d)))
		n = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void audit_mount(const char *dir, const char *result,
			const char *reason)
{
	struct as_audit_ev ev = {
		.action = "mount", .result = result, .id = dir,
		.reason = reason,
	};

	as_audit(&ev);
}

int as_pins_mount(void)
{
	char parent[PATH_MAX], msg[PATH_MAX + 128];
	struct stat st;
	int e;

	pin_parent(parent, sizeof(parent));
	if (on_bpffs(parent))
		return 0;
	if (stat(parent, &st) && errno == ENOENT && mkdirs(parent))
		return as_err("cannot create %s: %s", parent, strerror(errno));
	e = has_entries(parent);
	if (e < 0)
		return as_err("%s: %s", parent, strerror(errno));
	if (e) {
		snprintf(msg, sizeof(msg),
			 "%s is not a BPF file system and holds files: not mounting one over it",
			 parent);
		audit_mount(parent, "refused", msg);
		return as_err("%s", msg);
	}
	if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
		snprintf(msg, sizeof(msg),
			 "cannot mount a BPF file system on %s: %s", parent,
			 strerror(errno));
		audit_mount(parent, "error", msg);
		return as_err("%s", msg);
	}
	snprintf(msg, sizeof(msg), "bpffs (mode=0700) for the pins in %s",
		 as_pin_dir());
	audit_mount(parent, "ok", msg);
	return 0;
}
