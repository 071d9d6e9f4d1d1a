#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad command lines: exit 2, one line on stderr; help everywhere: exit 0.
. "$(dirname "$0")/lib.sh"
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-usage-$$
R=$HERE/rules-good.txt
TMP=$(mktemp -d)
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
trap 'chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null; rm -rf "$TMP"' EXIT

tap_plan 29

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

# Every attempt to change what runs is in the audit log, failures before
# any change too, with who and where.
L=$AUTOSEL_AUDIT_LOG
WHO="uid=$(id -u) sudo_user=- loginuid=$(l=$(cat /proc/self/loginuid 2>/dev/null); [ -n "$l" ] && [ "$l" != 4294967295 ] && echo "$l" || echo -) host=$(hostname | tr ' ' '?')"
# The line between the time and the chain's h= field (audit.rst).
logged() { grep -qxF "$1" <(cut -d' ' -f2- "$L" | sed 's/ h=[0-9a-f]\{64\}$//'); }
check "attach without dev: logged as refused" \
	logged "attach result=refused id=- serial=- sha256=- signers=- slot=- vlan=- $WHO reason=\"attach: dev IFACE is required\""
check "attach dev nosuch0: logged as error with its error line" \
	logged "attach result=error id=nosuch0 serial=- sha256=- signers=- slot=- vlan=- $WHO reason=\"nosuch0: no such device\""
check "detach with a bad option: logged" \
	logged "detach result=refused id=x serial=- sha256=- signers=- slot=- vlan=- $WHO reason=\"detach: unknown argument '--generic' (see 'autoselctl detach help')\""
check "help is not an attempt: 4 lines for the 4 failures above" test "$(grep -c '^' "$L")" = 4
SUDO_USER='al ice"' "$AUTOSELCTL" install 2>/dev/null
check "install without a bundle: logged, SUDO_USER kept (quote and space made '?')" \
	sh -c "tail -1 '$L' | grep -q ' install result=refused id=- .* uid=$(id -u) sudo_user=al?ice? .*reason=\"install: BUNDLE is required\" h=[0-9a-f]\{64\}\$'"
"$AUTOSELCTL" remove 2>/dev/null
check "remove without an id: logged" sh -c "tail -1 '$L' | grep -q ' remove result=refused id=- .*reason=\"remove: ID is required\" h=[0-9a-f]\{64\}\$'"
check "every line: TIME ACTION, the 12 documented fields and h=" \
	sh -c "! grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [a-z]+ result=(ok|refused|error) id=[^ ]+ serial=[^ ]+ sha256=[^ ]+ signers=[^ ]+ slot=[^ ]+ vlan=[^ ]+ uid=[0-9]+ sudo_user=[^ ]+ loginuid=[^ ]+ host=[^ ]+ reason=\"[^\"]*\" h=[0-9a-f]{64}\$' '$L'"
totals
