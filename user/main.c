// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl: command-line front end of autosel.
 *
 *   autoselctl OBJECT|COMMAND [ARGS]   (see Documentation/autoselctl.rst)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "autoselctl.h"
#include "bpfobj.h"
#include "install.h"
#include "rules.h"

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

void as_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void as_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
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

static void usage(FILE *f)
{
	fputs("Usage: autoselctl OBJECT|COMMAND [ARGS]\n"
	      "\n"
	      "  replay --rules FILE --pcap IN [--out OUT] [--json] [--now TIME]\n"
	      "                          judge a capture with the XDP program\n"
	      "  attach dev IFACE [--rules FILE] [--generic] [--collect DEV]\n"
	      "                          attach the filter to a capture interface\n"
	      "  detach dev IFACE        detach it\n"
	      "  stats [--json]          counters of the attached filter\n"
	      "  rules check FILE [--json]\n"
	      "                          validate a rules file, change nothing\n"
	      "  install BUNDLE [--trust FILE]  put a signed bundle in force\n"
	      "  remove ID               take an approval out of force\n"
	      "  expire                  take approvals past valid-until out of force\n"
	      "  status [--json]         what is in force, and where\n"
	      "  report [--json] [--from TIME] [--until TIME]\n"
	      "                          the counts reported to the Diet\n"
	      "  bundle keygen|create|sign|verify ...\n"
	      "                          sign and verify approval bundles\n"
	      "  help                    this text; 'autoselctl COMMAND help' for more\n"
	      "\n"
	      "Exit status: 0 success, 1 error, 2 usage error.\n", f);
}

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
			printf("%s{\"slot\":%zu,\"id\":\"%s\",\"type\":\"%s\",\"indicators\":%zu,\"domains\":%zu}",
			       i ? "," : "", i, r.approvals[i].id,
			       dir_names[r.approvals[i].type],
			       r.approvals[i].n_ips, r.approvals[i].n_domains);
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
	{ "status", cmd_status, false },
	{ "report", cmd_report, false },
};

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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return run(i, argc - 2, argv + 2);
	return as_usage_err("unknown command '%s' (see 'autoselctl help')",
			    argv[1]);
}
