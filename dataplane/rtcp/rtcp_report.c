/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender and receiver reports (RFC 3550 sections 6.4.1 and 6.4.2): parsing,
 * the report block codec and the SR and RR builders.
 */
#include <string.h>

#include "rtcp_build.h"
#include "rtcp_parse_priv.h"
#include "rtcp_time.h"
#include "rtcp_wire.h"

/*
 * RFC 3550 section 6.4.1:
 *
 *        0                   1                   2                   3
 *        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |             length            |
 *       |                         SSRC of sender                        |
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |
 * info   |             NTP timestamp, least significant word             |
 *       |                         RTP timestamp                         |
 *       |                     sender's packet count                     |
 *       |                      sender's octet count                     |
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 SSRC_1 (SSRC of first source)                 |
 * block  | fraction lost |       cumulative number of packets lost       |
 *   1    |           extended highest sequence number received           |
 *       |                      interarrival jitter                      |
 *       |                         last SR (LSR)                         |
 *       |                   delay since last SR (DLSR)                  |
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *       :                              ...                              :
 *       |                  profile-specific extensions                  |
 *
 * Section 6.4.2: "The format of the receiver report (RR) packet is the
 * same as that of the SR packet except that the packet type field
 * contains the constant 201 and the five words of sender information are
 * omitted".  "reception report count (RC): 5 bits  The number of
 * reception report blocks contained in this packet.  A value of zero is
 * valid."
 */
enum dp_rtcp_error dp_rtcp_parse_report(struct dp_rtcp_item *item)
{
	const uint8_t *b = item->body;
	uint32_t fixed = 4 + (item->type == DP_RTCP_ITEM_SR ? DP_RTCP_SENDER_INFO_LEN : 0);

	if (item->body_len < fixed)
		return DP_RTCP_TOO_SHORT;
	uint32_t blocks_len = (uint32_t)item->count * DP_RTCP_REPORT_BLOCK_LEN;
	if (blocks_len > item->body_len - fixed)
		return DP_RTCP_COUNT_PAST_END;

	struct dp_rtcp_report *r = &item->report;
	if (item->type == DP_RTCP_ITEM_SR) {
		r->si.ntp = (uint64_t)dp_rtcp_get32(b + 4) << 32 | dp_rtcp_get32(b + 8);
		r->si.rtp_ts = dp_rtcp_get32(b + 12);
		r->si.packet_count = dp_rtcp_get32(b + 16);
		r->si.octet_count = dp_rtcp_get32(b + 20);
	}
	r->n_blocks = item->count;
	r->blocks = b + fixed;
	/* Section 6.4.3: an extension "is a fourth section in the sender- or
	 * receiver-report packet which comes at the end after the reception
	 * report blocks". */
	r->ext_len = item->body_len - fixed - blocks_len;
	r->ext = r->ext_len ? r->blocks + blocks_len : NULL;
	return DP_RTCP_OK;
}

/*
 * "cumulative number of packets lost: 24 bits ... the loss may be negative
 * if there are duplicates": a two's complement field, sign-extended here.
 */
void dp_rtcp_report_block_read(const uint8_t *p, struct dp_rtcp_report_block *rb)
{
	rb->ssrc = dp_rtcp_get32(p);
	rb->fraction_lost = p[4];
	rb->cumulative_lost = dp_rtcp_sext24(dp_rtcp_get24(p + 5));
	rb->ext_highest_seq = dp_rtcp_get32(p + 8);
	rb->jitter = dp_rtcp_get32(p + 12);
	rb->lsr = dp_rtcp_get32(p + 16);
	rb->dlsr = dp_rtcp_get32(p + 20);
}

/* The cumulative count is clamped to 24 bits as Appendix A.3 asks, so a
 * translated count never wraps from a large loss to a gain. */
void dp_rtcp_report_block_write(uint8_t *p, const struct dp_rtcp_report_block *rb)
{
	dp_rtcp_put32(p, rb->ssrc);
	p[4] = rb->fraction_lost;
	dp_rtcp_put24(p + 5, (uint32_t)dp_rtcp_clamp_cumulative_lost(rb->cumulative_lost));
	dp_rtcp_put32(p + 8, rb->ext_highest_seq);
	dp_rtcp_put32(p + 12, rb->jitter);
	dp_rtcp_put32(p + 16, rb->lsr);
	dp_rtcp_put32(p + 20, rb->dlsr);
}

bool dp_rtcp_report_block(const struct dp_rtcp_report *r, unsigned i,
			  struct dp_rtcp_report_block *rb)
{
	if (i >= r->n_blocks)
		return false;
	dp_rtcp_report_block_read(r->blocks + (size_t)i * DP_RTCP_REPORT_BLOCK_LEN, rb);
	return true;
}

static uint32_t build_report(uint8_t *buf, uint32_t cap, uint8_t pt, uint32_t ssrc,
			     const struct dp_rtcp_sender_info *si,
			     const struct dp_rtcp_report_block *blocks, unsigned n_blocks)
{
	if (n_blocks > DP_RTCP_MAX_COUNT || (n_blocks && !blocks))
		return 0;
	uint32_t fixed = 8 + (si ? DP_RTCP_SENDER_INFO_LEN : 0);
	uint32_t len = fixed + n_blocks * DP_RTCP_REPORT_BLOCK_LEN;
	if (len > cap)
		return 0;

	dp_rtcp_put_header(buf, (uint8_t)n_blocks, pt, len);
	dp_rtcp_put32(buf + 4, ssrc);
	if (si) {
		dp_rtcp_put32(buf + 8, (uint32_t)(si->ntp >> 32));
		dp_rtcp_put32(buf + 12, (uint32_t)si->ntp);
		dp_rtcp_put32(buf + 16, si->rtp_ts);
		dp_rtcp_put32(buf + 20, si->packet_count);
		dp_rtcp_put32(buf + 24, si->octet_count);
	}
	for (unsigned i = 0; i < n_blocks; i++)
		dp_rtcp_report_block_write(buf + fixed + i * DP_RTCP_REPORT_BLOCK_LEN, &blocks[i]);
	return len;
}

uint32_t dp_rtcp_build_sr(uint8_t *buf, uint32_t cap, uint32_t ssrc,
			  const struct dp_rtcp_sender_info *si,
			  const struct dp_rtcp_report_block *blocks, unsigned n_blocks)
{
	if (!si)
		return 0;
	return build_report(buf, cap, DP_RTCP_PT_SR, ssrc, si, blocks, n_blocks);
}

uint32_t dp_rtcp_build_rr(uint8_t *buf, uint32_t cap, uint32_t ssrc,
			  const struct dp_rtcp_report_block *blocks, unsigned n_blocks)
{
	return build_report(buf, cap, DP_RTCP_PT_RR, ssrc, NULL, blocks, n_blocks);
}
