#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real spatial and temporal layers through strata-dp: Chromium's VP9 L3T3
# and AV1 L3T3 captures (tests/data/vp9, tests/data/av1: capture.sh) sent by
# a libsrtp2 client to receivers at every layer choice S0..S2 x T0..T2,
# and to two that switch half-way (S2T2 -> S0T0, down at once; S0T0 ->
# S2T2, up at the next keyframe, which strata-dp asks for).  Three ways:
#
#   vp9-dd  VP9 with the dependency descriptor negotiated (ext-dd=13): the
#           codec-independent selection by decode target (select_dd.c)
#   vp9     the same packets without it: RFC 9628's descriptor (select.c)
#   av1-dd  AV1, the dependency descriptor (the only way AV1 says its layers)
#
# Each receiver decrypts with libsrtp2 (srtp-peer) and decodes with
# GStreamer: VP9 straight from RTP (rtpvp9depay ! vp9dec), AV1 through
# webrtc_depay (av1parse ! av1dec).  Checks: no decode error, gapless
# sequence numbers, and for the fixed choices exactly as many pictures as
# the reference stream of those layers has (webrtc_depay --max-spatial S
# --max-temporal T on the capture, without strata-dp), and for VP9 every
# picture equal, pixel for pixel, to the reference's (hashes in order).
# The switching receivers: no decode error, a picture count between the
# two choices', and (VP9) every picture one of the references'.
# Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data" && pwd)
TOOLS=$BUILD/tests/tools
DEPAY=$TOOLS/webrtc_depay
VP9DEC=$TOOLS/vp9_decode_check
[[ -x $VP9DEC ]] && "$VP9DEC" --probe > /dev/null 2>&1 ||
	{ echo "SKIP: GStreamer's VP9 decoder is not available (run scripts/setup)"; exit 77; }
gst-inspect-1.0 av1dec > /dev/null 2>&1 && gst-inspect-1.0 av1parse > /dev/null 2>&1 ||
	{ echo "SKIP: GStreamer's AV1 decoder is not available (run scripts/setup)"; exit 77; }

P=AES_CM_128_HMAC_SHA1_80
CHOICES=("0 0" "0 1" "0 2" "1 0" "1 1" "1 2" "2 0" "2 1" "2 2")
# Receivers 9 and 10 switch at the pause: from, to.
SWITCH_FROM=("2 2" "0 0")
SWITCH_TO=("0 0" "2 2")
N_RECV=11

# decode_ivf_av1 IVF: {"frames_decoded":N,"decode_errors":N,"sizes":[..]}:
# what av1dec makes of an IVF file (the picture sizes it output, in order
# of first appearance).
decode_ivf_av1() {
	local log=$1.gst sizes
	gst-launch-1.0 -v filesrc location="$1" ! ivfparse ! av1parse ! av1dec ! \
		fakesink silent=false > "$log" 2>&1 || true
	sizes=$(sed -n 's/.*fakesink0.GstPad:sink: caps = .*width=(int)\([0-9]*\), height=(int)\([0-9]*\).*/"\1x\2"/p' \
		"$log" | awk '!seen[$0]++' | paste -sd, -)
	echo "{\"frames_decoded\":$(grep -c 'last-message = chain' "$log"),\"decode_errors\":$(grep -cE '^(ERROR|WARNING)' "$log"),\"sizes\":[$sizes]}"
}

# decode_av1 RTP JSON: an AV1 capture, depayloaded by webrtc_depay.
decode_av1() {
	"$DEPAY" "$1" "$2" --out "$1.ivf" > /dev/null ||
		{ echo '{"frames_decoded":0,"decode_errors":1,"sizes":[]}'; return; }
	decode_ivf_av1 "$1.ivf"
}

# decode CODEC RTP JSON OUT: what the decoder made of an RTP capture.
decode() {
	case $1 in
	vp9) "$VP9DEC" --hashes "$2" > "$4" || true ;;
	av1) decode_av1 "$2" "$3" > "$4" ;;
	esac
}

# reference CODEC CAPTURE S T OUT: the capture's layers S, T without strata-dp.
reference() {
	local ivf=$WORK/ref-$1-$3$4.ivf
	"$DEPAY" "$2" --out "$ivf" --max-spatial "$3" --max-temporal "$4" > "$5.depay"
	case $1 in
	vp9) "$VP9DEC" --hashes "$ivf" > "$5" ;;
	av1) decode_ivf_av1 "$ivf" > "$5"
	     [[ $(json_get "$5" frames_decoded) == $(json_get "$5.depay" pictures) &&
		$(json_get "$5" decode_errors) == 0 ]] || fail "reference $3 $4: $(cat "$5")" ;;
	esac
}

# run_case NAME CODEC CAPTURE PT EXT_DD BASE
run_case() {
	local name=$1 codec=$2 capture=$3 pt=$4 dd=$5 base=$6
	local json=${capture%.rtp}.json packets kp cmds r s t
	packets=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$json")
	local half=$((packets / 2))
	local pub=$((base)) src=$((base)) ssrc=$((0x1000 + base))
	local -a keys targets
	kp=$(key_for $P)
	cmds="leg-add id=$pub room=$base local=192.0.2.2:$((43000 + base)) remote=192.0.2.1:$((53000 + base)) rx=$P:$kp tx=$P:$kp
stream-add id=$pub source=$src leg=$pub ssrc=$ssrc codec=$codec kind=video pt=$pt clock=90000${dd:+ ext-dd=$dd}"
	for ((r = 0; r < N_RECV; r++)); do
		keys[$r]=$(key_for $P)
		if ((r < 9)); then targets[$r]=${CHOICES[$r]}; else targets[$r]=${SWITCH_FROM[$((r - 9))]}; fi
		read -r s t <<< "${targets[$r]}"
		cmds+=$'\n'"leg-add id=$((pub + 1 + r)) room=$base local=192.0.2.2:$((43001 + base + r)) remote=192.0.2.1:$((53001 + base + r)) rx=$P:${keys[$r]} tx=$P:${keys[$r]}"
		cmds+=$'\n'"sub-add id=$((pub + 1 + r)) leg=$((pub + 1 + r)) source=$src ssrc=$((0xb000 + r)) pt=$pt spatial=$s temporal=$t"
	done
	driver batch - <<< "$cmds" > "$WORK/$name-setup.json" || fail "$name: setup"

	local -a pids=()
	for ((r = 0; r < N_RECV; r++)); do
		in_ns "$PEER" recv --bind 192.0.2.1:$((53001 + base + r)) --profile $P --key "${keys[$r]}" \
			--ssrc $((0xb000 + r)) --count 1000000 --timeout-ms 12000 \
			--dump "$WORK/$name-out$r.rtp" > "$WORK/$name-r$r.json" &
		pids+=($!)
	done
	for ((r = 0; r < N_RECV; r++)); do wait_udp $((53001 + base + r)); done
	in_ns "$PEER" send --dst 192.0.2.2:$((43000 + base)) --bind 192.0.2.1:$((53000 + base)) \
		--profile $P --key "$kp" --ssrc $ssrc --file "$capture" --count "$packets" --rate 400 \
		--pause-at $half --go-file "$WORK/$name-go" > "$WORK/$name-send.json" &
	local spid=$!
	for _ in $(seq 200); do [[ -e $WORK/$name-go.paused ]] && break; sleep 0.05; done
	[[ -e $WORK/$name-go.paused ]] || fail "$name: the sender did not reach the half-way point"
	for r in 9 10; do
		read -r s t <<< "${SWITCH_TO[$((r - 9))]}"
		driver sub-layers id=$((pub + 1 + r)) spatial=$s temporal=$t > /dev/null ||
			fail "$name: sub-layers"
	done
	sleep 0.3
	touch "$WORK/$name-go"
	wait $spid
	# The receivers stop when nothing has come for 12 s (long enough for
	# all of them to start on a loaded machine before the sender does);
	# strata-dp's own RTCP would keep them waiting: their legs go.
	sleep 1
	for ((r = 0; r < N_RECV; r++)); do driver leg-del id=$((pub + 1 + r)) > /dev/null; done
	wait "${pids[@]}"

	for s in 0 1 2; do for t in 0 1 2; do
		[[ -e $WORK/ref-$codec-$s$t.json ]] ||
			reference "$codec" "$capture" $s $t "$WORK/ref-$codec-$s$t.json"
	done; done
	for ((r = 0; r < N_RECV; r++)); do
		decode "$codec" "$WORK/$name-out$r.rtp" "$json" "$WORK/$name-dec$r.json"
		"$PY" - "$WORK/$name-dec$r.json" "$WORK/$name-r$r.json" "$WORK" "$codec" \
			"${targets[$r]}" "${SWITCH_TO[$((r < 9 ? 0 : r - 9))]}" "$((r >= 9))" <<'PY' ||
import json, sys
dec, rx = (json.load(open(p)) for p in sys.argv[1:3])
work, codec, frm, to, switching = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7] == "1"
ref = lambda st: json.load(open(f'{work}/ref-{codec}-{st.replace(" ", "")}.json'))
problems = []
if dec["decode_errors"]:
    problems.append(f'{dec["decode_errors"]} decode errors')
if rx["seq_gaps"] or rx["auth_fail"] or rx["wrong_ssrc"]:
    problems.append(f'receiver report {rx}')
if not switching:
    want = ref(frm)
    if dec["frames_decoded"] != want["frames_decoded"]:
        problems.append(f'{dec["frames_decoded"]} pictures decoded, the reference has {want["frames_decoded"]}')
    elif codec == "vp9" and dec["hashes"] != want["hashes"]:
        problems.append('pictures differ from the reference')
    elif codec == "av1" and dec["sizes"] != want["sizes"]:
        problems.append(f'picture sizes {dec["sizes"]}, the reference has {want["sizes"]}')
else:
    a, b = ref(frm)["frames_decoded"], ref(to)["frames_decoded"]
    lo, hi = min(a, b), max(a, b)
    if not lo < dec["frames_decoded"] < hi:
        problems.append(f'{dec["frames_decoded"]} pictures decoded, expected between {lo} and {hi}')
    if codec == "vp9":
        known = set()
        for s in "012":
            for t in "012":
                known |= set(ref(f"{s} {t}")["hashes"])
        stray = set(dec["hashes"]) - known
        if stray:
            problems.append(f'{len(stray)} pictures are none of the references\'')
    # Both layer choices were seen: the picture size of each.
    sizes = dec["sizes"] if codec == "av1" else list(dict.fromkeys(h.split(":")[0] for h in dec["hashes"]))
    for st in (frm, to):
        w = ref(st)
        ws = w["sizes"] if codec == "av1" else [h.split(":")[0] for h in w["hashes"][:1]]
        if ws and ws[0] not in sizes:
            problems.append(f'never at {st}\'s size {ws[0]} (sizes {sizes})')
if problems:
    print("; ".join(problems) + f'; receiver report {rx}')
    sys.exit(1)
PY
			fail "$name receiver $r (${targets[$r]}): see above"
		if ((r < 9)); then
			note "ok: $name S${targets[$r]% *}T${targets[$r]#* }: $(json_get "$WORK/$name-dec$r.json" frames_decoded) pictures, as the reference; no decode error, gapless"
		else
			note "ok: $name ${targets[$r]} -> ${SWITCH_TO[$((r - 9))]} mid-stream: $(json_get "$WORK/$name-dec$r.json" frames_decoded) pictures, no decode error, gapless"
		fi
	done
}

start_dp
run_case vp9-dd vp9 "$DATA/vp9/l3t3.rtp" 98 13 100
run_case vp9 vp9 "$DATA/vp9/l3t3.rtp" 98 "" 120
run_case av1-dd av1 "$DATA/av1/l3t3.rtp" 45 13 140
sleep 0.3
check_identity
echo PASS
