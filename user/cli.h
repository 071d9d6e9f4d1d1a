/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command shares on the command line (cli.c).
 *
 * Exit codes scripts can rely on: 0 success, 1 a run-time error (bad
 * file, kernel refused, ...), 2 a usage error.  Every error is one line on
 * stderr that starts with "autoselctl: ".
 */
#ifndef AUTOSEL_CLI_H
#define AUTOSEL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* Print "autoselctl: <msg>\n" on stderr; returns EXIT_RUNTIME. */
int as_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for usage errors; returns EXIT_USAGE. */
int as_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message of the last as_err()/as_usage_err(); "" if none. */
const char *as_last_error(void);

bool as_is_help(const char *arg);
bool as_is_json(const char *arg);	/* --json or -j */
/*
 * The arguments of a command whose only option is --json: sets *json.
 * Returns -1 to go on, else the exit status (0 after help, usage error).
 */
int as_json_only_args(int argc, char **argv, const char *cmd,
		      void (*usage)(FILE *f), bool *json);

/*
 * One error line, "NAME:LINE: MESSAGE" (or "NAME: MESSAGE" when line is 0),
 * into err.  Returns -1, so that callers can return it.
 */
int as_line_err(char *err, size_t errlen, const char *name, unsigned int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
