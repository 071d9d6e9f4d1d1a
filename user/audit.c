// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log: syslog(3) and an append-only file, one line per event.
 *
 * The file is opened O_APPEND and, where the file system supports it,
 * given the append-only attribute (FS_APPEND_FL, chattr +a): then even
 * root must remove the attribute (CAP_LINUX_IMMUTABLE) before rewriting
 * history, which itself is visible.  Each line goes out in one write(2),
 * so lines of concurrent writers never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "autoselctl.h"

static int audit_fd = -1;

static const char *log_path(void)
{
	const char *e = getenv("AUTOSEL_AUDIT_LOG");

	return e && *e ? e : AS_AUDIT_LOG_DEFAULT;
}

int as_audit_open(char *err, size_t errlen)
{
	const char *path = log_path();
	char dir[PATH_MAX];
	char *slash;
	int fd, flags;

	if (audit_fd >= 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir,
				 strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the audit log %s: %s", path,
			 strerror(errno));
		return -1;
	}
	/* Best effort: tmpfs and some others have no append-only flag. */
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags) && !(flags & FS_APPEND_FL)) {
		flags |= FS_APPEND_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	audit_fd = fd;
	openlog("autoselctl", LOG_PID, LOG_AUTH);
	return 0;
}

/* Printable, without quotes or backslashes: log lines stay parseable. */
static void clean(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	if (!src || !*src)
		src = "-";
	for (; *src && n + 1 < len; src++) {
		unsigned char c = (unsigned char)*src;

		dst[n++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ?
			   '?' : (char)c;
	}
	dst[n] = '\0';
}

int as_audit(const struct as_audit_ev *ev)
{
	char id[128], sha[80], signers[1200], reason[600], serial[24];
	char line[2200], now[40];
	struct timespec ts;
	char err[256];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Seconds: the log's time is when the event was recorded. */
	as_format_rfc3339((uint64_t)ts.tv_sec * 1000000000ULL, now,
			  sizeof(now));
	clean(id, sizeof(id), ev->id);
	clean(sha, sizeof(sha), ev->sha);
	clean(signers, sizeof(signers), ev->signers);
	clean(reason, sizeof(reason), ev->reason);
	if (ev->serial)
		snprintf(serial, sizeof(serial), "%llu",
			 (unsigned long long)ev->serial);
	else
		strcpy(serial, "-");
	n = snprintf(line, sizeof(line),
		     "%s %s result=%s id=%s serial=%s sha256=%s signers=%s reason=\"%s\"\n",
		     now, ev->action, ev->result, id, serial, sha, signers,
		     reason);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	if (audit_fd < 0 && as_audit_open(err, sizeof(err))) {
		/* Still to syslog: the event happened. */
		openlog("autoselctl", LOG_PID, LOG_AUTH);
		syslog(LOG_NOTICE, "%s", line + strlen(now) + 1);
		return -1;
	}
	syslog(LOG_NOTICE, "%.*s", n - 1 - (int)strlen(now) - 1,
	       line + strlen(now) + 1);
	return write(audit_fd, line, (size_t)n) == n ? 0 : -1;
}
