#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-cp with the real strata-dp: the keys, ports and SSRCs strata-cp
# hands out over signaling carry real SRTP through the router, checked by
# libsrtp2 (srtp-peer), an implementation independent of Strata's.
#
#   netns $NS (lib.sh)                      root namespace
#   +---------------------------------+     +----------------------------------+
#   | srtp-peer send 192.0.2.1:50001  |tap  | strata-dp 192.0.2.2 (net_tap0)   |
#   | srtp-peer recv 192.0.2.1:50002  |<--->|   ^ shared memory                |
#   +---------------------------------+     | strata-cp <-- strata-sigclient   |
#                                            |   (TLS WebSocket, 127.0.0.1)     |
#                                            +----------------------------------+
#
# Alice and Bob join over signaling (saying where they receive media),
# Alice publishes Opus; Alice's sender protects with her "send" key and
# sends to her media port; Bob's receiver unprotects with his "recv" key
# and expects the SSRC his "joined" listed for Alice's stream: every packet
# must arrive, decrypted and intact.  Then with AES_CM_128_HMAC_SHA1_80,
# the other profile family, and with Alice on AEAD_AES_128_GCM and Bob on
# AES_CM_128_HMAC_SHA1_80 (each leg keyed for its own client's choice).
# A STUN Binding request to a media port gets strata-cp's answer through
# strata-dp (XOR-MAPPED-ADDRESS, FINGERPRINT; RFC 5389), decoded here.
# Then strata-cp is killed with SIGKILL while Alice sends and restarted:
# strata-dp forwards on, every packet arrives, the new strata-cp takes the
# legs over from sessions.state without reprogramming any, and Alice
# resumes with her token.
. "$(dirname "$0")/lib.sh"

CP=$BUILD/controlplane/strata-cp
CTL=$BUILD/controlplane/stratactl
SIG=$BUILD/tests/sigclient/strata-sigclient
STATE=$WORK/state
CP_PID=
SIG_PIDS=()
# Ours first, then lib.sh's cleanup with the status the script ended with.
trap 'st=$?; for p in "${SIG_PIDS[@]}" $CP_PID; do kill -TERM "$p" 2>/dev/null || true; done; (exit $st); cleanup' EXIT

start_dp
cat > "$WORK/cp.conf" <<CONF
controlplane = {
  state_dir = "$STATE";
  signaling = { address = "127.0.0.1"; port = 0; };
  metrics = { address = ""; };
  dataplane = { shm = "$SHM"; media_addresses = ["192.0.2.2"]; ports = "40000-40099"; };
  media = { srtp_profiles = ["AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"]; };
};
CONF
"$CP" -c "$WORK/cp.conf" > "$WORK/cp.log" 2>&1 &
CP_PID=$!
for _ in $(seq 100); do grep -q 'msg=ready' "$WORK/cp.log" && break; sleep 0.05; done
grep -q 'msg="attached to strata-dp"' "$WORK/cp.log" || fail "strata-cp did not attach: $(cat "$WORK/cp.log")"
PORT=$(sed -n 's/.*msg=ready.* sig_port=\([0-9]*\).*/\1/p' "$WORK/cp.log")
ctl() { "$CTL" --socket "$STATE/ctl.sock" "$@"; }
KEY=$(ctl --json app add app1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
tok() { "$PY" "$(dirname "$0")/../cp_token_ref.py" generate app1 "$1" "$(($(date +%s) + 600))" "" "$KEY"; }

# client NAME USER PROFILE MEDIA_PORT [PUBLISH]: joins room1 (and
# publishes), then stays until someone leaves.
client() {
	local pub=${5:+"{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"audio\",\"codec\":\"opus\",\"ssrc\":$5,\"pt\":111}]}
wait published"}
	printf '%s\n' "{\"type\":\"join\",\"id\":1,\"token\":\"$(tok "$2")\",\"resourceId\":\"$ROOM\",\"capabilities\":{\"codecs\":[\"opus\"],\"srtpProfiles\":[\"$3\"]},\"media\":{\"address\":\"192.0.2.1\",\"port\":$4}}
wait joined
$pub
wait closing 60000" > "$WORK/$1.script"
	"$SIG" --url "wss://127.0.0.1:$PORT/strata/v1" --ca "$STATE/signaling-cert.pem" \
		--script "$WORK/$1.script" --timeout 60000 > "$WORK/$1.out" 2>&1 &
	SIG_PIDS+=($!)
	for _ in $(seq 100); do grep -q '"type":"joined"' "$WORK/$1.out" && break; sleep 0.05; done
	grep -q '"type":"joined"' "$WORK/$1.out" || fail "$1 did not join: $(cat "$WORK/$1.out")"
}

# media FILE FIELD: from the "joined" in FILE: port, profile, send (hex), recv (hex).
media() {
	"$PY" - "$1" "$2" <<'PYEOF'
import base64, json, sys
m = next(j for j in map(json.loads, open(sys.argv[1])) if j.get("type") == "joined")["media"]
f = sys.argv[2]
print(base64.b64decode(m[f]).hex() if f in ("send", "recv") else m[f])
PYEOF
}

# json_field_joined_ssrc FILE: the one stream's SSRC in FILE's "joined".
json_field_joined_ssrc() {
	"$PY" -c '
import json, sys
j = next(j for j in map(json.loads, open(sys.argv[1])) if j.get("type") == "joined")
print([s for p in j["participants"] for s in p["streams"]][0]["ssrc"])' "$1"
}

# json_field_str FILE KEY: a field of FILE's "joined".
json_field_str() {
	"$PY" -c '
import json, sys
print(next(j for j in map(json.loads, open(sys.argv[1])) if j.get("type") == "joined")[sys.argv[2]])' "$1" "$2"
}

# one_way PROFILE BOB_PROFILE SENDER_PORT RECEIVER_PORT SSRC: in a room of
# their own.
one_way() {
	local profile=$1 bprofile=$2 sp=$3 rp=$4 ssrc=$5 n=${#SIG_PIDS[@]}
	ROOM=room$n
	client "a$n" "alice$n" "$profile" "$sp" "$ssrc"
	client "b$n" "bob$n" "$bprofile" "$rp"
	local rssrc
	rssrc=$("$PY" - "$WORK/b$n.out" <<'PYEOF'
import json, sys
j = next(j for j in map(json.loads, open(sys.argv[1])) if j.get("type") == "joined")
streams = [s for p in j["participants"] for s in p["streams"]]
assert len(streams) == 1, streams
print(streams[0]["ssrc"])
PYEOF
) || fail "bob's joined: $(cat "$WORK/b$n.out")"
	[[ $(media "$WORK/a$n.out" profile) == "$profile" ]] || fail "profile"
	in_ns "$PEER" recv --bind "192.0.2.1:$rp" --profile "$bprofile" \
		--key "$(media "$WORK/b$n.out" recv)" --ssrc "$rssrc" --count 200 \
		--timeout-ms 5000 > "$WORK/recv$n.json" &
	local rpid=$!
	wait_udp "$rp"
	in_ns "$PEER" send --dst "192.0.2.2:$(media "$WORK/a$n.out" port)" --bind "192.0.2.1:$sp" \
		--profile "$profile" --key "$(media "$WORK/a$n.out" send)" --ssrc "$ssrc" \
		--count 200 --size 200 --rate 1000 > "$WORK/send$n.json"
	wait $rpid || true
	for k in decrypted payload_good; do
		[[ $(json_get "$WORK/recv$n.json" $k) == 200 ]] ||
			fail "$profile: $k: $(cat "$WORK/recv$n.json"); cp: $(tail -5 "$WORK/cp.log")"
	done
	for k in auth_fail wrong_ssrc payload_bad; do
		[[ $(json_get "$WORK/recv$n.json" $k) == 0 ]] || fail "$profile: $k: $(cat "$WORK/recv$n.json")"
	done
	note "ok: $profile -> $bprofile, 200 packets Alice -> Bob with the keys from signaling"
}

one_way AEAD_AES_128_GCM AEAD_AES_128_GCM 50001 50002 4369
one_way AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_80 50003 50004 4370
one_way AEAD_AES_128_GCM AES_CM_128_HMAC_SHA1_80 50005 50006 4371
note "strata-cp killed (-9) and restarted while media flows: no packet lost"
in_ns "$PEER" recv --bind "192.0.2.1:50002" --profile AEAD_AES_128_GCM \
	--key "$(media "$WORK/b0.out" recv)" \
	--ssrc "$(json_field_joined_ssrc "$WORK/b0.out")" --count 1500 --timeout-ms 8000 \
	> "$WORK/recv-kill.json" &
rpid=$!
wait_udp 50002
in_ns "$PEER" send --dst "192.0.2.2:$(media "$WORK/a0.out" port)" --bind "192.0.2.1:50001" \
	--profile AEAD_AES_128_GCM --key "$(media "$WORK/a0.out" send)" --ssrc 4369 \
	--count 1500 --size 200 --rate 500 --seq 5000 > "$WORK/send-kill.json" &
spid=$!
sleep 1
kill -KILL "$CP_PID"; wait "$CP_PID" 2>/dev/null || true
"$CP" -c "$WORK/cp.conf" >> "$WORK/cp.log" 2>&1 &
CP_PID=$!
wait "$spid"
wait "$rpid" || true
for k in decrypted payload_good; do
	[[ $(json_get "$WORK/recv-kill.json" $k) == 1500 ]] ||
		fail "across the restart: $k: $(cat "$WORK/recv-kill.json") sent: $(cat "$WORK/send-kill.json") cp: $(grep -v "msg=ready" "$WORK/cp.log" | tail -12)"
done
grep -q 'msg="restored sessions reconciled with strata-dp" legs_kept=6 programmed_again=0' \
	"$WORK/cp.log" || fail "no reconciliation: $(grep -v ' msg=ready' "$WORK/cp.log" | tail -5)"
# Alice comes back on a new connection with her resume token.
"$SIG" --url "wss://127.0.0.1:$(sed -n 's/.*msg=ready.* sig_port=\([0-9]*\).*/\1/p' "$WORK/cp.log" | tail -1)/strata/v1" \
	--ca "$STATE/signaling-cert.pem" --script - > "$WORK/resume.out" 2>&1 <<RESUME || fail "resume: $(cat "$WORK/resume.out")"
{"type":"resume","id":1,"resumeToken":"$(json_field_str "$WORK/a0.out" resumeToken)"}
wait resumed
RESUME
note "ok: 1500 packets across strata-cp's kill and restart; Alice resumed"

note "STUN: a Binding request to a media port is answered with the client's address"
in_ns "$PY" - "$(media "$WORK/a0.out" port)" <<'PYEOF' || fail "STUN Binding through strata-dp and strata-cp"
import os, socket, struct, sys, zlib
tid = os.urandom(12)
req = struct.pack(">HHI", 1, 8, 0x2112A442) + tid
req += struct.pack(">HHI", 0x8028, 4, zlib.crc32(req) ^ 0x5354554E)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 50009))
s.settimeout(3)
s.sendto(req, ("192.0.2.2", int(sys.argv[1])))
resp, src = s.recvfrom(2048)
assert src == ("192.0.2.2", int(sys.argv[1])), src
typ, length, cookie = struct.unpack(">HHI", resp[:8])
assert typ == 0x0101 and cookie == 0x2112A442 and resp[8:20] == tid and length == len(resp) - 20
# RFC 5389 15.2 and 15.5, decoded here independently.
atype, alen, _, fam, xport = struct.unpack(">HHBBH", resp[20:28])
assert atype == 0x0020 and fam == 1
port = xport ^ 0x2112
addr = socket.inet_ntoa(bytes(a ^ b for a, b in zip(resp[28:32], struct.pack(">I", 0x2112A442))))
assert (addr, port) == ("192.0.2.1", 50009), (addr, port)
ftype, flen, fp = struct.unpack(">HHI", resp[-8:])
assert ftype == 0x8028 and fp == zlib.crc32(resp[:-8]) ^ 0x5354554E
PYEOF
ctl --json stats | "$PY" -c '
import json, sys
assert json.load(sys.stdin)["controlplane"]["stun"]["answered"] == 1' || fail "stun counter"
note "ok: XOR-MAPPED-ADDRESS 192.0.2.1:50009, FINGERPRINT checked with zlib"

note "active speaker: RFC 6464 levels in strata-dp become loudest-changed and participants"
cat > "$WORK/spk-a.script" <<SCRIPT
{"type":"join","id":1,"token":"$(tok carol)","resourceId":"spk","capabilities":{"codecs":["opus"],"srtpProfiles":["AEAD_AES_128_GCM"],"headerExtensions":{"audioLevel":1}},"media":{"address":"192.0.2.1","port":50007}}
wait joined
{"type":"publish","id":2,"streams":[{"kind":"audio","codec":"opus","ssrc":4372,"pt":111}]}
wait published
wait loudest-changed 20000
wait closing 60000
SCRIPT
cat > "$WORK/spk-b.script" <<SCRIPT
{"type":"join","id":1,"token":"$(tok dave)","resourceId":"spk","capabilities":{"codecs":["opus"],"srtpProfiles":["AEAD_AES_128_GCM"]},"media":{"address":"192.0.2.1","port":50008}}
wait joined
wait loudest-changed 20000
wait participants 20000
wait closing 60000
SCRIPT
PORT=$(sed -n 's/.*msg=ready.* sig_port=\([0-9]*\).*/\1/p' "$WORK/cp.log" | tail -1)
for c in spk-a spk-b; do
	"$SIG" --url "wss://127.0.0.1:$PORT/strata/v1" --ca "$STATE/signaling-cert.pem" \
		--script "$WORK/$c.script" --timeout 60000 > "$WORK/$c.out" 2>&1 &
	SIG_PIDS+=($!)
	for _ in $(seq 100); do grep -q '"type":"joined"' "$WORK/$c.out" && break; sleep 0.05; done
done
grep -q '"type":"published"' "$WORK/spk-a.out" || sleep 0.5
in_ns "$PEER" send --dst "192.0.2.2:$(media "$WORK/spk-a.out" port)" --bind "192.0.2.1:50007" \
	--profile AEAD_AES_128_GCM --key "$(media "$WORK/spk-a.out" send)" --ssrc 4372 \
	--count 300 --size 100 --rate 100 --audio-level 10 --ext-id 1 > "$WORK/send-spk.json" &
spk_send=$!
carol_id=$(json_field_str "$WORK/spk-a.out" participantId)
for _ in $(seq 100); do grep -q '"type":"loudest-changed"' "$WORK/spk-b.out" && break; sleep 0.1; done
"$PY" - "$WORK/spk-b.out" "$carol_id" <<'PYEOF' || fail "speaker events: $(grep -v '"type":"joined"' "$WORK/spk-b.out")"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
loud = [m for m in msgs if m.get("type") == "loudest-changed"]
assert loud and loud[0]["participantId"] == sys.argv[2], loud
orders = [m["order"] for m in msgs if m.get("type") == "participants"]
assert orders and orders[-1][0] == sys.argv[2] and len(orders[-1]) == 2, orders
PYEOF
kill "$spk_send" 2>/dev/null || true
note "ok: Carol speaks, Dave hears loudest-changed and participants with Carol first"

ctl --json stats | "$PY" -c '
import json, sys
d = json.load(sys.stdin)["dataplane"]
assert d["legs"] == 8 and d["streams"] == 4 and d["subscriptions"] == 4, d
assert d["forwarded"] >= 600, d
' || fail "stats: $(ctl --json stats)"
kill -TERM "$CP_PID"
wait "$CP_PID" || fail "strata-cp exited with $?"
CP_PID=
# strata-cp removed its legs on the way out.
[[ $(stats_now | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["legs"])') == 0 ]] ||
	fail "legs left in strata-dp: $(stats_now)"
echo PASS
