/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * H.264 RTP payloads (RFC 6184) and their SVC layer ids (RFC 6190).
 *
 * RFC 6184 section 1.3 / 5.3, the NAL unit header, the first octet of every
 * payload:
 *
 *      +---------------+
 *      |0|1|2|3|4|5|6|7|
 *      +-+-+-+-+-+-+-+-+
 *      |F|NRI|  Type   |
 *      +---------------+
 *
 *   F    forbidden_zero_bit.  "A value of 1 indicates that the NAL unit
 *        type octet and payload may contain bit errors or other syntax
 *        violations. [...] The simplest decoder reaction to a NAL unit in
 *        which the F bit is equal to 1 is to discard such a NAL unit."
 *   NRI  nal_ref_idc: 00 for a NAL unit no reference picture needs.
 *   Type 1-23 a single NAL unit packet (the NAL unit itself), 24 STAP-A,
 *        25 STAP-B, 26 MTAP16, 27 MTAP24, 28 FU-A, 29 FU-B; 0, 30 and 31
 *        reserved, of which RFC 6190 takes 30 (PACSI) and 31 (empty NAL
 *        unit, NI-MTAP).
 *
 * Section 6.3, the non-interleaved mode (packetization-mode=1, what WebRTC
 * negotiates): "Only single NAL unit packets, STAP-As, and FU-As MAY be
 * used in this mode.  STAP-Bs, MTAPs, and FU-Bs MUST NOT be used."
 *
 * RFC 6190 section 1.1.3: "NAL unit types 14 and 20 indicate the presence
 * of three additional octets in the NAL unit header" (struct dp_h264_svc in
 * h264.h).  Type 14, the prefix NAL unit, carries no picture data: it gives
 * the SVC ids of the AVC base-layer slice (type 1 or 5) after it, which
 * AVC decoders read without knowing about SVC.  Type 20 is a slice of an
 * enhancement layer.
 */
#include <string.h>

#include "h264.h"

#define F_BIT 0x80
#define TYPE_MASK 0x1f
#define NRI(octet) (((octet) >> 5) & 3)

/* RFC 6184 section 5.8, the FU header: |S|E|R|  Type   | */
#define FU_S 0x80
#define FU_E 0x40

#define SVC_EXT_LEN 3
#define STAP_SIZE_LEN 2

#define TEXT(name, text) [DP_H264_##name] = text,
static const char *const status_text[] = { DP_H264_STATUS_LIST(TEXT) };
static const char *const verdict_text[] = { DP_H264_VERDICT_LIST(TEXT) };
#undef TEXT

const char *dp_h264_status_str(enum dp_h264_status s)
{
	return (unsigned)s < DP_H264_STATUS_COUNT ? status_text[s] : "?";
}

const char *dp_h264_verdict_str(enum dp_h264_verdict v)
{
	return (unsigned)v < DP_H264_VERDICT_COUNT ? verdict_text[v] : "?";
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * RFC 6190 section 1.1.3 (H.264 G.7.3.1.1), bit by bit:
 *
 *   R     reserved_one_bit (svc_extension_flag in later editions of H.264,
 *         whose Annex H gives types 14 and 20 an MVC header when it is 0)
 *   I     idr_flag: 1 for an IDR layer representation
 *   PRID  priority_id, 6 bits: a lower value is a higher priority
 *   N     no_inter_layer_pred_flag: 1 when the slice uses no inter-layer
 *         prediction
 *   DID   dependency_id, 3 bits: the inter-layer coding dependency level
 *         (spatial or coarse-grain quality layers)
 *   QID   quality_id, 4 bits: the quality level of an MGS layer
 *   TID   temporal_id, 3 bits: "A layer representation at a given
 *         temporal_id typically depends on layer representations with
 *         lower temporal_id values, but it never depends on layer
 *         representations with higher temporal_id values."
 *   U     use_ref_base_pic_flag
 *   D     discardable_flag: 1 when no NAL unit of a higher DID needs it
 *   O     output_flag
 *   RR    reserved_three_2bits: "11" by the spec, and decoders ignore it
 *         (so do we)
 */
void dp_h264_svc_parse(const uint8_t *ext, struct dp_h264_svc *svc)
{
	svc->svc_extension_flag = ext[0] >> 7;
	svc->idr_flag = (ext[0] >> 6) & 1;
	svc->priority_id = ext[0] & 0x3f;
	svc->no_inter_layer_pred_flag = ext[1] >> 7;
	svc->dependency_id = (ext[1] >> 4) & 7;
	svc->quality_id = ext[1] & 0x0f;
	svc->temporal_id = ext[2] >> 5;
	svc->use_ref_base_pic_flag = (ext[2] >> 4) & 1;
	svc->discardable_flag = (ext[2] >> 3) & 1;
	svc->output_flag = (ext[2] >> 2) & 1;
	svc->reserved_three_2bits = ext[2] & 3;
}

static int single_bit(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* One NAL unit's ids into the packet's summary. */
static void add_layer(struct dp_h264_info *in, struct dp_h264_layer l)
{
	if (!in->has_layers || l.did > in->max_did)
		in->max_did = l.did;
	if (!in->has_layers || l.qid > in->max_qid)
		in->max_qid = l.qid;
	if (!in->has_layers || l.tid > in->max_tid)
		in->max_tid = l.tid;
	in->has_layers = 1;
	in->layer_mask |= 1ull << (l.did * 8u + l.tid);
	in->qid_mask |= (uint16_t)(1u << l.qid);
	if (l.idr)
		in->idr_dids |= (uint8_t)(1u << l.did);
	in->uniform = single_bit(in->layer_mask) && single_bit(in->qid_mask);
}

/* What the NAL units of one packet share while it is read. */
struct walk {
	struct dp_h264_info *info;
	/* The scope of a prefix NAL unit, see visit(). */
	uint8_t have_prefix;
	struct dp_h264_layer prefix;
};

/* The SVC header extension of a type 14, 20 or 30 NAL unit whose first n
 * octets after the type octet are at ext. */
static enum dp_h264_status svc_ext(const uint8_t *ext, uint32_t n, struct dp_h264_svc *svc)
{
	if (n < SVC_EXT_LEN)
		return DP_H264_SVC_HEADER_CUT;
	dp_h264_svc_parse(ext, svc);
	if (!svc->svc_extension_flag)
		return DP_H264_SVC_NOT_SVC;
	return DP_H264_OK;
}

static struct dp_h264_layer layer_of(const struct dp_h264_svc *svc)
{
	return (struct dp_h264_layer){ .did = svc->dependency_id, .qid = svc->quality_id,
				       .tid = svc->temporal_id, .idr = svc->idr_flag };
}

/*
 * One NAL unit of types 1-23: a whole one (single NAL unit packet, STAP-A
 * unit) or the start fragment of an FU-A, whose header octet the caller
 * rebuilt from the FU indicator and header.  body: the n octets after the
 * header octet that the packet holds.
 *
 * Prefix NAL units.  RFC 6190 section 3.1.1: "A NAL unit with nal_unit_type
 * equal to 14 that immediately precedes in decoding order a NAL unit with
 * nal_unit_type equal to 1, 5, or 12.  The NAL unit that immediately
 * succeeds the prefix NAL unit in decoding order is referred to as the
 * associated NAL unit."  Strata lets a prefix describe every such NAL unit
 * after it, to the next prefix or the end of the access unit: GStreamer's
 * rtph264pay (config-interval=-1) inserts the SPS and PPS between a prefix
 * and its IDR slice, and all base-layer slices of an access unit share
 * DID 0, QID 0 and the access unit's TID, so the wider scope gives the
 * same ids.  Section 5.1 allows the prefix and its slice in different
 * packets (when the slice is fragmented): a base-layer slice with no prefix
 * before it in its packet is marked DP_H264_PENDING_PREFIX.
 *
 * The slice header starts with first_mb_in_slice, ue(v) (H.264 7.3.3):
 * its value is 0, the picture's first macroblock, exactly when the first
 * bit is 1.
 */
static enum dp_h264_status visit(struct walk *w, uint8_t header, const uint8_t *body,
				 uint32_t n)
{
	struct dp_h264_info *in = w->info;
	uint8_t type = header & TYPE_MASK;
	struct dp_h264_svc svc;
	enum dp_h264_status st;

	if (header & F_BIT)
		return DP_H264_FORBIDDEN_BIT;
	in->types |= 1u << type;
	in->nal_count++;

	switch (type) {
	case DP_H264_NAL_PREFIX:
		st = svc_ext(body, n, &svc);
		if (st != DP_H264_OK)
			return st;
		w->have_prefix = 1;
		w->prefix = layer_of(&svc);
		in->prefix_out = 1;
		in->prefix = w->prefix;
		add_layer(in, w->prefix);
		break;
	case DP_H264_NAL_SLICE_EXT:
		st = svc_ext(body, n, &svc);
		if (st != DP_H264_OK)
			return st;
		add_layer(in, layer_of(&svc));
		break;
	case DP_H264_NAL_SLICE:
	case DP_H264_NAL_IDR:
	case DP_H264_NAL_FILLER:
		if (type != DP_H264_NAL_FILLER && n >= 1 && (body[0] & 0x80))
			in->picture_start = 1;
		if (type == DP_H264_NAL_IDR) {
			in->idr = 1;
			in->idr_dids |= 1; /* the AVC base layer, DID 0 */
		}
		if (w->have_prefix) {
			struct dp_h264_layer l = w->prefix;
			l.idr = 0; /* the slice's own type says whether it is IDR */
			add_layer(in, l);
		} else {
			in->pending |= DP_H264_PENDING_PREFIX;
		}
		break;
	case DP_H264_NAL_SPS:
		in->sps = 1;
		break;
	case DP_H264_NAL_PPS:
		in->pps = 1;
		break;
	default:
		/* SEI, AUD, subset SPS and the rest: no picture data and no layer
		 * ids; every receiver gets them. */
		break;
	}
	return DP_H264_OK;
}

/*
 * RFC 6190 section 4.9, the PACSI NAL unit (layout in h264.h).  When it is
 * in an aggregation packet, it must be the packet's first NAL unit and at
 * least one more must follow; it must not be fragmented; alone in a single
 * NAL unit packet it is allowed only in single NAL unit mode (section
 * 4.5.1, Table 5), not in the non-interleaved mode Strata receives.  After
 * the flags and the optional fields come zero or more SEI NAL units, each
 * after a 16-bit size as in a STAP.
 */
static enum dp_h264_status pacsi(struct walk *w, const uint8_t *p, uint32_t n)
{
	struct dp_h264_pacsi *ps = &w->info->pacsi;
	enum dp_h264_status st = svc_ext(p + 1, n - 1, &ps->svc);
	uint32_t off = 1 + SVC_EXT_LEN;

	if (st != DP_H264_OK)
		return st;
	if (off >= n)
		return DP_H264_PACSI_CUT;
	uint8_t f = p[off++];
	ps->x = f >> 7;
	ps->y = (f >> 6) & 1;
	ps->t = (f >> 5) & 1;
	ps->a = (f >> 4) & 1;
	ps->p = (f >> 3) & 1;
	ps->c = (f >> 2) & 1;
	ps->s = (f >> 1) & 1;
	ps->e = f & 1;
	if (ps->y) {
		if (n - off < 3)
			return DP_H264_PACSI_CUT;
		ps->tl0picidx = p[off];
		ps->idrpicid = be16(p + off + 1);
		off += 3;
	}
	if (ps->t) {
		if (n - off < 2)
			return DP_H264_PACSI_CUT;
		ps->donc = be16(p + off);
		off += 2;
	}
	while (off < n) {
		if (n - off < STAP_SIZE_LEN)
			return DP_H264_PACSI_CUT;
		uint32_t size = be16(p + off);
		off += STAP_SIZE_LEN;
		if (size == 0)
			return DP_H264_PACSI_BAD_SEI;
		if (size > n - off)
			return DP_H264_PACSI_CUT;
		if (p[off] & F_BIT)
			return DP_H264_FORBIDDEN_BIT;
		if ((p[off] & TYPE_MASK) != DP_H264_NAL_SEI)
			return DP_H264_PACSI_BAD_SEI;
		ps->sei_count++;
		off += size;
	}
	w->info->has_pacsi = 1;
	w->info->types |= 1u << DP_H264_NAL_PACSI;
	w->info->nal_count++;
	return DP_H264_OK;
}

/*
 * RFC 6184 section 5.7.1, STAP-A: the header octet, then "one or more
 * single-time aggregation units".  "A single-time aggregation unit
 * consists of 16-bit unsigned size information (in network byte order)
 * that indicates the size of the following NAL unit in bytes (excluding
 * these two octets, but including the NAL unit type octet of the NAL
 * unit), followed by the NAL unit itself".  Section 5.7: "Aggregation
 * packets MUST NOT be nested" and "MUST NOT contain fragmentation units".
 *
 *    |STAP-A NAL HDR |         NALU 1 Size           | NALU 1 HDR    |
 *    |                         NALU 1 Data                           |
 *    :                                                               :
 *    +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |               | NALU 2 Size                   | NALU 2 HDR    |
 *    |                         NALU 2 Data                           |
 *
 * Every size is checked against what is left of the payload; a unit of
 * size 0 (not even a header octet) and a lone octet at the end where a
 * size belongs are refused.
 */
static enum dp_h264_status stap_a(struct walk *w, const uint8_t *p, uint32_t len)
{
	uint32_t off = 1;
	unsigned index = 0;

	if (off == len)
		return DP_H264_STAP_EMPTY;
	while (off < len) {
		if (len - off < STAP_SIZE_LEN)
			return DP_H264_STAP_SIZE_CUT;
		uint32_t size = be16(p + off);
		off += STAP_SIZE_LEN;
		if (size == 0)
			return DP_H264_STAP_ZERO_SIZE;
		if (size > len - off)
			return DP_H264_STAP_SIZE_PAST_END;

		const uint8_t *nal = p + off;
		uint8_t type = nal[0] & TYPE_MASK;
		enum dp_h264_status st;

		if (nal[0] & F_BIT)
			return DP_H264_FORBIDDEN_BIT;
		if (type == 0)
			st = DP_H264_RESERVED_TYPE;
		else if (type == DP_H264_NAL_PACSI)
			st = index != 0 || off + size == len ? DP_H264_PACSI_PLACE :
							       pacsi(w, nal, size);
		else if (type == DP_H264_NAL_EXT)
			st = DP_H264_TYPE_31;
		else if (type >= DP_H264_NAL_STAP_A)
			st = DP_H264_STAP_NESTED;
		else
			st = visit(w, nal[0], nal + 1, size - 1);
		if (st != DP_H264_OK)
			return st;
		off += size;
		index++;
	}
	return DP_H264_OK;
}

/*
 * RFC 6184 section 5.8, FU-A: the FU indicator (F, NRI of the fragmented
 * NAL unit, type 28), the FU header, then the fragment.
 *
 *    | FU indicator  |   FU header   |                               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
 *    |                         FU payload                            |
 *
 *    FU header: |S|E|R|  Type   |
 *
 * "S: When set to one, the Start bit indicates the start of a fragmented
 * NAL unit."  "E: [...] the end of a fragmented NAL unit".  "R: The
 * Reserved bit MUST be equal to 0 and MUST be ignored by the receiver."
 * "Type: The NAL unit payload type as defined in Table 7-1" of H.264: every
 * fragment names the fragmented NAL unit's type, so a keyframe is known
 * from its start fragment.  "A fragmented NAL unit MUST NOT be transmitted
 * in one FU; that is, the Start bit and End bit MUST NOT both be set to one
 * in the same FU header."  "An FU payload MAY have any number of octets
 * and MAY be empty."  "STAPs and MTAPs MUST NOT be fragmented", and RFC
 * 6190 section 4.9 says a PACSI NAL unit "MUST NOT be fragmented".
 *
 * RFC 6190 section 4.8 notes that the three-octet SVC header extension of
 * a fragmented NAL unit is in its first fragment only.  Strata needs it
 * there: a start fragment of a type 14 or 20 NAL unit with fewer
 * than three payload octets is refused (SVC_HEADER_CUT), although the RFC
 * allows the split.  Later fragments are marked DP_H264_PENDING_FRAGMENT.
 */
static enum dp_h264_status fu_a(struct walk *w, const uint8_t *p, uint32_t len)
{
	struct dp_h264_info *in = w->info;

	if (len < 2)
		return DP_H264_FU_NO_HEADER;
	uint8_t fu = p[1], type = fu & TYPE_MASK;

	if ((fu & FU_S) && (fu & FU_E))
		return DP_H264_FU_START_AND_END;
	if (type == 0 || type >= DP_H264_NAL_STAP_A)
		return DP_H264_FU_BAD_TYPE;
	in->packet = DP_H264_PACKET_FU_A;
	in->nal_type = type;
	in->fu_start = !!(fu & FU_S);
	in->fu_end = !!(fu & FU_E);
	if (in->fu_start)
		return visit(w, (uint8_t)((p[0] & 0xe0) | type), p + 2, len - 2);

	in->types |= 1u << type;
	in->nal_count = 1;
	switch (type) {
	case DP_H264_NAL_SLICE:
	case DP_H264_NAL_IDR:
	case DP_H264_NAL_FILLER:
	case DP_H264_NAL_PREFIX:
	case DP_H264_NAL_SLICE_EXT:
		in->pending |= DP_H264_PENDING_FRAGMENT;
		break;
	default:
		break;
	}
	return DP_H264_OK;
}

enum dp_h264_status dp_h264_parse(const uint8_t *p, uint32_t len, struct dp_h264_info *info)
{
	struct walk w = { .info = info };

	memset(info, 0, sizeof(*info));
	if (len < 1)
		return DP_H264_EMPTY;
	if (p[0] & F_BIT)
		return DP_H264_FORBIDDEN_BIT;
	info->nal_type = p[0] & TYPE_MASK;
	info->nri = NRI(p[0]);

	switch (info->nal_type) {
	case 0:
		return DP_H264_RESERVED_TYPE;
	case DP_H264_NAL_STAP_A:
		info->packet = DP_H264_PACKET_STAP_A;
		return stap_a(&w, p, len);
	case DP_H264_NAL_STAP_B:
		return DP_H264_STAP_B;
	case DP_H264_NAL_MTAP16:
	case DP_H264_NAL_MTAP24:
		return DP_H264_MTAP;
	case DP_H264_NAL_FU_A:
		return fu_a(&w, p, len);
	case DP_H264_NAL_FU_B:
		return DP_H264_FU_B;
	case DP_H264_NAL_PACSI:
		return DP_H264_PACSI_PLACE;
	case DP_H264_NAL_EXT:
		return DP_H264_TYPE_31;
	default:
		info->packet = DP_H264_PACKET_SINGLE;
		return visit(&w, p[0], p + 1, len - 1);
	}
}

/*
 * The state between packets.  RFC 6184 section 5.1 sets the RTP timestamp
 * to the sampling time of the content (so all packets of an access unit
 * share it) and the marker bit "for the very last packet of the access
 * unit indicated by the RTP timestamp".  A new timestamp therefore starts
 * an access unit, whether or not the packet with the previous one's marker
 * arrived; the marker alone would miss a start after a lost last packet.
 *
 * Section 5.8: "Fragments of the same NAL unit MUST be sent in consecutive
 * order with ascending RTP sequence numbers (with no other RTP packets
 * within the same RTP packet stream being sent between the first and last
 * fragment)."  So a later fragment belongs to the NAL unit whose start
 * fragment came last in the same access unit, if the type (in every FU
 * header) matches; if the start was lost, its ids are unknown ("the
 * receiver SHOULD discard all following fragmentation units", so nothing
 * of value is lost by dropping them).
 */
void dp_h264_track(struct dp_h264_track *t, struct dp_h264_info *in, uint32_t ts)
{
	if (!t->started || (int32_t)(ts - t->ts) > 0) {
		in->au_start = 1;
		t->started = 1;
		t->ts = ts;
		t->prefix_valid = 0;
		t->fu_valid = 0;
	} else if (ts != t->ts) {
		in->late = 1;
	}

	if (in->pending & DP_H264_PENDING_PREFIX) {
		if (!in->late && t->prefix_valid) {
			struct dp_h264_layer l = t->prefix;
			l.idr = 0;
			add_layer(in, l);
		} else if (t->svc_seen) {
			in->layers_unknown = 1;
		}
	}
	if (in->pending & DP_H264_PENDING_FRAGMENT) {
		if (!in->late && t->fu_valid && t->fu_type == in->nal_type) {
			if (t->fu_unknown) {
				in->layers_unknown = 1;
			} else if (t->fu_has_layers) {
				struct dp_h264_layer l = t->fu;
				l.idr = 0;
				add_layer(in, l);
			}
		} else if (t->svc_seen) {
			in->layers_unknown = 1;
		}
	}
	if (in->late)
		return;

	if (in->has_layers)
		t->svc_seen = 1;
	if (in->prefix_out) {
		t->prefix = in->prefix;
		t->prefix_valid = 1;
	}
	if (in->packet == DP_H264_PACKET_FU_A && in->fu_start) {
		/* A start fragment is one NAL unit: the packet's ids are its. */
		t->fu_valid = 1;
		t->fu_type = in->nal_type;
		t->fu_unknown = in->layers_unknown;
		t->fu_has_layers = in->has_layers;
		t->fu = (struct dp_h264_layer){ .did = in->max_did, .qid = in->max_qid,
						.tid = in->max_tid };
	} else if (in->packet != DP_H264_PACKET_FU_A || in->fu_end ||
		   t->fu_type != in->nal_type) {
		t->fu_valid = 0;
	}
}

/* Bits did * 8 + tid for every did <= max_did and tid <= max_tid. */
static uint64_t allowed_layers(uint8_t max_did, uint8_t max_tid)
{
	uint64_t row = max_tid >= 7 ? 0xff : (1u << (max_tid + 1)) - 1, mask = 0;

	for (unsigned d = 0; d <= max_did && d < 8; d++)
		mask |= row << (d * 8);
	return mask;
}

enum dp_h264_verdict dp_h264_filter(const struct dp_h264_info *in, uint8_t max_did,
				    uint8_t max_tid)
{
	if (in->layers_unknown &&
	    (max_did < DP_H264_ALL_LAYERS || max_tid < DP_H264_ALL_LAYERS))
		return DP_H264_LAYERS_UNKNOWN;
	if (!in->has_layers)
		return DP_H264_FORWARD;

	uint64_t allowed = allowed_layers(max_did, max_tid);
	if (!(in->layer_mask & ~allowed))
		return DP_H264_FORWARD;
	if (in->layer_mask & allowed)
		return DP_H264_MIXED_LAYERS;
	return DP_H264_ABOVE_LIMIT;
}

void dp_h264_frame_info(const struct dp_h264_info *in, struct dp_frame_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->frame_start = in->au_start;
	fi->keyframe = in->idr || in->sps || in->pps;
	if (in->layers_unknown) {
		fi->has_layers = 1;
		fi->temporal = DP_H264_TID_UNKNOWN;
	} else if (in->has_layers) {
		fi->has_layers = 1;
		fi->temporal = in->max_tid;
		fi->sync = in->max_tid > 0;
	}
}
