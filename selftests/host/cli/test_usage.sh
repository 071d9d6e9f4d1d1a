#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad command lines: exit 2, one line on stderr; help everywhere: exit 0.
. "$(dirname "$0")/lib.sh"
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-usage-$$
R=$HERE/rules-good.txt

tap_plan 22

run "$AUTOSELCTL"
check "no arguments: exit 2 and usage on stderr" \
	sh -c "[ $rc = 2 ] && [ -z '$out' ] && echo '$err' | grep -q '^Usage: autoselctl'"
for h in help "replay help" "attach help" "detach help" "stats help" "rules help" "--help"; do
	run "$AUTOSELCTL" $h
	check "'$h': exit 0, usage on stdout" \
		sh -c "[ $rc = 0 ] && [ -z '$err' ] && echo '$out' | grep -q '^Usage: autoselctl'"
done
expect_fail "unknown command" 2 \
	"autoselctl: unknown command 'frob' (see 'autoselctl help')" "$AUTOSELCTL" frob
expect_fail "replay without --rules" 2 \
	"autoselctl: replay: one of --rules FILE, --bundle B or --state DIR is required" "$AUTOSELCTL" replay --pcap x.pcap
expect_fail "replay without --pcap" 2 \
	"autoselctl: replay: --pcap IN is required" "$AUTOSELCTL" replay --rules "$R"
expect_fail "replay option without its value" 2 \
	"autoselctl: replay: --pcap needs a value" "$AUTOSELCTL" replay --rules "$R" --pcap
expect_fail "replay option given twice" 2 \
	"autoselctl: replay: --rules given twice" "$AUTOSELCTL" replay --rules "$R" --rules "$R"
expect_fail "replay unknown option" 2 \
	"autoselctl: replay: unknown argument '--frob' (see 'autoselctl replay help')" \
	"$AUTOSELCTL" replay --frob
expect_fail "replay --now without a zone" 2 \
	"autoselctl: replay: bad time '2026-01-01T00:00:00' for --now (RFC 3339, e.g. 2026-04-01T00:00:00Z)" \
	"$AUTOSELCTL" replay --rules "$R" --pcap x --now 2026-01-01T00:00:00
expect_fail "attach without dev" 2 "autoselctl: attach: dev IFACE is required" \
	"$AUTOSELCTL" attach --generic
expect_fail "attach to a missing device" 1 "autoselctl: nosuch0: no such device" \
	"$AUTOSELCTL" attach dev nosuch0
expect_fail "detach unknown option" 2 \
	"autoselctl: detach: unknown argument '--generic' (see 'autoselctl detach help')" \
	"$AUTOSELCTL" detach dev x --generic
expect_fail "detach of a port autosel is not on" 1 \
	"autoselctl: nosuch0: autosel is not attached" "$AUTOSELCTL" detach dev nosuch0
expect_fail "stats unknown option" 2 \
	"autoselctl: stats: unknown argument 'x' (see 'autoselctl stats help')" "$AUTOSELCTL" stats x
expect_fail "rules without a FILE" 2 "autoselctl: rules check needs a FILE" \
	"$AUTOSELCTL" rules check
check "nothing was pinned by any of the above" test ! -e "$AUTOSEL_PIN_DIR"
totals
