/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench: what bench.c shares with the peers measured in files of their own
 * (bench_xdpfilter.c).
 */
#ifndef AUTOSEL_BENCH_H
#define AUTOSEL_BENCH_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_object;

/* One generated prefix: the indicators and the domestic map. */
struct bp {
	__u8 family, len;
	__u8 addr[16];
	__u64 mask;
};

/* A table row, a note line, a figure (output and JSON: bench.c). */
void row(const char *base, double base_ns, double ns, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void figure(const char *unit, double v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Median over the rounds of the kernel's mean ns per repeat; -1 on failure. */
double time_prog(int fd, const void *pkt, size_t len, __u32 *retval);

/* n IPv4 + n IPv6 indicators (the same generator as the autosel rows). */
struct bp *gen_ind(size_t n, size_t *count);

/*
 * xdp-tools' xdp-filter beside the floors of the drop object d (bare_drop
 * and, through rand_peer, the address-varying step): objects from dir.
 */
void bench_xdpfilter(const char *dir, struct bpf_object *d,
		     const unsigned char *v4, size_t len4,
		     const unsigned char *v6, size_t len6, int quick);

#endif /* AUTOSEL_BENCH_H */
