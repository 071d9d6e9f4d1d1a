// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl: command-line front end of autosel.  This file only
 * dispatches: each command lives in its own file (commands.h), and what
 * they share (errors, JSON, files, time) in units that need no command.
 *
 *   autoselctl OBJECT|COMMAND [ARGS]   (see Documentation/autoselctl.rst)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "bpfobj.h"
#include "cli.h"
#include "commands.h"
#include "json.h"

static void usage(FILE *f)
{
	fputs("Usage: autoselctl OBJECT|COMMAND [ARGS]\n"
	      "\n"
	      "  replay --rules FILE --pcap IN [--out OUT] [--json] [--now TIME]\n"
	      "                          judge a capture with the XDP program\n"
	      "  attach dev IFACE [--rules FILE] [--generic] [--collect DEV]\n"
	      "                          attach the filter to a capture interface\n"
	      "  detach dev IFACE        detach it\n"
	      "  stats [--json | --prometheus [--output FILE]]\n"
	      "                          counters of the attached filter\n"
	      "  rules check FILE [--json]\n"
	      "                          validate a rules file, change nothing\n"
	      "  install BUNDLE [--trust FILE]  put a signed bundle in force\n"
	      "  remove ID               take an approval out of force\n"
	      "  expire                  take approvals past valid-until out of force\n"
	      "  recover                 complete a change that was interrupted\n"
	      "  status [--json]         what is in force, and where\n"
	      "  report [--json] [--from TIME] [--until TIME]\n"
	      "                          the counts reported to the Diet\n"
	      "  bundle keygen|create|sign|verify ...\n"
	      "                          sign and verify approval bundles\n"
	      "  audit rotate [--json]   start a new audit log, chained to the old\n"
	      "  audit verify [--json] [FILE...]\n"
	      "                          check the hash chain of the audit log\n"
	      "  --version [--json]      versions of autoselctl and autosel.ko\n"
	      "  help                    this text; 'autoselctl COMMAND help' for more\n"
	      "\n"
	      "Exit status: 0 success, 1 error, 2 usage error.\n", f);
}


/* audited: every attempt is in the audit log, a failure too (audit.rst) */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool audited;
} commands[] = {
	{ "replay", cmd_replay, false },
	{ "attach", cmd_attach, true },
	{ "detach", cmd_detach, true },
	{ "stats", cmd_stats, false },
	{ "rules", cmd_rules, false },
	{ "bundle", cmd_bundle, false },
	{ "install", cmd_install, true },
	{ "remove", cmd_remove, true },
	{ "expire", cmd_expire, true },
	{ "recover", cmd_recover, true },
	{ "status", cmd_status, false },
	{ "report", cmd_report, false },
	/* audit rotate logs its failures itself; audit verify only reads */
	{ "audit", cmd_audit, false },
};

/*
 * With --json anywhere on the command line, a failure is also one JSON
 * object on stdout, {"error":"the error line"}; the line on stderr stays.
 */
static int json_error(int argc, char **argv, int ret)
{
	bool json = false;

	for (int i = 1; i < argc; i++)
		json |= as_is_json(argv[i]);
	if (ret && json) {
		fflush(stdout);
		printf("{\"error\":");
		as_json_str(stdout, *as_last_error() ? as_last_error() :
				    "failed");
		printf("}\n");
	}
	return ret;
}

static int run(size_t i, int argc, char **argv)
{
	unsigned long logged = as_audit_count();
	int ret = commands[i].fn(argc, argv);

	/* A failure the command did not log itself (usage, lock, ...). */
	if (ret && commands[i].audited && as_audit_count() == logged)
		as_audit_failed(commands[i].name, ret);
	return ret;
}



int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (as_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	as_libbpf_quiet();
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))
		return json_error(argc, argv, cmd_version(argc - 2, argv + 2));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return json_error(argc, argv,
					  run(i, argc - 2, argv + 2));
	return json_error(argc, argv,
			  as_usage_err("unknown command '%s' (see 'autoselctl help')",
				       argv[1]));
}
