// SPDX-License-Identifier: GPL-2.0
/*
 * The state directory: one line-oriented text file, replaced atomically,
 * and content-addressed copies of the installed bundles.
 *
 *   autosel-state 1
 *   generation G
 *   domestic ID SERIAL SHA256 SIGNERS
 *   slot N ID SERIAL UID TYPE FROM_NS UNTIL_NS SHA256 SIGNERS
 *   serial ID SERIAL LAST
 *
 * And the changes to it: the state with a bundle installed or with
 * approvals removed, and the lock that one autoselctl at a time holds
 * while it changes the state or the pins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "encode.h"
#include "fault.h"
#include "fileio.h"
#include "state.h"

const char *as_state_dir(void)
{
	const char *e = getenv("AUTOSEL_STATE_DIR");

	return e && *e ? e : AS_STATE_DIR_DEFAULT;
}

void as_state_free(struct as_state *st)
{
	free(st->serials);
	st->serials = NULL;
	st->n_serials = 0;
}

void as_state_bundle_path(const struct as_state *st, const char *sha,
			  char *buf, size_t len)
{
	snprintf(buf, len, "%s/bundles/%s", st->dir, sha);
}

uint64_t as_state_serial(const struct as_state *st, const char *id)
{
	for (size_t i = 0; i < st->n_serials; i++)
		if (!strcmp(st->serials[i].id, id))
			return st->serials[i].serial;
	return 0;
}

int as_state_set_serial(struct as_state *st, const char *id, uint64_t serial,
			const char *last)
{
	struct st_serial *s = NULL;

	for (size_t i = 0; i < st->n_serials; i++)
		if (!strcmp(st->serials[i].id, id))
			s = &st->serials[i];
	if (!s) {
		struct st_serial *n = realloc(st->serials,
					      (st->n_serials + 1) * sizeof(*n));

		if (!n)
			return -1;
		st->serials = n;
		s = &n[st->n_serials++];
		memset(s, 0, sizeof(*s));
		snprintf(s->id, sizeof(s->id), "%s", id);
	}
	if (serial > s->serial)
		s->serial = serial;
	snprintf(s->last, sizeof(s->last), "%s", last);
	return 0;
}

/*
 * The reader is as strict as the bundle parser: every field has exactly
 * one spelling, every number is checked to its end and range, lines come
 * in the order the writer puts them, and the last line is the SHA-256 of
 * every byte before it.  A damaged file is never half-read: a lost
 * "serial" line would let a withdrawn bundle back in.
 */
struct sparser {
	struct as_state *st;
	const char *path;
	unsigned int line;
	int rank;		/* 1 generation, 2 domestic, 3 slot, 4 serial */
	int last_slot;
	char *err;
	size_t errlen;
};

static int serr(struct sparser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int serr(struct sparser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%u: corrupt state file: %s",
		 ps->path, ps->line, msg);
	return -1;
}

/* "0" or [1-9][0-9]*, at most max. */
static int dec(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static bool hex_n(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

/* "-" or 1..64 key ids of 16 hex digits, comma-separated. */
static bool valid_signers(const char *s)
{
	int n = 0;

	if (!strcmp(s, "-"))
		return true;
	for (;;) {
		char k[17];

		if (strlen(s) < 16)
			return false;
		memcpy(k, s, 16);
		k[16] = '\0';
		if (!hex_n(k, 16) || ++n > 64)
			return false;
		s += 16;
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

static int get_id(struct sparser *ps, const char *w, char *id)
{
	if (!bundle_valid_id(w))
		return serr(ps, "bad id '%.80s'", w);
	strcpy(id, w);
	return 0;
}

static int get_serial(struct sparser *ps, const char *w, uint64_t *v)
{
	if (bundle_parse_serial(w, v))
		return serr(ps, "bad serial '%.32s' (1 to 9223372036854775807, no leading zeros)",
			    w);
	return 0;
}

static int get_num(struct sparser *ps, const char *what, const char *w,
		   uint64_t min, uint64_t max, uint64_t *v)
{
	if (dec(w, max, v) || *v < min)
		return serr(ps, "bad %s '%.32s' (%" PRIu64 " to %" PRIu64
			    ", no leading zeros)", what, w, min, max);
	return 0;
}

static int get_sha_signers(struct sparser *ps, char **w, struct st_slot *s)
{
	if (!hex_n(w[0], 64))
		return serr(ps, "bad sha256 '%.80s'", w[0]);
	if (!valid_signers(w[1]))
		return serr(ps, "bad signers '%.80s'", w[1]);
	strcpy(s->sha, w[0]);
	strcpy(s->signers, w[1]);
	return 0;
}

static int order(struct sparser *ps, int rank, const char *kw)
{
	if (rank < ps->rank || (rank == ps->rank && rank < 3))
		return serr(ps, "'%s' out of order or repeated", kw);
	if (rank > 1 && ps->rank < 1)
		return serr(ps, "'%s' before 'generation'", kw);
	ps->rank = rank;
	return 0;
}

/* The approval or domestic map in force with this id, if any. */
static const struct st_slot *in_force(const struct as_state *st,
				      const char *id)
{
	if (st->has_domestic && !strcmp(st->domestic.id, id))
		return &st->domestic;
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (st->slots[i].used && !strcmp(st->slots[i].id, id))
			return &st->slots[i];
	return NULL;
}

static int parse_slot(struct sparser *ps, char **w)
{
	struct st_slot *s;
	uint64_t k, v;

	if (get_num(ps, "slot", w[1], 0, AS_MAX_SLOTS - 1, &k))
		return -1;
	if ((int)k <= ps->last_slot)
		return serr(ps, "slot %" PRIu64 " out of order or repeated", k);
	ps->last_slot = (int)k;
	s = &ps->st->slots[k];
	if (get_id(ps, w[2], s->id))
		return -1;
	if (in_force(ps->st, s->id))
		return serr(ps, "%s is in force twice", s->id);
	if (get_serial(ps, w[3], &s->serial) ||
	    get_num(ps, "uid", w[4], 1, UINT32_MAX, &v))
		return -1;
	s->uid = (uint32_t)v;
	if (get_num(ps, "type", w[5], 0, AS_DIR_DD - 1, &v))
		return -1;
	s->type = (uint8_t)v;
	if (get_num(ps, "valid-from", w[6], 0, UINT64_MAX, &s->from_ns) ||
	    get_num(ps, "valid-until", w[7], 0, UINT64_MAX, &s->until_ns))
		return -1;
	if (s->from_ns >= s->until_ns)
		return serr(ps, "valid-from is not before valid-until");
	if (get_sha_signers(ps, &w[8], s))
		return -1;
	s->used = true;
	return 0;
}

static int parse_serial_line(struct sparser *ps, char **w)
{
	const struct st_slot *f;
	char id[RULES_ID_MAX];
	uint64_t v;

	if (get_id(ps, w[1], id) || get_serial(ps, w[2], &v))
		return -1;
	if (strcmp(w[3], "installed") && strcmp(w[3], "removed") &&
	    strcmp(w[3], "expired"))
		return serr(ps, "bad state '%.32s' (installed, removed or expired)",
			    w[3]);
	if (as_state_serial(ps->st, id))
		return serr(ps, "serial of %s repeated", id);
	f = in_force(ps->st, id);
	if (f && (f->serial != v || strcmp(w[3], "installed")))
		return serr(ps, "%s serial %" PRIu64 " is in force, this line says %s %s",
			    id, f->serial, w[2], w[3]);
	if (!f && !strcmp(w[3], "installed"))
		return serr(ps, "%s is 'installed' but not in force", id);
	if (as_state_set_serial(ps->st, id, v, w[3]))
		return serr(ps, "out of memory");
	return 0;
}

/* One line, split at single spaces. */
static int parse_line(struct sparser *ps, char *line)
{
	struct as_state *st = ps->st;
	char *w[11];
	int n = 0;
	uint64_t v;

	for (char *p = line;; p++) {
		char *sp = strchr(p, ' ');

		if (n == 11)
			return serr(ps, "too many fields");
		w[n++] = p;
		if (!*p || (sp && sp == p))
			return serr(ps, "empty field");
		if (!sp)
			break;
		*sp = '\0';
		p = sp;
	}
	if (!strcmp(w[0], "generation") && n == 2) {
		if (order(ps, 1, w[0]) ||
		    get_num(ps, "generation", w[1], 0, UINT32_MAX, &v))
			return -1;
		st->generation = (uint32_t)v;
		return 0;
	}
	if (!strcmp(w[0], "domestic") && n == 5) {
		if (order(ps, 2, w[0]) || get_id(ps, w[1], st->domestic.id) ||
		    get_serial(ps, w[2], &st->domestic.serial) ||
		    get_sha_signers(ps, &w[3], &st->domestic))
			return -1;
		st->domestic.used = true;
		st->has_domestic = true;
		return 0;
	}
	if (!strcmp(w[0], "slot") && n == 10)
		return order(ps, 3, w[0]) || parse_slot(ps, w) ? -1 : 0;
	if (!strcmp(w[0], "serial") && n == 4)
		return order(ps, 4, w[0]) || parse_serial_line(ps, w) ? -1 : 0;
	return serr(ps, "unexpected line '%.32s%s'", w[0],
		    strlen(w[0]) > 32 ? "..." : "");
}

/* At the end: each id in force has had its serial line. */
static int cross_check(struct sparser *ps)
{
	const struct as_state *st = ps->st;

	if (ps->rank < 1)
		return serr(ps, "no 'generation' line");
	if (st->has_domestic && !as_state_serial(st, st->domestic.id))
		return serr(ps, "%s is in force but has no serial line",
			    st->domestic.id);
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (st->slots[i].used && !as_state_serial(st, st->slots[i].id))
			return serr(ps, "%s is in force but has no serial line",
				    st->slots[i].id);
	return 0;
}

/*
 * Lines are parsed first, so that a damaged field is named with its line;
 * then the "end" line's SHA-256 catches what still parses (a digit
 * changed, a line lost).  Format 1 had no "end" line: it is still read,
 * and the next change writes format 2.
 */
static int parse_state(struct sparser *ps, char *buf, size_t len)
{
	unsigned int nlines = 0;
	char *p, *nl, *end_line;
	bool v1;
	char sha[65];

	for (size_t i = 0; i < len; i++) {
		if (!buf[i]) {
			ps->line = nlines + 1;
			return serr(ps, "NUL byte");
		}
		nlines += buf[i] == '\n';
	}
	ps->line = nlines + 1;
	if (!len)
		return serr(ps, "empty file");
	if (buf[len - 1] != '\n')
		return serr(ps, "no newline at the end (truncated?)");
	buf[len - 1] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	ps->line = 1;
	v1 = !strcmp(buf, AS_STATE_MAGIC_V1);
	if (!v1 && strcmp(buf, AS_STATE_MAGIC))
		return serr(ps, "the first line is not '%s'", AS_STATE_MAGIC);
	if (nl)
		*nl = '\n';
	if (v1)
		buf[len - 1] = '\n';
	end_line = strrchr(buf, '\n');
	end_line = v1 ? buf + len : end_line ? end_line + 1 : buf;
	/* before parse_line() cuts the lines into words */
	as_sha256_hex(buf, (size_t)(end_line - buf), sha);
	for (p = strchr(buf, '\n'); p && p + 1 < end_line; p = nl) {
		p++;
		nl = strchr(p, '\n');
		*nl = '\0';
		ps->line++;
		if (parse_line(ps, p))
			return -1;
		*nl = '\n';
	}
	ps->line++;	/* what is missing is missing at the end */
	if (cross_check(ps))
		return -1;
	if (v1)
		return 0;
	ps->line = nlines;
	if (end_line == buf || strncmp(end_line, "end ", 4) ||
	    !hex_n(end_line + 4, 64))
		return serr(ps, "the last line is not 'end SHA256' (truncated?)");
	if (strcmp(sha, end_line + 4))
		return serr(ps, "the SHA-256 of the lines before is %s (damaged or edited)",
			    sha);
	return 0;
}

/* dir/NAME into *st; a missing file is an empty state (*found false). */
static int load_file(struct as_state *st, const char *name, bool *found,
		     char *err, size_t errlen)
{
	struct sparser ps = { .st = st, .err = err, .errlen = errlen,
			      .last_slot = -1 };
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;

	memset(st, 0, sizeof(*st));
	*found = false;
	snprintf(st->dir, sizeof(st->dir), "%s", as_state_dir());
	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	ps.path = path;
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	*found = true;
	if (as_read_file(path, AS_STATE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	if (parse_state(&ps, (char *)buf, len)) {
		free(buf);
		as_state_free(st);
		return -1;
	}
	free(buf);
	return 0;
}

int as_state_load(struct as_state *st, char *err, size_t errlen)
{
	bool found;

	return load_file(st, "state", &found, err, errlen);
}

int as_state_load_pending(struct as_state *st, bool *pending, char *err,
			  size_t errlen)
{
	return load_file(st, "state.new", pending, err, errlen);
}

bool as_state_pending(void)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/state.new", as_state_dir());
	return !access(p, F_OK);
}

void as_state_discard_pending(void)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/state.new", as_state_dir());
	unlink(p);
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Write buf to path, fsync'ed; the caller renames.  A process killed in
 * here leaves a short file: its seal (the "end" line) does not verify.
 */
static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = buf;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static char *format_state(const struct as_state *st, size_t *len)
{
	char *buf = NULL, *end, sha[65];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "%s\ngeneration %" PRIu32 "\n", AS_STATE_MAGIC,
		st->generation);
	if (st->has_domestic)
		fprintf(f, "domestic %s %" PRIu64 " %s %s\n", st->domestic.id,
			st->domestic.serial, st->domestic.sha,
			st->domestic.signers);
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];

		if (!s->used)
			continue;
		fprintf(f, "slot %d %s %" PRIu64 " %" PRIu32 " %u %" PRIu64
			" %" PRIu64 " %s %s\n", i, s->id, s->serial, s->uid,
			s->type, s->from_ns, s->until_ns, s->sha, s->signers);
	}
	for (size_t i = 0; i < st->n_serials; i++)
		fprintf(f, "serial %s %" PRIu64 " %s\n", st->serials[i].id,
			st->serials[i].serial, st->serials[i].last);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	/* The seal: a damaged or truncated file is refused when read. */
	as_sha256_hex(buf, *len, sha);
	end = realloc(buf, *len + 70);
	if (!end) {
		free(buf);
		return NULL;
	}
	*len += (size_t)snprintf(end + *len, 70, "end %s\n", sha);
	return end;
}

int as_state_prepare(const struct as_state *st, const void *bundle,
		     size_t bundle_len, const char *bundle_sha, char *err,
		     size_t errlen)
{
	char p[PATH_MAX], q[PATH_MAX + 8];
	size_t len;
	char *text;

	/* The directory itself 0700 too (admin-guide.rst), not just bundles/. */
	snprintf(p, sizeof(p), "%s/bundles", st->dir);
	if (mkdir_p(st->dir) || (mkdir(p, 0700) && errno != EEXIST)) {
		snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
		return -1;
	}
	if (bundle) {
		as_state_bundle_path(st, bundle_sha, p, sizeof(p));
		snprintf(q, sizeof(q), "%s.tmp", p);
		if (AS_FAULT_FAIL("state-bundle") ||
		    write_file(q, bundle, bundle_len) || rename(q, p)) {
			snprintf(err, errlen, "cannot write %s: %s", p,
				 strerror(errno));
			unlink(q);
			return -1;
		}
		AS_CRASH_POINT("state-bundle-written");
	}
	text = format_state(st, &len);
	snprintf(p, sizeof(p), "%s/state.new", st->dir);
	if (!text || AS_FAULT_FAIL("state-new") || write_file(p, text, len)) {
		snprintf(err, errlen, "cannot write %s: %s", p, strerror(errno));
		free(text);
		unlink(p);
		return -1;
	}
	free(text);
	AS_CRASH_POINT("state-prepared");
	return 0;
}

static bool referenced(const struct as_state *st, const char *name)
{
	if (st->has_domestic && !strcmp(st->domestic.sha, name))
		return true;
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (st->slots[i].used && !strcmp(st->slots[i].sha, name))
			return true;
	return false;
}

int as_state_commit(const struct as_state *st, char *err, size_t errlen)
{
	char p[PATH_MAX], q[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(p, sizeof(p), "%s/state.new", st->dir);
	snprintf(q, sizeof(q), "%s/state", st->dir);
	if (AS_FAULT_FAIL("state-commit") || rename(p, q)) {
		snprintf(err, errlen, "cannot rename %s: %s", p, strerror(errno));
		return -1;
	}
	AS_CRASH_POINT("state-committed");
	fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	/* Copies of bundles no longer in force: the serials stay recorded. */
	snprintf(p, sizeof(p), "%s/bundles", st->dir);
	d = opendir(p);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || referenced(st, e->d_name))
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, e->d_name);
		unlink(q);
	}
	closedir(d);
	return 0;
}

void as_state_abort(const struct as_state *st, const char *bundle_sha)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/state.new", st->dir);
	unlink(p);
	/* Always a new file: a bundle already installed is a rollback. */
	if (bundle_sha) {
		as_state_bundle_path(st, bundle_sha, p, sizeof(p));
		unlink(p);
	}
}

/* ---- the lock ------------------------------------------------------------ */

static int lock_fd = -1;

int as_state_lock(void)
{
	int fd;

	if (lock_fd >= 0)
		return 0;	/* held already (attach undone by detach) */
	fd = open(AS_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	lock_fd = fd;
	return 0;
}

void as_state_unlock(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

/* ---- changes ------------------------------------------------------------- */

int as_state_copy(struct as_state *st, const struct as_state *old)
{
	*st = *old;
	st->serials = NULL;
	st->n_serials = 0;
	for (size_t i = 0; i < old->n_serials; i++)
		if (as_state_set_serial(st, old->serials[i].id,
					old->serials[i].serial,
					old->serials[i].last))
			return -1;
	return 0;
}

int as_state_with(const struct as_state *old, const struct bundle *b,
		  const char *sha, const char *signers, struct as_state *st,
		  int *slot)
{
	struct st_slot *s;

	*slot = -1;
	if (as_state_copy(st, old))
		return -1;
	st->generation = old->generation + 1;
	if (b->kind == BUNDLE_DOMESTIC) {
		s = &st->domestic;
		st->has_domestic = true;
	} else {
		for (int i = 0; i < AS_MAX_SLOTS && *slot < 0; i++)
			if (st->slots[i].used && !strcmp(st->slots[i].id, b->id))
				*slot = i;
		for (int i = 0; i < AS_MAX_SLOTS && *slot < 0; i++)
			if (!st->slots[i].used)
				*slot = i;
		if (*slot < 0)
			return -2;
		s = &st->slots[*slot];
		/* A new binding gets a new uid; an extension keeps its flows. */
		if (!s->used || strcmp(s->id, b->id))
			s->uid = st->generation * AS_MAX_SLOTS +
				 (uint32_t)*slot + 1;
		s->type = b->type;
		s->from_ns = b->from_ns;
		s->until_ns = b->until_ns;
	}
	s->used = true;
	snprintf(s->id, sizeof(s->id), "%s", b->id);
	s->serial = b->serial;
	snprintf(s->sha, sizeof(s->sha), "%s", sha);
	snprintf(s->signers, sizeof(s->signers), "%s", signers);
	if (as_state_set_serial(st, b->id, b->serial, "installed"))
		return -1;
	return 0;
}

int as_state_without(const struct as_state *old,
		     const bool drop[AS_MAX_SLOTS], const char *last,
		     struct as_state *st)
{
	if (as_state_copy(st, old))
		return -1;
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		if (!drop[i])
			continue;
		if (as_state_set_serial(st, old->slots[i].id,
					old->slots[i].serial, last))
			return -1;
		memset(&st->slots[i], 0, sizeof(st->slots[i]));
	}
	st->generation = old->generation + 1;
	return 0;
}
