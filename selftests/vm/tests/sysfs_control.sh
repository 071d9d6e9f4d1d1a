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
deleted_non_ip deleted_fragment names_ech names_hello_split
names_hello_incomplete records record_bytes enforced
records_dropped stack_dropped invalid_calls"

SHA=0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef
SHA_LC=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
NOW=$(date +%s)
PAST=$((NOW - 86400))
FUTURE=$((NOW + 86400))

echo "TAP version 13"
echo "1..31"

dmesg -c >/dev/null 2>&1
T0=$(date +%s)
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

# The counters' epoch and the build, read-only like the counters.
lt=$(cat $S/load_time) lid=$(cat $S/load_id)
echo "# load_time $lt load_id $lid version $(cat $S/version) build $(cat $S/build)"
bad=0
for a in load_time load_id version build; do
	[ "$(stat -c %a $S/$a)" = 444 ] || { echo "# $a mode $(stat -c %a $S/$a)"; bad=1; }
	[ "$(astest write $S/$a 5)" != ok ] || { echo "# write to $a succeeded"; bad=1; }
done
[ $((lt / 1000000000)) -ge "$T0" ] && [ $((lt / 1000000000)) -le "$(date +%s)" ] ||
	{ echo "# load_time $lt not within the insmod"; bad=1; }
echo "$lid" | grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' ||
	{ echo "# load_id '$lid' is not a random UUID"; bad=1; }
grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' $S/version || { echo "# version '$(cat $S/version)'"; bad=1; }
[ -n "$(cat $S/build)" ] || { echo "# empty build"; bad=1; }
ok $bad "load_time (realtime ns of the load), load_id (a random UUID), version and build: 0444, unwritable"

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

# What autoselctl report says its counts cover (the counters' epoch).
out=$(AUTOSEL_STATE_DIR=/tmp/no-state autoselctl report --json 2>&1)
echo "$out" | grep -q "\"since_ns\":$lt,.*\"since_event\":\"module load\",\"load_id\":\"$lid\""
ok $? "report: counts since the module's load (its load_time and load_id)"
F=$(date -u -d "@$((lt / 1000000000 - 3600))" +%Y-%m-%dT%H:%M:%SZ)
AUTOSEL_STATE_DIR=/tmp/no-state autoselctl report --from "$F" 2>&1 |
	grep -q "^autoselctl: report: the counters cover .* (since autosel.ko was loaded, load id $lid), not from $F: "
ok $? "report --from another time than the load is refused"
L=$(date -u -d "@$((lt / 1000000000))" +%Y-%m-%dT%H:%M:%SZ)
AUTOSEL_STATE_DIR=/tmp/no-state autoselctl report --from "$L" | grep -q "^counts cover .*: since autosel.ko [^ ]* was loaded (load id $lid, boot "
ok $? "report --from the load time: what the counters answer"

listing | sed "s|^$S/||; s/^/# /"
check "rmmod with approvals installed" rmmod autosel
dmesg | grep -q 'autosel: unloading: seen 0 selected 0 deleted 0'
ok $? "unload is logged with the final counts"

# A reload is a new epoch, never the old one silently reset.
check "insmod again" insmod "$KO"
[ "$(cat $S/load_id)" != "$lid" ] && [ "$(cat $S/load_time)" -ge "$lt" ]
ok $? "a reload has a new load_id and a later load_time"
rmmod autosel

[ "$fails" = 0 ]
