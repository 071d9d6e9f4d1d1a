#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dist/autosel-service on the host (no module here: the VM test
# selftests/vm/tests/service.sh runs start and stop with autosel.ko):
# every refusal of autosel.conf with its exact one-line error and nothing
# done; bundles.d in lexical order, bundles in force and superseded ones
# skipped, a bad bundle refused before anything is installed; reload puts
# new bundles in force (state only, nothing attached); a start that cannot
# load the module installs nothing.
. "$(dirname "$0")/lib.sh"
need_root "autosel-service"

SVC=$TOP/dist/autosel-service
TMP=$(mktemp -d)
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-svc-$$
export AUTOSEL_STATE_DIR=$TMP/state
export AUTOSEL_AUDIT_LOG=$TMP/log/audit.log
export AUTOSEL_TRUST=$TMP/trust
export AUTOSEL_CONF=$TMP/autosel.conf AUTOSEL_BUNDLES=$TMP/bundles.d
export AUTOSELCTL
trap 'chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null; rm -rf "$TMP"' EXIT
A=$AUTOSELCTL

tap_plan 26

# ck NAME: ok if the command before it succeeded.
ck() {
	local r=$?
	if [ $r = 0 ]; then ok "$1"; else not_ok "$1" "out: $out" "err: $err"; fi
}

# conf LINE...: write autosel.conf.
conf() { printf '%s\n' "$@" >"$AUTOSEL_CONF"; }
mkdir -p "$AUTOSEL_BUNDLES"

# ---- autosel.conf --------------------------------------------------------------
V1=asvc1-$$ V2=asvc2-$$
conf '# capture ports' '' 'attach lo --no-decap' "attach $V1" "attach $V2 --generic --no-decap"
ip link add dev "$V1" type veth peer name "$V2"
run "$SVC" check
want="autosel-service: port lo --no-decap
autosel-service: port $V1
autosel-service: port $V2 --generic --no-decap"
[ "$rc" = 0 ] && [ "$out" = "$want" ]
ck "check: a good autosel.conf, its ports in order"
ip link del dev "$V1"

C=$AUTOSEL_CONF
bad() {	# NAME 'EXPECTED ERROR' LINE: autosel.conf with a good line, then LINE
	conf 'attach lo' "$3"
	expect_fail "$1" 1 "autosel-service: $C:2: $2" "$SVC" check
}
bad "unknown keyword" "unknown keyword 'port' (only 'attach IFACE [--no-decap] [--generic]')" 'port lo'
bad "attach without interface" "attach needs an interface name" 'attach'
bad "unknown option" "unknown option '--collect' (only --no-decap, --generic)" 'attach x0 --collect'
bad "option given twice" "--no-decap given twice" 'attach x0 --no-decap --no-decap'
bad "port listed twice" "lo is listed twice" 'attach lo --generic'
bad "two spaces" "separate words with single spaces, no leading or trailing space" 'attach  lo'
bad "leading space" "separate words with single spaces, no leading or trailing space" ' attach lo'
bad "tab" "tab character: separate words with single spaces" "$(printf 'attach\tlo')"
bad "a name with a slash" "bad interface name 'a/b'" 'attach a/b'
bad "a glob is not expanded" "bad interface name '*'" 'attach *'
bad "a name longer than 15 bytes" "bad interface name 'abcdefghijklmnop'" 'attach abcdefghijklmnop'
conf 'attach lo' 'attach asel-nosuch0'
expect_fail "an interface that does not exist" 1 "autosel-service: $C: interface asel-nosuch0 does not exist" "$SVC" check
rm -f "$C"
expect_fail "no autosel.conf" 1 "autosel-service: $C: cannot read the configuration" "$SVC" check
conf 'attach lo'
expect_fail "usage" 2 "autosel-service: usage: autosel-service start|stop|reload|check" "$SVC" restart

# ---- bundles.d -------------------------------------------------------------------
cd "$TMP" || exit 1
for m in m1 m2 m3; do "$A" bundle keygen --out "$TMP/$m" --name "$m" >/dev/null || exit 1; done
{ echo "autosel-trust 1"; echo "quorum 2"; cat m1.pub m2.pub m3.pub; } >trust
t() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(t -600) UNTIL=$(t 86400)
mk() {	# FILE ID dom|fd SERIAL PREFIX
	if [ "$3" = dom ]; then
		echo "ip $5" | "$A" bundle create --kind domestic-map --id "$2" --serial "$4" --out "$1"
	else
		echo "ip $5" | "$A" bundle create --kind approval --id "$2" --type "$3" \
			--from "$FROM" --until "$UNTIL" --serial "$4" --out "$1"
	fi >/dev/null && "$A" bundle sign --key m1.key "$1" >/dev/null &&
		"$A" bundle sign --key m2.key "$1" >/dev/null
}
B=$AUTOSEL_BUNDLES
mk "$B/00-domestic.b" DOM dom 1 10.0.0.0/8
mk "$B/10-A.b" SVC-A fd 1 192.0.2.1/32
mk "$B/20-B.b" SVC-B fd 1 192.0.2.2/32
mk "$TMP/A2.b" SVC-A fd 2 192.0.2.1/32
cp "$B/10-A.b" "$B/.10-A.b.swp"; cp "$B/10-A.b" "$B/10-A.b.dpkg-old"

run "$SVC" check
want="autosel-service: port lo
autosel-service: 00-domestic.b: to be installed
autosel-service: 10-A.b: to be installed
autosel-service: 20-B.b: to be installed"
[ "$rc" = 0 ] && [ "$out" = "$want" ]
ck "check: the bundles in lexical order, editors' and dpkg's leftovers ignored"

# A bundle short of the quorum stops everything before anything is installed.
echo "ip 192.0.2.3/32" | "$A" bundle create --kind approval --id SVC-C --type fd \
	--from "$FROM" --until "$UNTIL" --serial 1 --out "$B/30-C.b" >/dev/null
"$A" bundle sign --key m1.key "$B/30-C.b" >/dev/null
expect_fail "reload: a bundle short of the quorum is refused, nothing installed" 1 \
	"autosel-service: $B/30-C.b: quorum not reached: 1 of 2 member signatures (nothing done)" "$SVC" reload
check "... and the state is untouched (no state file)" [ ! -e "$AUTOSEL_STATE_DIR/state" ]
rm -f "$B/30-C.b"

# start cannot load autosel.ko on this host: refused before any install.
run "$SVC" start
[ "$rc" = 1 ] && [ "$(tail -n 1 <<<"$err")" = "autosel-service: modprobe autosel failed" ] &&
	[ ! -e "$AUTOSEL_STATE_DIR/state" ]
ck "start without a loadable autosel.ko: 'modprobe autosel failed', nothing installed"

run "$SVC" reload
echo "$out" | sed 's/^/# /'
gen=$("$A" status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')
[ "$rc" = 0 ] && [ "$gen" = 3 ] &&
	[ "$(grep -o 'installed [a-z -]*\(map\|approval\) [A-Z-]*' <<<"$out" | tr '\n' ,)" = "installed domestic map DOM,installed approval SVC-A,installed approval SVC-B," ]
ck "reload installs the three bundles in order (generation 3)"

run "$SVC" reload
want="autosel-service: 00-domestic.b: DOM serial 1 is in force
autosel-service: 10-A.b: SVC-A serial 1 is in force
autosel-service: 20-B.b: SVC-B serial 1 is in force"
[ "$rc" = 0 ] && [ "$out" = "$want" ] && [ "$("$A" status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')" = 3 ]
ck "reload again: everything in force, nothing installed, generation unchanged"

cp "$TMP/A2.b" "$B/11-A2.b"
run "$SVC" reload
[ "$rc" = 0 ] && grep -q '^autosel-service: 11-A2.b: installed approval SVC-A serial 2' <<<"$out" &&
	[ "$(sed -n 2p <<<"$out")" = "autosel-service: 10-A.b: SVC-A serial 1 is in force" ]
ck "a new serial of SVC-A (11-A2.b) is installed"
run "$SVC" reload
[ "$rc" = 0 ] && grep -q '^autosel-service: 10-A.b: SVC-A serial 1 is superseded (serial 2 recorded): skipped$' <<<"$out"
ck "...and stays skipped on the next reload (a reboot)"

# A higher serial before a lower one of the same id, both new: the lower
# is superseded within the same run, not a rollback that fails the start.
mk "$B/05-D2.b" SVC-D fd 2 192.0.2.4/32
mk "$B/06-D1.b" SVC-D fd 1 192.0.2.4/32
run "$SVC" reload
[ "$rc" = 0 ] && grep -q '^autosel-service: 05-D2.b: installed approval SVC-D serial 2' <<<"$out" &&
	grep -q '^autosel-service: 06-D1.b: SVC-D serial 1 is superseded (serial 2 recorded): skipped$' <<<"$out"
ck "serial 2 then serial 1 of a new id in one reload: 2 installed, 1 skipped"
rm -f "$B/05-D2.b" "$B/06-D1.b"

"$A" remove SVC-B >/dev/null
run "$SVC" reload
[ "$rc" = 0 ] && grep -q '^autosel-service: 20-B.b: SVC-B serial 1 is superseded (serial 1 recorded): skipped$' <<<"$out"
ck "a removed approval's file is not put back in force"

run "$SVC" stop
[ "$rc" = 0 ] && [ -z "$out$err" ]
ck "stop with nothing attached and no module: nothing to do"

totals
