/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bench only: how objects from before the IPv4 range table (commit
 * 2233582 and older) held IPv4 -- a guard per /24, a per-/16 table,
 * a blocked Bloom filter and a hash per (set, length, prefix) -- so that
 * `make bench BENCH_AB_REV=<such a commit>` can still fill both objects
 * and time them side by side (Documentation/performance.rst, "A/B").
 * The production code no longer has any of this; drop the file once no
 * A/B against such a commit is wanted.
 */
#ifndef AUTOSEL_BENCH_LEGACY4_H
#define AUTOSEL_BENCH_LEGACY4_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>

#include "autosel/abi.h"
#include "legacy6.h"	/* struct as_lens, the Bloom filter's size */

#define L4_DIR4_LEN		16
#define L4_GUARD4_LEN		24
#define L4_DIR4_ENTRIES		(1U << L4_DIR4_LEN)
#define L4_BLOOM4_BLOCK_BITS	(AS_BLOOM_BITS - 9)
#define L4_LENS_DIR4		1	/* as_lens.pad was .flags */

struct l4_dir4 {
	__u64 mask;
	__u8 mask_len1;
	__u8 pad[7];
};

struct l4_pfx4_key {
	__u8 set;
	__u8 len;
	__u16 pad;
	__u8 addr[4];
};

struct l4_maps {
	struct l4_dir4 *dir4;
	uint64_t *guard4, *bloom4;
};

#define L4_DIR4_SIZE	((size_t)L4_DIR4_ENTRIES * sizeof(struct l4_dir4))
#define L4_GUARD4_SIZE	((size_t)AS_GUARD_WORDS * 8)
#define L4_BLOOM4_SIZE	((size_t)AS_BLOOM_WORDS * 8)

static inline __u32 l4_bloom4_block(__u32 net24)
{
	return as_fin32(as_mix32(0x510e527fU, net24)) >>
	       (32 - L4_BLOOM4_BLOCK_BITS);
}

static inline __u32 l4_bloom4_bits(__u32 set, __u32 len, __u32 masked)
{
	return as_fin32(as_mix32(as_mix32(0x9b05688cU, (set << 8) | len),
				 masked)) >> 14;
}

static inline void l4_setbit(uint64_t *a, uint32_t bit)
{
	a[bit >> 6] |= 1ULL << (bit & 63);
}

/* Returns 1 when *k must go to pfx4 with value val (lens updated). */
static inline int l4_add(struct l4_maps *m, struct as_lens *l,
			 unsigned int set, const uint8_t *addr,
			 unsigned int len, uint64_t val, struct l4_pfx4_key *k)
{
	uint32_t a, h, first, count, i, b2;
	unsigned int bit;

	memcpy(&a, addr, 4);
	a &= as_be_mask((int)len);
	h = ntohl(a);
	first = h >> 8;
	count = len >= L4_GUARD4_LEN ? 1 : 1U << (L4_GUARD4_LEN - len);
	bit = set == AS_PSET_DOM && len <= L4_GUARD4_LEN ? 0 : 1;
	for (i = 0; i < count; i++)
		l4_setbit(m->guard4, ((first + i) << 1) | bit);
	if (!bit)
		return 0;
	if (set == AS_PSET_IND && len <= L4_DIR4_LEN) {
		l->pad |= L4_LENS_DIR4;
		first = h >> 16;
		count = 1U << (L4_DIR4_LEN - len);
		for (i = 0; i < count; i++) {
			struct l4_dir4 *d = &m->dir4[first + i];

			if (len + 1 >= d->mask_len1) {
				d->mask = val;
				d->mask_len1 = (uint8_t)(len + 1);
			}
		}
		return 0;
	}
	first = h >> 8;
	count = len >= L4_GUARD4_LEN ? 1 : 1U << (L4_GUARD4_LEN - len);
	b2 = l4_bloom4_bits(set, len, a);
	for (i = 0; i < count; i++) {
		uint32_t blk = l4_bloom4_block(first + i) << 9;

		l4_setbit(m->bloom4, blk | (b2 & 511));
		l4_setbit(m->bloom4, blk | (b2 >> 9));
	}
	for (i = 0; i < l->n && l->len[i] != len; i++)
		;
	if (i == l->n && l->n < AS_LENS_MAX) {
		for (i = l->n; i > 0 && l->len[i - 1] < len; i--)
			l->len[i] = l->len[i - 1];
		l->len[i] = (uint8_t)len;
		l->n++;
	}
	memset(k, 0, sizeof(*k));
	k->set = (uint8_t)set;
	k->len = (uint8_t)len;
	memcpy(k->addr, &a, 4);
	return 1;
}

static inline void l4_unmap(struct l4_maps *m)
{
	if (m->dir4)
		munmap(m->dir4, L4_DIR4_SIZE);
	if (m->guard4)
		munmap(m->guard4, L4_GUARD4_SIZE);
	if (m->bloom4)
		munmap(m->bloom4, L4_BLOOM4_SIZE);
	memset(m, 0, sizeof(*m));
}

static inline void *l4_mmap1(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int l4_mmap(struct l4_maps *m, int dir4, int guard4, int bloom4)
{
	m->dir4 = l4_mmap1(dir4, L4_DIR4_SIZE);
	m->guard4 = l4_mmap1(guard4, L4_GUARD4_SIZE);
	m->bloom4 = l4_mmap1(bloom4, L4_BLOOM4_SIZE);
	if (!m->dir4 || !m->guard4 || !m->bloom4) {
		l4_unmap(m);
		return -1;
	}
	return 0;
}

#endif /* AUTOSEL_BENCH_LEGACY4_H */
