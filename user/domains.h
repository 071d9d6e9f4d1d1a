/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: domain indicators -> the data path's domain table.
 *
 * Collect every approval's "domain NAME" / "domain .SUFFIX" indicators with
 * the approval's slot bit, then write them into the maps of
 * xdp/names.h: "domains" (HASH struct as_dom_key -> __u64 slot mask, one
 * entry per distinct indicator, masks of duplicates OR'd) and "dom_bloom"
 * (ARRAY of __u64 words, one bit per key).  See include/autosel/names.h for
 * the key and the hash.
 *
 *	struct as_domains d;
 *
 *	as_domains_init(&d);
 *	for each approval in slot s, for each domain line:
 *		if (as_domains_add(&d, name, 1ULL << s)) -> refuse the rule set
 *	as_domains_write(&d, fd_of("domains"), fd_of("dom_bloom"));
 *	as_domains_free(&d);
 *
 * The maps must be fresh (empty): writing adds, it never deletes.
 */
#ifndef AUTOSEL_USER_DOMAINS_H
#define AUTOSEL_USER_DOMAINS_H

#include <stddef.h>
#include <stdint.h>
#include <autosel/names.h>

struct as_domain_ent {
	struct as_dom_key key;
	uint64_t mask;
};

struct as_domains {
	struct as_domain_ent *v;
	size_t n, cap;
};

/*
 * Normalize an indicator as a rule states it: "name" (exact) or ".name"
 * (suffix); ASCII case folded, one trailing dot dropped; labels of 1..63
 * bytes of [a-z0-9_-] (A-labels: "xn--..." as on the wire), at most 253
 * bytes without the leading dot.  Writes the key text (with the leading dot
 * of a suffix) to out, NUL-terminated, and its length to *len.
 * Returns 0, or -1 for a name the data path could never match.
 */
int as_domain_normalize(const char *in, char out[AS_NAME_KEY_LEN + 1],
			size_t *len);

/* The table key and Bloom bit of a normalized text of len bytes. */
void as_dom_key_make(const char *text, size_t len, struct as_dom_key *k);
uint32_t as_dom_bloom_bit(const char *text, size_t len);

void as_domains_init(struct as_domains *d);
void as_domains_free(struct as_domains *d);

/* Add one indicator for the approval slots in mask.  0, or -1 (bad name). */
int as_domains_add(struct as_domains *d, const char *indicator, uint64_t mask);

/* Distinct keys after merging (valid after as_domains_write()). */
size_t as_domains_count(const struct as_domains *d);

/*
 * Merge duplicates and write the entries and the Bloom words.  fd_bloom may
 * be -1 when the caller writes the words itself (then bloom, if not NULL,
 * receives AS_NAME_BLOOM_WORDS words).  Returns 0 or -errno.
 */
int as_domains_write(struct as_domains *d, int fd_domains, int fd_bloom);
void as_domains_bloom(const struct as_domains *d, uint64_t *words);

/*
 * The DNS ports (host order, at most AS_DNS_PORTS, 0 entries = port 53)
 * and flags into "names_cfg".  Returns 0 or -errno.
 */
int as_names_cfg_write(int fd_cfg, const uint16_t *ports, size_t n,
		       uint32_t flags);

#endif /* AUTOSEL_USER_DOMAINS_H */
