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
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static bool hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

static int parse_line(struct as_state *st, char *line)
{
	char w[10][AS_SIGNERS_TXT];
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " ", &save); t;
	     t = strtok_r(NULL, " ", &save)) {
		if (n == 10 || strlen(t) >= sizeof(w[0]))
			return -1;
		strcpy(w[n++], t);
	}
	if (n == 2 && !strcmp(w[0], "generation")) {
		st->generation = (uint32_t)strtoul(w[1], NULL, 10);
		return 0;
	}
	if (n == 5 && !strcmp(w[0], "domestic")) {
		struct st_slot *d = &st->domestic;

		if (strlen(w[1]) >= sizeof(d->id) || !hex64(w[3]))
			return -1;
		d->used = true;
		strcpy(d->id, w[1]);
		d->serial = strtoull(w[2], NULL, 10);
		strcpy(d->sha, w[3]);
		strcpy(d->signers, w[4]);
		st->has_domestic = true;
		return 0;
	}
	if (n == 10 && !strcmp(w[0], "slot")) {
		unsigned long k = strtoul(w[1], NULL, 10);
		struct st_slot *s;

		if (k >= AS_MAX_SLOTS || strlen(w[2]) >= sizeof(s->id) ||
		    !hex64(w[8]))
			return -1;
		s = &st->slots[k];
		s->used = true;
		strcpy(s->id, w[2]);
		s->serial = strtoull(w[3], NULL, 10);
		s->uid = (uint32_t)strtoul(w[4], NULL, 10);
		s->type = (uint8_t)strtoul(w[5], NULL, 10);
		s->from_ns = strtoull(w[6], NULL, 10);
		s->until_ns = strtoull(w[7], NULL, 10);
		strcpy(s->sha, w[8]);
		strcpy(s->signers, w[9]);
		return s->type < AS_DIR_DD ? 0 : -1;
	}
	if (n == 4 && !strcmp(w[0], "serial"))
		return as_state_set_serial(st, w[1], strtoull(w[2], NULL, 10),
					   w[3]);
	return -1;
}

int as_state_load(struct as_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX], line[2 * AS_SIGNERS_TXT];
	unsigned int lineno = 0;
	FILE *f;

	memset(st, 0, sizeof(*st));
	snprintf(st->dir, sizeof(st->dir), "%s", as_state_dir());
	snprintf(path, sizeof(path), "%s/state", st->dir);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (lineno == 1) {
			if (strcmp(line, AS_STATE_MAGIC))
				goto bad;
			continue;
		}
		if (!*line || *line == '#')
			continue;
		if (parse_line(st, line))
			goto bad;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	snprintf(err, errlen, "%s:%u: corrupt state file", path, lineno);
	as_state_free(st);
	return -1;
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

/* Write buf to path via path.tmp, fsync'ed; the caller renames. */
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
	char *buf = NULL;
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
	return buf;
}

int as_state_prepare(const struct as_state *st, const void *bundle,
		     size_t bundle_len, const char *bundle_sha, char *err,
		     size_t errlen)
{
	char p[PATH_MAX], q[PATH_MAX + 8];
	size_t len;
	char *text;

	snprintf(p, sizeof(p), "%s/bundles", st->dir);
	if (mkdir_p(p)) {
		snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
		return -1;
	}
	if (bundle) {
		as_state_bundle_path(st, bundle_sha, p, sizeof(p));
		snprintf(q, sizeof(q), "%s.tmp", p);
		if (write_file(q, bundle, bundle_len) || rename(q, p)) {
			snprintf(err, errlen, "cannot write %s: %s", p,
				 strerror(errno));
			unlink(q);
			return -1;
		}
	}
	text = format_state(st, &len);
	snprintf(p, sizeof(p), "%s/state.new", st->dir);
	if (!text || write_file(p, text, len)) {
		snprintf(err, errlen, "cannot write %s: %s", p, strerror(errno));
		free(text);
		unlink(p);
		return -1;
	}
	free(text);
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
	if (rename(p, q)) {
		snprintf(err, errlen, "cannot rename %s: %s", p, strerror(errno));
		return -1;
	}
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
