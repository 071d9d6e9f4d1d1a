/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the per-CPU counter maps and printing them, for `replay` and
 * `stats` alike, so both show the same names in the same order.
 */
#ifndef AUTOSEL_COUNTERS_H
#define AUTOSEL_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "autosel/abi.h"

struct as_report_slot {
	bool active;
	char id[64];		/* "" if unknown */
	uint8_t type;
	uint64_t from_ns, until_ns;
	struct {		/* struct as_slot_counters, in uint64_t */
		uint64_t packets, flows, bytes, kept_bytes;
		uint64_t flows_kind[AS_KIND_NR];	/* enum as_kind */
		uint64_t flows_evicted;
	} c;
};

struct as_report {
	uint64_t c[AS_C_MAX];
	struct as_report_slot slots[AS_MAX_SLOTS];
	/* replay only */
	bool replay;
	uint64_t packets_read;
	uint64_t not_run;	/* frames BPF_PROG_TEST_RUN refused */
	uint64_t records_written;
	/* stats only */
	bool stats;
	bool in_module;		/* the kfunc flavour: counters in autosel.ko */
	bool from_module;	/* ... and read from /sys/kernel/autosel */
	char **ifaces;
	size_t n_ifaces;
};

/* Sum the per-CPU values of the counters / slot_counters maps. */
int as_counters_read(int counters_fd, uint64_t c[AS_C_MAX]);
int as_slot_counters_read(int fd, struct as_report_slot slots[AS_MAX_SLOTS]);

void as_report_print(FILE *f, const struct as_report *r, bool json);

/*
 * Flows by the kind of indicator that opened them, as text
 * "(ip N, dns N, sni N, http N, quic N)" or as JSON "flows_by_kind":{"ip":N,...}.
 */
void as_print_flow_kinds(FILE *f, const uint64_t k[AS_KIND_NR], bool json);
void as_print_approvals_json(FILE *f, const struct as_report_slot *slots);

#endif
