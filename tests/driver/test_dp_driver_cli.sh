#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-dp-driver end to end, against strata-fake-dp on a segment of its own:
#
#   strata-dp-driver ──command ring──▶ strata-fake-dp ──log: each command as JSON
#          ▲ ◀──────event ring─────────────┘  │
#          └──────────punt rings ◀── tx ring ─┘  (tx packets come back as punts)
#
# Checks the JSON lines, the exit statuses (0 ok, 1 a result not ok, 2 usage),
# that the words parse into the bytes the dataplane receives, and that a
# restarted dataplane is noticed.
#
#   test_dp_driver_cli.sh PATH/strata-dp-driver PATH/strata-fake-dp
set -uo pipefail

drv_bin=$1
fake_bin=$2
shm=/strata-clitest-$$
tmp=$(mktemp -d)
fake_pid=
failures=0
checks=0

cleanup() {
	[[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
	rm -rf "$tmp"
	rm -f "/dev/shm$shm"
}
trap cleanup EXIT

fail() {
	failures=$((failures + 1))
	echo "FAIL: $*" >&2
}

drv() { "$drv_bin" --shm "$shm" --timeout 3000 "$@"; }

# expect STATUS "substring" -- command...: the exit status and a line of stdout.
expect() {
	local want_rc=$1 want_out=$2
	shift 2
	local out rc
	checks=$((checks + 1))
	out=$("$@" 2>"$tmp/stderr")
	rc=$?
	if [[ $rc -ne $want_rc ]]; then
		fail "$* exited $rc, expected $want_rc; stdout: $out; stderr: $(cat "$tmp/stderr")"
	elif [[ -n $want_out && $out != *"$want_out"* ]]; then
		fail "$* printed: $out; expected a line with: $want_out"
	fi
	printf '%s\n' "$out" >"$tmp/last"
}

start_fake() {
	"$fake_bin" --shm "$shm" --workers 2 --max 64 --log "$tmp/log" >"$tmp/fake.out" &
	fake_pid=$!
}

key80=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d   # 16 + 14 bytes
key256gcm=$(printf '%02x' $(seq 100 143))                               # 32 + 12 bytes

# Nothing running yet: attach fails with advice, exit 2.
expect 2 "" drv dump
grep -q "is strata-dp running? (no /dev/shm$shm)" "$tmp/stderr" ||
	fail "missing-segment message: $(cat "$tmp/stderr")"
expect 1 '"attached":false' drv status

start_fake
expect 0 '"dp_state":"running"' drv --wait 5000 status
grep -q '"workers":2,"max_legs":64' "$tmp/last" || fail "status geometry: $(cat "$tmp/last")"
epoch1=$(sed -n 's/.*"epoch":"\([0-9a-f]*\)".*/\1/p' "$tmp/last")

# A leg: result line, and the dataplane received exactly these bytes.
expect 0 '{"cmd":"leg-add","seq":1,"status":"ok"}' \
	drv leg-add id=1 room=7 local=10.0.0.1:40000 remote=10.0.0.2:5000 latch=1 \
	rx=AES_CM_128_HMAC_SHA1_80:$key80 tx=AEAD_AES_256_GCM:$key256gcm rx-rtcp-unencrypted \
	tx-window=256
want='{"cmd":"leg-add","seq":1,"id":1,"room":7,"local":"10.0.0.1:40000","remote":"10.0.0.2:5000","latch":1,"rx":"AES_CM_128_HMAC_SHA1_80:'$key80'","tx":"AEAD_AES_256_GCM:'$key256gcm'","rx-rtcp-unencrypted":1,"tx-rtcp-unencrypted":0,"rx-window":0,"tx-window":256,"ext-transport-cc":0}'
# strata-fake-dp logs a command before it answers it.
grep -qxF "$want" "$tmp/log" || fail "fake dp received: $(cat "$tmp/log"), expected $want"

# The same id again: the dataplane's status, exit 1.
expect 1 '"status":"eexist"' drv leg-add id=1 local=10.0.0.1:40002 \
	rx=AES_CM_128_HMAC_SHA1_80:$key80 tx=AES_CM_128_HMAC_SHA1_80:$key80
expect 1 '"status":"einval"' drv leg-add id=2 local=10.0.0.1:40002 rx=none tx=none

# Usage errors: exit 2, nothing sent.
expect 2 '"status":"usage"' drv leg-add id=3 local=10.0.0.1:40000
grep -q "rx= is required" "$tmp/stderr" || fail "required word: $(cat "$tmp/stderr")"
expect 2 '"status":"usage"' drv leg-add id=3 local=10.0.0.1 rx=none tx=none
expect 2 '"status":"usage"' drv leg-add id=3 local=10.0.0.1:1 rx=AES_CM_128_HMAC_SHA1_80:00 tx=none
grep -q "needs 60 hex digits" "$tmp/stderr" || fail "key length: $(cat "$tmp/stderr")"
expect 2 '"status":"usage"' drv leg-add id=3 local=10.0.0.1:1 rx=AES_CM_999:00 tx=none
expect 2 '"status":"usage"' drv stream-add id=1 source=1 leg=1 ssrc=1 codec=mpeg2 pt=96
expect 2 '"status":"usage"' drv sub-add id=1 bogus=1
expect 2 '"status":"usage"' drv frobnicate
expect 2 "" "$drv_bin"

# --dry-run: the parse, defaults included, without a dataplane.
expect 0 '"kind":"audio","encoding":0,"clock":48000' \
	"$drv_bin" --shm /nonexistent --dry-run stream-add id=1 source=1 leg=1 ssrc=0x1234 codec=opus pt=111
expect 0 '"ssrc":4660' "$drv_bin" --shm /nonexistent --dry-run stream-add id=1 source=1 leg=1 ssrc=0x1234 codec=opus pt=111
expect 0 '"local":"[2001:db8::1]:3478","remote":"none"' \
	"$drv_bin" --dry-run leg-add id=9 local=[2001:db8::1]:3478 rx=none tx=none
expect 0 '"spatial":0,"temporal":255' "$drv_bin" --dry-run sub-add id=1 leg=1 source=1 ssrc=5 pt=96
# Bandwidth adaptation's commands: wishes, a room's policy.
expect 0 '"id":3,"spatial":1,"temporal":2,"paused":1,"max-height":360' \
	"$drv_bin" --dry-run sub-layers id=3 spatial=1 temporal=2 paused max-height=360
expect 0 '{"cmd":"leg-prefs","seq":0,"id":1,"max-video-sources":4}' \
	"$drv_bin" --dry-run leg-prefs id=1 max-video-sources=4
expect 0 '"room":7,"policy":1,"speaker-events-per-s":2' \
	"$drv_bin" --dry-run room-policy room=7 policy=1 speaker-events-per-s=2
expect 0 '{"cmd":"leg-prefs","seq":1,"status":"ok"}' drv leg-prefs id=1 max-video-sources=2
expect 1 '{"cmd":"leg-prefs","seq":1,"status":"enoent"}' drv leg-prefs id=5
expect 1 '{"cmd":"room-policy","seq":1,"status":"einval"}' drv room-policy room=7 policy=9

# A batch: many commands, one process; results in order; dump at the end.
cat >"$tmp/batch" <<EOB
# a second leg, a stream on leg 1, a subscription of leg 2
leg-add id=2 room=7 local=10.0.0.1:40002 remote=[2001:db8::2]:6000 rx=AES_256_CM_HMAC_SHA1_80:$(printf '%02x' $(seq 1 46)) tx=AEAD_AES_128_GCM:$(printf '%02x' $(seq 1 28))
stream-add id=1 source=1 leg=1 ssrc=1111 rtx-ssrc=1112 codec=vp8 pt=96 rtx-pt=97 ext-dd=3
sub-add id=1 leg=2 source=1 ssrc=2222 pt=100 spatial=1 temporal=all
sub-layers id=1 spatial=0 temporal=1

dump
EOB
expect 0 '{"cmd":"dump","seq":5,"status":"ok"}' drv batch "$tmp/batch"
for line in '{"cmd":"leg-add","seq":1,"status":"ok"}' \
	'{"cmd":"stream-add","seq":2,"status":"ok"}' \
	'{"cmd":"sub-add","seq":3,"status":"ok"}' \
	'{"cmd":"sub-layers","seq":4,"status":"ok"}' \
	'{"event":"dump-leg","leg":1,"room":7,"local":"10.0.0.1:40000","remote":"10.0.0.2:5000","latch":1,"rx_profile":"AES_CM_128_HMAC_SHA1_80","tx_profile":"AEAD_AES_256_GCM","worker":1}' \
	'"remote":"[2001:db8::2]:6000","latch":0,"rx_profile":"AES_256_CM_HMAC_SHA1_80","tx_profile":"AEAD_AES_128_GCM"' \
	'{"event":"dump-stream","stream":1,"source":1,"leg":1,"ssrc":1111' \
	'{"event":"dump-sub","sub":1,"leg":2,"source":1,"ssrc":2222,"spatial":0,"temporal":1' \
	'{"event":"dump-end"}'; do
	grep -qF "$line" "$tmp/last" || fail "batch output lacks $line: $(cat "$tmp/last")"
done
[[ $(tail -n 1 "$tmp/last") == '{"cmd":"dump","seq":5,"status":"ok"}' ]] ||
	fail "the dump's result is not last: $(tail -n 1 "$tmp/last")"

# A failing line makes the batch fail; --stop-on-error stops there.
printf 'leg-del id=1\nsub-del id=1\n' >"$tmp/batch2"
expect 1 '{"cmd":"sub-del","seq":2,"status":"ok"}' drv batch "$tmp/batch2"
grep -qF '{"cmd":"leg-del","seq":1,"status":"ebusy"}' "$tmp/last" || fail "leg-del: $(cat "$tmp/last")"
printf 'sub-del id=1\nstream-del id=1\n' >"$tmp/batch3"
expect 1 '"status":"enoent"' drv -e batch - <"$tmp/batch3"
grep -q stream-del "$tmp/last" && fail "--stop-on-error ran on: $(cat "$tmp/last")"

# stats: the totals, a leg's counters, then the result.
expect 0 '{"cmd":"stats","seq":1,"status":"ok"}' drv stats
grep -qF '{"event":"stats",' "$tmp/last" || fail "stats event: $(cat "$tmp/last")"
grep -qF '"legs":2,"streams":1,"subscriptions":0,"workers":2' "$tmp/last" || fail "stats: $(cat "$tmp/last")"
grep -qF '{"event":"leg-stats","leg":2,' "$tmp/last" || fail "leg-stats: $(cat "$tmp/last")"

# send: a STUN binding request and a DTLS record come back as punts.
expect 0 '{"cmd":"send","status":"ok"}' drv send local=10.0.0.1:40000 remote=10.0.0.9:7001 data=000100002112a442
expect 0 '{"cmd":"send","status":"ok"}' drv send local=10.0.0.1:40000 remote=10.0.0.9:7002 text=hello
expect 0 '"punt":"stun","worker":1,"port_id":0,"local":"10.0.0.1:40000","remote":"10.0.0.9:7001","len":8,"data":"000100002112a442"' \
	drv punts 2000 count=2
grep -qF '"punt":"other","worker":0' "$tmp/last" || fail "second punt: $(cat "$tmp/last")"
grep -qF '"data":"68656c6c6f"' "$tmp/last" || fail "text payload: $(cat "$tmp/last")"
expect 1 '"status":"timeout"' drv punts 100 count=1

# wait-events: none come from the fake dataplane unasked.
expect 1 '"status":"timeout"' drv wait-events 200 until=stream-started
expect 0 "" drv wait-events 100

# A second control plane is refused while the first lives; status is not.
"$drv_bin" --shm "$shm" wait-events 10000 count=1000000 >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
	drv status 2>/dev/null | grep -q "\"cp_pid\":$holder," && break
	sleep 0.05
done
expect 2 "" drv dump
grep -q "another control plane" "$tmp/stderr" || fail "claim message: $(cat "$tmp/stderr")"
expect 0 "\"cp_pid\":$holder" drv status
kill "$holder"; wait "$holder" 2>/dev/null

# A restarted dataplane: a new epoch, and the old one's state is gone.
kill "$fake_pid"; wait "$fake_pid"; fake_pid=
[[ -e /dev/shm$shm ]] && fail "strata-fake-dp left /dev/shm$shm"
start_fake
expect 0 '"dp_state":"running"' drv --wait 5000 status
epoch2=$(sed -n 's/.*"epoch":"\([0-9a-f]*\)".*/\1/p' "$tmp/last")
[[ -n $epoch1 && -n $epoch2 && $epoch1 != "$epoch2" ]] || fail "epochs $epoch1 $epoch2"
expect 1 '"status":"enoent"' drv leg-del id=1

echo "dp_driver_cli: $checks checks, $failures failed"
(( failures == 0 ))
