/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting: the crypto-only ceiling.  Raw
 * intel-ipsec-mb doing what the forwarding's crypto does for the same
 * inputs of the cycle: one IMB burst decrypting them with their
 * publisher's keys, then for each input as many encryptions as outputs it
 * made in the recorded pass (struct meeting's out_count), receiver by
 * receiver with their keys, into buffers about an mbuf apart, in IMB bursts
 * of IMB_MAX_BURST_SIZE.  Same jobs as the engine's (bench_imb.h).  A
 * receiver's SRTCP packet is decrypted with its leg's SRTCP keys (the
 * cipher after the 8-octet header, the MAC over the packet and its 4-octet
 * index), and its retransmissions (answers to its NACK) are encrypted with
 * its keys at the length the recorded pass saw.
 */
#include <stdlib.h>
#include <string.h>

#include "bench_report.h"
#include "fwd_meeting_priv.h"

#define CEIL_STRIDE 2368 /* about an mbuf: headroom, 2 KB of data */
#define CEIL_OFFSET 170  /* where the RTP header sits: headroom and L2-L4 */

void meeting_ceiling_open(struct meeting_ceiling *c, struct fwd_ctx *x, struct meeting *m)
{
	const struct dp_tables *t = &x->dp.tables;

	memset(c, 0, sizeof(*c));
	c->mgr = strata_srtp_engine_mgr(x->w->srtp);
	c->p = m->profile;
	c->m = m;
	c->in_keys[0] = &t->legs[m->video_leg].rx.rtp;
	c->in_keys[1] = &t->legs[m->audio_leg].rx.rtp;
	c->out_keys = calloc(m->fanout, sizeof(*c->out_keys));
	c->rtcp_keys = calloc(m->fanout, sizeof(*c->rtcp_keys));
	c->n_out = DP_MAX_OUTPUTS;
	c->in = aligned_alloc(64, (size_t)FWD_BURST * CEIL_STRIDE);
	c->out = aligned_alloc(64, (size_t)c->n_out * CEIL_STRIDE);
	if (c->out_keys == NULL || c->rtcp_keys == NULL || c->in == NULL || c->out == NULL)
		bench_fail("out of memory");
	memset(c->in, 0, (size_t)FWD_BURST * CEIL_STRIDE);
	memset(c->out, 0, (size_t)c->n_out * CEIL_STRIDE);
	for (unsigned r = 0; r < m->fanout; r++) {
		c->out_keys[r] = &t->legs[m->first_recv_leg + r].tx.rtp;
		c->rtcp_keys[r] = &t->legs[m->first_recv_leg + r].rx.rtcp;
	}
	for (unsigned i = 0; i < IMB_MAX_BURST_SIZE; i++) {
		memcpy(c->iv[i], c->in_keys[0]->salt, 16);
		c->iv[i][11] ^= (uint8_t)i;
	}
}

void meeting_ceiling_close(struct meeting_ceiling *c)
{
	free(c->out_keys);
	free(c->rtcp_keys);
	free(c->in);
	free(c->out);
}

static inline uint8_t *ceil_at(uint8_t *base, unsigned i)
{
	return base + (size_t)i * CEIL_STRIDE + CEIL_OFFSET;
}

static void fill_in(void *arg, IMB_JOB *job, unsigned i)
{
	struct meeting_ceiling *c = arg;
	uint32_t e = c->burst[i], en = c->m->entry[e];

	if (meeting_is_rtcp(en)) {
		const struct meeting_rtcp *rt = &c->m->rtcp[en & ~MEETING_RTCP];
		bench_imb_fill(job, c->p, c->rtcp_keys[rt->recv], 0, ceil_at(c->in, i),
			       ceil_at(c->in, i), 8, c->m->entry_len[e], c->iv[i], c->tag[i]);
		return;
	}
	bench_imb_fill(job, c->p, c->in_keys[en == MEETING_AUDIO], 0, ceil_at(c->in, i),
		       ceil_at(c->in, i), FWD_HDR_LEN, c->m->entry_len[e], c->iv[i], c->tag[i]);
}

static void fill_out(void *arg, IMB_JOB *job, unsigned i)
{
	struct meeting_ceiling *c = arg;

	while (c->copy >= c->m->out_count[c->burst[c->input]]) {
		c->input++;
		c->copy = 0;
	}
	uint32_t e = c->burst[c->input], en = c->m->entry[e];
	if (meeting_is_rtcp(en)) {
		/* A retransmission: the receiver's keys, the original's length
		 * (RTX: and its OSN). */
		const struct meeting_rtcp *rt = &c->m->rtcp[en & ~MEETING_RTCP];
		bench_imb_fill(job, c->p, c->out_keys[rt->recv], 1, ceil_at(c->in, c->input),
			       ceil_at(c->out, c->out_slot), FWD_HDR_LEN, rt->rtx_len, c->iv[i],
			       c->tag[i]);
	} else {
		bench_imb_fill(job, c->p, c->out_keys[c->receiver], 1, ceil_at(c->in, c->input),
			       ceil_at(c->out, c->out_slot), FWD_HDR_LEN, c->m->entry_len[e],
			       c->iv[i], c->tag[i]);
		if (++c->receiver == c->m->fanout)
			c->receiver = 0;
	}
	c->copy++;
	if (++c->out_slot == c->n_out)
		c->out_slot = 0;
}

static void ceiling_run(struct meeting_ceiling *c, unsigned n, bench_imb_fill_fn fill)
{
	const char *why = bench_imb_run(c->mgr, c->jobs, n, fill, c);

	if (why != NULL)
		bench_fail("ipsec-mb ceiling, meeting mix, %s: %s", c->p->name, why);
}

uint64_t meeting_ceiling_burst(struct meeting_ceiling *c, uint64_t *outputs)
{
	unsigned total = 0;

	for (unsigned i = 0; i < FWD_BURST; i++) {
		c->burst[i] = c->pos;
		total += c->m->out_count[c->pos];
		if (++c->pos == c->m->cycle_len)
			c->pos = 0;
	}
	c->input = c->copy = 0;
	uint64_t t0 = bench_ticks();
	ceiling_run(c, FWD_BURST, fill_in);
	for (unsigned done = 0; done < total;) {
		unsigned n = total - done < IMB_MAX_BURST_SIZE ? total - done : IMB_MAX_BURST_SIZE;
		ceiling_run(c, n, fill_out);
		done += n;
	}
	*outputs += total;
	return bench_ticks() - t0;
}
