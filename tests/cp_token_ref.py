#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent implementation of Strata's vidyo.io-compatible tokens.

Written from the format (controlplane/token.h), not from the C, with only
the standard library's hashlib, hmac and base64, the way a back end would
write it.  It checks the C three ways:

  vectors [--check FILE]   writes (or compares with FILE) tests/cp_token_vectors.h,
                           the fixed tokens test_cp_token_vectors.c verifies and
                           regenerates; meson runs --check, so the committed
                           file always matches this script.
  fuzz-seeds [--check] DIR writes (or compares with DIR) fuzz_token's seed corpus.
  crosscheck TOOL [N]      drives tests/cp_token_tool (the C library on stdin and
                           stdout) with N seeded random cases: tokens made here
                           verified by C, tokens made by C verified here (and
                           equal byte for byte), and mutated tokens refused by
                           both for the same reason.
  generate / verify        one token from the command line, for people.

The token (vidyo.io's sample generators compute exactly this):

    body  = "provision" NUL user "@" app NUL str(expires_unix + 62167219200) NUL vcard
    token = base64(body NUL hex(HMAC-SHA384(key, body)))

The checks, and their order, are the ones token.h lists; the reason names
are the C's (CP_TOKEN_FOREACH_ERROR).
"""

import base64
import hashlib
import hmac
import os
import random
import re
import subprocess
import sys

YEAR0 = 62167219200
MAX_LEN = 4096
PREFIX = b"provision"
USER_RE = re.compile(rb"[A-Za-z0-9]{1,64}\Z")
APP_RE = re.compile(rb"[A-Za-z0-9._-]{1,64}\Z")
MAC_RE = re.compile(rb"[0-9a-f]{96}\Z")
EXPIRES_RE = re.compile(rb"[1-9][0-9]*\Z")
B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")
U64_MAX = 2**64 - 1


def mac_of(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha384).hexdigest().encode()


def body_of(app: bytes, user: bytes, expires_unix: int, vcard: bytes) -> bytes:
    return b"\0".join([PREFIX, user + b"@" + app, str(expires_unix + YEAR0).encode(), vcard])


def generate(app: bytes, user: bytes, expires_unix: int, vcard: bytes, key: bytes):
    """Returns (reason, token): the token as str, or None."""
    if not USER_RE.match(user):
        return "BAD_USER", None
    if not APP_RE.match(app):
        return "BAD_APP", None
    if expires_unix < 0 or expires_unix > U64_MAX - YEAR0:
        return "BAD_EXPIRY", None
    if not 1 <= len(key) <= 128:
        return "BAD_KEY", None
    body = body_of(app, user, expires_unix, vcard)
    token = base64.b64encode(body + b"\0" + mac_of(key, body)).decode()
    if len(token) > MAX_LEN:
        return "TOO_LONG", None
    return "OK", token


def b64decode_strict(s: str):
    """Standard alphabet, padding complete or absent, canonical; else None."""
    if not B64_RE.match(s):
        return None
    data = s.rstrip("=")
    pad = len(s) - len(data)
    if pad and len(s) % 4:
        return None
    if len(data) % 4 == 1:
        return None
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except ValueError:
        return None
    # Canonical: encoding the bytes again gives back what was written.
    again = base64.b64encode(raw).decode()
    if (again if pad else again.rstrip("=")) != s:
        return None
    return raw


def verify(token: str, keys_for, now: int, skew: int):
    """keys_for(app) -> list of keys (current first).  Returns (reason,
    claims) where claims = (user, app, expires_unix, vcard, key_index)."""
    if len(token) > MAX_LEN:
        return "TOO_LONG", None
    raw = b64decode_strict(token)
    if raw is None:
        return "BAD_BASE64", None
    fields = raw.split(b"\0")
    if len(fields) != 5:
        return "BAD_FIELDS", None
    prefix, jid, expires, vcard, mac = fields
    if prefix != PREFIX:
        return "BAD_PREFIX", None
    user, at, app = jid.partition(b"@")
    if not at or not USER_RE.match(user):
        return "BAD_USER", None
    if not APP_RE.match(app):
        return "BAD_APP", None
    if not EXPIRES_RE.match(expires) or not YEAR0 <= int(expires) <= U64_MAX:
        return "BAD_EXPIRY", None
    if not MAC_RE.match(mac):
        return "BAD_MAC_FORMAT", None
    keys = keys_for(app)
    if not keys:
        return "UNKNOWN_APP", None
    body = raw[: len(raw) - len(mac) - 1]
    matches = [i for i, k in enumerate(keys) if hmac.compare_digest(mac_of(k, body), mac)]
    if not matches:
        return "BAD_MAC", None
    expires_unix = int(expires) - YEAR0
    if now > expires_unix + skew:
        return "EXPIRED", None
    return "OK", (user, app, expires_unix, vcard, matches[0])


def keys_lookup(app: bytes, key: bytes, previous):
    return lambda a: ([key] + ([previous] if previous is not None else [])) if a == app else []


# ---- the committed vectors --------------------------------------------------

KEY = b"4f2d0c61a3b59e78d1c0f3a2b6e9d847"
PREV = b"9a8b7c6d5e4f30211203f4e5d6c7b8a9"
APP = b"demo1.strata.example"
NOW = 1700000000


def raw_token(body: bytes, mac: bytes) -> str:
    return base64.b64encode(body + b"\0" + mac).decode()


def signed(parts, key=KEY, mac_edit=None) -> str:
    """A token over arbitrary fields (prefix, jid, expires, vcard), MAC'd
    with key: for refusals that must not be BAD_MAC's."""
    body = b"\0".join(parts)
    mac = mac_of(key, body)
    return raw_token(body, mac_edit(mac) if mac_edit else mac)


def vector_cases():
    """(name, token, app, key, previous, now, skew, want, gen): want is the
    verdict intended (checked against verify below), gen, for tokens the C
    must also generate byte for byte, is (app, user, expires_unix, vcard,
    signing key)."""
    cases = []

    def good(name, user, expires_unix, vcard=b"", app=APP, key=KEY, previous=None,
             now=NOW, skew=0, sign=None):
        sign = sign or key
        reason, tok = generate(app, user, expires_unix, vcard, sign)
        assert reason == "OK", (name, reason)
        cases.append((name, tok, app, key, previous, now, skew, "OK",
                      (app, user, expires_unix, vcard, sign)))
        return tok

    def other(name, want, tok, key=KEY, previous=None, now=NOW, skew=0, app=APP):
        cases.append((name, tok, app, key, previous, now, skew, want, None))

    t = good("plain, empty vCard", b"alice", NOW + 3600)
    good("vidyo.io-shaped ids", b"demoUser1234", NOW + 99999, app=b"c8475c.vidyo.io")
    good("a vCard with XML, a newline and UTF-8", b"bob", NOW + 60,
         "<vCard><FN>Zo\u00eb \u00c5ngstr\u00f6m</FN>\n<NICKNAME>z</NICKNAME></vCard>"
         .encode())
    good("a vCard of every byte but NUL", b"carol", NOW + 60, bytes(range(1, 256)))
    good("user and app of 64 characters", b"U" * 32 + b"9" * 32, NOW + 60,
         app=b"a.b_c-" + b"x" * 58)
    good("a key of one character", b"dave", NOW + 60, key=b"k")
    good("a key of 128 characters", b"dave", NOW + 60, key=bytes(range(33, 127)) + b"!" * 34)
    good("previous key, in its grace period", b"erin", NOW + 60, previous=PREV, sign=PREV)
    good("current key while a previous one is valid", b"erin", NOW + 60, previous=PREV)
    good("expires at the Unix epoch, skew covers it", b"frank", 0, now=5, skew=5)
    good("now == expires + skew", b"grace", NOW - 30, skew=30)
    good("the largest expiry", b"heidi", U64_MAX - YEAR0)
    # Lengths around base64's padding: 2, 0 and 1 "=".
    pads = {}
    for n in range(3):
        vc = b"v" * (20 + n)
        npad = len(generate(APP, b"ivan", NOW + 60, vc, KEY)[1]) - len(
            generate(APP, b"ivan", NOW + 60, vc, KEY)[1].rstrip("="))
        pads[npad] = good("a token ending in %d \"=\"" % npad, b"ivan", NOW + 60, vc)
    assert sorted(pads) == [0, 1, 2]
    pads = [pads[2], pads[0], pads[1]]
    # The longest vCard that fits in 4096 characters, and one more byte.
    overhead = len(body_of(APP, b"judy", NOW + 60, b"")) + 1 + 96
    longest = b"L" * (3072 - overhead)
    assert len(generate(APP, b"judy", NOW + 60, longest, KEY)[1]) == MAX_LEN
    good("a token of exactly 4096 characters", b"judy", NOW + 60, longest)
    long_body = body_of(APP, b"judy", NOW + 60, longest + b"L")
    other("4100 characters", "TOO_LONG", raw_token(long_body, mac_of(KEY, long_body)))

    other("now == expires + skew + 1", "EXPIRED", t, now=NOW + 3600 + 31, skew=30)
    other("signed with another key", "BAD_MAC", good_token(b"alice", KEY[::-1]))
    other("previous key, no grace period", "BAD_MAC", good_token(b"erin", PREV))
    other("unknown application", "UNKNOWN_APP", t, app=b"other.example")
    other("no padding (two dropped)", "OK", pads[0][:-2])
    other("no padding (one dropped)", "OK", pads[2][:-1])
    other("one padding character dropped from two", "BAD_BASE64", pads[0][:-1])
    other("padding on a full group", "BAD_BASE64", pads[1] + "==")
    other("three padding characters", "BAD_BASE64", pads[0][:-2] + "===")
    other("padding too early", "BAD_BASE64", pads[0][:-6] + "==" + pads[0][-6:-2])
    # Before "==", a character's low 4 bits are unused and must be zero.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other("a non-canonical last character", "BAD_BASE64",
          pads[0][:-3] + alphabet[alphabet.index(pads[0][-3]) | 1] + "==")
    other("a space inside", "BAD_BASE64", t[:8] + " " + t[8:])
    other("a trailing newline", "BAD_BASE64", t + "\n")
    other("URL-safe '-'", "BAD_BASE64", "-" + t[1:])
    other("URL-safe '_'", "BAD_BASE64", t[:-8] + "_" + t[-7:])
    other("= in the middle", "BAD_BASE64", t[:4] + "=" + t[5:])
    other("4k+1 characters", "BAD_BASE64", pads[1] + "A")
    other("empty", "BAD_FIELDS", "")

    jid = b"alice@" + APP
    exp = str(NOW + 3600 + YEAR0).encode()
    other("four fields: no vCard, MAC over three", "BAD_FIELDS", signed([PREFIX, jid, exp]))
    body = b"\0".join([PREFIX, jid, exp, b""])
    other("four fields, no vCard", "BAD_FIELDS", base64.b64encode(
        b"\0".join([PREFIX, jid, exp]) + b"\0" + mac_of(KEY, body)).decode())
    other("six fields: a NUL after the MAC", "BAD_FIELDS", base64.b64encode(
        body + b"\0" + mac_of(KEY, body) + b"\0").decode())
    other("six fields: a NUL inside the vCard", "BAD_FIELDS",
          signed([PREFIX, jid, exp, b"a\0b"]))
    other("prefix capitalised", "BAD_PREFIX", signed([b"Provision", jid, exp, b""]))
    other("prefix truncated", "BAD_PREFIX", signed([b"provisio", jid, exp, b""]))
    for name, j in [("no @", b"alice" + APP), ("empty user", b"@" + APP),
                    ("user with a dot", b"al.ice@" + APP),
                    ("user with a space", b"al ice@" + APP),
                    ("user of 65 characters", b"u" * 65 + b"@" + APP),
                    ("user with UTF-8", "zo\u00eb@".encode() + APP)]:
        other("bad user: " + name, "BAD_USER", signed([PREFIX, j, exp, b""]))
    for name, j in [("empty app", b"alice@"), ("a second @", b"alice@" + APP + b"@x"),
                    ("app with a slash", b"alice@app/1"),
                    ("app of 65 characters", b"alice@" + b"a" * 65)]:
        other("bad app: " + name, "BAD_APP", signed([PREFIX, j, exp, b""]))
    for name, e in [("empty", b""), ("letters", b"abc"), ("a sign", b"+" + exp),
                    ("negative", b"-1"), ("a leading zero", b"0" + exp),
                    ("zero", b"0"), ("before the Unix epoch", str(YEAR0 - 1).encode()),
                    ("2^64", str(2**64).encode()), ("30 digits", b"9" * 30),
                    ("a decimal point", exp + b".5"), ("a space", exp + b" ")]:
        other("bad expiry: " + name, "BAD_EXPIRY", signed([PREFIX, jid, e, b""]))
    for name, edit in [("uppercase", lambda m: m.upper()), ("95 digits", lambda m: m[:-1]),
                       ("97 digits", lambda m: m + b"0"), ("not hex", lambda m: b"g" + m[1:]),
                       ("empty", lambda m: b"")]:
        other("bad MAC format: " + name, "BAD_MAC_FORMAT",
              signed([PREFIX, jid, exp, b""], mac_edit=edit))
    for i in (0, 47, 95):
        other("MAC digit %d changed" % i, "BAD_MAC",
              signed([PREFIX, jid, exp, b""], mac_edit=lambda m, i=i:
                     m[:i] + (b"0" if m[i:i + 1] != b"0" else b"1") + m[i + 1:]))
    return cases


def good_token(user, key, vcard=b""):
    return generate(APP, user, NOW + 3600, vcard, key)[1]


def c_string(b: bytes) -> str:
    out = []
    for c in b:
        if c in (0x22, 0x5C) or c < 0x20 or c > 0x7E or c == 0x3F:
            out.append("\\%03o" % c)  # octal: never swallows the next character
        else:
            out.append(chr(c))
    return '"' + "".join(out) + '"'


def vectors_header() -> str:
    lines = [
        "/* SPDX-License-Identifier: BSD-3-Clause */",
        "/*",
        " * Generated by tests/cp_token_ref.py vectors: do not edit.  The Python",
        " * reference's tokens and its verdicts, which test_cp_token_vectors.c checks",
        " * the C against (meson's cp_token_vectors_fresh keeps this file in step",
        " * with the script).",
        " */",
        "static const struct token_vector token_vectors[] = {",
    ]
    for name, tok, app, key, prev, now, skew, want, gen in vector_cases():
        reason, claims = verify(tok, keys_lookup(app, key, prev), now, skew)
        assert reason == want, (name, reason, want)
        lines.append("\t{ %s," % c_string(name.encode()))
        lines.append("\t  %s," % c_string(tok.encode()))
        lines.append("\t  %s, %s, %s, %dull, %du, %s," % (
            c_string(app), c_string(key), c_string(prev) if prev is not None else "NULL",
            now, skew, c_string(reason.encode())))
        if claims:
            u, a, e, v, ki = claims
            lines.append("\t  %s, %s, %dull, %s, %du, %du, %d }," % (
                c_string(u), c_string(a), e, c_string(v), len(v), ki, 1 if gen else 0))
        else:
            lines.append("\t  NULL, NULL, 0, NULL, 0, 0, 0 },")
    lines.append("};")
    return "\n".join(lines) + "\n"


# ---- fuzz_token's seed corpus -----------------------------------------------

FUZZ_APP = b"fuzz.app"  # as in tests/fuzz/fuzz_token.c
FUZZ_KEY = b"fuzz-developer-key-0001"
FUZZ_PREVIOUS = b"fuzz-previous-key-0002"
FUZZ_NOW = 1700000000


def fuzz_seeds():
    """{file name: bytes} for tests/fuzz/corpus/token/."""
    def tok(user, expires, vcard=b"", key=FUZZ_KEY):
        return generate(FUZZ_APP, user, expires, vcard, key)[1]

    valid = tok(b"alice", FUZZ_NOW + 3600)
    seeds = {
        "text-valid.txt": valid,
        "text-unpadded.txt": tok(b"bob", FUZZ_NOW + 3600, b"v").rstrip("="),
        "text-previous-key.txt": tok(b"carol", FUZZ_NOW + 60, key=FUZZ_PREVIOUS),
        "text-expired.txt": tok(b"dave", FUZZ_NOW - 301),
        "text-vcard.txt": tok(b"erin", FUZZ_NOW + 60,
                              b"<vCard><FN>Erin</FN><EMAIL>e@example.org</EMAIL></vCard>"),
        "text-bad-mac.txt": tok(b"frank", FUZZ_NOW + 60, key=b"not-the-key"),
    }
    raw = {
        "raw-valid.bin": tok(b"alice", FUZZ_NOW + 3600),
        "raw-previous-key.bin": tok(b"carol", FUZZ_NOW + 60, key=FUZZ_PREVIOUS),
        "raw-expired.bin": tok(b"dave", FUZZ_NOW - 301),
        "raw-max-expiry.bin": tok(b"heidi", U64_MAX - YEAR0),
        "raw-user-64.bin": tok(b"U" * 64, FUZZ_NOW + 60),
    }
    out = {name: t.encode() for name, t in seeds.items()}
    out.update({name: base64.b64decode(t) for name, t in raw.items()})
    return out


def fuzz_seeds_main(args):
    check = args[:1] == ["--check"]
    directory = args[-1]
    want = fuzz_seeds()
    if not check:
        os.makedirs(directory, exist_ok=True)
        for name, data in want.items():
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
        return 0
    have = {}
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            have[name] = f.read()
    if have != want:
        print("%s differs from what cp_token_ref.py fuzz-seeds writes: run\n"
              "  rm -r %s && /usr/bin/python3 tests/cp_token_ref.py fuzz-seeds %s"
              % (directory, directory, directory), file=sys.stderr)
        return 1
    print("%s: %d seeds, up to date" % (directory, len(want)))
    return 0


# ---- the cross-check against the C ------------------------------------------

def hx(b: bytes) -> str:
    return "x" + b.hex()


def unhx(s: str) -> bytes:
    assert s.startswith("x"), s
    return bytes.fromhex(s[1:])


class Tool:
    """tests/cp_token_tool on a pipe: one request line, one answer line."""

    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)

    def ask(self, *words):
        self.p.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            sys.exit("cp_token_tool exited")
        return line.split()

    def close(self):
        self.p.stdin.close()
        return self.p.wait()


def random_case(rng):
    alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    appch = alnum + b"._-"
    user = bytes(rng.choice(alnum) for _ in range(rng.randint(1, 64)))
    app = bytes(rng.choice(appch) for _ in range(rng.randint(1, 64)))
    vcard = bytes(rng.randint(1, 255) for _ in range(rng.choice([0, 1, 2, 3, 50, 700])))
    key = bytes(rng.randint(0x21, 0x7E) for _ in range(rng.choice([16, 32, 33, 128])))
    expires = rng.choice([0, 1, NOW, NOW + rng.randint(0, 10**6), U64_MAX - YEAR0,
                          rng.randint(0, U64_MAX - YEAR0)])
    return app, user, expires, vcard, key


def mutate(rng, tok: str) -> str:
    """A token changed the way an attacker or a broken client would."""
    kind = rng.randrange(6)
    if kind == 0 and tok:  # one base64 character replaced by any printable
        i = rng.randrange(len(tok))
        return tok[:i] + chr(rng.randint(0x21, 0x7E)) + tok[i + 1:]
    if kind == 1:  # cut
        return tok[: rng.randrange(len(tok) + 1)]
    raw = bytearray(base64.b64decode(tok))
    if kind == 2:  # one bit of the decoded token
        i = rng.randrange(len(raw))
        raw[i] ^= 1 << rng.randrange(8)
    elif kind == 3:  # a byte of the decoded token replaced by NUL, '@', a digit...
        raw[rng.randrange(len(raw))] = rng.choice(b"\0@0a=A/ \xff")
    elif kind == 4:  # bytes inserted
        i = rng.randrange(len(raw) + 1)
        raw[i:i] = bytes(rng.choice(b"\0@9z") for _ in range(rng.randint(1, 3)))
    else:  # bytes removed
        i = rng.randrange(len(raw))
        del raw[i: i + rng.randint(1, 3)]
    out = base64.b64encode(bytes(raw)).decode()
    return out.rstrip("=") if rng.random() < 0.3 else out


def crosscheck(tool_path, n):
    rng = random.Random(20240601)
    tool = Tool(tool_path)
    failures = checks = 0

    def expect(cond, *what):
        nonlocal failures, checks
        checks += 1
        if not cond:
            failures += 1
            print("FAIL:", *what)

    for case in range(n):
        app, user, expires, vcard, key = random_case(rng)
        prev = bytes(rng.randint(0x21, 0x7E) for _ in range(32)) if rng.random() < 0.3 else None
        now = rng.choice([0, expires, expires + 1, NOW, min(expires + 5, U64_MAX)])
        skew = rng.choice([0, 1, 5, 300])
        lookup = keys_lookup(app, key, prev)

        reason, tok = generate(app, user, expires, vcard, key)
        ans = tool.ask("gen", hx(app), hx(user), expires, hx(vcard), hx(key))
        expect(ans[0] == reason, case, "generate:", ans, "python:", reason)
        if reason != "OK":
            continue
        expect(ans[1] == tok, case, "C and Python tokens differ", ans[1], tok)
        c_tok = ans[1]
        # C's token verified here, ours verified by C, same verdicts.
        want = verify(c_tok, lookup, now, skew)
        ans = tool.ask("verify", hx(tok.encode()), hx(app), hx(key),
                       hx(prev) if prev is not None else "-", now, skew)
        got = (ans[0], (unhx(ans[1]), unhx(ans[2]), int(ans[3]), unhx(ans[4]), int(ans[5]))
               if ans[0] == "OK" else None)
        expect(got == want, case, "verify:", got, "python:", want)
        # The same token mutated: both refuse it (or both accept), same reason.
        for _ in range(4):
            m = mutate(rng, tok)
            want = verify(m, lookup, now, skew)
            ans = tool.ask("verify", hx(m.encode()), hx(app), hx(key),
                           hx(prev) if prev is not None else "-", now, skew)
            expect(ans[0] == want[0], case, "mutated", repr(m), "C:", ans[0], "python:",
                   want[0])
    rc = tool.close()
    expect(rc == 0, "cp_token_tool exit status", rc)
    print("cp_token crosscheck: %d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "vectors":
        text = vectors_header()
        if len(argv) == 4 and argv[2] == "--check":
            with open(argv[3]) as f:
                if f.read() != text:
                    print("%s differs from what cp_token_ref.py vectors writes: run\n"
                          "  /usr/bin/python3 tests/cp_token_ref.py vectors > %s"
                          % (argv[3], argv[3]), file=sys.stderr)
                    return 1
            print("%s: %d vectors, up to date" % (argv[3], len(vector_cases())))
            return 0
        sys.stdout.write(text)
        return 0
    if len(argv) in (3, 4) and argv[1] == "fuzz-seeds":
        return fuzz_seeds_main(argv[2:])
    if len(argv) in (3, 4) and argv[1] == "crosscheck":
        return crosscheck(argv[2], int(argv[3]) if len(argv) == 4 else 300)
    if len(argv) == 7 and argv[1] == "generate":
        _, _, app, user, expires, vcard, key = argv
        reason, tok = generate(app.encode(), user.encode(), int(expires), vcard.encode(),
                               key.encode())
        print(tok if tok else reason)
        return 0 if tok else 1
    if len(argv) in (6, 7, 8) and argv[1] == "verify":
        tok, app, key, now = argv[2:6]
        skew = int(argv[6]) if len(argv) > 6 else 0
        prev = argv[7].encode() if len(argv) > 7 else None
        reason, claims = verify(tok, keys_lookup(app.encode(), key.encode(), prev), int(now),
                                skew)
        print(reason, *(claims or ()))
        return 0 if reason == "OK" else 1
    print("usage: cp_token_ref.py vectors [--check FILE]\n"
          "       cp_token_ref.py crosscheck TOOL [N]\n"
          "       cp_token_ref.py fuzz-seeds [--check] DIR\n"
          "       cp_token_ref.py generate APP USER EXPIRES_UNIX VCARD KEY\n"
          "       cp_token_ref.py verify TOKEN APP KEY NOW_UNIX [SKEW [PREVIOUS_KEY]]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
