/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport-wide congestion control feedback: checking the FCI whole, then
 * walking its packet status chunks and receive deltas packet by packet.
 */
#include "rtcp_parse_priv.h"
#include "rtcp_twcc.h"
#include "rtcp_wire.h"

/*
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|  FMT=15 |    PT=205     |           length              |
 *    |                     SSRC of packet sender                     |
 *    |                      SSRC of media source                     |
 *    |      base sequence number     |      packet status count      |
 *    |                 reference time                | fb pkt. count |
 *    |          packet chunk         |         packet chunk          |
 *    .                                                               .
 *    |         packet chunk          |  recv delta   |  recv delta   |
 *    .                                                               .
 *    |           recv delta          |  recv delta   | zero padding  |
 *
 * "packet status count: 16 bits The number of packets this feedback
 * contains status for, starting with the packet identified by the base
 * sequence number."
 *
 * "reference time: 24 bits Signed integer indicating an absolute reference
 * time in some (unknown) time base chosen by the sender of the feedback
 * packets.  The value is to be interpreted in multiples of 64ms.  The
 * first recv delta in this packet is relative to the reference time."
 * (libwebrtc's sender lets it wrap modulo 2^24; compare reference times of
 * successive feedbacks modulo 2^24.)
 *
 * Section 3.1.1: "00 Packet not received, 01 Packet received, small delta,
 * 10 Packet received, large or negative delta, 11 [Reserved]".  The
 * draft's chunk examples still call 11 "received, w/o recv delta" (from an
 * earlier version); like libwebrtc, this parser refuses it within the
 * count.
 *
 * Section 3.1.3, run length chunk: "|T| S |  Run Length  |  chunk type
 * (T): 1 bit A zero identifies this as a run length chunk. ... run length
 * (L): 13 bits An unsigned integer denoting the run length."
 *
 * Section 3.1.4, status vector chunk: "|T|S| symbol list |  ...  symbol
 * size (S): 1 bit A zero means this vector contains only "packet
 * received" (0) and "packet not received" (1) symbols. ... A one means
 * this vector contains the normal 2-bit symbols, 7 in total."  The
 * sentence has 0 and 1 the wrong way round: the draft's own example 1
 * (|1|0|0 1 1 1 1 1 0 0 0 1 1 1 0 0| is "1x packet not received, 5x packet
 * received, ...") and every implementation read a one-bit symbol 1 as
 * "received, small delta" and 0 as "not received", as here.
 *
 * The last chunk may describe more packets than the count has left; the
 * extra symbols are ignored (and not checked), as libwebrtc does.  A run
 * length of 0 describes nothing and is allowed.
 */

/* How many statuses a chunk describes before the count cuts it short. */
static uint32_t chunk_capacity(uint16_t w)
{
	if (!(w & 0x8000))
		return w & 0x1fff;
	return (w & 0x4000) ? 7 : 14;
}

/* Symbol k of a chunk (every symbol of a run length chunk is the same). */
static uint8_t chunk_symbol(uint16_t w, uint32_t k)
{
	if (!(w & 0x8000))
		return (w >> 13) & 0x3;
	if (w & 0x4000)
		return (w >> (12 - 2 * k)) & 0x3;
	return (w >> (13 - k)) & 0x1;
}

/*
 * Section 3.1.5: "If the "Packet received, small delta" symbol has been
 * appended to the status list, an 8-bit unsigned receive delta will be
 * appended to recv delta list ...  If the "Packet received, large or
 * negative delta" symbol has been appended to the status list, a 16-bit
 * signed receive delta will be appended".
 */
static uint32_t delta_size(uint8_t symbol)
{
	return symbol == DP_RTCP_TWCC_SMALL_DELTA ? 1 : symbol == DP_RTCP_TWCC_LARGE_DELTA ? 2 : 0;
}

enum dp_rtcp_error dp_rtcp_parse_twcc(struct dp_rtcp_item *item, const uint8_t *fci,
				      uint32_t fci_len)
{
	uint32_t media_ssrc = item->fb.media_ssrc;

	if (fci_len == 0)
		return DP_RTCP_EMPTY_FCI;
	if (fci_len < 8)
		return DP_RTCP_TWCC_TRUNCATED;

	uint16_t status_count = dp_rtcp_get16(fci + 2);
	if (status_count == 0)
		return DP_RTCP_TWCC_NO_STATUS;

	/* The chunks: until they cover the count.  Counting the delta
	 * octets a run needs is a multiplication, so this is linear in the
	 * chunks, not in the packets. */
	uint32_t off = 8, left = status_count, n_chunks = 0, n_received = 0, delta_len = 0;
	while (left > 0) {
		if (fci_len - off < 2)
			return DP_RTCP_TWCC_MISSING_CHUNKS;
		uint16_t w = dp_rtcp_get16(fci + off);
		off += 2;
		n_chunks++;

		uint32_t n = chunk_capacity(w);
		if (n > left)
			n = left;
		if (!(w & 0x8000)) {
			uint8_t s = chunk_symbol(w, 0);
			if (n > 0 && s == 3)
				return DP_RTCP_TWCC_RESERVED_SYMBOL;
			if (delta_size(s)) {
				n_received += n;
				delta_len += n * delta_size(s);
			}
		} else {
			for (uint32_t k = 0; k < n; k++) {
				uint8_t s = chunk_symbol(w, k);
				if (s == 3)
					return DP_RTCP_TWCC_RESERVED_SYMBOL;
				if (delta_size(s)) {
					n_received++;
					delta_len += delta_size(s);
				}
			}
		}
		left -= n;
	}
	if (fci_len - off < delta_len)
		return DP_RTCP_TWCC_MISSING_DELTAS;

	/* What follows the deltas is the draft's zero padding (libwebrtc's
	 * older senders padded without setting P); it is not read. */
	struct dp_rtcp_twcc *t = &item->twcc;
	item->type = DP_RTCP_ITEM_TWCC;
	t->media_ssrc = media_ssrc;
	t->base_seq = dp_rtcp_get16(fci);
	t->status_count = status_count;
	t->reference_time = dp_rtcp_sext24(dp_rtcp_get24(fci + 4));
	t->fb_count = fci[7];
	t->n_chunks = n_chunks;
	t->n_received = n_received;
	t->chunks = fci + 8;
	t->deltas = fci + off;
	t->end = fci + fci_len;
	return DP_RTCP_OK;
}

void dp_rtcp_twcc_iter_init(struct dp_rtcp_twcc_iter *it, const struct dp_rtcp_twcc *t)
{
	it->chunk = t->chunks;
	it->delta = t->deltas;
	it->end = t->end;
	it->left = t->status_count;
	it->in_chunk = 0;
	it->word = 0;
	it->pos = 0;
	it->seq = t->base_seq;
	it->arrival_us = 0;
}

/*
 * The bounds checks below cannot fail on an item dp_rtcp_next() returned;
 * they keep a hand-made or corrupted struct from reading past its FCI.
 */
bool dp_rtcp_twcc_iter_next(struct dp_rtcp_twcc_iter *it, struct dp_rtcp_twcc_packet *pkt)
{
	if (it->left == 0)
		return false;
	while (it->in_chunk == 0) {
		if (it->end - it->chunk < 2)
			goto broken;
		it->word = dp_rtcp_get16(it->chunk);
		it->chunk += 2;
		it->pos = 0;
		it->in_chunk = chunk_capacity(it->word);
		if (it->in_chunk > it->left)
			it->in_chunk = it->left;
	}

	uint8_t s = chunk_symbol(it->word, it->pos);
	int32_t d = 0;
	if (s == DP_RTCP_TWCC_SMALL_DELTA) {
		if (it->end - it->delta < 1)
			goto broken;
		d = it->delta[0];
		it->delta += 1;
	} else if (s == DP_RTCP_TWCC_LARGE_DELTA) {
		if (it->end - it->delta < 2)
			goto broken;
		d = (int16_t)dp_rtcp_get16(it->delta);
		it->delta += 2;
	} else if (s != DP_RTCP_TWCC_NOT_RECEIVED) {
		goto broken;
	}
	it->pos++;
	it->in_chunk--;
	it->left--;

	pkt->seq = it->seq++;
	pkt->status = s;
	pkt->received = s != DP_RTCP_TWCC_NOT_RECEIVED;
	pkt->delta_ticks = d;
	if (pkt->received)
		it->arrival_us += (int64_t)d * DP_RTCP_TWCC_DELTA_US;
	pkt->arrival_us = pkt->received ? it->arrival_us : 0;
	return true;

broken:
	it->left = 0;
	return false;
}

uint32_t dp_rtcp_twcc_decode(const struct dp_rtcp_twcc *t, struct dp_rtcp_twcc_packet *out,
			     uint32_t cap)
{
	struct dp_rtcp_twcc_iter it;
	struct dp_rtcp_twcc_packet pkt;
	uint32_t n = 0;

	dp_rtcp_twcc_iter_init(&it, t);
	while (n < cap && dp_rtcp_twcc_iter_next(&it, &pkt))
		out[n++] = pkt;
	return t->status_count;
}
