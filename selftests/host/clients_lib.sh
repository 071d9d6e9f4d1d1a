# SPDX-License-Identifier: GPL-2.0
#
# clients_lib.sh - sourced by the real-client capture scripts
# (names_clients.sh, names_split_clients.sh): two network namespaces on a
# veth pair, a capture on the client's side, and their removal on exit.
#
#   clients_need NAME TOOL...   exit 4 (the caller skips) if a tool is missing
#   clients_pair PREFIX         namespaces $C (client, veth vc$$) and $S
#                               (server, vs$$), links and lo up; $TMP
#   clients_capture OUT FILTER  tcpdump on vc$$ into OUT
#   clients_listening PATTERN.. wait (at most 10 s) until ss in $S shows all
#   clients_done OUT            stop the capture; fail if OUT is empty

clients_need() {
	local name=$1 t

	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$name: no $t"; exit 4; }
	done
}

clients_cleanup() {
	[ -n "${TD:-}" ] && kill "$TD" 2>/dev/null
	ip netns pids "$S" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$C" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	rm -rf "$TMP"
}

clients_pair() {
	C=$1-c$$ S=$1-s$$ TMP=$(mktemp -d) TD=
	trap clients_cleanup EXIT
	ip netns add "$C" && ip netns add "$S" || exit 1
	ip link add vc$$ netns "$C" type veth peer name vs$$ netns "$S" || exit 1
	ip -n "$C" link set vc$$ up && ip -n "$C" link set lo up &&
	ip -n "$S" link set vs$$ up && ip -n "$S" link set lo up || exit 1
}

clients_capture() {
	ip netns exec "$C" tcpdump -i vc$$ -w "$1" -U -s 0 -n "$2" \
		>/dev/null 2>&1 &
	TD=$!
}

clients_listening() {
	local i=0 l p missing

	while [ $i -lt 100 ]; do
		l=$(ip netns exec "$S" ss -lntu 2>/dev/null) missing=
		for p in "$@"; do
			case "$l" in *$p*) ;; *) missing=1 ;; esac
		done
		[ -z "$missing" ] && break
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.5
}

clients_done() {
	sleep 1
	kill "$TD"; wait "$TD" 2>/dev/null
	TD=
	[ -s "$1" ] || exit 1
	exit 0
}
