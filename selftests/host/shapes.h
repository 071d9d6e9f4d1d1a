/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: the table of header shapes shared by the parser and
 * the XDP tests, with what include/autosel/parse.h must make of each.
 */
#ifndef AUTOSEL_SELFTEST_SHAPES_H
#define AUTOSEL_SELFTEST_SHAPES_H

#include "pkt.h"
#include <autosel/parse.h>

struct pcase {
	struct pkt_spec s;
	int want;			/* AS_PARSE_* */
	int want_frag;			/* AS_FRAG_* when OK */
};

#define OK(...)		{ { __VA_ARGS__ }, AS_PARSE_OK, AS_FRAG_NONE }
#define OKF(fr, ...)	{ { __VA_ARGS__ }, AS_PARSE_OK, fr }
#define BAD(...)	{ { __VA_ARGS__ }, AS_PARSE_MALFORMED, 0 }
#define NONIP(...)	{ { __VA_ARGS__ }, AS_PARSE_NON_IP, 0 }

/* Shapes for one IP version; both versions run through the same table. */
#define SHAPES(v)								\
	OK(.name = "eth/ip" #v "/tcp", .ipver = v, .l4 = 6, .payload = 64),	\
	OK(.name = "eth/ip" #v "/tcp+opt4", .ipver = v, .l4 = 6, .tcp_optlen = 4, .payload = 64), \
	OK(.name = "eth/ip" #v "/tcp+opt12", .ipver = v, .l4 = 6, .tcp_optlen = 12, .payload = 64), \
	OK(.name = "eth/ip" #v "/tcp+opt40", .ipver = v, .l4 = 6, .tcp_optlen = 40, .payload = 64), \
	OK(.name = "eth/ip" #v "/tcp-nopayload", .ipver = v, .l4 = 6),		\
	OK(.name = "eth/ip" #v "/udp", .ipver = v, .l4 = 17, .payload = 100),	\
	OK(.name = "eth/ip" #v "/udp-empty", .ipver = v, .l4 = 17),		\
	OK(.name = "eth/ip" #v "/sctp", .ipver = v, .l4 = 132, .payload = 48),	\
	OK(.name = "eth/ip" #v "/unknown253", .ipver = v, .l4 = 253, .payload = 40), \
	OK(.name = "eth/ip" #v "/gre-as-unknown", .ipver = v, .l4 = 47, .payload = 40), \
	OK(.name = "eth/vlan/ip" #v "/tcp", .nvlan = 1, .tpid = { 0x8100 }, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/qinq88a8/ip" #v "/udp", .nvlan = 2, .tpid = { 0x88a8, 0x8100 }, .ipver = v, .l4 = 17, .payload = 30), \
	OK(.name = "eth/qinq9100/ip" #v "/udp", .nvlan = 2, .tpid = { 0x9100, 0x8100 }, .ipver = v, .l4 = 17, .payload = 30), \
	OK(.name = "eth/8021q-8021q/ip" #v "/tcp", .nvlan = 2, .tpid = { 0x8100, 0x8100 }, .ipver = v, .l4 = 6, .payload = 30), \
	BAD(.name = "eth/3tags/ip" #v "/tcp", .nvlan = 3, .tpid = { 0x88a8, 0x8100, 0x8100 }, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/mpls1/ip" #v "/tcp", .nmpls = 1, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/mpls2/ip" #v "/udp", .nmpls = 2, .ipver = v, .l4 = 17, .payload = 30), \
	OK(.name = "eth/mpls3/ip" #v "/tcp", .nmpls = 3, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/mpls4/ip" #v "/udp", .nmpls = 4, .ipver = v, .l4 = 17, .payload = 30), \
	OK(.name = "eth/mpls5/ip" #v "/tcp", .nmpls = 5, .ipver = v, .l4 = 6, .payload = 30), \
	BAD(.name = "eth/mpls6/ip" #v "/tcp", .nmpls = 6, .ipver = v, .l4 = 6, .payload = 30), \
	BAD(.name = "eth/mpls3-nobos/ip" #v "/tcp", .nmpls = 3, .mpls_no_bos = 1, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/vlan/mpls2/ip" #v "/tcp", .nvlan = 1, .tpid = { 0x8100 }, .nmpls = 2, .ipver = v, .l4 = 6, .payload = 30), \
	OK(.name = "eth/qinq/mpls5/ip" #v "/sctp", .nvlan = 2, .tpid = { 0x88a8, 0x8100 }, .nmpls = 5, .ipver = v, .l4 = 132, .payload = 30)

static const struct pcase cases[] __attribute__((unused)) = {
	SHAPES(4),
	SHAPES(6),
	OK(.name = "eth/ip4/icmp", .ipver = 4, .l4 = 1, .payload = 56),
	OK(.name = "eth/ip6/icmpv6", .ipver = 6, .l4 = 58, .payload = 56),
	OK(.name = "eth/ip6/icmp4-proto-is-unknown", .ipver = 6, .l4 = 1, .payload = 56),
	OK(.name = "eth/ip4/icmpv6-proto-is-unknown", .ipver = 4, .l4 = 58, .payload = 56),
	OK(.name = "eth/ip4+opt4/tcp", .ipver = 4, .ip4_optlen = 4, .l4 = 6, .payload = 20),
	OK(.name = "eth/ip4+opt40/udp", .ipver = 4, .ip4_optlen = 40, .l4 = 17, .payload = 20),
	OK(.name = "eth/ip4+opt40/tcp+opt40", .ipver = 4, .ip4_optlen = 40, .l4 = 6, .tcp_optlen = 40, .payload = 20),
	OKF(AS_FRAG_FIRST, .name = "eth/ip4-frag-first/udp", .ipver = 4, .frag = PKT_FRAG_FIRST, .l4 = 17, .payload = 1472),
	OKF(AS_FRAG_FIRST, .name = "eth/ip4-frag-first/tcp", .ipver = 4, .frag = PKT_FRAG_FIRST, .l4 = 6, .payload = 100),
	OKF(AS_FRAG_LATER, .name = "eth/ip4-frag-later/udp", .ipver = 4, .frag = PKT_FRAG_LATER, .l4 = 17, .payload = 300),
	OKF(AS_FRAG_LATER, .name = "eth/ip4+opt8-frag-later/tcp", .ipver = 4, .ip4_optlen = 8, .frag = PKT_FRAG_LATER, .l4 = 6, .payload = 300),
	OKF(AS_FRAG_LATER, .name = "eth/vlan/ip4-frag-later-tiny", .nvlan = 1, .tpid = { 0x8100 }, .ipver = 4, .frag = PKT_FRAG_LATER, .l4 = 17, .payload = 1),
	OK(.name = "eth/ip6/hbh/tcp", .ipver = 6, .next = 1, .ext = { 0 }, .l4 = 6, .payload = 30),
	OK(.name = "eth/ip6/rh/udp", .ipver = 6, .next = 1, .ext = { 43 }, .l4 = 17, .payload = 30),
	OK(.name = "eth/ip6/dstopts/tcp", .ipver = 6, .next = 1, .ext = { 60 }, .l4 = 6, .payload = 30),
	OK(.name = "eth/ip6/ah/tcp", .ipver = 6, .next = 1, .ext = { 51 }, .l4 = 6, .payload = 30),
	OK(.name = "eth/ip6/hbh/ah/icmpv6", .ipver = 6, .next = 2, .ext = { 0, 51 }, .l4 = 58, .payload = 30),
	OKF(AS_FRAG_FIRST, .name = "eth/ip6/frag-first/udp", .ipver = 6, .next = 1, .ext = { 44 }, .frag = PKT_FRAG_FIRST, .l4 = 17, .payload = 1200),
	OKF(AS_FRAG_FIRST, .name = "eth/ip6/frag-first/dstopts/tcp", .ipver = 6, .next = 2, .ext = { 44, 60 }, .frag = PKT_FRAG_FIRST, .l4 = 6, .payload = 100),
	OKF(AS_FRAG_LATER, .name = "eth/ip6/frag-later/udp", .ipver = 6, .next = 1, .ext = { 44 }, .frag = PKT_FRAG_LATER, .l4 = 17, .payload = 300),
	OKF(AS_FRAG_LATER, .name = "eth/ip6/hbh/frag-later/(dstopts)", .ipver = 6, .next = 3, .ext = { 0, 44, 60 }, .frag = PKT_FRAG_LATER, .l4 = 6, .payload = 300),
	OKF(AS_FRAG_FIRST, .name = "eth/ip6/all-ext/tcp", .ipver = 6, .next = 6, .ext = { 0, 60, 43, 44, 51, 60 }, .frag = PKT_FRAG_FIRST, .l4 = 6, .tcp_optlen = 12, .payload = 30),
	OK(.name = "eth/ip6/8-ext/udp", .ipver = 6, .next = 8, .ext = { 0, 60, 60, 60, 60, 60, 60, 60 }, .l4 = 17, .payload = 30),
	BAD(.name = "eth/ip6/9-ext/udp", .ipver = 6, .next = 9, .ext = { 0, 60, 60, 60, 60, 60, 60, 60, 60 }, .l4 = 17, .payload = 30),
	NONIP(.name = "eth/arp", .ethertype = 0x0806),
	NONIP(.name = "eth/vlan/arp", .nvlan = 1, .tpid = { 0x8100 }, .ethertype = 0x0806),
	NONIP(.name = "eth/lldp", .ethertype = 0x88cc, .payload = 40),
	NONIP(.name = "eth/mpls2/pseudowire", .nmpls = 2, .payload = 40),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/*
 * Tunnels (issue #13): the innermost headers decide.  Each case states
 * the verdict with decapsulation; the keep length and the number of
 * tunnel levels come from the builder (pkt_info.hdr_len and .encap), or,
 * for a layer that is not a tunnel autosel knows (stop = L + 1), from
 * where that layer begins (pkt_info.stop_keep[L], L levels).  Without
 * decapsulation every case here is OK with pkt_info.nodecap_keep: the
 * outer headers are intact in all of them.
 */
struct tcase {
	struct pkt_spec s;
	int want;			/* AS_PARSE_* with decapsulation */
	int want_frag;			/* AS_FRAG_* of the deciding IP header */
	int stop;			/* 0, or L + 1: layer L not a known tunnel */
};

#define TOK(...)	{ { __VA_ARGS__ }, AS_PARSE_OK, AS_FRAG_NONE, 0 }
#define TOKF(fr, ...)	{ { __VA_ARGS__ }, AS_PARSE_OK, fr, 0 }
#define TSTOP(l, ...)	{ { __VA_ARGS__ }, AS_PARSE_OK, AS_FRAG_NONE, (l) + 1 }
#define TBAD(...)	{ { __VA_ARGS__ }, AS_PARSE_MALFORMED, 0, 0 }
#define TNONIP(...)	{ { __VA_ARGS__ }, AS_PARSE_NON_IP, 0, 0 }

/* One encapsulation layer, carried by an IPv<v> header. */
#define LY(k, v, ...)	{ .kind = PKT_T_##k, .ipver = v, __VA_ARGS__ }
/* Change bits of byte off of level l's tunnel header / IP header. */
#define PT(l, o, m, v)	{ PKT_AT_TUN, l, o, m, v }
#define PI(l, o, m, v)	{ PKT_AT_IP, l, o, m, v }

#define GRE_CKS		(PKT_GRE_C | PKT_GRE_K | PKT_GRE_S)
#define Q1		.nvlan = 1, .tpid = { 0x8100 }
#define Q2		.nvlan = 2, .tpid = { 0x88a8, 0x8100 }

/* One tunnel level, carried by IPv<v>; the inner versions vary. */
#define TUN1(v)									\
	TOK(.name = "ip" #v "/gre/ip4/tcp", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gre/ip6/udp", .encap = { LY(GRE, v) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gre+c/ip4/tcp", .encap = { LY(GRE, v, .gre_flags = PKT_GRE_C) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gre+k/ip6/tcp", .encap = { LY(GRE, v, .gre_flags = PKT_GRE_K) }, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gre+s/ip4/udp", .encap = { LY(GRE, v, .gre_flags = PKT_GRE_S) }, .ipver = 4, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gre+cks/ip6/sctp", .encap = { LY(GRE, v, .gre_flags = GRE_CKS) }, .ipver = 6, .l4 = 132, .payload = 40), \
	TOK(.name = "ip" #v "/gre+ck/ip4/icmp", .encap = { LY(GRE, v, .gre_flags = PKT_GRE_C | PKT_GRE_K) }, .ipver = 4, .l4 = 1, .payload = 40), \
	TOK(.name = "ip" #v "/gre/ip6/icmpv6", .encap = { LY(GRE, v) }, .ipver = 6, .l4 = 58, .payload = 40), \
	TOK(.name = "ip" #v "/gre/ip4/unknown253", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 253, .payload = 40), \
	TOK(.name = "ip" #v "/gre-mpls/mpls1/ip4/tcp", .encap = { LY(GRE_MPLS, v) }, .nmpls = 1, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gre-mpls/mpls5/ip6/udp", .encap = { LY(GRE_MPLS, v) }, .nmpls = 5, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gre-8848/mpls2/ip4/udp", .encap = { LY(GRE_MPLS, v) }, .nmpls = 2, .ipver = 4, .l4 = 17, .payload = 40, \
	    .poke = { PT(0, 3, 0xff, 0x48) }),					\
	TOK(.name = "ip" #v "/gre-eth/ip4/tcp", .encap = { LY(GRE_ETH, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gre-eth/vlan/ip6/udp", .encap = { LY(GRE_ETH, v) }, Q1, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gre+k-eth/qinq/mpls2/ip4/tcp", .encap = { LY(GRE_ETH, v, .gre_flags = PKT_GRE_K) }, Q2, .nmpls = 2, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/erspan1/ip4/tcp", .encap = { LY(ERSPAN1, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/erspan1/vlan/ip6/udp", .encap = { LY(ERSPAN1, v) }, Q1, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/erspan2/ip4/tcp", .encap = { LY(ERSPAN2, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/erspan2+k/qinq/ip6/tcp", .encap = { LY(ERSPAN2, v, .gre_flags = PKT_GRE_K) }, Q2, .ipver = 6, .l4 = 6, .tcp_optlen = 12, .payload = 40), \
	TOK(.name = "ip" #v "/erspan3/ip4/udp", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S) }, .ipver = 4, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/erspan3-nos/ip6/udp", .encap = { LY(ERSPAN3, v) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/erspan3+o/vlan/ip6/tcp", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S, .erspan_o = 1) }, Q1, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/erspan3-ft2/ip4/tcp", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S, .erspan_ip = 1) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/erspan3-ft2+o/ip6/udp", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S, .erspan_ip = 1, .erspan_o = 1) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/ip4/tcp", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan8472/ip6/udp", .encap = { LY(VXLAN, v, .port = 8472) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/vlan/ip4/tcp+opt12", .encap = { LY(VXLAN, v) }, Q1, .ipver = 4, .l4 = 6, .tcp_optlen = 12, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/qinq/mpls5/ip4/sctp", .encap = { LY(VXLAN, v) }, Q2, .nmpls = 5, .ipver = 4, .l4 = 132, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/mpls2/ip6/tcp", .encap = { LY(VXLAN, v) }, .nmpls = 2, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/ip4/icmp", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 1, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/ip6/hbh/rh/tcp", .encap = { LY(VXLAN, v) }, .ipver = 6, .next = 2, .ext = { 0, 43 }, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/vxlan/ip4+opt8/udp", .encap = { LY(VXLAN, v) }, .ipver = 4, .ip4_optlen = 8, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/geneve/eth/ip4/tcp", .encap = { LY(GENEVE, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/geneve+opt8/eth/ip6/udp", .encap = { LY(GENEVE, v, .geneve_opt = 8) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/geneve+opt12/vlan/ip4/tcp", .encap = { LY(GENEVE, v, .geneve_opt = 12) }, Q1, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/geneve+opt252/eth/ip4/udp", .encap = { LY(GENEVE, v, .geneve_opt = 252) }, .ipver = 4, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/geneve-ip/ip4/tcp", .encap = { LY(GENEVE, v, .geneve_ip = 1) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/geneve-ip+opt4/ip6/udp", .encap = { LY(GENEVE, v, .geneve_ip = 1, .geneve_opt = 4) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu/ip4/tcp", .encap = { LY(GTPU, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu+s/ip6/udp", .encap = { LY(GTPU, v, .gtp_seq = 1) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu+ext1/ip4/tcp", .encap = { LY(GTPU, v, .gtp_ext = 1) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu+s+ext2/ip6/tcp", .encap = { LY(GTPU, v, .gtp_seq = 1, .gtp_ext = 2) }, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu+ext4/ip4/udp", .encap = { LY(GTPU, v, .gtp_ext = 4) }, .ipver = 4, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/gtpu+pn/ip4/udp", .encap = { LY(GTPU, v, .gtp_seq = 1) }, .ipver = 4, .l4 = 17, .payload = 40, \
	    .poke = { PT(0, 0, 0x03, 0x01) }),					\
	TOK(.name = "ip" #v "/ipip/ip4/tcp", .encap = { LY(IPIP, v) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "/ipip/ip6/udp", .encap = { LY(IPIP, v) }, .ipver = 6, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/ipip/ip4+opt8/tcp+opt4", .encap = { LY(IPIP, v) }, .ipver = 4, .ip4_optlen = 8, .l4 = 6, .tcp_optlen = 4, .payload = 40), \
	TOK(.name = "ip" #v "/mpls-udp/mpls1/ip4/udp", .encap = { LY(MPLS_UDP, v) }, .nmpls = 1, .ipver = 4, .l4 = 17, .payload = 40), \
	TOK(.name = "ip" #v "/mpls-udp/mpls5/ip6/tcp", .encap = { LY(MPLS_UDP, v) }, .nmpls = 5, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "vlan/ip" #v "/vxlan/ip4/tcp", .encap = { LY(VXLAN, v, Q1) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TOK(.name = "mpls2/ip" #v "/gre/ip6/tcp", .encap = { LY(GRE, v, .nmpls = 2) }, .ipver = 6, .l4 = 6, .payload = 40), \
	TOK(.name = "ip" #v "-frag-first/gre/ip4/tcp", .encap = { LY(GRE, v, .frag = PKT_FRAG_FIRST, .next = v == 6, .ext = { 44 }) }, .ipver = 4, .l4 = 6, .payload = 1400), \
	TOKF(AS_FRAG_LATER, .name = "ip" #v "-frag-later/(vxlan)", .encap = { LY(VXLAN, v, .frag = PKT_FRAG_LATER, .next = v == 6, .ext = { 44 }) }, .ipver = 4, .l4 = 6, .payload = 400), \
	TOKF(AS_FRAG_FIRST, .name = "ip" #v "/gre/ip4-frag-first/udp", .encap = { LY(GRE, v) }, .ipver = 4, .frag = PKT_FRAG_FIRST, .l4 = 17, .payload = 400), \
	TOKF(AS_FRAG_LATER, .name = "ip" #v "/gre/ip4-frag-later", .encap = { LY(GRE, v) }, .ipver = 4, .frag = PKT_FRAG_LATER, .l4 = 17, .payload = 400), \
	TOKF(AS_FRAG_LATER, .name = "ip" #v "/vxlan/ip6-frag-later", .encap = { LY(VXLAN, v) }, .ipver = 6, .next = 1, .ext = { 44 }, .frag = PKT_FRAG_LATER, .l4 = 6, .payload = 400), \
	/* not a tunnel autosel knows: the headers before it decide */	\
	TSTOP(0, .name = "ip" #v "/gre-ver1", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 1, 0x07, 0x01) }),				\
	TSTOP(0, .name = "ip" #v "/gre-routing-bit", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 0, 0x40, 0x40) }),				\
	TSTOP(0, .name = "ip" #v "/gre-reserved0-bit", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 1, 0x80, 0x80) }),				\
	TSTOP(0, .name = "ip" #v "/gre-ppp-880b", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 2, 0xff, 0x88), PT(0, 3, 0xff, 0x0b) }),		\
	TSTOP(0, .name = "ip" #v "/gre+k-wccp-883e", .encap = { LY(GRE, v, .gre_flags = PKT_GRE_K) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 2, 0xff, 0x88), PT(0, 3, 0xff, 0x3e) }),		\
	TSTOP(0, .name = "ip" #v "/erspan2-version2", .encap = { LY(ERSPAN2, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 8, 0xf0, 0x20) }),				\
	TSTOP(0, .name = "ip" #v "/erspan3-version1", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 8, 0xf0, 0x10) }),				\
	TSTOP(0, .name = "ip" #v "/erspan3-ft7", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 18, 0x7c, 7 << 2) }),				\
	TSTOP(0, .name = "ip" #v "/erspan3-ft1", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 18, 0x7c, 1 << 2) }),				\
	TSTOP(0, .name = "ip" #v "/vxlan-no-i-bit", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 0, 0x08, 0) }),					\
	TSTOP(0, .name = "ip" #v "/udp4790-not-vxlan", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PI(0, v == 4 ? 22 : 42, 0xff, 0x12), PI(0, v == 4 ? 23 : 43, 0xff, 0xb6) }), \
	TSTOP(0, .name = "ip" #v "/geneve-version1", .encap = { LY(GENEVE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 0, 0xc0, 0x40) }),				\
	TSTOP(0, .name = "ip" #v "/geneve-nsh-894f", .encap = { LY(GENEVE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 2, 0xff, 0x89), PT(0, 3, 0xff, 0x4f) }),		\
	TSTOP(0, .name = "ip" #v "/gtp-version2", .encap = { LY(GTPU, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 0, 0xe0, 0x40) }),				\
	TSTOP(0, .name = "ip" #v "/gtp-prime-pt0", .encap = { LY(GTPU, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 0, 0x10, 0) }),					\
	TSTOP(0, .name = "ip" #v "/gtp-echo-request", .encap = { LY(GTPU, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PT(0, 1, 0xff, 0x01) }),				\
	TSTOP(0, .name = "ip" #v "/gtp+ext1-tpdu-not-ip", .encap = { LY(GTPU, v, .gtp_ext = 1) }, .ipver = 4, .l4 = 6, .payload = 40, \
	      .poke = { PI(1, 0, 0xf0, 0x00) }),				\
	/* broken: malformed */							\
	TBAD(.name = "ip" #v "/gtp+ext1-ext-length-0", .encap = { LY(GTPU, v, .gtp_ext = 1) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PT(0, 12, 0xff, 0) }),					\
	TBAD(.name = "ip" #v "/gtp+ext1-ext-length-beyond", .encap = { LY(GTPU, v, .gtp_ext = 1) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PT(0, 12, 0xff, 0xff) }),				\
	TBAD(.name = "ip" #v "/gtp+ext5", .encap = { LY(GTPU, v, .gtp_ext = 5) }, .ipver = 4, .l4 = 6, .payload = 40), \
	TBAD(.name = "ip" #v "/gre/ip4-says-version6", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 0, 0xf0, 0x60) }),					\
	TBAD(.name = "ip" #v "/ipip/ip6-says-version4", .encap = { LY(IPIP, v) }, .ipver = 6, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 0, 0xf0, 0x40) }),					\
	TBAD(.name = "ip" #v "/geneve-ip/ip6-says-version4", .encap = { LY(GENEVE, v, .geneve_ip = 1) }, .ipver = 6, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 0, 0xf0, 0x40) }),					\
	TBAD(.name = "ip" #v "/vxlan/ip4-ihl4", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 0, 0x0f, 4) }),					\
	TBAD(.name = "ip" #v "/erspan2/ip4/tcp-doff4", .encap = { LY(ERSPAN2, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 32, 0xf0, 0x40) }),				\
	TBAD(.name = "ip" #v "/gtpu/ip4-tot-len-20/tcp", .encap = { LY(GTPU, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(1, 2, 0xff, 0), PI(1, 3, 0xff, 20) }),		\
	TBAD(.name = "ip" #v "-len-ends-in-vxlan", .encap = { LY(VXLAN, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(0, v == 4 ? 2 : 4, 0xff, 0), PI(0, v == 4 ? 3 : 5, 0xff, v == 4 ? 32 : 12) }), \
	TBAD(.name = "ip" #v "-len-ends-in-inner-tcp/gre", .encap = { LY(GRE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PI(0, v == 4 ? 2 : 4, 0xff, 0), PI(0, v == 4 ? 3 : 5, 0xff, v == 4 ? 60 : 40) }), \
	TBAD(.name = "ip" #v "/geneve-optlen-beyond-frame", .encap = { LY(GENEVE, v) }, .ipver = 4, .l4 = 6, .payload = 40, \
	     .poke = { PT(0, 0, 0x3f, 0x3f) }),					\
	TBAD(.name = "ip" #v "/vxlan/3tags/ip4", .encap = { LY(VXLAN, v) }, .nvlan = 3, .tpid = { 0x88a8, 0x8100, 0x8100 }, .ipver = 4, .l4 = 6, .payload = 40), \
	TBAD(.name = "ip" #v "/gre-mpls/mpls6/ip4", .encap = { LY(GRE_MPLS, v) }, .nmpls = 6, .ipver = 4, .l4 = 6, .payload = 40), \
	TBAD(.name = "ip" #v "/mpls-udp/mpls6/ip4", .encap = { LY(MPLS_UDP, v) }, .nmpls = 6, .ipver = 4, .l4 = 6, .payload = 40), \
	TBAD(.name = "ip" #v "/mpls-udp/mpls3-nobos", .encap = { LY(MPLS_UDP, v) }, .nmpls = 3, .mpls_no_bos = 1, .ipver = 4, .l4 = 6, .payload = 40), \
	/* an inner frame that is not IP */					\
	TNONIP(.name = "ip" #v "/vxlan/arp", .encap = { LY(VXLAN, v) }, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/vxlan/lldp", .encap = { LY(VXLAN, v) }, .ethertype = 0x88cc, .payload = 40), \
	TNONIP(.name = "ip" #v "/gre-eth/arp", .encap = { LY(GRE_ETH, v) }, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/erspan1/vlan/arp", .encap = { LY(ERSPAN1, v) }, Q1, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/erspan2/arp", .encap = { LY(ERSPAN2, v) }, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/erspan3/arp", .encap = { LY(ERSPAN3, v, .gre_flags = PKT_GRE_S) }, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/geneve/arp", .encap = { LY(GENEVE, v) }, .ethertype = 0x0806), \
	TNONIP(.name = "ip" #v "/gre-mpls/mpls2/pseudowire", .encap = { LY(GRE_MPLS, v) }, .nmpls = 2, .payload = 40), \
	TNONIP(.name = "ip" #v "/mpls-udp/mpls1/pseudowire", .encap = { LY(MPLS_UDP, v) }, .nmpls = 1, .payload = 40)

static const struct tcase tcases[] __attribute__((unused)) = {
	TUN1(4),
	TUN1(6),
	TOK(.name = "ip4+opt8/gre/ip4/tcp", .encap = { LY(GRE, 4, .ip4_optlen = 8) }, .ipver = 4, .l4 = 6, .payload = 40),
	TOK(.name = "ip6/dstopts/vxlan/ip4/tcp", .encap = { LY(VXLAN, 6, .next = 1, .ext = { 60 }) }, .ipver = 4, .l4 = 6, .payload = 40),
	TOK(.name = "ip6/hbh/ipip/ip6/udp", .encap = { LY(IPIP, 6, .next = 1, .ext = { 0 }) }, .ipver = 6, .l4 = 17, .payload = 40),
	/* nested: two and three levels */
	TOK(.name = "ip4/vxlan/ip4/vxlan8472/ip6/tcp", .encap = { LY(VXLAN, 4), LY(VXLAN, 4, .port = 8472) }, .ipver = 6, .l4 = 6, .payload = 40),
	TOK(.name = "ip4/vxlan/ip6/gre-eth/vlan/ip4/tcp", .encap = { LY(VXLAN, 4), LY(GRE_ETH, 6) }, Q1, .ipver = 4, .l4 = 6, .payload = 40),
	TOK(.name = "ip6/geneve-ip/ip4/gtpu+ext1/ip6/udp", .encap = { LY(GENEVE, 6, .geneve_ip = 1), LY(GTPU, 4, .gtp_ext = 1) }, .ipver = 6, .l4 = 17, .payload = 40),
	TOK(.name = "ip4/erspan2/ip4/ipip/ip6/tcp", .encap = { LY(ERSPAN2, 4), LY(IPIP, 4) }, .ipver = 6, .l4 = 6, .payload = 40),
	TOK(.name = "ip6/erspan3/ip4/mpls-udp/mpls2/ip4/sctp", .encap = { LY(ERSPAN3, 6, .gre_flags = PKT_GRE_S), LY(MPLS_UDP, 4) }, .nmpls = 2, .ipver = 4, .l4 = 132, .payload = 40),
	TOK(.name = "ip4/ipip/ip6/gre/ip4/vxlan/ip4/tcp", .encap = { LY(IPIP, 4), LY(GRE, 6), LY(VXLAN, 4) }, .ipver = 4, .l4 = 6, .payload = 40),
	TOK(.name = "ip4/geneve/ip6/gre-mpls/mpls1/ip4/ipip/ip4/tcp", .encap = { LY(GENEVE, 4), LY(GRE_MPLS, 6), LY(IPIP, 4, .nmpls = 1) }, .ipver = 4, .l4 = 6, .payload = 40),
	TOK(.name = "ip6/erspan1/ip4/vxlan/ip6/gtpu/ip4/udp", .encap = { LY(ERSPAN1, 6), LY(VXLAN, 4), LY(GTPU, 6) }, .ipver = 4, .l4 = 17, .payload = 40),
	TOK(.name = "ip6/gre+cks/ip6/geneve+opt8/ip4/erspan3-ft2+o/ip6/tcp", .encap = { LY(GRE, 6, .gre_flags = GRE_CKS), LY(GENEVE, 6, .geneve_opt = 8, .geneve_ip = 1), LY(ERSPAN3, 4, .erspan_ip = 1, .erspan_o = 1) }, .ipver = 6, .l4 = 6, .payload = 40),
	TOKF(AS_FRAG_LATER, .name = "ip4/gre/ip4-frag-later/(vxlan)", .encap = { LY(GRE, 4), LY(VXLAN, 4, .frag = PKT_FRAG_LATER) }, .ipver = 4, .l4 = 6, .payload = 400),
	TSTOP(1, .name = "ip4/ipip/ip4/gre-ver1", .encap = { LY(IPIP, 4), LY(GRE, 4) }, .ipver = 4, .l4 = 6, .payload = 40,
	      .poke = { PT(1, 1, 0x07, 0x01) }),
	TSTOP(1, .name = "ip6/vxlan/ip4/vxlan-no-i-bit", .encap = { LY(VXLAN, 6), LY(VXLAN, 4) }, .ipver = 4, .l4 = 6, .payload = 40,
	      .poke = { PT(1, 0, 0x08, 0) }),
	TSTOP(2, .name = "ip4/gre/ip4/gre/ip6/gtp-echo", .encap = { LY(GRE, 4), LY(GRE, 4), LY(GTPU, 6) }, .ipver = 4, .l4 = 6, .payload = 40,
	      .poke = { PT(2, 1, 0xff, 0x01) }),
	/* a 4th header that is not a known tunnel is not a 4th level */
	TSTOP(3, .name = "ip4/ipip/ip4/gre/ip4/vxlan/ip4/vxlan-no-i-bit", .encap = { LY(IPIP, 4), LY(GRE, 4), LY(VXLAN, 4), LY(VXLAN, 4) }, .ipver = 4, .l4 = 6, .payload = 40,
	      .poke = { PT(3, 0, 0x08, 0) }),
	TSTOP(3, .name = "ip4/ipip/ip6/gre/ip4/vxlan/ip4/gre-ppp", .encap = { LY(IPIP, 4), LY(GRE, 6), LY(VXLAN, 4), LY(GRE, 4) }, .ipver = 4, .l4 = 6, .payload = 40,
	      .poke = { PT(3, 2, 0xff, 0x88), PT(3, 3, 0xff, 0x0b) }),
	/* four known tunnel headers: one too many */
	TBAD(.name = "ip4/ipip/ip4/gre/ip4/vxlan/ip4/ipip/ip4/tcp", .encap = { LY(IPIP, 4), LY(GRE, 4), LY(VXLAN, 4), LY(IPIP, 4) }, .ipver = 4, .l4 = 6, .payload = 40),
	TBAD(.name = "ip6/vxlan/ip6/vxlan/ip6/vxlan/ip6/vxlan/ip6/udp", .encap = { LY(VXLAN, 6), LY(VXLAN, 6), LY(VXLAN, 6), LY(VXLAN, 6) }, .ipver = 6, .l4 = 17, .payload = 40),
	TBAD(.name = "ip4/gre-eth/ip4/geneve-ip/ip6/mpls-udp/mpls1/ip4/gtpu/ip4/tcp", .encap = { LY(GRE_ETH, 4), LY(GENEVE, 4, .geneve_ip = 1), LY(MPLS_UDP, 6), LY(GTPU, 4, .nmpls = 1) }, .ipver = 4, .l4 = 6, .payload = 40),
	TNONIP(.name = "ip4/ipip/ip6/vxlan/arp", .encap = { LY(IPIP, 4), LY(VXLAN, 6) }, .ethertype = 0x0806),
};

#define NTCASES (sizeof(tcases) / sizeof(tcases[0]))

/* What a tunnel case must parse to: keep length and tunnel levels. */
static inline size_t tcase_keep(const struct tcase *c, const struct pkt_info *in)
{
	return c->stop ? in->stop_keep[c->stop - 1] : in->hdr_len;
}

static inline int tcase_levels(const struct tcase *c, const struct pkt_info *in)
{
	return c->stop ? c->stop - 1 : in->encap;
}

#endif /* AUTOSEL_SELFTEST_SHAPES_H */
