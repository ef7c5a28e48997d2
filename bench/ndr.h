/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 2544 section 26.1's throughput search, as a pure function over a trial
 * callback so it can be tested against a model: "the maximum rate at which
 * none of the offered frames are dropped" (NDR, loss threshold 0), and the
 * same search with a tolerated loss ratio (PDR, loss <= 0.5 %).
 */
#ifndef STRATA_BENCH_NDR_H
#define STRATA_BENCH_NDR_H

#include <stdint.h>

/* One trial at an offered rate (packets/s): fills *loss with the lost fraction
 * (0..1) of what was offered; returns 0, or nonzero to abort the search. */
typedef int (*ndr_trial_fn)(void *ctx, double rate, double *loss);

#define NDR_MAX_TRIALS 40

struct ndr_params {
	double lo;             /* lowest rate searched (pps), > 0 */
	double hi;             /* highest rate searched (pps), the first trial */
	double loss_threshold; /* a trial passes when loss <= this; 0 for NDR */
	double resolution;     /* stop once hi - lo <= resolution * hi (e.g. 0.01) */
	unsigned max_trials;   /* <= NDR_MAX_TRIALS */
};

struct ndr_trial_rec {
	double rate;
	double loss;
	int pass;
};

struct ndr_result {
	double rate;        /* the highest passing rate found; 0 if none passed */
	double loss;        /* its loss */
	int found;          /* 1 if some trial passed */
	unsigned n_trials;
	struct ndr_trial_rec trials[NDR_MAX_TRIALS];
};

/* Returns 0, -1 on bad parameters, or the callback's nonzero status. */
int ndr_search(const struct ndr_params *p, ndr_trial_fn trial, void *ctx,
	       struct ndr_result *out);

#endif
