#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-build.sh - build autosel.ko with its BTF under dkms (the MAKE of
# dkms.conf, package autosel-dkms).  Run in the dkms build directory (a
# copy of /usr/src/autosel-VERSION), it prepares a private kbuild tree
# that generates module BTF (kmod/btf-tree.sh) and builds through
# kmod/Makefile, whose check fails the build unless the module has .BTF
# and .BTF_ids: a module without them would load and count nothing.
#
# Usage: kmod/dkms-build.sh KVER KERNEL_BUILD_DIR
#
# What it needs, and where it looks (the first that exists wins):
#   the kernel's BTF   $AUTOSEL_VMLINUX; /sys/kernel/btf/vmlinux when KVER is
#                      the running kernel; /usr/lib/debug/boot/vmlinux-KVER;
#                      extracted from /boot/vmlinuz-KVER
#   resolve_btfids     $AUTOSEL_RESOLVE_BTFIDS;
#                      KERNEL_BUILD_DIR/tools/bpf/resolve_btfids/resolve_btfids;
#                      the newest /usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/
#                      (on Debian 12: a linux-kbuild-6.12.* package;
#                      its output is the same for a 6.1 kernel)
set -euo pipefail

die() { printf 'autosel dkms: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'autosel dkms: %s\n' "$*" >&2; }

[ $# = 2 ] || die "usage: dkms-build.sh KVER KERNEL_BUILD_DIR"
KVER=$1 KSRC=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(pwd)/.btf-kbuild-$KVER
mkdir -p "$WORK"

vmlinux=${AUTOSEL_VMLINUX:-}
if [ -z "$vmlinux" ]; then
	if [ "$KVER" = "$(uname -r)" ] && [ -r /sys/kernel/btf/vmlinux ]; then
		# Raw BTF: pahole --btf_base and resolve_btfids -b read it as they
		# read an ELF's .BTF.
		cp /sys/kernel/btf/vmlinux "$WORK/vmlinux"
	elif [ -f "/usr/lib/debug/boot/vmlinux-$KVER" ]; then
		cp "/usr/lib/debug/boot/vmlinux-$KVER" "$WORK/vmlinux"
	elif [ -f "/boot/vmlinuz-$KVER" ]; then
		"$HERE/btf-tree.sh" vmlinux "/boot/vmlinuz-$KVER" "$KVER" "$WORK/vmlinux"
	else
		die "no BTF for $KVER: not running it, and neither /usr/lib/debug/boot/vmlinux-$KVER nor /boot/vmlinuz-$KVER exists (AUTOSEL_VMLINUX=FILE names one)"
	fi
	vmlinux=$WORK/vmlinux
fi
[ -s "$vmlinux" ] || die "$vmlinux: empty or missing"

rb=${AUTOSEL_RESOLVE_BTFIDS:-}
if [ -z "$rb" ]; then
	if [ -x "$KSRC/tools/bpf/resolve_btfids/resolve_btfids" ]; then
		rb=$KSRC/tools/bpf/resolve_btfids/resolve_btfids
	else
		rb=$(ls -d /usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/resolve_btfids 2>/dev/null |
			sort -V | tail -n 1)
	fi
fi
[ -n "$rb" ] && [ -x "$rb" ] ||
	die "no resolve_btfids: install a linux-kbuild package that has tools/bpf/resolve_btfids (Debian 12: apt-cache search --names-only '^linux-kbuild-6\\.12'), or set AUTOSEL_RESOLVE_BTFIDS"
log "kernel BTF from $vmlinux, resolve_btfids $rb"

"$HERE/btf-tree.sh" tree "$KSRC" "$WORK/build" "$(readlink -f "$vmlinux")" "$(readlink -f "$rb")"
make -C "$HERE" KVER="$KVER" KDIR="$WORK/build"
