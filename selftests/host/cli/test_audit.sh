#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The audit log's hash chain (audit.rst): every line's h= recomputed
# independently (Python's hashlib); audit verify finds each way of
# breaking it at the exact line -- an edited line, a deleted one, two
# swapped, the last line cut, the last lines removed (found through
# LOG.head), a rewritten tail with recomputed hashes (LOG.head again), a
# rotated log cut at its end or given out of order -- and says what it
# cannot see (lines removed from the end of a copy without LOG.head);
# concurrent writers never fork the chain; verify writes nothing; bad
# arguments.
. "$(dirname "$0")/lib.sh"
need_root "the lock is in /run"

TMP=$(mktemp -d)
trap 'chattr -a "$TMP"/audit.log* "$TMP"/new/audit.log 2>/dev/null; rm -rf "$TMP"' EXIT
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
L=$AUTOSEL_AUDIT_LOG
A=$AUTOSELCTL
BROKEN="chain broken: h= is not SHA-256 of the previous h= and this line (this line changed, or one before it removed, inserted or moved)"

tap_plan 22

for i in 1 2 3 4 5 6; do "$A" remove "NOPE-$i" 2>/dev/null; done
last=$(tail -1 "$L" | sed 's/.* h=//')
run "$A" audit verify
check "6 lines, audit verify: OK with the count and the last hash" \
	test "$rc,$out,$err" = "0,OK: 6 lines in 1 file, chain intact, last h=$last,"
# chain FILE: every line's h= as the documentation says, computed here.
chain() {
	python3 - "$1" <<'PY'
import hashlib, re, sys
prev = "0" * 64
for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    m = re.fullmatch(rb"(.*) h=([0-9a-f]{64})", line)
    c = re.search(rb' reason="continues [^ ]* \(prev_h=([0-9a-f]{64})\)"$', m[1])
    if n == 1 and c:
        prev = c[1].decode()
    h = hashlib.sha256(prev.encode() + m[1]).hexdigest()
    assert h == m[2].decode(), (n, h, m[2])
    prev = h
print("ok")
PY
}
check "every h= is SHA-256(previous h= as hex, 64 zeros at first || the line before ' h=')" \
	test "$(chain "$L")" = ok
check "LOG.head records the line count and the last hash" \
	test "$(cat "$L.head")" = "lines=6 h=$last"

# Copies of the log (not the current log: no LOG.head check).
cp "$L" "$TMP/good"
chattr -a "$L" 2>/dev/null
cp "$TMP/good" "$TMP/edit" && sed -i '3s/NOPE-3/NOPE-9/' "$TMP/edit"
expect_fail "a line edited: found at that line" 1 "autoselctl: $TMP/edit:3: $BROKEN" "$A" audit verify "$TMP/edit"
cp "$TMP/good" "$TMP/del" && sed -i '4d' "$TMP/del"
expect_fail "a line deleted: found at its number" 1 "autoselctl: $TMP/del:4: $BROKEN" "$A" audit verify "$TMP/del"
awk 'NR == 2 { s = $0; next } NR == 3 { print; print s; next } { print }' "$TMP/good" >"$TMP/swap"
expect_fail "lines 2 and 3 swapped: found at line 2" 1 "autoselctl: $TMP/swap:2: $BROKEN" "$A" audit verify "$TMP/swap"
cp "$TMP/good" "$TMP/cut" && truncate -s -10 "$TMP/cut"
expect_fail "the last line cut: found at line 6" 1 \
	"autoselctl: $TMP/cut:6: cut short: the last line has no newline" "$A" audit verify "$TMP/cut"
cp "$TMP/good" "$TMP/noh" && sed -i '5s/ h=[0-9a-f]*$//' "$TMP/noh"
expect_fail "a line without h=: found" 1 "autoselctl: $TMP/noh:5: no h= field at the end of the line" \
	"$A" audit verify "$TMP/noh"
head -n 4 "$TMP/good" >"$TMP/short"
run "$A" audit verify "$TMP/short"
check "what cannot be seen: the last lines removed from a copy without LOG.head verify as 4 good lines" \
	test "$rc,$out" = "0,OK: 4 lines in 1 file, chain intact, last h=$(sed -n '4s/.* h=//p' "$TMP/good")"

# The current log, cut or rewritten at its end: LOG.head sees it.
head -n 4 "$TMP/good" >"$L"
expect_fail "the last 2 lines removed from the log: found at line 5 through LOG.head" 1 \
	"autoselctl: $L:5: missing: $L.head records 6 lines, the file ends after line 4 (cut from the end)" "$A" audit verify
: >"$L"
expect_fail "the log emptied: found at line 1" 1 \
	"autoselctl: $L:1: missing: $L.head records 6 lines, the file ends after line 0 (cut from the end)" "$A" audit verify
# The last line rewritten with a hash that fits the chain.
python3 - "$TMP/good" "$L" <<'PY'
import hashlib, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
prev = lines[4].rsplit(b" h=", 1)[1]
body = lines[5].rsplit(b" h=", 1)[0].replace(b"NOPE-6", b"NOPE-7")
lines[5] = body + b" h=" + hashlib.sha256(prev + body).hexdigest().encode()
open(sys.argv[2], "wb").write(b"\n".join(lines) + b"\n")
PY
expect_fail "the last line rewritten with a recomputed h=: found at line 6 through LOG.head" 1 \
	"autoselctl: $L:6: not the line $L.head records (h=${last:0:16}...): the log was rewritten" "$A" audit verify
cp "$TMP/good" "$L"
before=$(sha256sum "$L" "$L.head")
"$A" audit verify "$TMP/edit" 2>/dev/null
check "verify writes nothing, not even when it fails" test "$(sha256sum "$L" "$L.head")" = "$before"

# Rotation keeps the chain across files.
run "$A" audit rotate
old=${out#audit log rotated to }
"$A" remove NOPE-8 2>/dev/null
run "$A" audit verify "$old" "$L"
check "rotate, one more line: old and new verify as one chain (7 + 2 lines)" \
	test "$rc,$out" = "0,OK: 9 lines in 2 files, chain intact, last h=$(tail -1 "$L" | sed 's/.* h=//')"
check "... the new log's first line chains to the old one's last h= (prev_h in its reason)" \
	test "$(chain "$L"),$(head -1 "$L" | grep -o 'prev_h=[0-9a-f]*')" = "ok,prev_h=$(tail -1 "$old" | sed 's/.* h=//')"
chattr -a "$old" 2>/dev/null
head -n -1 "$old" >"$TMP/oldcut"
expect_fail "the rotated log's last line removed: found at the new log's line 1" 1 \
	"autoselctl: $L:1: continues from h=$(tail -1 "$old" | sed 's/.* h=\(.\{16\}\).*/\1/')..., but $TMP/oldcut ends with h=$(tail -1 "$TMP/oldcut" | sed 's/.* h=\(.\{16\}\).*/\1/')... (lines cut from its end?)" \
	"$A" audit verify "$TMP/oldcut" "$L"
expect_fail "files out of order: found" 1 \
	"autoselctl: $old:1: does not continue $L: the first line is not its rotate ... continues line" \
	"$A" audit verify "$L" "$old"

# Writers take an flock on the log's directory: one held elsewhere for
# 2 s holds a writer back that long.
flock "$TMP" sleep 2 &
sleep 0.3
t0=$(date +%s%N)
"$A" remove LOCKED 2>/dev/null
t1=$(date +%s%N)
wait
check "a writer waits for the flock on the log's directory ($(((t1 - t0) / 1000000)) ms)" \
	test $(((t1 - t0) / 1000000)) -ge 1500
# Concurrent writers: 2 x 15 lines at once, one chain.
for w in a b; do ( for i in $(seq 15); do "$A" remove "C-$w-$i" 2>/dev/null; done ) & done
wait
run "$A" audit verify
check "two writers at once, 30 lines: the chain does not fork" \
	test "$rc,${out%%, chain*}" = "0,OK: 33 lines in 1 file"

AUTOSEL_AUDIT_LOG=$TMP/new/audit.log "$A" attach 2>/dev/null   # logs without opening first
check "a log in a directory that does not exist yet: created, its first line chained to 64 zeros" \
	test "$(chain "$TMP/new/audit.log"),$(wc -l <"$TMP/new/audit.log"),$(cat "$TMP/new/audit.log.head" | cut -d' ' -f1)" = "ok,1,lines=1"
expect_fail "verify: a file that does not exist" 1 \
	"autoselctl: $TMP/none: No such file or directory" "$A" audit verify "$TMP/none"
expect_fail "verify: an unknown option" 2 \
	"autoselctl: audit verify: unknown option '--bogus' (see 'autoselctl audit help')" "$A" audit verify --bogus
totals
