#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The built-in demonstration (`make demo`): a recorded day at a capture port
# judged by the very XDP program that runs on a router, through
# `autoselctl replay` (BPF_PROG_TEST_RUN; no module needed).  Every line it
# prints is explained in Documentation/demo.rst.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/demo
CTL=$ROOT/build/autoselctl
RULES=$ROOT/user/demo/demo.rules
mkdir -p "$OUT"

echo "== autosel demo: the rule set (user/demo/demo.rules)"
"$CTL" rules check "$RULES"

echo
echo "== the capture: 13 packets at a capture port, payloads carry a canary"
python3 "$ROOT/user/demo/mkdemo.py" "$OUT/capture.pcap"
tcpdump -nn -r "$OUT/capture.pcap" 2>/dev/null | cut -c1-110

echo
echo "== autoselctl replay: each packet judged at its capture time"
"$CTL" replay --rules "$RULES" --pcap "$OUT/capture.pcap" --out "$OUT/kept.pcap"

echo
echo "== what was kept (tcpdump -r build/demo/kept.pcap): headers only"
tcpdump -nn -r "$OUT/kept.pcap" 2>/dev/null | cut -c1-110

echo
count() { { grep -a -o 'CANARY-CONTENT' "$1" || true; } | wc -l; }
in_capture=$(count "$OUT/capture.pcap")
in_kept=$(count "$OUT/kept.pcap")
echo "== canary \"CANARY-CONTENT\": in the capture $in_capture times, in the kept records $in_kept times"
if [ "$in_kept" != 0 ]; then
	echo "demo: content reached the kept records" >&2
	exit 1
fi
echo "demo: done; records in build/demo/kept.pcap"
