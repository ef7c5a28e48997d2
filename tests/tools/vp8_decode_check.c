/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vp8_decode_check: decodes an RTP VP8 capture (rtp_file.h) with GStreamer
 * and says how it went, as one line of JSON on stdout:
 *
 *   vp8_decode_check [--hashes] FILE
 *     {"packets":N,"frames_decoded":N,"decode_errors":N}
 *     with --hashes also ,"hashes":["MD5",...] before the closing brace:
 *     one per decoded picture, in output order, over its visible pixels
 *   vp8_decode_check --probe
 *     exits 0 when the GStreamer elements below are installed, else 77
 *
 * The pipeline, in gst-launch terms (packets are pushed in file order):
 *
 *   appsrc caps="application/x-rtp,media=video,clock-rate=90000,
 *                encoding-name=VP8,payload=96"
 *     ! rtpvp8depay ! vp8dec ! fakesink
 *
 * frames_decoded counts the pictures vp8dec outputs; decode_errors counts
 * the ERROR and WARNING messages on the bus (vp8dec reports a frame it
 * cannot decode as a warning, then as an error after too many).  The exit
 * status, and why hashes: gst_check.h, the part the decode checks share.
 */
#include "gst_check.h"

#define CAPS "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96"

static const char *const needed[] = { "appsrc", "rtpvp8depay", "vp8dec", "fakesink", NULL };

int main(int argc, char **argv)
{
	struct gst_check c = { .tool = "vp8_decode_check" };
	int status;

	gst_init(NULL, NULL);
	const char *path = gst_check_simple_args(&c, argc, argv, needed,
						 "gstreamer1.0-plugins-base/-good",
						 "[--hashes] FILE | --probe", &status);
	if (!path)
		return status;
	if (rtp_file_read(path, &c.file) != 0)
		return 2;
	status = gst_check_launch(&c, "appsrc name=src format=time block=true caps=\"" CAPS "\" "
				      "! rtpvp8depay ! vp8dec ! fakesink name=sink sync=false");
	if (status == 0) {
		status = gst_check_run(&c);
		gst_check_print_result(&c);
	}
	gst_check_free(&c);
	return status;
}
