/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autosel: the shared parser (include/autosel/parse.h) as the XDP side
 * runs it.  Included by the XDP program and by the benchmark's parse-only
 * program, so that both measure and run the same thing.
 */
#ifndef AUTOSEL_PARSE_XDP_H
#define AUTOSEL_PARSE_XDP_H

#include <linux/bpf.h>

#include "autosel/parse.h"

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
AS_PARSE_STAGE(as_parse_tun)

/* as_parse() with the stages above: the same rounds (parse.h). */
static __always_inline int as_parse_ctx(struct xdp_md *ctx, struct as_pkt *pkt)
{
#define AS_STAGE_XDP(stage) stage##_xdp(ctx, pkt)
	AS_PARSE_ROUNDS(AS_STAGE_XDP);
#undef AS_STAGE_XDP
}

#endif /* AUTOSEL_PARSE_XDP_H */
