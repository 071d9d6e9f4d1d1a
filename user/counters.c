// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"
#include "json.h"
#include "timefmt.h"

static const char *const reason_names[] = AS_REASON_NAMES;
static const char *const dir_names[] = AS_DIR_NAMES;
static const char *const kind_names[] = AS_KIND_NAMES;
static const char *const names_events[] = AS_NAMES_EVENT_NAMES;

void as_print_flow_kinds(FILE *f, const uint64_t k[AS_KIND_NR], bool json)
{
	fputs(json ? "\"flows_by_kind\":{" : "(", f);
	for (int i = 0; i < AS_KIND_NR; i++) {
		const char *sep = i ? (json ? "," : ", ") : "";

		if (json)
			fprintf(f, "%s\"%s\":%" PRIu64, sep, kind_names[i], k[i]);
		else
			fprintf(f, "%s%s %" PRIu64, sep, kind_names[i], k[i]);
	}
	fputs(json ? "}" : ")", f);
}

/* The "approvals" array of stats, replay and report (--json). */
void as_print_approvals_json(FILE *f, const struct as_report_slot *slots)
{
	char from[40], until[40];
	bool first = true;

	fputc('[', f);
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &slots[i];

		if (!s->active)
			continue;
		as_format_rfc3339(s->from_ns, from, sizeof(from));
		as_format_rfc3339(s->until_ns, until, sizeof(until));
		fprintf(f, "%s{\"slot\":%d,\"id\":", first ? "" : ",", i);
		as_json_str(f, s->id);
		fprintf(f, ",\"type\":\"%s\",\"valid_from\":\"%s\","
			"\"valid_until\":\"%s\",\"packets\":%" PRIu64
			",\"flows\":%" PRIu64 ",",
			s->type < AS_DIR_MAX ? dir_names[s->type] : "?", from,
			until, s->c.packets, s->c.flows);
		as_print_flow_kinds(f, s->c.flows_kind, true);
		fprintf(f, ",\"flows_evicted\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"kept_bytes\":%" PRIu64 "}", s->c.flows_evicted,
			s->c.bytes, s->c.kept_bytes);
		first = false;
	}
	fputc(']', f);
}

int as_counters_read(int fd, uint64_t c[AS_C_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;

	if (ncpu <= 0)
		return -1;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -1;
	for (__u32 k = 0; k < AS_C_MAX; k++) {
		c[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -1;
		}
		for (int i = 0; i < ncpu; i++)
			c[k] += v[i];
	}
	free(v);
	return 0;
}

int as_slot_counters_read(int fd, struct as_report_slot slots[AS_MAX_SLOTS])
{
	int ncpu = libbpf_num_possible_cpus();
	struct as_slot_counters *v;

	if (ncpu <= 0)
		return -1;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -1;
	for (__u32 k = 0; k < AS_MAX_SLOTS; k++) {
		__typeof__(slots[k].c) *s = &slots[k].c;

		memset(s, 0, sizeof(*s));
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -1;
		}
		for (int i = 0; i < ncpu; i++) {
			s->packets += v[i].packets;
			s->flows += v[i].flows;
			s->bytes += v[i].bytes;
			s->kept_bytes += v[i].kept_bytes;
			for (int j = 0; j < AS_KIND_NR; j++)
				s->flows_kind[j] += v[i].flows_kind[j];
			s->flows_evicted += v[i].flows_evicted;
		}
	}
	free(v);
	return 0;
}

static void print_json(FILE *f, const struct as_report *r)
{
	const uint64_t *c = r->c;

	fprintf(f, "{");
	if (r->replay)
		fprintf(f, "\"packets_read\":%" PRIu64 ",\"not_run\":%" PRIu64
			",\"records_written\":%" PRIu64 ",",
			r->packets_read, r->not_run, r->records_written);
	if (r->stats) {
		fprintf(f, "\"interfaces\":[");
		for (size_t i = 0; i < r->n_ifaces; i++) {
			fputs(i ? "," : "", f);
			as_json_str(f, r->ifaces[i]);
		}
		fprintf(f, "],\"counters_in_module\":%s,\"counters_source\":\"%s\",",
			r->in_module ? "true" : "false",
			r->from_module ? "module" : "maps");
	}
	fprintf(f, "\"seen\":%" PRIu64 ",\"seen_bytes\":%" PRIu64
		",\"selected\":%" PRIu64 ",\"selected_bytes\":%" PRIu64
		",\"kept_bytes\":%" PRIu64 ",\"discarded_payload_bytes\":%" PRIu64
		",\"deleted\":%" PRIu64 ",\"deleted_bytes\":%" PRIu64
		",\"deleted_by_reason\":{",
		c[AS_C_SEEN], c[AS_C_SEEN_BYTES], c[AS_C_SELECTED],
		c[AS_C_SELECTED_BYTES], c[AS_C_KEPT_BYTES],
		c[AS_C_DISCARDED_PAYLOAD], c[AS_C_DELETED],
		c[AS_C_DELETED_BYTES]);
	for (int i = 0; i < AS_DEL_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", reason_names[i],
			c[AS_C_DEL_REASON + i]);
	fprintf(f, "},\"names\":{");
	for (int i = 0; i < AS_NE_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", names_events[i],
			c[AS_C_NAMES + i]);
	fprintf(f, "},\"approvals\":");
	as_print_approvals_json(f, r->slots);
	fprintf(f, "}\n");
}

static void print_human(FILE *f, const struct as_report *r)
{
	const uint64_t *c = r->c;
	char from[40], until[40];

	if (r->replay) {
		fprintf(f, "%-26s %" PRIu64 "\n", "packets read", r->packets_read);
		if (r->not_run)
			fprintf(f, "%-26s %" PRIu64 "  (refused by BPF_PROG_TEST_RUN: too short or too large; not judged)\n",
				"not run", r->not_run);
		fprintf(f, "%-26s %" PRIu64 "\n", "records written",
			r->records_written);
	}
	if (r->stats) {
		fprintf(f, "%-26s", "interfaces");
		for (size_t i = 0; i < r->n_ifaces; i++)
			fprintf(f, " %s", r->ifaces[i]);
		fputc('\n', f);
		if (r->from_module)
			fputs("counts from autosel.ko (/sys/kernel/autosel/)\n", f);
		else if (r->in_module)
			fputs("note: the attached program counts through autosel.ko;\n"
			      "      the counters below are not used, read /sys/kernel/autosel/\n", f);
	}
	fprintf(f, "%-26s %" PRIu64 "  (%" PRIu64 " bytes)\n", "seen",
		c[AS_C_SEEN], c[AS_C_SEEN_BYTES]);
	fprintf(f, "%-26s %" PRIu64 "  (%" PRIu64 " bytes)\n", "selected",
		c[AS_C_SELECTED], c[AS_C_SELECTED_BYTES]);
	fprintf(f, "%-26s %" PRIu64 "\n", "  header bytes kept",
		c[AS_C_KEPT_BYTES]);
	fprintf(f, "%-26s %" PRIu64 "\n", "  payload bytes discarded",
		c[AS_C_DISCARDED_PAYLOAD]);
	fprintf(f, "%-26s %" PRIu64 "  (%" PRIu64 " bytes)\n", "deleted",
		c[AS_C_DELETED], c[AS_C_DELETED_BYTES]);
	for (int i = 0; i < AS_DEL_MAX; i++)
		fprintf(f, "  %-24s %" PRIu64 "\n", reason_names[i],
			c[AS_C_DEL_REASON + i]);
	fprintf(f, "%-26s\n", "names (not verdicts)");
	for (int i = 0; i < AS_NE_MAX; i++)
		fprintf(f, "  %-24s %" PRIu64 "\n", names_events[i],
			c[AS_C_NAMES + i]);
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &r->slots[i];

		if (!s->active)
			continue;
		as_format_rfc3339(s->from_ns, from, sizeof(from));
		as_format_rfc3339(s->until_ns, until, sizeof(until));
		fprintf(f, "approval %s (slot %d, %s, %s .. %s): %" PRIu64
			" packets, %" PRIu64 " flows ",
			*s->id ? s->id : "?", i,
			s->type < AS_DIR_MAX ? dir_names[s->type] : "?", from,
			until, s->c.packets, s->c.flows);
		as_print_flow_kinds(f, s->c.flows_kind, false);
		if (s->c.flows_evicted)
			fprintf(f, ", %" PRIu64 " evicted", s->c.flows_evicted);
		fprintf(f, ", %" PRIu64 " bytes, %" PRIu64
			" header bytes kept\n", s->c.bytes, s->c.kept_bytes);
	}
}

void as_report_print(FILE *f, const struct as_report *r, bool json)
{
	if (json)
		print_json(f, r);
	else
		print_human(f, r);
}
