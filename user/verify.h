/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verifying bundles against the trust file and the state (verify.c), and
 * the rule sets they make.  Nothing here writes a file or touches the
 * data path.  Errors: 0, or -1 with one line in err.
 */
#ifndef AUTOSEL_VERIFY_H
#define AUTOSEL_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "bundle.h"
#include "rules.h"
#include "state.h"

/* The trust file: opt, else AUTOSEL_TRUST, else AS_TRUST_DEFAULT. */
const char *as_trust_path(const char *opt);

/*
 * Load bundle path into *b (bundle_free() it) and check it against the
 * trust file (trust: NULL for as_trust_path()'s default) and the state
 * old: quorum, window, serial above the installed one, an approval has
 * indicators and comes after a domestic map, a domestic map has the id of
 * the one in force.  0; -1 when the bundle is refused; -2 on our error
 * (out of memory).  err holds the line either way.
 */
int as_verify_install(const struct as_state *old, const char *path,
		      const char *trust, struct bundle *b, char *err,
		      size_t errlen);

/* The bundles a state lists, loaded from their copies, one per slot. */
struct as_plan {
	struct bundle dom;
	bool have_dom;
	struct bundle b[AS_MAX_SLOTS];
	bool have[AS_MAX_SLOTS];
};

/* NULL with err set when a copy is missing, damaged or not what st says. */
struct as_plan *as_plan_load(const struct as_state *st, char *err,
			     size_t errlen);
void as_plan_free(struct as_plan *p);
/*
 * The rule set of p, each approval in its slot; compact: in slots
 * 0..n-1 instead (replay).
 */
int as_plan_rules(const struct as_plan *p, struct rules *r, bool compact,
		  char *err, size_t errlen);

/*
 * The rule set the state holds, approvals in their stable slots (vacant
 * slots have an empty id), for `attach`.  0 with an empty rule set when
 * nothing is installed.
 */
int as_state_rules(const struct as_state *st, struct rules *r, bool compact,
		   char *err, size_t errlen);

/* replay: a rule set from a state directory or from bundles + trust. */
int as_rules_from_bundles(const char *const *paths, size_t n,
			  const char *trust, struct rules *r, char *err,
			  size_t errlen);
int as_rules_from_state_dir(const char *dir, struct rules *r, char *err,
			    size_t errlen);

/* b's signers as the state and the audit log write them: "k1,k2" or "-" */
void as_signers_txt(const struct bundle *b, char *buf, size_t len);

#endif
