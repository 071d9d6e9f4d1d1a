/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests and bench: the payloads that carry a name -- a DNS
 * question, a TLS ClientHello with server_name -- for xdp/names.h.  The
 * options of tls_hello() make the malformed variants the tests need.
 */
#ifndef AUTOSEL_SELFTEST_NAMES_PKT_H
#define AUTOSEL_SELFTEST_NAMES_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"

/* DNS wire name of a dotted text ("" = root).  Returns its length. */
static inline size_t dns_wire(uint8_t *o, const char *text)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		o[n++] = (uint8_t)l;
		memcpy(o + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	o[n++] = 0;
	return n;
}

/* A DNS query (or response, qr) for the wire name w. */
static inline size_t dns_msg(uint8_t *o, const uint8_t *w, size_t wlen,
			     int qr)
{
	memset(o, 0, 12);
	pkt_put16(o, 0x1234);
	pkt_put16(o + 2, qr ? 0x8180 : 0x0100);
	pkt_put16(o + 4, 1);
	if (qr)
		pkt_put16(o + 6, 1);
	memcpy(o + 12, w, wlen);
	pkt_put16(o + 12 + wlen, 1);		/* A */
	pkt_put16(o + 14 + wlen, 1);		/* IN */
	return 16 + wlen;
}

struct tls_opt {
	int grease_before;		/* extensions before server_name */
	size_t pad_before;		/* bytes of padding extension before it */
	int sid_len;
	int no_sni;
	int ciphers_lie, ext_lie, sni_lie, list_lie, name_type;
	size_t record_extra;		/* the record claims this much more */
	int ech;			/* encrypted_client_hello after server_name */
	size_t pad_after;		/* bytes of padding after server_name */
};

/* A TLS 1.2-style ClientHello record with server_name sni. */
static inline size_t tls_hello(uint8_t *o, const char *sni,
			       const struct tls_opt *op, size_t *sni_end)
{
	size_t n = 0, hs, ext, i, sl = strlen(sni), rec;

	o[n++] = 22;
	o[n++] = 3;
	o[n++] = 1;
	rec = n;
	n += 2;
	o[n++] = 1;				/* ClientHello */
	hs = n;
	n += 3;
	o[n++] = 3;
	o[n++] = 3;
	for (i = 0; i < 32; i++)
		o[n++] = (uint8_t)(0xa0 + i);
	o[n++] = (uint8_t)op->sid_len;
	for (i = 0; i < (size_t)op->sid_len; i++)
		o[n++] = 0x55;
	pkt_put16(o + n, op->ciphers_lie ? 0xfff0 : 8);
	n += 2;
	for (i = 0; i < 8; i++)
		o[n++] = (uint8_t)(0x13 + (i & 1));
	o[n++] = 1;
	o[n++] = 0;
	ext = n;
	n += 2;
	for (i = 0; i < (size_t)op->grease_before; i++) {
		pkt_put16(o + n, 0x0a0a + 0x1010 * (uint16_t)i);
		pkt_put16(o + n + 2, 1);
		o[n + 4] = 0;
		n += 5;
	}
	if (op->pad_before) {
		pkt_put16(o + n, 21);		/* padding */
		pkt_put16(o + n + 2, (uint16_t)op->pad_before);
		memset(o + n + 4, 0, op->pad_before);
		n += 4 + op->pad_before;
	}
	if (!op->no_sni) {
		pkt_put16(o + n, 0);
		pkt_put16(o + n + 2, (uint16_t)(sl + 5 + (op->sni_lie ? 40 : 0)));
		pkt_put16(o + n + 4, (uint16_t)(sl + 3 + (op->list_lie ? 9 : 0)));
		o[n + 6] = (uint8_t)op->name_type;
		pkt_put16(o + n + 7, (uint16_t)sl);
		memcpy(o + n + 9, sni, sl);
		n += 9 + sl;
	}
	*sni_end = n;
	if (op->ech) {			/* outer ECHClientHello, random bytes */
		pkt_put16(o + n, 0xfe0d);
		pkt_put16(o + n + 2, 60);
		o[n + 4] = 0;		/* outer */
		for (i = 5; i < 64; i++)
			o[n + i] = (uint8_t)(i * 37);
		n += 64;
	}
	if (op->pad_after) {
		pkt_put16(o + n, 21);
		pkt_put16(o + n + 2, (uint16_t)op->pad_after);
		memset(o + n + 4, 0, op->pad_after);
		n += 4 + op->pad_after;
	}
	/* supported_versions, key_share-ish filler after it */
	pkt_put16(o + n, 43);
	pkt_put16(o + n + 2, 3);
	o[n + 4] = 2;
	pkt_put16(o + n + 5, 0x0304);
	n += 7;
	pkt_put16(o + ext, (uint16_t)(n - ext - 2 + (op->ext_lie ? 100 : 0)));
	o[hs] = 0;
	pkt_put16(o + hs + 1, (uint16_t)(n - hs - 3 + op->record_extra));
	pkt_put16(o + rec, (uint16_t)(n - rec - 2 + op->record_extra));
	return n;
}

#endif /* AUTOSEL_SELFTEST_NAMES_PKT_H */
