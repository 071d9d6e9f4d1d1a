/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of `stats` in the Prometheus text exposition format
 * (metrics.c; the names are listed in Documentation/autoselctl.rst).
 */
#ifndef AUTOSEL_METRICS_H
#define AUTOSEL_METRICS_H

#include <stdio.h>

#include "counters.h"

/* Every metric of r, with HELP and TYPE lines, to f. */
void as_metrics_print(FILE *f, const struct as_report *r);

/*
 * The same into path for node_exporter's textfile collector: written
 * whole to a temporary file and renamed (fileio.h), mode 0644.
 * 0, or -1 with one line in err.
 */
int as_metrics_write(const char *path, const struct as_report *r, char *err,
		     size_t errlen);

#endif
