/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * H.264 RTP payloads (RFC 6184, non-interleaved mode = packetization-mode 1,
 * as browsers send it) and their SVC layers (RFC 6190): what a receiver's
 * layer decision needs from each packet.  Nothing is rewritten: H.264 has
 * no payload descriptor, and a forwarded packet goes out byte for byte.
 *
 * Three steps, from least to most context:
 *
 *  1. dp_h264_parse() reads one payload and nothing else: the packet kind
 *     (single NAL unit, STAP-A, FU-A), the NAL unit types, keyframe and
 *     picture-start hints, and the SVC layer ids of the NAL units whose ids
 *     are in the packet.  It refuses what the router cannot or must not
 *     handle, each refusal with its own reason.
 *  2. dp_h264_track() adds what needs the packets before it (per stream,
 *     in arrival order): whether the packet starts an access unit (its RTP
 *     timestamp differs from the last one's), and the layer ids of NAL
 *     units that do not carry them: an FU-A fragment after the first (only
 *     the start fragment has the NAL header, RFC 6190 section 4.8) and a
 *     base-layer slice whose prefix NAL unit came in an earlier packet (as
 *     when the slice itself is fragmented, RFC 6190 section 5.1).
 *  3. dp_h264_filter() decides for one receiver's limits (highest
 *     dependency_id and temporal_id) whether it gets the packet, and
 *     dp_h264_frame_info() summarises the packet for the codec-independent
 *     selection (select.h).
 *
 * Nothing here allocates, locks or keeps a pointer into the packet.
 */
#ifndef STRATA_DP_H264_H
#define STRATA_DP_H264_H

#include <stdint.h>

#include "tables.h"

/*
 * Why dp_h264_parse() refuses a payload.  0 is OK; every other value is a
 * reason for the drop counters.
 */
#define DP_H264_STATUS_LIST(X)                                                          \
	X(OK, "ok")                                                                     \
	X(EMPTY, "empty payload")                                                       \
	/* RFC 6184 5.3: a NAL unit marked as damaged; the RFC's "simplest decoder     \
	 * reaction" is to discard it, and so do we. */                                \
	X(FORBIDDEN_BIT, "F (forbidden_zero_bit) set in a NAL unit header")            \
	X(RESERVED_TYPE, "NAL unit type 0 (reserved)")                                  \
	/* RFC 6184 6.3: only single NAL unit packets, STAP-A and FU-A in mode 1. */   \
	X(STAP_B, "STAP-B (type 25): interleaved mode only")                           \
	X(MTAP, "MTAP16 or MTAP24 (type 26, 27): interleaved mode only")               \
	X(FU_B, "FU-B (type 29): interleaved mode only")                               \
	/* RFC 6190 4.2.1: empty NAL unit and NI-MTAP, for multi-session transmission.*/\
	X(TYPE_31, "type 31 (RFC 6190 empty NAL unit or NI-MTAP): not supported")      \
	X(STAP_EMPTY, "STAP-A without an aggregation unit")                            \
	X(STAP_SIZE_CUT, "STAP-A: one octet left where a 16-bit NAL unit size belongs") \
	X(STAP_SIZE_PAST_END, "STAP-A: an aggregation unit runs past the payload")     \
	X(STAP_ZERO_SIZE, "STAP-A: an aggregation unit of size 0 (no NAL unit header)") \
	X(STAP_NESTED, "STAP-A: an aggregation unit is itself a STAP, MTAP or FU")     \
	X(FU_NO_HEADER, "FU-A without its FU header")                                   \
	X(FU_START_AND_END, "FU-A with both S and E set (RFC 6184 5.8)")               \
	X(FU_BAD_TYPE, "FU-A fragmenting type 0, 24-31 (packet structures, PACSI)")     \
	X(SVC_HEADER_CUT, "type 14, 20 or 30 without its three extension octets")      \
	X(SVC_NOT_SVC, "type 14, 20 or 30 with svc_extension_flag 0 (MVC, Annex H)")   \
	/* RFC 6190 4.9 and Table 5: a PACSI NAL unit is the first unit of an          \
	 * aggregation packet with at least one more; alone only in single NAL unit   \
	 * mode. */                                                                     \
	X(PACSI_PLACE, "PACSI not the first of two or more units of a STAP-A")         \
	X(PACSI_CUT, "PACSI: optional fields or an SEI NAL unit past its end")         \
	X(PACSI_BAD_SEI, "PACSI: a unit that is not an SEI NAL unit, or of size 0")

#define DP_H264_STATUS_ENUM(name, text) DP_H264_##name,
enum dp_h264_status { DP_H264_STATUS_LIST(DP_H264_STATUS_ENUM) DP_H264_STATUS_COUNT };
#undef DP_H264_STATUS_ENUM

/* The description of a status ("?" for a value outside the list). */
const char *dp_h264_status_str(enum dp_h264_status s);

/* NAL unit types (H.264 Table 7-1, RFC 6184 Table 1, RFC 6190 Table 1). */
enum {
	DP_H264_NAL_SLICE = 1,      /* coded slice of a non-IDR picture */
	DP_H264_NAL_IDR = 5,        /* coded slice of an IDR picture */
	DP_H264_NAL_SEI = 6,
	DP_H264_NAL_SPS = 7,
	DP_H264_NAL_PPS = 8,
	DP_H264_NAL_AUD = 9,
	DP_H264_NAL_FILLER = 12,
	DP_H264_NAL_PREFIX = 14,    /* RFC 6190: SVC ids of the base-layer slice after it */
	DP_H264_NAL_SUBSET_SPS = 15,
	DP_H264_NAL_SLICE_EXT = 20, /* coded slice in scalable extension */
	DP_H264_NAL_STAP_A = 24,
	DP_H264_NAL_STAP_B = 25,
	DP_H264_NAL_MTAP16 = 26,
	DP_H264_NAL_MTAP24 = 27,
	DP_H264_NAL_FU_A = 28,
	DP_H264_NAL_FU_B = 29,
	DP_H264_NAL_PACSI = 30,
	DP_H264_NAL_EXT = 31,
};

/* The payload structure (RFC 6184 section 5.2). */
enum dp_h264_packet {
	DP_H264_PACKET_SINGLE = 1, /* types 1-23 */
	DP_H264_PACKET_STAP_A = 2,
	DP_H264_PACKET_FU_A = 3,
};

/*
 * The three octets after the header of NAL unit types 14 and 20 (and of a
 * PACSI NAL unit), RFC 6190 section 1.1.3 and H.264 G.7.3.1.1
 * nal_unit_header_svc_extension():
 *
 *   +---------------+---------------+---------------+
 *   |0|1|2|3|4|5|6|7|0|1|2|3|4|5|6|7|0|1|2|3|4|5|6|7|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|I|   PRID    |N| DID |  QID  | TID |U|D|O| RR|
 *   +---------------+---------------+---------------+
 */
struct dp_h264_svc {
	uint8_t svc_extension_flag;       /* R: 1 for SVC (0 is Annex H's MVC header) */
	uint8_t idr_flag;                 /* I: an IDR layer representation */
	uint8_t priority_id;              /* PRID, 6 bits: lower is more important */
	uint8_t no_inter_layer_pred_flag; /* N */
	uint8_t dependency_id;            /* DID, 3 bits: spatial (or CGS) layer */
	uint8_t quality_id;               /* QID, 4 bits: MGS quality layer */
	uint8_t temporal_id;              /* TID, 3 bits */
	uint8_t use_ref_base_pic_flag;    /* U */
	uint8_t discardable_flag;         /* D */
	uint8_t output_flag;              /* O */
	uint8_t reserved_three_2bits;     /* RR: 3 by the spec, ignored */
};

/* Reads the three octets at ext (the caller has checked they are there). */
void dp_h264_svc_parse(const uint8_t *ext, struct dp_h264_svc *svc);

/*
 * A PACSI NAL unit (RFC 6190 section 4.9): a summary of the other NAL
 * units of its aggregation packet, for MANEs.  Strata parses and checks it
 * but decides from the NAL units themselves (the PACSI header carries the
 * *lowest* DID, QID and TID among them, not the highest a filter needs).
 *
 *   |F|NRI|  Type   |R|I|   PRID    |N| DID |  QID  | TID |U|D|O| RR|
 *   |X|Y|T|A|P|C|S|E| TL0PICIDX (o) |        IDRPICID (o)           |
 *   |          DONC (o)             |        NAL unit size 1        |
 *   |                 SEI NAL unit 1 ...                            |
 *
 * The bits A, P and C mean something only when X is 1; S and E only, and
 * TL0PICIDX and IDRPICID are present only, when Y is 1; DONC is present
 * only when T is 1.
 */
struct dp_h264_pacsi {
	struct dp_h264_svc svc;
	uint8_t x, y, t, a, p, c, s, e;
	uint8_t tl0picidx;   /* when y */
	uint16_t idrpicid;   /* when y */
	uint16_t donc;       /* when t */
	uint8_t sei_count;   /* SEI NAL units it repeats */
};

/* Layer ids as a filter sees them. */
struct dp_h264_layer {
	uint8_t did, qid, tid, idr;
};

/* dp_h264_info.pending: what a NAL unit of the packet needs from an
 * earlier packet (dp_h264_track resolves it). */
enum {
	DP_H264_PENDING_PREFIX = 1,   /* a base-layer slice without a prefix before it here */
	DP_H264_PENDING_FRAGMENT = 2, /* an FU-A fragment after the start */
};

/* A temporal_id above any real one (3 bits), for ids that are unknown. */
#define DP_H264_TID_UNKNOWN 7

struct dp_h264_info {
	uint8_t packet;        /* enum dp_h264_packet */
	uint8_t nal_type;      /* single: its type; FU-A: the fragmented one's; STAP-A: 24 */
	uint8_t nri;           /* the payload header's NRI (for a STAP-A, the highest) */
	uint8_t fu_start, fu_end;
	uint16_t nal_count;    /* NAL units (or the fragment) carried, a PACSI included */
	uint32_t types;        /* bit t: the packet carries (part of) a NAL unit of type t */

	/* Keyframes and pictures: per packet, without state. */
	uint8_t idr;           /* an IDR slice (type 5), whole or its start fragment */
	uint8_t sps, pps;      /* a sequence / picture parameter set (type 7 / 8) */
	uint8_t picture_start; /* a base-layer slice with first_mb_in_slice 0, whole or its
				* start fragment: the picture's first slice */

	/* SVC layers of the NAL units whose ids are known: type 20 and 14 NAL
	 * units, base-layer slices (types 1, 5, 12) after a prefix NAL unit.
	 * NAL units without ids (parameter sets, SEI, AVC slices) are in no
	 * layer: every receiver gets them. */
	uint8_t has_layers;
	uint8_t uniform;       /* all of them have the same DID, QID and TID */
	uint8_t max_did, max_qid, max_tid;
	uint64_t layer_mask;   /* bit did * 8 + tid: a NAL unit with those ids */
	uint16_t qid_mask;     /* bit qid: a NAL unit with that quality_id */
	uint8_t idr_dids;      /* bit d: an IDR layer representation of DID d starts here
				* (idr_flag, or a type 5 slice for the AVC base layer) */
	uint8_t pending;       /* DP_H264_PENDING_* bits */
	uint8_t prefix_out;    /* a prefix NAL unit whose scope goes on after the packet */
	struct dp_h264_layer prefix; /* ... its ids */
	uint8_t has_pacsi;
	struct dp_h264_pacsi pacsi;

	/* Set by dp_h264_track(); 0 from dp_h264_parse(). */
	uint8_t au_start;       /* the first packet of an access unit */
	uint8_t late;           /* its timestamp is older than the last packet's */
	uint8_t layers_unknown; /* ids needed and not to be had (an earlier packet lost) */
};

/*
 * Parses an RTP payload (`len` bytes, RTP header and padding removed) into
 * *info, which it overwrites.  Returns DP_H264_OK (0) or the reason it is
 * refused; on a refusal *info is unspecified.
 */
enum dp_h264_status dp_h264_parse(const uint8_t *payload, uint32_t len,
				  struct dp_h264_info *info);

/*
 * Per-stream state for dp_h264_track(), written by the one worker that
 * receives the stream.  Zero it to start (or restart) a stream.
 */
struct dp_h264_track {
	uint32_t ts;          /* the newest RTP timestamp seen */
	uint8_t started;
	uint8_t svc_seen;     /* the stream has carried layer ids */
	uint8_t prefix_valid; /* prefix: the access unit's last prefix NAL unit */
	uint8_t fu_valid;     /* fu: the NAL unit being fragmented, started in this AU */
	uint8_t fu_type, fu_has_layers, fu_unknown;
	struct dp_h264_layer prefix, fu;
};

/*
 * Completes *info (parsed from the payload of an RTP packet with timestamp
 * `ts`) with what the stream's earlier packets tell, and updates *t.
 * Packets are expected in arrival order; a packet whose timestamp is older
 * than the newest (reordered across access units) is marked late, never an
 * access unit start, and changes no state.
 */
void dp_h264_track(struct dp_h264_track *t, struct dp_h264_info *info, uint32_t ts);

/* One receiver's verdict for a packet (dp_h264_filter). */
#define DP_H264_VERDICT_LIST(X)                                                         \
	X(FORWARD, "forward")                                                           \
	X(ABOVE_LIMIT, "every NAL unit with layer ids is above the receiver's limits") \
	X(MIXED_LAYERS, "a STAP-A with NAL units both within and above the limits")   \
	X(LAYERS_UNKNOWN, "layer ids unknown (the packet carrying them was lost)")

#define DP_H264_VERDICT_ENUM(name, text) DP_H264_##name,
enum dp_h264_verdict { DP_H264_VERDICT_LIST(DP_H264_VERDICT_ENUM) DP_H264_VERDICT_COUNT };
#undef DP_H264_VERDICT_ENUM

const char *dp_h264_verdict_str(enum dp_h264_verdict v);

/* No limit: every DID and TID. */
#define DP_H264_ALL_LAYERS 7

/*
 * Whether a receiver limited to dependency_id <= max_did and temporal_id
 * <= max_tid gets the packet (after dp_h264_track):
 *
 *  - A packet whose NAL units all have layer ids within the limits, or no
 *    ids at all (parameter sets, SEI, plain AVC), is forwarded; a prefix
 *    NAL unit goes with the base-layer slice it describes (same ids).
 *  - A packet whose NAL units with ids are all above a limit is dropped
 *    (ABOVE_LIMIT), NAL units without ids in it included: they belong to
 *    the dropped layer's access unit (an SEI, say).
 *  - A STAP-A mixing NAL units within and above the limits is dropped
 *    whole (MIXED_LAYERS, its own counter): forwarding part of it would
 *    mean rewriting the aggregation packet (the payload, and so the SRTP
 *    one-pass copy), and forwarding all of it would send the receiver
 *    layers it cannot use (an SVC decoder decodes the highest DID it
 *    gets).  It happens: GStreamer's rtph264pay puts a small picture's
 *    prefix, base-layer slice and type 20 slice in one STAP-A, and in
 *    tests/data/h264/l2t3.rtp 38 of 150 access units (all TID 2, which
 *    nothing references) lose their base-layer picture for DID 0
 *    receivers that way; the rest decode intact (dp_h264_layers).
 *    Splitting such a STAP-A into single NAL unit packets (RFC 6184
 *    section 6.1 lets a translator) would need an extra output sequence
 *    number per NAL unit.
 *  - A packet whose ids are unknown (layers_unknown) is dropped for a
 *    receiver with any limit below DP_H264_ALL_LAYERS (LAYERS_UNKNOWN).
 *
 * QID is not limited: a receiver gets every quality layer of the DIDs it
 * gets.  When the limits may change (switching points) is the caller's
 * decision; dp_h264_frame_info() describes them.  With a DID limit, the
 * RTP marker of an access unit is on a dropped packet (the last one, of
 * the top layer): the receiver's access unit ends without one and its
 * jitter buffer learns the end from the next timestamp.
 */
enum dp_h264_verdict dp_h264_filter(const struct dp_h264_info *info, uint8_t max_did,
				    uint8_t max_tid);

/*
 * The packet for the codec-independent selection (select.h), after
 * dp_h264_track():
 *
 *   frame_start  the first packet of an access unit (RTP timestamp change)
 *   keyframe     an IDR slice starts in the packet, or it carries an SPS or
 *                PPS: senders (browsers, openh264, x264 with GStreamer)
 *                send parameter sets in the IDR access unit, before its
 *                slices, so the AU's first packet is known as a keyframe's
 *   has_layers   layer ids are known (or unknown: layers_unknown)
 *   temporal     the highest temporal_id (DP_H264_TID_UNKNOWN when unknown)
 *   sync         a temporal up-switch point: every picture above TID 0.
 *                H.264 SVC has no per-picture switching-point flag (VP8's
 *                Y bit, HEVC's TSA): Strata takes the stream to be
 *                temporally nested, every picture referencing only pictures
 *                of lower TID, as openh264's dyadic hierarchy is (Annex
 *                G's scalability information SEI message would signal it
 *                as temporal_id_nesting_flag; the test dp_h264_layers
 *                checks it on the real capture, pixel for pixel).  Spatial up-switches need an IDR of the higher
 *                DID: idr_dids (RFC 6190 4.2.2, "I").
 *   desc_len     0: nothing is rewritten; no PictureID, no TL0PICIDX
 */
void dp_h264_frame_info(const struct dp_h264_info *info, struct dp_frame_info *fi);

#endif /* STRATA_DP_H264_H */
