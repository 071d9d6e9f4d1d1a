/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: constants and structures shared by the XDP program, the kernel
 * module and user space.  This is the one definition of each of them.
 *
 * Everything here is plain C on <linux/types.h> so that it compiles for
 * clang -target bpf, for kbuild and for user space alike.
 */
#ifndef AUTOSEL_ABI_H
#define AUTOSEL_ABI_H

#include <linux/types.h>

/* Approval slots: indicator values are a bitmask over them (u64). */
#define AS_MAX_SLOTS		64

/* Measure (direction) classes.  AS_DIR_DD is never selected. */
enum as_dir {
	AS_DIR_FF = 0,	/* foreign -> foreign (transit) */
	AS_DIR_FD = 1,	/* foreign -> domestic */
	AS_DIR_DF = 2,	/* domestic -> foreign */
	AS_DIR_DD = 3,	/* domestic -> domestic: never selected */
	AS_DIR_MAX,
};

/* Deletion reasons, in the order they are listed in the ABI document. */
enum as_reason {
	AS_DEL_NO_MATCH = 0,
	AS_DEL_DOMESTIC,	/* dd */
	AS_DEL_DIRECTION,	/* matched an approval of another measure type */
	AS_DEL_EXPIRED,		/* matched an approval outside its window */
	AS_DEL_MALFORMED,	/* not parsable to the end of the transport header */
	AS_DEL_NON_IP,
	AS_DEL_FRAGMENT,	/* non-first fragment whose first was not selected */
	AS_DEL_MAX,
};

#define AS_REASON_NAMES { "no_match", "domestic", "direction", "expired", \
			  "malformed", "non_ip", "fragment" }
#define AS_DIR_NAMES { "ff", "fd", "df", "dd" }

/*
 * Global counters of the host (module-less) build, one PERCPU_ARRAY entry
 * each.  The module keeps the same set in its own per-CPU storage.
 */
enum as_counter {
	AS_C_SEEN = 0,
	AS_C_SEEN_BYTES,
	AS_C_SELECTED,
	AS_C_SELECTED_BYTES,		/* wire length of selected packets */
	AS_C_KEPT_BYTES,		/* header bytes kept */
	AS_C_DISCARDED_PAYLOAD,		/* bytes truncation removed */
	AS_C_DELETED,
	AS_C_DELETED_BYTES,
	AS_C_DEL_REASON,		/* + enum as_reason */
	AS_C_MAX = AS_C_DEL_REASON + AS_DEL_MAX,
};

/* Per-approval-slot counters (PERCPU_ARRAY indexed by slot). */
struct as_slot_counters {
	__u64 packets;
	__u64 flows;
	__u64 bytes;		/* wire length */
	__u64 kept_bytes;	/* header bytes kept */
};

/* One approval slot as the data path sees it (ARRAY map "approvals"). */
struct as_approval {
	__u64 valid_from_ns;	/* CLOCK_REALTIME, ns since the epoch */
	__u64 valid_until_ns;	/* exclusive */
	__u32 uid;		/* changes whenever the slot is reused */
	__u8 type;		/* enum as_dir: AS_DIR_FF, _FD or _DF */
	__u8 active;
	__u16 pad;
};

/* Run-time configuration (ARRAY map "config", one entry). */
struct as_config {
	__u64 clock_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	__u64 fixed_now_ns;	/* non-zero: judge at this time (replay) */
	__u64 flow_idle_ns;	/* 0 means AS_FLOW_IDLE_DEFAULT_NS */
	__u32 generation;	/* rule-set generation in force */
	__u32 flags;
};

#define AS_FLOW_IDLE_DEFAULT_NS	(120ULL * 1000000000ULL)

/* LPM keys for the domestic map and the indicator maps. */
struct as_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct as_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * Bidirectional flow key: endpoint "a" is the lower of the two
 * (address, port) pairs, so both directions map to one entry.
 * IPv4 addresses occupy the first four bytes, the rest is zero.
 */
struct as_flow_key {
	__u8 a[16];
	__u8 b[16];
	__u16 pa;		/* network byte order */
	__u16 pb;
	__u8 proto;
	__u8 family;		/* 4 or 6 */
	__u16 pad;
};

struct as_flow {
	__u64 last_seen_ns;
	__u32 slot;
	__u32 uid;
};

/* Fragments of one datagram: (src, dst, id, proto). */
struct as_frag_key {
	__u8 src[16];
	__u8 dst[16];
	__u32 id;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/*
 * XDP metadata in front of a selected frame, read by autosel0 to tag
 * the record with the approval slot.  The module re-parses the frame
 * itself and trusts nothing here but the slot number.
 */
#define AS_META_MAGIC	0x4153454cU	/* "ASEL" */

struct as_meta {
	__u32 magic;
	__u16 slot;
	__u16 hdr_len;
};

/* Records on autosel0 carry an 802.1Q tag with VID = slot + 1. */
#define AS_SLOT_TO_VID(slot)	((slot) + 1)

#endif /* AUTOSEL_ABI_H */
