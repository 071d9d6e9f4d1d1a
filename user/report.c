// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl status and report.
 *
 * status: what is in force (the state directory) and where (the pins).
 * report: the counts the Commission reports to the Diet, from autosel.ko's
 * sysfs when it is loaded, else from the pinned map counters; `replay
 * --report` prints the same shape from a replay's counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "control.h"
#include "counters.h"
#include "encode.h"
#include "fileio.h"
#include "json.h"
#include "pins.h"
#include "report.h"
#include "state.h"
#include "swap.h"
#include "timefmt.h"

static const char *const reason_names[] = AS_REASON_NAMES;
static const char *const dir_names[] = AS_DIR_NAMES;
static const char *const kind_names[] = AS_KIND_NAMES;
static const char *const names_events[] = AS_NAMES_EVENT_NAMES;

/* ---- report ---------------------------------------------------------------- */

void as_diet_report_print(FILE *f, const struct as_report *r,
			  const char *source, uint64_t from_ns,
			  uint64_t until_ns, bool json)
{
	as_diet_report_print_epoch(f, r, source, from_ns, until_ns, json, NULL);
}

static void epoch_print(FILE *f, const struct as_epoch *ep, bool json)
{
	char since[40], now[40];

	as_format_rfc3339(ep->now_ns, now, sizeof(now));
	if (ep->module)
		as_format_rfc3339(ep->load_ns, since, sizeof(since));
	if (!json) {
		if (ep->module)
			fprintf(f, "counts cover %s .. %s: since autosel.ko %s was loaded (load id %s, boot %s)\n",
				since, now, ep->version, ep->load_id,
				ep->boot_id);
		else
			fprintf(f, "counts cover the first attach (time not recorded) .. %s, boot %s\n",
				now, ep->boot_id);
		return;
	}
	fprintf(f, ",\"counts\":{\"since\":");
	if (ep->module)
		as_json_str(f, since);
	else
		fputs("null", f);
	fprintf(f, ",\"since_ns\":");
	if (ep->module)
		fprintf(f, "%" PRIu64, ep->load_ns);
	else
		fputs("null", f);
	fprintf(f, ",\"until\":");
	as_json_str(f, now);
	fprintf(f, ",\"until_ns\":%" PRIu64 ",\"since_event\":\"%s\",\"load_id\":",
		ep->now_ns, ep->module ? "module load" : "first attach");
	if (ep->module)
		as_json_str(f, ep->load_id);
	else
		fputs("null", f);
	fprintf(f, ",\"boot_id\":");
	as_json_str(f, ep->boot_id);
	fprintf(f, ",\"module_version\":");
	if (ep->module)
		as_json_str(f, ep->version);
	else
		fputs("null", f);
	fprintf(f, ",\"module_build\":");
	if (ep->module)
		as_json_str(f, ep->build);
	else
		fputs("null", f);
	fputc('}', f);
}

void as_diet_report_print_epoch(FILE *f, const struct as_report *r,
				const char *source, uint64_t from_ns,
				uint64_t until_ns, bool json,
				const struct as_epoch *ep)
{
	struct {
		uint64_t in_force, packets, flows, kept;
		uint64_t flows_kind[AS_KIND_NR];
	} m[AS_DIR_DD] = { 0 };
	char from[40], until[40], a[40], b[40];

	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &r->slots[i];

		if (!s->active || s->type >= AS_DIR_DD)
			continue;
		if (s->from_ns <= until_ns && s->until_ns > from_ns)
			m[s->type].in_force++;
		m[s->type].packets += s->c.packets;
		m[s->type].flows += s->c.flows;
		m[s->type].kept += s->c.kept_bytes;
		for (int k = 0; k < AS_KIND_NR; k++)
			m[s->type].flows_kind[k] += s->c.flows_kind[k];
	}
	as_format_rfc3339(from_ns, from, sizeof(from));
	as_format_rfc3339(until_ns, until, sizeof(until));
	if (!json) {
		fprintf(f, "autosel report, %s .. %s (counts from %s)\n", from,
			until, source);
		if (ep)
			epoch_print(f, ep, false);
		/* flows by the kind that opened them: after the totals */
		fprintf(f, "%-8s %10s %14s %12s %18s", "measure", "approvals",
			"packets", "flows", "header bytes kept");
		for (int k = 0; k < AS_KIND_NR; k++)
			fprintf(f, " %6s %-5s", kind_names[k], "flows");
		fputc('\n', f);
		for (int t = 0; t < AS_DIR_DD; t++) {
			fprintf(f, "%-8s %10" PRIu64 " %14" PRIu64 " %12" PRIu64
				" %18" PRIu64, dir_names[t], m[t].in_force,
				m[t].packets, m[t].flows, m[t].kept);
			for (int k = 0; k < AS_KIND_NR; k++)
				fprintf(f, " %12" PRIu64, m[t].flows_kind[k]);
			fputc('\n', f);
		}
		fprintf(f, "seen %" PRIu64 ", selected %" PRIu64 ", deleted %"
			PRIu64 "\n", r->c[AS_C_SEEN], r->c[AS_C_SELECTED],
			r->c[AS_C_DELETED]);
		fprintf(f, "deleted by reason:");
		for (int i = 0; i < AS_DEL_MAX; i++)
			fprintf(f, " %s %" PRIu64, reason_names[i],
				r->c[AS_C_DEL_REASON + i]);
		fputc('\n', f);
		for (int i = 0; i < AS_MAX_SLOTS; i++) {
			const struct as_report_slot *s = &r->slots[i];

			if (!s->active)
				continue;
			as_format_rfc3339(s->from_ns, a, sizeof(a));
			as_format_rfc3339(s->until_ns, b, sizeof(b));
			fprintf(f, "  %s %s %s .. %s: %" PRIu64 " packets, %"
				PRIu64 " flows ", *s->id ? s->id : "?",
				s->type < AS_DIR_MAX ? dir_names[s->type] : "?",
				a, b, s->c.packets, s->c.flows);
			as_print_flow_kinds(f, s->c.flows_kind, false);
			fprintf(f, ", %" PRIu64 " header bytes kept\n",
				s->c.kept_bytes);
		}
		return;
	}
	fprintf(f, "{\"source\":\"%s\",\"from\":\"%s\",\"until\":\"%s\",\"measures\":{",
		source, from, until);
	for (int t = 0; t < AS_DIR_DD; t++) {
		fprintf(f, "%s\"%s\":{\"approvals_in_force\":%" PRIu64
			",\"packets\":%" PRIu64 ",\"flows\":%" PRIu64 ",",
			t ? "," : "", dir_names[t], m[t].in_force,
			m[t].packets, m[t].flows);
		as_print_flow_kinds(f, m[t].flows_kind, true);
		fprintf(f, ",\"kept_bytes\":%" PRIu64 "}", m[t].kept);
	}
	fprintf(f, "},\"seen\":%" PRIu64 ",\"seen_bytes\":%" PRIu64
		",\"selected\":%" PRIu64 ",\"selected_bytes\":%" PRIu64
		",\"kept_bytes\":%" PRIu64 ",\"discarded_payload_bytes\":%" PRIu64
		",\"deleted\":%" PRIu64 ",\"deleted_bytes\":%" PRIu64
		",\"deleted_by_reason\":{",
		r->c[AS_C_SEEN], r->c[AS_C_SEEN_BYTES], r->c[AS_C_SELECTED],
		r->c[AS_C_SELECTED_BYTES], r->c[AS_C_KEPT_BYTES],
		r->c[AS_C_DISCARDED_PAYLOAD], r->c[AS_C_DELETED],
		r->c[AS_C_DELETED_BYTES]);
	for (int i = 0; i < AS_DEL_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", reason_names[i],
			r->c[AS_C_DEL_REASON + i]);
	fprintf(f, "},\"approvals\":");
	as_print_approvals_json(f, r->slots);
	if (ep)
		epoch_print(f, ep, true);
	fprintf(f, "}\n");
}

static int read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	unsigned long long x;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

/* Counters from /sys/kernel/autosel: the module's books. */
int as_report_from_module(struct as_report *r)
{
	static const char *const names[AS_C_DEL_REASON] = {
		"seen", "seen_bytes", "selected", "selected_bytes",
		"kept_bytes", "discarded_payload_bytes", "deleted",
		"deleted_bytes",
	};
	char p[PATH_MAX], v[128];
	struct dirent *e;
	DIR *d;

	for (int i = 0; i < AS_C_NAMES; i++) {
		if (i < AS_C_DEL_REASON)
			snprintf(p, sizeof(p), "%s/%s", AS_SYSFS, names[i]);
		else
			snprintf(p, sizeof(p), "%s/deleted_%s", AS_SYSFS,
				 reason_names[i - AS_C_DEL_REASON]);
		if (read_u64(p, &r->c[i]))
			return -1;
	}
	/* Not verdicts; a module older than them has none: 0. */
	for (int i = 0; i < AS_NE_MAX; i++) {
		snprintf(p, sizeof(p), "%s/names_%s", AS_SYSFS, names_events[i]);
		if (read_u64(p, &r->c[AS_C_NAMES + i]))
			r->c[AS_C_NAMES + i] = 0;
	}
	snprintf(p, sizeof(p), "%s/approvals", AS_SYSFS);
	d = opendir(p);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char base[PATH_MAX / 2];
		uint64_t slot, x;
		struct as_report_slot *s;

		if (e->d_name[0] == '.')
			continue;
		snprintf(base, sizeof(base), "%s/approvals/%s", AS_SYSFS,
			 e->d_name);
		snprintf(p, sizeof(p), "%s/slot", base);
		if (read_u64(p, &slot) || slot >= AS_MAX_SLOTS)
			continue;
		s = &r->slots[slot];
		s->active = true;
		snprintf(s->id, sizeof(s->id), "%.63s", e->d_name);
		snprintf(p, sizeof(p), "%s/type", base);
		as_read_line(p, v, sizeof(v));
		for (uint8_t t = 0; t < AS_DIR_DD; t++)
			if (!strcmp(v, dir_names[t]))
				s->type = t;
		snprintf(p, sizeof(p), "%s/valid_from", base);
		if (!read_u64(p, &x))
			s->from_ns = x * 1000000000ULL;
		snprintf(p, sizeof(p), "%s/valid_until", base);
		if (!read_u64(p, &x))
			s->until_ns = x * 1000000000ULL;
		snprintf(p, sizeof(p), "%s/selected_packets", base);
		read_u64(p, &s->c.packets);
		snprintf(p, sizeof(p), "%s/selected_flows", base);
		read_u64(p, &s->c.flows);
		for (int k = 0; k < AS_KIND_NR; k++) {
			snprintf(p, sizeof(p), "%s/selected_flows_%s", base,
				 kind_names[k]);
			read_u64(p, &s->c.flows_kind[k]);
		}
		snprintf(p, sizeof(p), "%s/flows_evicted", base);
		read_u64(p, &s->c.flows_evicted);
		snprintf(p, sizeof(p), "%s/selected_bytes", base);
		read_u64(p, &s->c.bytes);
		snprintf(p, sizeof(p), "%s/kept_bytes", base);
		read_u64(p, &s->c.kept_bytes);
	}
	closedir(d);
	return 0;
}

/* Counters from the pinned maps (the module-less build). */
static int from_maps(struct as_report *r, const struct as_state *st)
{
	char p[PATH_MAX];
	int cfd, sfd, afd, ret = -1;

	as_pin_path(p, sizeof(p), "maps/counters");
	cfd = bpf_obj_get(p);
	as_pin_path(p, sizeof(p), "maps/slot_counters");
	sfd = bpf_obj_get(p);
	as_pin_path(p, sizeof(p), "maps/approvals");
	afd = bpf_obj_get(p);
	if (cfd < 0 || sfd < 0 || afd < 0 || as_counters_read(cfd, r->c) ||
	    as_slot_counters_read(sfd, r->slots))
		goto out;
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_report_slot *s = &r->slots[i];
		struct as_approval a;

		if (bpf_map_lookup_elem(afd, &i, &a) || !a.active)
			continue;
		s->active = true;
		s->type = a.type;
		s->from_ns = a.valid_from_ns;
		s->until_ns = a.valid_until_ns;
		if (st->slots[i].used)
			snprintf(s->id, sizeof(s->id), "%s", st->slots[i].id);
	}
	ret = 0;
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	if (afd >= 0)
		close(afd);
	return ret;
}

static void report_usage(FILE *f)
{
	fputs("Usage: autoselctl report [--json] [--from TIME] [--until TIME] [--snapshot]\n"
	      "\n"
	      "What the Commission reports to the Diet: per measure type (ff, fd,\n"
	      "df) the approvals in force and the packets, flows and header bytes\n"
	      "they selected; deletions per reason.  The counts cover one interval:\n"
	      "since autosel.ko was loaded (its load time, load id and the boot are\n"
	      "printed) or, without it, since the first attach, until now.  --from\n"
	      "and --until must not ask for another interval: counts of a period\n"
	      "are the difference of two snapshots.  --snapshot also writes the\n"
	      "report to the state directory, chained with the audit log.\n", f);
}

static void read_epoch(struct as_epoch *ep, bool module)
{
	char v[64];

	memset(ep, 0, sizeof(*ep));
	ep->now_ns = as_now_ns();
	ep->module = module;
	as_read_line("/proc/sys/kernel/random/boot_id", ep->boot_id,
		     sizeof(ep->boot_id));
	if (!ep->boot_id[0])
		strcpy(ep->boot_id, "unknown");
	if (!module)
		return;
	as_read_line(AS_SYSFS "/load_id", ep->load_id, sizeof(ep->load_id));
	as_read_line(AS_SYSFS "/version", ep->version, sizeof(ep->version));
	as_read_line(AS_SYSFS "/build", ep->build, sizeof(ep->build));
	as_read_line(AS_SYSFS "/load_time", v, sizeof(v));
	/* A module without the epoch files: an older build. */
	if (!ep->load_id[0] || !v[0]) {
		ep->module = false;
		return;
	}
	ep->load_ns = strtoull(v, NULL, 10);
}

/*
 * The counters answer one interval, [start, now]; a period other than
 * that (to the second) is refused rather than answered with wrong counts.
 */
static int check_period(const struct as_epoch *ep, bool has_from,
			uint64_t from, bool has_until, uint64_t until)
{
	const uint64_t sec = 1000000000ULL;
	char a[40], b[40], c[40];

	as_format_rfc3339(ep->now_ns, b, sizeof(b));
	if (has_until && until + sec < ep->now_ns) {
		as_format_rfc3339(until, c, sizeof(c));
		return as_err("report: the counters run until now (%s), not until %s: the counts of a period are the difference of two snapshots taken at its ends (report --snapshot)",
			      b, c);
	}
	if (!has_from)
		return 0;
	as_format_rfc3339(from, c, sizeof(c));
	if (!ep->module)
		return as_err("report: the counters (pinned maps) count since the first attach, whose time is not recorded: they cannot give counts from %s; take snapshots (report --snapshot)",
			      c);
	as_format_rfc3339(ep->load_ns, a, sizeof(a));
	if (from / sec != ep->load_ns / sec)
		return as_err("report: the counters cover %s .. %s (since autosel.ko was loaded, load id %s), not from %s: the counts of a period are the difference of two snapshots taken at its ends (report --snapshot)",
			      a, b, ep->load_id, c);
	return 0;
}

/* SHA-256 of the audit log's last line (with its newline); "" if none. */
static int audit_tail_sha(const char *path, char hex[65])
{
	uint8_t *buf;
	size_t len, start;
	char err[256];

	hex[0] = '\0';
	if (access(path, F_OK))
		return 0;
	if (as_read_file(path, SIZE_MAX / 2, &buf, &len, err, sizeof(err)))
		return as_err("%s", err);
	if (len) {
		start = len - 1;
		while (start && buf[start - 1] != '\n')
			start--;
		as_sha256_hex(buf + start, len - start, hex);
	}
	free(buf);
	return 0;
}

static const char *audit_path(void)
{
	const char *e = getenv("AUTOSEL_AUDIT_LOG");

	return e && *e ? e : AS_AUDIT_LOG_DEFAULT;
}

/*
 * report --snapshot: the JSON report plus the SHA-256 of the audit log's
 * last line goes to STATE/snapshots/TIME.json, and the audit log gets a
 * line with the snapshot's SHA-256: each names the other's predecessor,
 * so neither can be rewritten or dropped unnoticed.
 */
static int snapshot(const struct as_report *r, const struct as_epoch *ep,
		    const char *source, uint64_t from, uint64_t until,
		    bool json)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], tmp[PATH_MAX + 80];
	char tail[65], sha[65], when[40], err[256], reason[200];
	struct as_audit_ev ev = { .action = "snapshot", .reason = reason };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fd, ret = EXIT_RUNTIME;

	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (audit_tail_sha(audit_path(), tail))
		return EXIT_RUNTIME;
	f = open_memstream(&buf, &len);
	if (!f)
		return as_err("out of memory");
	as_diet_report_print_epoch(f, r, source, from, until, true, ep);
	/* {the report...,"audit_log":...,"audit_log_tail_sha256":...}\n */
	if (fflush(f) || len < 2 || fseek(f, -2, SEEK_CUR)) {
		fclose(f);
		free(buf);
		return as_err("out of memory");
	}
	fprintf(f, ",\"audit_log\":");
	as_json_str(f, audit_path());
	fprintf(f, ",\"audit_log_tail_sha256\":");
	if (tail[0])
		as_json_str(f, tail);
	else
		fputs("null", f);
	fprintf(f, "}\n");
	if (fclose(f))
		return as_err("out of memory");
	as_sha256_hex(buf, len, sha);
	snprintf(dir, sizeof(dir), "%s/snapshots", as_state_dir());
	if ((mkdir(as_state_dir(), 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST)) {
		ret = as_err("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	as_format_rfc3339(ep->now_ns - ep->now_ns % 1000000000ULL, when,
			  sizeof(when));
	snprintf(path, sizeof(path), "%s/%s-%.12s.json", dir, when, sha);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) ||
	    close(fd) || rename(tmp, path)) {
		ret = as_err("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ev.result = "ok";
	ev.id = strrchr(path, '/') + 1;
	ev.sha = sha;
	snprintf(reason, sizeof(reason), "counts of %s %s until %s",
		 ep->module ? "load" : "boot",
		 ep->module ? ep->load_id : ep->boot_id, when);
	if (as_audit(&ev)) {
		ret = as_err("cannot append to the audit log %s", audit_path());
		goto out;
	}
	if (json) {
		printf("{\"snapshot\":");
		as_json_str(stdout, path);
		printf(",\"sha256\":\"%s\"}\n", sha);
	} else {
		printf("snapshot %s sha256 %s\n", path, sha);
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct as_report *r = calloc(1, sizeof(*r));
	uint64_t from = as_now_ns(), until = from;
	char err[RULES_ERR_MAX], p[PATH_MAX];
	struct as_state st = { 0 };
	struct as_epoch ep;
	bool json = false, module, snap = false, has_from = false,
	     has_until = false;
	int ret = EXIT_RUNTIME;

	if (!r)
		return as_err("out of memory");
	for (int i = 0; i < argc; i++) {
		uint64_t *t = NULL;

		if (as_is_help(argv[i])) {
			report_usage(stdout);
			free(r);
			return 0;
		}
		if (as_is_json(argv[i])) {
			json = true;
			continue;
		}
		if (!strcmp(argv[i], "--snapshot")) {
			snap = true;
			continue;
		}
		if (!strcmp(argv[i], "--from")) {
			t = &from;
			has_from = true;
		} else if (!strcmp(argv[i], "--until")) {
			t = &until;
			has_until = true;
		}
		if (!t || i + 1 >= argc) {
			free(r);
			return as_usage_err(t ? "report: %s needs a value" :
					    "report: unknown argument '%s' (see 'autoselctl report help')",
					    argv[i]);
		}
		if (as_parse_rfc3339(argv[++i], t)) {
			free(r);
			return as_usage_err("report: bad time '%s' (RFC 3339, e.g. 2026-04-01T00:00:00Z)",
					    argv[i]);
		}
	}
	if (!has_from && from > until)
		from = until;
	if (from > until) {
		free(r);
		return as_usage_err("report: --from is after --until");
	}
	if (snap && (has_from || has_until)) {
		free(r);
		return as_usage_err("report: --snapshot takes no --from or --until");
	}
	if (as_state_load(&st, err, sizeof(err))) {
		ret = as_err("%s", err);
		goto out;
	}
	module = !access(AS_SYSFS "/seen", R_OK);
	as_pin_path(p, sizeof(p), "prog");
	if (module ? as_report_from_module(r) :
	    access(p, F_OK) ? (errno = ENOENT, -1) : from_maps(r, &st)) {
		ret = as_err(module ? "cannot read %s: %s" :
			     "no counters: autosel.ko is not loaded and nothing is attached (%s: %s)",
			     module ? AS_SYSFS : p, strerror(errno));
		goto out;
	}
	read_epoch(&ep, module);
	if (check_period(&ep, has_from, from, has_until, until))
		goto out;
	if (!has_from && ep.module)
		from = ep.load_ns;
	if (snap)
		ret = snapshot(r, &ep, module ? "module" : "maps", from, until,
			       json);
	else
		as_diet_report_print_epoch(stdout, r, module ? "module" : "maps",
					   from, until, json, &ep);
	if (!snap)
		ret = 0;
out:
	as_state_free(&st);
	free(r);
	return ret;
}

/* ---- status ---------------------------------------------------------------- */

static void status_usage(FILE *f)
{
	fputs("Usage: autoselctl status [--json]\n"
	      "\n"
	      "What is in force: the domestic map and the approvals installed\n"
	      "(window, serial, SHA-256, slot, state), the rule-set generation and\n"
	      "the ports the filter is attached to.\n", f);
}

static const char *slot_state(const struct st_slot *s, uint64_t now)
{
	if (now < s->from_ns)
		return "pending";
	if (now >= s->until_ns)
		return "expired";
	return "active";
}

/*
 * What runs, next to what the state says: the generation in the config
 * map of the program on each attached port (as_port_prog(): also one an
 * interrupted swap left), an unfinished change (state.new), pins without
 * a port.  Each with what to do about it (autoselctl.rst, "Recovery").
 */
static void status_in_force(const struct as_state *st, bool json,
			    bool no_ports)
{
	struct as_state nst;
	char p[PATH_MAX], err[RULES_ERR_MAX];
	bool pending = false, first = true, stale;
	struct dirent *e;
	DIR *d;

	if (as_state_pending() &&
	    !as_state_load_pending(&nst, &pending, err, sizeof(err)))
		as_state_free(&nst);
	else if (as_state_pending())
		pending = true, nst.generation = 0;	/* damaged: discarded */
	stale = no_ports && as_pins_on_bpffs() && !access(as_pin_dir(), F_OK);
	if (json) {
		printf(",\"in_force\":[");
	}
	as_pin_path(p, sizeof(p), "dev");
	d = opendir(p);
	while (d && (e = readdir(d))) {
		__u32 mode;
		uint32_t gen = 0;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = as_port_prog((int)if_nametoindex(e->d_name), &mode);
		if (fd >= 0) {
			gen = as_prog_generation(fd);
			close(fd);
		}
		if (json) {
			printf("%s{\"interface\":", first ? "" : ",");
			as_json_str(stdout, e->d_name);
			printf(",\"generation\":");
			if (fd >= 0)
				printf("%u}", gen);
			else
				printf("null}");
		} else if (fd < 0) {
			printf("in force          nothing of ours on %s: 'autoselctl detach dev %s' forgets it\n",
			       e->d_name, e->d_name);
		} else {
			printf("in force          generation %u on %s%s\n", gen,
			       e->d_name,
			       gen == st->generation || pending ? "" :
			       " (not the state's: 'autoselctl recover')");
		}
		first = false;
	}
	if (d)
		closedir(d);
	if (json) {
		printf("],\"pending\":");
		if (pending)
			printf("{\"generation\":%u}", nst.generation);
		else
			printf("null");
		printf(",\"stale_pins\":%s}\n", stale ? "true" : "false");
		return;
	}
	if (pending)
		printf("unfinished change %s/state.new (generation %u): the next install, remove, expire, attach or detach completes it, or 'autoselctl recover'\n",
		       st->dir, nst.generation);
	if (stale)
		printf("stale pins        %s holds pins of an interrupted attach or detach: the next attach or detach removes them\n",
		       as_pin_dir());
}

int cmd_status(int argc, char **argv)
{
	char err[RULES_ERR_MAX], p[PATH_MAX], a[40], b[40];
	struct as_state st;
	const char *trust = getenv("AUTOSEL_TRUST");
	uint64_t now = as_now_ns();
	bool json = false, first = true;
	struct dirent *e;
	DIR *d;
	int ret;

	if (!trust || !*trust)
		trust = AS_TRUST_DEFAULT;

	ret = as_json_only_args(argc, argv, "status", status_usage, &json);
	if (ret >= 0)
		return ret;
	if (as_state_load(&st, err, sizeof(err)))
		return as_err("%s", err);
	if (json) {
		printf("{\"state_dir\":");
		as_json_str(stdout, st.dir);
		printf(",\"trust_file\":");
		as_json_str(stdout, trust);
		printf(",\"generation\":%u,\"domestic_map\":", st.generation);
		if (st.has_domestic) {
			printf("{\"id\":");
			as_json_str(stdout, st.domestic.id);
			printf(",\"serial\":%" PRIu64 ",\"sha256\":\"%s\",\"signers\":",
			       st.domestic.serial, st.domestic.sha);
			as_json_str(stdout, st.domestic.signers);
			printf("}");
		} else {
			printf("null");
		}
		printf(",\"approvals\":[");
	} else {
		printf("state directory   %s\ntrust file        %s\ngeneration        %u\n",
		       st.dir, trust, st.generation);
		if (st.has_domestic)
			printf("domestic map      %s serial %" PRIu64 " sha256 %s\n",
			       st.domestic.id, st.domestic.serial,
			       st.domestic.sha);
		else
			printf("domestic map      none installed\n");
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st.slots[i];

		if (!s->used)
			continue;
		as_format_rfc3339(s->from_ns, a, sizeof(a));
		as_format_rfc3339(s->until_ns, b, sizeof(b));
		if (json) {
			printf("%s{\"slot\":%d,\"id\":", first ? "" : ",", i);
			as_json_str(stdout, s->id);
			printf(",\"type\":\"%s\",\"valid_from\":\"%s\",\"valid_until\":\"%s\""
			       ",\"serial\":%" PRIu64 ",\"sha256\":\"%s\",\"uid\":%u"
			       ",\"state\":\"%s\",\"signers\":",
			       dir_names[s->type], a, b, s->serial, s->sha,
			       s->uid, slot_state(s, now));
			as_json_str(stdout, s->signers);
			printf("}");
		} else {
			printf("approval %-16s slot %-2d %s %s .. %s serial %" PRIu64
			       " %s sha256 %s\n", s->id, i, dir_names[s->type],
			       a, b, s->serial, slot_state(s, now), s->sha);
		}
		first = false;
	}
	if (json) {
		printf("],\"removed_or_expired\":[");
		first = true;
		for (size_t i = 0; i < st.n_serials; i++) {
			if (!strcmp(st.serials[i].last, "installed"))
				continue;
			printf("%s{\"id\":", first ? "" : ",");
			as_json_str(stdout, st.serials[i].id);
			printf(",\"serial\":%" PRIu64 ",\"state\":\"%s\"}",
			       st.serials[i].serial, st.serials[i].last);
			first = false;
		}
		printf("],\"interfaces\":[");
	} else {
		for (size_t i = 0; i < st.n_serials; i++)
			if (strcmp(st.serials[i].last, "installed"))
				printf("%-17s %s (last serial %" PRIu64 ")\n",
				       st.serials[i].last, st.serials[i].id,
				       st.serials[i].serial);
		printf("interfaces       ");
	}
	first = true;
	as_pin_path(p, sizeof(p), "dev");
	d = opendir(p);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (json) {
			printf("%s", first ? "" : ",");
			as_json_str(stdout, e->d_name);
		} else {
			printf(" %s", e->d_name);
		}
		first = false;
	}
	if (d)
		closedir(d);
	if (json)
		printf("],\"module\":%s", as_control_present() ? "true" : "false");
	else
		printf("%s\nautosel.ko        %s\n", first ? " (not attached)" : "",
		       as_control_present() ? "loaded" : "not loaded");
	status_in_force(&st, json, first);
	as_state_free(&st);
	return 0;
}
