// SPDX-License-Identifier: GPL-2.0
/*
 * Rules files: parse, validate, and turn into indicator map contents.
 * The format is documented in Documentation/rules-format.rst; keep the two
 * in step.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "fileio.h"
#include "rules.h"
#include "timefmt.h"

#define LINE_MAX_LEN	4096
#define MAX_TOKENS	10

struct parser {
	struct rules *r;
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int perr(struct parser *ps, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	char msg[RULES_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, line, msg);
	else
		snprintf(ps->err, ps->errlen, "%s: %s", ps->name, msg);
	return -1;
}

static void mask_addr(uint8_t *a, unsigned int len)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xff00 >> len);
		len = 0;
	}
}

static void last_addr(const struct rules_prefix *p, uint8_t *out)
{
	unsigned int len = p->len, bytes = p->family == 4 ? 4 : 16;

	memcpy(out, p->addr, 16);
	for (unsigned int i = 0; i < bytes; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		out[i] |= (uint8_t)(0xff >> len);
		len = 0;
	}
}

const char *rules_parse_prefix(const char *s, struct rules_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	uint8_t masked[16];
	char *end;
	int max;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return "bad address";
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = 6;
	else
		return "bad address";
	max = p->family == 4 ? 32 : 128;
	if (!slash) {
		p->len = (uint8_t)max;
		return NULL;
	}
	if (!isdigit((unsigned char)slash[1]) ||
	    (slash[1] == '0' && slash[2] != '\0'))
		return "bad prefix length";
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || len > (unsigned long)max)
		return "bad prefix length";
	p->len = (uint8_t)len;
	memcpy(masked, p->addr, 16);
	mask_addr(masked, p->len);
	if (memcmp(masked, p->addr, 16))
		return "host bits set";
	return NULL;
}

void rules_format_prefix(const struct rules_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

/* Order by family, address, then length: a prefix sorts before the ones it contains. */
static int cmp_prefix(const void *x, const void *y)
{
	const struct rules_prefix *a = x, *b = y;
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return a->len - b->len;
}

static bool contains(const struct rules_prefix *outer,
		     const struct rules_prefix *inner)
{
	uint8_t a[16];

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	memcpy(a, inner->addr, 16);
	mask_addr(a, outer->len);
	return !memcmp(a, outer->addr, 16);
}

static int push_prefix(struct rules_prefix **v, size_t *n, size_t *cap,
		       const struct rules_prefix *p)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct rules_prefix *nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = *p;
	return 0;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RULES_ID_MAX || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return 0;
	return 1;
}

static int parse_type(const char *s)
{
	if (!strcmp(s, "ff"))
		return AS_DIR_FF;
	if (!strcmp(s, "fd"))
		return AS_DIR_FD;
	if (!strcmp(s, "df"))
		return AS_DIR_DF;
	return -1;
}

static int close_approval(struct parser *ps)
{
	struct rules *r = ps->r;
	struct rules_approval *a;

	if (!r->n_approvals)
		return 0;
	a = &r->approvals[r->n_approvals - 1];
	if (!a->n_ips && !a->n_domains)
		return perr(ps, a->line, "approval %s has no indicators", a->id);
	return 0;
}

static int parse_approval(struct parser *ps, char **tok, int ntok)
{
	struct rules *r = ps->r;
	struct rules_approval *a;
	uint64_t from, until;
	int type;

	if (close_approval(ps))
		return -1;
	if (ntok != 8 || strcmp(tok[2], "type") || strcmp(tok[4], "from") ||
	    strcmp(tok[6], "until"))
		return perr(ps, ps->line,
			    "expected 'approval ID type ff|fd|df from TIME until TIME'");
	if (!valid_id(tok[1]))
		return perr(ps, ps->line,
			    "bad approval id '%.64s' (1-%d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
			    tok[1], RULES_ID_MAX - 1);
	for (size_t i = 0; i < r->n_approvals; i++)
		if (!strcmp(r->approvals[i].id, tok[1]))
			return perr(ps, ps->line,
				    "duplicate approval id %s (first at line %u)",
				    tok[1], r->approvals[i].line);
	if (r->n_approvals == AS_MAX_SLOTS)
		return perr(ps, ps->line, "more than %d approvals",
			    AS_MAX_SLOTS);
	type = parse_type(tok[3]);
	if (type < 0)
		return perr(ps, ps->line,
			    "bad measure type '%.16s' (ff, fd or df)", tok[3]);
	if (as_parse_rfc3339(tok[5], &from))
		return perr(ps, ps->line,
			    "bad time '%.64s' (RFC 3339 with a zone, e.g. 2026-04-01T00:00:00Z)",
			    tok[5]);
	if (as_parse_rfc3339(tok[7], &until))
		return perr(ps, ps->line,
			    "bad time '%.64s' (RFC 3339 with a zone, e.g. 2026-04-01T00:00:00Z)",
			    tok[7]);
	if (from >= until)
		return perr(ps, ps->line,
			    "approval %s: valid-from is not before valid-until",
			    tok[1]);
	a = &r->approvals[r->n_approvals++];
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", tok[1]);
	a->type = (uint8_t)type;
	a->from_ns = from;
	a->until_ns = until;
	a->line = ps->line;
	return 0;
}

static int parse_line(struct parser *ps, char *line)
{
	struct rules *r = ps->r;
	struct rules_prefix p;
	char *tok[MAX_TOKENS + 1];
	const char *why;
	int ntok = 0;
	char *s = line;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		if (ntok == MAX_TOKENS)
			return perr(ps, ps->line, "too many words");
		tok[ntok++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (!ntok)
		return 0;

	if (!strcmp(tok[0], "domestic") || !strcmp(tok[0], "ip")) {
		bool dom = tok[0][0] == 'd';

		if (ntok != 2)
			return perr(ps, ps->line, "expected '%s PREFIX'", tok[0]);
		why = rules_parse_prefix(tok[1], &p);
		if (why)
			return perr(ps, ps->line, "%s in '%.64s'", why, tok[1]);
		p.line = ps->line;
		if (dom) {
			if (push_prefix(&r->domestic, &r->n_domestic,
					&r->cap_domestic, &p))
				return perr(ps, ps->line, "out of memory");
		} else {
			struct rules_approval *a;

			if (!r->n_approvals)
				return perr(ps, ps->line,
					    "indicator outside an approval block");
			a = &r->approvals[r->n_approvals - 1];
			if (push_prefix(&a->ips, &a->n_ips, &a->cap_ips, &p))
				return perr(ps, ps->line, "out of memory");
		}
		return 0;
	}
	if (!strcmp(tok[0], "approval"))
		return parse_approval(ps, tok, ntok);
	if (!strcmp(tok[0], "domain")) {
		if (ntok != 2)
			return perr(ps, ps->line, "expected 'domain NAME'");
		if (!r->n_approvals)
			return perr(ps, ps->line,
				    "indicator outside an approval block");
		switch (rules_add_domain(&r->approvals[r->n_approvals - 1],
					 tok[1], ps->line)) {
		case 0:
			return 0;
		case -ENOMEM:
			return perr(ps, ps->line, "out of memory");
		default:
			return perr(ps, ps->line, "bad domain name '%.64s'",
				    tok[1]);
		}
	}
	return perr(ps, ps->line, "unknown keyword '%.32s'", tok[0]);
}

static size_t prefix_hash(const struct rules_prefix *p)
{
	uint64_t a, b, h;

	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	h = (a ^ ((uint64_t)p->family << 8 | p->len)) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 29) ^ b) * 0xbf58476d1ce4e5b9ULL;
	return (size_t)(h ^ (h >> 32));
}

/*
 * Two equal prefixes in one list: report the first repeat, at the later
 * line.  v is in line order; one pass over a hash of the prefixes seen
 * (sorting a million indicators took most of a rules check).
 */
static int check_duplicates(struct parser *ps, struct rules_prefix *v,
			    size_t n, const char *what)
{
	size_t cap = 16, *seen, h;
	char buf[64];

	if (n < 2)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen));	/* index + 1 of a prefix */
	if (!seen)
		return perr(ps, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		for (h = prefix_hash(&v[i]) & (cap - 1); seen[h];
		     h = (h + 1) & (cap - 1)) {
			const struct rules_prefix *f = &v[seen[h] - 1];

			if (cmp_prefix(f, &v[i]))
				continue;
			rules_format_prefix(&v[i], buf, sizeof(buf));
			free(seen);
			return perr(ps, v[i].line,
				    "duplicate %s %s (first at line %u)", what,
				    buf, f->line);
		}
		seen[h] = i + 1;
	}
	free(seen);
	return 0;
}

/*
 * Refuse IP indicators that overlap the domestic map, in either direction:
 * an indicator inside a domestic prefix would select domestic equipment,
 * one containing a domestic prefix would too.  The domestic prefixes are
 * reduced to the outermost ones (prefixes nest or are disjoint), sorted,
 * so each indicator costs one binary search.
 */
long rules_find_overlap(const struct rules_prefix *dom, size_t ndom,
			const struct rules_prefix *ips, size_t nips,
			struct rules_prefix *dom_hit)
{
	struct rules_prefix *top;
	size_t ntop = 0;
	long bad = -1;

	if (!ndom || !nips)
		return -1;
	top = malloc(ndom * sizeof(*top));
	if (!top)
		return -2;
	memcpy(top, dom, ndom * sizeof(*top));
	qsort(top, ndom, sizeof(*top), cmp_prefix);
	for (size_t i = 0; i < ndom; i++)
		if (!ntop || !contains(&top[ntop - 1], &top[i]))
			top[ntop++] = top[i];

	for (size_t j = 0; j < nips; j++) {
		const struct rules_prefix *ip = &ips[j];
		struct rules_prefix end = *ip;
		size_t lo = 0, hi = ntop;
		uint8_t dlast[16];

		/* Last outermost domestic prefix starting at or before ip's end. */
		last_addr(ip, end.addr);
		end.len = 128;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (cmp_prefix(&top[mid], &end) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo || top[lo - 1].family != ip->family)
			continue;
		last_addr(&top[lo - 1], dlast);
		if (memcmp(dlast, ip->addr, 16) < 0)
			continue;
		if (bad < 0 || ip->line < ips[bad].line) {
			bad = (long)j;
			*dom_hit = top[lo - 1];
		}
	}
	free(top);
	return bad;
}

static int check_overlap(struct parser *ps)
{
	struct rules *r = ps->r;
	const struct rules_prefix *bad_ip = NULL;
	struct rules_prefix bad_dom = { 0 }, d;
	char ibuf[64], dbuf[64];

	for (size_t k = 0; k < r->n_approvals; k++) {
		const struct rules_approval *a = &r->approvals[k];
		long j = rules_find_overlap(r->domestic, r->n_domestic, a->ips,
					    a->n_ips, &d);

		if (j == -2)
			return perr(ps, 0, "out of memory");
		if (j >= 0 && (!bad_ip || a->ips[j].line < bad_ip->line)) {
			bad_ip = &a->ips[j];
			bad_dom = d;
		}
	}
	if (!bad_ip)
		return 0;
	rules_format_prefix(bad_ip, ibuf, sizeof(ibuf));
	rules_format_prefix(&bad_dom, dbuf, sizeof(dbuf));
	return perr(ps, bad_ip->line,
		    "indicator %s overlaps the domestic prefix %s (line %u)",
		    ibuf, dbuf, bad_dom.line);
}

int rules_parse(struct rules *r, const char *buf, size_t len,
		const char *name, char *err, size_t errlen)
{
	struct parser ps = { .r = r, .name = name, .err = err,
			     .errlen = errlen };
	char line[LINE_MAX_LEN + 2];
	size_t pos = 0;

	memset(r, 0, sizeof(*r));
	if (memchr(buf, '\0', len)) {
		perr(&ps, 0, "NUL byte in a text file");
		goto fail;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		ps.line++;
		if (n > LINE_MAX_LEN) {
			perr(&ps, ps.line, "line longer than %d bytes",
			     LINE_MAX_LEN);
			goto fail;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		pos += n + 1;
		if (parse_line(&ps, line))
			goto fail;
	}
	if (close_approval(&ps))
		goto fail;
	if (check_duplicates(&ps, r->domestic, r->n_domestic,
			     "domestic prefix"))
		goto fail;
	for (size_t i = 0; i < r->n_approvals; i++)
		if (check_duplicates(&ps, r->approvals[i].ips,
				     r->approvals[i].n_ips, "indicator"))
			goto fail;
	for (size_t i = 0; i < r->n_approvals; i++)
		if (rules_dedup_domains(&r->approvals[i])) {
			perr(&ps, 0, "out of memory");
			goto fail;
		}
	if (check_overlap(&ps))
		goto fail;
	return 0;
fail:
	rules_free(r);
	return -1;
}

int rules_load_file(struct rules *r, const char *path, char *err,
		    size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (as_read_file(path, RULES_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	ret = rules_parse(r, buf ? (const char *)buf : "", len, path, err,
			  errlen);
	free(buf);
	return ret;
}

void rules_free(struct rules *r)
{
	free(r->domestic);
	for (size_t i = 0; i < r->n_approvals; i++) {
		free(r->approvals[i].ips);
		free(r->approvals[i].domains);
	}
	memset(r, 0, sizeof(*r));
}

int rules_add_domain(struct rules_approval *a, const char *indicator,
		     unsigned int line)
{
	char norm[AS_NAME_KEY_LEN + 1];
	size_t len;

	if (as_domain_normalize(indicator, norm, &len) ||
	    len >= sizeof(a->domains[0].name))
		return -EINVAL;
	if (a->n_domains == a->cap_domains) {
		size_t ncap = a->cap_domains ? a->cap_domains * 2 : 8;
		struct rules_domain *nv = realloc(a->domains,
						  ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		a->domains = nv;
		a->cap_domains = ncap;
	}
	memcpy(a->domains[a->n_domains].name, norm, len + 1);
	a->domains[a->n_domains++].line = line;
	return 0;
}

/*
 * The same name twice is one indicator: keep each name's first line, in
 * order.  One pass over a hash of the names kept (a bundle at the domain
 * capacity holds 2^18 of them; comparing each with every earlier one took
 * install minutes).
 */
int rules_dedup_domains(struct rules_approval *a)
{
	size_t cap = 16, n = 0, *seen;

	if (a->n_domains < 2)
		return 0;
	while (cap < 2 * a->n_domains)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen));	/* index + 1 of a kept name */
	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_domains; i++) {
		const char *name = a->domains[i].name;
		size_t h = (size_t)as_dom_text_fp(name, strlen(name)) & (cap - 1);
		bool dup = false;

		for (; seen[h]; h = (h + 1) & (cap - 1)) {
			if (!strcmp(a->domains[seen[h] - 1].name, name)) {
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		if (n != i)
			a->domains[n] = a->domains[i];
		seen[h] = ++n;
	}
	a->n_domains = n;
	free(seen);
	return 0;
}

static int cmp_lpm(const void *x, const void *y)
{
	const struct rules_lpm *a = x, *b = y;

	return cmp_prefix(&a->pfx, &b->pfx);
}

long rules_lpm_entries(const struct rules *r, int family,
		       struct rules_lpm **out)
{
	struct rules_lpm *v, **stack = NULL;
	size_t n = 0, m = 0, depth = 0;

	*out = NULL;
	for (size_t i = 0; i < r->n_approvals; i++)
		for (size_t j = 0; j < r->approvals[i].n_ips; j++)
			n += r->approvals[i].ips[j].family == family;
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	stack = malloc(n * sizeof(*stack));
	if (!v || !stack) {
		free(v);
		free(stack);
		return -1;
	}
	for (size_t i = 0; i < r->n_approvals; i++)
		for (size_t j = 0; j < r->approvals[i].n_ips; j++)
			if (r->approvals[i].ips[j].family == family) {
				v[m].pfx = r->approvals[i].ips[j];
				v[m++].mask = 1ULL << i;
			}
	qsort(v, n, sizeof(*v), cmp_lpm);
	/* Merge equal prefixes of different approvals. */
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_prefix(&v[m - 1].pfx, &v[i].pfx))
			v[m - 1].mask |= v[i].mask;
		else
			v[m++] = v[i];
	}
	/* Sorted order visits a prefix after every prefix containing it. */
	for (size_t i = 0; i < m; i++) {
		while (depth && !contains(&stack[depth - 1]->pfx, &v[i].pfx))
			depth--;
		if (depth)
			v[i].mask |= stack[depth - 1]->mask;
		stack[depth++] = &v[i];
	}
	free(stack);
	*out = v;
	return (long)m;
}
