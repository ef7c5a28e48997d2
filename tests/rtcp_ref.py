#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent reading of RTCP feedback, to cross-check dataplane/rtcp.

Written from the specifications, not from the C code: RFC 3550 section
6.4.1 (the common header and padding), RFC 4585 section 6 (feedback
messages: Generic NACK, PLI), RFC 5104 section 4.3.1 (FIR),
draft-alvestrand-rmcat-remb-03 (REMB) and
draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1
(transport-wide CC).  Where the C parser makes a choice the documents leave
open, this one makes the same choice, said here in words:

  * an item is reported only once it is wholly valid; the first bad packet
    ends the packet, and nothing after it is read;
  * the TWCC symbol 11 is refused within the status count, ignored after it;
    a one-bit symbol 1 means "received, small delta";
  * REMB's Num SSRC must match the length exactly, and at most 64 SSRCs;
  * the first failing check wins, checks running in the C parser's order
    (a packet's structure before its values; TWCC chunks in order, each
    chunk's symbols checked before the next chunk is looked for).

Reads one packet per line, in hex, on stdin; prints, per packet, one line
per RTCP packet in the format of tests/test_dp_rtcp.h's rt_dump() and a
last line "end <error>".  Only feedback packets (PT 205 and 206) are
understood; at any other packet type it prints "stop" and moves to the
next line (test_dp_rtcp_ref.c cuts its vectors before those).

Run with --self-test to check it against published examples only.
"""
import sys

REMB_MAX_SSRCS = 64


class Refused(Exception):
    pass


def be(b):
    return int.from_bytes(b, "big")


def signed(v, bits):
    return v - (1 << bits) if v & (1 << (bits - 1)) else v


def nack(sender, media, fci):
    if not fci:
        raise Refused("empty_fci")
    if len(fci) % 4:
        raise Refused("fci_bad_length")
    lost = []
    for i in range(0, len(fci), 4):
        pid, blp = be(fci[i:i + 2]), be(fci[i + 2:i + 4])
        lost.append(pid)
        lost += [(pid + b) % 65536 for b in range(1, 17) if blp >> (b - 1) & 1]
    return "nack ssrc=%08x media=%08x lost=%s" % (sender, media, ",".join(map(str, lost)))


def fir(sender, media, fci):
    if not fci:
        raise Refused("empty_fci")
    if len(fci) % 8:
        raise Refused("fci_bad_length")
    entries = "".join(" [%08x #%d]" % (be(fci[i:i + 4]), fci[i + 4])
                      for i in range(0, len(fci), 8))
    return "fir ssrc=%08x media=%08x%s" % (sender, media, entries)


def remb(sender, media, fci, pt, fmt):
    if not fci:
        raise Refused("empty_fci")
    if fci[:4] != b"REMB":
        return "fb pt=%d fmt=%d ssrc=%08x media=%08x fci=%d" % (pt, fmt, sender, media, len(fci))
    if len(fci) < 8:
        raise Refused("remb_truncated")
    num = fci[4]
    exp = fci[5] >> 2
    mantissa = ((fci[5] & 3) << 16) | be(fci[6:8])
    if len(fci) != 8 + 4 * num:
        raise Refused("remb_ssrc_count")
    if num > REMB_MAX_SSRCS:
        raise Refused("remb_too_many_ssrcs")
    bps = mantissa << exp
    if bps >= 1 << 64:
        raise Refused("remb_bitrate_overflow")
    ssrcs = ",".join("%08x" % be(fci[8 + 4 * i:12 + 4 * i]) for i in range(num))
    return "remb ssrc=%08x media=%08x bps=%d exp=%d mantissa=%d ssrcs=%s" % (
        sender, media, bps, exp, mantissa, ssrcs)


def twcc_statuses(fci, count):
    """The list of status symbols and the offset where the deltas start."""
    symbols, off = [], 8
    while len(symbols) < count:
        if off + 2 > len(fci):
            raise Refused("twcc_missing_chunks")
        chunk = be(fci[off:off + 2])
        off += 2
        if chunk >> 15 == 0:                      # run length chunk
            run = [chunk >> 13 & 3] * (chunk & 0x1fff)
        elif chunk >> 14 & 1 == 0:               # 14 one-bit symbols
            run = [chunk >> (13 - k) & 1 for k in range(14)]
        else:                                     # 7 two-bit symbols
            run = [chunk >> (12 - 2 * k) & 3 for k in range(7)]
        taken = run[:count - len(symbols)]
        if 3 in taken:
            raise Refused("twcc_reserved_symbol")
        symbols += taken
    return symbols, off


def twcc(sender, media, fci):
    if not fci:
        raise Refused("empty_fci")
    if len(fci) < 8:
        raise Refused("twcc_truncated")
    base, count = be(fci[0:2]), be(fci[2:4])
    ref, fb_count = signed(be(fci[4:7]), 24), fci[7]
    if count == 0:
        raise Refused("twcc_no_status")
    symbols, off = twcc_statuses(fci, count)
    needed = sum({0: 0, 1: 1, 2: 2}[s] for s in symbols)
    if off + needed > len(fci):
        raise Refused("twcc_missing_deltas")
    out, t = [], 0
    for i, s in enumerate(symbols):
        seq = (base + i) % 65536
        if s == 0:
            out.append("%d:0" % seq)
            continue
        if s == 1:
            delta = fci[off]
        else:
            delta = signed(be(fci[off:off + 2]), 16)
        off += s
        t += delta * 250
        out.append("%d:%d@%d" % (seq, s, t))
    return "twcc ssrc=%08x media=%08x base=%d count=%d ref=%d fb=%d %s" % (
        sender, media, base, count, ref, fb_count, " ".join(out))


def feedback(pt, fmt, body):
    if len(body) < 8:
        raise Refused("too_short")
    sender, media, fci = be(body[0:4]), be(body[4:8]), body[8:]
    if pt == 205 and fmt == 1:
        return nack(sender, media, fci)
    if pt == 205 and fmt == 15:
        return twcc(sender, media, fci)
    if pt == 206 and fmt == 1:
        return "pli ssrc=%08x media=%08x" % (sender, media)
    if pt == 206 and fmt == 4:
        return fir(sender, media, fci)
    if pt == 206 and fmt == 15:
        return remb(sender, media, fci, pt, fmt)
    return "fb pt=%d fmt=%d ssrc=%08x media=%08x fci=%d" % (pt, fmt, sender, media, len(fci))


def packet(data):
    """The lines for one compound packet."""
    lines, off = [], 0
    try:
        while True:
            rest = data[off:]
            if not rest and lines:
                return lines + ["end ok"]
            if len(rest) < 4:
                raise Refused("truncated")
            if rest[0] >> 6 != 2:
                raise Refused("bad_version")
            size = 4 * (be(rest[2:4]) + 1)
            if size > len(rest):
                raise Refused("bad_length")
            body = rest[4:size]
            if rest[0] & 0x20:
                pad = body[-1] if body else 0
                if pad == 0 or pad > len(body):
                    raise Refused("bad_padding")
                body = body[:len(body) - pad]
            pt, fmt = rest[1], rest[0] & 0x1f
            if pt not in (205, 206):
                return lines + ["stop"]
            lines.append(feedback(pt, fmt, body))
            off += size
    except Refused as why:
        return lines + ["end " + str(why)]


def self_test():
    """Published examples, decoded by hand in their sources."""
    # libwebrtc remb_unittest.cc: 0x3fb93 * 2 bps for three SSRCs.
    webrtc_remb = bytes.fromhex("8fce0007123456780000000052454d420307fb93"
                                "234567892345678a2345678b")
    assert packet(webrtc_remb)[0].split()[3] == "bps=522022"
    # The draft's examples: run of 221 "not received"; the one-bit vector
    # 1x not received, 5x received, 3x not, 3x received, 2x not.
    assert twcc_statuses(bytes(8) + bytes.fromhex("00dd"), 221)[0] == [0] * 221
    assert twcc_statuses(bytes(8) + bytes.fromhex("9f1c"), 14)[0] == \
        [0] + [1] * 5 + [0] * 3 + [1] * 3 + [0] * 2
    # libwebrtc nack_unittest.cc kPacket: 0, 1, 3, 8, 16.
    assert packet(bytes.fromhex("81cd00031234567823456789000080 85".replace(" ", "")))[0] \
        .endswith("lost=0,1,3,8,16")
    # pion/rtcp transport_layer_cc_test.go, example 1: 37 ms after the reference.
    assert packet(bytes.fromhex("afcd0005fa17fa1743032fa0009900013de80217200194 01"
                                .replace(" ", "")))[0].endswith("153:1@37000")


def main():
    self_test()
    if sys.argv[1:] == ["--self-test"]:
        print("rtcp_ref.py: self-test passed")
        return
    for line in sys.stdin:
        line = line.strip()
        if line == "":
            data = b""
        else:
            data = bytes.fromhex(line)
        for out in packet(data):
            print(out)


if __name__ == "__main__":
    main()
