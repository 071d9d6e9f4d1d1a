// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 3339 timestamps, the only time format autoselctl reads or writes:
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).  A time without a zone is
 * refused, because an approval window must not depend on the host's TZ.
 * And the time now (as_now_ns()), which every window is judged against.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return -1;
	(*p)++;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

int as_parse_rfc3339(const char *s, uint64_t *ns)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	uint64_t frac = 0, scale = 1000000000ULL;
	struct tm tm = { 0 };
	const char *p = s;
	time_t t;

	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) ||
	    expect(&p, "-") || digits(&p, 2, &d) || expect(&p, "Tt") ||
	    digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &mi) ||
	    expect(&p, ":") || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	/* Leap seconds (sec == 60) are not representable in time_t: refuse. */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0 || (uint64_t)t > UINT64_MAX / 1000000000ULL - 1)
		return -1;
	*ns = (uint64_t)t * 1000000000ULL + frac;
	return 0;
}

void as_format_rfc3339(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	unsigned int frac = (unsigned int)(ns % 1000000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (frac)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

uint64_t as_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
