// SPDX-License-Identifier: GPL-2.0
/*
 * Fault points (fault.h): compiled only with -DAUTOSEL_FAULT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

#ifdef AUTOSEL_FAULT
bool as_fault_at(const char *step, bool can_fail)
{
	static unsigned int hits;
	const char *want = getenv("AUTOSEL_FAULT");
	size_t n = strlen(step);
	unsigned long nth = 1;
	const char *at;
	bool fail;

	if (!want || !*want)
		return false;
	if (!strcmp(want, "list")) {
		fprintf(stderr, "autoselctl: fault point %s%s\n", step,
			can_fail ? " (can fail)" : "");
		return false;
	}
	if (strncmp(want, step, n) || (want[n] && want[n] != ':' && want[n] != '@'))
		return false;
	fail = !strncmp(want + n, ":fail", 5);
	at = strchr(want + n, '@');
	if (at)
		nth = strtoul(at + 1, NULL, 10);
	if (++hits != nth)
		return false;
	if (!fail) {
		fflush(NULL);
		raise(SIGKILL);
	}
	if (!can_fail)
		return false;
	errno = EIO;
	return true;
}
#endif
