// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl --version: this binary's version and source revision
 * (AUTOSEL_BUILD, set by the Makefile), and autosel.ko's from sysfs.
 */
#include <stdbool.h>
#include <stdio.h>

#include "autosel/abi.h"
#include "cli.h"
#include "commands.h"
#include "control.h"
#include "fileio.h"
#include "json.h"

int cmd_version(int argc, char **argv)
{
	char kv[128], kb[128];
	bool json = false;

	for (int i = 0; i < argc; i++) {
		if (!as_is_json(argv[i]))
			return as_usage_err("version: unknown argument '%s'",
					    argv[i]);
		json = true;
	}
	as_read_line(AS_SYSFS "/version", kv, sizeof(kv));
	as_read_line(AS_SYSFS "/build", kb, sizeof(kb));
	if (json) {
		printf("{\"autoselctl\":");
		as_json_str(stdout, AUTOSEL_VERSION);
		printf(",\"build\":");
		as_json_str(stdout, AUTOSEL_BUILD);
		printf(",\"module\":");
		if (*kv) {
			printf("{\"version\":");
			as_json_str(stdout, kv);
			printf(",\"build\":");
			as_json_str(stdout, *kb ? kb : "unknown");
			printf("}");
		} else {
			printf("null");
		}
		printf("}\n");
	} else {
		printf("autoselctl %s (build %s)\n", AUTOSEL_VERSION,
		       AUTOSEL_BUILD);
		if (*kv)
			printf("autosel.ko %s (build %s)\n", kv,
			       *kb ? kb : "unknown");
		else
			printf("autosel.ko not loaded\n");
	}
	return 0;
}
