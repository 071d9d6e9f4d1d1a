/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: building the flat prefix sets in user space (the loader, the
 * host tests and the benchmark share it).  See abi.h for the layout.
 *
 * IPv6 (IPv4 has a range table: range4.h).  The caller maps the ARRAY maps
 * (BPF_F_MMAPABLE) guard6, guard48 and bloom6 and hands their memory here;
 * as_flat_add6() updates them in place and says which pfx6 entry to
 * write; lens[] holds the lens map's entries.  Adding is order-independent: a
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

/* The names of the maps that hold a rule set (besides "approvals"). */
#define AS_FLAT_MAP_NAMES { "guard4", "rdir4", "rng4", "val4", "guard6", \
			    "guard48", "bloom6", "pfx6", "lens" }

#endif /* AUTOSEL_FLAT_H */
