/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp's builders and report block arithmetic.
 *
 *  - Known answers: each builder's exact octets for fixed arguments
 *    (libwebrtc's NACK packets among them), and a compound packet.
 *  - Capacity: for every builder, every capacity short of the packet
 *    returns 0 and writes nothing (exact-size heap buffers filled with a
 *    canary), and arguments that cannot make a valid packet return 0.
 *  - Round trips: random arguments for every builder, alone and as random
 *    compounds, parse back to the same fields.
 *  - RFC 3550's arithmetic: its Figure 2 round trip, NTP conversion, DLSR,
 *    fraction lost (Appendix A.3) and the 24-bit clamp.
 */
#include "test_dp_rtcp.h"
#include "test_util.h"

static const struct dp_rtcp_report_block two_blocks[] = {
	{ .ssrc = 0x01020304, .fraction_lost = 64, .cumulative_lost = 5,
	  .ext_highest_seq = 65552, .jitter = 32, .lsr = 0xb7052000, .dlsr = 0x00054000 },
	{ .ssrc = 0xa0b0c0d0, .fraction_lost = 255, .cumulative_lost = -1,
	  .ext_highest_seq = 0xffffffff, .jitter = 0xffffffff, .lsr = 0xffffffff,
	  .dlsr = 0xffffffff },
};
static const struct dp_rtcp_sender_info sinfo = {
	.ntp = 0xb44db70520000000ull, .rtp_ts = 123456, .packet_count = 10, .octet_count = 1000,
};
static const struct dp_rtcp_fir_entry fir2[] = { { 0x55667788, 7 }, { 0x99aabbcc, 255 } };
static const uint16_t nack_list[] = { 0, 1, 3, 8, 16 };
static const uint16_t nack_wrap[] = { 0xffdc, 0xffec, 0xfffe, 0xffff, 0x0000,
				      0x0001, 0x0003, 0x0014, 0x0064 };
static const uint32_t remb_ssrcs[] = { 0x23456789, 0x2345678a, 0x2345678b };
static const uint32_t bye_ssrcs[] = { 0x11111111, 0x22222222 };
static const uint8_t cname[] = "user@example.com";

#define BLOCK_ARGS(...) ((const struct dp_rtcp_report_block[]){ __VA_ARGS__ })

/* A builder call with fixed arguments, as a compound part. */
struct known {
	const char *name;
	struct dp_rtcp_part part;
	const char *hex;
};

static const struct known known[] = {
	{ "SR, no blocks",
	  { .type = DP_RTCP_PART_SR, .ssrc = 0x11223344, .report = { &sinfo, NULL, 0 } },
	  "80 c8 00 06  11 22 33 44  b4 4d b7 05 20 00 00 00  00 01 e2 40  00 00 00 0a "
	  "00 00 03 e8" },
	{ "SR, two blocks",
	  { .type = DP_RTCP_PART_SR, .ssrc = 0x11223344,
	    .report = { &sinfo, two_blocks, 2 } },
	  "82 c8 00 12  11 22 33 44  b4 4d b7 05 20 00 00 00  00 01 e2 40  00 00 00 0a "
	  "00 00 03 e8  01 02 03 04  40 00 00 05  00 01 00 10  00 00 00 20  b7 05 20 00 "
	  "00 05 40 00  a0 b0 c0 d0  ff ff ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff "
	  "ff ff ff ff" },
	{ "empty RR", { .type = DP_RTCP_PART_RR, .ssrc = 0x11223344 }, "80 c9 00 01  11 22 33 44" },
	{ "RR, cumulative lost past 24 bits is clamped",
	  { .type = DP_RTCP_PART_RR, .ssrc = 0x11223344,
	    .report = { NULL, BLOCK_ARGS({ .ssrc = 1, .cumulative_lost = 0x1000000 }), 1 } },
	  "81 c9 00 07  11 22 33 44  00 00 00 01  00 7f ff ff  00 00 00 00  00 00 00 00 "
	  "00 00 00 00  00 00 00 00" },
	{ "RR, a loss below -2^23 is clamped",
	  { .type = DP_RTCP_PART_RR, .ssrc = 0x11223344,
	    .report = { NULL, BLOCK_ARGS({ .ssrc = 1, .cumulative_lost = -0x800001 }), 1 } },
	  "81 c9 00 07  11 22 33 44  00 00 00 01  00 80 00 00  00 00 00 00  00 00 00 00 "
	  "00 00 00 00  00 00 00 00" },
	{ "SDES CNAME",
	  { .type = DP_RTCP_PART_SDES_CNAME, .ssrc = 0x11223344, .sdes = { cname, 16 } },
	  "81 ca 00 06  11 22 33 44  01 10 75 73 65 72 40 65 78 61 6d 70 6c 65 2e 63 6f 6d "
	  "00 00" },
	{ "SDES CNAME of 2 octets: the null octet and its padding",
	  { .type = DP_RTCP_PART_SDES_CNAME, .ssrc = 0x11223344, .sdes = { cname, 2 } },
	  "81 ca 00 03  11 22 33 44  01 02 75 73  00 00 00 00" },
	{ "SDES empty CNAME",
	  { .type = DP_RTCP_PART_SDES_CNAME, .ssrc = 0x11223344, .sdes = { NULL, 0 } },
	  "81 ca 00 02  11 22 33 44  01 00 00 00" },
	{ "BYE of two", { .type = DP_RTCP_PART_BYE, .list = { bye_ssrcs, 2 } },
	  "82 cb 00 02  11 11 11 11  22 22 22 22" },
	{ "PLI", { .type = DP_RTCP_PART_PLI, .ssrc = 0x11223344, .media_ssrc = 0x55667788 },
	  "81 ce 00 02  11 22 33 44  55 66 77 88" },
	{ "FIR of two", { .type = DP_RTCP_PART_FIR, .ssrc = 0x11223344, .fir = { fir2, 2 } },
	  "84 ce 00 06  11 22 33 44  00 00 00 00  55 66 77 88  07 00 00 00  99 aa bb cc "
	  "ff 00 00 00" },
	{ "NACK: libwebrtc's kPacket",
	  { .type = DP_RTCP_PART_NACK, .ssrc = 0x12345678, .media_ssrc = 0x23456789,
	    .nack = { nack_list, 5 } },
	  "81 cd 00 03  12 34 56 78  23 45 67 89  00 00 80 85" },
	{ "NACK: libwebrtc's kWrapPacket",
	  { .type = DP_RTCP_PART_NACK, .ssrc = 0x12345678, .media_ssrc = 0x23456789,
	    .nack = { nack_wrap, 9 } },
	  "81 cd 00 06  12 34 56 78  23 45 67 89  ff dc 80 00  ff fe 00 17  00 14 00 00 "
	  "00 64 00 00" },
	{ "REMB: libwebrtc's kPacket",
	  { .type = DP_RTCP_PART_REMB, .ssrc = 0x12345678, .remb = { 522022, remb_ssrcs, 3 } },
	  "8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  03 07 fb 93  23 45 67 89 "
	  "23 45 67 8a  23 45 67 8b" },
	{ "REMB without SSRCs",
	  { .type = DP_RTCP_PART_REMB, .ssrc = 0x12345678, .remb = { 522022, NULL, 0 } },
	  "8f ce 00 04  12 34 56 78  00 00 00 00  52 45 4d 42  00 07 fb 93" },
};

/* One part built alone into a canary-filled exact buffer of `cap`. */
static uint32_t build_into(const struct dp_rtcp_part *part, uint32_t cap, uint8_t **out)
{
	uint8_t *b = malloc(cap ? cap : 1);
	memset(b, 0xa5, cap ? cap : 1);
	*out = b;
	return dp_rtcp_build_compound(b, cap, part, 1);
}

static void test_known(void)
{
	for (unsigned k = 0; k < ARRAY_LEN(known); k++) {
		const struct known *row = &known[k];
		uint8_t want[256], *b;
		uint32_t want_len = (uint32_t)test_hex(row->hex, want, sizeof(want));

		uint32_t len = build_into(&row->part, want_len, &b);
		CHECK(len == want_len, "known %u (%s): %u octets, want %u", k + 1, row->name, len,
		      want_len);
		CHECK_MEM(b, want, want_len, row->name);
		const char *why = rt_check_buffer(b, want_len, 0);
		CHECK(!why, "known %u (%s): %s", k + 1, row->name, why);
		free(b);

		/* Every shorter capacity: 0, nothing written. */
		for (uint32_t cap = 0; cap < want_len; cap++) {
			len = build_into(&row->part, cap, &b);
			bool untouched = true;
			for (uint32_t i = 0; i < cap; i++)
				untouched &= b[i] == 0xa5;
			CHECK(len == 0 && untouched, "known %u (%s): cap %u gave %u%s", k + 1,
			      row->name, cap, len, untouched ? "" : ", wrote octets");
			free(b);
		}
	}
}

static void test_compound(void)
{
	/* RR, SDES, PLI, NACK, REMB: the parse test's compound row. */
	const struct dp_rtcp_part parts[] = {
		known[2].part, known[5].part, known[9].part, known[11].part, known[13].part,
	};
	uint8_t want[512], buf[512];
	uint32_t want_len = 0;
	const unsigned idx[] = { 2, 5, 9, 11, 13 };
	for (unsigned i = 0; i < ARRAY_LEN(idx); i++)
		want_len += (uint32_t)test_hex(known[idx[i]].hex, want + want_len,
					       sizeof(want) - want_len);

	uint32_t len = dp_rtcp_build_compound(buf, sizeof(buf), parts, ARRAY_LEN(parts));
	CHECK(len == want_len, "compound: %u octets, want %u", len, want_len);
	CHECK_MEM(buf, want, want_len, "compound");
	CHECK(dp_rtcp_validate(buf, len, DP_RTCP_REQUIRE_REPORT_FIRST) == DP_RTCP_OK,
	      "compound passes the compound rule");
	for (uint32_t cap = 0; cap < want_len; cap++)
		CHECK(dp_rtcp_build_compound(buf, cap, parts, ARRAY_LEN(parts)) == 0,
		      "compound with cap %u", cap);
	CHECK(dp_rtcp_build_compound(buf, sizeof(buf), parts, 0) == 0, "empty compound");
}

/* Arguments no valid packet can carry. */
static void test_refused_arguments(void)
{
	static struct dp_rtcp_report_block blocks[32];
	static uint32_t ssrcs[DP_RTCP_REMB_MAX_SSRCS + 1];
	static uint8_t long_cname[256];
	static uint8_t buf[4096];

	CHECK(dp_rtcp_build_rr(buf, sizeof(buf), 1, blocks, 32) == 0, "RR with 32 blocks");
	CHECK(dp_rtcp_build_rr(buf, sizeof(buf), 1, blocks, 31) == 8 + 31 * 24, "RR with 31");
	CHECK(dp_rtcp_build_sr(buf, sizeof(buf), 1, &sinfo, blocks, 32) == 0, "SR with 32 blocks");
	CHECK(dp_rtcp_build_sr(buf, sizeof(buf), 1, NULL, blocks, 1) == 0, "SR without info");
	CHECK(dp_rtcp_build_rr(buf, sizeof(buf), 1, NULL, 1) == 0, "RR blocks missing");
	CHECK(dp_rtcp_build_bye(buf, sizeof(buf), ssrcs, 32) == 0, "BYE of 32");
	CHECK(dp_rtcp_build_bye(buf, sizeof(buf), ssrcs, 0) == 4, "BYE of none");
	CHECK(dp_rtcp_build_fir(buf, sizeof(buf), 1, fir2, 0) == 0, "FIR of none");
	CHECK(dp_rtcp_build_nack(buf, sizeof(buf), 1, 2, nack_list, 0) == 0, "NACK of none");
	CHECK(dp_rtcp_build_remb(buf, sizeof(buf), 1, 1, ssrcs, DP_RTCP_REMB_MAX_SSRCS + 1) == 0,
	      "REMB of 65");
	CHECK(dp_rtcp_build_sdes_cname(buf, sizeof(buf), 1, long_cname, 256) == 0,
	      "CNAME of 256");
	CHECK(dp_rtcp_build_sdes_cname(buf, sizeof(buf), 1, long_cname, 255) == 4 + 264,
	      "CNAME of 255");
	CHECK(dp_rtcp_build_pli(buf, 11, 1, 2) == 0, "PLI in 11 octets");
}

/* Random parts of every type; each compound must parse back field by field. */
struct gen {
	struct dp_rtcp_part parts[8];
	struct dp_rtcp_sender_info si[8];
	struct dp_rtcp_report_block blocks[8][31];
	uint8_t cname[8][255];
	uint32_t ssrcs[8][64];
	uint16_t seqs[8][200];
	struct dp_rtcp_fir_entry fir[8][20];
};

static void random_part(uint64_t *rs, struct gen *g, unsigned k)
{
	struct dp_rtcp_part *p = &g->parts[k];
	memset(p, 0, sizeof(*p));
	p->type = (enum dp_rtcp_part_type)(test_rand(rs) % (DP_RTCP_PART_REMB + 1));
	p->ssrc = test_rand(rs);
	p->media_ssrc = test_rand(rs);
	for (unsigned i = 0; i < 64; i++)
		g->ssrcs[k][i] = test_rand(rs);
	switch (p->type) {
	case DP_RTCP_PART_SR:
	case DP_RTCP_PART_RR:
		g->si[k] = (struct dp_rtcp_sender_info){
			.ntp = (uint64_t)test_rand(rs) << 32 | test_rand(rs),
			.rtp_ts = test_rand(rs), .packet_count = test_rand(rs),
			.octet_count = test_rand(rs),
		};
		p->report.si = p->type == DP_RTCP_PART_SR ? &g->si[k] : NULL;
		p->report.n = test_rand(rs) % 32;
		for (unsigned i = 0; i < p->report.n; i++)
			g->blocks[k][i] = (struct dp_rtcp_report_block){
				.ssrc = test_rand(rs), .fraction_lost = (uint8_t)test_rand(rs),
				.cumulative_lost = (int32_t)(test_rand(rs) % 0x1000000) - 0x800000,
				.ext_highest_seq = test_rand(rs), .jitter = test_rand(rs),
				.lsr = test_rand(rs), .dlsr = test_rand(rs),
			};
		p->report.blocks = g->blocks[k];
		break;
	case DP_RTCP_PART_SDES_CNAME:
		p->sdes.len = test_rand(rs) % 256;
		for (unsigned i = 0; i < p->sdes.len; i++)
			g->cname[k][i] = (uint8_t)test_rand(rs);
		p->sdes.cname = g->cname[k];
		break;
	case DP_RTCP_PART_BYE:
		p->list.n = test_rand(rs) % 32;
		p->list.ssrcs = g->ssrcs[k];
		break;
	case DP_RTCP_PART_PLI:
		break;
	case DP_RTCP_PART_FIR:
		p->fir.n = 1 + test_rand(rs) % 20;
		for (unsigned i = 0; i < p->fir.n; i++)
			g->fir[k][i] = (struct dp_rtcp_fir_entry){ test_rand(rs), (uint8_t)test_rand(rs) };
		p->fir.entries = g->fir[k];
		break;
	case DP_RTCP_PART_NACK: {
		p->nack.n = 1 + test_rand(rs) % 200;
		uint16_t s = (uint16_t)test_rand(rs);
		for (unsigned i = 0; i < p->nack.n; i++) {
			g->seqs[k][i] = s;
			s = (uint16_t)(s + 1 + test_rand(rs) % 20);
		}
		p->nack.seqs = g->seqs[k];
		break;
	}
	case DP_RTCP_PART_REMB:
		/* Rates an 18-bit mantissa holds exactly, of every magnitude. */
		p->remb.bitrate_bps = (uint64_t)(test_rand(rs) % 0x40000) << (test_rand(rs) % 47);
		p->remb.n = test_rand(rs) % 65;
		p->remb.ssrcs = g->ssrcs[k];
		break;
	}
}

static bool same_block(const struct dp_rtcp_report_block *a, const struct dp_rtcp_report_block *b)
{
	return a->ssrc == b->ssrc && a->fraction_lost == b->fraction_lost &&
	       a->cumulative_lost == b->cumulative_lost && a->ext_highest_seq == b->ext_highest_seq &&
	       a->jitter == b->jitter && a->lsr == b->lsr && a->dlsr == b->dlsr;
}

/* Does the parsed item carry exactly the part's arguments? */
static const char *compare(const struct dp_rtcp_part *p, const struct dp_rtcp_item *it)
{
	switch (p->type) {
	case DP_RTCP_PART_SR:
	case DP_RTCP_PART_RR: {
		struct dp_rtcp_report_block rb;
		if (it->type != (p->type == DP_RTCP_PART_SR ? DP_RTCP_ITEM_SR : DP_RTCP_ITEM_RR) ||
		    it->ssrc != p->ssrc || it->report.n_blocks != p->report.n)
			return "report header";
		if (p->report.si && memcmp(&it->report.si, p->report.si, sizeof(*p->report.si)))
			return "sender info";
		for (unsigned i = 0; i < p->report.n; i++)
			if (!dp_rtcp_report_block(&it->report, i, &rb) ||
			    !same_block(&rb, &p->report.blocks[i]))
				return "report block";
		return NULL;
	}
	case DP_RTCP_PART_SDES_CNAME: {
		struct dp_rtcp_sdes_cursor cur = { 0 };
		struct dp_rtcp_sdes_chunk c;
		if (it->type != DP_RTCP_ITEM_SDES || !dp_rtcp_sdes_next(&it->sdes, &cur, &c) ||
		    c.ssrc != p->ssrc || !c.has_cname || c.cname_len != p->sdes.len ||
		    memcmp(c.cname, p->sdes.cname, p->sdes.len) != 0 ||
		    dp_rtcp_sdes_next(&it->sdes, &cur, &c))
			return "SDES CNAME";
		return NULL;
	}
	case DP_RTCP_PART_BYE:
		if (it->type != DP_RTCP_ITEM_BYE || it->bye.n_ssrcs != p->list.n || it->bye.reason)
			return "BYE";
		for (unsigned i = 0; i < p->list.n; i++)
			if (dp_rtcp_bye_ssrc(&it->bye, i) != p->list.ssrcs[i])
				return "BYE SSRC";
		return NULL;
	case DP_RTCP_PART_PLI:
		return it->type == DP_RTCP_ITEM_PLI && it->ssrc == p->ssrc &&
				       it->fb.media_ssrc == p->media_ssrc ? NULL : "PLI";
	case DP_RTCP_PART_FIR: {
		struct dp_rtcp_fir_entry e;
		if (it->type != DP_RTCP_ITEM_FIR || it->ssrc != p->ssrc || it->fir.media_ssrc != 0 ||
		    it->fir.n_entries != p->fir.n)
			return "FIR";
		for (unsigned i = 0; i < p->fir.n; i++)
			if (!dp_rtcp_fir_entry(&it->fir, i, &e) || e.ssrc != p->fir.entries[i].ssrc ||
			    e.seq != p->fir.entries[i].seq)
				return "FIR entry";
		return NULL;
	}
	case DP_RTCP_PART_NACK: {
		uint16_t out[200 * 17];
		if (it->type != DP_RTCP_ITEM_NACK || it->ssrc != p->ssrc ||
		    it->nack.media_ssrc != p->media_ssrc)
			return "NACK";
		uint32_t n = dp_rtcp_nack_expand(&it->nack, out, ARRAY_LEN(out));
		if (n != p->nack.n || memcmp(out, p->nack.seqs, n * sizeof(out[0])) != 0)
			return "NACK numbers";
		return NULL;
	}
	case DP_RTCP_PART_REMB:
		if (it->type != DP_RTCP_ITEM_REMB || it->ssrc != p->ssrc ||
		    it->remb.bitrate_bps != p->remb.bitrate_bps || it->remb.n_ssrcs != p->remb.n)
			return "REMB";
		for (unsigned i = 0; i < p->remb.n; i++)
			if (dp_rtcp_remb_ssrc(&it->remb, i) != p->remb.ssrcs[i])
				return "REMB SSRC";
		return NULL;
	}
	return "unknown part";
}

static void test_round_trips(void)
{
	static struct gen g;
	static uint8_t buf[16384];
	uint64_t rs = 0x6275696cu;

	for (unsigned round = 0; round < 3000; round++) {
		unsigned n = 1 + test_rand(&rs) % 8;
		for (unsigned k = 0; k < n; k++)
			random_part(&rs, &g, k);
		uint32_t len = dp_rtcp_build_compound(buf, sizeof(buf), g.parts, n);
		CHECK(len > 0 && len % 4 == 0, "round %u: built %u", round, len);

		uint8_t *p = rt_exact(buf, len);
		struct dp_rtcp_iter it;
		struct dp_rtcp_item item;
		unsigned k = 0;
		dp_rtcp_iter_init(&it, p, len, 0);
		while (dp_rtcp_next(&it, &item)) {
			const char *why = k < n ? compare(&g.parts[k], &item) : "extra item";
			CHECK(!why, "round %u, part %u (type %d): %s", round, k, g.parts[k].type, why);
			k++;
		}
		CHECK(it.err == DP_RTCP_OK && k == n, "round %u: %s after %u of %u", round,
		      dp_rtcp_error_name(it.err), k, n);
		const char *why = rt_check_buffer(p, len, 0);
		CHECK(!why, "round %u: %s", round, why);
		free(p);
	}
}

static void test_time(void)
{
	/* RFC 3550 section 6.4.1, Figure 2. */
	uint64_t sr_ntp = 0xb44db705ull << 32 | 0x20000000;
	CHECK(dp_rtcp_ntp_mid32(sr_ntp) == 0xb7052000, "Figure 2: LSR of the SR");
	CHECK(dp_rtcp_rtt_us(0xb7108000, 0xb7052000, 0x00054000) == 6125000,
	      "Figure 2: delay 6.125 s, got %" PRId64,
	      dp_rtcp_rtt_us(0xb7108000, 0xb7052000, 0x00054000));
	CHECK(dp_rtcp_dlsr_from_us(5250000) == 0x00054000, "Figure 2: DLSR of 5.25 s");
	CHECK(dp_rtcp_rtt_us(0x12345678, 0, 0) == -1, "no SR yet: LSR 0");
	CHECK(dp_rtcp_rtt_us(0xb7108000, 0xb7052000, 0x00100000) == 0, "DLSR past A - LSR");
	CHECK(dp_rtcp_rtt_us(0x00010000, 0xffff0000, 0) == 2000000, "across the 16-bit wrap");
	CHECK(dp_rtcp_rtt_us(0x00000001, 0x00000001, 0) == 0, "zero");
	CHECK(dp_rtcp_rtt_us(0x00010003, 0x00010000, 0) == 46, "3/65536 s rounds to 46 us");
	CHECK(dp_rtcp_rtt_us(0x00010001, 0x00010000, 0) == 15, "1/65536 s rounds to 15 us");

	CHECK(dp_rtcp_ntp_from_unix_us(0) == (uint64_t)DP_RTCP_NTP_UNIX_OFFSET << 32, "epoch");
	CHECK(dp_rtcp_ntp_from_unix_us(1500000) ==
		      ((uint64_t)(DP_RTCP_NTP_UNIX_OFFSET + 1) << 32 | 0x80000000u),
	      "1.5 s after the epoch");
	CHECK(dp_rtcp_ntp_mid32(dp_rtcp_ntp_from_unix_us(250000)) ==
		      ((DP_RTCP_NTP_UNIX_OFFSET & 0xffff) << 16 | 0x4000),
	      "0.25 s: middle 32 bits");

	CHECK(dp_rtcp_dlsr_from_us(0) == 0, "DLSR 0");
	CHECK(dp_rtcp_dlsr_from_us(1000000) == 65536, "DLSR 1 s");
	CHECK(dp_rtcp_dlsr_from_us(8) == 1, "DLSR 8 us rounds to 1/65536 s");
	CHECK(dp_rtcp_dlsr_from_us(7) == 0, "DLSR 7 us rounds to 0");
	CHECK(dp_rtcp_dlsr_from_us(65536ull * 1000000 - 1) == 0xffffffff, "DLSR just short");
	CHECK(dp_rtcp_dlsr_from_us(UINT64_MAX) == 0xffffffff, "DLSR saturates");

	static const struct {
		uint32_t expected, received;
		uint8_t fraction;
	} fl[] = {
		{ 0, 0, 0 },      /* nothing expected */
		{ 100, 100, 0 },  /* nothing lost */
		{ 100, 110, 0 },  /* duplicates: negative loss reads 0 */
		{ 100, 75, 64 },  /* a quarter */
		{ 256, 255, 1 },  /* one of 256 */
		{ 4, 1, 192 },    /* three quarters */
		{ 1, 0, 255 },    /* all lost: 256 does not fit */
		{ 0xffffffff, 0, 255 },
		{ 3, 2, 85 },     /* 256 / 3 rounds down */
	};
	for (unsigned i = 0; i < ARRAY_LEN(fl); i++)
		CHECK(dp_rtcp_fraction_lost(fl[i].expected, fl[i].received) == fl[i].fraction,
		      "fraction lost row %u: %u of %u gave %u, want %u", i + 1, fl[i].received,
		      fl[i].expected, dp_rtcp_fraction_lost(fl[i].expected, fl[i].received),
		      fl[i].fraction);

	static const struct {
		int64_t in;
		int32_t out;
	} cl[] = {
		{ 0, 0 }, { -5, -5 }, { 0x7fffff, 0x7fffff }, { 0x800000, 0x7fffff },
		{ -0x800000, -0x800000 }, { -0x800001, -0x800000 }, { INT64_MAX, 0x7fffff },
		{ INT64_MIN, -0x800000 },
	};
	for (unsigned i = 0; i < ARRAY_LEN(cl); i++)
		CHECK(dp_rtcp_clamp_cumulative_lost(cl[i].in) == cl[i].out, "clamp row %u", i + 1);
}

int main(void)
{
	test_known();
	test_compound();
	test_refused_arguments();
	test_round_trips();
	test_time();
	return test_summary("dp_rtcp_build");
}
