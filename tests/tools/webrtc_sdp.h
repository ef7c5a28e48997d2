/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The browser's SDP offer, read as far as the capture needs, and the
 * answer the tool returns (RFC 8829 JSEP; RFC 8839 ICE; RFC 8842 DTLS;
 * RFC 8853 simulcast).  Only one m=video section is expected: the capture
 * page adds a single video transceiver.
 */
#ifndef STRATA_TESTS_WEBRTC_SDP_H
#define STRATA_TESTS_WEBRTC_SDP_H

#include <stddef.h>
#include <stdint.h>

#define WRTC_SDP_MAX_CODECS 64
#define WRTC_SDP_MAX_EXTS 32
#define WRTC_SDP_MAX_RIDS 4

struct wrtc_sdp_codec {
	int pt;
	char name[16];        /* "VP9", "AV1", "rtx", ... as in a=rtpmap */
	unsigned clock_rate;
	char fmtp[256];       /* the a=fmtp parameters, or "" */
};

struct wrtc_sdp_ext {
	int id;
	char uri[160];
};

struct wrtc_offer {
	char ice_ufrag[64], ice_pwd[160];
	char fingerprint[160];    /* "sha-256 AB:CD:..." as in a=fingerprint */
	char mid[32];
	int extmap_allow_mixed;
	int video_sections;
	struct wrtc_sdp_codec codecs[WRTC_SDP_MAX_CODECS];
	int n_codecs;
	struct wrtc_sdp_ext exts[WRTC_SDP_MAX_EXTS];
	int n_exts;
	char rids[WRTC_SDP_MAX_RIDS][16]; /* a=rid:X send, in offer order */
	int n_rids;
};

/* Reads an offer.  Returns 0, or -1 with the reason in err. */
int wrtc_offer_parse(const char *sdp, struct wrtc_offer *o, char *err, size_t err_len);

/* The offered payload type for `codec` ("VP8", "VP9", "AV1", "H264"):
 * VP9 profile 0, H.264 packetization-mode 1 preferring constrained
 * baseline 42e01f.  Returns an index into o->codecs, or -1. */
int wrtc_offer_pick_codec(const struct wrtc_offer *o, const char *codec);

/* The short name (as in the sidecar) of an offered extension the capture
 * keeps (see webrtc_sdp.c), or NULL when it is not one of them or its
 * short name is in the comma-separated list `without`. */
const char *wrtc_ext_kept(const char *uri, const char *without);

struct wrtc_answer_params {
	const char *ice_ufrag, *ice_pwd;
	const char *fingerprint;  /* "AB:CD:..." of our certificate, SHA-256 */
	const char *addr;
	uint16_t port;
	int codec;                /* index into the offer's codecs */
	unsigned start_kbps, min_kbps, max_kbps; /* x-google-*-bitrate, 0: none */
	const char *without;      /* extensions left out, as for wrtc_ext_kept */
};

/* Writes the answer.  Returns its length, or -1 when cap is too small. */
int wrtc_answer_write(char *buf, size_t cap, const struct wrtc_offer *o,
		      const struct wrtc_answer_params *p);

#endif /* STRATA_TESTS_WEBRTC_SDP_H */
