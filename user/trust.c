// SPDX-License-Identifier: GPL-2.0
/*
 * The trust file, key pairs and signing (Documentation/bundle-format.rst).
 * Secret keys are read into locked memory only as long as signing takes,
 * wiped afterwards, and never printed.
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

#include "bundle.h"
#include "fileio.h"

#define TRUST_FILE_MAX	(1u << 20)
#define KEY_FILE_MAX	4096


int bundle_b64_decode(const char *s, uint8_t *out, size_t outlen)
{
	size_t n = strlen(s), got = 0;
	char check[256];

	/* Exactly the padded length: no whitespace, no missing padding. */
	if (n != 4 * ((outlen + 2) / 3) || n >= sizeof(check))
		return -1;
	if (sodium_base642bin(out, outlen, s, n, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || got != outlen)
		return -1;
	/* Canonical: unused bits zero, so one value has one spelling. */
	sodium_bin2base64(check, sizeof(check), out, outlen,
			  sodium_base64_VARIANT_ORIGINAL);
	return strcmp(check, s) ? -1 : 0;
}

void bundle_b64_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, in, n, sodium_base64_VARIANT_ORIGINAL);
}

void bundle_keyid(const uint8_t pk[BUNDLE_PK_LEN],
		  uint8_t keyid[BUNDLE_KEYID_LEN])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, BUNDLE_PK_LEN);
	memcpy(keyid, h, BUNDLE_KEYID_LEN);
}

static int parse_keyid(const char *s, uint8_t *out)
{
	if (strlen(s) != 2 * BUNDLE_KEYID_LEN)
		return -1;
	for (size_t i = 0; i < 2 * BUNDLE_KEYID_LEN; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		if (i & 1)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return 0;
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
		return bundle_err(err, errlen, name, 0, "libsodium failed to initialise");
	if (memchr(buf, '\0', len))
		return bundle_err(err, errlen, name, 0, "NUL byte in a text file");
	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (p + pos)) : len - pos;
		char l[512], *w[4];
		int nw;

		line++;
		if (n >= sizeof(l))
			return bundle_err(err, errlen, name, line,
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
				return bundle_err(err, errlen, name, line,
					    "expected 'autosel-trust 1'");
			magic = true;
			continue;
		}
		if (!strcmp(w[0], "quorum")) {
			char *end;
			unsigned long q;

			if (quorum_line)
				return bundle_err(err, errlen, name, line,
					    "second quorum line (first at line %u)",
					    quorum_line);
			errno = 0;
			q = nw == 2 && w[1][0] >= '1' && w[1][0] <= '9' ?
			    strtoul(w[1], &end, 10) : 0;
			if (nw != 2 || !q || errno || *end || q > TRUST_MEMBER_MAX)
				return bundle_err(err, errlen, name, line,
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
				return bundle_err(err, errlen, name, line,
					    "expected 'member KEYID PUBLICKEY [NAME]'");
			if (t->n_members == TRUST_MEMBER_MAX)
				return bundle_err(err, errlen, name, line,
					    "more than %d members", TRUST_MEMBER_MAX);
			m = &t->members[t->n_members];
			if (parse_keyid(w[1], m->keyid))
				return bundle_err(err, errlen, name, line,
					    "bad key id '%.32s' (16 lower-case hex digits)",
					    w[1]);
			if (bundle_b64_decode(w[2], m->pk, BUNDLE_PK_LEN))
				return bundle_err(err, errlen, name, line,
					    "bad public key encoding (base64 of %d bytes)",
					    BUNDLE_PK_LEN);
			bundle_keyid(m->pk, id);
			if (memcmp(id, m->keyid, BUNDLE_KEYID_LEN)) {
				bundle_hex(id, BUNDLE_KEYID_LEN, hx);
				return bundle_err(err, errlen, name, line,
					    "key id %s does not match the public key (its id is %s)",
					    w[1], hx);
			}
			dup = trust_find(t, m->keyid);
			if (dup)
				return bundle_err(err, errlen, name, line,
					    "duplicate member %s (first at line %u)",
					    w[1], dup->line);
			if (nw == 4 && strlen(w[3]) >= TRUST_NAME_MAX)
				return bundle_err(err, errlen, name, line,
					    "member name longer than %d bytes",
					    TRUST_NAME_MAX - 1);
			if (nw == 4)
				strcpy(m->name, w[3]);
			m->line = line;
			t->n_members++;
			continue;
		}
		return bundle_err(err, errlen, name, line, "unknown keyword '%.32s'",
			    w[0]);
	}
	if (!magic)
		return bundle_err(err, errlen, name, 0, "expected 'autosel-trust 1'");
	if (!quorum_line)
		return bundle_err(err, errlen, name, 0, "no quorum line");
	if (t->quorum > t->n_members)
		return bundle_err(err, errlen, name, quorum_line,
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

/* Write all of buf to fd; -1 with errno on failure. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create path exclusively with mode and contents; unlinked on failure. */
static int create_file(const char *path, mode_t mode, const void *buf,
		       size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return bundle_err(err, errlen, path, 0, "%s", strerror(errno));
	if (fchmod(fd, mode) || write_all(fd, buf, len) || fsync(fd)) {
		int e = errno;

		close(fd);
		unlink(path);
		return bundle_err(err, errlen, path, 0, "%s", strerror(e));
	}
	if (close(fd)) {
		int e = errno;

		unlink(path);
		return bundle_err(err, errlen, path, 0, "%s", strerror(e));
	}
	return 0;
}

int bundle_keygen(const char *prefix, const char *name, char *keyid_hex,
		  char *err, size_t errlen)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], id[BUNDLE_KEYID_LEN];
	char kpath[4096], ppath[4096], pkb64[64];
	char pub[256], *sec = NULL;
	uint8_t *seed = NULL, *sk = NULL;
	size_t seclen = 256;
	int ret = -1;

	if (sodium_init() < 0)
		return bundle_err(err, errlen, prefix, 0, "libsodium failed to initialise");
	if (name && (!*name || strlen(name) >= TRUST_NAME_MAX ||
		     strpbrk(name, " \t\r\n#")))
		return bundle_err(err, errlen, prefix, 0,
			    "bad member name (1 to %d bytes, no spaces or '#')",
			    TRUST_NAME_MAX - 1);
	for (const char *c = name; c && *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return bundle_err(err, errlen, prefix, 0,
				    "bad member name (printable ASCII only)");
	if ((size_t)snprintf(kpath, sizeof(kpath), "%s.key", prefix) >= sizeof(kpath) ||
	    (size_t)snprintf(ppath, sizeof(ppath), "%s.pub", prefix) >= sizeof(ppath))
		return bundle_err(err, errlen, prefix, 0, "path too long");
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	sec = sodium_malloc(seclen);
	if (!seed || !sk || !sec) {
		bundle_err(err, errlen, prefix, 0, "out of memory");
		goto out;
	}
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(pk, sk, seed);
	bundle_keyid(pk, id);
	bundle_hex(id, BUNDLE_KEYID_LEN, keyid_hex);
	bundle_b64_encode(pk, sizeof(pk), pkb64, sizeof(pkb64));
	{
		char sb64[64];

		bundle_b64_encode(seed, crypto_sign_SEEDBYTES, sb64, sizeof(sb64));
		snprintf(sec, seclen,
			 "autosel-secret-key 1\nkeyid %s\nseed %s\n",
			 keyid_hex, sb64);
		sodium_memzero(sb64, sizeof(sb64));
	}
	snprintf(pub, sizeof(pub), "member %s %s%s%s\n", keyid_hex, pkb64,
		 name ? " " : "", name ? name : "");
	/* Both or neither: the public half is written first, then the secret. */
	if (create_file(ppath, 0644, pub, strlen(pub), err, errlen))
		goto out;
	if (create_file(kpath, 0600, sec, strlen(sec), err, errlen)) {
		unlink(ppath);
		goto out;
	}
	ret = 0;
out:
	sodium_free(seed);
	sodium_free(sk);
	sodium_free(sec);
	return ret;
}

/*
 * Read a secret key file into sk (crypto_sign_SECRETKEYBYTES, locked) and
 * its key id.  Refuses a file that group or others may read.
 */
static int load_secret(const char *path, uint8_t *sk, uint8_t *keyid,
		       char *err, size_t errlen)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], id[BUNDLE_KEYID_LEN];
	uint8_t *seed = sodium_malloc(crypto_sign_SEEDBYTES);
	char *buf = sodium_malloc(KEY_FILE_MAX + 1);
	char *w[6], *s;
	struct stat st;
	ssize_t n;
	int fd = -1, ret = -1, nw;

	if (!seed || !buf) {
		bundle_err(err, errlen, path, 0, "out of memory");
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		bundle_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		bundle_err(err, errlen, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_mode & 077) {
		bundle_err(err, errlen, path, 0,
		     "permissions %04o are too open (a secret key must be 0600)",
		     (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	n = read(fd, buf, KEY_FILE_MAX + 1);
	if (n < 0 || n > KEY_FILE_MAX) {
		bundle_err(err, errlen, path, 0, "%s",
		     n < 0 ? strerror(errno) : "not a secret key file");
		goto out;
	}
	buf[n] = '\0';
	/* Exactly three lines: magic, keyid, seed. */
	nw = 0;
	for (s = buf; nw < 6 && *s;) {
		char *e = strpbrk(s, " \n");

		w[nw++] = s;
		if (!e)
			break;
		*e = '\0';
		s = e + 1;
	}
	if (nw != 6 || strcmp(w[0], "autosel-secret-key") || strcmp(w[1], "1") ||
	    strcmp(w[2], "keyid") || strcmp(w[4], "seed") ||
	    parse_keyid(w[3], keyid) ||
	    bundle_b64_decode(w[5], seed, crypto_sign_SEEDBYTES)) {
		bundle_err(err, errlen, path, 0, "not a secret key file");
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	bundle_keyid(pk, id);
	if (memcmp(id, keyid, BUNDLE_KEYID_LEN)) {
		bundle_err(err, errlen, path, 0, "key id does not match the key");
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	sodium_free(seed);
	sodium_free(buf);
	return ret;
}

int bundle_sign_file(const char *keypath, const char *path, char *keyid_hex,
		     char *err, size_t errlen)
{
	uint8_t *sk = NULL, keyid[BUNDLE_KEYID_LEN], sig[BUNDLE_SIG_LEN];
	char tmp[4096], line[256], b64[128];
	struct bundle b;
	struct stat st;
	int fd = -1, ret = -1;

	if (sodium_init() < 0)
		return bundle_err(err, errlen, path, 0, "libsodium failed to initialise");
	if (bundle_load(path, &b, err, errlen))
		return -1;
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (!sk) {
		bundle_err(err, errlen, path, 0, "out of memory");
		goto out;
	}
	if (load_secret(keypath, sk, keyid, err, errlen))
		goto out;
	bundle_hex(keyid, BUNDLE_KEYID_LEN, keyid_hex);
	for (size_t i = 0; i < b.n_sigs; i++)
		if (!memcmp(b.sigs[i].keyid, keyid, BUNDLE_KEYID_LEN)) {
			bundle_err(err, errlen, path, b.sigs[i].line,
			     "already signed by %s", keyid_hex);
			goto out;
		}
	if (b.n_sigs >= BUNDLE_SIG_MAX) {
		bundle_err(err, errlen, path, 0, "already has %d signatures",
		     BUNDLE_SIG_MAX);
		goto out;
	}
	crypto_sign_detached(sig, NULL, b.raw, b.signed_len, sk);
	bundle_b64_encode(sig, sizeof(sig), b64, sizeof(b64));
	snprintf(line, sizeof(line), "signature %s %s\n", keyid_hex, b64);

	/* Replace the file atomically, keeping its mode. */
	if (stat(path, &st)) {
		bundle_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.signXXXXXX", path) >= sizeof(tmp)) {
		bundle_err(err, errlen, path, 0, "path too long");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		bundle_err(err, errlen, tmp, 0, "%s", strerror(errno));
		goto out;
	}
	if (fchmod(fd, st.st_mode & 07777) ||
	    write_all(fd, b.raw, b.raw_len) ||
	    write_all(fd, line, strlen(line)) || fsync(fd)) {
		bundle_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;	/* closes and unlinks tmp */
	}
	if (close(fd)) {
		fd = -1;
		bundle_err(err, errlen, path, 0, "%s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		bundle_err(err, errlen, path, 0, "%s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	sodium_free(sk);
	bundle_free(&b);
	return ret;
}
