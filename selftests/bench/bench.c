// SPDX-License-Identifier: GPL-2.0
/*
 * bench: per-packet cost of the autosel XDP program under BPF_PROG_TEST_RUN
 * beside a bare XDP_DROP, measured in the same run.
 *
 * For each indicator count it loads a fresh copy of build/autosel.bpf.o,
 * fills ind4 with that many /24 and /32 prefixes (one approval, type ff),
 * and times a 64-byte TCP SYN that is deleted (no_match) and one that is
 * selected.  The figure is the kernel-reported average ns per repeat; the
 * median of ROUNDS runs is printed, with its ratio to the bare drop.
 * Repeated-address runs only.
 *
 * BPF_PROG_TEST_RUN does not restore the frame between repeats: after the
 * first repeat the "selected" frame is already truncated and its flow is in
 * the flow table, so that figure is the cost of a packet of a known flow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "autosel/abi.h"

#define ROUNDS	5
#define REPEAT	1000000

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int time_prog(int fd, const void *pkt, size_t len, __u32 *ns,
		     __u32 *retval)
{
	__u32 d[ROUNDS];
	unsigned char out[4096];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o,
			    .data_in = pkt, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out),
			    .repeat = REPEAT);
		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "bench: test run: %s (out %u)\n", strerror(errno), o.data_size_out);
			return -1;
		}
		d[i] = o.duration;
		*retval = o.retval;
	}
	qsort(d, ROUNDS, sizeof(d[0]), cmp_u32);
	*ns = d[ROUNDS / 2];
	return 0;
}

/* A 64-byte Ethernet/IPv4/TCP SYN from src to dst. */
static void make_syn(unsigned char *p, __u32 src, __u32 dst)
{
	memset(p, 0, 64);
	memset(p, 0x02, 6);
	memset(p + 6, 0x04, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[17] = 50;			/* total length: 64 - 14 */
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, &src, 4);
	memcpy(p + 30, &dst, 4);
	p[34] = 0x30; p[35] = 0x39;	/* 12345 */
	p[36] = 0x00; p[37] = 0x50;	/* 80 */
	p[46] = 0x50;
	p[47] = 0x02;			/* SYN */
}

static int fill(struct bpf_object *obj, __u32 n)
{
	int ind = bpf_object__find_map_fd_by_name(obj, "ind4");
	int appr = bpf_object__find_map_fd_by_name(obj, "approvals");
	int tx = bpf_object__find_map_fd_by_name(obj, "tx_port");
	int cfg = bpf_object__find_map_fd_by_name(obj, "config");
	struct as_approval a = { .valid_until_ns = ~0ULL, .uid = 1,
				 .type = AS_DIR_FF, .active = 1 };
	struct as_config c = { .fixed_now_ns = 1 };
	__u32 zero = 0, lo = 1, i;
	__u64 mask = 1;

	if (bpf_map_update_elem(appr, &zero, &a, 0) ||
	    bpf_map_update_elem(tx, &zero, &lo, 0) ||
	    bpf_map_update_elem(cfg, &zero, &c, 0))
		return -errno;
	/* Spread prefixes over 1.0.0.0-126.255.255.255, the matched one last. */
	for (i = 0; i + 1 < n; i++) {
		struct as_lpm4 k = { .prefixlen = (i & 1) ? 32 : 24 };
		__u32 v = 0x01000000u + i * 509u * 256u % 0x7e000000u;

		v = htonl(k.prefixlen == 24 ? v & 0xffffff00u : v);
		memcpy(k.addr, &v, 4);
		if (bpf_map_update_elem(ind, &k, &mask, 0))
			return -errno;
	}
	{
		struct as_lpm4 k = { .prefixlen = 24,
				     .addr = { 203, 0, 113, 0 } };

		if (bpf_map_update_elem(ind, &k, &mask, 0))
			return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj_path = argc > 1 ? argv[1] : "build/autosel.bpf.o";
	const char *drop_path = argc > 2 ? argv[2] : "build/bench/drop.bpf.o";
	static const __u32 counts[] = { 1, 10000, 1000000 };
	unsigned char del[64], sel[64];
	struct bpf_object *dobj;
	__u32 drop_ns, r;
	unsigned int i;

	libbpf_set_print(NULL);
	make_syn(del, htonl(0xc6336407), htonl(0xc0000201));	/* no match */
	make_syn(sel, htonl(0xcb007107), htonl(0xc0000201));	/* 203.0.113.7 */

	dobj = bpf_object__open_file(drop_path, NULL);
	if (!dobj || bpf_object__load(dobj)) {
		fprintf(stderr, "bench: cannot load %s\n", drop_path);
		return 1;
	}
	if (time_prog(bpf_program__fd(bpf_object__next_program(dobj, NULL)),
		      del, 64, &drop_ns, &r)) {
		fprintf(stderr, "bench: test run failed: %s\n", strerror(errno));
		return 1;
	}
	printf("%-34s %8s %8s\n", "program (64 B IPv4 TCP SYN)", "ns/pkt", "x drop");
	printf("%-34s %8u %8.2f\n", "bare XDP_DROP", drop_ns, 1.0);

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
		__u32 ns_del, ns_sel, rd, rs;
		char name[64];
		int fd, err;

		if (!obj || bpf_object__load(obj)) {
			fprintf(stderr, "bench: cannot load %s\n", obj_path);
			return 1;
		}
		err = fill(obj, counts[i]);
		if (err) {
			fprintf(stderr, "bench: filling maps: %s\n", strerror(-err));
			return 1;
		}
		fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "autosel_xdp"));
		if (time_prog(fd, del, 64, &ns_del, &rd) ||
		    time_prog(fd, sel, 64, &ns_sel, &rs)) {
			return 1;
		}
		if (rd != XDP_DROP || rs != XDP_REDIRECT) {
			fprintf(stderr, "bench: unexpected verdicts %u/%u\n", rd, rs);
			return 1;
		}
		snprintf(name, sizeof(name), "autosel deleted, %u ind.", counts[i]);
		printf("%-34s %8u %8.2f\n", name, ns_del, (double)ns_del / drop_ns);
		snprintf(name, sizeof(name), "autosel selected, %u ind.", counts[i]);
		printf("%-34s %8u %8.2f\n", name, ns_sel, (double)ns_sel / drop_ns);
		bpf_object__close(obj);
	}
	bpf_object__close(dobj);
	printf("# median of %d runs of %d repeats; selected = packet of a known flow\n",
	       ROUNDS, REPEAT);
	return 0;
}
