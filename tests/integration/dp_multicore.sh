#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Two workers (on one CPU here: this machine has two, and the main lcore
# needs one).  A room larger than rooms.fanout_per_worker spreads over both
# workers: the publisher's worker decrypts each input once and hands the
# plaintext to the other worker for its receivers (fan-out shares), and
# packets that arrive on the worker that does not own their leg are handed
# over.  Every receiver still gets every packet, and the counters balance.
# Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"

start_dp 0-2 "[1, 2]" "rooms = { fanout_per_worker = 2; };" --lcores "0@0,1@1,2@1" --main-lcore 0
P=AEAD_AES_128_GCM
COUNT=400
kp=$(key_for $P)
cmds="leg-add id=1 room=7 local=192.0.2.2:42000 remote=192.0.2.1:52000 rx=$P:$kp tx=$P:$kp
stream-add id=1 source=1 leg=1 ssrc=0x9999 codec=opus kind=audio pt=111 clock=48000"
declare -a keys
for r in 1 2 3 4 5 6; do
	keys[$r]=$(key_for $P)
	cmds+=$'\n'"leg-add id=$((r + 1)) room=7 local=192.0.2.2:$((42000 + r)) remote=192.0.2.1:$((52000 + r)) rx=$P:${keys[$r]} tx=$P:${keys[$r]}"
	cmds+=$'\n'"sub-add id=$r leg=$((r + 1)) source=1 ssrc=$((0xa000 + r)) pt=111"
done
driver batch - <<< "$cmds" > "$WORK/setup.json" || fail "setup"
driver dump | grep -o '"worker":[0-9]*' | sort | uniq -c > "$WORK/workers.txt"
[[ $(wc -l < "$WORK/workers.txt") == 2 ]] || fail "the room did not spread over both workers: $(cat "$WORK/workers.txt")"

pids=()
for r in 1 2 3 4 5 6; do
	in_ns "$PEER" recv --bind 192.0.2.1:$((52000 + r)) --profile $P --key "${keys[$r]}" \
		--ssrc $((0xa000 + r)) --count $COUNT --timeout-ms 4000 > "$WORK/r$r.json" &
	pids+=($!)
done
for r in 1 2 3 4 5 6; do wait_udp $((52000 + r)); done
in_ns "$PEER" send --dst 192.0.2.2:42000 --bind 192.0.2.1:52000 --profile $P --key "$kp" \
	--ssrc 0x9999 --count $COUNT --size 900 --rate 2000 > /dev/null
wait "${pids[@]}"
for r in 1 2 3 4 5 6; do
	[[ $(json_get "$WORK/r$r.json" payload_good) == "$COUNT" && $(json_get "$WORK/r$r.json" seq_gaps) == 0 ]] ||
		fail "receiver $r: $(cat "$WORK/r$r.json")"
done
stats_now > /dev/null
shares=$(telemetry /strata/workers | "$PY" -c 'import json,sys; w=json.load(sys.stdin)["/strata/workers"]; print(sum(v["fanout_in"] for v in w.values()))')
[[ $shares -ge $COUNT ]] || fail "no fan-out shares between workers ($shares)"
note "ok: a room over two workers: $COUNT packets to 6 receivers, $shares shares between workers"
sleep 0.3
check_identity
echo PASS
