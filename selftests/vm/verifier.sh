#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest verifier's cost of BPF objects, and nothing else: loads the
# names build (/opt/autosel/autosel_names.bpf.o) and every ab_*.bpf.o
# beside it with `test_names --load` and prints whether each loaded, the
# processed instructions and the stack depths (6.1 refuses a call chain
# over 512 bytes, each frame rounded up to 32).  ~10 s a boot under TCG,
# where names.sh with VM_AB_OBJS takes minutes: for bisecting what a
# data-path change costs on 6.1 (Documentation/testing.rst).  Not one of
# the VM tests (not in tests/):
#
#   make -C selftests vm_tests VM_TESTS=$PWD/selftests/vm/verifier.sh \
#	VM_AB_OBJS="/abs/ab_one.bpf.o /abs/ab_two.bpf.o"
#
# vm-timeout: 600

D=/opt/autosel

echo "TAP version 13"
echo "1..1"
uname -r | sed 's/^/# kernel /'
rc=0
for o in $D/autosel_names.bpf.o $D/ab_*.bpf.o; do
	[ -e "$o" ] || continue
	$D/test_names --load "$o" >/tmp/load.txt 2>&1 || rc=1
	grep -E '^load |processed|stack depth|combined stack|too large' \
		/tmp/load.txt | sed 's/^/# /'
done
if [ $rc = 0 ]; then
	echo "ok 1 - every object loads"
else
	echo "not ok 1 - an object was refused (its reason above)"
fi
exit 0
