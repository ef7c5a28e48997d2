#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The signaling server's TLS as OpenSSL's own client sees it, and the two
# command-line tools end to end:
#
#   test_cp_sig_cli.sh STRATA_SIG_ECHO STRATA_SIGCLIENT
#
#     strata-sig-echo (127.0.0.1, a free port, a self-signed certificate
#     generated into a scratch state directory)
#        ^
#        |  openssl s_client: TLS 1.0 and 1.1 refused by the server (with
#        |  the system's minimum lifted on the client's side, so the
#        |  refusal is the server's), 1.2 and 1.3 verified against the
#        |  generated certificate, a TLS 1.2 suite outside the policy
#        |  refused
#        |  strata-sigclient: a script of requests and waits, a message
#        |  past the limit (1009), a binary one (1003), the wrong CA,
#        |  --mode garbage / half-open / tls-probe, usage errors
#
# Everything runs on 127.0.0.1 and is removed afterwards.
set -u

echo_server=$1
sigclient=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-sig-cli.XXXXXX")
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The verdicts go to fd 3 (the real stdout), so a check's own
# redirections (check NAME CMD >FILE) cannot swallow them.
exec 3>&1
passed=0
failed=0
check() { # name, then a command that must succeed
	name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok - $name" >&3
	else
		failed=$((failed + 1))
		echo "not ok - $name" >&3
	fi
}

if ! command -v openssl >/dev/null; then
	echo "openssl not found: skipping" >&2
	exit 77
fi

"$echo_server" --state-dir "$work/state" --port-file "$work/port" --handshake-timeout 2 \
	>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
	[ -s "$work/port" ] && break
	sleep 0.1
done
if [ ! -s "$work/port" ]; then
	echo "strata-sig-echo did not start:" >&2
	cat "$work/server.log" >&2
	exit 1
fi
port=$(cat "$work/port")
cert=$work/state/signaling-cert.pem
url=wss://127.0.0.1:$port/strata/v1

check "the self-signed certificate was generated and announced" \
	grep -q "generated a self-signed one" "$work/server.log"
check "its key is mode 0600" test "$(stat -c %a "$work/state/signaling-key.pem")" = 600

# ---- openssl s_client ------------------------------------------------------

# OPENSSL_CONF=/dev/null drops Debian's MinProtocol = TLSv1.2 for the client
# and SECLEVEL=0 lets it offer the old ciphers: any refusal is the server's.
old_tls() { # version flag
	OPENSSL_CONF=/dev/null timeout 10 openssl s_client -connect "127.0.0.1:$port" "$1" \
		-cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$cert" -brief </dev/null >"$work/out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -q "alert protocol version" "$work/out"
}
check "TLS 1.0 refused by the server (protocol_version alert)" old_tls -tls1
check "TLS 1.1 refused by the server (protocol_version alert)" old_tls -tls1_1

new_tls() { # version flag, protocol name
	timeout 10 openssl s_client -connect "127.0.0.1:$port" "$1" -CAfile "$cert" \
		-verify_return_error -brief </dev/null >"$work/out" 2>&1 &&
		grep -q "Protocol version: $2" "$work/out" &&
		grep -q "Verification: OK" "$work/out"
}
check "TLS 1.2 completes and verifies" new_tls -tls1_2 TLSv1.2
check "TLS 1.2 uses an ECDHE AEAD suite" grep -Eq "Ciphersuite: ECDHE-ECDSA-(AES(128|256)-GCM|CHACHA20)" "$work/out"
check "TLS 1.3 completes and verifies" new_tls -tls1_3 TLSv1.3

weak_suite() {
	! timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher "$1" \
		-CAfile "$cert" -brief </dev/null >"$work/out" 2>&1
}
check "TLS 1.2 with AES128-SHA (no forward secrecy, CBC) refused" weak_suite AES128-SHA
check "TLS 1.2 with ECDHE-ECDSA-AES128-SHA (CBC) refused" weak_suite ECDHE-ECDSA-AES128-SHA

# ---- strata-sigclient --------------------------------------------------------

cat >"$work/script" <<'EOF'
# a whole session
{"type":"keepalive","id":1}
wait keepalive-ack
{"type":"join","id":2,"token":"dG9rZW4=","resourceId":"standup","displayName":"Alice","capabilities":{"codecs":["VP8","opus"],"srtpProfiles":["AEAD_AES_128_GCM"]}}
wait joined
{"type":"publish","id":3,"streams":[{"kind":"video","codec":"VP8","ssrc":2222,"pt":96}]}
wait published
{"type":"chat","id":4,"text":"hello"}
wait chat-sent
send this is not json
wait error
send-fragmented 3 {"type":"preferences","id":5,"maxVideoSources":2}
wait preferences-set
{"type":"leave","id":6}
wait left
wait-close 1000
EOF
check "a scripted session: every answer, then close 1000" \
	"$sigclient" --url "$url" --ca "$cert" --script "$work/script" >"$work/out" 2>&1
check "the session's output is JSON lines" \
	grep -q '^{"type":"joined","id":2,' "$work/out"
check "--expect on stdin" sh -c "echo '{\"type\":\"keepalive\",\"id\":9}' |
	'$sigclient' --url '$url' --ca '$cert' --script - --expect keepalive-ack >/dev/null"
check "a wait that is not met fails (exit 1)" sh -c "echo 'wait joined 300' |
	'$sigclient' --url '$url' --ca '$cert' --script - >/dev/null; [ \$? -eq 1 ]"
check "a message past 64 KiB: close 1009" sh -c "echo 'send-big 70000' |
	'$sigclient' --url '$url' --ca '$cert' --script - --expect-close 1009 >/dev/null"
check "a binary message: error, close 1003" sh -c "echo 'send-binary hello' |
	'$sigclient' --url '$url' --ca '$cert' --script - --expect error --expect-close 1003 >/dev/null"

# A certificate the client does not trust: a fresh one from openssl.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=other -keyout "$work/other.key" -out "$work/other.pem" >/dev/null 2>&1
check "the wrong CA: the connection fails (exit 3)" sh -c "
	'$sigclient' --url '$url' --ca '$work/other.pem' >/dev/null 2>&1; [ \$? -eq 3 ]"
check "the wrong path: refused (exit 3)" sh -c "
	'$sigclient' --url 'wss://127.0.0.1:$port/other' --ca '$cert' >/dev/null 2>&1; [ \$? -eq 3 ]"

check "--mode garbage: the server closes" \
	"$sigclient" --mode garbage --url "$url" --timeout 5000 >/dev/null
check "--mode half-open: closed at the 2 s handshake deadline" \
	"$sigclient" --mode half-open --url "$url" --timeout 6000 >/dev/null
check "--mode tls-probe --tls 1.1: refused (exit 1)" sh -c "
	'$sigclient' --mode tls-probe --tls 1.1 --url '$url' --ca '$cert' >'$work/out'; [ \$? -eq 1 ]"
check "the probe says why" grep -q '"result":"refused"' "$work/out"
check "--mode tls-probe --tls 1.3: completes" \
	"$sigclient" --mode tls-probe --tls 1.3 --url "$url" --ca "$cert" >/dev/null
check "usage error (exit 2)" sh -c "'$sigclient' --bogus >/dev/null 2>&1; [ \$? -eq 2 ]"

kill "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
check "strata-sig-echo stops cleanly on SIGTERM" test $rc -eq 0
check "and reports its counters" grep -q "accepted.*opened.*requests" "$work/server.log"

echo "cp_sig_cli: $passed passed, $failed failed" >&3
[ "$failed" -eq 0 ]
