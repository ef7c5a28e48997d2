/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generic NACK (RFC 4585 section 6.2.1): checking the FCI, expanding its
 * PID/BLP pairs into the lost sequence numbers, and packing sequence
 * numbers into pairs.
 */
#include "rtcp_build.h"
#include "rtcp_fb.h"
#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * RFC 4585 section 6.2.1: "The Generic NACK message is identified by
 * PT=RTPFB and FMT=1.  The FCI field MUST contain at least one and MAY
 * contain more than one Generic NACK."
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            PID                |             BLP               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
enum dp_rtcp_error dp_rtcp_parse_nack(struct dp_rtcp_item *item, const uint8_t *fci,
				      uint32_t fci_len)
{
	uint32_t media_ssrc = item->fb.media_ssrc;

	if (fci_len == 0)
		return DP_RTCP_EMPTY_FCI;
	if (fci_len % 4)
		return DP_RTCP_FCI_BAD_LENGTH;
	item->type = DP_RTCP_ITEM_NACK;
	item->nack.media_ssrc = media_ssrc;
	item->nack.n_pairs = fci_len / 4;
	item->nack.pairs = fci;
	return DP_RTCP_OK;
}

bool dp_rtcp_nack_pair(const struct dp_rtcp_nack *n, uint32_t i, uint16_t *pid, uint16_t *blp)
{
	if (i >= n->n_pairs)
		return false;
	*pid = dp_rtcp_get16(n->pairs + 4 * (size_t)i);
	*blp = dp_rtcp_get16(n->pairs + 4 * (size_t)i + 2);
	return true;
}

/*
 * "Packet ID (PID): 16 bits  The PID field is used to specify a lost
 * packet.  The PID field refers to the RTP sequence number of the lost
 * packet."
 *
 * "bitmask of following lost packets (BLP): 16 bits  The BLP allows for
 * reporting losses of any of the 16 RTP packets immediately following the
 * RTP packet indicated by the PID. ... Denoting the BLP's least
 * significant bit as bit 1, and its most significant bit as bit 16, then
 * bit i of the bit mask is set to 1 if the receiver has not received RTP
 * packet number (PID+i) (modulo 2^16) and indicates this packet is lost;
 * bit i is set to 0 otherwise."
 */
uint32_t dp_rtcp_nack_expand(const struct dp_rtcp_nack *n, uint16_t *seqs, uint32_t cap)
{
	uint32_t total = 0;
	uint16_t pid, blp;

	for (uint32_t i = 0; dp_rtcp_nack_pair(n, i, &pid, &blp); i++) {
		if (total < cap)
			seqs[total] = pid;
		total++;
		for (unsigned bit = 1; bit <= 16; bit++) {
			if (!(blp & (1u << (bit - 1))))
				continue;
			if (total < cap)
				seqs[total] = (uint16_t)(pid + bit);
			total++;
		}
	}
	return total;
}

/*
 * One greedy pass over seqs: writes each PID/BLP pair at out (unless out
 * is NULL, to count them first) and returns how many there are.  A number
 * 1 to 16 after the current PID joins its BLP, the PID itself again is
 * already covered, and anything else starts the next pair.
 */
static uint32_t pack_pairs(const uint16_t *seqs, unsigned n, uint8_t *out)
{
	uint32_t pairs = 0;
	uint16_t pid = seqs[0], blp = 0;

	for (unsigned i = 1; i <= n; i++) {
		if (i < n) {
			uint16_t d = (uint16_t)(seqs[i] - pid);
			if (d == 0)
				continue;
			if (d <= 16) {
				blp |= (uint16_t)(1u << (d - 1));
				continue;
			}
		}
		if (out) {
			dp_rtcp_put16(out + 4 * pairs, pid);
			dp_rtcp_put16(out + 4 * pairs + 2, blp);
		}
		pairs++;
		if (i < n) {
			pid = seqs[i];
			blp = 0;
		}
	}
	return pairs;
}

uint32_t dp_rtcp_build_nack(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			    uint32_t media_ssrc, const uint16_t *seqs, unsigned n)
{
	if (n == 0 || !seqs)
		return 0;
	uint32_t pairs = pack_pairs(seqs, n, NULL);
	if (pairs > (DP_RTCP_MAX_PACKET_LEN - DP_RTCP_FB_HEADER_LEN) / 4)
		return 0;
	uint32_t len = DP_RTCP_FB_HEADER_LEN + 4 * pairs;
	if (len > cap)
		return 0;
	dp_rtcp_put_fb_header(buf, DP_RTCP_FMT_NACK, DP_RTCP_PT_RTPFB, len, sender_ssrc,
			      media_ssrc);
	pack_pairs(seqs, n, buf + DP_RTCP_FB_HEADER_LEN);
	return len;
}
