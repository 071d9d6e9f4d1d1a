/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: building the flat prefix sets in user space (the loader, the
 * host tests and the benchmark share it).  See abi.h for the layout.
 *
 * The caller maps the ARRAY maps (BPF_F_MMAPABLE) dir4, guard4, guard6,
 * bloom4 and bloom6 and hands their memory here; as_flat_add4/6() update
 * them in place and say which pfx4/pfx6 entry to write; as_flat_lens()
 * gives the lens map's four entries.  Adding is order-independent: a
 * prefix set built from a rules file's merged LPM entries answers exactly
 * what an LPM trie holding the same entries answers.
 */
#ifndef AUTOSEL_FLAT_H
#define AUTOSEL_FLAT_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>

#include "autosel/abi.h"

struct as_flat {
	struct as_dir4 *dir4;			/* AS_DIR4_ENTRIES */
	uint64_t *guard4, *guard48;		/* AS_GUARD_WORDS */
	uint64_t *guard6;			/* AS_GUARD6_WORDS */
	uint64_t *bloom4, *bloom6;		/* AS_BLOOM_WORDS */
	struct as_lens lens[4];			/* AS_LENS_IDX(family, set) */
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
 * Add an IPv4 prefix (addr: 4 bytes, network order) of set with value val
 * (a slot mask; anything non-zero for the domestic set).  Returns 1 when
 * *k must be written to pfx4 with value val, 0 when the arrays hold it.
 */
static inline int as_flat_add4(struct as_flat *f, unsigned int set,
			       const uint8_t *addr, unsigned int len,
			       uint64_t val, struct as_pfx4_key *k)
{
	uint32_t a, h, first, count, i, b2;
	unsigned int bit;

	memcpy(&a, addr, 4);
	a &= as_be_mask((int)len);
	h = ntohl(a);
	first = h >> 8;
	count = len >= AS_GUARD4_LEN ? 1 : 1U << (AS_GUARD4_LEN - len);
	/* Domestic up to /24: "the whole /24 is domestic", nothing else. */
	bit = set == AS_PSET_DOM && len <= AS_GUARD4_LEN ? 0 : 1;
	for (i = 0; i < count; i++)
		as_flat_setbit(f->guard4, ((first + i) << 1) | bit);
	if (!bit)
		return 0;
	if (set == AS_PSET_IND && len <= AS_DIR4_LEN) {
		f->lens[AS_LENS_IDX(4, set)].flags |= AS_LENS_DIR4;
		first = h >> 16;
		count = 1U << (AS_DIR4_LEN - len);
		for (i = 0; i < count; i++) {
			struct as_dir4 *d = &f->dir4[first + i];

			if (len + 1 >= d->mask_len1) {
				d->mask = val;
				d->mask_len1 = (uint8_t)(len + 1);
			}
		}
		return 0;
	}
	first = h >> 8;
	count = len >= AS_GUARD4_LEN ? 1 : 1U << (AS_GUARD4_LEN - len);
	b2 = as_bloom4_bits(set, len, a);
	for (i = 0; i < count; i++) {
		uint32_t blk = as_bloom4_block(first + i) << 9;

		as_flat_setbit(f->bloom4, blk | (b2 & 511));
		as_flat_setbit(f->bloom4, blk | (b2 >> 9));
	}
	as_flat_addlen(&f->lens[AS_LENS_IDX(4, set)], len, 0, 255);
	memset(k, 0, sizeof(*k));
	k->set = (uint8_t)set;
	k->len = (uint8_t)len;
	memcpy(k->addr, &a, 4);
	return 1;
}

/* The same for IPv6 (addr: 16 bytes); always returns 1. */
static inline int as_flat_add6(struct as_flat *f, unsigned int set,
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
	return 1;
}

#define AS_FLAT_DIR4_SIZE	((size_t)AS_DIR4_ENTRIES * sizeof(struct as_dir4))
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
	if (f->dir4)
		munmap(f->dir4, AS_FLAT_DIR4_SIZE);
	if (f->guard4)
		munmap(f->guard4, AS_FLAT_GUARD_SIZE);
	if (f->guard6)
		munmap(f->guard6, AS_FLAT_GUARD6_SIZE);
	if (f->guard48)
		munmap(f->guard48, AS_FLAT_GUARD_SIZE);
	if (f->bloom4)
		munmap(f->bloom4, AS_FLAT_BLOOM_SIZE);
	if (f->bloom6)
		munmap(f->bloom6, AS_FLAT_BLOOM_SIZE);
	f->dir4 = NULL;
	f->guard4 = f->guard6 = f->guard48 = f->bloom4 = f->bloom6 = NULL;
}

/*
 * Map the array maps' memory (fds of dir4, guard4, guard6, guard48, bloom4,
 * bloom6).
 * Unmap before BPF_MAP_FREEZE: the kernel refuses to freeze a map that is
 * mapped writable.  Returns 0 or -1 (errno set).
 */
static inline int as_flat_mmap(struct as_flat *f, int dir4, int guard4,
			       int guard6, int guard48, int bloom4, int bloom6)
{
	memset(f, 0, sizeof(*f));
	f->dir4 = (struct as_dir4 *)as_flat_mmap1(dir4, AS_FLAT_DIR4_SIZE);
	f->guard4 = (uint64_t *)as_flat_mmap1(guard4, AS_FLAT_GUARD_SIZE);
	f->guard6 = (uint64_t *)as_flat_mmap1(guard6, AS_FLAT_GUARD6_SIZE);
	f->guard48 = (uint64_t *)as_flat_mmap1(guard48, AS_FLAT_GUARD_SIZE);
	f->bloom4 = (uint64_t *)as_flat_mmap1(bloom4, AS_FLAT_BLOOM_SIZE);
	f->bloom6 = (uint64_t *)as_flat_mmap1(bloom6, AS_FLAT_BLOOM_SIZE);
	if (!f->dir4 || !f->guard4 || !f->guard6 || !f->guard48 || !f->bloom4 ||
	    !f->bloom6) {
		as_flat_unmap(f);
		return -1;
	}
	return 0;
}

/* The names of the maps that hold a rule set (besides "approvals"). */
#define AS_FLAT_MAP_NAMES { "dir4", "guard4", "guard6", "guard48", "bloom4", \
			    "bloom6", "pfx4", "pfx6", "lens" }

#endif /* AUTOSEL_FLAT_H */
