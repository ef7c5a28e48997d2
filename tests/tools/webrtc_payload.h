/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RTP payload formats of the browser captures, read for the capture
 * tools (webrtc_summary, webrtc_depay): the VP8 (RFC 7741) and VP9
 * (RFC 9628) payload descriptors, the AV1 aggregation header and OBU
 * headers (AV1 RTP payload specification section 4; AV1 specification
 * section 5.3), the H.264 NAL unit header (RFC 6184).  Independent of
 * Strata's own parsers on purpose.
 */
#ifndef STRATA_TESTS_WEBRTC_PAYLOAD_H
#define STRATA_TESTS_WEBRTC_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

enum wrtc_codec { WRTC_CODEC_VP8, WRTC_CODEC_VP9, WRTC_CODEC_AV1, WRTC_CODEC_H264 };

/* "VP8", "VP9", "AV1", "H264" (as in the sidecar); -1 when unknown. */
int wrtc_codec_from_name(const char *name);

struct wrtc_vp8_desc {
	size_t len;                   /* descriptor bytes before the VP8 payload */
	int start, partition;         /* S, PID */
	int has_picture_id, has_tl0, has_tid;
	unsigned picture_id, tl0picidx, tid, y;
	int keyframe;                 /* start of partition 0 with the P bit clear */
};

struct wrtc_vp9_desc {
	size_t len;
	int i, p, l, f, b, e, v, z;
	unsigned picture_id, tid, u, sid, d, tl0picidx;
	unsigned p_diff_cnt, p_diff[3];
	/* The scalability structure (V). */
	unsigned ss_layers;           /* N_S + 1 */
	int ss_has_resolution;
	uint16_t ss_width[8], ss_height[8];
	unsigned ss_groups;           /* N_G */
	int keyframe;                 /* B, P clear, SID 0, VP9 frame_type KEY */
};

/* Return 0, or -1 when the descriptor runs past the payload. */
int wrtc_vp8_desc_parse(const uint8_t *p, size_t len, struct wrtc_vp8_desc *d);
int wrtc_vp9_desc_parse(const uint8_t *p, size_t len, struct wrtc_vp9_desc *d);

/* The AV1 aggregation header (section 4.4):
 *
 *   +-+-+-+-+-+-+-+-+
 *   |Z|Y| W |N|-|-|-|
 *   +-+-+-+-+-+-+-+-+
 */
struct wrtc_av1_agg {
	int z, y, n;
	unsigned w;
};

/* Walks the OBU elements of one AV1 RTP payload: calls `fn` for each with
 * its bytes (a whole OBU, or a fragment when it is the first element and Z
 * is set, or the last and Y is set).  Returns 0, or -1 when an element's
 * length runs past the payload. */
typedef void (*wrtc_av1_element_fn)(void *ctx, const uint8_t *p, size_t len, int first,
				    int last);
int wrtc_av1_elements(const uint8_t *p, size_t len, struct wrtc_av1_agg *agg,
		      wrtc_av1_element_fn fn, void *ctx);

/* Whether an RTP payload is the first packet of a keyframe: VP8 S=1/PID=0
 * with the P bit clear, VP9 B=1/P=0/SID=0 with a KEY_FRAME header, AV1
 * with N set, H.264 an SPS or an IDR slice (single, in a STAP-A, or the
 * first FU-A fragment). */
int wrtc_starts_keyframe(int codec, const uint8_t *p, size_t len);

/* An OBU header (AV1 section 5.3.1/5.3.3). */
struct wrtc_obu_header {
	unsigned type, has_extension, has_size, tid, sid;
	size_t header_len;            /* 1 or 2 */
};

#define WRTC_OBU_SEQUENCE_HEADER 1
#define WRTC_OBU_TEMPORAL_DELIMITER 2
#define WRTC_OBU_FRAME_HEADER 3
#define WRTC_OBU_TILE_GROUP 4
#define WRTC_OBU_METADATA 5
#define WRTC_OBU_FRAME 6
#define WRTC_OBU_TILE_LIST 8
#define WRTC_OBU_PADDING 15

int wrtc_obu_header_parse(const uint8_t *p, size_t len, struct wrtc_obu_header *h);

/* leb128() (AV1 section 4.10.5): returns the bytes read, 0 when invalid. */
size_t wrtc_leb128_read(const uint8_t *p, size_t len, uint64_t *value);
/* Writes `value` in as few bytes as it takes; returns how many. */
size_t wrtc_leb128_write(uint8_t *p, uint64_t value);

#endif /* STRATA_TESTS_WEBRTC_PAYLOAD_H */
