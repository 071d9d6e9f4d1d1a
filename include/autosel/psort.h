/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sorting the prefixes of the range builders (range4.h, range6.h), user
 * space only.  The loader adds each set's prefixes together, the indicators
 * already in order (rules_lpm_entries() sorts them to merge approvals), so
 * a set whose prefixes are in order is not sorted again: at a million
 * indicators per family that second sort took ~0.15 s of CPU (2.0 -> 1.85
 * s for an attach of 1M + 1M).
 */
#ifndef AUTOSEL_PSORT_H
#define AUTOSEL_PSORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef int (*as_pcmp_t)(const void *, const void *);

/*
 * Sort n elements of size bytes at base with cmp, which orders by the
 * uint8_t set at offset set_off first.  Where the sets come in runs of
 * increasing set, each run is checked and sorted alone if it must be.
 */
static inline void as_psort(void *base, size_t n, size_t size, size_t set_off,
			    as_pcmp_t cmp)
{
	uint8_t *p = base;
	size_t i = 0, j, k;

#define AS_PSET_OF(x) (p[(x) * size + set_off])
	while (i < n) {
		for (j = i + 1; j < n && AS_PSET_OF(j) == AS_PSET_OF(i); j++)
			;
		if (j < n && AS_PSET_OF(j) < AS_PSET_OF(i)) {
			qsort(base, n, size, cmp);	/* sets interleaved */
			return;
		}
		for (k = i + 1; k < j; k++)
			if (cmp(p + (k - 1) * size, p + k * size) > 0)
				break;
		if (k < j)
			qsort(p + i * size, j - i, size, cmp);
		i = j;
	}
#undef AS_PSET_OF
}

#endif /* AUTOSEL_PSORT_H */
