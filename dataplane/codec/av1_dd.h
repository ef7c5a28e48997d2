/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Dependency Descriptor RTP header extension (AV1 RTP specification,
 * appendix A): what a receiver's layer decision needs from each packet of a
 * stream sent with it (AV1; VP8, VP9 and H.264 as Chrome sends them), and
 * the rewrite that tells a receiver which decode targets it can decode.
 *
 * A descriptor is three octets for most packets: start/end of frame, a
 * template id and a 16-bit frame number.  The template names an entry of
 * the stream's "template dependency structure", which a keyframe's first
 * packet carries (a few dozen octets): the spatial and temporal ids, one
 * decode target indication (DTI) per decode target, the frame differences
 * (the frames this one references) and the chain differences.  So parsing
 * is stateful: struct dp_av1_dd_stream keeps the structure a stream last
 * sent, and a descriptor that needs one the stream has not sent (or names a
 * template it lacks) is refused with its reason.
 *
 * Threading.  dp_av1_dd_parse writes the stream state: one writer, the
 * publisher's worker.  The stream keeps two structures and writes a new one
 * into the slot that is not current, only when it differs from the current
 * one; so the structure a parsed frame points at (frame->structure) stays
 * unchanged until the stream has learnt two different structures after it
 * (two keyframes that change the structure), which is what lets workers
 * that serve other receivers read it from a frame shared with them.
 */
#ifndef STRATA_DP_AV1_DD_H
#define STRATA_DP_AV1_DD_H

#include <stddef.h>
#include <stdint.h>

/* Limits of this implementation.  The syntax itself bounds decode targets
 * (dt_cnt_minus_one is 5 bits) and chains (at most one per decode target);
 * templates are bounded by the 6-bit template id.  Layers follow AV1 (2-bit
 * spatial_id, 3-bit temporal_id); the frame differences are capped where
 * no codec needs more (AV1 references at most 7 frames). */
#define DP_AV1_DD_MAX_TEMPLATES 64
#define DP_AV1_DD_MAX_DTS 32
#define DP_AV1_DD_MAX_CHAINS 32
#define DP_AV1_DD_MAX_SPATIAL 4
#define DP_AV1_DD_MAX_TEMPORAL 8
#define DP_AV1_DD_MAX_FDIFFS 16

/* The mandatory fields alone; any longer descriptor has the extended ones. */
#define DP_AV1_DD_MIN_LEN 3

/* Why a descriptor was refused: enum name, counter name. */
#define DP_AV1_DD_FOREACH_ERROR(_)                                             \
	_(TRUNCATED, "dd_truncated")              /* a field runs past the end */ \
	_(NO_STRUCTURE, "dd_no_structure")        /* no structure learnt yet */ \
	_(UNKNOWN_TEMPLATE, "dd_unknown_template") /* id outside the structure */ \
	_(TOO_MANY_TEMPLATES, "dd_too_many_templates") /* over 64 */          \
	_(LAYER_TOO_HIGH, "dd_layer_too_high")    /* spatial > 3 or temporal > 7 */ \
	_(TOO_MANY_FDIFFS, "dd_too_many_fdiffs")  /* over DP_AV1_DD_MAX_FDIFFS */

enum dp_av1_dd_status {
	DP_AV1_DD_OK = 0,
#define DP_AV1_DD_ENUM(name, str) DP_AV1_DD_##name,
	DP_AV1_DD_FOREACH_ERROR(DP_AV1_DD_ENUM)
#undef DP_AV1_DD_ENUM
	DP_AV1_DD_N_STATUS
};

/* "ok" or the counter name of an error. */
const char *dp_av1_dd_status_name(enum dp_av1_dd_status s);

/* Table A.1: how a frame relates to a decode target. */
enum dp_av1_dd_dti {
	DP_AV1_DD_NOT_PRESENT = 0, /* no payload for this decode target */
	DP_AV1_DD_DISCARDABLE = 1, /* present, no later frame of it refers to it */
	DP_AV1_DD_SWITCH = 2,      /* present; a decodable switch point to it */
	DP_AV1_DD_REQUIRED = 3,    /* present, neither of the above */
};

/* DTIs are kept two bits per decode target, target i in bits 2i, 2i+1. */
static inline enum dp_av1_dd_dti dp_av1_dd_dti_of(uint64_t dtis, unsigned dt)
{
	return (enum dp_av1_dd_dti)((dtis >> (2 * dt)) & 3);
}

/* A frame dependency template. */
struct dp_av1_dd_template {
	uint64_t dti;             /* template_dti[], packed as above */
	uint8_t spatial, temporal;
	uint8_t fdiff_cnt;
	uint8_t pad;
	uint8_t fdiff[DP_AV1_DD_MAX_FDIFFS];      /* 1..16 */
	uint8_t chain_fdiff[DP_AV1_DD_MAX_CHAINS]; /* 0..15, chain_cnt of them */
};

/*
 * A template dependency structure, with what the specification derives
 * from it.  Zeroed before it is filled, so two structures compare equal
 * with memcmp exactly when their fields do.
 */
struct dp_av1_dd_structure {
	uint8_t template_id_offset;
	uint8_t dt_cnt;           /* 1..32 */
	uint8_t template_cnt;     /* 1..64 */
	uint8_t chain_cnt;        /* 0..dt_cnt */
	uint8_t max_spatial;      /* MaxSpatialId */
	uint8_t max_temporal;     /* MaxTemporalId */
	uint8_t resolutions_present;
	uint8_t pad;
	uint8_t protected_by[DP_AV1_DD_MAX_DTS]; /* decode_target_protected_by[] */
	uint8_t dt_spatial[DP_AV1_DD_MAX_DTS];   /* DecodeTargetSpatialId[] */
	uint8_t dt_temporal[DP_AV1_DD_MAX_DTS];  /* DecodeTargetTemporalId[] */
	/* Derived: subset[t] has bit d set when every template present in
	 * decode target d is present in t, i.e. what a receiver of t can
	 * decode.  Always has bit t. */
	uint32_t subset[DP_AV1_DD_MAX_DTS];
	uint16_t max_width[DP_AV1_DD_MAX_SPATIAL];  /* when resolutions_present */
	uint16_t max_height[DP_AV1_DD_MAX_SPATIAL];
	uint16_t bits;            /* the length of its encoding, in bits */
	struct dp_av1_dd_template templates[DP_AV1_DD_MAX_TEMPLATES];
};

/* Every decode target of a structure, as a bitmask. */
static inline uint32_t dp_av1_dd_all_dts(const struct dp_av1_dd_structure *s)
{
	return s->dt_cnt >= 32 ? 0xffffffffu : (1u << s->dt_cnt) - 1;
}

/* What dp_av1_dd_parse learns from one stream's descriptors [owner]. */
struct dp_av1_dd_stream {
	struct dp_av1_dd_structure slot[2];
	uint8_t cur;              /* slot[cur] is the current structure */
	uint8_t has_structure;
	uint8_t started;          /* a descriptor has been accepted */
	uint8_t pad;
	uint32_t structure_gen;   /* bumped for each different structure, from 1 */
	uint32_t active_mask;     /* active decode targets, as last signalled */
	uint64_t newest_frame;    /* newest frame number, unwrapped */
};

/* The frame number a stream's first descriptor is unwrapped to, plus its
 * 16-bit value: far enough from 0 that references never go below it. */
#define DP_AV1_DD_FRAME_BASE (1ull << 32)

/* What one descriptor says about its packet and frame. */
struct dp_av1_dd_frame {
	uint64_t frame_number;    /* unwrapped: monotonic across wraparound */
	const struct dp_av1_dd_structure *structure; /* what the fields refer to */
	uint32_t structure_gen;   /* the stream's structure_gen for it */
	uint32_t active_mask;     /* the stream's active decode targets after it */
	uint64_t dti;             /* frame_dti[], packed as above */
	uint16_t fdiff[DP_AV1_DD_MAX_FDIFFS]; /* the frames referenced: number - fdiff */
	uint8_t chain_fdiff[DP_AV1_DD_MAX_CHAINS]; /* frame_chain_fdiff[] */
	uint8_t fdiff_cnt;
	uint8_t dt_cnt, chain_cnt;
	uint8_t spatial, temporal;
	uint8_t start_of_frame, end_of_frame;
	uint8_t template_id;      /* frame_dependency_template_id */
	uint8_t structure_attached; /* carries a structure: a keyframe's first packet */
	uint8_t structure_changed;  /* ... one that differs from the stream's last */
	uint8_t active_present;   /* carries active_decode_targets_bitmask */
	uint8_t custom_dtis, custom_fdiffs, custom_chains;
	uint16_t len;             /* the descriptor's length in octets */
};

/* Zeroes a stream's state: no structure, no frame seen. */
void dp_av1_dd_stream_init(struct dp_av1_dd_stream *st);

/*
 * Parses the descriptor `dd` (the header extension element's data, `len`
 * octets) of a packet of stream `st` into *f, which it overwrites.  A
 * structure in it becomes the stream's current one (when it differs from
 * it) and its active decode targets are updated; frame numbers are
 * unwrapped against the newest one seen.  On an error *f is meaningless and
 * the stream state is unchanged.
 */
enum dp_av1_dd_status dp_av1_dd_parse(struct dp_av1_dd_stream *st, const uint8_t *dd, size_t len,
				      struct dp_av1_dd_frame *f);

/*
 * Writes into out[0..cap) the descriptor `in` (in_len octets) as a receiver
 * that can decode the decode targets in active_mask should get it: with
 * active_decode_targets_bitmask = active_mask (bits past dt_cnt ignored),
 * everything else as in the input (the mandatory fields, flags, structure
 * and frame dependency definition are copied bit for bit; only the trailing
 * zero padding can change).  When the input already says as much -- it
 * carries the same bitmask, or it carries a structure (which makes every
 * decode target active) and no bitmask and active_mask covers them all --
 * the output is the input unchanged.  A descriptor without extended fields
 * gets them, so the output may be longer than the input, by at most
 * 1 + DP_AV1_DD_MAX_DTS / 8 octets.
 *
 * `s` is the structure the input's template id refers to (the stream's
 * current one); it may be NULL when the input carries its own.  Returns
 * the output's length, or 0 when the input does not parse against it or the
 * output does not fit in cap.
 *
 * Which mask a receiver needs, and when a packet needs rewriting at all,
 * is the layer selection's to say (select_dd.h: DP_SELECT_DD_REWRITE).
 */
size_t dp_av1_dd_rewrite(const uint8_t *in, size_t in_len, const struct dp_av1_dd_structure *s,
			 uint32_t active_mask, uint8_t *out, size_t cap);

/* The longest a rewrite can make a descriptor of in_len octets. */
#define DP_AV1_DD_REWRITE_GROWTH (1 + DP_AV1_DD_MAX_DTS / 8)

/*
 * dp_av1_dd_rewrite of the descriptor in[0..in_len) that dp_av1_dd_parse
 * read into *f, against f->structure: the same output, without reading the
 * descriptor again (where its parts are follows from f and the length of
 * the structure's encoding), so that the fan-out rewrites an input for
 * each of its receivers at the cost of a copy.  Returns 0 where
 * dp_av1_dd_rewrite would, and when in[0..in_len) is not what f says.
 */
size_t dp_av1_dd_rewrite_frame(const uint8_t *in, size_t in_len, const struct dp_av1_dd_frame *f,
			       uint32_t active_mask, uint8_t *out, size_t cap);

/*
 * frame_number is octets 1 and 2 of every descriptor (after the start,
 * end and template id bits), so a receiver's renumbered frame numbers
 * (needed when it moves between simulcast encodings, whose numbers are
 * unrelated) are written in place.
 */
static inline void dp_av1_dd_put_frame_number(uint8_t *dd, uint16_t frame_number)
{
	dd[1] = (uint8_t)(frame_number >> 8);
	dd[2] = (uint8_t)frame_number;
}

#endif /* STRATA_DP_AV1_DD_H */
