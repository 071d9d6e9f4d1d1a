#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# names_split_clients.sh OUT.pcap - a real TLS client whose ClientHello
# spans several TCP segments, with its server_name in the 2nd and the 3rd.
#
# Two network namespaces on a veth pair: "ass-c" (10.1.2.3 and 10.1.2.4,
# fd00:1::3 and fd00:1::4: domestic in test_names' rules) and "ass-s"
# (198.51.100.7 and 198.51.100.8, 2001:db8:100::7 and ::8: foreign),
# openssl s_server on 443 in ass-s.  The server's routes back to the
# client announce a small MSS (advmss): 100 to .3 and ::3, 72 to .4 and
# ::4; the client reaches .7/::7 from .3/::3 and .8/::8 from .4/::4, and
# the veth sends every segment on its own (gso_max_segs 1), so that its
# ~1 KB ClientHello (a long ALPN list, as large as a post-quantum key
# share makes one) leaves in 88- and 60-byte segments: the server_name
# (~165 bytes in, OpenSSL puts it first) ends in the 2nd, resp. the 3rd.
# From ass-c, per family: openssl s_client -servername c2.example to .7
# and to .8, and -servername other.invalid to .7, each with a canary as
# its application data.  tcpdump on the client's veth writes OUT.pcap.
# Exit 4 when a tool is missing (the caller skips), 1 on failure.
set -u
OUT=$1
. "$(dirname "$0")/clients_lib.sh"
clients_need names_split_clients ip tcpdump openssl ss
clients_pair ass
ip -n $C link set vc$$ gso_max_segs 1 || exit 1
ip -n $S link set vs$$ gso_max_segs 1 || exit 1
ip -n $C addr add 10.1.2.3/8 dev vc$$
ip -n $C addr add 10.1.2.4/8 dev vc$$
ip -n $S addr add 198.51.100.7/24 dev vs$$
ip -n $S addr add 198.51.100.8/24 dev vs$$
ip -n $C addr add fd00:1::3/64 dev vc$$ nodad
ip -n $C addr add fd00:1::4/64 dev vc$$ nodad
ip -n $S addr add 2001:db8:100::7/64 dev vs$$ nodad
ip -n $S addr add 2001:db8:100::8/64 dev vs$$ nodad
ip -n $C route add 198.51.100.7/32 dev vc$$ src 10.1.2.3
ip -n $C route add 198.51.100.8/32 dev vc$$ src 10.1.2.4
ip -n $C -6 route add 2001:db8:100::7/128 dev vc$$ src fd00:1::3
ip -n $C -6 route add 2001:db8:100::8/128 dev vc$$ src fd00:1::4
ip -n $S route add 10.1.2.3/32 dev vs$$ advmss 100
ip -n $S route add 10.1.2.4/32 dev vs$$ advmss 72
ip -n $S -6 route add fd00:1::3/128 dev vs$$ advmss 100
ip -n $S -6 route add fd00:1::4/128 dev vs$$ advmss 72

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" \
	-subj /CN=c2.example -days 1 >/dev/null 2>&1 || exit 1
ip netns exec $S openssl s_server -quiet -accept 443 -cert "$TMP/c.pem" \
	-key "$TMP/k.pem" >/dev/null 2>&1 &
clients_capture "$OUT" 'tcp port 443'
clients_listening :443
# eight protocol names of 80 bytes: ~700 bytes of ALPN
ALPN=p0
for i in 0 1 2 3 4 5 6 7; do
	p=$(printf "proto-$i-%074d" 0)
	[ $i = 0 ] && ALPN=$p || ALPN="$ALPN,$p"
done
cl() {
	echo "CANARY-AUTOSEL CANARY-AUTOSEL" | ip netns exec $C timeout 5 \
		openssl s_client -quiet -connect "$1:443" -servername "$2" \
		-alpn "$ALPN" >/dev/null 2>&1
}
for a in 198.51.100 2001:db8:100:: ; do
	case $a in *:*) x="[${a}7]" y="[${a}8]" ;; *) x=$a.7 y=$a.8 ;; esac
	cl "$x" c2.example
	cl "$y" c2.example
	cl "$x" other.invalid
done
clients_done "$OUT"
