#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dist/autoselctl.bash-completion: sourced into bash, asked as bash asks it
# (COMP_WORDS, COMP_CWORD), its answers compared exactly.  The commands and
# options come from autoselctl's own help, so they are compared with it.
. "$(dirname "$0")/lib.sh"

tap_plan 13
# shellcheck source=../../../dist/autoselctl.bash-completion
. "$TOP/dist/autoselctl.bash-completion"

# comp WORD...: the completions of the last word, sorted, on one line.
comp() {
	COMP_WORDS=("$AUTOSELCTL" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_autoselctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect NAME 'WANT' WORD...
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$(comp "$@")
	if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "want '$want'" "got  '$got'"; fi
}

check "complete -p: autoselctl completes with _autoselctl" \
	test "$(complete -p autoselctl)" = "complete -F _autoselctl autoselctl"
expect "every command" "--version attach audit bundle detach expire help install recover remove replay report rules stats status" ''
expect "st<TAB>" "stats status" st
expect "attach <TAB>" "dev" attach ''
expect "attach dev l<TAB>: interface names" "$(ls /sys/class/net | grep '^l' | sort | tr '\n' ' ' | sed 's/ $//')" attach dev l
expect "attach dev lo --<TAB>: attach's options" "--collect --generic --json --no-decap --rules" attach dev lo --
expect "attach dev lo --collect <TAB>: interfaces" "$(ls /sys/class/net | sort | tr '\n' ' ' | sed 's/ $//')" attach dev lo --collect ''
expect "replay --<TAB>" "--bundle --json --no-decap --now --out --pcap --report --rules --state --trust" replay --
expect "bundle <TAB>: its sub-commands" "create keygen sign verify" bundle ''
expect "bundle sign --<TAB>: that sub-command's options only" "--json --key" bundle sign --
expect "bundle create --kind <TAB>" "approval domestic-map" bundle create --kind ''
expect "report --s<TAB>" "--snapshot" report --s
D=$(mktemp -d)
touch "$D/a.bundle" "$D/b c.bundle"
COMP_WORDS=("$AUTOSELCTL" install "$D/") COMP_CWORD=2 COMPREPLY=()
_autoselctl
[ "${#COMPREPLY[@]}" = 2 ] && [ "${COMPREPLY[0]}${COMPREPLY[1]}" = "$D/a.bundle$D/b c.bundle" ] ||
	[ "${COMPREPLY[1]}${COMPREPLY[0]}" = "$D/a.bundle$D/b c.bundle" ]
check "install <file prefix><TAB>: files, a name with a space whole" [ $? = 0 ]
rm -rf "$D"
totals
