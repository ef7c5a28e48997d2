#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Makes l3t3.rtp and its sidecar l3t3.json, next to this script: AV1 with
# three spatial and three temporal layers (scalabilityMode L3T3) as headless
# Chromium sends it over WebRTC from its fake camera, decrypted, one record
# per RTP packet in arrival order (tests/tools/rtp_file.h), every packet
# with the dependency descriptor.  The sidecar names the payload type and
# the negotiated header extension ids ("dependency-descriptor" among them)
# and holds Chromium's own statistics.
#
#   tests/data/av1/capture.sh [--check] [BUILD_DIR]      (default: build)
#
# It builds tests/tools/webrtc_capture, webrtc_summary and webrtc_depay,
# captures (as root: the tool puts itself and Chromium in two network
# namespaces joined by a veth pair; webrtc_capture.c describes the
# exchange), then checks the capture before it replaces the committed one:
# the layers by the OBU extension headers and by the dependency descriptor,
# a readable descriptor on every packet and the template structure on every
# keyframe, no gap and no incomplete frame (webrtc_summary), and a
# GStreamer decode of the full stream and of each of the nine operating
# points, the layers picked once by the OBU extension headers and once by
# the dependency descriptor (webrtc_depay ! ivfparse ! av1parse ! av1dec),
# with no decode error and every temporal unit out.  With --check only the
# checks run, on the committed files (no root).
#
# What the committed file is (Chromium 156.0.8078.108, Debian 12; libaom
# inside Chromium; GStreamer 1.22 with libaom 3.6 decodes):
#   5.1 s of 1280x720 at 30 fps (the capture starts at the keyframe the
#   tool asks for after a 3 s warm-up), 749 RTP packets, 667115 bytes, SSRC
#   0x41f71b72, payload type 45 (level-idx=5;profile=0;tier=0).  139
#   temporal units, each with all three spatial layers (320x180, 640x360,
#   1280x720) as OBU_FRAMEs with extension headers: per spatial layer 36
#   frames of temporal id 0, 34 of 1 and 69 of 2.  Keyframes (a sequence
#   header, N set) at temporal units 0, 58 and 116 (the tool's PLIs); the
#   marker on every temporal unit's last packet; no padding-only packet.
#   The dependency descriptor (extension 13) on every packet: 3 bytes, and
#   95 with its template structure (9 decode targets, 3 chains, 15
#   templates, the three resolutions) on the keyframes.  mid (9) on the
#   first 12 packets (until the tool's receiver reports acknowledge the
#   SSRC), video-layers-allocation (14) on 13 (18 or 33 bytes),
#   video-orientation (3) on the 3 keyframes, abs-send-time (2) and
#   transport-cc (4) on all.  The 13 packets with an element longer than 16
#   bytes use the two-byte extension header (RFC 8285 section 4.3), the
#   others the one-byte one.
# Every run differs (SSRC, sequence numbers, timestamps, encoder timing);
# the checks hold for each.
#
# Needs chromium, iproute2, libsrtp2, OpenSSL and gstreamer1.0-plugins-bad
# (scripts/setup installs them).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
check_only=0
if [ "${1:-}" = "--check" ]; then
	check_only=1
	shift
fi
build=${1:-$top/build}
tools=$build/tests/tools
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-av1-capture.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" tests/tools/webrtc_capture tests/tools/webrtc_summary \
	tests/tools/webrtc_depay > /dev/null

summary() {
	"$tools/webrtc_summary" "$work/l3t3.rtp" --expect-ssrcs 1 --expect-layers 3x3 \
		--expect-dd --expect-complete
}

if [ $check_only = 1 ]; then
	cp "$here/l3t3.rtp" "$here/l3t3.json" "$work/"
	summary
else
	# A busy machine makes the encoder leave out a layer frame now and
	# then: such a capture (or a failed run) is taken again, up to three
	# times.
	attempt=1
	while :; do
		"$tools/webrtc_capture" --codec av1 --mode L3T3 --width 1280 --height 720 \
			--fps 30 --max-kbps 1000 --warmup 3000 --seconds 5 --pli-every 2000 \
			--out "$work/l3t3.rtp" && summary && break
		[ $attempt -lt 3 ] || { echo "FAIL: no clean capture in 3 attempts" >&2; exit 1; }
		attempt=$((attempt + 1))
		echo "capturing again (attempt $attempt of 3)"
	done
fi

# decode IVF DECODER: the pictures GStreamer decoded and their sizes; fails
# on any error or warning (a decoder warns about a frame it cannot decode).
decode() {
	if ! gst-launch-1.0 -v filesrc location="$1" ! ivfparse ! $2 ! \
		fakesink silent=false > "$work/gst.log" 2>&1 ||
		grep -qE '^(ERROR|WARNING)' "$work/gst.log"; then
		grep -E '^(ERROR|WARNING)' "$work/gst.log" >&2 || tail -5 "$work/gst.log" >&2
		return 1
	fi
	sizes=$(sed -n 's/.*fakesink0.GstPad:sink: caps = .*width=(int)\([0-9]*\), height=(int)\([0-9]*\).*/\1x\2/p' \
		"$work/gst.log" | sort -u | tr '\n' ' ')
	echo "$(grep -c 'last-message = chain' "$work/gst.log") $sizes"
}

echo "operating point    pictures  decoded  sizes"
for by in obu-ext dd; do
	for s in 0 1 2; do
		for t in 0 1 2; do
			opt=
			[ $by = dd ] && opt=--by-dd
			json=$("$tools/webrtc_depay" "$work/l3t3.rtp" --out "$work/op.ivf" \
				--max-spatial $s --max-temporal $t $opt)
			pictures=$(echo "$json" | sed 's/.*"pictures":\([0-9]*\).*/\1/')
			res=$(decode "$work/op.ivf" "av1parse ! av1dec") ||
				{ echo "FAIL: S${s}T$t by $by: decode errors" >&2; exit 1; }
			set -- $res
			decoded=$1
			shift
			printf 'S%dT%d by %-7s  %8d  %7d  %s\n' $s $t $by "$pictures" "$decoded" "$*"
			if [ "$decoded" != "$pictures" ]; then
				echo "FAIL: S${s}T$t: $decoded of $pictures pictures decoded" >&2
				exit 1
			fi
		done
	done
done

if [ $check_only = 0 ]; then
	cp "$work/l3t3.rtp" "$work/l3t3.json" "$here/"
	echo "written: $here/l3t3.rtp $here/l3t3.json"
fi
