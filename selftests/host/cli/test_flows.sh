#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow records from the kept records, by standard tools: a capture replayed
# through autosel (mkpcap.py flows), its header-only records turned into
# IPFIX by softflowd and received by nfcapd on loopback; nfdump's flows,
# packets and bytes against autosel's counters.  softflowd counts a
# packet's bytes as its frame length -- the pcap record's wire length, not
# the captured length, not the IP length field -- less the link header.
# replay --out writes each record with the original wire length, so here
# the flow bytes are the original IP lengths (selected_bytes - 14 per
# record), not the kept bytes; on autosel0 the frame itself is the
# header-only record, so there they are the kept bytes less 14 per record
# (selftests/vm/tests/flows_live.sh).  Per approval: the records tagged
# with the approval's VLAN id (slot + 1, as autosel0 tags them) and
# softflowd's filter 'vlan VID' export exactly that approval's packets.
. "$(dirname "$0")/lib.sh"
need_root "replay"
for t in softflowd nfcapd nfdump; do
	if ! command -v $t >/dev/null; then
		tap_plan 1
		skip "flow export" "$t not installed (make deps: softflowd, nfdump)"
		totals
		exit 0
	fi
done

TMP=$(mktemp -d)
NFCAPD_PID=
cleanup() {
	[ -n "$NFCAPD_PID" ] && kill "$NFCAPD_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$((20000 + $$ % 20000))

tap_plan 9

j() { python3 -c "import json,sys; d=json.load(open('$TMP/r.json')); print(eval(sys.argv[1]))" "$1"; }

python3 "$HERE/mkpcap.py" "$TMP/in.pcap" flows
run "$AUTOSELCTL" replay --rules "$HERE/rules-good.txt" --pcap "$TMP/in.pcap" --out "$TMP/kept.pcap" --json
echo "$out" >"$TMP/r.json"
check "replay: 66 of 166 packets kept as records, 17 flows (13 fd, 4 ff)" \
	test "$rc,$(j '(d["seen"], d["selected"], d["records_written"], [(a["id"], a["flows"]) for a in d["approvals"]])')" = \
	"0,(166, 66, 66, [('T-FD-1', 13), ('T-FF-1', 4)])"

# collect NAME [FILTER]: nfcapd on 127.0.0.1:$PORT into $TMP/NAME, softflowd
# exports the records in $TMP/NAME.pcap as IPFIX (-v 10) with capture
# timestamps (-a), nfcapd is stopped once its socket is drained.  Every
# wait is bounded.
collect() {
	local name=$1
	shift
	mkdir "$TMP/$name"
	nfcapd -b 127.0.0.1 -p $PORT -w "$TMP/$name" -t 3600 >"$TMP/$name.nfcapd" 2>&1 &
	NFCAPD_PID=$!
	for _ in $(seq 50); do
		ss -Hnlu "sport = :$PORT" | grep -q . && break
		sleep 0.1
	done
	timeout 20 softflowd -r "$TMP/$name.pcap" -n 127.0.0.1:$PORT -v 10 -a -d "$@" \
		>"$TMP/$name.softflowd" 2>&1
	local src=$?
	for _ in $(seq 50); do
		[ "$(ss -Hnlu "sport = :$PORT" | awk '{ print $2 }')" = 0 ] && break
		sleep 0.1
	done
	kill -TERM "$NFCAPD_PID"
	for _ in $(seq 50); do kill -0 "$NFCAPD_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$NFCAPD_PID" 2>/dev/null
	NFCAPD_PID=
	return $src
}
# flows NAME [FILTER]: "flows packets bytes" nfdump read from $TMP/NAME.
flows() {
	nfdump -R "$TMP/$1" -q -o 'fmt:%pkt %byt' ${2:+"$2"} |
		awk '{ f++; p += $1; b += $2 } END { print f + 0, p + 0, b + 0 }'
}

cp "$TMP/kept.pcap" "$TMP/all.pcap"
collect all; crc=$?
check "softflowd read the 66 records and exported 30 flow records, nfcapd stored them" \
	sh -c "[ $crc = 0 ] && grep -q '^Packets processed: 66\$' '$TMP/all.softflowd' && grep -q '^Flows exported: 17 (30 records)' '$TMP/all.softflowd' && ls '$TMP/all' | grep -q '^nfcapd\.[0-9]'"
read -r nf np nb <<<"$(flows all)"
check "nfdump: 30 flows = autosel's 17 flows, each direction one record (10 TCP x 2, 4 UDP one way, 3 IPv6 x 2)" \
	test "$nf" = 30
# The same from the records themselves: directed 5-tuples, and undirected.
tuples() {
	python3 - "$TMP/kept.pcap" <<'PY'
import socket, struct, sys
d = open(sys.argv[1], "rb").read()
o, directed = 24, set()
while o < len(d):
    _, _, cl, _ = struct.unpack("<IIII", d[o:o + 16])
    f = d[o + 16:o + 16 + cl]
    o += 16 + cl
    if f[12:14] == b"\x08\x00":
        ihl = (f[14] & 15) * 4
        k = (f[23], f[26:30], f[30:34], f[14 + ihl:16 + ihl], f[16 + ihl:18 + ihl])
    else:
        k = (f[20], f[22:38], f[38:54], f[54:56], f[56:58])
    directed.add(k)
undirected = {(k[0],) + tuple(sorted([(k[1], k[3]), (k[2], k[4])])) for k in directed}
print(len(directed), len(undirected))
PY
}
check "... as many as the records' directed 5-tuples; their undirected ones = the sum of the approvals' flows" \
	test "$(tuples)" = "$nf $(j 'sum(a["flows"] for a in d["approvals"])')"
check "nfdump packets = selected = records written (66)" \
	test "$np,$np" = "$(j 'd["selected"]'),$(j 'd["records_written"]')"
check "nfdump bytes = the records' wire lengths less Ethernet = selected_bytes - 14 x records ($nb), not the kept bytes" \
	test "$nb,$nb" = "$(j 'd["selected_bytes"] - 14 * d["selected"]'),$(j 'd["selected_bytes"] - 14 * d["selected"]')" -a "$nb" != "$(j 'd["kept_bytes"] - 14 * d["selected"]')"
check "per approval by address: T-FD-1 56 packets, T-FF-1 10 (nfdump filters = autosel's counters)" \
	test "$(flows all 'net 198.51.100.0/24 or net 2001:db8:f::/48' | cut -d' ' -f2) $(flows all 'net 203.0.113.0/25' | cut -d' ' -f2)" = \
	"$(j '" ".join(str(a["packets"]) for a in d["approvals"])')"
check "no canary in the records or the flow files" sh -c "! grep -rq CANARY '$TMP/kept.pcap' '$TMP/all'"

# As on autosel0: each record tagged with its approval's VLAN id (slot + 1).
python3 - "$TMP/kept.pcap" "$TMP/vlan2.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, o = [d[:24]], 24
while o < len(d):
    s, u, cl, ln = struct.unpack("<IIII", d[o:o + 16])
    f = d[o + 16:o + 16 + cl]
    o += 16 + cl
    vid = 2 if f[12:14] == b"\x08\x00" and f[26:29] == bytes([203, 0, 113]) else 1
    out.append(struct.pack("<IIII", s, u, cl + 4, ln + 4) + f[:12] + struct.pack("!HH", 0x8100, vid) + f[12:])
open(sys.argv[2], "wb").write(b"".join(out))
PY
collect vlan2 'vlan 2'
check "records tagged as on autosel0, softflowd 'vlan 2': T-FF-1 (slot 1) alone, 4 flows, 10 packets, wire lengths less 18" \
	test "$(flows vlan2)" = "4 $(j 'd["approvals"][1]["packets"]') $(j 'd["approvals"][1]["bytes"] - 14 * d["approvals"][1]["packets"]')"
totals
