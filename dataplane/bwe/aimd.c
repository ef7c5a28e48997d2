/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AIMD rate control (draft-ietf-rmcat-gcc-02 section 5.5; the header
 * quotes it).
 */
#include <math.h>
#include <string.h>

#include "aimd.h"

/* libwebrtc's bounds on the normalised variance of the max bitrate. */
#define CAPACITY_VAR_MIN 0.4
#define CAPACITY_VAR_MAX 2.5
/* Halving before any R_hat is known: at most this often. */
#define BLIND_DECREASE_US 200000
/* Another decrease after this long (min(rtt, max), at least min). */
#define REDUCE_MIN_US 10000
#define REDUCE_MAX_US 200000

const char *dp_aimd_state_name(int state)
{
	switch (state) {
	case DP_AIMD_HOLD:
		return "hold";
	case DP_AIMD_INCREASE:
		return "increase";
	case DP_AIMD_DECREASE:
		return "decrease";
	default:
		return "?";
	}
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void dp_aimd_init(struct dp_aimd *a, double start_bps, double min_bps, double max_bps)
{
	memset(a, 0, sizeof(*a));
	a->min_bps = min_bps;
	a->max_bps = max_bps;
	a->bitrate_bps = clamp(start_bps, min_bps, max_bps);
	/* "The subsystem starts in the increase state". */
	a->state = DP_AIMD_INCREASE;
	a->capacity_var = CAPACITY_VAR_MIN;
}

static double capacity_dev_kbps(const struct dp_aimd *a)
{
	return sqrt(a->capacity_var * a->capacity_kbps);
}

static double capacity_upper_kbps(const struct dp_aimd *a)
{
	return a->capacity_kbps + 3 * capacity_dev_kbps(a);
}

static double capacity_lower_kbps(const struct dp_aimd *a)
{
	double lo = a->capacity_kbps - 3 * capacity_dev_kbps(a);
	return lo > 0 ? lo : 0;
}

bool dp_aimd_near_max(const struct dp_aimd *a)
{
	return a->capacity_valid;
}

/* The average max bitrate and its variance, from one R_hat at Decrease. */
static void capacity_update(struct dp_aimd *a, double sample_kbps)
{
	if (!a->capacity_valid) {
		a->capacity_kbps = sample_kbps;
		a->capacity_valid = true;
	} else {
		a->capacity_kbps = (1 - DP_GCC_CAPACITY_ALPHA) * a->capacity_kbps +
				   DP_GCC_CAPACITY_ALPHA * sample_kbps;
	}
	double norm = a->capacity_kbps > 1.0 ? a->capacity_kbps : 1.0;
	double err = a->capacity_kbps - sample_kbps;
	a->capacity_var = (1 - DP_GCC_CAPACITY_ALPHA) * a->capacity_var +
			  DP_GCC_CAPACITY_ALPHA * err * err / norm;
	a->capacity_var = clamp(a->capacity_var, CAPACITY_VAR_MIN, CAPACITY_VAR_MAX);
}

/* Multiplicative: eta = 1.08^min(dt / 1 s, 1). */
static double multiplicative(const struct dp_aimd *a, int64_t dt_us)
{
	double s = (double)dt_us / 1e6;
	return a->bitrate_bps * (pow(DP_GCC_ETA, s < 1.0 ? s : 1.0) - 1.0);
}

/* Additive: half an expected packet per response time, at least 1 kbit. */
static double additive(const struct dp_aimd *a, int64_t dt_us, int64_t rtt_us)
{
	double bits_per_frame = a->bitrate_bps / 30.0;
	double packets_per_frame = ceil(bits_per_frame / (1200.0 * 8.0));
	if (packets_per_frame < 1)
		packets_per_frame = 1;
	double packet_bits = bits_per_frame / packets_per_frame;
	double response_us = (double)(DP_GCC_RESPONSE_BASE_US + rtt_us);
	double alpha = 0.5 * fmin((double)dt_us / response_us, 1.0);
	return fmax(1000.0, alpha * packet_bits);
}

static void increase(struct dp_aimd *a, double acked_bps, int64_t rtt_us, int64_t now_us)
{
	if (!a->changed_once) {
		/* The first update starts the clock the increases run on. */
		a->last_change_us = now_us;
		a->changed_once = true;
		return;
	}
	/* "If R_hat(i) increases above three standard deviations of the
	 * average max bitrate ... reset the average max bitrate". */
	if (a->capacity_valid && acked_bps > 0 && acked_bps / 1000 > capacity_upper_kbps(a))
		a->capacity_valid = false;

	/* No time, no increase (the draft's additive floor of 1000 bit is
	 * per update that covers some time). */
	int64_t dt_us = now_us - a->last_change_us;
	if (dt_us <= 0)
		return;
	double inc = a->capacity_valid ? additive(a, dt_us, rtt_us) : multiplicative(a, dt_us);
	double next = a->bitrate_bps + inc;
	if (acked_bps > 0) {
		double limit = DP_GCC_MAX_RATE_FACTOR * acked_bps + DP_GCC_MAX_RATE_SLACK_BPS;
		if (next > limit)
			next = fmax(a->bitrate_bps, limit);
	}
	a->bitrate_bps = next;
	a->last_change_us = now_us;
}

static int64_t reduce_interval_us(int64_t rtt_us)
{
	int64_t t = rtt_us < REDUCE_MAX_US ? rtt_us : REDUCE_MAX_US;
	return t > REDUCE_MIN_US ? t : REDUCE_MIN_US;
}

static void decrease(struct dp_aimd *a, double acked_bps, int64_t rtt_us, int64_t now_us)
{
	if (acked_bps <= 0) {
		if (!a->decreased_once || now_us - a->last_decrease_us >= BLIND_DECREASE_US) {
			a->bitrate_bps /= 2;
			a->last_decrease_us = now_us;
			a->decreased_once = true;
			a->decreases++;
		}
		return;
	}
	/* Once per round trip: the queue we built keeps saying over-use
	 * until the decrease has reached it. */
	if (a->decreased_once && now_us - a->last_decrease_us < reduce_interval_us(rtt_us) &&
	    acked_bps >= 0.5 * a->bitrate_bps)
		return;

	double next = DP_GCC_BETA * acked_bps;
	if (next > a->bitrate_bps && a->capacity_valid)
		next = DP_GCC_BETA * a->capacity_kbps * 1000;
	if (next < a->bitrate_bps)
		a->bitrate_bps = next;
	if (a->capacity_valid && acked_bps / 1000 < capacity_lower_kbps(a))
		a->capacity_valid = false;
	capacity_update(a, acked_bps / 1000);
	a->last_decrease_us = now_us;
	a->decreased_once = true;
	a->decreases++;
}

double dp_aimd_update(struct dp_aimd *a, enum dp_bw_usage signal, double acked_bps,
		      int64_t rtt_us, int64_t now_us)
{
	/* The state table. */
	switch (signal) {
	case DP_BW_OVERUSING:
		a->state = DP_AIMD_DECREASE;
		break;
	case DP_BW_NORMAL:
		if (a->state == DP_AIMD_HOLD) {
			a->state = DP_AIMD_INCREASE;
			a->last_change_us = now_us;
			a->changed_once = true;
		}
		break;
	case DP_BW_UNDERUSING:
		a->state = DP_AIMD_HOLD;
		break;
	}

	switch (a->state) {
	case DP_AIMD_HOLD:
		break;
	case DP_AIMD_INCREASE:
		increase(a, acked_bps, rtt_us, now_us);
		break;
	case DP_AIMD_DECREASE:
		decrease(a, acked_bps, rtt_us, now_us);
		/* "Hold ... waits until built-up queues have drained". */
		a->state = DP_AIMD_HOLD;
		a->last_change_us = now_us;
		a->changed_once = true;
		break;
	}
	a->bitrate_bps = clamp(a->bitrate_bps, a->min_bps, a->max_bps);
	return a->bitrate_bps;
}
