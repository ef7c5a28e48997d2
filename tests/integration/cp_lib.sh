# SPDX-License-Identifier: BSD-3-Clause
#
# Shared pieces of strata-cp's integration tests (sourced, not run).
#
#   strata-sigclient --(TLS WebSocket)--> strata-cp <--(shared memory)--> strata-fake-dp
#   stratactl        --(control socket)-->    |
#
# strata-cp runs unprivileged-capable and without DPDK; the dataplane is
# strata-fake-dp, which answers every command as strata-dp's tables would
# and logs each one (keys included) as a JSON line, so a test can check
# what strata-cp programmed.  Everything lives in a fresh directory, with
# its own shm name and ports chosen by the kernel; the EXIT trap stops what
# was started and removes it.

set -euo pipefail

BUILD=${BUILD:-$(cd "$(dirname "$0")/../../build" && pwd)}
CP=$BUILD/controlplane/strata-cp
CTL=$BUILD/controlplane/stratactl
SIG=$BUILD/tests/sigclient/strata-sigclient
FAKE=$BUILD/tests/driver/strata-fake-dp
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

ID=${ID:-$$}
SHM=/strata-cpit-$ID
WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-cpit.XXXXXX")
STATE=$WORK/state
CP_PID=
FAKE_PID=
SIG_PIDS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

cp_cleanup() {
	local rc=$?
	for p in "${SIG_PIDS[@]}" $CP_PID $FAKE_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $CP_PID $FAKE_PID; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "/dev/shm$SHM"
	if [[ $rc -ne 0 ]]; then
		[[ -f $WORK/cp.log ]] && { echo "--- strata-cp log ---"; tail -40 "$WORK/cp.log"; }
		[[ -f $WORK/dp.log ]] && { echo "--- fake dp commands ---"; tail -20 "$WORK/dp.log"; }
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cp_cleanup EXIT

# start_fake_dp [ARGS]: a (new) fake dataplane under $SHM, its commands in
# dp.log.
start_fake_dp() {
	"$FAKE" --shm "$SHM" --max 256 --log "$WORK/dp.log" "$@" > "$WORK/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 50); do
		grep -q '"ready"' "$WORK/fake.out" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "strata-fake-dp did not start"
}

# write_conf [EXTRA SETTINGS]: the controlplane section for this test.
write_conf() {
	cat > "$WORK/strata.conf" <<CONF
controlplane = {
  state_dir = "$STATE";
  signaling = { address = "127.0.0.1"; port = 0; idle_timeout_s = 300; };
  metrics = { address = "127.0.0.1"; port = 0; };
  dataplane = { shm = "$SHM"; media_addresses = ["192.0.2.2", "2001:db8::2"];
                ports = "40000-40099"; poll_us = 200; };
  $*
};
CONF
}

# start_cp: strata-cp on $WORK/strata.conf; sets PORT (signaling).
start_cp() {
	: > "$WORK/cp.log"
	"$CP" -c "$WORK/strata.conf" >> "$WORK/cp.log" 2>&1 &
	CP_PID=$!
	for _ in $(seq 100); do
		grep -q 'msg=ready' "$WORK/cp.log" && break
		kill -0 "$CP_PID" 2>/dev/null || fail "strata-cp exited during start-up"
		sleep 0.05
	done
	PORT=$(sed -n 's/.*msg=ready.* sig_port=\([0-9]*\).*/\1/p' "$WORK/cp.log" | tail -1)
	METRICS_PORT=$(sed -n 's/.*msg=ready.* metrics_port=\([0-9]*\).*/\1/p' "$WORK/cp.log" | tail -1)
	[[ -n $PORT ]] || fail "strata-cp did not get ready"
	URL=wss://127.0.0.1:$PORT/strata/v1
}

# stop_cp: SIGTERM, and strata-cp must exit 0 within 5 s (in the ASan
# build, a leak or a memory error makes that fail).
stop_cp() {
	kill -TERM "$CP_PID"
	for _ in $(seq 50); do kill -0 "$CP_PID" 2>/dev/null || break; sleep 0.1; done
	local rc=0
	wait "$CP_PID" || rc=$?
	CP_PID=
	[[ $rc -eq 0 ]] || fail "strata-cp exited with $rc"
	grep -q "Sanitizer" "$WORK/cp.log" && fail "sanitizer report in the log"
	grep -q 'msg=stopped' "$WORK/cp.log" || fail "no stopped line"
}

ctl() { "$CTL" --socket "$STATE/ctl.sock" "$@"; }

# sig NAME SCRIPT-TEXT [ARGS]: runs strata-sigclient with the script,
# output in $WORK/NAME.out; returns its status.
sig() {
	local name=$1 script=$2
	shift 2
	printf '%s\n' "$script" > "$WORK/$name.script"
	"$SIG" --url "$URL" --ca "$STATE/signaling-cert.pem" --script "$WORK/$name.script" \
		--timeout 5000 "$@" > "$WORK/$name.out" 2>&1
}

# sig_bg NAME SCRIPT-TEXT: the same in the background (SIG_PIDS).
sig_bg() {
	local name=$1 script=$2
	shift 2
	printf '%s\n' "$script" > "$WORK/$name.script"
	"$SIG" --url "$URL" --ca "$STATE/signaling-cert.pem" --script "$WORK/$name.script" \
		--timeout 10000 "$@" > "$WORK/$name.out" 2>&1 &
	SIG_PIDS+=($!)
	eval "${name}_PID=$!"
}

# wait_for FILE PATTERN [TENTHS]: until a line of FILE matches.
wait_for() {
	for _ in $(seq "${3:-50}"); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no line matching $2 in $(basename "$1"): $(tail -5 "$1" 2>/dev/null)"
}

# join_msg TOKEN RESOURCE [NAME] [ID]: a join request as one line.
join_msg() {
	printf '{"type":"join","id":%s,"token":"%s","resourceId":"%s","displayName":"%s",%s}' \
		"${4:-1}" "$1" "$2" "${3:-}" \
		'"capabilities":{"codecs":["VP8","opus"],"srtpProfiles":["AEAD_AES_128_GCM","AES_CM_128_HMAC_SHA1_80"]}'
}

# json_field FILE TYPE EXPR: a Python expression over the first message of
# that type in FILE (m is the message).
json_field() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") == sys.argv[2]:
        print(eval(sys.argv[3]))
        break
else:
    sys.exit("no %s message" % sys.argv[2])
PYEOF
}
