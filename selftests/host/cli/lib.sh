# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the autoselctl command-line tests (sourced).

# Errors are compared verbatim: English, whatever the machine's locale.
export LC_ALL=C.UTF-8
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
AUTOSELCTL=${AUTOSELCTL:-$TOP/build/autoselctl}
HERE=$(cd "$(dirname "$0")" && pwd)
_n=0 _pass=0 _fail=0 _skip=0

tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

ok() {
	_n=$((_n + 1)) _pass=$((_pass + 1))
	echo "ok $_n - $1"
}

not_ok() {
	_n=$((_n + 1)) _fail=$((_fail + 1))
	echo "not ok $_n - $1"
	shift
	for l in "$@"; do echo "# $l"; done
}

skip() {
	_n=$((_n + 1)) _skip=$((_skip + 1))
	echo "ok $_n - $1 # SKIP $2"
}

# check NAME CMD...: ok if CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# run CMD...: sets $rc, $out, $err.
run() {
	local e o
	e=$(mktemp) o=$(mktemp)
	"$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$e" "$o"
}

# expect_fail NAME RC 'EXACT STDERR' CMD...: exit code and one-line error.
expect_fail() {
	local name=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	if [ "$rc" = "$want_rc" ] && [ "$err" = "$want_err" ] && [ -z "$out" ]; then
		ok "$name"
	else
		not_ok "$name" "want rc=$want_rc err='$want_err'" \
			"got rc=$rc err='$err' out='$(echo "$out" | head -c 200)'"
	fi
}

totals() {
	echo "# Totals: pass:$_pass fail:$_fail xfail:0 xpass:0 skip:$_skip error:0"
	[ "$_fail" = 0 ]
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		tap_plan 1
		skip "$1" "needs root"
		totals
		exit 0
	fi
}

# setup_rig: build xdp_pass.o (the peer ports' program) into $TMP and run
# the caller's setup(); a failure is one "not ok" with the first errors,
# then the test ends.
setup_rig() {
	clang -O2 -target bpf -I/usr/include/"$(gcc -dumpmachine)" \
		-c "$HERE/xdp_pass.c" -o "$TMP/xdp_pass.o" 2>"$TMP/clang.err"
	if ! setup 2>"$TMP/setup.err"; then
		not_ok "set up namespaces and veth pairs" "$(head -3 "$TMP/setup.err" "$TMP/clang.err")"
		totals
		exit 1
	fi
	ok "set up namespaces and veth pairs"
}
