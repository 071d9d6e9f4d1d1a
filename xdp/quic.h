/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autosel: the SNI of QUIC client Initial packets (RFC 9000, 9001; v2: RFC
 * 9369), in the data path.  Included by xdp/names.h, which calls
 * as_quic_name() for a UDP datagram that is not DNS; everything here runs
 * in the XDP program, so `autoselctl replay` (BPF_PROG_TEST_RUN of the same
 * program) gives the live path's verdicts.  Documentation/domains.rst
 * ("QUIC") describes the behaviour and its bounds.
 *
 * The gate (nothing past it for any other packet): a UDP payload of at
 * least 1200 bytes (RFC 9000 14.1: a client's Initial datagram is padded to
 * that), a long header (top bit set), version 1 with packet type 0 or
 * version 2 with type 1 (Initial).  Any port.
 *
 * Past the gate: the Initial keys are derived from the Destination
 * Connection ID (HKDF-Extract with the version's salt, HKDF-Expand-Label
 * "client in", then "quic key"/"quic iv"/"quic hp" or the "quicv2 " ones:
 * HMAC-SHA256 throughout), header protection is removed (AES-128 of the
 * 16-byte sample), the payload is decrypted (AES-128 in counter mode, GCM's
 * keystream: counter 2 on; the tag is not checked, see domains.rst), the
 * frames are walked (PADDING, PING, ACK skipped; CRYPTO frames recorded in
 * any order), the CRYPTO data is put at its stream offsets into the names
 * scratch, and the ClientHello parser of names.h (as_name_hello) reads the
 * server_name from the part of the stream that is contiguous from offset 0.
 *
 * Bounds: the first AS_QUIC_WIN bytes of the datagram, one packet (the
 * first of the datagram) of each of the connection's first two Initials
 * (quic_held, below), AS_QUIC_STEPS frame-walk steps, AS_QUIC_FRAMES
 * CRYPTO frames per packet, stream bytes below AS_NAMES_WIN.
 *
 * Nothing outlives the decision: the packet bytes, plaintext, keys, hash
 * states and walk state in quic_scratch are zeroed before as_quic_name()
 * returns (as_quic_wipe); the stream and the name in names_scratch go with
 * as_names_wipe().  Only the count of Initials decrypted stays.  A first
 * Initial that leaves its stream in quic_held is undecided: the second
 * decides and the slot is zeroed then (or after AS_QUIC_HELD_TTL_NS).
 *
 * For the verifier: every step is a global function or a bpf_loop()
 * callback whose state lives in the per-CPU map, so each is verified once
 * on its own (6.1 and later alike); no stack buffers.
 */
#ifndef AUTOSEL_XDP_QUIC_H
#define AUTOSEL_XDP_QUIC_H

#define AS_QUIC_MIN_DGRAM	1200	/* RFC 9000 14.1 */
#define AS_QUIC_WIN		2048	/* datagram bytes read */
#define AS_QUIC_IDX(i)		((i) & (AS_QUIC_WIN - 1))
#define AS_QUIC_FRAMES		16	/* CRYPTO frames used per packet */
#define AS_QUIC_STEPS		256	/* frames walked (a PADDING run: one) */
#define AS_QUIC_PAD_RUN		64	/* PADDING bytes skipped per step */
#define AS_QUIC_ACK_RANGES	32	/* ACK ranges skipped, at most */
#define AS_QUIC_CID_MAX		20
#define AS_QUIC_V1		0x00000001
#define AS_QUIC_V2		0x6b3343cf
#define AS_QUIC_FR2		(2 * AS_QUIC_FRAMES)	/* this packet's + held */

/*
 * A ClientHello over the first two Initials of a connection: the first
 * Initial's CRYPTO data (at their stream offsets, below AS_NAMES_WIN) and
 * its frames' extents are held in a slot of "quic_held", keyed by the
 * datagram's direction (addresses, ports) and its DCID, until the next
 * Initial with that key, which is read together with them and decides:
 * name or none, the slot is zeroed and emptied.  Given up (zeroed)
 * AS_QUIC_HELD_TTL_NS after the first packet, in packet time.
 */
#define AS_QUIC_HELD_SLOTS	256
#define AS_QUIC_HELD_TTL_NS	AS_HELLO_TTL_NS
#define AS_QUIC_HELD_EMPTY	0
#define AS_QUIC_HELD_LIVE	1
#define AS_QUIC_HELD_BUSY	2

struct as_quic_key {
	struct as_hello_key f;		/* direction: addresses, ports, family */
	__u8 dcid[AS_QUIC_CID_MAX];
	__u8 dcid_len;
	__u8 pad[3];
};

_Static_assert(sizeof(struct as_quic_key) % 8 == 0, "as_words_eq's words");

struct as_quic_held {
	struct bpf_spin_lock lock;
	__u32 state;			/* AS_QUIC_HELD_* */
	struct as_quic_key key;
	__u64 started_ns;		/* the first Initial's time */
	__u32 nfr, top;			/* frames held; stream bytes [0, top) */
	__u32 cov, hlen;		/* their bytes; the ClientHello's length */
	__u32 f_off[AS_QUIC_FRAMES], f_len[AS_QUIC_FRAMES];
	__u8 buf[AS_NAMES_WIN];		/* the stream, zero where no frame */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AS_QUIC_HELD_SLOTS);
	/* decrypted ClientHello bytes: no syscall may read them back */
	__uint(map_flags, BPF_F_WRONLY);
	__type(key, __u32);
	__type(value, struct as_quic_held);
} quic_held SEC(".maps");

struct as_quic_scratch {
	union {				/* the datagram, decrypted in place */
		__u8 pt[AS_QUIC_WIN];
		__u64 pt_w[AS_QUIC_WIN / 8];
	};
	__u32 rk[44];			/* AES-128 round keys */
	__u32 h[8], v[8];		/* SHA-256 state, working variables */
	__u32 is[8], os[8];		/* HMAC inner/outer states of a key */
	__u32 w[16];			/* SHA-256 message schedule */
	__u8 blk[64];			/* SHA-256 block */
	__u8 kb[64];			/* HMAC key, zero-padded; AES key */
	__u8 m[64];			/* HMAC message */
	__u8 out[32];			/* HMAC result */
	__u8 secret[32];
	__u8 key[16], hp[16], iv[16], mask[16];
	__u32 nonce[3];			/* iv ^ packet number, big-endian words */
	__u32 n;			/* bytes in pt */
	__u32 version, dcid_len, pn_off, pn_len, pay, end, pn;
	__u32 pos, skipv, nfr, state, ck, cj, lim, top;
	/* decrypted up to dec; hlen: the ClientHello's length once frame 0
	 * is seen; cov: CRYPTO bytes recorded; nostop: walk to the end */
	__u32 dec, hlen, cov, nostop;
	/* the two-Initial state: this datagram's key, its slot, held frames */
	struct as_quic_key qk __attribute__((aligned(8)));
	__u32 held, nheld, hslot, hpad;
	__u64 now;
	/* frames: [0, nfr) this packet's, [AS_QUIC_FRAMES, + nheld) held */
	__u32 f_off[AS_QUIC_FR2], f_len[AS_QUIC_FR2], f_pos[AS_QUIC_FRAMES];
	/* not wiped: how many Initials this CPU decrypted (tests, bench) */
	__u64 decrypts;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct as_quic_scratch);
} quic_scratch SEC(".maps");

struct as_qwalk {
	struct as_names_scratch *ns;
	struct as_quic_scratch *q;
};

/* ---- tables (.rodata) ------------------------------------------------ */

/*
 * The Initial salts, v1 (RFC 9001 5.2) 38762cf7f55934b34d179ae6a4c80cadccbb7f0a
 * and v2 (RFC 9369 3.3.1) 0dede3def700a6db819381be6e269dcbf9bd2ed9, as
 * HMAC-SHA256 keys (HKDF-Extract): every packet starts from the same two
 * states of each: SHA-256's compression of the salt, zero-
 * padded to 64 bytes, XOR 0x36 (inner) and XOR 0x5c (outer) from the
 * initial hash value.  Computed once here instead of per Initial (two
 * SHA-256 blocks of the sixteen); test_quic's RFC 9001 and 9369 vectors
 * give no name if they are wrong.
 */
const __u32 as_quic_salt_is[2][8] = {
	{ 0x2d5eed97, 0x70d71abf, 0x4c9b8799, 0xc4eb86b0,
	  0xe9b16e41, 0xd04322f6, 0xf73a0cb2, 0x9e23a203 },
	{ 0x9f201982, 0x7e771bd0, 0x601a8795, 0x5d7ab60d,
	  0x2ff30d4b, 0x72201a09, 0x6eaa0d12, 0xca4e4d6b },
};
const __u32 as_quic_salt_os[2][8] = {
	{ 0x0d3d813d, 0xcffa6f1f, 0x7dbcb03e, 0x923042dc,
	  0xd15a45f6, 0x55ab0325, 0xf3c23aab, 0x37426939 },
	{ 0xbb153200, 0x003bcf3a, 0xf99876d1, 0xf698c9aa,
	  0x804d4d49, 0x7a379cfe, 0xc1eb346e, 0xadaf299f },
};

const __u32 as_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const __u32 as_sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

const __u8 as_aes_rcon[16] = {
	0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36,
};

/*
 * AES: the S-box of FIPS-197 and the four round tables made of it
 * (te0[x]: S[x] times the MixColumns column {2, 1, 1, 3}, big-endian;
 * te1..te3: te0 rotated right by 8, 16, 24).  Generated, not typed.
 */
const __u8 as_aes_sbox[256] = {
	0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b,
	0xfe, 0xd7, 0xab, 0x76, 0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0,
	0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0, 0xb7, 0xfd, 0x93, 0x26,
	0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
	0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2,
	0xeb, 0x27, 0xb2, 0x75, 0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0,
	0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84, 0x53, 0xd1, 0x00, 0xed,
	0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
	0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f,
	0x50, 0x3c, 0x9f, 0xa8, 0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5,
	0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2, 0xcd, 0x0c, 0x13, 0xec,
	0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
	0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14,
	0xde, 0x5e, 0x0b, 0xdb, 0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c,
	0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79, 0xe7, 0xc8, 0x37, 0x6d,
	0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
	0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f,
	0x4b, 0xbd, 0x8b, 0x8a, 0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e,
	0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e, 0xe1, 0xf8, 0x98, 0x11,
	0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
	0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f,
	0xb0, 0x54, 0xbb, 0x16,
};
const __u32 as_aes_te0[256] = {
	0xc66363a5, 0xf87c7c84, 0xee777799, 0xf67b7b8d, 0xfff2f20d, 0xd66b6bbd,
	0xde6f6fb1, 0x91c5c554, 0x60303050, 0x02010103, 0xce6767a9, 0x562b2b7d,
	0xe7fefe19, 0xb5d7d762, 0x4dababe6, 0xec76769a, 0x8fcaca45, 0x1f82829d,
	0x89c9c940, 0xfa7d7d87, 0xeffafa15, 0xb25959eb, 0x8e4747c9, 0xfbf0f00b,
	0x41adadec, 0xb3d4d467, 0x5fa2a2fd, 0x45afafea, 0x239c9cbf, 0x53a4a4f7,
	0xe4727296, 0x9bc0c05b, 0x75b7b7c2, 0xe1fdfd1c, 0x3d9393ae, 0x4c26266a,
	0x6c36365a, 0x7e3f3f41, 0xf5f7f702, 0x83cccc4f, 0x6834345c, 0x51a5a5f4,
	0xd1e5e534, 0xf9f1f108, 0xe2717193, 0xabd8d873, 0x62313153, 0x2a15153f,
	0x0804040c, 0x95c7c752, 0x46232365, 0x9dc3c35e, 0x30181828, 0x379696a1,
	0x0a05050f, 0x2f9a9ab5, 0x0e070709, 0x24121236, 0x1b80809b, 0xdfe2e23d,
	0xcdebeb26, 0x4e272769, 0x7fb2b2cd, 0xea75759f, 0x1209091b, 0x1d83839e,
	0x582c2c74, 0x341a1a2e, 0x361b1b2d, 0xdc6e6eb2, 0xb45a5aee, 0x5ba0a0fb,
	0xa45252f6, 0x763b3b4d, 0xb7d6d661, 0x7db3b3ce, 0x5229297b, 0xdde3e33e,
	0x5e2f2f71, 0x13848497, 0xa65353f5, 0xb9d1d168, 0x00000000, 0xc1eded2c,
	0x40202060, 0xe3fcfc1f, 0x79b1b1c8, 0xb65b5bed, 0xd46a6abe, 0x8dcbcb46,
	0x67bebed9, 0x7239394b, 0x944a4ade, 0x984c4cd4, 0xb05858e8, 0x85cfcf4a,
	0xbbd0d06b, 0xc5efef2a, 0x4faaaae5, 0xedfbfb16, 0x864343c5, 0x9a4d4dd7,
	0x66333355, 0x11858594, 0x8a4545cf, 0xe9f9f910, 0x04020206, 0xfe7f7f81,
	0xa05050f0, 0x783c3c44, 0x259f9fba, 0x4ba8a8e3, 0xa25151f3, 0x5da3a3fe,
	0x804040c0, 0x058f8f8a, 0x3f9292ad, 0x219d9dbc, 0x70383848, 0xf1f5f504,
	0x63bcbcdf, 0x77b6b6c1, 0xafdada75, 0x42212163, 0x20101030, 0xe5ffff1a,
	0xfdf3f30e, 0xbfd2d26d, 0x81cdcd4c, 0x180c0c14, 0x26131335, 0xc3ecec2f,
	0xbe5f5fe1, 0x359797a2, 0x884444cc, 0x2e171739, 0x93c4c457, 0x55a7a7f2,
	0xfc7e7e82, 0x7a3d3d47, 0xc86464ac, 0xba5d5de7, 0x3219192b, 0xe6737395,
	0xc06060a0, 0x19818198, 0x9e4f4fd1, 0xa3dcdc7f, 0x44222266, 0x542a2a7e,
	0x3b9090ab, 0x0b888883, 0x8c4646ca, 0xc7eeee29, 0x6bb8b8d3, 0x2814143c,
	0xa7dede79, 0xbc5e5ee2, 0x160b0b1d, 0xaddbdb76, 0xdbe0e03b, 0x64323256,
	0x743a3a4e, 0x140a0a1e, 0x924949db, 0x0c06060a, 0x4824246c, 0xb85c5ce4,
	0x9fc2c25d, 0xbdd3d36e, 0x43acacef, 0xc46262a6, 0x399191a8, 0x319595a4,
	0xd3e4e437, 0xf279798b, 0xd5e7e732, 0x8bc8c843, 0x6e373759, 0xda6d6db7,
	0x018d8d8c, 0xb1d5d564, 0x9c4e4ed2, 0x49a9a9e0, 0xd86c6cb4, 0xac5656fa,
	0xf3f4f407, 0xcfeaea25, 0xca6565af, 0xf47a7a8e, 0x47aeaee9, 0x10080818,
	0x6fbabad5, 0xf0787888, 0x4a25256f, 0x5c2e2e72, 0x381c1c24, 0x57a6a6f1,
	0x73b4b4c7, 0x97c6c651, 0xcbe8e823, 0xa1dddd7c, 0xe874749c, 0x3e1f1f21,
	0x964b4bdd, 0x61bdbddc, 0x0d8b8b86, 0x0f8a8a85, 0xe0707090, 0x7c3e3e42,
	0x71b5b5c4, 0xcc6666aa, 0x904848d8, 0x06030305, 0xf7f6f601, 0x1c0e0e12,
	0xc26161a3, 0x6a35355f, 0xae5757f9, 0x69b9b9d0, 0x17868691, 0x99c1c158,
	0x3a1d1d27, 0x279e9eb9, 0xd9e1e138, 0xebf8f813, 0x2b9898b3, 0x22111133,
	0xd26969bb, 0xa9d9d970, 0x078e8e89, 0x339494a7, 0x2d9b9bb6, 0x3c1e1e22,
	0x15878792, 0xc9e9e920, 0x87cece49, 0xaa5555ff, 0x50282878, 0xa5dfdf7a,
	0x038c8c8f, 0x59a1a1f8, 0x09898980, 0x1a0d0d17, 0x65bfbfda, 0xd7e6e631,
	0x844242c6, 0xd06868b8, 0x824141c3, 0x299999b0, 0x5a2d2d77, 0x1e0f0f11,
	0x7bb0b0cb, 0xa85454fc, 0x6dbbbbd6, 0x2c16163a,
};
const __u32 as_aes_te1[256] = {
	0xa5c66363, 0x84f87c7c, 0x99ee7777, 0x8df67b7b, 0x0dfff2f2, 0xbdd66b6b,
	0xb1de6f6f, 0x5491c5c5, 0x50603030, 0x03020101, 0xa9ce6767, 0x7d562b2b,
	0x19e7fefe, 0x62b5d7d7, 0xe64dabab, 0x9aec7676, 0x458fcaca, 0x9d1f8282,
	0x4089c9c9, 0x87fa7d7d, 0x15effafa, 0xebb25959, 0xc98e4747, 0x0bfbf0f0,
	0xec41adad, 0x67b3d4d4, 0xfd5fa2a2, 0xea45afaf, 0xbf239c9c, 0xf753a4a4,
	0x96e47272, 0x5b9bc0c0, 0xc275b7b7, 0x1ce1fdfd, 0xae3d9393, 0x6a4c2626,
	0x5a6c3636, 0x417e3f3f, 0x02f5f7f7, 0x4f83cccc, 0x5c683434, 0xf451a5a5,
	0x34d1e5e5, 0x08f9f1f1, 0x93e27171, 0x73abd8d8, 0x53623131, 0x3f2a1515,
	0x0c080404, 0x5295c7c7, 0x65462323, 0x5e9dc3c3, 0x28301818, 0xa1379696,
	0x0f0a0505, 0xb52f9a9a, 0x090e0707, 0x36241212, 0x9b1b8080, 0x3ddfe2e2,
	0x26cdebeb, 0x694e2727, 0xcd7fb2b2, 0x9fea7575, 0x1b120909, 0x9e1d8383,
	0x74582c2c, 0x2e341a1a, 0x2d361b1b, 0xb2dc6e6e, 0xeeb45a5a, 0xfb5ba0a0,
	0xf6a45252, 0x4d763b3b, 0x61b7d6d6, 0xce7db3b3, 0x7b522929, 0x3edde3e3,
	0x715e2f2f, 0x97138484, 0xf5a65353, 0x68b9d1d1, 0x00000000, 0x2cc1eded,
	0x60402020, 0x1fe3fcfc, 0xc879b1b1, 0xedb65b5b, 0xbed46a6a, 0x468dcbcb,
	0xd967bebe, 0x4b723939, 0xde944a4a, 0xd4984c4c, 0xe8b05858, 0x4a85cfcf,
	0x6bbbd0d0, 0x2ac5efef, 0xe54faaaa, 0x16edfbfb, 0xc5864343, 0xd79a4d4d,
	0x55663333, 0x94118585, 0xcf8a4545, 0x10e9f9f9, 0x06040202, 0x81fe7f7f,
	0xf0a05050, 0x44783c3c, 0xba259f9f, 0xe34ba8a8, 0xf3a25151, 0xfe5da3a3,
	0xc0804040, 0x8a058f8f, 0xad3f9292, 0xbc219d9d, 0x48703838, 0x04f1f5f5,
	0xdf63bcbc, 0xc177b6b6, 0x75afdada, 0x63422121, 0x30201010, 0x1ae5ffff,
	0x0efdf3f3, 0x6dbfd2d2, 0x4c81cdcd, 0x14180c0c, 0x35261313, 0x2fc3ecec,
	0xe1be5f5f, 0xa2359797, 0xcc884444, 0x392e1717, 0x5793c4c4, 0xf255a7a7,
	0x82fc7e7e, 0x477a3d3d, 0xacc86464, 0xe7ba5d5d, 0x2b321919, 0x95e67373,
	0xa0c06060, 0x98198181, 0xd19e4f4f, 0x7fa3dcdc, 0x66442222, 0x7e542a2a,
	0xab3b9090, 0x830b8888, 0xca8c4646, 0x29c7eeee, 0xd36bb8b8, 0x3c281414,
	0x79a7dede, 0xe2bc5e5e, 0x1d160b0b, 0x76addbdb, 0x3bdbe0e0, 0x56643232,
	0x4e743a3a, 0x1e140a0a, 0xdb924949, 0x0a0c0606, 0x6c482424, 0xe4b85c5c,
	0x5d9fc2c2, 0x6ebdd3d3, 0xef43acac, 0xa6c46262, 0xa8399191, 0xa4319595,
	0x37d3e4e4, 0x8bf27979, 0x32d5e7e7, 0x438bc8c8, 0x596e3737, 0xb7da6d6d,
	0x8c018d8d, 0x64b1d5d5, 0xd29c4e4e, 0xe049a9a9, 0xb4d86c6c, 0xfaac5656,
	0x07f3f4f4, 0x25cfeaea, 0xafca6565, 0x8ef47a7a, 0xe947aeae, 0x18100808,
	0xd56fbaba, 0x88f07878, 0x6f4a2525, 0x725c2e2e, 0x24381c1c, 0xf157a6a6,
	0xc773b4b4, 0x5197c6c6, 0x23cbe8e8, 0x7ca1dddd, 0x9ce87474, 0x213e1f1f,
	0xdd964b4b, 0xdc61bdbd, 0x860d8b8b, 0x850f8a8a, 0x90e07070, 0x427c3e3e,
	0xc471b5b5, 0xaacc6666, 0xd8904848, 0x05060303, 0x01f7f6f6, 0x121c0e0e,
	0xa3c26161, 0x5f6a3535, 0xf9ae5757, 0xd069b9b9, 0x91178686, 0x5899c1c1,
	0x273a1d1d, 0xb9279e9e, 0x38d9e1e1, 0x13ebf8f8, 0xb32b9898, 0x33221111,
	0xbbd26969, 0x70a9d9d9, 0x89078e8e, 0xa7339494, 0xb62d9b9b, 0x223c1e1e,
	0x92158787, 0x20c9e9e9, 0x4987cece, 0xffaa5555, 0x78502828, 0x7aa5dfdf,
	0x8f038c8c, 0xf859a1a1, 0x80098989, 0x171a0d0d, 0xda65bfbf, 0x31d7e6e6,
	0xc6844242, 0xb8d06868, 0xc3824141, 0xb0299999, 0x775a2d2d, 0x111e0f0f,
	0xcb7bb0b0, 0xfca85454, 0xd66dbbbb, 0x3a2c1616,
};
const __u32 as_aes_te2[256] = {
	0x63a5c663, 0x7c84f87c, 0x7799ee77, 0x7b8df67b, 0xf20dfff2, 0x6bbdd66b,
	0x6fb1de6f, 0xc55491c5, 0x30506030, 0x01030201, 0x67a9ce67, 0x2b7d562b,
	0xfe19e7fe, 0xd762b5d7, 0xabe64dab, 0x769aec76, 0xca458fca, 0x829d1f82,
	0xc94089c9, 0x7d87fa7d, 0xfa15effa, 0x59ebb259, 0x47c98e47, 0xf00bfbf0,
	0xadec41ad, 0xd467b3d4, 0xa2fd5fa2, 0xafea45af, 0x9cbf239c, 0xa4f753a4,
	0x7296e472, 0xc05b9bc0, 0xb7c275b7, 0xfd1ce1fd, 0x93ae3d93, 0x266a4c26,
	0x365a6c36, 0x3f417e3f, 0xf702f5f7, 0xcc4f83cc, 0x345c6834, 0xa5f451a5,
	0xe534d1e5, 0xf108f9f1, 0x7193e271, 0xd873abd8, 0x31536231, 0x153f2a15,
	0x040c0804, 0xc75295c7, 0x23654623, 0xc35e9dc3, 0x18283018, 0x96a13796,
	0x050f0a05, 0x9ab52f9a, 0x07090e07, 0x12362412, 0x809b1b80, 0xe23ddfe2,
	0xeb26cdeb, 0x27694e27, 0xb2cd7fb2, 0x759fea75, 0x091b1209, 0x839e1d83,
	0x2c74582c, 0x1a2e341a, 0x1b2d361b, 0x6eb2dc6e, 0x5aeeb45a, 0xa0fb5ba0,
	0x52f6a452, 0x3b4d763b, 0xd661b7d6, 0xb3ce7db3, 0x297b5229, 0xe33edde3,
	0x2f715e2f, 0x84971384, 0x53f5a653, 0xd168b9d1, 0x00000000, 0xed2cc1ed,
	0x20604020, 0xfc1fe3fc, 0xb1c879b1, 0x5bedb65b, 0x6abed46a, 0xcb468dcb,
	0xbed967be, 0x394b7239, 0x4ade944a, 0x4cd4984c, 0x58e8b058, 0xcf4a85cf,
	0xd06bbbd0, 0xef2ac5ef, 0xaae54faa, 0xfb16edfb, 0x43c58643, 0x4dd79a4d,
	0x33556633, 0x85941185, 0x45cf8a45, 0xf910e9f9, 0x02060402, 0x7f81fe7f,
	0x50f0a050, 0x3c44783c, 0x9fba259f, 0xa8e34ba8, 0x51f3a251, 0xa3fe5da3,
	0x40c08040, 0x8f8a058f, 0x92ad3f92, 0x9dbc219d, 0x38487038, 0xf504f1f5,
	0xbcdf63bc, 0xb6c177b6, 0xda75afda, 0x21634221, 0x10302010, 0xff1ae5ff,
	0xf30efdf3, 0xd26dbfd2, 0xcd4c81cd, 0x0c14180c, 0x13352613, 0xec2fc3ec,
	0x5fe1be5f, 0x97a23597, 0x44cc8844, 0x17392e17, 0xc45793c4, 0xa7f255a7,
	0x7e82fc7e, 0x3d477a3d, 0x64acc864, 0x5de7ba5d, 0x192b3219, 0x7395e673,
	0x60a0c060, 0x81981981, 0x4fd19e4f, 0xdc7fa3dc, 0x22664422, 0x2a7e542a,
	0x90ab3b90, 0x88830b88, 0x46ca8c46, 0xee29c7ee, 0xb8d36bb8, 0x143c2814,
	0xde79a7de, 0x5ee2bc5e, 0x0b1d160b, 0xdb76addb, 0xe03bdbe0, 0x32566432,
	0x3a4e743a, 0x0a1e140a, 0x49db9249, 0x060a0c06, 0x246c4824, 0x5ce4b85c,
	0xc25d9fc2, 0xd36ebdd3, 0xacef43ac, 0x62a6c462, 0x91a83991, 0x95a43195,
	0xe437d3e4, 0x798bf279, 0xe732d5e7, 0xc8438bc8, 0x37596e37, 0x6db7da6d,
	0x8d8c018d, 0xd564b1d5, 0x4ed29c4e, 0xa9e049a9, 0x6cb4d86c, 0x56faac56,
	0xf407f3f4, 0xea25cfea, 0x65afca65, 0x7a8ef47a, 0xaee947ae, 0x08181008,
	0xbad56fba, 0x7888f078, 0x256f4a25, 0x2e725c2e, 0x1c24381c, 0xa6f157a6,
	0xb4c773b4, 0xc65197c6, 0xe823cbe8, 0xdd7ca1dd, 0x749ce874, 0x1f213e1f,
	0x4bdd964b, 0xbddc61bd, 0x8b860d8b, 0x8a850f8a, 0x7090e070, 0x3e427c3e,
	0xb5c471b5, 0x66aacc66, 0x48d89048, 0x03050603, 0xf601f7f6, 0x0e121c0e,
	0x61a3c261, 0x355f6a35, 0x57f9ae57, 0xb9d069b9, 0x86911786, 0xc15899c1,
	0x1d273a1d, 0x9eb9279e, 0xe138d9e1, 0xf813ebf8, 0x98b32b98, 0x11332211,
	0x69bbd269, 0xd970a9d9, 0x8e89078e, 0x94a73394, 0x9bb62d9b, 0x1e223c1e,
	0x87921587, 0xe920c9e9, 0xce4987ce, 0x55ffaa55, 0x28785028, 0xdf7aa5df,
	0x8c8f038c, 0xa1f859a1, 0x89800989, 0x0d171a0d, 0xbfda65bf, 0xe631d7e6,
	0x42c68442, 0x68b8d068, 0x41c38241, 0x99b02999, 0x2d775a2d, 0x0f111e0f,
	0xb0cb7bb0, 0x54fca854, 0xbbd66dbb, 0x163a2c16,
};
const __u32 as_aes_te3[256] = {
	0x6363a5c6, 0x7c7c84f8, 0x777799ee, 0x7b7b8df6, 0xf2f20dff, 0x6b6bbdd6,
	0x6f6fb1de, 0xc5c55491, 0x30305060, 0x01010302, 0x6767a9ce, 0x2b2b7d56,
	0xfefe19e7, 0xd7d762b5, 0xababe64d, 0x76769aec, 0xcaca458f, 0x82829d1f,
	0xc9c94089, 0x7d7d87fa, 0xfafa15ef, 0x5959ebb2, 0x4747c98e, 0xf0f00bfb,
	0xadadec41, 0xd4d467b3, 0xa2a2fd5f, 0xafafea45, 0x9c9cbf23, 0xa4a4f753,
	0x727296e4, 0xc0c05b9b, 0xb7b7c275, 0xfdfd1ce1, 0x9393ae3d, 0x26266a4c,
	0x36365a6c, 0x3f3f417e, 0xf7f702f5, 0xcccc4f83, 0x34345c68, 0xa5a5f451,
	0xe5e534d1, 0xf1f108f9, 0x717193e2, 0xd8d873ab, 0x31315362, 0x15153f2a,
	0x04040c08, 0xc7c75295, 0x23236546, 0xc3c35e9d, 0x18182830, 0x9696a137,
	0x05050f0a, 0x9a9ab52f, 0x0707090e, 0x12123624, 0x80809b1b, 0xe2e23ddf,
	0xebeb26cd, 0x2727694e, 0xb2b2cd7f, 0x75759fea, 0x09091b12, 0x83839e1d,
	0x2c2c7458, 0x1a1a2e34, 0x1b1b2d36, 0x6e6eb2dc, 0x5a5aeeb4, 0xa0a0fb5b,
	0x5252f6a4, 0x3b3b4d76, 0xd6d661b7, 0xb3b3ce7d, 0x29297b52, 0xe3e33edd,
	0x2f2f715e, 0x84849713, 0x5353f5a6, 0xd1d168b9, 0x00000000, 0xeded2cc1,
	0x20206040, 0xfcfc1fe3, 0xb1b1c879, 0x5b5bedb6, 0x6a6abed4, 0xcbcb468d,
	0xbebed967, 0x39394b72, 0x4a4ade94, 0x4c4cd498, 0x5858e8b0, 0xcfcf4a85,
	0xd0d06bbb, 0xefef2ac5, 0xaaaae54f, 0xfbfb16ed, 0x4343c586, 0x4d4dd79a,
	0x33335566, 0x85859411, 0x4545cf8a, 0xf9f910e9, 0x02020604, 0x7f7f81fe,
	0x5050f0a0, 0x3c3c4478, 0x9f9fba25, 0xa8a8e34b, 0x5151f3a2, 0xa3a3fe5d,
	0x4040c080, 0x8f8f8a05, 0x9292ad3f, 0x9d9dbc21, 0x38384870, 0xf5f504f1,
	0xbcbcdf63, 0xb6b6c177, 0xdada75af, 0x21216342, 0x10103020, 0xffff1ae5,
	0xf3f30efd, 0xd2d26dbf, 0xcdcd4c81, 0x0c0c1418, 0x13133526, 0xecec2fc3,
	0x5f5fe1be, 0x9797a235, 0x4444cc88, 0x1717392e, 0xc4c45793, 0xa7a7f255,
	0x7e7e82fc, 0x3d3d477a, 0x6464acc8, 0x5d5de7ba, 0x19192b32, 0x737395e6,
	0x6060a0c0, 0x81819819, 0x4f4fd19e, 0xdcdc7fa3, 0x22226644, 0x2a2a7e54,
	0x9090ab3b, 0x8888830b, 0x4646ca8c, 0xeeee29c7, 0xb8b8d36b, 0x14143c28,
	0xdede79a7, 0x5e5ee2bc, 0x0b0b1d16, 0xdbdb76ad, 0xe0e03bdb, 0x32325664,
	0x3a3a4e74, 0x0a0a1e14, 0x4949db92, 0x06060a0c, 0x24246c48, 0x5c5ce4b8,
	0xc2c25d9f, 0xd3d36ebd, 0xacacef43, 0x6262a6c4, 0x9191a839, 0x9595a431,
	0xe4e437d3, 0x79798bf2, 0xe7e732d5, 0xc8c8438b, 0x3737596e, 0x6d6db7da,
	0x8d8d8c01, 0xd5d564b1, 0x4e4ed29c, 0xa9a9e049, 0x6c6cb4d8, 0x5656faac,
	0xf4f407f3, 0xeaea25cf, 0x6565afca, 0x7a7a8ef4, 0xaeaee947, 0x08081810,
	0xbabad56f, 0x787888f0, 0x25256f4a, 0x2e2e725c, 0x1c1c2438, 0xa6a6f157,
	0xb4b4c773, 0xc6c65197, 0xe8e823cb, 0xdddd7ca1, 0x74749ce8, 0x1f1f213e,
	0x4b4bdd96, 0xbdbddc61, 0x8b8b860d, 0x8a8a850f, 0x707090e0, 0x3e3e427c,
	0xb5b5c471, 0x6666aacc, 0x4848d890, 0x03030506, 0xf6f601f7, 0x0e0e121c,
	0x6161a3c2, 0x35355f6a, 0x5757f9ae, 0xb9b9d069, 0x86869117, 0xc1c15899,
	0x1d1d273a, 0x9e9eb927, 0xe1e138d9, 0xf8f813eb, 0x9898b32b, 0x11113322,
	0x6969bbd2, 0xd9d970a9, 0x8e8e8907, 0x9494a733, 0x9b9bb62d, 0x1e1e223c,
	0x87879215, 0xe9e920c9, 0xcece4987, 0x5555ffaa, 0x28287850, 0xdfdf7aa5,
	0x8c8c8f03, 0xa1a1f859, 0x89898009, 0x0d0d171a, 0xbfbfda65, 0xe6e631d7,
	0x4242c684, 0x6868b8d0, 0x4141c382, 0x9999b029, 0x2d2d775a, 0x0f0f111e,
	0xb0b0cb7b, 0x5454fca8, 0xbbbbd66d, 0x16163a2c,
};

static __always_inline struct as_quic_scratch *as_quic_q(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&quic_scratch, &zero);
}

static __always_inline __u32 as_qb(const struct as_quic_scratch *q, __u32 i)
{
	return q->pt[AS_QUIC_IDX(i)];
}

static __always_inline __u32 as_ror32(__u32 x, __u32 n)
{
	return (x >> n) | (x << (32 - n));
}

static __always_inline void as_put_be32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/* ---- SHA-256 (FIPS 180-4), one block of q->blk into q->h --------------- */

__attribute__((noinline))
int as_sha256_block(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 t1, t2, s0, s1, x, i, r, e, a;

	if (!ctx || !q)
		return 0;
#pragma unroll
	for (i = 0; i < 16; i++)
		q->w[i] = as_be32(&q->blk[4 * i]);
#pragma unroll
	for (i = 0; i < 8; i++)
		q->v[i] = q->h[i];
	/*
	 * a..h in q->v, renamed instead of moved: at round i, a is
	 * v[(0 - i) & 7], b v[(1 - i) & 7] and so on (in registers they
	 * would spill, and the stack is shared with the callers).
	 */
#pragma clang loop unroll(disable)
	for (r = 0; r < 64; r++) {
		i = r;
		asm volatile("" : "+r"(i));	/* no per-name pointers to spill */
		if (i >= 16) {
			x = q->w[(i - 15) & 15];
			s0 = as_ror32(x, 7) ^ as_ror32(x, 18) ^ (x >> 3);
			x = q->w[(i - 2) & 15];
			s1 = as_ror32(x, 17) ^ as_ror32(x, 19) ^ (x >> 10);
			q->w[i & 15] += s0 + q->w[(i - 7) & 15] + s1;
		}
		e = q->v[(4 - i) & 7];
		t1 = q->v[(7 - i) & 7] +
		     (as_ror32(e, 6) ^ as_ror32(e, 11) ^ as_ror32(e, 25)) +
		     ((e & q->v[(5 - i) & 7]) ^ (~e & q->v[(6 - i) & 7])) +
		     as_sha256_k[i & 63] + q->w[i & 15];
		a = q->v[(0 - i) & 7];
		x = q->v[(1 - i) & 7];
		s0 = q->v[(2 - i) & 7];
		t2 = (as_ror32(a, 2) ^ as_ror32(a, 13) ^ as_ror32(a, 22)) +
		     ((a & x) ^ (a & s0) ^ (x & s0));
		q->v[(3 - i) & 7] += t1;	/* d + t1: the next e */
		q->v[(7 - i) & 7] = t1 + t2;	/* the next a */
	}
	/* 64 rounds: the names are back where they started */
#pragma unroll
	for (i = 0; i < 8; i++)
		q->h[i] += q->v[i];
	return 1;
}

/* ---- HMAC-SHA256 of one-block messages ---------------------------------- */

/* Inner and outer states of the key in q->kb (zero-padded to 64 bytes). */
__attribute__((noinline))
int as_hmac_key(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 i;

	if (!ctx || !q)
		return 0;

#pragma unroll
	for (i = 0; i < 8; i++)
		q->h[i] = as_sha256_iv[i];
#pragma unroll
	for (i = 0; i < 64; i++)
		q->blk[i] = q->kb[i] ^ 0x36;
	as_sha256_block(ctx);
#pragma unroll
	for (i = 0; i < 8; i++) {
		q->is[i] = q->h[i];
		q->h[i] = as_sha256_iv[i];
	}
#pragma unroll
	for (i = 0; i < 64; i++)
		q->blk[i] = q->kb[i] ^ 0x5c;
	as_sha256_block(ctx);
#pragma unroll
	for (i = 0; i < 8; i++)
		q->os[i] = q->h[i];
	return 1;
}

/* HMAC(key of as_hmac_key, q->m[0, len)) into q->out; len <= 55. */
__attribute__((noinline))
int as_hmac_msg(struct xdp_md *ctx, __u32 len)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 i;

	if (!ctx || !q || len > 55)
		return 0;
#pragma unroll
	for (i = 0; i < 56; i++)
		q->blk[i] = i < len ? q->m[i] : i == len ? 0x80 : 0;
	q->blk[56] = 0;
	q->blk[57] = 0;
	q->blk[58] = 0;
	q->blk[59] = 0;
	as_put_be32(&q->blk[60], (64 + len) * 8);
#pragma unroll
	for (i = 0; i < 8; i++)
		q->h[i] = q->is[i];
	as_sha256_block(ctx);
#pragma unroll
	for (i = 0; i < 8; i++) {
		as_put_be32(&q->blk[4 * i], q->h[i]);
		q->h[i] = q->os[i];
	}
	q->blk[32] = 0x80;
#pragma unroll
	for (i = 33; i < 62; i++)
		q->blk[i] = 0;
	q->blk[62] = (96 * 8) >> 8;
	q->blk[63] = (96 * 8) & 0xff;
	as_sha256_block(ctx);
#pragma unroll
	for (i = 0; i < 8; i++)
		as_put_be32(&q->out[4 * i], q->h[i]);
	return 1;
}

/*
 * HKDF-Expand-Label(key, label, "", len) for len <= 32: one HMAC of the
 * HkdfLabel (RFC 8446 7.1) and the counter byte 1.  label: "tls13 " and
 * the label proper, a string constant.
 */
#define AS_HKDF_LABEL(ctx, q, lbl, len) do {				\
	__u32 _i, _n = sizeof(lbl) - 1;					\
									\
	(q)->m[0] = 0;							\
	(q)->m[1] = (len);						\
	(q)->m[2] = (__u8)_n;						\
	_Pragma("unroll")						\
	for (_i = 0; _i < sizeof(lbl) - 1; _i++)			\
		(q)->m[3 + _i] = (lbl)[_i];				\
	(q)->m[3 + _n] = 0;						\
	(q)->m[4 + _n] = 1;						\
	as_hmac_msg((ctx), 5 + _n);				\
} while (0)

/*
 * The client's Initial key, IV and header protection key for the DCID at
 * pt[6, 6 + dcid_len) of version q->version (RFC 9001 5.2, RFC 9369 3.3).
 */
__attribute__((noinline))
int as_quic_keys(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 i, dl, v;

	if (!ctx || !q)
		return 0;
	dl = q->dcid_len;
	if (dl > AS_QUIC_CID_MAX)
		return 0;
	/* initial_secret = HKDF-Extract(salt, DCID): the salt's states */
	v = q->version == AS_QUIC_V2;
#pragma unroll
	for (i = 0; i < 8; i++) {
		q->is[i] = as_quic_salt_is[v][i];
		q->os[i] = as_quic_salt_os[v][i];
	}
	__builtin_memset(q->kb, 0, sizeof(q->kb));
#pragma unroll
	for (i = 0; i < AS_QUIC_CID_MAX; i++)
		q->m[i] = i < dl ? q->pt[6 + i] : 0;
	as_hmac_msg(ctx, dl);
	/* client_initial_secret */
	__builtin_memcpy(q->kb, q->out, 32);
	as_hmac_key(ctx);
	AS_HKDF_LABEL(ctx, q, "tls13 client in", 32);
	__builtin_memcpy(q->kb, q->out, 32);
	as_hmac_key(ctx);
	if (q->version == AS_QUIC_V2) {
		AS_HKDF_LABEL(ctx, q, "tls13 quicv2 key", 16);
		__builtin_memcpy(q->key, q->out, 16);
		AS_HKDF_LABEL(ctx, q, "tls13 quicv2 iv", 12);
		__builtin_memcpy(q->iv, q->out, 12);
		AS_HKDF_LABEL(ctx, q, "tls13 quicv2 hp", 16);
	} else {
		AS_HKDF_LABEL(ctx, q, "tls13 quic key", 16);
		__builtin_memcpy(q->key, q->out, 16);
		AS_HKDF_LABEL(ctx, q, "tls13 quic iv", 12);
		__builtin_memcpy(q->iv, q->out, 12);
		AS_HKDF_LABEL(ctx, q, "tls13 quic hp", 16);
	}
	__builtin_memcpy(q->hp, q->out, 16);
	return 1;
}

/* ---- AES-128 (FIPS-197) ----------------------------------------------- */

/* The round keys of the key in q->kb[0, 16). */
__attribute__((noinline))
int as_aes_expand(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 i, t;

	if (!ctx || !q)
		return 0;
#pragma unroll
	for (i = 0; i < 4; i++)
		q->rk[i] = as_be32(&q->kb[4 * i]);
#pragma clang loop unroll(disable)
	for (i = 4; i < 44; i++) {
		t = q->rk[(i - 1) & 63];
		if (!(i & 3)) {
			t = ((__u32)as_aes_sbox[(t >> 16) & 0xff] << 24) |
			    ((__u32)as_aes_sbox[(t >> 8) & 0xff] << 16) |
			    ((__u32)as_aes_sbox[t & 0xff] << 8) |
			    (__u32)as_aes_sbox[t >> 24];
			t ^= (__u32)as_aes_rcon[((i >> 2) - 1) & 15] << 24;
		}
		q->rk[i & 63] = q->rk[(i - 4) & 63] ^ t;
	}
	return 1;
}

#define AS_AES_TE(a, b, c, d, k)					\
	(as_aes_te0[(a) >> 24] ^ as_aes_te1[((b) >> 16) & 0xff] ^	\
	 as_aes_te2[((c) >> 8) & 0xff] ^ as_aes_te3[(d) & 0xff] ^ (k))
#define AS_AES_SB(a, b, c, d, k)					\
	((((__u32)as_aes_sbox[(a) >> 24] << 24) |			\
	  ((__u32)as_aes_sbox[((b) >> 16) & 0xff] << 16) |		\
	  ((__u32)as_aes_sbox[((c) >> 8) & 0xff] << 8) |		\
	  (__u32)as_aes_sbox[(d) & 0xff]) ^ (k))

/* Encrypt the block of big-endian words s[4] with q->rk, in place. */
static __always_inline void as_aes_encrypt(const struct as_quic_scratch *q,
					   __u32 s[4])
{
	__u32 s0 = s[0] ^ q->rk[0], s1 = s[1] ^ q->rk[1];
	__u32 s2 = s[2] ^ q->rk[2], s3 = s[3] ^ q->rk[3];
	__u32 t0, t1, t2, t3, r;

#pragma unroll
	for (r = 1; r < 10; r++) {
		t0 = AS_AES_TE(s0, s1, s2, s3, q->rk[4 * r]);
		t1 = AS_AES_TE(s1, s2, s3, s0, q->rk[4 * r + 1]);
		t2 = AS_AES_TE(s2, s3, s0, s1, q->rk[4 * r + 2]);
		t3 = AS_AES_TE(s3, s0, s1, s2, q->rk[4 * r + 3]);
		s0 = t0; s1 = t1; s2 = t2; s3 = t3;
	}
	s[0] = AS_AES_SB(s0, s1, s2, s3, q->rk[40]);
	s[1] = AS_AES_SB(s1, s2, s3, s0, q->rk[41]);
	s[2] = AS_AES_SB(s2, s3, s0, s1, q->rk[42]);
	s[3] = AS_AES_SB(s3, s0, s1, s2, q->rk[43]);
}

/*
 * The next 16-byte block of the payload, at q->dec: XOR with AES(key,
 * nonce || 2 + its index).  The payload is decrypted as the frame walk
 * reaches it (as_quic_frame_step), not all at once.
 */
static __always_inline void as_quic_ctr_block(struct as_quic_scratch *q)
{
	__u32 s[4], off = q->dec, j;

	if (off >= q->end || off > AS_QUIC_WIN - 16) {
		q->dec = q->end;	/* nothing more to decrypt */
		return;
	}
	q->dec = off + 16;
	s[0] = q->nonce[0];
	s[1] = q->nonce[1];
	s[2] = q->nonce[2];
	s[3] = 2 + (off - q->pay) / 16;
	/* off + 15 stays in the map value whatever clang keeps of the test */
	as_same_bounds(off, AS_QUIC_WIN - 1);
	as_aes_encrypt(q, s);
#pragma unroll
	for (j = 0; j < 16; j++)
		q->pt[off + j] ^= (__u8)(s[j >> 2] >> (24 - 8 * (j & 3)));
}

/*
 * Remove header protection and set up the decryption of the payload
 * pt[pay, end) (the frame walk decrypts it block by block as it goes).
 * Returns 0 if the packet does not hold what it says.
 */
__attribute__((noinline))
int as_quic_decrypt(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	__u32 s[4], i, po, pl, pn;

	if (!ctx || !q)
		return 0;
	po = q->pn_off;
	if (po + 4 + 16 > q->n || po + 4 + 16 > q->end)
		return 0;
	/* header protection: mask = AES(hp, sample at pn_off + 4) */
	__builtin_memcpy(q->kb, q->hp, 16);
	as_aes_expand(ctx);
#pragma unroll
	for (i = 0; i < 4; i++)
		s[i] = (as_qb(q, po + 4 + 4 * i) << 24) |
		       (as_qb(q, po + 5 + 4 * i) << 16) |
		       (as_qb(q, po + 6 + 4 * i) << 8) | as_qb(q, po + 7 + 4 * i);
	as_aes_encrypt(q, s);
	q->pt[0] ^= (__u8)(s[0] >> 24) & 0x0f;
	pl = (q->pt[0] & 3) + 1;
	pn = 0;
#pragma unroll
	for (i = 0; i < 4; i++) {
		if (i < pl) {
			q->pt[AS_QUIC_IDX(po + i)] ^=
				(__u8)(s[(1 + i) >> 2] >> (24 - 8 * ((1 + i) & 3)));
			pn = (pn << 8) | as_qb(q, po + i);
		}
	}
	q->pn_len = pl;
	q->pn = pn;
	q->pay = po + pl;
	if (q->pay + 16 >= q->end)
		return 0;
	q->end -= 16;			/* the tag */
	/* nonce = iv ^ packet number (left-padded to 12 bytes) */
	q->nonce[0] = as_be32(&q->iv[0]);
	q->nonce[1] = as_be32(&q->iv[4]);
	q->nonce[2] = as_be32(&q->iv[8]) ^ pn;
	__builtin_memcpy(q->kb, q->key, 16);
	as_aes_expand(ctx);
	q->dec = q->pay;
	q->decrypts++;
	return 1;
}

/* ---- frames --------------------------------------------------------- */

/* The varint at pt[pos] (RFC 9000 16); *ok cleared if it runs past end. */
static __always_inline __u64 as_quic_varint(struct as_quic_scratch *q,
					    __u32 *ok)
{
	__u32 p = q->pos, l, i;
	__u64 v;

	if (p >= q->end) {
		*ok = 0;
		return 0;
	}
	v = as_qb(q, p) & 0x3f;
	l = 1U << (as_qb(q, p) >> 6);
	if (p + l > q->end) {
		*ok = 0;
		return 0;
	}
#pragma unroll
	for (i = 1; i < 8; i++)
		if (i < l)
			v = (v << 8) | as_qb(q, p + i);
	q->pos = p + l;
	return v;
}

/*
 * One step of the walk: decrypt the next block if the next frame may read
 * past what is decrypted (a frame step reads at most AS_QUIC_PAD_RUN bytes
 * from pos; CRYPTO data is skipped, the next step's need covers it), else
 * one frame (or one varint of an ACK frame's ranges, or a PADDING run).
 * The walk ends early, with the rest of the payload left encrypted, once
 * the CRYPTO frames hold as many bytes as the ClientHello has (the
 * prefix check in as_quic_frames() then says whether they are all of it).
 */
static int as_quic_frame_step(__u32 idx, void *data)
{
	struct as_quic_scratch *q = ((struct as_qwalk *)data)->q;
	__u32 ok = 1, t, i, k, need;
	__u64 off, len, n;

	need = q->pos + AS_QUIC_PAD_RUN;
	if (need > q->end)
		need = q->end;
	if (q->dec < need) {
		as_quic_ctr_block(q);
		return 0;
	}
	if (!q->nostop && q->hlen && q->cov >= q->hlen) {
		q->state = 2;		/* enough CRYPTO bytes, maybe */
		return 1;
	}
	if (q->skipv) {
		as_quic_varint(q, &ok);
		q->skipv--;
		if (!ok)
			goto stop;
		return 0;
	}
	if (q->pos >= q->end)
		goto stop;
	t = as_qb(q, q->pos);
	if (t == 0) {			/* PADDING: a run of zeros */
		for (i = 0; i < AS_QUIC_PAD_RUN; i++) {
			if (q->pos >= q->end || as_qb(q, q->pos))
				break;
			q->pos++;
		}
		return 0;
	}
	q->pos++;
	if (t == 1)			/* PING */
		return 0;
	if (t == 2 || t == 3) {		/* ACK: largest, delay, count, first */
		as_quic_varint(q, &ok);
		as_quic_varint(q, &ok);
		n = as_quic_varint(q, &ok);
		as_quic_varint(q, &ok);
		if (!ok || n > AS_QUIC_ACK_RANGES)
			goto stop;
		q->skipv = 2 * (__u32)n + (t == 3 ? 3 : 0);
		return 0;
	}
	if (t != 6)			/* CONNECTION_CLOSE, or not for an Initial */
		goto stop;
	off = as_quic_varint(q, &ok);
	len = as_quic_varint(q, &ok);
	if (!ok || len > q->end - q->pos)
		goto stop;
	k = q->nfr;
	if (k < AS_QUIC_FRAMES && len && off < AS_NAMES_WIN) {
		if (off + len > AS_NAMES_WIN)
			len = AS_NAMES_WIN - off;
		q->f_off[k & (AS_QUIC_FRAMES - 1)] = (__u32)off;
		q->f_len[k & (AS_QUIC_FRAMES - 1)] = (__u32)len;
		q->f_pos[k & (AS_QUIC_FRAMES - 1)] = q->pos;
		q->nfr = k + 1;
		q->cov += (__u32)len;
		/* the stream's first 4 bytes: the handshake message's length
		 * (decrypted: they lie within AS_QUIC_PAD_RUN of the frame) */
		if (!off && len >= 4 && !q->hlen) {
			q->hlen = 4 + ((as_qb(q, q->pos + 1) << 16) |
				       (as_qb(q, q->pos + 2) << 8) |
				       as_qb(q, q->pos + 3));
			if (q->hlen > AS_NAMES_WIN)
				q->hlen = AS_NAMES_WIN;
		}
	}
	q->pos += (__u32)len;
	return 0;
stop:
	q->state = 1;
	return 1;
}

/* Copy 8 bytes of CRYPTO frame ck (from byte cj) to the stream in ns->buf. */
static int as_quic_copy_step(__u32 idx, void *data)
{
	struct as_names_scratch *ns = ((struct as_qwalk *)data)->ns;
	struct as_quic_scratch *q = ((struct as_qwalk *)data)->q;
	__u32 k = q->ck, j = q->cj, i, off, len, pos;

	if (k >= q->nfr || k >= AS_QUIC_FRAMES)
		return 1;
	off = q->f_off[k & (AS_QUIC_FRAMES - 1)];
	len = q->f_len[k & (AS_QUIC_FRAMES - 1)];
	pos = q->f_pos[k & (AS_QUIC_FRAMES - 1)];
	if (pos + len > q->dec) {	/* the walk's steps ran out first */
		q->ck = k + 1;
		q->cj = 0;
		return 0;
	}
#pragma unroll
	for (i = 0; i < 8; i++)
		if (j + i < len)
			ns->buf[AS_NAMES_IDX(off + j + i)] = (__u8)as_qb(q, pos + j + i);
	if (j + 8 < len) {
		q->cj = j + 8;
	} else {
		q->ck = k + 1;
		q->cj = 0;
		if (off + len > q->top)
			q->top = off + len;
	}
	return 0;
}

/*
 * Step idx: frame idx % AS_QUIC_FR2 (this packet's or a held one) of
 * round idx / AS_QUIC_FR2 extends lim if it starts at or below it; a
 * round that extends nothing ends the search.
 */
static int as_quic_prefix_step(__u32 idx, void *data)
{
	struct as_quic_scratch *q = ((struct as_qwalk *)data)->q;
	__u32 k = idx & (AS_QUIC_FR2 - 1), o, e;

	if (!k) {
		if (idx && q->cj == q->lim)
			return 1;	/* a round without progress */
		q->cj = q->lim;
	}
	if (k < AS_QUIC_FRAMES ? k >= q->nfr : k - AS_QUIC_FRAMES >= q->nheld)
		return 0;
	o = q->f_off[k];
	e = o + q->f_len[k];
	if (o <= q->lim && e > q->lim)
		q->lim = e;
	return 0;
}

/* ---- two Initials (quic_held) ---------------------------------------- */

/* Counts one enum as_names_event (autosel.bpf.c). */
static __always_inline void as_count_names(__u32 event);

/* Zero slot v (held BUSY by this run) and empty it. */
static __always_inline void as_qheld_free(struct as_quic_held *v)
{
	as_pieces(v->buf, NULL, v->top);
	__builtin_memset(&v->key, 0, sizeof(v->key));
	__builtin_memset(v->f_off, 0, sizeof(v->f_off));
	__builtin_memset(v->f_len, 0, sizeof(v->f_len));
	v->started_ns = 0;
	v->nfr = 0;
	v->top = 0;
	v->cov = 0;
	v->hlen = 0;
	bpf_spin_lock(&v->lock);
	v->state = AS_QUIC_HELD_EMPTY;
	bpf_spin_unlock(&v->lock);
}

static __always_inline int as_qheld_stale(const struct as_quic_held *v,
					  __u64 now)
{
	return now < v->started_ns ||
	       now - v->started_ns > AS_QUIC_HELD_TTL_NS;
}

/*
 * The state held for this datagram's key, if there is one and it is not
 * stale: taken (BUSY), its stream into ns->buf and its frames into
 * q->f_*[AS_QUIC_FRAMES + k].  Returns 1 if taken (q->held).
 */
__attribute__((noinline))
int as_qheld_take(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	struct as_names_scratch *ns;
	struct as_quic_held *v;
	__u32 mine = 0, stale = 0, zero = 0, k;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !q || !ns)
		return 0;
	k = q->hslot & (AS_QUIC_HELD_SLOTS - 1);
	v = bpf_map_lookup_elem(&quic_held, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (v->state == AS_QUIC_HELD_LIVE &&
	    (as_qheld_stale(v, q->now) ||
	     as_words_eq(&v->key, &q->qk, sizeof(v->key)))) {
		v->state = AS_QUIC_HELD_BUSY;
		stale = as_qheld_stale(v, q->now);
		mine = !stale;
	}
	bpf_spin_unlock(&v->lock);
	if (stale) {			/* given up: its next Initial never came */
		as_qheld_free(v);
		as_count_names(AS_NE_HELLO_INCOMPLETE);
	}
	if (!mine)
		return 0;
	q->top = v->top < AS_NAMES_WIN ? v->top : AS_NAMES_WIN;
	as_pieces(ns->buf, v->buf, q->top);
	q->nheld = v->nfr;
	q->cov = v->cov;
	q->hlen = v->hlen;
	/* the held frames past nfr are zero, as this packet's are */
	__builtin_memcpy(&q->f_off[AS_QUIC_FRAMES], v->f_off, sizeof(v->f_off));
	__builtin_memcpy(&q->f_len[AS_QUIC_FRAMES], v->f_len, sizeof(v->f_len));
	q->held = 1;
	return 1;
}

/*
 * A slot whose state has outlived AS_QUIC_HELD_TTL_NS: given up.  Every
 * new state looks at one other slot, in turn, so that abandoned bytes do
 * not wait for their own slot's reuse.
 */
static __always_inline void as_qheld_sweep(struct as_quic_scratch *q)
{
	__u32 k = (q->hslot + AS_QUIC_HELD_SLOTS / 2 + (__u32)(q->now >> 10)) &
		  (AS_QUIC_HELD_SLOTS - 1);
	struct as_quic_held *v = bpf_map_lookup_elem(&quic_held, &k);
	int take = 0;

	if (!v)
		return;
	bpf_spin_lock(&v->lock);
	if (v->state == AS_QUIC_HELD_LIVE && as_qheld_stale(v, q->now)) {
		v->state = AS_QUIC_HELD_BUSY;
		take = 1;
	}
	bpf_spin_unlock(&v->lock);
	if (take) {
		as_qheld_free(v);
		as_count_names(AS_NE_HELLO_INCOMPLETE);
	}
}

/* This Initial's stream and frames, kept for the next one (slot EMPTY). */
static __always_inline void as_qheld_put(struct as_quic_scratch *q,
					 struct as_names_scratch *ns)
{
	struct as_quic_held *v;
	__u32 take = 0, k;

	as_qheld_sweep(q);
	k = q->hslot & (AS_QUIC_HELD_SLOTS - 1);
	v = bpf_map_lookup_elem(&quic_held, &k);
	if (!v)
		return;
	bpf_spin_lock(&v->lock);
	if (v->state == AS_QUIC_HELD_EMPTY) {
		v->state = AS_QUIC_HELD_BUSY;
		take = 1;
	}
	bpf_spin_unlock(&v->lock);
	if (!take)
		return;			/* another connection's: not this one */
	__builtin_memcpy(&v->key, &q->qk, sizeof(v->key));
	v->started_ns = q->now;
	v->nfr = q->nfr;
	v->cov = q->cov;
	v->hlen = q->hlen;
	/* [nfr, AS_QUIC_FRAMES) are zero: the wipe of the last packet */
	__builtin_memcpy(v->f_off, q->f_off, sizeof(v->f_off));
	__builtin_memcpy(v->f_len, q->f_len, sizeof(v->f_len));
	v->top = q->top < AS_NAMES_WIN ? q->top : AS_NAMES_WIN;
	as_pieces(v->buf, ns->buf, v->top);
	bpf_spin_lock(&v->lock);
	v->state = AS_QUIC_HELD_LIVE;
	bpf_spin_unlock(&v->lock);
}

/*
 * After this Initial was read (kind: as_quic_frames()'s): the second
 * Initial decides, and the held slot is zeroed whatever it decided; a
 * first one without the name or the whole ClientHello leaves its stream.
 * Called by as_quic_name(), not deeper: 6.1 sums the stacks of the call
 * chain.
 */
__attribute__((noinline))
int as_qheld_decide(struct xdp_md *ctx, int kind)
{
	struct as_quic_scratch *q = as_quic_q();
	struct as_names_scratch *ns;
	struct as_quic_held *v;
	__u32 zero = 0, k;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !q || !ns)
		return 0;
	if (q->held) {
		k = q->hslot & (AS_QUIC_HELD_SLOTS - 1);
		v = bpf_map_lookup_elem(&quic_held, &k);
		if (!v)
			return 0;
		as_qheld_free(v);
		as_count_names(kind == AS_NAME_QUIC ? AS_NE_HELLO_SPLIT :
				AS_NE_HELLO_INCOMPLETE);
	} else if (kind == AS_NAME_NONE && q->nfr &&
		   (!q->hlen || q->lim < q->hlen)) {
		as_qheld_put(q, ns);	/* the rest may be in the next one */
	}
	return 1;
}

/*
 * Walk the frames of the decrypted payload, put the CRYPTO data at its
 * stream offsets into names_scratch (after what the connection's first
 * Initial left in quic_held, if any), and read the ClientHello's
 * server_name from the stream contiguous from offset 0.  Returns
 * AS_NAME_QUIC or AS_NAME_NONE.  A first Initial without the name and
 * without the whole ClientHello leaves its stream in quic_held; the
 * second decides, and the slot is zeroed whatever it decides.
 */
__attribute__((noinline))
int as_quic_frames(struct xdp_md *ctx)
{
	struct as_quic_scratch *q = as_quic_q();
	struct as_names_scratch *ns;
	struct as_qwalk w;
	__u32 zero = 0, lim;
	int kind;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !q || !ns)
		return AS_NAME_NONE;
	w.q = q;
	w.ns = ns;
	q->pos = q->pay;
	q->skipv = 0;
	q->nfr = 0;
	q->state = 0;
	q->nostop = 0;
	q->ck = 0;
	q->cj = 0;
	/* top, nheld, held, cov, hlen: as_qheld_take() */
	ns->n = q->top;		/* what the names wipe clears */
	bpf_loop(AS_QUIC_STEPS + AS_QUIC_WIN / 16, as_quic_frame_step, &w, 0);
	bpf_loop(AS_QUIC_FRAMES + AS_QUIC_WIN / 8, as_quic_copy_step, &w, 0);
	/* the stream contiguous from 0: frames in any order */
	q->lim = 0;
	bpf_loop(AS_QUIC_FR2 * (AS_QUIC_FR2 + 1), as_quic_prefix_step, &w, 0);
	if (q->state == 2 && q->lim < q->hlen) {
		/* stopped early, but frames overlap: walk to the end */
		q->state = 0;
		q->nostop = 1;
		q->cj = 0;		/* the prefix search used it */
		bpf_loop(AS_QUIC_STEPS + AS_QUIC_WIN / 16, as_quic_frame_step,
			 &w, 0);
		bpf_loop(AS_QUIC_FRAMES + AS_QUIC_WIN / 8, as_quic_copy_step,
			 &w, 0);
		q->lim = 0;
		bpf_loop(AS_QUIC_FR2 * (AS_QUIC_FR2 + 1), as_quic_prefix_step,
			 &w, 0);
	}
	if (q->top > AS_NAMES_WIN)
		q->top = AS_NAMES_WIN;
	ns->n = q->top;		/* what the names wipe clears */
	lim = q->lim;
	kind = AS_NAME_NONE;
	if (lim <= ns->n && lim <= AS_NAMES_WIN &&
	    as_name_hello(ns, 0, AS_NAMES_WIN, lim) == AS_NAME_SNI)
		kind = AS_NAME_QUIC;
	return kind;
}

/* ---- the hook ------------------------------------------------------- */

static int as_quic_wipe_step(__u32 i, void *data)
{
	struct as_quic_scratch *q = ((struct as_qwalk *)data)->q;
	__u32 off = i * 512;

	if (off >= q->n)
		return 1;
	off &= AS_QUIC_WIN - 512;
	__builtin_memset(&q->pt[off], 0, 512);
	return 0;
}

/* Nothing of the datagram, its keys or the walk outlives the decision. */
static __always_inline void as_quic_wipe(struct as_quic_scratch *q)
{
	struct as_qwalk w = { .q = q };
	__u64 *wp;
	__u32 i;

	bpf_loop(AS_QUIC_WIN / 512, as_quic_wipe_step, &w, 0);
	/* 8-byte stores: clang will not inline a memset this large */
#define AS_QUIC_WIPE_W ((__builtin_offsetof(struct as_quic_scratch, decrypts) - \
			 __builtin_offsetof(struct as_quic_scratch, rk)) / 8)
	_Static_assert(__builtin_offsetof(struct as_quic_scratch, rk) % 8 == 0 &&
		       __builtin_offsetof(struct as_quic_scratch, decrypts) % 8 == 0,
		       "quic_scratch's wiped words");
	wp = (__u64 *)&q->rk;
#pragma unroll
	for (i = 0; i < AS_QUIC_WIPE_W; i++) {
		wp[i] = 0;
		asm volatile("" ::: "memory");	/* not a memset call */
	}
	q->n = 0;
}

/*
 * A UDP payload of avail bytes at off: the SNI of the QUIC client Initial
 * it opens with, into names_scratch (AS_NAME_QUIC), or AS_NAME_NONE.
 */
__attribute__((noinline))
int as_quic_name(struct xdp_md *ctx, struct as_pkt *pkt, __u32 off,
		 __u32 avail)
{
	struct as_quic_scratch *q = as_quic_q();
	struct as_names_scratch *ns;
	__u32 n, p, v, t, l, i, ok = 1, kind = AS_NAME_NONE, zero = 0;
	__u64 tl, len;

	ns = bpf_map_lookup_elem(&names_scratch, &zero);
	if (!ctx || !q || !pkt || !ns || avail < AS_QUIC_MIN_DGRAM)
		return AS_NAME_NONE;
	/* the gate: 5 bytes, long header, Initial of v1 or v2 */
	if (bpf_xdp_load_bytes(ctx, off, q->pt, 8))
		return AS_NAME_NONE;
	q->n = 8;
	t = q->pt[0];
	v = as_be32(&q->pt[1]);
	if (!(t & 0x80) ||
	    !((v == AS_QUIC_V1 && ((t >> 4) & 3) == 0) ||
	      (v == AS_QUIC_V2 && ((t >> 4) & 3) == 1))) {
		q->pt_w[0] = 0;
		q->n = 0;
		return AS_NAME_NONE;
	}
	n = avail < AS_QUIC_WIN ? avail : AS_QUIC_WIN;
	n -= 1;
	as_same_bounds(n, AS_QUIC_WIN - 1);
	n += 1;
	if (bpf_xdp_load_bytes(ctx, off, q->pt, n))
		goto out;
	q->n = n;
	q->version = v;
	/* DCID, SCID, token, length */
	q->dcid_len = q->pt[5];
	if (q->dcid_len > AS_QUIC_CID_MAX)
		goto out;
	/* the two-Initial key: direction and DCID (quic_held) */
	__builtin_memcpy(q->qk.f.saddr, pkt->saddr, 16);
	__builtin_memcpy(q->qk.f.daddr, pkt->daddr, 16);
	q->qk.f.sport = pkt->sport;
	q->qk.f.dport = pkt->dport;
	q->qk.f.family = pkt->family;
#pragma unroll
	for (i = 0; i < AS_QUIC_CID_MAX; i++)
		q->qk.dcid[i] = i < q->dcid_len ? q->pt[6 + i] : 0;
	q->qk.dcid_len = (__u8)q->dcid_len;
	q->now = ns->q_now;
	q->hslot = ns->q_fh & (AS_QUIC_HELD_SLOTS - 1);
	p = 6 + q->dcid_len;
	l = as_qb(q, p);
	if (l > AS_QUIC_CID_MAX)
		goto out;
	q->pos = p + 1 + l;
	q->end = n;
	tl = as_quic_varint(q, &ok);
	if (!ok || tl > n)
		goto out;
	q->pos += (__u32)tl;
	len = as_quic_varint(q, &ok);
	if (!ok || len > n || q->pos + len > n)
		goto out;
	q->pn_off = q->pos;
	q->end = q->pos + (__u32)len;
	if (!as_quic_keys(ctx) || !as_quic_decrypt(ctx))
		goto out;
	q->top = 0;
	q->nheld = 0;
	q->held = 0;
	q->cov = 0;
	q->hlen = 0;
	as_qheld_take(ctx);
	kind = as_quic_frames(ctx);
	as_qheld_decide(ctx, kind);
out:
	as_quic_wipe(q);
	i = kind;
	return i;
}

#endif /* AUTOSEL_XDP_QUIC_H */
