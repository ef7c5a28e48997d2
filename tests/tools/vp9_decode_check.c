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
 * warning), each also described on stderr.  Exit status: 0 when decoding
 * ran to its end, 1 when the pipeline stopped on an error, 2 on bad usage
 * or an unreadable file, 77 when an element is missing (the test suite's
 * "skipped").
 *
 * With spatial layers vp9dec outputs, for each picture, the highest layer
 * frame it was given; VP9 decoding is exact, so a stream from which a
 * forwarder removed layers correctly decodes each remaining picture to
 * the pixels a reference stream of the same layers gives (see
 * tests/test_dp_vp9_layers.c).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "rtp_file.h"

/* GStreamer keeps caches and type registrations alive until exit on
 * purpose; they are not leaks of ours. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static atomic_uint frames_decoded;
/* Written by the streaming thread, read once the pipeline has stopped. */
static GPtrArray *hashes;

/* "WxH:" and the MD5 of the picture's visible pixels, plane by plane, row
 * by row (strides and padding left out). */
static gchar *picture_hash(GstPad *pad, GstBuffer *buf)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo info;
	GstVideoFrame frame;

	if (!caps)
		return g_strdup("no-caps");
	if (!gst_video_info_from_caps(&info, caps) ||
	    !gst_video_frame_map(&frame, &info, buf, GST_MAP_READ)) {
		gst_caps_unref(caps);
		return g_strdup("unmappable");
	}
	GChecksum *sum = g_checksum_new(G_CHECKSUM_MD5);
	for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&frame); c++) {
		const guint8 *row = GST_VIDEO_FRAME_COMP_DATA(&frame, c);
		gint stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, c);
		gint width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, c) *
			     GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, c);
		for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&frame, c); y++)
			g_checksum_update(sum, row + (gsize)y * stride, width);
	}
	gchar *hex = g_strdup_printf("%dx%d:%s", GST_VIDEO_INFO_WIDTH(&info),
				     GST_VIDEO_INFO_HEIGHT(&info), g_checksum_get_string(sum));
	g_checksum_free(sum);
	gst_video_frame_unmap(&frame);
	gst_caps_unref(caps);
	return hex;
}

static GstPadProbeReturn count_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)data;
	if (!(GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER))
		return GST_PAD_PROBE_OK;
	atomic_fetch_add(&frames_decoded, 1);
	if (hashes)
		g_ptr_array_add(hashes, picture_hash(pad, GST_PAD_PROBE_INFO_BUFFER(info)));
	return GST_PAD_PROBE_OK;
}

static int probe_elements(void)
{
	static const char *const needed[] = { "appsrc", "rtpvp9depay", "filesrc", "ivfparse",
					      "vp9dec", "fakesink" };

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		GstElementFactory *f = gst_element_factory_find(needed[i]);
		if (!f) {
			fprintf(stderr, "vp9_decode_check: GStreamer element %s is not installed "
					"(gstreamer1.0-plugins-base/-good/-bad: run scripts/setup)\n",
				needed[i]);
			return 77;
		}
		gst_object_unref(f);
	}
	return 0;
}

static void describe(GstMessage *msg)
{
	GError *err = NULL;
	gchar *dbg = NULL;
	const char *kind = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ? "error" : "warning";

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &err, &dbg);
	else
		gst_message_parse_warning(msg, &err, &dbg);
	fprintf(stderr, "vp9_decode_check: %s from %s: %s (%s)\n", kind,
		GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err ? err->message : "?", dbg ? dbg : "");
	g_clear_error(&err);
	g_free(dbg);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

int main(int argc, char **argv)
{
	struct rtp_file file = { 0 };
	GError *err = NULL;
	unsigned decode_errors = 0;
	int failed = 0;

	gst_init(NULL, NULL);
	if (argc == 2 && !strcmp(argv[1], "--probe"))
		return probe_elements();
	if (argc == 3 && !strcmp(argv[1], "--hashes")) {
		hashes = g_ptr_array_new_with_free_func(g_free);
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vp9_decode_check [--hashes] FILE.rtp|FILE.ivf | --probe\n");
		return 2;
	}
	int missing = probe_elements();
	if (missing)
		return missing;

	int ivf = ends_with(argv[1], ".ivf");
	gchar *desc;
	if (ivf) {
		gchar *loc = g_strescape(argv[1], NULL);
		desc = g_strdup_printf("filesrc location=\"%s\" ! ivfparse ! vp9dec "
				       "! fakesink name=sink sync=false", loc);
		g_free(loc);
	} else {
		if (rtp_file_read(argv[1], &file) != 0)
			return 2;
		unsigned pt = file.count ? file.packets[0].data[1] & 0x7f : 96;
		desc = g_strdup_printf("appsrc name=src format=time block=true caps=\""
				       "application/x-rtp,media=video,clock-rate=90000,"
				       "encoding-name=VP9,payload=%u\" ! rtpvp9depay ! vp9dec "
				       "! fakesink name=sink sync=false", pt);
	}
	GstElement *pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipeline) {
		fprintf(stderr, "vp9_decode_check: %s\n", err ? err->message : "no pipeline");
		g_clear_error(&err);
		rtp_file_free(&file);
		return 1;
	}
	GstElement *src = ivf ? NULL : gst_bin_get_by_name(GST_BIN(pipeline), "src");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	GstPad *pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, NULL, NULL);
	gst_object_unref(pad);

	GstBus *bus = gst_element_get_bus(pipeline);
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "vp9_decode_check: the pipeline does not start\n");
		failed = 1;
		goto done;
	}
	if (src) {
		for (uint32_t i = 0; i < file.count; i++) {
			GstBuffer *buf = gst_buffer_new_memdup(file.packets[i].data,
							       file.packets[i].len);
			if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
				break; /* the pipeline stopped: the bus says why */
		}
		gst_app_src_end_of_stream(GST_APP_SRC(src));
	}

	for (;;) {
		GstMessage *msg = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
			GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
		if (!msg) {
			fprintf(stderr, "vp9_decode_check: no end of stream after 60 s\n");
			failed = 1;
			break;
		}
		GstMessageType type = GST_MESSAGE_TYPE(msg);
		if (type != GST_MESSAGE_EOS) {
			describe(msg);
			decode_errors++;
		}
		gst_message_unref(msg);
		if (type == GST_MESSAGE_ERROR)
			failed = 1;
		if (type != GST_MESSAGE_WARNING)
			break;
	}

done:
	gst_element_set_state(pipeline, GST_STATE_NULL);
	printf("{\"packets\":%u,\"frames_decoded\":%u,\"decode_errors\":%u", file.count,
	       atomic_load(&frames_decoded), decode_errors);
	if (hashes) {
		printf(",\"hashes\":[");
		for (guint i = 0; i < hashes->len; i++)
			printf("%s\"%s\"", i ? "," : "", (const char *)g_ptr_array_index(hashes, i));
		printf("]");
		g_ptr_array_unref(hashes);
	}
	printf("}\n");
	gst_object_unref(bus);
	if (src)
		gst_object_unref(src);
	gst_object_unref(sink);
	gst_object_unref(pipeline);
	rtp_file_free(&file);
	return failed;
}
