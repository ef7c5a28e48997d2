/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The codecs strata-client publishes and decodes, one table row each: how
 * signaling names it, its RTP payload type and clock rate, and the
 * GStreamer elements that encode, payload, depayload and decode it
 * (client_gst.c builds the pipelines from these rows).
 */
#ifndef STRATA_CLIENT_CODEC_H
#define STRATA_CLIENT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <gst/gst.h>

struct client_codec {
	const char *name;          /* as signaling.h spells it: "VP8", "opus", ... */
	const char *kind;          /* "video" | "audio" */
	const char *rtp_name;      /* encoding-name of the RTP caps */
	uint8_t pt;                /* the payload type we publish it with */
	uint32_t clock_rate;
	unsigned temporal_layers;  /* what our encoder makes; 0: none said */
	/* gst-launch text of the encoder (named enc by client_gst.c), the
	 * names of its bitrate and keyframe distance properties (NULL: not
	 * set) and the bits per second one unit of bitrate_prop counts. */
	const char *encoder, *bitrate_prop, *keyframe_prop;
	unsigned bitrate_unit;
	const char *encoder_caps;  /* between encoder and payloader; NULL: none */
	const char *payloader;     /* pt and ssrc are added */
	const char *decoder;       /* depayloader ! decoder, after the appsrc */
	/* Settings gst-launch text cannot make (NULL: none); 0 or -1. */
	int (*configure)(GstElement *enc, unsigned bitrate);
	/* The temporal layer of a received packet, -1 when unknown (NULL:
	 * the codec's packets do not say). */
	int (*tid)(const uint8_t *rtp, size_t len);
};

/* By name, case-insensitive (RFC 4855 section 3: "vp9" is VP9); NULL when
 * strata-client has no such codec. */
const struct client_codec *client_codec_by_name(const char *name);
/* Every codec's name, comma-separated (the join's capabilities). */
const char *client_codec_names(void);

#endif /* STRATA_CLIENT_CODEC_H */
