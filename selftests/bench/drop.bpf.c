// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the floors autosel is measured against, in the same run.
 *
 *   bare_drop   return XDP_DROP
 *   parse_drop  autosel's parser (include/autosel/parse.h, same three
 *               stages), then XDP_DROP
 *   rand_drop   the address-varying step of rand.h, then XDP_DROP: the
 *               baseline of every random-address figure
 *   lpm_ref     the naive design for reference: the varying step, the
 *               parser and two kernel LPM-trie lookups (source and
 *               destination) in a trie of the same IPv4 indicators
 *   touch_1m    the memory floor: the varying step, the parser and one
 *   ...         load per address from an array of 1, 2, 4, 8, 16 or 64
 *   touch_64m   MB indexed by the address's /24 (what any exact per-/24
 *               structure must read) -- guard4 is 4 MB
 *   touch_hash  the same with one lookup per address in a hash table of
 *               2^20 entries (pfx4/pfx6 of the old layouts at 1M were such)
 *   rand_peer   the varying step, then a tail call into peer_prog[0]:
 *               random addresses for a peer loaded from an object the
 *               bench did not build (xdp-filter), and with bare_drop in
 *               the slot, that figure's baseline
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "autosel/abi.h"
#include "autosel/parse.h"
#include "parse_xdp.h"
#include "rand.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_pkt);
} pkt_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct as_lpm4);
	__type(value, __u64);
} lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 17);		/* 1 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_1m SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 18);		/* 2 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_2m SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 19);		/* 4 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_4m SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 20);		/* 8 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_8m SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 21);		/* 16 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_16m SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 23);		/* 64 MB */
	__type(key, __u32);
	__type(value, __u64);
} floor_64m SEC(".maps");

/* The bench fills every key 0..2^20-1: one hit per lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, __u64);
} floor_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} peer_prog SEC(".maps");

static __always_inline struct as_pkt *parse(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct as_pkt *pkt = bpf_map_lookup_elem(&pkt_scratch, &zero);

	if (!pkt)
		return 0;
	__builtin_memset(pkt, 0, sizeof(*pkt));
	if (as_parse_ctx(ctx, pkt) != AS_PARSE_OK)
		return 0;
	return pkt;
}

SEC("xdp")
int bare_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int parse_drop(struct xdp_md *ctx)
{
	struct as_pkt *pkt = parse(ctx);

	return pkt ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp")
int rand_drop(struct xdp_md *ctx)
{
	bench_randomize(ctx);
	return XDP_DROP;
}

SEC("xdp")
int rand_peer(struct xdp_md *ctx)
{
	bench_randomize(ctx);
	bpf_tail_call(ctx, &peer_prog, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int lpm_ref(struct xdp_md *ctx)
{
	struct as_lpm4 k = { .prefixlen = 32 };
	struct as_pkt *pkt;
	__u64 *a, *b;

	bench_randomize(ctx);
	pkt = parse(ctx);
	if (!pkt || pkt->family != 4)
		return XDP_ABORTED;
	__builtin_memcpy(k.addr, pkt->saddr, 4);
	a = bpf_map_lookup_elem(&lpm4, &k);
	__builtin_memcpy(k.addr, pkt->daddr, 4);
	b = bpf_map_lookup_elem(&lpm4, &k);
	return (a ? 1 : 0) + (b ? 1 : 0) > 2 ? XDP_PASS : XDP_DROP;
}

/* One load per address at its /24 from a map of 2^bits u64 words. */
static __always_inline int touch(struct xdp_md *ctx, void *map, int bits)
{
	struct as_pkt *pkt;
	__u32 a, b;
	__u64 *x, *y;

	bench_randomize(ctx);
	pkt = parse(ctx);
	if (!pkt || pkt->family != 4)
		return XDP_ABORTED;
	__builtin_memcpy(&a, pkt->saddr, 4);
	__builtin_memcpy(&b, pkt->daddr, 4);
	/* 2^24 /24s spread over the words, as guard4 does */
	a = (__builtin_bswap32(a) >> 8) >> (24 - bits);
	b = (__builtin_bswap32(b) >> 8) >> (24 - bits);
	x = bpf_map_lookup_elem(map, &a);
	y = bpf_map_lookup_elem(map, &b);
	return (x ? *x : 1) + (y ? *y : 1) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int touch_1m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_1m, 17);
}

SEC("xdp")
int touch_2m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_2m, 18);
}

SEC("xdp")
int touch_4m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_4m, 19);
}

SEC("xdp")
int touch_8m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_8m, 20);
}

SEC("xdp")
int touch_16m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_16m, 21);
}

SEC("xdp")
int touch_64m(struct xdp_md *ctx)
{
	return touch(ctx, &floor_64m, 23);
}

/* The same through a hash table of 2^20 entries, every lookup a hit. */
SEC("xdp")
int touch_hash(struct xdp_md *ctx)
{
	return touch(ctx, &floor_hash, 20);
}

char LICENSE[] SEC("license") = "GPL";
