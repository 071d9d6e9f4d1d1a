// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log: syslog(3) and an append-only file, one line per event.
 *
 * The file is opened O_APPEND and, where the file system supports it,
 * given the append-only attribute (FS_APPEND_FL, chattr +a): then even
 * root must remove the attribute (CAP_LINUX_IMMUTABLE) before rewriting
 * history, which itself is visible.  Each line goes out in one write(2),
 * so lines of concurrent writers never interleave.
 *
 * Each line ends with " h=HEX": the SHA-256 of the previous line's HEX
 * (64 zeros before the first line of a log) followed by this line up to
 * that field, so an edited, removed, inserted or moved line breaks the
 * chain at that line.  Writers take an flock(2) on the log's directory
 * (it survives the renames of rotation) around reading the last line's
 * hash and appending.  After each line LOG.head records how many lines
 * the log has and the last hash, so that `audit verify` also sees lines
 * cut from the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "cli.h"
#include "encode.h"
#include "fault.h"
#include "fileio.h"
#include "rules.h"
#include "timefmt.h"
#include "autosel/abi.h"

static int audit_fd = -1;
/* The directory lock (flock) and how deep this process holds it. */
static int lock_fd = -1, lock_depth;
/* The last hash this process wrote, and the one the next line chains to
 * if set (the first line of a log that continues a rotated one). */
static char last_h[AS_AUDIT_H_LEN + 1], next_prev[AS_AUDIT_H_LEN + 1];

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
	/* Read too: the last line's hash is read back through it. */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
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

/* Hold the lock on the log's directory; nests within one process. */
static int audit_lock(void)
{
	char dir[PATH_MAX];
	char *slash;

	if (lock_depth++)
		return 0;
	snprintf(dir, sizeof(dir), "%s", log_path());
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX)) {
		if (lock_fd >= 0)
			close(lock_fd);
		lock_fd = -1;
		lock_depth = 0;
		return -1;
	}
	return 0;
}

static void audit_unlock(void)
{
	if (!lock_depth || --lock_depth)
		return;
	close(lock_fd);		/* releases the flock */
	lock_fd = -1;
}

int as_audit_line_hash(const char *line, size_t len, char h[AS_AUDIT_H_LEN + 1])
{
	const char *t;

	if (len < AS_AUDIT_H_LEN + 3)
		return -1;
	t = line + len - AS_AUDIT_H_LEN;
	if (memcmp(t - 3, " h=", 3))
		return -1;
	for (int i = 0; i < AS_AUDIT_H_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return -1;
	memcpy(h, t, AS_AUDIT_H_LEN);
	h[AS_AUDIT_H_LEN] = '\0';
	return 0;
}

void as_audit_chain(const char *prev, const char *content, size_t len,
		    char h[AS_AUDIT_H_LEN + 1])
{
	crypto_hash_sha256_state st;
	uint8_t d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)prev, AS_AUDIT_H_LEN);
	crypto_hash_sha256_update(&st, (const uint8_t *)content, len);
	crypto_hash_sha256_final(&st, d);
	as_hex(d, sizeof(d), h);
}

static int file_sha(const char *path, char hex[65], char *err, size_t errlen);

/*
 * The hash the next line chains to: the last line's h=, 64 zeros if the
 * log is empty, else (a last line without h=: a log from before the
 * chain, or one cut short) the SHA-256 of the whole file, so that what
 * is there is still sealed by what follows.
 */
static void tail_hash(int fd, char prev[AS_AUDIT_H_LEN + 1])
{
	char buf[4096], err[256];
	struct stat st;
	ssize_t n;
	off_t off;
	size_t start;

	memset(prev, '0', AS_AUDIT_H_LEN);
	prev[AS_AUDIT_H_LEN] = '\0';
	if (fstat(fd, &st) || !st.st_size)
		return;
	off = st.st_size > (off_t)sizeof(buf) ? st.st_size - (off_t)sizeof(buf) : 0;
	n = pread(fd, buf, (size_t)(st.st_size - off), off);
	if (n > 1 && buf[n - 1] == '\n') {
		start = (size_t)n - 1;
		while (start && buf[start - 1] != '\n')
			start--;
		if ((start || !off) &&
		    !as_audit_line_hash(buf + start, (size_t)n - 1 - start, prev))
			return;
	}
	/* Unreadable: nothing can seal it; 64 f's say so in the chain. */
	if (file_sha(log_path(), prev, err, sizeof(err)))
		memset(prev, 'f', AS_AUDIT_H_LEN);
}

static void head_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s.head", log_path());
}

int as_audit_head_read(const char *path, unsigned long *lines,
		       char h[AS_AUDIT_H_LEN + 1])
{
	char line[200], hx[AS_AUDIT_H_LEN + 2], tail;

	as_read_line(path, line, sizeof(line));
	if (sscanf(line, "lines=%lu h=%65s%c", lines, hx, &tail) != 2 ||
	    strlen(hx) != AS_AUDIT_H_LEN)
		return -1;
	memcpy(h, hx, AS_AUDIT_H_LEN + 1);
	return 0;
}

/*
 * LOG.head after a line with hash h was appended to a log whose last
 * line had hash prev (first: the log was empty).
 */
static void head_update(const char *prev, const char *h, bool first)
{
	char p[PATH_MAX + 8], hh[AS_AUDIT_H_LEN + 1], rec[160], err[PATH_MAX + 64];
	unsigned long lines = 0;

	head_path(p, sizeof(p));
	if (first) {
		lines = 1;
	} else if (!as_audit_head_read(p, &lines, hh) && !strcmp(hh, prev)) {
		lines++;
	} else {
		/* No head yet, or not this log's: count. */
		uint8_t *buf;
		size_t len;

		lines = 0;
		if (!as_read_file(log_path(), SIZE_MAX / 2, &buf, &len, err,
				  sizeof(err))) {
			for (size_t i = 0; i < len; i++)
				lines += buf[i] == '\n';
			free(buf);
		}
	}
	snprintf(rec, sizeof(rec), "lines=%lu h=%s\n", lines, h);
	as_write_file_atomic(p, rec, strlen(rec), 0640, err, sizeof(err));
}

int as_audit(const struct as_audit_ev *ev)
{
	char id[128], sha[80], signers[1200], reason[600], serial[24];
	char line[2800], now[40], slot[40], ident[400];
	char prev[AS_AUDIT_H_LEN + 1], h[AS_AUDIT_H_LEN + 1];
	struct timespec ts;
	struct stat st;
	char err[256];
	bool first;
	int n, ret;

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
		     "%s %s result=%s id=%s serial=%s sha256=%s signers=%s %s %s reason=\"%s\"",
		     now, ev->action, ev->result, id, serial, sha, signers,
		     slot, ident, reason);
	if (n < 0 || (size_t)n + 4 + AS_AUDIT_H_LEN + 1 >= sizeof(line))
		return -1;
	/* Creates the directory the lock is taken on, if need be. */
	if (audit_fd < 0)
		as_audit_open(err, sizeof(err));
	if (audit_lock()) {
		openlog("autoselctl", LOG_PID, LOG_AUTH);
		syslog(LOG_NOTICE, "%s (audit log not locked, not written)",
		       line + strlen(now) + 1);
		return -1;
	}
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
		audit_unlock();
		return -1;
	}
	if (next_prev[0]) {
		memcpy(prev, next_prev, sizeof(prev));
		next_prev[0] = '\0';
	} else {
		tail_hash(audit_fd, prev);
	}
	first = !fstat(audit_fd, &st) && !st.st_size;
	as_audit_chain(prev, line, (size_t)n, h);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " h=%s\n", h);
	syslog(LOG_NOTICE, "%.*s", n - 1 - (int)strlen(now) - 1,
	       line + strlen(now) + 1);
	if (AS_FAULT_FAIL("audit-write")) {
		audit_unlock();
		return -1;
	}
	ret = write(audit_fd, line, (size_t)n) == n ? 0 : -1;
	if (!ret) {
		memcpy(last_h, h, sizeof(last_h));
		head_update(prev, h, first);
	}
	audit_unlock();
	return ret;
}

/* ---- rotation ---------------------------------------------------------- */

static int rotate_locked(const char *path, char *done, size_t donelen,
			 char *err, size_t errlen);

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
 * the SHA-256 of all of it, and chains to its last line's hash (prev_h=
 * in the reason, for a verifier that has the new file alone).  The old
 * file gets its append-only flag back.  All under the writers' lock.
 */
int as_audit_rotate(char *done, size_t donelen, char *err, size_t errlen)
{
	const char *path = log_path();
	int ret;

	if (as_audit_open(err, errlen))
		return -1;
	/* No writer between the old file's last line and the new one's first. */
	if (audit_lock()) {
		snprintf(err, errlen, "cannot lock the directory of %s: %s",
			 path, strerror(errno));
		return -1;
	}
	ret = rotate_locked(path, done, donelen, err, errlen);
	audit_unlock();
	return ret;
}

static int rotate_locked(const char *path, char *done, size_t donelen,
			 char *err, size_t errlen)
{
	char old[PATH_MAX + 48], now[40], sha[65], reason[2 * PATH_MAX + 128];
	struct as_audit_ev ev = { .action = "rotate", .result = "ok",
				  .reason = reason };
	struct timespec ts;
	const char *base;

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
	/* The new log's first line chains to the old one's last. */
	memcpy(next_prev, last_h, sizeof(next_prev));
	snprintf(reason, sizeof(reason), "continues %s (prev_h=%s)", base,
		 last_h);
	if (as_audit(&ev)) {
		snprintf(err, errlen, "cannot append to %s", path);
		return -1;
	}
	snprintf(done, donelen, "%s", old);
	return 0;
}

/* ---- verification ------------------------------------------------------ */

/* "continues BASE (prev_h=HEX)" in the rotate line that starts a log. */
static bool continues(const char *line, size_t len, char prev[AS_AUDIT_H_LEN + 1])
{
	static const char key[] = " (prev_h=";
	const char *act = memchr(line, ' ', len), *p;
	size_t klen = sizeof(key) - 1;

	if (!act || strncmp(act, " rotate result=ok ", 18))
		return false;
	p = memmem(line, len, "reason=\"continues ", 18);
	if (!p)
		return false;
	p = memmem(p, len - (size_t)(p - line), key, klen);
	if (!p || (size_t)(line + len - p) < klen + AS_AUDIT_H_LEN + 2 ||
	    strncmp(p + klen + AS_AUDIT_H_LEN, ")\"", 2))
		return false;
	memcpy(prev, p + klen, AS_AUDIT_H_LEN);
	prev[AS_AUDIT_H_LEN] = '\0';
	return true;
}

static bool is_current_log(const char *path)
{
	struct stat a, b;

	return !stat(path, &a) && !stat(log_path(), &b) &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int as_audit_verify(const char *const *files, int n, struct as_audit_verified *v,
		    char *err, size_t errlen)
{
	static const char *const cur[1] = { NULL };
	char prev[AS_AUDIT_H_LEN + 1] = "", h[AS_AUDIT_H_LEN + 1];
	const char *prev_file = NULL;

	memset(v, 0, sizeof(*v));
	memset(prev, '0', AS_AUDIT_H_LEN);
	if (!n) {
		files = (const char *const *)cur;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		const char *path = files[i] ? files[i] : log_path();
		char hp[PATH_MAX + 8], head_h[AS_AUDIT_H_LEN + 1] = "";
		unsigned long lineno = 0, head_lines = 0;
		bool head = false;
		uint8_t *buf;
		size_t len, off = 0;

		if (as_read_file(path, SIZE_MAX / 2, &buf, &len, err, errlen))
			return -1;
		if (is_current_log(path)) {
			head_path(hp, sizeof(hp));
			head = !as_audit_head_read(hp, &head_lines, head_h);
		}
		while (off < len) {
			const char *l = (const char *)buf + off;
			const uint8_t *nl = memchr(buf + off, '\n', len - off);
			size_t ll = nl ? (size_t)(nl - buf) - off : len - off;
			char want[AS_AUDIT_H_LEN + 1];

			lineno++;
			if (!nl) {
				as_line_err(err, errlen, path, (unsigned int)lineno,
					    "cut short: the last line has no newline");
				goto fail;
			}
			if (as_audit_line_hash(l, ll, h)) {
				as_line_err(err, errlen, path, (unsigned int)lineno,
					    "no h= field at the end of the line");
				goto fail;
			}
			if (lineno == 1) {
				char cont[AS_AUDIT_H_LEN + 1];
				bool c = continues(l, ll, cont);

				if (prev_file && !c) {
					as_line_err(err, errlen, path, 1,
						    "does not continue %s: the first line is not its rotate ... continues line",
						    prev_file);
					goto fail;
				}
				if (prev_file && strcmp(cont, prev)) {
					as_line_err(err, errlen, path, 1,
						    "continues from h=%.16s..., but %s ends with h=%.16s... (lines cut from its end?)",
						    cont, prev_file, prev);
					goto fail;
				}
				if (c)
					memcpy(prev, cont, sizeof(prev));
				else
					memset(prev, '0', AS_AUDIT_H_LEN);
				prev[AS_AUDIT_H_LEN] = '\0';
			}
			as_audit_chain(prev, l, ll - 3 - AS_AUDIT_H_LEN, want);
			if (strcmp(want, h)) {
				as_line_err(err, errlen, path, (unsigned int)lineno,
					    "chain broken: h= is not SHA-256 of the previous h= and this line (this line changed, or one before it removed, inserted or moved)");
				goto fail;
			}
			if (head && lineno == head_lines && strcmp(h, head_h)) {
				as_line_err(err, errlen, path, (unsigned int)lineno,
					    "not the line %s records (h=%.16s...): the log was rewritten",
					    hp, head_h);
				goto fail;
			}
			memcpy(prev, h, sizeof(prev));
			off += ll + 1;
		}
		if (head && lineno < head_lines) {
			as_line_err(err, errlen, path, (unsigned int)lineno + 1,
				    "missing: %s records %lu lines, the file ends after line %lu (cut from the end)",
				    hp, head_lines, lineno);
			goto fail;
		}
		free(buf);
		v->lines += lineno;
		v->files++;
		prev_file = path;
		continue;
fail:
		free(buf);
		return -1;
	}
	memcpy(v->last_h, prev, sizeof(v->last_h));
	return 0;
}
