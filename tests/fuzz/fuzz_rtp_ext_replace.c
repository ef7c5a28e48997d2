/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: replacing one RTP header extension element
 * (dataplane/rtp/rtp_ext_replace.c), as the fan-out does to give a receiver
 * a longer dependency descriptor, on hostile headers.
 *
 * The input is [id] [n] [n octets of element data] [an RTP packet].  The
 * packet is copied into a heap buffer of exactly its length (ASan sees any
 * read past it); only a header strata_rtp_header_len accepts goes on, as
 * on the packet path.  strata_rtp_ext_replace writes into an exact-size
 * buffer of the room it is told of (the input's header length plus the
 * element's growth, the form change and padding).  When it succeeds, the
 * new header must be one strata_rtp_header_len accepts, of the length it
 * returned, with the fixed header and CSRCs unchanged, element `id` holding
 * exactly the data, and every other element the input had in one-byte or
 * two-byte form still there with its data.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/rtp_ext_replace/): headers of tests/data/vp9/l3t3.rtp and
 * tests/data/av1/l3t3.rtp (Chromium: the one-byte form, and the two-byte
 * form for a descriptor with its structure), each with id 13 and a
 * descriptor of the mandatory fields grown by the extended ones, and a
 * hand-made header whose descriptor is the one element.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "rtp_ext.h"
#include "rtp_ext_replace.h"
#include "rtp_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every element of a block, by id: its data and length (-1 = absent). */
static void elements(const uint8_t *hdr, uint32_t hdr_len, int len[256],
		     const uint8_t *at[256])
{
	for (unsigned id = 0; id < 256; id++) {
		uint32_t l = 0;
		const uint8_t *d = id ? strata_rtp_ext_find(hdr, hdr_len, (uint8_t)id, &l) : NULL;
		len[id] = d ? (int)l : -1;
		at[id] = d;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t id = data[0];
	size_t n = data[1];
	if (size < 2 + n)
		return 0;
	const uint8_t *elem = data + 2;
	size_t pkt_len = size - 2 - n;
	if (pkt_len == 0 || pkt_len > 4096)
		return 0;
	uint8_t *pkt = malloc(pkt_len);
	memcpy(pkt, data + 2 + n, pkt_len);
	uint32_t hdr_len = 0;
	if (strata_rtp_header_len(pkt, (uint32_t)pkt_len, &hdr_len) != STRATA_RTP_PARSE_OK) {
		free(pkt);
		return 0;
	}
	/* Room for any result: each element may gain an octet in the two-byte
	 * form, the new one is n + 2, and padding. */
	uint32_t cap = 2 * hdr_len + (uint32_t)n + 8;
	uint8_t *out = malloc(cap);
	uint32_t out_len = strata_rtp_ext_replace(pkt, hdr_len, id, elem, (uint32_t)n, out, cap);
	if (out_len != 0) {
		uint32_t check_len = 0;
		INVARIANT(out_len <= cap);
		INVARIANT(strata_rtp_header_len(out, out_len, &check_len) == STRATA_RTP_PARSE_OK);
		INVARIANT(check_len == out_len);
		uint32_t fixed = STRATA_RTP_FIXED_HEADER_LEN + 4u * (pkt[0] & 0x0f);
		INVARIANT(memcmp(out, pkt, fixed) == 0);

		static int in_len[256], new_len[256];
		static const uint8_t *in_at[256], *new_at[256];
		elements(pkt, hdr_len, in_len, in_at);
		elements(out, out_len, new_len, new_at);
		INVARIANT(in_len[id] >= 0);
		INVARIANT(new_len[id] == (int)n);
		INVARIANT(n == 0 || memcmp(new_at[id], elem, n) == 0);
		for (unsigned e = 1; e < 256; e++) {
			if (e == id || in_len[e] < 0)
				continue;
			/* strata_rtp_ext_find stops at the one-byte form's id 15;
			 * the rewrite stops there too, so what came before is kept. */
			INVARIANT(new_len[e] == in_len[e]);
			INVARIANT(memcmp(new_at[e], in_at[e], (size_t)in_len[e]) == 0);
		}
	}
	free(out);
	free(pkt);
	return 0;
}
