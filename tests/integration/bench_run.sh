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

cat > "$WORK/strata.conf" <<CONF
dataplane = {
  eal = { file_prefix = "$PREFIX"; lcores = "0-1"; main_lcore = 0; hugepages = "no";
          memory_mb = 512;
          vdevs = ["net_memif0,role=server,socket=$SOCK,mac=02:00:00:00:00:02,rsize=14"]; };
  workers = [1];
  ports = ( { device = "net_memif0"; addresses = ["192.0.2.2/24"]; gateway4 = "192.0.2.1";
              neighbours = ( { ip = "192.0.2.1"; mac = "02:00:00:00:00:01"; } ); } );
  pool = { mbufs = 16383; };
  shm = { name = "$SHM"; };
  limits = { legs = 2048; streams = 2048; sources = 2048; subscriptions = 8192; };
};
CONF
# A strata-dp per scenario: DPDK 22.11's memif server can fault in its
# worker's rx when the client disconnects (the control thread unmaps the
# rings under it), so each scenario gets a fresh one rather than a second
# client.
start_memif_dp() {
	"$DP" -c "$WORK/strata.conf" > "$WORK/dp.log" 2>&1 &
	DP_PID=$!
	for _ in $(seq 100); do
		grep -q "strata-dp: running" "$WORK/dp.log" && break
		kill -0 "$DP_PID" 2>/dev/null || fail "strata-dp exited during start-up"
		sleep 0.1
	done
	grep -q "strata-dp: running" "$WORK/dp.log" || fail "strata-dp did not start within 10 s"
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
