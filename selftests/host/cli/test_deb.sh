#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (make deb): what they hold, with which modes and
# dependencies; lintian (no error, no warning: the overrides are in
# debian/*.lintian-overrides, each with its reason); the unit through
# systemd-analyze verify; the manual pages render without a groff warning
# and name every command of autoselctl --help; make install-user honours
# PREFIX; and autosel-dkms's dkms.conf builds autosel.ko with BTF for the
# VM's kernel (dkms build in private trees: the host's /var/lib/dkms is
# neither read nor written; no install).
. "$(dirname "$0")/lib.sh"

tap_plan 25
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DEB=$TOP/build/deb
VER=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
KVER=$("$TOP/kmod/fetch-kernel.sh" --kver)
KCACHE=$(KVER=$KVER "$TOP/kmod/fetch-kernel.sh" --dir)

run make -s -C "$TOP" --no-print-directory deb
if [ "$rc" = 0 ] && [ -f "$DEB/autosel_${VER}_amd64.deb" ] && [ -f "$DEB/autosel-dkms_${VER}_all.deb" ]; then
	ok "make deb: autosel_${VER}_amd64.deb and autosel-dkms_${VER}_all.deb in build/deb/"
else
	not_ok "make deb" "rc=$rc" "$(echo "$out$err" | tail -n 20)"
	totals
	exit 1
fi
A=$DEB/autosel_${VER}_amd64.deb D=$DEB/autosel-dkms_${VER}_all.deb

abi=$(sed -n 's/^#define AUTOSEL_VERSION[[:space:]]*"\(.*\)"/\1/p' "$TOP/include/autosel/abi.h")
check "the package version is autosel's release ($abi, include/autosel/abi.h)" [ "$VER" = "$abi" ]

# has DEB MODE PATH: the package lists PATH with MODE (ls -l's letters).
has() { awk -v m="$2" -v p="./$3" '$1 == m && $6 == p { f = 1 } END { exit !f }' <<<"$(dpkg-deb -c "$1")"; }
field() { dpkg-deb -f "$1" "$2"; }

want=(
	-rwxr-xr-x usr/sbin/autoselctl
	-rw-r--r-- usr/lib/autosel/autosel.bpf.o
	-rw-r--r-- usr/lib/autosel/autosel_kf.bpf.o
	-rwxr-xr-x usr/lib/autosel/autosel-service
	-rw-r--r-- lib/systemd/system/autosel.service
	-rw-r--r-- lib/systemd/system/autosel-audit-rotate.service
	-rw-r--r-- lib/systemd/system/autosel-audit-rotate.timer
	-rw-r--r-- usr/share/man/man8/autoselctl.8.gz
	-rw-r--r-- usr/share/man/man7/autosel.7.gz
	-rw-r--r-- usr/share/bash-completion/completions/autoselctl
	-rw-r--r-- etc/autosel/autosel.conf
	drwxr-xr-x etc/autosel/bundles.d/
	-rw-r--r-- usr/share/doc/autosel/admin-guide.rst.gz
	-rw-r--r-- usr/share/doc/autosel/sysfs-kernel-autosel.gz
	-rw-r--r-- usr/share/doc/autosel/copyright
)
missing=
for ((i = 0; i < ${#want[@]}; i += 2)); do
	has "$A" "${want[i]}" "${want[i + 1]}" || missing="$missing ${want[i]} ${want[i + 1]};"
done
check "autosel holds autoselctl, both XDP objects, the service, man pages, completion, config, docs (modes as listed)${missing:+ - missing:$missing}" [ -z "$missing" ]
! grep -qE '\.ko$|usr/local' <<<"$(dpkg-deb -c "$A")"
check "autosel holds no kernel module and nothing under /usr/local" [ $? = 0 ]

dep=$(field "$A" Depends)
echo "# Depends: $dep"
missing=
for p in libc6 libelf1 libpcap0.8 libsodium23 zlib1g kmod iproute2; do
	case ", $dep," in *", $p "*|*", $p,"*) ;; *) missing="$missing $p" ;; esac
done
check "autosel Depends: the shared libraries autoselctl links (libbpf is static), kmod, iproute2${missing:+ - missing:$missing}" [ -z "$missing" ]
check "autosel Recommends autosel-dkms; Architecture amd64" \
	test "$(field "$A" Recommends)" = autosel-dkms -a "$(field "$A" Architecture)" = amd64

dpkg-deb -e "$A" "$T/ctl"
check "conffiles: /etc/autosel/autosel.conf" grep -qx /etc/autosel/autosel.conf "$T/ctl/conffiles"
check "postinst enables autosel.service and does not start it (no restart of the capture ports by dpkg)" \
	sh -c "grep -q \"deb-systemd-helper enable 'autosel.service'\" '$T/ctl/postinst' && ! grep -q deb-systemd-invoke '$T/ctl/postinst'"

dpkg-deb -x "$A" "$T/root"
run "$T/root/usr/sbin/autoselctl" --version
grep -q "^autoselctl $VER (build $(git -C "$TOP" describe --always --dirty))" <<<"$out"
r=$?
check "the packaged autoselctl runs and names its revision: $(head -n 1 <<<"$out")" [ $r = 0 ]

missing=
list=$(dpkg-deb -c "$D")
for f in dkms.conf kmod/Kbuild kmod/Makefile kmod/main.c kmod/btf-tree.sh kmod/dkms-build.sh \
	kmod/fetch-kernel.sh kmod/build-id include/autosel/abi.h include/autosel/parse.h; do
	grep -q " \./usr/src/autosel-$VER/$f\$" <<<"$list" || missing="$missing $f"
done
check "autosel-dkms holds /usr/src/autosel-$VER: dkms.conf, kmod/, include/autosel/${missing:+ - missing:$missing}" [ -z "$missing" ]
check "autosel-dkms: the build scripts are executable" \
	has "$D" -rwxr-xr-x "usr/src/autosel-$VER/kmod/dkms-build.sh"
check "autosel-dkms: Architecture all, Depends dkms, dwarves (pahole), xz-utils, binutils" \
	sh -c "[ '$(field "$D" Architecture)' = all ] && echo '$(field "$D" Depends)' | grep -q 'dkms' && echo '$(field "$D" Depends)' | grep -q 'dwarves' && echo '$(field "$D" Depends)' | grep -q 'xz-utils' && echo '$(field "$D" Depends)' | grep -q 'binutils'"
dpkg-deb -x "$D" "$T/dkms-src"
check "dkms.conf: PACKAGE_VERSION=\"$VER\", the module from kmod/, MAKE through kmod/dkms-build.sh" \
	sh -c "grep -qx 'PACKAGE_VERSION=\"$VER\"' '$T/dkms-src/usr/src/autosel-$VER/dkms.conf' &&
		grep -qx 'BUILT_MODULE_LOCATION\[0\]=\"kmod/\"' '$T/dkms-src/usr/src/autosel-$VER/dkms.conf' &&
		grep -q '^MAKE\[0\]=\"kmod/dkms-build.sh \${kernelver} \${kernel_source_dir}\"' '$T/dkms-src/usr/src/autosel-$VER/dkms.conf'"

# lintian: no error and no warning (informational tags are printed).
run lintian --fail-on error,warning --display-info "$DEB/autosel_${VER}_amd64.changes"
echo "$out" | sed 's/^/# lintian: /'
if [ "$rc" = 0 ] && ! echo "$out" | grep -q '^[EW]: '; then
	ok "lintian: no error, no warning ($(echo "$out" | grep -c '^[IP]: ') informational)"
else
	not_ok "lintian" "rc=$rc" "$(echo "$out" | grep '^[EW]: ')"
fi

# systemd-analyze verify: in a root with the package and systemd's own
# units; MANPATH lets it check Documentation= against the package's pages.
mkdir -p "$T/root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$T/root/usr/lib/systemd/"
run env MANPATH="$T/root/usr/share/man" systemd-analyze verify --root="$T/root" /lib/systemd/system/autosel.service \
	/lib/systemd/system/autosel-audit-rotate.service /lib/systemd/system/autosel-audit-rotate.timer
if [ "$rc" = 0 ] && [ -z "$out$err" ]; then
	ok "systemd-analyze verify autosel.service, autosel-audit-rotate.service and .timer: no warning"
else
	not_ok "systemd-analyze verify" "rc=$rc" "$out$err"
fi
sed -i 's|^ExecStart=.*|ExecStart=/usr/lib/autosel/not-there start|' "$T/root/lib/systemd/system/autosel.service"
run env MANPATH="$T/root/usr/share/man" systemd-analyze verify --root="$T/root" /lib/systemd/system/autosel.service
grep -q 'not-there is not executable' <<<"$out$err"
check "systemd-analyze verify notices a broken ExecStart (so the test above can fail)" [ $? = 0 ]
grep -q '^Type=oneshot$' "$T/root/lib/systemd/system/autosel.service" &&
	grep -q '^RemainAfterExit=yes$' "$T/root/lib/systemd/system/autosel.service" &&
	grep -q '^ExecStop=/usr/lib/autosel/autosel-service stop$' "$T/root/lib/systemd/system/autosel.service" &&
	grep -q '^ExecReload=/usr/lib/autosel/autosel-service reload$' "$T/root/lib/systemd/system/autosel.service"
check "the unit: oneshot, RemainAfterExit, reload and stop through autosel-service" [ $? = 0 ]

# The manual pages as packaged: groff warns about nothing.
for p in man8/autoselctl.8 man7/autosel.7; do
	run sh -c "zcat '$T/root/usr/share/man/$p.gz' | groff -man -Tutf8 -ww -z"
	[ "$rc" = 0 ] && [ -z "$err$out" ]
	check "groff -man -ww renders $p without a warning${err:+: $err}" [ $? = 0 ]
done
# As text: no bold, underline or colour (grotty -cbou), wide lines.
page=$(zcat "$T/root/usr/share/man/man8/autoselctl.8.gz" | groff -man -Tutf8 -rLL=200n -P-cbou 2>/dev/null)
cmds=$("$AUTOSELCTL" --help | sed -n 's/^  \([a-z-][a-z-]*\).*/\1/p')
missing=
for c in $cmds; do
	case $c in
	--version) w="autoselctl --version" ;;
	help) w="autoselctl help" ;;
	*) w="autoselctl $c" ;;
	esac
	grep -qF -- "$w" <<<"$page" || missing="$missing $c"
done
[ -z "$missing" ] && [ -n "$cmds" ]
r=$?
check "autoselctl(8) names every command of autoselctl --help ($(echo $cmds | wc -w))${missing:+ - missing:$missing}" [ $r = 0 ]

# make install-user honours PREFIX (the unit names the installed script).
run make -s -C "$TOP" --no-print-directory install-user DESTDIR="$T/inst" PREFIX=/usr/local
check "make install-user PREFIX=/usr/local: the unit runs /usr/local/lib/autosel/autosel-service, pages in share/man" \
	sh -c "[ $rc = 0 ] && grep -qx 'ExecStart=/usr/local/lib/autosel/autosel-service start' '$T/inst/usr/local/lib/systemd/system/autosel.service' &&
		grep -qx 'ExecStart=/usr/local/sbin/autoselctl audit rotate' '$T/inst/usr/local/lib/systemd/system/autosel-audit-rotate.service' &&
		[ -f '$T/inst/usr/local/share/man/man8/autoselctl.8' ] && [ -f '$T/inst/usr/local/share/man/man7/autosel.7' ] &&
		[ -x '$T/inst/usr/local/lib/autosel/autosel-service' ] && [ -f '$T/inst/usr/local/share/bash-completion/completions/autoselctl' ]"

# dkms build for the VM's kernel with the package's dkms.conf, in private
# trees; the kernel's BTF and resolve_btfids from the build's kernel cache
# (kmod/fetch-kernel.sh), as a router would have them in /boot and a
# linux-kbuild package.  sign_file: dkms must not make a MOK key in
# /var/lib/dkms.
if [ ! -f "$KCACHE/.complete" ]; then
	skip "dkms build -k $KVER" "no kernel cache (make -C kmod)"
	skip "dkms: the module has BTF" "no kernel cache"
	skip "dkms refuses unresolved .BTF_ids" "no kernel cache"
	skip "dkms left the host's dkms tree as it was" "no kernel cache"
else
	before=$(ls -la /var/lib/dkms 2>&1)
	mkdir -p "$T/dkms-tree"
	run env sign_file=/nonexistent AUTOSEL_VMLINUX="$KCACHE/vmlinux" AUTOSEL_RESOLVE_BTFIDS="$KCACHE/resolve_btfids" \
		dkms build --dkmstree "$T/dkms-tree" --sourcetree "$T/dkms-src/usr/src" -m autosel -v "$VER" -k "$KVER"
	KO=$(find "$T/dkms-tree/autosel/$VER/$KVER" -name autosel.ko -print -quit 2>/dev/null)
	if [ "$rc" = 0 ] && [ -n "$KO" ] && [ "$(modinfo -F vermagic "$KO" | cut -d' ' -f1)" = "$KVER" ]; then
		ok "dkms build -k $KVER (the VM's kernel): autosel.ko for $KVER"
	else
		not_ok "dkms build -k $KVER" "rc=$rc" "$(echo "$out$err" | tail -n 15)" \
			"$(tail -n 15 "$T"/dkms-tree/autosel/"$VER"/"$KVER"/*/log/make.log 2>/dev/null)"
	fi
	# resolve_btfids ran: the kfunc set in .BTF_ids (BTF_SET8: count,
	# flags, then id and flags per kfunc) names the module's own BTF FUNCs
	# autosel_count_*, as kbuild's BTF step leaves them (the ids differ
	# from build to build: pahole encodes in parallel).
	funcs=
	if [ -n "$KO" ] && objcopy -O binary --only-section=.BTF_ids "$KO" "$T/ids"; then
		dump=$(bpftool -B "$KCACHE/vmlinux" btf dump file "$KO" 2>&1)
		for id in $(od -An -tu4 -v "$T/ids" | tr -s ' ' '\n' | grep . | awk 'NR > 2 && NR % 2 == 1'); do
			funcs="$funcs $(sed -n "s/^\[$id\] FUNC '\(autosel_count_[a-z]*\)'.*/\1/p" <<<"$dump")"
		done
	fi
	# the kfuncs kmod/kfuncs.c registers
	want=$(sed -n 's/^BTF_ID_FLAGS(func, \(autosel_count_[a-z]*\))$/\1/p' \
		"$TOP/kmod/kfuncs.c" | sort | tr '\n' ' ')
	if [ -n "$want" ] && [ "$(echo $funcs | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ]; then
		ok "dkms: the module has BTF, its kfunc set resolved to $want"
	else
		not_ok "dkms: BTF" "$(readelf -SW "$KO" 2>&1 | grep BTF)" "kfuncs in .BTF_ids:$funcs"
	fi
	# A resolve_btfids that does nothing leaves .BTF_ids all zeros:
	# kmod/Makefile's check fails the dkms build rather than ship it.
	mkdir -p "$T/dkms-tree2"
	run env sign_file=/nonexistent AUTOSEL_VMLINUX="$KCACHE/vmlinux" AUTOSEL_RESOLVE_BTFIDS=/bin/true \
		dkms build --dkmstree "$T/dkms-tree2" --sourcetree "$T/dkms-src/usr/src" -m autosel -v "$VER" -k "$KVER"
	[ "$rc" != 0 ] && [ -z "$(find "$T/dkms-tree2" -name autosel.ko -path '*/module/*')" ] &&
		grep -q '\.BTF_ids is all zeros: resolve_btfids did not resolve the kfunc ids' \
			"$T"/dkms-tree2/autosel/"$VER"/build/make.log
	r=$?
	[ $r = 0 ] || echo "$out$err" | tail -n 5 | sed 's/^/# /'
	check "dkms build with a resolve_btfids that does nothing fails: .BTF_ids all zeros" [ $r = 0 ]
	check "dkms left the host's /var/lib/dkms as it was (no MOK key made, nothing added)" \
		[ "$(ls -la /var/lib/dkms 2>&1)" = "$before" ]
fi

totals
