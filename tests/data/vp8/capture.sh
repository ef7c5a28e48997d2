#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Makes l1t3.rtp, next to this script: the VP8 capture with three temporal
# layers that the codec tests replay (test_dp_vp8_layers, the fuzz seeds).
#
#   tests/data/vp8/capture.sh [BUILD_DIR]      (default: build)
#
# It builds and runs tests/tools/vp8_capture (GStreamer: videotestsrc !
# vp8enc with L1T3 layering set through the C API ! rtpvp8pay ! appsink;
# the pipeline and the layering are described at the top of vp8_capture.c),
# then prints what the capture holds as Strata's own parser reads it
# (tests/tools/vp8_summary).  The format, one record per RTP packet, is in
# tests/tools/rtp_file.h.
#
# What the committed file is (GStreamer 1.22.0, libvpx 1.12.0, Debian 12):
#   150 frames of 320x240 at 30 fps (moving SMPTE bars), 296 RTP packets,
#   290042 bytes; payload type 96, SSRC 0x5354524c, MTU 1200, 1 to 5
#   packets per frame; 15-bit PictureIDs from 32700 (they wrap at frame 68),
#   sequence numbers from 65400 (they wrap at packet 136), TL0PICIDX from 0.
#   TIDs 0,2,1,2 repeating: 38 frames of layer 0, 37 of layer 1 (all with
#   Y), 75 of layer 2 (38 with Y: frames 4k+1; frames 4k+3 without);
#   keyframes at frames 0, 60 and 120 (layer 0, Y set).
# With the same GStreamer and libvpx the output is byte for byte the same.
#
# Needs libgstreamer1.0-dev, libgstreamer-plugins-base1.0-dev and
# gstreamer1.0-plugins-base/-good (scripts/setup installs them).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${1:-$top/build}

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" tests/tools/vp8_capture tests/tools/vp8_summary

"$build/tests/tools/vp8_capture" "$here/l1t3.rtp" \
	--frames 150 --width 320 --height 240 \
	--pattern "smpte horizontal-speed=3" \
	--bitrate 500000 --keyframe-dist 60 --ssrc 0x5354524c
"$build/tests/tools/vp8_summary" "$here/l1t3.rtp"
