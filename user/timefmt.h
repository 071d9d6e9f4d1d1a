/* SPDX-License-Identifier: GPL-2.0 */
/* Time (timefmt.c): RFC 3339 <-> ns since the epoch, and the time now. */
#ifndef AUTOSEL_TIMEFMT_H
#define AUTOSEL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

int as_parse_rfc3339(const char *s, uint64_t *ns);
void as_format_rfc3339(uint64_t ns, char *buf, size_t len);
/* CLOCK_REALTIME in ns since the epoch. */
uint64_t as_now_ns(void);

#endif
