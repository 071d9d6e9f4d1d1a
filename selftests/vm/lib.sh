# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - shared helpers of the VM tests (dash).  run-vm.sh installs it as
# /lib/autosel/lib.sh; a test sources it with ". /lib/autosel/lib.sh".
#
# TAP: ok RC DESC, check DESC CMD..., bail MSG; $n counts the tests, $fails
# the failures.  Sysfs: c NAME reads /sys/kernel/autosel/NAME; wait_for
# NAME|/PATH VALUE polls it (XDP on veth is asynchronous), bounded to 10 s.
# pns CMD... runs in the namespace "peer".  start_capture DEV FILE,
# wait_capture and stop_capture run tcpdump on DEV (e.g. autosel0) in the
# background.
# load_module: insmod $KO with its BTF (without it the kfuncs do not
# exist), autosel0 up.  make_peer: namespace "peer" (IPv6 autoconf off)
# with "vout", the veth peer of "vin", both up; VIN_MAC set.
# unload: rmmod autosel, retried for up to 6 s (a detached program holds
# the module until its RCU-deferred release).

S=/sys/kernel/autosel
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
check() { desc=$1; shift; "$@" >/dev/null 2>&1; ok $? "$desc"; }
bail() { echo "Bail out! $*"; exit 1; }
c() { cat $S/$1; }
pns() { ip netns exec peer "$@"; }

load_module() {
	insmod "$KO" || bail "insmod"
	[ -e /sys/kernel/btf/autosel ] || bail "no module BTF: kfuncs not registered"
	ip link set autosel0 up || bail "autosel0 up"
}

make_peer() {
	ip netns add peer || bail "netns"
	# A new namespace starts with the kernel's IPv6 defaults: no noise.
	for _k in accept_ra autoconf dad_transmits router_solicitations accept_dad; do
		pns sysctl -qw "net.ipv6.conf.default.$_k=0" 2>/dev/null
		pns sysctl -qw "net.ipv6.conf.all.$_k=0" 2>/dev/null
	done
	ip link add vin type veth peer name vout || bail "veth"
	ip link set vout netns peer
	ip link set vin up
	pns ip link set lo up
	pns ip link set vout up
	VIN_MAC=$(cat /sys/class/net/vin/address)
}

_val() {
	case $1 in
	/*) cat "$1" 2>/dev/null ;;
	*) cat "$S/$1" 2>/dev/null ;;
	esac
}

# wait_for NAME VALUE [TRIES]: poll a counter (a sysfs name or a path)
# every 0.1 s until it reads VALUE, TRIES times at most (default 100: XDP
# on veth runs asynchronously to the sender); says what it read if not.
wait_for() {
	_i=0 _n=${3:-100}
	while [ "$(_val "$1")" != "$2" ] && [ $_i -lt "$_n" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(_val "$1")" = "$2" ] || echo "# $1 = $(_val "$1"), expected $2"
	[ "$(_val "$1")" = "$2" ]
}

# balanced: seen = selected + sum(deleted_<reason>) and deleted = that sum
# (guarantee 3 of SPEC.md), on the module's counters.
balanced() {
	_sum=$(c selected)
	for _r in no_match domestic direction expired malformed non_ip fragment; do
		_sum=$((_sum + $(c deleted_$_r)))
	done
	[ "$(c seen)" = "$_sum" ] && [ "$(c deleted)" = $((_sum - $(c selected))) ]
}

# start_capture DEV FILE: start tcpdump in the background; wait_capture:
# return once its packet socket is bound to DEV, which is what "listening"
# on stderr announces.  Start it early: exec'ing tcpdump in a TCG guest on
# a loaded host has taken tens of seconds, so the setup in between (and up
# to 60 s more) is its time to get there.  On failure wait_capture says
# where tcpdump is, so a slow start is told apart from a dead one, and
# returns non-zero.
start_capture() {
	_cap_err=/tmp/tcpdump-$1.err
	_cap_dev=$1
	tcpdump -i "$1" -n -U -Z root -w "$2" 2>"$_cap_err" &
	TD=$!
}

wait_capture() {
	_i=0
	while ! grep -q listening "$_cap_err" 2>/dev/null && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if grep -q listening "$_cap_err"; then
		echo "# tcpdump listening (waited ~$((_i / 10)).$((_i % 10)) s more)"
		return 0
	fi
	echo "# tcpdump on $_cap_dev not listening after ~$((_i / 10)) s more:"
	sed 's/^/#   stderr: /' "$_cap_err"
	if [ -e /proc/$TD/status ]; then
		grep -E '^(Name|State|VmRSS)' /proc/$TD/status | sed 's/^/#   /'
		echo "#   wchan: $(cat /proc/$TD/wchan 2>/dev/null)"
		sed 's/^/#   stack: /' /proc/$TD/stack 2>/dev/null
	else
		wait $TD
		echo "#   tcpdump exited with $?"
	fi
	return 1
}

# stop_capture: let tcpdump write what it got, stop it, print its totals.
stop_capture() {
	sleep 0.5
	kill -INT $TD 2>/dev/null
	wait $TD
	echo "# tcpdump: $(grep -E 'captured|dropped' "$_cap_err" | tr '\n' ' ')"
}

unload() {
	_i=0
	while ! rmmod autosel 2>/dev/null && [ $_i -lt 30 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	! grep -q '^autosel ' /proc/modules
}
