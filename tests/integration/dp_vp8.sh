#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real VP8 with three temporal layers (tests/data/vp8/l1t3.rtp, made by
# libvpx through GStreamer: tests/data/vp8/capture.sh) through strata-dp to
# receivers limited to temporal layer 0, 1 and 2, and to one whose limit
# drops from 2 to 0 mid-stream.  Each receiver decrypts with libsrtp2 and
# decodes with libvpx (vp8dec): no decode errors, the expected frame count
# per layer (38, 75, 150 of 150), gapless sequence numbers, and every
# decoded picture identical to the same frame of the full stream.  A fifth
# receiver joins half-way: strata-dp asks for a keyframe (an event for
# strata-cp) and the receiver starts cleanly at the next one.  Then
# simulcast: the capture published as two encodings (two SSRCs); a
# receiver asked to move from encoding 0 to 1 half-way switches at the
# next keyframe, with continuous numbering and no decode error.
# Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"
CAPTURE=$(cd "$(dirname "$0")/../data/vp8" && pwd)/l1t3.rtp
DECODE=$BUILD/tests/tools/vp8_decode_check
[[ -x $DECODE ]] && "$DECODE" --probe > /dev/null 2>&1 ||
	{ echo "SKIP: GStreamer's VP8 decoder is not available (run scripts/setup)"; exit 77; }
PACKETS=296 HALF=148

start_dp
P=AES_CM_128_HMAC_SHA1_80
kp=$(key_for $P)
cmds="leg-add id=1 room=1 local=192.0.2.2:43000 remote=192.0.2.1:53000 rx=$P:$kp tx=$P:$kp
stream-add id=1 source=1 leg=1 ssrc=0xabc codec=vp8 kind=video pt=96 clock=90000"
declare -a keys
targets=(0 1 2 2 2)
for r in 0 1 2 3 4; do
	keys[$r]=$(key_for $P)
	cmds+=$'\n'"leg-add id=$((r + 2)) room=1 local=192.0.2.2:$((43001 + r)) remote=192.0.2.1:$((53001 + r)) rx=$P:${keys[$r]} tx=$P:${keys[$r]}"
	[[ $r == 4 ]] ||
		cmds+=$'\n'"sub-add id=$((r + 1)) leg=$((r + 2)) source=1 ssrc=$((0xb000 + r)) pt=96 spatial=0 temporal=${targets[$r]}"
done
driver batch - <<< "$cmds" > "$WORK/setup.json" || fail "setup"

pids=()
for r in 0 1 2 3 4; do
	in_ns "$PEER" recv --bind 192.0.2.1:$((53001 + r)) --profile $P --key "${keys[$r]}" \
		--ssrc $((0xb000 + r)) --count $PACKETS --timeout-ms 2500 --first-timeout-ms 15000 --dump "$WORK/out$r.rtp" \
		> "$WORK/r$r.json" &
	pids+=($!)
done
for r in 0 1 2 3 4; do wait_udp $((53001 + r)); done
# One sender (one SRTP session: the sequence numbers wrap mid-capture and
# the rollover counter must carry on), paused half-way for the change.
in_ns "$PEER" send --dst 192.0.2.2:43000 --bind 192.0.2.1:53000 --profile $P --key "$kp" \
	--ssrc 0xabc --file "$CAPTURE" --count $PACKETS --rate 300 \
	--pause-at $HALF --go-file "$WORK/go" > "$WORK/send.json" &
spid=$!
for _ in $(seq 200); do [[ -e $WORK/go.paused ]] && break; sleep 0.05; done
[[ -e $WORK/go.paused ]] || fail "the sender did not reach the half-way point"
driver sub-layers id=4 spatial=0 temporal=0 > /dev/null || fail "sub-layers"
driver sub-add id=5 leg=6 source=1 ssrc=$((0xb004)) pt=96 spatial=0 temporal=all > /dev/null ||
	fail "sub-add mid-stream"
driver wait-events 4000 until=keyframe-needed > "$WORK/events.json" &
epid=$!
sleep 0.5
touch "$WORK/go"
wait $spid
wait $epid || true
grep -q '"event":"keyframe-needed".*"sub":5' "$WORK/events.json" ||
	fail "no keyframe-needed event for the late joiner: $(cat "$WORK/events.json")"
note "ok: the late joiner's wait for a keyframe was reported (keyframe-needed)"
wait "${pids[@]}"

"$DECODE" --hashes "$CAPTURE" > "$WORK/full.json"
check() { # R EXPECTED_FRAMES (or "between LOW HIGH")
	local r=$1 lo=$2 hi=${3:-$2}
	"$DECODE" --hashes "$WORK/out$r.rtp" > "$WORK/dec$r.json"
	"$PY" - "$WORK/dec$r.json" "$WORK/full.json" "$WORK/r$r.json" "$lo" "$hi" <<'PY' ||
import json, sys
dec, full, rx = (json.load(open(p)) for p in sys.argv[1:4])
lo, hi = int(sys.argv[4]), int(sys.argv[5])
problems = []
if dec["decode_errors"]:
    problems.append(f'{dec["decode_errors"]} decode errors')
if not lo <= dec["frames_decoded"] <= hi:
    problems.append(f'{dec["frames_decoded"]} frames decoded, expected {lo}..{hi}')
if rx["seq_gaps"] or rx["auth_fail"] or rx["wrong_ssrc"]:
    problems.append(f'receiver report {rx}')
stray = set(dec["hashes"]) - set(full["hashes"])
if stray:
    problems.append(f'{len(stray)} pictures differ from the full stream')
if problems:
    print("; ".join(problems))
    sys.exit(1)
PY
		fail "receiver $r (temporal ${targets[$r]}): see above"
	note "ok: receiver $r: $(json_get "$WORK/dec$r.json" frames_decoded) frames decoded, no errors, gapless"
}
check 0 38
check 1 75
check 2 150
# Full layers for the first half (74 frames), base layer after the switch.
check 3 85 95
# The late joiner starts at the keyframe at frame 120: 30 frames.
check 4 30
# Simulcast: encodings 0 and 1 of source 2, the same pictures.
ks=$(key_for $P) kr=$(key_for $P)
driver batch - > /dev/null <<CMDS || fail "simulcast setup"
leg-add id=20 room=2 local=192.0.2.2:43100 remote=192.0.2.1:53100 rx=$P:$ks tx=$P:$ks
leg-add id=21 room=2 local=192.0.2.2:43101 remote=192.0.2.1:53101 rx=$P:$kr tx=$P:$kr
stream-add id=20 source=2 leg=20 ssrc=0xc00 codec=vp8 kind=video pt=96 clock=90000 encoding=0
stream-add id=21 source=2 leg=20 ssrc=0xc01 codec=vp8 kind=video pt=96 clock=90000 encoding=1
sub-add id=20 leg=21 source=2 ssrc=0xd00 pt=96 spatial=0 temporal=all
CMDS
# (A few more than the capture's packets may come: around the switch the
# old encoding's first packet of the keyframe precedes the new one's.)
in_ns "$PEER" recv --bind 192.0.2.1:53101 --profile $P --key "$kr" --ssrc 0xd00 \
	--count $((PACKETS + 20)) --timeout-ms 1500 --first-timeout-ms 15000 --dump "$WORK/out5.rtp" > "$WORK/r5.json" &
rpid=$!
wait_udp 53101
in_ns "$PEER" send --dst 192.0.2.2:43100 --bind 192.0.2.1:53100 --profile $P --key "$ks" \
	--ssrc 0xc00 --ssrc2 0xc01 --file "$CAPTURE" --count $PACKETS --rate 300 \
	--pause-at $HALF --go-file "$WORK/go2" > /dev/null &
spid=$!
for _ in $(seq 200); do [[ -e $WORK/go2.paused ]] && break; sleep 0.05; done
driver sub-layers id=20 spatial=1 temporal=all > /dev/null || fail "simulcast sub-layers"
touch "$WORK/go2"
wait $spid
wait $rpid
targets[5]="encoding 0 then 1"
# Every frame arrives once: encoding 0 until the keyframe at frame 120, then 1.
check 5 150
driver dump | grep '"sub":20,' | grep -q '"cur_spatial":1' ||
	fail "the receiver did not switch encodings: $(driver dump | grep '"sub":20,')"
note "ok: simulcast switch from encoding 0 to 1 at a keyframe, gapless, no decode error"

sleep 0.3
check_identity
echo PASS
