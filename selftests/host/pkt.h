/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: build crafted frames from a description.
 *
 * The builder knows where it put every header, so it also says what the
 * header length of the frame is (pkt_info.hdr_len): that is the expected
 * value the tests hold the parser and the XDP program to.  It does not
 * use include/autosel/parse.h.
 *
 * Every payload byte is the canary marker, so any payload byte that leaks
 * into a kept record shows up as (part of) PKT_CANARY.
 */
#ifndef AUTOSEL_SELFTEST_PKT_H
#define AUTOSEL_SELFTEST_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PKT_CANARY	"CANARY-AUTOSEL"
#define PKT_MAX		10240

enum pkt_frag { PKT_FRAG_NONE, PKT_FRAG_FIRST, PKT_FRAG_LATER };

#define PKT_MAX_EXT	10

struct pkt_spec {
	const char *name;
	int nvlan;			/* 802.1Q/802.1ad tags */
	uint16_t tpid[3];		/* their TPIDs, outermost first */
	int nmpls;			/* MPLS labels */
	int mpls_no_bos;		/* no bottom-of-stack bit anywhere */
	int ipver;			/* 4 or 6; 0: not IP, see ethertype */
	uint16_t ethertype;		/* for ipver 0 */
	int ip4_optlen;			/* bytes of IPv4 options, multiple of 4 */
	int next;			/* IPv6 extension headers ... */
	uint8_t ext[PKT_MAX_EXT];	/* ... in order: 0, 43, 44, 51, 60 */
	int frag;			/* enum pkt_frag */
	uint8_t l4;			/* transport protocol number */
	int tcp_optlen;			/* multiple of 4 */
	int payload;			/* canary bytes after the headers */
};

struct pkt_addr {
	uint8_t src[16];		/* IPv4: first four bytes */
	uint8_t dst[16];
	uint16_t sport, dport;		/* TCP/UDP/SCTP */
	uint8_t tcp_flags;		/* 0: ACK */
	uint16_t frag_id;		/* IPv4 id / low bits of the IPv6 id */
};

struct pkt_info {
	size_t len;			/* frame length */
	size_t hdr_len;			/* bytes a selected frame keeps */
	size_t l3_off;			/* start of the IP header */
	size_t l4_off;			/* start of the transport header */
	size_t iplen_off;		/* offset of the IP length field */
	size_t ihl_off;			/* offset of IPv4 version/IHL byte */
	size_t tcp_doff_off;		/* offset of the TCP data offset byte */
};

#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_ACK	0x10

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pkt_put32(uint8_t *p, uint32_t v)
{
	pkt_put16(p, (uint16_t)(v >> 16));
	pkt_put16(p + 2, (uint16_t)v);
}

static inline uint16_t pkt_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The length in bytes of an IPv6 extension header as this builder writes it. */
static inline size_t pkt_ext_len(uint8_t type)
{
	switch (type) {
	case 0:  return 8;	/* hop-by-hop: hdr ext len 0 */
	case 43: return 24;	/* routing: hdr ext len 2 */
	case 44: return 8;	/* fragment */
	case 51: return 24;	/* AH: payload len 4 -> (4 + 2) * 4 */
	case 60: return 16;	/* destination options: hdr ext len 1 */
	default: return 0;
	}
}

static inline size_t pkt_l4_len(const struct pkt_spec *s)
{
	switch (s->l4) {
	case 6:   return 20 + (size_t)s->tcp_optlen;
	case 17:  return 8;
	case 132: return 12;
	case 1:   return s->ipver == 4 ? 8 : 0;
	case 58:  return s->ipver == 6 ? 8 : 0;
	default:  return 0;	/* unknown: nothing of it is a header */
	}
}

/*
 * Write the transport header.  Protocols the parser does not know have no
 * header autosel may keep: their first bytes are payload (canary) too.
 */
static inline size_t pkt_put_l4(uint8_t *p, const struct pkt_spec *s,
				const struct pkt_addr *a)
{
	size_t len = pkt_l4_len(s), i;

	memset(p, 0, len);
	switch (s->l4) {
	case 6:
		pkt_put16(p, a->sport);
		pkt_put16(p + 2, a->dport);
		pkt_put32(p + 4, 1000);
		pkt_put32(p + 8, 2000);
		p[12] = (uint8_t)((len / 4) << 4);
		p[13] = a->tcp_flags ? a->tcp_flags : PKT_TCP_ACK;
		pkt_put16(p + 14, 65535);
		for (i = 20; i < len; i++)
			p[i] = 1;		/* NOP */
		if (len >= 24) {		/* MSS 1460 */
			p[20] = 2;
			p[21] = 4;
			pkt_put16(p + 22, 1460);
		}
		break;
	case 17:
		pkt_put16(p, a->sport);
		pkt_put16(p + 2, a->dport);
		break;				/* length fixed up later */
	case 132:
		pkt_put16(p, a->sport);
		pkt_put16(p + 2, a->dport);
		pkt_put32(p + 4, 0xdeadbeef);	/* verification tag */
		break;
	case 1:
	case 58:
		if (len) {
			p[0] = s->l4 == 1 ? 8 : 128;	/* echo request */
			pkt_put16(p + 4, 0x4242);
			pkt_put16(p + 6, 1);
		}
		break;
	}
	return len;
}

static inline void pkt_fill_canary(uint8_t *p, size_t len)
{
	static const char m[] = PKT_CANARY;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)m[i % (sizeof(m) - 1)];
}

/*
 * Build the frame described by s with addresses a into buf (PKT_MAX
 * bytes).  Returns the frame length, 0 if the description is not one the
 * builder can write.
 */
static inline size_t pkt_build(const struct pkt_spec *s,
			       const struct pkt_addr *a, uint8_t *buf,
			       struct pkt_info *info)
{
	static const uint8_t dmac[6] = { 2, 0, 0, 0, 0, 2 };
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 1 };
	uint16_t l3type;
	size_t off = 0, ip_off, i, udp_off = 0;
	uint8_t *next_hdr = NULL;
	int later = 0;

	memset(info, 0, sizeof(*info));
	memset(buf, 0, PKT_MAX);
	if (s->nvlan > 3 || s->nmpls > 8 || s->next > PKT_MAX_EXT ||
	    s->payload < 0 || s->payload > PKT_MAX - 512)
		return 0;

	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	off = 12;
	if (s->ipver == 4)
		l3type = 0x0800;
	else if (s->ipver == 6)
		l3type = 0x86dd;
	else
		l3type = s->ethertype;
	if (s->nmpls)
		l3type = 0x8847;
	for (i = 0; i < (size_t)s->nvlan; i++) {
		pkt_put16(buf + off, s->tpid[i]);
		pkt_put16(buf + off + 2, (uint16_t)(100 + i));	/* VID */
		off += 4;
	}
	pkt_put16(buf + off, l3type);
	off += 2;
	for (i = 0; i < (size_t)s->nmpls; i++) {
		uint32_t lse = (uint32_t)(16 + i) << 12 | 64;

		if (i + 1 == (size_t)s->nmpls && !s->mpls_no_bos)
			lse |= 1 << 8;
		pkt_put32(buf + off, lse);
		off += 4;
	}

	ip_off = off;
	info->l3_off = off;
	if (s->ipver == 4) {
		size_t ihl = 20 + (size_t)s->ip4_optlen;

		buf[off] = (uint8_t)(0x40 | (ihl / 4));
		info->ihl_off = off;
		info->iplen_off = off + 2;
		pkt_put16(buf + off + 4, a->frag_id);
		if (s->frag == PKT_FRAG_FIRST)
			pkt_put16(buf + off + 6, 0x2000);	/* MF */
		else if (s->frag == PKT_FRAG_LATER)
			pkt_put16(buf + off + 6, 185);		/* 1480 bytes in */
		buf[off + 8] = 64;
		buf[off + 9] = s->l4;
		memcpy(buf + off + 12, a->src, 4);
		memcpy(buf + off + 16, a->dst, 4);
		for (i = 20; i < ihl; i++)
			buf[off + i] = 1;			/* NOP */
		off += ihl;
		later = s->frag == PKT_FRAG_LATER;
	} else if (s->ipver == 6) {
		buf[off] = 0x60;
		info->iplen_off = off + 4;
		buf[off + 7] = 64;
		memcpy(buf + off + 8, a->src, 16);
		memcpy(buf + off + 24, a->dst, 16);
		next_hdr = buf + off + 6;
		off += 40;
		for (i = 0; i < (size_t)s->next; i++) {
			uint8_t t = s->ext[i];
			size_t len = pkt_ext_len(t);

			if (!len)
				return 0;
			*next_hdr = t;
			next_hdr = buf + off;
			memset(buf + off, 0, len);
			if (t == 44) {
				uint16_t fo = 0;

				if (s->frag == PKT_FRAG_FIRST)
					fo = 1;			/* M */
				else if (s->frag == PKT_FRAG_LATER)
					fo = 185 << 3;
				pkt_put16(buf + off + 2, fo);
				pkt_put32(buf + off + 4, 0x10000u | a->frag_id);
			} else if (t == 51) {
				buf[off + 1] = (uint8_t)(len / 4 - 2);
				pkt_put32(buf + off + 4, 0x1000);	/* SPI */
			} else {
				buf[off + 1] = (uint8_t)(len / 8 - 1);
				buf[off + 2] = 1;			/* PadN */
				buf[off + 3] = (uint8_t)(len - 4);
			}
			off += len;
			if (t == 44 && s->frag == PKT_FRAG_LATER) {
				/* The rest of the chain is in the payload. */
				later = 1;
				*next_hdr = i + 1 < (size_t)s->next ?
					    s->ext[i + 1] : s->l4;
				break;
			}
		}
		if (!later)
			*next_hdr = s->l4;
	}

	if (s->ipver == 4 || s->ipver == 6) {
		info->l4_off = off;
		if (!later) {
			if (s->l4 == 6)
				info->tcp_doff_off = off + 12;
			if (s->l4 == 17)
				udp_off = off;
			off += pkt_put_l4(buf + off, s, a);
		}
	} else if (s->nmpls) {
		/* A pseudowire control word: first nibble 0, not IP. */
		off += 4;
	} else if (s->ethertype == 0x0806) {
		/* ARP request: no IP header, nothing kept. */
		pkt_put16(buf + off, 1);
		pkt_put16(buf + off + 2, 0x0800);
		buf[off + 4] = 6;
		buf[off + 5] = 4;
		pkt_put16(buf + off + 6, 1);
		off += 28;
	}
	info->hdr_len = off;

	pkt_fill_canary(buf + off, (size_t)s->payload);
	off += (size_t)s->payload;
	info->len = off;

	if (s->ipver == 4) {
		pkt_put16(buf + ip_off + 2, (uint16_t)(off - ip_off));
		pkt_put16(buf + ip_off + 10, pkt_csum(buf + ip_off,
					(size_t)(buf[ip_off] & 15) * 4));
	} else if (s->ipver == 6) {
		pkt_put16(buf + ip_off + 4, (uint16_t)(off - ip_off - 40));
	}
	if (udp_off)
		pkt_put16(buf + udp_off + 4, (uint16_t)(off - udp_off));
	return off;
}

/* Addresses: a.b.c.d as bytes, IPv6 from a string-free 8 x 16-bit form. */
static inline void pkt_ip4(uint8_t *dst, uint8_t a, uint8_t b, uint8_t c,
			   uint8_t d)
{
	memset(dst, 0, 16);
	dst[0] = a;
	dst[1] = b;
	dst[2] = c;
	dst[3] = d;
}

static inline void pkt_ip6(uint8_t *dst, uint16_t w0, uint16_t w1,
			   uint16_t w2, uint16_t w7)
{
	memset(dst, 0, 16);
	pkt_put16(dst, w0);
	pkt_put16(dst + 2, w1);
	pkt_put16(dst + 4, w2);
	pkt_put16(dst + 14, w7);
}

/*
 * Does a 6-byte piece of the repeated marker occur in p?  (Header bytes
 * never spell one; six bytes of payload anywhere always do.)
 */
static inline int pkt_has_canary(const uint8_t *p, size_t len)
{
	static const char m[] = PKT_CANARY PKT_CANARY;
	size_t i, k, n = sizeof(PKT_CANARY) - 1, piece = 6;

	for (i = 0; i + piece <= len; i++)
		for (k = 0; k < n; k++)
			if (!memcmp(p + i, m + k, piece))
				return 1;
	return 0;
}

#endif /* AUTOSEL_SELFTEST_PKT_H */
