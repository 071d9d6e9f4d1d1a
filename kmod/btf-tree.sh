#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# btf-tree.sh - the two steps that let kbuild give autosel.ko its BTF
# (.BTF and the resolved .BTF_ids), shared by kmod/fetch-kernel.sh (the
# pinned kernel of the build and the VM) and kmod/dkms-build.sh (dkms, on
# a router).
#
#   btf-tree.sh vmlinux VMLINUZ KVER OUT
#       extract the uncompressed kernel ELF from VMLINUZ into OUT; fails
#       unless it has a .BTF section and is release KVER
#   btf-tree.sh tree HDRS OUT VMLINUX RESOLVE_BTFIDS
#       make OUT a writable copy of the kbuild tree HDRS (a Debian
#       linux-headers-* directory) in which kbuild generates module BTF:
#       OUT/vmlinux and OUT/tools/bpf/resolve_btfids/resolve_btfids are
#       symbolic links to VMLINUX and RESOLVE_BTFIDS, as given (relative
#       to the link, or absolute)
#
# Why: Debian's headers have neither vmlinux nor resolve_btfids, so kbuild
# silently skips module BTF and the kfuncs never register
# (/work/shared/VM-NOTES.md).  kbuild looks for ./vmlinux and
# ./tools/bpf/resolve_btfids/resolve_btfids in the object tree.
set -euo pipefail

die() { printf 'btf-tree: error: %s\n' "$*" >&2; exit 1; }

# An xz stream starts at the magic fd 37 7a 58 5a 00 (what the kernel's
# scripts/extract-vmlinux looks for); --single-stream makes xz stop at the
# end of the first stream and ignore the trailing padding.
extract_vmlinux() {
	local vmlinuz=$1 kver=$2 out=$3 off tmp
	[ -f "$vmlinuz" ] || die "$vmlinuz: no such file"
	tmp=$out.tmp.$$
	# shellcheck disable=SC2013 # the offsets are plain numbers
	for off in $(LC_ALL=C grep -obUaP '\xfd\x37\x7a\x58\x5a\x00' "$vmlinuz" | cut -d: -f1); do
		# Process substitution, not a pipe: tail dies of SIGPIPE when xz
		# stops early, which pipefail would count as a failure.
		if xz -dc --single-stream < <(tail -c +$((off + 1)) "$vmlinuz") >"$tmp" 2>/dev/null &&
		   [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
			# Not "readelf | grep -q": grep's early exit would be
			# readelf's SIGPIPE, a failure under pipefail.
			grep -q '[[:space:]]\.BTF[[:space:]]' <<<"$(readelf -SW "$tmp")" ||
				{ rm -f "$tmp"; die "the vmlinux in $vmlinuz has no .BTF section"; }
			# The banner ties the ELF to this release.
			LC_ALL=C grep -aq "Linux version $kver " "$tmp" ||
				{ rm -f "$tmp"; die "the vmlinux in $vmlinuz is not release $kver"; }
			mv "$tmp" "$out"
			return 0
		fi
	done
	rm -f "$tmp"
	die "no xz-compressed ELF found in $vmlinuz"
}

# The amd64 headers dir only holds .config, Module.symvers and generated
# headers; its Makefile includes the -common dir by absolute path, which
# stays the (read-only) source tree.  Its scripts/tools symlinks are
# relative, so they are re-pointed.
make_tree() {
	local hdrs out=$2 vmlinux=$3 rb=$4 scripts objtool tmp
	hdrs=$(readlink -f "$1")
	[ -f "$hdrs/Makefile" ] || die "$1 is not a kbuild tree (no Makefile)"
	scripts=$(readlink -f "$hdrs/scripts")
	objtool=$(readlink -f "$hdrs/tools/objtool")
	[ -d "$scripts" ] || die "$hdrs/scripts is dangling; install the linux-kbuild package of this kernel"
	[ -x "$objtool/objtool" ] || die "$hdrs/tools/objtool/objtool missing; install the linux-kbuild package of this kernel"
	tmp=$out.tmp.$$
	rm -rf "$tmp"
	cp -a "$hdrs" "$tmp"
	rm -rf "$tmp/scripts" "$tmp/tools"
	ln -s "$scripts" "$tmp/scripts"
	mkdir -p "$tmp/tools/bpf/resolve_btfids"
	ln -s "$objtool" "$tmp/tools/objtool"
	ln -s "$rb" "$tmp/tools/bpf/resolve_btfids/resolve_btfids"
	# kbuild's modfinal tests "[ -f vmlinux ]" in the object tree.
	ln -s "$vmlinux" "$tmp/vmlinux"
	rm -rf "$out"
	mv "$tmp" "$out"
}

case "${1:-}" in
vmlinux) [ $# = 4 ] || die "usage: btf-tree.sh vmlinux VMLINUZ KVER OUT"
	extract_vmlinux "$2" "$3" "$4" ;;
tree)	[ $# = 5 ] || die "usage: btf-tree.sh tree HDRS OUT VMLINUX RESOLVE_BTFIDS"
	make_tree "$2" "$3" "$4" "$5" ;;
*)	die "usage: btf-tree.sh vmlinux|tree ..." ;;
esac
