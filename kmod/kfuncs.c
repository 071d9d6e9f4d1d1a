// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: kfuncs through which an XDP program accounts its verdicts.
 *
 * Each call accounts one packet: it is seen once and gets exactly one
 * verdict, so seen = selected + deleted = selected + sum(deleted_<reason>)
 * holds by construction.  Out-of-range arguments (a buggy program) never
 * lose the packet from the books: it is still counted with the verdict the
 * program chose, attributed to the safest place, and invalid_calls records
 * that it happened (Documentation/module.rst, "kfuncs").
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/module.h>

#include "autosel.h"

__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "kfuncs are called from BPF programs only");

/**
 * autosel_count_deleted - account one deleted packet
 * @reason: enum as_reason; out of range counts as AS_DEL_MALFORMED
 * @wire_len: length of the packet as received
 */
noinline void autosel_count_deleted(u32 reason, u32 wire_len)
{
	if (unlikely(reason >= AS_DEL_MAX)) {
		as_count(AS_K_INVALID_CALLS, 1);
		reason = AS_DEL_MALFORMED;
	}
	as_count(AS_C_SEEN, 1);
	as_count(AS_C_SEEN_BYTES, wire_len);
	as_count(AS_C_DELETED, 1);
	as_count(AS_C_DELETED_BYTES, wire_len);
	as_count(AS_C_DEL_REASON + reason, 1);
}

/**
 * autosel_count_selected - account one selected packet
 * @slot: approval slot that selected it; out of range is counted as
 *	selected but attributed to no approval
 * @wire_len: length of the packet as received
 * @kept_len: length the program truncated it to before redirecting it
 *	(autosel0 then trims what is still beyond the headers)
 * @new_flow: 0, or AS_NEW_FLOW(kind) if this packet started a flow under
 *	@slot, opened by an indicator of enum as_kind @kind; out of range
 *	counts the flow under no kind
 */
noinline void autosel_count_selected(u32 slot, u32 wire_len, u32 kept_len,
				     u32 new_flow)
{
	if (unlikely(kept_len > wire_len)) {
		as_count(AS_K_INVALID_CALLS, 1);
		kept_len = wire_len;
	}
	as_count(AS_C_SEEN, 1);
	as_count(AS_C_SEEN_BYTES, wire_len);
	as_count(AS_C_SELECTED, 1);
	as_count(AS_C_SELECTED_BYTES, wire_len);
	as_count(AS_C_DISCARDED_PAYLOAD, wire_len - kept_len);
	if (unlikely(slot >= AS_MAX_SLOTS)) {
		as_count(AS_K_INVALID_CALLS, 1);
		return;
	}
	as_count_slot(slot, AS_S_PACKETS, 1);
	as_count_slot(slot, AS_S_BYTES, wire_len);
	if (!new_flow)
		return;
	as_count_slot(slot, AS_S_FLOWS, 1);
	if (unlikely(new_flow > AS_KIND_NR)) {
		as_count(AS_K_INVALID_CALLS, 1);
		return;
	}
	as_count_slot(slot, AS_S_FLOWS_KIND + new_flow - 1, 1);
}

/**
 * autosel_count_evicted - account one live flow pushed out of the flow table
 * @slot: approval slot the flow was selected under; out of range is
 *	counted in invalid_calls only
 *
 * Not a verdict: the packets of that flow after it are judged afresh and
 * accounted then.
 */
noinline void autosel_count_evicted(u32 slot)
{
	if (unlikely(slot >= AS_MAX_SLOTS)) {
		as_count(AS_K_INVALID_CALLS, 1);
		return;
	}
	as_count_slot(slot, AS_S_FLOWS_EVICTED, 1);
}

/**
 * autosel_count_names - count one event of the name extraction
 * @event: enum as_names_event (an encrypted_client_hello read, a
 *	ClientHello read over several segments, one given up); out of range
 *	is counted in invalid_calls only
 *
 * Not a verdict: the packet is accounted by one of the calls above.
 */
noinline void autosel_count_names(u32 event)
{
	if (unlikely(event >= AS_NE_MAX)) {
		as_count(AS_K_INVALID_CALLS, 1);
		return;
	}
	as_count(AS_C_NAMES + event, 1);
}

__diag_pop();

BTF_SET8_START(as_kfunc_ids)
BTF_ID_FLAGS(func, autosel_count_deleted)
BTF_ID_FLAGS(func, autosel_count_selected)
BTF_ID_FLAGS(func, autosel_count_evicted)
BTF_ID_FLAGS(func, autosel_count_names)
BTF_SET8_END(as_kfunc_ids)

static const struct btf_kfunc_id_set as_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &as_kfunc_ids,
};

/*
 * There is no unregister: the set goes away with the module's BTF, and a
 * program that calls these holds a reference on the module, so the
 * counters they touch outlive every caller.
 */
int as_kfuncs_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &as_kfunc_set);
}
