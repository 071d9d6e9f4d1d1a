// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * autosel: domain indicators -> the data path's domain table (domains.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

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

void as_dom_key_make(const char *text, size_t len, struct as_dom_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->name + AS_NAME_KEY_LEN - len, text, len);
}

uint32_t as_dom_bloom_bit(const char *text, size_t len)
{
	uint32_t h = AS_NAME_HASH_INIT;

	while (len--)
		h = as_name_hash_step(h, (uint8_t)text[len]);
	return as_name_bloom_idx(h);
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
	as_dom_key_make(t, len, &d->v[d->n].key);
	d->v[d->n].mask = mask;
	d->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	return memcmp(((const struct as_domain_ent *)a)->key.name,
		      ((const struct as_domain_ent *)b)->key.name,
		      AS_NAME_KEY_LEN);
}

static void merge(struct as_domains *d)
{
	size_t i, o = 0;

	if (!d->n)
		return;
	qsort(d->v, d->n, sizeof(*d->v), cmp_ent);
	for (i = 1; i < d->n; i++) {
		if (!memcmp(d->v[o].key.name, d->v[i].key.name, AS_NAME_KEY_LEN))
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

static uint32_t key_bloom_bit(const struct as_dom_key *k)
{
	size_t i = 0;

	while (i < AS_NAME_KEY_LEN && !k->name[i])
		i++;
	/* the text is name[i .. AS_NAME_KEY_LEN): no NUL inside a name */
	return as_dom_bloom_bit((const char *)k->name + i, AS_NAME_KEY_LEN - i);
}

void as_domains_bloom(const struct as_domains *d, uint64_t *words)
{
	size_t i;

	memset(words, 0, AS_NAME_BLOOM_WORDS * sizeof(*words));
	for (i = 0; i < d->n; i++) {
		uint32_t bit = key_bloom_bit(&d->v[i].key);

		words[bit >> 6] |= 1ULL << (bit & 63);
	}
}

int as_domains_write(struct as_domains *d, int fd_domains, int fd_bloom)
{
	uint64_t *words;
	uint32_t w;
	size_t i;

	merge(d);
	for (i = 0; i < d->n; i++)
		if (bpf_map_update_elem(fd_domains, &d->v[i].key,
					&d->v[i].mask, BPF_NOEXIST))
			return -errno;
	if (fd_bloom < 0)
		return 0;
	words = calloc(AS_NAME_BLOOM_WORDS, sizeof(*words));
	if (!words)
		return -ENOMEM;
	as_domains_bloom(d, words);
	for (w = 0; w < AS_NAME_BLOOM_WORDS; w++) {
		if (!words[w])
			continue;
		if (bpf_map_update_elem(fd_bloom, &w, &words[w], BPF_ANY)) {
			int err = -errno;

			free(words);
			return err;
		}
	}
	free(words);
	return 0;
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
