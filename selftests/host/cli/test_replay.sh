#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# autoselctl replay on a capture made by mkpcap.py: counters, the records
# written (lengths, link type, timestamps, no canary), tunnels (with and
# without --no-decap), link types other
# than Ethernet, --now, nested indicators of different approvals, a real
# TLS client whose ClientHello spans several segments (the names events),
# QUIC client Initials (the verdicts test_quic asserts), and refusals that leave no output file behind.
. "$(dirname "$0")/lib.sh"
need_root "replay"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$HERE/rules-good.txt

tap_plan 34

j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# caplen,len of every record of a classic pcap
recs() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
o, out = 24, []
while o < len(d):
    _, _, cl, ln = struct.unpack("<IIII", d[o:o + 16])
    out.append("%d/%d" % (cl, ln))
    o += 16 + cl
print(" ".join(out))
PY
}
linktype() { python3 -c "import struct,sys; print(struct.unpack('<I', open(sys.argv[1],'rb').read()[20:24])[0])" "$1"; }

for kind in ethernet raw sll tunnel; do python3 "$HERE/mkpcap.py" "$TMP/$kind.pcap" $kind; done

run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/ethernet.pcap" --out "$TMP/out.pcap" --json
echo "$out" > "$TMP/r.json"
check "replay (Ethernet) exits 0" test "$rc" = 0 -a -z "$err"
check "every packet judged once: read 11 = seen 10 + not_run 1" \
	test "$(j "$TMP/r.json" '(d["packets_read"], d["seen"], d["not_run"])')" = "(11, 10, 1)"
check "selected 4, one deletion for each reason but fragment" \
	test "$(j "$TMP/r.json" '(d["selected"], d["deleted"], list(d["deleted_by_reason"].values()))')" = "(4, 6, [1, 1, 1, 1, 1, 1, 0])"
check "seen = selected + sum(deleted by reason)" \
	test "$(j "$TMP/r.json" 'd["seen"] == d["selected"] + sum(d["deleted_by_reason"].values())')" = True
check "kept bytes = sum of header lengths (54+54+42+62)" test "$(j "$TMP/r.json" 'd["kept_bytes"]')" = 212
check "per approval: T-FD-1 3 packets 2 flows, T-FF-1 1 packet" \
	test "$(j "$TMP/r.json" '[(a["id"], a["packets"], a["flows"]) for a in d["approvals"]]')" = "[('T-FD-1', 3, 2), ('T-FF-1', 1, 1)]"
check "per approval: flows by kind, all ip (IP indicators only), sum = flows" \
	test "$(j "$TMP/r.json" '[(list(a["flows_by_kind"].items()), sum(a["flows_by_kind"].values()) == a["flows"]) for a in d["approvals"]]')" = \
	"[([('ip', 2), ('dns', 0), ('sni', 0), ('http', 0), ('quic', 0)], True), ([('ip', 1), ('dns', 0), ('sni', 0), ('http', 0), ('quic', 0)], True)]"
run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/ethernet.pcap"
check "text: the flows by kind after the flows" \
	sh -c "echo '$out' | grep -qx 'approval T-FD-1 (slot 0, fd, .*): 3 packets, 2 flows (ip 2, dns 0, sni 0, http 0, quic 0), 362 bytes, 170 header bytes kept'"
check "records: header bytes only, wire length kept" \
	test "$(recs "$TMP/out.pcap")" = "54/118 54/118 42/106 62/126"
check "no canary in the records" sh -c "! grep -q CANARY '$TMP/out.pcap'"
check "output keeps link type and timestamps" \
	test "$(tcpdump -tt -nr "$TMP/out.pcap" 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')" = \
	"1772323200.500000 1772323201.500000 1772323205.500000 1772323208.500000 "

run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/raw.pcap" --out "$TMP/raw-out.pcap" --json
echo "$out" > "$TMP/raw.json"
check "raw IP capture: same verdicts (no ARP: 9 packets, 4 selected)" \
	test "$(j "$TMP/raw.json" '(d["seen"], d["selected"])')" = "(9, 4)"
check "raw IP capture: records of link type RAW without Ethernet" \
	test "$(linktype "$TMP/raw-out.pcap") $(recs "$TMP/raw-out.pcap")" = "101 40/104 40/104 28/92 48/112"
run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/sll.pcap" --out "$TMP/sll-out.pcap" --json
echo "$out" > "$TMP/sll.json"
check "Linux cooked capture: same verdicts, ARP is non_ip" \
	test "$(j "$TMP/sll.json" '(d["seen"], d["selected"], d["deleted_by_reason"]["non_ip"])')" = "(10, 4, 1)"
check "Linux cooked capture: records keep the 16-byte SLL header" \
	test "$(linktype "$TMP/sll-out.pcap") $(recs "$TMP/sll-out.pcap")" = "113 56/120 56/120 44/108 64/128"
check "no canary in any record" sh -c "! grep -q CANARY '$TMP/raw-out.pcap' '$TMP/sll-out.pcap'"

run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/ethernet.pcap" --now 2027-01-01T00:00:00Z --json
echo "$out" > "$TMP/now.json"
# The window is judged before the type: the df reply of the fd flow is
# expired too, not of "another direction".
check "--now after every window: nothing selected, matches counted expired" \
	test "$(j "$TMP/now.json" '(d["selected"], d["deleted_by_reason"]["expired"], d["deleted_by_reason"]["direction"])')" = "(0, 6, 0)"

# Nested indicators of two approvals: the /24 (ff) must not hide the /16
# (fd).  The fd flow (2 packets) goes to WIDE; the ff packet from
# 198.51.100.9 to 203.0.113.200 goes to NARROW.
cat > "$TMP/nested.rules" <<'R'
domestic 192.0.2.0/24
approval WIDE type fd from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z
ip 198.51.0.0/16
approval NARROW type ff from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z
ip 198.51.100.0/24
R
run "$AUTOSELCTL" replay --rules "$TMP/nested.rules" --pcap "$TMP/ethernet.pcap" --json
echo "$out" > "$TMP/nested.json"
check "a longer prefix of another approval does not hide a shorter one" \
	test "$(j "$TMP/nested.json" '[(a["id"], a["packets"]) for a in d["approvals"]]')" = "[('WIDE', 2), ('NARROW', 1)]"

# Tunnels between two domestic routers: the inner packets decide, every
# header up to the inner transport header is kept, nothing after it.
run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/tunnel.pcap" --out "$TMP/tun-out.pcap" --json
echo "$out" > "$TMP/tun.json"
check "tunnels: inner packets decide (3 selected fd, gretap inner no_match)" \
	test "$(j "$TMP/tun.json" '(d["seen"], d["selected"], d["deleted_by_reason"]["no_match"], d["deleted_by_reason"]["domestic"], [(a["id"], a["packets"], a["flows"]) for a in d["approvals"]])')" = \
	"(4, 3, 1, 0, [('T-FD-1', 3, 2), ('T-FF-1', 0, 0)])"
check "tunnels: records end at the inner transport header (VXLAN, ERSPAN II, IPIP)" \
	test "$(recs "$TMP/tun-out.pcap")" = "104/168 92/156 74/138"
check "tunnels: no canary in the records" sh -c "! grep -q CANARY '$TMP/tun-out.pcap'"
run "$AUTOSELCTL" replay --no-decap --rules "$R" --pcap "$TMP/tunnel.pcap" --out "$TMP/tun-nd.pcap" --json
echo "$out" > "$TMP/tun-nd.json"
check "--no-decap: the outer headers decide (3 domestic, gretap outer selected fd)" \
	test "$(j "$TMP/tun-nd.json" '(d["selected"], d["deleted_by_reason"]["domestic"], d["deleted_by_reason"]["no_match"])')" = "(1, 3, 0)"
check "--no-decap: the record ends at the outer IP header (GRE is payload)" \
	test "$(recs "$TMP/tun-nd.pcap")" = "34/144"

# A real client's ClientHellos over small segments (test_names has the
# per-packet verdicts): replay counts them in "names", the text too.
cat > "$TMP/sni.rules" <<'EOF2'
domestic 10.0.0.0/8
domestic fd00::/8
approval T-SNI-1 type df from 2026-01-01T00:00:00Z until 2036-01-01T00:00:00Z
domain c2.example
EOF2
"$TOP/selftests/host/names_split_clients.sh" "$TMP/split.pcap" >/dev/null 2>&1
src=$?
if [ $src = 0 ]; then
	run "$AUTOSELCTL" replay --rules "$TMP/sni.rules" --pcap "$TMP/split.pcap" --out "$TMP/split-out.pcap" --json
	echo "$out" > "$TMP/split.json"
	check "split ClientHellos: exit 0; names: 6 read over segments, none given up, no ECH" \
		test "$rc,$(j "$TMP/split.json" '(list(d["names"].items()))')" = \
		"0,[('ech', 0), ('hello_split', 6), ('hello_incomplete', 0)]"
	check "split ClientHellos: the 4 c2.example connections opened by sni, nothing kept after the headers" \
		sh -c "test \"\$0\" = \"[(4, [('ip', 0), ('dns', 0), ('sni', 4), ('http', 0), ('quic', 0)])]\" && ! grep -q CANARY '$TMP/split-out.pcap' && ! grep -q c2.example '$TMP/split-out.pcap'" \
		"$(j "$TMP/split.json" '[(a["flows"], list(a["flows_by_kind"].items())) for a in d["approvals"]]')"
	run "$AUTOSELCTL" replay --rules "$TMP/sni.rules" --pcap "$TMP/split.pcap"
	check "split ClientHellos: the text lists the names events" \
		sh -c "printf '%s\n' \"\$0\" | grep -qx '  hello_split  *6'" "$out"
else
	for i in 1 2 3; do skip "split ClientHellos" "names_split_clients.sh: exit $src"; done
fi

# QUIC client Initials that quic_fixtures.py builds with real crypto
# (its pcap_frames() lists them; test_quic judges the same packets one by
# one on the same program): replay decrypts them as the live path does.
cat > "$TMP/quic.rules" <<'EOF2'
domestic 10.0.0.0/8
approval T-QUIC-1 type df from 2026-01-01T00:00:00Z until 2036-01-01T00:00:00Z
domain c2.example
domain .evil.test
approval T-QUIC-2 type fd from 2026-01-01T00:00:00Z until 2036-01-01T00:00:00Z
domain example.com
EOF2
if /usr/bin/python3 "$TOP/selftests/host/quic_fixtures.py" --pcap "$TOP/selftests/host" "$TMP/quic.pcap" 2>"$TMP/quic.err"; then
	run "$AUTOSELCTL" replay --rules "$TMP/quic.rules" --pcap "$TMP/quic.pcap" --out "$TMP/quic-out.pcap" --json
	echo "$out" > "$TMP/quic.json"
	check "QUIC: exit 0; seen 8, selected 6, deleted 2 (no_match); names: ech 1" \
		test "$rc,$(j "$TMP/quic.json" '(d["seen"], d["selected"], d["deleted"], d["deleted_by_reason"]["no_match"], d["names"]["ech"])')" = \
		"0,(8, 6, 2, 2, 1)"
	check "QUIC: df 5 packets 3 flows, fd 1 packet 1 flow, all opened by quic; the records end at the UDP header" \
		sh -c "test \"\$0\" = \"[('T-QUIC-1', 5, 3, [('ip', 0), ('dns', 0), ('sni', 0), ('http', 0), ('quic', 3)]), ('T-QUIC-2', 1, 1, [('ip', 0), ('dns', 0), ('sni', 0), ('http', 0), ('quic', 1)])]\" && test \"\$1\" = '42/1242 42/122 42/1292 42/1242 42/1242 42/1242' && ! grep -q c2.example '$TMP/quic-out.pcap'" \
		"$(j "$TMP/quic.json" '[(a["id"], a["packets"], a["flows"], list(a["flows_by_kind"].items())) for a in d["approvals"]]')" \
		"$(recs "$TMP/quic-out.pcap")"
	run "$AUTOSELCTL" replay --rules "$TMP/quic.rules" --pcap "$TMP/quic.pcap"
	check "QUIC: the text shows the quic flows" \
		sh -c "printf '%s\n' \"\$0\" | grep -q '^approval T-QUIC-1 .*: 5 packets, 3 flows (ip 0, dns 0, sni 0, http 0, quic 3),'" "$out"
else
	for i in 1 2 3; do skip "QUIC replay" "quic_fixtures.py: $(head -1 "$TMP/quic.err")"; done
fi

printf 'not a capture\n' > "$TMP/junk.pcap"
run "$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/junk.pcap" --out "$TMP/junk-out.pcap"
check "not a capture: exit 1, one line" sh -c "[ $rc = 1 ] && [ \$(printf '%s\n' \"\$0\" | wc -l) = 1 ] && [ -z '$out' ]" "$err"
check "not a capture: no output file" sh -c "[ ! -e '$TMP/junk-out.pcap' ] && [ -z \"\$(ls '$TMP' | grep junk-out)\" ]"

python3 - "$TMP/wifi.pcap" <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 105))
PY
expect_fail "unsupported link type" 1 \
	"autoselctl: $TMP/wifi.pcap: link type IEEE802_11 is not supported" \
	"$AUTOSELCTL" replay --rules "$R" --pcap "$TMP/wifi.pcap" --out "$TMP/wifi-out.pcap"
printf 'approval X type fd from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z\n' > "$TMP/empty.rules"
expect_fail "bad rules: replay refuses before reading the capture" 1 \
	"autoselctl: $TMP/empty.rules:1: approval X has no indicators" \
	"$AUTOSELCTL" replay --rules "$TMP/empty.rules" --pcap "$TMP/ethernet.pcap" --out "$TMP/e-out.pcap"
check "no output file after refusals" sh -c "! ls '$TMP' | grep -q -e wifi-out -e e-out"
totals
