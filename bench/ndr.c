/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 2544, 26.1 Throughput: "Send a specific number of frames at a specific
 * rate through the DUT and then count the frames that are transmitted by the
 * DUT.  If the count of offered frames is equal to the count of received
 * frames, the rate of the offered stream is raised and the test is rerun.  If
 * fewer frames are received than were transmitted, the rate of the offered
 * stream is reduced and the test is rerun.  The throughput is the fastest
 * rate at which the count of test frames transmitted by the DUT is equal to
 * the number of test frames sent to it by the test equipment."
 *
 * The rate is found by bisection between lo and hi.  hi is tried first (a
 * router that keeps up with the generator needs one trial); the answer is the
 * highest rate that actually passed, never an interpolated one, so a noisy
 * trial can lower the result but not raise it past what was observed.
 */
#include "ndr.h"

static int run(const struct ndr_params *p, ndr_trial_fn trial, void *ctx,
	       struct ndr_result *out, double rate, int *pass)
{
	double loss = 1.0;
	int rc = trial(ctx, rate, &loss);
	if (rc != 0)
		return rc;
	*pass = loss <= p->loss_threshold;
	struct ndr_trial_rec *t = &out->trials[out->n_trials++];
	t->rate = rate;
	t->loss = loss;
	t->pass = *pass;
	if (*pass && (!out->found || rate > out->rate)) {
		out->found = 1;
		out->rate = rate;
		out->loss = loss;
	}
	return 0;
}

int ndr_search(const struct ndr_params *p, ndr_trial_fn trial, void *ctx,
	       struct ndr_result *out)
{
	*out = (struct ndr_result){ 0 };
	if (!(p->lo > 0) || !(p->hi >= p->lo) || !(p->loss_threshold >= 0) ||
	    !(p->resolution > 0) || p->max_trials < 2 || p->max_trials > NDR_MAX_TRIALS)
		return -1;

	int pass, rc;
	if ((rc = run(p, trial, ctx, out, p->hi, &pass)) != 0)
		return rc;
	if (pass)
		return 0;
	double lo = p->lo, hi = p->hi;
	if ((rc = run(p, trial, ctx, out, lo, &pass)) != 0)
		return rc;
	if (!pass)
		return 0; /* even the lowest rate loses: found == 0 */
	while (hi - lo > p->resolution * hi && out->n_trials < p->max_trials) {
		double mid = lo + (hi - lo) / 2;
		if ((rc = run(p, trial, ctx, out, mid, &pass)) != 0)
			return rc;
		if (pass)
			lo = mid;
		else
			hi = mid;
	}
	return 0;
}
