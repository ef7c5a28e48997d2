/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feedback messages (RFC 4585 section 6): the common header, the dispatch
 * on FMT, and the two keyframe requests, PLI and FIR, with their builders.
 * NACK, REMB and transport-wide CC have files of their own.
 */
#include "rtcp_build.h"
#include "rtcp_fb.h"
#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * RFC 4585 section 6.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|   FMT   |       PT      |          length               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  SSRC of packet sender                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  SSRC of media source                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :            Feedback Control Information (FCI)                 :
 *
 * A format this router does not act on (TMMBR, SLI, RPSI, an AFB other
 * than REMB, ...) is returned as FB_OTHER with its FCI, for counting.
 */
enum dp_rtcp_error dp_rtcp_parse_fb(struct dp_rtcp_item *item)
{
	if (item->body_len < DP_RTCP_FB_HEADER_LEN - DP_RTCP_HEADER_LEN)
		return DP_RTCP_TOO_SHORT;

	uint32_t media_ssrc = dp_rtcp_get32(item->body + 4);
	const uint8_t *fci = item->body + 8;
	uint32_t fci_len = item->body_len - 8;

	item->fb.media_ssrc = media_ssrc;
	item->fb.fci = fci;
	item->fb.fci_len = fci_len;

	if (item->pt == DP_RTCP_PT_RTPFB) {
		if (item->count == DP_RTCP_FMT_NACK)
			return dp_rtcp_parse_nack(item, fci, fci_len);
		if (item->count == DP_RTCP_FMT_TWCC)
			return dp_rtcp_parse_twcc(item, fci, fci_len);
		return DP_RTCP_OK;
	}

	switch (item->count) {
	case DP_RTCP_FMT_PLI:
		/*
		 * RFC 4585 section 6.3.1.1: "PLI does not require parameters.
		 * Therefore, the length field MUST be 2, and there MUST NOT be
		 * any Feedback Control Information."  A PLI with FCI still
		 * asks for the same thing; it is taken, FCI ignored.
		 */
		item->type = DP_RTCP_ITEM_PLI;
		return DP_RTCP_OK;
	case DP_RTCP_FMT_FIR:
		/*
		 * RFC 5104 section 4.3.1: "The FCI field MUST contain one or
		 * more FIR entries.  Each entry applies to a different media
		 * sender, identified by its SSRC."  Section 4.3.1.1:
		 *
		 *   |                              SSRC                             |
		 *   | Seq nr.       |    Reserved                                   |
		 *
		 * "Reserved (24 bits): All bits SHALL be set to 0 by the sender
		 * and SHALL be ignored on reception."
		 */
		if (fci_len == 0)
			return DP_RTCP_EMPTY_FCI;
		if (fci_len % 8)
			return DP_RTCP_FCI_BAD_LENGTH;
		item->type = DP_RTCP_ITEM_FIR;
		item->fir.media_ssrc = media_ssrc;
		item->fir.n_entries = fci_len / 8;
		item->fir.entries = fci;
		return DP_RTCP_OK;
	case DP_RTCP_FMT_AFB:
		return dp_rtcp_parse_afb(item, fci, fci_len);
	default:
		return DP_RTCP_OK;
	}
}

bool dp_rtcp_fir_entry(const struct dp_rtcp_fir *f, uint32_t i, struct dp_rtcp_fir_entry *e)
{
	if (i >= f->n_entries)
		return false;
	e->ssrc = dp_rtcp_get32(f->entries + 8 * (size_t)i);
	e->seq = f->entries[8 * (size_t)i + 4];
	return true;
}

uint32_t dp_rtcp_build_pli(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	if (cap < DP_RTCP_FB_HEADER_LEN)
		return 0;
	dp_rtcp_put_fb_header(buf, DP_RTCP_FMT_PLI, DP_RTCP_PT_PSFB, DP_RTCP_FB_HEADER_LEN,
			      sender_ssrc, media_ssrc);
	return DP_RTCP_FB_HEADER_LEN;
}

/*
 * RFC 5104 section 4.3.1: "the "SSRC of packet sender" field indicates
 * the source of the request, and the "SSRC of media source" is not used
 * and SHALL be set to 0."
 */
uint32_t dp_rtcp_build_fir(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			   const struct dp_rtcp_fir_entry *entries, unsigned n)
{
	if (n == 0 || !entries || n > (DP_RTCP_MAX_PACKET_LEN - DP_RTCP_FB_HEADER_LEN) / 8)
		return 0;
	uint32_t len = DP_RTCP_FB_HEADER_LEN + 8 * n;
	if (len > cap)
		return 0;
	dp_rtcp_put_fb_header(buf, DP_RTCP_FMT_FIR, DP_RTCP_PT_PSFB, len, sender_ssrc, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = buf + DP_RTCP_FB_HEADER_LEN + 8 * i;
		dp_rtcp_put32(e, entries[i].ssrc);
		e[4] = entries[i].seq;
		e[5] = e[6] = e[7] = 0;
	}
	return len;
}
