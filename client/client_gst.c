/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GStreamer pipelines of strata-client (client_gst.h), built from the
 * codec table (client_codec.c).  In gst-launch terms, for VP8:
 *
 *   publisher:
 *     videotestsrc is-live=true num-buffers=30*S pattern=smpte horizontal-speed=3
 *       ! video/x-raw,format=I420,width=W,height=H,framerate=30/1
 *       ! vp8enc name=vsink_enc ... target-bitrate=B keyframe-max-dist=K
 *         (L1T3 set through the API: client_vp8.c)
 *       ! rtpvp8pay ... pt=96 ssrc=V ! appsink
 *     audiotestsrc is-live=true num-buffers=50*S samplesperbuffer=960
 *       ! audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111 ssrc=A
 *       ! appsink
 *   receiver (one per remote stream):
 *     appsrc caps=application/x-rtp,... ! rtpvp8depay wait-for-keyframe=true
 *       ! vp8dec ! fakesink
 *     appsrc caps=application/x-rtp,... ! rtpopusdepay ! opusdec ! fakesink
 *
 * VP9 and H.264 put their rows' elements in the same places.
 *
 * A decoded frame is a buffer reaching the fakesink; a decode error is an
 * ERROR or WARNING message on the receiver's bus (vp8dec, vp9dec and
 * avdec_h264 report a frame they cannot decode as a warning; the
 * depayloaders report theirs the same way), as tests/tools/vp8_decode_check.c
 * and h264_decode_check.c count them.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "client_codec.h"
#include "client_gst.h"

struct gst_publisher {
	GstElement *pipeline, *vsink, *asink;
	GstBus *bus;
	unsigned long video_frames, audio_frames;
};

struct gst_receiver {
	GstElement *pipeline, *src;
	GstBus *bus;
	atomic_ulong decoded;
	unsigned long errors;
};

/* One encoding branch: encoder ! [caps !] payloader ! appsink name=sink. */
static gchar *encode_branch(const struct client_codec *c, unsigned bitrate, unsigned kf,
			    uint32_t ssrc, const char *sink)
{
	gchar *rate = c->bitrate_prop ? g_strdup_printf(" %s=%u", c->bitrate_prop,
							 bitrate / c->bitrate_unit)
				      : g_strdup("");
	gchar *key = c->keyframe_prop ? g_strdup_printf(" %s=%u", c->keyframe_prop, kf)
				      : g_strdup("");
	gchar *b = g_strdup_printf("%s name=%s_enc%s%s %s%s ! %s pt=%u ssrc=%u "
				   "! appsink name=%s sync=false max-buffers=1000",
				   c->encoder, sink, rate, key, c->encoder_caps ? "! " : "",
				   c->encoder_caps ? c->encoder_caps : "", c->payloader, c->pt,
				   ssrc, sink);
	g_free(rate);
	g_free(key);
	return b;
}

struct gst_publisher *gst_publisher_new(const struct gst_publisher_opts *o, char *err,
					size_t errlen)
{
	GError *gerr = NULL;
	struct gst_publisher *p = calloc(1, sizeof(*p));
	gchar *video = encode_branch(o->video, o->bitrate, o->keyframe_dist, o->video_ssrc,
				     "vsink");
	gchar *audio = encode_branch(o->audio, 0, 0, o->audio_ssrc, "asink");
	gchar *desc = g_strdup_printf(
		"videotestsrc is-live=true num-buffers=%u pattern=smpte horizontal-speed=3 "
		"! video/x-raw,format=I420,width=%u,height=%u,framerate=30/1 ! %s "
		"audiotestsrc is-live=true num-buffers=%u samplesperbuffer=960 wave=sine "
		"! audio/x-raw,rate=48000,channels=1 ! %s",
		o->seconds * 30, o->width, o->height, video, o->seconds * 50, audio);

	g_free(video);
	g_free(audio);
	if (!p) {
		g_free(desc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->pipeline = gst_parse_launch(desc, &gerr);
	g_free(desc);
	if (!p->pipeline || gerr) {
		snprintf(err, errlen, "publisher pipeline: %s (GStreamer plugins -base, -good, "
				      "-ugly for x264enc: scripts/setup)", gerr ? gerr->message : "none");
		g_clear_error(&gerr);
		gst_publisher_free(p);
		return NULL;
	}
	int rc = 0;
	if (o->video->configure) {
		GstElement *enc = gst_bin_get_by_name(GST_BIN(p->pipeline), "vsink_enc");
		rc = o->video->configure(enc, o->bitrate);
		gst_object_unref(enc);
	}
	p->vsink = gst_bin_get_by_name(GST_BIN(p->pipeline), "vsink");
	p->asink = gst_bin_get_by_name(GST_BIN(p->pipeline), "asink");
	p->bus = gst_element_get_bus(p->pipeline);
	if (rc < 0 ||
	    gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		snprintf(err, errlen, "the publisher pipeline does not start");
		gst_publisher_free(p);
		return NULL;
	}
	return p;
}

int gst_publisher_pull(struct gst_publisher *p,
		       void (*send)(void *user, const uint8_t *rtp, size_t len, bool video),
		       void *user)
{
	GstElement *sinks[2] = { p->vsink, p->asink };
	GstMessage *msg = gst_bus_pop_filtered(p->bus, GST_MESSAGE_ERROR);

	if (msg) {
		GError *e = NULL;
		gst_message_parse_error(msg, &e, NULL);
		fprintf(stderr, "strata-client: publisher: %s\n", e ? e->message : "error");
		g_clear_error(&e);
		gst_message_unref(msg);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		GstSample *s;
		while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sinks[i]), 0))) {
			GstBuffer *buf = gst_sample_get_buffer(s);
			GstMapInfo map;
			if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
				if (i == 0)
					p->video_frames += map.size > 1 && (map.data[1] & 0x80);
				else
					p->audio_frames++;
				send(user, map.data, map.size, i == 0);
				gst_buffer_unmap(buf, &map);
			}
			gst_sample_unref(s);
		}
	}
	return gst_app_sink_is_eos(GST_APP_SINK(p->vsink)) &&
	       gst_app_sink_is_eos(GST_APP_SINK(p->asink));
}

void gst_publisher_frames(const struct gst_publisher *p, unsigned long *video,
			  unsigned long *audio)
{
	*video = p->video_frames;
	*audio = p->audio_frames;
}

void gst_publisher_free(struct gst_publisher *p)
{
	if (!p)
		return;
	if (p->pipeline)
		gst_element_set_state(p->pipeline, GST_STATE_NULL);
	if (p->vsink)
		gst_object_unref(p->vsink);
	if (p->asink)
		gst_object_unref(p->asink);
	if (p->bus)
		gst_object_unref(p->bus);
	if (p->pipeline)
		gst_object_unref(p->pipeline);
	free(p);
}

static GstPadProbeReturn count_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct gst_receiver *r = data;
	(void)pad;
	if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER)
		atomic_fetch_add(&r->decoded, 1);
	return GST_PAD_PROBE_OK;
}

struct gst_receiver *gst_receiver_new(const struct client_codec *codec, unsigned pt,
				      char *err, size_t errlen)
{
	GError *gerr = NULL;
	struct gst_receiver *r = calloc(1, sizeof(*r));
	gchar *desc = g_strdup_printf(
		"appsrc name=src format=time is-live=true do-timestamp=true "
		"caps=\"application/x-rtp,media=%s,clock-rate=%u,encoding-name=%s,payload=%u\" "
		"! %s ! fakesink name=sink sync=false",
		codec->kind, codec->clock_rate, codec->rtp_name, pt, codec->decoder);

	if (!r) {
		g_free(desc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->pipeline = gst_parse_launch(desc, &gerr);
	g_free(desc);
	if (!r->pipeline || gerr) {
		snprintf(err, errlen, "receiver pipeline: %s", gerr ? gerr->message : "none");
		g_clear_error(&gerr);
		gst_receiver_free(r);
		return NULL;
	}
	r->src = gst_bin_get_by_name(GST_BIN(r->pipeline), "src");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(r->pipeline), "sink");
	GstPad *pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, r, NULL);
	gst_object_unref(pad);
	gst_object_unref(sink);
	r->bus = gst_element_get_bus(r->pipeline);
	if (gst_element_set_state(r->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		snprintf(err, errlen, "the receiver pipeline does not start");
		gst_receiver_free(r);
		return NULL;
	}
	return r;
}

void gst_receiver_push(struct gst_receiver *r, const uint8_t *rtp, size_t len)
{
	gst_app_src_push_buffer(GST_APP_SRC(r->src), gst_buffer_new_memdup(rtp, len));
}

static void count_message(struct gst_receiver *r, GstMessage *msg)
{
	GError *e = NULL;
	gchar *dbg = NULL;

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &e, &dbg);
	else
		gst_message_parse_warning(msg, &e, &dbg);
	fprintf(stderr, "strata-client: decode %s from %s: %s\n",
		GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ? "error" : "warning",
		GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), e ? e->message : "?");
	g_clear_error(&e);
	g_free(dbg);
	r->errors++;
}

void gst_receiver_poll(struct gst_receiver *r)
{
	GstMessage *msg;

	while ((msg = gst_bus_pop_filtered(r->bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
		count_message(r, msg);
		gst_message_unref(msg);
	}
}

void gst_receiver_finish(struct gst_receiver *r)
{
	gst_app_src_end_of_stream(GST_APP_SRC(r->src));
	for (;;) {
		GstMessage *msg = gst_bus_timed_pop_filtered(
			r->bus, 5 * GST_SECOND,
			GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
		if (!msg)
			break;
		GstMessageType t = GST_MESSAGE_TYPE(msg);
		if (t != GST_MESSAGE_EOS)
			count_message(r, msg);
		gst_message_unref(msg);
		if (t != GST_MESSAGE_WARNING)
			break;
	}
}

void gst_receiver_counts(const struct gst_receiver *r, unsigned long *decoded,
			 unsigned long *errors)
{
	*decoded = atomic_load(&r->decoded);
	*errors = r->errors;
}

void gst_receiver_free(struct gst_receiver *r)
{
	if (!r)
		return;
	if (r->pipeline)
		gst_element_set_state(r->pipeline, GST_STATE_NULL);
	if (r->src)
		gst_object_unref(r->src);
	if (r->bus)
		gst_object_unref(r->bus);
	if (r->pipeline)
		gst_object_unref(r->pipeline);
	free(r);
}
