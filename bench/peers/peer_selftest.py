#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""strata-peer-load checked against itself, with no peer in between: the
checks bench/peers/rtpengine relies on must be able to fail.

  1. The publisher sends straight to receiver 0, whose key is the
     publisher's: everything arrives and decrypts to the right payload, and
     the publisher's-key check *succeeds* (sender_key_ok > 0): a peer that
     relayed without re-encrypting would be caught.
  2. The same with a receiver key that is not the publisher's: every sampled
     decryption fails (decrypt_failed > 0, decrypted == 0).
  3. The publisher sends to a port nobody reads: everything is counted lost.
  4. ng.py's bencode against BEP 3's examples, and its refusals of malformed
     input (rtpengine's replies are parsed with it).

    peer_selftest.py BUILD_DIR
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ng  # noqa: E402


def free_pair():
    """Two consecutive free UDP ports on loopback (receiver 0 and its RTCP)."""
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port % 2 == 0 and port < 65000:
            return port
    raise SystemExit("no free UDP port")


def run(exe, pub_key, rx_key, to_receiver, profile="AES_CM_128_HMAC_SHA1_80"):
    recv = free_pair()
    pub = free_pair()
    dst = recv if to_receiver else pub + 1  # pub + 1: bound by nobody
    with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as f:
        f.write(rx_key.hex() + "\n")
        keys = f.name
    try:
        p = subprocess.Popen([exe, "--to", "127.0.0.1:%d" % dst, "--from", "127.0.0.1:%d" % pub,
                              "--key", pub_key.hex(), "--ssrc", "4660",
                              "--recv", "127.0.0.1:%d" % recv, "--rx-keys", keys,
                              "--profile", profile, "--pub-profile", profile,
                              "--size", "1200", "--sample", "4"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        out, _ = p.communicate("trial 400 0.5 200\nquit\n", timeout=30)
        assert p.returncode == 0, p.returncode
        return json.loads(out.strip().splitlines()[-1])
    finally:
        os.unlink(keys)


def check_bencode():
    # BEP 3 ("The BitTorrent Protocol Specification"), its examples.
    vectors = [(b"4:spam", b"spam"), (b"0:", b""), (b"i3e", 3), (b"i-3e", -3), (b"i0e", 0),
               (b"l4:spam4:eggse", [b"spam", b"eggs"]),
               (b"d3:cow3:moo4:spam4:eggse", {"cow": b"moo", "spam": b"eggs"}),
               (b"d4:spaml1:a1:bee", {"spam": [b"a", b"b"]})]
    for enc, dec in vectors:
        assert ng.bdecode(enc) == dec, (enc, dec)
        assert ng.bencode(dec) == enc, (enc, dec)
    for bad in (b"", b"i3", b"l4:spam", b"5:spam", b"d3:cowe", b"x", b"4:spamx", b"i3ee",
                b"d3:cow"):
        try:
            ng.bdecode(bad)
        except ng.NgError:
            continue
        raise AssertionError("bdecode accepted %r" % bad)
    print("bencode: %d vectors, malformed inputs refused" % len(vectors))


def main():
    check_bencode()
    exe = os.path.join(sys.argv[1], "bench", "peers", "strata-peer-load")
    k1, k2 = os.urandom(30), os.urandom(30)

    r = run(exe, k1, k1, True)
    print("relay, receiver has the publisher's key:", json.dumps(r))
    assert r["sent"] == 200 and r["received"] == 200 and r["lost"] == 0, r
    assert r["decrypted"] > 0 and r["decrypt_failed"] == 0 and r["payload_wrong"] == 0, r
    assert r["sender_key_tried"] > 0 and r["sender_key_ok"] == r["sender_key_tried"], r

    r = run(exe, k1, k2, True)
    print("relay, receiver has another key:", json.dumps(r))
    assert r["received"] == 200 and r["decrypted"] == 0 and r["decrypt_failed"] > 0, r

    r = run(exe, k1, k1, False)
    print("nothing forwarded:", json.dumps(r))
    assert r["received"] == 0 and r["lost"] == r["expected"] == 200, r
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
