# SPDX-License-Identifier: GPL-2.0
#
# autosel: top-level build.
#
#   make            the XDP objects, autosel.ko (with BTF) and autoselctl
#   make deps       install the Debian packages the project needs
#   make check      deps + build + every test (host and VM), one summary line
#   make hostcheck  host tests only (no VM)
#   make vmtest     VM tests only (QEMU, Debian's kernel, autosel.ko loaded)
#   make fuzz       the data-path and bundle fuzzers, longer than check runs them
#   make demo       deps + build + the built-in demonstration
#   make install    install autoselctl, the BPF objects, the service, the
#                   manual pages, bash completion and autosel.ko
#   make install-user   the same without autosel.ko (what the package has)
#   make man        the manual pages autoselctl(8), autosel(7) in build/man/
#   make deb        the Debian packages autosel, autosel-dkms in build/deb/
#   make clean      remove build products (the kernel cache in .cache/ stays)
#   make distclean  clean, and drop .cache/ too
#
# Build products go to build/ (user space, BPF) and kmod/ (kbuild's way).

ROOT    := $(CURDIR)
BUILD   := $(ROOT)/build
CLANG   ?= clang
ARCH_INC := /usr/include/$(shell gcc -dumpmachine)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I$(ARCH_INC) -I$(ROOT)/include

# Everything the build, the tests and the demo use, by Debian package name.
DEBIAN_PKGS := make gcc libc6-dev clang llvm pkg-config \
	libbpf-dev bpftool libelf-dev zlib1g-dev libsodium-dev libpcap-dev \
	libclang-rt-14-dev xdp-tools libxdp1 \
	iproute2 procps tcpdump kmod linux-headers-amd64 dwarves xz-utils cpio \
	qemu-system-x86 busybox-static python3 bind9-dnsutils openssl curl \
	debhelper dh-dkms dkms dpkg-dev lintian python3-docutils groff-base \
	man-db systemd prometheus softflowd nfdump

# Tests compare messages verbatim: the same locale on every machine
# (C.UTF-8 is built into glibc; a fresh machine may have none generated).
export LC_ALL := C.UTF-8

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

export BUILD

.PHONY: all deps xdp kmod user check hostcheck vmtest demo bench install clean fuzz \
	fuzz-xdp fuzz-bundle distclean install-user man deb

all: xdp kmod user

$(BUILD):
	@mkdir -p $@

xdp: $(BUILD)/autosel.bpf.o $(BUILD)/autosel_kf.bpf.o

BPF_DEPS := xdp/autosel.bpf.c xdp/names.h xdp/hello_tcp.h xdp/quic.h xdp/parse_xdp.h \
	$(wildcard include/autosel/*.h)

$(BUILD)/autosel.bpf.o: $(BPF_DEPS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/autosel_kf.bpf.o: $(BPF_DEPS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -DAUTOSEL_KFUNCS -c $< -o $@

kmod:
	$(MAKE) -C kmod

user: xdp
	$(MAKE) -C user

# Idempotent: installs only what is missing, and says what.
deps:
	@missing=""; \
	for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "deps: all $(words $(DEBIAN_PKGS)) Debian packages present"; \
	else \
		echo "deps: installing:$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null && \
		echo "deps: done"; \
	fi

# The TAP of every test run lands in build/check/*.tap; the summary reads it.
# Host tests and autoselctl run under ASan and UBSan.
CHECK := $(BUILD)/check

hostcheck: all
	@mkdir -p $(CHECK)
	@rm -f $(CHECK)/host.tap
	$(MAKE) -s -C user SANITIZE=1 >/dev/null
	$(MAKE) -s -C user SANITIZE=1 FAULT=1 >/dev/null
	{ rc=0; \
	  $(MAKE) -s -C selftests run_tests SAN=1 || rc=1; \
	  $(MAKE) -s -C selftests/host/cli run_tests \
		AUTOSELCTL=$(BUILD)/asan/autoselctl \
		FAULTCTL=$(BUILD)/fault-asan/autoselctl || rc=1; \
	  $(MAKE) -s -C selftests/fuzz run SECS=20 || rc=1; \
	  exit $$rc; } 2>&1 | tee $(CHECK)/host.tap; \
		echo "$${PIPESTATUS[0]}" > $(CHECK)/host.rc
	@selftests/tap-summary.sh --rc $(CHECK)/host.rc $(CHECK)/host.tap

vmtest: all
	@mkdir -p $(CHECK)
	@rm -f $(CHECK)/vm.tap
	$(MAKE) -s -C selftests vm_tests 2>&1 | tee $(CHECK)/vm.tap; \
		echo "$${PIPESTATUS[0]}" > $(CHECK)/vm.rc
	@selftests/tap-summary.sh --rc $(CHECK)/vm.rc $(CHECK)/vm.tap

# `check` runs both halves even if the first fails, then sums them up.
check: SHELL := /bin/bash
hostcheck vmtest: SHELL := /bin/bash
check: deps
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory all || exit 1; \
	t1=$$(date +%s); \
	$(MAKE) --no-print-directory hostcheck >/dev/null 2>&1; \
	cat $(CHECK)/host.tap; \
	t2=$$(date +%s); \
	$(MAKE) --no-print-directory vmtest >/dev/null 2>&1; \
	cat $(CHECK)/vm.tap; \
	t3=$$(date +%s); \
	echo "# time: build $$((t1 - t0))s, host tests $$((t2 - t1))s, VM tests $$((t3 - t2))s"; \
	selftests/tap-summary.sh --rc $(CHECK)/host.rc --rc $(CHECK)/vm.rc \
		$(CHECK)/host.tap $(CHECK)/vm.tap

# The fuzzers, longer than check runs them (Documentation/testing.rst):
#   make fuzz-xdp     the data path against the reference parser, FUZZ_FRAMES
#                     frames (default 10^7) from seed FUZZ_SEED (default: the
#                     time; printed, FUZZ_SEED=N repeats a run)
#   make fuzz-bundle  the bundle parser fuzzer for FUZZ_SECS (default 600)
#   make fuzz         both
FUZZ_FRAMES ?= 10000000
FUZZ_SEED ?= $(shell date +%s)

fuzz: fuzz-xdp fuzz-bundle

fuzz-bundle:
	$(MAKE) -C selftests/fuzz fuzz

fuzz-xdp: xdp
	$(MAKE) -s -C selftests $(BUILD)/selftests/san/fuzz_xdp SAN=1
	KSFT_TIMEOUT=86400 $(BUILD)/selftests/san/fuzz_xdp \
		--frames $(FUZZ_FRAMES) --seed $(FUZZ_SEED)

# Per-packet cost beside its floors (not part of check: timings are noisy).
# BENCH_QUICK=1 make bench: a smoke run.  Documentation/performance.rst.
BENCH := $(BUILD)/bench
BENCH_HDRS := $(wildcard include/autosel/*.h) $(wildcard xdp/*.h) selftests/bench/rand.h \
	selftests/bench/legacy4.h selftests/bench/legacy6.h

$(BENCH)/drop.bpf.o: selftests/bench/drop.bpf.c $(BENCH_HDRS)
	@mkdir -p $(BENCH)
	$(CLANG) $(BPF_CFLAGS) -I$(ROOT)/selftests/bench -I$(ROOT)/xdp -c $< -o $@

# The production program with the bench's address-varying step in front.
$(BENCH)/autosel_rand.bpf.o: $(BPF_DEPS) $(BENCH_HDRS)
	@mkdir -p $(BENCH)
	$(CLANG) $(BPF_CFLAGS) -I$(ROOT)/selftests/bench -DAS_BENCH_RAND -c $< -o $@

# xdp-filter's objects (xdp-tools, package libxdp1): the peer of bench_xdpfilter.c.
XDPFILT_DIR := /usr/lib/$(shell gcc -dumpmachine)/bpf
BENCH_SRCS := selftests/bench/bench.c selftests/bench/bench_pcap.c \
	selftests/bench/bench_xdpfilter.c user/domains.c

$(BENCH)/bench: $(BENCH_SRCS) selftests/bench/bench.h user/domains.h \
		selftests/host/pkt.h selftests/host/names_pkt.h $(BENCH_HDRS)
	@mkdir -p $(BENCH)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I$(ROOT)/include \
		-I$(ROOT)/user -I$(ROOT)/selftests/host \
		-DXDPFILT_DIR='"$(XDPFILT_DIR)"' \
		-DAS_RFC9001_HEX='"$(ROOT)/selftests/host/rfc9001_a2.hex"' \
		$(BENCH_SRCS) -o $@ \
		-lbpf -lelf -lz -lpcap

# Semantics first: the flat prefix sets against a brute-force LPM, the
# host test of make check (selftests/Makefile) at 10x its packets and
# ~3x its prefixes.
DIFFTEST := $(BUILD)/selftests/difftest

# The veth throughput run (selftests/bench/veth.sh): sender and its program.
$(BENCH)/veth.bpf.o: selftests/bench/veth.bpf.c selftests/bench/rand.h
	@mkdir -p $(BENCH)
	$(CLANG) $(BPF_CFLAGS) -I$(ROOT)/selftests/bench -c $< -o $@

$(BENCH)/veth_blast: selftests/bench/veth_blast.c
	@mkdir -p $(BENCH)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $< -o $@ -lbpf -lelf -lz

# A/B (performance.rst): make bench BENCH_AB=OBJ times the autosel rows of
# OBJ (A, an autosel_rand.bpf.o) and of this tree (B) in turn in one
# process; BENCH_AB_REV=REV builds A from commit REV's include/, xdp/ and
# selftests/bench/ (git archive) into build/bench/ab/HASH/.  BENCH_N picks
# the counts (BENCH_N=1,1000000), BENCH_ROWS the rows (bench.c).  Several
# objects or revisions (BENCH_AB=A1,A2 or BENCH_AB_REV="R1 R2": ablations)
# are timed in turn with B.  No difftest, no peers, no veth run.
comma := ,
empty :=
space := $(empty) $(empty)
ifneq ($(BENCH_AB_REV),)
# One object per revision: BENCH_AB_REV="REV1 REV2 ..." (or with commas)
# times them all as A1, A2, ... against this tree (ablations).
BENCH_AB_REVS := $(subst $(comma), ,$(BENCH_AB_REV))
BENCH_AB_HASHES := $(foreach r,$(BENCH_AB_REVS),$(shell git rev-parse \
	--short=12 --verify -q '$(r)^{commit}'))
ifneq ($(words $(BENCH_AB_HASHES)),$(words $(BENCH_AB_REVS)))
$(error BENCH_AB_REV=$(BENCH_AB_REV): not all commits of this repository)
endif
BENCH_AB_OBJS := $(foreach h,$(BENCH_AB_HASHES),$(BENCH)/ab/$(h)/autosel_rand.bpf.o)
BENCH_AB := $(subst $(space),$(comma),$(strip $(BENCH_AB_OBJS)))

$(BENCH)/ab/%/autosel_rand.bpf.o:
	rm -rf $(BENCH)/ab/$*/src
	mkdir -p $(BENCH)/ab/$*/src
	git archive $* include xdp selftests/bench | \
		tar -x -C $(BENCH)/ab/$*/src
	$(CLANG) -O2 -g -Wall -Werror -target bpf -I$(ARCH_INC) \
		-I$(BENCH)/ab/$*/src/include -I$(BENCH)/ab/$*/src/selftests/bench \
		-DAS_BENCH_RAND -c $(BENCH)/ab/$*/src/xdp/autosel.bpf.c -o $@
endif

ifneq ($(BENCH_AB),)
bench: deps
	@$(MAKE) --no-print-directory $(BENCH)/drop.bpf.o \
		$(BENCH)/autosel_rand.bpf.o $(BENCH)/bench \
		$(subst $(comma), ,$(BENCH_AB))
	BENCH_AB=$(BENCH_AB) $(BENCH)/bench $(BENCH)/autosel_rand.bpf.o \
		$(BENCH)/drop.bpf.o $(BENCH)/bench-ab.json
else
bench: deps
	@$(MAKE) --no-print-directory xdp user $(BENCH)/drop.bpf.o \
		$(BENCH)/autosel_rand.bpf.o $(BENCH)/bench \
		$(BENCH)/veth.bpf.o $(BENCH)/veth_blast
	@$(MAKE) --no-print-directory -C selftests $(DIFFTEST)
	KSFT_TIMEOUT=600 $(DIFFTEST) 200000 1000
	$(BENCH)/bench $(BENCH)/autosel_rand.bpf.o $(BENCH)/drop.bpf.o \
		$(BENCH)/bench.json $(XDPFILT_DIR)
	selftests/bench/veth.sh $(BENCH) $(BUILD)/autoselctl $(BENCH)/veth.json
endif

demo: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@user/demo/demo.sh

# The manual pages, from RST (docutils): autoselctl(8) includes
# Documentation/autoselctl.rst, the one command reference.
MAN := $(BUILD)/man
MANPAGES := $(MAN)/autoselctl.8 $(MAN)/autosel.7

man: $(MANPAGES)

$(MAN)/autoselctl.8: Documentation/man/autoselctl.8.rst Documentation/autoselctl.rst
$(MAN)/%: Documentation/man/%.rst
	@mkdir -p $(MAN)
	rst2man --strict $< $@.tmp && mv $@.tmp $@

install-user: xdp user man
	install -D -m 0755 $(BUILD)/autoselctl $(DESTDIR)$(PREFIX)/sbin/autoselctl
	install -D -m 0644 $(BUILD)/autosel.bpf.o $(DESTDIR)$(LIBDIR)/autosel/autosel.bpf.o
	install -D -m 0644 $(BUILD)/autosel_kf.bpf.o $(DESTDIR)$(LIBDIR)/autosel/autosel_kf.bpf.o
	install -D -m 0755 dist/autosel-service $(DESTDIR)$(LIBDIR)/autosel/autosel-service
	install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/autosel.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/autosel.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/autosel.service
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' dist/autosel-audit-rotate.service.in \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/autosel-audit-rotate.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/autosel-audit-rotate.service
	install -m 0644 dist/autosel-audit-rotate.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -D -m 0644 $(MAN)/autoselctl.8 $(DESTDIR)$(MANDIR)/man8/autoselctl.8
	install -D -m 0644 $(MAN)/autosel.7 $(DESTDIR)$(MANDIR)/man7/autosel.7
	install -D -m 0644 dist/autoselctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/autoselctl
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/autosel/bundles.d
	@# The administrator's configuration is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/autosel/autosel.conf ] || \
		install -m 0644 dist/autosel.conf $(DESTDIR)$(SYSCONFDIR)/autosel/autosel.conf

install: all install-user
	install -D -m 0644 kmod/autosel.ko \
		$(DESTDIR)/lib/modules/$$($(MAKE) -s -C kmod print-kver)/extra/autosel.ko

# Debian packages, built by dpkg-buildpackage from a copy of the tree's
# files (git's view: tracked and new, not ignored) in build/deb/, where the
# .debs land; the copy carries the revision (kmod/build-id).
DEB := $(BUILD)/deb
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)

deb: deps
	rm -rf $(DEB)
	mkdir -p $(DEB)/autosel-$(DEB_VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | \
		tar -xf - -C $(DEB)/autosel-$(DEB_VERSION)
	git describe --always --dirty >$(DEB)/autosel-$(DEB_VERSION)/kmod/build-id
	cd $(DEB)/autosel-$(DEB_VERSION) && \
		dpkg-buildpackage -b -us -uc >$(DEB)/build.log 2>&1 || \
		{ tail -n 30 $(DEB)/build.log; exit 1; }
	rm -rf $(DEB)/autosel-$(DEB_VERSION)
	@ls $(DEB)/*.deb

clean:
	-$(MAKE) -C kmod clean
	-$(MAKE) -C user clean
	-$(MAKE) -C selftests clean
	rm -rf $(BUILD)

distclean: clean
	rm -rf .cache
