// SPDX-License-Identifier: GPL-2.0
/*
 * Bundles: parse (syntax only), verify against a trust file, check the
 * window, and turn verified bundles into a struct rules.  The format is
 * Documentation/bundle-format.rst; keep the two in step.
 *
 * The parser is strict on purpose: the signed bytes are the text, so every
 * ambiguity (CR, tabs, double spaces, comments, non-canonical prefixes)
 * would be a way for two readers to disagree about what was approved.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "cli.h"
#include "encode.h"
#include "fileio.h"
#include "timefmt.h"
#include "trust.h"

#define MAX_WORDS	4

struct bparser {
	struct bundle *b;
	unsigned int line;
	char *err;
	size_t errlen;
	size_t cap_ips, cap_domains;
};


#define perr(ps, ...) as_line_err((ps)->err, (ps)->errlen, (ps)->b->name, \
			   (ps)->line, __VA_ARGS__)


bool bundle_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RULES_ID_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Lower-case LDH(+underscore) labels of 1..63, at most 253 in all. */
static bool valid_domain(const char *s, bool *suffix)
{
	size_t n, lab = 0;

	*suffix = s[0] == '.';
	if (*suffix)
		s++;
	n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > 63)
				return false;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		lab++;
	}
	return true;
}

int bundle_parse_serial(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 19)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x > (uint64_t)INT64_MAX)
		return -1;
	*v = x;
	return 0;
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

/* The fixed header, in order; "type" and the window for approvals only. */
enum hstate {
	H_MAGIC, H_KIND, H_ID, H_TYPE, H_FROM, H_UNTIL, H_SERIAL, H_INDICATORS,
	H_BODY, H_SIGS,
};

static const char *const hexpect[] = {
	[H_MAGIC] = "autosel-bundle 1",
	[H_KIND] = "kind approval|domestic-map",
	[H_ID] = "id ID",
	[H_TYPE] = "type ff|fd|df",
	[H_FROM] = "valid-from TIME",
	[H_UNTIL] = "valid-until TIME",
	[H_SERIAL] = "serial N",
	[H_INDICATORS] = "indicators",
	[H_BODY] = "end",
	[H_SIGS] = "signature KEYID BASE64",
};

static const char *const hkw[] = {
	[H_KIND] = "kind", [H_ID] = "id", [H_TYPE] = "type",
	[H_FROM] = "valid-from", [H_UNTIL] = "valid-until",
	[H_SERIAL] = "serial",
};

static int expected(struct bparser *ps, enum hstate st)
{
	return perr(ps, "expected '%s'", hexpect[st]);
}

static int body_line(struct bparser *ps, char **w, int nw)
{
	struct bundle *b = ps->b;

	if (b->n_ips + b->n_domains >= BUNDLE_IND_MAX)
		return perr(ps, "more than %u indicators", BUNDLE_IND_MAX);
	if (!strcmp(w[0], "ip")) {
		struct rules_prefix p;
		const char *e;
		char canon[64];

		if (nw != 2)
			return perr(ps, "expected 'ip PREFIX'");
		e = rules_parse_prefix(w[1], &p);
		if (e)
			return perr(ps, "%s in '%.64s'", e, w[1]);
		rules_format_prefix(&p, canon, sizeof(canon));
		if (strcmp(canon, w[1]))
			return perr(ps, "non-canonical prefix '%.64s' (write '%s')",
				    w[1], canon);
		p.line = ps->line;
		if (b->n_ips == ps->cap_ips) {
			size_t ncap = ps->cap_ips ? ps->cap_ips * 2 : 16;
			struct rules_prefix *nv = realloc(b->ips, ncap * sizeof(*nv));

			if (!nv)
				return perr(ps, "out of memory");
			b->ips = nv;
			ps->cap_ips = ncap;
		}
		b->ips[b->n_ips++] = p;
		return 0;
	}
	if (!strcmp(w[0], "domain")) {
		struct bundle_domain *d;
		bool suffix;

		if (nw != 2)
			return perr(ps, "expected 'domain NAME'");
		if (b->kind == BUNDLE_DOMESTIC)
			return perr(ps, "a domestic map has IP prefixes only");
		if (!valid_domain(w[1], &suffix))
			return perr(ps, "bad domain name '%.64s' (lower-case labels, no trailing dot)",
				    w[1]);
		if (b->n_domains == ps->cap_domains) {
			size_t ncap = ps->cap_domains ? ps->cap_domains * 2 : 16;
			struct bundle_domain *nv =
				realloc(b->domains, ncap * sizeof(*nv));

			if (!nv)
				return perr(ps, "out of memory");
			b->domains = nv;
			ps->cap_domains = ncap;
		}
		d = &b->domains[b->n_domains++];
		memset(d, 0, sizeof(*d));
		strcpy(d->name, w[1]);
		d->suffix = suffix;
		d->line = ps->line;
		return 0;
	}
	return perr(ps, "unknown keyword '%.32s'", w[0]);
}

static int sig_line(struct bparser *ps, char **w, int nw)
{
	struct bundle *b = ps->b;
	struct bundle_sig *s;

	if (strcmp(w[0], "signature") || nw != 3)
		return expected(ps, H_SIGS);
	if (b->n_sigs >= BUNDLE_SIG_MAX)
		return perr(ps, "more than %d signatures", BUNDLE_SIG_MAX);
	if (!b->sigs) {
		b->sigs = calloc(BUNDLE_SIG_MAX, sizeof(*b->sigs));
		if (!b->sigs)
			return perr(ps, "out of memory");
	}
	s = &b->sigs[b->n_sigs];
	if (as_hex_parse(w[1], s->keyid, BUNDLE_KEYID_LEN))
		return perr(ps, "bad key id '%.32s' (16 lower-case hex digits)",
			    w[1]);
	if (as_b64_decode(w[2], s->sig, BUNDLE_SIG_LEN))
		return perr(ps, "bad signature encoding (base64 of %d bytes)",
			    BUNDLE_SIG_LEN);
	s->line = ps->line;
	b->n_sigs++;
	return 0;
}

static int header_line(struct bparser *ps, enum hstate *st, char **w, int nw)
{
	struct bundle *b = ps->b;
	int t;

	switch (*st) {
	case H_MAGIC:
		if (nw == 2 && !strcmp(w[0], "autosel-bundle") && strcmp(w[1], "1"))
			return perr(ps, "unsupported format version '%.16s'", w[1]);
		if (nw != 2 || strcmp(w[0], "autosel-bundle"))
			return expected(ps, *st);
		*st = H_KIND;
		return 0;
	case H_INDICATORS:
		if (nw != 1 || strcmp(w[0], "indicators"))
			return expected(ps, *st);
		*st = H_BODY;
		return 0;
	default:
		break;
	}
	if (nw != 2 || strcmp(w[0], hkw[*st]))
		return expected(ps, *st);
	switch (*st) {
	case H_KIND:
		if (!strcmp(w[1], "approval"))
			b->kind = BUNDLE_APPROVAL;
		else if (!strcmp(w[1], "domestic-map"))
			b->kind = BUNDLE_DOMESTIC;
		else
			return perr(ps, "bad kind '%.32s' (approval or domestic-map)",
				    w[1]);
		*st = H_ID;
		return 0;
	case H_ID:
		if (!bundle_valid_id(w[1]))
			return perr(ps, "bad id '%.80s' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
				    w[1]);
		strcpy(b->id, w[1]);
		*st = b->kind == BUNDLE_APPROVAL ? H_TYPE : H_SERIAL;
		return 0;
	case H_TYPE:
		t = parse_type(w[1]);
		if (t < 0)
			return perr(ps, "bad measure type '%.16s' (ff, fd or df)",
				    w[1]);
		b->type = (uint8_t)t;
		*st = H_FROM;
		return 0;
	case H_FROM:
	case H_UNTIL: {
		uint64_t *t = *st == H_FROM ? &b->from_ns : &b->until_ns;
		char canon[40];

		/* One spelling per instant: UTC, seconds, upper-case T and Z. */
		if (!as_parse_rfc3339(w[1], t))
			as_format_rfc3339(*t, canon, sizeof(canon));
		else
			canon[0] = '\0';
		if (strcmp(canon, w[1]) || *t % 1000000000ULL)
			return perr(ps, "bad time '%.64s' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)",
				    w[1]);
		if (*st == H_UNTIL && b->from_ns >= b->until_ns)
			return perr(ps, "valid-from is not before valid-until");
		*st = *st == H_FROM ? H_UNTIL : H_SERIAL;
		return 0;
	}
	case H_SERIAL:
		if (bundle_parse_serial(w[1], &b->serial))
			return perr(ps, "bad serial '%.32s' (1 to 9223372036854775807, no leading zeros)",
				    w[1]);
		*st = H_INDICATORS;
		return 0;
	default:
		return expected(ps, *st);
	}
}

/* Orders by family, address, length (all fields that make a prefix). */
static int cmp_ip(const void *x, const void *y)
{
	const struct rules_prefix *a = *(const struct rules_prefix *const *)x;
	const struct rules_prefix *b = *(const struct rules_prefix *const *)y;
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len - b->len;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int cmp_dom(const void *x, const void *y)
{
	const struct bundle_domain *a = *(const struct bundle_domain *const *)x;
	const struct bundle_domain *b = *(const struct bundle_domain *const *)y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Report the earliest line that repeats an earlier indicator. */
static int check_dups(struct bparser *ps)
{
	struct bundle *b = ps->b;
	size_t n = b->n_ips > b->n_domains ? b->n_ips : b->n_domains;
	unsigned int bad = 0, first = 0;
	char what[BUNDLE_DOMAIN_MAX + 8] = "";
	void **v;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return perr(ps, "out of memory");
	for (size_t i = 0; i < b->n_ips; i++)
		v[i] = &b->ips[i];
	qsort(v, b->n_ips, sizeof(*v), cmp_ip);
	for (size_t i = 1; i < b->n_ips; i++) {
		const struct rules_prefix *p = v[i - 1], *q = v[i];

		if (p->family != q->family || p->len != q->len ||
		    memcmp(p->addr, q->addr, 16))
			continue;
		if (!bad || q->line < bad) {
			bad = q->line;
			first = p->line;
			rules_format_prefix(q, what, sizeof(what));
		}
	}
	for (size_t i = 0; i < b->n_domains; i++)
		v[i] = &b->domains[i];
	qsort(v, b->n_domains, sizeof(*v), cmp_dom);
	for (size_t i = 1; i < b->n_domains; i++) {
		const struct bundle_domain *p = v[i - 1], *q = v[i];

		if (strcmp(p->name, q->name))
			continue;
		if (!bad || q->line < bad) {
			bad = q->line;
			first = p->line;
			snprintf(what, sizeof(what), "domain %s", q->name);
		}
	}
	free(v);
	if (!bad)
		return 0;
	ps->line = bad;
	return perr(ps, "duplicate indicator %s (first at line %u)", what, first);
}

int bundle_parse(struct bundle *b, const void *buf, size_t len,
		 const char *name, char *err, size_t errlen)
{
	struct bparser ps = { .b = b, .err = err, .errlen = errlen };
	const uint8_t *p = buf;
	enum hstate st = H_MAGIC;
	char line[BUNDLE_LINE_MAX + 1];
	size_t pos = 0;

	memset(b, 0, sizeof(*b));
	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s: libsodium failed to initialise", name);
		return -1;
	}
	b->name = strdup(name);
	if (!b->name) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	if (len == 0) {
		perr(&ps, "empty file");
		goto fail;
	}
	if (len > BUNDLE_FILE_MAX) {
		perr(&ps, "larger than %zu bytes", BUNDLE_FILE_MAX);
		goto fail;
	}
	while (pos < len) {
		const uint8_t *nl = memchr(p + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (p + pos)) : len - pos;
		char *w[MAX_WORDS];
		int nw = 0;

		ps.line++;
		if (n > BUNDLE_LINE_MAX) {
			perr(&ps, "line longer than %d bytes", BUNDLE_LINE_MAX);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			uint8_t c = p[pos + i];

			if (c == '\r') {
				perr(&ps, "CR character (line endings are LF only)");
				goto fail;
			}
			if (c < 0x20 || c > 0x7e) {
				perr(&ps, "byte 0x%02x not allowed (printable ASCII only)",
				     c);
				goto fail;
			}
		}
		if (!nl) {
			perr(&ps, "last line does not end in LF");
			goto fail;
		}
		memcpy(line, p + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n == 0) {
			perr(&ps, "empty line");
			goto fail;
		}
		if (line[0] == ' ' || line[n - 1] == ' ' || strstr(line, "  ")) {
			perr(&ps, "leading, trailing or double space");
			goto fail;
		}
		for (char *s = line;;) {
			if (nw == MAX_WORDS) {
				nw++;	/* too many: every check below fails */
				break;
			}
			w[nw++] = s;
			s = strchr(s, ' ');
			if (!s)
				break;
			*s++ = '\0';
		}

		if (st < H_BODY) {
			if (header_line(&ps, &st, w, nw))
				goto fail;
		} else if (st == H_BODY) {
			if (nw == 1 && !strcmp(w[0], "end")) {
				b->end_line = ps.line;
				b->signed_len = pos;
				st = H_SIGS;
				if (!b->n_ips && !b->n_domains) {
					perr(&ps, b->kind == BUNDLE_APPROVAL ?
						  "approval %s has no indicators" :
						  "domestic map %s has no prefixes",
					     b->id);
					goto fail;
				}
				if (check_dups(&ps))
					goto fail;
			} else if (body_line(&ps, w, nw)) {
				goto fail;
			}
		} else if (sig_line(&ps, w, nw)) {
			goto fail;
		}
	}
	if (st != H_SIGS) {
		ps.line = 0;
		perr(&ps, "unexpected end of file (expected '%s')", hexpect[st]);
		goto fail;
	}
	b->raw = malloc(len);
	if (!b->raw) {
		perr(&ps, "out of memory");
		goto fail;
	}
	memcpy(b->raw, buf, len);
	b->raw_len = len;
	crypto_hash_sha256(b->sha256, b->raw, b->signed_len);
	crypto_hash_sha256(b->file_sha256, b->raw, b->raw_len);
	return 0;
fail:
	bundle_free(b);
	return -1;
}

/* Read a whole file ("-": stdin) of at most max bytes. */

int bundle_load(const char *path, struct bundle *b, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(b, 0, sizeof(*b));
	if (as_read_file(path, BUNDLE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	ret = bundle_parse(b, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

void bundle_free(struct bundle *b)
{
	free(b->name);
	free(b->ips);
	free(b->domains);
	free(b->raw);
	free(b->sigs);
	memset(b, 0, sizeof(*b));
}

int bundle_verify(struct bundle *b, const struct trust *t, char *err,
		  size_t errlen)
{
	bool seen[TRUST_MEMBER_MAX] = { false };
	char tail[128] = "";

	b->n_signers = b->n_unknown = b->n_duplicate = 0;
	if (sodium_init() < 0)
		return as_line_err(err, errlen, b->name, 0,
			    "libsodium failed to initialise");
	if (!b->n_sigs)
		return as_line_err(err, errlen, b->name, 0, "not signed (quorum is %u)",
			    t->quorum);
	for (size_t i = 0; i < b->n_sigs; i++) {
		const struct bundle_sig *s = &b->sigs[i];
		const struct trust_member *m = trust_find(t, s->keyid);
		size_t mi;

		if (!m) {
			b->n_unknown++;
			continue;
		}
		if (crypto_sign_verify_detached(s->sig, b->raw, b->signed_len,
						m->pk)) {
			char hx[BUNDLE_KEYID_HEX];

			as_hex(s->keyid, BUNDLE_KEYID_LEN, hx);
			return as_line_err(err, errlen, b->name, s->line,
				    "signature by %s%s%s%s does not verify", hx,
				    m->name[0] ? " (" : "", m->name,
				    m->name[0] ? ")" : "");
		}
		mi = (size_t)(m - t->members);
		if (seen[mi]) {
			b->n_duplicate++;
			continue;
		}
		seen[mi] = true;
		memcpy(b->signers[b->n_signers++], m->keyid, BUNDLE_KEYID_LEN);
	}
	if (b->n_signers >= t->quorum)
		return 0;
	if (b->n_unknown)
		snprintf(tail, sizeof(tail), "; %zu by keys not in the trust file",
			 b->n_unknown);
	if (b->n_duplicate)
		snprintf(tail + strlen(tail), sizeof(tail) - strlen(tail),
			 "; %zu duplicate", b->n_duplicate);
	return as_line_err(err, errlen, b->name, 0,
		    "quorum not reached: %zu of %u member signatures%s",
		    b->n_signers, t->quorum, tail);
}

int bundle_window_check(const struct bundle *b, uint64_t now_ns, char *err,
			size_t errlen)
{
	char ts[48];

	if (b->kind != BUNDLE_APPROVAL)
		return 0;
	if (now_ns < b->from_ns) {
		as_format_rfc3339(b->from_ns, ts, sizeof(ts));
		return as_line_err(err, errlen, b->name, 0,
			    "approval %s is not valid yet (valid-from %s)", b->id,
			    ts);
	}
	if (now_ns >= b->until_ns) {
		as_format_rfc3339(b->until_ns, ts, sizeof(ts));
		return as_line_err(err, errlen, b->name, 0,
			    "approval %s has expired (valid-until %s)", b->id, ts);
	}
	return 0;
}

/* An IP indicator of approval a inside (or around) the domestic map. */
static int check_overlap(const struct bundle *a, const struct bundle *dom,
			 char *err, size_t errlen)
{
	struct rules_prefix d;
	char ib[64], db[64];
	long k = rules_find_overlap(dom->ips, dom->n_ips, a->ips, a->n_ips, &d);

	if (k == -2) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (k < 0)
		return 0;
	rules_format_prefix(&a->ips[k], ib, sizeof(ib));
	rules_format_prefix(&d, db, sizeof(db));
	return as_line_err(err, errlen, a->name, a->ips[k].line,
		    "indicator %s overlaps the domestic prefix %s (%s line %u)",
		    ib, db, dom->name, d.line);
}

int bundle_to_rules(const struct bundle *domestic,
		    const struct bundle *const *approvals, size_t n,
		    struct rules *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (domestic && domestic->kind != BUNDLE_DOMESTIC)
		return as_line_err(err, errlen, domestic->name, 0,
			    "is an approval, not a domestic map");
	if (n > AS_MAX_SLOTS)
		return as_line_err(err, errlen, approvals[AS_MAX_SLOTS]->name, 0,
			    "more than %d approvals", AS_MAX_SLOTS);
	for (size_t i = 0; i < n; i++) {
		const struct bundle *a = approvals[i];

		if (a->kind != BUNDLE_APPROVAL)
			return as_line_err(err, errlen, a->name, 0,
				    "is a domestic map, not an approval");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(approvals[j]->id, a->id))
				return as_line_err(err, errlen, a->name, 0,
					    "approval %s is also in %s", a->id,
					    approvals[j]->name);
		if (domestic && check_overlap(a, domestic, err, errlen))
			return -1;
	}
	if (domestic) {
		r->domestic = malloc(domestic->n_ips * sizeof(*r->domestic));
		if (!r->domestic)
			goto oom;
		memcpy(r->domestic, domestic->ips,
		       domestic->n_ips * sizeof(*r->domestic));
		r->n_domestic = r->cap_domestic = domestic->n_ips;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bundle *a = approvals[i];
		struct rules_approval *ra = &r->approvals[i];

		snprintf(ra->id, sizeof(ra->id), "%s", a->id);
		ra->type = a->type;
		ra->from_ns = a->from_ns;
		ra->until_ns = a->until_ns;
		ra->line = 1;
		r->n_approvals = i + 1;
		if (a->n_ips) {
			ra->ips = malloc(a->n_ips * sizeof(*ra->ips));
			if (!ra->ips)
				goto oom;
			memcpy(ra->ips, a->ips, a->n_ips * sizeof(*ra->ips));
			ra->n_ips = ra->cap_ips = a->n_ips;
		}
		for (size_t j = 0; j < a->n_domains; j++) {
			int e = rules_add_domain(ra, a->domains[j].name,
						 a->domains[j].line);

			if (e == -ENOMEM)
				goto oom;
			if (e) {
				rules_free(r);
				return as_line_err(err, errlen, a->name,
					    a->domains[j].line,
					    "bad domain name '%.64s'",
					    a->domains[j].name);
			}
		}
		if (rules_dedup_domains(ra))
			goto oom;
	}
	return 0;
oom:
	rules_free(r);
	snprintf(err, errlen, "out of memory");
	return -1;
}
