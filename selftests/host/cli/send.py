#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""send.py SRC DST COUNT: COUNT UDP datagrams SRC:4000 -> DST:5000 carrying
the canary.  The sender's port is fixed so they form one flow."""
import socket
import sys

src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in src else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((src, 4000))
for _ in range(count):
    s.sendto(b"CANARY!!" * 8, (dst, 5000))
