/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vp9_decode_check: decodes VP9 with GStreamer and says how it went, as one
 * line of JSON on stdout -- vp8_decode_check's twin for VP9, which also
 * reads IVF files (webrtc_depay's output) so that a stream a forwarder
 * wrote and a reference made without it decode through the same decoder:
 *
 *   vp9_decode_check [--hashes] FILE.rtp | FILE.ivf
 *     {"packets":N,"frames_decoded":N,"decode_errors":N}
 *     with --hashes also ,"hashes":["WxH:MD5",...] before the closing
 *     brace: one per decoded picture, in output order, its size and the
 *     MD5 of its visible pixels
 *   vp9_decode_check --probe
 *     exits 0 when the GStreamer elements below are installed, else 77
 *
 * The pipelines, in gst-launch terms:
 *
 *   FILE.rtp (rtp_file.h; packets pushed in file order, the payload type
 *   taken from the first packet):
 *     appsrc caps="application/x-rtp,media=video,clock-rate=90000,
 *                  encoding-name=VP9,payload=PT"
 *       ! rtpvp9depay ! vp9dec ! fakesink
 *   FILE.ivf:
 *     filesrc location=FILE.ivf ! ivfparse ! vp9dec ! fakesink
 *
 * packets is the RTP packets pushed (0 for IVF); frames_decoded counts the
 * pictures vp9dec outputs; decode_errors counts the ERROR and WARNING
 * messages on the bus (vp9dec reports a frame it cannot decode as a
 * warning).  The exit status: gst_check.h, the part the decode checks
 * share.
 *
 * With spatial layers vp9dec outputs, for each picture, the highest layer
 * frame it was given; VP9 decoding is exact, so a stream from which a
 * forwarder removed layers correctly decodes each remaining picture to
 * the pixels a reference stream of the same layers gives (see
 * tests/test_dp_vp9_layers.c).
 */
#include <string.h>

#include "gst_check.h"

static const char *const needed[] = { "appsrc", "rtpvp9depay", "filesrc", "ivfparse",
				      "vp9dec", "fakesink", NULL };

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

int main(int argc, char **argv)
{
	struct gst_check c = { .tool = "vp9_decode_check", .sized_hashes = true };
	int status;
	gchar *desc;

	gst_init(NULL, NULL);
	const char *path = gst_check_simple_args(&c, argc, argv, needed,
						 "gstreamer1.0-plugins-base/-good/-bad",
						 "[--hashes] FILE.rtp|FILE.ivf | --probe", &status);
	if (!path)
		return status;
	if (ends_with(path, ".ivf")) {
		gchar *loc = g_strescape(path, NULL);
		desc = g_strdup_printf("filesrc location=\"%s\" ! ivfparse ! vp9dec "
				       "! fakesink name=sink sync=false", loc);
		g_free(loc);
	} else {
		if (rtp_file_read(path, &c.file) != 0)
			return 2;
		unsigned pt = c.file.count ? c.file.packets[0].data[1] & 0x7f : 96;
		desc = g_strdup_printf("appsrc name=src format=time block=true caps=\""
				       "application/x-rtp,media=video,clock-rate=90000,"
				       "encoding-name=VP9,payload=%u\" ! rtpvp9depay ! vp9dec "
				       "! fakesink name=sink sync=false", pt);
	}
	status = gst_check_launch(&c, desc);
	g_free(desc);
	if (status == 0) {
		status = gst_check_run(&c);
		gst_check_print_result(&c);
	}
	gst_check_free(&c);
	return status;
}
