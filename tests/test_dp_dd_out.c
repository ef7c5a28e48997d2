/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/dd_out.h: a receiver's dependency descriptor (its active
 * decode targets, its frame numbers) and the RTP header that carries it,
 * as the fan-out writes it and a retransmission must write it again
 * (rtx_svc.c).  Descriptors from the independent encoder of
 * test_dp_av1_dd_builder.c (the specification's L3T3 structure, A.10.2.2);
 * each output is parsed back with dataplane/codec/av1_dd.c and must say
 * the receiver's mask and frame number, the rest as the input.
 */
#include "dd_out.h"
#include "rtp_header.h"
#include "test_dp_av1_dd_builder.h"
#include "test_util.h"

#define DD_ID 13

/* A stream that has learnt s (its keyframe's first descriptor). */
static void learn(struct dp_av1_dd_stream *st, const struct ddb_structure *s)
{
	uint8_t key[256];
	struct dp_av1_dd_frame f;
	struct ddb_desc d = {.sof = 1, .template_id = s->offset, .frame_number = 100, .attach = s};
	size_t n = ddb_encode(&d, key, sizeof(key));

	dp_av1_dd_stream_init(st);
	CHECK(dp_av1_dd_parse(st, key, n, &f) == DP_AV1_DD_OK, "the keyframe's descriptor parses");
}

static void case_descriptor(void)
{
	const struct ddb_structure *s = &ddb_l3t3;
	static struct dp_av1_dd_stream st, st2;
	uint8_t in[256], out[DP_DD_OUT_MAX], ref[DP_DD_OUT_MAX];
	struct dp_av1_dd_frame f;

	learn(&st, s);
	const struct dp_av1_dd_structure *cur = &st.slot[st.cur];
	struct ddb_desc d = {.template_id = (uint8_t)(s->offset + 1), .frame_number = 103, .ref = s};
	size_t n = ddb_encode(&d, in, sizeof(in));
	CHECK(n == DP_AV1_DD_MIN_LEN, "1: the mandatory fields alone (%zu octets)", n);

	/* 1 neither a rewrite nor a renumbering: the input's. */
	CHECK(dp_dd_out(in, (uint32_t)n, cur, 1, false, 0, out, sizeof(out)) == 0,
	      "1: unchanged says 0");
	/* 2 renumbered only: the same octets but the frame number. */
	int l = dp_dd_out(in, (uint32_t)n, cur, 1, false, 40, out, sizeof(out));
	CHECK(l == (int)n && out[0] == in[0] && (out[1] << 8 | out[2]) == 103 - 40,
	      "2: frame number 103 - 40, length %d", l);
	/* 3 rewritten with decode targets 0..2 (S0T0..S0T2) and renumbered:
	 * dp_av1_dd_rewrite's output with the receiver's frame number, which
	 * the parser reads back as the receiver's mask. */
	uint32_t mask = 0x7;
	l = dp_dd_out(in, (uint32_t)n, cur, mask, true, 0xfff0, out, sizeof(out));
	size_t rl = dp_av1_dd_rewrite(in, n, cur, mask, ref, sizeof(ref));
	CHECK(l > (int)n && (size_t)l == rl && memcmp(out + 3, ref + 3, rl - 3) == 0 &&
	      out[0] == ref[0], "3: dp_av1_dd_rewrite's output (%d, %zu octets)", l, rl);
	st2 = st;
	CHECK(dp_av1_dd_parse(&st2, out, (size_t)l, &f) == DP_AV1_DD_OK && f.active_present &&
	      f.active_mask == mask && (uint16_t)f.frame_number == (uint16_t)(103 + 0x10),
	      "3: parsed back: mask %#x, frame %u", f.active_mask, (unsigned)(uint16_t)f.frame_number);
	/* 4 a descriptor with the structure, rewritten: the structure kept. */
	struct ddb_desc k = {.sof = 1, .template_id = s->offset, .frame_number = 200, .attach = s};
	n = ddb_encode(&k, in, sizeof(in));
	l = dp_dd_out(in, (uint32_t)n, NULL, 0x1, true, 0, out, sizeof(out));
	st2 = st;
	CHECK(l > 0 && dp_av1_dd_parse(&st2, out, (size_t)l, &f) == DP_AV1_DD_OK &&
	      f.structure_attached && !f.structure_changed && f.active_mask == 0x1 &&
	      (uint16_t)f.frame_number == 200, "4: structure kept, mask 0x1 (%d octets)", l);
	/* 5 refusals: too short, no room. */
	CHECK(dp_dd_out(in, 2, cur, 1, false, 1, out, sizeof(out)) == -1, "5: two octets");
	CHECK(dp_dd_out(in, (uint32_t)n, NULL, 1, true, 0, out, 4) == -1, "5: no room");
	CHECK(dp_dd_out(in, (uint32_t)n, cur, 1, false, 1, out, 2) == -1, "5: no room to copy");
}

/* An RTP header with one-byte extensions: id 2 (3 octets), then the
 * descriptor (dd_len octets). */
static uint32_t header(uint8_t *h, const uint8_t *dd, uint32_t dd_len, uint32_t *dd_off)
{
	uint32_t e = 16;

	memset(h, 0, 64);
	h[0] = 0x90;
	h[1] = 45;
	h[12] = 0xbe, h[13] = 0xde;
	h[e++] = 0x22, h[e++] = 1, h[e++] = 2, h[e++] = 3;
	h[e++] = (uint8_t)(DD_ID << 4 | (dd_len - 1));
	*dd_off = e;
	memcpy(h + e, dd, dd_len);
	e += dd_len;
	while ((e - 16) % 4)
		h[e++] = 0;
	h[14] = 0, h[15] = (uint8_t)((e - 16) / 4);
	return e;
}

static void case_header(void)
{
	uint8_t dd3[3] = {0x80, 0x01, 0x02}, dd3b[3] = {0x80, 0x07, 0x08}, dd9[9];
	uint8_t h[64], out[128];
	uint32_t off, hl = header(h, dd3, 3, &off), ol, l = 0;
	const uint8_t *p;

	for (unsigned i = 0; i < sizeof(dd9); i++)
		dd9[i] = (uint8_t)(0x90 + i);
	/* 6 the same length: written over the input's, at its offset. */
	uint32_t at = 0;
	ol = dp_dd_out_header(h, hl, DD_ID, off, 3, dd3b, 3, out, sizeof(out), &at);
	p = ol ? strata_rtp_ext_find(out, ol, DD_ID, &l) : NULL;
	CHECK(ol == hl && p == out + off && at == off && l == 3 && memcmp(p, dd3b, 3) == 0,
	      "6: same length, in place");
	/* 7 longer: the block grows, the other element stays. */
	ol = dp_dd_out_header(h, hl, DD_ID, off, 3, dd9, 9, out, sizeof(out), &at);
	uint32_t hdr_len = 0;
	CHECK(ol > hl && strata_rtp_header_len(out, ol, &hdr_len) == STRATA_RTP_PARSE_OK &&
	      hdr_len == ol, "7: a longer header (%u -> %u)", hl, ol);
	p = ol ? strata_rtp_ext_find(out, ol, DD_ID, &l) : NULL;
	CHECK(p != NULL && p == out + at && l == 9 && memcmp(p, dd9, 9) == 0,
	      "7: the new descriptor, where it says");
	p = ol ? strata_rtp_ext_find(out, ol, 2, &l) : NULL;
	CHECK(p != NULL && l == 3 && p[0] == 1 && p[2] == 3, "7: element 2 kept");
	CHECK(memcmp(out, h, 12) == 0, "7: fixed header kept");
	/* 8 no room: 0. */
	CHECK(dp_dd_out_header(h, hl, DD_ID, off, 3, dd9, 9, out, hl, NULL) == 0, "8: no room");
	CHECK(dp_dd_out_header(h, hl, DD_ID, off, 3, dd3b, 3, out, hl - 1, NULL) == 0,
	      "8: no room (same)");
}

int main(void)
{
	case_descriptor();
	case_header();
	return test_summary("dp_dd_out");
}
