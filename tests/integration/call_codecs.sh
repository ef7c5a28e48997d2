#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A three-party call with a different video codec per party, through
# strata-cp and the real strata-dp, real encoders and decoders at the ends
# (strata-client, client/client_codec.c's table):
#
#   alice  --video-codec vp9   vp9enc ! rtpvp9pay      (RFC 9628, one layer), AEAD_AES_128_GCM
#   bob    --video-codec h264  x264enc ! rtph264pay    (RFC 6184, plain AVC), AES_CM_128_HMAC_SHA1_80
#   carol  (default)           vp8enc L1T3 ! rtpvp8pay (RFC 7741)
#   each also opusenc ! rtpopuspay
#
#   netns $NS (lib.sh)                                   root namespace
#   +--------------------------------------------+       +--------------------+
#   | strata-client alice 192.0.2.1:50111        |  tap  | strata-dp          |
#   | strata-client bob   192.0.2.1:50112        |<----->| 192.0.2.2 net_tap0 |
#   | strata-client carol 192.0.2.1:50113        |       +--------------------+
#   | strata-cp (signaling on the netns' 127.0.0.1,              ^
#   |   shared memory to strata-dp) ----------------------------- +
#   +--------------------------------------------+
#
# Checked: strata-cp took each publication as its codec (its log's
# "stream published" lines: VP9, H264, VP8, opus) and so programmed
# strata-dp's streams with it (cp_program.c); every receiver gets every
# other party's streams under the publisher's codec and decodes every frame
# (rtpvp9depay ! vp9dec, rtph264depay ! h264parse ! avdec_h264, rtpvp8depay
# ! vp8dec, opusdec), within 2 of what the encoder made as in call3.sh, with
# no decode errors and no SRTP failures; VP8 arrives with all three
# temporal layers, VP9 and H.264 without layer ids (-1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/call_lib.sh"
SECONDS_OF_MEDIA=${CALL_CODECS_SECONDS:-8}
[[ -x $CLIENT ]] || { echo "SKIP: strata-client not built (GStreamer development files)"; exit 77; }
for e in vp8enc vp8dec vp9enc vp9dec x264enc avdec_h264 h264parse opusenc opusdec rtpvp8pay \
	rtpvp8depay rtpvp9pay rtpvp9depay rtph264pay rtph264depay rtpopuspay rtpopusdepay; do
	gst-inspect-1.0 "$e" > /dev/null 2>&1 || { echo "SKIP: GStreamer element $e missing"; exit 77; }
done

start_dp
start_cp_ns
trap 'cp_exit_trap $?' EXIT
add_app app1

call() { party "$1" "$2" codecs --seconds "$SECONDS_OF_MEDIA" --wait-for 3 --size 160x120 --bitrate 150000 "${@:3}"; }
# The two profiles call3.sh leaves to the others (it takes AEAD_AES_256_GCM,
# AES_256_CM_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32): every profile end to
# end, libsrtp2 at the clients.
call alice 50111 --video-codec vp9 --srtp-profiles AEAD_AES_128_GCM
call bob 50112 --video-codec h264 --srtp-profiles AES_CM_128_HMAC_SHA1_80
call carol 50113

for p in alice bob carol; do
	pid=${p}_PID
	wait "${!pid}" || fail "$p exited with $?: $(tail -20 "$WORK/$p.err")"
done

# strata-dp's drop reasons that counted anything, for the record (a router
# that misread a codec's payload would show here; strata-dp sums its
# workers' counters every stats_interval_ms, 200).
sleep 0.5
note "strata-dp drops: $(telemetry /strata/drops | "$PY" -c 'import json,sys
d = json.load(sys.stdin)["/strata/drops"]; print({k: v for k, v in d.items() if v} or "none")')"

# The namespace's UDP counters, for the record: a receiver whose socket
# overflowed (RcvbufErrors) lost packets there, not in strata-dp.
note "UDP in the namespace: $(in_ns awk '/^Udp:/ { if (!n) { n = split($0, h); next }
	for (i = 2; i <= NF; i++) if (h[i] ~ /InDatagrams|InErrors|RcvbufErrors/) printf "%s=%s ", h[i], $i }' /proc/net/snmp)"

for c in VP9 H264 VP8; do
	grep -q "msg=\"stream published\".*codec=$c " "$WORK/cp.log" ||
		fail "strata-cp did not publish a $c stream: $(grep 'stream published' "$WORK/cp.log")"
done
[[ $(grep -c 'msg="stream published".*codec=opus ' "$WORK/cp.log") == 3 ]] ||
	fail "strata-cp did not publish three opus streams: $(grep 'stream published' "$WORK/cp.log")"
note "ok: strata-cp published VP9, H264, VP8 and three opus streams"

call_check "$WORK" <<'PYEOF' || fail "the call's figures (above)"
import sys
from call_check import finish, party_problems, published, received_from_others, reports
w = sys.argv[1]
names = ("alice", "bob", "carol")
want_codec = {"alice": "VP9", "bob": "H264", "carol": "VP8"}
want_profile = {"alice": "AEAD_AES_128_GCM", "bob": "AES_CM_128_HMAC_SHA1_80"}
out = reports(w, names)
sent = published(out)
bad = []
for n, o in out.items():
    if n in want_profile and o["profile"] != want_profile[n]:
        bad.append(f"{n}: profile {o['profile']}, asked for {want_profile[n]}")
    video = [s for s in o["sent"] if s["kind"] == "video"]
    if [s["codec"] for s in video] != [want_codec[n]]:
        bad.append(f"{n} sent {video}, expected one {want_codec[n]} stream")
    streams = received_from_others(n, o, sent, bad)
    if streams is None:
        continue
    for sid, (pub, s, r) in streams.items():
        fs, dec = s["frames_sent"], r["frames_decoded"]
        if r["codec"] != s["codec"]:
            bad.append(f"{n}: {sid}: received as {r['codec']}, sent as {s['codec']}")
        if r["decode_errors"]:
            bad.append(f"{n}: {sid}: {r['decode_errors']} decode errors")
        if fs < 100:
            bad.append(f"{pub}: only {fs} frames made")
        if dec < fs - 2 or dec > fs:
            bad.append(f"{n}: {sid}: {dec} of {fs} decoded")
        tl = {"VP8": 2}.get(r["codec"], -1)
        if r["kind"] == "video" and r["max_temporal_layer"] != tl:
            bad.append(f"{n}: {sid}: max layer {r['max_temporal_layer']}, expected {tl}")
    bad += party_problems(n, o, signaling=False)
finish(bad, out, w)
PYEOF
note "ok: VP9, H.264 and VP8 (and Opus) each decoded whole by the other two parties"
kill -TERM "$CP_PID"
wait "$CP_PID" || fail "strata-cp exited with $?"
echo PASS
