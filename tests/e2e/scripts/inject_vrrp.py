#!/usr/bin/env python3
"""Sends malformed VRRP packets (IPv4) for vigil's end-to-end tests.

An encoder independent of vigil's own codec, so that a shared misunderstanding of
RFC 5798 cannot hide in both. Usage:

    inject_vrrp.py CLASS SRC [COUNT] [DST]

CLASS is one of: valid, ttl, checksum, version, type, vrid, addr_count, addr_list,
short, v2_auth, v2_interval. Every packet advertises priority 254 for VRID 51, so a
receiver that wrongly accepts one changes state visibly.
"""
import socket
import struct
import sys
import time


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def vrrp(cls: str, src: bytes, dst: bytes) -> bytes:
    v2 = cls.startswith("v2_")
    version = 1 if cls == "version" else (2 if v2 else 3)
    kind = 2 if cls == "type" else 1
    vrid = 52 if cls == "vrid" else 51
    addrs = [socket.inet_aton("192.0.2.100")]
    if cls == "addr_count":
        addrs.append(socket.inet_aton("192.0.2.101"))
    if cls == "addr_list":
        addrs = [socket.inet_aton("192.0.2.199")]
    if v2:
        # RFC 3768 §5.1: auth type PASS (1), interval in seconds.
        interval = 3 if cls == "v2_interval" else 1
        head = struct.pack("!BBBBBBH", (version << 4) | kind, vrid, 254, len(addrs), 1, interval, 0)
        password = b"wrong" if cls == "v2_auth" else b"s3cret"
        body = head + b"".join(addrs) + password.ljust(8, b"\0")
        c = csum(body)
    else:
        # RFC 5798 §5.1: 12-bit max advert interval in centiseconds (10 = 0.1 s);
        # checksum over the IPv4 pseudo-header as keepalived and FRR do.
        head = struct.pack("!BBBBHH", (version << 4) | kind, vrid, 254, len(addrs), 10, 0)
        body = head + b"".join(addrs)
        pseudo = src + dst + struct.pack("!BBH", 0, 112, len(body))
        c = csum(pseudo + body)
    if cls == "checksum":
        c ^= 0x5A5A
    body = body[:6] + struct.pack("!H", c) + body[8:]
    if cls == "short":
        body = body[:6]
    return body


def main() -> None:
    cls, src = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    dst = sys.argv[4] if len(sys.argv) > 4 else "224.0.0.18"
    s_b, d_b = socket.inet_aton(src), socket.inet_aton(dst)
    payload = vrrp(cls, s_b, d_b)
    ttl = 254 if cls == "ttl" else 255
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0, s_b, d_b)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.SOL_SOCKET, 25, b"eth0\0")  # SO_BINDTODEVICE
    for _ in range(count):
        sock.sendto(ip + payload, (dst, 0))
        time.sleep(0.02)


if __name__ == "__main__":
    main()
