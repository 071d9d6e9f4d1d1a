/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel selftests: an independent reference header parser.
 *
 * Written from SPEC.md's definition of "mechanical information", not from
 * include/autosel/parse.h: a state machine over explicit on-wire structs
 * copied out of the frame at checked offsets.  It answers one question --
 * how many leading bytes of this frame are headers autosel may keep -- so
 * that tests can hold the XDP program's kept records (and the include/
 * parser) against it.
 *
 * Limits, as the spec and the shared parser set them: 2 VLAN tags
 * (0x8100, 0x88a8, 0x9100), 5 MPLS labels, 8 IPv6 extension headers.
 * The transport header must lie inside both the frame and the IP
 * datagram's declared length.  Tunnels are not decapsulated (yet).
 */
#ifndef AUTOSEL_SELFTEST_REFPARSE_H
#define AUTOSEL_SELFTEST_REFPARSE_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ref_verdict { REF_OK, REF_NON_IP, REF_MALFORMED };

struct ref_result {
	int verdict;		/* enum ref_verdict */
	size_t keep;		/* REF_OK: bytes that may be kept */
	int ipver;
	int later_frag;		/* non-first fragment */
	uint8_t proto;
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

/* Copy a struct out of the frame if it fits entirely. */
#define REF_GET(frame, flen, off, var) \
	((off) + sizeof(var) <= (flen) ? (memcpy(&(var), (frame) + (off), sizeof(var)), 1) : 0)

static inline struct ref_result ref_parse(const uint8_t *f, size_t flen)
{
	enum { S_ETH, S_TAG, S_MPLS, S_IP4, S_IP6, S_EXT, S_L4, S_END } st = S_ETH;
	struct ref_result r = { REF_MALFORMED, 0, 0, 0, 0 };
	size_t off = 0, ip_start = 0, ip_end = 0;
	unsigned int tags = 0, labels = 0, exts = 0, steps;
	uint16_t type = 0;
	uint8_t next = 0;

	/* Each step consumes one header; there are at most 2+5+1+8+1+1. */
	for (steps = 0; steps < 32 && st != S_END; steps++) {
		switch (st) {
		case S_ETH: {
			struct ref_eth e;

			if (!REF_GET(f, flen, off, e))
				return r;
			type = ntohs(e.type);
			off += sizeof(e);
			st = S_TAG;
			break;
		}
		case S_TAG: {
			struct ref_vlan v;

			if (type == 0x8847 || type == 0x8848) {
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
		case S_IP4: {
			struct ref_ip4 h;
			size_t ihl;

			if (!REF_GET(f, flen, off, h) || (h.ver_ihl >> 4) != 4)
				return r;
			ihl = (size_t)(h.ver_ihl & 15) * 4;
			if (ihl < sizeof(h) || ntohs(h.tot_len) < ihl ||
			    off + ihl > flen)
				return r;
			r.ipver = 4;
			r.proto = h.proto;
			ip_start = off;
			ip_end = off + ntohs(h.tot_len);
			off += ihl;
			if (ntohs(h.frag) & 0x1fff) {
				r.later_frag = 1;
				st = S_END;
			} else {
				st = S_L4;
			}
			break;
		}
		case S_IP6: {
			struct ref_ip6 h;

			if (!REF_GET(f, flen, off, h) ||
			    (ntohl(h.ver_tc_flow) >> 28) != 6)
				return r;
			r.ipver = 6;
			ip_start = off;
			/* payload length 0: a jumbogram, length unknown here */
			ip_end = h.payload_len ? off + sizeof(h) + ntohs(h.payload_len) : 0;
			next = h.next;
			off += sizeof(h);
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
				if (ntohs(fr.off_flags) & 0xfff8) {
					r.later_frag = 1;
					r.proto = next;
					st = S_END;
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
			size_t len = 0;

			if (r.proto == 6) {
				if (!REF_GET(f, flen, off, t) || (t.doff_res >> 4) < 5)
					return r;
				len = (size_t)(t.doff_res >> 4) * 4;
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
			off += len;
			st = S_END;
			break;
		}
		case S_END:
			break;
		}
	}
	if (st != S_END)
		return r;
	(void)ip_start;
	if (ip_end && off > ip_end)
		return r;	/* headers run past the datagram into padding */
	r.verdict = REF_OK;
	r.keep = off;
	return r;
}

#endif /* AUTOSEL_SELFTEST_REFPARSE_H */
