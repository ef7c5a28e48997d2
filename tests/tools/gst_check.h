/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the decode checks (vp8_decode_check, vp9_decode_check,
 * h264_decode_check) share: a GStreamer pipeline that ends in
 * "fakesink name=sink", fed by "appsrc name=src" with an RTP capture
 * (rtp_file.h) pushed in file order, or by a source of its own; the
 * pictures reaching the sink counted and, when asked, hashed; the bus read
 * until the end of the stream.  Each tool keeps its pipeline, its command
 * line and its JSON line.
 *
 * The promises the tools make alike:
 *   frames_decoded  the pictures the decoder outputs
 *   decode_errors   the ERROR and WARNING messages on the bus (decoders
 *                   report a frame they cannot decode as a warning,
 *                   depayloaders their own problems the same way), each
 *                   also described on stderr
 *   exit status     0 when decoding ran to its end, 1 when the pipeline
 *                   stopped on an error (or did not start, or did not end
 *                   within 60 s), 2 on bad usage or an unreadable file, 77
 *                   when an element is missing (the test suite's "skipped")
 *
 * Why hashes: VP8, VP9 and H.264 decoding is exact, so a stream from which
 * a forwarder removed whole layers, correctly, decodes each remaining
 * picture to the very pixels the full stream (or a reference of the same
 * layers) gives.  A decoder does not notice a frame that references a
 * picture it never got, nor a packet missing from a frame's middle: the
 * pixels do.
 */
#ifndef STRATA_TESTS_GST_CHECK_H
#define STRATA_TESTS_GST_CHECK_H

#include <stdatomic.h>
#include <stdbool.h>

#include <gst/gst.h>

#include "rtp_file.h"

struct gst_check {
	const char *tool;        /* first on every line it writes to stderr */
	struct rtp_file file;    /* what gst_check_run pushes into "src" */
	GstElement *pipeline;
	/* Written by the streaming thread, read once the pipeline has
	 * stopped. */
	atomic_uint frames_decoded;
	atomic_int width, height;  /* the last picture's, 0 before one */
	GPtrArray *hashes;       /* NULL: none asked for */
	bool sized_hashes;       /* each hash "WxH:MD5" rather than "MD5" */
	/* Counted by gst_check_run. */
	unsigned decode_errors;
};

/* 0 when every element of needed (NULL-terminated) is installed; else
 * names the first missing one on stderr, with the packages that have it
 * (e.g. "gstreamer1.0-plugins-good"), and returns 77. */
int gst_check_probe(const char *tool, const char *const *needed, const char *packages);

/* Asks for hashes: one a decoded picture, in output order, the MD5 of its
 * visible pixels (plane by plane, row by row, strides and padding left
 * out), "no-caps" or "unmappable" for a picture that cannot be read. */
void gst_check_want_hashes(struct gst_check *c);

/* Makes c->pipeline from desc (gst-launch syntax; its sink named "sink")
 * and counts (and hashes) the pictures that reach the sink.  0, or 1 with
 * the reason on stderr. */
int gst_check_launch(struct gst_check *c, const char *desc);

/* Calls cb(pad, info, c) for every buffer through element's pad_name. */
void gst_check_add_probe(struct gst_check *c, const char *element, const char *pad_name,
			 GstPadProbeCallback cb);

/* Plays the pipeline, pushes c->file's packets into "src" when the
 * pipeline has one, and reads the bus to the end of the stream, counting
 * decode_errors; leaves the pipeline stopped.  The exit status above: 0
 * or 1. */
int gst_check_run(struct gst_check *c);

/* ,"hashes":[...] when hashes were asked for, else nothing. */
void gst_check_print_hashes(const struct gst_check *c);

/* The line vp8_decode_check and vp9_decode_check print:
 * {"packets":N,"frames_decoded":N,"decode_errors":N[,"hashes":[...]]} */
void gst_check_print_result(const struct gst_check *c);

/* The command line vp8_decode_check and vp9_decode_check share:
 * "--probe", or "[--hashes] FILE".  Returns FILE (hashes asked for when
 * given), or NULL with *status the exit status: the probe's, or 2 after
 * the usage line on stderr. */
const char *gst_check_simple_args(struct gst_check *c, int argc, char **argv,
				  const char *const *needed, const char *packages,
				  const char *usage, int *status);

void gst_check_free(struct gst_check *c);

#endif /* STRATA_TESTS_GST_CHECK_H */
