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

#include "autosel/abi.h"
#include "autosel/flat.h"
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

/* Median over rounds of the kernel's mean ns per repeat; -1 on failure. */
double time_prog(int fd, const void *pkt, size_t len, __u32 *retval)
{
	__u32 d[16];
	int i;

	for (i = 0; i < rounds; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o,
			    .data_in = pkt, .data_size_in = (__u32)len,
			    .data_out = outbuf, .data_size_out = sizeof(outbuf),
			    .repeat = repeat);
		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "bench: test run: %s\n", strerror(errno));
			return -1;
		}
		d[i] = o.duration;
		if (retval)
			*retval = o.retval;
	}
	qsort(d, (size_t)rounds, sizeof(d[0]), cmp_u32);
	return d[rounds / 2];
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

static int add(struct as_flat *f, struct batch *b4, struct batch *b6,
	       unsigned int set, const struct bp *p, __u64 v)
{
	struct as_pfx4_key k4;
	struct as_pfx6_key k6;

	if (p->family == 4)
		return as_flat_add4(f, set, p->addr, p->len, v, &k4) ?
		       push(b4, &k4, v) : 0;
	as_flat_add6(f, set, p->addr, p->len, v, &k6);
	return push(b6, &k6, v);
}

/* The loader's steps (user/bpfobj.c): arrays through mmap, hashes in batches. */
static int fill_rules(struct bpf_object *o, const struct bp *ind, size_t nind)
{
	static struct batch b4, b6;
	struct as_flat f;
	__u32 i;
	int err = 0;

	b4.fd = mfd(o, "pfx4");
	b6.fd = mfd(o, "pfx6");
	b4.ksz = sizeof(struct as_pfx4_key);
	b6.ksz = sizeof(struct as_pfx6_key);
	b4.n = b6.n = 0;
	if (as_flat_mmap(&f, mfd(o, "dir4"), mfd(o, "guard4"), mfd(o, "guard6"),
			 mfd(o, "guard48"), mfd(o, "bloom4"), mfd(o, "bloom6")))
		return -errno;
	for (size_t j = 0; j < ndom && !err; j++)
		err = add(&f, &b4, &b6, AS_PSET_DOM, &dom[j], 1);
	for (size_t j = 0; j < nind && !err; j++)
		err = add(&f, &b4, &b6, AS_PSET_IND, &ind[j], ind[j].mask);
	if (!err)
		err = flush(&b4);
	if (!err)
		err = flush(&b6);
	for (i = 0; i < 4 && !err; i++)
		if (bpf_map_update_elem(mfd(o, "lens"), &i, &f.lens[i], BPF_ANY))
			err = -errno;
	as_flat_unmap(&f);
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

enum { NF_DNS, NF_TLS, NF_HTTP, NF_DNS_HIT, NF_MAX };

struct name_frames {
	unsigned char b[NF_MAX][PKT_MAX];	/* pkt_build() writes PKT_MAX */
	size_t len[NF_MAX];
};

#define MISS_NAME	"www.some-site.example.org"
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
}

#define DOMAINS_MAX	100000

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
		snprintf(name, sizeof(name), "%sh%zu.bulk%zu.example",
			 i & 1 ? "." : "", i, i % 97);
		err = as_domains_add(&d, name, 1ULL << 1);
	}
	if (!err)
		err = as_domains_write(&d, mfd(o, "domains"), mfd(o, "dom_bloom"));
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

static void verdict_mix(const double a[AS_C_MAX], const double b[AS_C_MAX])
{
	static const char *const reason[] = AS_REASON_NAMES;
	double seen = b[AS_C_SEEN] - a[AS_C_SEEN];
	char line[256];
	int len;

	if (seen <= 0)
		return;
	len = snprintf(line, sizeof(line), "#   verdicts: selected %.2f%%",
		       100.0 * (b[AS_C_SELECTED] - a[AS_C_SELECTED]) / seen);
	for (int r = 0; r < AS_DEL_MAX && len < (int)sizeof(line); r++) {
		double d = b[AS_C_DEL_REASON + r] - a[AS_C_DEL_REASON + r];

		if (d > 0)
			len += snprintf(line + len, sizeof(line) - (size_t)len,
					", %s %.2f%%", reason[r], 100.0 * d / seen);
	}
	note("%s\n", line);
}

/* time_prog() with the verdict mix of what it ran. */
static double time_mix(struct bpf_object *o, int fd, const void *pkt,
		       size_t len)
{
	double a[AS_C_MAX], b[AS_C_MAX], ns;

	counters_read(o, a);
	ns = time_prog(fd, pkt, len, NULL);
	counters_read(o, b);
	verdict_mix(a, b);
	return ns;
}

/*
 * The name hook's cost: a DNS query, a TLS ClientHello and an HTTP request
 * whose name is not in the table (what most such packets on a link are),
 * and a DNS query whose name is (expired approval: found, matched, still
 * deleted).  Same addresses as the IPv4 deleted row, which is the IP-only
 * path beside them.
 */
static void name_rows(struct bpf_object *o, int fd,
		      const struct name_frames *nf, double drop, size_t ndoms)
{
	static const char *const what[NF_MAX] = {
		"DNS query", "TLS ClientHello", "HTTP request", "DNS query",
	};
	double ns;

	for (int i = 0; i < NF_MAX; i++) {
		if (i == NF_DNS_HIT && ndoms < 3)
			continue;
		ns = time_mix(o, fd, nf->b[i], nf->len[i]);
		row("drop", drop, ns, "autosel deleted, %s, %s (%zu dom)",
		    what[i], i == NF_DNS_HIT ? "name found" : "no such name",
		    ndoms);
	}
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
	/* For working on one size: BENCH_N=1000000 (no reference, no libpcap). */
	if (getenv("BENCH_N")) {
		static size_t one;

		one = strtoul(getenv("BENCH_N"), NULL, 0);
		counts = &one;
		ncounts = 1;
		only_n = 1;
	}
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
	for (size_t c = 0; c < ncounts; c++) {
		size_t n = counts[c], nind, ndoms = 0;
		struct bp *ind = gen_ind(n, &nind);
		struct bpf_object *o = bpf_object__open_file(as_path, NULL);
		long m0, m1, m2;
		double ns, fill_s;
		int fd, err;
		__u32 naddrs;

		note("# --- %zu IPv4 + %zu IPv6 indicators, domestic %d + %d\n",
		     n, n, DOM4, DOM6);
		if (!o) {
			fprintf(stderr, "bench: cannot open %s\n", as_path);
			return 1;
		}
		/* Size the hashes as the loader does (pfx_counts). */
		{
			size_t p4 = 0, p6 = 0;

			for (size_t j = 0; j < ndom; j++)
				dom[j].family == 4 ? (p4 += dom[j].len > 16) : p6++;
			for (size_t j = 0; j < nind; j++)
				ind[j].family == 4 ? (p4 += ind[j].len > 16) : p6++;
			bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "pfx4"),
						 (__u32)(p4 > 65536 ? p4 : 65536));
			bpf_map__set_max_entries(bpf_object__find_map_by_name(o, "pfx6"),
						 (__u32)(p6 > 65536 ? p6 : 65536));
		}
		m0 = kmem_settled();
		if (bpf_object__load(o)) {
			fprintf(stderr, "bench: cannot load %s\n", as_path);
			return 1;
		}
		m1 = kmem_settled();
		t0 = now_s();
		err = fill_rules(o, ind, nind);
		if (!err)
			err = fill_domains(o, n, &ndoms);
		fill_s = now_s() - t0;
		m2 = kmem_settled();
		if (err || setup_common(o)) {
			fprintf(stderr, "bench: filling maps: %s\n", strerror(-err));
			return 1;
		}
		figure("MB", (m1 - m0) / 1024.0, "memory: autosel maps, empty (N=%zu)", n);
		figure("MB", (m2 - m1) / 1024.0, "memory: rule set filled in (N=%zu)", n);
		figure("s", fill_s, "install: %zu prefixes + %zu domains (N=%zu)",
		       nind + ndom, ndoms, n);
		fd = prog_fd(o, "autosel_xdp");

		set_mode(o, 0, 0);
		ns = time_prog(fd, v4, sizeof(v4), &rv);
		if (rv != XDP_DROP)
			note("# unexpected verdict %u\n", rv);
		row("drop", drop, ns, "autosel deleted, IPv4 64 B, repeated, N=%zu", n);
		ns = time_prog(fd, v6, sizeof(v6), &rv);
		if (rv != XDP_DROP)
			note("# unexpected verdict %u\n", rv);
		row("drop", drop, ns, "autosel deleted, IPv6 78 B, repeated, N=%zu", n);
		ns = time_prog(fd, sel4, sizeof(sel4), &rv);
		if (rv != XDP_REDIRECT)
			note("# unexpected verdict %u\n", rv);
		row("drop", drop, ns, "autosel selected (known flow), IPv4, N=%zu", n);
		ns = time_prog(fd, sel6, sizeof(sel6), &rv);
		if (rv != XDP_REDIRECT)
			note("# unexpected verdict %u\n", rv);
		row("drop", drop, ns, "autosel selected (known flow), IPv6, N=%zu", n);
		name_rows(o, fd, &nf, drop, ndoms);
		set_mode(o, 1, 0);
		ns = time_mix(o, fd, v4, sizeof(v4));
		row("rand_drop", rand4, ns, "autosel deleted, IPv4 64 B, random, N=%zu", n);
		ns = time_mix(o, fd, v6, sizeof(v6));
		row("rand_drop", rand6, ns, "autosel deleted, IPv6 78 B, random, N=%zu", n);
		set_mode(o, 3, fill_zipf(o));
		ns = time_mix(o, fd, v4, sizeof(v4));
		row("rand_drop", randzipf, ns, "autosel, IPv4 64 B, Zipf flows, N=%zu", n);
		set_mode(o, 1, 0);
		if (c + 1 == ncounts) {
			set_mode(o, 0, 0);
			row("drop", drop, time_prog(fd, v4big, sizeof(v4big), NULL),
			    "autosel deleted, IPv4 1500 B, repeated, N=%zu", n);
			row("drop", drop, time_prog(fd, v6big, sizeof(v6big), NULL),
			    "autosel deleted, IPv6 1500 B, repeated, N=%zu", n);
			row("drop", drop, time_prog(fd, vlan, sizeof(vlan), NULL),
			    "autosel deleted, 802.1Q IPv4, repeated, N=%zu", n);
			row("drop", drop, time_prog(fd, qinq, sizeof(qinq), NULL),
			    "autosel deleted, QinQ IPv4, repeated, N=%zu", n);
			set_mode(o, 1, 0);
			row("rand_drop", rand4b, time_prog(fd, v4big, sizeof(v4big), NULL),
			    "autosel deleted, IPv4 1500 B, random, N=%zu", n);
			row("rand_drop", rand6b, time_prog(fd, v6big, sizeof(v6big), NULL),
			    "autosel deleted, IPv6 1500 B, random, N=%zu", n);
			row("rand_drop", randvl, time_prog(fd, vlan, sizeof(vlan), NULL),
			    "autosel deleted, 802.1Q IPv4, random, N=%zu", n);
			row("rand_drop", randqq, time_prog(fd, qinq, sizeof(qinq), NULL),
			    "autosel deleted, QinQ IPv4, random, N=%zu", n);
			/* Tunnels: the inner headers decide (datapath.rst). */
			for (int k = 0; k < 2; k++) {
				set_mode(o, 0, 0);
				ns = time_prog(fd, tun[k][0], sizeof(tun[k][0]), &rv);
				if (rv != XDP_DROP)
					note("# unexpected verdict %u\n", rv);
				row("drop", drop, ns,
				    "autosel deleted, %s / IPv4, repeated, N=%zu",
				    tun_name[k], n);
				ns = time_prog(fd, tun[k][1], sizeof(tun[k][1]), &rv);
				if (rv != XDP_REDIRECT)
					note("# unexpected verdict %u\n", rv);
				row("drop", drop, ns,
				    "autosel selected (known flow), %s / IPv4, N=%zu",
				    tun_name[k], n);
				set_mode_at(o, 1, 0, TUN_L3_OFF);
				row("rand_drop", randtun[k],
				    time_prog(fd, tun[k][0], sizeof(tun[k][0]), NULL),
				    "autosel deleted, %s / IPv4, random inner, N=%zu",
				    tun_name[k], n);
			}
			set_mode(o, 1, 0);
		}
		/*
		 * Last: every packet a new selected flow, which fills the flow
		 * table (and its marks) for the rest of this object's life
		 * (the bench's clock stands still).
		 */
		naddrs = fill_addrs(o, ind, nind);	/* after mode 3's table */
		set_mode(o, 2, naddrs);
		ns = time_mix(o, fd, sel4, sizeof(sel4));
		row("rand_drop", randsel, ns,
		    "autosel selected, new flows, random, IPv4, N=%zu", n);
		/* Deleted traffic again, now beside a full flow table. */
		set_mode(o, 1, 0);
		ns = time_mix(o, fd, v4, sizeof(v4));
		row("rand_drop", rand4, ns,
		    "autosel deleted, IPv4 64 B, random, flow table full, N=%zu", n);

		/* The naive design beside it: 2 LPM-trie lookups (IPv4 only). */
		if (!only_n) {
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
		bpf_object__close(o);
		free(ind);
	}

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
