#!/bin/bash
# Capture real keepalived adverts as codec test vectors (see README.md here).
# Runs as root. Builds two network namespaces joined by a veth pair, runs
# keepalived (-P -n -l) in one and tcpdump in the other, and writes one
# .hex file per configuration. Everything it creates is removed on exit,
# also on failure or interruption.
set -euo pipefail

OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/vigil-vrrp-capture.XXXXXX)
NSA=vglcap-a-$$
NSB=vglcap-b-$$
KPID=
TPID=

cleanup() {
    [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
    [ -n "$TPID" ] && kill "$TPID" 2>/dev/null && wait "$TPID" 2>/dev/null || true
    ip netns del "$NSA" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NSA"
ip netns add "$NSB"
ip link add va netns "$NSA" address 02:00:00:00:00:01 type veth peer name vb netns "$NSB" address 02:00:00:00:00:02
for ns in "$NSA" "$NSB"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip -n "$NSA" addr add 192.0.2.1/24 dev va
ip -n "$NSB" addr add 192.0.2.2/24 dev vb
ip -n "$NSA" addr add 2001:db8::1/64 dev va nodad
ip -n "$NSB" addr add 2001:db8::2/64 dev vb nodad
ip -n "$NSA" link set va up
ip -n "$NSB" link set vb up
sleep 1

# capture NAME COUNT CONFIG-BODY
capture() {
    local name=$1 count=$2 body=$3
    printf 'global_defs {\n    router_id vigil_capture\n}\n%s\n' "$body" > "$WORK/$name.conf"
    ip netns exec "$NSB" tcpdump -i vb -U -n -c "$count" -w "$WORK/$name.pcap" \
        'ip proto 112 or ip proto 51 or ip6 proto 112' 2>"$WORK/$name.tcpdump.log" &
    TPID=$!
    sleep 1
    ip netns exec "$NSA" /usr/sbin/keepalived -P -n -l -f "$WORK/$name.conf" \
        -p "$WORK/$name.pid" -r "$WORK/$name.vrrp.pid" >"$WORK/$name.keepalived.log" 2>&1 &
    KPID=$!
    local i
    for i in $(seq 1 200); do
        kill -0 "$TPID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$KPID" 2>/dev/null || true
    wait "$KPID" 2>/dev/null || true
    KPID=
    if kill -0 "$TPID" 2>/dev/null; then
        kill "$TPID"; wait "$TPID" 2>/dev/null || true; TPID=
        echo "capture $name: fewer than $count packets" >&2
        cat "$WORK/$name.keepalived.log" >&2
        exit 1
    fi
    wait "$TPID" 2>/dev/null || true
    TPID=
    {
        echo "# keepalived $(/usr/sbin/keepalived --version 2>&1 | head -1 | cut -d' ' -f2) advert, captured $(date -u +%Y-%m-%d) by capture.sh"
        echo "# one packet per line, IP header included (Ethernet header stripped)"
        echo "# configuration:"
        sed 's/^/#   /' "$WORK/$name.conf"
        python3 - "$WORK/$name.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
magic = struct.unpack('<I', data[:4])[0]
assert magic == 0xa1b2c3d4, hex(magic)
linktype = struct.unpack('<I', data[20:24])[0]
assert linktype == 1, linktype
off = 24
while off < len(data):
    _, _, incl, _ = struct.unpack('<IIII', data[off:off+16])
    frame = data[off+16:off+16+incl]
    off += 16 + incl
    print(frame[14:].hex())
PY
    } > "$OUT/$name.hex"
    echo "captured $OUT/$name.hex"
}

capture v2-pass 3 'vrrp_instance VI_PASS {
    state MASTER
    interface va
    virtual_router_id 51
    priority 150
    advert_int 1
    version 2
    authentication {
        auth_type PASS
        auth_pass secret1
    }
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24
    }
}'

capture v2-ah 3 'vrrp_instance VI_AH {
    state MASTER
    interface va
    virtual_router_id 52
    priority 150
    advert_int 1
    version 2
    authentication {
        auth_type AH
        auth_pass ahsecret
    }
    virtual_ipaddress {
        192.0.2.102/24
    }
}'

capture v2-ah-unicast 3 'vrrp_instance VI_AHU {
    state MASTER
    interface va
    virtual_router_id 56
    priority 150
    advert_int 1
    version 2
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    authentication {
        auth_type AH
        auth_pass uniAH
    }
    virtual_ipaddress {
        192.0.2.106/24
    }
}'

capture v3-ipv4 3 'vrrp_instance VI_V3 {
    state MASTER
    interface va
    virtual_router_id 53
    priority 150
    advert_int 0.5
    version 3
    virtual_ipaddress {
        192.0.2.103/24
        192.0.2.104/24
        192.0.2.105/24
    }
}'

capture v3-ipv6 3 'vrrp_instance VI_V6 {
    state MASTER
    interface va
    virtual_router_id 54
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress {
        2001:db8::100/64
        2001:db8::101/64
    }
}'

capture v3-ipv4-unicast 3 'vrrp_instance VI_UNI {
    state MASTER
    interface va
    virtual_router_id 55
    priority 150
    advert_int 1
    version 3
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    virtual_ipaddress {
        192.0.2.107/24
    }
}'
