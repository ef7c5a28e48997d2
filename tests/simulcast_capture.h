/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A Chromium VP8 simulcast capture (tests/data/vp8_simulcast: three SSRCs,
 * rid l, m, h, each L1T3, optionally with the dependency descriptor) read
 * into frames, with the checks that make it fit for test_dp_vp8_simulcast:
 * each encoding starts with a keyframe and has a later one, every temporal
 * layer, and per encoding and layer the frame counts webrtc_summary (an
 * independent reader) gives.
 */
#ifndef STRATA_TEST_SIMULCAST_CAPTURE_H
#define STRATA_TEST_SIMULCAST_CAPTURE_H

#include <stdint.h>

#include "tools/rtp_file.h"

#define ENCODINGS 3
#define LAYERS 3

struct capture_frame {
	uint8_t enc, tid, key;
	uint8_t sync;   /* the VP8 Y bit */
	uint64_t dti;   /* the dependency descriptor's DTIs (codec/av1_dd.h) */
	uint32_t first_packet;
	uint32_t index; /* within its encoding */
};

struct capture {
	struct rtp_file file;
	uint8_t dd_id;                  /* the descriptor's extension id, 0 = none */
	uint8_t picture_ids;            /* every VP8 descriptor has a PictureID */
	uint32_t ssrc[ENCODINGS];       /* by rid: l, m, h */
	uint8_t *enc;                   /* per packet */
	int32_t *frame_of;              /* per packet: index in frames */
	struct capture_frame *frames;
	uint32_t n_frames;
	uint32_t enc_frames[ENCODINGS];
	uint32_t by_tid[ENCODINGS][LAYERS];
	uint32_t keys[ENCODINGS];
	int32_t first_key[ENCODINGS];   /* frame index */
};

/* Reads the capture and its sidecar (SSRCs by rid, the descriptor's
 * extension id); 0, or -1 with the reason on stderr. */
int load_capture(const char *path, const char *sidecar, struct capture *c);
void free_capture(struct capture *c);
/* CHECKs what the capture must be for the test to mean anything. */
void check_capture(const struct capture *c, const char *summary_tool, const char *path);

#endif /* STRATA_TEST_SIMULCAST_CAPTURE_H */
