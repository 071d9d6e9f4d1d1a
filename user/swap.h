/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule maps of the data path (swap.c): whether a rule set fits this
 * build's maps, and putting one in force on the attached ports in one
 * atomic step per port.  Errors: 0, or -1 with one line in err.
 */
#ifndef AUTOSEL_SWAP_H
#define AUTOSEL_SWAP_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include "rules.h"
#include "state.h"

/*
 * Attached: `attach` pinned a program.  Only then is there anything to
 * swap.
 */
bool as_attached(void);

/*
 * The XDP program on ifindex if it is ours (it shares the pinned
 * maps/tx_port: also one an interrupted swap left with an old pin): a new
 * fd and its attach mode, or -1.
 */
int as_port_prog(int ifindex, __u32 *mode);
/* Some interface runs one of our programs (as_port_prog()). */
bool as_any_port_ours(void);
/* The rule-set generation in the config map of program fd (0: none). */
uint32_t as_prog_generation(int fd);

/* r fits the maps of this build (as_loadset_prepare()); changes nothing. */
int as_rules_fit(const struct rules *r, char *err, size_t errlen);

/*
 * Load r into a fresh object sharing the pinned state maps, write the
 * approval slots as st says, freeze its rule maps and replace the program
 * on every attached port.  On error nothing attached has changed.
 * *nports: ports switched.
 */
int as_swap_in(const struct rules *r, const struct as_state *st, int *nports,
	       char *err, size_t errlen);

/*
 * After as_maps_fill(): write every approval slot the way the state says
 * (its uid, vacant slots inactive), so that an approval keeps its flows
 * across rule updates.
 */
int as_state_fix_approvals(struct bpf_object *obj, const struct as_state *st,
			   char *err, size_t errlen);

#endif
