/* SPDX-License-Identifier: GPL-2.0 */
/*
 * install / remove / expiry (install.c): the rule set in force comes from
 * the state directory (state.h), is built from the installed bundles
 * (verify.h), and replaces the one on the attached ports in one atomic
 * step per port (swap.h).  The commands are in commands.h.
 */
#ifndef AUTOSEL_INSTALL_H
#define AUTOSEL_INSTALL_H

/*
 * Remove approvals past valid-until from the state (and from the attached
 * program, by a swap), and log it.  Run by the commands that change what
 * is in force (attach; install, remove and expire do it under their own
 * lock), never by a read-only one; quiet when there is no state or no
 * permission.  Takes and releases the lock.  0, or EXIT_RUNTIME after
 * the one-line error if the state file is damaged.
 */
int as_expire_sweep(void);

struct as_state;
/*
 * Under the state lock, with *cur the state just loaded: complete an
 * interrupted change (state.new; install.c) -- module, ports, a "recover"
 * audit line, commit -- and make *cur the state now in force; a state.new
 * cut short (never in force) is discarded.  1 if something was done, 0 if
 * nothing was pending, -1 with one line in err.
 */
int as_recover_locked(struct as_state *cur, char *err, size_t errlen);
/* The same for a caller holding the lock without a state loaded. */
int as_recover(void);

#endif
