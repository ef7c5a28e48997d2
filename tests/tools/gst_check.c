/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decode checks' common part (gst_check.h): probing for elements,
 * counting and hashing pictures, pushing a capture and reading the bus.
 */
#include <stdio.h>
#include <string.h>

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "gst_check.h"

/* How long the bus may stay silent before the check gives up. */
#define END_OF_STREAM_WAIT_S 60

/* GStreamer keeps caches and type registrations alive until exit on
 * purpose; they are not leaks of ours. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

int gst_check_probe(const char *tool, const char *const *needed, const char *packages)
{
	for (; *needed; needed++) {
		GstElementFactory *f = gst_element_factory_find(*needed);
		if (!f) {
			fprintf(stderr, "%s: GStreamer element %s is not installed "
					"(%s: run scripts/setup)\n", tool, *needed, packages);
			return 77;
		}
		gst_object_unref(f);
	}
	return 0;
}

void gst_check_want_hashes(struct gst_check *c)
{
	if (!c->hashes)
		c->hashes = g_ptr_array_new_with_free_func(g_free);
}

/* The hash of one picture (gst_check_want_hashes). */
static gchar *picture_hash(const GstVideoInfo *info, GstBuffer *buf, bool sized)
{
	GstVideoFrame frame;

	if (!gst_video_frame_map(&frame, info, buf, GST_MAP_READ))
		return g_strdup("unmappable");
	GChecksum *sum = g_checksum_new(G_CHECKSUM_MD5);
	for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&frame); c++) {
		const guint8 *row = GST_VIDEO_FRAME_COMP_DATA(&frame, c);
		gint stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, c);
		gint width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, c) *
			     GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, c);
		for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&frame, c); y++)
			g_checksum_update(sum, row + (gsize)y * stride, width);
	}
	gchar *hex = sized ? g_strdup_printf("%dx%d:%s", GST_VIDEO_INFO_WIDTH(info),
					     GST_VIDEO_INFO_HEIGHT(info),
					     g_checksum_get_string(sum))
			   : g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	gst_video_frame_unmap(&frame);
	return hex;
}

/* The sink's probe: one decoded picture. */
static GstPadProbeReturn count_picture(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct gst_check *c = data;
	GstCaps *caps;
	GstVideoInfo vinfo;

	if (!(GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER))
		return GST_PAD_PROBE_OK;
	atomic_fetch_add(&c->frames_decoded, 1);
	caps = gst_pad_get_current_caps(pad);
	if (!caps) {
		if (c->hashes)
			g_ptr_array_add(c->hashes, g_strdup("no-caps"));
		return GST_PAD_PROBE_OK;
	}
	if (gst_video_info_from_caps(&vinfo, caps)) {
		atomic_store(&c->width, GST_VIDEO_INFO_WIDTH(&vinfo));
		atomic_store(&c->height, GST_VIDEO_INFO_HEIGHT(&vinfo));
		if (c->hashes)
			g_ptr_array_add(c->hashes, picture_hash(&vinfo, GST_PAD_PROBE_INFO_BUFFER(info),
								c->sized_hashes));
	} else if (c->hashes) {
		g_ptr_array_add(c->hashes, g_strdup("unmappable"));
	}
	gst_caps_unref(caps);
	return GST_PAD_PROBE_OK;
}

void gst_check_add_probe(struct gst_check *c, const char *element, const char *pad_name,
			 GstPadProbeCallback cb)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(c->pipeline), element);
	GstPad *pad = gst_element_get_static_pad(e, pad_name);

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, cb, c, NULL);
	gst_object_unref(pad);
	gst_object_unref(e);
}

int gst_check_launch(struct gst_check *c, const char *desc)
{
	GError *err = NULL;

	c->pipeline = gst_parse_launch(desc, &err);
	if (!c->pipeline) {
		fprintf(stderr, "%s: %s\n", c->tool, err ? err->message : "no pipeline");
		g_clear_error(&err);
		return 1;
	}
	/* A pipeline made despite an error (a recoverable one) is used. */
	g_clear_error(&err);
	gst_check_add_probe(c, "sink", "sink", count_picture);
	return 0;
}

/* One ERROR or WARNING message, on stderr. */
static void describe(const char *tool, GstMessage *msg)
{
	GError *err = NULL;
	gchar *dbg = NULL;
	const char *kind = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ? "error" : "warning";

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &err, &dbg);
	else
		gst_message_parse_warning(msg, &err, &dbg);
	fprintf(stderr, "%s: %s from %s: %s (%s)\n", tool, kind,
		GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err ? err->message : "?", dbg ? dbg : "");
	g_clear_error(&err);
	g_free(dbg);
}

/* The capture into appsrc, then its end of stream. */
static void push_file(GstElement *src, const struct rtp_file *file)
{
	for (uint32_t i = 0; i < file->count; i++) {
		GstBuffer *buf = gst_buffer_new_memdup(file->packets[i].data, file->packets[i].len);
		if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
			break; /* the pipeline stopped: the bus says why */
	}
	gst_app_src_end_of_stream(GST_APP_SRC(src));
}

/* Reads the bus to the end of the stream or the first error: 0 or 1. */
static int wait_end(struct gst_check *c, GstBus *bus)
{
	for (;;) {
		GstMessage *msg = gst_bus_timed_pop_filtered(bus,
			END_OF_STREAM_WAIT_S * GST_SECOND,
			GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
		if (!msg) {
			fprintf(stderr, "%s: no end of stream after %d s\n", c->tool,
				END_OF_STREAM_WAIT_S);
			return 1;
		}
		GstMessageType type = GST_MESSAGE_TYPE(msg);
		if (type != GST_MESSAGE_EOS) {
			describe(c->tool, msg);
			c->decode_errors++;
		}
		gst_message_unref(msg);
		if (type == GST_MESSAGE_ERROR)
			return 1;
		if (type != GST_MESSAGE_WARNING)
			return 0;
	}
}

int gst_check_run(struct gst_check *c)
{
	GstBus *bus = gst_element_get_bus(c->pipeline);
	GstElement *src = gst_bin_get_by_name(GST_BIN(c->pipeline), "src");
	int failed;

	if (gst_element_set_state(c->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "%s: the pipeline does not start\n", c->tool);
		failed = 1;
	} else {
		if (src)
			push_file(src, &c->file);
		failed = wait_end(c, bus);
	}
	gst_element_set_state(c->pipeline, GST_STATE_NULL);
	if (src)
		gst_object_unref(src);
	gst_object_unref(bus);
	return failed;
}

void gst_check_print_hashes(const struct gst_check *c)
{
	if (!c->hashes)
		return;
	printf(",\"hashes\":[");
	for (guint i = 0; i < c->hashes->len; i++)
		printf("%s\"%s\"", i ? "," : "", (const char *)g_ptr_array_index(c->hashes, i));
	printf("]");
}

void gst_check_print_result(const struct gst_check *c)
{
	printf("{\"packets\":%u,\"frames_decoded\":%u,\"decode_errors\":%u", c->file.count,
	       atomic_load(&c->frames_decoded), c->decode_errors);
	gst_check_print_hashes(c);
	printf("}\n");
}

const char *gst_check_simple_args(struct gst_check *c, int argc, char **argv,
				  const char *const *needed, const char *packages,
				  const char *usage, int *status)
{
	if (argc == 2 && !strcmp(argv[1], "--probe")) {
		*status = gst_check_probe(c->tool, needed, packages);
		return NULL;
	}
	if (argc == 3 && !strcmp(argv[1], "--hashes")) {
		gst_check_want_hashes(c);
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s %s\n", c->tool, usage);
		*status = 2;
		return NULL;
	}
	*status = gst_check_probe(c->tool, needed, packages);
	return *status ? NULL : argv[1];
}

void gst_check_free(struct gst_check *c)
{
	if (c->pipeline)
		gst_object_unref(c->pipeline);
	c->pipeline = NULL;
	if (c->hashes)
		g_ptr_array_unref(c->hashes);
	c->hashes = NULL;
	rtp_file_free(&c->file);
}
