// SPDX-License-Identifier: GPL-2.0
/* autoselctl rules check: validate a rules file, change nothing. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "rules.h"
#include "timefmt.h"

static void rules_usage(FILE *f)
{
	fputs("Usage: autoselctl rules check FILE [--json]\n"
	      "\n"
	      "Parse and validate a rules file (Documentation/rules-format.rst)\n"
	      "and print a summary.  Nothing is loaded or changed.\n", f);
}

int cmd_rules(int argc, char **argv)
{
	static const char *const dir_names[] = AS_DIR_NAMES;
	const char *path = NULL;
	char err[RULES_ERR_MAX];
	struct rules r;
	bool json = false;
	size_t nind = 0, ndom = 0;

	if (argc < 1 || as_is_help(argv[0])) {
		rules_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[0], "check"))
		return as_usage_err("unknown rules command '%s' (see 'autoselctl rules help')",
				    argv[0]);
	for (int i = 1; i < argc; i++) {
		if (as_is_help(argv[i])) {
			rules_usage(stdout);
			return 0;
		} else if (as_is_json(argv[i])) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return as_usage_err("unknown option '%s' (see 'autoselctl rules help')",
					    argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return as_usage_err("unexpected argument '%s'", argv[i]);
		}
	}
	if (!path)
		return as_usage_err("rules check needs a FILE");
	if (rules_load_file(&r, path, err, sizeof(err)))
		return as_err("%s", err);
	for (size_t i = 0; i < r.n_approvals; i++) {
		nind += r.approvals[i].n_ips;
		ndom += r.approvals[i].n_domains;
	}
	if (json) {
		printf("{\"domestic_prefixes\":%zu,\"approvals\":[", r.n_domestic);
		for (size_t i = 0; i < r.n_approvals; i++)
		{
			printf("%s{\"slot\":%zu,\"id\":", i ? "," : "", i);
			as_json_str(stdout, r.approvals[i].id);
			printf(",\"type\":\"%s\",\"indicators\":%zu,\"domains\":%zu}",
			       dir_names[r.approvals[i].type],
			       r.approvals[i].n_ips, r.approvals[i].n_domains);
		}
		printf("]}\n");
	} else {
		printf("%s: %zu domestic prefixes, %zu approvals, %zu IP indicators",
		       path, r.n_domestic, r.n_approvals, nind);
		if (ndom)
			printf(", %zu domain indicators", ndom);
		printf("\n");
		for (size_t i = 0; i < r.n_approvals; i++) {
			char from[40], until[40];

			as_format_rfc3339(r.approvals[i].from_ns, from, sizeof(from));
			as_format_rfc3339(r.approvals[i].until_ns, until,
					  sizeof(until));
			printf("  slot %zu: %s %s %s .. %s, %zu indicators\n", i,
			       r.approvals[i].id, dir_names[r.approvals[i].type],
			       from, until,
			       r.approvals[i].n_ips + r.approvals[i].n_domains);
		}
	}
	rules_free(&r);
	return 0;
}
