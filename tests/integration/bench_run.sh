#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-bench run against a real strata-dp, each scenario of bench/scenarios
# at a low fixed rate for a short time (--rate): every output must arrive
# (zero loss, no sequence gap), be the right receiver's, decrypt with that
# receiver's keys (libsrtp2, a sample) to the publisher's payload, and the
# JSON must carry the figures.  Correctness only: speed is the benchmark's.
#
#   strata-bench (memif client, 02:..:01) <--net_memif--> strata-dp (server, 02:..:02)
#     plays every client, behind          192.0.2.2/24, gateway 192.0.2.1
#     gateway 192.0.2.1                   (static neighbour: the bench's MAC)
#
# Its own DPDK prefixes, shared memory and memif socket; nothing else.
source "$(dirname "$0")/lib.sh"

BENCH=$BUILD/bench/strata-bench
SCEN=$(cd "$(dirname "$0")/../../bench/scenarios" && pwd)
SOCK=$WORK/memif.sock

memif_dp_conf "$SOCK"
# A strata-dp per scenario, so that each starts from empty tables and
# counters (dp_memif_churn is the test of one strata-dp serving client
# after client).
start_memif_dp() {
	"$DP" -c "$WORK/strata.conf" > "$WORK/dp.log" 2>&1 &
	DP_PID=$!
	wait_dp_running
}

stop_memif_dp() {
	kill -TERM "$DP_PID"
	wait "$DP_PID" 2>/dev/null || true
	DP_PID=
	rm -f "$SOCK"
}

for s in webinar meeting rooms audio; do
	start_memif_dp
	out=$WORK/$s.json
	"$BENCH" run "$SCEN/$s.conf" --direct --shm "$SHM" --memif "$SOCK" --rate 100 --trial 1 \
		--no-ceiling --out "$out" > "$WORK/$s.txt" 2>&1 ||
		fail "$s: strata-bench run failed: $(tail -30 "$WORK/$s.txt")"
	"$PY" - "$out" "$s" <<'PY' || fail "$s: $(cat "$WORK/$s.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["fixed_rate"]
assert r["scenario"] == sys.argv[2], r["scenario"]
assert f["outputs_expected"] > 0 and f["outputs_received"] == f["outputs_expected"], f
assert f["loss"] == 0, f
assert r["sequence_gaps"] == 0 and r["outputs_wrong"] == 0, r
assert r["decrypted"] > 0 and r["decrypt_failed"] == 0 and r["payload_wrong"] == 0, r
assert r["latency_samples"] > 0 and r["latency_us"]["p50"] > 0, r
exp = f["in_pps"] * r["outputs_per_input"]
assert abs(f["out_pps"] - exp) <= 0.1 * exp, (f, exp)
PY
	# The run removed its state.
	stats=$("$DRIVER" --shm "$SHM" stats) || fail "$s: strata-dp-driver stats failed: $stats"
	[[ $stats == *'"legs":0,"streams":0,"subscriptions":0'* ]] ||
		fail "$s: state left in strata-dp: $stats"
	note "ok: $s: $(grep -E 'outputs expected' "$WORK/$s.txt" | tr -s ' '), tables empty after"
	stop_memif_dp
done
