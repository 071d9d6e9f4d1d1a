/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault points for the crash-safety tests (selftests/host/cli/
 * test_faults.sh), in the debug build only: `make -C user FAULT=1` builds
 * build/fault/autoselctl with -DAUTOSEL_FAULT.  In every other build the
 * macros below are constants and no fault code exists (the test checks
 * that the production binary has no "AUTOSEL_FAULT" string).
 *
 *   AUTOSEL_FAULT=list        print "autoselctl: fault point STEP" (and
 *                             " (can fail)") on stderr at every step reached
 *   AUTOSEL_FAULT=STEP        die by SIGKILL at STEP (no cleanup, no atexit)
 *   AUTOSEL_FAULT=STEP:fail   the checked call at STEP fails with EIO
 *   AUTOSEL_FAULT=STEP@N      the same, at the Nth time STEP is reached
 *                             (STEP:fail@N likewise)
 *
 * The steps are named in Documentation/testing.rst ("Crash safety").
 */
#ifndef AUTOSEL_FAULT_H
#define AUTOSEL_FAULT_H

#include <stdbool.h>

#ifdef AUTOSEL_FAULT
/* Dies if asked to at step; true if the call at step is to fail. */
bool as_fault_at(const char *step, bool can_fail);
#define AS_CRASH_POINT(step)	((void)as_fault_at(step, false))
#define AS_FAULT_FAIL(step)	as_fault_at(step, true)
#else
#define AS_CRASH_POINT(step)	((void)0)
#define AS_FAULT_FAIL(step)	false
#endif

#endif
