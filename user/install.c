// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl install / remove, and expiry: a change to what is in force,
 * checked completely before anything is written (verify.c, and that the
 * rule set fits, swap.c), then, in this order:
 *
 *   0. room for the audit lines is claimed (a full log refuses the
 *      change, nothing changed);
 *   1. the new state is written beside the old one (state.new, the new
 *      bundle copy; state.c);
 *   2. if the filter is attached: autosel.ko is told the approvals and the
 *      generation (control.c), and the new rule set is swapped in on every
 *      attached port (swap.c);
 *   3. the audit lines are written;
 *   4. state.new is renamed over state.
 *
 * A process that dies (or fails) between 1 and 4 leaves state.new: the
 * change, fully checked.  The next command that changes anything (or
 * `autoselctl recover`) rolls it forward first -- module, ports, a
 * "recover" audit line, the commit -- so what is in force and what the
 * state says never stay apart (as_recover_locked()).
 *
 * Slots are stable: an approval keeps its slot and its uid for as long as
 * it is in force, so its flows continue across updates of other approvals
 * and across its own extensions.  A slot given to another approval gets a
 * new uid (generation * 64 + slot + 1), which ends the old approval's
 * flows in the data path.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "bundle.h"
#include "cli.h"
#include "commands.h"
#include "control.h"
#include "encode.h"
#include "fault.h"
#include "install.h"
#include "json.h"
#include "state.h"
#include "swap.h"
#include "timefmt.h"
#include "verify.h"

#define ERRLEN		(RULES_ERR_MAX + 512)

/* ---- applying a new state ---------------------------------------------- */

static int module_sync(const struct as_state *old, const struct as_state *st,
		       char *err, size_t errlen)
{
	if (AS_FAULT_FAIL("module-sync")) {
		snprintf(err, errlen, "cannot tell autosel.ko the approvals: %s",
			 strerror(errno));
		return -1;
	}
	return as_module_sync(old, st, err, errlen);
}

#define NOT_RECORDED	"; the change is in force but not recorded: 'autoselctl recover' completes it"

/*
 * Check that the rule set of st fits (always), then put it in force:
 * claim room in the audit log, prepare the state files, tell the module
 * and swap if attached, write the audit lines evs[0..nevs), commit.
 * bundle/len/sha: the new bundle copy, if any.  Returns 0; -1 with err
 * and nothing changed; -2 with err when the change is in force but not
 * committed (state.new stays for as_recover_locked()).
 */
static int apply(const struct as_state *old, struct as_state *st,
		 const struct rules *r, const void *bundle, size_t len,
		 const char *sha, const struct as_audit_ev *evs, int nevs,
		 int *nports, char *err, size_t errlen)
{
	bool live = as_attached();
	char e2[ERRLEN];
	int bad = 0;

	*nports = 0;
	if (as_rules_fit(r, err, errlen) ||
	    as_audit_reserve(AS_AUDIT_RESERVE, err, errlen))
		return -1;

	if (as_state_prepare(st, bundle, len, sha, err, errlen))
		return -1;
	if (live) {
		int e = module_sync(old, st, err, errlen);

		AS_CRASH_POINT("module-synced");
		if (!e)
			e = as_swap_in(r, st, nports, err, errlen);
		if (e) {
			as_module_sync(st, old, e2, sizeof(e2));
			as_state_abort(st, bundle ? sha : NULL);
			return -1;
		}
	}
	for (int i = 0; i < nevs; i++)
		bad |= as_audit(&evs[i]);
	if (bad) {
		snprintf(err, errlen, "cannot write the audit log: %s" NOT_RECORDED,
			 strerror(errno));
		return -2;
	}
	AS_CRASH_POINT("audited");
	if (as_state_commit(st, e2, sizeof(e2))) {
		snprintf(err, errlen, "%.700s" NOT_RECORDED, e2);
		return -2;
	}
	return 0;
}

/* ---- an interrupted change ------------------------------------------------ */

int as_recover_locked(struct as_state *cur, char *err, size_t errlen)
{
	char e2[ERRLEN], reason[ERRLEN + 1024];
	struct as_audit_ev ev = { .action = "recover", .result = "ok",
				  .reason = reason };
	struct as_state nst = { 0 };
	struct rules r = { 0 };
	bool pending;
	int nports = 0, ret = -1;

	if (as_state_load_pending(&nst, &pending, e2, sizeof(e2)) ||
	    (pending && nst.generation != cur->generation + 1)) {
		/*
		 * Cut short while it was written (its seal fails), or older
		 * than the state: never in force, the swap comes after it.
		 */
		if (pending && !e2[0])
			snprintf(e2, sizeof(e2), "generation %u, the state's is %u",
				 nst.generation, cur->generation);
		as_state_free(&nst);
		as_state_discard_pending();
		snprintf(reason, sizeof(reason),
			 "discarded %.600s/state.new, an unfinished change never put in force (%.200s)",
			 cur->dir, e2);
		as_audit(&ev);
		fprintf(stderr, "autoselctl: %s\n", reason);
		return 1;
	}
	if (!pending)
		return 0;
	if (as_audit_reserve(AS_AUDIT_RESERVE, err, errlen))
		goto out;
	if (as_state_rules(&nst, &r, false, e2, sizeof(e2)) ||
	    (as_attached() &&
	     (as_module_sync(cur, &nst, e2, sizeof(e2)) ||
	      as_swap_in(&r, &nst, &nports, e2, sizeof(e2))))) {
		snprintf(err, errlen, "cannot complete the interrupted change in %s/state.new: %s",
			 nst.dir, e2);
		goto out;
	}
	snprintf(reason, sizeof(reason),
		 "completed an interrupted change: generation %u in force%s, the state said %u",
		 nst.generation, as_attached() ? " on the ports" : "",
		 cur->generation);
	if (as_audit(&ev)) {
		snprintf(err, errlen, "cannot write the audit log: %s; nothing recorded, run 'autoselctl recover' again",
			 strerror(errno));
		goto out;
	}
	if (as_state_commit(&nst, e2, sizeof(e2))) {
		snprintf(err, errlen, "%s; run 'autoselctl recover' again", e2);
		goto out;
	}
	fprintf(stderr, "autoselctl: %s\n", reason);
	as_state_free(cur);
	*cur = nst;
	memset(&nst, 0, sizeof(nst));
	ret = 1;
out:
	rules_free(&r);
	as_state_free(&nst);
	return ret;
}

int as_recover(void)
{
	struct as_state st;
	char err[ERRLEN];
	int ret;

	if (!as_state_pending())
		return 0;
	if (as_state_load(&st, err, sizeof(err)))
		return as_err("%s", err);
	ret = as_recover_locked(&st, err, sizeof(err));
	as_state_free(&st);
	return ret < 0 ? as_err("%s", err) : 0;
}

static void recover_usage(FILE *f)
{
	fputs("Usage: autoselctl recover [--json]\n"
	      "\n"
	      "Complete a change that an install, remove or expire began and did\n"
	      "not finish (the process died, or failed after the swap): the state\n"
	      "directory's state.new is put in force on the module and the ports\n"
	      "and committed, logged as 'recover'.  Every command that changes\n"
	      "anything does this first; with nothing pending this does nothing.\n", f);
}

int cmd_recover(int argc, char **argv)
{
	struct as_state st = { 0 };
	char err[ERRLEN];
	bool json = false;
	int ret, n;

	ret = as_json_only_args(argc, argv, "recover", recover_usage, &json);
	if (ret >= 0)
		return ret;
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (as_state_lock())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	ret = EXIT_RUNTIME;
	if (as_state_load(&st, err, sizeof(err))) {
		as_err("%s", err);
		goto out;
	}
	n = as_recover_locked(&st, err, sizeof(err));
	if (n < 0) {
		as_err("%s", err);
		goto out;
	}
	if (json)
		printf("{\"recovered\":%s,\"generation\":%u}\n",
		       n ? "true" : "false", st.generation);
	else if (n)
		printf("recovered: generation %u\n", st.generation);
	else
		printf("nothing to recover: generation %u, no unfinished change\n",
		       st.generation);
	ret = 0;
out:
	as_state_free(&st);
	as_state_unlock();
	return ret;
}

/* ---- install ----------------------------------------------------------- */

static void install_usage(FILE *f)
{
	fputs("Usage: autoselctl install BUNDLE [--trust FILE] [--json]\n"
	      "\n"
	      "Verify a signed approval or domestic-map bundle against the trust\n"
	      "file (default " AS_TRUST_DEFAULT ", AUTOSEL_TRUST overrides) and\n"
	      "put it in force: recorded in the state directory (default\n"
	      AS_STATE_DIR_DEFAULT ", AUTOSEL_STATE_DIR) and, if the filter is\n"
	      "attached, swapped in atomically on every port.  Anything wrong\n"
	      "(quorum, signature, window, serial, indicators, capacity) is\n"
	      "refused with one line and nothing changes.\n", f);
}

static void remove_usage(FILE *f)
{
	fputs("Usage: autoselctl remove ID [--json]\n"
	      "\n"
	      "Take approval ID out of force (swapped out atomically if attached).\n"
	      "Its serial stays recorded: it can come back only with a higher one.\n", f);
}

/* Everything about one refused or failed install, for the audit log. */
static int refuse(const char *result, const struct bundle *b,
		  const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(const char *result, const struct bundle *b,
		  const char *id, const char *fmt, ...)
{
	char reason[ERRLEN], signers[AS_SIGNERS_TXT], sha[BUNDLE_SHA256_HEX];
	struct as_audit_ev ev = { .action = "install", .result = result };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ev.reason = reason;
	ev.id = id;
	if (b && b->raw) {
		as_hex(b->sha256, BUNDLE_SHA256_LEN, sha);
		as_signers_txt(b, signers, sizeof(signers));
		ev.sha = sha;
		ev.signers = signers;
		ev.serial = b->serial;
		if (!id)
			ev.id = b->id;
	}
	as_audit(&ev);
	return as_err("%s", reason);
}

static int expire_locked(struct as_state *st, bool quiet);

int cmd_install(int argc, char **argv)
{
	char err[ERRLEN], sha[BUNDLE_SHA256_HEX], signers[AS_SIGNERS_TXT];
	const char *path = NULL, *trust_opt = NULL;
	struct as_state old = { 0 }, st = { 0 };
	struct bundle b = { 0 };
	struct as_plan *p = NULL;
	struct rules r = { 0 };
	int ret = EXIT_RUNTIME, slot = -1, nports = 0;
	bool json = false;

	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			install_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--trust")) {
			if (i + 1 >= argc)
				return as_usage_err("install: --trust needs a value");
			trust_opt = argv[++i];
		} else if (as_is_json(argv[i])) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return as_usage_err("install: unknown option '%s' (see 'autoselctl install help')",
					    argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return as_usage_err("install: unexpected argument '%s'",
					    argv[i]);
		}
	}
	as_audit_subject(path);
	if (!path)
		return as_usage_err("install: BUNDLE is required");
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (as_state_lock())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&old, err, sizeof(err)) ||
	    as_recover_locked(&old, err, sizeof(err)) < 0) {
		ret = refuse("error", NULL, NULL, "%s", err);
		goto out;
	}
	expire_locked(&old, false);

	switch (as_verify_install(&old, path, trust_opt, &b, err,
				  sizeof(err))) {
	case 0:
		break;
	case -1:
		ret = refuse("refused", &b, NULL, "%s", err);
		goto out;
	default:
		ret = refuse("error", NULL, NULL, "%s", err);
		goto out;
	}
	as_hex(b.sha256, BUNDLE_SHA256_LEN, sha);
	as_signers_txt(&b, signers, sizeof(signers));

	/* The new state: the old one plus this bundle. */
	switch (as_state_with(&old, &b, sha, signers, &st, &slot)) {
	case 0:
		break;
	case -2:
		ret = refuse("refused", &b, NULL,
			     "%s: no free approval slot: %d approvals are in force",
			     path, AS_MAX_SLOTS);
		goto out;
	default:
		ret = refuse("error", &b, NULL, "out of memory");
		goto out;
	}

	/* The rule set: installed copies, this bundle in its place. */
	p = as_plan_load(&old, err, sizeof(err));
	if (!p) {
		ret = refuse("error", &b, NULL, "%s", err);
		goto out;
	}
	if (b.kind == BUNDLE_DOMESTIC) {
		bundle_free(&p->dom);
		p->dom = b;
		p->have_dom = true;
	} else {
		bundle_free(&p->b[slot]);
		p->b[slot] = b;
		p->have[slot] = true;
	}
	memset(&b, 0, sizeof(b));	/* p owns it now */
	{
		const struct bundle *nb = slot < 0 ? &p->dom : &p->b[slot];

		if (as_plan_rules(p, &r, false, err, sizeof(err))) {
			ret = refuse("refused", nb, NULL, "%s", err);
			goto out;
		}
		struct as_audit_ev ev = {
			.action = "install", .result = "ok",
			.id = nb->id, .serial = nb->serial, .sha = sha,
			.signers = signers,
			.reason = slot < 0 ? "domestic map" : "approval",
			.has_slot = slot >= 0, .slot = slot,
		};
		int e = apply(&old, &st, &r, nb->raw, nb->raw_len, sha, &ev, 1,
			      &nports, err, sizeof(err));

		if (e == -2) {
			ret = refuse("error", nb, NULL, "%s", err);
			goto out;
		}
		if (e) {
			bool cap = !strncmp(err, "too many", 8);

			/* Capacity is the bundle's fault; the rest is ours. */
			ret = refuse(cap ? "refused" : "error", nb, NULL,
				     "%s%s%s", cap ? path : "", cap ? ": " : "",
				     err);
			goto out;
		}
		if (json) {
			printf("{\"installed\":\"%s\",\"id\":",
			       slot < 0 ? "domestic-map" : "approval");
			as_json_str(stdout, nb->id);
			printf(",\"serial\":%" PRIu64 ",\"sha256\":\"%s\",\"signers\":",
			       nb->serial, sha);
			as_json_str(stdout, signers);
			if (slot < 0)
				printf(",\"slot\":null,\"vlan\":null");
			else
				printf(",\"slot\":%d,\"vlan\":%d", slot,
				       AS_SLOT_TO_VID(slot));
			printf(",\"generation\":%u,\"ports\":", st.generation);
			if (as_attached())
				printf("%d}\n", nports);
			else
				printf("null}\n");
		} else if (slot < 0)
			printf("installed domestic map %s serial %" PRIu64 " (sha256 %s), generation %u\n",
			       nb->id, nb->serial, sha, st.generation);
		else
			printf("installed approval %s serial %" PRIu64 " in slot %d (sha256 %s), generation %u\n",
			       nb->id, nb->serial, slot, sha, st.generation);
		if (!json && as_attached())
			printf("swapped in on %d port%s\n", nports,
			       nports == 1 ? "" : "s");
		else if (!json)
			printf("not attached: recorded in %s; the next attach loads it\n",
			       st.dir);
	}
	ret = 0;
out:
	rules_free(&r);
	as_plan_free(p);
	bundle_free(&b);
	as_state_free(&st);
	as_state_free(&old);
	as_state_unlock();
	return ret;
}

/* ---- remove and expiry --------------------------------------------------- */

/* Apply the state without the dropped approvals. */
static int drop_apply(struct as_state *old, const bool drop[AS_MAX_SLOTS],
		      const char *last, struct as_state *st,
		      const struct as_audit_ev *evs, int nevs, int *nports,
		      char *err, size_t errlen)
{
	struct rules r = { 0 };
	int ret;

	if (as_state_without(old, drop, last, st)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (as_state_rules(st, &r, false, err, errlen))
		return -1;
	ret = apply(old, st, &r, NULL, 0, NULL, evs, nevs, nports, err,
		    errlen);
	rules_free(&r);
	return ret;
}

/* Remove expired approvals from *st (which is updated); logs each. */
static int expire_locked(struct as_state *st, bool quiet)
{
	bool drop[AS_MAX_SLOTS] = { 0 };
	struct as_audit_ev evs[AS_MAX_SLOTS];
	struct as_state nst = { 0 };
	char err[ERRLEN], until[AS_MAX_SLOTS][40];
	uint64_t now = as_now_ns();
	int n = 0, nports;

	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];

		if (!s->used || s->until_ns > now)
			continue;
		drop[i] = true;
		as_format_rfc3339(s->until_ns, until[i], sizeof(until[i]));
		memmove(until[i] + 12, until[i], strlen(until[i]) + 1);
		memcpy(until[i], "valid-until ", 12);
		evs[n++] = (struct as_audit_ev){
			.action = "expire", .result = "ok", .id = s->id,
			.serial = s->serial, .sha = s->sha,
			.signers = s->signers, .reason = until[i],
			.has_slot = true, .slot = i,
		};
	}
	if (!n)
		return 0;
	if (drop_apply(st, drop, "expired", &nst, evs, n, &nports, err,
		       sizeof(err))) {
		as_state_free(&nst);
		if (!quiet)
			as_err("cannot remove expired approvals: %s", err);
		return -1;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (drop[i])
			fprintf(stderr, "autoselctl: approval %s expired (%s); removed from the rule set in force\n",
				st->slots[i].id, until[i]);
	as_state_free(st);
	*st = nst;
	return n;
}

int as_expire_sweep(void)
{
	struct as_state st;
	char err[ERRLEN], p[PATH_MAX];
	int ret = 0;

	snprintf(p, sizeof(p), "%s/state", as_state_dir());
	if (access(p, R_OK | W_OK))
		return 0;
	if (as_state_lock())
		return 0;
	if (!as_state_load(&st, err, sizeof(err))) {
		bool any = false;

		if (as_state_pending() && !as_audit_open(err, sizeof(err)) &&
		    as_recover_locked(&st, err, sizeof(err)) < 0) {
			ret = as_err("%s", err);
			as_state_free(&st);
			as_state_unlock();
			return ret;
		}
		for (int i = 0; i < AS_MAX_SLOTS; i++)
			any |= st.slots[i].used && st.slots[i].until_ns <= as_now_ns();
		if (any && !as_audit_open(err, sizeof(err)))
			expire_locked(&st, false);
		as_state_free(&st);
	} else {
		ret = as_err("%s", err);
	}
	as_state_unlock();
	return ret;
}

static void expire_usage(FILE *f)
{
	fputs("Usage: autoselctl expire [--json]\n"
	      "\n"
	      "Take every approval past its valid-until out of force (state and\n"
	      "attached rule set), each logged as 'expire'.  Read-only commands\n"
	      "never do this; run it from a timer (admin-guide.rst).\n", f);
}

int cmd_expire(int argc, char **argv)
{
	struct as_state st = { 0 };
	char err[ERRLEN];
	bool json = false, first = true, before[AS_MAX_SLOTS];
	char ids[AS_MAX_SLOTS][RULES_ID_MAX];
	int ret, n;

	ret = as_json_only_args(argc, argv, "expire", expire_usage, &json);
	if (ret >= 0)
		return ret;
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (as_state_lock())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&st, err, sizeof(err)) ||
	    as_recover_locked(&st, err, sizeof(err)) < 0) {
		ret = as_err("%s", err);
		goto out;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		before[i] = st.slots[i].used;
		snprintf(ids[i], sizeof(ids[i]), "%s", st.slots[i].id);
	}
	n = expire_locked(&st, false);
	if (n < 0) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (json) {
		printf("{\"expired\":[");
		for (int i = 0; i < AS_MAX_SLOTS; i++) {
			if (!before[i] || st.slots[i].used)
				continue;
			printf("%s", first ? "" : ",");
			as_json_str(stdout, ids[i]);
			first = false;
		}
		printf("],\"generation\":%u}\n", st.generation);
	} else {
		printf("%d approval%s expired, generation %u\n", n,
		       n == 1 ? "" : "s", st.generation);
	}
	ret = 0;
out:
	as_state_free(&st);
	as_state_unlock();
	return ret;
}

int cmd_remove(int argc, char **argv)
{
	bool drop[AS_MAX_SLOTS] = { 0 };
	struct as_state old = { 0 }, st = { 0 };
	const char *id = NULL;
	char err[ERRLEN];
	bool json = false;
	int ret = EXIT_RUNTIME, slot = -1, nports = 0;

	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			remove_usage(stdout);
			return 0;
		}
		if (as_is_json(argv[i])) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return as_usage_err("remove: unknown option '%s' (see 'autoselctl remove help')",
					    argv[i]);
		if (id)
			return as_usage_err("remove: unexpected argument '%s'",
					    argv[i]);
		id = argv[i];
	}
	as_audit_subject(id);
	if (!id)
		return as_usage_err("remove: ID is required");
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (as_state_lock())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&old, err, sizeof(err)) ||
	    as_recover_locked(&old, err, sizeof(err)) < 0) {
		struct as_audit_ev ev = { .action = "remove", .result = "error",
					  .id = id, .reason = err };

		as_audit(&ev);
		ret = as_err("%s", err);
		goto out;
	}
	expire_locked(&old, false);
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (old.slots[i].used && !strcmp(old.slots[i].id, id))
			slot = i;
	if (slot < 0) {
		struct as_audit_ev ev = { .action = "remove", .result = "refused",
					  .id = id };

		if (old.has_domestic && !strcmp(old.domestic.id, id))
			snprintf(err, sizeof(err), "%s is the domestic map: it cannot be removed, only replaced by a higher serial",
				 id);
		else
			snprintf(err, sizeof(err), "%s: no such approval in force",
				 id);
		ev.reason = err;
		as_audit(&ev);
		ret = as_err("%s", err);
		goto out;
	}
	drop[slot] = true;
	{
		const struct st_slot *s = &old.slots[slot];
		struct as_audit_ev ev = {
			.action = "remove", .id = s->id, .serial = s->serial,
			.sha = s->sha, .signers = s->signers,
			.has_slot = true, .slot = slot, .result = "ok",
			.reason = "removed by the operator",
		};

		if (drop_apply(&old, drop, "removed", &st, &ev, 1, &nports,
			       err, sizeof(err))) {
			ev.result = "error";
			ev.reason = err;
			as_audit(&ev);
			ret = as_err("%s", err);
			goto out;
		}
		if (json) {
			printf("{\"removed\":");
			as_json_str(stdout, s->id);
			printf(",\"serial\":%" PRIu64 ",\"slot\":%d,\"vlan\":%d,\"generation\":%u,\"ports\":",
			       s->serial, slot, AS_SLOT_TO_VID(slot),
			       st.generation);
			if (as_attached())
				printf("%d}\n", nports);
			else
				printf("null}\n");
		} else {
			printf("removed approval %s (serial %" PRIu64 ", slot %d), generation %u\n",
			       s->id, s->serial, slot, st.generation);
		}
		if (!json && as_attached())
			printf("swapped out on %d port%s\n", nports,
			       nports == 1 ? "" : "s");
	}
	ret = 0;
out:
	as_state_free(&st);
	as_state_free(&old);
	as_state_unlock();
	return ret;
}
