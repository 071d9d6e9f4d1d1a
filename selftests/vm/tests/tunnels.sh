#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tunnels.sh - VM test: a capture port that carries tunnels made by REAL
# Linux tunnel devices (issue #13): the innermost headers decide.
#
# vm-modules: ip_gre ipip ip6_tunnel vxlan geneve
#
# "vout" in namespace "peer" is the underlay of fourteen tunnel devices,
# all towards 198.18.0.2 / fd00:18::2 behind "vin" (the capture port, the
# real program attached by autoselctl, kfunc flavour).  Tunnel K carries
# inner flows to 10.20.K.2 (fd00:20:10::2 for K = 10):
#    1 erspan (ERSPAN type II)      2 erspan_ver 2 (ERSPAN type III)
#    3 gretap (GRE key)             4 gre (L3)
#    5 vxlan, UDP 4789              6 vxlan, UDP 8472
#    7 geneve                       8 ipip
#    9 ip6tnl ipip6 (IPv4 in IPv6 with the encapsulation-limit option)
#   10 ip6tnl ip6ip6               11 vxlan inside a keyed gre (nested)
#   12 vxlan from a FOREIGN outer source, 198.19.0.1
#   13 gretap inside 11 (three tunnel headers, as deep as autosel looks)
#   14 gretap inside 13 (four: deleted as malformed, never kept)
# The rules: the outer endpoints (carrier equipment), the middle layer of
# the nested tunnel and the inner receivers are domestic; approval
# TUN-INNER (fd, slot 0, VID 1) indicates 203.0.113.0/24 and
# 2001:db8:113::/48, the inner sources of the flows to be selected;
# TUN-OUTER (fd, slot 1, VID 2) indicates only the outer 198.19.0.1.
# Traffic (real clients, bounded): per tunnel, busybox ping with a canary
# payload pattern from the indicated source (selected) and from
# 198.51.100.K (no_match), a TCP SYN (nc) and a DNS query whose name is a
# canary (nslookup) from the indicated source on the IPv4 tunnels, a
# domestic inner source on the gretap (dd); tunnel 12 carries no_match
# traffic only.  Then the same pings through the same tunnels of a second
# peer ("peer2", its "vout" the veth peer of "vin2") on a second port
# attached with `autoselctl attach dev vin2 --no-decap` while vin stays
# attached with decapsulation: there the outer headers decide (domestic
# outer: deleted as domestic; tunnel 12 selected by TUN-OUTER, the record
# ending at the outer UDP header).
# Checks: sysfs counters exact per reason and equal to what the peer's
# devices counted (vout tx = seen; each tunnel's tx = its inner packets);
# seen = selected + sum(deleted_<reason>); records = selected = lines of
# tcpdump -r; per tunnel, records only of the selected inner flows, each
# exactly as long as the headers from the outer Ethernet header to the
# innermost transport header (lengths computed here, not by the parser);
# no canary in the pcap; the outer-only rule selects nothing with
# decapsulation.
#
# Needs in PATH: autoselctl (run-vm.sh -f), ip, tcpdump; the modules above.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
CAP=/tmp/tunnels-autosel0.pcap
RULES=/tmp/tunnels.rules
# el: seconds since the start, for the log (tenths, from /proc/uptime).
U0=$(cut -d' ' -f1 /proc/uptime)
el() { awk -v a="$U0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f s", b - a }'; }
N=2		# echo requests per ping flow
OL=198.18.0.1 OR=198.18.0.2

echo "TAP version 13"
echo "1..26"

command -v autoselctl >/dev/null || bail "autoselctl not in PATH"
for m in ip_gre ipip ip6_tunnel vxlan geneve; do
	grep -q "^$m " /proc/modules || bail "module $m not loaded (vm-modules)"
done
dmesg -c >/dev/null 2>&1
load_module
start_capture autosel0 $CAP	# waited for before the traffic
make_peer
# make_peer2: a second port for --no-decap: namespace "peer2", its veth
# also named "vout" there, so that both peers are set up and driven the
# same way.
make_peer2() {
	ip netns add peer2 || bail "netns peer2"
	for _k in accept_ra autoconf dad_transmits router_solicitations accept_dad; do
		ip netns exec peer2 sysctl -qw "net.ipv6.conf.default.$_k=0" 2>/dev/null
		ip netns exec peer2 sysctl -qw "net.ipv6.conf.all.$_k=0" 2>/dev/null
	done
	ip link add vin2 type veth peer name vout2 || bail "veth 2"
	ip link set vout2 netns peer2
	ip -n peer2 link set vout2 name vout || bail "rename vout2"
	ip link set vin2 up
	ip -n peer2 link set lo up
	ip -n peer2 link set vout up
	VIN2_MAC=$(cat /sys/class/net/vin2/address)
}
NS=peer
pin() { ip netns exec $NS "$@"; }	# in the current peer

# tun K DEV L2|L3 TYPE ARGS...: the device and its IPv4 inner side: the
# indicated source 203.0.113.K, the non-indicated 198.51.100.K, a route to
# 10.20.K.0/24 from 203.0.113.K; for an L2 device a permanent neighbour
# for 10.20.K.2, so the clients send IP at once.
B1=/tmp/tunnels-links.batch B2=/tmp/tunnels-addrs.batch
cat >$B1 <<EOF
addr add $OL/24 dev vout
addr add 198.19.0.1/32 dev vout
addr add fd00:18::1/64 dev vout nodad
addr add fd00:18::3/64 dev vout nodad
neigh add $OR lladdr @MAC@ dev vout nud permanent
neigh add fd00:18::2 lladdr @MAC@ dev vout nud permanent
EOF
: >$B2
tun() {
	_k=$1 _d=$2 _l=$3
	shift 3
	echo "link add $_d $*" >>$B1
	echo "link set $_d up" >>$B2
	[ "$_d" = i6t10 ] && return 0
	cat >>$B2 <<EOF
addr add 203.0.113.$_k/32 dev $_d
addr add 198.51.100.$_k/32 dev $_d
route add 10.20.$_k.0/24 dev $_d src 203.0.113.$_k
EOF
	[ $_l = L2 ] &&
		echo "neigh add 10.20.$_k.2 lladdr 02:00:00:20:00:$(printf %02x $_k) dev $_d nud permanent" >>$B2
	return 0
}
tun 1 ers1 L2 type erspan seq key 1 local $OL remote $OR erspan_ver 1 erspan 11
tun 2 ers2 L2 type erspan seq key 2 local $OL remote $OR erspan_ver 2 erspan_dir egress erspan_hwid 7
tun 3 gtap3 L2 type gretap key 3 local $OL remote $OR
tun 4 gre4 L3 type gre local $OL remote $OR
tun 5 vx5 L2 type vxlan id 5 dstport 4789 local $OL remote $OR
tun 6 vx6 L2 type vxlan id 6 dstport 8472 local $OL remote $OR
tun 7 gnv7 L2 type geneve id 7 remote $OR
tun 8 ipip8 L3 type ipip local $OL remote $OR
tun 9 i6t9 L3 type ip6tnl mode ipip6 local fd00:18::1 remote fd00:18::2
tun 10 i6t10 L3 type ip6tnl mode ip6ip6 local fd00:18::3 remote fd00:18::2
# 11: the underlay gre9 (key 9, middle layer 10.21.0.1 -> .2) first.
echo "link add gre9 type gre key 9 local $OL remote $OR" >>$B1
cat >>$B2 <<EOF
link set gre9 up
addr add 10.21.0.1 peer 10.21.0.2 dev gre9
EOF
tun 11 vx11 L2 type vxlan id 11 dstport 4789 local 10.21.0.1 remote 10.21.0.2
tun 12 vxf12 L2 type vxlan id 12 dstport 4789 local 198.19.0.1 remote $OR
# 13: a gretap inside tunnel 11 (3 tunnel headers: as deep as autosel
# looks); 14: a gretap inside 13 (4: one too deep, malformed).
tun 13 gtap13 L2 type gretap key 13 local 203.0.113.11 remote 10.20.11.2
tun 14 gtap14 L2 type gretap key 14 local 203.0.113.13 remote 10.20.13.2
# The gretap also has a domestic inner source (dd inside a dd tunnel).
echo "addr add 10.20.3.9/32 dev gtap3" >>$B2
echo "link set i6t10 addrgenmode none" >>$B1
cat >>$B2 <<EOF
addr add 2001:db8:113::10/128 dev i6t10 nodad
addr add 2001:db8:51::10/128 dev i6t10 nodad
route add fd00:20:10::/64 dev i6t10 src 2001:db8:113::10
EOF
# setup_peer NS MAC: the same tunnels in both peers, MAC that of their
# own capture port.  The tunnel devices get no IPv6 (no link-local, no MLD
# inside the tunnels) unless enabled here; one TCP SYN retransmission at
# most.
setup_peer() {
	NS=$1
	sed "s/@MAC@/$2/" $B1 >$B1.$NS
	pin sh -c 'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
		echo 1 >/proc/sys/net/ipv4/tcp_syn_retries' || bail "$NS sysctls"
	pin ip -batch $B1.$NS || bail "$NS: tunnel devices (ip -batch $B1.$NS)"
	pin sh -c 'echo 0 >/proc/sys/net/ipv6/conf/i6t10/disable_ipv6' || bail "$NS: i6t10 ipv6"
	pin ip -batch $B2 || bail "$NS: tunnel addresses (ip -batch $B2)"
}
# Devices whose tx counters are compared with the module's counts.
DEVS="vout ers1 ers2 gtap3 gre4 vx5 vx6 gnv7 ipip8 i6t9 i6t10 vx11 vxf12 gtap13 gtap14 gre9"
ALL="1 2 3 4 5 6 7 8 9 10 11 12 13 14"
dev_of() { _k=$1; set -- $DEVS; shift $_k; echo "$1"; }

# Bytes of a record (802.1Q tag included) up to the innermost IP header,
# per tunnel, by hand: 14 Ethernet + 4 tag, then the outer IPv4 (20) or
# IPv6 (40, plus 8 of ip6tnl's destination options with the encapsulation
# limit), GRE 4 (+4 key or sequence number), ERSPAN II 8 / III 12, UDP 8 +
# VXLAN/Geneve 8, inner Ethernet 14.
OH_1=68 OH_2=72 OH_3=60 OH_4=42 OH_5=68 OH_6=68 OH_7=68 OH_8=38 OH_9=66
OH_10=66 OH_11=96 OH_12=68 OH_13=$((96 + 20 + 8 + 14))
# ...and from there: ICMP 20+8, ICMPv6 40+8, UDP 20+8, TCP SYN 20+40 (MSS,
# SACK-permitted, timestamps, window scale).
IN_icmp=28 IN_icmp6=48 IN_udp=28 IN_tcp=60

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
cat >$RULES <<EOF
# tunnels.sh: carrier equipment (outer endpoints, the middle layer of the
# nested tunnel) and the inner receivers are domestic.
domestic 198.18.0.0/24
domestic fd00:18::/64
domestic 10.21.0.0/24
domestic 10.20.0.0/16
domestic fd00:20::/32

# slot 0 (VID 1): the inner foreign sources of the flows to select
approval TUN-INNER type fd from $(iso $((NOW - 600))) until $(iso $((NOW + 3600)))
ip 203.0.113.0/24
ip 2001:db8:113::/48

# slot 1 (VID 2): only an OUTER address (the foreign end of tunnel 12)
approval TUN-OUTER type fd from $(iso $((NOW - 600))) until $(iso $((NOW + 3600)))
ip 198.19.0.1
EOF

setup_peer peer "$VIN_MAC"
# The first attach loads and verifies the program, the longest step under
# TCG: in the background while peer2 is set up.  2 s first, so that the
# MLD reports of peer's new addresses go by unjudged.
(sleep 2; exec autoselctl attach dev vin --rules $RULES) >/tmp/tunnels-attach.out 2>&1 &
AP=$!
make_peer2
setup_peer peer2 "$VIN2_MAC"
NS=peer

# settle NAME VALUE: wait_for for at most 1 s, once the peer's counters
# have settled (a record is written in the same NAPI poll that judged its
# frame), so that a wrong count does not cost 10 s.
settle() { wait_for "$1" "$2" 10; }

# tx_packets of every device in DEVS, in that order, into the variables
# TX_<dev> (one exec of the current peer's sh).
read_tx() {
	_v=$(pin sh -c 'for d in '"$DEVS"'; do
		printf "%s=%s " $d $(cat /sys/class/net/$d/statistics/tx_packets); done')
	for _kv in $_v; do eval "TX_${_kv%%=*}=${_kv#*=}"; done
}
# delta DEV: tx_packets now (read_tx) minus the snapshot (snap_tx).
snap_tx() { for _d in $DEVS; do eval "T0_$_d=\$TX_$_d"; done; }
delta() { eval "echo \$((TX_$1 - T0_$1))"; }

# traffic [clients]: a script for the peer's sh (one namespace entry, not
# one per client): the ping flows of every tunnel, with "clients" also a
# TCP SYN (nc) and a DNS query whose name is a canary (nslookup) per IPv4
# tunnel; all at once, each bounded in count and time.
PING="ping -c $N -i 0.2 -W 1 -w 4 -p a5"
traffic() {
	for k in $ALL; do
		case $k in
		10) echo "$PING -6 -I 2001:db8:113::10 fd00:20:10::2 &"
		    echo "$PING -6 -I 2001:db8:51::10 fd00:20:10::2 &"
		    continue ;;
		12) ;;
		*) echo "$PING -I 203.0.113.$k 10.20.$k.2 &" ;;
		esac
		echo "$PING -I 198.51.100.$k 10.20.$k.2 &"
		[ "$1" = clients ] && [ $k != 12 ] && [ $k != 14 ] && {
			echo "timeout 4 nc -w 1 10.20.$k.2 7 </dev/null &"
			echo "timeout 4 nslookup -type=a -retry=1 -timeout=1 autosel-canary-tunnel.example 10.20.$k.2 &"
		}
	done
	echo "$PING -I 10.20.3.9 10.20.3.2 &"
	echo "wait"
}
traffic clients >/tmp/tunnels-traffic1.sh
traffic >/tmp/tunnels-traffic2.sh

echo "# setup done after $(el)"

# ---- phase 1: decapsulation (the default) --------------------------------------
wait $AP
r=$?
sed 's/^/# /' /tmp/tunnels-attach.out
ok $r "autoselctl attach dev vin --rules (decapsulation on)"
echo "# attached after $(el)"
[ $r = 0 ] || bail "the real program is not attached"
read_tx; snap_tx
wait_capture
ok $? "tcpdump listens on autosel0"
sleep 0.5
[ "$(c seen)" = 0 ]
ok $? "nothing judged before the traffic (seen = 0)" || echo "# seen = $(c seen)"

pin sh /tmp/tunnels-traffic1.sh >/dev/null 2>&1
echo "# phase 1 traffic done after $(el)"
# The peer's own count: every frame vout sent reached vin's program.
_i=0
while [ $_i -lt 50 ]; do
	read_tx
	[ "$(c seen)" = "$(delta vout)" ] && break
	sleep 0.2
	_i=$((_i + 1))
done
P1_SEEN=$(delta vout)
echo "# phase 1 settled after $(el)"
# own K: the frames of tunnel K itself (without those of the tunnel inside).
own() {
	for k in $ALL; do eval "TX_$k=$(delta $(dev_of $k))"; done
	TX_11=$((TX_11 - TX_13)) TX_13=$((TX_13 - TX_14))
}
own
for k in $ALL; do eval "P1_TX_$k=\$TX_$k"; done
line="# tunnel tx (phase 1):"
for k in $ALL; do eval "line=\"\$line $k:\$P1_TX_$k\""; done
echo "$line; gre9:$(delta gre9) vout:$P1_SEEN"

# Expected: every ping flow N frames; the rest of a tunnel's frames are
# the SYNs and DNS queries of the indicated source.
EXP_SEL=0 EXP_NM=0 EXP_DOM=$N EXP_MAL=$P1_TX_14
for k in $ALL; do
	eval "tx=\$P1_TX_$k"
	if [ $k = 12 ] || [ $k = 14 ]; then
		eval "SEL_$k=0"
	elif [ $k = 3 ]; then
		eval "SEL_$k=$((tx - 2 * N))"
	else
		eval "SEL_$k=$((tx - N))"
	fi
	eval "EXP_SEL=\$((EXP_SEL + SEL_$k))"
	[ $k = 14 ] || EXP_NM=$((EXP_NM + N))
done

# Every tunnel got its pings (and the IPv4 ones their clients); nothing
# else went into the tunnels; vout carried exactly the tunnels' frames.
bad=0
sum=0
for k in $ALL; do
	eval "tx=\$P1_TX_$k"
	case $k in
	3) [ $tx -ge $((3 * N + 2)) ] || bad=1 ;;
	10|14) [ $tx = $((2 * N)) ] || bad=1 ;;
	12) [ $tx = $N ] || bad=1 ;;
	*) [ $tx -ge $((2 * N + 2)) ] || bad=1 ;;
	esac
	sum=$((sum + tx))
done
[ "$(delta gre9)" = "$(delta vx11)" ] || bad=1
[ "$P1_SEEN" = $sum ] || bad=1
ok $bad "the peer's tunnels sent every client's frames, vout = the sum of the tunnels' frames"

settle seen "$P1_SEEN"
ok $? "seen = $P1_SEEN = the frames vout sent (every tunnel frame reached the capture port)"
settle records "$EXP_SEL"
ok $? "records = $EXP_SEL"

bad=0
for kv in "selected $EXP_SEL" "deleted_no_match $EXP_NM" "deleted_domestic $EXP_DOM" \
	  "deleted_direction 0" "deleted_expired 0" "deleted_malformed $EXP_MAL" \
	  "deleted_non_ip 0" "deleted_fragment 0" "records_dropped 0" "enforced 0"; do
	set -- $kv
	[ "$(c "$1")" = "$2" ] || { echo "# $1 = $(c "$1"), expected $2"; bad=1; }
done
ok $bad "decap: selected = the indicated inner flows, no_match = $EXP_NM, domestic = $EXP_DOM (the dd inner flow), malformed = $EXP_MAL (4 tunnel headers)"

balanced
ok $? "seen = selected + sum(deleted_<reason>)"

A=$S/approvals/TUN-INNER
got="$(cat $A/selected_packets 2>/dev/null) $(cat $S/approvals/TUN-OUTER/selected_packets 2>/dev/null)"
[ "$got" = "$EXP_SEL 0" ]
ok $? "approvals: TUN-INNER selected $EXP_SEL, TUN-OUTER (outer address only) 0" ||
	echo "# got '$got'"
# Flows: per IPv4 tunnel but 12 and 14 ICMP, TCP and UDP from 203.0.113.K
# (11 x 3), the ICMPv6 flow of tunnel 10.
got=$(cat $A/selected_flows 2>/dev/null)
[ "$got" = 34 ]
ok $? "approvals/TUN-INNER: 34 flows (ICMP, TCP, UDP per IPv4 tunnel; ICMPv6)" ||
	echo "# selected_flows = $got"
P1_RB=$(c record_bytes)
for f in seen selected deleted records record_bytes kept_bytes; do
	printf '# %s = %s\n' $f "$(c $f)"
done

# ---- phase 2: a second port with --no-decap: the outer headers decide -----------
# vin stays attached with decapsulation; vin2 (peer2's tunnels) joins.
out=$(autoselctl attach dev vin2 --no-decap 2>&1)
r=$?
echo "$out" | sed 's/^/# /'
ok $r "autoselctl attach dev vin2 --no-decap (vin stays attached, decapsulating)"
if [ $r != 0 ]; then
	echo "# (attaching vin2 without --no-decap, so that the counts below still say what happened)"
	autoselctl attach dev vin2 >/dev/null 2>&1 || bail "attach vin2"
fi
echo "# vin2 attached after $(el)"
NS=peer2
B_SEEN=$(c seen) B_SEL=$(c selected) B_DOM=$(c deleted_domestic) B_NM=$(c deleted_no_match)
read_tx; snap_tx
pin sh /tmp/tunnels-traffic2.sh >/dev/null 2>&1
echo "# phase 2 traffic done after $(el)"
_i=0
while [ $_i -lt 50 ]; do
	read_tx
	[ "$(c seen)" = $((B_SEEN + $(delta vout))) ] && break
	sleep 0.2
	_i=$((_i + 1))
done
P2_SEEN=$(delta vout)
P2_SEL=$(delta vxf12)
echo "# phase 2: vout sent $P2_SEEN, tunnel 12 $P2_SEL"
[ "$P2_SEEN" = $((28 * N)) ] && [ "$P2_SEL" = $N ]
ok $? "phase 2: the peer sent $((28 * N)) frames, $N of them in tunnel 12"
settle seen $((B_SEEN + P2_SEEN))
ok $? "phase 2: seen += $P2_SEEN"
settle records $((EXP_SEL + P2_SEL)) >/dev/null
bad=0
for kv in "selected $((B_SEL + P2_SEL))" "deleted_domestic $((B_DOM + P2_SEEN - P2_SEL))" \
	  "deleted_no_match $B_NM" "deleted_malformed $EXP_MAL" "deleted_non_ip 0" \
	  "records $((EXP_SEL + P2_SEL))"; do
	set -- $kv
	[ "$(c "$1")" = "$2" ] || { echo "# $1 = $(c "$1"), expected $2"; bad=1; }
done
ok $bad "no-decap: the outer addresses decide: dd outer deleted as domestic ($((P2_SEEN - P2_SEL))), tunnel 12 selected by its outer source ($P2_SEL)"
got="$(cat $S/approvals/TUN-OUTER/selected_packets 2>/dev/null) $(cat $S/approvals/TUN-INNER/selected_packets 2>/dev/null)"
[ "$got" = "$P2_SEL $EXP_SEL" ]
ok $? "no-decap: approvals TUN-OUTER selected $P2_SEL, TUN-INNER nothing more ($EXP_SEL)" || echo "# got '$got'"
balanced
ok $? "seen = selected + sum(deleted_<reason>) after both phases"
stop_capture

# ---- the capture ------------------------------------------------------------------
# One line per record: VID, record length, tunnel K (from the innermost
# destination), innermost source (without port), innermost protocol.
# tcpdump prints some inner frames (VXLAN, ERSPAN) on lines of their own:
# a record starts with its time stamp.
tcpdump -r $CAP -nn -e 2>/dev/null | awk '
	/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\./ { if (r != "") print r; r = $0; next }
	{ r = r " " $0 }
	END { if (r != "") print r }' >/tmp/tunnels.txt
awk '{
	vid = "-"; len = "-"
	if (match($0, /vlan [0-9]+,/)) vid = substr($0, RSTART + 5, RLENGTH - 6)
	if (match($0, /length [0-9]+:/)) len = substr($0, RSTART + 7, RLENGTH - 8)
	s = $0; src = "-"; dst = "-"
	while (match(s, /[0-9a-f.:]+ > [0-9a-f.:]+: /)) {
		m = substr(s, RSTART, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
		src = m; sub(/ > .*/, "", src); dst = m; sub(/.* > /, "", dst)
	}
	p = "other"
	if (s ~ /^ICMP6/) p = "icmp6"
	else if (s ~ /^ICMP/) p = "icmp"
	else if (s ~ /Flags \[/) p = "tcp"
	else if (dst ~ /\.53$/) p = "udp"
	else if (s ~ /VXLAN|OTV/) p = "vxlan"
	if (src ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) sub(/\.[0-9]+$/, "", src)
	else if (src ~ /:.*\./) sub(/\.[0-9]+$/, "", src)
	k = "-"
	if (s ~ /gre-proto-0x88be|gre-proto-0x22eb/) {
		# tcpdump 4.99 does not decode ERSPAN: checked by filter below
		k = s ~ /0x88be/ ? 1 : 2; src = "erspan"; p = "erspan"
	} else if (dst ~ /^10\.20\./) { split(dst, q, "."); k = q[3] }
	else if (dst ~ /^fd00:20:10::2/) k = 10
	else if (dst ~ /^198\.18\.0\.2/) k = "outer"
	print vid, len, k, src, p
}' /tmp/tunnels.txt >/tmp/tunnels.rec
# One decoded record per tunnel kind, for the log.
for k in $ALL; do
	grep -m 1 "> 10\.20\.$k\.2: ICMP\|> fd00:20:$k::2: ICMP6" /tmp/tunnels.txt
done | sed 's/^/# tcpdump: /'
grep -m 1 'vlan 2,' /tmp/tunnels.txt | sed 's/^/# tcpdump: /'

NREC=$(wc -l </tmp/tunnels.rec)
[ "$NREC" = $((EXP_SEL + P2_SEL)) ] && [ "$NREC" = "$(c records)" ]
ok $? "tcpdump -r reads $NREC records = records = selected ($((EXP_SEL + P2_SEL)))"

# Phase 1: under VID 1 per tunnel exactly SEL_K records, all from
# 203.0.113.K (2001:db8:113::10), none from another source.
bad=0
line="# records per tunnel (phase 1):"
# tcpdump prints ERSPAN as "gre-proto-0x88be" (0x22eb): there a filter
# reads the inner IPv4 header at its offset (type II: 18 + 20 + GRE 8 +
# ERSPAN 8 + 14 = 68; type III: 72), source, destination and protocol,
# with the record length that protocol must give (ICMP and UDP 28 bytes
# after the offset, the SYN 60).
ers_f() {	# ers_f ETHERTYPE OFFSET K
	echo "ether[12:2] = 0x8100 and (ether[14:2] & 0xfff) = 1 and ether[40:2] = $1 and
	ether[$2] = 0x45 and ether[$(($2 + 12)):4] = $(printf 0xcb0071%02x $3) and
	ether[$(($2 + 16)):4] = $(printf 0x0a14%02x02 $3) and
	(((ether[$(($2 + 9))] = 1 or ether[$(($2 + 9))] = 17) and len = $(($2 + 28))) or
	 (ether[$(($2 + 9))] = 6 and len = $(($2 + 60))))"
}
for k in $ALL; do
	src=203.0.113.$k
	[ $k = 10 ] && src=2001:db8:113::10
	got=$(grep -c "^1 [0-9]* $k $src " /tmp/tunnels.rec)
	case $k in
	1|2) [ $k = 1 ] && f=$(ers_f 0x88be 68 1) || f=$(ers_f 0x22eb 72 2)
	     got=$(tcpdump -r $CAP -nn "$f" 2>/dev/null | wc -l)
	     # ...and no other record of this tunnel (decoded or not)
	     all=$(awk -v k=$k '$1 == 1 && $3 == k' /tmp/tunnels.rec | wc -l)
	     [ "$all" = "$got" ] || got="$got-of-$all" ;;
	esac
	eval "exp=\$SEL_$k"
	line="$line $k:$got"
	[ "$got" = "$exp" ] || { echo "# tunnel $k: $got records from $src under VID 1, expected $exp"; bad=1; }
done
echo "$line"
others() { awk '$1 != 2 && $4 !~ /^203\.0\.113\./ && $4 != "2001:db8:113::10" && $4 != "erspan"' /tmp/tunnels.rec; }
other=$(others | wc -l)
[ "$other" = 0 ] || { echo "# $other records of other flows:"; others | head -n 5 | sed 's/^/#   /'; bad=1; }
ok $bad "decap: the records are exactly the indicated inner flows, per tunnel kind (VID 1)"

# Every record ends at the innermost transport header: its length is the
# sum of the header sizes above.
bad=0
while read -r vid len k src p; do
	case $vid.$k in
	2.*) exp=46 ;;		# no-decap: 14 + 4 + IPv4 20 + UDP 8
	1.[12]) [ "$p" = erspan ] && exp=$len ||	# by the filter above
		eval "exp=\$((\${OH_$k:-0} + \${IN_$p:-9999}))" ;;
	1.[0-9]*) eval "exp=\$((\${OH_$k:-0} + \${IN_$p:-9999}))" ;;
	*) exp=none ;;
	esac
	[ "$len" = "$exp" ] || { [ $bad -lt 5 ] && echo "# record '$vid $len $k $src $p': expected length $exp"; bad=$((bad + 1)); }
done </tmp/tunnels.rec
ok $bad "every record ends exactly at the innermost transport header (length by hand per tunnel kind)"
tot=$(awk '{ s += $2 } END { print s + 0 }' /tmp/tunnels.rec)
[ "$tot" = "$(c record_bytes)" ]
ok $? "record_bytes = $(c record_bytes) = the bytes of the records in the pcap" || echo "# pcap: $tot"

# Phase 2: tunnel 12 under VID 2, judged by its outer addresses.
got=$(grep -c '^2 46 outer 198\.19\.0\.1 ' /tmp/tunnels.rec)
[ "$got" = "$P2_SEL" ] && [ "$(grep -c '^2 ' /tmp/tunnels.rec)" = "$P2_SEL" ]
ok $? "no-decap: $P2_SEL records under VID 2, outer 198.19.0.1 > 198.18.0.2 UDP, nothing after it" ||
	grep '^2 ' /tmp/tunnels.rec | head -n 3 | sed 's/^/# /'

# The canary: the pings' payload pattern (a5 repeated) and the DNS name.
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
printf 'xx\245\245\245\245\245\245\245\245\245\245\245\245yy' >/tmp/tunnels.probe
hex /tmp/tunnels.probe | grep -q a5a5a5a5a5a5a5a5a5a5a5a5 || bail "the canary probe does not find the canary"
! hex $CAP | grep -q a5a5a5a5a5a5a5a5a5a5a5a5 && ! grep -qi canary $CAP
ok $? "no canary (ping pattern, DNS name) anywhere in the pcap"

[ "$(grep -c '^1 ' /tmp/tunnels.rec)" = "$EXP_SEL" ] && ! grep -q '^[^12] ' /tmp/tunnels.rec
ok $? "the outer-address-only rule (VID 2) selected nothing with decapsulation"

# ---- unload ---------------------------------------------------------------------
out=$(autoselctl detach dev vin2 2>&1 && autoselctl detach dev vin 2>&1)
ok $? "autoselctl detach dev vin2, dev vin" || echo "# $out"
unload && [ ! -e $S ]
ok $? "rmmod works after detach"
! dmesg | grep -qiE 'BUG|WARNING|leak'
ok $? "no kernel warnings"

ip netns del peer 2>/dev/null
ip netns del peer2 2>/dev/null
echo "# tunnels.sh: $n tests, $fails failed, $(el)"
[ "$fails" = 0 ]
