#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# autoselctl attach/detach/stats on veth pairs in network namespaces.
#
#   ns SRC:  as-s1 (sender, many source addresses)
#       |  veth
#   ns CAP:  as-s0 (capture port, autosel attached)  and a second capture
#            pair as-t1/as-t0 (shares the rule set),
#            as-c0 -> as-c1 (collection veth; tcpdump on as-c1)
#
# autoselctl runs with nsenter --net, not `ip netns exec`, which would
# remount /sys and hide /sys/fs/bpf (and with it the pins).
. "$(dirname "$0")/lib.sh"
need_root "attach on veth"

SRC=asel-src-$$ CAP=asel-cap-$$
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-test-$$
TMP=$(mktemp -d)
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
MAC=02:00:00:00:00:aa
TCPDUMP_PID=

cleanup() {
	[ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null
	ip netns del "$SRC" 2>/dev/null
	ip netns del "$CAP" 2>/dev/null
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	rm -rf "$AUTOSEL_PIN_DIR" "$TMP"
}
trap cleanup EXIT

incap() { nsenter --net=/run/netns/"$CAP" "$@"; }
insrc() { ip netns exec "$SRC" "$@"; }
ctl() { incap "$AUTOSELCTL" "$@"; }

tap_plan 21

setup() {
	ip netns add "$SRC" && ip netns add "$CAP" || return 1
	ip link add as-s1 netns "$SRC" type veth peer name as-s0 netns "$CAP" || return 1
	ip link add as-t1 netns "$SRC" type veth peer name as-t0 netns "$CAP" || return 1
	ip -n "$CAP" link add as-c0 type veth peer name as-c1 || return 1
	for d in as-s0 as-t0 as-c0 as-c1; do
		incap sysctl -qw net.ipv6.conf.$d.disable_ipv6=1 || return 1
	done
	ip -n "$CAP" link set as-s0 address $MAC
	for d in as-s0 as-t0 as-c0 as-c1 lo; do ip -n "$CAP" link set $d up || return 1; done
	ip -n "$CAP" link set dev as-c1 xdp obj "$TMP/xdp_pass.o" sec xdp || return 1
	ip -n "$SRC" link set lo up
	ip -n "$SRC" link set as-s1 up
	ip -n "$SRC" link set as-t1 up
	for a in 198.51.100.7 192.0.2.1 203.0.113.5 8.8.8.8; do
		ip -n "$SRC" addr add $a/32 dev as-s1 || return 1
	done
	ip -n "$SRC" addr add 2001:db8:f::1/128 dev as-s1 nodad || return 1
	ip -n "$SRC" addr add 10.99.0.2/32 dev as-t1 || return 1
	# Everything goes to the capture port's MAC; no ARP/ND needed.
	ip -n "$SRC" neigh add 10.99.0.1 lladdr $MAC dev as-s1 nud permanent || return 1
	ip -n "$SRC" route add default via 10.99.0.1 dev as-s1 onlink || return 1
	ip -n "$SRC" route add 198.18.0.0/24 via 10.99.0.1 dev as-t1 onlink || return 1
	ip -n "$SRC" neigh add 10.99.0.1 lladdr $MAC dev as-t1 nud permanent || return 1
	ip -n "$SRC" -6 neigh add fe80::1 lladdr $MAC dev as-s1 nud permanent || return 1
	ip -n "$SRC" -6 route add default via fe80::1 dev as-s1 || return 1
}

setup_rig

# Nothing attached yet.
expect_fail "stats before attach" 1 \
	"autoselctl: autosel is not attached (nothing pinned in $AUTOSEL_PIN_DIR)" ctl stats
expect_fail "attach without a collection device" 2 \
	"autoselctl: attach: no collection device: autosel0 does not exist, give --collect DEV" \
	ctl attach dev as-s0 --rules "$HERE/rules-live.txt"
check "nothing pinned after a refused attach" test ! -e "$AUTOSEL_PIN_DIR"

run ctl attach dev as-s0 --rules "$HERE/rules-live.txt" --collect as-c0
check "attach dev as-s0 (native)" test "$rc" = 0
echo "# $out"
check "program attached in native mode" \
	sh -c "ip -n $CAP -d link show as-s0 | grep -q 'xdp\b\|prog/xdp id'"
check "maps pinned" test -e "$AUTOSEL_PIN_DIR/maps/counters" -a -e "$AUTOSEL_PIN_DIR/dev/as-s0"

run ctl attach dev as-t0 --generic --no-decap
check "second capture port shares the rule set (generic, no decapsulation)" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'generic mode, no decapsulation'"
# The nodecap map lists as-t0 (its ifindex at ifindex % 1024), not as-s0.
nodecap() {
	bpftool -j map dump pinned "$AUTOSEL_PIN_DIR/maps/nodecap" | python3 -c "
import json, sys
print(sorted(int.from_bytes(bytes(int(b, 16) for b in e['value']), 'little')
             for e in json.load(sys.stdin) if any(int(b, 16) for b in e['value'])))"
}
check "nodecap holds exactly as-t0's ifindex" \
	test "$(nodecap)" = "[$(ip -n "$CAP" -o link show as-t0 | cut -d: -f1)]"
expect_fail "second attach with --rules is refused" 1 \
	"autoselctl: a rule set is already in force (pinned in $AUTOSEL_PIN_DIR); detach every interface to load another" \
	ctl attach dev as-c1 --rules "$HERE/rules-live.txt"
expect_fail "attaching twice to one port is refused" 1 \
	"autoselctl: as-s0: autosel is already attached" ctl attach dev as-s0

incap timeout 20 tcpdump -i as-c1 -Q in -U -n -w "$TMP/col.pcap" udp 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q listening "$TMP/tcpdump.err" && break; sleep 0.1; done

insrc python3 "$HERE/send.py" 198.51.100.7 192.0.2.10 3     # fd: selected
insrc python3 "$HERE/send.py" 192.0.2.1 192.0.2.10 2        # dd: domestic
insrc python3 "$HERE/send.py" 203.0.113.5 8.8.4.4 2         # ff, window over: expired
insrc python3 "$HERE/send.py" 8.8.8.8 192.0.2.10 1          # no_match
insrc python3 "$HERE/send.py" 2001:db8:f::1 2001:db8:d::1 1 # fd IPv6: selected
insrc python3 "$HERE/send.py" 10.99.0.2 198.18.0.1 2        # via as-t0: no_match
sleep 1
kill "$TCPDUMP_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null
TCPDUMP_PID=

run ctl stats --json
echo "$out" > "$TMP/stats.json"
jget() { python3 -c "import json,sys; d=json.load(open('$TMP/stats.json')); print(eval(sys.argv[1]))" "$1"; }
check "stats --json works" test "$rc" = 0
check "selected = 4 (3 IPv4 + 1 IPv6 of approval L-FD)" test "$(jget 'd["selected"]')" = 4
check "domestic = 2, expired = 2" \
	test "$(jget 'd["deleted_by_reason"]["domestic"]'),$(jget 'd["deleted_by_reason"]["expired"]')" = "2,2"
check "no_match >= 3 (both capture ports count)" test "$(jget 'd["deleted_by_reason"]["no_match"]')" -ge 3
check "seen = selected + sum(deleted by reason)" \
	test "$(jget 'd["seen"] == d["selected"] + sum(d["deleted_by_reason"].values())')" = True
check "per-approval counters: L-FD 4 packets, 2 flows" \
	test "$(jget '[(a["id"], a["packets"], a["flows"]) for a in d["approvals"]]')" = "[('L-FD', 4, 2), ('L-OLD', 0, 0)]"

tcpdump -r "$TMP/col.pcap" -n 2>/dev/null > "$TMP/col.txt"
echo "# collection capture:"; sed 's/^/#   /' "$TMP/col.txt"
check "collection device got exactly the 4 selected records" test "$(wc -l < "$TMP/col.txt")" = 4
check "records are header-only, no canary reached the collection device" \
	sh -c "! grep -q CANARY '$TMP/col.pcap' && [ \$(python3 -c \"
import struct
d=open('$TMP/col.pcap','rb').read(); o=24; m=0
while o < len(d):
    cl=struct.unpack('<IIII', d[o:o+16])[2]; m=max(m,cl); o+=16+cl
print(m)\") -le 62 ]"

run ctl detach dev as-s0
check "detach as-s0 keeps the shared state for as-t0" test "$rc" = 0 -a -e "$AUTOSEL_PIN_DIR/maps/counters"
run ctl detach dev as-t0
check "detach of the last port removes the pins and the program" \
	sh -c "[ $rc = 0 ] && [ ! -e $AUTOSEL_PIN_DIR ] && ! ip -n $CAP link show as-s0 | grep -q xdp"
totals
