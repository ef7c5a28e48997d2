/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building a compound RTCP packet from a list of parts (rtcp_build.h):
 * each part's builder writes where the last one stopped.
 */
#include "rtcp_build.h"

static uint32_t build_part(uint8_t *buf, uint32_t cap, const struct dp_rtcp_part *p)
{
	switch (p->type) {
	case DP_RTCP_PART_SR:
		return dp_rtcp_build_sr(buf, cap, p->ssrc, p->report.si, p->report.blocks,
					p->report.n);
	case DP_RTCP_PART_RR:
		return dp_rtcp_build_rr(buf, cap, p->ssrc, p->report.blocks, p->report.n);
	case DP_RTCP_PART_SDES_CNAME:
		return dp_rtcp_build_sdes_cname(buf, cap, p->ssrc, p->sdes.cname, p->sdes.len);
	case DP_RTCP_PART_BYE:
		return dp_rtcp_build_bye(buf, cap, p->list.ssrcs, p->list.n);
	case DP_RTCP_PART_PLI:
		return dp_rtcp_build_pli(buf, cap, p->ssrc, p->media_ssrc);
	case DP_RTCP_PART_FIR:
		return dp_rtcp_build_fir(buf, cap, p->ssrc, p->fir.entries, p->fir.n);
	case DP_RTCP_PART_NACK:
		return dp_rtcp_build_nack(buf, cap, p->ssrc, p->media_ssrc, p->nack.seqs,
					  p->nack.n);
	case DP_RTCP_PART_REMB:
		return dp_rtcp_build_remb(buf, cap, p->ssrc, p->remb.bitrate_bps, p->remb.ssrcs,
					  p->remb.n);
	}
	return 0;
}

uint32_t dp_rtcp_build_compound(uint8_t *buf, uint32_t cap, const struct dp_rtcp_part *parts,
				unsigned n)
{
	uint32_t len = 0;

	if (n == 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t w = build_part(buf + len, cap - len, &parts[i]);
		if (w == 0)
			return 0;
		len += w;
	}
	return len;
}
