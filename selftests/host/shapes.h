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

#endif /* AUTOSEL_SELFTEST_SHAPES_H */
