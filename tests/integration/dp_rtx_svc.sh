#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Retransmissions of scalable streams carry what the receiver got the first
# time: its VP9 PictureIDs and marker bits, its dependency descriptor
# (active decode targets, frame numbers).  Chromium's VP9 L3T3 and AV1
# L3T3 captures (tests/data/vp9, tests/data/av1), three ways as dp_svc.sh
# sends them (vp9: RFC 9628's descriptor; vp9-dd and av1-dd: the dependency
# descriptor), each to one receiver at S1T1 with RTX (libsrtp2 clients,
# tests/peer/rtcp-peer; topology: lib.sh):
#
#   publisher  192.0.2.1:(53000+B) -> 192.0.2.2:(43000+B)
#   receiver   192.0.2.1:(53001+B) <- 192.0.2.2:(43001+B)  S1T1, RTX pt 99
#
# The publisher sends packets 0-199, the receiver is paused while it sends
# 200-299 and back on for the rest: it starts again at the next keyframe
# (packet 322/323), numbered on from what it last got, so its PictureIDs
# and descriptor frame numbers are no longer the publisher's.  Then it
# NACKs five packets it got after that; each RTX (OSN = the number) must
# equal the first copy byte for byte -- payload (so the VP9 descriptor),
# RTP header extensions (so the dependency descriptor), timestamp, marker
# -- and the first copies must differ from the publisher's packets where
# the router rewrote them (else the test proves nothing).
source "$(dirname "$0")/lib.sh"
RPEER=$BUILD/tests/peer/rtcp-peer
DATA=$(cd "$(dirname "$0")/../data" && pwd)
P=AES_CM_128_HMAC_SHA1_80

start_dp 0-1 "[1]" "rtcp = { rtx_cache_ms = 5000; };"

# run_case NAME CODEC CAPTURE PT EXT_DD BASE
run_case() {
	local name=$1 codec=$2 capture=$3 pt=$4 dd=$5 base=$6
	local packets kp kr ssrc=$((0x1000 + base)) sub=$((base + 1)) layers="spatial=1 temporal=1"
	packets=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' \
		"${capture%.rtp}.json")
	kp=$(key_for $P) kr=$(key_for $P)
	driver batch - > "$WORK/$name-setup.json" <<CMDS || fail "$name: setup"
leg-add id=$base room=$base local=192.0.2.2:$((43000 + base)) remote=192.0.2.1:$((53000 + base)) rx=$P:$kp tx=$P:$kp
stream-add id=$base source=$base leg=$base ssrc=$ssrc codec=$codec kind=video pt=$pt clock=90000${dd:+ ext-dd=$dd}
leg-add id=$sub room=$base local=192.0.2.2:$((43001 + base)) remote=192.0.2.1:$((53001 + base)) rx=$P:$kr tx=$P:$kr
sub-add id=$sub leg=$sub source=$base ssrc=$((0xb000 + base)) pt=$pt rtx-ssrc=$((0xc000 + base)) rtx-pt=99 $layers
CMDS
	in_ns "$RPEER" --bind 192.0.2.1:$((53001 + base)) --dst 192.0.2.2:$((43001 + base)) \
		--profile $P --key "$kr" --ssrc $((0x7000 + base)) --wait-file "$WORK/$name-sent" \
		--nack "$((0xb000 + base)):@-3,@-10,@-25,@-40,@-60" --listen-ms 1500 \
		> "$WORK/$name-r.json" &
	local rp=$!
	wait_udp $((53001 + base))
	# pub SKIP COUNT: the capture's packets SKIP.. as the publisher (a new
	# libsrtp session each time: the router's replay window sees the
	# sequence numbers go on).
	pub() {
		in_ns "$RPEER" --bind 192.0.2.1:$((53000 + base)) --dst 192.0.2.2:$((43000 + base)) \
			--profile $P --key "$kp" --ssrc $ssrc --media "$capture:$1:$2:400" \
			>> "$WORK/$name-pub.json" || fail "$name: publisher"
	}
	pub 0 200
	driver sub-layers id=$sub $layers paused > /dev/null || fail "$name: pause"
	sleep 0.2
	pub 200 100
	driver sub-layers id=$sub $layers > /dev/null || fail "$name: resume"
	sleep 0.2
	pub 300 $((packets - 300))
	sleep 0.3 # the last packets through strata-dp before the NACK's @-i count
	touch "$WORK/$name-sent"
	wait $rp

	"$PY" - "$WORK/$name-r.json" "$capture" "$codec" "$((0xb000 + base))" "$((0xc000 + base))" \
		"$dd" <<'PY' || fail "$name: see above"
import json, struct, sys
out, cap_file, codec, ssrc, rtx_ssrc, dd = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] != ""
def check(cond, msg):
    if not cond:
        print("FAIL:", msg); sys.exit(1)
    print("ok:", msg)

# The capture: each packet's payload and header extension block, in hex.
caps, raw, i = [], open(cap_file, "rb").read(), 0
while i + 4 <= len(raw):
    n = struct.unpack(">I", raw[i:i + 4])[0]
    p = raw[i + 4:i + 4 + n]
    i += 4 + n
    h = 12 + 4 * (p[0] & 15)
    e = h
    if p[0] & 0x10:
        h += 4 + 4 * struct.unpack(">H", p[h + 2:h + 4])[0]
    end = len(p) - (p[-1] if p[0] & 0x20 else 0)
    caps.append({"payload": p[h:end].hex(), "ext": p[e:h].hex(), "m": p[1] >> 7})

lines = [json.loads(l) for l in open(out) if l.startswith("{")]
media = [l["rtp"] for l in lines if "rtp" in l and l["rtp"]["ssrc"] == ssrc]
rtx = [l["rtp"] for l in lines if "rtp" in l and l["rtp"]["ssrc"] == rtx_ssrc]
first = {}
for r in media:
    first.setdefault(r["seq"], r)
check(len(media) > 100 and all((b["seq"] - a["seq"]) % 65536 == 1 for a, b in zip(media, media[1:])),
      f"{codec}: {len(media)} packets, gapless")
nacked = [media[-k]["seq"] for k in (3, 10, 25, 40, 60)]
check(sorted(int(r["payload"][:4], 16) for r in rtx) == sorted(nacked) and
      all(r["pt"] == 99 for r in rtx), f"{codec}: RTX (pt 99) for the five NACKed {nacked}")

# Which capture packet each first copy is: VP9's payload after its first
# three octets (flags, 15-bit PictureID), AV1's whole payload.
def key(payload):
    return payload[6:] if codec == "vp9" else payload
by_key = {}
for c in caps:
    by_key.setdefault(key(c["payload"]), c)
rewritten_desc = rewritten_dd = 0
for r in rtx:
    osn = int(r["payload"][:4], 16)
    f = first[osn]
    check(r["payload"][4:] == f["payload"] and r.get("ext") == f.get("ext") and
          r["ts"] == f["ts"] and r["m"] == f["m"],
          f"{codec}: RTX of {osn} = the first copy: payload, header extensions, timestamp, marker {f['m']}")
    c = by_key.get(key(f["payload"]))
    check(c is not None, f"{codec}: {osn} is a packet of the capture")
    rewritten_desc += c["payload"] != f["payload"]
    rewritten_dd += c["ext"] != f.get("ext")
if codec == "vp9":
    check(rewritten_desc == len(rtx), f"{codec}: their PictureIDs are the receiver's, not the publisher's")
if dd:
    check(rewritten_dd == len(rtx), f"{codec}: their dependency descriptors are the receiver's, not the publisher's")
PY
	note "ok: $name: RTX of five packets after the receiver's restart equal its first copies (rewritten descriptors)"
	driver leg-del id=$sub > /dev/null
	driver leg-del id=$base > /dev/null
}

# DP_RTX_SVC_CASES: a subset of the cases, by name.
cases=" ${DP_RTX_SVC_CASES:-vp9 vp9-dd av1-dd} "
[[ $cases == *" vp9 "* ]] && run_case vp9 vp9 "$DATA/vp9/l3t3.rtp" 98 "" 100
[[ $cases == *" vp9-dd "* ]] && run_case vp9-dd vp9 "$DATA/vp9/l3t3.rtp" 98 13 120
[[ $cases == *" av1-dd "* ]] && run_case av1-dd av1 "$DATA/av1/l3t3.rtp" 45 13 140
for c in rtx_sent rtx_dd_stale rtx_dd_changed; do
	stats_now > /dev/null
	note "$c $(telemetry /strata/rtcp | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["/strata/rtcp"][sys.argv[1]])' $c)"
done
sleep 0.3
check_identity
echo PASS
