// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_xdp: a differential fuzzer of the data path (issue #16).
 *
 * Frames -- the corpus captures, the header shapes and tunnel shapes of
 * shapes.h, and random mutations of them -- go through
 *
 *   - the real XDP object (build/autosel.bpf.o) under BPF_PROG_TEST_RUN,
 *   - include/autosel/parse.h's as_parse() in user space (the module's
 *     copy path parses with the same code), under ASan/UBSan in check,
 *   - the independent reference parser (refparse.h),
 *
 * and a model of the judgement, written from SPEC.md and datapath.rst on
 * top of the reference parser, says what the program must do with each.
 * The oracle, frame by frame (Documentation/testing.rst has it too):
 *
 *   reference: not IP            -> deleted, non_ip
 *   reference: malformed         -> deleted, malformed
 *   reference: OK, headers of K bytes, innermost addresses S and D:
 *     S and D both domestic      -> deleted, domestic
 *     a non-first fragment       -> selected under slot s if a first
 *                                   fragment of its datagram (S, D, id,
 *                                   IPv4: protocol) was selected under s
 *                                   in this batch, else deleted, fragment
 *     of a flow selected in this batch (bidirectional 5-tuple; an ICMP
 *     echo's identifier is its port)  -> selected under the flow's slot;
 *                                   a TCP FIN or RST ends the flow
 *     else the slot mask of the foreign endpoint(s) (brute-force longest
 *     prefix over the indicator list): the lowest slot whose approval is
 *     active, of the packet's direction class and inside its window
 *     selects (and opens a flow unless FIN/RST); none: expired if one of
 *     the class matched outside its window, else direction if an active
 *     one of another class matched, else no_match.
 *
 *   Selected: XDP_REDIRECT, and the output frame is struct as_meta
 *   (magic, the slot, hdr_len = K, the no-decap flag) followed by exactly
 *   the first K bytes of the input: nothing after the reference's header
 *   length is kept.  Deleted: XDP_DROP.  parse.h must agree with the
 *   reference on verdict, header length, tunnel levels, family, protocol,
 *   fragment state, addresses and ports.
 *
 * Per batch of FZ_BATCH frames, the program's counters must have moved by
 * exactly what the model says: seen = selected + sum of deletions by
 * reason, each reason's count, seen/selected/deleted/kept/discarded bytes,
 * and per slot packets, bytes, kept bytes and new flows.  A batch starts
 * afresh: every approval gets a new uid, which ends every flow and
 * fragment entry of the batch before (datapath.rst: "A slot's uid
 * changes ... flows and fragments opened under the old approval end at
 * once"), so the model never has to guess at LRU eviction.  Every fourth
 * batch runs with config.no_decap (the outer headers decide).  A batch
 * whose counters disagree is run again frame by frame to name the frame.
 *
 * Deterministic: the frames are a function of the seed (printed) and the
 * corpus.  A failing frame is printed in hex and written to a pcap in
 * FUZZ_OUT (default build/fuzz-xdp/); `fuzz_xdp --replay FILE.pcap` runs
 * the frames of a capture through the same checks.
 *
 *   fuzz_xdp [--frames N] [--seed S] [--replay PCAP]
 *
 * Test 3 withholds one indicator from the program (the model still has
 * it) and must see mismatches: the comparison is shown to catch a wrong
 * answer.
 */
#include <dirent.h>
#include <inttypes.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <pcap/pcap.h>

#include "../ksft.h"
#include "pkt.h"
#include "refparse.h"
#include "shapes.h"
#include "xdp_env.h"
#include <autosel/parse.h>

#ifndef AUTOSEL_CORPUS
#define AUTOSEL_CORPUS "../shared/corpus/tcpdump"
#endif
#ifndef FUZZ_OUT_DIR
#define FUZZ_OUT_DIR "build/fuzz-xdp"
#endif
#ifndef FUZZ_FRAMES
#define FUZZ_FRAMES 1000000
#endif

/*
 * Frames stay in test_run's linear part (a page less head- and tailroom,
 * 3520 bytes): the parser sees the whole frame, as the reference does.
 */
#define FZ_MAX		3072
#define FZ_BATCH	4096
#define FZ_SEEDS_MAX	60000
#define FZ_PER_CAPTURE	400	/* frames taken from each capture */
#define FZ_REPORTS	8	/* failures printed in full */

#define NSEC		1000000000ULL
#define T0		(1800000000ULL * NSEC)
#define HOUR		(3600ULL * NSEC)

/* ------------------------------------------------------------------ */
/* Randomness: splitmix64, one stream per run. */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

/* ------------------------------------------------------------------ */
/* The rule set, as the model and the program are given it. */

struct fz_pfx {
	int fam;
	uint8_t a[16];
	unsigned int len;
	uint64_t own;		/* indicators: this prefix's own slots */
};

#define S(n)	(1ULL << (n))

static struct fz_pfx dom[16], ind[24];
static int ndom, nind;

struct fz_appr {
	uint8_t type;
	uint64_t from, until;
	int active;
};

static const struct fz_appr appr[AS_MAX_SLOTS] = {
	[0] = { AS_DIR_FF, 0, UINT64_MAX, 1 },
	[1] = { AS_DIR_FD, 0, UINT64_MAX, 1 },
	[2] = { AS_DIR_DF, 0, UINT64_MAX, 1 },
	[3] = { AS_DIR_FF, T0 - 2 * HOUR, T0 - HOUR, 1 },	/* over */
	[4] = { AS_DIR_FD, T0 - HOUR, T0 + HOUR, 1 },
	[5] = { AS_DIR_DF, T0 - HOUR, T0 + HOUR, 1 },
	[6] = { AS_DIR_FF, T0 + HOUR, T0 + 2 * HOUR, 1 },	/* not yet */
	[7] = { AS_DIR_FD, 0, UINT64_MAX, 0 },			/* inactive */
	[8] = { AS_DIR_FF, T0 - HOUR, T0 + 1, 1 },		/* last ns */
	[9] = { AS_DIR_DF, T0, T0 + HOUR, 1 },			/* first ns */
	[10] = { AS_DIR_FF, 0, UINT64_MAX, 1 },
	[63] = { AS_DIR_FD, 0, UINT64_MAX, 1 },
};

static void add4(struct fz_pfx *t, int *n, uint8_t a, uint8_t b, uint8_t c,
		 uint8_t d, unsigned int len, uint64_t own)
{
	struct fz_pfx *p = &t[(*n)++];

	memset(p, 0, sizeof(*p));
	p->fam = 4;
	p->a[0] = a;
	p->a[1] = b;
	p->a[2] = c;
	p->a[3] = d;
	p->len = len;
	p->own = own;
}

static void add6(struct fz_pfx *t, int *n, uint16_t w0, uint16_t w1,
		 uint16_t w2, uint16_t w3, uint16_t w7, unsigned int len,
		 uint64_t own)
{
	struct fz_pfx *p = &t[(*n)++];

	memset(p, 0, sizeof(*p));
	p->fam = 6;
	pkt_ip6(p->a, w0, w1, w2, w7);
	pkt_put16(p->a + 6, w3);
	p->len = len;
	p->own = own;
}

/*
 * Indicators nest (a /24 in a /3, a /128 in a /64 in a /48 in a /3) and
 * share /24s and /48s with domestic prefixes, but never overlap them (the
 * loader refuses that).  Outer addresses the builder gives tunnels
 * (100.127.L.x, 2001:db8:fe00+L::) are domestic: the carrier's own.
 */
static void rules_init(void)
{
	ndom = nind = 0;
	add4(dom, &ndom, 10, 0, 0, 0, 8, 0);
	add4(dom, &ndom, 172, 16, 0, 0, 12, 0);
	add4(dom, &ndom, 192, 168, 0, 0, 16, 0);
	add4(dom, &ndom, 100, 64, 0, 0, 10, 0);
	add4(dom, &ndom, 203, 0, 113, 128, 25, 0);
	add4(dom, &ndom, 198, 18, 0, 7, 32, 0);
	add6(dom, &ndom, 0xfd00, 0, 0, 0, 0, 8, 0);
	add6(dom, &ndom, 0xfe80, 0, 0, 0, 0, 10, 0);
	add6(dom, &ndom, 0x2001, 0xdb8, 0xfe00, 0, 0, 40, 0);
	add6(dom, &ndom, 0x2001, 0xdb8, 0xdead, 0, 0, 48, 0);
	add6(dom, &ndom, 0x2001, 0xdb8, 0xbeef, 1, 0, 64, 0);
	add6(dom, &ndom, 0x2001, 0xdb8, 0xbeef, 2, 9, 128, 0);

	add4(ind, &nind, 0, 0, 0, 0, 5, S(0) | S(1) | S(2));
	add4(ind, &nind, 32, 0, 0, 0, 3, S(3) | S(4));
	add4(ind, &nind, 48, 1, 2, 0, 24, S(6) | S(8));
	add4(ind, &nind, 48, 1, 2, 3, 32, S(9));
	add4(ind, &nind, 128, 0, 0, 0, 3, S(5));
	add4(ind, &nind, 150, 0, 0, 0, 16, S(10));
	add4(ind, &nind, 64, 0, 0, 0, 8, S(63));
	add4(ind, &nind, 65, 0, 0, 0, 8, S(7));
	add4(ind, &nind, 198, 51, 100, 0, 24, S(0) | S(1));
	add4(ind, &nind, 203, 0, 113, 0, 25, S(1) | S(2));
	add6(ind, &nind, 0x3000, 0, 0, 0, 0, 4, S(0) | S(1) | S(2));
	add6(ind, &nind, 0x2001, 0xdb8, 0x100, 0, 0, 40, S(0) | S(1) | S(2));
	add6(ind, &nind, 0x4000, 0, 0, 0, 0, 3, S(3) | S(4));
	add6(ind, &nind, 0x4000, 1, 2, 0, 0, 48, S(6) | S(8));
	add6(ind, &nind, 0x4000, 1, 2, 3, 0, 64, S(9));
	add6(ind, &nind, 0x4000, 1, 2, 3, 5, 128, S(10));
	add6(ind, &nind, 0x8000, 0, 0, 0, 0, 3, S(5));
	add6(ind, &nind, 0x8000, 1, 0, 0, 0, 32, S(10));
	add6(ind, &nind, 0x1000, 0, 0, 0, 0, 4, S(63));
	add6(ind, &nind, 0x2001, 0xdb8, 0xbeef, 3, 0, 64, S(1));
}

static int covers(const struct fz_pfx *p, int fam, const uint8_t *a)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (p->fam != fam)
		return 0;
	if (memcmp(p->a, a, full))
		return 0;
	return !rest || !((p->a[full] ^ a[full]) & (0xff00 >> rest));
}

static int is_domestic(int fam, const uint8_t *a)
{
	for (int i = 0; i < ndom; i++)
		if (covers(&dom[i], fam, a))
			return 1;
	return 0;
}

/* The slots of every indicator covering a: the longest match's value. */
static uint64_t ind_mask(int fam, const uint8_t *a, int skip)
{
	uint64_t m = 0;

	for (int i = 0; i < nind; i++)
		if (i != skip && covers(&ind[i], fam, a))
			m |= ind[i].own;
	return m;
}

/* ------------------------------------------------------------------ */
/* Seed frames */

struct fz_seed {
	uint32_t off, len;
};

static uint8_t *arena;
static size_t arena_len, arena_cap;
static struct fz_seed seeds[FZ_SEEDS_MAX];
static int nseeds, ncorpus, nshape;
static const char *corpus;

static void seed_add(const uint8_t *f, size_t len)
{
	if (nseeds >= FZ_SEEDS_MAX || !len)
		return;
	if (len > FZ_MAX)
		len = FZ_MAX;	/* a snap length */
	if (arena_len + len > arena_cap) {
		arena_cap = (arena_cap + len) * 2;
		arena = realloc(arena, arena_cap);
		if (!arena)
			abort();
	}
	memcpy(arena + arena_len, f, len);
	seeds[nseeds].off = (uint32_t)arena_len;
	seeds[nseeds].len = (uint32_t)len;
	arena_len += len;
	nseeds++;
}

static int is_pcap(const struct dirent *d)
{
	size_t l = strlen(d->d_name);

	return l > 5 && !strcmp(d->d_name + l - 5, ".pcap");
}

static void seeds_corpus(void)
{
	struct dirent **list = NULL;
	int n, i;

	n = scandir(corpus, &list, is_pcap, alphasort);
	for (i = 0; i < n; i++) {
		char path[4096], err[PCAP_ERRBUF_SIZE];
		const unsigned char *data;
		struct pcap_pkthdr *h;
		int k = 0;
		pcap_t *p;

		snprintf(path, sizeof(path), "%s/%s", corpus, list[i]->d_name);
		free(list[i]);
		p = pcap_open_offline(path, err);
		if (!p)
			continue;
		if (pcap_datalink(p) == DLT_EN10MB)
			while (k++ < FZ_PER_CAPTURE && pcap_next_ex(p, &h, &data) == 1) {
				seed_add(data, h->caplen);
				ncorpus++;
			}
		pcap_close(p);
	}
	free(list);
}

/* Addresses for built shapes and for rewrites: inside a prefix, or not. */
static void addr_in(uint64_t *r, const struct fz_pfx *p, uint8_t *a)
{
	unsigned int i;

	memset(a, 0, 16);
	for (i = 0; i < (p->fam == 4 ? 4u : 16u); i++)
		a[i] = (uint8_t)rng_next(r);
	for (i = 0; i < p->len; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		a[i / 8] = (uint8_t)((a[i / 8] & ~bit) | (p->a[i / 8] & bit));
	}
}

static void addr_pick(uint64_t *r, int fam, uint8_t *a)
{
	const struct fz_pfx *t;
	struct fz_pfx any = { .fam = fam };
	int i, tries;

	switch (rnd(r, 3)) {
	case 0:		/* an indicator of this family */
		for (tries = 0; tries < 64; tries++) {
			i = (int)rnd(r, (uint32_t)nind);
			if (ind[i].fam == fam) {
				addr_in(r, &ind[i], a);
				return;
			}
		}
		break;
	case 1:		/* a domestic prefix */
		for (tries = 0; tries < 64; tries++) {
			t = &dom[rnd(r, (uint32_t)ndom)];
			if (t->fam == fam) {
				addr_in(r, t, a);
				return;
			}
		}
		break;
	}
	addr_in(r, &any, a);	/* anywhere */
}

static void seeds_shapes(uint64_t *r)
{
	uint8_t frame[PKT_MAX];
	struct pkt_info info;
	struct pkt_addr a;
	size_t i, len;
	int k;

	for (k = 0; k < 4; k++) {
		for (i = 0; i < NCASES; i++) {
			int fam = cases[i].s.ipver ? cases[i].s.ipver : 4;

			memset(&a, 0, sizeof(a));
			addr_pick(r, fam, a.src);
			addr_pick(r, fam, a.dst);
			a.sport = (uint16_t)rng_next(r);
			a.dport = (uint16_t)rng_next(r);
			a.tcp_flags = (uint8_t)(k == 3 ? PKT_TCP_FIN : 0);
			a.icmp_reply = (uint8_t)(k & 1);
			a.frag_id = (uint16_t)rnd(r, 4);	/* datagrams meet */
			len = pkt_build(&cases[i].s, &a, frame, &info);
			if (len) {
				seed_add(frame, len);
				nshape++;
			}
		}
		for (i = 0; i < NTCASES; i++) {
			int fam = tcases[i].s.ipver ? tcases[i].s.ipver : 4;

			memset(&a, 0, sizeof(a));
			addr_pick(r, fam, a.src);
			addr_pick(r, fam, a.dst);
			if (k >= 2) {	/* foreign outer addresses too */
				uint8_t o[16];

				addr_pick(r, 4, o);
				memcpy(a.outer_src4, o, 4);
				addr_pick(r, 4, o);
				memcpy(a.outer_dst4, o, 4);
				addr_pick(r, 6, a.outer_src6);
				addr_pick(r, 6, a.outer_dst6);
			}
			a.sport = (uint16_t)rng_next(r);
			a.dport = (uint16_t)rng_next(r);
			a.frag_id = (uint16_t)rnd(r, 4);
			len = pkt_build(&tcases[i].s, &a, frame, &info);
			if (len) {
				seed_add(frame, len);
				nshape++;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Mutations */

static void put_be16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Insert n bytes at off (n <= 64), or fail when the frame would grow too long. */
static int insert(uint8_t *f, size_t *len, size_t off, const uint8_t *b, size_t n)
{
	if (off > *len || *len + n > FZ_MAX)
		return -1;
	memmove(f + off + n, f + off, *len - off);
	memcpy(f + off, b, n);
	*len += n;
	return 0;
}

static const uint16_t etypes[] = {
	0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x8847, 0x8848, 0x0806,
	0x6558, 0x88be, 0x22eb, 0x88cc, 0x0000, 0xffff,
};

static const uint8_t protos[] = {
	0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 132, 253, 255,
};

static const uint16_t ports[] = {
	4789, 8472, 6081, 2152, 6635, 53, 443, 80, 0, 65535,
};

static const uint8_t magic[] = {
	0x00, 0xff, 0x7f, 0x80, 0x01, 0x40, 0x45, 0x4f, 0x46, 0x60, 0x08,
	0x10, 0x20, 0x30, 0x50, 0xf0, 0x88, 0x81, 0x86, 0xdd, 0x06, 0x11,
	0x2f, 0x3a, 0x2c, 0x3c,
};

/*
 * Wrap the frame in a tunnel: a new outer Ethernet and IP header (foreign
 * or domestic addresses), then GRE (Ethernet, ERSPAN I/II/III, or the
 * frame's IP packet), UDP to VXLAN/Geneve/GTP-U/MPLS, or IP in IP.  The
 * outer length fields are right; the inner frame is as it was.
 */
static int wrap(uint64_t *r, uint8_t *f, size_t *len)
{
	uint8_t h[128], *ip;
	size_t hl, ipoff = 14, l4, inner_off = 0;
	int v6 = (int)rnd(r, 2), kind = (int)rnd(r, 12), l3inner;
	uint8_t src[16], dst[16], proto;

	if (*len < 14)
		return -1;
	/* the frame's own IP packet, for the IP-carrying kinds */
	l3inner = (f[12] == 0x08 && f[13] == 0x00) || (f[12] == 0x86 && f[13] == 0xdd);
	if (kind >= 7 && !l3inner)
		kind = (int)rnd(r, 7);
	if (kind >= 7)
		inner_off = 14;
	memset(h, 0, sizeof(h));
	h[0] = 0x02;
	h[5] = 0x0f;
	h[6] = 0x02;
	h[11] = 0x0e;
	put_be16(h + 12, v6 ? 0x86dd : 0x0800);
	addr_pick(r, v6 ? 6 : 4, src);
	addr_pick(r, v6 ? 6 : 4, dst);
	ip = h + ipoff;
	if (v6) {
		ip[0] = 0x60;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		l4 = ipoff + 40;
	} else {
		ip[0] = 0x45;
		ip[8] = 64;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		l4 = ipoff + 20;
	}
	hl = l4;
	switch (kind) {
	case 0: case 1: case 2: case 3:	/* GRE: TEB, ERSPAN I, II, III */
		proto = 47;
		put_be16(h + hl + 2, kind == 0 ? 0x6558 : kind == 3 ? 0x22eb : 0x88be);
		if (kind == 2 || (kind == 3 && rnd(r, 2)))
			put_be16(h + hl, 0x1000);	/* S */
		hl += (kind == 2 || (h[hl] & 0x10)) ? 8 : 4;
		if (kind == 2) {
			put_be16(h + hl, 0x1000);
			hl += 8;
		} else if (kind == 3) {
			put_be16(h + hl, 0x2000);
			h[hl + 11] = (uint8_t)rnd(r, 2);	/* O */
			hl += h[hl + 11] ? 20 : 12;
		}
		break;
	case 4: case 5:			/* VXLAN, Geneve (Ethernet) */
		proto = 17;
		put_be16(h + hl + 2, kind == 4 ? (rnd(r, 2) ? 4789 : 8472) : 6081);
		hl += 8;
		if (kind == 4) {
			h[hl] = 0x08;
		} else {
			h[hl] = (uint8_t)rnd(r, 3);	/* options, 4-byte units */
			put_be16(h + hl + 2, 0x6558);
		}
		hl += 8 + (kind == 5 ? h[hl] * 4u : 0);
		break;
	case 6:				/* GRE carrying MPLS -> Ethernet? no: IP */
	case 7:				/* GRE: the IP packet */
		proto = 47;
		put_be16(h + hl + 2, f[12] == 0x86 ? 0x86dd : 0x0800);
		hl += 4;
		if (kind == 6 && l3inner) {
			put_be16(h + hl - 2, 0x8847);
			pkt_put32(h + hl, (16u << 12) | 0x100 | 64);	/* BOS */
			hl += 4;
			inner_off = 14;
		} else if (!l3inner) {
			put_be16(h + hl - 2, 0x6558);
		} else {
			inner_off = 14;
		}
		break;
	case 8:				/* IP in IP */
		proto = f[12] == 0x86 ? 41 : 4;
		break;
	case 9:				/* GTP-U G-PDU */
		proto = 17;
		put_be16(h + hl + 2, 2152);
		hl += 8;
		h[hl] = 0x30;
		h[hl + 1] = 0xff;
		hl += 8;
		break;
	case 10:			/* MPLS over UDP */
		proto = 17;
		put_be16(h + hl + 2, 6635);
		hl += 8;
		pkt_put32(h + hl, (17u << 12) | 0x100 | 64);
		hl += 4;
		break;
	default:			/* Geneve carrying IP */
		proto = 17;
		put_be16(h + hl + 2, 6081);
		hl += 8;
		put_be16(h + hl + 2, f[12] == 0x86 ? 0x86dd : 0x0800);
		hl += 8;
		break;
	}
	if (*len - inner_off + hl > FZ_MAX)
		return -1;
	/* replace the inner frame's Ethernet header when IP is carried */
	memmove(f + hl, f + inner_off, *len - inner_off);
	memcpy(f, h, hl);
	*len = *len - inner_off + hl;
	ip = f + ipoff;
	if (v6) {
		ip[6] = proto;
		put_be16(ip + 4, (unsigned int)(*len - ipoff - 40));
	} else {
		ip[9] = proto;
		put_be16(ip + 2, (unsigned int)(*len - ipoff));
	}
	if (proto == 17) {
		put_be16(f + l4, 49152 + rnd(r, 1000));
		put_be16(f + l4 + 4, (unsigned int)(*len - l4));
		if (f[l4 + 2] == 0x08 && f[l4 + 3] == 0x68)	/* GTP-U length */
			put_be16(f + l4 + 8 + 2, (unsigned int)(*len - l4 - 16));
	}
	return 0;
}

/* One mutation of the frame in place.  hint: where its headers end. */
static void mutate(uint64_t *r, uint8_t *f, size_t *len)
{
	struct ref_result ref = ref_parse(f, *len);
	size_t hint = ref.verdict == REF_OK ? ref.keep : *len, area, at, n, i;
	uint8_t b[64];

	area = hint + 16 < *len ? hint + 16 : *len;
	if (!area)
		area = *len;
	switch (rnd(r, 16)) {
	case 0: case 1:			/* bit flips in the header area */
		for (n = 1 + rnd(r, 4); area && n; n--) {
			at = rnd(r, (uint32_t)area);
			f[at] ^= (uint8_t)(1u << rnd(r, 8));
		}
		break;
	case 2:				/* byte sets there */
		for (n = 1 + rnd(r, 3); area && n; n--) {
			at = rnd(r, (uint32_t)area);
			f[at] = rnd(r, 2) ? magic[rnd(r, sizeof(magic))] :
					    (uint8_t)rng_next(r);
		}
		break;
	case 3:				/* truncation, mostly near the headers */
		if (rnd(r, 2) && hint)
			n = hint - 1 - rnd(r, hint < 24 ? (uint32_t)hint : 24);
		else
			n = rnd(r, (uint32_t)*len + 1);
		if (n < *len)
			*len = n;
		break;
	case 4:				/* extension: payload, canary or noise */
		n = 1 + rnd(r, 300);
		if (*len + n > FZ_MAX)
			n = FZ_MAX - *len;
		if (rnd(r, 2))
			pkt_fill_canary(f + *len, n);
		else
			for (i = 0; i < n; i++)
				f[*len + i] = (uint8_t)rng_next(r);
		*len += n;
		break;
	case 5:				/* a VLAN tag after the MACs */
		put_be16(b, etypes[2 + rnd(r, 3)]);
		put_be16(b + 2, rnd(r, 4096));
		insert(f, len, 12, b, 4);
		break;
	case 6:				/* MPLS labels after the MACs */
		if (*len < 14)
			break;
		n = 1 + rnd(r, 6);
		for (i = 0; i < n; i++)
			pkt_put32(b + 4 * i, ((uint32_t)(16 + i) << 12) | 64 |
				  (i + 1 == n && rnd(r, 8) ? 0x100 : 0));
		if (!insert(f, len, 14, b, 4 * n))
			put_be16(f + 12, rnd(r, 4) ? 0x8847 : 0x8848);
		break;
	case 7: case 8:			/* a tunnel around it */
		wrap(r, f, len);
		break;
	case 9: case 10:		/* the IP length fields */
		if (ref.verdict != REF_OK && !ref.ipver)
			break;
		at = ref.l3 + (ref.ipver == 6 ? 4 : 2);
		if (at + 2 > *len)
			break;
		switch (rnd(r, 6)) {
		case 0: n = 0; break;
		case 1: n = hint - ref.l3 - rnd(r, 8); break;
		case 2: n = *len - ref.l3 + rnd(r, 3) - 1; break;
		case 3: n = (size_t)(f[at] << 8 | f[at + 1]) + rnd(r, 3) - 1; break;
		default: n = rnd(r, 65536); break;
		}
		put_be16(f + at, (unsigned int)n);
		if (ref.ipver == 4 && rnd(r, 4) == 0)	/* and the IHL */
			f[ref.l3] = (uint8_t)(0x40 | rnd(r, 16));
		break;
	case 11:			/* the innermost addresses */
		if (!ref.ipver)
			break;
		at = ref.l3 + (ref.ipver == 6 ? 8 : 12) +
		     (rnd(r, 2) ? (ref.ipver == 6 ? 16 : 4) : 0);
		addr_pick(r, ref.ipver, b);
		if (at + (ref.ipver == 6 ? 16 : 4) <= *len)
			memcpy(f + at, b, ref.ipver == 6 ? 16 : 4);
		break;
	case 12:			/* the ethertype */
		if (*len >= 14)
			put_be16(f + 12, etypes[rnd(r, sizeof(etypes) / 2)]);
		break;
	case 13:			/* the protocol / next header */
		if (!ref.ipver)
			break;
		at = ref.l3 + (ref.ipver == 6 ? 6 : 9);
		if (at < *len)
			f[at] = protos[rnd(r, sizeof(protos))];
		break;
	case 14:			/* a port: a tunnel's, or other */
		if (!ref.ipver || ref.ipver != 4 || ref.l3 >= *len)
			break;
		at = ref.l3 + (f[ref.l3] & 15) * 4u + 2 * rnd(r, 2);
		if (at + 2 <= *len)
			put_be16(f + at, ports[rnd(r, sizeof(ports) / 2)]);
		break;
	default:			/* fragment fields */
		if (ref.ipver == 4 && ref.l3 + 8 <= *len) {
			static const uint16_t fo[] = { 0x2000, 0x0001, 0x2001, 0x4000, 0 };

			put_be16(f + ref.l3 + 6, fo[rnd(r, 5)]);
			put_be16(f + ref.l3 + 4, rnd(r, 4));
		} else if (ref.ipver == 6 && ref.l3 + 48 <= *len) {
			/* a fragment header in front of what follows */
			b[0] = f[ref.l3 + 6];
			b[1] = 0;
			put_be16(b + 2, rnd(r, 2) ? 1 : 8 * (1 + rnd(r, 4)));
			pkt_put32(b + 4, rnd(r, 4));
			if (!insert(f, len, ref.l3 + 40, b, 8)) {
				f[ref.l3 + 6] = 44;
				put_be16(f + ref.l3 + 4,
					 (unsigned int)(f[ref.l3 + 4] << 8 | f[ref.l3 + 5]) + 8);
			}
		}
		break;
	}
}

/*
 * Frame number i of the stream: first every seed as it is, then seeds
 * with 1-4 mutations, and now and then noise.
 */
static size_t gen(uint64_t *r, uint64_t i, uint8_t *f)
{
	const struct fz_seed *s;
	size_t len, k, n;

	if (i < (uint64_t)nseeds) {
		s = &seeds[i];
		memcpy(f, arena + s->off, s->len);
		return s->len;
	}
	if (rnd(r, 50) == 0) {
		len = rnd(r, 160);
		for (k = 0; k < len; k++)
			f[k] = (uint8_t)rng_next(r);
		if (len >= 14 && rnd(r, 2))
			put_be16(f + 12, etypes[rnd(r, 2)]);
		return len;
	}
	s = &seeds[rnd(r, (uint32_t)nseeds)];
	memcpy(f, arena + s->off, s->len);
	len = s->len;
	for (n = 1 + rnd(r, 4); n; n--)
		mutate(r, f, &len);
	return len;
}

/* ------------------------------------------------------------------ */
/* The model */

struct fz_key {			/* a flow or a fragment's datagram */
	uint8_t b[40];
};

struct fz_tab {
	struct fz_key *k;
	uint8_t *slot;		/* 0: empty; else slot + 1 */
	size_t cap, n;
};

static uint64_t key_hash(const struct fz_key *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(k->b); i++)
		h = (h ^ k->b[i]) * 1099511628211ULL;
	return h;
}

static void tab_init(struct fz_tab *t, size_t cap)
{
	t->cap = cap;
	t->n = 0;
	t->k = calloc(cap, sizeof(*t->k));
	t->slot = calloc(cap, 1);
	if (!t->k || !t->slot)
		abort();
}

static void tab_clear(struct fz_tab *t)
{
	memset(t->slot, 0, t->cap);
	t->n = 0;
}

/* Open addressing, no deletion in place: a tombstone is slot 0xff. */
static uint8_t *tab_find(struct fz_tab *t, const struct fz_key *k, int add)
{
	size_t i = key_hash(k) & (t->cap - 1), tomb = SIZE_MAX;

	for (;;) {
		if (!t->slot[i]) {
			if (!add)
				return NULL;
			if (tomb != SIZE_MAX)
				i = tomb;
			t->k[i] = *k;
			t->n++;
			return &t->slot[i];
		}
		if (t->slot[i] == 0xff) {
			if (tomb == SIZE_MAX)
				tomb = i;
		} else if (!memcmp(&t->k[i], k, sizeof(*k))) {
			return &t->slot[i];
		}
		i = (i + 1) & (t->cap - 1);
	}
}

static void flow_key(const struct ref_result *r, struct fz_key *k)
{
	uint8_t e1[18], e2[18];

	memcpy(e1, r->src, 16);
	put_be16(e1 + 16, r->sport);
	memcpy(e2, r->dst, 16);
	put_be16(e2 + 16, r->dport);
	memset(k, 0, sizeof(*k));
	/* bidirectional: the two endpoints in a fixed order */
	if (memcmp(e1, e2, 18) <= 0) {
		memcpy(k->b, e1, 18);
		memcpy(k->b + 18, e2, 18);
	} else {
		memcpy(k->b, e2, 18);
		memcpy(k->b + 18, e1, 18);
	}
	k->b[36] = r->proto;
	k->b[37] = (uint8_t)r->ipver;
}

static void frag_key(const struct ref_result *r, struct fz_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->b, r->src, 16);
	memcpy(k->b + 16, r->dst, 16);
	pkt_put32(k->b + 32, r->frag_id);
	/* RFC 791: (src, dst, protocol, id); RFC 8200: (src, dst, id) */
	k->b[36] = r->ipver == 4 ? r->proto : 0;
	k->b[37] = (uint8_t)r->ipver;
}

enum { V_SELECTED = AS_DEL_MAX };

struct fz_verdict {
	int v;			/* enum as_reason, or V_SELECTED */
	uint32_t slot;
	size_t keep;
	int new_flow;
};

struct fz_model {
	struct fz_tab flows, frags;
	int skip_ind;		/* test 3: the indicator the program lacks */
	int no_decap;
	uint64_t flow_hits, frag_hits;	/* selections by state, for the log */
};

static const char *const reason_names[] = AS_REASON_NAMES;

static const char *vname(int v)
{
	return v == V_SELECTED ? "selected" : reason_names[v];
}

static int in_window(const struct fz_appr *a, uint64_t now)
{
	return now >= a->from && now < a->until;
}

static struct fz_verdict judge(struct fz_model *m, const struct ref_result *r)
{
	struct fz_verdict w = { .v = AS_DEL_NO_MATCH };
	int dom_s, dom_d, expired = 0, other = 0, closes;
	struct fz_key k;
	uint64_t mask = 0;
	uint8_t dir, *e;

	if (r->verdict == REF_NON_IP) {
		w.v = AS_DEL_NON_IP;
		return w;
	}
	if (r->verdict != REF_OK) {
		w.v = AS_DEL_MALFORMED;
		return w;
	}
	dom_s = is_domestic(r->ipver, r->src);
	dom_d = is_domestic(r->ipver, r->dst);
	if (dom_s && dom_d) {
		w.v = AS_DEL_DOMESTIC;
		return w;
	}
	dir = dom_s ? AS_DIR_DF : dom_d ? AS_DIR_FD : AS_DIR_FF;
	w.keep = r->keep;
	if (r->later_frag) {
		frag_key(r, &k);
		e = tab_find(&m->frags, &k, 0);
		if (!e || *e == 0xff) {
			w.v = AS_DEL_FRAGMENT;
			return w;
		}
		w.v = V_SELECTED;
		w.slot = *e - 1u;
		m->frag_hits++;
		return w;
	}
	closes = r->proto == 6 && (r->tcp_flags & (PKT_TCP_FIN | PKT_TCP_RST));
	flow_key(r, &k);
	e = tab_find(&m->flows, &k, 0);
	if (e && *e != 0xff) {
		w.v = V_SELECTED;
		w.slot = *e - 1u;
		m->flow_hits++;
		if (closes)
			*e = 0xff;
	} else {
		if (!dom_s)
			mask |= ind_mask(r->ipver, r->src, m->skip_ind);
		if (!dom_d)
			mask |= ind_mask(r->ipver, r->dst, m->skip_ind);
		for (uint32_t i = 0; i < AS_MAX_SLOTS; i++) {
			const struct fz_appr *a = &appr[i];

			if (!(mask & S(i)) || !a->active)
				continue;
			/* datapath.rst: the window first, then the type */
			if (!in_window(a, T0)) {
				expired = 1;
			} else if (a->type != dir) {
				other = 1;
			} else {
				w.v = V_SELECTED;
				w.slot = i;
				break;
			}
		}
		if (w.v != V_SELECTED) {
			w.v = expired ? AS_DEL_EXPIRED : other ? AS_DEL_DIRECTION :
			      AS_DEL_NO_MATCH;
			return w;
		}
		w.new_flow = 1;
		if (!closes)
			*tab_find(&m->flows, &k, 1) = (uint8_t)(w.slot + 1);
	}
	if (r->first_frag) {
		frag_key(r, &k);
		*tab_find(&m->frags, &k, 1) = (uint8_t)(w.slot + 1);
	}
	return w;
}

/* ------------------------------------------------------------------ */
/* Reporting */

static const char *out_dir;
static uint64_t seed;

static void hex(const uint8_t *f, size_t len)
{
	printf("# frame (%zu bytes):", len);
	for (size_t i = 0; i < len && i < 256; i++)
		printf("%s%02x", i % 32 ? " " : "\n#   ", f[i]);
	printf("%s\n", len > 256 ? " ..." : "");
}

/* The frame as a one-packet pcap for reproduction (tcpdump -r, --replay). */
static void save(const char *what, uint64_t i, const uint8_t *f, size_t len)
{
	char path[4096];
	struct pcap_pkthdr h;
	pcap_dumper_t *d;
	pcap_t *p;

	snprintf(path, sizeof(path), "mkdir -p '%s'", out_dir);
	if (system(path) != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s-seed%" PRIu64 "-frame%" PRIu64 ".pcap",
		 out_dir, what, seed, i);
	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!p)
		return;
	d = pcap_dump_open(p, path);
	if (d) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(T0 / NSEC);
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, f);
		pcap_dump_close(d);
		printf("# written to %s\n", path);
	}
	pcap_close(p);
}

/* ------------------------------------------------------------------ */
/* parse.h against the reference */

/* A frame copied to end at a guard page: a read past it faults. */
static uint8_t *guard;

static int guard_init(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	guard = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED)
		return -1;
	if (mprotect(guard + pg, (size_t)pg, PROT_NONE))
		return -1;
	guard += pg;	/* the end: frames lie just below it */
	return 0;
}

static int frag_of(const struct ref_result *r)
{
	return r->later_frag ? AS_FRAG_LATER : r->first_frag ? AS_FRAG_FIRST :
	       AS_FRAG_NONE;
}

/* Where parse.h and the reference differ, or NULL. */
static const char *parse_differs(const uint8_t *f, size_t len, int nd,
				 const struct ref_result *r, struct as_pkt *p)
{
	uint8_t *copy = guard - len;
	int ret, want;

	memcpy(copy, f, len);
	memset(p, 0, sizeof(*p));
	p->no_decap = (__u8)nd;
	ret = as_parse(copy, copy + len, p);
	want = r->verdict == REF_OK ? AS_PARSE_OK :
	       r->verdict == REF_NON_IP ? AS_PARSE_NON_IP : AS_PARSE_MALFORMED;
	if (ret != want)
		return "verdict";
	if (ret != AS_PARSE_OK)
		return NULL;
	if (p->hdr_len != r->keep || p->hdr_len > len)
		return "hdr_len";
	if (p->encap != r->levels)
		return "tunnel levels";
	if (p->family != r->ipver || p->proto != r->proto)
		return "family/proto";
	if (p->frag != frag_of(r))
		return "fragment state";
	if (memcmp(p->saddr, r->src, 16) || memcmp(p->daddr, r->dst, 16))
		return "addresses";
	if (p->sport != r->sport || p->dport != r->dport)
		return "ports";
	if (p->frag != AS_FRAG_NONE && p->frag_id != r->frag_id)
		return "fragment id";
	if (p->proto == AS_IPPROTO_TCP && p->frag != AS_FRAG_LATER &&
	    p->tcp_flags != r->tcp_flags)
		return "tcp flags";
	return NULL;
}

static uint64_t nframes = FUZZ_FRAMES;
static const char *replay;

/* The frames of the run: the stream from the seed, or a capture's. */
struct fz_src {
	uint64_t rng, i;
	pcap_t *p;
};

static void src_open(struct fz_src *s)
{
	char err[PCAP_ERRBUF_SIZE];

	s->rng = seed;
	s->i = 0;
	s->p = replay ? pcap_open_offline(replay, err) : NULL;
	if (replay && !s->p) {
		printf("# %s: %s\n", replay, err);
		exit(KSFT_FAIL);
	}
}

/* Returns 0 at the end; the frame in f, its length in *len. */
static int src_next(struct fz_src *s, uint8_t *f, size_t *len)
{
	const unsigned char *d;
	struct pcap_pkthdr *h;

	if (s->p) {
		if (pcap_next_ex(s->p, &h, &d) != 1)
			return 0;
		*len = h->caplen > FZ_MAX ? FZ_MAX : h->caplen;
		memcpy(f, d, *len);
		s->i++;
		return 1;
	}
	if (s->i >= nframes)
		return 0;
	*len = gen(&s->rng, s->i++, f);
	return 1;
}

static void src_close(struct fz_src *s)
{
	if (s->p)
		pcap_close(s->p);
}

/* Batch b's no-decap setting: every fourth batch judges by the outer headers. */
static int batch_no_decap(uint64_t i)
{
	return (i / FZ_BATCH) % 4 == 3;
}

TEST(parse_h_agrees_with_reference)
{
	static uint8_t f[FZ_MAX];
	struct fz_src src;
	struct as_pkt p;
	uint64_t bad = 0, ok_n = 0, levels[REF_MAX_ENCAP + 1] = { 0 };
	struct timespec t0, t1;
	double secs;
	size_t len;

	ASSERT_EQ(0, guard_init());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	src_open(&src);
	while (src_next(&src, f, &len)) {
		int nd = !replay && batch_no_decap(src.i - 1);
		struct ref_result r = ref_parse2(f, len, nd);
		const char *what = parse_differs(f, len, nd, &r, &p);

		if (r.verdict == REF_OK) {
			ok_n++;
			levels[r.levels]++;
		}
		if (!what)
			continue;
		if (bad++ < FZ_REPORTS) {
			FAIL_SOFT("frame %" PRIu64 "%s: %s: parse.h hdr_len %u encap %u ip%u/%u ports %u/%u, reference %d keep %zu levels %d ip%d/%u ports %u/%u",
				  src.i - 1, nd ? " (no_decap)" : "", what,
				  p.hdr_len, p.encap, p.family, p.proto, p.sport,
				  p.dport, r.verdict, r.keep, r.levels, r.ipver,
				  r.proto, r.sport, r.dport);
			hex(f, len);
			save("parse", src.i - 1, f, len);
		} else {
			_ksft->failed = 1;
		}
	}
	src_close(&src);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_print("parse.h: %" PRIu64 " frames, %" PRIu64 " parsable (0/1/2/3 tunnel levels: %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "), %" PRIu64 " mismatches, %.1f s\n",
		   src.i, ok_n, levels[0], levels[1], levels[2], levels[3],
		   bad, secs);
	EXPECT_EQ(0, bad);
}

/* ------------------------------------------------------------------ */
/* The XDP program against the model */

struct fz_xdp {
	struct xenv x;
	struct fz_model m;
	uint32_t uid;
	uint8_t out[FZ_MAX + 256];
	/* what the batch must have moved */
	uint64_t want[AS_C_MAX];
	struct as_slot_counters want_slot[AS_MAX_SLOTS];
	uint64_t c0[AS_C_MAX];
	struct as_slot_counters s0[AS_MAX_SLOTS];
};

static const uint32_t used_slots[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 63 };
#define NUSED (sizeof(used_slots) / sizeof(used_slots[0]))

/* The program's maps: approvals (uid per batch), the prefixes. */
static int xdp_rules(struct fz_xdp *z, int withhold)
{
	int err = 0, i, j;

	for (i = 0; i < ndom; i++)
		err |= xenv_add_domestic(&z->x, dom[i].fam, dom[i].a, dom[i].len);
	for (i = 0; i < nind; i++) {
		uint64_t v = 0;

		if (i == withhold)
			continue;
		/* an entry holds every enclosing prefix's slots too */
		for (j = 0; j < nind; j++)
			if (j != withhold && ind[j].len <= ind[i].len &&
			    covers(&ind[j], ind[i].fam, ind[i].a))
				v |= ind[j].own;
		err |= xenv_add_indicator(&z->x, ind[i].fam, ind[i].a, ind[i].len, v);
	}
	return err;
}

/* Read the counters a check compares with; nothing owed yet. */
static int counters_mark(struct fz_xdp *z)
{
	size_t i;

	memset(z->want, 0, sizeof(z->want));
	memset(z->want_slot, 0, sizeof(z->want_slot));
	if (xenv_counters(&z->x, z->c0))
		return -1;
	for (i = 0; i < NUSED; i++)
		if (xenv_slot(&z->x, used_slots[i], &z->s0[used_slots[i]]))
			return -1;
	return 0;
}

/* A new batch: new uids end every flow and fragment entry; counters read. */
static int batch_start(struct fz_xdp *z, int nd)
{
	size_t i;

	z->uid++;
	for (i = 0; i < NUSED; i++) {
		const struct fz_appr *a = &appr[used_slots[i]];

		if (xenv_set_approval(&z->x, used_slots[i], a->type, a->from,
				      a->until, z->uid * 100 + (uint32_t)i,
				      a->active))
			return -1;
	}
	if (xenv_set_no_decap(&z->x, (uint32_t)nd))
		return -1;
	z->m.no_decap = nd;
	tab_clear(&z->m.flows);
	tab_clear(&z->m.frags);
	return counters_mark(z);
}

static int run_frame(struct fz_xdp *z, const uint8_t *f, size_t len,
		     uint32_t *retval, uint32_t *out_len)
{
	return xenv_run_into(&z->x, f, len, z->out, sizeof(z->out), retval,
			     out_len);
}

static void want_add(struct fz_xdp *z, const struct fz_verdict *w, size_t len)
{
	z->want[AS_C_SEEN]++;
	z->want[AS_C_SEEN_BYTES] += len;
	if (w->v == V_SELECTED) {
		struct as_slot_counters *sc = &z->want_slot[w->slot];

		z->want[AS_C_SELECTED]++;
		z->want[AS_C_SELECTED_BYTES] += len;
		z->want[AS_C_KEPT_BYTES] += w->keep;
		z->want[AS_C_DISCARDED_PAYLOAD] += len - w->keep;
		sc->packets++;
		sc->bytes += len;
		sc->kept_bytes += w->keep;
		sc->flows += (uint64_t)w->new_flow;
		sc->flows_kind[AS_KIND_IP] += (uint64_t)w->new_flow;
	} else {
		z->want[AS_C_DELETED]++;
		z->want[AS_C_DELETED_BYTES] += len;
		z->want[AS_C_DEL_REASON + w->v]++;
	}
}

static const char *const cnames[AS_C_MAX] = {
	"seen", "seen_bytes", "selected", "selected_bytes", "kept_bytes",
	"discarded_payload", "deleted", "deleted_bytes", "no_match",
	"domestic", "direction", "expired", "malformed", "non_ip", "fragment",
	"names_ech", "names_hello_split", "names_hello_incomplete",
};

/* Did the counters move by exactly the model's amounts?  Prints if not. */
static int batch_check(struct fz_xdp *z, int print)
{
	uint64_t c1[AS_C_MAX], del = 0;
	struct as_slot_counters s1;
	int bad = 0, i;
	size_t k;

	if (xenv_counters(&z->x, c1))
		return -1;
	/* the verdict counters; the names events are not modelled */
	for (i = 0; i < AS_C_NAMES; i++) {
		if (c1[i] - z->c0[i] != z->want[i]) {
			if (print)
				printf("#   %s moved by %" PRIu64 ", the model says %" PRIu64 "\n",
				       cnames[i], c1[i] - z->c0[i], z->want[i]);
			bad = 1;
		}
	}
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c1[AS_C_DEL_REASON + i] - z->c0[AS_C_DEL_REASON + i];
	/* the balance on its own, whatever the model says */
	if (c1[AS_C_SEEN] - z->c0[AS_C_SEEN] !=
	    c1[AS_C_SELECTED] - z->c0[AS_C_SELECTED] + del ||
	    c1[AS_C_SEEN_BYTES] - z->c0[AS_C_SEEN_BYTES] !=
	    c1[AS_C_SELECTED_BYTES] - z->c0[AS_C_SELECTED_BYTES] +
	    c1[AS_C_DELETED_BYTES] - z->c0[AS_C_DELETED_BYTES] ||
	    c1[AS_C_SELECTED_BYTES] - z->c0[AS_C_SELECTED_BYTES] !=
	    c1[AS_C_KEPT_BYTES] - z->c0[AS_C_KEPT_BYTES] +
	    c1[AS_C_DISCARDED_PAYLOAD] - z->c0[AS_C_DISCARDED_PAYLOAD]) {
		if (print)
			printf("#   counters do not balance: seen != selected + deleted by reason\n");
		bad = 1;
	}
	for (k = 0; k < NUSED; k++) {
		uint32_t sl = used_slots[k];
		const struct as_slot_counters *a = &z->s0[sl], *w = &z->want_slot[sl];

		if (xenv_slot(&z->x, sl, &s1))
			return -1;
		if (s1.packets - a->packets != w->packets ||
		    s1.bytes - a->bytes != w->bytes ||
		    s1.kept_bytes - a->kept_bytes != w->kept_bytes ||
		    s1.flows - a->flows != w->flows ||
		    s1.flows_kind[AS_KIND_IP] - a->flows_kind[AS_KIND_IP] !=
		    w->flows_kind[AS_KIND_IP]) {
			if (print)
				printf("#   slot %u: packets/bytes/kept/flows moved by %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 ", the model says %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
				       sl, (uint64_t)(s1.packets - a->packets),
				       (uint64_t)(s1.bytes - a->bytes),
				       (uint64_t)(s1.kept_bytes - a->kept_bytes),
				       (uint64_t)(s1.flows - a->flows),
				       (uint64_t)w->packets, (uint64_t)w->bytes,
				       (uint64_t)w->kept_bytes, (uint64_t)w->flows);
			bad = 1;
		}
	}
	return bad;
}

struct fz_stats {
	uint64_t fed, runts, mism, batch_bad, by[AS_DEL_MAX + 1];
	uint64_t flow_hits, frag_hits;
	uint64_t bytes;
	double secs;		/* the frames' time, not the object's load */
};

/*
 * One frame through the program and the model; the per-frame checks.
 * Returns a description of the first difference, or NULL.
 */
static const char *xdp_frame(struct fz_xdp *z, const uint8_t *f, size_t len,
			     struct fz_verdict *w, char *buf, size_t blen)
{
	struct ref_result r = ref_parse2(f, len, z->m.no_decap);
	uint32_t retval, out_len;
	struct as_meta meta;
	int err;

	*w = judge(&z->m, &r);
	err = run_frame(z, f, len, &retval, &out_len);
	if (err) {
		snprintf(buf, blen, "test_run: %s", strerror(-err));
		return buf;
	}
	want_add(z, w, len);
	if (w->v != V_SELECTED) {
		if (retval != XENV_XDP_DROP) {
			snprintf(buf, blen, "retval %u, the model says deleted (%s)",
				 retval, vname(w->v));
			return buf;
		}
		return NULL;
	}
	if (retval != XENV_XDP_REDIRECT) {
		snprintf(buf, blen, "retval %u, the model says selected under slot %u (keep %zu)",
			 retval, w->slot, w->keep);
		return buf;
	}
	if (out_len != sizeof(meta) + w->keep) {
		snprintf(buf, blen, "kept %u bytes, want %zu + the reference's header length %zu",
			 out_len, sizeof(meta), w->keep);
		return buf;
	}
	memcpy(&meta, z->out, sizeof(meta));
	if (meta.magic != AS_META_MAGIC || meta.slot != w->slot ||
	    meta.hdr_len != w->keep ||
	    meta.flags != (z->m.no_decap ? AS_META_F_NO_DECAP : 0)) {
		snprintf(buf, blen, "meta magic %#x slot %u hdr_len %u flags %u, want slot %u hdr_len %zu flags %d",
			 meta.magic, meta.slot, meta.hdr_len, meta.flags,
			 w->slot, w->keep, z->m.no_decap);
		return buf;
	}
	if (memcmp(z->out + sizeof(meta), f, w->keep)) {
		snprintf(buf, blen, "the kept bytes are not the frame's first %zu", w->keep);
		return buf;
	}
	return NULL;
}

/*
 * Run the batch again frame by frame, reading the counters around each,
 * to name the frame whose deletion reason (or flow count) the model does
 * not share.  The batch is self-contained: a new uid first.
 */
static void bisect_batch(struct ksft_ctx *_ksft, struct fz_xdp *z,
			 uint64_t rng, uint64_t first, uint64_t n, int nd)
{
	static uint8_t f[FZ_MAX];
	struct fz_src src = { .rng = rng, .i = first };
	struct fz_verdict w;
	char buf[256];
	size_t len;
	uint64_t k;

	if (batch_start(z, nd))
		return;
	for (k = 0; k < n && src_next(&src, f, &len); k++) {
		if (len < 14)
			continue;
		/* counters before this frame, model amounts for it alone */
		if (counters_mark(z))
			return;
		xdp_frame(z, f, len, &w, buf, sizeof(buf));
		if (batch_check(z, 0)) {
			FAIL_SOFT("frame %" PRIu64 ": the counters moved otherwise than for %s (slot %u, keep %zu):",
				  src.i - 1, vname(w.v), w.slot, w.keep);
			batch_check(z, 1);
			hex(f, len);
			save("xdp-counters", src.i - 1, f, len);
			return;
		}
	}
	ksft_print("the batch, run again frame by frame, agrees: the difference depends on frames together\n");
}

static int pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void xdp_run(struct ksft_ctx *_ksft, int withhold, uint64_t limit,
		    struct fz_stats *st)
{
	static struct fz_xdp z;
	static uint8_t f[FZ_MAX];
	struct fz_src src;
	struct fz_verdict w;
	char why[256], buf[256];
	struct timespec t0, t1;
	uint64_t batch_rng = seed, batch_first = 0, in_batch = 0;
	int skip, nd = 0, end = 0;
	size_t len;

	memset(st, 0, sizeof(*st));
	memset(&z, 0, sizeof(z));
	if (xenv_open(&z.x, &skip, why, sizeof(why))) {
		if (skip)
			SKIP(return, "%s", why);
		FAIL("%s", why);
	}
	/* one CPU: one per-CPU LRU list, one per-CPU counter slot in use */
	pin_cpu();
	tab_init(&z.m.flows, 1 << 14);
	tab_init(&z.m.frags, 1 << 14);
	z.m.skip_ind = -1;
	ASSERT_EQ(0, xenv_set_now(&z.x, T0));
	ASSERT_EQ(0, xdp_rules(&z, withhold));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	src_open(&src);
	ASSERT_EQ(0, batch_start(&z, nd));
	while (!end) {
		uint64_t i = src.i;

		if ((limit && i >= limit) || !src_next(&src, f, &len)) {
			end = 1;
		} else {
			in_batch++;
			if (len < 14) {
				/* test_run refuses runts (EINVAL) */
				st->runts++;
			} else {
				if (replay)	/* each frame of a capture alone */
					ASSERT_EQ(0, batch_start(&z, 0));
				st->fed++;
				st->bytes += len;
				if (xdp_frame(&z, f, len, &w, buf, sizeof(buf))) {
					st->mism++;
					if (st->mism <= FZ_REPORTS && withhold < 0) {
						FAIL_SOFT("frame %" PRIu64 "%s: %s", i,
							  nd ? " (no_decap)" : "", buf);
						hex(f, len);
						save("xdp", i, f, len);
					} else if (withhold < 0) {
						_ksft->failed = 1;
					}
				}
				st->by[w.v]++;
			}
		}
		if (in_batch == FZ_BATCH || (end && in_batch) ||
		    (replay && in_batch)) {
			int b = batch_check(&z, 0);

			ASSERT_LE(0, b);
			if (b) {
				st->batch_bad++;
				if (st->batch_bad <= 2 && withhold < 0) {
					FAIL_SOFT("batch of frames %" PRIu64 "..%" PRIu64 "%s: counters differ from the model:",
						  batch_first, src.i - 1,
						  nd ? " (no_decap)" : "");
					batch_check(&z, 1);
					if (!replay)
						bisect_batch(_ksft, &z, batch_rng,
							     batch_first, in_batch, nd);
				} else if (withhold < 0) {
					_ksft->failed = 1;
				}
			}
			in_batch = 0;
			if (!end) {
				nd = !replay && batch_no_decap(src.i);
				ASSERT_EQ(0, batch_start(&z, nd));
				batch_rng = src.rng;
				batch_first = src.i;
			}
		}
	}
	src_close(&src);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->flow_hits = z.m.flow_hits;
	st->frag_hits = z.m.frag_hits;
	st->secs = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	xenv_close(&z.x);
}

TEST(xdp_agrees_with_reference)
{
	struct fz_stats st;
	double secs;

	ksft_print("seed %" PRIu64 ", %" PRIu64 " frames%s%s (%d seeds: %d from the corpus, %d built shapes)\n",
		   seed, replay ? 0 : nframes, replay ? ", replaying " : "",
		   replay ? replay : "", nseeds, ncorpus, nshape);
	xdp_run(_ksft, -1, 0, &st);
	secs = st.secs;
	ksft_print("xdp: %" PRIu64 " frames run (%" PRIu64 " runts not run), %.0f frames/s, %.1f s; selected %" PRIu64 ", deleted: no_match %" PRIu64 " domestic %" PRIu64 " direction %" PRIu64 " expired %" PRIu64 " malformed %" PRIu64 " non_ip %" PRIu64 " fragment %" PRIu64 "\n",
		   st.fed, st.runts, secs > 0 ? (double)st.fed / secs : 0.0, secs,
		   st.by[V_SELECTED], st.by[AS_DEL_NO_MATCH], st.by[AS_DEL_DOMESTIC],
		   st.by[AS_DEL_DIRECTION], st.by[AS_DEL_EXPIRED],
		   st.by[AS_DEL_MALFORMED], st.by[AS_DEL_NON_IP],
		   st.by[AS_DEL_FRAGMENT]);
	ksft_print("xdp: of the selected, %" PRIu64 " by a flow selected before (the other direction, a FIN/RST), %" PRIu64 " non-first fragments by their first\n",
		   st.flow_hits, st.frag_hits);
	ksft_print("xdp: %" PRIu64 " frame mismatches, %" PRIu64 " batches with counters off the model\n",
		   st.mism, st.batch_bad);
	EXPECT_EQ(0, st.mism);
	EXPECT_EQ(0, st.batch_bad);
	/* a stream that selects or deletes one way only tests little */
	if (!replay) {
		EXPECT_LT(st.fed / 50, st.by[V_SELECTED]);
		for (int i = 0; i < AS_DEL_MAX; i++)
			if (!st.by[i])
				FAIL_SOFT("no frame deleted as %s", reason_names[i]);
	}
}

/*
 * The program without one indicator (48.1.2.0/24), the model with it:
 * the comparison must notice.
 */
TEST(oracle_catches_a_withheld_indicator)
{
	struct fz_stats st;
	int i;

	if (replay)
		SKIP(return, "not with --replay");
	for (i = 0; i < nind; i++)
		if (ind[i].fam == 4 && ind[i].len == 24 && ind[i].a[0] == 48)
			break;
	ASSERT_LT(i, nind);
	xdp_run(_ksft, i, 30000, &st);
	ksft_print("withheld 48.1.2.0/24: %" PRIu64 " of %" PRIu64 " frames differ, %" PRIu64 " batches\n",
		   st.mism, st.fed, st.batch_bad);
	EXPECT_LT(0, st.mism);
}

static int usage(void)
{
	fprintf(stderr, "usage: fuzz_xdp [--frames N] [--seed S] [--replay PCAP]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t r;
	int i;

	seed = 1;
	for (i = 1; i < argc; i++) {
		char *end;

		if (i + 1 < argc && !strcmp(argv[i], "--frames")) {
			nframes = strtoull(argv[++i], &end, 10);
			if (*end)
				return usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], &end, 10);
			if (*end)
				return usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--replay")) {
			replay = argv[++i];
		} else {
			return usage();
		}
	}
	corpus = getenv("AUTOSEL_CORPUS");
	if (!corpus || !*corpus)
		corpus = AUTOSEL_CORPUS;
	out_dir = getenv("FUZZ_OUT");
	if (!out_dir || !*out_dir)
		out_dir = FUZZ_OUT_DIR;
	rules_init();
	seeds_corpus();
	r = seed ^ 0x5eed5eed5eedULL;
	seeds_shapes(&r);
	if (!nseeds) {
		fprintf(stderr, "fuzz_xdp: no seed frames\n");
		return KSFT_FAIL;
	}
	return ksft_run();
}
