// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The header parser (include/autosel/parse.h) in user space, on crafted
 * frames of every header shape: the result, hdr_len, offsets, ports,
 * protocol and fragment state; every truncation point; lying lengths; and
 * agreement with the independent reference parser under random mutation.
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

/* Run the parser on a heap copy of exactly len bytes. */
static int parse_exact(const uint8_t *frame, size_t len, struct as_pkt *pkt)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, frame, len);
	memset(pkt, 0, sizeof(*pkt));
	ret = as_parse(copy, copy + len, pkt);
	free(copy);
	return ret;
}

static int has_ports(const struct pcase *c)
{
	return c->want_frag != AS_FRAG_LATER &&
	       (c->s.l4 == 6 || c->s.l4 == 17 || c->s.l4 == 132);
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
		EXPECT_EQ(has_ports(c) ? a.sport : 0, pkt.sport);
		EXPECT_EQ(has_ports(c) ? a.dport : 0, pkt.dport);
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
		size_t len;

		addrs(c->s.ipver, &a);
		len = pkt_build(&c->s, &a, frame, &info);
		ASSERT_NE(0, len);
		for (cut = 0; cut <= len; cut++) {
			int ret = parse_exact(frame, cut, &pkt);

			tried++;
			if (ret == AS_PARSE_OK && pkt.hdr_len > cut) {
				FAIL_SOFT("%s cut at %zu: OK with hdr_len %u",
					  c->s.name, cut, pkt.hdr_len);
				break;
			}
			if (c->want == AS_PARSE_OK && cut < info.hdr_len &&
			    ret != AS_PARSE_MALFORMED) {
				FAIL_SOFT("%s cut at %zu < hdr_len %zu: result %d, want MALFORMED",
					  c->s.name, cut, info.hdr_len, ret);
				break;
			}
			if (c->want == AS_PARSE_OK && cut >= info.hdr_len &&
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
 * The include/ parser and the reference parser agree on every built shape
 * and on many random mutations of them (fixed seed, bounded count).
 */
static int ref_to_as(int v)
{
	return v == REF_OK ? AS_PARSE_OK :
	       v == REF_NON_IP ? AS_PARSE_NON_IP : AS_PARSE_MALFORMED;
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
			int k, ret, flips = 1 + round % 4;

			ASSERT_NE(0, len);
			for (k = 0; round && k < flips; k++) {
				size_t at = (size_t)rand_r(&seed) % info.hdr_len;

				frame[at] = (uint8_t)rand_r(&seed);
			}
			if (round % 5 == 4)
				len = (size_t)rand_r(&seed) % (len + 1);
			ret = parse_exact(frame, len, &pkt);
			r = ref_parse(frame, len);
			n++;
			if (ret == AS_PARSE_OK && pkt.hdr_len > len) {
				FAIL_SOFT("%s round %d: hdr_len %u > len %zu",
					  c->s.name, round, pkt.hdr_len, len);
				continue;
			}
			if (ret != ref_to_as(r.verdict) ||
			    (ret == AS_PARSE_OK && pkt.hdr_len != r.keep)) {
				if (disagree++ < 5) {
					size_t b;

					FAIL_SOFT("%s round %d: parse.h %d/%u, reference %d/%zu",
						  c->s.name, round, ret, pkt.hdr_len,
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

KSFT_MAIN()
