// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * autosel selftests: the XDP program under BPF_PROG_TEST_RUN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_env.h"
#include <autosel/flat.h>
#include <autosel/range4.h>

#ifndef AUTOSEL_BPF_OBJ
#define AUTOSEL_BPF_OBJ "build/autosel.bpf.o"
#endif

_Static_assert(XENV_XDP_DROP == XDP_DROP && XENV_XDP_REDIRECT == XDP_REDIRECT,
	       "enum xdp_action");

static int silent_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_WARN && getenv("KSFT_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int xenv_map_fd(struct xenv *e, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(e->obj, name);

	return m ? bpf_map__fd(m) : -1;
}

const char *const *xenv_readable_maps;

int xenv_open(struct xenv *e, int *skip, char *why, size_t whylen)
{
	const char *path = getenv("AUTOSEL_BPF_OBJ");
	struct bpf_program *prog;
	__u32 key = 0, lo = 1;
	int err;

	memset(e, 0, sizeof(*e));
	*skip = 0;
	if (!path || !*path)
		path = AUTOSEL_BPF_OBJ;
	if (geteuid() != 0) {
		*skip = 1;
		snprintf(why, whylen, "needs root for BPF_PROG_TEST_RUN");
		return -1;
	}
	if (access(path, R_OK)) {
		snprintf(why, whylen, "%s: %s (build it: make build/autosel.bpf.o)",
			 path, strerror(errno));
		return -1;
	}
	libbpf_set_print(silent_print);
	e->obj = bpf_object__open_file(path, NULL);
	if (!e->obj) {
		snprintf(why, whylen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; xenv_readable_maps && xenv_readable_maps[i]; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(e->obj,
							 xenv_readable_maps[i]);

		if (m)
			bpf_map__set_map_flags(m, bpf_map__map_flags(m) &
					       ~(__u32)BPF_F_WRONLY);
	}
	err = bpf_object__load(e->obj);
	if (err) {
		/* EPERM with euid 0 means BPF is locked down here. */
		*skip = err == -EPERM;
		snprintf(why, whylen, "load %s: %s", path, strerror(-err));
		goto fail;
	}
	prog = bpf_object__find_program_by_name(e->obj, "autosel_xdp");
	if (!prog) {
		snprintf(why, whylen, "%s: no program autosel_xdp", path);
		goto fail;
	}
	e->prog = bpf_program__fd(prog);
	e->config = xenv_map_fd(e, "config");
	e->approvals = xenv_map_fd(e, "approvals");
	e->flows = xenv_map_fd(e, "flows");
	e->frags = xenv_map_fd(e, "frags");
	e->counters = xenv_map_fd(e, "counters");
	e->slot_counters = xenv_map_fd(e, "slot_counters");
	e->tx_port = xenv_map_fd(e, "tx_port");
	if (e->config < 0 || e->approvals < 0 || e->flows < 0 ||
	    e->frags < 0 || e->counters < 0 || e->slot_counters < 0 ||
	    e->tx_port < 0) {
		snprintf(why, whylen, "%s: a map of the contract is missing", path);
		goto fail;
	}
	e->r4 = calloc(1, sizeof(struct as_r4));
	e->r6 = calloc(1, sizeof(struct as_r6));
	if (!e->r4 || !e->r6) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		snprintf(why, whylen, "libbpf_num_possible_cpus: %d", e->ncpus);
		goto fail;
	}
	/* The collection device: any device does, test_run sends nothing. */
	if (bpf_map_update_elem(e->tx_port, &key, &lo, BPF_ANY)) {
		snprintf(why, whylen, "tx_port <- lo: %s", strerror(errno));
		goto fail;
	}
	if (xenv_set_now(e, 1)) {
		snprintf(why, whylen, "config: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	free(e->r4);
	e->r4 = NULL;
	free(e->r6);
	e->r6 = NULL;
	bpf_object__close(e->obj);
	e->obj = NULL;
	return -1;
}

void xenv_close(struct xenv *e)
{
	if (e->r4)
		as_r4_free(e->r4);
	free(e->r4);
	e->r4 = NULL;
	if (e->r6)
		as_r6_free(e->r6);
	free(e->r6);
	e->r6 = NULL;
	bpf_object__close(e->obj);
	e->obj = NULL;
}

/* Set one __u64 field of config (offsetof), the others as they are. */
static int config_set(struct xenv *e, size_t off, uint64_t v)
{
	struct as_config c;
	__u32 key = 0;

	if (bpf_map_lookup_elem(e->config, &key, &c))
		return -errno;
	memcpy((char *)&c + off, &v, sizeof(v));
	return bpf_map_update_elem(e->config, &key, &c, BPF_ANY) ? -errno : 0;
}

int xenv_set_now(struct xenv *e, uint64_t now_ns)
{
	e->now = now_ns;
	return config_set(e, offsetof(struct as_config, fixed_now_ns), now_ns);
}

uint64_t xenv_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The next tick of CLOCK_MONOTONIC_COARSE (at most 100 ms away), or 0. */
uint64_t xenv_coarse_tick(void)
{
	uint64_t c0 = xenv_clock_ns(CLOCK_MONOTONIC_COARSE), c;
	uint64_t until = xenv_clock_ns(CLOCK_MONOTONIC) + 100000000ULL;

	while ((c = xenv_clock_ns(CLOCK_MONOTONIC_COARSE)) == c0)
		if (xenv_clock_ns(CLOCK_MONOTONIC) > until)
			return 0;
	return c;
}

/*
 * A time after `after` at which a new state in slot `from` of an n-slot
 * table (n a power of two) sweeps slot `to`: as_hello_sweep() and
 * as_qheld_sweep() look at (from + n / 2 + (now >> 10)) & (n - 1).
 */
uint64_t xenv_sweep_time(uint64_t after, uint32_t from, uint32_t to,
			 uint32_t n)
{
	uint64_t base = (after + (1ULL << 18)) & ~((1ULL << 18) - 1);

	return base + ((uint64_t)((to - from - n / 2) & (n - 1)) << 10);
}

int xenv_state_slots(struct xenv *e, const char *map, bool *dirty,
		     uint32_t *slots, int nslots)
{
	int fd = xenv_map_fd(e, map), live = 0;
	struct bpf_map_info info;
	__u32 il = sizeof(info), k;
	uint8_t *v;
	size_t i;

	*dirty = false;
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &il))
		return -1;
	v = malloc(info.value_size);
	if (!v)
		return -1;
	for (k = 0; k < info.max_entries; k++) {
		uint32_t state;

		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -1;
		}
		memcpy(&state, v + 4, 4);	/* after the spin lock */
		if (state) {
			if (live < nslots)
				slots[live] = k;
			live++;
			continue;
		}
		for (i = 0; i < info.value_size; i++)
			if (v[i])
				*dirty = true;
	}
	free(v);
	return live;
}

/* The program's own clock plus offset_ns (as_now()); fixed time off. */
int xenv_set_live_clock(struct xenv *e, uint64_t offset_ns)
{
	e->now = 0;
	return config_set(e, offsetof(struct as_config, fixed_now_ns), 0) ?:
	       config_set(e, offsetof(struct as_config, clock_offset_ns),
			  offset_ns);
}

int xenv_set_idle(struct xenv *e, uint64_t idle_ns)
{
	return config_set(e, offsetof(struct as_config, flow_idle_ns), idle_ns);
}

int xenv_set_marks_all(struct xenv *e, uint64_t until_ns)
{
	return config_set(e, offsetof(struct as_config, marks_all_until_ns),
			  until_ns);
}

/* config.no_decap: a __u32, so not through config_set(). */
int xenv_set_no_decap(struct xenv *e, uint32_t no_decap)
{
	struct as_config c;
	__u32 key = 0;

	if (bpf_map_lookup_elem(e->config, &key, &c))
		return -errno;
	c.no_decap = no_decap;
	return bpf_map_update_elem(e->config, &key, &c, BPF_ANY) ? -errno : 0;
}

/* Empty every map of the prefix sets, as a fresh object has them. */
int xenv_clear_prefixes(struct xenv *e)
{
	as_r4_free(e->r4);
	as_r6_free(e->r6);
	e->r4_dirty = e->r6_dirty = 1;
	return 0;
}

static int sync6(struct xenv *e)
{
	static const char *const names[6] = AS_R6_MAP_NAMES;
	struct as_r6 *t = e->r6;
	size_t max[6];
	int fd[6];

	for (int i = 0; i < 6; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(e->obj,
								 names[i]);

		if (!m)
			return -ENOENT;
		fd[i] = bpf_map__fd(m);
		max[i] = bpf_map__max_entries(m);
	}
	errno = 0;
	if (as_r6_build(t) || as_r6_write(t, fd, max))
		return errno ? -errno : -ENOMEM;
	return 0;
}

int xenv_sync(struct xenv *e)
{
	struct as_r4 *t = e->r4;
	struct bpf_map *rng = bpf_object__find_map_by_name(e->obj, "rng4");
	struct bpf_map *val = bpf_object__find_map_by_name(e->obj, "val4");
	int err;

	if (e->r6_dirty) {
		err = sync6(e);
		if (err)
			return err;
		e->r6_dirty = 0;
	}
	if (!e->r4_dirty)
		return 0;
	if (!rng || !val)
		return -ENOENT;
	if (as_r4_build(t) ||
	    as_r4_write(t, xenv_map_fd(e, "guard4"), xenv_map_fd(e, "rdir4"),
			bpf_map__fd(rng),
			bpf_map__fd(val), bpf_map__max_entries(rng),
			bpf_map__max_entries(val)))
		return errno ? -errno : -ENOMEM;
	e->r4_dirty = 0;
	return 0;
}

int xenv_marks_set(struct xenv *e, int half)
{
	int fd = xenv_map_fd(e, "flowmark"), n = 0;
	__u32 w, w0 = half ? AS_FLOWMARK_WORDS / 2 : 0;
	uint64_t v;

	if (fd < 0)
		return -ENOENT;
	for (w = w0; w < w0 + AS_FLOWMARK_WORDS / 2; w++) {
		if (bpf_map_lookup_elem(fd, &w, &v))
			return -errno;
		for (; v; v >>= 8)
			n += (v & 0xff) != 0;
	}
	return n;
}

int xenv_marks_clear(struct xenv *e)
{
	int fd = xenv_map_fd(e, "flowmark");
	uint64_t zero = 0;
	__u32 w;

	if (fd < 0)
		return -ENOENT;
	for (w = 0; w < AS_FLOWMARK_WORDS; w++)
		if (bpf_map_update_elem(fd, &w, &zero, BPF_ANY))
			return -errno;
	return 0;
}

int xenv_set_approval(struct xenv *e, uint32_t slot, uint8_t type,
		      uint64_t from, uint64_t until, uint32_t uid, int active)
{
	struct as_approval a;

	memset(&a, 0, sizeof(a));
	a.valid_from_ns = from;
	a.valid_until_ns = until;
	a.uid = uid;
	a.type = type;
	a.active = (__u8)!!active;
	return bpf_map_update_elem(e->approvals, &slot, &a, BPF_ANY) ? -errno : 0;
}

/*
 * Add a prefix the way the loader does: to the family's range table,
 * built and written at the next run.
 */
static int add_prefix(struct xenv *e, unsigned int set, int family,
		      const uint8_t *addr, uint32_t plen, uint64_t val)
{
	if (family == 4) {
		if (plen > 32)
			return -EINVAL;
		if (as_r4_add(e->r4, set, addr, plen, val))
			return -ENOMEM;
		e->r4_dirty = 1;
		return 0;
	}
	if (plen > 128)
		return -EINVAL;
	if (as_r6_add(e->r6, set, addr, plen, val))
		return -ENOMEM;
	e->r6_dirty = 1;
	return 0;
}

int xenv_add_domestic(struct xenv *e, int family, const uint8_t *addr,
		      uint32_t plen)
{
	return add_prefix(e, AS_PSET_DOM, family, addr, plen, 1);
}

int xenv_add_indicator(struct xenv *e, int family, const uint8_t *addr,
		       uint32_t plen, uint64_t mask)
{
	return add_prefix(e, AS_PSET_IND, family, addr, plen, mask);
}

int xenv_run_into(struct xenv *e, const void *frame, size_t len, void *out,
		  size_t cap, uint32_t *retval, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = (__u32)cap,
		.repeat = 1,
	);
	int err = xenv_sync(e);

	if (err)
		return err;
	err = bpf_prog_test_run_opts(e->prog, &o);
	*retval = o.retval;
	*out_len = o.data_size_out;
	return err ? -errno : 0;
}

int xenv_run(struct xenv *e, const void *frame, size_t len, struct xrun *r)
{
	memset(r->out, 0, sizeof(r->out));
	return xenv_run_into(e, frame, len, r->out, sizeof(r->out), &r->retval,
			     &r->out_len);
}

int xenv_counters(struct xenv *e, uint64_t c[AS_C_MAX])
{
	uint64_t *v = calloc((size_t)e->ncpus, sizeof(*v));
	__u32 i;
	int cpu;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < AS_C_MAX; i++) {
		c[i] = 0;
		if (bpf_map_lookup_elem(e->counters, &i, v)) {
			free(v);
			return -errno;
		}
		for (cpu = 0; cpu < e->ncpus; cpu++)
			c[i] += v[cpu];
	}
	free(v);
	return 0;
}

int xenv_slot(struct xenv *e, uint32_t slot, struct as_slot_counters *sc)
{
	struct as_slot_counters *v = calloc((size_t)e->ncpus, sizeof(*v));
	int cpu;

	if (!v)
		return -ENOMEM;
	memset(sc, 0, sizeof(*sc));
	if (bpf_map_lookup_elem(e->slot_counters, &slot, v)) {
		free(v);
		return -errno;
	}
	for (cpu = 0; cpu < e->ncpus; cpu++) {
		sc->packets += v[cpu].packets;
		sc->flows += v[cpu].flows;
		sc->bytes += v[cpu].bytes;
		sc->kept_bytes += v[cpu].kept_bytes;
		for (int k = 0; k < AS_KIND_NR; k++)
			sc->flows_kind[k] += v[cpu].flows_kind[k];
		sc->flows_evicted += v[cpu].flows_evicted;
	}
	free(v);
	return 0;
}

int xenv_verdict(const uint64_t *c0, const uint64_t *c1,
		 const struct xrun *r, int *moved)
{
	struct as_meta meta;
	int got = -1, i;

	*moved = 0;
	for (i = 0; i < AS_DEL_MAX; i++) {
		if (c1[AS_C_DEL_REASON + i] != c0[AS_C_DEL_REASON + i]) {
			*moved += (int)(c1[AS_C_DEL_REASON + i] -
					c0[AS_C_DEL_REASON + i]);
			got = XENV_DEL(i);
		}
	}
	if (c1[AS_C_SELECTED] != c0[AS_C_SELECTED]) {
		*moved += (int)(c1[AS_C_SELECTED] - c0[AS_C_SELECTED]);
		got = XENV_SEL(0);
		if (r->out_len >= sizeof(meta)) {
			memcpy(&meta, r->out, sizeof(meta));
			got = XENV_SEL(meta.slot);
		}
	}
	if (*moved != 1 || c1[AS_C_SEEN] - c0[AS_C_SEEN] != 1)
		return -1;
	return got;
}

const char *xenv_verdict_str(int v, char *buf, size_t len)
{
	static const char *const reasons[] = AS_REASON_NAMES;

	if (v >= XENV_DEL(0) && v < XENV_DEL(AS_DEL_MAX))
		snprintf(buf, len, "deleted %s (%d)", reasons[v - XENV_DEL(0)],
			 v - XENV_DEL(0));
	else
		snprintf(buf, len, "slot %d", v);
	return buf;
}

uint64_t xenv_counter(struct xenv *e, unsigned int idx)
{
	uint64_t c[AS_C_MAX];

	if (idx >= AS_C_MAX || xenv_counters(e, c))
		return ~0ULL;
	return c[idx];
}
