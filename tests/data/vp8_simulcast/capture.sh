#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Makes two VP8 simulcast captures and their sidecars, next to this script:
# headless Chromium's fake camera as three encodings (rids l, m, h: 320x180,
# 640x360 and 1280x720, each with three temporal layers, scalabilityMode
# L1T3), as it comes over WebRTC, decrypted, one record per RTP packet in
# arrival order with the three SSRCs interleaved (tests/tools/rtp_file.h):
#
#   l1t3.rtp/.json     without the dependency descriptor: Chromium writes
#                      PictureID, TL0PICIDX, TID and Y into the VP8 payload
#                      descriptor (RFC 7741), the layering a forwarder reads
#                      from VP8 itself;
#   l1t3_dd.rtp/.json  with the dependency descriptor negotiated: Chromium
#                      then sends the layering only there, and the VP8
#                      descriptor shrinks to its first byte (no PictureID,
#                      no TID).
#
# The sidecars name the payload type, the negotiated header extension ids
# (the rid's, and the dependency descriptor's in l1t3_dd.json), the SSRC of
# each rid, and hold Chromium's own statistics.  The rid extension is on the
# first packets of each SSRC only: Chromium stops sending it once receiver
# reports acknowledge the SSRC.
#
#   tests/data/vp8_simulcast/capture.sh [--check] [BUILD_DIR]  (default: build)
#
# It builds tests/tools/webrtc_capture, webrtc_summary and webrtc_depay,
# captures (as root: the tool puts itself and Chromium in two network
# namespaces joined by a veth pair; webrtc_capture.c describes the
# exchange), then checks each capture before it replaces the committed one:
# three SSRCs, three temporal layers in each (by the VP8 descriptor, or by
# the dependency descriptor with the template structure on every keyframe),
# no gap and no incomplete frame (webrtc_summary), and a GStreamer decode of
# every rid at each temporal layer (webrtc_depay ! ivfparse ! vp8dec), with
# no decode error and every frame out.  With --check only the checks run, on
# the committed files (no root).
#
# What the committed files are (Chromium 156.0.8078.108, Debian 12; libvpx
# inside Chromium; GStreamer 1.22 decodes):
#   l1t3.rtp: 5.1 s, 868 RTP packets, 801644 bytes, payload type 96, no
#     padding-only packet; rid h SSRC 0xaebc82fc 488 packets, rid m
#     0x0c456cdd 239, rid l 0x38e62260 141.  139 frames on each, with
#     15-bit PictureID, TL0PICIDX, TID and Y: 36 frames of TID 0, 34 of 1,
#     69 of 2 (0,2,1,2 from each keyframe); keyframes at frames 0, 54 and
#     109 on all three (the tool's PLIs).  rid (10) and mid (9) on the first
#     25, 9 and 4 packets of h, m and l (until the tool's receiver reports
#     acknowledge each SSRC); video-layers-allocation (14) on 13 packets of
#     each (31 bytes on most: those packets use the two-byte extension
#     header, RFC 8285 section 4.3), video-orientation (3) on the
#     keyframes, abs-send-time (2) and transport-cc (4) on all.
#   l1t3_dd.rtp: 5.1 s, 889 RTP packets, 815602 bytes, payload type 96, no
#     padding-only packet; rid h SSRC 0x0591708e 500 packets, rid m
#     0x2fe57c0f 254, rid l 0xcaa00674 135.  132 frames on each; the VP8
#     descriptor is one byte (S and PID only).  The dependency descriptor
#     (extension 13) on every packet, mostly 5 or 6 bytes (explicit frame
#     diffs), with its template structure (3 decode targets, no chain, 7
#     templates, the stream's resolution; 23 bytes) on the keyframes at
#     frames 0, 54 and 105; by it 34 frames of temporal id 0, 33 of 1, 65 of
#     2 on each.  rid and mid on the first 15, 7 and 3 packets of h, m, l;
#     the other extensions as in l1t3.rtp.
# Every run differs (SSRCs, sequence numbers, timestamps, encoder timing);
# the checks hold for each.
#
# Needs chromium, iproute2, libsrtp2, OpenSSL and gstreamer1.0-plugins-good
# and -bad (scripts/setup installs them).
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
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-vp8-simulcast-capture.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" tests/tools/webrtc_capture tests/tools/webrtc_summary \
	tests/tools/webrtc_depay > /dev/null

# decode IVF: the frames GStreamer decoded and their sizes; fails on any
# error or warning (vp8dec warns about a frame it cannot decode).
decode() {
	if ! gst-launch-1.0 -v filesrc location="$1" ! ivfparse ! vp8dec ! \
		fakesink silent=false > "$work/gst.log" 2>&1 ||
		grep -qE '^(ERROR|WARNING)' "$work/gst.log"; then
		grep -E '^(ERROR|WARNING)' "$work/gst.log" >&2 || tail -5 "$work/gst.log" >&2
		return 1
	fi
	sizes=$(sed -n 's/.*fakesink0.GstPad:sink: caps = .*width=(int)\([0-9]*\), height=(int)\([0-9]*\).*/\1x\2/p' \
		"$work/gst.log" | sort -u | tr '\n' ' ')
	echo "$(grep -c 'last-message = chain' "$work/gst.log") $sizes"
}

# summary NAME [--expect-dd]: what one capture holds, against expectations.
summary() {
	name=$1
	shift
	"$tools/webrtc_summary" "$work/$name.rtp" --expect-ssrcs 3 --expect-layers 1x3 \
		--expect-complete "$@"
}

# decodes NAME [--by-dd]: every rid at every temporal layer.
decodes() {
	name=$1
	by=${2:-}
	echo "stream         frames  decoded  sizes"
	for rid in l m h; do
		for t in 0 1 2; do
			json=$("$tools/webrtc_depay" "$work/$name.rtp" --out "$work/op.ivf" --rid $rid \
				--max-temporal $t $by)
			pictures=$(echo "$json" | sed 's/.*"pictures":\([0-9]*\).*/\1/')
			res=$(decode "$work/op.ivf") ||
				{ echo "FAIL: $name rid $rid T$t: decode errors" >&2; exit 1; }
			set -- $res
			printf 'rid %s T0..%d  %7d  %7d  %s\n' $rid $t "$pictures" "$1" "$2"
			if [ "$1" != "$pictures" ]; then
				echo "FAIL: $name rid $rid T$t: $1 of $pictures frames decoded" >&2
				exit 1
			fi
		done
	done
}

# capture NAME [--without EXT] [--expect-dd]: a busy machine makes the
# encoder leave out a frame now and then: such a capture (or a failed run)
# is taken again, up to three times.
capture() {
	name=$1
	shift
	without=
	if [ "${1:-}" = --without ]; then
		without="--without $2"
		shift 2
	fi
	attempt=1
	while :; do
		"$tools/webrtc_capture" --codec vp8-simulcast --mode L1T3 --width 1280 \
			--height 720 --fps 30 --max-kbps 100,300,700 --warmup 3000 --seconds 5 \
			--pli-every 2000 $without --out "$work/$name.rtp" && summary $name "$@" &&
			break
		[ $attempt -lt 3 ] || { echo "FAIL: no clean capture in 3 attempts" >&2; exit 1; }
		attempt=$((attempt + 1))
		echo "capturing again (attempt $attempt of 3)"
	done
}

if [ $check_only = 1 ]; then
	cp "$here/l1t3.rtp" "$here/l1t3.json" "$here/l1t3_dd.rtp" "$here/l1t3_dd.json" "$work/"
	summary l1t3
	summary l1t3_dd --expect-dd
else
	capture l1t3 --without dependency-descriptor
	capture l1t3_dd --expect-dd
fi
decodes l1t3
decodes l1t3_dd --by-dd

if [ $check_only = 0 ]; then
	cp "$work/l1t3.rtp" "$work/l1t3.json" "$work/l1t3_dd.rtp" "$work/l1t3_dd.json" "$here/"
	echo "written: $here/l1t3.rtp, l1t3.json, l1t3_dd.rtp, l1t3_dd.json"
fi
