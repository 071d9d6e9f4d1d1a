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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "autoselctl.h"
#include "control.h"
#include "counters.h"
#include "install.h"
#include "report.h"
#include "state.h"

static const char *const reason_names[] = AS_REASON_NAMES;
static const char *const dir_names[] = AS_DIR_NAMES;
static const char *const kind_names[] = AS_KIND_NAMES;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *pin_dir(void)
{
	const char *e = getenv("AUTOSEL_PIN_DIR");

	return e && *e ? e : AS_PIN_DIR_DEFAULT;
}

/* ---- report ---------------------------------------------------------------- */

void as_diet_report_print(FILE *f, const struct as_report *r,
			  const char *source, uint64_t from_ns,
			  uint64_t until_ns, bool json)
{
	struct {
		uint64_t in_force, packets, flows, kept;
		uint64_t flows_kind[AS_KIND_NR];
	} m[AS_DIR_DD] = { 0 };
	char from[40], until[40], a[40], b[40];
	bool first = true;

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
	fprintf(f, "},\"approvals\":[");
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &r->slots[i];

		if (!s->active)
			continue;
		as_format_rfc3339(s->from_ns, a, sizeof(a));
		as_format_rfc3339(s->until_ns, b, sizeof(b));
		fprintf(f, "%s{\"slot\":%d,\"id\":", first ? "" : ",", i);
		as_json_str(f, s->id);
		fprintf(f, ",\"type\":\"%s\",\"valid_from\":\"%s\",\"valid_until\":\"%s\""
			",\"packets\":%" PRIu64 ",\"flows\":%" PRIu64 ",",
			s->type < AS_DIR_MAX ? dir_names[s->type] : "?", a, b,
			s->c.packets, s->c.flows);
		as_print_flow_kinds(f, s->c.flows_kind, true);
		fprintf(f, ",\"bytes\":%" PRIu64 ",\"kept_bytes\":%" PRIu64 "}",
			s->c.bytes, s->c.kept_bytes);
		first = false;
	}
	fprintf(f, "]}\n");
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

	for (int i = 0; i < AS_C_MAX; i++) {
		if (i < AS_C_DEL_REASON)
			snprintf(p, sizeof(p), "%s/%s", AS_SYSFS, names[i]);
		else
			snprintf(p, sizeof(p), "%s/deleted_%s", AS_SYSFS,
				 reason_names[i - AS_C_DEL_REASON]);
		if (read_u64(p, &r->c[i]))
			return -1;
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

	snprintf(p, sizeof(p), "%s/maps/counters", pin_dir());
	cfd = bpf_obj_get(p);
	snprintf(p, sizeof(p), "%s/maps/slot_counters", pin_dir());
	sfd = bpf_obj_get(p);
	snprintf(p, sizeof(p), "%s/maps/approvals", pin_dir());
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
	fputs("Usage: autoselctl report [--json] [--from TIME] [--until TIME]\n"
	      "\n"
	      "What the Commission reports to the Diet: per measure type (ff, fd,\n"
	      "df) the approvals in force in the period (default: now) and the\n"
	      "packets, flows and header bytes they selected; deletions per\n"
	      "reason.  Counts are since the counters started (autosel.ko loaded,\n"
	      "or the first attach), read from /sys/kernel/autosel when autosel.ko\n"
	      "is loaded, else from the pinned maps.\n", f);
}

int cmd_report(int argc, char **argv)
{
	struct as_report *r = calloc(1, sizeof(*r));
	uint64_t from = now_ns(), until = from;
	char err[RULES_ERR_MAX], p[PATH_MAX];
	struct as_state st = { 0 };
	bool json = false, module;
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
		if (!strcmp(argv[i], "--from"))
			t = &from;
		else if (!strcmp(argv[i], "--until"))
			t = &until;
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
	if (from > until) {
		free(r);
		return as_usage_err("report: --from is after --until");
	}
	if (as_state_load(&st, err, sizeof(err))) {
		ret = as_err("%s", err);
		goto out;
	}
	module = !access(AS_SYSFS "/seen", R_OK);
	snprintf(p, sizeof(p), "%s/prog", pin_dir());
	if (module ? as_report_from_module(r) :
	    access(p, F_OK) ? (errno = ENOENT, -1) : from_maps(r, &st)) {
		ret = as_err(module ? "cannot read %s: %s" :
			     "no counters: autosel.ko is not loaded and nothing is attached (%s: %s)",
			     module ? AS_SYSFS : p, strerror(errno));
		goto out;
	}
	as_diet_report_print(stdout, r, module ? "module" : "maps", from,
			     until, json);
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

int cmd_status(int argc, char **argv)
{
	char err[RULES_ERR_MAX], p[PATH_MAX], a[40], b[40];
	struct as_state st;
	const char *trust = getenv("AUTOSEL_TRUST");
	uint64_t now = now_ns();
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
	snprintf(p, sizeof(p), "%s/dev", pin_dir());
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
		printf("],\"module\":%s}\n", as_control_present() ? "true" : "false");
	else
		printf("%s\nautosel.ko        %s\n", first ? " (not attached)" : "",
		       as_control_present() ? "loaded" : "not loaded");
	as_state_free(&st);
	return 0;
}
