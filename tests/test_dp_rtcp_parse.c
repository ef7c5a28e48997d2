/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp: the iterator on hand-built packets.
 *
 * Each row is an RTCP packet written out octet by octet and the exact
 * items the iterator must return, as rt_dump() text (test_dp_rtcp.h): one
 * line per item with every field, then "end <error>".  Every buffer is an
 * exact-size heap copy, so a read past its end is an ASan report.  Rows:
 *
 *  - every item type, with the fields a router uses (libwebrtc's and
 *    mediasoup's published NACK and REMB packets among them);
 *  - compound and reduced-size packets, and what happens to the packets
 *    before a bad one (kept) and after it (not read);
 *  - one or more refusals for every error that is not transport-wide CC's
 *    (test_dp_rtcp_twcc.c has those).
 *
 * dp_rtcp_validate() must agree with each row's last line.
 */
#include "test_dp_rtcp.h"
#include "test_util.h"

struct row {
	const char *name;
	const char *hex;
	unsigned flags;
	const char *want;
};

#define SR_HDR "11 22 33 44  b4 4d b7 05 20 00 00 00  00 01 e2 40  00 00 00 0a  00 00 03 e8 "
#define SR_DUMP "sr ssrc=11223344 ntp=b44db70520000000 rtp=123456 packets=10 octets=1000"
#define BLOCK1 "01 02 03 04  40 00 00 05  00 01 00 10  00 00 00 20  b7 05 20 00  00 05 40 00 "
#define BLOCK1_DUMP "[01020304 fl=64 cl=5 hs=65552 j=32 lsr=b7052000 dlsr=00054000]"
#define RR_EMPTY "80 c9 00 01  11 22 33 44 "
#define RR_EMPTY_DUMP "rr ssrc=11223344 ext=0\n"
#define PLI "81 ce 00 02  11 22 33 44  55 66 77 88 "
#define PLI_DUMP "pli ssrc=11223344 media=55667788\n"
#define NACK_EMPTY "81 cd 00 02  11 22 33 44  55 66 77 88 "
/* libwebrtc modules/rtp_rtcp/source/rtcp_packet/nack_unittest.cc, kPacket. */
#define NACK_WEBRTC "81 cd 00 03  12 34 56 78  23 45 67 89  00 00 80 85 "
#define NACK_WEBRTC_DUMP "nack ssrc=12345678 media=23456789 lost=0,1,3,8,16\n"
/* libwebrtc remb_unittest.cc, kPacket: 0x3fb93 * 2 bps for three SSRCs. */
#define REMB_WEBRTC "8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  03 07 fb 93 " \
		    "23 45 67 89  23 45 67 8a  23 45 67 8b "
#define REMB_WEBRTC_DUMP "remb ssrc=12345678 media=00000000 bps=522022 exp=1 " \
			 "mantissa=261011 ssrcs=23456789,2345678a,2345678b\n"
#define SDES_CNAME "81 ca 00 06  11 22 33 44  01 10 75 73 65 72 40 65 78 61 6d 70 6c 65 " \
		   "2e 63 6f 6d 00 00 "
#define SDES_CNAME_DUMP "sdes [11223344 cname=\"user@example.com\"]\n"

static const struct row rows[] = {
	/* Each type. */
	{ "SR without report blocks", "80 c8 00 06 " SR_HDR, 0, SR_DUMP " ext=0\nend ok\n" },
	{ "SR with two report blocks, the second at every field's maximum",
	  "82 c8 00 12 " SR_HDR BLOCK1
	  "a0 b0 c0 d0  ff ff ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff", 0,
	  SR_DUMP " ext=0 " BLOCK1_DUMP " [a0b0c0d0 fl=255 cl=-1 hs=4294967295 j=4294967295 "
		  "lsr=ffffffff dlsr=ffffffff]\nend ok\n" },
	{ "empty RR (RC=0), as RFC 3550 6.4.2 puts first when nothing is reported", RR_EMPTY,
	  0, RR_EMPTY_DUMP "end ok\n" },
	{ "RR whose cumulative lost is the most negative 24-bit value",
	  "81 c9 00 07  11 22 33 44  55 66 77 88  00 80 00 00  00 00 ff ff  00 00 00 00 "
	  "00 00 00 00  00 00 00 00", 0,
	  "rr ssrc=11223344 ext=0 [55667788 fl=0 cl=-8388608 hs=65535 j=0 lsr=00000000 "
	  "dlsr=00000000]\nend ok\n" },
	{ "RR whose cumulative lost is the largest 24-bit value",
	  "81 c9 00 07  11 22 33 44  55 66 77 88  01 7f ff ff  00 02 00 01  00 00 01 00 "
	  "12 34 56 78  00 01 00 00", 0,
	  "rr ssrc=11223344 ext=0 [55667788 fl=1 cl=8388607 hs=131073 j=256 lsr=12345678 "
	  "dlsr=00010000]\nend ok\n" },
	{ "RR with a profile-specific extension after its block",
	  "81 c9 00 08  11 22 33 44 " BLOCK1 "de ad be ef", 0,
	  "rr ssrc=11223344 ext=4 " BLOCK1_DUMP "\nend ok\n" },
	{ "SDES with one CNAME", SDES_CNAME, 0, SDES_CNAME_DUMP "end ok\n" },
	{ "SDES: NAME and TOOL skipped before the CNAME, then a chunk without items",
	  "82 ca 00 07  aa aa aa aa  02 03 42 6f 62  06 01 78  01 02 68 31  00 00 00 00 "
	  "bb bb bb bb  00 00 00 00", 0,
	  "sdes [aaaaaaaa cname=\"h1\"] [bbbbbbbb]\nend ok\n" },
	{ "SDES: only the first of two CNAMEs counts",
	  "81 ca 00 03  aa aa aa aa  01 01 61 01  01 62 00 00", 0,
	  "sdes [aaaaaaaa cname=\"a\"]\nend ok\n" },
	{ "SDES: an empty CNAME", "81 ca 00 02  aa aa aa aa  01 00 00 00", 0,
	  "sdes [aaaaaaaa cname=\"\"]\nend ok\n" },
	{ "SDES with SC=0 (valid, useless)", "80 ca 00 00", 0, "sdes\nend ok\n" },
	{ "SDES whose P padding took the chunk's null padding",
	  "a1 ca 00 03  aa aa aa aa  01 02 61 62  00 00 00 03", 0,
	  "sdes [aaaaaaaa cname=\"ab\"]\nend ok\n" },
	{ "BYE of two sources with a reason",
	  "82 cb 00 04  11 11 11 11  22 22 22 22  04 67 6f 6e 65 00 00 00", 0,
	  "bye 11111111 22222222 reason=\"gone\"\nend ok\n" },
	{ "BYE with SC=0", "80 cb 00 00", 0, "bye\nend ok\n" },
	{ "APP subtype 3 named STRA with 4 octets of data",
	  "83 cc 00 03  11 22 33 44  53 54 52 41  01 02 03 04", 0,
	  "app ssrc=11223344 sub=3 name=\"STRA\" data=4\nend ok\n" },
	{ "PLI", PLI, 0, PLI_DUMP "end ok\n" },
	{ "PLI with FCI (RFC 4585 forbids it; taken as a PLI)",
	  "81 ce 00 03  11 22 33 44  55 66 77 88  00 00 00 00", 0, PLI_DUMP "end ok\n" },
	{ "FIR with two entries, reserved octets ignored",
	  "84 ce 00 06  11 22 33 44  00 00 00 00  55 66 77 88  07 00 00 00  99 aa bb cc "
	  "ff 01 02 03", 0,
	  "fir ssrc=11223344 media=00000000 [55667788 #7] [99aabbcc #255]\nend ok\n" },
	{ "Generic NACK: libwebrtc's packet for 0 1 3 8 16", NACK_WEBRTC, 0,
	  NACK_WEBRTC_DUMP "end ok\n" },
	{ "Generic NACK across the wrap: libwebrtc's kWrapPacket",
	  "81 cd 00 06  12 34 56 78  23 45 67 89  ff dc 80 00  ff fe 00 17  00 14 00 00 "
	  "00 64 00 00", 0,
	  "nack ssrc=12345678 media=23456789 lost=65500,65516,65534,65535,0,1,3,20,100\n"
	  "end ok\n" },
	{ "REMB: libwebrtc's packet", REMB_WEBRTC, 0, REMB_WEBRTC_DUMP "end ok\n" },
	{ "REMB: mediasoup's packet, exponent 0",
	  "8f ce 00 06  fa 17 fa 17  00 00 00 00  52 45 4d 42  02 01 df 82  02 d0 37 02 "
	  "04 a7 67 47", 0,
	  "remb ssrc=fa17fa17 media=00000000 bps=122754 exp=0 mantissa=122754 "
	  "ssrcs=02d03702,04a76747\nend ok\n" },
	{ "REMB without SSRCs (libwebrtc sends it)",
	  "8f ce 00 04  12 34 56 78  00 00 00 00  52 45 4d 42  00 07 fb 93", 0,
	  "remb ssrc=12345678 media=00000000 bps=522022 exp=1 mantissa=261011 ssrcs=\n"
	  "end ok\n" },
	{ "AFB that is not a REMB", "8f ce 00 03  11 22 33 44  00 00 00 00  41 42 43 44", 0,
	  "fb pt=206 fmt=15 ssrc=11223344 media=00000000 fci=4\nend ok\n" },
	{ "RTPFB FMT 3 (TMMBR): returned for counting",
	  "83 cd 00 04  11 22 33 44  00 00 00 00  55 66 77 88  04 00 00 00", 0,
	  "fb pt=205 fmt=3 ssrc=11223344 media=00000000 fci=8\nend ok\n" },
	{ "PSFB FMT 2 (SLI): returned for counting",
	  "82 ce 00 03  11 22 33 44  55 66 77 88  00 00 00 40", 0,
	  "fb pt=206 fmt=2 ssrc=11223344 media=55667788 fci=4\nend ok\n" },
	{ "XR (207) is an unknown type: returned, not refused",
	  "80 cf 00 02  11 22 33 44  00 00 00 00", 0, "unknown pt=207 count=0 len=12\nend ok\n" },
	{ "transport-wide CC: pion's example 1, one packet, P set",
	  "af cd 00 05  fa 17 fa 17  43 03 2f a0  00 99 00 01  3d e8 02 17  20 01 94 01", 0,
	  "twcc ssrc=fa17fa17 media=43032fa0 base=153 count=1 ref=4057090 fb=23 153:1@37000\n"
	  "end ok\n" },
	{ "padding: an RR with P set and 4 octets of padding",
	  "a0 c9 00 02  11 22 33 44  00 00 00 04", 0, RR_EMPTY_DUMP "end ok\n" },
	{ "padding: a NACK with a word of padding",
	  "a1 cd 00 04  12 34 56 78  23 45 67 89  00 00 80 85  00 00 00 04", 0,
	  NACK_WEBRTC_DUMP "end ok\n" },

	/* Compound and reduced size. */
	{ "compound: RR, SDES, PLI, NACK, REMB",
	  RR_EMPTY SDES_CNAME PLI NACK_WEBRTC REMB_WEBRTC, DP_RTCP_REQUIRE_REPORT_FIRST,
	  RR_EMPTY_DUMP SDES_CNAME_DUMP PLI_DUMP NACK_WEBRTC_DUMP REMB_WEBRTC_DUMP "end ok\n" },
	{ "compound: SR first passes the compound rule",
	  "80 c8 00 06 " SR_HDR SDES_CNAME, DP_RTCP_REQUIRE_REPORT_FIRST,
	  SR_DUMP " ext=0\n" SDES_CNAME_DUMP "end ok\n" },
	{ "reduced size: a PLI alone (RFC 5506)", PLI, 0, PLI_DUMP "end ok\n" },
	{ "reduced size refused where a compound is required", PLI,
	  DP_RTCP_REQUIRE_REPORT_FIRST, "end first_not_report\n" },
	{ "an SDES first is refused where a compound is required", SDES_CNAME RR_EMPTY,
	  DP_RTCP_REQUIRE_REPORT_FIRST, "end first_not_report\n" },
	{ "the good packets before a bad one are kept", RR_EMPTY PLI NACK_EMPTY, 0,
	  RR_EMPTY_DUMP PLI_DUMP "end empty_fci\n" },
	{ "nothing after a bad packet is read, even with a sound length",
	  RR_EMPTY NACK_EMPTY PLI, 0, RR_EMPTY_DUMP "end empty_fci\n" },
	{ "a bad length in the second packet ends after the first",
	  RR_EMPTY "81 ce 00 09  11 22 33 44  55 66 77 88", 0, RR_EMPTY_DUMP "end bad_length\n" },

	/* Refusals, one or more per error. */
	{ "empty buffer", "", 0, "end truncated\n" },
	{ "one octet", "80", 0, "end truncated\n" },
	{ "three stray octets after a packet", RR_EMPTY "00 00 00", 0,
	  RR_EMPTY_DUMP "end truncated\n" },
	{ "version 1", "40 c9 00 01  11 22 33 44", 0, "end bad_version\n" },
	{ "version 0 (a STUN-like first octet)", "00 01 00 00", 0, "end bad_version\n" },
	{ "version 3", "c0 c9 00 01  11 22 33 44", 0, "end bad_version\n" },
	{ "length one word past the end", "80 c9 00 02  11 22 33 44", 0, "end bad_length\n" },
	{ "length 0xffff on a short buffer", "80 c9 ff ff  11 22 33 44", 0, "end bad_length\n" },
	{ "P set, padding count 0", "a0 c9 00 02  11 22 33 44  00 00 00 00", 0,
	  "end bad_padding\n" },
	{ "P set, padding count past the header", "a0 c9 00 01  11 22 33 05", 0,
	  "end bad_padding\n" },
	{ "P set on a header-only packet", "a0 cf 00 00", 0, "end bad_padding\n" },
	{ "padding that eats the RR's SSRC", "a0 c9 00 02  11 22 33 44  00 00 00 05", 0,
	  "end too_short\n" },
	{ "SR shorter than its sender info", "80 c8 00 01  11 22 33 44", 0, "end too_short\n" },
	{ "RR without its SSRC", "80 c9 00 00", 0, "end too_short\n" },
	{ "APP without a name", "80 cc 00 01  11 22 33 44", 0, "end too_short\n" },
	{ "PLI without a media SSRC", "81 ce 00 01  11 22 33 44", 0, "end too_short\n" },
	{ "RTPFB header only", "81 cd 00 00", 0, "end too_short\n" },
	{ "RR with RC=1 and no block", "81 c9 00 01  11 22 33 44", 0, "end count_past_end\n" },
	{ "SR with RC=2 and one block", "82 c8 00 0c " SR_HDR BLOCK1, 0,
	  "end count_past_end\n" },
	{ "RR with RC=31 and one block", "9f c9 00 07  11 22 33 44 " BLOCK1, 0,
	  "end count_past_end\n" },
	{ "SDES with SC=2 and one chunk", "82 ca 00 02  11 22 33 44  00 00 00 00", 0,
	  "end count_past_end\n" },
	{ "SDES with SC=2, the first chunk ending where P padding starts",
	  "a2 ca 00 03  aa aa aa aa  01 02 61 62  00 00 00 03", 0, "end count_past_end\n" },
	{ "BYE with SC=2 and one SSRC", "82 cb 00 01  11 11 11 11", 0, "end count_past_end\n" },
	{ "SDES item length past the packet", "81 ca 00 02  11 22 33 44  01 08 61 62", 0,
	  "end sdes_bad_item\n" },
	{ "SDES chunk without its terminator", "81 ca 00 02  11 22 33 44  02 02 61 62", 0,
	  "end sdes_bad_item\n" },
	{ "SDES item type in the last octet, no length", "81 ca 00 02  11 22 33 44  02 01 61 02",
	  0, "end sdes_bad_item\n" },
	{ "BYE reason longer than the packet", "81 cb 00 02  11 11 11 11  09 61 62 63", 0,
	  "end bye_bad_reason\n" },
	{ "Generic NACK without FCI", NACK_EMPTY, 0, "end empty_fci\n" },
	{ "FIR without FCI", "84 ce 00 02  11 22 33 44  00 00 00 00", 0, "end empty_fci\n" },
	{ "AFB without FCI", "8f ce 00 02  11 22 33 44  00 00 00 00", 0, "end empty_fci\n" },
	{ "transport-wide CC without FCI", "8f cd 00 02  11 22 33 44  55 66 77 88", 0,
	  "end empty_fci\n" },
	{ "FIR with half an entry", "84 ce 00 03  11 22 33 44  00 00 00 00  55 66 77 88", 0,
	  "end fci_bad_length\n" },
	{ "Generic NACK whose padding leaves 6 octets of FCI",
	  "a1 cd 00 04  11 22 33 44  55 66 77 88  00 05 00 00  00 00 00 02", 0,
	  "end fci_bad_length\n" },
	{ "'REMB' and nothing else",
	  "8f ce 00 03  11 22 33 44  00 00 00 00  52 45 4d 42", 0, "end remb_truncated\n" },
	{ "REMB Num SSRC one more than present (libwebrtc's mismatch case)",
	  "8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  04 07 fb 93 "
	  "23 45 67 89  23 45 67 8a  23 45 67 8b", 0, "end remb_ssrc_count\n" },
	{ "REMB Num SSRC one fewer than present",
	  "8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  02 07 fb 93 "
	  "23 45 67 89  23 45 67 8a  23 45 67 8b", 0, "end remb_ssrc_count\n" },
	{ "REMB exponent 63, mantissa 0x3fb93 (libwebrtc's overflow case)",
	  "8f ce 00 07  12 34 56 78  00 00 00 00  52 45 4d 42  03 ff fb 93 "
	  "23 45 67 89  23 45 67 8a  23 45 67 8b", 0, "end remb_bitrate_overflow\n" },
};

/* Every item lies inside the buffer, in order, without gaps. */
static void check_bounds(const struct row *r, unsigned idx, const uint8_t *p, uint32_t len)
{
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	uint32_t next = 0;

	dp_rtcp_iter_init(&it, p, len, r->flags);
	while (dp_rtcp_next(&it, &item)) {
		CHECK(item.off == next && item.len >= 4 && item.len <= len - item.off,
		      "row %u (%s): item at %u+%u, expected at %u within %u", idx, r->name,
		      item.off, item.len, next, len);
		CHECK(item.body == p + item.off + 4 && item.body_len <= item.len - 4,
		      "row %u (%s): body outside its packet", idx, r->name);
		next = item.off + item.len;
	}
	CHECK(it.err != DP_RTCP_OK || next == len, "row %u (%s): clean end at %u of %u", idx,
	      r->name, next, len);
	CHECK(dp_rtcp_validate(p, len, r->flags) == it.err, "row %u (%s): validate disagrees",
	      idx, r->name);
	/* Ended iterators stay ended. */
	CHECK(!dp_rtcp_next(&it, &item), "row %u (%s): next after the end", idx, r->name);
}

static void test_rows(void)
{
	static uint8_t buf[4096];

	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		uint32_t len = (uint32_t)test_hex(r->hex, buf, sizeof(buf));
		uint8_t *p = rt_exact(buf, len);
		char *got = rt_dump_exact(p, len, r->flags);

		CHECK(strcmp(got, r->want) == 0, "row %u (%s):\n  got:  %s  want: %s", i + 1,
		      r->name, got, r->want);
		check_bounds(r, i + 1, p, len);
		free(got);
		free(p);
	}
}

/* Every error has a name, and the names are distinct. */
static void test_error_names(void)
{
	for (int e = 0; e < DP_RTCP_ERROR_COUNT; e++) {
		const char *n = dp_rtcp_error_name(e);
		CHECK(n && strcmp(n, "unknown") != 0, "error %d has no name", e);
		for (int f = 0; f < e; f++)
			CHECK(strcmp(n, dp_rtcp_error_name(f)) != 0, "errors %d and %d share %s",
			      f, e, n);
	}
	CHECK(strcmp(dp_rtcp_error_name(DP_RTCP_ERROR_COUNT), "unknown") == 0, "past the list");
	CHECK(strcmp(dp_rtcp_error_name(-1), "unknown") == 0, "negative");
	CHECK(strcmp(dp_rtcp_error_name(DP_RTCP_OK), "ok") == 0, "OK is ok");
	for (int t = 0; t < DP_RTCP_ITEM_TYPE_COUNT; t++)
		CHECK(strcmp(dp_rtcp_item_type_name(t), "unknown") != 0 ||
			      t == DP_RTCP_ITEM_UNKNOWN,
		      "item type %d has no name", t);
}

/* The accessors refuse indexes past their counts. */
static void test_accessor_bounds(void)
{
	uint8_t buf[256];
	uint32_t len = (uint32_t)test_hex(RR_EMPTY SDES_CNAME NACK_WEBRTC REMB_WEBRTC
					  "82 cb 00 02  11 11 11 11  22 22 22 22", buf, sizeof(buf));
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	struct dp_rtcp_report_block rb;
	uint16_t pid, blp;

	dp_rtcp_iter_init(&it, buf, len, 0);
	while (dp_rtcp_next(&it, &item)) {
		switch (item.type) {
		case DP_RTCP_ITEM_RR:
			CHECK(!dp_rtcp_report_block(&item.report, 0, &rb), "RR block 0 of 0");
			break;
		case DP_RTCP_ITEM_NACK:
			CHECK(dp_rtcp_nack_pair(&item.nack, 0, &pid, &blp) && pid == 0 &&
				      blp == 0x8085,
			      "NACK pair 0");
			CHECK(!dp_rtcp_nack_pair(&item.nack, 1, &pid, &blp), "NACK pair 1 of 1");
			break;
		case DP_RTCP_ITEM_REMB:
			CHECK(dp_rtcp_remb_ssrc(&item.remb, 2) == 0x2345678b, "REMB SSRC 2");
			CHECK(dp_rtcp_remb_ssrc(&item.remb, 3) == 0, "REMB SSRC 3 of 3");
			break;
		case DP_RTCP_ITEM_BYE:
			CHECK(dp_rtcp_bye_ssrc(&item.bye, 1) == 0x22222222, "BYE SSRC 1");
			CHECK(dp_rtcp_bye_ssrc(&item.bye, 2) == 0, "BYE SSRC 2 of 2");
			CHECK(item.ssrc == 0x11111111, "BYE item.ssrc is the first");
			break;
		default:
			break;
		}
	}
	CHECK(it.err == DP_RTCP_OK && it.n_items == 5, "accessor packet: %s, %u items",
	      dp_rtcp_error_name(it.err), it.n_items);
}

int main(void)
{
	test_rows();
	test_error_names();
	test_accessor_bounds();
	return test_summary("dp_rtcp_parse");
}
