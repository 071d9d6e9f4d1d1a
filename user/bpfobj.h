/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP object as user space sees it: open one of the two embedded
 * flavours, check that a rule set fits its maps, and write the rule set
 * into them.  Both flavours have the same maps, so everything after
 * as_obj_open() works on a plain struct bpf_object.
 */
#ifndef AUTOSEL_BPFOBJ_H
#define AUTOSEL_BPFOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "autosel/flat.h"
#include "rules.h"

enum as_flavour {
	AS_OBJ_HOST,	/* autosel.bpf.o: counters in maps */
	AS_OBJ_KFUNCS,	/* autosel_kf.bpf.o: counters in autosel.ko */
};

#define AS_PROG_NAME	"autosel_xdp"
#define AS_MODULE_BTF	"/sys/kernel/btf/autosel"

struct as_obj {
	enum as_flavour flavour;
	void *skel;
	struct bpf_object *obj;
	struct bpf_program *prog;
};

/* The map contents computed from a rule set, before anything is written. */
struct as_loadset {
	struct rules_lpm *v4, *v6;
	long n4, n6;
	struct as_r4 r4;	/* the IPv4 range table, built */
	struct as_r6 r6;	/* the IPv6 range table, built */
};

const char *as_flavour_file(enum as_flavour f);
/* libbpf's messages go to stderr only when AUTOSEL_DEBUG is set. */
void as_libbpf_quiet(void);
/* The last line libbpf printed, for one-line errors ("" if none). */
const char *as_libbpf_last(void);

int as_obj_open(struct as_obj *o, enum as_flavour f, char *err, size_t errlen);
int as_obj_load(struct as_obj *o, char *err, size_t errlen);
void as_obj_close(struct as_obj *o);

struct bpf_map *as_map(struct bpf_object *obj, const char *name);

/* Compute the indicator maps' contents and check they fit. */
int as_loadset_prepare(struct as_loadset *ls, const struct rules *r,
		       struct bpf_object *obj, char *err, size_t errlen);
void as_loadset_free(struct as_loadset *ls);

/*
 * Write the rule set into the (empty, loaded) maps and the config.  uid of
 * slot i is generation * AS_MAX_SLOTS + i + 1, so that a slot reused by a
 * later generation never matches an old flow entry.
 */
int as_maps_fill(struct bpf_object *obj, const struct rules *r,
		 struct as_loadset *ls, const struct as_config *cfg,
		 char *err, size_t errlen);

/*
 * The maps that hold the rule set, and nothing else (approvals, the
 * domestic map and the indicators as range tables, the domain table): what an atomic
 * install freezes (BPF_MAP_FREEZE) once as_maps_fill() has written them.
 * config, flows, frags, flowmark, resolved, resmark, hello, hellomark,
 * counters and tx_port are run-time state and are not listed.  Fills maps[0..n) and returns n
 * (at most AS_RULE_MAPS_MAX), or -1 when max is too small or a map is
 * missing.
 */
#define AS_RULE_MAPS_MAX	13
int as_rule_maps(struct bpf_object *obj, struct bpf_map **maps, int max);

#endif
