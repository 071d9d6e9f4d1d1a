// SPDX-License-Identifier: GPL-2.0
/* autoselctl audit rotate (audit.h, Documentation/audit.rst). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "json.h"

static void audit_usage(FILE *f)
{
	fputs("Usage: autoselctl audit rotate [--json]\n"
	      "\n"
	      "Close the audit log: it becomes LOG.TIME, append-only again, and a\n"
	      "new log starts; the last line of the one and the first of the other\n"
	      "name each other with their SHA-256 (audit.rst).\n", f);
}

int cmd_audit(int argc, char **argv)
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
