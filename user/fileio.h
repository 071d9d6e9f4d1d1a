/* SPDX-License-Identifier: GPL-2.0 */
/* Reading files (fileio.c). */
#ifndef AUTOSEL_FILEIO_H
#define AUTOSEL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read a whole file ("-" is standard input) of at most max bytes into a
 * malloc'ed buffer.  Returns 0, or -1 with one line in err.
 */
int as_read_file(const char *path, size_t max, uint8_t **out, size_t *outlen,
		 char *err, size_t errlen);
/* The first line of a file without its newline; "" if unreadable. */
void as_read_line(const char *path, char *buf, size_t len);
/*
 * Replace path with buf[0..len) so that a reader sees the old file or the
 * new one, never a part: a temporary ".NAME.XXXXXX" in the same directory
 * (a name no collector that globs "*.prom" or "*.log" picks up), given
 * mode, written, fsync'ed, renamed over path, the directory fsync'ed.
 * Returns 0, or -1 with one line in err and nothing left behind.
 */
int as_write_file_atomic(const char *path, const void *buf, size_t len,
			 unsigned int mode, char *err, size_t errlen);

#endif
