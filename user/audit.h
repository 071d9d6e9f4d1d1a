/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit log (Documentation/audit.rst): one line per event, to
 * syslog(3) (LOG_AUTH, ident "autoselctl") and appended to an append-only
 * file (default /var/log/autosel/audit.log, AUTOSEL_AUDIT_LOG overrides):
 *
 *   TIME ACTION result=RESULT id=ID serial=N sha256=HEX signers=K1,K2 reason="TEXT"
 *
 * Fields are never empty: "-" stands for "none".
 */
#ifndef AUTOSEL_AUDIT_H
#define AUTOSEL_AUDIT_H

#include <stdint.h>

#define AS_AUDIT_LOG_DEFAULT	"/var/log/autosel/audit.log"

struct as_audit_ev {
	const char *action;	/* install, refuse, remove, expire, attach, detach */
	const char *result;	/* ok, refused, error */
	const char *id;		/* approval or domestic-map id, or an interface */
	uint64_t serial;	/* 0: none */
	const char *sha;	/* bundle SHA-256 (signed bytes) */
	const char *signers;	/* comma-separated key ids */
	const char *reason;	/* free text, one line */
};

/* Open the file (creating its directory); 0, or -1 with err set. */
int as_audit_open(char *err, size_t errlen);
/* Append one event; opens the log if needed.  0, or -1 if the file failed. */
int as_audit(const struct as_audit_ev *ev);

#endif
