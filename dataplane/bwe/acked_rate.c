/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * R_hat over a window of arrival-time bins (acked_rate.h says why).
 */
#include <string.h>

#include "acked_rate.h"

void dp_acked_rate_init(struct dp_acked_rate *a)
{
	memset(a, 0, sizeof(*a));
}

/* Floor division: arrival times may be negative (unknown time base). */
static int64_t bin_of(int64_t us)
{
	int64_t b = us / DP_ACKED_BIN_US;
	return (us % DP_ACKED_BIN_US < 0) ? b - 1 : b;
}

static uint32_t slot_of(int64_t bin)
{
	int64_t s = bin % DP_ACKED_BINS;
	return (uint32_t)(s < 0 ? s + DP_ACKED_BINS : s);
}

void dp_acked_rate_add(struct dp_acked_rate *a, int64_t arrival_us, uint32_t size)
{
	int64_t bin = bin_of(arrival_us);

	if (!a->started) {
		memset(a->bytes, 0, sizeof(a->bytes));
		a->newest_bin = bin;
		a->first_arrival_us = a->newest_arrival_us = arrival_us;
		a->started = true;
	} else if (bin > a->newest_bin) {
		/* Empty the bins the window moves over (all of them after a
		 * gap longer than the window). */
		int64_t clear = bin - a->newest_bin;
		if (clear > DP_ACKED_BINS)
			clear = DP_ACKED_BINS;
		for (int64_t i = 1; i <= clear; i++)
			a->bytes[slot_of(a->newest_bin + i)] = 0;
		a->newest_bin = bin;
	} else if (bin <= a->newest_bin - DP_ACKED_BINS) {
		return; /* older than the window */
	}
	if (arrival_us > a->newest_arrival_us)
		a->newest_arrival_us = arrival_us;
	if (arrival_us < a->first_arrival_us)
		a->first_arrival_us = arrival_us;
	a->bytes[slot_of(bin)] += size;
}

double dp_acked_rate_bps(const struct dp_acked_rate *a)
{
	if (!a->started)
		return 0;
	int64_t start = (a->newest_bin - DP_ACKED_BINS + 1) * DP_ACKED_BIN_US;
	if (a->first_arrival_us > start)
		start = a->first_arrival_us;
	int64_t span = a->newest_arrival_us - start;
	if (span < DP_ACKED_MIN_SPAN_US)
		return 0;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < DP_ACKED_BINS; i++)
		sum += a->bytes[i];
	return (double)sum * 8.0 * 1e6 / (double)span;
}
