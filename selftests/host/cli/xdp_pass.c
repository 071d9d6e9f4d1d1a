// SPDX-License-Identifier: GPL-2.0
/*
 * XDP_PASS on the receiving end of the collection veth: a veth only takes
 * frames redirected into its peer when that peer runs XDP (or has GRO on,
 * which needs ethtool).  Test helper only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
