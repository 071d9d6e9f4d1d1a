/* SPDX-License-Identifier: GPL-2.0 */
/*
 * install / remove / expiry: the rule set in force comes from the state
 * directory (state.h), is built from the installed bundles, and replaces
 * the one on the attached ports in one atomic step per port.
 */
#ifndef AUTOSEL_INSTALL_H
#define AUTOSEL_INSTALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "rules.h"
#include "state.h"

#define AS_LOCK_PATH	"/run/autoselctl.lock"

/*
 * Remove approvals past valid-until from the state (and from the attached
 * program, by a swap), and log it.  Run by the commands that change what
 * is in force (attach; install, remove and expire do it under their own
 * lock), never by a read-only one; quiet when there is no state or no
 * permission.  Takes and releases the lock.  0, or EXIT_RUNTIME after
 * the one-line error if the state file is damaged.
 */
int as_expire_sweep(void);

/*
 * The rule set the state holds, approvals in their stable slots (vacant
 * slots have an empty id), for `attach`.  0 with an empty rule set when
 * nothing is installed.  uids[slot] is the data path's uid of each slot.
 */
int as_state_rules(const struct as_state *st, struct rules *r, bool compact,
		   char *err, size_t errlen);

/*
 * After as_maps_fill(): write every approval slot the way the state says
 * (its uid, vacant slots inactive), so that an approval keeps its flows
 * across rule updates.
 */
int as_state_fix_approvals(struct bpf_object *obj, const struct as_state *st,
			   char *err, size_t errlen);

/*
 * Tell autosel.ko (if loaded) the approvals of st and its generation;
 * old (may be NULL) is what it was told before: ids no longer in force
 * are removed.
 */
int as_module_sync(const struct as_state *old, const struct as_state *st,
		   char *err, size_t errlen);

/* replay: a rule set from a state directory or from bundles + trust. */
int as_rules_from_bundles(const char *const *paths, size_t n,
			  const char *trust, struct rules *r, char *err,
			  size_t errlen);
int as_rules_from_state_dir(const char *dir, struct rules *r, char *err,
			    size_t errlen);

#endif
