/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Commission's report to the Diet (autoselctl report, replay
 * --report): per measure type, the approvals in force in a period and what
 * they selected; the deletions per reason.
 */
#ifndef AUTOSEL_REPORT_H
#define AUTOSEL_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"

/*
 * source: "module", "maps" or "replay".  An approval is "in force" in the
 * period [from, until] when its window intersects it.
 */
void as_diet_report_print(FILE *f, const struct as_report *r,
			  const char *source, uint64_t from_ns,
			  uint64_t until_ns, bool json);

/*
 * What the live counters' counts are since: autosel.ko's load (its time
 * and random load id) on this boot, or, for the pinned maps, the first
 * attach (its time is not recorded).
 */
struct as_epoch {
	bool module;
	uint64_t load_ns;		/* module only */
	char load_id[40];		/* module only */
	char boot_id[40];		/* /proc/sys/kernel/random/boot_id */
	char version[64], build[64];	/* the module's */
	uint64_t now_ns;		/* when the counters were read */
};

/* The same report, saying what its counts cover (epoch may be NULL). */
void as_diet_report_print_epoch(FILE *f, const struct as_report *r,
				const char *source, uint64_t from_ns,
				uint64_t until_ns, bool json,
				const struct as_epoch *ep);

/*
 * Fill r's counters and per-approval slots from /sys/kernel/autosel
 * (autosel.ko's counts: per approval since it was bound).  0 or -1.
 */
int as_report_from_module(struct as_report *r);

#endif
