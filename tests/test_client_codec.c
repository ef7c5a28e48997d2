/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-client's codec table (client/client_codec.c) against strata-cp and
 * through GStreamer, without a network:
 *
 *   - every row is a codec strata-cp's signaling knows (sig_codec_name),
 *     Opus the only audio one, at the clock rate strata-cp requires of a
 *     publication (48000 for Opus, 90000 for video: sig_msg_media.c), with
 *     a dynamic payload type of its own (RFC 3551 section 6: 96-127);
 *   - each video codec's publisher (client_gst.c: 1 s of test pattern, 30
 *     frames, and 50 or 51 Opus packets) feeds its RTP straight into receivers of
 *     the same rows: every frame and packet decodes, no decode error, and
 *     only VP8 packets carry a temporal layer (0-2, all three seen).
 *
 * Exits 77 (skip) when a GStreamer element of the table is missing
 * (scripts/setup installs them).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gst/gst.h>

#include "client_codec.h"
#include "client_gst.h"
#include "sig_msg.h"
#include "test_util.h"

/* A test has no ASan leak check: GStreamer keeps its registry to exit. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct loop {
	const struct client_codec *video;
	struct gst_receiver *vrx, *arx;
	int max_tid, min_tid;
	unsigned long packets;
};

static void deliver(void *user, const uint8_t *rtp, size_t len, bool video)
{
	struct loop *l = user;

	l->packets++;
	if (video && l->video->tid) {
		int tid = l->video->tid(rtp, len);
		if (tid > l->max_tid)
			l->max_tid = tid;
		if (tid < l->min_tid)
			l->min_tid = tid;
	}
	gst_receiver_push(video ? l->vrx : l->arx, rtp, len);
}

static void table_matches_strata_cp(const char *names)
{
	gchar **v = g_strsplit(names, ",", -1);
	unsigned pts[128] = { 0 };

	CHECK(g_strv_length(v) == 4, "%u codecs (%s), want VP8, VP9, H264, opus",
	      g_strv_length(v), names);
	for (gchar **n = v; *n; n++) {
		const struct client_codec *c = client_codec_by_name(*n);
		bool known = false, audio;

		CHECK(c != NULL, "%s listed but not found", *n);
		if (!c)
			continue;
		for (int e = 1; e <= STRATA_CODEC_AV1; e++) {
			const char *cp = sig_codec_name((enum strata_codec)e);
			if (cp && !strcmp(cp, c->name))
				known = true;
		}
		CHECK(known, "%s: not a codec strata-cp knows by that name", c->name);
		audio = !strcmp(c->kind, "audio");
		CHECK(audio == !strcasecmp(c->name, "opus"), "%s: kind %s", c->name, c->kind);
		CHECK(c->clock_rate == (audio ? 48000u : 90000u), "%s: clock rate %u", c->name,
		      c->clock_rate);
		CHECK(c->pt >= 96 && c->pt <= 127, "%s: payload type %u", c->name, c->pt);
		CHECK(pts[c->pt & 127]++ == 0, "%s: payload type %u used twice", c->name, c->pt);
		CHECK(client_codec_by_name(c->name) == c, "%s: lookup", c->name);
	}
	g_strfreev(v);
	CHECK(client_codec_by_name("vp9") == client_codec_by_name("VP9"), "vp9: case");
	CHECK(client_codec_by_name("h265") == NULL, "h265 found");
}

/* 0, or 77 when an element is missing. */
static int missing_elements(const char *names)
{
	gchar **v = g_strsplit(names, ",", -1);
	int rc = 0;

	for (gchar **n = v; *n && !rc; n++) {
		const struct client_codec *c = client_codec_by_name(*n);
		const char *texts[] = { c->encoder, c->payloader, c->decoder };
		for (unsigned t = 0; t < ARRAY_LEN(texts) && !rc; t++) {
			/* The first word of each "!"-separated element. */
			gchar **parts = g_strsplit(texts[t], "!", -1);
			for (gchar **p = parts; *p && !rc; p++) {
				gchar *name = g_strstrip(g_strdup(*p));
				name[strcspn(name, " ,")] = 0;
				GstElementFactory *f = strchr(name, '/') ? NULL
								     : gst_element_factory_find(name);
				if (!strchr(name, '/') && !f) {
					printf("SKIP: GStreamer element %s missing (scripts/setup)\n",
					       name);
					rc = 77;
				}
				if (f)
					gst_object_unref(f);
				g_free(name);
			}
			g_strfreev(parts);
		}
	}
	g_strfreev(v);
	return rc;
}

static void loopback(const char *codec)
{
	struct gst_publisher_opts o = {
		.video = client_codec_by_name(codec), .audio = client_codec_by_name("opus"),
		.seconds = 1, .width = 160, .height = 120, .bitrate = 150000, .keyframe_dist = 30,
		.video_ssrc = 0x1234, .audio_ssrc = 0x1235,
	};
	struct loop l = { .video = o.video, .max_tid = -1, .min_tid = 99 };
	char err[200];
	unsigned long vf = 0, af = 0, vdec = 0, verr = 0, adec = 0, aerr = 0;
	int r = 0;

	l.vrx = gst_receiver_new(o.video, o.video->pt, err, sizeof(err));
	CHECK(l.vrx, "%s: receiver: %s", codec, err);
	l.arx = gst_receiver_new(o.audio, o.audio->pt, err, sizeof(err));
	CHECK(l.arx, "opus: receiver: %s", err);
	struct gst_publisher *p = l.vrx && l.arx ? gst_publisher_new(&o, err, sizeof(err)) : NULL;
	CHECK(p, "%s: publisher: %s", codec, err);
	if (p) {
		gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
		while ((r = gst_publisher_pull(p, deliver, &l)) == 0 &&
		       g_get_monotonic_time() < end)
			g_usleep(2000);
		CHECK(r == 1, "%s: the publisher did not finish (%d)", codec, r);
		gst_publisher_frames(p, &vf, &af);
	}
	if (l.vrx && l.arx) {
		gst_receiver_finish(l.vrx);
		gst_receiver_finish(l.arx);
		gst_receiver_counts(l.vrx, &vdec, &verr);
		gst_receiver_counts(l.arx, &adec, &aerr);
	}
	printf("# %-4s %lu packets; video %lu frames sent, %lu decoded, %lu errors, layers "
	       "%d to %d; opus %lu sent, %lu decoded, %lu errors\n", codec, l.packets, vf, vdec,
	       verr, l.min_tid == 99 ? -1 : l.min_tid, l.max_tid, af, adec, aerr);
	CHECK(vf == 30 && vdec == vf && verr == 0, "%s: %lu of %lu frames decoded, %lu errors",
	      codec, vdec, vf, verr);
	/* 50 buffers of 20 ms; opusenc's drain at the end may add one. */
	CHECK((af == 50 || af == 51) && adec == af && aerr == 0, "%s: opus %lu of %lu decoded, %lu errors",
	      codec, adec, af, aerr);
	if (o.video->temporal_layers)
		CHECK(l.min_tid == 0 && l.max_tid == (int)o.video->temporal_layers - 1,
		      "%s: layers %d-%d", codec, l.min_tid, l.max_tid);
	else
		CHECK(!o.video->tid && l.max_tid == -1, "%s: a layer said", codec);
	gst_publisher_free(p);
	gst_receiver_free(l.vrx);
	gst_receiver_free(l.arx);
}

int main(void)
{
	const char *names;
	int rc;

	gst_init(NULL, NULL);
	names = client_codec_names();
	table_matches_strata_cp(names);
	rc = missing_elements(names);
	if (rc)
		return rc;
	loopback("VP8");
	loopback("VP9");
	loopback("H264");
	return test_summary("client_codec");
}
