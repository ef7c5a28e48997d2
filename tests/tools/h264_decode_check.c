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
 * decode_errors counts the ERROR and WARNING messages on the bus (each also
 * described on stderr).  Exit status: 0 when decoding ran to its end, 1
 * when the pipeline stopped on an error, 2 on bad usage or an unreadable
 * file, 77 when an element is missing (the test suite's "skipped").
 *
 * Why hashes: H.264 decoding is exact (every conforming decoder outputs the
 * same pixels), so a stream from which a forwarder removed whole temporal
 * layers, correctly, decodes each remaining picture to the very pixels the
 * full stream gives.  A decoder conceals a picture whose reference it
 * never got, usually without a word: the pixels tell.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "rtp_file.h"

#define CAPS "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264," \
	     "payload=102,packetization-mode=(string)1"

/* GStreamer keeps caches and type registrations alive until exit on
 * purpose; they are not leaks of ours. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* Written by the streaming thread, read once the pipeline has stopped. */
static atomic_uint frames_decoded, access_units;
static atomic_int width, height;
static GPtrArray *hashes;
static GArray *keyframes;

/* MD5 of the picture's visible pixels, plane by plane, row by row (strides
 * and padding left out). */
static gchar *picture_hash(const GstVideoInfo *info, GstBuffer *buf)
{
	GstVideoFrame frame;

	if (!gst_video_frame_map(&frame, info, buf, GST_MAP_READ))
		return g_strdup("unmappable");
	GChecksum *sum = g_checksum_new(G_CHECKSUM_MD5);
	for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&frame); c++) {
		const guint8 *row = GST_VIDEO_FRAME_COMP_DATA(&frame, c);
		gint stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, c);
		gint w = GST_VIDEO_FRAME_COMP_WIDTH(&frame, c) *
			 GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, c);
		for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&frame, c); y++)
			g_checksum_update(sum, row + (gsize)y * stride, w);
	}
	gchar *hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	gst_video_frame_unmap(&frame);
	return hex;
}

static GstPadProbeReturn count_picture(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo vinfo;

	(void)data;
	if (!(GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER))
		return GST_PAD_PROBE_OK;
	atomic_fetch_add(&frames_decoded, 1);
	if (caps && gst_video_info_from_caps(&vinfo, caps)) {
		atomic_store(&width, GST_VIDEO_INFO_WIDTH(&vinfo));
		atomic_store(&height, GST_VIDEO_INFO_HEIGHT(&vinfo));
		if (hashes)
			g_ptr_array_add(hashes, picture_hash(&vinfo, GST_PAD_PROBE_INFO_BUFFER(info)));
	} else if (hashes) {
		g_ptr_array_add(hashes, g_strdup("no-caps"));
	}
	if (caps)
		gst_caps_unref(caps);
	return GST_PAD_PROBE_OK;
}

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
				       "fakesink" };

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		GstElementFactory *f = gst_element_factory_find(needed[i]);
		if (!f) {
			fprintf(stderr, "h264_decode_check: GStreamer element %s is not installed "
					"(gstreamer1.0-plugins-good/-bad, gstreamer1.0-libav: run "
					"scripts/setup)\n", needed[i]);
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
	fprintf(stderr, "h264_decode_check: %s from %s: %s (%s)\n", kind,
		GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err ? err->message : "?", dbg ? dbg : "");
	g_clear_error(&err);
	g_free(dbg);
}

static void add_probe(GstElement *pipeline, const char *element, const char *pad_name,
		      GstPadProbeCallback cb)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(pipeline), element);
	GstPad *pad = gst_element_get_static_pad(e, pad_name);

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, cb, NULL, NULL);
	gst_object_unref(pad);
	gst_object_unref(e);
}

static void print_result(const struct rtp_file *file, unsigned decode_errors)
{
	printf("{\"packets\":%u,\"access_units\":%u,\"frames_decoded\":%u,\"decode_errors\":%u,"
	       "\"width\":%d,\"height\":%d", file->count, atomic_load(&access_units),
	       atomic_load(&frames_decoded), decode_errors, atomic_load(&width),
	       atomic_load(&height));
	if (keyframes) {
		printf(",\"keyframes\":[");
		for (guint i = 0; i < keyframes->len; i++)
			printf("%s%u", i ? "," : "", g_array_index(keyframes, guint, i));
		printf("]");
	}
	if (hashes) {
		printf(",\"hashes\":[");
		for (guint i = 0; i < hashes->len; i++)
			printf("%s\"%s\"", i ? "," : "", (const char *)g_ptr_array_index(hashes, i));
		printf("]");
	}
	printf("}\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: h264_decode_check [--decoder avdec|openh264] [--hashes] "
			"[--keyframes] FILE | [--decoder avdec|openh264] --probe\n");
}

int main(int argc, char **argv)
{
	struct rtp_file file;
	GError *err = NULL;
	const char *decoder = "avdec_h264", *path = NULL;
	unsigned decode_errors = 0;
	int failed = 0, probe = 0;

	gst_init(NULL, NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe")) {
			probe = 1;
		} else if (!strcmp(argv[i], "--hashes")) {
			if (!hashes)
				hashes = g_ptr_array_new_with_free_func(g_free);
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
	int missing = probe_elements(decoder);
	if (missing)
		return missing;
	if (rtp_file_read(path, &file) != 0)
		return 2;

	gchar *desc = g_strdup_printf(
		"appsrc name=src format=time block=true caps=\"" CAPS "\" "
		"! rtph264depay ! h264parse name=parse ! video/x-h264,alignment=au "
		"! %s ! fakesink name=sink sync=false", decoder);
	GstElement *pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipeline) {
		fprintf(stderr, "h264_decode_check: %s\n", err ? err->message : "no pipeline");
		g_clear_error(&err);
		rtp_file_free(&file);
		return 1;
	}
	g_clear_error(&err);
	add_probe(pipeline, "sink", "sink", count_picture);
	add_probe(pipeline, "parse", "src", count_access_unit);
	GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");

	GstBus *bus = gst_element_get_bus(pipeline);
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "h264_decode_check: the pipeline does not start\n");
		failed = 1;
		goto done;
	}
	for (uint32_t i = 0; i < file.count; i++) {
		GstBuffer *buf = gst_buffer_new_memdup(file.packets[i].data, file.packets[i].len);
		if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
			break; /* the pipeline stopped: the bus says why */
	}
	gst_app_src_end_of_stream(GST_APP_SRC(src));

	for (;;) {
		GstMessage *msg = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
			GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
		if (!msg) {
			fprintf(stderr, "h264_decode_check: no end of stream after 60 s\n");
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
	print_result(&file, decode_errors);
	if (hashes)
		g_ptr_array_unref(hashes);
	if (keyframes)
		g_array_unref(keyframes);
	gst_object_unref(bus);
	gst_object_unref(src);
	gst_object_unref(pipeline);
	rtp_file_free(&file);
	return failed;
}
