// SPDX-License-Identifier: GPL-2.0
/*
 * The Commission's side of the keys (sign.h): key pairs and signing
 * (Documentation/bundle-format.rst).  Secret keys are read into locked
 * memory only as long as signing takes, wiped afterwards, and never
 * printed.  Installing a bundle needs none of this.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "cli.h"
#include "encode.h"
#include "sign.h"
#include "trust.h"

#define KEY_FILE_MAX	4096

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
		return as_line_err(err, errlen, path, 0, "%s", strerror(errno));
	if (fchmod(fd, mode) || write_all(fd, buf, len) || fsync(fd)) {
		int e = errno;

		close(fd);
		unlink(path);
		return as_line_err(err, errlen, path, 0, "%s", strerror(e));
	}
	if (close(fd)) {
		int e = errno;

		unlink(path);
		return as_line_err(err, errlen, path, 0, "%s", strerror(e));
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
		return as_line_err(err, errlen, prefix, 0, "libsodium failed to initialise");
	if (name && (!*name || strlen(name) >= TRUST_NAME_MAX ||
		     strpbrk(name, " \t\r\n#")))
		return as_line_err(err, errlen, prefix, 0,
			    "bad member name (1 to %d bytes, no spaces or '#')",
			    TRUST_NAME_MAX - 1);
	for (const char *c = name; c && *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return as_line_err(err, errlen, prefix, 0,
				    "bad member name (printable ASCII only)");
	if ((size_t)snprintf(kpath, sizeof(kpath), "%s.key", prefix) >= sizeof(kpath) ||
	    (size_t)snprintf(ppath, sizeof(ppath), "%s.pub", prefix) >= sizeof(ppath))
		return as_line_err(err, errlen, prefix, 0, "path too long");
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	sec = sodium_malloc(seclen);
	if (!seed || !sk || !sec) {
		as_line_err(err, errlen, prefix, 0, "out of memory");
		goto out;
	}
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(pk, sk, seed);
	bundle_keyid(pk, id);
	as_hex(id, BUNDLE_KEYID_LEN, keyid_hex);
	as_b64_encode(pk, sizeof(pk), pkb64, sizeof(pkb64));
	{
		char sb64[64];

		as_b64_encode(seed, crypto_sign_SEEDBYTES, sb64, sizeof(sb64));
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
		as_line_err(err, errlen, path, 0, "out of memory");
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		as_line_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		as_line_err(err, errlen, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_mode & 077) {
		as_line_err(err, errlen, path, 0,
		     "permissions %04o are too open (a secret key must be 0600)",
		     (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	n = read(fd, buf, KEY_FILE_MAX + 1);
	if (n < 0 || n > KEY_FILE_MAX) {
		as_line_err(err, errlen, path, 0, "%s",
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
	    as_hex_parse(w[3], keyid, BUNDLE_KEYID_LEN) ||
	    as_b64_decode(w[5], seed, crypto_sign_SEEDBYTES)) {
		as_line_err(err, errlen, path, 0, "not a secret key file");
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	bundle_keyid(pk, id);
	if (memcmp(id, keyid, BUNDLE_KEYID_LEN)) {
		as_line_err(err, errlen, path, 0, "key id does not match the key");
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
		return as_line_err(err, errlen, path, 0, "libsodium failed to initialise");
	if (bundle_load(path, &b, err, errlen))
		return -1;
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (!sk) {
		as_line_err(err, errlen, path, 0, "out of memory");
		goto out;
	}
	if (load_secret(keypath, sk, keyid, err, errlen))
		goto out;
	as_hex(keyid, BUNDLE_KEYID_LEN, keyid_hex);
	for (size_t i = 0; i < b.n_sigs; i++)
		if (!memcmp(b.sigs[i].keyid, keyid, BUNDLE_KEYID_LEN)) {
			as_line_err(err, errlen, path, b.sigs[i].line,
			     "already signed by %s", keyid_hex);
			goto out;
		}
	if (b.n_sigs >= BUNDLE_SIG_MAX) {
		as_line_err(err, errlen, path, 0, "already has %d signatures",
		     BUNDLE_SIG_MAX);
		goto out;
	}
	crypto_sign_detached(sig, NULL, b.raw, b.signed_len, sk);
	as_b64_encode(sig, sizeof(sig), b64, sizeof(b64));
	snprintf(line, sizeof(line), "signature %s %s\n", keyid_hex, b64);

	/* Replace the file atomically, keeping its mode. */
	if (stat(path, &st)) {
		as_line_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.signXXXXXX", path) >= sizeof(tmp)) {
		as_line_err(err, errlen, path, 0, "path too long");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		as_line_err(err, errlen, tmp, 0, "%s", strerror(errno));
		goto out;
	}
	if (fchmod(fd, st.st_mode & 07777) ||
	    write_all(fd, b.raw, b.raw_len) ||
	    write_all(fd, line, strlen(line)) || fsync(fd)) {
		as_line_err(err, errlen, path, 0, "%s", strerror(errno));
		goto out;	/* closes and unlinks tmp */
	}
	if (close(fd)) {
		fd = -1;
		as_line_err(err, errlen, path, 0, "%s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		as_line_err(err, errlen, path, 0, "%s", strerror(errno));
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
