/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: building the IPv4 range table in user space (the loader, the
 * host tests and the benchmark share it).  See abi.h for the layout and
 * Documentation/performance.rst, "The IPv4 range table".
 *
 * The prefixes of both sets -- the domestic map and the indicators -- are
 * collected with as_r4_add() in any order, then as_r4_build() turns them
 * into a partition of the address space into ranges, each with the value
 * of the longest domestic prefix and of the longest indicator prefix that
 * cover it (exactly what two LPM tries of the same entries answer), and
 * lays that out as the three arrays rdir4, rng4 and val4.  The same
 * (set, prefix) added twice keeps the later value, as a hash update would.
 */
#ifndef AUTOSEL_RANGE4_H
#define AUTOSEL_RANGE4_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "autosel/abi.h"
#include "autosel/psort.h"

struct as_r4_pfx {
	uint32_t start;		/* host order, host bits zero */
	uint8_t len;
	uint8_t set;		/* enum as_pset */
	uint64_t val;		/* slot mask; non-zero for the domestic set */
	size_t seq;		/* order of addition: the later wins */
};

struct as_r4 {
	struct as_r4_pfx *p;
	size_t n, cap;
	/* as_r4_build()'s output */
	uint64_t *guard;		/* guard4: AS_GUARD_WORDS */
	uint32_t *dir;			/* AS_R4_DIR_ENTRIES */
	uint32_t *rng;			/* n_rng */
	struct as_val4 *vals;		/* n_vals, vals[0] = neither */
	size_t n_rng, n_vals;
	const char *err;		/* why a call failed */
};

static inline void as_r4_init(struct as_r4 *t)
{
	memset(t, 0, sizeof(*t));
}

static inline void as_r4_free_out(struct as_r4 *t)
{
	free(t->guard);
	t->guard = NULL;
	free(t->dir);
	free(t->rng);
	free(t->vals);
	t->dir = t->rng = NULL;
	t->vals = NULL;
	t->n_rng = t->n_vals = 0;
}

static inline void as_r4_free(struct as_r4 *t)
{
	as_r4_free_out(t);
	free(t->p);
	as_r4_init(t);
}

/* addr: 4 bytes, network order.  Returns 0, or -1 (t->err) on no memory. */
static inline int as_r4_add(struct as_r4 *t, unsigned int set,
			    const uint8_t *addr, unsigned int len, uint64_t val)
{
	uint32_t a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) |
		     ((uint32_t)addr[2] << 8) | addr[3];

	if (len > 32 || set >= AS_PSET_MAX) {
		t->err = "bad IPv4 prefix";
		return -1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		struct as_r4_pfx *p = realloc(t->p, cap * sizeof(*p));

		if (!p) {
			t->err = "out of memory";
			return -1;
		}
		t->p = p;
		t->cap = cap;
	}
	t->p[t->n].start = len ? a & (0xffffffffU << (32 - len)) : 0;
	t->p[t->n].len = (uint8_t)len;
	t->p[t->n].set = (uint8_t)set;
	t->p[t->n].val = val;
	t->p[t->n].seq = t->n;
	t->n++;
	return 0;
}

/* Set, then start ascending, shorter (enclosing) first, then later last. */
static inline int as_r4_cmp(const void *x, const void *y)
{
	const struct as_r4_pfx *a = x, *b = y;

	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A change of value at address at (64-bit: 2^32 ends the space). */
struct as_r4_cut {
	uint64_t at;
	uint64_t val;
};

/*
 * The ranges of one set, from its sorted prefixes p[0..n) (one per
 * prefix: duplicates dropped): cuts where the longest match changes,
 * starting with one at 0.  out has room for 2n + 1.  Returns the count.
 */
static inline size_t as_r4_cuts(const struct as_r4_pfx *p, size_t n,
				struct as_r4_cut *out)
{
	struct { uint64_t end; uint64_t val; } st[33];
	size_t k = 0;
	int top = 0;

	/* The stack holds the enclosing prefixes, innermost last. */
#define AS_R4_EMIT(pos, v) do {						\
		if (k && out[k - 1].at == (pos))			\
			out[k - 1].val = (v);				\
		else							\
			out[k++] = (struct as_r4_cut){ (pos), (v) };	\
	} while (0)
	AS_R4_EMIT(0, 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = p[i].start;

		while (top && st[top - 1].end < s) {
			uint64_t end = st[--top].end;

			AS_R4_EMIT(end + 1, top ? st[top - 1].val : 0);
		}
		st[top].end = s + (1ULL << (32 - p[i].len)) - 1;
		st[top].val = p[i].val;
		top++;
		AS_R4_EMIT(s, p[i].val);
	}
	while (top) {
		uint64_t end = st[--top].end;

		if (end + 1 < (1ULL << 32))
			AS_R4_EMIT(end + 1, top ? st[top - 1].val : 0);
	}
#undef AS_R4_EMIT
	return k;
}

/* The index of value (dom, mask) in t->vals, added if new; -1 if full. */
struct as_r4_vmap {
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t size;		/* power of two */
};

static inline long as_r4_val(struct as_r4 *t, struct as_r4_vmap *m,
			     size_t *cap, uint32_t dom, uint64_t mask)
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
	if (t->n_vals >= AS_R4_VALS_MAX || t->n_vals >= m->size / 2)
		return -1;
	if (t->n_vals == *cap) {
		struct as_val4 *nv = realloc(t->vals, 2 * *cap * sizeof(*nv));

		if (!nv)
			return -1;
		t->vals = nv;
		*cap *= 2;
	}
	memset(&t->vals[t->n_vals], 0, sizeof(t->vals[0]));
	t->vals[t->n_vals].dom = dom;
	t->vals[t->n_vals].mask = mask;
	m->slot[i] = (uint32_t)++t->n_vals;
	return (long)t->n_vals - 1;
}

/* guard4's two bits for a /24 of one value: 0 neither, 1 domestic only. */
static inline unsigned int as_r4_class(const struct as_r4 *t, uint32_t v)
{
	if (!v)
		return 0;
	return t->vals[v].dom && !t->vals[v].mask ? 1 : 2;
}

/* The guard bits of the 16 /24s of chunk c, from its entry. */
static inline void as_r4_guard_chunk(struct as_r4 *t, uint32_t c)
{
	uint32_t d = t->dir[c], n, *r;

	for (uint32_t j = 0; j < 16; j++) {
		uint32_t lo = j << 8, cls = 2, k;
		uint64_t bit = ((uint64_t)(c << 4 | j)) << 1;

		if (!(d & AS_R4_BLOCK)) {
			cls = as_r4_class(t, d);
		} else {
			n = t->rng[d & ~AS_R4_BLOCK];
			r = &t->rng[(d & ~AS_R4_BLOCK) + 1];
			/* the range holding the /24's first address ... */
			for (k = 0; k + 1 < n && (r[k + 1] >> AS_R4_VAL_BITS) <= lo; k++)
				;
			/* ... holds all of it: one value */
			if (k + 1 == n || (r[k + 1] >> AS_R4_VAL_BITS) > lo + 255)
				cls = as_r4_class(t, r[k] & (AS_R4_VALS_MAX - 1));
		}
		t->guard[bit >> 6] |= (uint64_t)cls << (bit & 63);
	}
}

/*
 * Lay the prefixes out as guard4, rdir4, rng4 and val4 (abi.h) in t->dir, t->rng
 * (t->n_rng entries) and t->vals (t->n_vals).  The prefixes stay: add more
 * and build again.  Returns 0, or -1 with t->err.
 */
static inline int as_r4_build(struct as_r4 *t)
{
	struct as_r4_cut *cut[AS_PSET_MAX] = { NULL, NULL };
	size_t ncut[AS_PSET_MAX] = { 0, 0 }, first = 0, vcap = 64, rcap;
	struct as_r4_vmap vm = { NULL, 64 };
	size_t ci[AS_PSET_MAX] = { 0, 0 };
	uint64_t val[AS_PSET_MAX] = { 0, 0 };
	uint32_t c;
	int ret = -1;

	as_r4_free_out(t);
	t->err = "out of memory";
	as_psort(t->p, t->n, sizeof(*t->p), offsetof(struct as_r4_pfx, set),
		 as_r4_cmp);
	/* Duplicates: keep the last added (sorted last of its run). */
	{
		size_t k = 0;

		for (size_t i = 0; i < t->n; i++) {
			if (k && t->p[k - 1].set == t->p[i].set &&
			    t->p[k - 1].start == t->p[i].start &&
			    t->p[k - 1].len == t->p[i].len)
				k--;
			t->p[k++] = t->p[i];
		}
		t->n = k;
	}
	for (unsigned int s = 0; s < AS_PSET_MAX; s++) {
		size_t end = first;

		while (end < t->n && t->p[end].set == s)
			end++;
		cut[s] = malloc((2 * (end - first) + 1) * sizeof(*cut[s]));
		if (!cut[s])
			goto out;
		ncut[s] = as_r4_cuts(t->p + first, end - first, cut[s]);
		first = end;
	}
	/* at most two values a prefix, plus "neither": half full at most */
	while (vm.size < 4 * (t->n + 2) && vm.size < 2 * (size_t)AS_R4_VALS_MAX)
		vm.size *= 2;
	vm.slot = calloc(vm.size, sizeof(*vm.slot));
	t->vals = malloc(vcap * sizeof(*t->vals));
	t->dir = malloc((size_t)AS_R4_DIR_ENTRIES * sizeof(*t->dir));
	t->guard = calloc(AS_GUARD_WORDS, sizeof(*t->guard));
	rcap = 2 * (ncut[0] + ncut[1]) + 1024;
	t->rng = malloc(rcap * sizeof(*t->rng));
	if (!vm.slot || !t->vals || !t->dir || !t->rng || !t->guard)
		goto out;
	if (as_r4_val(t, &vm, &vcap, 0, 0) != 0)
		goto out;
	/*
	 * One chunk (a /20) at a time: the ranges that meet it, from the
	 * two sets' cuts merged.  A chunk met by one range is a value; the
	 * others get a block.
	 */
	for (c = 0; c < AS_R4_DIR_ENTRIES; c++) {
		uint64_t lo = (uint64_t)c << AS_R4_LO_BITS;
		uint64_t hi = lo + (1U << AS_R4_LO_BITS);
		size_t head = t->n_rng, nr = 0;
		uint64_t at = lo;

		for (;;) {
			uint64_t next = hi;
			long v;

			/* the cuts at or before `at` are in force */
			for (unsigned int s = 0; s < AS_PSET_MAX; s++) {
				while (ci[s] < ncut[s] && cut[s][ci[s]].at <= at)
					val[s] = cut[s][ci[s]++].val;
				if (ci[s] < ncut[s] && cut[s][ci[s]].at < next)
					next = cut[s][ci[s]].at;
			}
			v = as_r4_val(t, &vm, &vcap, val[AS_PSET_DOM] ? 1 : 0,
				      val[AS_PSET_IND]);
			if (v < 0) {
				t->err = "more distinct IPv4 values than the range table holds";
				goto out;
			}
			if (at == lo && next == hi) {
				t->dir[c] = (uint32_t)v;
				break;
			}
			if (t->n_rng + 2 > rcap) {
				uint32_t *nr2 = realloc(t->rng, 2 * rcap * sizeof(*nr2));

				if (!nr2)
					goto out;
				t->rng = nr2;
				rcap *= 2;
			}
			if (!nr)
				t->n_rng++;	/* the count, written below */
			t->rng[t->n_rng++] = ((uint32_t)(at - lo) << AS_R4_VAL_BITS) |
					     (uint32_t)v;
			nr++;
			if (next >= hi) {
				t->rng[head] = (uint32_t)nr;
				if (head >= AS_R4_BLOCK) {
					t->err = "too many IPv4 ranges for the range table";
					goto out;
				}
				t->dir[c] = AS_R4_BLOCK | (uint32_t)head;
				break;
			}
			at = next;
		}
	}
	for (c = 0; c < AS_R4_DIR_ENTRIES; c++)
		as_r4_guard_chunk(t, c);
	if (!t->n_rng)
		t->rng[t->n_rng++] = 0;	/* an array map has one entry at least */
	ret = 0;
	t->err = NULL;
out:
	free(cut[0]);
	free(cut[1]);
	free(vm.slot);
	if (ret)
		as_r4_free_out(t);
	return ret;
}

/* The value index of host-order address a in the range table. */
static inline uint32_t as_r4_value(const struct as_r4 *t, uint32_t a)
{
	const uint32_t *rng = t->rng;
	uint32_t d = t->dir[a >> AS_R4_LO_BITS];
	uint32_t x = a & ((1U << AS_R4_LO_BITS) - 1), lo = 0, hi, start;

	if (!(d & AS_R4_BLOCK))
		return d;
	start = (d & ~AS_R4_BLOCK) + 1;
	hi = rng[start - 1];
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if ((rng[start + mid] >> AS_R4_VAL_BITS) <= x)
			lo = mid;
		else
			hi = mid;
	}
	return rng[start + lo] & (AS_R4_VALS_MAX - 1);
}

/*
 * What the data path answers for host-order address a: domestic (the
 * return value) and the indicator mask -- the guard's bits first, the
 * range table only where they say "look further".
 */
static inline int as_r4_lookup(const struct as_r4 *t, uint32_t a,
			       uint64_t *mask)
{
	uint64_t bit = (uint64_t)(a >> 8) << 1;
	unsigned int g = (unsigned int)(t->guard[bit >> 6] >> (bit & 63)) & 3;
	const struct as_val4 *v;

	*mask = 0;
	if (!(g & 2))
		return (int)(g & 1);
	v = &t->vals[as_r4_value(t, a)];
	*mask = v->mask;
	return v->dom != 0;
}

/* rng4's elements (pairs) for n_rng entries. */
static inline size_t as_r4_rng_elems(size_t n_rng)
{
	return (n_rng + 1) / 2;
}

/*
 * Copy a built table into the maps guard4, rdir4, rng4 and val4 (fds;
 * BPF_F_MMAPABLE arrays of AS_GUARD_WORDS, AS_R4_DIR_ENTRIES / 2, rng_max
 * and val_max elements) through
 * their mappings; the rest of rng4 and val4 is zeroed.  Unmapped again before it
 * returns (BPF_MAP_FREEZE refuses a map mapped writable).  Returns 0, or -1
 * with t->err: a table larger than the maps, or a mapping refused (errno).
 */
static inline int as_r4_write(struct as_r4 *t, int fd_guard, int fd_dir,
			      int fd_rng, int fd_val, size_t rng_max,
			      size_t val_max)
{
	size_t sz[4] = { (size_t)AS_GUARD_WORDS * 8,
			 (size_t)AS_R4_DIR_ENTRIES * 4,
			 rng_max * sizeof(struct as_r4_pair),
			 val_max * sizeof(struct as_val4) };
	const void *src[4] = { t->guard, t->dir, t->rng, t->vals };
	size_t len[4] = { sz[0], sz[1], t->n_rng * 4,
			  t->n_vals * sizeof(struct as_val4) };
	int fd[4] = { fd_guard, fd_dir, fd_rng, fd_val };

	if (as_r4_rng_elems(t->n_rng) > rng_max || t->n_vals > val_max) {
		t->err = "the IPv4 range table does not fit its maps";
		errno = ENOSPC;
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		void *p = mmap(NULL, sz[i], PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd[i], 0);

		if (p == MAP_FAILED) {
			t->err = "cannot map the IPv4 range table";
			return -1;
		}
		memcpy(p, src[i], len[i]);
		memset((char *)p + len[i], 0, sz[i] - len[i]);
		munmap(p, sz[i]);
	}
	return 0;
}

#endif /* AUTOSEL_RANGE4_H */
