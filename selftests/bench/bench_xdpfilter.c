// SPDX-License-Identifier: GPL-2.0
/*
 * bench: xdp-tools' xdp-filter as a peer, from Debian's BPF objects
 * (package libxdp1, pulled in by xdp-tools: /usr/lib/<triplet>/bpf).
 *
 * xdp-filter picks one of ten objects by the features asked for; with the
 * default policy ("allow": pass what matches no rule, drop what does --
 * a deny list, the way autosel deletes) it loads
 *
 *   xdpfilt_alw_ip.o   for `xdp-filter load --features ipv4,ipv6 IFACE`
 *   xdpfilt_alw_all.o  for `xdp-filter load IFACE` (also Ethernet
 *                      addresses and TCP/UDP ports)
 *
 * Both are timed here, loaded with libbpf directly (the program itself,
 * not libxdp's dispatcher; its maps unpinned, so nothing of an installed
 * xdp-filter is touched).  `xdp-filter ip ADDR --mode src,dst` stores, per
 * exact address, a per-CPU __u64 whose low bits are mode flags (1 source,
 * 2 destination) and whose upper bits count hits; the keys are the raw
 * IPv4 address (__u32, network order) or the 16-byte IPv6 address.  The
 * maps hold 10,000 entries each, so the bench's counts stop there: the
 * addresses of the first 1, 1k or 10k of the bench's IPv4 and IPv6
 * indicators, as /32 and /128.
 *
 * Rows: a packet that matches none (both lookups, the common case,
 * XDP_PASS) and one whose source is listed (XDP_DROP), against the bare
 * drop; random addresses by putting the bench's address-varying step in
 * front through a tail call (drop.bpf.c's rand_peer), against the same
 * step tail-calling the bare drop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"

#define FILT_SRC	1
#define FILT_DST	2
#define FILT_MAX	10000

struct mode_val {
	__u32 mode, naddrs;
};

static int set_rand(struct bpf_object *d, __u32 mode)
{
	struct mode_val m = { .mode = mode };
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_object__find_map_fd_by_name(d, "bench_mode"),
				   &zero, &m, BPF_ANY);
}

static int set_peer(struct bpf_object *d, int fd)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_object__find_map_fd_by_name(d, "peer_prog"),
				   &zero, &fd, BPF_ANY);
}

static int prog_fd(struct bpf_object *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, name);

	return p ? bpf_program__fd(p) : -1;
}

/* What `xdp-filter ip ADDR --mode src,dst` writes: the flags on every CPU. */
static int add_addr(int fd, const void *key, __u64 *vals, int ncpu)
{
	for (int i = 0; i < ncpu; i++)
		vals[i] = FILT_SRC | FILT_DST;
	return bpf_map_update_elem(fd, key, vals, BPF_ANY) ? -errno : 0;
}

/* The first n IPv4 and n IPv6 addresses of ind[] into the two maps. */
static int fill(struct bpf_object *o, const struct bp *ind, size_t nind,
		size_t n)
{
	int fd4 = bpf_object__find_map_fd_by_name(o, "filter_ipv4");
	int fd6 = bpf_object__find_map_fd_by_name(o, "filter_ipv6");
	int ncpu = libbpf_num_possible_cpus();
	size_t n4 = 0, n6 = 0;
	__u64 *vals;
	int err = 0;

	if (fd4 < 0 || fd6 < 0 || ncpu <= 0)
		return -ENOENT;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (size_t j = 0; j < nind && !err && (n4 < n || n6 < n); j++) {
		if (ind[j].family == 4 && n4 < n) {
			err = add_addr(fd4, ind[j].addr, vals, ncpu);
			n4++;
		} else if (ind[j].family == 6 && n6 < n) {
			err = add_addr(fd6, ind[j].addr, vals, ncpu);
			n6++;
		}
	}
	free(vals);
	return err;
}

/* Open and load one object, its pinned maps made private; NULL + note on failure. */
static struct bpf_object *open_filter(const char *path, int *fd)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	struct bpf_map *m;
	char err[128];
	int ret;

	ret = libbpf_get_error(o);
	if (ret) {
		libbpf_strerror(ret, err, sizeof(err));
		note("# xdp-filter: cannot open %s: %s\n", path, err);
		return NULL;
	}
	bpf_object__for_each_map(m, o)
		bpf_map__set_pin_path(m, NULL);
	ret = bpf_object__load(o);
	if (ret) {
		libbpf_strerror(ret, err, sizeof(err));
		note("# xdp-filter: cannot load %s: %s\n", path, err);
		bpf_object__close(o);
		return NULL;
	}
	p = bpf_object__next_program(o, NULL);
	*fd = p ? bpf_program__fd(p) : -1;
	if (*fd < 0) {
		note("# xdp-filter: no program in %s\n", path);
		bpf_object__close(o);
		return NULL;
	}
	return o;
}

static void verdict(__u32 got, __u32 want, const char *what)
{
	if (got != want)
		note("# xdp-filter: unexpected verdict %u (%s)\n", got, what);
}

void bench_xdpfilter(const char *dir, struct bpf_object *d,
		     const unsigned char *v4, size_t len4,
		     const unsigned char *v6, size_t len6, int quick)
{
	static const struct {
		const char *obj, *name;
	} variants[] = {
		{ "xdpfilt_alw_ip.o", "xdp-filter ip" },
		{ "xdpfilt_alw_all.o", "xdp-filter all" },
	};
	static const size_t counts[] = { 1, 1000, FILT_MAX };
	int fd_drop = prog_fd(d, "bare_drop"), fd_rand = prog_fd(d, "rand_peer");
	double drop, rand4, rand6, ns;
	unsigned char hit4[128];
	size_t nind;
	struct bp *ind;
	__u32 rv;

	note("# --- xdp-tools' xdp-filter (%s), policy allow: drop what is listed; "
	     "N = IPv4 + IPv6 exact addresses\n", dir);
	if (fd_drop < 0 || fd_rand < 0 || len4 > sizeof(hit4))
		return;
	/* The floors again, beside it (the table's may be minutes old). */
	drop = time_prog(fd_drop, v4, len4, NULL);
	row("", 0, drop, "bare XDP_DROP (64 B), again");
	if (set_peer(d, fd_drop) || set_rand(d, 1)) {
		note("# xdp-filter: cannot set up the tail call: %s\n",
		     strerror(errno));
		return;
	}
	rand4 = time_prog(fd_rand, v4, len4, NULL);
	row("drop", drop, rand4, "rand_peer IPv4 (varying step, tail call, drop)");
	rand6 = time_prog(fd_rand, v6, len6, NULL);
	row("drop", drop, rand6, "rand_peer IPv6");
	set_rand(d, 0);

	ind = gen_ind(FILT_MAX, &nind);
	/* A packet whose source is the first IPv4 indicator (203.0.113.0). */
	memcpy(hit4, v4, len4);
	memcpy(hit4 + 26, ind[0].addr, 4);

	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		for (size_t c = 0; c < (quick ? 2 : 3); c++) {
			char path[512];
			struct bpf_object *o;
			int fd, err;

			snprintf(path, sizeof(path), "%s/%s", dir, variants[v].obj);
			o = open_filter(path, &fd);
			if (!o)
				break;
			err = fill(o, ind, nind, counts[c]);
			if (err) {
				note("# xdp-filter: filling %s: %s\n", path,
				     strerror(-err));
				bpf_object__close(o);
				break;
			}
			ns = time_prog(fd, v4, len4, &rv);
			verdict(rv, XDP_PASS, "IPv4 listed nowhere");
			row("drop", drop, ns, "%s, IPv4 64 B, not listed, repeated, N=%zu",
			    variants[v].name, counts[c]);
			ns = time_prog(fd, v6, len6, &rv);
			verdict(rv, XDP_PASS, "IPv6 listed nowhere");
			row("drop", drop, ns, "%s, IPv6 78 B, not listed, repeated, N=%zu",
			    variants[v].name, counts[c]);
			ns = time_prog(fd, hit4, len4, &rv);
			verdict(rv, XDP_DROP, "IPv4 source listed");
			row("drop", drop, ns, "%s, IPv4 64 B, source listed, N=%zu",
			    variants[v].name, counts[c]);
			if (!set_peer(d, fd) && !set_rand(d, 1)) {
				row("rand_peer", rand4, time_prog(fd_rand, v4, len4, NULL),
				    "%s, IPv4 64 B, random, N=%zu", variants[v].name,
				    counts[c]);
				row("rand_peer", rand6, time_prog(fd_rand, v6, len6, NULL),
				    "%s, IPv6 78 B, random, N=%zu", variants[v].name,
				    counts[c]);
			} else {
				note("# xdp-filter: no tail call into %s: %s; "
				     "random-address rows not taken\n", path,
				     strerror(errno));
			}
			set_rand(d, 0);
			set_peer(d, fd_drop);
			bpf_object__close(o);
		}
	}
	free(ind);
}
