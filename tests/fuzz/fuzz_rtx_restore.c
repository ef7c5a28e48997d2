/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the original packet of a publisher's RTX packet
 * (dataplane/rtp/rtp_rtx.c, RFC 4588 section 4), as the router restores
 * it (rtx_repair.c), on hostile packets.
 *
 * The input is [rtx_pt] [an RTP packet], the packet copied into a heap
 * buffer of exactly its length (ASan sees any read or write past it).
 * Promises: a refused packet is left unchanged; a restored one lies within
 * the buffer, from octet 2, and is the input's header (P cleared, payload
 * type 96, sequence number = the OSN, SSRC 0x11223344; CSRCs, extension,
 * marker and timestamp as they were) followed by the input's payload after
 * the OSN, without the input's padding; strata_rtp_header_len accepts it
 * with the same header length; and the OSN was the two octets after the
 * input's header.  "Padding only" is said of a packet with no payload
 * besides its padding, if any.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/rtx_restore/): RTX packets made from packets of
 * tests/data/vp9/l3t3.rtp and tests/data/av1/l3t3.rtp (Chromium: one-byte
 * and two-byte header extensions), one with padding, and a padding-only
 * probe.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "rtp_header.h"
#include "rtp_rtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 4096)
		return 0;
	uint8_t rtx_pt = data[0];
	uint32_t len = (uint32_t)(size - 1);
	uint8_t *pkt = malloc(len), *in = malloc(len);
	memcpy(pkt, data + 1, len);
	memcpy(in, data + 1, len);

	struct strata_rtx_original o;
	enum strata_rtx_status s = strata_rtx_restore(pkt, len, rtx_pt, 96, 0x11223344u, &o);
	uint32_t hdr_len = 0;
	if (s != STRATA_RTX_OK) {
		INVARIANT(memcmp(pkt, in, len) == 0);
		if (s == STRATA_RTX_PADDING_ONLY) {
			INVARIANT(strata_rtp_header_len(in, len, &hdr_len) == STRATA_RTP_PARSE_OK);
			INVARIANT(hdr_len + ((in[0] & 0x20) ? in[len - 1] : 0) == len);
		}
	} else {
		INVARIANT(strata_rtp_header_len(in, len, &hdr_len) == STRATA_RTP_PARSE_OK);
		INVARIANT(o.off == 2 && o.off + o.len <= len && o.hdr_len == hdr_len);
		INVARIANT(o.len >= o.hdr_len);
		INVARIANT(rtx_pt == 0 || (in[1] & 0x7f) == rtx_pt);
		const uint8_t *p = pkt + o.off;
		uint32_t check = 0;
		INVARIANT(strata_rtp_header_len(p, o.len, &check) == STRATA_RTP_PARSE_OK &&
			  check == hdr_len);
		INVARIANT(o.osn == strata_be16(in + hdr_len));
		INVARIANT(p[0] == (in[0] & (uint8_t)~0x20));
		INVARIANT(p[1] == ((in[1] & 0x80) | 96));
		INVARIANT(strata_be16(p + 2) == o.osn && strata_rtp_ssrc(p) == 0x11223344u);
		INVARIANT(memcmp(p + 4, in + 4, 4) == 0);      /* timestamp */
		INVARIANT(memcmp(p + 12, in + 12, hdr_len - 12) == 0); /* CSRCs, extension */
		uint32_t pad = (in[0] & 0x20) ? in[len - 1] : 0;
		INVARIANT(o.len == len - pad - 2);
		INVARIANT(memcmp(p + hdr_len, in + hdr_len + 2, o.len - hdr_len) == 0);
	}
	free(in);
	free(pkt);
	return 0;
}
