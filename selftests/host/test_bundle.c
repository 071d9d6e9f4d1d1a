// SPDX-License-Identifier: GPL-2.0
/*
 * The bundle -> rule set step (user/bundle.c: bundle_to_rules,
 * bundle_window_check) that install builds on: what the command-line
 * tests cannot reach.  Signatures are test_bundle.sh's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ksft.h"
#include "../../user/bundle.h"

#define HDR(id, type) "autosel-bundle 1\nkind approval\nid " id "\ntype " type \
	"\nvalid-from 2026-01-01T00:00:00Z\nvalid-until 2027-01-01T00:00:00Z\n" \
	"serial 2\nindicators\n"

static const char dom_txt[] =
	"autosel-bundle 1\nkind domestic-map\nid JP\nserial 1\nindicators\n"
	"ip 192.0.2.0/24\nip 2001:db8:d::/48\nend\n";

static int parse(struct bundle *b, const char *txt, const char *name)
{
	char err[RULES_ERR_MAX];
	int ret = bundle_parse(b, txt, strlen(txt), name, err, sizeof(err));

	if (ret)
		ksft_print("%s\n", err);
	return ret;
}

TEST(to_rules_ok)
{
	struct bundle d, a1, a2;
	const struct bundle *v[2] = { &a1, &a2 };
	char err[RULES_ERR_MAX];
	struct rules r;

	ASSERT_EQ(0, parse(&d, dom_txt, "d"));
	ASSERT_EQ(0, parse(&a1, HDR("A-1", "fd") "ip 198.51.100.0/24\nip 2001:db8:f::/48\nend\n", "a1"));
	ASSERT_EQ(0, parse(&a2, HDR("A-2", "ff") "ip 203.0.113.0/25\nend\n", "a2"));
	ASSERT_EQ(0, bundle_to_rules(&d, v, 2, &r, err, sizeof(err)));
	EXPECT_EQ(2, r.n_domestic);
	EXPECT_EQ(2, r.n_approvals);
	EXPECT_EQ(0, strcmp(r.approvals[0].id, "A-1"));
	EXPECT_EQ(AS_DIR_FD, r.approvals[0].type);
	EXPECT_EQ(2, r.approvals[0].n_ips);
	EXPECT_EQ(AS_DIR_FF, r.approvals[1].type);
	EXPECT_EQ(1767225600000000000ull, r.approvals[1].from_ns);
	EXPECT_EQ(1798761600000000000ull, r.approvals[1].until_ns);
	EXPECT_EQ(0, bundle_window_check(&a1, 1767225600000000000ull, err, sizeof(err)));
	EXPECT_EQ(-1, bundle_window_check(&a1, 1767225599999999999ull, err, sizeof(err)));
	EXPECT_EQ(0, strcmp(err, "a1: approval A-1 is not valid yet (valid-from 2026-01-01T00:00:00Z)"));
	EXPECT_EQ(-1, bundle_window_check(&a1, 1798761600000000000ull, err, sizeof(err)));
	EXPECT_EQ(0, strcmp(err, "a1: approval A-1 has expired (valid-until 2027-01-01T00:00:00Z)"));
	EXPECT_EQ(0, bundle_window_check(&d, 0, err, sizeof(err)));
	rules_free(&r);
	bundle_free(&d);
	bundle_free(&a1);
	bundle_free(&a2);
}

/* txt is refused by bundle_to_rules (with the domestic map) with msg. */
static void refused(struct ksft_ctx *_ksft, const char *txt, const char *msg)
{
	struct bundle d, a;
	const struct bundle *v[1] = { &a };
	char err[RULES_ERR_MAX];
	struct rules r;

	ASSERT_EQ(0, parse(&d, dom_txt, "d"));
	ASSERT_EQ(0, parse(&a, txt, "a"));
	EXPECT_EQ(-1, bundle_to_rules(&d, v, 1, &r, err, sizeof(err)));
	if (strcmp(err, msg))
		FAIL_SOFT("got '%s', want '%s'", err, msg);
	EXPECT_EQ(0, r.n_approvals);
	EXPECT_EQ(0, r.n_domestic);
	bundle_free(&d);
	bundle_free(&a);
}

TEST(to_rules_refusals)
{
	refused(_ksft, HDR("A", "fd") "ip 198.51.100.0/24\nip 192.0.2.128/25\nend\n",
		"a:10: indicator 192.0.2.128/25 overlaps the domestic prefix 192.0.2.0/24 (d line 6)");
	refused(_ksft, HDR("A", "fd") "ip 0.0.0.0/0\nend\n",
		"a:9: indicator 0.0.0.0/0 overlaps the domestic prefix 192.0.2.0/24 (d line 6)");
	refused(_ksft, HDR("A", "df") "ip 2001:db8:d:1::/64\nend\n",
		"a:9: indicator 2001:db8:d:1::/64 overlaps the domestic prefix 2001:db8:d::/48 (d line 7)");
	refused(_ksft, dom_txt, "a: is a domestic map, not an approval");
}

TEST(to_rules_same_id_twice)
{
	struct bundle a1, a2;
	const struct bundle *v[2] = { &a1, &a2 };
	char err[RULES_ERR_MAX];
	struct rules r;

	ASSERT_EQ(0, parse(&a1, HDR("A", "fd") "ip 198.51.100.0/24\nend\n", "a1"));
	ASSERT_EQ(0, parse(&a2, HDR("A", "ff") "ip 203.0.113.0/24\nend\n", "a2"));
	EXPECT_EQ(-1, bundle_to_rules(NULL, v, 2, &r, err, sizeof(err)));
	EXPECT_EQ(0, strcmp(err, "a2: approval A is also in a1"));
	bundle_free(&a1);
	bundle_free(&a2);
}

/*
 * The same name twice (after normalisation: case, trailing dot) is one
 * indicator, at its first line, and the order of the others is kept;
 * 2^18 + 1 distinct names take one pass (rules_dedup_domains), not one
 * comparison with every earlier name each.
 */
TEST(domains_repeated_kept_once_in_order)
{
	static const char *const in[] = {
		"c2.example", "a.example", "C2.Example", ".example",
		"a.example.", "b.example", ".EXAMPLE",
	};
	static const char *const want[] = {
		"c2.example", "a.example", ".example", "b.example",
	};
	struct rules_approval a;
	size_t i;
	char name[32];

	memset(&a, 0, sizeof(a));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ASSERT_EQ(0, rules_add_domain(&a, in[i], (unsigned int)(10 + i)));
	ASSERT_EQ(0, rules_dedup_domains(&a));
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), a.n_domains);
	for (i = 0; i < a.n_domains; i++)
		EXPECT_EQ(0, strcmp(want[i], a.domains[i].name));
	EXPECT_EQ(10, a.domains[0].line);
	EXPECT_EQ(13, a.domains[2].line);
	free(a.domains);

	memset(&a, 0, sizeof(a));
	for (i = 0; i < (1u << 18) + 1; i++) {
		snprintf(name, sizeof(name), "d%zu.cap.example", i);
		ASSERT_EQ(0, rules_add_domain(&a, name, (unsigned int)i + 1));
	}
	ASSERT_EQ(0, rules_add_domain(&a, "d7.cap.example", 1u << 20));
	ASSERT_EQ(0, rules_dedup_domains(&a));
	EXPECT_EQ((1u << 18) + 1, a.n_domains);
	EXPECT_EQ(0, strcmp("d262144.cap.example", a.domains[a.n_domains - 1].name));
	free(a.domains);
}

KSFT_MAIN()
