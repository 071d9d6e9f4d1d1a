// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the embedded XDP objects and filling their maps from a rule set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "autosel/flat.h"
#include "autosel.skel.h"
#include "autosel_kf.skel.h"
#include "bpfobj.h"
#include "domains.h"

static char libbpf_last[512];

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char buf[sizeof(libbpf_last)];
	size_t n;
	va_list cp;

	va_copy(cp, ap);
	vsnprintf(buf, sizeof(buf), fmt, cp);
	va_end(cp);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level != LIBBPF_DEBUG && n)
		memcpy(libbpf_last, buf, n + 1);
	if (getenv("AUTOSEL_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void as_libbpf_quiet(void)
{
	libbpf_set_print(libbpf_print);
}

const char *as_libbpf_last(void)
{
	return libbpf_last;
}

const char *as_flavour_file(enum as_flavour f)
{
	return f == AS_OBJ_KFUNCS ? "autosel_kf.bpf.o" : "autosel.bpf.o";
}

int as_obj_open(struct as_obj *o, enum as_flavour f, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->flavour = f;
	if (f == AS_OBJ_KFUNCS) {
		struct autosel_kf_bpf *s = autosel_kf_bpf__open();

		if (s) {
			o->skel = s;
			o->obj = s->obj;
		}
	} else {
		struct autosel_bpf *s = autosel_bpf__open();

		if (s) {
			o->skel = s;
			o->obj = s->obj;
		}
	}
	if (!o->obj) {
		snprintf(err, errlen, "cannot open %s: %s", as_flavour_file(f),
			 strerror(errno));
		return -1;
	}
	o->prog = bpf_object__find_program_by_name(o->obj, AS_PROG_NAME);
	if (!o->prog) {
		snprintf(err, errlen, "%s has no program %s",
			 as_flavour_file(f), AS_PROG_NAME);
		as_obj_close(o);
		return -1;
	}
	return 0;
}

int as_obj_load(struct as_obj *o, char *err, size_t errlen)
{
	int ret = bpf_object__load(o->obj);

	if (ret) {
		snprintf(err, errlen, "cannot load %s: %s%s%s",
			 as_flavour_file(o->flavour), strerror(-ret),
			 *libbpf_last ? ": " : "", libbpf_last);
		return -1;
	}
	return 0;
}

void as_obj_close(struct as_obj *o)
{
	if (!o->skel)
		return;
	if (o->flavour == AS_OBJ_KFUNCS)
		autosel_kf_bpf__destroy(o->skel);
	else
		autosel_bpf__destroy(o->skel);
	memset(o, 0, sizeof(*o));
}

struct bpf_map *as_map(struct bpf_object *obj, const char *name)
{
	return bpf_object__find_map_by_name(obj, name);
}

void as_loadset_free(struct as_loadset *ls)
{
	free(ls->v4);
	free(ls->v6);
	as_r4_free(&ls->r4);
	as_r6_free(&ls->r6);
	memset(ls, 0, sizeof(*ls));
}

static int fits(struct bpf_object *obj, const char *name, size_t n,
		const char *what, char *err, size_t errlen)
{
	struct bpf_map *m = as_map(obj, name);

	if (!m) {
		snprintf(err, errlen, "the XDP object has no map %s", name);
		return -1;
	}
	if (n > bpf_map__max_entries(m)) {
		snprintf(err, errlen, "too many %s: %zu, the map holds %u",
			 what, n, bpf_map__max_entries(m));
		return -1;
	}
	return 0;
}

/* Both sets' IPv4 prefixes into one range table (range4.h). */
static int build_range4(struct as_loadset *ls, const struct rules *r,
			char *err, size_t errlen)
{
	struct as_r4 *t = &ls->r4;

	for (size_t i = 0; i < r->n_domestic; i++)
		if (r->domestic[i].family == 4 &&
		    as_r4_add(t, AS_PSET_DOM, r->domestic[i].addr,
			      r->domestic[i].len, 1))
			goto fail;
	for (long i = 0; i < ls->n4; i++)
		if (as_r4_add(t, AS_PSET_IND, ls->v4[i].pfx.addr,
			      ls->v4[i].pfx.len, ls->v4[i].mask))
			goto fail;
	if (as_r4_build(t))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s", t->err);
	return -1;
}

/* Both sets' IPv6 prefixes into one range table (range6.h). */
static int build_range6(struct as_loadset *ls, const struct rules *r,
			char *err, size_t errlen)
{
	struct as_r6 *t = &ls->r6;

	for (size_t i = 0; i < r->n_domestic; i++)
		if (r->domestic[i].family == 6 &&
		    as_r6_add(t, AS_PSET_DOM, r->domestic[i].addr,
			      r->domestic[i].len, 1))
			goto fail;
	for (long i = 0; i < ls->n6; i++)
		if (as_r6_add(t, AS_PSET_IND, ls->v6[i].pfx.addr,
			      ls->v6[i].pfx.len, ls->v6[i].mask))
			goto fail;
	if (as_r6_build(t))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s", t->err);
	return -1;
}

static int set_entries(struct bpf_object *obj, const char *name, size_t n,
		       char *err, size_t errlen)
{
	struct bpf_map *m = as_map(obj, name);

	if (!m) {
		snprintf(err, errlen, "the XDP object has no map %s", name);
		return -1;
	}
	if (bpf_map__set_max_entries(m, (__u32)n)) {
		snprintf(err, errlen, "cannot size the map %s (object already "
			 "loaded?)", name);
		return -1;
	}
	return 0;
}

int as_loadset_prepare(struct as_loadset *ls, const struct rules *r,
		       struct bpf_object *obj, char *err, size_t errlen)
{
	memset(ls, 0, sizeof(*ls));
	ls->n4 = rules_lpm_entries(r, 4, &ls->v4);
	ls->n6 = rules_lpm_entries(r, 6, &ls->v6);
	if (ls->n4 < 0 || ls->n6 < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (fits(obj, "approvals", r->n_approvals, "approvals", err, errlen))
		goto fail;
	{
		size_t nd = 0, bytes = 0;

		for (size_t i = 0; i < r->n_approvals; i++) {
			nd += r->approvals[i].n_domains;
			for (size_t j = 0; j < r->approvals[i].n_domains; j++)
				bytes += strlen(r->approvals[i].domains[j].name);
		}
		/* the domain table is sized to the rule set (domains.h) */
		if (as_domains_size(obj, nd, bytes, err, errlen))
			goto fail;
	}
	/*
	 * The range tables are sized to the rule set (a fresh object is
	 * opened for every rule set).
	 */
	if (build_range4(ls, r, err, errlen) ||
	    set_entries(obj, "rng4", as_r4_rng_elems(ls->r4.n_rng), err,
			errlen) ||
	    set_entries(obj, "val4", ls->r4.n_vals, err, errlen) ||
	    build_range6(ls, r, err, errlen) ||
	    set_entries(obj, "rng6", ls->r6.n_rng, err, errlen) ||
	    set_entries(obj, "val6", ls->r6.n_vals, err, errlen) ||
	    set_entries(obj, "sub6", ls->r6.n_sub, err, errlen))
		goto fail;
	return 0;
fail:
	as_loadset_free(ls);
	return -1;
}

static int put(struct bpf_object *obj, const char *name, const void *key,
	       const void *val, char *err, size_t errlen)
{
	struct bpf_map *m = as_map(obj, name);
	int ret;

	if (!m) {
		snprintf(err, errlen, "the XDP object has no map %s", name);
		return -1;
	}
	ret = bpf_map_update_elem(bpf_map__fd(m), key, val, BPF_ANY);
	if (ret) {
		snprintf(err, errlen, "cannot update map %s: %s", name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int map_fd_of(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = as_map(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

/*
 * Write the domestic map and the indicators: both range tables (built by
 * as_loadset_prepare()), through the arrays' mappings.
 */
static int fill_prefixes(struct bpf_object *obj, struct as_loadset *ls,
			 char *err, size_t errlen)
{
	static const char *const n6[6] = AS_R6_MAP_NAMES;
	int fd6[6];
	size_t max6[6] = { 0 };

	if (as_r4_write(&ls->r4, map_fd_of(obj, "guard4"),
			map_fd_of(obj, "rdir4"),
			map_fd_of(obj, "rng4"), map_fd_of(obj, "val4"),
			bpf_map__max_entries(as_map(obj, "rng4")),
			bpf_map__max_entries(as_map(obj, "val4")))) {
		snprintf(err, errlen, "%s: %s", ls->r4.err, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 6; i++) {
		struct bpf_map *m = as_map(obj, n6[i]);

		if (!m) {
			snprintf(err, errlen, "the XDP object has no map %s",
				 n6[i]);
			return -1;
		}
		fd6[i] = bpf_map__fd(m);
		max6[i] = bpf_map__max_entries(m);
	}
	if (as_r6_write(&ls->r6, fd6, max6)) {
		snprintf(err, errlen, "%s: %s", ls->r6.err, strerror(errno));
		return -1;
	}
	return 0;
}

/* Domain indicators into "domains" and "dom_names" (xdp/names.h). */
static int fill_domains(struct bpf_object *obj, const struct rules *r,
			char *err, size_t errlen)
{
	struct as_domains d;
	int ret = 0;

	as_domains_init(&d);
	for (size_t i = 0; i < r->n_approvals && !ret; i++)
		for (size_t j = 0; j < r->approvals[i].n_domains && !ret; j++)
			if (as_domains_add(&d, r->approvals[i].domains[j].name,
					   1ULL << i)) {
				snprintf(err, errlen, "bad domain name '%.64s'",
					 r->approvals[i].domains[j].name);
				ret = -1;
			}
	if (!ret && d.n) {
		ret = as_domains_write(&d, map_fd_of(obj, "domains"),
				       map_fd_of(obj, "dom_names"));
		if (ret)
			snprintf(err, errlen, "%s", d.err);
	}
	as_domains_free(&d);
	return ret ? -1 : 0;
}

int as_maps_fill(struct bpf_object *obj, const struct rules *r,
		 struct as_loadset *ls, const struct as_config *cfg,
		 char *err, size_t errlen)
{
	__u32 zero = 0;

	if (fill_prefixes(obj, ls, err, errlen) ||
	    fill_domains(obj, r, err, errlen))
		return -1;
	for (__u32 i = 0; i < r->n_approvals; i++) {
		const struct rules_approval *ra = &r->approvals[i];
		struct as_approval a = {
			.valid_from_ns = ra->from_ns,
			.valid_until_ns = ra->until_ns,
			.uid = cfg->generation * AS_MAX_SLOTS + i + 1,
			.type = ra->type,
			.active = 1,
		};

		if (put(obj, "approvals", &i, &a, err, errlen))
			return -1;
	}
	return put(obj, "config", &zero, cfg, err, errlen);
}

int as_rule_maps(struct bpf_object *obj, struct bpf_map **maps, int max)
{
	static const char *const names[] = AS_FLAT_MAP_NAMES;
	int n = 0;

	if (max < (int)(sizeof(names) / sizeof(names[0])) + 1)
		return -1;
	maps[n] = as_map(obj, "approvals");
	if (!maps[n++])
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		maps[n] = as_map(obj, names[i]);
		if (!maps[n++])
			return -1;
	}
	/* The domain table: slots and names (xdp/names.h). */
	if (n + 2 > max)
		return -1;
	maps[n] = as_map(obj, "domains");
	if (!maps[n++])
		return -1;
	maps[n] = as_map(obj, "dom_names");
	if (!maps[n++])
		return -1;
	return n;
}
