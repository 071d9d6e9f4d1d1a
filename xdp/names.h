/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autosel: domain indicators in the data path (issue 6).  Included by
 * xdp/autosel.bpf.c (after autosel/parse.h; it defines its own maps);
 * include/autosel/names.h defines what a name is and how the domain table
 * is keyed.  Documentation/domains.rst describes the behaviour.
 *
 * For a packet that is not in a selected flow, as_match_names() extracts at
 * most one name from the payload and returns the slot mask of the domain
 * indicators it matches (0 if none), which the caller ORs into the mask of
 * the IP indicators.  The rest is the IP path's: the approval's type and
 * window decide, a match opens the flow, the record keeps the headers only.
 * The name itself is never kept: the payload bytes read, the name and the
 * key live in a per-CPU scratch buffer only while the packet is judged, and
 * as_names_wipe() zeroes them before the program goes on.
 *
 * Where a name is looked for (all offsets inside the IP datagram, after the
 * transport header; a non-first fragment has none):
 *
 *   DNS   UDP or TCP (2-byte length prefix) with source or destination port
 *         in names_cfg.dns_port[] (default 53): the first question's name,
 *         queries and responses alike.  A compression pointer or a reserved
 *         label type in the question is not followed: no name.
 *   SNI   TCP, any port: a payload that starts with a TLS handshake record
 *         holding a ClientHello; session id, cipher suites and compression
 *         methods are skipped, then up to AS_TLS_MAX_EXT extensions are
 *         walked (to the end: an encrypted_client_hello after
 *         server_name is counted, names_ech); server_name (type 0)'s
 *         first entry must be a host_name.  A ClientHello whose
 *         server_name does not lie whole in its first segment is put
 *         together from the next ones (hello_tcp.h).
 *   HTTP  TCP, any port: a payload that starts with an HTTP/1.x method and a
 *         space; the first "Host:" header line (name case-insensitive) of
 *         the header block in this segment; the port and surrounding blanks
 *         are dropped.
 *
 * Everything a packet says about lengths is checked against what the packet
 * holds; a lying or truncated field gives no name, never a read outside the
 * buffer, never a selection.  "No name" is not a deletion reason of its own
 * (the headers parsed fine): the packet is judged by its IP indicators and,
 * without any, deleted as no_match.
 *
 * Cost: nothing for packets of selected flows; for others a test in line of
 * the headers and the first payload byte (as_names_may), and only a payload
 * on a DNS port, a TCP one that starts with a TLS handshake byte or an
 * upper-case letter, or a UDP datagram that may be a QUIC Initial, pays the
 * call and a 16-byte peek; a name is read once into the scratch buffer and
 * walked once, right to left, 8 bytes per step, with one probe of the
 * open-addressed "domains" per dot and one for the whole name (an inlined
 * array load, ~1.3 slots on a miss).  Independent of the number of domain
 * indicators.
 */
#ifndef AUTOSEL_XDP_NAMES_H
#define AUTOSEL_XDP_NAMES_H

#include "autosel/names.h"

#define AS_NAMES_WIN		4096	/* payload bytes a name may lie in */
#define AS_NAMES_IDX(i)		((i) & (AS_NAMES_WIN - 1))
#define AS_NAMES_PEEK		16
#define AS_DNS_WIN		(2 + 12 + AS_NAME_MAX + 3)	/* TCP prefix, header, name */
#define AS_DNS_WIN_ROUND	((AS_DNS_WIN + 7) & ~7)
#define AS_TLS_MAX_EXT		64
#define AS_HTTP_HOST_WS		16	/* blanks allowed before the host */

/*
 * Walk state lives here, not on the stack: bpf_loop() callbacks then see
 * the same (unknown) values on every call, and newer verifiers, which
 * verify a callback until its state converges, are done after one pass.
 * Every index into buf, name and key is masked to its array.
 */
struct as_names_scratch {
	union {				/* the payload's first n bytes */
		__u8 buf[AS_NAMES_WIN];
		__u64 buf_w[AS_NAMES_WIN / 8];
	};
	union {				/* the name's text, left-aligned */
		__u8 name[AS_NAME_KEY_LEN];
		__u64 name_w[AS_NAME_KEY_LEN / 8];	/* aligned loads */
	};
	__u64 mask;			/* result of as_names_lookup() */
	__u32 n;			/* bytes in buf */
	__u32 len;			/* bytes in name */
	__u32 kind;			/* enum as_name_kind */
	/* walk state */
	__u32 pos, lim, end, lab, out, host, at;
	/* the text as_dom_probe() looks for: fingerprint, words, last word */
	__u32 p_nw, p_ref, wk;
	__u64 p_fp, p_cmask, p_top, p_dots, h;
	__s32 state;			/* 0 going, 1 done/found, -1 no name */
	/* the ClientHello walked: encrypted_client_hello seen; its record's end */
	__u32 ech, hrec;
	__u32 q_fh, q_pad;		/* QUIC (quic.h): the flow hash, now */
	__u64 q_now;
	struct as_hello_key hk;		/* split ClientHellos: this segment's */
	/* resolve-and-follow (as_resolve_learn), wiped like the rest */
	__u32 rr, nrr, learned, r_slot, r_uid;
	__u64 r_now, r_until;
	struct as_res_key rk;
	struct as_res rv;
};

/* What a bpf_loop() callback gets: the scratch buffer, nothing else. */
struct as_walk {
	struct as_names_scratch *ns;
};

/*
 * The domain table (include/autosel/names.h): frozen, open-addressed, two
 * plain arrays, so every probe is an inlined array load.  The loader sizes
 * both to the rule set (user/domains.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_DOM_SLOTS_DEFAULT);
	__type(key, __u32);
	__type(value, struct as_dom_slot);
} domains SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_DOM_WORDS_DEFAULT);
	__type(key, __u32);
	__type(value, __u64);
} dom_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_names_cfg);
} names_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_names_scratch);
} names_scratch SEC(".maps");

/*
 * Resolve-and-follow: the addresses learned from selected DNS responses,
 * and their gate (one byte per hashed address: the epoch it was last
 * learned in, as the flow marks).  Run-time state, like "flows".
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AS_RES_MAX);
	/*
	 * The keys are bytes of DNS payloads: no syscall may read them back
	 * (lookups and dumps get EPERM), only the program uses them.
	 */
	__uint(map_flags, BPF_F_WRONLY);
	__type(key, struct as_res_key);
	__type(value, struct as_res);
} resolved SEC(".maps");

/* The word after the marks: its first byte is the mark of the last learning. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_RESMARK_WORDS + 1);
	__type(key, __u32);
	__type(value, __u64);
} resmark SEC(".maps");

/* Are the n bytes (a multiple of 8) at x and y equal?  Word loads. */
static __always_inline int as_words_eq(const void *x, const void *y,
				       const int n)
{
	__u64 a, b;
	int i;

#pragma unroll
	for (i = 0; i < n; i += 8) {
		__builtin_memcpy(&a, (const __u8 *)x + i, 8);
		__builtin_memcpy(&b, (const __u8 *)y + i, 8);
		if (a != b)
			return 0;
	}
	return 1;
}

static __always_inline __u32 as_nb(const struct as_names_scratch *ns, __u32 i)
{
	return ns->buf[AS_NAMES_IDX(i)];
}

static __always_inline __u32 as_nb16(const struct as_names_scratch *ns, __u32 i)
{
	return (as_nb(ns, i) << 8) | as_nb(ns, i + 1);
}

/* ---- reading a name ------------------------------------------------- */

/* A 0x80 in each byte of x that is zero, nothing elsewhere (exact). */
static __always_inline __u64 as_zero_bytes(__u64 x)
{
	__u64 l7 = 0x7f7f7f7f7f7f7f7fULL;

	return ~(((x & l7) + l7) | x | l7);
}

/* The index (0..7) of the byte of b, a single 0x80 << 8j. */
static __always_inline __u32 as_byte_idx(__u64 b)
{
	return (__u32)(((b >> 7) * 0x0001020304050607ULL) >> 56);
}

/* How many bytes of a 0x80-per-byte mask are set. */
static __always_inline __u32 as_byte_count(__u64 m)
{
	return (__u32)(((m >> 7) * 0x0101010101010101ULL) >> 56);
}

/* The 8 bytes of buf from p (p < AS_NAMES_WIN; bytes past it: garbage). */
static __always_inline __u64 as_buf_word(const struct as_names_scratch *ns,
					 __u32 p)
{
	__u32 q = p >> 3, r = p & 7;

	if (!r)
		return ns->buf_w[q & (AS_NAMES_WIN / 8 - 1)];
	return (ns->buf_w[q & (AS_NAMES_WIN / 8 - 1)] >> (8 * r)) |
	       (ns->buf_w[(q + 1) & (AS_NAMES_WIN / 8 - 1)] << (64 - 8 * r));
}

/*
 * Before a walk writes the name: out is 0, and name[] holds nothing of an
 * earlier walk of the same packet (a split ClientHello is parsed again
 * over more bytes), so that name[0, 8 * (out / 8 + 1)) is all a walk can
 * have written when as_names_wipe() comes (the steps write words 0 to
 * out / 8, and out as soon as they write).
 */
static __always_inline void as_name_reset(struct as_names_scratch *ns)
{
	if (ns->out)
		__builtin_memset(ns->name, 0, sizeof(ns->name));
	ns->out = 0;
}

/*
 * Eight bytes of a DNS question name per step.  From its first label's
 * first byte on, the wire form is the text form with a length byte where
 * each dot goes and a 0 at the end: word k of the text is the 8 bytes of
 * buf at pos + 8 * k with the length bytes among them made dots.  lab is
 * the index in buf of the next length byte not yet read (a word holds at
 * most four: a label is at least one byte).  The rules of names.h, as
 * as_name_byte_ok() and as_name_lower() state them: length bytes 1..63
 * (0x40 and up: a compression pointer or a reserved type, no name), no
 * label byte <= 0x20, '.' or DEL; ASCII capitals folded.  Every byte read
 * (the final 0 included) lies below n, or there is no name.
 */
static int as_dns_step(__u32 k, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u32 p = ns->pos + 8 * k, nb = ns->lab, n = ns->n, e = 8, i, j, b;
	__u64 x, lm, bm = 0, hb, x7, bad, up;

	if (p >= n)
		goto fail;
	x = as_buf_word(ns, p);
#pragma unroll
	for (i = 0; i < 4; i++) {
		if (e == 8 && nb < p + 8) {
			if (nb >= n)
				goto fail;	/* past the payload */
			j = (nb - p) & 7;
			b = (__u32)(x >> (8 * j)) & 0xff;
			if (!b) {
				e = j;		/* the root label: the end */
			} else if (b > AS_LABEL_MAX) {
				goto fail;
			} else {
				bm |= 0xffULL << (8 * j);
				nb += 1 + b;
			}
		}
	}
	if (e == 8 && n - p < 8)
		goto fail;		/* the name runs past the payload */
	e &= 15;
	lm = (e >= 8 ? ~0ULL : (1ULL << (8 * e)) - 1) & ~bm;	/* label bytes */
	x &= lm;
	hb = lm & 0x8080808080808080ULL;
	x7 = x & 0x7f7f7f7f7f7f7f7fULL;
	/* <= 0x20 (top bit clear), DEL, '.' */
	bad = (~(x7 + 0x5f5f5f5f5f5f5f5fULL) & ~x & hb) |
	      (as_zero_bytes(x ^ 0x7f7f7f7f7f7f7f7fULL) & hb) |
	      (as_zero_bytes(x ^ 0x2e2e2e2e2e2e2e2eULL) & hb);
	if (bad)
		goto fail;
	/* fold A-Z (top bit clear) to a-z; the length bytes become dots */
	up = (x7 + 0x3f3f3f3f3f3f3f3fULL) & ~(x7 + 0x2525252525252525ULL) &
	     ~x & hb;
	x |= (up >> 2) | (bm & 0x2e2e2e2e2e2e2e2eULL);
	ns->name_w[k & 31] = x;
	ns->out = 8 * k + e;
	ns->lab = nb;
	if (e < 8) {
		ns->state = 1;
		return 1;
	}
	return 0;
fail:
	ns->state = -1;
	return 1;
}

/*
 * The first question's name of the DNS message at off in buf; pos is left
 * after it (resolve-and-follow reads on from there).
 */
static __always_inline int as_name_dns(struct as_names_scratch *ns, __u32 off)
{
	struct as_walk w = { .ns = ns };
	__u32 p = off + 12, b;

	if (p >= ns->n || !as_nb16(ns, off + 4))	/* QDCOUNT */
		return 0;
	b = as_nb(ns, p);
	if (!b || b > AS_LABEL_MAX)	/* the root name; a pointer */
		return 0;
	ns->pos = p + 1;
	ns->lab = p + 1 + b;
	as_name_reset(ns);
	ns->state = 0;
	bpf_loop(AS_NAME_KEY_LEN / 8, as_dns_step, &w, 0);
	if (ns->state != 1 || !ns->out || ns->out > AS_NAME_MAX)
		return 0;
	ns->len = ns->out;
	ns->pos += ns->out + 1;
	return AS_NAME_DNS;
}

/*
 * Eight bytes of a name in text form from buf[pos + 8 * idx]: exactly lim
 * bytes in all (SNI), or up to a blank, CR, LF or ':' (Host).  The rules
 * of names.h, a word at a time: no byte <= 0x20 or DEL, no empty label
 * (a leading dot, two dots), labels of at most 63 bytes, at most 254
 * bytes written (253 and a trailing dot); ASCII capitals folded.
 */
static int as_text_step(__u32 idx, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u32 done = 8 * idx, p = ns->pos + done, c = 8, e, lab = ns->lab;
	__u32 out = ns->out, short_n = 0, f;
	__u64 x, vm, em, hb, x7, bad, dots, up, s;

	if (done >= ns->lim) {
		ns->state = 1;
		return 1;
	}
	if (p >= ns->n)
		goto fail;
	if (ns->lim - done < c)
		c = ns->lim - done;
	if (ns->n - p < c) {
		c = ns->n - p;
		short_n = 1;		/* the name runs past the payload */
	}
	c &= 15;
	vm = c >= 8 ? ~0ULL : (1ULL << (8 * c)) - 1;
	x = as_buf_word(ns, p) & vm;
	e = c;
	if (ns->host) {
		s = (as_zero_bytes(x ^ 0x0d0d0d0d0d0d0d0dULL) |
		     as_zero_bytes(x ^ 0x0a0a0a0a0a0a0a0aULL) |
		     as_zero_bytes(x ^ 0x2020202020202020ULL) |
		     as_zero_bytes(x ^ 0x0909090909090909ULL) |
		     as_zero_bytes(x ^ 0x3a3a3a3a3a3a3a3aULL)) &
		    vm & 0x8080808080808080ULL;
		if (s)
			e = as_byte_idx(s & (~s + 1));
	}
	e &= 15;
	em = e >= 8 ? ~0ULL : (1ULL << (8 * e)) - 1;
	x &= em;
	hb = em & 0x8080808080808080ULL;
	x7 = x & 0x7f7f7f7f7f7f7f7fULL;
	/* <= 0x20 (top bit clear), DEL */
	bad = (~(x7 + 0x5f5f5f5f5f5f5f5fULL) & ~x & hb) |
	      (as_zero_bytes(x ^ 0x7f7f7f7f7f7f7f7fULL) & hb);
	if (bad || out + e > AS_NAME_MAX + 1)
		goto fail;
	dots = as_zero_bytes(x ^ 0x2e2e2e2e2e2e2e2eULL) & hb;
	if (dots) {
		f = as_byte_idx(dots & (~dots + 1));
		if (lab + f == 0 || lab + f > AS_LABEL_MAX ||
		    (dots & (dots << 8)))
			goto fail;	/* an empty or too long label */
		s = dots;		/* every byte up to the last dot */
		s |= s >> 8;
		s |= s >> 16;
		s |= s >> 32;
		lab = as_byte_count(hb & ~s);
	} else {
		lab += e;
	}
	if (lab > AS_LABEL_MAX)
		goto fail;
	/* fold A-Z (top bit clear) to a-z */
	up = (x7 + 0x3f3f3f3f3f3f3f3fULL) & ~(x7 + 0x2525252525252525ULL) &
	     ~x & hb;
	x |= up >> 2;
	/*
	 * into name[out, out + e): out is 8 * idx (a step that goes on took
	 * 8 bytes), so one aligned word, zeros after e
	 */
	ns->name_w[idx & 31] = x;
	ns->out = out + e;
	ns->lab = lab;
	if (e < c) {			/* the Host line's name ends here */
		ns->state = 1;
		return 1;
	}
	if (short_n)
		goto fail;
	return 0;
fail:
	ns->state = -1;
	return 1;
}

static __always_inline int as_name_text(struct as_names_scratch *ns,
					__u32 pos, __u32 lim, __u32 host,
					int kind)
{
	struct as_walk w = { .ns = ns };
	__u32 out;

	ns->pos = pos;
	ns->lim = lim;
	ns->host = host;
	ns->lab = 0;
	as_name_reset(ns);
	ns->state = 0;
	bpf_loop((AS_NAME_MAX + 2) / 8 + 2, as_text_step, &w, 0);
	if (ns->state != 1)
		return 0;
	out = ns->out;
	if (out && ns->name[(out - 1) & 0xff] == '.')
		out--;			/* one trailing dot is ignored */
	if (!out || out > AS_NAME_MAX)
		return 0;
	ns->len = out;
	return kind;
}

#define AS_TLS_EXT_ECH		0xfe0d	/* encrypted_client_hello */

/*
 * One TLS extension from buf[pos]: server_name's name goes to at/lim
 * (state 1), encrypted_client_hello sets ech.  The walk goes on past
 * server_name to the end of what buf holds, so that an ECH extension
 * after it is seen too; a server_name that does not lie whole in it, or
 * is malformed, ends the walk without a name (state -1).
 */
static int as_tls_step(__u32 idx, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u32 q = ns->pos, type, elen, list, nlen;

	if (q + 4 > ns->end)
		return 1;		/* the end of what we have */
	type = as_nb16(ns, q);
	elen = as_nb16(ns, q + 2);
	if (type == AS_TLS_EXT_ECH)
		ns->ech = 1;
	if (type || ns->state) {
		ns->pos = q + 4 + elen;
		return 0;
	}
	/* server_name: list length, name type 0 (host_name), length, name */
	if (q + 4 + elen > ns->end || elen < 5) {
		ns->state = -1;
		return 1;
	}
	list = as_nb16(ns, q + 4);
	nlen = as_nb16(ns, q + 7);
	if (list + 2 > elen || as_nb(ns, q + 6) != 0 || nlen + 3 > list ||
	    !nlen) {
		ns->state = -1;
		return 1;
	}
	ns->at = q + 9;
	ns->lim = nlen;
	ns->state = 1;
	ns->pos = q + 4 + elen;
	return 0;
}

/*
 * A ClientHello handshake message at buf[h] that ends by end at the latest
 * (its record's end), of which buf holds the bytes below lim (lim <=
 * ns->n): its server_name's host name (AS_NAME_SNI), or 0.  Shared by
 * every carrier of a ClientHello: a TLS record over TCP, the CRYPTO stream
 * of QUIC Initial packets.
 */
static __always_inline int as_name_hello(struct as_names_scratch *ns,
					 __u32 h, __u32 end, __u32 lim)
{
	struct as_walk w = { .ns = ns };
	__u32 p, len;

	if (h + 4 + 2 + 32 + 1 > lim || as_nb(ns, h) != 1)
		return 0;
	len = (as_nb(ns, h + 1) << 16) | as_nb16(ns, h + 2);
	if (h + 4 + len < end)
		end = h + 4 + len;
	if (end < lim)
		lim = end;
	p = h + 4 + 2 + 32;			/* version, random */
	if (as_nb(ns, p) > 32)
		return 0;
	p += 1 + as_nb(ns, p);			/* session id, <= 32 */
	if (p + 2 > lim)
		return 0;
	p += 2 + as_nb16(ns, p);		/* cipher suites */
	if (p + 1 > lim)
		return 0;
	p += 1 + as_nb(ns, p);			/* compression methods */
	if (p + 2 > lim)
		return 0;
	len = as_nb16(ns, p);			/* extensions */
	p += 2;
	if (p + len > end)
		return 0;			/* longer than the message */
	ns->pos = p;
	ns->end = p + len < lim ? p + len : lim;
	ns->state = 0;
	ns->at = 0;
	bpf_loop(AS_TLS_MAX_EXT, as_tls_step, &w, 0);
	if (ns->state != 1 || ns->at + ns->lim > ns->end)
		return 0;
	return as_name_text(ns, ns->at, ns->lim, 0, AS_NAME_SNI);
}

/*
 * A TLS handshake record at buf[0]: this segment's part of it.  hrec: the
 * record's end, for the split path (hello_tcp.h).
 */
static __always_inline int as_name_tls(struct as_names_scratch *ns)
{
	if (ns->n < 6 || as_nb(ns, 0) != 22 || as_nb(ns, 1) != 3)
		return 0;
	ns->hrec = 5 + as_nb16(ns, 3);
	return as_name_hello(ns, 5, 5 + as_nb16(ns, 3), ns->n);
}

static __always_inline __u32 as_lc(__u32 c)
{
	return c | 0x20;	/* ASCII letters only */
}

/*
 * HTTP: find "\nHost:" (any case) in the header block; at = after it.
 * Word j of buf per step: its line feeds, lowest first.
 */
static int as_http_step(__u32 j, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u64 z, b;
	__u32 i, k;
	int stop = 0;

	if (8 * j + 6 >= ns->n)
		return 1;
	z = as_zero_bytes(ns->buf_w[j & (AS_NAMES_WIN / 8 - 1)] ^
			  0x0a0a0a0a0a0a0a0aULL);
#pragma unroll
	for (k = 0; k < 8; k++) {
		if (z && !stop) {
			b = z & (~z + 1);
			z &= z - 1;
			i = 8 * j + as_byte_idx(b);
			if (i + 6 >= ns->n || as_nb(ns, i + 1) == '\r' ||
			    as_nb(ns, i + 1) == '\n') {
				stop = 1;	/* the end of the header block */
			} else if (as_lc(as_nb(ns, i + 1)) == 'h' &&
				   as_lc(as_nb(ns, i + 2)) == 'o' &&
				   as_lc(as_nb(ns, i + 3)) == 's' &&
				   as_lc(as_nb(ns, i + 4)) == 't' &&
				   as_nb(ns, i + 5) == ':') {
				ns->at = i + 6;
				stop = 1;
			}
		}
	}
	return stop;
}

static int as_http_ws(__u32 idx, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u32 b;

	if (ns->at >= ns->n)
		return 1;
	b = as_nb(ns, ns->at);
	if (b != ' ' && b != '\t')
		return 1;
	ns->at++;
	return 0;
}

/* An HTTP/1.x method (token of capitals) and a space open the payload. */
static __always_inline int as_http_method(const struct as_names_scratch *ns)
{
	__u32 i, b;

	for (i = 0; i < AS_NAMES_PEEK; i++) {
		if (i >= ns->n)
			return 0;
		b = ns->buf[i];
		if (b == ' ')
			return i > 0;
		if (b < 'A' || b > 'Z')
			return 0;
	}
	return 0;
}

static __always_inline int as_name_http(struct as_names_scratch *ns)
{
	struct as_walk w = { .ns = ns };

	ns->at = 0;
	bpf_loop(AS_NAMES_WIN / 8, as_http_step, &w, 0);
	if (!ns->at)
		return 0;
	bpf_loop(AS_HTTP_HOST_WS, as_http_ws, &w, 0);
	return as_name_text(ns, ns->at, AS_NAME_MAX + 2, 1, AS_NAME_HTTP);
}

static __always_inline int as_is_dns_port(const struct as_names_cfg *cfg,
					  __u16 port)
{
	int i, any = 0;

	if (cfg) {
#pragma unroll
		for (i = 0; i < AS_DNS_PORTS; i++) {
			if (!cfg->dns_port[i])
				continue;
			any = 1;
			if (cfg->dns_port[i] == port)
				return 1;
		}
	}
	return !any && port == AS_DNS_PORT_DEFAULT;
}

/* Copy the payload's first n bytes (1..AS_NAMES_WIN) into the window. */
static __always_inline int as_names_load(struct xdp_md *ctx,
					 struct as_names_scratch *ns,
					 __u32 off, __u32 n)
{
	if (n > AS_NAMES_WIN)
		n = AS_NAMES_WIN;
	if (n < 1)
		return -1;
	/* one register, bounds [1, AS_NAMES_WIN] whatever clang does */
	n -= 1;
	as_same_bounds(n, AS_NAMES_WIN - 1);
	n += 1;
	ns->n = 0;
	if (bpf_xdp_load_bytes(ctx, off, ns->buf, n))
		return -1;
	ns->n = n;
	return 0;
}

/*
 * dst[0, n) := src[0, n), or zeros where src is NULL, in 512-byte pieces:
 * one bpf_loop() of as_piece_step() per copy or wipe of payload bytes, for
 * every buffer of at least AS_NAMES_WIN bytes in a map value that holds
 * them (the names window, split-ClientHello slots, held QUIC streams).
 * n is at most AS_NAMES_WIN.
 */
struct as_pieces {
	__u8 *dst;
	const __u8 *src;
	__u32 n;
};

static int as_piece_step(__u32 i, void *data)
{
	struct as_pieces *c = data;
	__u32 off = i * 512;

	if (off >= c->n)
		return 1;
	off &= AS_NAMES_WIN - 512;
	if (c->src)
		__builtin_memcpy(c->dst + off, c->src + off, 512);
	else
		__builtin_memset(c->dst + off, 0, 512);
	return 0;
}

static __always_inline void as_pieces(__u8 *dst, const __u8 *src, __u32 n)
{
	struct as_pieces c = { .dst = dst, .src = src, .n = n };

	bpf_loop(AS_NAMES_WIN / 512, as_piece_step, &c, 0);
}

#include "quic.h"

/*
 * buf[0, 16) := the payload's first AS_NAMES_PEEK bytes (fewer if it is
 * shorter), as as_names_load() does; two loads from the packet when they
 * lie in its linear part (a helper call less for every TCP segment with
 * payload), else the helper.
 */
static __always_inline int as_names_peek(struct xdp_md *ctx,
					 struct as_names_scratch *ns,
					 __u32 off, __u32 avail)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;
	const __u8 *p;

	if (avail < AS_NAMES_PEEK || off > 1024)
		return as_names_load(ctx, ns, off, avail < AS_NAMES_PEEK ?
					   avail : AS_NAMES_PEEK);
	p = data + (off & 1023);
	if (p + AS_NAMES_PEEK > data_end)
		return as_names_load(ctx, ns, off, AS_NAMES_PEEK);
	__builtin_memcpy(&ns->buf_w[0], p, 8);
	__builtin_memcpy(&ns->buf_w[1], p + 8, 8);
	ns->n = AS_NAMES_PEEK;
	return 0;
}

/*
 * Extract the packet's name into names_scratch: returns its kind
 * (enum as_name_kind), AS_NAME_NONE when it carries none.
 */
__attribute__((noinline))
int as_names_extract(struct xdp_md *ctx, struct as_pkt *pkt, __u64 now,
		     __u32 fh)
{
	struct as_names_scratch *ns;
	struct as_names_cfg *cfg;
	__u32 zero = 0, off, end, avail;
	int dns;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	cfg = bpf_map_lookup_elem(&names_cfg, &zero);
	if (!pkt || !ns)
		return AS_NAME_NONE;
	ns->len = 0;
	ns->n = 0;
	ns->kind = AS_NAME_NONE;
	ns->hrec = 0;
	ns->ech = 0;
	if (cfg && (cfg->flags & AS_NAMES_F_OFF))
		return AS_NAME_NONE;
	if (pkt->frag == AS_FRAG_LATER ||
	    (pkt->proto != AS_IPPROTO_TCP && pkt->proto != AS_IPPROTO_UDP))
		return AS_NAME_NONE;
	off = pkt->hdr_len;
	end = bpf_xdp_get_buff_len(ctx);
	if (pkt->ip_len && (__u32)pkt->l3_off + pkt->ip_len < end)
		end = (__u32)pkt->l3_off + pkt->ip_len;
	if (end <= off)
		return AS_NAME_NONE;
	avail = end - off;
	dns = as_is_dns_port(cfg, pkt->sport) || as_is_dns_port(cfg, pkt->dport);

	/* a question name lies in the first AS_DNS_WIN bytes of a message */
	if (dns && avail > AS_DNS_WIN)
		avail = AS_DNS_WIN;
	if (pkt->proto == AS_IPPROTO_UDP) {
		if (!dns && avail >= AS_QUIC_MIN_DGRAM) {	/* quic.h */
			ns->q_now = now;
			ns->q_fh = fh;
			ns->kind = as_quic_name(ctx, pkt, off, avail);
			return ns->kind;
		}
		if (!dns || as_names_load(ctx, ns, off, avail))
			return AS_NAME_NONE;
		ns->kind = as_name_dns(ns, 0);
		return ns->kind;
	}
	/* TCP: a look at the first bytes before reading more. */
	if (as_names_peek(ctx, ns, off, avail))
		return AS_NAME_NONE;
	if (dns) {
		if (as_names_load(ctx, ns, off, avail))
			return AS_NAME_NONE;
		ns->kind = as_name_dns(ns, 2);	/* after the length prefix */
	} else if (ns->n >= 6 && ns->buf[0] == 22 && ns->buf[5] == 1) {
		if (as_names_load(ctx, ns, off, avail))
			return AS_NAME_NONE;
		ns->kind = as_name_tls(ns);
	} else if (as_http_method(ns)) {
		if (as_names_load(ctx, ns, off, avail))
			return AS_NAME_NONE;
		ns->kind = as_name_http(ns);
	}
	return ns->kind;
}

/* ---- matching ------------------------------------------------------- */

/*
 * Word k of the name in names_scratch, counted from its end (names.h):
 * the 8 bytes that end 8 * k bytes before its end; the first word holds
 * the name's first 1..8 bytes in its high bytes.  k < (len + 7) / 8.
 */
static __always_inline __u64 as_name_word(const struct as_names_scratch *ns,
					  __u32 len, __u32 k)
{
	__u32 r = len & 7, q = len >> 3;	/* name[8q, 8q + r): its end */
	__u64 lo = 0;

	/* two aligned loads: clang splits an unaligned one into bytes */
	if (!r)
		return ns->name_w[(q - 1 - k) & 31];
	if (k < q)
		lo = ns->name_w[(q - 1 - k) & 31] >> (8 * r);
	return lo | (ns->name_w[(q - k) & 31] << (64 - 8 * r));
}

/*
 * One suffix level: the text of nw words (the name's words below nw - 1,
 * then top) whose hash is h.  At most AS_DOM_PROBES slots from its home
 * on, up to the first empty one; the entry is taken only when its
 * fingerprint, nw and every stored word agree (a fingerprint collision
 * costs a compare, never a selection).  ORs its slot mask into ns->mask.
 */
static __always_inline void as_dom_level(struct as_names_scratch *ns,
					 struct as_walk *w, __u64 h, __u32 nw,
					 __u64 top)
{
	__u32 i, r;
	__u64 *v;

	struct as_dom_slot *sl;
	__u32 p, j;

	ns->p_fp = as_dom_fp(h, nw);
	ns->p_nw = nw;
	ns->p_top = top;
	ns->p_ref = 0;
	/*
	 * Up to an empty slot, or to the first of the same fingerprint and
	 * word count: the loader refuses a table in which two entries share
	 * both, so no later slot can hold the text.  (A plain loop: a
	 * callback here would be one frame too many for 6.1's stack check.)
	 */
	for (p = 0; p < AS_DOM_PROBES; p++) {
		j = 1 + (__u32)((ns->p_fp + p) & ns->p_cmask);
		sl = bpf_map_lookup_elem(&domains, &j);
		if (!sl || !sl->ref)
			break;
		if (sl->fp == ns->p_fp && sl->nw == ns->p_nw) {
			ns->p_ref = sl->ref;
			break;
		}
	}
	if (!ns->p_ref)
		return;
	/* the exact compare, word by word (values re-read: few registers) */
	for (i = 0; i < AS_NAME_WORDS - 1; i++) {
		if (i + 1 >= ns->p_nw)
			break;
		r = ns->p_ref + 1 + i;
		v = bpf_map_lookup_elem(&dom_names, &r);
		if (!v || *v != as_name_word(ns, ns->len, i))
			return;
	}
	r = ns->p_ref + ns->p_nw;
	v = bpf_map_lookup_elem(&dom_names, &r);
	if (!v || *v != ns->p_top)
		return;
	r = ns->p_ref;
	v = bpf_map_lookup_elem(&dom_names, &r);
	if (v)
		ns->mask |= *v;
}

/*
 * Word k of the name (from its end): the tail at each '.' in it (at most
 * four: a label is at least one byte) is probed, then the word is taken
 * into the hash.  (Bytes before the name's first are 0: never a dot.)
 */
static int as_lookup_step(__u32 k, void *data)
{
	struct as_walk *wk = data;
	struct as_names_scratch *ns = wk->ns;
	__u32 len = ns->len, i;
	__u64 w, dots, b, t;

	if (k >= (len + 7) / 8 || len > AS_NAME_MAX)
		return 1;
	w = as_name_word(ns, len, k);
	dots = as_zero_bytes(w ^ 0x2e2e2e2e2e2e2e2eULL);
#pragma unroll
	for (i = 0; i < 4; i++) {
		if (dots) {
			b = dots & (~dots + 1);	/* the lowest: 0x80 << 8j */
			dots &= dots - 1;
			ns->p_dots = dots;
			/* the tail from this dot on: bytes j..7 of w */
			t = w & ~((b >> 7) - 1);
			as_dom_level(ns, wk, as_dom_mix(ns->h, t), k + 1, t);
			dots = ns->p_dots;
		}
	}
	ns->h = as_dom_mix(ns->h, w);
	ns->wk = k + 1;
	return 0;
}

/*
 * The slot mask of every entry matching the name in names_scratch: the
 * name is hashed 8 bytes at a time from its end, one probe per suffix
 * level on the way, the whole name last.  The scratch buffer is looked up
 * here, not passed in: 6.1 takes a map key from the stack or a map value
 * only, not from a global function's memory argument.
 */
__attribute__((noinline))
int as_names_lookup(struct xdp_md *ctx)
{
	struct as_names_scratch *ns;
	struct as_dom_slot *hdr;
	struct as_walk w;
	__u32 zero = 0, len, nw;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	hdr = bpf_map_lookup_elem(&domains, &zero);
	if (!ctx || !ns || !hdr)
		return 0;
	w.ns = ns;
	ns->mask = 0;
	len = ns->len;
	if (!hdr->ref || !len || len > AS_NAME_MAX)
		return 0;		/* an empty table, no name */
	nw = (len + 7) / 8;
	ns->p_cmask = hdr->fp;
	ns->h = AS_DOM_SEED;
	ns->wk = 0;
	bpf_loop(nw, as_lookup_step, &w, 0);	/* nw <= AS_NAME_WORDS */
	if (ns->wk == nw)		/* the whole name */
		as_dom_level(ns, &w, ns->h, nw, as_name_word(ns, len, nw - 1));
	return ns->mask != 0;
}

/*
 * Nothing of the payload outlives the packet: the bytes read, the name,
 * its hash and the walk state are zeroed before the program moves on.
 */
__attribute__((noinline))
int as_names_wipe(struct xdp_md *ctx)
{
	struct as_names_scratch *ns;
	__u32 zero = 0;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !ns)
		return 0;
	/*
	 * buf[0, n) is all as_names_load() wrote (hello_tcp.h wipes its own
	 * copy); the first AS_NAMES_PEEK bytes always, as a load that failed
	 * after a smaller one leaves n 0.  Zeroed in a few sizes, to the
	 * first that holds n.
	 */
	if (ns->n <= AS_NAMES_PEEK)
		__builtin_memset(ns->buf, 0, AS_NAMES_PEEK);
	else if (ns->n <= 64)
		__builtin_memset(ns->buf, 0, 64);
	else if (ns->n <= 128)
		__builtin_memset(ns->buf, 0, 128);
	else if (ns->n <= 192)
		__builtin_memset(ns->buf, 0, 192);
	else if (ns->n <= AS_DNS_WIN_ROUND)
		__builtin_memset(ns->buf, 0, AS_DNS_WIN_ROUND);
	else
		as_pieces(ns->buf, NULL, ns->n);
	/*
	 * out: bytes a walk copied, also when the name failed part-way; it
	 * wrote name[0, 8 * (out / 8 + 1)) at most (as_name_reset())
	 */
	if (ns->len || ns->kind || ns->out) {
		if (ns->out < 32 && ns->len < 32)
			__builtin_memset(ns->name, 0, 32);
		else if (ns->out < 64 && ns->len < 64)
			__builtin_memset(ns->name, 0, 64);
		else
			__builtin_memset(ns->name, 0, sizeof(ns->name));
	}
	/* the walk state, the hash of the name's words and the result too */
	__builtin_memset(&ns->mask, 0, sizeof(*ns) -
			 __builtin_offsetof(struct as_names_scratch, mask));
	return 0;
}

/* ---- resolve-and-follow ------------------------------------------------ */

/* The mark of an address (family, 16 bytes, IPv4 zero-padded). */
static __always_inline __u32 as_res_hash(const __u8 *a, __u32 fam)
{
	__u32 w[4];

	__builtin_memcpy(w, a, 16);
	return as_fin32(as_mix32(0x1f83d9abU ^ fam, w[0] ^ w[1] ^ w[2] ^ w[3])) >>
	       (32 - AS_RESMARK_BITS);
}

/* An epoch is 2^AS_RES_EPOCH_SHIFT ns, longer than AS_RES_TTL_MAX. */
static __always_inline __u8 as_res_mark(__u64 now)
{
	return (__u8)(((now >> AS_RES_EPOCH_SHIFT) & 0x7f) | 0x80);
}

static __always_inline int as_res_live(__u8 m, __u64 now)
{
	return m == as_res_mark(now) ||
	       m == as_res_mark(now - (1ULL << AS_RES_EPOCH_SHIFT));
}

/*
 * May any address have a live entry?  (Nothing learned for two epochs.)
 * now_c: the coarse clock of every packet, at most a tick behind the
 * learner's (autosel.bpf.c, as_now_coarse), so the next epoch's mark
 * counts too.
 */
static __always_inline int as_res_any(__u64 now_c)
{
	__u32 w = AS_RESMARK_WORDS;
	__u8 *v = bpf_map_lookup_elem(&resmark, &w);

	return !v || as_res_live(v[0], now_c) ||
	       v[0] == as_res_mark(now_c + (1ULL << AS_RES_EPOCH_SHIFT));
}

/* May addr have a live entry?  A mark of this or the previous epoch. */
static __always_inline int as_resmark_test(const __u8 *addr, __u32 fam,
					   __u64 now)
{
	__u32 idx = as_res_hash(addr, fam), w = idx >> 3;
	__u8 *v = bpf_map_lookup_elem(&resmark, &w);

	return !v || as_res_live(v[idx & 7], now);
}

/* Learn the address at buf[at] (4 or 16 bytes) for ttl seconds. */
static __always_inline void as_res_learn(struct as_names_scratch *ns,
					 __u32 at, __u32 fam, __u32 ttl)
{
	__u32 i, idx, w;
	__u64 exp;
	__u8 *v;

	if (!ttl || ttl > 0x7fffffff)	/* RFC 2181: "negative" is 0 */
		return;
	if (ttl > AS_RES_TTL_MAX)
		ttl = AS_RES_TTL_MAX;
	exp = ns->r_now + (__u64)ttl * 1000000000ULL;
	if (exp > ns->r_until)
		exp = ns->r_until;
	if (exp <= ns->r_now)
		return;
	ns->rk.family = (__u8)fam;
	ns->rk.pad[0] = 0;
	ns->rk.pad[1] = 0;
	ns->rk.pad[2] = 0;
#pragma unroll
	for (i = 0; i < 16; i++)
		ns->rk.addr[i] = (fam == 6 || i < 4) ? (__u8)as_nb(ns, at + i) : 0;
	ns->rv.expires_ns = exp;
	ns->rv.slot = ns->r_slot;
	ns->rv.uid = ns->r_uid;
	if (bpf_map_update_elem(&resolved, &ns->rk, &ns->rv, BPF_ANY))
		return;
	idx = as_res_hash(ns->rk.addr, fam);
	w = idx >> 3;
	v = bpf_map_lookup_elem(&resmark, &w);
	if (v && v[idx & 7] != as_res_mark(ns->r_now))
		v[idx & 7] = as_res_mark(ns->r_now);
	w = AS_RESMARK_WORDS;
	v = bpf_map_lookup_elem(&resmark, &w);
	if (v && v[0] != as_res_mark(ns->r_now))
		v[0] = as_res_mark(ns->r_now);
	ns->learned++;
}

/*
 * One step of the answer walk: one label of an owner name (a compression
 * pointer or the root label ends it), or one record's fixed part and data.
 * Anything that does not fit what the message holds stops the walk.
 */
static int as_res_step(__u32 idx, void *data)
{
	struct as_names_scratch *ns = ((struct as_walk *)data)->ns;
	__u32 q = ns->pos, b, type, cls, ttl, rdlen;

	if (!ns->lab) {			/* in the owner name */
		if (q >= ns->end)
			goto stop;
		b = as_nb(ns, q);
		if (!b || b >= 0xc0) {	/* root label, or a pointer */
			ns->pos = q + (b ? 2 : 1);
			ns->lab = 1;
			return 0;
		}
		if (b > AS_LABEL_MAX)	/* 0x40, 0x80: reserved */
			goto stop;
		ns->pos = q + 1 + b;
		return 0;
	}
	if (q + 10 > ns->end)
		goto stop;
	type = as_nb16(ns, q);
	cls = as_nb16(ns, q + 2);
	ttl = (as_nb16(ns, q + 4) << 16) | as_nb16(ns, q + 6);
	rdlen = as_nb16(ns, q + 8);
	if (q + 10 + rdlen > ns->end)
		goto stop;
	if (cls == 1 && type == 1 && rdlen == 4)
		as_res_learn(ns, q + 10, 4, ttl);
	else if (cls == 1 && type == 28 && rdlen == 16)
		as_res_learn(ns, q + 10, 6, ttl);
	ns->pos = q + 10 + rdlen;
	ns->lab = 0;
	ns->rr++;
	if (ns->rr >= ns->nrr) {
		ns->state = 1;
		return 1;
	}
	return 0;
stop:
	ns->state = -1;
	return 1;
}

/*
 * A packet just selected under slot (low 32 bits of slot_uid; the
 * approval's uid in the high 32): if it is a DNS response (QR, RCODE 0,
 * one question) whose question name matches a domain indicator of that
 * slot, learn the A/AAAA addresses of its answer section, each until
 * min(now + TTL, until).  Returns the number learned.  The packet's
 * verdict does not depend on it.
 */
__attribute__((noinline))
int as_resolve_learn(struct xdp_md *ctx, struct as_pkt *pkt, __u64 slot_uid,
		     __u64 now, __u64 until)
{
	struct as_names_scratch *ns;
	struct as_names_cfg *cfg;
	__u32 zero = 0, off, end, avail, d, n, slot = (__u32)slot_uid;
	struct as_walk w;
	int learned = 0;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	cfg = bpf_map_lookup_elem(&names_cfg, &zero);
	if (!ctx || !pkt || !ns || slot >= AS_MAX_SLOTS)
		return 0;
	if (cfg && (cfg->flags & AS_NAMES_F_OFF))
		return 0;
	if (pkt->frag == AS_FRAG_LATER ||
	    (pkt->proto != AS_IPPROTO_TCP && pkt->proto != AS_IPPROTO_UDP))
		return 0;
	if (!as_is_dns_port(cfg, pkt->sport) && !as_is_dns_port(cfg, pkt->dport))
		return 0;
	off = pkt->hdr_len;
	end = bpf_xdp_get_buff_len(ctx);
	if (pkt->ip_len && (__u32)pkt->l3_off + pkt->ip_len < end)
		end = (__u32)pkt->l3_off + pkt->ip_len;
	d = pkt->proto == AS_IPPROTO_TCP ? 2 : 0;
	if (end <= off + d + 12)
		return 0;
	avail = end - off;
	w.ns = ns;
	ns->kind = AS_NAME_DNS;		/* the wipe clears name and key */
	if (as_names_load(ctx, ns, off, d + 12))
		goto out;
	/* a response, no error, one question, some answers */
	if (!(as_nb(ns, d + 2) & 0x80) || (as_nb(ns, d + 3) & 0x0f) ||
	    as_nb16(ns, d + 4) != 1 || !as_nb16(ns, d + 6))
		goto out;
	n = as_nb16(ns, d + 6);
	if (as_names_load(ctx, ns, off, avail) || !as_name_dns(ns, d) ||
	    !as_names_lookup(ctx) || !((ns->mask >> slot) & 1))
		goto out;
	end = ns->n;
	if (d && 2 + as_nb16(ns, 0) < end)
		end = 2 + as_nb16(ns, 0);	/* this message only */
	ns->end = end;
	ns->pos += 4;			/* QTYPE, QCLASS */
	ns->lab = 0;
	ns->rr = 0;
	ns->nrr = n < AS_RES_MAX_RR ? n : AS_RES_MAX_RR;
	ns->learned = 0;
	ns->state = 0;
	ns->r_now = now;
	ns->r_until = until;
	ns->r_slot = slot;
	ns->r_uid = (__u32)(slot_uid >> 32);
	bpf_loop(AS_RES_STEPS, as_res_step, &w, 0);
	learned = (int)ns->learned;
out:
	__builtin_memset(&ns->rk, 0, sizeof(ns->rk));
	__builtin_memset(&ns->rv, 0, sizeof(ns->rv));
	as_names_wipe(ctx);
	ns->kind = AS_NAME_NONE;
	return learned;
}

#include "hello_tcp.h"

/*
 * Can this packet carry a name?  Decided from its headers and the first
 * payload byte, read in place, so that most packets (pure ACKs, TLS
 * records other than a handshake, UDP off the DNS ports that is not a
 * QUIC long header of at least 1200 bytes, ICMP, later fragments) pay no
 * call and leave nothing to wipe.  It says yes wherever
 * as_names_extract() or as_hello_tcp() could find a name, and more.
 */
static __always_inline int as_names_may(struct xdp_md *ctx,
					const struct as_pkt *pkt, __u32 fh)
{
	const void *end = (const void *)(long)ctx->data_end;
	const __u8 *p = (const void *)(long)ctx->data;
	const struct as_names_cfg *cfg;
	__u32 zero = 0, off;

	if (pkt->frag == AS_FRAG_LATER)
		return 0;
	if (pkt->proto == AS_IPPROTO_TCP && as_hello_marked(fh))
		return 1;
	if (pkt->proto != AS_IPPROTO_TCP && pkt->proto != AS_IPPROTO_UDP)
		return 0;
	if (pkt->ip_len && (__u32)pkt->l3_off + pkt->ip_len <= pkt->hdr_len)
		return 0;		/* no payload */
	cfg = bpf_map_lookup_elem(&names_cfg, &zero);
	if (cfg && (cfg->flags & AS_NAMES_F_OFF))
		return 0;
	if (as_is_dns_port(cfg, pkt->sport) || as_is_dns_port(cfg, pkt->dport))
		return 1;
	off = pkt->hdr_len;
	if (off > 0x3fff)	/* keeps p's range the verifier's to check */
		return 1;
	p += off;
	if ((const void *)(p + 1) > end)	/* past the linear part */
		return bpf_xdp_get_buff_len(ctx) > off;
	/* UDP: a QUIC long header in a datagram big enough for an Initial */
	if (pkt->proto == AS_IPPROTO_UDP)
		return (*p & 0x80) && (!pkt->ip_len ||
				       (__u32)pkt->l3_off + pkt->ip_len >=
				       off + AS_QUIC_MIN_DGRAM);
	/* TCP: a TLS handshake record, or an HTTP method (upper case) */
	return *p == 22 || (*p >= 'A' && *p <= 'Z');
}

/*
 * The hook, for a packet that as_names_may() let through: domain
 * indicators' slot mask for this packet (0: none), and in *kind what
 * carried the name (enum as_name_kind; AS_NAME_NONE with mask 0).
 * kind should point into a map value: a value read from memory is unknown
 * to the verifier, so it does not split the states that follow.  split:
 * may a ClientHello that goes on in the next segments be read on
 * (hello_tcp.h; 0 when the packet's addresses matched already).
 */
static __always_inline __u64 as_match_names(struct xdp_md *ctx,
					    struct as_pkt *pkt, __u32 *kind,
					    __u64 now, __u32 split, __u32 fh)
{
	struct as_names_scratch *ns;
	__u32 zero = 0;
	int k;

	__u64 mask = 0;

	*kind = AS_NAME_NONE;
	k = as_names_extract(ctx, pkt, now, fh);
	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ns)
		return 0;
	/* a ClientHello record, or a segment of a flow with a split one */
	if (pkt->proto == AS_IPPROTO_TCP && (ns->hrec || as_hello_marked(fh)))
		k = as_hello_tcp(ctx, pkt, now, split, fh);
	/* a QUIC Initial's ClientHello walked (quic.h): ECH counted as on TCP */
	if (pkt->proto == AS_IPPROTO_UDP && ns->ech)
		as_count_names(AS_NE_ECH);
	if (k != AS_NAME_NONE && as_names_lookup(ctx)) {
		mask = ns->mask;
		*kind = ns->kind;
	}
	as_names_wipe(ctx);
	return mask;
}

#endif /* AUTOSEL_XDP_NAMES_H */
