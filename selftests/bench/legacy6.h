/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bench only: how objects from before the IPv6 range table (commit
 * d5e0a5f and older) held IPv6 -- a hashed guard per /32 (guard6, four
 * bits a position), a second per /48 (guard48), a Bloom filter (bloom6),
 * a hash per (set, length, prefix) (pfx6) and the lengths present (lens)
 * -- so that `make bench BENCH_AB_REV=<such a commit>` can still fill
 * both objects and time them side by side (Documentation/performance.rst,
 * "A/B").  This was include/autosel/flat.h and part of abi.h; legacy4.h
 * uses its lens and Bloom sizes.  The production code no longer has any
 * of this; drop the file once no A/B against such a commit is wanted.
 */
#ifndef AUTOSEL_BENCH_LEGACY6_H
#define AUTOSEL_BENCH_LEGACY6_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>

#include "autosel/abi.h"

#define AS_GUARD6_LEN		32	/* IPv6 guard granularity (hashed) */
#define AS_GUARD6_MIN		16	/* shorter IPv6 prefixes: not guarded */
#define AS_GUARD48_LEN		48	/* IPv6 second guard level */
#define AS_GUARD6_IDX_BITS	22
#define AS_GUARD6_WORDS		(1U << (AS_GUARD6_IDX_BITS + 2 - 6))	/* u64, 4 bits */
#define AS_BLOOM_BITS		24
#define AS_BLOOM_WORDS		(1U << (AS_BLOOM_BITS - 6))
#define AS_LENS_MAX		132	/* 0..128, rounded up */

struct as_pfx6_key {
	__u8 set;
	__u8 len;
	__u16 pad;
	__u8 addr[16];
};

/* lens entry (family == 4 ? 0 : 2) + set: lengths in pfx6, longest first. */
struct as_lens {
	__u8 n;			/* lengths in len[] */
	__u8 nshort;		/* the last nshort: not guarded */
	__u8 n48;		/* the first n48: IPv6 /48 or longer */
	__u8 pad;
	__u8 len[AS_LENS_MAX];
};

#define AS_LENS_IDX(family, set)	(((family) == 4 ? 0 : 2) + (set))

/* Guard position of an IPv6 address: a hash of its first 32 bits. */
static inline __u32 as_guard6_idx(__u32 w0)
{
	return as_fin32(as_mix32(0x6a09e667U, w0)) >> (32 - AS_GUARD6_IDX_BITS);
}

/* Second-level guard position of an IPv6 address: its first 48 bits. */
static inline __u32 as_guard48_idx(__u32 w0, __u32 w1)
{
	return as_fin32(as_mix32(as_mix32(0x3c6ef372U, w0),
				 w1 & as_be_mask(16))) >> (32 - AS_GUARD_IDX_BITS);
}

/* Bloom bit of a (set, length, masked address): w are the address words. */
static inline __u32 as_bloom_idx(__u32 set, __u32 len, const __u32 *w,
				 int nw)
{
	__u32 h = as_mix32(0xbb67ae85U, (set << 8) | len);
	int i;

	for (i = 0; i < nw; i++)
		h = as_mix32(h, w[i]);
	return as_fin32(h) >> (32 - AS_BLOOM_BITS);
}


struct as_flat {
	uint64_t *guard48;			/* AS_GUARD_WORDS */
	uint64_t *guard6;			/* AS_GUARD6_WORDS */
	uint64_t *bloom6;			/* AS_BLOOM_WORDS */
	struct as_lens lens[4];			/* AS_LENS_IDX(6, set) */
};

static inline void as_flat_setbit(uint64_t *a, uint32_t bit)
{
	a[bit >> 6] |= 1ULL << (bit & 63);
}

/* Keep l->len[] descending; count the short (< lo) and long (>= hi) ones. */
static inline void as_flat_addlen(struct as_lens *l, unsigned int len,
				  unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->len[i] == len)
			return;
	if (l->n >= AS_LENS_MAX)
		return;
	for (i = l->n; i > 0 && l->len[i - 1] < len; i--)
		l->len[i] = l->len[i - 1];
	l->len[i] = (uint8_t)len;
	l->n++;
	if (len < lo)
		l->nshort++;
	if (len >= hi)
		l->n48++;
}

/*
 * Add an IPv6 prefix (addr: 16 bytes) of set with value val (a slot mask;
 * anything non-zero for the domestic set): the arrays are updated, *k is
 * the pfx6 entry to write with value val.
 */
static inline void as_flat_add6(struct as_flat *f, unsigned int set,
			       const uint8_t *addr, unsigned int len,
			       uint64_t val, struct as_pfx6_key *k)
{
	uint32_t w[4], first, count, i;

	(void)val;
	memcpy(w, addr, 16);
	for (i = 0; i < 4; i++)
		w[i] &= as_be_mask((int)len - 32 * (int)i);
	if (len >= AS_GUARD48_LEN) {
		as_flat_setbit(f->guard6, (as_guard6_idx(w[0]) << 2) | (set * 2 + 1));
		as_flat_setbit(f->guard48, (as_guard48_idx(w[0], w[1]) << 1) | set);
	} else if (len >= AS_GUARD6_MIN) {
		/* Every /32 the prefix intersects (at most 65536). */
		first = ntohl(w[0]);
		count = len >= AS_GUARD6_LEN ? 1 : 1U << (AS_GUARD6_LEN - len);
		for (i = 0; i < count; i++)
			as_flat_setbit(f->guard6,
				       (as_guard6_idx(htonl(first + i)) << 2) | (set * 2));
	}
	as_flat_setbit(f->bloom6, as_bloom_idx(set, len, w, 4));
	as_flat_addlen(&f->lens[AS_LENS_IDX(6, set)], len, AS_GUARD6_MIN,
		       AS_GUARD48_LEN);
	memset(k, 0, sizeof(*k));
	k->set = (uint8_t)set;
	k->len = (uint8_t)len;
	memcpy(k->addr, w, 16);
}

#define AS_FLAT_GUARD_SIZE	((size_t)AS_GUARD_WORDS * 8)
#define AS_FLAT_GUARD6_SIZE	((size_t)AS_GUARD6_WORDS * 8)
#define AS_FLAT_BLOOM_SIZE	((size_t)AS_BLOOM_WORDS * 8)

static inline void *as_flat_mmap1(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void as_flat_unmap(struct as_flat *f)
{
	if (f->guard6)
		munmap(f->guard6, AS_FLAT_GUARD6_SIZE);
	if (f->guard48)
		munmap(f->guard48, AS_FLAT_GUARD_SIZE);
	if (f->bloom6)
		munmap(f->bloom6, AS_FLAT_BLOOM_SIZE);
	f->guard6 = f->guard48 = f->bloom6 = NULL;
}

/*
 * Map the array maps' memory (fds of guard6, guard48, bloom6).  Unmap
 * before BPF_MAP_FREEZE: the kernel refuses to freeze a map that is mapped
 * writable.  Returns 0 or -1 (errno set).
 */
static inline int as_flat_mmap(struct as_flat *f, int guard6, int guard48,
			       int bloom6)
{
	memset(f, 0, sizeof(*f));
	f->guard6 = (uint64_t *)as_flat_mmap1(guard6, AS_FLAT_GUARD6_SIZE);
	f->guard48 = (uint64_t *)as_flat_mmap1(guard48, AS_FLAT_GUARD_SIZE);
	f->bloom6 = (uint64_t *)as_flat_mmap1(bloom6, AS_FLAT_BLOOM_SIZE);
	if (!f->guard6 || !f->guard48 || !f->bloom6) {
		as_flat_unmap(f);
		return -1;
	}
	return 0;
}

#endif /* AUTOSEL_BENCH_LEGACY6_H */
