/* SPDX-License-Identifier: BSD-3-Clause */
/* The original packet of an RTX packet (rtp_rtx.h). */
#include <string.h>

#include "rtp_header.h"
#include "rtp_rtx.h"

enum strata_rtx_status strata_rtx_restore(uint8_t *rtp, uint32_t len, uint8_t rtx_pt, uint8_t pt,
					  uint32_t ssrc, struct strata_rtx_original *o)
{
	uint32_t hdr_len = 0, end = len;

	if (strata_rtp_header_len(rtp, len, &hdr_len) != STRATA_RTP_PARSE_OK)
		return STRATA_RTX_BAD_HEADER;
	/* RFC 3550 section 5.1: "The last octet of the padding contains a
	 * count of how many padding octets should be ignored, including
	 * itself." */
	if (rtp[0] & 0x20) {
		uint8_t pad = rtp[len - 1];
		if (pad == 0 || pad > len - hdr_len)
			return STRATA_RTX_BAD_PADDING;
		end = len - pad;
	}
	if (end == hdr_len)
		return STRATA_RTX_PADDING_ONLY;
	if (end - hdr_len < 2)
		return STRATA_RTX_NO_OSN;
	if (rtx_pt != 0 && (rtp[1] & 0x7f) != rtx_pt)
		return STRATA_RTX_WRONG_PT;

	uint16_t osn = strata_be16(rtp + hdr_len);
	memmove(rtp + 2, rtp, hdr_len);
	uint8_t *p = rtp + 2;
	p[0] &= (uint8_t)~0x20;
	p[1] = (uint8_t)((p[1] & 0x80) | (pt & 0x7f));
	p[2] = (uint8_t)(osn >> 8);
	p[3] = (uint8_t)osn;
	strata_put_be32(p + 8, ssrc);
	o->off = 2;
	o->len = end - 2;
	o->hdr_len = hdr_len;
	o->osn = osn;
	return STRATA_RTX_OK;
}
