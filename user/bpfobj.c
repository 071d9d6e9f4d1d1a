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

#include "autosel.skel.h"
#include "autosel_kf.skel.h"
#include "bpfobj.h"

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

int as_loadset_prepare(struct as_loadset *ls, const struct rules *r,
		       struct bpf_object *obj, char *err, size_t errlen)
{
	size_t d4 = 0, d6 = 0;

	memset(ls, 0, sizeof(*ls));
	ls->n4 = rules_lpm_entries(r, 4, &ls->v4);
	ls->n6 = rules_lpm_entries(r, 6, &ls->v6);
	if (ls->n4 < 0 || ls->n6 < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < r->n_domestic; i++) {
		d4 += r->domestic[i].family == 4;
		d6 += r->domestic[i].family == 6;
	}
	if (fits(obj, "domestic4", d4, "IPv4 domestic prefixes", err, errlen) ||
	    fits(obj, "domestic6", d6, "IPv6 domestic prefixes", err, errlen) ||
	    fits(obj, "ind4", (size_t)ls->n4, "IPv4 indicators", err, errlen) ||
	    fits(obj, "ind6", (size_t)ls->n6, "IPv6 indicators", err, errlen) ||
	    fits(obj, "approvals", r->n_approvals, "approvals", err, errlen))
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

static void lpm_key(const struct rules_prefix *p, struct as_lpm4 *k4,
		    struct as_lpm6 *k6)
{
	memset(k4, 0, sizeof(*k4));
	memset(k6, 0, sizeof(*k6));
	k4->prefixlen = p->len;
	memcpy(k4->addr, p->addr, 4);
	k6->prefixlen = p->len;
	memcpy(k6->addr, p->addr, 16);
}

int as_maps_fill(struct bpf_object *obj, const struct rules *r,
		 const struct as_loadset *ls, const struct as_config *cfg,
		 char *err, size_t errlen)
{
	struct as_lpm4 k4;
	struct as_lpm6 k6;
	__u32 zero = 0;
	__u8 one = 1;

	for (size_t i = 0; i < r->n_domestic; i++) {
		const struct rules_prefix *p = &r->domestic[i];

		lpm_key(p, &k4, &k6);
		if (p->family == 4 ?
		    put(obj, "domestic4", &k4, &one, err, errlen) :
		    put(obj, "domestic6", &k6, &one, err, errlen))
			return -1;
	}
	for (long i = 0; i < ls->n4; i++) {
		lpm_key(&ls->v4[i].pfx, &k4, &k6);
		if (put(obj, "ind4", &k4, &ls->v4[i].mask, err, errlen))
			return -1;
	}
	for (long i = 0; i < ls->n6; i++) {
		lpm_key(&ls->v6[i].pfx, &k4, &k6);
		if (put(obj, "ind6", &k6, &ls->v6[i].mask, err, errlen))
			return -1;
	}
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
