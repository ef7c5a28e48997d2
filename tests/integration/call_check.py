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
