// SPDX-License-Identifier: GPL-2.0
/*
 * astest - helper of the autosel VM tests (static, runs in the busybox
 * guest).  One binary, several jobs:
 *
 *   astest write FILE STRING
 *	one write(2) of STRING to FILE; prints "ok" or the errno name
 *	(e.g. EINVAL); exit 0 only if the write succeeded.  With ASTEST_UID
 *	set, drops to that uid/gid first
 *   astest attach IFNAME OBJ RULE...
 *	load OBJ (as_test.bpf.o), point its devmap at autosel0, fill its
 *	rule table and attach it in native (driver) mode to IFNAME, replacing
 *	a program already there.  RULE is FAMILY:PROTO:PORT=sel:SLOT or
 *	FAMILY:PROTO:PORT=del:REASON (FAMILY 4, 6, 0 non-IP, 255 malformed)
 *   astest detach IFNAME
 *   astest send IFNAME DSTMAC SHAPE COUNT [PORT [SPORT]]
 *	send COUNT raw Ethernet frames of SHAPE (see shapes[] below), every
 *	one carrying the canary after its headers; prints
 *	"frames N wire_bytes W hdr_bytes H" (H: what a record may keep)
 *   astest bucketmates SRC DST PROTO N
 *	print N port pairs SPORT:DPORT such that the flows SRC:SPORT ->
 *	DST:DPORT of IPv4 protocol PROTO share one bucket of the data
 *	path's flow table (as_flow_hash, abi.h)
 *   astest soak IFNAME DSTMAC COUNT SECONDS
 *	send frames of every kind round-robin, as fast as the socket takes
 *	them, until COUNT frames or SECONDS have gone (soak.sh): TCP both
 *	ways with 10.99.1.H (IP indicator A), UDP/IPv6 from fd00:99:1::H (A),
 *	UDP from 10.99.2.H (B), UDP from 10.99.3.H (never approved), UDP
 *	10.99.0.10 -> 10.99.0.2 (dd), a DNS query and an HTTP request for
 *	www.soak.example from 10.99.4.H / 10.99.5.H (domain indicator C),
 *	malformed IPv4, non-IP; H and the source port vary (many flows).
 *	Prints "frames N wire_bytes W" and "kind K N" per kind
 *   astest now
 *	CLOCK_REALTIME as SECONDS.NANOSECONDS (busybox date has no %N)
 *   astest pcapcheck FILE CANARY
 *	check every record of a pcap written on autosel0: an outer 802.1Q
 *	tag, then a frame that the shared parser accepts and whose header
 *	length is exactly the record's length (nothing after the headers),
 *	and CANARY nowhere; prints "records N bytes B hdr_bytes H" and one
 *	"vid V N" line per tag value; exit 1 on any violation
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <autosel/abi.h>
#include <autosel/parse.h>

#include "as_test.h"

#define CANARY "AUTOSEL-CANARY"

static int die(const char *what)
{
	fprintf(stderr, "astest: %s: %s\n", what, strerror(errno));
	return 2;
}

static int cmd_write(int argc, char **argv)
{
	ssize_t n;
	int fd;

	if (argc != 4)
		return 2;
	if (getenv("ASTEST_UID")) {
		unsigned int id = atoi(getenv("ASTEST_UID"));

		if (setgid(id) || setuid(id))
			return die("setuid");
	}
	fd = open(argv[2], O_WRONLY);
	if (fd < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	n = write(fd, argv[3], strlen(argv[3]));
	if (n < 0) {
		printf("%s\n", strerrorname_np(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if ((size_t)n != strlen(argv[3])) {
		printf("short write %zd\n", n);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int parse_rule(const char *s, struct ast_key *k, struct ast_rule *r)
{
	unsigned int fam, proto, port, arg;
	char act[4];

	if (sscanf(s, "%u:%u:%u=%3[a-z]:%u", &fam, &proto, &port, act,
		   &arg) != 5)
		return -1;
	memset(k, 0, sizeof(*k));
	k->family = fam;
	k->proto = proto;
	k->port = port;
	r->arg = arg;
	if (!strcmp(act, "sel"))
		r->action = AST_SELECT;
	else if (!strcmp(act, "del"))
		r->action = AST_DELETE;
	else
		return -1;
	return 0;
}

static int cmd_attach(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int ifindex, outdev, rules_fd, out_fd, err, i;
	__u32 zero = 0, odev;

	if (argc < 4)
		return 2;
	ifindex = if_nametoindex(argv[2]);
	outdev = if_nametoindex("autosel0");
	if (!ifindex || !outdev)
		return die("if_nametoindex");
	obj = bpf_object__open_file(argv[3], NULL);
	if (!obj)
		return die("open object");
	err = bpf_object__load(obj);
	if (err) {
		errno = -err;
		return die("load object");
	}
	prog = bpf_object__find_program_by_name(obj, "as_test");
	rules_fd = bpf_object__find_map_fd_by_name(obj, "rules");
	out_fd = bpf_object__find_map_fd_by_name(obj, "out");
	if (!prog || rules_fd < 0 || out_fd < 0) {
		fprintf(stderr, "astest: object lacks as_test/rules/out\n");
		return 2;
	}
	odev = outdev;
	if (bpf_map_update_elem(out_fd, &zero, &odev, 0))
		return die("devmap update");
	for (i = 4; i < argc; i++) {
		struct ast_key k;
		struct ast_rule r;

		if (parse_rule(argv[i], &k, &r)) {
			fprintf(stderr, "astest: bad rule '%s'\n", argv[i]);
			return 2;
		}
		if (bpf_map_update_elem(rules_fd, &k, &r, 0))
			return die("rule update");
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		errno = -err;
		return die("bpf_xdp_attach");
	}
	/* The netlink attachment holds the program; the object can go. */
	bpf_object__close(obj);
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	int ifindex, err;

	if (argc != 3)
		return 2;
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex)
		return die("if_nametoindex");
	err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		errno = -err;
		return die("bpf_xdp_detach");
	}
	return 0;
}

/* ---- frames ---------------------------------------------------------- */

struct frame {
	unsigned char b[2048];
	size_t len;
	size_t hdr;	/* what a record may keep */
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, unsigned int v)
{
	unsigned char b[2] = { v >> 8, v };

	put(f, b, 2);
}

static void put_canary(struct frame *f, const char *shape, size_t n)
{
	size_t end = f->len + n;

	while (f->len < end) {
		char c[64];
		size_t l = snprintf(c, sizeof(c), "%s-%s.", CANARY, shape);

		if (l > end - f->len)
			l = end - f->len;
		put(f, c, l);
	}
}

static unsigned short csum(const unsigned char *p, size_t n)
{
	unsigned long s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* the sender; dnsname4 sends from 10.99.0.7 */
static unsigned char ip4_src[4] = { 10, 99, 0, 1 };
static unsigned char ip4_dst[4] = { 10, 99, 0, 2 };
static const unsigned char ip6_src[16] = { 0xfd, 0, 0, 0x99, [15] = 1 };
static const unsigned char ip6_dst[16] = { 0xfd, 0, 0, 0x99, [15] = 2 };

/* IPv4 header for l4len bytes of transport; ip_total overrides if set. */
static void put_ip4(struct frame *f, int proto, size_t l4len, size_t ip_total)
{
	unsigned char h[20] = { 0x45, 0 };
	size_t tot = ip_total ? ip_total : 20 + l4len;
	unsigned short c;

	h[2] = tot >> 8;
	h[3] = tot;
	h[4] = 0x12;
	h[5] = 0x34;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, ip4_src, 4);
	memcpy(h + 16, ip4_dst, 4);
	c = csum(h, 20);
	h[10] = c >> 8;
	h[11] = c;
	put(f, h, 20);
}

static void put_ip6(struct frame *f, int next, size_t plen)
{
	unsigned char h[40] = { 0x60, 0 };

	h[4] = plen >> 8;
	h[5] = plen;
	h[6] = next;
	h[7] = 64;
	memcpy(h + 8, ip6_src, 16);
	memcpy(h + 24, ip6_dst, 16);
	put(f, h, 40);
}

/* The source port of send's TCP and UDP frames (send's SPORT). */
static unsigned int sport = 41000;

static void put_tcp(struct frame *f, unsigned int dport, int opts)
{
	unsigned char h[32] = { 0 };
	size_t n = opts ? 32 : 20;

	h[0] = sport >> 8;
	h[1] = sport;
	h[2] = dport >> 8;
	h[3] = dport;
	h[7] = 1;		/* seq */
	h[11] = 1;		/* ack */
	h[12] = (n / 4) << 4;
	h[13] = 0x18;		/* PSH|ACK: not the start of a flow */
	h[14] = 0xff;
	if (opts) {
		h[20] = 1;	/* NOP NOP TS */
		h[21] = 1;
		h[22] = 8;
		h[23] = 10;
	}
	put(f, h, n);
}

static void put_udp(struct frame *f, unsigned int dport, size_t plen)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + plen);
	put16(f, 0);
}

/* Builds one frame of the named shape; 0 on success. */
static int build(struct frame *f, const char *shape, unsigned int port)
{
	const size_t pl = 200;	/* payload: canary */

	f->len = 0;
	f->hdr = 0;
	/* Ethernet addresses are filled in by the caller. */
	f->len = 12;
	if (!strcmp(shape, "tcp4")) {
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 32 + pl, 0);
		put_tcp(f, port, 1);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "vlan4")) {
		put16(f, ETH_P_8021Q);
		put16(f, 100);
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 20 + pl, 0);
		put_tcp(f, port, 0);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "udp4")) {
		put16(f, ETH_P_IP);
		put_ip4(f, 17, 8 + pl, 0);
		put_udp(f, port, pl);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "dns4")) {
		/* A query whose question name is the canary. */
		static const unsigned char q[] = {
			0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
			18, 'A', 'U', 'T', 'O', 'S', 'E', 'L', '-', 'C', 'A',
			'N', 'A', 'R', 'Y', '-', 'd', 'n', 's',
			7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };

		put16(f, ETH_P_IP);
		put_ip4(f, 17, 8 + sizeof(q), 0);
		put_udp(f, 53, sizeof(q));
		f->hdr = f->len;
		put(f, q, sizeof(q));
	} else if (!strcmp(shape, "dnsname4")) {
		/*
		 * A query from 10.99.0.7, no IP indicator, for a name that is
		 * a domain indicator (live.sh): a flow of kind dns.  The name
		 * is a canary too: it must not be in the record.
		 */
		static const unsigned char q[] = {
			0x56, 0x78, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
			19, 'A', 'U', 'T', 'O', 'S', 'E', 'L', '-', 'C', 'A',
			'N', 'A', 'R', 'Y', '-', 'n', 'a', 'm', 'e',
			7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };

		ip4_src[3] = 7;
		put16(f, ETH_P_IP);
		put_ip4(f, 17, 8 + sizeof(q), 0);
		put_udp(f, 53, sizeof(q));
		f->hdr = f->len;
		put(f, q, sizeof(q));
	} else if (!strcmp(shape, "icmp4")) {
		unsigned char h[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };

		put16(f, ETH_P_IP);
		put_ip4(f, 1, 8 + pl, 0);
		put(f, h, 8);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "tcp6")) {
		/* hop-by-hop options (PadN) in front of TCP */
		static const unsigned char hbh[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };

		put16(f, ETH_P_IPV6);
		put_ip6(f, 0, 8 + 20 + pl);
		put(f, hbh, 8);
		put_tcp(f, port, 0);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "udp6")) {
		put16(f, ETH_P_IPV6);
		put_ip6(f, 17, 8 + pl);
		put_udp(f, port, pl);
		f->hdr = f->len;
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "bad4")) {
		/* The IP datagram ends 10 bytes into the TCP header. */
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 0, 30);
		put_tcp(f, port, 0);
		put_canary(f, shape, pl);
	} else if (!strcmp(shape, "bad6")) {
		/* IPv6 says TCP, but only 4 bytes follow the header. */
		put16(f, ETH_P_IPV6);
		put_ip6(f, 6, 4);
		put_canary(f, shape, 4);
	} else if (!strcmp(shape, "nonip")) {
		put16(f, 0x88b5);
		put_canary(f, shape, pl);
	} else {
		return -1;
	}
	return 0;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static int cmd_send(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned long long wire = 0, hdr = 0;
	unsigned char dst[6];
	struct frame f;
	struct ifreq ifr = {};
	int fd, i, count;
	unsigned int port;

	if (argc < 6)
		return 2;
	count = atoi(argv[5]);
	port = argc > 6 ? atoi(argv[6]) : 9;
	if (argc > 7)
		sport = atoi(argv[7]);
	if (parse_mac(argv[3], dst) || build(&f, argv[4], port)) {
		fprintf(stderr, "astest: bad MAC or shape\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return die("socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return die("SIOCGIFHWADDR");
	memcpy(f.b, dst, 6);
	memcpy(f.b + 6, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(argv[2]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	for (i = 0; i < count; i++) {
		if (sendto(fd, f.b, f.len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)f.len)
			return die("sendto");
		wire += f.len;
		hdr += f.hdr;
	}
	close(fd);
	printf("frames %d wire_bytes %llu hdr_bytes %llu\n", count, wire, hdr);
	return 0;
}

/* ---- soak: every kind of frame, as fast as possible ----------------- */

#define SOAK_KINDS	10
static const char *const soak_kind[SOAK_KINDS] = {
	"tcp-a", "tcp-a-reply", "udp6-a", "udp-b", "udp-none", "udp-dd",
	"dns-c", "http-c", "malformed", "nonip",
};

static void set_ip4(unsigned char *ip, int net, int host)
{
	ip[0] = 10;
	ip[1] = 99;
	ip[2] = net;
	ip[3] = host;
}

/* The frame of kind k, host h (1..8), source port sp. */
static void soak_build(struct frame *f, int k, int h, unsigned int sp)
{
	static const unsigned char dnsq[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 4, 's', 'o', 'a', 'k',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	static const char http[] = "GET /AUTOSEL-CANARY-http HTTP/1.1\r\n"
				   "Host: www.soak.example\r\n\r\n";
	unsigned char *d = ip4_dst;
	unsigned char save[4];
	size_t at;

	memcpy(save, d, 4);
	f->len = 12;
	f->hdr = 0;
	switch (k) {
	case 0:		/* 10.99.1.h:sp -> 10.99.0.2:443 */
	case 1:		/* and back */
		set_ip4(ip4_src, 1, h);
		if (k == 1) {
			set_ip4(ip4_src, 0, 2);
			set_ip4(d, 1, h);
		}
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 32 + 100, 0);
		at = f->len;
		put_tcp(f, 443, 1);
		f->b[at] = sp >> 8;
		f->b[at + 1] = sp;
		if (k == 1) {	/* swap the ports */
			unsigned char t0 = f->b[at], t1 = f->b[at + 1];

			f->b[at] = f->b[at + 2];
			f->b[at + 1] = f->b[at + 3];
			f->b[at + 2] = t0;
			f->b[at + 3] = t1;
		}
		put_canary(f, soak_kind[k], 100);
		break;
	case 2: {	/* fd00:99:1::h -> fd00:99::2 */
		unsigned char h6[40] = { 0x60, 0 };

		h6[5] = 8 + 100;
		h6[6] = 17;
		h6[7] = 64;
		h6[8] = 0xfd;
		h6[10] = 0;
		h6[11] = 0x99;
		h6[13] = 1;
		h6[23] = h;
		memcpy(h6 + 24, ip6_dst, 16);
		put16(f, ETH_P_IPV6);
		put(f, h6, 40);
		put16(f, sp);
		put16(f, 53);
		put16(f, 8 + 100);
		put16(f, 0);
		put_canary(f, soak_kind[k], 100);
		break;
	}
	case 3:		/* 10.99.2.h, 10.99.3.h, 10.99.0.10 */
	case 4:
	case 5:
		if (k == 5)
			set_ip4(ip4_src, 0, 10);
		else
			set_ip4(ip4_src, k - 1, h);
		put16(f, ETH_P_IP);
		put_ip4(f, 17, 8 + 100, 0);
		put16(f, sp);
		put16(f, 9);
		put16(f, 8 + 100);
		put16(f, 0);
		put_canary(f, soak_kind[k], 100);
		break;
	case 6:		/* DNS from 10.99.4.h */
		set_ip4(ip4_src, 4, h);
		put16(f, ETH_P_IP);
		put_ip4(f, 17, 8 + sizeof(dnsq), 0);
		put16(f, sp);
		put16(f, 53);
		put16(f, 8 + sizeof(dnsq));
		put16(f, 0);
		put(f, dnsq, sizeof(dnsq));
		break;
	case 7:		/* HTTP from 10.99.5.h */
		set_ip4(ip4_src, 5, h);
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 20 + sizeof(http) - 1, 0);
		at = f->len;
		put_tcp(f, 80, 0);
		f->b[at] = sp >> 8;
		f->b[at + 1] = sp;
		put(f, http, sizeof(http) - 1);
		break;
	case 8:
		set_ip4(ip4_src, 1, h);
		put16(f, ETH_P_IP);
		put_ip4(f, 6, 0, 30);
		put_tcp(f, 80, 0);
		put_canary(f, soak_kind[k], 100);
		break;
	default:
		put16(f, 0x88b5);
		put_canary(f, soak_kind[k], 100);
		break;
	}
	memcpy(d, save, 4);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t soak_stop;

static void soak_on_signal(int sig)
{
	(void)sig;
	soak_stop = 1;
}

static int cmd_soak(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = soak_on_signal };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned long long wire = 0, per[SOAK_KINDS] = { 0 }, count, i;
	unsigned char dst[6], src[6];
	struct ifreq ifr = {};
	struct frame f;
	double start, end;
	int fd, k;

	if (argc != 6 || parse_mac(argv[3], dst))
		return 2;
	/* SIGINT or SIGTERM: stop and report what went out */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	count = strtoull(argv[4], NULL, 10);
	start = now_s();
	end = start + atof(argv[5]);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return die("socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return die("SIOCGIFHWADDR");
	memcpy(src, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(argv[2]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	for (i = 0; i < count; i++) {
		unsigned long long r = i / SOAK_KINDS;

		if (soak_stop || (!(i & 255) && now_s() > end))
			break;
		k = (int)(i % SOAK_KINDS);
		soak_build(&f, k, 1 + (int)(r % 8), 40000 + (unsigned int)(r % 64));
		memcpy(f.b, dst, 6);
		memcpy(f.b + 6, src, 6);
		/*
		 * ENOBUFS: veth had no room and dropped it, counted in its
		 * tx_dropped (NET_XMIT_DROP): sent, as far as the count goes.
		 */
		if (sendto(fd, f.b, f.len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)f.len && errno != ENOBUFS) {
			if (errno == EINTR)
				break;	/* not sent */
			return die("sendto");
		}
		wire += f.len;
		per[k]++;
	}
	close(fd);
	printf("frames %llu wire_bytes %llu seconds %.1f\n", i, wire,
	       now_s() - start);
	for (k = 0; k < SOAK_KINDS; k++)
		printf("kind %s %llu\n", soak_kind[k], per[k]);
	return 0;
}

static int cmd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

/* ---- pcap ------------------------------------------------------------- */

static int cmd_pcapcheck(int argc, char **argv)
{
	unsigned long long n = 0, bytes = 0, hdr = 0, vids[4096] = { 0 };
	unsigned int gh[6], rh[4];
	unsigned char *rec = NULL;
	int bad = 0, v;
	FILE *fp;

	if (argc != 4)
		return 2;
	fp = fopen(argv[2], "rb");
	if (!fp)
		return die(argv[2]);
	if (fread(gh, 4, 6, fp) != 6 || (gh[0] != 0xa1b2c3d4 &&
					  gh[0] != 0xa1b23c4d) || gh[5] != 1) {
		fprintf(stderr, "astest: %s: not an Ethernet pcap\n", argv[2]);
		return 2;
	}
	while (fread(rh, 4, 4, fp) == 4) {
		struct as_pkt pkt = {};
		unsigned char frame[65536];
		unsigned int len = rh[2];

		n++;
		rec = realloc(rec, rh[2] + 1);
		if (!rec || fread(rec, 1, rh[2], fp) != rh[2])
			return die("short pcap");
		if (rh[2] != rh[3]) {
			printf("# record %llu: captured %u of %u bytes\n", n,
			       rh[2], rh[3]);
			bad = 1;
		}
		rec[len] = 0;
		if (memmem(rec, len, argv[3], strlen(argv[3]))) {
			printf("# record %llu: canary found\n", n);
			bad = 1;
		}
		bytes += len;
		if (len < 18 || rec[12] != 0x81 || rec[13] != 0x00) {
			printf("# record %llu: no outer 802.1Q tag\n", n);
			bad = 1;
			continue;
		}
		vids[((rec[14] << 8) | rec[15]) & 0xfff]++;
		/* Strip the tag and parse what remains, as autosel0 did. */
		memcpy(frame, rec, 12);
		memcpy(frame + 12, rec + 16, len - 16);
		if (as_parse(frame, frame + len - 4, &pkt) != AS_PARSE_OK) {
			printf("# record %llu: does not parse\n", n);
			bad = 1;
			continue;
		}
		if (pkt.hdr_len != len - 4) {
			printf("# record %llu: %u bytes after the headers\n",
			       n, len - 4 - pkt.hdr_len);
			bad = 1;
		}
		hdr += pkt.hdr_len;
	}
	fclose(fp);
	free(rec);
	printf("records %llu bytes %llu hdr_bytes %llu\n", n, bytes, hdr);
	for (v = 0; v < 4096; v++)
		if (vids[v])
			printf("vid %d %llu\n", v, vids[v]);
	return bad;
}

static int cmd_bucketmates(int argc, char **argv)
{
	/* as_flow_hash() reads words */
	__u8 sa[16] __attribute__((aligned(4))) = {};
	__u8 da[16] __attribute__((aligned(4))) = {};
	unsigned int proto, n, k = 0, bk = 0, sp, dp;

	if (argc != 6 || inet_pton(AF_INET, argv[2], sa) != 1 ||
	    inet_pton(AF_INET, argv[3], da) != 1)
		return 2;
	proto = atoi(argv[4]);
	n = atoi(argv[5]);
	for (sp = 40000; sp < 40064 && k < n; sp++)
		for (dp = 1024; dp < 65536 && k < n; dp++) {
			__u32 b = as_flow_hash(sa, da, sp, dp, proto) &
				  (AS_FLOW_BUCKETS - 1);

			if (!k)
				bk = b;
			if (b == bk) {
				printf("%u:%u\n", sp, dp);
				k++;
			}
		}
	return k == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "write"))
		return cmd_write(argc, argv);
	if (!strcmp(argv[1], "attach"))
		return cmd_attach(argc, argv);
	if (!strcmp(argv[1], "detach"))
		return cmd_detach(argc, argv);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc, argv);
	if (!strcmp(argv[1], "pcapcheck"))
		return cmd_pcapcheck(argc, argv);
	if (!strcmp(argv[1], "bucketmates"))
		return cmd_bucketmates(argc, argv);
	if (!strcmp(argv[1], "soak"))
		return cmd_soak(argc, argv);
	if (!strcmp(argv[1], "now"))
		return cmd_now();
usage:
	fprintf(stderr, "usage: astest write|attach|detach|send|soak|now|pcapcheck|bucketmates ...\n");
	return 2;
}
