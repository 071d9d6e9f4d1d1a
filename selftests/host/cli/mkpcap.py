#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the small capture the CLI tests replay (standard library only).

Usage: mkpcap.py OUT.pcap [ethernet|raw|sll|tunnel|flows]

"flows" (Ethernet) is for test_flows.sh: many flows of both approvals of
rules-good.txt, TCP both ways and UDP one way, IPv4 and IPv6, payloads of
many sizes, with deleted traffic in between.

Every payload is the canary b"CANARY!!" repeated: it must never appear in a
record autoselctl keeps.  The expected verdicts are in the comments and in
test_replay.sh.
"""
import calendar
import socket
import struct
import sys

CANARY = b"CANARY!!" * 8


def ts(s):
    return calendar.timegm(__import__("time").strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def ip4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto,
                      0, socket.inet_aton(src), socket.inet_aton(dst))
    return hdr + l4


def ip6(src, dst, nh, l4):
    return struct.pack("!IHBB16s16s", 6 << 28, len(l4), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + l4


def tcp(sp, dp, flags=0x02, payload=CANARY):
    return struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 5 << 4, flags, 65535, 0,
                       0) + payload


def udp(sp, dp, payload=CANARY):
    return struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload


def eth(ethertype, body):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + \
        struct.pack("!H", ethertype) + body


T = ts("2026-03-01T00:00:00Z")
LATE = ts("2026-07-01T00:00:00Z")

# (time, ethertype, L3 packet) ; comment = expected verdict
PACKETS = [
    (T, 0x0800, ip4("198.51.100.7", "192.0.2.10", 6, tcp(4444, 80))),      # selected fd, 54
    (T + 1, 0x0800, ip4("192.0.2.10", "198.51.100.7", 6, tcp(80, 4444, 0x12))),  # selected (flow), 54
    (T + 2, 0x0800, ip4("192.0.2.1", "192.0.2.2", 17, udp(53, 53))),       # domestic
    (T + 3, 0x0800, ip4("8.8.8.8", "192.0.2.10", 17, udp(53, 5353))),      # no_match
    (T + 4, 0x0800, ip4("198.51.100.9", "203.0.113.200", 17, udp(1, 2))),  # direction
    (T + 5, 0x0800, ip4("203.0.113.5", "8.8.4.4", 17, udp(1000, 53))),     # selected ff, 42
    (LATE, 0x0800, ip4("203.0.113.5", "8.8.4.4", 17, udp(1001, 53))),      # expired
    (T + 6, 0x0806, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\x00" * 20),   # non_ip
    (T + 7, 0x0800, ip4("198.51.100.7", "192.0.2.10", 6, b"\x11\x5c\x00")),  # malformed
    (T + 8, 0x86DD, ip6("2001:db8:f::1", "2001:db8:d::1", 17, udp(7, 7))),  # selected fd v6, 62
]

# Tunnels between two domestic routers (192.0.2.1 -> 192.0.2.2) whose
# inner packets are what the rules judge; the last one's outer source is
# an indicator, its inner packet is not (test_replay.sh).
VXLAN = struct.pack("!BBHI", 0x08, 0, 0, 100 << 8)
GRE_S_ERSPAN = struct.pack("!HHI", 0x1000, 0x88BE, 1)
ERSPAN2 = struct.pack("!HHI", (1 << 12) | 10, 7, 0)
GRETAP = struct.pack("!HH", 0, 0x6558)
TUNNEL_PACKETS = [
    # VXLAN: inner TCP 198.51.100.7 -> 192.0.2.10, selected fd, 104
    (T, 0x0800, ip4("192.0.2.1", "192.0.2.2", 17, udp(40000, 4789, VXLAN + eth(
        0x0800, ip4("198.51.100.7", "192.0.2.10", 6, tcp(4444, 80)))))),
    # ERSPAN II: inner UDP from the same foreign host, selected fd, 92
    (T + 1, 0x0800, ip4("192.0.2.1", "192.0.2.2", 47, GRE_S_ERSPAN + ERSPAN2 + eth(
        0x0800, ip4("198.51.100.7", "192.0.2.10", 17, udp(5000, 53))))),
    # IP in IP: the TCP flow's reply, selected (flow), 74
    (T + 2, 0x0800, ip4("192.0.2.1", "192.0.2.2", 4,
                        ip4("192.0.2.10", "198.51.100.7", 6, tcp(80, 4444, 0x12)))),
    # gretap from an indicator's address: inner 8.8.8.8 -> 8.8.4.4, no_match
    (T + 3, 0x0800, ip4("198.51.100.50", "192.0.2.2", 47, GRETAP + eth(
        0x0800, ip4("8.8.8.8", "8.8.4.4", 17, udp(53, 53))))),
]


def flow_packets():
    """(time, ethertype, L3 packet) of the "flows" capture."""
    out = []
    t = T + 10
    for i in range(1, 11):         # fd, TCP: 3 packets out, 2 back
        a, b = "198.51.100.%d" % i, "192.0.2.%d" % (10 + i)
        for k in range(5):
            pl = CANARY[:8] * (1 + (i * 7 + k * 13) % 40)
            fwd = k in (0, 2, 4)
            l4 = tcp(40000 + i, 443, 0x18, pl) if fwd else tcp(443, 40000 + i, 0x18, pl)
            out.append((t, 0x0800, ip4(a, b, 6, l4) if fwd else ip4(b, a, 6, l4)))
            t += 0.05
            # in between: domestic and unmatched traffic, deleted
            out.append((t, 0x0800, ip4("192.0.2.1", "192.0.2.2", 17, udp(53, 53))))
            out.append((t, 0x0800, ip4("8.8.8.8", "192.0.2.%d" % i, 17, udp(123, 123))))
            t += 0.05
    for i in range(1, 5):          # ff, UDP one way: i packets
        for k in range(i):
            out.append((t, 0x0800, ip4("203.0.113.%d" % i, "8.8.4.4", 17,
                                       udp(5000 + i, 53, CANARY[:8] * (k + 1)))))
            t += 0.05
    for i in range(1, 4):          # fd, IPv6 UDP both ways
        a, b = "2001:db8:f::%d" % i, "2001:db8:d::%d" % i
        out.append((t, 0x86DD, ip6(a, b, 17, udp(6000 + i, 443, CANARY * i))))
        out.append((t + 0.01, 0x86DD, ip6(b, a, 17, udp(443, 6000 + i, CANARY))))
        t += 0.05
    return out


def main():
    out = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else "ethernet"
    linktype = {"ethernet": 1, "raw": 101, "sll": 113, "tunnel": 1, "flows": 1}[kind]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        frames = []
        src = {"tunnel": TUNNEL_PACKETS, "flows": flow_packets()}.get(kind, PACKETS)
        for t, et, body in src:
            if kind in ("ethernet", "tunnel", "flows"):
                frames.append((t, eth(et, body)))
            elif kind == "raw":
                if et in (0x0800, 0x86DD):
                    frames.append((t, body))
            else:
                frames.append((t, struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, et) + body))
        if kind == "ethernet":
            frames.append((T + 9, b"\x01" * 10))   # too short for test_run: not_run
        for t, fr in frames:
            sec = int(t)
            usec = 500000 + int(round((t - sec) * 1000000))
            sec, usec = sec + usec // 1000000, usec % 1000000
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
