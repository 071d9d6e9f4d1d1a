// SPDX-License-Identifier: GPL-2.0
/*
 * Verifying bundles against the trust file and the state (verify.h).
 *
 * A new bundle is checked completely before anything is written:
 * signatures (quorum), window, serial (anti-rollback), indicators, and
 * that it fits with the domestic map in force.  The bundles the state
 * lists are read from their copies and checked against the SHA-256 the
 * state records; all of them together make the rule set (bundle_to_rules()),
 * each approval in its stable slot.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "encode.h"
#include "state.h"
#include "timefmt.h"
#include "trust.h"
#include "verify.h"

/* ---- the installed bundles, from their copies -------------------------- */

void as_plan_free(struct as_plan *p)
{
	if (!p)
		return;
	bundle_free(&p->dom);
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		bundle_free(&p->b[i]);
	free(p);
}

static int load_copy(const struct as_state *st, const struct st_slot *s,
		     struct bundle *b, char *err, size_t errlen)
{
	char p[PATH_MAX], sha[BUNDLE_SHA256_HEX];

	as_state_bundle_path(st, s->sha, p, sizeof(p));
	if (bundle_load(p, b, err, errlen))
		return -1;
	as_hex(b->sha256, BUNDLE_SHA256_LEN, sha);
	if (strcmp(sha, s->sha)) {
		snprintf(err, errlen, "%s: the installed copy of %s does not match its SHA-256 in the state",
			 p, s->id);
		return -1;
	}
	return 0;
}

/* The installed bundles, as the state lists them. */
struct as_plan *as_plan_load(const struct as_state *st, char *err,
			     size_t errlen)
{
	struct as_plan *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (st->has_domestic) {
		if (load_copy(st, &st->domestic, &p->dom, err, errlen))
			goto fail;
		p->have_dom = true;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		if (!st->slots[i].used)
			continue;
		if (load_copy(st, &st->slots[i], &p->b[i], err, errlen))
			goto fail;
		p->have[i] = true;
	}
	return p;
fail:
	as_plan_free(p);
	return NULL;
}

/*
 * bundle_to_rules() gives slots 0..n-1 in order; move each approval to
 * its stable slot.  compact keeps them 0..n-1 (replay).
 */
int as_plan_rules(const struct as_plan *p, struct rules *r, bool compact,
		  char *err, size_t errlen)
{
	const struct bundle *list[AS_MAX_SLOTS];
	int slot_of[AS_MAX_SLOTS];
	struct rules_approval *tmp;
	size_t n = 0;

	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (p->have[i]) {
			slot_of[n] = i;
			list[n++] = &p->b[i];
		}
	if (bundle_to_rules(p->have_dom ? &p->dom : NULL, list, n, r, err,
			    errlen))
		return -1;
	if (compact || !n)
		return 0;
	tmp = calloc(AS_MAX_SLOTS, sizeof(*tmp));
	if (!tmp) {
		rules_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		tmp[slot_of[k]] = r->approvals[k];
	memcpy(r->approvals, tmp, sizeof(r->approvals));
	free(tmp);
	r->n_approvals = (size_t)slot_of[n - 1] + 1;
	return 0;
}

int as_state_rules(const struct as_state *st, struct rules *r, bool compact,
		   char *err, size_t errlen)
{
	struct as_plan *p = as_plan_load(st, err, errlen);
	int ret;

	memset(r, 0, sizeof(*r));
	if (!p)
		return -1;
	ret = as_plan_rules(p, r, compact, err, errlen);
	as_plan_free(p);
	return ret;
}

int as_rules_from_state_dir(const char *dir, struct rules *r, char *err,
			    size_t errlen)
{
	struct as_state st;
	int ret;

	setenv("AUTOSEL_STATE_DIR", dir, 1);
	if (as_state_load(&st, err, errlen))
		return -1;
	ret = as_state_rules(&st, r, true, err, errlen);
	as_state_free(&st);
	return ret;
}

const char *as_trust_path(const char *opt)
{
	const char *e = getenv("AUTOSEL_TRUST");

	if (opt)
		return opt;
	return e && *e ? e : AS_TRUST_DEFAULT;
}

int as_rules_from_bundles(const char *const *paths, size_t n,
			  const char *trust, struct rules *r, char *err,
			  size_t errlen)
{
	const struct bundle *list[AS_MAX_SLOTS];
	struct bundle *b = calloc(n ? n : 1, sizeof(*b));
	const struct bundle *dom = NULL;
	struct trust *t = calloc(1, sizeof(*t));
	size_t na = 0;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!b || !t) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (trust_load(as_trust_path(trust), t, err, errlen))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (bundle_load(paths[i], &b[i], err, errlen) ||
		    bundle_verify(&b[i], t, err, errlen))
			goto out;
		if (b[i].kind == BUNDLE_DOMESTIC) {
			if (dom) {
				snprintf(err, errlen, "%s: a second domestic map (the first is %s)",
					 paths[i], dom->name);
				goto out;
			}
			dom = &b[i];
		} else if (na == AS_MAX_SLOTS) {
			snprintf(err, errlen, "%s: more than %d approvals",
				 paths[i], AS_MAX_SLOTS);
			goto out;
		} else {
			list[na++] = &b[i];
		}
	}
	ret = bundle_to_rules(dom, list, na, r, err, errlen);
out:
	for (size_t i = 0; b && i < n; i++)
		bundle_free(&b[i]);
	free(b);
	free(t);
	return ret;
}

void as_signers_txt(const struct bundle *b, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < b->n_signers && off + BUNDLE_KEYID_HEX < len; i++) {
		char hex[BUNDLE_KEYID_HEX];

		as_hex(b->signers[i], BUNDLE_KEYID_LEN, hex);
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", hex);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- a new bundle ------------------------------------------------------ */

int as_verify_install(const struct as_state *old, const char *path,
		      const char *trust, struct bundle *b, char *err,
		      size_t errlen)
{
	struct trust *t = calloc(1, sizeof(*t));
	uint64_t prev;
	int ret = -1;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	if (bundle_load(path, b, err, errlen) ||
	    trust_load(as_trust_path(trust), t, err, errlen) ||
	    bundle_verify(b, t, err, errlen) ||
	    bundle_window_check(b, as_now_ns(), err, errlen))
		goto out;
	prev = as_state_serial(old, b->id);
	if (b->serial <= prev) {
		snprintf(err, errlen,
			 "%s: serial %" PRIu64 " of %s is not above the installed serial %" PRIu64 " (rollback)",
			 path, b->serial, b->id, prev);
		goto out;
	}
	if (b->kind == BUNDLE_APPROVAL && !b->n_ips && !b->n_domains) {
		snprintf(err, errlen, "%s: approval %s has no indicators",
			 path, b->id);
		goto out;
	}
	if (b->kind == BUNDLE_APPROVAL && !old->has_domestic) {
		snprintf(err, errlen,
			 "%s: no domestic map is installed; install the domestic-map bundle first",
			 path);
		goto out;
	}
	if (b->kind == BUNDLE_DOMESTIC && old->has_domestic &&
	    strcmp(old->domestic.id, b->id)) {
		snprintf(err, errlen,
			 "%s: the domestic map in force is %s, not %s",
			 path, old->domestic.id, b->id);
		goto out;
	}
	ret = 0;
out:
	free(t);
	return ret;
}
