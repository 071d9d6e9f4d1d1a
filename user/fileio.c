// SPDX-License-Identifier: GPL-2.0
/* Reading files whole or by their first line (fileio.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

int as_read_file(const char *path, size_t max, uint8_t **out,
		     size_t *outlen, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	*out = NULL;
	*outlen = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			uint8_t *nb;

			if (cap > max) {
				snprintf(err, errlen, "%s: larger than %zu bytes",
					 path, max);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	if (len > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*out = buf;
	*outlen = len;
	return 0;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return -1;
}

void as_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}
