#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# flows_live.sh - VM test: the records autosel0 carries become flow records
# by standard tools.  autoselctl attaches the kfunc program to a veth port
# with autosel.ko loaded; pings from an approved address are selected; the
# header-only, VLAN-tagged records on autosel0 are captured, softflowd turns
# them into IPFIX, nfcapd receives them on loopback, and nfdump's flows,
# packets and bytes are checked against the module's counters: packets =
# selected = records; bytes = the kept bytes less the 14-byte Ethernet
# header of each: softflowd counts a packet by its frame length (the pcap
# record's wire length) less the link header, not by the IP length field
# that autosel keeps, and on autosel0 the frame is the header-only record.
# softflowd's 'vlan VID' filter selects one approval's records.
#
# Needs in PATH: autoselctl, ip, tcpdump, softflowd, nfcapd, nfdump.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
W=/tmp/flows-live

echo "TAP version 13"
for t in autoselctl softflowd nfcapd nfdump; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not in PATH"; exit 0; }
done
echo "1..6"

load_module
make_peer
for a in 1 5 9; do pns ip addr add 10.99.0.$a/24 dev vout || bail "addr"; done
pns ip neigh add 10.99.0.2 lladdr "$VIN_MAC" dev vout nud permanent
ip link set lo up
mkdir -p $W && cd $W || bail "workdir"
export AUTOSEL_STATE_DIR=$W/state AUTOSEL_AUDIT_LOG=$W/audit.log
cat >rules <<R
domestic 10.99.0.2/32
approval VM-A type fd from 2020-01-01T00:00:00Z until 2100-01-01T00:00:00Z
ip 10.99.0.1/32
approval VM-B type fd from 2020-01-01T00:00:00Z until 2100-01-01T00:00:00Z
ip 10.99.0.5/32
R
autoselctl attach dev vin --rules rules >/dev/null || bail "attach"

: >$W/tcpdump.err
timeout 60 tcpdump -i autosel0 -U -n -w $W/records.pcap 2>$W/tcpdump.err &
TD=$!
i=0; while ! grep -q listening $W/tcpdump.err && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pns ping -c 4 -W 1 -i 0.2 -s 200 -I 10.99.0.1 10.99.0.2 >/dev/null 2>&1   # VM-A
pns ping -c 3 -W 1 -i 0.2 -s 100 -I 10.99.0.5 10.99.0.2 >/dev/null 2>&1   # VM-B
pns ping -c 2 -W 1 -i 0.2 -I 10.99.0.9 10.99.0.2 >/dev/null 2>&1          # no match
wait_for selected 7
wait_for records 7
sleep 0.5
kill $TD; wait $TD 2>/dev/null
SEL=$(c selected) SELB=$(c selected_bytes)
[ "$(tcpdump -r $W/records.pcap -n 2>/dev/null | wc -l)" = "$SEL" ]
ok $? "autosel0 captured: $SEL records = selected"

# collect NAME [FILTER]: softflowd -r records.pcap -> nfcapd on loopback.
PORT=29955
collect() {
	mkdir $W/$1
	nfcapd -b 127.0.0.1 -p $PORT -w $W/$1 -t 3600 >$W/$1.nfcapd 2>&1 &
	NF=$!
	sleep 1
	name=$1
	shift
	timeout 20 softflowd -r $W/records.pcap -n 127.0.0.1:$PORT -v 10 -a -d "$@" >$W/$name.sf 2>&1
	rc=$?
	sleep 1
	kill -TERM $NF
	i=0; while kill -0 $NF 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	wait $NF 2>/dev/null
	return $rc
}
sums() { nfdump -R $W/$1 -q -o 'fmt:%pkt %byt' | awk '{ f++; p += $1; b += $2 } END { print f + 0, p + 0, b + 0 }'; }

collect all
ok $? "softflowd exported the records to nfcapd"
set -- $(sums all)
echo "# nfdump: $1 flows, $2 packets, $3 bytes; module: selected $SEL, selected_bytes $SELB, kept_bytes $(c kept_bytes)"
[ "$1" = 2 ]
ok $? "2 flow records: one per approved sender (echo requests only cross the port)"
[ "$2" = "$SEL" ] && [ "$2" = "$(c records)" ]
ok $? "packets = selected = records ($SEL)"
KEPT=$(c kept_bytes)
[ "$3" = $((KEPT - 14 * SEL)) ] && [ "$3" != $((SELB - 14 * SEL)) ]
ok $? "bytes = kept_bytes - 14 x selected ($3): the records' own length, not the original IP lengths"

# VM-B is slot 1: VLAN id 2 on autosel0.
collect vm-b 'vlan 2'
set -- $(sums vm-b)
[ "$1,$2" = "1,$(cat $S/approvals/VM-B/selected_packets)" ] &&
	[ "$3" = $(($(cat $S/approvals/VM-B/kept_bytes) - 14 * $2)) ]
ok $? "softflowd 'vlan 2': VM-B's flow alone, its packets and kept bytes"

autoselctl detach dev vin >/dev/null
ip netns del peer
chattr -a $W/audit.log 2>/dev/null
unload
[ $fails = 0 ]
