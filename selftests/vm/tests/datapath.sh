#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# datapath.sh - VM test: the data path through autosel.ko.
#
# A veth pair: "vout" in namespace "peer" sends, "vin" in the initial
# namespace receives and runs the test XDP program (selftests/vm/progs/
# as_test.bpf.c).  That program judges by a rule table, accounts every
# verdict through the module's kfuncs and redirects selected frames WHOLE
# (no truncation) with struct as_meta to autosel0.  We send real ICMP/ICMPv6
# (busybox ping) and crafted frames with a canary after their headers (TCP
# with options, 802.1Q, DNS, IPv6 with a hop-by-hop header, malformed,
# non-IP), capture autosel0 with tcpdump and check: records are header-only
# (the module enforces it on its own), no canary, 802.1Q VID = slot + 1,
# sysfs counters equal exactly what was sent, seen = selected + deletions,
# counters survive detach/re-attach/rule update and never go backwards,
# rmmod fails while a program uses the kfuncs and works after detach.
#
# Needs in PATH: astest and as_test.bpf.o (run-vm.sh -f), ip, tcpdump.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
OBJ=${AS_TEST_OBJ:-/opt/autosel/as_test.bpf.o}
CAP=/tmp/autosel0.pcap

COUNTERS="seen seen_bytes selected selected_bytes kept_bytes
discarded_payload_bytes deleted deleted_bytes deleted_no_match
deleted_domestic deleted_direction deleted_expired deleted_malformed
deleted_non_ip deleted_fragment names_ech names_hello_split
names_hello_incomplete records record_bytes enforced
records_dropped stack_dropped invalid_calls generation"
snapshot() { for x in $COUNTERS; do printf '%s=%s\n' $x "$(c $x)"; done; }

# never_back OLD NEW: every counter in NEW >= the same one in OLD.
never_back() {
	echo "$1" | while IFS== read -r k v; do
		nv=$(echo "$2" | sed -n "s/^$k=//p")
		[ "$nv" -ge "$v" ] || { echo "# $k went back: $v -> $nv"; exit 1; }
	done
}

# Totals of what we send, by verdict.
SEL_N=0 SEL_W=0 REC_N=0 REC_H=0 REC_W=0 DEL_N=0 DEL_W=0 ENF_N=0 ENF_W=0

# send KIND SHAPE COUNT PORT: KIND rec (selected, must become a record),
# enf (selected, autosel0 must refuse it) or del (deleted by the program).
send() {
	out=$(pns astest send vout "$VIN_MAC" "$2" "$3" "$4") || bail "send $2"
	set -- "$1" $out
	case "$1" in
	rec) SEL_N=$((SEL_N + $3)); SEL_W=$((SEL_W + $5))
	     REC_N=$((REC_N + $3)); REC_W=$((REC_W + $5)); REC_H=$((REC_H + $7)) ;;
	enf) SEL_N=$((SEL_N + $3)); SEL_W=$((SEL_W + $5))
	     ENF_N=$((ENF_N + $3)); ENF_W=$((ENF_W + $5)) ;;
	del) DEL_N=$((DEL_N + $3)); DEL_W=$((DEL_W + $5)) ;;
	esac
}

echo "TAP version 13"
echo "1..30"

[ -f "$OBJ" ] || bail "$OBJ missing"
dmesg -c >/dev/null 2>&1
load_module
start_capture autosel0 $CAP	# waited for before the traffic
make_peer
pns ip addr add 10.99.0.1/24 dev vout
pns ip -6 addr add fd00:99::1/64 dev vout nodad
# Static neighbours: no ARP/ND in front of the pings.
pns ip neigh add 10.99.0.2 lladdr "$VIN_MAC" dev vout nud permanent
pns ip -6 neigh add fd00:99::2 lladdr "$VIN_MAC" dev vout nud permanent

# Approvals for slots 1..5, so per-approval counts can be checked.
NOW=$(date +%s)
SHA=5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d
for s in 1 2 3 4 5; do
	astest write $S/control "approval $s T-$s ff $((NOW - 60)) $((NOW + 3600)) 1 $SHA" >/dev/null ||
		bail "approval $s"
done
astest write $S/control "generation 1" >/dev/null

RULES="4:1:8=sel:1 4:6:8080=sel:2 4:17:53=sel:3 6:17:53=sel:3 6:58:128=sel:4
6:6:443=sel:5 255:0:2048=sel:6 4:17:7999=sel:200 4:17:6999=del:99
255:0:34525=del:4 0:0:34997=del:5"
r=0
while [ $r -lt 7 ]; do
	RULES="$RULES 4:17:$((6000 + r))=del:$r"
	r=$((r + 1))
done

# shellcheck disable=SC2086 # RULES is a list
check "attach the test program (native XDP) to vin" astest attach vin "$OBJ" $RULES
ip link show vin | grep -q 'xdp' || echo "# vin shows no xdp"

wait_capture
ok $? "tcpdump listens on autosel0"

# ---- traffic ---------------------------------------------------------------
# busybox ping: 56 data bytes; frames of 98 (IPv4) and 118 (IPv6) bytes.
pns ping -c 3 -W 1 10.99.0.2 >/dev/null 2>&1
SEL_N=$((SEL_N + 3)) SEL_W=$((SEL_W + 3 * 98)) REC_N=$((REC_N + 3))
REC_W=$((REC_W + 3 * 98)) REC_H=$((REC_H + 3 * 42))
pns ping -6 -c 2 -W 1 fd00:99::2 >/dev/null 2>&1
SEL_N=$((SEL_N + 2)) SEL_W=$((SEL_W + 2 * 118)) REC_N=$((REC_N + 2))
REC_W=$((REC_W + 2 * 118)) REC_H=$((REC_H + 2 * 62))

send rec icmp4 2 0
send rec tcp4 4 8080
send rec vlan4 2 8080
send rec dns4 3 53
send rec udp6 2 53
send rec tcp6 3 443
send rec udp4 1 7999	# invalid slot 200: counted selected, VID 4094
send enf bad4 2 80	# selected whole, but autosel0 cannot parse it
send del udp4 2 6999	# invalid reason 99: counted as malformed
send del bad6 3 80
send del nonip 2 0
r=0
while [ $r -lt 7 ]; do
	send del udp4 $((r + 1)) $((6000 + r))
	r=$((r + 1))
done

wait_for seen $((SEL_N + DEL_N))
ok $? "seen = $((SEL_N + DEL_N)), every packet sent to a rule"
wait_for records $REC_N
ok $? "records = $REC_N"
stop_capture

# ---- counters ----------------------------------------------------------------
bad=0
for kv in "selected $SEL_N" "selected_bytes $SEL_W" "deleted $DEL_N" \
	  "deleted_bytes $DEL_W" "seen_bytes $((SEL_W + DEL_W))" \
	  "enforced $ENF_N" "kept_bytes $REC_H" \
	  "discarded_payload_bytes $((REC_W - REC_H))" \
	  "record_bytes $((REC_H + 4 * REC_N))" "records_dropped 0" \
	  "stack_dropped 0" "invalid_calls 3" "generation 1"; do
	set -- $kv
	[ "$(c "$1")" = "$2" ] || { echo "# $1 = $(c "$1"), expected $2"; bad=1; }
done
ok $bad "global counters equal exactly what was sent"

bad=0
r=0
for name in no_match domestic direction expired malformed non_ip fragment; do
	exp=$((r + 1))
	[ $name = malformed ] && exp=$((exp + 2 + 3))
	[ $name = non_ip ] && exp=$((exp + 2))
	[ "$(c deleted_$name)" = $exp ] || { echo "# deleted_$name = $(c deleted_$name), expected $exp"; bad=1; }
	r=$((r + 1))
done
ok $bad "deleted_<reason> equal what was sent for each reason"

balanced
ok $? "seen = selected + sum(deleted_<reason>), deleted = sum(deleted_<reason>)"

[ "$(c selected_bytes)" = $(($(c kept_bytes) + $(c discarded_payload_bytes) + ENF_W)) ]
ok $? "selected_bytes = kept_bytes + discarded_payload_bytes + bytes of enforced frames"

# slot: packets flows wire-bytes kept-bytes (TCP frames are PSH|ACK: no flow)
bad=0
for exp in "1 5 5 $((3 * 98 + 2 * 242)) $((3 * 42 + 2 * 42))" \
	   "2 6 0 $((4 * 266 + 2 * 258)) $((4 * 66 + 2 * 58))" \
	   "3 5 5 $((3 * 86 + 2 * 262)) $((3 * 42 + 2 * 62))" \
	   "4 2 2 $((2 * 118)) $((2 * 62))" \
	   "5 3 0 $((3 * 282)) $((3 * 82))"; do
	set -- $exp
	A=$S/approvals/T-$1
	got="$(cat $A/selected_packets) $(cat $A/selected_flows) $(cat $A/selected_bytes) $(cat $A/kept_bytes)"
	[ "$got" = "$2 $3 $4 $5" ] || { echo "# T-$1: got '$got', expected '$2 $3 $4 $5'"; bad=1; }
done
ok $bad "approvals/T-N: selected_packets, selected_flows, selected_bytes, kept_bytes per slot"

# The audit view after the first round, for the log.
find $S -type f ! -name control | sort | while read -r f; do
	printf '# %s = %s\n' "${f#$S/}" "$(cat "$f")"
done

st=/sys/class/net/autosel0/statistics
[ "$(cat $st/tx_packets)" = "$(c records)" ] &&
[ "$(cat $st/tx_bytes)" = "$(c record_bytes)" ] &&
[ "$(cat $st/tx_dropped)" = "$ENF_N" ]
ok $? "autosel0 statistics: tx_packets = records, tx_dropped = enforced"

# ---- the capture ---------------------------------------------------------------
pc=$(astest pcapcheck $CAP AUTOSEL-CANARY)
ok $? "every record parses, ends exactly after its headers, carries an outer 802.1Q tag"
echo "$pc" | sed 's/^/# /'
echo "$pc" | grep -q "^records $REC_N bytes $((REC_H + 4 * REC_N)) hdr_bytes $REC_H\$"
ok $? "the capture holds exactly the $REC_N records (nothing else on autosel0)"
! grep -q CANARY $CAP
ok $? "no canary byte sequence anywhere in the capture"
[ "$(echo "$pc" | grep '^vid' | tr '\n' ' ')" = "vid 2 5 vid 3 6 vid 4 5 vid 5 2 vid 6 3 vid 4094 1 " ]
ok $? "VIDs: slot + 1 per approval, 4094 for the frame with an invalid slot"
[ "$(tcpdump -r $CAP -nn 'vlan 3 and vlan 100' 2>/dev/null | wc -l)" = 2 ]
ok $? "an 802.1Q frame keeps its own tag inside the slot tag"
tcpdump -r $CAP -nn -e 2>/dev/null | head -n 14 | sed 's/^/# tcpdump: /'
tcpdump -r $CAP -nn -e 2>/dev/null | grep -q 'vlan 2, p 0, ethertype IPv4.*ICMP echo request'
ok $? "tcpdump decodes records (ICMP echo request under vlan 2)"

# ---- nothing the stack sends leaves through autosel0 -------------------------
before=$(c records)
astest send autosel0 02:00:00:00:00:01 udp4 1 9 >/dev/null
[ "$(c stack_dropped)" = 1 ] && [ "$(c records)" = "$before" ]
ok $? "a packet sent through autosel0 by the stack is dropped and counted"

# ---- detach, re-attach, rule update --------------------------------------------
snap1=$(snapshot)
check "detach" astest detach vin
send del tcp4 2 8080	# no program: must not be counted
sleep 0.5
snap2=$(snapshot)
[ "$snap1" = "$snap2" ]
ok $? "counters unchanged after detach, traffic without a program is not counted"
DEL_N=$((DEL_N - 2)) DEL_W=$((DEL_W - 2 * 266))

# Rule update: TCP 8080 is now deleted as no_match.
RULES2="4:6:8080=del:0 4:1:8=sel:1"
# shellcheck disable=SC2086
check "re-attach with updated rules" astest attach vin "$OBJ" $RULES2
send del tcp4 2 8080
send rec icmp4 1 0
wait_for seen $((SEL_N + DEL_N))
ok $? "counting resumes after re-attach: seen = $((SEL_N + DEL_N))"
wait_for records $REC_N
[ "$(c deleted_no_match)" = 3 ] && [ "$(c selected)" = $SEL_N ]
ok $? "rule update applied: deleted_no_match = 3, selected = $SEL_N"
snap3=$(snapshot)
never_back "$snap1" "$snap3"
ok $? "no counter went backwards across detach, re-attach and rule update"
# shellcheck disable=SC2086
astest attach vin "$OBJ" $RULES2 && never_back "$snap3" "$(snapshot)"
ok $? "replacing the program in place does not reset anything"

# ---- unload ---------------------------------------------------------------------
out=$(rmmod autosel 2>&1)
r=$?
echo "# rmmod while attached: rc=$r $out"
[ $r != 0 ] && grep -q '^autosel ' /proc/modules && [ -d $S ]
ok $? "rmmod fails while a program uses the kfuncs; module and sysfs intact"
snap4=$(snapshot)
[ "$snap4" = "$(snapshot)" ] && never_back "$snap3" "$snap4"
ok $? "counters intact after the refused rmmod"
check "detach" astest detach vin
unload && [ ! -e $S ] && ! ip link show autosel0 >/dev/null 2>&1
ok $? "rmmod works after detach; sysfs and autosel0 are gone"
dmesg | grep 'autosel: unloading' | sed 's/^/# dmesg: /'
dmesg | grep -q "autosel: unloading: seen $((SEL_N + DEL_N)) selected $SEL_N deleted $DEL_N records $REC_N enforced $ENF_N"
ok $? "unload logs the final counts"
! dmesg | grep -qiE 'BUG|WARNING|leak'
ok $? "no kernel warnings"

ip netns del peer 2>/dev/null
[ "$fails" = 0 ]
