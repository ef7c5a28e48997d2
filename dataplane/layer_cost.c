/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Layer rates and the costs of layer choices (layer_cost.h).
 */
#include <string.h>

#include "layer_cost.h"

void dp_layer_rates_reset(struct dp_layer_rates *r)
{
	memset(r, 0, sizeof(*r));
}

void dp_layer_rates_update(struct dp_layer_rates *r, const uint64_t bytes[4][4], uint32_t gen,
			   double dt_s)
{
	double alpha = dt_s * 1000.0 / DP_LAYER_RATE_WINDOW_MS;
	bool fresh = !r->primed || r->gen != gen;

	if (alpha > 1.0)
		alpha = 1.0;
	for (int s = 0; s < 4; s++)
		for (int l = 0; l < 4; l++) {
			if (fresh) {
				r->bps[s][l] = -1.0;
			} else if (dt_s > 0) {
				double inst = (double)(bytes[s][l] - r->last_bytes[s][l]) * 8.0 / dt_s;
				/* A layer's first octets set its rate outright (so
				 * it is priced right from its first frames), later
				 * ones move the average. */
				if (r->bps[s][l] < 0)
					r->bps[s][l] = inst > 0 ? inst : -1.0;
				else
					r->bps[s][l] += alpha * (inst - r->bps[s][l]);
			}
			r->last_bytes[s][l] = bytes[s][l];
		}
	/* The warm-up counts from the stream's first octets, not from its
	 * STREAM_ADD: a publisher may start long after. */
	bool data = false;
	for (int s = 0; s < 4 && !fresh; s++)
		for (int l = 0; l < 4; l++)
			data |= r->bps[s][l] > 0;
	r->ticks = fresh ? 0 : r->ticks + 1;
	r->measured_ms = fresh ? 0 : r->measured_ms + (r->measured_ms > 0 || data ? dt_s * 1000.0 : 0);
	r->gen = gen;
	r->primed = true;
}

double dp_layer_rate(const struct dp_layer_rates *r, int spatial, int temporal)
{
	if (r == NULL || !r->primed || r->measured_ms < DP_LAYER_WARMUP_MS)
		return 0.0;
	double v = r->bps[spatial][temporal];
	return v > 0 ? v : 0.0;
}

static uint32_t clamp_bps(double v)
{
	return v >= 4e9 ? 4000000000u : v < 1.0 ? 1u : (uint32_t)v;
}

void dp_layer_costs(const struct dp_layer_rates *const enc[4], struct dp_lp_source *out)
{
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	for (int e = 0; e < 4; e++)
		n += enc[e] != NULL;
	if (n > 1) {
		for (int e = 0; e < 4 && e < DP_LP_MAX_SPATIAL; e++) {
			double cum = 0;
			if (enc[e] == NULL)
				continue;
			for (int l = 0; l < DP_LP_MAX_TEMPORAL; l++) {
				double r = 0;
				for (int s = 0; s < 4; s++)
					r += dp_layer_rate(enc[e], s, l);
				cum += r;
				out->bps[e][l] = r >= DP_LAYER_PRODUCED_BPS ? clamp_bps(cum) : 0;
			}
		}
		return;
	}
	for (int e = 0; e < 4; e++) {
		if (enc[e] == NULL)
			continue;
		for (int s = 0; s < DP_LP_MAX_SPATIAL; s++)
			for (int l = 0; l < DP_LP_MAX_TEMPORAL; l++) {
				double cum = 0;
				for (int s2 = 0; s2 <= s; s2++)
					for (int l2 = 0; l2 <= l; l2++)
						cum += dp_layer_rate(enc[e], s2, l2);
				out->bps[s][l] = dp_layer_rate(enc[e], s, l) >= DP_LAYER_PRODUCED_BPS
							 ? clamp_bps(cum)
							 : 0;
			}
	}
}
