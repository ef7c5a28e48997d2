/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REMB, the receiver's estimated maximum bit rate
 * (draft-alvestrand-rmcat-remb-03), carried in an application layer
 * feedback message (RFC 4585 section 6.4): parsing, the exponent/mantissa
 * codec and the builder.
 */
#include <string.h>

#include "rtcp_build.h"
#include "rtcp_fb.h"
#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * draft-alvestrand-rmcat-remb-03 section 2.2:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P| FMT=15  |   PT=206      |             length            |
 *   |                  SSRC of packet sender                        |
 *   |                  SSRC of media source                         |
 *   |  Unique identifier 'R' 'E' 'M' 'B'                            |
 *   |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 *   |   SSRC feedback                                               |
 *   |  ...                                                          |
 *
 * "Num SSRC (8 bits): Number of SSRCs in this message."  "BR Exp (6 bits):
 * The exponential scaling of the mantissa for the maximum total media bit
 * rate value, ignoring all packet overhead."  "BR Mantissa (18 bits): The
 * mantissa of the maximum total media bit rate (ignoring all packet
 * overhead) that the sender of the REMB estimates."
 *
 * The draft asks for one or more SSRCs; none is accepted, as libwebrtc
 * accepts and sends it.  The length must match Num SSRC exactly, so an
 * inconsistent REMB is refused rather than half read.  An AFB message
 * without the 'REMB' identifier is some other application's: FB_OTHER.
 */
enum dp_rtcp_error dp_rtcp_parse_afb(struct dp_rtcp_item *item, const uint8_t *fci,
				     uint32_t fci_len)
{
	uint32_t media_ssrc = item->fb.media_ssrc;

	if (fci_len == 0)
		return DP_RTCP_EMPTY_FCI;
	if (fci_len < 4 || memcmp(fci, "REMB", 4) != 0)
		return DP_RTCP_OK;
	if (fci_len < 8)
		return DP_RTCP_REMB_TRUNCATED;

	uint8_t n_ssrcs = fci[4];
	uint8_t exp = fci[5] >> 2;
	uint32_t mantissa = (uint32_t)(fci[5] & 0x03) << 16 | dp_rtcp_get16(fci + 6);
	uint64_t bitrate;

	if (fci_len != 8 + 4u * n_ssrcs)
		return DP_RTCP_REMB_SSRC_COUNT;
	if (n_ssrcs > DP_RTCP_REMB_MAX_SSRCS)
		return DP_RTCP_REMB_TOO_MANY_SSRCS;
	if (!dp_rtcp_remb_decode(exp, mantissa, &bitrate))
		return DP_RTCP_REMB_BITRATE_OVERFLOW;

	item->type = DP_RTCP_ITEM_REMB;
	item->remb.media_ssrc = media_ssrc;
	item->remb.bitrate_bps = bitrate;
	item->remb.exp = exp;
	item->remb.mantissa = mantissa;
	item->remb.n_ssrcs = n_ssrcs;
	item->remb.ssrcs = fci + 8;
	return DP_RTCP_OK;
}

uint32_t dp_rtcp_remb_ssrc(const struct dp_rtcp_remb *r, unsigned i)
{
	return i < r->n_ssrcs ? dp_rtcp_get32(r->ssrcs + 4 * i) : 0;
}

bool dp_rtcp_remb_decode(uint8_t exp, uint32_t mantissa, uint64_t *bitrate_bps)
{
	if (exp > 63 || mantissa > (UINT64_MAX >> exp))
		return false;
	*bitrate_bps = (uint64_t)mantissa << exp;
	return true;
}

void dp_rtcp_remb_encode(uint64_t bitrate_bps, uint8_t *exp, uint32_t *mantissa)
{
	uint8_t e = 0;

	while ((bitrate_bps >> e) > 0x3ffff)
		e++;
	*exp = e;
	*mantissa = (uint32_t)(bitrate_bps >> e);
}

/* "SSRC of media source: Always 0; this is the same convention as in
 * [RFC5104] section 4.2.2.2 (TMMBN)." */
uint32_t dp_rtcp_build_remb(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			    uint64_t bitrate_bps, const uint32_t *ssrcs, unsigned n)
{
	if (n > DP_RTCP_REMB_MAX_SSRCS || (n && !ssrcs))
		return 0;
	uint32_t len = DP_RTCP_FB_HEADER_LEN + 8 + 4 * n;
	if (len > cap)
		return 0;

	uint8_t exp;
	uint32_t mantissa;
	dp_rtcp_remb_encode(bitrate_bps, &exp, &mantissa);

	dp_rtcp_put_fb_header(buf, DP_RTCP_FMT_AFB, DP_RTCP_PT_PSFB, len, sender_ssrc, 0);
	memcpy(buf + 12, "REMB", 4);
	buf[16] = (uint8_t)n;
	buf[17] = (uint8_t)((uint32_t)exp << 2 | mantissa >> 16);
	dp_rtcp_put16(buf + 18, (uint16_t)mantissa);
	for (unsigned i = 0; i < n; i++)
		dp_rtcp_put32(buf + 20 + 4 * i, ssrcs[i]);
	return len;
}
