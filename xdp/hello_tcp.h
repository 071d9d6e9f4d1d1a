/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autosel: a TLS ClientHello spread over the first TCP segments of a flow
 * (issue 17).  Included by xdp/names.h; Documentation/domains.rst ("Split
 * ClientHellos") describes the behaviour, datapath.rst what happens to the
 * segments before the decision.
 *
 * A segment that opens with a ClientHello record longer than itself, and
 * whose bytes give no server_name, enters a state: the ARRAY "hello", one
 * slot per hashed flow (the low bits of as_flow_hash()), holds its bytes
 * and the next sequence number.  Each next segment of the same direction
 * is put after them (one segment that comes early, past a hole, is held
 * until the hole is filled), and the ClientHello parser of names.h is run
 * again on all the bytes so far.  The state is decided as soon as the
 * server_name is whole (the name is then matched like one in a single
 * segment: by the segment that completed it), or the record is whole
 * without one, and given up when AS_HELLO_MAX bytes or AS_HELLO_SEGS
 * segments are reached, or AS_HELLO_TTL_NS after its first segment.
 * Decided or given up, its bytes are zeroed and the slot emptied at once.
 *
 * The cost for every other packet: one byte, hellomark[slot], holding a
 * 7-bit tag of the flow hash while its slot is live (0 empty): a TCP
 * segment with payload whose tag is not there is not looked at further.
 *
 * Concurrency: the segments of one direction of a flow reach one CPU (RSS)
 * but nothing relies on it.  A slot is taken, under its lock, from EMPTY
 * or LIVE to BUSY by the one program run that works on it, and given back
 * LIVE or EMPTY; a run that finds it BUSY leaves it alone.
 */
#ifndef AUTOSEL_XDP_HELLO_TCP_H
#define AUTOSEL_XDP_HELLO_TCP_H

#define AS_HELLO_EMPTY		0
#define AS_HELLO_LIVE		1
#define AS_HELLO_BUSY		2

struct as_hello {
	struct bpf_spin_lock lock;
	__u32 state;			/* AS_HELLO_EMPTY, _LIVE, _BUSY */
	struct as_hello_key key;
	__u64 started_ns;		/* the first segment's time */
	__u32 isn;			/* sequence number of the record's first byte */
	__u32 n;			/* bytes held from it without a hole */
	__u32 oo_lo, oo_hi;		/* one early segment past the hole (0, 0: none) */
	__u32 rec_end;			/* 5 + the record's length */
	__u32 segs;			/* segments taken */
	/*
	 * Bytes at their offset from isn, below AS_HELLO_MAX; twice that
	 * so that a segment of up to AS_HELLO_MAX bytes at any offset
	 * below it is one bounded write.
	 */
	__u8 buf[2 * AS_HELLO_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_HELLO_SLOTS);
	/* bytes of ClientHellos: no syscall may read them back */
	__uint(map_flags, BPF_F_WRONLY);
	__type(key, __u32);
	__type(value, struct as_hello);
} hello SEC(".maps");

/* One byte per slot: 0x80 | a tag of the flow hash while live, else 0. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_HELLO_SLOTS / 8);
	__type(key, __u32);
	__type(value, __u64);
} hellomark SEC(".maps");

/* Counts one enum as_names_event (autosel.bpf.c: map or kfunc). */
static __always_inline void as_count_names(__u32 event);

static __always_inline __u8 *as_hello_mark(__u32 slot)
{
	__u32 w = (slot & (AS_HELLO_SLOTS - 1)) >> 3;
	__u8 *m = bpf_map_lookup_elem(&hellomark, &w);

	return m ? m + (slot & 7) : NULL;
}

/* May the flow of hash fh have a live state?  The split path's gate. */
static __always_inline int as_hello_marked(__u32 fh)
{
	__u8 *m = as_hello_mark(fh & (AS_HELLO_SLOTS - 1));

	return m && *m == (0x80 | (fh >> 25));
}

/* Zero the bytes and the state of slot v (held BUSY: it stays so). */
static __always_inline void as_hello_scrub(struct as_hello *v, __u32 slot)
{
	__u32 n = v->n > v->oo_hi ? v->n : v->oo_hi;
	__u8 *m;

	as_pieces(v->buf, NULL, n < AS_HELLO_MAX ? n : AS_HELLO_MAX);
	__builtin_memset(&v->key, 0, sizeof(v->key));
	v->started_ns = 0;
	v->isn = 0;
	v->n = 0;
	v->oo_lo = 0;
	v->oo_hi = 0;
	v->rec_end = 0;
	v->segs = 0;
	m = as_hello_mark(slot);
	if (m)
		*m = 0;
}

/* Zero slot v (held BUSY) and empty it. */
static __always_inline void as_hello_free(struct as_hello *v, __u32 slot)
{
	as_hello_scrub(v, slot);
	bpf_spin_lock(&v->lock);
	v->state = AS_HELLO_EMPTY;
	bpf_spin_unlock(&v->lock);
}

static __always_inline void as_hello_release(struct as_hello *v)
{
	bpf_spin_lock(&v->lock);
	v->state = AS_HELLO_LIVE;
	bpf_spin_unlock(&v->lock);
}

_Static_assert(sizeof(struct as_hello_key) % 8 == 0, "as_words_eq's words");

/* The segment's bytes from packet offset off into v->buf[o, o + len). */
static __always_inline int as_hello_put(struct xdp_md *ctx,
					struct as_hello *v, __u32 off,
					__u32 o, __u32 len)
{
	if (o >= AS_HELLO_MAX || len < 1)
		return -1;
	as_same_bounds(o, AS_HELLO_MAX - 1);
	len -= 1;
	as_same_bounds(len, AS_HELLO_MAX - 1);
	len += 1;
	return bpf_xdp_load_bytes(ctx, off, &v->buf[o], len);
}

/*
 * A slot whose state has outlived AS_HELLO_TTL_NS: given up (its flow's
 * next segment never came).  Every new state looks at one other slot, in
 * turn, so that abandoned bytes do not wait for their own slot's reuse.
 */
static __always_inline void as_hello_sweep(__u32 slot, __u64 now)
{
	__u32 k = (slot + AS_HELLO_SLOTS / 2 + (__u32)(now >> 10)) &
		  (AS_HELLO_SLOTS - 1);
	struct as_hello *v = bpf_map_lookup_elem(&hello, &k);
	int take = 0;

	if (!v)
		return;
	bpf_spin_lock(&v->lock);
	if (v->state == AS_HELLO_LIVE && now > v->started_ns &&
	    now - v->started_ns > AS_HELLO_TTL_NS) {
		v->state = AS_HELLO_BUSY;
		take = 1;
	}
	bpf_spin_unlock(&v->lock);
	if (take) {
		as_hello_free(v, k);
		as_count_names(AS_NE_HELLO_INCOMPLETE);
	}
}

/*
 * After as_names_extract(), for a segment that holds a ClientHello record
 * or passes as_hello_marked(); h is the packet's as_flow_hash().  Returns
 * the kind of the packet's name, which
 * is extract's own unless the segment goes on a split ClientHello.  May
 * start a state (split: the packet's addresses matched nothing), go on
 * one, decide it; counts the ECH and split events of the ClientHellos it
 * decides.  The name found, if any, is in names_scratch as extract leaves
 * it; nothing of the window stays there (ns->n 0 after a reassembly).
 */
__attribute__((noinline))
int as_hello_tcp(struct xdp_md *ctx, struct as_pkt *pkt, __u64 now,
		 __u32 split, __u32 h)
{
	struct as_names_scratch *ns;
	struct as_hello *v;
	__u32 zero = 0, slot, tag, off, end, avail, seq, o, len, rec, wipe;
	int kind, mine = 0, take = 0, start, res = 0;
	__u8 *m;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !pkt || !ns)
		return AS_NAME_NONE;
	kind = (int)ns->kind;
	if (pkt->proto != AS_IPPROTO_TCP || pkt->frag == AS_FRAG_LATER)
		return kind;
	off = pkt->hdr_len;
	end = bpf_xdp_get_buff_len(ctx);
	if (pkt->ip_len && (__u32)pkt->l3_off + pkt->ip_len < end)
		end = (__u32)pkt->l3_off + pkt->ip_len;
	if (end <= off)
		return kind;
	avail = end - off;
	slot = h & (AS_HELLO_SLOTS - 1);	/* h: as_flow_hash() */
	tag = 0x80 | (h >> 25);
	m = as_hello_mark(slot);
	rec = ns->hrec;
	/* A ClientHello record that goes on past this segment, no name yet. */
	start = rec && kind == AS_NAME_NONE && split && rec > avail;
	if (!start && !(m && *m == tag)) {
		if (rec && ns->ech)		/* a ClientHello decided here */
			as_count_names(AS_NE_ECH);
		return kind;
	}
	if (bpf_xdp_load_bytes(ctx, pkt->l4_off + 4, &seq, 4))
		return kind;
	seq = __builtin_bswap32(seq);
	__builtin_memcpy(ns->hk.saddr, pkt->saddr, 16);
	__builtin_memcpy(ns->hk.daddr, pkt->daddr, 16);
	ns->hk.sport = pkt->sport;
	ns->hk.dport = pkt->dport;
	ns->hk.family = pkt->family;
	ns->hk.pad[0] = 0;
	ns->hk.pad[1] = 0;
	ns->hk.pad[2] = 0;
	v = bpf_map_lookup_elem(&hello, &slot);
	if (!v)
		return kind;
	bpf_spin_lock(&v->lock);
	if (v->state == AS_HELLO_LIVE &&
	    as_words_eq(&v->key, &ns->hk, sizeof(v->key))) {
		v->state = AS_HELLO_BUSY;
		mine = 1;
	} else if (start && v->state != AS_HELLO_BUSY) {
		take = v->state == AS_HELLO_LIVE ? 2 : 1;	/* 2: overtakes one */
		v->state = AS_HELLO_BUSY;
	}
	bpf_spin_unlock(&v->lock);

	if (mine) {
		/* out of time, or a new ClientHello on the same ports */
		if ((now > v->started_ns &&
		     now - v->started_ns > AS_HELLO_TTL_NS) ||
		    (start && seq != v->isn)) {
			as_count_names(AS_NE_HELLO_INCOMPLETE);
			if (!start) {
				as_hello_free(v, slot);
				return kind;
			}
			as_hello_scrub(v, slot);	/* and start anew, below */
			take = 1;
			mine = 0;
		}
	}
	if (!mine && !take) {
		if (start)			/* its slot is busy: not read on */
			as_count_names(AS_NE_HELLO_INCOMPLETE);
		if (rec && ns->ech && !start)
			as_count_names(AS_NE_ECH);
		return kind;
	}
	if (take) {
		/* a new state: this segment's bytes from the record's start */
		if (take == 2) {		/* another flow's, given up */
			as_hello_scrub(v, slot);
			as_count_names(AS_NE_HELLO_INCOMPLETE);
		}
		len = avail < AS_HELLO_MAX ? avail : AS_HELLO_MAX;
		if (as_hello_put(ctx, v, off, 0, len)) {
			as_hello_free(v, slot);
			return kind;
		}
		v->key = ns->hk;
		v->started_ns = now;
		v->isn = seq;
		v->n = len;
		v->oo_lo = 0;
		v->oo_hi = 0;
		v->rec_end = rec;
		v->segs = 1;
		if (m)
			*m = tag;
		as_hello_release(v);
		as_hello_sweep(slot, now);
		return AS_NAME_NONE;
	}

	/* The next segment of a live state: where do its bytes go? */
	o = seq - v->isn;
	if (o >= AS_HELLO_MAX) {	/* before the record, or past the window */
		as_hello_release(v);
		return kind;
	}
	len = AS_HELLO_MAX - o;
	if (avail < len)
		len = avail;
	if (o + len <= v->n) {		/* a retransmission of bytes held */
		as_hello_release(v);
		return kind;
	}
	if (o > v->n) {			/* early, past a hole: hold one */
		if (!v->oo_hi && !as_hello_put(ctx, v, off, o, len)) {
			v->oo_lo = o;
			v->oo_hi = o + len;
			v->segs++;
		}
		if (v->segs >= AS_HELLO_SEGS) {
			as_hello_free(v, slot);
			as_count_names(AS_NE_HELLO_INCOMPLETE);
			return AS_NAME_NONE;
		}
		as_hello_release(v);
		return AS_NAME_NONE;
	}
	if (as_hello_put(ctx, v, off, o, len)) {
		as_hello_release(v);
		return kind;
	}
	v->n = o + len;
	v->segs++;
	if (v->oo_hi && v->oo_lo <= v->n) {	/* the hole is filled */
		if (v->oo_hi > v->n)
			v->n = v->oo_hi;
		v->oo_lo = 0;
		v->oo_hi = 0;
	}
	if (v->n > AS_HELLO_MAX)
		v->n = AS_HELLO_MAX;

	/* All the bytes so far into the window, parsed as one ClientHello. */
	as_pieces(ns->buf, v->buf, v->n);
	wipe = ns->n > v->n ? ns->n : v->n;	/* what to wipe of it after */
	ns->n = v->n;
	ns->ech = 0;
	ns->kind = AS_NAME_NONE;
	res = as_name_hello(ns, 5, v->rec_end, v->n);
	ns->kind = (__u32)res;
	as_pieces(ns->buf, NULL, wipe);
	ns->n = 0;
	if (res || v->n >= v->rec_end) {		/* decided */
		as_count_names(AS_NE_HELLO_SPLIT);
		if (ns->ech)
			as_count_names(AS_NE_ECH);
		as_hello_free(v, slot);
		return res;
	}
	if (v->n >= AS_HELLO_MAX || v->segs >= AS_HELLO_SEGS) {	/* bound */
		as_hello_free(v, slot);
		as_count_names(AS_NE_HELLO_INCOMPLETE);
		return AS_NAME_NONE;
	}
	as_hello_release(v);
	return AS_NAME_NONE;
}

#endif /* AUTOSEL_XDP_HELLO_TCP_H */
