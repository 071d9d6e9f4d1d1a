/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Commission's keys (sign.c): making a key pair and signing a bundle.
 * The only functions of the bundle code that write files; none prints a
 * secret key.  Errors as in bundle.h.
 */
#ifndef AUTOSEL_SIGN_H
#define AUTOSEL_SIGN_H

#include <stddef.h>

/*
 * Make a key pair: PREFIX.key (0600, O_EXCL: never overwritten) and
 * PREFIX.pub (one trust-file "member" line, name NAME or none).  Writes
 * the key id in hex into keyid_hex.  Never prints the secret.
 */
int bundle_keygen(const char *prefix, const char *name, char *keyid_hex,
		  char *err, size_t errlen);

/*
 * Append "signature KEYID BASE64" to the bundle file at path, signing its
 * signed bytes with the secret key file.  Refuses a key file readable by
 * group or others, a bundle that does not parse, and a bundle that already
 * carries a signature by this key.  The file is replaced atomically
 * (write a temporary, fsync, rename).
 */
int bundle_sign_file(const char *keypath, const char *path, char *keyid_hex,
		     char *err, size_t errlen);

#endif
