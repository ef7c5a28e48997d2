#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Restarts on either side of the shared memory (cp_lib.sh draws the
# set-up):
#
#   strata-dp restarts (a new segment, a new boot epoch): strata-cp notices,
#   attaches to the new one and replays every leg (with the same keys),
#   stream and subscription; the clients stay connected and go on (a chat
#   after the restart arrives).
#
#   a client loses its connection: its participant and media stay for
#   resume_grace_s; "resume" with its token gets the same participant,
#   port and keys back, without a leg removed or added; after the grace
#   period the participant is removed and its token refused (NotMember).
#
#   strata-cp is killed with SIGKILL: the dataplane keeps its state; the
#   new strata-cp restores the sessions from sessions.state, reconciles
#   them with strata-dp's DUMP (nothing to reprogram: every leg, stream and
#   subscription is still there, untouched) and the client resumes with its
#   token, getting the same media back.  Killed again and started without
#   sessions.state, strata-cp removes what it cannot key, so strata-dp ends
#   with no leg, stream or subscription, and new joins work.
. "$(dirname "$0")/cp_lib.sh"

start_fake_dp
write_conf 'sessions = { resume_grace_s = 10; };'
start_cp

KEY=$(ctl --json app add app1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
tok() { "$PY" "$(dirname "$0")/../cp_token_ref.py" generate app1 "$1" "$(($(date +%s) + 600))" "" "$KEY"; }

sig_bg alice "$(join_msg "$(tok alice)" room1 Alice)
wait joined
{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1111,\"pt\":96,\"simulcast\":[{\"ssrc\":1111},{\"ssrc\":1112}]}]}
wait published
wait participant-joined 20000
wait chat 20000
{\"type\":\"leave\",\"id\":3}
wait left" --timeout 20000
wait_for "$WORK/alice.out" '"type":"published"'
sig_bg bob "$(join_msg "$(tok bob)" room1 Bob)
wait joined
wait participant-joined 20000
{\"type\":\"chat\",\"id\":2,\"text\":\"after the restart\"}
wait chat-sent 10000
wait participant-left 20000
{\"type\":\"leave\",\"id\":3}
wait left" --timeout 20000
wait_for "$WORK/bob.out" '"type":"joined"'
wait_for "$WORK/dp.log" '"cmd":"sub-add"'
cp "$WORK/dp.log" "$WORK/dp-before.log"

note "strata-dp restarts"
old_epoch=$(ctl --json status | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["dataplane"]["epoch"])')
kill -TERM "$FAKE_PID"; wait "$FAKE_PID" || true
mv "$WORK/dp.log" "$WORK/dp-old.log"
start_fake_dp
wait_for "$WORK/dp.log" '"cmd":"sub-add"' 50
wait_for "$WORK/cp.log" 'msg="strata-dp restarted: state replayed" legs=2 streams=1 subscriptions=1' 30
new_epoch=$(ctl --json status | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["dataplane"]["epoch"])')
[[ $new_epoch != "$old_epoch" ]] || fail "the epoch did not change"
"$PY" - "$WORK/dp-before.log" "$WORK/dp.log" <<'PYEOF' || fail "replay differs: $(cat "$WORK/dp.log")"
import json, sys
def state(path):
    adds = {}
    for c in map(json.loads, open(path)):
        if c["cmd"].endswith("-add"):
            c = dict(c); c.pop("seq")
            adds[(c["cmd"], c["id"])] = c
    return adds
before, after = state(sys.argv[1]), state(sys.argv[2])
# Every leg (keys included), both simulcast streams and
# Bob's subscription, exactly as first programmed.
assert before == after, (before.keys(), after.keys())
assert sum(k[0] == "leg-add" for k in after) == 2
assert sum(k[0] == "stream-add" for k in after) == 2
assert sum(k[0] == "sub-add" for k in after) == 1
PYEOF
# Tom joins after the restart: Bob, told so, chats to the room.
sig tom "$(join_msg "$(tok tom)" room1 Tom)
wait joined
wait chat 10000
{\"type\":\"leave\",\"id\":2}
wait left" || fail "tom: $(cat "$WORK/tom.out")"
wait "$bob_PID" || fail "bob: $(cat "$WORK/bob.out")"
wait "$alice_PID" || fail "alice: $(cat "$WORK/alice.out")"
grep -q '"text":"after the restart"' "$WORK/alice.out" || fail "no chat after the restart"

note "a client loses its connection and resumes"
sig erin1 "$(join_msg "$(tok erin)" room3 Erin)
wait joined
{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"audio\",\"codec\":\"opus\",\"ssrc\":99,\"pt\":111}]}
wait published
close 4000" || fail "erin1: $(cat "$WORK/erin1.out")"
wait_for "$WORK/cp.log" 'msg="participant away"'
erin_token=$(json_field "$WORK/erin1.out" joined 'm["resumeToken"]')
legs_before=$(grep -c '"cmd":"leg-' "$WORK/dp.log")
sig erin2 "{\"type\":\"resume\",\"id\":1,\"resumeToken\":\"$erin_token\"}
wait resumed
{\"type\":\"leave\",\"id\":2}
wait left" || fail "erin2: $(cat "$WORK/erin2.out")"
[[ $(json_field "$WORK/erin1.out" joined 'm["media"]') == $(json_field "$WORK/erin2.out" resumed 'm["media"]') ]] ||
	fail "resumed with other media: $(grep resumed "$WORK/erin2.out")"
[[ $(json_field "$WORK/erin1.out" joined 'm["participantId"]') == $(json_field "$WORK/erin2.out" resumed 'm["participantId"]') ]] ||
	fail "resumed as another participant"
# The leg was neither removed nor added while away; only the leave removed it.
[[ $(grep -c '"cmd":"leg-' "$WORK/dp.log") -eq $((legs_before + 1)) ]] || fail "the leg moved while away"
# After the grace period a token is worth nothing, and the leg is gone.
sig frank1 "$(join_msg "$(tok frank)" room3 Frank)
wait joined
close 4000" || fail "frank1"
frank_token=$(json_field "$WORK/frank1.out" joined 'm["resumeToken"]')
frank_leg=$(grep -c '"cmd":"leg-add"' "$WORK/dp.log")
wait_for "$WORK/cp.log" 'participant=p-[0-9a-f]* app=app1 resource=room3 reason=ConnectionTimeout' 200
sig frank2 "{\"type\":\"resume\",\"id\":1,\"resumeToken\":\"$frank_token\"}
wait error" || fail "frank2: $(cat "$WORK/frank2.out")"
[[ $(json_field "$WORK/frank2.out" error 'm["reason"]') == NotMember ]] || fail "late resume"
[[ $(grep -c '"cmd":"leg-del"' "$WORK/dp.log") -ge 2 ]] || fail "the expired participant's leg stayed"

note "strata-cp is killed and restarted: sessions.state takes the legs over"
sig_bg carol "$(join_msg "$(tok carol)" room2 Carol)
wait joined
{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"audio\",\"codec\":\"opus\",\"ssrc\":77,\"pt\":111}]}
wait published
wait closing 20000" --timeout 20000
wait_for "$WORK/carol.out" '"type":"published"'
sig_bg dan "$(join_msg "$(tok dan)" room2 Dan)
wait joined
wait closing 20000" --timeout 20000
wait_for "$WORK/dan.out" '"type":"joined"'
sleep 0.5 # sessions.state is written within 100 ms of a change
kill -KILL "$CP_PID"; wait "$CP_PID" 2>/dev/null || true
CP_PID=
lines=$(wc -l < "$WORK/dp.log")
start_cp
wait_for "$WORK/cp.log" 'msg="restored sessions reconciled with strata-dp" legs_kept=2 programmed_again=0' 30
# The DUMP and nothing else: their legs, Carol's stream, Dan's subscription
# untouched.
tail -n +$((lines + 1)) "$WORK/dp.log" | grep -v '"cmd":"dump"' | grep -q . &&
	fail "strata-dp was reprogrammed: $(tail -n +$((lines + 1)) "$WORK/dp.log")"
ctl --json room show app1 room2 | grep -q '"displayName":"Carol"' || fail "carol not restored"
carol_token=$(json_field "$WORK/carol.out" joined 'm["resumeToken"]')
sig carol2 "{\"type\":\"resume\",\"id\":1,\"resumeToken\":\"$carol_token\"}
wait resumed" || fail "carol's resume: $(cat "$WORK/carol2.out")"
[[ $(json_field "$WORK/carol.out" joined 'm["media"]') == $(json_field "$WORK/carol2.out" resumed 'm["media"]') ]] ||
	fail "carol resumed with other media"

note "strata-cp is killed and restarted without sessions.state: orphans removed"
kill -KILL "$CP_PID"; wait "$CP_PID" 2>/dev/null || true
CP_PID=
rm -f "$STATE/sessions.state"
start_cp
wait_for "$WORK/cp.log" "removed an earlier strata-cp's state from strata-dp\" legs=2 streams=1 subscriptions=1" 30
ctl --json stats > "$WORK/stats.json"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))["dataplane"]
assert (d["legs"], d["streams"], d["subscriptions"]) == (0, 0, 0), d
' "$WORK/stats.json" || fail "the dataplane kept state: $(cat "$WORK/stats.json")"
sig dave "$(join_msg "$(tok dave)" room2 Dave)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "a join after the restart: $(cat "$WORK/dave.out")"
stop_cp
echo PASS
