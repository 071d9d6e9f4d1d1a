#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tap-summary.sh [--rc FILE]... TAP...
#
# Counts the top-level TAP results of the given files ("ok", "not ok",
# "# SKIP") and prints one line: "N passed, N failed, N skipped".
# A runner that exited non-zero (its exit status in an --rc FILE) without
# reporting a failure itself counts as one failure, so a crash or a build
# error can never look like a pass.  Exit status: 0 only if nothing failed
# and at least one test passed.
set -uo pipefail

rcs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--rc) rcs+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done

pass=0 fail=0 skip=0
for f in "$@"; do
	[ -f "$f" ] || { echo "# tap-summary: missing $f"; fail=$((fail + 1)); continue; }
	read -r p x s < <(awk '
		/^not ok/ { f++; next }
		/^ok/ && /# *[Ss][Kk][Ii][Pp]/ { s++; next }
		/^ok/ { p++ }
		END { printf "%d %d %d\n", p, f, s }' "$f")
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
done

bad_rc=0
for r in "${rcs[@]}"; do
	rc=$(cat "$r" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || bad_rc=$((bad_rc + 1))
done
# A runner that failed but printed no "not ok" still failed.
if [ "$bad_rc" -gt 0 ] && [ "$fail" -eq 0 ]; then
	echo "# tap-summary: $bad_rc runner(s) exited non-zero without a failing test"
	fail=$bad_rc
fi

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
