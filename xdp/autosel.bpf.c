// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: the selection data path.
 *
 * Every packet that reaches the capture interface leaves this program in
 * one of two ways: selected (truncated to its headers and redirected to the
 * collection device through tx_port) or deleted (XDP_DROP).  Each verdict
 * is accounted exactly once, by as_select() or as_delete().
 *
 * Built twice from this file: autosel.bpf.o keeps its counters in the
 * `counters` and `slot_counters` maps (replay, hosts without the module),
 * autosel_kf.bpf.o (-DAUTOSEL_KFUNCS) hands every verdict to autosel.ko,
 * whose counters are the ones auditors read.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "autosel/abi.h"
#include "autosel/parse.h"
#include "names.h"
#include "parse_xdp.h"

/* A name's kind is its flow's kind (abi.h, names.h). */
_Static_assert(AS_NAME_DNS == AS_KIND_DNS && AS_NAME_SNI == AS_KIND_SNI &&
	       AS_NAME_HTTP == AS_KIND_HTTP && AS_NAME_QUIC == AS_KIND_QUIC,
	       "enum as_kind != as_name_kind");

#ifdef AS_BENCH_RAND
#include "rand.h"	/* selftests/bench: the bench-only address-varying step */
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct as_approval);
} approvals SEC(".maps");

/*
 * The domestic map and the IP indicators (include/autosel/abi.h,
 * Documentation/performance.rst): one range table per family.  The
 * loader sizes rng4, val4, rng6, val6 and sub6 to the rule set before it
 * loads the object.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_GUARD_WORDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} guard4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_R4_DIR_ENTRIES / 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_r4_pair);
} rdir4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 15);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_r4_pair);
} rng4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 10);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_val4);
} val4 SEC(".maps");

/* IPv6: the same, behind base6 and a /32 guard (range6.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_R6_BASE_ENTRIES / 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_r4_pair);
} base6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_G6_WORDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} guard6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_R6_DIR_ENTRIES / 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_r4_pair);
} rdir6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 16);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} rng6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 14);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_val6);
} val6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 14);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct as_r6_sub);
} sub6 SEC(".maps");

/*
 * "Certainly no flow": one byte per hashed bidirectional 5-tuple, written
 * whenever a flow is entered or sees a packet (see as_flowmark_test), so
 * that most packets skip the flow-table lookup.  Two halves of 128 KB: the
 * first is marked by every selected flow, the second also by the flows
 * their own addresses cannot select (opened by a name); a packet whose
 * addresses no IP indicator can match tests the second only (autosel_xdp).
 * Flow state: it must live exactly as long as `flows` (share both or
 * neither between objects).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_FLOWMARK_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} flowmark SEC(".maps");

/*
 * Selected flows (abi.h, Documentation/datapath.rst "Flows"): a bucket of
 * AS_FLOW_WAYS ways per flow hash, shared by every CPU (the two directions
 * of a flow may arrive on two), each under its own lock.  Nothing is
 * allocated per packet: a new flow overwrites an empty, idle or, in a full
 * bucket, the least recently seen way, and a live flow pushed out that way
 * is counted (flows_evicted).
 */
struct as_flow_bucket {
	/*
	 * The header line: all that a lookup that misses and an insert's
	 * choice of way read.
	 */
	struct bpf_spin_lock lock;
	__u16 tag[AS_FLOW_WAYS];	/* the flow hash's top half (as_flow_tag) */
	__u8 slot[AS_FLOW_WAYS];	/* the approval slot of the way's flow */
	__u32 uid[AS_FLOW_WAYS];	/* and that approval's uid */
	__u64 seen[AS_FLOW_WAYS];	/* last seen (ns); 0: an empty way */
	struct as_flow_key key[AS_FLOW_WAYS];	/* 160 bytes */
	__u8 pad[32];
};

_Static_assert(sizeof(struct as_flow_bucket) == 256, "flow bucket size");
_Static_assert(__builtin_offsetof(struct as_flow_bucket, key) == 64,
	       "a bucket's header is one cache line");
_Static_assert(AS_MAX_SLOTS <= 256, "a slot in a byte");

/* The low half of the flow hash picks the bucket; the top half is the tag. */
_Static_assert(AS_FLOW_BUCKET_BITS == 16, "as_flow_tag");
static __always_inline __u16 as_flow_tag(__u32 fh)
{
	return (__u16)(fh >> 16);
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_FLOW_BUCKETS);
	__type(key, __u32);
	__type(value, struct as_flow_bucket);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 14);
	__type(key, struct as_frag_key);
	__type(value, struct as_flow);
} frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct as_slot_counters);
} slot_counters SEC(".maps");

/*
 * Per-CPU scratch space: the parsed packet and the lookup keys do not fit
 * the 512-byte BPF stack together once clang has inlined everything.
 */
struct as_scratch {
	struct as_pkt pkt;
	struct as_flow_key fk;
	struct as_frag_key gk;
	struct as_res_key rk;
	struct as_flow fe;	/* the flow-table entry found, entered, evicted */
	struct as_flow nf;	/* the flow the packet is selected under */
	/* what may open a new flow: kept here, out of the verifier's sight */
	__u64 ind_s, ind_d;	/* the endpoints' indicator masks */
	__u64 ip_mask;		/* slots whose IP indicators matched */
	__u64 res_mask;		/* slots whose answered addresses matched */
	__u32 name_kind;	/* enum as_name_kind of the matched name */
	__u32 ipg;		/* could an IP indicator match (autosel_xdp) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_scratch);
} scratch SEC(".maps");

/*
 * as_ld32(), as_ld64be(), as_flow_hash() and as_flow_key() read the
 * packet's addresses by words, and as_flow_key() writes the key so.
 */
_Static_assert(__builtin_offsetof(struct as_scratch, pkt) % 8 == 0 &&
	       __builtin_offsetof(struct as_pkt, saddr) == 0 &&
	       __builtin_offsetof(struct as_pkt, daddr) == 16 &&
	       __builtin_offsetof(struct as_scratch, fk) % 8 == 0,
	       "addresses and flow key 8-byte aligned");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

/* Ports whose outer headers are the communication (abi.h, attach). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_NODECAP_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} nodecap SEC(".maps");

#ifdef AUTOSEL_KFUNCS
extern void autosel_count_deleted(__u32 reason, __u32 wire_len) __ksym;
extern void autosel_count_selected(__u32 slot, __u32 wire_len,
				   __u32 kept_len, __u32 new_flow) __ksym;
extern void autosel_count_evicted(__u32 slot) __ksym;
extern void autosel_count_names(__u32 event) __ksym;
#else
static __always_inline void as_count(__u32 idx, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += v;
}
#endif

/* An event of the name extraction (names.h, hello_tcp.h): no verdict. */
static __always_inline void as_count_names(__u32 event)
{
#ifdef AUTOSEL_KFUNCS
	autosel_count_names(event);
#else
	as_count(AS_C_NAMES + event, 1);
#endif
}

/* The one place a deletion is accounted. */
static __always_inline int as_delete(__u32 reason, __u32 wire_len)
{
#ifdef AUTOSEL_KFUNCS
	autosel_count_deleted(reason, wire_len);
#else
	as_count(AS_C_SEEN, 1);
	as_count(AS_C_SEEN_BYTES, wire_len);
	as_count(AS_C_DELETED, 1);
	as_count(AS_C_DELETED_BYTES, wire_len);
	as_count(AS_C_DEL_REASON + reason, 1);
#endif
	return XDP_DROP;
}

/* The one place a selection is accounted. */
static __always_inline void as_account_selected(__u32 slot, __u32 wire_len,
						__u32 kept, __u32 new_flow)
{
#ifdef AUTOSEL_KFUNCS
	autosel_count_selected(slot, wire_len, kept, new_flow);
#else
	struct as_slot_counters *sc;

	as_count(AS_C_SEEN, 1);
	as_count(AS_C_SEEN_BYTES, wire_len);
	as_count(AS_C_SELECTED, 1);
	as_count(AS_C_SELECTED_BYTES, wire_len);
	as_count(AS_C_KEPT_BYTES, kept);
	as_count(AS_C_DISCARDED_PAYLOAD, wire_len - kept);
	sc = bpf_map_lookup_elem(&slot_counters, &slot);
	if (!sc)
		return;
	sc->packets++;
	sc->bytes += wire_len;
	sc->kept_bytes += kept;
	/* Constant indices: no variable-offset store into the map value. */
	switch (new_flow) {
	case AS_NEW_FLOW(AS_KIND_IP):
		sc->flows_kind[AS_KIND_IP]++;
		break;
	case AS_NEW_FLOW(AS_KIND_DNS):
		sc->flows_kind[AS_KIND_DNS]++;
		break;
	case AS_NEW_FLOW(AS_KIND_SNI):
		sc->flows_kind[AS_KIND_SNI]++;
		break;
	case AS_NEW_FLOW(AS_KIND_HTTP):
		sc->flows_kind[AS_KIND_HTTP]++;
		break;
	case AS_NEW_FLOW(AS_KIND_QUIC):
		sc->flows_kind[AS_KIND_QUIC]++;
		break;
	default:
		return;		/* not a new flow */
	}
	sc->flows++;
#endif
}

/*
 * Truncate to the headers, tag with the slot and hand to the collection
 * device.  A frame that cannot be truncated is never kept.
 */
static __always_inline int as_select(struct xdp_md *ctx,
				     const struct as_pkt *pkt, __u32 wire_len,
				     __u32 slot, __u32 new_flow)
{
	__u32 hdr_len = pkt->hdr_len;
	struct as_meta *meta;
	void *data;
	int delta = (int)hdr_len - (int)wire_len;

	if (delta > 0)
		return as_delete(AS_DEL_MALFORMED, wire_len);
	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return as_delete(AS_DEL_MALFORMED, wire_len);
	/* Metadata is a label for autosel0; drivers without it get none. */
	if (!bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta))) {
		meta = (void *)(long)ctx->data_meta;
		data = (void *)(long)ctx->data;
		if ((void *)(meta + 1) <= data) {
			meta->magic = AS_META_MAGIC;
			meta->slot = (__u16)slot;
			meta->hdr_len = (__u16)hdr_len;
			meta->flags = pkt->no_decap ? AS_META_F_NO_DECAP : 0;
			meta->pad[0] = 0;
			meta->pad[1] = 0;
			meta->pad[2] = 0;
		}
	}
	as_account_selected(slot, wire_len, hdr_len, new_flow);
	/* The loader fills tx_port before it attaches; without it, drop. */
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

/*
 * The addresses are struct as_pkt's, 8-byte aligned in the scratch: word
 * loads (a plain memcpy from __u8 is a load per byte in BPF).
 */
static __always_inline __u32 as_ld32(const __u8 *p)
{
	__u32 w;

	__builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
	return w;
}

/*
 * The value index of an IPv4 address (host order) in the range table:
 * its /20's entry, or a binary search of the /20's block.  A global
 * function: verified once for both addresses.
 */
static __always_inline int as_r4_entry(void *map, __u32 i, __u32 *out)
{
	__u32 w = i >> 1;
	struct as_r4_pair *p = bpf_map_lookup_elem(map, &w);

	if (!p)
		return -1;
	*out = p->e[i & 1];
	return 0;
}

__attribute__((noinline))
__u32 as_range4(__u32 a)
{
	__u32 x = a & ((1U << AS_R4_LO_BITS) - 1), d, e, lo = 0, hi, start, i;

	if (as_r4_entry(&rdir4, a >> AS_R4_LO_BITS, &d))
		return 0;
	if (!(d & AS_R4_BLOCK))
		return d;
	start = (d & ~AS_R4_BLOCK) + 1;
	if (as_r4_entry(&rng4, start - 1, &hi))
		return 0;
	/* a block holds at most 2^AS_R4_LO_BITS ranges */
	for (i = 0; i < AS_R4_LO_BITS; i++) {
		__u32 mid;

		if (hi - lo <= 1)
			break;
		mid = (lo + hi) >> 1;
		if (as_r4_entry(&rng4, start + mid, &e))
			return 0;
		if ((e >> AS_R4_VAL_BITS) <= x)
			lo = mid;
		else
			hi = mid;
	}
	if (as_r4_entry(&rng4, start + lo, &e))
		return 0;
	return e & (AS_R4_VALS_MAX - 1);
}

/*
 * Domestic?  And the slot mask of the longest indicator prefix (0: none).
 * The /24's guard bits answer for most addresses with one inlined load;
 * the range table, where they say "look further".
 */
static __always_inline int as_addr4(const __u8 *addr, __u64 *mask)
{
	__u32 a = __builtin_bswap32(as_ld32(addr)), bit = (a >> 8) << 1;
	__u32 w = bit >> 6, g, vi;
	struct as_val4 *v;
	__u64 *gw;

	*mask = 0;
	gw = bpf_map_lookup_elem(&guard4, &w);
	g = gw ? (__u32)(*gw >> (bit & 63)) & 3 : 0;
	if (!(g & 2))
		return g & 1;
	vi = as_range4(a);
	v = bpf_map_lookup_elem(&val4, &vi);
	if (!v)
		return 0;
	*mask = v->mask;
	return v->dom != 0;
}

/*
 * The value index of an IPv6 address (hi, lo: host order) in the range
 * table: its /20's entry or a binary search of the /20's block, and for a
 * /64 that longer prefixes split, a binary search of its sub-block.  A
 * global function: verified once for both addresses.
 */
static __always_inline int as_r6_entry(__u32 i, __u64 *out)
{
	__u64 *p = bpf_map_lookup_elem(&rng6, &i);

	if (!p)
		return -1;
	*out = *p;
	return 0;
}

/*
 * 1 if a <= b (unsigned), 0 if not, as arithmetic (the borrow of b - a):
 * a branch per step would double the verifier's states at every step of
 * a search; the empty asm keeps clang from making it one.
 */
static __always_inline __u32 as_le64(__u64 a, __u64 b)
{
	__u64 c = (((~b & a) | (~(b ^ a) & (b - a))) >> 63) ^ 1;

	asm volatile("" : "+r"(c));
	return (__u32)c;
}

/*
 * The searches: the last of a block's n ranges (sorted, the first at 0)
 * that starts at or before the address, in ceil(log2(n)) steps of a
 * halving window, without a branch on the comparison.
 */
__attribute__((noinline))
__u32 as_range6(__u64 hi, __u64 lo)
{
	__u64 x = hi & ((1ULL << AS_R6_OFF_BITS) - 1), e, i;
	__u32 d, base, n, half, k, v;
	struct as_r6_sub *sb;
	struct as_val6 *val;

	if (as_r4_entry(&rdir6, (__u32)(hi >> AS_R6_OFF_BITS), &d))
		return 0;
	v = d;
	if (d & AS_R6_BLOCK) {
		base = (d & ~AS_R6_BLOCK) + 1;
		if (as_r6_entry(base - 1, &e))
			return 0;
		n = (__u32)e;
		for (i = 0; i < AS_R6_STEPS; i++) {
			if (n <= 1)
				break;
			half = n >> 1;
			if (as_r6_entry(base + half, &e))
				return 0;
			base += half & -as_le64(e >> AS_R6_VAL_BITS, x);
			n -= half;
		}
		if (as_r6_entry(base, &e))
			return 0;
		v = (__u32)e & (AS_R6_VALS_MAX - 1);
	}
	val = bpf_map_lookup_elem(&val6, &v);
	if (!val || !val->sub)
		return v;
	/* a /64 with longer prefixes: its own ranges, over bits 64..127 */
	/* (a 64-bit counter: the verifier tracks its spill exactly) */
	base = val->sub;
	k = base - 1;
	sb = bpf_map_lookup_elem(&sub6, &k);
	if (!sb)
		return 0;
	n = (__u32)sb->off;
	for (i = 0; i < AS_R6_STEPS; i++) {
		if (n <= 1)
			break;
		half = n >> 1;
		k = base + half;
		sb = bpf_map_lookup_elem(&sub6, &k);
		if (!sb)
			return 0;
		base += half & -as_le64(sb->off, lo);
		n -= half;
	}
	sb = bpf_map_lookup_elem(&sub6, &base);
	return sb ? (__u32)sb->val : 0;
}

static __always_inline __u64 as_ld64be(const __u8 *p)
{
	__u64 w;

	__builtin_memcpy(&w, __builtin_assume_aligned(p, 8), 8);
	return __builtin_bswap64(w);
}

/*
 * Domestic?  And the slot mask of the longest indicator prefix (0: none).
 * The /16's entry in base6 answers for most addresses when few /16s hold
 * prefixes; else the /32's two guard bits (one inlined load) send an
 * address on to the range table or give it the /16's short value.
 */
static __always_inline int as_addr6(const __u8 *addr, __u64 *mask)
{
	__u64 hi = as_ld64be(addr), *gw;
	__u32 b, v, h, w;
	struct as_val6 *val;

	*mask = 0;
	if (as_r4_entry(&base6, (__u32)(hi >> (64 - AS_R6_BASE_BITS)), &b))
		return 0;
	v = b & ~AS_R6_LONG;
	if (b & AS_R6_LONG) {
		h = as_g6_hash((__u32)(hi >> 32));
		w = h >> (32 - AS_G6_WORD_BITS);
		gw = bpf_map_lookup_elem(&guard6, &w);
		if (gw && ((*gw >> (h & 63)) & (*gw >> ((h >> 6) & 63)) & 1))
			v = as_range6(hi, as_ld64be(addr + 8));
	}
	if (!v)
		return 0;
	val = bpf_map_lookup_elem(&val6, &v);
	if (!val)
		return 0;
	*mask = val->mask;
	return val->dom != 0;
}

/* AS_G_IND: an IP indicator could match the address (autosel_xdp). */
#define AS_G_IND	16

/*
 * Two clocks (Documentation/datapath.rst, "Time").  as_now(): the time a
 * decision is made by -- a flow's idle time, an approval's window, a
 * name's or a fragment's state -- read where one is made.  as_now_coarse():
 * the time of the clock's last tick (CLOCK_MONOTONIC_COARSE, at most a
 * tick behind as_now(), no TSC read), which is all the "maybe" tests of
 * every packet need: the flow marks and the resolved-address mark, each of
 * which accepts the epoch after its own for that lag.  A deleted packet
 * then never waits for the TSC (rdtsc_ordered: ~20 ns a packet here,
 * "live clock" rows of make bench).  Both are the fixed time while one is set
 * (replay, tests, the bench).
 */
static __always_inline __u64 as_now(const struct as_config *cfg)
{
	return cfg->fixed_now_ns ? cfg->fixed_now_ns :
	       bpf_ktime_get_ns() + cfg->clock_offset_ns;
}

static __always_inline __u64 as_now_coarse(const struct as_config *cfg)
{
	return cfg->fixed_now_ns ? cfg->fixed_now_ns :
	       bpf_ktime_get_coarse_ns() + cfg->clock_offset_ns;
}

/* 1 if x is not 0, without a branch: the verifier follows one path. */
static __always_inline __u64 as_nz(__u64 x)
{
	__u64 b = (x | -x) >> 63;

	asm volatile("" : "+r"(b));	/* or clang makes it a branch */
	return b;
}

/*
 * The idle time, 0 in the configuration meaning the default; read where
 * it is used (a value kept across the lookups would take the main
 * frame's stack, which 6.1's limit on a call chain leaves no room for).
 */
static __always_inline __u64 as_idle_ns(const struct as_config *cfg)
{
	__u64 idle = cfg->flow_idle_ns;

	return idle + (AS_FLOW_IDLE_DEFAULT_NS & (as_nz(idle) - 1));
}

/*
 * One byte per mark, holding the epoch in which a flow hashing to it last
 * saw a packet.  An epoch is 2^k ns, not below the idle timeout (k = 37
 * for the default 120 s and any shorter one); a mark holds its low 7 bits
 * with the top bit set (0 is "never").  A mark of the current or the
 * previous epoch says "maybe" (and of the next: the test's clock may be a
 * tick behind the writer's, as_now_coarse()); anything else "certainly
 * not": a flow whose last packet is two epochs old has been idle longer
 * than the timeout and would not be followed anyway.  So the marks of
 * ended flows fade by themselves (an old mark that aliases a current
 * epoch only costs a lookup).  A plain byte store never loses a
 * neighbour's mark.
 */
static __always_inline __u64 as_epoch(__u64 now, __u64 idle)
{
	/*
	 * k = AS_MARK_EPOCH_SHIFT for any idle time up to 2^37 ns (the
	 * default's and every shorter one: their marks just fade later), 63
	 * above (marks that never fade: a lookup per packet of the hash,
	 * still exact).  No branch: each one multiplied the verifier's paths
	 * through the code after it; and no chain of six steps, which cost
	 * ~20 ns a call (the "new flows" row, A/B).
	 */
	return now >> (AS_MARK_EPOCH_SHIFT +
		       (63 - AS_MARK_EPOCH_SHIFT) * as_nz((idle - 1) >>
							AS_MARK_EPOCH_SHIFT));
}

static __always_inline __u8 as_mark(__u64 epoch)
{
	return (__u8)((epoch & 0x7f) | 0x80);
}

/*
 * ep is the epoch of as_now_coarse(), marks are written in as_now()'s: a
 * mark one epoch ahead is as good as the current one (a flow entered
 * since the last tick, across an epoch's end).
 */
static __always_inline int as_flowmark_test(__u32 idx, __u64 ep)
{
	__u32 w = idx >> 3;
	__u8 *v = bpf_map_lookup_elem(&flowmark, &w);
	__u8 m;

	if (!v)
		return 1;
	m = v[idx & 7];
	return m == as_mark(ep) || m == as_mark(ep - 1) ||
	       m == as_mark(ep + 1);
}

/*
 * Which halves of the marks a packet tests: the second alone when no IP
 * indicator can match it (s->ipg clear), the first alone when one can,
 * both while a swap's marks_all_until_ns lasts (all).
 */
static __always_inline int as_flow_marked(struct as_scratch *s, __u32 idx,
					  __u64 ep, int all)
{
	__u32 ipg = s->ipg;

	if ((ipg || all) && as_flowmark_test(idx, ep))
		return 1;
	return (!ipg || all) && as_flowmark_test(idx + AS_FLOWMARK_N, ep);
}

static __always_inline void as_flowmark_set(__u32 idx, __u64 ep)
{
	__u32 w = idx >> 3;
	__u8 *v = bpf_map_lookup_elem(&flowmark, &w);

	if (v && v[idx & 7] != as_mark(ep))
		v[idx & 7] = as_mark(ep);
}

static __always_inline int as_in_window(const struct as_approval *a,
					__u64 now)
{
	return now >= a->valid_from_ns && now < a->valid_until_ns;
}

/*
 * Has an entry last seen at seen been idle longer than idle?  A time after
 * now (another CPU's later clock read) is no idle time.
 */
static __always_inline int as_idle(__u64 now, __u64 seen, __u64 idle)
{
	return now > seen && now - seen > idle;
}

/* Is the approval a flow or fragment entry was made under still in force? */
static __always_inline int as_flow_approved(const struct as_flow *f, __u64 now)
{
	struct as_approval *a;
	__u32 slot = f->slot;

	if (slot >= AS_MAX_SLOTS)
		return 0;
	a = bpf_map_lookup_elem(&approvals, &slot);
	return a && a->active && a->uid == f->uid && as_in_window(a, now);
}

static __always_inline int as_entry_valid(const struct as_flow *f, __u64 now,
					  __u64 idle)
{
	return as_flow_approved(f, now) && !as_idle(now, f->last_seen_ns, idle);
}

/* One live flow of slot pushed out of its bucket (as_flow_insert). */
static __always_inline void as_count_evicted(__u32 slot)
{
#ifdef AUTOSEL_KFUNCS
	autosel_count_evicted(slot);
#else
	struct as_slot_counters *sc = bpf_map_lookup_elem(&slot_counters, &slot);

	if (sc)
		sc->flows_evicted++;
#endif
}

/* Flow keys in 8-byte words (as_flow_key). */
static __always_inline int as_fk_eq(const struct as_flow_key *x,
				    const struct as_flow_key *y)
{
	const __u64 *a = (const __u64 *)x, *b = (const __u64 *)y;

	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		 (a[3] ^ b[3]) | (a[4] ^ b[4]));
}

static __always_inline void as_fk_copy(struct as_flow_key *to,
				       const struct as_flow_key *from)
{
	__u64 *t = (__u64 *)to;
	const __u64 *f = (const __u64 *)from;

	t[0] = f[0];
	t[1] = f[1];
	t[2] = f[2];
	t[3] = f[3];
	t[4] = f[4];
}

/*
 * The flow table's operations for the flow key s->fk, whose flow hash is
 * fh (its bucket: the low AS_FLOW_BUCKET_BITS), each a global function:
 * verified once, whatever the paths of its caller.  A way is compared
 * only where its tag is fh: a miss reads the bucket's header line alone.
 *
 * as_flows_find: find the flow and, in the same critical section, mark it
 * seen now -- or empty its way, if the packet ends the flow (closes; also
 * how a flow of an approval no longer in force is forgotten) or the flow
 * has been idle too long.  Copies the entry as it was to s->fe;
 * returns 1 if a flow not idle was found.  Its approval is the caller's to
 * check.  A bucket where no live way carries the tag fh does not hold the
 * flow: that is read without the lock (aligned 4- and 8-byte loads, never
 * torn), so a packet of a flow not in the table -- every new flow's --
 * takes no lock.  A flow that another CPU enters at that moment may not be
 * seen: the same as a find just before that insert, which the lock could
 * not order either (the find and the insert are two critical sections).
 */
__attribute__((noinline))
int as_flows_find(struct xdp_md *ctx, __u32 fh, __u64 now, __u64 idle,
		  __u32 closes)
{
	__u32 zero = 0, bk = fh & (AS_FLOW_BUCKETS - 1);
	__u16 tag = as_flow_tag(fh);
	struct as_flow_bucket *b;
	struct as_scratch *s;
	int i, found = 0;

	s = bpf_map_lookup_elem(&scratch, &zero);
	b = bpf_map_lookup_elem(&flows, &bk);
	if (!ctx || !s || !b)
		return 0;
#pragma unroll
	for (i = 0; i < AS_FLOW_WAYS; i++)
		found |= b->tag[i] == tag && b->seen[i];
	if (!found)
		return 0;
	found = 0;
	bpf_spin_lock(&b->lock);
#pragma unroll
	for (i = 0; i < AS_FLOW_WAYS; i++) {
		__u64 seen = b->seen[i];

		if (!seen || b->tag[i] != tag ||
		    !as_fk_eq(&b->key[i], &s->fk))
			continue;
		s->fe.last_seen_ns = seen;
		s->fe.slot = b->slot[i];
		s->fe.uid = b->uid[i];
		found = !as_idle(now, seen, idle);
		b->seen[i] = found && !closes ? now : 0;
		break;
	}
	bpf_spin_unlock(&b->lock);
	return found;
}

/*
 * Enter flow s->fk with value s->fe into its bucket: into its own way if
 * another CPU has entered it meanwhile, else the first way that is empty,
 * idle or of an approval no longer in force (a removed or replaced one:
 * its uid is gone), else the least recently seen one.  Returns 1 when
 * that pushed out a live flow, whose entry is then in s->fe; 2 when the
 * flow was there, live (another CPU entered it since this one looked, or
 * the flow marks spared the look): this packet did not open it.
 */
__attribute__((noinline))
int as_flows_insert(struct xdp_md *ctx, __u32 fh, __u64 idle)
{
	__u32 zero = 0, dead = 0, bk = fh & (AS_FLOW_BUCKETS - 1);
	__u16 tag = as_flow_tag(fh);
	__u32 uid[AS_FLOW_WAYS];
	__u64 now, oldest = ~0ULL, seen0[AS_FLOW_WAYS];
	struct as_flow_bucket *b;
	struct as_scratch *s;
	struct as_flow old;
	int i, v = -1, lru = 0, own = 0;

	s = bpf_map_lookup_elem(&scratch, &zero);
	b = bpf_map_lookup_elem(&flows, &bk);
	if (!ctx || !s || !b)
		return 0;
	now = s->fe.last_seen_ns;
	/*
	 * Which live ways hold flows of approvals no longer in force: looked
	 * up before the lock (no calls under it), so each is taken below only
	 * if it still holds the entry seen here (uid and last-seen time).
	 * All of it is in the header line: the keys' lines are read only
	 * where a tag matches, and written in the way taken.
	 */
#pragma unroll
	for (i = 0; i < AS_FLOW_WAYS; i++) {
		struct as_flow f;

		seen0[i] = b->seen[i];
		uid[i] = 0;
		if (!seen0[i] || as_idle(now, seen0[i], idle))
			continue;
		f.last_seen_ns = seen0[i];
		f.slot = b->slot[i];
		f.uid = b->uid[i];
		uid[i] = f.uid;
		if (!as_flow_approved(&f, now))
			dead |= 1U << i;
	}
	bpf_spin_lock(&b->lock);
#pragma unroll
	for (i = 0; i < AS_FLOW_WAYS; i++) {
		__u64 seen = b->seen[i];

		if (seen && b->tag[i] == tag &&
		    as_fk_eq(&b->key[i], &s->fk)) {
			v = i;
			own = !as_idle(now, seen, idle);
			break;
		}
		if (v < 0 && (!seen || as_idle(now, seen, idle) ||
			      ((dead >> i) & 1 && b->uid[i] == uid[i] &&
			       seen == seen0[i])))
			v = i;
		if (seen < oldest) {
			oldest = seen;
			lru = i;
		}
	}
	if (v < 0) {
		v = lru;
		old.last_seen_ns = b->seen[v & (AS_FLOW_WAYS - 1)];
		old.slot = b->slot[v & (AS_FLOW_WAYS - 1)];
		old.uid = b->uid[v & (AS_FLOW_WAYS - 1)];
	} else {
		old.last_seen_ns = 0;
	}
	v &= AS_FLOW_WAYS - 1;
	as_fk_copy(&b->key[v], &s->fk);
	b->slot[v] = (__u8)s->fe.slot;
	b->uid[v] = s->fe.uid;
	b->tag[v] = tag;
	b->seen[v] = now;
	bpf_spin_unlock(&b->lock);
	if (own)
		return 2;
	if (!old.last_seen_ns)
		return 0;
	s->fe = old;
	return 1;
}

/*
 * Resolve-and-follow: the slot bit of an address a selected DNS response
 * answered (names.h, as_resolve_learn), 0 if none.  The mark spares most
 * packets the hash lookup.  An expired entry, or one whose approval's slot
 * has been reused, is deleted and counts as absent.
 */
static __always_inline __u64 as_lookup_resolved(struct as_scratch *s,
						const __u8 *addr, __u64 now)
{
	struct as_approval *a;
	struct as_res *r;
	__u32 slot;

	if (!as_resmark_test(addr, s->pkt.family, now))
		return 0;
	s->rk.family = s->pkt.family;
	s->rk.pad[0] = 0;
	s->rk.pad[1] = 0;
	s->rk.pad[2] = 0;
	__builtin_memcpy(s->rk.addr, addr, 16);
	r = bpf_map_lookup_elem(&resolved, &s->rk);
	if (!r)
		return 0;
	slot = r->slot;
	if (now < r->expires_ns && slot < AS_MAX_SLOTS) {
		a = bpf_map_lookup_elem(&approvals, &slot);
		if (a && a->active && a->uid == r->uid)
			return 1ULL << slot;
	}
	bpf_map_delete_elem(&resolved, &s->rk);
	return 0;
}

/*
 * The slot bits of the learned addresses among the packet's endpoints
 * (which: bit 0 the source, bit 1 the destination -- the foreign ones).
 * Not inlined: the main function's code for other packets stays as it was.
 */
__attribute__((noinline))
__u64 as_resolved_mask(struct xdp_md *ctx, __u32 which, __u64 now)
{
	struct as_scratch *s;
	__u32 zero = 0;
	__u64 mask = 0;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!ctx || !s)
		return 0;
	if (which & 1)
		mask |= as_lookup_resolved(s, s->pkt.saddr, now);
	if (which & 2)
		mask |= as_lookup_resolved(s, s->pkt.daddr, now);
	return mask;
}

/*
 * A selected packet may be a DNS response answering a matched name: learn
 * its addresses under the approval, never past its window.  Not inlined:
 * the common paths stay as they were.
 */
__attribute__((noinline))
int as_follow_answers(struct xdp_md *ctx, struct as_pkt *pkt, __u64 slot_uid,
		      __u64 now)
{
	struct as_names_cfg *cfg;
	struct as_approval *a;
	__u32 zero = 0, slot = (__u32)slot_uid;

	if (!ctx || !pkt)
		return 0;
	cfg = bpf_map_lookup_elem(&names_cfg, &zero);
	if (!as_is_dns_port(cfg, pkt->sport) && !as_is_dns_port(cfg, pkt->dport))
		return 0;
	a = bpf_map_lookup_elem(&approvals, &slot);
	if (!a)
		return 0;
	return as_resolve_learn(ctx, pkt, slot_uid, now, a->valid_until_ns);
}

/*
 * The flow key, endpoint a the lower (address, then port): built and
 * compared in 8-byte words (the keys and the packet's addresses are
 * 8-aligned in their map values; a byte copy was ~10 times the
 * instructions).
 */
_Static_assert(sizeof(struct as_flow_key) == 40, "as_flow_key: 5 words");

static __always_inline void as_flow_key(const struct as_pkt *pkt,
					struct as_flow_key *k)
{
	const __u64 *sa = (const __u64 *)pkt->saddr;
	const __u64 *da = (const __u64 *)pkt->daddr;
	__u64 s0 = sa[0], s1 = sa[1], d0 = da[0], d1 = da[1];
	__u64 *kw = (__u64 *)k;
	int swap;

	/* the first differing byte decides: big-endian words */
	if (s0 != d0)
		swap = __builtin_bswap64(s0) > __builtin_bswap64(d0);
	else if (s1 != d1)
		swap = __builtin_bswap64(s1) > __builtin_bswap64(d1);
	else
		swap = pkt->sport > pkt->dport;
	if (swap) {
		kw[0] = d0;
		kw[1] = d1;
		kw[2] = s0;
		kw[3] = s1;
		k->pa = pkt->dport;
		k->pb = pkt->sport;
	} else {
		kw[0] = s0;
		kw[1] = s1;
		kw[2] = d0;
		kw[3] = d1;
		k->pa = pkt->sport;
		k->pb = pkt->dport;
	}
	k->proto = pkt->proto;
	k->family = pkt->family;
	k->pad = 0;
}

static __always_inline void as_frag_key(const struct as_pkt *pkt,
					struct as_frag_key *k)
{
	__builtin_memcpy(k->src, pkt->saddr, 16);
	__builtin_memcpy(k->dst, pkt->daddr, 16);
	k->id = pkt->frag_id;
	/*
	 * IPv4 names a datagram by (src, dst, protocol, id); IPv6 by
	 * (src, dst, id) alone (RFC 8200), and a later fragment does not
	 * even show the protocol after the first fragment's extension chain.
	 */
	k->proto = pkt->family == 4 ? pkt->proto : 0;
	k->family = pkt->family;
	k->pad = 0;
}

/*
 * Judge a packet whose foreign endpoint(s) matched the approvals in mask:
 * returns the slot to select under, or -1 with *reason set.
 */
static __always_inline int as_match(__u64 mask, __u8 dir, __u64 now,
				    __u32 *reason, __u32 *uid)
{
	int expired = 0, other = 0;
	__u32 i;

	for (i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_approval *a;
		__u32 slot = i;

		if (!mask)
			break;
		if (mask & 1) {
			a = bpf_map_lookup_elem(&approvals, &slot);
			/*
			 * The window first: outside it an approval selects
			 * nothing, either way (the reply of an expired fd
			 * flow is expired, not of the other direction).
			 */
			if (a && a->active) {
				if (!as_in_window(a, now)) {
					expired = 1;
				} else if (a->type != dir) {
					other = 1;
				} else {
					*uid = a->uid;
					return (int)i;
				}
			}
		}
		mask >>= 1;
	}
	*reason = expired ? AS_DEL_EXPIRED :
		  other ? AS_DEL_DIRECTION : AS_DEL_NO_MATCH;
	return -1;
}

static __always_inline int as_flow_closes(const struct as_pkt *pkt)
{
	return pkt->proto == AS_IPPROTO_TCP &&
	       (pkt->tcp_flags & (AS_TCP_FIN | AS_TCP_RST));
}

/* Select; a first fragment also opens the way for the rest of its datagram. */
static __always_inline int as_select_first(struct xdp_md *ctx,
					   struct as_scratch *s,
					   struct as_flow *nf, __u32 wire_len,
					   __u32 new_flow)
{
	if (s->pkt.frag == AS_FRAG_FIRST) {
		as_frag_key(&s->pkt, &s->gk);
		bpf_map_update_elem(&frags, &s->gk, nf, BPF_ANY);
	}
	return as_select(ctx, &s->pkt, wire_len, nf->slot, new_flow);
}

/* Is this port one whose outer headers decide (attach --no-decap)? */
static __always_inline __u8 as_no_decap(struct xdp_md *ctx,
					const struct as_config *cfg)
{
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 k = ifindex % AS_NODECAP_PORTS;
	__u32 *v;

	if (cfg->no_decap)
		return 1;
	v = bpf_map_lookup_elem(&nodecap, &k);
	return v && ifindex && *v == ifindex;
}

SEC("xdp.frags")
int autosel_xdp(struct xdp_md *ctx)
{
	__u32 wire_len, zero = 0, reason = AS_DEL_NO_MATCH;
	struct as_flow *f;
	struct as_config *cfg;
	struct as_scratch *s;
	struct as_pkt *pkt;
	__u64 now, now_c, mask;
	int ret, dom_s, dom_d, slot;
	__u32 fh, fm, g_s, g_d, kind;
	__u64 ep;
	__u8 dir;

#ifdef AS_BENCH_RAND
	bench_randomize(ctx);
#endif
	wire_len = bpf_xdp_get_buff_len(ctx);
	s = bpf_map_lookup_elem(&scratch, &zero);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!s || !cfg)		/* cannot happen for arrays; never keep */
		return as_delete(AS_DEL_MALFORMED, wire_len);
	/* Keys are written whole before use; only the packet starts empty. */
	pkt = &s->pkt;
	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->no_decap = as_no_decap(ctx, cfg);

	ret = as_parse_ctx(ctx, pkt);
	if (ret == AS_PARSE_NON_IP)
		return as_delete(AS_DEL_NON_IP, wire_len);
	if (ret != AS_PARSE_OK)
		return as_delete(AS_DEL_MALFORMED, wire_len);

	/*
	 * One range-table lookup per address answers both questions, exactly:
	 * domestic, and the slots of the longest indicator prefix.
	 */
	if (pkt->family == 4) {
		dom_s = as_addr4(pkt->saddr, &s->ind_s);
		dom_d = as_addr4(pkt->daddr, &s->ind_d);
	} else {
		dom_s = as_addr6(pkt->saddr, &s->ind_s);
		dom_d = as_addr6(pkt->daddr, &s->ind_d);
	}
	g_s = s->ind_s ? AS_G_IND : 0;
	g_d = s->ind_d ? AS_G_IND : 0;
	if (dom_s && dom_d)
		return as_delete(AS_DEL_DOMESTIC, wire_len);
	dir = dom_s ? AS_DIR_DF : dom_d ? AS_DIR_FD : AS_DIR_FF;

	/* A non-first fragment follows its first fragment, or goes. */
	if (pkt->frag == AS_FRAG_LATER) {
		as_frag_key(pkt, &s->gk);
		f = bpf_map_lookup_elem(&frags, &s->gk);
		now = as_now(cfg);
		if (!f || !as_entry_valid(f, now, as_idle_ns(cfg)))
			return as_delete(AS_DEL_FRAGMENT, wire_len);
		f->last_seen_ns = now;
		return as_select(ctx, pkt, wire_len, f->slot, 0);
	}

	/*
	 * A flow already selected stays selected, both ways.  Where no IP
	 * indicator can match the packet's foreign endpoints (ipg 0: most
	 * packets), only a flow its addresses cannot select can hold it, so
	 * the second half of the marks says; IP-selected flows, however many,
	 * leave that half alone.  A new rule set guards other addresses: for
	 * two idle times after a swap both halves count (config).
	 */
	s->ipg = ((g_s & AS_G_IND) & (dom_s ? 0 : AS_G_IND)) |
		 ((g_d & AS_G_IND) & (dom_d ? 0 : AS_G_IND));
	fh = as_flow_hash(pkt->saddr, pkt->daddr, pkt->sport, pkt->dport,
			  pkt->proto);
	fm = fh >> (32 - AS_FLOWMARK_BITS);
	now_c = as_now_coarse(cfg);
	ep = as_epoch(now_c, as_idle_ns(cfg));
	if (as_flow_marked(s, fm, ep, now_c < cfg->marks_all_until_ns)) {
		now = as_now(cfg);
		ep = as_epoch(now, as_idle_ns(cfg));
		as_flow_key(pkt, &s->fk);
		if (as_flows_find(ctx, fh, now, as_idle_ns(cfg),
				  as_flow_closes(pkt))) {
			s->nf = s->fe;
			if (as_flow_approved(&s->nf, now)) {
				s->nf.last_seen_ns = now;
				if (!as_flow_closes(pkt)) {
					as_flowmark_set(fm, ep);
					if (!s->ipg)
						as_flowmark_set(fm + AS_FLOWMARK_N,
								ep);
				}
				if (pkt->proto == AS_IPPROTO_UDP ||
				    pkt->proto == AS_IPPROTO_TCP)
					as_follow_answers(ctx, pkt,
							  ((__u64)s->nf.uid << 32) |
							  s->nf.slot, now);
				return as_select_first(ctx, s, &s->nf, wire_len,
						       0);
			}
			/* forget it */
			as_flows_find(ctx, fh, now, as_idle_ns(cfg), 1);
		}
	}

	/* IP indicators match the foreign endpoint(s) only. */
	mask = 0;
	if (!dom_s)
		mask |= s->ind_s;
	if (!dom_d)
		mask |= s->ind_d;
	s->ip_mask = mask;
	/* Addresses answered for matched names, the same way (names.h). */
	s->res_mask = 0;
	if (as_res_any(now_c))
		s->res_mask = as_resolved_mask(ctx, (dom_s ? 0 : 1) |
					       (dom_d ? 0 : 2), as_now(cfg));
	mask |= s->res_mask;
	/* Domain indicators: DNS question, TLS SNI, HTTP Host (names.h). */
	s->name_kind = AS_NAME_NONE;
	if (as_names_may(ctx, pkt, fh))
		mask |= as_match_names(ctx, pkt, &s->name_kind, as_now(cfg),
				       !mask, fh);
	if (!mask)
		return as_delete(AS_DEL_NO_MATCH, wire_len);
	now = as_now(cfg);
	ep = as_epoch(now, as_idle_ns(cfg));
	s->nf.uid = 0;
	slot = as_match(mask, dir, now, &reason, &s->nf.uid);
	if (slot < 0)
		return as_delete(reason, wire_len);

	s->nf.slot = slot;
	s->nf.last_seen_ns = now;
	ret = 0;
	if (!as_flow_closes(pkt)) {
		as_flowmark_set(fm, ep);
		/* Not opened by its addresses (an answer's expires first). */
		if (!((s->ip_mask >> slot) & 1))
			as_flowmark_set(fm + AS_FLOWMARK_N, ep);
		/*
		 * Again (a few word moves): a flag saying it was built above
		 * split the verifier's states from here on (6.1: 482k ->
		 * 757k processed instructions).
		 */
		as_flow_key(pkt, &s->fk);
		s->fe = s->nf;
		ret = as_flows_insert(ctx, fh, as_idle_ns(cfg));
		if (ret == 1 && as_flow_approved(&s->fe, now))
			as_count_evicted(s->fe.slot);
	}
	if (pkt->proto == AS_IPPROTO_UDP || pkt->proto == AS_IPPROTO_TCP)
		as_follow_answers(ctx, pkt, ((__u64)s->nf.uid << 32) | slot,
				  now);
	/*
	 * Opened by an IP indicator if the slot's IP bit is set; by an address
	 * a DNS answer gave for one of its names: dns; else by the name.
	 */
	if ((s->ip_mask >> slot) & 1)
		kind = AS_KIND_IP;
	else if ((s->res_mask >> slot) & 1)
		kind = AS_KIND_DNS;
	else
		kind = s->name_kind;
	/* a flow already entered is counted once, by the packet that did */
	return as_select_first(ctx, s, &s->nf, wire_len,
			       ret == 2 ? 0 : AS_NEW_FLOW(kind));
}

char LICENSE[] SEC("license") = "GPL";
