/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: the header parser.
 *
 * This is the one definition of "what is a header" in autosel.  It is
 * compiled into the XDP program (clang -target bpf), into autosel.ko
 * (where autosel0 re-parses every frame on its own) and into the user
 * space tests.  It therefore uses nothing but byte loads through a cursor
 * that is checked against the end of the buffer before every access, and
 * loops with constant bounds, which the verifier accepts on 6.1 and later.
 *
 * as_parse() walks Ethernet, up to AS_MAX_VLAN 802.1Q/802.1ad tags, an
 * MPLS label stack of up to AS_MAX_MPLS labels, IPv4 (options, fragments)
 * or IPv6 (up to AS_MAX_EXTHDR extension headers) and the transport header
 * (TCP with options, UDP, SCTP common header, ICMP/ICMPv6 first 8 bytes).
 * It fills struct as_pkt and returns AS_PARSE_OK, AS_PARSE_NON_IP or
 * AS_PARSE_MALFORMED.  hdr_len is the number of bytes from the start of
 * the frame to the end of the transport header: everything a selected
 * packet may keep.  For a non-first fragment it ends after the IP header
 * (with the IPv6 fragment header), since such a fragment has no transport
 * header.  For a transport protocol it does not know, it ends after the IP
 * header: the protocol number is kept, nothing the protocol carries.
 */
#ifndef AUTOSEL_PARSE_H
#define AUTOSEL_PARSE_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Loop unrolling hint for clang (BPF); gcc (kbuild) warns on the pragma. */
#ifdef __clang__
#define AS_UNROLL _Pragma("unroll")
#else
#define AS_UNROLL
#endif

#define AS_MAX_VLAN	2
#define AS_MAX_MPLS	5
#define AS_MAX_EXTHDR	8

enum as_parse_result {
	AS_PARSE_OK = 0,
	AS_PARSE_NON_IP,
	AS_PARSE_MALFORMED,
};

enum as_frag {
	AS_FRAG_NONE = 0,
	AS_FRAG_FIRST,		/* offset 0, more fragments follow */
	AS_FRAG_LATER,		/* non-first fragment: no transport header */
};

struct as_pkt {
	__u8 saddr[16];		/* IPv4 in the first four bytes, rest zero */
	__u8 daddr[16];
	__u16 sport;		/* host byte order; 0 where there are no ports */
	__u16 dport;
	__u16 l3_off;		/* start of the (first) IP header */
	__u16 l4_off;		/* start of the transport header */
	__u16 hdr_len;		/* end of the last header that may be kept */
	__u8 family;		/* 4 or 6 */
	__u8 proto;		/* transport protocol (IPv6: after ext headers) */
	__u8 frag;		/* enum as_frag */
	__u8 tcp_flags;
	__u16 ip_len;		/* IP datagram length from the header, 0 unknown */
	__u32 frag_id;
};

#define AS_ETH_P_IP		0x0800
#define AS_ETH_P_IPV6		0x86DD
#define AS_ETH_P_8021Q		0x8100
#define AS_ETH_P_8021AD		0x88A8
#define AS_ETH_P_QINQ1		0x9100
#define AS_ETH_P_MPLS_UC	0x8847
#define AS_ETH_P_MPLS_MC	0x8848

#define AS_IPPROTO_ICMP		1
#define AS_IPPROTO_TCP		6
#define AS_IPPROTO_UDP		17
#define AS_IPPROTO_ICMPV6	58
#define AS_IPPROTO_SCTP		132

#define AS_TCP_FIN		0x01
#define AS_TCP_RST		0x04

static __always_inline __u16 as_be16(const __u8 *p)
{
	return (__u16)((p[0] << 8) | p[1]);
}

static __always_inline __u32 as_be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) |
	       ((__u32)p[2] << 8) | (__u32)p[3];
}

/*
 * The verifier cannot prune paths whose variable lengths carry different
 * bounds; hiding a length from clang and masking it gives every path the
 * same bounds.  The mask never changes the value (callers guarantee it).
 */
#ifdef __bpf__
#define as_same_bounds(x, mask) ({ asm volatile("" : "+r"(x)); (x) &= (mask); })
#else
#define as_same_bounds(x, mask) ((x) &= (mask))
#endif

/*
 * Stage 1: Ethernet, VLAN tags and MPLS labels.  Sets l3_off and family
 * (from the ethertype or, after MPLS, the version nibble).
 */
static __always_inline int as_parse_l2(const __u8 *start, const __u8 *end,
				       struct as_pkt *pkt)
{
	const __u8 *p = start;
	__u16 type;
	int i;

	if (p + 14 > end)
		return AS_PARSE_MALFORMED;
	type = as_be16(p + 12);
	p += 14;

AS_UNROLL
	for (i = 0; i < AS_MAX_VLAN; i++) {
		if (type != AS_ETH_P_8021Q && type != AS_ETH_P_8021AD &&
		    type != AS_ETH_P_QINQ1)
			break;
		if (p + 4 > end)
			return AS_PARSE_MALFORMED;
		type = as_be16(p + 2);
		p += 4;
	}
	if (type == AS_ETH_P_8021Q || type == AS_ETH_P_8021AD ||
	    type == AS_ETH_P_QINQ1)
		return AS_PARSE_MALFORMED;	/* deeper than we look */

	if (type == AS_ETH_P_MPLS_UC || type == AS_ETH_P_MPLS_MC) {
		int bos = 0;

AS_UNROLL
		for (i = 0; i < AS_MAX_MPLS; i++) {
			if (p + 4 > end)
				return AS_PARSE_MALFORMED;
			bos = p[2] & 1;
			p += 4;
			if (bos)
				break;
		}
		if (!bos)
			return AS_PARSE_MALFORMED;
		/* No ethertype after MPLS: the version nibble tells. */
		if (p + 1 > end)
			return AS_PARSE_MALFORMED;
		if ((p[0] >> 4) == 4)
			type = AS_ETH_P_IP;
		else if ((p[0] >> 4) == 6)
			type = AS_ETH_P_IPV6;
		else
			return AS_PARSE_NON_IP;	/* e.g. a pseudowire */
	}
	if (type == AS_ETH_P_IP)
		pkt->family = 4;
	else if (type == AS_ETH_P_IPV6)
		pkt->family = 6;
	else
		return AS_PARSE_NON_IP;
	pkt->l3_off = (__u16)(p - start);
	return AS_PARSE_OK;
}

static __always_inline int as_parse_ipv4(const __u8 *start, const __u8 *end,
					 struct as_pkt *pkt)
{
	__u32 off = pkt->l3_off, ihl;
	const __u8 *p;
	__u16 frag;

	as_same_bounds(off, 0xff);	/* L2 is at most 14 + 8 + 20 bytes */
	p = start + off;
	if (p + 20 > end)
		return AS_PARSE_MALFORMED;
	if ((p[0] >> 4) != 4)
		return AS_PARSE_MALFORMED;
	ihl = (p[0] & 0x0f) * 4;
	if (ihl < 20)
		return AS_PARSE_MALFORMED;
	pkt->ip_len = as_be16(p + 2);
	if (pkt->ip_len < ihl)
		return AS_PARSE_MALFORMED;
	frag = as_be16(p + 6);
	pkt->frag_id = as_be16(p + 4);
	if (frag & 0x1fff)
		pkt->frag = AS_FRAG_LATER;
	else if (frag & 0x2000)
		pkt->frag = AS_FRAG_FIRST;
	pkt->proto = p[9];
	__builtin_memcpy(pkt->saddr, p + 12, 4);
	__builtin_memcpy(pkt->daddr, p + 16, 4);
	if (p + ihl > end)
		return AS_PARSE_MALFORMED;
	pkt->l4_off = (__u16)(off + ihl);
	return AS_PARSE_OK;
}

static __always_inline int as_parse_ipv6(const __u8 *start, const __u8 *end,
					 struct as_pkt *pkt)
{
	__u32 off = pkt->l3_off, len;
	const __u8 *p;
	__u8 next;
	int i;

	as_same_bounds(off, 0xff);
	p = start + off;
	if (p + 40 > end)
		return AS_PARSE_MALFORMED;
	if ((p[0] >> 4) != 6)
		return AS_PARSE_MALFORMED;
	len = as_be16(p + 4);
	/* A payload length of 0 is a jumbogram: its length is not here. */
	pkt->ip_len = len ? (__u16)(len + 40 > 0xffff ? 0xffff : len + 40) : 0;
	next = p[6];
	__builtin_memcpy(pkt->saddr, p + 8, 16);
	__builtin_memcpy(pkt->daddr, p + 24, 16);
	off += 40;

AS_UNROLL
	for (i = 0; i < AS_MAX_EXTHDR; i++) {
		as_same_bounds(off, 0x7fff);	/* 296 + 8 * 2048 < 0x8000 */
		p = start + off;
		if (p + 8 > end)	/* every extension header has 8 bytes */
			break;
		if (next == 0 || next == 43 || next == 60) {
			/* hop-by-hop, routing, destination options */
			len = ((__u32)p[1] + 1) * 8;
		} else if (next == 51) {
			/* AH counts 4-byte units, minus two */
			len = ((__u32)p[1] + 2) * 4;
		} else if (next == 44) {
			__u16 fo = as_be16(p + 2);

			pkt->frag_id = as_be32(p + 4);
			if (fo & 0xfff8)
				pkt->frag = AS_FRAG_LATER;
			else if (fo & 1)
				pkt->frag = AS_FRAG_FIRST;
			len = 8;
		} else {
			break;
		}
		as_same_bounds(len, 0xffc);
		if (p + len > end)
			return AS_PARSE_MALFORMED;
		next = p[0];
		off += len;
		if (pkt->frag == AS_FRAG_LATER)
			break;	/* what follows is payload of the datagram */
	}
	if (pkt->frag != AS_FRAG_LATER &&
	    (next == 0 || next == 43 || next == 60 || next == 51 ||
	     next == 44))
		return AS_PARSE_MALFORMED;	/* truncated or too long a chain */
	pkt->proto = next;
	pkt->l4_off = (__u16)off;
	return AS_PARSE_OK;
}

/* Stage 2: the IP header(s).  Sets l4_off, addresses, proto, fragments. */
static __always_inline int as_parse_l3(const __u8 *start, const __u8 *end,
				       struct as_pkt *pkt)
{
	if (pkt->family == 4)
		return as_parse_ipv4(start, end, pkt);
	return as_parse_ipv6(start, end, pkt);
}

/*
 * Stage 3: the transport header.  Sets hdr_len: the end of the transport
 * header, or of the IP header for non-first fragments and for transport
 * protocols autosel does not know.
 */
static __always_inline int as_parse_l4(const __u8 *start, const __u8 *end,
				       struct as_pkt *pkt)
{
	__u32 off = pkt->l4_off, len = 0;
	const __u8 *p;

	as_same_bounds(off, 0x7fff);
	p = start + off;
	if (pkt->frag == AS_FRAG_LATER)
		goto out;
	switch (pkt->proto) {
	case AS_IPPROTO_TCP:
		if (p + 20 > end)
			return AS_PARSE_MALFORMED;
		len = (p[12] >> 4) * 4;
		if (len < 20)
			return AS_PARSE_MALFORMED;
		pkt->tcp_flags = p[13];
		break;
	case AS_IPPROTO_UDP:
		len = 8;
		break;
	case AS_IPPROTO_SCTP:
		len = 12;
		break;
	case AS_IPPROTO_ICMP:
		if (pkt->family == 4)
			len = 8;
		break;
	case AS_IPPROTO_ICMPV6:
		if (pkt->family == 6)
			len = 8;
		break;
	default:
		break;
	}
	as_same_bounds(len, 0x3c);
	if (p + len > end)
		return AS_PARSE_MALFORMED;
	if (len && pkt->proto != AS_IPPROTO_ICMP &&
	    pkt->proto != AS_IPPROTO_ICMPV6) {
		pkt->sport = as_be16(p);
		pkt->dport = as_be16(p + 2);
	}
out:
	pkt->hdr_len = (__u16)(off + len);
	/* The headers must lie inside the datagram, not in link padding. */
	if (pkt->ip_len && pkt->hdr_len > pkt->l3_off + pkt->ip_len)
		return AS_PARSE_MALFORMED;
	return AS_PARSE_OK;
}

/*
 * Parse one frame.  pkt must be zeroed by the caller; data and data_end
 * are the frame's bounds (the linear part, for multi-buffer frames).
 */
static __always_inline int as_parse(const void *data, const void *data_end,
				    struct as_pkt *pkt)
{
	const __u8 *start = (const __u8 *)data;
	const __u8 *end = (const __u8 *)data_end;
	int ret;

	ret = as_parse_l2(start, end, pkt);
	if (ret != AS_PARSE_OK)
		return ret;
	ret = as_parse_l3(start, end, pkt);
	if (ret != AS_PARSE_OK)
		return ret;
	return as_parse_l4(start, end, pkt);
}

#endif /* AUTOSEL_PARSE_H */
