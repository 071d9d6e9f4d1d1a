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
 * (TCP with options, UDP, SCTP common header, ICMP/ICMPv6 first 8 bytes;
 * an echo request's or reply's identifier serves as both its ports).
 * It fills struct as_pkt and returns AS_PARSE_OK, AS_PARSE_NON_IP or
 * AS_PARSE_MALFORMED.  hdr_len is the number of bytes from the start of
 * the frame to the end of the transport header: everything a selected
 * packet may keep.  For a non-first fragment it ends after the IP header
 * (with the IPv6 fragment header), since such a fragment has no transport
 * header.  For a transport protocol it does not know, it ends after the IP
 * header: the protocol number is kept, nothing the protocol carries.
 *
 * Tunnels (Documentation/datapath.rst): after a transport header that
 * carries a tunnel autosel knows -- GRE (IPv4, IPv6, MPLS, Ethernet, ERSPAN
 * type I, II and III), VXLAN, Geneve, GTP-U G-PDUs, MPLS over UDP, IPv4 or
 * IPv6 in IP -- the parse goes on with the inner frame or packet, up to
 * AS_MAX_ENCAP tunnel headers deep.  Everything as_pkt says about addresses,
 * ports, protocol and fragments is then the innermost packet's, and hdr_len
 * ends after the innermost transport header: the record keeps every header
 * from the outer Ethernet header on.  A tunnel header whose payload autosel
 * does not know ends the parse where it stands (the headers before it
 * decide, as if it were payload); one that is cut short, or a broken inner
 * header, makes the frame malformed.  pkt->no_decap (set by the caller)
 * turns decapsulation off: the outermost headers decide.
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
#define AS_MAX_ENCAP	3	/* tunnel headers decapsulated, at most */
#define AS_MAX_GTP_EXT	4	/* GTP-U extension headers, at most */

/*
 * Where an inner header may start: the parser's offsets stay below 2^15
 * (a verifier bound), and an inner header at most this far in, plus one
 * IPv6 header with its largest extension chain, still fits.
 */
#define AS_INNER_OFF_MAX	0x3fff

enum as_parse_result {
	AS_PARSE_OK = 0,
	AS_PARSE_NON_IP,
	AS_PARSE_MALFORMED,
	AS_PARSE_MORE,		/* as_parse_tun(): an inner header follows */
};

enum as_frag {
	AS_FRAG_NONE = 0,
	AS_FRAG_FIRST,		/* offset 0, more fragments follow */
	AS_FRAG_LATER,		/* non-first fragment: no transport header */
};

struct as_pkt {
	__u8 saddr[16];		/* IPv4 in the first four bytes, rest zero */
	__u8 daddr[16];
	/*
	 * Host byte order; 0 where there are no ports.  An ICMP/ICMPv6 echo
	 * request or reply has its identifier in both (as_icmp_echo()).
	 */
	__u16 sport;
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
	__u32 dgram_end;	/* end of the innermost enclosing datagram, 0 unknown */
	__u16 next_off;		/* where the next (inner) header starts */
	__u16 next_type;	/* its kind: an ethertype, 0 = the frame's Ethernet */
	__u8 encap;		/* tunnel headers decapsulated */
	__u8 no_decap;		/* set by the caller: judge by the outer headers */
	__u8 pad[2];
};

#define AS_ETH_P_IP		0x0800
#define AS_ETH_P_IPV6		0x86DD
#define AS_ETH_P_8021Q		0x8100
#define AS_ETH_P_8021AD		0x88A8
#define AS_ETH_P_QINQ1		0x9100
#define AS_ETH_P_MPLS_UC	0x8847
#define AS_ETH_P_MPLS_MC	0x8848
#define AS_ETH_P_TEB		0x6558	/* transparent Ethernet bridging */
#define AS_ETH_P_ERSPAN		0x88BE	/* ERSPAN type I and II */
#define AS_ETH_P_ERSPAN3	0x22EB
#define AS_NEXT_IP_ANY		0x0001	/* next_type: IPv4 or IPv6, by version */

#define AS_IPPROTO_IPIP		4
#define AS_IPPROTO_IPV6		41
#define AS_IPPROTO_GRE		47

#define AS_PORT_VXLAN		4789
#define AS_PORT_VXLAN_LINUX	8472	/* Linux's default before IANA's */
#define AS_PORT_GENEVE		6081
#define AS_PORT_GTPU		2152
#define AS_PORT_MPLS_UDP	6635

#define AS_GRE_C		0x8000	/* checksum present */
#define AS_GRE_K		0x2000	/* key present */
#define AS_GRE_S		0x1000	/* sequence number present */

#define AS_IPPROTO_ICMP		1
#define AS_IPPROTO_TCP		6
#define AS_IPPROTO_UDP		17
#define AS_IPPROTO_ICMPV6	58
#define AS_IPPROTO_SCTP		132

#define AS_ICMP_ECHO_REPLY	0
#define AS_ICMP_ECHO_REQUEST	8
#define AS_ICMPV6_ECHO_REQUEST	128
#define AS_ICMPV6_ECHO_REPLY	129

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

/* The ethertype an IP header announces by its version nibble; 0: not IP. */
static __always_inline __u16 as_ip_type(const __u8 *p)
{
	if ((p[0] >> 4) == 4)
		return AS_ETH_P_IP;
	if ((p[0] >> 4) == 6)
		return AS_ETH_P_IPV6;
	return 0;
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
 * Stage 1: Ethernet, VLAN tags and MPLS labels, from next_off on: the
 * frame's own Ethernet header first, then whatever a tunnel carries (an
 * Ethernet frame, an MPLS label stack or an IP packet).  Sets l3_off and
 * family (from the ethertype or, after MPLS, the version nibble).
 */
static __always_inline int as_parse_l2(const __u8 *start, const __u8 *end,
				       struct as_pkt *pkt)
{
	__u32 off = pkt->next_off;
	__u16 type = pkt->next_type;
	const __u8 *p;
	int i;

	if (off > AS_INNER_OFF_MAX)
		return AS_PARSE_MALFORMED;
	as_same_bounds(off, AS_INNER_OFF_MAX);
	p = start + off;
	if (type == AS_NEXT_IP_ANY) {
		/* a tunnel that says "IP" and leaves the version to it */
		if (p + 1 > end)
			return AS_PARSE_MALFORMED;
		type = as_ip_type(p);
		if (!type)
			return AS_PARSE_MALFORMED;
	} else if (type == 0 || type == AS_ETH_P_TEB) {
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
	}

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
		type = as_ip_type(p);
		if (!type)
			return AS_PARSE_NON_IP;	/* e.g. a pseudowire */
	}
	if (type == AS_ETH_P_IP)
		pkt->family = 4;
	else if (type == AS_ETH_P_IPV6)
		pkt->family = 6;
	else
		return AS_PARSE_NON_IP;
	if (p - start > AS_INNER_OFF_MAX)
		return AS_PARSE_MALFORMED;
	pkt->l3_off = (__u16)(p - start);
	return AS_PARSE_OK;
}

static __always_inline int as_parse_ipv4(const __u8 *start, const __u8 *end,
					 struct as_pkt *pkt)
{
	__u32 off = pkt->l3_off, ihl;
	const __u8 *p;
	__u16 frag;

	as_same_bounds(off, AS_INNER_OFF_MAX);	/* as_parse_l2 checked */
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

	as_same_bounds(off, AS_INNER_OFF_MAX);
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
		if (off > 0x7fff)	/* only an inner header gets this far */
			return AS_PARSE_MALFORMED;
		as_same_bounds(off, 0x7fff);
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

/*
 * Stage 2: the IP header(s).  Sets l4_off, addresses, proto, fragments:
 * what an outer header left in them is the tunnel's, not the packet's.
 * The datagram's end is the nearest of its own and every outer one's.
 */
static __always_inline int as_parse_l3(const __u8 *start, const __u8 *end,
				       struct as_pkt *pkt)
{
	__u32 dgram_end;
	int ret;

	__builtin_memset(pkt->saddr, 0, sizeof(pkt->saddr));
	__builtin_memset(pkt->daddr, 0, sizeof(pkt->daddr));
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->frag = AS_FRAG_NONE;
	pkt->frag_id = 0;
	pkt->tcp_flags = 0;
	if (pkt->family == 4)
		ret = as_parse_ipv4(start, end, pkt);
	else
		ret = as_parse_ipv6(start, end, pkt);
	if (ret != AS_PARSE_OK || !pkt->ip_len)
		return ret;
	dgram_end = (__u32)pkt->l3_off + pkt->ip_len;
	if (!pkt->dgram_end || dgram_end < pkt->dgram_end)
		pkt->dgram_end = dgram_end;
	return AS_PARSE_OK;
}

/*
 * An ICMP echo request or reply (RFC 792 types 8 and 0, RFC 4443 types
 * 128 and 129): its identifier, at bytes 4-5, names the conversation, and
 * the reply carries the request's.  It stands in for the ports of both
 * sides, so that one ping session is one flow both ways and two sessions
 * between the same hosts are two.  Every other ICMP message (errors,
 * router and neighbour discovery, ...) has no ports: all of them between
 * two hosts share one flow.
 */
static __always_inline int as_icmp_echo(__u8 family, __u8 type)
{
	if (family == 4)
		return type == AS_ICMP_ECHO_REQUEST || type == AS_ICMP_ECHO_REPLY;
	return type == AS_ICMPV6_ECHO_REQUEST || type == AS_ICMPV6_ECHO_REPLY;
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

	if (off > 0x7fff)
		return AS_PARSE_MALFORMED;
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
	} else if (len) {
		/* ICMP of its own family: len is 8 (for the verifier, again) */
		if (p + 8 > end)
			return AS_PARSE_MALFORMED;
		if (as_icmp_echo(pkt->family, p[0]))
			pkt->sport = pkt->dport = as_be16(p + 4);
	}
out:
	pkt->hdr_len = (__u16)(off + len);
	/* The headers must lie inside the datagram(s), not in link padding. */
	if (pkt->dgram_end && pkt->hdr_len > pkt->dgram_end)
		return AS_PARSE_MALFORMED;
	return AS_PARSE_OK;
}

/* The tunnel header at p carries type at p + len: go on there. */
static __always_inline int as_tun_inner(const __u8 *start, const __u8 *p,
					__u32 len, __u16 type,
					struct as_pkt *pkt)
{
	__u32 off = (__u32)(p - start) + len;

	if (pkt->encap >= AS_MAX_ENCAP || off > AS_INNER_OFF_MAX)
		return AS_PARSE_MALFORMED;	/* deeper than we look */
	pkt->encap++;
	pkt->next_off = (__u16)off;
	pkt->next_type = type;
	return AS_PARSE_MORE;
}

/* GRE (RFC 2784, 2890) and the ERSPAN headers it may carry. */
static __always_inline int as_parse_gre(const __u8 *start, const __u8 *end,
					const __u8 *p, struct as_pkt *pkt)
{
	__u16 flags, type;
	__u32 len = 4;
	const __u8 *e;
	__u8 ft;

	if (p + 4 > end)
		return AS_PARSE_MALFORMED;
	flags = as_be16(p);
	type = as_be16(p + 2);
	/* Version 0 and no flag but C, K, S: else not a GRE autosel knows. */
	if (flags & ~(AS_GRE_C | AS_GRE_K | AS_GRE_S))
		return AS_PARSE_OK;
	if (type != AS_ETH_P_IP && type != AS_ETH_P_IPV6 &&
	    type != AS_ETH_P_MPLS_UC && type != AS_ETH_P_MPLS_MC &&
	    type != AS_ETH_P_TEB && type != AS_ETH_P_ERSPAN &&
	    type != AS_ETH_P_ERSPAN3)
		return AS_PARSE_OK;
	if (flags & AS_GRE_C)
		len += 4;
	if (flags & AS_GRE_K)
		len += 4;
	if (flags & AS_GRE_S)
		len += 4;
	if (p + len > end)
		return AS_PARSE_MALFORMED;
	if (type == AS_ETH_P_ERSPAN && !(flags & AS_GRE_S))
		return as_tun_inner(start, p, len, AS_ETH_P_TEB, pkt); /* type I */
	if (type != AS_ETH_P_ERSPAN && type != AS_ETH_P_ERSPAN3)
		return as_tun_inner(start, p, len, type, pkt);

	/* Like every tunnel header, its fixed part must fit to be read. */
	e = p + len;
	if (type == AS_ETH_P_ERSPAN) {		/* type II: version 1 */
		if (e + 8 > end)
			return AS_PARSE_MALFORMED;
		if ((e[0] >> 4) != 1)
			return AS_PARSE_OK;
		return as_tun_inner(start, p, len + 8, AS_ETH_P_TEB, pkt);
	}
	/* type III: version 2, frame type Ethernet (0) or IP (2) */
	if (e + 12 > end)
		return AS_PARSE_MALFORMED;
	if ((e[0] >> 4) != 2)
		return AS_PARSE_OK;
	ft = (e[10] >> 2) & 0x1f;
	if (ft != 0 && ft != 2)
		return AS_PARSE_OK;
	type = ft ? AS_NEXT_IP_ANY : AS_ETH_P_TEB;
	len += 12;
	if (e[11] & 1) {			/* platform-specific subheader */
		if (e + 20 > end)
			return AS_PARSE_MALFORMED;
		len += 8;
	}
	return as_tun_inner(start, p, len, type, pkt);
}

/* A GTP-U G-PDU (3GPP TS 29.281) carrying an IP packet. */
static __always_inline int as_parse_gtpu(const __u8 *start, const __u8 *end,
					 const __u8 *p, struct as_pkt *pkt)
{
	const __u8 *q, *last;
	__u32 len = 8, elen;
	__u8 next = 0;
	int i;

	if (p + 8 > end)
		return AS_PARSE_MALFORMED;
	/* version 1, protocol type GTP, message type G-PDU */
	if ((p[0] >> 5) != 1 || !(p[0] & 0x10) || p[1] != 0xff)
		return AS_PARSE_OK;
	if (p[0] & 0x07) {		/* E, S or PN: the optional 4 bytes */
		if (p + 12 > end)
			return AS_PARSE_MALFORMED;
		if (p[0] & 0x04)
			next = p[11];
		len = 12;
	}

	q = p + len;
	for (i = 0; i < AS_MAX_GTP_EXT; i++) {
		if (!next)
			break;
		if (q + 1 > end)
			return AS_PARSE_MALFORMED;
		elen = (__u32)q[0] * 4;	/* in 4-byte units, >= 1 */
		if (!elen)
			return AS_PARSE_MALFORMED;
		last = q + elen - 1;	/* its last byte names the next */
		if (last + 1 > end)
			return AS_PARSE_MALFORMED;
		next = last[0];
		q = last + 1;
	}
	if (next)
		return AS_PARSE_MALFORMED;	/* a longer chain than we look */
	if (q + 1 > end)
		return AS_PARSE_MALFORMED;
	if (!as_ip_type(q))
		return AS_PARSE_OK;	/* not IP (PPP, Ethernet PDU sessions) */
	len = (__u32)(q - p);
	return as_tun_inner(start, p, len, AS_NEXT_IP_ANY, pkt);
}

/*
 * Stage 4: does the transport header carry a tunnel autosel knows?
 * AS_PARSE_MORE with next_off/next_type set if so (the caller parses the
 * inner headers from stage 1 on), AS_PARSE_OK if the headers so far are
 * the packet's, AS_PARSE_MALFORMED if the tunnel header is cut short or
 * nested deeper than AS_MAX_ENCAP.
 */
static __always_inline int as_parse_tun(const __u8 *start, const __u8 *end,
					struct as_pkt *pkt)
{
	__u32 off = pkt->hdr_len;
	const __u8 *p;

	if (pkt->no_decap || pkt->frag == AS_FRAG_LATER)
		return AS_PARSE_OK;
	if (off > AS_INNER_OFF_MAX)
		return AS_PARSE_OK;	/* as_tun_inner would refuse it */
	as_same_bounds(off, AS_INNER_OFF_MAX);
	p = start + off;
	switch (pkt->proto) {
	case AS_IPPROTO_IPIP:
		return as_tun_inner(start, p, 0, AS_ETH_P_IP, pkt);
	case AS_IPPROTO_IPV6:
		return as_tun_inner(start, p, 0, AS_ETH_P_IPV6, pkt);
	case AS_IPPROTO_GRE:
		return as_parse_gre(start, end, p, pkt);
	case AS_IPPROTO_UDP:
		break;
	default:
		return AS_PARSE_OK;
	}
	switch (pkt->dport) {
	case AS_PORT_VXLAN:
	case AS_PORT_VXLAN_LINUX:
		if (p + 8 > end)
			return AS_PARSE_MALFORMED;
		if (!(p[0] & 0x08))	/* the I flag: a VNI is there */
			return AS_PARSE_OK;
		return as_tun_inner(start, p, 8, AS_ETH_P_TEB, pkt);
	case AS_PORT_GENEVE: {
		__u16 type;

		if (p + 8 > end)
			return AS_PARSE_MALFORMED;
		type = as_be16(p + 2);
		if ((p[0] >> 6) != 0 ||
		    (type != AS_ETH_P_TEB && type != AS_ETH_P_IP &&
		     type != AS_ETH_P_IPV6))
			return AS_PARSE_OK;
		if (p + 8 + (p[0] & 0x3f) * 4 > end)
			return AS_PARSE_MALFORMED;
		return as_tun_inner(start, p, 8 + (p[0] & 0x3f) * 4, type, pkt);
	}
	case AS_PORT_GTPU:
		return as_parse_gtpu(start, end, p, pkt);
	case AS_PORT_MPLS_UDP:
		return as_tun_inner(start, p, 0, AS_ETH_P_MPLS_UC, pkt);
	default:
		return AS_PARSE_OK;
	}
}

/*
 * The stages in their order, written once for as_parse() and the XDP
 * program's as_parse_ctx(): STAGE(name) runs stage `name` on the frame.
 * Each round parses one level; as_parse_tun() bounds the rounds.
 */
#define AS_PARSE_ROUNDS(STAGE)						\
	do {								\
		int _round, _ret;					\
									\
		for (_round = 0; _round <= AS_MAX_ENCAP; _round++) {	\
			_ret = STAGE(as_parse_l2);			\
			if (_ret != AS_PARSE_OK)			\
				return _ret;				\
			_ret = STAGE(as_parse_l3);			\
			if (_ret != AS_PARSE_OK)			\
				return _ret;				\
			_ret = STAGE(as_parse_l4);			\
			if (_ret != AS_PARSE_OK)			\
				return _ret;				\
			_ret = STAGE(as_parse_tun);			\
			if (_ret != AS_PARSE_MORE)			\
				return _ret;				\
		}							\
		return AS_PARSE_MALFORMED;	/* not reached */	\
	} while (0)

/*
 * Parse one frame.  pkt must be zeroed by the caller (no_decap may then
 * be set); data and data_end are the frame's bounds (the linear part, for
 * multi-buffer frames).
 */
static __always_inline int as_parse(const void *data, const void *data_end,
				    struct as_pkt *pkt)
{
	const __u8 *start = (const __u8 *)data;
	const __u8 *end = (const __u8 *)data_end;

#define AS_STAGE_DIRECT(stage) stage(start, end, pkt)
	AS_PARSE_ROUNDS(AS_STAGE_DIRECT);
#undef AS_STAGE_DIRECT
}

#endif /* AUTOSEL_PARSE_H */
