#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# autoselctl install / remove / status / report, expiry and the audit log.
#
# Part 1 (state only, nothing attached): every refusal, each with its exact
# one-line error, exit 1, and the state directory byte-for-byte unchanged;
# serials survive removal; expiry.
# Part 2 (veth pair in namespaces, like test_attach.sh): install and remove
# on a live port swap the program atomically; refusals leave the pinned
# program, maps and counters unchanged; report --json equals the counters;
# a swap loop under load never selects what neither rule set selects.
. "$(dirname "$0")/lib.sh"
need_root "install on veth"

SRC=asel-isrc-$$ CAP=asel-icap-$$
TMP=$(mktemp -d)
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-itest-$$
export AUTOSEL_STATE_DIR=$TMP/state
export AUTOSEL_AUDIT_LOG=$TMP/log/audit.log
export AUTOSEL_TRUST=$TMP/trust
MAC=02:00:00:00:00:aa
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

tap_plan 76

# ---- the Commission: five members, quorum 3; one outsider -------------------
cd "$TMP" || exit 1
for m in m1 m2 m3 m4 m5 mx; do
	"$A" bundle keygen --out "$TMP/$m" --name "$m" >/dev/null || exit 1
done
{ echo "autosel-trust 1"; echo "quorum 3"; cat m1.pub m2.pub m3.pub m4.pub m5.pub; } >trust
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
keyid() { awk '{print $2}' "$TMP/$1.pub"; }

NOW=$(date +%s)
t() { date -u -d "@$(($NOW + $1))" +%Y-%m-%dT%H:%M:%SZ; }
PAST=$(t -86400) FUTURE=$(t 31536000)

# mk FILE ID TYPE SERIAL FROM UNTIL SIGNERS... < indicators
mk() {
	local f=$1 id=$2 type=$3 serial=$4 from=$5 until=$6
	shift 6
	if [ "$type" = dom ]; then
		"$A" bundle create --kind domestic-map --id "$id" --serial "$serial" --out "$f" >/dev/null
	else
		"$A" bundle create --kind approval --id "$id" --type "$type" \
			--from "$from" --until "$until" --serial "$serial" --out "$f" >/dev/null
	fi || return 1
	for k in "$@"; do "$A" bundle sign --key "$TMP/$k.key" "$f" >/dev/null || return 1; done
}

# The state as bytes, and (when attached) the program, rule maps and counters.
snapshot() {
	{
		find "$AUTOSEL_STATE_DIR" -type f 2>/dev/null | sort | xargs -r sha256sum
		if [ -e "$AUTOSEL_PIN_DIR/prog" ]; then
			bpftool prog show pinned "$AUTOSEL_PIN_DIR/prog" | head -1
			for m in approvals config counters slot_counters; do
				[ -e "$AUTOSEL_PIN_DIR/maps/$m" ] &&
					bpftool map dump pinned "$AUTOSEL_PIN_DIR/maps/$m"
			done
			bpftool map dump pinned "$AUTOSEL_PIN_DIR/ids"
			ls "$AUTOSEL_PIN_DIR/dev"
		fi
	} | sha256sum
}
audit_lines() { wc -l 2>/dev/null <"$AUTOSEL_AUDIT_LOG" || echo 0; }

# refused NAME 'EXACT ERROR' CMD...: exit 1, that error, no output, nothing
# changed, one "result=refused" audit line.
refused() {
	local name=$1 want=$2 before lines
	shift 2
	before=$(snapshot) lines=$(audit_lines)
	run "$@"
	if [ "$rc" = 1 ] && [ "$err" = "$want" ] && [ -z "$out" ] &&
	   [ "$(snapshot)" = "$before" ] &&
	   [ "$(audit_lines)" = $((lines + 1)) ] &&
	   tail -1 "$AUTOSEL_AUDIT_LOG" | grep -q " result=refused "; then
		ok "$name"
	else
		not_ok "$name" "want rc=1 err='$want'" "got rc=$rc err='$err' out='$out'" \
			"unchanged: $([ "$(snapshot)" = "$before" ] && echo yes || echo NO)" \
			"audit: $(tail -1 "$AUTOSEL_AUDIT_LOG" 2>/dev/null)"
	fi
}

# ---- part 1: the state directory ----------------------------------------------
printf 'ip 192.0.2.0/24\nip 2001:db8:d::/48\n' | mk dom1.b JP-DOM dom 1 - - m1 m2 m3 || exit 1
printf 'ip 198.51.100.0/24\nip 2001:db8:f::/48\n' | mk a1.b T-FD-1 fd 1 "$PAST" "$FUTURE" m1 m2 m3
printf 'ip 203.0.113.0/25\n' | mk b1.b T-FF-1 ff 1 "$PAST" "$FUTURE" m2 m4 m5

refused "approval before any domestic map" \
	"autoselctl: a1.b: no domestic map is installed; install the domestic-map bundle first" \
	"$A" install a1.b
run "$A" install dom1.b
check "install the domestic map" test "$rc" = 0
run "$A" install a1.b
check "install approval T-FD-1 (quorum 3 of 5)" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'installed approval T-FD-1 serial 1 in slot 0'"
run "$A" install b1.b
check "install approval T-FF-1 in slot 1" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'in slot 1'"

# Quorum and signatures.
printf 'ip 198.51.100.0/24\n' | mk q.b T-FD-1 fd 2 "$PAST" "$FUTURE" m1 m2
refused "short quorum" \
	"autoselctl: q.b: quorum not reached: 2 of 3 member signatures" "$A" install q.b
printf 'ip 198.51.100.0/24\n' | mk u.b T-FD-1 fd 2 "$PAST" "$FUTURE" m1 m2 mx
refused "a key not in the trust file counts zero" \
	"autoselctl: u.b: quorum not reached: 2 of 3 member signatures; 1 by keys not in the trust file" \
	"$A" install u.b
cp q.b d.b && tail -1 q.b >>d.b
refused "a duplicate signature counts once" \
	"autoselctl: d.b: quorum not reached: 2 of 3 member signatures; 1 duplicate" "$A" install d.b
printf 'ip 198.51.100.0/24\n' | mk n.b T-FD-1 fd 2 "$PAST" "$FUTURE"
refused "unsigned bundle" "autoselctl: n.b: not signed (quorum is 3)" "$A" install n.b
printf 'ip 198.51.100.0/24\n' | mk x.b T-FD-1 fd 2 "$PAST" "$FUTURE" m1 m2 m3
sed -i 's|^ip 198.51.100.0/24$|ip 198.51.101.0/24|' x.b
line=$(grep -n "^signature $(keyid m1)" x.b | cut -d: -f1)
refused "a signature over other bytes" \
	"autoselctl: x.b:$line: signature by $(keyid m1) (m1) does not verify" "$A" install x.b

# Window.
printf 'ip 198.51.100.0/24\n' | mk w.b T-FD-1 fd 2 "$(t -7200)" "$(t -3600)" m1 m2 m3
refused "window over" "autoselctl: w.b: approval T-FD-1 has expired (valid-until $(t -3600))" \
	"$A" install w.b
printf 'ip 198.51.100.0/24\n' | mk y.b T-FD-1 fd 2 "$(t 3600)" "$(t 7200)" m1 m2 m3
refused "window not yet open" \
	"autoselctl: y.b: approval T-FD-1 is not valid yet (valid-from $(t 3600))" "$A" install y.b

# Serial, contents, capacity.
printf 'ip 198.51.100.0/25\n' | mk r.b T-FD-1 fd 1 "$PAST" "$FUTURE" m1 m2 m3
refused "rollback: serial not above the installed one" \
	"autoselctl: r.b: serial 1 of T-FD-1 is not above the installed serial 1 (rollback)" \
	"$A" install r.b
printf 'ip 192.0.2.128/25\n' | mk o.b T-FD-9 fd 1 "$PAST" "$FUTURE" m1 m2 m3
domcopy=$AUTOSEL_STATE_DIR/bundles/$(sed -n 's/^domestic JP-DOM 1 \([0-9a-f]*\) .*/\1/p' "$AUTOSEL_STATE_DIR/state")
OVERLAP="autoselctl: o.b:$(grep -n '^ip 192.0.2.128/25$' o.b | cut -d: -f1): indicator 192.0.2.128/25 overlaps the domestic prefix 192.0.2.0/24 ($domcopy line $(grep -n '^ip 192.0.2.0/24$' "$domcopy" | cut -d: -f1))"
refused "IP indicator inside the domestic map" "$OVERLAP" "$A" install o.b
printf 'ip 192.0.2.0/24\n' | mk dom0.b JP-DOM2 dom 1 - - m1 m2 m3
refused "a second domestic map id" \
	"autoselctl: dom0.b: the domestic map in force is JP-DOM, not JP-DOM2" "$A" install dom0.b
"$A" bundle create --kind approval --id T-E --type fd --from "$PAST" --until "$FUTURE" \
	--serial 1 --out e.b </dev/null >/dev/null 2>&1 ||
	{ cp a1.b e.b; sed -i '/^ip /d; /^signature /d' e.b; }
run "$A" install e.b
check "empty approval refused, nothing changed" \
	sh -c "[ $rc = 1 ] && echo '$err' | grep -q 'has no indicators'"
sed 's/^serial 1$/serial one/' a1.b >s.b
run "$A" install s.b
check "syntax error refused with its line" \
	sh -c "[ $rc = 1 ] && echo '$err' | grep -q '^autoselctl: s.b:[0-9]*: '"
printf 'domain c2.example\n' | mk dn.b T-DN fd 1 "$PAST" "$FUTURE" m1 m2 m3
run "$A" install dn.b
check "an approval of domain indicators only is installed" \
	sh -c "[ $rc = 0 ] && \"$A\" status | grep -q T-DN"
run "$A" remove T-DN
check "... and removed again" sh -c "[ $rc = 0 ]"

# Capacity: the data path's domain table holds 2^18 names (AS_DOMAINS_MAX);
# one more is refused with the count, before anything is loaded or written.
seq 1 262145 | sed 's/^/domain d/; s/$/.cap.example/' |
	mk cap.b T-CAP fd 1 "$PAST" "$FUTURE" m1 m2 m3
status_before=$("$A" status --json)
refused "capacity: 2^18 + 1 domain indicators" \
	"autoselctl: cap.b: too many domain indicators: 262145, at most 262144" \
	"$A" install cap.b
check "... status unchanged, the refusal in the audit log with the bundle's id" \
	sh -c "[ '$status_before' = \"\$(\"$A\" status --json)\" ] &&
	       tail -1 '$AUTOSEL_AUDIT_LOG' | grep -q ' install result=refused id=T-CAP serial=1 .*reason=\"cap.b: too many domain indicators: 262145, at most 262144\" h=[0-9a-f]*$'"

# 64 slots: 62 more approvals fill them, the 65th is refused.
for i in $(seq 2 63); do
	printf 'ip 100.64.%d.0/24\n' "$i" | mk s$i.b T-S-$i df 1 "$PAST" "$FUTURE" m3 m4 m5
	"$A" install s$i.b >/dev/null || break
done
check "64 approvals in force" test "$("$A" status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["approvals"]))')" = 64
printf 'ip 100.65.0.0/24\n' | mk s64.b T-S-64 df 1 "$PAST" "$FUTURE" m3 m4 m5
refused "a 65th approval" "autoselctl: s64.b: no free approval slot: 64 approvals are in force" \
	"$A" install s64.b

# Remove: the serial stays recorded; the slot is free again.
run "$A" remove T-S-10
check "remove T-S-10" sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'removed approval T-S-10 (serial 1, slot 10)'"
refused "reinstalling a removed serial is a rollback" \
	"autoselctl: s10.b: serial 1 of T-S-10 is not above the installed serial 1 (rollback)" \
	"$A" install s10.b
run "$A" install s64.b
check "a new approval takes the freed slot 10" sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'in slot 10'"
uid_before=$("$A" status --json | python3 -c 'import json,sys; print([a["uid"] for a in json.load(sys.stdin)["approvals"] if a["id"]=="T-FD-1"][0])')
printf 'ip 198.51.100.0/24\nip 2001:db8:f::/48\n' | mk a2.b T-FD-1 fd 2 "$PAST" "$FUTURE" m1 m4 m5
run "$A" install a2.b
uid_after=$("$A" status --json | python3 -c 'import json,sys; print([(a["uid"], a["slot"], a["serial"]) for a in json.load(sys.stdin)["approvals"] if a["id"]=="T-FD-1"][0])')
check "extension (serial 2) keeps slot 0 and its uid" test "$uid_after" = "($uid_before, 0, 2)"
for i in $(seq 2 63) 64; do "$A" remove T-S-$i >/dev/null 2>&1; done
expect_fail "remove an unknown id" 1 "autoselctl: NOPE: no such approval in force" "$A" remove NOPE
expect_fail "the domestic map cannot be removed" 1 \
	"autoselctl: JP-DOM is the domestic map: it cannot be removed, only replaced by a higher serial" \
	"$A" remove JP-DOM

# Expiry: read-only commands see it and change nothing; 'expire' (or the
# next install, remove or attach) removes it, and logs it.
EXP=$(($(date +%s) + 3))
printf 'ip 203.0.113.128/25\n' | mk x2.b T-EXP fd 1 "$PAST" "$(t $((EXP - NOW)))" m1 m2 m3
run "$A" install x2.b
check "install a short approval" test "$rc" = 0
sleep 4
# Every byte and name under the state directory, and the audit log.
ro_snap() {
	(cd "$AUTOSEL_STATE_DIR" && find . -printf '%p %m %s\n' | sort &&
		find . -type f | sort | xargs -r sha256sum)
	sha256sum <"$AUTOSEL_AUDIT_LOG"
}
before=$(ro_snap)
for c in "status" "status --json" "report" "report --json --from $(t -60) --until $(t 0)" \
	 "stats" "stats --json" "bundle verify --trust trust x2.b" \
	 "bundle verify --trust trust x2.b --json" "expire help"; do
	# shellcheck disable=SC2086
	"$A" $c >/dev/null 2>&1
done
"$A" replay --state "$AUTOSEL_STATE_DIR" --pcap /dev/null >/dev/null 2>&1
check "read-only commands (status, report, stats, bundle verify, replay) change no byte of the state or the log" \
	test "$(ro_snap)" = "$before"
run "$A" status --json
check "status shows the expired approval as expired, says nothing on stderr" \
	test "$rc,$err,$(echo "$out" | jq_ '[a["state"] for a in d["approvals"] if a["id"] == "T-EXP"]')" = "0,,['expired']"
run "$A" expire
check "expire removes it" \
	test "$rc,$err,$out" = "0,autoselctl: approval T-EXP expired (valid-until $(t $((EXP - NOW)))); removed from the rule set in force,1 approval expired, generation $(sed -n 's/^generation //p' "$AUTOSEL_STATE_DIR/state")"
run "$A" status --json
check "expired approval removed" \
	test "$rc,$err,$(echo "$out" | jq_ '([a["id"] for a in d["approvals"] if a["id"] == "T-EXP"], d["removed_or_expired"][-1])')" = \
	"0,,([], {'id': 'T-EXP', 'serial': 1, 'state': 'expired'})"
run "$A" expire --json
check "expire again: nothing to do" test "$rc,$err,$out" = "0,,{\"expired\":[],\"generation\":$(sed -n 's/^generation //p' "$AUTOSEL_STATE_DIR/state")}"
check "expiry logged" grep -q " expire result=ok id=T-EXP serial=1 sha256=[0-9a-f]\{64\} signers=" "$AUTOSEL_AUDIT_LOG"

# Audit log format.
check "every audit line has the documented fields" \
	sh -c "! grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (install|remove|expire|attach|detach|bind|snapshot) result=(ok|refused|error) id=[^ ]+ serial=([0-9]+|-) sha256=([0-9a-f]{64}|-) signers=([0-9a-f,]+|-) slot=([0-9]+|-) vlan=([0-9]+|-) uid=[0-9]+ sudo_user=[^ ]+ loginuid=([0-9]+|-) host=[^ ]+ reason=\"[^\"]*\" h=[0-9a-f]{64}$' '$AUTOSEL_AUDIT_LOG'"
check "an install line names its signers, its slot and VLAN id" \
	grep -q "install result=ok id=T-FD-1 serial=1 sha256=[0-9a-f]* signers=$(keyid m1),$(keyid m2),$(keyid m3) slot=0 vlan=1 " "$AUTOSEL_AUDIT_LOG"
check "a remove line names the slot it frees" \
	grep -q " remove result=ok id=T-S-10 serial=1 sha256=[0-9a-f]* signers=[0-9a-f,]* slot=10 vlan=11 " "$AUTOSEL_AUDIT_LOG"

# Replay with the installed rule set, or with the bundles themselves.
python3 "$HERE/mkpcap.py" "$TMP/mix.pcap" ethernet
run "$A" replay --state "$AUTOSEL_STATE_DIR" --pcap "$TMP/mix.pcap" --now "$(t 0)" --json
echo "$out" >"$TMP/rs.json"
check "replay --state works" test "$rc" = 0
run "$A" replay --bundle dom1.b --bundle a2.b --bundle b1.b --trust trust --pcap "$TMP/mix.pcap" --now "$(t 0)" --json
check "replay --bundle gives the same counts as --state" test "$rc,$out" = "0,$(cat "$TMP/rs.json")"
expect_fail "replay --bundle refuses a bundle without the quorum" 1 \
	"autoselctl: q.b: quorum not reached: 2 of 3 member signatures" \
	"$A" replay --bundle dom1.b --bundle q.b --pcap "$TMP/mix.pcap"
run "$A" replay --state "$AUTOSEL_STATE_DIR" --pcap "$TMP/mix.pcap" --now "$(t 0)" --report --json
echo "$out" >"$TMP/rr.json"
check "replay --report --json matches replay --json" python3 - "$TMP/rs.json" "$TMP/rr.json" <<'EOF2'
import json, sys
s, r = (json.load(open(p)) for p in sys.argv[1:3])
assert r["source"] == "replay"
for k in ("seen", "selected", "kept_bytes", "deleted", "deleted_by_reason", "approvals"):
    assert s[k] == r[k], k
for t in ("ff", "fd", "df"):
    m = [a for a in s["approvals"] if a["type"] == t]
    assert r["measures"][t]["packets"] == sum(a["packets"] for a in m), t
    assert r["measures"][t]["approvals_in_force"] == len(m), t
assert s["selected"] > 0
EOF2

# ---- part 2: live ports -----------------------------------------------------
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
	# No IPv6 on the sender either: its router solicitations and MLD
	# reports would reach the port at random times between snapshots.
	ip netns exec "$SRC" sysctl -qw net.ipv6.conf.as-s1.disable_ipv6=1 || return 1
	ip -n "$SRC" link set as-s1 up
	for a in 198.51.100.7 203.0.113.5 8.8.8.8; do
		ip -n "$SRC" addr add $a/32 dev as-s1 || return 1
	done
	ip -n "$SRC" neigh add 10.99.0.1 lladdr $MAC dev as-s1 nud permanent || return 1
	ip -n "$SRC" route add default via 10.99.0.1 dev as-s1 onlink || return 1
}
setup_rig

stats() { ctl stats --json; }
A_SRC=198.51.100.7 B_SRC=203.0.113.5 C_SRC=8.8.8.8 DST=192.0.2.10

# State holds T-FD-1 (fd, A) and T-FF-1 (ff, B's /25 -- but B -> DST is fd).
run ctl attach dev as-s0 --collect as-c0
check "attach loads the rule set in force from the state" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q '2 approvals'"
echo "# $out"
check "the first attach logs which approval has which slot and VLAN id" \
	test "$(grep ' bind result=ok ' "$AUTOSEL_AUDIT_LOG" | cut -d' ' -f4,5,8,9 | tr '\n' ' ')" = \
	"id=T-FD-1 serial=2 slot=0 vlan=1 id=T-FF-1 serial=1 slot=1 vlan=2 "
prog1=$(bpftool prog show pinned "$AUTOSEL_PIN_DIR/prog" | cut -d: -f1)
flows1="$(bpftool map show pinned "$AUTOSEL_PIN_DIR/maps/flows" | cut -d: -f1),$(bpftool map show pinned "$AUTOSEL_PIN_DIR/maps/counters" | cut -d: -f1)"
insrc python3 "$HERE/send.py" $A_SRC $DST 3
insrc python3 "$HERE/send.py" $B_SRC $DST 2
check "A selected under T-FD-1, B (ff approval, fd traffic) deleted as direction" \
	test "$(stats | jq_ '(d["selected"], d["deleted_by_reason"]["direction"], [(a["id"], a["packets"]) for a in d["approvals"] if a["packets"]])')" = "(3, 2, [('T-FD-1', 3)])"

printf 'ip 203.0.113.0/24\n' | mk bfd.b T-FD-B fd 1 "$PAST" "$FUTURE" m1 m2 m3
run ctl install bfd.b
check "install on a live port swaps the program" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'swapped in on 1 port' && [ \"\$(bpftool prog show pinned $AUTOSEL_PIN_DIR/prog | cut -d: -f1)\" != '$prog1' ]"
check "the new rule maps are frozen" \
	sh -c "bpftool map show pinned $AUTOSEL_PIN_DIR/maps/approvals | grep -q frozen"
check "the shared maps (flows, counters) are the same objects" \
	test "$(bpftool map show pinned "$AUTOSEL_PIN_DIR/maps/flows" | cut -d: -f1),$(bpftool map show pinned "$AUTOSEL_PIN_DIR/maps/counters" | cut -d: -f1)" = "$flows1"
check "the port runs the pinned program" \
	sh -c "ip -n $CAP -d link show as-s0 | grep -q \"prog/xdp id \$(bpftool prog show pinned $AUTOSEL_PIN_DIR/prog | cut -d: -f1)\""
insrc python3 "$HERE/send.py" $A_SRC $DST 1
insrc python3 "$HERE/send.py" $B_SRC $DST 2
check "after the swap: A's flow continues, B selected under T-FD-B; counters kept" \
	test "$(stats | jq_ '(d["selected"], sorted((a["id"], a["packets"]) for a in d["approvals"] if a["packets"]))')" = \
	     "(6, [('T-FD-1', 4), ('T-FD-B', 2)])"

# Refusals on a live port change neither the program, the maps nor the counters.
refused "live: short quorum" \
	"autoselctl: q.b: quorum not reached: 2 of 3 member signatures" ctl install q.b
refused "live: rollback" \
	"autoselctl: r.b: serial 1 of T-FD-1 is not above the installed serial 2 (rollback)" ctl install r.b
refused "live: indicator in the domestic map" "$OVERLAP" ctl install o.b
refused "live: capacity (2^18 + 1 domain indicators)" \
	"autoselctl: cap.b: too many domain indicators: 262145, at most 262144" \
	ctl install cap.b

# report --json equals the counters.
stats >"$TMP/s.json"
ctl report --json >"$TMP/r.json"
check "report --json equals the counters (maps)" python3 - "$TMP/s.json" "$TMP/r.json" <<'EOF'
import json, sys
s, r = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("seen", "selected", "kept_bytes", "deleted", "deleted_by_reason"):
    assert s[k] == r[k], k
for t in ("ff", "fd", "df"):
    m = [a for a in s["approvals"] if a["type"] == t]
    assert r["measures"][t]["packets"] == sum(a["packets"] for a in m), t
    assert r["measures"][t]["flows"] == sum(a["flows"] for a in m), t
    for k in ("ip", "dns", "sni", "http", "quic"):
        assert r["measures"][t]["flows_by_kind"][k] == \
            sum(a["flows_by_kind"][k] for a in m), (t, k)
    assert r["measures"][t]["flows"] == \
        sum(r["measures"][t]["flows_by_kind"].values()), t
    assert r["measures"][t]["kept_bytes"] == sum(a["kept_bytes"] for a in m), t
assert r["measures"]["fd"]["approvals_in_force"] == 2
assert r["measures"]["ff"]["approvals_in_force"] == 1
EOF

# What the counts cover, and periods they cannot answer.
check "report says its counts are since the first attach, on this boot" \
	test "$(jq_ '(d["counts"]["since"], d["counts"]["since_event"], d["counts"]["boot_id"])' <"$TMP/r.json")" = \
	"(None, 'first attach', '$(cat /proc/sys/kernel/random/boot_id)')"
expect_fail "report --from: the pinned counters cannot answer it" 1 \
	"autoselctl: report: the counters (pinned maps) count since the first attach, whose time is not recorded: they cannot give counts from $(t -3600); take snapshots (report --snapshot)" \
	ctl report --from "$(t -3600)"
run ctl report --until "$(t -3600)"
check "report --until in the past is refused" \
	sh -c "[ $rc = 1 ] && [ -z '$out' ] && echo \"\$1\" | grep -q '^autoselctl: report: the counters run until now (.*), not until $(t -3600): the counts of a period are the difference of two snapshots taken at its ends (report --snapshot)$'" _ "$err"
prev=$(tail -1 "$AUTOSEL_AUDIT_LOG" | sha256sum | cut -d' ' -f1)
run ctl report --snapshot --json
snap=$(echo "$out" | jq_ 'd["snapshot"]')
check "report --snapshot writes a snapshot, its SHA-256 in the audit log, the log's last line's in it" \
	python3 - "$rc" "$out" "$snap" "$AUTOSEL_AUDIT_LOG" "$prev" "$TMP/r.json" <<'EOF2'
import hashlib, json, os, stat, sys
rc, out, snap, log, prev, rj = sys.argv[1:7]
assert rc == "0", rc
o = json.loads(out)
raw = open(snap, "rb").read()
assert hashlib.sha256(raw).hexdigest() == o["sha256"]
assert stat.S_IMODE(os.stat(snap).st_mode) == 0o600
s = json.loads(raw)
assert s["audit_log_tail_sha256"] == prev, (s["audit_log_tail_sha256"], prev)
last = open(log).read().splitlines()[-1].split(" ")
assert last[1:6] == ["snapshot", "result=ok", "id=" + os.path.basename(snap), "serial=-",
                     "sha256=" + o["sha256"]], last
r = json.load(open(rj))
assert s["seen"] >= r["seen"] and s["counts"]["boot_id"] == r["counts"]["boot_id"]
EOF2
run ctl remove T-FD-B
check "remove on a live port" sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'swapped out on 1 port'"
insrc python3 "$HERE/send.py" $B_SRC $DST 2
check "B is no longer selected after its removal (its flow ended)" \
	test "$(stats | jq_ '[a["packets"] for a in d["approvals"] if a["id"] == "T-FD-B"]')" = "[]"

# An extension of T-FD-1 that no longer lists A: A's flow (send.py's fixed
# ports) goes on under it -- the swap tests both halves of the flow marks
# for two idle times -- and a new flow from A opens nothing.
printf 'ip 198.18.0.0/24\n' | mk ae.b T-FD-1 fd 3 "$PAST" "$FUTURE" m1 m2 m3
run ctl install ae.b
check "install an extension of T-FD-1 without A's prefix" test "$rc" = 0
t1() { stats | jq_ '[(a["packets"], a["flows"]) for a in d["approvals"] if a["id"] == "T-FD-1"]'; }
before=$(t1)
insrc python3 "$HERE/send.py" $A_SRC $DST 2
insrc python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("'$A_SRC'", 4001)); s.sendto(b"CANARY!!", ("'$DST'", 5000))'
check "A's flow goes on without its prefix, a new flow from A is not opened ($before)" \
	test "$(t1)" = "$(echo "$before" | python3 -c 'import sys; p, f = eval(sys.stdin.read())[0]; print([(p + 2, f)])')"

# A pinned run-time map of another layout (an older build's flow marks):
# the swap stops with one line, and the state, program and maps stay.
fm=$AUTOSEL_PIN_DIR/maps/flowmark
fm_id=$(bpftool map show pinned "$fm" | cut -d: -f1)
rm "$fm"
bpftool map create "$fm" type array key 4 value 8 entries 16384 name flowmark
printf 'ip 203.0.113.0/24\n' | mk lz.b T-FD-Z fd 1 "$PAST" "$FUTURE" m1 m2 m3
before=$(snapshot)
run ctl install lz.b
want="autoselctl: the pinned map flowmark has 16384 entries of 8 bytes, this build's 32768 of 8: detach and attach again"
check "a pinned map of another layout: '$want', nothing changed" \
	sh -c '[ "$1" = 1 ] && [ "$2" = "$3" ] && [ -z "$4" ] && [ "$5" = "$6" ]' _ \
	"$rc" "$err" "$want" "$out" "$(snapshot)" "$before"
rm "$fm"
bpftool map pin id "$fm_id" "$fm"

# Swap under load: rule set X selects A only, Y selects B only; C never.
incap timeout 60 tcpdump -i as-c1 -Q in -U -n -w "$TMP/load.pcap" udp 2>"$TMP/tcpdump.err" &
TCPD=$!
PIDS="$PIDS $TCPD"
for _ in $(seq 50); do grep -q listening "$TMP/tcpdump.err" && break; sleep 0.1; done
s0=$(stats)
insrc python3 - $A_SRC $B_SRC $C_SRC $DST "$TMP/stop" <<'EOF' &
import os, socket, sys, time
srcs, dst, stop = sys.argv[1:4], sys.argv[4], sys.argv[5]
socks = []
for s in srcs:
    k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); k.bind((s, 0)); socks.append(k)
end = time.time() + 60      # or until the loop below has swapped enough
while time.time() < end and not os.path.exists(stop):
    for k in socks:
        k.sendto(b"CANARY!!" * 8, (dst, 5000))
    time.sleep(0.0005)
EOF
SENDER=$!
PIDS="$PIDS $SENDER"
# A number of swaps, not a time: a loaded machine swaps slower, not less.
monotonic=1 swaps=0 prev=0 serial_a=4 serial_b=2
while [ "$swaps" -lt 12 ] && kill -0 $SENDER 2>/dev/null; do
	rm -f ly.b lx.b
	printf 'ip 203.0.113.0/24\n' | mk ly.b T-FD-B fd $serial_b "$PAST" "$FUTURE" m1 m2 m3
	ctl remove T-FD-1 >/dev/null && ctl install ly.b >/dev/null || break
	printf 'ip 198.51.100.0/24\n' | mk lx.b T-FD-1 fd $serial_a "$PAST" "$FUTURE" m1 m2 m3
	ctl remove T-FD-B >/dev/null && ctl install lx.b >/dev/null || break
	serial_a=$((serial_a + 1)) serial_b=$((serial_b + 1)) swaps=$((swaps + 4))
	cur=$(stats | jq_ 'd["seen"]')
	[ "$cur" -ge "$prev" ] || monotonic=0
	prev=$cur
done
touch "$TMP/stop"
wait $SENDER
sleep 0.5
s1=$(stats)
echo "# $swaps installs/removals under load"
check "swap loop ran (12 swaps) without an error" test "$swaps" -ge 12
check "counters never went backwards" test "$monotonic" = 1
check "seen = selected + sum(deleted) after the loop" \
	test "$(echo "$s1" | jq_ 'd["seen"] == d["selected"] + sum(d["deleted_by_reason"].values())')" = True
kill -INT "$TCPD" 2>/dev/null
wait "$TCPD" 2>/dev/null
tcpdump -r "$TMP/load.pcap" -n 2>/dev/null | sed -n 's/.* \([0-9.]*\)\.[0-9]* > .*/\1/p' | sort | uniq -c >"$TMP/srcs.txt"
sed 's/^/#   /' "$TMP/srcs.txt"
check "C (selected by neither rule set) was never selected" sh -c "! grep -q ' $C_SRC\$' '$TMP/srcs.txt'"
check "A and B were both selected during the loop" \
	sh -c "grep -q ' $A_SRC\$' '$TMP/srcs.txt' && grep -q ' $B_SRC\$' '$TMP/srcs.txt'"
sel=$(python3 -c "import json,sys; a,b=(json.loads(x) for x in sys.argv[1:3]); print(b['selected']-a['selected'])" "$s0" "$s1")
rec=$(awk '{s+=$1} END {print s+0}' "$TMP/srcs.txt")
check "every selection of the loop reached the collection device ($sel = $rec)" test "$sel" = "$rec"

run ctl status --json
check "status shows the port and the generation" \
	test "$(echo "$out" | jq_ '(d["interfaces"], d["generation"] > 10)')" = "(['as-s0'], True)"
run ctl detach dev as-s0
check "detach" test "$rc" = 0
check "attach and detach are in the audit log" \
	sh -c "grep -q ' attach result=ok id=as-s0 ' '$AUTOSEL_AUDIT_LOG' && grep -q ' detach result=ok id=as-s0 ' '$AUTOSEL_AUDIT_LOG'"
run ctl attach dev as-s0 --collect as-c0 --json
check "attach --json: one object, the human lines as messages" \
	test "$rc,$(echo "$out" | jq_ '(d["attached"], d["mode"], d["first"], d["pin_dir"] == "'"$AUTOSEL_PIN_DIR"'", d["messages"][0].startswith("attached "))')" = \
	"0,('as-s0', 'native', True, True, True)"
run ctl detach dev as-s0 --json
check "detach --json" test "$rc,$(echo "$out" | jq_ '(d["detached"], len(d["messages"]))')" = "0,('as-s0', 1)"
totals
