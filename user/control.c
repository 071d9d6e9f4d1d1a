// SPDX-License-Identifier: GPL-2.0
/*
 * Telling autosel.ko which approvals are in force, through
 * /sys/kernel/autosel/control (Documentation/module.rst, the ABI file):
 *
 *   approval SLOT ID TYPE VALID_FROM VALID_UNTIL SERIAL SHA256
 *   remove ID
 *   generation N
 *
 * One command per write(2).  A plain rules file has no serial: it is
 * serial 1, and its SHA-256 is that of the file's bytes as parsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "control.h"
#include "encode.h"
#include "fileio.h"
#include "rules.h"
#include "state.h"



/* ---- the rules file, read once: what is parsed is what is hashed -------- */

int as_rules_load_hashed(struct rules *r, const char *path, char sha[65],
			 char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (as_read_file(path, RULES_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	as_sha256_hex(buf ? (const void *)buf : "", len, sha);
	ret = rules_parse(r, buf ? (const char *)buf : "", len, path, err,
			  errlen);
	free(buf);
	return ret;
}

/* ---- /sys/kernel/autosel/control ----------------------------------------- */

bool as_control_present(void)
{
	return !access(AS_CONTROL, F_OK);
}

/* One command, one write(2).  Returns 0 or -errno. */
static int control_write(const char *cmd)
{
	int fd = open(AS_CONTROL, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(cmd);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, cmd, len);
	e = n < 0 ? errno : 0;
	close(fd);
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case AS_DIR_FF: return "ff";
	case AS_DIR_FD: return "fd";
	case AS_DIR_DF: return "df";
	}
	return "?";
}

/* approvals/ID/NAME as one line without the newline; "" if unreadable. */
static void read_attr(const char *id, const char *name, char *buf, size_t len)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/approvals/%s/%s", AS_SYSFS, id, name);
	as_read_line(p, buf, len);
}

/* The module holds ID already, exactly as we would install it. */
static bool same_as_installed(const char *id, unsigned int slot,
			      const char *type, uint64_t from, uint64_t until,
			      const char *sha)
{
	char want[160], got[512], v[80];

	snprintf(want, sizeof(want), "%u %s %llu %llu 1 %s", slot, type,
		 (unsigned long long)from, (unsigned long long)until, sha);
	got[0] = '\0';
	read_attr(id, "slot", v, sizeof(v));
	strcat(got, v);
	read_attr(id, "type", v, sizeof(v));
	strcat(strcat(got, " "), v);
	read_attr(id, "valid_from", v, sizeof(v));
	strcat(strcat(got, " "), v);
	read_attr(id, "valid_until", v, sizeof(v));
	strcat(strcat(got, " "), v);
	read_attr(id, "serial", v, sizeof(v));
	strcat(strcat(got, " "), v);
	read_attr(id, "sha256", v, sizeof(v));
	strcat(strcat(got, " "), v);
	return !strcmp(want, got);
}

void as_control_remove(const char *id)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "remove %s\n", id);
	control_write(cmd);	/* ENOENT: already gone, nothing to do */
}

int as_control_install(const struct rules *r, const char *sha,
		       uint32_t generation, char *err, size_t errlen)
{
	size_t i;
	char cmd[256];
	int e;

	for (i = 0; i < r->n_approvals; i++) {
		const struct rules_approval *a = &r->approvals[i];
		/* Seconds, rounded outwards: never an empty window. */
		uint64_t from = a->from_ns / 1000000000ULL;
		uint64_t until = (a->until_ns + 999999999ULL) / 1000000000ULL;
		const char *type = type_name(a->type);

		snprintf(cmd, sizeof(cmd), "approval %zu %s %s %llu %llu 1 %s\n",
			 i, a->id, type, (unsigned long long)from,
			 (unsigned long long)until, sha);
		e = control_write(cmd);
		if (e && same_as_installed(a->id, (unsigned int)i, type, from,
					   until, sha))
			e = 0;
		if (e) {
			snprintf(err, errlen,
				 "autosel.ko refused approval %s (slot %zu): %s%s",
				 a->id, i, strerror(-e),
				 e == -EBUSY ? " (the slot is bound to another approval)" :
				 e == -EINVAL ? " (installed already with other fields?)" : "");
			goto undo;
		}
	}
	snprintf(cmd, sizeof(cmd), "generation %u\n", generation);
	e = control_write(cmd);
	if (e == -EINVAL) {
		/* The module's generation is higher: it never goes back. */
		e = 0;
	}
	if (e) {
		snprintf(err, errlen, "autosel.ko refused generation %u: %s",
			 generation, strerror(-e));
		goto undo;
	}
	return 0;
undo:
	while (i-- > 0)
		as_control_remove(r->approvals[i].id);
	return -1;
}

/* ---- the approvals of the state ---------------------------------------- */

static void approval_cmd(char *buf, size_t len, int slot,
			 const struct st_slot *s)
{
	snprintf(buf, len, "approval %d %s %s %llu %llu %llu %s\n", slot,
		 s->id, type_name(s->type),
		 (unsigned long long)(s->from_ns / 1000000000ULL),
		 (unsigned long long)((s->until_ns + 999999999ULL) / 1000000000ULL),
		 (unsigned long long)s->serial, s->sha);
}

static bool same_slot(const struct st_slot *a, const struct st_slot *b)
{
	return a->used && b->used && !strcmp(a->id, b->id) &&
	       a->serial == b->serial && !strcmp(a->sha, b->sha);
}

int as_module_sync(const struct as_state *old, const struct as_state *st,
		   char *err, size_t errlen)
{
	char cmd[512];
	int e;

	if (!as_control_present())
		return 0;
	if (old)
		for (int i = 0; i < AS_MAX_SLOTS; i++) {
			const struct st_slot *o = &old->slots[i];

			if (o->used && (!st->slots[i].used ||
					strcmp(st->slots[i].id, o->id)))
				as_control_remove(o->id);
		}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];

		if (!s->used || (old && same_slot(&old->slots[i], s)))
			continue;
		approval_cmd(cmd, sizeof(cmd), i, s);
		e = control_write(cmd);
		if (e && e != -EEXIST) {
			snprintf(err, errlen, "autosel.ko refused approval %s (slot %d): %s",
				 s->id, i, strerror(-e));
			return -1;
		}
	}
	snprintf(cmd, sizeof(cmd), "generation %u\n", st->generation);
	control_write(cmd);	/* EINVAL: the module's is higher already */
	return 0;
}
