/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: writing the transport-wide sequence number into a
 * forwarded RTP header (dataplane/rtp/rtp_ext_twcc.c) whatever header
 * extension block the publisher sent.
 *
 * Input: [pub_id] [id] [room] [tail] then an RTP packet.  When the header
 * parses (strata_rtp_header_len), it is copied into a heap buffer of
 * exactly header + tail + room octets (ASan sees any write past it) and:
 *  - growth and put agree, and the result is 0, 4, 8 or a refusal;
 *  - a refusal leaves the buffer as it was;
 *  - otherwise the header parses again, `growth` octets longer; the element
 *    with the receiver's id (when 1..14) holds the number (as the
 *    dataplane's own finder reads it); the fixed header but for X and the
 *    tail octets are unchanged.
 * Any broken promise abort()s.
 *
 * Seeds (corpus/twcc_ext/): the header shapes of test_dp_twcc_ext.c (no
 * extension, CSRCs, one-byte with the publisher's element, padding, two-byte
 * form, ID 15, an element past the end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_ext_twcc.h"
#include "rtp/rtp_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t hdr_len = 0;

	if (size < 4 + 12)
		return 0;
	uint8_t pub_id = data[0] & 0x0f, id = data[1] & 0x0f, room = data[2] & 0x0f;
	uint8_t tail = data[3] & 0x0f;
	const uint8_t *pkt = data + 4;
	uint32_t len = (uint32_t)size - 4;
	if (strata_rtp_header_len(pkt, len, &hdr_len) != STRATA_RTP_PARSE_OK || hdr_len + tail > len)
		return 0;

	size_t cap = hdr_len + tail + room;
	uint8_t *buf = malloc(cap), *orig = malloc(cap);
	memcpy(buf, pkt, hdr_len + tail);
	memset(buf + hdr_len + tail, 0xa5, room);
	memcpy(orig, buf, cap);

	uint16_t seq = (uint16_t)(len * 2654435761u);
	int g = dp_rtp_ext_twcc_growth(buf, hdr_len, room, pub_id, id);
	INVARIANT(memcmp(buf, orig, cap) == 0);
	int r = dp_rtp_ext_twcc_put(buf, hdr_len, tail, room, pub_id, id, seq);
	INVARIANT(r == g);
	INVARIANT(r == 0 || r == 4 || r == 8 || r == DP_TWCC_PUT_NO_ROOM ||
		  r == DP_TWCC_PUT_BAD_HEADER);
	if (r < 0) {
		INVARIANT(memcmp(buf, orig, cap) == 0);
	} else {
		uint32_t new_len = 0, elen = 0;
		INVARIANT((uint32_t)r <= room);
		INVARIANT(strata_rtp_header_len(buf, hdr_len + (uint32_t)r + tail, &new_len) ==
			  STRATA_RTP_PARSE_OK);
		INVARIANT(new_len == hdr_len + (uint32_t)r);
		INVARIANT(memcmp(buf + new_len, orig + hdr_len, tail) == 0);
		INVARIANT((buf[0] & 0xef) == (orig[0] & 0xef) && memcmp(buf + 1, orig + 1, 11) == 0);
		const uint8_t *v = strata_rtp_ext_find(buf, new_len, id, &elen);
		INVARIANT(v != NULL && elen == 2 && strata_be16(v) == seq);
	}
	free(buf);
	free(orig);
	return 0;
}
