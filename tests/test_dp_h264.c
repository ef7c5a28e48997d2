/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/h264.c: RFC 6184 payloads and RFC 6190 layer ids, one
 * packet at a time (dp_h264_parse).
 *
 *  - Known answers: payloads written out by hand (several copied from the
 *    captures in tests/data/h264/), each with the fields it must give or
 *    the reason it must be refused: single NAL unit packets, STAP-A (good,
 *    a cut size, a size past the end, size 0, nested), FU-A start, middle
 *    and end, the packet types mode 1 excludes, types 14 and 20, PACSI.
 *  - The SVC header extension: every field alone at its largest value,
 *    then a sample of all 2^24 extensions against an independent encoder.
 *  - STAP-As built at random from NAL units of every kind: the parse
 *    counts what was built, and every truncation is refused with the
 *    reason its cut point implies (or parses as the units before the cut).
 *  - Every truncation of every known answer, in a heap buffer of exactly
 *    that length (the suite also runs under ASan): no read past the end,
 *    and the fields stay consistent with the length.
 */
#include "h264.h"
#include "test_util.h"

#define T(t) (1u << (t))
#define L(did, tid) (1ull << ((did) * 8 + (tid)))
#define Q(qid) (1u << (qid))

struct known {
	const char *name;
	const char *hex;
	enum dp_h264_status status;
	struct dp_h264_info want; /* when status is OK */
};

#define INFO(...) ((struct dp_h264_info){ __VA_ARGS__ })
#define SINGLE .packet = DP_H264_PACKET_SINGLE, .nal_count = 1
#define STAP .packet = DP_H264_PACKET_STAP_A, .nal_type = 24
#define FU .packet = DP_H264_PACKET_FU_A, .nal_count = 1
#define PENDING_PREFIX .pending = DP_H264_PENDING_PREFIX
#define PENDING_FRAGMENT .pending = DP_H264_PENDING_FRAGMENT
/* One layer: did, qid, tid. */
#define LAYER(d, q, t) .has_layers = 1, .uniform = 1, .max_did = (d), .max_qid = (q), \
	.max_tid = (t), .layer_mask = L(d, t), .qid_mask = Q(q)

static const struct known known[] = {
	/* Single NAL unit packets (RFC 6184 5.6): the payload is the NAL unit. */
	{ "IDR slice, first_mb_in_slice 0 (ue(v) '1')", "65 88 84 00 33", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 5, .nri = 3, .types = T(5), .idr = 1, .picture_start = 1,
	       .idr_dids = 1, PENDING_PREFIX) },
	{ "non-IDR slice from avc.rtp, first_mb_in_slice 0", "41 9a 20 23 dc", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 1, .nri = 2, .types = T(1), .picture_start = 1,
	       PENDING_PREFIX) },
	{ "second slice: first_mb_in_slice 160 (ue(v) '00000001 0100001')", "41 01 42 6c",
	  DP_H264_OK, INFO(SINGLE, .nal_type = 1, .nri = 2, .types = T(1), PENDING_PREFIX) },
	{ "non-reference slice (NRI 0), header only", "01", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 1, .types = T(1), PENDING_PREFIX) },
	{ "SPS", "67 42 c0 0d da 05 07 ec", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 7, .nri = 3, .types = T(7), .sps = 1) },
	{ "PPS", "68 ce 3c 80", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 8, .nri = 3, .types = T(8), .pps = 1) },
	{ "SEI: no layer, no picture", "06 05 11 22", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 6, .types = T(6)) },
	{ "access unit delimiter", "09 f0", DP_H264_OK, INFO(SINGLE, .nal_type = 9, .types = T(9)) },
	{ "filler data: takes a prefix's ids, never a picture start", "0c ff ff", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 12, .types = T(12), PENDING_PREFIX) },
	{ "subset SPS (type 15): no layer ids of its own", "6f 53 00 0d", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 15, .nri = 3, .types = T(15)) },
	{ "type 23 (reserved in H.264) passes as a NAL unit", "17 00", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 23, .types = T(23)) },

	/* Types 14 and 20 (RFC 6190 1.1.3). */
	{ "prefix NAL unit from l1t3.rtp: TID 2, NRI 0", "0e 80 80 4f", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 14, .types = T(14), LAYER(0, 0, 2), .prefix_out = 1,
	       .prefix = { .tid = 2 }) },
	{ "prefix NAL unit of an IDR: I=1, and its store_ref_base_pic octet",
	  "6e c0 80 07 20", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 14, .nri = 3, .types = T(14), LAYER(0, 0, 0), .idr_dids = 1,
	       .prefix_out = 1, .prefix = { .idr = 1 }) },
	{ "slice extension, DID 1 TID 2 (l2t3.rtp), first_mb 0 not a base picture start",
	  "14 80 90 47 e0 00", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 20, .types = T(20), LAYER(1, 0, 2)) },
	{ "slice extension, every field: I PRID=42 DID 5 QID 9 TID 6 U O RR=2",
	  "74 ea 59 d6", DP_H264_OK,
	  INFO(SINGLE, .nal_type = 20, .nri = 3, .types = T(20), LAYER(5, 9, 6),
	       .idr_dids = 1u << 5) },
	{ "prefix with two of three extension octets", "0e 80 80", DP_H264_SVC_HEADER_CUT },
	{ "slice extension with one extension octet", "14 80", DP_H264_SVC_HEADER_CUT },
	{ "slice extension, header octet only", "14", DP_H264_SVC_HEADER_CUT },
	{ "slice extension with svc_extension_flag 0 (an MVC header)", "14 00 90 47 e0",
	  DP_H264_SVC_NOT_SVC },

	/* What packetization mode 1 does not allow, and the reserved types. */
	{ "empty payload", "", DP_H264_EMPTY },
	{ "type 0", "00 11", DP_H264_RESERVED_TYPE },
	{ "F bit set (a slice)", "e5 88", DP_H264_FORBIDDEN_BIT },
	{ "F bit set with type 0: F is checked first", "80", DP_H264_FORBIDDEN_BIT },
	{ "STAP-B", "19 00 01 00 02 09 f0", DP_H264_STAP_B },
	{ "MTAP16", "1a 00 01 00 02 00 00 00 09 f0", DP_H264_MTAP },
	{ "MTAP24", "1b 00 01 00 02 00 00 00 00 09 f0", DP_H264_MTAP },
	{ "FU-B", "1d 85 00 01 88", DP_H264_FU_B },
	{ "type 31 (RFC 6190 empty NAL unit)", "1f 08", DP_H264_TYPE_31 },
	{ "type 31 (NI-MTAP)", "1f 10 00 02 00 00 09 f0", DP_H264_TYPE_31 },
	{ "PACSI alone (single NAL unit mode only)", "1e 80 80 07 00", DP_H264_PACSI_PLACE },

	/* STAP-A (RFC 6184 5.7.1). */
	{ "STAP-A: SPS, PPS, IDR slice", "78 00 04 67 42 c0 0d 00 02 68 ce 00 03 65 88 84",
	  DP_H264_OK,
	  INFO(STAP, .nri = 3, .nal_count = 3, .types = T(5) | T(7) | T(8), .sps = 1, .pps = 1,
	       .idr = 1, .picture_start = 1, .idr_dids = 1, PENDING_PREFIX) },
	{ "STAP-A with one unit", "18 00 02 09 f0", DP_H264_OK,
	  INFO(STAP, .nal_count = 1, .types = T(9)) },
	{ "STAP-A from l2t3.rtp: prefix TID 2, base slice", "18 00 04 0e 80 80 4f 00 03 01 e0 00",
	  DP_H264_OK,
	  INFO(STAP, .nal_count = 2, .types = T(1) | T(14), .picture_start = 1, LAYER(0, 0, 2),
	       .prefix_out = 1, .prefix = { .tid = 2 }) },
	{ "STAP-A as rtph264pay makes it: prefix, SPS, PPS, IDR slice (prefix scope)",
	  "78 00 05 6e c0 80 07 20 00 02 67 42 00 02 68 ce 00 02 65 b8", DP_H264_OK,
	  INFO(STAP, .nri = 3, .nal_count = 4, .types = T(5) | T(7) | T(8) | T(14), .sps = 1,
	       .pps = 1, .idr = 1, .picture_start = 1, LAYER(0, 0, 0), .idr_dids = 1,
	       .prefix_out = 1, .prefix = { .idr = 1 }) },
	{ "STAP-A mixing layers: prefix + base slice TID 2, DID 1 slice TID 2",
	  "18 00 04 0e 80 80 4f 00 02 01 e0 00 05 14 80 90 47 e0", DP_H264_OK,
	  INFO(STAP, .nal_count = 3, .types = T(1) | T(14) | T(20), .picture_start = 1,
	       .has_layers = 1, .max_did = 1, .max_tid = 2, .layer_mask = L(0, 2) | L(1, 2),
	       .qid_mask = Q(0), .prefix_out = 1, .prefix = { .tid = 2 }) },
	{ "STAP-A: a slice before the prefix needs an earlier packet's",
	  "18 00 02 01 e0 00 04 0e 80 80 27 00 02 01 e0", DP_H264_OK,
	  INFO(STAP, .nal_count = 3, .types = T(1) | T(14), .picture_start = 1, LAYER(0, 0, 1),
	       PENDING_PREFIX, .prefix_out = 1, .prefix = { .tid = 1 }) },
	{ "STAP-A with no unit", "18", DP_H264_STAP_EMPTY },
	{ "STAP-A: one octet where a size belongs", "18 00 02 09 f0 00",
	  DP_H264_STAP_SIZE_CUT },
	{ "STAP-A: a size one past the end", "18 00 03 09 f0", DP_H264_STAP_SIZE_PAST_END },
	{ "STAP-A: the second size past the end", "18 00 02 09 f0 ff ff 09",
	  DP_H264_STAP_SIZE_PAST_END },
	{ "STAP-A: a unit of size 0", "18 00 00 00 02 09 f0", DP_H264_STAP_ZERO_SIZE },
	{ "STAP-A in a STAP-A", "18 00 04 18 00 01 09", DP_H264_STAP_NESTED },
	{ "STAP-B in a STAP-A", "18 00 02 19 00", DP_H264_STAP_NESTED },
	{ "MTAP16 in a STAP-A", "18 00 02 1a 00", DP_H264_STAP_NESTED },
	{ "MTAP24 in a STAP-A", "18 00 02 1b 00", DP_H264_STAP_NESTED },
	{ "FU-A in a STAP-A", "18 00 03 7c 85 88", DP_H264_STAP_NESTED },
	{ "FU-B in a STAP-A", "18 00 03 1d 85 88", DP_H264_STAP_NESTED },
	{ "type 31 in a STAP-A", "18 00 02 1f 08", DP_H264_TYPE_31 },
	{ "type 0 in a STAP-A", "18 00 02 00 00", DP_H264_RESERVED_TYPE },
	{ "F bit in an aggregated unit", "18 00 02 89 f0", DP_H264_FORBIDDEN_BIT },
	{ "F bit in the STAP-A header", "98 00 02 09 f0", DP_H264_FORBIDDEN_BIT },
	{ "a cut prefix in a STAP-A", "18 00 03 0e 80 80 00 02 01 e0", DP_H264_SVC_HEADER_CUT },

	/* PACSI (RFC 6190 4.9), first in a STAP-A. */
	{ "PACSI (X Y T, TL0PICIDX 5, IDRPICID 0x1234, DONC 0x0102) + slice extension",
	  "18 00 0a 1e 80 90 47 e0 05 12 34 01 02 00 04 14 80 90 47", DP_H264_OK,
	  INFO(STAP, .nal_count = 2, .types = T(20) | T(30), LAYER(1, 0, 2), .has_pacsi = 1) },
	{ "PACSI with two SEI NAL units, then prefix + slice",
	  "18 00 0d 1e 80 80 4f 00 00 02 06 05 00 02 06 06 00 04 0e 80 80 4f 00 02 01 e0",
	  DP_H264_OK,
	  INFO(STAP, .nal_count = 3, .types = T(1) | T(14) | T(30), .picture_start = 1,
	       LAYER(0, 0, 2), .has_pacsi = 1, .prefix_out = 1, .prefix = { .tid = 2 }) },
	{ "PACSI the only unit of a STAP-A", "18 00 05 1e 80 80 4f 00", DP_H264_PACSI_PLACE },
	{ "PACSI second in a STAP-A", "18 00 02 09 f0 00 05 1e 80 80 4f 00 00 02 01 e0",
	  DP_H264_PACSI_PLACE },
	{ "PACSI without its flags octet", "18 00 04 1e 80 80 4f 00 02 01 e0",
	  DP_H264_PACSI_CUT },
	{ "PACSI with three extension octets cut to two", "18 00 03 1e 80 80 00 02 01 e0",
	  DP_H264_SVC_HEADER_CUT },
	{ "PACSI with svc_extension_flag 0", "18 00 05 1e 00 80 4f 00 00 02 01 e0",
	  DP_H264_SVC_NOT_SVC },
	{ "PACSI: Y set, IDRPICID cut", "18 00 07 1e 80 80 4f 40 05 12 00 02 01 e0",
	  DP_H264_PACSI_CUT },
	{ "PACSI: T set, DONC cut", "18 00 06 1e 80 80 4f 20 01 00 02 01 e0",
	  DP_H264_PACSI_CUT },
	{ "PACSI: an SEI size cut", "18 00 06 1e 80 80 4f 00 00 00 02 01 e0",
	  DP_H264_PACSI_CUT },
	{ "PACSI: an SEI past its end", "18 00 08 1e 80 80 4f 00 00 03 06 00 02 01 e0",
	  DP_H264_PACSI_CUT },
	{ "PACSI: an SEI of size 0", "18 00 07 1e 80 80 4f 00 00 00 00 02 01 e0",
	  DP_H264_PACSI_BAD_SEI },
	{ "PACSI: a slice where an SEI belongs", "18 00 08 1e 80 80 4f 00 00 01 01 00 02 01 e0",
	  DP_H264_PACSI_BAD_SEI },
	{ "PACSI: an SEI with the F bit", "18 00 08 1e 80 80 4f 00 00 01 86 00 02 01 e0",
	  DP_H264_FORBIDDEN_BIT },

	/* FU-A (RFC 6184 5.8). */
	{ "FU-A start of an IDR slice (avc.rtp)", "7c 85 01 42 22 10", DP_H264_OK,
	  INFO(FU, .nal_type = 5, .nri = 3, .fu_start = 1, .types = T(5), .idr = 1,
	       .idr_dids = 1, PENDING_PREFIX) },
	{ "FU-A start of a picture's first slice", "5c 81 e0 00 40", DP_H264_OK,
	  INFO(FU, .nal_type = 1, .nri = 2, .fu_start = 1, .types = T(1), .picture_start = 1,
	       PENDING_PREFIX) },
	{ "FU-A middle fragment of an IDR slice: not a keyframe start", "7c 05 24 17",
	  DP_H264_OK,
	  INFO(FU, .nal_type = 5, .nri = 3, .types = T(5), PENDING_FRAGMENT) },
	{ "FU-A end fragment", "7c 45 b4 06", DP_H264_OK,
	  INFO(FU, .nal_type = 5, .nri = 3, .fu_end = 1, .types = T(5), PENDING_FRAGMENT) },
	{ "FU-A with an empty payload (allowed)", "5c 01", DP_H264_OK,
	  INFO(FU, .nal_type = 1, .nri = 2, .types = T(1), PENDING_FRAGMENT) },
	{ "FU-A start with an empty payload: no picture start known", "5c 81", DP_H264_OK,
	  INFO(FU, .nal_type = 1, .nri = 2, .fu_start = 1, .types = T(1), PENDING_PREFIX) },
	{ "FU-A start of a slice extension (l2t3.rtp: DID 1, I)", "7c 94 c0 90 07 b4 00",
	  DP_H264_OK,
	  INFO(FU, .nal_type = 20, .nri = 3, .fu_start = 1, .types = T(20), LAYER(1, 0, 0),
	       .idr_dids = 2) },
	{ "FU-A middle of a slice extension", "1c 14 6a 81", DP_H264_OK,
	  INFO(FU, .nal_type = 20, .types = T(20), PENDING_FRAGMENT) },
	{ "FU-A start of a prefix NAL unit", "7c 8e c0 80 07", DP_H264_OK,
	  INFO(FU, .nal_type = 14, .nri = 3, .fu_start = 1, .types = T(14), LAYER(0, 0, 0),
	       .idr_dids = 1, .prefix_out = 1, .prefix = { .idr = 1 }) },
	{ "FU-A middle of an SPS: nothing pending", "7c 07 42", DP_H264_OK,
	  INFO(FU, .nal_type = 7, .nri = 3, .types = T(7)) },
	{ "FU-A start of a slice extension with two extension octets", "7c 94 c0 90",
	  DP_H264_SVC_HEADER_CUT },
	{ "FU-A start of a slice extension with svc_extension_flag 0", "7c 94 40 90 07",
	  DP_H264_SVC_NOT_SVC },
	{ "FU-A without FU header", "7c", DP_H264_FU_NO_HEADER },
	{ "FU-A with S and E", "7c c5 88", DP_H264_FU_START_AND_END },
	{ "FU-A of type 0", "7c 80 88", DP_H264_FU_BAD_TYPE },
	{ "FU-A of a STAP-A", "7c 98 00", DP_H264_FU_BAD_TYPE },
	{ "FU-A of an FU-A", "7c 9c 85", DP_H264_FU_BAD_TYPE },
	{ "FU-A of a PACSI", "7c 9e 80 80 4f", DP_H264_FU_BAD_TYPE },
	{ "FU-A of type 31", "7c 1f 00", DP_H264_FU_BAD_TYPE },
	{ "FU-A indicator with the F bit", "fc 85 88", DP_H264_FORBIDDEN_BIT },
	{ "FU-A: the R bit is ignored", "7c a5 88", DP_H264_OK,
	  INFO(FU, .nal_type = 5, .nri = 3, .fu_start = 1, .types = T(5), .idr = 1,
	       .picture_start = 1, .idr_dids = 1, PENDING_PREFIX) },
};

static int same(const struct dp_h264_info *a, const struct dp_h264_info *b)
{
	return a->packet == b->packet && a->nal_type == b->nal_type && a->nri == b->nri &&
	       a->fu_start == b->fu_start && a->fu_end == b->fu_end &&
	       a->nal_count == b->nal_count && a->types == b->types && a->idr == b->idr &&
	       a->sps == b->sps && a->pps == b->pps && a->picture_start == b->picture_start &&
	       a->has_layers == b->has_layers && a->uniform == b->uniform &&
	       a->max_did == b->max_did && a->max_qid == b->max_qid && a->max_tid == b->max_tid &&
	       a->layer_mask == b->layer_mask && a->qid_mask == b->qid_mask &&
	       a->idr_dids == b->idr_dids && a->pending == b->pending &&
	       a->prefix_out == b->prefix_out &&
	       (!a->prefix_out || !memcmp(&a->prefix, &b->prefix, sizeof(a->prefix))) &&
	       a->has_pacsi == b->has_pacsi && a->au_start == 0 && a->late == 0 &&
	       a->layers_unknown == 0;
}

static void print_info(const char *what, const struct dp_h264_info *i)
{
	fprintf(stderr,
		"  %s: packet %u type %u nri %u S %u E %u count %u types %#x idr %u sps %u pps %u "
		"pic %u layers %u uniform %u did %u qid %u tid %u mask %#llx qids %#x idrs %#x "
		"pending %u prefix %u (%u/%u/%u/%u) pacsi %u\n",
		what, i->packet, i->nal_type, i->nri, i->fu_start, i->fu_end, i->nal_count,
		i->types, i->idr, i->sps, i->pps, i->picture_start, i->has_layers, i->uniform,
		i->max_did, i->max_qid, i->max_tid, (unsigned long long)i->layer_mask, i->qid_mask,
		i->idr_dids, i->pending, i->prefix_out, i->prefix.did, i->prefix.qid,
		i->prefix.tid, i->prefix.idr, i->has_pacsi);
}

/* dp_h264_parse on a heap copy of exactly n bytes. */
static enum dp_h264_status parse_exact(const uint8_t *src, size_t n, struct dp_h264_info *in)
{
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, src, n);
	enum dp_h264_status st = dp_h264_parse(p, (uint32_t)n, in);
	free(p);
	return st;
}

/* What must hold of any accepted payload of n bytes. */
static void check_consistent(const char *name, size_t n, const struct dp_h264_info *in)
{
	CHECK(in->packet >= DP_H264_PACKET_SINGLE && in->packet <= DP_H264_PACKET_FU_A,
	      "%s (%zu bytes): packet kind %u", name, n, in->packet);
	CHECK(in->nal_count >= 1 && in->nal_count <= n, "%s (%zu bytes): %u NAL units", name, n,
	      in->nal_count);
	CHECK(in->types != 0 && !(in->types & (T(0) | T(24) | T(25) | T(26) | T(27) | T(28) |
					       T(29) | T(31))),
	      "%s (%zu bytes): types %#x", name, n, in->types);
	CHECK(!in->idr || (in->types & T(5)), "%s: idr without type 5", name);
	CHECK(!in->has_layers || (in->layer_mask && in->qid_mask), "%s: layers, no mask", name);
	CHECK(in->has_layers || (!in->layer_mask && !in->max_tid && !in->max_did),
	      "%s: a mask without layers", name);
	CHECK(!in->fu_start || !in->fu_end, "%s: S and E", name);
	CHECK(in->packet == DP_H264_PACKET_FU_A || (!in->fu_start && !in->fu_end),
	      "%s: S or E outside an FU-A", name);
}

static void test_known(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(known); i++) {
		const struct known *k = &known[i];
		uint8_t buf[128];
		size_t n = test_hex(k->hex, buf, sizeof(buf));
		struct dp_h264_info in;
		enum dp_h264_status st = parse_exact(buf, n, &in);

		CHECK(st == k->status, "\"%s\": %s, expected %s", k->name, dp_h264_status_str(st),
		      dp_h264_status_str(k->status));
		if (st != DP_H264_OK || k->status != DP_H264_OK)
			continue;
		if (!same(&in, &k->want)) {
			CHECK(0, "\"%s\": fields differ", k->name);
			print_info("got     ", &in);
			print_info("expected", &k->want);
		}
		check_consistent(k->name, n, &in);

		/* Every shorter length, in its own exact buffer: whatever the
		 * verdict, nothing is read past the end. */
		for (size_t cut = 0; cut < n; cut++) {
			st = parse_exact(buf, cut, &in);
			CHECK(st < DP_H264_STATUS_COUNT, "\"%s\" cut to %zu: status %d", k->name,
			      cut, st);
			if (st == DP_H264_OK)
				check_consistent(k->name, cut, &in);
		}
	}
}

/* The PACSI rows' fields, beyond the summary the table checks. */
static void test_pacsi_fields(void)
{
	uint8_t buf[64];
	struct dp_h264_info in;
	size_t n = test_hex("18 00 0e 1e ea 59 d6 ff 05 12 34 01 02 00 02 06 05 00 04 14 80 90 47",
			    buf, sizeof(buf));

	CHECK(parse_exact(buf, n, &in) == DP_H264_OK, "PACSI with every flag");
	const struct dp_h264_pacsi *p = &in.pacsi;
	CHECK(in.has_pacsi && p->x && p->y && p->t && p->a && p->p && p->c && p->s && p->e,
	      "PACSI flags");
	CHECK(p->tl0picidx == 5 && p->idrpicid == 0x1234 && p->donc == 0x0102 &&
	      p->sei_count == 1, "PACSI fields: tl0 %u idrpicid %#x donc %#x seis %u",
	      p->tl0picidx, p->idrpicid, p->donc, p->sei_count);
	CHECK(p->svc.idr_flag && p->svc.priority_id == 42 && p->svc.dependency_id == 5 &&
	      p->svc.quality_id == 9 && p->svc.temporal_id == 6, "PACSI header ids");
	/* The PACSI header's ids are a summary: only the slice extension's count. */
	CHECK(in.layer_mask == L(1, 2) && in.max_did == 1 && in.max_tid == 2,
	      "PACSI ids are not the packet's layers");

	n = test_hex("18 00 05 1e 80 80 4f 00 00 02 01 e0", buf, sizeof(buf));
	CHECK(parse_exact(buf, n, &in) == DP_H264_OK && !in.pacsi.y && !in.pacsi.t &&
	      in.pacsi.tl0picidx == 0 && in.pacsi.sei_count == 0, "PACSI with no option");
}

/* ---- the SVC extension against an independent encoder ----------------- */

static void encode_svc(const struct dp_h264_svc *s, uint8_t out[3])
{
	uint32_t v = 0;

	/* Field by field, most significant first, as H.264 G.7.3.1.1 lists
	 * them with their widths. */
	const struct { uint8_t value, bits; } fields[] = {
		{ s->svc_extension_flag, 1 }, { s->idr_flag, 1 }, { s->priority_id, 6 },
		{ s->no_inter_layer_pred_flag, 1 }, { s->dependency_id, 3 }, { s->quality_id, 4 },
		{ s->temporal_id, 3 }, { s->use_ref_base_pic_flag, 1 }, { s->discardable_flag, 1 },
		{ s->output_flag, 1 }, { s->reserved_three_2bits, 2 },
	};
	for (unsigned i = 0; i < ARRAY_LEN(fields); i++)
		v = v << fields[i].bits | (fields[i].value & ((1u << fields[i].bits) - 1));
	out[0] = (uint8_t)(v >> 16);
	out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)v;
}

static void test_svc_fields(void)
{
	/* Each field alone at its largest value: exactly its bits are set. */
	static const struct {
		const char *name;
		struct dp_h264_svc svc;
		uint32_t bits;
	} alone[] = {
		{ "R", { .svc_extension_flag = 1 }, 0x800000 },
		{ "I", { .idr_flag = 1 }, 0x400000 },
		{ "PRID", { .priority_id = 63 }, 0x3f0000 },
		{ "N", { .no_inter_layer_pred_flag = 1 }, 0x008000 },
		{ "DID", { .dependency_id = 7 }, 0x007000 },
		{ "QID", { .quality_id = 15 }, 0x000f00 },
		{ "TID", { .temporal_id = 7 }, 0x0000e0 },
		{ "U", { .use_ref_base_pic_flag = 1 }, 0x000010 },
		{ "D", { .discardable_flag = 1 }, 0x000008 },
		{ "O", { .output_flag = 1 }, 0x000004 },
		{ "RR", { .reserved_three_2bits = 3 }, 0x000003 },
	};
	for (unsigned i = 0; i < ARRAY_LEN(alone); i++) {
		uint8_t ext[3] = { (uint8_t)(alone[i].bits >> 16), (uint8_t)(alone[i].bits >> 8),
				   (uint8_t)alone[i].bits };
		struct dp_h264_svc got;

		dp_h264_svc_parse(ext, &got);
		CHECK(!memcmp(&got, &alone[i].svc, sizeof(got)), "%s alone", alone[i].name);
	}

	/* A stride through all 2^24 extensions (and both ends): parse, encode
	 * independently, compare; inside a type 20 NAL unit, the ids reach
	 * the packet summary unless svc_extension_flag is 0. */
	for (uint32_t v = 0;; v += 4099) {
		if (v > 0xffffff)
			v = 0xffffff;
		uint8_t ext[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v }, again[3];
		uint8_t nal[5] = { 0x14, ext[0], ext[1], ext[2], 0x80 };
		struct dp_h264_svc s;
		struct dp_h264_info in;

		dp_h264_svc_parse(ext, &s);
		encode_svc(&s, again);
		CHECK(!memcmp(ext, again, 3), "extension %06x encodes back as %02x%02x%02x", v,
		      again[0], again[1], again[2]);
		enum dp_h264_status st = parse_exact(nal, sizeof(nal), &in);
		if (!s.svc_extension_flag) {
			CHECK(st == DP_H264_SVC_NOT_SVC, "extension %06x: %s", v,
			      dp_h264_status_str(st));
			goto next;
		}
		CHECK(st == DP_H264_OK && in.has_layers && in.max_did == s.dependency_id &&
		      in.max_qid == s.quality_id && in.max_tid == s.temporal_id &&
		      in.layer_mask == L(s.dependency_id, s.temporal_id) &&
		      in.idr_dids == (s.idr_flag ? 1u << s.dependency_id : 0),
		      "extension %06x in a type 20 NAL unit", v);
	next:
		if (v == 0xffffff)
			break;
	}
}

/* ---- random STAP-As ----------------------------------------------------- */

/* NAL units a STAP-A may hold, each with what it adds. */
static const struct {
	const char *hex;
	uint32_t type;
} units[] = {
	{ "67 42 c0 0d da", 7 }, { "68 ce 3c 80", 8 }, { "06 05 01 ff", 6 }, { "09 f0", 9 },
	{ "65 88 84 00 11 22", 5 }, { "41 9a 20", 1 }, { "01 01 42 6c", 1 },
	{ "0e 80 80 4f", 14 }, { "6e c0 80 07 20", 14 }, { "14 80 90 47 e0", 20 },
	{ "74 c0 90 07", 20 }, { "0c ff", 12 }, { "6f 53", 15 },
};

static void test_random_staps(void)
{
	uint64_t rng = 0x5354524c48323634ull;

	for (unsigned round = 0; round < 2000; round++) {
		uint8_t pkt[512];
		size_t n = 0, bounds[16];
		unsigned count = 1 + test_rand(&rng) % 12;
		uint32_t types = 0;

		pkt[n++] = 0x78;
		for (unsigned u = 0; u < count; u++) {
			uint8_t nal[32];
			unsigned pick = test_rand(&rng) % ARRAY_LEN(units);
			size_t len = test_hex(units[pick].hex, nal, sizeof(nal));

			/* Some random trailing octets: data the parser never reads. */
			size_t extra = test_rand(&rng) % 8;
			for (size_t e = 0; e < extra; e++)
				nal[len++] = (uint8_t)test_rand(&rng);
			pkt[n++] = (uint8_t)(len >> 8);
			pkt[n++] = (uint8_t)len;
			memcpy(pkt + n, nal, len);
			n += len;
			bounds[u] = n;
			types |= T(units[pick].type);
		}

		struct dp_h264_info in;
		enum dp_h264_status st = parse_exact(pkt, n, &in);
		CHECK(st == DP_H264_OK && in.nal_count == count && in.types == types,
		      "random STAP-A %u: %s, %u of %u units, types %#x of %#x", round,
		      dp_h264_status_str(st), in.nal_count, count, in.types, types);

		/* Every cut: at a unit boundary the units before it; one octet
		 * after a boundary, a cut size; anywhere else, a unit past the
		 * end. */
		for (size_t cut = 1; cut < n; cut++) {
			enum dp_h264_status want = DP_H264_STAP_SIZE_PAST_END;
			unsigned whole = 0;

			while (whole < count && bounds[whole] <= cut)
				whole++;
			size_t last = whole ? bounds[whole - 1] : 1;
			if (cut == 1)
				want = DP_H264_STAP_EMPTY;
			else if (cut == last)
				want = DP_H264_OK;
			else if (cut == last + 1)
				want = DP_H264_STAP_SIZE_CUT;
			st = parse_exact(pkt, cut, &in);
			CHECK(st == want && (st != DP_H264_OK || in.nal_count == whole),
			      "random STAP-A %u cut to %zu of %zu: %s, expected %s", round, cut, n,
			      dp_h264_status_str(st), dp_h264_status_str(want));
		}
	}
}

static void test_names(void)
{
	for (int s = 0; s < DP_H264_STATUS_COUNT; s++)
		CHECK(dp_h264_status_str((enum dp_h264_status)s)[0] != '?', "status %d unnamed", s);
	CHECK(!strcmp(dp_h264_status_str(DP_H264_OK), "ok"), "OK's name");
	CHECK(!strcmp(dp_h264_status_str(DP_H264_STATUS_COUNT), "?"), "past the list");
	for (int v = 0; v < DP_H264_VERDICT_COUNT; v++)
		CHECK(dp_h264_verdict_str((enum dp_h264_verdict)v)[0] != '?', "verdict %d", v);
	CHECK(!strcmp(dp_h264_verdict_str(DP_H264_VERDICT_COUNT), "?"), "past the verdicts");
}

int main(void)
{
	test_known();
	test_pacsi_fields();
	test_svc_fields();
	test_random_staps();
	test_names();
	return test_summary("dp_h264");
}
