#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# live.sh - VM test: the REAL filter (xdp/autosel.bpf.c, kfunc flavour,
# embedded in autoselctl) on a live port, counting through autosel.ko.
#
# A veth pair: "vout" in namespace "peer" sends, "vin" in the initial
# namespace (with autosel0, which cannot leave it) is the capture port.
# `autoselctl attach dev vin --rules F` must pick autosel_kf.bpf.o.  The
# rules make 10.99.0.2 / fd00:99::2 (the receiver) domestic and approve
# the sender 10.99.0.1 / fd00:99::1 (fd, slot 1); other source addresses
# of the peer give no_match (.3), domestic (.10), direction (.5, an ff
# approval in slot 0) and expired (.6, a window in 2020).  Traffic: busybox
# ping (plain, IPv6, fragmented) and crafted frames with a canary after
# their headers (astest send: TCP with options, 802.1Q, DNS, UDP/IPv6,
# malformed, non-IP), and a DNS query from .7 (no IP indicator) for a
# domain indicator of slot 1.  Checks: sysfs counters equal exactly what
# was sent, per reason; seen = selected + sum(deleted_<reason>); the
# approval's flows by kind (ip, dns; selected_flows = their sum); the capture of
# autosel0 holds header-only records only, VID = slot + 1, no canary;
# autoselctl binds the approvals in the module (approvals/<id>/, whose
# selected_packets must match) and removes them on the last detach;
# rmmod fails while attached and works after `autoselctl detach`.
#
# Needs in PATH: autoselctl, astest (run-vm.sh -f), ip, tcpdump.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
CAP=/tmp/live-autosel0.pcap
RULES=/tmp/live.rules


# Totals of what we send.  SEL_*: selected (N frames, W wire bytes, H header
# bytes a record keeps); DEL_*: deleted; D_<reason>: deletions per reason.
SEL_N=0 SEL_W=0 SEL_H=0 DEL_N=0 DEL_W=0
D_no_match=0 D_domestic=0 D_direction=0 D_expired=0 D_malformed=0
D_non_ip=0 D_fragment=0
# T_N: packets of the fd approval (slot 1); every selected one is.

sel() { SEL_N=$((SEL_N + $1)) SEL_W=$((SEL_W + $2)) SEL_H=$((SEL_H + $3)); }
del() {
	DEL_N=$((DEL_N + $2)) DEL_W=$((DEL_W + $3))
	eval "D_$1=\$((D_$1 + $2))"
}

# send sel|REASON SHAPE COUNT PORT: crafted frames from 10.99.0.1/fd00:99::1.
send() {
	out=$(pns astest send vout "$VIN_MAC" "$2" "$3" "$4") || bail "send $2"
	set -- "$1" $out
	if [ "$1" = sel ]; then sel "$3" "$5" "$7"; else del "$1" "$3" "$5"; fi
}

# ping4 SRC COUNT [SIZE]: busybox ping, never answered (XDP takes every frame).
ping4() { pns ping -c "$2" -W 1 -i 0.2 -I "$1" ${3:+-s $3} 10.99.0.2 >/dev/null 2>&1; }

echo "TAP version 13"
echo "1..35"

command -v autoselctl >/dev/null || bail "autoselctl not in PATH"
command -v astest >/dev/null || bail "astest not in PATH"
dmesg -c >/dev/null 2>&1
load_module
start_capture autosel0 $CAP	# waited for before the traffic

make_peer
for a in 1 3 5 6 10; do
	pns ip addr add 10.99.0.$a/24 dev vout || bail "addr 10.99.0.$a"
done
pns ip -6 addr add fd00:99::1/64 dev vout nodad
# Static neighbours: no ARP/ND in front of the pings.
pns ip neigh add 10.99.0.2 lladdr "$VIN_MAC" dev vout nud permanent
pns ip -6 neigh add fd00:99::2 lladdr "$VIN_MAC" dev vout nud permanent
sleep 2		# let MLD reports of the new addresses go by unjudged

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
FROM=$(iso $((NOW - 600)))
UNTIL=$(iso $((NOW + 3600)))
cat >$RULES <<EOF
# live.sh: the receiver (10.99.0.2, fd00:99::2) and 10.99.0.10 are domestic.
domestic 10.99.0.2
domestic 10.99.0.10
domestic fd00:99::2

# slot 0: ff, so fd traffic from .5 is deleted as "direction"
approval LIVE-FF-0 type ff from $FROM until $UNTIL
ip 10.99.0.5

# slot 1: the sender (VID 2 on autosel0), and a name .7 asks for
approval LIVE-FD-1 type fd from $FROM until $UNTIL
ip 10.99.0.1
ip fd00:99::1
domain autosel-canary-name.example

# slot 2: long over, so .6 is deleted as "expired"
approval LIVE-FD-2 type fd from 2020-01-01T00:00:00Z until 2020-02-01T00:00:00Z
ip 10.99.0.6
EOF

# A slot the module has bound to another approval: attach must refuse and
# undo everything, including the approvals it bound before the conflict.
NOW0=$(date +%s)
astest write $S/control "approval 1 OTHER fd $NOW0 $((NOW0 + 60)) 7 $(printf '%064d' 0)" >/dev/null ||
	bail "bind OTHER"
out=$(autoselctl attach dev vin --rules $RULES 2>&1)
r=$?
echo "$out" | sed 's/^/# /'
[ $r = 1 ] && echo "$out" | grep -q 'refused approval LIVE-FD-1 (slot 1)' &&
[ "$(ls $S/approvals | tr '\n' ' ')" = "OTHER " ] && [ ! -e /sys/fs/bpf/autosel ] &&
! ip link show vin | grep -q xdp && [ "$(c generation)" = 0 ]
ok $? "attach refused when the module holds slot 1 for another approval; nothing left behind"
astest write $S/control "remove OTHER" >/dev/null || bail "remove OTHER"

out=$(autoselctl attach dev vin --rules $RULES 2>&1)
r=$?
echo "$out" | sed 's/^/# /'
if [ $r != 0 ]; then
	echo "# attach failed (rc $r); again with AUTOSEL_DEBUG=1, last 60 lines:"
	AUTOSEL_DEBUG=1 autoselctl attach dev vin --rules $RULES 2>&1 |
		tail -n 60 | sed 's/^/#   /'
fi
ok $r "autoselctl attach dev vin --rules (the real program loads and attaches)"
echo "$out" | grep -q '^attached autosel_kf.bpf.o to vin (native mode), collection device autosel0, 3 approvals, 3 domestic prefixes$'
ok $? "attach reports the kfunc object, native mode, autosel0, 3 approvals"
[ $r = 0 ] || bail "the real program is not attached"
ip link show vin | grep -q 'xdp' || echo "# vin shows no xdp"
st=$(autoselctl stats --json 2>&1)
echo "$st" | grep -q '"counters_in_module":true'
ok $? "autoselctl stats: counters_in_module true"
sleep 0.5
[ "$(c seen)" = 0 ]
ok $? "nothing judged before the traffic (seen = 0)" || echo "# seen = $(c seen)"

wait_capture
ok $? "tcpdump listens on autosel0"

# ---- traffic ---------------------------------------------------------------
# busybox ping: 56 data bytes; frames of 98 (IPv4) and 118 (IPv6) bytes.
ping4 10.99.0.1 3;		sel 3 $((3 * 98)) $((3 * 42))
pns ping -6 -c 2 -W 1 -i 0.2 fd00:99::2 >/dev/null 2>&1
				sel 2 $((2 * 118)) $((2 * 62))
# 3000 data bytes: fragments of 1514, 1514 and 82 bytes; the first keeps
# 42 header bytes, the others their Ethernet and IP headers (34).
ping4 10.99.0.1 1 3000;		sel 3 $((1514 + 1514 + 82)) $((42 + 34 + 34))
send sel tcp4 4 8080
send sel vlan4 2 8080
send sel dns4 3 53
send sel udp6 2 53
send sel icmp4 1 0
send sel dnsname4 2 53
ping4 10.99.0.3 2;		del no_match 2 $((2 * 98))
ping4 10.99.0.3 1 3000;		del no_match 1 1514; del fragment 2 $((1514 + 82))
ping4 10.99.0.10 2;		del domestic 2 $((2 * 98))
ping4 10.99.0.5 2;		del direction 2 $((2 * 98))
ping4 10.99.0.6 2;		del expired 2 $((2 * 98))
send malformed bad4 2 80
send malformed bad6 3 80
send non_ip nonip 2 0

wait_for seen $((SEL_N + DEL_N))
ok $? "seen = $((SEL_N + DEL_N)), every frame sent"
wait_for records $SEL_N
ok $? "records = $SEL_N, one per selected frame"
stop_capture

# ---- counters ----------------------------------------------------------------
bad=0
for kv in "seen_bytes $((SEL_W + DEL_W))" "selected $SEL_N" \
	  "selected_bytes $SEL_W" "kept_bytes $SEL_H" \
	  "discarded_payload_bytes $((SEL_W - SEL_H))" \
	  "deleted $DEL_N" "deleted_bytes $DEL_W" \
	  "record_bytes $((SEL_H + 4 * SEL_N))" "enforced 0" \
	  "records_dropped 0" "stack_dropped 0" "invalid_calls 0"; do
	set -- $kv
	[ "$(c "$1")" = "$2" ] || { echo "# $1 = $(c "$1"), expected $2"; bad=1; }
done
ok $bad "global counters equal exactly what was sent"

bad=0
for name in no_match domestic direction expired malformed non_ip fragment; do
	eval "exp=\$D_$name"
	[ "$(c deleted_$name)" = "$exp" ] || { echo "# deleted_$name = $(c deleted_$name), expected $exp"; bad=1; }
done
ok $bad "deleted_<reason> equal what was sent for each of the 7 reasons"

balanced
ok $? "seen = selected + sum(deleted_<reason>)"

find $S -type f ! -name control | sort | while read -r f; do
	printf '# %s = %s\n' "${f#$S/}" "$(cat "$f")"
done

A=$S/approvals/LIVE-FD-1
SHA=$(sha256sum $RULES | cut -d' ' -f1)
bad=0
for id in LIVE-FF-0:0:ff:active LIVE-FD-1:1:fd:active LIVE-FD-2:2:fd:expired; do
	set -- $(echo $id | tr : ' ')
	B=$S/approvals/$1
	got="$(cat $B/slot) $(cat $B/type) $(cat $B/state) $(cat $B/serial) $(cat $B/sha256)"
	[ "$got" = "$2 $3 $4 1 $SHA" ] || { echo "# $1: '$got', expected '$2 $3 $4 1 $SHA'"; bad=1; }
done
[ "$(cat $A/valid_from)" = $((NOW - 600)) ] && [ "$(cat $A/valid_until)" = $((NOW + 3600)) ] ||
	{ echo "# LIVE-FD-1 window $(cat $A/valid_from) $(cat $A/valid_until)"; bad=1; }
ok $bad "autoselctl bound the 3 approvals in the module: slot, type, state, window, serial 1, sha256 of the rules file"
# Flows: ICMP echo by its identifier (v4: the plain ping, the fragmented
# ping and the crafted echo are three sessions, three flows), ICMPv6,
# TCP 8080 (with and without 802.1Q), UDP 53 over IPv4 and over IPv6 from
# the IP indicators; UDP 53 from .7 by its question name.
got="$(cat $A/selected_packets) $(cat $A/selected_bytes) $(cat $A/kept_bytes) $(cat $A/selected_flows) $(cat $S/approvals/LIVE-FF-0/selected_packets) $(cat $S/approvals/LIVE-FD-2/selected_packets)"
[ "$got" = "$SEL_N $SEL_W $SEL_H 8 0 0" ]
ok $? "approvals/LIVE-FD-1: selected_packets = $SEL_N, selected_bytes, kept_bytes, 8 flows; the others 0" ||
	echo "# got '$got', expected '$SEL_N $SEL_W $SEL_H 8 0 0'"
got="$(cat $A/selected_flows_ip) $(cat $A/selected_flows_dns) $(cat $A/selected_flows_sni) $(cat $A/selected_flows_http) $(cat $A/selected_flows_quic)"
[ "$got" = "7 1 0 0 0" ] && [ $(($(echo "$got" | tr ' ' '+'))) = "$(cat $A/selected_flows)" ]
ok $? "approvals/LIVE-FD-1: selected_flows_{ip,dns,sni,http,quic} = 7 1 0 0 0, their sum = selected_flows" ||
	echo "# got '$got', expected '7 1 0 0 0'"
bad=0
for id in LIVE-FF-0 LIVE-FD-2; do
	for k in ip dns sni http quic; do
		[ "$(cat $S/approvals/$id/selected_flows_$k)" = 0 ] || bad=1
	done
done
ok $bad "the other approvals: no flows of any kind"
st=$(autoselctl stats --json 2>&1)
echo "$st" | grep -q '"id":"LIVE-FD-1","type":"fd",.*"flows":8,"flows_by_kind":{"ip":7,"dns":1,"sni":0,"http":0,"quic":0}'
ok $? "autoselctl stats --json: LIVE-FD-1 flows 8, by kind ip 7 dns 1 (from the module)" ||
	echo "$st" | sed 's/^/# /'
autoselctl report | grep -q '^  LIVE-FD-1 fd .*: [0-9]* packets, 8 flows (ip 7, dns 1, sni 0, http 0, quic 0), [0-9]* header bytes kept$'
ok $? "autoselctl report: LIVE-FD-1 8 flows (ip 7, dns 1, sni 0, http 0, quic 0)" ||
	autoselctl report 2>&1 | sed 's/^/# /'
[ "$(c generation)" = 1 ]
ok $? "generation 1 declared by autoselctl"

# ---- the capture ---------------------------------------------------------------
pc=$(astest pcapcheck $CAP AUTOSEL-CANARY)
ok $? "every record parses, ends exactly after its headers, carries an outer 802.1Q tag"
echo "$pc" | sed 's/^/# /'
echo "$pc" | grep -q "^records $SEL_N bytes $((SEL_H + 4 * SEL_N)) hdr_bytes $SEL_H\$"
ok $? "the capture holds exactly the $SEL_N records (nothing else on autosel0)"
! grep -q CANARY $CAP
ok $? "no canary byte sequence anywhere in the capture"
[ "$(echo "$pc" | grep '^vid' | tr '\n' ' ')" = "vid 2 $SEL_N " ]
ok $? "every record has VID 2 = slot 1 + 1 (approval LIVE-FD-1)"
tcpdump -r $CAP -nn -e 2>/dev/null | sed 's/^/# tcpdump: /'
[ "$(tcpdump -r $CAP -nn 'vlan 2 and src 10.99.0.1 and icmp[icmptype] = icmp-echo' 2>/dev/null | wc -l)" = 5 ]
ok $? "tcpdump decodes the 5 ICMP echo requests (4 pings, 1 crafted) from 10.99.0.1 under vlan 2"
[ "$(tcpdump -r $CAP -nn 'vlan 2 and vlan 100' 2>/dev/null | wc -l)" = 2 ]
ok $? "an 802.1Q frame keeps its own tag inside the slot tag"
[ "$(tcpdump -r $CAP -nn 'vlan 2 and ip[6:2] & 0x1fff != 0' 2>/dev/null | wc -l)" = 2 ]
ok $? "the non-first fragments of the selected datagram are records too"

# ---- a full bucket of the flow table ----------------------------------------------
# Five TCP flows of LIVE-FD-1 whose flow hash picks one bucket (four ways):
# the fifth pushes the least recently seen out, and the module counts it
# where an auditor reads it (datapath.rst, "Flows").
f0=$(cat $A/selected_flows) e0=$(cat $A/flows_evicted)
pairs=$(astest bucketmates 10.99.0.1 10.99.0.2 6 5) || bail "astest bucketmates"
for pr in $pairs; do
	out=$(pns astest send vout "$VIN_MAC" tcp4 1 "${pr#*:}" "${pr%:*}") ||
		bail "send tcp4 $pr"
	set -- $out
	sel "$2" "$4" "$6"
done
wait_for records $SEL_N
got="$(($(cat $A/selected_flows) - f0)) $(($(cat $A/flows_evicted) - e0))"
[ "$got" = "5 1" ]
ok $? "5 flows into one bucket of 4 ways: 5 new flows, approvals/LIVE-FD-1/flows_evicted + 1" ||
	echo "# got '$got' (ports $(echo $pairs)), expected '5 1'"
st=$(autoselctl stats --json 2>&1)
echo "$st" | grep -q "\"id\":\"LIVE-FD-1\",.*\"flows_evicted\":$((e0 + 1)),"
ok $? "autoselctl stats --json: LIVE-FD-1 flows_evicted $((e0 + 1)) (from the module)" ||
	echo "$st" | sed 's/^/# /'

st=/sys/class/net/autosel0/statistics
[ "$(cat $st/tx_packets)" = "$(c records)" ] && [ "$(cat $st/tx_dropped)" = 0 ]
ok $? "autosel0 statistics: tx_packets = records, tx_dropped = 0"

# ---- unload ---------------------------------------------------------------------
out=$(rmmod autosel 2>&1)
r=$?
echo "# rmmod while attached: rc=$r $out"
[ $r != 0 ] && grep -q '^autosel ' /proc/modules && [ -d $S ]
ok $? "rmmod fails while the real program is attached; module and sysfs intact"
out=$(autoselctl detach dev vin 2>&1)
r=$?
echo "# $out"
ok $r "autoselctl detach dev vin"
[ ! -e /sys/fs/bpf/autosel ] && ! ip link show vin | grep -q xdp
ok $? "the pins and the program are gone"
left=$(ls $S/approvals)
[ -z "$left" ] || echo "# approvals left after the last detach: $(echo $left)"
[ -z "$left" ] && [ "$(c generation)" = 1 ]
ok $? "the last detach removed the approvals from the module (generation stays 1)"
unload && [ ! -e $S ] && ! ip link show autosel0 >/dev/null 2>&1
ok $? "rmmod works after detach; sysfs and autosel0 are gone"
dmesg | grep 'autosel: ' | grep -v taint | sed 's/^/# dmesg: /'
dmesg | grep -q "autosel: unloading: seen $((SEL_N + DEL_N)) selected $SEL_N deleted $DEL_N records $SEL_N enforced 0"
ok $? "unload logs the final counts"
! dmesg | grep -qiE 'BUG|WARNING|leak'
ok $? "no kernel warnings"

ip netns del peer 2>/dev/null
[ "$fails" = 0 ]
