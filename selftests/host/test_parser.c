// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The header parser (include/autosel/parse.h) in user space, on crafted
 * frames of every header shape: the result, hdr_len, offsets, ports,
 * protocol and fragment state; every truncation point; lying lengths; and
 * agreement with the independent reference parser under random mutation.
 * Then the same for tunnels (issue #13, shapes.h tcases[]): with and
 * without decapsulation (as_pkt.no_decap), against the builder's header
 * lengths and the reference parser.
 *
 * Frames handed to the parser live in heap buffers of exactly their
 * length, so that under SAN=1 any read past the end is an ASan error.
 */
#include <linux/types.h>
#include <stdlib.h>

#include "../ksft.h"
#include "pkt.h"
#include "refparse.h"
#include "shapes.h"

static void addrs(int ipver, struct pkt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ipver == 6) {
		pkt_ip6(a->src, 0x2001, 0xdb8, 0x100, 7);
		pkt_ip6(a->dst, 0xfd00, 0, 1, 3);
	} else {
		pkt_ip4(a->src, 198, 51, 100, 7);
		pkt_ip4(a->dst, 10, 1, 2, 3);
	}
	a->sport = 40000;
	a->dport = 443;
	a->tcp_flags = PKT_TCP_SYN;
	a->frag_id = 0x1234;
}

/*
 * parse.h's decapsulation interface (issue #13): as_pkt.no_decap in,
 * as_pkt.encap out.  Before it lands, everything here still builds; the
 * first test below fails, and so do the tunnel shapes.
 */
#ifdef AS_MAX_ENCAP
#define PKT_ENCAP(p)	((int)(p)->encap)
#else
#define PKT_ENCAP(p)	0
#endif

/* Run the parser on a heap copy of exactly len bytes. */
static int parse_exact2(const uint8_t *frame, size_t len, int no_decap,
			struct as_pkt *pkt)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, frame, len);
	memset(pkt, 0, sizeof(*pkt));
#ifdef AS_MAX_ENCAP
	pkt->no_decap = (__u8)no_decap;
#else
	(void)no_decap;
#endif
	ret = as_parse(copy, copy + len, pkt);
	free(copy);
	return ret;
}

static int parse_exact(const uint8_t *frame, size_t len, struct as_pkt *pkt)
{
	return parse_exact2(frame, len, 0, pkt);
}

/* ICMP of the IP header's own family: the builder writes an echo. */
static int is_echo(int ipver, uint8_t l4)
{
	return (ipver == 4 && l4 == 1) || (ipver == 6 && l4 == 58);
}

static int has_ports(const struct pcase *c)
{
	return c->want_frag != AS_FRAG_LATER &&
	       (c->s.l4 == 6 || c->s.l4 == 17 || c->s.l4 == 132 ||
		is_echo(c->s.ipver, c->s.l4));
}

static uint8_t want_proto(const struct pcase *c)
{
	/* A later IPv6 fragment reports the next header after the frag header. */
	if (c->s.ipver == 6 && c->want_frag == AS_FRAG_LATER) {
		int i;

		for (i = 0; i < c->s.next; i++)
			if (c->s.ext[i] == 44)
				return i + 1 < c->s.next ? c->s.ext[i + 1] : c->s.l4;
	}
	return c->s.l4;
}

TEST(every_shape_parses_as_built)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i;

	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];
		size_t len;
		int ret;

		addrs(c->s.ipver, &a);
		len = pkt_build(&c->s, &a, frame, &info);
		ASSERT_NE(0, len);
		ret = parse_exact(frame, len, &pkt);
		if (ret != c->want) {
			FAIL_SOFT("%s: result %d, want %d", c->s.name, ret, c->want);
			continue;
		}
		if (ret != AS_PARSE_OK)
			continue;
		if (pkt.hdr_len != info.hdr_len || pkt.l3_off != info.l3_off ||
		    pkt.l4_off != info.l4_off || pkt.family != c->s.ipver ||
		    pkt.proto != want_proto(c) || pkt.frag != c->want_frag) {
			FAIL_SOFT("%s: hdr_len %u/%zu l3 %u/%zu l4 %u/%zu family %u proto %u/%u frag %u/%d (got/want)",
				  c->s.name, pkt.hdr_len, info.hdr_len,
				  pkt.l3_off, info.l3_off, pkt.l4_off,
				  info.l4_off, pkt.family, pkt.proto,
				  want_proto(c), pkt.frag, c->want_frag);
			continue;
		}
		EXPECT_EQ(0, memcmp(pkt.saddr, a.src, c->s.ipver == 4 ? 4 : 16));
		EXPECT_EQ(0, memcmp(pkt.daddr, a.dst, c->s.ipver == 4 ? 4 : 16));
		if (c->s.ipver == 4) {
			static const uint8_t zero[12];

			EXPECT_EQ(0, memcmp(pkt.saddr + 4, zero, 12));
			EXPECT_EQ(0, memcmp(pkt.daddr + 4, zero, 12));
		}
		/* an echo's identifier (the builder's sport) is both ports */
		EXPECT_EQ(has_ports(c) ? a.sport : 0, pkt.sport);
		EXPECT_EQ(!has_ports(c) ? 0 : is_echo(c->s.ipver, c->s.l4) ?
			  a.sport : a.dport, pkt.dport);
		EXPECT_EQ(len - info.l3_off, pkt.ip_len);
		if (c->s.l4 == 6 && c->want_frag != AS_FRAG_LATER)
			EXPECT_EQ(a.tcp_flags, pkt.tcp_flags);
		if (c->want_frag != AS_FRAG_NONE)
			EXPECT_EQ(c->s.ipver == 4 ? a.frag_id : 0x10000u | a.frag_id,
				  pkt.frag_id);
		if (ksft_failed())
			ksft_print("... in case %s\n", c->s.name);
	}
}

/*
 * Cut every frame at every length.  Below the header length the parser
 * must say MALFORMED (an IP shape) or at most NON_IP once the ethertype is
 * known; at or above it, the same answer as for the whole frame.  Never
 * OK with a header length beyond the buffer.
 */
TEST(every_truncation_point)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i, cut;
	unsigned long tried = 0;

	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];
		size_t len, need;

		addrs(c->s.ipver, &a);
		len = pkt_build(&c->s, &a, frame, &info);
		ASSERT_NE(0, len);
		/*
		 * GRE's 4 base bytes tell whether it is a tunnel autosel
		 * knows: cut short, they make the frame malformed even where
		 * GRE then turns out to be payload (datapath.rst).
		 */
		need = info.hdr_len + (c->s.l4 == 47 ? 4 : 0);
		for (cut = 0; cut <= len; cut++) {
			int ret = parse_exact(frame, cut, &pkt);

			tried++;
			if (ret == AS_PARSE_OK && pkt.hdr_len > cut) {
				FAIL_SOFT("%s cut at %zu: OK with hdr_len %u",
					  c->s.name, cut, pkt.hdr_len);
				break;
			}
			if (c->want == AS_PARSE_OK && cut < need &&
			    ret != AS_PARSE_MALFORMED) {
				FAIL_SOFT("%s cut at %zu < %zu: result %d, want MALFORMED",
					  c->s.name, cut, need, ret);
				break;
			}
			if (c->want == AS_PARSE_OK && cut >= need &&
			    (ret != AS_PARSE_OK || pkt.hdr_len != info.hdr_len)) {
				FAIL_SOFT("%s cut at %zu >= hdr_len %zu: result %d hdr_len %u",
					  c->s.name, cut, info.hdr_len, ret, pkt.hdr_len);
				break;
			}
			if (c->want != AS_PARSE_OK && ret == AS_PARSE_OK) {
				FAIL_SOFT("%s cut at %zu: OK, want %d", c->s.name,
					  cut, c->want);
				break;
			}
		}
	}
	ksft_print("%lu truncated frames parsed\n", tried);
}

/* Frames whose length fields lie: built right, then one field changed. */
enum lie { IHL, DOFF, IP4LEN, IP6LEN, VERSION };

static const struct {
	const char *name;
	int ipver;
	uint8_t l4;
	int tcp_optlen;
	int payload;
	enum lie field;
	int value;
	int want;
} lies[] = {
	{ "ihl=0", 4, 6, 0, 20, IHL, 0x40, AS_PARSE_MALFORMED },
	{ "ihl=4", 4, 6, 0, 20, IHL, 0x44, AS_PARSE_MALFORMED },
	{ "ihl=15 beyond the frame", 4, 17, 0, 0, IHL, 0x4f, AS_PARSE_MALFORMED },
	{ "tcp doff=0", 4, 6, 0, 20, DOFF, 0x00, AS_PARSE_MALFORMED },
	{ "tcp doff=4", 4, 6, 0, 20, DOFF, 0x40, AS_PARSE_MALFORMED },
	{ "ip6 tcp doff=4", 6, 6, 0, 20, DOFF, 0x40, AS_PARSE_MALFORMED },
	{ "tcp doff=15 beyond the frame", 4, 6, 0, 20, DOFF, 0xf0, AS_PARSE_MALFORMED },
	{ "tcp doff=6 with opt4 ok", 4, 6, 4, 20, DOFF, 0x60, AS_PARSE_OK },
	{ "ip4 tot_len < ihl", 4, 6, 0, 20, IP4LEN, 10, AS_PARSE_MALFORMED },
	{ "ip4 tot_len = ihl, tcp outside", 4, 6, 0, 20, IP4LEN, 20, AS_PARSE_MALFORMED },
	{ "ip4 tot_len ends in tcp header", 4, 6, 0, 20, IP4LEN, 39, AS_PARSE_MALFORMED },
	{ "ip4 tot_len ends in udp header", 4, 17, 0, 20, IP4LEN, 27, AS_PARSE_MALFORMED },
	{ "ip4 tot_len = headers exactly", 4, 6, 0, 20, IP4LEN, 40, AS_PARSE_OK },
	{ "ip4 tot_len larger than frame", 4, 6, 0, 20, IP4LEN, 1500, AS_PARSE_OK },
	{ "ip6 payload_len ends in tcp header", 6, 6, 0, 20, IP6LEN, 10, AS_PARSE_MALFORMED },
	{ "ip6 payload_len ends in udp header", 6, 17, 0, 20, IP6LEN, 7, AS_PARSE_MALFORMED },
	{ "ip6 payload_len = headers exactly", 6, 17, 0, 20, IP6LEN, 8, AS_PARSE_OK },
	{ "ip4 ethertype, version 6", 4, 6, 0, 20, VERSION, 0x65, AS_PARSE_MALFORMED },
	{ "ip6 ethertype, version 4", 6, 6, 0, 20, VERSION, 0x45, AS_PARSE_MALFORMED },
};

TEST(lying_lengths)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i;

	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct pkt_spec s = { .ipver = lies[i].ipver, .l4 = lies[i].l4,
				      .tcp_optlen = lies[i].tcp_optlen,
				      .payload = lies[i].payload };
		size_t len;
		int ret;

		addrs(s.ipver, &a);
		len = pkt_build(&s, &a, frame, &info);
		ASSERT_NE(0, len);
		switch (lies[i].field) {
		case IHL:
			frame[info.ihl_off] = (uint8_t)lies[i].value;
			break;
		case DOFF:
			frame[info.tcp_doff_off] = (uint8_t)lies[i].value;
			break;
		case IP4LEN:
		case IP6LEN:
			pkt_put16(frame + info.iplen_off, (uint16_t)lies[i].value);
			break;
		case VERSION:
			frame[info.l3_off] = (uint8_t)lies[i].value;
			break;
		}
		ret = parse_exact(frame, len, &pkt);
		if (ret != lies[i].want)
			FAIL_SOFT("%s: result %d, want %d", lies[i].name, ret,
				  lies[i].want);
		else if (ret == AS_PARSE_OK && pkt.hdr_len > len)
			FAIL_SOFT("%s: hdr_len %u beyond frame %zu",
				  lies[i].name, pkt.hdr_len, len);
	}
}

/* Link-layer padding after a short datagram is not a header. */
TEST(ethernet_padding_is_not_kept)
{
	uint8_t frame[PKT_MAX];
	struct pkt_spec s = { .ipver = 4, .l4 = 6 };
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t len;

	addrs(4, &a);
	len = pkt_build(&s, &a, frame, &info);
	ASSERT_EQ(54, len);
	/* pad to the 60-byte Ethernet minimum; IP total length stays 40 */
	ASSERT_EQ(AS_PARSE_OK, parse_exact(frame, 60, &pkt));
	EXPECT_EQ(54, pkt.hdr_len);
	EXPECT_EQ(40, pkt.ip_len);

	/* a UDP datagram of 20 bytes in a 60-byte frame: IP says 20 -> malformed */
	s.l4 = 17;
	len = pkt_build(&s, &a, frame, &info);
	pkt_put16(frame + info.iplen_off, 20);
	ASSERT_EQ(AS_PARSE_MALFORMED, parse_exact(frame, 60, &pkt));
}

/* Fragment flags: DF alone, MF, offsets, and the IPv6 atomic fragment. */
TEST(fragment_states)
{
	static const struct { uint16_t v4frag; int want; } v4[] = {
		{ 0x0000, AS_FRAG_NONE }, { 0x4000, AS_FRAG_NONE },
		{ 0x2000, AS_FRAG_FIRST }, { 0x2001, AS_FRAG_LATER },
		{ 0x0001, AS_FRAG_LATER }, { 0x1fff, AS_FRAG_LATER },
	};
	static const struct { uint16_t v6off; int want; } v6[] = {
		{ 0x0000, AS_FRAG_NONE }, { 0x0001, AS_FRAG_FIRST },
		{ 0x0008, AS_FRAG_LATER }, { 0x0009, AS_FRAG_LATER },
		{ 0xfff8, AS_FRAG_LATER },
	};
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i, len;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		struct pkt_spec s = { .ipver = 4, .l4 = 17, .payload = 16 };

		addrs(4, &a);
		len = pkt_build(&s, &a, frame, &info);
		pkt_put16(frame + info.l3_off + 6, v4[i].v4frag);
		ASSERT_EQ(AS_PARSE_OK, parse_exact(frame, len, &pkt));
		EXPECT_EQ(v4[i].want, pkt.frag);
		EXPECT_EQ(v4[i].want == AS_FRAG_LATER ? info.l4_off : info.hdr_len,
			  pkt.hdr_len);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		struct pkt_spec s = { .ipver = 6, .next = 1, .ext = { 44 },
				      .l4 = 17, .payload = 16 };

		addrs(6, &a);
		len = pkt_build(&s, &a, frame, &info);
		pkt_put16(frame + info.l3_off + 42, v6[i].v6off);
		ASSERT_EQ(AS_PARSE_OK, parse_exact(frame, len, &pkt));
		EXPECT_EQ(v6[i].want, pkt.frag);
		EXPECT_EQ(v6[i].want == AS_FRAG_LATER ? info.l4_off : info.hdr_len,
			  pkt.hdr_len);
	}
}

/*
 * ICMP echo (issue #16): the identifier is the port of both sides, for
 * request and reply alike; other ICMP types, and an ICMP type of the
 * other family, have no ports.  The reference parser says the same.
 */
TEST(icmp_echo_identifier_is_both_ports)
{
	static const struct { int ipver; uint8_t type; int echo; } t[] = {
		{ 4, 8, 1 }, { 4, 0, 1 }, { 4, 3, 0 }, { 4, 11, 0 },
		{ 4, 13, 0 }, { 4, 128, 0 }, { 4, 129, 0 },
		{ 6, 128, 1 }, { 6, 129, 1 }, { 6, 1, 0 }, { 6, 135, 0 },
		{ 6, 8, 0 }, { 6, 0, 0 },
	};
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pkt_spec s = { .ipver = t[i].ipver,
				      .l4 = t[i].ipver == 4 ? 1 : 58,
				      .payload = 56 };
		struct ref_result r;
		uint16_t want = t[i].echo ? (uint16_t)(0x1000 + i) : 0;

		addrs(s.ipver, &a);
		a.sport = (uint16_t)(0x1000 + i);
		len = pkt_build(&s, &a, frame, &info);
		ASSERT_NE(0, len);
		frame[info.l4_off] = t[i].type;
		ASSERT_EQ(AS_PARSE_OK, parse_exact(frame, len, &pkt));
		r = ref_parse(frame, len);
		ASSERT_EQ(REF_OK, r.verdict);
		if (pkt.sport != want || pkt.dport != want ||
		    r.sport != want || r.dport != want)
			FAIL_SOFT("ip%d icmp type %u: parse.h ports %u/%u, reference %u/%u, want %u",
				  t[i].ipver, t[i].type, pkt.sport, pkt.dport,
				  r.sport, r.dport, want);
		EXPECT_EQ(info.hdr_len, pkt.hdr_len);
	}
	/* ICMP inside IPv6 (protocol 1) is not a header autosel knows */
	{
		struct pkt_spec s = { .ipver = 6, .l4 = 1, .payload = 56 };

		addrs(6, &a);
		len = pkt_build(&s, &a, frame, &info);
		ASSERT_EQ(AS_PARSE_OK, parse_exact(frame, len, &pkt));
		EXPECT_EQ(0, pkt.sport);
		EXPECT_EQ(0, pkt.dport);
	}
}

/*
 * The include/ parser and the reference parser agree on every built shape
 * and on many random mutations of them (fixed seed, bounded count).
 */
static int ref_to_as(int v)
{
	return v == REF_OK ? AS_PARSE_OK :
	       v == REF_NON_IP ? AS_PARSE_NON_IP : AS_PARSE_MALFORMED;
}

static int ref_frag(const struct ref_result *r)
{
	return r->later_frag ? AS_FRAG_LATER :
	       r->first_frag ? AS_FRAG_FIRST : AS_FRAG_NONE;
}

/* Where parse.h and the reference differ, or NULL. */
static const char *differs(int ret, const struct as_pkt *p,
			   const struct ref_result *r)
{
	if (ret != ref_to_as(r->verdict))
		return "verdict";
	if (ret != AS_PARSE_OK)
		return NULL;
	if (p->hdr_len != r->keep)
		return "hdr_len";
	if (PKT_ENCAP(p) != r->levels)
		return "encap";
	if (p->family != r->ipver || p->proto != r->proto)
		return "family/proto";
	if (p->frag != ref_frag(r))
		return "frag";
	if (memcmp(p->saddr, r->src, 16) || memcmp(p->daddr, r->dst, 16))
		return "addresses";
	if (p->sport != r->sport || p->dport != r->dport)
		return "ports";
	return NULL;
}

TEST(agrees_with_reference_parser_under_mutation)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	unsigned int seed = 12345, disagree = 0, n = 0;
	size_t i;
	int round;

	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];

		addrs(c->s.ipver, &a);
		for (round = 0; round < 400; round++) {
			size_t len = pkt_build(&c->s, &a, frame, &info);
			struct ref_result r;
			const char *what;
			int k, ret, nd, flips = 1 + round % 4;

			ASSERT_NE(0, len);
			for (k = 0; round && k < flips; k++) {
				size_t at = (size_t)rand_r(&seed) % info.hdr_len;

				frame[at] = (uint8_t)rand_r(&seed);
			}
			if (round % 5 == 4)
				len = (size_t)rand_r(&seed) % (len + 1);
			nd = round % 2;	/* both modes, every other round */
			ret = parse_exact2(frame, len, nd, &pkt);
			r = ref_parse2(frame, len, nd);
			n++;
			if (ret == AS_PARSE_OK && pkt.hdr_len > len) {
				FAIL_SOFT("%s round %d: hdr_len %u > len %zu",
					  c->s.name, round, pkt.hdr_len, len);
				continue;
			}
			what = differs(ret, &pkt, &r);
			if (what) {
				if (disagree++ < 5) {
					size_t b;

					FAIL_SOFT("%s round %d%s: %s: parse.h %d/%u, reference %d/%zu",
						  c->s.name, round,
						  nd ? " (no_decap)" : "", what,
						  ret, pkt.hdr_len,
						  ref_to_as(r.verdict), r.keep);
					printf("# frame:");
					for (b = 0; b < len && b < 128; b++)
						printf(" %02x", frame[b]);
					printf("\n");
				}
			}
		}
	}
	ksft_print("%u frames compared, %u disagreements\n", n, disagree);
	EXPECT_EQ(0, disagree);
}

/* ------------------------------------------------------------------ */
/* Tunnels (issue #13): shapes.h tcases[]. */

/* Inner addresses as addrs(); the tunnel levels keep the builder's own. */
static void taddrs(const struct tcase *c, struct pkt_addr *a, unsigned int i)
{
	addrs(c->s.ipver ? c->s.ipver : 4, a);
	a->sport = (uint16_t)(20000 + i);
	a->frag_id = (uint16_t)(0x100 + i);
}

/* The IP level whose header decides (the innermost one parsed). */
static int tcase_decider(const struct tcase *c, const struct pkt_info *in)
{
	if (c->stop)
		return c->stop - 1;
	return in->encap;	/* < nencap: an outer non-first fragment */
}

static uint8_t tun_proto(const struct pkt_spec *s, int lv)
{
	int k = s->encap[lv].kind;
	int nextver = lv + 1 < PKT_MAX_ENCAP && s->encap[lv + 1].kind ?
		      s->encap[lv + 1].ipver : s->ipver;

	if (k == PKT_T_IPIP)
		return nextver == 6 ? 41 : 4;
	return k <= PKT_T_ERSPAN3 ? 47 : 17;
}

/*
 * What the table and the builder say a tunnel case must parse to, in a
 * ref_result: the expectation both parsers are held to.
 */
static struct ref_result texpect(const struct tcase *c, const struct pkt_addr *a,
				 const struct pkt_info *in, int no_decap)
{
	struct ref_result w;
	int lv;

	memset(&w, 0, sizeof(w));
	w.verdict = c->want == AS_PARSE_OK ? REF_OK :
		    c->want == AS_PARSE_NON_IP ? REF_NON_IP : REF_MALFORMED;
	if (no_decap) {
		w.verdict = REF_OK;
		w.keep = in->nodecap_keep;
		lv = 0;
		w.later_frag = c->s.encap[0].frag == PKT_FRAG_LATER;
		w.first_frag = c->s.encap[0].frag == PKT_FRAG_FIRST;
	} else {
		w.keep = tcase_keep(c, in);
		w.levels = tcase_levels(c, in);
		lv = tcase_decider(c, in);
		w.later_frag = c->want_frag == AS_FRAG_LATER;
		w.first_frag = c->want_frag == AS_FRAG_FIRST;
	}
	if (lv == in->nencap) {
		w.ipver = c->s.ipver;
		memcpy(w.src, a->src, 16);
		memcpy(w.dst, a->dst, 16);
		w.proto = c->s.l4;
		if (c->s.ipver == 6 && w.later_frag) {
			int k;

			for (k = 0; k < c->s.next; k++)
				if (c->s.ext[k] == 44)
					w.proto = k + 1 < c->s.next ?
						  c->s.ext[k + 1] : c->s.l4;
		}
		if (!w.later_frag && (w.proto == 6 || w.proto == 17 || w.proto == 132)) {
			w.sport = a->sport;
			w.dport = a->dport;
		} else if (!w.later_frag && is_echo(w.ipver, w.proto)) {
			w.sport = a->sport;
			w.dport = a->sport;
		}
	} else {
		const struct pkt_encap *e = &c->s.encap[lv];

		w.ipver = e->ipver;
		pkt_outer_addr(a, e->ipver, lv, w.src, w.dst);
		w.proto = tun_proto(&c->s, lv);
		if (w.proto == 17 && !w.later_frag) {
			w.sport = (uint16_t)(49152 + lv);
			w.dport = pkt_udp_port(e);
		}
	}
	return w;
}

/*
 * Compare a result with the expectation; only the fields the table
 * states (ports: not for a layer whose UDP port a poke changed).
 */
static const char *tdiffers(const struct ref_result *g, const struct ref_result *w,
			    int check_ports)
{
	if (g->verdict != w->verdict)
		return "verdict";
	if (g->verdict != REF_OK)
		return NULL;
	if (g->keep != w->keep)
		return "keep";
	if (g->levels != w->levels)
		return "levels";
	if (g->ipver != w->ipver || g->proto != w->proto)
		return "ip version/proto";
	if (g->later_frag != w->later_frag || g->first_frag != w->first_frag)
		return "frag";
	if (memcmp(g->src, w->src, 16) || memcmp(g->dst, w->dst, 16))
		return "addresses";
	if (check_ports && (g->sport != w->sport || g->dport != w->dport))
		return "ports";
	return NULL;
}

/* parse.h's answer in the reference's terms, to compare the same fields. */
static struct ref_result as_result(int ret, const struct as_pkt *p)
{
	struct ref_result g;

	memset(&g, 0, sizeof(g));
	g.verdict = ret == AS_PARSE_OK ? REF_OK :
		    ret == AS_PARSE_NON_IP ? REF_NON_IP : REF_MALFORMED;
	g.keep = p->hdr_len;
	g.levels = PKT_ENCAP(p);
	g.ipver = p->family;
	g.proto = p->proto;
	g.later_frag = p->frag == AS_FRAG_LATER;
	g.first_frag = p->frag == AS_FRAG_FIRST;
	memcpy(g.src, p->saddr, 16);
	memcpy(g.dst, p->daddr, 16);
	g.sport = p->sport;
	g.dport = p->dport;
	return g;
}

static int poked_udp_port(const struct tcase *c)
{
	int i;

	for (i = 0; i < PKT_MAX_POKE; i++)
		if (c->s.poke[i].at == PKT_AT_IP && c->s.poke[i].level < c->stop &&
		    c->s.poke[i].off >= 20)
			return 1;
	return 0;
}

TEST(parse_h_has_the_decapsulation_interface)
{
#ifdef AS_MAX_ENCAP
	EXPECT_EQ(REF_MAX_ENCAP, AS_MAX_ENCAP);
#else
	FAIL("include/autosel/parse.h: no AS_MAX_ENCAP, as_pkt.no_decap, as_pkt.encap (issue #13 not merged)");
#endif
}

/* The reference parser against the table and the builder, both modes. */
TEST(reference_parses_every_tunnel_as_built)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	size_t i;
	int nd, bad = 0, levels[REF_MAX_ENCAP + 2] = { 0 };

	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];
		size_t len;

		taddrs(c, &a, (unsigned int)i);
		len = pkt_build(&c->s, &a, frame, &info);
		if (!len) {
			FAIL_SOFT("%s: the builder refuses it", c->s.name);
			continue;
		}
		for (nd = 0; nd <= 1; nd++) {
			struct ref_result r = ref_parse2(frame, len, nd);
			struct ref_result w = texpect(c, &a, &info, nd);
			const char *what = tdiffers(&r, &w, !poked_udp_port(c));

			if (what) {
				bad++;
				FAIL_SOFT("%s%s: %s: reference %d keep %zu levels %d ip%d/%u, want %d keep %zu levels %d ip%d/%u",
					  c->s.name, nd ? " (no_decap)" : "", what,
					  r.verdict, r.keep, r.levels, r.ipver, r.proto,
					  w.verdict, w.keep, w.levels, w.ipver, w.proto);
			}
			if (!nd && r.verdict == REF_OK)
				levels[r.levels]++;
		}
	}
	ksft_print("%zu tunnel shapes, decapsulated OK at 0/1/2/3 levels: %d/%d/%d/%d, %d mismatches\n",
		   NTCASES, levels[0], levels[1], levels[2], levels[3], bad);
	/* The plain shapes: decapsulation changes nothing there. */
	for (i = 0; i < NCASES; i++) {
		struct ref_result r0, r1;
		size_t len;

		addrs(cases[i].s.ipver, &a);
		len = pkt_build(&cases[i].s, &a, frame, &info);
		r0 = ref_parse2(frame, len, 0);
		r1 = ref_parse2(frame, len, 1);
		if (r0.verdict != r1.verdict || r0.keep != r1.keep || r0.levels ||
		    r0.verdict != (cases[i].want == AS_PARSE_OK ? REF_OK :
				   cases[i].want == AS_PARSE_NON_IP ? REF_NON_IP :
				   REF_MALFORMED) ||
		    (r0.verdict == REF_OK && r0.keep != info.hdr_len))
			FAIL_SOFT("%s: reference %d/%zu, no_decap %d/%zu, built %zu",
				  cases[i].s.name, r0.verdict, r0.keep,
				  r1.verdict, r1.keep, info.hdr_len);
	}
}

/* parse.h against the table and the builder, both modes. */
static void tunnels_as_built(struct ksft_ctx *_ksft, int nd)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	size_t i;
	int bad = 0;

	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];
		struct ref_result g, w;
		const char *what;
		size_t len;
		int ret;

		taddrs(c, &a, (unsigned int)i);
		len = pkt_build(&c->s, &a, frame, &info);
		ASSERT_NE(0, len);
		ret = parse_exact2(frame, len, nd, &pkt);
		g = as_result(ret, &pkt);
		w = texpect(c, &a, &info, nd);
		what = tdiffers(&g, &w, !poked_udp_port(c));
		if (what && bad++ < 20)
			FAIL_SOFT("%s: %s: parse.h %d hdr_len %zu encap %d ip%d/%u, want %d keep %zu levels %d ip%d/%u",
				  c->s.name, what, g.verdict, g.keep, g.levels,
				  g.ipver, g.proto, w.verdict, w.keep, w.levels,
				  w.ipver, w.proto);
		else if (what)
			_ksft->failed = 1;
	}
	ksft_print("%zu tunnel shapes%s, %d wrong\n", NTCASES,
		   nd ? " without decapsulation" : "", bad);
}

TEST(every_tunnel_parses_as_built)
{
	tunnels_as_built(_ksft, 0);
}

TEST(every_tunnel_without_decapsulation_outer_decides)
{
	tunnels_as_built(_ksft, 1);
}

/*
 * Whether a result for a frame cut at cut bytes is acceptable: below the
 * keep length malformed, at or above it the whole frame's answer.  A case
 * whose layer L is not a known tunnel may, between the end of what the
 * layer before it gives and the end of the frame, also be malformed:
 * where the unknown header's fixed part is cut, parsers may judge it a
 * broken tunnel.  BAD and NONIP cases are never OK.
 */
static const char *cut_wrong(const struct tcase *c, const struct pkt_info *in,
			     size_t cut, int nd, const struct ref_result *g)
{
	size_t keep = nd ? in->nodecap_keep : tcase_keep(c, in);

	if (g->verdict == REF_OK && g->keep > cut)
		return "OK beyond the cut";
	if (!nd && c->want != AS_PARSE_OK)
		return g->verdict == REF_OK ? "OK" : NULL;
	if (cut < keep)
		return g->verdict != REF_MALFORMED ? "not malformed" : NULL;
	if (g->verdict == REF_OK && g->keep == keep)
		return NULL;
	if (!nd && c->stop && cut < in->len && g->verdict == REF_MALFORMED)
		return NULL;
	return "not the whole frame's answer";
}

TEST(every_tunnel_truncation_point)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	unsigned long tried = 0, ref_bad = 0, as_bad = 0;
	size_t i, cut;
	int nd;

	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];
		size_t len;

		taddrs(c, &a, (unsigned int)i);
		len = pkt_build(&c->s, &a, frame, &info);
		ASSERT_NE(0, len);
		for (nd = 0; nd <= 1; nd++) {
			int ref_said = 0, as_said = 0;

			for (cut = 0; cut <= len; cut++) {
				struct ref_result r = ref_parse2(frame, cut, nd), g;
				const char *what;
				int ret;

				tried++;
				what = cut_wrong(c, &info, cut, nd, &r);
				if (what) {
					ref_bad++;
					if (!ref_said++)
						FAIL_SOFT("%s%s cut at %zu of %zu: reference: %s (%d keep %zu)",
							  c->s.name, nd ? " (no_decap)" : "",
							  cut, len, what, r.verdict, r.keep);
				}
				ret = parse_exact2(frame, cut, nd, &pkt);
				g = as_result(ret, &pkt);
				what = cut_wrong(c, &info, cut, nd, &g);
				if (what) {
					as_bad++;
					if (!as_said++ && as_bad < 40)
						FAIL_SOFT("%s%s cut at %zu of %zu: parse.h: %s (%d hdr_len %u)",
							  c->s.name, nd ? " (no_decap)" : "",
							  cut, len, what, ret, pkt.hdr_len);
					else
						_ksft->failed = 1;
				}
			}
		}
	}
	ksft_print("%lu truncated tunnel frames, wrong: reference %lu, parse.h %lu\n",
		   tried, ref_bad, as_bad);
}

/* parse.h and the reference agree on random mutations of every tunnel. */
TEST(tunnels_agree_with_reference_under_mutation)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	struct as_pkt pkt;
	unsigned int seed = 4242, disagree = 0, n = 0;
	unsigned long levels[REF_MAX_ENCAP + 1] = { 0 };
	size_t i;
	int round;

	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];

		taddrs(c, &a, (unsigned int)i);
		for (round = 0; round < 300; round++) {
			size_t len = pkt_build(&c->s, &a, frame, &info), span;
			struct ref_result r;
			const char *what;
			int k, ret, nd = round % 3 == 2, flips = 1 + round % 4;

			ASSERT_NE(0, len);
			/* the headers, and a little payload after them */
			span = info.hdr_len + 8 < len ? info.hdr_len + 8 : len;
			for (k = 0; round && k < flips; k++) {
				size_t at = (size_t)rand_r(&seed) % span;

				if (round % 2)	/* one bit: stays plausible */
					frame[at] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
				else
					frame[at] = (uint8_t)rand_r(&seed);
			}
			if (round % 5 == 4)
				len = (size_t)rand_r(&seed) % (len + 1);
			ret = parse_exact2(frame, len, nd, &pkt);
			r = ref_parse2(frame, len, nd);
			n++;
			if (r.verdict == REF_OK)
				levels[r.levels]++;
			if (ret == AS_PARSE_OK && pkt.hdr_len > len) {
				FAIL_SOFT("%s round %d: hdr_len %u > len %zu",
					  c->s.name, round, pkt.hdr_len, len);
				continue;
			}
			what = differs(ret, &pkt, &r);
			if (what && disagree++ < 8) {
				size_t b;

				FAIL_SOFT("%s round %d%s: %s: parse.h %d/%u encap %d, reference %d/%zu levels %d",
					  c->s.name, round, nd ? " (no_decap)" : "",
					  what, ret, pkt.hdr_len, PKT_ENCAP(&pkt),
					  ref_to_as(r.verdict), r.keep, r.levels);
				printf("# frame:");
				for (b = 0; b < len && b < 160; b++)
					printf(" %02x", frame[b]);
				printf("\n");
			}
		}
	}
	ksft_print("%u tunnel frames compared (reference OK at 0/1/2/3 levels: %lu/%lu/%lu/%lu), %u disagreements\n",
		   n, levels[0], levels[1], levels[2], levels[3], disagree);
	EXPECT_EQ(0, disagree);
}

KSFT_MAIN()
