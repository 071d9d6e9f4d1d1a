// SPDX-License-Identifier: GPL-2.0
/*
 * Binary as text and back (encode.h): lower-case hex, strict base64, and
 * a SHA-256 in hex.  libsodium does the base64 and the SHA-256.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"

void as_hex(const uint8_t *bin, size_t n, char *buf)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hx[bin[i] >> 4];
		buf[2 * i + 1] = hx[bin[i] & 15];
	}
	buf[2 * n] = '\0';
}

int as_hex_parse(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
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

int as_b64_decode(const char *s, uint8_t *out, size_t outlen)
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

void as_b64_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, in, n, sodium_base64_VARIANT_ORIGINAL);
}

void as_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(md, data, len);
	sodium_bin2hex(hex, 65, md, sizeof(md));
}
