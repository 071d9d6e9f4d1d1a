#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - VM test: rule updates under full load (SPEC.md guarantees 3
# and 4).  The real filter (kfunc flavour) on "vin"; `astest soak` in the
# namespace "peer" sends as fast as its socket takes frames, round-robin
# over every kind (astest.c: TCP both ways and UDP/IPv6 of IP indicator A,
# UDP of B, UDP of nobody, dd, DNS and HTTP for domain indicator C,
# malformed, non-IP; eight hosts and 64 source ports each), bounded in
# count and time.  Meanwhile signed bundles are installed, extended and
# removed, CYCLES times over:
#
#   install B, extend B (higher serial, later end), install C, remove B,
#   extend C, remove C      (A, fd, in slot 0, stays in force all along)
#
# so that B is out of force for two swaps in every cycle, and C for two.
#
# Checks:
#  - the sender's count = seen exactly: every frame the sender got out
#    (sent - vout's tx_dropped: veth drops what its ring has no room for,
#    before XDP) was judged once; seen = selected + sum(deleted_<reason>);
#    the records on autosel0 = selected;
#  - guarantee 4 on the capture of autosel0: every record is one of A's
#    (VID 1, 10.99.1.0/24 or fd00:99:1::/64 either way), B's (VID 2,
#    10.99.2.0/24) or C's (VID 3, 10.99.4-5.x); none of nobody's, of dd,
#    or malformed; and each B or C record's time lies inside an interval
#    in which that approval was in force (from the start of the install
#    that put it in to the end of the remove that took it out: the old or
#    the new rule set of every swap), never in between;
#  - rmmod while attached under load is refused, counters intact;
#  - detach and reattach under load: the counters carry on (the module's,
#    never reset) and balance, and a burst sent after the reattach is
#    counted exactly;
#  - header-only records, no canary (astest pcapcheck).
#
# vm-timeout: 480
# Needs in PATH: autoselctl, astest, ip, tcpdump.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
W=/tmp/soak
CAP=$W/autosel0.pcap
CYCLES=${SOAK_CYCLES:-1}	# x 6 changes
SEND_MAX=${SOAK_FRAMES:-1000000}

echo "TAP version 13"
echo "1..16"

command -v autoselctl >/dev/null || bail "autoselctl not in PATH"
command -v astest >/dev/null || bail "astest not in PATH"
T_START=$(date +%s)
dmesg -c >/dev/null 2>&1
load_module
mkdir -p $W && cd $W || bail "workdir"
start_capture autosel0 $CAP
make_peer

export AUTOSEL_STATE_DIR=$W/state AUTOSEL_AUDIT_LOG=$W/audit.log AUTOSEL_TRUST=$W/trust
for m in m1 m2 m3; do autoselctl bundle keygen --out $W/$m --name $m >/dev/null || bail "keygen"; done
{ echo "autosel-trust 1"; echo "quorum 2"; cat m1.pub m2.pub m3.pub; } >trust
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
FROM=$(iso $((NOW - 600)))
mk() {	# FILE ID KIND SERIAL UNTIL_OFFSET INDICATOR...
	f=$1 id=$2 kind=$3 serial=$4 until=$5
	shift 5
	for _ind in "$@"; do echo "$_ind"; done >$W/ind
	if [ "$kind" = dom ]; then
		autoselctl bundle create --kind domestic-map --id "$id" --serial "$serial" \
			--indicators $W/ind --out "$f"
	else
		autoselctl bundle create --kind approval --id "$id" --type fd \
			--from "$FROM" --until "$(iso $((NOW + until)))" --serial "$serial" \
			--indicators $W/ind --out "$f"
	fi >/dev/null || bail "create $f"
	autoselctl bundle sign --key $W/m1.key "$f" >/dev/null &&
		autoselctl bundle sign --key $W/m2.key "$f" >/dev/null || bail "sign $f"
}
mk dom.b SOAK-DOM dom 1 0 "ip 10.99.0.0/24" "ip fd00:99::/64"
mk a.b SOAK-A fd 1 7200 "ip 10.99.1.0/24" "ip fd00:99:1::/64"
i=1
while [ $i -le $CYCLES ]; do
	mk b$((2 * i - 1)).b SOAK-B fd $((2 * i - 1)) 3600 "ip 10.99.2.0/24"
	mk b$((2 * i)).b SOAK-B fd $((2 * i)) $((3600 + i)) "ip 10.99.2.0/24"
	mk c$((2 * i - 1)).b SOAK-C fd $((2 * i - 1)) 3600 "domain .soak.example"
	mk c$((2 * i)).b SOAK-C fd $((2 * i)) $((3600 + i)) "domain .soak.example"
	i=$((i + 1))
done
echo "# $((4 * CYCLES + 2)) bundles signed in $(($(date +%s) - NOW)) s"

autoselctl install dom.b >/dev/null && autoselctl install a.b >/dev/null ||
	bail "install the domestic map and A"
out=$(autoselctl attach dev vin 2>&1)
r=$?
echo "$out" | sed 's/^/# /'
[ $r = 0 ] && [ "$(cat $S/approvals/SOAK-A/slot)" = 0 ]
ok $? "attach from the state: SOAK-A in slot 0"
wait_capture || bail "tcpdump does not listen on autosel0"

# ---- phase 1: the sender at full speed, the rule set changing under it -------
txd() { pns cat /sys/class/net/vout/statistics/tx_dropped; }
# settled: seen has stopped moving (the veth ring drained)
settled() {
	_a=-1 _i=0
	while [ "$(c seen)" != "$_a" ] && [ $_i -lt 100 ]; do
		_a=$(c seen)
		sleep 0.3
		_i=$((_i + 1))
	done
}
sent_of() { sed -n 's/^frames \([0-9]*\) .*/\1/p' "$1"; }
d0=$(txd) s0=$(c seen)
ip netns exec peer astest soak vout "$VIN_MAC" $SEND_MAX 600 >$W/send.out 2>&1 &	# not pns: $! must be astest
SENDER=$!
sleep 1
# ops.log: START END OP ID, times from astest now (nanoseconds).
: >$W/ops.log
op() {	# OP ID CMD...
	_o=$1 _id=$2
	shift 2
	_t0=$(astest now)
	"$@" >$W/op.out 2>&1 || { echo "# $_o $_id failed: $(cat $W/op.out)"; opfail=1; }
	echo "$_t0 $(astest now) $_o $_id" >>$W/ops.log
}
opfail=0
T0=$(date +%s)
i=1
while [ $i -le $CYCLES ]; do
	op install SOAK-B autoselctl install b$((2 * i - 1)).b
	op extend SOAK-B autoselctl install b$((2 * i)).b
	op install SOAK-C autoselctl install c$((2 * i - 1)).b
	op remove SOAK-B autoselctl remove SOAK-B
	op extend SOAK-C autoselctl install c$((2 * i)).b
	op remove SOAK-C autoselctl remove SOAK-C
	i=$((i + 1))
done
T1=$(date +%s)
nops=$(wc -l <$W/ops.log)
kill -TERM $SENDER 2>/dev/null
wait $SENDER
sed 's/^/# sender: /' $W/send.out
[ $opfail = 0 ] && [ "$nops" = $((6 * CYCLES)) ]
ok $? "$nops installs, extensions and removals under load in $((T1 - T0)) s, none failed"
[ ! -e $S/approvals/SOAK-B ] && [ ! -e $S/approvals/SOAK-C ] &&
	[ "$(cat $S/approvals/SOAK-A/slot)" = 0 ] &&
	[ "$(grep -c ' install result=ok id=SOAK-B ' audit.log)" = $((2 * CYCLES)) ] &&
	[ "$(grep -c ' remove result=ok id=SOAK-C ' audit.log)" = $CYCLES ]
ok $? "the module and the audit log followed: B and C gone, A in slot 0, every change logged"

sent=$(sent_of $W/send.out)
dropped=$(($(txd) - d0))
judged=$((sent - dropped))
settled
[ "$(c seen)" = $((s0 + judged)) ]
ok $? "sender's count = seen: $sent sent, $dropped dropped by veth before XDP, $judged judged" ||
	echo "# seen $(c seen), expected $((s0 + judged))"
balanced
ok $? "seen = selected + sum(deleted_<reason>) = $(c seen)"
wait_for records "$(c selected)" 100
ok $? "records = selected = $(c selected)"
for r in no_match domestic direction malformed non_ip; do
	printf '# deleted_%s = %s\n' $r "$(c deleted_$r)"
done
[ "$(c deleted_malformed)" -gt 0 ] && [ "$(c deleted_non_ip)" -gt 0 ] &&
	[ "$(c deleted_domestic)" -gt 0 ] && [ "$(c deleted_no_match)" -gt 0 ]
ok $? "every kind of deletion happened under load (no_match, domestic, malformed, non_ip)"

# ---- rmmod, detach and reattach under load ----------------------------------------
s1=$(c seen) d1=$(txd)
ip netns exec peer astest soak vout "$VIN_MAC" $SEND_MAX 120 >$W/send2.out 2>&1 &	# not pns: $! must be astest
SENDER=$!
sleep 1
out=$(rmmod autosel 2>&1)
r=$?
echo "# rmmod while attached: rc=$r $out"
[ $r != 0 ] && grep -q '^autosel ' /proc/modules && [ -e $S/seen ] && [ -e $S/approvals/SOAK-A ]
ok $? "rmmod autosel refused while attached under load; module, sysfs and approvals intact"
seen_before=$(c seen)
out=$(autoselctl detach dev vin 2>&1) || echo "# detach: $out"
seen_detached=$(c seen)
out=$(autoselctl attach dev vin 2>&1) || echo "# attach: $out"
sleep 2
seen_attached=$(c seen)
kill -TERM $SENDER 2>/dev/null
wait $SENDER
sed 's/^/# sender 2: /' $W/send2.out
settled
n2=$(sent_of $W/send2.out)
echo "# seen: $seen_before before the detach, $seen_detached detached, $seen_attached 2 s after the reattach, $(c seen) in the end"
echo "# of the $n2 frames of sender 2, $((n2 - ($(txd) - d1) - ($(c seen) - s1))) reached vin while it was detached (the stack's)"
[ "$seen_detached" -ge "$seen_before" ] && [ "$seen_attached" -gt "$seen_detached" ] &&
	balanced && [ "$(cat $S/approvals/SOAK-A/slot)" = 0 ]
ok $? "detach + reattach under load: the counters carried on (never reset) and balance; A bound again"
d1=$(txd) s1=$(c seen)
pns astest soak vout "$VIN_MAC" 5000 60 >$W/send3.out
n3=$(sent_of $W/send3.out)
settled
[ "$(c seen)" = $((s1 + n3 - ($(txd) - d1))) ] && balanced
ok $? "after the reattach a burst of $n3 frames is counted exactly ($(($(txd) - d1)) dropped by veth)"
stop_capture

# ---- guarantee 4 on the capture ---------------------------------------------------
pc=$(astest pcapcheck $CAP AUTOSEL-CANARY)
ok $? "every record parses and ends after its headers; no canary"
echo "$pc" | sed 's/^/# /'
echo "$pc" | grep -q "^records $(c records) "
ok $? "the capture holds every record ($(c records))"
# Guarantee 4.  tcpdump's filters count the violations (printing every
# record is what takes long under TCG): a VID 1 record without A's
# prefixes at either end, a VID 2 record not from B's, a VID 3 record
# not from C's DNS or HTTP sources, anything of nobody's or dd.  Then the
# times of B's and C's records: each inside an interval in which the
# approval was in force, [start of the install that put it in, end of
# the remove that took it out] -- the old or the new rule set of every
# swap; a record is judged before tcpdump stamps it: 0.5 s of slack.
T_AN=$(date +%s)
nrec() { tcpdump -r $CAP -nn "$1" 2>/dev/null | wc -l; }
bad=0
for f in 'vlan 1 and not (net 10.99.1.0/24 or net fd00:99:1::/64)' \
	 'vlan 2 and not src net 10.99.2.0/24' \
	 'vlan 3 and not (src net 10.99.4.0/24 or src net 10.99.5.0/24)' \
	 'vlan and (net 10.99.3.0/24 or host 10.99.0.10)'; do
	v=$(nrec "$f")
	[ "$v" = 0 ] || { echo "# $v records match '$f'"; bad=1; }
done
nd=$(nrec 'vlan 3 and src net 10.99.4.0/24') nh=$(nrec 'vlan 3 and src net 10.99.5.0/24')
na=$(echo "$pc" | sed -n 's/^vid 1 //p') nb=$(echo "$pc" | sed -n 's/^vid 2 //p')
echo "# records: A ${na:-0}, B ${nb:-0}, C by DNS $nd, C by HTTP Host $nh"
[ "${na:-0}" -gt 0 ] && [ "${nb:-0}" -gt 0 ] && [ "$nd" -gt 0 ] && [ "$nh" -gt 0 ] &&
	[ "$(echo "$pc" | grep -c '^vid')" = 3 ]
ok $((bad | $?)) "every record is A's, B's or C's under its own VID (A, B, C by DNS and by HTTP Host all selected); none of nobody's, no dd"
bad=0
for x in B:2 C:3; do
	id=SOAK-${x%:*} vid=${x#*:}
	tcpdump -tt -q -nn -r $CAP "vlan $vid" 2>/dev/null | cut -d' ' -f1 | awk -v id=$id -v cyc=$CYCLES '
		FNR == NR { if ($4 == id && $3 == "install" && on == "") on = $1
			    if ($4 == id && $3 == "remove") { s[n] = on; e[n++] = $2 + 0.5; on = "" }
			    next }
		{ for (i = 0; i < n; i++) if ($1 >= s[i] && $1 <= e[i]) { k++; next }
		  nbad++; if (nbad < 5) print "# " id " record at " $1 " outside every window" }
		END { print "# " id ": " k + 0 " records inside its " n " windows, " nbad + 0 " outside"
		      exit !(nbad == 0 && n == cyc) }' $W/ops.log - || bad=1
done
ok $bad "every B and C record lies in a time its approval was in force ($(($(date +%s) - T_AN)) s for the analysis)"

autoselctl detach dev vin >/dev/null && unload
ok $? "detach, rmmod"
dmesg | grep 'autosel: unloading' | sed 's/^/# dmesg: /'
! dmesg | grep -qE 'Kernel panic|Oops|BUG: |WARNING: |general protection fault|leak'
ok $? "no kernel warnings ($(($(date +%s) - T_START)) s in all)"
ip netns del peer 2>/dev/null
chattr -a $W/audit.log 2>/dev/null
[ $fails = 0 ]
