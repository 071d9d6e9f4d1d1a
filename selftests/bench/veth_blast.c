// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the two halves of the veth throughput run (veth.sh).
 *
 *   veth_blast attach IFACE OBJ PROG
 *       attach PROG of OBJ to IFACE in native (driver) mode and leave it
 *       there (veth.sh detaches it with `ip link set dev IFACE xdp off`)
 *   veth_blast send IFACE OBJ MODE FRAMES SECONDS
 *       load OBJ's blast program (veth.bpf.c), point it at IFACE and run
 *       it with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: a
 *       64-byte IPv4 TCP SYN (198.51.100.7 -> 192.0.2.1, the bench's
 *       deleted packet) sent out of IFACE FRAMES times at most, for
 *       SECONDS at most; MODE 0 sends it as it is, MODE 1 with a random
 *       source and destination per frame.  Prints "FRAMES_OFFERED
 *       ELAPSED_S KERNEL_S": wall-clock time, and the time the kernel
 *       reports for the runs (test_run's duration, ns per frame, times the
 *       frames), which leaves out the time the sender was scheduled out.
 *
 * Run each in the namespace of its interface (ip netns exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CHUNK	(1U << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct bpf_object *load(const char *path)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);

	if (libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "veth_blast: cannot load %s\n", path);
		exit(1);
	}
	return o;
}

static int prog(struct bpf_object *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, name);

	if (!p) {
		fprintf(stderr, "veth_blast: no program %s\n", name);
		exit(1);
	}
	return bpf_program__fd(p);
}

static unsigned int ifindex(const char *name)
{
	unsigned int i = if_nametoindex(name);

	if (!i) {
		fprintf(stderr, "veth_blast: %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return i;
}

/* Ethernet / IPv4 / TCP SYN, 64 bytes (checksums left zero: nobody reads them). */
static void make_frame(unsigned char *p)
{
	memset(p, 0, 64);
	memset(p, 0x02, 6);
	memset(p + 6, 0x04, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[17] = 64 - 14;
	p[22] = 64;
	p[23] = 6;
	inet_pton(AF_INET, "198.51.100.7", p + 26);
	inet_pton(AF_INET, "192.0.2.1", p + 30);
	p[34] = 0x30;
	p[35] = 0x39;
	p[37] = 0x50;
	p[46] = 0x50;
	p[47] = 0x02;
}

static int attach(const char *ifname, const char *obj, const char *name)
{
	struct bpf_object *o = load(obj);

	if (bpf_xdp_attach((int)ifindex(ifname), prog(o, name),
			   XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "veth_blast: attach %s to %s: %s\n", name,
			ifname, strerror(errno));
		return 1;
	}
	return 0;
}

static int send_frames(const char *ifname, const char *obj, unsigned int mode,
		       unsigned long long frames, double seconds)
{
	struct bpf_object *o = load(obj);
	__u32 zero = 0, ifi = ifindex(ifname), m[2] = { mode, 0 };
	unsigned long long sent = 0;
	unsigned char frame[64];
	double t0, el = 0, kns = 0;
	int fd = prog(o, "blast");

	if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(o, "blast_if"),
				&zero, &ifi, BPF_ANY) ||
	    bpf_map_update_elem(bpf_object__find_map_fd_by_name(o, "bench_mode"),
				&zero, m, BPF_ANY)) {
		fprintf(stderr, "veth_blast: setting up: %s\n", strerror(errno));
		return 1;
	}
	make_frame(frame);
	t0 = now_s();
	while (sent < frames && el < seconds) {
		__u32 n = frames - sent < CHUNK ? (__u32)(frames - sent) : CHUNK;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = sizeof(frame), .repeat = n,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(fd, &opts)) {
			fprintf(stderr, "veth_blast: test run: %s\n",
				strerror(errno));
			return 1;
		}
		sent += n;
		kns += (double)opts.duration * n;
		el = now_s() - t0;
	}
	printf("%llu %.4f %.4f\n", sent, el, kns / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return attach(argv[2], argv[3], argv[4]);
	if (argc == 7 && !strcmp(argv[1], "send"))
		return send_frames(argv[2], argv[3], (unsigned int)atoi(argv[4]),
				   strtoull(argv[5], NULL, 0), atof(argv[6]));
	fprintf(stderr, "usage: veth_blast attach IFACE OBJ PROG\n"
		"       veth_blast send IFACE OBJ MODE FRAMES SECONDS\n");
	return 2;
}
