/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RTCP iterator: where each individual packet of a compound packet
 * starts and ends, its common header, and the dispatch to the per-type
 * parsers.  rtcp.h says what is kept when a later packet is bad.
 */
#include <string.h>

#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * RFC 3550 section 6.4.1 (the header every RTCP packet shares):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|    RC   |   PT=SR=200   |             length            |
 *
 * "length: 16 bits  The length of this RTCP packet in 32-bit words minus
 * one, including the header and any padding.  (The offset of one makes
 * zero a valid length and avoids a possible infinite loop in scanning a
 * compound RTCP packet, while counting 32-bit words avoids a validity
 * check for a multiple of 4.)"
 *
 * "padding (P): 1 bit  If the padding bit is set, this individual RTCP
 * packet contains some additional padding octets at the end which are not
 * part of the control information but are included in the length field.
 * The last octet of the padding is a count of how many padding octets
 * should be ignored, including itself (it will be a multiple of four)."
 *
 * The padding count is not required to be a multiple of four here:
 * libwebrtc pads transport-wide CC feedback to the next word with 1 to 3
 * octets.
 */
static enum dp_rtcp_error parse_header(const uint8_t *p, uint32_t len, struct dp_rtcp_item *item)
{
	if (len < DP_RTCP_HEADER_LEN)
		return DP_RTCP_TRUNCATED;
	if ((p[0] >> 6) != 2)
		return DP_RTCP_BAD_VERSION;

	uint32_t pkt_len = 4u * ((uint32_t)dp_rtcp_get16(p + 2) + 1);
	if (pkt_len > len)
		return DP_RTCP_BAD_LENGTH;

	uint32_t body_len = pkt_len - DP_RTCP_HEADER_LEN;
	bool padded = (p[0] & 0x20) != 0;
	if (padded) {
		uint8_t pad = body_len ? p[pkt_len - 1] : 0;
		if (pad == 0 || pad > body_len)
			return DP_RTCP_BAD_PADDING;
		body_len -= pad;
	}

	item->pt = p[1];
	item->count = p[0] & 0x1f;
	item->padded = padded;
	item->len = pkt_len;
	item->body = p + DP_RTCP_HEADER_LEN;
	item->body_len = body_len;
	item->ssrc = body_len >= 4 ? dp_rtcp_get32(item->body) : 0;
	return DP_RTCP_OK;
}

/*
 * RFC 3550 section 6.7:
 *
 *   |V=2|P| subtype |   PT=APP=204  |             length            |
 *   |                           SSRC/CSRC                           |
 *   |                          name (ASCII)                         |
 *   |                   application-dependent data                ...
 *
 * "APP packets with unrecognized names SHOULD be ignored."  None is
 * recognized; the item names the packet so that it can be counted.
 */
static enum dp_rtcp_error parse_app(struct dp_rtcp_item *item)
{
	if (item->body_len < 8)
		return DP_RTCP_TOO_SHORT;
	item->app.subtype = item->count;
	memcpy(item->app.name, item->body + 4, 4);
	item->app.data = item->body + 8;
	item->app.data_len = item->body_len - 8;
	return DP_RTCP_OK;
}

enum dp_rtcp_error dp_rtcp_parse_one(const uint8_t *p, uint32_t len, struct dp_rtcp_item *item,
				     uint32_t *consumed)
{
	memset(item, 0, sizeof(*item));
	enum dp_rtcp_error err = parse_header(p, len, item);
	if (err != DP_RTCP_OK)
		return err;

	switch (item->pt) {
	case DP_RTCP_PT_SR:
		item->type = DP_RTCP_ITEM_SR;
		err = dp_rtcp_parse_report(item);
		break;
	case DP_RTCP_PT_RR:
		item->type = DP_RTCP_ITEM_RR;
		err = dp_rtcp_parse_report(item);
		break;
	case DP_RTCP_PT_SDES:
		item->type = DP_RTCP_ITEM_SDES;
		err = dp_rtcp_parse_sdes(item);
		break;
	case DP_RTCP_PT_BYE:
		item->type = DP_RTCP_ITEM_BYE;
		err = dp_rtcp_parse_bye(item);
		break;
	case DP_RTCP_PT_APP:
		item->type = DP_RTCP_ITEM_APP;
		err = parse_app(item);
		break;
	case DP_RTCP_PT_RTPFB:
	case DP_RTCP_PT_PSFB:
		item->type = DP_RTCP_ITEM_FB_OTHER;
		err = dp_rtcp_parse_fb(item);
		break;
	default:
		item->type = DP_RTCP_ITEM_UNKNOWN;
		break;
	}
	if (err == DP_RTCP_OK)
		*consumed = item->len;
	return err;
}

void dp_rtcp_iter_init(struct dp_rtcp_iter *it, const uint8_t *p, uint32_t len, unsigned flags)
{
	memset(it, 0, sizeof(*it));
	it->p = p;
	it->len = len;
	it->flags = flags;
}

bool dp_rtcp_next(struct dp_rtcp_iter *it, struct dp_rtcp_item *item)
{
	if (it->done)
		return false;
	/* The end of the buffer is a clean end, except before the first
	 * packet: an empty RTCP packet is not one. */
	if (it->off == it->len && it->n_items > 0) {
		it->done = true;
		it->err = DP_RTCP_OK;
		return false;
	}

	uint32_t consumed = 0;
	enum dp_rtcp_error err = dp_rtcp_parse_one(it->p + it->off, it->len - it->off, item,
						   &consumed);
	/*
	 * RFC 3550 section 6.1: "The first RTCP packet in the compound packet
	 * MUST always be a report packet to facilitate header validation";
	 * RFC 5506 lifts that for sessions that negotiated reduced size.
	 */
	if (err == DP_RTCP_OK && it->n_items == 0 && (it->flags & DP_RTCP_REQUIRE_REPORT_FIRST) &&
	    item->type != DP_RTCP_ITEM_SR && item->type != DP_RTCP_ITEM_RR)
		err = DP_RTCP_FIRST_NOT_REPORT;
	if (err != DP_RTCP_OK) {
		it->done = true;
		it->err = err;
		return false;
	}
	item->off = it->off;
	it->off += consumed;
	it->n_items++;
	return true;
}

enum dp_rtcp_error dp_rtcp_validate(const uint8_t *p, uint32_t len, unsigned flags)
{
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;

	dp_rtcp_iter_init(&it, p, len, flags);
	while (dp_rtcp_next(&it, &item))
		;
	return it.err;
}

const char *dp_rtcp_item_type_name(int type)
{
	static const char *const names[DP_RTCP_ITEM_TYPE_COUNT] = {
		[DP_RTCP_ITEM_SR] = "sr",     [DP_RTCP_ITEM_RR] = "rr",
		[DP_RTCP_ITEM_SDES] = "sdes", [DP_RTCP_ITEM_BYE] = "bye",
		[DP_RTCP_ITEM_APP] = "app",   [DP_RTCP_ITEM_NACK] = "nack",
		[DP_RTCP_ITEM_TWCC] = "twcc", [DP_RTCP_ITEM_PLI] = "pli",
		[DP_RTCP_ITEM_FIR] = "fir",   [DP_RTCP_ITEM_REMB] = "remb",
		[DP_RTCP_ITEM_FB_OTHER] = "fb_other", [DP_RTCP_ITEM_UNKNOWN] = "unknown",
	};
	if (type < 0 || type >= DP_RTCP_ITEM_TYPE_COUNT)
		return "unknown";
	return names[type];
}
