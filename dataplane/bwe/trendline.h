/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Is the bottleneck's queue growing?  The arrival-time filter and the
 * over-use detector of draft-ietf-rmcat-gcc-02 (sections 5.3 and 5.4),
 * with the trendline filter that libwebrtc's send-side estimator uses in
 * place of the draft's Kalman filter.
 *
 * The filter (our words for libwebrtc's TrendlineEstimator design): the
 * inter-group delay variations d(i) (inter_arrival.h) are summed into the
 * accumulated delay, which is the queueing delay up to a constant;
 * smoothed exponentially (coefficient 0.9); and the last
 * DP_TRENDLINE_WINDOW (20) smoothed values, against their groups' arrival
 * times, are fitted with a least-squares line.  Its slope is how fast the
 * queue grows, in ms per ms: 0 on a link that keeps up, positive when we
 * send faster than the bottleneck drains.  The slope is scaled to the
 * detector's scale as m(i) = min(samples, 60) * slope * 4 (libwebrtc's
 * gain), so that it starts small while the window has few samples.  Why a
 * regression and not the Kalman filter: a slope over a 20-group window
 * ignores the jitter of single groups that the Kalman filter needs its
 * noise model (and f_max) to cope with, and it is what every deployed
 * send-side GCC runs.
 *
 * The detector, section 5.4: "The inter-group delay variation estimate
 * m(i), obtained as the output of the arrival-time filter, is compared
 * with a threshold del_var_th(i).  An estimate above the threshold is
 * considered as an indication of over-use.  Such an indication is not
 * enough for the detector to signal over-use to the rate control
 * subsystem.  A definitive over-use will be signaled only if over-use has
 * been detected for at least overuse_time_th milliseconds.  However, if
 * m(i) < m(i-1), over-use will not be signaled even if all the above
 * conditions are met.  Similarly, the opposite state, under-use, is
 * detected when m(i) < -del_var_th(i).  If neither over-use nor under-use
 * is detected, the detector will be in the normal state."
 *
 * overuse_time_th is 10 ms of inter-departure time, and the over-use must
 * have been seen in at least two groups in a row (one group's indication is
 * noise).  The time over the threshold starts at half the first group's
 * inter-departure time (it crossed somewhere in that group).
 *
 * The adaptive threshold (gamma), section 5.4:
 *
 *   "del_var_th(i) =
 *        del_var_th(i-1) + (t(i)-t(i-1)) * K(i) * (|m(i)|-del_var_th(i-1))
 *
 *    with K(i)=K_d if |m(i)| < del_var_th(i-1) or K(i)=K_u otherwise. ...
 *    del_var_th(i) SHOULD NOT be updated if this condition holds:
 *
 *        |m(i)| - del_var_th(i) > 15
 *
 *    It is also RECOMMENDED to clamp del_var_th(i) to the range [6, 600]"
 *
 * t(i) - t(i-1) is in ms and capped at 100 ms (a long gap is not a long
 * observation).  del_var_th(0) = 12.5 ms as the draft recommends; K_u and
 * K_d are libwebrtc's values for the trendline's m(i), K_u = 0.0087 and
 * K_d = 0.039: the draft's 0.01 and 0.00018 are tuned for the Kalman
 * filter's output, which moves differently.  Both make the threshold grow
 * when m(i) stays outside it (a competing TCP flow fills the queue: we must
 * not starve, the draft's [Pv13] argument) and shrink back when it
 * returns.
 */
#ifndef STRATA_DP_BWE_TRENDLINE_H
#define STRATA_DP_BWE_TRENDLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "inter_arrival.h"

#define DP_TRENDLINE_WINDOW 20         /* groups in the regression */
#define DP_TRENDLINE_SMOOTHING 0.9     /* of the accumulated delay */
#define DP_TRENDLINE_GAIN 4.0          /* slope -> m(i) */
#define DP_TRENDLINE_MAX_SAMPLES 60    /* samples in the gain's ramp */
#define DP_GCC_THRESHOLD_INIT_MS 12.5  /* del_var_th(0) */
#define DP_GCC_THRESHOLD_MIN_MS 6.0
#define DP_GCC_THRESHOLD_MAX_MS 600.0
#define DP_GCC_THRESHOLD_MAX_OFFSET_MS 15.0 /* no update beyond this */
#define DP_GCC_THRESHOLD_MAX_DT_MS 100.0
#define DP_GCC_K_U 0.0087
#define DP_GCC_K_D 0.039
#define DP_GCC_OVERUSE_TIME_MS 10.0    /* overuse_time_th */

/* The detector's signal. */
enum dp_bw_usage {
	DP_BW_NORMAL = 0,
	DP_BW_OVERUSING,
	DP_BW_UNDERUSING,
};

const char *dp_bw_usage_name(int usage);

struct dp_trendline {
	/* The filter. */
	double accumulated_ms;
	double smoothed_ms;
	int64_t first_arrival_us;
	double x[DP_TRENDLINE_WINDOW];  /* arrival time since the first, ms */
	double y[DP_TRENDLINE_WINDOW];  /* smoothed accumulated delay, ms */
	uint32_t n;                     /* samples in the window */
	uint32_t head;                  /* the oldest, once the window is full */
	uint32_t samples;               /* all samples so far (capped) */
	double trend;                   /* the last slope */
	double prev_trend;
	/* The detector. */
	double m;                       /* the last m(i) */
	double threshold_ms;            /* del_var_th(i) */
	int64_t threshold_us;           /* t of its last update ... */
	bool threshold_started;         /* ... once there was one */
	double over_ms;                 /* time over the threshold; < 0 none */
	uint32_t over_count;            /* groups over the threshold in a row */
	enum dp_bw_usage usage;
	uint64_t overuses;              /* transitions to OVERUSING */
};

void dp_trendline_init(struct dp_trendline *t);

/* Adds one group sample and returns the detector's signal after it. */
enum dp_bw_usage dp_trendline_update(struct dp_trendline *t, const struct dp_group_delta *d);

#endif /* STRATA_DP_BWE_TRENDLINE_H */
