// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl: command-line front end of autosel.
 *
 *   autoselctl OBJECT|COMMAND [ARGS]   (see Documentation/autoselctl.rst)
 */
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "autoselctl.h"
#include "bpfobj.h"
#include "control.h"
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

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	uint32_t cp;

	if (!n || s[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * The one JSON string writer.  JSON text is UTF-8: a byte that is not
 * part of well-formed UTF-8 (a file name can hold anything) is written
 * as U+FFFD, so the output always parses.
 */
void as_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\\ufffd", f);
			p++;
		}
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
	      "  audit rotate [--json]   start a new audit log, chained to the old\n"
	      "  --version [--json]      versions of autoselctl and autosel.ko\n"
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

static int cmd_audit(int argc, char **argv);

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
	{ "audit", cmd_audit, true },
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

static void audit_usage(FILE *f)
{
	fputs("Usage: autoselctl audit rotate [--json]\n"
	      "\n"
	      "Close the audit log: it becomes LOG.TIME, append-only again, and a\n"
	      "new log starts; the last line of the one and the first of the other\n"
	      "name each other with their SHA-256 (audit.rst).\n", f);
}

static int cmd_audit(int argc, char **argv)
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

static int version(int argc, char **argv)
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
		return json_error(argc, argv, version(argc - 2, argv + 2));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return json_error(argc, argv,
					  run(i, argc - 2, argv + 2));
	return json_error(argc, argv,
			  as_usage_err("unknown command '%s' (see 'autoselctl help')",
				       argv[1]));
}
