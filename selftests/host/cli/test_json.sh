#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# --json: every command's output parses, with quotes, backslashes, control
# bytes and bytes that are not UTF-8 in every string it echoes (paths,
# environment); every failure asked for --json is {"error": "..."} on
# stdout, the same text as the one line on stderr, and the exit status
# stays.  --version.
. "$(dirname "$0")/lib.sh"
need_root "install (the lock is in /run)"

TMP=$(mktemp -d)
trap 'chattr -a "$TMP"/*/audit.log 2>/dev/null; rm -rf "$TMP"' EXIT
# A directory name with a quote, a backslash, a tab, \001, \377 and a space.
W=$TMP/$(printf 'q"b\\s\tc\001x\377 y')
mkdir -p "$W" || exit 1
export AUTOSEL_PIN_DIR=$W/pins AUTOSEL_STATE_DIR=$W/state
export AUTOSEL_AUDIT_LOG=$W/audit.log AUTOSEL_TRUST=$W/trust
A=$AUTOSELCTL

tap_plan 23

# py EXPR: evaluate EXPR with d = the JSON on stdin (strict UTF-8), W = $W
# as Python sees a file name (surrogateescape), print it.
py() {
	python3 -c '
import json, os, sys
raw = sys.stdin.buffer.read()
d = json.loads(raw.decode("utf-8"))
W = os.fsdecode(os.fsencode(os.environ["W"]))
bad = W.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
print(eval(sys.argv[1]))' "$1"
}
export W

run "$A" bundle keygen --out "$W/k1" --name m1 --json
check "keygen --json: paths escaped, non-UTF-8 as U+FFFD" \
	test "$rc,$(echo "$out" | py 'd["secret"] == bad + "/k1.key" and d["public"] == bad + "/k1.pub"')" = "0,True"
"$A" bundle keygen --out "$W/k2" --name m2 >/dev/null
{ echo "autosel-trust 1"; echo "quorum 2"; cat "$W/k1.pub" "$W/k2.pub"; } >"$AUTOSEL_TRUST"
run "$A" bundle create --kind domestic-map --id JP-DOM --serial 1 --out "$W/dom.b" --json <<<'ip 192.0.2.0/24'
check "create --json" test "$rc,$(echo "$out" | py 'd["bundle"] == bad + "/dom.b" and d["indicators"] == 1')" = "0,True"
run "$A" bundle sign --key "$W/k1.key" "$W/dom.b" --json
check "sign --json" test "$rc,$(echo "$out" | py 'd["bundle"] == bad + "/dom.b" and len(d["signed_by"]) == 16')" = "0,True"
"$A" bundle sign --key "$W/k2.key" "$W/dom.b" >/dev/null
run "$A" bundle verify --trust "$AUTOSEL_TRUST" "$W/dom.b" --json
check "verify --json" test "$rc,$(echo "$out" | py 'd["bundle"] == bad + "/dom.b" and d["id"] == "JP-DOM"')" = "0,True"
run "$A" install "$W/dom.b" --json
check "install --json" \
	test "$rc,$(echo "$out" | py '(d["installed"], d["id"], d["slot"], d["generation"], d["ports"])')" = \
	"0,('domestic-map', 'JP-DOM', None, 1, None)"
t() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
"$A" bundle create --kind approval --id A-1 --type fd --from "$(t -60)" --until "$(t 3600)" \
	--serial 1 --out "$W/a.b" <<<'ip 198.51.100.0/24' >/dev/null
"$A" bundle sign --key "$W/k1.key" "$W/a.b" >/dev/null
"$A" bundle sign --key "$W/k2.key" "$W/a.b" >/dev/null
run "$A" install "$W/a.b" --json
check "install --json of an approval: its slot and VLAN id" \
	test "$rc,$(echo "$out" | py '(d["installed"], d["id"], d["slot"], d["vlan"], d["serial"])')" = \
	"0,('approval', 'A-1', 0, 1, 1)"
run "$A" status --json
check "status --json: the state directory and trust file escaped" \
	test "$rc,$(echo "$out" | py 'd["state_dir"] == bad + "/state" and d["trust_file"] == bad + "/trust"')" = "0,True"
run "$A" remove A-1 --json
check "remove --json" test "$rc,$(echo "$out" | py '(d["removed"], d["slot"], d["vlan"])')" = "0,('A-1', 0, 1)"
run "$A" expire --json
check "expire --json" test "$rc,$(echo "$out" | py 'd["expired"]')" = "0,[]"
run "$A" --version --json
check "--version --json" \
	test "$rc,$(echo "$out" | py 'd["autoselctl"] != "" and d["build"] != "" and "module" in d')" = "0,True"
run "$A" --version
check "--version" sh -c "[ $rc = 0 ] && echo '$out' | grep -q '^autoselctl [0-9][0-9.]* (build [^ ]*)$'"

# jerr NAME RC CMD...: exit RC, one line on stderr, and on stdout exactly
# {"error": that line without "autoselctl: "} (as UTF-8, a byte that is
# not UTF-8 as U+FFFD).
jerr() {
	local name=$1 want=$2 o e
	shift 2
	o=$TMP/out e=$TMP/err
	"$@" >"$o" 2>"$e"
	rc=$?
	if [ "$rc" = "$want" ] && python3 - "$o" "$e" <<'EOF2'; then
import json, sys
out, err = (open(p, "rb").read() for p in sys.argv[1:3])
assert out.count(b"\n") == 1 and err.count(b"\n") == 1, (out, err)
assert err.startswith(b"autoselctl: ")
d = json.loads(out.decode("utf-8"))
assert list(d) == ["error"], d
assert d["error"] == err[12:-1].decode("utf-8", "replace"), (d, err)
EOF2
		ok "$name"
	else
		not_ok "$name" "rc=$rc err='$(cat "$e")'" "out='$(cat "$o")'"
	fi
}
jerr "error: replay" 1 "$A" replay --rules "$W/none" --pcap /dev/null --json
jerr "error: attach, a missing device" 1 "$A" attach dev nosuch0 --json
jerr "error: detach usage" 2 "$A" detach --json
jerr "error: stats, a bad option" 2 "$A" stats --json x
jerr "error: rules check, a path with every kind of byte" 1 "$A" rules check "$W/none" --json
jerr "error: bundle verify" 1 "$A" bundle verify --trust "$AUTOSEL_TRUST" "$W/none" --json
jerr "error: bundle keygen usage" 2 "$A" bundle keygen --json
jerr "error: install" 1 "$A" install "$W/none" --json
jerr "error: remove" 1 "$A" remove NOPE --json
jerr "error: unknown command" 2 "$A" frobnicate --json
printf 'autosel-state 2\ngeneration 0\x01\nend x\n' >"$AUTOSEL_STATE_DIR/state"
jerr "error: status, a damaged state (a control byte in the message)" 1 "$A" status --json
jerr "error: report" 1 "$A" report --json
totals
