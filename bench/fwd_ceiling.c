/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd: the ceiling, raw intel-ipsec-mb doing the crypto of the
 * forwarding and nothing else.
 *
 * Per burst of FWD_BURST inputs, as the worker does it: one IMB burst that
 * authenticates and decrypts the inputs in place, with the publisher leg's
 * keys; then FWD_BURST * F encryptions, input by input and receiver by
 * receiver, each with that receiver leg's keys, from the decrypted input
 * into an output buffer, in IMB bursts of IMB_MAX_BURST_SIZE (the worker
 * flushes every DP_MAX_OUTPUTS outputs, a multiple of it, so the bursts
 * are the same).  Same jobs as the engine's (bench_imb.h): for VP8, whose
 * payload descriptor is rewritten per receiver, GCM outputs are two-segment
 * scatter-gather jobs as in the engine's assembled protect; AES-CM outputs
 * are one CTR + HMAC job over the whole payload (the engine applies the
 * first keystream block itself and gives the library the rest).
 *
 * Untimed: encrypting the inputs before each burst (the client's work).
 * Output buffers are reused every min(FWD_BURST * F, DP_MAX_OUTPUTS)
 * outputs, about as many mbufs as the worker cycles through.
 */
#include <stdlib.h>
#include <string.h>

#include "bench_imb.h"
#include "bench_report.h"
#include "fwd_bench.h"

#define CEIL_STRIDE 2368   /* about an mbuf: headroom, 2 KB of data */
#define CEIL_OFFSET 170    /* where the RTP header sits: headroom and L2-L4 */

struct fwd_ceiling {
	IMB_MGR *mgr;
	const struct strata_srtp_profile *p;
	const struct strata_srtp_keys *in_keys;   /* the publisher leg's */
	const struct strata_srtp_keys **out_keys; /* each receiver leg's */
	unsigned fanout, len, prefix, n_out;
	const uint8_t *plain;
	uint8_t *in, *out;

	/* Where the next encryption job is: input, receiver, output buffer. */
	unsigned input, receiver, out_slot;
	bool encrypt_inputs;

	IMB_JOB *jobs[IMB_MAX_BURST_SIZE];
	uint8_t iv[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
	uint8_t tag[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
	struct IMB_SGL_IOV segs[IMB_MAX_BURST_SIZE][2];
	struct gcm_context_data gcm[IMB_MAX_BURST_SIZE];
};

static inline uint8_t *in_at(const struct fwd_ceiling *c, unsigned i)
{
	return c->in + (size_t)i * CEIL_STRIDE + CEIL_OFFSET;
}

static inline uint8_t *out_at(const struct fwd_ceiling *c, unsigned i)
{
	return c->out + (size_t)i * CEIL_STRIDE + CEIL_OFFSET;
}

struct fwd_ceiling *fwd_ceiling_open(struct fwd_ctx *x, const struct fwd_group *g)
{
	const struct dp_tables *t = &x->dp.tables;
	struct fwd_ceiling *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);

	if (c == NULL)
		bench_fail("out of memory");
	memset(c, 0, sizeof(*c));
	c->mgr = strata_srtp_engine_mgr(x->w->srtp);
	c->p = g->profile;
	c->fanout = g->fanout;
	c->len = FWD_HDR_LEN + x->size;
	/* The ceiling is the least cipher and MAC work: one plain job per
	 * output.  (Strata needs two-piece jobs only for a receiver whose
	 * payload descriptor it rewrites; that cost is Strata's.) */
	c->prefix = 0;
	c->plain = x->plain;
	c->n_out = FWD_BURST * g->fanout < DP_MAX_OUTPUTS ? FWD_BURST * g->fanout : DP_MAX_OUTPUTS;
	c->in_keys = &t->legs[g->pub_leg].rx.rtp;
	c->out_keys = calloc(g->fanout, sizeof(*c->out_keys));
	c->in = aligned_alloc(64, (size_t)FWD_BURST * CEIL_STRIDE);
	c->out = aligned_alloc(64, (size_t)c->n_out * CEIL_STRIDE);
	if (c->out_keys == NULL || c->in == NULL || c->out == NULL)
		bench_fail("out of memory");
	/* The MACs read headers and ROC bytes nobody writes here: define them. */
	memset(c->in, 0, (size_t)FWD_BURST * CEIL_STRIDE);
	memset(c->out, 0, (size_t)c->n_out * CEIL_STRIDE);
	for (unsigned r = 0; r < g->fanout; r++)
		c->out_keys[r] = &t->legs[g->first_recv_leg + r].tx.rtp;
	for (unsigned i = 0; i < IMB_MAX_BURST_SIZE; i++) {
		memcpy(c->iv[i], c->in_keys->salt, 16);
		c->iv[i][11] ^= (uint8_t)i;
	}
	return c;
}

void fwd_ceiling_close(struct fwd_ceiling *c)
{
	free(c->out_keys);
	free(c->in);
	free(c->out);
	free(c);
}

/* The inputs: encrypted (untimed, the client's part) or decrypted in place. */
static inline void fill_input(void *arg, IMB_JOB *job, unsigned i)
{
	struct fwd_ceiling *c = arg;
	const uint8_t *src = c->encrypt_inputs ? c->plain + (size_t)i * FWD_BUF_STRIDE : in_at(c, i);

	bench_imb_fill(job, c->p, c->in_keys, c->encrypt_inputs, src, in_at(c, i), FWD_HDR_LEN,
		       c->len, c->iv[i], c->tag[i]);
}

/* One receiver's copy of one input. */
static inline void fill_output(void *arg, IMB_JOB *job, unsigned i)
{
	struct fwd_ceiling *c = arg;
	const uint8_t *in = in_at(c, c->input);
	uint8_t *out = out_at(c, c->out_slot);
	const struct strata_srtp_keys *k = c->out_keys[c->receiver];

	if (c->prefix != 0 && c->p->aead)
		bench_imb_fill_gcm_sgl(job, c->p, k, in + FWD_HDR_LEN + c->prefix, out, FWD_HDR_LEN,
				       c->len, c->prefix, c->segs[i], &c->gcm[i], c->iv[i]);
	else
		bench_imb_fill(job, c->p, k, 1, in, out, FWD_HDR_LEN, c->len, c->iv[i], c->tag[i]);
	if (++c->out_slot == c->n_out)
		c->out_slot = 0;
	if (++c->receiver == c->fanout) {
		c->receiver = 0;
		c->input++;
	}
}

static inline void run(struct fwd_ceiling *c, unsigned n, bench_imb_fill_fn fill)
{
	const char *why = bench_imb_run(c->mgr, c->jobs, n, fill, c);

	if (why != NULL)
		bench_fail("ipsec-mb ceiling, %s fan-out %u: %s", c->p->name, c->fanout, why);
}

uint64_t fwd_ceiling_burst(struct fwd_ceiling *c)
{
	unsigned total = FWD_BURST * c->fanout;

	c->encrypt_inputs = true;
	run(c, FWD_BURST, fill_input);
	c->encrypt_inputs = false;
	c->input = c->receiver = c->out_slot = 0;

	uint64_t t0 = bench_ticks();
	run(c, FWD_BURST, fill_input);
	for (unsigned done = 0; done < total;) {
		unsigned n = total - done < IMB_MAX_BURST_SIZE ? total - done : IMB_MAX_BURST_SIZE;

		run(c, n, fill_output);
		done += n;
	}
	return bench_ticks() - t0;
}
