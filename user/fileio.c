// SPDX-License-Identifier: GPL-2.0
/* Reading files whole or by their first line, replacing one atomically (fileio.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int as_write_file_atomic(const char *path, const void *buf, size_t len,
			 unsigned int mode, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dlen = slash ? (int)(slash - path) : 0;
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = buf;
	int fd, dfd;

	if (!*base) {
		snprintf(err, errlen, "%s: not a file name", path);
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s%s.%s.XXXXXX", dlen, path,
			     slash ? "/" : "", base) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (dlen ? dlen : 1) : 1,
		 slash ? path : ".");
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode))
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	/* The rename itself on disk: a crash after this keeps the new file. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
