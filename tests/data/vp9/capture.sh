#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Makes l3t3.rtp and its sidecar l3t3.json, next to this script: VP9 with
# three spatial and three temporal layers (scalabilityMode L3T3) as headless
# Chromium sends it over WebRTC from its fake camera, decrypted, one record
# per RTP packet in arrival order (tests/tools/rtp_file.h).  The sidecar
# names the payload type and the negotiated header extension ids (the
# dependency descriptor's among them) and holds Chromium's own statistics.
#
#   tests/data/vp9/capture.sh [--check] [BUILD_DIR]      (default: build)
#
# It builds tests/tools/webrtc_capture, webrtc_summary and webrtc_depay,
# captures (as root: the tool puts itself and Chromium in two network
# namespaces joined by a veth pair; webrtc_capture.c describes the
# exchange), then checks the capture before it replaces the committed one:
# the layers by the VP9 payload descriptor and by the dependency
# descriptor, the template structure on every keyframe, no gap and no
# incomplete picture (webrtc_summary), and a GStreamer decode of the full
# stream and of each of the nine operating points, the layers picked once
# by the payload descriptor and once by the dependency descriptor
# (webrtc_depay ! ivfparse ! vp9dec), with no decode error and every picture
# out.  With --check only the checks run, on the committed files (no root).
#
# What the committed file is (Chromium 156.0.8078.108, Debian 12; libvpx
# inside Chromium; GStreamer 1.22 decodes):
#   5.0 s of 1280x720 at 30 fps (the capture starts at the keyframe the
#   tool asks for after a 3 s warm-up), 789 RTP packets, 669261 bytes, SSRC
#   0x60ba7352, payload type 98 (profile-id=0).  142 pictures, each with all
#   three spatial layers (320x180, 640x360, 1280x720, inter-layer
#   prediction), in flexible mode (F=1, 15-bit PictureID, P_DIFFs): per
#   spatial layer 36 layer frames of TID 0, 36 of TID 1 and 70 of TID 2
#   (0,2,1,2 from each keyframe).  Keyframes at pictures 0, 52 and 111 (the
#   tool's PLIs), each with the scalability structure (V); the marker on
#   every picture's last packet.  27 padding-only packets (Chromium's
#   bandwidth probes: P bit, no payload, on the media SSRC and sequence).
#   The dependency descriptor (extension 13) on the 762 others: 3 bytes,
#   and 95 with its template structure (9 decode targets, 3 chains, 15
#   templates, the three resolutions) on the keyframes.  mid (9) on the
#   first 14 packets (until the tool's receiver reports acknowledge the
#   SSRC), video-layers-allocation (14) on 9 (18 or 33 bytes),
#   video-orientation (3) on the 3 keyframes, abs-send-time (2) and
#   transport-cc (4) on all.  The 9 packets with an element longer than 16
#   bytes use the two-byte extension header (RFC 8285 section 4.3), the
#   others the one-byte one.
# Every run differs (SSRC, sequence numbers, timestamps, encoder timing);
# the checks hold for each.
#
# Needs chromium, iproute2, libsrtp2, OpenSSL and gstreamer1.0-plugins-good
# and -bad (scripts/setup installs them).
set -eu

# The capture and its checks: tests/data/svc_l3t3_capture.sh, shared with the
# other L3T3 codec.
here=$(cd "$(dirname "$0")" && pwd)
codec=vp9
decoder="vp9dec"
native_by=descriptor
. "$here/../svc_l3t3_capture.sh"
