/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3550 Appendix A.1 (sequence numbers: extended highest, received)
 * and A.8 (interarrival jitter) for each published stream, kept on the
 * publisher leg's worker; the main lcore turns them into report blocks.
 * Simplified from A.1: no probation (the stream was authenticated, so a
 * new source is not a guess), and a jump of more than MAX_DROPOUT restarts
 * the count as A.1 does after two sequential packets.
 */
#include "rtcp_state.h"
#include "rtcp_stats.h"
#include "rtp/rtp_header.h"

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100
#define SEQ_MOD (1u << 16)

void dp_rtcp_on_rtp(struct dp_worker *w, uint32_t stream, const uint8_t *rtp, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;

	if (g == NULL)
		return;
	struct dp_rtcp_rx_stats *s = &g->streams[stream].rx;
	const struct dp_stream *st = &w->dp->tables.streams[stream];
	uint32_t gen = atomic_load_explicit(&st->gen, memory_order_relaxed);
	uint16_t seq = strata_rtp_seq(rtp);

	if (!s->valid || s->gen != gen) {
		*s = (struct dp_rtcp_rx_stats){.gen = gen, .valid = 1, .max_seq = seq,
					       .base_seq = seq, .received = 1};
		s->clock_mult = ((uint64_t)st->clock_rate << 32) / w->dp->tsc_hz;
		s->transit = (int64_t)(((unsigned __int128)now * s->clock_mult) >> 32) -
			     (int64_t)strata_be32(rtp + 4);
		return;
	}
	uint16_t udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD; /* wrapped */
		s->max_seq = seq;
	} else if (udelta <= SEQ_MOD - MAX_MISORDER) {
		/* A very large jump: the sender restarted its numbers. */
		s->base_seq = seq;
		s->max_seq = seq;
		s->cycles = 0;
		s->received = 0;
		s->expected_prior = s->received_prior = 0;
	} /* else duplicate or reordered */
	s->received++;

	/* A.8: "J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16", in timestamp units;
	 * jitter here is kept * 16 as in the appendix's integer version. */
	int64_t arrival = (int64_t)(((unsigned __int128)now * s->clock_mult) >> 32);
	int64_t transit = arrival - (int64_t)strata_be32(rtp + 4);
	int64_t d = (int32_t)(uint32_t)(transit - s->transit);
	s->transit = transit;
	if (d < 0)
		d = -d;
	s->jitter = (uint32_t)((int64_t)s->jitter + d - (int64_t)((s->jitter + 8) >> 4));
}
