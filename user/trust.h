/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trust file (Documentation/bundle-format.rst): the Commission
 * members' Ed25519 public keys and the quorum, and the sizes of keys, key
 * ids and signatures that bundles (bundle.h) and signing (sign.h) use.
 * Errors as in bundle.h: 0 or -1 and one line in err.
 */
#ifndef AUTOSEL_TRUST_H
#define AUTOSEL_TRUST_H

#include <stddef.h>
#include <stdint.h>

#define TRUST_MEMBER_MAX	64
#define TRUST_NAME_MAX		64

#define BUNDLE_KEYID_LEN	8		/* bytes; 16 hex digits in text */
#define BUNDLE_KEYID_HEX	(2 * BUNDLE_KEYID_LEN + 1)
#define BUNDLE_PK_LEN		32		/* Ed25519 public key */
#define BUNDLE_SIG_LEN		64		/* Ed25519 detached signature */

struct trust_member {
	uint8_t keyid[BUNDLE_KEYID_LEN];	/* = bundle_keyid(pk) */
	uint8_t pk[BUNDLE_PK_LEN];
	char name[TRUST_NAME_MAX];		/* optional, "" if none */
	unsigned int line;
};

struct trust {
	unsigned int quorum;			/* 1 .. n_members */
	struct trust_member members[TRUST_MEMBER_MAX];
	size_t n_members;
};

/* Parse a trust file (format in bundle-format.rst). */
int trust_parse(struct trust *t, const void *buf, size_t len,
		const char *name, char *err, size_t errlen);
int trust_load(const char *path, struct trust *t, char *err, size_t errlen);
/* The member with this key id, or NULL. */
const struct trust_member *trust_find(const struct trust *t,
				      const uint8_t *keyid);

/* Key id: the first 8 bytes of SHA-256(public key). */
void bundle_keyid(const uint8_t pk[BUNDLE_PK_LEN],
		  uint8_t keyid[BUNDLE_KEYID_LEN]);

#endif
