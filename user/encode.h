/* SPDX-License-Identifier: GPL-2.0 */
/* Binary as text and back (encode.c). */
#ifndef AUTOSEL_ENCODE_H
#define AUTOSEL_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of bin[0..n) into buf (2 * n + 1 bytes). */
void as_hex(const uint8_t *bin, size_t n, char *buf);
/* Exactly 2 * n lower-case hex digits into out[0..n): 0 or -1. */
int as_hex_parse(const char *s, uint8_t *out, size_t n);
/* Base64 (RFC 4648 standard alphabet, with padding), strict: 0 or -1. */
int as_b64_decode(const char *s, uint8_t *out, size_t outlen);
void as_b64_encode(const uint8_t *in, size_t n, char *out, size_t outlen);
/* SHA-256 of data[0..len) as 64 lower-case hex digits and a NUL. */
void as_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
