#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# module_load.sh - VM test (busybox sh): autosel.ko loads, registers its sysfs
# tree and its module BTF (without which the kfuncs silently do not exist),
# and unloads cleanly.  TAP on stdout.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}

absent() { [ ! -e "$1" ]; }
not_listed() { ! grep -q '^autosel ' /proc/modules; }

echo "TAP version 13"
echo "1..7"

dmesg -c >/dev/null 2>&1
check "insmod $KO" insmod "$KO"
check "/sys/kernel/autosel exists" test -d /sys/kernel/autosel
# Debian allows a BTF mismatch and a BTF-less module loads silently: check it.
check "/sys/kernel/btf/autosel exists (module BTF registered)" test -e /sys/kernel/btf/autosel
if dmesg | grep -qi 'autosel.*btf\|btf.*autosel'; then
	dmesg | grep -i btf | sed 's/^/# dmesg: /'
fi
check "rmmod autosel" rmmod autosel
check "/sys/kernel/autosel gone after rmmod" absent /sys/kernel/autosel
check "/sys/kernel/btf/autosel gone after rmmod" absent /sys/kernel/btf/autosel
check "autosel not in lsmod after rmmod" not_listed

[ "$fails" = 0 ]
