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
#include "cli.h"
#include "encode.h"
#include "fault.h"
#include "fileio.h"
#include "rules.h"
#include "timefmt.h"
#include "autosel/abi.h"

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

/*
 * Room for the lines of a change, claimed before the change is made: on a
 * full file system the change is refused with nothing changed, instead of
 * being made and then not logged.  fallocate(2) past the end without
 * changing the size (FALLOC_FL_KEEP_SIZE); a file system without it
 * (EOPNOTSUPP) is written without the claim.
 */
int as_audit_reserve(size_t bytes, char *err, size_t errlen)
{
	struct stat sb;
	int e;

	if (as_audit_open(err, errlen))
		return -1;
	if (AS_FAULT_FAIL("audit-reserve")) {
		e = errno;
	} else {
		if (fstat(audit_fd, &sb))
			e = errno;
		else
			e = fallocate(audit_fd, FALLOC_FL_KEEP_SIZE, sb.st_size,
				      (off_t)bytes) ? errno : 0;
		if (e == EOPNOTSUPP || e == ENOSYS)
			e = 0;
	}
	if (!e)
		return 0;
	snprintf(err, errlen, "cannot append to the audit log %s: %s; nothing changed",
		 log_path(), strerror(e));
	return -1;
}

/*
 * Printable, without quotes or backslashes (and, but in the reason,
 * without spaces): log lines stay parseable.
 */
static void clean(char *dst, size_t len, const char *src, bool spaces)
{
	size_t n = 0;

	if (!src || !*src)
		src = "-";
	for (; *src && n + 1 < len; src++) {
		unsigned char c = (unsigned char)*src;

		dst[n++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\' ||
			    (c == ' ' && !spaces)) ? '?' : (char)c;
	}
	dst[n] = '\0';
}

/*
 * Who: the real uid, the sudo(8) caller if any (SUDO_USER is only what
 * the environment says; loginuid is what the kernel's audit subsystem
 * kept from the login), and where: the host name.
 */
static void who(char *buf, size_t len)
{
	char sudo[64], luid[16], host[256], h[256] = "";
	unsigned long l;
	char *end;

	clean(sudo, sizeof(sudo), getenv("SUDO_USER"), false);
	as_read_line("/proc/self/loginuid", luid, sizeof(luid));
	l = strtoul(luid, &end, 10);
	/* (uid_t)-1: no login (a daemon, or no audit support) */
	if (!luid[0] || *end || l >= 4294967295UL)
		strcpy(luid, "-");
	gethostname(h, sizeof(h) - 1);
	clean(host, sizeof(host), h, false);
	snprintf(buf, len, "uid=%u sudo_user=%s loginuid=%s host=%s",
		 (unsigned int)getuid(), sudo, luid, host);
}

static unsigned long audit_lines;
static char audit_subject[128];

void as_audit_subject(const char *id)
{
	snprintf(audit_subject, sizeof(audit_subject), "%s", id ? id : "");
}

unsigned long as_audit_count(void)
{
	return audit_lines;
}

void as_audit_failed(const char *action, int exit_status)
{
	char reason[600];
	const char *last = as_last_error();
	struct as_audit_ev ev = {
		.action = action, .id = audit_subject, .reason = reason,
		.result = exit_status == EXIT_USAGE ? "refused" : "error",
	};

	if (*last)
		snprintf(reason, sizeof(reason), "%s", last);
	else
		snprintf(reason, sizeof(reason), "failed (exit %d)",
			 exit_status);
	as_audit(&ev);
}

int as_audit(const struct as_audit_ev *ev)
{
	char id[128], sha[80], signers[1200], reason[600], serial[24];
	char line[2800], now[40], slot[40], ident[400];
	struct timespec ts;
	char err[256];
	int n;

	audit_lines++;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Seconds: the log's time is when the event was recorded. */
	as_format_rfc3339((uint64_t)ts.tv_sec * 1000000000ULL, now,
			  sizeof(now));
	clean(id, sizeof(id), ev->id, false);
	clean(sha, sizeof(sha), ev->sha, false);
	clean(signers, sizeof(signers), ev->signers, false);
	clean(reason, sizeof(reason), ev->reason, true);
	if (ev->serial)
		snprintf(serial, sizeof(serial), "%llu",
			 (unsigned long long)ev->serial);
	else
		strcpy(serial, "-");
	if (ev->has_slot)
		snprintf(slot, sizeof(slot), "slot=%d vlan=%d", ev->slot,
			 AS_SLOT_TO_VID(ev->slot));
	else
		strcpy(slot, "slot=- vlan=-");
	who(ident, sizeof(ident));
	n = snprintf(line, sizeof(line),
		     "%s %s result=%s id=%s serial=%s sha256=%s signers=%s %s %s reason=\"%s\"\n",
		     now, ev->action, ev->result, id, serial, sha, signers,
		     slot, ident, reason);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	/* Rotated since it was opened (audit rotate): write to the new one. */
	if (audit_fd >= 0) {
		struct stat a, b;

		if (fstat(audit_fd, &a) || stat(log_path(), &b) ||
		    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			close(audit_fd);
			audit_fd = -1;
		}
	}
	if (audit_fd < 0 && as_audit_open(err, sizeof(err))) {
		/* Still to syslog: the event happened. */
		openlog("autoselctl", LOG_PID, LOG_AUTH);
		syslog(LOG_NOTICE, "%s", line + strlen(now) + 1);
		return -1;
	}
	syslog(LOG_NOTICE, "%.*s", n - 1 - (int)strlen(now) - 1,
	       line + strlen(now) + 1);
	if (AS_FAULT_FAIL("audit-write"))
		return -1;
	return write(audit_fd, line, (size_t)n) == n ? 0 : -1;
}

/* ---- rotation ---------------------------------------------------------- */

static int set_append(int fd, bool on)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return errno == ENOTTY || errno == EOPNOTSUPP ? 0 : -1;
	flags = on ? flags | FS_APPEND_FL : flags & ~FS_APPEND_FL;
	return ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

static int file_sha(const char *path, char hex[65], char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;

	if (as_read_file(path, SIZE_MAX / 2, &buf, &len, err, errlen))
		return -1;
	as_sha256_hex(buf, len, hex);
	free(buf);
	return 0;
}

/*
 * The old file's last line names the new one and the SHA-256 of every
 * byte before that line; the new file's first line names the old one and
 * the SHA-256 of all of it.  The old file gets its append-only flag back.
 */
int as_audit_rotate(char *done, size_t donelen, char *err, size_t errlen)
{
	const char *path = log_path();
	char old[PATH_MAX + 48], now[40], sha[65], reason[2 * PATH_MAX + 128];
	struct as_audit_ev ev = { .action = "rotate", .result = "ok",
				  .reason = reason };
	struct timespec ts;
	const char *base;

	if (as_audit_open(err, errlen))
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	as_format_rfc3339((uint64_t)ts.tv_sec * 1000000000ULL, now,
			  sizeof(now));
	snprintf(old, sizeof(old), "%s.%s", path, now);
	if (!access(old, F_OK)) {
		snprintf(err, errlen, "%s exists: rotated less than a second ago",
			 old);
		return -1;
	}
	if (file_sha(path, sha, err, errlen))
		return -1;
	base = strrchr(old, '/') ? strrchr(old, '/') + 1 : old;
	ev.id = base;
	ev.sha = sha;
	snprintf(reason, sizeof(reason), "this file becomes %s; continued in %s",
		 base, path);
	if (as_audit(&ev)) {
		snprintf(err, errlen, "cannot append to %s", path);
		return -1;
	}
	if (set_append(audit_fd, false)) {
		snprintf(err, errlen, "%s: cannot clear the append-only flag: %s",
			 path, strerror(errno));
		return -1;
	}
	if (rename(path, old)) {
		snprintf(err, errlen, "cannot rename %s: %s", path,
			 strerror(errno));
		set_append(audit_fd, true);
		return -1;
	}
	set_append(audit_fd, true);
	close(audit_fd);
	audit_fd = -1;
	if (file_sha(old, sha, err, errlen) || as_audit_open(err, errlen))
		return -1;
	snprintf(reason, sizeof(reason), "continues %s", base);
	if (as_audit(&ev)) {
		snprintf(err, errlen, "cannot append to %s", path);
		return -1;
	}
	snprintf(done, donelen, "%s", old);
	return 0;
}
