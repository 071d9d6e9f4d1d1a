// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl replay: run the XDP program over a recorded capture with
 * BPF_PROG_TEST_RUN and write the records it would keep.
 *
 * Every packet read is either judged by the program (and counted by it,
 * exactly once) or refused by BPF_PROG_TEST_RUN (too short or too large
 * for it), which is counted here as not_run and never written.  So
 * packets_read = seen + not_run, and seen = selected + sum(deleted).
 */
#include <errno.h>
#include <linux/bpf.h>
/* pcap/bpf.h's struct bpf_insn clashes with linux/bpf.h's. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/dlt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfobj.h"
#include "cli.h"
#include "commands.h"
#include "counters.h"
#include "report.h"
#include "rules.h"
#include "timefmt.h"
#include "verify.h"

#define FRAME_MAX	(256 * 1024)
#define ETH_HLEN	14

/* pcap LINKTYPE values not every libpcap defines as DLT_ names. */
#define LT_RAW		101
#define LT_IPV4		228
#define LT_IPV6		229

struct replay_opts {
	const char *rules, *pcap, *out, *state, *trust;
	const char *bundles[AS_MAX_SLOTS + 1];	/* --bundle, repeatable */
	size_t n_bundles;
	bool json, report, no_decap;
	bool have_now;
	uint64_t now_ns;
};

static void usage(FILE *f)
{
	fputs("Usage: autoselctl replay --rules FILE --pcap IN [--out OUT] [--json] [--now TIME]\n"
	      "                        [--no-decap]\n"
	      "       autoselctl replay --bundle B [--bundle B2 ...] [--trust FILE] --pcap IN ...\n"
	      "       autoselctl replay --state DIR --pcap IN ...\n"
	      "\n"
	      "Run the XDP program (autosel.bpf.o, embedded) over every packet of\n"
	      "IN (pcap or pcapng) with BPF_PROG_TEST_RUN, write the records it\n"
	      "keeps to OUT (pcap, same link type, header bytes only) and print\n"
	      "the counters.\n"
	      "\n"
	      "  --rules FILE  rule set (Documentation/rules-format.rst)\n"
	      "  --bundle B    a signed bundle (approval or domestic map), verified\n"
	      "                against --trust FILE (default " AS_TRUST_DEFAULT ");\n"
	      "                repeat for each bundle of the rule set\n"
	      "  --state DIR   the rule set installed in a state directory\n"
	      "  --report      print the Diet report (autoselctl report) instead\n"
	      "  --pcap IN     capture to judge\n"
	      "  --out OUT     where to write the kept records (replaced atomically)\n"
	      "  --json        counters as one JSON object\n"
	      "  --now TIME    judge every packet at TIME (RFC 3339) instead of\n"
	      "                at its capture timestamp\n"
	      "  --no-decap    judge tunnelled packets by their outer headers, as a\n"
	      "                port attached with --no-decap does\n", f);
}

static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (as_is_help(a)) {
			usage(stdout);
			return -1;
		}
		if (as_is_json(a)) {
			o->json = true;
			continue;
		}
		if (!strcmp(a, "--report")) {
			o->report = true;
			continue;
		}
		if (!strcmp(a, "--no-decap")) {
			o->no_decap = true;
			continue;
		}
		if (!strcmp(a, "--bundle")) {
			if (i + 1 >= argc)
				return as_usage_err("replay: %s needs a value", a);
			if (o->n_bundles == AS_MAX_SLOTS + 1)
				return as_usage_err("replay: too many --bundle");
			o->bundles[o->n_bundles++] = argv[++i];
			continue;
		}
		if (!strcmp(a, "--state"))
			val = &o->state;
		else if (!strcmp(a, "--trust"))
			val = &o->trust;
		else if (!strcmp(a, "--rules"))
			val = &o->rules;
		else if (!strcmp(a, "--pcap"))
			val = &o->pcap;
		else if (!strcmp(a, "--out"))
			val = &o->out;
		else if (strcmp(a, "--now"))
			return as_usage_err("replay: unknown argument '%s' (see 'autoselctl replay help')",
					    a);
		if (i + 1 >= argc)
			return as_usage_err("replay: %s needs a value", a);
		if (val) {
			if (*val)
				return as_usage_err("replay: %s given twice", a);
			*val = argv[++i];
			continue;
		}
		if (o->have_now)
			return as_usage_err("replay: --now given twice");
		if (as_parse_rfc3339(argv[++i], &o->now_ns))
			return as_usage_err("replay: bad time '%s' for --now (RFC 3339, e.g. 2026-04-01T00:00:00Z)",
					    argv[i]);
		o->have_now = true;
	}
	if (!!o->rules + !!o->state + !!o->n_bundles != 1)
		return as_usage_err("replay: one of --rules FILE, --bundle B or --state DIR is required");
	if (o->trust && !o->n_bundles)
		return as_usage_err("replay: --trust goes with --bundle");
	if (!o->pcap)
		return as_usage_err("replay: --pcap IN is required");
	return 0;
}

/*
 * Non-Ethernet link types: the link header is replaced by a synthesized
 * Ethernet header (zero MACs, the ethertype the link header says) for the
 * program, and put back in front of what the program keeps.
 * Returns the link header length, or -1 for an unsupported link type.
 */
static int link_hdr_len(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case LT_RAW:
	case LT_IPV4:
	case LT_IPV6:
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		return 4;
	case DLT_LINUX_SLL:
		return 16;
	}
	return -1;
}

static uint16_t version_type(const uint8_t *p, uint32_t len)
{
	if (len < 1)
		return 0;
	if (p[0] >> 4 == 4)
		return 0x0800;
	if (p[0] >> 4 == 6)
		return 0x86dd;
	return 0;	/* not IP: the program counts it as non_ip */
}

static uint16_t af_type(uint32_t af)
{
	uint32_t sw = __builtin_bswap32(af);

	if (af == 2 || sw == 2)
		return 0x0800;
	/* AF_INET6 is 10 on Linux, 24, 28 or 30 on the BSDs and macOS. */
	if (af == 10 || af == 24 || af == 28 || af == 30 ||
	    sw == 10 || sw == 24 || sw == 28 || sw == 30)
		return 0x86dd;
	return 0;
}

/* Build the frame the program sees.  Returns its length. */
static uint32_t make_frame(int dlt, const uint8_t *pkt, uint32_t caplen,
			   uint8_t *frame, uint32_t *lh)
{
	uint16_t type = 0;

	*lh = 0;
	if (dlt == DLT_EN10MB) {
		memcpy(frame, pkt, caplen);
		return caplen;
	}
	switch (dlt) {
	case DLT_NULL:
	case DLT_LOOP:
		if (caplen >= 4) {
			uint32_t af;

			memcpy(&af, pkt, 4);
			type = af_type(af);
			*lh = 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen >= 16) {
			type = (uint16_t)(pkt[14] << 8 | pkt[15]);
			*lh = 16;
		}
		break;
	case LT_IPV4:
		type = 0x0800;
		break;
	case LT_IPV6:
		type = 0x86dd;
		break;
	default: /* raw IP */
		type = version_type(pkt, caplen);
		break;
	}
	/* A link header cut short: let the program see what there is. */
	memset(frame, 0, 12);
	frame[12] = (uint8_t)(type >> 8);
	frame[13] = (uint8_t)type;
	memcpy(frame + ETH_HLEN, pkt + *lh, caplen - *lh);
	return ETH_HLEN + caplen - *lh;
}

/* Output precision: what the input had (pcapng: nanoseconds). */
static int input_precision(const char *path)
{
	uint8_t m[4] = { 0 };
	FILE *f = fopen(path, "rb");

	if (!f)
		return PCAP_TSTAMP_PRECISION_MICRO;
	if (fread(m, 1, 4, f) != 4)
		m[0] = 0;
	fclose(f);
	if ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	    (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1) ||
	    (m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a))
		return PCAP_TSTAMP_PRECISION_NANO;
	return PCAP_TSTAMP_PRECISION_MICRO;
}

struct replay {
	struct replay_opts o;
	struct rules rules;
	struct as_loadset ls;
	struct as_obj obj;
	struct as_report rep;
	pcap_t *in, *dead;
	pcap_dumper_t *dump;
	char *tmp_out;
	uint8_t *frame, *out;
	int prog_fd, config_fd, dlt, out_prec;
	struct as_config cfg;
	uint64_t first_ns, last_ns;	/* capture time span, for --report */
};

static int judge(struct replay *r, const struct pcap_pkthdr *h,
		 const uint8_t *pkt)
{
	struct xdp_md ctx_in = { 0 }, ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t);
	uint32_t lh, flen, meta;
	__u32 zero = 0;
	int ret;

	r->rep.packets_read++;
	flen = make_frame(r->dlt, pkt, h->caplen, r->frame, &lh);
	if (!r->o.have_now) {
		/* Read with nanosecond precision: tv_usec holds ns. */
		r->cfg.fixed_now_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL +
				      (uint64_t)h->ts.tv_usec;
		if (bpf_map_update_elem(r->config_fd, &zero, &r->cfg, BPF_ANY))
			return as_err("cannot update map config: %s",
				      strerror(errno));
	}
	ctx_in.data_end = flen;
	t.data_in = r->frame;
	t.data_size_in = flen;
	t.data_out = r->out;
	t.data_size_out = FRAME_MAX;
	t.ctx_in = &ctx_in;
	t.ctx_size_in = sizeof(ctx_in);
	t.ctx_out = &ctx_out;
	t.ctx_size_out = sizeof(ctx_out);
	t.repeat = 1;
	ret = bpf_prog_test_run_opts(r->prog_fd, &t);
	if (ret) {
		/* Too short, too large or too fragmented for test_run. */
		if (errno == EINVAL || errno == E2BIG || errno == ENOSPC ||
		    errno == EMSGSIZE || errno == ENOMEM) {
			r->rep.not_run++;
			return 0;
		}
		return as_err("packet %llu: BPF_PROG_TEST_RUN: %s",
			      (unsigned long long)r->rep.packets_read,
			      strerror(errno));
	}
	if (t.retval == XDP_DROP)
		return 0;
	if (t.retval != XDP_REDIRECT)
		return as_err("packet %llu: unexpected verdict %u from the XDP program",
			      (unsigned long long)r->rep.packets_read, t.retval);
	/* data_out starts at the metadata; ctx_out.data is its length. */
	meta = ctx_out.data;
	if (meta > t.data_size_out || t.data_size_out - meta > flen ||
	    t.data_size_out - meta < (r->dlt == DLT_EN10MB ? 0 : ETH_HLEN))
		return as_err("packet %llu: kept record of impossible length",
			      (unsigned long long)r->rep.packets_read);
	if (r->dump) {
		struct pcap_pkthdr oh = *h;
		const uint8_t *kept = r->out + meta;
		uint32_t klen = t.data_size_out - meta;

		if (r->dlt != DLT_EN10MB) {
			/* Put the original link header back, in frame[]. */
			memcpy(r->frame, pkt, lh);
			memcpy(r->frame + lh, kept + ETH_HLEN, klen - ETH_HLEN);
			kept = r->frame;
			klen = klen - ETH_HLEN + lh;
		}
		oh.caplen = klen;
		/* len stays the wire length: volume is mechanical information. */
		if (r->out_prec == PCAP_TSTAMP_PRECISION_MICRO)
			oh.ts.tv_usec /= 1000;
		pcap_dump((u_char *)r->dump, &oh, kept);
	}
	r->rep.records_written += r->dump != NULL;
	return 0;
}

static int read_report(struct replay *r)
{
	struct bpf_map *c = as_map(r->obj.obj, "counters");
	struct bpf_map *s = as_map(r->obj.obj, "slot_counters");

	if (!c || !s || as_counters_read(bpf_map__fd(c), r->rep.c) ||
	    as_slot_counters_read(bpf_map__fd(s), r->rep.slots))
		return as_err("cannot read the counters: %s", strerror(errno));
	for (size_t i = 0; i < r->rules.n_approvals; i++) {
		struct as_report_slot *sl = &r->rep.slots[i];
		const struct rules_approval *a = &r->rules.approvals[i];

		sl->active = true;
		snprintf(sl->id, sizeof(sl->id), "%s", a->id);
		sl->type = a->type;
		sl->from_ns = a->from_ns;
		sl->until_ns = a->until_ns;
	}
	return 0;
}

static int run(struct replay *r)
{
	char err[RULES_ERR_MAX + 256], perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *pkt;
	int ret;

	if (r->o.rules ?
	    rules_load_file(&r->rules, r->o.rules, err, sizeof(err)) :
	    r->o.state ?
	    as_rules_from_state_dir(r->o.state, &r->rules, err, sizeof(err)) :
	    as_rules_from_bundles(r->o.bundles, r->o.n_bundles, r->o.trust,
				  &r->rules, err, sizeof(err)))
		return as_err("%s", err);
	r->in = pcap_open_offline_with_tstamp_precision(r->o.pcap,
			PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!r->in)
		return as_err("%s", perr);
	r->dlt = pcap_datalink(r->in);
	if (link_hdr_len(r->dlt) < 0)
		return as_err("%s: link type %s is not supported",
			      r->o.pcap, pcap_datalink_val_to_name(r->dlt) ?
			      pcap_datalink_val_to_name(r->dlt) : "unknown");

	if (as_obj_open(&r->obj, AS_OBJ_HOST, err, sizeof(err)) ||
	    as_loadset_prepare(&r->ls, &r->rules, r->obj.obj, err, sizeof(err)) ||
	    as_obj_load(&r->obj, err, sizeof(err)))
		return as_err("%s", err);
	r->cfg.generation = 1;
	r->cfg.fixed_now_ns = r->o.have_now ? r->o.now_ns : 0;
	r->cfg.no_decap = r->o.no_decap;
	if (as_maps_fill(r->obj.obj, &r->rules, &r->ls, &r->cfg, err,
			 sizeof(err)))
		return as_err("%s", err);
	/*
	 * bpf_redirect_map() answers XDP_REDIRECT only for a filled slot;
	 * test_run never performs the redirect, so any device will do: lo.
	 */
	{
		__u32 zero = 0, lo = 1;

		if (bpf_map_update_elem(bpf_map__fd(as_map(r->obj.obj, "tx_port")),
					&zero, &lo, BPF_ANY))
			return as_err("cannot update map tx_port: %s",
				      strerror(errno));
	}
	r->prog_fd = bpf_program__fd(r->obj.prog);
	r->config_fd = bpf_map__fd(as_map(r->obj.obj, "config"));

	r->frame = malloc(FRAME_MAX + ETH_HLEN);
	r->out = malloc(FRAME_MAX);
	if (!r->frame || !r->out)
		return as_err("out of memory");

	if (r->o.out) {
		size_t n = strlen(r->o.out) + 16;
		FILE *f;
		int fd;

		r->tmp_out = malloc(n);
		if (!r->tmp_out)
			return as_err("out of memory");
		snprintf(r->tmp_out, n, "%s.XXXXXX", r->o.out);
		fd = mkstemp(r->tmp_out);
		if (fd < 0) {
			free(r->tmp_out);
			r->tmp_out = NULL;
			return as_err("%s: %s", r->o.out, strerror(errno));
		}
		f = fdopen(fd, "wb");
		if (!f) {
			close(fd);
			return as_err("%s: %s", r->o.out, strerror(errno));
		}
		r->out_prec = input_precision(r->o.pcap);
		r->dead = pcap_open_dead_with_tstamp_precision(r->dlt, 262144,
							       r->out_prec);
		r->dump = r->dead ? pcap_dump_fopen(r->dead, f) : NULL;
		if (!r->dump) {
			fclose(f);
			return as_err("%s: cannot start a pcap file", r->o.out);
		}
	}

	while ((ret = pcap_next_ex(r->in, &h, &pkt)) == 1) {
		if (h->caplen > FRAME_MAX) {
			r->rep.packets_read++;
			r->rep.not_run++;
			continue;
		}
		if (judge(r, h, pkt))
			return EXIT_RUNTIME;
		{
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
				      (uint64_t)h->ts.tv_usec;	/* nano precision */

			if (!r->first_ns || ts < r->first_ns)
				r->first_ns = ts;
			if (ts > r->last_ns)
				r->last_ns = ts;
		}
	}
	if (ret == PCAP_ERROR)
		return as_err("%s: %s (after %llu packets)", r->o.pcap,
			      pcap_geterr(r->in),
			      (unsigned long long)r->rep.packets_read);

	if (r->dump) {
		if (pcap_dump_flush(r->dump))
			return as_err("%s: write error", r->o.out);
		pcap_dump_close(r->dump);
		r->dump = NULL;
		if (rename(r->tmp_out, r->o.out))
			return as_err("%s: %s", r->o.out, strerror(errno));
		free(r->tmp_out);
		r->tmp_out = NULL;
	}
	r->rep.replay = true;
	if (read_report(r))
		return EXIT_RUNTIME;
	if (r->o.report)
		as_diet_report_print(stdout, &r->rep, "replay",
				     r->o.have_now ? r->o.now_ns : r->first_ns,
				     r->o.have_now ? r->o.now_ns : r->last_ns,
				     r->o.json);
	else
		as_report_print(stdout, &r->rep, r->o.json);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return as_err("out of memory");
	ret = parse_args(argc, argv, &r->o);
	if (ret) {
		free(r);
		return ret < 0 ? 0 : ret;	/* < 0: help was asked for */
	}
	ret = run(r);
	if (r->dump)
		pcap_dump_close(r->dump);
	if (r->tmp_out) {
		unlink(r->tmp_out);
		free(r->tmp_out);
	}
	if (r->dead)
		pcap_close(r->dead);
	if (r->in)
		pcap_close(r->in);
	free(r->frame);
	free(r->out);
	as_loadset_free(&r->ls);
	as_obj_close(&r->obj);
	rules_free(&r->rules);
	free(r);
	return ret;
}
