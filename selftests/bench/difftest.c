// SPDX-License-Identifier: GPL-2.0
/*
 * difftest: the flat prefix sets answer exactly what a longest-prefix
 * match does.  Random IPv4/IPv6 domestic and indicator prefixes of every
 * kind of length (/0, short, guarded, /48 and longer), slot masks merged
 * the way rules_lpm_entries() merges them, written into the production
 * object (build/autosel.bpf.o) through selftests/host/xdp_env.c; random
 * packets near and far from them; the verdict and the slot of each must
 * equal a brute-force LPM over the same prefixes.  A last test withholds
 * one indicator from the program and expects the comparison to catch it.
 *
 *   difftest [PACKETS [PREFIXES]]
 *
 * make check (selftests/Makefile, TEST_PROGS_HOST) runs it without
 * arguments: 20000 packets over ~300 prefixes per seed, a few seconds;
 * make bench runs it larger (Makefile).  TAP, exit status per kselftest;
 * it needs root and BPF (SKIP without).
 */
#include <arpa/inet.h>

#include "../ksft.h"
#include "xdp_env.h"
#include "autosel/range6.h"

struct lpm_pfx {
	int fam, len, dom;
	uint8_t a[16];
	uint64_t mask;		/* the indicator's own slot bit */
	uint64_t merged;	/* with the bits of enclosing indicators */
};

static long npackets = 20000;
static int nprefixes = 300;
static uint64_t rng;

static uint32_t r32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static int bit(const uint8_t *x, int b)
{
	return x[b / 8] & (0x80 >> (b % 8));
}

static int covers(const struct lpm_pfx *p, int fam, const uint8_t *x)
{
	if (p->fam != fam)
		return 0;
	for (int b = 0; b < p->len; b++)
		if (bit(p->a, b) != bit(x, b))
			return 0;
	return 1;
}

/* A random address; with near, mostly inside it or just outside. */
static void rnd_addr(int fam, uint8_t *x, const struct lpm_pfx *near)
{
	int keep;

	memset(x, 0, 16);
	for (int i = 0; i < (fam == 4 ? 4 : 16); i++)
		x[i] = (uint8_t)r32();
	if (!near || near->fam != fam)
		return;
	keep = near->len - (r32() % 3 == 0 ? (int)(r32() % 8) : 0);
	for (int b = 0; b < keep; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		x[b / 8] = (uint8_t)((x[b / 8] & ~m) | (near->a[b / 8] & m));
	}
}

/*
 * Up to nprefixes distinct prefixes, clustered (IPv4 in 10-12/8, IPv6 in
 * 2000::/16-2002::/16) so that they nest.  Returns how many.
 */
static int gen_prefixes(struct lpm_pfx *ps, int with_root)
{
	static const int l4[] = { 0, 8, 12, 16, 17, 20, 23, 24, 25, 28, 31, 32 };
	static const int l6[] = { 0, 8, 15, 16, 17, 20, 21, 29, 32, 40, 44, 47,
				  48, 56, 63, 64, 65, 100, 127, 128 };
	int np = 0;

	for (int i = 0; i < nprefixes; i++) {
		struct lpm_pfx *p = &ps[np];
		int dup = 0;

		memset(p, 0, sizeof(*p));
		p->fam = r32() % 2 ? 4 : 6;
		p->len = p->fam == 4 ? l4[r32() % 12] : l6[r32() % 20];
		if (p->len == 0 && (!with_root || r32() % 4))
			p->len = p->fam == 4 ? 24 : 48;
		p->dom = r32() % 6 == 0;
		for (int k = 0; k < 16; k++)
			p->a[k] = (uint8_t)r32();
		if (p->fam == 4) {
			p->a[0] = (uint8_t)(10 + r32() % 3);
		} else {
			p->a[0] = 0x20;
			p->a[1] = (uint8_t)(r32() % 3);
		}
		for (int b = p->len; b < 128; b++)
			p->a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		p->mask = 1ULL << (r32() % 64);
		if (p->dom && p->len == 0)
			p->dom = 0;
		for (int j = 0; j < np && !dup; j++)
			dup = ps[j].fam == p->fam && ps[j].len == p->len &&
			      !memcmp(ps[j].a, p->a, 16);
		if (!dup)
			np++;
	}
	/* An indicator carries the slots of every indicator enclosing it. */
	for (int i = 0; i < np; i++) {
		ps[i].merged = ps[i].mask;
		if (ps[i].dom)
			continue;
		for (int j = 0; j < np; j++)
			if (!ps[j].dom && ps[j].len < ps[i].len &&
			    covers(&ps[j], ps[i].fam, ps[i].a))
				ps[i].merged |= ps[j].mask;
	}
	return np;
}

/*
 * An indicator of family fam (withhold: 4 or 6) no other prefix covers, of
 * length > 0: -1 if none.
 */
static int pick_withheld(const struct lpm_pfx *ps, int np, int fam)
{
	for (int i = 0; i < np; i++) {
		int covered = 0;

		if (ps[i].dom || ps[i].len == 0 || ps[i].fam != fam)
			continue;
		for (int j = 0; j < np && !covered; j++)
			covered = j != i && ps[j].len <= ps[i].len &&
				  covers(&ps[j], ps[i].fam, ps[i].a);
		if (!covered)
			return i;
	}
	return -1;
}

/* What the brute-force LPM says: selected (slot in *slot) or not. */
static int expect(const struct lpm_pfx *ps, int np, int fam, const uint8_t *s,
		  const uint8_t *d, int *slot)
{
	int ds = 0, dd = 0, ls = -1, ld = -1;
	uint64_t ms = 0, md = 0, m;

	for (int i = 0; i < np; i++) {
		if (ps[i].dom) {
			ds |= covers(&ps[i], fam, s);
			dd |= covers(&ps[i], fam, d);
			continue;
		}
		if (covers(&ps[i], fam, s) && ps[i].len > ls) {
			ls = ps[i].len;
			ms = ps[i].merged;
		}
		if (covers(&ps[i], fam, d) && ps[i].len > ld) {
			ld = ps[i].len;
			md = ps[i].merged;
		}
	}
	m = (ds ? 0 : ms) | (dd ? 0 : md);
	if (ds || dd || !m)
		return 0;
	*slot = __builtin_ctzll(m);
	return 1;
}

/* Ethernet / IPv4 or IPv6 / UDP to port 53, 12 zero bytes of payload. */
static size_t make_frame(uint8_t *f, int fam, const uint8_t *s,
			 const uint8_t *d, long t)
{
	memset(f, 0, 128);
	f[12] = fam == 4 ? 0x08 : 0x86;
	f[13] = fam == 4 ? 0x00 : 0xdd;
	if (fam == 4) {
		f[14] = 0x45;
		f[17] = 40;
		f[22] = 64;
		f[23] = 17;
		memcpy(f + 26, s, 4);
		memcpy(f + 30, d, 4);
		f[34] = (uint8_t)(t >> 8);
		f[35] = (uint8_t)t;
		f[37] = 53;
		f[39] = 20;
		return 14 + 40;
	}
	f[14] = 0x60;
	f[19] = 20;
	f[20] = 17;
	f[21] = 64;
	memcpy(f + 22, s, 16);
	memcpy(f + 38, d, 16);
	f[54] = (uint8_t)(t >> 8);
	f[55] = (uint8_t)t;
	f[57] = 53;
	f[59] = 20;
	return 14 + 60;
}

/*
 * One seed: prefixes into the program (all, or all but one indicator of
 * family withhold, 4 or 6, when not 0), then
 * npackets packets compared with the brute force.  Returns the number of
 * mismatches; *nsel the packets the brute force selects.
 */
static long lpm_compare(struct ksft_ctx *_ksft, uint64_t seed, int with_root,
			int withhold, long *nsel)
{
	struct lpm_pfx *ps = calloc((size_t)nprefixes, sizeof(*ps));
	struct xrun *r = malloc(sizeof(*r));
	int np, skip = 0, wi = -1;
	long bad = 0;
	struct xenv e;
	char why[256];

	if (!ps || !r)
		FAIL("out of memory");
	if (xenv_open(&e, &skip, why, sizeof(why))) {
		if (skip)
			SKIP(return 0, "%s", why);
		FAIL("xenv_open: %s", why);
	}
	for (uint32_t s = 0; s < 64; s++)
		ASSERT_EQ(0, xenv_set_approval(&e, s, AS_DIR_FF, 0, ~0ULL,
					       s + 1, 1));
	rng = seed;
	np = gen_prefixes(ps, with_root);
	if (withhold) {
		wi = pick_withheld(ps, np, withhold);
		ASSERT_LE(0, wi);
	}
	for (int i = 0; i < np; i++) {
		if (i == wi)
			continue;
		if (ps[i].dom)
			ASSERT_EQ(0, xenv_add_domestic(&e, ps[i].fam, ps[i].a,
						       (uint32_t)ps[i].len));
		else
			ASSERT_EQ(0, xenv_add_indicator(&e, ps[i].fam, ps[i].a,
							(uint32_t)ps[i].len,
							ps[i].merged));
	}
	*nsel = 0;
	for (long t = 0; t < npackets; t++) {
		int fam = r32() % 2 ? 4 : 6, want, got, slot = -1, gslot = -1;
		uint8_t s[16], d[16], f[128];
		size_t len;

		rnd_addr(fam, s, &ps[r32() % (uint32_t)np]);
		rnd_addr(fam, d, &ps[r32() % (uint32_t)np]);
		want = expect(ps, np, fam, s, d, &slot);
		len = make_frame(f, fam, s, d, t);
		ASSERT_EQ(0, xenv_run(&e, f, len, r));
		got = r->retval == XENV_XDP_REDIRECT;
		if (got) {
			struct as_meta mm;

			memcpy(&mm, r->out, sizeof(mm));
			gslot = mm.magic == AS_META_MAGIC ? mm.slot : -2;
		}
		*nsel += want;
		if (got != want || (want && gslot != slot)) {
			if (bad < 5 && !withhold)
				ksft_print("mismatch, packet %ld, IPv%d: expected "
					   "%d/slot %d, got %d/slot %d\n", t, fam,
					   want, slot, got, gslot);
			bad++;
		}
	}
	ksft_print("seed %llx%s: %d prefixes%s, %ld packets, %ld selected, "
		   "%ld mismatches\n", (unsigned long long)seed,
		   with_root ? " (with /0)" : "", np,
		   withhold == 4 ? " (one IPv4 indicator withheld from the program)" :
		   withhold ? " (one IPv6 indicator withheld from the program)" : "",
		   npackets, *nsel, bad);
	xenv_close(&e);
	free(r);
	free(ps);
	return bad;
}

/* A run that selects almost nothing would prove nothing. */
#define LPM_SAME(tname, seed, with_root)				\
	TEST(tname)							\
	{								\
		long nsel, bad = lpm_compare(_ksft, seed, with_root, 0, &nsel); \
									\
		ASSERT_EQ(0, bad);					\
		ASSERT_LT(npackets / 20, nsel);				\
	}

LPM_SAME(flat_sets_eq_lpm_with_root, 88172645463325252ULL, 1)
LPM_SAME(flat_sets_eq_lpm_seed_1234567, 0x1234567ULL, 0)
LPM_SAME(flat_sets_eq_lpm_seed_feed, 0xfeedULL, 0)

/* The comparison itself: one indicator missing must show, either family. */
TEST(withheld_indicator_is_caught)
{
	long nsel, bad = lpm_compare(_ksft, 0x1234567ULL, 0, 4, &nsel);

	ASSERT_LT(0, bad);
	bad = lpm_compare(_ksft, 0xfeedULL, 0, 6, &nsel);
	ASSERT_LT(0, bad);
}

/*
 * The IPv6 range table's builder and its lookup (include/autosel/range6.h,
 * the data path's algorithm in user space) against brute force, without
 * BPF: prefixes of every length 0..128 in a few clusters (at 0, in
 * 2001:db8::/32, at the top of the space, around a /16, /20 and /64
 * boundary), both sets, duplicates; addresses at and next to every
 * prefix's first and last address and at random.  What the data path adds
 * on top (the map layout, the verifier's bounds) difftest's packets check.
 */
static as_u128 r128(void)
{
	return ((as_u128)r32() << 96) | ((as_u128)r32() << 64) |
	       ((as_u128)r32() << 32) | r32();
}

static void put128(uint8_t *a, as_u128 x)
{
	for (int i = 15; i >= 0; i--, x >>= 8)
		a[i] = (uint8_t)x;
}

struct r6p {
	as_u128 start, last;
	int len, set;
	uint64_t val;
};

static void brute6(const struct r6p *ps, int np, as_u128 x, int *dom,
		   uint64_t *mask)
{
	int ld = -1, li = -1;

	*dom = 0;
	*mask = 0;
	/* the later of two equal prefixes wins, as in the builder */
	for (int i = 0; i < np; i++) {
		if (x < ps[i].start || x > ps[i].last)
			continue;
		if (ps[i].set == AS_PSET_DOM && ps[i].len >= ld) {
			ld = ps[i].len;
			*dom = ps[i].val != 0;
		}
		if (ps[i].set == AS_PSET_IND && ps[i].len >= li) {
			li = ps[i].len;
			*mask = ps[i].val;
		}
	}
}

static long range6_compare(uint64_t seed, int np, long *naddr)
{
	static const as_u128 bases[] = {
		0,
		(as_u128)0x20010db8ULL << 96,
		~(as_u128)0,
		(as_u128)0x2400ULL << 112,		/* a /16 boundary */
		(as_u128)0x2a0010ULL << 104,		/* a /20 boundary */
		((as_u128)0x2a01000000001234ULL << 64),	/* a /64 boundary */
	};
	struct r6p *ps = calloc((size_t)np, sizeof(*ps));
	struct as_r6 t;
	long bad = 0;

	*naddr = 0;
	if (!ps)
		return -1;
	rng = seed;
	as_r6_init(&t);
	for (int i = 0; i < np; i++) {
		as_u128 b = bases[r32() % 6], span;
		int len = (int)(r32() % 129);
		uint8_t a[16];

		/* mostly near the base: a random distance of random width */
		if (r32() % 8)
			b ^= r128() >> (r32() % 128);
		else
			b = r128();
		if (r32() % 4 == 0)
			len = (int)(r32() % 2 ? 64 + r32() % 65 : 16 + r32() % 8);
		span = as_r6_span((unsigned int)len);
		ps[i].start = b & ~span;
		ps[i].last = ps[i].start + span;
		ps[i].len = len;
		ps[i].set = r32() % 5 == 0 ? AS_PSET_DOM : AS_PSET_IND;
		ps[i].val = ps[i].set == AS_PSET_DOM ? 1 :
			    (uint64_t)r32() << 32 | r32();
		if (i && r32() % 20 == 0) {	/* the same prefix again */
			ps[i].start = ps[i - 1].start;
			ps[i].last = ps[i - 1].last;
			ps[i].len = ps[i - 1].len;
			ps[i].set = ps[i - 1].set;
		}
		put128(a, ps[i].start);
		if (as_r6_add(&t, (unsigned int)ps[i].set, a,
			      (unsigned int)ps[i].len, ps[i].val))
			return -1;
	}
	if (as_r6_build(&t)) {
		ksft_print("as_r6_build: %s\n", t.err);
		return -1;
	}
	for (int i = 0; i < np; i++)
		for (int k = 0; k < 8; k++) {
			as_u128 x = k < 2 ? ps[i].start - (as_u128)k :
				    k < 4 ? ps[i].last + (as_u128)(k - 2) :
				    k < 6 ? ps[i].start + (r128() & ps[i].last &
							   ~ps[i].start) :
				    r128() >> (r32() % 128);
			uint64_t m, wm;
			int d, wd;
			uint8_t a[16];

			if (k == 6)
				x = ps[i].start ^ ((as_u128)1 << (r32() % 128));
			put128(a, x);
			d = as_r6_lookup(&t, a, &m);
			brute6(ps, np, x, &wd, &wm);
			(*naddr)++;
			if (d != wd || m != wm) {
				if (bad < 5)
					ksft_print("range6 mismatch at %016llx%016llx: "
						   "dom %d mask %llx, expected %d %llx\n",
						   (unsigned long long)(x >> 64),
						   (unsigned long long)x, d,
						   (unsigned long long)m, wd,
						   (unsigned long long)wm);
				bad++;
			}
		}
	ksft_print("range6 seed %llx: %d prefixes, %zu ranges, %zu values, "
		   "%zu sub entries, %ld addresses, %ld mismatches\n",
		   (unsigned long long)seed, np, t.n_rng, t.n_vals, t.n_sub,
		   *naddr, bad);
	as_r6_free(&t);
	free(ps);
	return bad;
}

TEST(range6_eq_brute_force)
{
	static const int sizes[] = { 1, 10, 300, 2000 };
	long n;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, range6_compare(0xabcdef12ULL + (uint64_t)i,
					    sizes[i], &n));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		npackets = strtol(argv[1], NULL, 0);
	if (argc > 2)
		nprefixes = atoi(argv[2]);
	if (npackets < 100 || nprefixes < 10) {
		fprintf(stderr, "usage: difftest [PACKETS>=100 [PREFIXES>=10]]\n");
		return KSFT_FAIL;
	}
	return ksft_run();
}
