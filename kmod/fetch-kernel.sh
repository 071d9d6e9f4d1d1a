#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh - prepare everything needed to build autosel.ko *with BTF*
# and to boot the very same kernel under QEMU.
#
# Usage:
#   kmod/fetch-kernel.sh             fetch/prepare (idempotent), print the cache dir
#   kmod/fetch-kernel.sh --kver      print the kernel release (e.g. 6.1.0-56-amd64)
#   kmod/fetch-kernel.sh --dir       print the cache dir without fetching anything
#
# Environment:
#   KVER          override the kernel release (default: newest installed
#                 /usr/src/linux-headers-*-amd64)
#   AUTOSEL_CACHE override the cache root (default: <repo>/.cache)
#
# Result, in $AUTOSEL_CACHE/kernel/$KVER/ (git-ignored):
#   vmlinux          uncompressed kernel ELF with .BTF (PVH boot + BTF base)
#   image/           dpkg -x of linux-image-$KVER (boot/vmlinuz-*, lib/modules/*)
#   resolve_btfids   from Debian's linux-kbuild-6.12.* (not installed, only unpacked)
#   build/           writable copy of /usr/src/linux-headers-$KVER that kbuild
#                    accepts as KDIR and that generates module BTF
#                    (steps 2 and 4 are kmod/btf-tree.sh's)
#   .complete        stamp; its presence makes later runs a no-op
#
# Why a copy of the headers: Debian's headers package has neither vmlinux nor
# resolve_btfids, so kbuild silently skips module BTF and the kfuncs are never
# registered (see /work/shared/VM-NOTES.md).  kbuild looks for ./vmlinux and
# ./tools/bpf/resolve_btfids/resolve_btfids in the object tree, so we give it
# an object tree where both exist.
#
# Debian packages needed: apt, dpkg, xz-utils, binutils (readelf), coreutils,
# grep, linux-headers-amd64 (whichever linux-headers-$KVER it pulls in),
# linux-kbuild-6.1 (comes with the headers), dwarves (pahole, used by kbuild).
set -euo pipefail

die() { printf 'fetch-kernel: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'fetch-kernel: %s\n' "$*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${AUTOSEL_CACHE:-$ROOT/.cache}

detect_kver() {
	local d newest=""
	# Newest by version sort: the -NN suffix moves with Debian security updates.
	newest=$(for d in /usr/src/linux-headers-*-amd64; do
			[ -d "$d" ] && printf '%s\n' "${d#/usr/src/linux-headers-}"
		 done | sort -V | tail -n 1)
	[ -n "$newest" ] || die "no /usr/src/linux-headers-*-amd64 found; install linux-headers-amd64"
	printf '%s\n' "$newest"
}

KVER=${KVER:-$(detect_kver)}
CACHE=$CACHE_ROOT/kernel/$KVER

case "${1:-}" in
--kver) printf '%s\n' "$KVER"; exit 0 ;;
--dir) printf '%s\n' "$CACHE"; exit 0 ;;
"") ;;
*) die "unknown argument '$1' (use --kver, --dir or nothing)" ;;
esac

if [ -f "$CACHE/.complete" ]; then
	printf '%s\n' "$CACHE"
	exit 0
fi

HDRS=/usr/src/linux-headers-$KVER
[ -d "$HDRS" ] || die "$HDRS missing; install linux-headers-$KVER"
# Pin the exact build: the image must be the same Debian version as the headers,
# otherwise module BTF type ids don't match the kernel's and (with Debian's
# CONFIG_MODULE_ALLOW_BTF_MISMATCH=y) the module loads silently without BTF.
HVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null) ||
	die "linux-headers-$KVER is not an installed package"

mkdir -p "$CACHE"
TMP=$(mktemp -d "$CACHE/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# apt-get download drops privileges to _apt; let it write here to avoid the
# (harmless) "unsandboxed" warning.
chmod 0755 "$TMP"
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$TMP"
fi

# apt_download PKG=VER: download one .deb into $TMP, print its path.
apt_download() {
	local out
	if ! out=$(cd "$TMP" && apt-get download "$1" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
	ls "$TMP"/"${1%%=*}"_*.deb
}

# 1. the kernel image package, same version as the headers
if [ ! -f "$CACHE/image/boot/vmlinuz-$KVER" ]; then
	log "downloading linux-image-$KVER=$HVER"
	deb=$(apt_download "linux-image-$KVER=$HVER") ||
		deb=$(apt_download "linux-image-$KVER-unsigned=$HVER") ||
		die "cannot download linux-image-$KVER(-unsigned)=$HVER (try 'apt-get update'; if the archive moved on, upgrade linux-headers-amd64)"
	rm -rf "$CACHE/image" "$TMP/image"
	dpkg-deb -x "$deb" "$TMP/image"
	[ -f "$TMP/image/boot/vmlinuz-$KVER" ] || die "$deb has no boot/vmlinuz-$KVER"
	mv "$TMP/image" "$CACHE/image"
	rm -f "$deb"
fi

# 2. vmlinux from vmlinuz (kmod/btf-tree.sh, shared with dkms-build.sh).
if [ ! -f "$CACHE/vmlinux" ]; then
	log "extracting vmlinux"
	"$ROOT/kmod/btf-tree.sh" vmlinux "$CACHE/image/boot/vmlinuz-$KVER" "$KVER" "$TMP/vmlinux"
	mv "$TMP/vmlinux" "$CACHE/vmlinux"
fi

# 3. resolve_btfids from the newest linux-kbuild-6.12.*+deb12 (bookworm
# backports' kbuild ships it; its output was seen byte-identical to one
# built from the 6.1 source).  Unpacked only, never installed.
if [ ! -x "$CACHE/resolve_btfids" ]; then
	kb=$(apt-cache search --names-only '^linux-kbuild-6\.12' | cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$kb" ] || die "no linux-kbuild-6.12* package in the apt lists (try 'apt-get update')"
	log "downloading $kb for resolve_btfids"
	deb=$(apt_download "$kb") || die "cannot download $kb"
	rm -rf "$TMP/kbuild"
	dpkg-deb -x "$deb" "$TMP/kbuild"
	rb=$(find "$TMP"/kbuild/usr/lib -path '*/linux-kbuild-6.12*/tools/bpf/resolve_btfids/resolve_btfids' -print -quit)
	if [ -z "$rb" ] || [ ! -x "$rb" ]; then
		die "$kb has no tools/bpf/resolve_btfids/resolve_btfids"
	fi
	# --help exits 129 by design; a missing library shows as no usage text.
	case "$("$rb" --help 2>&1 || true)" in
	*Usage:*) ;;
	*) die "$rb does not run on this host (missing libelf1/zlib1g?)" ;;
	esac
	cp "$rb" "$TMP/resolve_btfids"
	mv "$TMP/resolve_btfids" "$CACHE/resolve_btfids"
	rm -rf "$TMP/kbuild" "$deb"
fi

# 4. writable kbuild object tree (VM-NOTES option a), by kmod/btf-tree.sh;
# relative links, so that the cache can move.
log "preparing kbuild tree"
rm -rf "$CACHE/build"
"$ROOT/kmod/btf-tree.sh" tree "$HDRS" "$CACHE/build" ../vmlinux ../../../../resolve_btfids

# Record what was pinned, for humans and for the VM runner.
printf 'KVER=%s\nVERSION=%s\nRESOLVE_BTFIDS_FROM=%s\n' "$KVER" "$HVER" "${kb:-cached}" >"$CACHE/info"
touch "$CACHE/.complete"
log "ready: $CACHE"
printf '%s\n' "$CACHE"
