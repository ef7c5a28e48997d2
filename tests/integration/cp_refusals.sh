#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Every way strata-cp refuses a join, each with the reason a vidyo.io
# developer expects, and what operators do to participants (cp_lib.sh
# draws the set-up).  Tokens are made by the independent Python
# implementation (tests/cp_token_ref.py) or edited by hand here:
#
#   InvalidToken       expired; signed with another key; unknown app; a bit
#                      flipped in the MAC; truncated; bad base64; a user
#                      with a character outside [A-Za-z0-9]
#   InvalidResourceId  a resourceId with a space
#   NotMember          publish before joining
#   ResourceFull       a third participant in a room of two; a third room
#                      of an application allowed two
#   RateLimited        after "reload" lowered the per-address burst to 1:
#                      of three joins at once, one or two refused
#   Banned             ban: the user's participant is closed ("Banned",
#                      1008) and the user cannot come back; unban lets in
#   kick               the participant gets closing "kicked" and 1008, the
#                      others participant-left
#   ServerDraining     drain: no new rooms, the current one still takes
#                      joins, strata-cp exits once it is empty
#   bad input          bytes that are not TLS, TLS 1.1, text that is not
#                      JSON, an unknown type, a field of the wrong type, a
#                      message past 64 KiB (close 1009), a binary message
#                      (close 1003)
# A refused newcomer never disturbs those already in: the room's first
# participant stays connected through all of it.
. "$(dirname "$0")/cp_lib.sh"

start_fake_dp
write_conf 'quotas = { participants_per_room = 2; rooms_per_app = 2; };'
start_cp

KEY=$(ctl --json app add app1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
ctl app add app2 >/dev/null
REF="$PY $(dirname "$0")/../cp_token_ref.py"
NOW=$(date +%s)
tok() { $REF generate "${2:-app1}" "$1" "${3:-$((NOW + 600))}" "" "${4:-$KEY}"; }

# refused NAME REASON JOIN-LINE: the join gets an error with that reason.
refused() {
	sig "$1" "$3
wait error" || fail "$1: no error: $(cat "$WORK/$1.out")"
	local got
	got=$(json_field "$WORK/$1.out" error 'm["reason"]')
	[[ $got == "$2" ]] || fail "$1: reason $got, expected $2: $(cat "$WORK/$1.out")"
	note "$1: $2"
}

# The room's first participant, there all along.
sig_bg anchor "$(join_msg "$(tok anchor)" room1 Anchor)
wait participant-left 60000
wait participant-left 60000
wait participant-left 60000
{\"type\":\"leave\",\"id\":2}
wait left"
wait_for "$WORK/anchor.out" '"type":"joined"'

note "InvalidToken"
refused expired InvalidToken "$(join_msg "$(tok u1 app1 $((NOW - 5)))" room1)"
refused wrongkey InvalidToken "$(join_msg "$(tok u1 app1 $((NOW + 600)) another-key-0123456789)" room1)"
refused unknownapp InvalidToken "$(join_msg "$(tok u1 app9)" room1)"
good=$(tok u1)
# A bit flipped in the MAC (its hex digits sit at the end of the decoded token).
flipped=$("$PY" -c '
import base64, sys
raw = bytearray(base64.b64decode(sys.argv[1]))
raw[-3] = ord("0") if raw[-3] != ord("0") else ord("1")
print(base64.b64encode(bytes(raw)).decode())' "$good")
refused bitflip InvalidToken "$(join_msg "$flipped" room1)"
refused truncated InvalidToken "$(join_msg "${good:0:100}" room1)"
refused badbase64 InvalidToken "$(join_msg "${good:0:20}*${good:21}" room1)"
baduser=$("$PY" -c '
import base64, hashlib, hmac, sys
body = b"provision\0bad.user@app1\0%d\0" % (int(sys.argv[2]) + 62167219200 + 600)
mac = hmac.new(sys.argv[1].encode(), body, hashlib.sha384).hexdigest().encode()
print(base64.b64encode(body + b"\0" + mac).decode())' "$KEY" "$NOW")
refused baduser InvalidToken "$(join_msg "$baduser" room1)"

note "bad input: each refused, the anchor unaffected"
"$SIG" --mode garbage --url "$URL" --timeout 5000 > "$WORK/garbage.out" 2>&1 ||
	fail "garbage instead of TLS was not closed: $(cat "$WORK/garbage.out")"
"$SIG" --mode tls-probe --tls 1.1 --url "$URL" --ca "$STATE/signaling-cert.pem" \
	> "$WORK/tls11.out" 2>&1 && fail "TLS 1.1 accepted: $(cat "$WORK/tls11.out")"
refused notjson MalformedMessage 'send {"type":"join",'
refused unknown UnknownMessage '{"type":"teleport","id":1}'
refused wrongtype MalformedMessage '{"type":"join","id":1,"token":5,"resourceId":"room1"}'
sig toobig "send-big 70000
wait-close 1009" || fail "an oversized message: $(cat "$WORK/toobig.out")"
sig binary "send-binary hello
wait-close 1003" || fail "a binary message: $(cat "$WORK/binary.out")"
kill -0 "$CP_PID" || fail "strata-cp died"
grep -q '"type":"participant-left"' "$WORK/anchor.out" && fail "the anchor saw someone leave"

note "InvalidResourceId, NotMember"
refused badroom InvalidResourceId "$(join_msg "$good" "bad room")"
refused notmember NotMember '{"type":"publish","id":1,"streams":[{"kind":"audio","codec":"opus","ssrc":5,"pt":111}]}'

note "ResourceFull"
sig_bg second "$(join_msg "$(tok second)" room1 Second)
wait closing 30000"
wait_for "$WORK/second.out" '"type":"joined"'
refused roomfull ResourceFull "$(join_msg "$(tok third)" room1)"
sig_bg room2 "$(join_msg "$(tok other)" room2 Other)
wait closing 30000"
wait_for "$WORK/room2.out" '"type":"joined"'
refused appfull ResourceFull "$(join_msg "$(tok fourth)" room3)"
# The same ResourceID in another application is another room.
KEY2=$(ctl --json app rotate app2 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
sig app2room "$(join_msg "$(tok x app2 $((NOW + 600)) "$KEY2")" room1)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "app2's room1: $(cat "$WORK/app2room.out")"

note "kick"
second_id=$(json_field "$WORK/second.out" joined 'm["participantId"]')
ctl kick app1 room1 "$second_id" >/dev/null || fail "kick"
wait "$second_PID" || fail "second: $(cat "$WORK/second.out")"
[[ $(json_field "$WORK/second.out" closing 'm["reason"]') == kicked ]] || fail "closing reason"
grep -q '"event":"close","code":1008' "$WORK/second.out" || fail "kick: close code"
ctl kick app1 room1 "$second_id" 2>/dev/null && fail "kicked a participant twice"

note "ban"
ctl ban app1 other >/dev/null || fail "ban"
wait "$room2_PID" || fail "room2: $(cat "$WORK/room2.out")"
[[ $(json_field "$WORK/room2.out" closing 'm["reason"]') == Banned ]] || fail "ban: closing"
refused banned Banned "$(join_msg "$(tok other)" room1)"
ctl --json bans | grep -q '"user":"other"' || fail "bans"
ctl unban app1 other >/dev/null || fail "unban"
sig unbanned "$(join_msg "$(tok other)" room1)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "unbanned: $(cat "$WORK/unbanned.out")"

note "RateLimited after reload"
write_conf 'quotas = { participants_per_room = 2; rooms_per_app = 2; joins_burst_per_address = 1; joins_per_s_per_address = 1; };'
ctl reload >/dev/null || fail "reload"
# Three joins at once from 127.0.0.1 with a bucket of one: one gets in
# (it leaves again), the others are refused -- at least one even on a slow
# machine, where the bucket may refill once meanwhile.
for n in 1 2 3; do
	sig_bg "rl$n" "$(join_msg "$(tok "rl$n")" room5)
sleep 1500
{\"type\":\"leave\",\"id\":2}
sleep 500"
done
for n in 1 2 3; do wait "$(eval echo "\$rl${n}_PID")" || true; done
limited=$(cat "$WORK"/rl?.out | grep -c '"reason":"RateLimited"' || true)
[[ $limited -ge 1 && $limited -le 2 ]] ||
	fail "RateLimited $limited times of 3: $(cat "$WORK"/rl?.out)"
note "ratelimited: RateLimited ($limited of 3)"
sleep 1.1

note "ServerDraining"
ctl drain >/dev/null || fail "drain"
refused draining ServerDraining "$(join_msg "$(tok d1)" room9)"
ctl --json stats | "$PY" -c '
import json, sys
j = json.load(sys.stdin)["controlplane"]["joins"]
assert j["invalid_token"] == 7 and j["resource_full"] == 2 and j["banned"] == 1, j
assert 1 <= j["rate_limited"] <= 2 and j["draining"] == 1, j
' || fail "join counters: $(ctl --json stats)"
sleep 1.1
sig stilljoins "$(join_msg "$(tok d2)" room1)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "a join to an existing room while draining: $(cat "$WORK/stilljoins.out")"
# The anchor saw every departure (second, unbanned, stilljoins) and leaves last.
wait "$anchor_PID" || fail "anchor: $(cat "$WORK/anchor.out")"
for _ in $(seq 50); do kill -0 "$CP_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$CP_PID" 2>/dev/null && fail "strata-cp still runs after draining its last room"
wait "$CP_PID" || fail "strata-cp exited with $?"
grep -q "Sanitizer" "$WORK/cp.log" && fail "sanitizer report in the log"
CP_PID=
grep -q 'msg="drained: the last room is empty, stopping"' "$WORK/cp.log" || fail "no drained line"
echo PASS
