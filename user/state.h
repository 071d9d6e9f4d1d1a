/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The installer's state directory (default /var/lib/autosel,
 * AUTOSEL_STATE_DIR overrides it): what is installed, in which slot, with
 * which uid, and the highest serial ever installed per id (anti-rollback;
 * kept after removal and expiry).  Documentation/admin-guide.rst has the
 * layout:
 *
 *   state              one text file, replaced atomically (temp + rename)
 *   bundles/SHA256     verbatim copies of the installed bundles, named by
 *                      the SHA-256 of their signed bytes
 *
 * Nothing in the directory is written before a change has been fully
 * checked; a refused install leaves every byte as it was.  The changes
 * themselves (with, without) are computed here, in memory.
 */
#ifndef AUTOSEL_STATE_H
#define AUTOSEL_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autosel/abi.h"
#include "rules.h"

struct bundle;

#define AS_STATE_DIR_DEFAULT	"/var/lib/autosel"
#define AS_TRUST_DEFAULT	"/etc/autosel/trust"
#define AS_LOCK_PATH		"/run/autoselctl.lock"
#define AS_STATE_MAGIC		"autosel-state 2"
#define AS_STATE_MAGIC_V1	"autosel-state 1"	/* no "end" line; still read */
/* 64 slots and one line per id ever installed: far below this. */
#define AS_STATE_FILE_MAX	(64u << 20)
/* Signer key ids, comma-separated hex: 64 members * 17 + NUL. */
#define AS_SIGNERS_TXT		(64 * 17 + 1)

/* An approval in force, bound to its slot. */
struct st_slot {
	bool used;
	char id[RULES_ID_MAX];
	uint64_t serial;
	uint32_t uid;		/* the data path's approval uid; kept while bound */
	uint8_t type;
	uint64_t from_ns, until_ns;
	char sha[65];		/* SHA-256 of the bundle's signed bytes */
	char signers[AS_SIGNERS_TXT];	/* "k1,k2,..." or "-" */
};

/* Every id ever installed: its highest serial and what became of it. */
struct st_serial {
	char id[RULES_ID_MAX];
	uint64_t serial;
	char last[16];		/* "installed", "removed", "expired" */
};

struct as_state {
	char dir[PATH_MAX / 2];
	uint32_t generation;	/* rule-set generation; 0: nothing ever */
	bool has_domestic;
	struct st_slot domestic;	/* the domestic map (slot unused) */
	struct st_slot slots[AS_MAX_SLOTS];
	struct st_serial *serials;
	size_t n_serials;
};

/* The directory, from AUTOSEL_STATE_DIR or the default. */
const char *as_state_dir(void);
/*
 * Read dir/state; a missing directory or file is an empty state.  Any
 * damage is an error "PATH:LINE: corrupt state file: ..." and no state.
 */
int as_state_load(struct as_state *st, char *err, size_t errlen);
void as_state_free(struct as_state *st);
/*
 * dir/state.new, the change as_state_prepare() wrote and no commit has
 * renamed into place yet (a process that died or failed in between):
 * *pending false if there is none.  Errors as for as_state_load() (a
 * state.new cut short by a kill fails its seal).
 */
int as_state_load_pending(struct as_state *st, bool *pending, char *err,
			  size_t errlen);
bool as_state_pending(void);
void as_state_discard_pending(void);
/* Path of the copy of a bundle with this SHA-256. */
void as_state_bundle_path(const struct as_state *st, const char *sha,
			  char *buf, size_t len);
uint64_t as_state_serial(const struct as_state *st, const char *id);
int as_state_set_serial(struct as_state *st, const char *id, uint64_t serial,
			const char *last);

/*
 * Commit in two steps, so that the caller can do the irrevocable part
 * (the program swap) between them: prepare writes the new bundle copy
 * (if any) and "state.new"; commit renames it into place and removes
 * copies nobody refers to; abort removes what prepare wrote.
 */
int as_state_prepare(const struct as_state *st, const void *bundle,
		     size_t bundle_len, const char *bundle_sha, char *err,
		     size_t errlen);
int as_state_commit(const struct as_state *st, char *err, size_t errlen);
void as_state_abort(const struct as_state *st, const char *bundle_sha);

/*
 * One autoselctl at a time changes the state or the pins: flock(2) on
 * AS_LOCK_PATH, held until as_state_unlock() (or the process ends).
 * 0, or -1 with errno.
 */
int as_state_lock(void);
void as_state_unlock(void);

/* The changes.  0, or -1 when out of memory (*st: as_state_free() it). */

/* *st = a copy of old with a list of serials of its own. */
int as_state_copy(struct as_state *st, const struct as_state *old);
/*
 * *st = old with the verified bundle b in force, next generation: a
 * domestic map replaces the one in force (*slot = -1); an approval keeps
 * its slot and uid when extended, else takes the first free slot with a
 * new uid.  -2 when every slot is taken.
 */
int as_state_with(const struct as_state *old, const struct bundle *b,
		  const char *sha, const char *signers, struct as_state *st,
		  int *slot);
/* *st = old without the approvals for which drop[slot] is set ("last"). */
int as_state_without(const struct as_state *old,
		     const bool drop[AS_MAX_SLOTS], const char *last,
		     struct as_state *st);

#endif
