/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: the flat prefix sets in user space (the loader, the host tests
 * and the benchmark share them).  See abi.h for the layout.
 *
 * Both families hold the domestic map and the indicators as one range
 * table: IPv4 built by range4.h, IPv6 by range6.h.  A table built from a
 * rules file's merged LPM entries answers exactly what two LPM tries
 * holding the same entries answer.
 */
#ifndef AUTOSEL_FLAT_H
#define AUTOSEL_FLAT_H

#include "autosel/range4.h"
#include "autosel/range6.h"

/* The names of the maps that hold a rule set (besides "approvals"). */
#define AS_FLAT_MAP_NAMES { "guard4", "rdir4", "rng4", "val4", "base6", \
			    "guard6", "rdir6", "rng6", "val6", "sub6" }

#endif /* AUTOSEL_FLAT_H */
