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

# The capture and its checks: tests/data/svc_l3t3_capture.sh, shared with the
# other L3T3 codec.
here=$(cd "$(dirname "$0")" && pwd)
codec=av1
decoder="av1parse ! av1dec"
native_by=obu-ext
. "$here/../svc_l3t3_capture.sh"
