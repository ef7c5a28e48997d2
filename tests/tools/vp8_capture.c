/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vp8_capture: encodes a test pattern as VP8 with three temporal layers,
 * packetizes it as RTP and writes every packet to a file (rtp_file.h).
 *
 *   vp8_capture OUTPUT [--frames N] [--width W] [--height H] [--ssrc N]
 *                      [--bitrate BPS] [--keyframe-dist N] [--pattern NAME]
 *
 * Defaults: 150 frames of 320x240 at 30 fps, SSRC 0x5354524c, 500000 bit/s,
 * a keyframe every 60 frames.
 *
 * The pipeline, in gst-launch terms:
 *
 *   videotestsrc is-live=false num-buffers=N pattern=NAME
 *                (default "smpte horizontal-speed=3": moving bars; more
 *                videotestsrc properties may follow the name)
 *     ! video/x-raw,format=I420,width=W,height=H,framerate=30/1
 *     ! vp8enc deadline=1 cpu-used=4 threads=1 end-usage=cbr
 *              target-bitrate=BPS keyframe-max-dist=K error-resilient=default
 *              temporal-scalability-... (below)
 *     ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ssrc=N
 *                 picture-id-offset=32700 seqnum-offset=65400
 *                 timestamp-offset=1000000
 *     ! appsink
 *
 * The temporal layering (L1T3) is set through the C API because
 * gst-launch cannot deserialise vp8enc's array-valued properties:
 *
 *   number-layers 3, periodicity 4, layer ids 0,2,1,2, rate decimators
 *   4,2,1 (7.5, 15 and 30 fps), cumulative target bitrates 40/70/100 % of
 *   BPS, sync flags false,true,true,false, and per-frame reference flags
 *   (buffers: LAST holds layer 0, GOLDEN layer 1, ALTREF layer 2):
 *
 *     frame 4k   TID 0      refs LAST             updates LAST
 *     frame 4k+1 TID 2  Y   refs LAST             updates ALTREF
 *     frame 4k+2 TID 1  Y   refs LAST             updates GOLDEN
 *     frame 4k+3 TID 2      refs LAST GOLDEN ALT  updates ALTREF
 *
 *   Frames above layer 0 never update the entropy context, so dropping
 *   them leaves the probabilities of the frames after them intact.  The Y
 *   frames reference only layer 0, as RFC 7741 defines the bit; frame 4k+3
 *   depends on 4k+1 and 4k+2, so a receiver that switched up there would
 *   decode garbage.
 *
 * The PictureID starts near the 15-bit wrap and the sequence number near
 * the 16-bit one, so a few hundred packets cross both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "rtp_file.h"

#define PICTURE_ID_OFFSET 32700
#define SEQNUM_OFFSET 65400
#define TIMESTAMP_OFFSET 1000000u

/* GStreamer keeps caches and type registrations alive until exit on
 * purpose; they are not leaks of ours. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct options {
	const char *output;
	const char *pattern;
	unsigned frames, width, height, bitrate, keyframe_dist;
	unsigned long ssrc;
};

static void usage(void)
{
	fprintf(stderr, "usage: vp8_capture OUTPUT [--frames N] [--width W] [--height H] "
			"[--ssrc N] [--bitrate BPS] [--keyframe-dist N] [--pattern NAME]\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max) {
		fprintf(stderr, "vp8_capture: bad number '%s'\n", s);
		usage();
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .frames = 150, .width = 320, .height = 240,
			       .bitrate = 500000, .keyframe_dist = 60, .ssrc = 0x5354524cul,
			       .pattern = "smpte horizontal-speed=3" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o->output)
				usage();
			o->output = a;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(a, "--frames"))
			o->frames = (unsigned)number(v, 100000);
		else if (!strcmp(a, "--width"))
			o->width = (unsigned)number(v, 4096);
		else if (!strcmp(a, "--height"))
			o->height = (unsigned)number(v, 4096);
		else if (!strcmp(a, "--ssrc"))
			o->ssrc = number(v, 0xffffffffu);
		else if (!strcmp(a, "--bitrate"))
			o->bitrate = (unsigned)number(v, 100000000);
		else if (!strcmp(a, "--pattern"))
			o->pattern = v;
		else if (!strcmp(a, "--keyframe-dist"))
			o->keyframe_dist = (unsigned)number(v, 100000);
		else
			usage();
	}
	if (!o->output || !o->frames || !o->width || !o->height)
		usage();
}

/* Sets an array property whether it is a GValueArray ("Array of GValues")
 * or a GstValueArray ("<a, b>"): vp8enc has both kinds. */
static void set_array(GstElement *e, const char *prop, const GValue *items, unsigned n)
{
	GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop);
	GValue v = G_VALUE_INIT;

	if (!ps) {
		fprintf(stderr, "vp8_capture: vp8enc has no property %s\n", prop);
		exit(1);
	}
	g_value_init(&v, ps->value_type);
	if (ps->value_type == GST_TYPE_ARRAY) {
		for (unsigned i = 0; i < n; i++)
			gst_value_array_append_value(&v, &items[i]);
	} else {
		G_GNUC_BEGIN_IGNORE_DEPRECATIONS
		GValueArray *a = g_value_array_new(n);
		for (unsigned i = 0; i < n; i++)
			g_value_array_append(a, &items[i]);
		g_value_take_boxed(&v, a);
		G_GNUC_END_IGNORE_DEPRECATIONS
	}
	g_object_set_property(G_OBJECT(e), prop, &v);
	g_value_unset(&v);
}

static void set_int_array(GstElement *e, const char *prop, const int *ints, unsigned n)
{
	GValue items[8] = { G_VALUE_INIT };

	for (unsigned i = 0; i < n; i++) {
		g_value_init(&items[i], G_TYPE_INT);
		g_value_set_int(&items[i], ints[i]);
	}
	set_array(e, prop, items, n);
	for (unsigned i = 0; i < n; i++)
		g_value_unset(&items[i]);
}

static void set_bool_array(GstElement *e, const char *prop, const gboolean *bools, unsigned n)
{
	GValue items[8] = { G_VALUE_INIT };

	for (unsigned i = 0; i < n; i++) {
		g_value_init(&items[i], G_TYPE_BOOLEAN);
		g_value_set_boolean(&items[i], bools[i]);
	}
	set_array(e, prop, items, n);
	for (unsigned i = 0; i < n; i++)
		g_value_unset(&items[i]);
}

/* Each entry is a "+"-separated list of GstVPXEncTsLayerFlags nicks. */
static void set_flags_array(GstElement *e, const char *prop, const char *const *flags,
			    unsigned n)
{
	GType type = g_type_from_name("GstVPXEncTsLayerFlags");
	GValue items[8] = { G_VALUE_INIT };

	if (!type) {
		fprintf(stderr, "vp8_capture: this vp8enc has no GstVPXEncTsLayerFlags\n");
		exit(1);
	}
	GFlagsClass *fc = g_type_class_ref(type);
	for (unsigned i = 0; i < n; i++) {
		guint bits = 0;
		gchar **nicks = g_strsplit(flags[i], "+", -1);

		for (gchar **k = nicks; *k; k++) {
			GFlagsValue *fv = g_flags_get_value_by_nick(fc, *k);
			if (!fv) {
				fprintf(stderr, "vp8_capture: unknown layer flag %s\n", *k);
				exit(1);
			}
			bits |= fv->value;
		}
		g_strfreev(nicks);
		g_value_init(&items[i], type);
		g_value_set_flags(&items[i], bits);
	}
	set_array(e, prop, items, n);
	for (unsigned i = 0; i < n; i++)
		g_value_unset(&items[i]);
	g_type_class_unref(fc);
}

static void configure_layers(GstElement *enc, unsigned bitrate)
{
	static const int layer_ids[] = { 0, 2, 1, 2 };
	static const int decimators[] = { 4, 2, 1 };
	static const gboolean sync[] = { FALSE, TRUE, TRUE, FALSE };
	static const char *const flags[] = {
		"no-ref-golden+no-ref-alt+no-upd-golden+no-upd-alt",
		"no-ref-golden+no-ref-alt+no-upd-last+no-upd-golden+no-upd-entropy",
		"no-ref-golden+no-ref-alt+no-upd-last+no-upd-alt+no-upd-entropy",
		"no-upd-last+no-upd-golden+no-upd-entropy",
	};
	int rates[] = { (int)(bitrate / 10 * 4), (int)(bitrate / 10 * 7), (int)bitrate };

	g_object_set(enc, "temporal-scalability-number-layers", 3,
		     "temporal-scalability-periodicity", 4, NULL);
	set_int_array(enc, "temporal-scalability-layer-id", layer_ids, 4);
	set_int_array(enc, "temporal-scalability-rate-decimator", decimators, 3);
	set_int_array(enc, "temporal-scalability-target-bitrate", rates, 3);
	set_bool_array(enc, "temporal-scalability-layer-sync-flags", sync, 4);
	set_flags_array(enc, "temporal-scalability-layer-flags", flags, 4);
}

int main(int argc, char **argv)
{
	struct options o;
	GError *err = NULL;
	unsigned packets = 0, frames = 0;
	unsigned long bytes = 0;
	int status = 1;

	parse_options(argc, argv, &o);
	gst_init(NULL, NULL);

	gchar *desc = g_strdup_printf(
		"videotestsrc is-live=false num-buffers=%u pattern=%s "
		"! video/x-raw,format=I420,width=%u,height=%u,framerate=30/1 "
		"! vp8enc name=enc deadline=1 cpu-used=4 threads=1 end-usage=cbr "
		"  target-bitrate=%u keyframe-max-dist=%u error-resilient=default "
		"! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ssrc=%lu "
		"  picture-id-offset=%d seqnum-offset=%d timestamp-offset=%u "
		"! appsink name=sink sync=false",
		o.frames, o.pattern, o.width, o.height, o.bitrate, o.keyframe_dist, o.ssrc,
		PICTURE_ID_OFFSET, SEQNUM_OFFSET, TIMESTAMP_OFFSET);
	GstElement *pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipeline || err) {
		if (pipeline)
			gst_object_unref(pipeline);
		fprintf(stderr, "vp8_capture: %s (are gstreamer1.0-plugins-base and -good "
				"installed? run scripts/setup)\n", err ? err->message : "no pipeline");
		g_clear_error(&err);
		return 1;
	}

	GstElement *enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	configure_layers(enc, o.bitrate);

	FILE *out = fopen(o.output, "wb");
	if (!out) {
		fprintf(stderr, "vp8_capture: cannot write %s: %s\n", o.output, strerror(errno));
		goto done;
	}
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "vp8_capture: the pipeline does not start\n");
		goto done;
	}

	/* Samples until the end of the stream; an error on the bus ends it
	 * too (appsink alone would wait for ever). */
	GstBus *bus = gst_element_get_bus(pipeline);
	gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
	for (;;) {
		GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
								 100 * GST_MSECOND);
		if (!sample) {
			GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
			if (msg) {
				gst_message_parse_error(msg, &err, NULL);
				fprintf(stderr, "vp8_capture: %s\n", err->message);
				g_clear_error(&err);
				gst_message_unref(msg);
				break;
			}
			if (gst_app_sink_is_eos(GST_APP_SINK(sink))) {
				status = fflush(out) == 0 ? 0 : 1;
				break;
			}
			if (g_get_monotonic_time() > deadline) {
				fprintf(stderr, "vp8_capture: no end of stream after 120 s\n");
				break;
			}
			continue;
		}
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMapInfo map;

		if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
			int bad = map.size > RTP_FILE_MAX_PACKET ||
				  rtp_file_write_packet(out, map.data, (uint32_t)map.size);
			packets++;
			bytes += map.size;
			frames += map.size > 1 && (map.data[1] & 0x80); /* RTP marker */
			gst_buffer_unmap(buf, &map);
			if (bad) {
				fprintf(stderr, "vp8_capture: cannot write packet %u\n", packets);
				gst_sample_unref(sample);
				break;
			}
		}
		gst_sample_unref(sample);
	}
	gst_object_unref(bus);

done:
	gst_element_set_state(pipeline, GST_STATE_NULL);
	if (out && fclose(out) != 0)
		status = 1;
	gst_object_unref(enc);
	gst_object_unref(sink);
	gst_object_unref(pipeline);
	if (status != 0 && out)
		unlink(o.output); /* no half capture left behind */
	if (status == 0)
		fprintf(stderr, "vp8_capture: %u frames, %u packets, %lu bytes of RTP to %s\n",
			frames, packets, bytes, o.output);
	return status;
}
