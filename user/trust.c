// SPDX-License-Identifier: GPL-2.0
/*
 * The trust file (trust.h, Documentation/bundle-format.rst): whose
 * signatures count and how many are needed.  Key pairs and signing are in
 * sign.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "encode.h"
#include "fileio.h"
#include "trust.h"

#define TRUST_FILE_MAX	(1u << 20)



void bundle_keyid(const uint8_t pk[BUNDLE_PK_LEN],
		  uint8_t keyid[BUNDLE_KEYID_LEN])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, BUNDLE_PK_LEN);
	memcpy(keyid, h, BUNDLE_KEYID_LEN);
}


const struct trust_member *trust_find(const struct trust *t,
				      const uint8_t *keyid)
{
	for (size_t i = 0; i < t->n_members; i++)
		if (!memcmp(t->members[i].keyid, keyid, BUNDLE_KEYID_LEN))
			return &t->members[i];
	return NULL;
}

/* Split at single spaces into at most max words; the last keeps the rest. */
static int split(char *s, char **w, int max)
{
	int n = 0;

	while (*s == ' ')
		s++;
	while (*s && n < max) {
		w[n++] = s;
		if (n == max)
			break;
		s = strchr(s, ' ');
		if (!s)
			break;
		*s++ = '\0';
		while (*s == ' ')
			s++;
	}
	return n;
}

int trust_parse(struct trust *t, const void *buf, size_t len,
		const char *name, char *err, size_t errlen)
{
	const char *p = buf;
	unsigned int line = 0, quorum_line = 0;
	bool magic = false;
	size_t pos = 0;

	memset(t, 0, sizeof(*t));
	if (sodium_init() < 0)
		return as_line_err(err, errlen, name, 0, "libsodium failed to initialise");
	if (memchr(buf, '\0', len))
		return as_line_err(err, errlen, name, 0, "NUL byte in a text file");
	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (p + pos)) : len - pos;
		char l[512], *w[4];
		int nw;

		line++;
		if (n >= sizeof(l))
			return as_line_err(err, errlen, name, line,
				    "line longer than %zu bytes", sizeof(l) - 1);
		memcpy(l, p + pos, n);
		l[n] = '\0';
		pos += n + 1;
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (l[i] == '\t')
				l[i] = ' ';
		while (n && l[n - 1] == ' ')
			l[--n] = '\0';
		nw = split(l, w, 4);
		if (!nw || w[0][0] == '#')
			continue;
		if (!magic) {
			if (nw != 2 || strcmp(w[0], "autosel-trust") ||
			    strcmp(w[1], "1"))
				return as_line_err(err, errlen, name, line,
					    "expected 'autosel-trust 1'");
			magic = true;
			continue;
		}
		if (!strcmp(w[0], "quorum")) {
			char *end;
			unsigned long q;

			if (quorum_line)
				return as_line_err(err, errlen, name, line,
					    "second quorum line (first at line %u)",
					    quorum_line);
			errno = 0;
			q = nw == 2 && w[1][0] >= '1' && w[1][0] <= '9' ?
			    strtoul(w[1], &end, 10) : 0;
			if (nw != 2 || !q || errno || *end || q > TRUST_MEMBER_MAX)
				return as_line_err(err, errlen, name, line,
					    "expected 'quorum N' (1 to %d)",
					    TRUST_MEMBER_MAX);
			t->quorum = (unsigned int)q;
			quorum_line = line;
			continue;
		}
		if (!strcmp(w[0], "member")) {
			struct trust_member *m;
			const struct trust_member *dup;
			uint8_t id[BUNDLE_KEYID_LEN];
			char hx[BUNDLE_KEYID_HEX];

			if (nw < 3)
				return as_line_err(err, errlen, name, line,
					    "expected 'member KEYID PUBLICKEY [NAME]'");
			if (t->n_members == TRUST_MEMBER_MAX)
				return as_line_err(err, errlen, name, line,
					    "more than %d members", TRUST_MEMBER_MAX);
			m = &t->members[t->n_members];
			if (as_hex_parse(w[1], m->keyid, BUNDLE_KEYID_LEN))
				return as_line_err(err, errlen, name, line,
					    "bad key id '%.32s' (16 lower-case hex digits)",
					    w[1]);
			if (as_b64_decode(w[2], m->pk, BUNDLE_PK_LEN))
				return as_line_err(err, errlen, name, line,
					    "bad public key encoding (base64 of %d bytes)",
					    BUNDLE_PK_LEN);
			bundle_keyid(m->pk, id);
			if (memcmp(id, m->keyid, BUNDLE_KEYID_LEN)) {
				as_hex(id, BUNDLE_KEYID_LEN, hx);
				return as_line_err(err, errlen, name, line,
					    "key id %s does not match the public key (its id is %s)",
					    w[1], hx);
			}
			dup = trust_find(t, m->keyid);
			if (dup)
				return as_line_err(err, errlen, name, line,
					    "duplicate member %s (first at line %u)",
					    w[1], dup->line);
			if (nw == 4 && strlen(w[3]) >= TRUST_NAME_MAX)
				return as_line_err(err, errlen, name, line,
					    "member name longer than %d bytes",
					    TRUST_NAME_MAX - 1);
			if (nw == 4)
				strcpy(m->name, w[3]);
			m->line = line;
			t->n_members++;
			continue;
		}
		return as_line_err(err, errlen, name, line, "unknown keyword '%.32s'",
			    w[0]);
	}
	if (!magic)
		return as_line_err(err, errlen, name, 0, "expected 'autosel-trust 1'");
	if (!quorum_line)
		return as_line_err(err, errlen, name, 0, "no quorum line");
	if (t->quorum > t->n_members)
		return as_line_err(err, errlen, name, quorum_line,
			    "quorum %u is more than the %zu members", t->quorum,
			    t->n_members);
	return 0;
}

int trust_load(const char *path, struct trust *t, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(t, 0, sizeof(*t));
	if (as_read_file(path, TRUST_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	ret = trust_parse(t, buf, len, path, err, errlen);
	free(buf);
	if (ret)
		memset(t, 0, sizeof(*t));
	return ret;
}

