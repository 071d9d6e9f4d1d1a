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
 * The domain table (HASH "domains") is keyed by the text itself, right-
 * aligned and zero-filled in a fixed AS_NAME_KEY_LEN (256) byte key:
 *
 *   exact   "c2.example"   key = 0 ... 0 'c' '2' '.' 'e' ... 'e'
 *   suffix  ".example"     key = 0 ... 0 '.' 'e' 'x' ... 'e'
 *
 * Since a name holds no NUL, two keys are equal only when the two texts
 * are: a lookup can never select on a collision.  A suffix entry keeps
 * its leading dot, which no exact name has, so the two kinds never meet.
 * The value is the bitmask of the approval slots that hold the indicator.
 *
 * A packet's name N is looked up as: N itself (exact entries), then every
 * tail of N that starts at a '.' inside N (suffix entries).  So ".example"
 * matches "a.example" and "x.y.example", never "example" itself (write
 * both "example" and ".example" for both) and never "badexample".
 *
 * In front of the table, a Bloom filter (ARRAY "dom_bloom", k = 1) holds one
 * bit per key, hashed with as_name_hash_*() over the key's text read from
 * its last byte to its first -- the order in which the data path builds
 * the keys of N's tails.  A clear bit means "certainly not in the table";
 * a set bit only says "look", the table decides.
 */
#ifndef AUTOSEL_NAMES_H
#define AUTOSEL_NAMES_H

#include <linux/types.h>

#define AS_NAME_MAX		253	/* text form, no trailing dot */
#define AS_LABEL_MAX		63
#define AS_NAME_KEY_LEN		256	/* the domain table's key */
#define AS_NAME_BLOOM_BITS	23	/* 8 Mbit: ~1 % false "look" at 100k keys */
#define AS_NAME_BLOOM_WORDS	(1U << (AS_NAME_BLOOM_BITS - 6))
#define AS_DOMAINS_MAX		(1U << 18)	/* default size of "domains" */
#define AS_DNS_PORTS		4		/* names_cfg.dns_port[] */
#define AS_DNS_PORT_DEFAULT	53

/* What carried the name (as_names_scratch.kind, tests, counters). */
enum as_name_kind {
	AS_NAME_NONE = 0,
	AS_NAME_DNS,		/* DNS question, UDP or TCP, a DNS port */
	AS_NAME_SNI,		/* TLS ClientHello server_name, any TCP port */
	AS_NAME_HTTP,		/* HTTP/1.x request Host header, any TCP port */
};

struct as_dom_key {
	__u8 name[AS_NAME_KEY_LEN];	/* text right-aligned, zeros before */
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

/* May byte c be part of a label?  (Before case folding.) */
static inline int as_name_byte_ok(__u8 c)
{
	return c > 0x20 && c != 0x7f && c != '.';
}

static inline __u8 as_name_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c + ('a' - 'A')) : c;
}

/* The Bloom hash of a key's text, fed one byte at a time, last byte first. */
#define AS_NAME_HASH_INIT	0x811c9dc5U

static inline __u32 as_name_hash_step(__u32 h, __u8 c)
{
	return (h ^ c) * 0x01000193U;
}

static inline __u32 as_name_bloom_idx(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h >> (32 - AS_NAME_BLOOM_BITS);
}

#endif /* AUTOSEL_NAMES_H */
