/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autoselctl: what the subcommands share.
 *
 * Exit codes scripts can rely on: 0 success, 1 a run-time error (bad
 * file, kernel refused, ...), 2 a usage error.  Every error is one line on
 * stderr that starts with "autoselctl: ".
 */
#ifndef AUTOSELCTL_H
#define AUTOSELCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* Where `attach` pins the shared state; AUTOSEL_PIN_DIR overrides (tests). */
#define AS_PIN_DIR_DEFAULT	"/sys/fs/bpf/autosel"

/* Print "autoselctl: <msg>\n" on stderr; returns EXIT_RUNTIME. */
int as_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for usage errors; returns EXIT_USAGE. */
int as_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message of the last as_err()/as_usage_err(); "" if none. */
const char *as_last_error(void);

bool as_is_help(const char *arg);
bool as_is_json(const char *arg);	/* --json or -j */
/* s as a JSON string: quotes, and escapes for '"', '\\' and controls. */
void as_json_str(FILE *f, const char *s);
/* The first line of a file without its newline; "" if unreadable. */
void as_read_line(const char *path, char *buf, size_t len);
/*
 * The arguments of a command whose only option is --json: sets *json.
 * Returns -1 to go on, else the exit status (0 after help, usage error).
 */
int as_json_only_args(int argc, char **argv, const char *cmd,
		      void (*usage)(FILE *f), bool *json);

int cmd_replay(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_bundle(int argc, char **argv);

/* RFC 3339 <-> ns since the epoch (timefmt.c). */
int as_parse_rfc3339(const char *s, uint64_t *ns);
void as_format_rfc3339(uint64_t ns, char *buf, size_t len);

#endif
