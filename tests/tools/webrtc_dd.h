/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dependency descriptor RTP header extension (AV1 RTP payload
 * specification, appendix A), read in full for the capture tools: the
 * template dependency structure a keyframe carries, and each frame's
 * layer, decode target indications, frame diffs and chains.  An
 * independent reader, written from the specification's syntax tables, for
 * checking captures; Strata's forwarder has its own.
 */
#ifndef STRATA_TESTS_WEBRTC_DD_H
#define STRATA_TESTS_WEBRTC_DD_H

#include <stddef.h>
#include <stdint.h>

#define WRTC_DD_MAX_TEMPLATES 64
#define WRTC_DD_MAX_DTS 32
#define WRTC_DD_MAX_FDIFFS 16
#define WRTC_DD_MAX_SPATIAL 4

/* DTI values (A.8.3). */
enum { WRTC_DTI_NOT_PRESENT = 0, WRTC_DTI_DISCARDABLE, WRTC_DTI_SWITCH, WRTC_DTI_REQUIRED };

struct wrtc_dd_structure {
	int valid;
	unsigned template_id_offset, dt_cnt, template_cnt, chain_cnt;
	unsigned max_spatial_id, max_temporal_id;
	uint8_t template_sid[WRTC_DD_MAX_TEMPLATES], template_tid[WRTC_DD_MAX_TEMPLATES];
	uint8_t template_dti[WRTC_DD_MAX_TEMPLATES][WRTC_DD_MAX_DTS];
	uint8_t template_fdiff_cnt[WRTC_DD_MAX_TEMPLATES];
	uint8_t template_fdiff[WRTC_DD_MAX_TEMPLATES][WRTC_DD_MAX_FDIFFS];
	uint8_t template_chain_fdiff[WRTC_DD_MAX_TEMPLATES][WRTC_DD_MAX_DTS];
	uint8_t dt_protected_by[WRTC_DD_MAX_DTS];
	uint8_t dt_sid[WRTC_DD_MAX_DTS], dt_tid[WRTC_DD_MAX_DTS];
	int resolutions_present;
	uint16_t width[WRTC_DD_MAX_SPATIAL], height[WRTC_DD_MAX_SPATIAL];
};

struct wrtc_dd_frame {
	int start_of_frame, end_of_frame;
	unsigned template_id, frame_number;
	int has_structure;            /* this packet carried the structure */
	int has_active_decode_targets;
	uint32_t active_decode_targets;
	int extended;                 /* more than the 3 mandatory bytes */
	unsigned sid, tid;
	uint8_t dti[WRTC_DD_MAX_DTS];
	unsigned fdiff_cnt;
	unsigned fdiff[WRTC_DD_MAX_FDIFFS];
	uint8_t chain_fdiff[WRTC_DD_MAX_DTS];
};

enum wrtc_dd_result {
	WRTC_DD_OK = 0,
	WRTC_DD_SHORT,            /* fewer than 3 bytes, or fields past the end */
	WRTC_DD_NO_STRUCTURE,     /* no structure known yet to resolve the template */
	WRTC_DD_BAD_TEMPLATE,     /* template id outside the structure */
	WRTC_DD_TOO_BIG,          /* more templates/targets than this reader keeps */
};

/* Reads one descriptor.  A structure in it replaces *st (only when the
 * whole descriptor reads).  With WRTC_DD_NO_STRUCTURE the mandatory fields
 * of *f are still filled in. */
enum wrtc_dd_result wrtc_dd_parse(const uint8_t *p, size_t len, struct wrtc_dd_structure *st,
				  struct wrtc_dd_frame *f);

const char *wrtc_dd_result_name(enum wrtc_dd_result r);

#endif /* STRATA_TESTS_WEBRTC_DD_H */
