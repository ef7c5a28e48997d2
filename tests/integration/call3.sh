#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A three-party call through strata-cp and the real strata-dp, with real
# encoders and decoders at the ends (strata-client: libstrata-client with
# libsrtp2, GStreamer vp8enc L1T3 + opusenc, rtpvp8depay + vp8dec, opusdec).
#
#   netns $NS (lib.sh)                                   root namespace
#   +--------------------------------------------+       +--------------------+
#   | strata-client alice 192.0.2.1:50101        |  tap  | strata-dp          |
#   | strata-client bob   192.0.2.1:50102        |<----->| 192.0.2.2 net_tap0 |
#   | strata-client carol 192.0.2.1:50103        |       +--------------------+
#   | strata-cp (signaling on the netns' 127.0.0.1,              ^
#   |   shared memory to strata-dp) ----------------------------- +
#   +--------------------------------------------+
#
# Everyone publishes VP8 (three temporal layers) and Opus once all three
# are in; alice and bob take every layer, carol asks for temporal layer 0
# only.  Checked: alice and bob decode every frame of every stream (within
# 2 of what the encoder made: the keyframe wait at the start), with no
# decode errors and layer 2 seen; carol decodes about a quarter of each
# video's frames (layer 0 is every 4th frame) with no decode errors, and
# nothing above layer 0 once the router confirmed her preferences; all
# audio whole.  Each party uses another SRTP profile (AEAD_AES_256_GCM,
# AES_256_CM_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32; libsrtp2 at the clients).
# Three seconds in, alice drops her signaling connection and
# resumes on a new one (her resume token): her media, sent and received,
# is counted whole like the others'.  Mid-call, joins with an expired token
# and with another application's get InvalidToken, a fourth party
# ResourceFull; the others' counts above are those of an undisturbed call.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/call_lib.sh"
SECONDS_OF_MEDIA=${CALL3_SECONDS:-8}
[[ -x $CLIENT ]] || { echo "SKIP: strata-client not built (GStreamer development files)"; exit 77; }
for e in vp8enc vp8dec opusenc opusdec rtpvp8pay rtpvp8depay rtpopuspay rtpopusdepay; do
	gst-inspect-1.0 "$e" > /dev/null 2>&1 || { echo "SKIP: GStreamer element $e missing"; exit 77; }
done

start_dp
# Every profile strata-cp knows; each party asks for another one.
CP_PROFILES='"AEAD_AES_128_GCM", "AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"'
# The shortest idle timeout strata-cp takes (10 s): the call outlasts it, so
# the clients' keepalives are what keeps their signaling open.
CP_IDLE_S=10
CP_EXTRA_CONF='quotas = { participants_per_room = 3; };'
start_cp_ns
trap 'cp_exit_trap $?' EXIT
add_app app1

# carol first: her preferences then cover streams published after them.
call() { party "$1" "$2" call3 --seconds "$SECONDS_OF_MEDIA" --wait-for 3 --size 160x120 --bitrate 150000 "${@:3}"; }
call carol 50103 --max-temporal 0 --srtp-profiles AES_CM_128_HMAC_SHA1_32
for _ in $(seq 100); do grep -q 'joined as' "$WORK/carol.err" 2>/dev/null && break; sleep 0.1; done
call alice 50101 --resume-at 3 --srtp-profiles AEAD_AES_256_GCM
call bob 50102 --srtp-profiles AES_256_CM_HMAC_SHA1_80

# Mid-call, three joins that must be refused: dave's token expired a
# minute ago, erin's is for an application strata-cp does not have, frank's
# is good but the room holds 3 (quotas.participants_per_room).
sleep $((SECONDS_OF_MEDIA / 2))
refused() {
	local name=$1 token=$2 want=$3 rc=0
	in_ns "$CLIENT" --url "$URL" --ca "$STATE/signaling-cert.pem" --token "$token" --room call3 \
		--name "$name" --bind 192.0.2.1:50104 --announce --json > "$WORK/$name.json" \
		2> "$WORK/$name.err" || rc=$?
	[[ $rc == 3 ]] || fail "$name: exit $rc: $(cat "$WORK/$name.json" "$WORK/$name.err")"
	[[ $(json_get "$WORK/$name.json" error) == "$want" ]] || fail "$name: $(cat "$WORK/$name.json")"
}
refused dave "$(expired_tok dave)" InvalidToken
other=$(ctl --json token generate --app nosuch --user erin --expires-in 600 \
	--key 00112233445566778899aabbccddeeff | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
refused erin "$other" InvalidToken
refused frank "$(tok frank)" ResourceFull
note "ok: mid-call: an expired token and another app's refused (InvalidToken), a fourth party too (ResourceFull)"

for p in alice bob carol; do
	pid=${p}_PID
	wait "${!pid}" || fail "$p exited with $?: $(tail -20 "$WORK/$p.err")"
done

call_check "$WORK" <<'PYEOF' || fail "the call's figures (above)"
import sys
from call_check import finish, party_problems, published, received_from_others, reports
w = sys.argv[1]
out = reports(w, ("alice", "bob", "carol"))
sent = published(out)
bad = []
for n, o in out.items():
    streams = received_from_others(n, o, sent, bad)
    if streams is None:
        continue
    for sid, (pub, s, r) in streams.items():
        fs, dec = s["frames_sent"], r["frames_decoded"]
        if r["decode_errors"]:
            bad.append(f"{n}: {sid}: {r['decode_errors']} decode errors")
        if fs < 100:
            bad.append(f"{pub}: only {fs} frames made")
        if n == "carol" and r["kind"] == "video":
            if not 0.20 * fs <= dec <= 0.30 * fs:
                bad.append(f"carol: {sid}: {dec} of {fs} decoded at layer 0 (a quarter expected)")
            if r["max_temporal_layer_after_prefs"] != 0:
                bad.append(f"carol: {sid}: layer {r['max_temporal_layer_after_prefs']} after prefs")
        else:
            if dec < fs - 2 or dec > fs:
                bad.append(f"{n}: {sid}: {dec} of {fs} decoded")
            if r["kind"] == "video" and r["max_temporal_layer"] != 2:
                bad.append(f"{n}: {sid}: max layer {r['max_temporal_layer']}")
    want = {"alice": "AEAD_AES_256_GCM", "bob": "AES_256_CM_HMAC_SHA1_80", "carol": "AES_CM_128_HMAC_SHA1_32"}[n]
    if o["profile"] != want:
        bad.append(f"{n}: profile {o['profile']}, asked for {want}")
    if n == "alice" and not o.get("resumed"):
        bad.append("alice did not resume")
    bad += party_problems(n, o)
finish(bad, out, w)
PYEOF
note "ok: three parties, every stream decoded at full layers; layer 0 a quarter of the frames"
kill -TERM "$CP_PID"
wait "$CP_PID" || fail "strata-cp exited with $?"
echo PASS
