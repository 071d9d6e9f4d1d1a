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

/*
 * The release, shown by `autoselctl --version` and the module's
 * /sys/kernel/autosel/version; AUTOSEL_BUILD (the source revision, `git
 * describe --always --dirty` at build time) comes from the Makefiles.
 */
#define AUTOSEL_VERSION		"0.9.0"
#ifndef AUTOSEL_BUILD
#define AUTOSEL_BUILD		"unknown"
#endif

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
 * What the name extraction met that the Commission should see counted
 * (Documentation/domains.rst): not verdicts, so not part of seen =
 * selected + deleted.  Global counters AS_C_NAMES + event; sysfs
 * names_<name>, `autoselctl stats` "names".
 */
enum as_names_event {
	AS_NE_ECH = 0,		/* ClientHellos read that carry encrypted_client_hello */
	AS_NE_HELLO_SPLIT,	/* ClientHellos read over more than one TCP segment */
	AS_NE_HELLO_INCOMPLETE,	/* split ClientHellos given up before a decision */
	AS_NE_MAX,
};

#define AS_NAMES_EVENT_NAMES { "ech", "hello_split", "hello_incomplete" }

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
	AS_C_NAMES = AS_C_DEL_REASON + AS_DEL_MAX,	/* + enum as_names_event */
	AS_C_MAX = AS_C_NAMES + AS_NE_MAX,
};

/*
 * The kind of indicator that opened a selected flow.  IP indicators are
 * decided first: a flow whose foreign endpoint matched an IP indicator of
 * the approval counts as ip even if its name matched too; otherwise the
 * name's carrier (enum as_name_kind, same numbers) says which.
 */
enum as_kind {
	AS_KIND_IP = 0,
	AS_KIND_DNS,		/* DNS question name */
	AS_KIND_SNI,		/* TLS ClientHello server_name */
	AS_KIND_HTTP,		/* HTTP/1.x Host header */
	AS_KIND_QUIC,		/* QUIC client Initial's server_name */
	AS_KIND_NR,
};

#define AS_KIND_NAMES { "ip", "dns", "sni", "http", "quic" }

/*
 * new_flow of a selection (kfunc autosel_count_selected): 0 for a packet
 * of a flow already selected, else 1 + the kind that opened the flow.
 */
#define AS_NEW_FLOW(kind)	((kind) + 1)

/*
 * Per-approval-slot counters (PERCPU_ARRAY indexed by slot).
 * flows == the sum of flows_kind[].
 */
struct as_slot_counters {
	__u64 packets;
	__u64 flows;
	__u64 bytes;		/* wire length */
	__u64 kept_bytes;	/* header bytes kept */
	__u64 flows_kind[AS_KIND_NR];	/* flows, by enum as_kind */
	/*
	 * Live flows of this approval that a new flow pushed out of a full
	 * bucket of the flow table (Documentation/datapath.rst, "Flows"):
	 * their next packets are judged afresh.
	 */
	__u64 flows_evicted;
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
	/*
	 * Until then every packet tests both halves of the flow marks: a swap
	 * sets it to two idle times ahead, so that a flow whose addresses the
	 * new rule set no longer guards moves to the second half
	 * (Documentation/datapath.rst).
	 */
	__u64 marks_all_until_ns;
	__u32 no_decap;		/* 1: no port decapsulates (replay --no-decap) */
	__u32 pad;
};

/*
 * Ports that do not decapsulate (attach --no-decap): nodecap[ifindex %
 * AS_NODECAP_PORTS] holds the ifindex of such a port, 0 none.  attach
 * refuses a second port on a taken entry.
 */
#define AS_NODECAP_PORTS	1024

#define AS_FLOW_IDLE_DEFAULT_NS	(120ULL * 1000000000ULL)
/* The flow marks' epoch, 2^37 ns (~137 s): not below the idle time. */
#define AS_MARK_EPOCH_SHIFT	37
_Static_assert(AS_FLOW_IDLE_DEFAULT_NS <= (1ULL << AS_MARK_EPOCH_SHIFT),
	       "flow mark epoch");

/* LPM keys (user space and tests: the prefixes as a rule set states them). */
struct as_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct as_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * The prefix sets (Documentation/performance.rst).  Two sets per family,
 * the domestic map and the IP indicators, answer the same question an LPM
 * trie would: the value of the longest prefix that covers an address (for
 * indicators, a slot mask that already holds the bits of every enclosing
 * prefix; for the domestic map, "yes").
 *
 * IPv4: one range table for both sets (include/autosel/range4.h builds it).
 * The address space is cut into ranges where either answer changes; each
 * range has one value, (domestic, indicator mask), an index into val4.
 *   guard4   ARRAY of bits, two per /24 (4 MB), in front: 0 "neither",
 *            1 "domestic, no indicator" (both answers, for the whole /24),
 *            2 "look further" (the /24 is not of one such value).  Most
 *            addresses stop at this one inlined load.
 *   rdir4    2^20 u32, one per /20 (4 MB): AS_R4_BLOCK clear: the value
 *            of the whole /20 (most addresses stop here, one load); set:
 *            the index in rng4 of the /20's block.
 *   rng4     u32, sized to the rule set: a block is its count n,
 *            then n ranges (offset of the first address in the /20 <<
 *            AS_R4_VAL_BITS | value), by offset, the first at 0: a binary
 *            search of at most AS_R4_LO_BITS steps finds an address's.
 *   val4     ARRAY of struct as_val4, sized to the rule set; 0 is neither.
 *
 * IPv6: the same idea, one range table for both sets (include/autosel/
 * range6.h builds it), behind a /16 table and a /32 guard.
 *   base6    2^16 u32, one per /16 (256 KB): AS_R6_LONG clear: the value
 *            of the whole /16 (one load; most addresses when few /16s hold
 *            prefixes); set: the low bits are the value of the prefixes of
 *            /16 or shorter alone, what an address gets that the guard
 *            clears.
 *   guard6   ARRAY of bits (2 MB, 2^18 words): a Bloom filter over the
 *            /32s that a prefix longer than /16 meets, two bits of one
 *            word per /32 (as_g6_hash); read where base6 says AS_R6_LONG.
 *   rdir6    2^20 u32, one per /20 (4 MB): AS_R6_BLOCK clear: the value of
 *            the whole /20; set: the index in rng6 of the /20's block.
 *   rng6     u64, sized to the rule set: a block is its count n, then n
 *            ranges (bits 20..63 of the first address, i.e. /64 units,
 *            << AS_R6_VAL_BITS | value), by offset, the first at 0: a
 *            binary search of at most AS_R6_STEPS steps.
 *   val6     ARRAY of struct as_val6, sized to the rule set; 0 is neither.
 *            A /64 that longer prefixes split has a value of its own,
 *            whose sub is 1 + the index in sub6 of its block:
 *   sub6     ARRAY of struct as_r6_sub: a count (off), then the ranges of
 *            the /64 (off: bits 64..127 of the first address; val: the
 *            value), by offset, the first at 0.
 */
enum as_pset {
	AS_PSET_DOM = 0,
	AS_PSET_IND = 1,
	AS_PSET_MAX,
};

#define AS_GUARD_IDX_BITS	24	/* positions of guard4 (/24s) */
#define AS_GUARD_WORDS		(1U << (AS_GUARD_IDX_BITS + 1 - 6))	/* u64, 2 bits */
#define AS_FLOWMARK_BITS	17	/* flow guard: 2^17 one-byte marks ... */
#define AS_FLOWMARK_N		(1U << AS_FLOWMARK_BITS)
#define AS_FLOWMARK_WORDS	(2 * AS_FLOWMARK_N / 8)	/* ... twice: u64 */

/* The IPv4 range table (above). */
#define AS_R4_DIR_BITS		20
#define AS_R4_DIR_ENTRIES	(1U << AS_R4_DIR_BITS)
#define AS_R4_LO_BITS		(32 - AS_R4_DIR_BITS)	/* offsets in a /20 */
#define AS_R4_VAL_BITS		20
#define AS_R4_VALS_MAX		(1U << AS_R4_VAL_BITS)
#define AS_R4_BLOCK		0x80000000U

_Static_assert(AS_R4_LO_BITS + AS_R4_VAL_BITS == 32, "rng4 entry");

/*
 * rdir4 and rng4 are arrays of u32 entries, stored two an element: a
 * BPF_F_MMAPABLE array lays its elements out 8 bytes apart at least, so
 * pairs keep user space's view of the mapping a plain u32 array.
 */
struct as_r4_pair {
	__u32 e[2];
};

struct as_val4 {
	__u64 mask;		/* indicator slot mask (0: none) */
	__u32 dom;		/* 1: domestic */
	__u32 pad;
};

/* The IPv6 range table (above). */
#define AS_R6_BASE_BITS		16
#define AS_R6_BASE_ENTRIES	(1U << AS_R6_BASE_BITS)
#define AS_R6_LONG		0x80000000U
#define AS_R6_DIR_BITS		20
#define AS_R6_DIR_ENTRIES	(1U << AS_R6_DIR_BITS)
#define AS_R6_OFF_BITS		(64 - AS_R6_DIR_BITS)	/* offsets in a /20 */
#define AS_R6_VAL_BITS		20
#define AS_R6_VALS_MAX		(1U << AS_R6_VAL_BITS)
#define AS_R6_BLOCK		0x80000000U
#define AS_R6_STEPS		32	/* binary search: 2^32 ranges a block */
/*
 * 2^18 guard6 words (2 MB): with 8 MB an IPv6 guard cost twice as much on
 * the development machine (Documentation/performance.rst).
 */
#define AS_G6_WORD_BITS		18
#define AS_G6_WORDS		(1U << AS_G6_WORD_BITS)

_Static_assert(AS_R6_OFF_BITS + AS_R6_VAL_BITS == 64, "rng6 entry");

struct as_val6 {
	__u64 mask;		/* indicator slot mask (0: none) */
	__u32 dom;		/* 1: domestic */
	__u32 sub;		/* 0, or 1 + the index of a block in sub6 */
};

struct as_r6_sub {
	__u64 off;		/* a block's first entry: its count */
	__u64 val;
};

/* The hashes shared by the loader and the data path (plain u32 words). */
static inline __u32 as_mix32(__u32 h, __u32 w)
{
	h ^= w;
	h *= 0x9e3779b1U;
	h ^= h >> 15;
	return h;
}

static inline __u32 as_fin32(__u32 h)
{
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	return h;
}

/* A network-order 32-bit word's mask for the first bits bits (0..32). */
static inline __u32 as_be_mask(int bits)
{
	__u32 m;

	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffffU;
	m = 0xffffffffU << (32 - bits);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap32(m);
#endif
	return m;
}

/* guard6: the hash of a /32 (host order); its top bits pick the word. */
static inline __u32 as_g6_hash(__u32 w32)
{
	return as_fin32(as_mix32(0x6a09e667U, w32));
}

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

/*
 * The flow table: AS_FLOW_BUCKETS buckets of AS_FLOW_WAYS entries (an
 * ARRAY, one bucket per element, under a spin lock of its own), chosen by
 * the low half of the flow hash; a new flow takes an empty or idle way of
 * its bucket, else the least recently seen one, which is counted
 * (flows_evicted).  2^18 flows in 16 MB, every lookup and insert one
 * bucket.  A bucket's first cache line holds its lock and, per way, the
 * top half of the flow hash (a tag), the slot and approval uid and the
 * last-seen time; the keys follow (xdp/autosel.bpf.c).
 */
#define AS_FLOW_WAYS		4
#define AS_FLOW_BUCKET_BITS	16
#define AS_FLOW_BUCKETS		(1U << AS_FLOW_BUCKET_BITS)

/* a: 4-byte aligned (word loads: BPF reads a __u8 pointer a byte a load) */
static inline __u32 as_xor4w(const __u8 *a)
{
	__u32 w[4];

	__builtin_memcpy(w, __builtin_assume_aligned(a, 4), 16);
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

/*
 * The flow hash of a packet (addresses of 16 bytes, 4-byte aligned as in
 * struct as_pkt, IPv4 in the first 4, ports in network order), the same
 * for both directions: its top AS_FLOWMARK_BITS pick the flow mark, its
 * low AS_FLOW_BUCKET_BITS the bucket of the flow table.
 */
static inline __u32 as_flow_hash(const __u8 *saddr, const __u8 *daddr,
				 __u16 sport, __u16 dport, __u8 proto)
{
	/* Symmetric: a + b is the same both ways. */
	__u32 a = as_mix32(as_xor4w(saddr), sport);
	__u32 b = as_mix32(as_xor4w(daddr), dport);

	return as_fin32((a + b) ^ proto);
}

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
 * itself and trusts nothing here but the slot number and the no-decap
 * flag (which can only make it keep fewer headers: the outer ones).
 */
#define AS_META_MAGIC	0x4153454cU	/* "ASEL" */
#define AS_META_F_NO_DECAP	0x01	/* judged by the outer headers */

struct as_meta {
	__u32 magic;
	__u16 slot;
	__u16 hdr_len;
	__u8 flags;		/* AS_META_F_* */
	__u8 pad[3];
};

/* Records on autosel0 carry an 802.1Q tag with VID = slot + 1. */
#define AS_SLOT_TO_VID(slot)	((slot) + 1)

#endif /* AUTOSEL_ABI_H */
