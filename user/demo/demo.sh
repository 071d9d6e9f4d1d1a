#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The built-in demonstration (`make demo`).  A demo Commission (keys made on
# the spot, never kept) signs a domestic map and three approvals; the
# operator installs what the trust rules allow into a demo state directory;
# then a recorded capture is judged by the very XDP program that runs on a
# router, through `autoselctl replay` (BPF_PROG_TEST_RUN: no module, no
# capture port needed).  Every block it prints is explained in
# Documentation/demo.rst.  Everything it writes stays under build/demo/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/demo
CTL=$ROOT/build/autoselctl
COM=$OUT/commission

# The audit log is append-only (chattr +a): lift that before cleaning up.
chattr -a "$OUT/audit.log" 2>/dev/null || true
rm -rf "$OUT"
mkdir -p "$COM"
export AUTOSEL_STATE_DIR=$OUT/state
export AUTOSEL_TRUST=$COM/trust
export AUTOSEL_AUDIT_LOG=$OUT/audit.log
cd "$OUT"

NOW=$(date +%s)
t() { date -u -d "@$((NOW + $1))" +%Y-%m-%dT%H:%M:%SZ; }
DAY=86400
say() { printf '\n== %s\n' "$*"; }
# Show a command, run it, and go on even if it is refused.
try() {
	echo "\$ autoselctl $*"
	"$CTL" "$@" || echo "   (exit status $?: refused, nothing changed)"
}

say "a demo Commission: five members, quorum three (keys made now, in build/demo/commission)"
for m in 1 2 3 4 5; do
	"$CTL" bundle keygen --out "$COM/member$m" --name "member$m" >/dev/null
done
{ echo "autosel-trust 1"; echo "quorum 3"; cat "$COM"/member*.pub; } >"$AUTOSEL_TRUST"
cat "$AUTOSEL_TRUST"

sign() {
	local b=$1
	shift
	for m in "$@"; do
		"$CTL" bundle sign --key "$COM/member$m.key" "$b" >/dev/null
	done
}

say "the Commission creates and signs the domestic map and three approvals"
printf 'ip 192.0.2.0/24\nip 2001:db8:d::/48\n' |
	"$CTL" bundle create --kind domestic-map --id DEMO-DOMESTIC --serial 1 \
		--out domestic.b >/dev/null
sign domestic.b 1 2 3
printf 'ip 198.51.100.0/24\nip 2001:db8:bad::/48\n' |
	"$CTL" bundle create --kind approval --id DEMO-FD-0001 --type fd \
		--from "$(t $((-30 * DAY)))" --until "$(t $((30 * DAY)))" \
		--serial 1 --out fd.b >/dev/null
sign fd.b 1 2
printf 'domain .c2.example\n' |
	"$CTL" bundle create --kind approval --id DEMO-DF-0003 --type df \
		--from "$(t $((-30 * DAY)))" --until "$(t $((30 * DAY)))" \
		--serial 1 --out df.b >/dev/null
sign df.b 2 4 5
printf 'ip 203.0.113.66\n' |
	"$CTL" bundle create --kind approval --id DEMO-FF-0002 --type ff \
		--from "$(t $((-60 * DAY)))" --until "$(t $((-1 * DAY)))" \
		--serial 1 --out ff.b >/dev/null
sign ff.b 1 3 5
sed -n '1,/^end$/p' fd.b
echo "(then one 'signature KEYID BASE64' line per member who signed)"

say "the operator installs them: only what the Commission's quorum approved, in its window"
try install domestic.b
try install fd.b
echo "member3 signs DEMO-FD-0001 too:"
sign fd.b 3
try install fd.b
try install df.b
try install ff.b
try status

say "the capture: 14 packets at a capture port in the last ten minutes, payloads carry a canary"
python3 "$ROOT/user/demo/mkdemo.py" capture.pcap $((NOW - 600))
tcpdump -nn -r capture.pcap 2>/dev/null | cut -c1-110

say "autoselctl replay --state: each packet judged at its capture time by the rules in force"
"$CTL" replay --state "$AUTOSEL_STATE_DIR" --pcap capture.pcap --out kept.pcap

say "what the Commission reports to the Diet for this traffic (replay --report)"
"$CTL" replay --state "$AUTOSEL_STATE_DIR" --pcap capture.pcap --report

say "what was kept (tcpdump -r build/demo/kept.pcap): headers only"
tcpdump -nn -r kept.pcap 2>/dev/null | cut -c1-110

say "the audit log (build/demo/audit.log)"
cut -c1-160 "$AUTOSEL_AUDIT_LOG"

count() { { grep -a -o 'CANARY-CONTENT' "$1" || true; } | wc -l; }
in_capture=$(count capture.pcap)
in_kept=$(count kept.pcap)
say "canary \"CANARY-CONTENT\": in the capture $in_capture times, in the kept records $in_kept times"
if [ "$in_kept" != 0 ] || [ "$in_capture" = 0 ]; then
	echo "demo: FAILED: content reached the kept records" >&2
	exit 1
fi
chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null || true
echo "demo: done; everything is in build/demo/"
