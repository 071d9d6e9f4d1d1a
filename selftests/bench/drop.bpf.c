// SPDX-License-Identifier: GPL-2.0
/* The floor: a bare XDP_DROP, measured beside autosel in the same run. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bare_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
