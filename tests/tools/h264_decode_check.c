/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * h264_decode_check: decodes an RTP H.264 capture (rtp_file.h) with
 * GStreamer and says how it went, as one line of JSON on stdout:
 *
 *   h264_decode_check [--decoder avdec|openh264] [--hashes] [--keyframes] FILE
 *     {"packets":N,"access_units":N,"frames_decoded":N,"decode_errors":N,
 *      "width":W,"height":H}
 *     with --keyframes also ,"keyframes":[I,...]: the access units (counted
 *     from 0, in the order h264parse outputs them) that GStreamer's parser
 *     marks as sync points (not GST_BUFFER_FLAG_DELTA_UNIT: IDR pictures);
 *     with --hashes also ,"hashes":["MD5",...]: one per decoded picture, in
 *     output order, over its visible pixels
 *   h264_decode_check [--decoder avdec|openh264] --probe
 *     exits 0 when the GStreamer elements below are installed, else 77
 *
 * The pipeline, in gst-launch terms (packets are pushed in file order):
 *
 *   appsrc caps="application/x-rtp,media=video,clock-rate=90000,
 *                encoding-name=H264,payload=102,packetization-mode=1"
 *     ! rtph264depay ! h264parse ! video/x-h264,alignment=au
 *     ! avdec_h264 (default) | openh264dec ! fakesink
 *
 * avdec_h264 (FFmpeg, gstreamer1.0-libav) decodes AVC and ignores RFC 6190's
 * NAL unit types 14, 15 and 20, so it shows the AVC base layer of an SVC
 * stream; openh264dec (gstreamer1.0-plugins-bad) decodes SVC spatial
 * layers too and shows the highest dependency_id it was given.
 *
 * access_units counts h264parse's output buffers; frames_decoded the
 * pictures the decoder outputs; width and height are the last picture's;
 * decode_errors counts the ERROR and WARNING messages on the bus.  The exit
 * status: gst_check.h, the part the decode checks share.
 *
 * Why hashes: H.264 decoding is exact (every conforming decoder outputs the
 * same pixels), so a stream from which a forwarder removed whole temporal
 * layers, correctly, decodes each remaining picture to the very pixels the
 * full stream gives.  A decoder conceals a picture whose reference it
 * never got, usually without a word: the pixels tell.
 */
#include <stdio.h>
#include <string.h>

#include "gst_check.h"

#define CAPS "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264," \
	     "payload=102,packetization-mode=(string)1"

/* Written by the streaming thread, read once the pipeline has stopped. */
static atomic_uint access_units;
static GArray *keyframes;

static GstPadProbeReturn count_access_unit(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	(void)data;
	if (!(GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER))
		return GST_PAD_PROBE_OK;
	guint index = atomic_fetch_add(&access_units, 1);
	if (keyframes && !GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info),
						 GST_BUFFER_FLAG_DELTA_UNIT))
		g_array_append_val(keyframes, index);
	return GST_PAD_PROBE_OK;
}

static int probe_elements(const char *decoder)
{
	const char *const needed[] = { "appsrc", "rtph264depay", "h264parse", decoder,
				       "fakesink", NULL };

	return gst_check_probe("h264_decode_check", needed,
			       "gstreamer1.0-plugins-good/-bad, gstreamer1.0-libav");
}

static void print_result(const struct gst_check *c)
{
	printf("{\"packets\":%u,\"access_units\":%u,\"frames_decoded\":%u,\"decode_errors\":%u,"
	       "\"width\":%d,\"height\":%d", c->file.count, atomic_load(&access_units),
	       atomic_load(&c->frames_decoded), c->decode_errors, atomic_load(&c->width),
	       atomic_load(&c->height));
	if (keyframes) {
		printf(",\"keyframes\":[");
		for (guint i = 0; i < keyframes->len; i++)
			printf("%s%u", i ? "," : "", g_array_index(keyframes, guint, i));
		printf("]");
	}
	gst_check_print_hashes(c);
	printf("}\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: h264_decode_check [--decoder avdec|openh264] [--hashes] "
			"[--keyframes] FILE | [--decoder avdec|openh264] --probe\n");
}

int main(int argc, char **argv)
{
	struct gst_check c = { .tool = "h264_decode_check" };
	const char *decoder = "avdec_h264", *path = NULL;
	int status, probe = 0;

	gst_init(NULL, NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe")) {
			probe = 1;
		} else if (!strcmp(argv[i], "--hashes")) {
			gst_check_want_hashes(&c);
		} else if (!strcmp(argv[i], "--keyframes")) {
			if (!keyframes)
				keyframes = g_array_new(FALSE, FALSE, sizeof(guint));
		} else if (!strcmp(argv[i], "--decoder") && i + 1 < argc) {
			const char *d = argv[++i];
			if (!strcmp(d, "avdec")) {
				decoder = "avdec_h264";
			} else if (!strcmp(d, "openh264")) {
				decoder = "openh264dec";
			} else {
				usage();
				return 2;
			}
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	if (probe)
		return path ? (usage(), 2) : probe_elements(decoder);
	if (!path) {
		usage();
		return 2;
	}
	status = probe_elements(decoder);
	if (status)
		return status;
	if (rtp_file_read(path, &c.file) != 0)
		return 2;

	gchar *desc = g_strdup_printf(
		"appsrc name=src format=time block=true caps=\"" CAPS "\" "
		"! rtph264depay ! h264parse name=parse ! video/x-h264,alignment=au "
		"! %s ! fakesink name=sink sync=false", decoder);
	status = gst_check_launch(&c, desc);
	g_free(desc);
	if (status == 0) {
		gst_check_add_probe(&c, "parse", "src", count_access_unit);
		status = gst_check_run(&c);
		print_result(&c);
	}
	if (keyframes)
		g_array_unref(keyframes);
	gst_check_free(&c);
	return status;
}
