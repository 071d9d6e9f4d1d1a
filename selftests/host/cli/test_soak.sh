#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rule-update soak on the host (SPEC.md guarantees 3 and 4; the VM's
# selftests/vm/tests/soak.sh does the same through autosel.ko, with fewer
# swaps: under TCG a swap takes seconds).  A sender at full speed (UDP from
# A 198.51.100.7, B 203.0.113.5 and nobody's 8.8.8.8, bounded in time)
# while signed bundles change what is in force 105 times: 35 times
# install B, extend B (a higher serial, a later end), remove B; A stays.
#   - every frame the sender got out (its count - the veth's tx_dropped)
#     was judged exactly once: seen moves by exactly that much, and
#     seen = selected + sum(deleted), from the pinned counters;
#   - every record on the collection device is A's, or B's inside an
#     interval in which B was in force (from the start of its install to
#     the end of its remove, 0.2 s of slack for the capture's stamp; after
#     each remove B stays out for 0.5 s), never nobody's.
. "$(dirname "$0")/lib.sh"
need_root "soak on veth"

SRC=asel-ssrc-$$ CAP=asel-scap-$$
TMP=$(mktemp -d)
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-stest-$$
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
export AUTOSEL_TRUST=$TMP/trust
MAC=02:00:00:00:00:ab
CYCLES=${SOAK_CYCLES:-35}
PIDS=

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	ip netns del "$SRC" 2>/dev/null
	ip netns del "$CAP" 2>/dev/null
	rm -rf "$AUTOSEL_PIN_DIR" "$TMP"
}
trap cleanup EXIT

A=$AUTOSELCTL
incap() { nsenter --net=/run/netns/"$CAP" "$@"; }
insrc() { ip netns exec "$SRC" "$@"; }
ctl() { incap "$A" "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

tap_plan 6

setup() {
	ip netns add "$SRC" && ip netns add "$CAP" || return 1
	ip link add as-s1 netns "$SRC" type veth peer name as-s0 netns "$CAP" || return 1
	ip -n "$CAP" link add as-c0 type veth peer name as-c1 || return 1
	for d in as-s0 as-c0 as-c1; do
		incap sysctl -qw net.ipv6.conf.$d.disable_ipv6=1 || return 1
	done
	ip -n "$CAP" link set as-s0 address $MAC
	for d in as-s0 as-c0 as-c1 lo; do ip -n "$CAP" link set $d up || return 1; done
	ip -n "$CAP" link set dev as-c1 xdp obj "$TMP/xdp_pass.o" sec xdp || return 1
	ip -n "$SRC" link set lo up
	ip netns exec "$SRC" sysctl -qw net.ipv6.conf.as-s1.disable_ipv6=1 || return 1
	ip -n "$SRC" link set as-s1 up
	for a in 198.51.100.7 203.0.113.5 8.8.8.8; do
		ip -n "$SRC" addr add $a/32 dev as-s1 || return 1
	done
	ip -n "$SRC" neigh add 10.99.0.1 lladdr $MAC dev as-s1 nud permanent || return 1
	ip -n "$SRC" route add default via 10.99.0.1 dev as-s1 onlink || return 1
}
setup_rig

cd "$TMP" || exit 1
"$A" bundle keygen --out "$TMP/m1" --name m1 >/dev/null || exit 1
{ echo "autosel-trust 1"; echo "quorum 1"; cat m1.pub; } >trust
NOW=$(date +%s)
t() { date -u -d "@$((NOW + $1))" +%Y-%m-%dT%H:%M:%SZ; }
mk() {	# FILE ID SERIAL UNTIL INDICATOR
	if [ "$2" = S-DOM ]; then
		echo "$5" | "$A" bundle create --kind domestic-map --id "$2" --serial "$3" --out "$1"
	else
		echo "$5" | "$A" bundle create --kind approval --id "$2" --type fd \
			--from "$(t -600)" --until "$(t "$4")" --serial "$3" --out "$1"
	fi >/dev/null && "$A" bundle sign --key "$TMP/m1.key" "$1" >/dev/null
}
mk dom.b S-DOM 1 0 "ip 192.0.2.0/24" && mk a.b S-A 1 86400 "ip 198.51.100.0/24" || exit 1
for i in $(seq $CYCLES); do
	mk b$((2 * i - 1)).b S-B $((2 * i - 1)) 86400 "ip 203.0.113.0/24" &&
		mk b$((2 * i)).b S-B $((2 * i)) $((86400 + i)) "ip 203.0.113.0/24" || exit 1
done
ctl install dom.b >/dev/null && ctl install a.b >/dev/null &&
	ctl attach dev as-s0 --collect as-c0 >/dev/null || { not_ok "attach"; totals; exit 1; }

stat_() { ctl stats --json | jq_ "$1"; }
txd() { insrc cat /sys/class/net/as-s1/statistics/tx_dropped; }
# B's and nobody's only: A's millions of records would make the pass
# over the capture longer than the soak.
nsenter --net=/run/netns/"$CAP" tcpdump -i as-c1 -Q in -U -n -w "$TMP/soak.pcap" \
	'udp and not src host 198.51.100.7' 2>"$TMP/tcpdump.err" &
TCPD=$!
PIDS="$PIDS $TCPD"
for _ in $(seq 100); do grep -q listening "$TMP/tcpdump.err" && break; sleep 0.1; done
seen0=$(stat_ 'd["seen"]') d0=$(txd)
insrc python3 - 198.51.100.7 203.0.113.5 8.8.8.8 192.0.2.10 "$TMP/stop" >"$TMP/sent" <<'EOF' &
import os, socket, sys, time
srcs, dst, stop = sys.argv[1:4], sys.argv[4], sys.argv[5]
socks = []
for s in srcs:
    k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); k.bind((s, 0)); socks.append(k)
n, end = 0, time.time() + 300
while time.time() < end and not os.path.exists(stop):
    for k in socks:
        try:
            k.sendto(b"CANARY!!" * 8, (dst, 5000))
            n += 1
        except OSError:
            pass
print(n)
EOF
SENDER=$!
sleep 0.5
now() { date +%s.%N; }
T0=$(date +%s) fail=0
: >"$TMP/ops"
for i in $(seq $CYCLES); do
	t0=$(now)
	ctl install b$((2 * i - 1)).b >/dev/null || fail=1
	ctl install b$((2 * i)).b >/dev/null || fail=1
	ctl remove S-B >/dev/null || fail=1
	echo "$t0 $(now)" >>"$TMP/ops"
	sleep 0.5	# B out of force: none of its records may fall here
done
T1=$(date +%s)
touch "$TMP/stop"
wait $SENDER
sent=$(cat "$TMP/sent") dropped=$(($(txd) - d0))
check "$((3 * CYCLES)) installs, extensions and removals under load in $((T1 - T0)) s, none failed" test $fail = 0
judged=$((sent - dropped))
for _ in $(seq 50); do [ "$(stat_ 'd["seen"]')" = $((seen0 + judged)) ] && break; sleep 0.1; done
seen=$(stat_ 'd["seen"]')
check "the sender's count = seen: $sent sent, $dropped dropped by the veth, $judged judged" \
	test "$seen" = $((seen0 + judged))
check "seen = selected + sum(deleted)" \
	test "$(ctl stats --json | jq_ 'd["seen"] == d["selected"] + sum(d["deleted_by_reason"].values())')" = True
sleep 0.5
kill -INT $TCPD 2>/dev/null
wait $TCPD 2>/dev/null
tcpdump -tt -q -nn -r "$TMP/soak.pcap" 2>/dev/null >"$TMP/recs"
res=$(awk '
	FNR == NR { s[n] = $1; e[n++] = $2 + 0.2; next }
	{ for (i = 2; i < NF; i++) if ($i == ">") src = $(i - 1)
	  sub(/\.[0-9]+$/, "", src) }
	src == "203.0.113.5" { for (i = 0; i < n; i++) if ($1 >= s[i] && $1 <= e[i]) { b++; next }
			       bad++; if (bad < 4) print "# B outside its windows: " $0; next }
	{ bad++; if (bad < 4) print "# not A or B: " $0 }
	END { print "B " b + 0 " bad " bad + 0 }' "$TMP/ops" "$TMP/recs")
echo "$res" | sed 's/^\([^#]\)/# records: \1/'
last=$(tail -n 1 <<<"$res")
check "every record of B lies in a time B was in force; none of nobody's" \
	test "${last#* * }" = "bad 0"
nb=$(cut -d' ' -f2 <<<"$last")
check "A ($(($(stat_ 'd["selected"]') - nb)) records) and B ($nb) were both selected" \
	test "$nb" -gt 0 -a "$(stat_ 'd["selected"]')" -gt "$nb"
totals
