// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition format (version 0.0.4) of the counters that
 * `stats` reads: the same struct as_report as the text and --json, so the
 * three never disagree.  Names follow Prometheus' conventions: autosel_
 * prefix, base units (bytes, seconds), _total on counters, what varies in
 * labels (reason, approval, type, kind), no metric that is the sum of
 * another's series (autosel_deleted_packets_total has one series per
 * reason; their sum is `deleted`).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "metrics.h"

static const char *const reason_names[] = AS_REASON_NAMES;
static const char *const dir_names[] = AS_DIR_NAMES;
static const char *const kind_names[] = AS_KIND_NAMES;
static const char *const names_events[] = AS_NAMES_EVENT_NAMES;

/*
 * A label value: '\\', '"' and newline escaped as the format says; the
 * text is UTF-8, so a byte that is not part of well-formed UTF-8 becomes
 * U+FFFD, as in JSON.
 */
static void label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '\\' || *p == '"') {
			fprintf(f, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = as_utf8_len(p))) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\xef\xbf\xbd", f);
			p++;
		}
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *f, const char *name, const char *type,
		const char *help, uint64_t v)
{
	head(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

/* name{approval="ID",type="T"[,kind="K"]} */
static void approval_labels(FILE *f, const char *name,
			    const struct as_report_slot *s, const char *kind)
{
	fprintf(f, "%s{approval=", name);
	label_value(f, *s->id ? s->id : "?");
	fprintf(f, ",type=\"%s\"", s->type < AS_DIR_MAX ? dir_names[s->type] : "?");
	if (kind)
		fprintf(f, ",kind=\"%s\"", kind);
	fputc('}', f);
}

enum slot_field { F_PACKETS, F_FLOWS, F_BYTES, F_KEPT, F_FROM, F_UNTIL };

static void per_approval(FILE *f, const struct as_report *r, const char *name,
			 const char *type, const char *help,
			 enum slot_field which)
{
	head(f, name, type, help);
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &r->slots[i];
		uint64_t v = 0;

		if (!s->active)
			continue;
		switch (which) {
		case F_PACKETS: v = s->c.packets; break;
		case F_FLOWS:	v = s->c.flows; break;
		case F_BYTES:	v = s->c.bytes; break;
		case F_KEPT:	v = s->c.kept_bytes; break;
		case F_FROM:	v = s->from_ns / 1000000000ULL; break;
		case F_UNTIL:	v = s->until_ns / 1000000000ULL; break;
		}
		approval_labels(f, name, s, NULL);
		fprintf(f, " %" PRIu64 "\n", v);
	}
}

void as_metrics_print(FILE *f, const struct as_report *r)
{
	const uint64_t *c = r->c;

	head(f, "autosel_build_info", "gauge",
	     "autoselctl's release and source revision; always 1.");
	fputs("autosel_build_info{version=", f);
	label_value(f, AUTOSEL_VERSION);
	fputs(",revision=", f);
	label_value(f, AUTOSEL_BUILD);
	fputs("} 1\n", f);
	head(f, "autosel_interface_info", "gauge",
	     "A capture interface autosel is attached to; always 1.");
	for (size_t i = 0; i < r->n_ifaces; i++) {
		fputs("autosel_interface_info{interface=", f);
		label_value(f, r->ifaces[i]);
		fputs("} 1\n", f);
	}
	one(f, "autosel_counters_in_module", "gauge",
	    "1 if the attached program counts in autosel.ko (the kfunc flavour).",
	    r->in_module);
	one(f, "autosel_counters_from_module", "gauge",
	    "1 if the counts are autosel.ko's (/sys/kernel/autosel), 0 if the pinned maps'.",
	    r->from_module);
	one(f, "autosel_packets_seen_total", "counter",
	    "Packets the filter judged.", c[AS_C_SEEN]);
	one(f, "autosel_bytes_seen_total", "counter",
	    "Bytes of the packets the filter judged.", c[AS_C_SEEN_BYTES]);
	one(f, "autosel_selected_packets_total", "counter",
	    "Packets selected: kept as header-only records.", c[AS_C_SELECTED]);
	one(f, "autosel_selected_bytes_total", "counter",
	    "Bytes of the selected packets before truncation.",
	    c[AS_C_SELECTED_BYTES]);
	one(f, "autosel_kept_bytes_total", "counter",
	    "Header bytes kept of the selected packets.", c[AS_C_KEPT_BYTES]);
	one(f, "autosel_discarded_payload_bytes_total", "counter",
	    "Bytes truncation removed from the selected packets.",
	    c[AS_C_DISCARDED_PAYLOAD]);
	head(f, "autosel_deleted_packets_total", "counter",
	     "Packets deleted in the driver, by reason.");
	for (int i = 0; i < AS_DEL_MAX; i++)
		fprintf(f, "autosel_deleted_packets_total{reason=\"%s\"} %" PRIu64 "\n",
			reason_names[i], c[AS_C_DEL_REASON + i]);
	one(f, "autosel_deleted_bytes_total", "counter",
	    "Bytes of the deleted packets.", c[AS_C_DELETED_BYTES]);
	head(f, "autosel_names_events_total", "counter",
	     "What the name extraction met (ech: ClientHellos with encrypted_client_hello, matched on the outer name only; hello_split: ClientHellos read over several TCP segments; hello_incomplete: those given up).");
	for (int i = 0; i < AS_NE_MAX; i++)
		fprintf(f, "autosel_names_events_total{event=\"%s\"} %" PRIu64 "\n",
			names_events[i], c[AS_C_NAMES + i]);
	per_approval(f, r, "autosel_approval_selected_packets_total", "counter",
		     "Packets selected for an approval.", F_PACKETS);
	per_approval(f, r, "autosel_approval_selected_flows_total", "counter",
		     "Flows an approval selected.", F_FLOWS);
	head(f, "autosel_approval_new_flows_total", "counter",
	     "Flows an approval selected, by the kind of indicator that opened them.");
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct as_report_slot *s = &r->slots[i];

		for (int k = 0; s->active && k < AS_KIND_NR; k++) {
			approval_labels(f, "autosel_approval_new_flows_total",
					s, kind_names[k]);
			fprintf(f, " %" PRIu64 "\n", s->c.flows_kind[k]);
		}
	}
	per_approval(f, r, "autosel_approval_selected_bytes_total", "counter",
		     "Bytes of the packets selected for an approval, before truncation.",
		     F_BYTES);
	per_approval(f, r, "autosel_approval_kept_bytes_total", "counter",
		     "Header bytes kept for an approval.", F_KEPT);
	per_approval(f, r, "autosel_approval_valid_from_seconds", "gauge",
		     "Start of an approval's window, Unix time.", F_FROM);
	per_approval(f, r, "autosel_approval_valid_until_seconds", "gauge",
		     "End of an approval's window, Unix time.", F_UNTIL);
}

int as_metrics_write(const char *path, const struct as_report *r, char *err,
		     size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	as_metrics_print(f, r);
	if (fclose(f)) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ret = as_write_file_atomic(path, buf, len, 0644, err, errlen);
	free(buf);
	return ret;
}
