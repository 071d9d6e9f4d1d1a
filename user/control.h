/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autoselctl side of /sys/kernel/autosel/control: the approvals in force,
 * as autosel.ko should know them (Documentation/module.rst).
 */
#ifndef AUTOSEL_CONTROL_H
#define AUTOSEL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "state.h"

#define AS_SYSFS	"/sys/kernel/autosel"
#define AS_CONTROL	AS_SYSFS "/control"

/* rules_load_file(), plus the SHA-256 of exactly the bytes parsed. */
int as_rules_load_hashed(struct rules *r, const char *path, char sha[65],
			 char *err, size_t errlen);

/* autosel.ko is loaded and has the control attribute. */
bool as_control_present(void);

/*
 * Bind every approval of r to its slot (serial 1, SHA-256 sha), then
 * declare generation.  An approval the module holds already with exactly
 * these fields is kept; a generation below the module's is left alone (it
 * never goes back).  On error, the approvals bound here are removed again
 * and err holds one line.
 */
int as_control_install(const struct rules *r, const char *sha,
		       uint32_t generation, char *err, size_t errlen);

/* "remove ID"; an id the module does not hold is no error. */
void as_control_remove(const char *id);

/*
 * Tell autosel.ko (if loaded) the approvals of st and its generation;
 * old (may be NULL) is what it was told before: ids no longer in force
 * are removed.
 */
int as_module_sync(const struct as_state *old, const struct as_state *st,
		   char *err, size_t errlen);

#endif
