# SPDX-License-Identifier: BSD-3-Clause
"""What the call tests (call3.sh, call_codecs.sh, call_linkdrop.sh) read and
check of strata-client's reports: each party's --json line, written when it
leaves.  Imported by their inline checks (call_lib.sh's call_check runs them
with this directory on PYTHONPATH)."""
import json
import sys


def reports(work, names):
    """Each party's report: the last JSON line of WORK/NAME.json."""
    return {n: json.loads(open(f"{work}/{n}.json").read().strip().splitlines()[-1])
            for n in names}


def published(out):
    """Every stream any party sent: stream id -> (publisher, its report)."""
    return {s["stream"]: (n, s) for n, o in out.items() for s in o["sent"]}


def received_from_others(n, o, sent, bad):
    """Party n's received streams, stream id -> (publisher, sent, received),
    when they are exactly the other parties' streams; else a problem in bad
    and None.  Each is printed, a line per stream."""
    streams = {r["stream"]: r for r in o["received"]}
    others = [s for s, (pub, _) in sent.items() if pub != n]
    if sorted(streams) != sorted(others):
        bad.append(f"{n} receives {sorted(streams)}, expected {sorted(others)}")
        return None
    for sid, r in streams.items():
        pub, s = sent[sid]
        print(f"# {n:6} from {pub:6} {r['kind']:5} {r['codec']:4} sent {s['frames_sent']:4} "
              f"decoded {r['frames_decoded']:4} errors {r['decode_errors']} packets {r['packets']} "
              f"frames in {r['frames_received']} maxTL {r['max_temporal_layer']} "
              f"after prefs {r.get('max_temporal_layer_after_prefs', '-')}")
    return {sid: (sent[sid][0], sent[sid][1], r) for sid, r in streams.items()}


def party_problems(n, o, signaling=True):
    """What no party's report may show: SRTP failures (libsrtp2 at the
    client refused a packet) and, with signaling, a lost connection."""
    bad = []
    if signaling and o["connection_lost"]:
        bad.append(f"{n}: signaling lost {o['connection_lost']} times")
    m = o["media"]
    if m["auth_failed"] or m["other_failed"]:
        bad.append(f"{n}: SRTP failures {m}")
    return bad


def finish(bad, out, work, logs=True):
    """Prints the problems (and, with logs, each party's media figures and
    the end of its log) and exits 1 if there are any, else 0."""
    for b in bad:
        print("FAIL:", b)
    if bad and logs:
        for n in out:
            print(f"--- {n} --- media {out[n]['media']}")
            print(open(f"{work}/{n}.err").read()[-1500:])
    sys.exit(1 if bad else 0)
