/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: domain indicators -> the data path's domain table.
 *
 * Collect every approval's "domain NAME" / "domain .SUFFIX" indicators with
 * the approval's slot bit, then write them into the two frozen arrays of
 * xdp/names.h (layout: include/autosel/names.h): "domains", the header
 * and the open-addressed slots (fingerprint, text words, "dom_names"
 * index), and "dom_names", each entry's slot mask and text words.  One
 * entry per distinct indicator, masks of duplicates OR'd.
 *
 *	struct as_domains d;
 *
 *	before bpf_object__load(): as_domains_size(obj, n, bytes, err, len)
 *	as_domains_init(&d);
 *	for each approval in slot s, for each domain line:
 *		if (as_domains_add(&d, name, 1ULL << s)) -> refuse the rule set
 *	if (as_domains_write(&d, fd_of("domains"), fd_of("dom_names")))
 *		-> refuse the rule set, d.err says why
 *	as_domains_free(&d);
 *
 * The maps must be fresh (all zero): writing adds, it never deletes.
 */
#ifndef AUTOSEL_USER_DOMAINS_H
#define AUTOSEL_USER_DOMAINS_H

#include <stddef.h>
#include <stdint.h>
#include <autosel/names.h>

struct as_domain_ent {
	char text[AS_NAME_KEY_LEN];	/* normalized, NUL-terminated */
	uint32_t len;
	uint64_t mask;
};

struct as_domains {
	struct as_domain_ent *v;
	size_t n, cap;
	/* test hook: use at most this many slots (a power of two); 0: all */
	uint32_t cap_max;
	char err[256];			/* why as_domains_write() failed */
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

/*
 * The text words of a normalized text of len (1..AS_NAME_KEY_LEN - 1)
 * bytes into w[0 .. nw) (include/autosel/names.h); returns nw.  And its
 * fingerprint.
 */
uint32_t as_dom_words(const char *text, size_t len, uint64_t *w);
uint64_t as_dom_text_fp(const char *text, size_t len);

/*
 * Size "domains" and "dom_names" of an object not yet loaded for n
 * indicators of text_bytes bytes in all (an upper bound will do: the sum
 * of their strlen()).  0, or -1 with a message in err.
 */
struct bpf_object;
int as_domains_size(struct bpf_object *obj, size_t n, size_t text_bytes,
		    char *err, size_t errlen);

void as_domains_init(struct as_domains *d);
void as_domains_free(struct as_domains *d);

/* Add one indicator for the approval slots in mask.  0, or -1 (bad name). */
int as_domains_add(struct as_domains *d, const char *indicator, uint64_t mask);

/* Distinct keys after merging (valid after as_domains_write()). */
size_t as_domains_count(const struct as_domains *d);

/*
 * Merge duplicates and write the table.  Returns 0, or -errno with a
 * line in d->err: -ENOSPC when the table is full (an entry finds no free
 * slot within AS_DOM_PROBES of its home, or the words do not fit
 * "dom_names"), -EINVAL for maps of another layout.
 */
int as_domains_write(struct as_domains *d, int fd_domains, int fd_names);

/*
 * The DNS ports (host order, at most AS_DNS_PORTS, 0 entries = port 53)
 * and flags into "names_cfg".  Returns 0 or -errno.
 */
int as_names_cfg_write(int fd_cfg, const uint16_t *ports, size_t n,
		       uint32_t flags);

#endif /* AUTOSEL_USER_DOMAINS_H */
