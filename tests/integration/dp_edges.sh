#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-dp at its edges (topology and helpers: lib.sh):
#   1. latching: a leg with latch=1 and no remote learns its remote from
#      the first packet that passes SRTP authentication; outputs to a leg
#      with no remote yet are dropped and counted (no_remote);
#   2. a forged packet from elsewhere (wrong key) does not move a latched
#      leg, and a leg without latch drops packets from other addresses
#      (spoofed_source) before any crypto;
#   3. STUN, DTLS and RTP for a port no leg owns are punted to strata-cp;
#   4. strata-cp's packets (the TX ring) reach the client;
#   5. malformed frames are dropped, each with its own counter;
#   6. malformed RTP (CSRC count, extension length past the end) too;
#   7. and the counters balance.
source "$(dirname "$0")/lib.sh"
UT="$PY $(dirname "$0")/udp_tool.py"
P=AES_CM_128_HMAC_SHA1_80

start_dp
K1=$(key_for $P) K2=$(key_for $P) K3=$(key_for $P) KX=$(key_for $P)
driver batch - > "$WORK/setup.json" <<CMDS || fail "setup"
leg-add id=1 room=1 local=192.0.2.2:40000 latch=1 rx=$P:$K1 tx=$P:$K1
leg-add id=2 room=1 local=192.0.2.2:40002 latch=1 rx=$P:$K2 tx=$P:$K2
leg-add id=3 room=1 local=192.0.2.2:40004 remote=192.0.2.1:51004 rx=$P:$K3 tx=$P:$K3
stream-add id=1 source=1 leg=1 ssrc=0x111 codec=opus kind=audio pt=111 clock=48000
stream-add id=2 source=2 leg=2 ssrc=0x222 codec=opus kind=audio pt=111 clock=48000
stream-add id=3 source=3 leg=3 ssrc=0x333 codec=opus kind=audio pt=111 clock=48000
sub-add id=1 leg=2 source=1 ssrc=0x2001 pt=111
CMDS

# drop NAME: a drop counter from /strata/drops (fresh).
drop() {
	stats_now > /dev/null
	telemetry /strata/drops | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["/strata/drops"][sys.argv[1]])' "$1"
}
# wait_drop NAME TARGET: until the counter reaches TARGET (5 s at most);
# prints its last value.
wait_drop() {
	local v
	for _ in $(seq 50); do
		v=$(drop "$1")
		[[ $v -ge $2 ]] && break
		sleep 0.1
	done
	echo "$v"
}
leg_remote() {
	telemetry "/strata/leg,$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["/strata/leg"]["remote"])'
}

# 1. A latches from its first authenticated packet; B has no remote yet.
in_ns "$PEER" send --dst 192.0.2.2:40000 --bind 192.0.2.1:51000 --key "$K1" --ssrc 0x111 \
	--count 50 --rate 2000 > /dev/null
[[ $(wait_drop tx_no_remote 50) -ge 50 ]] || fail "outputs to a leg with no remote: tx_no_remote $(drop tx_no_remote)"
[[ $(leg_remote 1) == "192.0.2.1:51000" ]] || fail "leg 1 did not latch: remote $(leg_remote 1)"
note "ok: leg 1 latched to 192.0.2.1:51000; outputs to leg 2 (no remote yet) counted as no_remote"

# B latches by sending on its own stream; then it receives A's media.
in_ns "$PEER" send --dst 192.0.2.2:40002 --bind 192.0.2.1:51002 --key "$K2" --ssrc 0x222 \
	--count 5 --rate 1000 > /dev/null
for _ in $(seq 50); do [[ $(leg_remote 2) == "192.0.2.1:51002" ]] && break; sleep 0.1; done
[[ $(leg_remote 2) == "192.0.2.1:51002" ]] || fail "leg 2 did not latch: $(leg_remote 2)"
in_ns "$PEER" recv --bind 192.0.2.1:51002 --key "$K2" --ssrc 0x2001 --count 100 \
	--timeout-ms 3000 > "$WORK/recv.json" &
rpid=$!
wait_udp 51002
in_ns "$PEER" send --dst 192.0.2.2:40000 --bind 192.0.2.1:51000 --key "$K1" --ssrc 0x111 \
	--count 100 --rate 2000 --seq 2000 > /dev/null
wait $rpid
[[ $(json_get "$WORK/recv.json" payload_good) == 100 ]] || fail "after latching: $(cat "$WORK/recv.json")"
note "ok: leg 2 latched and receives leg 1's media"

# 2. A forgery from another port does not move leg 1; leg 3 (no latch)
#    drops other sources before decrypting.
auth_before=$(drop srtp_failed)
in_ns "$PEER" send --dst 192.0.2.2:40000 --bind 192.0.2.1:51099 --key "$KX" --ssrc 0x111 \
	--count 20 --rate 2000 --seq 9000 > /dev/null
[[ $(($(wait_drop srtp_failed $((auth_before + 20))) - auth_before)) == 20 ]] ||
	fail "forgeries not counted as srtp_failed"
[[ $(leg_remote 1) == "192.0.2.1:51000" ]] || fail "a forged packet moved leg 1 to $(leg_remote 1)"
spoof_before=$(drop spoofed_source)
in_ns "$PEER" send --dst 192.0.2.2:40004 --bind 192.0.2.1:51098 --key "$K3" --ssrc 0x333 \
	--count 20 --rate 2000 > /dev/null
[[ $(($(wait_drop spoofed_source $((spoof_before + 20))) - spoof_before)) == 20 ]] ||
	fail "leg 3 accepted another source"
note "ok: forgeries do not latch; a non-latching leg drops other sources (spoofed_source)"

# 3. Punts: STUN and DTLS to a leg's port, RTP to a port nobody owns.
stun=000100002112a442$(head -c 12 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
in_ns $UT send --bind 192.0.2.1:51200 --to 192.0.2.2:40000 --hex "$stun"
in_ns $UT send --bind 192.0.2.1:51201 --to 192.0.2.2:40000 --hex 16fefd0000000000000000000100
in_ns $UT send --bind 192.0.2.1:51202 --to 192.0.2.2:45000 --hex 8060000100000000000000aa
driver punts 1000 count=3 > "$WORK/punts.json" || true
"$PY" - "$WORK/punts.json" "$stun" <<'PY' || fail "punts: $(cat "$WORK/punts.json")"
import json, sys
punts = [p for p in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")) if "punt" in p]
classes = sorted(p["punt"] for p in punts)
if classes != ["dtls", "no-leg", "stun"]:
    print("classes", classes); sys.exit(1)
stun = [p for p in punts if p["punt"] == "stun"][0]
if stun["data"] != sys.argv[2] or not stun["remote"].endswith(":51200"):
    print("stun punt", stun); sys.exit(1)
PY
note "ok: STUN, DTLS and RTP to an unknown port punted to the control plane"

# 4. The TX ring: strata-cp's payload leaves from a leg's address.
in_ns $UT recv --bind 192.0.2.1:53000 --timeout 2 > "$WORK/tx.txt" &
upid=$!
wait_udp 53000
driver send local=192.0.2.2:40000 remote=192.0.2.1:53000 text=hello > /dev/null
wait $upid
grep -qx 68656c6c6f "$WORK/tx.txt" || fail "the TX ring's packet did not arrive: $(cat "$WORK/tx.txt")"
note "ok: a packet sent through the TX ring arrived"

# 5. Malformed frames, each to its own counter.
in_ns ping -c 1 -W 1 192.0.2.2 > /dev/null
mac=$(in_ns ip neigh show 192.0.2.2 | awk '{print $5}')
for pair in ipv4-options:ipv4_options ipv4-fragment:ipv4_fragment \
	    ipv4-bad-checksum:ipv4_bad_checksum udp-bad-length:udp_bad_length \
	    udp-bad-checksum:udp_bad_checksum truncated-ip:ipv4_truncated \
	    ethertype:ethertype_unknown; do
	kind=${pair%%:*} counter=${pair##*:}
	before=$(drop "$counter")
	in_ns $UT frames --iface "$TAP" --dst-mac "$mac" --kind "$kind" --count 7
	after=$(wait_drop "$counter" $((before + 7)))
	[[ $((after - before)) == 7 ]] || fail "$kind: $counter went from $before to $after, not +7"
done
note "ok: malformed frames dropped, each counted under its reason"

# 6. Malformed RTP on a leg's port, from its own remote: refused by the
#    SRTP engine (bad_header), the leg unharmed.
hdr_before=$(drop srtp_bad_header)
in_ns $UT send --bind 192.0.2.1:51000 --to 192.0.2.2:40000 --hex 8f6000010000000000000111deadbeef
in_ns $UT send --bind 192.0.2.1:51000 --to 192.0.2.2:40000 --hex 906000020000000000000111beef00ff00000000
[[ $(($(wait_drop srtp_bad_header $((hdr_before + 2))) - hdr_before)) == 2 ]] ||
	fail "RTP with a CSRC count or extension past the end not counted as srtp_bad_header"
[[ $(leg_remote 1) == "192.0.2.1:51000" ]] || fail "malformed RTP moved leg 1"
note "ok: RTP with CSRCs or an extension past its end dropped as srtp_bad_header"

check_identity
note "ok: counters balance"
echo PASS
