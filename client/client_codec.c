/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-client's codec table (client_codec.h).  The encoders run in real
 * time (one thread, no frames held back: a frame is sent as soon as it is
 * encoded) at a constant bit rate, with a keyframe every keyframe_dist
 * frames so that a receiver which misses the start catches up (the client
 * sends no keyframe requests).  Every video row gives each frame the RTP
 * marker bit on its last packet, which is how client_gst.c counts frames
 * sent.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client_codec.h"
#include "client_vp8.h"
#include "client_vp8_desc.h"

static const struct client_codec codecs[] = {
	/* RFC 7741; three temporal layers set through the API (client_vp8.c),
	 * their TIDs in the payload descriptor (client_vp8_desc.c). */
	{ .name = "VP8", .kind = "video", .rtp_name = "VP8", .pt = 96, .clock_rate = 90000,
	  .temporal_layers = 3,
	  .encoder = "vp8enc deadline=1 cpu-used=8 threads=1 end-usage=cbr "
		     "error-resilient=default",
	  .bitrate_prop = "target-bitrate", .keyframe_prop = "keyframe-max-dist",
	  .bitrate_unit = 1, .payloader = "rtpvp8pay mtu=1200 picture-id-mode=15-bit",
	  .decoder = "rtpvp8depay wait-for-keyframe=true ! vp8dec",
	  .configure = client_vp8_configure_layers, .tid = client_vp8_tid },
	/* RFC 9628, one layer: rtpvp9pay writes no layer indices (no L
	 * bit), so there is nothing for a router to select by. */
	{ .name = "VP9", .kind = "video", .rtp_name = "VP9", .pt = 98, .clock_rate = 90000,
	  .encoder = "vp9enc deadline=1 cpu-used=8 threads=1 end-usage=cbr lag-in-frames=0 "
		     "error-resilient=default",
	  .bitrate_prop = "target-bitrate", .keyframe_prop = "keyframe-max-dist",
	  .bitrate_unit = 1, .payloader = "rtpvp9pay mtu=1200 picture-id-mode=15-bit",
	  .decoder = "rtpvp9depay wait-for-keyframe=true ! vp9dec" },
	/* RFC 6184 non-interleaved mode, as browsers send it: constrained
	 * baseline (no B frames, so every access unit decodes to a picture
	 * at once), no access unit delimiters, SPS and PPS before every IDR
	 * (config-interval=-1) so that a receiver can start at any IDR.
	 * x264 makes plain AVC: one layer. */
	{ .name = "H264", .kind = "video", .rtp_name = "H264", .pt = 102, .clock_rate = 90000,
	  .encoder = "x264enc tune=zerolatency speed-preset=ultrafast threads=1 aud=false",
	  .bitrate_prop = "bitrate", .keyframe_prop = "key-int-max", .bitrate_unit = 1000,
	  .encoder_caps = "video/x-h264,profile=constrained-baseline",
	  .payloader = "rtph264pay mtu=1200 config-interval=-1 aggregate-mode=zero-latency",
	  .decoder = "rtph264depay wait-for-keyframe=true ! h264parse "
		     "! video/x-h264,alignment=au ! avdec_h264" },
	/* RFC 7587: one 20 ms frame per packet. */
	{ .name = "opus", .kind = "audio", .rtp_name = "OPUS", .pt = 111, .clock_rate = 48000,
	  .encoder = "opusenc", .payloader = "rtpopuspay",
	  .decoder = "rtpopusdepay ! opusdec" },
};

const struct client_codec *client_codec_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (!strcasecmp(name, codecs[i].name))
			return &codecs[i];
	return NULL;
}

const char *client_codec_names(void)
{
	static char names[64];

	if (!names[0])
		for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? "," : "", codecs[i].name);
	return names;
}
