// SPDX-License-Identifier: GPL-2.0
/* autoselctl audit rotate|verify (audit.h, Documentation/audit.rst). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "json.h"

static void audit_usage(FILE *f)
{
	fputs("Usage: autoselctl audit rotate [--json]\n"
	      "       autoselctl audit verify [--json] [FILE...]\n"
	      "\n"
	      "rotate: close the audit log: it becomes LOG.TIME, append-only again,\n"
	      "and a new log starts; the last line of the one and the first of the\n"
	      "other name each other with their SHA-256 (audit.rst).\n"
	      "verify: check the hash chain of the log (default: the current log\n"
	      "and its LOG.head), or of FILEs given oldest first, each continuing\n"
	      "the one before; the first broken line is reported.\n", f);
}

static int audit_verify(int argc, char **argv)
{
	char err[PATH_MAX + 512];
	struct as_audit_verified v;
	const char **files;
	bool json = false;
	int n = 0;

	files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return as_err("out of memory");
	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			free(files);
			audit_usage(stdout);
			return 0;
		}
		if (as_is_json(argv[i])) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(files);
			return as_usage_err("audit verify: unknown option '%s' (see 'autoselctl audit help')",
					    argv[i]);
		} else {
			files[n++] = argv[i];
		}
	}
	if (as_audit_verify(files, n, &v, err, sizeof(err))) {
		free(files);
		return as_err("%s", err);
	}
	free(files);
	if (json)
		printf("{\"ok\":true,\"files\":%d,\"lines\":%lu,\"last_h\":\"%s\"}\n",
		       v.files, v.lines, v.last_h);
	else
		printf("OK: %lu lines in %d file%s, chain intact, last h=%s\n",
		       v.lines, v.files, v.files == 1 ? "" : "s", v.last_h);
	return 0;
}

static int audit_rotate(int argc, char **argv)
{
	char done[PATH_MAX + 64], err[PATH_MAX + 128];
	bool json = false;
	int ret;

	if (argc < 1 || as_is_help(argv[0])) {
		audit_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[0], "rotate"))
		return as_usage_err("unknown audit command '%s' (see 'autoselctl audit help')",
				    argv[0]);
	ret = as_json_only_args(argc - 1, argv + 1, "audit", audit_usage,
				&json);
	if (ret >= 0)
		return ret;
	if (as_audit_rotate(done, sizeof(done), err, sizeof(err)))
		return as_err("%s", err);
	if (json) {
		printf("{\"rotated\":");
		as_json_str(stdout, done);
		printf("}\n");
	} else {
		printf("audit log rotated to %s\n", done);
	}
	return 0;
}

/*
 * audit rotate changes the log: every attempt is logged, as main() does
 * for the other audited commands.  audit verify only reads: never.
 */
int cmd_audit(int argc, char **argv)
{
	unsigned long logged = as_audit_count();
	int ret;

	if (argc >= 1 && !strcmp(argv[0], "verify"))
		return audit_verify(argc - 1, argv + 1);
	ret = audit_rotate(argc, argv);
	if (ret && as_audit_count() == logged)
		as_audit_failed("audit", ret);
	return ret;
}
