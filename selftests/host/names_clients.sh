#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# names_clients.sh OUT.pcap - real clients send names; capture them.
#
# Two network namespaces on a veth pair: "asn-c" (10.1.2.3 and fd00:1::3,
# domestic in test_names' rules) and "asn-s" (198.51.100.7 and
# 2001:db8:100::7, foreign); everything is done over IPv4, then IPv6.  In asn-s: a
# small UDP DNS responder (python3), openssl s_server on 443 and
# python3 -m http.server on 80.  From asn-c: dig C2.Example. (UDP and TCP),
# openssl s_client -servername c2.example, curl with Host: c2.example, and
# the same three for a name no rule holds (other.invalid).  Every client
# sends a canary after its name where it can (HTTP path and body, TLS
# application data).  The responder answers c2.example's A and AAAA
# queries with 198.51.100.8 and 2001:db8:100::8 (TTL 300; every other
# name NXDOMAIN); after the lookups, openssl s_client connects to those
# addresses without SNI (resolve-and-follow).  tcpdump on the client's
# veth writes OUT.pcap.
# Exit 4 when a tool is missing (the caller skips), 1 on failure.
set -u
OUT=$1
. "$(dirname "$0")/clients_lib.sh"
clients_need names_clients ip tcpdump dig openssl curl python3 ss
clients_pair asn
ip -n $C addr add 10.1.2.3/8 dev vc$$
ip -n $S addr add 198.51.100.7/24 dev vs$$
ip -n $C route add 198.51.100.0/24 dev vc$$
ip -n $S route add 10.0.0.0/8 dev vs$$
ip -n $C addr add fd00:1::3/64 dev vc$$ nodad
ip -n $S addr add 2001:db8:100::7/64 dev vs$$ nodad
ip -n $S addr add 198.51.100.8/24 dev vs$$
ip -n $S addr add 2001:db8:100::8/64 dev vs$$ nodad
ip -n $C -6 route add 2001:db8:100::/64 dev vc$$
ip -n $S -6 route add fd00:1::/64 dev vs$$
# checksum offload off, so the capture holds what a wire would
ip netns exec $C ethtool -K vc$$ tx off >/dev/null 2>&1
ip netns exec $S ethtool -K vs$$ tx off >/dev/null 2>&1

cat > "$TMP/dns.py" <<'PY'
import socket, struct, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
t = socket.socket(fam, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((sys.argv[1], 53)); t.listen(4)
import select
def answer(q):
    # copy the question; c2.example A/AAAA: the answer, else NXDOMAIN;
    # a canary in an additional TXT record
    qd = q[12:]
    end = qd.index(b"\0") + 5
    qtype = struct.unpack("!H", qd[end - 4:end - 2])[0]
    txt = b"CANARY-AUTOSEL"
    ad = b"\0\0\x10\0\1\0\0\0\0" + struct.pack("!H", len(txt) + 1) + bytes([len(txt)]) + txt
    if qd[:end - 4].lower() == b"\x02c2\x07example\0" and qtype in (1, 28):
        rd = socket.inet_pton(socket.AF_INET, "198.51.100.8") if qtype == 1 else \
             socket.inet_pton(socket.AF_INET6, "2001:db8:100::8")
        an = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rd)) + rd
        return q[:2] + b"\x81\x80" + b"\0\1\0\1\0\0\0\1" + qd[:end] + an + ad
    h = q[:2] + b"\x81\x83" + b"\0\1\0\0\0\0\0\1"
    return h + qd[:end] + ad
while True:
    r, _, _ = select.select([s, t], [], [], 30)
    if not r: break
    if s in r:
        q, a = s.recvfrom(2048); s.sendto(answer(q), a)
    if t in r:
        c, _ = t.accept(); d = c.recv(4096)
        if len(d) > 2:
            m = answer(d[2:]); c.sendall(struct.pack("!H", len(m)) + m)
        c.close()
PY
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" \
	-subj /CN=c2.example -days 1 >/dev/null 2>&1 || exit 1
mkdir -p "$TMP/www" && echo "CANARY-AUTOSEL CANARY-AUTOSEL" > "$TMP/www/index.html"
ip netns exec $S python3 "$TMP/dns.py" 198.51.100.7 >/dev/null 2>&1 &
ip netns exec $S python3 "$TMP/dns.py" 2001:db8:100::7 >/dev/null 2>&1 &
ip netns exec $S openssl s_server -quiet -accept 443 -cert "$TMP/c.pem" -key "$TMP/k.pem" \
	-www >/dev/null 2>&1 &
(cd "$TMP/www" && exec ip netns exec $S python3 -m http.server 80 --bind 198.51.100.7) >/dev/null 2>&1 &
(cd "$TMP/www" && exec ip netns exec $S python3 -m http.server 80 --bind 2001:db8:100::7) >/dev/null 2>&1 &
clients_capture "$OUT" 'not arp and not icmp6'
# the servers (python may take a while to start)
clients_listening 198.51.100.7:53 :443 198.51.100.7:80 2001:db8:100::7]:53 \
	2001:db8:100::7]:80
cl() { ip netns exec $C "$@" >/dev/null 2>&1; }
for a in 198.51.100.7 2001:db8:100::7; do
	u=$a; q=A; case $a in *:*) u="[$a]"; q=AAAA ;; esac
	for n in C2.Example. other.invalid; do
		cl dig +tries=1 +time=2 @$a "$n" $q
		cl dig +tries=1 +time=2 +tcp @$a "$n" $q
	done
	for n in c2.example other.invalid; do
		echo "GET /CANARY-AUTOSEL HTTP/1.0" | cl timeout 5 openssl s_client \
			-quiet -connect $u:443 -servername $n
		cl curl -s -m 5 -H "Host: $n" -d CANARY-AUTOSEL-CANARY-AUTOSEL \
			http://$u/CANARY-AUTOSEL
	done
	# the answered address, no name anywhere (as with ECH)
	r=$(ip netns exec $C dig +short +tries=1 +time=2 @$a c2.example $q)
	case $r in 198.51.100.8|2001:db8:100::8) ;; *) exit 1 ;; esac
	case $r in *:*) r="[$r]" ;; esac
	echo "GET /CANARY-AUTOSEL HTTP/1.0" | cl timeout 5 openssl s_client \
		-quiet -connect $r:443 -noservername
done
clients_done "$OUT"
