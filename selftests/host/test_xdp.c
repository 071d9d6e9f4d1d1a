// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program (build/autosel.bpf.o) under BPF_PROG_TEST_RUN: for every
 * header shape, verdict and deletion reason, IPv4 and IPv6, the return
 * value, the one counter that moved, the exact kept record (metadata, then
 * a prefix of the frame as long as its headers, no canary byte), flow
 * following, fragments, windows and dd; and for every tunnel shape
 * (issue #13) the same, decided by the innermost headers, and by the
 * outer ones with config.no_decap.
 *
 * Each test loads a fresh copy of the object in its own process and writes
 * the rule maps directly; nothing is attached, nothing is sent.
 */
#include <linux/bpf.h>
#include <stdbool.h>

#include "../ksft.h"
#include "pkt.h"
#include "shapes.h"
#include "xdp_env.h"

#define NSEC		1000000000ULL
#define T0		(1800000000ULL * NSEC)	/* "now" of every test */
#define HOUR		(3600ULL * NSEC)

/* Endpoints, each with an IPv4 and an IPv6 address. */
enum host {
	F0,	/* foreign, indicator of slot 0 (fd) */
	F1,	/* foreign, indicator of slot 1 (df) */
	F2,	/* foreign, indicator of slot 2 (ff) */
	FX,	/* foreign, no indicator */
	FEXP,	/* foreign, indicator of slot 3 (fd, window over) */
	FFUT,	/* foreign, indicator of slot 4 (fd, window not yet open) */
	F5,	/* foreign, indicator of slot 5 (fd, window ends at T0 + 10 s) */
	D,	/* domestic */
	D2,	/* domestic */
	DI,	/* domestic, yet covered by an indicator of slots 0, 1, 2 */
	DI2,	/* domestic, covered by the same indicator */
	NHOSTS
};

static const struct {
	uint8_t v4[4];
	uint16_t v6[4];		/* words 0, 1, 2 and 7 */
} hosts[NHOSTS] = {
	[F0]   = { { 198, 51, 100, 7 }, { 0x2001, 0xdb8, 0x100, 7 } },
	[F1]   = { { 203, 0, 113, 9 },  { 0x2001, 0xdb8, 0x113, 9 } },
	[F2]   = { { 192, 0, 2, 1 },    { 0x2001, 0xdb8, 0x2, 1 } },
	[FX]   = { { 233, 252, 0, 5 },  { 0x2001, 0xdb8, 0xffff, 5 } },
	[FEXP] = { { 100, 64, 1, 1 },   { 0x2001, 0xdb8, 0x64, 1 } },
	[FFUT] = { { 100, 64, 2, 1 },   { 0x2001, 0xdb8, 0x65, 1 } },
	[F5]   = { { 198, 51, 101, 5 }, { 0x2001, 0xdb8, 0x101, 5 } },
	[D]    = { { 10, 1, 2, 3 },     { 0xfd00, 0x1, 0, 3 } },
	[D2]   = { { 10, 4, 5, 6 },     { 0xfd00, 0x2, 0, 6 } },
	[DI]   = { { 10, 99, 1, 1 },    { 0xfd00, 0x99, 0, 1 } },
	[DI2]  = { { 10, 99, 2, 2 },    { 0xfd00, 0x99, 0, 2 } },
};

static void host_addr(int fam, enum host h, uint8_t out[16])
{
	if (fam == 4)
		pkt_ip4(out, hosts[h].v4[0], hosts[h].v4[1], hosts[h].v4[2],
			hosts[h].v4[3]);
	else
		pkt_ip6(out, hosts[h].v6[0], hosts[h].v6[1], hosts[h].v6[2],
			hosts[h].v6[3]);
}

struct tenv {
	struct xenv x;
	unsigned long fed;		/* frames run */
	uint64_t fed_bytes;
};

/* Verdicts a test accepts, as a mask: one reason bit each, or SEL. */
#define SEL		(1u << 15)
#define R(reason)	(1u << (reason))

static const char *const reason_names[] = AS_REASON_NAMES;

/* A failed check inside run_one(): report, remember, go on. */
#define SOFT(...) do { FAIL_SOFT(__VA_ARGS__); ok = false; } while (0)

/* The standard domestic map: 10.0.0.0/8 and fd00::/8. */
static int rules_domestic(struct xenv *x)
{
	uint8_t a[16];
	int err = 0;

	pkt_ip4(a, 10, 0, 0, 0);
	err |= xenv_add_domestic(x, 4, a, 8);
	pkt_ip6(a, 0xfd00, 0, 0, 0);
	err |= xenv_add_domestic(x, 6, a, 8);
	return err;
}

/*
 * The standard rule set (see enum host); every approval is active and
 * open at T0 unless its comment says otherwise.
 */
static int rules_default(struct tenv *t)
{
	static const struct { enum host h; uint32_t p4, p6; uint64_t mask; } ind[] = {
		{ F0, 24, 48, 1u << 0 }, { F1, 24, 48, 1u << 1 },
		{ F2, 24, 48, 1u << 2 }, { FEXP, 24, 48, 1u << 3 },
		{ FFUT, 24, 48, 1u << 4 }, { F5, 24, 48, 1u << 5 },
		{ DI, 16, 32, 7 },
	};
	struct xenv *x = &t->x;
	uint8_t a[16];
	size_t i;
	int err = 0;

	err |= xenv_set_now(x, T0);
	err |= xenv_set_approval(x, 0, AS_DIR_FD, T0 - HOUR, T0 + HOUR, 100, 1);
	err |= xenv_set_approval(x, 1, AS_DIR_DF, T0 - HOUR, T0 + HOUR, 101, 1);
	err |= xenv_set_approval(x, 2, AS_DIR_FF, T0 - HOUR, T0 + HOUR, 102, 1);
	err |= xenv_set_approval(x, 3, AS_DIR_FD, T0 - 2 * HOUR, T0 - HOUR, 103, 1);
	err |= xenv_set_approval(x, 4, AS_DIR_FD, T0 + HOUR, T0 + 2 * HOUR, 104, 1);
	err |= xenv_set_approval(x, 5, AS_DIR_FD, T0 - HOUR, T0 + 10 * NSEC, 105, 1);
	err |= rules_domestic(x);
	for (i = 0; i < sizeof(ind) / sizeof(ind[0]); i++) {
		host_addr(4, ind[i].h, a);
		err |= xenv_add_indicator(x, 4, a, ind[i].p4, ind[i].mask);
		host_addr(6, ind[i].h, a);
		err |= xenv_add_indicator(x, 6, a, ind[i].p6, ind[i].mask);
	}
	return err;
}

#define SETUP(t) do {								\
	int _skip;								\
	char _why[256];								\
	memset((t), 0, sizeof(*(t)));						\
	if (xenv_open(&(t)->x, &_skip, _why, sizeof(_why))) {			\
		if (_skip)							\
			SKIP(return, "%s", _why);				\
		FAIL("%s", _why);						\
	}									\
	ASSERT_EQ(0, rules_default(t));						\
} while (0)

/*
 * Run one frame and check everything a verdict implies.  hdr_len is the
 * expected kept length, slot the expected slot, for a selection.
 * Returns true if all held.
 */
static bool run_one(struct ksft_ctx *_ksft, struct tenv *t, const uint8_t *frame,
		    size_t len, unsigned int want, uint32_t slot, size_t hdr_len,
		    const char *what)
{
	static struct xrun r;
	uint64_t c0[AS_C_MAX], c1[AS_C_MAX];
	struct as_slot_counters s0, s1;
	struct as_meta meta;
	int got = -1, moved = 0, i, err;
	bool ok = true;

	if (xenv_counters(&t->x, c0) || xenv_slot(&t->x, slot, &s0))
		FAIL("%s: reading counters", what);
	err = xenv_run(&t->x, frame, len, &r);
	if (err)
		FAIL("%s: test_run: %s", what, strerror(-err));
	t->fed++;
	t->fed_bytes += len;
	if (xenv_counters(&t->x, c1) || xenv_slot(&t->x, slot, &s1))
		FAIL("%s: reading counters", what);

	for (i = 0; i < AS_DEL_MAX; i++) {
		uint64_t d = c1[AS_C_DEL_REASON + i] - c0[AS_C_DEL_REASON + i];

		if (d) {
			moved += (int)d;
			got = i;
		}
	}
	if (c1[AS_C_SELECTED] != c0[AS_C_SELECTED]) {
		moved += (int)(c1[AS_C_SELECTED] - c0[AS_C_SELECTED]);
		got = 15;
	}
	if (moved != 1 || c1[AS_C_SEEN] - c0[AS_C_SEEN] != 1 ||
	    c1[AS_C_SEEN_BYTES] - c0[AS_C_SEEN_BYTES] != len) {
		FAIL_SOFT("%s: %d verdict counters moved, seen +%llu, seen_bytes +%llu (len %zu)",
			  what, moved,
			  (unsigned long long)(c1[AS_C_SEEN] - c0[AS_C_SEEN]),
			  (unsigned long long)(c1[AS_C_SEEN_BYTES] - c0[AS_C_SEEN_BYTES]),
			  len);
		return false;
	}
	if (!(want & (1u << got))) {
		FAIL_SOFT("%s: verdict %s (retval %u), want %s%s", what,
			  got == 15 ? "selected" : reason_names[got], r.retval,
			  want & SEL ? "selected" : "deleted",
			  want & SEL ? "" : " (see mask)");
		for (i = 0; i < AS_DEL_MAX; i++)
			if (want & R(i))
				ksft_print("  acceptable: %s\n", reason_names[i]);
		return false;
	}
	if (got != 15) {
		if (r.retval != XDP_DROP)
			SOFT("%s: deleted (%s) but retval %u", what,
				  reason_names[got], r.retval);
		if (c1[AS_C_DELETED] - c0[AS_C_DELETED] != 1 ||
		    c1[AS_C_DELETED_BYTES] - c0[AS_C_DELETED_BYTES] != len)
			SOFT("%s: deleted/deleted_bytes did not move by 1/%zu",
				  what, len);
		return ok;
	}

	/* Selected: XDP_REDIRECT, data_out = struct as_meta + headers. */
	if (r.retval != XDP_REDIRECT)
		SOFT("%s: selected but retval %u", what, r.retval);
	if (r.out_len != sizeof(meta) + hdr_len) {
		FAIL_SOFT("%s: kept %u bytes, want %zu (meta) + %zu (headers)",
			  what, r.out_len, sizeof(meta), hdr_len);
		ok = false;
	} else {
		memcpy(&meta, r.out, sizeof(meta));
		if (meta.magic != AS_META_MAGIC || meta.slot != slot ||
		    meta.hdr_len != hdr_len)
			SOFT("%s: meta magic %#x slot %u hdr_len %u, want slot %u hdr_len %zu",
				  what, meta.magic, meta.slot, meta.hdr_len,
				  slot, hdr_len);
		if (memcmp(r.out + sizeof(meta), frame, hdr_len))
			SOFT("%s: kept bytes differ from the frame's", what);
	}
	if (pkt_has_canary(r.out, r.out_len))
		SOFT("%s: CANARY IN KEPT RECORD", what);
	if (c1[AS_C_KEPT_BYTES] - c0[AS_C_KEPT_BYTES] != hdr_len ||
	    c1[AS_C_SELECTED_BYTES] - c0[AS_C_SELECTED_BYTES] != len ||
	    c1[AS_C_DISCARDED_PAYLOAD] - c0[AS_C_DISCARDED_PAYLOAD] != len - hdr_len)
		SOFT("%s: kept/selected/discarded bytes +%llu/+%llu/+%llu, want %zu/%zu/%zu",
			  what,
			  (unsigned long long)(c1[AS_C_KEPT_BYTES] - c0[AS_C_KEPT_BYTES]),
			  (unsigned long long)(c1[AS_C_SELECTED_BYTES] - c0[AS_C_SELECTED_BYTES]),
			  (unsigned long long)(c1[AS_C_DISCARDED_PAYLOAD] - c0[AS_C_DISCARDED_PAYLOAD]),
			  hdr_len, len, len - hdr_len);
	if (s1.packets - s0.packets != 1 || s1.kept_bytes - s0.kept_bytes != hdr_len)
		SOFT("%s: slot %u packets +%llu kept +%llu", what, slot,
			  (unsigned long long)(s1.packets - s0.packets),
			  (unsigned long long)(s1.kept_bytes - s0.kept_bytes));
	/* IP indicators only here: every new flow is of kind ip */
	if (s1.flows - s0.flows > 1 ||
	    s1.flows_kind[AS_KIND_IP] - s0.flows_kind[AS_KIND_IP] !=
	    s1.flows - s0.flows ||
	    s1.flows_kind[AS_KIND_DNS] != s0.flows_kind[AS_KIND_DNS] ||
	    s1.flows_kind[AS_KIND_SNI] != s0.flows_kind[AS_KIND_SNI] ||
	    s1.flows_kind[AS_KIND_HTTP] != s0.flows_kind[AS_KIND_HTTP])
		SOFT("%s: slot %u flows +%llu, by kind ip +%llu dns +%llu sni +%llu http +%llu",
		     what, slot, (unsigned long long)(s1.flows - s0.flows),
		     (unsigned long long)(s1.flows_kind[0] - s0.flows_kind[0]),
		     (unsigned long long)(s1.flows_kind[1] - s0.flows_kind[1]),
		     (unsigned long long)(s1.flows_kind[2] - s0.flows_kind[2]),
		     (unsigned long long)(s1.flows_kind[3] - s0.flows_kind[3]));
	return ok;
}

/* seen = selected + sum of deletions by reason = every frame fed, at the end. */
static void check_totals(struct ksft_ctx *_ksft, struct tenv *t)
{
	uint64_t c[AS_C_MAX], del = 0, delb;
	int i;

	ASSERT_EQ(0, xenv_counters(&t->x, c));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c[AS_C_DEL_REASON + i];
	delb = c[AS_C_DELETED_BYTES];
	EXPECT_EQ((uint64_t)t->fed, c[AS_C_SEEN]);
	EXPECT_EQ(c[AS_C_SEEN], c[AS_C_SELECTED] + del);
	EXPECT_EQ(c[AS_C_DELETED], del);
	EXPECT_EQ(t->fed_bytes, c[AS_C_SEEN_BYTES]);
	EXPECT_EQ(c[AS_C_SEEN_BYTES], c[AS_C_SELECTED_BYTES] + delb);
	EXPECT_EQ(c[AS_C_SELECTED_BYTES],
		  c[AS_C_KEPT_BYTES] + c[AS_C_DISCARDED_PAYLOAD]);
	/* per approval: selected flows = ip + dns + sni + http, all ip here */
	for (i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_slot_counters sc;

		ASSERT_EQ(0, xenv_slot(&t->x, (uint32_t)i, &sc));
		EXPECT_EQ(sc.flows, sc.flows_kind[AS_KIND_IP] +
			  sc.flows_kind[AS_KIND_DNS] +
			  sc.flows_kind[AS_KIND_SNI] +
			  sc.flows_kind[AS_KIND_HTTP]);
		EXPECT_EQ(sc.flows, sc.flows_kind[AS_KIND_IP]);
	}
}

/* A frame of shape s from host a to host b. */
struct frame {
	uint8_t b[PKT_MAX];
	struct pkt_info info;
	size_t len;
	char what[160];
};

static void mkframe(struct frame *f, const struct pkt_spec *s, enum host src,
		    enum host dst, uint16_t sport, uint16_t dport, uint8_t flags,
		    uint16_t frag_id)
{
	struct pkt_addr a;

	memset(&a, 0, sizeof(a));
	host_addr(s->ipver, src, a.src);
	host_addr(s->ipver, dst, a.dst);
	a.sport = sport;
	a.dport = dport;
	a.tcp_flags = flags;
	a.frag_id = frag_id;
	f->len = pkt_build(s, &a, f->b, &f->info);
	snprintf(f->what, sizeof(f->what), "%s %d->%d :%u->:%u flags %#x",
		 s->name ? s->name : "frame", src, dst, sport, dport, flags);
}

#define RUN(t, f, want, slot, hdr) \
	run_one(_ksft, (t), (f)->b, (f)->len, (want), (slot), (hdr), (f)->what)

/* ------------------------------------------------------------------ */

/*
 * The layout of a kept record under test_run, asserted once on its own so
 * that a change shows up plainly: data_out starts at data_meta, i.e. the
 * 8-byte struct as_meta, then the headers.
 */
TEST(selected_record_layout)
{
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 100 };
	static struct xrun r;
	static struct tenv t;
	static struct frame f;
	struct as_meta meta;

	SETUP(&t);
	mkframe(&f, &s, F0, D, 40000, 443, PKT_TCP_SYN, 0);
	ASSERT_EQ(0, xenv_run(&t.x, f.b, f.len, &r));
	ASSERT_EQ(XDP_REDIRECT, r.retval);
	ASSERT_EQ(sizeof(meta) + f.info.hdr_len, r.out_len);
	memcpy(&meta, r.out, sizeof(meta));
	EXPECT_EQ(AS_META_MAGIC, meta.magic);
	EXPECT_EQ(0, meta.slot);
	EXPECT_EQ(f.info.hdr_len, meta.hdr_len);
	EXPECT_EQ(0, memcmp(r.out + sizeof(meta), f.b, f.info.hdr_len));
	xenv_close(&t.x);
}

/* Every header shape, both families, selected (fd) with canary payload. */
static void shapes_verdicts(struct ksft_ctx *_ksft, enum host src, enum host dst,
			    bool selected_expected)
{
	static struct tenv t;
	static struct frame f;
	size_t i;

	SETUP(&t);
	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];
		unsigned int want;

		mkframe(&f, &c->s, src, dst, (uint16_t)(20000 + i), 443,
			PKT_TCP_SYN, (uint16_t)(0x100 + i));
		ASSERT_NE(0, f.len);
		if (c->want == AS_PARSE_MALFORMED)
			want = R(AS_DEL_MALFORMED);
		else if (c->want == AS_PARSE_NON_IP)
			want = R(AS_DEL_NON_IP);
		else if (c->want_frag == AS_FRAG_LATER)
			want = R(AS_DEL_FRAGMENT);	/* its first was never seen */
		else
			want = selected_expected ? SEL : R(AS_DEL_NO_MATCH);
		RUN(&t, &f, want, 0, f.info.hdr_len);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(every_shape_selected_kept_exactly_no_canary)
{
	shapes_verdicts(_ksft, F0, D, true);
}

TEST(every_shape_no_match)
{
	shapes_verdicts(_ksft, FX, D, false);
}

/*
 * Run f cut at every length from 14 (test_run refuses less) up to its
 * header length: each must be deleted as malformed.  Returns the runs.
 */
static unsigned long every_cut_malformed(struct ksft_ctx *_ksft,
					 struct tenv *t,
					 const struct frame *f,
					 const char *name)
{
	unsigned long n = 0;
	size_t cut;

	for (cut = 14; cut < f->info.hdr_len; cut++) {
		char what[200];

		snprintf(what, sizeof(what), "%s cut at %zu of %zu", name, cut,
			 f->info.hdr_len);
		n++;
		if (!run_one(_ksft, t, f->b, cut, R(AS_DEL_MALFORMED), 0, 0,
			     what))
			break;
	}
	return n;
}

/*
 * Cut every selectable shape at every length from 14 (test_run refuses
 * less) up to its header length: always deleted as malformed, never kept.
 */
TEST(every_truncation_point_is_malformed)
{
	static struct tenv t;
	static struct frame f;
	unsigned long n = 0;
	size_t i;

	SETUP(&t);
	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];

		if (c->want != AS_PARSE_OK)
			continue;
		mkframe(&f, &c->s, F0, D, (uint16_t)(20000 + i), 443, PKT_TCP_SYN, 7);
		n += every_cut_malformed(_ksft, &t, &f, c->s.name);
	}
	ksft_print("%lu truncated frames run\n", n);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Frames shorter than an Ethernet header: test_run refuses them (EINVAL). */
TEST(runt_frames_refused_by_test_run)
{
	static struct tenv t;
	static struct xrun r;
	uint8_t b[14] = { 0 };

	SETUP(&t);
	EXPECT_EQ(-EINVAL, xenv_run(&t.x, b, 13, &r));
	xenv_close(&t.x);
}

/* Lying lengths go the XDP way too: malformed, never kept. */
TEST(lying_lengths_malformed)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
				      .payload = 40 };

		mkframe(&f, &s, F0, D, 1000, 443, PKT_TCP_ACK, 0);
		f.b[f.info.tcp_doff_off] = 0x40;	/* doff 4 */
		RUN(&t, &f, R(AS_DEL_MALFORMED), 0, 0);
		mkframe(&f, &s, F0, D, 1001, 443, PKT_TCP_ACK, 0);
		pkt_put16(f.b + f.info.iplen_off, fam == 4 ? 30 : 10);
		RUN(&t, &f, R(AS_DEL_MALFORMED), 0, 0);
		if (fam == 4) {
			mkframe(&f, &s, F0, D, 1002, 443, PKT_TCP_ACK, 0);
			f.b[f.info.ihl_off] = 0x44;	/* IHL 4 */
			RUN(&t, &f, R(AS_DEL_MALFORMED), 0, 0);
		}
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Every direction class and reason, IPv4 and IPv6, TCP and UDP. */
static const struct {
	enum host src, dst;
	unsigned int want;
	uint32_t slot;
	const char *why;
} verdicts[] = {
	{ F0, D, SEL, 0, "fd matched by the foreign source" },
	{ D, F1, SEL, 1, "df matched by the foreign destination" },
	{ F2, FX, SEL, 2, "ff matched by the source" },
	{ FX, F2, SEL, 2, "ff matched by the destination" },
	{ F0, F2, SEL, 2, "ff: fd indicator on one end, ff on the other" },
	{ D, F0, R(AS_DEL_DIRECTION), 0, "df packet, fd approval" },
	{ F1, D, R(AS_DEL_DIRECTION), 0, "fd packet, df approval" },
	{ F0, FX, R(AS_DEL_DIRECTION), 0, "ff packet, fd approval" },
	{ FX, D, R(AS_DEL_NO_MATCH), 0, "no indicator" },
	{ FX, FX, R(AS_DEL_NO_MATCH), 0, "ff, no indicator" },
	{ FX, DI, R(AS_DEL_NO_MATCH), 0, "indicator on the domestic end only (fd)" },
	{ DI, FX, R(AS_DEL_NO_MATCH), 0, "indicator on the domestic end only (df)" },
	{ D, D2, R(AS_DEL_DOMESTIC), 0, "dd" },
	{ DI, DI2, R(AS_DEL_DOMESTIC), 0, "dd, both ends covered by indicators" },
	{ DI, D, R(AS_DEL_DOMESTIC), 0, "dd, one end covered by an indicator" },
	{ FEXP, D, R(AS_DEL_EXPIRED), 0, "window over" },
	{ FFUT, D, R(AS_DEL_EXPIRED), 0, "window not yet open" },
};

TEST(every_direction_and_reason)
{
	static struct tenv t;
	static struct frame f;
	size_t i;
	int fam, l4;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		for (l4 = 0; l4 < 3; l4++) {
			static const uint8_t protos[] = { 6, 17, 132 };

			for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
				struct pkt_spec s = { .ipver = fam, .l4 = protos[l4],
						      .payload = 200 };
				char name[64];

				snprintf(name, sizeof(name), "ip%d/%u %s", fam,
					 protos[l4], verdicts[i].why);
				s.name = name;
				mkframe(&f, &s, verdicts[i].src, verdicts[i].dst,
					(uint16_t)(30000 + i), 53, PKT_TCP_SYN, 0);
				RUN(&t, &f, verdicts[i].want, verdicts[i].slot,
				    f.info.hdr_len);
			}
		}
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Window edges: valid_from inclusive, valid_until exclusive. */
TEST(window_edges)
{
	static const struct { int64_t at; unsigned int want; } at[] = {
		{ -(int64_t)HOUR - 1, R(AS_DEL_EXPIRED) },
		{ -(int64_t)HOUR, SEL },
		{ (int64_t)HOUR - 1, SEL },
		{ (int64_t)HOUR, R(AS_DEL_EXPIRED) },
		{ 5 * (int64_t)HOUR, R(AS_DEL_EXPIRED) },
	};
	static struct tenv t;
	static struct frame f;
	size_t i;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			struct pkt_spec s = { .name = "udp", .ipver = fam, .l4 = 17,
					      .payload = 20 };

			ASSERT_EQ(0, xenv_set_now(&t.x, T0 + (uint64_t)at[i].at));
			/* a new port each time: no flow to follow */
			mkframe(&f, &s, F0, D, (uint16_t)(1000 + i), 53, 0, 0);
			snprintf(f.what, sizeof(f.what), "ip%d at T0%+lld ns", fam,
				 (long long)at[i].at);
			RUN(&t, &f, at[i].want, 0, f.info.hdr_len);
		}
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* An inactive slot selects nothing, even with its indicator in place. */
TEST(inactive_slot_selects_nothing)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 20 };

	SETUP(&t);
	ASSERT_EQ(0, xenv_set_approval(&t.x, 0, AS_DIR_FD, T0 - HOUR, T0 + HOUR, 100, 0));
	mkframe(&f, &s, F0, D, 1000, 443, PKT_TCP_SYN, 0);
	RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ------------------------------------------------------------------ */
/* Flows */

static void flow_conv(struct ksft_ctx *_ksft, struct tenv *t, int fam,
		      uint8_t l4, uint16_t cport)
{
	struct pkt_spec s = { .name = "flow", .ipver = fam, .l4 = l4, .payload = 300 };
	static struct frame f;
	struct as_slot_counters s0, s1;

	ASSERT_EQ(0, xenv_slot(&t->x, 0, &s0));
	mkframe(&f, &s, F0, D, cport, 443, PKT_TCP_SYN, 0);
	RUN(t, &f, SEL, 0, f.info.hdr_len);
	/* the reply is df: on its own, "direction" -- the flow selects it */
	mkframe(&f, &s, D, F0, 443, cport, PKT_TCP_SYN | PKT_TCP_ACK, 0);
	RUN(t, &f, SEL, 0, f.info.hdr_len);
	mkframe(&f, &s, F0, D, cport, 443, PKT_TCP_ACK, 0);
	RUN(t, &f, SEL, 0, f.info.hdr_len);
	mkframe(&f, &s, D, F0, 443, cport, PKT_TCP_ACK, 0);
	RUN(t, &f, SEL, 0, f.info.hdr_len);
	/* another port pair between the same hosts is another flow */
	mkframe(&f, &s, D, F0, 444, cport, PKT_TCP_ACK, 0);
	RUN(t, &f, R(AS_DEL_DIRECTION), 0, 0);
	ASSERT_EQ(0, xenv_slot(&t->x, 0, &s1));
	EXPECT_EQ(1, s1.flows - s0.flows);
	EXPECT_EQ(1, s1.flows_kind[AS_KIND_IP] - s0.flows_kind[AS_KIND_IP]);
}

TEST(flow_reply_direction_selected)
{
	static struct tenv t;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		flow_conv(_ksft, &t, fam, 6, 40000);
		flow_conv(_ksft, &t, fam, 17, 40001);
		flow_conv(_ksft, &t, fam, 132, 40002);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(flow_icmp_echo_reply_selected)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "icmp", .ipver = fam,
				      .l4 = fam == 4 ? 1 : 58, .payload = 56 };

		mkframe(&f, &s, F0, D, 0, 0, 0, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		mkframe(&f, &s, D, F0, 0, 0, 0, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * ICMP echo (issue #16): the identifier is the flow's port on both sides.
 * A request and its reply are one flow (the reply, df on its own, is
 * selected by it); a second ping session between the same hosts is a
 * second flow; a reply whose identifier no request opened is judged on
 * its own (direction).
 */
static void ping(struct frame *f, int fam, enum host src, enum host dst,
		 uint16_t id, int reply)
{
	struct pkt_spec s = { .name = reply ? "echo-reply" : "echo-request",
			      .ipver = fam, .l4 = fam == 4 ? 1 : 58,
			      .payload = 56 };
	struct pkt_addr a;

	memset(&a, 0, sizeof(a));
	host_addr(fam, src, a.src);
	host_addr(fam, dst, a.dst);
	a.sport = id;
	a.icmp_reply = (uint8_t)reply;
	f->len = pkt_build(&s, &a, f->b, &f->info);
	snprintf(f->what, sizeof(f->what), "ip%d %s %d->%d id %u", fam,
		 s.name, src, dst, id);
}

TEST(flow_icmp_echo_identifier_keys_the_flow)
{
	static struct tenv t;
	static struct frame f;
	struct as_slot_counters s0, s1;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &s0));
		ping(&f, fam, F0, D, 1000, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ping(&f, fam, D, F0, 1000, 1);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &s1));
		EXPECT_EQ(1, s1.flows - s0.flows);	/* request + reply: one */
		ping(&f, fam, F0, D, 1001, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ping(&f, fam, D, F0, 1001, 1);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ping(&f, fam, F0, D, 1000, 0);		/* the first again */
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &s1));
		EXPECT_EQ(2, s1.flows - s0.flows);	/* two ids: two */
		EXPECT_EQ(2, s1.flows_kind[AS_KIND_IP] - s0.flows_kind[AS_KIND_IP]);
		ping(&f, fam, D, F0, 1002, 1);		/* no request 1002 */
		RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &s1));
		EXPECT_EQ(2, s1.flows - s0.flows);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* FIN or RST, from either end, ends the flow after that packet. */
TEST(flow_fin_rst_end_it)
{
	static const struct { uint8_t flags; int from_reply; } ends[] = {
		{ PKT_TCP_FIN | PKT_TCP_ACK, 1 }, { PKT_TCP_RST, 1 },
		{ PKT_TCP_FIN | PKT_TCP_ACK, 0 }, { PKT_TCP_RST | PKT_TCP_ACK, 0 },
	};
	static struct tenv t;
	static struct frame f;
	size_t i;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
			struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
					      .payload = 50 };
			uint16_t cp = (uint16_t)(41000 + i);

			mkframe(&f, &s, F0, D, cp, 443, PKT_TCP_SYN, 0);
			RUN(&t, &f, SEL, 0, f.info.hdr_len);
			mkframe(&f, &s, D, F0, 443, cp, PKT_TCP_ACK, 0);
			RUN(&t, &f, SEL, 0, f.info.hdr_len);
			if (ends[i].from_reply)
				mkframe(&f, &s, D, F0, 443, cp, ends[i].flags, 0);
			else
				mkframe(&f, &s, F0, D, cp, 443, ends[i].flags, 0);
			/* the closing packet itself is still part of the flow */
			RUN(&t, &f, SEL, 0, f.info.hdr_len);
			mkframe(&f, &s, D, F0, 443, cp, PKT_TCP_ACK, 0);
			RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
		}
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Idle: default 120 s, refreshed by every packet; config.flow_idle_ns. */
TEST(flow_idle_timeout)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "udp", .ipver = fam, .l4 = 17,
				      .payload = 50 };
		uint64_t now = T0;

		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		mkframe(&f, &s, F0, D, 5353, 53, 0, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		now += 119 * NSEC;
		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		mkframe(&f, &s, D, F0, 53, 5353, 0, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		now += 119 * NSEC;		/* refreshed by the last one */
		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		now += 121 * NSEC;		/* idle past 120 s */
		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);

		/* a shorter idle time from the configuration */
		ASSERT_EQ(0, xenv_set_idle(&t.x, 10 * NSEC));
		now = T0;
		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		mkframe(&f, &s, F0, D, 5354, 53, 0, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		now += 11 * NSEC;
		ASSERT_EQ(0, xenv_set_now(&t.x, now));
		mkframe(&f, &s, D, F0, 53, 5354, 0, 0);
		RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
		ASSERT_EQ(0, xenv_set_idle(&t.x, 0));
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * On a port the program reads two clocks (datapath.rst, "Time"): the flow
 * marks are tested by the coarse one, which may be a tick behind the one
 * that wrote them.  A flow entered just after an epoch's end, while the
 * coarse clock still shows the epoch before, is still found by its next
 * packet.  The epoch's end (2^37 ns: the default idle time's) is put half
 * a millisecond after a tick of CLOCK_MONOTONIC_COARSE; flows are opened
 * and answered until 20 ms after that tick (at most 4000 of them).
 */
TEST(live_clock_epoch_edge)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "udp", .ipver = 4, .l4 = 17,
			      .payload = 50 };
	uint64_t tick, at, edge = ((T0 >> 37) + 1) << 37;
	int i, across = 0;

	SETUP(&t);
	/* the first run writes the rule set's maps: not inside the window */
	mkframe(&f, &s, FX, D, 20000, 53, 0, 0);
	ASSERT_TRUE(RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0));
	tick = xenv_coarse_tick();
	ASSERT_NE(0, tick);
	/* now = CLOCK_MONOTONIC + offset: the edge at tick + 0.5 ms */
	at = tick + NSEC / 2000;
	ASSERT_EQ(0, xenv_set_live_clock(&t.x, edge - at));
	for (i = 0; i < 4000; i++) {
		uint64_t m = xenv_clock_ns(CLOCK_MONOTONIC);
		uint64_t c = xenv_clock_ns(CLOCK_MONOTONIC_COARSE);
		long long us = ((long long)m - (long long)at) / 1000;

		if (m > tick + NSEC / 50)
			break;
		mkframe(&f, &s, F0, D, (uint16_t)(20000 + i), 53, 0, 0);
		snprintf(f.what, sizeof(f.what),
			 "flow %d opened %+lld us from the edge", i, us);
		if (!RUN(&t, &f, SEL, 0, f.info.hdr_len))
			break;
		/* the answer: only the flow selects it (slot 0 is fd) */
		mkframe(&f, &s, D, F0, 53, (uint16_t)(20000 + i), 0, 0);
		snprintf(f.what, sizeof(f.what),
			 "answer of flow %d, %+lld us from the edge", i, us);
		if (!RUN(&t, &f, SEL, 0, f.info.hdr_len))
			break;
		across += m >= at && c < at;
	}
	ksft_print("  %d flows, %d opened past the edge before the coarse "
		   "clock's next tick\n", i, across);
	ASSERT_EQ(0, xenv_set_live_clock(&t.x, 0) ?: xenv_set_now(&t.x, T0));
	ASSERT_GT(across, 0);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* The approval's window ends mid-flow: the flow stops with it. */
TEST(flow_stops_at_window_end)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
				      .payload = 80 };

		ASSERT_EQ(0, xenv_set_now(&t.x, T0));
		mkframe(&f, &s, F5, D, 42000, 443, PKT_TCP_SYN, 0);
		RUN(&t, &f, SEL, 5, f.info.hdr_len);
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 9 * NSEC));
		mkframe(&f, &s, D, F5, 443, 42000, PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 5, f.info.hdr_len);
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 10 * NSEC));	/* = until */
		/* the window before the type: the reply is expired too */
		RUN(&t, &f, R(AS_DEL_EXPIRED), 5, 0);
		mkframe(&f, &s, F5, D, 42000, 443, PKT_TCP_ACK, 0);
		RUN(&t, &f, R(AS_DEL_EXPIRED), 5, 0);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* A slot reused for another approval (new uid) does not inherit flows. */
TEST(flow_not_inherited_by_reused_slot)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 80 };

	SETUP(&t);
	mkframe(&f, &s, F0, D, 43000, 443, PKT_TCP_SYN, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	ASSERT_EQ(0, xenv_set_approval(&t.x, 0, AS_DIR_FD, T0 - HOUR, T0 + HOUR, 200, 1));
	mkframe(&f, &s, D, F0, 443, 43000, PKT_TCP_ACK, 0);
	RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* The flow-table bucket of a TCP flow between hosts a:pa and b:pb. */
static uint32_t bucket_of(int fam, enum host a, uint16_t pa, enum host b,
			  uint16_t pb)
{
	uint8_t x[16] __attribute__((aligned(4))) = {};
	uint8_t y[16] __attribute__((aligned(4))) = {};

	host_addr(fam, a, x);
	host_addr(fam, b, y);
	return as_flow_hash(x, y, pa, pb, 6) & (AS_FLOW_BUCKETS - 1);
}

/* n TCP flows a:port[i] -> b:dport[i] in bucket bk; returns how many. */
static int find_in_bucket(int fam, enum host a, enum host b, uint32_t bk,
			  uint16_t *port, uint16_t *dport, int n)
{
	uint32_t sp, dp;
	int k = 0;

	for (dp = 443; dp < 1443 && k < n; dp++)
		for (sp = 1024; sp < 65536 && k < n; sp++)
			if (bucket_of(fam, a, (uint16_t)sp, b, (uint16_t)dp) == bk) {
				port[k] = (uint16_t)sp;
				dport[k++] = (uint16_t)dp;
			}
	return k;
}

/* n TCP flows a:port[i] -> b:dport[i] that share one bucket; returns n. */
static int find_bucket_mates(int fam, enum host a, enum host b,
			     uint16_t *port, uint16_t *dport, int n)
{
	return find_in_bucket(fam, a, b, bucket_of(fam, a, 20000, b, 443),
			      port, dport, n);
}

/*
 * A full bucket (datapath.rst, "Flows"): a new flow takes the way of the
 * least recently seen one, which is counted as evicted under its approval
 * and judged afresh at its next packet; an idle way is taken without a
 * count; the flows left in the bucket are still followed.
 */
TEST(flow_bucket_full_evicts_counted)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
				      .payload = 40 };
		uint16_t port[AS_FLOW_WAYS + 2], dport[AS_FLOW_WAYS + 2];
		struct as_slot_counters c0, c1;
		int i, n = find_bucket_mates(fam, F0, D, port, dport,
					     AS_FLOW_WAYS + 2);

		ASSERT_EQ(AS_FLOW_WAYS + 2, n);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c0));
		/* ways + 1 flows into one bucket: the first is pushed out */
		for (i = 0; i <= AS_FLOW_WAYS; i++) {
			ASSERT_EQ(0, xenv_set_now(&t.x, T0 + (uint64_t)i));
			mkframe(&f, &s, F0, D, port[i], dport[i], PKT_TCP_SYN, 0);
			RUN(&t, &f, SEL, 0, f.info.hdr_len);
		}
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c1));
		EXPECT_EQ(AS_FLOW_WAYS + 1, c1.flows - c0.flows);
		EXPECT_EQ(1, c1.flows_evicted - c0.flows_evicted);
		/* the others are still known: their replies open nothing */
		for (i = 1; i <= AS_FLOW_WAYS; i++) {
			ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 10 + (uint64_t)i));
			mkframe(&f, &s, D, F0, dport[i], port[i], PKT_TCP_ACK, 0);
			RUN(&t, &f, SEL, 0, f.info.hdr_len);
		}
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c0));
		EXPECT_EQ(c1.flows, c0.flows);
		/*
		 * The evicted one is judged afresh: its reply, of the other
		 * direction, is deleted; its next fd packet opens it again,
		 * pushing out #1.
		 */
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 20));
		mkframe(&f, &s, D, F0, dport[0], port[0], PKT_TCP_ACK, 0);
		RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
		mkframe(&f, &s, F0, D, port[0], dport[0], PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c1));
		EXPECT_EQ(c0.flows + 1, c1.flows);
		EXPECT_EQ(c0.flows_evicted + 1, c1.flows_evicted);
		mkframe(&f, &s, D, F0, dport[2], port[2], PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		mkframe(&f, &s, D, F0, dport[1], port[1], PKT_TCP_ACK, 0);
		RUN(&t, &f, R(AS_DEL_DIRECTION), 0, 0);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c0));
		EXPECT_EQ(c1.flows, c0.flows);
		EXPECT_EQ(c1.flows_evicted, c0.flows_evicted);
		/* every way idle: a new flow takes one, nothing is counted */
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 200 * NSEC));
		mkframe(&f, &s, F0, D, port[AS_FLOW_WAYS + 1],
			dport[AS_FLOW_WAYS + 1], PKT_TCP_SYN, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ASSERT_EQ(0, xenv_slot(&t.x, 0, &c1));
		EXPECT_EQ(c0.flows + 1, c1.flows);
		EXPECT_EQ(c0.flows_evicted, c1.flows_evicted);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A new flow takes the way of a flow whose approval is no longer in force
 * (its slot given a new uid) before it pushes out a live one, even one
 * seen longer ago.
 */
TEST(flow_bucket_stale_ways_go_first)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 40 };
	uint16_t lp[2], ld[2], sp[AS_FLOW_WAYS - 1], sd[AS_FLOW_WAYS - 1];
	struct as_slot_counters c0, c1;
	uint32_t bk;
	int i;

	SETUP(&t);
	ASSERT_EQ(2, find_bucket_mates(4, F0, D, lp, ld, 2));
	bk = bucket_of(4, F0, lp[0], D, ld[0]);
	ASSERT_EQ(AS_FLOW_WAYS - 1,
		  find_in_bucket(4, F5, D, bk, sp, sd, AS_FLOW_WAYS - 1));
	/* the live flow of slot 0 first, then three of slot 5 */
	mkframe(&f, &s, F0, D, lp[0], ld[0], PKT_TCP_SYN, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	for (i = 0; i < AS_FLOW_WAYS - 1; i++) {
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 1 + (uint64_t)i));
		mkframe(&f, &s, F5, D, sp[i], sd[i], PKT_TCP_SYN, 0);
		RUN(&t, &f, SEL, 5, f.info.hdr_len);
	}
	/* slot 5 goes to another approval: its three flows are stale */
	ASSERT_EQ(0, xenv_set_approval(&t.x, 5, AS_DIR_FD, T0 - HOUR,
				       T0 + 10 * NSEC, 305, 1));
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &c0));
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 10));
	mkframe(&f, &s, F0, D, lp[1], ld[1], PKT_TCP_SYN, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	/* the first flow, the least recently seen, is still followed */
	mkframe(&f, &s, D, F0, ld[0], lp[0], PKT_TCP_ACK, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &c1));
	EXPECT_EQ(c0.flows + 1, c1.flows);
	EXPECT_EQ(c0.flows_evicted, c1.flows_evicted);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A bucket full of the flows of an approval that has been replaced (its
 * slot given a new uid): a new flow of the new approval takes one of their
 * ways, and no eviction is counted -- those flows would not have been
 * followed anyway.
 */
TEST(flow_bucket_of_a_replaced_approval_no_eviction)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 40 };
	struct as_slot_counters c0, c1;
	uint16_t port[AS_FLOW_WAYS + 1], dport[AS_FLOW_WAYS + 1];
	int i, n;

	SETUP(&t);
	n = find_bucket_mates(4, F5, D, port, dport, AS_FLOW_WAYS + 1);
	ASSERT_EQ(AS_FLOW_WAYS + 1, n);
	for (i = 0; i < AS_FLOW_WAYS; i++) {
		ASSERT_EQ(0, xenv_set_now(&t.x, T0 + (uint64_t)i));
		mkframe(&f, &s, F5, D, port[i], dport[i], PKT_TCP_SYN, 0);
		RUN(&t, &f, SEL, 5, f.info.hdr_len);
	}
	ASSERT_EQ(0, xenv_slot(&t.x, 5, &c0));
	/* the same slot's next approval (a new uid) */
	ASSERT_EQ(0, xenv_set_approval(&t.x, 5, AS_DIR_FD, T0 - HOUR,
				       T0 + HOUR, 205, 1));
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 5 * NSEC));
	mkframe(&f, &s, F5, D, port[AS_FLOW_WAYS], dport[AS_FLOW_WAYS], PKT_TCP_SYN, 0);
	RUN(&t, &f, SEL, 5, f.info.hdr_len);
	ASSERT_EQ(0, xenv_slot(&t.x, 5, &c1));
	EXPECT_EQ(c0.flows + 1, c1.flows);
	EXPECT_EQ(c0.flows_evicted, c1.flows_evicted);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A flow that is in the table when its packet is entered (another CPU
 * entered it since this one looked; here: the flow marks, cleared, spared
 * the look) is one flow: the packet is selected, its approval's packets
 * counted, its flows not again.
 */
TEST(flow_entered_meanwhile_counted_once)
{
	static struct tenv t;
	static struct frame f;
	struct pkt_spec s = { .name = "tcp", .ipver = 4, .l4 = 6, .payload = 40 };
	struct as_slot_counters c0, c1;

	SETUP(&t);
	mkframe(&f, &s, F0, D, 40000, 443, PKT_TCP_SYN, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &c0));
	ASSERT_EQ(0, xenv_marks_clear(&t.x));
	ASSERT_EQ(0, xenv_marks_set(&t.x, 0));
	mkframe(&f, &s, F0, D, 40000, 443, PKT_TCP_ACK, 0);
	RUN(&t, &f, SEL, 0, f.info.hdr_len);
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &c1));
	EXPECT_EQ(c0.packets + 1, c1.packets);
	EXPECT_EQ(c0.flows, c1.flows);
	EXPECT_EQ(c0.flows_kind[AS_KIND_IP], c1.flows_kind[AS_KIND_IP]);
	EXPECT_EQ(c0.flows_evicted, c1.flows_evicted);
	/* and it is marked again: its next packet finds it */
	EXPECT_EQ(1, xenv_marks_set(&t.x, 0));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * The two halves of the flow marks.  IP-opened flows mark the first only,
 * so that packets no IP indicator can match, which test the second, never
 * pay for them.  A swap to a rule set that no longer guards a flow's
 * addresses: the flow goes on while both halves count (the swap's
 * marks_all_until_ns), and moves to the second half for good.
 */
TEST(flow_marks_across_a_swap)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
				      .payload = 80 };
		uint16_t cp = (uint16_t)(44000 + fam);

		mkframe(&f, &s, F0, D, cp, 443, PKT_TCP_SYN, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		mkframe(&f, &s, D, F0, 443, cp, PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
	}
	EXPECT_LT(0, xenv_marks_set(&t.x, 0));
	EXPECT_EQ(0, xenv_marks_set(&t.x, 1));

	/* The new rule set: the same domestic map, F0 no longer an indicator. */
	ASSERT_EQ(0, xenv_clear_prefixes(&t.x));
	ASSERT_EQ(0, rules_domestic(&t.x));
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "tcp", .ipver = fam, .l4 = 6,
				      .payload = 80 };
		uint16_t cp = (uint16_t)(44000 + fam);

		/* the second half alone does not know the flow */
		ASSERT_EQ(0, xenv_set_marks_all(&t.x, 0));
		mkframe(&f, &s, D, F0, 443, cp, PKT_TCP_ACK, 0);
		RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0);
		/* both halves count: the flow goes on, and moves */
		ASSERT_EQ(0, xenv_set_marks_all(&t.x, T0 + 1));
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		ASSERT_EQ(0, xenv_set_marks_all(&t.x, T0));	/* over */
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		mkframe(&f, &s, F0, D, cp, 443, PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		/* a new flow between the same hosts: nothing selects it now */
		mkframe(&f, &s, F0, D, (uint16_t)(cp + 100), 443, PKT_TCP_SYN, 0);
		RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0);
	}
	EXPECT_LT(0, xenv_marks_set(&t.x, 1));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ------------------------------------------------------------------ */
/* Fragments */

static void frag_pair(struct ksft_ctx *_ksft, struct tenv *t, const char *name,
		      const struct pkt_spec *first, const struct pkt_spec *later,
		      enum host src, unsigned int want_first, unsigned int want_later,
		      uint16_t id_first, uint16_t id_later)
{
	static struct frame f;

	mkframe(&f, first, src, D, 7000, 53, 0, id_first);
	snprintf(f.what, sizeof(f.what), "%s: first", name);
	RUN(t, &f, want_first, 0, f.info.hdr_len);
	mkframe(&f, later, src, D, 7000, 53, 0, id_later);
	snprintf(f.what, sizeof(f.what), "%s: later", name);
	RUN(t, &f, want_later, 0, f.info.hdr_len);
}

TEST(fragments_follow_their_first)
{
	static const struct pkt_spec v4first = { .ipver = 4, .frag = PKT_FRAG_FIRST,
		.l4 = 17, .payload = 1472 };
	static const struct pkt_spec v4later = { .ipver = 4, .frag = PKT_FRAG_LATER,
		.l4 = 17, .payload = 600 };
	static const struct pkt_spec v6first = { .ipver = 6, .next = 1, .ext = { 44 },
		.frag = PKT_FRAG_FIRST, .l4 = 17, .payload = 1400 };
	static const struct pkt_spec v6later = { .ipver = 6, .next = 1, .ext = { 44 },
		.frag = PKT_FRAG_LATER, .l4 = 17, .payload = 600 };
	static struct tenv t;

	SETUP(&t);
	frag_pair(_ksft, &t, "ip4 selected first", &v4first, &v4later, F0,
		  SEL, SEL, 0x1111, 0x1111);
	frag_pair(_ksft, &t, "ip4 other id", &v4first, &v4later, F0,
		  SEL, R(AS_DEL_FRAGMENT), 0x1112, 0x1113);
	frag_pair(_ksft, &t, "ip4 first not selected", &v4first, &v4later, FX,
		  R(AS_DEL_NO_MATCH), R(AS_DEL_FRAGMENT), 0x1114, 0x1114);
	frag_pair(_ksft, &t, "ip6 selected first", &v6first, &v6later, F0,
		  SEL, SEL, 0x2221, 0x2221);
	frag_pair(_ksft, &t, "ip6 other id", &v6first, &v6later, F0,
		  SEL, R(AS_DEL_FRAGMENT), 0x2222, 0x2223);
	frag_pair(_ksft, &t, "ip6 first not selected", &v6first, &v6later, FX,
		  R(AS_DEL_NO_MATCH), R(AS_DEL_FRAGMENT), 0x2224, 0x2224);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* A later fragment whose first was never seen goes, even from a matched host. */
TEST(fragment_without_first_deleted)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "later", .ipver = fam,
				      .frag = PKT_FRAG_LATER, .l4 = 17, .payload = 300 };

		if (fam == 6) {
			s.next = 1;
			s.ext[0] = 44;
		}
		mkframe(&f, &s, F0, D, 0, 0, 0, 0x3333);
		RUN(&t, &f, R(AS_DEL_FRAGMENT), 0, 0);
		mkframe(&f, &s, D, D2, 0, 0, 0, 0x3334);
		RUN(&t, &f, R(AS_DEL_DOMESTIC) | R(AS_DEL_FRAGMENT), 0, 0);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * IPv6: extension headers after the fragment header belong to the first
 * fragment only; the later fragments of the datagram must still follow it
 * (a datagram is identified by source, destination and identification).
 */
TEST(ip6_fragment_with_dstopts_after_frag_header)
{
	static const struct pkt_spec first = { .ipver = 6, .next = 2,
		.ext = { 44, 60 }, .frag = PKT_FRAG_FIRST, .l4 = 6, .payload = 1200 };
	static const struct pkt_spec later = { .ipver = 6, .next = 2,
		.ext = { 44, 60 }, .frag = PKT_FRAG_LATER, .l4 = 6, .payload = 600 };
	static struct tenv t;

	SETUP(&t);
	frag_pair(_ksft, &t, "ip6 frag+dstopts", &first, &later, F0, SEL, SEL,
		  0x4444, 0x4444);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Later fragments stop when the approval's window ends. */
TEST(fragments_stop_at_window_end)
{
	static const struct pkt_spec first = { .ipver = 4, .frag = PKT_FRAG_FIRST,
		.l4 = 17, .payload = 1000 };
	static const struct pkt_spec later = { .ipver = 4, .frag = PKT_FRAG_LATER,
		.l4 = 17, .payload = 300 };
	static struct tenv t;
	static struct frame f;

	SETUP(&t);
	mkframe(&f, &first, F5, D, 7000, 53, 0, 0x5555);
	RUN(&t, &f, SEL, 5, f.info.hdr_len);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 11 * NSEC));
	mkframe(&f, &later, F5, D, 7000, 53, 0, 0x5555);
	RUN(&t, &f, R(AS_DEL_FRAGMENT), 5, 0);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ------------------------------------------------------------------ */

/*
 * Jumbo frames (multi-buffer XDP: test_run puts what does not fit a page
 * in fragments): truncation drops every fragment, headers come from the
 * linear part.
 */
TEST(jumbo_frames_truncated_across_buffers)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		struct pkt_spec s = { .name = "jumbo", .ipver = fam, .l4 = 6,
				      .tcp_optlen = 12, .payload = 9000 };

		mkframe(&f, &s, F0, D, 44000, 443, PKT_TCP_ACK, 0);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		mkframe(&f, &s, FX, D, 44000, 443, PKT_TCP_ACK, 0);
		RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* The whole table again, in one run, with every flow of both ends. */
TEST(canary_every_shape_both_directions)
{
	static struct tenv t;
	static struct frame f;
	size_t i;

	SETUP(&t);
	for (i = 0; i < NCASES; i++) {
		const struct pcase *c = &cases[i];
		uint16_t cp = (uint16_t)(50000 + i);

		if (c->want != AS_PARSE_OK || c->want_frag == AS_FRAG_LATER)
			continue;
		mkframe(&f, &c->s, F0, D, cp, 443, PKT_TCP_SYN, (uint16_t)i);
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
		/* an ICMP echo's reply carries the request's identifier */
		mkframe(&f, &c->s, D, F0,
			(c->s.ipver == 4 && c->s.l4 == 1) ||
			(c->s.ipver == 6 && c->s.l4 == 58) ? cp : 443,
			cp, PKT_TCP_ACK, (uint16_t)(i + 1000));
		/* the reply follows the flow (frag state aside, same 5-tuple) */
		RUN(&t, &f, SEL, 0, f.info.hdr_len);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ------------------------------------------------------------------ */
/* Tunnels (issue #13): shapes.h tcases[]. */

#define DEFAULT_OUTER	NHOSTS	/* the builder's outer addresses: no rule covers them */

/*
 * A tunnel frame: inner hosts isrc -> idst; every tunnel level's IP
 * header osrc -> odst, or the builder's defaults.
 */
static void mktun(struct frame *f, const struct tcase *c, enum host osrc,
		  enum host odst, enum host isrc, enum host idst,
		  uint16_t sport, uint16_t frag_id)
{
	int fam = c->s.ipver ? c->s.ipver : 4;
	struct pkt_addr a;

	memset(&a, 0, sizeof(a));
	host_addr(fam, isrc, a.src);
	host_addr(fam, idst, a.dst);
	if (osrc != DEFAULT_OUTER) {
		uint8_t t[16];

		host_addr(4, osrc, t);
		memcpy(a.outer_src4, t, 4);
		host_addr(4, odst, t);
		memcpy(a.outer_dst4, t, 4);
		host_addr(6, osrc, a.outer_src6);
		host_addr(6, odst, a.outer_dst6);
	}
	a.sport = sport;
	a.dport = 443;
	a.tcp_flags = PKT_TCP_SYN;
	a.frag_id = frag_id;
	f->len = pkt_build(&c->s, &a, f->b, &f->info);
	snprintf(f->what, sizeof(f->what), "%s outer %d->%d inner %d->%d :%u",
		 c->s.name, osrc, odst, isrc, idst, sport);
}

/* Fully decapsulated, selectable by its innermost headers. */
static bool tcase_inner_decides(const struct tcase *c)
{
	return c->want == AS_PARSE_OK && !c->stop &&
	       c->want_frag != AS_FRAG_LATER;
}

static bool outer_later(const struct tcase *c)
{
	return c->s.encap[0].frag == PKT_FRAG_LATER;
}

/*
 * Every tunnel shape, selected by its innermost (or, where a layer is not
 * a tunnel autosel knows, its deciding) addresses: the record is exactly
 * the builder's headers, tunnel headers included, and holds no canary.
 */
TEST(tunnel_every_shape_selected_kept_exactly_no_canary)
{
	static struct tenv t;
	static struct frame f;
	unsigned long sel = 0;
	size_t i;

	SETUP(&t);
	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];
		uint16_t sp = (uint16_t)(20000 + i), id = (uint16_t)(0x100 + i);
		unsigned int want;

		if (c->stop)	/* the outer addresses decide */
			mktun(&f, c, F0, D, FX, D2, sp, id);
		else
			mktun(&f, c, DEFAULT_OUTER, DEFAULT_OUTER, F0, D, sp, id);
		ASSERT_NE(0, f.len);
		if (c->want == AS_PARSE_MALFORMED)
			want = R(AS_DEL_MALFORMED);
		else if (c->want == AS_PARSE_NON_IP)
			want = R(AS_DEL_NON_IP);
		else if (c->want_frag == AS_FRAG_LATER)
			want = R(AS_DEL_FRAGMENT);	/* its first was never seen */
		else
			want = SEL;
		sel += want == SEL;
		RUN(&t, &f, want, 0, tcase_keep(c, &f.info));
	}
	ksft_print("%zu tunnel shapes run, %lu to be selected\n", NTCASES, sel);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A rule that covers only the outer addresses selects nothing when the
 * program decapsulates: the inner addresses are not indicators.  With
 * config.no_decap the same frames are selected by the outer headers, and
 * keep only them.
 */
TEST(tunnel_outer_only_rule_selects_nothing)
{
	static struct tenv t;
	static struct frame f;
	size_t i;
	int nd;

	SETUP(&t);
	for (nd = 0; nd <= 1; nd++) {
		ASSERT_EQ(0, xenv_set_no_decap(&t.x, (uint32_t)nd));
		for (i = 0; i < NTCASES; i++) {
			const struct tcase *c = &tcases[i];

			if (!tcase_inner_decides(c))
				continue;
			mktun(&f, c, F0, D, FX, D2, (uint16_t)(21000 + i),
			      (uint16_t)(0x200 + i + 0x1000 * nd));
			ASSERT_NE(0, f.len);
			if (!nd)
				RUN(&t, &f, R(AS_DEL_NO_MATCH), 0, 0);
			else
				RUN(&t, &f, SEL, 0, f.info.nodecap_keep);
		}
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * config.no_decap: the outer headers decide for every tunnel shape, also
 * those whose inner part is broken or not IP; an indicator on the inner
 * addresses selects nothing.
 */
TEST(tunnel_no_decap_outer_decides)
{
	static struct tenv t;
	static struct frame f;
	size_t i;

	SETUP(&t);
	ASSERT_EQ(0, xenv_set_no_decap(&t.x, 1));
	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];
		uint16_t id = (uint16_t)(0x300 + i);

		mktun(&f, c, F0, D, FX, D2, (uint16_t)(22000 + i), id);
		ASSERT_NE(0, f.len);
		RUN(&t, &f, outer_later(c) ? R(AS_DEL_FRAGMENT) : SEL, 0,
		    f.info.nodecap_keep);
		mktun(&f, c, FX, D2, F0, D, (uint16_t)(23000 + i), id);
		RUN(&t, &f, outer_later(c) ? R(AS_DEL_FRAGMENT) : R(AS_DEL_NO_MATCH),
		    0, 0);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * Cut every fully decapsulated tunnel shape at every length from 14 up
 * to its header length: always malformed, never kept -- also where the
 * cut leaves the outer headers whole.
 */
TEST(tunnel_every_truncation_point_is_malformed)
{
	static struct tenv t;
	static struct frame f;
	unsigned long n = 0;
	size_t i;

	SETUP(&t);
	for (i = 0; i < NTCASES; i++) {
		const struct tcase *c = &tcases[i];

		if (!tcase_inner_decides(c))
			continue;
		mktun(&f, c, DEFAULT_OUTER, DEFAULT_OUTER, F0, D,
		      (uint16_t)(24000 + i), 7);
		n += every_cut_malformed(_ksft, &t, &f, c->s.name);
	}
	ksft_print("%lu truncated tunnel frames run\n", n);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

KSFT_MAIN()
