/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp on damaged compound packets.  Every buffer is an
 * exact-size heap copy (ASan sees a read one octet past it).
 *
 *  1. Every truncation of valid compound packets: the packets wholly
 *     inside the cut come back exactly as in the whole packet, then the
 *     iteration ends with TRUNCATED (fewer than 4 octets left) or
 *     BAD_LENGTH (a header whose length runs past the cut), or cleanly
 *     when the cut falls between packets.
 *  2. Inconsistent lengths and counts, as a numbered table of edits to one
 *     compound packet of every type: which error, and how many packets
 *     before the edited one are kept.
 *  3. Sweeps: every count field value, every length field value and every
 *     bit flip of that compound, checked with rt_check_buffer()'s
 *     invariants (items inside the buffer, accessors inside their items,
 *     validate agreeing with the iterator).
 */
#include "test_dp_rtcp.h"
#include "test_util.h"

/* SR with two blocks, SDES, BYE, PLI, FIR, NACK, REMB, APP, XR, TWCC. */
static const char *const every_type =
	"82 c8 00 12  11 22 33 44  b4 4d b7 05 20 00 00 00  00 01 e2 40  00 00 00 0a "
	"00 00 03 e8  01 02 03 04  40 00 00 05  00 01 00 10  00 00 00 20  b7 05 20 00 "
	"00 05 40 00  a0 b0 c0 d0  ff ff ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff "
	"ff ff ff ff "
	"81 ca 00 06  11 22 33 44  01 10 75 73 65 72 40 65 78 61 6d 70 6c 65 2e 63 6f 6d 00 00 "
	"82 cb 00 04  11 11 11 11  22 22 22 22  04 67 6f 6e 65 00 00 00 "
	"81 ce 00 02  11 22 33 44  55 66 77 88 "
	"84 ce 00 06  11 22 33 44  00 00 00 00  55 66 77 88  07 00 00 00  99 aa bb cc  ff 00 00 00 "
	"81 cd 00 03  12 34 56 78  23 45 67 89  00 00 80 85 "
	"8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  03 07 fb 93  23 45 67 89 "
	"23 45 67 8a  23 45 67 8b "
	"83 cc 00 03  11 22 33 44  53 54 52 41  01 02 03 04 "
	"80 cf 00 02  11 22 33 44  00 00 00 00 "
	"af cd 00 05  fa 17 fa 17  43 03 2f a0  00 99 00 01  3d e8 02 17  20 01 94 01";

enum { SR, SDES, BYE, PLI, FIR, NACK, REMB, APP, XR, TWCC, N_PACKETS };

/* What a browser sends a router: RR, SDES, REMB, then TWCC with 2-bit
 * vectors and a run (pion's example 6), reduced-size NACK after. */
static const char *const browser =
	"81 c9 00 07  9b 74 f6 1f  11 22 33 44  00 00 00 02  00 00 12 34  00 00 00 10 "
	"00 00 00 00  00 00 00 00 "
	"81 ca 00 03  9b 74 f6 1f  01 04 61 62 63 64  00 00 "
	"8f ce 00 05  9b 74 f6 1f  00 00 00 00  52 45 4d 42  01 0a 1c 57  11 22 33 44 "
	"af cd 00 07  9b 74 f6 1f  93 71 dc bc  85 3c 00 09  63 f9 16 b3  d5 52 00 30 "
	"9b aa 6a aa  7b 01 09 01 "
	"81 cd 00 04  9b 74 f6 1f  11 22 33 44  01 00 00 01  01 20 ff ff";

static const char *const compounds[] = { every_type, browser };

/* The dump lines of a buffer, split: line[i] for item i. */
static unsigned split_lines(char *dump, char **line, unsigned max)
{
	unsigned n = 0;
	for (char *s = dump; *s && n < max;) {
		char *e = strchr(s, '\n');
		line[n++] = s;
		if (!e)
			break;
		*e = '\0';
		s = e + 1;
	}
	return n;
}

static void test_truncations(void)
{
	static uint8_t buf[1024];

	for (unsigned c = 0; c < ARRAY_LEN(compounds); c++) {
		uint32_t len = (uint32_t)test_hex(compounds[c], buf, sizeof(buf));
		char *whole = rt_dump_exact(buf, len, 0);
		char *wline[64];
		unsigned n_whole = split_lines(whole, wline, 64);
		CHECK(strcmp(wline[n_whole - 1], "end ok") == 0, "compound %u is not valid: %s", c,
		      wline[n_whole - 1]);

		/* Where each packet ends. */
		uint32_t ends[64], n_pkts = 0;
		struct dp_rtcp_iter it;
		struct dp_rtcp_item item;
		dp_rtcp_iter_init(&it, buf, len, 0);
		while (dp_rtcp_next(&it, &item))
			ends[n_pkts++] = item.off + item.len;

		for (uint32_t cut = 0; cut < len; cut++) {
			uint8_t *p = rt_exact(buf, cut);
			char *got = rt_dump_exact(p, cut, 0);
			char *gline[64];
			unsigned n_got = split_lines(got, gline, 64);

			unsigned kept = 0;
			while (kept < n_pkts && ends[kept] <= cut)
				kept++;
			uint32_t start = kept ? ends[kept - 1] : 0;
			const char *want_end = cut == start && cut > 0 ? "end ok" :
					       cut - start < 4       ? "end truncated" :
								       "end bad_length";

			CHECK(n_got == kept + 1, "compound %u cut at %u: %u items, want %u", c, cut,
			      n_got - 1, kept);
			for (unsigned i = 0; i + 1 < n_got && i < kept; i++)
				CHECK(strcmp(gline[i], wline[i]) == 0,
				      "compound %u cut at %u: item %u differs: %s", c, cut, i,
				      gline[i]);
			CHECK(strcmp(gline[n_got - 1], want_end) == 0,
			      "compound %u cut at %u: %s, want %s", c, cut, gline[n_got - 1],
			      want_end);
			const char *why = rt_check_buffer(p, cut, 0);
			CHECK(!why, "compound %u cut at %u: %s", c, cut, why);
			free(got);
			free(p);
		}
		free(whole);
	}
}

/* One edit to every_type: packet `pkt`'s octet `at` becomes `value`. */
struct edit {
	const char *name;
	unsigned pkt, at;
	uint8_t value;
	enum dp_rtcp_error err;
	unsigned kept; /* items before the iteration ends */
};

static const struct edit edits[] = {
	{ "SR: RC 2 -> 3", SR, 0, 0x83, DP_RTCP_COUNT_PAST_END, 0 },
	{ "SR: RC 2 -> 1, the second block becomes an extension", SR, 0, 0x81, DP_RTCP_OK,
	  N_PACKETS },
	{ "SR: RC 2 -> 0", SR, 0, 0x80, DP_RTCP_OK, N_PACKETS },
	{ "SR: length one word short of its blocks", SR, 3, 0x11, DP_RTCP_COUNT_PAST_END, 0 },
	{ "SR: length one word long, the next header lands mid-SDES", SR, 3, 0x13,
	  DP_RTCP_BAD_VERSION, 1 },
	{ "SR: length 0", SR, 3, 0x00, DP_RTCP_TOO_SHORT, 0 },
	{ "SR: P set, its last octet 0xff as the padding count", SR, 0, 0xa2,
	  DP_RTCP_BAD_PADDING, 0 },
	{ "SDES: SC 1 -> 2", SDES, 0, 0x82, DP_RTCP_COUNT_PAST_END, 1 },
	{ "SDES: SC 1 -> 0, the chunk left as trailing octets", SDES, 0, 0x80, DP_RTCP_OK,
	  N_PACKETS },
	{ "SDES: CNAME length 16 -> 255", SDES, 9, 0xff, DP_RTCP_SDES_BAD_ITEM, 1 },
	{ "SDES: CNAME length 16 -> 18, no room for the terminator", SDES, 9, 18,
	  DP_RTCP_SDES_BAD_ITEM, 1 },
	{ "SDES: length one word short of the CNAME", SDES, 3, 0x05, DP_RTCP_SDES_BAD_ITEM, 1 },
	{ "BYE: SC 2 -> 3, the reason's first word read as an SSRC", BYE, 0, 0x83,
	  DP_RTCP_BYE_BAD_REASON, 2 },
	{ "BYE: SC 2 -> 5", BYE, 0, 0x85, DP_RTCP_COUNT_PAST_END, 2 },
	{ "BYE: reason length 4 -> 8", BYE, 12, 0x08, DP_RTCP_BYE_BAD_REASON, 2 },
	{ "BYE: reason length 4 -> 7, exactly the rest", BYE, 12, 0x07, DP_RTCP_OK, N_PACKETS },
	{ "PLI: length 2 -> 1", PLI, 3, 0x01, DP_RTCP_TOO_SHORT, 3 },
	{ "FIR: length 6 -> 5, half an entry", FIR, 3, 0x05, DP_RTCP_FCI_BAD_LENGTH, 4 },
	{ "FIR: length 6 -> 2, no entries", FIR, 3, 0x02, DP_RTCP_EMPTY_FCI, 4 },
	{ "NACK: length 3 -> 2, no pairs", NACK, 3, 0x02, DP_RTCP_EMPTY_FCI, 5 },
	{ "REMB: Num SSRC 3 -> 4", REMB, 16, 0x04, DP_RTCP_REMB_SSRC_COUNT, 6 },
	{ "REMB: Num SSRC 3 -> 0", REMB, 16, 0x00, DP_RTCP_REMB_SSRC_COUNT, 6 },
	{ "REMB: Num SSRC 3 -> 255", REMB, 16, 0xff, DP_RTCP_REMB_SSRC_COUNT, 6 },
	{ "REMB: exponent 1 -> 63", REMB, 17, 0xff, DP_RTCP_REMB_BITRATE_OVERFLOW, 6 },
	{ "REMB: length 7 -> 3, 'REMB' alone", REMB, 3, 0x03, DP_RTCP_REMB_TRUNCATED, 6 },
	{ "REMB: 'REMB' -> 'NEMB', another application's AFB", REMB, 12, 'N', DP_RTCP_OK,
	  N_PACKETS },
	{ "APP: length 3 -> 1, no name", APP, 3, 0x01, DP_RTCP_TOO_SHORT, 7 },
	{ "XR: version 1", XR, 0, 0x40, DP_RTCP_BAD_VERSION, 8 },
	{ "TWCC: status count 1 -> 2, no second chunk", TWCC, 15, 0x02,
	  DP_RTCP_TWCC_MISSING_CHUNKS, 9 },
	{ "TWCC: status count 1 -> 0", TWCC, 15, 0x00, DP_RTCP_TWCC_NO_STATUS, 9 },
	{ "TWCC: run of small deltas -> large, one delta octet short", TWCC, 20, 0x40,
	  DP_RTCP_TWCC_MISSING_DELTAS, 9 },
	{ "TWCC: run symbol -> reserved 11", TWCC, 20, 0x60, DP_RTCP_TWCC_RESERVED_SYMBOL, 9 },
	{ "TWCC: run -> lost, the delta becomes padding", TWCC, 20, 0x00, DP_RTCP_OK,
	  N_PACKETS },
	{ "TWCC: padding count 1 -> 0", TWCC, 23, 0x00, DP_RTCP_BAD_PADDING, 9 },
	{ "TWCC: padding count 1 -> 2, eating the delta", TWCC, 23, 0x02,
	  DP_RTCP_TWCC_MISSING_DELTAS, 9 },
	{ "TWCC: length one word past the end", TWCC, 3, 0x06, DP_RTCP_BAD_LENGTH, 9 },
	{ "TWCC: length 5 -> 3, FCI shorter than its header", TWCC, 3, 0x03,
	  DP_RTCP_TWCC_TRUNCATED, 9 },
};

static void test_edits(void)
{
	static uint8_t buf[1024];
	uint32_t len = (uint32_t)test_hex(every_type, buf, sizeof(buf));
	uint32_t start[N_PACKETS];
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	unsigned n = 0;

	dp_rtcp_iter_init(&it, buf, len, 0);
	while (dp_rtcp_next(&it, &item) && n < N_PACKETS)
		start[n++] = item.off;
	CHECK(n == N_PACKETS && it.err == DP_RTCP_OK, "every_type: %u packets, %s", n,
	      dp_rtcp_error_name(it.err));

	for (unsigned e = 0; e < ARRAY_LEN(edits); e++) {
		const struct edit *d = &edits[e];
		uint8_t *p = rt_exact(buf, len);
		p[start[d->pkt] + d->at] = d->value;

		dp_rtcp_iter_init(&it, p, len, 0);
		while (dp_rtcp_next(&it, &item))
			;
		CHECK(it.err == d->err && it.n_items == d->kept,
		      "edit %u (%s): %s after %u items, want %s after %u", e + 1, d->name,
		      dp_rtcp_error_name(it.err), it.n_items, dp_rtcp_error_name(d->err),
		      d->kept);
		const char *why = rt_check_buffer(p, len, 0);
		CHECK(!why, "edit %u (%s): %s", e + 1, d->name, why);
		free(p);
	}
}

static void check_edited(const uint8_t *buf, uint32_t len, uint32_t at, uint8_t value,
			 const char *what)
{
	uint8_t *p = rt_exact(buf, len);
	p[at] = value;
	const char *why = rt_check_buffer(p, len, 0);
	CHECK(!why, "%s: octet %u = 0x%02x: %s", what, at, value, why);
	why = rt_check_buffer(p, len, DP_RTCP_REQUIRE_REPORT_FIRST);
	CHECK(!why, "%s (compound rule): octet %u = 0x%02x: %s", what, at, value, why);
	free(p);
}

static void test_sweeps(void)
{
	static uint8_t buf[1024];
	uint32_t len = (uint32_t)test_hex(every_type, buf, sizeof(buf));
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;

	dp_rtcp_iter_init(&it, buf, len, 0);
	while (dp_rtcp_next(&it, &item)) {
		uint32_t o = item.off;
		/* Every count (RC, SC, FMT, subtype) with V=2, with and without P. */
		for (unsigned v = 0; v < 64; v++)
			check_edited(buf, len, o, (uint8_t)(0x80 | v), "count sweep");
		/* Every length up to past the buffer, and the largest. */
		for (unsigned w = 0; w <= len / 4 + 1; w++) {
			uint8_t *p = rt_exact(buf, len);
			p[o + 2] = (uint8_t)(w >> 8);
			p[o + 3] = (uint8_t)w;
			const char *why = rt_check_buffer(p, len, 0);
			CHECK(!why, "length sweep: packet at %u length %u: %s", o, w, why);
			free(p);
		}
		check_edited(buf, len, o + 2, 0xff, "length 0xff..");
		/* Every packet type. */
		for (unsigned pt = 0; pt < 256; pt++)
			check_edited(buf, len, o + 1, (uint8_t)pt, "type sweep");
	}
	/* Every bit of every octet. */
	for (uint32_t at = 0; at < len; at++)
		for (unsigned bit = 0; bit < 8; bit++)
			check_edited(buf, len, at, (uint8_t)(buf[at] ^ (1u << bit)), "bit flip");
}

int main(void)
{
	test_truncations();
	test_edits();
	test_sweeps();
	return test_summary("dp_rtcp_truncate");
}
