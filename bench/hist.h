/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An HDR-style latency histogram for strata-bench run: log-linear buckets
 * (HdrHistogram's layout with 7 significant bits), so any recorded value is
 * reported within 1/128 (0.79 %) of itself from 0 to 2^64 ns in a fixed 58 KiB,
 * with O(1) record and exact count, min and max.  Histograms of several sink
 * cores or several trials merge by adding buckets.
 */
#ifndef STRATA_BENCH_HIST_H
#define STRATA_BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)                /* 128 sub-buckets per power of 2 */
/* Values below 2*HIST_SUB are exact; each further power of two has HIST_SUB buckets. */
#define HIST_BUCKETS (2 * HIST_SUB + (64 - HIST_SUB_BITS - 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t sum;   /* for the mean; wraps only past 2^64 ns in total */
	uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t value);
/* Adds every value of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The value at percentile p (0 < p <= 100): the highest value of the bucket holding
 * the ceil(p/100 * count)-th smallest value, clipped to max; 0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);
/* Bucket helpers, exposed for the unit test and the CDF plot. */
unsigned hist_index(uint64_t value);
uint64_t hist_bucket_low(unsigned idx);
uint64_t hist_bucket_high(unsigned idx);

#endif
