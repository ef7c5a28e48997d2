#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-dp forwards SRTP between legs, decrypting each input once and
# re-encrypting it for every receiver, checked by libsrtp2 clients:
#   1. every profile, publisher and receiver on different profiles, IPv4
#      and IPv6: every packet arrives, decrypts, has the receiver's SSRC,
#      gapless sequence numbers and the publisher's payload byte for byte;
#   2. fan-out to 6 receivers with their own keys;
#   3. the counters balance and no mbuf leaks (the pool's in-use count
#      returns to where it was before the traffic).
# Topology and helpers: lib.sh.
source "$(dirname "$0")/lib.sh"

start_dp
base_mbufs=$(mbufs_in_use)

PROFILES=(AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AES_256_CM_HMAC_SHA1_80
	  AEAD_AES_128_GCM AEAD_AES_256_GCM)
COUNT=300
leg=0 stream=0 sub=0

# one_way PUBLISHER_PROFILE RECEIVER_PROFILE FAMILY: a pair of legs, a stream
# and a subscription; COUNT packets through; the receiver's report checked.
one_way() {
	local pp=$1 rp=$2 fam=$3 me peer lport
	if [[ $fam == 6 ]]; then me="[2001:db8::2]"; peer="[2001:db8::1]"; else me=192.0.2.2; peer=192.0.2.1; fi
	local kp kr a b
	kp=$(key_for "$pp"); kr=$(key_for "$rp")
	a=$((++leg)); b=$((++leg)); stream=$((stream + 1)); sub=$((sub + 1))
	lport=$((40000 + 2 * a))
	driver batch - > "$WORK/setup.json" <<CMDS || fail "setup for $pp -> $rp (IPv$fam)"
leg-add id=$a room=$a local=$me:$lport remote=$peer:$((50000 + a)) rx=$pp:$kp tx=$pp:$kp
leg-add id=$b room=$a local=$me:$((lport + 1)) remote=$peer:$((50000 + b)) rx=$rp:$kr tx=$rp:$kr
stream-add id=$stream source=$stream leg=$a ssrc=$((0x1000 + stream)) codec=opus kind=audio pt=111 clock=48000
sub-add id=$sub leg=$b source=$stream ssrc=$((0x2000 + sub)) pt=111
CMDS
	in_ns "$PEER" recv --bind "$peer:$((50000 + b))" --profile "$rp" --key "$kr" \
		--ssrc $((0x2000 + sub)) --count $COUNT --timeout-ms 3000 > "$WORK/recv.json" &
	local rpid=$!
	wait_udp $((50000 + b))
	in_ns "$PEER" send --dst "$me:$lport" --bind "$peer:$((50000 + a))" --profile "$pp" \
		--key "$kp" --ssrc $((0x1000 + stream)) --count $COUNT --size 1000 --rate 3000 \
		--seq 65400 > "$WORK/send.json"
	wait $rpid
	for k in decrypted payload_good; do
		[[ $(json_get "$WORK/recv.json" $k) == "$COUNT" ]] ||
			fail "$pp -> $rp IPv$fam: $k $(json_get "$WORK/recv.json" $k) of $COUNT: $(cat "$WORK/recv.json")"
	done
	for k in seq_gaps wrong_ssrc auth_fail payload_bad; do
		[[ $(json_get "$WORK/recv.json" $k) == 0 ]] ||
			fail "$pp -> $rp IPv$fam: $k: $(cat "$WORK/recv.json")"
	done
	note "ok: $pp -> $rp over IPv$fam, $COUNT packets across a sequence rollover"
}

for i in "${!PROFILES[@]}"; do
	one_way "${PROFILES[$i]}" "${PROFILES[$(((i + 1) % 5))]}" 4
done
one_way AEAD_AES_128_GCM AES_CM_128_HMAC_SHA1_80 6

# Fan-out: one publisher, six receivers, each with its own keys and SSRC.
kp=$(key_for AES_CM_128_HMAC_SHA1_80)
pub=$((++leg)); stream=$((stream + 1))
cmds="leg-add id=$pub room=100 local=192.0.2.2:41000 remote=192.0.2.1:51000 rx=AES_CM_128_HMAC_SHA1_80:$kp tx=AES_CM_128_HMAC_SHA1_80:$kp
stream-add id=$stream source=$stream leg=$pub ssrc=0x7777 codec=opus kind=audio pt=111 clock=48000"
declare -a rkeys rlegs
for r in 0 1 2 3 4 5; do
	rl=$((++leg)); sub=$((sub + 1)); rkeys[$r]=$(key_for AEAD_AES_128_GCM); rlegs[$r]=$rl
	cmds+=$'\n'"leg-add id=$rl room=100 local=192.0.2.2:$((41001 + r)) remote=192.0.2.1:$((51001 + r)) rx=AEAD_AES_128_GCM:${rkeys[$r]} tx=AEAD_AES_128_GCM:${rkeys[$r]}"
	cmds+=$'\n'"sub-add id=$sub leg=$rl source=$stream ssrc=$((0x8000 + r)) pt=111"
done
driver batch - <<< "$cmds" > "$WORK/setup.json" || fail "fan-out setup"
pids=()
for r in 0 1 2 3 4 5; do
	in_ns "$PEER" recv --bind 192.0.2.1:$((51001 + r)) --profile AEAD_AES_128_GCM \
		--key "${rkeys[$r]}" --ssrc $((0x8000 + r)) --count $COUNT --timeout-ms 3000 \
		> "$WORK/fan$r.json" &
	pids+=($!)
done
for r in 0 1 2 3 4 5; do wait_udp $((51001 + r)); done
in_ns "$PEER" send --dst 192.0.2.2:41000 --bind 192.0.2.1:51000 --key "$kp" --ssrc 0x7777 \
	--count $COUNT --size 1200 --rate 3000 > "$WORK/send.json"
wait "${pids[@]}"
for r in 0 1 2 3 4 5; do
	[[ $(json_get "$WORK/fan$r.json" payload_good) == "$COUNT" && $(json_get "$WORK/fan$r.json" seq_gaps) == 0 ]] ||
		fail "fan-out receiver $r: $(cat "$WORK/fan$r.json")"
done
note "ok: fan-out to 6 receivers, $COUNT packets each"

# The publisher's RFC 6464 audio level is read from its header extension
# and kept per stream (a dump shows it).
kl=$(key_for AES_CM_128_HMAC_SHA1_80)
lleg=$((++leg)); stream=$((stream + 1))
driver batch - > /dev/null <<CMDS || fail "audio level setup"
leg-add id=$lleg room=200 local=192.0.2.2:41100 remote=192.0.2.1:51100 rx=AES_CM_128_HMAC_SHA1_80:$kl tx=AES_CM_128_HMAC_SHA1_80:$kl
stream-add id=$stream source=$stream leg=$lleg ssrc=0x4242 codec=opus kind=audio pt=111 clock=48000 ext-audio-level=3
CMDS
in_ns "$PEER" send --dst 192.0.2.2:41100 --bind 192.0.2.1:51100 --key "$kl" --ssrc 0x4242 \
	--count 20 --rate 1000 --audio-level 42 --ext-id 3 > /dev/null
sleep 0.3
driver dump | grep "\"stream\":$stream," | grep -q '"audio_level":42' ||
	fail "audio level not kept: $(driver dump | grep "\"stream\":$stream,")"
note "ok: the audio level (RFC 6464) of a stream is read and kept"

# Quiet streams are reported stopped (timers.stream_timeout_ms = 1000 here).
driver wait-events 4000 until=stream-stopped > "$WORK/events.json" || true
grep -q '"event":"stream-stopped"' "$WORK/events.json" || fail "no stream-stopped event"
note "ok: stream-stopped reported once the publisher went quiet"

# A source that nobody publishes or subscribes to any more is forgotten:
# its id comes back as another kind and codec.  While a receiver stays
# subscribed it keeps its codec (the receiver's rewrite state is that
# codec's), and a stream of another codec is refused.
src_id=$stream; video=$((stream + 1)); h264=$((stream + 2)); sub_id=900
driver stream-del id=$stream > /dev/null || fail "stream-del $stream"
driver stream-add id=$video source=$src_id leg=$lleg ssrc=0x4343 codec=vp8 kind=video pt=96 \
	clock=90000 > /dev/null || fail "an unused source's id was not reusable as video/VP8"
driver sub-add id=$sub_id leg=$lleg source=$src_id ssrc=0x4444 pt=96 > /dev/null ||
	fail "sub-add on the reused source"
driver stream-del id=$video > /dev/null || fail "stream-del $video"
out=$(driver stream-add id=$h264 source=$src_id leg=$lleg ssrc=0x4545 codec=h264 kind=video \
	pt=102 clock=90000) && fail "a subscribed source changed codec: $out"
grep -q '"status":"einval"' <<< "$out" || fail "subscribed source, other codec: $out"
driver sub-del id=$sub_id > /dev/null || fail "sub-del $sub_id"
driver stream-add id=$h264 source=$src_id leg=$lleg ssrc=0x4545 codec=h264 kind=video \
	pt=102 clock=90000 > /dev/null || fail "a forgotten source's id was not reusable as H.264"
driver stream-del id=$h264 > /dev/null || fail "stream-del $h264"
note "ok: a source is forgotten when its last stream and receiver go, kept while subscribed"

# Drained: the counters balance and every mbuf is back in the pool.
sleep 0.5
check_identity
now_mbufs=$(mbufs_in_use)
[[ $now_mbufs == "$base_mbufs" ]] || fail "mbufs in use: $now_mbufs after the run, $base_mbufs before"
note "ok: counters balance; mbufs in use back to $base_mbufs"
echo "PASS"
