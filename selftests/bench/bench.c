// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the per-packet cost of autosel's XDP program beside its floors,
 * measured in the same run (Documentation/performance.rst).
 *
 *   bench AUTOSEL_RAND_OBJ DROP_OBJ [JSON_OUT [XDPFILT_DIR]]
 *
 * AUTOSEL_RAND_OBJ is xdp/autosel.bpf.c built with -DAS_BENCH_RAND (the
 * production program with the address-varying step of rand.h in front;
 * the step does nothing unless bench_mode says so).  DROP_OBJ holds the
 * floors: bare_drop, parse_drop, rand_drop, rand_peer and lpm_ref
 * (drop.bpf.c).  XDPFILT_DIR holds xdp-tools' xdp-filter objects, the peer
 * measured after libpcap (bench_xdpfilter.c).
 *
 * Every figure is the kernel-reported duration of BPF_PROG_TEST_RUN (mean
 * ns per repeat over REPEAT repeats), the median of ROUNDS such runs.
 * Each is printed with the baseline it is compared with: bare_drop for a
 * repeated address, rand_drop (the same varying step around a bare drop)
 * for random addresses; "+ns" is the difference, "x" the ratio.
 *
 * At each indicator count the bench opens a fresh object, sizes and fills
 * its maps the way the loader does (include/autosel/flat.h): a domestic
 * map of 10k IPv4 + 2k IPv6 prefixes, N IPv4 + N IPv6 indicator prefixes
 * of mixed lengths spread over the address space.  One in 16 indicators
 * belongs to an active ff approval (slot 0), the rest to an expired one
 * (slot 1), so random traffic that hits an indicator runs the whole match
 * and is still deleted (expired); the selected cases use slot 0.
 *
 * BENCH_QUICK=1: fewer repeats and rounds, counts 1 and 1k, libpcap up to
 * 100 hosts -- a smoke run.
 *
 * BENCH_N=1000000 (or a list, BENCH_N=1,1000000): those counts only, no
 * peers (reference, libpcap, xdp-filter).
 *
 * BENCH_ROUNDS=R (at most 15), BENCH_REPEAT=N: R runs of N repeats per
 * figure instead of 5 of 10^6 (the median of more runs is steadier here).
 *
 * BENCH_ROWS="part|part": only the autosel rows whose name contains a part
 * (and not the last count's other frames), e.g. BENCH_ROWS="new flows".
 *
 * A/B mode, BENCH_AB=OBJ (make bench BENCH_AB=... or BENCH_AB_REV=...):
 * OBJ is A, AUTOSEL_RAND_OBJ is B.  At each count both are opened, sized
 * and filled alike (the same prefixes, domains, address tables), and
 * every autosel row times A and B in one process, round by round in
 * turn, and prints A, B, B - A and B / A (no peers).  The bench's own
 * builder (range4.h, range6.h, abi.h; legacy4.h and legacy6.h for objects
 * from before the range tables) writes the rule maps of both, so an object
 * whose maps it does not know is refused (layout_check()).  A list,
 * BENCH_AB=A1,A2,... (up to 7: ablations), times every A and B in turn
 * and prints B's ns and, per A, its ns and B - A.
 *
 * BPF_PROG_TEST_RUN does not restore the frame between repeats: a
 * selected frame is truncated by the first repeat, and its flow is in the
 * flow table from then on (for a repeated address: the known-flow path).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

#include "autosel/abi.h"
#include "autosel/flat.h"
#include "legacy4.h"
#include "legacy6.h"
#include "domains.h"		/* user/: the loader's domain table writer */
#include "names_pkt.h"		/* selftests/host: DNS and TLS payloads */
#include "bench.h"

/* rand.h's map values (user-space copies). */
struct bench_mode {
	__u32 mode;
	__u32 naddrs;
	__u32 l3_off;
};

#define BENCH_ADDRS	65536

#ifndef XDPFILT_DIR
#define XDPFILT_DIR	"/usr/lib/x86_64-linux-gnu/bpf"
#endif

static int rounds = 5;
static __u32 repeat = 1000000;
static int quick;
static int only_n;
static int ab;			/* A/B mode: two objects (or more, below) */
static double ab_b = -1;	/* B's figure for the next row(), A/B mode */
/*
 * More than one A (BENCH_AB=A1,A2,...): every object's figure for the
 * next row(), B last; ab_nx objects (0: the two-object format).
 */
#define MAX_SUBJ	8
static double ab_x[MAX_SUBJ];
static int ab_nx;
static const char *rows_only;	/* BENCH_ROWS: the rows to run, or all */

/*
 * BENCH_ROWS="part|part...": run only the rows whose name contains one
 * of the parts (for ablations: fewer rows, less time); unset: all.
 */
static int want(const char *name)
{
	const char *p = rows_only;

	if (!p || !*p)
		return 1;
	while (*p) {
		size_t n = strcspn(p, "|");

		if (n && memmem(name, strlen(name), p, n))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}
static FILE *json;
static int json_first = 1;

/* ---------------------------------------------------------------- output */

struct row {
	char name[80];
	char base[24];
	double ns, base_ns;
};

#define MAX_ROWS 256
static struct row rows[MAX_ROWS];
static int nrows;

void row(const char *base, double base_ns, double ns,
		const char *fmt, ...)
{
	struct row *r;
	va_list ap;

	if (nrows >= MAX_ROWS)
		return;
	r = &rows[nrows++];
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
	snprintf(r->base, sizeof(r->base), "%s", base);
	r->ns = ns;
	r->base_ns = base_ns;
	if (ab_nx) {
		double b = ab_x[ab_nx - 1];

		printf("%-58s %7.0f", r->name, b);
		for (int k = 0; k + 1 < ab_nx; k++)
			printf(" %7.0f %+6.0f", ab_x[k], b - ab_x[k]);
		printf("\n");
		fflush(stdout);
		if (json) {
			fprintf(json, "%s\n  {\"name\": \"%s\", \"b_ns\": %.1f, "
				"\"a_ns\": [", json_first ? "" : ",", r->name, b);
			for (int k = 0; k + 1 < ab_nx; k++)
				fprintf(json, "%s%.1f", k ? ", " : "", ab_x[k]);
			fprintf(json, "], \"baseline\": \"%s\", "
				"\"baseline_ns\": %.1f}", base, base_ns);
			json_first = 0;
		}
		ab_nx = 0;
		ab_b = -1;
		return;
	}
	if (ab_b >= 0) {
		double b = ab_b;

		ab_b = -1;
		printf("%-58s %9.0f %9.0f %+8.0f %7.3f\n", r->name, ns, b,
		       b - ns, ns > 0 ? b / ns : 0.0);
		fflush(stdout);
		if (json) {
			fprintf(json, "%s\n  {\"name\": \"%s\", \"a_ns\": %.1f, "
				"\"b_ns\": %.1f, \"b_minus_a\": %.1f, "
				"\"b_over_a\": %.4f, \"baseline\": \"%s\", "
				"\"baseline_ns\": %.1f}",
				json_first ? "" : ",", r->name, ns, b, b - ns,
				ns > 0 ? b / ns : 0.0, base, base_ns);
			json_first = 0;
		}
		return;
	}
	if (base_ns > 0)
		printf("%-58s %9.0f  %-10s %7.0f %7.2f %+8.0f\n", r->name, ns,
		       base, base_ns, ns / base_ns, ns - base_ns);
	else
		printf("%-58s %9.0f\n", r->name, ns);
	fflush(stdout);
	if (json) {
		fprintf(json, "%s\n  {\"name\": \"%s\", \"ns\": %.1f, "
			"\"baseline\": \"%s\", \"baseline_ns\": %.1f, "
			"\"ratio\": %.3f, \"extra_ns\": %.1f}",
			json_first ? "" : ",", r->name, ns, base, base_ns,
			base_ns > 0 ? ns / base_ns : 0.0, ns - base_ns);
		json_first = 0;
	}
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Memory and install figures go to the table and the JSON as rows too. */
void figure(const char *unit, double v, const char *fmt, ...)
{
	char name[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	printf("%-58s %9.1f  %s\n", name, v, unit);
	fflush(stdout);
	if (json) {
		fprintf(json, "%s\n  {\"name\": \"%s\", \"value\": %.1f, "
			"\"unit\": \"%s\"}", json_first ? "" : ",", name, v,
			unit);
		json_first = 0;
	}
}

/* --------------------------------------------------------------- timing */

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static unsigned char outbuf[16384];

/*
 * n programs on the same frame, in turn within each round (the order
 * reversed every other round): ns[k] the median over rounds of program
 * k's mean ns per repeat, retval[k] its last verdict.  -1 on failure.
 */
static int time_progs(const int *fd, int n, const void *pkt, size_t len,
		      __u32 *retval, double *ns)
{
	__u32 d[MAX_SUBJ][16];
	int i, j;

	for (i = 0; i < rounds; i++) {
		for (j = 0; j < n; j++) {
			int k = i % 2 ? n - 1 - j : j;
			LIBBPF_OPTS(bpf_test_run_opts, o,
				    .data_in = pkt, .data_size_in = (__u32)len,
				    .data_out = outbuf,
				    .data_size_out = sizeof(outbuf),
				    .repeat = repeat);

			if (bpf_prog_test_run_opts(fd[k], &o)) {
				fprintf(stderr, "bench: test run: %s\n",
					strerror(errno));
				return -1;
			}
			d[k][i] = o.duration;
			if (retval)
				retval[k] = o.retval;
		}
	}
	for (j = 0; j < n; j++) {
		qsort(d[j], (size_t)rounds, sizeof(d[j][0]), cmp_u32);
		ns[j] = d[j][rounds / 2];
	}
	return 0;
}

/* Median over rounds of the kernel's mean ns per repeat; -1 on failure. */
double time_prog(int fd, const void *pkt, size_t len, __u32 *retval)
{
	double ns;

	return time_progs(&fd, 1, pkt, len, retval, &ns) ? -1 : ns;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Slab + Vmalloc + Percpu from /proc/meminfo, in kB. */
static long kmem_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v, sum = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %ld", &v) == 1 ||
		    sscanf(line, "Percpu: %ld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

/*
 * Let freed objects go (RCU, the deferred map frees) before reading
 * meminfo: wait until two readings 200 ms apart agree within 1 MB (5 s at
 * most).
 */
static long kmem_settled(void)
{
	long a = kmem_kb(), b;

	for (int i = 0; i < 25; i++) {
		usleep(200000);
		b = kmem_kb();
		if (labs(b - a) < 1024)
			return b;
		a = b;
	}
	return a;
}

/* -------------------------------------------------------------- packets */

#define SRC4	"198.51.100.7"
#define DST4	"192.0.2.1"
#define SEL4	"203.0.113.7"
#define SRC6	"2001:db8:ffff::7"
#define DST6	"2001:db8:fffe::1"
#define SEL6	"2001:db8:1::7"

/* Ethernet (+ tags) / IPv4 or IPv6 / TCP SYN, len bytes in all. */
static size_t make_pkt(unsigned char *p, size_t len, int family, int tags,
		       const char *src, const char *dst)
{
	size_t off = 12, l3;
	int i;

	memset(p, 0, len);
	memset(p, 0x02, 6);
	memset(p + 6, 0x04, 6);
	for (i = 0; i < tags; i++) {
		p[off] = i == 0 && tags == 2 ? 0x88 : 0x81;
		p[off + 1] = i == 0 && tags == 2 ? 0xa8 : 0x00;
		p[off + 3] = (unsigned char)(10 + i);
		off += 4;
	}
	if (family == 4) {
		p[off] = 0x08;
		l3 = off + 2;
		p[l3] = 0x45;
		p[l3 + 2] = (unsigned char)((len - l3) >> 8);
		p[l3 + 3] = (unsigned char)(len - l3);
		p[l3 + 8] = 64;
		p[l3 + 9] = 6;
		inet_pton(AF_INET, src, p + l3 + 12);
		inet_pton(AF_INET, dst, p + l3 + 16);
		l3 += 20;
	} else {
		p[off] = 0x86;
		p[off + 1] = 0xdd;
		l3 = off + 2;
		p[l3] = 0x60;
		p[l3 + 4] = (unsigned char)((len - l3 - 40) >> 8);
		p[l3 + 5] = (unsigned char)(len - l3 - 40);
		p[l3 + 6] = 6;
		p[l3 + 7] = 64;
		inet_pton(AF_INET6, src, p + l3 + 8);
		inet_pton(AF_INET6, dst, p + l3 + 24);
		l3 += 40;
	}
	p[l3] = 0x30;
	p[l3 + 1] = 0x39;
	p[l3 + 3] = 0x50;
	p[l3 + 12] = 0x50;
	p[l3 + 13] = 0x02;
	return len;
}

/*
 * The Ethernet frame in[0..inlen) as a mirror port sees it: in outer
 * Ethernet + IPv4 (carrier addresses) + GRE with a sequence number + an
 * ERSPAN type II header, or + UDP + VXLAN.  Both put the inner IPv4 header
 * at TUN_L3_OFF.
 */
#define TUN_L3_OFF	(14 + 20 + 16 + 14)

static size_t make_tunnel(unsigned char *p, const unsigned char *in,
			  size_t inlen, int vxlan)
{
	size_t len = 14 + 20 + 16 + inlen;
	unsigned char *t = p + 34;

	memset(p, 0, 50);
	memset(p, 0x02, 6);
	memset(p + 6, 0x06, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[16] = (unsigned char)((len - 14) >> 8);
	p[17] = (unsigned char)(len - 14);
	p[22] = 64;
	p[23] = vxlan ? 17 : 47;
	inet_pton(AF_INET, "10.255.0.1", p + 26);
	inet_pton(AF_INET, "10.255.0.2", p + 30);
	if (vxlan) {
		t[0] = 0xc0;			/* source port 49152 */
		t[2] = 0x12;			/* destination port 4789 */
		t[3] = 0xb5;
		t[4] = (unsigned char)((len - 34) >> 8);
		t[5] = (unsigned char)(len - 34);
		t[8] = 0x08;			/* I: VNI present */
		t[14] = 100;			/* VNI 100 */
	} else {
		t[0] = 0x10;			/* S: sequence number */
		t[2] = 0x88;			/* ERSPAN I/II */
		t[3] = 0xbe;
		t[7] = 1;			/* sequence 1 */
		t[8] = 0x10;			/* ERSPAN version 1 (type II) */
		t[9] = 10;			/* VLAN 10 */
		t[11] = 7;			/* session 7 */
	}
	memcpy(p + 50, in, inlen);
	return len;
}

/* ------------------------------------------------------- rule generation */

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (__u32)(rng >> 16);
}

/* Not inside the ranges the fixed test addresses use. */
static int reserved4(__u32 a)
{
	__u32 o = a >> 24;

	return o == 192 || o == 198 || o == 203;
}

static void gen4(struct bp *p, int len)
{
	__u32 a;

	do
		a = rnd() % 0xdf000000U + 0x01000000U;
	while (reserved4(a));
	a &= len ? 0xffffffffU << (32 - len) : 0;
	a = htonl(a);
	p->family = 4;
	p->len = (__u8)len;
	memset(p->addr, 0, 16);
	memcpy(p->addr, &a, 4);
}

static void gen6(struct bp *p, int len)
{
	__u32 w[4];
	int i;

	do
		w[0] = 0x20000000U | (rnd() >> 3);
	while (w[0] == 0x20010db8U);
	for (i = 1; i < 4; i++)
		w[i] = rnd();
	for (i = 0; i < 4; i++) {
		int b = len - 32 * i;

		w[i] = b <= 0 ? 0 : b >= 32 ? w[i] : w[i] & (0xffffffffU << (32 - b));
		w[i] = htonl(w[i]);
	}
	p->family = 6;
	p->len = (__u8)len;
	memcpy(p->addr, w, 16);
}

/* Indicators: IPv4 70% /32, 20% /24, 8% /28, 2% /20; IPv6 /32../128. */
static int ind_len(int family)
{
	__u32 r = rnd() % 100;

	if (family == 4)
		return r < 70 ? 32 : r < 90 ? 24 : r < 98 ? 28 : 20;
	return r < 10 ? 32 : r < 50 ? 48 : r < 80 ? 64 : 128;
}

/* Domestic: IPv4 /14 /16 /19 /22 (~8% of the space), IPv6 /29 /32 /48. */
static int dom_len(int family)
{
	__u32 r = rnd() % 100;

	if (family == 4)
		return r < 5 ? 14 : r < 25 ? 16 : r < 50 ? 19 : 22;
	return r < 20 ? 29 : r < 80 ? 32 : 48;
}

#define DOM4	10000
#define DOM6	2000

static struct bp *dom;
static size_t ndom;

static void gen_domestic(void)
{
	size_t i;

	dom = calloc(DOM4 + DOM6, sizeof(*dom));
	if (!dom)
		exit(1);
	for (i = 0; i < DOM4; i++)
		gen4(&dom[ndom++], dom_len(4));
	for (i = 0; i < DOM6; i++)
		gen6(&dom[ndom++], dom_len(6));
}

/* n IPv4 + n IPv6 indicators: the fixed selected prefixes and n - 1 more. */
struct bp *gen_ind(size_t n, size_t *count)
{
	struct bp *v = calloc(2 * n, sizeof(*v));
	size_t i, k = 0;

	if (!v)
		exit(1);
	v[k].family = 4;
	v[k].len = 24;
	inet_pton(AF_INET, "203.0.113.0", v[k].addr);
	v[k++].mask = 1;
	v[k].family = 6;
	v[k].len = 48;
	inet_pton(AF_INET6, "2001:db8:1::", v[k].addr);
	v[k++].mask = 1;
	for (i = 1; i < n; i++) {
		gen4(&v[k], ind_len(4));
		v[k++].mask = i % 16 == 0 ? 1 : 2;
		gen6(&v[k], ind_len(6));
		v[k++].mask = i % 16 == 0 ? 1 : 2;
	}
	*count = k;
	return v;
}

/* ---------------------------------------------------------------- maps */

static int mfd(struct bpf_object *o, const char *name)
{
	return bpf_object__find_map_fd_by_name(o, name);
}

#define BATCH 4096

struct batch {
	int fd;
	size_t ksz, n;
	unsigned char keys[BATCH * sizeof(struct as_pfx6_key)];
	__u64 vals[BATCH];
};

static int flush(struct batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	__u32 count = (__u32)b->n;

	if (b->n && bpf_map_update_batch(b->fd, b->keys, b->vals, &count, &o))
		return -errno;
	b->n = 0;
	return 0;
}

static int push(struct batch *b, const void *k, __u64 v)
{
	memcpy(b->keys + b->n * b->ksz, k, b->ksz);
	b->vals[b->n++] = v;
	return b->n == BATCH ? flush(b) : 0;
}

/* Does object o hold IPv4 in a range table (else the legacy4.h layout)? */
static int has_range4(struct bpf_object *o)
{
	return bpf_object__find_map_by_name(o, "rdir4") != NULL;
}

/* Does object o hold IPv6 in a range table (else the legacy6.h layout)? */
static int has_range6(struct bpf_object *o)
{
	return bpf_object__find_map_by_name(o, "rdir6") != NULL;
}

/* The range tables of the rule set: built once per count, for every object. */
static struct as_r4 r4;
static struct as_r6 r6;

static int build_range6(const struct bp *ind, size_t nind)
{
	as_r6_free(&r6);
	for (size_t j = 0; j < ndom; j++)
		if (dom[j].family == 6 &&
		    as_r6_add(&r6, AS_PSET_DOM, dom[j].addr, dom[j].len, 1))
			return -ENOMEM;
	for (size_t j = 0; j < nind; j++)
		if (ind[j].family == 6 &&
		    as_r6_add(&r6, AS_PSET_IND, ind[j].addr, ind[j].len,
			      ind[j].mask))
			return -ENOMEM;
	return as_r6_build(&r6) ? -ENOMEM : 0;
}

static int build_range4(const struct bp *ind, size_t nind)
{
	as_r4_free(&r4);
	for (size_t j = 0; j < ndom; j++)
		if (dom[j].family == 4 &&
		    as_r4_add(&r4, AS_PSET_DOM, dom[j].addr, dom[j].len, 1))
			return -ENOMEM;
	for (size_t j = 0; j < nind; j++)
		if (ind[j].family == 4 &&
		    as_r4_add(&r4, AS_PSET_IND, ind[j].addr, ind[j].len,
			      ind[j].mask))
			return -ENOMEM;
	return as_r4_build(&r4) ? -ENOMEM : 0;
}

static int add(struct as_flat *f, struct l4_maps *m4, struct batch *b4,
	       struct batch *b6, unsigned int set, const struct bp *p, __u64 v)
{
	struct l4_pfx4_key k4;
	struct as_pfx6_key k6;

	if (p->family == 4)
		return m4 && l4_add(m4, &f->lens[AS_LENS_IDX(4, set)], set,
				    p->addr, p->len, v, &k4) ?
		       push(b4, &k4, v) : 0;
	if (!b6)
		return 0;
	as_flat_add6(f, set, p->addr, p->len, v, &k6);
	return push(b6, &k6, v);
}

static int write_range6(struct bpf_object *o)
{
	static const char *const names[6] = AS_R6_MAP_NAMES;
	size_t max[6];
	int fd[6];

	for (int i = 0; i < 6; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(o, names[i]);

		if (!m)
			return -ENOENT;
		fd[i] = bpf_map__fd(m);
		max[i] = bpf_map__max_entries(m);
	}
	return as_r6_write(&r6, fd, max) ? -errno : 0;
}

/*
 * The loader's steps (user/bpfobj.c): the range tables (built by
 * load_filled()) through mmap; for an object of the legacy layouts
 * (legacy4.h, legacy6.h) their arrays through mmap and hashes in batches.
 */
static int fill_rules(struct bpf_object *o, const struct bp *ind, size_t nind)
{
	static struct batch b4, b6;
	struct l4_maps m4 = { 0 }, *pm4 = NULL;
	struct batch *pb6 = NULL;
	struct as_flat f = { 0 };
	__u32 i;
	int err = 0;

	b4.fd = mfd(o, "pfx4");
	b6.fd = mfd(o, "pfx6");
	b4.ksz = sizeof(struct l4_pfx4_key);
	b6.ksz = sizeof(struct as_pfx6_key);
	b4.n = b6.n = 0;
	if (has_range4(o)) {
		struct bpf_map *rng = bpf_object__find_map_by_name(o, "rng4");
		struct bpf_map *val = bpf_object__find_map_by_name(o, "val4");

		if (as_r4_write(&r4, mfd(o, "guard4"), mfd(o, "rdir4"),
				bpf_map__fd(rng),
				bpf_map__fd(val), bpf_map__max_entries(rng),
				bpf_map__max_entries(val)))
			return -errno;
	} else {
		if (l4_mmap(&m4, mfd(o, "dir4"), mfd(o, "guard4"),
			    mfd(o, "bloom4")))
			return -errno;
		pm4 = &m4;
	}
	if (has_range6(o)) {
		err = write_range6(o);
		if (err || !pm4) {
			l4_unmap(&m4);
			return err;
		}
	} else {
		if (as_flat_mmap(&f, mfd(o, "guard6"), mfd(o, "guard48"),
				 mfd(o, "bloom6"))) {
			err = -errno;
			l4_unmap(&m4);
			return err;
		}
		pb6 = &b6;
	}
	for (size_t j = 0; j < ndom && !err; j++)
		err = add(&f, pm4, &b4, pb6, AS_PSET_DOM, &dom[j], 1);
	for (size_t j = 0; j < nind && !err; j++)
		err = add(&f, pm4, &b4, pb6, AS_PSET_IND, &ind[j], ind[j].mask);
	if (!err && pm4)
		err = flush(&b4);
	if (!err && pb6)
		err = flush(&b6);
	for (i = 0; i < 4 && !err && mfd(o, "lens") >= 0; i++)
		if (bpf_map_update_elem(mfd(o, "lens"), &i, &f.lens[i], BPF_ANY))
			err = -errno;
	as_flat_unmap(&f);
	l4_unmap(&m4);
	return err;
}

/*
 * A frame of the shared test builder (selftests/host/pkt.h) from SRC4 to
 * DST4 with payload p after the transport header: what xdp/names.h reads.
 */
static size_t name_frame(unsigned char *b, int proto, __u16 dport,
			 const void *p, size_t plen)
{
	struct pkt_spec s = { .ipver = 4, .l4 = (uint8_t)proto,
			      .payload = (int)plen };
	struct pkt_addr a = { .sport = 40000, .dport = dport,
			      .tcp_flags = PKT_TCP_ACK | 0x08 };
	struct pkt_info info;
	size_t len;

	inet_pton(AF_INET, SRC4, a.src);
	inet_pton(AF_INET, DST4, a.dst);
	len = pkt_build(&s, &a, b, &info);
	memcpy(b + info.hdr_len, p, plen);
	return len;
}

enum { NF_DNS, NF_TLS, NF_HTTP, NF_DNS_HIT, NF_UDP, NF_QUIC_SHORT,
       NF_QUIC_INIT, NF_MAX };

struct name_frames {
	unsigned char b[NF_MAX][PKT_MAX];	/* pkt_build() writes PKT_MAX */
	size_t len[NF_MAX];
};

#define MISS_NAME	"www.some-site.example.org"
#define QUIC_LEN	1250	/* the UDP payload of the non-Initial rows */

/*
 * UDP rows of the QUIC gate (xdp/quic.h), all 1250-byte payloads to port
 * 443 that no indicator matches: a datagram that is not QUIC (first byte
 * 0x55), a QUIC short-header (1-RTT) packet, and RFC 9001 A.2's client
 * Initial (SNI example.com, not in the table: decrypted, no match).  The
 * RFC packet is read from selftests/host/rfc9001_a2.hex; without it the
 * Initial row is left out.
 */
static void quic_frames(struct name_frames *nf)
{
	static unsigned char p[1500];
	FILE *f = fopen(AS_RFC9001_HEX, "r");
	size_t n = 0;
	int c, hi = -1;

	memset(p, 0x55, QUIC_LEN);
	nf->len[NF_UDP] = name_frame(nf->b[NF_UDP], 17, 443, p, QUIC_LEN);
	p[0] = 0x43;		/* short header, fixed bit, 4-byte number */
	nf->len[NF_QUIC_SHORT] = name_frame(nf->b[NF_QUIC_SHORT], 17, 443, p,
					    QUIC_LEN);
	nf->len[NF_QUIC_INIT] = 0;
	if (!f)
		return;
	while ((c = fgetc(f)) != EOF && n < sizeof(p)) {
		int v = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			p[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	if (n == 1200)
		nf->len[NF_QUIC_INIT] = name_frame(nf->b[NF_QUIC_INIT], 17, 443,
						   p, n);
}
#define HIT_NAME	"h2.bulk2.example"	/* in the table from N = 3 on */

static void make_name_frames(struct name_frames *nf)
{
	static const struct tls_opt op = { .grease_before = 3, .sid_len = 32 };
	unsigned char w[300], m[500];
	size_t n, e;

	n = dns_msg(m, w, dns_wire(w, MISS_NAME), 0);
	nf->len[NF_DNS] = name_frame(nf->b[NF_DNS], 17, 53, m, n);
	n = dns_msg(m, w, dns_wire(w, HIT_NAME), 0);
	nf->len[NF_DNS_HIT] = name_frame(nf->b[NF_DNS_HIT], 17, 53, m, n);
	n = tls_hello(m, MISS_NAME, &op, &e);
	nf->len[NF_TLS] = name_frame(nf->b[NF_TLS], 6, 443, m, n);
	n = (size_t)snprintf((char *)m, sizeof(m),
			     "GET / HTTP/1.1\r\nUser-Agent: curl/8\r\n"
			     "Host: %s\r\nAccept: */*\r\n\r\n", MISS_NAME);
	nf->len[NF_HTTP] = name_frame(nf->b[NF_HTTP], 6, 80, m, n);
	quic_frames(nf);
}

#define DOMAINS_MAX	100000

static void dom_name(char *name, size_t len, size_t i)
{
	snprintf(name, len, "%sh%zu.bulk%zu.example", i & 1 ? "." : "", i,
		 i % 97);
}

/*
 * The domain table's layout in an object: DOM_WORDS (the frozen open-
 * addressed arrays "domains" + "dom_names" of include/autosel/names.h,
 * written by user/domains.c) or DOM_HASH (before issue 14: a HASH of
 * 256-byte right-aligned keys + the Bloom filter "dom_bloom", written by
 * the copy below, so that A/B can time an older object); -1: neither.
 */
enum { DOM_HASH = 1, DOM_WORDS = 2 };

static int dom_layout(struct bpf_object *o)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o, "domains");

	if (!m)
		return -1;
	if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY && bpf_map__key_size(m) == 4 &&
	    bpf_map__value_size(m) == sizeof(struct as_dom_slot) &&
	    bpf_object__find_map_by_name(o, "dom_names"))
		return DOM_WORDS;
	if (bpf_map__type(m) == BPF_MAP_TYPE_HASH && bpf_map__key_size(m) == 256 &&
	    bpf_map__value_size(m) == 8 &&
	    bpf_object__find_map_by_name(o, "dom_bloom"))
		return DOM_HASH;
	return -1;
}

/* The pre-issue-14 writer (its key and Bloom bit), for A/B only. */
#define OLD_BLOOM_BITS	23
static int fill_domains_hash(struct bpf_object *o, struct as_domains *d)
{
	int fk = mfd(o, "domains"), fb = mfd(o, "dom_bloom");
	size_t nb = (1U << (OLD_BLOOM_BITS - 6));
	uint64_t *words = calloc(nb, sizeof(*words));
	int err = 0;

	if (!words)
		return -ENOMEM;
	for (size_t i = 0; i < d->n && !err; i++) {
		const struct as_domain_ent *e = &d->v[i];
		unsigned char key[256] = { 0 };
		__u32 h = 0x811c9dc5U;

		memcpy(key + 256 - e->len, e->text, e->len);
		for (size_t j = e->len; j--;)
			h = (h ^ (unsigned char)e->text[j]) * 0x01000193U;
		h ^= h >> 16;
		h *= 0x85ebca6bU;
		h ^= h >> 13;
		h *= 0xc2b2ae35U;
		h ^= h >> 16;
		h >>= 32 - OLD_BLOOM_BITS;
		words[h >> 6] |= 1ULL << (h & 63);
		if (bpf_map_update_elem(fk, key, &e->mask, BPF_NOEXIST))
			err = -errno;
	}
	for (__u32 w = 0; w < nb && !err; w++)
		if (words[w] && bpf_map_update_elem(fb, &w, &words[w], BPF_ANY))
			err = -errno;
	free(words);
	return err;
}

/* Size the domain table for fill_domains(n) (before the load). */
static int size_domains(struct bpf_object *o, size_t n)
{
	size_t nd = n < DOMAINS_MAX ? n : DOMAINS_MAX, bytes = 0;
	char name[64], err[256];

	if (dom_layout(o) != DOM_WORDS)
		return 0;
	for (size_t i = 0; i < nd; i++) {
		dom_name(name, sizeof(name), i);
		bytes += strlen(name);
	}
	if (as_domains_size(o, nd, bytes, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * min(n, 100k) domain indicators, half exact and half suffixes, of the
 * expired approval (slot 1): a name found in the table runs the whole
 * match and is still deleted, so the frame is never truncated.
 */
static int fill_domains(struct bpf_object *o, size_t n, size_t *count)
{
	struct as_domains d;
	char name[64];
	size_t i, nd = n < DOMAINS_MAX ? n : DOMAINS_MAX;
	int err = 0;

	as_domains_init(&d);
	for (i = 0; i < nd && !err; i++) {
		dom_name(name, sizeof(name), i);
		err = as_domains_add(&d, name, 1ULL << 1);
	}
	if (!err && dom_layout(o) == DOM_HASH) {
		err = fill_domains_hash(o, &d);	/* the names are distinct */
	} else if (!err) {
		err = as_domains_write(&d, mfd(o, "domains"), mfd(o, "dom_names"));
		if (err)
			fprintf(stderr, "bench: %s\n", d.err);
	}
	*count = nd;
	as_domains_free(&d);
	return err;
}

/* Vary the IPv4 header at l3_off (0: the one after Ethernet/VLAN). */
static int set_mode_at(struct bpf_object *o, __u32 mode, __u32 naddrs,
		       __u32 l3_off)
{
	struct bench_mode m = { .mode = mode, .naddrs = naddrs,
				.l3_off = l3_off };
	__u32 zero = 0;

	return bpf_map_update_elem(mfd(o, "bench_mode"), &zero, &m, BPF_ANY);
}

static int set_mode(struct bpf_object *o, __u32 mode, __u32 naddrs)
{
	return set_mode_at(o, mode, naddrs, 0);
}

/* Hosts inside the slot-0 IPv4 indicators, for the random selected case. */
static __u32 fill_addrs(struct bpf_object *o, const struct bp *ind,
			size_t nind)
{
	__u32 n = 0;

	for (size_t j = 0; j < nind && n < BENCH_ADDRS; j++) {
		unsigned char a[16] = { 0 };
		__u32 h;

		if (ind[j].family != 4 || ind[j].mask != 1)
			continue;
		memcpy(&h, ind[j].addr, 4);
		h = ntohl(h);
		if (ind[j].len < 32)
			h |= rnd() & ((1U << (32 - ind[j].len)) - 1);
		h = htonl(h);
		memcpy(a, &h, 4);
		if (bpf_map_update_elem(mfd(o, "bench_addrs"), &n, a, BPF_ANY))
			break;
		n++;
	}
	/* For a single indicator (203.0.113.0/24): its hosts. */
	for (; n < 256 && nind <= 2; n++) {
		unsigned char a[16] = { 203, 0, 113, (unsigned char)n };

		bpf_map_update_elem(mfd(o, "bench_addrs"), &n, a, BPF_ANY);
	}
	return n;
}

/*
 * A realistic mix: BENCH_ADDRS / 2 flows sampled from ZIPF_FLOWS flows
 * with Zipf(1) popularity (the top 1 % of flows carry ~68 % of the
 * packets), as (source, destination) pairs for rand.h's mode 3.  Flow i's
 * addresses are a fixed function of i, spread like the random ones.
 */
#define ZIPF_FLOWS	1000000

static __u32 fill_zipf(struct bpf_object *o)
{
	static double *cdf;
	__u32 k, npairs = BENCH_ADDRS / 2;
	int fd = mfd(o, "bench_addrs");

	if (!cdf) {
		cdf = malloc(ZIPF_FLOWS * sizeof(*cdf));
		if (!cdf)
			return 0;
		for (size_t i = 0; i < ZIPF_FLOWS; i++)
			cdf[i] = (i ? cdf[i - 1] : 0) + 1.0 / (double)(i + 1);
	}
	for (k = 0; k < npairs; k++) {
		double u = (double)rnd() / 4294967296.0 * cdf[ZIPF_FLOWS - 1];
		size_t lo = 0, hi = ZIPF_FLOWS - 1;
		unsigned char a[16] = { 0 }, b[16] = { 0 };
		__u32 x, y, i2 = 2 * k, j2 = 2 * k + 1;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		x = htonl(as_fin32(as_mix32(0x1234567U, (__u32)lo)) %
			  0xdf000000U + 0x01000000U);
		y = htonl(as_fin32(as_mix32(0x7654321U, (__u32)lo)) %
			  0xdf000000U + 0x01000000U);
		memcpy(a, &x, 4);
		memcpy(b, &y, 4);
		if (bpf_map_update_elem(fd, &i2, a, BPF_ANY) ||
		    bpf_map_update_elem(fd, &j2, b, BPF_ANY))
			return 0;
	}
	return 2 * npairs;
}

static int setup_common(struct bpf_object *o)
{
	struct as_approval sel = { .valid_until_ns = ~0ULL, .uid = 1,
				   .type = AS_DIR_FF, .active = 1 };
	struct as_approval old = { .valid_from_ns = 0, .valid_until_ns = 1,
				   .uid = 2, .type = AS_DIR_FF, .active = 1 };
	struct as_config c = { .fixed_now_ns = 1000 };
	__u32 zero = 0, one = 1, lo = 1;

	if (bpf_map_update_elem(mfd(o, "approvals"), &zero, &sel, BPF_ANY) ||
	    bpf_map_update_elem(mfd(o, "approvals"), &one, &old, BPF_ANY) ||
	    bpf_map_update_elem(mfd(o, "tx_port"), &zero, &lo, BPF_ANY) ||
	    bpf_map_update_elem(mfd(o, "config"), &zero, &c, BPF_ANY))
		return -errno;
	return 0;
}

static int prog_fd(struct bpf_object *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, name);

	return p ? bpf_program__fd(p) : -1;
}

/*
 * What a run did: the program's own counters (summed over CPUs) before
 * and after, as the share of packets selected and deleted per reason.
 * Random addresses hit indicators, the domestic map and the flow marks in
 * proportions that decide the cost; this line says which.
 */
static void counters_read(struct bpf_object *o, double c[AS_C_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = mfd(o, "counters");
	__u64 v[512];

	for (__u32 i = 0; i < AS_C_MAX; i++) {
		c[i] = 0;
		if (ncpu <= 0 || ncpu > 512 || bpf_map_lookup_elem(fd, &i, v))
			continue;
		for (int cpu = 0; cpu < ncpu; cpu++)
			c[i] += (double)v[cpu];
	}
}

static void verdict_mix(const char *label, const double a[AS_C_MAX],
			const double b[AS_C_MAX])
{
	static const char *const reason[] = AS_REASON_NAMES;
	double seen = b[AS_C_SEEN] - a[AS_C_SEEN];
	char line[256];
	int len;

	if (seen <= 0)
		return;
	len = snprintf(line, sizeof(line), "#   verdicts%s%s: selected %.2f%%",
		       label ? " " : "", label ? label : "",
		       100.0 * (b[AS_C_SELECTED] - a[AS_C_SELECTED]) / seen);
	for (int r = 0; r < AS_DEL_MAX && len < (int)sizeof(line); r++) {
		double d = b[AS_C_DEL_REASON + r] - a[AS_C_DEL_REASON + r];

		if (d > 0)
			len += snprintf(line + len, sizeof(line) - (size_t)len,
					", %s %.2f%%", reason[r], 100.0 * d / seen);
	}
	note("%s\n", line);
}

/* ------------------------------------------------------------- subjects */

/*
 * What the autosel rows run on: one object, or A and B in A/B mode.  Each
 * helper does to every object what a row asks of one.
 */
struct subj {
	int n;
	struct bpf_object *o[MAX_SUBJ];
	int fd[MAX_SUBJ];
	int tun;		/* every bench_mode has l3_off (tunnel rows) */
};

static const char *subj_name[MAX_SUBJ] = { "A", "B" };

/* time_prog() on every object, in turn; B's figure waits for row(). */
static double s_time(const struct subj *s, const void *pkt, size_t len,
		     __u32 *retval)
{
	__u32 rv[MAX_SUBJ] = { 0 };
	double ns[MAX_SUBJ];

	if (time_progs(s->fd, s->n, pkt, len, rv, ns))
		return -1;
	if (s->n == 2) {
		ab_b = ns[1];
		if (rv[0] != rv[1])
			note("# A and B differ: verdict %u against %u\n",
			     rv[0], rv[1]);
	}
	if (s->n > 2) {
		ab_nx = s->n;
		for (int k = 0; k < s->n; k++)
			ab_x[k] = ns[k];
	}
	if (retval)
		*retval = rv[0];
	return ns[0];
}

/* s_time() with the verdict mix of what each object ran. */
static double s_time_mix(const struct subj *s, const void *pkt, size_t len)
{
	double a[MAX_SUBJ][AS_C_MAX], b[MAX_SUBJ][AS_C_MAX], ns;
	int k;

	for (k = 0; k < s->n; k++)
		counters_read(s->o[k], a[k]);
	ns = s_time(s, pkt, len, NULL);
	for (k = 0; k < s->n; k++) {
		counters_read(s->o[k], b[k]);
		verdict_mix(s->n >= 2 ? subj_name[k] : NULL, a[k], b[k]);
	}
	return ns;
}

static void s_mode_at(const struct subj *s, __u32 mode, __u32 naddrs,
		      __u32 l3_off)
{
	for (int k = 0; k < s->n; k++)
		set_mode_at(s->o[k], mode, naddrs, l3_off);
}

static void s_mode(const struct subj *s, __u32 mode, __u32 naddrs)
{
	s_mode_at(s, mode, naddrs, 0);
}

/*
 * The clock every object judges by: the bench's fixed time (1000 ns: no
 * flow goes idle, results repeat), or 0 for the program's own clock, as
 * on a port (the "live clock" rows).
 */
static void s_clock(const struct subj *s, __u64 fixed_now_ns)
{
	__u32 zero = 0;

	for (int k = 0; k < s->n; k++) {
		struct as_config c;
		int fd = mfd(s->o[k], "config");

		if (bpf_map_lookup_elem(fd, &zero, &c))
			continue;
		c.fixed_now_ns = fixed_now_ns;
		bpf_map_update_elem(fd, &zero, &c, BPF_ANY);
	}
}

/* The same tables in every object: the generator restarts for each. */
static __u32 s_zipf(const struct subj *s)
{
	__u64 r0 = rng;
	__u32 n = 0;

	for (int k = 0; k < s->n; k++) {
		rng = r0;
		n = fill_zipf(s->o[k]);
	}
	return n;
}

static __u32 s_addrs(const struct subj *s, const struct bp *ind, size_t nind)
{
	__u64 r0 = rng;
	__u32 n = 0;

	for (int k = 0; k < s->n; k++) {
		rng = r0;
		n = fill_addrs(s->o[k], ind, nind);
	}
	return n;
}

/*
 * The maps the bench writes or reads, with the layout it was built with
 * (include/autosel/flat.h, abi.h, names.h, rand.h); entries 0: any.
 * grow: the object's value may be shorter, as an older struct whose later
 * fields were appended since -- the kernel reads value_size bytes of the
 * bench's struct (A/B mode checks with BTF that the members agree).
 */
static const struct map_layout {
	const char *name;
	__u32 key, value, entries;
	int grow;
	int v4;		/* 0: every object; 1: range table; 2: legacy4.h's */
	int v6;		/* the same for IPv6: 1 range table; 2 legacy6.h's */
} layout[] = {
	{ "config", 4, sizeof(struct as_config), 1, 1, 0, 0 },
	{ "approvals", 4, sizeof(struct as_approval), AS_MAX_SLOTS, 0, 0, 0 },
	{ "tx_port", 4, 4, 0, 0, 0, 0 },
	{ "rdir4", 4, sizeof(struct as_r4_pair), AS_R4_DIR_ENTRIES / 2, 0, 1, 0 },
	{ "rng4", 4, sizeof(struct as_r4_pair), 0, 0, 1, 0 },
	{ "val4", 4, sizeof(struct as_val4), 0, 0, 1, 0 },
	{ "dir4", 4, sizeof(struct l4_dir4), L4_DIR4_ENTRIES, 0, 2, 0 },
	{ "guard4", 4, 8, AS_GUARD_WORDS, 0, 0, 0 },
	{ "bloom4", 4, 8, AS_BLOOM_WORDS, 0, 2, 0 },
	{ "pfx4", sizeof(struct l4_pfx4_key), 8, 0, 0, 2, 0 },
	{ "base6", 4, sizeof(struct as_r4_pair), AS_R6_BASE_ELEMS, 0, 0, 1 },
	{ "guard6", 4, 8, AS_G6_WORDS, 0, 0, 1 },
	{ "rdir6", 4, sizeof(struct as_r4_pair), AS_R6_DIR_ELEMS, 0, 0, 1 },
	{ "rng6", 4, 8, 0, 0, 0, 1 },
	{ "val6", 4, sizeof(struct as_val6), 0, 0, 0, 1 },
	{ "sub6", 4, sizeof(struct as_r6_sub), 0, 0, 0, 1 },
	{ "guard6", 4, 8, AS_GUARD6_WORDS, 0, 0, 2 },
	{ "guard48", 4, 8, AS_GUARD_WORDS, 0, 0, 2 },
	{ "bloom6", 4, 8, AS_BLOOM_WORDS, 0, 0, 2 },
	{ "pfx6", sizeof(struct as_pfx6_key), 8, 0, 0, 0, 2 },
	{ "lens", 4, sizeof(struct as_lens), 4, 0, 0, 2 },
	{ "counters", 4, 8, AS_C_MAX, 0, 0, 0 },
	{ "bench_mode", 4, sizeof(struct bench_mode), 1, 1, 0, 0 },
	{ "bench_addrs", 4, 16, BENCH_ADDRS, 0, 0, 0 },
};

#define NLAYOUT	(sizeof(layout) / sizeof(layout[0]))

/* 0, or -1 with a line on stderr: the bench would fill this object wrong. */
static int layout_check(struct bpf_object *o, const char *path)
{
	int v4 = has_range4(o) ? 1 : 2, v6 = has_range6(o) ? 1 : 2;

	for (size_t i = 0; i < NLAYOUT; i++) {
		const struct map_layout *l = &layout[i];
		struct bpf_map *m = bpf_object__find_map_by_name(o, l->name);
		__u32 ks, vs, ne;

		if ((l->v4 && l->v4 != v4) || (l->v6 && l->v6 != v6))
			continue;
		if (!m) {
			fprintf(stderr, "bench: %s has no map %s: not a layout "
				"this bench can fill; refusing to measure\n",
				path, l->name);
			return -1;
		}
		ks = bpf_map__key_size(m);
		vs = bpf_map__value_size(m);
		ne = bpf_map__max_entries(m);
		if (ks != l->key || (l->grow ? vs > l->value : vs != l->value) ||
		    (l->entries && ne != l->entries)) {
			fprintf(stderr, "bench: %s: map %s has key %u, value %u, "
				"%u entries; this bench fills key %u, value %u%s, "
				"%u entries (built with another flat.h/abi.h); "
				"refusing to measure\n", path, l->name, ks, vs, ne,
				l->key, l->value, l->grow ? " or less" : "",
				l->entries);
			return -1;
		}
	}
	if (dom_layout(o) < 0) {
		fprintf(stderr, "bench: %s: a domain table this bench cannot "
			"fill; refusing to measure\n", path);
		return -1;
	}
	if (!bpf_object__find_program_by_name(o, "autosel_xdp")) {
		fprintf(stderr, "bench: %s has no program autosel_xdp\n", path);
		return -1;
	}
	return 0;
}

/* The value struct of map name in a and b: the members of the shorter
 * one are the first members of the other (names, offsets). */
static int same_prefix(struct bpf_object *a, struct bpf_object *b,
		       const char *name)
{
	const struct btf *bt[2] = { bpf_object__btf(a), bpf_object__btf(b) };
	struct bpf_object *ob[2] = { a, b };
	const struct btf_type *t[2];
	int n;

	for (int k = 0; k < 2; k++) {
		struct bpf_map *m = bpf_object__find_map_by_name(ob[k], name);
		int id;

		if (!bt[k] || !m)
			return -1;
		id = btf__resolve_type(bt[k], bpf_map__btf_value_type_id(m));
		t[k] = id < 0 ? NULL : btf__type_by_id(bt[k], (__u32)id);
		if (!t[k] || !btf_is_struct(t[k]))
			return -1;
	}
	n = btf_vlen(t[0]) < btf_vlen(t[1]) ? btf_vlen(t[0]) : btf_vlen(t[1]);
	for (int i = 0; i < n; i++) {
		const struct btf_member *ma = btf_members(t[0]) + i;
		const struct btf_member *mb = btf_members(t[1]) + i;

		if (strcmp(btf__name_by_offset(bt[0], ma->name_off),
			   btf__name_by_offset(bt[1], mb->name_off)) ||
		    btf_member_bit_offset(t[0], (__u32)i) !=
		    btf_member_bit_offset(t[1], (__u32)i))
			return -1;
	}
	return 0;
}

/*
 * A/B: every map both objects have, compared.  A difference in a map the
 * bench fills refuses (but a grow map whose members agree); any other is
 * the change being measured and is printed (verbose: the first count).
 */
static int ab_compare(struct bpf_object *a, struct bpf_object *b, int verbose)
{
	struct bpf_object *ob[2] = { a, b };
	struct bpf_map *m;
	int err = 0;

	for (size_t i = 0; i < NLAYOUT; i++)
		if (layout[i].grow && same_prefix(a, b, layout[i].name)) {
			fprintf(stderr, "bench: A and B: the members of map %s's "
				"value differ; refusing to measure\n",
				layout[i].name);
			err = -1;
		}
	for (int k = 0; k < 2; k++) {
		bpf_object__for_each_map(m, ob[k]) {
			const char *name = bpf_map__name(m);
			struct bpf_map *o = bpf_object__find_map_by_name(ob[1 - k],
									 name);
			int known = 0;

			for (size_t i = 0; i < NLAYOUT; i++)
				known |= !strcmp(layout[i].name, name);
			if (!o) {
				if (verbose)
					note("# map %s: only in %s%s\n", name,
					     k ? "B" : "A", known ? "" :
					     " (not filled by the bench)");
				continue;
			}
			if (k || (bpf_map__type(m) == bpf_map__type(o) &&
				  bpf_map__key_size(m) == bpf_map__key_size(o) &&
				  bpf_map__value_size(m) == bpf_map__value_size(o) &&
				  bpf_map__max_entries(m) == bpf_map__max_entries(o) &&
				  bpf_map__map_flags(m) == bpf_map__map_flags(o)))
				continue;
			if (verbose || known)
				note("# map %s: A type %d key %u value %u entries "
				     "%u flags %#x, B type %d key %u value %u "
				     "entries %u flags %#x\n", name,
				     bpf_map__type(m), bpf_map__key_size(m),
				     bpf_map__value_size(m),
				     bpf_map__max_entries(m), bpf_map__map_flags(m),
				     bpf_map__type(o), bpf_map__key_size(o),
				     bpf_map__value_size(o),
				     bpf_map__max_entries(o), bpf_map__map_flags(o));
		}
	}
	return err;
}

/*
 * Size the hashes as the loader does (pfx_counts), load, fill the rule
 * set and the common state; the memory and install figures (label: " A"
 * or " B" in A/B mode).  0 or -1.
 */
static int load_filled(struct bpf_object *o, const char *path,
		       const char *label, const struct bp *ind, size_t nind,
		       size_t n, size_t *ndoms)
{
	size_t p4 = 0, p6 = 0;
	long m0, m1, m2;
	double t0, fill_s;
	int err;

	double build_s = 0;

	for (size_t j = 0; j < ndom; j++)
		dom[j].family == 4 ? (p4 += dom[j].len > 16) : p6++;
	for (size_t j = 0; j < nind; j++)
		ind[j].family == 4 ? (p4 += ind[j].len > 16) : p6++;
	if (has_range4(o)) {
		/* the loader builds the table before it loads (to size it) */
		t0 = now_s();
		if (build_range4(ind, nind)) {
			fprintf(stderr, "bench: range table: %s\n", r4.err);
			return -1;
		}
		build_s = now_s() - t0;
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "rng4"),
					 (__u32)as_r4_rng_elems(r4.n_rng));
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "val4"),
					 (__u32)r4.n_vals);
	} else {
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "pfx4"),
					 (__u32)(p4 > 65536 ? p4 : 65536));
	}
	if (has_range6(o)) {
		t0 = now_s();
		if (build_range6(ind, nind)) {
			fprintf(stderr, "bench: IPv6 range table: %s\n", r6.err);
			return -1;
		}
		build_s += now_s() - t0;
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "rng6"),
					 (__u32)r6.n_rng);
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "val6"),
					 (__u32)r6.n_vals);
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "sub6"),
					 (__u32)r6.n_sub);
	} else {
		bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "pfx6"),
					 (__u32)(p6 > 65536 ? p6 : 65536));
	}
	if (size_domains(o, n))
		return -1;
	m0 = kmem_settled();
	if (bpf_object__load(o)) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		return -1;
	}
	m1 = kmem_settled();
	t0 = now_s();
	err = fill_rules(o, ind, nind);
	if (!err)
		err = fill_domains(o, n, ndoms);
	fill_s = now_s() - t0 + build_s;
	m2 = kmem_settled();
	if (err || setup_common(o)) {
		fprintf(stderr, "bench: filling maps: %s\n", strerror(-err));
		return -1;
	}
	figure("MB", (m1 - m0) / 1024.0, "memory: autosel maps, empty (N=%zu)%s",
	       n, label);
	figure("MB", (m2 - m1) / 1024.0, "memory: rule set filled in (N=%zu)%s",
	       n, label);
	figure("s", fill_s, "install: %zu prefixes + %zu domains (N=%zu)%s",
	       nind + ndom, *ndoms, n, label);
	return 0;
}

/*
 * The name hook's cost: a DNS query, a TLS ClientHello and an HTTP request
 * whose name is not in the table (what most such packets on a link are),
 * and a DNS query whose name is (expired approval: found, matched, still
 * deleted).  Same addresses as the IPv4 deleted row, which is the IP-only
 * path beside them.
 */
static void name_rows(const struct subj *s, const struct name_frames *nf,
		      double drop, size_t ndoms)
{
	static const char *const what[NF_MAX] = {
		"DNS query", "TLS ClientHello", "HTTP request", "DNS query",
	};
	double ns;

	for (int i = 0; i < NF_UDP; i++) {
		if (i == NF_DNS_HIT && ndoms < 3)
			continue;
		ns = s_time_mix(s, nf->b[i], nf->len[i]);
		row("drop", drop, ns, "autosel deleted, %s, %s (%zu dom)",
		    what[i], i == NF_DNS_HIT ? "name found" : "no such name",
		    ndoms);
	}
	/* the QUIC gate (xdp/quic.h) beside a UDP datagram of the same size */
	ns = s_time_mix(s, nf->b[NF_UDP], nf->len[NF_UDP]);
	row("drop", drop, ns, "autosel deleted, UDP %d B, not QUIC (%zu dom)",
	    QUIC_LEN, ndoms);
	ns = s_time_mix(s, nf->b[NF_QUIC_SHORT], nf->len[NF_QUIC_SHORT]);
	row("drop", drop, ns,
	    "autosel deleted, QUIC, not an Initial (short header, %d B) (%zu dom)",
	    QUIC_LEN, ndoms);
	if (!nf->len[NF_QUIC_INIT]) {
		note("# no %s: no QUIC Initial row\n", AS_RFC9001_HEX);
		return;
	}
	ns = s_time_mix(s, nf->b[NF_QUIC_INIT], nf->len[NF_QUIC_INIT]);
	row("drop", drop, ns,
	    "autosel deleted, QUIC Initial, name not in the table (%zu dom)",
	    ndoms);
}

/* ------------------------------------------------------------- libpcap */

int bench_pcap_run(const unsigned char *pkt, size_t len, int hosts,
		   int limit_s, int rounds, long iters, double r[3]);

static void bench_pcap(const unsigned char *pkt, size_t len, int hosts,
		       int limit_s)
{
	long iters = quick ? 200000 : 2000000;
	double r[3];
	int ret;

	if (hosts >= 1000)
		iters /= 20;
	ret = bench_pcap_run(pkt, len, hosts, limit_s, rounds, iters, r);
	if (ret == 1) {
		figure("s (timed out: not measured)", limit_s,
		       "libpcap pcap_compile, %d hosts", hosts);
	} else if (ret < 0) {
		note("# libpcap with %d hosts failed\n", hosts);
	} else {
		row("", 0, r[1], "libpcap offline filter, %d hosts (%.0f insns)",
		    hosts, r[2]);
		figure("s", r[0], "libpcap pcap_compile, %d hosts", hosts);
	}
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	const char *as_path = argc > 1 ? argv[1] : "build/bench/autosel_rand.bpf.o";
	const char *drop_path = argc > 2 ? argv[2] : "build/bench/drop.bpf.o";
	const char *json_path = argc > 3 ? argv[3] : "build/bench/bench.json";
	const char *xdpfilt_dir = argc > 4 ? argv[4] : XDPFILT_DIR;
	const char *ab_path = getenv("BENCH_AB");
	static const size_t counts_full[] = { 1, 1000, 100000, 1000000 };
	static const size_t counts_quick[] = { 1, 1000 };
	static const int floor_mb[] = { 1, 2, 4, 8, 16, 64 };
	const size_t *counts = counts_full;
	size_t ncounts = 4;
	unsigned char v4[64], v6[78], v4big[1500], v6big[1500], vlan[68],
		      qinq[72], sel4[64], sel6[78];
	/* ERSPAN II and VXLAN around v4 and sel4: [kind][deleted, selected] */
	static const char *const tun_name[2] = { "ERSPAN II", "VXLAN" };
	unsigned char tun[2][2][64 + 50];
	double randtun[2];
	static struct name_frames nf;
	struct bpf_object *d;
	double drop, parse, rand4, rand6, randsel, randzipf, randvl, randqq, rand4b,
	       rand6b, t0;
	int fd_drop, fd_parse, fd_rand, fd_hash;
	__u32 rv;

	if (getenv("BENCH_QUICK") && atoi(getenv("BENCH_QUICK"))) {
		quick = 1;
		rounds = 3;
		repeat = 100000;
		counts = counts_quick;
		ncounts = 2;
	}
	/* BENCH_ROUNDS (3..15, odd), BENCH_REPEAT: more rounds, a steadier median */
	if (getenv("BENCH_ROUNDS") && atoi(getenv("BENCH_ROUNDS")) >= 1)
		rounds = atoi(getenv("BENCH_ROUNDS")) > 15 ? 15 :
			 atoi(getenv("BENCH_ROUNDS"));
	if (getenv("BENCH_REPEAT") && atoi(getenv("BENCH_REPEAT")) >= 1)
		repeat = (__u32)atoi(getenv("BENCH_REPEAT"));
	/*
	 * For working on some sizes: BENCH_N=1000000 or BENCH_N=1,1000000
	 * (no reference, no libpcap, no xdp-filter).
	 */
	if (getenv("BENCH_N") && *getenv("BENCH_N")) {
		static size_t some[8];
		char *p = getenv("BENCH_N");

		for (ncounts = 0; ncounts < 8 && *p; ncounts++) {
			some[ncounts] = strtoul(p, &p, 0);
			while (*p == ',' || *p == ' ')
				p++;
		}
		counts = some;
		only_n = 1;
	}
	/*
	 * A/B: ab_path is A, as_path B; the autosel rows only.  A list
	 * (A1,A2,...: ablations) times every A and B in turn, B last.
	 */
	static const char *paths[MAX_SUBJ];
	static char *ab_list;
	static char names_buf[MAX_SUBJ][8];
	int nsubj = 0;

	if (ab_path && *ab_path) {
		ab = 1;
		only_n = 1;
		ab_list = strdup(ab_path);
		nsubj = 0;
		for (char *t = strtok(ab_list, ","); t && nsubj < MAX_SUBJ - 1;
		     t = strtok(NULL, ","))
			paths[nsubj++] = t;
		if (nsubj > 1)
			for (int k = 0; k < nsubj; k++) {
				snprintf(names_buf[k], sizeof(names_buf[k]),
					 "A%d", k + 1);
				subj_name[k] = names_buf[k];
			}
		subj_name[nsubj] = "B";
	}
	paths[nsubj++] = as_path;
	rows_only = getenv("BENCH_ROWS");
	libbpf_set_print(NULL);
	json = fopen(json_path, "w");
	if (json)
		fprintf(json, "{\"repeat\": %u, \"rounds\": %d, \"quick\": %d, "
			"\"results\": [", repeat, rounds, quick);

	make_pkt(v4, sizeof(v4), 4, 0, SRC4, DST4);
	make_pkt(v6, sizeof(v6), 6, 0, SRC6, DST6);
	make_pkt(v4big, sizeof(v4big), 4, 0, SRC4, DST4);
	make_pkt(v6big, sizeof(v6big), 6, 0, SRC6, DST6);
	make_pkt(vlan, sizeof(vlan), 4, 1, SRC4, DST4);
	make_pkt(qinq, sizeof(qinq), 4, 2, SRC4, DST4);
	make_pkt(sel4, sizeof(sel4), 4, 0, SEL4, DST4);
	make_pkt(sel6, sizeof(sel6), 6, 0, SEL6, DST6);
	make_name_frames(&nf);
	for (int k = 0; k < 2; k++) {
		make_tunnel(tun[k][0], v4, sizeof(v4), k);
		make_tunnel(tun[k][1], sel4, sizeof(sel4), k);
	}

	d = bpf_object__open_file(drop_path, NULL);
	if (!d || bpf_object__load(d)) {
		fprintf(stderr, "bench: cannot load %s\n", drop_path);
		return 1;
	}
	fd_drop = prog_fd(d, "bare_drop");
	fd_parse = prog_fd(d, "parse_drop");
	fd_rand = prog_fd(d, "rand_drop");

	note("# BPF_PROG_TEST_RUN, median of %d runs x %u repeats; ns per packet\n",
	     rounds, repeat);
	note("%-58s %9s  %-10s %7s %7s %8s\n", "case", "ns/pkt", "baseline",
	     "base ns", "x", "+ns");
	drop = time_prog(fd_drop, v4, sizeof(v4), NULL);
	row("", 0, drop, "bare XDP_DROP (64 B)");
	parse = time_prog(fd_parse, v4, sizeof(v4), NULL);
	row("drop", drop, parse, "parse only, IPv4 TCP 64 B");
	row("drop", drop, time_prog(fd_parse, v6, sizeof(v6), NULL),
	    "parse only, IPv6 TCP 78 B");
	set_mode(d, 1, 0);
	rand4 = time_prog(fd_rand, v4, sizeof(v4), NULL);
	row("drop", drop, rand4, "rand_drop IPv4 (varying step + drop)");
	rand6 = time_prog(fd_rand, v6, sizeof(v6), NULL);
	row("drop", drop, rand6, "rand_drop IPv6");
	rand4b = time_prog(fd_rand, v4big, sizeof(v4big), NULL);
	rand6b = time_prog(fd_rand, v6big, sizeof(v6big), NULL);
	randvl = time_prog(fd_rand, vlan, sizeof(vlan), NULL);
	randqq = time_prog(fd_rand, qinq, sizeof(qinq), NULL);
	set_mode_at(d, 1, 0, TUN_L3_OFF);	/* the inner addresses vary */
	for (int k = 0; k < 2; k++)
		randtun[k] = time_prog(fd_rand, tun[k][0], sizeof(tun[k][0]),
				       NULL);
	set_mode(d, 1, 0);
	/* What reading a per-/24 structure costs here, by its size. */
	for (size_t i = 0; i < sizeof(floor_mb) / sizeof(floor_mb[0]); i++) {
		char name[16];

		snprintf(name, sizeof(name), "touch_%dm", floor_mb[i]);
		row("rand_drop", rand4,
		    time_prog(prog_fd(d, name), v4, sizeof(v4), NULL),
		    "floor: varying step, parse, 1 load/address, %d MB",
		    floor_mb[i]);
	}
	/* ... and one lookup per address in a hash of 2^20 entries. */
	fd_hash = mfd(d, "floor_hash");
	for (__u32 k = 0; k < (1U << 20); k++) {
		__u64 v = k + 1;

		if (bpf_map_update_elem(fd_hash, &k, &v, BPF_ANY)) {
			fprintf(stderr, "bench: filling floor_hash: %s\n",
				strerror(errno));
			return 1;
		}
	}
	row("rand_drop", rand4,
	    time_prog(prog_fd(d, "touch_hash"), v4, sizeof(v4), NULL),
	    "floor: varying step, parse, 1 hash lookup/address, 2^20 entries");
	set_mode(d, 2, 256);
	for (__u32 i = 0; i < 256; i++) {
		unsigned char a[16] = { 203, 0, 113, (unsigned char)i };

		bpf_map_update_elem(mfd(d, "bench_addrs"), &i, a, BPF_ANY);
	}
	randsel = time_prog(fd_rand, v4, sizeof(v4), NULL);
	row("drop", drop, randsel, "rand_drop IPv4, source from a table");
	set_mode(d, 3, fill_zipf(d));
	randzipf = time_prog(fd_rand, v4, sizeof(v4), NULL);
	row("drop", drop, randzipf, "rand_drop IPv4, Zipf flows from a table");
	set_mode(d, 0, 0);

	gen_domestic();
	if (ab && nsubj == 2)
		note("# A/B: A = %s, B = %s, in turn in every round\n"
		     "%-58s %9s %9s %8s %7s\n", ab_path, as_path, "case", "A ns",
		     "B ns", "B-A", "B/A");
	if (nsubj > 2) {
		for (int k = 0; k < nsubj; k++)
			note("# %s = %s\n", subj_name[k], paths[k]);
		note("# in turn in every round; per A: its ns and B - A\n%-58s %7s",
		     "case", "B ns");
		for (int k = 0; k + 1 < nsubj; k++)
			note(" %7s %6s", subj_name[k], "B-A");
		note("\n");
	}
	for (size_t c = 0; c < ncounts; c++) {
		size_t n = counts[c], nind, ndoms = 0;
		struct bp *ind = gen_ind(n, &nind);
		const char *const *path = paths;
		struct subj sj = { .n = nsubj, .tun = 1 };
		double ns;
		__u32 naddrs;

		note("# --- %zu IPv4 + %zu IPv6 indicators, domestic %d + %d\n",
		     n, n, DOM4, DOM6);
		for (int k = 0; k < sj.n; k++) {
			struct bpf_map *bm;

			sj.o[k] = bpf_object__open_file(path[k], NULL);
			if (!sj.o[k]) {
				fprintf(stderr, "bench: cannot open %s\n", path[k]);
				return 1;
			}
			if (layout_check(sj.o[k], path[k]))
				return 1;
			bm = bpf_object__find_map_by_name(sj.o[k], "bench_mode");
			sj.tun &= bpf_map__value_size(bm) >= sizeof(struct bench_mode);
		}
		for (int k = 0; ab && k + 1 < sj.n; k++)
			if (ab_compare(sj.o[k], sj.o[sj.n - 1], c == 0))
				return 1;
		for (int k = 0; k < sj.n; k++) {
			char label[16] = "";

			if (ab)
				snprintf(label, sizeof(label), ", %s", subj_name[k]);
			if (load_filled(sj.o[k], path[k], label,
					ind, nind, n, &ndoms))
				return 1;
			sj.fd[k] = prog_fd(sj.o[k], "autosel_xdp");
		}

		s_mode(&sj, 0, 0);
		if (want("autosel deleted, IPv4 64 B, repeated")) {
			ns = s_time(&sj, v4, sizeof(v4), &rv);
			if (rv != XDP_DROP)
				note("# unexpected verdict %u\n", rv);
			row("drop", drop, ns,
			    "autosel deleted, IPv4 64 B, repeated, N=%zu", n);
		}
		if (want("autosel deleted, IPv6 78 B, repeated")) {
			ns = s_time(&sj, v6, sizeof(v6), &rv);
			if (rv != XDP_DROP)
				note("# unexpected verdict %u\n", rv);
			row("drop", drop, ns,
			    "autosel deleted, IPv6 78 B, repeated, N=%zu", n);
		}
		if (want("autosel deleted, IPv4 64 B, repeated, live clock")) {
			s_clock(&sj, 0);
			ns = s_time(&sj, v4, sizeof(v4), &rv);
			s_clock(&sj, 1000);
			if (rv != XDP_DROP)
				note("# unexpected verdict %u\n", rv);
			row("drop", drop, ns, "autosel deleted, IPv4 64 B, "
			    "repeated, live clock, N=%zu", n);
		}
		/* the known-flow rows' flows are entered by their first repeat */
		if (want("autosel selected (known flow), IPv4")) {
			ns = s_time(&sj, sel4, sizeof(sel4), &rv);
			if (rv != XDP_REDIRECT)
				note("# unexpected verdict %u\n", rv);
			row("drop", drop, ns,
			    "autosel selected (known flow), IPv4, N=%zu", n);
		}
		if (want("autosel selected (known flow), IPv6")) {
			ns = s_time(&sj, sel6, sizeof(sel6), &rv);
			if (rv != XDP_REDIRECT)
				note("# unexpected verdict %u\n", rv);
			row("drop", drop, ns,
			    "autosel selected (known flow), IPv6, N=%zu", n);
		}
		if (want("autosel deleted, DNS") || want("autosel deleted, TLS") ||
		    want("autosel deleted, HTTP"))
			name_rows(&sj, &nf, drop, ndoms);
		s_mode(&sj, 1, 0);
		if (want("autosel deleted, IPv4 64 B, random")) {
			ns = s_time_mix(&sj, v4, sizeof(v4));
			row("rand_drop", rand4, ns,
			    "autosel deleted, IPv4 64 B, random, N=%zu", n);
		}
		if (want("autosel deleted, IPv4 64 B, random, live clock")) {
			s_clock(&sj, 0);
			ns = s_time_mix(&sj, v4, sizeof(v4));
			s_clock(&sj, 1000);
			row("rand_drop", rand4, ns, "autosel deleted, IPv4 64 B, "
			    "random, live clock, N=%zu", n);
		}
		if (want("autosel deleted, IPv6 78 B, random")) {
			ns = s_time_mix(&sj, v6, sizeof(v6));
			row("rand_drop", rand6, ns,
			    "autosel deleted, IPv6 78 B, random, N=%zu", n);
		}
		if (want("autosel, IPv4 64 B, Zipf flows")) {
			s_mode(&sj, 3, s_zipf(&sj));
			ns = s_time_mix(&sj, v4, sizeof(v4));
			row("rand_drop", randzipf, ns,
			    "autosel, IPv4 64 B, Zipf flows, N=%zu", n);
		}
		s_mode(&sj, 1, 0);
		/* the other frames, at the last count (not with BENCH_ROWS) */
		if (c + 1 == ncounts && !(rows_only && *rows_only)) {
			s_mode(&sj, 0, 0);
			row("drop", drop, s_time(&sj, v4big, sizeof(v4big), NULL),
			    "autosel deleted, IPv4 1500 B, repeated, N=%zu", n);
			row("drop", drop, s_time(&sj, v6big, sizeof(v6big), NULL),
			    "autosel deleted, IPv6 1500 B, repeated, N=%zu", n);
			row("drop", drop, s_time(&sj, vlan, sizeof(vlan), NULL),
			    "autosel deleted, 802.1Q IPv4, repeated, N=%zu", n);
			row("drop", drop, s_time(&sj, qinq, sizeof(qinq), NULL),
			    "autosel deleted, QinQ IPv4, repeated, N=%zu", n);
			s_mode(&sj, 1, 0);
			row("rand_drop", rand4b, s_time(&sj, v4big, sizeof(v4big), NULL),
			    "autosel deleted, IPv4 1500 B, random, N=%zu", n);
			row("rand_drop", rand6b, s_time(&sj, v6big, sizeof(v6big), NULL),
			    "autosel deleted, IPv6 1500 B, random, N=%zu", n);
			row("rand_drop", randvl, s_time(&sj, vlan, sizeof(vlan), NULL),
			    "autosel deleted, 802.1Q IPv4, random, N=%zu", n);
			row("rand_drop", randqq, s_time(&sj, qinq, sizeof(qinq), NULL),
			    "autosel deleted, QinQ IPv4, random, N=%zu", n);
			/* Tunnels: the inner headers decide (datapath.rst). */
			if (!sj.tun)
				note("# tunnel rows left out: a bench_mode without "
				     "l3_off cannot vary the inner addresses\n");
			for (int k = 0; k < 2 && sj.tun; k++) {
				s_mode(&sj, 0, 0);
				ns = s_time(&sj, tun[k][0], sizeof(tun[k][0]), &rv);
				if (rv != XDP_DROP)
					note("# unexpected verdict %u\n", rv);
				row("drop", drop, ns,
				    "autosel deleted, %s / IPv4, repeated, N=%zu",
				    tun_name[k], n);
				ns = s_time(&sj, tun[k][1], sizeof(tun[k][1]), &rv);
				if (rv != XDP_REDIRECT)
					note("# unexpected verdict %u\n", rv);
				row("drop", drop, ns,
				    "autosel selected (known flow), %s / IPv4, N=%zu",
				    tun_name[k], n);
				s_mode_at(&sj, 1, 0, TUN_L3_OFF);
				row("rand_drop", randtun[k],
				    s_time(&sj, tun[k][0], sizeof(tun[k][0]), NULL),
				    "autosel deleted, %s / IPv4, random inner, N=%zu",
				    tun_name[k], n);
			}
			s_mode(&sj, 1, 0);
		}
		/*
		 * Last: every packet a new selected flow, which fills the flow
		 * table (and its marks) for the rest of this object's life
		 * (the bench's clock stands still).
		 */
		naddrs = s_addrs(&sj, ind, nind);	/* after mode 3's table */
		s_mode(&sj, 2, naddrs);
		if (want("autosel selected, new flows")) {
			ns = s_time_mix(&sj, sel4, sizeof(sel4));
			row("rand_drop", randsel, ns,
			    "autosel selected, new flows, random, IPv4, N=%zu", n);
		}
		/* Deleted traffic again, now beside a full flow table. */
		s_mode(&sj, 1, 0);
		if (want("autosel deleted, IPv4 64 B, random, flow table full")) {
			ns = s_time_mix(&sj, v4, sizeof(v4));
			row("rand_drop", rand4, ns, "autosel deleted, IPv4 64 B, "
			    "random, flow table full, N=%zu", n);
		}

		/* The naive design beside it: 2 LPM-trie lookups (IPv4 only). */
		if (!only_n && !ab) {
			struct bpf_object *l = bpf_object__open_file(drop_path, NULL);
			double fs;
			long l0, l1;
			int lfd, lpm;

			if (!l || bpf_object__load(l)) {
				fprintf(stderr, "bench: cannot load %s\n", drop_path);
				return 1;
			}
			lpm = mfd(l, "lpm4");
			l0 = kmem_settled();
			t0 = now_s();
			for (size_t j = 0; j < nind; j++) {
				struct as_lpm4 k = { .prefixlen = ind[j].len };

				if (ind[j].family != 4)
					continue;
				memcpy(k.addr, ind[j].addr, 4);
				bpf_map_update_elem(lpm, &k, &ind[j].mask, BPF_ANY);
			}
			fs = now_s() - t0;
			l1 = kmem_settled();
			figure("MB", (l1 - l0) / 1024.0,
			       "memory: LPM trie, %zu IPv4 prefixes", n);
			figure("s", fs, "install: LPM trie, %zu IPv4 prefixes", n);
			lfd = prog_fd(l, "lpm_ref");
			set_mode(l, 0, 0);
			row("drop", drop, time_prog(lfd, v4, sizeof(v4), NULL),
			    "ref: parse + 2 LPM lookups, repeated, N=%zu", n);
			set_mode(l, 1, 0);
			row("rand_drop", rand4, time_prog(lfd, v4, sizeof(v4), NULL),
			    "ref: parse + 2 LPM lookups, random, N=%zu", n);
			bpf_object__close(l);
		}
		/* Closed only now: its deferred frees would skew the LPM's figure. */
		for (int k = 0; k < sj.n; k++)
			bpf_object__close(sj.o[k]);
		free(ind);
	}

	if (!only_n)
		note("# --- libpcap: pcap_compile \"host A or host B ...\", "
		     "pcap_offline_filter on a packet matching none\n");
	{
		static const int hosts[] = { 1, 10, 100, 1000 };

		for (int i = 0; i < (only_n ? 0 : quick ? 3 : 4); i++)
			bench_pcap(v4, sizeof(v4), hosts[i], 60);
	}
	if (!only_n)
		bench_xdpfilter(xdpfilt_dir, d, v4, sizeof(v4), v6, sizeof(v6),
				quick);
	bpf_object__close(d);
	if (json) {
		fprintf(json, "\n]}\n");
		fclose(json);
		note("# JSON: %s\n", json_path);
	}
	return 0;
}
