/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp: transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).
 *
 *  - Known answers: feedback written out octet by octet with every packet's
 *    status and arrival time (rt_dump() text): run length chunks, one-bit
 *    and two-bit vectors (the draft's own chunk examples among them), large
 *    and negative deltas, a status count that ends inside a chunk, the
 *    sequence number wrap, negative reference times, both padding styles;
 *    and pion/rtcp's published feedback packets with the values it decodes.
 *  - Refusals: every TWCC error, including a status count that needs more
 *    chunks than present, and pion's packets that libwebrtc also refuses.
 *  - The largest count (65535) from run length chunks, and the array
 *    decoder's bound.
 *  - Random feedback from the independent encoder in test_dp_rtcp.h, whose
 *    statuses and deltas must come back exactly; then the same packets with
 *    their status count raised, which must be refused or still consistent.
 */
#include "test_dp_rtcp.h"
#include "test_util.h"

struct row {
	const char *name;
	const char *hex;
	const char *want;
};

#define SSRCS "11 22 33 44  55 66 77 88 "
#define HEAD "twcc ssrc=11223344 media=55667788 "

static const struct row rows[] = {
	{ "run length chunks: 5 lost (0x0005), then 1 received (0x2001)",
	  "af cd 00 06 " SSRCS "03 e8 00 06  00 00 01 07  00 05 20 01  04 00 00 03",
	  HEAD "base=1000 count=6 ref=1 fb=7 1000:0 1001:0 1002:0 1003:0 1004:0 "
	       "1005:1@1000\nend ok\n" },
	{ "one-bit vector: the draft's section 3.1.4 example 1 (0x9f1c)",
	  "af cd 00 07 " SSRCS "00 64 00 0e  00 00 00 00  9f 1c 01 02  03 04 05 06  07 08 00 02",
	  HEAD "base=100 count=14 ref=0 fb=0 100:0 101:1@250 102:1@750 103:1@1500 104:1@2500 "
	       "105:1@3750 106:0 107:0 108:0 109:1@5250 110:1@7000 111:1@9000 112:0 113:0\n"
	       "end ok\n" },
	{ "two-bit vector: small, large, negative deltas across the sequence wrap",
	  "af cd 00 07 " SSRCS "ff fe 00 07  80 00 00 ff  d8 92 10 04  00 ff 38 ff  80 00 00 02",
	  HEAD "base=65534 count=7 ref=-8388608 fb=255 65534:1@4000 65535:2@260000 0:0 "
	       "1:2@210000 2:1@273750 3:0 4:2@-7918250\nend ok\n" },
	{ "large deltas at both ends: +8191.75 ms, -8192 ms; reference time -1",
	  "af cd 00 06 " SSRCS "00 10 00 02  ff ff ff 01  40 02 7f ff  80 00 00 02",
	  HEAD "base=16 count=2 ref=-1 fb=1 16:2@8191750 17:2@-250\nend ok\n" },
	{ "a count that ends inside a two-bit vector: the rest, even 11, ignored",
	  "af cd 00 06 " SSRCS "00 00 00 03  00 00 00 00  d5 ff 01 01  01 00 00 03",
	  HEAD "base=0 count=3 ref=0 fb=0 0:1@250 1:1@500 2:1@750\nend ok\n" },
	{ "an empty run (of the reserved symbol) describes nothing",
	  "af cd 00 06 " SSRCS "00 00 00 02  00 00 00 00  60 00 20 02  00 00 00 02",
	  HEAD "base=0 count=2 ref=0 fb=0 0:1@0 1:1@0\nend ok\n" },
	{ "all three chunk kinds in one packet",
	  "af cd 00 08 " SSRCS "00 00 00 13  00 00 00 00  20 03 a0 01  e4 00 04 04 "
	  "04 08 08 00  10 02 00 02",
	  HEAD "base=0 count=19 ref=0 fb=0 0:1@1000 1:1@2000 2:1@3000 3:1@5000 4:0 5:0 6:0 "
	       "7:0 8:0 9:0 10:0 11:0 12:0 13:0 14:0 15:0 16:1@7000 17:2@11000 18:1@11500\n"
	       "end ok\n" },
	{ "zero padding without P (older libwebrtc)",
	  "8f cd 00 05 " SSRCS "00 01 00 01  00 00 00 00  20 01 05 00",
	  HEAD "base=1 count=1 ref=0 fb=0 1:1@1250\nend ok\n" },
	{ "pion's example 4: a run of 7 small deltas",
	  "af cd 00 07  fa 17 fa 17  19 3d d8 bb  00 04 00 07  10 63 6e 01  20 07 4c 24 "
	  "24 10 0c 0c  10 00 00 03",
	  "twcc ssrc=fa17fa17 media=193dd8bb base=4 count=7 ref=1074030 fb=1 4:1@19000 "
	  "5:1@28000 6:1@37000 7:1@41000 8:1@44000 9:1@47000 10:1@51000\nend ok\n" },
	{ "pion's example 6: a two-bit vector with a large delta, then a run of 48 lost",
	  "af cd 00 07  9b 74 f6 1f  93 71 dc bc  85 3c 00 09  63 f9 16 b3  d5 52 00 30 "
	  "9b aa 6a aa  7b 01 09 01",
	  "twcc ssrc=9b74f61f media=9371dcbc base=34108 count=9 ref=6551830 fb=179 "
	  "34108:1@38750 34109:1@81250 34110:1@107750 34111:1@150250 34112:1@181000 34113:0 "
	  "34114:2@247250 34115:0 34116:0\nend ok\n" },
	{ "pion's marshalled example 5: a one-bit vector",
	  "af cd 00 06  fa 17 fa 17  19 3d d8 bb  00 01 00 0e  10 63 6d 00  ba 00 10 0c "
	  "0c 10 00 02",
	  "twcc ssrc=fa17fa17 media=193dd8bb base=1 count=14 ref=1074029 fb=0 1:1@4000 "
	  "2:1@7000 3:1@10000 4:0 5:1@14000 6:0 7:0 8:0 9:0 10:0 11:0 12:0 13:0 14:0\n"
	  "end ok\n" },
	{ "pion's marshalled example 6: a one-bit vector cut by the count",
	  "af cd 00 07  fa 17 fa 17  43 03 2f a0  9c 14 00 0c  75 84 20 00  be c0 c1 3f "
	  "3b 3f 53 90  3b 00 00 03",
	  "twcc ssrc=fa17fa17 media=43032fa0 base=39956 count=12 ref=7701536 fb=0 "
	  "39956:1@48250 39957:1@64000 39958:1@78750 39959:1@94500 39960:1@115250 39961:0 "
	  "39962:1@151250 39963:1@166000 39964:0 39965:0 39966:0 39967:0\nend ok\n" },

	/* Refusals. */
	{ "FCI of 7 octets", "af cd 00 04 " SSRCS "00 00 00 01  00 00 00 01",
	  "end twcc_truncated\n" },
	{ "status count 0", "8f cd 00 05 " SSRCS "00 00 00 00  00 00 00 00  20 01 00 00",
	  "end twcc_no_status\n" },
	{ "pion's example 7: status count 0, no chunk",
	  "8f cd 00 04  9a cb 04 42  00 00 00 00  00 00 00 00  00 00 00 00",
	  "end twcc_no_status\n" },
	{ "a header and no chunk", "8f cd 00 04 " SSRCS "00 00 00 01  00 00 00 00",
	  "end twcc_missing_chunks\n" },
	{ "count 15 for a one-bit vector of 14, then only an empty run",
	  "8f cd 00 05 " SSRCS "00 00 00 0f  00 00 00 00  80 00 00 00",
	  "end twcc_missing_chunks\n" },
	{ "count 9000 for one run of 8191",
	  "8f cd 00 05 " SSRCS "00 00 23 28  00 00 00 00  1f ff 00 00",
	  "end twcc_missing_chunks\n" },
	{ "reserved symbol in a run", "8f cd 00 05 " SSRCS "00 00 00 02  00 00 00 00  60 02 00 00",
	  "end twcc_reserved_symbol\n" },
	{ "reserved symbol last in a two-bit vector",
	  "8f cd 00 05 " SSRCS "00 00 00 07  00 00 00 00  c0 03 00 00",
	  "end twcc_reserved_symbol\n" },
	{ "the draft's two-bit example 2 (0xcd50) uses the reserved symbol",
	  "8f cd 00 05 " SSRCS "00 00 00 07  00 00 00 00  cd 50 00 00",
	  "end twcc_reserved_symbol\n" },
	{ "pion's example 2: 'received without delta' symbols (reserved)",
	  "af cd 00 06  fa 17 fa 17  19 3d d8 bb  01 74 00 0e  45 b1 5a 40  d8 00 f0 ff "
	  "d0 00 00 03",
	  "end twcc_reserved_symbol\n" },
	{ "a run of 8191 small deltas with 2 delta octets",
	  "8f cd 00 05 " SSRCS "00 00 1f ff  00 00 00 00  3f ff 00 00",
	  "end twcc_missing_deltas\n" },
	{ "a large delta with one octet (the other is padding)",
	  "af cd 00 05 " SSRCS "00 00 00 01  00 00 00 00  40 01 05 01",
	  "end twcc_missing_deltas\n" },
	{ "pion's unmarshalled example 5: its last delta is in the padding",
	  "af cd 00 06  fa 17 fa 17  19 3d d8 bb  00 01 00 0e  10 63 6d 00  ba 00 10 0c "
	  "0c 10 00 03",
	  "end twcc_missing_deltas\n" },
	{ "pion's example 8: three small deltas, one present",
	  "af cd 00 05  fa 17 fa 17  43 03 2f a0  00 99 00 03  3d e8 02 17  20 03 94 01",
	  "end twcc_missing_deltas\n" },
	{ "pion's example 9: two large deltas, one octet",
	  "af cd 00 05  fa 17 fa 17  43 03 2f a0  00 99 00 02  3d e8 02 17  40 02 94 01",
	  "end twcc_missing_deltas\n" },
	{ "pion's example 3: P set with a padding count of 0",
	  "af cd 00 07  fa 17 fa 17  19 3d d8 bb  01 74 00 06  45 b1 5a 40  40 02 20 04 "
	  "1f fe 1f 9a  d0 00 d0 00",
	  "end bad_padding\n" },
};

static void test_rows(void)
{
	static uint8_t buf[512];

	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		uint32_t len = (uint32_t)test_hex(rows[i].hex, buf, sizeof(buf));
		char *got = rt_dump_exact(buf, len, 0);
		CHECK(strcmp(got, rows[i].want) == 0, "row %u (%s):\n  got:  %s  want: %s", i + 1,
		      rows[i].name, got, rows[i].want);
		uint8_t *p = rt_exact(buf, len);
		const char *why = rt_check_buffer(p, len, 0);
		CHECK(!why, "row %u (%s): %s", i + 1, rows[i].name, why);
		free(p);
		free(got);
	}
}

/* Runs of 8191 to the largest count, 65535, lost or received. */
static void test_largest_count(void)
{
	for (unsigned received = 0; received <= 1; received++) {
		uint32_t len = 20 + 18 + (received ? 65535 : 0);
		len = (len + 3) & ~3u;
		uint8_t *b = calloc(1, len);
		b[0] = 0x8f, b[1] = 205, b[2] = (uint8_t)((len / 4 - 1) >> 8);
		b[3] = (uint8_t)(len / 4 - 1);
		b[12] = 0xff, b[13] = 0xf0; /* base 65520: the numbers wrap */
		b[14] = 0xff, b[15] = 0xff;
		for (unsigned c = 0; c < 9; c++) {
			uint16_t run = c < 8 ? 8191 : 7;
			uint16_t w = (uint16_t)(received << 13 | run);
			b[20 + 2 * c] = (uint8_t)(w >> 8), b[21 + 2 * c] = (uint8_t)w;
		}
		for (uint32_t i = 0; received && i < 65535; i++)
			b[38 + i] = 1;

		struct dp_rtcp_iter it;
		struct dp_rtcp_item item;
		dp_rtcp_iter_init(&it, b, len, 0);
		CHECK(dp_rtcp_next(&it, &item) && item.type == DP_RTCP_ITEM_TWCC,
		      "65535 %s: %s", received ? "received" : "lost", dp_rtcp_error_name(it.err));
		CHECK(item.twcc.n_chunks == 9 && item.twcc.n_received == (received ? 65535 : 0),
		      "65535: %u chunks, %u received", item.twcc.n_chunks, item.twcc.n_received);

		struct dp_rtcp_twcc_packet *out = malloc(65535 * sizeof(*out));
		CHECK(dp_rtcp_twcc_decode(&item.twcc, out, 65535) == 65535, "decode 65535");
		bool ok = true;
		for (uint32_t i = 0; i < 65535; i++)
			ok &= out[i].seq == (uint16_t)(65520 + i) && out[i].received == received &&
			      out[i].arrival_us == (received ? (int64_t)(i + 1) * 250 : 0);
		CHECK(ok, "65535 %s: statuses differ", received ? "received" : "lost");
		free(out);
		const char *why = rt_check_buffer(b, len, 0);
		CHECK(!why, "65535: %s", why);
		free(b);
	}
}

/* dp_rtcp_twcc_decode writes no more than its cap (exact arrays). */
static void test_decode_bound(void)
{
	uint8_t buf[64];
	uint32_t len = (uint32_t)test_hex(rows[1].hex, buf, sizeof(buf));
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;

	dp_rtcp_iter_init(&it, buf, len, 0);
	CHECK(dp_rtcp_next(&it, &item), "bound: parse");
	for (uint32_t cap = 0; cap <= 15; cap++) {
		struct dp_rtcp_twcc_packet *out = malloc((cap ? cap : 1) * sizeof(*out));
		CHECK(dp_rtcp_twcc_decode(&item.twcc, out, cap) == 14, "cap %u: count", cap);
		for (uint32_t i = 0; i < cap && i < 14; i++)
			CHECK(out[i].seq == 100 + i, "cap %u: [%u] is %u", cap, i, out[i].seq);
		free(out);
	}
}

/* Statuses in runs, as a congested path produces them. */
static void random_statuses(uint64_t *rs, uint32_t count, uint8_t *status, int32_t *delta)
{
	uint32_t i = 0;
	while (i < count) {
		uint32_t run = 1 + test_rand(rs) % (test_rand(rs) % 4 ? 20 : 300);
		uint8_t s = (uint8_t)(test_rand(rs) % 3);
		for (uint32_t k = 0; k < run && i < count; k++, i++) {
			status[i] = test_rand(rs) % 5 ? s : (uint8_t)(test_rand(rs) % 3);
			if (status[i] == 1)
				delta[i] = (int32_t)(test_rand(rs) % 256);
			else if (status[i] == 2)
				delta[i] = (int32_t)(test_rand(rs) % 65536) - 32768;
			else
				delta[i] = 0;
		}
	}
}

static void test_random(void)
{
	uint64_t rs = 0x74776363u;
	static uint8_t status[4000], buf[20000];
	static int32_t delta[4000];

	for (unsigned round = 0; round < 1500; round++) {
		struct rt_twcc_spec sp = {
			.sender_ssrc = test_rand(&rs),
			.media_ssrc = test_rand(&rs),
			.base_seq = (uint16_t)test_rand(&rs),
			.reference_time = (int32_t)(test_rand(&rs) % 0x1000000) - 0x800000,
			.fb_count = (uint8_t)test_rand(&rs),
			.count = 1 + test_rand(&rs) % (round % 10 ? 60 : 4000),
			.status = status,
			.delta = delta,
			.pad = (int)(test_rand(&rs) % 2),
		};
		random_statuses(&rs, sp.count, status, delta);
		uint32_t len = rt_twcc_encode(buf, sizeof(buf), &sp, &rs);
		CHECK(len > 0, "round %u: encode", round);

		uint8_t *p = rt_exact(buf, len);
		struct dp_rtcp_iter it;
		struct dp_rtcp_item item;
		dp_rtcp_iter_init(&it, p, len, 0);
		bool ok = dp_rtcp_next(&it, &item) && item.type == DP_RTCP_ITEM_TWCC;
		CHECK(ok, "round %u (count %u): %s", round, sp.count, dp_rtcp_error_name(it.err));
		if (!ok) {
			free(p);
			continue;
		}
		CHECK(item.ssrc == sp.sender_ssrc && item.twcc.media_ssrc == sp.media_ssrc &&
			      item.twcc.base_seq == sp.base_seq &&
			      item.twcc.status_count == sp.count &&
			      item.twcc.reference_time == sp.reference_time &&
			      item.twcc.fb_count == sp.fb_count,
		      "round %u: header fields", round);

		struct dp_rtcp_twcc_iter ti;
		struct dp_rtcp_twcc_packet pk;
		int64_t t = 0;
		uint32_t n = 0, bad = 0;
		dp_rtcp_twcc_iter_init(&ti, &item.twcc);
		while (dp_rtcp_twcc_iter_next(&ti, &pk)) {
			if (status[n])
				t += (int64_t)delta[n] * 250;
			if (pk.seq != (uint16_t)(sp.base_seq + n) || pk.status != status[n] ||
			    pk.delta_ticks != delta[n] || pk.arrival_us != (status[n] ? t : 0))
				bad++;
			n++;
		}
		CHECK(n == sp.count && bad == 0, "round %u: %u packets, %u differ", round, n, bad);
		free(p);

		/* Raise the count: refused for what is missing, or still whole. */
		for (uint32_t extra = 1; extra <= 20; extra += 7) {
			if (sp.count + extra > 65535)
				break;
			p = rt_exact(buf, len);
			uint16_t c = (uint16_t)(sp.count + extra);
			p[14] = (uint8_t)(c >> 8), p[15] = (uint8_t)c;
			dp_rtcp_iter_init(&it, p, len, 0);
			bool took = dp_rtcp_next(&it, &item);
			CHECK(took || it.err == DP_RTCP_TWCC_MISSING_CHUNKS ||
				      it.err == DP_RTCP_TWCC_MISSING_DELTAS ||
				      it.err == DP_RTCP_TWCC_RESERVED_SYMBOL,
			      "round %u, count + %u: %s", round, extra, dp_rtcp_error_name(it.err));
			const char *why = rt_check_buffer(p, len, 0);
			CHECK(!why, "round %u, count + %u: %s", round, extra, why);
			free(p);
		}
	}
}

int main(void)
{
	test_rows();
	test_largest_count();
	test_decode_bound();
	test_random();
	return test_summary("dp_rtcp_twcc");
}
