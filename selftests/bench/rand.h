/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench: the address-varying step.  BPF_PROG_TEST_RUN replays one frame,
 * so to see many addresses the bench objects rewrite the frame's IP
 * addresses at entry with bpf_get_prandom_u32().  The same step runs in
 * front of a bare drop (the baseline of every random-address figure) and
 * in front of autosel (built with -DAS_BENCH_RAND), so the difference of
 * the two is autosel's cost on varied addresses.
 *
 * bench_mode.mode: 0 leave the frame alone; 1 random source and
 * destination (IPv4 in 1.0.0.0-223.255.255.255, IPv6 in 2000::/3);
 * 2 source drawn from bench_addrs[0..naddrs) (addresses known to match an
 * indicator), destination random; 3 (IPv4) a flow drawn from a table of
 * naddrs / 2 (source, destination) pairs in bench_addrs (2k, 2k + 1),
 * which user space fills with flows sampled from a Zipf distribution.
 * bench_mode.l3_off, when not 0, is where the IPv4 header to vary starts
 * (the inner header of a tunnelled frame) instead of after Ethernet.
 */
#ifndef AUTOSEL_BENCH_RAND_H
#define AUTOSEL_BENCH_RAND_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "autosel/abi.h"

struct bench_mode {
	__u32 mode;
	__u32 naddrs;
	__u32 l3_off;
};

struct bench_addr {
	__u8 a[16];
};

#define BENCH_ADDRS	65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_mode);
} bench_mode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_ADDRS);
	__type(key, __u32);
	__type(value, struct bench_addr);
} bench_addrs SEC(".maps");

static __always_inline void bench_rand4(__u8 *p)
{
	__u32 a = bpf_get_prandom_u32() % 0xdf000000U + 0x01000000U;

	a = __builtin_bswap32(a);
	__builtin_memcpy(p, &a, 4);
}

static __always_inline void bench_rand6(__u8 *p)
{
	__u32 r0 = bpf_get_prandom_u32(), r1 = bpf_get_prandom_u32();
	__u32 w[4];

	w[0] = __builtin_bswap32(0x20000000U | (r0 >> 3));
	w[1] = r1;
	w[2] = as_mix32(r0, r1);
	w[3] = as_mix32(w[2], r0);
	__builtin_memcpy(p, w, 16);
}

static __always_inline void bench_pick(const struct bench_mode *m, __u8 *p,
				       int len)
{
	__u32 idx = bpf_get_prandom_u32() % (m->naddrs ? m->naddrs : 1);
	struct bench_addr *a = bpf_map_lookup_elem(&bench_addrs, &idx);

	if (!a)
		return;
	if (len == 4)
		__builtin_memcpy(p, a->a, 4);
	else
		__builtin_memcpy(p, a->a, 16);
}

static __always_inline void bench_pick_flow(const struct bench_mode *m,
					    __u8 *src, __u8 *dst)
{
	__u32 n = m->naddrs / 2 ? m->naddrs / 2 : 1;
	__u32 i = (bpf_get_prandom_u32() % n) * 2, j = i + 1;
	struct bench_addr *a = bpf_map_lookup_elem(&bench_addrs, &i);
	struct bench_addr *b = bpf_map_lookup_elem(&bench_addrs, &j);

	if (!a || !b)
		return;
	__builtin_memcpy(src, a->a, 4);
	__builtin_memcpy(dst, b->a, 4);
}

static __always_inline void bench_randomize(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	struct bench_mode *m;
	__u32 zero = 0, off = 14;
	__u16 type;
	__u8 *p;

	m = bpf_map_lookup_elem(&bench_mode, &zero);
	if (!m || !m->mode)
		return;
	if (data + 22 > end)
		return;
	type = (__u16)((data[12] << 8) | data[13]);
	if (m->l3_off) {
		off = m->l3_off & 0x3ff;
		type = 0x0800;
	} else if (type == 0x8100 || type == 0x88a8) {
		off = 18;
		type = (__u16)((data[16] << 8) | data[17]);
		if (type == 0x8100) {
			off = 22;
			type = (__u16)((data[20] << 8) | data[21]);
		}
	}
	p = data + off;
	if (type == 0x0800) {
		if (p + 20 > end)
			return;
		if (m->mode == 3) {
			bench_pick_flow(m, p + 12, p + 16);
			return;
		}
		if (m->mode == 2)
			bench_pick(m, p + 12, 4);
		else
			bench_rand4(p + 12);
		bench_rand4(p + 16);
	} else if (type == 0x86dd) {
		if (p + 40 > end)
			return;
		if (m->mode == 2)
			bench_pick(m, p + 8, 16);
		else
			bench_rand6(p + 8);
		bench_rand6(p + 24);
	}
}

#endif /* AUTOSEL_BENCH_RAND_H */
