/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: load build/autosel.bpf.o, write its maps directly and
 * run frames through it with BPF_PROG_TEST_RUN.  No traffic, no attach.
 */
#ifndef AUTOSEL_SELFTEST_XDP_ENV_H
#define AUTOSEL_SELFTEST_XDP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>

#include <autosel/abi.h>

struct bpf_object;

struct xenv {
	struct bpf_object *obj;
	int prog;
	int config, approvals;
	int flows, frags, counters, slot_counters, tx_port;
	void *r4;			/* struct as_r4: IPv4's prefixes */
	void *r6;			/* struct as_r6: IPv6's prefixes */
	int r4_dirty, r6_dirty;		/* added to since last written */
	int ncpus;
	uint64_t now;			/* config.fixed_now_ns in force */
};

/*
 * enum xdp_action's values, for files that cannot include <linux/bpf.h>
 * (libpcap's <pcap/bpf.h> defines struct bpf_insn too).
 */
#define XENV_XDP_DROP		1
#define XENV_XDP_REDIRECT	4

/*
 * Room for the largest frame a capture holds (snap length 262144) and the
 * metadata in front of it: test_run copies a dropped frame back whole and
 * fails with ENOSPC -- after running the program -- if it does not fit.
 */
#define XENV_OUT_MAX	(262144 + 64)

/*
 * test_run cannot hold a frame of more than MAX_SKB_FRAGS pages (ENOMEM,
 * before the program runs); neither can a real XDP buffer.  Such frames
 * (BIG TCP captures) are fed clipped to this length, like a snap length.
 */
#define XENV_CLIP	65536

struct xrun {
	uint32_t retval;		/* XDP_* */
	uint32_t out_len;		/* bytes of data_out, metadata included */
	uint8_t out[XENV_OUT_MAX];
};

/* A verdict: selected under a slot, or deleted for an enum as_reason. */
#define XENV_SEL(slot)		(slot)
#define XENV_DEL(reason)	(100 + (reason))

/*
 * The verdict of one run from the counters before (c0) and after (c1) and
 * its output: XENV_DEL(reason), or XENV_SEL(the kept record's slot); -1
 * unless exactly one packet was seen and given exactly one verdict
 * (*moved: how many were counted).
 */
int xenv_verdict(const uint64_t *c0, const uint64_t *c1,
		 const struct xrun *r, int *moved);

/* "slot N" or "deleted REASON (N)" for a verdict, into buf. */
const char *xenv_verdict_str(int v, char *buf, size_t len);

/*
 * Open and load the object (AUTOSEL_BPF_OBJ, else the built-in path),
 * point tx_port at lo so that selection returns XDP_REDIRECT, and set
 * fixed_now_ns.  Returns 0; or -1 with *skip set when the environment
 * lacks something (not root, no BPF) and a reason in why; or -1 with
 * *skip clear on a real failure (object missing, load refused).
 */
int xenv_open(struct xenv *e, int *skip, char *why, size_t whylen);
/*
 * Test-only: the maps named here (NULL-terminated; NULL: none) lose
 * BPF_F_WRONLY before the next xenv_open() loads, so that a test can read
 * back what the program leaves in them.
 */
extern const char *const *xenv_readable_maps;
void xenv_close(struct xenv *e);

int xenv_set_now(struct xenv *e, uint64_t now_ns);
/*
 * The live clock (datapath.rst, "Time"): the program reads CLOCK_MONOTONIC
 * (+ offset_ns) for decisions and CLOCK_MONOTONIC_COARSE for its marks.
 */
int xenv_set_live_clock(struct xenv *e, uint64_t offset_ns);
uint64_t xenv_clock_ns(clockid_t id);
uint64_t xenv_coarse_tick(void);
uint64_t xenv_sweep_time(uint64_t after, uint32_t from, uint32_t to,
			 uint32_t n);
/*
 * A map of states ("hello", "quic_held": a bpf_spin_lock, then a __u32
 * state, 0 empty), made readable (xenv_readable_maps): how many slots are
 * live, -1 on error; *dirty when an empty slot holds any byte that is not
 * zero; the index of each live one in slots[0..nslots).
 */
int xenv_state_slots(struct xenv *e, const char *map, bool *dirty,
		     uint32_t *slots, int nslots);
int xenv_set_idle(struct xenv *e, uint64_t idle_ns);
/* config.marks_all_until_ns: as a rule-set swap sets it. */
int xenv_set_marks_all(struct xenv *e, uint64_t until_ns);
/* config.no_decap: 1 = the outer headers decide on every port (issue #13). */
int xenv_set_no_decap(struct xenv *e, uint32_t no_decap);
/*
 * Empty the domestic map and the indicators (both range tables):
 * with xenv_add_*() after it, a new rule set as a swap brings it, but with
 * this object's flows and marks.
 */
int xenv_clear_prefixes(struct xenv *e);
/* How many flow marks of one half (0: every flow, 1: by name) are set. */
int xenv_marks_set(struct xenv *e, int half);
/* Clear every flow mark (both halves): the flow table is not touched. */
int xenv_marks_clear(struct xenv *e);
int xenv_set_approval(struct xenv *e, uint32_t slot, uint8_t type,
		      uint64_t from, uint64_t until, uint32_t uid, int active);
/*
 * addr: 4 or 16 bytes.  An indicator entry holds the whole slot mask of
 * its prefix (the data path does one longest-prefix lookup, so a longer
 * prefix must carry the bits of the shorter ones covering it).
 */
int xenv_add_domestic(struct xenv *e, int family, const uint8_t *addr,
		      uint32_t plen);
int xenv_add_indicator(struct xenv *e, int family, const uint8_t *addr,
		       uint32_t plen, uint64_t mask);

/*
 * Prefixes are collected and the range tables rebuilt and written
 * before the next run (xenv_run() does it); for a test_run of its own, a
 * test calls this first.  Returns 0 or -errno.
 */
int xenv_sync(struct xenv *e);

/* One BPF_PROG_TEST_RUN.  Returns 0 or -errno. */
int xenv_run(struct xenv *e, const void *frame, size_t len, struct xrun *r);
/*
 * The same into a buffer of the caller's (cap bytes: a frame that is
 * dropped comes back whole, so at least its length), without clearing it.
 */
int xenv_run_into(struct xenv *e, const void *frame, size_t len, void *out,
		  size_t cap, uint32_t *retval, uint32_t *out_len);

/* Sums over CPUs. */
int xenv_counters(struct xenv *e, uint64_t c[AS_C_MAX]);
/* One counter summed over CPUs; ~0 if it cannot be read. */
uint64_t xenv_counter(struct xenv *e, unsigned int idx);
/* The fd of the object's map called name, -1 if it has none. */
int xenv_map_fd(struct xenv *e, const char *name);
int xenv_slot(struct xenv *e, uint32_t slot, struct as_slot_counters *sc);

#endif /* AUTOSEL_SELFTEST_XDP_ENV_H */
