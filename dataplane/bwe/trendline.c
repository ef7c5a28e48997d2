/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trendline filter, the over-use detector and its adaptive threshold
 * (draft-ietf-rmcat-gcc-02 sections 5.3 and 5.4; the header quotes them).
 */
#include <math.h>
#include <string.h>

#include "trendline.h"

const char *dp_bw_usage_name(int usage)
{
	switch (usage) {
	case DP_BW_NORMAL:
		return "normal";
	case DP_BW_OVERUSING:
		return "overusing";
	case DP_BW_UNDERUSING:
		return "underusing";
	default:
		return "?";
	}
}

void dp_trendline_init(struct dp_trendline *t)
{
	memset(t, 0, sizeof(*t));
	t->threshold_ms = DP_GCC_THRESHOLD_INIT_MS;
	t->over_ms = -1;
	t->usage = DP_BW_NORMAL;
}

/*
 * The least-squares slope of the window's points:
 * sum((x - mean x)(y - mean y)) / sum((x - mean x)^2).  Returns false
 * when every x is the same (no slope).
 */
static bool slope(const struct dp_trendline *t, double *out)
{
	double sx = 0, sy = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		sx += t->x[i];
		sy += t->y[i];
	}
	double mx = sx / t->n, my = sy / t->n;
	double num = 0, den = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		num += (t->x[i] - mx) * (t->y[i] - my);
		den += (t->x[i] - mx) * (t->x[i] - mx);
	}
	if (den == 0)
		return false;
	*out = num / den;
	return true;
}

/* del_var_th(i), section 5.4. */
static void update_threshold(struct dp_trendline *t, double m, int64_t now_us)
{
	if (!t->threshold_started) {
		t->threshold_us = now_us;
		t->threshold_started = true;
	}
	double abs_m = fabs(m);
	if (abs_m > t->threshold_ms + DP_GCC_THRESHOLD_MAX_OFFSET_MS) {
		/* A spike (a route change, a burst) must not drag the
		 * threshold up with it. */
		t->threshold_us = now_us;
		return;
	}
	double k = abs_m < t->threshold_ms ? DP_GCC_K_D : DP_GCC_K_U;
	double dt_ms = (double)(now_us - t->threshold_us) / 1000.0;
	if (dt_ms > DP_GCC_THRESHOLD_MAX_DT_MS)
		dt_ms = DP_GCC_THRESHOLD_MAX_DT_MS;
	if (dt_ms < 0)
		dt_ms = 0;
	t->threshold_ms += k * (abs_m - t->threshold_ms) * dt_ms;
	if (t->threshold_ms < DP_GCC_THRESHOLD_MIN_MS)
		t->threshold_ms = DP_GCC_THRESHOLD_MIN_MS;
	if (t->threshold_ms > DP_GCC_THRESHOLD_MAX_MS)
		t->threshold_ms = DP_GCC_THRESHOLD_MAX_MS;
	t->threshold_us = now_us;
}

/* The over-use detector, section 5.4; ts_delta_ms is T(i) - T(i-1). */
static void detect(struct dp_trendline *t, double ts_delta_ms, int64_t now_us)
{
	if (t->samples < 2) {
		t->usage = DP_BW_NORMAL;
		return;
	}
	uint32_t ramp = t->samples < DP_TRENDLINE_MAX_SAMPLES ? t->samples
							      : DP_TRENDLINE_MAX_SAMPLES;
	double m = ramp * t->trend * DP_TRENDLINE_GAIN;
	t->m = m;

	if (m > t->threshold_ms) {
		t->over_ms = t->over_ms < 0 ? ts_delta_ms / 2 : t->over_ms + ts_delta_ms;
		t->over_count++;
		/* "if m(i) < m(i-1), over-use will not be signaled". */
		if (t->over_ms > DP_GCC_OVERUSE_TIME_MS && t->over_count > 1 &&
		    t->trend >= t->prev_trend) {
			t->over_ms = 0;
			t->over_count = 0;
			if (t->usage != DP_BW_OVERUSING)
				t->overuses++;
			t->usage = DP_BW_OVERUSING;
		}
	} else if (m < -t->threshold_ms) {
		t->over_ms = -1;
		t->over_count = 0;
		t->usage = DP_BW_UNDERUSING;
	} else {
		t->over_ms = -1;
		t->over_count = 0;
		t->usage = DP_BW_NORMAL;
	}
	update_threshold(t, m, now_us);
}

enum dp_bw_usage dp_trendline_update(struct dp_trendline *t, const struct dp_group_delta *d)
{
	double delta_ms = (double)(d->arrival_delta_us - d->send_delta_us) / 1000.0;

	if (t->samples == 0 && t->n == 0)
		t->first_arrival_us = d->arrival_us;
	if (t->samples < 1000)
		t->samples++;
	t->accumulated_ms += delta_ms;
	t->smoothed_ms = DP_TRENDLINE_SMOOTHING * t->smoothed_ms +
			 (1 - DP_TRENDLINE_SMOOTHING) * t->accumulated_ms;

	double x = (double)(d->arrival_us - t->first_arrival_us) / 1000.0;
	if (t->n < DP_TRENDLINE_WINDOW) {
		t->x[t->n] = x;
		t->y[t->n] = t->smoothed_ms;
		t->n++;
	} else {
		t->x[t->head] = x;
		t->y[t->head] = t->smoothed_ms;
		t->head = (t->head + 1) % DP_TRENDLINE_WINDOW;
	}

	t->prev_trend = t->trend;
	double s;
	if (t->n == DP_TRENDLINE_WINDOW && slope(t, &s))
		t->trend = s;
	detect(t, (double)d->send_delta_us / 1000.0, d->arrival_us);
	return t->usage;
}
