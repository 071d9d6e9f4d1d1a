// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the bundle and trust-file parsers (user/bundle.c,
 * user/trust.c): any input must be parsed or refused with an error, never
 * crash, leak or read out of bounds.  An input that parses is also run
 * through verify (against a fixed trust file), the window check and the
 * conversion to struct rules, as installs do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

/* A trust file with one member (the key of seeds/approval-signed.bundle's first signer). */
static const char trust_txt[] =
	"autosel-trust 1\n"
	"quorum 1\n"
	"member 63a0fa519273cb08 IYH6Bqsuu3dYpvc497LxcM9ckkMCbrAnUbJXrtkdR+8= a\n";

static const char dom_txt[] =
	"autosel-bundle 1\nkind domestic-map\nid JP\nserial 1\nindicators\n"
	"ip 192.0.2.0/24\nip 198.51.100.128/25\nip 2001:db8:d::/48\nend\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trust t, t2;
	static struct bundle dom;
	static int have_trust;
	char err[RULES_ERR_MAX];
	struct bundle b;
	struct rules r;

	if (!have_trust) {
		if (trust_parse(&t, trust_txt, sizeof(trust_txt) - 1, "trust",
				err, sizeof(err)))
			abort();
		if (bundle_parse(&dom, dom_txt, sizeof(dom_txt) - 1, "dom",
				 err, sizeof(err)))
			abort();
		have_trust = 1;
	}
	/* The same bytes as a trust file. */
	(void)trust_parse(&t2, data, size, "fuzz", err, sizeof(err));
	if (strnlen(err, sizeof(err)) >= sizeof(err))
		abort();

	if (bundle_parse(&b, data, size, "fuzz", err, sizeof(err)))
		return 0;
	if (b.signed_len > b.raw_len || b.n_ips + b.n_domains == 0)
		abort();
	(void)bundle_verify(&b, &t, err, sizeof(err));
	(void)bundle_window_check(&b, 1780000000000000000ull, err, sizeof(err));
	if (b.kind == BUNDLE_APPROVAL) {
		const struct bundle *one = &b;

		if (!bundle_to_rules(NULL, &one, 1, &r, err, sizeof(err)))
			rules_free(&r);
		if (!bundle_to_rules(&dom, &one, 1, &r, err, sizeof(err)))
			rules_free(&r);
	} else {
		if (!bundle_to_rules(&b, NULL, 0, &r, err, sizeof(err)))
			rules_free(&r);
	}
	bundle_free(&b);
	return 0;
}
