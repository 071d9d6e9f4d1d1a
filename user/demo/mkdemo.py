#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the demo capture (standard library only): mkdemo.py OUT.pcap [EPOCH]

A short day at a capture port, every payload carrying the canary
"CANARY-CONTENT" that must never appear in what autosel keeps.  The frame
builders are the CLI tests' (selftests/host/cli/mkpcap.py).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "selftests", "host", "cli"))
from mkpcap import eth, ip4, ip6, tcp, udp, ts  # noqa: E402


def dns_query(name):
    """A DNS query for name (type A), its question as on the wire."""
    qname = b"".join(bytes([len(label)]) + label.encode()
                     for label in name.split(".") if label) + b"\0"
    return struct.pack("!HHHHHH", 0x1d0e, 0x0100, 1, 0, 0, 0) + qname + \
        struct.pack("!HH", 1, 1)

CANARY = b"CANARY-CONTENT " * 4
T = int(sys.argv[2]) if len(sys.argv) > 2 else ts("2026-07-15T09:00:00Z")
C2, VICTIM = "198.51.100.23", "192.0.2.10"

packets = [
    # A foreign C2 server opens a TCP session to a domestic host and sends
    # a command; the victim answers (selected both ways: the flow follows).
    (T + 0, 0x0800, ip4(C2, VICTIM, 6, tcp(443, 51000, 0x02, b""))),
    (T + 1, 0x0800, ip4(VICTIM, C2, 6, tcp(51000, 443, 0x12, b""))),
    (T + 2, 0x0800, ip4(C2, VICTIM, 6, tcp(443, 51000, 0x18, CANARY))),
    (T + 3, 0x0800, ip4(VICTIM, C2, 6, tcp(51000, 443, 0x18, CANARY))),
    (T + 4, 0x0800, ip4(C2, VICTIM, 6, tcp(443, 51000, 0x11, b""))),
    # The same C2 over IPv6, UDP.
    (T + 5, 0x86DD, ip6("2001:db8:bad::7", "2001:db8:d::10", 17,
                        udp(7000, 7000, CANARY))),
    # Ordinary traffic: domestic to domestic, foreign to domestic, transit.
    (T + 6, 0x0800, ip4("192.0.2.10", "192.0.2.20", 6, tcp(40000, 80, 0x18, CANARY))),
    (T + 7, 0x0800, ip4("8.8.8.8", VICTIM, 17, udp(53, 40001, CANARY))),
    (T + 8, 0x0800, ip4("203.0.113.9", "8.8.4.4", 17, udp(5000, 53, CANARY))),
    # A domestic host talks to the C2 first: the approval is fd, this is df.
    (T + 9, 0x0800, ip4("192.0.2.30", C2, 6, tcp(40002, 443, 0x02, CANARY))),
    # Transit to the botnet controller, after its approval ended in June.
    (T + 10, 0x0800, ip4("203.0.113.9", "203.0.113.66", 17, udp(6000, 6881, CANARY))),
    # A domestic host asks a foreign resolver for a name under c2.example.
    (T + 11, 0x0800, ip4("192.0.2.30", "203.0.113.53", 17,
                         udp(40003, 53, dns_query("update.C2.example.") + CANARY))),
    # ARP, and a frame cut inside its TCP header.
    (T + 12, 0x0806, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\x00" * 20),
    (T + 13, 0x0800, ip4(C2, VICTIM, 6, b"\x01\xbb\xc7")),
]

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for t, et, body in packets:
        fr = eth(et, body)
        f.write(struct.pack("<IIII", t, 0, len(fr), len(fr)) + fr)
