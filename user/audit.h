/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit log (Documentation/audit.rst): one line per event, to
 * syslog(3) (LOG_AUTH, ident "autoselctl") and appended to an append-only
 * file (default /var/log/autosel/audit.log, AUTOSEL_AUDIT_LOG overrides):
 *
 *   TIME ACTION result=RESULT id=ID serial=N sha256=HEX signers=K1,K2
 *   slot=S vlan=V uid=U sudo_user=NAME loginuid=L host=HOST reason="TEXT"
 *   h=HASH
 *
 * (one line).  Fields are never empty: "-" stands for "none".  HASH
 * chains the line to the one before (as_audit_chain()).
 */
#ifndef AUTOSEL_AUDIT_H
#define AUTOSEL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AS_AUDIT_LOG_DEFAULT	"/var/log/autosel/audit.log"
/* The chain: every line ends " h=" and 64 hex digits (audit.rst). */
#define AS_AUDIT_H_LEN		64

struct as_audit_ev {
	const char *action;	/* install, refuse, remove, expire, attach, detach */
	const char *result;	/* ok, refused, error */
	const char *id;		/* approval or domestic-map id, or an interface */
	uint64_t serial;	/* 0: none */
	const char *sha;	/* bundle SHA-256 (signed bytes) */
	const char *signers;	/* comma-separated key ids */
	const char *reason;	/* free text, one line */
	bool has_slot;		/* slot (and its VLAN id on autosel0) */
	int slot;
};

/*
 * What a command is about (an interface, an approval id), for the line
 * main() writes when a command that changes state fails without having
 * logged anything itself.
 */
void as_audit_subject(const char *id);
/* Lines as_audit() has written (or tried to) in this process. */
unsigned long as_audit_count(void);
/* "ACTION result=refused|error id=SUBJECT reason=LAST ERROR". */
void as_audit_failed(const char *action, int exit_status);

/* Open the file (creating its directory); 0, or -1 with err set. */
int as_audit_open(char *err, size_t errlen);
/* Append one event; opens the log if needed.  0, or -1 if the file failed. */
int as_audit(const struct as_audit_ev *ev);
/*
 * Claim room for BYTES more of the log before a change (fallocate);
 * -1 with "cannot append to the audit log PATH: ERR; nothing changed".
 */
int as_audit_reserve(size_t bytes, char *err, size_t errlen);
#define AS_AUDIT_RESERVE	(64 * 1024)	/* 23 lines of the longest */

/*
 * `autoselctl audit rotate`: the log becomes LOG.TIME (append-only again),
 * a new LOG starts; each file's boundary line names the other and its
 * SHA-256.  0 with the old file's path in done, or -1 with err set.
 */
int as_audit_rotate(char *done, size_t donelen, char *err, size_t errlen);

/*
 * The chain (audit.rst): h = SHA-256(prev || line), prev the previous
 * line's h as 64 hex digits (64 zeros, or the rotated log's last h, for
 * the first line), line the bytes before " h=".  Hex into h.
 */
void as_audit_chain(const char *prev, const char *line, size_t len,
		    char h[AS_AUDIT_H_LEN + 1]);
/* The h= at the end of line[0..len) (no newline): 0, or -1 if none. */
int as_audit_line_hash(const char *line, size_t len, char h[AS_AUDIT_H_LEN + 1]);
/* LOG.head: "lines=N h=HEX", the log's line count and last hash. */
int as_audit_head_read(const char *path, unsigned long *lines,
		       char h[AS_AUDIT_H_LEN + 1]);

struct as_audit_verified {
	unsigned long lines;
	int files;
	char last_h[AS_AUDIT_H_LEN + 1];
};

/*
 * `autoselctl audit verify`: the files in order (oldest first; none: the
 * current log), each continuing the one before; the current log also
 * against LOG.head.  0, or -1 with "FILE:LINE: why" in err.
 */
int as_audit_verify(const char *const *files, int n, struct as_audit_verified *v,
		    char *err, size_t errlen);

#endif
