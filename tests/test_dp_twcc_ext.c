/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport-wide sequence number written into forwarded RTP headers
 * (dataplane/rtp/rtp_ext_twcc.h), case by case: each header is built by
 * hand, the number written, and the result read back with the header
 * parser and extension finder the dataplane uses for everything else
 * (rtp_header.h, rtp_ext.h), which know nothing of the writer.
 *
 * Checked every time: the return value against the growth predicted; the
 * header's new length as parsed; the element with the receiver's id holds
 * the number; every other element (and its id) is unchanged; the octets
 * after the header (a rewritten payload descriptor) moved with it; a
 * refusal leaves the buffer untouched.
 */
#include <stddef.h>

#include "rtp/rtp_ext.h"
#include "rtp/rtp_ext_twcc.h"
#include "rtp/rtp_header.h"
#include "test_util.h"

#define SEQ 0xbeef

struct ext_case {
	const char *name;
	const char *hdr;    /* hex: the RTP header as the publisher sent it */
	uint8_t pub_id, id;
	uint32_t room;
	int want;           /* growth, or enum dp_twcc_put */
	uint8_t keep_id;    /* another element that must survive (0: none) */
	const char *keep;   /* its data, hex */
};

/* V=2, PT 96, seq 1, ts 2, SSRC 3. */
#define FIXED "80600001 00000002 00000003"
#define FIXED_X "90600001 00000002 00000003"

static const struct ext_case cases[] = {
	{"RFC 8285 none yet: a one-byte block is added", FIXED, 0, 5, 100, 8, 0, NULL},
	{"after two CSRCs", "82600001 00000002 00000003 0000000a 0000000b", 0, 5, 100, 8, 0, NULL},
	{"section 4.2: the publisher's element, rewritten in place with our id",
	 FIXED_X "bede0002 1050 31abcd 000000", 3, 5, 100, 0, 1, "50"},
	{"our id already there (2 octets): its value",
	 FIXED_X "bede0001 51 0001 00", 0, 5, 100, 0, 0, NULL},
	{"three padding octets after the last element take it",
	 FIXED_X "bede0002 1050 000000 000000", 3, 5, 100, 0, 1, "50"},
	{"two padding octets are not enough: a word is added",
	 FIXED_X "bede0001 1050 0000", 3, 5, 100, 4, 1, "50"},
	{"our id taken by an element of another length: refused (it would be ambiguous)",
	 FIXED_X "bede0001 50aa 0000", 0, 5, 100, DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"... in the two-byte form too", FIXED_X "10000001 0501 aa 00", 0, 5, 100,
	 DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"an element of the publisher's id but another length is not ours",
	 FIXED_X "bede0001 30aa 0000", 3, 5, 100, 4, 3, "aa"},
	{"section 4.3 two-byte block: a two-byte element is appended",
	 FIXED_X "10000001 0101 50 00", 0, 5, 100, 4, 1, "50"},
	{"two-byte block with the publisher's element: in place",
	 FIXED_X "10000002 0101 50 00 0302 abcd", 3, 5, 100, 0, 1, "50"},
	{"section 4.2: ID 15 ends the block: nothing may be added after it",
	 FIXED_X "bede0001 f0000000", 0, 5, 100, DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"an element running past the block", FIXED_X "bede0001 00003fff",
	 0, 5, 100, DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"unknown profile", FIXED_X "12340001 51000100", 0, 5, 100, DP_TWCC_PUT_BAD_HEADER, 0,
	 NULL},
	{"id 15 cannot be written", FIXED, 0, 15, 100, DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"id 0 cannot be written", FIXED, 0, 0, 100, DP_TWCC_PUT_BAD_HEADER, 0, NULL},
	{"no room for a new block", FIXED, 0, 5, 7, DP_TWCC_PUT_NO_ROOM, 0, NULL},
	{"no room for a new word", FIXED_X "bede0001 1050 0000", 3, 5, 3, DP_TWCC_PUT_NO_ROOM, 0,
	 NULL},
	{"in place needs no room", FIXED_X "bede0001 51 0001 00", 0, 5, 0, 0, 0, NULL},
};

static void run_case(const struct ext_case *c)
{
	uint8_t buf[256], orig[256], keep[16];
	size_t n = test_hex(c->hdr, buf, sizeof(buf));
	const uint8_t tail[4] = {0x90, 0x80, 0x12, 0x34}; /* a VP8 descriptor, say */
	uint32_t hdr_len = 0;

	memcpy(buf + n, tail, sizeof(tail));
	memcpy(orig, buf, sizeof(buf));
	CHECK(strata_rtp_header_len(buf, (uint32_t)n + 4, &hdr_len) == STRATA_RTP_PARSE_OK &&
		      hdr_len == n,
	      "%s: the test's header does not parse (%u of %zu)", c->name, hdr_len, n);

	int g = dp_rtp_ext_twcc_growth(buf, hdr_len, c->room, c->pub_id, c->id);
	CHECK(g == c->want, "%s: growth %d, want %d", c->name, g, c->want);
	int r = dp_rtp_ext_twcc_put(buf, hdr_len, sizeof(tail), c->room, c->pub_id, c->id, SEQ);
	CHECK(r == c->want, "%s: put returned %d, want %d", c->name, r, c->want);
	if (r < 0) {
		CHECK_MEM(buf, orig, sizeof(buf), c->name);
		return;
	}
	uint32_t new_len = 0, elen = 0;
	CHECK(strata_rtp_header_len(buf, hdr_len + (uint32_t)r + 4, &new_len) ==
			      STRATA_RTP_PARSE_OK &&
		      new_len == hdr_len + (uint32_t)r,
	      "%s: the new header parses as %u octets, want %u", c->name, new_len,
	      hdr_len + (uint32_t)r);
	const uint8_t *v = strata_rtp_ext_find(buf, new_len, c->id, &elen);
	CHECK(v != NULL && elen == 2 && strata_be16(v) == SEQ,
	      "%s: element %u: %s, %u octets, value %04x", c->name, c->id,
	      v ? "found" : "missing", elen, v ? strata_be16(v) : 0);
	CHECK_MEM(buf + new_len, tail, sizeof(tail), c->name);
	CHECK_MEM(buf + 1, orig + 1, 11, c->name); /* PT, seq, ts, SSRC */
	if (c->keep_id) {
		size_t kn = test_hex(c->keep, keep, sizeof(keep));
		v = strata_rtp_ext_find(buf, new_len, c->keep_id, &elen);
		CHECK(v != NULL && elen == kn && memcmp(v, keep, kn) == 0,
		      "%s: element %u did not survive", c->name, c->keep_id);
	}
	if (c->pub_id && c->pub_id != c->id) {
		v = strata_rtp_ext_find(buf, new_len, c->pub_id, &elen);
		CHECK(v == NULL || elen != 2,
		      "%s: the publisher's number (id %u) is still there", c->name, c->pub_id);
	}
}

/* Every number lands in its packet: a sequence of stamps, as the fan-out
 * makes them, each read back. */
static void sequence(void)
{
	for (uint32_t i = 0; i < 70000; i += 997) {
		uint8_t buf[64];
		size_t n = test_hex(FIXED, buf, sizeof(buf));
		uint32_t len = 0, elen = 0;
		int r = dp_rtp_ext_twcc_put(buf, (uint32_t)n, 0, 64, 0, 14, (uint16_t)i);
		strata_rtp_header_len(buf, (uint32_t)n + (uint32_t)r, &len);
		const uint8_t *v = strata_rtp_ext_find(buf, len, 14, &elen);
		CHECK(r == 8 && v && strata_be16(v) == (uint16_t)i, "number %u: %d", i, r);
	}
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);
	sequence();
	return test_summary("dp_twcc_ext");
}
