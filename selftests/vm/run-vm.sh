#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh - run autosel VM tests inside QEMU on the pinned Debian kernel.
#
# Usage:
#   selftests/vm/run-vm.sh [options] [--] TEST...
#
#   TEST     an executable (busybox-sh script or static binary; dynamic ELF
#            binaries get their shared libraries copied too).  Each is copied to
#            /tests/<basename> in the guest and run there, in order, with its
#            own process group, stdin from /dev/null and cwd /tests.
#
# Options:
#   -f, --file SRC[:DEST]  add a file to the initramfs (repeatable).  DEST
#                          defaults to /opt/autosel/<basename>; /opt/autosel is
#                          first in the guest PATH.  Dynamic ELFs get their libs.
#   -m, --module NAME      load kernel module NAME (from the image package) at
#                          boot, dependencies first (repeatable; veth always).
#                          A script TEST may also declare the modules it needs
#                          in a comment line "# vm-modules: NAME..." (read
#                          from its first 40 lines); they are added the same way.
#   -t, --timeout SECS     per-test timeout in the guest (default 60).  A script
#                          TEST may ask for more in a comment line
#                          "# vm-timeout: SECS" (first 40 lines): the longer
#                          of the two applies to it.
#   -k, --ko PATH          the module to test (default: kmod/autosel.ko)
#   -v, --verbose          stream the kernel console to stderr while running
#   -h, --help
#
# Environment (same meaning as the options; options win):
#   AUTOSEL_VM_FILES="SRC[:DEST] ..."   VM_MODULES="veth ..."
#   VM_TEST_TIMEOUT=60   AUTOSEL_KO=path   VM_VERBOSE=1
#   VM_TIMEOUT=SECS      global QEMU timeout (default 60 + the sum over the
#                        tests of (timeout + 10))
#   VM_ACCEL=auto|tcg|kvm  auto: KVM only if a short probe boot works (the
#                        verdict is cached in .cache/vm/), else TCG
#   VM_SMP=2 VM_MEM=1G   KVER=...  (default: from kmod/fetch-kernel.sh)
#
# Guest view: module under test at /lib/autosel/autosel.ko (also $AUTOSEL_KO),
# the tests' shared helpers at /lib/autosel/lib.sh (selftests/vm/lib.sh),
# extra files under /opt/autosel, bpffs at /sys/fs/bpf, debugfs, tracefs,
# /bin/sh = dash, iproute2 `ip` and `tcpdump` (real ones), busybox for the
# rest (note: busybox applets that exec programs, e.g. nsenter/timeout/xargs,
# prefer busybox applets: call /usr/bin/ip by full path there),
# IPv6 autoconf/DAD/RA disabled by default.  Env: AUTOSEL_KO, VM_TEST_TIMEOUT.
#
# Output: the tests' TAP on stdout, unchanged; plus, per failing test that did
# not say so itself (crash, timeout, bad exit, plan mismatch), a
# "not ok - NAME # why" line from the rig; rig comments start with
# "# autosel-vm:".  Logs (console.log, tap.log, qemu.log) are kept in
# build/vm/last/.  Exit status: 0 all passed, 1 a test failed,
# 2 infrastructure failure (kernel missing, guest panic/oops, timeout, no result).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMDIR=$ROOT/selftests/vm

say() { printf 'run-vm: %s\n' "$*" >&2; }
infra_fail() { printf 'run-vm: FAIL: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit "${1:-0}"; }

now_ms() { date +%s%3N; }
T0=$(now_ms)
elapsed() { local t; t=$(now_ms); printf '%d.%03ds' $(((t - T0) / 1000)) $(((t - T0) % 1000)); }

# ---- arguments ----------------------------------------------------------
read -r -a FILES <<<"${AUTOSEL_VM_FILES:-}"
read -r -a MODULES <<<"${VM_MODULES:-}"
TEST_TIMEOUT=${VM_TEST_TIMEOUT:-60}
KO=${AUTOSEL_KO:-$ROOT/kmod/autosel.ko}
VERBOSE=${VM_VERBOSE:-0}
TESTS=()
while [ $# -gt 0 ]; do
	case "$1" in
	-f|--file) FILES+=("$2"); shift 2 ;;
	-m|--module) MODULES+=("$2"); shift 2 ;;
	-t|--timeout) TEST_TIMEOUT=$2; shift 2 ;;
	-k|--ko) KO=$2; shift 2 ;;
	-v|--verbose) VERBOSE=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; TESTS+=("$@"); break ;;
	-*) say "unknown option $1"; usage 2 ;;
	*) TESTS+=("$1"); shift ;;
	esac
done
[ ${#TESTS[@]} -gt 0 ] || { say "no TEST given"; usage 2; }
case "$TEST_TIMEOUT" in ''|*[!0-9]*) infra_fail "bad per-test timeout '$TEST_TIMEOUT'" ;; esac
MODULES=(veth "${MODULES[@]}")
# Modules declared by the tests themselves ("# vm-modules: a b" near the top).
for t in "${TESTS[@]}"; do
	[ -f "$t" ] && [ "$(head -c 2 "$t")" = '#!' ] || continue
	read -r -a decl <<<"$(sed -n '1,40s/^# vm-modules:[[:space:]]*//p' "$t" | tr '\n' ' ')"
	MODULES+=("${decl[@]}")
done

# ---- inputs ---------------------------------------------------------------
KVER=${KVER:-$("$ROOT/kmod/fetch-kernel.sh" --kver)}
KCACHE=$(KVER=$KVER "$ROOT/kmod/fetch-kernel.sh" --dir)
VMLINUX=$KCACHE/vmlinux
MODROOT=$KCACHE/image/lib/modules/$KVER
if [ ! -f "$KCACHE/.complete" ] || [ ! -f "$VMLINUX" ] || [ ! -d "$MODROOT" ]; then
	infra_fail "kernel $KVER missing in $KCACHE: run 'make -C kmod' (or kmod/fetch-kernel.sh)"
fi
[ -f "$KO" ] || infra_fail "module $KO missing: run 'make -C kmod'"
ko_ver=$(modinfo -F vermagic "$KO" | cut -d' ' -f1)
[ "$ko_ver" = "$KVER" ] || infra_fail "$KO is built for '$ko_ver', the VM runs $KVER: rebuild with 'make -C kmod'"
# Only a warning: the guest test reports the consequence (no
# /sys/kernel/btf/autosel), and a test may want to check exactly that.
if ! readelf -SW "$KO" | grep -q '[[:space:]]\.BTF[[:space:]]'; then
	say "WARNING: $KO has no .BTF section: its kfuncs will not register (build it with 'make -C kmod')"
fi
command -v qemu-system-x86_64 >/dev/null || infra_fail "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
	infra_fail "$BUSYBOX must be the static busybox (apt-get install busybox-static)"
fi
for t in "${TESTS[@]}"; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then infra_fail "test '$t' is not an executable file"; fi
done

# ---- work dir (kept for inspection; the newest few runs are kept) ----------
OUTBASE=$ROOT/build/vm
mkdir -p "$OUTBASE"
OUT=$(mktemp -d "$OUTBASE/run.XXXXXX")
ln -sfn "$(basename "$OUT")" "$OUTBASE/last"
# shellcheck disable=SC2012 # names are ours (run.XXXXXX), ls -t is fine
ls -dt "$OUTBASE"/run.* 2>/dev/null | tail -n +6 | xargs -r rm -rf
R=$OUT/root

# ---- initramfs -------------------------------------------------------------
# Merged-/usr layout like the host, so paths printed by ldd work unchanged.
mkdir -p "$R"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,tests,opt/autosel}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"
ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
mkdir -p "$R/lib/autosel"

# copy_elf SRC DEST: copy a file; for a dynamic ELF also its libraries and
# the dynamic loader, at the host paths ldd reports.
copy_elf() {
	local src=$1 dest=$2 lib
	mkdir -p "$R$(dirname "$dest")"
	cp -L --remove-destination "$src" "$R$dest"
	if [ "$(head -c 4 "$src" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] &&
	   ldd "$src" >/dev/null 2>&1; then
		for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
			[ -e "$R$lib" ] && continue
			mkdir -p "$R$(dirname "$lib")"
			cp -L "$lib" "$R$lib"
		done
	fi
}

REAL_TOOLS=(ip tcpdump)
copy_elf "$(command -v ip)" /usr/bin/ip
copy_elf "$(command -v tcpdump)" /usr/bin/tcpdump
cp "$BUSYBOX" "$R/usr/bin/busybox"
# /bin/sh is dash, not busybox ash: Debian's static busybox prefers its own
# applets over PATH (FEATURE_SH_STANDALONE/PREFER_APPLETS), so under ash
# "ip" would silently be busybox's ip, which ignores "peer name".
copy_elf /bin/dash /usr/bin/dash
ln -s dash "$R/usr/bin/sh"
# The guest's /init runs "busybox --install -s" (400 symlinks on the host
# would cost seconds of forks); it keeps existing files, so occupy the applet
# paths of the real tools (e.g. sbin/ip) with links to them first.
for tool in "${REAL_TOOLS[@]}"; do
	while read -r applet; do
		[ "$applet" = "usr/bin/$tool" ] || ln -s "/usr/bin/$tool" "$R/$applet"
	done < <("$BUSYBOX" --list-full | grep "/$tool\$" || true)
done

# Kernel modules from the image package, with dependencies (modinfo), then
# depmod so that busybox modprobe in the guest resolves them itself.
declare -A SEEN=()
MODLIST=()
add_module() {
	local m=${1//-/_} f dep
	[ -n "${SEEN[$m]:-}" ] && return 0
	SEEN[$m]=1
	f=$(find "$MODROOT/kernel" \( -name "$m.ko" -o -name "${m//_/-}.ko" -o -name "$m.ko.xz" -o -name "${m//_/-}.ko.xz" \) -print -quit)
	if [ -z "$f" ]; then
		grep -q "/${m}.ko\$\|/${m//_/-}.ko\$" "$MODROOT/modules.builtin" 2>/dev/null && return 0
		infra_fail "kernel module '$m' not found in $MODROOT"
	fi
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_module "$dep"
	done
	mkdir -p "$R/lib/modules/$KVER/$(dirname "${f#"$MODROOT"/}")"
	cp "$f" "$R/lib/modules/$KVER/${f#"$MODROOT"/}"
	MODLIST+=("$m")
}
for m in "${MODULES[@]}" $(modinfo -F depends "$KO" | tr ',' ' '); do
	add_module "$m"
done
cp "$MODROOT"/modules.order "$MODROOT"/modules.builtin "$MODROOT"/modules.builtin.modinfo "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER"

cp "$KO" "$R/lib/autosel/autosel.ko"
cp "$VMDIR/lib.sh" "$R/lib/autosel/lib.sh"

# Minimal /etc: tcpdump drops privileges to user "tcpdump".
printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:101:101::/nonexistent:/bin/false\nnobody:x:65534:65534::/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\ntcpdump:x:101:\nnogroup:x:65534:\n' >"$R/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$R/etc/hosts"
[ -f /etc/protocols ] && cp /etc/protocols "$R/etc/"
[ -f /etc/services ] && cp /etc/services "$R/etc/"
cat >"$R/etc/autosel-vm.conf" <<EOF
VM_TEST_TIMEOUT=$TEST_TIMEOUT
VM_MODULES="${MODLIST[*]}"
export AUTOSEL_KO=/lib/autosel/autosel.ko VM_TEST_TIMEOUT
EOF
install -m 0755 "$VMDIR/init.sh" "$R/init"

: >"$R/tests/.list"
TIMEOUT_SUM=0
for t in "${TESTS[@]}"; do
	name=$(basename "$t")
	[ ! -e "$R/tests/$name" ] || infra_fail "two tests named '$name'"
	copy_elf "$t" "/tests/$name"
	chmod 0755 "$R/tests/$name"
	# "# vm-timeout: SECS": a CPU-bound test (the 6.1 verifier under TCG)
	# may need longer than the default on a busy host.
	tmo=$TEST_TIMEOUT
	if [ "$(head -c 2 "$t")" = '#!' ]; then
		decl=$(sed -n '1,40s/^# vm-timeout:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$t" | head -n 1)
		[ -n "$decl" ] && [ "$decl" -gt "$tmo" ] && tmo=$decl
	fi
	TIMEOUT_SUM=$((TIMEOUT_SUM + tmo + 10))
	printf '%s %s\n' "$name" "$tmo" >>"$R/tests/.list"
done
for spec in "${FILES[@]}"; do
	src=${spec%%:*}
	if [ "$src" = "$spec" ]; then dest=/opt/autosel/$(basename "$src"); else dest=${spec#*:}; fi
	[ -f "$src" ] || infra_fail "extra file '$src' not found"
	copy_elf "$src" "$dest"
done

# Uncompressed: TCG would spend longer decompressing than QEMU spends loading.
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$OUT/initramfs.cpio"
say "initramfs $(du -h "$OUT/initramfs.cpio" | cut -f1) built in $(elapsed) (tests: ${TESTS[*]##*/}; modules: ${MODLIST[*]})"

# ---- accelerator -----------------------------------------------------------
# shellcheck disable=SC2054 # commas are QEMU's, not array separators
QEMU_COMMON=(-m "${VM_MEM:-1G}" -smp "${VM_SMP:-2}" -display none -monitor none
	-no-reboot -nic none -device isa-debug-exit,iobase=0xf4,iosize=0x04)
# PVH entry of the ELF vmlinux: about twice as fast to boot as the bzImage.
APPEND="console=ttyS0 panic=-1 oops=panic mitigations=off"

# KVM is only used when a short bounded boot proves it works: on nested
# hosts /dev/kvm can exist while guests hang or abort (VM-NOTES).
kvm_probe() {
	local key verdict_file=$ROOT/.cache/vm/kvm-verdict pd rc
	key="$(uname -r)|$(qemu-system-x86_64 --version | head -n 1)|$KVER"
	if [ -f "$verdict_file" ] && [ "$(sed -n 1p "$verdict_file")" = "$key" ]; then
		[ "$(sed -n 2p "$verdict_file")" = yes ]
		return
	fi
	pd=$OUT/kvm-probe
	mkdir -p "$pd/r/bin"
	cp "$BUSYBOX" "$pd/r/bin/busybox"
	ln -s busybox "$pd/r/bin/sh"
	# The marker on the console proves a guest really ran: QEMU itself also
	# exits with 1 when it cannot open /dev/kvm.
	cat >"$pd/r/init" <<-'EOF'
	#!/bin/sh
	/bin/busybox mount -t devtmpfs d /dev
	echo autosel-kvm-probe-ok >/dev/console
	printf '\000' | /bin/busybox dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc
	/bin/busybox poweroff -f
	EOF
	chmod 0755 "$pd/r/init"
	(cd "$pd/r" && find . -mindepth 1 | cpio -o -H newc --quiet) >"$pd/initramfs.cpio"
	say "probing KVM (at most 20 s)"
	rc=0
	timeout -k 2 20 qemu-system-x86_64 -accel kvm -cpu host "${QEMU_COMMON[@]}" \
		-kernel "$VMLINUX" -initrd "$pd/initramfs.cpio" -append "$APPEND" \
		-serial file:"$pd/console.log" </dev/null >"$pd/qemu.log" 2>&1 || rc=$?
	mkdir -p "$(dirname "$verdict_file")"
	if [ "$rc" = 1 ] && grep -q '^autosel-kvm-probe-ok' "$pd/console.log"; then
		printf '%s\nyes\n' "$key" >"$verdict_file"
		return 0
	fi
	say "KVM probe failed (qemu exit $rc: $(head -c 200 "$pd/qemu.log" | tr '\n' ' '))"
	printf '%s\nno\n' "$key" >"$verdict_file"
	return 1
}

case "${VM_ACCEL:-auto}" in
tcg) ACCEL=tcg; why="VM_ACCEL=tcg" ;;
kvm) ACCEL=kvm; why="VM_ACCEL=kvm" ;;
auto)
	if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || [ -n "${VM_PROBE_FORCE:-}" ]; then
		if kvm_probe; then ACCEL=kvm; why="KVM probe boot succeeded"
		else ACCEL=tcg; why="KVM probe boot failed (cached in .cache/vm/kvm-verdict)"; fi
	else
		ACCEL=tcg; why="/dev/kvm not usable"
	fi ;;
*) infra_fail "VM_ACCEL must be auto, tcg or kvm" ;;
esac
if [ "$ACCEL" = kvm ]; then
	ACCEL_OPTS=(-accel kvm -cpu host)
else
	# shellcheck disable=SC2054 # QEMU option syntax
	ACCEL_OPTS=(-accel tcg,thread=multi -cpu max)
fi
say "accelerator: $ACCEL ($why)"

# ---- boot --------------------------------------------------------------
GLOBAL_TIMEOUT=${VM_TIMEOUT:-$((60 + TIMEOUT_SUM))}
CON=$OUT/console.log TAPLOG=$OUT/tap.log
: >"$CON"; : >"$TAPLOG"
# ttyS0 = kernel console, ttyS1 = TAP channel; both to host files.
timeout -k 5 "$GLOBAL_TIMEOUT" qemu-system-x86_64 "${ACCEL_OPTS[@]}" "${QEMU_COMMON[@]}" \
	-kernel "$VMLINUX" -initrd "$OUT/initramfs.cpio" -append "$APPEND" \
	-chardev file,id=con,path="$CON" -serial chardev:con \
	-chardev file,id=tap,path="$TAPLOG" -serial chardev:tap \
	</dev/null >"$OUT/qemu.log" 2>&1 &
QPID=$!
if [ "$VERBOSE" = 1 ]; then
	tail -n +1 -f --pid="$QPID" "$CON" >&2 &
fi
rc=0
wait "$QPID" || rc=$?
[ "$VERBOSE" = 1 ] && wait

# ---- verdict -----------------------------------------------------------
tr -d '\r' <"$TAPLOG"
show_console() {
	say "last lines of the console ($CON):"
	tail -n 40 "$CON" | tr -d '\r' | sed 's/^/  | /' >&2
	[ -s "$OUT/qemu.log" ] && { say "qemu said:"; sed 's/^/  | /' "$OUT/qemu.log" >&2; }
	return 0
}
# A kernel bug is a failure even if the tests passed (WARN included).
if bad=$(tr -d '\r' <"$CON" | grep -m 3 -E 'Kernel panic|Oops|BUG: |WARNING: |general protection fault|Call Trace:'); then
	show_console
	infra_fail "guest kernel problem after $(elapsed): $(printf '%s' "$bad" | head -n 1)"
fi
case "$rc" in
1|3) ;;
124|137) show_console; infra_fail "timeout: QEMU killed after ${GLOBAL_TIMEOUT}s (VM_TIMEOUT); running: $(grep -o 'running .*' "$TAPLOG" | tail -n 1)" ;;
0) show_console; infra_fail "no result: the guest stopped without reporting (exit 0; panic or init died?)" ;;
*) show_console; infra_fail "no result: QEMU exited with status $rc" ;;
esac
grep -q '^# autosel-vm: done status=' "$TAPLOG" || { show_console; infra_fail "no result: TAP stream incomplete"; }
nfail=$(grep -c '^not ok' "$TAPLOG" || true)
npass=$(grep -cE '^ok( |$)' "$TAPLOG" || true)
if [ "$rc" = 3 ] || [ "$nfail" != 0 ]; then
	show_console
	say "FAIL: $nfail failed, $npass passed ($ACCEL, $(elapsed)); logs in $OUT"
	exit 1
fi
say "PASS: $npass passed ($ACCEL, $(elapsed)); logs in $OUT"
