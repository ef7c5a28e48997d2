/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-client's GStreamer ends: a publisher (test pattern as VP8 with
 * three temporal layers, VP9 or H.264, a tone as Opus, RTP out of
 * appsinks) and one receiver per remote stream (RTP into an appsrc,
 * depayloaded and decoded, frames and decode errors counted).  The codecs'
 * elements are client_codec.c's table.
 */
#ifndef STRATA_CLIENT_GST_H
#define STRATA_CLIENT_GST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client_codec;
struct gst_publisher;
struct gst_receiver;

struct gst_publisher_opts {
	const struct client_codec *video, *audio;
	unsigned seconds, width, height, bitrate, keyframe_dist;
	uint32_t video_ssrc, audio_ssrc;
};

struct gst_publisher *gst_publisher_new(const struct gst_publisher_opts *o, char *err,
					size_t errlen);
/* Hands every RTP packet ready to send(user, rtp, len, video).  Returns 1
 * once both branches reached their end, -1 on a pipeline error. */
int gst_publisher_pull(struct gst_publisher *p,
		       void (*send)(void *user, const uint8_t *rtp, size_t len, bool video),
		       void *user);
/* Frames the encoders made (video: RTP marker bits; audio: packets). */
void gst_publisher_frames(const struct gst_publisher *p, unsigned long *video,
			  unsigned long *audio);
void gst_publisher_free(struct gst_publisher *p);

/* A receiver for codec with payload type pt. */
struct gst_receiver *gst_receiver_new(const struct client_codec *codec, unsigned pt,
				      char *err, size_t errlen);
void gst_receiver_push(struct gst_receiver *r, const uint8_t *rtp, size_t len);
/* Counts the bus' errors and warnings so far. */
void gst_receiver_poll(struct gst_receiver *r);
/* End of stream, waits (at most 5 s) for the decoder to drain. */
void gst_receiver_finish(struct gst_receiver *r);
void gst_receiver_counts(const struct gst_receiver *r, unsigned long *decoded,
			 unsigned long *errors);
void gst_receiver_free(struct gst_receiver *r);

#endif /* STRATA_CLIENT_GST_H */
