#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-cp end to end with strata-fake-dp (cp_lib.sh draws it): an app
# added with stratactl, tokens made by an independent implementation
# (tests/cp_token_ref.py: Python's hmac and hashlib), two participants over
# TLS WebSocket who see each other, and what strata-cp programmed into the
# dataplane for them:
#
#   1  join with a good token: "joined" with a media address and port, the
#      negotiated profile, and two fresh master keys that are exactly the
#      LEG_ADD's rx and tx keys (and differ from each other)
#   2  Alice publishes VP8 and Opus: STREAM_ADDs with her leg and SSRCs
#   3  Bob joins: his "joined" lists Alice and her streams with SSRCs of his
#      own; SUB_ADDs for his leg on her sources; Alice hears participant-joined
#   4  Bob publishes: Alice gets stream-added, a SUB_ADD for her leg
#   5  preferences: SUB_SET_LAYERS on Bob's subscription; maxVideoSources 0
#      removes his video subscription (SUB_DEL)
#   6  chat reaches both; Bob leaves: Alice hears participant-left, and the
#      dataplane gets SUB_DEL, STREAM_DEL, LEG_DEL for him, in that order
#   7  status, rooms, room show, participants, stats through stratactl,
#      and GET /metrics;
#      every command in the audit log; no key in strata-cp's log
. "$(dirname "$0")/cp_lib.sh"

start_fake_dp
write_conf
start_cp

KEY=$(ctl --json app add app1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
[[ ${#KEY} -ge 16 ]] || fail "app add printed no key"
ref_token() { "$PY" "$(dirname "$0")/../cp_token_ref.py" generate app1 "$1" "$(($(date +%s) + 600))" "" "$KEY"; }
TA=$(ref_token alice)
TB=$(ref_token bob)

note "tokens through stratactl: from the store, offline with --key, the Python reference agreeing"
"$PY" - "$TA" "$(ctl --json token verify --token "$TA")" \
	"$(ctl --json token verify --token "$TA" --now $(($(date +%s) + 3600)))" \
	"$(ctl --json token verify --token "$TA" --key "$KEY" --now 1000000000)" \
	"$(ctl --json token verify --token "$TA" --key wrong-key-0123456789)" <<'PYEOF' || fail "token verify"
import json, sys
ok, late, offline, wrong = (json.loads(a) for a in sys.argv[2:6])
assert ok["valid"] is True and ok["user"] == "alice" and ok["app"] == "app1", ok
assert late["valid"] is False and late["reason"] == "EXPIRED", late
assert offline["valid"] is True and offline["expires"] == ok["expires"], offline
assert wrong["valid"] is False and wrong["reason"] == "BAD_MAC", wrong
PYEOF
TG=$(ctl token generate --app app1 --user gina --expires-in 60)
"$PY" "$(dirname "$0")/../cp_token_ref.py" verify "$TG" app1 "$KEY" "$(date +%s)" | grep -q "^OK b'gina' b'app1'" ||
	fail "the Python reference refuses stratactl's token: $("$PY" "$(dirname "$0")/../cp_token_ref.py" verify "$TG" app1 "$KEY" "$(date +%s)")"
TO=$(ctl token generate --app app1 --user gina --expires-in 60 --key "$KEY")
[[ ${TO:0:20} == "${TG:0:20}" ]] || fail "offline and stored-key tokens differ in their start"
grep -qF -- "$KEY" "$STATE/audit.log" && fail "a --key reached the audit log"

note "1-2: Alice joins and publishes"
sig_bg alice "$(join_msg "$TA" standup Alice)
wait joined
{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1111,\"pt\":96,\"layers\":{\"temporal\":3}},{\"kind\":\"audio\",\"codec\":\"opus\",\"ssrc\":2222,\"pt\":111}]}
wait published
wait participant-joined 10000
wait stream-added 10000
{\"type\":\"chat\",\"id\":3,\"text\":\"hello from alice\"}
wait chat-sent
wait participant-left 15000
wait participant-left 15000
{\"type\":\"leave\",\"id\":4}
wait left"
wait_for "$WORK/alice.out" '"type":"published"'
grep -q '"type":"joined"' "$WORK/alice.out" || fail "alice: no joined: $(cat "$WORK/alice.out")"
profile=$(json_field "$WORK/alice.out" joined 'm["media"]["profile"]')
[[ $profile == AEAD_AES_128_GCM ]] || fail "profile $profile, expected the client's first choice"
# The keys in "joined" are the leg's keys, send = what strata-dp receives.
"$PY" - "$WORK/alice.out" "$WORK/dp.log" <<'PYEOF' || fail "keys differ from LEG_ADD"
import base64, json, sys
joined = next(m for m in map(json.loads, open(sys.argv[1])) if m.get("type") == "joined")
legs = [c for c in map(json.loads, open(sys.argv[2])) if c["cmd"] == "leg-add"]
assert len(legs) == 1, legs
leg, media = legs[0], joined["media"]
send, recv = base64.b64decode(media["send"]), base64.b64decode(media["recv"])
assert len(send) == 28 and len(recv) == 28 and send != recv, (len(send), len(recv))
assert leg["rx"] == "AEAD_AES_128_GCM:" + send.hex(), "rx"
assert leg["tx"] == "AEAD_AES_128_GCM:" + recv.hex(), "tx"
assert leg["local"] == "%s:%d" % (media["address"], media["port"]), (leg["local"], media)
assert 40000 <= media["port"] <= 40099
assert leg["latch"] == 1
PYEOF
grep -q '"cmd":"stream-add".*"ssrc":1111.*"codec":"vp8"' "$WORK/dp.log" || fail "no STREAM_ADD for 1111"
grep -q '"cmd":"stream-add".*"ssrc":2222.*"codec":"opus"' "$WORK/dp.log" || fail "no STREAM_ADD for 2222"

note "3: Bob joins and sees Alice's streams"
S_VIDEO=$(json_field "$WORK/alice.out" published 'm["streams"][0]["streamId"]')
sig_bg bob "$(join_msg "$TB" standup Bob)
wait joined
{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":3333,\"pt\":96}]}
wait published
wait chat 10000
{\"type\":\"preferences\",\"id\":3,\"sources\":{\"$S_VIDEO\":{\"maxTemporal\":0}}}
wait preferences-set
{\"type\":\"preferences\",\"id\":4,\"maxVideoSources\":0}
wait preferences-set
wait participant-left 15000
{\"type\":\"leave\",\"id\":5}
wait left"
wait_for "$WORK/bob.out" '"type":"joined"'
"$PY" - "$WORK/bob.out" "$WORK/dp.log" "$S_VIDEO" <<'PYEOF' || fail "Bob's view of Alice"
import json, sys
joined = next(m for m in map(json.loads, open(sys.argv[1])) if m.get("type") == "joined")
ps = joined["participants"]
assert len(ps) == 1 and ps[0]["displayName"] == "Alice", ps
streams = {s["streamId"]: s for s in ps[0]["streams"]}
video = streams[sys.argv[3]]
assert video["codec"] == "VP8" and video["kind"] == "video" and video["pt"] == 96, video
assert len(streams) == 2
cmds = [json.loads(l) for l in open(sys.argv[2])]
bob_leg = [c for c in cmds if c["cmd"] == "leg-add"][1]["id"]
subs = [c for c in cmds if c["cmd"] == "sub-add" and c["leg"] == bob_leg]
assert sorted(s["ssrc"] for s in subs) == sorted(s["ssrc"] for s in streams.values()), subs
assert all(s["ssrc"] not in (1111, 2222) for s in subs), "receiver SSRCs are his own"
PYEOF
wait_for "$WORK/alice.out" '"type":"participant-joined"'

note "4: Bob publishes; Alice receives it"
wait_for "$WORK/alice.out" '"type":"stream-added"'
[[ $(json_field "$WORK/alice.out" stream-added 'm["codec"], m["kind"], m["ssrc"] != 3333') == "('VP8', 'video', True)" ]] ||
	fail "alice: stream-added: $(grep stream-added "$WORK/alice.out")"
grep -q '"cmd":"stream-add".*"ssrc":3333' "$WORK/dp.log" || fail "no STREAM_ADD for 3333"
wait_for "$WORK/bob.out" '"id":4'
grep -q '"cmd":"sub-layers".*"temporal":0' "$WORK/dp.log" || fail "no SUB_SET_LAYERS temporal 0"

note "7: stratactl while both are in"
ctl --json status | grep -q '"participants":2' || fail "status: $(ctl --json status)"
ctl --json rooms | grep -q '"resourceId":"standup","participants":2' || fail "rooms: $(ctl --json rooms)"
ctl --json room show app1 standup > "$WORK/show.json" || fail "room show"
"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
ps = {p["displayName"]: p for p in r["participants"]}
assert ps["Alice"]["publishes"] == 2 and ps["Bob"]["publishes"] == 1, ps
assert ps["Alice"]["profile"] == "AEAD_AES_128_GCM"
' "$WORK/show.json" || fail "room show: $(cat "$WORK/show.json")"
ctl --json participants app1 | grep -q '"user":"bob"' || fail "participants"
ctl --json stats > "$WORK/stats.json" || fail "stats"
"$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["controlplane"]["joins"]["ok"] == 2, s
assert s["dataplane"]["legs"] == 2, s["dataplane"]
' "$WORK/stats.json" || fail "stats: $(cat "$WORK/stats.json")"
ctl room show app1 nosuchroom 2>/dev/null && fail "room show of a missing room succeeded"
"$PY" - "$METRICS_PORT" <<'PYEOF' || fail "metrics"
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
want = ['strata_cp_participants 2', 'strata_cp_rooms 1', 'strata_cp_dataplane_up 1',
        'strata_cp_joins_total{result="ok"} 2', 'strata_cp_signaling_closes_total{reason="dead"} 0']
missing = [w for w in want if w not in text.splitlines()]
assert not missing, (missing, text)
PYEOF

note "5-6: chat, Bob leaves (after Carol came and went)"
TC=$(ref_token carol)
sig carol "$(join_msg "$TC" standup Carol)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "carol: $(cat "$WORK/carol.out")"
# Alice chats once she has Bob's stream; Bob waits for the chat and leaves.
wait "$bob_PID" || fail "bob's script: $(cat "$WORK/bob.out")"
grep -q '"cmd":"sub-del"' "$WORK/dp.log" || fail "maxVideoSources 0 removed nothing"
wait "$alice_PID" || fail "alice's script: $(cat "$WORK/alice.out")"
grep -q '"type":"chat","participantId":"[^"]*","displayName":"Alice","text":"hello from alice"' \
	"$WORK/bob.out" || fail "bob got no chat"
"$PY" - "$WORK/dp.log" <<'PYEOF' || fail "teardown order: $(tail -8 "$WORK/dp.log")"
import json, sys
cmds = [json.loads(l) for l in open(sys.argv[1])]
bob_leg = [c for c in cmds if c["cmd"] == "leg-add"][1]["id"]
i_leg = max(i for i, c in enumerate(cmds) if c["cmd"] == "leg-del" and c["id"] == bob_leg)
bob_stream = [c["id"] for c in cmds if c["cmd"] == "stream-add" and c["ssrc"] == 3333][0]
i_stream = max(i for i, c in enumerate(cmds) if c["cmd"] == "stream-del" and c["id"] == bob_stream)
assert i_stream < i_leg
# At the end nothing is left: every add has its delete.
for kind in ("leg", "stream", "sub"):
    added = sum(c["cmd"] == kind + "-add" for c in cmds)
    deleted = sum(c["cmd"] == kind + "-del" for c in cmds)
    assert added == deleted, (kind, added, deleted)
PYEOF
ctl --json status | grep -q '"rooms":0,"participants":0' || fail "not empty: $(ctl --json status)"

note "audit and secrecy"
grep -q '"command":"app add","args":\["app1"\]' "$STATE/audit.log" ||
	fail "audit: $(cat "$STATE/audit.log")"
grep -q '"command":"room show"' "$STATE/audit.log" || fail "audit: room show"
for secret in "$KEY" "$TA" "$TC"; do
	grep -qF -- "$secret" "$WORK/cp.log" "$STATE/audit.log" && fail "a secret reached a log"
done
send=$(json_field "$WORK/alice.out" joined 'm["media"]["send"]')
grep -qF -- "$send" "$WORK/cp.log" && fail "a media key reached the log"
stop_cp
echo PASS
