#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# autoselctl stats --prometheus: the exposition passes promtool's checker,
# every value equals the one stats --json shows for the same state (after
# real traffic through a veth pair), label values are escaped (a capture
# port named m"0\<0xff>), --output replaces the file atomically (mode
# 0644, no temporary file left, never seen part-written by a reader
# polling it), and bad arguments are one-line errors that write nothing.
#
# Runs in a private mount and network namespace (like test_pins.sh): the
# bpffs attach mounts and the veth pairs vanish with them.
. "$(dirname "$0")/lib.sh"
need_root "attach on veth"

if [ -z "${AS_METRICS_INNER:-}" ]; then
	AS_METRICS_INNER=1 exec unshare -m --propagation private -n "$0" "$@"
fi

TMP=$(mktemp -d)
export AUTOSEL_STATE_DIR=$TMP/state AUTOSEL_AUDIT_LOG=$TMP/audit.log
export AUTOSEL_PIN_DIR=/sys/fs/bpf/autosel-metrics-$$
A=$AUTOSELCTL
# A port name with a quote, a backslash and a byte that is not UTF-8.
PORT=$(printf 'm"0\\\377')
cleanup() {
	chattr -a "$AUTOSEL_AUDIT_LOG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

tap_plan 18

for _ in 1 2 3 4 5 6 7 8; do umount /sys/fs/bpf 2>/dev/null || break; done
setup() {
	# No router solicitations or MLD reports on the ports: the counts
	# must stay still between two reads.
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 &&
	ip link set lo up &&
	ip link add dev "$PORT" type veth peer name m1 &&
	ip link add dev c0 type veth peer name c1 &&
	for d in "$PORT" m1 c0 c1; do ip link set dev "$d" up || return 1; done
}
if ! setup >"$TMP/setup.err" 2>&1; then
	not_ok "veth pairs" "$(head -3 "$TMP/setup.err")"
	totals
	exit 1
fi
ok "veth pairs"

expect_fail "stats --prometheus before attach" 1 \
	"autoselctl: autosel is not attached (nothing pinned in $AUTOSEL_PIN_DIR)" "$A" stats --prometheus

run "$A" attach dev "$PORT" --rules "$HERE/rules-live.txt" --collect c0
check "attach to the port named m\"0\\<0xff>" test "$rc" = 0

# Frames written on m1 arrive on the port: 3 selected (fd, one flow),
# 2 domestic, 1 expired, 1 no_match, 1 ARP (non_ip).
python3 - m1 <<'PY'
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def udp(src, dst, n=64):
    pl = b"CANARY!!" * (n // 8)
    u = struct.pack("!HHHH", 4000, 5000, 8 + len(pl), 0) + pl
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\xaa\x02\0\0\0\0\xbb\x08\x00" + ip + u
arp = b"\xff" * 6 + b"\x02\0\0\0\0\xbb\x08\x06" + bytes(28)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for f in [udp("198.51.100.7", "192.0.2.10")] * 3 + [udp("192.0.2.1", "192.0.2.10")] * 2 + \
         [udp("203.0.113.5", "8.8.4.4"), udp("8.8.8.8", "192.0.2.10"), arp]:
    s.send(f)
PY

run "$A" stats --json
echo "$out" >"$TMP/stats.json"
run "$A" stats --prometheus
printf '%s\n' "$out" >"$TMP/stats.prom"
check "stats --prometheus exits 0, nothing on stderr" test "$rc" = 0 -a -z "$err"
run promtool check metrics <"$TMP/stats.prom"
check "promtool check metrics: no problem found" test "$rc,$out$err" = "0,"

# prom: the samples as {(name, ((label, value), ...)): value}, label
# values unescaped; d: the JSON.
cat >"$TMP/cmp.py" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read().decode("utf-8")
prom, order = {}, []
for line in raw.splitlines():
    if line.startswith("#"):
        continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
    assert m, line
    labels = tuple((k, re.sub(r'\\(.)', lambda e: {"n": "\n"}.get(e[1], e[1]), v))
                   for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m[2] or ""))
    prom[(m[1], labels)] = int(m[3])
def p(name, **lab):
    return prom[(name, tuple(lab.items()))]
print(eval(sys.argv[3]))
PY
pq() { python3 "$TMP/cmp.py" "$TMP/stats.json" "$TMP/stats.prom" "$1"; }
check "the traffic was judged: 8 seen, 3 selected, 1 deleted for each of 4 reasons and 2 domestic" \
	test "$(pq '(d["seen"], d["selected"], sorted(d["deleted_by_reason"].values()))')" = "(8, 3, [0, 0, 0, 1, 1, 1, 2])"
check "totals equal --json: seen, bytes, selected, kept, discarded, deleted bytes, counters source" \
	test "$(pq '[p(n) == d[k] for n, k in [("autosel_packets_seen_total", "seen"), ("autosel_bytes_seen_total", "seen_bytes"),
	  ("autosel_selected_packets_total", "selected"), ("autosel_selected_bytes_total", "selected_bytes"),
	  ("autosel_kept_bytes_total", "kept_bytes"), ("autosel_discarded_payload_bytes_total", "discarded_payload_bytes"),
	  ("autosel_deleted_bytes_total", "deleted_bytes")]] + [p("autosel_counters_in_module") == d["counters_in_module"],
	  p("autosel_counters_from_module") == (d["counters_source"] == "module")]')" = "[True, True, True, True, True, True, True, True, True]"
check "deleted by reason equals --json, one series per reason, their sum = deleted" \
	test "$(pq '({k: p("autosel_deleted_packets_total", reason=k) for k in d["deleted_by_reason"]} == d["deleted_by_reason"],
	  len([k for k in prom if k[0] == "autosel_deleted_packets_total"]), sum(v for k, v in prom.items() if k[0] == "autosel_deleted_packets_total") == d["deleted"])')" = \
	"(True, 7, True)"
check "names events equal --json: one series per event (ech, hello_split, hello_incomplete)" \
	test "$(pq '({k: p("autosel_names_events_total", event=k) for k in d["names"]} == d["names"], list(d["names"]))')" = \
	"(True, ['ech', 'hello_split', 'hello_incomplete'])"
check "per approval equals --json: packets, flows, flows by kind, bytes, kept, window" \
	test "$(pq '[(a["id"], p("autosel_approval_selected_packets_total", approval=a["id"], type=a["type"]) == a["packets"] > 0,
	  p("autosel_approval_selected_flows_total", approval=a["id"], type=a["type"]) == a["flows"],
	  all(p("autosel_approval_new_flows_total", approval=a["id"], type=a["type"], kind=k) == v for k, v in a["flows_by_kind"].items()),
	  p("autosel_approval_selected_bytes_total", approval=a["id"], type=a["type"]) == a["bytes"],
	  p("autosel_approval_kept_bytes_total", approval=a["id"], type=a["type"]) == a["kept_bytes"],
	  p("autosel_approval_valid_until_seconds", approval=a["id"], type=a["type"]) == 4102444800) for a in d["approvals"] if a["packets"]]')" = \
	"[('L-FD', True, True, True, True, True, True)]"
check "the port's name escaped: m\\\"0\\\\ and U+FFFD for the byte that is not UTF-8" \
	grep -qxF "autosel_interface_info{interface=\"m\\\"0\\\\$(printf '\357\277\275')\"} 1" "$TMP/stats.prom"
check "build info: version and revision of --version" \
	grep -qx "autosel_build_info{version=\"$("$A" --version --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["autoselctl"] + "\",revision=\"" + d["build"])')\"} 1" "$TMP/stats.prom"

# --output: atomic replacement.
mkdir "$TMP/tf"
run "$A" stats --prometheus --output "$TMP/tf/autosel.prom"
check "--output: exit 0, nothing on stdout, the same bytes as stdout, mode 0644, no temporary file" \
	test "$rc,$out,$err,$(cmp "$TMP/stats.prom" "$TMP/tf/autosel.prom" && echo same),$(stat -c %a "$TMP/tf/autosel.prom"),$(ls -A "$TMP/tf")" = \
	"0,,,same,644,autosel.prom"
# A reader polls the file while 150 rewrites run: every read is whole.
( for _ in $(seq 150); do "$A" stats --prometheus --output "$TMP/tf/autosel.prom" || exit 1; done ) &
W=$!
python3 - "$TMP/tf/autosel.prom" "$TMP/stats.prom" "$W" >"$TMP/poll.out" <<'PY'
import os, sys, time
want = open(sys.argv[2], "rb").read()
reads = bad = 0
end = time.time() + 60
while time.time() < end and os.path.exists("/proc/" + sys.argv[3]):
    got = open(sys.argv[1], "rb").read()
    reads += 1
    bad += got != want
print(reads, bad)
PY
wait "$W"
wrc=$?
check "150 rewrites while polling: every read whole ($(cat "$TMP/poll.out") reads/partial), no temporary file left" \
	sh -c "[ $wrc = 0 ] && [ \"\$(cut -d' ' -f2 '$TMP/poll.out')\" = 0 ] && [ \"\$(cut -d' ' -f1 '$TMP/poll.out')\" -gt 0 ] && [ \"\$(ls -A '$TMP/tf')\" = autosel.prom ]"

# Bad arguments: one line, exit 2, nothing written.
expect_fail "--output without a file name" 2 "autoselctl: stats: --output needs a file name" \
	"$A" stats --prometheus --output
expect_fail "--output without --prometheus" 2 "autoselctl: stats: --output needs --prometheus" \
	"$A" stats --output "$TMP/tf/x.prom"
run "$A" stats --json --prometheus
check "--json and --prometheus: one line, exit 2 (and --json's error object)" \
	test "$rc,$err,$out" = '2,autoselctl: stats: --json and --prometheus exclude each other,{"error":"stats: --json and --prometheus exclude each other"}'
mkdir "$TMP/tf/dir.prom"
expect_fail "--output onto a directory: refused, no temporary file left" 1 \
	"autoselctl: stats: cannot write $TMP/tf/dir.prom: Is a directory" \
	sh -c "'$A' stats --prometheus --output '$TMP/tf/dir.prom' && ls -A '$TMP/tf' | grep -v '^autosel.prom\$\|^dir.prom\$'"
"$A" detach dev "$PORT" >/dev/null
totals
