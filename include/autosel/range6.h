/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: building the IPv6 range table in user space (the loader, the
 * host tests and the benchmark share it).  See abi.h for the layout and
 * Documentation/performance.rst, "The IPv6 range table".
 *
 * The IPv6 twin of range4.h: the prefixes of both sets -- the domestic
 * map and the indicators -- are collected with as_r6_add() in any order,
 * then as_r6_build() cuts the address space into ranges where either
 * answer changes (the value of the longest domestic and of the longest
 * indicator prefix covering it: exactly what two LPM tries of the same
 * entries answer) and lays them out:
 *
 *   base6   per /16: the value of that /16, or AS_R6_LONG and the value
 *           of the prefixes of /16 or shorter only (what an address whose
 *           /32 the guard clears gets);
 *   guard6  a Bloom filter (k = 2, both bits in one word) of the /32s that
 *           a prefix longer than /16 meets;
 *   rdir6   per /20: the value, or the index of its block in rng6;
 *   rng6    blocks: a count, then the ranges over bits 20..63 of the
 *           address (a /64 granularity), by offset, the first at 0;
 *   val6    the values (domestic, slot mask); a /64 that prefixes longer
 *           than /64 cut has a value of its own whose sub is its block in
 *   sub6    a count, then the ranges over bits 64..127, by offset.
 *
 * The same (set, prefix) added twice keeps the later value, as a hash
 * update would.  Host-order 128-bit arithmetic (unsigned __int128).
 */
#ifndef AUTOSEL_RANGE6_H
#define AUTOSEL_RANGE6_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "autosel/abi.h"
#include "autosel/psort.h"

typedef unsigned __int128 as_u128;

#define AS_U128_MAX	(~(as_u128)0)

struct as_r6_pfx {
	as_u128 start;		/* host order, host bits zero */
	uint8_t len;
	uint8_t set;		/* enum as_pset */
	uint64_t val;		/* slot mask; non-zero for the domestic set */
	size_t seq;		/* order of addition: the later wins */
};

struct as_r6 {
	struct as_r6_pfx *p;
	size_t n, cap;
	/* as_r6_build()'s output */
	uint32_t *base;			/* AS_R6_BASE_ENTRIES */
	uint64_t *guard;		/* AS_G6_WORDS */
	uint32_t *dir;			/* AS_R6_DIR_ENTRIES */
	uint64_t *rng;			/* n_rng */
	struct as_val6 *vals;		/* n_vals, vals[0] = neither */
	struct as_r6_sub *sub;		/* n_sub */
	size_t n_rng, n_vals, n_sub;
	const char *err;		/* why a call failed */
};

static inline void as_r6_init(struct as_r6 *t)
{
	memset(t, 0, sizeof(*t));
}

static inline void as_r6_free_out(struct as_r6 *t)
{
	free(t->base);
	free(t->guard);
	free(t->dir);
	free(t->rng);
	free(t->vals);
	free(t->sub);
	t->base = t->dir = NULL;
	t->guard = t->rng = NULL;
	t->vals = NULL;
	t->sub = NULL;
	t->n_rng = t->n_vals = t->n_sub = 0;
}

static inline void as_r6_free(struct as_r6 *t)
{
	as_r6_free_out(t);
	free(t->p);
	as_r6_init(t);
}

/* 16 network-order bytes as a host-order number. */
static inline as_u128 as_r6_addr(const uint8_t *a)
{
	as_u128 x = 0;

	for (int i = 0; i < 16; i++)
		x = (x << 8) | a[i];
	return x;
}

/* The addresses a prefix of length len spans, minus one. */
static inline as_u128 as_r6_span(unsigned int len)
{
	return len ? (((as_u128)1 << (128 - len)) - 1) : AS_U128_MAX;
}

/* addr: 16 bytes, network order.  Returns 0, or -1 (t->err). */
static inline int as_r6_add(struct as_r6 *t, unsigned int set,
			    const uint8_t *addr, unsigned int len, uint64_t val)
{
	if (len > 128 || set >= AS_PSET_MAX) {
		t->err = "bad IPv6 prefix";
		return -1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		struct as_r6_pfx *p = realloc(t->p, cap * sizeof(*p));

		if (!p) {
			t->err = "out of memory";
			return -1;
		}
		t->p = p;
		t->cap = cap;
	}
	t->p[t->n].start = as_r6_addr(addr) & ~as_r6_span(len);
	t->p[t->n].len = (uint8_t)len;
	t->p[t->n].set = (uint8_t)set;
	t->p[t->n].val = val;
	t->p[t->n].seq = t->n;
	t->n++;
	return 0;
}

/* Set, then start ascending, shorter (enclosing) first, then later last. */
static inline int as_r6_cmp(const void *x, const void *y)
{
	const struct as_r6_pfx *a = x, *b = y;

	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A change of value at address at. */
struct as_r6_cut {
	as_u128 at;
	uint64_t val;
};

/*
 * The cuts of one set, from its sorted, distinct prefixes p[0..n) of
 * length at most maxlen (the others are skipped): where the longest match
 * changes, starting with one at 0.  out has room for 2n + 1.
 */
static inline size_t as_r6_cuts(const struct as_r6_pfx *p, size_t n,
				unsigned int maxlen, struct as_r6_cut *out)
{
	struct { as_u128 end; uint64_t val; } st[129];
	size_t k = 0;
	int top = 0;

#define AS_R6_EMIT(pos, v) do {						\
		if (k && out[k - 1].at == (pos))			\
			out[k - 1].val = (v);				\
		else							\
			out[k++] = (struct as_r6_cut){ (pos), (v) };	\
	} while (0)
	AS_R6_EMIT(0, 0);
	for (size_t i = 0; i < n; i++) {
		as_u128 s = p[i].start;

		if (p[i].len > maxlen)
			continue;
		while (top && st[top - 1].end < s) {
			as_u128 end = st[--top].end;

			AS_R6_EMIT(end + 1, top ? st[top - 1].val : 0);
		}
		st[top].end = s + as_r6_span(p[i].len);
		st[top].val = p[i].val;
		top++;
		AS_R6_EMIT(s, p[i].val);
	}
	while (top) {
		as_u128 end = st[--top].end;

		if (end != AS_U128_MAX)
			AS_R6_EMIT(end + 1, top ? st[top - 1].val : 0);
	}
#undef AS_R6_EMIT
	return k;
}

/* Values (dom, mask) without a sub-block, by open addressing. */
struct as_r6_vmap {
	uint32_t *slot;		/* index + 1, 0 empty */
	size_t size;		/* power of two */
	size_t vcap;		/* room in t->vals */
};

static inline int as_r6_grow_vals(struct as_r6 *t, struct as_r6_vmap *m)
{
	struct as_val6 *nv;

	if (t->n_vals < m->vcap)
		return 0;
	nv = realloc(t->vals, 2 * m->vcap * sizeof(*nv));
	if (!nv)
		return -1;
	t->vals = nv;
	m->vcap *= 2;
	return 0;
}

/* The index of value (dom, mask), added if new; -1 if full. */
static inline long as_r6_val(struct as_r6 *t, struct as_r6_vmap *m,
			     uint32_t dom, uint64_t mask)
{
	uint64_t h = (mask ^ ((uint64_t)dom << 63)) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 32) & (m->size - 1);

	for (;; i = (i + 1) & (m->size - 1)) {
		uint32_t v = m->slot[i];

		if (!v)
			break;
		if (t->vals[v - 1].dom == dom && t->vals[v - 1].mask == mask)
			return (long)v - 1;
	}
	if (t->n_vals >= AS_R6_VALS_MAX || as_r6_grow_vals(t, m))
		return -1;
	if (2 * (t->n_vals + 1) > m->size) {
		/* keep it half empty: rehash into twice the slots */
		size_t ns = 2 * m->size;
		uint32_t *sl = calloc(ns, sizeof(*sl));

		if (!sl)
			return -1;
		for (size_t j = 0; j < m->size; j++) {
			uint32_t v = m->slot[j];
			uint64_t g;
			size_t q;

			if (!v)
				continue;
			g = (t->vals[v - 1].mask ^
			     ((uint64_t)t->vals[v - 1].dom << 63)) *
			    0x9e3779b97f4a7c15ULL;
			for (q = (size_t)(g >> 32) & (ns - 1); sl[q];
			     q = (q + 1) & (ns - 1))
				;
			sl[q] = v;
		}
		free(m->slot);
		m->slot = sl;
		m->size = ns;
		for (i = (size_t)(h >> 32) & (ns - 1); sl[i]; i = (i + 1) & (ns - 1))
			;
	}
	memset(&t->vals[t->n_vals], 0, sizeof(t->vals[0]));
	t->vals[t->n_vals].dom = dom;
	t->vals[t->n_vals].mask = mask;
	m->slot[i] = (uint32_t)++t->n_vals;
	return (long)t->n_vals - 1;
}

/* Grow an array of n used elements of size sz to room for n + more. */
static inline int as_r6_room(void **a, size_t *cap, size_t n, size_t more,
			     size_t sz)
{
	size_t c = *cap ? *cap : 1024;
	void *p;

	if (n + more <= *cap)
		return 0;
	while (c < n + more)
		c *= 2;
	p = realloc(*a, c * sz);
	if (!p)
		return -1;
	*a = p;
	*cap = c;
	return 0;
}

/* A range of the /64 level: from (at << 64) on, value v. */
struct as_r6_coarse {
	uint64_t at;
	uint32_t v;
};

/* Append, or replace one at the same place; no two alike in a row. */
static inline void as_r6_push(struct as_r6_coarse *k, size_t *n, uint64_t at,
			      uint32_t v)
{
	if (*n && k[*n - 1].at == at)
		(*n)--;
	if (*n && k[*n - 1].v == v)
		return;
	k[(*n)++] = (struct as_r6_coarse){ at, v };
}

/* The guard bits of the /32 w (host order): both must be set. */
static inline void as_r6_guard_set(uint64_t *g, uint32_t w)
{
	uint32_t h = as_g6_hash(w);

	g[h >> (32 - AS_G6_WORD_BITS)] |= (1ULL << (h & 63)) |
					  (1ULL << ((h >> 6) & 63));
}

/*
 * Lay the prefixes out as base6, guard6, rdir6, rng6, val6 and sub6
 * (abi.h) in t->base, t->guard, t->dir, t->rng (t->n_rng entries),
 * t->vals (t->n_vals) and t->sub (t->n_sub, one at least).  The prefixes
 * stay: add more and build again.  Returns 0, or -1 with t->err.
 */
static inline int as_r6_build(struct as_r6 *t)
{
	struct as_r6_cut *cut[AS_PSET_MAX] = { NULL, NULL };
	struct as_r6_cut *bcut[AS_PSET_MAX] = { NULL, NULL };
	size_t ncut[AS_PSET_MAX] = { 0, 0 }, nbcut[AS_PSET_MAX] = { 0, 0 };
	size_t setend[AS_PSET_MAX] = { 0, 0 };
	struct as_r6_vmap vm = { NULL, 64, 64 };
	struct as_r6_coarse *k = NULL;
	struct { as_u128 at; uint32_t v; } *mc = NULL;
	size_t nk = 0, kcap = 0, nmc = 0, mcap = 0, rcap = 0, scap = 0;
	size_t first = 0;
	int ret = -1;

	as_r6_free_out(t);
	t->err = "out of memory";
	as_psort(t->p, t->n, sizeof(*t->p), offsetof(struct as_r6_pfx, set),
		 as_r6_cmp);
	{	/* duplicates: keep the last added (sorted last of its run) */
		size_t n = 0;

		for (size_t i = 0; i < t->n; i++) {
			if (n && t->p[n - 1].set == t->p[i].set &&
			    t->p[n - 1].start == t->p[i].start &&
			    t->p[n - 1].len == t->p[i].len)
				n--;
			t->p[n++] = t->p[i];
		}
		t->n = n;
	}
	for (unsigned int s = 0; s < AS_PSET_MAX; s++) {
		size_t end = first;

		while (end < t->n && t->p[end].set == s)
			end++;
		cut[s] = malloc((2 * (end - first) + 1) * sizeof(*cut[s]));
		bcut[s] = malloc((2 * (end - first) + 1) * sizeof(*bcut[s]));
		if (!cut[s] || !bcut[s])
			goto out;
		ncut[s] = as_r6_cuts(t->p + first, end - first, 128, cut[s]);
		nbcut[s] = as_r6_cuts(t->p + first, end - first,
				      AS_R6_BASE_BITS, bcut[s]);
		setend[s] = end;
		first = end;
	}
	vm.slot = calloc(vm.size, sizeof(*vm.slot));
	t->vals = malloc(vm.vcap * sizeof(*t->vals));
	t->base = malloc((size_t)AS_R6_BASE_ENTRIES * sizeof(*t->base));
	t->guard = calloc(AS_G6_WORDS, sizeof(*t->guard));
	t->dir = malloc((size_t)AS_R6_DIR_ENTRIES * sizeof(*t->dir));
	if (!vm.slot || !t->vals || !t->base || !t->guard || !t->dir)
		goto out;
	if (as_r6_val(t, &vm, 0, 0) != 0)
		goto out;
	/* The two sets' cuts merged: one value each, none alike in a row. */
	{
		size_t ci[AS_PSET_MAX] = { 0, 0 };
		uint64_t val[AS_PSET_MAX] = { 0, 0 };

		for (;;) {
			as_u128 at = AS_U128_MAX;
			int any = 0;
			long v;

			for (unsigned int s = 0; s < AS_PSET_MAX; s++)
				if (ci[s] < ncut[s] && (!any || cut[s][ci[s]].at < at)) {
					at = cut[s][ci[s]].at;
					any = 1;
				}
			if (!any)
				break;
			for (unsigned int s = 0; s < AS_PSET_MAX; s++)
				if (ci[s] < ncut[s] && cut[s][ci[s]].at == at)
					val[s] = cut[s][ci[s]++].val;
			v = as_r6_val(t, &vm, val[AS_PSET_DOM] ? 1 : 0,
				      val[AS_PSET_IND]);
			if (v < 0)
				goto toomany;
			if (nmc && mc[nmc - 1].v == (uint32_t)v)
				continue;
			if (as_r6_room((void **)&mc, &mcap, nmc, 1, sizeof(*mc)))
				goto out;
			mc[nmc].at = at;
			mc[nmc++].v = (uint32_t)v;
		}
	}
	/*
	 * The /64 level: a /64 that no cut splits takes the value in force;
	 * one that cuts split gets a value of its own pointing at a sub-block
	 * of its ranges, and the value in force after it starts the next /64.
	 */
	for (size_t i = 0; i < nmc;) {
		uint64_t u = (uint64_t)(mc[i].at >> 64);
		size_t j = i;

		while (j < nmc && (uint64_t)(mc[j].at >> 64) == u)
			j++;
		if (as_r6_room((void **)&k, &kcap, nk, 2, sizeof(*k)))
			goto out;
		if (j - i == 1 && !(uint64_t)mc[i].at) {
			as_r6_push(k, &nk, u, mc[i].v);
		} else {
			size_t head = t->n_sub, m = j - i;
			int lead = (uint64_t)mc[i].at != 0;
			long v;

			/* i > 0 when lead: the first cut is at 0 */
			if (as_r6_room((void **)&t->sub, &scap, t->n_sub,
				       m + 2, sizeof(*t->sub)))
				goto out;
			t->sub[t->n_sub++] = (struct as_r6_sub){ m + lead, 0 };
			if (lead)
				t->sub[t->n_sub++] =
					(struct as_r6_sub){ 0, mc[i - 1].v };
			for (size_t q = i; q < j; q++)
				t->sub[t->n_sub++] = (struct as_r6_sub){
					(uint64_t)mc[q].at, mc[q].v };
			if (t->n_vals >= AS_R6_VALS_MAX)
				goto toomany;
			if (as_r6_grow_vals(t, &vm))
				goto out;
			v = (long)t->n_vals++;
			memset(&t->vals[v], 0, sizeof(t->vals[0]));
			t->vals[v].sub = (uint32_t)head + 1;
			as_r6_push(k, &nk, u, (uint32_t)v);
			if (u != UINT64_MAX)
				as_r6_push(k, &nk, u + 1, mc[j - 1].v);
		}
		i = j;
	}
	/* One chunk (a /20) at a time: a value, or a block of ranges. */
	{
		size_t ki = 0;

		for (uint32_t c = 0; c < AS_R6_DIR_ENTRIES; c++) {
			uint64_t lo = (uint64_t)c << AS_R6_OFF_BITS;
			size_t e = ki + 1, head;

			while (ki + 1 < nk && k[ki + 1].at <= lo)
				ki++;
			e = ki + 1;
			while (e < nk && (k[e].at >> AS_R6_OFF_BITS) == c)
				e++;
			if (e == ki + 1) {
				t->dir[c] = k[ki].v;
				continue;
			}
			if (as_r6_room((void **)&t->rng, &rcap, t->n_rng,
				       e - ki + 1, sizeof(*t->rng)))
				goto out;
			head = t->n_rng;
			if (head >= AS_R6_BLOCK) {
				t->err = "too many IPv6 ranges for the range table";
				goto out;
			}
			t->rng[t->n_rng++] = e - ki;
			t->rng[t->n_rng++] = k[ki].v;	/* offset 0 */
			for (size_t q = ki + 1; q < e; q++)
				t->rng[t->n_rng++] = ((k[q].at - lo) <<
						      AS_R6_VAL_BITS) | k[q].v;
			t->dir[c] = AS_R6_BLOCK | (uint32_t)head;
			ki = e - 1;
		}
	}
	/*
	 * base6: a /16 that no cut splits has its value; the others are
	 * AS_R6_LONG with the value of the /16-or-shorter prefixes alone.
	 */
	{
		size_t mi = 0, bi[AS_PSET_MAX] = { 0, 0 };
		uint64_t bval[AS_PSET_MAX] = { 0, 0 };

		for (uint32_t b = 0; b < AS_R6_BASE_ENTRIES; b++) {
			as_u128 lo = (as_u128)b << (128 - AS_R6_BASE_BITS);
			as_u128 last = lo + as_r6_span(AS_R6_BASE_BITS);
			long v;

			while (mi + 1 < nmc && mc[mi + 1].at <= lo)
				mi++;
			if (!(mi + 1 < nmc && mc[mi + 1].at <= last)) {
				t->base[b] = mc[mi].v;
				continue;
			}
			for (unsigned int s = 0; s < AS_PSET_MAX; s++)
				while (bi[s] < nbcut[s] && bcut[s][bi[s]].at <= lo)
					bval[s] = bcut[s][bi[s]++].val;
			v = as_r6_val(t, &vm, bval[AS_PSET_DOM] ? 1 : 0,
				      bval[AS_PSET_IND]);
			if (v < 0)
				goto toomany;
			t->base[b] = AS_R6_LONG | (uint32_t)v;
		}
	}
	/* guard6: every /32 that a prefix longer than /16 meets. */
	first = 0;
	for (unsigned int s = 0; s < AS_PSET_MAX; s++) {
		uint64_t marked = 0;	/* the /32s below it are marked */

		/* by start: a prefix's /32s from `marked` on are new */
		for (size_t i = first; i < setend[s]; i++) {
			uint64_t a, z;

			if (t->p[i].len <= AS_R6_BASE_BITS)
				continue;
			a = (uint64_t)(t->p[i].start >> 96);
			z = (uint64_t)((t->p[i].start + as_r6_span(t->p[i].len)) >> 96);
			for (uint64_t w = a > marked ? a : marked; w <= z; w++)
				as_r6_guard_set(t->guard, (uint32_t)w);
			if (z + 1 > marked)
				marked = z + 1;
		}
		first = setend[s];
	}
	if (!t->n_rng) {	/* an array map has one entry at least */
		if (as_r6_room((void **)&t->rng, &rcap, 0, 1, sizeof(*t->rng)))
			goto out;
		t->rng[t->n_rng++] = 0;
	}
	if (!t->n_sub) {
		if (as_r6_room((void **)&t->sub, &scap, 0, 1, sizeof(*t->sub)))
			goto out;
		t->sub[t->n_sub++] = (struct as_r6_sub){ 0, 0 };
	}
	ret = 0;
	t->err = NULL;
	goto out;
toomany:
	t->err = "more distinct IPv6 values and split /64s than the range table holds";
out:
	for (unsigned int s = 0; s < AS_PSET_MAX; s++) {
		free(cut[s]);
		free(bcut[s]);
	}
	free(vm.slot);
	free(mc);
	free(k);
	if (ret)
		as_r6_free_out(t);
	return ret;
}

/*
 * What the data path answers (xdp/autosel.bpf.c, as_addr6): the value
 * index of address (hi, lo) (host order): base6, the guard where it says
 * AS_R6_LONG, the range table where both guard bits are set.
 */
static inline uint32_t as_r6_value(const struct as_r6 *t, uint64_t hi,
				   uint64_t lo)
{
	uint32_t b = t->base[hi >> (64 - AS_R6_BASE_BITS)], d, h, v, n, l, r;
	uint64_t g, x = hi & ((1ULL << AS_R6_OFF_BITS) - 1);
	const uint64_t *blk;
	const struct as_r6_sub *sb;

	if (!(b & AS_R6_LONG))
		return b;
	h = as_g6_hash((uint32_t)(hi >> 32));
	g = t->guard[h >> (32 - AS_G6_WORD_BITS)];
	if (!((g >> (h & 63)) & 1) || !((g >> ((h >> 6) & 63)) & 1))
		return b & ~AS_R6_LONG;
	d = t->dir[hi >> AS_R6_OFF_BITS];
	if (d & AS_R6_BLOCK) {
		blk = &t->rng[(d & ~AS_R6_BLOCK) + 1];
		n = (uint32_t)blk[-1];
		for (l = 0, r = n; r - l > 1;) {
			uint32_t mid = (l + r) / 2;

			if ((blk[mid] >> AS_R6_VAL_BITS) <= x)
				l = mid;
			else
				r = mid;
		}
		v = (uint32_t)(blk[l] & (AS_R6_VALS_MAX - 1));
	} else {
		v = d;
	}
	if (!t->vals[v].sub)
		return v;
	sb = &t->sub[t->vals[v].sub];
	n = (uint32_t)sb[-1].off;
	for (l = 0, r = n; r - l > 1;) {
		uint32_t mid = (l + r) / 2;

		if (sb[mid].off <= lo)
			l = mid;
		else
			r = mid;
	}
	return (uint32_t)sb[l].val;
}

/* Domestic (the return value) and the indicator mask of addr (16 bytes). */
static inline int as_r6_lookup(const struct as_r6 *t, const uint8_t *addr,
			       uint64_t *mask)
{
	as_u128 a = as_r6_addr(addr);
	const struct as_val6 *v = &t->vals[as_r6_value(t, (uint64_t)(a >> 64),
							(uint64_t)a)];

	*mask = v->mask;
	return v->dom != 0;
}

/* rdir6's and base6's elements (pairs of u32). */
#define AS_R6_DIR_ELEMS		(AS_R6_DIR_ENTRIES / 2)
#define AS_R6_BASE_ELEMS	(AS_R6_BASE_ENTRIES / 2)

/*
 * Copy a built table into the maps base6, guard6, rdir6, rng6, val6 and
 * sub6 (fds[6], in that order; BPF_F_MMAPABLE arrays of AS_R6_BASE_ELEMS,
 * AS_G6_WORDS, AS_R6_DIR_ELEMS, max[3], max[4] and max[5] elements)
 * through their mappings; the rest of rng6, val6 and sub6 is zeroed.
 * Unmapped again before it returns (BPF_MAP_FREEZE refuses a map mapped
 * writable).  Returns 0, or -1 with t->err: a table larger than the maps,
 * or a mapping refused (errno).
 */
static inline int as_r6_write(struct as_r6 *t, const int fd[6],
			      const size_t max[6])
{
	size_t sz[6] = { (size_t)AS_R6_BASE_ELEMS * 8, (size_t)AS_G6_WORDS * 8,
			 (size_t)AS_R6_DIR_ELEMS * 8, max[3] * 8,
			 max[4] * sizeof(struct as_val6),
			 max[5] * sizeof(struct as_r6_sub) };
	const void *src[6] = { t->base, t->guard, t->dir, t->rng, t->vals,
			       t->sub };
	size_t len[6] = { sz[0], sz[1], sz[2], t->n_rng * 8,
			  t->n_vals * sizeof(struct as_val6),
			  t->n_sub * sizeof(struct as_r6_sub) };

	if (t->n_rng > max[3] || t->n_vals > max[4] || t->n_sub > max[5]) {
		t->err = "the IPv6 range table does not fit its maps";
		errno = ENOSPC;
		return -1;
	}
	for (int i = 0; i < 6; i++) {
		void *p = mmap(NULL, sz[i], PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd[i], 0);

		if (p == MAP_FAILED) {
			t->err = "cannot map the IPv6 range table";
			return -1;
		}
		memcpy(p, src[i], len[i]);
		memset((char *)p + len[i], 0, sz[i] - len[i]);
		munmap(p, sz[i]);
	}
	return 0;
}

/* The maps as_r6_write() fills, in its order. */
#define AS_R6_MAP_NAMES	{ "base6", "guard6", "rdir6", "rng6", "val6", "sub6" }

#endif /* AUTOSEL_RANGE6_H */
