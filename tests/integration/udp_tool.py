#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small UDP and raw-frame helpers for the integration tests (run in the
test's network namespace).

  udp_tool.py send --bind IP:PORT --to IP:PORT --hex HEX
  udp_tool.py recv --bind IP:PORT --timeout S         -> prints payloads as hex lines
  udp_tool.py frames --iface IF --dst-mac MAC --kind KIND --count N
      raw Ethernet frames to strata-dp, malformed on purpose (KIND: ipv4-options,
      ipv4-fragment, ipv4-bad-checksum, udp-bad-length, udp-bad-checksum,
      truncated-ip, ethertype)
"""
import argparse
import socket
import struct
import sys


def addr(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(src, dst, sport, dport, payload, options=b"", frag=0, bad_ip_sum=False,
             udp_len_delta=0, bad_udp_sum=False):
    udp_len = 8 + len(payload)
    ihl = 5 + len(options) // 4
    total = ihl * 4 + udp_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + options
    ip_sum = csum(hdr) ^ (0x1234 if bad_ip_sum else 0)
    hdr = hdr[:10] + struct.pack("!H", ip_sum) + hdr[12:]
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len + udp_len_delta, 0) + payload
    u_sum = csum(pseudo + udp) or 0xFFFF
    if bad_udp_sum:
        u_sum ^= 0x0F0F
    udp = udp[:6] + struct.pack("!H", u_sum) + udp[8:]
    return hdr + udp


def frames(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    src_mac = s.getsockname()[4]
    dst_mac = bytes.fromhex(args.dst_mac.replace(":", ""))
    payload = bytes([0x80, 96]) + bytes(30)
    kinds = {
        "ipv4-options": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload,
                                         options=b"\x01\x01\x01\x00"),
        "ipv4-fragment": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload,
                                          frag=0x2000),
        "ipv4-bad-checksum": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload,
                                              bad_ip_sum=True),
        "udp-bad-length": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload,
                                           udp_len_delta=6),
        "udp-bad-checksum": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload,
                                             bad_udp_sum=True),
        "truncated-ip": lambda: ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 40000, payload)[:15],
        "ethertype": None,
    }
    for _ in range(args.count):
        if args.kind == "ethertype":
            frame = dst_mac + src_mac + b"\x88\xb5" + bytes(46)
        else:
            frame = dst_mac + src_mac + b"\x08\x00" + kinds[args.kind]()
        s.send(frame)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["send", "recv", "frames"])
    p.add_argument("--bind")
    p.add_argument("--to")
    p.add_argument("--hex", default="")
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--iface")
    p.add_argument("--dst-mac")
    p.add_argument("--kind")
    p.add_argument("--count", type=int, default=1)
    args = p.parse_args()
    if args.mode == "frames":
        frames(args)
        return 0
    host, port = addr(args.bind)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, port))
    if args.mode == "send":
        s.sendto(bytes.fromhex(args.hex), addr(args.to))
        return 0
    s.settimeout(args.timeout)
    try:
        while True:
            data, _ = s.recvfrom(4096)
            print(data.hex(), flush=True)
    except socket.timeout:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
