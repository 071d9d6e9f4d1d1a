/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin directory: where `attach` pins the program and its maps
 * (AUTOSEL_PIN_DIR, default AS_PIN_DIR_DEFAULT), and the BPF file system
 * its parent must be on.
 *
 * Commands that pin call as_pins_mount(): on a fresh machine nothing has
 * mounted a bpffs at /sys/fs/bpf yet, so it mounts one there itself (as
 * bpftool and tc do) and records that in the audit log.  Read-only
 * commands call as_pins_on_bpffs() and never mount: no bpffs means nothing
 * is pinned, so autosel is not attached.
 */
#ifndef AUTOSEL_PINS_H
#define AUTOSEL_PINS_H

#include <stdbool.h>
#include <stddef.h>

/* AUTOSEL_PIN_DIR, or the default. */
const char *as_pin_dir(void);
/* buf = "<pin dir>/what"; returns buf. */
const char *as_pin_path(char *buf, size_t len, const char *what);
/* Whether the pin directory's parent is on a bpffs (changes nothing). */
bool as_pins_on_bpffs(void);
/*
 * Make sure the pin directory's parent is on a bpffs: create it if it is
 * missing and mount one (mode 0700) unless it is on one already.  Never
 * mounts over a non-empty directory.  0, or EXIT_RUNTIME after a one-line
 * error; the caller should hold the autoselctl lock.
 */
int as_pins_mount(void);

#endif
