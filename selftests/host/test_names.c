// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Domain indicators (issue 6) under BPF_PROG_TEST_RUN: the XDP program with
 * xdp/names.h hooked in, its domain table filled by user/domains.c the way
 * the loader does.  DNS question names (UDP, TCP), TLS ClientHello SNI and
 * HTTP/1.x Host headers; exact and suffix entries, case, trailing dot,
 * maximum lengths, suffix boundaries, compression pointers, split and
 * truncated ClientHellos, lying length fields; flow following both ways;
 * a canary after every name and the name itself never in a kept record;
 * resolve-and-follow (the A/AAAA answers of a selected response for a
 * matched name followed for their TTL, capped by the window and a day;
 * truncated and lying answer sections); every packet counted once.
 *
 * The object: $AUTOSEL_NAMES_OBJ, else the path built in (the selftests
 * Makefile builds it from xdp/autosel.bpf.c and the hook).
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../ksft.h"
#include "pkt.h"
#include "names_pkt.h"
#include "xdp_env.h"
#include "domains.h"

#ifndef AUTOSEL_NAMES_OBJ
#define AUTOSEL_NAMES_OBJ "build/selftests/autosel_names.bpf.o"
#endif

#define NSEC		1000000000ULL
#define T0		(1800000000ULL * NSEC)
#define HOUR		(3600ULL * NSEC)

/* 253 bytes: 63 + 1 + 63 + 1 + 63 + 1 + 61 */
#define L63A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L63B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define L63C "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define L61D "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define NAME253 L63A "." L63B "." L63C "." L61D

/*
 * Rules: slot 0 df (domestic client -> foreign server), slot 1 fd, slot 2
 * df with only a suffix, slot 3 df expired.  10/8 and fd00::/8 domestic.
 */
static const struct { const char *name; int slot; } rules[] = {
	{ "c2.example", 0 },
	{ ".evil.test", 0 },
	{ "in.example", 1 },
	{ ".deep.a.b.c.d.e.f.g.h.example", 2 },
	{ NAME253, 0 },
	{ "old.example", 3 },
	{ "Upper.Example.", 0 },	/* stored as upper.example */
};

struct tenv {
	struct xenv x;
	unsigned long fed;
	uint64_t fed_bytes;
	int domains, bloom, cfg;
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
	t->bloom = xenv_map_fd(&t->x, "dom_names");
	t->cfg = xenv_map_fd(&t->x, "names_cfg");
	if (t->domains < 0 || t->bloom < 0 || t->cfg < 0) {
		snprintf(why, whylen, "object has no domains/dom_names/names_cfg");
		return -1;
	}
	err |= xenv_set_now(&t->x, T0);
	err |= xenv_set_approval(&t->x, 0, AS_DIR_DF, T0 - HOUR, T0 + HOUR, 100, 1);
	err |= xenv_set_approval(&t->x, 1, AS_DIR_FD, T0 - HOUR, T0 + HOUR, 101, 1);
	err |= xenv_set_approval(&t->x, 2, AS_DIR_DF, T0 - HOUR, T0 + HOUR, 102, 1);
	err |= xenv_set_approval(&t->x, 3, AS_DIR_DF, T0 - 2 * HOUR, T0 - HOUR, 103, 1);
	pkt_ip4(a, 10, 0, 0, 0);
	err |= xenv_add_domestic(&t->x, 4, a, 8);
	pkt_ip6(a, 0xfd00, 0, 0, 0);
	err |= xenv_add_domestic(&t->x, 6, a, 8);
	as_domains_init(&d);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		err |= as_domains_add(&d, rules[i].name, 1ULL << rules[i].slot);
	err |= as_domains_write(&d, t->domains, t->bloom);
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

/* Endpoints */
enum host { D, D2, F, F2 };

static void addr_of(int fam, enum host h, uint8_t out[16])
{
	static const uint8_t v4[][4] = {
		{ 10, 1, 2, 3 }, { 10, 4, 5, 6 }, { 198, 51, 100, 7 },
		{ 203, 0, 113, 9 },
	};
	static const uint16_t v6[][4] = {
		{ 0xfd00, 1, 0, 3 }, { 0xfd00, 2, 0, 6 },
		{ 0x2001, 0xdb8, 0x100, 7 }, { 0x2001, 0xdb8, 0x113, 9 },
	};

	if (fam == 4)
		pkt_ip4(out, v4[h][0], v4[h][1], v4[h][2], v4[h][3]);
	else
		pkt_ip6(out, v6[h][0], v6[h][1], v6[h][2], v6[h][3]);
}

struct frame {
	uint8_t b[PKT_MAX];
	size_t len, hdr_len;
	int kind;		/* enum as_kind of a flow it opens; -1: any */
	char what[200];
};

/* Tunnels mk() wraps its frames in (outermost first), NULL: none. */
static const struct pkt_encap *mk_encap;

/*
 * A frame carrying payload p (plen bytes) after its transport header,
 * then tail canary bytes.
 */
static void mk(struct frame *f, int fam, int proto, enum host src,
	       enum host dst, uint16_t sport, uint16_t dport,
	       const void *p, size_t plen, size_t tail, const char *what)
{
	struct pkt_spec s = { .ipver = fam, .l4 = (uint8_t)proto,
			      .tcp_optlen = proto == 6 ? 12 : 0,
			      .payload = (int)(plen + tail) };
	struct pkt_addr a;
	struct pkt_info info;
	int i;

	for (i = 0; mk_encap && i < PKT_MAX_ENCAP && mk_encap[i].kind; i++)
		s.encap[i] = mk_encap[i];

	memset(&a, 0, sizeof(a));
	addr_of(fam, src, a.src);
	addr_of(fam, dst, a.dst);
	a.sport = sport;
	a.dport = dport;
	a.tcp_flags = PKT_TCP_ACK | 0x08;	/* PSH */
	f->len = pkt_build(&s, &a, f->b, &info);
	f->hdr_len = info.hdr_len;
	memcpy(f->b + info.hdr_len, p, plen);
	f->kind = -1;
	snprintf(f->what, sizeof(f->what), "%s (ip%d)", what, fam);
}

#define SEL(slot)	XENV_SEL(slot)
#define DEL(reason)	XENV_DEL(reason)

/* flows = ip + dns + sni + http, per slot; in want_kind if >= 0 (diffs) */
static bool flow_kinds_ok(const struct as_slot_counters *s0,
			  const struct as_slot_counters *s1, int want_kind)
{
	uint64_t sum = 0;
	int k;

	for (k = 0; k < AS_KIND_NR; k++) {
		uint64_t d = s1->flows_kind[k] - s0->flows_kind[k];

		sum += d;
		if (want_kind >= 0 && k != want_kind && d)
			return false;
	}
	return sum == s1->flows - s0->flows;
}

/*
 * Run a frame; want is SEL(slot) or DEL(reason).  A selected record must
 * be the metadata and the headers, no canary, not the name; a flow it
 * opens must be counted under f->kind.
 */
static bool run(struct ksft_ctx *_ksft, struct tenv *t, const struct frame *f,
		int want, const char *name)
{
	static struct xrun r;
	uint64_t c0[AS_C_MAX], c1[AS_C_MAX];
	struct as_slot_counters s0, s1;
	uint32_t wslot = want < AS_MAX_SLOTS ? (uint32_t)want : 0;
	int got, moved;
	struct as_meta meta;
	bool ok = true;

	if (xenv_counters(&t->x, c0) || xenv_slot(&t->x, wslot, &s0) ||
	    xenv_run(&t->x, f->b, f->len, &r) ||
	    xenv_counters(&t->x, c1) || xenv_slot(&t->x, wslot, &s1)) {
		FAIL_SOFT("%s: test_run or counters failed", f->what);
		return false;
	}
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
		return false;
	}
	if (got >= 100) {
		if (r.retval != XDP_DROP) {
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
	if (pkt_has_canary(r.out, r.out_len)) {
		FAIL_SOFT("%s: CANARY IN KEPT RECORD", f->what);
		ok = false;
	}
	if (name && *name && memmem(r.out, r.out_len, name, strlen(name))) {
		FAIL_SOFT("%s: THE NAME IS IN THE KEPT RECORD", f->what);
		ok = false;
	}
	if (s1.flows - s0.flows > 1 || !flow_kinds_ok(&s0, &s1, f->kind)) {
		FAIL_SOFT("%s: slot %u flows +%llu, by kind ip +%llu dns +%llu sni +%llu http +%llu, want kind %d",
			  f->what, wslot,
			  (unsigned long long)(s1.flows - s0.flows),
			  (unsigned long long)(s1.flows_kind[0] - s0.flows_kind[0]),
			  (unsigned long long)(s1.flows_kind[1] - s0.flows_kind[1]),
			  (unsigned long long)(s1.flows_kind[2] - s0.flows_kind[2]),
			  (unsigned long long)(s1.flows_kind[3] - s0.flows_kind[3]),
			  f->kind);
		ok = false;
	}
	return ok;
}

static void check_totals(struct ksft_ctx *_ksft, struct tenv *t)
{
	uint64_t c[AS_C_MAX], del = 0;
	int i;

	ASSERT_EQ(0, xenv_counters(&t->x, c));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c[AS_C_DEL_REASON + i];
	EXPECT_EQ((uint64_t)t->fed, c[AS_C_SEEN]);
	EXPECT_EQ(c[AS_C_SEEN], c[AS_C_SELECTED] + del);
	EXPECT_EQ(t->fed_bytes, c[AS_C_SEEN_BYTES]);
	/* per approval: selected flows = ip + dns + sni + http */
	for (i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_slot_counters s;

		ASSERT_EQ(0, xenv_slot(&t->x, (uint32_t)i, &s));
		EXPECT_EQ(s.flows, s.flows_kind[AS_KIND_IP] +
			  s.flows_kind[AS_KIND_DNS] +
			  s.flows_kind[AS_KIND_SNI] +
			  s.flows_kind[AS_KIND_HTTP]);
	}
}

/* ---- payload builders ----------------------------------------------- */

static void dns_frame(struct frame *f, int fam, enum host src, enum host dst,
		      uint16_t sport, uint16_t dport, const char *name)
{
	uint8_t w[600], m[700];
	size_t n = dns_msg(m, w, dns_wire(w, name), 0);

	mk(f, fam, 17, src, dst, sport, dport, m, n, 40, name);
	f->kind = AS_KIND_DNS;
}

static void tls_frame(struct frame *f, int fam, enum host src, enum host dst,
		      uint16_t sport, uint16_t dport, const char *sni,
		      const struct tls_opt *op)
{
	static uint8_t m[PKT_MAX];
	size_t e, n = tls_hello(m, sni, op, &e);

	mk(f, fam, 6, src, dst, sport, dport, m, n, 40, sni);
	f->kind = AS_KIND_SNI;
}

static void http_frame(struct frame *f, int fam, enum host src, enum host dst,
		       uint16_t dport, const char *req)
{
	mk(f, fam, 6, src, dst, 40002, dport, req, strlen(req), 40, req);
	f->kind = AS_KIND_HTTP;
}

/* ---- tunnels ------------------------------------------------------------ */

/*
 * Names inside tunnels: the inner DNS question, SNI and Host decide, as
 * for the same packet on its own (the outer addresses, in 100.127/16 and
 * 2001:db8:fe00::/40, are in no rule); the record keeps every header and
 * no name.
 */
TEST(names_inside_tunnels)
{
	static const struct pkt_encap tuns[][3] = {
		{ { .kind = PKT_T_VXLAN, .ipver = 4 } },
		{ { .kind = PKT_T_ERSPAN2, .ipver = 6 } },
		{ { .kind = PKT_T_GTPU, .ipver = 4, .gtp_ext = 1 } },
		{ { .kind = PKT_T_GRE_ETH, .ipver = 6, .gre_flags = PKT_GRE_K } },
		{ { .kind = PKT_T_IPIP, .ipver = 4 },
		  { .kind = PKT_T_GENEVE, .ipver = 6, .geneve_opt = 8 } },
	};
	static struct tenv t;
	static struct frame f;
	static const struct tls_opt op;
	size_t i;
	int fam;

	SETUP(&t);
	for (i = 0; i < sizeof(tuns) / sizeof(tuns[0]); i++) {
		mk_encap = tuns[i];
		for (fam = 4; fam <= 6; fam += 2) {
			dns_frame(&f, fam, D, F, (uint16_t)(32000 + i), 53,
				  "c2.example");
			run(_ksft, &t, &f, SEL(0), "c2.example");
			dns_frame(&f, fam, D, F, (uint16_t)(32100 + i), 53,
				  "xc2.example");
			run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
			tls_frame(&f, fam, D, F, (uint16_t)(32200 + i), 443,
				  "a.evil.test", &op);
			run(_ksft, &t, &f, SEL(0), "a.evil.test");
			http_frame(&f, fam, D, F, (uint16_t)(8000 + i),
				   "GET / HTTP/1.1\r\nHost: c2.example\r\n\r\n");
			run(_ksft, &t, &f, SEL(0), "c2.example");
			/* the inner packet is dd: never, whatever the name */
			dns_frame(&f, fam, D, D2, (uint16_t)(32300 + i), 53,
				  "c2.example");
			run(_ksft, &t, &f, DEL(AS_DEL_DOMESTIC), NULL);
		}
	}
	mk_encap = NULL;
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- DNS -------------------------------------------------------------- */

TEST(dns_exact_case_and_kinds)
{
	static struct tenv t;
	static struct frame f;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		dns_frame(&f, fam, D, F, 30000, 53, "c2.example");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		dns_frame(&f, fam, D, F, 30001, 53, "C2.ExAmPlE");
		run(_ksft, &t, &f, SEL(0), "C2.ExAmPlE");
		dns_frame(&f, fam, D, F, 30002, 53, "upper.example");
		run(_ksft, &t, &f, SEL(0), NULL);
		dns_frame(&f, fam, D, F, 30003, 53, "xc2.example");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		dns_frame(&f, fam, D, F, 30004, 53, "c2.example.com");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		dns_frame(&f, fam, D, F, 30005, 53, "example");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		/* the fd approval's name in a df packet; expired approval */
		dns_frame(&f, fam, D, F, 30006, 53, "in.example");
		run(_ksft, &t, &f, DEL(AS_DEL_DIRECTION), NULL);
		dns_frame(&f, fam, F, D, 30007, 53, "in.example");
		run(_ksft, &t, &f, SEL(1), NULL);
		dns_frame(&f, fam, D, F, 30008, 53, "old.example");
		run(_ksft, &t, &f, DEL(AS_DEL_EXPIRED), NULL);
		/* dd is never selected, whatever the name */
		dns_frame(&f, fam, D, D2, 30009, 53, "c2.example");
		run(_ksft, &t, &f, DEL(AS_DEL_DOMESTIC), NULL);
		/* other port: not DNS */
		dns_frame(&f, fam, D, F, 30010, 5353, "c2.example");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		/* source port 53 counts too (a response's direction) */
		dns_frame(&f, fam, D, F, 53, 30011, "c2.example");
		run(_ksft, &t, &f, SEL(0), NULL);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(dns_suffix_boundaries)
{
	static const struct { const char *n; int want; } c[] = {
		{ "a.evil.test", SEL(0) },
		{ "x.y.z.evil.test", SEL(0) },
		{ "A.EVIL.TEST", SEL(0) },
		{ "evil.test", DEL(AS_DEL_NO_MATCH) },
		{ "badevil.test", DEL(AS_DEL_NO_MATCH) },
		{ "a.badevil.test", DEL(AS_DEL_NO_MATCH) },
		{ "evil.test.a", DEL(AS_DEL_NO_MATCH) },
		{ "a.evil.testx", DEL(AS_DEL_NO_MATCH) },
		{ "test", DEL(AS_DEL_NO_MATCH) },
		{ "q.deep.a.b.c.d.e.f.g.h.example", SEL(2) },
		{ "q.r.s.t.u.v.w.deep.a.b.c.d.e.f.g.h.example", SEL(2) },
		{ "deep.a.b.c.d.e.f.g.h.example", DEL(AS_DEL_NO_MATCH) },
		{ "q.eep.a.b.c.d.e.f.g.h.example", DEL(AS_DEL_NO_MATCH) },
	};
	static struct tenv t;
	static struct frame f;
	size_t i;

	SETUP(&t);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		dns_frame(&f, 4, D, F, (uint16_t)(31000 + i), 53, c[i].n);
		run(_ksft, &t, &f, c[i].want, NULL);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(dns_max_lengths)
{
	static struct tenv t;
	static struct frame f;
	static char s[600];
	uint8_t w[600], m[700];
	size_t n;

	SETUP(&t);
	ASSERT_EQ(253, strlen(NAME253));
	dns_frame(&f, 4, D, F, 32000, 53, NAME253);
	run(_ksft, &t, &f, SEL(0), NAME253);
	dns_frame(&f, 6, D, F, 32001, 53, NAME253);
	run(_ksft, &t, &f, SEL(0), NAME253);
	/* 254 bytes: no name */
	snprintf(s, sizeof(s), "e%s", NAME253);
	dns_frame(&f, 4, D, F, 32002, 53, s);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* a 63-byte label under a suffix; a 64-byte label is no name */
	snprintf(s, sizeof(s), "%s.evil.test", L63A);
	dns_frame(&f, 4, D, F, 32003, 53, s);
	run(_ksft, &t, &f, SEL(0), NULL);
	n = dns_wire(w, s);
	w[0] = 64;			/* claims one more byte: lying label */
	n = dns_msg(m, w, n, 0);
	mk(&f, 4, 17, D, F, 32004, 53, m, n, 40, "64-byte label");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* a 263-byte name under the suffix: no name */
	snprintf(s, sizeof(s), "%s.evil.test", NAME253);
	ASSERT_EQ(263, strlen(s));
	dns_frame(&f, 4, D, F, 32005, 53, s);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* 253 bytes exactly under the suffix: matches */
	snprintf(s, sizeof(s), "%s.%s.%s.%.51s.evil.test", L63A, L63B, L63C, L61D);
	ASSERT_EQ(253, strlen(s));
	dns_frame(&f, 4, D, F, 32006, 53, s);
	run(_ksft, &t, &f, SEL(0), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(dns_bad_questions_are_no_name)
{
	static struct tenv t;
	static struct frame f;
	uint8_t w[600], m[700];
	size_t n, wl, cut;

	SETUP(&t);
	/* compression pointer in the question: not followed */
	w[0] = 1; w[1] = 'a'; w[2] = 0xc0; w[3] = 12;
	n = dns_msg(m, w, 4, 0);
	mk(&f, 4, 17, D, F, 33000, 53, m, n, 40, "compression pointer");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* root name, QDCOUNT 0 */
	w[0] = 0;
	n = dns_msg(m, w, 1, 0);
	mk(&f, 4, 17, D, F, 33001, 53, m, n, 40, "root");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	wl = dns_wire(w, "c2.example");
	n = dns_msg(m, w, wl, 0);
	pkt_put16(m + 4, 0);
	mk(&f, 4, 17, D, F, 33002, 53, m, n, 40, "qdcount 0");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* a label holding a dot, a NUL, a space, DEL: no name */
	wl = dns_wire(w, "c2.example");
	w[4] = '.';			/* "c2" ".xample" */
	n = dns_msg(m, w, wl, 0);
	mk(&f, 4, 17, D, F, 33003, 53, m, n, 40, "dot in label");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	{
		/* "c2.example" as one label: must not match c2.example */
		uint8_t one[20] = { 10, 'c', '2', '.', 'e', 'x', 'a', 'm', 'p',
				    'l', 'e', 0 };

		n = dns_msg(m, one, 12, 0);
		mk(&f, 4, 17, D, F, 33004, 53, m, n, 40, "one label with a dot");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		one[3] = 0;
		n = dns_msg(m, one, 12, 0);
		mk(&f, 4, 17, D, F, 33005, 53, m, n, 40, "NUL in a label");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	}
	/* truncated at every byte of the question: never selected */
	wl = dns_wire(w, "a.evil.test");
	n = dns_msg(m, w, wl, 0);
	for (cut = 0; cut < 12 + wl; cut++) {
		mk(&f, 4, 17, D, F, (uint16_t)(33100 + cut), 53, m, cut, 0,
		   "truncated question");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	}
	/* complete name, no QTYPE/QCLASS: the name is whole, it counts */
	mk(&f, 4, 17, D, F, 33300, 53, m, 12 + wl, 0, "no qtype");
	run(_ksft, &t, &f, SEL(0), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(dns_over_tcp_and_ports)
{
	static struct tenv t;
	static struct frame f;
	uint8_t w[600], m[700];
	uint16_t ports[2] = { 5353, 53 };
	size_t n;

	SETUP(&t);
	n = dns_msg(m + 2, w, dns_wire(w, "c2.example"), 0);
	pkt_put16(m, (uint16_t)n);
	mk(&f, 4, 6, D, F, 34000, 53, m, n + 2, 40, "dns/tcp");
	f.kind = AS_KIND_DNS;
	run(_ksft, &t, &f, SEL(0), NULL);
	mk(&f, 6, 6, D, F, 34000, 53, m, n + 2, 40, "dns/tcp");
	f.kind = AS_KIND_DNS;
	run(_ksft, &t, &f, SEL(0), NULL);
	/* 5353 only once named; the list replaces the default */
	dns_frame(&f, 4, D, F, 34001, 5353, "c2.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	ASSERT_EQ(0, as_names_cfg_write(t.cfg, ports, 1, 0));
	dns_frame(&f, 4, D, F, 34002, 5353, "c2.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	dns_frame(&f, 4, D, F, 34003, 53, "c2.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	ASSERT_EQ(0, as_names_cfg_write(t.cfg, ports, 2, 0));
	dns_frame(&f, 4, D, F, 34004, 53, "c2.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	/* switched off: IP indicators only */
	ASSERT_EQ(0, as_names_cfg_write(t.cfg, NULL, 0, AS_NAMES_F_OFF));
	dns_frame(&f, 4, D, F, 34005, 53, "c2.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- TLS -------------------------------------------------------------- */

TEST(tls_sni_any_port_case_dot_suffix)
{
	static const struct { const char *sni; uint16_t port; int want; } c[] = {
		{ "c2.example", 443, SEL(0) },
		{ "C2.EXAMPLE.", 8443, SEL(0) },
		{ "www.evil.test", 12345, SEL(0) },
		{ "badevil.test", 443, DEL(AS_DEL_NO_MATCH) },
		{ "evil.test", 443, DEL(AS_DEL_NO_MATCH) },
		{ "c2.example..", 443, DEL(AS_DEL_NO_MATCH) },
		{ ".c2.example", 443, DEL(AS_DEL_NO_MATCH) },
		{ "c2 .example", 443, DEL(AS_DEL_NO_MATCH) },
		{ NAME253, 443, SEL(0) },
		{ NAME253 ".", 443, SEL(0) },
	};
	struct tls_opt op = { .grease_before = 3, .sid_len = 32 };
	static struct tenv t;
	static struct frame f;
	size_t i;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2)
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			tls_frame(&f, fam, D, F, (uint16_t)(47000 + i),
				  c[i].port, c[i].sni, &op);
			run(_ksft, &t, &f, c[i].want, c[i].sni);
		}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(tls_flow_followed_both_ways_then_closed)
{
	struct tls_opt op = { .sid_len = 0 };
	static struct tenv t;
	static struct frame f, g;
	const char data[] = "server data";

	SETUP(&t);
	tls_frame(&f, 4, D, F, 40001, 443, "a.evil.test", &op);
	run(_ksft, &t, &f, SEL(0), "a.evil.test");
	/* the server's answer and the client's next segment: no name */
	mk(&g, 4, 6, F, D, 443, 40001, data, sizeof(data), 100, "reply");
	run(_ksft, &t, &g, SEL(0), NULL);
	mk(&g, 4, 6, D, F, 40001, 443, data, sizeof(data), 100, "next");
	run(_ksft, &t, &g, SEL(0), NULL);
	/* another connection without a name: not selected */
	mk(&g, 4, 6, D, F, 40009, 443, data, sizeof(data), 100, "other");
	run(_ksft, &t, &g, DEL(AS_DEL_NO_MATCH), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(tls_split_and_deep_sni)
{
	struct tls_opt op = { .sid_len = 32, .pad_before = 900,
			      .record_extra = 1200 };
	static struct tenv t;
	static struct frame f;
	static uint8_t m[PKT_MAX];
	size_t n, e;

	SETUP(&t);
	/* the record goes on in the next segment; SNI is in this one */
	n = tls_hello(m, "c2.example", &op, &e);
	mk(&f, 4, 6, D, F, 41000, 443, m, n, 0, "split, sni in first");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	/* SNI would be in the second segment: only the first is seen */
	mk(&f, 4, 6, D, F, 41001, 443, m, e - 1, 0, "split, sni cut");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	mk(&f, 4, 6, D, F, 41002, 443, m, e - 900, 0, "split before sni");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* a jumbo ClientHello: SNI 3000 bytes in */
	op.pad_before = 3000;
	op.record_extra = 0;
	n = tls_hello(m, "c2.example", &op, &e);
	mk(&f, 6, 6, D, F, 41003, 443, m, n, 40, "deep sni");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	/* past the window (AS_NAMES_WIN): not seen */
	op.pad_before = 4200;
	n = tls_hello(m, "c2.example", &op, &e);
	mk(&f, 6, 6, D, F, 41004, 443, m, n, 40, "sni past the window");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(tls_truncated_and_lying_never_selected)
{
	static const struct tls_opt lies[] = {
		{ .ciphers_lie = 1 }, { .ext_lie = 1 }, { .sni_lie = 1 },
		{ .list_lie = 1 }, { .name_type = 1 }, { .no_sni = 1 },
		{ .sid_len = 200 },
	};
	struct tls_opt op = { .grease_before = 2, .sid_len = 16 };
	static struct tenv t;
	static struct frame f;
	static uint8_t m[PKT_MAX];
	size_t n, e, cut, i;

	SETUP(&t);
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		n = tls_hello(m, "c2.example", &lies[i], &e);
		mk(&f, 4, 6, D, F, (uint16_t)(42000 + i), 443, m, n, 40, "lying tls");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	}
	/* every truncation point: selected exactly when SNI is whole */
	n = tls_hello(m, "c2.example", &op, &e);
	for (cut = 0; cut <= n; cut++) {
		mk(&f, 4, 6, D, F, (uint16_t)(43000 + cut), 443, m, cut, 0,
		   "truncated hello");
		run(_ksft, &t, &f, cut >= e ? SEL(0) : DEL(AS_DEL_NO_MATCH), NULL);
	}
	/* not a ClientHello: ServerHello, alert, version 2 */
	n = tls_hello(m, "c2.example", &op, &e);
	m[5] = 2;
	mk(&f, 4, 6, D, F, 43900, 443, m, n, 40, "server hello");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	m[5] = 1;
	m[1] = 2;
	mk(&f, 4, 6, D, F, 43901, 443, m, n, 40, "ssl2");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* over UDP: not TLS */
	m[1] = 3;
	mk(&f, 4, 17, D, F, 43902, 443, m, n, 40, "udp");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- HTTP ------------------------------------------------------------- */

TEST(http_host_header)
{
	static const struct { const char *req; int want; } c[] = {
		{ "GET / HTTP/1.1\r\nHost: c2.example\r\n\r\n", SEL(0) },
		{ "POST /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT:\t C2.Example:8080 \r\n\r\n", SEL(0) },
		{ "HEAD / HTTP/1.0\r\nHost: c2.example.\r\n\r\n", SEL(0) },
		{ "GET / HTTP/1.1\nHost: a.evil.test\n\n", SEL(0) },
		{ "CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\n\r\n", SEL(0) },
		{ "GET / HTTP/1.1\r\nHost: " NAME253 "\r\n\r\n", SEL(0) },
		{ "GET / HTTP/1.1\r\nHost: e" NAME253 "\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nHost: badevil.test\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nX-Host: c2.example\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: c2.example\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "get / HTTP/1.1\r\nHost: c2.example\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET/ HTTP/1.1\r\nHost: c2.example\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nHost: c2..example\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nHost: " L63A "a.evil.test\r\n\r\n", DEL(AS_DEL_NO_MATCH) },
		{ "GET / HTTP/1.1\r\nHost: c2.example", DEL(AS_DEL_NO_MATCH) },
	};
	static struct tenv t;
	static struct frame f;
	size_t i;
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2)
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			http_frame(&f, fam, D, F, (uint16_t)(80 + i * 1000), c[i].req);
			run(_ksft, &t, &f, c[i].want, "c2.example");
		}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * Selected flows by the kind of indicator that opened them, per approval:
 * an IP indicator is decided first (a name that matches as well changes
 * nothing), else the name's carrier.  Later packets open nothing.
 */
TEST(flows_by_kind)
{
	struct tls_opt op = { .sid_len = 0 };
	static const char data[] = "later data";
	static struct tenv t;
	static struct frame f;
	struct as_slot_counters s0, s2;
	uint8_t a[16];
	int fam;

	SETUP(&t);
	for (fam = 4; fam <= 6; fam += 2) {
		addr_of(fam, F, a);
		ASSERT_EQ(0, xenv_add_indicator(&t.x, fam, a, fam == 4 ? 32 : 128,
						1ULL << 0));
	}
	for (fam = 4; fam <= 6; fam += 2) {
		/* F is an IP indicator of slot 0: ip, whatever the name */
		dns_frame(&f, fam, D, F, 31000, 53, "c2.example");
		f.kind = AS_KIND_IP;
		run(_ksft, &t, &f, SEL(0), NULL);
		tls_frame(&f, fam, D, F, 31001, 443, "x.evil.test", &op);
		f.kind = AS_KIND_IP;
		run(_ksft, &t, &f, SEL(0), NULL);
		mk(&f, fam, 6, D, F, 31002, 443, data, sizeof(data), 40, "no name");
		f.kind = AS_KIND_IP;
		run(_ksft, &t, &f, SEL(0), NULL);
		/* F2 is no indicator: the name's kind */
		dns_frame(&f, fam, D, F2, 31003, 53, "c2.example");
		run(_ksft, &t, &f, SEL(0), NULL);
		mk(&f, fam, 17, F2, D, 53, 31003, data, sizeof(data), 40, "dns reply");
		run(_ksft, &t, &f, SEL(0), NULL);
		tls_frame(&f, fam, D, F2, 31004, 443, "x.evil.test", &op);
		run(_ksft, &t, &f, SEL(0), NULL);
		mk(&f, fam, 6, F2, D, 443, 31004, data, sizeof(data), 40, "tls reply");
		run(_ksft, &t, &f, SEL(0), NULL);
		http_frame(&f, fam, D, F2, 8080,
			   "GET / HTTP/1.1\r\nHost: c2.example\r\n\r\n");
		run(_ksft, &t, &f, SEL(0), NULL);
		/*
		 * A name of slot 2: to F2, slot 2 by the name; to F, slot 0
		 * (the lower slot wins) by F's address.
		 */
		dns_frame(&f, fam, D, F2, 31005, 53, "x.deep.a.b.c.d.e.f.g.h.example");
		run(_ksft, &t, &f, SEL(2), NULL);
		dns_frame(&f, fam, D, F, 31006, 53, "x.deep.a.b.c.d.e.f.g.h.example");
		f.kind = AS_KIND_IP;
		run(_ksft, &t, &f, SEL(0), NULL);
	}
	ASSERT_EQ(0, xenv_slot(&t.x, 0, &s0));
	ASSERT_EQ(0, xenv_slot(&t.x, 2, &s2));
	EXPECT_EQ(8, s0.flows_kind[AS_KIND_IP]);
	EXPECT_EQ(2, s0.flows_kind[AS_KIND_DNS]);
	EXPECT_EQ(2, s0.flows_kind[AS_KIND_SNI]);
	EXPECT_EQ(2, s0.flows_kind[AS_KIND_HTTP]);
	EXPECT_EQ(14, s0.flows);
	EXPECT_EQ(18, s0.packets);
	EXPECT_EQ(0, s2.flows_kind[AS_KIND_IP]);
	EXPECT_EQ(2, s2.flows_kind[AS_KIND_DNS]);
	EXPECT_EQ(2, s2.flows);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(http_truncated_never_selected)
{
	static const char req[] =
		"GET /index.html HTTP/1.1\r\nAccept: */*\r\nHost: c2.example\r\n\r\n";
	static struct tenv t;
	static struct frame f;
	size_t cut, end = strstr(req, "example\r") - req + 8;

	SETUP(&t);
	/* the name must be followed by its line end to count */
	for (cut = 0; cut <= sizeof(req) - 1; cut++) {
		mk(&f, 4, 6, D, F, (uint16_t)(44000 + cut), 80, req, cut, 0,
		   "truncated request");
		run(_ksft, &t, &f, cut >= end ? SEL(0) : DEL(AS_DEL_NO_MATCH), NULL);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * After every verdict, the per-CPU scratch buffer holds no payload byte,
 * no name and no key: nothing of a packet outlives it.
 */
static bool scratch_clean(struct tenv *t)
{
	int fd = xenv_map_fd(&t->x, "names_scratch");
	struct bpf_map_info info;
	__u32 il = sizeof(info), key = 0;
	size_t vs, i;
	uint8_t *v;
	bool clean = true;

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &il))
		return false;
	vs = (info.value_size + 7) & ~7u;
	v = calloc((size_t)t->x.ncpus, vs);
	if (!v || bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return false;
	}
	/* buf (4096), name (256), key (256) open the value */
	for (i = 0; i < (size_t)t->x.ncpus * vs; i++)
		if (i % vs < 4096 + 256 + 256 && v[i])
			clean = false;
	free(v);
	return clean;
}

TEST(scratch_wiped_after_every_packet)
{
	struct tls_opt op = { .grease_before = 3, .sid_len = 32 };
	static struct tenv t;
	static struct frame f;
	uint8_t m[700], w[600];
	size_t n;

	SETUP(&t);
	dns_frame(&f, 4, D, F, 48000, 53, "c2.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	dns_frame(&f, 4, D, F, 48001, 53, "nothing.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	n = dns_msg(m, w, dns_wire(w, "a.evil.test"), 0);
	mk(&f, 4, 17, D, F, 48002, 53, m, n, 3000, "big dns");
	run(_ksft, &t, &f, SEL(0), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	tls_frame(&f, 6, D, F, 48003, 443, "www.some.example", &op);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	http_frame(&f, 4, D, F, 80, "GET / HTTP/1.1\r\nHost: c2.example\r\n\r\n");
	run(_ksft, &t, &f, SEL(0), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	mk(&f, 4, 6, D, F, 48004, 22, "SSH-2.0-x\r\n", 11, 2000, "ssh");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	/*
	 * Names that fail part-way, after some of their bytes were copied: a
	 * compression pointer after two labels, a question cut short, an HTTP
	 * Host with a byte no name may hold.  Nothing may stay behind.
	 */
	n = dns_wire(w, "partial.leak.test");
	w[n - 1] = 0xc0;
	w[n] = 0x0c;
	n = dns_msg(m, w, n + 1, 0);
	mk(&f, 4, 17, D, F, 48005, 53, m, n, 40, "pointer after labels");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	n = dns_msg(m, w, dns_wire(w, "cut.short.test"), 0);
	mk(&f, 4, 17, D, F, 48006, 53, m, n - 10, 0, "question cut short");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	{
		static const char req[] = "GET / HTTP/1.1\r\nHost: half.way\001x\r\n\r\n";

		mk(&f, 4, 6, D, F, 48007, 80, req, sizeof(req) - 1, 40,
		   "host with a control byte");
	}
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- ClientHellos over several segments (xdp/hello_tcp.h) ----------- */

static const char *const hello_readable[] = { "hello", NULL };

/* Segment [a, b) of the payload m, client D -> server F, seq isn + a. */
static void seg_frame(struct frame *f, int fam, enum host dst, uint16_t sport,
		      const uint8_t *m, size_t a, size_t b, uint32_t isn,
		      const char *what)
{
	mk(f, fam, 6, D, dst, sport, 443, m + a, b - a, 0, what);
	/* no tunnel: the TCP header is the last 32 bytes (12 of options) */
	pkt_put32(f->b + f->hdr_len - 32 + 4, isn + (uint32_t)a);
	f->kind = AS_KIND_SNI;
}

/*
 * The split states (xenv_state_slots; the map made readable), and *dirty
 * also when the marks do not count the live slots.
 */
static int hello_slots(struct tenv *t, bool *dirty, __u32 *slots,
		       int nslots)
{
	int mfd = xenv_map_fd(&t->x, "hellomark"), live, marks = 0;
	__u32 k;
	size_t i;

	live = xenv_state_slots(&t->x, "hello", dirty, slots, nslots);
	if (live < 0 || mfd < 0)
		return -1;
	for (k = 0; k < AS_HELLO_SLOTS / 8; k++) {
		uint8_t w[8];

		if (bpf_map_lookup_elem(mfd, &k, w))
			return -1;
		for (i = 0; i < 8; i++)
			marks += w[i] != 0;
	}
	if (marks != live)
		*dirty = true;
	return live;
}

static int hello_live(struct tenv *t, bool *dirty)
{
	return hello_slots(t, dirty, NULL, 0);
}

static uint64_t names_event(struct tenv *t, int ev)
{
	return xenv_counter(&t->x, AS_C_NAMES + ev);
}

#define EXPECT_LIVE(t, n) do {							\
	bool _dirty;								\
	EXPECT_EQ((n), hello_live((t), &_dirty));				\
	EXPECT_FALSE(_dirty);							\
} while (0)

/*
 * A ClientHello of ~1.6 KB (a post-quantum key share's size) whose
 * server_name lies past the first segment: put together over 2 and 3
 * segments, in order, out of order, with a retransmission, over IPv4 and
 * IPv6.  Every segment before the one that completes the name is deleted
 * (no_match); that one is selected and opens the flow (sni), the rest of
 * the flow follows.  The state is gone and zeroed after each decision.
 */
TEST(tls_hello_split_over_segments)
{
	struct tls_opt op = { .sid_len = 32, .pad_before = 1500 };
	static const char data[] = "later data";
	static struct tenv t;
	static struct frame f;
	static uint8_t m[PKT_MAX];
	uint64_t split0;
	size_t n, e;
	int fam;

	xenv_readable_maps = hello_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	split0 = names_event(&t, AS_NE_HELLO_SPLIT);
	n = tls_hello(m, "c2.example", &op, &e);
	ASSERT_LT(1000, e - 20);
	for (fam = 4; fam <= 6; fam += 2) {
		uint16_t p = (uint16_t)(fam * 1000);

		/* 2 segments, the name in the second */
		seg_frame(&f, fam, F, p, m, 0, 1000, 7000, "2 segments, first");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		EXPECT_LIVE(&t, 1);
		EXPECT_TRUE(scratch_clean(&t));
		seg_frame(&f, fam, F, p, m, 1000, n, 7000, "2 segments, second");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		EXPECT_LIVE(&t, 0);
		EXPECT_TRUE(scratch_clean(&t));
		/* the flow goes on, both ways */
		mk(&f, fam, 6, D, F, p, 443, data, sizeof(data), 40, "next");
		run(_ksft, &t, &f, SEL(0), NULL);
		mk(&f, fam, 6, F, D, 443, p, data, sizeof(data), 40, "reply");
		run(_ksft, &t, &f, SEL(0), NULL);

		/* 3 segments */
		p++;
		seg_frame(&f, fam, F, p, m, 0, 500, 1, "3 segments, first");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		seg_frame(&f, fam, F, p, m, 500, 1100, 1, "3 segments, second");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		EXPECT_LIVE(&t, 1);
		seg_frame(&f, fam, F, p, m, 1100, n, 1, "3 segments, third");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		EXPECT_LIVE(&t, 0);

		/* the server_name extension cut by the segment boundary */
		p++;
		seg_frame(&f, fam, F, p, m, 0, e - 5, 0xfffffff0U, "cut in the name");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		seg_frame(&f, fam, F, p, m, e - 5, n, 0xfffffff0U, "the name's end");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		EXPECT_LIVE(&t, 0);

		/* out of order: the third before the second */
		p++;
		seg_frame(&f, fam, F, p, m, 0, 500, 99, "ooo, first");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		seg_frame(&f, fam, F, p, m, 1100, n, 99, "ooo, third early");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		EXPECT_LIVE(&t, 1);
		seg_frame(&f, fam, F, p, m, 500, 1100, 99, "ooo, second fills the hole");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		EXPECT_LIVE(&t, 0);

		/* a retransmitted first segment changes nothing */
		p++;
		seg_frame(&f, fam, F, p, m, 0, 1000, 5, "retransmit, first");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		EXPECT_LIVE(&t, 1);
		seg_frame(&f, fam, F, p, m, 1000, n, 5, "retransmit, second");
		run(_ksft, &t, &f, SEL(0), "c2.example");
		EXPECT_LIVE(&t, 0);
		EXPECT_TRUE(scratch_clean(&t));
	}
	/* 5 ClientHellos per family, decided over several segments */
	EXPECT_EQ(split0 + 10, names_event(&t, AS_NE_HELLO_SPLIT));
	EXPECT_EQ(0, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	EXPECT_EQ(0, names_event(&t, AS_NE_ECH));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * A split ClientHello whose next segment never comes is given up by the
 * sweep (as_hello_sweep: each new state looks at the slot half the table
 * away, moved on by the clock), zeroed and counted, though its flow
 * sends nothing more: A holds a slot; B, another flow with a name in no
 * rule, learns its own slot in a dry run; then, past A's time, B starts
 * again at the moment whose sweep falls on A's slot.
 */
TEST(tls_hello_split_swept)
{
	struct tls_opt op = { .sid_len = 32, .pad_before = 1500 };
	static struct tenv t;
	static struct frame f;
	static uint8_t ma[PKT_MAX], mb[PKT_MAX];
	__u32 sl[2], sa, sb = 0, n = AS_HELLO_SLOTS;
	uint64_t inc0;
	size_t na, nb, e;
	uint16_t sp;
	bool dirty;

	xenv_readable_maps = hello_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	inc0 = names_event(&t, AS_NE_HELLO_INCOMPLETE);
	na = tls_hello(ma, "c2.example", &op, &e);
	nb = tls_hello(mb, "not-listed.example", &op, &e);
	ASSERT_LT(1000, na);
	seg_frame(&f, 4, F, 6000, ma, 0, 1000, 1, "A: first segment");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	ASSERT_EQ(1, hello_slots(&t, &dirty, sl, 1));
	sa = sl[0];
	for (sp = 6001; sp < 6040; sp++) {	/* B: a slot not A's */
		seg_frame(&f, 4, F, sp, mb, 0, 1000, 1, "B: first segment");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		ASSERT_EQ(2, hello_slots(&t, &dirty, sl, 2));
		sb = sl[0] == sa ? sl[1] : sl[0];
		seg_frame(&f, 4, F, sp, mb, 1000, nb, 1, "B: second segment");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		if (sb != sa)
			break;
	}
	ASSERT_NE(sa, sb);
	EXPECT_LIVE(&t, 1);
	/* past A's AS_HELLO_TTL_NS, when B's sweep falls on A's slot */
	ASSERT_EQ(0, xenv_set_now(&t.x,
				     xenv_sweep_time(T0 + 3 * NSEC, sb, sa, n)));
	seg_frame(&f, 4, F, sp, mb, 0, 1000, 1,
		  "B again, 3 s later: its sweep falls on A's slot");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	ASSERT_EQ(1, hello_slots(&t, &dirty, sl, 1));
	EXPECT_EQ(sb, sl[0]);		/* B's; A's is gone */
	EXPECT_FALSE(dirty);		/* and zeroed, its mark cleared */
	EXPECT_EQ(inc0 + 1, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * Split ClientHellos that do not select: a name in no rule, a name in no
 * rule's direction; the bounds (4 segments, 4096 bytes, 2 s), a new
 * ClientHello on the same ports, a flow whose address already matched
 * (no state).  Each ends with no state left and the counts it gives.
 */
TEST(tls_hello_split_unmatched_and_bounds)
{
	struct tls_opt op = { .sid_len = 32, .pad_before = 1500 };
	static struct tenv t;
	static struct frame f;
	static uint8_t m[PKT_MAX];
	uint64_t split0, inc0;
	size_t n, e, a;
	uint8_t addr[16];

	xenv_readable_maps = hello_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	split0 = names_event(&t, AS_NE_HELLO_SPLIT);
	inc0 = names_event(&t, AS_NE_HELLO_INCOMPLETE);

	/* a name in no rule: decided, not selected */
	n = tls_hello(m, "nothing.example", &op, &e);
	seg_frame(&f, 4, F, 5000, m, 0, 1000, 1, "no rule, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	seg_frame(&f, 4, F, 5000, m, 1000, n, 1, "no rule, second");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 0);
	EXPECT_EQ(split0 + 1, names_event(&t, AS_NE_HELLO_SPLIT));
	/* the fd approval's name from the domestic client: direction */
	n = tls_hello(m, "in.example", &op, &e);
	seg_frame(&f, 4, F, 5001, m, 0, 1000, 1, "other direction, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	seg_frame(&f, 4, F, 5001, m, 1000, n, 1, "other direction, second");
	run(_ksft, &t, &f, DEL(AS_DEL_DIRECTION), NULL);
	EXPECT_LIVE(&t, 0);
	/* the record whole without server_name: decided, no name */
	op.no_sni = 1;
	n = tls_hello(m, "c2.example", &op, &e);
	seg_frame(&f, 6, F, 5002, m, 0, 1000, 1, "no sni, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	seg_frame(&f, 6, F, 5002, m, 1000, n, 1, "no sni, second");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 0);
	EXPECT_EQ(split0 + 3, names_event(&t, AS_NE_HELLO_SPLIT));
	EXPECT_EQ(inc0, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	op.no_sni = 0;

	/* the name past 4 segments of 900 bytes: given up at the 4th */
	op.pad_before = 3800;
	n = tls_hello(m, "c2.example", &op, &e);
	for (a = 0; a < 5; a++) {
		seg_frame(&f, 4, F, 5003, m, a * 900, (a + 1) * 900, 1, "4 segments");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
		EXPECT_LIVE(&t, a < 3 ? 1 : 0);
	}
	EXPECT_EQ(inc0 + 1, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	/* past 4096 bytes: given up when they are held */
	op.pad_before = 4200;
	n = tls_hello(m, "c2.example", &op, &e);
	seg_frame(&f, 4, F, 5004, m, 0, 2100, 1, "4096 bytes, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	seg_frame(&f, 4, F, 5004, m, 2100, n, 1, "4096 bytes, second");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 0);
	EXPECT_EQ(inc0 + 2, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	op.pad_before = 1500;
	n = tls_hello(m, "c2.example", &op, &e);

	/* the next segment more than 2 s later: judged alone */
	seg_frame(&f, 4, F, 5005, m, 0, 1000, 1, "late, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 3 * NSEC));
	seg_frame(&f, 4, F, 5005, m, 1000, n, 1, "late, second");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 0);
	EXPECT_EQ(inc0 + 3, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	ASSERT_EQ(0, xenv_set_now(&t.x, T0));

	/* a new ClientHello on the same ports (another ISN) starts over */
	seg_frame(&f, 4, F, 5006, m, 0, 1000, 1, "reused ports, old first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	seg_frame(&f, 4, F, 5006, m, 0, 1000, 77777, "reused ports, new first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 1);
	EXPECT_EQ(inc0 + 4, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	seg_frame(&f, 4, F, 5006, m, 1000, n, 77777, "reused ports, new second");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	EXPECT_LIVE(&t, 0);

	/* the other direction's segments are not the client's */
	seg_frame(&f, 4, F, 5007, m, 0, 1000, 1, "client first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	mk(&f, 4, 6, F, D, 443, 5007, m + 1000, n - 1000, 0, "from the server");
	pkt_put32(f.b + f.hdr_len - 32 + 4, 1001);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_LIVE(&t, 1);
	seg_frame(&f, 4, F, 5007, m, 1000, n, 1, "client second");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	EXPECT_LIVE(&t, 0);

	/* the address already matched (an IP indicator): no state */
	addr_of(4, F2, addr);
	ASSERT_EQ(0, xenv_add_indicator(&t.x, 4, addr, 32, 1ULL << 0));
	seg_frame(&f, 4, F2, 5008, m, 0, 1000, 1, "ip-selected, first");
	f.kind = AS_KIND_IP;
	run(_ksft, &t, &f, SEL(0), NULL);
	EXPECT_LIVE(&t, 0);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * encrypted_client_hello (0xfe0d): matched on the outer server_name, and
 * counted (names_ech) once per ClientHello decided, split or not; the
 * split state cannot be read from user space.
 */
TEST(tls_ech_counted_and_matched_on_the_outer_name)
{
	struct tls_opt op = { .sid_len = 32, .ech = 1 };
	static struct tenv t;
	static struct frame f;
	static uint8_t m[PKT_MAX];
	uint64_t ech0;
	size_t n, e;
	__u32 k = 0;

	SETUP(&t);
	ech0 = names_event(&t, AS_NE_ECH);
	tls_frame(&f, 4, D, F, 6000, 443, "c2.example", &op);
	run(_ksft, &t, &f, SEL(0), "c2.example");
	EXPECT_EQ(ech0 + 1, names_event(&t, AS_NE_ECH));
	tls_frame(&f, 6, D, F, 6001, 443, "public.example", &op);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_EQ(ech0 + 2, names_event(&t, AS_NE_ECH));
	/* without the extension: not counted */
	op.ech = 0;
	tls_frame(&f, 4, D, F, 6002, 443, "c2.example", &op);
	run(_ksft, &t, &f, SEL(0), "c2.example");
	EXPECT_EQ(ech0 + 2, names_event(&t, AS_NE_ECH));
	/* ECH before the padding, the name past the first segment */
	op.ech = 1;
	op.pad_before = 1500;
	n = tls_hello(m, "c2.example", &op, &e);
	seg_frame(&f, 4, F, 6003, m, 0, 1000, 1, "ech split, first");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_EQ(ech0 + 2, names_event(&t, AS_NE_ECH));
	seg_frame(&f, 4, F, 6003, m, 1000, n, 1, "ech split, second");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	EXPECT_EQ(ech0 + 3, names_event(&t, AS_NE_ECH));
	/* a ClientHello of a flow already selected is not read: not counted */
	tls_frame(&f, 4, D, F, 6000, 443, "c2.example", &op);
	run(_ksft, &t, &f, SEL(0), NULL);
	EXPECT_EQ(ech0 + 3, names_event(&t, AS_NE_ECH));
	/* the split state holds ClientHello bytes: write-only */
	{
		static uint8_t v[2 * AS_HELLO_MAX + 256];

		errno = 0;
		EXPECT_EQ(-EPERM, bpf_map_lookup_elem(xenv_map_fd(&t.x, "hello"), &k, v));
		EXPECT_EQ(EPERM, errno);
	}
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- resolve-and-follow ----------------------------------------------- */

/* Answered (or not) foreign addresses: 192.0.2.i, 2001:db8:5::i. */
static void xaddr(int fam, int i, uint8_t out[16])
{
	if (fam == 4)
		pkt_ip4(out, 192, 0, 2, (uint8_t)i);
	else
		pkt_ip6(out, 0x2001, 0xdb8, 5, (uint16_t)i);
}

/* A TCP SYN, no payload, between D and address i (to it, or from it). */
static void syn_frame(struct frame *f, int fam, int i, int from,
		      uint16_t sport)
{
	struct pkt_spec s = { .ipver = fam, .l4 = 6 };
	struct pkt_addr a;
	struct pkt_info info;

	memset(&a, 0, sizeof(a));
	addr_of(fam, D, from ? a.dst : a.src);
	xaddr(fam, i, from ? a.src : a.dst);
	a.sport = sport;
	a.dport = 443;
	a.tcp_flags = PKT_TCP_SYN;
	f->len = pkt_build(&s, &a, f->b, &info);
	f->hdr_len = info.hdr_len;
	f->kind = AS_KIND_DNS;		/* only an answered address selects it */
	snprintf(f->what, sizeof(f->what), "SYN %s 192.0.2.%d/2001:db8:5::%d (ip%d)",
		 from ? "from" : "to", i, i, fam);
}

static size_t dns_rr(uint8_t *o, const uint8_t *owner, size_t olen,
		     uint16_t type, uint32_t ttl, const uint8_t *rd,
		     size_t rdlen)
{
	memcpy(o, owner, olen);
	pkt_put16(o + olen, type);
	pkt_put16(o + olen + 2, 1);		/* IN */
	pkt_put32(o + olen + 4, ttl);
	pkt_put16(o + olen + 8, (uint16_t)rdlen);
	memcpy(o + olen + 10, rd, rdlen);
	return olen + 10 + rdlen;
}

/*
 * A response for name answering, with ttl: a CNAME (owner: a pointer to
 * the question) to cdn.other.test, the A record of address a4 (owner: a
 * pointer to the CNAME's target), the AAAA record of a6 (owner: labels).
 * *ends gets the end of each record.
 */
static size_t dns_answer(uint8_t *m, const char *name, uint32_t ttl,
			 int a4, int a6, size_t ends[3])
{
	static const uint8_t qptr[2] = { 0xc0, 12 };
	uint8_t w[300], tgt[64], ptr[2], rd[16];
	size_t n, tl, at;

	n = dns_msg(m, w, dns_wire(w, name), 1);
	tl = dns_wire(tgt, "cdn.other.test");
	at = n + 2 + 10;			/* the CNAME's data */
	n += dns_rr(m + n, qptr, 2, 5, ttl, tgt, tl);
	ends[0] = n;
	ptr[0] = (uint8_t)(0xc0 | (at >> 8));
	ptr[1] = (uint8_t)at;
	xaddr(4, a4, rd);
	n += dns_rr(m + n, ptr, 2, 1, ttl, rd, 4);
	ends[1] = n;
	xaddr(6, a6, rd);
	n += dns_rr(m + n, tgt, tl, 28, ttl, rd, 16);
	ends[2] = n;
	pkt_put16(m + 6, 3);			/* ANCOUNT */
	return n;
}

/* Is address i (both families) followed under want? */
static void probe(struct ksft_ctx *_ksft, struct tenv *t, int i, int want,
		  uint16_t sport)
{
	static struct frame f;

	syn_frame(&f, 4, i, 0, sport);
	run(_ksft, t, &f, want, NULL);
	syn_frame(&f, 6, i, 0, (uint16_t)(sport + 1));
	run(_ksft, t, &f, want, NULL);
}

TEST(resolve_follow_answers)
{
	static struct tenv t;
	static struct frame f;
	uint8_t m[800], tm[802];
	size_t n, e[3];
	int fam;

	SETUP(&t);
	/* the query opens the flow; its response, in the flow, teaches 10 */
	dns_frame(&f, 4, D, F, 30100, 53, "c2.example");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	n = dns_answer(m, "c2.example", 300, 10, 10, e);
	mk(&f, 4, 17, F, D, 53, 30100, m, n, 40, "response c2.example");
	run(_ksft, &t, &f, SEL(0), "c2.example");
	probe(_ksft, &t, 10, SEL(0), 50000);
	probe(_ksft, &t, 11, DEL(AS_DEL_NO_MATCH), 50010);
	/* learned, and still not readable from user space (payload bytes) */
	{
		struct as_res_key k;

		errno = 0;
		EXPECT_EQ(-EPERM, bpf_map_get_next_key(xenv_map_fd(&t.x, "resolved"),
						       NULL, &k));
		EXPECT_EQ(EPERM, errno);
	}
	/* the foreign endpoint matches; the approval's type still decides */
	syn_frame(&f, 4, 10, 1, 50020);
	run(_ksft, &t, &f, DEL(AS_DEL_DIRECTION), NULL);
	/* a response that opens its own flow (fd, slot 1), over IPv6 */
	n = dns_answer(m, "in.example", 300, 12, 12, e);
	mk(&f, 6, 17, F, D, 53, 30101, m, n, 40, "response in.example");
	run(_ksft, &t, &f, SEL(1), NULL);
	for (fam = 4; fam <= 6; fam += 2) {
		syn_frame(&f, fam, 12, 1, (uint16_t)(50030 + fam));
		run(_ksft, &t, &f, SEL(1), NULL);
		syn_frame(&f, fam, 12, 0, (uint16_t)(50040 + fam));
		run(_ksft, &t, &f, DEL(AS_DEL_DIRECTION), NULL);
	}
	/* DNS over TCP (length prefix), a domestic resolver's answer (df) */
	n = dns_answer(m, "x.evil.test", 300, 13, 13, e);
	pkt_put16(tm, (uint16_t)n);
	memcpy(tm + 2, m, n);
	mk(&f, 4, 6, D, F, 53, 30102, tm, n + 2, 40, "tcp response");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 13, SEL(0), 50050);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * The live clock (datapath.rst, "Time"): every packet asks the resolved
 * mark with the coarse clock, which may be a tick behind the one the
 * learner wrote it with.  An answer learned just after the mark's epoch
 * ends (2^AS_RES_EPOCH_SHIFT ns), while the coarse clock still shows the
 * epoch before, is followed at once.  The epoch's end is put half a
 * millisecond after a tick of CLOCK_MONOTONIC_COARSE, the approval's
 * window around it.
 */
TEST(resolve_live_clock_epoch_edge)
{
	static struct tenv t;
	static struct frame f;
	uint64_t edge = ((T0 >> AS_RES_EPOCH_SHIFT) + 1) << AS_RES_EPOCH_SHIFT;
	uint64_t tick, at, m0, c1;
	uint8_t m[800];
	size_t n, e[3];
	int k, made = 0;

	SETUP(&t);
	ASSERT_EQ(0, xenv_set_approval(&t.x, 1, AS_DIR_FD, edge - HOUR,
				       edge + (5ULL << AS_RES_EPOCH_SHIFT),
				       101, 1));
	/* the first run writes the rule set's maps: not inside the window */
	syn_frame(&f, 4, 11, 1, 50000);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* until a tick falls between the response and the probe: 4 tries */
	for (k = 0; k < 4 && !made; k++, edge += 1ULL << AS_RES_EPOCH_SHIFT) {
		n = dns_answer(m, "in.example", 300, 12 + k, 12 + k, e);
		tick = xenv_coarse_tick();
		ASSERT_NE(0, tick);
		at = tick + NSEC / 2000;
		ASSERT_EQ(0, xenv_set_live_clock(&t.x, edge - at));
		while ((m0 = xenv_clock_ns(CLOCK_MONOTONIC)) < at)
			;
		/* a response that opens its own flow (fd, slot 1) teaches it */
		mk(&f, 6, 17, F, D, 53, (uint16_t)(30101 + k), m, n, 40,
		   "response in.example");
		run(_ksft, &t, &f, SEL(1), NULL);
		syn_frame(&f, 4, 12 + k, 1, (uint16_t)(50001 + k));
		run(_ksft, &t, &f, SEL(1), "address learned past the edge");
		c1 = xenv_clock_ns(CLOCK_MONOTONIC_COARSE);
		made = c1 < at;
		ksft_print("  try %d: learned %llu us past the edge, coarse clock %s\n",
			   k, (unsigned long long)(m0 - at) / 1000,
			   made ? "still before it" : "past it by the probe");
	}
	ASSERT_EQ(1, made);
	ASSERT_EQ(0, xenv_set_live_clock(&t.x, 0) ?: xenv_set_now(&t.x, T0));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(resolve_learns_only_matched_responses)
{
	static struct tenv t;
	static struct frame f;
	uint8_t m[800];
	size_t n, e[3];

	SETUP(&t);
	/* a response for a name that matches nothing */
	n = dns_answer(m, "nothing.example", 300, 20, 20, e);
	mk(&f, 4, 17, D, F, 53, 30200, m, n, 40, "unmatched response");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	probe(_ksft, &t, 20, DEL(AS_DEL_NO_MATCH), 50100);
	/* a query (QR 0) carrying records */
	n = dns_answer(m, "c2.example", 300, 21, 21, e);
	pkt_put16(m + 2, 0x0100);
	mk(&f, 4, 17, D, F, 30201, 53, m, n, 40, "query with records");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 21, DEL(AS_DEL_NO_MATCH), 50110);
	/* an error response (NXDOMAIN) */
	n = dns_answer(m, "c2.example", 300, 22, 22, e);
	pkt_put16(m + 2, 0x8183);
	mk(&f, 4, 17, D, F, 53, 30202, m, n, 40, "nxdomain with records");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 22, DEL(AS_DEL_NO_MATCH), 50120);
	/* a matched response that is not selected (expired approval) */
	n = dns_answer(m, "old.example", 300, 23, 23, e);
	mk(&f, 4, 17, D, F, 53, 30203, m, n, 40, "expired approval");
	run(_ksft, &t, &f, DEL(AS_DEL_EXPIRED), NULL);
	probe(_ksft, &t, 23, DEL(AS_DEL_NO_MATCH), 50130);
	/* TTL 0: not learned */
	n = dns_answer(m, "c2.example", 0, 24, 24, e);
	mk(&f, 4, 17, D, F, 53, 30204, m, n, 40, "ttl 0");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 24, DEL(AS_DEL_NO_MATCH), 50140);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(resolve_ttl_and_window)
{
	static struct tenv t;
	static struct frame f;
	uint8_t m[800];
	size_t n, e[3];

	SETUP(&t);
	n = dns_answer(m, "c2.example", 60, 30, 30, e);
	mk(&f, 4, 17, D, F, 53, 30300, m, n, 40, "ttl 60");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 30, SEL(0), 50200);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 59 * NSEC));
	probe(_ksft, &t, 30, SEL(0), 50210);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + 60 * NSEC));
	probe(_ksft, &t, 30, DEL(AS_DEL_NO_MATCH), 50220);
	/* TTL past the window: capped at its end, even if it is extended */
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + HOUR - 10 * NSEC));
	n = dns_answer(m, "c2.example", 3600, 31, 31, e);
	mk(&f, 4, 17, D, F, 53, 30301, m, n, 40, "ttl past the window");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 31, SEL(0), 50230);
	ASSERT_EQ(0, xenv_set_approval(&t.x, 0, AS_DIR_DF, T0 - HOUR,
				       T0 + 30 * 24 * HOUR, 100, 1));
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + HOUR));
	probe(_ksft, &t, 31, DEL(AS_DEL_NO_MATCH), 50240);
	/* a TTL over a day is held a day */
	n = dns_answer(m, "c2.example", 7 * 86400, 32, 32, e);
	mk(&f, 4, 17, D, F, 53, 30302, m, n, 40, "ttl a week");
	run(_ksft, &t, &f, SEL(0), NULL);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + HOUR + 24 * HOUR - NSEC));
	probe(_ksft, &t, 32, SEL(0), 50250);
	ASSERT_EQ(0, xenv_set_now(&t.x, T0 + HOUR + 24 * HOUR));
	probe(_ksft, &t, 32, DEL(AS_DEL_NO_MATCH), 50260);
	/* the slot given to another approval: the address is forgotten */
	n = dns_answer(m, "c2.example", 600, 33, 33, e);
	mk(&f, 4, 17, D, F, 53, 30303, m, n, 40, "before reuse");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 33, SEL(0), 50270);
	ASSERT_EQ(0, xenv_set_approval(&t.x, 0, AS_DIR_DF, T0 - HOUR,
				       T0 + 30 * 24 * HOUR, 200, 1));
	probe(_ksft, &t, 33, DEL(AS_DEL_NO_MATCH), 50280);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

TEST(resolve_malformed_answers)
{
	static struct tenv t;
	static struct frame f;
	uint8_t m[800];
	size_t n, e[3], cut;
	int i = 40;
	uint16_t port = 31400;

	SETUP(&t);
	/* cut anywhere: the records whole before the cut are learned */
	n = dns_answer(m, "c2.example", 300, 0, 0, e);
	for (cut = e[0] - 1; cut <= n; cut++, i++, port += 2) {
		n = dns_answer(m, "c2.example", 300, i, i, e);
		mk(&f, 4, 17, D, F, 53, port, m, cut, 0, "truncated answers");
		run(_ksft, &t, &f, SEL(0), NULL);
		syn_frame(&f, 4, i, 0, port);
		run(_ksft, &t, &f, cut >= e[1] ? SEL(0) : DEL(AS_DEL_NO_MATCH), NULL);
		syn_frame(&f, 6, i, 0, port);
		run(_ksft, &t, &f, cut >= e[2] ? SEL(0) : DEL(AS_DEL_NO_MATCH), NULL);
	}
	/* RDLENGTH of the A record past the end: nothing after it either */
	n = dns_answer(m, "c2.example", 300, 100, 100, e);
	pkt_put16(m + e[1] - 6, 200);
	mk(&f, 4, 17, D, F, 53, 30500, m, n, 40, "rdlength lie");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 100, DEL(AS_DEL_NO_MATCH), 50300);
	/* an A record of 5 bytes is skipped, the AAAA after it still read */
	n = dns_answer(m, "c2.example", 300, 101, 101, e);
	pkt_put16(m + e[1] - 6, 5);
	memmove(m + e[1] + 1, m + e[1], n - e[1]);
	m[e[1]] = 0;
	n++;
	mk(&f, 4, 17, D, F, 53, 30501, m, n, 40, "5-byte A record");
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 4, 101, 0, 50310);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	syn_frame(&f, 6, 101, 0, 50311);
	run(_ksft, &t, &f, SEL(0), NULL);
	/* ANCOUNT larger than present: the records present are learned */
	n = dns_answer(m, "c2.example", 300, 102, 102, e);
	pkt_put16(m + 6, 0xffff);
	mk(&f, 4, 17, D, F, 53, 30502, m, n, 0, "ancount lie");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 102, SEL(0), 50320);
	/* a reserved label type in an owner name stops the walk */
	n = dns_answer(m, "c2.example", 300, 103, 103, e);
	m[e[0]] = 0x80;
	mk(&f, 4, 17, D, F, 53, 30503, m, n, 40, "reserved label");
	run(_ksft, &t, &f, SEL(0), NULL);
	probe(_ksft, &t, 103, DEL(AS_DEL_NO_MATCH), 50330);
	/* a label running past the end */
	n = dns_answer(m, "c2.example", 300, 104, 104, e);
	m[e[1]] = 63;
	mk(&f, 4, 17, D, F, 53, 30504, m, n, 0, "long label");
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 4, 104, 0, 50340);
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 6, 104, 0, 50341);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* only the first AS_RES_MAX_RR records are read */
	n = dns_msg(m, (const uint8_t *)"\002c2\007example", 12, 1);
	for (i = 0; i < 17; i++) {
		uint8_t rd[16], qp[2] = { 0xc0, 12 };

		xaddr(4, 110 + i, rd);
		n += dns_rr(m + n, qp, 2, 1, 300, rd, 4);
	}
	pkt_put16(m + 6, 17);
	mk(&f, 4, 17, D, F, 53, 30505, m, n, 40, "17 records");
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 4, 110, 0, 50350);
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 4, 125, 0, 50351);
	run(_ksft, &t, &f, SEL(0), NULL);
	syn_frame(&f, 4, 126, 0, 50352);
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- loader side -------------------------------------------------------- */

TEST(normalize_rules)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "C2.Example.", "c2.example" }, { ".Evil.Test", ".evil.test" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "_dmarc.example", "_dmarc.example" }, { NAME253, NAME253 },
	};
	static const char *const bad[] = {
		"", ".", "..", "a..b", "..a", "a b", "e" NAME253,
		L63A "a.example", "-\x01.x", "b\xc3\xbc.example", "a/b",
	};
	char out[AS_NAME_KEY_LEN + 1];
	size_t i, len;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		EXPECT_EQ(0, as_domain_normalize(ok[i].in, out, &len));
		EXPECT_EQ(0, strcmp(out, ok[i].out));
		EXPECT_EQ(strlen(ok[i].out), len);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-1, as_domain_normalize(bad[i], out, &len));
}

/* Many indicators: same answers, and 100k entries load. */
TEST(hundred_thousand_domains)
{
	static struct tenv t;
	static struct frame f;
	struct as_domains d;
	char name[64];
	int i;

	SETUP(&t);
	as_domains_init(&d);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "%sh%d.bulk%d.example",
			 i & 1 ? "." : "", i, i % 97);
		ASSERT_EQ(0, as_domains_add(&d, name, 1ULL << 0));
	}
	ASSERT_EQ(0, as_domains_write(&d, t.domains, t.bloom));
	ASSERT_EQ(100000, as_domains_count(&d));
	as_domains_free(&d);
	dns_frame(&f, 4, D, F, 45000, 53, "h4.bulk4.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	dns_frame(&f, 4, D, F, 45001, 53, "x.h4.bulk4.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	dns_frame(&f, 4, D, F, 45002, 53, "x.h99999.bulk89.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	dns_frame(&f, 4, D, F, 45003, 53, "h99999.bulk89.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	dns_frame(&f, 4, D, F, 45004, 53, "c2.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * The open-addressed table (include/autosel/names.h) from here on: what
 * its structure could get wrong.  clear_domains() empties the table
 * setup() wrote (header and slots; the words are unreferenced then).
 */
static int clear_domains(struct tenv *t)
{
	static struct as_dom_slot z[AS_DOM_SLOTS_DEFAULT];
	static __u32 keys[AS_DOM_SLOTS_DEFAULT];
	struct as_dom_slot h;
	__u32 zero = 0, n;

	/* the header says how many slots the table uses */
	if (bpf_map_lookup_elem(t->domains, &zero, &h))
		return -1;
	n = h.ref ? (__u32)h.fp + 2 : 1;
	for (__u32 i = 0; i < n; i++)
		keys[i] = i;
	return bpf_map_update_batch(t->domains, keys, z, &n, NULL) ? -1 : 0;
}

/* Eight names in eight slots: every home collides, sequences wrap. */
TEST(domain_table_tiny_collisions_and_full)
{
	static const char *const names[] = {
		"c2.example", "c3.example", "a.b.c.example", ".sfx.test",
		"x.example.org", "y.example.org", "z.example.org", ".q.r",
	};
	static struct tenv t;
	static struct frame f;
	struct as_domains d;
	char why[256];
	size_t i;

	SETUP(&t);
	ASSERT_EQ(0, clear_domains(&t));
	as_domains_init(&d);
	d.cap_max = 8;
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, as_domains_add(&d, names[i], 1ULL << 0));
	ASSERT_EQ(0, as_domains_write(&d, t.domains, t.bloom));
	as_domains_free(&d);
	/* each exact entry is found wherever its home slot was taken */
	for (i = 0; i < 8; i++) {
		if (names[i][0] == '.')
			continue;
		dns_frame(&f, 4, D, F, (uint16_t)(46000 + i), 53, names[i]);
		run(_ksft, &t, &f, SEL(0), NULL);
	}
	dns_frame(&f, 4, D, F, 46010, 53, "deep.er.sfx.test");
	run(_ksft, &t, &f, SEL(0), NULL);
	dns_frame(&f, 4, D, F, 46011, 53, "sfx.test");	/* not its own suffix */
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	dns_frame(&f, 4, D, F, 46012, 53, "a.q.r");
	run(_ksft, &t, &f, SEL(0), NULL);
	/* a full table: a miss reads every slot and ends all the same */
	dns_frame(&f, 4, D, F, 46013, 53, "c4.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	dns_frame(&f, 4, D, F, 46014, 53, "w.example.org");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);

	/* the ninth cannot be placed: refused, with the reason */
	ASSERT_EQ(0, clear_domains(&t));
	as_domains_init(&d);
	d.cap_max = 8;
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, as_domains_add(&d, names[i], 1ULL << 0));
	ASSERT_EQ(0, as_domains_add(&d, "ninth.example", 1ULL << 0));
	EXPECT_EQ(-ENOSPC, as_domains_write(&d, t.domains, t.bloom));
	snprintf(why, sizeof(why), "%s", d.err);
	EXPECT_TRUE(strstr(why, "domain table full") != NULL);
	ksft_print("refused: %s\n", why);
	as_domains_free(&d);
	/* and an entry already in the table is refused, not doubled */
	ASSERT_EQ(0, clear_domains(&t));
	as_domains_init(&d);
	ASSERT_EQ(0, as_domains_add(&d, "c2.example", 1ULL << 0));
	ASSERT_EQ(0, as_domains_write(&d, t.domains, t.bloom));
	ASSERT_EQ(0, as_domains_add(&d, "C2.example.", 1ULL << 1));
	EXPECT_EQ(-EEXIST, as_domains_write(&d, t.domains, t.bloom));
	as_domains_free(&d);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* Write one slot and an entry's words by hand (cap 64 from now on). */
static int put_slot(struct tenv *t, __u32 s, __u64 fp, __u32 ref,
		    const char *text, __u64 mask)
{
	uint64_t w[AS_NAME_WORDS];
	struct as_dom_slot sl = { .fp = fp, .ref = ref };
	__u32 nw = as_dom_words(text, strlen(text), w), i, k;

	sl.nw = nw;
	if (bpf_map_update_elem(t->domains, &s, &sl, BPF_ANY) ||
	    bpf_map_update_elem(t->bloom, &ref, &mask, BPF_ANY))
		return -1;
	for (i = 0; i < nw; i++) {
		k = ref + 1 + i;
		if (bpf_map_update_elem(t->bloom, &k, &w[i], BPF_ANY))
			return -1;
	}
	return 0;
}

static int put_header(struct tenv *t, __u32 cap, __u32 count)
{
	struct as_dom_slot h = { .fp = cap - 1, .ref = count };
	__u32 zero = 0;

	return bpf_map_update_elem(t->domains, &zero, &h, BPF_ANY);
}

/*
 * A fingerprint collision never selects: a slot holding the fingerprint
 * and word count of "c2.example" but the words of "c3.example" matches
 * neither name.  And the data path reads AS_DOM_PROBES slots, no more:
 * an entry placed one slot beyond the bound is not found (the loader
 * never places one there).
 */
TEST(domain_table_fingerprint_collision_and_probe_bound)
{
	static struct tenv t;
	static struct frame f;
	__u64 fp2 = as_dom_text_fp("c2.example", 10);
	__u64 fp5 = as_dom_text_fp("c5.example", 10);
	__u64 fp6 = as_dom_text_fp("c6.example", 10);
	__u32 home2 = 1 + (__u32)(fp2 & 63), s, i;

	SETUP(&t);
	ASSERT_EQ(0, clear_domains(&t));
	ASSERT_EQ(0, put_header(&t, 64, 1));
	ASSERT_EQ(0, put_slot(&t, home2, fp2, 1, "c3.example", 1ULL << 0));
	dns_frame(&f, 4, D, F, 47000, 53, "c2.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	dns_frame(&f, 4, D, F, 47001, 53, "c3.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	/* the same slot with the right words: found (the table is valid) */
	ASSERT_EQ(0, put_slot(&t, home2, fp2, 1, "c2.example", 1ULL << 0));
	dns_frame(&f, 4, D, F, 47002, 53, "c2.example");
	run(_ksft, &t, &f, SEL(0), NULL);

	/*
	 * Every slot taken (entries nobody asks for), then c5.example at
	 * the last slot of its sequence and c6.example one beyond its own.
	 */
	ASSERT_EQ(0, clear_domains(&t));
	ASSERT_EQ(0, put_header(&t, 64, 64));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, put_slot(&t, 1 + i, 0x5a5a5a5a00000000ULL + i, 1,
				      "filler.invalid", 1ULL << 0));
	s = 1 + (__u32)((fp5 + AS_DOM_PROBES - 1) & 63);
	ASSERT_EQ(0, put_slot(&t, s, fp5, 20, "c5.example", 1ULL << 0));
	s = 1 + (__u32)((fp6 + AS_DOM_PROBES) & 63);
	if ((s - 1) != ((fp5 + AS_DOM_PROBES - 1) & 63)) {
		ASSERT_EQ(0, put_slot(&t, s, fp6, 30, "c6.example", 1ULL << 0));
		dns_frame(&f, 4, D, F, 47004, 53, "c6.example");
		run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	}
	dns_frame(&f, 4, D, F, 47003, 53, "c5.example");
	run(_ksft, &t, &f, SEL(0), NULL);
	dns_frame(&f, 4, D, F, 47005, 53, "c7.example");
	run(_ksft, &t, &f, DEL(AS_DEL_NO_MATCH), NULL);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/* ---- the DNS reader, word by word, against the byte-wise one ---------- */

/* What xdp/names.h copies of a DNS payload: AS_DNS_WIN bytes at most. */
#define T_DNS_WIN	(2 + 12 + AS_NAME_MAX + 3)

/*
 * The DNS question reader as it was before it read words: one byte per
 * step, as_name_byte_ok() and as_name_lower() on every label byte, at
 * most 256 steps.  m holds n bytes of the message (what the program
 * copies: at most AS_DNS_WIN).  The name's text length, 0: no name.
 */
static size_t ref_dns_name(const uint8_t *m, size_t n, char *out)
{
	size_t pos = 12, lab = 0, o = 0, step;

	if (12 > n || !((m[4] << 8) | m[5]))
		return 0;
	for (step = 0; step < AS_NAME_MAX + 3; step++) {
		uint8_t b;

		if (pos >= n)
			return 0;
		b = m[pos++];
		if (!lab) {
			if (!b)
				break;
			if (b > AS_LABEL_MAX)
				return 0;
			if (o) {
				if (o >= AS_NAME_MAX)
					return 0;
				out[o++] = '.';
			}
			lab = b;
			continue;
		}
		if (!as_name_byte_ok(b) || o >= AS_NAME_MAX)
			return 0;
		out[o++] = (char)as_name_lower(b);
		lab--;
	}
	if (step == AS_NAME_MAX + 3)
		return 0;
	out[o] = 0;
	return o;
}

/*
 * What a reader that checked nothing would make of the question: labels
 * joined by dots, folded, to the end of what m holds; "" when a NUL is
 * in it (as_dom_words() takes a C string).
 */
static void lenient_dns_name(const uint8_t *m, size_t n, char *out)
{
	size_t pos = 12, o = 0;

	while (pos < n && m[pos] && o < AS_NAME_KEY_LEN - 1) {
		size_t l = m[pos++] & 0x3f;

		if (o)
			out[o++] = '.';
		while (l-- && pos < n && o < AS_NAME_KEY_LEN - 1) {
			if (!m[pos]) {
				out[0] = 0;
				return;
			}
			out[o++] = (char)as_name_lower(m[pos++]);
		}
	}
	out[o] = 0;
}

struct dns_case {
	uint8_t m[T_DNS_WIN + 40];
	size_t n;
	const char *what;
};

static uint64_t dns_rng = 0x2545f4914f6cdd1dULL;

static uint32_t dns_rand(uint32_t below)
{
	dns_rng ^= dns_rng << 13;
	dns_rng ^= dns_rng >> 7;
	dns_rng ^= dns_rng << 17;
	return (uint32_t)((dns_rng >> 11) % below);
}

/* A query for the labels of lengths len[0..nl), bytes from fill(). */
static void dns_case_labels(struct dns_case *c, const size_t *len, size_t nl,
			    uint8_t (*fill)(size_t))
{
	uint8_t w[T_DNS_WIN + 40];
	size_t i, j, p = 0, at = 0;

	for (i = 0; i < nl && p + len[i] + 2 < sizeof(w) - 16 - 12; i++) {
		w[p++] = (uint8_t)len[i];
		for (j = 0; j < len[i]; j++)
			w[p++] = fill(at++);
	}
	w[p++] = 0;
	c->n = dns_msg(c->m, w, p, 0);
}

static uint8_t fill_lower(size_t i)
{
	return (uint8_t)('a' + i % 26);
}

static uint8_t fill_mixed(size_t i)
{
	static const char s[] = "Ab0-Z_yQ9zM";

	return (uint8_t)s[i % (sizeof(s) - 1)];
}

/* Bytes around every edge of as_name_byte_ok() and the case fold. */
static const uint8_t edge_bytes[] = {
	0x00, 0x01, 0x09, 0x1f, 0x20, 0x21, 0x2d, 0x2e, 0x2f, 0x30, 0x3f,
	0x40, 0x41, 0x4d, 0x5a, 0x5b, 0x5f, 0x60, 0x61, 0x7a, 0x7b, 0x7e,
	0x7f, 0x80, 0xa0, 0xc1, 0xda, 0xfe, 0xff,
};

static size_t dns_checked, dns_named;
static __u32 dns_slot;		/* the slot the last case wrote, 0: none */

/*
 * Run c against the reference: a name the reference reads is the only
 * entry of the table (selected); for one it refuses, the text a lax
 * reader would make is (never selected).  The verdict is read from the
 * return code only (one syscall a case: the guest runs this under TCG);
 * run() checks the rest elsewhere.
 */
static void dns_case_run(struct ksft_ctx *_ksft, struct tenv *t,
			 const struct dns_case *c)
{
	static struct frame f;
	static struct xrun r;
	static uint16_t sport = 1024;
	static const struct as_dom_slot empty;
	char ref[AS_NAME_KEY_LEN + 1], lax[AS_NAME_KEY_LEN + 1];
	size_t n = c->n < T_DNS_WIN ? c->n : T_DNS_WIN, rl;
	const char *text;
	__u32 want;
	__u64 fp;

	rl = ref_dns_name(c->m, n, ref);
	lenient_dns_name(c->m, n, lax);
	text = rl ? ref : lax;
	if (dns_slot && bpf_map_update_elem(t->domains, &dns_slot, &empty,
					    BPF_ANY)) {
		FAIL_SOFT("%s: cannot empty the table", c->what);
		return;
	}
	dns_slot = 0;
	if (*text && strlen(text) <= AS_NAME_MAX) {
		fp = as_dom_text_fp(text, strlen(text));
		dns_slot = 1 + (__u32)(fp & 63);
		if (put_slot(t, dns_slot, fp, 1, text, 1ULL << 0)) {
			FAIL_SOFT("%s: cannot write the entry", c->what);
			return;
		}
	}
	mk(&f, 4, 17, D, F, sport, 53, c->m, c->n, 0, c->what);
	if (++sport < 1024)
		sport = 1024;
	want = rl ? XDP_REDIRECT : XDP_DROP;
	if (xenv_run(&t->x, f.b, f.len, &r) || r.retval != want) {
		FAIL_SOFT("%s: verdict %u, want %u (%s)", c->what, r.retval,
			  want, rl ? "selected" : "deleted");
		ksft_print("  reference: %s%s%s; lax reader: \"%s\"\n",
			   rl ? "\"" : "no name", rl ? ref : "", rl ? "\"" : "",
			   lax);
	}
	t->fed++;
	t->fed_bytes += f.len;
	dns_checked++;
	dns_named += rl != 0;
}

/*
 * The question name a word (8 bytes) per step: every label length 1..63
 * on both sides of each word boundary, names of exactly AS_NAME_MAX and
 * one byte more, every edge byte at every place in a word, capitals,
 * length bytes of 0x40 and up, a cut at every byte; then random names.
 * The byte-wise reader above says what each must give.
 */
TEST(dns_words_against_bytes)
{
	static struct tenv t;
	static struct dns_case c;
	static char what[128], text[AS_NAME_KEY_LEN + 1];
	size_t len[140], i, j, k, l, nl, cut;

	SETUP(&t);
	ASSERT_EQ(0, clear_domains(&t));
	ASSERT_EQ(0, put_header(&t, 64, 1));
	c.what = what;
	/* one label of 1..63, then under another label of 1..17 */
	for (l = 1; l <= AS_LABEL_MAX; l++) {
		for (k = 0; k <= 17; k++) {
			len[0] = k ? k : l;
			len[1] = l;
			len[2] = 3;
			nl = k ? 3 : 1;
			snprintf(what, sizeof(what), "labels %zu,%zu", len[0], l);
			dns_case_labels(&c, len, nl, k & 1 ? fill_mixed : fill_lower);
			dns_case_run(_ksft, &t, &c);
		}
	}
	/* 64: a reserved length; every length byte 0x40 and up */
	for (l = 0x40; l <= 0xff; l += 0x3f) {
		len[0] = 2;
		len[1] = 5;
		dns_case_labels(&c, len, 2, fill_lower);
		c.m[12 + 3] = (uint8_t)l;
		snprintf(what, sizeof(what), "length byte 0x%zx", l);
		dns_case_run(_ksft, &t, &c);
	}
	/* names of 253 (found) and 254, 255 bytes (no name), many layouts */
	for (k = 1; k <= 63; k += (k < 10 ? 1 : 9)) {
		for (j = 253; j <= 256; j++) {
			size_t tot = 0, rem, l2;

			/* labels of k, the last ones shorter: j bytes in all */
			for (nl = 0; tot < j; nl++) {
				rem = j - tot - (nl ? 1 : 0);
				l2 = k < rem ? k : rem;
				if (rem - l2 == 1)	/* no room for dot + byte */
					l2 = l2 > 1 ? l2 - 1 : l2 + 1;
				len[nl] = l2;
				tot += l2 + (nl ? 1 : 0);
			}
			snprintf(what, sizeof(what), "%zu bytes, labels of %zu", tot, k);
			dns_case_labels(&c, len, nl, fill_mixed);
			dns_case_run(_ksft, &t, &c);
			if (tot == AS_NAME_MAX)
				EXPECT_EQ(253, ref_dns_name(c.m, c.n, text));
		}
	}
	/* every edge byte at each of the 16 places of two labels' words */
	for (i = 0; i < sizeof(edge_bytes); i++) {
		for (j = 0; j < 19; j++) {
			len[0] = 7;
			len[1] = 11;
			dns_case_labels(&c, len, 2, fill_mixed);
			/* wire 12: length, 13..19 label, 20 length, 21..31 */
			c.m[13 + j] = edge_bytes[i];
			snprintf(what, sizeof(what), "byte 0x%02x at %zu", edge_bytes[i], j);
			dns_case_run(_ksft, &t, &c);
		}
	}
	/* cut at every byte of a name with labels of 1, 8, 9, 16 */
	len[0] = 1;
	len[1] = 8;
	len[2] = 9;
	len[3] = 16;
	dns_case_labels(&c, len, 4, fill_mixed);
	for (cut = 12; cut <= c.n; cut++) {
		static struct dns_case d;

		d = c;
		d.n = cut;
		d.what = what;
		snprintf(what, sizeof(what), "cut at %zu", cut);
		dns_case_run(_ksft, &t, &d);
	}
	/* random names: lengths near the word size, now and then a bad byte */
	for (k = 0; k < 1000; k++) {
		uint8_t w[T_DNS_WIN + 40];
		size_t p = 0;

		nl = 1 + dns_rand(dns_rand(4) ? 8 : 70);
		for (i = 0; i < nl && p < T_DNS_WIN - 12; i++) {
			l = dns_rand(4) ? 1 + dns_rand(17) : 1 + dns_rand(64);
			w[p++] = (uint8_t)l;
			for (j = 0; j < l && p < T_DNS_WIN - 12; j++)
				w[p++] = dns_rand(40) ? (uint8_t)fill_mixed(dns_rand(64))
						      : edge_bytes[dns_rand(sizeof(edge_bytes))];
		}
		if (p < sizeof(w))
			w[p++] = 0;
		if (!dns_rand(10))
			w[dns_rand((uint32_t)p)] = (uint8_t)dns_rand(256);
		c.n = dns_msg(c.m, w, p, 0);
		if (!dns_rand(8))
			c.n = 12 + dns_rand((uint32_t)(c.n - 11));
		snprintf(what, sizeof(what), "random %zu", k);
		dns_case_run(_ksft, &t, &c);
	}
	ksft_print("dns words: %zu questions, %zu of them names\n",
		   dns_checked, dns_named);
	EXPECT_LT((size_t)1000, dns_named);
	EXPECT_LT((size_t)500, dns_checked - dns_named);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * Per-packet cost (informational, never fails): the program's average run
 * time over many repetitions, for an IP-only packet and a DNS, a TLS and an
 * HTTP packet that match nothing (the common case) and one that matches.
 */
static double ns_per_run(struct tenv *t, const struct frame *f, int repeat)
{
	const char *r = getenv("AUTOSEL_COST_REPEAT");

	static uint8_t out[XENV_OUT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = (__u32)f->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	if (r && atoi(r) > 0)
		o.repeat = atoi(r);

	if (xenv_sync(&t->x) || bpf_prog_test_run_opts(t->x.prog, &o))
		return -1;
	return o.duration;
}

static void cost_table(struct tenv *t, const char *tag)
{
	struct tls_opt op = { .grease_before = 3, .sid_len = 32 };
	static struct frame f;
	const char data[] = "0123456789abcdef0123456789abcdef";

	mk(&f, 4, 6, D, F, 46000, 443, data, sizeof(data), 500, "ip only");
	ksft_print("cost %s: tcp, no name        %6.1f ns\n", tag, ns_per_run(t, &f, 100000));
	mk(&f, 4, 17, D, F, 46001, 9999, data, sizeof(data), 500, "udp");
	ksft_print("cost %s: udp, not dns        %6.1f ns\n", tag, ns_per_run(t, &f, 100000));
	dns_frame(&f, 4, D, F, 46002, 53, "www.some-site.example.org");
	ksft_print("cost %s: dns, no match       %6.1f ns\n", tag, ns_per_run(t, &f, 100000));
	tls_frame(&f, 4, D, F, 46003, 443, "www.some-site.example.org", &op);
	ksft_print("cost %s: tls sni, no match   %6.1f ns\n", tag, ns_per_run(t, &f, 100000));
	http_frame(&f, 4, D, F, 80,
		   "GET / HTTP/1.1\r\nUser-Agent: curl/8\r\nHost: www.some-site.example.org\r\n\r\n");
	ksft_print("cost %s: http host, no match %6.1f ns\n", tag, ns_per_run(t, &f, 100000));
	/* a match is selected once, then the flow decides: measure the miss */
}

TEST(per_packet_cost)
{
	static struct tenv t;
	struct as_domains d;
	char name[64], why[256], *names_obj;
	int i, skip;

	/* the program without names, same frames, for comparison */
	names_obj = strdup(getenv("AUTOSEL_BPF_OBJ"));
	setenv("AUTOSEL_BPF_OBJ", AUTOSEL_BPF_OBJ, 1);
	memset(&t, 0, sizeof(t));
	if (!xenv_open(&t.x, &skip, why, sizeof(why))) {
		xenv_set_now(&t.x, T0);
		xenv_set_approval(&t.x, 0, AS_DIR_DF, T0 - HOUR, T0 + HOUR, 100, 1);
		cost_table(&t, "no names   ");
		xenv_close(&t.x);
	}
	setenv("AUTOSEL_BPF_OBJ", names_obj, 1);
	free(names_obj);
	SETUP(&t);
	cost_table(&t, "7 domains  ");
	as_domains_init(&d);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "%sh%d.bulk%d.example",
			 i & 1 ? "." : "", i, i % 97);
		ASSERT_EQ(0, as_domains_add(&d, name, 1ULL << 0));
	}
	ASSERT_EQ(0, as_domains_write(&d, t.domains, t.bloom));
	as_domains_free(&d);
	cost_table(&t, "100k domains");
	xenv_close(&t.x);
}

/*
 * The corpus (../shared/corpus/tcpdump) with domain indicators only: every
 * TLD-ish suffix common in it, in an ff, an fd and a df approval.  Every
 * packet counted once; a selected record is exactly the metadata and the
 * headers the shared parser finds, a prefix of the frame.  Reports how many
 * packets each kind of name selected (a flow's later packets included).
 */
#include <autosel/parse.h>
#include "names_pcap.h"

#ifndef AUTOSEL_CORPUS
#define AUTOSEL_CORPUS "../shared/corpus/tcpdump"
#endif

struct corpus_run {
	struct ksft_ctx *k;
	struct tenv *t;
};

static void corpus_frame(void *arg, const char *path, const uint8_t *data,
			 size_t len, uint64_t now)
{
	struct corpus_run *cr = arg;
	struct ksft_ctx *_ksft = cr->k;
	struct tenv *t = cr->t;
	static struct xrun r;
	struct as_meta meta;
	struct as_pkt pkt;
	int pr;

	if (len < 14)
		return;
	if (len > XENV_CLIP)
		len = XENV_CLIP;
	if (xenv_set_now(&t->x, now ? now : 1) ||
	    xenv_run(&t->x, data, len, &r)) {
		FAIL_SOFT("%s: test_run failed", path);
		return;
	}
	t->fed++;
	t->fed_bytes += len;
	if (r.retval != XDP_REDIRECT)
		return;
	memset(&pkt, 0, sizeof(pkt));
	pr = as_parse(data, data + len, &pkt);
	memcpy(&meta, r.out, sizeof(meta));
	if (pr != AS_PARSE_OK || meta.hdr_len != pkt.hdr_len ||
	    r.out_len != sizeof(meta) + pkt.hdr_len ||
	    memcmp(r.out + sizeof(meta), data, pkt.hdr_len))
		FAIL_SOFT("%s: packet %lu: kept %u, headers %u", path, t->fed,
			  r.out_len, pkt.hdr_len);
}

TEST(corpus_with_domain_rules_counts_once)
{
	static const char *const sfx[] = {
		".com", ".net", ".org", ".arpa", ".local", ".edu", ".jp", ".de",
		".uk", ".io", ".gov", ".int", ".info", ".example", ".test",
		".localdomain", ".lan", ".home",
	};
	const char *dir = getenv("AUTOSEL_CORPUS");
	static struct tenv t;
	struct corpus_run cr = { _ksft, &t };
	struct as_domains d;
	uint64_t c[AS_C_MAX], del = 0;
	long files;
	size_t i;

	SETUP(&t);
	if (!dir || !*dir)
		dir = AUTOSEL_CORPUS;
	/* ff, fd, df open forever; names only, no IP indicator */
	ASSERT_EQ(0, xenv_set_approval(&t.x, 0, AS_DIR_FF, 0, UINT64_MAX, 1, 1));
	ASSERT_EQ(0, xenv_set_approval(&t.x, 1, AS_DIR_FD, 0, UINT64_MAX, 2, 1));
	ASSERT_EQ(0, xenv_set_approval(&t.x, 2, AS_DIR_DF, 0, UINT64_MAX, 3, 1));
	as_domains_init(&d);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		ASSERT_EQ(0, as_domains_add(&d, sfx[i], 7));
	ASSERT_EQ(0, as_domains_write(&d, t.domains, t.bloom));
	as_domains_free(&d);
	files = names_pcap_each(dir, corpus_frame, &cr);
	if (files <= 0)
		SKIP(return, "no captures in %s", dir);
	ASSERT_EQ(0, xenv_counters(&t.x, c));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c[AS_C_DEL_REASON + i];
	ksft_print("corpus: %ld files, seen %llu, selected by names (and their flows) %llu, deleted %llu\n",
		   files, (unsigned long long)c[AS_C_SEEN],
		   (unsigned long long)c[AS_C_SELECTED], (unsigned long long)del);
	EXPECT_EQ((uint64_t)t.fed, c[AS_C_SEEN]);
	EXPECT_EQ(c[AS_C_SEEN], c[AS_C_SELECTED] + del);
	EXPECT_EQ(t.fed_bytes, c[AS_C_SEEN_BYTES]);
	EXPECT_LT(0, c[AS_C_SELECTED]);
}

/*
 * Real clients (names_clients.sh): dig (UDP and TCP), openssl s_client
 * -servername, curl -H Host, each for c2.example (a rule) and other.invalid
 * (none), between a domestic client and a foreign server, captured and fed
 * in order.  In a flow that carries the name: the packets before the name
 * are deleted (no_match: nothing names them yet), the packet with the name
 * and every later one, both ways, are selected up to the first FIN, which
 * ends the flow.  Flows without the name: all deleted.  Every record is the
 * headers only: no canary, no name.
 */
#ifndef AUTOSEL_NAMES_CLIENTS
#define AUTOSEL_NAMES_CLIENTS "selftests/host/names_clients.sh"
#endif

#define RC_MAX 1024

struct rc_frame {
	uint8_t *b;
	size_t len;
	struct as_flow_key k;
	int parsed, has_name, fin;
};

struct rc_set {
	struct rc_frame f[RC_MAX];
	int n;
};

static int has_name(const uint8_t *p, size_t len)
{
	static const char *const pat[] = { "c2.example", "\x02" "c2" "\x07" "example" };
	size_t i, j, k;

	for (k = 0; k < 2; k++) {
		size_t pl = strlen(pat[k]);

		for (i = 0; i + pl <= len; i++) {
			for (j = 0; j < pl; j++)
				if (as_name_lower(p[i + j]) != (uint8_t)pat[k][j])
					break;
			if (j == pl)
				return 1;
		}
	}
	return 0;
}

static void rc_collect(void *arg, const char *path, const uint8_t *data,
		       size_t len, uint64_t now)
{
	struct rc_set *set = arg;
	struct rc_frame *f;
	struct as_pkt pkt;
	int swap;

	(void)path;
	(void)now;
	if (set->n >= RC_MAX || len < 14)
		return;
	f = &set->f[set->n++];
	f->b = malloc(len);
	memcpy(f->b, data, len);
	f->len = len;
	memset(&pkt, 0, sizeof(pkt));
	f->parsed = as_parse(data, data + len, &pkt) == AS_PARSE_OK;
	memset(&f->k, 0, sizeof(f->k));
	if (!f->parsed)
		return;
	swap = memcmp(pkt.saddr, pkt.daddr, 16) > 0 ||
	       (!memcmp(pkt.saddr, pkt.daddr, 16) && pkt.sport > pkt.dport);
	memcpy(f->k.a, swap ? pkt.daddr : pkt.saddr, 16);
	memcpy(f->k.b, swap ? pkt.saddr : pkt.daddr, 16);
	f->k.pa = swap ? pkt.dport : pkt.sport;
	f->k.pb = swap ? pkt.sport : pkt.dport;
	f->k.proto = pkt.proto;
	f->has_name = pkt.hdr_len < len && has_name(data + pkt.hdr_len, len - pkt.hdr_len);
	f->fin = pkt.proto == 6 && (pkt.tcp_flags & 0x05);
}

/* Is addr one the responder gave for c2.example? */
static int rc_answered(const uint8_t *addr)
{
	uint8_t a4[16], a6[16];

	pkt_ip4(a4, 198, 51, 100, 8);
	pkt_ip6(a6, 0x2001, 0xdb8, 0x100, 8);
	return !memcmp(addr, a4, 16) || !memcmp(addr, a6, 16);
}

TEST(real_clients_dig_openssl_curl)
{
	const char *script = getenv("AUTOSEL_NAMES_CLIENTS");
	static struct rc_set set;
	static struct tenv t;
	static struct frame fr;
	char cmd[1024], pcap[] = "/tmp/autosel-names-XXXXXX";
	int i, j, fd, rc, sel = 0, named = 0, followed = 0;

	SETUP(&t);
	if (!script || !*script)
		script = AUTOSEL_NAMES_CLIENTS;
	if (access(script, X_OK))
		SKIP(return, "no %s", script);
	fd = mkstemp(pcap);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", script, pcap);
	rc = system(cmd);
	if (WEXITSTATUS(rc) == 4) {
		unlink(pcap);
		SKIP(return, "a client tool is missing (%s)", script);
	}
	ASSERT_EQ(0, WEXITSTATUS(rc));
	{
		/* names_pcap_each() reads directories: give it one */
		char dir[] = "/tmp/autosel-names-dXXXXXX", link[1200];

		ASSERT_NE(NULL, mkdtemp(dir));
		snprintf(link, sizeof(link), "%s/clients.pcap", dir);
		ASSERT_EQ(0, rename(pcap, link));
		ASSERT_EQ(1, names_pcap_each(dir, rc_collect, &set));
		unlink(link);
		rmdir(dir);
	}
	ksft_print("real clients: %d frames captured\n", set.n);
	for (i = 0; i < set.n; i++) {
		struct rc_frame *f = &set.f[i];
		int want = DEL(AS_DEL_NO_MATCH), seen_name = 0, ended = 0;

		if (!f->parsed)
			continue;
		/* where is this frame in its flow? */
		for (j = 0; j < i; j++) {
			struct rc_frame *g = &set.f[j];

			if (!g->parsed || memcmp(&g->k, &f->k, sizeof(f->k)))
				continue;
			if (g->has_name)
				seen_name = 1;
			if (seen_name && g->fin)
				ended = 1;	/* the FIN was selected, and ended it */
		}
		if (f->has_name) {
			named++;
			want = SEL(0);
		} else if (seen_name && !ended) {
			want = SEL(0);
		}
		if (ended && !f->has_name)
			want = DEL(AS_DEL_NO_MATCH);
		/*
		 * resolve-and-follow: the answers came first.  To the address
		 * (df) selected; from it (fd) too while its flow lasts, but
		 * once a FIN or RST ended the flow, the slot's type decides.
		 */
		if (rc_answered(f->k.a) || rc_answered(f->k.b)) {
			int open = 0, k;

			/* replay the flow's state: a df packet opens it */
			for (k = 0; k <= i; k++) {
				struct rc_frame *g = &set.f[k];
				struct as_pkt p;
				int sel;

				if (!g->parsed || memcmp(&g->k, &f->k, sizeof(f->k)))
					continue;
				memset(&p, 0, sizeof(p));
				as_parse(g->b, g->b + g->len, &p);
				sel = open || !rc_answered(p.saddr);
				open = sel && !g->fin;
				want = sel ? SEL(0) : DEL(AS_DEL_DIRECTION);
			}
			followed++;
		}
		memcpy(fr.b, f->b, f->len < sizeof(fr.b) ? f->len : sizeof(fr.b));
		fr.len = f->len < sizeof(fr.b) ? f->len : sizeof(fr.b);
		{
			struct as_pkt pkt;

			memset(&pkt, 0, sizeof(pkt));
			as_parse(fr.b, fr.b + fr.len, &pkt);
			fr.hdr_len = pkt.hdr_len;
		}
		/* the clients' servers: DNS on 53, TLS on 443, HTTP on 80 */
		/* ... and flows to an answered address: opened by DNS */
		fr.kind = f->k.pa == 53 || f->k.pb == 53 ? AS_KIND_DNS :
			  rc_answered(f->k.a) || rc_answered(f->k.b) ? AS_KIND_DNS :
			  f->k.pa == 443 || f->k.pb == 443 ? AS_KIND_SNI :
			  f->k.pa == 80 || f->k.pb == 80 ? AS_KIND_HTTP : -1;
		snprintf(fr.what, sizeof(fr.what), "captured frame %d (:%u-:%u)",
			 i + 1, f->k.pa, f->k.pb);
		if (run(_ksft, &t, &fr, want, "c2.example") && want == SEL(0))
			sel++;
	}
	for (i = 0; i < set.n; i++)
		free(set.f[i].b);
	ksft_print("real clients: %d frames carry the name, %d selected\n",
		   named, sel);
	ksft_print("real clients: %d frames to the answered addresses\n",
		   followed);
	/* per family: dig UDP and TCP (query, response), TLS, HTTP */
	EXPECT_LE(12, named);
	/* per family at least a handshake and a ClientHello without SNI */
	EXPECT_LE(8, followed);
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

#ifndef AUTOSEL_NAMES_SPLIT_CLIENTS
#define AUTOSEL_NAMES_SPLIT_CLIENTS "selftests/host/names_split_clients.sh"
#endif

/*
 * A real client's ClientHello over several segments: openssl s_client
 * with ~700 bytes of ALPN, its segments made small by the server's MSS
 * (names_split_clients.sh), the server_name ending in the 2nd or the 3rd
 * segment.  Expected from the capture alone: the segments before the one
 * in which "c2.example" ends are deleted, that one and the rest of the
 * flow selected (sni) until a FIN or RST; other.invalid never.
 */
TEST(real_client_split_hello)
{
	const char *script = getenv("AUTOSEL_NAMES_SPLIT_CLIENTS");
	static struct rc_set set;
	static struct tenv t;
	static struct frame fr;
	static uint8_t stream[AS_HELLO_MAX];
	static int decide[RC_MAX], ended[RC_MAX];
	char cmd[1024], pcap[] = "/tmp/autosel-split-XXXXXX";
	int i, j, fd, rc, flows = 0, named = 0, deep = 0, bad = 0;
	uint64_t split0;

	xenv_readable_maps = hello_readable;
	SETUP(&t);
	xenv_readable_maps = NULL;
	if (!script || !*script)
		script = AUTOSEL_NAMES_SPLIT_CLIENTS;
	if (access(script, X_OK))
		SKIP(return, "no %s", script);
	fd = mkstemp(pcap);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", script, pcap);
	rc = system(cmd);
	if (WEXITSTATUS(rc) == 4) {
		unlink(pcap);
		SKIP(return, "a client tool is missing (%s)", script);
	}
	ASSERT_EQ(0, WEXITSTATUS(rc));
	{
		char dir[] = "/tmp/autosel-split-dXXXXXX", link[1200];

		ASSERT_NE(NULL, mkdtemp(dir));
		snprintf(link, sizeof(link), "%s/split.pcap", dir);
		ASSERT_EQ(0, rename(pcap, link));
		ASSERT_EQ(1, names_pcap_each(dir, rc_collect, &set));
		unlink(link);
		rmdir(dir);
	}
	split0 = names_event(&t, AS_NE_HELLO_SPLIT);
	/* per flow (its first frame): the frame in which the name ends */
	for (i = 0; i < set.n; i++) {
		struct rc_frame *f = &set.f[i];
		uint32_t base = 0, seq;
		size_t hi = 0, k;
		int first = -1, nseg = 0, seg = 0;

		decide[i] = -1;
		if (!f->parsed)
			continue;
		for (j = 0; j < i; j++)
			if (set.f[j].parsed && !memcmp(&set.f[j].k, &f->k, sizeof(f->k)))
				break;
		if (j < i)
			continue;		/* not the flow's first frame */
		flows++;
		memset(stream, 0, sizeof(stream));
		for (j = i; j < set.n; j++) {
			struct rc_frame *g = &set.f[j];
			struct as_pkt p;
			size_t plen, o;

			if (!g->parsed || memcmp(&g->k, &f->k, sizeof(f->k)))
				continue;
			memset(&p, 0, sizeof(p));
			as_parse(g->b, g->b + g->len, &p);
			plen = g->len - p.hdr_len;
			if (p.dport != 443 || !plen)
				continue;
			seq = (uint32_t)g->b[p.l4_off + 4] << 24 |
			      (uint32_t)g->b[p.l4_off + 5] << 16 |
			      (uint32_t)g->b[p.l4_off + 6] << 8 | g->b[p.l4_off + 7];
			if (first < 0) {
				first = j;
				base = seq;
			}
			o = seq - base;
			nseg++;
			if (o + plen > sizeof(stream))
				continue;
			memcpy(stream + o, g->b + p.hdr_len, plen);
			if (o + plen > hi)
				hi = o + plen;
			/* the first segment in which the whole name is held */
			for (k = 0; decide[i] < 0 && k + 10 <= hi; k++) {
				if (!memcmp(stream + k, "c2.example", 10)) {
					decide[i] = j;
					seg = nseg;
				}
			}
		}
		if (decide[i] >= 0) {
			named++;
			ksft_print("real split client: flow :%u-:%u, the name ends in segment %d\n",
				   f->k.pa, f->k.pb, seg);
			if (seg < 2 || seg > AS_HELLO_SEGS)
				bad = 1;
			if (seg >= 3)
				deep++;
		}
	}
	EXPECT_EQ(6, flows);
	EXPECT_EQ(4, named);
	EXPECT_LE(2, deep);
	EXPECT_EQ(0, bad);
	for (i = 0; i < set.n; i++) {
		struct rc_frame *f = &set.f[i];
		int want = DEL(AS_DEL_NO_MATCH), first = i;

		ended[i] = 0;
		if (!f->parsed)
			continue;
		for (j = 0; j < i; j++)
			if (set.f[j].parsed && !memcmp(&set.f[j].k, &f->k, sizeof(f->k))) {
				first = j;
				break;
			}
		if (decide[first] >= 0 && i >= decide[first] && !ended[first]) {
			want = SEL(0);
			if (f->fin)
				ended[first] = 1;
		}
		memcpy(fr.b, f->b, f->len < sizeof(fr.b) ? f->len : sizeof(fr.b));
		fr.len = f->len < sizeof(fr.b) ? f->len : sizeof(fr.b);
		{
			struct as_pkt pkt;

			memset(&pkt, 0, sizeof(pkt));
			as_parse(fr.b, fr.b + fr.len, &pkt);
			fr.hdr_len = pkt.hdr_len;
		}
		fr.kind = AS_KIND_SNI;
		snprintf(fr.what, sizeof(fr.what), "captured frame %d (:%u-:%u)",
			 i + 1, f->k.pa, f->k.pb);
		run(_ksft, &t, &fr, want, "c2.example");
	}
	for (i = 0; i < set.n; i++)
		free(set.f[i].b);
	/* every ClientHello, named or not, decided over its segments */
	EXPECT_EQ(split0 + 6, names_event(&t, AS_NE_HELLO_SPLIT));
	EXPECT_EQ(0, names_event(&t, AS_NE_HELLO_INCOMPLETE));
	EXPECT_LIVE(&t, 0);
	EXPECT_TRUE(scratch_clean(&t));
	check_totals(_ksft, &t);
	xenv_close(&t.x);
}

/*
 * test_names --load OBJ: load an object (verifier only), e.g. the kfunc one,
 * and print the verifier's statistics of each program (log level 4), so a
 * change's verification cost can be read on the guest's kernel too.
 */
static int load_only(const char *path)
{
	static char log[4096];
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	char *l, *nl;
	int err;

	if (!obj) {
		printf("open %s: %s\n", path, strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_log_level(p, 4);
		bpf_program__set_log_buf(p, log, sizeof(log));
	}
	err = bpf_object__load(obj);
	printf("load %s: %s\n", path, err ? strerror(-err) : "ok");
	/* one buffer: the statistics of the last program loaded */
	for (l = log; *l; l = *nl ? nl + 1 : nl) {
		nl = strchrnul(l, '\n');
		if (!strncmp(l, "processed", 9) ||
		    !strncmp(l, "verification time", 17) ||
		    !strncmp(l, "stack depth", 11))
			printf("verifier: %.*s\n", (int)(nl - l), l);
	}
	/* refused: the statistics level has the verifier's reason too */
	if (err)
		printf("verifier log:\n%s\n", log);
	bpf_object__close(obj);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *obj = getenv("AUTOSEL_NAMES_OBJ");

	if (argc == 3 && !strcmp(argv[1], "--load"))
		return load_only(argv[2]);

	/* xenv_open() loads $AUTOSEL_BPF_OBJ: here, the object with names. */
	setenv("AUTOSEL_BPF_OBJ", obj && *obj ? obj : AUTOSEL_NAMES_OBJ, 1);
	return ksft_run();
}
