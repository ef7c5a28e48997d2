#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strata-cp started as root with controlplane.user = "nobody": it hands its
# state directory to nobody and runs as nobody (uid and gid), and still
# serves: strata-fake-dp's segment belongs to nobody's group (as strata-dp's
# dataplane.shm.group does it), the control socket takes root's stratactl,
# and a join completes.  Needs root (SKIP otherwise).
. "$(dirname "$0")/cp_lib.sh"

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: starting as root is what this test checks"
	exit 77
fi
group=$(id -gn nobody)
chmod 755 "$WORK" # nobody walks into its state directory
start_fake_dp --group "$group"
write_conf 'user = "nobody";'
start_cp
[[ $(ps -o user= -p "$CP_PID") == nobody ]] || fail "runs as $(ps -o user= -p "$CP_PID")"
[[ $(awk '/^Gid:/ { print $2 }' "/proc/$CP_PID/status") == $(id -g nobody) ]] || fail "gid"
[[ $(stat -c %U:%a "$STATE") == nobody:700 ]] || fail "state dir $(stat -c %U:%a "$STATE")"
[[ $(stat -c %U:%a "$STATE/master.key") == nobody:600 ]] || fail "master key"
[[ $(stat -c %a "$STATE/ctl.sock") == 600 ]] || fail "control socket mode"
grep -q 'running as root' "$WORK/cp.log" && fail "warned about root after dropping it"
KEY=$(ctl --json app add app1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
TOK=$("$PY" "$(dirname "$0")/../cp_token_ref.py" generate app1 alice "$(($(date +%s) + 600))" "" "$KEY")
sig alice "$(join_msg "$TOK" room1 Alice)
wait joined
{\"type\":\"leave\",\"id\":2}
wait left" || fail "join as nobody: $(cat "$WORK/alice.out")"
stop_cp
echo PASS
