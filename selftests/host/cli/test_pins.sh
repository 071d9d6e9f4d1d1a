#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# attach on a fresh machine: no bpffs mounted anywhere.
#
# The test re-runs itself in a private mount namespace (unshare -m) and a
# private network namespace (unshare -n), unmounts every bpffs at
# /sys/fs/bpf there, and checks that
#   - read-only commands (stats, status, report) and detach mount nothing
#     (and only detach's failed attempt is in the audit log);
#   - attach mounts a bpffs (mode 0700) on the pin directory's parent,
#     creating it if missing, and the audit log records the mount;
#   - a parent that is a non-empty directory on another file system, a
#     parent it cannot create, and a mount it may not make are refused
#     with one line and nothing changed.
# Mounts made here vanish with the namespaces; the host is not touched.
. "$(dirname "$0")/lib.sh"
need_root "attach from an unmounted bpffs"

if [ -z "${AS_PINS_INNER:-}" ]; then
	AS_PINS_INNER=1 exec unshare -m --propagation private -n "$0" "$@"
fi

TMP=$(mktemp -d)
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-pins-$$
RULES=$HERE/rules-live.txt

cleanup() {
	for d in "$TMP/new/bpf" "$TMP/ro"; do
		umount "$d" 2>/dev/null
	done
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

fstype() { stat -f -c %T "$1" 2>/dev/null; }
# bpffs mounts on exactly $1 in this namespace.
nmounts() { awk -v d="$1" '$5 == d && $9 == "bpf"' /proc/self/mountinfo | wc -l; }

setup() {
	ip link set lo up || return 1
	ip link add a0 type veth peer name a1 || return 1
	ip link add c0 type veth peer name c1 || return 1
	for d in a0 a1 c0 c1; do ip link set "$d" up || return 1; done
	[ "$(nmounts /sys/fs/bpf)" = 0 ] || { echo "/sys/fs/bpf still mounted"; return 1; }
}

tap_plan 25

# The fresh state: nothing on /sys/fs/bpf (stacked mounts: bounded loop).
for _ in 1 2 3 4 5 6 7 8; do umount /sys/fs/bpf 2>/dev/null || break; done
if ! setup >"$TMP/setup.err" 2>&1; then
	not_ok "fresh state: /sys/fs/bpf unmounted, veth pairs" "$(head -3 "$TMP/setup.err")"
	totals
	exit 1
fi
ok "fresh state: /sys/fs/bpf unmounted, veth pairs"

# Read-only commands and detach: "not attached", no mount.
expect_fail "stats with no bpffs: not attached" 1 \
	"autoselctl: autosel is not attached (nothing pinned in $AUTOSEL_PIN_DIR)" \
	"$AUTOSELCTL" stats
expect_fail "detach with no bpffs: not attached" 1 \
	"autoselctl: a0: autosel is not attached" "$AUTOSELCTL" detach dev a0
run "$AUTOSELCTL" status
check "status with no bpffs: exit 0, not attached" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q '^interfaces .*(not attached)'"
run "$AUTOSELCTL" report
check "report with no bpffs: exit 1, nothing attached" \
	sh -c "[ $rc = 1 ] && echo '$err' | grep -q 'nothing is attached'"
check "no read-only command mounted anything" test "$(nmounts /sys/fs/bpf)" = 0 -a "$(fstype /sys/fs/bpf)" = sysfs
# detach is an attempt to change something: its failure is logged, once.
check "the audit log holds the failed detach and nothing else" \
	sh -c "[ \$(wc -l < '$AUTOSEL_AUDIT_LOG') = 1 ] && grep -q ' detach result=error id=a0 ' '$AUTOSEL_AUDIT_LOG'"
printf 'domestic 192.0.2.0/24\nnot a rule\n' >"$TMP/bad.rules"
run "$AUTOSELCTL" attach dev a0 --generic --collect c0 --rules "$TMP/bad.rules"
check "attach with a bad rules file: one line, exit 1, no mount" \
	sh -c "[ $rc = 1 ] && [ \$(echo '$err' | wc -l) = 1 ] && [ $(nmounts /sys/fs/bpf) = 0 ]"

# attach mounts /sys/fs/bpf itself.
run "$AUTOSELCTL" attach dev a0 --generic --collect c0 --rules "$RULES"
check "attach from the fresh state" test "$rc" = 0
[ "$rc" = 0 ] || echo "# $err"
check "/sys/fs/bpf is a bpffs now" test "$(fstype /sys/fs/bpf)" = bpf_fs
check "the pins are on it" test "$(fstype "$AUTOSEL_PIN_DIR/prog")" = bpf_fs -a -e "$AUTOSEL_PIN_DIR/maps/counters"
check "mounted with mode=700" \
	sh -c "awk '\$5 == \"/sys/fs/bpf\" && \$9 == \"bpf\"' /proc/self/mountinfo | grep -q 'mode=700'"
check "the audit log records the mount" \
	grep -qs "mount result=ok id=/sys/fs/bpf .*reason=\"bpffs (mode=0700) for the pins in $AUTOSEL_PIN_DIR\"" \
	"$AUTOSEL_AUDIT_LOG"
run "$AUTOSELCTL" stats
check "stats reads the pins" test "$rc" = 0
run "$AUTOSELCTL" detach dev a0
check "detach" test "$rc" = 0 -a ! -e "$AUTOSEL_PIN_DIR"
run "$AUTOSELCTL" attach dev a0 --generic --collect c0
check "attach again: no second mount, no second audit line" \
	test "$rc,$(nmounts /sys/fs/bpf),$(grep -c ' mount ' "$AUTOSEL_AUDIT_LOG")" = "0,1,1"
"$AUTOSELCTL" detach dev a0 >/dev/null 2>&1

# A parent that does not exist: created, then mounted.
P=$TMP/new/bpf
run env AUTOSEL_PIN_DIR="$P/autosel" "$AUTOSELCTL" attach dev a0 --generic --collect c0
check "attach with a missing parent creates and mounts it" \
	test "$rc,$(fstype "$P"),$(fstype "$P/autosel/prog")" = "0,bpf_fs,bpf_fs"
check "the audit log records that mount" grep -qs "mount result=ok id=$P " "$AUTOSEL_AUDIT_LOG"
run env AUTOSEL_PIN_DIR="$P/autosel" "$AUTOSELCTL" detach dev a0
check "detach from it" test "$rc" = 0 -a ! -e "$P/autosel"

# A parent that holds files on another file system: refused, unchanged.
F=$TMP/full
mkdir -p "$F/autosel/maps" && echo keep >"$F/file" && echo keep >"$F/autosel/maps/x"
before=$(cd "$F" && find . | sort)
expect_fail "a non-empty non-bpffs parent is refused" 1 \
	"autoselctl: $F is not a BPF file system and holds files: not mounting one over it" \
	env AUTOSEL_PIN_DIR="$F/autosel" "$AUTOSELCTL" attach dev a0 --generic --collect c0
check "... nothing changed: no mount, no pins, no XDP on a0" \
	sh -c "[ '$(fstype "$F")' != bpf_fs ] && [ \"\$(cd '$F' && find . | sort)\" = '$before' ] &&
	       ! ip link show a0 | grep -q xdp"
check "... and the refusal is in the audit log" \
	grep -qs "mount result=refused id=$F " "$AUTOSEL_AUDIT_LOG"

# A parent that cannot be created (read-only file system).
mkdir -p "$TMP/ro" && mount --bind -o ro "$TMP/ro" "$TMP/ro" 2>/dev/null &&
	mount -o remount,bind,ro "$TMP/ro"
expect_fail "a parent on a read-only file system is refused" 1 \
	"autoselctl: cannot create $TMP/ro/sub: Read-only file system" \
	env AUTOSEL_PIN_DIR="$TMP/ro/sub/autosel" "$AUTOSELCTL" attach dev a0 --generic --collect c0

# Root without CAP_SYS_ADMIN may not mount: one line, nothing mounted.
umount /sys/fs/bpf 2>/dev/null
expect_fail "no CAP_SYS_ADMIN: the mount is refused" 1 \
	"autoselctl: cannot mount a BPF file system on /sys/fs/bpf: Operation not permitted" \
	setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	"$AUTOSELCTL" attach dev a0 --generic --collect c0
check "... nothing mounted, nothing attached" \
	sh -c "[ $(nmounts /sys/fs/bpf) = 0 ] && ! ip link show a0 | grep -q xdp"
totals
