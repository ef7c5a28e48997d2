# SPDX-License-Identifier: BSD-3-Clause
"""rtpengine's ng control protocol (bencode over UDP) and the SDP it takes and
gives, for bench/peers/rtpengine.

A message is "COOKIE DICT": the cookie matches the reply to its request, the
dictionary is bencoded (rtpengine's docs/ng_control_protocol.md, "The ng
Control Protocol"; bencode as BitTorrent's BEP 3 defines it).
"""
import base64
import os
import re
import socket


class NgError(Exception):
    pass


def bencode(x):
    if isinstance(x, bool):
        raise TypeError("bencode has no booleans")
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return b"%d:%s" % (len(x), x)
    if isinstance(x, list):
        return b"l" + b"".join(bencode(i) for i in x) + b"e"
    if isinstance(x, dict):
        # BEP 3: keys are strings, in sorted order.
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(x.items())) + b"e"
    raise TypeError("cannot bencode %r" % type(x))


def bdecode(b):
    """Decodes one bencoded value that fills b; strings stay bytes, dictionary
    keys become str.  Raises NgError on anything malformed."""

    def one(i):
        if i >= len(b):
            raise NgError("bencode: truncated")
        c = b[i:i + 1]
        if c == b"i":
            j = b.index(b"e", i)
            return int(b[i + 1:j]), j + 1
        if c in (b"l", b"d"):
            i += 1
            items = []
            while b[i:i + 1] != b"e":
                if i >= len(b):
                    raise NgError("bencode: unterminated list or dictionary")
                v, i = one(i)
                items.append(v)
            if c == b"l":
                return items, i + 1
            if len(items) % 2:
                raise NgError("bencode: dictionary with a key and no value")
            return {items[k].decode(): items[k + 1] for k in range(0, len(items), 2)}, i + 1
        if c.isdigit():
            j = b.index(b":", i)
            n = int(b[i:j])
            if j + 1 + n > len(b):
                raise NgError("bencode: string past the end")
            return b[j + 1:j + 1 + n], j + 1 + n
        raise NgError("bencode: unexpected byte %r at %d" % (c, i))

    try:
        v, end = one(0)
    except ValueError as e:
        raise NgError("bencode: %s" % e) from None
    if end != len(b):
        raise NgError("bencode: %d bytes after the value" % (len(b) - end))
    return v


class Ng:
    """One ng client socket; request() sends a command and returns the reply
    dictionary, raising NgError on a timeout or result=error."""

    def __init__(self, host, port, timeout=5.0):
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)

    def request(self, d, tries=3):
        cookie = os.urandom(8).hex().encode()
        msg = cookie + b" " + bencode(d)
        for _ in range(tries):
            self.sock.sendto(msg, self.addr)
            try:
                while True:
                    data, _ = self.sock.recvfrom(65535)
                    if data.startswith(cookie + b" "):
                        break
            except socket.timeout:
                continue
            r = bdecode(data[len(cookie) + 1:])
            if r.get("result") == b"error":
                raise NgError("%s: %s" % (d.get("command"),
                                          r.get("error-reason", b"?").decode(errors="replace")))
            return r
        raise NgError("%s: no reply from rtpengine at %s:%d" % (d.get("command"), *self.addr))


# RFC 4568 section 6.1: a=crypto:<tag> <crypto-suite> <key-params>, with
# inline:<key||salt base64>[|lifetime][|MKI:length].
CRYPTO_RE = re.compile(r"^a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)", re.M)


def new_key():
    """A fresh 30-byte master key and salt (AES_CM_128, RFC 4568 6.2.1)."""
    return os.urandom(30)


def b64(key):
    return base64.b64encode(key).decode()


def sdp(port, profile, tag, key, direction, codec="VP8/90000", pt=96):
    """An SDES SDP for one video stream on loopback (RFC 4566, RFC 4568)."""
    return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=strata-peer\r\nc=IN IP4 127.0.0.1\r\n"
            "t=0 0\r\nm=video %d RTP/SAVP %d\r\na=rtpmap:%d %s\r\na=%s\r\n"
            "a=crypto:%d %s inline:%s\r\n" % (port, pt, pt, codec, direction, tag, profile,
                                              b64(key)))


def media_port(sdp_text):
    m = re.search(r"^m=video (\d+) RTP/SAVP", sdp_text, re.M)
    if not m:
        raise NgError("rtpengine's SDP has no RTP/SAVP video line:\n" + sdp_text)
    return int(m.group(1))


def crypto_line(sdp_text, profile):
    """(tag, key) of the SDP's a=crypto line for profile."""
    for tag, suite, key in CRYPTO_RE.findall(sdp_text):
        if suite == profile:
            k = base64.b64decode(key)
            if len(k) != 30:
                raise NgError("%s key of %d bytes" % (profile, len(k)))
            return int(tag), k
    raise NgError("rtpengine's SDP offers no %s:\n%s" % (profile, sdp_text))
