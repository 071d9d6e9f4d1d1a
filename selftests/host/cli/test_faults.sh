#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crash safety of install, remove, attach and detach, with the debug build
# (make -C user FAULT=1: build/fault/autoselctl, user/fault.h).
#
# For each scenario, the steps the command passes are listed by the binary
# itself (AUTOSEL_FAULT=list), so a new step is tested without a change
# here.  For every step, from a fresh baseline (own state directory, audit
# log and pin directory): the command is killed there (SIGKILL: no
# cleanup), or, where the step is a checked system call, that call fails
# (EIO).  Then:
#   - `status` runs (exit 0) and, if something is unfinished, says so and
#     what to do;
#   - for install and remove, another change (expire, which changes
#     nothing itself) leaves what runs equal to what the state says;
#   - the next command (the same one again) either does it or says, in its
#     exact one-line error, that it is done already;
#   - the result is consistent: no state.new left; the state says what was
#     asked; the program on the port is the pinned one; its config map's
#     generation and its approval slots (uids) are the state's; the change
#     is in the audit log (its own line, or a "recover" line).
# Then a full file system under the audit log (a small tmpfs, the log's
# preallocated room punched out, filled): install, remove, attach and
# detach are refused with one line and nothing changes (state files,
# pins, the program, its maps); with room again, they work.
# The production binary has no fault code (no AUTOSEL_FAULT string).
#
# By default every step of an install on a live port, and every other
# step in the first scenario that passes it (FAULT_ALL=1: every step of
# every scenario, about twice as many cases; FAULT_ONLY=REGEX: only the
# cases "SCENARIO STEP kill|fail" it matches).
. "$(dirname "$0")/lib.sh"
need_root "faults on veth"

FAULTCTL=${FAULTCTL:-$TOP/build/fault/autoselctl}
A=$FAULTCTL
CAP=asel-fcap-$$
TMP=$(mktemp -d)
export AUTOSEL_TRUST=$TMP/trust
PINBASE=/sys/fs/bpf/autosel-ftest-$$

cleanup() {
	ip netns del "$CAP" 2>/dev/null
	umount "$TMP/full" 2>/dev/null
	rm -rf "$PINBASE"* 2>/dev/null
	chattr -R -a "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

incap() { nsenter --net=/run/netns/"$CAP" "$@"; }
ctl() { incap "$A" "$@"; }

if [ ! -x "$FAULTCTL" ]; then
	tap_plan 1
	not_ok "the debug build $FAULTCTL exists (make -C user FAULT=1)"
	totals
	exit 1
fi

setup() {
	ip netns add "$CAP" || return 1
	ip -n "$CAP" link add as-f0 type veth peer name as-f1 || return 1
	ip -n "$CAP" link add as-g0 type veth peer name as-g1 || return 1
	ip -n "$CAP" link add as-c0 type veth peer name as-c1 || return 1
	for d in as-f0 as-f1 as-g0 as-g1 as-c0 as-c1 lo; do ip -n "$CAP" link set $d up || return 1; done
	ip -n "$CAP" link set dev as-c1 xdp obj "$TMP/xdp_pass.o" sec xdp || return 1
}

# ---- bundles: one member, quorum 1 ----------------------------------------------
cd "$TMP" || exit 1
"$A" bundle keygen --out "$TMP/m1" --name m1 >/dev/null || exit 1
{ echo "autosel-trust 1"; echo "quorum 1"; cat m1.pub; } >trust
NOW=$(date +%s)
t() { date -u -d "@$((NOW + $1))" +%Y-%m-%dT%H:%M:%SZ; }
mk() {	# FILE ID SERIAL INDICATOR (ID FT-DOM: the domestic map)
	if [ "$2" = FT-DOM ]; then
		echo "$4" | "$A" bundle create --kind domestic-map --id "$2" --serial "$3" --out "$1"
	else
		echo "$4" | "$A" bundle create --kind approval --id "$2" --type fd \
			--from "$(t -600)" --until "$(t 86400)" --serial "$3" --out "$1"
	fi >/dev/null && "$A" bundle sign --key "$TMP/m1.key" "$1" >/dev/null
}
mk dom.b FT-DOM 1 "ip 192.0.2.0/24" && mk a1.b FT-A 1 "ip 198.51.100.0/24" &&
	mk b1.b FT-B 1 "ip 203.0.113.0/24" || exit 1

# ---- one case: its own state, log and pins ------------------------------------------
K=0
newcase() {
	K=$((K + 1))
	export AUTOSEL_STATE_DIR=$TMP/c$K/state AUTOSEL_AUDIT_LOG=$TMP/c$K/audit.log
	export AUTOSEL_PIN_DIR=$PINBASE-$K
	mkdir -p "$TMP/c$K"
}
endcase() {
	for d in as-f0 as-g0; do
		AUTOSEL_FAULT= ctl detach dev $d >/dev/null 2>&1
		ip -n "$CAP" link set dev $d xdp off 2>/dev/null
	done
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	rm -rf "$AUTOSEL_PIN_DIR" "$TMP/c$K"
}

# baseline SCENARIO: what is in force before the faulted command.
baseline() {
	local q=AUTOSEL_FAULT=
	env $q "$A" install dom.b >/dev/null && env $q "$A" install a1.b >/dev/null || return 1
	case $1 in
	remove) env $q "$A" install b1.b >/dev/null || return 1 ;;
	esac
	case $1 in
	install|remove|attach-more|detach)
		env $q nsenter --net=/run/netns/"$CAP" "$A" attach dev as-f0 --collect as-c0 >/dev/null || return 1 ;;
	esac
	case $1 in
	detach-more) env $q nsenter --net=/run/netns/"$CAP" "$A" attach dev as-f0 --collect as-c0 >/dev/null &&
		env $q nsenter --net=/run/netns/"$CAP" "$A" attach dev as-g0 >/dev/null || return 1 ;;
	esac
}

# the faulted command of a scenario, and what it must end in
command_of() {
	case $1 in
	install|install-idle) echo "install b1.b" ;;
	remove) echo "remove FT-B" ;;
	attach-first) echo "attach dev as-f0 --collect as-c0" ;;
	attach-more) echo "attach dev as-g0" ;;
	detach) echo "detach dev as-f0" ;;
	detach-more) echo "detach dev as-g0" ;;
	esac
}
# the exact error of the command run again once it is done
done_error() {
	case $1 in
	install|install-idle) echo "autoselctl: b1.b: serial 1 of FT-B is not above the installed serial 1 (rollback)" ;;
	remove) echo "autoselctl: FT-B: no such approval in force" ;;
	attach-first) echo "autoselctl: as-f0: autosel is already attached" ;;
	attach-more) echo "autoselctl: as-g0: autosel is already attached" ;;
	detach) echo "autoselctl: as-f0: autosel is not attached" ;;
	detach-more) echo "autoselctl: as-g0: autosel is not attached" ;;
	esac
}

# consistent SCENARIO [now]: prints nothing and succeeds, or says what is
# wrong.  With "now": only that what runs is what the state says (the
# change itself may be done or not).
consistent() {
	python3 - "$1" "$AUTOSEL_STATE_DIR" "$AUTOSEL_PIN_DIR" "$CAP" "$AUTOSEL_AUDIT_LOG" "${2:-}" <<'EOF'
import json, os, subprocess, sys
scen, sdir, pin, ns, log, now = sys.argv[1:7]
def j(*cmd):
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
bad = []
if os.path.exists(sdir + "/state.new"):
    bad.append("state.new left")
gen, slots = 0, {}
for l in open(sdir + "/state"):
    w = l.split()
    if w[0] == "generation":
        gen = int(w[1])
    if w[0] == "slot":
        slots[int(w[1])] = (w[2], int(w[4]))
ids = {v[0] for v in slots.values()}
if scen.startswith("install") and "FT-B" not in ids and not now:
    bad.append("FT-B not in the state after the install")
if scen == "remove" and "FT-B" in ids and not now:
    bad.append("FT-B still in the state after the remove")
want_ports = {"install": ["as-f0"], "install-idle": [], "remove": ["as-f0"],
              "attach-first": ["as-f0"], "attach-more": ["as-f0", "as-g0"],
              "detach": [], "detach-more": ["as-f0"]}[scen]
devs = sorted(os.listdir(pin + "/dev")) if os.path.isdir(pin + "/dev") else []
if devs != want_ports:
    bad.append("pinned ports %s, want %s" % (devs, want_ports))
if not want_ports and os.path.exists(pin):
    bad.append("pin directory left: %s" % os.listdir(pin))
for dev in ["as-f0", "as-g0"]:
    link = j("ip", "-n", ns, "-j", "-d", "link", "show", "dev", dev)[0]
    pid = link.get("xdp", {}).get("prog", {}).get("id")
    if dev not in want_ports:
        if pid:
            bad.append("%s still runs program %d" % (dev, pid))
        continue
    if not pid:
        bad.append("%s runs no program" % dev)
        continue
    for p in (pin + "/prog", pin + "/dev/" + dev):
        if j("bpftool", "-j", "prog", "show", "pinned", p)["id"] != pid:
            bad.append("%s is not the program on %s" % (p, dev))
    prog = j("bpftool", "-j", "prog", "show", "id", str(pid))
    maps = {}
    for mid in prog.get("map_ids", []):
        m = j("bpftool", "-j", "map", "show", "id", str(mid))
        maps[m["name"]] = mid
    cfg = j("bpftool", "-j", "map", "dump", "id", str(maps["config"]))[0]
    cfg = cfg.get("formatted", cfg)["value"]
    if cfg["generation"] != gen:
        bad.append("%s: generation %d in force, the state's %d" % (dev, cfg["generation"], gen))
    act = {}
    for e in j("bpftool", "-j", "map", "dump", "id", str(maps["approvals"])):
        e = e.get("formatted", e)
        if e["value"]["active"]:
            act[e["key"]] = e["value"]["uid"]
    if act != {k: v[1] for k, v in slots.items()}:
        bad.append("%s: slots in force %s, the state's %s" % (dev, act, slots))
text = open(log).read() if os.path.exists(log) else ""
if scen.startswith("install") and "FT-B" in ids and " install result=ok id=FT-B " not in text and " recover result=ok " not in text:
    bad.append("the install of FT-B is in no audit line")
if scen == "remove" and "FT-B" not in ids and " remove result=ok id=FT-B " not in text and " recover result=ok " not in text:
    bad.append("the removal of FT-B is in no audit line")
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# The steps each scenario passes, from the binary (AUTOSEL_FAULT=list).
SCENARIOS="install install-idle remove attach-first attach-more detach detach-more"
setup_rig_quiet() {
	clang -O2 -target bpf -I/usr/include/"$(gcc -dumpmachine)" \
		-c "$HERE/xdp_pass.c" -o "$TMP/xdp_pass.o" 2>"$TMP/clang.err" && setup 2>"$TMP/setup.err"
}
setup_rig_quiet || { tap_plan 1; not_ok "set up veth pairs" "$(head -3 "$TMP/setup.err" "$TMP/clang.err")"; totals; exit 1; }
CASES=()
declare -A SEEN=()
for sc in $SCENARIOS; do
	newcase
	baseline $sc || { echo "# baseline $sc failed"; }
	# shellcheck disable=SC2046 # the command's words
	AUTOSEL_FAULT=list ctl $(command_of $sc) >/dev/null 2>"$TMP/list"
	while read -r step can; do
		if [ "${FAULT_ALL:-0}" != 1 ] && [ $sc != install ] && [ -n "${SEEN[$step]:-}" ]; then
			continue
		fi
		SEEN[$step]=1
		for how in kill fail; do
			[ $how = fail ] && [ "$can" != "(can fail)" ] && continue
			[ -n "${FAULT_ONLY:-}" ] && ! [[ "$sc $step $how" =~ $FAULT_ONLY ]] && continue
			CASES+=("$sc $step $how")
		done
	done < <(sed -n 's/^autoselctl: fault point \([^ ]*\)\( (can fail)\)\{0,1\}$/\1\2/p' "$TMP/list" |
		awk '!seen[$1]++ { print $1, $2 " " $3 }' | sed 's/ *$//')
	endcase
done

tap_plan $((${#CASES[@]} + 13))
check "the production build has no fault code" sh -c "! grep -q AUTOSEL_FAULT '$AUTOSELCTL'"
nsteps=$(printf '%s\n' "${CASES[@]}" | awk '{ print $2 }' | sort -u | wc -l)
check "the steps listed: $nsteps in ${SCENARIOS// /, } (${#CASES[@]} cases with the failing calls)" \
	test "$nsteps" -ge 28 -o -n "${FAULT_ONLY:-}"
echo "# $(printf '%s\n' "${CASES[@]}" | awk '{ print $2 }' | sort -u | tr '\n' ' ')"

T0=$(date +%s)
for c in "${CASES[@]}"; do
	read -r sc step how <<<"$c"
	newcase
	if ! baseline $sc; then
		not_ok "$sc: $how at $step" "baseline failed"
		endcase
		continue
	fi
	fault=$step
	[ "$how" = fail ] && fault=$step:fail
	cmd=$(command_of $sc)
	# shellcheck disable=SC2086 # the command's words
	AUTOSEL_FAULT=$fault ctl $cmd >"$TMP/o1" 2>"$TMP/e1"
	rc1=$?
	why=
	if [ "$how" = kill ] && [ "$rc1" != 137 ]; then why="not killed (rc $rc1)"; fi
	if [ "$how" = fail ] && [ "$rc1" = 0 ]; then why="the failure was not reported (rc 0)"; fi
	if [ "$how" = fail ] && [ "$(wc -l <"$TMP/e1")" != 1 ]; then why="not one error line: $(cat "$TMP/e1")"; fi
	run ctl status
	st_rc=$rc st_out=$out
	[ "$st_rc" = 0 ] || why="$why; status failed: $err"
	if [ -e "$AUTOSEL_STATE_DIR/state.new" ] && ! grep -q "^unfinished change .*'autoselctl recover'$" <<<"$st_out"; then
		why="$why; status does not name the unfinished change"
	fi
	# Another change first (one that changes nothing itself): it must
	# not start from a state that is not what runs.
	case $sc in
	install|install-idle|remove)
		run ctl expire
		[ "$rc" = 0 ] || why="$why; expire: rc $rc: $err"
		if ! w=$(consistent $sc now); then why="$why; after expire: $w"; fi ;;
	esac
	# shellcheck disable=SC2086
	run ctl $cmd
	last=$(tail -n 1 <<<"$err")
	if [ "$rc" = 0 ]; then
		:
	elif [ "$rc" = 1 ] && [ "$last" = "$(done_error $sc)" ]; then
		:
	else
		why="$why; again: rc $rc: $err"
	fi
	# a recovery says so in one line before
	if [ "$(wc -l <<<"$err")" -gt 1 ] && ! head -n 1 <<<"$err" | grep -qE '^autoselctl: (completed an interrupted change|discarded .*state.new|removed the pins)'; then
		why="$why; unexpected lines: $err"
	fi
	if ! w=$(consistent $sc); then why="$why; $w"; fi
	if [ -z "$why" ]; then
		ok "$sc: $how at $step, then status and '$cmd' again: consistent"
	else
		not_ok "$sc: $how at $step" "${why#; }" "first run: rc $rc1 $(head -c 300 "$TMP/e1")" \
			"status: $(grep -E '^(unfinished|stale|in force)' <<<"$st_out" | tr '\n' '|')"
	fi
	endcase
done
echo "# ${#CASES[@]} fault cases in $(($(date +%s) - T0)) s"

# ---- an unfinished change, by hand: a cut-short state.new is discarded --------------
newcase
baseline install
run ctl install b1.b
head -c 100 "$AUTOSEL_STATE_DIR/state" >"$AUTOSEL_STATE_DIR/state.new"
before=$(sha256sum "$AUTOSEL_STATE_DIR/state")
run ctl recover
check "recover: a cut-short state.new is discarded with one line, the state kept" \
	sh -c "[ $rc = 0 ] && [ ! -e '$AUTOSEL_STATE_DIR/state.new' ] && [ \"\$(sha256sum '$AUTOSEL_STATE_DIR/state')\" = '$before' ] &&
		echo '$err' | grep -q '^autoselctl: discarded .*/state.new, an unfinished change never put in force (.*corrupt state file.*)$'"
run ctl recover
check "recover with nothing pending: says so, exit 0" \
	test "$rc $out" = "0 nothing to recover: generation 3, no unfinished change"
endcase

# ---- a full file system under the audit log ------------------------------------------
newcase
mkdir -p "$TMP/full"
mount -t tmpfs -o size=1m none "$TMP/full" || echo "# cannot mount a tmpfs"
export AUTOSEL_AUDIT_LOG=$TMP/full/audit.log
baseline install
snap() {
	{
		find "$AUTOSEL_STATE_DIR" -type f | sort | xargs -r sha256sum
		ls -R "$AUTOSEL_PIN_DIR"
		id=$(ip -n "$CAP" -j -d link show dev as-f0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("xdp",{}).get("prog",{}).get("id"))')
		echo "prog $id"
		ip -n "$CAP" -j -d link show dev as-g0 | grep -o '"xdp"' || true
		for m in config approvals; do bpftool map dump pinned "$AUTOSEL_PIN_DIR/maps/$m"; done
		bpftool prog show pinned "$AUTOSEL_PIN_DIR/prog" | head -1
	} 2>&1 | sha256sum
}
fill() {
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null	# tmpfs has the flag too
	fallocate --punch-hole --offset "$(stat -c %s "$AUTOSEL_AUDIT_LOG")" --length 1048576 "$AUTOSEL_AUDIT_LOG"
	chattr +a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	dd if=/dev/zero of="$TMP/full/fill" bs=4k 2>/dev/null
	df -k "$TMP/full" | tail -1 | awk '{ print "# tmpfs: " $3 " kB used, " $4 " kB free" }'
}
fill
NOSPACE="cannot append to the audit log $AUTOSEL_AUDIT_LOG: No space left on device; nothing changed"
for c in "install b1.b" "remove FT-A" "attach dev as-g0" "detach dev as-f0"; do
	s0=$(snap) l0=$(wc -l <"$AUTOSEL_AUDIT_LOG")
	# shellcheck disable=SC2086
	run ctl $c
	# The refusal itself is logged if the last page has room for it.
	added=$(($(wc -l <"$AUTOSEL_AUDIT_LOG") - l0))
	if [ "$rc" = 1 ] && [ "$err" = "autoselctl: $NOSPACE" ] && [ -z "$out" ] &&
	   [ "$(snap)" = "$s0" ] && { [ $added = 0 ] || { [ $added = 1 ] &&
	   tail -n 1 "$AUTOSEL_AUDIT_LOG" | grep -q ' result=error .*No space left on device; nothing changed" h=[0-9a-f]*$'; }; }; then
		ok "full audit log: '$c' refused with one line; state, pins, program and maps unchanged"
	else
		not_ok "full audit log: '$c' refused, nothing changed" "rc $rc err '$err' out '$out' audit lines +$added" \
			"unchanged: $([ "$(snap)" = "$s0" ] && echo yes || echo NO)"
	fi
done
rm -f "$TMP/full/fill"
run ctl install b1.b
check "with room again, the install goes through and is logged" \
	sh -c "[ $rc = 0 ] && grep -q ' install result=ok id=FT-B ' '$AUTOSEL_AUDIT_LOG'"
w=$(consistent install)
check "and what runs is what the state says${w:+ ($w)}" test -z "$w"
endcase
umount "$TMP/full"

# ---- a failing audit write after the swap: in force, not recorded, recovered ----------
newcase
baseline install
AUTOSEL_FAULT=audit-write:fail ctl install b1.b >/dev/null 2>"$TMP/e1"
rc1=$?
check "a failed audit write after the swap: exit 1, one line naming 'autoselctl recover'" \
	sh -c "[ $rc1 = 1 ] && [ \"\$(cat '$TMP/e1')\" = 'autoselctl: cannot write the audit log: Input/output error; the change is in force but not recorded: '\''autoselctl recover'\'' completes it' ]"
run ctl recover
check "recover completes it: generation 3, logged as recover" \
	sh -c "[ $rc = 0 ] && [ '$out' = 'recovered: generation 3' ] && grep -q ' recover result=ok .*completed an interrupted change: generation 3 in force on the ports, the state said 2' '$AUTOSEL_AUDIT_LOG'"
w=$(consistent install)
check "then what runs is what the state says${w:+ ($w)}" test -z "$w"
endcase

totals
