#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad rules files: each is refused with an exact one-line error naming the
# line, exit 1, and nothing changes: `rules check` and, in a namespace of
# our own, `attach` (nothing attached, nothing pinned).
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d)
F=$TMP/bad.rules
NS=asel-rules-$$
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-rules-$$
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
cleanup() {
	ip netns del "$NS" 2>/dev/null
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	rm -rf "$TMP" "$AUTOSEL_PIN_DIR"
}
trap cleanup EXIT

A='approval A-1 type fd from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z'
B='approval B-1 type ff from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z'

# name | file content (printf %b) | message after "autoselctl: $F:"
CASES=(
"prefix length out of range|domestic 192.0.2.0/33|1: bad prefix length in '192.0.2.0/33'"
"bad IPv4 address|domestic 300.1.1.1/8|1: bad address in '300.1.1.1/8'"
"bad IPv6 address|$A\nip 2001:db8::g/64|2: bad address in '2001:db8::g/64'"
"host bits set|# c\ndomestic 192.0.2.1/24|2: host bits set in '192.0.2.1/24'"
"host bits set (IPv6)|$A\nip 2001:db8::1/64|2: host bits set in '2001:db8::1/64'"
"duplicate approval id|$A\nip 198.51.100.0/24\n$A\nip 203.0.113.0/24|3: duplicate approval id A-1 (first at line 1)"
"valid-from not before valid-until|approval X type fd from 2026-01-01T00:00:00Z until 2026-01-01T00:00:00Z|1: approval X: valid-from is not before valid-until"
"indicator inside the domestic map|domestic 192.0.2.0/24\n$A\nip 192.0.2.128/25|3: indicator 192.0.2.128/25 overlaps the domestic prefix 192.0.2.0/24 (line 1)"
"indicator containing a domestic prefix|domestic 192.0.2.0/24\n$A\nip 198.51.100.0/24\nip 0.0.0.0/0|4: indicator 0.0.0.0/0 overlaps the domestic prefix 192.0.2.0/24 (line 1)"
"IPv6 indicator inside the domestic map|domestic 2001:db8:d::/48\n$A\nip 2001:db8:d:1::/64|3: indicator 2001:db8:d:1::/64 overlaps the domestic prefix 2001:db8:d::/48 (line 1)"
"unknown keyword|$A\nipp 198.51.100.0/24|2: unknown keyword 'ipp'"
"empty approval (followed by another)|$A\n$B\nip 198.51.100.0/24|1: approval A-1 has no indicators"
"empty approval (at the end)|$A\nip 198.51.100.0/24\n$B|3: approval B-1 has no indicators"
"bad domain name|$A\ndomain c2..example|2: bad domain name 'c2..example'"
"domain with a stray word|$A\ndomain c2.example x|2: expected 'domain NAME'"
"indicator outside an approval|ip 198.51.100.0/24|1: indicator outside an approval block"
"time without a zone|approval X type fd from 2026-01-01T00:00:00 until 2027-01-01T00:00:00Z|1: bad time '2026-01-01T00:00:00' (RFC 3339 with a zone, e.g. 2026-04-01T00:00:00Z)"
"measure type dd|approval X type dd from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z|1: bad measure type 'dd' (ff, fd or df)"
"approval line malformed|approval X type fd|1: expected 'approval ID type ff|fd|df from TIME until TIME'"
"duplicate indicator in one approval|$A\nip 198.51.100.0/24\nip 198.51.100.0/24|3: duplicate indicator 198.51.100.0/24 (first at line 2)"
"duplicate domestic prefix|domestic 192.0.2.0/24\ndomestic 192.0.2.0/24|2: duplicate domestic prefix 192.0.2.0/24 (first at line 1)"
"the first repeat of several|$A\nip 2001:db8::/32\nip 198.51.100.7\nip 2001:db8::/32\nip 198.51.100.7/32\nip 2001:db8::/32|4: duplicate indicator 2001:db8::/32 (first at line 2)"
"same address, other length, other family|$A\nip 198.51.100.0/24\nip 198.51.100.0/25\nip ::c633:6400/120\nip 198.51.100.0/24|5: duplicate indicator 198.51.100.0/24 (first at line 2)"
)

tap_plan $((${#CASES[@]} + 6))

for c in "${CASES[@]}"; do
	name=${c%%|*} rest=${c#*|}
	content=${rest%|*} msg=${rest##*|}
	# The "approval line malformed" message itself contains '|'.
	case $name in approval\ line*) content='approval X type fd'
		msg="1: expected 'approval ID type ff|fd|df from TIME until TIME'";; esac
	printf '%b\n' "$content" > "$F"
	expect_fail "$name" 1 "autoselctl: $F:$msg" "$AUTOSELCTL" rules check "$F"
done

# 65 approvals: one more than there are slots.
: > "$F"
for i in $(seq 65); do
	echo "approval X-$i type fd from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z" >> "$F"
	echo "ip 198.51.100.$i/32" >> "$F"
done
expect_fail "more than 64 approvals" 1 "autoselctl: $F:129: more than 64 approvals" \
	"$AUTOSELCTL" rules check "$F"
expect_fail "missing file" 1 "autoselctl: $TMP/none: No such file or directory" \
	"$AUTOSELCTL" rules check "$TMP/none"
printf 'domestic 192.0.2.0/24\0\n' > "$F"
expect_fail "NUL byte" 1 "autoselctl: $F: NUL byte in a text file" "$AUTOSELCTL" rules check "$F"

run "$AUTOSELCTL" rules check "$HERE/rules-good.txt"
check "the good file passes" test "$rc" = 0

if [ "$(id -u)" != 0 ] || ! ip netns add "$NS" 2>/dev/null ||
   ! ip -n "$NS" link add r0 type veth peer name r1; then
	skip "attach with a bad rules file changes nothing" "needs root and netns"
	skip "attach with a bad rules file: same error" "needs root and netns"
else
	ip -n "$NS" link set r0 up; ip -n "$NS" link set r1 up
	printf 'domestic 192.0.2.0/24\n%s\nip 192.0.2.0/25\n' "$A" > "$F"
	expect_fail "attach with a bad rules file: same error" 1 \
		"autoselctl: $F:3: indicator 192.0.2.0/25 overlaps the domestic prefix 192.0.2.0/24 (line 1)" \
		nsenter --net=/run/netns/"$NS" "$AUTOSELCTL" attach dev r0 --collect r1 --rules "$F"
	check "attach with a bad rules file changes nothing" \
		sh -c "[ ! -e $AUTOSEL_PIN_DIR ] && ! ip -n $NS -d link show r0 | grep -q 'prog/xdp'"
fi
totals
