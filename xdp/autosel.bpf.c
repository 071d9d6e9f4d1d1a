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

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct as_lpm4);
	__type(value, __u8);
} domestic4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct as_lpm6);
	__type(value, __u8);
} domestic6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct as_lpm4);
	__type(value, __u64);
} ind4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct as_lpm6);
	__type(value, __u64);
} ind6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 18);
	__type(key, struct as_flow_key);
	__type(value, struct as_flow);
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
	struct as_lpm6 k6;
	struct as_lpm4 k4;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

#ifdef AUTOSEL_KFUNCS
extern void autosel_count_deleted(__u32 reason, __u32 wire_len) __ksym;
extern void autosel_count_selected(__u32 slot, __u32 wire_len,
				   __u32 kept_len, __u32 new_flow) __ksym;
#else
static __always_inline void as_count(__u32 idx, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += v;
}
#endif

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
	if (sc) {
		sc->packets++;
		sc->flows += new_flow;
		sc->bytes += wire_len;
		sc->kept_bytes += kept;
	}
#endif
}

/*
 * Truncate to the headers, tag with the slot and hand to the collection
 * device.  A frame that cannot be truncated is never kept.
 */
static __always_inline int as_select(struct xdp_md *ctx, __u32 hdr_len,
				     __u32 wire_len, __u32 slot,
				     __u32 new_flow)
{
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
		}
	}
	as_account_selected(slot, wire_len, hdr_len, new_flow);
	/* The loader fills tx_port before it attaches; without it, drop. */
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

static __always_inline int as_lookup_domestic(struct as_scratch *s,
					      const __u8 *addr)
{
	if (s->pkt.family == 4) {
		s->k4.prefixlen = 32;
		__builtin_memcpy(s->k4.addr, addr, 4);
		return bpf_map_lookup_elem(&domestic4, &s->k4) != NULL;
	}
	s->k6.prefixlen = 128;
	__builtin_memcpy(s->k6.addr, addr, 16);
	return bpf_map_lookup_elem(&domestic6, &s->k6) != NULL;
}

static __always_inline __u64 as_lookup_ind(struct as_scratch *s,
					   const __u8 *addr)
{
	__u64 *mask;

	if (s->pkt.family == 4) {
		s->k4.prefixlen = 32;
		__builtin_memcpy(s->k4.addr, addr, 4);
		mask = bpf_map_lookup_elem(&ind4, &s->k4);
	} else {
		s->k6.prefixlen = 128;
		__builtin_memcpy(s->k6.addr, addr, 16);
		mask = bpf_map_lookup_elem(&ind6, &s->k6);
	}
	return mask ? *mask : 0;
}

static __always_inline int as_in_window(const struct as_approval *a,
					__u64 now)
{
	return now >= a->valid_from_ns && now < a->valid_until_ns;
}

/* Is the approval a flow or fragment entry was made under still in force? */
static __always_inline int as_entry_valid(const struct as_flow *f, __u64 now,
					  __u64 idle)
{
	struct as_approval *a;
	__u32 slot = f->slot;

	if (slot >= AS_MAX_SLOTS)
		return 0;
	a = bpf_map_lookup_elem(&approvals, &slot);
	if (!a || !a->active || a->uid != f->uid || !as_in_window(a, now))
		return 0;
	return now - f->last_seen_ns <= idle;
}

static __always_inline void as_flow_key(const struct as_pkt *pkt,
					struct as_flow_key *k)
{
	int swap = 0, i;

#pragma unroll
	for (i = 0; i < 16; i++) {
		if (pkt->saddr[i] != pkt->daddr[i]) {
			swap = pkt->saddr[i] > pkt->daddr[i];
			break;
		}
	}
	if (i == 16)
		swap = pkt->sport > pkt->dport;
	if (swap) {
		__builtin_memcpy(k->a, pkt->daddr, 16);
		__builtin_memcpy(k->b, pkt->saddr, 16);
		k->pa = pkt->dport;
		k->pb = pkt->sport;
	} else {
		__builtin_memcpy(k->a, pkt->saddr, 16);
		__builtin_memcpy(k->b, pkt->daddr, 16);
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
			if (a && a->active) {
				if (a->type != dir) {
					other = 1;
				} else if (!as_in_window(a, now)) {
					expired = 1;
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

/*
 * The parser's three stages as global BPF functions: the verifier checks
 * each once on its own, instead of every path through one stage times
 * every path through the next.
 */
#define AS_PARSE_STAGE(name)						\
__attribute__((noinline))						\
int name##_xdp(struct xdp_md *ctx, struct as_pkt *pkt)			\
{									\
	const __u8 *data = (const __u8 *)(long)ctx->data;		\
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;	\
									\
	if (!pkt)							\
		return AS_PARSE_MALFORMED;				\
	return name(data, data_end, pkt);				\
}

AS_PARSE_STAGE(as_parse_l2)
AS_PARSE_STAGE(as_parse_l3)
AS_PARSE_STAGE(as_parse_l4)

static __always_inline int as_parse_ctx(struct xdp_md *ctx, struct as_pkt *pkt)
{
	int ret;

	ret = as_parse_l2_xdp(ctx, pkt);
	if (ret != AS_PARSE_OK)
		return ret;
	ret = as_parse_l3_xdp(ctx, pkt);
	if (ret != AS_PARSE_OK)
		return ret;
	return as_parse_l4_xdp(ctx, pkt);
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
	return as_select(ctx, s->pkt.hdr_len, wire_len, nf->slot, new_flow);
}

SEC("xdp.frags")
int autosel_xdp(struct xdp_md *ctx)
{
	__u32 wire_len = bpf_xdp_get_buff_len(ctx);
	__u32 zero = 0, reason = AS_DEL_NO_MATCH, uid = 0;
	struct as_flow *f, nf = {};
	struct as_config *cfg;
	struct as_scratch *s;
	struct as_pkt *pkt;
	__u64 now, idle, mask;
	int ret, dom_s, dom_d, slot;
	__u8 dir;

	s = bpf_map_lookup_elem(&scratch, &zero);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!s || !cfg)		/* cannot happen for arrays; never keep */
		return as_delete(AS_DEL_MALFORMED, wire_len);
	/* Keys are written whole before use; only the packet starts empty. */
	pkt = &s->pkt;
	__builtin_memset(pkt, 0, sizeof(*pkt));

	ret = as_parse_ctx(ctx, pkt);
	if (ret == AS_PARSE_NON_IP)
		return as_delete(AS_DEL_NON_IP, wire_len);
	if (ret != AS_PARSE_OK)
		return as_delete(AS_DEL_MALFORMED, wire_len);

	now = cfg->fixed_now_ns ? cfg->fixed_now_ns :
	      bpf_ktime_get_ns() + cfg->clock_offset_ns;
	idle = cfg->flow_idle_ns ? cfg->flow_idle_ns : AS_FLOW_IDLE_DEFAULT_NS;

	dom_s = as_lookup_domestic(s, pkt->saddr);
	dom_d = as_lookup_domestic(s, pkt->daddr);
	if (dom_s && dom_d)
		return as_delete(AS_DEL_DOMESTIC, wire_len);
	dir = dom_s ? AS_DIR_DF : dom_d ? AS_DIR_FD : AS_DIR_FF;

	/* A non-first fragment follows its first fragment, or goes. */
	if (pkt->frag == AS_FRAG_LATER) {
		as_frag_key(pkt, &s->gk);
		f = bpf_map_lookup_elem(&frags, &s->gk);
		if (!f || !as_entry_valid(f, now, idle))
			return as_delete(AS_DEL_FRAGMENT, wire_len);
		f->last_seen_ns = now;
		return as_select(ctx, pkt->hdr_len, wire_len, f->slot, 0);
	}

	/* A flow already selected stays selected, both ways. */
	as_flow_key(pkt, &s->fk);
	f = bpf_map_lookup_elem(&flows, &s->fk);
	if (f) {
		if (as_entry_valid(f, now, idle)) {
			slot = f->slot;
			nf.slot = f->slot;
			nf.uid = f->uid;
			nf.last_seen_ns = now;
			if (as_flow_closes(pkt))
				bpf_map_delete_elem(&flows, &s->fk);
			else
				f->last_seen_ns = now;
			return as_select_first(ctx, s, &nf, wire_len, 0);
		}
		bpf_map_delete_elem(&flows, &s->fk);
	}

	/* IP indicators match the foreign endpoint(s) only. */
	mask = 0;
	if (!dom_s)
		mask |= as_lookup_ind(s, pkt->saddr);
	if (!dom_d)
		mask |= as_lookup_ind(s, pkt->daddr);
	if (!mask)
		return as_delete(AS_DEL_NO_MATCH, wire_len);
	slot = as_match(mask, dir, now, &reason, &uid);
	if (slot < 0)
		return as_delete(reason, wire_len);

	nf.slot = slot;
	nf.uid = uid;
	nf.last_seen_ns = now;
	if (!as_flow_closes(pkt))
		bpf_map_update_elem(&flows, &s->fk, &nf, BPF_ANY);
	return as_select_first(ctx, s, &nf, wire_len, 1);
}

char LICENSE[] SEC("license") = "GPL";
