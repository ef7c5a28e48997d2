/* SPDX-License-Identifier: BSD-3-Clause */
/* BYE (RFC 3550 section 6.6): parsing and the builder. */
#include "rtcp_build.h"
#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * RFC 3550 section 6.6:
 *
 *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *       |                           SSRC/CSRC                           |
 *       :                              ...                              :
 * (opt) |     length    |               reason for leaving            ...
 *
 * "source count (SC): 5 bits  The number of SSRC/CSRC identifiers included
 * in this BYE packet.  A count value of zero is valid, but useless."
 * "Optionally, the BYE packet MAY include an 8-bit octet count followed by
 * that many octets of text indicating the reason for leaving ... If not,
 * the BYE packet MUST be padded with null octets to the next 32-bit
 * boundary."
 *
 * Octets after the SSRCs are a reason: its length octet must fit, and
 * whatever follows the text is taken for that null padding (so is a zero
 * length octet: no reason).
 */
enum dp_rtcp_error dp_rtcp_parse_bye(struct dp_rtcp_item *item)
{
	struct dp_rtcp_bye *b = &item->bye;
	uint32_t list_len = 4u * item->count;

	if (list_len > item->body_len)
		return DP_RTCP_COUNT_PAST_END;
	b->n_ssrcs = item->count;
	b->ssrcs = item->body;
	item->ssrc = item->count ? dp_rtcp_get32(item->body) : 0;

	uint32_t rest = item->body_len - list_len;
	if (rest > 0) {
		const uint8_t *r = item->body + list_len;
		if (r[0] > rest - 1)
			return DP_RTCP_BYE_BAD_REASON;
		b->reason_len = r[0];
		b->reason = r[0] ? r + 1 : NULL;
	}
	return DP_RTCP_OK;
}

uint32_t dp_rtcp_bye_ssrc(const struct dp_rtcp_bye *b, unsigned i)
{
	return i < b->n_ssrcs ? dp_rtcp_get32(b->ssrcs + 4 * i) : 0;
}

uint32_t dp_rtcp_build_bye(uint8_t *buf, uint32_t cap, const uint32_t *ssrcs, unsigned n_ssrcs)
{
	if (n_ssrcs > DP_RTCP_MAX_COUNT || (n_ssrcs && !ssrcs))
		return 0;
	uint32_t len = 4 + 4 * n_ssrcs;
	if (len > cap)
		return 0;
	dp_rtcp_put_header(buf, (uint8_t)n_ssrcs, DP_RTCP_PT_BYE, len);
	for (unsigned i = 0; i < n_ssrcs; i++)
		dp_rtcp_put32(buf + 4 + 4 * i, ssrcs[i]);
	return len;
}
