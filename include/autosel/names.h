/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: domain indicators -- the one definition of a name as the data
 * path compares it, shared by the XDP program (xdp/names.h) and the loader
 * (user/domains.c).
 *
 * A name is compared in its *text form*: labels joined by '.', ASCII upper
 * case folded to lower case, no trailing dot, at most AS_NAME_MAX (253)
 * bytes, labels of 1..63 bytes.  A label byte is anything but NUL, '.',
 * space, control characters and DEL (A-labels are plain ASCII; nothing is
 * decoded).  A name with another byte, an empty label, a too long label or
 * too long a name is *no name*: the packet is judged by its IP addresses
 * alone.
 *
 * The domain table is frozen at install and open-addressed, in two ARRAYs:
 *
 *   "domains"    struct as_dom_slot[1 + cap], cap a power of two: entry 0
 *                the header (fp = cap - 1, ref = number of entries), then
 *                the slots, linear probing from slot (fp & (cap - 1)),
 *                at most AS_DOM_PROBES of them; ref 0: empty.
 *   "dom_names"  __u64 words: at ref the slot mask of the approvals holding
 *                the indicator, then its nw text words (below).
 *
 * The text of an entry ("c2.example", ".example": a suffix keeps its
 * leading dot, which no exact name has) is cut into 8-byte words from its
 * end: word 0 holds its last 8 bytes, word nw - 1 its first 1..8 bytes in
 * its high bytes, zeros below (little-endian loads; as if the text were
 * right-aligned in a zero-filled buffer).  A name holds no NUL, so two
 * texts are equal exactly when their nw and their words are.  The hash is
 * as_dom_fp() of as_dom_mix() over words 0 .. nw - 1; a packet's name
 * yields the hash of each of its tails that starts at a '.' on the way:
 * the tail's words below the dot's word are the name's, the dot's word is
 * the name's masked to the dot and the bytes after it.  A slot is taken
 * only when its 64-bit fingerprint, its nw and every stored word equal the
 * packet's: a collision costs a compare, it never selects.
 *
 * A packet's name N is looked up as: N itself (exact entries), then every
 * tail of N that starts at a '.' inside N (suffix entries).  So ".example"
 * matches "a.example" and "x.y.example", never "example" itself (write
 * both "example" and ".example" for both) and never "badexample".
 */
#ifndef AUTOSEL_NAMES_H
#define AUTOSEL_NAMES_H

#include <linux/types.h>

#define AS_NAME_MAX		253	/* text form, no trailing dot */
#define AS_LABEL_MAX		63
#define AS_NAME_KEY_LEN		256	/* a name's text, padded */
#define AS_NAME_WORDS		32	/* 8-byte words of a text, at most */
#define AS_DOMAINS_MAX		(1U << 18)	/* domain indicators, at most */
#define AS_DOM_PROBES		32	/* slots a lookup reads, at most */
/* "domains" / "dom_names" as compiled (a loader sizes them: domains.h) */
#define AS_DOM_SLOTS_DEFAULT	((1U << 18) + 1)
#define AS_DOM_WORDS_DEFAULT	(1U << 19)
#define AS_DNS_PORTS		4		/* names_cfg.dns_port[] */
#define AS_DNS_PORT_DEFAULT	53

/* What carried the name (as_names_scratch.kind, tests, counters). */
enum as_name_kind {
	AS_NAME_NONE = 0,
	AS_NAME_DNS,		/* DNS question, UDP or TCP, a DNS port */
	AS_NAME_SNI,		/* TLS ClientHello server_name, any TCP port */
	AS_NAME_HTTP,		/* HTTP/1.x request Host header, any TCP port */
	AS_NAME_QUIC,		/* QUIC v1/v2 client Initial's SNI, any UDP port */
};

/* One slot of "domains"; entry 0 is the header (fp: cap - 1, ref: count). */
struct as_dom_slot {
	__u64 fp;			/* as_dom_fp() of the text's words */
	__u32 ref;			/* "dom_names" index of mask, words; 0: empty */
	__u32 nw;			/* text words, 1..AS_NAME_WORDS */
};

/* ARRAY "names_cfg", one entry: the ports DNS is looked for on. */
struct as_names_cfg {
	__u16 dns_port[AS_DNS_PORTS];	/* host order; all 0: port 53 only */
	__u32 flags;			/* AS_NAMES_F_* */
	__u32 pad;
};

#define AS_NAMES_F_OFF		1	/* extract nothing (IP indicators only) */

/*
 * Resolve-and-follow (Documentation/domains.rst): the A/AAAA addresses a
 * selected DNS response gives for a matched name.  LRU_HASH "resolved"
 * (struct as_res_key -> struct as_res) and its gate "resmark", one byte
 * per hashed address holding the learning epoch (2^AS_RES_EPOCH_SHIFT ns,
 * longer than AS_RES_TTL_MAX: an entry never outlives the next epoch).
 */
#define AS_RES_MAX		(1U << 16)	/* entries in "resolved" */
#define AS_RES_MAX_RR		16		/* answer records walked */
#define AS_RES_STEPS		2048		/* labels + records walked */
#define AS_RES_TTL_MAX		86400		/* s: a day */
#define AS_RES_EPOCH_SHIFT	47		/* ~39 h */
#define AS_RESMARK_BITS		17		/* 128 KB of marks */
#define AS_RESMARK_WORDS	(1U << (AS_RESMARK_BITS - 3))

struct as_res_key {
	__u8 family;			/* 4 or 6 */
	__u8 pad[3];
	__u8 addr[16];			/* IPv4 in the first four bytes */
};

struct as_res {
	__u64 expires_ns;		/* exclusive, CLOCK_REALTIME */
	__u32 slot;
	__u32 uid;			/* the approval's uid when learned */
};

/*
 * A TLS ClientHello spread over the first TCP segments of a flow
 * (xdp/hello_tcp.h, Documentation/domains.rst): at most AS_HELLO_MAX
 * bytes over at most AS_HELLO_SEGS segments are put together, in the
 * ARRAY "hello" of AS_HELLO_SLOTS states (one per hashed flow), each
 * given up AS_HELLO_TTL_NS after its first segment.  Keyed by the
 * segment's direction: the client's addresses and ports as they are.
 */
#define AS_HELLO_MAX		4096	/* bytes, the record header included */
#define AS_HELLO_SEGS		4	/* segments, the first included */
#define AS_HELLO_SLOTS		512
#define AS_HELLO_TTL_NS		(2ULL * 1000000000ULL)

struct as_hello_key {
	__u8 saddr[16];			/* IPv4 in the first four bytes */
	__u8 daddr[16];
	__u16 sport;			/* host order */
	__u16 dport;
	__u8 family;
	__u8 pad[3];
};

/* May byte c be part of a label?  (Before case folding.) */
static inline int as_name_byte_ok(__u8 c)
{
	return c > 0x20 && c != 0x7f && c != '.';
}

static inline __u8 as_name_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c + ('a' - 'A')) : c;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the domain table's words are defined for little-endian loads"
#endif

/* The hash of a text: h = AS_DOM_SEED, h = as_dom_mix(h, word) per word. */
#define AS_DOM_SEED		0x9e3779b97f4a7c15ULL

static inline __u64 as_dom_mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* Fingerprint (and home slot: fp & (cap - 1)) of a text of nw words. */
static inline __u64 as_dom_fp(__u64 h, __u32 nw)
{
	h ^= (__u64)nw << 56;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h;
}

#endif /* AUTOSEL_NAMES_H */
