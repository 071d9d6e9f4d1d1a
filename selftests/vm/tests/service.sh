#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# service.sh - VM test: dist/autosel-service, what autosel.service runs
# (the guest has no systemd; the script is the same).  start loads
# autosel.ko with modprobe, installs the bundles of bundles.d in lexical
# order and attaches the ports of autosel.conf; a second start changes
# nothing; reload installs a new bundle (swapped in on both ports) and
# refuses a bad one with nothing changed; a bad autosel.conf is refused
# with nothing loaded, installed or attached; a port that cannot be
# attached undoes the start's other attachments; stop snapshots and
# detaches, and leaves the module loaded.
#
# Needs in PATH: autoselctl, autosel-service, ip.
# vm-timeout: 240

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
W=/tmp/service
SVC=autosel-service

xdp_on() { ip -d link show dev "$1" | grep -q 'prog/xdp'; }
# The attached ports, sorted, on one line ("vin vin2").
attached() {
	autoselctl status --json | sed -n 's/.*"interfaces":\[\([^]]*\)\].*/\1/p' |
		tr ',' '\n' | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'
}
gen() { autoselctl status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
show() { printf '%s\n' "$1" | sed 's/^/# /'; }

echo "TAP version 13"
echo "1..19"

command -v autoselctl >/dev/null || bail "autoselctl not in PATH"
command -v $SVC >/dev/null || bail "$SVC not in PATH"
# modprobe finds autosel.ko where dkms or make install would put it.
KV=$(uname -r)
mkdir -p /lib/modules/$KV/extra && cp "$KO" /lib/modules/$KV/extra/autosel.ko && depmod ||
	bail "cannot put autosel.ko in /lib/modules/$KV/extra"

make_peer
ip link add vin2 type veth peer name vout2 || bail "veth 2"
ip link set vout2 netns peer
ip link set vin2 up
pns ip link set vout2 up
pns ip addr add 10.99.0.1/24 dev vout || bail "addr"
pns ip neigh add 10.99.0.2 lladdr "$VIN_MAC" dev vout nud permanent

mkdir -p $W/bundles.d && cd $W || bail "workdir"
export AUTOSEL_STATE_DIR=$W/state AUTOSEL_AUDIT_LOG=$W/audit.log AUTOSEL_TRUST=$W/trust
export AUTOSEL_CONF=$W/autosel.conf AUTOSEL_BUNDLES=$W/bundles.d
for m in m1 m2; do autoselctl bundle keygen --out $W/$m --name $m >/dev/null || bail "keygen"; done
{ echo "autosel-trust 1"; echo "quorum 2"; cat m1.pub m2.pub; } >trust
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
FROM=$(iso $((NOW - 600))) UNTIL=$(iso $((NOW + 3600)))
mk() {	# FILE ID dom|fd SERIAL IP [SIGNERS]
	if [ "$3" = dom ]; then
		echo "ip $5" | autoselctl bundle create --kind domestic-map --id "$2" --serial "$4" --out "$1"
	else
		echo "ip $5" | autoselctl bundle create --kind approval --id "$2" --type "$3" \
			--from "$FROM" --until "$UNTIL" --serial "$4" --out "$1"
	fi >/dev/null || bail "create $1"
	for k in ${6:-m1 m2}; do
		autoselctl bundle sign --key $W/$k.key "$1" >/dev/null || bail "sign $1"
	done
}
mk bundles.d/00-domestic.b VM-DOM dom 1 10.99.0.2/32
mk bundles.d/10-a.b VM-A fd 1 10.99.0.1/32
mk b.b VM-B fd 1 10.99.0.5/32
mk short.b VM-C fd 1 10.99.0.6/32 m1

# ---- a bad autosel.conf: nothing loaded, installed or attached -----------------
printf 'attach vin\nattach vin2 --nodecap\n' >$AUTOSEL_CONF
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 1 ] && [ "$out" = "autosel-service: $AUTOSEL_CONF:2: unknown option '--nodecap' (only --no-decap, --generic)" ] &&
	[ ! -d /sys/module/autosel ] && [ ! -e $W/state/state ] && ! xdp_on vin && ! xdp_on vin2
ok $? "start with a bad autosel.conf: one line, exit 1, no module, nothing installed or attached"

# ---- start ---------------------------------------------------------------------
printf '# capture ports\nattach vin\nattach vin2 --no-decap\n' >$AUTOSEL_CONF
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 0 ]
ok $? "start: exit 0"
[ -d /sys/module/autosel ] && [ -e /sys/kernel/btf/autosel ] && [ "$(cat /sys/class/net/autosel0/operstate)" != down ]
ok $? "start: autosel.ko loaded by modprobe (with its BTF), autosel0 up"
st=$(autoselctl status --json)
echo "$st" | grep -q '"domestic_map":{"id":"VM-DOM","serial":1,' &&
	echo "$st" | grep -q '"id":"VM-A","type":"fd",.*"serial":1,.*"state":"active"' &&
	echo "$out" | sed -n 1p | grep -q '^autosel-service: 00-domestic.b: installed domestic map VM-DOM serial 1 '
ok $? "start: the bundles of bundles.d in force, in lexical order (status shows them)"
[ "$(attached)" = "vin vin2" ] && xdp_on vin && xdp_on vin2 &&
	echo "$out" | grep -q '^autosel-service: attached autosel_kf.bpf.o to vin (native mode), collection device autosel0, 1 approvals, 1 domestic prefixes$' &&
	echo "$out" | grep -q '^autosel-service: attached to vin2 (native mode, no decapsulation), sharing the rule set in force$'
ok $? "start: vin and vin2 (--no-decap) attached, the kfunc program"
[ "$(cat $S/approvals/VM-A/serial)" = 1 ]
ok $? "start: the module holds VM-A"
pns ping -c 3 -W 1 -i 0.2 -I 10.99.0.1 10.99.0.2 >/dev/null 2>&1
wait_for $S/approvals/VM-A/selected_packets 3
ok $? "the attached port selects under VM-A"

g=$(gen)
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 0 ] && echo "$out" | grep -q '^autosel-service: vin: already attached$' &&
	echo "$out" | grep -q '^autosel-service: 10-a.b: VM-A serial 1 is in force$' &&
	[ "$(gen)" = "$g" ] && [ "$(attached)" = "vin vin2" ]
ok $? "start again: nothing installed or attached twice"

# ---- reload --------------------------------------------------------------------
cp b.b bundles.d/20-b.b
out=$($SVC reload 2>&1)
r=$?
show "$out"
[ $r = 0 ] && echo "$out" | grep -q '^autosel-service: 20-b.b: installed approval VM-B serial 1 ' &&
	echo "$out" | grep -q '^autosel-service: 20-b.b: swapped in on 2 ports' &&
	[ "$(gen)" -gt "$g" ] && [ "$(cat $S/approvals/VM-B/serial)" = 1 ] && [ "$(cat $S/generation)" = "$(gen)" ]
ok $? "reload: the new bundle installed, swapped in on both ports, the module told"

cp short.b bundles.d/30-short.b
g=$(gen)
before=$(cat $S/generation; ls $S/approvals; autoselctl status --json)
out=$($SVC reload 2>&1)
r=$?
show "$out"
[ $r = 1 ] && [ "$(echo "$out" | tail -n 1)" = "autosel-service: $W/bundles.d/30-short.b: quorum not reached: 1 of 2 member signatures (nothing done)" ] &&
	[ "$before" = "$(cat $S/generation; ls $S/approvals; autoselctl status --json)" ]
ok $? "reload with a bundle short of the quorum: refused, nothing changed"
rm -f bundles.d/30-short.b

# ---- a bad autosel.conf while running --------------------------------------------
printf 'attach vin\nattach vin2\nattach vin\n' >$AUTOSEL_CONF
before=$(autoselctl status --json)
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 1 ] && [ "$out" = "autosel-service: $AUTOSEL_CONF:3: vin is listed twice" ] &&
	[ "$(autoselctl status --json)" = "$before" ] && xdp_on vin && xdp_on vin2
ok $? "start with a port listed twice while running: refused, ports and state unchanged"

# ---- stop --------------------------------------------------------------------------
out=$($SVC stop 2>&1)
r=$?
show "$out"
[ $r = 0 ] && [ -z "$(attached)" ] && ! xdp_on vin && ! xdp_on vin2
ok $? "stop: every port detached"
snap=$(echo "$out" | sed -n 's/^autosel-service: snapshot \([^ ]*\) sha256 [0-9a-f]*$/\1/p')
[ -n "$snap" ] && [ -f "$snap" ] && grep -q "snapshot result=ok id=$(basename "$snap")" $W/audit.log
ok $? "stop: a snapshot of the counts first (in the audit log)"
[ -d /sys/module/autosel ] && [ "$(c selected)" -ge 3 ]
ok $? "stop: autosel.ko stays loaded, its counters kept"
out=$($SVC stop 2>&1)
ok $? "stop again: nothing to detach, exit 0"

# ---- a port that cannot be attached: the start undoes its attachments ---------------
ip link set dev vin2 xdpgeneric obj /opt/autosel/as_test.bpf.o sec xdp 2>/dev/null ||
	ip link set dev vin2 xdp obj /opt/autosel/as_test.bpf.o sec xdp
xdp_on vin2
ok $? "another XDP program on vin2"
printf 'attach vin\nattach vin2\n' >$AUTOSEL_CONF
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 1 ] && [ "$(echo "$out" | tail -n 1)" = "autosel-service: start failed: the ports attached by this start are detached again" ] &&
	[ -z "$(attached)" ] && ! xdp_on vin
ok $? "start with vin2 taken: refused, vin detached again"
ip link set dev vin2 xdpgeneric off 2>/dev/null
ip link set dev vin2 xdp off 2>/dev/null

# ---- start after stop (as after a reboot: the state stays, nothing re-installed) ----
g=$(gen)
out=$($SVC start 2>&1)
r=$?
show "$out"
[ $r = 0 ] && [ "$(gen)" = "$g" ] && [ "$(attached)" = "vin vin2" ] &&
	! echo "$out" | grep -q 'installed'
ok $? "start again after stop: the bundles in force are kept, both ports attached"
$SVC stop >/dev/null 2>&1
[ -z "$(attached)" ]
ok $? "stop"

ip netns del peer
chattr -a $W/audit.log 2>/dev/null
rm -f /lib/modules/$KV/extra/autosel.ko
unload
echo "# Totals: pass:$((n - fails)) fail:$fails xfail:0 xpass:0 skip:0 error:0"
[ $fails = 0 ]
