// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the sender of the veth throughput run (veth_blast.c, veth.sh).
 *
 * blast runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: the
 * kernel runs it once per frame and sends each frame where it says, with
 * no skb.  It applies the bench's address-varying step (rand.h; mode 1:
 * random IPv4 source and destination, mode 0: the frame as given) and
 * redirects the frame out of the veth whose ifindex is in blast_if; the
 * receiving program sits on the veth's peer in another namespace.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "rand.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} blast_if SEC(".maps");

SEC("xdp")
int blast(struct xdp_md *ctx)
{
	__u32 zero = 0, *ifindex = bpf_map_lookup_elem(&blast_if, &zero);

	if (!ifindex)
		return XDP_ABORTED;
	bench_randomize(ctx);
	return bpf_redirect(*ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
