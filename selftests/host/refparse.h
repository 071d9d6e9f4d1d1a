/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: an independent reference header parser.
 *
 * Written from SPEC.md's definition of "mechanical information" and the
 * tunnel semantics of issue #13, not from include/autosel/parse.h: a state
 * machine over explicit on-wire structs copied out of the frame at checked
 * offsets.  It answers one question -- how many leading bytes of this
 * frame are headers autosel may keep -- and which headers decided, so that
 * tests can hold the XDP program's kept records (and the include/ parser)
 * against it.
 *
 * Limits, as the spec and the shared parser set them: 2 VLAN tags
 * (0x8100, 0x88a8, 0x9100) and 5 MPLS labels per Ethernet level (and per
 * MPLS stack inside GRE or UDP), 8 IPv6 extension headers, 3 tunnel
 * headers (REF_MAX_ENCAP; a 4th known one is malformed).
 *
 * Tunnels are decapsulated after the transport header that carries them:
 * GRE (IP protocol 47, version 0, only the C, K and S flags) with IPv4,
 * IPv6, MPLS, Ethernet, ERSPAN I/II (0x88be) and ERSPAN III (0x22eb);
 * UDP to port 4789 or 8472 (VXLAN), 6081 (Geneve), 2152 (GTP-U G-PDU)
 * and 6635 (MPLS); IP protocols 4 and 41.  One GRE header with its ERSPAN
 * header is one tunnel header.  The innermost IP header decides
 * addresses, protocol, ports and fragment state; the keep length runs to
 * the end of the innermost transport header.
 *
 * A tunnel's fixed header (GRE 4 bytes, VXLAN/Geneve/GTP-U 8, ERSPAN II 8,
 * ERSPAN III 12) must fit the frame before its identifying fields are
 * judged: a UDP datagram to port 4789 too short for a VXLAN header is a
 * broken tunnel (malformed), not a plain UDP datagram.  A header that
 * turns out not to be a tunnel autosel knows ends decapsulation: the
 * packet keeps what the headers before it give (GRE: the IP header; UDP:
 * the UDP header).  Variable parts (GRE C/K/S words, Geneve options, GTP-U
 * words and extension headers, the ERSPAN III subheader) must fit once the
 * header is known.  Every header must lie inside the frame and inside the
 * declared length of every enclosing IP datagram.
 *
 * ref_parse2(f, len, 1) is the parser without decapsulation (an operator
 * flag per port): the outer headers decide, as before issue #13.
 */
#ifndef AUTOSEL_SELFTEST_REFPARSE_H
#define AUTOSEL_SELFTEST_REFPARSE_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define REF_MAX_ENCAP	3

enum ref_verdict { REF_OK, REF_NON_IP, REF_MALFORMED };

struct ref_result {
	int verdict;		/* enum ref_verdict */
	size_t keep;		/* REF_OK: bytes that may be kept */
	int ipver;		/* of the innermost IP header */
	int later_frag;		/* innermost IP: non-first fragment */
	int first_frag;		/* innermost IP: offset 0, more follow */
	uint8_t proto;		/* innermost transport protocol */
	int levels;		/* tunnel headers decapsulated */
	uint8_t src[16];	/* innermost IP; IPv4 in the first four bytes */
	uint8_t dst[16];
	/*
	 * Innermost TCP/UDP/SCTP ports; for an ICMP echo request or reply
	 * (RFC 792 types 8/0 over IPv4, RFC 4443 types 128/129 over IPv6)
	 * the identifier, as both; else 0.
	 */
	uint16_t sport, dport;
	uint32_t frag_id;	/* innermost IP: IPv4 id, IPv6 fragment id */
	uint8_t tcp_flags;	/* innermost TCP header's flags, else 0 */
	size_t l3;		/* where the innermost IP header starts */
};

struct ref_eth {
	uint8_t dst[6], src[6];
	uint16_t type;
} __attribute__((packed));

struct ref_vlan {
	uint16_t tci;
	uint16_t type;
} __attribute__((packed));

struct ref_ip4 {
	uint8_t ver_ihl, tos;
	uint16_t tot_len, id, frag;
	uint8_t ttl, proto;
	uint16_t check;
	uint8_t src[4], dst[4];
} __attribute__((packed));

struct ref_ip6 {
	uint32_t ver_tc_flow;
	uint16_t payload_len;
	uint8_t next, hop_limit;
	uint8_t src[16], dst[16];
} __attribute__((packed));

struct ref_ext {		/* the first two bytes of any extension header */
	uint8_t next, len;
} __attribute__((packed));

struct ref_frag6 {
	uint8_t next, reserved;
	uint16_t off_flags;
	uint32_t id;
} __attribute__((packed));

struct ref_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff_res, flags;
	uint16_t window, check, urg;
} __attribute__((packed));

struct ref_ports {		/* UDP, SCTP: the ports come first */
	uint16_t sport, dport;
} __attribute__((packed));

struct ref_echo {		/* RFC 792 / RFC 4443 echo message */
	uint8_t type, code;
	uint16_t check;
	uint16_t ident, seq;
} __attribute__((packed));

struct ref_gre {		/* RFC 2784/2890 base header */
	uint16_t flags_ver;
	uint16_t ptype;
} __attribute__((packed));

struct ref_erspan2 {
	uint16_t ver_vlan;	/* version 1 in the top nibble */
	uint16_t cos_en_t_sid;
	uint32_t index;
} __attribute__((packed));

struct ref_erspan3 {
	uint16_t ver_vlan;	/* version 2 in the top nibble */
	uint16_t cos_bso_t_sid;
	uint32_t timestamp;
	uint16_t sgt;
	uint8_t p_ft_hwid;	/* P:1 FT:5 HW ID (high 2) */
	uint8_t hwid_d_gra_o;	/* HW ID (low 4) D:1 Gra:2 O:1 */
} __attribute__((packed));

struct ref_vxlan {
	uint8_t flags;		/* I = 0x08: the VNI is valid */
	uint8_t reserved1[3];
	uint8_t vni[3];
	uint8_t reserved2;
} __attribute__((packed));

struct ref_geneve {
	uint8_t ver_optlen;	/* version:2 option length:6 (4-byte units) */
	uint8_t flags;
	uint16_t ptype;
	uint8_t vni[3];
	uint8_t reserved;
} __attribute__((packed));

struct ref_gtp {
	uint8_t flags;		/* version:3 PT:1 *:1 E:1 S:1 PN:1 */
	uint8_t type;		/* 0xff: G-PDU */
	uint16_t length;
	uint32_t teid;
} __attribute__((packed));

#define REF_GRE_C	0x8000
#define REF_GRE_K	0x2000
#define REF_GRE_S	0x1000

/* Copy a struct out of the frame if it fits entirely. */
#define REF_GET(frame, flen, off, var) \
	((off) + sizeof(var) <= (flen) ? (memcpy(&(var), (frame) + (off), sizeof(var)), 1) : 0)

static inline struct ref_result ref_parse2(const uint8_t *f, size_t flen,
					   int no_decap)
{
	enum {
		S_ETH, S_TAG, S_MPLS, S_IP4, S_IP6, S_IPNIB, S_EXT, S_L4,
		S_TUN, S_GRE, S_VXLAN, S_GENEVE, S_GTP, S_END
	} st = S_ETH;
	struct ref_result r;
	size_t off = 0, lim = SIZE_MAX;
	unsigned int tags = 0, labels = 0, exts = 0, steps;
	uint16_t type = 0;
	uint8_t next = 0;

	memset(&r, 0, sizeof(r));
	r.verdict = REF_MALFORMED;

/*
 * A known tunnel header: count it, or refuse a 4th.  Used only once the
 * header is known to be one autosel decapsulates.
 */
#define REF_ENTER() do {							\
	if (r.levels >= REF_MAX_ENCAP)						\
		return r;							\
	r.levels++;								\
} while (0)

	/*
	 * Each step consumes one header; per tunnel level at most
	 * 1+2+5+1+8+1+1+1, four levels: well under 128.
	 */
	for (steps = 0; steps < 128 && st != S_END; steps++) {
		switch (st) {
		case S_ETH: {
			struct ref_eth e;

			if (!REF_GET(f, flen, off, e))
				return r;
			type = ntohs(e.type);
			off += sizeof(e);
			tags = 0;
			labels = 0;
			st = S_TAG;
			break;
		}
		case S_TAG: {
			struct ref_vlan v;

			if (type == 0x8847 || type == 0x8848) {
				labels = 0;
				st = S_MPLS;
			} else if (type == 0x0800) {
				st = S_IP4;
			} else if (type == 0x86dd) {
				st = S_IP6;
			} else if (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
				if (++tags > 2 || !REF_GET(f, flen, off, v))
					return r;
				type = ntohs(v.type);
				off += sizeof(v);
			} else {
				r.verdict = REF_NON_IP;
				return r;
			}
			break;
		}
		case S_MPLS: {
			uint32_t lse;
			uint8_t nib;

			if (++labels > 5 || !REF_GET(f, flen, off, lse))
				return r;
			off += 4;
			if (!(ntohl(lse) & 0x100))
				break;			/* not bottom of stack */
			if (off >= flen)
				return r;
			nib = f[off] >> 4;
			if (nib == 4) {
				st = S_IP4;
			} else if (nib == 6) {
				st = S_IP6;
			} else {
				r.verdict = REF_NON_IP;
				return r;
			}
			break;
		}
		case S_IPNIB:	/* ERSPAN III frame type 2: IP, by its version */
			if (off >= flen)
				return r;
			if (f[off] >> 4 == 4)
				st = S_IP4;
			else if (f[off] >> 4 == 6)
				st = S_IP6;
			else
				return r;	/* FT said IP; this is not one */
			break;
		case S_IP4: {
			struct ref_ip4 h;
			size_t ihl;
			uint16_t fr;

			if (!REF_GET(f, flen, off, h) || (h.ver_ihl >> 4) != 4)
				return r;
			ihl = (size_t)(h.ver_ihl & 15) * 4;
			if (ihl < sizeof(h) || ntohs(h.tot_len) < ihl ||
			    off + ihl > flen)
				return r;
			/* This header is the innermost so far: it decides. */
			r.ipver = 4;
			r.proto = h.proto;
			memset(r.src, 0, sizeof(r.src));
			memset(r.dst, 0, sizeof(r.dst));
			memcpy(r.src, h.src, 4);
			memcpy(r.dst, h.dst, 4);
			r.sport = r.dport = 0;
			r.frag_id = ntohs(h.id);
			r.tcp_flags = 0;
			r.l3 = off;
			if (off + ntohs(h.tot_len) < lim)
				lim = off + ntohs(h.tot_len);
			off += ihl;
			fr = ntohs(h.frag);
			r.later_frag = (fr & 0x1fff) != 0;
			r.first_frag = !r.later_frag && (fr & 0x2000);
			st = r.later_frag ? S_END : S_L4;
			break;
		}
		case S_IP6: {
			struct ref_ip6 h;

			if (!REF_GET(f, flen, off, h) ||
			    (ntohl(h.ver_tc_flow) >> 28) != 6)
				return r;
			r.ipver = 6;
			memcpy(r.src, h.src, 16);
			memcpy(r.dst, h.dst, 16);
			r.sport = r.dport = 0;
			r.later_frag = r.first_frag = 0;
			r.frag_id = 0;
			r.tcp_flags = 0;
			r.l3 = off;
			/* payload length 0: a jumbogram, length unknown here */
			if (h.payload_len &&
			    off + sizeof(h) + ntohs(h.payload_len) < lim)
				lim = off + sizeof(h) + ntohs(h.payload_len);
			next = h.next;
			off += sizeof(h);
			exts = 0;
			st = S_EXT;
			break;
		}
		case S_EXT: {
			struct ref_ext x;
			struct ref_frag6 fr;
			size_t len;

			if (next != 0 && next != 43 && next != 44 && next != 51 &&
			    next != 60) {
				r.proto = next;
				st = S_L4;
				break;
			}
			if (++exts > 8)
				return r;
			if (next == 44) {
				if (!REF_GET(f, flen, off, fr))
					return r;
				off += sizeof(fr);
				next = fr.next;
				r.frag_id = ntohl(fr.id);
				if (ntohs(fr.off_flags) & 0xfff8) {
					r.later_frag = 1;
					r.proto = next;
					st = S_END;
				} else if (ntohs(fr.off_flags) & 1) {
					r.first_frag = 1;
				}
				break;
			}
			if (!REF_GET(f, flen, off, x))
				return r;
			len = next == 51 ? ((size_t)x.len + 2) * 4 : ((size_t)x.len + 1) * 8;
			if (off + len > flen)
				return r;
			next = x.next;
			off += len;
			break;
		}
		case S_L4: {
			struct ref_tcp t;
			struct ref_ports pt;
			size_t len = 0;

			if (r.proto == 6) {
				if (!REF_GET(f, flen, off, t) || (t.doff_res >> 4) < 5)
					return r;
				len = (size_t)(t.doff_res >> 4) * 4;
				r.tcp_flags = t.flags;
			} else if (r.proto == 17) {
				len = 8;
			} else if (r.proto == 132) {
				len = 12;
			} else if ((r.proto == 1 && r.ipver == 4) ||
				   (r.proto == 58 && r.ipver == 6)) {
				len = 8;
			}
			if (off + len > flen)
				return r;
			if (r.proto == 6 || r.proto == 17 || r.proto == 132) {
				memcpy(&pt, f + off, sizeof(pt));
				r.sport = ntohs(pt.sport);
				r.dport = ntohs(pt.dport);
			} else if (len) {
				struct ref_echo ec;

				memcpy(&ec, f + off, sizeof(ec));
				if (r.ipver == 4 ? ec.type == 8 || ec.type == 0 :
						   ec.type == 128 || ec.type == 129)
					r.sport = r.dport = ntohs(ec.ident);
			}
			off += len;
			/* inside its datagram, whatever a tunnel then holds */
			if (off > lim)
				return r;
			st = no_decap ? S_END : S_TUN;
			break;
		}
		case S_TUN:	/* what the transport carries: a tunnel? */
			st = S_END;
			if (r.proto == 47) {
				st = S_GRE;
			} else if (r.proto == 4 || r.proto == 41) {
				REF_ENTER();
				st = r.proto == 4 ? S_IP4 : S_IP6;
			} else if (r.proto == 17) {
				if (r.dport == 4789 || r.dport == 8472) {
					st = S_VXLAN;
				} else if (r.dport == 6081) {
					st = S_GENEVE;
				} else if (r.dport == 2152) {
					st = S_GTP;
				} else if (r.dport == 6635) {
					REF_ENTER();
					labels = 0;
					st = S_MPLS;
				}
			}
			break;
		case S_GRE: {
			struct ref_gre g;
			struct ref_erspan2 e2;
			struct ref_erspan3 e3;
			uint16_t fl, pt;
			size_t len = 4;

			if (!REF_GET(f, flen, off, g))
				return r;
			fl = ntohs(g.flags_ver);
			pt = ntohs(g.ptype);
			if (fl & ~(REF_GRE_C | REF_GRE_K | REF_GRE_S)) {
				st = S_END;	/* version != 0 or other flags */
				break;
			}
			if (pt != 0x0800 && pt != 0x86dd && pt != 0x8847 &&
			    pt != 0x8848 && pt != 0x6558 && pt != 0x88be &&
			    pt != 0x22eb) {
				st = S_END;
				break;
			}
			len += (fl & REF_GRE_C ? 4 : 0) + (fl & REF_GRE_K ? 4 : 0) +
			       (fl & REF_GRE_S ? 4 : 0);
			if (off + len > flen)
				return r;
			if (pt == 0x88be && (fl & REF_GRE_S)) {
				/* ERSPAN type II */
				if (!REF_GET(f, flen, off + len, e2))
					return r;
				if (ntohs(e2.ver_vlan) >> 12 != 1) {
					st = S_END;
					break;
				}
				len += sizeof(e2);
			} else if (pt == 0x22eb) {
				unsigned int ft;

				if (!REF_GET(f, flen, off + len, e3))
					return r;
				ft = (e3.p_ft_hwid >> 2) & 0x1f;
				if (ntohs(e3.ver_vlan) >> 12 != 2 ||
				    (ft != 0 && ft != 2)) {
					st = S_END;
					break;
				}
				len += sizeof(e3);
				if (e3.hwid_d_gra_o & 1)
					len += 8;	/* platform subheader */
				if (off + len > flen)
					return r;
				REF_ENTER();
				off += len;
				st = ft == 0 ? S_ETH : S_IPNIB;
				break;
			}
			REF_ENTER();
			off += len;
			if (pt == 0x0800)
				st = S_IP4;
			else if (pt == 0x86dd)
				st = S_IP6;
			else if (pt == 0x8847 || pt == 0x8848)
				st = S_MPLS, labels = 0;
			else
				st = S_ETH;	/* 0x6558, ERSPAN I and II */
			break;
		}
		case S_VXLAN: {
			struct ref_vxlan v;

			if (!REF_GET(f, flen, off, v))
				return r;
			if (!(v.flags & 0x08)) {
				st = S_END;
				break;
			}
			REF_ENTER();
			off += sizeof(v);
			st = S_ETH;
			break;
		}
		case S_GENEVE: {
			struct ref_geneve g;
			size_t len;
			uint16_t pt;

			if (!REF_GET(f, flen, off, g))
				return r;
			pt = ntohs(g.ptype);
			if (g.ver_optlen >> 6 ||
			    (pt != 0x6558 && pt != 0x0800 && pt != 0x86dd)) {
				st = S_END;
				break;
			}
			len = sizeof(g) + (size_t)(g.ver_optlen & 0x3f) * 4;
			if (off + len > flen)
				return r;
			REF_ENTER();
			off += len;
			st = pt == 0x6558 ? S_ETH : pt == 0x0800 ? S_IP4 : S_IP6;
			break;
		}
		case S_GTP: {
			struct ref_gtp g;
			size_t len = sizeof(g);
			unsigned int n = 0;
			uint8_t nt = 0;

			if (!REF_GET(f, flen, off, g))
				return r;
			if (g.flags >> 5 != 1 || !(g.flags & 0x10) ||
			    g.type != 0xff) {
				st = S_END;
				break;
			}
			if (g.flags & 0x07) {
				/* sequence, N-PDU number, next extension type */
				len += 4;
				if (off + len > flen)
					return r;
				if (g.flags & 0x04)
					nt = f[off + len - 1];
			}
			while (nt) {
				size_t elen;

				if (++n > 4 || off + len >= flen)
					return r;
				elen = (size_t)f[off + len] * 4;
				if (!elen || off + len + elen > flen)
					return r;
				nt = f[off + len + elen - 1];
				len += elen;
			}
			/* The T-PDU: IPv4 or IPv6, or not a tunnel we know. */
			if (off + len >= flen)
				return r;
			if (f[off + len] >> 4 != 4 && f[off + len] >> 4 != 6) {
				st = S_END;
				break;
			}
			REF_ENTER();
			st = f[off + len] >> 4 == 4 ? S_IP4 : S_IP6;
			off += len;
			break;
		}
		case S_END:
			break;
		}
	}
#undef REF_ENTER
	if (st != S_END)
		return r;
	if (off > lim)
		return r;	/* headers run past a datagram into padding */
	r.verdict = REF_OK;
	r.keep = off;
	return r;
}

/* The default: decapsulate. */
static inline struct ref_result ref_parse(const uint8_t *f, size_t flen)
{
	return ref_parse2(f, flen, 0);
}

#endif /* AUTOSEL_SELFTEST_REFPARSE_H */
