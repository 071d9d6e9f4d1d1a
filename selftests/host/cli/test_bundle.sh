#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Commission's side of signed bundles (Documentation/bundle-format.rst):
# keygen/create/sign/verify round trip, and every refusal with its exact
# one-line error and exit 1.  verify writes nothing: the test directory is
# byte-for-byte the same before and after all the verify runs.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
A=$AUTOSELCTL
F=$T/case.bundle

tap_plan 85

# --- keys and trust ---------------------------------------------------------
for m in a b c d e x; do
	"$A" bundle keygen --out "$T/$m" --name "member-$m" > "$T/$m.id" 2>&1
done
id() { cat "$T/$1.id"; }
check "keygen prints a 16-hex key id" grep -qx '[0-9a-f]\{16\}' "$T/a.id"
check "keygen: secret key 0600, public key 0644" \
	test "$(stat -c %a "$T/a.key") $(stat -c %a "$T/a.pub")" = "600 644"
check "keygen: .pub is the trust-file member line with that id" \
	grep -q "^member $(id a) [A-Za-z0-9+/]\{43\}= member-a\$" "$T/a.pub"
run "$A" bundle keygen --out "$T/a"
check "keygen prints no secret" bash -c "! grep -qF \"\$(sed -n 's/^seed //p' $T/a.key)\" <<< '$out$err'"
expect_fail "keygen never overwrites a key" 1 "autoselctl: $T/a.pub: File exists" \
	"$A" bundle keygen --out "$T/a"
{ echo "autosel-trust 1"; echo "# the Commission, 3 of 5"; echo "quorum 3"
  cat "$T"/[a-e].pub; } > "$T/trust"

# --- create -------------------------------------------------------------------
AP=$T/ap.bundle
APARGS=(--kind approval --id 2026-FD-0007 --type fd --from 2026-04-01T00:00:00Z
	--until 2026-10-01T00:00:00Z --serial 3)
printf '# indicators\nip 198.51.100.0/24\n\nip 2001:DB8:F::/48\r\ndomain C2.Example.\n  domain .example  \nip 203.0.113.7\n' |
	"$A" bundle create "${APARGS[@]}" --out "$AP" > "$T/out" 2>&1
cat > "$T/want" <<'EOF'
autosel-bundle 1
kind approval
id 2026-FD-0007
type fd
valid-from 2026-04-01T00:00:00Z
valid-until 2026-10-01T00:00:00Z
serial 3
indicators
ip 198.51.100.0/24
ip 2001:db8:f::/48
domain c2.example
domain .example
ip 203.0.113.7/32
end
EOF
check "create writes the canonical bundle text" cmp -s "$AP" "$T/want"
printf 'ip 192.0.2.0/24\nip 2001:db8:d::/48\n' > "$T/dom.txt"
run "$A" bundle create --kind domestic-map --id JP-2026 --serial 1 \
	--indicators "$T/dom.txt" --out "$T/dom.bundle"
check "create a domestic map" sh -c "[ $rc = 0 ] && grep -qx 'kind domestic-map' $T/dom.bundle && ! grep -q '^type' $T/dom.bundle"
expect_fail "create never overwrites" 1 "autoselctl: $AP: File exists" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/dom.txt" --out "$AP"
printf 'ip 198.51.100.0/24\nip 198.51.100.1/24\n' > "$T/in"
expect_fail "create: host bits set, input line named" 1 \
	"autoselctl: $T/in:2: host bits set in '198.51.100.1/24'" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/in" --out "$T/no"
printf 'ip 198.51.100.0/24\n# x\nip 198.51.100.0/24\n' > "$T/in"
expect_fail "create: duplicate indicator, input lines named" 1 \
	"autoselctl: $T/in:3: duplicate indicator ip 198.51.100.0/24 (first at line 1)" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/in" --out "$T/no"
printf 'ip 192.0.2.0/24\ndomain A..Example\n' > "$T/in"
expect_fail "create: bad domain name, input line named" 1 \
	"autoselctl: $T/in:2: bad domain name 'a..example' (lower-case labels, no trailing dot)" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/in" --out "$T/no"
: > "$T/in"
expect_fail "create: empty approval" 1 "autoselctl: approval 2026-FD-0007 has no indicators" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/in" --out "$T/no"
expect_fail "create: bad time" 1 \
	"autoselctl: bad time '2026-04-01' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)" \
	"$A" bundle create --kind approval --id X --type fd --from 2026-04-01 \
	--until 2026-10-01T00:00:00Z --serial 1 --indicators "$T/dom.txt" --out "$T/no"
expect_fail "create: domestic map with a type" 2 \
	"autoselctl: a domestic map has no --type, --from or --until" \
	"$A" bundle create --kind domestic-map --id X --type fd --serial 1 --out "$T/no"
check "refused creates wrote nothing" test ! -e "$T/no"

# --- sign and verify ------------------------------------------------------------
cp "$AP" "$T/unsigned.bundle"
for m in a b c; do "$A" bundle sign --key "$T/$m.key" "$AP" > /dev/null; done
run "$A" bundle verify --trust "$T/trust" "$AP"
check "3 of 5 signatures: verify exits 0" test "$rc" = 0
check "verify names the three signers" \
	bash -c "grep -qx 'signer $(id a) member-a' <<< '$out' && grep -qx 'signer $(id b) member-b' <<< '$out' && grep -qx 'signer $(id c) member-c' <<< '$out'"
check "verify shows the SHA-256 of the signed bytes" \
	grep -qx "sha256 $(sed '/^end$/q' "$AP" | sha256sum | cut -d' ' -f1)" <<< "$out"
run "$A" bundle verify --json --trust "$T/trust" "$AP"
check "verify --json" sh -c "[ $rc = 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d[\"valid\"] and [s[\"keyid\"] for s in d[\"signers\"]]==sys.argv[2:] and d[\"ip_indicators\"]==3 and d[\"domain_indicators\"]==2' '$out' $(id a) $(id b) $(id c)"
"$A" bundle sign --key "$T/a.key" "$T/dom.bundle" > /dev/null
"$A" bundle sign --key "$T/b.key" "$T/dom.bundle" > /dev/null
"$A" bundle sign --key "$T/d.key" "$T/dom.bundle" > /dev/null
run "$A" bundle verify --trust "$T/trust" "$T/dom.bundle"
check "signed domestic map verifies" bash -c "[ $rc = 0 ] && grep -q '^domestic map JP-2026, serial 1' <<< '$out'"
cp "$AP" "$T/before"
expect_fail "sign refuses a second signature by one key" 1 \
	"autoselctl: $AP:15: already signed by $(id a)" "$A" bundle sign --key "$T/a.key" "$AP"
check "... and leaves the bundle unchanged" cmp -s "$AP" "$T/before"
cp "$T/a.key" "$T/open.key"; chmod 644 "$T/open.key"
expect_fail "sign refuses a key readable by others" 1 \
	"autoselctl: $T/open.key: permissions 0644 are too open (a secret key must be 0600)" \
	"$A" bundle sign --key "$T/open.key" "$T/unsigned.bundle"

# Bundles made by hand from the signature lines of $AP.
sig() { grep "^signature $(id "$1") " "$AP"; }
mk() { cat "$T/unsigned.bundle" > "$F"; for s in "$@"; do sig "$s" >> "$F"; done; }
signx() { cp "$T/unsigned.bundle" "$T/x.bundle"; "$A" bundle sign --key "$T/x.key" "$T/x.bundle" > /dev/null; grep '^signature' "$T/x.bundle"; }
XSIG=$(signx)

mk a b
expect_fail "short quorum (2 of 3)" 1 \
	"autoselctl: $F: quorum not reached: 2 of 3 member signatures" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk; expect_fail "no signature" 1 "autoselctl: $F: not signed (quorum is 3)" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b; echo "$XSIG" >> "$F"
expect_fail "a key not in the trust file counts zero" 1 \
	"autoselctl: $F: quorum not reached: 2 of 3 member signatures; 1 by keys not in the trust file" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b c; echo "$XSIG" >> "$F"
run "$A" bundle verify --trust "$T/trust" "$F"
check "an unknown key beside a full quorum is ignored, and said so" \
	bash -c "[ $rc = 0 ] && grep -qx 'ignored: 1 signatures by keys not in the trust file' <<< '$out'"
mk a b a
expect_fail "duplicate signatures by one member count once" 1 \
	"autoselctl: $F: quorum not reached: 2 of 3 member signatures; 1 duplicate" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a a a b
expect_fail "three copies of one signature still count once" 1 \
	"autoselctl: $F: quorum not reached: 2 of 3 member signatures; 2 duplicate" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b c; sed -i 's/^serial 3$/serial 4/' "$F"
expect_fail "signature over other bytes (serial changed)" 1 \
	"autoselctl: $F:15: signature by $(id a) (member-a) does not verify" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk b a c; python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[d.index(b"198.51.100.0")+4]^=1; open(p,"wb").write(d)' "$F"
expect_fail "one bit flipped in an indicator" 1 \
	"autoselctl: $F:15: signature by $(id b) (member-b) does not verify" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b; sig c | sed "s/$(id c)/$(id d)/" >> "$F"
expect_fail "a member's signature under another member's id" 1 \
	"autoselctl: $F:17: signature by $(id d) (member-d) does not verify" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b; sig c | sed 's/\(.\{20\}\)$/!\1/' >> "$F"
expect_fail "bad base64 in a signature" 1 \
	"autoselctl: $F:17: bad signature encoding (base64 of 64 bytes)" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b; sig c | cut -c1-90 >> "$F"
expect_fail "truncated signature" 1 \
	"autoselctl: $F:17: bad signature encoding (base64 of 64 bytes)" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b; sig c | sed 's/==$/=/' >> "$F"
expect_fail "signature without its padding" 1 \
	"autoselctl: $F:17: bad signature encoding (base64 of 64 bytes)" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a; sig b | sed 's/^signature \([0-9a-f]*\)/signature \U\1/' >> "$F"
expect_fail "upper-case key id" 1 \
	"autoselctl: $F:16: bad key id '$(id b | tr a-f A-F)' (16 lower-case hex digits)" \
	"$A" bundle verify --trust "$T/trust" "$F"
mk a b c; echo "# comment" >> "$F"
expect_fail "anything but signatures after end" 1 \
	"autoselctl: $F:18: expected 'signature KEYID BASE64'" \
	"$A" bundle verify --trust "$T/trust" "$F"

# --- syntax: each error names its line ------------------------------------------
H='autosel-bundle 1\nkind approval\nid X-1\ntype ff\nvalid-from 2026-01-01T00:00:00Z\nvalid-until 2027-01-01T00:00:00Z\nserial 1\nindicators'
# name | printf %b text | message after "autoselctl: $F"
CASES=(
"empty approval|$H\nend\n|:9: approval X-1 has no indicators"
"bad address|$H\nip 300.1.1.0/24\nend\n|:9: bad address in '300.1.1.0/24'"
"bad prefix length|$H\nip 198.51.100.0/33\nend\n|:9: bad prefix length in '198.51.100.0/33'"
"host bits set|$H\nip 198.51.100.1/24\nend\n|:9: host bits set in '198.51.100.1/24'"
"host bits set (IPv6)|$H\nip 2001:db8::1/64\nend\n|:9: host bits set in '2001:db8::1/64'"
"prefix without a length|$H\nip 198.51.100.7\nend\n|:9: non-canonical prefix '198.51.100.7' (write '198.51.100.7/32')"
"non-canonical IPv6|$H\nip 2001:DB8:0::/48\nend\n|:9: non-canonical prefix '2001:DB8:0::/48' (write '2001:db8::/48')"
"duplicate indicator|$H\nip 198.51.100.0/24\ndomain a.example\nip 198.51.100.0/24\nend\n|:11: duplicate indicator 198.51.100.0/24 (first at line 9)"
"duplicate domain|$H\ndomain a.example\ndomain a.example\nend\n|:10: duplicate indicator domain a.example (first at line 9)"
"bad domain name|$H\ndomain A.example\nend\n|:9: bad domain name 'A.example' (lower-case labels, no trailing dot)"
"domain with a trailing dot|$H\ndomain a.example.\nend\n|:9: bad domain name 'a.example.' (lower-case labels, no trailing dot)"
"unknown keyword|$H\nipp 198.51.100.0/24\nend\n|:9: unknown keyword 'ipp'"
"ip with two words|$H\nip 198.51.100.0/24 x\nend\n|:9: expected 'ip PREFIX'"
"CR line ending|autosel-bundle 1\r\n|:1: CR character (line endings are LF only)"
"tab|$H\nip\t198.51.100.0/24\nend\n|:9: byte 0x09 not allowed (printable ASCII only)"
"non-ASCII byte|$H\ndomain \xc3\xa9.example\nend\n|:9: byte 0xc3 not allowed (printable ASCII only)"
"double space|$H\nip  198.51.100.0/24\nend\n|:9: leading, trailing or double space"
"trailing space|$H\nend \n|:9: leading, trailing or double space"
"empty line|$H\n\nip 198.51.100.0/24\nend\n|:9: empty line"
"no end line|$H\nip 198.51.100.0/24\n|: unexpected end of file (expected 'end')"
"last line without LF|$H\nip 198.51.100.0/24\nend|:10: last line does not end in LF"
"empty file||: empty file"
"wrong magic|autosel-rules 1\n|:1: expected 'autosel-bundle 1'"
"unsupported version|autosel-bundle 2\n|:1: unsupported format version '2'"
"bad kind|autosel-bundle 1\nkind approvals\n|:2: bad kind 'approvals' (approval or domestic-map)"
"header out of order|autosel-bundle 1\nkind approval\nid X\nserial 1\n|:4: expected 'type ff|fd|df'"
"bad id|autosel-bundle 1\nkind approval\nid -X\n|:3: bad id '-X' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)"
"measure type dd|autosel-bundle 1\nkind approval\nid X\ntype dd\n|:4: bad measure type 'dd' (ff, fd or df)"
"time without a zone|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T00:00:00\n|:5: bad time '2026-01-01T00:00:00' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"time in another zone|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T09:00:00+09:00\n|:5: bad time '2026-01-01T09:00:00+09:00' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"time as +00:00|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T00:00:00+00:00\n|:5: bad time '2026-01-01T00:00:00+00:00' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"time in lower case|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01t00:00:00.000z\n|:5: bad time '2026-01-01t00:00:00.000z' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"time with a zero fraction|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T00:00:00.000Z\n|:5: bad time '2026-01-01T00:00:00.000Z' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"time with a fraction|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T00:00:00.5Z\n|:5: bad time '2026-01-01T00:00:00.5Z' (exactly YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-04-01T00:00:00Z)"
"empty window|autosel-bundle 1\nkind approval\nid X\ntype fd\nvalid-from 2026-01-01T00:00:00Z\nvalid-until 2026-01-01T00:00:00Z\n|:6: valid-from is not before valid-until"
"serial 0|autosel-bundle 1\nkind domestic-map\nid X\nserial 0\n|:4: bad serial '0' (1 to 9223372036854775807, no leading zeros)"
"serial with a leading zero|autosel-bundle 1\nkind domestic-map\nid X\nserial 07\n|:4: bad serial '07' (1 to 9223372036854775807, no leading zeros)"
"serial too large|autosel-bundle 1\nkind domestic-map\nid X\nserial 9223372036854775808\n|:4: bad serial '9223372036854775808' (1 to 9223372036854775807, no leading zeros)"
"domestic map with a type|autosel-bundle 1\nkind domestic-map\nid X\ntype fd\n|:4: expected 'serial N'"
"domain in a domestic map|autosel-bundle 1\nkind domestic-map\nid X\nserial 1\nindicators\ndomain a.example\n|:6: a domestic map has IP prefixes only"
"empty domestic map|autosel-bundle 1\nkind domestic-map\nid X\nserial 1\nindicators\nend\n|:6: domestic map X has no prefixes"
)
for c in "${CASES[@]}"; do
	name=${c%%|*} rest=${c#*|}
	content=${rest%|*} msg=${rest##*|}
	case $name in header\ out*) msg=":4: expected 'type ff|fd|df'";; esac
	printf '%b' "$content" > "$F"
	expect_fail "syntax: $name" 1 "autoselctl: $F$msg" "$A" bundle verify --trust "$T/trust" "$F"
done

# --- trust file -------------------------------------------------------------------
printf 'autosel-trust 1\nquorum 6\n' > "$T/t2"; cat "$T"/[a-e].pub >> "$T/t2"
expect_fail "trust: quorum above the members" 1 \
	"autoselctl: $T/t2:2: quorum 6 is more than the 5 members" \
	"$A" bundle verify --trust "$T/t2" "$AP"
printf 'autosel-trust 1\nquorum 1\n' > "$T/t2"; sed "s/^member $(id a)/member $(id b)/" "$T/a.pub" >> "$T/t2"
expect_fail "trust: key id that is not the key's" 1 \
	"autoselctl: $T/t2:3: key id $(id b) does not match the public key (its id is $(id a))" \
	"$A" bundle verify --trust "$T/t2" "$AP"
printf 'autosel-trust 1\nquorum 1\n' > "$T/t2"; cat "$T/a.pub" "$T/a.pub" >> "$T/t2"
expect_fail "trust: duplicate member" 1 \
	"autoselctl: $T/t2:4: duplicate member $(id a) (first at line 3)" \
	"$A" bundle verify --trust "$T/t2" "$AP"

# --- verify changes nothing ------------------------------------------------------------
snap() { (cd "$T" && find . -type f ! -name 'snap*' -printf '%p %s %m %T@\n' | sort && find . -type f ! -name 'snap*' -exec sha256sum {} + | sort); }
snap > "$T/snap1"
for b in "$AP" "$T/unsigned.bundle" "$T/dom.bundle" "$F"; do
	"$A" bundle verify --trust "$T/trust" "$b" >/dev/null 2>&1
	"$A" bundle verify --json --trust "$T/trust" "$b" >/dev/null 2>&1
done
snap > "$T/snap2"
check "verify wrote and changed nothing" cmp -s "$T/snap1" "$T/snap2"

# The documented limit is the real one: 1,000,000 indicators (here IPv4,
# 19 MB, more than the 16 MiB of old) are accepted, one more is not.
python3 -c 'for i in range(1000000): print("ip 10.%d.%d.%d/32" % (i >> 16, (i >> 8) & 255, i & 255))' >"$T/1m"
run "$A" bundle create "${APARGS[@]}" --indicators "$T/1m" --out "$T/1m.b"
for k in a b c; do "$A" bundle sign --key "$T/$k.key" "$T/1m.b" >/dev/null; done
run "$A" bundle verify --trust "$T/trust" "$T/1m.b" --json
check "1,000,000 IPv4 indicators ($(($(stat -c %s "$T/1m.b") / 1000000)) MB): created, signed, verified" \
	test "$rc,$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ip_indicators"])')" = "0,1000000"
echo "ip 10.255.255.255/32" >>"$T/1m"
expect_fail "1,000,001 are refused" 1 "autoselctl: $T/1m:1000001: more than 1000000 indicators" \
	"$A" bundle create "${APARGS[@]}" --indicators "$T/1m" --out "$T/1m1.b"
{ sed -n '/^end$/q;p' "$T/1m.b"; echo "ip 10.255.255.255/32"; echo end; } >"$T/1m1.b"
expect_fail "... in a bundle too" 1 "autoselctl: $T/1m1.b:1000009: more than 1000000 indicators" \
	"$A" bundle verify --trust "$T/trust" "$T/1m1.b"
rm -f "$T/1m" "$T/1m.b" "$T/1m1.b"
totals
