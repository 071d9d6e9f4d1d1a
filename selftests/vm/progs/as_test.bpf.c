// SPDX-License-Identifier: GPL-2.0
/*
 * as_test.bpf.c - a deliberately naive XDP program for the VM tests of
 * autosel.ko.  It is NOT the autosel filter: it judges by a small rule
 * table (family, protocol, port or ICMP type) and, on "select", redirects
 * the WHOLE frame to autosel0 without truncating it, so the tests can show
 * that the module enforces header-only records on its own.  Frames no rule
 * names pass untouched and uncounted, so background traffic cannot disturb
 * the exact counts the tests check.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <autosel/abi.h>
#include <autosel/parse.h>

#include "as_test.h"

extern void autosel_count_deleted(__u32 reason, __u32 wire_len) __ksym;
extern void autosel_count_selected(__u32 slot, __u32 wire_len, __u32 kept_len,
				   __u32 new_flow) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ast_key);
	__type(value, struct ast_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} out SEC(".maps");

SEC("xdp")
int as_test(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = (__u32)(end - data);
	struct ast_key key = {};
	struct as_pkt pkt;
	struct as_meta *meta;
	struct ast_rule *r;
	__u32 slot, new_flow;
	int ret;

	__builtin_memset(&pkt, 0, sizeof(pkt));
	ret = as_parse(data, end, &pkt);
	if (ret == AS_PARSE_OK) {
		key.family = pkt.family;
		key.proto = pkt.proto;
		key.port = pkt.dport;
		if (pkt.proto == AS_IPPROTO_ICMP ||
		    pkt.proto == AS_IPPROTO_ICMPV6) {
			__u8 *t = (__u8 *)data + (pkt.l4_off & 0x3ff);

			if ((void *)(t + 1) > end)
				return XDP_PASS;
			key.port = *t;
		}
	} else {
		__u8 *p = data;

		if ((void *)(p + 14) > end)
			return XDP_PASS;
		key.family = ret == AS_PARSE_NON_IP ? AST_FAM_NON_IP :
						      AST_FAM_MALFORMED;
		key.port = (__u16)((p[12] << 8) | p[13]);
	}

	r = bpf_map_lookup_elem(&rules, &key);
	if (!r)
		return XDP_PASS;
	if (r->action == AST_DELETE) {
		autosel_count_deleted(r->arg, len);
		return XDP_DROP;
	}

	slot = r->arg;
	new_flow = !(pkt.proto == AS_IPPROTO_TCP && !(pkt.tcp_flags & 0x02));
	/* kept_len = wire_len: this program truncates nothing. */
	autosel_count_selected(slot, len, len, new_flow);
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct as_meta)))
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return XDP_DROP;
	meta->magic = AS_META_MAGIC;
	meta->slot = (__u16)slot;
	meta->hdr_len = 0;
	meta->flags = 0;	/* the module decapsulates, as by default */
	return bpf_redirect_map(&out, 0, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
