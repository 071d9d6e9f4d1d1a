/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autoselctl: the shared helpers in one include (cli.h, json.h, fileio.h,
 * timefmt.h), and the default pin directory.  New code includes the
 * header it needs; this one stays for the pin directory (pins.c, attach).
 */
#ifndef AUTOSELCTL_H
#define AUTOSELCTL_H

#include "cli.h"
#include "fileio.h"
#include "json.h"
#include "timefmt.h"

/* Where `attach` pins the shared state; AUTOSEL_PIN_DIR overrides (tests). */
#define AS_PIN_DIR_DEFAULT	"/sys/fs/bpf/autosel"

#endif
