#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# names.sh - VM test: the domain indicators of xdp/names.h on the guest's
# kernel (Debian's 6.1).  Runs the host test program test_names (the XDP
# program with the names hook under BPF_PROG_TEST_RUN: DNS, TLS SNI, HTTP
# Host, every edge case) against the guest's verifier and data path, then
# test_quic (QUIC Initial SNI: the RFC 9001/9369 Initials and the
# generated ones decrypted by the guest's program, the quic flow counts,
# the scratch wiped), then loads the kfunc flavour with autosel.ko in place.
# The verifier's statistics of the plain flavour are printed, and of any
# ab_*.bpf.o beside it (make -C selftests vm_tests VM_AB_OBJS=...: an older
# build's cost measured in the same guest).
#
# Needs in /opt/autosel (run-vm.sh -f): test_names, test_quic,
# autosel_names.bpf.o, autosel_names_kf.bpf.o.
#
#   selftests/vm/run-vm.sh -t 300 -f build/selftests/test_names \
#	-f build/selftests/autosel_names.bpf.o \
#	-f build/selftests/autosel_names_kf.bpf.o selftests/vm/tests/names.sh
#
# test_names loads the program once per test: some 25 runs of the 6.1
# verifier under TCG, ~3.5 s each on an idle host, three times that on a
# busy one.
# vm-timeout: 600

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
D=/opt/autosel

echo "TAP version 13"
echo "1..3"
uname -r | sed 's/^/# kernel /'
for f in test_names test_quic autosel_names.bpf.o autosel_names_kf.bpf.o; do
	if [ ! -e $D/$f ]; then
		echo "ok 1 # SKIP no $D/$f (run-vm.sh -f build/selftests/$f)"
		echo "ok 2 # SKIP no $D/$f"
		echo "ok 3 # SKIP no $D/$f"
		exit 0
	fi
done
# the guest verifier's cost of the plain flavour (informational)
for o in $D/autosel_names.bpf.o $D/ab_*.bpf.o; do
	[ -e "$o" ] && $D/test_names --load "$o" | sed 's/^/# /'
done
t0=$(date +%s)
AUTOSEL_NAMES_OBJ=$D/autosel_names.bpf.o AUTOSEL_COST_REPEAT=2000 \
	KSFT_TIMEOUT=240 $D/test_names >/tmp/names.tap 2>&1
rc=$?
sed 's/^/# /' /tmp/names.tap
echo "# test_names took $(($(date +%s) - t0)) s"
if [ $rc = 0 ]; then echo "ok 1 - test_names on $(uname -r)"; else echo "not ok 1 - test_names on $(uname -r) (exit $rc)"; fi
t0=$(date +%s)
AUTOSEL_NAMES_OBJ=$D/autosel_names.bpf.o KSFT_TIMEOUT=240 $D/test_quic >/tmp/quic.tap 2>&1
rc=$?
sed 's/^/# /' /tmp/quic.tap
echo "# test_quic took $(($(date +%s) - t0)) s"
if [ $rc = 0 ]; then echo "ok 2 - test_quic on $(uname -r)"; else echo "not ok 2 - test_quic on $(uname -r) (exit $rc)"; fi
# the kfuncs come from autosel.ko: load it for this, and leave it as found
loaded=0
if ! grep -q '^autosel ' /proc/modules; then
	insmod "$KO" && loaded=1
fi
# (test_names' own status: a pipe into sed would report sed's)
$D/test_names --load $D/autosel_names_kf.bpf.o >/tmp/load_kf.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/load_kf.txt
if [ $rc = 0 ]; then
	echo "ok 3 - kfunc flavour with names loads"
else
	echo "not ok 3 - kfunc flavour with names loads (exit $rc)"
fi
[ $loaded = 1 ] && unload
exit 0
