#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real H.264 through strata-dp (tests/data/h264, capture.sh: x264 and
# openh264 through GStreamer's rtph264pay; 150 access units, IDRs at 0, 60
# and 120, temporal ids 0,2,1,2 repeating):
#
#   l1t3.rtp  three temporal layers (RFC 6190 prefix NAL units): receivers
#             limited to T0, T1, T2 get 38, 75 and 150 pictures, each
#             pixel for pixel the full stream's (avdec_h264); two switch
#             half-way, T2 -> T0 (down at the next access unit) and T0 -> T2
#             (up one layer at a time at the next pictures of those layers)
#   l2t3.rtp  two spatial layers (NAL unit type 20, DID 1) and three temporal
#             ones, decoded by openh264dec: D0 at T0, T1, T2 gets 38, 75 and
#             112 pictures (38 TID 2 STAP-As mix both layers and are dropped
#             whole for D0, codec/h264.h), D1 at T0, T2 38 and 150, at a
#             larger size than D0's; one receiver goes from D0 to D1
#             half-way and gets there at the IDR of access unit 120
#   avc.rtp   simulcast: published as two encodings (two SSRCs), a receiver
#             moved from encoding 0 to 1 half-way switches at the next IDR
#             (keyframe: IDR with SPS and PPS) and decodes all 150 pictures
#             (one more at the switch: see the check)
#
# Every receiver decrypts with libsrtp2 (srtp-peer): no decode error,
# gapless sequence numbers.  Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/h264" && pwd)
DECODE=$BUILD/tests/tools/h264_decode_check
[[ -x $DECODE ]] && "$DECODE" --probe > /dev/null 2>&1 &&
	"$DECODE" --decoder openh264 --probe > /dev/null 2>&1 ||
	{ echo "SKIP: GStreamer's H.264 decoders are not available (run scripts/setup)"; exit 77; }

P=AES_CM_128_HMAC_SHA1_80

# run_case NAME CAPTURE BASE "S T"... [-- "S T"...]: one publisher, one
# receiver per target; the targets after -- are what the receivers before
# them are switched to half-way (by position; "-" = no switch).  With
# SIMULCAST=1 the capture is published as encodings 0 and 1 (each packet sent
# twice: RATE, default 300, is per encoding).
run_case() {
	local name=$1 capture=$2 base=$3
	shift 3
	local -a from=() to=() keys=() pids=()
	while (($#)) && [[ $1 != -- ]]; do from+=("$1"); shift; done
	(($#)) && shift
	to=("$@")
	local n=${#from[@]} packets half r s t kp cmds
	packets=$("$PY" -c 'import struct,sys
d=open(sys.argv[1],"rb").read(); i=n=0
while i < len(d): i += 4 + struct.unpack(">I", d[i:i+4])[0]; n += 1
print(n)' "$capture")
	half=$((packets / 2))
	kp=$(key_for $P)
	cmds="leg-add id=$base room=$base local=192.0.2.2:$((43000 + base)) remote=192.0.2.1:$((53000 + base)) rx=$P:$kp tx=$P:$kp
stream-add id=$base source=$base leg=$base ssrc=$((0x1000 + base)) codec=h264 kind=video pt=102 clock=90000 encoding=0"
	[[ ${SIMULCAST:-0} == 1 ]] &&
		cmds+=$'\n'"stream-add id=$((base + 50)) source=$base leg=$base ssrc=$((0x2000 + base)) codec=h264 kind=video pt=102 clock=90000 encoding=1"
	for ((r = 0; r < n; r++)); do
		keys[$r]=$(key_for $P)
		read -r s t <<< "${from[$r]}"
		cmds+=$'\n'"leg-add id=$((base + 1 + r)) room=$base local=192.0.2.2:$((43001 + base + r)) remote=192.0.2.1:$((53001 + base + r)) rx=$P:${keys[$r]} tx=$P:${keys[$r]}"
		cmds+=$'\n'"sub-add id=$((base + 1 + r)) leg=$((base + 1 + r)) source=$base ssrc=$((0xb000 + r)) pt=102 spatial=$s temporal=$t"
	done
	driver batch - <<< "$cmds" > "$WORK/$name-setup.json" || fail "$name: setup"
	for ((r = 0; r < n; r++)); do
		in_ns "$PEER" recv --bind 192.0.2.1:$((53001 + base + r)) --profile $P --key "${keys[$r]}" \
			--ssrc $((0xb000 + r)) --count 1000000 --timeout-ms 12000 \
			--dump "$WORK/$name-out$r.rtp" > "$WORK/$name-r$r.json" &
		pids+=($!)
	done
	for ((r = 0; r < n; r++)); do wait_udp $((53001 + base + r)); done
	local extra=()
	[[ ${SIMULCAST:-0} == 1 ]] && extra=(--ssrc2 $((0x2000 + base)))
	in_ns "$PEER" send --dst 192.0.2.2:$((43000 + base)) --bind 192.0.2.1:$((53000 + base)) \
		--profile $P --key "$kp" --ssrc $((0x1000 + base)) "${extra[@]}" --file "$capture" \
		--count "$packets" --rate "${RATE:-300}" --pause-at $half --go-file "$WORK/$name-go" \
		> "$WORK/$name-send.json" &
	local spid=$!
	for _ in $(seq 200); do [[ -e $WORK/$name-go.paused ]] && break; sleep 0.05; done
	[[ -e $WORK/$name-go.paused ]] || fail "$name: the sender did not reach the half-way point"
	for ((r = 0; r < ${#to[@]}; r++)); do
		[[ ${to[$r]} == - ]] && continue
		read -r s t <<< "${to[$r]}"
		driver sub-layers id=$((base + 1 + r)) spatial=$s temporal=$t > /dev/null ||
			fail "$name: sub-layers"
	done
	sleep 0.3
	touch "$WORK/$name-go"
	wait $spid
	# The receivers stop when nothing has come for 12 s (long enough for
	# all of them to start on a loaded machine before the sender does);
	# strata-dp's own RTCP would keep them waiting: their legs go.
	sleep 1
	driver dump > "$WORK/$name-dump.json"
	for ((r = 0; r < n; r++)); do driver leg-del id=$((base + 1 + r)) > /dev/null; done
	wait "${pids[@]}"
}

# check NAME R DECODER LO HI [FULL_HASHES [STRAY]]: receiver R's output
# decodes with no error to LO..HI pictures, gapless; with FULL_HASHES every
# picture is one of the full stream's, in order, but for at most STRAY.
check() {
	local name=$1 r=$2 decoder=$3 lo=$4 hi=$5 full=${6:-} stray=${7:-0}
	"$DECODE" --decoder "$decoder" --hashes "$WORK/$name-out$r.rtp" > "$WORK/$name-dec$r.json" \
		2> "$WORK/$name-dec$r.err" || { tail -5 "$WORK/$name-dec$r.err"; cat "$WORK/$name-dec$r.json"; }
	"$PY" - "$WORK/$name-dec$r.json" "$WORK/$name-r$r.json" "$lo" "$hi" "$full" "$stray" <<'PY' ||
import json, sys
dec, rx = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
lo, hi, full, stray = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
problems = []
if dec["decode_errors"]:
    problems.append(f'{dec["decode_errors"]} decode errors')
if not lo <= dec["frames_decoded"] <= hi:
    problems.append(f'{dec["frames_decoded"]} pictures decoded, expected {lo}..{hi}')
if rx["seq_gaps"] or rx["auth_fail"] or rx["wrong_ssrc"]:
    problems.append(f'receiver report {rx}')
if full:
    ref = json.load(open(full))["hashes"]
    known = [h for h in dec["hashes"] if h in ref]
    it = iter(ref)
    if len(dec["hashes"]) - len(known) > stray or not all(h in it for h in known):
        problems.append('pictures differ from the full stream\'s (or come out of order)')
if problems:
    print("; ".join(problems) + f'; receiver report {rx}')
    sys.exit(1)
PY
		fail "$name receiver $r: see above"
	note "ok: $name receiver $r: $(json_get "$WORK/$name-dec$r.json" frames_decoded) pictures ($(json_get "$WORK/$name-dec$r.json" width)x$(json_get "$WORK/$name-dec$r.json" height)), no decode error, gapless"
}

start_dp

"$DECODE" --hashes "$DATA/l1t3.rtp" > "$WORK/l1t3-full.json"
run_case l1t3 "$DATA/l1t3.rtp" 100 "0 0" "0 1" "0 2" "0 2" "0 0" -- - - - "0 0" "0 2"
check l1t3 0 avdec 38 38 "$WORK/l1t3-full.json"
check l1t3 1 avdec 75 75 "$WORK/l1t3-full.json"
check l1t3 2 avdec 150 150 "$WORK/l1t3-full.json"
# Half of the stream whole (75), then every fourth picture: about 94.
check l1t3 3 avdec 80 110 "$WORK/l1t3-full.json"
check l1t3 4 avdec 80 110 "$WORK/l1t3-full.json"

run_case l2t3 "$DATA/l2t3.rtp" 120 "0 0" "0 1" "0 2" "1 0" "1 2" "0 2" -- - - - - - "1 2"
check l2t3 0 openh264 38 38
check l2t3 1 openh264 75 75
check l2t3 2 openh264 112 112
check l2t3 3 openh264 38 38
check l2t3 4 openh264 150 150
# D0 (three of every four pictures) until the IDR at 120, then D1, all.
check l2t3 5 openh264 110 145
w0=$(json_get "$WORK/l2t3-dec2.json" width) w1=$(json_get "$WORK/l2t3-dec4.json" width)
((w1 > w0)) || fail "l2t3: DID 1 pictures ($w1 wide) are not larger than DID 0's ($w0)"
[[ $(json_get "$WORK/l2t3-dec5.json" width) == "$w1" ]] ||
	fail "l2t3: the receiver moved to DID 1 did not end at DID 1's size"
note "ok: l2t3: DID 0 is ${w0} wide, DID 1 ${w1}; the D0 -> D1 receiver ended at ${w1}"

"$DECODE" --hashes "$DATA/avc.rtp" > "$WORK/avc-full.json"
# Half the rate: two encodings' packets, and sanitizer builds are slow.
SIMULCAST=1 RATE=150 run_case avc "$DATA/avc.rtp" 140 "0 2" -- "1 2"
# The sender sends each packet on encoding 0, then on 1: at the switch the
# receiver still gets encoding 0's first packet of the IDR access unit (its
# SPS and PPS, a STAP-A) before encoding 1's keyframe begins, and avdec_h264
# makes one picture more of that parameter-set-only access unit.
check avc 0 avdec 150 151 "$WORK/avc-full.json" 1
grep '"sub":141,' "$WORK/avc-dump.json" | grep -q '"cur_spatial":1' ||
	fail "avc: the receiver did not switch encodings: $(grep '"sub":141,' "$WORK/avc-dump.json")"
note "ok: avc simulcast: encoding 0 -> 1 at an IDR, $(json_get "$WORK/avc-dec0.json" frames_decoded) pictures, no decode error, gapless"

sleep 0.3
check_identity
echo PASS
