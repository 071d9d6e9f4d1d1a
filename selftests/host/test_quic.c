// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * QUIC client Initial SNI (issue 17, xdp/quic.h) under BPF_PROG_TEST_RUN:
 * the XDP program derives the Initial keys, removes header protection,
 * decrypts, reassembles CRYPTO frames and matches the ClientHello's
 * server_name as TLS SNI is matched.  The packets: RFC 9001 A.2 and RFC
 * 9369 A.2 (SNI example.com) as the RFCs print them, and Initials that
 * quic_fixtures.py builds with python3-cryptography at build time (frames
 * split and reordered, PING/PADDING/ACK between them, long CIDs, tokens,
 * packet numbers, broken and truncated ones).  Asserted: the verdict and
 * reason, the flow's kind (quic), every packet counted once, whether the
 * program decrypted (quic_scratch.decrypts), and that after every packet
 * quic_scratch and names_scratch hold no byte of it.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../ksft.h"
#include "pkt.h"
#include "xdp_env.h"
#include "domains.h"
#include "quic_fixtures.h"

#ifndef AUTOSEL_NAMES_OBJ
#define AUTOSEL_NAMES_OBJ "build/selftests/autosel_names.bpf.o"
#endif

#define NSEC		1000000000ULL
#define T0		(1800000000ULL * NSEC)
#define HOUR		(3600ULL * NSEC)

/* slot 0 df, slot 1 fd; 10/8 domestic */
static const struct { const char *name; int slot; } rules[] = {
	{ "c2.example", 0 },
	{ ".evil.test", 0 },
	{ "example.com", 1 },
};

struct tenv {
	struct xenv x;
	unsigned long fed;
	uint64_t fed_bytes;
	int domains, words, qscratch, nscratch;
};

static int setup(struct tenv *t, char *why, size_t whylen, int *skip)
{
	struct as_domains d;
	uint8_t a[16];
	size_t i;
	int err = 0;

	memset(t, 0, sizeof(*t));
	if (xenv_open(&t->x, skip, why, whylen))
		return -1;
	t->domains = xenv_map_fd(&t->x, "domains");
	t->words = xenv_map_fd(&t->x, "dom_names");
	t->qscratch = xenv_map_fd(&t->x, "quic_scratch");
	t->nscratch = xenv_map_fd(&t->x, "names_scratch");
	if (t->domains < 0 || t->words < 0 || t->qscratch < 0 ||
	    t->nscratch < 0) {
		snprintf(why, whylen, "object has no domains/quic_scratch");
		return -1;
	}
	err |= xenv_set_now(&t->x, T0);
	err |= xenv_set_approval(&t->x, 0, AS_DIR_DF, T0 - HOUR, T0 + HOUR, 100, 1);
	err |= xenv_set_approval(&t->x, 1, AS_DIR_FD, T0 - HOUR, T0 + HOUR, 101, 1);
	pkt_ip4(a, 10, 0, 0, 0);
	err |= xenv_add_domestic(&t->x, 4, a, 8);
	pkt_ip6(a, 0xfd00, 0, 0, 0);
	err |= xenv_add_domestic(&t->x, 6, a, 8);
	as_domains_init(&d);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		err |= as_domains_add(&d, rules[i].name, 1ULL << rules[i].slot);
	err |= as_domains_write(&d, t->domains, t->words);
	as_domains_free(&d);
	if (err) {
		snprintf(why, whylen, "setting the rules failed");
		return -1;
	}
	return 0;
}

#define SETUP(t) do {								\
	int _skip;								\
	char _why[256];								\
	if (setup((t), _why, sizeof(_why), &_skip)) {				\
		if (_skip)							\
			SKIP(return, "%s", _why);				\
		FAIL("%s", _why);						\
	}									\
} while (0)

enum host { D, F };

static void addr_of(int fam, enum host h, uint8_t out[16])
{
	if (fam == 4)
		pkt_ip4(out, h == D ? 10 : 198, h == D ? 1 : 51,
			h == D ? 2 : 100, h == D ? 3 : 7);
	else
		pkt_ip6(out, h == D ? 0xfd00 : 0x2001, h == D ? 1 : 0xdb8,
			h == D ? 0 : 0x100, h == D ? 3 : 7);
}

struct frame {
	uint8_t b[PKT_MAX];
	size_t len, hdr_len;
	char what[200];
};

static void mk(struct frame *f, int fam, enum host src, enum host dst,
	       uint16_t sport, uint16_t dport, const void *p, size_t plen,
	       const char *what)
{
	struct pkt_spec s = { .ipver = fam, .l4 = 17, .payload = (int)plen };
	struct pkt_addr a;
	struct pkt_info info;

	memset(&a, 0, sizeof(a));
	addr_of(fam, src, a.src);
	addr_of(fam, dst, a.dst);
	a.sport = sport;
	a.dport = dport;
	f->len = pkt_build(&s, &a, f->b, &info);
	f->hdr_len = info.hdr_len;
	memcpy(f->b + info.hdr_len, p, plen);
	snprintf(f->what, sizeof(f->what), "%s (ip%d)", what, fam);
}

#define SEL(slot)	XENV_SEL(slot)
#define DEL(reason)	XENV_DEL(reason)
static const char *const kind_names[] = AS_KIND_NAMES;

/* The count of Initials decrypted, over CPUs. */
static uint64_t decrypts(struct tenv *t)
{
	struct bpf_map_info info;
	__u32 il = sizeof(info), key = 0;
	uint64_t sum = 0;
	size_t vs, off;
	uint8_t *v;
	int i;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(t->qscratch, &info, &il))
		return ~0ULL;
	vs = (info.value_size + 7) & ~7u;
	off = info.value_size - 8;		/* decrypts: the last field */
	v = calloc((size_t)t->x.ncpus, vs);
	if (!v || bpf_map_lookup_elem(t->qscratch, &key, v)) {
		free(v);
		return ~0ULL;
	}
	for (i = 0; i < t->x.ncpus; i++) {
		uint64_t d;

		memcpy(&d, v + (size_t)i * vs + off, 8);
		sum += d;
	}
	free(v);
	return sum;
}

/* Every byte of both scratch maps but the decrypts count is zero. */
static bool scratch_clean(struct tenv *t)
{
	int fds[2] = { t->qscratch, t->nscratch }, k;
	bool clean = true;

	for (k = 0; k < 2; k++) {
		struct bpf_map_info info;
		__u32 il = sizeof(info), key = 0;
		size_t vs, i, keep;
		uint8_t *v;

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fds[k], &info, &il))
			return false;
		vs = (info.value_size + 7) & ~7u;
		keep = k == 0 ? info.value_size - 8 : 4096 + 256;
		v = calloc((size_t)t->x.ncpus, vs);
		if (!v || bpf_map_lookup_elem(fds[k], &key, v)) {
			free(v);
			return false;
		}
		for (i = 0; i < (size_t)t->x.ncpus * vs; i++)
			if (i % vs < keep && v[i])
				clean = false;
		free(v);
	}
	return clean;
}

/*
 * Run a frame: want SEL(slot) or DEL(reason); dec: whether the program
 * must have decrypted it; a new flow must count as quic.  The kept record
 * is the headers only, the scratch maps clean afterwards.
 */
static bool run(struct ksft_ctx *_ksft, struct tenv *t, const struct frame *f,
		int want, int dec, int new_flow)
{
	static struct xrun r;
	uint64_t c0[AS_C_MAX], c1[AS_C_MAX], d0, d1;
	struct as_slot_counters s0, s1;
	uint32_t wslot = want < AS_MAX_SLOTS ? (uint32_t)want : 0;
	int got, moved, i;
	struct as_meta meta;
	bool ok = true;

	d0 = decrypts(t);
	if (xenv_counters(&t->x, c0) || xenv_slot(&t->x, wslot, &s0) ||
	    xenv_run(&t->x, f->b, f->len, &r) ||
	    xenv_counters(&t->x, c1) || xenv_slot(&t->x, wslot, &s1)) {
		FAIL_SOFT("%s: test_run or counters failed", f->what);
		return false;
	}
	d1 = decrypts(t);
	t->fed++;
	t->fed_bytes += f->len;
	got = xenv_verdict(c0, c1, &r, &moved);
	if (got < 0) {
		FAIL_SOFT("%s: %d verdicts counted", f->what, moved);
		return false;
	}
	if (got != want) {
		char g[48], w[48];

		FAIL_SOFT("%s: got %s, want %s", f->what,
			  xenv_verdict_str(got, g, sizeof(g)),
			  xenv_verdict_str(want, w, sizeof(w)));
		ok = false;
	}
	if (d1 - d0 != (uint64_t)(dec ? 1 : 0)) {
		FAIL_SOFT("%s: decrypted %llu times, want %d", f->what,
			  (unsigned long long)(d1 - d0), dec ? 1 : 0);
		ok = false;
	}
	if (!scratch_clean(t)) {
		FAIL_SOFT("%s: SCRATCH NOT WIPED", f->what);
		ok = false;
	}
	if (got >= 100 || !ok) {
		if (got >= 100 && r.retval != XDP_DROP) {
			FAIL_SOFT("%s: deleted, retval %u", f->what, r.retval);
			ok = false;
		}
		return ok;
	}
	if (r.retval != XDP_REDIRECT ||
	    r.out_len != sizeof(meta) + f->hdr_len ||
	    memcmp(r.out + sizeof(meta), f->b, f->hdr_len)) {
		FAIL_SOFT("%s: kept %u bytes (retval %u), want %zu + %zu",
			  f->what, r.out_len, r.retval, sizeof(meta), f->hdr_len);
		ok = false;
	}
	for (i = 0; i < AS_KIND_NR; i++) {
		uint64_t dk = s1.flows_kind[i] - s0.flows_kind[i];
		uint64_t wk = new_flow && i == AS_KIND_QUIC ? 1 : 0;

		if (dk != wk) {
			FAIL_SOFT("%s: slot %u flows of kind %s +%llu, want +%llu",
				  f->what, wslot, kind_names[i],
				  (unsigned long long)dk,
				  (unsigned long long)wk);
			ok = false;
		}
	}
	if (s1.flows - s0.flows != (uint64_t)(new_flow ? 1 : 0)) {
		FAIL_SOFT("%s: flows +%llu", f->what,
			  (unsigned long long)(s1.flows - s0.flows));
		ok = false;
	}
	return ok;
}

static void check_totals(struct ksft_ctx *_ksft, struct tenv *t)
{
	uint64_t c[AS_C_MAX], del = 0;
	int i, k;

	ASSERT_EQ(0, xenv_counters(&t->x, c));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c[AS_C_DEL_REASON + i];
	EXPECT_EQ((uint64_t)t->fed, c[AS_C_SEEN]);
	EXPECT_EQ(c[AS_C_SEEN], c[AS_C_SELECTED] + del);
	EXPECT_EQ(t->fed_bytes, c[AS_C_SEEN_BYTES]);
	for (i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_slot_counters s;
		uint64_t sum = 0;

		ASSERT_EQ(0, xenv_slot(&t->x, (uint32_t)i, &s));
		for (k = 0; k < AS_KIND_NR; k++)
			sum += s.flows_kind[k];
		EXPECT_EQ(s.flows, sum);
	}
}

/* RFC 9001 A.2 and RFC 9369 A.2, from foreign clients: example.com (fd). */
TEST(rfc_vectors)
{
	static struct tenv t;
	static struct frame f;
	static uint8_t b[1200];
	struct as_slot_counters s;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		mk(&f, fam, F, D, 50000, 443, rfc9001_a2, sizeof(rfc9001_a2),
		   "RFC 9001 A.2 client Initial");
		run(_ksft, &t, &f, SEL(1), 1, 1);
		mk(&f, fam, F, D, 50001, 443, rfc9369_a2, sizeof(rfc9369_a2),
		   "RFC 9369 A.2 client Initial (v2)");
		run(_ksft, &t, &f, SEL(1), 1, 1);
		/* the same packets from a domestic client: the fd approval */
		mk(&f, fam, D, F, 50002, 443, rfc9001_a2, sizeof(rfc9001_a2),
		   "RFC 9001 A.2, df");
		run(_ksft, &t, &f, DEL(AS_DEL_DIRECTION), 1, 0);
		/* v1's packet relabelled v2: wrong keys, no name */
		memcpy(b, rfc9001_a2, sizeof(b));
		b[1] = 0x6b; b[2] = 0x33; b[3] = 0x43; b[4] = 0xcf;
		b[0] = (uint8_t)((b[0] & ~0x30) | 0x10);
		mk(&f, fam, F, D, 50003, 443, b, sizeof(b),
		   "RFC 9001 A.2 with version 2's number");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	}
	ASSERT_EQ(0, xenv_slot(&t.x, 1, &s));
	EXPECT_EQ(4, s.flows_kind[AS_KIND_QUIC]);
	EXPECT_EQ(4, s.flows);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* The Initials quic_fixtures.py built, on port 443 and elsewhere. */
TEST(generated_initials)
{
	static struct tenv t;
	static struct frame f;
	struct as_slot_counters s;
	size_t i, n = sizeof(quic_cases) / sizeof(quic_cases[0]);
	uint64_t want_flows = 0, want_ech = 0;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < n; i++) {
			const struct quic_case *c = &quic_cases[i];
			uint64_t e0[AS_C_MAX], e1[AS_C_MAX];

			mk(&f, fam, D, F, (uint16_t)(40000 + i),
			   i & 1 ? 8443 : 443, c->b, c->len, c->what);
			ASSERT_EQ(0, xenv_counters(&t.x, e0));
			run(_ksft, &t, &f,
			    c->want == 1 ? SEL(0) : DEL(AS_DEL_NO_MATCH),
			    c->want >= 0, c->want == 1);
			ASSERT_EQ(0, xenv_counters(&t.x, e1));
			/* names events: ECH counted as on TCP, nothing else */
			if (e1[AS_C_NAMES + AS_NE_ECH] - e0[AS_C_NAMES + AS_NE_ECH] !=
			    (uint64_t)c->ech ||
			    e1[AS_C_NAMES + AS_NE_HELLO_SPLIT] != e0[AS_C_NAMES + AS_NE_HELLO_SPLIT] ||
			    e1[AS_C_NAMES + AS_NE_HELLO_INCOMPLETE] != e0[AS_C_NAMES + AS_NE_HELLO_INCOMPLETE])
				FAIL_SOFT("%s: names events ech +%llu (want +%d)", f.what,
					  (unsigned long long)(e1[AS_C_NAMES + AS_NE_ECH] -
							       e0[AS_C_NAMES + AS_NE_ECH]), c->ech);
			want_flows += c->want == 1;
			want_ech += (uint64_t)c->ech;
		}
	}
	{
		uint64_t e[AS_C_MAX];

		ASSERT_EQ(0, xenv_counters(&t.x, e));
		EXPECT_EQ(want_ech, e[AS_C_NAMES + AS_NE_ECH]);
		EXPECT_EQ(4, want_ech);
	}
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &s));
	EXPECT_EQ(want_flows, s.flows_kind[AS_KIND_QUIC]);
	EXPECT_EQ(want_flows, s.flows);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * What is not an Initial is not decrypted: short headers (1-RTT), small
 * datagrams, DNS ports, another version; a flow opened by an Initial goes
 * on with its short-header packets, both ways.
 */
TEST(not_initial_not_decrypted_flow_followed)
{
	static struct tenv t;
	static struct frame f;
	static uint8_t b[1400];
	size_t i;

	SETUP(&t);
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 3);
	b[0] = 0x43;			/* short header, 4-byte packet number */
	mk(&f, 4, D, F, 41000, 443, b, 1300, "short header packet");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 0, 0);
	memcpy(b, quic_cases[0].b, 1200);
	mk(&f, 4, D, F, 41001, 443, b, 1000, "Initial of 1000 bytes");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 0, 0);
	mk(&f, 4, D, F, 41002, 53, b, 1200, "Initial to port 53");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 0, 0);
	b[4] = 2;			/* version 2 is 0x6b3343cf */
	mk(&f, 4, D, F, 41003, 443, b, 1200, "version 0x00000002");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 0, 0);
	b[1] = b[2] = b[3] = b[4] = 0;	/* version negotiation */
	mk(&f, 4, D, F, 41004, 443, b, 1200, "version 0");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 0, 0);
	/* a flow: the Initial opens it, the rest follows without crypto */
	mk(&f, 6, D, F, 41005, 443, quic_cases[0].b, quic_cases[0].len,
	   "Initial opens the flow");
	run(_ksft, &t, &f, SEL(0), 1, 1);
	mk(&f, 6, D, F, 41005, 443, quic_cases[0].b, quic_cases[0].len,
	   "the same Initial again (retransmitted): in the flow");
	run(_ksft, &t, &f, SEL(0), 0, 0);
	b[0] = 0x41;
	mk(&f, 6, F, D, 443, 41005, b, 1300, "server's short header reply");
	run(_ksft, &t, &f, SEL(0), 0, 0);
	mk(&f, 6, D, F, 41005, 443, b, 60, "client's short header packet");
	run(_ksft, &t, &f, SEL(0), 0, 0);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- a ClientHello over two Initials (quic_held) --------------------- */

static const char *const held_readable[] = { "quic_held", NULL };

/* The two-Initial states (xenv_state_slots; the map made readable). */
static int held_slots(struct tenv *t, bool *dirty, __u32 *slots, int nslots)
{
	return xenv_state_slots(&t->x, "quic_held", dirty, slots, nslots);
}

static int held_live(struct tenv *t, bool *dirty)
{
	return held_slots(t, dirty, NULL, 0);
}

static uint64_t names_event(struct tenv *t, int ev)
{
	return xenv_counter(&t->x, AS_C_NAMES + ev);
}

#define HELD(t, n) do {							\
	bool _dirty;							\
	EXPECT_EQ((n), held_live((t), &_dirty));			\
	EXPECT_FALSE(_dirty);						\
} while (0)

/*
 * A post-quantum ClientHello over the first two Initials of a connection
 * (quic_fixtures.py pairs(): four pieces, two per packet, reordered, the
 * SNI in the second): the first Initial is deleted and leaves its stream
 * in quic_held, the second is read with it and decides; after it the
 * slot reads zero.  Not joined: a second Initial alone, one of another
 * DCID, one after the state's time (given up, zeroed).  The map is
 * write-only to user space.
 */
TEST(two_initials)
{
	static struct tenv t;
	static struct frame f;
	size_t i, n = sizeof(quic_pairs) / sizeof(quic_pairs[0]);
	uint64_t split0, inc0, want_split = 0;
	uint8_t v[8];
	__u32 k = 0;
	int fam;

	SETUP(&t);		/* as it is loaded: write-only */
	EXPECT_EQ(-EPERM, bpf_map_lookup_elem(xenv_map_fd(&t.x, "quic_held"), &k, v) ? -errno : 0);
	xenv_close(&t.x);
	xenv_readable_maps = held_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	split0 = names_event(&t, AS_NE_HELLO_SPLIT);
	inc0 = names_event(&t, AS_NE_HELLO_INCOMPLETE);
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < n; i++) {
			const struct quic_pair *p = &quic_pairs[i];
			uint16_t sp = (uint16_t)(45000 + 10 * fam + i);
			int match = i < 2;	/* the third's name is not listed */

			mk(&f, fam, D, F, sp, 443, p->a, p->alen, p->what);
			strncat(f.what, ": first Initial", sizeof(f.what) - strlen(f.what) - 1);
			run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
			HELD(&t, 1);
			mk(&f, fam, D, F, sp, 443, p->b, p->blen, p->what);
			strncat(f.what, ": second Initial", sizeof(f.what) - strlen(f.what) - 1);
			run(_ksft, &t, &f, match ? SEL(0) : DEL(AS_DEL_NO_MATCH), 1, match);
			HELD(&t, 0);		/* zeroed at the decision */
			want_split++;
		}
	}
	EXPECT_EQ(split0 + want_split, names_event(&t, AS_NE_HELLO_SPLIT));
	EXPECT_EQ(inc0, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	/* the second alone: no name, and it holds nothing */
	mk(&f, 4, D, F, 46000, 443, quic_pairs[0].b, quic_pairs[0].blen,
	   "second Initial alone");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	HELD(&t, 1);		/* its pieces may be the first of their kind */
	/* another DCID on the same ports: not joined */
	mk(&f, 4, D, F, 46001, 443, quic_pairs[0].a, quic_pairs[0].alen,
	   "first Initial");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	mk(&f, 4, D, F, 46001, 443, quic_pairs[1].b, quic_pairs[1].blen,
	   "second Initial of another DCID");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	/* after AS_QUIC_HELD_TTL_NS: given up, zeroed, counted */
	mk(&f, 4, D, F, 46002, 443, quic_pairs[0].a, quic_pairs[0].alen,
	   "first Initial");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 3 * NSEC));
	mk(&f, 4, D, F, 46002, 443, quic_pairs[0].b, quic_pairs[0].blen,
	   "second Initial 3 s later");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	EXPECT_LE(inc0 + 1, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A first Initial whose second never comes is given up by the sweep
 * (as_qheld_sweep: each new state looks at the slot half the table away,
 * moved on by the clock), zeroed and counted, though its own connection
 * sends nothing more: A holds a slot; B, another connection, learns its
 * own slot in a dry run; then, past A's time, B starts again at the
 * moment whose sweep falls on A's slot.
 */
TEST(held_swept)
{
	static struct tenv t;
	static struct frame f;
	/* B's name is not listed: B opens no flow, so it starts again */
	const struct quic_pair *pa = &quic_pairs[0], *pb = &quic_pairs[2];
	struct bpf_map_info info = {};
	__u32 il = sizeof(info), sl[2], sa, sb = 0, n;
	uint64_t inc0;
	uint16_t sp;
	bool dirty;

	xenv_readable_maps = held_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	ASSERT_EQ(0, bpf_obj_get_info_by_fd(xenv_map_fd(&t.x, "quic_held"),
					    &info, &il));
	n = info.max_entries;
	ASSERT_EQ(0, n & (n - 1));
	inc0 = names_event(&t, AS_NE_HELLO_INCOMPLETE);
	mk(&f, 4, D, F, 47000, 443, pa->a, pa->alen, "A: first Initial");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	ASSERT_EQ(1, held_slots(&t, &dirty, sl, 1));
	sa = sl[0];
	for (sp = 47001; sp < 47040; sp++) {	/* B: a slot not A's */
		mk(&f, 4, D, F, sp, 443, pb->a, pb->alen, "B: first Initial");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
		ASSERT_EQ(2, held_slots(&t, &dirty, sl, 2));
		sb = sl[0] == sa ? sl[1] : sl[0];
		mk(&f, 4, D, F, sp, 443, pb->b, pb->blen, "B: second Initial");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
		if (sb != sa)
			break;
	}
	ASSERT_NE(sa, sb);
	HELD(&t, 1);
	/* past A's AS_QUIC_HELD_TTL_NS, when B's sweep falls on A's slot */
	ASSERT_EQ(0, xenv_set_now(&t.x,
				     xenv_sweep_time(T0 + 3 * NSEC, sb, sa, n)));
	mk(&f, 4, D, F, sp, 443, pb->a, pb->alen,
	   "B again, 3 s later: its sweep falls on A's slot");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), 1, 0);
	ASSERT_EQ(1, held_slots(&t, &dirty, sl, 1));
	EXPECT_EQ(sb, sl[0]);		/* B's; A's is gone */
	EXPECT_FALSE(dirty);		/* and zeroed */
	EXPECT_EQ(inc0 + 1, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

int main(void)
{
	const char *obj = getenv("AUTOSEL_NAMES_OBJ");

	setenv("AUTOSEL_BPF_OBJ", obj && *obj ? obj : AUTOSEL_NAMES_OBJ, 1);
	return ksft_run();
}
