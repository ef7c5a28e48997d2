/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * h264_capture: encodes a test pattern as H.264, packetizes it as RTP
 * (RFC 6184 non-interleaved mode, as browsers send it) and writes every
 * packet to a file (rtp_file.h).
 *
 *   h264_capture OUTPUT [--encoder x264|openh264] [--temporal-layers N]
 *                [--spatial-layers N] [--frames N] [--width W] [--height H]
 *                [--ssrc N] [--bitrate BPS] [--keyframe-dist N]
 *                [--pattern NAME] [--slices N]
 *
 * Defaults: x264, 150 frames of 320x240 at 30 fps, SSRC 0x5354524c,
 * 500000 bit/s, an IDR every 60 frames, one slice per picture.
 *
 * --encoder x264, in gst-launch terms:
 *
 *   videotestsrc is-live=false num-buffers=N pattern=NAME
 *     ! video/x-raw,format=I420,width=W,height=H,framerate=30/1
 *     ! x264enc tune=zerolatency speed-preset=veryfast threads=1 aud=false
 *               bitrate=BPS/1000 key-int-max=K option-string=slices=S
 *     ! video/x-h264,profile=constrained-baseline
 *     ! rtph264pay (below) ! appsink
 *
 *   x264 has no scalability at all: the stream is plain AVC.  No access
 *   unit delimiters, as browsers send none.
 *
 * --encoder openh264: GStreamer's openh264enc cannot make layers (it
 * hard-codes iTemporalLayerNum = iSpatialLayerNum = 1 and turns prefix NAL
 * units off), so this tool drives libopenh264 through its own C API
 * (SEncParamExt) and hands each access unit to GStreamer's payloader:
 *
 *   videotestsrc ... ! video/x-raw,format=I420,... ! appsink
 *     -> WelsCreateSVCEncoder, InitializeExt, EncodeFrame ->
 *   appsrc caps=video/x-h264,stream-format=byte-stream,alignment=au
 *     ! rtph264pay (below) ! appsink
 *
 *   (both appsinks async=false: the pipeline reaches PLAYING before the
 *   payloader has anything, since the tool itself feeds it), with
 *   iTemporalLayerNum = N (openh264's dyadic hierarchy: TIDs 0,2,1,2 for
 *   N = 3, every picture above TID 0 referencing only pictures of lower
 *   TID),
 *   iSpatialLayerNum = N (each layer half the size of the next, the top
 *   one WxH), bSimulcastAVC = false (spatial layers above the base in
 *   RFC 6190 coded slice extension NAL units, type 20, with a subset SPS,
 *   type 15) and bPrefixNalAddingCtrl = true (each base-layer slice
 *   preceded by a prefix NAL unit, type 14, carrying its layer ids), rate
 *   control RC_BITRATE_MODE at BPS with frame skipping off, one thread.
 *
 * The payloader in both cases:
 *
 *   rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency
 *              ssrc=N seqnum-offset=65400 timestamp-offset=1000000
 *
 * config-interval=-1 sends the SPS and PPS with every IDR slice (it puts
 * them after a prefix NAL unit, between it and its IDR slice); zero-latency
 * aggregation puts NAL units into a STAP-A up to and including a slice
 * when they fit (a prefix NAL unit, a base-layer slice and the type 20
 * slice of the same picture, when small, end up in one STAP-A), and NAL
 * units larger than the MTU go in FU-As.  The sequence number starts near
 * the 16-bit wrap, so a few hundred packets cross it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#ifdef HAVE_OPENH264
#include <wels/codec_api.h>
#endif

#include "rtp_file.h"

#define SEQNUM_OFFSET 65400
#define TIMESTAMP_OFFSET 1000000u
#define FPS 30

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
	const char *encoder;
	unsigned frames, width, height, bitrate, keyframe_dist, slices;
	unsigned temporal_layers, spatial_layers;
	unsigned long ssrc;
};

struct capture {
	GstElement *pipeline, *sink, *raw, *es;
	FILE *out;
	unsigned packets, frames;
	unsigned long bytes;
};

static void usage(void)
{
	fprintf(stderr, "usage: h264_capture OUTPUT [--encoder x264|openh264] "
			"[--temporal-layers N] [--spatial-layers N] [--frames N] [--width W] "
			"[--height H] [--ssrc N] [--bitrate BPS] [--keyframe-dist N] "
			"[--pattern NAME] [--slices N]\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max) {
		fprintf(stderr, "h264_capture: bad number '%s'\n", s);
		usage();
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .frames = 150, .width = 320, .height = 240,
			       .bitrate = 500000, .keyframe_dist = 60, .ssrc = 0x5354524cul,
			       .pattern = "smpte horizontal-speed=3", .encoder = "x264",
			       .slices = 1, .temporal_layers = 1, .spatial_layers = 1 };
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
		else if (!strcmp(a, "--slices"))
			o->slices = (unsigned)number(v, 32);
		else if (!strcmp(a, "--encoder"))
			o->encoder = v;
		else if (!strcmp(a, "--temporal-layers"))
			o->temporal_layers = (unsigned)number(v, 4);
		else if (!strcmp(a, "--spatial-layers"))
			o->spatial_layers = (unsigned)number(v, 4);
		else
			usage();
	}
	if (!o->output || !o->frames || !o->width || !o->height || !o->slices ||
	    !o->temporal_layers || !o->spatial_layers)
		usage();
	if (strcmp(o->encoder, "x264") && strcmp(o->encoder, "openh264"))
		usage();
	if (!strcmp(o->encoder, "x264") && (o->temporal_layers > 1 || o->spatial_layers > 1)) {
		fprintf(stderr, "h264_capture: x264 has no temporal or spatial layers; "
				"use --encoder openh264\n");
		exit(2);
	}
}

/* Writes every RTP packet the payloader has ready; with `wait`, until the
 * end of the stream.  Returns 0, or -1 on an error (described). */
static int drain(struct capture *c, gboolean wait)
{
	GstBus *bus = gst_element_get_bus(c->pipeline);
	gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
	int ret = 0;

	for (;;) {
		GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(c->sink),
								 wait ? 100 * GST_MSECOND : 0);
		if (!sample) {
			GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
			if (msg) {
				GError *err = NULL;
				gst_message_parse_error(msg, &err, NULL);
				fprintf(stderr, "h264_capture: %s\n", err->message);
				g_clear_error(&err);
				gst_message_unref(msg);
				ret = -1;
				break;
			}
			if (!wait || gst_app_sink_is_eos(GST_APP_SINK(c->sink)))
				break;
			if (g_get_monotonic_time() > deadline) {
				fprintf(stderr, "h264_capture: no end of stream after 120 s\n");
				ret = -1;
				break;
			}
			continue;
		}
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMapInfo map;

		if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
			int bad = map.size > RTP_FILE_MAX_PACKET ||
				  rtp_file_write_packet(c->out, map.data, (uint32_t)map.size);
			c->packets++;
			c->bytes += map.size;
			c->frames += map.size > 1 && (map.data[1] & 0x80); /* RTP marker */
			gst_buffer_unmap(buf, &map);
			if (bad) {
				fprintf(stderr, "h264_capture: cannot write packet %u\n", c->packets);
				gst_sample_unref(sample);
				ret = -1;
				break;
			}
		}
		gst_sample_unref(sample);
	}
	gst_object_unref(bus);
	return ret;
}

#ifdef HAVE_OPENH264
static ISVCEncoder *openh264_open(const struct options *o)
{
	ISVCEncoder *enc = NULL;
	SEncParamExt p;
	int trace = WELS_LOG_ERROR;

	if (WelsCreateSVCEncoder(&enc) != 0 || !enc) {
		fprintf(stderr, "h264_capture: WelsCreateSVCEncoder failed\n");
		return NULL;
	}
	(*enc)->SetOption(enc, ENCODER_OPTION_TRACE_LEVEL, &trace);
	(*enc)->GetDefaultParams(enc, &p);
	p.iUsageType = CAMERA_VIDEO_REAL_TIME;
	p.iPicWidth = (int)o->width;
	p.iPicHeight = (int)o->height;
	p.iTargetBitrate = (int)o->bitrate;
	p.iMaxBitrate = UNSPECIFIED_BIT_RATE;
	p.iRCMode = RC_BITRATE_MODE;
	p.fMaxFrameRate = FPS;
	p.iTemporalLayerNum = (int)o->temporal_layers;
	p.iSpatialLayerNum = (int)o->spatial_layers;
	p.bSimulcastAVC = false;
	p.bPrefixNalAddingCtrl = true;
	p.uiIntraPeriod = o->keyframe_dist;
	p.bEnableFrameSkip = false;
	p.iMultipleThreadIdc = 1;
	p.eSpsPpsIdStrategy = CONSTANT_ID;
	unsigned total = 0;
	for (unsigned i = 0; i < o->spatial_layers; i++)
		total += 1u << (2 * i);
	for (unsigned i = 0; i < o->spatial_layers; i++) {
		SSpatialLayerConfig *s = &p.sSpatialLayers[i];
		unsigned shift = o->spatial_layers - 1 - i;

		s->iVideoWidth = (int)(o->width >> shift);
		s->iVideoHeight = (int)(o->height >> shift);
		s->fFrameRate = FPS;
		/* Bits in proportion to the pixels. */
		s->iSpatialBitrate = (int)((unsigned long)o->bitrate * (1u << (2 * i)) / total);
		s->iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
		s->uiProfileIdc = PRO_BASELINE;
		if (o->slices > 1) {
			s->sSliceArgument.uiSliceMode = SM_FIXEDSLCNUM_SLICE;
			s->sSliceArgument.uiSliceNum = o->slices;
		} else {
			s->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
		}
	}
	if ((*enc)->InitializeExt(enc, &p) != cmResultSuccess) {
		fprintf(stderr, "h264_capture: openh264 refuses the parameters\n");
		WelsDestroySVCEncoder(enc);
		return NULL;
	}
	int format = videoFormatI420;
	(*enc)->SetOption(enc, ENCODER_OPTION_DATAFORMAT, &format);
	return enc;
}

/* One raw picture through openh264 into the payloader. */
static int openh264_encode(ISVCEncoder *enc, const struct options *o, struct capture *c,
			   GstSample *sample, unsigned index)
{
	GstBuffer *in = gst_sample_get_buffer(sample);
	GstMapInfo map;
	SSourcePicture pic;
	SFrameBSInfo info;
	size_t w = o->width, h = o->height;

	if (!in || !gst_buffer_map(in, &map, GST_MAP_READ) || map.size < w * h * 3 / 2) {
		fprintf(stderr, "h264_capture: raw picture %u is not I420 %zux%zu\n", index, w, h);
		return -1;
	}
	memset(&pic, 0, sizeof(pic));
	pic.iColorFormat = videoFormatI420;
	pic.iPicWidth = (int)w;
	pic.iPicHeight = (int)h;
	/* videotestsrc's I420 rows are padded to 4 bytes. */
	size_t ys = (w + 3) & ~(size_t)3, cs = ((w + 1) / 2 + 3) & ~(size_t)3;
	pic.iStride[0] = (int)ys;
	pic.iStride[1] = pic.iStride[2] = (int)cs;
	pic.pData[0] = map.data;
	pic.pData[1] = map.data + ys * h;
	pic.pData[2] = pic.pData[1] + cs * ((h + 1) / 2);
	pic.uiTimeStamp = (long long)index * 1000 / FPS;
	memset(&info, 0, sizeof(info));
	int r = (*enc)->EncodeFrame(enc, &pic, &info);
	gst_buffer_unmap(in, &map);
	if (r != cmResultSuccess) {
		fprintf(stderr, "h264_capture: openh264 cannot encode picture %u (%d)\n", index, r);
		return -1;
	}
	if (info.eFrameType == videoFrameTypeSkip)
		return 0;

	size_t size = 0;
	for (int l = 0; l < info.iLayerNum; l++)
		for (int n = 0; n < info.sLayerInfo[l].iNalCount; n++)
			size += (size_t)info.sLayerInfo[l].pNalLengthInByte[n];
	GstBuffer *au = gst_buffer_new_allocate(NULL, size, NULL);
	size_t at = 0;
	for (int l = 0; l < info.iLayerNum; l++) {
		size_t n = 0;
		for (int k = 0; k < info.sLayerInfo[l].iNalCount; k++)
			n += (size_t)info.sLayerInfo[l].pNalLengthInByte[k];
		gst_buffer_fill(au, at, info.sLayerInfo[l].pBsBuf, n);
		at += n;
	}
	GST_BUFFER_PTS(au) = gst_util_uint64_scale(index, GST_SECOND, FPS);
	GST_BUFFER_DURATION(au) = gst_util_uint64_scale(1, GST_SECOND, FPS);
	if (info.eFrameType != videoFrameTypeIDR)
		GST_BUFFER_FLAG_SET(au, GST_BUFFER_FLAG_DELTA_UNIT);
	if (gst_app_src_push_buffer(GST_APP_SRC(c->es), au) != GST_FLOW_OK) {
		fprintf(stderr, "h264_capture: the payloader stopped at picture %u\n", index);
		return -1;
	}
	return drain(c, FALSE);
}

static int run_openh264(const struct options *o, struct capture *c)
{
	ISVCEncoder *enc = openh264_open(o);
	unsigned index = 0;
	int ret = 0;

	if (!enc)
		return -1;
	for (;;) {
		GstSample *sample = gst_app_sink_pull_sample(GST_APP_SINK(c->raw));
		if (!sample)
			break; /* end of the raw stream */
		ret = openh264_encode(enc, o, c, sample, index++);
		gst_sample_unref(sample);
		if (ret != 0)
			break;
	}
	(*enc)->Uninitialize(enc);
	WelsDestroySVCEncoder(enc);
	if (ret == 0 && index != o->frames) {
		fprintf(stderr, "h264_capture: %u of %u raw pictures arrived\n", index, o->frames);
		ret = -1;
	}
	gst_app_src_end_of_stream(GST_APP_SRC(c->es));
	return ret == 0 ? drain(c, TRUE) : ret;
}
#else
static int run_openh264(const struct options *o, struct capture *c)
{
	(void)o;
	(void)c;
	fprintf(stderr, "h264_capture: built without libopenh264 (libopenh264-dev)\n");
	return -1;
}
#endif

static gchar *pipeline_description(const struct options *o)
{
	gchar *pay = g_strdup_printf(
		"rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency "
		"  ssrc=%lu seqnum-offset=%d timestamp-offset=%u "
		"! appsink name=sink sync=false async=false",
		o->ssrc, SEQNUM_OFFSET, TIMESTAMP_OFFSET);
	gchar *src = g_strdup_printf(
		"videotestsrc is-live=false num-buffers=%u pattern=%s "
		"! video/x-raw,format=I420,width=%u,height=%u,framerate=%d/1 ",
		o->frames, o->pattern, o->width, o->height, FPS);
	gchar *desc;

	if (!strcmp(o->encoder, "x264"))
		desc = g_strdup_printf(
			"%s ! x264enc tune=zerolatency speed-preset=veryfast threads=1 aud=false "
			"  bitrate=%u key-int-max=%u option-string=slices=%u "
			"! video/x-h264,profile=constrained-baseline ! %s",
			src, o->bitrate / 1000, o->keyframe_dist, o->slices, pay);
	else
		desc = g_strdup_printf(
			"%s ! appsink name=raw sync=false async=false "
			"appsrc name=es format=time "
			"  caps=\"video/x-h264,stream-format=byte-stream,alignment=au,"
			"width=%u,height=%u,framerate=%d/1\" ! %s",
			src, o->width, o->height, FPS, pay);
	g_free(pay);
	g_free(src);
	return desc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct capture c = { 0 };
	GError *err = NULL;
	int status = 1;

	parse_options(argc, argv, &o);
	gst_init(NULL, NULL);

	gchar *desc = pipeline_description(&o);
	c.pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!c.pipeline || err) {
		if (c.pipeline)
			gst_object_unref(c.pipeline);
		fprintf(stderr, "h264_capture: %s (are gstreamer1.0-plugins-base, -good and "
				"-ugly installed? run scripts/setup)\n",
			err ? err->message : "no pipeline");
		g_clear_error(&err);
		return 1;
	}
	c.sink = gst_bin_get_by_name(GST_BIN(c.pipeline), "sink");
	c.raw = gst_bin_get_by_name(GST_BIN(c.pipeline), "raw");
	c.es = gst_bin_get_by_name(GST_BIN(c.pipeline), "es");

	c.out = fopen(o.output, "wb");
	if (!c.out) {
		fprintf(stderr, "h264_capture: cannot write %s: %s\n", o.output, strerror(errno));
		goto done;
	}
	if (gst_element_set_state(c.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "h264_capture: the pipeline does not start\n");
		goto done;
	}
	int r = c.es ? run_openh264(&o, &c) : drain(&c, TRUE);
	if (r == 0)
		status = fflush(c.out) == 0 ? 0 : 1;

done:
	gst_element_set_state(c.pipeline, GST_STATE_NULL);
	if (c.out && fclose(c.out) != 0)
		status = 1;
	gst_object_unref(c.sink);
	if (c.raw)
		gst_object_unref(c.raw);
	if (c.es)
		gst_object_unref(c.es);
	gst_object_unref(c.pipeline);
	if (status != 0 && c.out)
		unlink(o.output); /* no half capture left behind */
	if (status == 0)
		fprintf(stderr, "h264_capture: %u access units, %u packets, %lu bytes of RTP to %s\n",
			c.frames, c.packets, c.bytes, o.output);
	return status;
}
