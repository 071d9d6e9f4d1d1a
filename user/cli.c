// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares on the command line (cli.h): the one-line
 * errors on stderr with their exit codes, the last of them for the audit
 * log and --json, the help and --json arguments, and the
 * "FILE:LINE: MESSAGE" lines the parsers write into a buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The last error line, for the audit log and --json. */
static char last_error[1024];

const char *as_last_error(void)
{
	return last_error;
}

static void verr(const char *fmt, va_list ap)
{
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	fprintf(stderr, "autoselctl: %s\n", last_error);
}

int as_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return EXIT_RUNTIME;
}

int as_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

bool as_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

bool as_is_json(const char *arg)
{
	return !strcmp(arg, "--json") || !strcmp(arg, "-j");
}

int as_json_only_args(int argc, char **argv, const char *cmd,
		      void (*usage)(FILE *f), bool *json)
{
	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if (!as_is_json(argv[i]))
			return as_usage_err("%s: unknown argument '%s' (see 'autoselctl %s help')",
					    cmd, argv[i], cmd);
		*json = true;
	}
	return -1;
}

int as_line_err(char *err, size_t errlen, const char *name, unsigned int line,
		const char *fmt, ...)
{
	char msg[512];		/* as RULES_ERR_MAX */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return -1;
}
