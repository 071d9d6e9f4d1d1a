#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""
quic_fixtures.py HEXDIR > quic_fixtures.h
quic_fixtures.py --pcap HEXDIR OUT.pcap


QUIC client Initial packets for test_quic, built with real crypto
(python3-cryptography: HKDF over HMAC-SHA256, AES-128-GCM, AES-ECB header
protection, RFC 9001 section 5) from ClientHellos made here.  First it
rebuilds RFC 9001 A.2 and RFC 9369 A.2 from their plaintext and checks the
result against the RFC's protected packets (HEXDIR/rfc9001_a2.hex,
rfc9369_a2.hex): the generator's crypto is the RFCs'.  Deterministic (fixed
seeds), so the header is the same on every build.

--pcap writes some of the same packets as an Ethernet capture for
`autoselctl replay` (test_replay.sh): the replay's verdicts must be the
ones test_quic asserts packet by packet (pcap_frames() says which).
"""
import random
import struct
import sys

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

V1, V2 = 0x00000001, 0x6b3343cf
SALT = {
    V1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
    V2: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"),
}
LABEL = {V1: b"quic ", V2: b"quicv2 "}
INITIAL_TYPE = {V1: 0, V2: 1}


def hmac256(key, msg):
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(msg)
    return h.finalize()


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac256(secret, t + info + bytes([i]))
        out += t
        i += 1
    return out[:length]


def client_keys(version, dcid):
    initial = hmac256(SALT[version], dcid)
    secret = expand_label(initial, b"client in", 32)
    p = LABEL[version]
    return (expand_label(secret, p + b"key", 16),
            expand_label(secret, p + b"iv", 12),
            expand_label(secret, p + b"hp", 16))


def varint(v, size=None):
    if size is None:
        size = 1 if v < 64 else 2 if v < 16384 else 4 if v < 2**30 else 8
    tag = {1: 0, 2: 0x40, 4: 0x80, 8: 0xc0}[size]
    b = v.to_bytes(size, "big")
    return bytes([b[0] | tag]) + b[1:]


def protect(version, dcid, scid, token, pn, pn_len, payload, ptype=None):
    """A protected long-header packet whose plaintext payload is payload."""
    key, iv, hp = client_keys(version, dcid)
    if ptype is None:
        ptype = INITIAL_TYPE[version]
    first = 0xc0 | (ptype << 4) | (pn_len - 1)
    hdr = bytes([first]) + struct.pack(">I", version)
    hdr += bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
    hdr += varint(len(token)) + token
    hdr += varint(pn_len + len(payload) + 16, 2)
    pn_off = len(hdr)
    hdr += pn.to_bytes(pn_len, "big")
    nonce = bytes(a ^ b for a, b in zip(iv, (pn).to_bytes(12, "big")))
    ct = AESGCM(key).encrypt(nonce, payload, hdr)
    pkt = bytearray(hdr + ct)
    sample = bytes(pkt[pn_off + 4:pn_off + 20])
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    pkt[0] ^= mask[0] & 0x0f
    for i in range(pn_len):
        pkt[pn_off + i] ^= mask[1 + i]
    return bytes(pkt)


# RFC 9001 A.2 / RFC 9369 A.2: the same CRYPTO frame, padded to 1162 bytes.
RFC_CRYPTO = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff")
RFC_DCID = bytes.fromhex("8394c8f03e515708")


def rfc_check(hexdir):
    out = {}
    for name, version in (("rfc9001_a2", V1), ("rfc9369_a2", V2)):
        with open(f"{hexdir}/{name}.hex") as f:
            want = bytes.fromhex("".join(f.read().split()))
        payload = RFC_CRYPTO + bytes(1162 - len(RFC_CRYPTO))
        got = protect(version, RFC_DCID, b"", b"", 2, 4, payload)
        if got != want:
            sys.exit(f"quic_fixtures.py: {name} does not match the RFC")
        out[name] = want
    return out


def ext(t, body):
    return struct.pack(">HH", t, len(body)) + body


def client_hello(sni, rnd, keyshare=32, grease=True, ech=False):
    """A TLS 1.3 ClientHello handshake message (type 1) as QUIC sends it;
    ech: with an encrypted_client_hello extension (outer, random body)."""
    exts = []
    if ech:
        exts.append(ext(0xfe0d, b"\x00\x00\x01\x00\x01" +
                        bytes(rnd.getrandbits(8) for _ in range(120))))
    if grease:
        exts.append(ext(0x0a0a, b""))
    if sni is not None:
        n = sni.encode()
        exts.append(ext(0, struct.pack(">HBH", len(n) + 3, 0, len(n)) + n))
    exts.append(ext(10, bytes.fromhex("0006001d00170018")))
    alpn = b"\x02h3"
    exts.append(ext(16, struct.pack(">H", len(alpn)) + alpn))
    exts.append(ext(13, bytes.fromhex("000804030804040105010601")))
    ks = struct.pack(">HH", 0x11ec if keyshare > 32 else 0x1d, keyshare)
    ks += bytes(rnd.getrandbits(8) for _ in range(keyshare))
    exts.append(ext(51, struct.pack(">H", len(ks)) + ks))
    exts.append(ext(43, bytes.fromhex("020304")))
    exts.append(ext(45, bytes.fromhex("0101")))
    tp = bytes.fromhex("0104800075300304800100000404809896800f08") + \
        bytes(rnd.getrandbits(8) for _ in range(8))
    exts.append(ext(0x39, tp))
    rnd.shuffle(exts)		# browsers shuffle extensions
    body = b"\x03\x03" + bytes(rnd.getrandbits(8) for _ in range(32))
    body += b"\x00"					# session id
    body += bytes.fromhex("0006130113021303")	# cipher suites
    body += b"\x01\x00"				# compression
    e = b"".join(exts)
    body += struct.pack(">H", len(e)) + e
    return b"\x01" + len(body).to_bytes(3, "big") + body


def crypto_frame(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def frames_for(ch, rnd, pieces=1, shuffle=False, chaff=False, ack=False,
               skip=None, stream_off=0):
    """CRYPTO frames carrying ch from stream offset stream_off."""
    cuts = sorted(rnd.sample(range(1, len(ch)), pieces - 1)) if pieces > 1 else []
    bounds = [0] + cuts + [len(ch)]
    fr = [crypto_frame(stream_off + a, ch[a:b])
          for i, (a, b) in enumerate(zip(bounds, bounds[1:])) if i != skip]
    if shuffle:
        rnd.shuffle(fr)
    out = []
    if ack:		# ACK: largest 0, delay 0, 1 range, first 0; and ECN
        out.append(b"\x02\x00\x00\x01\x00\x00\x00")
        out.append(b"\x03\x05\x01\x00\x00\x07\x08\x09")
    for f in fr:
        out.append(f)
        if chaff:
            out.append(b"\x01" if rnd.random() < 0.5 else bytes(rnd.randrange(1, 20)))
    return b"".join(out)


def pad(payload, total):
    return payload + bytes(max(0, total - len(payload)))


def initial(version, frames, rnd, dcid_len=8, scid_len=8, token=b"", pn=0,
            pn_len=1, size=1200, dcid=None):
    if dcid is None:
        dcid = bytes(rnd.getrandbits(8) for _ in range(dcid_len))
    dcid_len = len(dcid)
    scid = bytes(rnd.getrandbits(8) for _ in range(scid_len))
    hdr_len = 1 + 4 + 1 + dcid_len + 1 + scid_len + len(varint(len(token))) + \
        len(token) + 2 + pn_len
    return protect(version, dcid, scid, token, pn, pn_len,
                   pad(frames, size - hdr_len - 16))


def cases():
    """(what, want, packet): want 1 selected (c2.example / *.evil.test), 0
    decrypted but no name that matches, -1 not decrypted at all."""
    rnd = random.Random(17)
    c = []

    def ch(sni, **kw):
        return client_hello(sni, rnd, **kw)

    c.append(("v1, one CRYPTO frame", 1,
              initial(V1, frames_for(ch("c2.example"), rnd), rnd)))
    c.append(("v2, one CRYPTO frame, suffix", 1,
              initial(V2, frames_for(ch("www.evil.test"), rnd), rnd)))
    c.append(("v1, upper case SNI", 1,
              initial(V1, frames_for(ch("C2.Example"), rnd), rnd)))
    c.append(("v1, name not in the table", 0,
              initial(V1, frames_for(ch("www.some.example"), rnd), rnd)))
    c.append(("v2, name not in the table", 0,
              initial(V2, frames_for(ch("nothing.test"), rnd), rnd)))
    c.append(("v1, no server_name", 0,
              initial(V1, frames_for(ch(None), rnd), rnd)))
    for i in range(6):
        v = V1 if i % 2 == 0 else V2
        c.append((f"v{1 + i % 2}, 2..7 CRYPTO frames reordered, PING and PADDING between ({i})", 1,
                  initial(v, frames_for(ch("c2.example"), rnd, pieces=2 + i,
                                        shuffle=True, chaff=True), rnd,
                          size=1200 + 50 * i)))
    c.append(("v1, ACK frames first, 3 frames reordered", 1,
              initial(V1, frames_for(ch("x.evil.test"), rnd, pieces=3,
                                     shuffle=True, ack=True), rnd)))
    c.append(("v1, 20-byte DCID, no SCID, a token, 4-byte packet number", 1,
              initial(V1, frames_for(ch("c2.example"), rnd, pieces=2), rnd,
                      dcid_len=20, scid_len=0, token=bytes(range(40)),
                      pn=0x01020304, pn_len=4)))
    c.append(("v2, 0-byte DCID, 2-byte packet number 7", 1,
              initial(V2, frames_for(ch("c2.example"), rnd), rnd, dcid_len=0,
                      pn=7, pn_len=2)))
    c.append(("v1, 1472-byte datagram", 1,
              initial(V1, frames_for(ch("c2.example"), rnd, pieces=4,
                                     shuffle=True, chaff=True), rnd, size=1472)))
    c.append(("v1, the first of 6 pieces missing", 0,
              initial(V1, frames_for(ch("c2.example"), rnd, pieces=6,
                                     shuffle=True, skip=0), rnd)))
    # a large ClientHello (ML-KEM key share) whose first packet holds the
    # first 1000 bytes: the SNI lies in them only if it is early enough
    big = ch("c2.example", keyshare=1216)
    sni_at = big.find(b"c2.example")
    while sni_at + 10 > 1000:
        big = ch("c2.example", keyshare=1216)
        sni_at = big.find(b"c2.example")
    c.append((f"v1, first 1000 of a {len(big)}-byte ClientHello, SNI at {sni_at}",
              1, initial(V1, crypto_frame(0, big[:1000]), rnd, size=1250)))
    while sni_at + 10 <= 1000:
        big = ch("c2.example", keyshare=1216)
        sni_at = big.find(b"c2.example")
    c.append((f"v1, first 1000 of a {len(big)}-byte ClientHello, SNI at {sni_at} (in the next packet)",
              0, initial(V1, crypto_frame(0, big[:1000]), rnd, size=1250)))
    # broken ones: never selected, never a crash
    good = initial(V1, frames_for(ch("c2.example"), rnd), rnd)
    c.append(("v1, cut to 1199 bytes (below the Initial minimum)", -1, good[:1199]))
    bad = bytearray(good)
    bad[len(bad) - 30] ^= 0x55		# in the padding / tag: still decrypts
    c.append(("v1, a bit flipped in the padding (no GCM check: selected)", 1, bytes(bad)))
    bad = bytearray(good)
    bad[31] ^= 0x55			# the handshake type: not a ClientHello
    c.append(("v1, a bit flipped in the ClientHello header", 0, bytes(bad)))
    bad = bytearray(good)
    bad[5] = 30				# DCID length 30 > 20
    c.append(("v1, DCID length 30", -1, bytes(bad)))
    bad = bytearray(good)
    struct.pack_into(">H", bad, 6 + 8 + 1 + 8 + 1, 0x4000 | 4000)
    c.append(("v1, Length beyond the datagram", -1, bytes(bad)))
    c.append(("v1, garbage payload", 0,
              bytes(good[:30]) + bytes(rnd.getrandbits(8) for _ in range(1170))))
    c.append(("v1, CRYPTO frame past the packet", 0,
              initial(V1, b"\x06\x00\x7f\xf0" + ch("c2.example"), rnd)))
    c.append(("v1, CRYPTO frame at offset 5000", 0,
              initial(V1, crypto_frame(5000, ch("c2.example")), rnd)))
    c.append(("v1, an unknown frame type first", 0,
              initial(V1, b"\x1f" + frames_for(ch("c2.example"), rnd), rnd)))
    c.append(("v1, 0-RTT long packet type, not decrypted", -1,
              protect(V1, b"12345678", b"", b"", 0, 1,
                      pad(frames_for(ch("c2.example"), rnd), 1165), ptype=1)))
    c.append(("version 2 with v1's Initial type bits, not decrypted", -1,
              protect(V2, b"12345678", b"", b"", 0, 1,
                      pad(frames_for(ch("c2.example"), rnd), 1165), ptype=0)))
    c.append(("v1 Initial followed by a coalesced packet", 1,
              initial(V1, frames_for(ch("c2.example"), rnd), rnd, size=1000) +
              bytes([0x40]) + bytes(rnd.getrandbits(8) for _ in range(299))))
    # ECH (outer ClientHello): matched on its outer SNI, counted (names ech)
    c.append(("v1, encrypted_client_hello, outer SNI matched, ECH counted", 1,
              initial(V1, frames_for(ch("c2.example", ech=True), rnd, pieces=2,
                                     shuffle=True), rnd), 1))
    c.append(("v2, encrypted_client_hello, outer SNI not in the table, ECH counted", 0,
              initial(V2, frames_for(ch("public.example", ech=True), rnd), rnd), 1))
    # overlapping frames: the first piece twice makes as many CRYPTO bytes
    # as the ClientHello has before its tail (and the SNI) is reached; the
    # early end of the walk must not take that for the whole stream
    h = ch("c2.example")
    while 2 * (h.find(b"c2.example") - 10) < len(h):
        h = ch("c2.example")
    cut = h.find(b"c2.example") - 10
    c.append(("v1, the first piece sent twice, the SNI in the last", 1,
              initial(V1, crypto_frame(0, h[:cut]) + crypto_frame(0, h[:cut]) +
                      bytes(100) + crypto_frame(cut, h[cut:]), rnd)))
    return c


def pairs():
    """ClientHellos over two Initials of one connection (same DCID), as
    Chrome sends one with an ML-KEM key share: (what, pkt1, pkt2).  The
    stream is cut in four pieces, the first Initial carrying two of them,
    the second the others, each packet's frames reordered; the SNI lies
    in a piece of the second."""
    rnd = random.Random(1717)
    out = []
    for v, sni in ((V1, "c2.example"), (V2, "www.evil.test"),
                   (V1, "not-listed.example")):
        while True:		# the SNI after the key share
            h = client_hello(sni, rnd, keyshare=1216)
            at = h.find(sni.encode())
            if at > 900:
                break
        # pieces [0,a) [a,b) [b,c) [c,end): the first and the third in
        # the first Initial, the SNI in the fourth
        a, b, c = 400, 800, at - 50
        p = [crypto_frame(0, h[:a]), crypto_frame(a, h[a:b]),
             crypto_frame(b, h[b:c]), crypto_frame(c, h[c:])]
        dcid = bytes(rnd.getrandbits(8) for _ in range(8))
        f1 = p[2] + b"\x01" + p[0]		# reordered, PING between
        f2 = p[3] + bytes(7) + p[1]		# reordered, PADDING between
        assert len(h[:a]) + len(h[b:c]) < 1100 and len(h[a:b]) + len(h[c:]) < 1100
        out.append((f"v{1 if v == V1 else 2}, a {len(h)}-byte ClientHello over two Initials, SNI {sni} in the second",
                    initial(v, f1, rnd, dcid=dcid, pn=0, size=1250),
                    initial(v, f2, rnd, dcid=dcid, pn=1, size=1250)))
    return out


def c_bytes(b):
    lines = []
    for i in range(0, len(b), 16):
        lines.append("\t" + "".join(f"0x{x:02x}," for x in b[i:i + 16]))
    return "\n".join(lines)


def udp4(src, dst, sport, dport, payload):
    """Ethernet, IPv4 (checksummed), UDP (checksum 0) around payload."""
    l4 = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64,
                     17, 0, bytes(src), bytes(dst))
    c = sum(struct.unpack(">10H", ip))
    while c >> 16:
        c = (c & 0xffff) + (c >> 16)
    ip = ip[:10] + struct.pack(">H", ~c & 0xffff) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + l4


def pcap_frames(rfc, cs):
    """The replay capture (rules in test_replay.sh: 10.0.0.0/8 domestic,
    df c2.example and .evil.test, fd example.com).  Selected: 1-3 (one
    flow opened by an Initial, followed both ways without crypto), 5 (a
    second quic flow, frames reordered), 6 (RFC 9001 A.2 to a domestic
    server: fd), 7 (ECH, outer SNI); deleted no_match: 4 (v2, a name not
    in the table), 8 (a short header alone).  Flows: df quic 3, fd quic
    1; names ech 1."""
    d, f, f2 = (10, 1, 2, 3), (198, 51, 100, 7), (203, 0, 113, 9)
    short = bytes([0x43]) + bytes((i * 7 + 3) & 0xff for i in range(1299))
    by = {w: b for w, _, b, *_ in cs}
    return [
        udp4(d, f, 40000, 443, by["v1, one CRYPTO frame"]),
        udp4(d, f, 40000, 443, short[:80]),
        udp4(f, d, 443, 40000, short[:1250]),
        udp4(d, f, 40001, 443, by["v2, name not in the table"]),
        udp4(d, f2, 40002, 8443,
             by["v1, 2..7 CRYPTO frames reordered, PING and PADDING between (0)"]),
        udp4(f, d, 50000, 443, rfc["rfc9001_a2"]),
        udp4(d, f, 40003, 443,
             by["v1, encrypted_client_hello, outer SNI matched, ECH counted"]),
        udp4(d, f, 40004, 443, short[:1300]),
    ]


def write_pcap(path, frames):
    t0 = 1772323200		# 2026-03-01, inside the test approvals
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            out.write(struct.pack("<IIII", t0 + i, 0, len(fr), len(fr)) + fr)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--pcap":
        write_pcap(sys.argv[3], pcap_frames(rfc_check(sys.argv[2]), cases()))
        return
    rfc = rfc_check(sys.argv[1] if len(sys.argv) > 1 else ".")
    print("/* Generated by selftests/host/quic_fixtures.py: do not edit. */")
    for name, b in rfc.items():
        print(f"static const unsigned char {name}[{len(b)}] = {{\n{c_bytes(b)}\n}};")
    cs = cases()
    for i, cs_i in enumerate(cs):
        b = cs_i[2]
        print(f"static const unsigned char quic_case{i}[{len(b)}] = {{\n{c_bytes(b)}\n}};")
    print("static const struct quic_case { const char *what; int want;"
          " const unsigned char *b; unsigned int len; int ech; } quic_cases[] = {")
    for i, cs_i in enumerate(cs):
        what, want, b = cs_i[:3]
        ech = cs_i[3] if len(cs_i) > 3 else 0
        print(f'\t{{ "{what}", {want}, quic_case{i}, {len(b)}, {ech} }},')
    print("};")
    ps = pairs()
    for i, (_, p1, p2) in enumerate(ps):
        print(f"static const unsigned char quic_pair{i}a[{len(p1)}] = {{\n{c_bytes(p1)}\n}};")
        print(f"static const unsigned char quic_pair{i}b[{len(p2)}] = {{\n{c_bytes(p2)}\n}};")
    print("static const struct quic_pair { const char *what;"
          " const unsigned char *a, *b; unsigned int alen, blen; } quic_pairs[] = {")
    for i, (what, p1, p2) in enumerate(ps):
        print(f'\t{{ "{what}", quic_pair{i}a, quic_pair{i}b, {len(p1)}, {len(p2)} }},')
    print("};")


if __name__ == "__main__":
    main()
