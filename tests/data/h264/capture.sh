#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Makes the H.264 captures next to this script, which the codec tests replay
# (test_dp_h264_layers, the fuzz seeds):
#
#   avc.rtp    plain AVC from x264 (no layers), two slices per picture
#   l1t3.rtp   openh264, three temporal layers, prefix NAL units (type 14)
#   l2t3.rtp   openh264, two spatial layers (RFC 6190 type 20 slices, a
#              subset SPS) and three temporal layers
#
#   tests/data/h264/capture.sh [BUILD_DIR]      (default: build)
#
# It builds and runs tests/tools/h264_capture (the pipelines and encoder
# settings are described at the top of h264_capture.c), then prints what
# each capture holds as Strata's own parser reads it (tests/tools/
# h264_summary).  The format, one record per RTP packet, is in
# tests/tools/rtp_file.h.
#
# What the committed files are (GStreamer 1.22.0, x264 0.164.3095, openh264
# 2.3.1, Debian 12), all 150 pictures of moving SMPTE bars at 30 fps, an IDR
# at pictures 0, 60 and 120, payload type 102, SSRC 0x5354524c, MTU 1200,
# sequence numbers from 65400 (they wrap), RTP timestamps from 1000000:
#
#   avc.rtp    320x240, 300 kbit/s, 286 packets (220 single NAL unit, 35
#              STAP-A, 31 FU-A), 198611 bytes; NAL unit types 1, 5, 6 (x264's
#              SEI, first picture), 7, 8; rtph264pay inserts the SPS and PPS
#              before each IDR slice, so they also appear between the two
#              slices of an IDR picture
#   l1t3.rtp   320x240, 300 kbit/s, 324 packets (79 single, 71 STAP-A, 174
#              FU-A), 209918 bytes; types 1, 5, 7, 8, 14; TIDs 0,2,1,2
#              repeating (38 pictures of TID 0, 37 of TID 1, 75 of TID 2)
#   l2t3.rtp   DID 0 160x120 and DID 1 320x240, 300 kbit/s, 353 packets (30
#              single, 150 STAP-A, 173 FU-A), 238513 bytes; types 1, 5, 7,
#              8, 14, 15, 20; TIDs as above; 38 STAP-As carry a TID 2
#              picture's base-layer slice (with its prefix) and its DID 1
#              slice together
#
# With the same GStreamer, x264 and openh264 the output is byte for byte the
# same.  Needs libgstreamer1.0-dev, libgstreamer-plugins-base1.0-dev,
# libopenh264-dev and gstreamer1.0-plugins-base/-good/-ugly (scripts/setup
# installs them).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${1:-$top/build}

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" tests/tools/h264_capture tests/tools/h264_summary

capture="$build/tests/tools/h264_capture"
"$capture" "$here/avc.rtp" --encoder x264 --slices 2 --bitrate 300000
"$capture" "$here/l1t3.rtp" --encoder openh264 --temporal-layers 3 --bitrate 300000
"$capture" "$here/l2t3.rtp" --encoder openh264 --temporal-layers 3 --spatial-layers 2 \
	--bitrate 300000
for f in avc l1t3 l2t3; do
	echo "$f.rtp:"
	"$build/tests/tools/h264_summary" "$here/$f.rtp"
done
