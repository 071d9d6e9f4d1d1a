#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sysfs_control.sh - VM test: /sys/kernel/autosel counters and the control
# attribute.  Counters exist, read 0 after load and refuse writes (even from
# root); control refuses garbage with an error and changes nothing; approvals
# and the generation change exactly as commanded and every change is logged.
# Needs astest (selftests/vm/progs) in PATH.  TAP on stdout.

. /lib/autosel/lib.sh
KO=${AUTOSEL_KO:-/lib/autosel/autosel.ko}
C=$S/control

# listing: every readable file under $S with its value (control excluded).
listing() {
	find $S -type f ! -name control | sort | while read -r f; do
		printf '%s=%s\n' "$f" "$(cat "$f")"
	done
}

# ctl EXPECT CMD: one write of CMD; EXPECT is "ok" or an errno name.
ctl() {
	got=$(astest write $C "$2")
	[ "$got" = "$1" ] && return 0
	echo "# '$2': expected $1, got $got"
	return 1
}

COUNTERS="seen seen_bytes selected selected_bytes kept_bytes
discarded_payload_bytes deleted deleted_bytes deleted_no_match
deleted_domestic deleted_direction deleted_expired deleted_malformed
deleted_non_ip deleted_fragment records record_bytes enforced
records_dropped stack_dropped invalid_calls"

SHA=0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef
SHA_LC=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
NOW=$(date +%s)
PAST=$((NOW - 86400))
FUTURE=$((NOW + 86400))

echo "TAP version 13"
echo "1..25"

dmesg -c >/dev/null 2>&1
check "insmod" insmod "$KO"

bad=0
for c in $COUNTERS generation; do
	v=$(cat $S/$c 2>/dev/null) || { echo "# $c unreadable"; bad=1; continue; }
	[ "$v" = 0 ] || { echo "# $c = '$v' after load"; bad=1; }
done
ok $bad "all counters and generation exist and read 0 after load"

bad=0
for c in $COUNTERS generation; do
	m=$(stat -c %a $S/$c)
	[ "$m" = 444 ] || { echo "# $c mode $m"; bad=1; }
done
[ "$(stat -c %a $C)" = 200 ] || { echo "# control mode $(stat -c %a $C)"; bad=1; }
ok $bad "counters are 0444, control is 0200"

bad=0
for c in $COUNTERS generation; do
	got=$(astest write $S/$c 5)
	[ "$got" != ok ] || { echo "# write to $c succeeded"; bad=1; }
	[ "$(cat $S/$c)" = 0 ] || { echo "# $c changed"; bad=1; }
done
echo "# write to seen as root: $(astest write $S/seen 5)"
ok $bad "writing to any counter fails, even as root, and changes nothing"

! cat $C >/dev/null 2>&1
ok $? "control cannot be read"

before=$(listing)
bad=0
G="ab-1 ff $PAST $FUTURE 1 $SHA"
while IFS= read -r cmd; do
	ctl EINVAL "$cmd" || bad=1
done <<EOF
bogus
approval
approval 0 ab-1 ff $PAST $FUTURE 1
approval 0 ab-1 ff $PAST $FUTURE 1 $SHA extra
approval  0 $G
approval 0 $G 
approval 64 $G
approval 4294967296 $G
approval -1 $G
approval +1 $G
approval 0x1 $G
approval 0 a/b ff $PAST $FUTURE 1 $SHA
approval 0 .hidden ff $PAST $FUTURE 1 $SHA
approval 0 .. ff $PAST $FUTURE 1 $SHA
approval 0 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ff $PAST $FUTURE 1 $SHA
approval 0 ab-1 dd $PAST $FUTURE 1 $SHA
approval 0 ab-1 FF $PAST $FUTURE 1 $SHA
approval 0 ab-1 xx $PAST $FUTURE 1 $SHA
approval 0 ab-1 ff $FUTURE $PAST 1 $SHA
approval 0 ab-1 ff $PAST $PAST 1 $SHA
approval 0 ab-1 ff now $FUTURE 1 $SHA
approval 0 ab-1 ff $PAST $FUTURE 18446744073709551616 $SHA
approval 0 ab-1 ff $PAST $FUTURE 1 0123
approval 0 ab-1 ff $PAST $FUTURE 1 ${SHA}0
approval 0 ab-1 ff $PAST $FUTURE 1 g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
remove
remove ab-1 ab-2
remove a/b
generation
generation -1
generation 4294967296
generation 1 2
generation 0x10
Generation 1
EOF
tab=$(printf 'generation\t1')
ctl EINVAL "$tab" || bad=1
nl2=$(printf 'generation 1\ngeneration 2')
ctl EINVAL "$nl2" || bad=1
ctl EINVAL "
" || bad=1
long=$(printf '%0300d' 0)
ctl EINVAL "generation $long" || bad=1
ctl ENOENT "remove nosuch" || bad=1
ok $bad "control refuses garbage with EINVAL (ENOENT for an unknown id)"
[ "$(listing)" = "$before" ]
ok $? "a refused command changes nothing (full listing identical)"
[ ! -e $S/approvals/ab-1 ] && [ -z "$(ls $S/approvals)" ]
ok $? "no approval directory appeared"

ctl ok "approval 3 ab-1 ff $PAST $FUTURE 7 $SHA"
ok $? "approval install accepted"
A=$S/approvals/ab-1
got="$(cat $A/slot) $(cat $A/type) $(cat $A/valid_from) $(cat $A/valid_until) $(cat $A/serial) $(cat $A/sha256) $(cat $A/state) $(cat $A/selected_packets) $(cat $A/selected_flows)"
exp="3 ff $PAST $FUTURE 7 $SHA_LC active 0 0"
r=0; [ "$got" = "$exp" ] || { echo "# got '$got' expected '$exp'"; r=1; }
ok $r "approvals/ab-1 shows slot, type, window, serial, sha256, state, counts"

bad=0
for f in $A/*; do
	[ "$(stat -c %a "$f")" = 444 ] || { echo "# $f mode"; bad=1; }
	[ "$(astest write "$f" 1)" != ok ] || { echo "# $f writable"; bad=1; }
done
ok $bad "approval attributes are read-only"

before=$(listing)
ctl EBUSY "approval 3 other ff $PAST $FUTURE 1 $SHA" &&
ctl EINVAL "approval 4 ab-1 ff $PAST $FUTURE 8 $SHA" &&
ctl EINVAL "approval 3 ab-1 ff $PAST $FUTURE 7 $SHA" &&
ctl EINVAL "approval 3 ab-1 ff $PAST $FUTURE 6 $SHA"
ok $? "refused: slot of another id (EBUSY), moved slot, serial not increasing"
[ "$(listing)" = "$before" ]
ok $? "those refusals changed nothing"

ctl ok "approval 3 ab-1 fd $PAST $((FUTURE + 100)) 8 $SHA_LC" &&
	[ "$(cat $A/serial) $(cat $A/valid_until) $(cat $A/type)" = "8 $((FUTURE + 100)) fd" ]
ok $? "extension: same id and slot, higher serial, later end"

ctl ok "approval 0 old.1 df $((PAST - 10)) $PAST 1 $SHA" &&
ctl ok "approval 63 new_1 ff $FUTURE $((FUTURE + 10)) 1 $SHA" &&
	[ "$(cat $S/approvals/old.1/state) $(cat $S/approvals/new_1/state)" = "expired pending" ]
ok $? "state: expired after the window, pending before it; slots 0 and 63"

ctl ok "remove old.1" && [ ! -e $S/approvals/old.1 ] && [ -d $A ]
ok $? "remove deletes exactly that directory"
ctl ENOENT "remove old.1"
ok $? "removing it again: ENOENT"
ctl ok "approval 0 reuse ff $PAST $FUTURE 1 $SHA" && [ "$(cat $S/approvals/reuse/slot)" = 0 ]
ok $? "a freed slot can be bound again"

ctl ok "generation 5" && [ "$(cat $S/generation)" = 5 ]
ok $? "generation 5"
ctl EINVAL "generation 4" && [ "$(cat $S/generation)" = 5 ]
ok $? "generation cannot go backwards"
ctl ok "generation 5" && ctl ok "generation 4294967295" &&
	[ "$(cat $S/generation)" = 4294967295 ]
ok $? "same generation is a no-op; u32 max accepted"

got=$(ASTEST_UID=65534 astest write $C "generation 4294967295")
[ "$got" = EACCES ] || [ "$got" = EPERM ]
ok $? "a non-root user cannot use control ($got)"

log=$(dmesg)
echo "$log" | grep -q 'autosel: loaded' &&
echo "$log" | grep -q 'autosel: approval ab-1 installed: slot 3 type ff' &&
echo "$log" | grep -q 'autosel: approval ab-1 updated: slot 3 type fd' &&
echo "$log" | grep -q 'autosel: approval old.1 removed' &&
echo "$log" | grep -q 'autosel: generation 5 (was 0)' &&
echo "$log" | grep -q 'autosel: control command refused'
ok $? "load, every change and refusals are in the kernel log"
echo "$log" | grep autosel | sed 's/^/# dmesg: /' | head -n 12

listing | sed "s|^$S/||; s/^/# /"
check "rmmod with approvals installed" rmmod autosel
dmesg | grep -q 'autosel: unloading: seen 0 selected 0 deleted 0'
ok $? "unload is logged with the final counts"

[ "$fails" = 0 ]
