#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Bandwidth adaptation and active speakers through a real strata-dp.
#
# One publisher loops the real VP8 L1T3 capture (tests/data/vp8/l1t3.rtp:
# about 190 kbit/s in temporal layer 0, 320 with layer 1, 460 with all
# three) for 18 s to three receivers subscribed with no cap (temporal=all),
# each a bwe-peer that decrypts with libsrtp2 and sends scripted SRTCP
# feedback built independently of Strata's RTCP code:
#
#   receiver A (REMB only):  2 Mbit/s for 5 s, 280 kbit/s for 5 s, then
#       2 Mbit/s for 8 s: it must get all three layers, then layer 0 alone
#       (down at once), then all three again (up after the estimate held);
#   receiver B (transport-cc, extension id 5): true arrival times for 6 s,
#       then a queue growing 300 ms every second: all layers, then fewer or
#       none (the delay-based estimate drops below what they cost);
#   receiver C (transport-cc): 6 s clean, then 40% of its packets reported
#       lost: all layers, then fewer (the loss-based estimate);
#   receiver D (REMB only): 2 Mbit/s for 4 s, 60 kbit/s (not even layer 0
#       fits) for 3 s, then 2 Mbit/s for 11 s: all layers, then nothing at
#       all (the policy leaves it out), then back from a keyframe (up after
#       the doubled hold; the looped capture has one every 5 s) to all
#       layers, its output decoding cleanly across the gap.
#
# Every packet B and C get carries the transport-wide number of their own
# leg, without gaps; strata-dp reports each change of targets
# (layers-changed events) in the expected direction, and A's output decodes
# without error in libvpx across the switches.
#
# Then speakers: two publishers in room 2 send Opus-like packets with RFC
# 6464 levels; the loud one swaps half-way.  active-speaker events name the
# first as the loudest, then the second (loudest_changed), at most 2 a
# second.  Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"
CAPTURE=$(cd "$(dirname "$0")/../data/vp8" && pwd)/l1t3.rtp
BWE_PEER=$BUILD/tests/peer/bwe-peer
DECODE=$BUILD/tests/tools/vp8_decode_check
[[ -x $BWE_PEER ]] || fail "bwe-peer is not built ($BWE_PEER)"

start_dp
P=AES_CM_128_HMAC_SHA1_80
kp=$(key_for $P) ka=$(key_for $P) kb=$(key_for $P) kc=$(key_for $P) kd=$(key_for $P)
driver batch - > "$WORK/setup.json" <<CMDS || fail "setup: $(cat "$WORK/setup.json")"
leg-add id=1 room=1 local=192.0.2.2:44000 remote=192.0.2.1:54000 rx=$P:$kp tx=$P:$kp
stream-add id=1 source=1 leg=1 ssrc=0xabc codec=vp8 kind=video pt=96 clock=90000
leg-add id=2 room=1 local=192.0.2.2:44001 remote=192.0.2.1:54001 rx=$P:$ka tx=$P:$ka
leg-add id=3 room=1 local=192.0.2.2:44002 remote=192.0.2.1:54002 rx=$P:$kb tx=$P:$kb ext-transport-cc=5
leg-add id=4 room=1 local=192.0.2.2:44003 remote=192.0.2.1:54003 rx=$P:$kc tx=$P:$kc ext-transport-cc=5
leg-add id=5 room=1 local=192.0.2.2:44004 remote=192.0.2.1:54004 rx=$P:$kd tx=$P:$kd
sub-add id=1 leg=2 source=1 ssrc=0xa001 pt=96 temporal=all
sub-add id=2 leg=3 source=1 ssrc=0xb001 pt=96 temporal=all
sub-add id=3 leg=4 source=1 ssrc=0xc001 pt=96 temporal=all
sub-add id=4 leg=5 source=1 ssrc=0xd001 pt=96 temporal=all
CMDS
grep -q '"status":"ok"' "$WORK/setup.json" && ! grep -q '"status":"e' "$WORK/setup.json" ||
	fail "setup refused: $(cat "$WORK/setup.json")"

# The events of the whole run, read by one consumer (line-buffered: it is
# stopped when the receivers are done).
stdbuf -oL "$DRIVER" --shm "$SHM" wait-events 120000 count=1000000 > "$WORK/events.json" 2>&1 &
epid=$!
in_ns "$BWE_PEER" recv --bind 192.0.2.1:54001 --dst 192.0.2.2:44001 --key "$ka" \
	--ssrc 0x5a01 --media-ssrc 0xa001 --dump "$WORK/outA.rtp" \
	--script 5000:remb:2000000,5000:remb:280000,8000:remb:2000000 > "$WORK/A.json" &
pa=$!
in_ns "$BWE_PEER" recv --bind 192.0.2.1:54002 --dst 192.0.2.2:44002 --key "$kb" \
	--ssrc 0x5b01 --media-ssrc 0xb001 --twcc-id 5 \
	--script 6000:twcc,12000:delay:300 > "$WORK/B.json" &
pb=$!
in_ns "$BWE_PEER" recv --bind 192.0.2.1:54003 --dst 192.0.2.2:44003 --key "$kc" \
	--ssrc 0x5c01 --media-ssrc 0xc001 --twcc-id 5 \
	--script 6000:twcc,12000:loss:40 > "$WORK/C.json" &
pc=$!
in_ns "$BWE_PEER" recv --bind 192.0.2.1:54004 --dst 192.0.2.2:44004 --key "$kd" \
	--ssrc 0x5d01 --media-ssrc 0xd001 --dump "$WORK/outD.rtp" \
	--script 4000:remb:2000000,3000:remb:60000,11000:remb:2000000 > "$WORK/D.json" &
pd=$!
for port in 54001 54002 54003 54004; do wait_udp $port; done
in_ns "$BWE_PEER" send --dst 192.0.2.2:44000 --bind 192.0.2.1:54000 --key "$kp" \
	--ssrc 0xabc --file "$CAPTURE" --duration-ms 20000 --rate 59 > "$WORK/send.json" &
ps=$!
# The receivers' scripts run 18 s from their first packet.
wait $pa $pb $pc $pd
sleep 0.3
kill $epid 2>/dev/null || true
wait $ps
wait $epid 2>/dev/null || true
note "A: $(cat "$WORK/A.json")"
note "B: $(cat "$WORK/B.json")"
note "C: $(cat "$WORK/C.json")"
note "D: $(cat "$WORK/D.json")"

"$PY" - "$WORK/A.json" "$WORK/B.json" "$WORK/C.json" "$WORK/D.json" "$WORK/events.json" <<'PY' ||
import json, sys
a, b, c, d = (json.load(open(p)) for p in sys.argv[1:5])
events = [json.loads(l) for l in open(sys.argv[5]) if l.startswith("{")]
changed = [e for e in events if e.get("event") == "layers-changed"]
problems = []
def layers(rx, i):
    return rx["phases"][i]["max_tid_late"], rx["phases"][i]["tids_late"]
# A: REMB high, low, high.
if layers(a, 0)[0] != 2: problems.append(f"A, REMB 2M: layers {layers(a, 0)}, want up to 2")
if layers(a, 1) != (0, 1): problems.append(f"A, REMB 280k: layers {layers(a, 1)}, want 0 only")
if layers(a, 2)[0] != 2: problems.append(f"A, REMB 2M again: layers {layers(a, 2)}, want up to 2")
for name, rx in (("B (delay)", b), ("C (loss)", c)):
    before, after = layers(rx, 0)[0], layers(rx, 1)[0]
    if before != 2: problems.append(f"{name}: clean feedback gave layers up to {before}, want 2")
    # Fewer layers, or none at all (-1) once not even layer 0 fits.
    if not after < before: problems.append(f"{name}: congestion left layers up to {after}")
    # Every packet numbered, each number once, none skipped (the tap loses
    # nothing): span = last - first + 1.
    if rx["twcc_missing"] or rx["twcc_dups"] or rx["twcc_seen"] != rx["decrypted"] or \
            rx["twcc_span"] != rx["twcc_seen"] or rx["twcc_seen"] < 300:
        problems.append(f"{name}: transport-wide numbers {rx['twcc_seen']} seen over a span "
                        f"of {rx['twcc_span']}, {rx['twcc_missing']} packets without, "
                        f"{rx['twcc_dups']} repeated, of {rx['decrypted']}")
if a["twcc_seen"]: problems.append("A has no transport-cc but got the extension")
# D: left out at 60 kbit/s -- nothing in the second half of that phase --
# and back to every layer.
if layers(d, 0)[0] != 2: problems.append(f"D, REMB 2M: layers {layers(d, 0)}, want up to 2")
if layers(d, 1)[1] != 0: problems.append(f"D, REMB 60k: layers {layers(d, 1)} arrived, want none")
if layers(d, 2)[0] != 2: problems.append(f"D, REMB 2M again: layers {layers(d, 2)}, want up to 2")
ond = [e["on"] for e in changed if e["sub"] == 4]
if 0 not in ond or ond[-1] != 1: problems.append(f"D's layers-changed on/off {ond}: want off, then on")
# The events tell the same story, sub by sub.
def temporals(sub):
    return [e["temporal"] for e in changed if e["sub"] == sub]
ta, tb, tc = temporals(1), temporals(2), temporals(3)
if 0 not in ta or ta[-1] != 255 and ta[-1] != 2 or ta.index(0) == len(ta) - 1:
    problems.append(f"A's layers-changed temporals {ta}: want a drop to 0, then up again")
for name, t in (("B", tb), ("C", tc)):
    if not t or min(t) >= 2: problems.append(f"{name}'s layers-changed temporals {t}: want a drop")
if problems:
    print("; ".join(problems))
    for e in changed:
        print(e)
    sys.exit(1)
print(f"layers-changed temporals: A {ta}, B {tb}, C {tc}")
PY
	fail "bandwidth adaptation: see above"
note "ok: REMB down then up, transport-cc delay and loss down, stamped gapless"

if [[ -x $DECODE ]] && "$DECODE" --probe > /dev/null 2>&1; then
	"$DECODE" --hashes "$WORK/outA.rtp" > "$WORK/decA.json"
	[[ $(json_get "$WORK/decA.json" decode_errors) == 0 ]] ||
		fail "A's output does not decode cleanly: $(head -c 300 "$WORK/decA.json")"
	note "ok: A's output decodes in libvpx: $(json_get "$WORK/decA.json" frames_decoded) frames, no errors"
	"$DECODE" --hashes "$WORK/outD.rtp" > "$WORK/decD.json"
	[[ $(json_get "$WORK/decD.json" decode_errors) == 0 ]] ||
		fail "D's output does not decode cleanly: $(head -c 300 "$WORK/decD.json")"
	note "ok: D's output, off and back on, decodes in libvpx: $(json_get "$WORK/decD.json" frames_decoded) frames, no errors"
fi

# Leg statistics carry the estimates.
driver stats > "$WORK/stats.json"
"$PY" - "$WORK/stats.json" <<'PY' || fail "leg-stats: see above"
import json, sys
legs = {e["leg"]: e for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "leg-stats"}
a, b = legs[2], legs[3]
bad = []
if not (a["remb_count"] > 0 and a["bwe_source"] == 2 and 1000000 <= a["bwe_bps"] <= 2000000):
    bad.append(f"leg 2 (REMB 2M last): {a}")
if not (b["twcc_feedbacks"] > 100 and b["twcc_stamped"] > 300 and b["bwe_bps"] < 460000 and
        b["twcc_unstamped"] == 0):
    bad.append(f"leg 3 (transport-cc, congested): {b}")
if legs[1]["twcc_stamped"]:
    bad.append("leg 1 has no transport-cc but was stamped")
if bad:
    print("; ".join(bad)); sys.exit(1)
PY
note "ok: leg-stats report the estimates (REMB 2M on leg 2, delay-based on leg 3)"

# ---- active speaker -------------------------------------------------------
k1=$(key_for $P) k2=$(key_for $P)
driver batch - > /dev/null <<CMDS || fail "speaker setup"
room-policy room=2 policy=1 speaker-events-per-s=2
leg-add id=10 room=2 local=192.0.2.2:44010 remote=192.0.2.1:54010 rx=$P:$k1 tx=$P:$k1
leg-add id=11 room=2 local=192.0.2.2:44011 remote=192.0.2.1:54011 rx=$P:$k2 tx=$P:$k2
stream-add id=10 source=10 leg=10 ssrc=0x1010 codec=opus pt=111 ext-audio-level=1
stream-add id=11 source=11 leg=11 ssrc=0x1111 codec=opus pt=111 ext-audio-level=1
CMDS
stdbuf -oL "$DRIVER" --shm "$SHM" wait-events 120000 count=1000000 > "$WORK/spk.json" 2>&1 &
epid=$!
speak() { # LEG SSRC KEY LEVEL SEQ
	in_ns "$PEER" send --dst 192.0.2.2:$((44000 + $1)) --bind 192.0.2.1:$((54000 + $1)) \
		--profile $P --key "$3" --ssrc "$2" --count 200 --rate 50 --size 60 --pt 111 \
		--seq "$5" --audio-level "$4" --ext-id 1 > /dev/null
}
# 4 s: leg 10 speaks (-20 dBov), leg 11 murmurs (-90); then they swap.  (4 s,
# not 1: a loaded machine stalls the senders now and then, and speaking
# takes 400 ms of voice within a second.)
speak 10 0x1010 "$k1" 20 1000 & s1=$!
speak 11 0x1111 "$k2" 90 1000 & s2=$!
wait $s1 $s2
speak 10 0x1010 "$k1" 90 3000 & s1=$!
speak 11 0x1111 "$k2" 20 3000 & s2=$!
wait $s1 $s2
sleep 1
kill $epid 2>/dev/null || true
wait $epid 2>/dev/null || true
"$PY" - "$WORK/spk.json" <<'PY' || fail "active speaker: see above"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
spk = [e for e in ev if e.get("event") == "active-speaker" and e["room"] == 2]
changes = [e["loudest_stream"] for e in spk if e["loudest_changed"]]
bad = []
if changes[:1] != [10] or 11 not in changes or changes.index(11) < 1:
    bad.append(f"loudest changes {changes}: want stream 10, then 11")
last = spk[-1] if spk else {}
if last.get("loudest_stream") != 11 or last.get("ranked", [None])[0] != 11 or \
        sorted(last.get("ranked", [])) != [10, 11]:
    bad.append(f"last event {last}: want 11 loudest, ranked [11, 10]")
# At most 2 events in any second (the room's policy).  The stats events
# (every 200 ms, with their time) mark the time line: the speaker events
# between two stats events less than a second apart came within a second.
marks = [(i, e["time_ns"]) for i, e in enumerate(ev) if e.get("event") == "stats"]
spk_at = [i for i, e in enumerate(ev) if e.get("event") == "active-speaker"]
for a in range(len(marks)):
    for b in range(a + 1, len(marks)):
        if marks[b][1] - marks[a][1] >= 1e9:
            break
        n = sum(1 for i in spk_at if marks[a][0] < i < marks[b][0])
        if n > 2:
            bad.append(f"{n} events within {(marks[b][1] - marks[a][1]) / 1e6:.0f} ms")
            break
if bad:
    print("; ".join(bad))
    for e in ev:
        if e.get("event") in ("active-speaker", "stream-started", "stream-stopped"):
            print(e)
    sys.exit(1)
print(f"{len(spk)} active-speaker events; loudest changes {changes}")
PY
note "ok: the loudest follows the levels (stream 10, then 11), at most 2 events a second"

sleep 0.3
check_identity
echo PASS
