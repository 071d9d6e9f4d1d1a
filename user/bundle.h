/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commission-signed bundles (Documentation/bundle-format.rst): approvals
 * and the domestic prefix map, checked against the trust file (trust.h:
 * whose signatures count and how many are needed), and the step that
 * turns verified bundles
 * into the rule set model of rules.h, so that everything after parsing
 * (bpfobj.c: as_loadset_prepare(), as_maps_fill()) is shared with rules
 * files.
 *
 * The steps are separate on purpose:
 *   bundle_load()         syntax only; says nothing about who signed it
 *   bundle_verify()       quorum of distinct trust-file members
 *   bundle_window_check() valid-from <= now < valid-until
 *   bundle_to_rules()     kinds, slots, domestic overlap, unsupported
 *                         indicators -> struct rules
 * Rollback (serial) and "is it installed" are the installer's business.
 *
 * Every function that can fail returns 0 or -1 and writes one line, without
 * the "autoselctl: " prefix, into err: "FILE:LINE: MESSAGE" when a line is
 * to blame, "FILE: MESSAGE" otherwise (as_line_err(), cli.h).  Nothing
 * here writes a file; keys and signing are in sign.h.
 */
#ifndef AUTOSEL_BUNDLE_H
#define AUTOSEL_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "trust.h"

#define BUNDLE_FORMAT_VERSION	1
#define BUNDLE_LINE_MAX		1024		/* bytes per line, LF excluded */
#define BUNDLE_IND_MAX		1000000u	/* indicators per bundle */
#define BUNDLE_SIG_MAX		64		/* signature lines per bundle */
#define BUNDLE_DOMAIN_MAX	254		/* ".label.label" + NUL */
#define BUNDLE_HDR_LINES	10		/* magic .. "indicators", "end" */
/* The longest indicator line: "domain ." + 253 + LF. */
#define BUNDLE_IND_LINE_MAX	(sizeof("domain .") - 1 + BUNDLE_DOMAIN_MAX)
/*
 * Bytes per bundle file, derived so that the documented limits are the
 * real ones: BUNDLE_IND_MAX indicators of the longest spelling, every
 * signature and header line at their longest (262,082,000 bytes).
 */
#define BUNDLE_FILE_MAX		((size_t)BUNDLE_IND_MAX * BUNDLE_IND_LINE_MAX + \
				 (size_t)(BUNDLE_HDR_LINES + BUNDLE_SIG_MAX) * \
				 (BUNDLE_LINE_MAX + 1))
#define BUNDLE_SHA256_LEN	32
#define BUNDLE_SHA256_HEX	(2 * BUNDLE_SHA256_LEN + 1)

enum bundle_kind {
	BUNDLE_APPROVAL = 1,	/* "kind approval" */
	BUNDLE_DOMESTIC = 2,	/* "kind domestic-map" */
};

/* "domain NAME" (exact) or "domain .SUFFIX": kept, not enforced (issue 6). */
struct bundle_domain {
	char name[BUNDLE_DOMAIN_MAX];	/* as written, lower case, no trailing dot */
	bool suffix;			/* written with a leading '.' */
	unsigned int line;
};

/* One "signature KEYID BASE64" line after "end". */
struct bundle_sig {
	uint8_t keyid[BUNDLE_KEYID_LEN];
	uint8_t sig[BUNDLE_SIG_LEN];
	unsigned int line;
};

struct bundle {
	char *name;			/* path as given, for messages (malloc'ed) */
	enum bundle_kind kind;
	char id[RULES_ID_MAX];
	uint8_t type;			/* AS_DIR_FF/FD/DF; approvals only */
	uint64_t from_ns;		/* valid-from; approvals only */
	uint64_t until_ns;		/* valid-until, exclusive; approvals only */
	uint64_t serial;		/* 1 .. 2^63-1 */

	struct rules_prefix *ips;	/* "ip" lines, file order, .line set */
	size_t n_ips;
	struct bundle_domain *domains;	/* "domain" lines, file order */
	size_t n_domains;

	/*
	 * The file as read: raw[0..signed_len) are the signed bytes (from
	 * the first byte up to and including the LF of the "end" line),
	 * raw[signed_len..raw_len) the signature lines.
	 */
	uint8_t *raw;
	size_t raw_len, signed_len;
	unsigned int end_line;		/* line number of "end" */
	uint8_t sha256[BUNDLE_SHA256_LEN];	/* SHA-256 of the signed bytes */
	uint8_t file_sha256[BUNDLE_SHA256_LEN];	/* SHA-256 of the whole file */

	struct bundle_sig *sigs;	/* file order, duplicates kept */
	size_t n_sigs;

	/* Filled by bundle_verify(): distinct members whose signature verified. */
	uint8_t signers[TRUST_MEMBER_MAX][BUNDLE_KEYID_LEN];
	size_t n_signers;
	size_t n_unknown;		/* signatures by keys not in the trust file */
	size_t n_duplicate;		/* repeated valid signatures of one member */
};

/* --- bundles --------------------------------------------------------- */

/* Parse buf[0..len) (syntax and values only); name prefixes errors. */
int bundle_parse(struct bundle *b, const void *buf, size_t len,
		 const char *name, char *err, size_t errlen);
/* The same for a file ("-" is standard input).  Syntax only: no trust. */
int bundle_load(const char *path, struct bundle *b, char *err, size_t errlen);
/* Free what bundle_parse/load allocated; *b is zeroed.  Safe on a zeroed b. */
void bundle_free(struct bundle *b);

/*
 * Check the signatures against the trust file.  Accepts when at least
 * t->quorum distinct members have a valid signature over the signed bytes.
 * A signature by a key id not in the trust file counts zero (n_unknown);
 * a second valid signature by the same member counts zero (n_duplicate);
 * a signature by a member that does NOT verify refuses the bundle outright
 * (the bytes are not what that member signed).  Fills signers/n_signers
 * (also on failure, for the audit log).  Errors, exactly:
 *   "FILE: not signed (quorum is Q)"
 *   "FILE:LINE: signature by KEYID (NAME) does not verify"
 *   "FILE: quorum not reached: N of Q member signatures[; K by keys not in
 *    the trust file][; D duplicate]"
 */
int bundle_verify(struct bundle *b, const struct trust *t, char *err,
		  size_t errlen);

/*
 * Approvals: 0 if from_ns <= now_ns < until_ns, else -1 with
 * "FILE: approval ID is not valid yet (valid-from TIME)" or
 * "FILE: approval ID has expired (valid-until TIME)".
 * Domestic maps have no window: always 0.
 */
int bundle_window_check(const struct bundle *b, uint64_t now_ns, char *err,
			size_t errlen);

/*
 * Build the rule set from verified bundles: the domestic map (may be NULL:
 * no address is domestic) and n approvals, which take slots 0..n-1 in the
 * order given.  Refuses: a bundle of the wrong kind, more than
 * AS_MAX_SLOTS approvals, two approvals with one id, domain indicators
 * ("FILE:LINE: domain indicators are not supported yet"), and IP
 * indicators overlapping the domestic map ("FILE:LINE: indicator P
 * overlaps the domestic prefix D (DOMFILE line N)").  Map-size limits stay
 * with as_loadset_prepare().  On error *r is empty.  rules_free() it.
 */
int bundle_to_rules(const struct bundle *domestic,
		    const struct bundle *const *approvals, size_t n,
		    struct rules *r, char *err, size_t errlen);

/* An id as bundles (and the state file) write it: 1..63 of A-Za-z0-9._- */
bool bundle_valid_id(const char *s);
/* A serial: "1".."9223372036854775807", no sign, no leading zero. */
int bundle_parse_serial(const char *s, uint64_t *v);

#endif
