// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every packet of every capture in ../shared/corpus/tcpdump/ through the
 * XDP program, with a rule set that selects everything foreign
 * (domestic: 10.0.0.0/8 and fd00::/8; approvals ff, fd and df, each with
 * the indicators 0.0.0.0/0 and ::/0, open forever; the judging time is the
 * packet's capture time).  For each packet: the run succeeds, a kept
 * record is a prefix of the frame no longer than the header length the
 * independent reference parser (refparse.h) computes, and the reference
 * parser must call the packet parsable at all; per file and for the whole
 * run, seen = selected + sum of deletions by reason = packets fed.
 *
 * The include/ parser is also compared with the reference parser on every
 * packet (no root needed for that part).
 *
 * Tunnels (issue #13): the program decapsulates (config.no_decap is 0),
 * so the reference parser does too.  For the tunnel captures (ERSPAN,
 * GRE, VXLAN, Geneve, MPLS over UDP, and the GSO/BIG TCP ones over VXLAN
 * and Geneve) a kept record must be exactly as long as the reference's
 * header length, not merely no longer; every capture reports how many of
 * its packets the reference decapsulated.
 *
 * One TAP test per capture.  Only Ethernet (DLT_EN10MB) captures are fed,
 * as they are; a capture of any other link type is skipped with a
 * "# SKIP" naming its link type (the corpus README promises Ethernet only).
 * Frames shorter than 14 bytes are not fed (BPF_PROG_TEST_RUN refuses
 * them) and are counted separately; frames test_run cannot hold (ENOMEM:
 * more than MAX_SKB_FRAGS pages, BIG TCP) are fed clipped to XENV_CLIP
 * bytes and counted as clipped.
 */
#include <dirent.h>
#include <pcap/pcap.h>

#include "../ksft.h"
#include "refparse.h"
#include "xdp_env.h"
#include <autosel/parse.h>

/* parse.h's tunnel level count (issue #13); 0 before it decapsulates. */
#ifdef AS_MAX_ENCAP
#define PKT_ENCAP(p)	((int)(p)->encap)
#else
#define PKT_ENCAP(p)	0
#endif

#ifndef AUTOSEL_CORPUS
#define AUTOSEL_CORPUS "../shared/corpus/tcpdump"
#endif

#define MAX_FILES	1024
#define MAX_PACKETS	200000		/* per capture: a bound, not a limit hit */

static struct xenv X;
static int have_x;
static char x_why[256];
static int x_skip;
static const char *corpus;

static char *files[MAX_FILES];
static int nfiles;
static uint64_t expect_fed;		/* Ethernet frames of >= 14 bytes */

static void load_rules(void)
{
	uint8_t a[16] = { 0 };
	int err = 0;

	err |= xenv_set_approval(&X, 0, AS_DIR_FF, 0, UINT64_MAX, 1, 1);
	err |= xenv_set_approval(&X, 1, AS_DIR_FD, 0, UINT64_MAX, 2, 1);
	err |= xenv_set_approval(&X, 2, AS_DIR_DF, 0, UINT64_MAX, 3, 1);
	err |= xenv_add_indicator(&X, 4, a, 0, 7);
	err |= xenv_add_indicator(&X, 6, a, 0, 7);
	a[0] = 10;
	err |= xenv_add_domestic(&X, 4, a, 8);
	a[0] = 0xfd;
	err |= xenv_add_domestic(&X, 6, a, 8);
	if (err) {
		snprintf(x_why, sizeof(x_why), "writing the rule maps failed");
		xenv_close(&X);
		have_x = 0;
	}
}

static uint64_t pkt_time(const struct pcap_pkthdr *h)
{
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000ULL +
		     (uint64_t)h->ts.tv_usec * 1000ULL;

	return t ? t : 1;	/* 0 would mean "use the clock" */
}

/*
 * Captures of tunnelled traffic: what the program keeps of them must be
 * the innermost headers exactly.
 */
static int tunnel_capture(const char *name)
{
	static const char *const prefix[] = {
		"erspan-type-", "various_gre", "vxlan", "geneve",
		"mpls-over-udp", "gso-", "bigtcp-",
	};
	size_t i;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		if (strncmp(name, prefix[i], strlen(prefix[i])))
			continue;
		if (i < 5)
			return 1;
		/* gso-* and bigtcp-*: only those over VXLAN or Geneve */
		return strstr(name, "-vxlan-") || strstr(name, "-geneve-");
	}
	return 0;
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	printf("# frame:");
	for (i = 0; i < len && i < 96; i++)
		printf(" %02x", p[i]);
	printf("%s\n", len > 96 ? " ..." : "");
}

/* Report the first few failures of a capture in full, count the rest. */
#define REPORT(...) do {							\
	if (reports++ < 5)							\
		FAIL_SOFT(__VA_ARGS__);						\
	else									\
		_ksft->failed = 1;						\
} while (0)

static void one_capture(struct ksft_ctx *_ksft, void *arg)
{
	const char *name = arg;
	char path[4096], perr[PCAP_ERRBUF_SIZE];
	uint64_t c0[AS_C_MAX], c1[AS_C_MAX], del = 0;
	unsigned long n = 0, fed = 0, kept = 0, runts = 0, shorter = 0;
	unsigned long disagree = 0, ref_malformed_kept = 0, clipped = 0;
	unsigned long reports = 0, decap = 0, deepest = 0;
	int exact = tunnel_capture(name);
	const unsigned char *data;
	struct pcap_pkthdr *h;
	static struct xrun r;
	pcap_t *p;
	int dlt, rc, i;

	snprintf(path, sizeof(path), "%s/%s", corpus, name);
	p = pcap_open_offline(path, perr);
	if (!p)
		FAIL("%s: %s", name, perr);
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		pcap_close(p);
		SKIP(return, "link type %d (%s): only Ethernet captures are fed",
		     dlt, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
	}
	if (!have_x && !x_skip) {
		pcap_close(p);
		FAIL("%s", x_why);
	}
	if (have_x)
		ASSERT_EQ(0, xenv_counters(&X, c0));

	while (n < MAX_PACKETS && (rc = pcap_next_ex(p, &h, &data)) == 1) {
		struct as_pkt pkt;
		struct ref_result ref;
		struct as_meta meta;
		size_t len = h->caplen, klen;
		int pr, err;

		n++;
		ref = ref_parse(data, len);
		if (ref.verdict == REF_OK && ref.levels) {
			decap++;
			if ((unsigned long)ref.levels > deepest)
				deepest = (unsigned long)ref.levels;
		}

		/* include/ parser against the reference */
		memset(&pkt, 0, sizeof(pkt));
		pr = as_parse(data, data + len, &pkt);
		if ((pr == AS_PARSE_OK) != (ref.verdict == REF_OK) ||
		    (pr == AS_PARSE_NON_IP) != (ref.verdict == REF_NON_IP) ||
		    (pr == AS_PARSE_OK && pkt.hdr_len != ref.keep) ||
		    (pr == AS_PARSE_OK && PKT_ENCAP(&pkt) != ref.levels)) {
			if (disagree++ < 3) {
				FAIL_SOFT("%s packet %lu: parse.h %d hdr_len %u encap %d, reference %d keep %zu levels %d",
					  name, n, pr, pkt.hdr_len, PKT_ENCAP(&pkt),
					  ref.verdict, ref.keep, ref.levels);
				hexdump(data, len);
			}
		}

		if (!have_x)
			continue;	/* no BPF here: the parser comparison only */
		if (len < 14) {
			runts++;
			continue;
		}
		ASSERT_EQ(0, xenv_set_now(&X, pkt_time(h)));
		err = xenv_run(&X, data, len, &r);
		if (err == -ENOMEM && len > XENV_CLIP) {
			/* refused before the program ran: nothing counted */
			len = XENV_CLIP;
			clipped++;
			ref = ref_parse(data, len);
			err = xenv_run(&X, data, len, &r);
		}
		if (err)
			FAIL("%s packet %lu (%zu bytes): test_run: %s", name, n,
			     len, strerror(-err));
		fed++;
		if (r.retval == XENV_XDP_DROP)
			continue;
		if (r.retval != XENV_XDP_REDIRECT)
			FAIL("%s packet %lu: retval %u", name, n, r.retval);
		kept++;
		if (r.out_len < sizeof(meta) + 14) {
			REPORT("%s packet %lu: kept record of %u bytes", name, n,
				  r.out_len);
			continue;
		}
		memcpy(&meta, r.out, sizeof(meta));
		klen = r.out_len - sizeof(meta);
		if (meta.magic != AS_META_MAGIC || meta.hdr_len != klen)
			REPORT("%s packet %lu: meta magic %#x hdr_len %u, record %zu",
				  name, n, meta.magic, meta.hdr_len, klen);
		if (ref.verdict != REF_OK) {
			if (ref_malformed_kept++ < 3) {
				FAIL_SOFT("%s packet %lu: kept %zu bytes, reference parser: %s",
					  name, n, klen,
					  ref.verdict == REF_NON_IP ? "not IP" : "malformed");
				hexdump(data, len);
			}
			continue;
		}
		if (klen > ref.keep) {
			REPORT("%s packet %lu: kept %zu bytes > %zu bytes of headers",
			       name, n, klen, ref.keep);
			if (reports <= 5)
				hexdump(data, len);
		} else if (klen < ref.keep) {
			shorter++;
			if (exact) {
				REPORT("%s packet %lu: kept %zu bytes < %zu bytes of headers (%d tunnel levels)",
				       name, n, klen, ref.keep, ref.levels);
				if (reports <= 5)
					hexdump(data, len);
			}
		}
		if (memcmp(r.out + sizeof(meta), data, klen))
			REPORT("%s packet %lu: kept bytes are not the frame's", name, n);
	}
	pcap_close(p);
	ASSERT_LT(n, MAX_PACKETS);
	if (!have_x) {
		if (ksft_failed())
			return;
		SKIP(return, "%.150s (parse.h and the reference agreed on %lu packets)",
		     x_why, n);
	}

	ASSERT_EQ(0, xenv_counters(&X, c1));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c1[AS_C_DEL_REASON + i] - c0[AS_C_DEL_REASON + i];
	EXPECT_EQ((uint64_t)fed, c1[AS_C_SEEN] - c0[AS_C_SEEN]);
	EXPECT_EQ(c1[AS_C_SEEN] - c0[AS_C_SEEN],
		  c1[AS_C_SELECTED] - c0[AS_C_SELECTED] + del);
	EXPECT_EQ((uint64_t)kept, c1[AS_C_SELECTED] - c0[AS_C_SELECTED]);
	if (reports > 5)
		ksft_print("%s: %lu more failures not shown\n", name, reports - 5);
	if (disagree)
		ksft_print("%s: parse.h and the reference disagree on %lu packets\n",
			   name, disagree);
	ksft_print("%s: %lu packets (%lu decapsulated, up to %lu levels), %lu fed (%lu clipped), %lu kept (%lu shorter than the reference%s), %lu runts, malformed %llu, non_ip %llu, fragment %llu\n",
		   name, n, decap, deepest, fed, clipped, kept, shorter,
		   exact ? ": must be 0" : "", runts,
		   (unsigned long long)(c1[AS_C_DEL_REASON + AS_DEL_MALFORMED] -
					c0[AS_C_DEL_REASON + AS_DEL_MALFORMED]),
		   (unsigned long long)(c1[AS_C_DEL_REASON + AS_DEL_NON_IP] -
					c0[AS_C_DEL_REASON + AS_DEL_NON_IP]),
		   (unsigned long long)(c1[AS_C_DEL_REASON + AS_DEL_FRAGMENT] -
					c0[AS_C_DEL_REASON + AS_DEL_FRAGMENT]));
}

/* The /0 indicators of the rule set really select (checked before the corpus). */
static void zero_prefix(struct ksft_ctx *_ksft, void *arg)
{
	static const uint8_t v4[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0,
		198, 51, 100, 1, 10, 0, 0, 1,
		0x9c, 0x40, 0, 53, 0, 8, 0, 0,
	};
	static struct xrun r;

	(void)arg;
	if (!have_x) {
		if (x_skip)
			SKIP(return, "%s", x_why);
		FAIL("%s", x_why);
	}
	ASSERT_EQ(0, xenv_set_now(&X, 1));
	ASSERT_EQ(0, xenv_run(&X, v4, sizeof(v4), &r));
	EXPECT_EQ(XENV_XDP_REDIRECT, r.retval);
	EXPECT_EQ(sizeof(struct as_meta) + sizeof(v4), r.out_len);
}

static void whole_run(struct ksft_ctx *_ksft, void *arg)
{
	uint64_t c[AS_C_MAX], del = 0;
	int i;

	(void)arg;
	if (!have_x) {
		if (x_skip)
			SKIP(return, "%s", x_why);
		FAIL("%s", x_why);
	}
	ASSERT_EQ(0, xenv_counters(&X, c));
	for (i = 0; i < AS_DEL_MAX; i++)
		del += c[AS_C_DEL_REASON + i];
	/* the zero-prefix test ran one frame too */
	EXPECT_EQ(expect_fed + 1, c[AS_C_SEEN]);
	EXPECT_EQ(c[AS_C_SEEN], c[AS_C_SELECTED] + del);
	EXPECT_EQ(c[AS_C_DELETED], del);
	EXPECT_EQ(c[AS_C_SEEN_BYTES], c[AS_C_SELECTED_BYTES] + c[AS_C_DELETED_BYTES]);
	EXPECT_EQ(c[AS_C_SELECTED_BYTES], c[AS_C_KEPT_BYTES] + c[AS_C_DISCARDED_PAYLOAD]);
	ksft_print("whole run: seen %llu selected %llu deleted %llu (malformed %llu, non_ip %llu, domestic %llu, fragment %llu)\n",
		   (unsigned long long)c[AS_C_SEEN],
		   (unsigned long long)c[AS_C_SELECTED],
		   (unsigned long long)del,
		   (unsigned long long)c[AS_C_DEL_REASON + AS_DEL_MALFORMED],
		   (unsigned long long)c[AS_C_DEL_REASON + AS_DEL_NON_IP],
		   (unsigned long long)c[AS_C_DEL_REASON + AS_DEL_DOMESTIC],
		   (unsigned long long)c[AS_C_DEL_REASON + AS_DEL_FRAGMENT]);
}

static void no_corpus(struct ksft_ctx *_ksft, void *arg)
{
	SKIP(return, "corpus %s not found: %s", corpus, (const char *)arg);
}

static int is_pcap(const struct dirent *d)
{
	size_t l = strlen(d->d_name);

	return l > 5 && !strcmp(d->d_name + l - 5, ".pcap");
}

/* Count what the per-capture tests will feed, for the whole-run check. */
static void count_expected(void)
{
	char path[4096], err[PCAP_ERRBUF_SIZE];
	const unsigned char *data;
	struct pcap_pkthdr *h;
	int i;

	for (i = 0; i < nfiles; i++) {
		unsigned long n = 0;
		pcap_t *p;

		snprintf(path, sizeof(path), "%s/%s", corpus, files[i]);
		p = pcap_open_offline(path, err);
		if (!p)
			continue;
		if (pcap_datalink(p) == DLT_EN10MB)
			while (n++ < MAX_PACKETS && pcap_next_ex(p, &h, &data) == 1)
				if (h->caplen >= 14)
					expect_fed++;
		pcap_close(p);
	}
}

int main(void)
{
	struct dirent **list = NULL;
	int i, n;

	corpus = getenv("AUTOSEL_CORPUS");
	if (!corpus || !*corpus)
		corpus = AUTOSEL_CORPUS;
	n = scandir(corpus, &list, is_pcap, alphasort);
	if (n < 0) {
		ksft_add_test("corpus", no_corpus, strerror(errno));
		return ksft_run();
	}
	for (i = 0; i < n; i++) {
		if (nfiles < MAX_FILES)
			files[nfiles++] = strdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);

	have_x = xenv_open(&X, &x_skip, x_why, sizeof(x_why)) == 0;
	if (have_x)
		load_rules();
	count_expected();
	ksft_add_test("zero_prefix_indicators_select", zero_prefix, NULL);
	for (i = 0; i < nfiles; i++)
		ksft_add_test(files[i], one_capture, files[i]);
	ksft_add_test("whole_run_seen_equals_selected_plus_deleted", whole_run, NULL);
	i = ksft_run();
	if (have_x)
		xenv_close(&X);
	for (n = 0; n < nfiles; n++)
		free(files[n]);
	return i;
}
