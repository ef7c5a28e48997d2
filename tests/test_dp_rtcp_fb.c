/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp's Generic NACK and REMB, both directions.
 *
 *  - NACK BLP expansion: a table of PID/BLP pairs and the numbers they name
 *    (no bit, each of the 16 bits alone, all of them, across 65535 -> 0),
 *    and the output bound (fewer slots than numbers: only those written).
 *  - NACK packing: numbered lists and the exact pairs the builder writes
 *    (libwebrtc's published packets among them), then random sets through
 *    builder and parser.
 *  - REMB's exponent and mantissa: decoding at the 64-bit edge (libwebrtc's
 *    overflow case), encoding at each mantissa boundary, the SSRC cap, and
 *    random rates through builder and parser.
 */
#include "test_dp_rtcp.h"
#include "test_util.h"

/* Parses the one packet at p (an exact heap copy) into *item. */
static enum dp_rtcp_error parse_single(const uint8_t *buf, uint32_t len,
				       struct dp_rtcp_item *item, uint8_t **copy)
{
	struct dp_rtcp_iter it;

	*copy = rt_exact(buf, len);
	dp_rtcp_iter_init(&it, *copy, len, 0);
	if (!dp_rtcp_next(&it, item))
		return it.err;
	dp_rtcp_next(&it, item); /* must be the end */
	return it.err == DP_RTCP_OK && it.n_items == 1 ? DP_RTCP_OK : DP_RTCP_BAD_LENGTH;
}

struct blp_row {
	const char *name;
	uint16_t pid, blp;
	unsigned n;
	uint16_t want[17];
};

static const struct blp_row blp_rows[] = {
	{ "no BLP bit: the PID alone", 1000, 0x0000, 1, { 1000 } },
	{ "bit 1 (LSB) is PID+1", 1000, 0x0001, 2, { 1000, 1001 } },
	{ "bit 16 (MSB) is PID+16", 1000, 0x8000, 2, { 1000, 1016 } },
	{ "bits 1, 3, 8, 16 (libwebrtc's 0x8085)", 0, 0x8085, 5, { 0, 1, 3, 8, 16 } },
	{ "all 16 bits", 500, 0xffff, 17,
	  { 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515,
	    516 } },
	{ "even bits (0xaaaa)", 10, 0xaaaa, 9, { 10, 12, 14, 16, 18, 20, 22, 24, 26 } },
	{ "odd bits (0x5555)", 10, 0x5555, 9, { 10, 11, 13, 15, 17, 19, 21, 23, 25 } },
	{ "PID 65535, all bits: wraps to 0..15", 65535, 0xffff, 17,
	  { 65535, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } },
	{ "PID 65530: bits 1, 6, 16 straddle the wrap", 65530, 0x8021, 4,
	  { 65530, 65531, 0, 10 } },
	{ "PID 65520, bit 16 is exactly 0", 65520, 0x8000, 2, { 65520, 0 } },
	{ "PID 0", 0, 0x0000, 1, { 0 } },
};

static void put_nack(uint8_t *b, const uint16_t *pairs, unsigned n_pairs)
{
	uint32_t len = 12 + 4 * n_pairs;
	b[0] = 0x81, b[1] = 205, b[2] = (uint8_t)((len / 4 - 1) >> 8), b[3] = (uint8_t)(len / 4 - 1);
	memcpy(b + 4, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	for (unsigned i = 0; i < 2 * n_pairs; i++)
		b[12 + 2 * i] = (uint8_t)(pairs[i] >> 8), b[13 + 2 * i] = (uint8_t)pairs[i];
}

static void test_blp_expansion(void)
{
	uint8_t b[64];
	struct dp_rtcp_item item;

	for (unsigned r = 0; r < ARRAY_LEN(blp_rows); r++) {
		const struct blp_row *row = &blp_rows[r];
		uint16_t pair[2] = { row->pid, row->blp };
		uint8_t *p;
		put_nack(b, pair, 1);
		CHECK(parse_single(b, 16, &item, &p) == DP_RTCP_OK &&
			      item.type == DP_RTCP_ITEM_NACK,
		      "BLP row %u (%s): not a NACK", r + 1, row->name);

		uint16_t *out = malloc(row->n * sizeof(*out));
		uint32_t total = dp_rtcp_nack_expand(&item.nack, out, row->n);
		CHECK(total == row->n, "BLP row %u (%s): %u numbers, want %u", r + 1, row->name,
		      total, row->n);
		for (unsigned i = 0; i < row->n && i < total; i++)
			CHECK(out[i] == row->want[i], "BLP row %u (%s): [%u] = %u, want %u", r + 1,
			      row->name, i, out[i], row->want[i]);
		free(out);
		free(p);
	}

	/* Each bit alone, generated: bit i names PID + i. */
	for (unsigned bit = 1; bit <= 16; bit++) {
		uint16_t pair[2] = { 65535 - 7, (uint16_t)(1u << (bit - 1)) };
		uint16_t out[2];
		uint8_t *p;
		put_nack(b, pair, 1);
		parse_single(b, 16, &item, &p);
		CHECK(dp_rtcp_nack_expand(&item.nack, out, 2) == 2 && out[0] == 65528 &&
			      out[1] == (uint16_t)(65528 + bit),
		      "bit %u alone: %u %u", bit, out[0], out[1]);
		free(p);
	}

	/* The bound: three pairs naming 1 + 17 + 2 numbers into fewer slots. */
	uint16_t pairs[6] = { 100, 0x0000, 200, 0xffff, 65535, 0x0001 };
	const uint16_t all[20] = { 100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210,
				   211, 212, 213, 214, 215, 216, 65535, 0 };
	uint8_t *p;
	put_nack(b, pairs, 3);
	CHECK(parse_single(b, 24, &item, &p) == DP_RTCP_OK, "three pairs");
	CHECK(item.nack.n_pairs == 3, "three pairs: %u", item.nack.n_pairs);
	for (uint32_t cap = 0; cap <= 21; cap++) {
		uint16_t *out = malloc((cap ? cap : 1) * sizeof(*out));
		uint32_t total = dp_rtcp_nack_expand(&item.nack, cap ? out : NULL, cap);
		CHECK(total == 20, "cap %u: total %u", cap, total);
		for (uint32_t i = 0; i < cap && i < 20; i++)
			CHECK(out[i] == all[i], "cap %u: [%u] = %u, want %u", cap, i, out[i], all[i]);
		free(out);
	}
	free(p);
}

struct pack_row {
	const char *name;
	unsigned n;
	uint16_t seqs[24];
	const char *pairs; /* the FCI the builder must write */
};

static const struct pack_row pack_rows[] = {
	{ "one number", 1, { 7 }, "0007 0000" },
	{ "libwebrtc's kList {0, 1, 3, 8, 16}", 5, { 0, 1, 3, 8, 16 }, "0000 8085" },
	{ "libwebrtc's kWrapList across 65535",
	  9, { 0xffdc, 0xffec, 0xfffe, 0xffff, 0x0000, 0x0001, 0x0003, 0x0014, 0x0064 },
	  "ffdc 8000  fffe 0017  0014 0000  0064 0000" },
	{ "17 in a row: one full pair", 17,
	  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, "0000 ffff" },
	{ "18 in a row: the 18th starts a pair", 18,
	  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 },
	  "0000 ffff  0011 0000" },
	{ "65535 then 0: one pair", 2, { 65535, 0 }, "ffff 0001" },
	{ "duplicates of the PID are dropped", 3, { 5, 5, 6 }, "0005 0001" },
	{ "unsorted (libwebrtc's BadOrder list): every number kept", 7, { 1, 25, 13, 12, 9, 27, 29 },
	  "0001 0000  0019 0000  000d 0000  000c 0000  0009 0000  001b 0002" },
	{ "a gap of exactly 16 stays in the pair", 2, { 40000, 40016 }, "9c40 8000" },
	{ "a gap of 17 starts a pair", 2, { 40000, 40017 }, "9c40 0000  9c51 0000" },
};

static void test_nack_packing(void)
{
	for (unsigned r = 0; r < ARRAY_LEN(pack_rows); r++) {
		const struct pack_row *row = &pack_rows[r];
		uint8_t want[128], buf[256];
		uint32_t want_len = (uint32_t)test_hex(row->pairs, want, sizeof(want));
		uint32_t len = dp_rtcp_build_nack(buf, sizeof(buf), 0x12345678, 0x23456789,
						  row->seqs, row->n);

		CHECK(len == 12 + want_len, "pack row %u (%s): length %u, want %u", r + 1,
		      row->name, len, 12 + want_len);
		if (len != 12 + want_len)
			continue;
		CHECK_MEM(buf + 12, want, want_len, row->name);

		/* Parsed back: the same set (and, from sorted input, the same order). */
		struct dp_rtcp_item item;
		uint8_t *p;
		CHECK(parse_single(buf, len, &item, &p) == DP_RTCP_OK &&
			      item.type == DP_RTCP_ITEM_NACK && item.ssrc == 0x12345678 &&
			      item.nack.media_ssrc == 0x23456789,
		      "pack row %u (%s): does not parse back", r + 1, row->name);
		uint16_t out[64];
		uint32_t total = dp_rtcp_nack_expand(&item.nack, out, 64);
		for (unsigned i = 0; i < row->n; i++) {
			bool found = false;
			for (uint32_t j = 0; j < total; j++)
				found |= out[j] == row->seqs[i];
			CHECK(found, "pack row %u (%s): %u lost in the round trip", r + 1, row->name,
			      row->seqs[i]);
		}
		for (uint32_t j = 0; j < total; j++) {
			bool found = false;
			for (unsigned i = 0; i < row->n; i++)
				found |= out[j] == row->seqs[i];
			CHECK(found, "pack row %u (%s): %u appeared", r + 1, row->name, out[j]);
		}
		free(p);
	}
}

/* Random sorted sets (RTP order, across the wrap) of 1 to 300 numbers. */
static void test_nack_random(void)
{
	uint64_t rs = 0x6e61636bu;
	static uint16_t seqs[300], out[300 * 17];
	static uint8_t buf[2048];

	for (unsigned round = 0; round < 2000; round++) {
		unsigned n = 1 + test_rand(&rs) % 300;
		uint16_t s = (uint16_t)test_rand(&rs);
		for (unsigned i = 0; i < n; i++) {
			seqs[i] = s;
			s = (uint16_t)(s + 1 + (test_rand(&rs) % 4 == 0 ? test_rand(&rs) % 40 : 0));
		}
		uint32_t len = dp_rtcp_build_nack(buf, sizeof(buf), 1, 2, seqs, n);
		CHECK(len >= 16 && len <= 12 + 4 * n, "round %u: %u numbers in %u octets", round, n,
		      len);
		struct dp_rtcp_item item;
		uint8_t *p;
		CHECK(parse_single(buf, len, &item, &p) == DP_RTCP_OK, "round %u: parse", round);
		uint32_t total = dp_rtcp_nack_expand(&item.nack, out, ARRAY_LEN(out));
		CHECK(total == n, "round %u: %u numbers back, want %u", round, total, n);
		for (unsigned i = 0; i < n && i < total; i++)
			CHECK(out[i] == seqs[i], "round %u: [%u] = %u, want %u", round, i, out[i],
			      seqs[i]);
		/* Capacity: one octet short writes nothing and says 0. */
		uint8_t *tight = rt_exact(buf, len - 1);
		memset(tight, 0xa5, len - 1);
		CHECK(dp_rtcp_build_nack(tight, len - 1, 1, 2, seqs, n) == 0, "round %u: cap", round);
		for (uint32_t i = 0; i < len - 1; i++)
			CHECK(tight[i] == 0xa5, "round %u: octet %u written without room", round, i);
		free(tight);
		free(p);
	}
	CHECK(dp_rtcp_build_nack(buf, sizeof(buf), 1, 2, seqs, 0) == 0, "no numbers: no NACK");
}

struct remb_decode_row {
	const char *name;
	uint8_t exp;
	uint32_t mantissa;
	bool ok;
	uint64_t bps;
};

static const struct remb_decode_row decode_rows[] = {
	{ "zero", 0, 0, true, 0 },
	{ "largest mantissa, exponent 0", 0, 0x3ffff, true, 262143 },
	{ "largest mantissa, exponent 1", 1, 0x3ffff, true, 524286 },
	{ "largest mantissa, exponent 46: 2^64 - 2^46", 46, 0x3ffff, true,
	  0xffffc00000000000ull },
	{ "largest mantissa, exponent 47: overflow", 47, 0x3ffff, false, 0 },
	{ "17-bit mantissa, exponent 47 fits", 47, 0x1ffff, true, 0xffff800000000000ull },
	{ "mantissa 1, exponent 63: 2^63", 63, 1, true, 0x8000000000000000ull },
	{ "mantissa 2, exponent 63: overflow (libwebrtc's case)", 63, 2, false, 0 },
	{ "mantissa 0, exponent 63: 0", 63, 0, true, 0 },
	{ "mantissa 3, exponent 62: 3 * 2^62", 62, 3, true, 0xc000000000000000ull },
	{ "mantissa 4, exponent 62: overflow", 62, 4, false, 0 },
	{ "libwebrtc's 64-bit rate: 0x3fb93 << 30", 30, 0x3fb93, true, 0x3fb93ull << 30 },
};

struct remb_encode_row {
	const char *name;
	uint64_t bps;
	uint8_t exp;
	uint32_t mantissa;
};

static const struct remb_encode_row encode_rows[] = {
	{ "0 bps", 0, 0, 0 },
	{ "the largest exponent-0 rate", 262143, 0, 262143 },
	{ "the first rate needing exponent 1", 262144, 1, 131072 },
	{ "libwebrtc's 522022 bps", 522022, 1, 261011 },
	{ "an odd rate past 2^18 rounds down", 262145, 1, 131072 },
	{ "1 Mbps", 1000000, 2, 250000 },
	{ "1 Mbps + 3 rounds down", 1000003, 2, 250000 },
	{ "libwebrtc's 64-bit rate", 0x3fb93ull << 30, 30, 0x3fb93 },
	{ "2^64 - 1", UINT64_MAX, 46, 0x3ffff },
};

static void test_remb_codec(void)
{
	for (unsigned r = 0; r < ARRAY_LEN(decode_rows); r++) {
		const struct remb_decode_row *row = &decode_rows[r];
		uint64_t bps = 12345;
		bool ok = dp_rtcp_remb_decode(row->exp, row->mantissa, &bps);
		CHECK(ok == row->ok && (!ok || bps == row->bps),
		      "decode row %u (%s): %d %" PRIu64, r + 1, row->name, ok, bps);

		/* The same as a packet: accepted with this rate, or refused. */
		uint8_t b[20] = { 0x8f, 206, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 0 };
		b[17] = (uint8_t)(row->exp << 2 | row->mantissa >> 16);
		b[18] = (uint8_t)(row->mantissa >> 8);
		b[19] = (uint8_t)row->mantissa;
		struct dp_rtcp_item item;
		uint8_t *p;
		enum dp_rtcp_error err = parse_single(b, 20, &item, &p);
		CHECK(row->ok ? err == DP_RTCP_OK && item.remb.bitrate_bps == row->bps &&
					item.remb.exp == row->exp &&
					item.remb.mantissa == row->mantissa :
				err == DP_RTCP_REMB_BITRATE_OVERFLOW,
		      "decode row %u (%s) as a packet: %s", r + 1, row->name,
		      dp_rtcp_error_name(err));
		free(p);
	}
	for (unsigned r = 0; r < ARRAY_LEN(encode_rows); r++) {
		const struct remb_encode_row *row = &encode_rows[r];
		uint8_t exp;
		uint32_t mantissa;
		dp_rtcp_remb_encode(row->bps, &exp, &mantissa);
		CHECK(exp == row->exp && mantissa == row->mantissa,
		      "encode row %u (%s): exp %u mantissa %u", r + 1, row->name, exp, mantissa);
	}
}

static void test_remb_packets(void)
{
	/* libwebrtc's remb_unittest.cc kPacket, byte for byte. */
	static const uint32_t ssrcs[] = { 0x23456789, 0x2345678a, 0x2345678b };
	uint8_t want[64], buf[2048];
	uint32_t want_len = (uint32_t)test_hex(
		"8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  03 07 fb 93 "
		"23 45 67 89  23 45 67 8a  23 45 67 8b", want, sizeof(want));
	uint32_t len = dp_rtcp_build_remb(buf, sizeof(buf), 0x12345678, 522022, ssrcs, 3);
	CHECK(len == want_len, "libwebrtc REMB: %u octets", len);
	CHECK_MEM(buf, want, want_len, "libwebrtc REMB");
	CHECK(dp_rtcp_build_remb(buf, want_len - 1, 0x12345678, 522022, ssrcs, 3) == 0,
	      "REMB one octet short");

	/* The SSRC cap: 64 accepted, 65 refused, both ways. */
	static uint32_t many[255];
	for (unsigned i = 0; i < 255; i++)
		many[i] = 0x1000 + i;
	len = dp_rtcp_build_remb(buf, sizeof(buf), 1, 1000000, many, DP_RTCP_REMB_MAX_SSRCS);
	CHECK(len == 20 + 4 * DP_RTCP_REMB_MAX_SSRCS, "64 SSRCs: %u", len);
	struct dp_rtcp_item item;
	uint8_t *p;
	CHECK(parse_single(buf, len, &item, &p) == DP_RTCP_OK &&
		      item.remb.n_ssrcs == DP_RTCP_REMB_MAX_SSRCS &&
		      dp_rtcp_remb_ssrc(&item.remb, 63) == 0x1000 + 63,
	      "64 SSRCs parse back");
	free(p);
	CHECK(dp_rtcp_build_remb(buf, sizeof(buf), 1, 1000000, many,
				 DP_RTCP_REMB_MAX_SSRCS + 1) == 0,
	      "65 SSRCs are not built");
	for (unsigned n = DP_RTCP_REMB_MAX_SSRCS + 1; n <= 255; n += 95) {
		/* Hand-made, consistent lengths: refused for the count alone. */
		uint32_t l = 20 + 4 * n;
		memset(buf, 0, l);
		buf[0] = 0x8f, buf[1] = 206, buf[2] = (uint8_t)((l / 4 - 1) >> 8);
		buf[3] = (uint8_t)(l / 4 - 1);
		memcpy(buf + 12, "REMB", 4);
		buf[16] = (uint8_t)n;
		CHECK(parse_single(buf, l, &item, &p) == DP_RTCP_REMB_TOO_MANY_SSRCS,
		      "%u SSRCs refused", n);
		free(p);
	}

	/* Random rates of every magnitude, rounded down to what 18 bits hold. */
	uint64_t rs = 0x72656d62u;
	for (unsigned round = 0; round < 3000; round++) {
		unsigned shift = test_rand(&rs) % 64;
		/* test_rand() gives 31 bits: three of them cover 64. */
		uint64_t bps = ((uint64_t)test_rand(&rs) << 33 ^ (uint64_t)test_rand(&rs) << 2 ^
				test_rand(&rs)) >> shift;
		unsigned n = test_rand(&rs) % (DP_RTCP_REMB_MAX_SSRCS + 1);
		len = dp_rtcp_build_remb(buf, sizeof(buf), 0xabcdef01, bps, many + round % 100, n);
		CHECK(len == 20 + 4 * n, "round %u: length %u", round, len);
		CHECK(parse_single(buf, len, &item, &p) == DP_RTCP_OK &&
			      item.type == DP_RTCP_ITEM_REMB,
		      "round %u: parse", round);
		uint64_t got = item.remb.bitrate_bps;
		CHECK(got <= bps && bps - got < (1ull << item.remb.exp) &&
			      item.remb.mantissa <= 0x3ffff,
		      "round %u: %" PRIu64 " -> %" PRIu64 " (exp %u)", round, bps, got,
		      item.remb.exp);
		CHECK(item.remb.exp == 0 || item.remb.mantissa >= 0x20000,
		      "round %u: exponent %u not the smallest", round, item.remb.exp);
		for (unsigned i = 0; i < n; i++)
			CHECK(dp_rtcp_remb_ssrc(&item.remb, i) == many[round % 100 + i],
			      "round %u: SSRC %u", round, i);
		free(p);
	}
}

int main(void)
{
	test_blp_expansion();
	test_nack_packing();
	test_nack_random();
	test_remb_codec();
	test_remb_packets();
	return test_summary("dp_rtcp_fb");
}
