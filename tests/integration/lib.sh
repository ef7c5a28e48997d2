# SPDX-License-Identifier: BSD-3-Clause
#
# Shared pieces of strata-dp's integration tests (sourced, not run).
#
# Topology: strata-dp owns a net_tap port whose kernel side is moved into a
# network namespace the test creates; the test's clients live there.  Only
# documentation ranges are used, and only inside that namespace.
#
#   netns $NS                                 root namespace
#   +------------------------------------+    +-----------------------------+
#   | $TAP  192.0.2.1/24  2001:db8::1/64 |<-->| strata-dp  port net_tap0    |
#   | srtp-peer clients (libsrtp2)       |tap |   192.0.2.2  2001:db8::2    |
#   +------------------------------------+    +-----------------------------+
#
# Every run has its own names (namespace, tap, DPDK --file-prefix, shared
# memory) so tests run side by side and next to other DPDK processes; the
# EXIT trap stops strata-dp and removes all of it.

set -euo pipefail

BUILD=${BUILD:-$(cd "$(dirname "$0")/../../build" && pwd)}
DP=$BUILD/dataplane/strata-dp
DRIVER=$BUILD/tests/driver/strata-dp-driver
PEER=$BUILD/tests/peer/srtp-peer
# Debian's python3: a pyenv shim on PATH can take seconds to start in a
# network namespace.
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

ID=${ID:-$$}
NS=stns$ID
TAP=stt$ID
PREFIX=strata-it-$ID
SHM=/strata-it-$ID
WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-it.XXXXXX")
DP_PID=

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: integration tests need root (network namespaces, tap devices)"
	exit 77
fi

cleanup() {
	local rc=$?
	if [[ -n $DP_PID ]] && kill -0 "$DP_PID" 2>/dev/null; then
		kill -TERM "$DP_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$DP_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$DP_PID" 2>/dev/null || true
	fi
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$PREFIX" "/dev/shm${SHM}"
	if [[ $rc -ne 0 && -f $WORK/dp.log ]]; then
		echo "--- strata-dp log ---"; tail -40 "$WORK/dp.log"
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
# A test stopped by a signal (meson's timeout, ^C) cleans up too: without
# these, bash dies without running the EXIT trap and strata-dp keeps polling.
trap 'exit 143' TERM
trap 'exit 130' INT

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# A random master key||salt for a profile, in hex.
key_for() {
	case $1 in
	AES_CM_128_HMAC_SHA1_80|AES_CM_128_HMAC_SHA1_32) head -c 30 /dev/urandom ;;
	AES_256_CM_HMAC_SHA1_80) head -c 46 /dev/urandom ;;
	AEAD_AES_128_GCM) head -c 28 /dev/urandom ;;
	AEAD_AES_256_GCM) head -c 44 /dev/urandom ;;
	esac | od -An -tx1 -v | tr -d ' \n'
}

# wait_dp_running: until the strata-dp started as $DP_PID (logging to
# $WORK/dp.log) says it runs; fails if it exits or takes over 10 s.
wait_dp_running() {
	for _ in $(seq 100); do
		grep -q "strata-dp: running" "$WORK/dp.log" && break
		kill -0 "$DP_PID" 2>/dev/null || fail "strata-dp exited during start-up"
		sleep 0.1
	done
	grep -q "strata-dp: running" "$WORK/dp.log" || fail "strata-dp did not start within 10 s"
}

# memif_dp_conf SOCKET [EXTRA_CONFIG]: $WORK/strata.conf for a strata-dp
# whose port is a net_memif server on SOCKET (strata-bench run's client side
# is 192.0.2.1, MAC 02:00:00:00:00:01, behind its gateway), one worker.
memif_dp_conf() {
	cat > "$WORK/strata.conf" <<CONF
dataplane = {
  eal = { file_prefix = "$PREFIX"; lcores = "0-1"; main_lcore = 0; hugepages = "no";
          memory_mb = 512;
          vdevs = ["net_memif0,role=server,socket=$1,mac=02:00:00:00:00:02,rsize=14"]; };
  workers = [1];
  ports = ( { device = "net_memif0"; addresses = ["192.0.2.2/24"]; gateway4 = "192.0.2.1";
              neighbours = ( { ip = "192.0.2.1"; mac = "02:00:00:00:00:01"; } ); } );
  pool = { mbufs = 16383; };
  shm = { name = "$SHM"; };
  limits = { legs = 2048; streams = 2048; sources = 2048; subscriptions = 8192; };
  ${2:-}
};
CONF
}

# start_dp [LCORES] [WORKERS] [EXTRA_CONFIG] [EAL ARGS...]: writes a config
# and starts strata-dp.
start_dp() {
	local lcores=${1:-0-1} workers=${2:-[1]} extra=${3:-}
	shift $(($# < 3 ? $# : 3))
	cat > "$WORK/strata.conf" <<CONF
dataplane = {
  eal = { file_prefix = "$PREFIX"; lcores = "$lcores"; main_lcore = 0; hugepages = "${DP_HUGEPAGES:-no}";
          memory_mb = 256; vdevs = ["net_tap0,iface=$TAP"]; };
  workers = $workers;
  ports = ( { device = "net_tap0"; addresses = ["192.0.2.2/24", "2001:db8::2/64"]; } );
  pool = { mbufs = 4095; mbuf_cache = 64; };
  shm = { name = "$SHM"; };
  limits = { legs = 256; streams = 256; sources = 256; subscriptions = 1024; };
  timers = { stats_interval_ms = 200; stream_timeout_ms = 1000; };
  $extra
};
CONF
	"$DP" -c "$WORK/strata.conf" ${1:+-- "$@"} > "$WORK/dp.log" 2>&1 &
	DP_PID=$!
	wait_dp_running
	ip netns add "$NS"
	ip link set "$TAP" netns "$NS"
	ip -n "$NS" addr add 192.0.2.1/24 dev "$TAP"
	ip -n "$NS" addr add 2001:db8::1/64 dev "$TAP" nodad
	ip -n "$NS" link set "$TAP" up
	ip -n "$NS" link set lo up
	# The kernel hands the tap partially checksummed UDP unless told not to.
	ip netns exec "$NS" ethtool -K "$TAP" tx off >/dev/null 2>&1 || true
}

driver() { "$DRIVER" --shm "$SHM" "$@"; }

# wait_udp PORT: until something in the namespace listens on UDP PORT.
wait_udp() {
	for _ in $(seq 100); do
		[[ -n $(ip netns exec "$NS" ss -Hlun "sport = :$1") ]] && return 0
		sleep 0.05
	done
	fail "nothing listens on UDP port $1 in $NS"
}
in_ns() { ip netns exec "$NS" "$@"; }

# json_get FILE KEY: a top-level field of the last JSON line of FILE.
json_get() {
	"$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])[sys.argv[2]])' "$1" "$2"
}

# A fresh stats event from strata-dp (STATS command), as one JSON line.
stats_now() {
	driver stats | grep '"event":"stats"' | tail -1
}

# The counters balance: rx = forwarded + punted + replied + dropped + in_flight.
check_identity() {
	local s
	s=$(stats_now)
	"$PY" - "$s" <<'PY' || fail "counter identity broken: $s"
import json, sys
s = json.loads(sys.argv[1])
lhs = s["rx_packets"]
rhs = s["forwarded"] + s["punted"] + s["replied"] + s["dropped"] + s["in_flight"]
if lhs != rhs:
    print(f"rx {lhs} != forwarded+punted+replied+dropped+in_flight {rhs}")
    sys.exit(1)
PY
}

# telemetry CMD: strata-dp's answer to a DPDK telemetry command, as JSON.
telemetry() {
	echo "$1" | "$PY" /usr/bin/dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{' | tail -1
}

# Packet buffers taken from strata-dp's pool, through DPDK telemetry (after a
# STATS command, so the figure is fresh).
mbufs_in_use() {
	stats_now > /dev/null
	telemetry /strata/stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["/strata/stats"]["mbufs_in_use"])'
}
