/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule set model: the domestic prefix map and the approvals with
 * their IP indicators, as read from a rules file (Documentation/
 * rules-format.rst).  Parsing is separate from loading into maps so that
 * signed bundles (a later format) can produce the same struct rules and
 * reuse everything after it.
 *
 * rules_parse() validates everything a rule set can be wrong about on its
 * own: syntax, prefixes, windows, duplicates, the slot limit and IP
 * indicators that overlap the domestic map.  Limits that depend on the
 * maps (how many entries they hold) are checked by the loader before it
 * writes anything.
 */
#ifndef AUTOSEL_RULES_H
#define AUTOSEL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "autosel/abi.h"

#define RULES_ID_MAX	64	/* approval id length, with the NUL */
#define RULES_ERR_MAX	512
#define RULES_FILE_MAX	(1UL << 30)	/* a rules file larger is refused */

struct rules_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;		/* prefix length */
	uint8_t addr[16];	/* network order, host bits zero */
	unsigned int line;	/* where it was defined (errors) */
};

/* A domain indicator: "name" (exact) or ".name" (every name below). */
struct rules_domain {
	char name[256];		/* normalized: lower case, no trailing dot */
	unsigned int line;
};

struct rules_approval {
	char id[RULES_ID_MAX];
	uint8_t type;		/* AS_DIR_FF, AS_DIR_FD or AS_DIR_DF */
	uint64_t from_ns;	/* valid-from, ns since the epoch */
	uint64_t until_ns;	/* valid-until, exclusive */
	unsigned int line;
	struct rules_prefix *ips;
	size_t n_ips, cap_ips;
	struct rules_domain *domains;	/* normalized, see user/domains.h */
	size_t n_domains, cap_domains;
};

/*
 * Append a domain indicator ("name" or ".suffix") to a, normalized by
 * as_domain_normalize() (user/domains.h).  Returns 0, -EINVAL for a name
 * the data path could never match, -ENOMEM.  Once all are added,
 * rules_dedup_domains() keeps a repeated name once (its first line):
 * 0 or -ENOMEM.
 */
int rules_add_domain(struct rules_approval *a, const char *indicator,
		     unsigned int line);
int rules_dedup_domains(struct rules_approval *a);

struct rules {
	struct rules_prefix *domestic;
	size_t n_domestic, cap_domestic;
	struct rules_approval approvals[AS_MAX_SLOTS];	/* slot = index */
	size_t n_approvals;
};

/* One LPM entry of an indicator map: prefix -> bitmask of slots. */
struct rules_lpm {
	struct rules_prefix pfx;
	uint64_t mask;
};

/*
 * Parse and validate buf[0..len).  name prefixes error messages
 * ("name:line: ...").  On error *r is left empty and err holds one line.
 */
int rules_parse(struct rules *r, const char *buf, size_t len,
		const char *name, char *err, size_t errlen);
/* rules_parse() for a file; "-" is standard input. */
int rules_load_file(struct rules *r, const char *path, char *err,
		    size_t errlen);
void rules_free(struct rules *r);

/*
 * The indicator map contents for one family: one entry per distinct
 * prefix, whose mask is the union of its own approvals and those of every
 * shorter prefix that contains it.  An LPM lookup returns only the longest
 * match, so without the union a /24 of one approval would hide the /16 of
 * another.  Returns the number of entries (*out malloc'ed) or -1.
 */
long rules_lpm_entries(const struct rules *r, int family,
		       struct rules_lpm **out);

/*
 * The IP indicator of ips[0..nips) with the lowest line that lies inside
 * or contains a prefix of dom[0..ndom): its index, with that domestic
 * prefix in *dom_hit; -1 if there is none, -2 when out of memory.
 * Prefixes nest or are disjoint, so one binary search per indicator over
 * the outermost domestic prefixes decides.
 */
long rules_find_overlap(const struct rules_prefix *dom, size_t ndom,
			const struct rules_prefix *ips, size_t nips,
			struct rules_prefix *dom_hit);

/* Parse "ADDR/LEN" or "ADDR" (a host prefix).  Returns 0 or an error text. */
const char *rules_parse_prefix(const char *s, struct rules_prefix *p);
void rules_format_prefix(const struct rules_prefix *p, char *buf, size_t len);

#endif
