// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * autosel: domain indicators -> the data path's domain table (domains.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "domains.h"

int as_domain_normalize(const char *in, char out[AS_NAME_KEY_LEN + 1],
			size_t *len)
{
	size_t n = strlen(in), i, o = 0, lab = 0, start;
	int suffix = in[0] == '.';

	if (n && in[n - 1] == '.' && !(suffix && n == 1))
		n--;			/* one trailing dot is ignored */
	start = suffix;
	if (n - start == 0 || n - start > AS_NAME_MAX)
		return -1;
	if (suffix)
		out[o++] = '.';
	for (i = start; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)in[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > AS_LABEL_MAX)
				return -1;
			lab = 0;
			if (i < n)
				out[o++] = '.';
			continue;
		}
		c = as_name_lower(c);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -1;
		out[o++] = (char)c;
		lab++;
	}
	out[o] = '\0';
	*len = o;
	return 0;
}

uint32_t as_dom_words(const char *text, size_t len, uint64_t *w)
{
	uint32_t nw = (uint32_t)((len + 7) / 8), k;

	for (k = 0; k < nw; k++) {
		size_t end = len - 8 * k;	/* word k: text[end - 8, end) */
		unsigned char b[8] = { 0 };

		if (end >= 8)
			memcpy(b, text + end - 8, 8);
		else
			memcpy(b + 8 - end, text, end);	/* high bytes */
		memcpy(&w[k], b, 8);
	}
	return nw;
}

uint64_t as_dom_text_fp(const char *text, size_t len)
{
	uint64_t w[AS_NAME_WORDS], h = AS_DOM_SEED;
	uint32_t nw = as_dom_words(text, len, w), k;

	for (k = 0; k < nw; k++)
		h = as_dom_mix(h, w[k]);
	return as_dom_fp(h, nw);
}

int as_domains_size(struct bpf_object *obj, size_t n, size_t text_bytes,
		    char *err, size_t errlen)
{
	struct bpf_map *ms = bpf_object__find_map_by_name(obj, "domains");
	struct bpf_map *mw = bpf_object__find_map_by_name(obj, "dom_names");
	size_t cap = 64, words;

	if (!ms || !mw) {
		snprintf(err, errlen, "the XDP object has no map domains/dom_names");
		return -1;
	}
	if (n > AS_DOMAINS_MAX) {
		snprintf(err, errlen, "too many domain indicators: %zu, at most %u",
			 n, AS_DOMAINS_MAX);
		return -1;
	}
	while (cap < 4 * n)		/* load <= 1/4: probes stay short */
		cap *= 2;
	words = 1 + n + (text_bytes + 7 * n) / 8;
	if (words < 64)
		words = 64;
	if (bpf_map__set_max_entries(ms, (uint32_t)cap + 1) ||
	    bpf_map__set_max_entries(mw, (uint32_t)words)) {
		snprintf(err, errlen, "cannot size the domain table (object "
			 "already loaded?)");
		return -1;
	}
	return 0;
}

void as_domains_init(struct as_domains *d)
{
	memset(d, 0, sizeof(*d));
}

void as_domains_free(struct as_domains *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int as_domains_add(struct as_domains *d, const char *indicator, uint64_t mask)
{
	char t[AS_NAME_KEY_LEN + 1];
	size_t len;

	if (as_domain_normalize(indicator, t, &len))
		return -1;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 64;
		struct as_domain_ent *nv = realloc(d->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		d->v = nv;
		d->cap = ncap;
	}
	memcpy(d->v[d->n].text, t, len + 1);
	d->v[d->n].len = (uint32_t)len;
	d->v[d->n].mask = mask;
	d->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct as_domain_ent *)a)->text,
		      ((const struct as_domain_ent *)b)->text);
}

static void merge(struct as_domains *d)
{
	size_t i, o = 0;

	if (!d->n)
		return;
	qsort(d->v, d->n, sizeof(*d->v), cmp_ent);
	for (i = 1; i < d->n; i++) {
		if (!strcmp(d->v[o].text, d->v[i].text))
			d->v[o].mask |= d->v[i].mask;
		else
			d->v[++o] = d->v[i];
	}
	d->n = o + 1;
}

size_t as_domains_count(const struct as_domains *d)
{
	return d->n;
}

static int map_geom(int fd, uint32_t key, uint32_t value, uint32_t *entries)
{
	struct bpf_map_info info;
	uint32_t il = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &il))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != key ||
	    info.value_size != value)
		return -EINVAL;
	*entries = info.max_entries;
	return 0;
}

/* keys[from .. n) and vals[from .. n) into an array, in one batch if it can. */
static int put_array(int fd, const void *vals, size_t vsize, uint32_t from,
		     uint32_t n)
{
	uint32_t *keys, count, i;
	int err = 0;

	if (n <= from)
		return 0;
	count = n - from;
	keys = malloc((size_t)count * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		keys[i] = from + i;
	vals = (const char *)vals + (size_t)from * vsize;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		err = -errno;
		if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP) {
			err = 0;	/* no batches: one by one */
			for (i = 0; i < n - from && !err; i++)
				if (bpf_map_update_elem(fd, &keys[i],
					(const char *)vals + (size_t)i * vsize,
					BPF_ANY))
					err = -errno;
		}
	}
	free(keys);
	return err;
}

/* What the array holds at keys [0, n) into vals, in batches if it can. */
static int get_array(int fd, void *vals, size_t vsize, uint32_t n)
{
	uint32_t *keys = malloc((size_t)(n ? n : 1) * sizeof(*keys));
	uint32_t got = 0, count, tok_in = 0, tok_out = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (got < n) {
		count = n - got;
		if (bpf_map_lookup_batch(fd, got ? &tok_in : NULL, &tok_out, keys,
					 (char *)vals + (size_t)got * vsize,
					 &count, NULL) && errno != ENOENT) {
			err = -errno;
			break;
		}
		if (!count)
			break;
		got += count;
		tok_in = tok_out;
	}
	free(keys);
	if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP || got < n) {
		err = 0;		/* no batches: one by one */
		for (uint32_t i = 0; i < n && !err; i++)
			if (bpf_map_lookup_elem(fd, &i, (char *)vals +
						(size_t)i * vsize))
				err = -errno;
	}
	return err;
}

/* Is the entry at ref of nw words the text w? */
static int same_words(const uint64_t *words, uint32_t ref, uint32_t nw,
		      const uint64_t *w)
{
	return !memcmp(&words[ref + 1], w, (size_t)nw * sizeof(*w));
}

int as_domains_write(struct as_domains *d, int fd_domains, int fd_names)
{
	struct as_dom_slot *slot = NULL;
	uint64_t *words = NULL, w[AS_NAME_WORDS];
	uint32_t nslots, nwords, cap = 1, used = 1, used0, count;
	size_t i;
	int err;

	d->err[0] = '\0';
	merge(d);
	if ((err = map_geom(fd_domains, 4, sizeof(struct as_dom_slot), &nslots)) ||
	    (err = map_geom(fd_names, 4, 8, &nwords)) || nslots < 2 || !nwords) {
		snprintf(d->err, sizeof(d->err), "the domain table's maps are "
			 "not the arrays this loader writes: %s",
			 strerror(err ? -err : EINVAL));
		return err ? err : -EINVAL;
	}
	slot = calloc(nslots, sizeof(*slot));
	words = calloc(nwords, sizeof(*words));
	if (!slot || !words) {
		err = -ENOMEM;
		snprintf(d->err, sizeof(d->err), "out of memory");
		goto out;
	}
	/* A table already written (tests add in steps): keep what it holds. */
	if ((err = get_array(fd_domains, slot, sizeof(*slot), 1)))
		goto io;
	count = slot[0].ref;
	if (count) {
		cap = (uint32_t)slot[0].fp + 1;
		if (cap > nslots - 1 || (cap & (cap - 1))) {
			err = -EINVAL;
			snprintf(d->err, sizeof(d->err), "the domain table's "
				 "header is damaged");
			goto out;
		}
		if ((err = get_array(fd_domains, slot, sizeof(*slot), cap + 1)))
			goto io;
		for (i = 1; i <= cap; i++)
			if (slot[i].ref && slot[i].ref + 1 + slot[i].nw > used)
				used = slot[i].ref + 1 + slot[i].nw;
		if (used > nwords || (err = get_array(fd_names, words,
						      sizeof(*words), used)))
			goto io;
	} else {
		while (cap * 2 <= nslots - 1 &&
		       (!d->cap_max || cap * 2 <= d->cap_max))
			cap *= 2;
	}
	used0 = used;
	for (i = 0; i < d->n; i++) {
		const struct as_domain_ent *e = &d->v[i];
		uint64_t fp = as_dom_text_fp(e->text, e->len);
		uint32_t nw = as_dom_words(e->text, e->len, w), p, s = 0;

		if ((uint64_t)used + 1 + nw > nwords) {
			err = -ENOSPC;
			snprintf(d->err, sizeof(d->err), "domain table full: "
				 "%zu indicators need more than the %u words "
				 "of dom_names", d->n + count, nwords);
			goto out;
		}
		for (p = 0; p < AS_DOM_PROBES && p < cap; p++) {
			s = 1 + (uint32_t)((fp + p) & (cap - 1));
			if (!slot[s].ref)
				break;
			if (slot[s].fp != fp || slot[s].nw != nw)
				continue;
			/*
			 * The data path takes the first slot of a fingerprint
			 * and word count: two texts may not share both.
			 */
			err = same_words(words, slot[s].ref, nw, w) ? -EEXIST :
								      -EINVAL;
			snprintf(d->err, sizeof(d->err), "domain table: '%.64s' "
				 "%s", e->text, err == -EEXIST ?
				 "is in the table already" :
				 "has the fingerprint of another entry");
			goto out;
		}
		if (p == AS_DOM_PROBES || p == cap) {
			err = -ENOSPC;
			snprintf(d->err, sizeof(d->err), "domain table full: "
				 "'%.64s' finds no free slot in the %u probes of its sequence "
				 "(%zu indicators, %u slots)", e->text,
				 p, d->n + count, cap);
			goto out;
		}
		slot[s].fp = fp;
		slot[s].ref = used;
		slot[s].nw = nw;
		words[used] = e->mask;
		memcpy(&words[used + 1], w, (size_t)nw * sizeof(*w));
		used += 1 + nw;
	}
	slot[0].fp = cap - 1;		/* the header */
	slot[0].ref = count + (uint32_t)d->n;
	slot[0].nw = 0;
	err = put_array(fd_names, words, sizeof(*words), used0, used);
	if (!err)
		err = put_array(fd_domains, slot, sizeof(*slot), 0, cap + 1);
io:
	if (err)
		snprintf(d->err, sizeof(d->err), "cannot write the domain "
			 "table: %s", strerror(-err));
out:
	free(slot);
	free(words);
	return err;
}

int as_names_cfg_write(int fd_cfg, const uint16_t *ports, size_t n,
		       uint32_t flags)
{
	struct as_names_cfg c;
	uint32_t key = 0;
	size_t i;

	if (n > AS_DNS_PORTS)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		c.dns_port[i] = ports[i];
	c.flags = flags;
	return bpf_map_update_elem(fd_cfg, &key, &c, BPF_ANY) ? -errno : 0;
}
