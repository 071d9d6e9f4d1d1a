#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install_live.sh - VM test: signed bundles installed and removed on a live
# port with autosel.ko loaded.  The module's registry must follow every
# install, extension, refusal and removal (approvals/<id>/ serial and
# sha256, generation); per-approval counts survive swaps; report and stats
# read the module's counters.
#
# Needs in PATH: autoselctl, ip.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
W=/tmp/install-live

ping4() { pns ping -c "$2" -W 1 -i 0.2 -I "$1" 10.99.0.2 >/dev/null 2>&1; }
registry() { for d in $S/approvals/*/; do [ -d "$d" ] && echo "$d $(cat $d/slot $d/serial $d/sha256)"; done; c generation; }
state_sha() { autoselctl status --json | sed -n "s/.*\"id\":\"$1\",[^}]*\"sha256\":\"\([0-9a-f]*\)\".*/\1/p"; }

echo "TAP version 13"
echo "1..16"

command -v autoselctl >/dev/null || bail "autoselctl not in PATH"
load_module
make_peer
for a in 1 5; do pns ip addr add 10.99.0.$a/24 dev vout || bail "addr"; done
pns ip neigh add 10.99.0.2 lladdr "$VIN_MAC" dev vout nud permanent

mkdir -p $W && cd $W || bail "workdir"
export AUTOSEL_STATE_DIR=$W/state AUTOSEL_AUDIT_LOG=$W/audit.log AUTOSEL_TRUST=$W/trust
for m in m1 m2 m3; do autoselctl bundle keygen --out $W/$m --name $m >/dev/null || bail "keygen"; done
{ echo "autosel-trust 1"; echo "quorum 2"; cat m1.pub m2.pub m3.pub; } >trust
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
FROM=$(iso $((NOW - 600))) UNTIL=$(iso $((NOW + 3600)))
mk() {	# FILE ID TYPE SERIAL IP
	if [ "$3" = dom ]; then
		echo "ip $5" | autoselctl bundle create --kind domestic-map --id "$2" --serial "$4" --out "$1"
	else
		echo "ip $5" | autoselctl bundle create --kind approval --id "$2" --type "$3" \
			--from "$FROM" --until "$UNTIL" --serial "$4" --out "$1"
	fi >/dev/null || bail "create $1"
	autoselctl bundle sign --key $W/m1.key "$1" >/dev/null &&
		autoselctl bundle sign --key $W/m2.key "$1" >/dev/null || bail "sign $1"
}
mk dom.b VM-DOM dom 1 10.99.0.2/32
mk a1.b VM-A fd 1 10.99.0.1/32
mk a2.b VM-A fd 2 10.99.0.1/32
mk b1.b VM-B fd 1 10.99.0.5/32
mk r.b VM-A fd 1 10.99.0.0/29

autoselctl install dom.b >/dev/null && autoselctl install a1.b >/dev/null
ok $? "install the domestic map and VM-A before anything is attached"
[ -z "$(ls $S/approvals)" ]
ok $? "the module is not told before a port is attached"

out=$(autoselctl attach dev vin 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q '^attached autosel_kf.bpf.o to vin (native mode), collection device autosel0, 1 approvals, 1 domestic prefixes$'
ok $? "attach loads the installed rule set into the kfunc program"
[ "$(cat $S/approvals/VM-A/serial $S/approvals/VM-A/slot)" = "1
0" ] && [ "$(cat $S/approvals/VM-A/sha256)" = "$(state_sha VM-A)" ]
ok $? "the module holds VM-A: slot 0, serial 1, the bundle's SHA-256"
[ "$(c generation)" = "$(autoselctl status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')" ]
ok $? "the module's generation is the state's"

ping4 10.99.0.1 3
wait_for $S/approvals/VM-A/selected_packets 3
ok $? "VM-A selects the sender's pings"

gen=$(c generation)
out=$(autoselctl install b1.b 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q 'swapped in on 1 port' && [ "$(cat $S/approvals/VM-B/slot)" = 1 ] &&
	[ "$(c generation)" -gt "$gen" ]
ok $? "install VM-B on the live port: swapped, bound to slot 1, generation up"
ping4 10.99.0.5 2
wait_for $S/approvals/VM-B/selected_packets 2 && [ "$(cat $S/approvals/VM-A/selected_packets)" = 3 ]
ok $? "VM-B selects; VM-A's count survived the swap"

autoselctl install a2.b >/dev/null
[ "$(cat $S/approvals/VM-A/serial $S/approvals/VM-A/slot $S/approvals/VM-A/selected_packets)" = "2
0
3" ] && [ "$(cat $S/approvals/VM-A/sha256)" = "$(state_sha VM-A)" ]
ok $? "extension: serial 2 in place, same slot, counts kept"

before=$(registry; c seen)
out=$(autoselctl install r.b 2>&1)
r=$?
echo "# $out"
[ $r = 1 ] && [ "$out" = "autoselctl: r.b: serial 1 of VM-A is not above the installed serial 2 (rollback)" ] &&
	[ "$(registry; c seen)" = "$before" ]
ok $? "rollback refused; the module's registry and counters unchanged"

ping4 10.99.0.1 1
wait_for $S/approvals/VM-A/selected_packets 4
ok $? "the extended VM-A keeps selecting"

rep=$(autoselctl report --json)
echo "# $rep"
echo "$rep" | grep -q "\"source\":\"module\"" &&
	echo "$rep" | grep -q "\"fd\":{\"approvals_in_force\":2,\"packets\":6," &&
	echo "$rep" | grep -q "\"seen\":$(c seen),"
ok $? "report --json: the module's counts (fd: 2 approvals, 6 packets)"
st=$(autoselctl stats --json)
echo "$st" | grep -q '"counters_source":"module"' && echo "$st" | grep -q "\"selected\":$(c selected),"
ok $? "stats --json reads the module's counters"

autoselctl remove VM-B >/dev/null && [ ! -e $S/approvals/VM-B ] && [ -e $S/approvals/VM-A ]
ok $? "remove VM-B: gone from the module, VM-A stays"

autoselctl detach dev vin >/dev/null && [ -z "$(ls $S/approvals)" ]
ok $? "detach of the last port removes the approvals from the module"
grep -q ' install result=ok id=VM-B ' $W/audit.log && grep -q ' remove result=ok id=VM-B ' $W/audit.log &&
	grep -q ' install result=refused id=VM-A serial=1 ' $W/audit.log
ok $? "audit log: install, refusal, removal"

ip netns del peer
chattr -a $W/audit.log 2>/dev/null
unload
[ $fails = 0 ]
