# SPDX-License-Identifier: BSD-3-Clause
#
# Calls with strata-client (sourced after lib.sh, which started strata-dp
# with its tap in the namespace $NS): strata-cp in that namespace too (its
# signaling on the namespace's 127.0.0.1, which its self-signed certificate
# names; the shared memory to strata-dp is not namespaced), an application,
# tokens, and parties.  call3.sh and scripts/run use it.

CP=$BUILD/controlplane/strata-cp
CTL=$BUILD/controlplane/stratactl
CLIENT=$BUILD/client/strata-client
STATE=$WORK/state
CP_PID=
REF=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/cp_token_ref.py
CALL_CHECK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# call_check ARGS... <<'PYEOF': a check script on stdin, with ARGS, that can
# import call_check.py (the parties' reports and what every call checks).
call_check() { PYTHONPATH="$CALL_CHECK_DIR" "$PY" - "$@"; }

# start_cp_ns: strata-cp attached to strata-dp; sets CP_PID and URL.  The
# caller's EXIT trap stops it before lib.sh's cleanup: cp_exit_trap.
# CP_SIG_ADDRESS (default 127.0.0.1) is where signaling listens, CP_SIG_CONF
# more settings of the signaling section (a certificate naming another
# address, liveness timers).
start_cp_ns() {
	local profiles=${CP_PROFILES:-'"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"'}
	cat > "$WORK/cp.conf" <<CONF
controlplane = {
  state_dir = "$STATE";
  signaling = { address = "${CP_SIG_ADDRESS:-127.0.0.1}"; port = 0; idle_timeout_s = ${CP_IDLE_S:-300};
                ${CP_SIG_CONF:-} };
  metrics = { address = ""; };
  dataplane = { shm = "$SHM"; media_addresses = ["192.0.2.2"]; ports = "40000-40099"; };
  media = { srtp_profiles = [$profiles]; };
  ${CP_EXTRA_CONF:-}
};
CONF
	# ip netns exec itself (not the in_ns function, which would leave a
	# subshell in between): CP_PID is strata-cp's.
	ip netns exec "$NS" "$CP" -c "$WORK/cp.conf" > "$WORK/cp.log" 2>&1 &
	CP_PID=$!
	for _ in $(seq 100); do grep -q 'msg=ready' "$WORK/cp.log" && break; sleep 0.05; done
	grep -q 'msg="attached to strata-dp"' "$WORK/cp.log" ||
		fail "strata-cp did not attach: $(cat "$WORK/cp.log")"
	URL=wss://${CP_SIG_ADDRESS:-127.0.0.1}:$(sed -n 's/.*msg=ready.* sig_port=\([0-9]*\).*/\1/p' "$WORK/cp.log")/strata/v1
}

ctl() { "$CTL" --socket "$STATE/ctl.sock" "$@"; }

# add_app NAME: the application; sets APP and KEY (its DeveloperKey).
add_app() {
	APP=$1
	KEY=$(ctl --json app add "$APP" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
}

# tok USER [EXPIRES_IN]: a token signed with the DeveloperKey, by stratactl.
tok() {
	ctl --json token generate --app "$APP" --user "$1" --expires-in "${2:-600}" --key "$KEY" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# expired_tok USER: a token that expired a minute ago (the reference
# implementation signs it: stratactl refuses to make one).
expired_tok() {
	"$PY" "$REF" generate "$APP" "$1" "$(($(date +%s) - 60))" "" "$KEY"
}

# party NAME PORT ROOM [ARGS]: strata-client publishing and receiving in the
# namespace, in the background (NAME_PID); its JSON in $WORK/NAME.json.
party() {
	local name=$1 port=$2 room=$3
	shift 3
	in_ns "$CLIENT" --url "$URL" --ca "$STATE/signaling-cert.pem" --token "$(tok "$name")" \
		--room "$room" --name "$name" --bind "192.0.2.1:$port" --announce --json \
		--publish "$@" > "$WORK/$name.json" 2> "$WORK/$name.err" &
	eval "${name}_PID=$!"
	PARTY_PIDS+=($!)
}

# The EXIT trap for a script that started strata-cp: stops it (and the
# parties), shows strata-cp's log when the script failed, then lib.sh's
# cleanup with the script's status.
cp_exit_trap() {
	local st=$1
	set +e
	kill -TERM $CP_PID ${PARTY_PIDS[@]+"${PARTY_PIDS[@]}"} 2>/dev/null
	[[ $st == 0 ]] || tail -15 "$WORK/cp.log" 2>/dev/null
	(exit "$st")
	cleanup
}
PARTY_PIDS=()
