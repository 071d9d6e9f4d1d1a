#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The state file is read as strictly as a bundle: each field of each line
# is damaged in turn, and every command that reads the state stops with
# "autoselctl: PATH:LINE: corrupt state file: ..." (exit 1), changes
# nothing, and never relaxes a guard (a withdrawn serial stays refused).
. "$(dirname "$0")/lib.sh"
need_root "state file (the lock is in /run)"

TMP=$(mktemp -d)
export AUTOSEL_PIN_DIR=$TMP/nopins
export AUTOSEL_STATE_DIR=$TMP/state
export AUTOSEL_AUDIT_LOG=$TMP/log/audit.log
export AUTOSEL_TRUST=$TMP/trust
trap 'chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null; rm -rf "$TMP"' EXIT
A=$AUTOSELCTL
S=$AUTOSEL_STATE_DIR/state

tap_plan 58

cd "$TMP" || exit 1
for m in m1 m2; do "$A" bundle keygen --out "$TMP/$m" --name "$m" >/dev/null || exit 1; done
{ echo "autosel-trust 1"; echo "quorum 2"; cat m1.pub m2.pub; } >trust
NOW=$(date +%s)
t() { date -u -d "@$(($NOW + $1))" +%Y-%m-%dT%H:%M:%SZ; }
mk() { # FILE ID TYPE SERIAL < indicators
	if [ "$3" = dom ]; then
		"$A" bundle create --kind domestic-map --id "$2" --serial "$4" --out "$1"
	else
		"$A" bundle create --kind approval --id "$2" --type "$3" --from "$(t -60)" \
			--until "$(t 86400)" --serial "$4" --out "$1"
	fi >/dev/null && "$A" bundle sign --key m1.key "$1" >/dev/null &&
		"$A" bundle sign --key m2.key "$1" >/dev/null
}
echo 'ip 192.0.2.0/24' | mk dom.b JP-DOM dom 1
echo 'ip 198.51.100.0/24' | mk a1.b A-1 fd 1
echo 'ip 203.0.113.0/24' | mk b3.b B-1 ff 3
echo 'ip 203.0.113.0/24' | mk b2.b B-1 ff 2
for b in dom.b a1.b b3.b; do "$A" install $b >/dev/null || exit 1; done
"$A" remove B-1 >/dev/null || exit 1
check "the state file ends with its seal" \
	test "$(tail -1 "$S")" = "end $(head -n -1 "$S" | sha256sum | cut -d' ' -f1)"
check "the state directory and bundles/ are 0700, the files 0600" \
	test "$(stat -c %a "$AUTOSEL_STATE_DIR" "$AUTOSEL_STATE_DIR/bundles" | tr '\n' ' ')$(find "$AUTOSEL_STATE_DIR" -type f ! -perm 0600 | wc -l)" = "700 700 0"
cp "$S" "$TMP/good"
check "status reads a good state" sh -c '"$1" status >/dev/null' _ "$A"
expect_fail "B-1 serial 2 after serial 3 was withdrawn: rollback" 1 \
	"autoselctl: b2.b: serial 2 of B-1 is not above the installed serial 3 (rollback)" "$A" install b2.b

# Lines: 1 magic, 2 generation, 3 domestic, 4 slot 0 (A-1), 5..7 serial, 8 end.
lineof() { grep -n "$1" "$TMP/good" | cut -d: -f1; }
L_DOM=$(lineof '^domestic ') L_SLOT=$(lineof '^slot 0 ') L_B=$(lineof '^serial B-1 ')
L_END=$(lineof '^end ')
check "layout as expected" test "$L_DOM,$L_SLOT,$L_B,$L_END" = "3,4,7,8"

# bad NAME LINE 'MESSAGE' SED: the damaged state stops status, and is left as it is.
bad() {
	local name=$1 line=$2 msg=$3 before
	cp "$TMP/good" "$S"
	sed -i "$4" "$S"
	before=$(sha256sum <"$S")
	expect_fail "$name" 1 "autoselctl: $S:$line: corrupt state file: $msg" "$A" status
	[ "$(sha256sum <"$S")" = "$before" ] || not_ok "$name: the file was changed"
}
f() { awk -v n="$1" -v l="$2" 'NR == l { print $n }' "$TMP/good"; }
# set field N of line L to V
fld() { echo "${2}s/^\\(\\([^ ]* \\)\\{$(($1 - 1))\\}\\)[^ ]*/\\1$3/"; }

bad "magic" 1 "the first line is not 'autosel-state 2'" '1s/2$/3/'
bad "generation with a letter" 2 "bad generation 'x4' (0 to 4294967295, no leading zeros)" "$(fld 2 2 x4)"
bad "generation with a leading zero" 2 "bad generation '04' (0 to 4294967295, no leading zeros)" "$(fld 2 2 04)"
bad "generation too big" 2 "bad generation '4294967296' (0 to 4294967295, no leading zeros)" "$(fld 2 2 4294967296)"
bad "generation twice" 3 "'generation' out of order or repeated" '2p'
bad "domestic id" 3 "bad id 'JP/DOM'" "$(fld 2 3 JP\\/DOM)"
bad "domestic serial 0" 3 "bad serial '0' (1 to 9223372036854775807, no leading zeros)" "$(fld 3 3 0)"
bad "domestic sha256 upper case" 3 "bad sha256 '$(f 4 3 | tr a-f A-F)'" "$(fld 4 3 "$(f 4 3 | tr a-f A-F)")"
bad "domestic signers" 3 "bad signers 'xyz'" "$(fld 5 3 xyz)"
bad "slot number 64" 4 "bad slot '64' (0 to 63, no leading zeros)" "$(fld 2 4 64)"
bad "slot number 00" 4 "bad slot '00' (0 to 63, no leading zeros)" "$(fld 2 4 00)"
bad "slot id" 4 "bad id '-A'" "$(fld 3 4 -A)"
bad "slot serial 1x" 4 "bad serial '1x' (1 to 9223372036854775807, no leading zeros)" "$(fld 4 4 1x)"
bad "slot uid 0" 4 "bad uid '0' (1 to 4294967295, no leading zeros)" "$(fld 5 4 0)"
bad "slot uid +1" 4 "bad uid '+1' (1 to 4294967295, no leading zeros)" "$(fld 5 4 +1)"
bad "slot type 3" 4 "bad type '3' (0 to 2, no leading zeros)" "$(fld 6 4 3)"
bad "slot valid-from -1" 4 "bad valid-from '-1' (0 to 18446744073709551615, no leading zeros)" "$(fld 7 4 -1)"
bad "slot valid-until 2^64" 4 "bad valid-until '18446744073709551616' (0 to 18446744073709551615, no leading zeros)" \
	"$(fld 8 4 18446744073709551616)"
bad "slot window reversed" 4 "valid-from is not before valid-until" "$(fld 8 4 "$(f 7 4)")"
bad "slot sha256 short" 4 "bad sha256 'abc'" "$(fld 9 4 abc)"
bad "slot signers with a trailing comma" 4 "bad signers '$(f 10 4),'" "$(fld 10 4 "$(f 10 4),")"
bad "slot line short of a field" 4 "unexpected line 'slot'" '4s/ [^ ]*$//'
bad "slot twice" 5 "slot 0 out of order or repeated" '4p'
bad "slot before the domestic map" 4 "'domestic' out of order or repeated" '3{h;d};4G'
bad "the brief's case: serial x1 of the withdrawn B-1" $L_B "bad serial 'x1' (1 to 9223372036854775807, no leading zeros)" "$(fld 3 $L_B x1)"
bad "serial state" $L_B "bad state 'gone' (installed, removed or expired)" "$(fld 4 $L_B gone)"
bad "serial repeated" $((L_B + 1)) "serial of B-1 repeated" "${L_B}p"
bad "in force, serial line says removed" 6 "A-1 serial 1 is in force, this line says 1 removed" '6s/installed$/removed/'
bad "installed but not in force" $L_B "B-1 is 'installed' but not in force" "$(fld 4 $L_B installed)"
bad "a double space" 2 "empty field" '2s/ /  /'
bad "a trailing space" 2 "empty field" '2s/$/ /'
bad "an empty line" 3 "empty field" '2s/$/\n/'
bad "an unknown line" 3 "unexpected line 'comment'" '2s/$/\ncomment here/'
bad "the serial line of A-1 lost, the seal recomputed" $((L_END - 1)) "A-1 is in force but has no serial line" \
	"/^serial A-1 /d; \$c end $(grep -v '^serial A-1 \|^end ' "$TMP/good" | sha256sum | cut -d' ' -f1)"
# What parses but is not what was written: only the seal can tell.
sealed=$(head -n -1 "$TMP/good" | sed "$(fld 3 $L_B 2)" | sha256sum | cut -d' ' -f1)
bad "the withdrawn serial 3 lowered to 2 (the seal)" $L_END \
	"the SHA-256 of the lines before is $sealed (damaged or edited)" "$(fld 3 $L_B 2)"
bad "the end line lost (truncated at a line)" $((L_END - 1)) "the last line is not 'end SHA256' (truncated?)" '$d'
bad "the end line cut short" $L_END "the last line is not 'end SHA256' (truncated?)" '$s/.$//'
cp "$TMP/good" "$S"; truncate -s -1 "$S"
expect_fail "no newline at the end" 1 "autoselctl: $S:$L_END: corrupt state file: no newline at the end (truncated?)" "$A" status
cp "$TMP/good" "$S"; printf 'x\0y\n' >>"$S"
expect_fail "a NUL byte" 1 "autoselctl: $S:9: corrupt state file: NUL byte" "$A" status

# Every command that reads the state stops, and nothing changes but the
# audit line saying why.
cp "$TMP/good" "$S"
sed -i "$(fld 3 $L_B x1)" "$S"
E="autoselctl: $S:$L_B: corrupt state file: bad serial 'x1' (1 to 9223372036854775807, no leading zeros)"
before=$(sha256sum "$S"; ls -R "$AUTOSEL_STATE_DIR")
lines=$(wc -l <"$AUTOSEL_AUDIT_LOG")
expect_fail "install stops (the withdrawn serial is not reinstalled)" 1 "$E" "$A" install b2.b
expect_fail "remove stops" 1 "$E" "$A" remove A-1
expect_fail "expire stops" 1 "$E" "$A" expire
expect_fail "report stops" 1 "$E" "$A" report
expect_fail "attach stops" 1 "$E" "$A" attach dev lo
expect_fail "replay --state stops" 1 "$E" "$A" replay --state "$AUTOSEL_STATE_DIR" --pcap /dev/null
check "the state directory is unchanged" test "$(sha256sum "$S"; ls -R "$AUTOSEL_STATE_DIR")" = "$before"
check "install, remove, expire and attach logged their error" \
	test "$(tail -n +$((lines + 1)) "$AUTOSEL_AUDIT_LOG" | grep "result=error .*corrupt state file" | cut -d' ' -f2 | tr '\n' ' ')" = \
	"install remove expire attach "

# Rotation: the old log's last line and the new log's first name each
# other with their SHA-256; later lines go to the new log.
cp "$TMP/good" "$S"
L=$AUTOSEL_AUDIT_LOG
run "$A" audit rotate
old=${out#audit log rotated to }
check "audit rotate: the old log's last line has the SHA-256 of the lines before it" \
	test "$rc,$(tail -1 "$old" | cut -d' ' -f2,3,4,6)" = \
	"0,rotate result=ok id=$(basename "$old") sha256=$(head -n -1 "$old" | sha256sum | cut -d' ' -f1)"
check "... the new log's first line the SHA-256 of all of the old one" \
	test "$(wc -l <"$L"),$(head -1 "$L" | cut -d' ' -f2,3,4,6)" = \
	"1,rotate result=ok id=$(basename "$old") sha256=$(sha256sum <"$old" | cut -d' ' -f1)"
"$A" remove NOPE 2>/dev/null
check "... the next line goes to the new log, the old one is append-only again" \
	sh -c "[ \$(wc -l <'$L') = 2 ] && { lsattr '$old' 2>/dev/null | grep -q '^[^ ]*a' || ! lsattr '$old' >/dev/null 2>&1; }"
chattr -a "$old" 2>/dev/null

# Format 1 (no seal) is still read; the next change writes format 2.
{ echo "autosel-state 1"; sed '1d; $d' "$TMP/good"; } >"$S"
run "$A" status --json
check "a format-1 state file is read" test "$rc,$err" = "0,"
echo 'ip 198.51.100.0/24' | mk a2.b A-1 fd 2
"$A" install a2.b >/dev/null
check "... and the next change writes format 2 with its seal" \
	test "$(head -1 "$S"),$(tail -1 "$S")" = "autosel-state 2,end $(head -n -1 "$S" | sha256sum | cut -d' ' -f1)"
{ echo "autosel-state 1"; sed '1d; $d; s/^serial B-1 3 /serial B-1 x3 /' "$TMP/good"; } >"$S"
expect_fail "a format-1 file is parsed as strictly" 1 \
	"autoselctl: $S:$L_B: corrupt state file: bad serial 'x3' (1 to 9223372036854775807, no leading zeros)" "$A" status
totals
