/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: build crafted frames from a description.
 *
 * The builder knows where it put every header, so it also says what the
 * header length of the frame is (pkt_info.hdr_len): that is the expected
 * value the tests hold the parser and the XDP program to.  It does not
 * use include/autosel/parse.h.
 *
 * A frame may be wrapped in tunnels (pkt_spec.encap, outermost first):
 * each layer names the IP header that carries the tunnel, the tunnel kind
 * and the link headers in front of that IP header; the pkt_spec fields
 * outside encap describe the innermost packet.  The builder writes valid
 * length fields at every level (IP total/payload length, UDP length,
 * GTP-U length), so only pkt_spec.poke makes a frame lie.
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

/* Tunnel kinds.  "The next level" is the next encap layer or the innermost packet. */
enum pkt_tun {
	PKT_T_NONE,
	PKT_T_GRE,		/* GRE 0x0800/0x86dd: the next level's IP */
	PKT_T_GRE_ETH,		/* GRE 0x6558: transparent Ethernet */
	PKT_T_GRE_MPLS,		/* GRE 0x8847: the next level's labels, then IP */
	PKT_T_ERSPAN1,		/* GRE 0x88be, S clear: Ethernet */
	PKT_T_ERSPAN2,		/* GRE 0x88be, S set, 8-byte ERSPAN II header */
	PKT_T_ERSPAN3,		/* GRE 0x22eb, 12-byte ERSPAN III header */
	PKT_T_VXLAN,		/* UDP 4789 (or .port 8472): Ethernet */
	PKT_T_GENEVE,		/* UDP 6081: Ethernet, or IP with .geneve_ip */
	PKT_T_GTPU,		/* UDP 2152 G-PDU: IP */
	PKT_T_IPIP,		/* IP protocol 4 or 41, by the next level's version */
	PKT_T_MPLS_UDP,		/* UDP 6635: the next level's labels, then IP */
};

#define PKT_MAX_ENCAP	4
#define PKT_GRE_C	0x8000
#define PKT_GRE_K	0x2000
#define PKT_GRE_S	0x1000

struct pkt_encap {
	int kind;			/* enum pkt_tun; NONE ends the list */
	int ipver;			/* 4 or 6: the IP header carrying it */
	int nvlan;			/* link headers before that IP header, */
	uint16_t tpid[3];		/* where the enclosing level carries */
	int nmpls;			/* Ethernet (or, nmpls only, MPLS) */
	int ip4_optlen;
	int next;			/* IPv6 extension headers of that */
	uint8_t ext[PKT_MAX_EXT];	/* IP header, as in pkt_spec */
	int frag;			/* of that IP header */
	uint16_t gre_flags;		/* PKT_GRE_C | PKT_GRE_K | PKT_GRE_S */
	uint16_t port;			/* VXLAN: 0 = 4789, or 8472 */
	int geneve_opt;			/* bytes of Geneve options, <= 252, x4 */
	int geneve_ip;			/* Geneve protocol type IP, not 0x6558 */
	int gtp_seq;			/* GTP-U S flag (the 4 optional bytes) */
	int gtp_ext;			/* GTP-U extension headers (E flag) */
	int erspan_o;			/* ERSPAN III 8-byte platform subheader */
	int erspan_ip;			/* ERSPAN III frame type 2 (IP), not 0 */
};

/*
 * Change one byte after the frame is built: (b & ~mask) | val, at off
 * bytes into level's IP header (PKT_AT_IP; level = number of tunnels for
 * the innermost) or tunnel header (PKT_AT_TUN, see pkt_info.tun_off).
 */
enum pkt_at { PKT_AT_NONE, PKT_AT_IP, PKT_AT_TUN };

struct pkt_poke {
	uint8_t at, level;
	uint16_t off;
	uint8_t mask, val;
};

#define PKT_MAX_POKE	3

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
	struct pkt_encap encap[PKT_MAX_ENCAP];	/* tunnels, outermost first */
	struct pkt_poke poke[PKT_MAX_POKE];
};

struct pkt_addr {
	uint8_t src[16];		/* IPv4: first four bytes */
	uint8_t dst[16];
	uint16_t sport, dport;		/* TCP/UDP/SCTP; ICMP echo: sport is
					 * the identifier (0: 0x4242) */
	uint8_t tcp_flags;		/* 0: ACK */
	uint8_t icmp_reply;		/* ICMP echo reply, not request */
	uint16_t frag_id;		/* IPv4 id / low bits of the IPv6 id */
	/*
	 * The addresses of every tunnel level's IP header (not the
	 * innermost); all zero: per-level defaults in 100.127.0.0/16 and
	 * 2001:db8:fe00::/40, which no test rule covers.
	 */
	uint8_t outer_src4[4], outer_dst4[4];
	uint8_t outer_src6[16], outer_dst6[16];
};

struct pkt_info {
	size_t len;			/* frame length */
	size_t hdr_len;			/* bytes a selected frame keeps */
	size_t l3_off;			/* start of the (innermost) IP header */
	size_t l4_off;			/* start of the transport header */
	size_t iplen_off;		/* offset of the IP length field */
	size_t ihl_off;			/* offset of IPv4 version/IHL byte */
	size_t tcp_doff_off;		/* offset of the TCP data offset byte */
	/* Tunnels (nencap of them): */
	int nencap;			/* tunnel layers written */
	int encap;			/* layers a parser decapsulates (frags) */
	size_t ip_off[PKT_MAX_ENCAP + 1];	/* each level's IP header */
	size_t ip_end[PKT_MAX_ENCAP + 1];	/* ... and its end (with ext) */
	size_t tun_off[PKT_MAX_ENCAP];	/* GRE, VXLAN, Geneve, GTP-U header;
					 * IPIP and MPLS/UDP: what follows */
	/*
	 * The keep length if level L's tunnel header is not one autosel
	 * knows: the end of its IP header (GRE, IPIP) or UDP header.
	 */
	size_t stop_keep[PKT_MAX_ENCAP];
	size_t nodecap_keep;		/* the keep length without decapsulation */
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
			/* echo request (8, 128) or reply (0, 129) */
			p[0] = s->l4 == 1 ? (a->icmp_reply ? 0 : 8) :
					    (a->icmp_reply ? 129 : 128);
			pkt_put16(p + 4, a->sport ? a->sport : 0x4242);
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
 * One IP header (IPv6: with the extension headers ext[0..next)) at p,
 * carrying proto.  Returns its length (0: a description the builder
 * cannot write); *later is set for a non-first fragment, whose transport
 * header is not written (IPv6: nor the chain after the fragment header).
 * The length field is written later, when the frame's length is known.
 */
static inline size_t pkt_put_ip(uint8_t *p, int ipver, int optlen, int next,
				const uint8_t *ext, int frag, uint8_t proto,
				const uint8_t *src, const uint8_t *dst,
				uint16_t frag_id, int *later)
{
	uint8_t *next_hdr;
	size_t off, i;

	*later = 0;
	if (ipver == 4) {
		size_t ihl = 20 + (size_t)optlen;

		if (optlen < 0 || optlen > 40 || optlen % 4)
			return 0;
		p[0] = (uint8_t)(0x40 | (ihl / 4));
		pkt_put16(p + 4, frag_id);
		if (frag == PKT_FRAG_FIRST)
			pkt_put16(p + 6, 0x2000);	/* MF */
		else if (frag == PKT_FRAG_LATER)
			pkt_put16(p + 6, 185);		/* 1480 bytes in */
		p[8] = 64;
		p[9] = proto;
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		for (i = 20; i < ihl; i++)
			p[i] = 1;			/* NOP */
		*later = frag == PKT_FRAG_LATER;
		return ihl;
	}
	if (ipver != 6)
		return 0;
	p[0] = 0x60;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	next_hdr = p + 6;
	off = 40;
	for (i = 0; i < (size_t)next; i++) {
		uint8_t t = ext[i];
		size_t len = pkt_ext_len(t);

		if (!len)
			return 0;
		*next_hdr = t;
		next_hdr = p + off;
		memset(p + off, 0, len);
		if (t == 44) {
			uint16_t fo = 0;

			if (frag == PKT_FRAG_FIRST)
				fo = 1;			/* M */
			else if (frag == PKT_FRAG_LATER)
				fo = 185 << 3;
			pkt_put16(p + off + 2, fo);
			pkt_put32(p + off + 4, 0x10000u | frag_id);
		} else if (t == 51) {
			p[off + 1] = (uint8_t)(len / 4 - 2);
			pkt_put32(p + off + 4, 0x1000);	/* SPI */
		} else {
			p[off + 1] = (uint8_t)(len / 8 - 1);
			p[off + 2] = 1;			/* PadN */
			p[off + 3] = (uint8_t)(len - 4);
		}
		off += len;
		if (t == 44 && frag == PKT_FRAG_LATER) {
			/* The rest of the chain is in the payload. */
			*later = 1;
			*next_hdr = i + 1 < (size_t)next ? ext[i + 1] : proto;
			return off;
		}
	}
	*next_hdr = proto;
	return off;
}

/* Ethernet (ctx PKT_CTX_ETH) with tags, then MPLS labels; or labels only. */
enum { PKT_CTX_ETH, PKT_CTX_MPLS, PKT_CTX_IP };

static inline size_t pkt_put_link(uint8_t *p, int ctx, int level, int nvlan,
				  const uint16_t *tpid, int nmpls, int no_bos,
				  uint16_t l3type)
{
	size_t off = 0, i;

	if (ctx == PKT_CTX_ETH) {
		/* dst 02:00:00:00:LL:02, src 02:00:00:00:LL:01 */
		p[0] = 2;
		p[4] = (uint8_t)level;
		p[5] = 2;
		p[6] = 2;
		p[10] = (uint8_t)level;
		p[11] = 1;
		off = 12;
		for (i = 0; i < (size_t)nvlan; i++) {
			pkt_put16(p + off, tpid[i]);
			pkt_put16(p + off + 2, (uint16_t)(100 + i));	/* VID */
			off += 4;
		}
		pkt_put16(p + off, nmpls ? 0x8847 : l3type);
		off += 2;
	}
	for (i = 0; i < (size_t)nmpls; i++) {
		uint32_t lse = (uint32_t)(16 + i) << 12 | 64;

		if (i + 1 == (size_t)nmpls && !no_bos)
			lse |= 1 << 8;
		pkt_put32(p + off, lse);
		off += 4;
	}
	return off;
}

/* GRE and, for the ERSPAN kinds, the ERSPAN header after it. */
static inline size_t pkt_put_gre(uint8_t *p, const struct pkt_encap *e,
				 int nextver, int level)
{
	uint16_t fl = e->gre_flags & (PKT_GRE_C | PKT_GRE_K | PKT_GRE_S), pt;
	size_t len = 4;

	switch (e->kind) {
	case PKT_T_GRE:
		pt = nextver == 6 ? 0x86dd : 0x0800;
		break;
	case PKT_T_GRE_ETH:
		pt = 0x6558;
		break;
	case PKT_T_GRE_MPLS:
		pt = 0x8847;
		break;
	case PKT_T_ERSPAN1:
		pt = 0x88be;
		fl &= (uint16_t)~PKT_GRE_S;	/* S clear is what makes it type I */
		break;
	case PKT_T_ERSPAN2:
		pt = 0x88be;
		fl |= PKT_GRE_S;
		break;
	default:
		pt = 0x22eb;
		break;
	}
	pkt_put16(p, fl);
	pkt_put16(p + 2, pt);
	if (fl & PKT_GRE_C)
		len += 4;			/* checksum (unchecked) + reserved */
	if (fl & PKT_GRE_K) {
		pkt_put32(p + len, 0xabc00u | (uint32_t)level);
		len += 4;
	}
	if (fl & PKT_GRE_S) {
		pkt_put32(p + len, 1000u + (uint32_t)level);
		len += 4;
	}
	if (e->kind == PKT_T_ERSPAN2) {
		pkt_put16(p + len, 0x1000);		/* version 1, VLAN 0 */
		pkt_put16(p + len + 2, 0x0042);		/* session 0x42 */
		pkt_put32(p + len + 4, 7);		/* index */
		len += 8;
	} else if (e->kind == PKT_T_ERSPAN3) {
		pkt_put16(p + len, 0x2000 | 100);	/* version 2, VLAN 100 */
		pkt_put16(p + len + 2, 0x0042);
		pkt_put32(p + len + 4, 0x12345678);	/* timestamp */
		p[len + 10] = (uint8_t)((e->erspan_ip ? 2 : 0) << 2);	/* FT */
		p[len + 11] = (uint8_t)(0x02 | (e->erspan_o ? 1 : 0));	/* Gra, O */
		len += 12;
		if (e->erspan_o) {
			p[len] = 0x0c;			/* platform id 3 */
			pkt_put32(p + len + 4, 0x9abc);
			len += 8;
		}
	}
	return len;
}

/* The header of a UDP tunnel (after the UDP header). */
static inline size_t pkt_put_udp_tun(uint8_t *p, const struct pkt_encap *e,
				     int nextver, int level)
{
	size_t len = 8, i;

	switch (e->kind) {
	case PKT_T_VXLAN:
		p[0] = 0x08;				/* I */
		p[5] = 0x10;				/* VNI 0x10LL */
		p[6] = (uint8_t)level;
		return 8;
	case PKT_T_GENEVE:
		p[0] = (uint8_t)(e->geneve_opt / 4);	/* version 0 */
		pkt_put16(p + 2, !e->geneve_ip ? 0x6558 :
				 nextver == 6 ? 0x86dd : 0x0800);
		p[5] = 0x20;
		p[6] = (uint8_t)level;
		/* options of 8 bytes (class 0x0103, type 1, 4 data bytes) */
		for (i = 0; i + 8 <= (size_t)e->geneve_opt; i += 8) {
			pkt_put16(p + len + i, 0x0103);
			p[len + i + 2] = 1;
			p[len + i + 3] = 1;
			pkt_put32(p + len + i + 4, 0x11223344);
		}
		if (i < (size_t)e->geneve_opt) {	/* and one without data */
			pkt_put16(p + len + i, 0x0103);
			p[len + i + 2] = 2;
		}
		return len + (size_t)e->geneve_opt;
	case PKT_T_GTPU:
		p[0] = (uint8_t)(0x30 | (e->gtp_ext ? 0x04 : 0) |
				 (e->gtp_seq ? 0x02 : 0));	/* version 1, PT */
		p[1] = 0xff;				/* G-PDU */
		pkt_put32(p + 4, 0x1000u + (uint32_t)level);	/* TEID */
		if (!e->gtp_ext && !e->gtp_seq)
			return 8;
		pkt_put16(p + 8, e->gtp_seq ? 77 : 0);
		p[11] = e->gtp_ext ? 0x85 : 0;		/* PDU session container */
		len = 12;
		for (i = 0; i < (size_t)e->gtp_ext; i++) {
			size_t units = 1 + (i & 1);	/* 4 and 8 bytes */

			p[len] = (uint8_t)units;
			p[len + 2] = 9;			/* QFI */
			p[len + units * 4 - 1] = i + 1 < (size_t)e->gtp_ext ? 0x85 : 0;
			len += units * 4;
		}
		return len;
	default:
		return 0;				/* MPLS/UDP: labels follow */
	}
}

static inline uint16_t pkt_udp_port(const struct pkt_encap *e)
{
	switch (e->kind) {
	case PKT_T_VXLAN:
		return e->port ? e->port : 4789;
	case PKT_T_GENEVE:
		return 6081;
	case PKT_T_GTPU:
		return 2152;
	case PKT_T_MPLS_UDP:
		return 6635;
	default:
		return 0;
	}
}

/* The addresses of tunnel level L's IP header. */
static inline void pkt_outer_addr(const struct pkt_addr *a, int ipver, int level,
				  uint8_t *src, uint8_t *dst)
{
	static const uint8_t zero[16];

	memset(src, 0, 16);
	memset(dst, 0, 16);
	if (ipver == 4 && memcmp(a->outer_src4, zero, 4)) {
		memcpy(src, a->outer_src4, 4);
		memcpy(dst, a->outer_dst4, 4);
	} else if (ipver == 4) {
		src[0] = 100;
		src[1] = 127;
		src[2] = (uint8_t)level;
		src[3] = 1;
		memcpy(dst, src, 4);
		dst[3] = 2;
	} else if (memcmp(a->outer_src6, zero, 16)) {
		memcpy(src, a->outer_src6, 16);
		memcpy(dst, a->outer_dst6, 16);
	} else {
		pkt_put16(src, 0x2001);
		pkt_put16(src + 2, 0xdb8);
		pkt_put16(src + 4, (uint16_t)(0xfe00 + level));
		memcpy(dst, src, 16);
		src[15] = 1;
		dst[15] = 2;
	}
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
	size_t off = 0, udp_off[PKT_MAX_ENCAP + 1] = { 0 };
	size_t gtp_off[PKT_MAX_ENCAP] = { 0 };
	int ctx = PKT_CTX_ETH, n, lv, stopped = 0, later = 0, innermost_ip = 0;

	memset(info, 0, sizeof(*info));
	memset(buf, 0, PKT_MAX);
	if (s->nvlan > 3 || s->nmpls > 8 || s->next > PKT_MAX_EXT ||
	    s->payload < 0 || s->payload > PKT_MAX - 512)
		return 0;
	for (n = 0; n < PKT_MAX_ENCAP && s->encap[n].kind; n++) {
		const struct pkt_encap *e = &s->encap[n];

		if (e->nvlan > 3 || e->nmpls > 8 || e->next > PKT_MAX_EXT ||
		    e->geneve_opt < 0 ||
		    e->geneve_opt > 252 || e->geneve_opt % 4 ||
		    e->gtp_ext < 0 || e->gtp_ext > 8)
			return 0;
	}
	info->nencap = n;
	info->encap = n;

	for (lv = 0; lv <= n; lv++) {
		const struct pkt_encap *e = lv < n ? &s->encap[lv] : NULL;
		int ipver = e ? e->ipver : s->ipver;
		int nextver = lv + 1 < n ? s->encap[lv + 1].ipver : s->ipver;
		int nvlan = e ? e->nvlan : s->nvlan;
		int nmpls = e ? e->nmpls : s->nmpls;
		uint16_t l3type = ipver == 4 ? 0x0800 : ipver == 6 ? 0x86dd :
				  s->ethertype;
		uint8_t src[16], dst[16], proto;
		size_t ihl;

		if (ctx == PKT_CTX_IP && (nvlan || nmpls))
			return 0;	/* no link header inside an IP tunnel */
		if (ctx == PKT_CTX_MPLS && (nvlan || !nmpls))
			return 0;	/* an MPLS tunnel carries labels */
		if (ctx != PKT_CTX_IP)
			off += pkt_put_link(buf + off, ctx, lv, nvlan,
					    e ? e->tpid : s->tpid, nmpls,
					    e ? 0 : s->mpls_no_bos, l3type);
		if (!e && ipver != 4 && ipver != 6) {
			info->l3_off = off;
			if (ctx == PKT_CTX_IP)
				return 0;
			if (s->nmpls) {
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
			break;
		}
		if (e) {
			pkt_outer_addr(a, ipver, lv, src, dst);
			if (e->kind == PKT_T_IPIP)
				proto = nextver == 6 ? 41 : 4;
			else if (e->kind <= PKT_T_ERSPAN3)
				proto = 47;
			else
				proto = 17;
		} else {
			memcpy(src, a->src, 16);
			memcpy(dst, a->dst, 16);
			proto = s->l4;
		}
		info->ip_off[lv] = off;
		ihl = pkt_put_ip(buf + off, ipver, e ? e->ip4_optlen : s->ip4_optlen,
				 e ? e->next : s->next, e ? e->ext : s->ext,
				 e ? e->frag : s->frag,
				 proto, src, dst, a->frag_id, &later);
		if (!ihl)
			return 0;
		off += ihl;
		info->ip_end[lv] = off;
		if (later && !stopped) {
			/* What follows is a fragment's payload to a parser. */
			info->hdr_len = off;
			info->encap = lv;
			stopped = 1;
		}
		if (!e) {
			innermost_ip = 1;
			info->l3_off = info->ip_off[lv];
			if (ipver == 4) {
				info->ihl_off = info->l3_off;
				info->iplen_off = info->l3_off + 2;
			} else {
				info->iplen_off = info->l3_off + 4;
			}
			info->l4_off = off;
			if (!later) {
				if (s->l4 == 6)
					info->tcp_doff_off = off + 12;
				if (s->l4 == 17)
					udp_off[lv] = off;
				off += pkt_put_l4(buf + off, s, a);
			}
			break;
		}

		/* The tunnel header of level lv. */
		if (proto == 17) {
			pkt_put16(buf + off, (uint16_t)(49152 + lv));
			pkt_put16(buf + off + 2, pkt_udp_port(e));
			udp_off[lv] = off;
			off += 8;
		}
		info->tun_off[lv] = off;
		info->stop_keep[lv] = off;
		if (e->kind == PKT_T_GTPU)
			gtp_off[lv] = off;
		if (proto == 47)
			off += pkt_put_gre(buf + off, e, nextver, lv);
		else if (proto == 17)
			off += pkt_put_udp_tun(buf + off, e, nextver, lv);
		switch (e->kind) {
		case PKT_T_GRE:
		case PKT_T_GTPU:
		case PKT_T_IPIP:
			ctx = PKT_CTX_IP;
			break;
		case PKT_T_GRE_MPLS:
		case PKT_T_MPLS_UDP:
			ctx = PKT_CTX_MPLS;
			break;
		case PKT_T_ERSPAN3:
			ctx = e->erspan_ip ? PKT_CTX_IP : PKT_CTX_ETH;
			break;
		case PKT_T_GENEVE:
			ctx = e->geneve_ip ? PKT_CTX_IP : PKT_CTX_ETH;
			break;
		default:
			ctx = PKT_CTX_ETH;
			break;
		}
	}
	if (!stopped)
		info->hdr_len = off;
	if (!n)
		info->nodecap_keep = info->hdr_len;
	else if (s->encap[0].frag == PKT_FRAG_LATER)
		info->nodecap_keep = info->ip_end[0];
	else
		info->nodecap_keep = info->stop_keep[0];

	if (off + (size_t)s->payload > PKT_MAX)
		return 0;
	pkt_fill_canary(buf + off, (size_t)s->payload);
	off += (size_t)s->payload;
	info->len = off;

	/* Length fields, innermost first; checksums over the final header. */
	for (lv = n; lv >= 0; lv--) {
		size_t ip = info->ip_off[lv];

		if (lv == n && !innermost_ip)
			continue;
		if (buf[ip] >> 4 == 4) {
			pkt_put16(buf + ip + 2, (uint16_t)(off - ip));
			pkt_put16(buf + ip + 10, pkt_csum(buf + ip,
						(size_t)(buf[ip] & 15) * 4));
		} else {
			pkt_put16(buf + ip + 4, (uint16_t)(off - ip - 40));
		}
	}
	for (lv = 0; lv <= n; lv++) {
		if (udp_off[lv])
			pkt_put16(buf + udp_off[lv] + 4, (uint16_t)(off - udp_off[lv]));
		if (lv < n && gtp_off[lv])	/* bytes after the mandatory 8 */
			pkt_put16(buf + gtp_off[lv] + 2,
				  (uint16_t)(off - gtp_off[lv] - 8));
	}

	for (lv = 0; lv < PKT_MAX_POKE; lv++) {
		const struct pkt_poke *pk = &s->poke[lv];
		size_t at;

		if (pk->at == PKT_AT_NONE)
			continue;
		if (pk->at == PKT_AT_IP ? pk->level > n || (pk->level == n && !innermost_ip) :
					  pk->level >= n)
			return 0;
		at = (pk->at == PKT_AT_IP ? info->ip_off[pk->level] :
		      info->tun_off[pk->level]) + pk->off;
		if (at >= off)
			return 0;
		buf[at] = (uint8_t)((buf[at] & ~pk->mask) | (pk->val & pk->mask));
	}
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
